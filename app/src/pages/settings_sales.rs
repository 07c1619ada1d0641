//! Settings of sales (SPEC 4), for administrators: the scenarios and their
//! ordered states (name, transition criterion, "needs a registered client",
//! how a state completes an Interest), the service types with their
//! scenarios and the default one, and the list of rejection reasons.
//! Supervisors see the settings read-only; the relay refuses workspace
//! changes from anyone but an administrator.
//!
//! As on the statuses page, the page edits a draft; "Save" checks it with
//! `WorkspaceDoc::validate_sales` and writes only a valid one. Deleting a
//! state, a scenario or a service type that Interests on this device still
//! use is refused on the spot, with the number of those Interests.

use kartoteka::client::Outcome;
use kartoteka::summary::InterestSummary;
use kartoteka::workspace::sales::interests_in;
use kartoteka::workspace::{
    Names, Reason, SalesError, Scenario, ScenarioState, ServiceType, WorkspaceDoc,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::editor::{MoveButtons, NamesFields};
use crate::components::focus::focus_id;
use crate::i18n::{Catalogue, Lang, cat, lang};
use crate::pages::settings_form::{
    SettingsForbidden, SettingsForm, save_workspace, settings_access,
};
use crate::t;

/// A name in the interface language, else the fallback (an id).
fn name_or(names: &Names, fallback: &str) -> String {
    let name = match lang() {
        Lang::Ru => names.ru.as_str(),
        Lang::En => names.en_or_ru(),
    };
    if name.trim().is_empty() {
        fallback.to_owned()
    } else {
        name.to_owned()
    }
}

fn scenario_name(w: &WorkspaceDoc, id: &str) -> String {
    w.scenarios
        .get(id)
        .map(|s| name_or(&s.names, id))
        .unwrap_or_else(|| id.to_owned())
}

fn service_type_name(w: &WorkspaceDoc, id: &str) -> String {
    w.service_types
        .get(id)
        .map(|t| name_or(&t.names, id))
        .unwrap_or_else(|| id.to_owned())
}

/// The draft's scenarios as a picker offers them: (id, name or else id).
fn scenario_choices(w: &WorkspaceDoc) -> Vec<(String, String)> {
    w.scenarios
        .values()
        .map(|s| (s.id.clone(), name_or(&s.names, &s.id)))
        .collect()
}

/// The position (from 1) of a state in its scenario.
fn state_position(w: &WorkspaceDoc, scenario: &str, state: &str) -> usize {
    w.scenarios
        .get(scenario)
        .and_then(|s| s.states.iter().position(|x| x.id == state))
        .map_or(0, |p| p + 1)
}

/// Why the draft cannot be saved, in words, naming what is wrong.
fn sales_error_text(c: &Catalogue, w: &WorkspaceDoc, e: &SalesError) -> String {
    let sc = |id: &str| scenario_name(w, id);
    let state_name = |scenario: &str, state: &str| {
        w.scenarios
            .get(scenario)
            .and_then(|s| s.state(state))
            .map(|s| name_or(&s.names, state))
            .unwrap_or_else(|| state.to_owned())
    };
    match e {
        SalesError::EmptyScenarioName { .. } => c.sales_empty_scenario_name.to_owned(),
        SalesError::NoStates { scenario } => (c.sales_no_states)(&sc(scenario)),
        SalesError::EmptyStateId { scenario, position } => {
            (c.sales_empty_state_id)(&sc(scenario), *position)
        }
        SalesError::DuplicateStateId { scenario, state } => {
            (c.sales_duplicate_state)(&sc(scenario), state)
        }
        SalesError::EmptyStateName { scenario, state } => {
            (c.sales_empty_state_name)(&sc(scenario), state_position(w, scenario, state))
        }
        SalesError::FirstStateEnds { scenario, state } => {
            (c.sales_first_state_ends)(&sc(scenario), &state_name(scenario, state))
        }
        SalesError::NoSuccessEnd { scenario } => (c.sales_no_success)(&sc(scenario)),
        SalesError::ScenarioKeyMismatch { .. } | SalesError::ServiceTypeKeyMismatch { .. } => {
            c.sales_key_mismatch.to_owned()
        }
        SalesError::EmptyServiceTypeName { .. } => c.sales_empty_service_type_name.to_owned(),
        SalesError::UnknownScenario {
            service_type,
            scenario,
        } => (c.sales_unknown_scenario)(&service_type_name(w, service_type), scenario),
        SalesError::UnknownDefaultServiceType { .. } => c.sales_unknown_default.to_owned(),
        SalesError::EmptyReasonName { position } => (c.sales_empty_reason)(*position),
        SalesError::DuplicateReasonId { reason } => (c.sales_duplicate_reason)(reason),
        SalesError::ScenarioInUse {
            scenario,
            service_type,
        } => (c.sales_scenario_in_use)(&sc(scenario), &service_type_name(w, service_type)),
        SalesError::WinbackScenario { scenario } => (c.sales_winback_scenario)(&sc(scenario)),
    }
}

/// Counts over the Interests this device knows (merged-away clients aside).
fn with_interests<R>(f: impl FnOnce(&mut dyn Iterator<Item = &InterestSummary>) -> R) -> R {
    crate::base::base().clients.with_untracked(|list| {
        let mut all = list
            .items
            .iter()
            .filter(|s| s.merged_into.is_none())
            .flat_map(|s| s.interests.iter());
        f(&mut all)
    })
}

/// A short random id for something new (states, scenarios, …).
fn fresh_id(prefix: &str) -> String {
    format!("{prefix}_{}", &kartoteka::ids::new_id()[..8])
}

fn outcome_id(o: Option<Outcome>) -> &'static str {
    match o {
        None => "none",
        Some(Outcome::Success) => "success",
        Some(Outcome::Failure) => "failure",
    }
}

/// The draft shared by the page's sections.
type Draft = RwSignal<WorkspaceDoc>;

/// The sales settings page.
#[component]
pub fn SalesSettingsPage() -> impl IntoView {
    let base = crate::base::base();
    let Some(read_only) = settings_access() else {
        return view! { <SettingsForbidden title=|c| c.sales_settings_title/> }.into_any();
    };
    let Some(saved) = base.workspace.get_untracked() else {
        return view! { <main class="settings-page" id="main"><p class="muted">{t!(loading)}</p></main> }
            .into_any();
    };
    let draft: Draft = RwSignal::new((*saved).clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Whether a state or a service type is in use is counted over the
    // Interests: editing waits until they are read.
    spawn_local(base.read_sales());
    let sales_read = move || base.sales_ready();

    let save = Callback::new(move |()| {
        let d = draft.get_untracked();
        d.validate_sales()
            .map_err(|e| sales_error_text(cat(), &d, &e))?;
        save_workspace(
            base,
            "sales scenarios and service types",
            cat().sales_saved,
            (busy, error),
            move |w| {
                w.scenarios = d.scenarios;
                w.service_types = d.service_types;
                w.rejection_reasons = d.rejection_reasons;
                w.settings.default_service_type = d.settings.default_service_type;
            },
        );
        Ok(())
    });
    let discard = Callback::new(move |()| {
        if let Some(w) = base.workspace.get_untracked() {
            draft.set((*w).clone());
        }
    });

    view! {
        <main class="settings-page sales-settings" id="main">
            <p class="settings-page__crumb"><A href="/settings/statuses">{t!(statuses_settings_link)}</A></p>
            <h1>{t!(sales_settings_title)}</h1>
            <p class="muted">{t!(sales_settings_lead)}</p>
            {read_only.then(|| view! { <p class="banner banner--info sales-settings__note">{t!(sales_settings_read_only)}</p> })}
            <SettingsForm error_id="sales-error" error=error busy=busy
                disabled=Signal::derive(move || read_only || !sales_read())
                save=save discard=discard
                status=move || view! { <p class="muted" role="status" hidden=sales_read>{t!(sales_reading)}</p> }>
                <ScenariosEditor draft=draft/>
                <ServiceTypesEditor draft=draft/>
                <ReasonsEditor draft=draft/>
            </SettingsForm>
        </main>
    }
    .into_any()
}

/// The scenario chosen in the picker, its names and its states.
#[component]
fn ScenariosEditor(draft: Draft) -> impl IntoView {
    let first = draft.with_untracked(|w| {
        w.scenarios
            .contains_key(kartoteka::workspace::LEAD_SCENARIO)
            .then(|| kartoteka::workspace::LEAD_SCENARIO.to_owned())
            .or_else(|| w.scenarios.keys().next().cloned())
            .unwrap_or_default()
    });
    let selected = RwSignal::new(first);
    let notice = RwSignal::new(None::<String>);
    let options = move || draft.with(scenario_choices);
    let add_scenario = move |_| {
        let id = fresh_id("sc");
        let state_new = ScenarioState {
            id: "new".to_owned(),
            names: Names::new(cat().new_state_name, ""),
            hint: Names::default(),
            requires_client: false,
            ends: None,
        };
        let done = ScenarioState {
            id: "done".to_owned(),
            names: Names::new(cat().end_success, ""),
            hint: Names::default(),
            requires_client: false,
            ends: Some(Outcome::Success),
        };
        draft.update(|w| {
            w.scenarios.insert(
                id.clone(),
                Scenario {
                    id: id.clone(),
                    names: Names::new(cat().new_scenario_name, ""),
                    states: vec![state_new, done],
                },
            );
        });
        selected.set(id);
        notice.set(None);
        focus_id("scenario-name-ru", false);
    };
    let delete_scenario = move |_| {
        let id = selected.get_untracked();
        let (check, name) =
            draft.with_untracked(|w| (w.check_scenario_removal(&id), scenario_name(w, &id)));
        if let Err(e) = check {
            notice.set(Some(
                draft.with_untracked(|w| sales_error_text(cat(), w, &e)),
            ));
            return;
        }
        let used = with_interests(|all| interests_in(all, &id, None));
        if used > 0 {
            notice.set(Some((cat().scenario_in_use_interests)(&name, used as u64)));
            return;
        }
        notice.set(None);
        draft.update(|w| {
            w.scenarios.remove(&id);
        });
        let next = draft.with_untracked(|w| w.scenarios.keys().next().cloned().unwrap_or_default());
        selected.set(next);
        focus_id("sales-scenario", false);
    };
    let scenario = move || draft.with(|w| w.scenarios.get(&selected.get()).cloned());
    let edit = move |f: &dyn Fn(&mut Scenario)| {
        let id = selected.get_untracked();
        draft.update(|w| {
            if let Some(s) = w.scenarios.get_mut(&id) {
                f(s);
            }
        })
    };

    view! {
        <section class="settings-section" aria-labelledby="scenarios-title">
            <h2 id="scenarios-title">{t!(scenarios_title)}</h2>
            <div class="scenario-picker">
                <div class="field">
                    <label class="field__label" for="sales-scenario">{t!(scenario_field)}</label>
                    <select class="field__input" id="sales-scenario"
                        prop:value=move || selected.get()
                        on:change=move |ev| { notice.set(None); selected.set(event_target_value(&ev)) }>
                        {move || options().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="button" on:click=add_scenario>{t!(add_scenario)}</button>
                <button type="button" class="button button--ghost button--danger" on:click=delete_scenario>{t!(delete_scenario)}</button>
            </div>
            <p class="form-error" role="alert">{move || notice.get()}</p>
            <Show when=move || scenario().is_some()>
                <div class="status-editor__grid scenario-names">
                    <NamesFields id="scenario-name" labels=(|c| c.status_name_ru, |c| c.status_name_en)
                        names=Signal::derive(move || scenario().map(|s| s.names).unwrap_or_default())
                        set=Callback::new(move |n: Names| edit(&|s| s.names = n.clone()))/>
                </div>
                <h3 class="settings-section__subtitle">{t!(states_title)}</h3>
                {move || {
                    let sid = selected.get();
                    view! { <StatesEditor draft=draft scenario=sid notice=notice/> }
                }}
            </Show>
        </section>
    }
}

/// The ordered states of one scenario.
#[component]
fn StatesEditor(draft: Draft, scenario: String, notice: RwSignal<Option<String>>) -> impl IntoView {
    let sc = StoredValue::new(scenario);
    let ids = Memo::new(move |_| {
        draft.with(|w| {
            w.scenarios
                .get(&sc.get_value())
                .map(|s| s.states.iter().map(|x| x.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let add_state = move |_| {
        let id = fresh_id("s");
        draft.update(|w| {
            if let Some(s) = w.scenarios.get_mut(&sc.get_value()) {
                // A new stage goes before the completions, where it belongs.
                let at = s
                    .states
                    .iter()
                    .position(|x| x.ends.is_some())
                    .unwrap_or(s.states.len());
                s.states.insert(
                    at,
                    ScenarioState {
                        id: id.clone(),
                        names: Names::new(cat().new_state_name, ""),
                        hint: Names::default(),
                        requires_client: false,
                        ends: None,
                    },
                );
            }
        });
        notice.set(None);
        focus_id(format!("state-{id}-ru"), false);
    };
    view! {
        <ol class="state-list">
            <For
                each=move || ids.get()
                key=|id| id.clone()
                children=move |id| view! { <StateEditor draft=draft scenario=sc state=id ids=ids notice=notice/> }
            />
        </ol>
        <div class="settings-form__add">
            <button type="button" class="button" on:click=add_state>{t!(add_state)}</button>
        </div>
    }
}

/// One state: names, criterion, "needs a client", completion; moved up and
/// down by buttons, deleted unless Interests are in it.
#[component]
fn StateEditor(
    draft: Draft,
    scenario: StoredValue<String>,
    state: String,
    ids: Memo<Vec<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let st = StoredValue::new(state.clone());
    let get = move || {
        draft.with(|w| {
            w.scenarios
                .get(&scenario.get_value())
                .and_then(|s| s.state(&st.get_value()).cloned())
        })
    };
    let edit = move |f: &dyn Fn(&mut ScenarioState)| {
        draft.update(|w| {
            if let Some(x) = w
                .scenarios
                .get_mut(&scenario.get_value())
                .and_then(|s| s.states.iter_mut().find(|x| x.id == st.get_value()))
            {
                f(x);
            }
        })
    };
    let name = move || get().map(|s| name_or(&s.names, "")).unwrap_or_default();
    let position = move || ids.with(|v| v.iter().position(|x| *x == st.get_value()));
    let count = move || ids.with(Vec::len);
    let base = format!("state-{state}");
    let (client_id, end_id, up_id, down_id) = (
        format!("{base}-client"),
        format!("{base}-end"),
        format!("{base}-up"),
        format!("{base}-down"),
    );
    let shift = {
        let (up_id, down_id) = (up_id.clone(), down_id.clone());
        move |by: isize| {
            let own = st.get_value();
            draft.update(|w| {
                if let Some(s) = w.scenarios.get_mut(&scenario.get_value()) {
                    let Some(i) = s.states.iter().position(|x| x.id == own) else {
                        return;
                    };
                    let j = i as isize + by;
                    if j >= 0 && (j as usize) < s.states.len() {
                        s.states.swap(i, j as usize);
                    }
                }
            });
            // The row moved in the DOM; keep the keyboard on its button,
            // or on the other one once it reached the end of the list.
            let at_end = position().is_none_or(|p| if by < 0 { p == 0 } else { p + 1 >= count() });
            let target = match (by < 0, at_end) {
                (true, false) | (false, true) => up_id.clone(),
                (false, false) | (true, true) => down_id.clone(),
            };
            focus_id(target, false);
        }
    };
    let delete = move |_| {
        let own = st.get_value();
        let sid = scenario.get_value();
        let used = with_interests(|all| interests_in(all, &sid, Some(&own)));
        if used > 0 {
            notice.set(Some((cat().state_in_use)(&name(), used as u64)));
            focus_id(format!("state-{own}-ru"), false);
            return;
        }
        notice.set(None);
        draft.update(|w| {
            if let Some(s) = w.scenarios.get_mut(&sid) {
                s.states.retain(|x| x.id != own);
            }
        });
        focus_id("sales-scenario", false);
    };

    view! {
        <li class="state-editor" class:state-editor--success=move || get().is_some_and(|s| s.ends == Some(Outcome::Success))
            class:state-editor--failure=move || get().is_some_and(|s| s.ends == Some(Outcome::Failure))>
            <div class="state-editor__head">
                <span class="state-editor__number">{move || (cat().state_n)(position().map_or(0, |p| p + 1))}</span>
                <span class="status-editor__id">{state.clone()}</span>
                <span class="state-editor__actions">
                    <MoveButtons name=Signal::derive(name) position=Signal::derive(position) count=Signal::derive(count)
                        shift=Callback::new(shift) ids=(up_id, down_id)/>
                    <button type="button" class="button button--small button--ghost"
                        aria-label=move || (cat().delete_state)(&name())
                        on:click=delete>
                        {t!(remove)}
                    </button>
                </span>
            </div>
            <div class="state-editor__grid">
                <NamesFields id=base.clone() labels=(|c| c.status_name_ru, |c| c.status_name_en) class="state-editor__name"
                    names=Signal::derive(move || get().map(|s| s.names).unwrap_or_default())
                    set=Callback::new(move |n: Names| edit(&|s| s.names = n.clone()))/>
                <div class="field state-editor__end">
                    <label class="field__label" for=end_id.clone()>{t!(state_end)}</label>
                    <select class="field__input" id=end_id.clone()
                        prop:value=move || get().map(|s| outcome_id(s.ends)).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            edit(&|s| s.ends = match v.as_str() {
                                "success" => Some(Outcome::Success),
                                "failure" => Some(Outcome::Failure),
                                _ => None,
                            })
                        }>
                        <option value="none">{t!(end_none)}</option>
                        <option value="success">{t!(end_success)}</option>
                        <option value="failure">{t!(end_failure)}</option>
                    </select>
                </div>
                <NamesFields id=format!("{base}-hint") labels=(|c| c.state_hint_ru, |c| c.state_hint_en) class="state-editor__hint"
                    names=Signal::derive(move || get().map(|s| s.hint).unwrap_or_default())
                    set=Callback::new(move |n: Names| edit(&|s| s.hint = n.clone()))/>
                <label class="check state-editor__client" for=client_id.clone()>
                    <input type="checkbox" id=client_id.clone()
                        prop:checked=move || get().is_some_and(|s| s.requires_client)
                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|s| s.requires_client = on) }/>
                    {t!(state_requires_client)}
                </label>
            </div>
        </li>
    }
}

/// Service types: names, the scenario each follows, the default one.
#[component]
fn ServiceTypesEditor(draft: Draft) -> impl IntoView {
    let notice = RwSignal::new(None::<String>);
    let ids =
        Memo::new(move |_| draft.with(|w| w.service_types.keys().cloned().collect::<Vec<_>>()));
    let add = move |_| {
        let id = fresh_id("st");
        draft.update(|w| {
            let scenario = w
                .service_types
                .get(&w.settings.default_service_type)
                .map(|t| t.scenario.clone())
                .or_else(|| w.scenarios.keys().next().cloned())
                .unwrap_or_default();
            w.service_types.insert(
                id.clone(),
                ServiceType {
                    id: id.clone(),
                    names: Names::new(cat().new_service_type_name, ""),
                    scenario,
                },
            );
        });
        focus_id(format!("type-{id}-ru"), false);
    };
    view! {
        <section class="settings-section" aria-labelledby="types-title">
            <h2 id="types-title">{t!(service_types_title)}</h2>
            <p class="form-error" role="alert">{move || notice.get()}</p>
            <ul class="row-list">
                <For
                    each=move || ids.get()
                    key=|id| id.clone()
                    children=move |id| view! { <ServiceTypeRow draft=draft id=id notice=notice/> }
                />
            </ul>
            <div class="settings-form__add">
                <button type="button" class="button" on:click=add>{t!(add_service_type)}</button>
            </div>
        </section>
    }
}

#[component]
fn ServiceTypeRow(draft: Draft, id: String, notice: RwSignal<Option<String>>) -> impl IntoView {
    let key = StoredValue::new(id.clone());
    let get = move || draft.with(|w| w.service_types.get(&key.get_value()).cloned());
    let edit = move |f: &dyn Fn(&mut ServiceType)| {
        draft.update(|w| {
            if let Some(t) = w.service_types.get_mut(&key.get_value()) {
                f(t);
            }
        })
    };
    let name = move || get().map(|t| name_or(&t.names, "")).unwrap_or_default();
    let scenarios = move || draft.with(scenario_choices);
    let delete = move |_| {
        let own = key.get_value();
        let used = with_interests(|all| all.filter(|i| i.service_type == own).count());
        if used > 0 {
            notice.set(Some((cat().service_type_in_use)(&name(), used as u64)));
            return;
        }
        notice.set(None);
        draft.update(|w| {
            w.service_types.remove(&own);
        });
    };
    let (sc_id, def_id) = (format!("type-{id}-scenario"), format!("type-{id}-default"));
    view! {
        <li class="row-editor">
            <NamesFields id=format!("type-{id}") labels=(|c| c.status_name_ru, |c| c.status_name_en)
                names=Signal::derive(move || get().map(|t| t.names).unwrap_or_default())
                set=Callback::new(move |n: Names| edit(&|t| t.names = n.clone()))/>
            <div class="field">
                <label class="field__label" for=sc_id.clone()>{t!(scenario_field)}</label>
                <select class="field__input" id=sc_id.clone()
                    prop:value=move || get().map(|t| t.scenario).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); edit(&|t| t.scenario = v.clone()) }>
                    {move || scenarios().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </div>
            <label class="check row-editor__default" for=def_id.clone()>
                <input type="radio" name="default-service-type" id=def_id.clone()
                    prop:checked=move || draft.with(|w| w.settings.default_service_type == key.get_value())
                    on:change=move |_| draft.update(|w| w.settings.default_service_type = key.get_value())/>
                {t!(service_type_default)}
            </label>
            <button type="button" class="button button--small button--ghost row-editor__remove"
                aria-label=move || (cat().delete_service_type)(&name())
                on:click=delete>
                {t!(remove)}
            </button>
        </li>
    }
}

/// The rejection reasons, in the order the completion form lists them.
#[component]
fn ReasonsEditor(draft: Draft) -> impl IntoView {
    let ids = Memo::new(move |_| {
        draft.with(|w| {
            w.rejection_reasons
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let add = move |_| {
        let id = fresh_id("r");
        draft.update(|w| {
            w.rejection_reasons.push(Reason {
                id: id.clone(),
                names: Names::new(cat().new_reason_name, ""),
            })
        });
        focus_id(format!("reason-{id}-ru"), false);
    };
    view! {
        <section class="settings-section" aria-labelledby="reasons-title">
            <h2 id="reasons-title">{t!(reasons_title)}</h2>
            <ul class="row-list">
                <For
                    each=move || ids.get()
                    key=|id| id.clone()
                    children=move |id| view! { <ReasonRow draft=draft id=id/> }
                />
            </ul>
            <div class="settings-form__add">
                <button type="button" class="button" on:click=add>{t!(add_reason)}</button>
            </div>
        </section>
    }
}

#[component]
fn ReasonRow(draft: Draft, id: String) -> impl IntoView {
    let key = StoredValue::new(id.clone());
    let get = move || {
        draft.with(|w| {
            w.rejection_reasons
                .iter()
                .find(|r| r.id == key.get_value())
                .cloned()
        })
    };
    let edit = move |f: &dyn Fn(&mut Reason)| {
        draft.update(|w| {
            if let Some(r) = w
                .rejection_reasons
                .iter_mut()
                .find(|r| r.id == key.get_value())
            {
                f(r);
            }
        })
    };
    let name = move || get().map(|r| name_or(&r.names, "")).unwrap_or_default();
    view! {
        <li class="row-editor row-editor--reason">
            <NamesFields id=format!("reason-{id}") labels=(|c| c.reason_name_ru, |c| c.reason_name_en)
                names=Signal::derive(move || get().map(|r| r.names).unwrap_or_default())
                set=Callback::new(move |n: Names| edit(&|r| r.names = n.clone()))/>
            <button type="button" class="button button--small button--ghost row-editor__remove"
                aria-label=move || (cat().delete_reason)(&name())
                on:click=move |_| draft.update(|w| w.rejection_reasons.retain(|r| r.id != key.get_value()))>
                {t!(remove)}
            </button>
        </li>
    }
}
