//! Start-up benchmark (issue 2): the wasm size, the time from navigation to
//! an interactive client list — on first login (download and store the
//! base) and on a warm start from IndexedDB — the time to open a card and
//! to save one of its sections (a note), measured in headless Chromium
//! against a relay with N demo clients.
//!
//!     cargo run --release -p kartoteka-tests --bin startup_bench -- --clients 20000
//!
//! Times come from the page's own performance marks
//! (`kartoteka:list-ready`, `kartoteka:card-ready`) and the DOM (a saved
//! note drawn), so they measure the
//! app, not the WebDriver round trips.

use std::path::Path;
use std::time::Duration;

use kartoteka_tests::bench::{arg, demo_data, js_until, long_tasks, longest, median, supervisor};
use kartoteka_tests::{Browser, Relay, Result, dist_dir};
use serde_json::json;

fn wasm_sizes(dist: &Path) -> Result<(u64, u64)> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let raw = std::fs::metadata(&path)?.len();
            let gz = std::process::Command::new("gzip")
                .arg("-9")
                .arg("-c")
                .arg(&path)
                .output()?;
            return Ok((raw, gz.stdout.len() as u64));
        }
    }
    Err("no .wasm in dist/".into())
}

/// Waits for the app's performance mark `name` and returns its time on the
/// page's clock (the latest one when there are several).
async fn wait_mark(b: &Browser, name: &str) -> Result<f64> {
    let t = js_until(
        b,
        "const m = performance.getEntriesByName(arguments[0]); return m.length ? m[m.length - 1].startTime : null;",
        vec![json!(name)],
        Duration::from_secs(600),
        Duration::from_millis(20),
        name,
    )
    .await?;
    Ok(t.as_f64().unwrap_or(f64::NAN))
}

/// Every main-thread task over 50 ms so far and the app's marks, in time
/// order (for finding what a long task was).
async fn timeline(b: &Browser) -> Result<String> {
    let marks = b
        .js(
            r#"return performance.getEntriesByType('mark')
                .filter(m => m.name.startsWith('kartoteka:'))
                .map(m => [m.startTime, m.name]);"#,
            vec![],
        )
        .await?;
    let mut items: Vec<(f64, String)> = marks
        .as_array()
        .map(|marks| {
            marks
                .iter()
                .map(|m| {
                    let name = m[1].as_str().unwrap_or_default().to_owned();
                    (m[0].as_f64().unwrap_or(f64::NAN), name)
                })
                .collect()
        })
        .unwrap_or_default();
    for t in long_tasks(b).await? {
        items.push((t.start, format!("long task {:.0} ms", t.duration)));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let lines: Vec<String> = items
        .iter()
        .map(|(t, name)| format!("{t:>7.0} ms  {name}"))
        .collect();
    Ok(lines.join("\n"))
}

/// The longest main-thread task so far (ms), from the Long Tasks API.
async fn longest_task(b: &Browser) -> Result<f64> {
    Ok(longest(long_tasks(b).await?))
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 300);
    let runs = arg("--runs", 5).max(1);
    let (raw, gz) = wasm_sizes(&dist_dir())?;
    println!(
        "wasm: {raw} bytes raw, {gz} bytes gzip -9 ({})",
        dist_dir().display()
    );

    let data = demo_data("bench", clients)?;
    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    let first = wait_mark(&b, "kartoteka:list-ready").await?;
    let first_long = longest_task(&b).await?;
    println!(
        "first login, download + store + open: list interactive at {first:.0} ms after navigation (longest task {first_long:.0} ms)"
    );

    let mut warm = Vec::new();
    let mut long = Vec::new();
    let mut card = Vec::new();
    let mut save = Vec::new();
    for _ in 0..runs {
        b.reload().await?;
        warm.push(wait_mark(&b, "kartoteka:list-ready").await?);
        long.push(longest_task(&b).await?);
        let before = b
            .js("return performance.now()", vec![])
            .await?
            .as_f64()
            .unwrap_or(0.0);
        b.js(
            "document.querySelector('.client-list__canvas a.client-row:nth-child(3)').click()",
            vec![],
        )
        .await?;
        let opened = wait_mark(&b, "kartoteka:card-ready").await?;
        card.push(opened - before);
        // Save one section: a note, from the click to the note drawn (seen
        // in the DOM, so any version of the app can be timed alike).
        let text = format!("Замер сохранения {}", save.len() + 1);
        b.fill("Примечание", &text).await?;
        b.js(
            "const text = arguments[0];
            window.__saved = null;
            const obs = new MutationObserver(() => {
                if ([...document.querySelectorAll('.note__text')].some(n => n.innerText === text)) {
                    window.__saved = performance.now();
                    obs.disconnect();
                }
            });
            obs.observe(document.body, { childList: true, subtree: true, characterData: true });
            window.__clicked = performance.now();
            document.querySelector('.note-form button[type=submit]').click();",
            vec![json!(text)],
        )
        .await?;
        let saved = js_until(
            &b,
            "return window.__saved ? window.__saved - window.__clicked : null;",
            vec![],
            Duration::from_secs(60),
            Duration::from_millis(20),
            "the saved note",
        )
        .await?;
        save.push(saved.as_f64().unwrap_or(f64::NAN));
        b.goto("/").await?;
    }
    if std::env::args().any(|a| a == "--timeline") {
        wait_mark(&b, "kartoteka:list-ready").await?;
        wait_mark(&b, "kartoteka:search-ready").await?;
        println!("timeline of the last warm start:\n{}", timeline(&b).await?);
    }
    println!(
        "warm start from IndexedDB, {clients} clients: list interactive in {:.0} ms (median of {runs}; runs {:?}); longest task {:.0} ms",
        median(warm.clone()),
        warm.iter().map(|t| t.round()).collect::<Vec<_>>(),
        median(long)
    );
    println!(
        "open a card: {:.0} ms (median of {runs}; runs {:?})",
        median(card.clone()),
        card.iter().map(|t| t.round()).collect::<Vec<_>>()
    );
    println!(
        "save a card section (a note, click to drawn): {:.0} ms (median of {runs}; runs {:?})",
        median(save.clone()),
        save.iter().map(|t| t.round()).collect::<Vec<_>>()
    );

    // Search: the index build after start-up, then typing real queries
    // into the search box one key at a time.
    b.reload().await?;
    wait_mark(&b, "kartoteka:search-ready").await?;
    let build = b
        .js("const m = performance.getEntriesByName('kartoteka:search-build'); return m.length ? m[0].duration : null;", vec![])
        .await?
        .as_f64()
        .unwrap_or(f64::NAN);
    let build_long = longest_task(&b).await?;
    println!(
        "search index built in the browser in {build:.0} ms (in slices; longest task since load {build_long:.0} ms)"
    );
    // The Interests, read in the background after the index.
    wait_mark(&b, "kartoteka:sales-read").await?;
    let sales = b
        .js("const s = performance.getEntriesByName('kartoteka:sales-read-start'), e = performance.getEntriesByName('kartoteka:sales-read'); return e[0].startTime - s[0].startTime;", vec![])
        .await?
        .as_f64()
        .unwrap_or(f64::NAN);
    let sales_long = longest_task(&b).await?;
    println!(
        "the Interests read in the background after the index in {sales:.0} ms (longest task since load {sales_long:.0} ms)"
    );
    let queries = [
        "Иванов",
        "ООО Век",
        "вектр",
        "7707",
        "54",
        "8 916",
        "+7 (495) 9",
        "info@",
        "sales@al",
        "альфа стр",
        "Смирнова Анна",
        "925-0",
        "урал мет",
        "петров",
        "2364563",
    ];
    let input = b
        .client
        .find(fantoccini::Locator::Id("client-filter"))
        .await?;
    b.js("performance.clearMeasures('kartoteka:search')", vec![])
        .await?;
    let mut keystrokes = 0;
    for q in queries {
        input.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
        for ch in q.chars() {
            input.send_keys(&ch.to_string()).await?;
            keystrokes += 1;
        }
    }
    let v = b
        .js(
            "return performance.getEntriesByName('kartoteka:search').map(m => m.duration)",
            vec![],
        )
        .await?;
    let mut times: Vec<f64> = v
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
        .unwrap_or_default();
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "search per keystroke in the browser ({} queries over {keystrokes} keystrokes, {clients} clients): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        pct(0.5),
        pct(0.95),
        times.last().copied().unwrap_or(f64::NAN)
    );
    b.close().await
}
