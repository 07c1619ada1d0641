//! The relay's embedded store: users and their password hashes, sessions,
//! and every document's saved bytes with its cached summary — one redb file
//! in the data folder, nothing to install.
//!
//! Every write is one redb transaction committed with the default
//! (immediate) durability: when a method returns `Ok`, the data is on disk.

use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use kartoteka::ids::UserId;
use kartoteka::workspace::Role;

/// user id → [`UserRecord`] as JSON.
const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
/// lower-case login → user id.
const LOGINS: TableDefinition<&str, &str> = TableDefinition::new("logins");
/// SHA-256 of a session token → [`SessionRecord`] as JSON.
const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");
/// document id → the document's saved bytes.
const DOCS: TableDefinition<&str, &[u8]> = TableDefinition::new("docs");
/// document id → the document's summary as JSON (client documents only).
const SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("summaries");
/// Named values: the workspace document's id, …
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");

const META_WORKSPACE: &str = "workspace_doc";

/// A failure of the embedded store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data folder cannot be opened: {0}")]
    Open(#[from] redb::DatabaseError),
    #[error("the store failed: {0}")]
    Storage(String),
    #[error("a stored record is damaged: {0}")]
    Damaged(String),
}

macro_rules! storage_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Storage(e.to_string())
            }
        }
    )*};
}
storage_errors!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// A person who may log in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// An Argon2id PHC string.
    pub password_hash: String,
    pub active: bool,
}

/// A session a device holds a token for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub user: UserId,
    /// Milliseconds since the epoch after which the token is refused.
    pub expires: i64,
}

/// A stored document with its summary.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub id: String,
    pub bytes: Vec<u8>,
    pub summary: Option<Vec<u8>>,
}

/// The embedded store. Cheap to clone; clones share the database.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (or creates) the store in a data folder.
    pub fn open(folder: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(folder)
            .map_err(|e| StoreError::Storage(format!("{}: {e}", folder.display())))?;
        let db = Database::create(folder.join("kartoteka.redb"))?;
        Store::init(db)
    }

    /// A store that lives in memory only (tests).
    pub fn in_memory() -> Result<Store, StoreError> {
        let db = Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?;
        Store::init(db)
    }

    fn init(db: Database) -> Result<Store, StoreError> {
        let tx = db.begin_write()?;
        tx.open_table(USERS)?;
        tx.open_table(LOGINS)?;
        tx.open_table(SESSIONS)?;
        tx.open_table(DOCS)?;
        tx.open_table(SUMMARIES)?;
        tx.open_table(META)?;
        tx.commit()?;
        Ok(Store { db: Arc::new(db) })
    }

    /// Adds or replaces a user (the login must not belong to someone else).
    pub fn put_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        let json = serde_json::to_vec(user).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let login = user.login.to_lowercase();
        let tx = self.db.begin_write()?;
        {
            let mut logins = tx.open_table(LOGINS)?;
            if let Some(owner) = logins.get(login.as_str())?
                && owner.value() != user.id.as_str()
            {
                return Err(StoreError::Storage(format!(
                    "the login \"{}\" belongs to another user",
                    user.login
                )));
            }
            logins.insert(login.as_str(), user.id.as_str())?;
            tx.open_table(USERS)?
                .insert(user.id.as_str(), json.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The user with this login (case-insensitive).
    pub fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        let id = match tx
            .open_table(LOGINS)?
            .get(login.trim().to_lowercase().as_str())?
        {
            Some(id) => id.value().to_owned(),
            None => return Ok(None),
        };
        read_user(&tx.open_table(USERS)?, &id)
    }

    /// The user with this id.
    pub fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        read_user(&tx.open_table(USERS)?, id.as_str())
    }

    /// Every user.
    pub fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(USERS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (_, v) = row?;
            out.push(parse(v.value())?);
        }
        Ok(out)
    }

    /// Stores a session under the hash of its token.
    pub fn put_session(
        &self,
        token_hash: &[u8],
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_vec(session).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let tx = self.db.begin_write()?;
        tx.open_table(SESSIONS)?
            .insert(token_hash, json.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    /// The session stored under this token hash.
    pub fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        match tx.open_table(SESSIONS)?.get(token_hash)? {
            Some(v) => Ok(Some(parse(v.value())?)),
            None => Ok(None),
        }
    }

    /// Forgets a session (log out).
    pub fn remove_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(SESSIONS)?.remove(token_hash)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores documents (and their summaries) in one transaction.
    pub fn put_docs(&self, docs: &[StoredDoc]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(DOCS)?;
            let mut summaries = tx.open_table(SUMMARIES)?;
            for doc in docs {
                table.insert(doc.id.as_str(), doc.bytes.as_slice())?;
                if let Some(s) = &doc.summary {
                    summaries.insert(doc.id.as_str(), s.as_slice())?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A document's saved bytes.
    pub fn doc(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(DOCS)?.get(id)?.map(|v| v.value().to_vec()))
    }

    /// Every client document with its summary, for `visit` to pick from,
    /// in one read transaction.
    pub fn for_each_client_doc(
        &self,
        mut visit: impl FnMut(&str, &[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_read()?;
        let docs = tx.open_table(DOCS)?;
        let summaries = tx.open_table(SUMMARIES)?;
        for row in summaries.iter()? {
            let (id, summary) = row?;
            if let Some(bytes) = docs.get(id.value())? {
                visit(id.value(), bytes.value(), summary.value())?;
            }
        }
        Ok(())
    }

    /// The number of client documents.
    pub fn client_count(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(SUMMARIES)?.len()?)
    }

    /// The id of the workspace document, once there is one.
    pub fn workspace_id(&self) -> Result<Option<String>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(META)?
            .get(META_WORKSPACE)?
            .map(|v| v.value().to_owned()))
    }

    /// Stores the workspace document and remembers its id.
    pub fn put_workspace(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(DOCS)?.insert(id, bytes)?;
        tx.open_table(META)?.insert(META_WORKSPACE, id)?;
        tx.commit()?;
        Ok(())
    }
}

fn read_user(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    id: &str,
) -> Result<Option<UserRecord>, StoreError> {
    match table.get(id)? {
        Some(v) => Ok(Some(parse(v.value())?)),
        None => Ok(None),
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Damaged(e.to_string()))
}
