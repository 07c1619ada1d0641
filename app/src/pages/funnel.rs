//! The sales funnel report (Воронка продаж, SPEC 8): for a scenario, a
//! period of creation, a manager and a service type, how many Interests
//! reached each state, the conversion from step to step and where the
//! unsuccessful ones dropped out — as bars and as a table.
//!
//! The numbers are [`kartoteka::report::funnel`] over the Interests in the
//! device's summaries (potential clients' Interests included; they are real
//! Interests). Supervisors choose any manager; managers and assistants see
//! their own Interests only.

use chrono::Days;
use kartoteka::date::Date;
use kartoteka::ids::UserId;
use kartoteka::report::funnel::{Funnel, FunnelFilter, funnel};
use kartoteka::workspace::{LEAD_SCENARIO, Names, Scenario};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::format;
use crate::i18n::{Lang, cat, lang};
use crate::state::app_state;
use crate::t;

/// A name in the interface language.
fn name_in(names: &Names) -> String {
    match lang() {
        Lang::Ru => names.ru.clone(),
        Lang::En => names.en_or_ru().to_owned(),
    }
}

fn percent(p: Option<f64>) -> String {
    p.map(format::percent).unwrap_or_else(|| "—".to_owned())
}

/// The report page.
#[component]
pub fn FunnelPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let today = state.today();
    let year_ago = Date(today.naive() - Days::new(365));
    let me = state.user();
    let sees_all = me.as_ref().is_some_and(|u| u.role.sees_everything());
    let my_id = me.as_ref().map(|u| u.id.to_string()).unwrap_or_default();

    let scenario_id = RwSignal::new(LEAD_SCENARIO.to_owned());
    let from = RwSignal::new(year_ago.to_string());
    let to = RwSignal::new(today.to_string());
    let manager = RwSignal::new(if sees_all {
        String::new()
    } else {
        my_id.clone()
    });
    let service_type = RwSignal::new(String::new());

    let scenarios = move || {
        base.workspace
            .with(|w| {
                w.as_ref().map(|w| {
                    w.scenarios
                        .values()
                        .map(|s| (s.id.clone(), name_in(&s.names)))
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    };
    let service_types = move || {
        base.workspace
            .with(|w| {
                w.as_ref().map(|w| {
                    w.service_types
                        .values()
                        .map(|t| (t.id.clone(), name_in(&t.names)))
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    };
    let managers = move || {
        let mut users = base.assignable_users();
        users.retain(|(id, _)| sees_all || id.as_str() == my_id);
        users
    };
    let period = Memo::new(move |_| {
        let from = from.get().parse::<Date>().ok();
        let to = to.get().parse::<Date>().ok();
        match (from, to) {
            (Some(a), Some(b)) if a > b => Err(()),
            (a, b) => Ok((a, b)),
        }
    });
    let scenario = Memo::new(move |_| {
        let id = scenario_id.get();
        base.workspace
            .with(|w| w.as_ref().and_then(|w| w.scenarios.get(&id).cloned()))
    });
    spawn_local(base.read_sales());
    let report = Memo::new(move |_| {
        if !base.sales_ready() {
            return None;
        }
        let scenario = scenario.get()?;
        let (from, to) = period.get().ok()?;
        let m = manager.get();
        let t = service_type.get();
        let filter = FunnelFilter {
            from,
            to,
            responsible: (!m.is_empty()).then_some(UserId(m)),
            service_type: (!t.is_empty()).then_some(t),
        };
        let f = base.clients.with(|list| {
            funnel(
                &scenario,
                list.items
                    .iter()
                    .filter(|s| s.merged_into.is_none())
                    .flat_map(|s| &s.interests),
                &filter,
            )
        });
        Some((scenario, f))
    });

    view! {
        <main class="report-page funnel-page" id="main">
            <h1 class="report-page__title">{t!(funnel_title)}</h1>
            <p class="muted report-page__lead">{t!(funnel_lead)}</p>
            <form class="report-filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label class="field__label" for="funnel-scenario">{t!(scenario_field)}</label>
                    <select class="field__input" id="funnel-scenario"
                        prop:value=move || scenario_id.get()
                        on:change=move |ev| scenario_id.set(event_target_value(&ev))>
                        {move || scenarios().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field field--date">
                    <label class="field__label" for="funnel-from">{t!(funnel_from)}</label>
                    <input class="field__input" type="date" id="funnel-from"
                        aria-invalid=move || period.with(Result::is_err).then_some("true")
                        aria-describedby="funnel-period-error"
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field field--date">
                    <label class="field__label" for="funnel-to">{t!(funnel_to)}</label>
                    <input class="field__input" type="date" id="funnel-to"
                        aria-invalid=move || period.with(Result::is_err).then_some("true")
                        aria-describedby="funnel-period-error"
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field__label" for="funnel-manager">{t!(field_manager)}</label>
                    <select class="field__input" id="funnel-manager"
                        disabled=!sees_all
                        prop:value=move || manager.get()
                        on:change=move |ev| manager.set(event_target_value(&ev))>
                        {sees_all.then(|| view! { <option value="">{t!(all_managers)}</option> })}
                        {move || managers().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="funnel-service">{t!(interest_service)}</label>
                    <select class="field__input" id="funnel-service"
                        prop:value=move || service_type.get()
                        on:change=move |ev| service_type.set(event_target_value(&ev))>
                        <option value="">{t!(all_service_types)}</option>
                        {move || service_types().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <p class="field__error report-filters__error" id="funnel-period-error" role="alert">
                    {move || period.with(Result::is_err).then(|| cat().funnel_bad_period)}
                </p>
            </form>
            <p class="muted" role="status" hidden=move || base.sales_ready()>{t!(sales_reading)}</p>
            {move || report.get().map(|(scenario, f)| view! { <FunnelReport scenario=scenario funnel=f/> })}
        </main>
    }
}

/// The chart and the table of one funnel.
#[component]
fn FunnelReport(scenario: Scenario, funnel: Funnel) -> impl IntoView {
    if funnel.interests == 0 {
        return view! { <p class="muted funnel-empty" role="status">{t!(funnel_empty)}</p> }
            .into_any();
    }
    let state_name = |id: &str| {
        scenario
            .state(id)
            .map(|s| name_in(&s.names))
            .unwrap_or_else(|| id.to_owned())
    };
    let summary = (cat().funnel_summary)(u64::from(funnel.interests), u64::from(funnel.dropped));
    let overall = (cat().funnel_overall)(&percent(funnel.overall_conversion()));
    let bars = funnel
        .steps
        .iter()
        .map(|s| {
            let share = funnel.share(s).unwrap_or(0.0);
            let value = (cat().funnel_bar_value)(
                &format::number(u64::from(s.reached)),
                &format::percent(share),
            );
            view! {
                <div class="funnel-chart__row">
                    <span class="funnel-chart__label">{state_name(&s.state)}</span>
                    <span class="funnel-chart__track">
                        <span class="funnel-chart__bar" style:--bar=format!("{share:.1}%")></span>
                    </span>
                    <span class="funnel-chart__value">{value}</span>
                </div>
            }
        })
        .collect_view();
    let rows = funnel
        .steps
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <th scope="row">{state_name(&s.state)}</th>
                    <td class="num">{format::number(u64::from(s.reached))}</td>
                    <td class="num">{percent(s.conversion)}</td>
                    <td class="num">{format::number(u64::from(s.dropped))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="funnel-summary" role="status" data-testid="funnel-summary">
            <span>{summary}</span>
            <span class="funnel-summary__overall">{overall}</span>
        </p>
        <div class="report-grid">
            <section class="panel" aria-labelledby="funnel-chart">
                <h2 class="panel__title" id="funnel-chart">{t!(funnel_chart)}</h2>
                // The table beside holds the same numbers for screen readers.
                <div class="funnel-chart" aria-hidden="true">{bars}</div>
            </section>
            <section class="panel" aria-labelledby="funnel-table">
                <h2 class="panel__title" id="funnel-table">{t!(funnel_table)}</h2>
                <div class="table-scroll">
                    <table class="report-table" data-testid="funnel-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(col_state)}</th>
                                <th scope="col" class="num">{t!(col_reached)}</th>
                                <th scope="col" class="num">{t!(col_step_conversion)}</th>
                                <th scope="col" class="num">{t!(col_dropped)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        </div>
    }
    .into_any()
}
