//! The sync client: keeps the documents on this device and the relay's in
//! step over one WebSocket (`docs/sync-protocol.md`).
//!
//! While the base is open it connects whenever the relay is reachable,
//! says `join` and `kt-hello` with the change cursor it last saw, and runs
//! the Automerge sync protocol for every document the relay names as
//! changed and every document in the outbox (local changes the relay has
//! not confirmed). A local edit is sent as soon as the store has written
//! it. What the relay sends is applied and written by the [`Store`] (the
//! one writer), which announces it to the base like any other write.
//!
//! Persisted, so a reconnect does not re-check everything: the cursor (in
//! `meta`, saved once every document named up to it has had an answer),
//! each document's sync state (after every message received), the outbox.
//! A dropped socket is reopened with a growing pause; between attempts the
//! relay is probed over HTTP to tell "out of reach" from "session refused".

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::ChangeHash;
use automerge::sync as am_sync;
use futures::channel::mpsc;
use futures::future::{Either, select};
use futures::{StreamExt, stream};
use gloo_timers::future::TimeoutFuture;
use kartoteka::sync::{self, DEFAULT_MAX_FRAME, DocumentId, Message, PeerId, PeerMetadata};
use leptos::logging::warn;
use leptos::prelude::*;

use crate::base::Base;
use crate::io::platform::now_ms;
use crate::io::ws::{self, Event, Socket};
use crate::session;
use crate::state::{AppState, Net};
use crate::store::{Store, StoreError};

const META_CURSOR: &str = "sync_cursor";
const META_LAST_SYNC: &str = "sync_last";
const META_STORAGE_ID: &str = "sync_storage_id";
/// The first pause before reconnecting; it doubles up to the longest.
const BACKOFF_FIRST_MS: u32 = 500;
const BACKOFF_LONGEST_MS: u32 = 8_000;

/// Runs the sync client until the user logs out (the store stops telling
/// local changes) or another store replaces this one.
pub async fn run(base: Base, store: Rc<Store>) {
    let state = base.app;
    let mut local = store.local_changes();
    let mut conversation = SyncSession::new(base, store).await;
    conversation.count_outbox().await;
    let mut pause = BACKOFF_FIRST_MS;
    loop {
        if !conversation.current() {
            return;
        }
        let Some(token) = state
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        else {
            return;
        };
        if state.net.get_untracked() != Net::SessionExpired {
            match ws::connect(&token) {
                Ok((socket, events)) => {
                    match conversation.connection(socket, events, &mut local).await {
                        Ended::Stopped => return,
                        Ended::Revoked(reason) => {
                            // The relay ended the session (deactivated,
                            // new password): log out, saying why.
                            state.session_end.set(Some(reason));
                            session::log_out(base).await;
                            return;
                        }
                        Ended::Closed { joined: true } => pause = BACKOFF_FIRST_MS,
                        Ended::Closed { joined: false } => {}
                    }
                }
                Err(e) => warn!("sync: cannot open the socket: {e}"),
            }
        }
        // A browser cannot see why a socket was refused: ask over HTTP
        // whether the relay is away or the session is over.
        session::probe(state).await;
        if !conversation.pause(pause, &mut local).await {
            return;
        }
        pause = (pause * 2).min(BACKOFF_LONGEST_MS);
    }
}

/// How a connection ended.
enum Ended {
    /// The user logged out: sync is over.
    Stopped,
    /// The socket closed; `joined` if the relay had answered `join`.
    Closed { joined: bool },
    /// The relay closed the socket because the session ended (close code
    /// 4401), with its reason.
    Revoked(String),
}

/// The close code of a session the relay ended (`kartoteka_server::sync::close::SESSION_ENDED`).
const CLOSE_SESSION_ENDED: u16 = 4401;

/// What the connection loop waits for.
enum Input {
    Socket(Event),
    Local(String),
    Stop,
}

/// The device's side of the conversation.
struct SyncSession {
    base: Base,
    state: AppState,
    store: Rc<Store>,
    peer: PeerId,
    storage_id: String,
    workspace: Option<String>,
    /// The relay's peer id, once it answered `join`.
    relay: Option<PeerId>,
    /// Sync states of this connection, loaded from IndexedDB on first use.
    states: HashMap<String, am_sync::State>,
    /// Unconfirmed local changes per outbox document.
    unsent: HashMap<String, usize>,
    /// Documents named by the relay (or sent to it) that have not had an
    /// answer yet: the cursor is saved only when there are none.
    awaiting: HashSet<String>,
    /// Documents the relay said the user may no longer read while they
    /// held unconfirmed changes: dropped once the relay answers those.
    parting: HashSet<String>,
    cursor_seen: u64,
    cursor_saved: u64,
}

impl SyncSession {
    async fn new(base: Base, store: Rc<Store>) -> SyncSession {
        let state = base.app;
        let cursor = store
            .meta(META_CURSOR)
            .await
            .ok()
            .flatten()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if let Some(last) = store
            .meta(META_LAST_SYNC)
            .await
            .ok()
            .flatten()
            .and_then(|t| t.parse().ok())
        {
            state.sync.last_sync.set(Some(last));
        }
        let storage_id = match store.meta(META_STORAGE_ID).await.ok().flatten() {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                if let Err(e) = store.set_meta(META_STORAGE_ID, &id).await {
                    warn!("sync: cannot keep the storage id: {e}");
                }
                id
            }
        };
        let workspace = store.workspace_id().await.ok().flatten();
        SyncSession {
            base,
            state,
            store,
            peer: PeerId(format!("kt-{}", uuid::Uuid::new_v4().simple())),
            storage_id,
            workspace,
            relay: None,
            states: HashMap::new(),
            unsent: HashMap::new(),
            awaiting: HashSet::new(),
            parting: HashSet::new(),
            cursor_seen: cursor,
            cursor_saved: cursor,
        }
    }

    /// Whether this client's store is still the app's.
    fn current(&self) -> bool {
        self.base
            .store()
            .is_some_and(|s| Rc::ptr_eq(&s, &self.store))
    }

    /// Counts the unconfirmed changes of the outbox (at start-up).
    async fn count_outbox(&mut self) {
        let outbox = match self.store.outbox().await {
            Ok(ids) => ids,
            Err(e) => {
                warn!("sync: cannot read the outbox: {e}");
                return;
            }
        };
        for id in outbox {
            if self.recount(&id).await == Some(0)
                && let Err(e) = self.store.outbox_done(&id).await
            {
                warn!("sync: cannot update the outbox: {e}");
            }
        }
    }

    /// Waits `ms` before the next attempt, counting local changes made
    /// meanwhile. False when sync is to stop.
    async fn pause(&mut self, ms: u32, local: &mut mpsc::UnboundedReceiver<String>) -> bool {
        let mut timer = TimeoutFuture::new(ms);
        loop {
            match select(timer, local.next()).await {
                Either::Left(((), _)) => return true,
                Either::Right((Some(id), rest)) => {
                    timer = rest;
                    self.recount(&id).await;
                }
                Either::Right((None, _)) => return false,
            }
        }
    }

    /// One connection, from opening to close.
    async fn connection(
        &mut self,
        socket: Socket,
        events: mpsc::UnboundedReceiver<Event>,
        local: &mut mpsc::UnboundedReceiver<String>,
    ) -> Ended {
        self.relay = None;
        self.awaiting.clear();
        // Only what was saved survives a connection (as after a restart):
        // in-flight flags and what the relay said are forgotten.
        self.states.clear();
        let mut inputs = Box::pin(stream::select(
            events.map(Input::Socket),
            local
                .by_ref()
                .map(Input::Local)
                .chain(stream::once(async { Input::Stop })),
        ));
        while let Some(input) = inputs.next().await {
            if !self.current() {
                return Ended::Stopped;
            }
            match input {
                Input::Stop => return Ended::Stopped,
                Input::Local(id) => {
                    if self.relay.is_some() {
                        self.send_sync(&socket, &id).await;
                    }
                    self.recount(&id).await;
                }
                Input::Socket(Event::Open) => {
                    let join = Message::Join {
                        sender_id: self.peer.clone(),
                        peer_metadata: PeerMetadata {
                            storage_id: Some(self.storage_id.clone()),
                            is_ephemeral: false,
                        },
                        supported_protocol_versions: vec![sync::PROTOCOL_VERSION.to_owned()],
                    };
                    socket.send(&sync::encode(&join));
                }
                Input::Socket(Event::Frame(bytes)) => match sync::decode(&bytes, DEFAULT_MAX_FRAME)
                {
                    Ok(message) => self.receive(&socket, message).await,
                    Err(e) => warn!("sync: unreadable frame from the relay: {e}"),
                },
                Input::Socket(Event::Closed {
                    code,
                    reason,
                    opened,
                }) => {
                    if code == CLOSE_SESSION_ENDED {
                        return Ended::Revoked(reason);
                    }
                    if opened {
                        warn!("sync: the relay closed the socket ({code})");
                    }
                    return Ended::Closed {
                        joined: self.relay.take().is_some(),
                    };
                }
            }
        }
        Ended::Closed {
            joined: self.relay.take().is_some(),
        }
    }

    /// Handles one message from the relay.
    async fn receive(&mut self, socket: &Socket, message: Message) {
        match message {
            Message::Peer { sender_id, .. } => {
                let hello = Message::KtHello {
                    sender_id: self.peer.clone(),
                    target_id: sender_id.clone(),
                    cursor: self.cursor_saved,
                };
                self.relay = Some(sender_id);
                socket.send(&sync::encode(&hello));
                if self.state.net.get_untracked() != Net::Online {
                    self.state.net.set(Net::Online);
                }
                let outbox: Vec<String> = self.unsent.keys().cloned().collect();
                for id in outbox {
                    self.send_sync(socket, &id).await;
                }
                self.settled().await;
            }
            Message::KtChanged {
                document_ids,
                cursor,
                ..
            } => {
                for id in document_ids {
                    // The workspace document too: new settings reach every
                    // device live (the store announces them to the base).
                    let id = id.uuid().to_string();
                    self.send_sync(socket, &id).await;
                    // Whether or not there was something to say, the relay
                    // answers with what changed (a live change is pushed):
                    // the cursor waits for that answer.
                    self.awaiting.insert(id);
                }
                self.cursor_seen = self.cursor_seen.max(cursor);
                self.settled().await;
            }
            Message::Sync {
                document_id, data, ..
            }
            | Message::Request {
                document_id, data, ..
            } => {
                let id = document_id.uuid().to_string();
                self.apply(&id, &data).await;
                self.awaiting.remove(&id);
                self.send_sync(socket, &id).await;
                self.awaiting.remove(&id);
                self.recount(&id).await;
                self.settled().await;
            }
            Message::DocUnavailable { document_id, .. } => {
                let id = document_id.uuid().to_string();
                self.awaiting.remove(&id);
                if self.parting.remove(&id) {
                    // Its changes were not kept (it is not the user's any
                    // more): back to what the relay has, which is nothing.
                    self.drop_document(&id).await;
                }
                self.settled().await;
            }
            Message::KtParted {
                document_id,
                assignment,
                ..
            } => {
                let id = document_id.uuid().to_string();
                // Unconfirmed changes are synced first: the relay's answer
                // (a lost take is refused with `taken`) drops the copy.
                let held = self.unsent.contains_key(&id);
                if let Err(e) = self.store.part(&id, assignment, !held).await {
                    warn!("sync: cannot drop {id}, which is no longer the user's: {e}");
                }
                if held {
                    self.parting.insert(id);
                } else {
                    self.states.remove(&id);
                }
            }
            Message::KtAccepted {
                document_id,
                cursor,
                heads,
                ..
            } => {
                let id = document_id.uuid().to_string();
                let heads: Vec<ChangeHash> = heads.iter().filter_map(|h| h.parse().ok()).collect();
                self.note_relay_heads(&id, &heads).await;
                self.cursor_seen = self.cursor_seen.max(cursor);
                if self.recount(&id).await == Some(0) && self.unsent.is_empty() {
                    self.synced_now().await;
                }
                self.settled().await;
            }
            Message::KtRefused {
                document_id,
                code,
                reason,
                ..
            } => {
                let id = document_id.uuid().to_string();
                warn!("sync: the relay refused the changes of {id}: {reason}");
                self.state.sync.refused.set(Some(code));
                if self.workspace.as_deref() == Some(id.as_str()) {
                    // Only administrators change settings, and only they
                    // are offered to: the workspace is kept (a device
                    // cannot work without it) and the refusal shown.
                    return;
                }
                // Back to what the relay accepted: drop the copy and ask
                // for the document again.
                self.parting.remove(&id);
                self.drop_document(&id).await;
                self.send_sync(socket, &id).await;
            }
            Message::Error { message, .. } => warn!("sync: the relay says: {message}"),
            _ => {}
        }
    }

    /// Drops this device's copy of a document, its sync state and its
    /// unconfirmed changes.
    async fn drop_document(&mut self, id: &str) {
        if let Err(e) = self.store.forget(id).await {
            warn!("sync: cannot drop the copy of {id}: {e}");
        }
        self.states.remove(id);
        self.unsent.remove(id);
        self.publish_unsent();
    }

    /// The sync state of a document in this connection.
    async fn state_of(&mut self, id: &str) -> &mut am_sync::State {
        if !self.states.contains_key(id) {
            let saved = self.store.sync_state(id).await.unwrap_or_default();
            self.states.insert(id.to_owned(), saved);
        }
        self.states.entry(id.to_owned()).or_default()
    }

    /// Applies a sync message of the relay through the store (which
    /// announces what it changed).
    async fn apply(&mut self, id: &str, data: &[u8]) {
        let store = self.store.clone();
        let mut st = std::mem::take(self.state_of(id).await);
        match store.receive_sync(id, &mut st, data).await {
            Ok(_) => {
                // What changed was announced by the store to the base.
                if let Err(e) = store.save_sync_state(id, &st).await {
                    warn!("sync: cannot save the sync state of {id}: {e}");
                }
                self.states.insert(id.to_owned(), st);
            }
            Err(e) => {
                // The next message starts from the saved state again.
                warn!("sync: cannot apply a sync message for {id}: {e}");
                self.states.remove(id);
            }
        }
    }

    /// Records (and saves) in a document's sync state what the relay said
    /// it has stored.
    async fn note_relay_heads(&mut self, id: &str, heads: &[ChangeHash]) {
        let store = self.store.clone();
        let st = self.state_of(id).await;
        match store.note_relay_heads(id, st, heads).await {
            Ok(()) => {
                if let Err(e) = store.save_sync_state(id, st).await {
                    warn!("sync: cannot save the sync state of {id}: {e}");
                }
            }
            Err(StoreError::NotFound) => {}
            Err(e) => warn!("sync: cannot note what the relay has of {id}: {e}"),
        }
    }

    /// Sends the next sync (or request) message of a document, if there
    /// is something to say, and waits for its answer.
    async fn send_sync(&mut self, socket: &Socket, id: &str) {
        let Some(relay) = self.relay.clone() else {
            return;
        };
        let Ok(uuid) = uuid::Uuid::parse_str(id) else {
            return;
        };
        let store = self.store.clone();
        let st = self.state_of(id).await;
        let generated = store.sync_message(id, st).await;
        let (data, request) = match generated {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(e) => {
                warn!("sync: no sync message for {id}: {e}");
                return;
            }
        };
        let document_id = DocumentId::from(uuid);
        let message = if request {
            Message::Request {
                sender_id: self.peer.clone(),
                target_id: relay,
                document_id,
                data,
            }
        } else {
            Message::Sync {
                sender_id: self.peer.clone(),
                target_id: relay,
                document_id,
                data,
            }
        };
        if socket.send(&sync::encode(&message)) {
            self.awaiting.insert(id.to_owned());
        }
    }

    /// Counts a document's unconfirmed local changes; a counted document
    /// with none left leaves the outbox. The count, if it could be made.
    async fn recount(&mut self, id: &str) -> Option<usize> {
        let store = self.store.clone();
        let st = self.state_of(id).await.clone();
        let count = match store.unsent(id, &st).await {
            Ok(n) => n,
            Err(StoreError::NotFound) => 0,
            Err(e) => {
                warn!("sync: cannot count the changes of {id}: {e}");
                return None;
            }
        };
        if count == 0 {
            if self.unsent.remove(id).is_some()
                && let Err(e) = store.outbox_done(id).await
            {
                warn!("sync: cannot update the outbox: {e}");
            }
        } else {
            self.unsent.insert(id.to_owned(), count);
        }
        self.publish_unsent();
        Some(count)
    }

    fn publish_unsent(&self) {
        let total: usize = self.unsent.values().sum();
        if self.state.sync.unsent.get_untracked() != total {
            self.state.sync.unsent.set(total);
        }
    }

    /// When nothing named is waiting for an answer: the cursor is saved
    /// and the time of this sync shown.
    async fn settled(&mut self) {
        if self.relay.is_none() || !self.awaiting.is_empty() {
            return;
        }
        if self.cursor_seen > self.cursor_saved {
            match self
                .store
                .set_meta(META_CURSOR, &self.cursor_seen.to_string())
                .await
            {
                Ok(()) => self.cursor_saved = self.cursor_seen,
                Err(e) => warn!("sync: cannot save the cursor: {e}"),
            }
        }
        if self.unsent.is_empty() {
            self.synced_now().await;
        }
    }

    /// Shows (and keeps) now as the time of the last finished sync.
    async fn synced_now(&mut self) {
        let now = now_ms();
        self.state.sync.last_sync.set(Some(now));
        // Only shown; losing it costs nothing.
        let _ = self.store.set_meta(META_LAST_SYNC, &now.to_string()).await;
    }
}
