//! # Kartoteka, the browser app
//!
//! A Leptos single-page app compiled to WebAssembly. It keeps every client
//! as an Automerge document in IndexedDB, works with no network, and talks
//! to the relay to log in, to download the base and to sync (a WebSocket
//! carrying the Automerge sync protocol, see [`sync`]).
//!
//! Where to start reading: [`App`] (the root and its routes), [`session`]
//! (start-up, login), [`store`] (the one writer of documents), [`base`]
//! (the one owner of what the views read: every committed write goes
//! store → base → views), [`io`] (the only modules that touch IndexedDB,
//! the network and the platform).

pub mod base;
pub mod components;
pub mod format;
pub mod i18n;
pub mod io;
pub mod messages;
pub mod pages;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use components::header::AppHeader;
use components::toast::ToastHost;
use components::update::UpdateBanner;
use i18n::{I18n, Lang, cat};
use pages::card::CardPage;
use pages::card_form::{EditClientPage, NewClientPage};
use pages::client_import::ClientImportPage;
use pages::clients::ClientsPage;
use pages::dynamics::DynamicsPage;
use pages::funnel::FunnelPage;
use pages::import::ImportPage;
use pages::login::LoginPage;
use pages::register::RegisterPage;
use pages::sales::SalesPage;
use pages::settings::SettingsPage;
use pages::settings_sales::SalesSettingsPage;
use state::{AppState, Phase};

/// Mounts the app on the page.
pub fn start() {
    console_error_panic_hook::set_once();
    // The static spinner of index.html gives way to the app.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".boot").ok().flatten())
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(App);
}

/// The root: state, language, router.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let base = base::Base::new(state);
    let i18n = I18n {
        lang: RwSignal::new(Lang::default()),
    };
    provide_context(state);
    provide_context(base);
    provide_context(i18n);
    provide_context(components::update::AppVersion::watch());
    base::derived::watch(base);
    spawn_local(session::boot(base, i18n));
    view! {
        <Router>
            <UpdateBanner/>
            <Shell/>
            <ToastHost/>
        </Router>
    }
}

/// What the screen shows at each phase of start-up.
#[component]
fn Shell() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.phase.get() {
        Phase::Starting => {
            view! { <Splash text=Signal::derive(move || cat().loading.to_owned())/> }.into_any()
        }
        Phase::LoggedOut => view! { <LoginPage/> }.into_any(),
        Phase::Downloading => {
            let text = Signal::derive(move || cat().downloading_base.to_owned());
            view! { <Splash text=text/> }.into_any()
        }
        Phase::Opening { done, total } => {
            let text = Signal::derive(move || (cat().loading_clients)(done as u64, total as u64));
            view! { <Splash text=text progress=(done, total)/> }.into_any()
        }
        Phase::Failed(detail) => view! { <Failed detail=detail/> }.into_any(),
        Phase::Ready => view! { <Workspace/> }.into_any(),
    }
}

/// The working app. A language switch renders it anew, so every date,
/// number and label follows the new locale at once.
#[component]
fn Workspace() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    move || {
        i18n.lang.track();
        view! {
            <AppHeader/>
            <Routes fallback=|| view! { <ClientsPage/> }>
                <Route path=path!("/") view=ClientsPage/>
                <Route path=path!("/clients/new") view=NewClientPage/>
                <Route path=path!("/clients/:id") view=CardPage/>
                <Route path=path!("/clients/:id/edit") view=EditClientPage/>
                <Route path=path!("/exchange") view=pages::exchange::ExchangePage/>
                <Route path=path!("/sales") view=SalesPage/>
                <Route path=path!("/sales/new") view=RegisterPage/>
                <Route path=path!("/import") view=ImportPage/>
                <Route path=path!("/import/clients") view=ClientImportPage/>
                <Route path=path!("/reports/status-dynamics") view=DynamicsPage/>
                <Route path=path!("/reports/zones") view=pages::zones::ZonesPage/>
                <Route path=path!("/settings/statuses") view=SettingsPage/>
                <Route path=path!("/reports/funnel") view=FunnelPage/>
                <Route path=path!("/settings/sales") view=SalesSettingsPage/>
                <Route path=path!("/users") view=pages::users::UsersPage/>
            </Routes>
        }
    }
}

#[component]
fn Splash(
    text: Signal<String>,
    #[prop(optional)] progress: Option<(usize, usize)>,
) -> impl IntoView {
    view! {
        <main class="splash" id="main" aria-busy="true">
            <img class="splash__logo" src="/icons/icon.svg" alt="" width="64" height="64"/>
            <p class="splash__text" role="status">{text}</p>
            {progress.map(|(done, total)| view! {
                <progress class="splash__progress" max=total.max(1) value=done></progress>
            })}
        </main>
    }
}

#[component]
fn Failed(detail: String) -> impl IntoView {
    let retry = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <main class="splash" id="main">
            <h1 class="splash__text">{t!(start_failed)}</h1>
            <p class="muted">{detail}</p>
            <button type="button" class="button button--primary" on:click=retry>{t!(retry)}</button>
        </main>
    }
}
