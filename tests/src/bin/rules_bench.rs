//! Status benchmark (issue 5): recomputing every client's derived status
//! and zone in the browser, as the app does on each start, when the rules
//! change and when the date changes — measured in headless Chromium against
//! a relay with N demo clients (goal for 20,000: under 200 ms, no
//! main-thread task over 50 ms).
//!
//!     cargo run --release -p kartoteka-tests --bin rules_bench -- --clients 20000 --runs 5
//!
//! Times come from the page's own performance marks: `kartoteka:derive`
//! (from the start of the pass to the new state being published, yields
//! included) and `kartoteka:derive-slice` (each slice of work between two
//! yields); long tasks are those the Long Tasks API saw during the pass.

use std::time::Duration;

use kartoteka_tests::bench::{arg, demo_data, js_until, long_tasks, median, supervisor};
use kartoteka_tests::{Browser, Relay, Result};
use serde_json::{Value, json};

/// Waits for the pass of the current page load and reads it: the pass's
/// duration, its slices, and the long tasks that overlapped it.
async fn pass(b: &Browser) -> Result<Value> {
    let pass = js_until(
        b,
        r#"const m = performance.getEntriesByName('kartoteka:derive');
        if (!m.length) return null;
        const pass = m[m.length - 1];
        const slices = performance.getEntriesByName('kartoteka:derive-slice')
            .filter(s => s.startTime >= pass.startTime && s.startTime <= pass.startTime + pass.duration)
            .map(s => s.duration);
        return { start: pass.startTime, wall: pass.duration, slices };"#,
        vec![],
        Duration::from_secs(600),
        Duration::from_millis(50),
        "the derived statuses",
    )
    .await?;
    let start = pass["start"].as_f64().unwrap_or(f64::NAN);
    let end = start + pass["wall"].as_f64().unwrap_or(f64::NAN);
    let overlapping: Vec<_> = long_tasks(b)
        .await?
        .into_iter()
        .filter(|t| t.overlaps(start, end))
        .collect();
    let long: Vec<f64> = overlapping.iter().map(|t| t.duration).collect();
    let at: Vec<String> = overlapping
        .iter()
        .map(|t| format!("{:.0} ms: {:.0} ms", t.start - start, t.duration))
        .collect();
    Ok(json!({ "wall": pass["wall"], "slices": pass["slices"], "long": long, "at": at }))
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

    let data = demo_data("rules-bench", clients)?;
    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    let first = pass(&b).await?;
    println!(
        "first login: {} clients' statuses and zones in {:.0} ms",
        clients,
        first["wall"].as_f64().unwrap_or(f64::NAN)
    );
    // Let the win-backs of the first pass be written before measuring.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let shown = b
        .js(
            "const s = document.getElementById('status-filter'); return s ? s.options[0].text : '';",
            vec![],
        )
        .await?;
    println!(
        "the list's status filter counts: {}",
        shown.as_str().unwrap_or_default()
    );

    let (mut walls, mut computes, mut slices_max, mut long_max) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut slice_counts = Vec::new();
    for _ in 0..runs {
        b.reload().await?;
        let p = pass(&b).await?;
        let slices = numbers(&p["slices"]);
        walls.push(p["wall"].as_f64().unwrap_or(f64::NAN));
        computes.push(slices.iter().sum());
        slices_max.push(max(&slices));
        slice_counts.push(slices.len() as f64);
        long_max.push(max(&numbers(&p["long"])));
        if std::env::args().any(|a| a == "--verbose") {
            println!("  run: {p}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    let round = |v: &[f64]| v.iter().map(|t| t.round()).collect::<Vec<_>>();
    println!(
        "recompute every status and zone, {clients} clients, {runs} warm starts (median; runs):"
    );
    println!(
        "  whole pass, yields included: {:.0} ms {:?}",
        median(walls.clone()),
        round(&walls)
    );
    println!(
        "  work (sum of slices):        {:.0} ms {:?}",
        median(computes.clone()),
        round(&computes)
    );
    println!(
        "  slices: {:.0}, longest {:.1} ms {:?}",
        median(slice_counts),
        median(slices_max.clone()),
        round(&slices_max)
    );
    println!(
        "  longest main-thread task during the pass: {:.0} ms {:?} (0 = none over 50 ms)",
        median(long_max.clone()),
        round(&long_max)
    );
    b.close().await
}
