//! Managing the people of a workspace (SPEC 1): the rules a login, a name
//! and a password must follow, and the bodies of the relay's user
//! administration API (`/api/users…`, `/api/password`) as both the relay
//! and the app see them.
//!
//! The rules live here so that the app states and checks them on its forms
//! with the very functions the relay enforces.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::workspace::Role;

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The most characters a password may have (Argon2 hashes anything, but a
/// megabyte "password" is only a way to make the relay work).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The most characters of a login.
pub const MAX_LOGIN_CHARS: usize = 64;

/// The most characters of a full name.
pub const MAX_NAME_CHARS: usize = 120;

/// Why a login, a name or a password is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRuleError {
    #[error("the login is empty")]
    LoginEmpty,
    #[error("the login is longer than {MAX_LOGIN_CHARS} characters")]
    LoginTooLong,
    #[error("a login may hold letters, digits and . _ - @ only")]
    LoginCharacters,
    #[error("the full name is empty")]
    NameEmpty,
    #[error("the full name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the password is shorter than {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("the password is only spaces")]
    PasswordBlank,
}

impl UserRuleError {
    /// A stable code the app translates.
    pub fn code(self) -> &'static str {
        match self {
            UserRuleError::LoginEmpty => "login_empty",
            UserRuleError::LoginTooLong => "login_too_long",
            UserRuleError::LoginCharacters => "login_characters",
            UserRuleError::NameEmpty => "name_empty",
            UserRuleError::NameTooLong => "name_too_long",
            UserRuleError::PasswordTooShort => "password_too_short",
            UserRuleError::PasswordTooLong => "password_too_long",
            UserRuleError::PasswordBlank => "password_blank",
        }
    }
}

/// A login as stored: trimmed; checked for length and characters. Logins
/// compare without case (the relay looks them up in lower case).
pub fn check_login(login: &str) -> Result<String, UserRuleError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(UserRuleError::LoginEmpty);
    }
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(UserRuleError::LoginTooLong);
    }
    if !login
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(UserRuleError::LoginCharacters);
    }
    Ok(login.to_owned())
}

/// A full name as stored: trimmed, inner runs of spaces made one.
pub fn check_name(name: &str) -> Result<String, UserRuleError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(UserRuleError::NameEmpty);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(UserRuleError::NameTooLong);
    }
    Ok(name)
}

/// Whether a new password may be used: [`MIN_PASSWORD_CHARS`] to
/// [`MAX_PASSWORD_CHARS`] characters, not only spaces. Kept as typed
/// (spaces count: a passphrase is welcome).
pub fn check_password(password: &str) -> Result<(), UserRuleError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(UserRuleError::PasswordTooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(UserRuleError::PasswordTooLong);
    }
    if password.trim().is_empty() {
        return Err(UserRuleError::PasswordBlank);
    }
    Ok(())
}

/// A user as the Users page lists them (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// When they last logged in (milliseconds since the epoch).
    pub last_login: Option<i64>,
}

/// `POST /api/users`: add a user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUserRequest {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// `POST /api/users/{id}/role`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleRequest {
    pub role: Role,
}

/// `POST /api/users/{id}/password`: an administrator sets a new password;
/// the user's sessions end.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResetPasswordRequest {
    pub password: String,
}

/// `POST /api/users/{id}/active`: deactivate (sessions end at once) or
/// reactivate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActiveRequest {
    pub active: bool,
}

/// `POST /api/password`: a user changes their own password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnPasswordRequest {
    pub current: String,
    pub new: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_login_is_trimmed_and_checked() {
        assert_eq!(check_login("  petrov ").as_deref(), Ok("petrov"));
        assert_eq!(check_login("анна.s@corp").as_deref(), Ok("анна.s@corp"));
        assert_eq!(check_login("   "), Err(UserRuleError::LoginEmpty));
        assert_eq!(check_login("a b"), Err(UserRuleError::LoginCharacters));
        assert_eq!(check_login("a/b"), Err(UserRuleError::LoginCharacters));
        assert_eq!(
            check_login(&"x".repeat(MAX_LOGIN_CHARS + 1)),
            Err(UserRuleError::LoginTooLong)
        );
    }

    #[test]
    fn a_name_loses_its_extra_spaces() {
        assert_eq!(
            check_name("  Анна   Смирнова ").as_deref(),
            Ok("Анна Смирнова")
        );
        assert_eq!(check_name(" \t "), Err(UserRuleError::NameEmpty));
    }

    #[test]
    fn a_password_needs_eight_characters_that_are_not_all_spaces() {
        assert_eq!(
            check_password("1234567"),
            Err(UserRuleError::PasswordTooShort)
        );
        assert_eq!(check_password("пароль12"), Ok(()));
        assert_eq!(
            check_password("        "),
            Err(UserRuleError::PasswordBlank)
        );
        assert_eq!(
            check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(UserRuleError::PasswordTooLong)
        );
    }

    proptest! {
        #[test]
        fn a_password_is_accepted_exactly_by_its_length_and_content(p in "\\PC{0,140}") {
            let n = p.chars().count();
            let expected = (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n)
                && !p.trim().is_empty();
            prop_assert_eq!(check_password(&p).is_ok(), expected);
        }

        #[test]
        fn an_accepted_login_is_accepted_again_unchanged(l in "[ a-zA-Zа-я0-9._@/-]{0,70}") {
            if let Ok(stored) = check_login(&l) {
                prop_assert_eq!(check_login(&stored), Ok(stored.clone()));
            }
        }
    }
}
