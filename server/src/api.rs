//! The HTTP API handlers: log in and out, who am I, the bundle of
//! documents a device downloads on first start, the duplicate warning
//! over the whole base, spreadsheets read and written for the client
//! import and export, the backup, and the administration of users
//! (administrators only; the rules are in [`crate::users`]).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, header};
use axum::response::IntoResponse;

use kartoteka::api::{
    BundleKind, DuplicatesQuery, DuplicatesResponse, LoginRequest, LoginResponse, SessionUser,
    XlsxExportRequest, XlsxSheet, bundle_header, finish_bundle, push_entry,
};
use kartoteka::date::Timestamp;
use kartoteka::ids::UserId;
use kartoteka::summary::ClientSummary;
use kartoteka::users::{
    ActiveRequest, NewUserRequest, OwnPasswordRequest, ResetPasswordRequest, RoleRequest, UserView,
};
use kartoteka::workspace::Role;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, AuthUser, SESSION_DAYS};
use crate::error::ApiError;
use crate::store::{SessionRecord, StoreError, UserRecord};
use crate::sync::Relay;
use crate::users;

fn session_user(u: &UserRecord) -> SessionUser {
    SessionUser {
        id: u.id.clone(),
        login: u.login.clone(),
        name: u.name.clone(),
        role: u.role,
    }
}

/// `POST /api/login`: checks the password and opens a session. Too many
/// failures for the login or from the address are answered with 429
/// before the password is even looked at ([`crate::limits`]).
pub async fn login(
    State(state): State<AppState>,
    extensions: Extensions,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let address = crate::limits::client_address(&extensions);
    let started = state.clock.now_ms();
    state
        .limits
        .check(&req.login, address, started)
        .map_err(|retry_after| ApiError::TooManyAttempts { retry_after })?;
    let store = state.store.clone();
    let user = store.user_by_login(&req.login)?;
    // Verify on a blocking thread: Argon2 is deliberately slow. A missing
    // user is checked against a dummy hash so that timing does not reveal
    // which logins exist.
    let password = req.password;
    let ok = tokio::task::spawn_blocking({
        let hash = user
            .as_ref()
            .filter(|u| u.active)
            .map(|u| u.password_hash.clone());
        move || match hash {
            Some(h) => auth::verify_password(&password, &h),
            None => {
                auth::verify_password(&password, DUMMY_HASH);
                false
            }
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut user = match (ok, user) {
        (true, Some(user)) => user,
        _ => {
            state
                .limits
                .failed(&req.login, address, state.clock.now_ms());
            return Err(ApiError::BadCredentials);
        }
    };
    state.limits.succeeded(&req.login);
    let (token, hash) = auth::new_token()?;
    let now = state.clock.now_ms();
    user.last_login = Some(now);
    store.put_user(&user)?;
    store.put_session(
        &hash,
        &SessionRecord {
            user: user.id.clone(),
            expires: now + SESSION_DAYS * 86_400_000,
        },
    )?;
    tracing::info!(login = %user.login, "logged in");
    Ok(Json(LoginResponse {
        token,
        user: session_user(&user),
        server_time: now,
    }))
}

/// An Argon2id hash of a random string, verified against when the login
/// does not exist so that both paths take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2k0uWmX0J6Zm7kJq7r4nq9mD2t4ZqkTtq0Yc2VrUQ8s";

/// `POST /api/logout`: ends the caller's session.
pub async fn logout(State(state): State<AppState>, who: AuthUser) -> Result<(), ApiError> {
    state.store.remove_session(&auth::token_hash(&who.token))?;
    Ok(())
}

/// `GET /api/session`: who the token belongs to, and the relay's time.
pub async fn session(State(state): State<AppState>, who: AuthUser) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "user": session_user(&who.user),
        "server_time": state.clock.now_ms(),
    }))
}

/// `GET /api/bootstrap`: the workspace document and every client document
/// the caller may read, with their summaries, as one binary bundle.
pub async fn bootstrap(
    State(state): State<AppState>,
    who: AuthUser,
) -> Result<impl IntoResponse, ApiError> {
    let store = state.store.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let mut out = bundle_header();
        let workspace_id = store.workspace_id()?.ok_or(ApiError::NotFound)?;
        let workspace = store.doc(&workspace_id)?.ok_or(ApiError::NotFound)?;
        push_entry(
            &mut out,
            BundleKind::Workspace,
            &workspace_id,
            &[],
            &workspace,
        );
        let sees_all = who.user.role.sees_everything();
        store.for_each_client_doc(&mut |id, doc, summary_json| {
            let visible = sees_all || {
                let summary: ClientSummary = serde_json::from_slice(summary_json)
                    .map_err(|e| StoreError::Damaged(e.to_string()))?;
                summary.responsible.as_ref() == Some(&who.user.id)
            };
            if visible {
                push_entry(&mut out, BundleKind::Client, id, summary_json, doc);
            }
            Ok(())
        })?;
        finish_bundle(&mut out);
        Ok(out)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        Bytes::from(bytes),
    ))
}

/// Refuses callers who are not administrators.
fn administrator(who: &AuthUser) -> Result<(), ApiError> {
    if who.user.role == Role::Administrator {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Runs a user administration step off the async threads (Argon2 and the
/// store block).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, users::UserError> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??)
}

/// `GET /api/users`: every user with role, state and last login.
pub async fn list_users(
    State(state): State<AppState>,
    who: AuthUser,
) -> Result<Json<Vec<UserView>>, ApiError> {
    administrator(&who)?;
    let relay = Relay::new(&state);
    Ok(Json(blocking(move || users::list(&relay)).await?))
}

/// `POST /api/users`: adds a user.
pub async fn add_user(
    State(state): State<AppState>,
    who: AuthUser,
    Json(req): Json<NewUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    administrator(&who)?;
    let relay = Relay::new(&state);
    let added = blocking(move || {
        users::add(
            &relay,
            Some(&who.user.id),
            &req.login,
            &req.name,
            req.role,
            &req.password,
        )
    })
    .await?;
    tracing::info!(login = %added.login, role = added.role.id(), "user added");
    Ok(Json(users::view(&added)))
}

/// `POST /api/users/{id}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    who: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<RoleRequest>,
) -> Result<Json<UserView>, ApiError> {
    administrator(&who)?;
    let relay = Relay::new(&state);
    let user =
        blocking(move || users::set_role(&relay, &who.user.id, &UserId(id), req.role)).await?;
    Ok(Json(users::view(&user)))
}

/// `POST /api/users/{id}/password`: an administrator's reset; the user's
/// sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    who: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<ResetPasswordRequest>,
) -> Result<(), ApiError> {
    administrator(&who)?;
    let relay = Relay::new(&state);
    blocking(move || users::set_password(&relay, &UserId(id), &req.password)).await
}

/// `POST /api/users/{id}/active`: deactivate (sessions end at once, open
/// sockets close) or reactivate.
pub async fn set_active(
    State(state): State<AppState>,
    who: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<ActiveRequest>,
) -> Result<Json<UserView>, ApiError> {
    administrator(&who)?;
    let relay = Relay::new(&state);
    let user =
        blocking(move || users::set_active(&relay, &who.user.id, &UserId(id), req.active)).await?;
    tracing::info!(login = %user.login, active = user.active, "user state changed");
    Ok(Json(users::view(&user)))
}

/// `POST /api/password`: the caller changes their own password.
pub async fn change_own_password(
    State(state): State<AppState>,
    who: AuthUser,
    Json(req): Json<OwnPasswordRequest>,
) -> Result<(), ApiError> {
    let relay = Relay::new(&state);
    blocking(move || users::change_own_password(&relay, &who.user.id, &req.current, &req.new)).await
}

/// Any other `/api/…` path.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// `GET /api/duplicates?inn=…&phone=…&email=…` (any logged-in user): the
/// clients of the whole base with this INN, phone or e-mail. Of a client
/// the caller may not read, only that it exists and who is responsible
/// for it — never its id or card.
pub async fn duplicates(
    State(state): State<AppState>,
    who: AuthUser,
    Query(query): Query<DuplicatesQuery>,
) -> Result<Json<DuplicatesResponse>, ApiError> {
    let now = Timestamp(state.clock.now_ms());
    let hits = tokio::task::spawn_blocking(move || {
        crate::clients::duplicates(&state.store, &who.user, &query, now)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(DuplicatesResponse { hits }))
}

/// The sheet to read, by name; the first one when absent.
#[derive(Debug, Deserialize)]
pub struct SheetQuery {
    pub sheet: Option<String>,
}

/// `POST /api/xlsx/read?sheet=NAME` (administrators and supervisors, who
/// import): the body is a workbook; the answer its sheets and the chosen
/// sheet's cells as text ([`XlsxSheet`]).
pub async fn xlsx_read(
    who: AuthUser,
    Query(query): Query<SheetQuery>,
    body: Bytes,
) -> Result<Json<XlsxSheet>, ApiError> {
    if !who.user.role.sees_everything() {
        return Err(ApiError::Forbidden);
    }
    let sheet =
        tokio::task::spawn_blocking(move || crate::xlsx::read_sheet(&body, query.sheet.as_deref()))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(Json(sheet))
}

/// The media type of an .xlsx file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `POST /api/export/xlsx` (any logged-in user): rows the app exports (it
/// sends only what its user sees) written as an .xlsx file.
pub async fn xlsx_export(
    _who: AuthUser,
    Json(request): Json<XlsxExportRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = tokio::task::spawn_blocking(move || crate::xlsx::write(&request))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_TYPE),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"clients.xlsx\"",
            ),
        ],
        Bytes::from(bytes),
    ))
}

/// The header `kartoteka backup` sends the key of a running relay in
/// (the key is in the data folder; see `main.rs`).
pub const BACKUP_KEY_HEADER: &str = "x-kartoteka-backup-key";

/// `GET /api/backup`: a consistent copy of the whole store, as a redb
/// file ([`crate::store::Storage::backup_to`]). For an administrator's token, or
/// for the backup key the relay wrote into its data folder when it
/// started (whoever can read that folder has the data anyway).
pub async fn backup(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let store = state.store.clone();
    match headers.get(BACKUP_KEY_HEADER).and_then(|v| v.to_str().ok()) {
        Some(key) => {
            if !store.is_backup_key(&auth::token_hash(key.trim()))? {
                return Err(ApiError::Unauthorized);
            }
        }
        None => {
            let token = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(ApiError::Unauthorized)?;
            let user = auth::user_of_token(&store, token.trim(), state.clock.now_ms())?;
            if user.role != kartoteka::workspace::Role::Administrator {
                return Err(ApiError::Forbidden);
            }
        }
    }
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let path =
            std::env::temp_dir().join(format!("kartoteka-backup-{}.redb", uuid::Uuid::new_v4()));
        let result = store
            .backup_to(&path)
            .map_err(ApiError::from)
            .and_then(|_| std::fs::read(&path).map_err(|e| ApiError::Internal(e.to_string())));
        let _ = std::fs::remove_file(&path);
        result
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    tracing::info!(bytes = bytes.len(), "backup made");
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        Bytes::from(bytes),
    ))
}
