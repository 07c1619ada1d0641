//! The sales funnel by scenario state (воронка продаж, SPEC 8): of the
//! Interests created in a period, how many reached each state of a
//! scenario, the conversion from one step to the next, and where the ones
//! that ended unsuccessfully dropped out.
//!
//! The funnel is cumulative. Its steps are the scenario's states in their
//! order, leaving out the states of unsuccessful completion (Rejected):
//! those are not a stage a sale passes through but a way out of it. An
//! Interest counts as having reached every step up to the furthest one it
//! was ever in, so one moved from New straight to Offer has reached In
//! processing too. An Interest that ended unsuccessfully *dropped out at*
//! the last step it was in before that end.

use crate::client::Outcome;
use crate::date::Date;
use crate::ids::UserId;
use crate::summary::InterestSummary;
use crate::workspace::Scenario;

/// Which Interests a funnel counts; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelFilter {
    /// Interests created on or after this day.
    pub from: Option<Date>,
    /// Interests created on or before this day.
    pub to: Option<Date>,
    /// Interests this person is responsible for.
    pub responsible: Option<UserId>,
    /// Interests of this service type.
    pub service_type: Option<String>,
}

impl FunnelFilter {
    /// Whether the filter lets this Interest through (its scenario aside).
    pub fn admits(&self, i: &InterestSummary) -> bool {
        self.from.is_none_or(|from| i.created >= from)
            && self.to.is_none_or(|to| i.created <= to)
            && self
                .responsible
                .as_ref()
                .is_none_or(|r| i.responsible.as_ref() == Some(r))
            && self
                .service_type
                .as_deref()
                .is_none_or(|t| i.service_type == t)
    }
}

/// One step of the funnel: a state of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStep {
    /// The state's id in the scenario.
    pub state: String,
    /// Interests that reached this step or a later one.
    pub reached: u32,
    /// `reached` as a percentage of the previous step's; `None` for the
    /// first step and after a step nobody reached.
    pub conversion: Option<f64>,
    /// Interests that ended unsuccessfully while at this step.
    pub dropped: u32,
}

/// The funnel of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    /// The scenario's id.
    pub scenario: String,
    /// How many Interests were counted (everyone reached the first step).
    pub interests: u32,
    /// The steps in the scenario's order.
    pub steps: Vec<FunnelStep>,
    /// Interests that ended unsuccessfully, at any step.
    pub dropped: u32,
}

impl Funnel {
    /// A step's `reached` as a percentage of the first step's (the width
    /// of its bar); `None` when nobody is counted.
    pub fn share(&self, step: &FunnelStep) -> Option<f64> {
        percent(step.reached, self.interests)
    }

    /// The last step's `reached` as a percentage of the first step's.
    pub fn overall_conversion(&self) -> Option<f64> {
        self.steps.last().and_then(|s| self.share(s))
    }
}

/// `part` as a percentage of `whole`; `None` when `whole` is 0.
pub fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) * 100.0 / f64::from(whole))
}

/// The funnel of `scenario` over the Interests that follow it and pass the
/// filter; Interests of other scenarios are skipped.
pub fn funnel<'a>(
    scenario: &Scenario,
    interests: impl IntoIterator<Item = &'a InterestSummary>,
    filter: &FunnelFilter,
) -> Funnel {
    let steps: Vec<&str> = scenario
        .states
        .iter()
        .filter(|s| s.ends != Some(Outcome::Failure))
        .map(|s| s.id.as_str())
        .collect();
    let step_of = |state: &str| steps.iter().position(|s| *s == state);
    let is_failure = |state: &str| {
        scenario
            .state(state)
            .is_some_and(|s| s.ends == Some(Outcome::Failure))
    };
    let success_step = scenario
        .states
        .iter()
        .find(|s| s.ends == Some(Outcome::Success))
        .and_then(|s| step_of(&s.id));

    let mut reached = vec![0u32; steps.len()];
    let mut dropped = vec![0u32; steps.len()];
    let mut counted = 0u32;
    let mut dropped_total = 0u32;
    for i in interests {
        if i.scenario != scenario.id || !filter.admits(i) || steps.is_empty() {
            continue;
        }
        counted += 1;
        // Every Interest starts at the first state; then the states it was
        // moved into, in order; then where it is now.
        let path = std::iter::once(steps[0])
            .chain(i.moves.iter().map(|(_, s)| s.as_str()))
            .chain(std::iter::once(i.state.as_str()));
        let mut furthest = 0;
        let mut last = 0;
        for index in path.filter_map(step_of) {
            furthest = furthest.max(index);
            last = index;
        }
        // Completed successfully by a path that left no move into the
        // success state (a scenario changed since): it got there all the same.
        if i.outcome == Some(Outcome::Success) {
            furthest = furthest.max(success_step.unwrap_or(furthest));
        }
        for r in &mut reached[..=furthest] {
            *r += 1;
        }
        if i.outcome == Some(Outcome::Failure) || is_failure(&i.state) {
            dropped[last] += 1;
            dropped_total += 1;
        }
    }
    let steps = steps
        .iter()
        .enumerate()
        .map(|(k, state)| FunnelStep {
            state: (*state).to_owned(),
            reached: reached[k],
            conversion: k
                .checked_sub(1)
                .and_then(|prev| percent(reached[k], reached[prev])),
            dropped: dropped[k],
        })
        .collect();
    Funnel {
        scenario: scenario.id.clone(),
        interests: counted,
        steps,
        dropped: dropped_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{LEAD_SCENARIO, WINBACK_SCENARIO, WorkspaceDoc};

    fn day(d: u32) -> Date {
        Date::from_ymd(2026, 11, d).expect("date")
    }

    fn scenario(id: &str) -> Scenario {
        WorkspaceDoc::new("Test", [])
            .scenarios
            .remove(id)
            .expect("scenario")
    }

    fn user(n: u8) -> UserId {
        UserId(format!("00000000-0000-4000-8000-{n:012}"))
    }

    /// An Interest created on `created` by user 1, moved through `moves`
    /// (one a day after creation); it is now in the last one.
    fn interest(created: u32, moves: &[&str]) -> InterestSummary {
        let state = moves.last().copied().unwrap_or("new");
        let outcome = match state {
            "converted" | "returned" => Some(Outcome::Success),
            "rejected" | "declined" => Some(Outcome::Failure),
            _ => None,
        };
        InterestSummary {
            id: format!("{created}-{}", moves.join("-")),
            content: "Станок".into(),
            service_type: "equipment".into(),
            scenario: LEAD_SCENARIO.into(),
            state: state.into(),
            responsible: Some(user(1)),
            created: day(created),
            completed: outcome.map(|_| day(created + moves.len() as u32)),
            outcome,
            reason: None,
            follow_up: None,
            moves: moves
                .iter()
                .enumerate()
                .map(|(k, s)| (day(created + k as u32 + 1), (*s).to_owned()))
                .collect(),
        }
    }

    fn reached(f: &Funnel) -> Vec<(&str, u32)> {
        f.steps
            .iter()
            .map(|s| (s.state.as_str(), s.reached))
            .collect()
    }

    fn dropped(f: &Funnel) -> Vec<(&str, u32)> {
        f.steps
            .iter()
            .map(|s| (s.state.as_str(), s.dropped))
            .collect()
    }

    #[test]
    fn rejected_is_not_a_step_and_every_step_counts_who_reached_it_or_further() {
        let all = [
            interest(1, &[]),
            interest(2, &["processing"]),
            interest(3, &["processing", "offer", "follow_up", "converted"]),
            interest(4, &["processing", "offer"]),
        ];
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &FunnelFilter::default());
        assert_eq!(f.interests, 4);
        assert_eq!(
            reached(&f),
            [
                ("new", 4),
                ("processing", 3),
                ("offer", 2),
                ("follow_up", 1),
                ("converted", 1)
            ]
        );
        assert_eq!(f.dropped, 0);
        assert_eq!(f.overall_conversion(), Some(25.0));
    }

    #[test]
    fn an_interest_moved_straight_to_offer_reached_in_processing_too() {
        let all = [interest(1, &["offer"])];
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &FunnelFilter::default());
        assert_eq!(
            reached(&f),
            [
                ("new", 1),
                ("processing", 1),
                ("offer", 1),
                ("follow_up", 0),
                ("converted", 0)
            ]
        );
    }

    #[test]
    fn a_rejected_interest_drops_out_at_its_last_step_before_the_rejection() {
        let all = [
            interest(1, &["rejected"]),
            interest(2, &["processing", "offer", "rejected"]),
            interest(3, &["offer", "processing", "rejected"]),
            interest(4, &["processing", "offer", "follow_up", "converted"]),
        ];
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &FunnelFilter::default());
        assert_eq!(
            reached(&f),
            [
                ("new", 4),
                ("processing", 3),
                ("offer", 3),
                ("follow_up", 1),
                ("converted", 1)
            ]
        );
        assert_eq!(
            dropped(&f),
            [
                ("new", 1),
                ("processing", 1),
                ("offer", 1),
                ("follow_up", 0),
                ("converted", 0)
            ]
        );
        assert_eq!(f.dropped, 3);
    }

    #[test]
    fn conversion_is_from_the_previous_step_and_nobody_is_not_a_division_by_zero() {
        let all = [
            interest(1, &["processing"]),
            interest(2, &["processing", "offer"]),
            interest(3, &[]),
            interest(4, &[]),
        ];
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &FunnelFilter::default());
        let conv: Vec<Option<f64>> = f.steps.iter().map(|s| s.conversion).collect();
        assert_eq!(conv, [None, Some(50.0), Some(50.0), Some(0.0), None]);

        let empty = funnel(
            &scenario(LEAD_SCENARIO),
            std::iter::empty(),
            &FunnelFilter::default(),
        );
        assert_eq!(empty.interests, 0);
        assert!(empty.steps.iter().all(|s| s.conversion.is_none()));
        assert_eq!(empty.overall_conversion(), None);
    }

    #[test]
    fn win_back_interests_count_only_in_the_win_back_funnel() {
        let mut winback = interest(1, &["contact", "returned"]);
        winback.scenario = WINBACK_SCENARIO.into();
        let mut declined = interest(2, &["declined"]);
        declined.scenario = WINBACK_SCENARIO.into();
        let all = [winback, declined, interest(3, &["processing"])];

        let lead = funnel(&scenario(LEAD_SCENARIO), &all, &FunnelFilter::default());
        assert_eq!(lead.interests, 1);

        let f = funnel(&scenario(WINBACK_SCENARIO), &all, &FunnelFilter::default());
        assert_eq!(f.interests, 2);
        assert_eq!(reached(&f), [("new", 2), ("contact", 1), ("returned", 1)]);
        assert_eq!(dropped(&f), [("new", 1), ("contact", 0), ("returned", 0)]);
    }

    #[test]
    fn the_period_counts_interests_created_in_it_both_ends_included() {
        let all = [
            interest(1, &["offer"]),
            interest(5, &["processing"]),
            interest(10, &[]),
            interest(11, &["rejected"]),
        ];
        let filter = FunnelFilter {
            from: Some(day(5)),
            to: Some(day(10)),
            ..FunnelFilter::default()
        };
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &filter);
        assert_eq!(f.interests, 2);
        assert_eq!(reached(&f)[1], ("processing", 1));
        assert_eq!(f.dropped, 0);
    }

    #[test]
    fn a_manager_filter_counts_only_that_managers_interests() {
        let mut other = interest(2, &["processing", "offer"]);
        other.responsible = Some(user(2));
        let mut nobody = interest(3, &["offer"]);
        nobody.responsible = None;
        let all = [interest(1, &["processing"]), other, nobody];
        let mine = FunnelFilter {
            responsible: Some(user(1)),
            ..FunnelFilter::default()
        };
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &mine);
        assert_eq!(f.interests, 1);
        assert_eq!(
            reached(&f)[..3],
            [("new", 1), ("processing", 1), ("offer", 0)]
        );
        let theirs = FunnelFilter {
            responsible: Some(user(2)),
            ..FunnelFilter::default()
        };
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &theirs);
        assert_eq!(reached(&f)[2], ("offer", 1));
    }

    #[test]
    fn a_service_type_filter_counts_only_that_service_type() {
        let mut service = interest(2, &["offer"]);
        service.service_type = "service".into();
        let all = [interest(1, &[]), service];
        let filter = FunnelFilter {
            service_type: Some("service".into()),
            ..FunnelFilter::default()
        };
        let f = funnel(&scenario(LEAD_SCENARIO), &all, &filter);
        assert_eq!(f.interests, 1);
        assert_eq!(reached(&f)[2], ("offer", 1));
    }

    #[test]
    fn an_interest_completed_unsuccessfully_in_a_plain_state_drops_out_there() {
        let mut i = interest(1, &["processing"]);
        i.outcome = Some(Outcome::Failure);
        i.completed = Some(day(3));
        let f = funnel(&scenario(LEAD_SCENARIO), [&i], &FunnelFilter::default());
        assert_eq!(dropped(&f)[1], ("processing", 1));
        assert_eq!(f.dropped, 1);
    }

    #[test]
    fn an_interest_in_a_state_the_scenario_no_longer_has_still_reached_the_first_step() {
        let i = interest(1, &["meeting"]);
        let f = funnel(&scenario(LEAD_SCENARIO), [&i], &FunnelFilter::default());
        assert_eq!(reached(&f)[..2], [("new", 1), ("processing", 0)]);
    }

    #[test]
    fn the_demo_base_gives_a_funnel_that_narrows() {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        let demo = crate::demo::generate(200, today, 1);
        let summaries: Vec<_> = demo
            .clients
            .iter()
            .map(crate::summary::ClientSummary::of)
            .collect();
        let f = funnel(
            &scenario(LEAD_SCENARIO),
            summaries.iter().flat_map(|s| &s.interests),
            &FunnelFilter::default(),
        );
        assert!(f.interests > 0);
        assert_eq!(f.steps[0].reached, f.interests);
        for w in f.steps.windows(2) {
            assert!(w[1].reached <= w[0].reached);
        }
        for s in &f.steps {
            assert!(s.dropped <= s.reached);
        }
    }
}
