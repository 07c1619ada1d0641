//! Messages to and from CBOR frames: one map with text keys per frame, as
//! automerge-repo's `cbor-x` writes them.
//!
//! Decoding reads the map twice: once to check that the frame is
//! well-formed, find every key and the `type`, and once to read the fields
//! that type needs. Keys a type does not use are skipped, so peers may add
//! fields; a type this code does not know becomes [`Message::Other`].

use std::collections::BTreeMap;

use minicbor::Decoder;
use minicbor::data::Type;

use super::id::{DocumentId, DocumentIdError, PeerId};
use super::message::{Message, PeerMetadata, RemoteHeads};
use crate::client::AssignmentKind;
use crate::date::Timestamp;
use crate::ids::UserId;
use crate::summary::AssignmentSummary;

/// The largest frame the relay and the app accept unless told otherwise.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// The largest integer a JavaScript peer writes exactly (as a float).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Why a frame is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Larger than the limit: dropped before reading.
    #[error("the frame holds {size} bytes, more than the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// Not one well-formed CBOR value (truncated, garbage, bad UTF-8…).
    #[error("the frame is not well-formed CBOR: {0}")]
    Cbor(String),
    /// Well-formed CBOR, but not a map.
    #[error("a message is a CBOR map, this frame holds a {0}")]
    NotAMap(String),
    /// A map key that is not text.
    #[error("message keys are text, this one is a {0}")]
    KeyNotText(String),
    /// The same key twice.
    #[error("the key \"{0}\" appears twice")]
    DuplicateKey(String),
    /// No `type`, or a `type` that is not text.
    #[error("the message has no text \"type\"")]
    NoType,
    /// A field the message type requires is absent.
    #[error("a \"{message_type}\" message needs \"{field}\"")]
    MissingField {
        message_type: String,
        field: &'static str,
    },
    /// A field holds the wrong kind of value.
    #[error("\"{field}\" of a \"{message_type}\" message must be {expected}")]
    WrongType {
        message_type: String,
        field: &'static str,
        expected: &'static str,
    },
    /// A document id field that is not a document id.
    #[error("\"{field}\" is not a document id: {error}")]
    BadDocumentId {
        field: &'static str,
        error: DocumentIdError,
    },
    /// More bytes after the map.
    #[error("{0} bytes follow the message in the frame")]
    TrailingBytes(usize),
}

impl From<minicbor::decode::Error> for DecodeError {
    fn from(e: minicbor::decode::Error) -> Self {
        DecodeError::Cbor(e.to_string())
    }
}

/// Reads one message from a frame of at most `limit` bytes.
pub fn decode(frame: &[u8], limit: usize) -> Result<Message, DecodeError> {
    if frame.len() > limit {
        return Err(DecodeError::TooLarge {
            size: frame.len(),
            limit,
        });
    }
    let fields = Fields::read(frame)?;
    fields.message()
}

/// Writes a message as one CBOR map.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut entries: Vec<(&str, Value<'_>)> = vec![("type", Value::Text(message.type_name()))];
    let peer = |id: &PeerId| Value::Owned(id.to_string());
    let doc = |id: &DocumentId| Value::Owned(id.to_string());
    match message {
        Message::Join {
            sender_id,
            peer_metadata,
            supported_protocol_versions,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("peerMetadata", Value::Metadata(peer_metadata)),
            (
                "supportedProtocolVersions",
                Value::Texts(supported_protocol_versions.clone()),
            ),
        ]),
        Message::Peer {
            sender_id,
            target_id,
            peer_metadata,
            selected_protocol_version,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("peerMetadata", Value::Metadata(peer_metadata)),
            (
                "selectedProtocolVersion",
                Value::Text(selected_protocol_version),
            ),
        ]),
        Message::Leave { sender_id } => entries.push(("senderId", peer(sender_id))),
        Message::Error {
            sender_id,
            target_id,
            message,
        } => {
            entries.push(("senderId", peer(sender_id)));
            if let Some(target) = target_id {
                entries.push(("targetId", peer(target)));
            }
            entries.push(("message", Value::Text(message)));
        }
        Message::Request {
            sender_id,
            target_id,
            document_id,
            data,
        }
        | Message::Sync {
            sender_id,
            target_id,
            document_id,
            data,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
            ("data", Value::Bytes(data)),
        ]),
        Message::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
        ]),
        Message::Ephemeral {
            sender_id,
            target_id,
            document_id,
            session_id,
            count,
            data,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
            ("sessionId", Value::Text(session_id)),
            ("count", Value::Uint(*count)),
            ("data", Value::Bytes(data)),
        ]),
        Message::RemoteSubscriptionChange {
            sender_id,
            target_id,
            add,
            remove,
        } => {
            entries.extend([("senderId", peer(sender_id)), ("targetId", peer(target_id))]);
            if !add.is_empty() {
                entries.push(("add", Value::Texts(add.clone())));
            }
            if !remove.is_empty() {
                entries.push(("remove", Value::Texts(remove.clone())));
            }
        }
        Message::RemoteHeadsChanged {
            sender_id,
            target_id,
            document_id,
            new_heads,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
            ("newHeads", Value::NewHeads(new_heads)),
        ]),
        Message::KtHello {
            sender_id,
            target_id,
            cursor,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("cursor", Value::Uint(*cursor)),
        ]),
        Message::KtChanged {
            sender_id,
            target_id,
            document_ids,
            cursor,
            server_time,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            (
                "documentIds",
                Value::Texts(document_ids.iter().map(DocumentId::to_string).collect()),
            ),
            ("cursor", Value::Uint(*cursor)),
            ("serverTime", Value::Uint(*server_time)),
        ]),
        Message::KtAccepted {
            sender_id,
            target_id,
            document_id,
            cursor,
            heads,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
            ("cursor", Value::Uint(*cursor)),
            ("heads", Value::Texts(heads.clone())),
        ]),
        Message::KtRefused {
            sender_id,
            target_id,
            document_id,
            code,
            reason,
        } => entries.extend([
            ("senderId", peer(sender_id)),
            ("targetId", peer(target_id)),
            ("documentId", doc(document_id)),
            ("code", Value::Text(code)),
            ("reason", Value::Text(reason)),
        ]),
        Message::KtParted {
            sender_id,
            target_id,
            document_id,
            assignment,
        } => {
            entries.extend([
                ("senderId", peer(sender_id)),
                ("targetId", peer(target_id)),
                ("documentId", doc(document_id)),
                ("date", Value::Owned(assignment.date.to_string())),
                ("kind", Value::Text(assignment_kind_name(assignment.kind))),
                ("by", Value::Text(assignment.by.as_str())),
                // An instant before 1970 is no instant a device writes.
                (
                    "at",
                    Value::Uint(u64::try_from(assignment.at.0).unwrap_or(0)),
                ),
            ]);
            if let Some(manager) = &assignment.manager {
                entries.push(("manager", Value::Text(manager.as_str())));
            }
        }
        Message::Other { .. } => {}
    }
    let mut out = Out(Vec::with_capacity(64 + payload_len(message)));
    out.head(MAP, entries.len() as u64);
    for (key, value) in &entries {
        out.text(key);
        out.value(value);
    }
    out.0
}

fn payload_len(message: &Message) -> usize {
    match message {
        Message::Request { data, .. }
        | Message::Sync { data, .. }
        | Message::Ephemeral { data, .. } => data.len(),
        Message::KtChanged { document_ids, .. } => document_ids.len() * 24,
        _ => 0,
    }
}

/// A value to write.
enum Value<'a> {
    Text(&'a str),
    Owned(String),
    Bytes(&'a [u8]),
    Uint(u64),
    Texts(Vec<String>),
    Metadata(&'a PeerMetadata),
    NewHeads(&'a BTreeMap<String, RemoteHeads>),
}

const UINT: u8 = 0;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;

/// A CBOR writer for the few kinds of value messages hold; every length
/// is definite and every head as short as it can be.
struct Out(Vec<u8>);

impl Out {
    fn head(&mut self, major: u8, n: u64) {
        let major = major << 5;
        match n {
            0..=23 => self.0.push(major | n as u8),
            24..=0xff => self.0.extend_from_slice(&[major | 24, n as u8]),
            0x100..=0xffff => {
                self.0.push(major | 25);
                self.0.extend_from_slice(&(n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.0.push(major | 26);
                self.0.extend_from_slice(&(n as u32).to_be_bytes());
            }
            _ => {
                self.0.push(major | 27);
                self.0.extend_from_slice(&n.to_be_bytes());
            }
        }
    }

    fn text(&mut self, s: &str) {
        self.head(TEXT, s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn value(&mut self, value: &Value<'_>) {
        match value {
            Value::Text(s) => self.text(s),
            Value::Owned(s) => self.text(s),
            Value::Bytes(b) => {
                self.head(BYTES, b.len() as u64);
                self.0.extend_from_slice(b);
            }
            Value::Uint(n) => self.head(UINT, *n),
            Value::Texts(list) => {
                self.head(ARRAY, list.len() as u64);
                for s in list {
                    self.text(s);
                }
            }
            Value::Metadata(meta) => {
                let len = 1 + u64::from(meta.storage_id.is_some());
                self.head(MAP, len);
                if let Some(id) = &meta.storage_id {
                    self.text("storageId");
                    self.text(id);
                }
                self.text("isEphemeral");
                // CBOR's simple values false (20) and true (21).
                self.0.push(0xf4 | u8::from(meta.is_ephemeral));
            }
            Value::NewHeads(map) => {
                self.head(MAP, map.len() as u64);
                for (storage, heads) in *map {
                    self.text(storage);
                    self.head(MAP, 2);
                    self.text("heads");
                    self.value(&Value::Texts(heads.heads.clone()));
                    self.text("timestamp");
                    self.head(UINT, heads.timestamp);
                }
            }
        }
    }
}

/// The keys of a frame's map and where each value starts.
struct Fields<'b> {
    frame: &'b [u8],
    keys: Vec<(&'b str, usize)>,
    message_type: String,
}

impl<'b> Fields<'b> {
    fn read(frame: &'b [u8]) -> Result<Fields<'b>, DecodeError> {
        let mut d = Decoder::new(frame);
        skip_tags(&mut d)?;
        let len = match d.datatype()? {
            Type::Map | Type::MapIndef => d.map()?,
            other => return Err(DecodeError::NotAMap(other.to_string())),
        };
        let mut keys: Vec<(&'b str, usize)> = Vec::new();
        let mut read = 0u64;
        loop {
            match len {
                Some(n) if read == n => break,
                None if d.datatype()? == Type::Break => {
                    d.skip()?;
                    break;
                }
                _ => {}
            }
            skip_tags(&mut d)?;
            let key = match d.datatype()? {
                Type::String => d.str()?,
                other => return Err(DecodeError::KeyNotText(other.to_string())),
            };
            if keys.iter().any(|(k, _)| *k == key) {
                return Err(DecodeError::DuplicateKey(key.to_owned()));
            }
            keys.push((key, d.position()));
            d.skip()?;
            read += 1;
        }
        if d.position() < frame.len() {
            return Err(DecodeError::TrailingBytes(frame.len() - d.position()));
        }
        let mut fields = Fields {
            frame,
            keys,
            message_type: String::new(),
        };
        fields.message_type = match fields.at("type") {
            Some(mut d) if d.datatype()? == Type::String => d.str()?.to_owned(),
            _ => return Err(DecodeError::NoType),
        };
        Ok(fields)
    }

    /// A decoder at the value of `key`, past any tags, if the key is
    /// there and not null or undefined.
    fn at(&self, key: &str) -> Option<Decoder<'b>> {
        let &(_, pos) = self.keys.iter().find(|(k, _)| *k == key)?;
        let mut d = Decoder::new(self.frame);
        d.set_position(pos);
        skip_tags(&mut d).ok()?;
        match d.datatype() {
            Ok(Type::Null | Type::Undefined) => None,
            _ => Some(d),
        }
    }

    fn wrong(&self, field: &'static str, expected: &'static str) -> DecodeError {
        DecodeError::WrongType {
            message_type: self.message_type.clone(),
            field,
            expected,
        }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField {
            message_type: self.message_type.clone(),
            field,
        }
    }

    fn opt_text(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.at(field) {
            None => Ok(None),
            Some(mut d) => text(&mut d)
                .map(Some)
                .ok_or_else(|| self.wrong(field, "text")),
        }
    }

    fn text(&self, field: &'static str) -> Result<String, DecodeError> {
        self.opt_text(field)?.ok_or_else(|| self.missing(field))
    }

    fn peer(&self, field: &'static str) -> Result<PeerId, DecodeError> {
        self.text(field).map(PeerId)
    }

    fn document_id(&self, field: &'static str) -> Result<DocumentId, DecodeError> {
        self.text(field)?
            .parse()
            .map_err(|error| DecodeError::BadDocumentId { field, error })
    }

    fn bytes(&self, field: &'static str) -> Result<Vec<u8>, DecodeError> {
        let mut d = self.at(field).ok_or_else(|| self.missing(field))?;
        bytes(&mut d).ok_or_else(|| self.wrong(field, "a byte string"))
    }

    fn uint(&self, field: &'static str) -> Result<u64, DecodeError> {
        let mut d = self.at(field).ok_or_else(|| self.missing(field))?;
        uint(&mut d).ok_or_else(|| self.wrong(field, "a whole number of at most 2^53 - 1"))
    }

    fn texts(&self, field: &'static str) -> Result<Vec<String>, DecodeError> {
        match self.at(field) {
            None => Ok(Vec::new()),
            Some(mut d) => texts(&mut d).ok_or_else(|| self.wrong(field, "an array of text")),
        }
    }

    fn document_ids(&self, field: &'static str) -> Result<Vec<DocumentId>, DecodeError> {
        self.texts(field)?
            .iter()
            .map(|s| {
                s.parse()
                    .map_err(|error| DecodeError::BadDocumentId { field, error })
            })
            .collect()
    }

    fn metadata(&self, field: &'static str) -> Result<PeerMetadata, DecodeError> {
        let Some(mut d) = self.at(field) else {
            return Ok(PeerMetadata::default());
        };
        let mut meta = PeerMetadata::default();
        let ok = for_each_entry(&mut d, |key, d| {
            match key {
                "storageId" => match nullable(d)? {
                    true => meta.storage_id = None,
                    false => meta.storage_id = Some(text(d)?),
                },
                "isEphemeral" => match nullable(d)? {
                    true => meta.is_ephemeral = false,
                    false => meta.is_ephemeral = d.bool().ok()?,
                },
                _ => d.skip().ok()?,
            }
            Some(())
        });
        ok.map(|()| meta).ok_or_else(|| {
            self.wrong(
                field,
                "a map with a text \"storageId\" and a boolean \"isEphemeral\"",
            )
        })
    }

    fn new_heads(&self, field: &'static str) -> Result<BTreeMap<String, RemoteHeads>, DecodeError> {
        let Some(mut d) = self.at(field) else {
            return Ok(BTreeMap::new());
        };
        let mut out = BTreeMap::new();
        let ok = for_each_entry(&mut d, |storage, d| {
            let mut heads = RemoteHeads::default();
            for_each_entry(d, |key, d| {
                match key {
                    "heads" => heads.heads = texts(d)?,
                    "timestamp" => heads.timestamp = uint(d)?,
                    _ => d.skip().ok()?,
                }
                Some(())
            })?;
            out.insert(storage.to_owned(), heads);
            Some(())
        });
        ok.map(|()| out)
            .ok_or_else(|| self.wrong(field, "a map of storage ids to heads and timestamps"))
    }

    fn message(&self) -> Result<Message, DecodeError> {
        let sender_id = || self.peer("senderId");
        let target_id = || self.peer("targetId");
        Ok(match self.message_type.as_str() {
            "join" => Message::Join {
                sender_id: sender_id()?,
                peer_metadata: self.metadata("peerMetadata")?,
                supported_protocol_versions: self.texts("supportedProtocolVersions")?,
            },
            "peer" => Message::Peer {
                sender_id: sender_id()?,
                target_id: target_id()?,
                peer_metadata: self.metadata("peerMetadata")?,
                selected_protocol_version: self.text("selectedProtocolVersion")?,
            },
            "leave" => Message::Leave {
                sender_id: sender_id()?,
            },
            "error" => Message::Error {
                sender_id: sender_id()?,
                target_id: self.opt_text("targetId")?.map(PeerId),
                message: self.opt_text("message")?.unwrap_or_default(),
            },
            "request" => Message::Request {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                data: self.bytes("data")?,
            },
            "sync" => Message::Sync {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                data: self.bytes("data")?,
            },
            "doc-unavailable" => Message::DocUnavailable {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
            },
            "ephemeral" => Message::Ephemeral {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                session_id: self.text("sessionId")?,
                count: self.uint("count")?,
                data: self.bytes("data")?,
            },
            "remote-subscription-change" => Message::RemoteSubscriptionChange {
                sender_id: sender_id()?,
                target_id: target_id()?,
                add: self.texts("add")?,
                remove: self.texts("remove")?,
            },
            "remote-heads-changed" => Message::RemoteHeadsChanged {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                new_heads: self.new_heads("newHeads")?,
            },
            "kt-hello" => Message::KtHello {
                sender_id: sender_id()?,
                target_id: target_id()?,
                cursor: self.uint("cursor")?,
            },
            "kt-changed" => Message::KtChanged {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_ids: self.document_ids("documentIds")?,
                cursor: self.uint("cursor")?,
                server_time: self.uint("serverTime")?,
            },
            "kt-accepted" => Message::KtAccepted {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                cursor: self.uint("cursor")?,
                heads: self.texts("heads")?,
            },
            "kt-refused" => Message::KtRefused {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                code: self.text("code")?,
                reason: self.opt_text("reason")?.unwrap_or_default(),
            },
            "kt-parted" => Message::KtParted {
                sender_id: sender_id()?,
                target_id: target_id()?,
                document_id: self.document_id("documentId")?,
                assignment: self.assignment()?,
            },
            other => Message::Other {
                r#type: other.to_owned(),
            },
        })
    }

    /// The assignment of a `kt-parted`, its fields beside the others.
    fn assignment(&self) -> Result<AssignmentSummary, DecodeError> {
        Ok(AssignmentSummary {
            date: self
                .text("date")?
                .parse()
                .map_err(|_| self.wrong("date", "a date YYYY-MM-DD"))?,
            manager: self.opt_text("manager")?.map(UserId),
            kind: assignment_kind(&self.text("kind")?)
                .ok_or_else(|| self.wrong("kind", "the name of an assignment's kind"))?,
            by: UserId(self.text("by")?),
            at: Timestamp(
                i64::try_from(self.uint("at")?)
                    .map_err(|_| self.wrong("at", "milliseconds since 1970"))?,
            ),
        })
    }
}

/// An assignment's kind as documents and JSON name it.
fn assignment_kind_name(kind: AssignmentKind) -> &'static str {
    match kind {
        AssignmentKind::Initial => "initial",
        AssignmentKind::Reassigned => "reassigned",
        AssignmentKind::FromExchange => "from_exchange",
        AssignmentKind::ApprovedRequest => "approved_request",
        AssignmentKind::ToPool => "to_pool",
    }
}

fn assignment_kind(name: &str) -> Option<AssignmentKind> {
    [
        AssignmentKind::Initial,
        AssignmentKind::Reassigned,
        AssignmentKind::FromExchange,
        AssignmentKind::ApprovedRequest,
        AssignmentKind::ToPool,
    ]
    .into_iter()
    .find(|k| assignment_kind_name(*k) == name)
}

fn skip_tags(d: &mut Decoder<'_>) -> Result<(), DecodeError> {
    while d.datatype()? == Type::Tag {
        d.tag()?;
    }
    Ok(())
}

/// Whether the value is null or undefined (and then reads past it).
fn nullable(d: &mut Decoder<'_>) -> Option<bool> {
    skip_tags(d).ok()?;
    match d.datatype().ok()? {
        Type::Null | Type::Undefined => {
            d.skip().ok()?;
            Some(true)
        }
        _ => Some(false),
    }
}

fn text(d: &mut Decoder<'_>) -> Option<String> {
    skip_tags(d).ok()?;
    match d.datatype().ok()? {
        Type::String => d.str().ok().map(str::to_owned),
        Type::StringIndef => {
            let mut s = String::new();
            for part in d.str_iter().ok()? {
                s.push_str(part.ok()?);
            }
            Some(s)
        }
        _ => None,
    }
}

fn bytes(d: &mut Decoder<'_>) -> Option<Vec<u8>> {
    skip_tags(d).ok()?;
    match d.datatype().ok()? {
        Type::Bytes => d.bytes().ok().map(<[u8]>::to_vec),
        Type::BytesIndef => {
            let mut b = Vec::new();
            for part in d.bytes_iter().ok()? {
                b.extend_from_slice(part.ok()?);
            }
            Some(b)
        }
        _ => None,
    }
}

/// A whole number. JavaScript peers write numbers past 32 bits as floats,
/// so an integral float within JavaScript's safe range is one too.
fn uint(d: &mut Decoder<'_>) -> Option<u64> {
    skip_tags(d).ok()?;
    let float = match d.datatype().ok()? {
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => return d.u64().ok(),
        Type::F16 => {
            let pos = d.position();
            let raw = d.input().get(pos + 1..pos + 3)?;
            d.skip().ok()?;
            half_to_f64(u16::from_be_bytes([raw[0], raw[1]]))
        }
        Type::F32 => f64::from(d.f32().ok()?),
        Type::F64 => d.f64().ok()?,
        _ => return None,
    };
    (float.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(&float)).then_some(float as u64)
}

/// An IEEE 754 half-precision float (CBOR major 7, info 25).
fn half_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 == 0 { 1.0 } else { -1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f64::from(bits & 0x3ff);
    sign * match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mantissa / 1024.0) * 2f64.powi(e - 15),
    }
}

fn texts(d: &mut Decoder<'_>) -> Option<Vec<String>> {
    skip_tags(d).ok()?;
    let len = match d.datatype().ok()? {
        Type::Array | Type::ArrayIndef => d.array().ok()?,
        _ => return None,
    };
    let mut out = Vec::new();
    let mut read = 0u64;
    loop {
        match len {
            Some(n) if read == n => return Some(out),
            None if d.datatype().ok()? == Type::Break => {
                d.skip().ok()?;
                return Some(out);
            }
            _ => {}
        }
        out.push(text(d)?);
        read += 1;
    }
}

/// Calls `visit` with each text key of a map, the decoder at its value;
/// `visit` must read or skip the value.
fn for_each_entry<'b>(
    d: &mut Decoder<'b>,
    mut visit: impl FnMut(&str, &mut Decoder<'b>) -> Option<()>,
) -> Option<()> {
    skip_tags(d).ok()?;
    let len = match d.datatype().ok()? {
        Type::Map | Type::MapIndef => d.map().ok()?,
        _ => return None,
    };
    let mut read = 0u64;
    loop {
        match len {
            Some(n) if read == n => return Some(()),
            None if d.datatype().ok()? == Type::Break => {
                d.skip().ok()?;
                return Some(());
            }
            _ => {}
        }
        let key = text(d)?;
        visit(&key, d)?;
        read += 1;
    }
}
