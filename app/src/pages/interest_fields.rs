//! The fields of an Interest being registered (SPEC 4): content, service
//! type (the workspace's default first), scenario (filled from the service
//! type, can be changed), responsible, the day of the request and the
//! follow-up date. Used on the card and on the registration page.

use kartoteka::client::Interest;
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{UserId, new_id};
use kartoteka::scenario::{Act, Registration, register};
use kartoteka::workspace::WorkspaceDoc;
use leptos::prelude::*;

use crate::components::field::TextField;
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::pages::card::interests::local_name;
use crate::pages::interest_move::scenario_error_text;
use crate::pages::options::scenario_options;
use crate::state::app_state;
use crate::t;

/// What the form holds.
#[derive(Clone, Copy)]
pub struct InterestDraft {
    pub content: RwSignal<String>,
    pub service: RwSignal<String>,
    pub scenario: RwSignal<String>,
    pub responsible: RwSignal<String>,
    pub day: RwSignal<String>,
    pub follow_up: RwSignal<String>,
    pub content_error: RwSignal<Option<String>>,
    pub day_error: RwSignal<Option<String>>,
    pub follow_up_error: RwSignal<Option<String>>,
}

/// The workspace's service types (id, name, scenario), by name.
pub fn service_options(ws: Option<&WorkspaceDoc>) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = ws
        .map(|w| {
            w.service_types
                .values()
                .map(|s| (s.id.clone(), local_name(&s.names), s.scenario.clone()))
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

fn scenario_of(ws: Option<&WorkspaceDoc>, service: &str) -> String {
    ws.and_then(|w| w.service_types.get(service))
        .map(|s| s.scenario.clone())
        .unwrap_or_default()
}

impl InterestDraft {
    /// An empty draft: today, the default service type and its scenario,
    /// the user as responsible.
    pub fn fresh() -> InterestDraft {
        let state = app_state();
        let base = crate::base::base();
        let ws = base.workspace.get_untracked();
        let list = service_options(ws.as_deref());
        let service = ws
            .as_ref()
            .map(|w| w.settings.default_service_type.clone())
            .filter(|d| list.iter().any(|s| &s.0 == d))
            .or_else(|| list.first().map(|s| s.0.clone()))
            .unwrap_or_default();
        InterestDraft {
            content: RwSignal::new(String::new()),
            scenario: RwSignal::new(scenario_of(ws.as_deref(), &service)),
            service: RwSignal::new(service),
            responsible: RwSignal::new(state.user().map(|u| u.id.to_string()).unwrap_or_default()),
            day: RwSignal::new(state.today().to_string()),
            follow_up: RwSignal::new(String::new()),
            content_error: RwSignal::new(None),
            day_error: RwSignal::new(None),
            follow_up_error: RwSignal::new(None),
        }
    }

    /// The Interest the draft describes, or the errors shown by the fields.
    /// `earliest` is the first day the request may be dated (the client's
    /// creation).
    pub fn build(&self, earliest: Option<Date>) -> Option<Interest> {
        let state = app_state();
        let base = crate::base::base();
        let c = cat();
        let today = state.today();
        let (me, ws) = (state.user()?, base.workspace.get_untracked()?);
        let day = self.day.get_untracked().parse::<Date>();
        let day_error = match day {
            Err(_) => Some(c.err_date_format.to_owned()),
            Ok(d) if d > today => Some(c.err_date_future.to_owned()),
            Ok(d) if earliest.is_some_and(|e| d < e) => {
                earliest.map(|e| (c.err_date_before)(&format::date(e)))
            }
            Ok(_) => None,
        };
        self.day_error.set(day_error.clone());
        let follow_text = self.follow_up.get_untracked();
        let follow_up = if follow_text.trim().is_empty() {
            Ok(None)
        } else {
            follow_text.parse::<Date>().map(Some)
        };
        self.follow_up_error
            .set(follow_up.is_err().then(|| c.err_date_format.to_owned()));
        let responsible = Some(self.responsible.get_untracked())
            .filter(|r| !r.is_empty())
            .map(UserId);
        let registered = register(
            &ws,
            new_id(),
            Registration {
                content: self.content.get_untracked(),
                service_type: self.service.get_untracked(),
                scenario: self.scenario.get_untracked(),
                responsible,
                follow_up: follow_up.clone().ok().flatten(),
            },
            &Act {
                by: me.id.clone(),
                date: day.clone().unwrap_or(today),
                at: Timestamp(now_ms()),
            },
        );
        self.content_error.set(
            registered
                .as_ref()
                .err()
                .map(|e| scenario_error_text(c, e, None)),
        );
        match (registered, day_error, follow_up) {
            (Ok(i), None, Ok(_)) => Some(i),
            _ => None,
        }
    }
}

/// The fields. `choose_responsible`: supervisors register Interests for
/// their managers.
#[component]
pub fn InterestFields(draft: InterestDraft, choose_responsible: bool) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let ws = base.workspace.get_untracked();
    let services = service_options(ws.as_deref());
    let mut scenarios = scenario_options(ws.as_deref());
    scenarios.sort_by(|a, b| a.1.cmp(&b.1));
    let users = base.assignable_users();
    let today = state.today();
    let ws_for_change = ws.clone();
    let d = draft;
    view! {
        <div class="form-grid">
            <TextField id="interest-content" label=Signal::derive(t!(interest_content)) value=d.content
                error=d.content_error rows=2 required=true wide=true/>
            <div class="field">
                <label class="field__label" for="interest-service">{t!(interest_service)}</label>
                <select
                    class="field__input"
                    id="interest-service"
                    prop:value=move || d.service.get()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        // The scenario follows the service type; it can be changed after.
                        d.scenario.set(scenario_of(ws_for_change.as_deref(), &v));
                        d.service.set(v);
                    }
                >
                    {services.iter().map(|(id, name, _)| view! { <option value=id.clone() selected=d.service.get_untracked() == *id>{name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="field__label" for="interest-scenario">{t!(interest_scenario)}</label>
                <select
                    class="field__input"
                    id="interest-scenario"
                    prop:value=move || d.scenario.get()
                    on:change=move |ev| d.scenario.set(event_target_value(&ev))
                >
                    {scenarios.iter().map(|(id, name)| view! { <option value=id.clone() selected=d.scenario.get_untracked() == *id>{name.clone()}</option> }).collect_view()}
                </select>
            </div>
            {choose_responsible.then(|| view! {
                <div class="field">
                    <label class="field__label" for="interest-responsible">{t!(field_responsible)}</label>
                    <select
                        class="field__input"
                        id="interest-responsible"
                        prop:value=move || d.responsible.get()
                        on:change=move |ev| d.responsible.set(event_target_value(&ev))
                    >
                        {users.iter().map(|(id, name)| view! { <option value=id.clone() selected=d.responsible.get_untracked() == *id>{name.clone()}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <div class="field" class:field--invalid=move || d.day_error.with(Option::is_some)>
                <label class="field__label" for="interest-date">{t!(interest_date)}</label>
                <input
                    class="field__input"
                    type="date"
                    id="interest-date"
                    max=today.to_string()
                    aria-invalid=move || d.day_error.with(Option::is_some).then_some("true")
                    aria-describedby="interest-date-error"
                    prop:value=move || d.day.get()
                    on:input=move |ev| d.day.set(event_target_value(&ev))
                />
                <p class="field__error" id="interest-date-error" role="alert">{move || d.day_error.get()}</p>
            </div>
            <div class="field" class:field--invalid=move || d.follow_up_error.with(Option::is_some)>
                <label class="field__label" for="interest-follow-up">{t!(follow_up)}</label>
                <input
                    class="field__input"
                    type="date"
                    id="interest-follow-up"
                    aria-invalid=move || d.follow_up_error.with(Option::is_some).then_some("true")
                    aria-describedby="interest-follow-up-error"
                    prop:value=move || d.follow_up.get()
                    on:input=move |ev| d.follow_up.set(event_target_value(&ev))
                />
                <p class="field__error" id="interest-follow-up-error" role="alert">{move || d.follow_up_error.get()}</p>
            </div>
        </div>
    }
}
