//! IndexedDB: where every document, its incremental changes and the cached
//! read model live on the device. Nothing else in the app touches it.
//!
//! Two databases:
//! - `kartoteka-device` (store `device`): who is logged in on this device,
//!   the device id, the language — readable before anyone logs in;
//! - `kartoteka-<user id>`: that user's data, so two people sharing a
//!   tablet never see each other's base:
//!   - `docs`: document id → the saved snapshot (`Uint8Array`);
//!   - `chunks`: `<doc id>/<8-digit seq>-<writer>` → an incremental change
//!     appended after the snapshot by one tab (`writer`: its actor's device
//!     bytes, so two tabs never write the same key); a document is its
//!     snapshot plus its chunks, and chunks are folded into a new snapshot
//!     when they grow (compaction), which deletes only the chunks the
//!     compacting tab has read;
//!   - `summaries`: document id → the client's summary (JSON text), all
//!     the list, search and rules need, read in one go at start-up;
//!   - `sales`: document id → the sales part of the summary (JSON text:
//!     Interests and accounting document numbers), read when a sales page
//!     first opens; no record when the client has none. Written in the
//!     same transaction as the summary. (Before version 3 it was part of
//!     the summary; such summaries are computed again once, in the
//!     background, see `Store::refresh_summaries`.)
//!   - `meta`: named values (bootstrap done, workspace id, sync cursor, …);
//!   - `sync_states`: document id → the Automerge sync state with the
//!     relay (encoded), so a reconnect resumes where it stopped;
//!   - `outbox`: ids of the documents holding local changes the relay has
//!     not confirmed yet (written in the same transaction as the change).
//!
//! Every write is one transaction that has committed when the future
//! resolves, so "saved" in the UI means "on disk".
//!
//! A newer version of the app opened in another tab may need to upgrade a
//! database; the browser then asks every open connection to close
//! (`versionchange`), and the upgrade waits while one stays open. So every
//! connection closes itself at once and says so ([`on_closed_for_upgrade`]:
//! the app asks the person to reload); what this tab tries to read or write
//! afterwards fails with [`IdbError::Closed`]. Nothing saved is lost: a
//! transaction under way completes first (the browser closes a connection
//! only after its transactions), and a write asked for later is reported
//! as not saved.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use indexed_db_futures::KeyRange;
use indexed_db_futures::database::{Database, ObjectStoreName};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

const DEVICE_DB: &str = "kartoteka-device";
const DEVICE: &str = "device";
const DOCS: &str = "docs";
const CHUNKS: &str = "chunks";
const SUMMARIES: &str = "summaries";
const SALES: &str = "sales";
const META: &str = "meta";
const SYNC_STATES: &str = "sync_states";
const OUTBOX: &str = "outbox";

/// A failure of the browser's storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdbError {
    /// The browser's storage refused or failed an operation.
    #[error("IndexedDB: {0}")]
    Failed(String),
    /// This tab closed the database so that a newer version of the app,
    /// opened in another tab, could upgrade it: nothing more is read or
    /// written here until the page is reloaded.
    #[error(
        "IndexedDB: the database was closed for a newer version of the app \
         opened in another tab; reload the page"
    )]
    Closed,
}

impl From<indexed_db_futures::error::Error> for IdbError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        IdbError::Failed(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for IdbError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        IdbError::Failed(e.to_string())
    }
}

thread_local! {
    /// Told when this tab closed a database for a newer version (see
    /// [`on_closed_for_upgrade`]).
    static ON_CLOSED: RefCell<Option<Rc<dyn Fn()>>> = RefCell::new(None);
}

/// From now on `f` is called whenever this tab closes one of its
/// databases because a newer version of the app (in another tab) asks to
/// upgrade or delete it: the page must be reloaded to go on.
pub fn on_closed_for_upgrade(f: impl Fn() + 'static) {
    ON_CLOSED.with(|c| *c.borrow_mut() = Some(Rc::new(f)));
}

/// An open database that steps aside for a newer version: on the
/// browser's `versionchange` event it closes itself (an open connection
/// would block the other tab's upgrade until this one is closed), and
/// every later read or write fails with [`IdbError::Closed`].
#[derive(Debug, Clone)]
struct Connection {
    db: Database,
    closed: Rc<Cell<bool>>,
}

impl Connection {
    fn new(db: Database) -> Connection {
        let closed = Rc::new(Cell::new(false));
        let sys: &web_sys::IdbDatabase = db.as_sys();
        let handle = sys.clone();
        let flag = closed.clone();
        // Called at most once (a closed database gets no more events);
        // a connection never asked to step aside keeps its small closure
        // for the page's life, as the browser keeps the connection.
        let on_version_change = Closure::once_into_js(move || {
            handle.close();
            flag.set(true);
            let told = ON_CLOSED.with(|c| c.borrow().clone());
            if let Some(f) = told {
                f();
            }
        });
        sys.set_onversionchange(Some(on_version_change.unchecked_ref()));
        Connection { db, closed }
    }

    /// The database, unless it was closed for a newer version.
    fn get(&self) -> Result<&Database> {
        if self.closed.get() {
            Err(IdbError::Closed)
        } else {
            Ok(&self.db)
        }
    }

    /// A read-only transaction on `stores`.
    fn reading<S: ObjectStoreName>(&self, stores: S) -> Result<Transaction<'_>> {
        Ok(self.get()?.transaction(stores).build()?)
    }

    /// A read-write transaction on `stores`.
    fn writing<S: ObjectStoreName>(&self, stores: S) -> Result<Transaction<'_>> {
        Ok(self
            .get()?
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }
}

/// The result of a storage operation.
pub type Result<T> = std::result::Result<T, IdbError>;

fn bytes_to_js(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

fn js_to_bytes(value: &JsValue) -> Result<Vec<u8>> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| IdbError::Failed("a stored document is not bytes".into()))
}

use wasm_bindgen::JsCast;

/// The device-wide database: the session and preferences.
#[derive(Debug, Clone)]
pub struct DeviceDb {
    db: Connection,
}

impl DeviceDb {
    /// Opens (creating on first use) the device database.
    pub async fn open() -> Result<DeviceDb> {
        let db = Database::open(DEVICE_DB)
            .with_version(1u32)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(DEVICE).build()?;
                }
                Ok(())
            })
            .await?;
        Ok(DeviceDb {
            db: Connection::new(db),
        })
    }

    /// A stored text value.
    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        let tx = self.db.reading(DEVICE)?;
        let store = tx.object_store(DEVICE)?;
        let value: Option<String> = store.get(key).await?;
        Ok(value)
    }

    /// Stores a text value.
    pub async fn put(&self, key: &str, value: &str) -> Result<()> {
        let tx = self.db.writing(DEVICE)?;
        tx.object_store(DEVICE)?.put(value).with_key(key).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a value.
    pub async fn delete(&self, key: &str) -> Result<()> {
        let tx = self.db.writing(DEVICE)?;
        tx.object_store(DEVICE)?.delete(key).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One user's data on this device.
#[derive(Debug, Clone)]
pub struct UserDb {
    db: Connection,
}

/// A document as stored: its snapshot and the changes appended since.
#[derive(Debug, Clone, Default)]
pub struct StoredDoc {
    pub snapshot: Vec<u8>,
    pub chunks: Vec<Vec<u8>>,
    /// The sequence number the next chunk gets.
    pub next_seq: u32,
    /// The keys of the chunks read, so a compaction deletes only these.
    pub chunk_keys: Vec<String>,
}

impl StoredDoc {
    /// Snapshot and chunks as one byte string Automerge loads.
    pub fn concatenated(&self) -> Vec<u8> {
        let len = self.snapshot.len() + self.chunks.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.snapshot);
        for c in &self.chunks {
            out.extend_from_slice(c);
        }
        out
    }
}

/// A client's summary as stored: the part start-up reads, and the sales
/// part (`None` when the client has no Interests or documents: no record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRows {
    pub summary: String,
    pub sales: Option<String>,
}

impl SummaryRows {
    fn put(&self, tx: &indexed_db_futures::transaction::Transaction<'_>, id: &str) -> Result<()> {
        tx.object_store(SUMMARIES)?
            .put(self.summary.as_str())
            .with_key(id)
            .build()?;
        put_sales(&tx.object_store(SALES)?, id, self.sales.as_deref())
    }
}

/// Puts a sales part, or removes the record when there is none.
fn put_sales(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    id: &str,
    sales: Option<&str>,
) -> Result<()> {
    match sales {
        Some(sales) => {
            store.put(sales).with_key(id).build()?;
        }
        None => {
            store.delete(id).build()?;
        }
    }
    Ok(())
}

fn chunk_key(doc: &str, seq: u32, writer: &str) -> String {
    format!("{doc}/{seq:08}-{writer}")
}

/// The sequence number in a chunk key (`<doc>/<seq>` or `<doc>/<seq>-<writer>`).
fn chunk_seq(key: &str) -> Option<u32> {
    let tail = key.rsplit('/').next()?;
    tail.split('-').next()?.parse().ok()
}

/// All chunk keys of a document: `<id>/` up to `<id>/` followed by the
/// highest code unit.
fn chunk_range(doc: &str) -> KeyRange<String> {
    KeyRange::Bound(format!("{doc}/"), false, format!("{doc}/\u{ffff}"), false)
}

impl UserDb {
    /// Opens (creating on first use) the database of one user.
    pub async fn open(user_id: &str) -> Result<UserDb> {
        let db = Database::open(format!("kartoteka-{user_id}"))
            .with_version(3u32)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(DOCS).build()?;
                    db.create_object_store(CHUNKS).build()?;
                    db.create_object_store(SUMMARIES).build()?;
                    db.create_object_store(META).build()?;
                }
                if event.old_version() < 2.0 {
                    db.create_object_store(SYNC_STATES).build()?;
                    db.create_object_store(OUTBOX).build()?;
                }
                if event.old_version() < 3.0 {
                    db.create_object_store(SALES).build()?;
                }
                Ok(())
            })
            .await?;
        Ok(UserDb {
            db: Connection::new(db),
        })
    }

    /// A named value from `meta`.
    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        let tx = self.db.reading(META)?;
        let value: Option<String> = tx.object_store(META)?.get(key).await?;
        Ok(value)
    }

    /// Stores a named value in `meta`.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        let tx = self.db.writing(META)?;
        tx.object_store(META)?.put(value).with_key(key).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Up to `count` cached summaries (JSON text) whose document ids come
    /// after `after`, in id order, with the last id read (to continue
    /// from). Reading in batches keeps each main-thread task short.
    pub async fn summaries_after(
        &self,
        after: Option<&str>,
        count: u32,
    ) -> Result<(Vec<String>, Option<String>)> {
        let (rows, keys) = self.texts_after(SUMMARIES, after, count).await?;
        Ok((rows, keys.last().cloned()))
    }

    /// Up to `count` sales parts of summaries after `after`, with their
    /// document ids, as [`UserDb::summaries_after`].
    pub async fn sales_after(
        &self,
        after: Option<&str>,
        count: u32,
    ) -> Result<Vec<(String, String)>> {
        let (rows, keys) = self.texts_after(SALES, after, count).await?;
        Ok(keys.into_iter().zip(rows).collect())
    }

    /// Up to `count` values and their keys of a store of texts, keys
    /// after `after`, in key order.
    async fn texts_after(
        &self,
        name: &str,
        after: Option<&str>,
        count: u32,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let tx = self.db.reading(name)?;
        let store = tx.object_store(name)?;
        Ok(match after {
            Some(after) => {
                let range = || KeyRange::LowerBound(after.to_owned(), true);
                let rows = store
                    .get_all()
                    .with_query::<String, _>(range())
                    .with_limit(count)
                    .await?
                    .collect::<std::result::Result<_, _>>()?;
                let keys = store
                    .get_all_keys()
                    .with_query::<String, _>(range())
                    .with_limit(count)
                    .await?
                    .collect::<std::result::Result<_, _>>()?;
                (rows, keys)
            }
            None => {
                let rows = store
                    .get_all()
                    .with_limit(count)
                    .await?
                    .collect::<std::result::Result<_, _>>()?;
                let keys = store
                    .get_all_keys()
                    .with_limit(count)
                    .await?
                    .collect::<std::result::Result<_, _>>()?;
                (rows, keys)
            }
        })
    }

    /// Up to `count` ids of documents with a summary, after `after`, in
    /// id order.
    pub async fn summary_ids_after(&self, after: Option<&str>, count: u32) -> Result<Vec<String>> {
        let tx = self.db.reading(SUMMARIES)?;
        let store = tx.object_store(SUMMARIES)?;
        let keys = match after {
            Some(after) => {
                store
                    .get_all_keys()
                    .with_query::<String, _>(KeyRange::LowerBound(after.to_owned(), true))
                    .with_limit(count)
                    .await?
            }
            None => store.get_all_keys().with_limit(count).await?,
        };
        Ok(keys.collect::<std::result::Result<_, _>>()?)
    }

    /// Replaces summaries (computed again; their documents unchanged), in
    /// one transaction.
    pub async fn put_summaries(&self, rows: &[(String, SummaryRows)]) -> Result<()> {
        let tx = self.db.writing([SUMMARIES, SALES])?;
        for (id, summary) in rows {
            summary.put(&tx, id)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One cached summary (JSON text), if the document is on the device.
    pub async fn summary(&self, id: &str) -> Result<Option<String>> {
        let tx = self.db.reading(SUMMARIES)?;
        let value: Option<String> = tx.object_store(SUMMARIES)?.get(id).await?;
        Ok(value)
    }

    /// How many summaries are cached.
    pub async fn summary_count(&self) -> Result<u32> {
        let tx = self.db.reading(SUMMARIES)?;
        let n: u32 = tx.object_store(SUMMARIES)?.count().await?;
        Ok(n)
    }

    /// A document's snapshot and chunks, if it is stored.
    pub async fn load(&self, id: &str) -> Result<Option<StoredDoc>> {
        let tx = self.db.reading([DOCS, CHUNKS])?;
        let snapshot: Option<JsValue> = tx.object_store(DOCS)?.get(id).await?;
        let Some(snapshot) = snapshot else {
            return Ok(None);
        };
        let chunks = tx.object_store(CHUNKS)?;
        let keys: Vec<String> = chunks
            .get_all_keys()
            .with_query::<String, _>(chunk_range(id))
            .await?
            .collect::<std::result::Result<_, _>>()?;
        let values: Vec<JsValue> = chunks
            .get_all()
            .with_query::<String, _>(chunk_range(id))
            .await?
            .collect::<std::result::Result<_, _>>()?;
        let next_seq = keys
            .iter()
            .filter_map(|k| chunk_seq(k))
            .max()
            .map_or(0, |s| s + 1);
        Ok(Some(StoredDoc {
            snapshot: js_to_bytes(&snapshot)?,
            chunks: values.iter().map(js_to_bytes).collect::<Result<_>>()?,
            next_seq,
            chunk_keys: keys,
        }))
    }

    /// The keys of a document's stored chunks (to see whether another tab
    /// wrote it since this one read it).
    pub async fn chunk_keys(&self, id: &str) -> Result<Vec<String>> {
        let tx = self.db.reading(CHUNKS)?;
        let keys: Vec<String> = tx
            .object_store(CHUNKS)?
            .get_all_keys()
            .with_query::<String, _>(chunk_range(id))
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(keys)
    }

    /// Appends a document's change and its new summary, atomically; a
    /// `local` change also puts the document in the outbox, in the same
    /// transaction, so no stored edit is ever forgotten by sync.
    /// Returns the chunk's key.
    pub async fn append(
        &self,
        id: &str,
        (seq, writer): (u32, &str),
        chunk: &[u8],
        summary: &SummaryRows,
        local: bool,
    ) -> Result<String> {
        let key = chunk_key(id, seq, writer);
        let tx = self.db.writing([CHUNKS, SUMMARIES, SALES, OUTBOX])?;
        if local {
            tx.object_store(OUTBOX)?.put("1").with_key(id).build()?;
        }
        tx.object_store(CHUNKS)?
            .put(bytes_to_js(chunk))
            .with_key(key.as_str())
            .build()?;
        summary.put(&tx, id)?;
        tx.commit().await?;
        Ok(key)
    }

    /// Stores a whole document (a new one, or a compaction of an existing
    /// one) with its summary, dropping the chunks `folded` into it (`None`:
    /// all of them), atomically; `local` as for [`UserDb::append`]. A
    /// chunk another tab appended meanwhile is kept: loading it again
    /// with the snapshot adds what it holds, and repeats nothing.
    pub async fn put_snapshot(
        &self,
        id: &str,
        snapshot: &[u8],
        summary: Option<&SummaryRows>,
        local: bool,
        folded: Option<&[String]>,
    ) -> Result<()> {
        let tx = self.db.writing([DOCS, CHUNKS, SUMMARIES, SALES, OUTBOX])?;
        if local {
            tx.object_store(OUTBOX)?.put("1").with_key(id).build()?;
        }
        tx.object_store(DOCS)?
            .put(bytes_to_js(snapshot))
            .with_key(id)
            .build()?;
        let chunks = tx.object_store(CHUNKS)?;
        match folded {
            Some(keys) => {
                for key in keys {
                    chunks.delete(key.as_str()).build()?;
                }
            }
            None => {
                chunks.delete::<String, _>(chunk_range(id)).build()?;
            }
        }
        if let Some(summary) = summary {
            summary.put(&tx, id)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores many documents with their summaries in one transaction (the
    /// first download of the base).
    pub async fn put_many(&self, docs: &[(&str, &[u8], Option<SummaryRows>)]) -> Result<()> {
        let tx = self.db.writing([DOCS, SUMMARIES, SALES])?;
        let store = tx.object_store(DOCS)?;
        for (id, bytes, summary) in docs {
            store.put(bytes_to_js(bytes)).with_key(*id).build()?;
            if let Some(summary) = summary {
                summary.put(&tx, id)?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The ids of the documents in the outbox.
    pub async fn outbox(&self) -> Result<Vec<String>> {
        let tx = self.db.reading(OUTBOX)?;
        let keys: Vec<String> = tx
            .object_store(OUTBOX)?
            .get_all_keys()
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(keys)
    }

    /// Takes a document out of the outbox (the relay has all its changes).
    pub async fn outbox_done(&self, id: &str) -> Result<()> {
        let tx = self.db.writing(OUTBOX)?;
        tx.object_store(OUTBOX)?.delete(id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A document's saved sync state with the relay.
    pub async fn sync_state(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.reading(SYNC_STATES)?;
        let value: Option<JsValue> = tx.object_store(SYNC_STATES)?.get(id).await?;
        value.as_ref().map(js_to_bytes).transpose()
    }

    /// Saves a document's sync state with the relay.
    pub async fn set_sync_state(&self, id: &str, state: &[u8]) -> Result<()> {
        let tx = self.db.writing(SYNC_STATES)?;
        tx.object_store(SYNC_STATES)?
            .put(bytes_to_js(state))
            .with_key(id)
            .build()?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a document, its chunks, summary, sync state and outbox
    /// entry, atomically (the relay refused its changes: it is fetched
    /// again as the relay has it).
    pub async fn forget(&self, id: &str) -> Result<()> {
        self.drop_document(id, None).await
    }

    /// Removes a document as [`UserDb::forget`] does and stores a named
    /// value in `meta`, in one transaction (a client taken from the user:
    /// dropped, and remembered for the notices).
    pub async fn forget_noting(&self, id: &str, key: &str, value: &str) -> Result<()> {
        self.drop_document(id, Some((key, value))).await
    }

    async fn drop_document(&self, id: &str, note: Option<(&str, &str)>) -> Result<()> {
        let tx = self
            .db
            .writing([DOCS, CHUNKS, SUMMARIES, SALES, SYNC_STATES, OUTBOX, META])?;
        if let Some((key, value)) = note {
            tx.object_store(META)?.put(value).with_key(key).build()?;
        }
        tx.object_store(DOCS)?.delete(id).build()?;
        tx.object_store(CHUNKS)?
            .delete::<String, _>(chunk_range(id))
            .build()?;
        tx.object_store(SUMMARIES)?.delete(id).build()?;
        tx.object_store(SALES)?.delete(id).build()?;
        tx.object_store(SYNC_STATES)?.delete(id).build()?;
        tx.object_store(OUTBOX)?.delete(id).build()?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes this user's database (log out and forget the device's copy).
    pub async fn destroy(self) -> Result<()> {
        let db = self.db.get()?;
        let name = db.name();
        db.clone().close();
        Database::delete_by_name(&name)?.await?;
        Ok(())
    }
}
