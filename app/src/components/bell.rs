//! The bell in the header: how many notices the user has not read, and
//! the list of them, newest first (issue 15 item 7; what they are and how
//! they are derived: `crate::base::notices`).
//!
//! A disclosure: the button opens a panel under it; Escape, a click
//! outside, the focus leaving it or the button again close it, and the
//! focus goes back to the button. Opening the list marks every notice in
//! it read, so the count goes; the ones that were unread stay marked new
//! while it is open. A notice that arrives while it is open is new and
//! unread, and "Прочитать все" reads it.

use std::collections::HashSet;

use kartoteka::client::AssignmentKind;
use kartoteka::date::Timestamp;
use kartoteka::ids::UserId;
use kartoteka::notices::{Notice, NoticeKind};
use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use crate::base::{Base, base, notices};
use crate::components::focus::focus_id;
use crate::format;
use crate::i18n::cat;
use crate::t;

const PANEL_ID: &str = "notices-panel";
const TITLE_ID: &str = "notices-title";

/// The bell, its count and its list.
#[component]
pub fn Bell() -> impl IntoView {
    let base = base();
    let notices = base.notices;
    let open = RwSignal::new(false);
    // The notices that were unread when the list opened.
    let fresh = RwSignal::new(HashSet::<String>::new());
    let button = NodeRef::<leptos::html::Button>::new();
    let unread = Memo::new(move |_| notices.unread());

    let read_all = move || notices::mark_read(base, notices.keys());
    let show = move || {
        fresh.set(notices.unread_keys());
        open.set(true);
        read_all();
        focus_id(PANEL_ID, false);
    };
    let close = move |refocus: bool| {
        if !open.get_untracked() {
            return;
        }
        open.set(false);
        fresh.set(HashSet::new());
        if refocus && let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let label = move || match unread.get() {
        0 => cat().notices_title.to_owned(),
        n => (cat().notices_unread)(n as u64),
    };
    let count = move || match unread.get() {
        n if n > 99 => "99+".to_owned(),
        n => n.to_string(),
    };
    // The focus left the bell and its list (Tab past the end, a click
    // elsewhere): the list closes and the focus stays where it went.
    let on_focusout = move |ev: web_sys::FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(
                ev.current_target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok()),
            )
            .is_some_and(|(to, bell)| bell.contains(Some(&to)));
        if !inside {
            close(false);
        }
    };
    let rows = move || {
        let list = notices.list();
        if list.is_empty() {
            return view! { <p class="notices__empty">{t!(notices_empty)}</p> }.into_any();
        }
        let this_year = {
            use chrono::Datelike;
            base.app.today.get().naive().year()
        };
        let items = list
            .iter()
            .map(|n| notice_row(base, n, this_year, fresh))
            .collect_view();
        view! { <ul class="notices__list" data-testid="notices">{items}</ul> }.into_any()
    };

    view! {
        <div
            class="bell"
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.prevent_default();
                    close(true);
                }
            }
            on:focusout=on_focusout
        >
            <button
                type="button"
                class="bell__button"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls=PANEL_ID
                aria-label=label
                title=label
                data-testid="bell"
                on:click=move |_| if open.get_untracked() { close(true) } else { show() }
            >
                <svg class="bell__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"
                    fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
                    stroke-linejoin="round">
                    <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>
                    <path d="M13.73 21a2 2 0 0 1-3.46 0"/>
                </svg>
                <Show when=move || { unread.get() > 0 }>
                    <span class="bell__badge" aria-hidden="true" data-testid="bell-count">{count}</span>
                </Show>
            </button>
            <Show when=move || open.get()>
                <div class="bell__backdrop" on:click=move |_| close(false)></div>
                <section
                    id=PANEL_ID
                    class="notices"
                    role="dialog"
                    aria-labelledby=TITLE_ID
                    tabindex="-1"
                >
                    <div class="notices__head">
                        <h2 id=TITLE_ID class="notices__title">{t!(notices_title)}</h2>
                        <Show when=move || { unread.get() > 0 }>
                            <button
                                type="button"
                                class="button button--ghost button--small"
                                on:click=move |_| read_all()
                            >
                                {t!(notices_read_all)}
                            </button>
                        </Show>
                        <button
                            type="button"
                            class="notices__close"
                            aria-label=t!(notices_close)
                            title=t!(notices_close)
                            on:click=move |_| close(true)
                        >
                            "×"
                        </button>
                    </div>
                    <div class="notices__body" on:click=move |ev| {
                        // A client's link was followed: the list has done its job.
                        let link = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .and_then(|e| e.closest("a").ok().flatten());
                        if link.is_some() {
                            close(false);
                        }
                    }>
                        {rows}
                    </div>
                </section>
            </Show>
        </div>
    }
}

/// One notice: what happened to which client, who did it and when.
fn notice_row(
    base: Base,
    n: &Notice,
    this_year: i32,
    fresh: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let notices = base.notices;
    let key = n.key.clone();
    let is_new = move || fresh.with(|f| f.contains(&key)) || !notices.is_read(&key);
    let kind_class = match n.kind {
        NoticeKind::WentToExchange => "bell-item--exchange",
        NoticeKind::TakenFromMe => "bell-item--taken",
        NoticeKind::GivenToMe => "bell-item--given",
    };
    let new_for_class = is_new.clone();
    let class = move || {
        if new_for_class() {
            format!("bell-item {kind_class} bell-item--new")
        } else {
            format!("bell-item {kind_class}")
        }
    };
    let what = what_happened(base, n);
    let (who, when, datetime) = match (n.kind, n.at) {
        (NoticeKind::WentToExchange, _) | (_, None) => (
            cat().notice_exchange_why.to_owned(),
            format::short_date(n.date, this_year),
            n.date.to_string(),
        ),
        (_, Some(at)) => (
            n.by.as_ref()
                .map(|by| name_of(base, by))
                .unwrap_or_default(),
            format::short_date_time(at, this_year),
            iso_instant(at),
        ),
    };
    let on_device = base.clients.with_untracked(|l| l.get(&n.client).is_some());
    let name = n.client_name.clone();
    let client = if on_device {
        view! {
            <A href=format!("/clients/{}", n.client) attr:class="bell-item__client">{name}</A>
        }
        .into_any()
    } else {
        view! {
            <span class="bell-item__client bell-item__client--gone" title=cat().notice_no_card>{name}</span>
        }
        .into_any()
    };
    view! {
        <li class=class data-kind=kind_class>
            <span class="bell-item__icon" aria-hidden="true">{icon(n.kind)}</span>
            <div class="bell-item__text">
                {client}
                <p class="bell-item__what">{what}</p>
                <p class="bell-item__meta">
                    <span class="bell-item__who">{who}</span>
                    " · "
                    <time datetime=datetime>{when}</time>
                </p>
            </div>
            <Show when=is_new>
                <span class="bell-item__dot" aria-hidden="true"></span>
                <span class="visually-hidden">{t!(notices_new)}</span>
            </Show>
        </li>
    }
}

/// What happened, in words.
fn what_happened(base: Base, n: &Notice) -> String {
    let c = cat();
    match (n.kind, n.how) {
        (NoticeKind::WentToExchange, _) => c.notice_went_to_exchange.to_owned(),
        (NoticeKind::GivenToMe, Some(AssignmentKind::Initial)) => c.notice_given_created.to_owned(),
        (NoticeKind::GivenToMe, Some(AssignmentKind::FromExchange)) => {
            c.notice_given_from_exchange.to_owned()
        }
        (NoticeKind::GivenToMe, Some(AssignmentKind::ApprovedRequest)) => {
            c.notice_given_request.to_owned()
        }
        (NoticeKind::GivenToMe, _) => c.notice_given.to_owned(),
        (NoticeKind::TakenFromMe, Some(AssignmentKind::ToPool)) => {
            c.notice_taken_to_pool.to_owned()
        }
        (NoticeKind::TakenFromMe, Some(AssignmentKind::FromExchange)) => {
            c.notice_taken_from_exchange.to_owned()
        }
        (NoticeKind::TakenFromMe, how) => match &n.to {
            None => c.notice_taken_to_pool.to_owned(),
            Some(to) if how == Some(AssignmentKind::ApprovedRequest) => {
                (c.notice_taken_request)(&name_of(base, to))
            }
            Some(to) => (c.notice_taken_reassigned)(&name_of(base, to)),
        },
    }
}

fn name_of(base: Base, id: &UserId) -> String {
    base.user_name(id)
        .unwrap_or_else(|| cat().notice_someone.to_owned())
}

/// An instant for `<time datetime>`.
fn iso_instant(at: Timestamp) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.0 as f64))
        .to_iso_string()
        .into()
}

/// The small picture of a notice's kind.
fn icon(kind: NoticeKind) -> impl IntoView {
    let paths = match kind {
        // Two arrows: to the exchange.
        NoticeKind::WentToExchange => view! {
            <path d="M4 8h14l-4-4"/>
            <path d="M20 16H6l4 4"/>
        }
        .into_any(),
        // A person and a minus: no longer yours.
        NoticeKind::TakenFromMe => view! {
            <circle cx="9" cy="8" r="4"/>
            <path d="M2 21v-1a5 5 0 0 1 5-5h4a5 5 0 0 1 5 5v1"/>
            <path d="M16 11h6"/>
        }
        .into_any(),
        // A person and a plus: yours now.
        NoticeKind::GivenToMe => view! {
            <circle cx="9" cy="8" r="4"/>
            <path d="M2 21v-1a5 5 0 0 1 5-5h4a5 5 0 0 1 5 5v1"/>
            <path d="M19 8v6"/>
            <path d="M16 11h6"/>
        }
        .into_any(),
    };
    view! {
        <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            {paths}
        </svg>
    }
}
