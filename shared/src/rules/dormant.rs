//! Dormant clients (SPEC 7): the clients with no payment and no shipment
//! for `dormancy_days` (a workspace setting, a year by default), which a
//! supervisor selects to move to a pool and call in a reactivation
//! campaign. Dormancy is derived, never stored: a payment or shipment
//! entered or imported later makes the client not dormant any more.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::client::Money;
use crate::rules::config::{RuleSet, StatusId};
use crate::rules::derived::BaseEvaluator;
use crate::rules::facts::{ClientFacts, FactsError};
use crate::rules::zone::Zone;

/// The latest payment or shipment on or before `as_of`: the client's last
/// sale.
pub fn last_sale(facts: &ClientFacts, as_of: NaiveDate) -> Option<NaiveDate> {
    facts
        .payments
        .iter()
        .chain(&facts.shipments)
        .copied()
        .filter(|&d| d <= as_of)
        .max()
}

/// Whether a client had no payment and no shipment in the `days` days up
/// to `as_of`: its last sale (or, if it never bought, its creation) is at
/// least `days` days before `as_of`. A client created after `as_of` is not.
pub fn is_dormant(facts: &ClientFacts, as_of: NaiveDate, days: u32) -> bool {
    let quiet_since = last_sale(facts, as_of).unwrap_or(facts.created);
    facts.created <= as_of
        && as_of
            .checked_sub_days(Days::new(u64::from(days)))
            .is_some_and(|limit| quiet_since <= limit)
}

/// Whether the client sits in a pool (SPEC 7): its latest assignment gave
/// it to no manager.
pub fn in_pool(facts: &ClientFacts, as_of: NaiveDate) -> bool {
    // The latest by date; of same-day ones the later listed wins.
    facts
        .assignments
        .iter()
        .enumerate()
        .filter(|(_, a)| a.date <= as_of)
        .max_by_key(|&(n, a)| (a.date, n))
        .is_some_and(|(_, a)| a.manager.is_none())
}

/// A client to consider, with what it once brought.
#[derive(Debug, Clone, Copy)]
pub struct DormantCandidate<'a> {
    pub client: &'a str,
    pub facts: &'a ClientFacts,
    /// The sum of all the client's payments.
    pub revenue: Money,
}

/// One dormant client, as the supervisor's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DormantClient {
    pub client: String,
    /// The last payment or shipment; `None` if it never bought.
    pub last_sale: Option<NaiveDate>,
    pub status: StatusId,
    /// `None` with no manager, in a pool among them.
    pub zone: Option<Zone>,
    /// The effective responsible: `None` in the exchange, in a pool or
    /// with no manager.
    pub responsible: Option<String>,
    /// In a pool already.
    pub in_pool: bool,
    /// The sum of all its payments.
    pub revenue: Money,
}

/// The selection: the clients and their totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DormantSelection {
    /// The most revenue first, then by client id.
    pub clients: Vec<DormantClient>,
    /// What they brought together.
    pub revenue: Money,
}

impl DormantSelection {
    /// How many clients are dormant.
    pub fn count(&self) -> usize {
        self.clients.len()
    }
}

/// A client whose facts cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client {client}: {error}")]
pub struct DormantError {
    pub client: String,
    pub error: FactsError,
}

/// The clients dormant on `as_of` for `days` days (the workspace's
/// `dormancy_days`), with their status and zone on that day. The caller
/// passes clients only (not merged ones, not potential clients).
pub fn dormant_clients<'a>(
    rules: &RuleSet,
    candidates: impl IntoIterator<Item = DormantCandidate<'a>>,
    as_of: NaiveDate,
    days: u32,
) -> Result<DormantSelection, DormantError> {
    let mut evaluator = BaseEvaluator::new(rules);
    let mut selection = DormantSelection::default();
    for c in candidates {
        if !is_dormant(c.facts, as_of, days) {
            continue;
        }
        let state = evaluator
            .evaluate(c.facts, as_of, as_of)
            .map_err(|error| DormantError {
                client: c.client.to_owned(),
                error,
            })?;
        let Some(state) = state else {
            continue;
        };
        selection.revenue = Money(selection.revenue.0.saturating_add(c.revenue.0));
        selection.clients.push(DormantClient {
            client: c.client.to_owned(),
            last_sale: last_sale(c.facts, as_of),
            status: state.status,
            zone: state.zone,
            responsible: state.responsible,
            in_pool: in_pool(c.facts, as_of),
            revenue: c.revenue,
        });
    }
    selection.clients.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then_with(|| a.client.cmp(&b.client))
    });
    Ok(selection)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::rules::config::StatusConfig;
    use crate::rules::facts::AssignmentFact;

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
    fn a_year_without_payment_or_shipment_is_dormant_from_the_365th_day() {
        let mut f = client("2024-01-10", Some("m1"));
        f.payments.push(d("2025-01-10"));
        f.shipments.push(d("2025-03-01"));
        // A future payment (after the evaluation date) does not count.
        f.payments.push(d("2026-06-01"));
        assert_eq!(last_sale(&f, d("2026-02-28")), Some(d("2025-03-01")));
        assert!(!is_dormant(&f, d("2026-02-28"), 365));
        assert!(is_dormant(&f, d("2026-03-01"), 365));
        assert!(!is_dormant(&f, d("2026-03-01"), 366));
        assert!(!is_dormant(&f, d("2026-06-01"), 365));
    }

    #[test]
    fn a_client_that_never_bought_is_dormant_a_year_after_it_was_created() {
        let f = client("2025-05-01", Some("m1"));
        assert_eq!(last_sale(&f, d("2026-06-01")), None);
        assert!(!is_dormant(&f, d("2026-04-30"), 365));
        assert!(is_dormant(&f, d("2026-05-01"), 365));
        // Not created yet.
        assert!(!is_dormant(&f, d("2025-04-30"), 0));
    }

    #[test]
    fn the_selection_shows_status_zone_responsible_and_what_they_brought() {
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        let as_of = d("2026-11-22");
        // Given back to m1 by a supervisor, called since: green.
        let mut quiet = client("2024-01-10", Some("m1"));
        quiet.payments.push(d("2024-02-01"));
        quiet.assignments.push(AssignmentFact {
            date: d("2026-10-20"),
            manager: Some("m1".into()),
        });
        quiet.events.push(d("2026-11-01"));
        let mut pooled = client("2024-01-10", Some("m2"));
        pooled.assignments.push(AssignmentFact {
            date: d("2026-10-01"),
            manager: None,
        });
        let mut buying = client("2024-01-10", Some("m1"));
        buying.payments.push(d("2026-11-01"));
        let gone = client("2024-01-10", Some("m3"));
        let candidates = [
            DormantCandidate {
                client: "quiet",
                facts: &quiet,
                revenue: Money(150_000),
            },
            DormantCandidate {
                client: "pooled",
                facts: &pooled,
                revenue: Money(0),
            },
            DormantCandidate {
                client: "buying",
                facts: &buying,
                revenue: Money(990_000),
            },
            DormantCandidate {
                client: "gone",
                facts: &gone,
                revenue: Money(200_000),
            },
        ];
        let s = dormant_clients(&rules, candidates, as_of, 365).unwrap();
        let rows: Vec<(&str, Option<Zone>, Option<&str>, bool)> = s
            .clients
            .iter()
            .map(|c| {
                (
                    c.client.as_str(),
                    c.zone,
                    c.responsible.as_deref(),
                    c.in_pool,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("gone", Some(Zone::Exchange), None, false),
                ("quiet", Some(Zone::Green), Some("m1"), false),
                // SPEC 6: a client in a pool has no zone.
                ("pooled", None, None, true),
            ]
        );
        assert_eq!(s.count(), 3);
        assert_eq!(s.revenue, Money(350_000));
        assert_eq!(s.clients[1].last_sale, Some(d("2024-02-01")));
        assert_eq!(s.clients[1].status.as_str(), "new");
    }
}
