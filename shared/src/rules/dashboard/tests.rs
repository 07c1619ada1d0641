//! The dashboard's weekly series against SPEC 6 evaluated date by date.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{Datelike, Months};
use proptest::prelude::*;

use super::*;
use crate::rules::facts::{AssignmentFact, InterestFact};
use crate::rules::zone::{ZoneReport, zone};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn client(created: &str, manager: Option<&str>) -> ClientFacts {
    let mut f = ClientFacts::new(d(created));
    f.assignments.push(AssignmentFact {
        date: d(created),
        manager: manager.map(str::to_owned),
    });
    f
}

#[test]
fn the_dates_are_the_as_of_date_and_the_weeks_before_it_oldest_first() {
    let dates = weekly_dates(d("2026-11-22"), 26).unwrap();
    assert_eq!(dates.len(), 26);
    assert_eq!(dates[0], d("2026-05-31"));
    assert_eq!(dates[25], d("2026-11-22"));
    assert!(dates.windows(2).all(|w| (w[1] - w[0]).num_days() == 7));
    assert_eq!(weekly_dates(d("2026-11-22"), 1).unwrap(), [d("2026-11-22")]);
    assert_eq!(weekly_dates(d("2026-11-22"), 0), None);
}

#[test]
fn a_supervisor_sees_each_managers_clients_turn_yellow_and_go_to_the_exchange() {
    let t = ZoneThresholds::default();
    // Created 10 January with m1: yellow from 10 February, red from
    // 10 June, the exchange from 11 July; m2 takes it on 20 July.
    let mut neglected = client("2026-01-10", Some("m1"));
    neglected.assignments.push(AssignmentFact {
        date: d("2026-07-20"),
        manager: Some("m2".into()),
    });
    let mut called = client("2026-01-10", Some("m1"));
    called.events.push(d("2026-07-01"));
    // In a pool: no zone (SPEC 6), not counted anywhere.
    let mut pooled = client("2026-01-10", Some("m3"));
    pooled.assignments.push(AssignmentFact {
        date: d("2026-01-11"),
        manager: None,
    });
    // Created after the series: nobody counts it.
    let later = client("2026-12-01", Some("m4"));
    let dates = weekly_dates(d("2026-07-24"), 4).unwrap();
    assert_eq!(dates[0], d("2026-07-03"));
    let s = zone_series([&neglected, &called, &pooled, &later], t, &dates);
    assert_eq!(s.managers.keys().collect::<Vec<_>>(), ["m1", "m2"]);
    let m1 = &s.managers["m1"];
    assert_eq!(m1.green, [1, 1, 1, 1]);
    assert_eq!(m1.red, [1, 1, 0, 0]);
    // Went on 11 July: the week 11–17 July.
    assert_eq!(m1.to_exchange, [0, 0, 1, 0]);
    assert_eq!(s.exchange, [0, 0, 1, 0]);
    let m2 = &s.managers["m2"];
    assert_eq!(m2.green, [0, 0, 0, 1]);
    assert_eq!(m2.from_exchange, [0, 0, 0, 1]);
    let json: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(json["dates"][0], "2026-07-03");
    assert_eq!(
        json["managers"]["m1"]["yellow"],
        serde_json::json!([0, 0, 0, 0])
    );
    assert_eq!(json["exchange"], serde_json::json!([0, 0, 1, 0]));
    assert!(json["managers"]["m1"].get("to_exchange").is_none());
}

#[test]
fn a_manager_with_only_moves_is_in_the_api_but_not_in_the_commands_output() {
    // Went to the exchange from m1 on 11 July, before the series shows
    // any date with the client still at m1.
    let f = client("2026-01-10", Some("m1"));
    let dates = weekly_dates(d("2026-07-12"), 1).unwrap();
    let s = zone_series([&f], ZoneThresholds::default(), &dates);
    assert_eq!(s.managers["m1"].to_exchange, [1]);
    assert!(!s.managers["m1"].had_clients());
    let json: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(json["managers"], serde_json::json!({}));
    assert_eq!(json["exchange"], serde_json::json!([1]));
}

/// The series read off SPEC 6 date by date: every client's zone on every
/// date, and for every day of every week whether it went to the exchange
/// (in it since that day, with a manager the day before) or left it (in it
/// the day before, not that day).
fn day_by_day(clients: &[ClientFacts], t: ZoneThresholds, dates: &[NaiveDate]) -> ZoneSeries {
    let mut managers: BTreeMap<String, ManagerSeries> = BTreeMap::new();
    let mut exchange = vec![0; dates.len()];
    let n = dates.len();
    let on = |f: &ClientFacts, date: NaiveDate| -> Option<ZoneReport> { zone(f, t, date) };
    for f in clients {
        for (i, &date) in dates.iter().enumerate() {
            let Some(r) = on(f, date) else { continue };
            match (r.zone, r.responsible) {
                (Some(Zone::Exchange), _) => exchange[i] += 1,
                (Some(z), Some(m)) => {
                    let row = managers.entry(m).or_insert_with(|| ManagerSeries::new(n));
                    match z {
                        Zone::Green => row.green[i] += 1,
                        Zone::Yellow => row.yellow[i] += 1,
                        _ => row.red[i] += 1,
                    }
                }
                _ => {}
            }
            for back in 0..7 {
                let x = date - chrono::Days::new(back);
                let before = on(f, x - chrono::Days::new(1));
                let now = on(f, x);
                let was_in = before
                    .as_ref()
                    .is_some_and(|b| b.zone == Some(Zone::Exchange));
                let is_in = now.as_ref().is_some_and(|r| r.zone == Some(Zone::Exchange));
                if let (Some(now), false) = (&now, was_in)
                    && now.in_exchange_since == Some(x)
                    && let Some(m) = before.as_ref().and_then(|b| b.responsible.clone())
                {
                    managers
                        .entry(m)
                        .or_insert_with(|| ManagerSeries::new(n))
                        .to_exchange[i] += 1;
                }
                if was_in
                    && !is_in
                    && let Some(m) = now.and_then(|r| r.responsible)
                {
                    managers
                        .entry(m)
                        .or_insert_with(|| ManagerSeries::new(n))
                        .from_exchange[i] += 1;
                }
            }
        }
    }
    ZoneSeries {
        dates: dates.to_vec(),
        managers,
        exchange,
    }
}

/// Days around month ends from December 2027 to March 2029, where the
/// thresholds are most likely to be hit exactly.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    (
        0u32..16,
        prop::sample::select(vec![1u32, 2, 27, 28, 29, 30, 31]),
    )
        .prop_map(|(m, day)| {
            let first = d("2027-12-01").checked_add_months(Months::new(m)).unwrap();
            (0..4).find_map(|back| first.with_day(day - back)).unwrap()
        })
}

fn any_client() -> impl Strategy<Value = ClientFacts> {
    let interest = (
        any_date(),
        prop::option::of(any_date()),
        prop::collection::vec(any_date(), 0..2),
        prop::option::weighted(0.3, prop::option::of(any_date())),
    )
        .prop_map(|(created, completed, activity, automatic)| InterestFact {
            created,
            completed,
            outcome: None,
            activity,
            automatic: automatic.is_some(),
            taken_up: automatic.flatten(),
        });
    let manager = prop::option::weighted(0.85, prop::sample::select(vec!["m1", "m2", "m3"]));
    let assignment = (any_date(), manager).prop_map(|(date, m)| AssignmentFact {
        date,
        manager: m.map(str::to_owned),
    });
    (
        any_date(),
        prop::collection::vec(any_date(), 0..4),
        prop::collection::vec(interest, 0..3),
        prop::collection::vec(assignment, 0..4),
    )
        .prop_map(|(created, events, interests, assignments)| {
            let mut f = ClientFacts::new(created);
            f.events = events;
            f.interests = interests;
            f.assignments = assignments;
            f
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_weekly_series_equals_a_day_by_day_evaluation_of_the_zones(
        clients in prop::collection::vec(any_client(), 1..6),
        steps in (0u32..3, 0u32..3, 0u32..4),
        as_of in any_date(),
        weeks in 1u32..9,
    ) {
        let t = ZoneThresholds {
            yellow: steps.0,
            red: steps.0 + steps.1,
            exchange: steps.0 + steps.1 + steps.2,
        };
        let dates = weekly_dates(as_of, weeks).unwrap();
        let series = zone_series(&clients, t, &dates);
        prop_assert_eq!(series, day_by_day(&clients, t, &dates));
    }
}
