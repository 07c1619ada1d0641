//! Times the import preview of a large accounting export: 100,000 payment
//! rows against a directory of 20,000 demo clients, read from UTF-8 and
//! from Windows-1251 bytes. The rows are a realistic mix: ~60 % found by
//! INN (some written as Excel's `="…"`), ~15 % by name only (quotes and
//! legal forms written every usual way; mostly names no other demo client
//! has, as the demo repeats names far more than a real base), ~10 % unknown clients, ~5 %
//! repeated rows, ~5 % documents the clients already hold, ~3 % broken
//! dates or amounts, ~2 % total and blank lines. Dates and amounts come in
//! all the forms the import reads. Prints the median and the best of
//! several runs.
//!
//! Run with `cargo bench -p kartoteka --bench import`; set
//! `KARTOTEKA_BENCH_ROWS` / `KARTOTEKA_BENCH_CLIENTS` for other sizes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{UserId, new_id};
use kartoteka::import::{
    ClientDirectory, FactKind, Preview, decode, encode_windows_1251, facts_by_client, preview,
};
use kartoteka::summary::ClientSummary;

const REPETITIONS: usize = 9;

/// SplitMix64: a tiny deterministic generator, so every run times the same
/// file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` in 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn date(rng: &mut Rng) -> String {
    let (y, m, d) = (2024 + rng.below(2), 1 + rng.below(12), 1 + rng.below(28));
    match rng.below(5) {
        0 => format!("{d:02}.{m:02}.{y}"),
        1 => format!("{d}.{m}.{y}"),
        2 => format!("{d:02}.{m:02}.{}", y % 100),
        3 => format!("{y}-{m:02}-{d:02}"),
        _ => format!("{d:02}.{m:02}.{y} 0:00:00"),
    }
}

fn amount(rng: &mut Rng) -> String {
    let roubles = 100 + rng.below(5_000_000);
    let kopecks = rng.below(100);
    let grouped = |sep: &str| {
        let digits = roubles.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    };
    match rng.below(6) {
        0 => format!("{roubles}.{kopecks:02}"),
        1 => format!("{roubles},{kopecks:02}"),
        2 => format!("\"{},{kopecks:02}\"", grouped(" ")),
        3 => format!("{},{kopecks:02}", grouped("\u{A0}")),
        4 => format!("{} руб.", grouped(" ")),
        _ => format!("{roubles}"),
    }
}

/// A client's name as an accounting system may write it.
fn written_name(rng: &mut Rng, client: &ClientSummary) -> String {
    let name = match rng.below(4) {
        0 => client.display_name(),
        1 => format!("{} \"{}\"", client.legal_form, client.name),
        2 => client.name.to_uppercase(),
        _ => client.name.clone(),
    };
    // Quotes inside a cell are doubled in a quoted cell.
    format!("\"{}\"", name.trim().replace('"', "\"\""))
}

/// Roughly how the import compares names: words in lower case, `ё` as
/// `е`, legal forms dropped.
fn rough_key(name: &str) -> String {
    name.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !["ооо", "ао", "пао", "зао", "ип"].contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn file(rows: usize, clients: &[ClientSummary], rng: &mut Rng) -> String {
    let with_inn: Vec<&ClientSummary> = clients.iter().filter(|c| !c.inn.is_empty()).collect();
    // The demo makes company names from a few roots and tails, so many
    // clients share a name; a real base has far fewer such pairs. Rows
    // found by name are mostly of clients whose name is their own.
    let mut named: HashMap<String, usize> = HashMap::new();
    for c in clients {
        *named.entry(rough_key(&c.name)).or_default() += 1;
    }
    let unique: Vec<&ClientSummary> = clients
        .iter()
        .filter(|c| named[&rough_key(&c.name)] == 1)
        .collect();
    let with_documents: Vec<&ClientSummary> = clients
        .iter()
        .filter(|c| !c.payment_documents.is_empty())
        .collect();
    let mut out = String::from("ИНН;Контрагент;Дата оплаты;Сумма;Номер документа\r\n");
    let mut lines: Vec<String> = Vec::with_capacity(rows);
    for n in 0..rows {
        let document = format!("БП-{n:06}");
        let line = match rng.below(100) {
            0..60 => {
                let c = rng.pick(&with_inn);
                let inn = if rng.chance(5) {
                    format!("\"=\"\"{}\"\"\"", c.inn)
                } else {
                    c.inn.clone()
                };
                let name = if rng.chance(50) {
                    written_name(rng, c)
                } else {
                    String::new()
                };
                format!("{inn};{name};{};{};{document}", date(rng), amount(rng))
            }
            60..75 => {
                let c = if rng.chance(85) && !unique.is_empty() {
                    rng.pick(&unique)
                } else {
                    rng.pick(clients)
                };
                let name = written_name(rng, c);
                format!(";{name};{};{};{document}", date(rng), amount(rng))
            }
            75..85 => format!(
                "77{:08};ООО \"Неизвестный {}\";{};{};{document}",
                rng.below(100_000_000),
                rng.below(1_000_000),
                date(rng),
                amount(rng)
            ),
            85..90 if !lines.is_empty() => lines[rng.below(lines.len())].clone(),
            85..95 if !with_documents.is_empty() => {
                let c = rng.pick(&with_documents);
                let held = rng.pick(&c.payment_documents);
                format!("{};;{};{};{held}", c.inn, date(rng), amount(rng))
            }
            95..98 => {
                let c = rng.pick(&with_inn);
                if rng.chance(50) {
                    format!("{};;31.02.2025;{};{document}", c.inn, amount(rng))
                } else {
                    format!("{};;{};-{};{document}", c.inn, date(rng), amount(rng))
                }
            }
            98 => "Итого;;;1 000 000,00;".to_owned(),
            _ => String::new(),
        };
        lines.push(line);
    }
    for line in lines {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

/// The file in Windows-1251; the few characters the code page lacks (none
/// in the demo names, but cheap to be sure) become `?`.
fn in_1251(text: &str) -> Vec<u8> {
    let mut text = text.to_owned();
    loop {
        match encode_windows_1251(&text) {
            Ok(bytes) => return bytes,
            Err(c) => text = text.replace(c, "?"),
        }
    }
}

/// The median and the best of several runs.
#[derive(Clone, Copy)]
struct Timing {
    median: Duration,
    best: Duration,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (best {})", ms(self.median), ms(self.best))
    }
}

/// Runs `f` [`REPETITIONS`] times. The best run is printed beside the
/// median: on a machine shared with other builds it is the better estimate
/// of the code's own cost.
fn time<T>(mut f: impl FnMut() -> T) -> (Timing, T) {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..REPETITIONS {
        let start = Instant::now();
        let out = black_box(f());
        runs.push(start.elapsed());
        // The previous result is dropped here, outside the timed part.
        last = Some(out);
    }
    runs.sort_unstable();
    let timing = Timing {
        median: runs[runs.len() / 2],
        best: runs[0],
    };
    (timing, last.expect("at least one run"))
}

fn describe(p: &Preview) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "{} rows: {} to add, {} unknown, {} ambiguous, {} already, {} errors, {} totals",
        p.total_rows,
        p.to_add.len(),
        p.unknown.len(),
        p.ambiguous.len(),
        p.already.len(),
        p.errors.len(),
        p.totals.len()
    );
    s
}

fn main() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (rows, clients) = (
        env("KARTOTEKA_BENCH_ROWS", 100_000),
        env("KARTOTEKA_BENCH_CLIENTS", 20_000),
    );
    let today = Date::from_ymd(2026, 11, 28).expect("a real date");
    let start = Instant::now();
    let demo = kartoteka::demo::generate(clients, today, 7);
    let summaries: Vec<ClientSummary> = demo.clients.iter().map(ClientSummary::of).collect();
    println!(
        "base: {} demo clients ({} with an INN, {} with payment documents), generated in {}",
        summaries.len(),
        summaries.iter().filter(|c| !c.inn.is_empty()).count(),
        summaries
            .iter()
            .filter(|c| !c.payment_documents.is_empty())
            .count(),
        ms(start.elapsed())
    );

    let (build, directory) = time(|| ClientDirectory::from_summaries(&summaries));
    println!("directory of {} clients: {build}", directory.len());

    let mut rng = Rng(0x1C_0001);
    let text = file(rows, &summaries, &mut rng);
    let cp1251 = in_1251(&text);
    println!(
        "file: {rows} rows, {:.1} MB in UTF-8, {:.1} MB in Windows-1251",
        text.len() as f64 / 1e6,
        cp1251.len() as f64 / 1e6
    );

    for (label, bytes) in [("UTF-8", text.as_bytes()), ("Windows-1251", &cp1251[..])] {
        let (decoding, _) = time(|| decode(bytes));
        let (took, p) = time(|| preview(bytes, FactKind::Payment, &directory));
        let p = p.expect("the bench file is readable");
        println!(
            "read + preview, {label}: {took}; decoding alone {decoding}\n  {}",
            describe(&p)
        );
        let user = UserId::random();
        let (facts, groups) = time(|| facts_by_client(&p, &user, Timestamp(0), new_id));
        println!(
            "  facts_by_client for the {} rows to add, {} clients, ids from ids::new_id: {facts}",
            p.to_add.len(),
            groups.len()
        );
    }
}
