//! The client list: every visible client, filtered as the user types, in a
//! virtual list that renders only the rows on screen (tens of thousands of
//! clients scroll as smoothly as ten).

mod filter;
mod filter_bar;

use std::collections::HashSet;
use std::sync::Arc;

use kartoteka::ids::UserId;
use kartoteka::rules::zone::Zone;
use kartoteka::search::{Hit, MatchedField, SearchIndex};
use kartoteka::summary::ClientSummary;
use leptos::html;
use leptos::prelude::AnyView;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::base::SearchState;
use crate::components::give::GiveForm;
use crate::components::same_inn::SameInnNotice;
use crate::components::status::{ClientStatus, ClientZone, status_name};
use crate::components::virtual_rows::VirtualRows;
use crate::components::worklist::Worklist;
use crate::i18n::cat;
use crate::pages::client_export::ExportButtons;
use crate::t;
pub use filter::{ListFilter, Names, Sort, SortKey, filter_from_address, filter_setter};
pub use filter_bar::{Extra, FilterBar};

/// Must equal `--row-height` in style/clients.css (px).
const ROW_HEIGHT: f64 = 52.0;

/// The words of a filter text, folded as [`matches_words`] compares them.
pub fn words_of(q: &str) -> Vec<String> {
    q.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Whether a client matches the filter text (every word must match the
/// name, the INN, a phone's digits or an e-mail).
pub fn matches_words(s: &ClientSummary, words: &[String]) -> bool {
    words.iter().all(|w| {
        let digits: String = w.chars().filter(char::is_ascii_digit).collect();
        s.name.to_lowercase().replace('ё', "е").contains(w.as_str())
            || (!digits.is_empty()
                && digits.len() == w.len()
                && (s.inn.starts_with(&digits)
                    || s.phones.iter().any(|p| {
                        p.chars()
                            .filter(char::is_ascii_digit)
                            .collect::<String>()
                            .contains(&digits)
                    })))
            || s.emails
                .iter()
                .any(|e| e.to_lowercase().contains(w.as_str()))
            || s.contacts
                .iter()
                .any(|c| c.name.to_lowercase().replace('ё', "е").contains(w.as_str()))
    })
}

/// The list page.
#[component]
pub fn ClientsPage() -> impl IntoView {
    let base = crate::base::base();
    let state = crate::state::app_state();
    let query = RwSignal::new(String::new());
    let rows = VirtualRows::new(ROW_HEIGHT);
    let search: NodeRef<html::Input> = NodeRef::new();
    let filter = filter_from_address();
    let set_filter = Callback::new(filter_setter("/"));
    let names = names_memo();

    // No query: the whole list under the filters, virtualised. A query:
    // ranked hits from the search index (or, in the first moments while
    // the index is being built, a plain filter), under the same filters.
    let results = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        base.search_rev.track();
        let hits = base.search.with_value(|s| match s {
            SearchState::Ready(index) => Some(timed_query(index, &q)),
            SearchState::Building => None,
        });
        let today = state.today().naive();
        Some(base.clients.with(|list| {
            base.derived.with(|d| {
                filter.with(|f| {
                    let shown = |s: &ClientSummary| f.admits(s, d.get(s.id.as_str()), today);
                    match hits {
                        Some(hits) => hits
                            .into_iter()
                            .filter_map(|hit| {
                                list.get(&hit.client_id).map(|s| (s.clone(), Some(hit)))
                            })
                            .filter(|(s, _)| shown(s))
                            .collect::<Vec<_>>(),
                        None => {
                            let words = words_of(&q);
                            list.items
                                .iter()
                                .filter(|s| matches_words(s, &words) && shown(s))
                                .take(RESULT_LIMIT)
                                .map(|s| (s.clone(), None))
                                .collect()
                        }
                    }
                })
            })
        }))
    });
    let filtered = Memo::new(move |_| {
        let f = filter.get();
        base.clients.with(|list| {
            if !f.filters() && f.sort.is_none() {
                return list.items.clone();
            }
            let today = state.today().naive();
            base.derived
                .with(|d| names.with(|n| f.apply(&list.items, d, today, n)))
        })
    });
    let selected = RwSignal::new(0_usize);
    Effect::new(move |_| {
        results.with(|_| ()); // read: a memo subscribes only when computed
        selected.set(0);
    });

    let visible = Memo::new(move |_| {
        filtered.with(|items| {
            let range = rows.range(items.len());
            let first = range.start;
            items[range]
                .iter()
                .enumerate()
                .map(|(k, s)| (first + k, s.clone()))
                .collect::<Vec<_>>()
        })
    });
    // A new filter starts from the top.
    Effect::new(move |_| {
        query.track();
        filter.track();
        rows.to_top();
    });

    // The list is interactive once its first rows are on screen.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let shown = visible.with(|v| !v.is_empty());
        if shown {
            request_animation_frame(|| crate::io::platform::mark("kartoteka:list-ready"));
        }
        shown
    });

    let navigate = use_navigate();
    // The search box is a combobox: arrows move through the results,
    // Enter opens the chosen client, Escape clears the query.
    let on_key = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let count = results.with_untracked(|r| r.as_ref().map_or(0, Vec::len));
            match ev.key().as_str() {
                "ArrowDown" if count > 0 => {
                    ev.prevent_default();
                    selected.update(|i| *i = (*i + 1).min(count - 1));
                    scroll_to_selected(selected.get_untracked());
                }
                "ArrowUp" if count > 0 => {
                    ev.prevent_default();
                    selected.update(|i| *i = i.saturating_sub(1));
                    scroll_to_selected(selected.get_untracked());
                }
                "Enter" => {
                    let chosen = results.with_untracked(|r| {
                        r.as_ref().and_then(|r| {
                            r.get(selected.get_untracked()).map(|(s, _)| s.id.clone())
                        })
                    });
                    if let Some(id) = chosen {
                        navigate(&format!("/clients/{id}"), Default::default());
                    }
                }
                "Escape" => query.set(String::new()),
                _ => {}
            }
        }
    };
    // "/" anywhere on the page jumps to the filter.
    let focus_search = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if ev.key() == "/" && !typing {
            ev.prevent_default();
            if let Some(input) = search.get_untracked() {
                let _ = input.focus();
            }
        }
    });
    on_cleanup(move || focus_search.remove());

    let count = move || match results.with(|r| r.as_ref().map(Vec::len)) {
        Some(n) => (cat().found_count)(n as u64),
        None => (cat().clients_count)(filtered.with(Vec::len) as u64),
    };
    let active = move || {
        results
            .with(|r| r.as_ref().is_some_and(|r| !r.is_empty()))
            .then(|| format!("hit-{}", selected.get()))
    };
    let supervisor = move || state.user().is_some_and(|u| u.role.may_reassign());
    let picking = Picking::new();
    let shown = Signal::derive(move || shown_ids(results, filtered));

    view! {
        <main class="clients" id="main">
            <div class="clients__toolbar">
                <h1 class="clients__title">{t!(clients_title)}</h1>
                <div class="search">
                    <label class="visually-hidden" for="client-filter">{t!(filter_label)}</label>
                    <input
                        id="client-filter"
                        class="search__input"
                        type="search"
                        role="combobox"
                        aria-autocomplete="list"
                        aria-controls="search-results"
                        aria-expanded=move || results.with(Option::is_some).to_string()
                        aria-activedescendant=active
                        aria-describedby="search-help"
                        node_ref=search
                        placeholder=t!(filter_placeholder)
                        autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                        on:keydown=on_key
                    />
                    <p class="visually-hidden" id="search-help">{t!(search_help)}</p>
                </div>
                <span class="clients__count" data-testid="clients-count" aria-live="polite">{count}</span>
                <ExportButtons clients=Callback::new(move |()| shown.get_untracked())/>
                <Show when=supervisor>
                    <A href="/import/clients" attr:class="button">{t!(nav_client_import)}</A>
                </Show>
                <A href="/clients/new" attr:class="button button--primary">{t!(new_client)}</A>
            </div>
            <FilterBar filter=filter set=set_filter>
                <Show when=supervisor>
                    <button
                        type="button"
                        class="button"
                        aria-pressed=move || picking.on.get().to_string()
                        on:click=move |_| picking.toggle()
                    >
                        {t!(pick_clients)}
                    </button>
                </Show>
            </FilterBar>
            <Show when=move || picking.on.get()>
                <PickBar picking=picking shown=shown/>
            </Show>
            // Every morning: whom to call (the bare start page only).
            <Show when=move || query.with(|q| q.trim().is_empty()) && !filter.with(ListFilter::filters) && !picking.on.get()>
                <Worklist limit=5/>
            </Show>
            <SameInnNotice/>
            <Show
                when=move || results.with(Option::is_some)
                fallback=move || {
                    view! {
                        <ClientTable
                            filtered=filtered
                            visible=visible
                            rows=rows
                            filter=filter
                            set_filter=set_filter
                            picking=picking
                        />
                    }
                }
            >
                <SearchResults results=results selected=selected/>
            </Show>
        </main>
    }
}

/// A supervisor picking clients of the list to give them to a manager.
#[derive(Clone, Copy)]
struct Picking {
    on: RwSignal<bool>,
    ids: RwSignal<HashSet<String>>,
}

impl Picking {
    fn new() -> Picking {
        Picking {
            on: RwSignal::new(false),
            ids: RwSignal::new(HashSet::new()),
        }
    }

    fn toggle(self) {
        self.on.update(|on| *on = !*on);
        self.ids.update(HashSet::clear);
    }

    fn flip(self, id: &str) {
        self.ids.update(|ids| {
            if !ids.remove(id) {
                ids.insert(id.to_owned());
            }
        });
    }
}

/// The bar of a supervisor's pick: how many, all of the filter, none, and
/// whom to give them to.
#[component]
fn PickBar(picking: Picking, shown: Signal<Vec<String>>) -> impl IntoView {
    let chosen = Signal::derive(move || {
        let mut ids: Vec<String> = picking.ids.with(|ids| ids.iter().cloned().collect());
        ids.sort();
        ids
    });
    let all = move |_| picking.ids.set(shown.get_untracked().into_iter().collect());
    let none = move |_| picking.ids.update(HashSet::clear);
    let done = Callback::new(move |()| picking.ids.update(HashSet::clear));
    view! {
        <div class="pick-bar" role="region" aria-label=t!(pick_clients)>
            <span class="pick-bar__count" aria-live="polite" data-testid="picked-count">
                {move || (cat().picked_count)(picking.ids.with(HashSet::len) as u64)}
            </span>
            <button type="button" class="button button--ghost" on:click=all>
                {move || (cat().pick_all_shown)(shown.with(Vec::len) as u64)}
            </button>
            <button type="button" class="button button--ghost" on:click=none>{t!(pick_none)}</button>
            <GiveForm clients=chosen id="pick-give" done=done/>
            <button type="button" class="button button--ghost" on:click=move |_| picking.toggle()>{t!(pick_done)}</button>
            <p class="pick-bar__hint muted">{t!(pick_hint)}</p>
        </div>
    }
}

/// Names of people and statuses, for sorting by them.
pub fn names_memo() -> Memo<Names> {
    let base = crate::base::base();
    Memo::new(move |_| Names {
        users: base
            .assignable_users()
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        statuses: base
            .rules
            .get()
            .map(|rules| {
                rules
                    .status_ids()
                    .iter()
                    .filter_map(|id| {
                        Some((id.to_string(), status_name(rules.status(id.as_str())?)))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.users == other.users && self.statuses == other.statuses
    }
}

/// The ids of the clients the list shows now: the hits of a query, else
/// the list under the status filter (what the export writes).
fn shown_ids(
    results: Memo<Option<Vec<Found>>>,
    filtered: Memo<Vec<Arc<ClientSummary>>>,
) -> Vec<String> {
    results.with_untracked(|r| match r {
        Some(hits) => hits.iter().map(|(s, _)| s.id.to_string()).collect(),
        None => filtered.with_untracked(|f| f.iter().map(|s| s.id.to_string()).collect()),
    })
}

/// A client found by a query, with the index's hit (none from the plain
/// filter used while the index is being built).
type Found = (Arc<ClientSummary>, Option<Hit>);

/// How many hits a query shows.
const RESULT_LIMIT: usize = 100;

/// Runs a query, recording its duration for the benchmark.
fn timed_query(index: &SearchIndex, q: &str) -> Vec<Hit> {
    crate::io::platform::mark("kartoteka:search-start");
    let hits = index.query(q, RESULT_LIMIT);
    crate::io::platform::mark("kartoteka:search-end");
    crate::io::platform::measure(
        "kartoteka:search",
        "kartoteka:search-start",
        "kartoteka:search-end",
    );
    hits
}

fn scroll_to_selected(i: usize) {
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("hit-{i}")))
        {
            el.scroll_into_view_with_bool(false);
        }
    });
}

/// Text with the matched parts in `<mark>`.
fn highlighted(hit: &Hit) -> impl IntoView + use<> {
    hit.segments()
        .into_iter()
        .map(|(text, matched)| {
            let text = text.to_owned();
            if matched {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                view! { <span>{text}</span> }.into_any()
            }
        })
        .collect_view()
}

/// The line under a hit's name saying what matched, when it was not the
/// name itself.
fn matched_detail(s: &ClientSummary, hit: &Hit) -> Option<AnyView> {
    let c = cat();
    let contact = |id: &str| {
        s.contacts
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let (label, prefix) = match &hit.field {
        MatchedField::Name => return None,
        MatchedField::Inn => (c.col_inn, String::new()),
        MatchedField::Ogrn => (c.field_ogrn, String::new()),
        MatchedField::Phone => (c.field_phone, String::new()),
        MatchedField::Email => (c.field_email, String::new()),
        MatchedField::ContactName { .. } => (c.hit_contact, String::new()),
        MatchedField::ContactPhone { contact_id } | MatchedField::ContactEmail { contact_id } => {
            (c.hit_contact, format!("{} · ", contact(contact_id)))
        }
    };
    Some(
        view! {
            <span class="hit__detail">
                <span class="hit__label">{label} ": "</span>
                {prefix}
                {highlighted(hit)}
            </span>
        }
        .into_any(),
    )
}

#[component]
fn SearchResults(results: Memo<Option<Vec<Found>>>, selected: RwSignal<usize>) -> impl IntoView {
    view! {
        <ul class="hits" id="search-results" role="listbox" aria-label=t!(search_results)>
            <For
                each=move || {
                    results.get().unwrap_or_default().into_iter().enumerate().collect::<Vec<_>>()
                }
                key=|(i, (s, hit))| (*i, s.id.clone(), s.touched, hit.as_ref().map(|h| h.ranges.clone()))
                children=move |(i, (s, hit))| {
                    let name = match hit.as_ref().filter(|h| h.field == MatchedField::Name) {
                        Some(h) => highlighted(h).into_any(),
                        None => s.display_name().into_any(),
                    };
                    let detail = hit.as_ref().and_then(|h| matched_detail(&s, h));
                    let phone = s.phones.first().cloned().unwrap_or_default();
                    view! {
                        <li role="none">
                            <A
                                href=format!("/clients/{}", s.id)
                                attr:id=format!("hit-{i}")
                                attr:class="hit"
                                attr:role="option"
                                attr:aria-selected=move || (selected.get() == i).to_string()
                            >
                                <span class="hit__main">
                                    <span class="hit__name">{name}</span>
                                    {detail}
                                </span>
                                <span class="hit__side col-phone">{phone}</span>
                                <span class="hit__side"><ClientStatus client=s.id.to_string()/></span>
                            </A>
                        </li>
                    }
                }
            />
        </ul>
        <Show when=move || results.with(|r| r.as_ref().is_some_and(Vec::is_empty))>
            <p class="client-list__empty">{t!(no_matches)}</p>
        </Show>
    }
}

/// A column head that sorts the list by its column: ascending, then
/// descending on a second press.
#[component]
pub fn SortHeader(
    key: SortKey,
    label: &'static str,
    #[prop(optional)] class: &'static str,
    filter: Memo<ListFilter>,
    set_filter: Callback<ListFilter>,
) -> impl IntoView {
    let sorted = move || filter.with(|f| f.sort.filter(|s| s.key == key));
    let aria = move || match sorted() {
        Some(s) if s.descending => "descending",
        Some(_) => "ascending",
        None => "none",
    };
    let press = move |_| {
        let mut f = filter.get_untracked();
        f.sort = Some(Sort {
            key,
            descending: f.sort.is_some_and(|s| s.key == key && !s.descending),
        });
        set_filter.run(f);
    };
    view! {
        <span role="columnheader" class=class aria-sort=aria>
            <button type="button" class="sort-button" on:click=press>
                {label}
                <span class="sort-button__mark" aria-hidden="true">
                    {move || match sorted() {
                        Some(s) if s.descending => "▼",
                        Some(_) => "▲",
                        None => "",
                    }}
                </span>
            </button>
        </span>
    }
}

/// Who a list shows as a client's responsible: the effective one today,
/// "на бирже с …" in the exchange (its former manager is not responsible
/// any more), "не назначен" with nobody.
pub fn responsible_text(base: crate::base::Base, s: &ClientSummary) -> String {
    base.derived.with(|d| match d.get(s.id.as_str()) {
        Some(c) if c.zone == Some(Zone::Exchange) => (cat().in_exchange_since)(
            &c.in_exchange_since
                .map(|d| crate::format::date(d.into()))
                .unwrap_or_default(),
        ),
        Some(c) => c
            .responsible
            .as_ref()
            .and_then(|id| base.user_name(&UserId(id.clone())))
            .unwrap_or_else(|| cat().nobody.to_owned()),
        None => s
            .responsible
            .as_ref()
            .and_then(|id| base.user_name(id))
            .unwrap_or_else(|| cat().nobody.to_owned()),
    })
}

#[component]
fn ClientTable(
    filtered: Memo<Vec<Arc<ClientSummary>>>,
    visible: Memo<Vec<(usize, Arc<ClientSummary>)>>,
    rows: VirtualRows,
    filter: Memo<ListFilter>,
    set_filter: Callback<ListFilter>,
    picking: Picking,
) -> impl IntoView {
    let base = crate::base::base();
    let c = cat();
    // While picking, a row's click picks it instead of opening the card
    // (Enter on a focused row does the same).
    let pick = move |ev: leptos::ev::MouseEvent| {
        if !picking.on.get_untracked() {
            return;
        }
        let row = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|el| el.closest("a.client-row").ok().flatten());
        if let Some(id) = row.and_then(|r| r.get_attribute("data-id")) {
            ev.prevent_default();
            picking.flip(&id);
        }
    };
    view! {
        <div class="client-list" role="table" aria-label=t!(clients_title)
            aria-multiselectable=move || picking.on.get().then_some("true")>
            <div class="client-row client-row--head" role="row">
                <SortHeader key=SortKey::Name label=c.col_name filter=filter set_filter=set_filter/>
                <SortHeader key=SortKey::Inn label=c.col_inn class="col-inn" filter=filter set_filter=set_filter/>
                <SortHeader key=SortKey::Phone label=c.col_phone class="col-phone" filter=filter set_filter=set_filter/>
                <SortHeader key=SortKey::Responsible label=c.col_responsible class="col-responsible" filter=filter set_filter=set_filter/>
                <SortHeader key=SortKey::Zone label=c.col_zone class="col-zone" filter=filter set_filter=set_filter/>
                <SortHeader key=SortKey::Status label=c.col_status class="col-status" filter=filter set_filter=set_filter/>
            </div>
            <div class="client-list__viewport" node_ref=rows.viewport on:scroll=rows.on_scroll()>
                <div
                    class="client-list__canvas"
                    role="rowgroup"
                    style:--rows=move || filtered.with(Vec::len).to_string()
                    on:click=pick
                >
                    <For
                        each=move || visible.get()
                        key=|(i, s)| (*i, s.id.clone(), s.touched)
                        children=move |(i, s)| {
                            let name = s.display_name();
                            let phone = s.phones.first().cloned().unwrap_or_default();
                            let id = s.id.to_string();
                            let responsible = {
                                let s = s.clone();
                                move || responsible_text(base, &s)
                            };
                            let zone = {
                                let id = id.clone();
                                move || base.derived.with(|d| d.get(&id).and_then(|c| c.zone).map(|z| z.id()))
                            };
                            let picked = {
                                let id = id.clone();
                                move || picking.on.get().then(|| picking.ids.with(|p| p.contains(&id)).to_string())
                            };
                            view! {
                                <A
                                    href=format!("/clients/{}", s.id)
                                    attr:class="client-row"
                                    attr:role="row"
                                    attr:style=format!("--row: {i}")
                                    attr:data-zone=zone
                                    attr:data-id=id.clone()
                                    attr:aria-selected=picked
                                >
                                    <span role="cell" class="col-name">
                                        <Show when=move || picking.on.get()>
                                            <span class="row-check" aria-hidden="true"></span>
                                        </Show>
                                        {name}
                                    </span>
                                    <span role="cell" class="col-inn">{s.inn.clone()}</span>
                                    <span role="cell" class="col-phone">{phone}</span>
                                    <span role="cell" class="col-responsible">{responsible}</span>
                                    <span role="cell" class="col-zone">
                                        <ClientZone client=s.id.to_string()/>
                                    </span>
                                    <span role="cell" class="col-status">
                                        <ClientStatus client=s.id.to_string()/>
                                    </span>
                                </A>
                            }
                        }
                    />
                </div>
                <Show when=move || filtered.with(Vec::is_empty)>
                    <p class="client-list__empty">{t!(no_clients)}</p>
                </Show>
            </div>
        </div>
    }
}
