//! The relay's HTTP API, typed: pages call these functions and never build
//! URLs or parse JSON themselves.

use gloo_net::http::{Request, RequestBuilder, Response};
use kartoteka::api::{ErrorBody, LoginRequest, LoginResponse, SessionUser};
use kartoteka::users::{
    ActiveRequest, NewUserRequest, OwnPasswordRequest, ResetPasswordRequest, RoleRequest, UserView,
};
use kartoteka::workspace::Role;

/// Why a call to the relay failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The relay could not be reached (no network, relay down).
    Offline,
    /// Wrong login or password.
    BadCredentials,
    /// The session token is missing, expired or revoked.
    Unauthorized,
    /// Too many failed logins: the relay takes the next attempt after
    /// this many seconds (its `Retry-After`).
    TooManyAttempts { retry_after: u64 },
    /// The relay answered with an error (its code and message).
    Server { code: String, message: String },
    /// The answer could not be read.
    BadResponse(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Offline => f.write_str("the relay is out of reach"),
            ApiError::BadCredentials => f.write_str("wrong login or password"),
            ApiError::Unauthorized => f.write_str("the session is not valid"),
            ApiError::TooManyAttempts { retry_after } => {
                write!(f, "too many failed logins: wait {retry_after} s")
            }
            ApiError::Server { code, message } => write!(f, "{code}: {message}"),
            ApiError::BadResponse(e) => write!(f, "unreadable answer: {e}"),
        }
    }
}

async fn check(res: Response) -> Result<Response, ApiError> {
    if res.ok() {
        return Ok(res);
    }
    if res.status() == 429 {
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(60);
        return Err(ApiError::TooManyAttempts { retry_after });
    }
    let body: Option<ErrorBody> = res.json().await.ok();
    match (res.status(), body) {
        (401, Some(b)) if b.error == "bad_credentials" => Err(ApiError::BadCredentials),
        (401, _) => Err(ApiError::Unauthorized),
        (_, Some(b)) => Err(ApiError::Server {
            code: b.error,
            message: b.message,
        }),
        (status, None) => Err(ApiError::Server {
            code: status.to_string(),
            message: res.status_text(),
        }),
    }
}

/// A request that carries the session's token.
fn with_token(req: RequestBuilder, token: &str) -> RequestBuilder {
    req.header("Authorization", &format!("Bearer {token}"))
}

/// An answer that could not be read (or a body that could not be written).
fn unreadable(e: gloo_net::Error) -> ApiError {
    ApiError::BadResponse(e.to_string())
}

/// Sends a request without a body; the relay out of reach is `Offline`,
/// an error answer is checked into its `ApiError`.
async fn send(req: RequestBuilder) -> Result<Response, ApiError> {
    check(req.send().await.map_err(|_| ApiError::Offline)?).await
}

/// Sends a request with its body written (a body that could not be written
/// is `BadResponse`), as [`send`] does.
async fn send_with_body(req: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    check(
        req.map_err(unreadable)?
            .send()
            .await
            .map_err(|_| ApiError::Offline)?,
    )
    .await
}

/// Reads an answer's JSON body.
async fn read_json<T: serde::de::DeserializeOwned>(res: Response) -> Result<T, ApiError> {
    res.json().await.map_err(unreadable)
}

/// Checks a login and password and opens a session.
pub async fn login(login: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let body = LoginRequest {
        login: login.to_owned(),
        password: password.to_owned(),
    };
    read_json(send_with_body(Request::post("/api/login").json(&body)).await?).await
}

/// Who the token belongs to, and the relay's clock (ms since the epoch).
pub async fn session(token: &str) -> Result<(SessionUser, i64), ApiError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        user: SessionUser,
        server_time: i64,
    }
    let answer: Answer =
        read_json(send(with_token(Request::get("/api/session"), token)).await?).await?;
    Ok((answer.user, answer.server_time))
}

/// Ends the session on the relay.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    send(with_token(Request::post("/api/logout"), token))
        .await
        .map(|_| ())
}

/// The bundle of every document the user may read (first start).
pub async fn bootstrap(token: &str) -> Result<Vec<u8>, ApiError> {
    send(with_token(Request::get("/api/bootstrap"), token))
        .await?
        .binary()
        .await
        // A bundle cut off on the way: the relay went out of reach.
        .map_err(|_| ApiError::Offline)
}

/// The clients of the whole base with this INN, phone or e-mail (issue 14):
/// those the user may not read are told only by their responsible's name.
pub async fn duplicates(
    token: &str,
    query: &kartoteka::api::DuplicatesQuery,
) -> Result<kartoteka::api::DuplicatesResponse, ApiError> {
    let params: Vec<(&str, &str)> = [
        ("inn", query.inn.as_deref()),
        ("phone", query.phone.as_deref()),
        ("email", query.email.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
    .collect();
    let req = with_token(Request::get("/api/duplicates").query(params), token);
    read_json(send(req).await?).await
}

/// Sends `body` as JSON to `path` with the token; the answer's body, if
/// any, is for the caller to read.
async fn post_json(
    path: &str,
    token: &str,
    body: &impl serde::Serialize,
) -> Result<Response, ApiError> {
    send_with_body(with_token(Request::post(path), token).json(body)).await
}

/// Every user with role, state and last login (administrators only).
pub async fn users(token: &str) -> Result<Vec<UserView>, ApiError> {
    read_json(send(with_token(Request::get("/api/users"), token)).await?).await
}

/// A workbook's sheet read by the relay (the first one without `sheet`).
pub async fn xlsx_read(
    token: &str,
    workbook: Vec<u8>,
    sheet: Option<&str>,
) -> Result<kartoteka::api::XlsxSheet, ApiError> {
    let mut req = with_token(Request::post("/api/xlsx/read"), token);
    if let Some(sheet) = sheet {
        req = req.query([("sheet", sheet)]);
    }
    let body = js_sys::Uint8Array::from(workbook.as_slice());
    read_json(send_with_body(req.body(body)).await?).await
}

/// Rows written as an .xlsx workbook by the relay; the file's bytes.
pub async fn xlsx_export(
    token: &str,
    request: &kartoteka::api::XlsxExportRequest,
) -> Result<Vec<u8>, ApiError> {
    post_json("/api/export/xlsx", token, request)
        .await?
        .binary()
        .await
        .map_err(unreadable)
}

/// Adds a user (administrators only). A taken login is
/// `Server { code: "login_taken" }`; a broken rule has the code of
/// [`kartoteka::users::UserRuleError::code`].
pub async fn add_user(token: &str, user: &NewUserRequest) -> Result<UserView, ApiError> {
    read_json(post_json("/api/users", token, user).await?).await
}

/// Changes a user's role (administrators only).
pub async fn set_role(token: &str, id: &str, role: Role) -> Result<UserView, ApiError> {
    let body = RoleRequest { role };
    read_json(post_json(&format!("/api/users/{id}/role"), token, &body).await?).await
}

/// Gives a user a new password; their sessions end (administrators only).
pub async fn reset_password(token: &str, id: &str, password: &str) -> Result<(), ApiError> {
    let body = ResetPasswordRequest {
        password: password.to_owned(),
    };
    post_json(&format!("/api/users/{id}/password"), token, &body)
        .await
        .map(|_| ())
}

/// Deactivates (sessions end at once) or reactivates a user
/// (administrators only).
pub async fn set_active(token: &str, id: &str, active: bool) -> Result<UserView, ApiError> {
    let body = ActiveRequest { active };
    read_json(post_json(&format!("/api/users/{id}/active"), token, &body).await?).await
}

/// Changes the caller's own password; `Server { code: "wrong_password" }`
/// when `current` is not it.
pub async fn change_own_password(token: &str, current: &str, new: &str) -> Result<(), ApiError> {
    let body = OwnPasswordRequest {
        current: current.to_owned(),
        new: new.to_owned(),
    };
    post_json("/api/password", token, &body).await.map(|_| ())
}
