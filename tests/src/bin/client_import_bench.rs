//! Client import benchmark in the app (issue 14): a company's base of
//! `--import` clients with two contact persons each (5,000 and 10,000 by
//! default), previewed and written in headless Chromium by a supervisor,
//! against a relay with `--clients` demo clients.
//!
//!     cargo run --release -p kartoteka-tests --bin client_import_bench -- --clients 300 --import 5000
//!
//! Times come from the page's own measures: `kartoteka:client-import-preview`
//! (reading the file, mapping, validating, grouping and matching against
//! the whole base on the device) and `kartoteka:client-import-write` (every
//! new or joined client written to IndexedDB). Peak memory is not measured
//! here: Chromium's `performance.memory` is coarse and leaves out the
//! wasm heap.

use std::time::{Duration, Instant};

use kartoteka_tests::bench::{arg, demo_data, js_until, supervisor};
use kartoteka_tests::{Relay, Result, clients_csv};
use serde_json::json;

/// Waits for measure `name` and returns its duration in ms.
async fn measure(b: &kartoteka_tests::Browser, name: &str) -> Result<f64> {
    let v = js_until(
        b,
        "const m = performance.getEntriesByName(arguments[0]); return m.length ? m[m.length - 1].duration : null;",
        vec![json!(name)],
        Duration::from_secs(1200),
        Duration::from_millis(100),
        name,
    )
    .await?;
    Ok(v.as_f64().unwrap_or(f64::NAN))
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 300);
    let import = arg("--import", 5_000);
    let data = demo_data("client-import-bench", clients)?;
    let file = data.path().join("clients.csv");
    std::fs::write(&file, clients_csv(import, import))?;
    println!(
        "file: {import} clients, {} contact persons, {:.1} MB; {clients} demo clients on the relay",
        import * 2,
        std::fs::metadata(&file)?.len() as f64 / 1e6
    );

    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    b.wait_text("Все статусы (").await?;
    b.goto("/import/clients").await?;
    b.wait_text("Файл CSV или Excel").await?;
    let started = Instant::now();
    b.press_on("client-import-file", &file.display().to_string())
        .await?;
    let preview = measure(&b, "kartoteka:client-import-preview").await?;
    let shown = started.elapsed();
    let summary = b.inner_text("[data-testid=client-import-summary]").await?;
    println!("the preview says:\n{summary}");

    let clicked = b
        .js(
            "const b = [...document.querySelectorAll('button')]
                .find(x => x.innerText.trim().startsWith('Импортировать клиентов'));
            if (!b) return false;
            b.click();
            return true;",
            vec![],
        )
        .await?;
    if clicked.as_bool() != Some(true) {
        return Err("no button to import the clients".into());
    }
    let started = Instant::now();
    let write = measure(&b, "kartoteka:client-import-write").await?;
    let written = started.elapsed();
    b.wait_text("Импорт завершён").await?;
    println!(
        "client import in the app, {import} clients with {} contacts:",
        import * 2
    );
    println!(
        "  preview (kartoteka:client-import-preview): {preview:.0} ms; {:.1} s from choosing the file as WebDriver saw it",
        shown.as_secs_f64()
    );
    println!(
        "  write (kartoteka:client-import-write): {write:.0} ms; {:.1} s from the click as WebDriver saw it",
        written.as_secs_f64()
    );
    b.close().await
}
