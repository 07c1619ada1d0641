//! Moving an Interest between the states of its scenario (SPEC 4), from
//! the card and from "My sales": the move is checked by
//! `kartoteka::scenario` on the stored document before anything is
//! written, and a refusal (a state that requires a client, a missing
//! reason) comes back in words that say what to do.

use kartoteka::client::{ClientDoc, Outcome};
use kartoteka::date::Timestamp;
use kartoteka::ids::new_id;
use kartoteka::scenario::{Act, InterestError, ScenarioError, move_interest};
use kartoteka::workspace::{Scenario, WorkspaceDoc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::Base;
use crate::i18n::{Catalogue, cat};
use crate::io::platform::now_ms;
use crate::pages::card::interests::local_name;
use crate::store::EditError;
use crate::t;

/// A state's name in the interface language, or its id.
pub fn state_name(scenario: Option<&Scenario>, state: &str) -> String {
    scenario
        .and_then(|s| s.state(state))
        .map(|s| local_name(&s.names))
        .unwrap_or_else(|| state.to_owned())
}

/// Why a move or registration was refused, in words.
pub fn scenario_error_text(
    c: &Catalogue,
    e: &ScenarioError,
    scenario: Option<&Scenario>,
) -> String {
    match e {
        ScenarioError::EmptyContent => c.err_interest_content.to_owned(),
        ScenarioError::UnknownScenario(_) | ScenarioError::NoStates(_) => {
            c.err_unknown_scenario.to_owned()
        }
        ScenarioError::UnknownState(s) => (c.err_unknown_state)(s),
        ScenarioError::SameState => c.err_same_state.to_owned(),
        ScenarioError::RequiresClient { state } => {
            (c.err_requires_client)(&state_name(scenario, state))
        }
        ScenarioError::ReasonRequired => c.err_reason_required.to_owned(),
    }
}

/// Why an Interest was not edited, moved or completed, in words: nothing
/// was written.
pub fn interest_error_text(c: &Catalogue, e: &InterestError, ws: Option<&WorkspaceDoc>) -> String {
    match e {
        InterestError::NotFound => c.err_interest_not_found.to_owned(),
        InterestError::MovedMeanwhile { state, .. } => {
            // The state's name in the user's language, from any scenario.
            let scenario = ws.and_then(|w| w.scenarios.values().find(|s| s.state(state).is_some()));
            (c.err_moved_meanwhile)(&state_name(scenario, state))
        }
        InterestError::EndedMeanwhile => c.err_ended_meanwhile.to_owned(),
        InterestError::UnknownServiceType(_) => c.err_unknown_service_type.to_owned(),
        InterestError::ResponsibleNotAllowed => c.err_responsible_not_allowed.to_owned(),
        InterestError::Scenario(e) => scenario_error_text(c, e, None),
    }
}

/// Moves Interest `interest` of document `client` from state `seen` (the
/// one the person saw) to state `to` (with the reason of an unsuccessful
/// end). The move is checked on the stored document as it is written: if
/// someone moved the Interest meanwhile, or the scenario refuses, nothing
/// is written and the refusal comes back in words. (`base` is passed in:
/// the context is not reachable from a spawned task.)
pub async fn move_to(
    base: Base,
    client: String,
    interest: String,
    seen: String,
    to: String,
    reason: Option<String>,
) -> Result<ClientDoc, String> {
    let c = cat();
    let (Some(store), Some(me), Some(ws)) = (
        base.store(),
        base.app.user(),
        base.workspace.get_untracked(),
    ) else {
        return Err(c.save_failed.to_owned());
    };
    let act = Act {
        by: me.id.clone(),
        date: base.app.today.get_untracked(),
        at: Timestamp(now_ms()),
    };
    let mut moved_in = None;
    let result = store
        .try_change_client(&client, "interest moved", |d| {
            let has_client = d.potential.is_none();
            let Some(i) = d.interests.get_mut(&interest) else {
                return Err(c.save_failed.to_owned());
            };
            let scenario = ws.scenarios.get(&i.scenario);
            if i.state != seen {
                return Err((c.err_moved_meanwhile)(&state_name(scenario, &i.state)));
            }
            let Some(scenario) = scenario else {
                return Err(c.err_unknown_scenario.to_owned());
            };
            move_interest(
                i,
                scenario,
                &to,
                has_client,
                reason.as_deref(),
                &ws.rejection_reasons,
                new_id(),
                &act,
            )
            .map_err(|e| scenario_error_text(c, &e, Some(scenario)))?;
            moved_in = Some(scenario.clone());
            Ok(())
        })
        .await;
    match result {
        Ok(fresh) => {
            base.app.toast(
                (c.interest_moved)(&state_name(moved_in.as_ref(), &to)),
                false,
            );
            Ok(fresh)
        }
        Err(EditError::Refused(words)) => Err(words),
        Err(EditError::Store(e)) => {
            leptos::logging::error!("moving an Interest failed: {e}");
            Err(c.save_failed.to_owned())
        }
    }
}

/// The states of a scenario as `(id, name, ends unsuccessfully)`.
pub fn state_options(ws: Option<&WorkspaceDoc>, scenario: &str) -> Vec<(String, String, bool)> {
    ws.and_then(|w| w.scenarios.get(scenario))
        .map(|s| {
            s.states
                .iter()
                .map(|st| {
                    (
                        st.id.clone(),
                        local_name(&st.names),
                        st.ends == Some(Outcome::Failure),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The reasons of an unsuccessful end as `(id, name)`.
pub fn reason_options(ws: Option<&WorkspaceDoc>) -> Vec<(String, String)> {
    ws.map(|w| {
        w.rejection_reasons
            .iter()
            .map(|r| (r.id.clone(), local_name(&r.names)))
            .collect()
    })
    .unwrap_or_default()
}

/// "Stage: [state] [reason] [Move]" for one Interest. `on_moved` gets the
/// new document.
#[component]
pub fn MoveControl(
    /// The document holding the Interest.
    client: String,
    interest: String,
    scenario: String,
    current: String,
    on_moved: Callback<ClientDoc>,
) -> impl IntoView {
    let base = crate::base::base();
    let ws = base.workspace.get_untracked();
    let states = state_options(ws.as_deref(), &scenario);
    let reasons = reason_options(ws.as_deref());
    let failing: Vec<String> = states.iter().filter(|s| s.2).map(|s| s.0.clone()).collect();
    let target = RwSignal::new(current.clone());
    let seen = StoredValue::new(current.clone());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let key = format!("move-{interest}");
    let (select_id, reason_id, error_id) = (
        format!("{key}-state"),
        format!("{key}-reason"),
        format!("{key}-error"),
    );
    let needs_reason = move || target.with(|t| failing.contains(t));
    let needs_reason = Memo::new(move |_| needs_reason());
    let go = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let to = target.get_untracked();
        let why = needs_reason.get_untracked().then(|| reason.get_untracked());
        let (client, interest, seen) = (client.clone(), interest.clone(), seen.get_value());
        spawn_local(async move {
            let result = move_to(base, client, interest, seen, to, why).await;
            busy.set(false);
            match result {
                Ok(doc) => on_moved.run(doc),
                Err(text) => error.set(Some(text)),
            }
        });
    };
    view! {
        <div class="move-control" role="group" aria-labelledby=select_id.clone()>
            <label class="field__label" for=select_id.clone()>{t!(interest_stage)}</label>
            <select
                class="field__input field__input--inline"
                id=select_id.clone()
                aria-describedby=error_id.clone()
                prop:value=move || target.get()
                on:change=move |ev| target.set(event_target_value(&ev))
            >
                {states
                    .iter()
                    .map(|(id, name, _)| view! { <option value=id.clone() selected=*id == current>{name.clone()}</option> })
                    .collect_view()}
            </select>
            <Show when=move || needs_reason.get()>
                <label class="visually-hidden" for=reason_id.clone()>{t!(field_reason)}</label>
                <select
                    class="field__input field__input--inline"
                    id=reason_id.clone()
                    prop:value=move || reason.get()
                    on:change=move |ev| reason.set(event_target_value(&ev))
                >
                    <option value="">{t!(choose_reason)}</option>
                    {reasons.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </Show>
            <button type="button" class="button button--small" disabled=move || busy.get() on:click=go>
                {t!(move_do)}
            </button>
            <p class="field__error move-control__error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}
