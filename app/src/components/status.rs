//! A client's status of work (SPEC 5), derived on the device from the
//! client's facts by the rule engine, shown as a coloured badge.

use kartoteka::rules::config::{RuleSet, StatusDef};
use kartoteka::rules::facts::ClientFacts;
use kartoteka::rules::status::status_history;
use leptos::prelude::*;

use crate::i18n::{Lang, lang};
use crate::state::app_state;

/// The status of a client today and its definition.
pub fn status_today(rules: &RuleSet, facts: &ClientFacts) -> Option<(String, StatusDef)> {
    let today = app_state().today().naive();
    let report = status_history(rules, facts, today).ok().flatten()?;
    let id = report.status().clone();
    let def = rules.config().statuses.get(&id)?.clone();
    Some((id.to_string(), def))
}

/// The status's name in the interface language.
pub fn status_name(def: &StatusDef) -> String {
    match lang() {
        Lang::Ru => def.names.ru.clone(),
        Lang::En => def.names.en_or_ru().to_owned(),
    }
}

/// The badge: the status's name on its colour.
#[component]
pub fn StatusBadge(facts: ClientFacts) -> impl IntoView {
    let state = app_state();
    move || {
        let rules = state.rules.get()?;
        let (id, def) = status_today(&rules, &facts)?;
        // The colour is the administrator's setting, so it is data, not CSS.
        Some(view! {
            <span class="status-badge" data-status=id style:--status-colour=def.colour.clone()>
                {status_name(&def)}
            </span>
        })
    }
}
