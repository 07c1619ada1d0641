//! A client's status of work (SPEC 5) and colour zone (SPEC 6), derived on
//! the device from the client's facts by the rule engine, shown as a
//! coloured badge and a coloured zone label with its name in words.

use kartoteka::rules::config::{RuleSet, StatusDef, StatusId};
use kartoteka::rules::zone::Zone;
use leptos::prelude::*;

use crate::i18n::{Catalogue, Lang, cat, lang};

/// The status's name in the interface language.
pub fn status_name(def: &StatusDef) -> String {
    match lang() {
        Lang::Ru => def.names.ru.clone(),
        Lang::En => def.names.en_or_ru().to_owned(),
    }
}

/// The name of a status by id (the id itself for a status the rules no
/// longer have).
pub fn status_name_of(rules: &RuleSet, id: &str) -> String {
    rules.status(id).map_or_else(|| id.to_owned(), status_name)
}

/// A zone's name, for the label and for screen readers.
pub fn zone_name(c: &Catalogue, zone: Option<Zone>) -> &'static str {
    match zone {
        Some(Zone::Green) => c.zone_green,
        Some(Zone::Yellow) => c.zone_yellow,
        Some(Zone::Red) => c.zone_red,
        Some(Zone::Exchange) => c.zone_exchange,
        None => c.zone_none,
    }
}

/// The CSS modifier of a zone.
pub fn zone_class(zone: Option<Zone>) -> &'static str {
    match zone {
        Some(z) => z.id(),
        None => "none",
    }
}

/// The badge of a status by id: its name on its colour.
#[component]
pub fn StatusLabel(#[prop(into)] status: StatusId) -> impl IntoView {
    let base = crate::base::base();
    move || {
        let rules = base.rules.get()?;
        let def = rules.status(status.as_str())?.clone();
        // The colour is the administrator's setting, so it is data, not CSS.
        Some(view! {
            <span
                class="status-badge"
                data-status=status.to_string()
                style:--status-colour=def.colour.clone()
            >
                {status_name(&def)}
            </span>
        })
    }
}

/// The zone as a coloured dot and its name.
#[component]
pub fn ZoneLabel(zone: Option<Zone>) -> impl IntoView {
    view! {
        <span class=format!("zone zone--{}", zone_class(zone)) data-zone=zone_class(zone)>
            <span class="zone__dot" aria-hidden="true"></span>
            <span class="zone__name">{move || zone_name(cat(), zone)}</span>
        </span>
    }
}

/// A client's status and zone today, from the derived state of the base.
#[component]
pub fn ClientStatus(#[prop(into)] client: String) -> impl IntoView {
    let base = crate::base::base();
    let status = {
        let client = client.clone();
        move || {
            base.derived
                .with(|d| d.get(&client).map(|c| c.status.clone()))
        }
    };
    move || status().map(|s| view! { <StatusLabel status=s/> })
}

/// A client's zone today, from the derived state of the base.
#[component]
pub fn ClientZone(#[prop(into)] client: String) -> impl IntoView {
    let base = crate::base::base();
    let zone = move || base.derived.with(|d| d.get(&client).map(|c| c.zone));
    move || zone().map(|z| view! { <ZoneLabel zone=z/> })
}
