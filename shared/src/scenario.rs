//! Sales scenarios at work (SPEC 4): registering an Interest in the first
//! state of its scenario, and moving it between states — the refusal of a
//! state that requires a registered client, the end of an Interest in a
//! successful or unsuccessful final state (the latter with a reason), and
//! reopening an ended one.
//!
//! The scenarios themselves (states, hints, flags) are workspace settings
//! ([`crate::workspace::Scenario`]); this module is what happens to an
//! Interest under them.

use crate::client::{Interest, Outcome, Transition};
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::workspace::{Reason, Scenario, WorkspaceDoc};

/// Why an Interest cannot be registered or moved. The app words each one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("the Interest's content (what the client needs) is empty")]
    EmptyContent,
    #[error("there is no scenario {0:?}")]
    UnknownScenario(String),
    #[error("the scenario {0:?} has no states")]
    NoStates(String),
    #[error("the scenario has no state {0:?}")]
    UnknownState(String),
    #[error("the Interest is already in this state")]
    SameState,
    /// The state needs a client card, and the Interest is a potential
    /// client's: link it to a client or create the card first.
    #[error("the state {state:?} requires a registered client")]
    RequiresClient { state: String },
    /// An unsuccessful end needs the reason, chosen from the list.
    #[error("an unsuccessful end needs a reason from the list")]
    ReasonRequired,
}

/// What a person registers (SPEC 4, "Fields").
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub content: String,
    pub service_type: String,
    pub scenario: String,
    pub responsible: Option<UserId>,
    pub follow_up: Option<Date>,
}

/// Who does something, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Act {
    pub by: UserId,
    pub date: Date,
    pub at: Timestamp,
}

/// The scenario of a service type, for the registration form: the one the
/// service type names, if it exists.
pub fn scenario_of_service<'a>(ws: &'a WorkspaceDoc, service_type: &str) -> Option<&'a Scenario> {
    ws.service_types
        .get(service_type)
        .and_then(|s| ws.scenarios.get(&s.scenario))
}

/// A new Interest with id `id` in the first state of its scenario.
pub fn register(
    ws: &WorkspaceDoc,
    id: String,
    form: Registration,
    act: &Act,
) -> Result<Interest, ScenarioError> {
    let content = form.content.trim();
    if content.is_empty() {
        return Err(ScenarioError::EmptyContent);
    }
    let scenario = ws
        .scenarios
        .get(&form.scenario)
        .ok_or_else(|| ScenarioError::UnknownScenario(form.scenario.clone()))?;
    let first = scenario
        .initial_state()
        .ok_or_else(|| ScenarioError::NoStates(form.scenario.clone()))?;
    Ok(Interest {
        id,
        created: act.date,
        created_by: act.by.clone(),
        created_at: act.at,
        content: content.to_owned(),
        service_type: form.service_type,
        scenario: form.scenario,
        state: first.id.clone(),
        responsible: form.responsible,
        completed: None,
        outcome: None,
        reason: None,
        transitions: Default::default(),
        follow_up: form.follow_up,
    })
}

/// Where an Interest may go and whether it may go there now: `Ok` with the
/// outcome the move ends it with (if any), or the refusal.
pub fn check_move(
    interest: &Interest,
    scenario: &Scenario,
    to: &str,
    has_client: bool,
    reason: Option<&str>,
    reasons: &[Reason],
) -> Result<Option<Outcome>, ScenarioError> {
    let target = scenario
        .state(to)
        .ok_or_else(|| ScenarioError::UnknownState(to.to_owned()))?;
    if interest.state == to {
        return Err(ScenarioError::SameState);
    }
    if target.requires_client && !has_client {
        return Err(ScenarioError::RequiresClient {
            state: target.id.clone(),
        });
    }
    if target.ends == Some(Outcome::Failure) {
        check_reason(reason, reasons)?;
    }
    Ok(target.ends)
}

/// An unsuccessful end's reason: given, and one of the list (when there is
/// a list).
fn check_reason(reason: Option<&str>, reasons: &[Reason]) -> Result<(), ScenarioError> {
    let given = reason.map(str::trim).unwrap_or_default();
    let known = reasons.is_empty() || reasons.iter().any(|r| r.id == given);
    if given.is_empty() || !known {
        return Err(ScenarioError::ReasonRequired);
    }
    Ok(())
}

/// Moves an Interest to state `to` of its scenario (see [`check_move`]) and
/// records the move. Reaching a final state completes the Interest with
/// that state's outcome (an unsuccessful one with its reason); moving an
/// ended Interest back into a working state reopens it.
#[allow(clippy::too_many_arguments)]
pub fn move_interest(
    interest: &mut Interest,
    scenario: &Scenario,
    to: &str,
    has_client: bool,
    reason: Option<&str>,
    reasons: &[Reason],
    transition_id: String,
    act: &Act,
) -> Result<(), ScenarioError> {
    let ends = check_move(interest, scenario, to, has_client, reason, reasons)?;
    interest.transitions.insert(
        transition_id.clone(),
        Transition {
            id: transition_id,
            date: act.date,
            at: act.at,
            from: interest.state.clone(),
            to: to.to_owned(),
            by: act.by.clone(),
        },
    );
    interest.state = to.to_owned();
    match ends {
        Some(outcome) => end_interest(interest, outcome, reason, act.date),
        None => {
            interest.completed = None;
            interest.outcome = None;
            interest.reason = None;
        }
    }
    Ok(())
}

/// Ends an Interest with `outcome` on `act.date` (the card's "Завершить
/// успешно / без продажи"): a move into its scenario's final state for
/// that outcome, checked as any move ([`check_move`]: a state that
/// requires a client, a reason from the list); or, when the scenario has
/// no such state (or the Interest is in it already), the Interest ends
/// where it is, an unsuccessful end still with its reason.
#[allow(clippy::too_many_arguments)]
pub fn complete_interest(
    interest: &mut Interest,
    scenario: Option<&Scenario>,
    outcome: Outcome,
    has_client: bool,
    reason: Option<&str>,
    reasons: &[Reason],
    transition_id: String,
    act: &Act,
) -> Result<(), ScenarioError> {
    let end = scenario
        .and_then(|s| s.states.iter().find(|st| st.ends == Some(outcome)))
        .filter(|st| st.id != interest.state);
    if let (Some(scenario), Some(end)) = (scenario, end) {
        let to = end.id.clone();
        return move_interest(
            interest,
            scenario,
            &to,
            has_client,
            reason,
            reasons,
            transition_id,
            act,
        );
    }
    if outcome == Outcome::Failure {
        check_reason(reason, reasons)?;
    }
    end_interest(interest, outcome, reason, act.date);
    Ok(())
}

/// Marks an Interest ended on `date`: its outcome, the reason of an
/// unsuccessful end, and nothing left to follow up.
fn end_interest(interest: &mut Interest, outcome: Outcome, reason: Option<&str>, date: Date) {
    interest.completed = Some(date);
    interest.outcome = Some(outcome);
    interest.reason = match outcome {
        Outcome::Failure => reason.map(|r| r.trim().to_owned()),
        Outcome::Success => None,
    };
    interest.follow_up = None;
}

/// Whether an open Interest's follow-up date has passed.
pub fn is_overdue(follow_up: Option<Date>, completed: Option<Date>, today: Date) -> bool {
    completed.is_none() && follow_up.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{LEAD_SCENARIO, WINBACK_SCENARIO};

    fn ws() -> WorkspaceDoc {
        WorkspaceDoc::new("test", [])
    }

    fn act(day: u32) -> Act {
        Act {
            by: UserId("00000000-0000-4000-8000-000000000001".into()),
            date: Date::from_ymd(2026, 11, day).expect("date"),
            at: Timestamp(i64::from(day) * 86_400_000),
        }
    }

    fn lead(ws: &WorkspaceDoc) -> Interest {
        register(
            ws,
            "i1".into(),
            Registration {
                content: "  Станок ЧПУ  ".into(),
                service_type: "equipment".into(),
                scenario: LEAD_SCENARIO.into(),
                responsible: None,
                follow_up: Date::from_ymd(2026, 11, 25),
            },
            &act(1),
        )
        .expect("registered")
    }

    #[test]
    fn a_new_interest_starts_in_the_first_state_with_trimmed_content() {
        let ws = ws();
        let i = lead(&ws);
        assert_eq!(i.state, "new");
        assert_eq!(i.content, "Станок ЧПУ");
        assert!(i.completed.is_none());
        assert!(i.transitions.is_empty());
    }

    #[test]
    fn registration_refuses_empty_content_and_unknown_scenarios() {
        let ws = ws();
        let form = |content: &str, scenario: &str| Registration {
            content: content.into(),
            service_type: String::new(),
            scenario: scenario.into(),
            responsible: None,
            follow_up: None,
        };
        assert_eq!(
            register(&ws, "x".into(), form("   ", LEAD_SCENARIO), &act(1)),
            Err(ScenarioError::EmptyContent)
        );
        assert_eq!(
            register(&ws, "x".into(), form("need", "nope"), &act(1)),
            Err(ScenarioError::UnknownScenario("nope".into()))
        );
    }

    #[test]
    fn the_scenario_follows_the_service_type() {
        let ws = ws();
        assert_eq!(
            scenario_of_service(&ws, "service").map(|s| s.id.as_str()),
            Some(LEAD_SCENARIO)
        );
        assert!(scenario_of_service(&ws, "unknown").is_none());
    }

    #[test]
    fn a_state_that_requires_a_client_refuses_a_potential_clients_interest() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let mut i = lead(&ws);
        // "В обработке" does not need a card.
        move_interest(
            &mut i,
            scenario,
            "processing",
            false,
            None,
            &[],
            "t1".into(),
            &act(2),
        )
        .expect("moved");
        let before = i.clone();
        let refused = move_interest(
            &mut i,
            scenario,
            "offer",
            false,
            None,
            &[],
            "t2".into(),
            &act(3),
        );
        assert_eq!(
            refused,
            Err(ScenarioError::RequiresClient {
                state: "offer".into()
            })
        );
        assert_eq!(i, before, "a refused move changes nothing");
        // Once linked to a client it goes.
        move_interest(
            &mut i,
            scenario,
            "offer",
            true,
            None,
            &[],
            "t2".into(),
            &act(3),
        )
        .expect("moved with a client");
        assert_eq!(i.state, "offer");
        assert_eq!(i.transitions.len(), 2);
        assert_eq!(i.transitions["t2"].from, "processing");
    }

    #[test]
    fn the_successful_end_completes_the_interest() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let mut i = lead(&ws);
        move_interest(
            &mut i,
            scenario,
            "converted",
            true,
            None,
            &[],
            "t".into(),
            &act(9),
        )
        .expect("converted");
        assert_eq!(i.outcome, Some(Outcome::Success));
        assert_eq!(i.completed, Date::from_ymd(2026, 11, 9));
        assert_eq!(i.reason, None);
        assert_eq!(i.follow_up, None, "nothing to follow up on a closed sale");
    }

    #[test]
    fn the_unsuccessful_end_needs_a_reason_from_the_list() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let reasons = &ws.rejection_reasons;
        let mut i = lead(&ws);
        for reason in [None, Some(""), Some("  "), Some("made-up")] {
            assert_eq!(
                move_interest(
                    &mut i,
                    scenario,
                    "rejected",
                    true,
                    reason,
                    reasons,
                    "t".into(),
                    &act(4)
                ),
                Err(ScenarioError::ReasonRequired),
                "{reason:?}"
            );
        }
        // A potential client's Interest can be rejected: no card needed.
        move_interest(
            &mut i,
            scenario,
            "rejected",
            false,
            Some("price"),
            reasons,
            "t".into(),
            &act(4),
        )
        .expect("rejected");
        assert_eq!(i.outcome, Some(Outcome::Failure));
        assert_eq!(i.reason.as_deref(), Some("price"));
        assert_eq!(i.completed, Date::from_ymd(2026, 11, 4));
    }

    #[test]
    fn moving_an_ended_interest_back_reopens_it() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let reasons = &ws.rejection_reasons;
        let mut i = lead(&ws);
        move_interest(
            &mut i,
            scenario,
            "rejected",
            true,
            Some("price"),
            reasons,
            "a".into(),
            &act(4),
        )
        .expect("rejected");
        move_interest(
            &mut i,
            scenario,
            "follow_up",
            true,
            None,
            reasons,
            "b".into(),
            &act(6),
        )
        .expect("reopened");
        assert_eq!(i.completed, None);
        assert_eq!(i.outcome, None);
        assert_eq!(i.reason, None);
        assert_eq!(i.transitions.len(), 2);
    }

    #[test]
    fn unknown_and_same_states_are_refused() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let mut i = lead(&ws);
        assert_eq!(
            move_interest(
                &mut i,
                scenario,
                "new",
                true,
                None,
                &[],
                "t".into(),
                &act(2)
            ),
            Err(ScenarioError::SameState)
        );
        assert_eq!(
            move_interest(
                &mut i,
                scenario,
                "gone",
                true,
                None,
                &[],
                "t".into(),
                &act(2)
            ),
            Err(ScenarioError::UnknownState("gone".into()))
        );
    }

    #[test]
    fn every_state_of_the_winback_scenario_needs_the_client() {
        let ws = ws();
        let scenario = &ws.scenarios[WINBACK_SCENARIO];
        assert!(scenario.states.iter().all(|s| s.requires_client));
        assert_eq!(
            scenario.states.iter().filter(|s| s.ends.is_some()).count(),
            2
        );
    }

    #[test]
    fn only_an_open_interest_past_its_follow_up_is_overdue() {
        let d = |n| Date::from_ymd(2026, 11, n);
        let today = d(10).expect("date");
        assert!(is_overdue(d(9), None, today));
        assert!(!is_overdue(d(10), None, today));
        assert!(!is_overdue(d(9), d(9), today));
        assert!(!is_overdue(None, None, today));
    }

    #[test]
    fn completing_moves_into_the_scenarios_end_for_the_outcome_checked_as_a_move() {
        let ws = ws();
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let reasons = &ws.rejection_reasons;
        let complete = |i: &mut Interest, outcome, has_client, reason| {
            complete_interest(
                i,
                Some(scenario),
                outcome,
                has_client,
                reason,
                reasons,
                "t".into(),
                &act(6),
            )
        };
        // Success needs a client when the end state does.
        let mut i = lead(&ws);
        let before = i.clone();
        let needs_client = scenario
            .states
            .iter()
            .any(|st| st.ends == Some(Outcome::Success) && st.requires_client);
        if needs_client {
            assert!(matches!(
                complete(&mut i, Outcome::Success, false, None),
                Err(ScenarioError::RequiresClient { .. })
            ));
            assert_eq!(i, before, "a refusal changes nothing");
        }
        complete(&mut i, Outcome::Success, true, None).expect("converted");
        assert_eq!(i.state, "converted");
        assert_eq!(i.outcome, Some(Outcome::Success));
        assert_eq!(i.completed, Date::from_ymd(2026, 11, 6));
        assert_eq!(i.transitions.len(), 1, "recorded as a move");
        // Failure needs a reason from the list.
        let mut i = lead(&ws);
        assert_eq!(
            complete(&mut i, Outcome::Failure, true, Some("made-up")),
            Err(ScenarioError::ReasonRequired)
        );
        complete(&mut i, Outcome::Failure, true, Some("price")).expect("rejected");
        assert_eq!(
            (i.state.as_str(), i.reason.as_deref()),
            ("rejected", Some("price"))
        );
    }

    #[test]
    fn completing_without_an_end_state_ends_the_interest_where_it_is() {
        let ws = ws();
        let mut i = lead(&ws);
        let reasons = &ws.rejection_reasons;
        let done = |i: &mut Interest, outcome, reason| {
            complete_interest(i, None, outcome, true, reason, reasons, "t".into(), &act(7))
        };
        assert_eq!(
            done(&mut i, Outcome::Failure, Some(" ")),
            Err(ScenarioError::ReasonRequired)
        );
        assert!(i.completed.is_none());
        done(&mut i, Outcome::Failure, Some(" price ")).expect("ended");
        assert_eq!(i.state, "new", "no move without a final state");
        assert!(i.transitions.is_empty());
        assert_eq!(i.reason.as_deref(), Some("price"));
        assert_eq!(i.follow_up, None);
    }
}
