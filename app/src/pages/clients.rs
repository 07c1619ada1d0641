//! The client list: every visible client, filtered as the user types, in a
//! virtual list that renders only the rows on screen (tens of thousands of
//! clients scroll as smoothly as ten).

use std::sync::Arc;

use kartoteka::search::{Hit, MatchedField, SearchIndex};
use kartoteka::summary::ClientSummary;
use leptos::html;
use leptos::prelude::AnyView;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::base::SearchState;
use crate::components::same_inn::SameInnNotice;
use crate::components::status::{ClientStatus, ClientZone, status_name};
use crate::i18n::cat;
use crate::pages::client_export::ExportButtons;
use crate::t;

/// Must equal `--row-height` in style/clients.css (px).
const ROW_HEIGHT: f64 = 52.0;
/// Rows rendered above and below the visible ones, so fast scrolling does
/// not show blanks.
const OVERSCAN: usize = 8;

/// Whether a client matches the filter text (every word must match the
/// name, the INN, a phone's digits or an e-mail).
fn matches(s: &ClientSummary, words: &[String]) -> bool {
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
    let query = RwSignal::new(String::new());
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport_height = RwSignal::new(800.0_f64);
    let viewport: NodeRef<html::Div> = NodeRef::new();
    let search: NodeRef<html::Input> = NodeRef::new();

    // "" shows every status.
    let status_filter = RwSignal::new(String::new());
    // No query: the whole list, virtualised. A query: ranked hits from
    // the search index (or, in the first moments while the index is being
    // built, a plain filter).
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
        let wanted = status_filter.get();
        let shown = |id: &str| {
            wanted.is_empty()
                || base
                    .derived
                    .with(|d| d.get(id).is_some_and(|c| c.status.as_str() == wanted))
        };
        Some(base.clients.with(|list| {
            match hits {
                Some(hits) => hits
                    .into_iter()
                    .filter(|hit| shown(&hit.client_id))
                    .filter_map(|hit| list.get(&hit.client_id).map(|s| (s.clone(), Some(hit))))
                    .collect::<Vec<_>>(),
                None => {
                    let words: Vec<String> = q
                        .to_lowercase()
                        .replace('ё', "е")
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect();
                    list.items
                        .iter()
                        .filter(|s| matches(s, &words) && shown(s.id.as_str()))
                        .take(RESULT_LIMIT)
                        .map(|s| (s.clone(), None))
                        .collect()
                }
            }
        }))
    });
    let filtered = Memo::new(move |_| {
        let wanted = status_filter.get();
        base.clients.with(|list| {
            if wanted.is_empty() {
                return list.items.clone();
            }
            base.derived.with(|d| {
                list.items
                    .iter()
                    .filter(|s| {
                        d.get(s.id.as_str())
                            .is_some_and(|c| c.status.as_str() == wanted)
                    })
                    .cloned()
                    .collect()
            })
        })
    });
    let selected = RwSignal::new(0_usize);
    Effect::new(move |_| {
        results.with(|_| ()); // read: a memo subscribes only when computed
        selected.set(0);
    });

    let visible = Memo::new(move |_| {
        let top = scroll_top.get();
        let height = viewport_height.get();
        filtered.with(|items| {
            let first = ((top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
            let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
            items
                .iter()
                .enumerate()
                .skip(first)
                .take(count)
                .map(|(i, s)| (i, s.clone()))
                .collect::<Vec<_>>()
        })
    });

    let on_scroll = move |_| {
        if let Some(el) = viewport.get() {
            scroll_top.set(el.scroll_top() as f64);
            viewport_height.set(el.client_height() as f64);
        }
    };
    Effect::new(move |_| {
        if let Some(el) = viewport.get() {
            viewport_height.set(el.client_height().max(200) as f64);
        }
    });
    // A new filter starts from the top.
    Effect::new(move |_| {
        query.track();
        status_filter.track();
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
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
                <StatusFilter selected=status_filter/>
                <span class="clients__count" data-testid="clients-count" aria-live="polite">{count}</span>
                <ExportButtons clients=Callback::new(move |()| shown_ids(results, filtered))/>
                <Show when=move || crate::state::app_state().user().is_some_and(|u| u.role.sees_everything())>
                    <A href="/import/clients" attr:class="button">{t!(nav_client_import)}</A>
                </Show>
                <A href="/clients/new" attr:class="button button--primary">{t!(new_client)}</A>
            </div>
            <SameInnNotice/>
            <Show
                when=move || results.with(Option::is_some)
                fallback=move || {
                    view! {
                        <ClientTable filtered=filtered visible=visible viewport=viewport on_scroll=on_scroll/>
                    }
                }
            >
                <SearchResults results=results selected=selected/>
            </Show>
        </main>
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

#[component]
fn ClientTable(
    filtered: Memo<Vec<Arc<ClientSummary>>>,
    visible: Memo<Vec<(usize, Arc<ClientSummary>)>>,
    viewport: NodeRef<html::Div>,
    on_scroll: impl Fn(leptos::ev::Event) + 'static,
) -> impl IntoView {
    let base = crate::base::base();
    let responsible_name = move |s: &ClientSummary| match &s.responsible {
        Some(id) => base.workspace.with_untracked(|w| {
            w.as_ref()
                .and_then(|w| w.user(id))
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.to_string())
        }),
        None => cat().nobody.to_owned(),
    };
    view! {
        <div class="client-list" role="table" aria-label=t!(clients_title)>
            <div class="client-row client-row--head" role="row">
                <span role="columnheader">{t!(col_name)}</span>
                <span role="columnheader" class="col-inn">{t!(col_inn)}</span>
                <span role="columnheader" class="col-phone">{t!(col_phone)}</span>
                <span role="columnheader" class="col-responsible">{t!(col_responsible)}</span>
                <span role="columnheader" class="col-zone">{t!(col_zone)}</span>
                <span role="columnheader" class="col-status">{t!(col_status)}</span>
            </div>
            <div class="client-list__viewport" node_ref=viewport on:scroll=on_scroll>
                <div
                    class="client-list__canvas"
                    role="rowgroup"
                    style:--rows=move || filtered.with(Vec::len).to_string()
                >
                    <For
                        each=move || visible.get()
                        key=|(i, s)| (*i, s.id.clone(), s.touched)
                        children=move |(i, s)| {
                            let name = s.display_name();
                            let phone = s.phones.first().cloned().unwrap_or_default();
                            let responsible = responsible_name(&s);
                            let id = s.id.to_string();
                            let zone = move || {
                                base.derived.with(|d| d.get(&id).and_then(|c| c.zone).map(|z| z.id()))
                            };
                            view! {
                                <A
                                    href=format!("/clients/{}", s.id)
                                    attr:class="client-row"
                                    attr:role="row"
                                    attr:style=format!("--row: {i}")
                                    attr:data-zone=zone
                                >
                                    <span role="cell" class="col-name">{name}</span>
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

/// The filter by status: every status of the workspace with how many
/// clients have it today. A native select, so it works from the keyboard
/// and with screen readers as people expect.
#[component]
fn StatusFilter(selected: RwSignal<String>) -> impl IntoView {
    let base = crate::base::base();
    let options = Memo::new(move |_| {
        let rules = base.rules.get()?;
        let (counts, total, ready) = base.derived.with(|d| {
            let mut counts = std::collections::HashMap::<String, u64>::new();
            for c in d.clients.values() {
                match counts.get_mut(c.status.as_str()) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(c.status.to_string(), 1);
                    }
                }
            }
            (counts, d.clients.len() as u64, d.as_of.is_some())
        });
        let statuses = rules
            .status_ids()
            .iter()
            .filter_map(|id| {
                let def = rules.status(id.as_str())?;
                let n = counts.get(id.as_str()).copied().unwrap_or(0);
                Some((id.to_string(), status_name(def), n))
            })
            .collect::<Vec<_>>();
        Some((statuses, total, ready))
    });
    view! {
        <div class="status-filter">
            <label class="status-filter__label" for="status-filter">{t!(filter_status)}</label>
            <select
                id="status-filter"
                class="status-filter__select"
                prop:value=move || selected.get()
                on:change=move |ev| selected.set(event_target_value(&ev))
            >
                {move || {
                    let (statuses, total, ready) = options.get().unwrap_or_default();
                    let count = move |n: u64| if ready { format!(" ({})", crate::format::number(n)) } else { String::new() };
                    let all = format!("{}{}", cat().all_statuses, count(total));
                    let current = selected.get_untracked();
                    view! {
                        <option value="" selected=current.is_empty()>{all}</option>
                        {statuses
                            .into_iter()
                            .map(|(id, name, n)| {
                                let is = id == current;
                                view! { <option value=id selected=is>{format!("{name}{}", count(n))}</option> }
                            })
                            .collect_view()}
                    }
                }}
            </select>
        </div>
    }
}
