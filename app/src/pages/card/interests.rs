//! A client's Interests (интересы, SPEC 4) on the card: the list, open ones
//! first, a form to register one (content, service type, scenario, the day
//! of the request) and completing one successfully or not (with a reason).
//! Interests drive the statuses of work (SPEC 5), so the status above
//! changes as they do.
//!
//! The fuller work with Interests ("My sales": registration from a search,
//! potential clients, moves between scenario states) grows from here.

use std::collections::HashMap;

use kartoteka::client::{ClientDoc, Interest, Outcome};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::UserId;
use kartoteka::ids::new_id;
use kartoteka::scenario::{Act, InterestEdit, complete_interest_in, edit_interest_in};
use kartoteka::workspace::{Names, WorkspaceDoc};
use leptos::prelude::*;

use crate::components::field::TextField;
use crate::components::focus::focus_id;
use crate::components::opener::FormOpener;
use crate::format;
use crate::i18n::{Lang, cat, lang};
use crate::io::platform::now_ms;
use crate::pages::card::edit::Edit;
use crate::pages::interest_fields::{InterestDraft, InterestFields, service_options};
use crate::pages::interest_move::{MoveControl, interest_error_text};
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

/// The completion forms open on a card, by Interest: the outcome chosen
/// and the state the person saw when they chose it. Kept by the card,
/// above the section, so that a change from another device (which draws
/// the section again) leaves a form open and still naming what the person
/// saw: completing an Interest that moved meanwhile is then refused in
/// words instead of ending it from a state nobody looked at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Completing(RwSignal<HashMap<String, (Outcome, String)>>);

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
                <FormOpener id="interest-add" label=Signal::derive(t!(add_interest)) open=adding/>
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
    // Which completion form is open (none, success, failure), kept above
    // the section: see [`Completing`].
    let forms = use_context::<Completing>().unwrap_or_default();
    let completing = {
        let id = interest.id.clone();
        Memo::new(move |_| forms.0.with(|m| m.get(&id).map(|(o, _)| *o)))
    };
    let (open_form, close_form) = {
        let (id, state) = (interest.id.clone(), interest.state.clone());
        let close_id = id.clone();
        (
            move |o: Outcome| {
                forms.0.update(|m| {
                    m.insert(id.clone(), (o, state.clone()));
                })
            },
            move || {
                forms.0.update(|m| {
                    m.remove(&close_id);
                })
            },
        )
    };
    let seen = {
        let (id, now) = (interest.id.clone(), interest.state.clone());
        move || {
            forms
                .0
                .with_untracked(|m| m.get(&id).map(|(_, s)| s.clone()))
                .unwrap_or(now.clone())
        }
    };
    let editing = RwSignal::new(false);
    let edit_id = format!("edit-{}", interest.id);
    let edit_label = format!("{} — {}", cat().edit_interest_title, interest.content);
    let opened = StoredValue::new(interest.clone());
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
                        <button type="button" class="button button--ghost button--small" aria-label=edit_label.clone()
                            disabled=move || editing.get() on:click={
                                let first = format!("{edit_id}-content");
                                move |_| { editing.set(true); focus_id(&first, false); }
                            }>
                            {t!(edit)}
                        </button>
                        <button type="button" class="button button--small" disabled=move || completing.get().is_some() on:click={ let open_form = open_form.clone(); move |_| open_form(Outcome::Success) }>
                            {t!(complete_success)}
                        </button>
                        <button type="button" class="button button--small" disabled=move || completing.get().is_some() on:click={ let open_form = open_form.clone(); move |_| open_form(Outcome::Failure) }>
                            {t!(complete_failure)}
                        </button>
                    </div>
                }
                .into_any(),
                (false, Some(Outcome::Success)) => view! { <span class="outcome outcome--success">{t!(outcome_won)}</span> }.into_any(),
                (false, _) => view! { <span class="outcome outcome--failure">{t!(outcome_lost)}</span> }.into_any(),
            }}
            <Show when=move || editing.get()>
                <InterestEditForm
                    interest=opened.get_value()
                    doc=doc
                    on_done=Callback::new(move |()| editing.set(false))
                />
            </Show>
            {move || completing.get().map(|o| view! {
                <CompleteForm
                    interest_id=id.clone()
                    seen=seen()
                    created=created
                    outcome=o
                    doc=doc

                    on_done=Callback::new({ let close_form = close_form.clone(); move |()| close_form() })
                />
            })}
        </li>
    }
}

/// Completing an Interest: the day, and for an unsuccessful end the reason.
/// `seen` is the state the person saw: if the Interest moved or ended
/// meanwhile on another device, nothing is written and they are told.
#[component]
fn CompleteForm(
    interest_id: String,
    seen: String,
    created: Date,
    outcome: Outcome,
    doc: StoredValue<ClientDoc>,
    on_done: Callback<()>,
) -> impl IntoView {
    let state = app_state();
    let today = state.today();
    let day = RwSignal::new(today.to_string());
    let reasons = workspace()
        .map(|w| w.rejection_reasons.clone())
        .unwrap_or_default();
    let reason = RwSignal::new(String::new());
    let day_error = RwSignal::new(None::<String>);
    let reason_error = RwSignal::new(None::<String>);
    let edit = Edit::new();
    let (busy, refused) = (edit.busy, edit.error);
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
        let (Some(me), Some(ws)) = (state.user(), workspace()) else {
            return;
        };
        let act = Act {
            by: me.id.clone(),
            date: done_on,
            at: Timestamp(now_ms()),
        };
        let reason = (outcome == Outcome::Failure).then_some(chosen);
        let (id, seen) = (interest_id.clone(), seen.clone());
        // Checked and written on the stored document, in one edit.
        let complete = move |d: &mut ClientDoc| {
            complete_interest_in(
                d,
                &ws,
                &id,
                &seen,
                outcome,
                reason.as_deref(),
                new_id(),
                &act,
            )
            .map_err(|e| interest_error_text(cat(), &e, Some(&ws)))
        };
        let client = doc.with_value(|d| d.id.to_string());
        let toast = cat().interest_completed.to_owned();
        edit.run_saying(client, "interest completed", toast, complete, move |_| {
            on_done.run(())
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
            <p class="form-error" role="alert">{move || refused.get()}</p>
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
    let client_created = doc.with_value(|d| d.card.created);
    let draft = InterestDraft::fresh();
    let edit = Edit::new();
    let (busy, refused) = (edit.busy, edit.error);
    let choose_responsible = state.user().is_some_and(|u| u.role.sees_everything());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(interest) = draft.build(Some(client_created)) else {
            return;
        };
        let client = doc.with_value(|d| d.id.to_string());
        let add = move |d: &mut ClientDoc| {
            d.interests.insert(interest.id.clone(), interest);
            Ok(())
        };
        edit.run(client, "interest", add, move |_| on_done.run(()));
    };

    // The form opens with the cursor in its first field.
    focus_id("interest-content", false);

    view! {
        <form class="interest-form" on:submit=submit novalidate>
            <InterestFields draft=draft choose_responsible=choose_responsible/>
            <p class="form-error" role="alert">{move || refused.get()}</p>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" disabled=move || busy.get()>{t!(save_interest)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}

/// Editing a registered Interest (SPEC 4): what it is about, the service
/// type, the follow-up date (after a call, the next one) and, for
/// supervisors, the responsible. Only what the form changed is written,
/// on the stored document.
#[component]
fn InterestEditForm(
    interest: Interest,
    doc: StoredValue<ClientDoc>,
    on_done: Callback<()>,
) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let today = state.today();
    let role = state.user().map(|u| u.role);
    let choose_responsible = role.is_some_and(|r| r.may_reassign());
    let opened = InterestEdit::of(&interest);
    let content = RwSignal::new(opened.content.clone());
    let service = RwSignal::new(opened.service_type.clone());
    let follow_up = RwSignal::new(opened.follow_up.map(|d| d.to_string()).unwrap_or_default());
    let responsible = RwSignal::new(
        opened
            .responsible
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    let content_error = RwSignal::new(None::<String>);
    let follow_up_error = RwSignal::new(None::<String>);
    let edit = Edit::new();
    let (busy, refused) = (edit.busy, edit.error);
    let services = service_options(workspace().as_deref());
    let users = base.assignable_users();
    let prefix = format!("edit-{}", interest.id);
    let ids = (
        format!("{prefix}-content"),
        format!("{prefix}-service"),
        format!("{prefix}-follow-up"),
        format!("{prefix}-responsible"),
    );
    let id = StoredValue::new(interest.id.clone());
    let opened = StoredValue::new(opened);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = cat();
        let text = content.get_untracked();
        content_error.set(
            text.trim()
                .is_empty()
                .then(|| c.err_interest_content.to_owned()),
        );
        let typed = follow_up.get_untracked();
        let follow = if typed.trim().is_empty() {
            Ok(None)
        } else {
            match typed.parse::<Date>() {
                Err(_) => Err(c.err_date_format.to_owned()),
                // A date already passed is kept as it was, not set anew.
                Ok(d) if d < today && Some(d) != opened.with_value(|o| o.follow_up) => {
                    Err(c.err_follow_up_past.to_owned())
                }
                Ok(d) => Ok(Some(d)),
            }
        };
        follow_up_error.set(follow.as_ref().err().cloned());
        let (Ok(follow), None) = (follow, content_error.get_untracked()) else {
            crate::components::focus::focus_first_invalid();
            return;
        };
        let (Some(ws), Some(role)) = (workspace(), role) else {
            return;
        };
        let opened = opened.get_value();
        let changed = InterestEdit {
            content: text,
            service_type: service.get_untracked(),
            follow_up: follow,
            responsible: if choose_responsible {
                Some(responsible.get_untracked())
                    .filter(|r| !r.is_empty())
                    .map(UserId)
            } else {
                opened.responsible.clone()
            },
        };
        let id = id.get_value();
        let save = move |d: &mut ClientDoc| {
            edit_interest_in(d, &ws, &id, &opened, &changed, role)
                .map_err(|e| interest_error_text(cat(), &e, Some(&ws)))
        };
        edit.run(
            doc.with_value(|d| d.id.to_string()),
            "interest edited",
            save,
            move |_| on_done.run(()),
        );
    };

    let (content_id, service_id, follow_id, responsible_id) = ids;
    let follow_error_id = format!("{follow_id}-error");
    view! {
        <form class="interest-form" novalidate on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }>
            <h3 class="panel__subtitle">{t!(edit_interest_title)}</h3>
            <div class="form-grid">
                <TextField id=content_id label=Signal::derive(t!(interest_content)) value=content
                    error=content_error rows=2 required=true wide=true/>
                <div class="field">
                    <label class="field__label" for=service_id.clone()>{t!(interest_service)}</label>
                    <select class="field__input" id=service_id.clone()
                        prop:value=move || service.get() on:change=move |ev| service.set(event_target_value(&ev))>
                        {services.into_iter().map(|(id, name, _)| {
                            let selected = service.get_untracked() == id;
                            view! { <option value=id selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field" class:field--invalid=move || follow_up_error.with(Option::is_some)>
                    <label class="field__label" for=follow_id.clone()>{t!(follow_up)}</label>
                    <input class="field__input" type="date" id=follow_id.clone() min=today.to_string()
                        aria-invalid=move || follow_up_error.with(Option::is_some).then_some("true")
                        aria-describedby=follow_error_id.clone()
                        prop:value=move || follow_up.get() on:input=move |ev| follow_up.set(event_target_value(&ev))/>
                    <p class="field__error" id=follow_error_id.clone() role="alert">{move || follow_up_error.get()}</p>
                </div>
                {choose_responsible.then(|| view! {
                    <div class="field">
                        <label class="field__label" for=responsible_id.clone()>{t!(field_responsible)}</label>
                        <select class="field__input" id=responsible_id.clone()
                            prop:value=move || responsible.get() on:change=move |ev| responsible.set(event_target_value(&ev))>
                            {users.into_iter().map(|(id, name)| {
                                let selected = responsible.get_untracked() == id;
                                view! { <option value=id selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
            </div>
            <p class="form-error" role="alert">{move || refused.get()}</p>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" disabled=move || busy.get()>{t!(save)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}
