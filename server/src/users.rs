//! Managing the people of a workspace: add a user, change a role, set a
//! password, deactivate and reactivate, list. The HTTP API (for
//! administrators, [`crate::api`]) and the command line (`kartoteka user`,
//! on a stopped relay's data folder) both call these, so the rules are the
//! same on either path.
//!
//! A user lives in two places: the relay's store (login, password hash,
//! whether active — what logging in checks) and the workspace document's
//! users directory (id, login, name, role, active — what devices show and
//! assign clients to). Every change here writes both, the store first:
//! the store is what grants access.

use kartoteka::ids::UserId;
use kartoteka::users::{UserRuleError, UserView, check_login, check_name, check_password};
use kartoteka::workspace::{Role, UserEntry};

use crate::auth::hash_password;
use crate::error::ApiError;
use crate::store::{StoreError, UserRecord};
use crate::sync::{Relay, SessionEnd, SyncError};

/// Why a change to the users was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("the login \"{0}\" is already taken")]
    LoginTaken(String),
    #[error("no user has this login or id: {0}")]
    NoSuchUser(String),
    #[error("{0}")]
    Rule(#[from] UserRuleError),
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("the workspace would be left without an active administrator")]
    LastAdministrator,
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the workspace document could not be changed: {0}")]
    Workspace(#[from] SyncError),
    #[error("{0}")]
    Hashing(String),
}

impl From<ApiError> for UserError {
    fn from(e: ApiError) -> Self {
        UserError::Hashing(e.to_string())
    }
}

/// A user as listed (no password hash).
pub fn view(user: &UserRecord) -> UserView {
    UserView {
        id: user.id.clone(),
        login: user.login.clone(),
        name: user.name.clone(),
        role: user.role,
        active: user.active,
        last_login: user.last_login,
    }
}

/// Every user, sorted by name then login.
pub fn list(relay: &Relay) -> Result<Vec<UserView>, UserError> {
    let mut users: Vec<UserView> = relay.store().users()?.iter().map(view).collect();
    users.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.login.cmp(&b.login))
    });
    Ok(users)
}

/// The user with this login (case-insensitive) or id.
pub fn find(relay: &Relay, login_or_id: &str) -> Result<UserRecord, UserError> {
    let store = relay.store();
    if let Some(user) = store.user_by_login(login_or_id)? {
        return Ok(user);
    }
    store
        .user(&UserId(login_or_id.to_owned()))?
        .ok_or_else(|| UserError::NoSuchUser(login_or_id.to_owned()))
}

/// Adds an active user; `author` is who adds them (an administrator, or
/// the new user themselves from the command line). Blocks.
pub fn add(
    relay: &Relay,
    author: Option<&UserId>,
    login: &str,
    name: &str,
    role: Role,
    password: &str,
) -> Result<UserRecord, UserError> {
    let login = check_login(login)?;
    let name = check_name(name)?;
    check_password(password)?;
    let store = relay.store();
    if store.user_by_login(&login)?.is_some() {
        return Err(UserError::LoginTaken(login));
    }
    let user = UserRecord {
        id: UserId::random(),
        login,
        name,
        role,
        password_hash: hash_password(password)?,
        active: true,
        last_login: None,
    };
    store.put_user(&user).map_err(|e| match e {
        // Taken meanwhile by another administrator.
        StoreError::Storage(_) if store.user_by_login(&user.login).ok().flatten().is_some() => {
            UserError::LoginTaken(user.login.clone())
        }
        e => UserError::Store(e),
    })?;
    write_directory(relay, author.unwrap_or(&user.id), &user, "add a user")?;
    Ok(user)
}

/// Changes a user's role. Their open sessions keep going: each request
/// reads the role afresh.
pub fn set_role(
    relay: &Relay,
    author: &UserId,
    user: &UserId,
    role: Role,
) -> Result<UserRecord, UserError> {
    let mut record = existing(relay, user)?;
    if record.role == role {
        return Ok(record);
    }
    if record.active && record.role == Role::Administrator {
        keeps_an_administrator(relay, user)?;
    }
    record.role = role;
    relay.store().put_user(&record)?;
    write_directory(relay, author, &record, "change a role")?;
    Ok(record)
}

/// Sets a new password (an administrator's reset, or the command line):
/// the user's sessions end, so whoever held the old one is logged out.
pub fn set_password(relay: &Relay, user: &UserId, password: &str) -> Result<(), UserError> {
    check_password(password)?;
    let mut record = existing(relay, user)?;
    record.password_hash = hash_password(password)?;
    relay.store().put_user(&record)?;
    relay.store().remove_sessions_of(user)?;
    relay.hub().end_sessions(user, SessionEnd::PasswordReset);
    Ok(())
}

/// A user changes their own password, proving the current one; their
/// sessions go on (they are the one who changed it).
pub fn change_own_password(
    relay: &Relay,
    user: &UserId,
    current: &str,
    new: &str,
) -> Result<(), UserError> {
    let mut record = existing(relay, user)?;
    if !crate::auth::verify_password(current, &record.password_hash) {
        return Err(UserError::WrongPassword);
    }
    check_password(new)?;
    record.password_hash = hash_password(new)?;
    relay.store().put_user(&record)?;
    Ok(())
}

/// Deactivates a user (their sessions end at once: tokens are refused and
/// open sockets close, saying why) or reactivates them (they log in
/// again).
pub fn set_active(
    relay: &Relay,
    author: &UserId,
    user: &UserId,
    active: bool,
) -> Result<UserRecord, UserError> {
    let mut record = existing(relay, user)?;
    if record.active == active {
        return Ok(record);
    }
    if !active && record.role == Role::Administrator {
        keeps_an_administrator(relay, user)?;
    }
    record.active = active;
    relay.store().put_user(&record)?;
    if !active {
        relay.store().remove_sessions_of(user)?;
        relay.hub().end_sessions(user, SessionEnd::Deactivated);
    }
    write_directory(
        relay,
        author,
        &record,
        if active {
            "reactivate a user"
        } else {
            "deactivate a user"
        },
    )?;
    Ok(record)
}

fn existing(relay: &Relay, user: &UserId) -> Result<UserRecord, UserError> {
    relay
        .store()
        .user(user)?
        .ok_or_else(|| UserError::NoSuchUser(user.to_string()))
}

/// Refuses to take away the last active administrator (nobody could
/// manage the users any more but from the command line).
fn keeps_an_administrator(relay: &Relay, leaving: &UserId) -> Result<(), UserError> {
    let others = relay
        .store()
        .users()?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Administrator && &u.id != leaving)
        .count();
    if others == 0 {
        return Err(UserError::LastAdministrator);
    }
    Ok(())
}

/// Brings the user's entry in the workspace's users directory in line with
/// the store.
fn write_directory(
    relay: &Relay,
    author: &UserId,
    user: &UserRecord,
    message: &str,
) -> Result<(), UserError> {
    let entry = UserEntry {
        id: user.id.clone(),
        login: user.login.clone(),
        name: user.name.clone(),
        role: user.role,
        active: user.active,
    };
    relay.change_workspace(author, message, |workspace| {
        workspace.users.insert(entry.id.to_string(), entry.clone());
    })?;
    Ok(())
}
