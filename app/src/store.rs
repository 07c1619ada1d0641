//! The one writer of documents on the device.
//!
//! An edit is made on the in-memory Automerge document, its incremental
//! change and the client's new summary are written to IndexedDB in one
//! transaction, and only when that has committed does the caller hear
//! "saved". If the write fails, the in-memory copy is dropped, so the next
//! read reloads the last state that reached the disk: a failed save loses
//! the failed edit only, never what was saved before.
//!
//! Writes go one at a time (an async lock), so two quick edits of one card
//! cannot interleave their chunks.

use std::cell::RefCell;
use std::collections::HashMap;

use automerge::ActorId;
use futures::lock::Mutex;
use kartoteka::api::{BundleError, BundleKind, SessionUser, decode_bundle};
use kartoteka::client::{ClientDoc, MergeError};
use kartoteka::date::Timestamp;
use kartoteka::document::{ClientDocument, DocumentError, WorkspaceDocument};
use kartoteka::history::{Entry, card_history};
use kartoteka::ids::{UserId, actor_for};
use kartoteka::summary::ClientSummary;
use kartoteka::workspace::WorkspaceDoc;

use crate::io::idb::{IdbError, UserDb};
use crate::io::platform::{now_ms, yield_now};

/// After this many appended changes a document is folded into one snapshot.
const COMPACT_AFTER: u32 = 32;
/// How many summaries are read and parsed between two yields to the
/// browser (about 1 MB of JSON: a few tens of ms).
const READ_BATCH: u32 = 1_000;
/// How many documents one IndexedDB transaction stores on first download.
const IMPORT_BATCH: usize = 500;

const META_BOOTSTRAPPED: &str = "bootstrapped";
const META_WORKSPACE: &str = "workspace_id";

/// Why the store could not do what was asked.
#[derive(Debug)]
pub enum StoreError {
    /// IndexedDB failed.
    Storage(IdbError),
    /// A stored document cannot be read.
    Damaged(DocumentError),
    /// The downloaded bundle is damaged.
    Bundle(BundleError),
    /// No such document on this device.
    NotFound,
    /// The user id is not a UUID (a damaged session).
    BadUser,
    /// The history of a document cannot be read.
    History(String),
    /// Two clients cannot be merged.
    Merge(MergeError),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Storage(e) => write!(f, "{e}"),
            StoreError::Damaged(e) => write!(f, "{e}"),
            StoreError::Bundle(e) => write!(f, "{e}"),
            StoreError::NotFound => f.write_str("not on this device"),
            StoreError::BadUser => f.write_str("the session names no valid user"),
            StoreError::History(e) => f.write_str(e),
            StoreError::Merge(e) => write!(f, "{e}"),
        }
    }
}

impl From<IdbError> for StoreError {
    fn from(e: IdbError) -> Self {
        StoreError::Storage(e)
    }
}

impl From<DocumentError> for StoreError {
    fn from(e: DocumentError) -> Self {
        StoreError::Damaged(e)
    }
}

struct OpenDoc {
    doc: ClientDocument,
    /// The sequence number the next appended chunk gets.
    next_seq: u32,
}

/// The documents of the logged-in user on this device.
pub struct Store {
    db: UserDb,
    user: SessionUser,
    actor: ActorId,
    open: RefCell<HashMap<String, OpenDoc>>,
    writing: Mutex<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("user", &self.user.login)
            .finish()
    }
}

impl Store {
    /// Opens the user's data on this device.
    pub async fn open(user: SessionUser, device: [u8; 8]) -> Result<Store, StoreError> {
        let actor = actor_for(&user.id, device).ok_or(StoreError::BadUser)?;
        let db = UserDb::open(user.id.as_str()).await?;
        Ok(Store {
            db,
            user,
            actor,
            open: RefCell::new(HashMap::new()),
            writing: Mutex::new(()),
        })
    }

    /// The user whose data this is.
    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    /// Whether the base was downloaded to this device already.
    pub async fn is_bootstrapped(&self) -> Result<bool, StoreError> {
        Ok(self.db.meta(META_BOOTSTRAPPED).await?.is_some())
    }

    /// Stores the bundle downloaded on first start, in batches, reporting
    /// progress; marks the base as downloaded only when all is stored.
    pub async fn import_bundle(
        &self,
        bytes: &[u8],
        progress: impl Fn(usize, usize),
    ) -> Result<(), StoreError> {
        let entries = decode_bundle(bytes).map_err(StoreError::Bundle)?;
        let _guard = self.writing.lock().await;
        let total = entries.len();
        let mut done = 0;
        for batch in entries.chunks(IMPORT_BATCH) {
            let rows: Vec<(&str, &[u8], Option<&str>)> = batch
                .iter()
                .map(|e| {
                    let summary = match e.kind {
                        BundleKind::Client => std::str::from_utf8(&e.summary).ok(),
                        BundleKind::Workspace => None,
                    };
                    (e.id.as_str(), e.doc.as_slice(), summary)
                })
                .collect();
            self.db.put_many(&rows).await?;
            if let Some(ws) = batch.iter().find(|e| e.kind == BundleKind::Workspace) {
                self.db.set_meta(META_WORKSPACE, &ws.id).await?;
            }
            done += batch.len();
            progress(done, total);
            yield_now().await;
        }
        self.db.set_meta(META_BOOTSTRAPPED, "1").await?;
        Ok(())
    }

    /// Every client's summary, read and parsed in batches with the
    /// browser free to paint and handle input in between; unreadable ones
    /// are skipped (their documents still open, and the summary is
    /// rewritten on their next change).
    pub async fn summaries(
        &self,
        progress: impl Fn(usize, usize),
    ) -> Result<Vec<ClientSummary>, StoreError> {
        let total = self.db.summary_count().await? as usize;
        let mut out = Vec::with_capacity(total);
        let mut after: Option<String> = None;
        loop {
            let (rows, last) = self
                .db
                .summaries_after(after.as_deref(), READ_BATCH)
                .await?;
            out.extend(
                rows.iter()
                    .filter_map(|json| serde_json::from_str::<ClientSummary>(json).ok()),
            );
            progress(out.len().min(total), total);
            if rows.len() < READ_BATCH as usize || last.is_none() {
                return Ok(out);
            }
            after = last;
            yield_now().await;
        }
    }

    /// The workspace document.
    pub async fn workspace(&self) -> Result<WorkspaceDoc, StoreError> {
        let id = self
            .db
            .meta(META_WORKSPACE)
            .await?
            .ok_or(StoreError::NotFound)?;
        let stored = self.db.load(&id).await?.ok_or(StoreError::NotFound)?;
        Ok(WorkspaceDocument::load(&stored.concatenated())?.read()?)
    }

    async fn ensure_open(&self, id: &str) -> Result<(), StoreError> {
        if self.open.borrow().contains_key(id) {
            return Ok(());
        }
        let stored = self.db.load(id).await?.ok_or(StoreError::NotFound)?;
        let mut doc = ClientDocument::load(&stored.concatenated())?;
        doc.set_actor(self.actor.clone());
        self.open.borrow_mut().insert(
            id.to_owned(),
            OpenDoc {
                doc,
                next_seq: stored.next_seq,
            },
        );
        Ok(())
    }

    /// A client's document, loaded from IndexedDB on first use.
    pub async fn client(&self, id: &str) -> Result<ClientDoc, StoreError> {
        self.ensure_open(id).await?;
        let open = self.open.borrow();
        let doc = open.get(id).ok_or(StoreError::NotFound)?;
        Ok(doc.doc.read()?)
    }

    /// Creates a client's document and stores it; returns its summary.
    pub async fn create_client(&self, client: &ClientDoc) -> Result<ClientSummary, StoreError> {
        let _guard = self.writing.lock().await;
        let mut doc = ClientDocument::create(client, self.actor.clone(), Timestamp(now_ms()))?;
        let summary = ClientSummary::of(client);
        let json = summary_json(&summary);
        self.db
            .put_snapshot(client.id.as_str(), &doc.save(), Some(&json))
            .await?;
        self.open
            .borrow_mut()
            .insert(client.id.to_string(), OpenDoc { doc, next_seq: 0 });
        Ok(summary)
    }

    /// Changes a client: `edit` gets the current model; what differs is
    /// committed, stored and only then reported. Returns the new model and
    /// summary (unchanged ones when the edit changed nothing).
    pub async fn change_client(
        &self,
        id: &str,
        message: &str,
        edit: impl FnOnce(&mut ClientDoc),
    ) -> Result<(ClientDoc, ClientSummary), StoreError> {
        let _guard = self.writing.lock().await;
        self.ensure_open(id).await?;
        let mut open = self
            .open
            .borrow_mut()
            .remove(id)
            .ok_or(StoreError::NotFound)?;
        let (model, changed) = open.doc.change(Timestamp(now_ms()), message, edit)?;
        let summary = ClientSummary::of(&model);
        if !changed {
            self.open.borrow_mut().insert(id.to_owned(), open);
            return Ok((model, summary));
        }
        let json = summary_json(&summary);
        let written = if open.next_seq >= COMPACT_AFTER {
            let snapshot = open.doc.save();
            self.db
                .put_snapshot(id, &snapshot, Some(&json))
                .await
                .map(|()| 0)
        } else {
            let chunk = open.doc.save_incremental();
            self.db
                .append(id, open.next_seq, &chunk, &json)
                .await
                .map(|()| open.next_seq + 1)
        };
        // On failure the in-memory copy (holding the unsaved change) is
        // dropped: the next read reloads what is on disk.
        let next_seq = written?;
        open.next_seq = next_seq;
        self.open.borrow_mut().insert(id.to_owned(), open);
        Ok((model, summary))
    }
}

impl Store {
    /// The card's change history, oldest first (SPEC 2).
    pub async fn history(&self, id: &str) -> Result<Vec<Entry>, StoreError> {
        self.ensure_open(id).await?;
        let mut open = self.open.borrow_mut();
        let doc = open.get_mut(id).ok_or(StoreError::NotFound)?;
        card_history(&mut doc.doc).map_err(|e| StoreError::History(e.to_string()))
    }

    /// Merges client `other` into `survivor` (SPEC 2): the survivor takes
    /// everything of the other one and is stored first; then the other one
    /// is marked as merged into it. Should the second write fail, doing
    /// the merge again completes it (taking the facts again adds nothing).
    /// Returns both new summaries, the survivor's first.
    pub async fn merge_clients(
        &self,
        survivor: &str,
        other: &str,
        by: &UserId,
    ) -> Result<(ClientSummary, ClientSummary), StoreError> {
        let absorbed = self.client(other).await?;
        let target = self.client(survivor).await?;
        // Checked before writing anything.
        target
            .clone()
            .absorb(&absorbed, by, Timestamp(now_ms()))
            .map_err(StoreError::Merge)?;
        let at = Timestamp(now_ms());
        let (_, survivor_summary) = self
            .change_client(survivor, "merge a duplicate in", |doc| {
                // Checked above on the same model.
                let _ = doc.absorb(&absorbed, by, at);
            })
            .await?;
        let survivor_id = target.id.clone();
        let (_, other_summary) = self
            .change_client(other, "merged into another client", |doc| {
                doc.mark_merged_into(&survivor_id);
            })
            .await?;
        Ok((survivor_summary, other_summary))
    }
}

fn summary_json(summary: &ClientSummary) -> String {
    // A summary is plain data; serialising it cannot fail.
    serde_json::to_string(summary).unwrap_or_default()
}
