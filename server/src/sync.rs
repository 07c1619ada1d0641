//! The sync endpoint (`docs/sync-protocol.md`): one WebSocket per device
//! carrying the automerge-repo protocol for every document its user may
//! read, plus Kartoteka's change cursor, acknowledgements and refusals.
//!
//! - [`Relay::serve`] runs one connection over any `Sink`/`Stream` of
//!   [`Frame`]s, so tests drive it with channels; [`endpoint`] is the thin
//!   axum adapter (token check, then upgrade).
//! - `connection` holds one device's state: its peer id, its sync states
//!   (persisted per peer storage id and document), its cursor.
//! - [`authority`] decides who reads what and which changes are kept.
//! - `job` checks and commits one sync message for one document.
//! - [`Hub`] is what the connections of one relay share: documents in
//!   memory with a lock each, and the feed of committed changes.
//! - [`follow`] keeps a hub up to date with what other relays on the same
//!   database commit.
//!
//! A change is committed to the store before anything is said about it:
//! `kt-accepted` to its author, `sync` and `kt-changed` to the others.

pub mod authority;
mod connection;
mod follow;
mod hub;
mod job;
mod socket;
mod workspace;

use std::sync::Arc;

use chrono::NaiveDate;
use futures::{Sink, Stream};
use kartoteka::date::{Date, Timestamp};
use kartoteka::sync::{DEFAULT_MAX_FRAME, DocumentId};

pub use connection::sync_state_key;
pub use follow::follow;
pub use hub::{Access, Hub, Kind, Loaded, Note, Policy, SessionEnd};
pub use socket::endpoint;

use crate::store::{Store, StoreError, UserRecord};
use crate::{AppState, Clock};

/// One WebSocket frame, as the connection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A binary frame: one CBOR message.
    Binary(Vec<u8>),
    /// A text frame: never a message in this protocol.
    Text(String),
    /// The end of the conversation, with a WebSocket close code.
    Close { code: u16, reason: String },
}

/// Why no more frames come from a socket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The socket refused a frame over the size limit.
    #[error("a frame is larger than the limit")]
    TooLarge,
    /// The connection broke (reset, truncated frame, protocol error).
    #[error("the connection broke: {0}")]
    Broken(String),
}

/// WebSocket close codes the relay uses.
pub mod close {
    /// Done.
    pub const NORMAL: u16 = 1000;
    /// The peer broke the protocol (a `join` without version "1").
    pub const PROTOCOL: u16 = 1002;
    /// Too many frames that are not messages.
    pub const POLICY: u16 = 1008;
    /// A frame over the size limit.
    pub const TOO_LARGE: u16 = 1009;
    /// The relay itself failed (its store).
    pub const INTERNAL: u16 = 1011;
    /// The user's session ended (deactivated, password reset, expired):
    /// the reason says which ([`super::SessionEnd::code`]); the device
    /// logs out and says why. An application code (4000–4999).
    pub const SESSION_ENDED: u16 = 4401;
}

/// What ends a connection from the relay's side.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("a stored document cannot be read: {0}")]
    Damaged(String),
    #[error("a background task failed: {0}")]
    Task(String),
    #[error("the device's connection is closed")]
    Closed,
    #[error("the document changed on another relay meanwhile")]
    Stale,
}

impl From<tokio::task::JoinError> for SyncError {
    fn from(e: tokio::task::JoinError) -> Self {
        SyncError::Task(e.to_string())
    }
}

/// The relay side of sync for one store: cheap to clone, one per
/// connection.
#[derive(Debug, Clone)]
pub struct Relay {
    store: Store,
    clock: Clock,
    hub: Arc<Hub>,
    max_frame: usize,
}

impl Relay {
    /// The relay of the app's store, with the default frame limit.
    pub fn new(state: &AppState) -> Relay {
        Relay {
            store: state.store.clone(),
            clock: state.clock.clone(),
            hub: state.hub.clone(),
            max_frame: DEFAULT_MAX_FRAME,
        }
    }

    /// The same relay with another frame size limit.
    pub fn with_max_frame(mut self, bytes: usize) -> Relay {
        self.max_frame = bytes;
        self
    }

    /// The store this relay serves.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// This relay's live state.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// The largest frame accepted.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Serves one authenticated device until it leaves, its socket breaks
    /// or it is closed for bad input. Failures of this connection end
    /// this connection only.
    pub async fn serve<S, R>(&self, user: UserRecord, sink: S, stream: R)
    where
        S: Sink<Frame> + Unpin,
        R: Stream<Item = Result<Frame, StreamError>> + Unpin,
    {
        self.serve_session(user, None, sink, stream).await;
    }

    /// [`Relay::serve`] for a device that connected with `token`: the
    /// connection also closes when the session ends — at once when this
    /// relay ends it ([`Hub::end_sessions`]), else when a periodic check
    /// finds the token refused (expired, or ended on another relay).
    pub async fn serve_session<S, R>(
        &self,
        user: UserRecord,
        token: Option<String>,
        sink: S,
        stream: R,
    ) where
        S: Sink<Frame> + Unpin,
        R: Stream<Item = Result<Frame, StreamError>> + Unpin,
    {
        let login = user.login.clone();
        if let Err(e) = connection::Connection::new(self, user, sink)
            .with_token(token)
            .run(stream)
            .await
        {
            match e {
                SyncError::Closed => tracing::debug!(%login, "sync connection closed"),
                e => tracing::warn!(%login, error = %e, "sync connection ended"),
            }
        }
    }

    /// The workspace policy, read from the workspace document once.
    async fn policy(&self) -> Result<Policy, SyncError> {
        if let Some(policy) = self.hub.policy() {
            return Ok(policy);
        }
        let store = self.store.clone();
        let policy = tokio::task::spawn_blocking(move || -> Result<Policy, SyncError> {
            let Some(id) = store.workspace_id()? else {
                return Ok(Policy::of(None, None));
            };
            let doc_id = uuid::Uuid::parse_str(&id).ok().map(DocumentId::from);
            let model = match store.doc(&id)? {
                Some(bytes) => {
                    let doc = automerge::Automerge::load(&bytes)
                        .map_err(|e| SyncError::Damaged(format!("the workspace: {e}")))?;
                    authority::read_workspace(&doc).ok()
                }
                None => None,
            };
            Ok(Policy::of(doc_id, model.as_ref()))
        })
        .await??;
        self.hub.set_policy(policy);
        Ok(policy)
    }

    /// Today in the workspace's time zone, by the relay's clock.
    fn today(&self, policy: &Policy) -> NaiveDate {
        Date::of_instant(Timestamp(self.clock.now_ms()), policy.utc_offset_minutes).naive()
    }
}
