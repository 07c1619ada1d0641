//! The client exchange (биржа клиентов, SPEC 6): the clients nobody
//! contacted for longer than the exchange threshold, detached from their
//! managers. Every manager sees it and takes a client with "Взять себе";
//! a supervisor gives picked clients to a manager. The list is the base's
//! derived zones today, so a client leaves it the moment it is taken on
//! this device, and comes back if the relay refuses the take.

use std::collections::HashSet;
use std::sync::Arc;

use kartoteka::client::Money;
use kartoteka::rules::zone::Zone;
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::give::{GiveForm, TakeButton};
use crate::components::status::ClientStatus;
use crate::components::virtual_rows::VirtualRows;
use crate::format;
use crate::i18n::cat;
use crate::io::platform::{mark, measure};
use crate::pages::clients::{
    Extra, FilterBar, Sort, SortHeader, SortKey, filter_from_address, filter_setter, matches_words,
    names_memo, words_of,
};
use crate::state::app_state;
use crate::t;

/// Must equal `--exchange-row-height` in style/clients.css (px).
const ROW_HEIGHT: f64 = 56.0;

/// The exchange page.
#[component]
pub fn ExchangePage() -> impl IntoView {
    let base = crate::base::base();
    let state = app_state();
    let filter = filter_from_address();
    let set_filter = Callback::new(filter_setter("/exchange"));
    let text = RwSignal::new(String::new());
    let names = names_memo();
    let rows = VirtualRows::new(ROW_HEIGHT);
    let role = state.user().map(|u| u.role);
    let supervisor = role.is_some_and(|r| r.may_reassign());
    let taker = role.is_some_and(|r| r == kartoteka::workspace::Role::Manager);
    let currency = base
        .workspace
        .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
        .unwrap_or_else(|| "RUB".to_owned());

    // Every client in the exchange today.
    let in_exchange = Memo::new(move |_| {
        base.clients.with(|list| {
            base.derived.with(|d| {
                list.items
                    .iter()
                    .filter(|s| {
                        d.get(s.id.as_str())
                            .is_some_and(|c| c.zone == Some(Zone::Exchange))
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    // Under the filters and the search words; newest in the exchange first
    // unless a column was chosen.
    let shown = Memo::new(move |_| {
        mark("kartoteka:exchange-filter-start");
        let mut f = filter.get();
        if f.sort.is_none() {
            f.sort = Some(Sort {
                key: SortKey::Since,
                descending: true,
            });
        }
        let words = words_of(&text.get());
        let today = state.today().naive();
        in_exchange.with(|items| {
            let matching: Vec<Arc<ClientSummary>> = items
                .iter()
                .filter(|s| matches_words(s, &words))
                .cloned()
                .collect();
            let shown = base
                .derived
                .with(|d| names.with(|n| f.apply(&matching, d, today, n)));
            mark("kartoteka:exchange-filter-end");
            measure(
                "kartoteka:exchange-filter",
                "kartoteka:exchange-filter-start",
                "kartoteka:exchange-filter-end",
            );
            shown
        })
    });
    Effect::new(move |_| {
        shown.track();
        rows.to_top();
    });
    let visible = Memo::new(move |_| {
        shown.with(|items| {
            let range = rows.range(items.len());
            let first = range.start;
            items[range]
                .iter()
                .enumerate()
                .map(|(k, s)| (first + k, s.clone()))
                .collect::<Vec<_>>()
        })
    });

    // For the bench: each time new rows are on screen.
    Effect::new(move |_| {
        if visible.with(|v| !v.is_empty()) {
            request_animation_frame(|| mark("kartoteka:exchange-drawn"));
        }
    });

    let picked = RwSignal::new(HashSet::<String>::new());
    let picked_list = Signal::derive(move || {
        let mut ids: Vec<String> = picked.with(|p| p.iter().cloned().collect());
        ids.sort();
        ids
    });
    let pick_all = move |_| {
        picked.set(shown.with_untracked(|s| s.iter().map(|s| s.id.to_string()).collect()));
    };

    let c = cat();
    let sort = move |key: SortKey, label: &'static str, class: &'static str| {
        view! { <SortHeader key=key label=label class=class filter=filter set_filter=set_filter/> }
    };
    let row_view = move |(i, s): (usize, Arc<ClientSummary>)| {
        let id = s.id.to_string();
        let name = s.display_name();
        let state_of = {
            let id = id.clone();
            move || base.derived.with(|d| d.get(&id).cloned())
        };
        let since = {
            let state_of = state_of.clone();
            move || {
                state_of()
                    .and_then(|c| c.in_exchange_since)
                    .map(|d| format::date(d.into()))
                    .unwrap_or_default()
            }
        };
        let last = move || {
            state_of()
                .map(|c| format::date(c.last_activity.into()))
                .unwrap_or_default()
        };
        let revenue = s.revenue_months(state.today.get_untracked().naive(), 12);
        let currency = currency.clone();
        let check_id = format!("pick-{i}");
        let check = supervisor.then(|| {
            let checked = {
                let id = id.clone();
                move || picked.with(|p| p.contains(&id))
            };
            let id = id.clone();
            let flip = move |_| {
                picked.update(|p| {
                    if !p.remove(&id) {
                        p.insert(id.clone());
                    }
                });
            };
            view! {
                <input id=check_id.clone() type="checkbox" class="exchange-row__check"
                    aria-label=(cat().pick_label)(&name)
                    prop:checked=checked on:change=flip/>
            }
        });
        let take = taker.then(|| {
            let label = (cat().take_label)(&name);
            view! { <TakeButton id=id.clone() label=label/> }
        });
        let inn = s.inn.clone();
        let city = s.city.clone();
        let industry = s.industry.clone();
        view! {
            <div class="exchange-row" role="row" style=format!("--row: {i}") data-id=id.clone()>
                <span role="cell" class="col-name">
                    {check}
                    <span class="exchange-row__two">
                        <A href=format!("/clients/{id}")>{name}</A>
                        <span class="exchange-row__sub">{inn}</span>
                    </span>
                </span>
                <span role="cell" class="col-city exchange-row__two">
                    <span>{city}</span>
                    <span class="exchange-row__sub">{industry}</span>
                </span>
                <span role="cell" class="col-status"><ClientStatus client=id.clone()/></span>
                <span role="cell" class="col-since">{since}</span>
                <span role="cell" class="col-last">{last}</span>
                <span role="cell" class="col-revenue">
                    {(revenue != Money(0)).then(|| format::money_whole(revenue, &currency))}
                </span>
                <span role="cell" class="col-action">{take}</span>
            </div>
        }
    };

    view! {
        <main class=if taker { "clients exchange" } else { "clients exchange exchange--no-take" } id="main">
            <div class="clients__toolbar">
                <h1 class="clients__title">{t!(exchange_title)}</h1>
                <div class="search">
                    <label class="visually-hidden" for="exchange-search">{t!(exchange_search)}</label>
                    <input
                        id="exchange-search"
                        class="search__input"
                        type="search"
                        placeholder=t!(exchange_search)
                        autocomplete="off"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Escape" { text.set(String::new()) }
                    />
                </div>
                <span class="clients__count" data-testid="exchange-count" aria-live="polite">
                    {move || (cat().exchange_count)(shown.with(Vec::len) as u64)}
                </span>
            </div>
            <p class="exchange__intro muted">{t!(exchange_intro)}</p>
            <FilterBar filter=filter set=set_filter extra=Extra { exchange: true }/>
            {supervisor.then(|| view! {
                <div class="pick-bar" role="region" aria-label=t!(pick_clients)>
                    <span class="pick-bar__count" aria-live="polite" data-testid="picked-count">
                        {move || (cat().picked_count)(picked.with(HashSet::len) as u64)}
                    </span>
                    <button type="button" class="button button--ghost" on:click=pick_all>
                        {move || (cat().pick_all_shown)(shown.with(Vec::len) as u64)}
                    </button>
                    <button type="button" class="button button--ghost" on:click=move |_| picked.update(HashSet::clear)>
                        {t!(pick_none)}
                    </button>
                    <GiveForm clients=picked_list id="exchange-give"
                        done=Callback::new(move |()| picked.update(HashSet::clear))/>
                </div>
            })}
            <div class="client-list exchange-list" role="table" aria-label=t!(exchange_title)>
                <div class="exchange-row exchange-row--head" role="row">
                    {sort(SortKey::Name, c.col_name, "col-name")}
                    {sort(SortKey::City, c.col_city_industry, "col-city")}
                    {sort(SortKey::Status, c.col_status, "col-status")}
                    {sort(SortKey::Since, c.col_since, "col-since")}
                    {sort(SortKey::LastActivity, c.col_last_contact, "col-last")}
                    {sort(SortKey::Revenue, c.col_revenue_12m, "col-revenue")}
                    <span role="columnheader" class="col-action"><span class="visually-hidden">{c.col_action}</span></span>
                </div>
                <div class="client-list__viewport" node_ref=rows.viewport on:scroll=rows.on_scroll()>
                    <div class="client-list__canvas exchange-list__canvas" role="rowgroup"
                        style:--rows=move || shown.with(Vec::len).to_string()>
                        <For
                            each=move || visible.get()
                            key=|(i, s)| (*i, s.id.clone(), s.touched)
                            children=row_view
                        />
                    </div>
                    <Show when=move || shown.with(Vec::is_empty)>
                        <p class="client-list__empty">
                            {move || if in_exchange.with(Vec::is_empty) { cat().exchange_empty } else { cat().exchange_no_match }}
                        </p>
                    </Show>
                </div>
            </div>
        </main>
    }
}
