//! The bar at the top: the app's name, navigation, the connection state,
//! the sync state, the language switch and the user; below it, banners
//! (session expired, changes refused by the relay, storage).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use kartoteka::date::Timestamp;
use kartoteka::sync::refusal;

use crate::components::nav_menu::{MenuLink, NavMenu};
use crate::format;
use crate::i18n::{I18n, cat};
use crate::io::platform::set_document_language;
use crate::session::{log_out, remember_language};
use crate::state::{Net, app_state};
use crate::t;

/// The language switch: one click to the other language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let switch = move |_| {
        let next = i18n.lang.get_untracked().other();
        i18n.lang.set(next);
        set_document_language(next.code());
        spawn_local(remember_language(next));
    };
    view! {
        <button
            type="button"
            class="lang-switch"
            on:click=switch
            title=t!(switch_language)
            aria-label=t!(switch_language)
        >
            {t!(other_language_name)}
        </button>
    }
}

/// Online / offline / session expired, always visible.
#[component]
pub fn NetIndicator() -> impl IntoView {
    let state = app_state();
    let label = move || match state.net.get() {
        Net::Online => cat().online,
        Net::Offline | Net::SessionExpired => cat().offline,
    };
    let hint = move || match state.net.get() {
        Net::Online => cat().online_hint,
        Net::Offline => cat().offline_hint,
        Net::SessionExpired => cat().session_expired,
    };
    let class = move || match state.net.get() {
        Net::Online => "net net--online",
        Net::Offline => "net net--offline",
        Net::SessionExpired => "net net--expired",
    };
    view! {
        <span class=class role="status" title=hint data-testid="net">
            <span class="net__dot" aria-hidden="true"></span>
            <span class="net__label">{label}</span>
        </span>
    }
}

/// Sync with the relay: the local changes it has not confirmed, else the
/// time of the last sync (the date in the hint).
#[component]
pub fn SyncIndicator() -> impl IntoView {
    let state = app_state();
    let label = move || {
        let unsent = state.sync.unsent.get();
        if unsent > 0 {
            return (cat().sync_unsent)(unsent as u64);
        }
        match state.sync.last_sync.get() {
            Some(ms) => (cat().sync_done_at)(&format::time(Timestamp(ms))),
            None => String::new(),
        }
    };
    let hint = move || match state.sync.last_sync.get() {
        Some(ms) => (cat().sync_last_hint)(&format::date_time(Timestamp(ms))),
        None => cat().sync_never.to_owned(),
    };
    let class = move || {
        if state.sync.unsent.get() > 0 {
            "sync sync--pending"
        } else {
            "sync"
        }
    };
    view! {
        <span
            class=class
            role="status"
            title=hint
            aria-label=move || format!("{} {}", label(), hint())
            data-testid="sync"
        >
            {label}
        </span>
    }
}

/// Why the relay refused a card's changes, until dismissed.
#[component]
fn RefusedBanner() -> impl IntoView {
    let state = app_state();
    let text = move || {
        let c = cat();
        state.sync.refused.get().map(|code| match code.as_str() {
            refusal::TAKEN => c.sync_refused_taken,
            refusal::RESPONSIBLE => c.sync_refused_responsible,
            refusal::MERGED_INTO => c.sync_refused_merged_into,
            refusal::WORKSPACE => c.sync_refused_workspace,
            refusal::ACTOR => c.sync_refused_actor,
            refusal::RESTORE => c.sync_refused_restore,
            refusal::DELETE => c.sync_refused_delete,
            _ => c.sync_refused_other,
        })
    };
    view! {
        <Show when=move || state.sync.refused.with(Option::is_some)>
            <p class="banner banner--warning" role="alert">
                <span>{text}</span>
                <button
                    type="button"
                    class="button button--ghost button--small"
                    on:click=move |_| state.sync.refused.set(None)
                >
                    {t!(dismiss)}
                </button>
            </p>
        </Show>
    }
}

/// The reports, for everyone.
fn report_links() -> Vec<MenuLink> {
    vec![
        ("/reports/status-dynamics", || cat().nav_dynamics),
        ("/reports/zones", || cat().nav_zones),
        ("/reports/funnel", || cat().nav_funnel),
    ]
}

/// The settings a user may open: statuses for supervisors, scenarios and
/// users for administrators; `None` for the others.
fn settings_links(state: crate::state::AppState) -> Option<Vec<MenuLink>> {
    let role = state.user()?.role;
    if !role.sees_everything() {
        return None;
    }
    let mut links: Vec<MenuLink> = vec![("/settings/statuses", || cat().nav_statuses_settings)];
    if role == kartoteka::workspace::Role::Administrator {
        links.push(("/settings/sales", || cat().nav_sales_settings));
        links.push(("/users", || cat().nav_users));
    }
    Some(links)
}

/// The header of a logged-in user.
#[component]
pub fn AppHeader() -> impl IntoView {
    let state = app_state();
    let name = move || state.user().map(|u| u.name).unwrap_or_default();
    let on_logout = move |_| spawn_local(log_out(crate::base::base()));
    view! {
        <header class="app-header">
            <a class="skip-link" href="#main">{t!(skip_to_content)}</a>
            <A href="/" attr:class="brand">
                <img class="brand__icon" src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span class="brand__name">{t!(app_name)}</span>
            </A>
            <nav class="app-nav">
                <A href="/" attr:class="app-nav__link">{t!(nav_clients)}</A>
                <A href="/exchange" attr:class="app-nav__link">{t!(nav_exchange)}</A>
                <A href="/sales" attr:class="app-nav__link">{t!(nav_sales)}</A>
                <NavMenu id="reports" label=|| cat().nav_reports links=report_links()/>
                <A href="/import" attr:class="app-nav__link">{t!(nav_import)}</A>
                {settings_links(state).map(|links| view! {
                    <NavMenu id="settings" label=|| cat().nav_settings links=links/>
                })}
            </nav>
            <div class="app-header__end">
                <crate::components::bell::Bell/>
                <NetIndicator/>
                <SyncIndicator/>
                <LanguageSwitch/>
                <span class="user-name">{name}</span>
                <button type="button" class="button button--ghost" title=name on:click=on_logout>
                    {t!(log_out)}
                </button>
            </div>
        </header>
        <RefusedBanner/>
        <Show when=move || state.net.get() == Net::SessionExpired>
            <p class="banner banner--warning" role="alert">{t!(session_expired)}</p>
        </Show>
        <Show when=move || state.persistent.get() == Some(false)>
            <p class="banner banner--info">
                <span>{t!(storage_not_persistent)}</span>
                <button
                    type="button"
                    class="button button--ghost button--small"
                    on:click=move |_| {
                        state.persistent.set(None);
                        spawn_local(crate::session::remember_storage_notice_seen());
                    }
                >
                    {t!(dismiss)}
                </button>
            </p>
        </Show>
    }
}
