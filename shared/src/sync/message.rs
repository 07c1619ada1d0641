//! Every message of the sync protocol (`docs/sync-protocol.md`): the
//! automerge-repo network protocol version "1" and Kartoteka's `kt-`
//! additions.

use std::collections::BTreeMap;

use super::id::{DocumentId, PeerId};
use crate::summary::AssignmentSummary;

/// What a peer says about itself in `join` and `peer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// The id of the peer's storage, if it keeps one: sync states are
    /// persisted per storage id, so a reconnect resumes where it stopped.
    pub storage_id: Option<String>,
    /// An ephemeral peer keeps nothing between connections.
    pub is_ephemeral: bool,
}

/// The heads a peer last reported for a storage (`remote-heads-changed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteHeads {
    /// Change hashes, hex.
    pub heads: Vec<String>,
    /// Milliseconds since the epoch.
    pub timestamp: u64,
}

/// One message: one CBOR map in one binary WebSocket frame.
///
/// Field names follow the wire (`senderId` is `sender_id`, …). Every
/// message but `join`, `leave` and an early `error` names its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A device introduces itself (device → relay).
    Join {
        sender_id: PeerId,
        peer_metadata: PeerMetadata,
        supported_protocol_versions: Vec<String>,
    },
    /// The relay answers a `join` (relay → device).
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        peer_metadata: PeerMetadata,
        selected_protocol_version: String,
    },
    /// A peer says goodbye.
    Leave { sender_id: PeerId },
    /// Something went wrong; `message` says what, for people and logs.
    Error {
        sender_id: PeerId,
        /// Absent when the error comes before the peer said who it is.
        target_id: Option<PeerId>,
        message: String,
    },
    /// "I do not have this document; send it if you do" with an Automerge
    /// sync message from an empty document.
    Request {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// An Automerge sync message for one document.
    Sync {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        data: Vec<u8>,
    },
    /// The sender does not have the document, or will not share it.
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// Application data about a document that is relayed, never stored
    /// (presence, cursors).
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        session_id: String,
        count: u64,
        data: Vec<u8>,
    },
    /// Subscribe to or unsubscribe from the heads of remote storages.
    RemoteSubscriptionChange {
        sender_id: PeerId,
        target_id: PeerId,
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// The heads of a document in remote storages changed.
    RemoteHeadsChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        new_heads: BTreeMap<String, RemoteHeads>,
    },
    /// `kt-hello`: a Kartoteka device says the last change cursor it saw.
    KtHello {
        sender_id: PeerId,
        target_id: PeerId,
        cursor: u64,
    },
    /// `kt-changed`: the readable documents changed after the device's
    /// cursor (or just now), and the cursor they bring it to.
    KtChanged {
        sender_id: PeerId,
        target_id: PeerId,
        document_ids: Vec<DocumentId>,
        cursor: u64,
        /// The relay's clock, milliseconds since the epoch.
        server_time: u64,
    },
    /// `kt-accepted`: the relay durably stored what a `sync` brought.
    KtAccepted {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        cursor: u64,
        /// The relay's heads of the document, hex.
        heads: Vec<String>,
    },
    /// `kt-refused`: the changes of a `sync` broke a permission rule and
    /// were neither stored nor forwarded.
    KtRefused {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        /// A stable code the device translates (`responsible`, `taken`…).
        code: String,
        /// An English sentence for logs.
        reason: String,
    },
    /// `kt-parted`: a client document this device synced that its user may
    /// no longer read (a supervisor gave it to someone else or to a pool,
    /// another manager took it from the exchange): the device drops its
    /// copy. `assignment` is the client's latest one, the one that took it
    /// away, so the device can tell its user who did what.
    KtParted {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        assignment: AssignmentSummary,
    },
    /// A well-formed message of a type this code does not know: ignored,
    /// never an error, so newer peers can add types.
    Other { r#type: String },
}

impl Message {
    /// The `type` on the wire.
    pub fn type_name(&self) -> &str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Error { .. } => "error",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
            Message::KtHello { .. } => "kt-hello",
            Message::KtChanged { .. } => "kt-changed",
            Message::KtAccepted { .. } => "kt-accepted",
            Message::KtRefused { .. } => "kt-refused",
            Message::KtParted { .. } => "kt-parted",
            Message::Other { r#type } => r#type,
        }
    }

    /// The document the message is about, if it is about one.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. }
            | Message::RemoteHeadsChanged { document_id, .. }
            | Message::KtAccepted { document_id, .. }
            | Message::KtRefused { document_id, .. }
            | Message::KtParted { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }
}
