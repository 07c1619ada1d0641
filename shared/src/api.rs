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

/// `GET /api/duplicates?inn=…&phone=…&email=…` (any logged-in user): the
/// clients of the whole base with this INN, phone or e-mail, for the card
/// form's warning. Each parameter may be repeated or left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicatesQuery {
    #[serde(default)]
    pub inn: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// What matched, for [`DuplicateHit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKey {
    Inn,
    Phone,
    Email,
}

/// One client of the base that matches. A client the caller may read is
/// named with its id (the app opens it); of one the caller may not read,
/// only that it exists and who is responsible for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateHit {
    /// Every key that matched, INN first.
    pub keys: Vec<DuplicateKey>,
    /// The responsible manager's name; `None` when the client has none.
    pub responsible: Option<String>,
    /// The client, when the caller may read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readable: Option<ReadableDuplicate>,
}

/// A matching client the caller may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadableDuplicate {
    pub client_id: String,
    pub name: String,
}

/// The answer to `GET /api/duplicates`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicatesResponse {
    pub hits: Vec<DuplicateHit>,
}

/// The answer to `POST /api/xlsx/read?sheet=NAME` (administrators and
/// supervisors; the body is the workbook): the workbook's sheets and the
/// chosen one's cells as text (the first sheet when none is named), ready
/// for [`crate::import::clients::Table::from_rows`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XlsxSheet {
    /// Every sheet's name, in the workbook's order.
    pub sheets: Vec<String>,
    /// The sheet read.
    pub sheet: String,
    /// Its rows from the first (row 1 is `rows[0]`), cells as text: whole
    /// numbers without a decimal point, dates as `dd.mm.yyyy`.
    pub rows: Vec<Vec<String>>,
}

/// `POST /api/export/xlsx` (any logged-in user): rows to write as an
/// .xlsx workbook with the header row frozen and filtered, columns sized;
/// every cell is written as text, neutralised
/// ([`crate::export::cell::neutralise`]). The answer is the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XlsxExportRequest {
    /// The sheet's name (at most 31 characters; `Клиенты` if empty).
    #[serde(default)]
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
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
