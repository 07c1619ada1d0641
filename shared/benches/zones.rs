//! Times the supervisor dashboard's zones series (SPEC 6, 10): 20,000 demo
//! clients over 26 weekly dates, one walk per client, against the
//! straightforward way of evaluating every client's zone on every date.
//! Prints the median of several runs.
//!
//! Run with `cargo bench -p kartoteka --bench zones`; set
//! `KARTOTEKA_BENCH_CLIENTS` for another base size.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kartoteka::date::Date;
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::dashboard::{weekly_dates, zone_series};
use kartoteka::rules::facts::ClientFacts;
use kartoteka::rules::zone::zone;

const REPETITIONS: usize = 7;
const WEEKS: u32 = 26;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..REPETITIONS)
            .map(|_| {
                let start = Instant::now();
                black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let clients: usize = std::env::var("KARTOTEKA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let today = Date::from_ymd(2026, 11, 22).expect("a valid date");
    let facts: Vec<ClientFacts> = kartoteka::demo::generate(clients, today, 1)
        .clients
        .iter()
        .map(|c| c.facts())
        .collect();
    let dates = weekly_dates(today.naive(), WEEKS).expect("26 weeks fit the calendar");
    let t = ZoneThresholds::default();

    let series = time(|| zone_series(&facts, t, &dates));
    let one_date = time(|| zone_series(&facts, t, &dates[dates.len() - 1..]));
    let activities: usize = facts
        .iter()
        .map(|f| {
            f.events.len()
                + f.assignments.len()
                + f.interests
                    .iter()
                    .map(|i| 2 + i.activity.len())
                    .sum::<usize>()
        })
        .sum();
    let per_date = time(|| {
        let mut counted = 0usize;
        for f in &facts {
            for &d in &dates {
                counted += usize::from(zone(f, t, d).and_then(|r| r.zone).is_some());
            }
        }
        counted
    });
    println!(
        "zones series, {clients} clients x {WEEKS} weeks: {:.1} ms (one walk per client); \
         {:.1} ms evaluating every date apart; {:.1} ms for the last date alone \
         ({activities} activity days in all)",
        series.as_secs_f64() * 1e3,
        per_date.as_secs_f64() * 1e3,
        one_date.as_secs_f64() * 1e3,
    );
}
