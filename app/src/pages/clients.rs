//! The client list: every visible client, filtered as the user types, in a
//! virtual list that renders only the rows on screen (tens of thousands of
//! clients scroll as smoothly as ten).

use std::sync::Arc;

use kartoteka::summary::ClientSummary;
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::status::StatusBadge;
use crate::i18n::cat;
use crate::state::app_state;
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
    let state = app_state();
    let query = RwSignal::new(String::new());
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport_height = RwSignal::new(800.0_f64);
    let viewport: NodeRef<html::Div> = NodeRef::new();
    let search: NodeRef<html::Input> = NodeRef::new();

    let filtered = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase().replace('ё', "е");
        let words: Vec<String> = q.split_whitespace().map(str::to_owned).collect();
        state.clients.with(|list| {
            if words.is_empty() {
                list.items.clone()
            } else {
                list.items
                    .iter()
                    .filter(|s| matches(s, &words))
                    .cloned()
                    .collect::<Vec<Arc<ClientSummary>>>()
            }
        })
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
    let users = move || state.workspace.get();
    let responsible_name = move |s: &ClientSummary| {
        let ws = users();
        match (&s.responsible, ws) {
            (Some(id), Some(ws)) => ws
                .user(id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.to_string()),
            _ => cat().nobody.to_owned(),
        }
    };
    // Enter in the filter opens the first client; Escape clears it.
    let on_key = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
            "Enter" => {
                if let Some(first) = filtered.with_untracked(|f| f.first().cloned()) {
                    navigate(&format!("/clients/{}", first.id), Default::default());
                }
            }
            "Escape" => query.set(String::new()),
            _ => {}
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
                        node_ref=search
                        placeholder=t!(filter_placeholder)
                        autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                        on:keydown=on_key
                    />
                </div>
                <span class="clients__count" data-testid="clients-count">
                    {move || (cat().clients_count)(filtered.with(Vec::len) as u64)}
                </span>
                <A href="/clients/new" attr:class="button button--primary">{t!(new_client)}</A>
            </div>
            <div class="client-list" role="table" aria-label=t!(clients_title)>
                <div class="client-row client-row--head" role="row">
                    <span role="columnheader">{t!(col_name)}</span>
                    <span role="columnheader" class="col-inn">{t!(col_inn)}</span>
                    <span role="columnheader" class="col-phone">{t!(col_phone)}</span>
                    <span role="columnheader" class="col-responsible">{t!(col_responsible)}</span>
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
                                view! {
                                    <A
                                        href=format!("/clients/{}", s.id)
                                        attr:class="client-row"
                                        attr:role="row"
                                        attr:style=format!("--row: {i}")
                                    >
                                        <span role="cell" class="col-name">{name}</span>
                                        <span role="cell" class="col-inn">{s.inn.clone()}</span>
                                        <span role="cell" class="col-phone">{phone}</span>
                                        <span role="cell" class="col-responsible">{responsible}</span>
                                        <span role="cell" class="col-status">
                                            <StatusBadge facts=s.facts.clone()/>
                                        </span>
                                    </A>
                                }
                            }
                        />
                    </div>
                    <Show when=move || filtered.with(Vec::is_empty)>
                        <p class="client-list__empty">
                            {move || {
                                if query.with(String::is_empty) { cat().no_clients } else { cat().no_matches }
                            }}
                        </p>
                    </Show>
                </div>
            </div>
        </main>
    }
}
