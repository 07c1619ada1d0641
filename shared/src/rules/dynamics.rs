//! The Status dynamics report (Динамика статусов клиентов, SPEC 5): how the
//! structure of the base changed between two dates, and the days clients
//! became Lost, on which the app starts a win-back Interest.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::config::{RuleSet, StatusId, SuppliedRule};
use crate::rules::facts::ClientFacts;
use crate::rules::status::{StatusChange, status_on};

/// One client's evaluated history, as the report reads it.
#[derive(Debug, Clone, Copy)]
pub struct ClientHistory<'a> {
    /// The client's id.
    pub client: &'a str,
    /// The effective responsible manager, for the per-manager filter.
    pub responsible: Option<&'a str>,
    /// See [`crate::rules::status::StatusReport::history`].
    pub history: &'a [StatusChange],
}

/// How many clients had a status on each date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCount {
    pub status: StatusId,
    pub at_a: u32,
    pub at_b: u32,
}

impl StatusCount {
    /// `at_b - at_a`.
    pub fn change(&self) -> i64 {
        i64::from(self.at_b) - i64::from(self.at_a)
    }
}

/// Clients that had status `from` on date A and `to` on date B; `from` is
/// `None` for clients created after A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub from: Option<StatusId>,
    pub to: StatusId,
    pub clients: u32,
}

/// The report: counts per status (every configured status, in order) and
/// the flows between statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusDynamics {
    /// The earlier date.
    pub a: NaiveDate,
    /// The later date.
    pub b: NaiveDate,
    /// One row per status.
    pub counts: Vec<StatusCount>,
    /// Only actual changes (`from != to`), largest first, then in status
    /// order.
    pub flows: Vec<Flow>,
}

/// Compares the base on date `a` (e.g. a week ago) with date `b`, for the
/// clients of one responsible manager if `manager` is given. Histories must
/// reach at least `b` (evaluated on `b` or later).
pub fn status_dynamics<'a>(
    rules: &RuleSet,
    clients: impl IntoIterator<Item = ClientHistory<'a>>,
    a: NaiveDate,
    b: NaiveDate,
    manager: Option<&str>,
) -> StatusDynamics {
    let ids = rules.status_ids();
    let position = |s: &StatusId| ids.iter().position(|i| i == s).unwrap_or(ids.len());
    let mut counts: BTreeMap<&StatusId, (u32, u32)> = BTreeMap::new();
    let mut flows: BTreeMap<(Option<&StatusId>, &StatusId), u32> = BTreeMap::new();
    for c in clients {
        if manager.is_some_and(|m| c.responsible != Some(m)) {
            continue;
        }
        let at_a = status_on(c.history, a);
        let at_b = status_on(c.history, b);
        if let Some(s) = at_a {
            counts.entry(s).or_default().0 += 1;
        }
        if let Some(s) = at_b {
            counts.entry(s).or_default().1 += 1;
            if at_a != Some(s) {
                *flows.entry((at_a, s)).or_default() += 1;
            }
        }
    }
    // Every configured status gets a row, then any status a history still
    // mentions that the configuration no longer has.
    let mut rows: Vec<StatusCount> = ids
        .iter()
        .map(|s| {
            let (at_a, at_b) = counts.remove(s).unwrap_or_default();
            StatusCount {
                status: s.clone(),
                at_a,
                at_b,
            }
        })
        .collect();
    rows.extend(counts.into_iter().map(|(s, (at_a, at_b))| StatusCount {
        status: s.clone(),
        at_a,
        at_b,
    }));
    let mut flows: Vec<Flow> = flows
        .into_iter()
        .map(|((from, to), clients)| Flow {
            from: from.cloned(),
            to: to.clone(),
            clients,
        })
        .collect();
    flows.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.clients),
            f.from.as_ref().map(position),
            position(&f.to),
        )
    });
    StatusDynamics {
        a,
        b,
        counts: rows,
        flows,
    }
}

/// The days in `from..=to` on which a history entered the `lost` status
/// (see [`RuleSet::status_with_rule`] for finding it).
pub fn became_lost(
    history: &[StatusChange],
    lost: &StatusId,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<NaiveDate> {
    history
        .iter()
        .filter(|c| &c.to == lost && (from..=to).contains(&c.date))
        .map(|c| c.date)
        .collect()
}

/// A win-back to start: `client` became Lost on `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Winback<'a> {
    pub client: &'a str,
    pub responsible: Option<&'a str>,
    pub date: NaiveDate,
    /// See [`winback_interest_id`].
    pub interest_id: String,
}

/// Every win-back due in `from..=to`: each day a client entered the status
/// the supplied rule `lost` is chosen for. Empty if no status uses it.
pub fn winbacks_due<'a>(
    rules: &RuleSet,
    clients: impl IntoIterator<Item = ClientHistory<'a>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Winback<'a>> {
    let Some(lost) = rules.status_with_rule(SuppliedRule::Lost.id()) else {
        return Vec::new();
    };
    clients
        .into_iter()
        .flat_map(|c| {
            became_lost(c.history, lost, from, to)
                .into_iter()
                .map(move |date| Winback {
                    client: c.client,
                    responsible: c.responsible,
                    date,
                    interest_id: winback_interest_id(c.client, date),
                })
        })
        .collect()
}

/// The id of the win-back Interest for a client that became Lost on
/// `date`. Every device derives the same id, so two devices that start the
/// win-back while offline create one Interest, not two.
pub fn winback_interest_id(client_id: &str, date: NaiveDate) -> String {
    format!("{WINBACK_ID_PREFIX}{client_id}-{}", date.format("%Y-%m-%d"))
}

/// Whether an Interest id is one [`winback_interest_id`] derives: the
/// Interest is a win-back the system created. People's Interests have
/// random ids (UUIDs), which never start this way.
pub fn is_winback_interest_id(id: &str) -> bool {
    id.starts_with(WINBACK_ID_PREFIX)
}

const WINBACK_ID_PREFIX: &str = "winback-";

/// How the win-backs of one responsible manager went (SPEC 5: a win-back
/// succeeds when the client becomes Returned and then Active).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WinbackConversion {
    /// The effective responsible manager, `None` for clients without one.
    pub manager: Option<String>,
    /// Win-backs started: entries into Lost in the period.
    pub started: u32,
    /// Of those, the win-backs a person took up (SPEC 5: until then the
    /// win-back is a task, not work); `None` when the report was given no
    /// facts to tell ([`winback_conversion`]).
    pub taken_up: Option<u32>,
    /// Of those, the clients that became Returned afterwards.
    pub returned: u32,
    /// Of those, the clients that then became Active: won back.
    pub won_back: u32,
}

impl WinbackConversion {
    /// The share of started win-backs that were won back, in percent.
    pub fn percent(&self) -> Option<f64> {
        (self.started > 0).then(|| f64::from(self.won_back) * 100.0 / f64::from(self.started))
    }
}

/// The win-back conversion per responsible manager for the win-backs that
/// started in `from..=to`: each entry into the status of the supplied rule
/// `lost`, followed (before the next entry into Lost) by the status of the
/// rule `returned` and then by the status of the rule `active`. Managers in
/// id order, the clients without one last; empty if no status uses the
/// rule `lost`.
///
/// A win-back nobody takes up does not count as an active Interest (SPEC
/// 5), so it never turns its client Returned by itself: the steps counted
/// here are the managers' work. [`winback_conversion_with_facts`] also
/// counts how many were taken up.
pub fn winback_conversion<'a>(
    rules: &RuleSet,
    clients: impl IntoIterator<Item = ClientHistory<'a>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<WinbackConversion> {
    conversion(rules, clients.into_iter().map(|c| (c, None)), from, to)
}

/// [`winback_conversion`] with each client's facts, so that it also
/// counts the win-backs a person took up ([`WinbackConversion::taken_up`]):
/// the one started on the day the client became Lost is the Interest the
/// system created that day.
pub fn winback_conversion_with_facts<'a>(
    rules: &RuleSet,
    clients: impl IntoIterator<Item = (ClientHistory<'a>, &'a ClientFacts)>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<WinbackConversion> {
    conversion(
        rules,
        clients.into_iter().map(|(c, f)| (c, Some(f))),
        from,
        to,
    )
}

fn conversion<'a>(
    rules: &RuleSet,
    clients: impl Iterator<Item = (ClientHistory<'a>, Option<&'a ClientFacts>)>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<WinbackConversion> {
    let Some(lost) = rules.status_with_rule(SuppliedRule::Lost.id()) else {
        return Vec::new();
    };
    let returned = rules.status_with_rule(SuppliedRule::Returned.id());
    let active = rules.status_with_rule(SuppliedRule::Active.id());
    let mut per: BTreeMap<(bool, Option<&str>), WinbackConversion> = BTreeMap::new();
    for (c, facts) in clients {
        for (i, start) in c.history.iter().enumerate() {
            if &start.to != lost || !(from..=to).contains(&start.date) {
                continue;
            }
            let row = per
                .entry((c.responsible.is_none(), c.responsible))
                .or_insert_with(|| WinbackConversion {
                    manager: c.responsible.map(str::to_owned),
                    started: 0,
                    taken_up: facts.map(|_| 0),
                    returned: 0,
                    won_back: 0,
                });
            row.started += 1;
            let taken_up = facts.is_some_and(|f| {
                f.interests
                    .iter()
                    .any(|i| i.automatic && i.created == start.date && i.taken_up.is_some())
            });
            if let (Some(n), true) = (&mut row.taken_up, taken_up) {
                *n += 1;
            }
            let after = c.history[i + 1..].iter().take_while(|x| &x.to != lost);
            let mut came_back = false;
            for change in after {
                if !came_back && Some(&change.to) == returned {
                    came_back = true;
                    row.returned += 1;
                } else if came_back && Some(&change.to) == active {
                    row.won_back += 1;
                    break;
                }
            }
        }
    }
    per.into_values().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::rules::config::StatusConfig;
    use crate::rules::facts::InterestFact;
    use crate::rules::status::SetBy;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn history(changes: &[(&str, &str)]) -> Vec<StatusChange> {
        let mut out: Vec<StatusChange> = Vec::new();
        for &(date, to) in changes {
            out.push(StatusChange {
                date: d(date),
                from: out.last().map(|c| c.to.clone()),
                to: StatusId::from(to),
                by: SetBy::Creation,
            });
        }
        out
    }

    #[test]
    fn counts_and_flows_between_two_dates() {
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        let h1 = history(&[("2026-01-01", "new"), ("2026-01-05", "in_progress")]);
        let h2 = history(&[
            ("2026-01-01", "new"),
            ("2026-01-02", "in_progress"),
            ("2026-01-09", "active"),
        ]);
        let h3 = history(&[("2026-01-08", "new")]);
        let h4 = history(&[("2026-01-01", "alien")]);
        let clients = [
            ClientHistory {
                client: "c1",
                responsible: Some("m1"),
                history: &h1,
            },
            ClientHistory {
                client: "c2",
                responsible: Some("m1"),
                history: &h2,
            },
            ClientHistory {
                client: "c3",
                responsible: Some("m2"),
                history: &h3,
            },
            ClientHistory {
                client: "c4",
                responsible: None,
                history: &h4,
            },
        ];
        let r = status_dynamics(&rules, clients, d("2026-01-03"), d("2026-01-10"), None);
        let row = |s: &str| r.counts.iter().find(|c| c.status.as_str() == s).unwrap();
        assert_eq!((row("new").at_a, row("new").at_b), (1, 1));
        assert_eq!((row("in_progress").at_a, row("in_progress").at_b), (1, 1));
        assert_eq!(row("active").change(), 1);
        assert_eq!(row("alien").change(), 0);
        assert_eq!(r.counts.len(), 8);
        let flows: Vec<(Option<&str>, &str, u32)> = r
            .flows
            .iter()
            .map(|f| {
                (
                    f.from.as_ref().map(StatusId::as_str),
                    f.to.as_str(),
                    f.clients,
                )
            })
            .collect();
        assert_eq!(
            flows,
            [
                (None, "new", 1),
                (Some("new"), "in_progress", 1),
                (Some("in_progress"), "active", 1)
            ]
        );
        let mine = status_dynamics(
            &rules,
            clients,
            d("2026-01-03"),
            d("2026-01-10"),
            Some("m2"),
        );
        assert_eq!(mine.flows.len(), 1);
        assert_eq!(mine.counts.iter().map(|c| c.at_b).sum::<u32>(), 1);
    }

    #[test]
    fn lost_days_and_winback_ids() {
        let h = history(&[
            ("2026-01-01", "new"),
            ("2026-02-01", "active"),
            ("2026-03-05", "lost"),
            ("2026-04-01", "returned"),
            ("2026-04-02", "active"),
            ("2026-05-10", "lost"),
        ]);
        let lost = StatusId::from("lost");
        assert_eq!(
            became_lost(&h, &lost, d("2026-03-05"), d("2026-05-09")),
            [d("2026-03-05")]
        );
        assert_eq!(
            became_lost(&h, &lost, d("2026-01-01"), d("2026-12-31")).len(),
            2
        );
        assert_eq!(
            winback_interest_id("c-42", d("2026-03-05")),
            "winback-c-42-2026-03-05"
        );
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        let clients = [ClientHistory {
            client: "c-42",
            responsible: Some("m1"),
            history: &h,
        }];
        let due = winbacks_due(&rules, clients, d("2026-05-01"), d("2026-05-31"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].interest_id, "winback-c-42-2026-05-10");
        assert_eq!(due[0].responsible, Some("m1"));
    }

    #[test]
    fn winback_conversion_counts_returned_then_active_per_manager() {
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        // Won back, then lost again (a second win-back, still open).
        let h1 = history(&[
            ("2026-01-01", "new"),
            ("2026-02-01", "active"),
            ("2026-03-05", "lost"),
            ("2026-03-06", "returned"),
            ("2026-04-02", "active"),
            ("2026-05-10", "lost"),
        ]);
        // Returned but never Active again.
        let h2 = history(&[
            ("2026-01-01", "active"),
            ("2026-03-10", "lost"),
            ("2026-03-11", "returned"),
        ]);
        // No manager; Lost before the period.
        let h3 = history(&[("2026-01-01", "active"), ("2026-02-01", "lost")]);
        let clients = [
            ClientHistory {
                client: "c1",
                responsible: Some("m1"),
                history: &h1,
            },
            ClientHistory {
                client: "c2",
                responsible: Some("m1"),
                history: &h2,
            },
            ClientHistory {
                client: "c3",
                responsible: None,
                history: &h3,
            },
        ];
        let rows = winback_conversion(&rules, clients, d("2026-03-01"), d("2026-05-31"));
        assert_eq!(
            rows,
            [WinbackConversion {
                manager: Some("m1".into()),
                started: 3,
                taken_up: None,
                returned: 2,
                won_back: 1
            }]
        );
        // With the facts: c1's first win-back was taken up, its second and
        // c2's were not (c2 came back through an Interest of its own).
        let mut f1 = ClientFacts::new(d("2026-01-01"));
        f1.interests.push(InterestFact {
            taken_up: Some(d("2026-03-05")),
            ..InterestFact::automatic(d("2026-03-05"))
        });
        f1.interests.push(InterestFact::automatic(d("2026-05-10")));
        let mut f2 = ClientFacts::new(d("2026-01-01"));
        f2.interests.push(InterestFact::automatic(d("2026-03-10")));
        f2.interests.push(InterestFact::open(d("2026-03-11")));
        let f3 = ClientFacts::new(d("2026-01-01"));
        let facts = [&f1, &f2, &f3];
        let with = winback_conversion_with_facts(
            &rules,
            clients.into_iter().zip(facts),
            d("2026-03-01"),
            d("2026-05-31"),
        );
        assert_eq!(with[0].taken_up, Some(1));
        assert_eq!((with[0].started, with[0].won_back), (3, 1));
        assert_eq!(rows[0].percent().map(f64::round), Some(33.0));
        let all = winback_conversion(&rules, clients, d("2026-01-01"), d("2026-05-31"));
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].manager, None);
        assert_eq!(all[1].started, 1);
    }
}
