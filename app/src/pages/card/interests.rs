//! A client's Interests (интересы, SPEC 4) on the card: the list, open ones
//! first, a form to register one (content, service type, scenario, the day
//! of the request) and completing one successfully or not (with a reason).
//! Interests drive the statuses of work (SPEC 5), so the status above
//! changes as they do.
//!
//! The fuller work with Interests ("My sales": registration from a search,
//! potential clients, moves between scenario states) grows from here.

use kartoteka::client::{ClientDoc, Interest, Outcome};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::new_id;
use kartoteka::scenario::{Act, complete_interest};
use kartoteka::workspace::{Names, WorkspaceDoc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::focus::focus_id;
use crate::format;
use crate::i18n::{Lang, cat, lang};
use crate::io::platform::now_ms;
use crate::pages::interest_fields::{InterestDraft, InterestFields};
use crate::pages::interest_move::{MoveControl, scenario_error_text};
use crate::state::app_state;
use crate::t;

/// A name in the interface language.
pub fn local_name(names: &Names) -> String {
    match lang() {
        Lang::Ru => names.ru.clone(),
        Lang::En => names.en_or_ru().to_owned(),
    }
}

fn workspace() -> Option<std::sync::Arc<WorkspaceDoc>> {
    crate::base::base().workspace.get_untracked()
}

/// Reads a date typed in an `<input type=date>` and checks it lies between
/// `earliest` and today.
fn parse_day(text: &str, earliest: Date, today: Date) -> Result<Date, String> {
    let c = cat();
    let day: Date = text.parse().map_err(|_| c.err_date_format.to_owned())?;
    if day > today {
        Err(c.err_date_future.to_owned())
    } else if day < earliest {
        Err((c.err_date_before)(&format::date(earliest)))
    } else {
        Ok(day)
    }
}

/// The Interests panel of a card.
#[component]
pub fn InterestsSection(doc: ClientDoc) -> impl IntoView {
    let adding = RwSignal::new(false);
    let doc = StoredValue::new(doc);
    let mut interests: Vec<Interest> = doc.with_value(|d| d.interests.values().cloned().collect());
    // Open ones first, then by the day of the request, newest first.
    interests.sort_by(|a, b| {
        (
            a.completed.is_some(),
            std::cmp::Reverse((a.created, a.created_at)),
        )
            .cmp(&(
                b.completed.is_some(),
                std::cmp::Reverse((b.created, b.created_at)),
            ))
    });
    let empty = interests.is_empty();

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-interests">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-interests">{t!(section_interests)}</h2>
                <button
                    type="button"
                    id="interest-add"
                    class="button button--small"
                    aria-expanded=move || adding.get().to_string()
                    disabled=move || adding.get()
                    on:click=move |_| adding.set(true)
                >
                    {t!(add_interest)}
                </button>
            </div>
            <Show when=move || adding.get()>
                <InterestForm doc=doc on_done=Callback::new(move |()| adding.set(false))/>
            </Show>
            {empty.then(|| view! { <p class="muted">{t!(no_interests)}</p> })}
            <ul class="interests">
                {interests
                    .into_iter()
                    .map(|i| view! { <InterestItem interest=i doc=doc/> })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn InterestItem(interest: Interest, doc: StoredValue<ClientDoc>) -> impl IntoView {
    let ws = workspace();
    let scenario = ws
        .as_ref()
        .and_then(|w| w.scenarios.get(&interest.scenario))
        .cloned();
    let scenario_name = scenario
        .as_ref()
        .map(|s| local_name(&s.names))
        .unwrap_or_else(|| interest.scenario.clone());
    let state_name = scenario
        .as_ref()
        .and_then(|s| s.state(&interest.state))
        .map(|s| local_name(&s.names))
        .unwrap_or_else(|| interest.state.clone());
    let service = ws
        .as_ref()
        .and_then(|w| w.service_types.get(&interest.service_type))
        .map(|s| local_name(&s.names));
    let reason = interest.reason.as_ref().and_then(|r| {
        ws.as_ref()
            .and_then(|w| w.rejection_reasons.iter().find(|x| &x.id == r))
            .map(|x| local_name(&x.names))
    });
    // Which completion form is open: none, success, or failure.
    let completing = RwSignal::new(None::<Outcome>);
    let open = interest.completed.is_none();
    let id = interest.id.clone();
    let outcome = interest.outcome;
    let completed = interest.completed;
    let created = interest.created;
    let today = app_state().today();
    let follow_up = interest.follow_up;
    let overdue = kartoteka::scenario::is_overdue(follow_up, completed, today);
    let mover = view! {
        <MoveControl
            client=doc.with_value(|d| d.id.to_string())
            interest=interest.id.clone()
            scenario=interest.scenario.clone()
            current=interest.state.clone()
            on_moved=Callback::new(|_: ClientDoc| ())
        />
    };

    view! {
        <li class="interest" class:interest--done=!open>
            <div class="interest__main">
                <p class="interest__content">{interest.content.clone()}</p>
                <p class="interest__meta">
                    {service.map(|s| view! { <span>{s}</span> })}
                    <span>{scenario_name}</span>
                    <span class="interest__state">{state_name}</span>
                    <span>{move || (cat().created_on)(&format::date(created))}</span>
                    {completed.map(|d| view! { <span>{move || (cat().completed_on)(&format::date(d))}</span> })}
                    {reason.map(|r| view! { <span>{t!(field_reason)} ": " {r}</span> })}
                    {follow_up.filter(|_| open).map(|d| view! {
                        <span class="deal__follow" class:deal__follow--overdue=overdue>
                            {move || if overdue { (cat().follow_up_overdue)(&format::date(d)) } else { (cat().follow_up_on)(&format::date(d)) }}
                        </span>
                    })}
                </p>
                {mover}
            </div>
            {match (open, outcome) {
                (true, _) => view! {
                    <div class="interest__actions">
                        <button type="button" class="button button--small" disabled=move || completing.get().is_some() on:click=move |_| completing.set(Some(Outcome::Success))>
                            {t!(complete_success)}
                        </button>
                        <button type="button" class="button button--small" disabled=move || completing.get().is_some() on:click=move |_| completing.set(Some(Outcome::Failure))>
                            {t!(complete_failure)}
                        </button>
                    </div>
                }
                .into_any(),
                (false, Some(Outcome::Success)) => view! { <span class="outcome outcome--success">{t!(outcome_won)}</span> }.into_any(),
                (false, _) => view! { <span class="outcome outcome--failure">{t!(outcome_lost)}</span> }.into_any(),
            }}
            {move || completing.get().map(|o| view! {
                <CompleteForm
                    interest_id=id.clone()
                    created=created
                    outcome=o
                    doc=doc

                    on_done=Callback::new(move |()| completing.set(None))
                />
            })}
        </li>
    }
}

/// Completing an Interest: the day, and for an unsuccessful end the reason.
#[component]
fn CompleteForm(
    interest_id: String,
    created: Date,
    outcome: Outcome,
    doc: StoredValue<ClientDoc>,
    on_done: Callback<()>,
) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let today = state.today();
    let day = RwSignal::new(today.to_string());
    let reasons = workspace()
        .map(|w| w.rejection_reasons.clone())
        .unwrap_or_default();
    let reason = RwSignal::new(String::new());
    let day_error = RwSignal::new(None::<String>);
    let reason_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let key = format!("complete-{interest_id}");
    let (day_id, reason_id) = (format!("{key}-date"), format!("{key}-reason"));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = parse_day(&day.get_untracked(), created, today);
        day_error.set(parsed.as_ref().err().cloned());
        let chosen = reason.get_untracked();
        let need_reason = outcome == Outcome::Failure && chosen.is_empty();
        reason_error.set(need_reason.then(|| cat().err_reason_required.to_owned()));
        let (Ok(done_on), false) = (parsed, need_reason) else {
            return;
        };
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        let ws = workspace();
        let reasons = ws
            .as_ref()
            .map(|w| w.rejection_reasons.clone())
            .unwrap_or_default();
        let act = Act {
            by: me.id.clone(),
            date: done_on,
            at: Timestamp(now_ms()),
        };
        let reason = (outcome == Outcome::Failure).then_some(chosen);
        let id = interest_id.clone();
        // The same ending on the same document, or the refusal in words.
        let complete = move |d: &mut ClientDoc| {
            let has_client = d.potential.is_none();
            let Some(i) = d.interests.get_mut(&id) else {
                return Ok(());
            };
            let scenario = ws.as_ref().and_then(|w| w.scenarios.get(&i.scenario));
            complete_interest(
                i,
                scenario,
                outcome,
                has_client,
                reason.as_deref(),
                &reasons,
                new_id(),
                &act,
            )
            .map_err(|e| scenario_error_text(cat(), &e, scenario))
        };
        if let Err(text) = doc.with_value(|d| complete(&mut d.clone())) {
            day_error.set(Some(text));
            return;
        }
        busy.set(true);
        let client = doc.with_value(|d| d.id.to_string());
        spawn_local(async move {
            let result = store
                .change_client(&client, "interest completed", |d| {
                    // Checked above on the card's copy of the document.
                    let _ = complete(d);
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    state.toast(cat().interest_completed, false);
                    on_done.run(());
                }
                Err(e) => {
                    leptos::logging::error!("completing an Interest failed: {e}");
                    day_error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    };

    let day_error_id = format!("{day_id}-error");
    let reason_error_id = format!("{reason_id}-error");
    view! {
        <form class="complete-form" on:submit=submit novalidate>
            <div class="field" class:field--invalid=move || day_error.with(Option::is_some)>
                <label class="field__label" for=day_id.clone()>{t!(completion_date)}</label>
                <input
                    class="field__input"
                    type="date"
                    id=day_id.clone()
                    max=today.to_string()
                    min=created.to_string()
                    aria-invalid=move || day_error.with(Option::is_some).then_some("true")
                    aria-describedby=day_error_id.clone()
                    prop:value=move || day.get()
                    on:input=move |ev| day.set(event_target_value(&ev))
                />
                <p class="field__error" id=day_error_id role="alert">{move || day_error.get()}</p>
            </div>
            {(outcome == Outcome::Failure).then(|| view! {
                <div class="field" class:field--invalid=move || reason_error.with(Option::is_some)>
                    <label class="field__label" for=reason_id.clone()>
                        {t!(field_reason)}
                        <span class="field__required" aria-hidden="true">" *"</span>
                    </label>
                    <select
                        class="field__input"
                        id=reason_id.clone()
                        required
                        aria-invalid=move || reason_error.with(Option::is_some).then_some("true")
                        aria-describedby=reason_error_id.clone()
                        prop:value=move || reason.get()
                        on:change=move |ev| reason.set(event_target_value(&ev))
                    >
                        <option value="">{t!(choose_reason)}</option>
                        {reasons.iter().map(|r| view! { <option value=r.id.clone()>{local_name(&r.names)}</option> }).collect_view()}
                    </select>
                    <p class="field__error" id=reason_error_id.clone() role="alert">{move || reason_error.get()}</p>
                </div>
            })}
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" disabled=move || busy.get()>
                    {move || match outcome {
                        Outcome::Success => cat().confirm_success,
                        Outcome::Failure => cat().confirm_failure,
                    }}
                </button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}

/// Registering an Interest of this client.
#[component]
fn InterestForm(doc: StoredValue<ClientDoc>, on_done: Callback<()>) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let client_created = doc.with_value(|d| d.card.created);
    let draft = InterestDraft::fresh();
    let busy = RwSignal::new(false);
    let choose_responsible = state.user().is_some_and(|u| u.role.sees_everything());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(interest) = draft.build(Some(client_created)) else {
            return;
        };
        let Some(store) = base.store() else {
            return;
        };
        busy.set(true);
        let client = doc.with_value(|d| d.id.to_string());
        spawn_local(async move {
            let result = store
                .change_client(&client, "interest", |d| {
                    d.interests.insert(interest.id.clone(), interest);
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    state.toast(cat().saved, false);
                    on_done.run(());
                }
                Err(e) => {
                    leptos::logging::error!("saving an Interest failed: {e}");
                    draft.content_error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    };

    // The form opens with the cursor in its first field.
    focus_id("interest-content", false);

    view! {
        <form class="interest-form" on:submit=submit novalidate>
            <InterestFields draft=draft choose_responsible=choose_responsible/>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" disabled=move || busy.get()>{t!(save_interest)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}
