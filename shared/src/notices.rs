//! Notices (SPEC 6, issue 15): what a manager is told about their own
//! clients — one went to the exchange, one was taken from them, one was
//! given to them.
//!
//! Notices are derived from the facts, never recorded as events: from a
//! client's log of assignments (who gave it to whom, how, when) and from the
//! day it went to the exchange (the rule engine's derived state). So they
//! appear however a device learned the change — live, at the next sync,
//! after a reload, from another tab — and a person's devices agree. A
//! notice's key names the client and the fact it comes from, so a device
//! can remember which ones its person has read.
//!
//! Only what happened after an [`Epoch`] counts: the moment a device first
//! derived notices for its user. Without it a first login would list every
//! assignment of the person's whole history as news.
//!
//! A client taken from a manager is no longer theirs to read: the relay
//! stops sending it and tells their devices to drop it, naming the
//! assignment that took it (`kt-parted`, `docs/sync-protocol.md`). A device
//! keeps a [`Former`] of it — the name and the assignments, that one
//! included — so the notice is still derived from facts after the document
//! is gone.
//!
//! ```
//! use kartoteka::date::{Date, Timestamp};
//! use kartoteka::ids::UserId;
//! use kartoteka::client::AssignmentKind;
//! use kartoteka::summary::AssignmentSummary;
//! use kartoteka::notices::{Epoch, NoticeKind, Subject, notices_of};
//!
//! let (me, boss) = (UserId::random(), UserId::random());
//! let day = Date::from_ymd(2026, 12, 3).unwrap();
//! let given = AssignmentSummary {
//!     date: day,
//!     manager: Some(me.clone()),
//!     kind: AssignmentKind::Reassigned,
//!     by: boss.clone(),
//!     at: Timestamp(2_000),
//! };
//! let epoch = Epoch { at: Timestamp(1_000), date: day };
//! let mut out = Vec::new();
//! let client = Subject {
//!     id: "c1",
//!     legal_form: "ООО",
//!     name: "Ромашка",
//!     assignments: std::slice::from_ref(&given),
//!     in_exchange_since: None,
//! };
//! notices_of(&me, epoch, &client, &mut out);
//! assert_eq!(out[0].kind, NoticeKind::GivenToMe);
//! assert_eq!(out[0].by.as_ref(), Some(&boss));
//! assert_eq!(out[0].client_name, "ООО «Ромашка»");
//! ```

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::client::AssignmentKind;
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::summary::{AssignmentSummary, ClientSummary, display_name};

/// How many clients taken from the user a device remembers (the newest):
/// enough for months of notices, small enough to read at every start.
pub const FORMERS_KEPT: usize = 200;

/// What happened to one of the user's clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// The client went to the exchange: no contact for too long (SPEC 6).
    WentToExchange,
    /// Someone else became its manager, or it went to a pool.
    TakenFromMe,
    /// Someone else made the user its manager.
    GivenToMe,
}

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Stable: the client, the kind and the fact (the assignment's instant,
    /// or the day the client went to the exchange).
    pub key: String,
    pub kind: NoticeKind,
    /// The client's id.
    pub client: String,
    /// The client's name as lists show it.
    pub client_name: String,
    /// How the assignment came about (taken, given).
    pub how: Option<AssignmentKind>,
    /// Who made the assignment (taken, given).
    pub by: Option<UserId>,
    /// The client's manager after it: the user when given, someone else or
    /// no one (a pool) when taken.
    pub to: Option<UserId>,
    /// The assignment's date, or the day the client went to the exchange.
    pub date: Date,
    /// When the assignment was written (`None` for the exchange: the
    /// calendar moves a client there, nobody writes it).
    pub at: Option<Timestamp>,
}

impl Notice {
    /// The order of notices: newest first (by day, then by instant; on one
    /// day the exchange, which comes at its start, before any assignment
    /// written that day), then by key so the order is total.
    fn newest_first(a: &Notice, b: &Notice) -> std::cmp::Ordering {
        (b.date, b.at.unwrap_or_default())
            .cmp(&(a.date, a.at.unwrap_or_default()))
            .then_with(|| a.key.cmp(&b.key))
    }
}

/// The moment from which a device tells its user what happened: facts
/// written (assignments) after `at`, and clients gone to the exchange after
/// `date`, the day of `at` in the workspace's zone (a client goes there as
/// a day begins, so one that went on `date` went before `at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Epoch {
    pub at: Timestamp,
    pub date: Date,
}

/// What the notices read of one client.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub id: &'a str,
    pub legal_form: &'a str,
    pub name: &'a str,
    /// Oldest first (as [`ClientSummary::assignments`]).
    pub assignments: &'a [AssignmentSummary],
    /// The day it went to the exchange, while it is there today (the rule
    /// engine's `ClientState::in_exchange_since`).
    pub in_exchange_since: Option<NaiveDate>,
}

impl<'a> Subject<'a> {
    /// A client of the base, with its derived day in the exchange.
    pub fn of(summary: &'a ClientSummary, in_exchange_since: Option<NaiveDate>) -> Subject<'a> {
        Subject {
            id: summary.id.as_str(),
            legal_form: &summary.legal_form,
            name: &summary.name,
            assignments: &summary.assignments,
            in_exchange_since,
        }
    }

    /// Whether any notice of `me` can come from this client: it names
    /// `me` as a manager at all. Most of a supervisor's or a colleague's
    /// base does not, and is passed over at this cost only.
    pub fn concerns(&self, me: &UserId) -> bool {
        self.assignments
            .iter()
            .any(|a| a.manager.as_ref() == Some(me))
    }
}

/// Adds the notices of `me` about one client to `out`:
/// - given: an assignment to `me` made by someone else;
/// - taken: an assignment to someone else (or to no one) made by someone
///   else while `me` was the manager of the one before;
/// - went to the exchange: the client is in the exchange today, went there
///   after the epoch's day, and `me` was its last manager.
///
/// Assignments count when written after the epoch. What `me` did (took a
/// client from the exchange, moved one of their own) is no news to them.
pub fn notices_of(me: &UserId, epoch: Epoch, subject: &Subject<'_>, out: &mut Vec<Notice>) {
    let mine = |m: &Option<UserId>| m.as_ref() == Some(me);
    let name = || display_name(subject.legal_form, subject.name);
    for (i, a) in subject.assignments.iter().enumerate() {
        if a.at <= epoch.at || a.by == *me {
            continue;
        }
        let kind = if mine(&a.manager) {
            NoticeKind::GivenToMe
        } else if i > 0 && mine(&subject.assignments[i - 1].manager) {
            NoticeKind::TakenFromMe
        } else {
            continue;
        };
        let tag = if kind == NoticeKind::GivenToMe {
            'g'
        } else {
            't'
        };
        out.push(Notice {
            key: format!("{tag}/{}/{}", subject.id, a.at.0),
            kind,
            client: subject.id.to_owned(),
            client_name: name(),
            how: Some(a.kind),
            by: Some(a.by.clone()),
            to: a.manager.clone(),
            date: a.date,
            at: Some(a.at),
        });
    }
    if let Some(since) = subject.in_exchange_since
        && since > epoch.date.naive()
        && subject.assignments.last().is_some_and(|a| mine(&a.manager))
    {
        out.push(Notice {
            key: format!("x/{}/{}", subject.id, Date(since)),
            kind: NoticeKind::WentToExchange,
            client: subject.id.to_owned(),
            client_name: name(),
            how: None,
            by: None,
            to: None,
            date: Date(since),
            at: None,
        });
    }
}

/// Sorts notices newest first and keeps each key once (a client taken
/// from the user and later given back is both in the base and a
/// [`Former`]: its old notices come from both).
pub fn arrange(mut notices: Vec<Notice>) -> Vec<Notice> {
    notices.sort_by(Notice::newest_first);
    let mut seen = HashSet::with_capacity(notices.len());
    notices.retain(|n| seen.insert(n.key.clone()));
    notices
}

/// A client a device dropped because it was taken from its user: its name
/// and its assignments as the device last had them, with the one that took
/// it (from the relay's `kt-parted`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Former {
    pub id: String,
    /// The display name ([`ClientSummary::display_name`]).
    pub name: String,
    /// Oldest first.
    pub assignments: Vec<AssignmentSummary>,
}

impl Former {
    /// The client as the device last had it, and the assignment the relay
    /// says took it away (added unless the device already has it).
    pub fn of(summary: &ClientSummary, taking: AssignmentSummary) -> Former {
        let mut assignments = summary.assignments.clone();
        if !assignments.contains(&taking) {
            assignments.push(taking);
            assignments.sort_by_key(|a| (a.date, a.at));
        }
        Former {
            id: summary.id.to_string(),
            name: summary.display_name(),
            assignments,
        }
    }

    /// What the notices read of it (never in the exchange: it is not on
    /// the device).
    pub fn subject(&self) -> Subject<'_> {
        Subject {
            id: &self.id,
            legal_form: "",
            name: &self.name,
            assignments: &self.assignments,
            in_exchange_since: None,
        }
    }

    /// When it was last assigned.
    fn last_at(&self) -> Timestamp {
        self.assignments.last().map(|a| a.at).unwrap_or_default()
    }
}

/// Adds `former` to those a device keeps (replacing an older record of the
/// same client), keeping the newest [`FORMERS_KEPT`].
pub fn keep_former(formers: &mut Vec<Former>, former: Former) {
    formers.retain(|f| f.id != former.id);
    formers.push(former);
    formers.sort_by_key(|f| std::cmp::Reverse(f.last_at()));
    formers.truncate(FORMERS_KEPT);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    struct People {
        me: UserId,
        boss: UserId,
        other: UserId,
    }

    fn people() -> People {
        People {
            me: UserId("me".into()),
            boss: UserId("boss".into()),
            other: UserId("other".into()),
        }
    }

    fn day(d: u32) -> Date {
        Date::from_ymd(2026, 12, d).unwrap()
    }

    fn assignment(
        d: u32,
        at: i64,
        manager: Option<&UserId>,
        kind: AssignmentKind,
        by: &UserId,
    ) -> AssignmentSummary {
        AssignmentSummary {
            date: day(d),
            manager: manager.cloned(),
            kind,
            by: by.clone(),
            at: Timestamp(at),
        }
    }

    /// A client's summary named "Ромашка", id `c1`.
    fn a_summary() -> ClientSummary {
        let client = crate::demo::generate(1, day(1), 1).clients.remove(0);
        let mut s = ClientSummary::of(&client);
        s.id = crate::ids::ClientId("c1".into());
        s.name = "Ромашка".into();
        s.legal_form = String::new();
        s
    }

    const EPOCH: Epoch = Epoch {
        at: Timestamp(1_000),
        date: Date(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
    };

    fn derive(me: &UserId, log: &[AssignmentSummary], exchange: Option<u32>) -> Vec<Notice> {
        let mut out = Vec::new();
        let subject = Subject {
            id: "c1",
            legal_form: "",
            name: "Ромашка",
            assignments: log,
            in_exchange_since: exchange.map(|d| day(d).naive()),
        };
        notices_of(me, EPOCH, &subject, &mut out);
        arrange(out)
    }

    #[test]
    fn a_supervisor_gives_me_a_client() {
        let p = people();
        let log = [
            assignment(1, 10, Some(&p.other), AssignmentKind::Initial, &p.other),
            assignment(3, 2_000, Some(&p.me), AssignmentKind::Reassigned, &p.boss),
        ];
        let n = derive(&p.me, &log, None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, NoticeKind::GivenToMe);
        assert_eq!(n[0].by, Some(p.boss.clone()));
        assert_eq!(n[0].to, Some(p.me.clone()));
        assert_eq!(n[0].how, Some(AssignmentKind::Reassigned));
        assert_eq!(n[0].key, "g/c1/2000");
        // The other manager is told it was taken from them.
        let theirs = derive(&p.other, &log, None);
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].kind, NoticeKind::TakenFromMe);
        assert_eq!(theirs[0].to, Some(p.me.clone()));
        assert_eq!(theirs[0].key, "t/c1/2000");
        // The supervisor who did it is told nothing.
        assert!(derive(&p.boss, &log, None).is_empty());
    }

    #[test]
    fn what_i_did_myself_is_no_news() {
        let p = people();
        // I took a client from the exchange that used to be someone else's.
        let log = [
            assignment(1, 10, Some(&p.other), AssignmentKind::Initial, &p.boss),
            assignment(3, 2_000, Some(&p.me), AssignmentKind::FromExchange, &p.me),
        ];
        assert!(derive(&p.me, &log, None).is_empty());
        // The former manager learns who took it, and how.
        let theirs = derive(&p.other, &log, None);
        assert_eq!(theirs[0].kind, NoticeKind::TakenFromMe);
        assert_eq!(theirs[0].how, Some(AssignmentKind::FromExchange));
        assert_eq!(theirs[0].by, Some(p.me.clone()));
    }

    #[test]
    fn what_happened_before_the_epoch_is_not_told() {
        let p = people();
        let log = [
            assignment(1, 10, Some(&p.me), AssignmentKind::Initial, &p.boss),
            assignment(
                1,
                1_000,
                Some(&p.other),
                AssignmentKind::Reassigned,
                &p.boss,
            ),
        ];
        assert!(derive(&p.me, &log, None).is_empty());
        assert!(derive(&p.other, &log, None).is_empty());
    }

    #[test]
    fn a_client_moved_to_the_pool_is_taken_from_its_manager() {
        let p = people();
        let log = [
            assignment(1, 10, Some(&p.me), AssignmentKind::Initial, &p.boss),
            assignment(4, 3_000, None, AssignmentKind::ToPool, &p.boss),
        ];
        let n = derive(&p.me, &log, None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, NoticeKind::TakenFromMe);
        assert_eq!(n[0].to, None);
        assert_eq!(n[0].how, Some(AssignmentKind::ToPool));
    }

    #[test]
    fn a_client_of_mine_gone_to_the_exchange_after_the_epoch_is_told() {
        let p = people();
        let log = [assignment(
            1,
            10,
            Some(&p.me),
            AssignmentKind::Initial,
            &p.boss,
        )];
        let n = derive(&p.me, &log, Some(3));
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].kind, NoticeKind::WentToExchange);
        assert_eq!(n[0].date, day(3));
        assert_eq!(n[0].at, None);
        assert_eq!(n[0].key, "x/c1/2026-12-03");
        // On the epoch's day it went there as the day began, before the
        // device looked: history, as is every day before.
        assert!(derive(&p.me, &log, Some(2)).is_empty());
        assert!(derive(&p.me, &log, Some(1)).is_empty());
        // Not my client: the exchange is not news to me.
        assert!(derive(&p.other, &log, Some(5)).is_empty());
    }

    #[test]
    fn given_then_taken_reads_newest_first() {
        let p = people();
        let log = [
            assignment(1, 10, Some(&p.other), AssignmentKind::Initial, &p.boss),
            assignment(
                3,
                2_000,
                Some(&p.me),
                AssignmentKind::ApprovedRequest,
                &p.boss,
            ),
            assignment(
                5,
                4_000,
                Some(&p.other),
                AssignmentKind::Reassigned,
                &p.boss,
            ),
        ];
        let n = derive(&p.me, &log, None);
        let kinds: Vec<_> = n.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, [NoticeKind::TakenFromMe, NoticeKind::GivenToMe]);
        assert_ne!(n[0].key, n[1].key);
    }

    #[test]
    fn on_one_day_the_exchange_comes_before_what_was_written_that_day() {
        let p = people();
        let mut out = Vec::new();
        let log = [assignment(
            1,
            10,
            Some(&p.me),
            AssignmentKind::Initial,
            &p.boss,
        )];
        let in_exchange = Subject {
            id: "a",
            legal_form: "",
            name: "A",
            assignments: &log,
            in_exchange_since: Some(day(4).naive()),
        };
        notices_of(&p.me, EPOCH, &in_exchange, &mut out);
        let given = [assignment(
            4,
            5_000,
            Some(&p.me),
            AssignmentKind::Reassigned,
            &p.boss,
        )];
        let b = Subject {
            id: "b",
            legal_form: "",
            name: "B",
            assignments: &given,
            in_exchange_since: None,
        };
        notices_of(&p.me, EPOCH, &b, &mut out);
        let n = arrange(out);
        assert_eq!(n[0].client, "b");
        assert_eq!(n[1].client, "a");
    }

    #[test]
    fn a_former_client_keeps_its_notice_and_the_same_key() {
        let p = people();
        let mut summary = a_summary();
        summary.legal_form = "ООО".into();
        summary.assignments = vec![assignment(
            1,
            10,
            Some(&p.me),
            AssignmentKind::Initial,
            &p.boss,
        )];
        let taking = assignment(
            5,
            4_000,
            Some(&p.other),
            AssignmentKind::Reassigned,
            &p.boss,
        );
        let former = Former::of(&summary, taking.clone());
        assert_eq!(former.name, "ООО «Ромашка»");
        assert_eq!(former.assignments.len(), 2);
        // Told twice (two tabs, a repeated message): recorded once.
        assert_eq!(Former::of(&summary, taking.clone()).assignments.len(), 2);
        let mut out = Vec::new();
        notices_of(&p.me, EPOCH, &former.subject(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, NoticeKind::TakenFromMe);
        assert_eq!(out[0].client_name, "ООО «Ромашка»");
        // The key is the one the client itself gives, had the device kept it.
        summary.assignments.push(taking);
        let mut from_summary = Vec::new();
        notices_of(
            &p.me,
            EPOCH,
            &Subject::of(&summary, None),
            &mut from_summary,
        );
        assert_eq!(from_summary[0].key, out[0].key);
        // Both at once: told once.
        out.extend(from_summary);
        assert_eq!(arrange(out).len(), 1);
    }

    #[test]
    fn a_device_keeps_the_newest_formers_each_client_once() {
        let p = people();
        let former = |id: &str, at: i64| Former {
            id: id.to_owned(),
            name: id.to_owned(),
            assignments: vec![assignment(
                1,
                at,
                Some(&p.other),
                AssignmentKind::Reassigned,
                &p.boss,
            )],
        };
        let mut kept = Vec::new();
        for i in 0..(FORMERS_KEPT as i64 + 10) {
            keep_former(&mut kept, former(&format!("c{i}"), 1_000 + i));
        }
        assert_eq!(kept.len(), FORMERS_KEPT);
        assert_eq!(kept[0].id, format!("c{}", FORMERS_KEPT + 9));
        assert!(!kept.iter().any(|f| f.id == "c0"));
        keep_former(&mut kept, former("c5", 99_999));
        assert_eq!(kept.iter().filter(|f| f.id == "c5").count(), 1);
        assert_eq!(kept[0].id, "c5");
    }

    #[test]
    fn a_client_that_never_was_mine_concerns_me_not() {
        let p = people();
        let summary = {
            let mut s = a_summary();
            s.assignments = vec![assignment(
                1,
                10,
                Some(&p.other),
                AssignmentKind::Initial,
                &p.boss,
            )];
            s
        };
        assert!(!Subject::of(&summary, None).concerns(&p.me));
        assert!(Subject::of(&summary, None).concerns(&p.other));
    }
}
