//! Times `kartoteka evaluate`'s engine on a large base: 100,000 clients with
//! two years of facts each, written as SPEC 10 JSON, then parsed and
//! evaluated on one thread. Prints the median of several runs.
//!
//! Run with `cargo bench -p kartoteka --bench evaluate`; set
//! `KARTOTEKA_BENCH_CLIENTS` for another base size.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use kartoteka::rules::evaluate::{EvaluateInput, Evaluated, to_json};

const REPETITIONS: usize = 5;

/// SplitMix64: a tiny deterministic generator, so every run times the same
/// base.
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
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .expect("bench dates stay in range")
}

/// One client's JSON: created about two years before `as_of`, with
/// Interests, payments, shipments, calls and meetings spread over that time
/// (a few dated after `as_of`, which evaluation must ignore), reassignments,
/// the odd move to a pool and the odd manual status.
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
        let date = when(rng);
        if rng.chance(10) {
            let _ = write!(out, r#"{sep}{{"date":"{date}","manager":null}}"#);
        } else {
            let _ = write!(
                out,
                r#"{sep}{{"date":"{date}","manager":"{}"}}"#,
                manager(rng)
            );
        }
    }
    out.push_str(r#"],"manual_statuses":["#);
    if rng.chance(5) {
        let status = ["alien", "non_target", "liquidated"][rng.below(3) as usize];
        let _ = write!(out, r#"{{"date":"{}","status":"{status}"}}"#, when(rng));
    }
    out.push_str("]}");
}

fn base(clients: usize, as_of: NaiveDate) -> String {
    let mut rng = Rng(0x4B41_5254_4F54_454B);
    let mut out = String::with_capacity(clients * 2_000);
    out.push_str(r#"{"settings":{"status_period_days":30,"zone_months":[1,5,6]},"clients":["#);
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

fn main() {
    let clients = std::env::var("KARTOTEKA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date");
    let input = base(clients, as_of);
    println!(
        "evaluate: {clients} clients, {:.1} MB of JSON, as of {as_of}, {REPETITIONS} runs on one thread",
        input.len() as f64 / 1e6
    );

    let (mut parse, mut evaluate, mut write) = (Vec::new(), Vec::new(), Vec::new());
    let mut last: Vec<Evaluated> = Vec::new();
    for _ in 0..REPETITIONS {
        let t0 = Instant::now();
        let parsed = EvaluateInput::parse(black_box(&input)).expect("the generated base is valid");
        let t1 = Instant::now();
        let results = parsed.evaluate(as_of).expect("the generated base is valid");
        let t2 = Instant::now();
        let json = to_json(&results);
        let t3 = Instant::now();
        black_box(json.len());
        parse.push(t1 - t0);
        evaluate.push(t2 - t1);
        write.push(t3 - t2);
        last = results;
    }
    let (p, e, w) = (median(parse), median(evaluate), median(write));
    println!("  parse      {}", ms(p));
    println!("  evaluate   {}", ms(e));
    println!("  parse + evaluate {}", ms(p + e));
    println!("  write JSON {}", ms(w));

    // What the base looks like, so that a change in the generator or the
    // engine shows up next to the numbers.
    let mut statuses = std::collections::BTreeMap::<String, usize>::new();
    let mut zones = std::collections::BTreeMap::<String, usize>::new();
    for r in &last {
        let status = r.status.as_ref().map_or("-", |s| s.as_str());
        *statuses.entry(status.to_owned()).or_default() += 1;
        let zone = r.zone.map_or("none", |z| z.id());
        *zones.entry(zone.to_owned()).or_default() += 1;
    }
    println!("  statuses: {statuses:?}");
    println!("  zones:    {zones:?}");
}
