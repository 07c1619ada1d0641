//! Zones dashboard benchmark (issue 15): opening the supervisor's
//! dashboard on a base of N clients, 26 weekly dates — the series computed
//! from every client's facts in the browser, in slices, then drawn as a
//! table and a chart. Measured in headless Chromium against a relay with N
//! demo clients (goal for 20,000: under 300 ms, no main-thread task over
//! 50 ms).
//!
//!     cargo run --release -p kartoteka-tests --bin zones_bench -- --clients 20000 --runs 5
//!
//! Times come from the page's own performance marks: `kartoteka:zones`
//! (the computation, from its start to the series done, yields included),
//! `kartoteka:zones-slice` (each slice of work between two yields, of the
//! first pass; a client committed during it makes another pass follow,
//! counted in `passes`) and
//! `kartoteka:zones-drawn` (the first paint after the numbers were put on
//! the page); the open is timed from the click on the header's link. Long
//! tasks are those the Long Tasks API saw from the click to the paint.

use std::time::Duration;

use kartoteka_tests::bench::{arg, demo_data, js_until, long_tasks, median, supervisor};
use kartoteka_tests::{Browser, Relay, Result};
use serde_json::{Value, json};

/// Waits for the app's performance mark `name` (the latest one).
async fn wait_mark(b: &Browser, name: &str, wait: Duration) -> Result<f64> {
    let t = js_until(
        b,
        "const m = performance.getEntriesByName(arguments[0]); return m.length ? m[m.length - 1].startTime : null;",
        vec![json!(name)],
        wait,
        Duration::from_millis(20),
        name,
    )
    .await?;
    Ok(t.as_f64().unwrap_or(f64::NAN))
}

/// Opens the dashboard from the header and reads one open: from the click
/// to the paint, the computation, its slices, and the long tasks between.
async fn open(b: &Browser) -> Result<Value> {
    b.js(
        r#"for (const n of ['kartoteka:zones-start', 'kartoteka:zones-end', 'kartoteka:zones-drawn']) performance.clearMarks(n);
        performance.clearMeasures('kartoteka:zones');
        performance.clearMeasures('kartoteka:zones-slice');
        window.__clicked = performance.now();
        document.querySelector('a[href="/reports/zones"]').click();"#,
        vec![],
    )
    .await?;
    let drawn = wait_mark(b, "kartoteka:zones-drawn", Duration::from_secs(120)).await?;
    let v = b
        .js(
            r#"const m = performance.getEntriesByName('kartoteka:zones');
            const pass = m[0];
            const slices = performance.getEntriesByName('kartoteka:zones-slice')
                .filter(s => s.startTime >= pass.startTime && s.startTime <= pass.startTime + pass.duration)
                .map(s => s.duration);
            const rows = document.querySelectorAll('[data-testid=zones-table] tbody tr').length;
            return { clicked: window.__clicked, start: pass.startTime, compute: pass.duration, passes: m.length, slices, rows };"#,
            vec![],
        )
        .await?;
    let clicked = v["clicked"].as_f64().unwrap_or(f64::NAN);
    let long: Vec<f64> = long_tasks(b)
        .await?
        .into_iter()
        .filter(|t| t.overlaps(clicked, drawn))
        .map(|t| t.duration)
        .collect();
    Ok(json!({
        "compute": v["compute"],
        "drawn": drawn - clicked,
        "slices": v["slices"],
        "long": long,
        "rows": v["rows"],
        "passes": v["passes"],
    }))
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 20_000);
    let runs = arg("--runs", 5).max(1);

    let data = demo_data("zones-bench", clients)?;
    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    // Start-up's own background work (statuses, the search index, the
    // Interests, the win-backs written and synced) is done before the
    // dashboard is timed: a client committed while the dashboard computes
    // starts its pass again (counted as `passes`).
    let wait = Duration::from_secs(600);
    wait_mark(&b, "kartoteka:list-ready", wait).await?;
    wait_mark(&b, "kartoteka:derive-end", wait).await?;
    wait_mark(&b, "kartoteka:search-ready", wait).await?;
    tokio::time::sleep(Duration::from_secs(arg("--settle", 20) as u64)).await;

    let (mut computes, mut drawn, mut work, mut slice_max, mut slice_counts, mut long_max) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut rows = 0;
    let mut passes = Vec::new();
    for _ in 0..runs {
        let o = open(&b).await?;
        let slices = numbers(&o["slices"]);
        computes.push(o["compute"].as_f64().unwrap_or(f64::NAN));
        drawn.push(o["drawn"].as_f64().unwrap_or(f64::NAN));
        work.push(slices.iter().sum());
        slice_max.push(max(&slices));
        slice_counts.push(slices.len() as f64);
        long_max.push(max(&numbers(&o["long"])));
        rows = o["rows"].as_u64().unwrap_or(0);
        passes.push(o["passes"].as_u64().unwrap_or(0));
        if std::env::args().any(|a| a == "--verbose") {
            println!("  run: {o}");
        }
        // Back to the list, and let it settle.
        b.js("document.querySelector('a[href=\"/\"]').click()", vec![])
            .await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let round = |v: &[f64]| v.iter().map(|t| t.round()).collect::<Vec<_>>();
    println!(
        "open the zones dashboard, {clients} clients × 26 weeks, {rows} manager rows, {runs} opens (median; runs):"
    );
    println!(
        "  compute the series (kartoteka:zones, yields included): {:.0} ms {:?}",
        median(computes.clone()),
        round(&computes)
    );
    println!(
        "  passes done when read (more than 1: clients changed meanwhile, a pass followed): {passes:?}"
    );
    println!(
        "  work of the first pass (sum of its slices): {:.0} ms {:?}",
        median(work.clone()),
        round(&work)
    );
    println!(
        "  click to drawn (kartoteka:zones-drawn): {:.0} ms {:?}",
        median(drawn.clone()),
        round(&drawn)
    );
    println!(
        "  its slices: {:.0}, longest {:.1} ms {:?}",
        median(slice_counts),
        median(slice_max.clone()),
        round(&slice_max)
    );
    println!(
        "  longest main-thread task from the click to the paint: {:.0} ms {:?} (0 = none over 50 ms)",
        median(long_max.clone()),
        round(&long_max)
    );
    b.close().await
}
