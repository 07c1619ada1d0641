//! Sales scenarios at work (SPEC 4): registering an Interest in the first
//! state of its scenario, and moving it between states — the refusal of a
//! state that requires a registered client, the end of an Interest in a
//! successful or unsuccessful final state (the latter with a reason), and
//! reopening an ended one; editing a registered Interest; and the same
//! moves as edits of a client document that refuse when the Interest moved
//! meanwhile on another device (`*_in`, for
//! [`crate::document::Document::change`]).
//!
//! The scenarios themselves (states, hints, flags) are workspace settings
//! ([`crate::workspace::Scenario`]); this module is what happens to an
//! Interest under them.

use crate::client::{ClientDoc, Interest, Outcome, Transition};
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::workspace::{Reason, Role, Scenario, WorkspaceDoc};

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

/// Why an Interest of a client document cannot be edited, moved or
/// completed. Nothing was written; the app words each one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterestError {
    #[error("this client has no such Interest")]
    NotFound,
    /// The state the user saw is not the Interest's state any more: another
    /// device moved it. `name` is the state's name (English, else Russian)
    /// for logs; the app names `state` in the user's language.
    #[error("the Interest was moved to «{name}» meanwhile")]
    MovedMeanwhile { state: String, name: String },
    /// Completed on another device while the user looked at it open.
    #[error("the Interest has already been completed meanwhile")]
    EndedMeanwhile,
    #[error("there is no service type {0:?}")]
    UnknownServiceType(String),
    #[error("only supervisors and administrators change an Interest's responsible")]
    ResponsibleNotAllowed,
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

/// What the Interest form holds when an Interest is edited after its
/// registration (SPEC 4, "Fields"). Its scenario and state stay: they
/// change only by moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestEdit {
    pub content: String,
    pub service_type: String,
    pub follow_up: Option<Date>,
    pub responsible: Option<UserId>,
}

impl InterestEdit {
    /// The form's content for an existing Interest.
    pub fn of(interest: &Interest) -> InterestEdit {
        InterestEdit {
            content: interest.content.clone(),
            service_type: interest.service_type.clone(),
            follow_up: interest.follow_up,
            responsible: interest.responsible.clone(),
        }
    }
}

/// Edits a registered Interest: what the form changed (`opened` → `edit`)
/// is written, the rest left as it is now (another device's edit of
/// another field survives). Refused: an empty content, a service type the
/// workspace does not have, and a change of the responsible by anyone but
/// a supervisor or administrator. `interest` is untouched on a refusal.
pub fn edit_interest(
    ws: &WorkspaceDoc,
    interest: &mut Interest,
    opened: &InterestEdit,
    edit: &InterestEdit,
    role: Role,
) -> Result<(), InterestError> {
    let content = edit.content.trim();
    if content.is_empty() {
        return Err(ScenarioError::EmptyContent.into());
    }
    let service_type = edit.service_type.trim();
    let service_changed = service_type != opened.service_type.trim();
    if service_changed && !ws.service_types.contains_key(service_type) {
        return Err(InterestError::UnknownServiceType(service_type.to_owned()));
    }
    let responsible_changed = edit.responsible != opened.responsible;
    if responsible_changed && !role.may_reassign() {
        return Err(InterestError::ResponsibleNotAllowed);
    }
    if content != opened.content.trim() {
        interest.content = content.to_owned();
    }
    if service_changed {
        interest.service_type = service_type.to_owned();
    }
    if edit.follow_up != opened.follow_up {
        interest.follow_up = edit.follow_up;
    }
    if responsible_changed {
        interest.responsible = edit.responsible.clone();
    }
    Ok(())
}

/// The Interest `id` of `doc`, if it is still in `expected_state` (the
/// state the user saw when they chose what to do).
fn interest_as_seen<'a>(
    doc: &'a mut ClientDoc,
    ws: &WorkspaceDoc,
    id: &str,
    expected_state: &str,
) -> Result<&'a mut Interest, InterestError> {
    let interest = doc.interests.get_mut(id).ok_or(InterestError::NotFound)?;
    if interest.state != expected_state {
        let name = ws
            .scenarios
            .get(&interest.scenario)
            .and_then(|s| s.state(&interest.state))
            .map(|st| st.names.en_or_ru().to_owned())
            .unwrap_or_else(|| interest.state.clone());
        return Err(InterestError::MovedMeanwhile {
            state: interest.state.clone(),
            name,
        });
    }
    Ok(interest)
}

/// [`edit_interest`] on Interest `id` of a client document.
pub fn edit_interest_in(
    doc: &mut ClientDoc,
    ws: &WorkspaceDoc,
    id: &str,
    opened: &InterestEdit,
    edit: &InterestEdit,
    role: Role,
) -> Result<(), InterestError> {
    let interest = doc.interests.get_mut(id).ok_or(InterestError::NotFound)?;
    edit_interest(ws, interest, opened, edit, role)
}

/// [`move_interest`] on Interest `id` of a client document, refused with
/// [`InterestError::MovedMeanwhile`] unless it is still in
/// `expected_state`. The scenario and the reasons are the workspace's.
#[allow(clippy::too_many_arguments)]
pub fn move_interest_in(
    doc: &mut ClientDoc,
    ws: &WorkspaceDoc,
    id: &str,
    expected_state: &str,
    to: &str,
    reason: Option<&str>,
    transition_id: String,
    act: &Act,
) -> Result<(), InterestError> {
    let has_client = doc.potential.is_none();
    let interest = interest_as_seen(doc, ws, id, expected_state)?;
    let scenario = ws
        .scenarios
        .get(&interest.scenario)
        .ok_or_else(|| ScenarioError::UnknownScenario(interest.scenario.clone()))?;
    move_interest(
        interest,
        scenario,
        to,
        has_client,
        reason,
        &ws.rejection_reasons,
        transition_id,
        act,
    )?;
    Ok(())
}

/// [`complete_interest`] on Interest `id` of a client document, refused
/// unless it is still open and in `expected_state`
/// ([`InterestError::MovedMeanwhile`], [`InterestError::EndedMeanwhile`]).
#[allow(clippy::too_many_arguments)]
pub fn complete_interest_in(
    doc: &mut ClientDoc,
    ws: &WorkspaceDoc,
    id: &str,
    expected_state: &str,
    outcome: Outcome,
    reason: Option<&str>,
    transition_id: String,
    act: &Act,
) -> Result<(), InterestError> {
    let has_client = doc.potential.is_none();
    let interest = interest_as_seen(doc, ws, id, expected_state)?;
    if interest.completed.is_some() {
        return Err(InterestError::EndedMeanwhile);
    }
    let scenario = ws.scenarios.get(&interest.scenario);
    complete_interest(
        interest,
        scenario,
        outcome,
        has_client,
        reason,
        &ws.rejection_reasons,
        transition_id,
        act,
    )?;
    Ok(())
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

    fn client_with(interest: Interest) -> ClientDoc {
        let by = act(1).by;
        let card = crate::client::Card {
            name: "Вектор".into(),
            created: act(1).date,
            created_by: by.clone(),
            ..Default::default()
        };
        let mut doc = ClientDoc::new(
            crate::ids::ClientId::random(),
            card,
            Some(by.clone()),
            &by,
            Timestamp(1),
        );
        doc.interests.insert(interest.id.clone(), interest);
        doc
    }

    #[test]
    fn a_manager_moves_the_follow_up_after_a_call_and_the_interest_is_no_longer_overdue() {
        let ws = ws();
        let mut i = lead(&ws);
        let today = Date::from_ymd(2026, 11, 28).expect("date");
        assert!(is_overdue(i.follow_up, i.completed, today));
        let opened = InterestEdit::of(&i);
        let mut edit = opened.clone();
        edit.follow_up = Date::from_ymd(2026, 12, 3);
        edit.content = " Станок ЧПУ, два шпинделя ".into();
        edit_interest(&ws, &mut i, &opened, &edit, Role::Manager).expect("edited");
        assert!(!is_overdue(i.follow_up, i.completed, today));
        assert_eq!(i.content, "Станок ЧПУ, два шпинделя");
        assert_eq!(i.state, "new", "the state moves only by moves");
    }

    #[test]
    fn an_interest_edit_refuses_empty_content_an_unknown_service_and_a_managers_responsible() {
        let ws = ws();
        let original = lead(&ws);
        let opened = InterestEdit::of(&original);
        let mut i = original.clone();
        let refused = |edit: InterestEdit, role: Role, i: &mut Interest| {
            edit_interest(&ws, i, &opened, &edit, role)
        };
        let mut edit = opened.clone();
        edit.content = "  ".into();
        assert_eq!(
            refused(edit, Role::Manager, &mut i),
            Err(InterestError::Scenario(ScenarioError::EmptyContent))
        );
        let mut edit = opened.clone();
        edit.service_type = "teleport".into();
        assert_eq!(
            refused(edit, Role::Manager, &mut i),
            Err(InterestError::UnknownServiceType("teleport".into()))
        );
        let mut edit = opened.clone();
        edit.responsible = Some(UserId::random());
        assert_eq!(
            refused(edit.clone(), Role::Manager, &mut i),
            Err(InterestError::ResponsibleNotAllowed)
        );
        assert_eq!(
            refused(edit.clone(), Role::Assistant, &mut i),
            Err(InterestError::ResponsibleNotAllowed)
        );
        assert_eq!(i, original, "a refusal changes nothing");
        edit.service_type = "service".into();
        refused(edit.clone(), Role::Supervisor, &mut i).expect("a supervisor may");
        assert_eq!(i.responsible, edit.responsible);
        assert_eq!(i.service_type, "service");
    }

    #[test]
    fn an_interest_edit_leaves_what_another_device_changed_meanwhile() {
        let ws = ws();
        let mut i = lead(&ws);
        let opened = InterestEdit::of(&i);
        // Another device set the follow-up meanwhile.
        i.follow_up = Date::from_ymd(2026, 12, 10);
        let mut edit = opened.clone();
        edit.content = "Станок ЧПУ и оснастка".into();
        edit_interest(&ws, &mut i, &opened, &edit, Role::Manager).expect("edited");
        assert_eq!(i.follow_up, Date::from_ymd(2026, 12, 10));
        assert_eq!(i.content, "Станок ЧПУ и оснастка");
    }

    #[test]
    fn completing_an_interest_moved_meanwhile_on_another_device_is_refused_and_says_where_it_went()
    {
        let ws = ws();
        let mut doc = client_with(lead(&ws));
        // Another device moved it to "В обработке".
        let scenario = &ws.scenarios[LEAD_SCENARIO];
        let i = doc.interests.get_mut("i1").expect("i1");
        move_interest(
            i,
            scenario,
            "processing",
            true,
            None,
            &[],
            "t1".into(),
            &act(2),
        )
        .expect("moved");
        let before = doc.clone();
        let refused = complete_interest_in(
            &mut doc,
            &ws,
            "i1",
            "new",
            Outcome::Success,
            None,
            "t2".into(),
            &act(3),
        );
        assert_eq!(
            refused,
            Err(InterestError::MovedMeanwhile {
                state: "processing".into(),
                name: "In processing".into()
            })
        );
        assert_eq!(
            refused.map_err(|e| e.to_string()),
            Err("the Interest was moved to «In processing» meanwhile".to_owned())
        );
        assert_eq!(doc, before);
        assert_eq!(
            move_interest_in(
                &mut doc,
                &ws,
                "i1",
                "new",
                "offer",
                None,
                "t3".into(),
                &act(3)
            ),
            Err(InterestError::MovedMeanwhile {
                state: "processing".into(),
                name: "In processing".into()
            })
        );
        // From the state it is really in, it completes.
        complete_interest_in(
            &mut doc,
            &ws,
            "i1",
            "processing",
            Outcome::Success,
            None,
            "t4".into(),
            &act(4),
        )
        .expect("completed");
        let done = &doc.interests["i1"];
        assert_eq!(done.outcome, Some(Outcome::Success));
        let state = done.state.clone();
        assert_eq!(
            complete_interest_in(
                &mut doc,
                &ws,
                "i1",
                &state,
                Outcome::Failure,
                Some("price"),
                "t5".into(),
                &act(5)
            ),
            Err(InterestError::EndedMeanwhile)
        );
        assert_eq!(
            move_interest_in(
                &mut doc,
                &ws,
                "nope",
                "new",
                "offer",
                None,
                "t6".into(),
                &act(5)
            ),
            Err(InterestError::NotFound)
        );
    }

    #[test]
    fn a_refused_completion_through_the_document_writes_nothing() {
        let ws = ws();
        let actor = crate::ids::actor_for(&act(1).by, [1; 8]).expect("actor");
        let mut doc =
            crate::document::ClientDocument::create(&client_with(lead(&ws)), actor, Timestamp(1))
                .expect("create");
        let heads = doc.heads();
        doc.save_incremental();
        let refused = doc.change(Timestamp(2), "interest completed", |d| {
            complete_interest_in(
                d,
                &ws,
                "i1",
                "offer",
                Outcome::Success,
                None,
                "t".into(),
                &act(2),
            )
        });
        assert!(matches!(
            refused,
            Err(crate::document::ChangeError::Refused(
                InterestError::MovedMeanwhile { .. }
            ))
        ));
        assert_eq!(doc.heads(), heads);
        assert!(doc.save_incremental().is_empty(), "nothing to store");
        let (model, changed) = doc
            .change(Timestamp(3), "interest moved", |d| {
                move_interest_in(d, &ws, "i1", "new", "processing", None, "t".into(), &act(3))
            })
            .expect("moved");
        assert!(changed);
        assert_eq!(model.interests["i1"].state, "processing");
    }
}
