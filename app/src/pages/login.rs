//! The login page: the relay checks the password the first time; after
//! that the device opens as this user even with no network.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::field::TextField;
use crate::components::focus::focus_first_invalid;
use crate::components::header::LanguageSwitch;
use crate::i18n::cat;
use crate::session::{LoginError, log_in};
use crate::t;

/// The login form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let base = crate::base::base();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let login_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (l, p) = (login.get_untracked(), password.get_untracked());
        login_error.set(l.trim().is_empty().then(|| cat().login_required.to_owned()));
        password_error.set(p.is_empty().then(|| cat().password_required.to_owned()));
        form_error.set(None);
        if l.trim().is_empty() || p.is_empty() {
            focus_first_invalid();
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = log_in(base, l.trim(), &p).await;
            busy.set(false);
            if let Err(e) = result {
                let message = match e {
                    LoginError::BadCredentials => cat().bad_credentials.to_owned(),
                    LoginError::Offline => cat().login_offline.to_owned(),
                    LoginError::Server => cat().login_server_error.to_owned(),
                    LoginError::TooManyAttempts(seconds) => (cat().login_too_many)(seconds),
                };
                form_error.set(Some(message));
                password.set(String::new());
            }
        });
    };

    view! {
        <main class="login" id="main">
            <div class="login__lang"><LanguageSwitch/></div>
            <form class="login__card" on:submit=submit novalidate>
                <img class="login__logo" src="/icons/icon.svg" alt="" width="56" height="56"/>
                <h1 class="login__title">{t!(login_title)}</h1>
                <p class="login__lead">{t!(login_lead)}</p>
                <TextField
                    id="login"
                    label=Signal::derive(t!(login_field))
                    value=login
                    error=login_error
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="password"
                    label=Signal::derive(t!(password_field))
                    value=password
                    error=password_error
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                <p class="form-error" role="alert" data-testid="login-error">
                    {move || form_error.get()}
                </p>
                <SessionEndNotice/>
                <button type="submit" class="button button--primary button--wide" disabled=move || busy.get()>
                    {move || if busy.get() { cat().logging_in } else { cat().log_in }}
                </button>
            </form>
        </main>
    }
}

/// Why the relay ended the last session (deactivated, new password), in
/// words, until the next login.
#[component]
fn SessionEndNotice() -> impl IntoView {
    let state = crate::state::app_state();
    move || {
        state.session_end.get().map(|reason| {
            let text = match reason.as_str() {
                "deactivated" => cat().session_ended_deactivated,
                "password_reset" => cat().session_ended_password_reset,
                _ => cat().session_ended_expired,
            };
            view! { <p class="form-error" role="status" data-testid="session-ended">{text}</p> }
        })
    }
}
