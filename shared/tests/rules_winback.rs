//! The win-back story of SPEC 5 told through the rule engine's public API:
//! a client stops buying and is lost, a win-back Interest is due for its
//! manager, the client returns and becomes active again, and the Status
//! dynamics report and the zones show each step.

use chrono::NaiveDate;
use kartoteka::client::Outcome;
use kartoteka::rules::config::{RuleSet, StatusConfig};
use kartoteka::rules::dynamics::{
    ClientHistory, status_dynamics, winback_interest_id, winbacks_due,
};
use kartoteka::rules::facts::{AssignmentFact, ClientFacts, InterestFact};
use kartoteka::rules::status::{StatusReport, status_history};
use kartoteka::rules::zone::{Zone, zone};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

fn history(rules: &RuleSet, facts: &ClientFacts, as_of: &str) -> StatusReport {
    status_history(rules, facts, d(as_of))
        .expect("valid facts")
        .expect("the client exists")
}

/// Bought once in February, then nothing.
fn client() -> ClientFacts {
    let mut facts = ClientFacts::new(d("2026-01-10"));
    facts.assignments.push(AssignmentFact {
        date: d("2026-01-10"),
        manager: Some("m1".to_owned()),
    });
    facts.interests.push(InterestFact::completed(
        d("2026-01-12"),
        d("2026-02-01"),
        Outcome::Success,
    ));
    facts.payments.push(d("2026-02-03"));
    facts
}

#[test]
fn a_lost_client_gets_a_winback_returns_and_is_active_again() {
    let rules = RuleSet::new(&StatusConfig::default()).expect("the defaults are valid");
    let mut facts = client();

    // Thirty days after the payment of 3 February nothing is left in the
    // period: Lost on 6 March.
    let lost = history(&rules, &facts, "2026-03-10");
    assert_eq!(
        (lost.status().as_str(), lost.since()),
        ("lost", d("2026-03-06"))
    );

    let clients = [ClientHistory {
        client: "c1",
        responsible: Some("m1"),
        history: lost.history(),
    }];
    let due = winbacks_due(&rules, clients, d("2026-03-01"), d("2026-03-10"));
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].date, due[0].responsible),
        (d("2026-03-06"), Some("m1"))
    );
    assert_eq!(
        due[0].interest_id,
        winback_interest_id("c1", d("2026-03-06"))
    );

    // The app opens the win-back Interest that day; the next day the
    // client counts as Returned, and a payment makes it Active again.
    facts.interests.push(InterestFact::open(d("2026-03-06")));
    facts.payments.push(d("2026-03-20"));
    let won = history(&rules, &facts, "2026-03-31");
    let steps: Vec<(&str, NaiveDate)> = won
        .history()
        .iter()
        .map(|c| (c.to.as_str(), c.date))
        .collect();
    assert_eq!(
        steps[3..],
        [
            ("lost", d("2026-03-06")),
            ("returned", d("2026-03-07")),
            ("active", d("2026-03-20"))
        ]
    );

    let clients = [ClientHistory {
        client: "c1",
        responsible: Some("m1"),
        history: won.history(),
    }];
    let report = status_dynamics(
        &rules,
        clients,
        d("2026-03-01"),
        d("2026-03-10"),
        Some("m1"),
    );
    let flows: Vec<(Option<&str>, &str, u32)> = report
        .flows
        .iter()
        .map(|f| {
            (
                f.from.as_ref().map(|s| s.as_str()),
                f.to.as_str(),
                f.clients,
            )
        })
        .collect();
    assert_eq!(flows, [(Some("active"), "returned", 1)]);

    // The win-back Interest is contact: the client is green again.
    let z = zone(&facts, rules.zones(), d("2026-03-31")).expect("the client exists");
    assert_eq!(
        (z.zone, z.responsible.as_deref()),
        (Some(Zone::Green), Some("m1"))
    );
}
