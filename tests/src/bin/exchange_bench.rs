//! Exchange benchmark (issue 15): the client exchange with thousands of
//! clients in it — opening the page from the list and filtering it —
//! measured in headless Chromium against a relay with N demo clients (the
//! demo puts about a fifth of them in the exchange; 25,000 give ~5,000).
//!
//!     cargo run --release -p kartoteka-tests --bin exchange_bench -- --clients 25000 --runs 5
//!
//! "Open" is from the click on the header's link to the first rows drawn
//! (the page's `kartoteka:exchange-drawn` mark, set in the frame after
//! they are in the DOM); "filter" is from choosing a city (or typing a
//! word) to the filtered rows drawn, with `kartoteka:exchange-filter`
//! the computing part. Long tasks are those the Long Tasks API saw.

use std::time::Duration;

use kartoteka_tests::bench::{arg, demo_data, js_until, long_tasks, longest, median, supervisor};
use kartoteka_tests::{Browser, Relay, Result};
use serde_json::{Value, json};

/// Runs `action` (a script) and waits for the next `kartoteka:exchange-drawn`
/// mark after it: (time to drawn, the last filter computation, the
/// longest task meanwhile).
async fn timed(b: &Browser, action: &str) -> Result<(f64, f64, f64)> {
    let start = b
        .js(
            &format!("const t = performance.now(); {action}; return t;"),
            vec![],
        )
        .await?
        .as_f64()
        .unwrap_or(f64::NAN);
    let done = js_until(
        b,
        "const after = arguments[0];
        const drawn = performance.getEntriesByName('kartoteka:exchange-drawn').filter(m => m.startTime > after);
        if (!drawn.length) return null;
        const f = performance.getEntriesByName('kartoteka:exchange-filter').filter(m => m.startTime > after);
        return { drawn: drawn[0].startTime, filter: f.length ? f[f.length - 1].duration : 0 };",
        vec![json!(start)],
        Duration::from_secs(120),
        Duration::from_millis(20),
        "the exchange's rows",
    )
    .await?;
    let drawn = done["drawn"].as_f64().unwrap_or(f64::NAN);
    // Let a long task that ends the frame be reported.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let long = longest(
        long_tasks(b)
            .await?
            .into_iter()
            .filter(|t| t.overlaps(start, drawn)),
    );
    Ok((
        drawn - start,
        done["filter"].as_f64().unwrap_or(f64::NAN),
        long,
    ))
}

/// Waits until every client's zone is known (the status filter counts
/// them).
async fn zones_known(b: &Browser) -> Result {
    js_until(
        b,
        "const s = document.getElementById('status-filter');
        return s && /\\(\\d/.test(s.options[0].text) ? s.options[0].text : null;",
        vec![],
        Duration::from_secs(900),
        Duration::from_millis(200),
        "the derived zones",
    )
    .await?;
    Ok(())
}

fn report(what: &str, runs: &[(f64, f64, f64)]) {
    let pick = |f: fn(&(f64, f64, f64)) -> f64| runs.iter().map(f).collect::<Vec<_>>();
    let round = |v: &[f64]| v.iter().map(|t| t.round()).collect::<Vec<_>>();
    let (wall, filter, long) = (pick(|r| r.0), pick(|r| r.1), pick(|r| r.2));
    println!(
        "  {what}: {:.0} ms to drawn {:?}; filtering {:.1} ms; longest task {:.0} ms {:?} (0 = none over 50 ms)",
        median(wall.clone()),
        round(&wall),
        median(filter),
        median(long.clone()),
        round(&long)
    );
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 25_000);
    let runs = arg("--runs", 5).max(1);
    let data = demo_data("exchange-bench", clients)?;
    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    zones_known(&b).await?;
    tokio::time::sleep(Duration::from_secs(5)).await;

    let (mut open, mut city, mut word) = (Vec::new(), Vec::new(), Vec::new());
    let mut in_exchange = Value::Null;
    for _ in 0..runs {
        b.goto("/").await?;
        zones_known(&b).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        open.push(
            timed(
                &b,
                "[...document.querySelectorAll('a.app-nav__link')].find(a => a.getAttribute('href') === '/exchange').click()",
            )
            .await?,
        );
        in_exchange = b
            .js(
                "return document.querySelector('[data-testid=exchange-count]').innerText",
                vec![],
            )
            .await?;
        city.push(
            timed(
                &b,
                "const s = document.getElementById('filter-city'); s.value = s.options[1].value;
                s.dispatchEvent(new Event('change', {bubbles: true}))",
            )
            .await?,
        );
        word.push(
            timed(
                &b,
                "const i = document.getElementById('exchange-search'); i.value = 'торг';
                i.dispatchEvent(new Event('input', {bubbles: true}))",
            )
            .await?,
        );
    }
    println!(
        "the exchange, {clients} clients ({}), {runs} runs (median; runs):",
        in_exchange.as_str().unwrap_or_default()
    );
    report("open from the list", &open);
    report("filter by a city", &city);
    report("then type a word", &word);
    b.close().await
}
