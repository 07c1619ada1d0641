//! Helpers of the sync tests and the sync bench: a simulated device that
//! speaks the protocol with native Automerge, links to a relay (in memory
//! through channels, or a real WebSocket), a tiny HTTP client, and the
//! relay binary as a child process.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use automerge::sync::{self as am_sync, SyncDoc};
use automerge::{AutoCommit, ChangeHash, ReadDoc};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use kartoteka::api::LoginResponse;
use kartoteka::client::ClientDoc;
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{UserId, actor_for};
use kartoteka::sync::{self, DEFAULT_MAX_FRAME, DocumentId, Message, PeerId, PeerMetadata};
use kartoteka_server::store::{UserRecord, testing};
use kartoteka_server::sync::{Frame, Relay, StreamError};
use kartoteka_server::{AppState, Clock, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The demo's "today" in every in-memory test.
pub fn today() -> Date {
    Date::from_ymd(2026, 11, 22).unwrap()
}

/// A folder under the system's temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "kartoteka-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A relay's state on a demo store of `clients` clients (in memory, or in
/// `folder`; on PostgreSQL in a database of their own when
/// `KARTOTEKA_TEST_DATABASE` names a server), with the relay clock set to
/// the demo's today.
pub fn demo_state(clients: usize, folder: Option<&Path>) -> Result<AppState> {
    let store = match folder {
        Some(folder) => testing::at(folder)?,
        None => testing::fresh()?,
    };
    if store.workspace_id()?.is_none() {
        seed::seed_demo(&store, clients, today(), 7, Timestamp(1_795_300_000_000))?;
    }
    let clock = Clock::default();
    // Noon of the demo's today in Moscow, whatever the machine's date.
    let noon = today_noon_ms();
    clock.advance_ms(noon - clock.now_ms());
    Ok(AppState::new(store, clock, None))
}

fn today_noon_ms() -> i64 {
    let days = today().naive() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    days.num_days() * 86_400_000 + 9 * 3_600_000
}

pub fn user(state: &AppState, login: &str) -> UserRecord {
    state.store.user_by_login(login).unwrap().unwrap()
}

/// A document's id from the store's key.
pub fn doc_id(key: &str) -> DocumentId {
    DocumentId::from(uuid::Uuid::parse_str(key).unwrap())
}

/// A device of one user: its documents, its sync states with the relay,
/// its cursor, and what the relay told it.
pub struct Device {
    pub user: UserId,
    pub peer: PeerId,
    pub storage: String,
    device: [u8; 8],
    relay: PeerId,
    pub cursor: u64,
    pub docs: HashMap<DocumentId, AutoCommit>,
    states: HashMap<DocumentId, am_sync::State>,
    pub changed: Vec<DocumentId>,
    pub accepted: Vec<(DocumentId, u64, Vec<String>)>,
    pub refused: Vec<(DocumentId, String)>,
    pub unavailable: Vec<DocumentId>,
    /// `kt-parted`: documents the user may no longer read, with the
    /// assignment that took each. (Kept here: a test looks at them.)
    pub parted: Vec<(DocumentId, kartoteka::summary::AssignmentSummary)>,
    pub errors: Vec<String>,
    pub joined: bool,
    /// Syncs every document `kt-changed` names (a Kartoteka device keeps
    /// its whole base current); off, it only notes them.
    pub follow_changed: bool,
}

impl Device {
    pub fn new(user: &UserId, device: u8) -> Device {
        Device {
            user: user.clone(),
            peer: PeerId(format!("device-{device}-{}", uuid::Uuid::new_v4().simple())),
            storage: uuid::Uuid::new_v4().to_string(),
            device: [device; 8],
            relay: PeerId::default(),
            cursor: 0,
            docs: HashMap::new(),
            states: HashMap::new(),
            changed: Vec::new(),
            accepted: Vec::new(),
            refused: Vec::new(),
            unavailable: Vec::new(),
            parted: Vec::new(),
            errors: Vec::new(),
            joined: false,
            follow_changed: true,
        }
    }

    fn actor(&self) -> automerge::ActorId {
        actor_for(&self.user, self.device).unwrap()
    }

    pub fn join(&self) -> Message {
        Message::Join {
            sender_id: self.peer.clone(),
            peer_metadata: PeerMetadata {
                storage_id: Some(self.storage.clone()),
                is_ephemeral: false,
            },
            supported_protocol_versions: vec!["1".into()],
        }
    }

    pub fn hello(&self) -> Message {
        Message::KtHello {
            sender_id: self.peer.clone(),
            target_id: self.relay.clone(),
            cursor: self.cursor,
        }
    }

    /// The connection is gone: sync states keep only what automerge-repo
    /// persists, as after a restart of the app.
    pub fn offline(&mut self) {
        for state in self.states.values_mut() {
            *state = am_sync::State::decode(&state.encode()).unwrap();
        }
        self.joined = false;
    }

    /// A document as the relay has it (the device downloaded it earlier).
    pub fn put(&mut self, id: DocumentId, bytes: &[u8]) {
        let doc = AutoCommit::load(bytes).unwrap().with_actor(self.actor());
        self.docs.insert(id, doc);
    }

    /// The sync (or, without the document, request) message for one
    /// document, if there is something to say.
    pub fn sync(&mut self, id: DocumentId) -> Option<Message> {
        let have = self.docs.contains_key(&id);
        let actor = self.actor();
        let doc = self
            .docs
            .entry(id)
            .or_insert_with(|| AutoCommit::new().with_actor(actor));
        let state = self.states.entry(id).or_default();
        let message = doc.sync().generate_sync_message(state)?;
        let empty = !have;
        if empty {
            self.docs.remove(&id);
        }
        let (sender_id, target_id, data) =
            (self.peer.clone(), self.relay.clone(), message.encode());
        Some(if empty {
            Message::Request {
                sender_id,
                target_id,
                document_id: id,
                data,
            }
        } else {
            Message::Sync {
                sender_id,
                target_id,
                document_id: id,
                data,
            }
        })
    }

    /// What the device answers to a message from the relay.
    pub fn receive(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Peer { sender_id, .. } => {
                self.relay = sender_id;
                self.joined = true;
                Vec::new()
            }
            Message::KtChanged {
                document_ids,
                cursor,
                ..
            } => {
                self.cursor = self.cursor.max(cursor);
                self.changed.extend(&document_ids);
                if !self.follow_changed {
                    return Vec::new();
                }
                document_ids
                    .into_iter()
                    .filter_map(|id| self.sync(id))
                    .collect()
            }
            Message::Sync {
                document_id, data, ..
            } => {
                let actor = self.actor();
                let doc = self
                    .docs
                    .entry(document_id)
                    .or_insert_with(|| AutoCommit::new().with_actor(actor));
                let state = self.states.entry(document_id).or_default();
                let message = am_sync::Message::decode(&data).unwrap();
                doc.sync().receive_sync_message(state, message).unwrap();
                self.sync(document_id).into_iter().collect()
            }
            Message::KtAccepted {
                document_id,
                cursor,
                heads,
                ..
            } => {
                // Everything numbered up to it has been told.
                self.cursor = self.cursor.max(cursor);
                self.accepted.push((document_id, cursor, heads));
                Vec::new()
            }
            Message::KtRefused {
                document_id, code, ..
            } => {
                // Back to the accepted state: drop the copy, ask again.
                self.docs.remove(&document_id);
                self.states.remove(&document_id);
                self.refused.push((document_id, code));
                self.sync(document_id).into_iter().collect()
            }
            Message::DocUnavailable { document_id, .. } => {
                self.docs.remove(&document_id);
                self.unavailable.push(document_id);
                Vec::new()
            }
            Message::KtParted {
                document_id,
                assignment,
                ..
            } => {
                self.parted.push((document_id, assignment));
                Vec::new()
            }
            Message::Error { message, .. } => {
                self.errors.push(message);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub fn client(&self, id: DocumentId) -> ClientDoc {
        autosurgeon::hydrate(&self.docs[&id]).unwrap()
    }

    /// One local change of a client, written offline-first.
    pub fn edit(&mut self, id: DocumentId, edit: impl FnOnce(&mut ClientDoc)) {
        let doc = self.docs.get_mut(&id).unwrap();
        let mut model: ClientDoc = autosurgeon::hydrate(&*doc).unwrap();
        edit(&mut model);
        autosurgeon::reconcile(doc, &model).unwrap();
        doc.commit();
    }

    /// A new document holding `model`.
    pub fn create(&mut self, id: DocumentId, model: &ClientDoc) {
        let mut doc = AutoCommit::new().with_actor(self.actor());
        autosurgeon::reconcile(&mut doc, model).unwrap();
        doc.commit();
        self.docs.insert(id, doc);
    }

    pub fn heads(&mut self, id: DocumentId) -> Vec<ChangeHash> {
        self.docs.get_mut(&id).unwrap().get_heads()
    }

    /// Whether a card field holds concurrent values.
    pub fn conflicted(&self, id: DocumentId, field: &str) -> bool {
        let doc = &self.docs[&id];
        let (_, card) = doc.get(automerge::ROOT, "card").unwrap().unwrap();
        doc.get_all(&card, field).unwrap().len() > 1
    }
}

/// A connection to a relay, in memory or over a WebSocket.
pub enum Link {
    Memory {
        to_relay: mpsc::UnboundedSender<std::result::Result<Frame, StreamError>>,
        from_relay: mpsc::UnboundedReceiver<Frame>,
    },
    Socket {
        sink: futures::stream::SplitSink<
            tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
            WsMessage,
        >,
        stream: futures::stream::SplitStream<
            tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
        >,
    },
}

impl Link {
    /// A connection served by `relay.serve` through channels.
    pub fn memory(relay: &Relay, user: UserRecord) -> Link {
        let (to_relay, relay_in) = mpsc::unbounded();
        let (relay_out, from_relay) = mpsc::unbounded();
        let relay = relay.clone();
        tokio::spawn(async move { relay.serve(user, relay_out, relay_in).await });
        Link::Memory {
            to_relay,
            from_relay,
        }
    }

    /// A real WebSocket to `ws://addr/api/sync?token=…`.
    pub async fn socket(addr: SocketAddr, token: &str) -> Result<Link> {
        let url = format!("ws://{addr}/api/sync?token={token}");
        // No Nagle delay, as a browser's WebSocket.
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
        let (sink, stream) = ws.split();
        Ok(Link::Socket { sink, stream })
    }

    pub async fn send_frame(&mut self, frame: Frame) -> Result {
        match self {
            Link::Memory { to_relay, .. } => to_relay.unbounded_send(Ok(frame))?,
            Link::Socket { sink, .. } => {
                let message = match frame {
                    Frame::Binary(b) => WsMessage::Binary(b.into()),
                    Frame::Text(t) => WsMessage::Text(t.into()),
                    Frame::Close { .. } => WsMessage::Close(None),
                };
                sink.send(message).await?;
            }
        }
        Ok(())
    }

    pub async fn send(&mut self, message: &Message) -> Result {
        self.send_frame(Frame::Binary(sync::encode(message))).await
    }

    /// The next frame within `wait`; `Ok(None)` if none came.
    pub async fn recv(&mut self, wait: Duration) -> Result<Option<Frame>> {
        match self {
            Link::Memory { from_relay, .. } => {
                match tokio::time::timeout(wait, from_relay.next()).await {
                    Ok(Some(frame)) => Ok(Some(frame)),
                    Ok(None) => Err("the relay ended the connection".into()),
                    Err(_) => Ok(None),
                }
            }
            Link::Socket { stream, .. } => loop {
                match tokio::time::timeout(wait, stream.next()).await {
                    Err(_) => return Ok(None),
                    Ok(None) => return Err("the socket is closed".into()),
                    Ok(Some(Err(e))) => return Err(e.into()),
                    Ok(Some(Ok(WsMessage::Binary(b)))) => {
                        return Ok(Some(Frame::Binary(b.to_vec())));
                    }
                    Ok(Some(Ok(WsMessage::Text(t)))) => {
                        return Ok(Some(Frame::Text(t.to_string())));
                    }
                    Ok(Some(Ok(WsMessage::Close(c)))) => {
                        return Ok(Some(Frame::Close {
                            code: c.as_ref().map_or(1005, |c| u16::from(c.code)),
                            reason: c.map(|c| c.reason.to_string()).unwrap_or_default(),
                        }));
                    }
                    Ok(Some(Ok(_))) => continue,
                }
            },
        }
    }

    /// The next message within `wait`.
    pub async fn recv_message(&mut self, wait: Duration) -> Result<Option<Message>> {
        match self.recv(wait).await? {
            Some(Frame::Binary(b)) => Ok(Some(sync::decode(&b, DEFAULT_MAX_FRAME)?)),
            Some(other) => Err(format!("expected a message, got {other:?}").into()),
            None => Ok(None),
        }
    }
}

/// A device and its connection.
pub struct Client {
    pub device: Device,
    pub link: Link,
    pub closed: Option<(u16, String)>,
    /// Bytes received and sent (the sync bench counts them).
    pub bytes_in: usize,
    pub bytes_out: usize,
    /// Messages received and sent.
    pub messages_in: usize,
    pub messages_out: usize,
}

impl Client {
    pub fn new(device: Device, link: Link) -> Client {
        Client {
            device,
            link,
            closed: None,
            bytes_in: 0,
            bytes_out: 0,
            messages_in: 0,
            messages_out: 0,
        }
    }

    pub async fn send(&mut self, message: &Message) -> Result {
        let frame = sync::encode(message);
        self.bytes_out += frame.len();
        self.messages_out += 1;
        self.link.send_frame(Frame::Binary(frame)).await
    }

    /// `join`, `peer`, then `kt-hello` with the device's cursor.
    pub async fn connect(&mut self) -> Result {
        let join = self.device.join();
        self.send(&join).await?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.device.joined {
            if Instant::now() > deadline {
                return Err("no answer to join".into());
            }
            self.step(Duration::from_millis(50)).await?;
        }
        let hello = self.device.hello();
        self.send(&hello).await
    }

    /// Handles at most one frame arriving within `wait`; whether one came.
    pub async fn step(&mut self, wait: Duration) -> Result<bool> {
        match self.link.recv(wait).await? {
            Some(Frame::Binary(bytes)) => {
                self.bytes_in += bytes.len();
                self.messages_in += 1;
                let message = sync::decode(&bytes, DEFAULT_MAX_FRAME)?;
                for answer in self.device.receive(message) {
                    self.send(&answer).await?;
                }
                Ok(true)
            }
            Some(Frame::Close { code, reason }) => {
                self.closed = Some((code, reason));
                Ok(true)
            }
            Some(Frame::Text(t)) => Err(format!("the relay sent text: {t}").into()),
            None => Ok(false),
        }
    }

    /// Sends the sync message of a document, if there is one.
    pub async fn sync(&mut self, id: DocumentId) -> Result {
        if let Some(message) = self.device.sync(id) {
            self.send(&message).await?;
        }
        Ok(())
    }
}

/// Lets the clients and the relay talk until nobody has said anything
/// for 100 ms.
pub async fn pump(clients: &mut [&mut Client]) -> Result {
    let mut quiet_since = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(20);
    while quiet_since.elapsed() < Duration::from_millis(100) {
        if Instant::now() > deadline {
            return Err("the conversation did not settle in 20 s".into());
        }
        let mut any = false;
        for client in clients.iter_mut() {
            if client.closed.is_some() {
                continue;
            }
            while client.step(Duration::from_millis(2)).await? {
                any = true;
                if client.closed.is_some() {
                    break;
                }
            }
        }
        if any {
            quiet_since = Instant::now();
        }
    }
    Ok(())
}

/// Lets the clients talk until `done` holds (or 20 s pass).
pub async fn pump_until(
    clients: &mut [&mut Client],
    mut done: impl FnMut(&mut [&mut Client]) -> bool,
) -> Result {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(clients) {
        if Instant::now() > deadline {
            return Err("the expected messages did not come in 20 s".into());
        }
        for client in clients.iter_mut() {
            if client.closed.is_none() {
                client.step(Duration::from_millis(2)).await?;
            }
        }
    }
    Ok(())
}

/// An HTTP/1.1 request over a fresh connection: (status, body).
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status: u16 = head.split_whitespace().nth(1).ok_or("no status")?.parse()?;
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    Ok((status, body))
}

fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end])?.trim(), 16)?;
        if size == 0 {
            return Ok(out);
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

/// Logs a demo user in over HTTP: the session token and who it is.
pub async fn login_as(addr: SocketAddr, login: &str) -> Result<LoginResponse> {
    let body = serde_json::json!({ "login": login, "password": kartoteka::demo::DEMO_PASSWORD })
        .to_string();
    let (status, body) = http(addr, "POST", "/api/login", None, Some(&body)).await?;
    if status != 200 {
        return Err(format!(
            "login {login}: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    Ok(serde_json::from_slice(&body)?)
}

/// Logs in over HTTP and returns the session token.
pub async fn login(addr: SocketAddr, login: &str) -> Result<String> {
    Ok(login_as(addr, login).await?.token)
}

/// The relay binary, serving a data folder on a free loopback port (or,
/// when the tests run on PostgreSQL, the folder's database: two relays
/// started on one folder then share it).
pub struct RelayProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl RelayProcess {
    pub async fn start(data: &Path, dist: &Path, demo_clients: usize) -> Result<RelayProcess> {
        if !dist.join("index.html").exists() {
            std::fs::create_dir_all(dist)?;
            std::fs::write(
                dist.join("index.html"),
                "<!doctype html><title>test</title>",
            )?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_kartoteka"));
        command.args(["serve", "--addr", &addr.to_string(), "--data"]);
        command.arg(data);
        if let Some(url) = testing::database_for(data)? {
            command.args(["--database", &url]);
        }
        let child = command
            .arg("--dist")
            .arg(dist)
            .args(["--demo-clients", &demo_clients.to_string()])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let relay = RelayProcess { child, addr };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(addr).await.is_err() {
            if Instant::now() > deadline {
                return Err("the relay did not start listening in 60 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(relay)
    }

    /// The relay's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) -> Result {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
