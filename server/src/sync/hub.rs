//! What every connection of one relay process shares: the documents in
//! memory (one lock each, so changes to a document are checked and
//! committed one at a time), the group commit (changes of many documents,
//! one sync to disk), the feed that tells every connection what was just
//! committed or sent as ephemeral, and the workspace settings read access
//! depends on. The hub is live state, not storage: [`crate::AppState`]
//! holds one beside the store, and when several relays share a database
//! each has its own, kept up to date by [`super::follow`].

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};

use automerge::Automerge;
use kartoteka::client::ClientDoc;
use kartoteka::ids::UserId;
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{DocumentId, PeerId};
use kartoteka::workspace::WorkspaceDoc;
use tokio::sync::broadcast;

use crate::store::{Committed, DocChange, Store, StoreError};

/// How many documents stay in memory when nobody is using them.
const CACHE_DOCS: usize = 4096;

/// How many feed notes a slow connection may fall behind before it must
/// catch up from the store instead.
const FEED_CAPACITY: usize = 4096;

/// A document as the relay holds it in memory.
#[derive(Debug)]
pub struct Loaded {
    pub doc: Automerge,
    pub kind: Kind,
    /// How many change chunks follow the stored snapshot.
    pub chunks: u64,
    /// The number of the document's latest change, as loaded or committed.
    pub seq: u64,
}

/// What a document is, read once when it is loaded or changed.
#[derive(Debug, Clone)]
pub enum Kind {
    Client {
        model: Box<ClientDoc>,
        summary: Arc<ClientSummary>,
    },
    Workspace(Box<WorkspaceDoc>),
    /// Stored, but neither a readable client nor the workspace document:
    /// only supervisors and administrators may read it, nobody may change it.
    Other,
}

impl Kind {
    /// What read access to the document depends on.
    pub fn access(&self) -> Access {
        match self {
            Kind::Client { summary, .. } => Access::Client(summary.clone()),
            Kind::Workspace(_) => Access::Everyone,
            Kind::Other => Access::SupervisorsOnly,
        }
    }
}

/// Who may read a document (see [`super::authority::may_read`]).
#[derive(Debug, Clone)]
pub enum Access {
    /// The workspace document.
    Everyone,
    /// A client: by role, responsible and zone.
    Client(Arc<ClientSummary>),
    SupervisorsOnly,
}

/// One document's place in memory; `None` until loaded (or while it does
/// not exist).
pub type Slot = Arc<tokio::sync::Mutex<Option<Loaded>>>;

/// The workspace settings read access and checks depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub workspace: Option<DocumentId>,
    pub thresholds: ZoneThresholds,
    pub utc_offset_minutes: i32,
}

impl Policy {
    /// The policy a workspace document sets.
    pub fn of(workspace: Option<DocumentId>, doc: Option<&WorkspaceDoc>) -> Policy {
        let defaults = WorkspaceDoc::new("", []);
        let doc = doc.unwrap_or(&defaults);
        Policy {
            workspace,
            thresholds: doc.statuses.zones,
            utc_offset_minutes: doc.settings.utc_offset_minutes,
        }
    }
}

/// What the feed carries to every connection.
#[derive(Debug, Clone)]
pub enum Note {
    /// Changes to a document were durably committed.
    Committed {
        document_id: DocumentId,
        seq: u64,
        access: Access,
        /// The connection that sent them, which is answered directly;
        /// 0 for changes committed by another relay.
        origin: u64,
    },
    /// An `ephemeral` message to pass on.
    Ephemeral {
        document_id: DocumentId,
        access: Access,
        origin: u64,
        sender_id: PeerId,
        session_id: String,
        count: u64,
        data: Arc<Vec<u8>>,
    },
}

/// New changes of one document, waiting for the next durable transaction
/// (see [`Hub::commit`]).
#[derive(Debug)]
pub struct PendingCommit {
    pub document_id: DocumentId,
    /// The store's key of the document.
    pub key: String,
    /// The document's number the change was checked against.
    pub base: Option<u64>,
    pub chunk: Vec<u8>,
    pub snapshot: Option<Vec<u8>>,
    pub summary: Option<Vec<u8>>,
    /// (sync state key, encoded state) of the author's connection.
    pub sync_state: Option<(String, Vec<u8>)>,
    /// Who may read the document after the change.
    pub access: Access,
    /// The connection that sent the change.
    pub origin: u64,
}

impl PendingCommit {
    fn change(&self) -> DocChange<'_> {
        DocChange {
            id: &self.key,
            base: self.base,
            chunk: &self.chunk,
            snapshot: self.snapshot.as_deref(),
            summary: self.summary.as_deref(),
            sync_state: self
                .sync_state
                .as_ref()
                .map(|(key, state)| (key.as_str(), state.as_slice())),
        }
    }
}

/// The group commit: changes queued while a transaction is being written
/// go to disk together in the next one.
#[derive(Debug, Default)]
struct Commits {
    queue: Vec<(u64, PendingCommit)>,
    /// Someone is writing a transaction now.
    writing: bool,
    /// Finished tickets: the change number, or why the store failed.
    done: HashMap<u64, Result<Committed, String>>,
    next_ticket: u64,
}

/// The live state of one relay (one open store).
#[derive(Debug)]
pub struct Hub {
    docs: Mutex<HashMap<DocumentId, Slot>>,
    feed: broadcast::Sender<Note>,
    commits: Mutex<Commits>,
    committed: Condvar,
    policy: RwLock<Option<Policy>>,
    next_connection: AtomicU64,
    peer_id: PeerId,
    /// Other relays write to the same store ([`super::follow`] runs).
    followed: AtomicBool,
    /// Every change up to this number has been told on the feed (when
    /// followed): no cursor given to a device goes past it.
    seen: AtomicU64,
    /// Numbers this relay committed above `seen`, which the follower
    /// need not tell again.
    local: Mutex<BTreeSet<u64>>,
    /// Users whose sessions just ended (deactivated, password reset):
    /// their connections close at once.
    ended: broadcast::Sender<(UserId, SessionEnd)>,
}

/// Why a user's sessions ended; its [`SessionEnd::code`] is the reason of
/// the WebSocket close frame, which the app translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// An administrator deactivated the user.
    Deactivated,
    /// An administrator gave the user a new password.
    PasswordReset,
    /// The session's time ran out, or it was ended elsewhere.
    Expired,
}

impl SessionEnd {
    /// The reason sent in the close frame.
    pub fn code(self) -> &'static str {
        match self {
            SessionEnd::Deactivated => "deactivated",
            SessionEnd::PasswordReset => "password_reset",
            SessionEnd::Expired => "session_expired",
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    /// A hub with nothing in memory.
    pub fn new() -> Hub {
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        Hub {
            docs: Mutex::new(HashMap::new()),
            feed,
            commits: Mutex::default(),
            committed: Condvar::new(),
            policy: RwLock::new(None),
            next_connection: AtomicU64::new(1),
            peer_id: PeerId(format!("kartoteka-relay-{}", uuid::Uuid::new_v4().simple())),
            followed: AtomicBool::new(false),
            seen: AtomicU64::new(0),
            local: Mutex::default(),
            ended: broadcast::channel(64).0,
        }
    }

    /// Closes every connection of `user` on this relay, saying why.
    pub fn end_sessions(&self, user: &UserId, why: SessionEnd) {
        // Nobody listening is fine: the user has no open connection.
        let _ = self.ended.send((user.clone(), why));
    }

    /// Hears of users whose sessions end from now on.
    pub fn subscribe_ended(&self) -> broadcast::Receiver<(UserId, SessionEnd)> {
        self.ended.subscribe()
    }

    /// From now on other relays write too: cursors stay at or below what
    /// the follower has told, which starts at `seen`.
    pub fn start_following(&self, seen: u64) {
        self.seen.store(seen, Ordering::SeqCst);
        self.followed.store(true, Ordering::SeqCst);
    }

    /// The follower told every change up to `seen`.
    pub fn set_seen(&self, seen: u64) {
        self.seen.fetch_max(seen, Ordering::SeqCst);
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        *local = local.split_off(&(seen + 1));
    }

    /// What the follower has told so far.
    pub fn seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    /// Whether this relay committed change `seq` itself.
    pub fn is_local(&self, seq: u64) -> bool {
        self.local
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&seq)
    }

    /// The cursor a device may be given for a change numbered `seq`: the
    /// number itself, or with other relays writing, no more than what the
    /// follower has told (a lower number committed by another relay may
    /// not have been told yet; a device resuming from a cursor past it
    /// would never hear of it).
    pub fn safe_cursor(&self, seq: u64) -> u64 {
        if self.followed.load(Ordering::SeqCst) {
            seq.min(self.seen())
        } else {
            seq
        }
    }

    /// Forgets the workspace policy, so that it is read again.
    pub fn forget_policy(&self) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The relay's peer id on the sync network (new at every start).
    pub fn peer_id(&self) -> &PeerId {
        &self.peer_id
    }

    /// A number for a new connection, unique in this process.
    pub fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// The place of a document in memory. Unused documents are dropped
    /// when the cache is full.
    pub fn slot(&self, id: DocumentId) -> Slot {
        let mut docs = self.docs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = docs.get(&id) {
            return slot.clone();
        }
        if docs.len() >= CACHE_DOCS {
            // Only the map holds these: nobody is reading or changing them.
            docs.retain(|_, slot| Arc::strong_count(slot) > 1);
        }
        let slot = Slot::default();
        docs.insert(id, slot.clone());
        slot
    }

    /// Listens to the feed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Note> {
        self.feed.subscribe()
    }

    /// Durably commits a document's changes and publishes the note, then
    /// returns the change number ([`Committed::Stale`]: nothing written,
    /// the document changed on another relay). Blocks (call it off the
    /// async threads).
    ///
    /// Group commit: the first caller writes every change queued so far in
    /// one transaction (one sync to disk) while later callers queue; when
    /// it is done, one of them writes the next batch. Notes are published
    /// after their transaction and before anyone hears of its result, in
    /// the order of their change numbers.
    pub fn commit(&self, store: &Store, pending: PendingCommit) -> Result<Committed, StoreError> {
        let mut commits = self.lock_commits();
        let ticket = commits.next_ticket;
        commits.next_ticket += 1;
        commits.queue.push((ticket, pending));
        loop {
            if let Some(result) = commits.done.remove(&ticket) {
                return result.map_err(StoreError::Storage);
            }
            if commits.writing {
                commits = self
                    .committed
                    .wait(commits)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            commits.writing = true;
            let batch = std::mem::take(&mut commits.queue);
            drop(commits);
            let mut guard = WritingGuard {
                hub: self,
                tickets: batch.iter().map(|(t, _)| *t).collect(),
            };
            let changes: Vec<DocChange<'_>> = batch.iter().map(|(_, p)| p.change()).collect();
            let results: Vec<(u64, Result<Committed, String>)> =
                match store.commit_changes(&changes) {
                    Ok(seqs) => batch
                        .into_iter()
                        .zip(seqs)
                        .map(|((ticket, p), committed)| {
                            if let Committed::Numbered(seq) = committed {
                                if self.followed.load(Ordering::SeqCst) {
                                    self.local
                                        .lock()
                                        .unwrap_or_else(PoisonError::into_inner)
                                        .insert(seq);
                                }
                                // Nobody listening is fine: there is no one to tell.
                                let _ = self.feed.send(Note::Committed {
                                    document_id: p.document_id,
                                    seq,
                                    access: p.access,
                                    origin: p.origin,
                                });
                            }
                            (ticket, Ok(committed))
                        })
                        .collect(),
                    Err(e) => {
                        let e = e.to_string();
                        batch.iter().map(|(t, _)| (*t, Err(e.clone()))).collect()
                    }
                };
            guard.tickets.clear();
            drop(guard);
            commits = self.lock_commits();
            commits.done.extend(results);
            commits.writing = false;
            self.committed.notify_all();
        }
    }

    fn lock_commits(&self) -> MutexGuard<'_, Commits> {
        self.commits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Passes an ephemeral message on to every other connection.
    pub fn publish(&self, note: Note) {
        let _ = self.feed.send(note);
    }

    /// The workspace policy, if it has been read.
    pub fn policy(&self) -> Option<Policy> {
        *self.policy.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the policy of the current workspace document.
    pub fn set_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(PoisonError::into_inner) = Some(policy);
    }
}

/// Frees the group commit if its writer unwinds: the tickets of its batch
/// fail, and the next caller writes.
struct WritingGuard<'h> {
    hub: &'h Hub,
    tickets: Vec<u64>,
}

impl Drop for WritingGuard<'_> {
    fn drop(&mut self) {
        if self.tickets.is_empty() {
            return;
        }
        let mut commits = self.hub.lock_commits();
        for ticket in self.tickets.drain(..) {
            commits
                .done
                .insert(ticket, Err("the commit was interrupted".into()));
        }
        commits.writing = false;
        self.hub.committed.notify_all();
    }
}
