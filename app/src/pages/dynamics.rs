//! The Status dynamics report (Динамика статусов клиентов, SPEC 5, 8): how
//! the structure of the base changed since an earlier date (a week ago by
//! default) — counts per status on both dates, the difference, the flows
//! from status to status, as a table and a chart — for the whole visible
//! base or one manager; and the win-back conversion per manager.
//!
//! Every client's status history is computed on the device in slices when
//! the page opens; the report itself is a call into `kartoteka`.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use kartoteka::date::Date;
use kartoteka::rules::derived::BaseEvaluator;
use kartoteka::rules::dynamics::{
    ClientHistory, StatusDynamics, WinbackConversion, status_dynamics, winback_conversion,
};
use kartoteka::rules::status::StatusChange;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::Base;
use crate::base::Rules;
use crate::components::status::{StatusLabel, status_name_of};
use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::io::platform::{mark, measure, yield_now};
use crate::state::app_state;
use crate::t;

/// How many histories are computed between two yields.
const SLICE: usize = 500;

/// Every visible client's status history up to `as_of`.
struct Histories {
    as_of: NaiveDate,
    rules: Rules,
    clients: Vec<(String, Option<String>, Vec<StatusChange>)>,
}

impl Histories {
    fn iter(&self) -> impl Iterator<Item = ClientHistory<'_>> + Clone {
        self.clients
            .iter()
            .map(|(id, responsible, history)| ClientHistory {
                client: id,
                responsible: responsible.as_deref(),
                history,
            })
    }
}

async fn compute(base: Base, rules: Rules, as_of: NaiveDate) -> Histories {
    mark("kartoteka:histories-start");
    let items = base.clients.with_untracked(|l| l.items.clone());
    let mut evaluator = BaseEvaluator::new(&rules);
    let mut clients = Vec::with_capacity(items.len());
    for slice in items.chunks(SLICE) {
        base.derived.with_untracked(|derived| {
            for s in slice {
                if let Ok(Some(report)) = evaluator.history(&s.facts, as_of) {
                    // The effective responsible (none in the exchange), as
                    // the list shows it.
                    let responsible = derived
                        .get(s.id.as_str())
                        .and_then(|c| c.responsible.clone());
                    clients.push((s.id.to_string(), responsible, report.history().to_vec()));
                }
            }
        });
        yield_now().await;
    }
    mark("kartoteka:histories-end");
    measure(
        "kartoteka:histories",
        "kartoteka:histories-start",
        "kartoteka:histories-end",
    );
    Histories {
        as_of,
        rules,
        clients,
    }
}

fn date(d: NaiveDate) -> String {
    format::date(Date(d))
}

/// The report page.
#[component]
pub fn DynamicsPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let today = state.today().naive();
    let week_ago = today - Days::new(7);
    let earlier = RwSignal::new(Date(week_ago).to_string());
    let manager = RwSignal::new(String::new());
    let histories = RwSignal::new(None::<Arc<Histories>>);

    // Computed on opening and again when the rules change (not on every
    // edit: the report is a picture of the base as the page opened).
    Effect::new(move |_| {
        let Some(rules) = base.rules.get() else {
            return;
        };
        histories.set(None);
        spawn_local(async move {
            let h = compute(base, rules, today).await;
            histories.set(Some(Arc::new(h)));
        });
    });

    let a = Memo::new(move |_| {
        earlier
            .get()
            .parse::<Date>()
            .ok()
            .map(Date::naive)
            .filter(|d| *d <= today)
    });
    let chosen = move || {
        let m = manager.get();
        (!m.is_empty()).then_some(m)
    };
    let report = Memo::new(move |_| {
        let h = histories.get()?;
        let a = a.get()?;
        let m = chosen();
        let dynamics = status_dynamics(&h.rules, h.iter(), a, h.as_of, m.as_deref());
        let mut conversion = winback_conversion(&h.rules, h.iter(), a, h.as_of);
        if let Some(m) = &m {
            conversion.retain(|c| c.manager.as_deref() == Some(m.as_str()));
        }
        Some((h.rules.clone(), dynamics, conversion))
    });
    let users = move || base.assignable_users();

    view! {
        <main class="report-page" id="main">
            <h1 class="report-page__title">{t!(dynamics_title)}</h1>
            <form class="report-filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label class="field__label" for="dynamics-date">{t!(dynamics_compare_with)}</label>
                    <input
                        class="field__input"
                        type="date"
                        id="dynamics-date"
                        max=Date(today).to_string()
                        aria-invalid=move || a.with(Option::is_none).then_some("true")
                        aria-describedby="dynamics-date-error"
                        prop:value=move || earlier.get()
                        on:input=move |ev| earlier.set(event_target_value(&ev))
                    />
                    <p class="field__error" id="dynamics-date-error" role="alert">
                        {move || a.with(Option::is_none).then(|| cat().err_date_future)}
                    </p>
                </div>
                <div class="field">
                    <label class="field__label" for="dynamics-manager">{t!(field_manager)}</label>
                    <select
                        class="field__input"
                        id="dynamics-manager"
                        prop:value=move || manager.get()
                        on:change=move |ev| manager.set(event_target_value(&ev))
                    >
                        <option value="">{t!(all_managers)}</option>
                        {move || users().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
            </form>
            {move || match (histories.with(Option::is_some), report.get()) {
                (false, _) => view! { <p class="muted" role="status">{t!(computing)}</p> }.into_any(),
                (true, None) => view! { <p class="muted">{t!(err_date_future)}</p> }.into_any(),
                (true, Some((rules, dynamics, conversion))) => {
                    view! { <Report rules=rules dynamics=dynamics conversion=conversion/> }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn Report(
    rules: Rules,
    dynamics: StatusDynamics,
    conversion: Vec<WinbackConversion>,
) -> impl IntoView {
    let base = crate::base::base();
    let (a, b) = (dynamics.a, dynamics.b);
    let max = dynamics
        .counts
        .iter()
        .map(|c| c.at_a.max(c.at_b))
        .max()
        .unwrap_or(0)
        .max(1);
    let total_a: u32 = dynamics.counts.iter().map(|c| c.at_a).sum();
    let total_b: u32 = dynamics.counts.iter().map(|c| c.at_b).sum();
    let colour = |id: &str| {
        rules
            .status(id)
            .map(|d| d.colour.clone())
            .unwrap_or_default()
    };
    let name = |id: &str| status_name_of(&rules, id);
    let manager_name = move |id: &Option<String>| match id {
        Some(id) => base
            .workspace
            .with_untracked(|w| {
                w.as_ref()
                    .and_then(|w| w.users.get(id))
                    .map(|u| u.name.clone())
            })
            .unwrap_or_else(|| id.clone()),
        None => cat().nobody.to_owned(),
    };
    let signed = |n: i64| {
        if n > 0 {
            format!("+{n}")
        } else {
            n.to_string()
        }
    };
    let percent = |n: u32| f64::from(n) * 100.0 / f64::from(max);

    view! {
        <div class="report-grid">
            <section class="panel" aria-labelledby="dyn-counts">
                <h2 class="panel__title" id="dyn-counts">{t!(dynamics_counts)}</h2>
                <div class="table-scroll"><table class="report-table" data-testid="dynamics-counts">
                    <thead>
                        <tr>
                            <th scope="col">{t!(col_status)}</th>
                            <th scope="col" class="num">{date(a)}</th>
                            <th scope="col" class="num">{date(b)}</th>
                            <th scope="col" class="num">{t!(col_change)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {dynamics
                            .counts
                            .iter()
                            .map(|c| {
                                let change = c.change();
                                let class = match change {
                                    n if n > 0 => "num change change--up",
                                    n if n < 0 => "num change change--down",
                                    _ => "num change",
                                };
                                view! {
                                    <tr>
                                        <th scope="row"><StatusLabel status=c.status.clone()/></th>
                                        <td class="num">{c.at_a}</td>
                                        <td class="num">{c.at_b}</td>
                                        <td class=class>{signed(change)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{t!(total)}</th>
                            <td class="num">{total_a}</td>
                            <td class="num">{total_b}</td>
                            <td class="num">{signed(i64::from(total_b) - i64::from(total_a))}</td>
                        </tr>
                    </tfoot>
                </table></div>
            </section>
            <section class="panel" aria-labelledby="dyn-chart">
                <h2 class="panel__title" id="dyn-chart">{t!(dynamics_chart)}</h2>
                <p class="chart-legend">
                    <span class="chart-legend__item"><span class="chart-legend__swatch chart-legend__swatch--a" aria-hidden="true"></span>{date(a)}</span>
                    <span class="chart-legend__item"><span class="chart-legend__swatch chart-legend__swatch--b" aria-hidden="true"></span>{date(b)}</span>
                </p>
                // The table beside holds the same numbers for screen readers.
                <div class="bar-chart" aria-hidden="true">
                    {dynamics
                        .counts
                        .iter()
                        .map(|c| {
                            view! {
                                <div class="bar-chart__row" style:--status-colour=colour(c.status.as_str())>
                                    <span class="bar-chart__label">{name(c.status.as_str())}</span>
                                    <span class="bar-chart__bars">
                                        <span class="bar bar--a" style:--bar=format!("{:.1}%", percent(c.at_a))>
                                            <span class="bar__value">{c.at_a}</span>
                                        </span>
                                        <span class="bar bar--b" style:--bar=format!("{:.1}%", percent(c.at_b))>
                                            <span class="bar__value">{c.at_b}</span>
                                        </span>
                                    </span>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </section>
            <section class="panel panel--wide" aria-labelledby="dyn-flows">
                <h2 class="panel__title" id="dyn-flows">{t!(dynamics_flows)}</h2>
                <TableOrEmpty rows=dynamics.flows.len() empty=|c| c.no_flows testid="dynamics-flows">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(col_from)}</th>
                                    <th scope="col">{t!(col_to)}</th>
                                    <th scope="col" class="num">{t!(col_clients)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {dynamics
                                    .flows
                                    .iter()
                                    .map(|f| {
                                        let from = match &f.from {
                                            Some(s) => view! { <StatusLabel status=s.clone()/> }.into_any(),
                                            None => view! { <span class="muted">{(cat().flow_created_after)(&date(a))}</span> }.into_any(),
                                        };
                                        view! {
                                            <tr>
                                                <td>{from}</td>
                                                <td><StatusLabel status=f.to.clone()/></td>
                                                <td class="num">{f.clients}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                </TableOrEmpty>
            </section>
            <section class="panel panel--wide" aria-labelledby="dyn-winback">
                <h2 class="panel__title" id="dyn-winback">{t!(winback_title)}</h2>
                <p class="muted">{move || (cat().winback_lead)(&date(a), &date(b))}</p>
                <TableOrEmpty rows=conversion.len() empty=|c| c.no_winbacks testid="winback-conversion">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(field_manager)}</th>
                                    <th scope="col" class="num">{t!(col_winbacks_started)}</th>
                                    <th scope="col" class="num">{t!(col_winbacks_returned)}</th>
                                    <th scope="col" class="num">{t!(col_winbacks_won)}</th>
                                    <th scope="col" class="num">{t!(col_conversion)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {conversion
                                    .iter()
                                    .map(|c| {
                                        let pct = c.percent().map(|p| format!("{p:.0} %")).unwrap_or_default();
                                        view! {
                                            <tr>
                                                <th scope="row">{manager_name(&c.manager)}</th>
                                                <td class="num">{c.started}</td>
                                                <td class="num">{c.returned}</td>
                                                <td class="num">{c.won_back}</td>
                                                <td class="num">{pct}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                </TableOrEmpty>
            </section>
        </div>
    }
}

/// A table of the report in its scrolling box, or `empty` in its place
/// when it has no rows.
#[component]
fn TableOrEmpty(
    rows: usize,
    empty: fn(&Catalogue) -> &'static str,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    if rows == 0 {
        view! { <p class="muted">{move || empty(cat())}</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll"><table class="report-table" data-testid=testid>
                {children()}
            </table></div>
        }
        .into_any()
    }
}
