//! Times the ABC/XYZ classes (SPEC 8): `kartoteka evaluate --classes` over
//! 100,000 generated clients (the same kind of base as `benches/evaluate.rs`)
//! and the classes alone, with the ABC×XYZ matrix and base quality, over
//! 20,000 demo clients. One thread; prints the median of several runs.
//!
//! Run with `cargo bench -p kartoteka --bench classes`; set
//! `KARTOTEKA_BENCH_CLIENTS` and `KARTOTEKA_BENCH_DEMO_CLIENTS` for other
//! base sizes.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use kartoteka::date::Date;
use kartoteka::report::classes::{ClassThresholds, Revenue, Window, classify, matrix};
use kartoteka::report::quality::{FieldSet, QualityRow, quality_report};
use kartoteka::rules::config::StatusId;
use kartoteka::rules::evaluate::{EvaluateInput, to_json_with_classes};
use kartoteka::workspace::QualitySettings;

const REPETITIONS: usize = 5;

/// SplitMix64, as in `benches/evaluate.rs`: every run times the same base.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .expect("bench dates stay in range")
}

/// One client of `benches/evaluate.rs`'s base: about two years of
/// Interests, payments (with kopecks), shipments, events, assignments.
fn write_client(out: &mut String, rng: &mut Rng, n: usize, as_of: NaiveDate) {
    let start = as_of - Days::new(730 + rng.below(60));
    let span = (as_of - start).num_days().unsigned_abs() + 20;
    let when = |rng: &mut Rng| plus(start, rng.below(span));
    let manager = |rng: &mut Rng| format!("m{}", rng.below(40));
    let _ = write!(out, r#"{{"id":"c{n}","created":"{start}""#);
    if rng.chance(90) {
        let _ = write!(out, r#","responsible":"{}""#, manager(rng));
    }
    out.push_str(r#","interests":["#);
    for i in 0..rng.below(8) {
        let created = when(rng);
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, r#"{sep}{{"id":"i{n}-{i}","created":"{created}""#);
        if rng.chance(70) {
            let completed = plus(created, rng.below(60));
            let outcome = if rng.chance(55) { "success" } else { "failure" };
            let _ = write!(out, r#","completed":"{completed}","outcome":"{outcome}""#);
        }
        out.push('}');
    }
    out.push_str(r#"],"payments":["#);
    for i in 0..rng.below(16) {
        let sep = if i == 0 { "" } else { "," };
        let amount = rng.below(10_000_000) as f64 / 100.0;
        let _ = write!(
            out,
            r#"{sep}{{"date":"{}","amount":{amount:.2}}}"#,
            when(rng)
        );
    }
    out.push_str(r#"],"shipments":["#);
    for i in 0..rng.below(16) {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(out, r#"{sep}{{"date":"{}"}}"#, when(rng));
    }
    out.push_str(r#"],"events":["#);
    for i in 0..rng.below(30) {
        let sep = if i == 0 { "" } else { "," };
        let kind = ["call", "meeting", "email", "message", "note"][rng.below(5) as usize];
        let _ = write!(out, r#"{sep}{{"date":"{}","kind":"{kind}"}}"#, when(rng));
    }
    out.push_str(r#"],"assignments":["#);
    for i in 0..rng.below(3) {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            out,
            r#"{sep}{{"date":"{}","manager":"{}"}}"#,
            when(rng),
            manager(rng)
        );
    }
    out.push_str("]}");
}

fn base(clients: usize, as_of: NaiveDate) -> String {
    let mut rng = Rng(0x4B41_5254_4F54_454B);
    let mut out = String::with_capacity(clients * 2_000);
    out.push_str(r#"{"settings":{"status_period_days":30,"zone_months":[1,5,6],"abc_percent":[80,95],"xyz_percent":[10,25]},"clients":["#);
    for n in 0..clients {
        if n > 0 {
            out.push_str(",\n");
        }
        write_client(&mut out, &mut rng, n, as_of);
    }
    out.push_str("]}\n");
    out
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

/// CPU time this thread has used (user + system), from Linux's
/// `/proc/thread-self/stat`; `None` elsewhere. The machines these benches
/// run on are shared, so wall time alone says more about the neighbours.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, in clock ticks
    // (100 a second on Linux).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn evaluate_with_classes(as_of: NaiveDate) {
    let clients = env("KARTOTEKA_BENCH_CLIENTS", 100_000);
    let input = base(clients, as_of);
    println!(
        "evaluate --classes: {clients} clients, {:.1} MB of JSON, as of {as_of}, {REPETITIONS} runs on one thread",
        input.len() as f64 / 1e6
    );
    let (mut parse, mut evaluate, mut classes, mut write) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let cpu_before = cpu_time();
    for _ in 0..REPETITIONS {
        let t0 = Instant::now();
        let parsed = EvaluateInput::parse(black_box(&input)).expect("the generated base is valid");
        let t1 = Instant::now();
        let results = parsed.evaluate(as_of).expect("the generated base is valid");
        let t2 = Instant::now();
        let c = parsed
            .classes(as_of)
            .expect("the generated amounts are valid");
        let t3 = Instant::now();
        let json = to_json_with_classes(&results, &c);
        let t4 = Instant::now();
        black_box(json.len());
        parse.push(t1 - t0);
        evaluate.push(t2 - t1);
        classes.push(t3 - t2);
        write.push(t4 - t3);
        counts.clear();
        for k in &c {
            let key = k.map_or("none".to_owned(), |k| {
                format!("{}{}", k.abc.id(), k.xyz.id())
            });
            *counts.entry(key).or_default() += 1;
        }
    }
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| (after - before) / REPETITIONS as u32);
    let (p, e, c, w) = (
        median(parse),
        median(evaluate),
        median(classes),
        median(write),
    );
    println!("  parse      {}", ms(p));
    println!("  evaluate   {}", ms(e));
    println!("  classes    {}", ms(c));
    println!("  write JSON {}", ms(w));
    println!(
        "  whole command (parse + evaluate + classes + write) {}",
        ms(p + e + c + w)
    );
    if let Some(cpu) = cpu {
        println!(
            "  whole command, CPU time of this thread per run {}",
            ms(cpu)
        );
    }
    println!("  classes: {counts:?}");
}

fn demo_classes_and_quality(as_of: NaiveDate) {
    let clients = env("KARTOTEKA_BENCH_DEMO_CLIENTS", 20_000);
    let today = Date(as_of);
    let started = Instant::now();
    let demo = kartoteka::demo::generate(clients, today, 1);
    println!(
        "demo base: {clients} clients generated in {:.1} s; {REPETITIONS} runs on one thread",
        started.elapsed().as_secs_f64()
    );
    let window = Window::before(as_of);
    let thresholds = ClassThresholds::default();
    let payments: Vec<Vec<(NaiveDate, kartoteka::client::Money)>> = demo
        .clients
        .iter()
        .map(|c| {
            c.payments
                .values()
                .map(|p| (p.date.naive(), p.amount))
                .collect()
        })
        .collect();
    let ids: Vec<String> = demo.clients.iter().map(|c| c.id.to_string()).collect();
    let managers: Vec<Option<String>> = demo
        .clients
        .iter()
        .map(|c| c.responsible().map(|m| m.to_string()))
        .collect();
    let (mut revenue, mut abc, mut mtx) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..REPETITIONS {
        let t0 = Instant::now();
        let revenues: Vec<(&str, Revenue)> = ids
            .iter()
            .zip(&payments)
            .map(|(id, p)| {
                let r = Revenue::of(window, p.iter().copied()).expect("demo amounts are positive");
                (id.as_str(), r)
            })
            .collect();
        let t1 = Instant::now();
        let classes = classify(black_box(&revenues), &thresholds);
        let t2 = Instant::now();
        let report = matrix(
            managers
                .iter()
                .zip(&classes)
                .zip(&revenues)
                .map(|((m, c), (_, r))| (m.as_deref(), *c, r)),
        );
        let t3 = Instant::now();
        black_box(report.overall.total());
        revenue.push(t1 - t0);
        abc.push(t2 - t1);
        mtx.push(t3 - t2);
    }
    let (r, a, m) = (median(revenue), median(abc), median(mtx));
    println!("  revenue by month from (date, amount) pairs {}", ms(r));
    println!("  ABC + XYZ                                  {}", ms(a));
    println!("  ABC×XYZ matrix, overall and per manager    {}", ms(m));
    println!(
        "  together                                   {}",
        ms(r + a + m)
    );

    // Base quality: the filled fields of each card (done once per card
    // edit in the app), then the report.
    let settings = QualitySettings::default();
    let statuses: Vec<StatusId> = (0..demo.clients.len())
        .map(|i| {
            StatusId::new(
                [
                    StatusId::NEW,
                    StatusId::IN_PROGRESS,
                    StatusId::ACTIVE,
                    StatusId::LOST,
                ][i % 4],
            )
        })
        .collect();
    let (mut filled_t, mut report_t) = (Vec::new(), Vec::new());
    let mut incomplete = 0;
    for _ in 0..REPETITIONS {
        let t0 = Instant::now();
        let filled: Vec<FieldSet> = demo.clients.iter().map(FieldSet::filled).collect();
        let t1 = Instant::now();
        let report = quality_report(
            demo.clients
                .iter()
                .zip(&statuses)
                .zip(&filled)
                .map(|((c, s), f)| QualityRow {
                    client: &c.id,
                    status: s,
                    manager: c.responsible(),
                    filled: *f,
                }),
            |s| settings.required_for(s),
        );
        let t2 = Instant::now();
        incomplete = report.incomplete.len();
        filled_t.push(t1 - t0);
        report_t.push(t2 - t1);
    }
    println!(
        "  quality: filled fields of every card {}",
        ms(median(filled_t))
    );
    println!(
        "  quality: report ({incomplete} incomplete cards) {}",
        ms(median(report_t))
    );
}

fn main() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date");
    evaluate_with_classes(as_of);
    demo_classes_and_quality(as_of);
}
