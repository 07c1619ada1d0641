//! Filling an empty data folder: the demo workspace (users, settings and
//! generated clients), or a bare workspace with one administrator.

use kartoteka::date::{Date, Timestamp};
use kartoteka::demo::{self, DemoUser};
use kartoteka::document::{ClientDocument, WorkspaceDocument};
use kartoteka::ids::{UserId, actor_for};
use kartoteka::summary::ClientSummary;
use kartoteka::workspace::{UserEntry, WorkspaceDoc};

use crate::auth::hash_password;
use crate::error::ApiError;
use crate::store::{Store, StoredDoc, UserRecord};

/// The device part of the actor id of changes the relay itself writes.
pub(crate) const RELAY_DEVICE: [u8; 8] = *b"relay\0\0\0";

/// Writes the demo workspace with `clients` generated clients into an empty
/// store and returns the demo users (to print their logins).
pub fn seed_demo(
    store: &Store,
    clients: usize,
    today: Date,
    seed: u64,
    now: Timestamp,
) -> Result<Vec<DemoUser>, ApiError> {
    let demo = demo::generate(clients, today, seed);
    let supervisor = demo
        .users
        .iter()
        .find(|u| u.entry.role.sees_everything())
        .map(|u| u.entry.id.clone())
        .ok_or_else(|| ApiError::Internal("the demo has no supervisor".into()))?;
    for user in &demo.users {
        store.put_user(&UserRecord {
            id: user.entry.id.clone(),
            login: user.entry.login.clone(),
            name: user.entry.name.clone(),
            role: user.entry.role,
            password_hash: hash_password(&user.password)?,
            active: true,
            last_login: None,
        })?;
    }
    write_workspace(store, &demo.workspace, &supervisor, now)?;
    // Documents are independent: build them on every core, store in batches.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for batch in demo.clients.chunks(1000) {
        let per_thread = batch.len().div_ceil(threads).max(1);
        let stored: Result<Vec<Vec<StoredDoc>>, ApiError> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .chunks(per_thread)
                .map(|part| scope.spawn(|| part.iter().map(|c| stored_client(c, now)).collect()))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| ApiError::Internal("a seeding thread panicked".into()))?
                })
                .collect()
        });
        let stored: Vec<StoredDoc> = stored?.into_iter().flatten().collect();
        store.put_docs(&stored)?;
    }
    Ok(demo.users)
}

/// Writes a new workspace with a single administrator (a real deployment's
/// first start, `kartoteka serve --no-demo`).
pub fn seed_empty(
    store: &Store,
    admin_login: &str,
    admin_password: &str,
    now: Timestamp,
) -> Result<UserEntry, ApiError> {
    let admin = UserEntry {
        id: UserId::random(),
        login: admin_login.to_owned(),
        name: "Администратор".to_owned(),
        role: kartoteka::workspace::Role::Administrator,
        active: true,
    };
    store.put_user(&UserRecord {
        id: admin.id.clone(),
        login: admin.login.clone(),
        name: admin.name.clone(),
        role: admin.role,
        password_hash: hash_password(admin_password)?,
        active: true,
        last_login: None,
    })?;
    let workspace = WorkspaceDoc::new("Картотека", [admin.clone()]);
    write_workspace(store, &workspace, &admin.id, now)?;
    Ok(admin)
}

fn write_workspace(
    store: &Store,
    workspace: &WorkspaceDoc,
    author: &UserId,
    now: Timestamp,
) -> Result<(), ApiError> {
    let actor = actor_for(author, RELAY_DEVICE)
        .ok_or_else(|| ApiError::Internal("a user id is not a UUID".into()))?;
    let mut doc = WorkspaceDocument::create(workspace, actor, now)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    store.put_workspace(&uuid::Uuid::new_v4().to_string(), &doc.save())?;
    // A new base's summaries are all computed by this version.
    store.replace_summaries(&[], kartoteka::summary::SUMMARY_VERSION)?;
    Ok(())
}

fn stored_client(
    client: &kartoteka::client::ClientDoc,
    now: Timestamp,
) -> Result<StoredDoc, ApiError> {
    let actor = actor_for(&client.card.created_by, RELAY_DEVICE)
        .ok_or_else(|| ApiError::Internal("a user id is not a UUID".into()))?;
    let mut doc = ClientDocument::create(client, actor, now)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let summary = serde_json::to_vec(&ClientSummary::of(client))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(StoredDoc {
        id: client.id.to_string(),
        bytes: doc.save(),
        summary: Some(summary),
    })
}
