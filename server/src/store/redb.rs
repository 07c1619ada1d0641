//! The embedded store: one redb file in the data folder, nothing to
//! install — the default, for one relay.
//!
//! Every write is one redb transaction committed with the default
//! (immediate) durability: when a method returns `Ok`, the data is on disk.
//! [`Storage::commit_changes`] writes the changes of several documents in
//! one such transaction (the relay's group commit). The exceptions are
//! [`Storage::put_sync_state`] and [`Storage::put_hello_day`]: they only
//! save work on the next connection, so they ride along with the next
//! durable commit instead of paying for their own.
//!
//! Each document's latest change has a number in one global sequence, and
//! the `changes` table maps the number back to the document, one row per
//! document; "what changed after cursor N" is a range scan that costs in
//! proportion to what changed, not to the size of the base. Only one
//! process opens the file (redb locks it), so the numbers are given in the
//! one write transaction there is at a time.

use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use kartoteka::ids::UserId;

use super::{
    ChangedDoc, Committed, DocBytes, DocChange, DocVisitor, Dump, DumpedDoc, SessionRecord,
    Storage, StoreError, StoredDoc, SummaryVisitor, UserRecord, backup_key_hex,
};

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
/// (document id, n) → the n-th change chunk appended after the snapshot in
/// `docs`; the document is the snapshot followed by its chunks in order.
const DOC_CHUNKS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("doc_chunks");
/// document id → the sequence number of its latest change.
const DOC_SEQ: TableDefinition<&str, u64> = TableDefinition::new("doc_seq");
/// sequence number → the document whose latest change it numbers.
const CHANGES: TableDefinition<u64, &str> = TableDefinition::new("changes");
/// (peer storage id, document id) → the relay's Automerge sync state with
/// that peer for that document.
const SYNC_STATES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("sync_states");
/// sync state key of a device (user/storage) → the day (days from the
/// common era) the relay last answered its `kt-hello`.
const HELLO_DAYS: TableDefinition<&str, i64> = TableDefinition::new("hello_days");
/// Named numbers: the last change sequence number, …
const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");

const META_WORKSPACE: &str = "workspace_doc";
/// The relay's own automerge-repo storage id.
const META_STORAGE_ID: &str = "storage_id";
const COUNTER_SEQ: &str = "seq";
/// The [`kartoteka::summary::SUMMARY_VERSION`] the stored summaries have
/// (none: 1, from before it was recorded).
const META_SUMMARY_VERSION: &str = "summary_version";
/// The SHA-256 (hex) of the key a running relay accepts for a backup
/// (`kartoteka backup`), set at each start.
const META_BACKUP_KEY: &str = "backup_key_sha256";

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
    redb::CommitError,
    redb::SetDurabilityError
);

/// The embedded store. Cheap to clone; clones share the database.
#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedbStore")
    }
}

impl RedbStore {
    /// Opens (or creates) the store in a data folder.
    pub fn open(folder: &Path) -> Result<RedbStore, StoreError> {
        std::fs::create_dir_all(folder)
            .map_err(|e| StoreError::Storage(format!("{}: {e}", folder.display())))?;
        let db = Database::create(folder.join("kartoteka.redb"))?;
        RedbStore::init(db)
    }

    /// Opens a store kept in one database file: a copy made by
    /// [`Storage::backup_to`].
    pub fn open_file(path: &Path) -> Result<RedbStore, StoreError> {
        RedbStore::init(Database::create(path)?)
    }

    /// A store that lives in memory only (tests).
    pub fn in_memory() -> Result<RedbStore, StoreError> {
        let db = Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?;
        RedbStore::init(db)
    }

    fn init(db: Database) -> Result<RedbStore, StoreError> {
        let tx = db.begin_write()?;
        tx.open_table(USERS)?;
        tx.open_table(LOGINS)?;
        tx.open_table(SESSIONS)?;
        tx.open_table(DOCS)?;
        tx.open_table(SUMMARIES)?;
        tx.open_table(META)?;
        tx.open_table(DOC_CHUNKS)?;
        tx.open_table(DOC_SEQ)?;
        tx.open_table(CHANGES)?;
        tx.open_table(SYNC_STATES)?;
        tx.open_table(HELLO_DAYS)?;
        {
            let mut meta = tx.open_table(META)?;
            if meta.get(META_STORAGE_ID)?.is_none() {
                meta.insert(META_STORAGE_ID, uuid::Uuid::new_v4().to_string().as_str())?;
            }
        }
        let numbered = tx.open_table(COUNTERS)?.get(COUNTER_SEQ)?.is_some();
        if !numbered {
            // A data folder from before the change sequence: number every
            // document once, so a device's first cursor covers them all.
            let ids: Vec<String> = {
                let docs = tx.open_table(DOCS)?;
                docs.iter()?
                    .map(|row| row.map(|(id, _)| id.value().to_owned()))
                    .collect::<Result<_, _>>()?
            };
            for id in &ids {
                bump_seq(&tx, id)?;
            }
            tx.open_table(COUNTERS)?
                .insert(COUNTER_SEQ, ids.len() as u64)?;
        }
        tx.commit()?;
        Ok(RedbStore { db: Arc::new(db) })
    }
}

impl Storage for RedbStore {
    /// Adds or replaces a user (the login must not belong to someone else).
    fn put_user(&self, user: &UserRecord) -> Result<(), StoreError> {
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
    fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
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
    fn user(&self, id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        read_user(&tx.open_table(USERS)?, id.as_str())
    }

    /// Every user.
    fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
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
    fn put_session(&self, token_hash: &[u8], session: &SessionRecord) -> Result<(), StoreError> {
        let json = serde_json::to_vec(session).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let tx = self.db.begin_write()?;
        tx.open_table(SESSIONS)?
            .insert(token_hash, json.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    /// The session stored under this token hash.
    fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        match tx.open_table(SESSIONS)?.get(token_hash)? {
            Some(v) => Ok(Some(parse(v.value())?)),
            None => Ok(None),
        }
    }

    /// Forgets a session (log out).
    fn remove_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(SESSIONS)?.remove(token_hash)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets every session of a user and says how many there were.
    fn remove_sessions_of(&self, user: &UserId) -> Result<usize, StoreError> {
        let tx = self.db.begin_write()?;
        let removed = {
            let mut table = tx.open_table(SESSIONS)?;
            let mut theirs = Vec::new();
            for row in table.iter()? {
                let (hash, record) = row?;
                let session: SessionRecord = parse(record.value())?;
                if &session.user == user {
                    theirs.push(hash.value().to_vec());
                }
            }
            for hash in &theirs {
                table.remove(hash.as_slice())?;
            }
            theirs.len()
        };
        tx.commit()?;
        Ok(removed)
    }

    /// Stores documents (and their summaries) in one transaction, each
    /// replacing whatever was stored under its id, and numbers each one as
    /// changed.
    fn put_docs(&self, docs: &[StoredDoc]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(DOCS)?;
            let mut summaries = tx.open_table(SUMMARIES)?;
            for doc in docs {
                table.insert(doc.id.as_str(), doc.bytes.as_slice())?;
                if let Some(s) = &doc.summary {
                    summaries.insert(doc.id.as_str(), s.as_slice())?;
                }
                clear_chunks(&tx, &doc.id)?;
                bump_seq(&tx, &doc.id)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn doc_with_chunks(&self, id: &str) -> Result<Option<DocBytes>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(snapshot) = tx.open_table(DOCS)?.get(id)? else {
            return Ok(None);
        };
        let mut bytes = snapshot.value().to_vec();
        let chunks = append_chunks(&tx.open_table(DOC_CHUNKS)?, id, &mut bytes)?;
        let seq = tx.open_table(DOC_SEQ)?.get(id)?.map_or(0, |v| v.value());
        Ok(Some(DocBytes { bytes, chunks, seq }))
    }

    /// Every client document with its summary, for `visit` to pick from,
    /// in one read transaction.
    fn for_each_client_doc(&self, visit: &mut DocVisitor<'_>) -> Result<(), StoreError> {
        let tx = self.db.begin_read()?;
        let docs = tx.open_table(DOCS)?;
        let chunks = tx.open_table(DOC_CHUNKS)?;
        let summaries = tx.open_table(SUMMARIES)?;
        let mut bytes = Vec::new();
        for row in summaries.iter()? {
            let (id, summary) = row?;
            if let Some(snapshot) = docs.get(id.value())? {
                bytes.clear();
                bytes.extend_from_slice(snapshot.value());
                append_chunks(&chunks, id.value(), &mut bytes)?;
                visit(id.value(), &bytes, summary.value())?;
            }
        }
        Ok(())
    }

    /// The version of the stored summaries (1 when none is recorded).
    fn summary_version(&self) -> Result<u32, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(META)?
            .get(META_SUMMARY_VERSION)?
            .and_then(|v| v.value().parse().ok())
            .unwrap_or(1))
    }

    /// Replaces summaries (computed again from their documents, which do
    /// not change) and records their version, in one transaction.
    fn replace_summaries(
        &self,
        summaries: &[(String, Vec<u8>)],
        version: u32,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(SUMMARIES)?;
            for (id, summary) in summaries {
                table.insert(id.as_str(), summary.as_slice())?;
            }
            tx.open_table(META)?
                .insert(META_SUMMARY_VERSION, version.to_string().as_str())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A client document's summary (JSON).
    fn summary(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(SUMMARIES)?
            .get(id)?
            .map(|v| v.value().to_vec()))
    }

    /// Durably commits changes of several documents in one transaction (one
    /// sync to disk for all: the relay's group commit), numbering them in
    /// order; returns their numbers.
    fn commit_changes(&self, changes: &[DocChange<'_>]) -> Result<Vec<Committed>, StoreError> {
        let tx = self.db.begin_write()?;
        let mut seqs = Vec::with_capacity(changes.len());
        for change in changes {
            let current = tx.open_table(DOC_SEQ)?.get(change.id)?.map(|v| v.value());
            seqs.push(if current == change.base {
                Committed::Numbered(write_change(&tx, change)?)
            } else {
                Committed::Stale
            });
        }
        tx.commit()?;
        Ok(seqs)
    }

    /// The number of the latest change (0 before any).
    fn last_seq(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(COUNTERS)?
            .get(COUNTER_SEQ)?
            .map_or(0, |v| v.value()))
    }

    /// The documents whose latest change is numbered after `cursor`, in
    /// order, with their summaries, and the number of the latest change.
    fn changed_since(&self, cursor: u64) -> Result<(Vec<ChangedDoc>, u64), StoreError> {
        let tx = self.db.begin_read()?;
        let last = tx
            .open_table(COUNTERS)?
            .get(COUNTER_SEQ)?
            .map_or(0, |v| v.value());
        let changes = tx.open_table(CHANGES)?;
        let summaries = tx.open_table(SUMMARIES)?;
        let mut out = Vec::new();
        for row in changes.range(cursor.saturating_add(1)..)? {
            let (seq, id) = row?;
            out.push(ChangedDoc {
                seq: seq.value(),
                id: id.value().to_owned(),
                summary: summaries.get(id.value())?.map(|s| s.value().to_vec()),
            });
        }
        Ok((out, last))
    }

    /// The relay's storage id, the same for the life of the data folder.
    fn storage_id(&self) -> Result<String, StoreError> {
        let tx = self.db.begin_read()?;
        tx.open_table(META)?
            .get(META_STORAGE_ID)?
            .map(|v| v.value().to_owned())
            .ok_or_else(|| StoreError::Damaged("the store has no storage id".into()))
    }

    /// The relay's saved sync state with a peer's storage for a document.
    fn sync_state(&self, storage: &str, doc: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(SYNC_STATES)?
            .get((storage, doc))?
            .map(|v| v.value().to_vec()))
    }

    /// Saves (or, with `None`, forgets) the relay's sync state with a peer's
    /// storage for a document. Not durable by itself: a crash may lose it,
    /// which costs the next sync a few more round trips and nothing else.
    fn put_sync_state(
        &self,
        storage: &str,
        doc: &str,
        state: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(redb::Durability::None)?;
        {
            let mut table = tx.open_table(SYNC_STATES)?;
            match state {
                Some(state) => {
                    table.insert((storage, doc), state)?;
                }
                None => {
                    table.remove((storage, doc))?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The day the relay last answered a device's `kt-hello`.
    fn hello_day(&self, device: &str) -> Result<Option<i64>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(HELLO_DAYS)?.get(device)?.map(|v| v.value()))
    }

    /// Remembers the day of a device's `kt-hello`. Not durable by itself,
    /// like a sync state: a crash may lose it, and the next `kt-hello` then
    /// looks back from an earlier day.
    fn put_hello_day(&self, device: &str, day: i64) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(redb::Durability::None)?;
        tx.open_table(HELLO_DAYS)?.insert(device, day)?;
        tx.commit()?;
        Ok(())
    }

    /// Every client document's summary (JSON), in one read transaction.
    fn for_each_summary(&self, visit: &mut SummaryVisitor<'_>) -> Result<(), StoreError> {
        let tx = self.db.begin_read()?;
        for row in tx.open_table(SUMMARIES)?.iter()? {
            let (id, summary) = row?;
            visit(id.value(), summary.value())?;
        }
        Ok(())
    }

    /// The number of client documents.
    fn client_count(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(SUMMARIES)?.len()?)
    }

    /// The id of the workspace document, once there is one.
    fn workspace_id(&self) -> Result<Option<String>, StoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(META)?
            .get(META_WORKSPACE)?
            .map(|v| v.value().to_owned()))
    }

    /// Stores the workspace document and remembers its id.
    fn put_workspace(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(DOCS)?.insert(id, bytes)?;
        tx.open_table(META)?.insert(META_WORKSPACE, id)?;
        clear_chunks(&tx, id)?;
        bump_seq(&tx, id)?;
        tx.commit()?;
        Ok(())
    }

    /// Every table is read in one read transaction: redb keeps that
    /// snapshot intact while the relay goes on committing, so the copy is
    /// never a file caught halfway through a commit (which `cp` would risk).
    fn backup_to(&self, path: &Path) -> Result<u64, StoreError> {
        if path.exists() {
            return Err(StoreError::Storage(format!(
                "{} already exists; choose a new file",
                path.display()
            )));
        }
        let from = self.db.begin_read()?;
        let copy = Database::create(path)?;
        let to = copy.begin_write()?;
        // Every table of this file.
        let mut n = copy_table(&from, &to, USERS)?;
        n += copy_table(&from, &to, LOGINS)?;
        n += copy_table(&from, &to, SESSIONS)?;
        n += copy_table(&from, &to, DOCS)?;
        n += copy_table(&from, &to, SUMMARIES)?;
        n += copy_table(&from, &to, META)?;
        n += copy_table(&from, &to, DOC_CHUNKS)?;
        n += copy_table(&from, &to, DOC_SEQ)?;
        n += copy_table(&from, &to, CHANGES)?;
        n += copy_table(&from, &to, SYNC_STATES)?;
        n += copy_table(&from, &to, HELLO_DAYS)?;
        n += copy_table(&from, &to, COUNTERS)?;
        // The key belongs to the relay that made the copy, not to a relay
        // started from it.
        to.open_table(META)?.remove(META_BACKUP_KEY)?;
        to.commit()?;
        Ok(n)
    }

    fn set_backup_key(&self, key_hash: &[u8]) -> Result<(), StoreError> {
        let hex = backup_key_hex(key_hash);
        let tx = self.db.begin_write()?;
        tx.open_table(META)?.insert(META_BACKUP_KEY, hex.as_str())?;
        tx.commit()?;
        Ok(())
    }

    fn is_backup_key(&self, key_hash: &[u8]) -> Result<bool, StoreError> {
        let hex = backup_key_hex(key_hash);
        let tx = self.db.begin_read()?;
        Ok(tx
            .open_table(META)?
            .get(META_BACKUP_KEY)?
            .is_some_and(|v| v.value() == hex))
    }

    fn dump(&self) -> Result<Dump, StoreError> {
        let tx = self.db.begin_read()?;
        let mut dump = Dump {
            users: self.users()?,
            storage_id: self.storage_id()?,
            workspace: self.workspace_id()?,
            summary_version: self.summary_version()?,
            last_seq: self.last_seq()?,
            ..Dump::default()
        };
        for row in tx.open_table(SESSIONS)?.iter()? {
            let (hash, record) = row?;
            dump.sessions
                .push((hash.value().to_vec(), parse(record.value())?));
        }
        let chunks = tx.open_table(DOC_CHUNKS)?;
        let summaries = tx.open_table(SUMMARIES)?;
        let seqs = tx.open_table(DOC_SEQ)?;
        for row in tx.open_table(DOCS)?.iter()? {
            let (id, snapshot) = row?;
            let id = id.value().to_owned();
            let mut doc_chunks = Vec::new();
            for chunk in chunks.range((id.as_str(), 0)..=(id.as_str(), u64::MAX))? {
                doc_chunks.push(chunk?.1.value().to_vec());
            }
            dump.docs.push(DumpedDoc {
                snapshot: snapshot.value().to_vec(),
                chunks: doc_chunks,
                summary: summaries.get(id.as_str())?.map(|v| v.value().to_vec()),
                seq: seqs.get(id.as_str())?.map_or(0, |v| v.value()),
                id,
            });
        }
        for row in tx.open_table(SYNC_STATES)?.iter()? {
            let (key, state) = row?;
            let (storage, doc) = key.value();
            dump.sync_states
                .push((storage.to_owned(), doc.to_owned(), state.value().to_vec()));
        }
        for row in tx.open_table(HELLO_DAYS)?.iter()? {
            let (device, day) = row?;
            dump.hello_days
                .push((device.value().to_owned(), day.value()));
        }
        Ok(dump)
    }

    fn restore(&self, dump: &Dump) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        for user in &dump.users {
            let json = serde_json::to_vec(user).map_err(|e| StoreError::Damaged(e.to_string()))?;
            tx.open_table(USERS)?
                .insert(user.id.as_str(), json.as_slice())?;
            tx.open_table(LOGINS)?
                .insert(user.login.to_lowercase().as_str(), user.id.as_str())?;
        }
        for (hash, session) in &dump.sessions {
            let json =
                serde_json::to_vec(session).map_err(|e| StoreError::Damaged(e.to_string()))?;
            tx.open_table(SESSIONS)?
                .insert(hash.as_slice(), json.as_slice())?;
        }
        for doc in &dump.docs {
            tx.open_table(DOCS)?
                .insert(doc.id.as_str(), doc.snapshot.as_slice())?;
            let mut chunks = tx.open_table(DOC_CHUNKS)?;
            for (n, chunk) in doc.chunks.iter().enumerate() {
                chunks.insert((doc.id.as_str(), n as u64), chunk.as_slice())?;
            }
            if let Some(summary) = &doc.summary {
                tx.open_table(SUMMARIES)?
                    .insert(doc.id.as_str(), summary.as_slice())?;
            }
            tx.open_table(DOC_SEQ)?.insert(doc.id.as_str(), doc.seq)?;
            tx.open_table(CHANGES)?.insert(doc.seq, doc.id.as_str())?;
        }
        for (storage, doc, state) in &dump.sync_states {
            tx.open_table(SYNC_STATES)?
                .insert((storage.as_str(), doc.as_str()), state.as_slice())?;
        }
        for (device, day) in &dump.hello_days {
            tx.open_table(HELLO_DAYS)?.insert(device.as_str(), *day)?;
        }
        {
            let mut meta = tx.open_table(META)?;
            meta.insert(META_STORAGE_ID, dump.storage_id.as_str())?;
            meta.insert(
                META_SUMMARY_VERSION,
                dump.summary_version.to_string().as_str(),
            )?;
            if let Some(workspace) = &dump.workspace {
                meta.insert(META_WORKSPACE, workspace.as_str())?;
            }
        }
        tx.open_table(COUNTERS)?
            .insert(COUNTER_SEQ, dump.last_seq)?;
        tx.commit()?;
        Ok(())
    }
}

/// Writes one document's change into a transaction and numbers it.
fn write_change(tx: &redb::WriteTransaction, change: &DocChange<'_>) -> Result<u64, StoreError> {
    match change.snapshot {
        Some(snapshot) => {
            tx.open_table(DOCS)?.insert(change.id, snapshot)?;
            clear_chunks(tx, change.id)?;
        }
        None => {
            let mut docs = tx.open_table(DOCS)?;
            if docs.get(change.id)?.is_none() {
                docs.insert(change.id, change.chunk)?;
            } else {
                let mut chunks = tx.open_table(DOC_CHUNKS)?;
                let next = chunks
                    .range((change.id, 0)..=(change.id, u64::MAX))?
                    .next_back()
                    .transpose()?
                    .map_or(0, |(k, _)| k.value().1 + 1);
                chunks.insert((change.id, next), change.chunk)?;
            }
        }
    }
    if let Some(summary) = change.summary {
        tx.open_table(SUMMARIES)?.insert(change.id, summary)?;
    }
    if let Some((storage, state)) = change.sync_state {
        tx.open_table(SYNC_STATES)?
            .insert((storage, change.id), state)?;
    }
    bump_seq(tx, change.id)
}

/// Gives the document the next change number, moving its row in the
/// change index, and returns the number.
fn bump_seq(tx: &redb::WriteTransaction, id: &str) -> Result<u64, StoreError> {
    let mut counters = tx.open_table(COUNTERS)?;
    let seq = counters.get(COUNTER_SEQ)?.map_or(0, |v| v.value()) + 1;
    counters.insert(COUNTER_SEQ, seq)?;
    let mut by_doc = tx.open_table(DOC_SEQ)?;
    let mut changes = tx.open_table(CHANGES)?;
    if let Some(old) = by_doc.insert(id, seq)? {
        changes.remove(old.value())?;
    }
    changes.insert(seq, id)?;
    Ok(seq)
}

fn clear_chunks(tx: &redb::WriteTransaction, id: &str) -> Result<(), StoreError> {
    let mut chunks = tx.open_table(DOC_CHUNKS)?;
    chunks.retain_in((id, 0)..=(id, u64::MAX), |_, _| false)?;
    Ok(())
}

/// Appends a document's chunks to `bytes`; returns how many there were.
fn append_chunks(
    chunks: &impl ReadableTable<(&'static str, u64), &'static [u8]>,
    id: &str,
    bytes: &mut Vec<u8>,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for row in chunks.range((id, 0)..=(id, u64::MAX))? {
        let (_, chunk) = row?;
        bytes.extend_from_slice(chunk.value());
        n += 1;
    }
    Ok(n)
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

/// Copies every row of a table from a snapshot into a new database.
fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    from: &redb::ReadTransaction,
    to: &redb::WriteTransaction,
    table: TableDefinition<K, V>,
) -> Result<u64, StoreError> {
    let source = match from.open_table(table) {
        Ok(source) => source,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut target = to.open_table(table)?;
    let mut n = 0;
    for row in source.iter()? {
        let (key, value) = row?;
        target.insert(key.value(), value.value())?;
        n += 1;
    }
    Ok(n)
}
