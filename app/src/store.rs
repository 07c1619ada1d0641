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
//!
//! Changes that come from the relay ([`Store::receive_sync`]) take the same
//! path: applied to the in-memory document, written to IndexedDB, and only
//! then reported, so the list and the card never show what is not on disk.
//! A local change also puts its document in the outbox (in the same
//! transaction) and tells the sync client ([`Store::local_changes`]).
//!
//! Every committed write — a local edit, a sync message, an import, a
//! merge, summaries computed again, a document dropped — is announced once,
//! after IndexedDB has it, to the one observer ([`Store::observe`]: the
//! base, `crate::base`). Nobody else tells the list or a card that
//! something changed, so data flows one way: store → base → views.
//!
//! Several tabs of one browser each have a store of their own (their own
//! actor, their own chunk keys, see `Store::write`). A tab that committed
//! an edit of its own tells the other tabs of the same user which document
//! it wrote (`crate::io::tabs`, a `BroadcastChannel`); each of them reads
//! that document again from IndexedDB and, when it brings something new,
//! announces it to its observer like a change from the relay
//! ([`Store::take_in`]). So an open card and the list follow another tab
//! without a reload, and still only the store announces. Changes from the
//! relay are not passed on: every tab has its own socket and gets them.
//!
//! An edit may be refused ([`Store::try_change_client`]): the domain
//! function that makes it returns an error, checked on the stored document
//! itself (not on a card's possibly stale copy), and nothing is written.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::{ActorId, AutoCommit, ChangeHash};
use futures::channel::mpsc;
use futures::lock::Mutex;
use kartoteka::api::{BundleError, BundleKind, SessionUser, decode_bundle};
use kartoteka::client::{ClientDoc, MergeError, PotentialError};
use kartoteka::conflict::FieldConflict;
use kartoteka::date::Timestamp;
use kartoteka::document::{ClientDocument, DocumentError, WorkspaceDocument};
use kartoteka::history::{Entry, card_history};
use kartoteka::ids::{UserId, actor_for};
use kartoteka::notices::{Former, keep_former};
use kartoteka::summary::{AssignmentSummary, ClientSummary, SUMMARY_VERSION, SalesSummary};
use kartoteka::workspace::WorkspaceDoc;

use crate::io::idb::{IdbError, SummaryRows, UserDb};
use crate::io::platform::{now_ms, yield_now};
use crate::io::tabs::{self, TabNews, Tabs};

/// After this many appended changes a document is folded into one snapshot.
const COMPACT_AFTER: u32 = 32;
/// How many summaries are read and parsed between two yields to the
/// browser (about 1 MB of JSON: a few tens of ms).
const READ_BATCH: u32 = 1_000;
/// How many documents one IndexedDB transaction stores on first download.
const IMPORT_BATCH: usize = 500;

const META_BOOTSTRAPPED: &str = "bootstrapped";
const META_WORKSPACE: &str = "workspace_id";
/// The day up to which this device has started the win-backs due.
const META_WINBACKS: &str = "winbacks_checked_through";
/// The clients taken from the user that this device dropped, as JSON
/// [`Former`]s (the notices read them).
const META_FORMERS: &str = "notices_formers";
/// The [`SUMMARY_VERSION`] of the stored summaries (none: 1).
const META_SUMMARY_VERSION: &str = "summary_version";
/// How many documents one step of [`Store::refresh_summaries`] reads.
const REFRESH_BATCH: u32 = 100;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB failed.
    #[error("{0}")]
    Storage(IdbError),
    /// A stored document cannot be read.
    #[error("{0}")]
    Damaged(DocumentError),
    /// The downloaded bundle is damaged.
    #[error("{0}")]
    Bundle(BundleError),
    /// No such document on this device.
    #[error("not on this device")]
    NotFound,
    /// The user id is not a UUID (a damaged session).
    #[error("the session names no valid user")]
    BadUser,
    /// The history of a document cannot be read.
    #[error("{0}")]
    History(String),
    /// Two clients cannot be merged.
    #[error("{0}")]
    Merge(MergeError),
    /// A potential client's Interest cannot be linked or turned into a card.
    #[error("{0}")]
    Potential(PotentialError),
    /// A sync message from the relay cannot be read or applied.
    #[error("sync: {0}")]
    Sync(String),
}

/// Why an edit was not saved: the domain refused it (nothing was
/// written), or the store failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError<E> {
    /// The edit itself said no, checked on the stored document.
    #[error("{0}")]
    Refused(E),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl<E> EditError<E> {
    /// Turns the refusal into a store error (for callers that word both
    /// the same way).
    pub fn map_refused<F>(self, f: impl FnOnce(E) -> F) -> EditError<F> {
        match self {
            EditError::Refused(e) => EditError::Refused(f(e)),
            EditError::Store(e) => EditError::Store(e),
        }
    }
}

/// Where a committed write came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An edit made on this device (in this tab).
    Local,
    /// A change that came from the relay, or from another tab.
    Remote,
}

/// A write that reached IndexedDB, as announced to the observer.
#[derive(Debug, Clone)]
pub enum Committed {
    /// A client (or potential client) document was written.
    Client {
        doc: std::sync::Arc<ClientDoc>,
        summary: ClientSummary,
        origin: Origin,
    },
    /// Summaries computed again from unchanged documents.
    Refreshed(Vec<ClientSummary>),
    /// A document was dropped from the device (to be fetched again).
    Forgotten(String),
    /// The relay said the user may no longer read client `id`
    /// (`kt-parted`): it was dropped from the device (`dropped`; not while
    /// it holds changes the relay has not answered), and remembered as a
    /// former client if it was the user's (for the notices).
    Parted {
        id: String,
        former: Option<Former>,
        dropped: bool,
    },
    /// The workspace document was written.
    Workspace(WorkspaceDoc),
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
    /// The stored chunks this copy holds (read or written by this tab).
    chunk_keys: Vec<String>,
}

impl OpenDoc {
    fn new(doc: ClientDocument) -> OpenDoc {
        OpenDoc {
            doc,
            next_seq: 0,
            chunk_keys: Vec::new(),
        }
    }
}

/// Who is told every committed write.
type Observer = Rc<dyn Fn(Committed)>;

/// The documents of the logged-in user on this device.
pub struct Store {
    db: UserDb,
    user: SessionUser,
    actor: ActorId,
    /// This tab's part of the actor (hex), in the keys of the chunks it
    /// writes: two tabs never write the same key.
    writer: String,
    open: RefCell<HashMap<String, OpenDoc>>,
    /// Documents the relay is sending that are not on the device yet,
    /// until they are whole enough to be read as clients.
    fetching: RefCell<HashMap<String, AutoCommit>>,
    /// Told the id of every document changed on this device.
    local_changes: RefCell<Option<mpsc::UnboundedSender<String>>>,
    /// Told every committed write (see [`Store::observe`]).
    observer: RefCell<Option<Observer>>,
    /// The other tabs of this user, told what this one wrote (none where
    /// the browser has no `BroadcastChannel`).
    tabs: RefCell<Option<Tabs>>,
    /// What the other tabs wrote, until [`Store::other_tabs`] takes it.
    tab_news: RefCell<Option<mpsc::UnboundedReceiver<TabNews>>>,
    writing: Mutex<()>,
    /// The workspace document's id, once read (it never changes).
    workspace_id: RefCell<Option<String>>,
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
        let (tabs, tab_news) = match tabs::open(user.id.as_str()) {
            Ok((tabs, news)) => (Some(tabs), Some(news)),
            Err(e) => {
                leptos::logging::warn!("other tabs will not be followed live: {e}");
                (None, None)
            }
        };
        Ok(Store {
            db,
            user,
            actor,
            writer: device.iter().map(|b| format!("{b:02x}")).collect(),
            open: RefCell::new(HashMap::new()),
            fetching: RefCell::new(HashMap::new()),
            local_changes: RefCell::new(None),
            observer: RefCell::new(None),
            tabs: RefCell::new(tabs),
            tab_news: RefCell::new(tab_news),
            writing: Mutex::new(()),
            workspace_id: RefCell::new(None),
        })
    }

    /// From now on, every committed write is told to `observer` (one: the
    /// base), after IndexedDB has it.
    pub fn observe(&self, observer: impl Fn(Committed) + 'static) {
        *self.observer.borrow_mut() = Some(Rc::new(observer));
    }

    fn announce(&self, committed: Committed) {
        // Cloned out first: the observer may read the store again.
        let observer = self.observer.borrow().clone();
        if let Some(observer) = observer {
            observer(committed);
        }
    }

    fn announce_client(&self, doc: ClientDoc, summary: ClientSummary, origin: Origin) {
        self.announce(Committed::Client {
            doc: std::sync::Arc::new(doc),
            summary,
            origin,
        });
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
            // The relay sends whole summaries; the device keeps the sales
            // part apart.
            let rows: Vec<(&str, &[u8], Option<SummaryRows>)> = batch
                .iter()
                .map(|e| {
                    let summary = match e.kind {
                        BundleKind::Client => serde_json::from_slice::<ClientSummary>(&e.summary)
                            .ok()
                            .map(summary_rows),
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
        // The relay computes its summaries with this version's code.
        self.db
            .set_meta(META_SUMMARY_VERSION, &SUMMARY_VERSION.to_string())
            .await?;
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

    /// Every client's sales part (see [`SalesSummary`]) by document id,
    /// read in batches as [`Store::summaries`]; unreadable ones skipped.
    pub async fn sales(&self) -> Result<HashMap<String, SalesSummary>, StoreError> {
        let mut out = HashMap::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self.db.sales_after(after.as_deref(), READ_BATCH).await?;
            let full = rows.len() == READ_BATCH as usize;
            after = rows.last().map(|(id, _)| id.clone());
            out.extend(rows.into_iter().filter_map(|(id, json)| {
                serde_json::from_str::<SalesSummary>(&json)
                    .ok()
                    .map(|s| (id, s))
            }));
            if !full || after.is_none() {
                return Ok(out);
            }
            yield_now().await;
        }
    }

    /// Once after an upgrade: every summary stored by an older version
    /// (see [`SUMMARY_VERSION`]: missing what a summary holds now, or
    /// stored whole) is computed again from its document and stored with
    /// its sales part apart, a batch at a time between other writes. Each
    /// batch of new summaries is announced ([`Committed::Refreshed`]). A
    /// document that cannot be read keeps its summary.
    pub async fn refresh_summaries(&self) -> Result<(), StoreError> {
        let version = self.db.meta(META_SUMMARY_VERSION).await?;
        if version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(1) >= SUMMARY_VERSION {
            return Ok(());
        }
        let mut after: Option<String> = None;
        loop {
            let ids = self
                .db
                .summary_ids_after(after.as_deref(), REFRESH_BATCH)
                .await?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            let summaries = {
                // No write in between: what is computed is what is stored.
                let _guard = self.writing.lock().await;
                let mut summaries = Vec::with_capacity(ids.len());
                for id in &ids {
                    let open = self.open.borrow().get(id).map(|o| o.doc.read());
                    let model = match open {
                        Some(model) => model,
                        None => match self.db.load(id).await? {
                            Some(stored) => {
                                ClientDocument::load(&stored.concatenated()).and_then(|d| d.read())
                            }
                            None => continue,
                        },
                    };
                    match model {
                        Ok(model) => summaries.push(ClientSummary::of(&model)),
                        Err(e) => leptos::logging::warn!("summary of {id} kept: {e}"),
                    }
                }
                let rows: Vec<(String, SummaryRows)> = summaries
                    .iter()
                    .map(|s| (s.id.to_string(), summary_rows(s.clone())))
                    .collect();
                self.db.put_summaries(&rows).await?;
                summaries
            };
            self.announce(Committed::Refreshed(summaries));
            if ids.len() < REFRESH_BATCH as usize {
                break;
            }
            after = Some(last);
            yield_now().await;
        }
        self.db
            .set_meta(META_SUMMARY_VERSION, &SUMMARY_VERSION.to_string())
            .await?;
        Ok(())
    }

    /// The workspace document.
    pub async fn workspace(&self) -> Result<WorkspaceDoc, StoreError> {
        Ok(self.stored_workspace().await?.1.read()?)
    }

    /// The workspace document as stored, with its id, writing as this tab.
    /// The workspace is small and rarely changed, so it is read whole each
    /// time and stored whole.
    async fn stored_workspace(&self) -> Result<(String, WorkspaceDocument), StoreError> {
        let id = self
            .db
            .meta(META_WORKSPACE)
            .await?
            .ok_or(StoreError::NotFound)?;
        let stored = self.db.load(&id).await?.ok_or(StoreError::NotFound)?;
        let mut doc = WorkspaceDocument::load(&stored.concatenated())?;
        doc.set_actor(self.actor.clone());
        Ok((id, doc))
    }

    /// Whether `id` is the workspace document (synced like a client's,
    /// stored and read as the workspace).
    async fn is_workspace(&self, id: &str) -> bool {
        // Asked for every document the sync client touches: read once.
        if self.workspace_id.borrow().is_none() {
            let stored = self.db.meta(META_WORKSPACE).await.ok().flatten();
            *self.workspace_id.borrow_mut() = stored;
        }
        self.workspace_id.borrow().as_deref() == Some(id)
    }

    /// Changes the workspace document (statuses and rules, …): `edit` gets
    /// the current model; what differs is committed and stored as a new
    /// snapshot, and only then reported, to this tab's base, to the other
    /// tabs and to the sync client (which sends it to the relay at once).
    pub async fn change_workspace(
        &self,
        message: &str,
        edit: impl FnOnce(&mut WorkspaceDoc),
    ) -> Result<WorkspaceDoc, StoreError> {
        let _guard = self.writing.lock().await;
        let (id, mut doc) = self.stored_workspace().await?;
        let (model, changed) = doc.change_infallible(Timestamp(now_ms()), message, edit)?;
        if changed {
            self.db
                .put_snapshot(&id, &doc.save(), None, true, None)
                .await?;
            self.tell_sync(&id);
            self.tell_tabs(&TabNews::Workspace);
            self.announce(Committed::Workspace(model.clone()));
        }
        Ok(model)
    }

    /// Applies the relay's sync message to the workspace document: new
    /// settings are stored and announced (the base recomputes statuses and
    /// zones with them). Whether it brought changes.
    async fn receive_workspace_sync(
        &self,
        state: &mut am_sync::State,
        message: am_sync::Message,
    ) -> Result<bool, StoreError> {
        let (id, mut doc) = self.stored_workspace().await?;
        let before = doc.heads();
        doc.automerge()
            .sync()
            .receive_sync_message(state, message)
            .map_err(|e| StoreError::Sync(e.to_string()))?;
        if doc.heads() == before {
            return Ok(false);
        }
        let model = doc.read()?;
        self.db
            .put_snapshot(&id, &doc.save(), None, false, None)
            .await?;
        self.announce(Committed::Workspace(model));
        Ok(true)
    }

    /// The day through which this device has started the win-backs due
    /// (`YYYY-MM-DD`), if it ever has.
    pub async fn winbacks_checked_through(&self) -> Result<Option<String>, StoreError> {
        Ok(self.db.meta(META_WINBACKS).await?)
    }

    /// Remembers the day through which the win-backs due are started.
    pub async fn set_winbacks_checked_through(&self, day: &str) -> Result<(), StoreError> {
        Ok(self.db.set_meta(META_WINBACKS, day).await?)
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
                chunk_keys: stored.chunk_keys,
            },
        );
        Ok(())
    }

    /// Document `id`, loaded if need be and taken out of the open map (a
    /// write puts it back once stored; a failed one leaves it out, so the
    /// next read loads what is on disk).
    async fn take_open(&self, id: &str) -> Result<OpenDoc, StoreError> {
        self.ensure_open(id).await?;
        self.open
            .borrow_mut()
            .remove(id)
            .ok_or(StoreError::NotFound)
    }

    /// A client's document, loaded from IndexedDB on first use.
    pub async fn client(&self, id: &str) -> Result<ClientDoc, StoreError> {
        self.ensure_open(id).await?;
        let open = self.open.borrow();
        let doc = open.get(id).ok_or(StoreError::NotFound)?;
        Ok(doc.doc.read()?)
    }

    /// Creates a client's document and stores it.
    pub async fn create_client(&self, client: &ClientDoc) -> Result<(), StoreError> {
        let _guard = self.writing.lock().await;
        let mut doc = ClientDocument::create(client, self.actor.clone(), Timestamp(now_ms()))?;
        let summary = ClientSummary::of(client);
        let rows = summary_rows(summary.clone());
        self.db
            .put_snapshot(client.id.as_str(), &doc.save(), Some(&rows), true, None)
            .await?;
        self.open
            .borrow_mut()
            .insert(client.id.to_string(), OpenDoc::new(doc));
        self.tell_local_change(client.id.as_str());
        self.announce_client(client.clone(), summary, Origin::Local);
        Ok(())
    }

    /// Changes a client: `edit` gets the current model; what differs is
    /// committed, stored, announced and only then reported. Returns the
    /// new model (the unchanged one when the edit changed nothing).
    pub async fn change_client(
        &self,
        id: &str,
        message: &str,
        edit: impl FnOnce(&mut ClientDoc),
    ) -> Result<ClientDoc, StoreError> {
        self.try_change_client(id, message, |doc| {
            edit(doc);
            Ok::<(), std::convert::Infallible>(())
        })
        .await
        .map_err(|e| match e {
            EditError::Store(e) => e,
            EditError::Refused(never) => match never {},
        })
    }

    /// Changes a client with an edit that may refuse: `edit` gets the
    /// model as stored now and either changes it or says why not — then
    /// nothing is written. What differs is committed, stored, announced
    /// and only then reported.
    pub async fn try_change_client<E>(
        &self,
        id: &str,
        message: &str,
        edit: impl FnOnce(&mut ClientDoc) -> Result<(), E>,
    ) -> Result<ClientDoc, EditError<E>> {
        let _guard = self.writing.lock().await;
        let mut open = self.take_open(id).await?;
        let changed = open.doc.change(Timestamp(now_ms()), message, edit);
        let (model, changed) = match changed {
            Ok(done) => done,
            Err(e) => {
                // Nothing was committed: the open copy is as it was.
                self.open.borrow_mut().insert(id.to_owned(), open);
                return Err(match e {
                    kartoteka::document::ChangeError::Refused(e) => EditError::Refused(e),
                    kartoteka::document::ChangeError::Document(e) => {
                        EditError::Store(StoreError::Damaged(*e))
                    }
                });
            }
        };
        if !changed {
            self.open.borrow_mut().insert(id.to_owned(), open);
            return Ok(model);
        }
        let (model, summary) = self.write(id, open, model, true).await?;
        self.tell_local_change(id);
        self.announce_client(model.clone(), summary, Origin::Local);
        Ok(model)
    }

    /// Writes what changed in an open document since its last write,
    /// with its new summary, and keeps it open; returns the document as
    /// written and its summary. Another tab of this browser may have
    /// written the document since this copy was read: then what it wrote
    /// is merged in first, so the summary and a compaction hold both tabs'
    /// changes. On failure the in-memory copy (holding the unsaved change)
    /// is dropped: the next read reloads what is on disk.
    async fn write(
        &self,
        id: &str,
        mut open: OpenDoc,
        model: ClientDoc,
        local: bool,
    ) -> Result<(ClientDoc, ClientSummary), StoreError> {
        let stored_keys = self.db.chunk_keys(id).await?;
        let model = if stored_keys == open.chunk_keys {
            model
        } else {
            match self.db.load(id).await? {
                Some(stored) => {
                    let mut theirs = ClientDocument::load(&stored.concatenated())?;
                    open.doc.merge(&mut theirs)?;
                    open.next_seq = open.next_seq.max(stored.next_seq);
                    open.chunk_keys = stored.chunk_keys;
                    open.doc.read()?
                }
                None => model,
            }
        };
        let summary = ClientSummary::of(&model);
        let rows = summary_rows(summary.clone());
        if open.next_seq >= COMPACT_AFTER {
            let snapshot = open.doc.save();
            self.db
                .put_snapshot(id, &snapshot, Some(&rows), local, Some(&open.chunk_keys))
                .await?;
            open.next_seq = 0;
            open.chunk_keys.clear();
        } else {
            let chunk = open.doc.save_incremental();
            let key = self
                .db
                .append(id, (open.next_seq, &self.writer), &chunk, &rows, local)
                .await?;
            open.next_seq += 1;
            open.chunk_keys.push(key);
            open.chunk_keys.sort();
        }
        self.open.borrow_mut().insert(id.to_owned(), open);
        Ok((model, summary))
    }

    /// Tells the sync client and the other tabs that this tab wrote `id`.
    fn tell_local_change(&self, id: &str) {
        self.tell_sync(id);
        self.tell_tabs(&TabNews::Client(id.to_owned()));
    }

    /// Tells the sync client that document `id` changed on this device.
    fn tell_sync(&self, id: &str) {
        if let Some(tx) = self.local_changes.borrow().as_ref() {
            // A closed channel means sync has stopped (log out): nothing
            // to tell, the outbox keeps the change for the next start.
            let _ = tx.unbounded_send(id.to_owned());
        }
    }

    fn tell_tabs(&self, news: &TabNews) {
        if let Some(tabs) = self.tabs.borrow().as_ref() {
            tabs.tell(news);
        }
    }
}

/// What the other tabs of this user wrote: read again from IndexedDB and
/// announced (see the module's doc).
impl Store {
    /// What the other tabs say, once (one listener: [`follow_other_tabs`]).
    pub fn other_tabs(&self) -> Option<mpsc::UnboundedReceiver<TabNews>> {
        self.tab_news.borrow_mut().take()
    }

    /// Leaves the other tabs' channel (log out): the stream of
    /// [`Store::other_tabs`] ends, and nothing more is told.
    pub fn leave_other_tabs(&self) {
        self.tabs.borrow_mut().take();
        self.tab_news.borrow_mut().take();
    }

    /// Takes in what another tab wrote: the document is read again from
    /// IndexedDB and, if that brings changes this tab has not seen, they
    /// are announced (as [`Origin::Remote`]). A document open here is
    /// merged with what is stored, so this tab's next write builds on
    /// both; one that is not open is only read, not kept in memory.
    pub async fn take_in(&self, news: TabNews) -> Result<(), StoreError> {
        let id = match news {
            TabNews::Workspace => {
                let workspace = self.workspace().await?;
                self.announce(Committed::Workspace(workspace));
                return Ok(());
            }
            TabNews::Client(id) => id,
            TabNews::Parted(id) => return self.parted_in_another_tab(id).await,
        };
        // Not while a write of this tab has the document out of memory.
        let _guard = self.writing.lock().await;
        let Some(stored) = self.db.load(&id).await? else {
            return Ok(());
        };
        let mut theirs = ClientDocument::load(&stored.concatenated())?;
        let open = self.open.borrow_mut().remove(&id);
        let model = match open {
            Some(mut open) => {
                let before = open.doc.heads();
                // On failure the copy stays out: the next read reloads it.
                open.doc.merge(&mut theirs)?;
                // What was merged in is on disk already: it is not to be
                // appended again as this tab's next chunk. (Every change
                // of this tab is written when made, so nothing of its own
                // is skipped.)
                let _ = open.doc.save_incremental();
                open.next_seq = open.next_seq.max(stored.next_seq);
                open.chunk_keys = stored.chunk_keys;
                let new = open.doc.heads() != before;
                let model = open.doc.read();
                self.open.borrow_mut().insert(id.clone(), open);
                if !new {
                    return Ok(());
                }
                model?
            }
            None => theirs.read()?,
        };
        let summary = ClientSummary::of(&model);
        self.announce_client(model, summary, Origin::Remote);
        Ok(())
    }
}

impl Store {
    /// Another tab took in a `kt-parted` for `id` (this tab's socket may
    /// not hear it: the relay tells a device once): the same news, from
    /// what that tab wrote.
    async fn parted_in_another_tab(&self, id: String) -> Result<(), StoreError> {
        let _guard = self.writing.lock().await;
        let dropped = self.db.summary(&id).await?.is_none();
        if dropped {
            self.open.borrow_mut().remove(&id);
            self.fetching.borrow_mut().remove(&id);
        }
        let former = self.formers().await?.into_iter().find(|f| f.id == id);
        self.announce(Committed::Parted {
            id,
            former,
            dropped,
        });
        Ok(())
    }
}

/// Takes in what the other tabs of the store's user write, until the
/// store leaves their channel or is gone (log out).
pub async fn follow_other_tabs(
    store: std::rc::Weak<Store>,
    mut news: mpsc::UnboundedReceiver<TabNews>,
) {
    use futures::StreamExt;
    while let Some(news) = news.next().await {
        let Some(store) = store.upgrade() else {
            return;
        };
        if let Err(e) = store.take_in(news).await {
            leptos::logging::warn!("what another tab wrote is not shown yet: {e}");
        }
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

    /// The card's fields two people changed concurrently, with every value.
    pub async fn card_conflicts(&self, id: &str) -> Result<Vec<FieldConflict>, StoreError> {
        self.ensure_open(id).await?;
        let mut open = self.open.borrow_mut();
        let doc = open.get_mut(id).ok_or(StoreError::NotFound)?;
        Ok(doc.doc.card_conflicts())
    }

    /// Ends a conflict on a card field with the value a supervisor chose:
    /// an ordinary local change (stored, then synced).
    pub async fn resolve_conflict(
        &self,
        id: &str,
        field: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let _guard = self.writing.lock().await;
        let mut open = self.take_open(id).await?;
        if let Err(e) = open
            .doc
            .resolve_card_field(field, value, Timestamp(now_ms()))
        {
            // Dropped: the next read reloads what is on disk.
            return Err(e.into());
        }
        let model = open.doc.read()?;
        let (model, summary) = self.write(id, open, model, true).await?;
        self.tell_local_change(id);
        self.announce_client(model, summary, Origin::Local);
        Ok(())
    }

    /// Merges client `other` into `survivor` (SPEC 2): the survivor takes
    /// everything of the other one and is stored first; then the other one
    /// is marked as merged into it. Should the second write fail, doing
    /// the merge again completes it (taking the facts again adds nothing).
    /// The survivor's own stored document decides whether the merge may
    /// happen: a refusal writes nothing.
    pub async fn merge_clients(
        &self,
        survivor: &str,
        other: &str,
        by: &UserId,
    ) -> Result<(), EditError<MergeError>> {
        let messages = ("merge a duplicate in", "merged into another client");
        self.fold_into(survivor, other, messages, |doc, absorbed, at| {
            doc.absorb(absorbed, by, at)
        })
        .await
    }

    /// Links a potential client's Interest document to an existing client
    /// (SPEC 4): the client takes its Interests, events and notes and the
    /// person as a contact, and is stored first; then the potential
    /// document points to the client. Doing it again completes a link
    /// whose second write failed. A refusal writes nothing.
    pub async fn link_potential(
        &self,
        potential: &str,
        client: &str,
    ) -> Result<(), EditError<PotentialError>> {
        let messages = ("link a potential client's Interest", "linked to a client");
        self.fold_into(client, potential, messages, |doc, lead, at| {
            doc.take_potential(lead, at)
        })
        .await
    }

    /// Document `from` goes into `into`: `take` (an edit of `into`'s stored
    /// model, which may refuse) takes what it has, and is stored first;
    /// then `from` is marked as merged into `into`. `messages` name the two
    /// writes in the documents' histories.
    async fn fold_into<E>(
        &self,
        into: &str,
        from: &str,
        messages: (&str, &str),
        take: impl FnOnce(&mut ClientDoc, &ClientDoc, Timestamp) -> Result<(), E>,
    ) -> Result<(), EditError<E>> {
        let taken = self.client(from).await?;
        let at = Timestamp(now_ms());
        let target = self
            .try_change_client(into, messages.0, |doc| take(doc, &taken, at))
            .await?;
        let into_id = target.id.clone();
        self.change_client(from, messages.1, |doc| doc.mark_merged_into(&into_id))
            .await?;
        Ok(())
    }
}

/// What the sync client asks of the store: messages of the Automerge sync
/// protocol built from, and applied to, the stored documents.
impl Store {
    /// From now on, the ids of documents changed on this device arrive on
    /// the returned channel (one listener: the sync client).
    pub fn local_changes(&self) -> mpsc::UnboundedReceiver<String> {
        let (tx, rx) = mpsc::unbounded();
        *self.local_changes.borrow_mut() = Some(tx);
        rx
    }

    /// Ends the channel of [`Store::local_changes`]: the sync client stops.
    pub fn stop_sync(&self) {
        self.local_changes.borrow_mut().take();
    }

    /// The workspace document's id.
    pub async fn workspace_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self.db.meta(META_WORKSPACE).await?)
    }

    /// A named value of the sync client.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.db.meta(key).await?)
    }

    /// Stores a named value of the sync client.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        Ok(self.db.set_meta(key, value).await?)
    }

    /// The documents with local changes the relay has not confirmed.
    pub async fn outbox(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.db.outbox().await?)
    }

    /// Takes a document out of the outbox.
    pub async fn outbox_done(&self, id: &str) -> Result<(), StoreError> {
        Ok(self.db.outbox_done(id).await?)
    }

    /// A document's sync state with the relay as last saved: what both
    /// sides are known to have (a fresh state if none was saved).
    pub async fn sync_state(&self, id: &str) -> Result<am_sync::State, StoreError> {
        Ok(self
            .db
            .sync_state(id)
            .await?
            .and_then(|bytes| am_sync::State::decode(&bytes).ok())
            .unwrap_or_default())
    }

    /// Saves a document's sync state with the relay.
    pub async fn save_sync_state(
        &self,
        id: &str,
        state: &am_sync::State,
    ) -> Result<(), StoreError> {
        Ok(self.db.set_sync_state(id, &state.encode()).await?)
    }

    /// The next sync message for a document, if there is something to
    /// say, and whether it is a `request` (the device does not have the
    /// document yet).
    pub async fn sync_message(
        &self,
        id: &str,
        state: &mut am_sync::State,
    ) -> Result<Option<(Vec<u8>, bool)>, StoreError> {
        // Not while a write has the document out of the open map.
        let _guard = self.writing.lock().await;
        if self.is_workspace(id).await {
            let (_, mut doc) = self.stored_workspace().await?;
            let message = doc.automerge().sync().generate_sync_message(state);
            return Ok(message.map(|m| (m.encode(), false)));
        }
        match self.ensure_open(id).await {
            Ok(()) => {
                let mut open = self.open.borrow_mut();
                let doc = open.get_mut(id).ok_or(StoreError::NotFound)?;
                Ok(doc
                    .doc
                    .automerge()
                    .sync()
                    .generate_sync_message(state)
                    .map(|m| (m.encode(), false)))
            }
            Err(StoreError::NotFound) => {
                let mut fetching = self.fetching.borrow_mut();
                let doc = fetching
                    .entry(id.to_owned())
                    .or_insert_with(|| AutoCommit::new().with_actor(self.actor.clone()));
                let empty = doc.get_heads().is_empty();
                Ok(doc
                    .sync()
                    .generate_sync_message(state)
                    .map(|m| (m.encode(), empty)))
            }
            Err(e) => Err(e),
        }
    }

    /// Applies a sync message from the relay. When it brought changes,
    /// they are stored (with the client's new summary) and announced, and
    /// `true` is returned; a client new to the device is stored once it
    /// is readable.
    pub async fn receive_sync(
        &self,
        id: &str,
        state: &mut am_sync::State,
        data: &[u8],
    ) -> Result<bool, StoreError> {
        let message =
            am_sync::Message::decode(data).map_err(|e| StoreError::Sync(e.to_string()))?;
        let _guard = self.writing.lock().await;
        if self.is_workspace(id).await {
            return self.receive_workspace_sync(state, message).await;
        }
        match self.ensure_open(id).await {
            Ok(()) => {
                let mut open = self
                    .open
                    .borrow_mut()
                    .remove(id)
                    .ok_or(StoreError::NotFound)?;
                let before = open.doc.heads();
                let applied = open
                    .doc
                    .automerge()
                    .sync()
                    .receive_sync_message(state, message);
                let after = open.doc.heads();
                if let Err(e) = applied {
                    // Nothing of a message that fails is kept in memory.
                    return Err(StoreError::Sync(e.to_string()));
                }
                if before == after {
                    self.open.borrow_mut().insert(id.to_owned(), open);
                    return Ok(false);
                }
                let model = open.doc.read()?;
                let (model, summary) = self.write(id, open, model, false).await?;
                self.announce_client(model, summary, Origin::Remote);
                Ok(true)
            }
            Err(StoreError::NotFound) => {
                let whole = {
                    let mut fetching = self.fetching.borrow_mut();
                    let doc = fetching
                        .entry(id.to_owned())
                        .or_insert_with(|| AutoCommit::new().with_actor(self.actor.clone()));
                    doc.sync()
                        .receive_sync_message(state, message)
                        .map_err(|e| StoreError::Sync(e.to_string()))?;
                    ClientDocument::from_automerge(doc.fork().with_actor(self.actor.clone())).ok()
                };
                let Some(mut doc) = whole else {
                    return Ok(false);
                };
                let model = doc.read()?;
                let summary = ClientSummary::of(&model);
                self.db
                    .put_snapshot(
                        id,
                        &doc.save(),
                        Some(&summary_rows(summary.clone())),
                        false,
                        None,
                    )
                    .await?;
                self.fetching.borrow_mut().remove(id);
                self.open
                    .borrow_mut()
                    .insert(id.to_owned(), OpenDoc::new(doc));
                self.announce_client(model, summary, Origin::Remote);
                Ok(true)
            }
            Err(e) => Err(e),
        }
    }

    /// Notes in a sync state that the relay has durably stored these heads
    /// (its `kt-accepted`): those the device has too are shared. Saved
    /// with the state, this survives a reload that comes before the
    /// relay's next sync message.
    pub async fn note_relay_heads(
        &self,
        id: &str,
        state: &mut am_sync::State,
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        let known = self.with_automerge(id, |doc| known_of(doc, heads)).await?;
        if known.len() == heads.len() {
            state.shared_heads = known;
        } else {
            // As Automerge does when it knows only some of the peer's heads.
            state.shared_heads.extend(known);
            state.shared_heads.sort();
            state.shared_heads.dedup();
        }
        Ok(())
    }

    /// How many changes made on this device the relay is not known to
    /// have: outside the history of what both sides have (by the sync
    /// state).
    pub async fn unsent(&self, id: &str, state: &am_sync::State) -> Result<usize, StoreError> {
        self.with_automerge(id, |doc| {
            let shared = known_of(doc, &state.shared_heads);
            doc.get_changes(&shared)
                .iter()
                .filter(|c| is_users(c.actor_id(), &self.actor))
                .count()
        })
        .await
    }

    /// Runs `f` on document `id`'s Automerge document, loaded if need be.
    async fn with_automerge<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut AutoCommit) -> T,
    ) -> Result<T, StoreError> {
        if self.is_workspace(id).await {
            let (_, mut doc) = self.stored_workspace().await?;
            return Ok(f(doc.automerge()));
        }
        self.ensure_open(id).await?;
        let mut open = self.open.borrow_mut();
        let doc = open.get_mut(id).ok_or(StoreError::NotFound)?;
        Ok(f(doc.doc.automerge()))
    }

    /// The clients taken from the user that this device dropped (newest
    /// first; an unreadable record counts as none).
    pub async fn formers(&self) -> Result<Vec<Former>, StoreError> {
        Ok(self
            .db
            .meta(META_FORMERS)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Takes in the relay's word that the user may no longer read client
    /// `id`, which `taking` took from them (`kt-parted`). If the client was
    /// the user's, it is remembered as a [`Former`] (the notices say who
    /// took it); it is dropped from the device in the same transaction
    /// when `drop` (the sync client keeps a document whose changes the
    /// relay has yet to answer: a take from the exchange that lost must
    /// still hear `taken`). The other tabs are told.
    pub async fn part(
        &self,
        id: &str,
        taking: AssignmentSummary,
        drop: bool,
    ) -> Result<(), StoreError> {
        let _guard = self.writing.lock().await;
        let Some(summary) = self
            .db
            .summary(id)
            .await?
            .and_then(|json| serde_json::from_str::<ClientSummary>(&json).ok())
        else {
            // Not on the device (another tab dropped it): nothing to do.
            return Ok(());
        };
        let former = Former::of(&summary, taking);
        let mine = former.subject().concerns(&self.user.id);
        let mut formers = self.formers().await?;
        if mine {
            keep_former(&mut formers, former.clone());
        }
        // Plain data: serialising cannot fail.
        let json = serde_json::to_string(&formers).unwrap_or_default();
        if drop {
            self.open.borrow_mut().remove(id);
            self.fetching.borrow_mut().remove(id);
            if mine {
                self.db.forget_noting(id, META_FORMERS, &json).await?;
            } else {
                self.db.forget(id).await?;
            }
        } else if mine {
            self.db.set_meta(META_FORMERS, &json).await?;
        }
        self.announce(Committed::Parted {
            id: id.to_owned(),
            former: mine.then_some(former),
            dropped: drop,
        });
        self.tell_tabs(&TabNews::Parted(id.to_owned()));
        Ok(())
    }

    /// Drops a document the relay refused changes of: from memory and
    /// from IndexedDB, with its sync state, so it is fetched again as the
    /// relay has it.
    pub async fn forget(&self, id: &str) -> Result<(), StoreError> {
        let _guard = self.writing.lock().await;
        self.open.borrow_mut().remove(id);
        self.fetching.borrow_mut().remove(id);
        self.db.forget(id).await?;
        self.announce(Committed::Forgotten(id.to_owned()));
        Ok(())
    }
}

/// A summary as stored: the sales part apart (no record when empty).
fn summary_rows(mut summary: ClientSummary) -> SummaryRows {
    let sales = summary.take_sales();
    // A summary is plain data; serialising it cannot fail.
    SummaryRows {
        summary: serde_json::to_string(&summary).unwrap_or_default(),
        sales: (!sales.is_empty()).then(|| serde_json::to_string(&sales).unwrap_or_default()),
    }
}

/// Whether `actor` is one of this user's (any tab, any device): the first
/// 16 bytes of an actor are its user's id (`kartoteka::ids::actor_for`).
fn is_users(actor: &ActorId, mine: &ActorId) -> bool {
    let (a, m) = (actor.to_bytes(), mine.to_bytes());
    a.len() >= 16 && m.len() >= 16 && a[..16] == m[..16]
}

/// Those of `heads` that `doc` has.
fn known_of(doc: &mut AutoCommit, heads: &[ChangeHash]) -> Vec<ChangeHash> {
    heads
        .iter()
        .filter(|h| doc.get_change_by_hash(h).is_some())
        .copied()
        .collect()
}
