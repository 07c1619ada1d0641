//! The card's status of work with the client (SPEC 5): the status and the
//! colour zone today, the "?" that explains the status (the rule that set
//! it, when, the facts of the period that made it hold, the history of
//! statuses), recomputing this client now, and statuses set by hand with a
//! comment — a fact in the client's document that syncs like any other.

use chrono::NaiveDate;
use kartoteka::client::{ClientDoc, ManualStatusSetting, Outcome};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::new_id;
use kartoteka::rules::config::{Clause, Measure, Op, RuleSet, StatusId, StatusMethod};
use kartoteka::rules::facts::FactsError;
use kartoteka::rules::status::{Explanation, SetBy, StatusReport, explain, status_history};
use kartoteka::rules::zone::{Zone, ZoneReport, next_zone, zone};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::{Base, Rules};
use crate::components::field::TextField;
use crate::components::opener::FormOpener;
use crate::components::status::{StatusLabel, ZoneLabel, status_name_of};
use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::io::platform::now_ms;
use crate::state::app_state;
use crate::t;

/// What the rule engine says about this client today.
#[derive(Clone, PartialEq)]
struct Evaluated {
    report: StatusReport,
    explanation: Explanation,
    zone: Option<ZoneReport>,
    /// How many days are left before the next zone, and which it is.
    next: Option<(Zone, i64)>,
}

/// "до жёлтой зоны 6 дней": how long until nobody's contact moves the
/// client into its next zone.
fn next_zone_text(c: &Catalogue, zone: Zone, days: i64) -> String {
    let days = u64::try_from(days).unwrap_or(0);
    match zone {
        Zone::Yellow => (c.days_to_yellow)(days),
        Zone::Red => (c.days_to_red)(days),
        Zone::Exchange | Zone::Green => (c.days_to_exchange)(days),
    }
}

fn evaluate(
    rules: &RuleSet,
    doc: &ClientDoc,
    as_of: NaiveDate,
) -> Result<Option<Evaluated>, FactsError> {
    let facts = doc.facts();
    let Some(report) = status_history(rules, &facts, as_of)? else {
        return Ok(None);
    };
    let explanation = explain(rules, &facts, &report);
    let zone = zone(&facts, rules.zones(), as_of);
    let next = zone.as_ref().and_then(|z| {
        let (next, day) = next_zone(z.zone?, z.last_activity, rules.zones())?;
        Some((next, (day - as_of).num_days()))
    });
    Ok(Some(Evaluated {
        report,
        explanation,
        zone,
        next,
    }))
}

/// The name of the rule with this id: the name of the status it sets.
fn rule_name(rules: &RuleSet, rule: &str) -> String {
    rules
        .status_with_rule(rule)
        .map_or_else(|| rule.to_owned(), |s| status_name_of(rules, s.as_str()))
}

fn user_name(base: Base, id: &kartoteka::ids::UserId) -> String {
    base.user_name(id).unwrap_or_else(|| id.to_string())
}

fn date(d: NaiveDate) -> String {
    format::date(Date(d))
}

/// The status panel of a card. `open` (whether the explanation is shown)
/// belongs to the page, so it survives the card re-rendering after a save.
#[component]
pub fn StatusSection(doc: ClientDoc, open: RwSignal<bool>) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let doc = StoredValue::new(doc);
    let evaluated = Memo::new(move |_| {
        let rules = base.rules.get()?;
        Some((
            rules.clone(),
            doc.with_value(|d| evaluate(&rules, d, state.today().naive())),
        ))
    });
    let manual_open = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let recompute = move |_| {
        let Some(store) = base.store() else {
            return;
        };
        let id = doc.with_value(|d| d.id.to_string());
        busy.set(true);
        spawn_local(async move {
            let result = store.client(&id).await;
            busy.set(false);
            match result {
                Ok(fresh) => {
                    base.recompute_client(&fresh);
                    let name = base.rules.get_untracked().and_then(|rules| {
                        let report = status_history(&rules, &fresh.facts(), state.today().naive())
                            .ok()??;
                        Some(status_name_of(&rules, report.status().as_str()))
                    });
                    state.toast((cat().status_recomputed)(&name.unwrap_or_default()), false);
                    crate::components::focus::focus_id("status-recompute", false);
                }
                Err(e) => {
                    leptos::logging::error!("recomputing a status failed: {e}");
                    state.toast(cat().err_storage, true);
                }
            }
        });
    };

    let head = move || {
        let (_, result) = evaluated.get()?;
        Some(match result {
            Ok(Some(e)) => {
                let current = e.report.current().clone();
                let zone = e.zone.clone();
                let next = e.next;
                view! {
                    <div class="status-line">
                        <StatusLabel status=current.to.clone()/>
                        <span class="status-line__since">{move || (cat().status_since)(&date(current.date))}</span>
                        <button
                            type="button"
                            id="status-explain"
                            class="help-button"
                            aria-expanded=move || open.get().to_string()
                            aria-controls="status-explanation"
                            aria-label=t!(explain_status)
                            title=t!(explain_status)
                            on:click=move |_| open.update(|o| *o = !*o)
                        >
                            "?"
                        </button>
                        {zone.map(|z| {
                            let last = z.last_activity;
                            view! {
                                <span class="status-line__zone">
                                    <span class="status-line__label">{t!(col_zone)} ": "</span>
                                    <ZoneLabel zone=z.zone/>
                                    <span class="muted">{move || (cat().last_activity_on)(&date(last))}</span>
                                    {next.map(|(zone, days)| view! {
                                        <span class="status-line__next" data-testid="next-zone">
                                            {move || next_zone_text(cat(), zone, days)}
                                        </span>
                                    })}
                                </span>
                            }
                        })}
                    </div>
                }
                .into_any()
            }
            Ok(None) => view! { <p class="muted">{t!(status_not_yet)}</p> }.into_any(),
            Err(e) => {
                let detail = match &e {
                    FactsError::UnknownStatus { status, .. } => {
                        (cat().err_unknown_manual_status)(status.as_str())
                    }
                    FactsError::ManualBeforeCreation { .. } => {
                        cat().err_manual_before_creation.to_owned()
                    }
                };
                view! { <p class="form-error" role="alert">{detail}</p> }.into_any()
            }
        })
    };

    let explanation = move || {
        if !open.get() {
            return None;
        }
        let (rules, result) = evaluated.get()?;
        let e = result.ok()??;
        Some(doc.with_value(|d| explanation_view(base, &rules, d, &e)))
    };

    view! {
        <section class="panel panel--wide status-panel" aria-labelledby="sec-status">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-status">{t!(section_status)}</h2>
                <div class="panel__actions">
                    <button
                        type="button"
                        id="status-recompute"
                        class="button button--small"
                        disabled=move || busy.get()
                        on:click=recompute
                    >
                        {t!(recompute)}
                    </button>
                    <FormOpener id="status-manual-open" label=Signal::derive(t!(set_manual_status))
                        open=manual_open focus="manual-status"/>
                </div>
            </div>
            {head}
            <div id="status-explanation" class="explanation" role="region" aria-label=t!(explain_status) hidden=move || !open.get()>
                {explanation}
            </div>
            <Show when=move || manual_open.get()>
                <ManualStatusForm doc=doc on_done=Callback::new(move |()| {
                    manual_open.set(false);
                    crate::components::focus::focus_id("status-manual-open", false);
                })/>
            </Show>
            <ManualStatusList doc=doc/>
        </section>
    }
}

fn op_sign(op: Op) -> &'static str {
    match op {
        Op::AtLeast => "≥",
        Op::AtMost => "≤",
        Op::Exactly => "=",
    }
}

/// A rule's conditions in words: one line per clause, its alternatives
/// joined by "or".
fn conditions_text(c: &Catalogue, clauses: &[Clause]) -> Vec<String> {
    clauses
        .iter()
        .map(|clause| {
            clause
                .any
                .iter()
                .map(|x| format!("{} {} {}", c.measure(x.measure), op_sign(x.op), x.value))
                .collect::<Vec<_>>()
                .join(c.condition_or)
        })
        .collect()
}

/// The "?": why the client has its status.
fn explanation_view(base: Base, rules: &Rules, doc: &ClientDoc, e: &Evaluated) -> AnyView {
    let c = cat();
    let status = status_name_of(rules, e.report.status().as_str());
    let title = (c.explanation_title)(&status);
    let summary: AnyView = match &e.explanation {
        Explanation::Created { date: d, .. } => {
            view! { <p class="explanation__lead">{(c.explain_created)(&date(*d))}</p> }.into_any()
        }
        Explanation::Manual {
            date: d, setting, ..
        } => {
            let setting = doc
                .manual_statuses_in_fact_order()
                .get(*setting)
                .map(|m| (**m).clone());
            let (who, comment) = setting
                .map(|m| (user_name(base, &m.by), m.comment))
                .unwrap_or_default();
            view! {
                <p class="explanation__lead">{(c.explain_manual)(&date(*d), &who)}</p>
                <blockquote class="explanation__comment">{comment}</blockquote>
            }
            .into_any()
        }
        Explanation::Rule {
            rule,
            conditions,
            date: d,
            period,
            active_interests,
            successful_interests,
            payments,
            shipments,
            ..
        } => {
            let previous = e
                .report
                .current()
                .from
                .as_ref()
                .map(|p| status_name_of(rules, p.as_str()))
                .unwrap_or_default();
            let used: Vec<Measure> = Measure::ALL
                .into_iter()
                .filter(|m| {
                    conditions
                        .iter()
                        .any(|cl| cl.any.iter().any(|x| x.measure == *m))
                })
                .collect();
            let interests = doc.interests_in_fact_order();
            let pays = doc.payments_in_fact_order();
            let ships = doc.shipments_in_fact_order();
            let currency = base
                .workspace
                .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
                .unwrap_or_else(|| "RUB".to_owned());
            let interest_line = |i: usize| {
                interests.get(i).map(|x| {
                    let mut line = format!(
                        "«{}» — {}",
                        x.content,
                        (c.created_on)(&format::date(x.created))
                    );
                    if let (Some(done), outcome) = (x.completed, x.outcome) {
                        let how = match outcome {
                            Some(Outcome::Success) => c.outcome_success,
                            Some(Outcome::Failure) => c.outcome_failure,
                            None => "",
                        };
                        line.push_str(&format!(
                            ", {} {how}",
                            (c.completed_on)(&format::date(done))
                        ));
                    }
                    line
                })
            };
            let facts: Vec<(Measure, Vec<String>)> = used
                .iter()
                .map(|m| {
                    let lines: Vec<String> = match m {
                        Measure::ActiveInterests => active_interests
                            .iter()
                            .filter_map(|&i| interest_line(i))
                            .collect(),
                        Measure::SuccessfulInterests => successful_interests
                            .iter()
                            .filter_map(|&i| interest_line(i))
                            .collect(),
                        Measure::Payments => payments
                            .iter()
                            .filter_map(|&i| {
                                pays.get(i).map(|p| {
                                    format!(
                                        "{} — {}",
                                        format::date(p.date),
                                        format::money(p.amount, &currency)
                                    )
                                })
                            })
                            .collect(),
                        Measure::Shipments => shipments
                            .iter()
                            .filter_map(|&i| {
                                ships.get(i).map(|s| {
                                    format!(
                                        "{} — {}",
                                        format::date(s.date),
                                        format::money(s.amount, &currency)
                                    )
                                })
                            })
                            .collect(),
                    };
                    (*m, lines)
                })
                .collect();
            view! {
                <p class="explanation__lead">
                    {(c.explain_rule)(&rule_name(rules, rule), &date(*d))}
                    " "
                    {(!previous.is_empty()).then(|| (c.explain_previous)(&previous))}
                </p>
                <p>{(c.explain_period)(period.days, &date(period.first), &date(period.last))}</p>
                <h4 class="explanation__subtitle">{c.conditions_title}</h4>
                <ul class="explanation__conditions">
                    {conditions_text(c, conditions).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
                <h4 class="explanation__subtitle">{c.facts_title}</h4>
                <dl class="explanation__facts">
                    {facts
                        .into_iter()
                        .map(|(m, lines)| {
                            let n = lines.len() as u64;
                            view! {
                                <div class="explanation__fact">
                                    <dt>{c.measure(m)} ": " {n}</dt>
                                    {if lines.is_empty() {
                                        view! { <dd class="muted">{c.facts_none}</dd> }.into_any()
                                    } else {
                                        lines.into_iter().map(|l| view! { <dd>{l}</dd> }).collect_view().into_any()
                                    }}
                                </div>
                            }
                        })
                        .collect_view()}
                </dl>
            }
            .into_any()
        }
    };
    let manual = doc.manual_statuses_in_fact_order();
    let history: Vec<_> = e.report.history().iter().rev().cloned().collect();
    view! {
        <h3 class="explanation__title">{title}</h3>
        {summary}
        <h4 class="explanation__subtitle">{c.status_history_title}</h4>
        <table class="history-table">
            <thead>
                <tr>
                    <th scope="col">{c.col_date}</th>
                    <th scope="col">{c.col_status}</th>
                    <th scope="col">{c.col_set_by}</th>
                </tr>
            </thead>
            <tbody>
                {history
                    .into_iter()
                    .map(|h| {
                        let by = match &h.by {
                            SetBy::Creation => c.set_by_creation.to_owned(),
                            SetBy::Manual { setting } => {
                                let who = manual.get(*setting).map(|m| user_name(base, &m.by)).unwrap_or_default();
                                (c.set_by_manual)(&who)
                            }
                            SetBy::Rule { id, period_days } => (c.set_by_rule)(&rule_name(rules, id), *period_days),
                        };
                        view! {
                            <tr>
                                <td class="history-table__date">{date(h.date)}</td>
                                <td class="history-table__change">
                                    {h.from.map(|f| view! { <StatusLabel status=f/><span class="history-table__arrow" aria-label=c.arrow_to>" → "</span> })}
                                    <StatusLabel status=h.to.clone()/>
                                </td>
                                <td>{by}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The statuses a person may set: those whose method is "manual".
fn manual_statuses(rules: &RuleSet) -> Vec<StatusId> {
    rules
        .status_ids()
        .iter()
        .filter(|id| {
            rules
                .status(id.as_str())
                .is_some_and(|d| d.method == StatusMethod::Manual)
        })
        .cloned()
        .collect()
}

/// Sets a status by hand, with the required comment.
#[component]
fn ManualStatusForm(doc: StoredValue<ClientDoc>, on_done: Callback<()>) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let choices = move || {
        base.rules
            .get()
            .map(|r| manual_statuses(&r))
            .unwrap_or_default()
    };
    let status = RwSignal::new(
        choices()
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
    );
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = comment.get_untracked().trim().to_owned();
        let chosen = status.get_untracked();
        if body.is_empty() {
            error.set(Some(cat().err_comment_required.to_owned()));
            crate::components::focus::focus_id("manual-comment", false);
            return;
        }
        if chosen.is_empty() {
            return;
        }
        error.set(None);
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        busy.set(true);
        let id = doc.with_value(|d| d.id.to_string());
        let today = state.today();
        spawn_local(async move {
            let result = store
                .change_client(&id, "manual status", |d| {
                    let sid = new_id();
                    d.manual_statuses.insert(
                        sid.clone(),
                        ManualStatusSetting {
                            id: sid,
                            date: today,
                            at: Timestamp(now_ms()),
                            status: chosen,
                            comment: body,
                            by: me.id.clone(),
                        },
                    );
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    state.toast(cat().status_set, false);
                    on_done.run(());
                }
                Err(e) => {
                    leptos::logging::error!("setting a status failed: {e}");
                    error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    };

    view! {
        <form class="manual-form" on:submit=submit novalidate>
            <div class="field">
                <label class="field__label" for="manual-status">{t!(manual_status_field)}</label>
                <select
                    class="field__input"
                    id="manual-status"
                    prop:value=move || status.get()
                    on:change=move |ev| status.set(event_target_value(&ev))
                >
                    {move || {
                        let rules = base.rules.get();
                        choices()
                            .into_iter()
                            .map(|id| {
                                let name = rules.as_ref().map(|r| status_name_of(r, id.as_str())).unwrap_or_default();
                                view! { <option value=id.to_string()>{name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <TextField id="manual-comment" label=Signal::derive(t!(manual_comment)) value=comment
                error=error hint=Signal::derive(t!(manual_comment_hint)) rows=2 required=true/>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" disabled=move || busy.get()>
                    {t!(manual_submit)}
                </button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>
                    {t!(cancel)}
                </button>
            </div>
        </form>
    }
}

/// The statuses set by hand on this client, each removable.
#[component]
fn ManualStatusList(doc: StoredValue<ClientDoc>) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let settings: Vec<ManualStatusSetting> = doc.with_value(|d| {
        d.manual_statuses_in_fact_order()
            .into_iter()
            .rev()
            .cloned()
            .collect()
    });
    if settings.is_empty() {
        return None;
    }
    let remove = move |setting: String| {
        let Some(store) = base.store() else {
            return;
        };
        let id = doc.with_value(|d| d.id.to_string());
        spawn_local(async move {
            match store
                .change_client(&id, "manual status removed", |d| {
                    d.manual_statuses.remove(&setting);
                })
                .await
            {
                Ok(_) => {
                    state.toast(cat().status_removed, false);
                    crate::components::focus::focus_id("status-manual-open", false);
                }
                Err(e) => {
                    leptos::logging::error!("removing a status failed: {e}");
                    state.toast(cat().save_failed, true);
                }
            }
        });
    };
    Some(view! {
        <h3 class="panel__subtitle">{t!(manual_title)}</h3>
        <ul class="manual-list">
            {settings
                .into_iter()
                .map(|m| {
                    let who = user_name(base, &m.by);
                    let setting = m.id.clone();
                    let when = format::date(m.date);
                    let label = {
                        let (status, when) = (m.status.clone(), when.clone());
                        move || {
                            let name = base.rules.get().map(|r| status_name_of(&r, &status)).unwrap_or_default();
                            (cat().remove_manual_status)(&name, &when)
                        }
                    };
                    view! {
                        <li class="manual-list__item">
                            <span class="manual-list__date">{when}</span>
                            <StatusLabel status=StatusId::new(m.status.clone())/>
                            <span class="manual-list__comment">{m.comment.clone()}</span>
                            <span class="muted">{who}</span>
                            <button
                                type="button"
                                class="button button--ghost button--small"
                                aria-label=label
                                on:click=move |_| remove(setting.clone())
                            >
                                {t!(undo)}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    })
}
