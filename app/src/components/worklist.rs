//! The manager's worklist (Требуют внимания, issue 15): my clients in the
//! red and the yellow zone today, the red ones first, each with the days
//! left before it moves on (to the exchange, or to red) if nobody calls,
//! so a manager sees every morning whom to call first.
//!
//! It reads the base's derived zones (today's, computed from the facts)
//! and asks the rule engine when each client moves next
//! ([`next_zone`]); it shows nothing to a user with no such clients.

use chrono::NaiveDate;
use kartoteka::date::Date;
use kartoteka::rules::zone::{Zone, next_zone};
use leptos::prelude::*;

use crate::components::status::ZoneLabel;
use crate::format;
use crate::i18n::cat;
use crate::state::app_state;
use crate::t;

/// How many clients the worklist shows; the rest are a link away.
const SHOWN: usize = 8;

/// A client to call.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    id: String,
    name: String,
    zone: Zone,
    /// Days from today to the first day of the next zone.
    days_left: i64,
    last_activity: NaiveDate,
}

/// The worklist of the current user.
#[derive(Debug, Clone, PartialEq)]
struct Work {
    me: String,
    red: usize,
    yellow: usize,
    /// The first [`SHOWN`] clients, in the order to call them.
    first: Vec<Entry>,
}

/// The current user's clients in red and yellow, most urgent first: red
/// before yellow, then by the days left, then by name.
fn work(base: crate::base::Base, me: String) -> Option<Work> {
    base.derived.with(|d| {
        let today = d.as_of?;
        let thresholds = d.rules.as_ref()?.zones();
        base.clients.with(|list| {
            let mut entries: Vec<Entry> = d
                .clients
                .iter()
                .filter(|(_, c)| c.responsible.as_deref() == Some(me.as_str()))
                .filter_map(|(id, c)| {
                    let zone = c.zone.filter(|z| matches!(z, Zone::Red | Zone::Yellow))?;
                    let (_, next) = next_zone(zone, c.last_activity, thresholds)?;
                    Some(Entry {
                        id: id.clone(),
                        name: list.get(id)?.display_name(),
                        zone,
                        days_left: (next - today).num_days(),
                        last_activity: c.last_activity,
                    })
                })
                .collect();
            let red = entries.iter().filter(|e| e.zone == Zone::Red).count();
            let yellow = entries.len() - red;
            entries.sort_by(|a, b| {
                (a.zone != Zone::Red, a.days_left, &a.name).cmp(&(
                    b.zone != Zone::Red,
                    b.days_left,
                    &b.name,
                ))
            });
            entries.truncate(SHOWN);
            Some(Work {
                me,
                red,
                yellow,
                first: entries,
            })
        })
    })
}

/// "Требуют внимания": shown only while the current user has clients in
/// red or yellow.
#[component]
pub fn Worklist(
    /// How many clients to list (at most [`SHOWN`]).
    #[prop(default = SHOWN)]
    limit: usize,
) -> impl IntoView {
    let base = crate::base::base();
    let state = app_state();
    let work = Memo::new(move |_| {
        let me = state.user()?.id.to_string();
        work(base, me).filter(|w| w.red + w.yellow > 0)
    });
    move || {
        work.get().map(|w| {
            let rows = w
                .first
                .into_iter()
                .take(limit)
                .map(|e| view! { <WorkItem entry=e/> })
                .collect_view();
            let all = |zone: Zone, n: usize, text: fn(u64) -> String| {
                (n > 0).then(|| {
                    view! {
                        <a class="worklist__all" href=format!("/?zone={}&responsible={}", zone.id(), w.me)>
                            {move || text(n as u64)}
                        </a>
                    }
                })
            };
            let c = cat();
            view! {
                <section class="panel worklist" aria-labelledby="worklist-title" data-testid="worklist">
                    <div class="worklist__head">
                        <h2 class="panel__title" id="worklist-title">{t!(worklist_title)}</h2>
                        <p class="worklist__lead">{move || (cat().worklist_lead)(w.red as u64, w.yellow as u64)}</p>
                    </div>
                    <ol class="worklist__list">{rows}</ol>
                    <p class="worklist__more">
                        {all(Zone::Red, w.red, c.worklist_all_red)}
                        {all(Zone::Yellow, w.yellow, c.worklist_all_yellow)}
                    </p>
                </section>
            }
        })
    }
}

/// One client of the worklist.
#[component]
fn WorkItem(entry: Entry) -> impl IntoView {
    let days = entry.days_left.max(0) as u64;
    let due = move || match entry.zone {
        Zone::Red => (cat().worklist_to_exchange)(days),
        _ => (cat().worklist_to_red)(days),
    };
    let last = format::date(Date(entry.last_activity));
    view! {
        <li class="worklist__item" data-zone=entry.zone.id() data-days=entry.days_left>
            <a class="worklist__name" href=format!("/clients/{}", entry.id)>{entry.name}</a>
            <ZoneLabel zone=Some(entry.zone)/>
            <span class="worklist__due">{due}</span>
            <span class="worklist__last">{move || (cat().worklist_last_contact)(&last)}</span>
        </li>
    }
}
