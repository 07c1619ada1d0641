//! The relay's HTTP API as both sides see it: request and response bodies,
//! and the binary bundle that carries documents to a device on first
//! start.

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::workspace::Role;

/// `POST /api/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// The person a session belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub role: Role,
}

/// The answer to a successful login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Sent as `Authorization: Bearer <token>`; kept by the device so it
    /// can open offline and reconnect later.
    pub token: String,
    pub user: SessionUser,
    /// The relay's clock (ms since the epoch), so a device with a wrong
    /// clock can correct its "today".
    pub server_time: i64,
}

/// The body of every error answer: a stable code the app translates and an
/// English sentence for logs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// One document in a bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleEntry {
    pub kind: BundleKind,
    pub id: String,
    /// The client summary as JSON (empty for the workspace document).
    pub summary: Vec<u8>,
    /// The document's saved bytes.
    pub doc: Vec<u8>,
}

/// What a bundle entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleKind {
    Workspace = 1,
    Client = 2,
}

/// A bundle that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a Kartoteka bundle")]
    NotABundle,
    #[error("the bundle is cut short at byte {0}")]
    Truncated(usize),
    #[error("unknown entry kind {0} at byte {1}")]
    UnknownKind(u8, usize),
    #[error("bytes after the end of the bundle, at byte {0}")]
    TrailingBytes(usize),
    #[error("an id is not text at byte {0}")]
    BadId(usize),
}

const MAGIC: &[u8; 5] = b"KTKB1";
const END: u8 = 0;

/// Writes documents into one binary bundle:
/// `KTKB1` then, per entry, kind (u8), id (u16 length + UTF-8),
/// summary (u32 length + bytes), document (u32 length + bytes), all
/// lengths little-endian, then the end byte 0 — so a bundle cut short
/// anywhere, even between two entries, is recognised as damaged.
pub fn encode_bundle(entries: &[BundleEntry]) -> Vec<u8> {
    let size: usize = entries
        .iter()
        .map(|e| 11 + e.id.len() + e.summary.len() + e.doc.len())
        .sum();
    let mut out = Vec::with_capacity(MAGIC.len() + size);
    out.extend_from_slice(MAGIC);
    for e in entries {
        push_entry(&mut out, e.kind, &e.id, &e.summary, &e.doc);
    }
    finish_bundle(&mut out);
    out
}

/// Ends a bundle begun with [`bundle_header`].
pub fn finish_bundle(out: &mut Vec<u8>) {
    out.push(END);
}

/// Appends one entry to a bundle begun with [`bundle_header`].
pub fn push_entry(out: &mut Vec<u8>, kind: BundleKind, id: &str, summary: &[u8], doc: &[u8]) {
    out.push(kind as u8);
    let id = &id.as_bytes()[..id.len().min(u16::MAX as usize)];
    out.extend_from_slice(&(id.len() as u16).to_le_bytes());
    out.extend_from_slice(id);
    out.extend_from_slice(&(summary.len() as u32).to_le_bytes());
    out.extend_from_slice(summary);
    out.extend_from_slice(&(doc.len() as u32).to_le_bytes());
    out.extend_from_slice(doc);
}

/// The first bytes of every bundle.
pub fn bundle_header() -> Vec<u8> {
    MAGIC.to_vec()
}

/// Reads a bundle back; any damage is an error, never a partial result.
pub fn decode_bundle(bytes: &[u8]) -> Result<Vec<BundleEntry>, BundleError> {
    if !bytes.starts_with(MAGIC) {
        return Err(BundleError::NotABundle);
    }
    let mut at = MAGIC.len();
    let mut out = Vec::new();
    loop {
        let kind = match *bytes.get(at).ok_or(BundleError::Truncated(at))? {
            END if at + 1 == bytes.len() => return Ok(out),
            END => return Err(BundleError::TrailingBytes(at)),
            1 => BundleKind::Workspace,
            2 => BundleKind::Client,
            k => return Err(BundleError::UnknownKind(k, at)),
        };
        at += 1;
        let id_len = u16::from_le_bytes(take::<2>(bytes, &mut at)?) as usize;
        let id_bytes = take_slice(bytes, &mut at, id_len)?;
        let id = std::str::from_utf8(id_bytes)
            .map_err(|_| BundleError::BadId(at))?
            .to_owned();
        let summary_len = u32::from_le_bytes(take::<4>(bytes, &mut at)?) as usize;
        let summary = take_slice(bytes, &mut at, summary_len)?.to_vec();
        let doc_len = u32::from_le_bytes(take::<4>(bytes, &mut at)?) as usize;
        let doc = take_slice(bytes, &mut at, doc_len)?.to_vec();
        out.push(BundleEntry {
            kind,
            id,
            summary,
            doc,
        });
    }
}

fn take<const N: usize>(bytes: &[u8], at: &mut usize) -> Result<[u8; N], BundleError> {
    let slice = take_slice(bytes, at, N)?;
    let mut arr = [0u8; N];
    arr.copy_from_slice(slice);
    Ok(arr)
}

fn take_slice<'a>(bytes: &'a [u8], at: &mut usize, len: usize) -> Result<&'a [u8], BundleError> {
    let end = at.checked_add(len).ok_or(BundleError::Truncated(*at))?;
    let slice = bytes.get(*at..end).ok_or(BundleError::Truncated(*at))?;
    *at = end;
    Ok(slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<BundleEntry> {
        vec![
            BundleEntry {
                kind: BundleKind::Workspace,
                id: "w".into(),
                summary: vec![],
                doc: vec![1, 2, 3],
            },
            BundleEntry {
                kind: BundleKind::Client,
                id: "клиент".into(),
                summary: b"{}".to_vec(),
                doc: vec![9; 300],
            },
        ]
    }

    #[test]
    fn a_bundle_reads_back_as_written() {
        let entries = sample();
        assert_eq!(decode_bundle(&encode_bundle(&entries)), Ok(entries));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_partial_result() {
        let bytes = encode_bundle(&sample());
        for cut in MAGIC.len()..bytes.len() {
            let r = decode_bundle(&bytes[..cut]);
            assert!(r.is_err(), "cut at {cut} must fail, got {r:?}");
        }
        assert_eq!(decode_bundle(b"junk"), Err(BundleError::NotABundle));
    }
}
