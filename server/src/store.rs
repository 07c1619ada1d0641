//! What the relay keeps, behind one trait: users and their password
//! hashes, sessions, every document (a snapshot plus the change chunks
//! appended since) with its cached summary, the global change sequence,
//! the sync states of the devices. Two implementations:
//!
//! - [`redb`]: one embedded redb file in the data folder, nothing to
//!   install — the default, for one relay;
//! - [`postgres`]: a PostgreSQL database that several relays share.
//!
//! [`Storage`] is synchronous and the relay calls it off the async threads
//! (`spawn_blocking`, or the sync job threads that already hold a
//! document's lock). That is deliberate: redb is a blocking library, the
//! relay's hot path (check a change against the rules, commit it, answer)
//! already runs on blocking threads with the group commit parked on a
//! condition variable, and an async trait would make every caller pay for
//! boxed futures to gain nothing for redb. The PostgreSQL store drives its
//! async client on a small runtime of its own and blocks the calling thread
//! on the answer, exactly as a redb call blocks on the disk; it never
//! blocks the relay's runtime from inside a future.
//!
//! The store is only storage: the live state of one relay process (who is
//! connected, the documents in memory, the feed of commits) is
//! [`crate::sync::Hub`], which [`crate::AppState`] holds beside the store.
//!
//! Rules every implementation keeps:
//! - a write method that returns `Ok` has made its data durable, except
//!   [`Storage::put_sync_state`] and [`Storage::put_hello_day`], which may
//!   ride along with the next durable write;
//! - each document's latest change has a number in one global sequence;
//!   numbers are given inside the committing transaction, so a reader that
//!   sees number N also sees every change numbered below N (no gap is ever
//!   filled later);
//! - a change names the number of the document it was checked against
//!   ([`DocChange::base`]); when the document has changed since (on another
//!   relay), the change is not written and comes back
//!   [`Committed::Stale`], so rules are never checked against an old copy.

pub mod postgres;
pub mod redb;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use kartoteka::ids::UserId;
use kartoteka::workspace::Role;

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data folder cannot be opened: {0}")]
    Open(#[from] ::redb::DatabaseError),
    #[error("the database cannot be reached: {0}")]
    Connect(String),
    #[error("the store failed: {0}")]
    Storage(String),
    #[error("a stored record is damaged: {0}")]
    Damaged(String),
    #[error("this store cannot do that: {0}")]
    Unsupported(&'static str),
}

/// A backup key's hash as stored (hex), the same in every store.
fn backup_key_hex(key_hash: &[u8]) -> String {
    key_hash.iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// When the user last logged in (milliseconds since the epoch);
    /// records written before this was kept have none.
    #[serde(default)]
    pub last_login: Option<i64>,
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

/// A document as read back: its snapshot followed by the chunks appended
/// since (Automerge loads them as one).
#[derive(Debug, Clone)]
pub struct DocBytes {
    pub bytes: Vec<u8>,
    /// How many chunks follow the snapshot.
    pub chunks: u64,
    /// The number of the document's latest change.
    pub seq: u64,
}

/// A change to commit to one document (see [`Storage::commit_changes`]).
#[derive(Debug, Clone, Copy)]
pub struct DocChange<'a> {
    pub id: &'a str,
    /// The number of the document's latest change that the change was
    /// checked against; `None`: it was checked as a new document.
    pub base: Option<u64>,
    /// The new changes, as Automerge saves them incrementally.
    pub chunk: &'a [u8],
    /// The whole document saved anew: replaces the snapshot and every
    /// chunk (compaction), and `chunk` is then not stored.
    pub snapshot: Option<&'a [u8]>,
    /// The new summary (client documents).
    pub summary: Option<&'a [u8]>,
    /// The author's sync state for this document, saved with the change:
    /// (peer storage id, encoded state).
    pub sync_state: Option<(&'a str, &'a [u8])>,
}

/// What became of one change of a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Durably written, with this change number.
    Numbered(u64),
    /// Not written: the document changed since its [`DocChange::base`].
    Stale,
}

/// A document in the change index.
#[derive(Debug, Clone)]
pub struct ChangedDoc {
    /// The number of its latest change.
    pub seq: u64,
    pub id: String,
    /// Its summary as JSON, for client documents.
    pub summary: Option<Vec<u8>>,
}

/// Everything in a store, for moving it to another ([`copy`]).
#[derive(Debug, Default)]
pub struct Dump {
    pub users: Vec<UserRecord>,
    /// (token hash, session).
    pub sessions: Vec<(Vec<u8>, SessionRecord)>,
    pub docs: Vec<DumpedDoc>,
    /// (storage key, document id, state).
    pub sync_states: Vec<(String, String, Vec<u8>)>,
    /// (device, day).
    pub hello_days: Vec<(String, i64)>,
    pub workspace: Option<String>,
    pub storage_id: String,
    pub summary_version: u32,
    pub last_seq: u64,
}

/// One document in a [`Dump`]: kept as stored, with its number.
#[derive(Debug, Clone)]
pub struct DumpedDoc {
    pub id: String,
    pub snapshot: Vec<u8>,
    pub chunks: Vec<Vec<u8>>,
    pub summary: Option<Vec<u8>>,
    pub seq: u64,
}

/// A visitor of client documents: (id, saved bytes, summary JSON).
pub type DocVisitor<'a> = dyn FnMut(&str, &[u8], &[u8]) -> Result<(), StoreError> + 'a;
/// A visitor of summaries: (id, summary JSON).
pub type SummaryVisitor<'a> = dyn FnMut(&str, &[u8]) -> Result<(), StoreError> + 'a;

/// The relay's storage (see the module doc for its rules). Methods block.
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Adds or replaces a user (the login must not belong to someone else).
    fn put_user(&self, user: &UserRecord) -> Result<(), StoreError>;
    /// The user with this login (case-insensitive).
    fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError>;
    /// The user with this id.
    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError>;
    /// Every user.
    fn users(&self) -> Result<Vec<UserRecord>, StoreError>;

    /// Stores a session under the hash of its token.
    fn put_session(&self, token_hash: &[u8], session: &SessionRecord) -> Result<(), StoreError>;
    /// The session stored under this token hash.
    fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>, StoreError>;
    /// Forgets a session (log out).
    fn remove_session(&self, token_hash: &[u8]) -> Result<(), StoreError>;
    /// Forgets every session of a user (deactivated, or given a new
    /// password by an administrator) and says how many there were.
    fn remove_sessions_of(&self, user: &UserId) -> Result<usize, StoreError>;

    /// Stores documents (and their summaries) in one transaction, each
    /// replacing whatever was stored under its id, and numbers each one as
    /// changed.
    fn put_docs(&self, docs: &[StoredDoc]) -> Result<(), StoreError>;
    /// A document's saved bytes, chunk count and change number.
    fn doc_with_chunks(&self, id: &str) -> Result<Option<DocBytes>, StoreError>;
    /// Every client document with its summary, for `visit` to pick from.
    fn for_each_client_doc(&self, visit: &mut DocVisitor<'_>) -> Result<(), StoreError>;
    /// Every client document's summary (JSON).
    fn for_each_summary(&self, visit: &mut SummaryVisitor<'_>) -> Result<(), StoreError>;
    /// The version of the stored summaries (1 when none is recorded).
    fn summary_version(&self) -> Result<u32, StoreError>;
    /// Replaces summaries (computed again from their documents, which do
    /// not change) and records their version, in one transaction.
    fn replace_summaries(
        &self,
        summaries: &[(String, Vec<u8>)],
        version: u32,
    ) -> Result<(), StoreError>;
    /// A client document's summary (JSON).
    fn summary(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The number of client documents.
    fn client_count(&self) -> Result<u64, StoreError>;

    /// Durably commits changes of several documents in one transaction
    /// (one sync to disk for all: the relay's group commit), numbering the
    /// ones that are not stale in order.
    fn commit_changes(&self, changes: &[DocChange<'_>]) -> Result<Vec<Committed>, StoreError>;
    /// The number of the latest change (0 before any).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// The documents whose latest change is numbered after `cursor`, in
    /// order, with their summaries, and the number of the latest change,
    /// read at one moment.
    fn changed_since(&self, cursor: u64) -> Result<(Vec<ChangedDoc>, u64), StoreError>;

    /// The relay's storage id, the same for the life of the store.
    fn storage_id(&self) -> Result<String, StoreError>;
    /// The relay's saved sync state with a peer's storage for a document.
    fn sync_state(&self, storage: &str, doc: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Saves (or, with `None`, forgets) the relay's sync state with a peer's
    /// storage for a document. Need not be durable by itself: a crash may
    /// lose it, which costs the next sync a few more round trips.
    fn put_sync_state(
        &self,
        storage: &str,
        doc: &str,
        state: Option<&[u8]>,
    ) -> Result<(), StoreError>;
    /// The day the relay last answered a device's `kt-hello`.
    fn hello_day(&self, device: &str) -> Result<Option<i64>, StoreError>;
    /// Remembers the day of a device's `kt-hello` (need not be durable).
    fn put_hello_day(&self, device: &str, day: i64) -> Result<(), StoreError>;

    /// The id of the workspace document, once there is one.
    fn workspace_id(&self) -> Result<Option<String>, StoreError>;
    /// Stores the workspace document and remembers its id.
    fn put_workspace(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// Everything stored, for [`copy`].
    fn dump(&self) -> Result<Dump, StoreError>;
    /// Fills an empty store with a [`Dump`], keeping every change number
    /// and the storage id (devices resume as if nothing moved).
    fn restore(&self, dump: &Dump) -> Result<(), StoreError>;

    /// Wake-ups when another process committed changes to this store
    /// (`None`: no other process can; this relay sees every change itself).
    fn other_writers(&self) -> Option<tokio::sync::mpsc::UnboundedReceiver<()>> {
        None
    }

    /// Writes a consistent copy of the whole store into a new embedded-store
    /// file at `path` (which must not exist yet), and returns how many
    /// records it copied: the store as it was at one instant, restored by
    /// putting the file into an empty data folder as `kartoteka.redb`.
    /// [`StoreError::Unsupported`] where the database has its own tool
    /// (PostgreSQL: `pg_dump`, see docs/postgres.md).
    fn backup_to(&self, path: &Path) -> Result<u64, StoreError>;
    /// Records the hash of the key this relay accepts for a backup
    /// (`kartoteka backup`), replacing the one it had.
    fn set_backup_key(&self, key_hash: &[u8]) -> Result<(), StoreError>;
    /// Whether `key_hash` is the hash of the backup key this relay set.
    fn is_backup_key(&self, key_hash: &[u8]) -> Result<bool, StoreError>;

    /// A document's saved bytes: its snapshot followed by its chunks.
    fn doc(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.doc_with_chunks(id)?.map(|d| d.bytes))
    }
}

/// The relay's store: a cheap handle to one [`Storage`].
#[derive(Clone, Debug)]
pub struct Store(Arc<dyn Storage>);

impl std::ops::Deref for Store {
    type Target = dyn Storage;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

impl Store {
    /// Wraps a storage.
    pub fn new(storage: impl Storage + 'static) -> Store {
        Store(Arc::new(storage))
    }

    /// Opens (or creates) the embedded store in a data folder.
    pub fn open(folder: &Path) -> Result<Store, StoreError> {
        Ok(Store::new(redb::RedbStore::open(folder)?))
    }

    /// Opens an embedded store kept in one database file: a copy made by
    /// [`Storage::backup_to`].
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::new(redb::RedbStore::open_file(path)?))
    }

    /// An embedded store that lives in memory only (tests).
    pub fn in_memory() -> Result<Store, StoreError> {
        Ok(Store::new(redb::RedbStore::in_memory()?))
    }

    /// Connects to a PostgreSQL database (`postgres://USER@HOST:PORT/DB`)
    /// and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store::new(postgres::PgStore::connect(url)?))
    }

    /// The store of `kartoteka serve`: PostgreSQL when `database` is given,
    /// else the embedded store in `data`.
    pub fn open_or_connect(data: &Path, database: Option<&str>) -> Result<Store, StoreError> {
        match database {
            Some(url) => Store::connect(url),
            None => Store::open(data),
        }
    }

    /// Durably commits new changes of one document; its number, or
    /// [`Committed::Stale`].
    pub fn commit_change(&self, change: &DocChange<'_>) -> Result<Committed, StoreError> {
        self.commit_changes(std::slice::from_ref(change))?
            .pop()
            .ok_or_else(|| StoreError::Storage("a commit numbered nothing".into()))
    }
}

/// What [`copy`] found when it compared the copy with the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub users: usize,
    pub sessions: usize,
    pub documents: usize,
    pub sync_states: usize,
    pub last_seq: u64,
}

/// Copies everything from one store into an empty other and verifies the
/// copy: the same counts, and every document loads with the same heads and
/// the same change number.
pub fn copy(from: &Store, to: &Store) -> Result<CopyReport, StoreError> {
    if to.workspace_id()?.is_some() || !to.users()?.is_empty() || to.last_seq()? > 0 {
        return Err(StoreError::Storage(
            "the destination already holds data; copy into an empty database".into(),
        ));
    }
    let dump = from.dump()?;
    to.restore(&dump)?;
    let copied = to.dump()?;
    let mismatch = |what: &str, a: usize, b: usize| {
        StoreError::Damaged(format!("the copy has {b} {what}, the original {a}"))
    };
    for (what, a, b) in [
        ("users", dump.users.len(), copied.users.len()),
        ("sessions", dump.sessions.len(), copied.sessions.len()),
        ("documents", dump.docs.len(), copied.docs.len()),
        (
            "sync states",
            dump.sync_states.len(),
            copied.sync_states.len(),
        ),
        (
            "device days",
            dump.hello_days.len(),
            copied.hello_days.len(),
        ),
    ] {
        if a != b {
            return Err(mismatch(what, a, b));
        }
    }
    if copied.last_seq != dump.last_seq || copied.storage_id != dump.storage_id {
        return Err(StoreError::Damaged(
            "the copy's change sequence or storage id differs".into(),
        ));
    }
    for doc in &dump.docs {
        let original = heads(&from.doc_with_chunks(&doc.id)?, &doc.id)?;
        let copy = heads(&to.doc_with_chunks(&doc.id)?, &doc.id)?;
        if original != copy {
            return Err(StoreError::Damaged(format!(
                "document {} has other heads or another number in the copy",
                doc.id
            )));
        }
    }
    Ok(CopyReport {
        users: dump.users.len(),
        sessions: dump.sessions.len(),
        documents: dump.docs.len(),
        sync_states: dump.sync_states.len(),
        last_seq: dump.last_seq,
    })
}

fn heads(
    doc: &Option<DocBytes>,
    id: &str,
) -> Result<(Vec<automerge::ChangeHash>, u64), StoreError> {
    let doc = doc
        .as_ref()
        .ok_or_else(|| StoreError::Damaged(format!("document {id} is missing")))?;
    let loaded = automerge::Automerge::load(&doc.bytes)
        .map_err(|e| StoreError::Damaged(format!("document {id}: {e}")))?;
    Ok((loaded.get_heads(), doc.seq))
}

/// Stores for the relay's own tests, on the embedded store or, when
/// `KARTOTEKA_TEST_DATABASE` names a PostgreSQL server
/// (`postgres://postgres@127.0.0.1:PORT/postgres`), each in a new database
/// of its own on that server.
pub mod testing {
    use std::path::Path;

    use super::{Store, StoreError};

    /// The variable naming the PostgreSQL server the tests run on.
    pub const DATABASE_VAR: &str = "KARTOTEKA_TEST_DATABASE";

    /// The server the tests run on, if they run on PostgreSQL.
    pub fn server() -> Option<String> {
        std::env::var(DATABASE_VAR).ok().filter(|v| !v.is_empty())
    }

    /// A fresh, empty store: in memory, or a new database.
    pub fn fresh() -> Result<Store, StoreError> {
        match server() {
            Some(server) => {
                let name = format!("kt_{}", uuid::Uuid::new_v4().simple());
                Store::connect(&super::postgres::create_database(&server, &name)?)
            }
            None => Store::in_memory(),
        }
    }

    /// The database URL that stands for a data folder in the tests (the
    /// same folder, the same database), or `None` on the embedded store.
    pub fn database_for(folder: &Path) -> Result<Option<String>, StoreError> {
        let Some(server) = server() else {
            return Ok(None);
        };
        let digest = <sha2::Sha256 as sha2::Digest>::digest(folder.as_os_str().as_encoded_bytes());
        let name: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        super::postgres::create_database(&server, &format!("kt_{name}")).map(Some)
    }

    /// The store of a data folder: the folder itself, or its database.
    pub fn at(folder: &Path) -> Result<Store, StoreError> {
        match database_for(folder)? {
            Some(url) => Store::connect(&url),
            None => Store::open(folder),
        }
    }
}
