//! Import benchmark (issue 6): an accounting CSV of 100,000 payment rows in
//! Windows-1251, previewed in headless Chromium against a relay with N demo
//! clients (goal: the preview in under 2 seconds).
//!
//!     cargo run --release -p kartoteka-tests --bin import_bench -- --clients 20000 --rows 100000 --runs 3
//!
//! The file is made from the same demo base the relay holds (same seed):
//! most rows name a client by INN, some by name only, some a client that is
//! not in the base, some repeat a document, some have a bad date. Times come
//! from the page: `kartoteka:import-preview` is decoding, parsing and
//! matching; "shown" is from the file input's `change` event (reading the
//! file included) to the preview's summary in the DOM.

use std::fmt::Write as _;
use std::time::Instant;

use kartoteka::date::{Date, Timestamp};
use kartoteka_tests::bench::{arg, demo_data, median, supervisor};
use kartoteka_tests::{Relay, Result};

/// The CSV text: `rows` payment rows about the demo base's clients.
fn csv(clients: usize, rows: usize) -> String {
    let today = Date::of_instant(Timestamp(chrono::Utc::now().timestamp_millis()), 180);
    let demo = kartoteka::demo::generate(clients, today, 1);
    let base: Vec<(String, String)> = demo
        .clients
        .iter()
        .map(|c| (c.card.inn.clone(), c.card.name.clone()))
        .collect();
    let mut out = String::from("ИНН;Контрагент;Дата;Сумма;Номер документа\r\n");
    for i in 0..rows {
        // Every 25th row repeats the previous row's client and document.
        let repeat = i % 25 == 24;
        let at = if repeat { i - 1 } else { i };
        let (inn, name) = &base[(at * 7919) % base.len()];
        let day = 1 + at % 28;
        let month = 1 + (at / 28) % 12;
        let (inn, name, date) = match at % 20 {
            // A client that is not in the base.
            0 => (
                "500100732259".to_owned(),
                format!("ИП Неизвестный {i}"),
                format!("{day:02}.{month:02}.2026"),
            ),
            // By name only.
            1 | 2 => (
                String::new(),
                name.clone(),
                format!("{day:02}.{month:02}.2026"),
            ),
            // A date that does not exist.
            3 => (inn.clone(), name.clone(), "31.02.2026".to_owned()),
            _ => (
                inn.clone(),
                name.clone(),
                format!("{day:02}.{month:02}.2026"),
            ),
        };
        let doc = at;
        let _ = write!(
            out,
            "{inn};\"{}\";{date};{} {:03},{:02};П-{doc}\r\n",
            name.replace('"', "\"\""),
            1 + at % 900,
            at % 1000,
            at % 100
        );
    }
    out
}

#[tokio::main]
async fn main() -> Result {
    let clients = arg("--clients", 20_000);
    let rows = arg("--rows", 100_000);
    let runs = arg("--runs", 3).max(1);

    let data = demo_data("import-bench", clients)?;
    let text = csv(clients, rows);
    let bytes = kartoteka::import::encode_windows_1251(&text)
        .map_err(|c| format!("{c:?} has no Windows-1251 byte"))?;
    let file = data.path().join("payments.csv");
    std::fs::write(&file, &bytes)?;
    println!(
        "file: {rows} rows, {:.1} MB in Windows-1251; {clients} demo clients",
        bytes.len() as f64 / 1e6
    );

    let relay = Relay::start(data.path(), 0).await?;
    let b = supervisor(&relay).await?;
    b.wait_text("Все статусы (").await?;
    b.click("Импорт").await?;
    b.wait_text("Импорт оплат и отгрузок").await?;

    let (mut previews, mut shown) = (Vec::new(), Vec::new());
    for run in 0..runs {
        b.js(
            r#"const input = document.getElementById('import-file');
            input.value = '';
            performance.clearMeasures('kartoteka:import-preview');
            window.__changed = null; window.__shown = null;
            input.addEventListener('change', () => { window.__changed = performance.now(); }, { capture: true, once: true });
            const obs = new MutationObserver(() => {
                if (document.querySelector('[data-testid=import-summary]')) {
                    window.__shown = performance.now();
                    obs.disconnect();
                }
            });
            obs.observe(document.body, { childList: true, subtree: true });"#,
            vec![],
        )
        .await?;
        let started = Instant::now();
        b.press_on("import-file", &file.display().to_string())
            .await?;
        let v = loop {
            let v = b
                .js(
                    r#"const m = performance.getEntriesByName('kartoteka:import-preview');
                    return (m.length && window.__shown) ? [m[0].duration, window.__shown - window.__changed,
                        document.querySelector('[data-testid=import-summary]').innerText] : null;"#,
                    vec![],
                )
                .await?;
            if !v.is_null() {
                break v;
            }
            if started.elapsed().as_secs() > 120 {
                return Err("the preview never showed".into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        let (p, s) = (
            v[0].as_f64().unwrap_or(f64::NAN),
            v[1].as_f64().unwrap_or(f64::NAN),
        );
        if run == 0 {
            println!("the preview says:\n{}", v[2].as_str().unwrap_or_default());
        }
        println!(
            "  run {}: preview {p:.0} ms, shown {s:.0} ms after the file was chosen",
            run + 1
        );
        previews.push(p);
        shown.push(s);
    }
    println!("CSV import of {rows} rows against {clients} clients, {runs} runs (median):");
    println!(
        "  decode, parse, match (kartoteka:import-preview): {:.0} ms",
        median(previews)
    );
    println!(
        "  from choosing the file to the preview on screen: {:.0} ms",
        median(shown)
    );
    b.close().await
}
