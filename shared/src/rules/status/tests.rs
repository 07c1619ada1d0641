//! The status engine against SPEC 5: the supplied rules at their
//! boundaries, manual settings, and a property test that the change-point
//! engine equals a literal day-by-day evaluation.

#![allow(clippy::unwrap_used)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::client::Outcome;
use crate::rules::config::{
    Comparison, Measure, Op, RuleTemplate, StatusConfig, StatusDef, StatusMethod,
};
use crate::rules::facts::{InterestFact, ManualStatus};
use crate::workspace::Names;

/// Day `n` after 1 March 2026 (so that day 0 + 30 stays in one month).
fn day_n(n: i64) -> NaiveDate {
    let base = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    if n >= 0 {
        base.checked_add_days(Days::new(n.unsigned_abs())).unwrap()
    } else {
        base.checked_sub_days(Days::new(n.unsigned_abs())).unwrap()
    }
}

fn defaults() -> RuleSet {
    RuleSet::new(&StatusConfig::default()).unwrap()
}

/// The history as (day number, status, rule) triples.
fn run(rules: &RuleSet, facts: &ClientFacts, as_of: i64) -> Vec<(i64, String, String)> {
    let report = status_history(rules, facts, day_n(as_of)).unwrap().unwrap();
    report
        .history()
        .iter()
        .map(|c| {
            let n = (c.date - day_n(0)).num_days();
            (n, c.to.to_string(), c.by.rule_id().to_owned())
        })
        .collect()
}

fn h(items: &[(i64, &str, &str)]) -> Vec<(i64, String, String)> {
    items
        .iter()
        .map(|&(d, s, r)| (d, s.to_owned(), r.to_owned()))
        .collect()
}

fn manual(day: i64, at: i64, status: &str) -> ManualStatus {
    ManualStatus {
        date: day_n(day),
        at,
        status: StatusId::from(status),
    }
}

#[test]
fn a_new_client_without_facts_stays_new() {
    let facts = ClientFacts::new(day_n(0));
    assert_eq!(run(&defaults(), &facts, 400), h(&[(0, "new", "new")]));
}

#[test]
fn in_progress_on_the_day_an_interest_is_active_and_nothing_is_done() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.interests.push(InterestFact::open(day_n(3)));
    assert_eq!(
        run(&defaults(), &facts, 10),
        h(&[(0, "new", "new"), (3, "in_progress", "in_progress")])
    );
    // A payment in the period holds In progress back until it leaves the
    // period: the payment on day 1 is in [D - 30, D] through day 31.
    facts.payments.push(day_n(1));
    assert_eq!(
        run(&defaults(), &facts, 40),
        h(&[(0, "new", "new"), (32, "in_progress", "in_progress")])
    );
}

/// Created day 0, an Interest from day 0, paid on day 5: In progress on 0,
/// Active on 5.
fn paying_client() -> ClientFacts {
    let mut facts = ClientFacts::new(day_n(0));
    facts.interests.push(InterestFact::open(day_n(0)));
    facts.payments.push(day_n(5));
    facts
}

#[test]
fn active_then_lost_on_the_day_after_the_period_ends() {
    let mut facts = paying_client();
    // The Interest ends unsuccessfully early, so Returned cannot follow.
    facts.interests[0] = InterestFact::completed(day_n(0), day_n(2), Outcome::Failure);
    let start = [
        (0, "new", "new"),
        (0, "in_progress", "in_progress"),
        (5, "active", "active"),
    ];
    // Day 35: the payment of day 5 is on the first day of the period.
    assert_eq!(run(&defaults(), &facts, 35), h(&start));
    let mut lost = start.to_vec();
    lost.push((36, "lost", "lost"));
    assert_eq!(run(&defaults(), &facts, 36), h(&lost));
    assert_eq!(run(&defaults(), &facts, 300), h(&lost));
}

#[test]
fn active_from_a_success_or_a_shipment_on_the_last_day_of_the_period() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.interests.push(InterestFact::completed(
        day_n(1),
        day_n(9),
        Outcome::Success,
    ));
    assert_eq!(
        run(&defaults(), &facts, 9),
        h(&[
            (0, "new", "new"),
            (1, "in_progress", "in_progress"),
            (9, "active", "active")
        ])
    );
    let mut facts = ClientFacts::new(day_n(0));
    facts.interests.push(InterestFact::open(day_n(0)));
    facts.shipments.push(day_n(4));
    assert_eq!(
        run(&defaults(), &facts, 4),
        h(&[
            (0, "new", "new"),
            (0, "in_progress", "in_progress"),
            (4, "active", "active")
        ])
    );
}

#[test]
fn an_interest_completed_the_day_before_the_period_does_not_return_a_client() {
    // Lost on day 36; Returned is first tried on day 37, whose period
    // starts on day 7.
    let returned_on = |completed: i64| {
        let mut facts = paying_client();
        facts.interests[0] = InterestFact::completed(day_n(0), day_n(completed), Outcome::Failure);
        run(&defaults(), &facts, 100)
            .into_iter()
            .find(|(_, s, _)| s == "returned")
            .map(|(d, _, _)| d)
    };
    assert_eq!(returned_on(6), None);
    assert_eq!(returned_on(7), Some(37));
    // An open Interest returns it the day after it is lost; a new Interest
    // later returns it on its creation day.
    let mut facts = paying_client();
    let lost_then_returned = run(&defaults(), &facts, 100);
    assert_eq!(
        lost_then_returned[3..],
        h(&[(36, "lost", "lost"), (37, "returned", "returned")])
    );
    facts.interests[0] = InterestFact::completed(day_n(0), day_n(1), Outcome::Failure);
    facts.interests.push(InterestFact::open(day_n(50)));
    let history = run(&defaults(), &facts, 100);
    assert_eq!(history[4..], h(&[(50, "returned", "returned")]));
}

#[test]
fn facts_dated_after_the_evaluation_date_are_ignored() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.interests.push(InterestFact::open(day_n(0)));
    facts.payments.push(day_n(11));
    facts.shipments.push(day_n(12));
    facts.interests.push(InterestFact::completed(
        day_n(1),
        day_n(11),
        Outcome::Success,
    ));
    facts.manual_statuses.push(manual(11, 0, "alien"));
    assert_eq!(
        run(&defaults(), &facts, 10),
        h(&[(0, "new", "new"), (0, "in_progress", "in_progress")])
    );
    assert!(
        status_history(&defaults(), &facts, day_n(-1))
            .unwrap()
            .is_none()
    );
}

#[test]
fn manual_settings_on_the_creation_date_apply_before_the_rules() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.manual_statuses.push(manual(0, 0, "alien"));
    assert_eq!(
        run(&defaults(), &facts, 10),
        h(&[(0, "new", "new"), (0, "alien", "manual")])
    );
    // Set Active by hand with nothing done: the Lost rule fires that same
    // day, after the setting.
    let mut facts = ClientFacts::new(day_n(0));
    facts.manual_statuses.push(manual(0, 0, "active"));
    assert_eq!(
        run(&defaults(), &facts, 10),
        h(&[
            (0, "new", "new"),
            (0, "active", "manual"),
            (0, "lost", "lost")
        ])
    );
}

#[test]
fn same_day_settings_apply_in_time_order_and_repeats_change_nothing() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.manual_statuses.push(manual(3, 20, "non_target"));
    facts.manual_statuses.push(manual(3, 10, "alien"));
    facts.manual_statuses.push(manual(5, 0, "non_target"));
    facts.manual_statuses.push(manual(1, 0, "new"));
    assert_eq!(
        run(&defaults(), &facts, 10),
        h(&[
            (0, "new", "new"),
            (3, "alien", "manual"),
            (3, "non_target", "manual")
        ])
    );
    let report = status_history(&defaults(), &facts, day_n(10))
        .unwrap()
        .unwrap();
    assert_eq!(report.since(), day_n(3));
    assert_eq!(report.current().by, SetBy::Manual { setting: 0 });
    assert_eq!(
        report.status_on(day_n(2)).map(StatusId::as_str),
        Some("new")
    );
}

#[test]
fn bad_manual_settings_are_refused() {
    let mut facts = ClientFacts::new(day_n(0));
    facts.manual_statuses.push(manual(-1, 0, "alien"));
    assert_eq!(
        status_history(&defaults(), &facts, day_n(10)),
        Err(FactsError::ManualBeforeCreation {
            index: 0,
            date: day_n(-1),
            created: day_n(0)
        })
    );
    facts.manual_statuses[0] = manual(1, 0, "gone");
    assert!(matches!(
        status_history(&defaults(), &facts, day_n(10)),
        Err(FactsError::UnknownStatus { index: 0, .. })
    ));
}

fn custom(id: &str, order: u32, previous: &str, conditions: Vec<Clause>) -> (StatusId, StatusDef) {
    (
        StatusId::from(id),
        StatusDef {
            names: Names::new(id, id),
            colour: "#123456".to_owned(),
            order,
            method: StatusMethod::Automatic {
                rule: RuleTemplate {
                    id: id.to_owned(),
                    previous: vec![StatusId::from(previous)],
                    conditions,
                },
                period_days: 30,
            },
        },
    )
}

#[test]
fn at_most_one_rule_change_per_day() {
    let paid = || vec![Clause::one(Comparison::at_least(Measure::Payments, 1))];
    let mut config = StatusConfig::default();
    config.statuses.extend([
        custom("a", 100, "alien", paid()),
        custom("b", 110, "a", paid()),
    ]);
    let rules = RuleSet::new(&config).unwrap();
    let mut facts = ClientFacts::new(day_n(0));
    facts.payments.push(day_n(2));
    facts.manual_statuses.push(manual(2, 0, "alien"));
    assert_eq!(
        run(&rules, &facts, 10),
        h(&[
            (0, "new", "new"),
            (2, "alien", "manual"),
            (2, "a", "a"),
            (3, "b", "b")
        ])
    );
}

#[test]
fn the_explanation_lists_the_facts_the_rule_saw() {
    let mut facts = paying_client();
    facts.payments.push(day_n(-40));
    facts.shipments.push(day_n(60));
    let rules = defaults();
    let report = status_history(&rules, &facts, day_n(20)).unwrap().unwrap();
    assert_eq!(report.rule(), "active");
    match explain(&rules, &facts, &report) {
        Explanation::Rule {
            rule,
            date,
            period,
            active_interests,
            successful_interests,
            payments,
            shipments,
            conditions,
            ..
        } => {
            assert_eq!((rule.as_str(), date), ("active", day_n(5)));
            assert_eq!(
                (period.first, period.last, period.days),
                (day_n(-25), day_n(5), 30)
            );
            assert_eq!(active_interests, [0]);
            assert!(successful_interests.is_empty());
            assert_eq!(payments, [0]);
            assert!(shipments.is_empty());
            assert_eq!(conditions.len(), 1);
        }
        other => panic!("expected a rule explanation, got {other:?}"),
    }
    let fresh = ClientFacts::new(day_n(0));
    let report = status_history(&rules, &fresh, day_n(1)).unwrap().unwrap();
    assert_eq!(
        explain(&rules, &fresh, &report),
        Explanation::Created {
            status: StatusId::from("new"),
            date: day_n(0)
        }
    );
}

/// A history as (date, status, rule), or why there is none.
type Trace = Result<Option<Vec<(NaiveDate, String, String)>>, FactsError>;

/// SPEC 5 read literally: every day from the creation to `as_of`, manual
/// settings of the day in time order, then the first automatic rule in
/// status order whose previous status and conditions match; facts after
/// `as_of` dropped first. Written without the engine's interval trick.
fn daily(config: &StatusConfig, facts: &ClientFacts, as_of: NaiveDate) -> Trace {
    for (index, m) in facts.manual_statuses.iter().enumerate() {
        if !config.statuses.contains_key(m.status.as_str()) {
            return Err(FactsError::UnknownStatus {
                index,
                status: m.status.clone(),
            });
        }
        if m.date < facts.created {
            return Err(FactsError::ManualBeforeCreation {
                index,
                date: m.date,
                created: facts.created,
            });
        }
    }
    if facts.created > as_of {
        return Ok(None);
    }
    let known = |d: &NaiveDate| *d <= as_of;
    // A system task counts from the day it was taken up, else from its
    // completion, as if created then; known only once that day has come.
    let interests: Vec<(NaiveDate, Option<NaiveDate>, bool)> = facts
        .interests
        .iter()
        .filter_map(|i| {
            let start = if i.automatic {
                i.taken_up.or(i.completed)?.max(i.created)
            } else {
                i.created
            };
            known(&start).then_some((i, start))
        })
        .map(|(i, start)| {
            let completed = i.completed.filter(known);
            (
                start,
                completed,
                completed.is_some() && i.outcome == Some(Outcome::Success),
            )
        })
        .collect();
    let payments: Vec<NaiveDate> = facts.payments.iter().copied().filter(known).collect();
    let shipments: Vec<NaiveDate> = facts.shipments.iter().copied().filter(known).collect();
    let mut order: Vec<(&StatusId, &StatusDef)> = config.statuses.iter().collect();
    order.sort_by(|a, b| (a.1.order, a.0).cmp(&(b.1.order, b.0)));
    let (new_status, _) = order
        .iter()
        .find(|(_, d)| d.method == StatusMethod::ForNewClient)
        .unwrap();
    let mut status = new_status.to_string();
    let mut out = vec![(facts.created, status.clone(), "new".to_owned())];
    let mut settings: Vec<(usize, &ManualStatus)> =
        facts.manual_statuses.iter().enumerate().collect();
    settings.sort_by_key(|(i, m)| (m.date, m.at, *i));
    let mut d = facts.created;
    while d <= as_of {
        for (_, m) in settings.iter().filter(|(_, m)| m.date == d) {
            if m.status.as_str() != status {
                status = m.status.to_string();
                out.push((d, status.clone(), "manual".to_owned()));
            }
        }
        for (id, def) in &order {
            let StatusMethod::Automatic { rule, period_days } = &def.method else {
                continue;
            };
            if !rule.previous.iter().any(|p| p.as_str() == status) {
                continue;
            }
            let first = d - chrono::TimeDelta::days(i64::from(*period_days));
            let in_period = |x: &NaiveDate| first <= *x && *x <= d;
            let count = |m: Measure| -> u64 {
                let n = match m {
                    Measure::ActiveInterests => interests
                        .iter()
                        .filter(|(c, done, _)| *c <= d && done.is_none_or(|x| x >= first))
                        .count(),
                    Measure::SuccessfulInterests => interests
                        .iter()
                        .filter(|(c, done, ok)| {
                            *ok && *c <= d && done.as_ref().is_some_and(in_period)
                        })
                        .count(),
                    Measure::Payments => payments.iter().filter(|x| in_period(x)).count(),
                    Measure::Shipments => shipments.iter().filter(|x| in_period(x)).count(),
                };
                n as u64
            };
            let holds = rule
                .conditions
                .iter()
                .all(|clause| clause.any.iter().any(|c| c.holds(count(c.measure))));
            if holds {
                status = id.to_string();
                out.push((d, status.clone(), rule.id.clone()));
                break;
            }
        }
        d = d.succ_opt().unwrap();
    }
    Ok(Some(out))
}

fn engine(rules: &RuleSet, facts: &ClientFacts, as_of: NaiveDate) -> Trace {
    Ok(status_history(rules, facts, as_of)?.map(|r| {
        r.history()
            .iter()
            .map(|c| (c.date, c.to.to_string(), c.by.rule_id().to_owned()))
            .collect()
    }))
}

fn any_clause() -> impl Strategy<Value = Clause> {
    let measure = prop::sample::select(Measure::ALL.to_vec());
    let op = prop::sample::select(vec![Op::AtLeast, Op::AtMost, Op::Exactly]);
    prop::collection::vec(
        (measure, op, 0u32..3).prop_map(|(measure, op, value)| Comparison { measure, op, value }),
        1..3,
    )
    .prop_map(|any| Clause { any })
}

/// The default statuses with random periods, sometimes random conditions,
/// and sometimes an extra rule out of Alien. The previous statuses of the
/// rules never intersect, so every such configuration is valid.
fn any_config() -> impl Strategy<Value = StatusConfig> {
    let periods = prop::collection::vec(prop::sample::select(vec![0u32, 1, 2, 5, 30]), 5);
    let conditions = prop::collection::vec(
        prop::option::weighted(0.4, prop::collection::vec(any_clause(), 0..3)),
        5,
    );
    (periods, conditions, any::<bool>()).prop_map(|(periods, conditions, extra)| {
        let mut config = StatusConfig::default();
        if extra {
            let (id, def) = custom(
                "revived",
                25,
                "alien",
                vec![Clause::one(Comparison::at_least(Measure::Payments, 1))],
            );
            config.statuses.insert(id, def);
        }
        let automatic = config
            .statuses
            .values_mut()
            .filter(|d| matches!(d.method, StatusMethod::Automatic { .. }));
        for ((def, days), conditions) in automatic.zip(periods).zip(conditions) {
            if let StatusMethod::Automatic { rule, period_days } = &mut def.method {
                *period_days = days;
                if let Some(c) = conditions {
                    rule.conditions = c;
                }
            }
        }
        config
    })
}

fn any_facts() -> impl Strategy<Value = ClientFacts> {
    let date = || (-40i64..160).prop_map(day_n);
    let outcome = prop::option::of(prop::sample::select(vec![
        Outcome::Success,
        Outcome::Failure,
    ]));
    let interest = (
        date(),
        prop::option::of(date()),
        outcome,
        prop::option::weighted(0.3, prop::option::of(date())),
    )
        .prop_map(|(created, completed, outcome, automatic)| InterestFact {
            created,
            completed,
            outcome,
            activity: Vec::new(),
            automatic: automatic.is_some(),
            taken_up: automatic.flatten(),
        });
    let status = prop::sample::select(vec![
        "new",
        "in_progress",
        "active",
        "lost",
        "returned",
        "alien",
        "non_target",
    ]);
    let setting = (0i64..160, 0i64..3, status).prop_map(|(d, at, s)| manual(d, at, s));
    (
        0i64..30,
        prop::collection::vec(interest, 0..5),
        prop::collection::vec(date(), 0..5),
        prop::collection::vec(date(), 0..4),
        prop::collection::vec(setting, 0..4),
    )
        .prop_map(
            |(created, interests, payments, shipments, mut manual_statuses)| {
                let created = day_n(created);
                for m in &mut manual_statuses {
                    m.date = m.date.max(created);
                }
                ClientFacts {
                    created,
                    interests,
                    payments,
                    shipments,
                    events: Vec::new(),
                    assignments: Vec::new(),
                    manual_statuses,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_change_point_engine_equals_the_daily_definition(
        config in any_config(),
        facts in any_facts(),
        as_of in -5i64..170,
    ) {
        let rules = RuleSet::new(&config).unwrap();
        let as_of = day_n(as_of);
        prop_assert_eq!(engine(&rules, &facts, as_of), daily(&config, &facts, as_of));
    }
}
