//! Every client's derived state on the device: its status of work and
//! colour zone today (SPEC 5, 6), computed from the summaries' facts by the
//! rule engine and never stored in a document.
//!
//! The whole base is recomputed when the base is opened, when the status
//! rules change and when the date changes, in slices of a few milliseconds
//! so the page stays responsive; an edited client is recomputed alone at
//! once. A whole-base pass also finds the clients that became Lost since
//! the last pass, which start win-backs ([`crate::winback`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use gloo_timers::future::TimeoutFuture;
use kartoteka::rules::config::DEFAULT_PERIOD_DAYS;
use kartoteka::rules::derived::{BaseEvaluator, ClientState};
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::{Base, Rules, slices};
use crate::io::platform::{mark, measure};
use crate::state::Phase;

/// How often the date is checked, so statuses and zones move at midnight.
const DATE_CHECK_MS: u32 = 60_000;

/// The derived state of every visible client.
#[derive(Debug, Default)]
pub struct DerivedBase {
    /// The day it was computed for; `None` until the first pass is done.
    pub as_of: Option<NaiveDate>,
    /// The rules it was computed with.
    pub rules: Option<Rules>,
    pub clients: HashMap<String, ClientState>,
}

impl DerivedBase {
    /// A client's state, if known.
    pub fn get(&self, id: &str) -> Option<&ClientState> {
        self.clients.get(id)
    }
}

/// A client that became Lost and the days it did (see [`crate::winback`]).
#[derive(Debug, Clone)]
pub struct BecameLost {
    pub client: String,
    pub days: Vec<NaiveDate>,
    pub responsible: Option<String>,
}

/// Recomputes every client for today, then hands the clients that became
/// Lost on or after `lost_from` to the win-back starter. A newer pass
/// (rules or date changed meanwhile) makes an older one stop.
pub async fn recompute_all(base: Base) {
    let Some(rules) = base.rules.get_untracked() else {
        return;
    };
    let generation = base.derive_generation.get_value() + 1;
    base.derive_generation.set_value(generation);
    let today = base.app.today.get_untracked().naive();
    let lost_from = super::winback::checked_through(base)
        .await
        .unwrap_or_else(|| today - Days::new(u64::from(DEFAULT_PERIOD_DAYS)));

    mark("kartoteka:derive-start");
    let items: Vec<Arc<ClientSummary>> = base.clients.with_untracked(|l| l.items.clone());
    let list_at_start = base.clients.with_untracked(|l| Arc::as_ptr(l) as usize);
    let mut clients = HashMap::with_capacity(items.len());
    let mut lost = Vec::new();
    let mut evaluator = BaseEvaluator::new(&rules);
    let evaluate = |s: &Arc<ClientSummary>| {
        // A summary with facts the rules refuse (a manual status this
        // workspace no longer has) simply has no derived state.
        if let Ok(Some(c)) = evaluator.evaluate(&s.facts, today, lost_from) {
            if !c.became_lost.is_empty() {
                lost.push(BecameLost {
                    client: s.id.to_string(),
                    days: c.became_lost.clone(),
                    responsible: c.responsible.clone(),
                });
            }
            clients.insert(s.id.to_string(), c);
        }
    };
    let wanted = || base.derive_generation.get_value() == generation;
    let Ok(slices) = slices::for_each(&items, "kartoteka:derive", evaluate, wanted).await else {
        return;
    };
    // Clients saved while this pass ran are recomputed from their new
    // summaries.
    if base.clients.with_untracked(|l| Arc::as_ptr(l) as usize) != list_at_start {
        base.clients.with_untracked(|list| {
            for s in &list.items {
                if let Ok(Some(c)) = evaluator.evaluate(&s.facts, today, today) {
                    clients.insert(s.id.to_string(), c);
                }
            }
        });
    }
    let count = clients.len();
    base.derived.set(DerivedBase {
        as_of: Some(today),
        rules: Some(rules),
        clients,
    });
    mark("kartoteka:derive-end");
    measure(
        "kartoteka:derive",
        "kartoteka:derive-start",
        "kartoteka:derive-end",
    );
    leptos::logging::log!("derived the statuses of {count} clients in {slices} slices");
    spawn_local(super::winback::start(base, lost, today));
}

/// Recomputes one client from its new summary, at once.
pub fn update_one(base: Base, summary: &ClientSummary) {
    let Some(rules) = base.derived.with_untracked(|d| d.rules.clone()) else {
        return;
    };
    let today = base
        .derived
        .with_untracked(|d| d.as_of)
        .unwrap_or_else(|| base.app.today.get_untracked().naive());
    let mut evaluator = BaseEvaluator::new(&rules);
    let id = summary.id.to_string();
    let computed = if !summary.is_client() {
        None
    } else {
        evaluator
            .evaluate(&summary.facts, today, today)
            .ok()
            .flatten()
    };
    base.derived.update(|d| match computed {
        Some(c) => {
            d.clients.insert(id, c);
        }
        None => {
            d.clients.remove(&id);
        }
    });
}

/// Keeps the derived state current: a new pass when the rules change and
/// when the date changes (the app's one `today`).
pub fn watch(base: Base) {
    Effect::new(
        move |previous: Option<(Option<Rules>, kartoteka::date::Date)>| {
            let rules = base.rules.get();
            let today = base.app.today.get();
            let ready = base.app.phase.with_untracked(|p| *p == Phase::Ready);
            let computed = base.derived.with_untracked(|d| (d.rules.clone(), d.as_of));
            let stale = computed.0 != rules || computed.1.is_some_and(|d| d != today.naive());
            if ready && previous.is_some() && rules.is_some() && computed.1.is_some() && stale {
                spawn_local(recompute_all(base));
            }
            (rules, today)
        },
    );
    spawn_local(async move {
        loop {
            TimeoutFuture::new(DATE_CHECK_MS).await;
            base.app.tick();
        }
    });
}
