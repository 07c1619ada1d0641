//! The one error type of the relay's HTTP API; each variant becomes a
//! status code and a JSON body `{"error": code, "message": text}` that the
//! app maps to a translated message by `code`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("wrong login or password")]
    BadCredentials,
    #[error("not logged in, or the session has expired: log in again")]
    Unauthorized,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("too many failed logins: try again in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    #[error("the login \"{0}\" is already taken")]
    LoginTaken(String),
    #[error("{0}")]
    Rule(#[from] kartoteka::users::UserRuleError),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("the workspace would be left without an active administrator")]
    LastAdministrator,
    #[error("the server's store failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A stable code the app translates.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Store(StoreError::Unsupported(_)) => "unsupported",
            ApiError::TooManyAttempts { .. } => "too_many_attempts",
            ApiError::LoginTaken(_) => "login_taken",
            ApiError::Rule(rule) => rule.code(),
            ApiError::WrongPassword => "wrong_password",
            ApiError::LastAdministrator => "last_administrator",
            ApiError::Store(_) | ApiError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadCredentials | ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Store(StoreError::Unsupported(_)) => StatusCode::NOT_IMPLEMENTED,
            ApiError::BadRequest(_) | ApiError::Rule(_) | ApiError::WrongPassword => {
                StatusCode::BAD_REQUEST
            }
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::LoginTaken(_) | ApiError::LastAdministrator => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<crate::users::UserError> for ApiError {
    fn from(e: crate::users::UserError) -> Self {
        use crate::users::UserError;
        match e {
            UserError::LoginTaken(login) => ApiError::LoginTaken(login),
            UserError::NoSuchUser(_) => ApiError::NotFound,
            UserError::Rule(rule) => ApiError::Rule(rule),
            UserError::WrongPassword => ApiError::WrongPassword,
            UserError::LastAdministrator => ApiError::LastAdministrator,
            UserError::Store(e) => ApiError::Store(e),
            e @ (UserError::Workspace(_) | UserError::Hashing(_)) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status() == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
        }
        let body = serde_json::json!({ "error": self.code(), "message": self.to_string() });
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::TooManyAttempts { retry_after } = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}
