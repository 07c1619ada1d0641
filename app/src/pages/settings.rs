//! Settings of statuses and rules (SPEC 5), for administrators and
//! supervisors: rename, recolour and reorder statuses, choose each one's
//! method, edit an automatic rule's period, previous statuses and
//! conditions, add statuses, and the colour-zone thresholds (SPEC 6).
//!
//! The page edits a draft; "Save" checks it with the engine's own
//! validation (`RuleSet::new`) and only a valid configuration is written
//! into the workspace document, so every device keeps computing the same
//! statuses.

use kartoteka::rules::config::{
    Clause, Comparison, ConfigError, Measure, Op, RuleSet, RuleTemplate, StatusConfig, StatusDef,
    StatusId, StatusMethod,
};
use kartoteka::workspace::Names;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::editor::{MoveButtons, NamesFields};
use crate::components::focus::focus_id;
use crate::i18n::{Catalogue, cat};
use crate::pages::settings_form::{
    SettingsForbidden, SettingsForm, save_workspace, settings_access,
};
use crate::t;

/// The statuses in their order.
fn ordered(config: &StatusConfig) -> Vec<StatusId> {
    let mut ids: Vec<(&StatusId, &StatusDef)> = config.statuses.iter().collect();
    ids.sort_by(|a, b| a.1.order.cmp(&b.1.order).then_with(|| a.0.cmp(b.0)));
    ids.into_iter().map(|(id, _)| id.clone()).collect()
}

/// A status's name in the draft, for messages.
fn draft_name(config: &StatusConfig, id: &StatusId) -> String {
    config
        .statuses
        .get(id)
        .map(crate::components::status::status_name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string())
}

/// Why the draft cannot be saved, in words and with the statuses' names.
fn config_error_text(c: &Catalogue, config: &StatusConfig, e: &ConfigError) -> String {
    let n = |id: &StatusId| draft_name(config, id);
    match e {
        ConfigError::NoNewClientStatus => c.cfg_no_new_client.to_owned(),
        ConfigError::SeveralNewClientStatuses { first, second } => {
            (c.cfg_several_new_client)(&n(first), &n(second))
        }
        ConfigError::EmptyStatusId => c.cfg_empty_id.to_owned(),
        ConfigError::TooManyStatuses { .. } => c.cfg_too_many.to_owned(),
        ConfigError::RuleUsedTwice {
            rule,
            first,
            second,
        } => (c.cfg_rule_twice)(rule, &n(first), &n(second)),
        ConfigError::ReservedRuleId { status, rule } => (c.cfg_reserved_rule)(&n(status), rule),
        ConfigError::EmptyRuleId { status } => (c.cfg_empty_rule)(&n(status)),
        ConfigError::UnknownPreviousStatus { status, previous } => {
            (c.cfg_unknown_previous)(&n(status), previous.as_str())
        }
        ConfigError::RuleFromItself { status } => (c.cfg_rule_from_itself)(&n(status)),
        ConfigError::EmptyClause { status } => (c.cfg_empty_clause)(&n(status)),
        ConfigError::OverlappingRules {
            first,
            second,
            previous,
        } => (c.cfg_overlapping)(&n(first), &n(second), &n(previous)),
        ConfigError::BadColour { status, colour } => (c.cfg_bad_colour)(&n(status), colour),
        ConfigError::ZoneThresholds { .. } => c.cfg_zones.to_owned(),
    }
}

/// `#rgb` as `#rrggbb` (what `<input type=color>` takes).
fn long_hex(colour: &str) -> String {
    match colour.strip_prefix('#') {
        Some(h) if h.len() == 3 => {
            let mut out = String::from("#");
            for ch in h.chars() {
                out.push(ch);
                out.push(ch);
            }
            out.to_lowercase()
        }
        _ => colour.to_lowercase(),
    }
}

fn method_id(m: &StatusMethod) -> &'static str {
    match m {
        StatusMethod::ForNewClient => "for_new_client",
        StatusMethod::Automatic { .. } => "automatic",
        StatusMethod::Manual => "manual",
    }
}

fn measure_id(m: Measure) -> &'static str {
    match m {
        Measure::ActiveInterests => "active_interests",
        Measure::SuccessfulInterests => "successful_interests",
        Measure::Payments => "payments",
        Measure::Shipments => "shipments",
    }
}

fn op_id(op: Op) -> &'static str {
    match op {
        Op::AtLeast => "at_least",
        Op::AtMost => "at_most",
        Op::Exactly => "exactly",
    }
}

fn op_name(c: &Catalogue, op: Op) -> &'static str {
    match op {
        Op::AtLeast => c.op_at_least,
        Op::AtMost => c.op_at_most,
        Op::Exactly => c.op_exactly,
    }
}

/// Renumbers the orders 10, 20, … in the given sequence.
fn renumber(config: &mut StatusConfig, ids: &[StatusId]) {
    for (i, id) in ids.iter().enumerate() {
        if let Some(def) = config.statuses.get_mut(id) {
            def.order = (i as u32 + 1) * 10;
        }
    }
}

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let base = crate::base::base();
    let Some(read_only) = settings_access() else {
        return view! { <SettingsForbidden title=|c| c.settings_title/> }.into_any();
    };
    let saved = move || {
        base.workspace
            .with_untracked(|w| w.as_ref().map(|w| w.statuses.clone()))
            .unwrap_or_default()
    };
    let draft = RwSignal::new(saved());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ids = Memo::new(move |_| draft.with(ordered));

    let save = Callback::new(move |()| {
        let config = draft.get_untracked();
        RuleSet::new(&config).map_err(|e| config_error_text(cat(), &config, &e))?;
        save_workspace(
            base,
            "statuses and rules",
            cat().settings_saved,
            (busy, error),
            |w| w.statuses = config,
        );
        Ok(())
    });
    let add_status = move |_| {
        let id = StatusId::new(format!("custom_{}", &kartoteka::ids::new_id()[..8]));
        draft.update(|c| {
            let order = c.statuses.values().map(|d| d.order).max().unwrap_or(0) + 10;
            c.statuses.insert(
                id.clone(),
                StatusDef {
                    names: Names::new(cat().new_status_name, ""),
                    colour: "#64748b".to_owned(),
                    order,
                    method: StatusMethod::Manual,
                },
            );
        });
        let target = format!("status-{id}-ru");
        focus_id(target, false);
    };

    view! {
        <main class="settings-page" id="main">
            <h1>{t!(settings_title)}</h1>
            <p class="muted">{t!(settings_lead)}</p>
            <p class="settings-page__crumb"><A href="/settings/sales">{t!(sales_settings_link)}</A></p>
            {read_only.then(|| view! { <p class="banner banner--info" data-testid="settings-read-only">{t!(settings_read_only)}</p> })}
            <SettingsForm error_id="settings-error" error=error busy=busy disabled=read_only
                save=save discard=Callback::new(move |()| draft.set(saved()))>
                <For
                    each=move || ids.get()
                    key=|id| id.clone()
                    children=move |id| view! { <StatusEditor id=id draft=draft ids=ids/> }
                />
                <div class="settings-form__add">
                    <button type="button" class="button" on:click=add_status>{t!(add_status)}</button>
                </div>
                <ZoneEditor draft=draft/>
            </SettingsForm>
        </main>
    }
    .into_any()
}

/// One status: names, colour, order, method and, for an automatic one, its
/// rule.
#[component]
fn StatusEditor(
    id: StatusId,
    draft: RwSignal<StatusConfig>,
    ids: Memo<Vec<StatusId>>,
) -> impl IntoView {
    let key = id.to_string();
    let sid = StoredValue::new(id.clone());
    let def = move || draft.with(|c| c.statuses.get(&sid.get_value()).cloned());
    let edit = move |f: &dyn Fn(&mut StatusDef)| {
        draft.update(|c| {
            if let Some(d) = c.statuses.get_mut(&sid.get_value()) {
                f(d);
            }
        })
    };
    let name = move || {
        def()
            .map(|d| crate::components::status::status_name(&d))
            .unwrap_or_default()
    };
    let position = move || ids.with(|v| v.iter().position(|x| *x == sid.get_value()));
    let count = move || ids.with(Vec::len);
    let shift = move |by: isize| {
        let mut v = ids.get_untracked();
        let Some(i) = v.iter().position(|x| *x == sid.get_value()) else {
            return;
        };
        let j = i as isize + by;
        if j < 0 || j as usize >= v.len() {
            return;
        }
        v.swap(i, j as usize);
        draft.update(|c| renumber(c, &v));
    };
    let (colour_id, method_id_attr, period_id) = (
        format!("status-{key}-colour"),
        format!("status-{key}-method"),
        format!("status-{key}-period"),
    );

    view! {
        <fieldset class="status-editor" style:--status-colour=move || def().map(|d| d.colour).unwrap_or_default()>
            <legend class="status-editor__legend">
                <span class="status-badge">{name}</span>
                <span class="status-editor__id">{key.clone()}</span>
            </legend>
            <div class="status-editor__order">
                <MoveButtons name=Signal::derive(name) position=Signal::derive(position) count=Signal::derive(count) shift=Callback::new(shift)/>
            </div>
            <div class="status-editor__grid">
                <NamesFields id=format!("status-{key}") labels=(|c| c.status_name_ru, |c| c.status_name_en)
                    names=Signal::derive(move || def().map(|d| d.names).unwrap_or_default())
                    set=Callback::new(move |n: Names| edit(&|d| d.names = n.clone()))/>
                <div class="field field--colour">
                    <label class="field__label" for=colour_id.clone()>{t!(status_colour)}</label>
                    <input class="field__input" type="color" id=colour_id.clone()
                        prop:value=move || def().map(|d| long_hex(&d.colour)).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.colour = v.clone()) }/>
                </div>
                <div class="field">
                    <label class="field__label" for=method_id_attr.clone()>{t!(status_method)}</label>
                    <select class="field__input" id=method_id_attr.clone()
                        prop:value=move || def().map(|d| method_id(&d.method)).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let own = sid.get_value();
                            edit(&|d| {
                                d.method = match v.as_str() {
                                    "for_new_client" => StatusMethod::ForNewClient,
                                    "automatic" => match &d.method {
                                        m @ StatusMethod::Automatic { .. } => m.clone(),
                                        _ => StatusMethod::Automatic {
                                            rule: RuleTemplate { id: own.to_string(), previous: Vec::new(), conditions: Vec::new() },
                                            period_days: kartoteka::rules::config::DEFAULT_PERIOD_DAYS,
                                        },
                                    },
                                    _ => StatusMethod::Manual,
                                }
                            })
                        }>
                        <option value="for_new_client">{t!(method_for_new_client)}</option>
                        <option value="automatic">{t!(method_automatic)}</option>
                        <option value="manual">{t!(method_manual)}</option>
                    </select>
                </div>
                <Show when=move || def().is_some_and(|d| matches!(d.method, StatusMethod::Automatic { .. }))>
                    <div class="field">
                        <label class="field__label" for=period_id.clone()>{t!(rule_period)}</label>
                        <input class="field__input" type="number" min="1" max="3650" inputmode="numeric" id=period_id.clone()
                            prop:value=move || match def().map(|d| d.method) { Some(StatusMethod::Automatic { period_days, .. }) => period_days.to_string(), _ => String::new() }
                            on:input=move |ev| {
                                let v: u32 = event_target_value(&ev).trim().parse().unwrap_or(0);
                                edit(&|d| if let StatusMethod::Automatic { period_days, .. } = &mut d.method { *period_days = v.max(1) })
                            }/>
                    </div>
                </Show>
            </div>
            <Show when=move || def().is_some_and(|d| matches!(d.method, StatusMethod::Automatic { .. }))>
                <RuleEditor status=sid draft=draft ids=ids/>
            </Show>
        </fieldset>
    }
}

/// The rule of an automatic status: its id, the statuses it moves clients
/// from and its conditions (all clauses; in each, any comparison).
#[component]
fn RuleEditor(
    status: StoredValue<StatusId>,
    draft: RwSignal<StatusConfig>,
    ids: Memo<Vec<StatusId>>,
) -> impl IntoView {
    let rule = move || {
        draft.with(
            |c| match c.statuses.get(&status.get_value()).map(|d| &d.method) {
                Some(StatusMethod::Automatic { rule, .. }) => Some(rule.clone()),
                _ => None,
            },
        )
    };
    let edit = move |f: &dyn Fn(&mut RuleTemplate)| {
        draft.update(|c| {
            if let Some(StatusMethod::Automatic { rule, .. }) = c
                .statuses
                .get_mut(&status.get_value())
                .map(|d| &mut d.method)
            {
                f(rule);
            }
        })
    };
    let key = status.get_value().to_string();
    let clauses = move || rule().map(|r| r.conditions.len()).unwrap_or(0);
    let rule_id_attr = format!("status-{key}-rule");

    view! {
        <div class="rule-editor">
            <div class="field rule-editor__id">
                <label class="field__label" for=rule_id_attr.clone()>{t!(rule_id)}</label>
                <input class="field__input" id=rule_id_attr.clone()
                    prop:value=move || rule().map(|r| r.id).unwrap_or_default()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(&|r| r.id = v.trim().to_owned()) }/>
            </div>
            <fieldset class="rule-editor__previous">
                <legend class="field__label">{t!(rule_previous)}</legend>
                <div class="checks">
                    {move || {
                        let own = status.get_value();
                        ids.get()
                            .into_iter()
                            .filter(|p| *p != own)
                            .map(|p| {
                                let input_id = format!("status-{}-from-{}", own, p);
                                let p2 = p.clone();
                                let checked = move || rule().is_some_and(|r| r.previous.contains(&p2));
                                let p3 = p.clone();
                                let label = draft.with_untracked(|c| draft_name(c, &p));
                                view! {
                                    <label class="check" for=input_id.clone()>
                                        <input type="checkbox" id=input_id.clone() prop:checked=checked
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let p = p3.clone();
                                                edit(&|r| {
                                                    r.previous.retain(|x| *x != p);
                                                    if on { r.previous.push(p.clone()); }
                                                })
                                            }/>
                                        {label}
                                    </label>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </fieldset>
            <div class="rule-editor__conditions">
                <p class="field__label">{t!(rule_conditions)}</p>
                {move || (clauses() == 0).then(|| view! { <p class="muted">{t!(rule_no_conditions)}</p> })}
                {move || {
                    (0..clauses())
                        .map(|ci| view! { <ClauseEditor status=status ci=ci rule=Signal::derive(rule) edit_rule=Callback::new(move |f: RuleEdit| edit(&*f))/> })
                        .collect_view()
                }}
                <button type="button" class="button button--small" on:click=move |_| edit(&|r| r.conditions.push(Clause::one(Comparison::at_least(Measure::Payments, 1))))>
                    {t!(add_condition)}
                </button>
            </div>
        </div>
    }
}

type RuleEdit = Box<dyn Fn(&mut RuleTemplate)>;

/// One condition: comparisons of which any may hold.
#[component]
fn ClauseEditor(
    status: StoredValue<StatusId>,
    ci: usize,
    rule: Signal<Option<RuleTemplate>>,
    edit_rule: Callback<RuleEdit>,
) -> impl IntoView {
    let key = status.get_value().to_string();
    let comparisons = move || {
        rule.with(|r| {
            r.as_ref()
                .and_then(|r| r.conditions.get(ci))
                .map_or(0, |c| c.any.len())
        })
    };
    let get = move |xi: usize| {
        rule.with(|r| {
            r.as_ref()
                .and_then(|r| r.conditions.get(ci))
                .and_then(|c| c.any.get(xi).copied())
        })
    };
    let set = move |xi: usize, f: fn(&mut Comparison, &str), v: String| {
        edit_rule.run(Box::new(move |r: &mut RuleTemplate| {
            if let Some(x) = r.conditions.get_mut(ci).and_then(|c| c.any.get_mut(xi)) {
                f(x, &v);
            }
        }));
    };
    view! {
        <div class="clause" role="group" aria-label=move || (cat().condition_n)(ci + 1)>
            <p class="clause__title">{move || (cat().condition_n)(ci + 1)}</p>
            {move || {
                (0..comparisons())
                    .map(|xi| {
                        let base = format!("status-{key}-c{ci}-{xi}");
                        let (m_id, o_id, v_id) = (format!("{base}-measure"), format!("{base}-op"), format!("{base}-value"));
                        view! {
                            <div class="comparison">
                                {(xi > 0).then(|| view! { <span class="comparison__or">{t!(condition_or_word)}</span> })}
                                <div class="field">
                                    <label class="field__label" for=m_id.clone()>{t!(condition_measure)}</label>
                                    <select class="field__input" id=m_id.clone()
                                        prop:value=move || get(xi).map(|x| measure_id(x.measure)).unwrap_or_default()
                                        on:change=move |ev| set(xi, |x, v| {
                                            if let Some(m) = Measure::ALL.into_iter().find(|m| measure_id(*m) == v) { x.measure = m }
                                        }, event_target_value(&ev))>
                                        {Measure::ALL.into_iter().map(|m| view! { <option value=measure_id(m)>{move || cat().measure(m)}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label class="field__label" for=o_id.clone()>{t!(condition_op)}</label>
                                    <select class="field__input" id=o_id.clone()
                                        prop:value=move || get(xi).map(|x| op_id(x.op)).unwrap_or_default()
                                        on:change=move |ev| set(xi, |x, v| {
                                            x.op = match v { "at_most" => Op::AtMost, "exactly" => Op::Exactly, _ => Op::AtLeast }
                                        }, event_target_value(&ev))>
                                        {[Op::AtLeast, Op::AtMost, Op::Exactly].into_iter().map(|o| view! { <option value=op_id(o)>{move || op_name(cat(), o)}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field field--narrow">
                                    <label class="field__label" for=v_id.clone()>{t!(condition_value)}</label>
                                    <input class="field__input" type="number" min="0" inputmode="numeric" id=v_id.clone()
                                        prop:value=move || get(xi).map(|x| x.value.to_string()).unwrap_or_default()
                                        on:input=move |ev| set(xi, |x, v| x.value = v.trim().parse().unwrap_or(0), event_target_value(&ev))/>
                                </div>
                                <button type="button" class="button button--small button--ghost"
                                    aria-label=move || (cat().remove_comparison)(ci + 1)
                                    on:click=move |_| edit_rule.run(Box::new(move |r: &mut RuleTemplate| {
                                        if let Some(c) = r.conditions.get_mut(ci) {
                                            if xi < c.any.len() { c.any.remove(xi); }
                                            if c.any.is_empty() { r.conditions.remove(ci); }
                                        }
                                    }))>
                                    {t!(remove)}
                                </button>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button type="button" class="button button--small button--ghost" on:click=move |_| edit_rule.run(Box::new(move |r: &mut RuleTemplate| {
                if let Some(c) = r.conditions.get_mut(ci) { c.any.push(Comparison::at_least(Measure::Shipments, 1)); }
            }))>
                {t!(add_alternative)}
            </button>
        </div>
    }
}

/// The colour-zone thresholds (months without contact).
#[component]
fn ZoneEditor(draft: RwSignal<StatusConfig>) -> impl IntoView {
    let field = move |id: &'static str,
                      label: fn(&Catalogue) -> &'static str,
                      get: fn(&StatusConfig) -> u32,
                      set: fn(&mut StatusConfig, u32)| {
        view! {
            <div class="field field--narrow">
                <label class="field__label" for=id>{move || label(cat())}</label>
                <input class="field__input" type="number" min="1" max="120" inputmode="numeric" id=id
                    prop:value=move || draft.with(get).to_string()
                    on:input=move |ev| { let v: u32 = event_target_value(&ev).trim().parse().unwrap_or(0); draft.update(|c| set(c, v)) }/>
            </div>
        }
    };
    view! {
        <fieldset class="status-editor zone-editor">
            <legend class="status-editor__legend">{t!(zone_thresholds)}</legend>
            <p class="muted">{t!(zone_thresholds_hint)}</p>
            <div class="status-editor__grid">
                {field("zone-yellow", |c| c.zone_yellow_after, |c| c.zones.yellow, |c, v| c.zones.yellow = v)}
                {field("zone-red", |c| c.zone_red_after, |c| c.zones.red, |c, v| c.zones.red = v)}
                {field("zone-exchange", |c| c.zone_exchange_after, |c| c.zones.exchange, |c, v| c.zones.exchange = v)}
            </div>
        </fieldset>
    }
}
