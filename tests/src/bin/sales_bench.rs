//! "My sales" benchmark (issue 6): the board with thousands of Interests
//! in one scenario — how long it takes to open, and to re-render after an
//! Interest is moved — measured in headless Chromium against a relay with
//! N demo clients, as the supervisor who sees everybody's Interests with
//! every ended one shown.
//!
//!     cargo run --release -p kartoteka-tests --bin sales_bench -- --clients 1000 --runs 5
//!
//! Times come from the page's own performance marks: opening is from the
//! click on "Мои продажи" to `kartoteka:board-rendered` (the frame after
//! the board was built); a move is from `kartoteka:move-start` (the key
//! press handled) to the next `kartoteka:board-rendered`, the document
//! saved to IndexedDB in between. Long tasks are those the Long Tasks API
//! saw in the same span.

use std::time::Duration;

use kartoteka_tests::bench::{arg, demo_data, js_until, long_tasks, longest, median, supervisor};
use kartoteka_tests::{Browser, Relay, Result};
use serde_json::{Value, json};

/// Waits for a `kartoteka:board-rendered` mark after `since` (ms on the
/// page's clock) and returns the span from `since` to it, with the
/// longest task that overlapped it.
async fn rendered_after(b: &Browser, since: f64) -> Result<(f64, f64)> {
    let end = js_until(
        b,
        r#"const m = performance.getEntriesByName('kartoteka:board-rendered').filter(e => e.startTime > arguments[0]);
        return m.length ? m[0].startTime : null;"#,
        vec![json!(since)],
        Duration::from_secs(60),
        Duration::from_millis(30),
        "the board's rendering",
    )
    .await?
    .as_f64()
    .unwrap_or(f64::NAN);
    let worst = longest(
        long_tasks(b)
            .await?
            .into_iter()
            .filter(|t| t.overlaps(since, end)),
    );
    Ok((end - since, worst))
}

async fn now(b: &Browser) -> Result<f64> {
    Ok(b.js("return performance.now()", vec![])
        .await?
        .as_f64()
        .unwrap_or(0.0))
}

/// The board's cards shown and the Interests counted in its columns.
async fn board_size(b: &Browser) -> Result<(u64, u64)> {
    let v: Value = b
        .js(
            r#"const counts = [...document.querySelectorAll('[data-testid=column-count]')].map(e => +e.innerText);
            return [document.querySelectorAll('[data-testid=deal]').length, counts.reduce((a, n) => a + n, 0)];"#,
            vec![],
        )
        .await?;
    Ok((v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0)))
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 1_000);
    let runs = arg("--runs", 5).max(1);

    let data = demo_data("sales-bench", clients)?;
    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    b.wait_text("Все статусы (").await?;

    let (mut opens, mut open_long, mut moves, mut move_long) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut computes = Vec::new();
    let mut reads = Vec::new();
    for run in 0..runs {
        b.goto("/").await?;
        b.wait_text("Все статусы (").await?;
        let t0 = now(&b).await?;
        b.click("Мои продажи").await?;
        let (open, long) = rendered_after(&b, t0).await?;
        // Every ended Interest too: the whole scenario on one board.
        let t1 = now(&b).await?;
        b.js(
            "const c = document.getElementById('sales-all-ended'); c.checked = true; c.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await?;
        let (all, all_long) = rendered_after(&b, t1).await?;
        let (cards, interests) = board_size(&b).await?;
        let compute = b
            .js(
                "const m = performance.getEntriesByName('kartoteka:board-compute'); return m.length ? m[m.length - 1].duration : null;",
                vec![],
            )
            .await?
            .as_f64()
            .unwrap_or(f64::NAN);
        computes.push(compute);
        // Reading the Interests (kept apart from what start-up reads).
        let read = b
            .js(
                "const s = performance.getEntriesByName('kartoteka:sales-read-start'), e = performance.getEntriesByName('kartoteka:sales-read'); return s.length && e.length ? e[e.length - 1].startTime - s[s.length - 1].startTime : null;",
                vec![],
            )
            .await?
            .as_f64()
            .unwrap_or(f64::NAN);
        reads.push(read);
        eprintln!(
            "  run {}: board open in {open:.0} ms, the Interests read in {read:.0} ms",
            run + 1
        );
        if run == 0 {
            println!(
                "the board: {interests} Interests of the lead scenario, {cards} cards drawn (30 a column until \"show more\")"
            );
        }
        opens.push(open.max(all));
        open_long.push(long.max(all_long));

        // Move the first card of "Новый" one state on, by the keyboard.
        let id = b
            .js(
                "const c = document.querySelector('[data-state=new] [data-testid=deal]'); return c ? c.id : null;",
                vec![],
            )
            .await?;
        let id = id.as_str().ok_or("no Interest in «Новый»")?.to_owned();
        let t2 = now(&b).await?;
        b.press_on(&id, "\u{E014}").await?;
        let moved_at = loop {
            let v = b
                .js(
                    "const m = performance.getEntriesByName('kartoteka:move-start').filter(e => e.startTime > arguments[0]); return m.length ? m[0].startTime : null;",
                    vec![json!(t2)],
                )
                .await?;
            if let Some(t) = v.as_f64() {
                break t;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let (moved, long) = rendered_after(&b, moved_at).await?;
        moves.push(moved);
        move_long.push(long);
        println!(
            "  run {}: open {open:.0} ms, all ended shown {all:.0} ms, move {moved:.0} ms, longest task {:.0} ms",
            run + 1,
            long.max(all_long)
        );
    }
    println!("\"My sales\" with {clients} demo clients, {runs} runs (median):");
    println!("  open the board:             {:.0} ms", median(opens));
    println!("  longest task while opening: {:.0} ms", median(open_long));
    println!(
        "  of which reading the Interests from IndexedDB (first sales page of a session): {:.0} ms",
        median(reads)
    );
    println!(
        "  of which laying out every Interest by state (kartoteka:board-compute): {:.1} ms",
        median(computes)
    );
    println!(
        "  move one Interest (saved, board re-rendered): {:.0} ms",
        median(moves)
    );
    println!("  longest task during a move: {:.0} ms", median(move_long));
    b.close().await
}
