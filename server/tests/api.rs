//! The relay's HTTP API, called in memory through `app()`: what a device
//! sees when it logs in, checks its session and downloads its base.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kartoteka::api::{BundleKind, LoginResponse, decode_bundle};
use kartoteka::date::{Date, Timestamp};
use kartoteka::document::{ClientDocument, WorkspaceDocument};
use kartoteka::summary::ClientSummary;
use kartoteka_server::{AppState, Clock, app, seed};
use serde_json::{Value, json};
use tower::ServiceExt;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn state(clients: usize) -> Result<AppState> {
    // On PostgreSQL when KARTOTEKA_TEST_DATABASE names a server.
    let store = kartoteka_server::store::testing::fresh()?;
    let today = Date::from_ymd(2026, 11, 22).ok_or("date")?;
    seed::seed_demo(&store, clients, today, 7, Timestamp(1_795_300_000_000))?;
    Ok(AppState::new(store, Clock::default(), None))
}

async fn call(state: &AppState, req: Request<Body>) -> Result<(StatusCode, Vec<u8>)> {
    let res = app(state.clone()).oneshot(req).await?;
    let status = res.status();
    let body = res.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, body))
}

async fn login(state: &AppState, login: &str, password: &str) -> Result<(StatusCode, Value)> {
    let req = Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "login": login, "password": password }).to_string(),
        ))?;
    let (status, body) = call(state, req).await?;
    Ok((status, serde_json::from_slice(&body)?))
}

async fn token(state: &AppState, who: &str) -> Result<String> {
    let (status, body) = login(state, who, "kartoteka").await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: LoginResponse = serde_json::from_value(body)?;
    Ok(answer.token)
}

fn get(path: &str, token: &str) -> Result<Request<Body>> {
    Ok(Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())?)
}

#[tokio::test]
async fn a_manager_logs_in_with_the_right_password_only() -> Result {
    let state = state(5)?;
    let (status, body) = login(&state, "petrov", "kartoteka").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["role"], "manager");
    assert_eq!(body["user"]["name"], "Павел Петров");
    // Logins are not case-sensitive; passwords are.
    assert_eq!(
        login(&state, "PETROV", "kartoteka").await?.0,
        StatusCode::OK
    );
    for (who, password) in [
        ("petrov", "Kartoteka"),
        ("petrov", ""),
        ("nobody", "kartoteka"),
    ] {
        let (status, body) = login(&state, who, password).await?;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{who}/{password}");
        assert_eq!(body["error"], "bad_credentials");
    }
    Ok(())
}

#[tokio::test]
async fn a_session_works_until_it_expires_or_the_user_logs_out() -> Result {
    let state = state(1)?;
    let t = token(&state, "smirnova").await?;
    let (status, body) = call(&state, get("/api/session", &t)?).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&body)?["user"]["login"],
        "smirnova"
    );

    let forged = "f".repeat(64);
    assert_eq!(
        call(&state, get("/api/session", &forged)?).await?.0,
        StatusCode::UNAUTHORIZED
    );
    let bare = Request::get("/api/session").body(Body::empty())?;
    assert_eq!(call(&state, bare).await?.0, StatusCode::UNAUTHORIZED);

    let logout = Request::post("/api/logout")
        .header("authorization", format!("Bearer {t}"))
        .body(Body::empty())?;
    assert_eq!(call(&state, logout).await?.0, StatusCode::OK);
    assert_eq!(
        call(&state, get("/api/session", &t)?).await?.0,
        StatusCode::UNAUTHORIZED
    );

    let t = token(&state, "smirnova").await?;
    state.clock.advance_ms(61 * 86_400_000);
    assert_eq!(
        call(&state, get("/api/session", &t)?).await?.0,
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn a_manager_downloads_only_their_clients_and_a_supervisor_all() -> Result {
    let state = state(30)?;
    let total = state.store.client_count()? as usize;
    assert_eq!(total, 30);
    let mut seen = 0;
    for who in ["petrov", "smirnova"] {
        let t = token(&state, who).await?;
        let me = state.store.user_by_login(who)?.ok_or("user")?.id;
        let (status, body) = call(&state, get("/api/bootstrap", &t)?).await?;
        assert_eq!(status, StatusCode::OK);
        let entries = decode_bundle(&body)?;
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.kind == BundleKind::Workspace)
                .count(),
            1
        );
        for e in entries.iter().filter(|e| e.kind == BundleKind::Client) {
            let summary: ClientSummary = serde_json::from_slice(&e.summary)?;
            assert_eq!(
                summary.responsible.as_ref(),
                Some(&me),
                "{who} got someone else's client"
            );
            // The summary is the document's own.
            let doc = ClientDocument::load(&e.doc)?.read()?;
            assert_eq!(ClientSummary::of(&doc), summary);
            seen += 1;
        }
    }
    assert_eq!(
        seen, total,
        "every client belongs to one of the two managers"
    );

    let t = token(&state, "orlova").await?;
    let (_, body) = call(&state, get("/api/bootstrap", &t)?).await?;
    let entries = decode_bundle(&body)?;
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.kind == BundleKind::Client)
            .count(),
        total
    );
    let ws = entries
        .iter()
        .find(|e| e.kind == BundleKind::Workspace)
        .ok_or("workspace")?;
    let workspace = WorkspaceDocument::load(&ws.doc)?.read()?;
    assert_eq!(workspace.users.len(), 5);
    Ok(())
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() -> Result {
    let state = state(0)?;
    let (status, body) = call(&state, Request::get("/api/nope").body(Body::empty())?).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_slice::<Value>(&body)?["error"],
        "not_found"
    );
    Ok(())
}
