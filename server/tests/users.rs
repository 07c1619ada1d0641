//! Users and roles on the relay, called in memory through `app()`: an
//! administrator adds, changes, resets and deactivates users; nobody else
//! may; a deactivated user's tokens are refused and open sockets close at
//! once; login attempts beyond the limit wait.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use futures::StreamExt;
use futures::channel::mpsc;
use http_body_util::BodyExt;
use kartoteka::api::LoginResponse;
use kartoteka::date::{Date, Timestamp};
use kartoteka::document::WorkspaceDocument;
use kartoteka::users::UserView;
use kartoteka::workspace::Role;
use kartoteka_server::sync::{Frame, Relay, StreamError, close};
use kartoteka_server::{AppState, Clock, app, seed};
use serde_json::{Value, json};
use tower::ServiceExt;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn state() -> Result<AppState> {
    let store = kartoteka_server::store::testing::fresh()?;
    let today = Date::from_ymd(2026, 11, 22).ok_or("date")?;
    seed::seed_demo(&store, 5, today, 7, Timestamp(1_795_300_000_000))?;
    Ok(AppState::new(store, Clock::default(), None))
}

/// Calls the relay as if from `ip`.
async fn call_from(
    state: &AppState,
    ip: [u8; 4],
    req: Request<Body>,
) -> Result<(StatusCode, Value, Option<String>)> {
    let addr = std::net::SocketAddr::from((ip, 40_000));
    let res = app(state.clone())
        .layer(MockConnectInfo(addr))
        .oneshot(req)
        .await?;
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = res.into_body().collect().await?.to_bytes().to_vec();
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)?
    };
    Ok((status, value, retry))
}

async fn call(state: &AppState, req: Request<Body>) -> Result<(StatusCode, Value)> {
    let (status, body, _) = call_from(state, [10, 0, 0, 1], req).await?;
    Ok((status, body))
}

fn login_request(login: &str, password: &str) -> Result<Request<Body>> {
    Ok(Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "login": login, "password": password }).to_string(),
        ))?)
}

async fn token_of(state: &AppState, login: &str, password: &str) -> Result<String> {
    let (status, body) = call(state, login_request(login, password)?).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(serde_json::from_value::<LoginResponse>(body)?.token)
}

fn get(path: &str, token: &str) -> Result<Request<Body>> {
    Ok(Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())?)
}

fn post(path: &str, token: &str, body: Value) -> Result<Request<Body>> {
    Ok(Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))?)
}

/// The demo's administrator.
async fn admin(state: &AppState) -> Result<String> {
    token_of(state, "admin", "kartoteka").await
}

async fn add_manager(state: &AppState, admin: &str, login: &str) -> Result<UserView> {
    let (status, body) = call(
        state,
        post(
            "/api/users",
            admin,
            json!({ "login": login, "name": "Олег  Новиков", "role": "manager",
                    "password": "начало-2026" }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(serde_json::from_value(body)?)
}

fn directory_entry(state: &AppState, user: &UserView) -> Result<Option<(Role, bool, String)>> {
    let id = state.store.workspace_id()?.ok_or("no workspace")?;
    let doc = WorkspaceDocument::load(&state.store.doc(&id)?.ok_or("no document")?)?;
    Ok(doc
        .read()?
        .user(&user.id)
        .map(|u| (u.role, u.active, u.name.clone())))
}

#[tokio::test]
async fn an_administrator_adds_a_manager_who_then_logs_in_and_appears_in_the_directory() -> Result {
    let state = state()?;
    let admin = admin(&state).await?;
    let added = add_manager(&state, &admin, "novikov").await?;
    assert_eq!(added.name, "Олег Новиков");
    assert_eq!(added.role, Role::Manager);
    assert!(added.active);
    assert_eq!(added.last_login, None);
    assert_eq!(
        directory_entry(&state, &added)?,
        Some((Role::Manager, true, "Олег Новиков".into()))
    );
    token_of(&state, "novikov", "начало-2026").await?;
    let (status, body) = call(&state, get("/api/users", &admin)?).await?;
    assert_eq!(status, StatusCode::OK);
    let users: Vec<UserView> = serde_json::from_value(body)?;
    let listed = users
        .iter()
        .find(|u| u.login == "novikov")
        .ok_or("not listed")?;
    assert!(listed.last_login.is_some(), "the login is remembered");
    Ok(())
}

#[tokio::test]
async fn a_duplicate_login_a_short_password_and_a_bad_login_are_refused_with_their_codes() -> Result
{
    let state = state()?;
    let admin = admin(&state).await?;
    for (login, password, code, status) in [
        (
            "PETROV",
            "длинный-пароль",
            "login_taken",
            StatusCode::CONFLICT,
        ),
        (
            "sidorov",
            "short",
            "password_too_short",
            StatusCode::BAD_REQUEST,
        ),
        (
            "a b",
            "длинный-пароль",
            "login_characters",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (got, body) = call(
            &state,
            post(
                "/api/users",
                &admin,
                json!({ "login": login, "name": "Кто-то", "role": "manager", "password": password }),
            )?,
        )
        .await?;
        assert_eq!(got, status, "{login}: {body}");
        assert_eq!(body["error"], code, "{login}");
    }
    Ok(())
}

#[tokio::test]
async fn only_administrators_manage_users() -> Result {
    let state = state()?;
    for who in ["petrov", "orlova"] {
        let token = token_of(&state, who, "kartoteka").await?;
        let (status, _) = call(&state, get("/api/users", &token)?).await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} lists");
        let (status, _) = call(
            &state,
            post(
                "/api/users",
                &token,
                json!({ "login": "x1", "name": "X", "role": "administrator",
                        "password": "длинный-пароль" }),
            )?,
        )
        .await?;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} adds");
    }
    assert!(state.store.user_by_login("x1")?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_deactivated_users_token_is_refused_and_open_socket_closes_at_once() -> Result {
    let state = state()?;
    let admin = admin(&state).await?;
    let added = add_manager(&state, &admin, "novikov").await?;
    let token = token_of(&state, "novikov", "начало-2026").await?;
    // An open sync connection of that user, in memory.
    let user = state.store.user(&added.id)?.ok_or("no user")?;
    let (to_relay, from_device) = mpsc::unbounded::<std::result::Result<Frame, StreamError>>();
    let (to_device, mut from_relay) = mpsc::unbounded::<Frame>();
    let relay = Relay::new(&state);
    let serving = tokio::spawn({
        let token = token.clone();
        async move {
            relay
                .serve_session(user, Some(token), to_device, from_device)
                .await;
        }
    });
    let (status, body) = call(
        &state,
        post(
            &format!("/api/users/{}/active", added.id),
            &admin,
            json!({ "active": false }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let closed = tokio::time::timeout(std::time::Duration::from_secs(1), from_relay.next())
        .await?
        .ok_or("the socket ended without a close frame")?;
    assert_eq!(
        closed,
        Frame::Close {
            code: close::SESSION_ENDED,
            reason: "deactivated".into()
        }
    );
    tokio::time::timeout(std::time::Duration::from_secs(1), serving).await??;
    drop(to_relay);
    let (status, body) = call(&state, get("/api/session", &token)?).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(
        call(&state, login_request("novikov", "начало-2026")?)
            .await?
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        directory_entry(&state, &added)?,
        Some((Role::Manager, false, "Олег Новиков".into()))
    );
    // Reactivated, they log in again.
    let (status, _) = call(
        &state,
        post(
            &format!("/api/users/{}/active", added.id),
            &admin,
            json!({ "active": true }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    token_of(&state, "novikov", "начало-2026").await?;
    Ok(())
}

#[tokio::test]
async fn a_reset_password_ends_the_old_sessions_and_the_new_one_works() -> Result {
    let state = state()?;
    let admin = admin(&state).await?;
    let added = add_manager(&state, &admin, "novikov").await?;
    let old = token_of(&state, "novikov", "начало-2026").await?;
    let (status, body) = call(
        &state,
        post(
            &format!("/api/users/{}/password", added.id),
            &admin,
            json!({ "password": "новый-пароль-1" }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        call(&state, get("/api/session", &old)?).await?.0,
        StatusCode::UNAUTHORIZED
    );
    token_of(&state, "novikov", "новый-пароль-1").await?;
    Ok(())
}

#[tokio::test]
async fn a_user_changes_their_own_password_only_with_the_current_one() -> Result {
    let state = state()?;
    let token = token_of(&state, "petrov", "kartoteka").await?;
    let (status, body) = call(
        &state,
        post(
            "/api/password",
            &token,
            json!({ "current": "не тот", "new": "мой-новый-пароль" }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "wrong_password");
    let (status, body) = call(
        &state,
        post(
            "/api/password",
            &token,
            json!({ "current": "kartoteka", "new": "мой-новый-пароль" }),
        )?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The session that changed it goes on.
    assert_eq!(
        call(&state, get("/api/session", &token)?).await?.0,
        StatusCode::OK
    );
    token_of(&state, "petrov", "мой-новый-пароль").await?;
    Ok(())
}

#[tokio::test]
async fn the_last_active_administrator_can_be_neither_demoted_nor_deactivated() -> Result {
    let state = state()?;
    let admin = admin(&state).await?;
    let me = state.store.user_by_login("admin")?.ok_or("no admin")?;
    for (path, body) in [
        ("role", json!({ "role": "manager" })),
        ("active", json!({ "active": false })),
    ] {
        let (status, answer) = call(
            &state,
            post(&format!("/api/users/{}/{path}", me.id), &admin, body)?,
        )
        .await?;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {answer}");
        assert_eq!(answer["error"], "last_administrator");
    }
    Ok(())
}

#[tokio::test]
async fn login_failures_beyond_the_limit_wait_with_retry_after() -> Result {
    let state = state()?;
    for _ in 0..kartoteka_server::limits::PER_LOGIN {
        let (status, _, _) =
            call_from(&state, [10, 0, 0, 9], login_request("petrov", "guess")?).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, from any address.
    let (status, body, retry) =
        call_from(&state, [10, 0, 0, 7], login_request("petrov", "kartoteka")?).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "too_many_attempts");
    let retry: u64 = retry.ok_or("no Retry-After")?.parse()?;
    assert!((1..=60).contains(&retry), "{retry}");
    // Another login is not held up; a minute later petrov may try again.
    token_of(&state, "smirnova", "kartoteka").await?;
    state.clock.advance_ms(61_000);
    token_of(&state, "petrov", "kartoteka").await?;
    Ok(())
}

#[tokio::test]
async fn one_address_guessing_many_logins_waits() -> Result {
    let state = state()?;
    for i in 0..kartoteka_server::limits::PER_ADDRESS {
        let (status, _, _) = call_from(
            &state,
            [10, 0, 0, 66],
            login_request(&format!("guess{i}"), "x")?,
        )
        .await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, retry) = call_from(
        &state,
        [10, 0, 0, 66],
        login_request("petrov", "kartoteka")?,
    )
    .await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
    let (status, _, _) = call_from(
        &state,
        [10, 0, 0, 67],
        login_request("petrov", "kartoteka")?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}
