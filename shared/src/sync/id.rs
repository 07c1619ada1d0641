//! Identifiers on the wire: document ids (16 bytes, written base58check as
//! automerge-repo writes them) and peer ids.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ids::ClientId;

/// The Bitcoin base58 alphabet, the one automerge-repo's `bs58check` uses.
const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// The length of the checksum base58check appends to the payload.
const CHECKSUM_LEN: usize = 4;

/// The prefix of an automerge-repo document URL.
pub const URL_PREFIX: &str = "automerge:";

/// A document id: 16 bytes (a UUID), written as base58check text on the
/// wire and in `automerge:` URLs. A client's document id is its
/// [`ClientId`]'s UUID.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocumentId([u8; 16]);

/// Text that is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentIdError {
    /// A character outside the base58 alphabet.
    #[error("\"{0}\" is not a base58 character")]
    NotBase58(char),
    /// The last four bytes are not the checksum of the rest.
    #[error("the checksum does not match: the id is mistyped or damaged")]
    BadChecksum,
    /// Valid base58check, but not of 16 bytes.
    #[error("a document id holds 16 bytes, this one {0}")]
    WrongLength(usize),
    /// A URL that does not begin with `automerge:`.
    #[error("an automerge URL begins with \"automerge:\"")]
    NotAUrl,
    /// A client id that is not a UUID.
    #[error("\"{0}\" is not a UUID")]
    NotAUuid(String),
}

impl DocumentId {
    /// The id with these 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> DocumentId {
        DocumentId(bytes)
    }

    /// A new random id (a version 4 UUID).
    pub fn random() -> DocumentId {
        DocumentId::from(Uuid::new_v4())
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The bytes read as a UUID.
    pub fn uuid(&self) -> Uuid {
        Uuid::from_bytes(self.0)
    }

    /// The `automerge:<id>` URL a stock automerge-repo client finds the
    /// document by.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{self}")
    }

    /// The id in an `automerge:<id>` URL (heads after `#` are not ids and
    /// are refused).
    pub fn from_url(url: &str) -> Result<DocumentId, DocumentIdError> {
        url.strip_prefix(URL_PREFIX)
            .ok_or(DocumentIdError::NotAUrl)?
            .parse()
    }
}

impl From<Uuid> for DocumentId {
    fn from(u: Uuid) -> Self {
        DocumentId(*u.as_bytes())
    }
}

impl From<DocumentId> for Uuid {
    fn from(id: DocumentId) -> Self {
        id.uuid()
    }
}

impl TryFrom<&ClientId> for DocumentId {
    type Error = DocumentIdError;

    fn try_from(id: &ClientId) -> Result<Self, Self::Error> {
        id.uuid()
            .map(DocumentId::from)
            .ok_or_else(|| DocumentIdError::NotAUuid(id.to_string()))
    }
}

impl From<DocumentId> for ClientId {
    fn from(id: DocumentId) -> Self {
        ClientId::from(id.uuid())
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&base58check_encode(&self.0))
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let payload = base58check_decode(s)?;
        let bytes: [u8; 16] = payload
            .as_slice()
            .try_into()
            .map_err(|_| DocumentIdError::WrongLength(payload.len()))?;
        Ok(DocumentId(bytes))
    }
}

/// The first four bytes of SHA-256(SHA-256(payload)).
fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let twice = Sha256::digest(Sha256::digest(payload));
    let mut out = [0; CHECKSUM_LEN];
    out.copy_from_slice(&twice[..CHECKSUM_LEN]);
    out
}

/// Base58check: the payload and its checksum in base58.
pub fn base58check_encode(payload: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(payload.len() + CHECKSUM_LEN);
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(&checksum(payload));
    base58_encode(&bytes)
}

/// The payload of base58check text, its checksum verified.
pub fn base58check_decode(text: &str) -> Result<Vec<u8>, DocumentIdError> {
    let mut bytes = base58_decode(text)?;
    if bytes.len() < CHECKSUM_LEN {
        return Err(DocumentIdError::BadChecksum);
    }
    let sum = bytes.split_off(bytes.len() - CHECKSUM_LEN);
    if sum != checksum(&bytes) {
        return Err(DocumentIdError::BadChecksum);
    }
    Ok(bytes)
}

/// Base58 as Bitcoin writes it: each leading zero byte is a `1`, the rest
/// is the big-endian number in base 58.
fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    // Digits in base 58, least significant first.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in &bytes[zeros..] {
        let mut carry = u32::from(byte);
        for digit in digits.iter_mut() {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(
        digits
            .iter()
            .rev()
            .map(|&d| char::from(ALPHABET[usize::from(d)])),
    );
    out
}

fn base58_decode(text: &str) -> Result<Vec<u8>, DocumentIdError> {
    let zeros = text.chars().take_while(|&c| c == '1').count();
    // Bytes, least significant first.
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len() * 733 / 1000 + 1);
    for c in text.chars().skip(zeros) {
        let value = u8::try_from(c)
            .ok()
            .and_then(|b| ALPHABET.iter().position(|&a| a == b))
            .ok_or(DocumentIdError::NotBase58(c))?;
        let mut carry = value as u32;
        for byte in bytes.iter_mut() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0; zeros];
    out.extend(bytes.iter().rev());
    Ok(out)
}

/// A peer on the sync network: a device's repo or the relay. automerge-repo
/// makes these up at random; they name a connection, not a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerId(pub String);

impl PeerId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for PeerId {
    fn from(s: &str) -> Self {
        PeerId(s.to_owned())
    }
}

impl From<String> for PeerId {
    fn from(s: String) -> Self {
        PeerId(s)
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
