//! The Users page (SPEC 1), for administrators: the list of users with
//! role, state and last login; add a user; change a role; set a new
//! password; deactivate and reactivate. Every step is a call to the relay,
//! which checks the caller's role again ([`crate::io::api`]). Below it,
//! the form where anyone changes their own password.

use kartoteka::date::Timestamp;
use kartoteka::users::{MIN_PASSWORD_CHARS, NewUserRequest, UserView};
use kartoteka::workspace::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Catalogue, cat};
use crate::io::api::{self, ApiError};
use crate::state::app_state;
use crate::t;

/// A role's name in the current language.
pub fn role_name(c: &Catalogue, role: Role) -> &'static str {
    match role {
        Role::Manager => c.role_manager,
        Role::Assistant => c.role_assistant,
        Role::Supervisor => c.role_supervisor,
        Role::Administrator => c.role_administrator,
    }
}

/// What went wrong with a call, in words.
fn error_text(c: &Catalogue, e: &ApiError) -> String {
    match e {
        ApiError::Offline => c.users_offline.to_owned(),
        ApiError::Unauthorized => c.session_ended_expired.to_owned(),
        ApiError::Server { code, .. } => match code.as_str() {
            "login_taken" => c.users_login_taken.to_owned(),
            "login_empty" | "login_too_long" | "login_characters" => c.users_login_rule.to_owned(),
            "name_empty" | "name_too_long" => c.users_name_rule.to_owned(),
            "password_too_short" | "password_too_long" | "password_blank" => {
                (c.users_password_rule)(MIN_PASSWORD_CHARS)
            }
            "wrong_password" => c.users_wrong_password.to_owned(),
            "last_administrator" => c.users_last_admin.to_owned(),
            "forbidden" => c.settings_forbidden.to_owned(),
            _ => c.users_failed.to_owned(),
        },
        _ => c.users_failed.to_owned(),
    }
}

/// The session's token; call it where the app's context is at hand (a
/// component or an event handler), never in a spawned task.
fn token() -> Option<String> {
    app_state()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
}

/// The Users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let state = app_state();
    let is_admin = state.user().is_some_and(|u| u.role == Role::Administrator);
    if !is_admin {
        return view! {
            <main class="settings-page" id="main">
                <h1>{t!(users_title)}</h1>
                <p class="muted">{t!(settings_forbidden)}</p>
                <OwnPasswordForm/>
            </main>
        }
        .into_any();
    }
    let users = RwSignal::new(None::<Vec<UserView>>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let reload = move || {
        // Read here, in the page's reactive owner, not in the task.
        let Some(token) = state
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        else {
            return;
        };
        spawn_local(async move {
            match api::users(&token).await {
                Ok(list) => users.set(Some(list)),
                Err(e) => error.set(Some(error_text(cat(), &e))),
            }
        })
    };
    reload();
    view! {
        <main class="settings-page users-page" id="main">
            <h1>{t!(users_title)}</h1>
            <p class="muted">{t!(users_lead)}</p>
            <p class="form-error" role="alert" data-testid="users-error">{move || error.get()}</p>
            <div role="status">
                {move || notice.get().map(|text| view! { <p class="banner banner--info users-page__notice">{text}</p> })}
            </div>
            <AddUserForm on_added=move |added: UserView| {
                notice.set(Some((cat().users_added)(&added.login)));
                reload();
            }/>
            <section class="settings-section" aria-labelledby="users-list-title">
                <h2 id="users-list-title">{t!(users_list_title)}</h2>
                {move || match users.get() {
                    None => view! { <p class="muted">{t!(loading)}</p> }.into_any(),
                    Some(list) => view! {
                        <div class="table-scroll"><table class="report-table users-table" data-testid="users-table">
                            <thead><tr>
                                <th scope="col">{t!(users_col_name)}</th>
                                <th scope="col">{t!(users_col_login)}</th>
                                <th scope="col">{t!(users_col_role)}</th>
                                <th scope="col">{t!(users_col_state)}</th>
                                <th scope="col">{t!(users_col_last_login)}</th>
                                <th scope="col">{t!(users_col_actions)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| view! {
                                    <UserRow user=u error=error notice=notice on_changed=move || reload()/>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                }}
            </section>
            <OwnPasswordForm/>
        </main>
    }
    .into_any()
}

/// The form that adds a user.
#[component]
fn AddUserForm(on_added: impl Fn(UserView) + Copy + 'static) -> impl IntoView {
    let login = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Manager);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = NewUserRequest {
            login: login.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        // The relay checks the same rules; checked here too, to say so at once.
        let local = kartoteka::users::check_login(&request.login)
            .err()
            .map(|_| cat().users_login_rule.to_owned())
            .or_else(|| {
                kartoteka::users::check_name(&request.name)
                    .err()
                    .map(|_| cat().users_name_rule.to_owned())
            })
            .or_else(|| {
                kartoteka::users::check_password(&request.password)
                    .err()
                    .map(|_| (cat().users_password_rule)(MIN_PASSWORD_CHARS))
            });
        if local.is_some() {
            error.set(local);
            return;
        }
        let Some(token) = token() else { return };
        busy.set(true);
        spawn_local(async move {
            let result = api::add_user(&token, &request).await;
            busy.set(false);
            match result {
                Ok(added) => {
                    error.set(None);
                    login.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    on_added(added);
                }
                Err(e) => error.set(Some(error_text(cat(), &e))),
            }
        });
    };
    view! {
        <section class="settings-section" aria-labelledby="add-user-title">
            <h2 id="add-user-title">{t!(users_add_title)}</h2>
            <form class="settings-form users-add" on:submit=submit novalidate data-testid="add-user">
                <div class="field">
                    <label class="field__label" for="new-user-login">{t!(users_col_login)}</label>
                    <input class="field__input" id="new-user-login" autocomplete="off"
                        prop:value=move || login.get() on:input=move |ev| login.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-name">{t!(users_col_name)}</label>
                    <input class="field__input" id="new-user-name" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-role">{t!(users_col_role)}</label>
                    <RoleSelect id="new-user-role" value=role/>
                </div>
                <div class="field">
                    <label class="field__label" for="new-user-password">{t!(users_initial_password)}</label>
                    <input class="field__input" id="new-user-password" type="password" autocomplete="new-password"
                        aria-describedby="new-user-password-rule"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                    <p class="field__hint" id="new-user-password-rule">{move || (cat().users_password_rule)(MIN_PASSWORD_CHARS)}</p>
                </div>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <div class="form-actions">
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(users_add)}</button>
                </div>
            </form>
        </section>
    }
}

/// A `<select>` of the roles.
#[component]
fn RoleSelect(#[prop(into)] id: String, value: RwSignal<Role>) -> impl IntoView {
    view! {
        <select class="field__input" id=id
            prop:value=move || value.get().id()
            on:change=move |ev| {
                if let Some(r) = Role::from_id(&event_target_value(&ev)) {
                    value.set(r);
                }
            }>
            {Role::ALL.into_iter().map(|r| view! {
                <option value={r.id()} selected=move || value.get() == r>{move || role_name(cat(), r)}</option>
            }).collect_view()}
        </select>
    }
}

/// One user in the list, with their actions.
#[component]
fn UserRow(
    user: UserView,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    on_changed: impl Fn() + Copy + Send + 'static,
) -> impl IntoView {
    let id = user.id.to_string();
    let role = RwSignal::new(user.role);
    let new_password = RwSignal::new(String::new());
    let last_login = user
        .last_login
        .map(|ms| crate::format::date_time(Timestamp(ms)))
        .unwrap_or_else(|| cat().users_never.to_owned());
    let state_text = if user.active {
        cat().users_active
    } else {
        cat().users_inactive
    };
    let run = move |step: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<String, ApiError>>>,
    >| {
        spawn_local(async move {
            match step.await {
                Ok(text) => {
                    error.set(None);
                    notice.set(Some(text));
                    on_changed();
                }
                Err(e) => error.set(Some(error_text(cat(), &e))),
            }
        })
    };
    let change_role = {
        let id = id.clone();
        let login = user.login.clone();
        move |_| {
            let (id, login) = (id.clone(), login.clone());
            let Some(token) = token() else { return };
            let r = role.get_untracked();
            run(Box::pin(async move {
                api::set_role(&token, &id, r).await?;
                Ok::<String, ApiError>((cat().users_role_changed)(&login, role_name(cat(), r)))
            }));
        }
    };
    let reset = {
        let id = id.clone();
        let login = user.login.clone();
        move |_| {
            let (id, login) = (id.clone(), login.clone());
            let password = new_password.get_untracked();
            if kartoteka::users::check_password(&password).is_err() {
                error.set(Some((cat().users_password_rule)(MIN_PASSWORD_CHARS)));
                return;
            }
            let Some(token) = token() else { return };
            run(Box::pin(async move {
                api::reset_password(&token, &id, &password).await?;
                Ok::<String, ApiError>((cat().users_password_set)(&login))
            }));
        }
    };
    let toggle = {
        let id = id.clone();
        let login = user.login.clone();
        let active = user.active;
        move |_| {
            let (id, login) = (id.clone(), login.clone());
            let Some(token) = token() else { return };
            run(Box::pin(async move {
                api::set_active(&token, &id, !active).await?;
                Ok::<String, ApiError>(if active {
                    (cat().users_deactivated)(&login)
                } else {
                    (cat().users_reactivated)(&login)
                })
            }));
        }
    };
    let role_id = format!("role-{}", user.login);
    let password_id = format!("password-{}", user.login);
    view! {
        <tr data-testid="user-row" data-login={user.login.clone()} class:users-table__inactive=!user.active>
            <td>{user.name.clone()}</td>
            <td>{user.login.clone()}</td>
            <td><div class="users-table__role">
                <label class="visually-hidden" for={role_id.clone()}>{t!(users_col_role)}</label>
                <RoleSelect id=role_id value=role/>
                <button type="button" class="button button--small" on:click=change_role>{t!(users_change_role)}</button>
            </div></td>
            <td>{state_text}</td>
            <td>{last_login}</td>
            <td><div class="users-table__actions">
                <label class="visually-hidden" for={password_id.clone()}>{t!(users_new_password)}</label>
                <input class="field__input users-table__password" id=password_id type="password" autocomplete="new-password"
                    placeholder=move || cat().users_new_password
                    prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev))/>
                <button type="button" class="button button--small" on:click=reset>{t!(users_reset_password)}</button>
                <button type="button" class="button button--small button--danger" data-testid="toggle-active" on:click=toggle>
                    {if user.active { cat().users_deactivate } else { cat().users_reactivate }}
                </button>
            </div></td>
        </tr>
    }
}

/// Anyone changes their own password here, proving the current one.
#[component]
pub fn OwnPasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, n, a) = (
            current.get_untracked(),
            new.get_untracked(),
            again.get_untracked(),
        );
        if n != a {
            message.set(Some((false, cat().users_passwords_differ.to_owned())));
            return;
        }
        if kartoteka::users::check_password(&n).is_err() {
            message.set(Some((
                false,
                (cat().users_password_rule)(MIN_PASSWORD_CHARS),
            )));
            return;
        }
        let Some(token) = token() else { return };
        spawn_local(async move {
            match api::change_own_password(&token, &c, &n).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                    message.set(Some((true, cat().users_own_password_changed.to_owned())));
                }
                Err(e) => message.set(Some((false, error_text(cat(), &e)))),
            }
        });
    };
    let field = move |id: &'static str,
                      label: fn() -> &'static str,
                      value: RwSignal<String>,
                      auto: &'static str| {
        view! {
            <div class="field">
                <label class="field__label" for=id>{label}</label>
                <input class="field__input" id=id type="password" autocomplete=auto
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <section class="settings-section" aria-labelledby="own-password-title">
            <h2 id="own-password-title">{t!(users_own_password_title)}</h2>
            <form class="settings-form" on:submit=submit novalidate>
                {field("own-current", || cat().users_current_password, current, "current-password")}
                {field("own-new", || cat().users_new_password, new, "new-password")}
                {field("own-again", || cat().users_new_password_again, again, "new-password")}
                <p class="field__hint">{move || (cat().users_password_rule)(MIN_PASSWORD_CHARS)}</p>
                <p role="status" class=move || match message.get() {
                    Some((false, _)) => "form-error",
                    _ => "muted",
                }>{move || message.get().map(|(_, m)| m)}</p>
                <div class="form-actions">
                    <button type="submit" class="button button--primary">{t!(users_change_own_password)}</button>
                </div>
            </form>
        </section>
    }
}
