//! The sync protocol between devices and the relay (`docs/sync-protocol.md`),
//! with no I/O: document and peer ids, every message of the automerge-repo
//! network protocol version "1" and Kartoteka's `kt-` additions, and their
//! CBOR frames.
//!
//! Both sides use this module: the relay natively, the app compiled to
//! wasm32. Automerge's own sync messages travel inside `request` and `sync`
//! as opaque bytes (`data`).
//!
//! ```
//! use kartoteka::sync::{self, DocumentId, Message, PeerId};
//!
//! let id: DocumentId = "2SxCQLg2PDxB4sT4N9SVpjHBQ7C3".parse().expect("a document id");
//! assert_eq!(id.url(), "automerge:2SxCQLg2PDxB4sT4N9SVpjHBQ7C3");
//! let hello = Message::KtHello {
//!     sender_id: PeerId::from("tablet"),
//!     target_id: PeerId::from("relay"),
//!     cursor: 42,
//! };
//! let frame = sync::encode(&hello);
//! assert_eq!(sync::decode(&frame, sync::DEFAULT_MAX_FRAME), Ok(hello));
//! // A frame cut short is an error, never a panic or a partial message.
//! assert!(sync::decode(&frame[..frame.len() - 1], sync::DEFAULT_MAX_FRAME).is_err());
//! ```

mod cbor;
mod id;
mod message;

pub use cbor::{DEFAULT_MAX_FRAME, DecodeError, decode, encode};
pub use id::{
    DocumentId, DocumentIdError, PeerId, URL_PREFIX, base58check_decode, base58check_encode,
};
pub use message::{Message, PeerMetadata, RemoteHeads};

/// The automerge-repo network protocol version this code speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Refusal codes of `kt-refused`: a device translates the code, the
/// `reason` is for logs.
pub mod refusal {
    /// A change signed by an actor that is not one of the user's devices.
    pub const ACTOR: &str = "actor";
    /// A manager or assistant changed who is responsible for a client.
    pub const RESPONSIBLE: &str = "responsible";
    /// Another manager took the client from the exchange first.
    pub const TAKEN: &str = "taken";
    /// Only supervisors and administrators merge clients.
    pub const MERGED_INTO: &str = "merged_into";
    /// Only supervisors and administrators restore a deleted contact
    /// person, event, payment or shipment.
    pub const RESTORE: &str = "restore";
    /// A manager or assistant deletes entries of their own clients only.
    pub const DELETE: &str = "delete";
    /// Only administrators change the workspace document.
    pub const WORKSPACE: &str = "workspace";
    /// The document would no longer be a readable client or workspace
    /// document (or a new document is not a client document).
    pub const INVALID: &str = "invalid";
}

#[cfg(test)]
mod tests;
