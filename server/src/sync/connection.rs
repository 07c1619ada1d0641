//! One device's connection: the handshake, its sync state per document
//! (kept in the store per peer storage id, so a reconnect resumes), its
//! change cursor, and what it is told when others change documents it may
//! read.

use std::collections::{HashMap, HashSet};

use automerge::sync::{self as am_sync, SyncDoc};
use chrono::{Datelike, NaiveDate};
use futures::{Sink, SinkExt, Stream, StreamExt};
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{self, DecodeError, DocumentId, Message, PeerId, PeerMetadata};
use tokio::sync::OwnedMutexGuard;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::authority::{may_have_read, may_read};
use super::hub::{Access, Loaded, Note, Policy, SessionEnd};
use super::job::{Job, Outcome, load};
use super::{Frame, Relay, StreamError, SyncError, close};
use crate::store::{ChangedDoc, UserRecord};

/// How often an open connection checks that its session still holds
/// (expiry, or a session ended on another relay sharing the database).
const SESSION_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Bad frames a connection may send before it is closed.
const MAX_BAD_FRAMES: u32 = 3;

/// Ephemeral messages (presence, cursors) a device may send in a second;
/// more are dropped, so that one device cannot flood the feed every
/// connection reads.
const EPHEMERAL_PER_SECOND: u32 = 50;

/// At most this many ids in one `kt-changed`, so that a first sync of a
/// large base stays far below the frame limit.
const IDS_PER_MESSAGE: usize = 10_000;

/// Who is on the other end, after `join`.
struct Joined {
    peer: PeerId,
    /// Sync states are persisted under this key ([`sync_state_key`]);
    /// `None` for an ephemeral peer, whose states live as long as the
    /// connection.
    storage: Option<String>,
}

/// What the handling of one frame leaves the connection to do.
enum Flow {
    Continue,
    Close(u16, String),
}

pub(super) struct Connection<'r, S> {
    relay: &'r Relay,
    user: UserRecord,
    id: u64,
    sink: S,
    joined: Option<Joined>,
    /// Said `kt-hello`: gets `kt-` messages.
    kt: bool,
    /// The last change number the device was told about.
    cursor: u64,
    states: HashMap<DocumentId, am_sync::State>,
    bad_frames: u32,
    /// Documents to name in the next `kt-changed` (notes are gathered so
    /// that a burst of commits is one message), and the cursor it brings.
    unsaid: Vec<DocumentId>,
    unsaid_set: HashSet<DocumentId>,
    unsaid_cursor: u64,
    /// Documents being synced that changed since they were last pushed.
    unpushed: Vec<DocumentId>,
    unpushed_set: HashSet<DocumentId>,
    /// The current second of ephemeral messages and how many came in it.
    ephemeral_window: (std::time::Instant, u32),
    /// The token the device connected with, checked again now and then.
    token: Option<String>,
}

impl<'r, S: Sink<Frame> + Unpin> Connection<'r, S> {
    pub(super) fn new(relay: &'r Relay, user: UserRecord, sink: S) -> Self {
        Connection {
            relay,
            user,
            id: relay.hub.connection_id(),
            sink,
            joined: None,
            kt: false,
            cursor: 0,
            states: HashMap::new(),
            bad_frames: 0,
            unsaid: Vec::new(),
            unsaid_set: HashSet::new(),
            unsaid_cursor: 0,
            unpushed: Vec::new(),
            unpushed_set: HashSet::new(),
            ephemeral_window: (std::time::Instant::now(), 0),
            token: None,
        }
    }

    /// Checks `token` again every [`SESSION_CHECK`] while connected.
    pub(super) fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    /// Why the session the device connected with no longer holds, if it
    /// does not.
    async fn session_end(&self) -> Result<Option<SessionEnd>, SyncError> {
        let Some(token) = self.token.clone() else {
            return Ok(None);
        };
        let store = self.relay.store.clone();
        let user = self.user.id.clone();
        let now = self.relay.clock.now_ms();
        let end = tokio::task::spawn_blocking(move || -> Result<_, SyncError> {
            match crate::auth::user_of_token(&store, &token, now) {
                Ok(_) => Ok(None),
                Err(crate::error::ApiError::Unauthorized) => {
                    let active = store.user(&user)?.is_some_and(|u| u.active);
                    Ok(Some(if active {
                        SessionEnd::Expired
                    } else {
                        SessionEnd::Deactivated
                    }))
                }
                Err(e) => Err(SyncError::Task(e.to_string())),
            }
        })
        .await??;
        Ok(end)
    }

    pub(super) async fn run<R>(mut self, mut stream: R) -> Result<(), SyncError>
    where
        R: Stream<Item = Result<Frame, StreamError>> + Unpin,
    {
        // Subscribed before anything is read, so no commit falls between
        // what `kt-hello` reports and what the feed brings.
        let mut feed = self.relay.hub.subscribe();
        let mut ended = self.relay.hub.subscribe_ended();
        let mut check = tokio::time::interval(SESSION_CHECK);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is at once: a session ended between the check at
        // the upgrade and the subscription above is caught there.
        let flow = loop {
            let flow = tokio::select! {
                end = ended.recv() => match end {
                    Ok((user, why)) if user == self.user.id => {
                        Flow::Close(close::SESSION_ENDED, why.code().into())
                    }
                    // Someone else's, or a burst this connection missed:
                    // the check below looks at its own session.
                    Ok(_) => Flow::Continue,
                    Err(RecvError::Lagged(_)) => self.check_session().await?,
                    Err(RecvError::Closed) => Flow::Close(close::NORMAL, "the relay stops".into()),
                },
                _ = check.tick() => self.check_session().await?,
                incoming = stream.next() => match incoming {
                    None | Some(Ok(Frame::Close { .. })) => return Ok(()),
                    Some(Err(StreamError::Broken(e))) => {
                        tracing::debug!(login = %self.user.login, error = %e, "sync socket broke");
                        return Ok(());
                    }
                    Some(Err(StreamError::TooLarge)) => self.too_large(None).await?,
                    Some(Ok(Frame::Text(_))) => {
                        self.bad("frames are binary CBOR messages, not text".into()).await?
                    }
                    Some(Ok(Frame::Binary(bytes))) => self.on_frame(&bytes, &mut feed).await?,
                },
                note = feed.recv() => match note {
                    Ok(note) => {
                        self.on_note(note).await?;
                        self.drain(&mut feed).await?;
                        Flow::Continue
                    }
                    Err(RecvError::Lagged(_)) => self.catch_up().await.map(|()| Flow::Continue)?,
                    Err(RecvError::Closed) => Flow::Close(close::NORMAL, "the relay stops".into()),
                },
            };
            if let Flow::Close(code, reason) = flow {
                break (code, reason);
            }
        };
        let (code, reason) = flow;
        // The device may already be gone; nothing more to do then.
        let _ = self.sink.send(Frame::Close { code, reason }).await;
        Ok(())
    }

    /// Closes the connection when its session no longer holds.
    async fn check_session(&self) -> Result<Flow, SyncError> {
        Ok(match self.session_end().await? {
            None => Flow::Continue,
            Some(why) => Flow::Close(close::SESSION_ENDED, why.code().into()),
        })
    }

    async fn send(&mut self, message: &Message) -> Result<(), SyncError> {
        self.sink
            .send(Frame::Binary(sync::encode(message)))
            .await
            .map_err(|_| SyncError::Closed)
    }

    fn me(&self) -> PeerId {
        self.relay.hub.peer_id().clone()
    }

    fn target(&self) -> PeerId {
        self.joined
            .as_ref()
            .map(|j| j.peer.clone())
            .unwrap_or_default()
    }

    async fn error(&mut self, text: String) -> Result<(), SyncError> {
        let message = Message::Error {
            sender_id: self.me(),
            target_id: self.joined.as_ref().map(|j| j.peer.clone()),
            message: text,
        };
        self.send(&message).await
    }

    /// A frame that is not a message: an `error`, and after a few the
    /// socket is closed.
    async fn bad(&mut self, text: String) -> Result<Flow, SyncError> {
        self.bad_frames += 1;
        tracing::debug!(login = %self.user.login, problem = %text, "bad sync frame");
        self.error(text).await?;
        Ok(if self.bad_frames >= MAX_BAD_FRAMES {
            Flow::Close(close::POLICY, "too many malformed messages".into())
        } else {
            Flow::Continue
        })
    }

    async fn too_large(&mut self, size: Option<usize>) -> Result<Flow, SyncError> {
        let limit = self.relay.max_frame;
        let text = match size {
            Some(size) => format!("a frame of {size} bytes is over the limit of {limit} bytes"),
            None => format!("a frame is over the limit of {limit} bytes"),
        };
        self.error(text.clone()).await?;
        Ok(Flow::Close(close::TOO_LARGE, text))
    }

    async fn on_frame(
        &mut self,
        bytes: &[u8],
        feed: &mut tokio::sync::broadcast::Receiver<Note>,
    ) -> Result<Flow, SyncError> {
        let message = match sync::decode(bytes, self.relay.max_frame) {
            Ok(message) => message,
            Err(DecodeError::TooLarge { size, .. }) => return self.too_large(Some(size)).await,
            Err(e) => return self.bad(format!("not a sync message: {e}")).await,
        };
        match message {
            Message::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } => {
                self.join(sender_id, peer_metadata, &supported_protocol_versions)
                    .await
            }
            Message::Leave { .. } => Ok(Flow::Close(close::NORMAL, "goodbye".into())),
            _ if self.joined.is_none() => {
                self.bad("say \"join\" before anything else".into()).await
            }
            Message::KtHello { cursor, .. } => {
                self.kt = true;
                self.changed_since(cursor).await?;
                self.entered_exchange(cursor == 0).await?;
                Ok(Flow::Continue)
            }
            Message::Request {
                document_id, data, ..
            } => self.doc_sync(document_id, &data, true, feed).await,
            Message::Sync {
                document_id, data, ..
            } => self.doc_sync(document_id, &data, false, feed).await,
            Message::Ephemeral {
                sender_id,
                document_id,
                session_id,
                count,
                data,
                ..
            } => {
                self.ephemeral(document_id, sender_id, session_id, count, data)
                    .await?;
                Ok(Flow::Continue)
            }
            Message::Error { message, .. } => {
                tracing::debug!(login = %self.user.login, %message, "a device reported an error");
                Ok(Flow::Continue)
            }
            Message::Other { r#type: kind } => {
                // Said, so a device sees why nothing happens; not a bad
                // frame, so a newer peer is not closed for it.
                self.error(format!("unknown message type \"{kind}\", ignored"))
                    .await?;
                Ok(Flow::Continue)
            }
            // Heads gossip, a device's own `doc-unavailable`, and messages
            // only the relay sends.
            _ => Ok(Flow::Continue),
        }
    }

    async fn join(
        &mut self,
        peer: PeerId,
        meta: PeerMetadata,
        versions: &[String],
    ) -> Result<Flow, SyncError> {
        if !versions.iter().any(|v| v == sync::PROTOCOL_VERSION) {
            self.error(format!(
                "this relay speaks protocol version \"{}\" only",
                sync::PROTOCOL_VERSION
            ))
            .await?;
            return Ok(Flow::Close(
                close::PROTOCOL,
                "unsupported protocol version".into(),
            ));
        }
        // Keyed by user too: a device that claims another user's storage
        // id gets its own sync states, never theirs.
        let storage = meta
            .storage_id
            .filter(|_| !meta.is_ephemeral)
            .map(|storage| sync_state_key(&self.user, &storage));
        let same_storage = self.joined.as_ref().map(|j| &j.storage) == Some(&storage);
        if !same_storage {
            self.states.clear();
        }
        self.joined = Some(Joined {
            peer: peer.clone(),
            storage,
        });
        let storage_id = {
            let store = self.relay.store.clone();
            tokio::task::spawn_blocking(move || store.storage_id()).await??
        };
        let answer = Message::Peer {
            sender_id: self.me(),
            target_id: peer,
            peer_metadata: PeerMetadata {
                storage_id: Some(storage_id),
                is_ephemeral: false,
            },
            selected_protocol_version: sync::PROTOCOL_VERSION.to_owned(),
        };
        self.send(&answer).await?;
        Ok(Flow::Continue)
    }

    /// `kt-changed` with the readable documents changed after `cursor`.
    async fn changed_since(&mut self, cursor: u64) -> Result<(), SyncError> {
        let policy = self.relay.policy().await?;
        let today = self.relay.today(&policy);
        let store = self.relay.store.clone();
        let (changed, last) = tokio::task::spawn_blocking(move || {
            let (changed, last) = store.changed_since(cursor)?;
            // A cursor from the future is from another data folder: the
            // device learns about everything.
            if cursor > last {
                store.changed_since(0)
            } else {
                Ok((changed, last))
            }
        })
        .await??;
        let mut batch = Vec::new();
        for doc in &changed {
            let Some(id) = uuid::Uuid::parse_str(&doc.id).ok().map(DocumentId::from) else {
                continue;
            };
            let access = access_of(doc, id, &policy);
            if may_read(&self.user, &access, &policy, today) {
                batch.push(id);
            } else {
                // Before the `kt-changed` whose cursor passes it, so a
                // device never saves a cursor beyond a parting it missed.
                self.parted(id, &access).await?;
            }
            if batch.len() == IDS_PER_MESSAGE {
                self.kt_changed(std::mem::take(&mut batch), doc.seq).await?;
            }
        }
        self.kt_changed(batch, last).await
    }

    /// `kt-changed` with the clients that went to the exchange since this
    /// device's last `kt-hello` by the calendar alone (no change, so the
    /// cursor does not name them), which a manager may read now. At most
    /// once a day per device: a pass over the summaries. `first`: the
    /// device was just told everything it may read; only the day is noted.
    async fn entered_exchange(&mut self, first: bool) -> Result<(), SyncError> {
        if self.user.role.sees_everything() {
            return Ok(());
        }
        let Some(device) = self.joined.as_ref().and_then(|j| j.storage.clone()) else {
            return Ok(());
        };
        let policy = self.relay.policy().await?;
        let today = self.relay.today(&policy);
        let store = self.relay.store.clone();
        let ids = tokio::task::spawn_blocking(move || -> Result<Vec<DocumentId>, SyncError> {
            let today_number = i64::from(today.num_days_from_ce());
            let last = store.hello_day(&device)?;
            if last == Some(today_number) {
                return Ok(Vec::new());
            }
            store.put_hello_day(&device, today_number)?;
            let since = last
                .and_then(|day| i32::try_from(day).ok())
                .and_then(NaiveDate::from_num_days_from_ce_opt);
            let Some(since) = since.filter(|since| !first && *since < today) else {
                return Ok(Vec::new());
            };
            let mut ids = Vec::new();
            store.for_each_summary(&mut |id, json| {
                let Ok(summary) = serde_json::from_slice::<ClientSummary>(json) else {
                    return Ok(());
                };
                let in_exchange = |day| {
                    zone(&summary.facts, policy.thresholds, day)
                        .is_some_and(|r| r.zone == Some(Zone::Exchange))
                };
                if in_exchange(today)
                    && !in_exchange(since)
                    && let Ok(uuid) = uuid::Uuid::parse_str(id)
                {
                    ids.push(DocumentId::from(uuid));
                }
                Ok(())
            })?;
            Ok(ids)
        })
        .await??;
        for batch in ids.chunks(IDS_PER_MESSAGE) {
            self.kt_changed(batch.to_vec(), self.cursor).await?;
        }
        Ok(())
    }

    /// Tells the device to drop a client document it synced and its user
    /// may no longer read (`kt-parted`), naming the latest assignment (the
    /// one that took the client away). The relay's sync state with the
    /// device is how it knows the device has a copy; it is forgotten with
    /// the message, so a device is told once, and a device that never had
    /// the document is told nothing (the feed is not a list of other
    /// managers' clients).
    async fn parted(&mut self, id: DocumentId, access: &Access) -> Result<(), SyncError> {
        let Access::Client(summary) = access else {
            return Ok(());
        };
        let Some(assignment) = summary.assignments.last().cloned() else {
            return Ok(());
        };
        let policy = self.relay.policy().await?;
        if !self.kt || !may_have_read(&self.user, summary, &policy) {
            return Ok(());
        }
        let synced_now = self.states.remove(&id).is_some();
        let storage = self.joined.as_ref().and_then(|j| j.storage.clone());
        let key = id.uuid().to_string();
        let store = self.relay.store.clone();
        let synced_before = match storage.clone() {
            Some(storage) => tokio::task::spawn_blocking(move || store.sync_state(&storage, &key))
                .await??
                .is_some(),
            None => false,
        };
        if !synced_now && !synced_before {
            return Ok(());
        }
        let message = Message::KtParted {
            sender_id: self.me(),
            target_id: self.target(),
            document_id: id,
            assignment,
        };
        // Sent first: a device whose socket is already gone is told at its
        // next `kt-hello` instead.
        self.send(&message).await?;
        if let Some(storage) = storage {
            let store = self.relay.store.clone();
            let key = id.uuid().to_string();
            tokio::task::spawn_blocking(move || store.put_sync_state(&storage, &key, None))
                .await??;
        }
        Ok(())
    }

    async fn kt_changed(&mut self, ids: Vec<DocumentId>, cursor: u64) -> Result<(), SyncError> {
        self.cursor = self.cursor.max(cursor);
        let message = Message::KtChanged {
            sender_id: self.me(),
            target_id: self.target(),
            document_ids: ids,
            cursor,
            server_time: u64::try_from(self.relay.clock.now_ms()).unwrap_or_default(),
        };
        self.send(&message).await
    }

    /// The sync state with this device for a document: in memory, else
    /// as saved for the device's storage, else new.
    async fn take_state(&mut self, id: DocumentId) -> Result<am_sync::State, SyncError> {
        if let Some(state) = self.states.remove(&id) {
            return Ok(state);
        }
        let Some(storage) = self.joined.as_ref().and_then(|j| j.storage.clone()) else {
            return Ok(am_sync::State::new());
        };
        let store = self.relay.store.clone();
        let saved =
            tokio::task::spawn_blocking(move || store.sync_state(&storage, &id.uuid().to_string()))
                .await??;
        // A damaged saved state only costs a longer sync.
        Ok(saved
            .and_then(|bytes| am_sync::State::decode(&bytes).ok())
            .unwrap_or_default())
    }

    async fn doc_sync(
        &mut self,
        id: DocumentId,
        data: &[u8],
        is_request: bool,
        feed: &mut tokio::sync::broadcast::Receiver<Note>,
    ) -> Result<Flow, SyncError> {
        let message = match am_sync::Message::decode(data) {
            Ok(m) => m,
            Err(e) => {
                return self
                    .bad(format!(
                        "the data for document {id} is not an Automerge sync message: {e}"
                    ))
                    .await;
            }
        };
        let policy = self.relay.policy().await?;
        let job = Job {
            relay: self.relay.clone(),
            user: self.user.clone(),
            origin: self.id,
            id,
            is_request,
            storage: self.joined.as_ref().and_then(|j| j.storage.clone()),
            today: self.relay.today(&policy),
            policy,
        };
        let state = self.take_state(id).await?;
        let slot = self.relay.hub.slot(id).lock_owned().await;
        let outcome = tokio::task::spawn_blocking(move || job.run(slot, message, state)).await??;
        match outcome {
            Outcome::Unavailable => {
                let message = Message::DocUnavailable {
                    sender_id: self.me(),
                    target_id: self.target(),
                    document_id: id,
                };
                self.send(&message).await?;
            }
            Outcome::Invalid(problem) => {
                return self
                    .bad(format!(
                        "the sync message for document {id} cannot be applied: {problem}"
                    ))
                    .await;
            }
            Outcome::Refused(refusal) => {
                tracing::info!(login = %self.user.login, document = %id, code = refusal.code,
                    reason = %refusal.reason, "changes refused");
                let message = if self.kt {
                    Message::KtRefused {
                        sender_id: self.me(),
                        target_id: self.target(),
                        document_id: id,
                        code: refusal.code.to_owned(),
                        reason: refusal.reason,
                    }
                } else {
                    Message::Error {
                        sender_id: self.me(),
                        target_id: Some(self.target()),
                        message: format!("changes to {id} refused: {}", refusal.reason),
                    }
                };
                self.send(&message).await?;
            }
            Outcome::Synced {
                state,
                reply,
                accepted,
            } => {
                self.states.insert(id, state);
                if let Some((seq, heads)) = accepted {
                    if let Some(seq) = seq {
                        // Whatever was committed before this change is
                        // told first, so the cursor covers nothing untold.
                        self.drain(feed).await?;
                        self.cursor = self.cursor.max(self.relay.hub.safe_cursor(seq));
                    }
                    if self.kt {
                        let message = Message::KtAccepted {
                            sender_id: self.me(),
                            target_id: self.target(),
                            document_id: id,
                            cursor: self.cursor,
                            heads,
                        };
                        self.send(&message).await?;
                    }
                }
                if let Some(data) = reply {
                    self.send_sync(id, data).await?;
                }
            }
        }
        Ok(Flow::Continue)
    }

    async fn send_sync(&mut self, id: DocumentId, data: Vec<u8>) -> Result<(), SyncError> {
        let message = Message::Sync {
            sender_id: self.me(),
            target_id: self.target(),
            document_id: id,
            data,
        };
        self.send(&message).await
    }

    /// A locked document, loaded from the store if it is not in memory;
    /// `None` inside if it does not exist.
    async fn loaded(&self, id: DocumentId) -> Result<OwnedMutexGuard<Option<Loaded>>, SyncError> {
        let slot = self.relay.hub.slot(id).lock_owned().await;
        if slot.is_some() {
            return Ok(slot);
        }
        let relay = self.relay.clone();
        let policy = relay.policy().await?;
        tokio::task::spawn_blocking(move || {
            let mut slot = slot;
            load(&relay, id, &policy, &mut slot)?;
            Ok(slot)
        })
        .await?
    }

    async fn ephemeral(
        &mut self,
        id: DocumentId,
        sender_id: PeerId,
        session_id: String,
        count: u64,
        data: Vec<u8>,
    ) -> Result<(), SyncError> {
        let now = std::time::Instant::now();
        let (since, count_in_window) = &mut self.ephemeral_window;
        if now.duration_since(*since) >= std::time::Duration::from_secs(1) {
            *since = now;
            *count_in_window = 0;
        }
        *count_in_window += 1;
        if *count_in_window > EPHEMERAL_PER_SECOND {
            return Ok(());
        }
        let access = match self.loaded(id).await?.as_ref() {
            Some(loaded) => loaded.kind.access(),
            None => return Ok(()),
        };
        let policy = self.relay.policy().await?;
        if !may_read(&self.user, &access, &policy, self.relay.today(&policy)) {
            return Ok(());
        }
        self.relay.hub.publish(Note::Ephemeral {
            document_id: id,
            access,
            origin: self.id,
            sender_id,
            session_id,
            count,
            data: data.into(),
        });
        Ok(())
    }

    /// Handles the notes already waiting, then says `kt-changed` once for
    /// all of them and pushes each changed document once.
    async fn drain(
        &mut self,
        feed: &mut tokio::sync::broadcast::Receiver<Note>,
    ) -> Result<(), SyncError> {
        loop {
            match feed.try_recv() {
                Ok(note) => self.on_note(note).await?,
                Err(TryRecvError::Lagged(_)) => self.catch_up().await?,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        self.say_changed().await?;
        self.unpushed_set.clear();
        for id in std::mem::take(&mut self.unpushed) {
            self.push(id).await?;
        }
        Ok(())
    }

    /// The `kt-changed` for the notes gathered so far.
    async fn say_changed(&mut self) -> Result<(), SyncError> {
        if self.unsaid.is_empty() {
            return Ok(());
        }
        let ids = std::mem::take(&mut self.unsaid);
        self.unsaid_set.clear();
        self.kt_changed(ids, self.unsaid_cursor).await
    }

    /// Tells this device about what another connection did.
    async fn on_note(&mut self, note: Note) -> Result<(), SyncError> {
        let (origin, access) = match &note {
            Note::Committed { origin, access, .. } | Note::Ephemeral { origin, access, .. } => {
                (*origin, access)
            }
        };
        if origin == self.id || self.joined.is_none() {
            return Ok(());
        }
        let policy = self.relay.policy().await?;
        if !may_read(&self.user, access, &policy, self.relay.today(&policy)) {
            if let Note::Committed { document_id, .. } = &note {
                self.parted(*document_id, access).await?;
            }
            return Ok(());
        }
        match note {
            Note::Committed {
                document_id, seq, ..
            } => {
                if self.kt && seq > self.cursor {
                    if self.unsaid_set.insert(document_id) {
                        self.unsaid.push(document_id);
                    }
                    self.unsaid_cursor = self.unsaid_cursor.max(self.relay.hub.safe_cursor(seq));
                    if self.unsaid.len() >= IDS_PER_MESSAGE {
                        self.say_changed().await?;
                    }
                }
                if self.states.contains_key(&document_id) && self.unpushed_set.insert(document_id) {
                    self.unpushed.push(document_id);
                }
                Ok(())
            }
            Note::Ephemeral {
                document_id,
                sender_id,
                session_id,
                count,
                data,
                ..
            } => {
                let message = Message::Ephemeral {
                    sender_id,
                    target_id: self.target(),
                    document_id,
                    session_id,
                    count,
                    data: data.to_vec(),
                };
                self.send(&message).await
            }
        }
    }

    /// Sends what changed in a document this device is syncing now.
    async fn push(&mut self, id: DocumentId) -> Result<(), SyncError> {
        if !self.states.contains_key(&id) {
            return Ok(());
        }
        let guard = self.loaded(id).await?;
        let reply = match (guard.as_ref(), self.states.get_mut(&id)) {
            (Some(loaded), Some(state)) => loaded.doc.generate_sync_message(state),
            _ => None,
        };
        drop(guard);
        match reply {
            Some(message) => self.send_sync(id, message.encode()).await,
            None => Ok(()),
        }
    }

    /// After falling behind the feed: what changed since the cursor, and
    /// every document being synced.
    async fn catch_up(&mut self) -> Result<(), SyncError> {
        // The store lists these again, with what the feed dropped, and
        // every document being synced is pushed below.
        self.unsaid.clear();
        self.unsaid_set.clear();
        self.unpushed.clear();
        self.unpushed_set.clear();
        if self.kt {
            self.changed_since(self.cursor).await?;
        }
        let ids: Vec<DocumentId> = self.states.keys().copied().collect();
        for id in ids {
            self.push(id).await?;
        }
        Ok(())
    }
}

/// Where the relay keeps its sync states with a device's storage.
pub fn sync_state_key(user: &UserRecord, storage_id: &str) -> String {
    format!("{}/{storage_id}", user.id.as_str())
}

/// Who may read a document in the change index.
pub(super) fn access_of(doc: &ChangedDoc, id: DocumentId, policy: &Policy) -> Access {
    if policy.workspace == Some(id) {
        return Access::Everyone;
    }
    match doc
        .summary
        .as_deref()
        .and_then(|json| serde_json::from_slice::<ClientSummary>(json).ok())
    {
        Some(summary) => Access::Client(summary.into()),
        None => Access::SupervisorsOnly,
    }
}
