//! The client's timeline (SPEC 4, issue 6): one list, newest first, of the
//! events (calls, meetings, e-mails, messages, notes), the Interests'
//! registrations and moves, the payments and the shipments.

use crate::client::{ClientDoc, EventKind, Money};
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::report::period::Period;

/// What a timeline entry records.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// An event, with its result text and the Interest it is about.
    Event {
        kind: EventKind,
        result: String,
        interest: Option<String>,
        /// The contact persons who took part, by name.
        participants: Vec<String>,
    },
    /// An Interest was registered.
    InterestRegistered {
        interest: String,
        content: String,
    },
    /// An Interest moved from one scenario state to another.
    InterestMoved {
        interest: String,
        scenario: String,
        from: String,
        to: String,
    },
    Payment {
        amount: Money,
        document: String,
    },
    Shipment {
        amount: Money,
        document: String,
    },
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The id of what it records in the document (the event, payment or
    /// shipment; the Interest; the move), so the card can edit or delete
    /// it from its line.
    pub id: String,
    /// The day it happened (as entered).
    pub date: Date,
    /// When it was written, to order same-day entries.
    pub at: Timestamp,
    pub by: UserId,
    pub what: What,
}

/// The client's timeline, newest first: by date, then by when written.
pub fn timeline(doc: &ClientDoc) -> Vec<Entry> {
    let mut out = Vec::new();
    for e in doc.live_events() {
        out.push(Entry {
            id: e.id.clone(),
            date: e.date,
            at: e.at,
            by: e.by.clone(),
            what: What::Event {
                kind: e.kind,
                result: e.result.clone(),
                interest: e.interest.clone(),
                participants: e
                    .participants
                    .iter()
                    .filter_map(|id| doc.contacts.get(id))
                    .filter(|c| c.deleted.is_none())
                    .map(|c| c.full_name.clone())
                    .collect(),
            },
        });
    }
    for i in doc.interests.values() {
        out.push(Entry {
            id: i.id.clone(),
            date: i.created,
            at: i.created_at,
            by: i.created_by.clone(),
            what: What::InterestRegistered {
                interest: i.id.clone(),
                content: i.content.clone(),
            },
        });
        for t in i.transitions.values() {
            out.push(Entry {
                id: t.id.clone(),
                date: t.date,
                at: t.at,
                by: t.by.clone(),
                what: What::InterestMoved {
                    interest: i.id.clone(),
                    scenario: i.scenario.clone(),
                    from: t.from.clone(),
                    to: t.to.clone(),
                },
            });
        }
    }
    for p in doc.live_payments() {
        out.push(Entry {
            id: p.id.clone(),
            date: p.date,
            at: p.at,
            by: p.by.clone(),
            what: What::Payment {
                amount: p.amount,
                document: p.document.clone(),
            },
        });
    }
    for s in doc.live_shipments() {
        out.push(Entry {
            id: s.id.clone(),
            date: s.date,
            at: s.at,
            by: s.by.clone(),
            what: What::Shipment {
                amount: s.amount,
                document: s.document.clone(),
            },
        });
    }
    out.sort_by_key(|e| std::cmp::Reverse((e.date, e.at)));
    out
}

/// Which timeline entries to show (SPEC 8, "interactions for a period");
/// the default shows everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineFilter {
    /// Entries dated in this period.
    pub period: Period,
    /// Entries written by this person (a manager's interactions).
    pub by: Option<UserId>,
}

impl TimelineFilter {
    /// Whether the entry is shown.
    pub fn admits(&self, e: &Entry) -> bool {
        self.period.contains(e.date) && self.by.as_ref().is_none_or(|b| &e.by == b)
    }
}

/// The client's timeline limited by the filter, newest first.
pub fn timeline_in(doc: &ClientDoc, filter: &TimelineFilter) -> Vec<Entry> {
    let mut entries = timeline(doc);
    entries.retain(|e| filter.admits(e));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_holds_every_kind_of_fact_newest_first() {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        let base = crate::demo::generate(40, today, 7);
        let doc = base
            .clients
            .iter()
            .find(|c| {
                !c.events.is_empty()
                    && !c.payments.is_empty()
                    && c.interests.values().any(|i| !i.transitions.is_empty())
            })
            .expect("a demo client with events, payments and moves");
        let entries = timeline(doc);
        let moves: usize = doc.interests.values().map(|i| i.transitions.len()).sum();
        assert_eq!(
            entries.len(),
            doc.events.len()
                + doc.interests.len()
                + moves
                + doc.payments.len()
                + doc.shipments.len()
        );
        assert!(
            entries
                .windows(2)
                .all(|w| (w[0].date, w[0].at) >= (w[1].date, w[1].at))
        );
        assert!(
            entries
                .iter()
                .any(|e| matches!(e.what, What::Payment { .. }))
        );
        assert!(
            entries
                .iter()
                .any(|e| matches!(e.what, What::InterestMoved { .. }))
        );
    }

    #[test]
    fn the_period_filter_keeps_the_entries_dated_in_it_both_ends_included() {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        let base = crate::demo::generate(40, today, 7);
        let doc = base
            .clients
            .iter()
            .max_by_key(|c| timeline(c).len())
            .expect("demo clients");
        let all = timeline(doc);
        assert!(all.len() > 3);
        // A period from the third newest entry's day to the newest's.
        let period = Period::between(all[2].date, all[0].date);
        let filter = TimelineFilter { period, by: None };
        let shown = timeline_in(doc, &filter);
        let expected: Vec<&Entry> = all.iter().filter(|e| period.contains(e.date)).collect();
        assert_eq!(shown.iter().collect::<Vec<_>>(), expected);
        assert!(shown.len() >= 3);
        assert!(
            shown
                .iter()
                .all(|e| all[2].date <= e.date && e.date <= all[0].date)
        );
        assert_eq!(timeline_in(doc, &TimelineFilter::default()), all);
        // One author's entries only.
        let author = all[0].by.clone();
        let mine = timeline_in(
            doc,
            &TimelineFilter {
                period: Period::ALL,
                by: Some(author.clone()),
            },
        );
        assert!(!mine.is_empty() && mine.iter().all(|e| e.by == author));
        // A period with nothing in it.
        let before = Date::from_ymd(1999, 1, 1).expect("date");
        assert!(
            timeline_in(
                doc,
                &TimelineFilter {
                    period: Period::between(before, before),
                    by: None,
                }
            )
            .is_empty()
        );
    }
}
