//! Who is calling: password hashing (Argon2id), session tokens, and the
//! `AuthUser` extractor every protected handler takes.
//!
//! A token is 32 random bytes shown to the device once, at login; the store
//! keeps only its SHA-256, so a copy of the data folder does not let anyone
//! log in. Devices keep the token to work offline and to reconnect.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;
use crate::store::{SessionRecord, Store, UserRecord};

/// How long a session lasts: a manager may stay offline for weeks.
pub const SESSION_DAYS: i64 = 60;

/// Hashes a password for storage (Argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Whether `password` matches a stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new session token (hex) and the hash under which it is stored.
pub fn new_token() -> Result<(String, Vec<u8>), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The user a token belongs to, if the session exists, has not expired and
/// the user is still active.
pub fn user_of_token(store: &Store, token: &str, now_ms: i64) -> Result<UserRecord, ApiError> {
    let session: SessionRecord = store
        .session(&token_hash(token))?
        .ok_or(ApiError::Unauthorized)?;
    if session.expires <= now_ms {
        return Err(ApiError::Unauthorized);
    }
    match store.user(&session.user)? {
        Some(user) if user.active => Ok(user),
        _ => Err(ApiError::Unauthorized),
    }
}

/// The authenticated caller of a handler (`Authorization: Bearer <token>`).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserRecord,
    pub token: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?
            .to_owned();
        let user = user_of_token(&state.store, &token, state.clock.now_ms())?;
        Ok(AuthUser { user, token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("верный пароль").expect("hashing works");
        assert!(verify_password("верный пароль", &hash));
        assert!(!verify_password("неверный пароль", &hash));
        assert!(!verify_password("верный пароль", "not a hash"));
    }

    #[test]
    fn tokens_are_unique_and_stored_hashed() {
        let (a, ha) = new_token().expect("token");
        let (b, _) = new_token().expect("token");
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(ha, token_hash(&a));
        assert_ne!(ha, a.as_bytes());
    }
}
