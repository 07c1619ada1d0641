//! Why leads are lost (SPEC 4, 8): of the Interests completed unsuccessfully
//! in a period, how many for each reason, in total and per manager, to read
//! beside the funnel ([`crate::report::funnel`]).
//!
//! An Interest counts in the period of its completion date (when it was
//! lost), and for its responsible manager. Reasons are ids from the
//! workspace's list; one since removed from the list still counts under its
//! id, and an end with no reason (before reasons were required) counts as
//! "no reason".

use std::collections::BTreeMap;

use crate::client::Outcome;
use crate::ids::UserId;
use crate::report::funnel::percent;
use crate::report::period::Period;
use crate::summary::InterestSummary;
use crate::workspace::Reason;

/// Which unsuccessful ends are counted; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectionFilter {
    /// Interests completed in this period.
    pub period: Period,
    /// Interests of this scenario (the funnel's).
    pub scenario: Option<String>,
    /// Interests of this service type.
    pub service_type: Option<String>,
}

impl RejectionFilter {
    /// Whether this Interest ended unsuccessfully in the period and passes
    /// the filter.
    pub fn admits(&self, i: &InterestSummary) -> bool {
        i.outcome == Some(Outcome::Failure)
            && i.completed.is_some_and(|d| self.period.contains(d))
            && self.scenario.as_deref().is_none_or(|s| i.scenario == s)
            && self
                .service_type
                .as_deref()
                .is_none_or(|t| i.service_type == t)
    }
}

/// Unsuccessful ends counted by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReasonCounts {
    pub total: u32,
    /// By reason id; `None` is "no reason".
    pub by_reason: BTreeMap<Option<String>, u32>,
}

/// One line of the reasons table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonRow {
    /// The reason's id; `None` is "no reason".
    pub reason: Option<String>,
    /// Whether the reason is in the workspace's list (else it was removed
    /// and the app shows its id).
    pub listed: bool,
    pub count: u32,
    /// `count` as a percentage of all the unsuccessful ends counted.
    pub share: Option<f64>,
}

impl ReasonCounts {
    fn add(&mut self, reason: Option<&str>) {
        self.total += 1;
        *self.by_reason.entry(reason.map(str::to_owned)).or_default() += 1;
    }

    /// How many ends had this reason.
    pub fn count(&self, reason: Option<&str>) -> u32 {
        self.by_reason
            .get(&reason.map(str::to_owned))
            .copied()
            .unwrap_or(0)
    }

    /// The table's lines: every reason of the list in its order (a reason
    /// nobody gave shows 0), then reasons no longer in the list, then "no
    /// reason" if any end had none.
    pub fn rows(&self, reasons: &[Reason]) -> Vec<ReasonRow> {
        let row = |reason: Option<&str>, listed: bool| {
            let count = self.count(reason);
            ReasonRow {
                reason: reason.map(str::to_owned),
                listed,
                count,
                share: percent(count, self.total),
            }
        };
        let mut rows: Vec<ReasonRow> = reasons
            .iter()
            .map(|r| row(Some(r.id.as_str()), true))
            .collect();
        for id in self.by_reason.keys().flatten() {
            if !reasons.iter().any(|r| &r.id == id) {
                rows.push(row(Some(id.as_str()), false));
            }
        }
        if self.count(None) > 0 {
            rows.push(row(None, false));
        }
        rows
    }
}

/// The statistics of rejection reasons: in total and per responsible
/// manager (`None`: Interests with no responsible).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectionStats {
    pub total: ReasonCounts,
    pub by_manager: BTreeMap<Option<UserId>, ReasonCounts>,
}

/// Counts the unsuccessful ends among `interests` that the filter admits.
pub fn rejection_reasons<'a>(
    interests: impl IntoIterator<Item = &'a InterestSummary>,
    filter: &RejectionFilter,
) -> RejectionStats {
    let mut stats = RejectionStats::default();
    for i in interests.into_iter().filter(|i| filter.admits(i)) {
        let reason = i.reason.as_deref().filter(|r| !r.is_empty());
        stats.total.add(reason);
        stats
            .by_manager
            .entry(i.responsible.clone())
            .or_default()
            .add(reason);
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::workspace::{LEAD_SCENARIO, WINBACK_SCENARIO, WorkspaceDoc};

    fn day(d: u32) -> Date {
        Date::from_ymd(2026, 11, d).expect("a November day")
    }

    fn user(n: u8) -> UserId {
        UserId(format!("00000000-0000-4000-8000-{n:012}"))
    }

    /// An Interest of manager `m` that ended on `completed` with `outcome`.
    fn ended(m: u8, completed: u32, outcome: Outcome, reason: Option<&str>) -> InterestSummary {
        InterestSummary {
            id: format!("{m}-{completed}-{reason:?}"),
            content: "Станок".into(),
            service_type: "equipment".into(),
            scenario: LEAD_SCENARIO.into(),
            state: match outcome {
                Outcome::Success => "converted",
                Outcome::Failure => "rejected",
            }
            .into(),
            responsible: Some(user(m)),
            created: day(1),
            completed: Some(day(completed)),
            outcome: Some(outcome),
            reason: reason.map(str::to_owned),
            follow_up: None,
            moves: Vec::new(),
        }
    }

    fn lost(m: u8, completed: u32, reason: &str) -> InterestSummary {
        ended(m, completed, Outcome::Failure, Some(reason))
    }

    #[test]
    fn rejections_in_the_period_are_counted_by_reason_in_total_and_per_manager() {
        let mut open = lost(1, 10, "price");
        open.completed = None;
        open.outcome = None;
        let all = [
            lost(1, 10, "price"),
            lost(1, 11, "price"),
            lost(1, 12, "competitor"),
            lost(2, 10, "price"),
            ended(2, 10, Outcome::Success, None),
            lost(2, 4, "no_need"),  // before the period
            lost(2, 21, "no_need"), // after it
            open,
        ];
        let filter = RejectionFilter {
            period: Period::between(day(5), day(20)),
            ..RejectionFilter::default()
        };
        let stats = rejection_reasons(&all, &filter);
        assert_eq!(stats.total.total, 4);
        assert_eq!(stats.total.count(Some("price")), 3);
        assert_eq!(stats.total.count(Some("no_need")), 0);
        let m1 = &stats.by_manager[&Some(user(1))];
        assert_eq!((m1.total, m1.count(Some("competitor"))), (3, 1));
        assert_eq!(stats.by_manager[&Some(user(2))].total, 1);
    }

    #[test]
    fn the_table_lists_every_reason_in_order_then_removed_ones_then_no_reason() {
        let reasons = WorkspaceDoc::new("Test", []).rejection_reasons;
        let all = [
            lost(1, 10, "competitor"),
            lost(1, 10, "competitor"),
            lost(1, 10, "old_reason"),
            ended(1, 10, Outcome::Failure, None),
        ];
        let stats = rejection_reasons(&all, &RejectionFilter::default());
        let rows = stats.total.rows(&reasons);
        let ids: Vec<Option<&str>> = rows.iter().map(|r| r.reason.as_deref()).collect();
        assert_eq!(
            ids,
            [
                Some("unreachable"),
                Some("price"),
                Some("no_need"),
                Some("competitor"),
                Some("other"),
                Some("old_reason"),
                None
            ]
        );
        assert_eq!(rows[3].count, 2);
        assert_eq!(rows[3].share, Some(50.0));
        assert_eq!(rows[0].count, 0);
        assert!(!rows[5].listed && rows[3].listed);
        assert_eq!(rows[6].count, 1);
        // Nothing lost: every listed reason at 0, no share, no extra rows.
        let none = rejection_reasons(std::iter::empty(), &RejectionFilter::default());
        let rows = none.total.rows(&reasons);
        assert_eq!(rows.len(), reasons.len());
        assert!(rows.iter().all(|r| r.count == 0 && r.share.is_none()));
    }

    #[test]
    fn the_scenario_filter_keeps_win_back_rejections_apart() {
        let mut winback = lost(1, 10, "price");
        winback.scenario = WINBACK_SCENARIO.into();
        let all = [winback, lost(1, 10, "price")];
        let leads = RejectionFilter {
            scenario: Some(LEAD_SCENARIO.into()),
            ..RejectionFilter::default()
        };
        assert_eq!(rejection_reasons(&all, &leads).total.total, 1);
        assert_eq!(
            rejection_reasons(&all, &RejectionFilter::default())
                .total
                .total,
            2
        );
    }
}
