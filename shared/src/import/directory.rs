//! The clients an import can match rows to, looked up by INN and by name
//! as search reads names (lower case, `ё` as `е`, quotes, punctuation and
//! legal forms set aside), with the accounting document numbers each
//! client already holds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::ids::ClientId;
use crate::search::text::{name_words_unlocated, normalised};
use crate::summary::ClientSummary;

use super::FactKind;

/// A multiply-rotate hash (FxHash's) for the import's maps. SipHash
/// guards a server against keys chosen to collide; these keys come from
/// the user's own base and file, and hashing was a tenth of a preview.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0xF135_7AEA_2E62_A9C5);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The table picks buckets by the low bits and tags by the high
        // ones: spread the last multiply's high bits down.
        self.0.rotate_left(26)
    }
}

/// A hash map with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A client as the import sees it.
#[derive(Debug, Clone)]
struct Entry {
    id: ClientId,
    inn: String,
    /// Sorted, for binary search.
    payment_documents: Vec<String>,
    shipment_documents: Vec<String>,
}

/// The clients an import matches rows against, built once per preview
/// from the device's client summaries.
#[derive(Debug, Clone, Default)]
pub struct ClientDirectory {
    entries: Vec<Entry>,
    by_inn: FastMap<String, Vec<usize>>,
    by_name: FastMap<String, Vec<usize>>,
}

/// The name key of a client or a row: search's normalised form.
pub(crate) fn name_key(name: &str) -> String {
    normalised(&name_words_unlocated(name))
}

/// How a row found its client, or did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(usize),
    Unknown,
    Ambiguous(Vec<ClientId>),
}

impl ClientDirectory {
    /// The directory of the given clients, leaving out the ones merged into
    /// another client (their facts belong to the survivor, which is in the
    /// list itself) and potential clients (no card to import into).
    pub fn from_summaries<'a>(summaries: impl IntoIterator<Item = &'a ClientSummary>) -> Self {
        let mut directory = ClientDirectory::default();
        for summary in summaries {
            if summary.merged_into.is_some() || summary.potential {
                continue;
            }
            let i = directory.entries.len();
            let inn = summary.inn.trim().to_owned();
            if !inn.is_empty() {
                directory.by_inn.entry(inn.clone()).or_default().push(i);
            }
            let mut keys = vec![name_key(&summary.name)];
            // A legal form search does not know (`ТСЖ`) stays in the key
            // of the display name: a file may write it either way.
            let full = name_key(&summary.display_name());
            if full != keys[0] {
                keys.push(full);
            }
            for key in keys.into_iter().filter(|k| !k.is_empty()) {
                directory.by_name.entry(key).or_default().push(i);
            }
            let sorted = |v: &[String]| {
                let mut v: Vec<String> = v.iter().map(|d| d.trim().to_owned()).collect();
                v.sort();
                v
            };
            directory.entries.push(Entry {
                id: summary.id.clone(),
                inn,
                payment_documents: sorted(&summary.payment_documents),
                shipment_documents: sorted(&summary.shipment_documents),
            });
        }
        directory
    }

    /// How many clients rows can match.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no clients to match.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn id(&self, i: usize) -> &ClientId {
        &self.entries[i].id
    }

    /// Whether the client already holds a fact of this kind with this
    /// (trimmed, non-empty) document number.
    pub(crate) fn has_document(&self, i: usize, kind: FactKind, document: &str) -> bool {
        let entry = &self.entries[i];
        let documents = match kind {
            FactKind::Payment => &entry.payment_documents,
            FactKind::Shipment => &entry.shipment_documents,
        };
        documents
            .binary_search_by(|d| d.as_str().cmp(document))
            .is_ok()
    }

    /// The client of a row: by INN when the row has one, else by name.
    ///
    /// - INN known: that client. Several clients with one INN (duplicates
    ///   not merged yet) are narrowed by the name; if that does not leave
    ///   one, the row is ambiguous.
    /// - INN given but unknown: the name may still find the client, but
    ///   only a client with no INN on its card (a card with another INN is
    ///   another company with the same name).
    /// - No INN: the name; several clients with the name make the row
    ///   ambiguous.
    pub(crate) fn lookup(&self, inn: &str, name: &str) -> Lookup {
        let by_name = || -> &[usize] {
            if name.trim().is_empty() {
                return &[];
            }
            self.by_name
                .get(&name_key(name))
                .map_or(&[][..], Vec::as_slice)
        };
        if !inn.is_empty() {
            if let Some(found) = self.by_inn.get(inn) {
                if let [one] = found.as_slice() {
                    return Lookup::Found(*one);
                }
                let named: Vec<usize> = by_name()
                    .iter()
                    .copied()
                    .filter(|i| found.contains(i))
                    .collect();
                return match named.as_slice() {
                    [one] => Lookup::Found(*one),
                    _ => self.ambiguous(found),
                };
            }
            let without_inn: Vec<usize> = by_name()
                .iter()
                .copied()
                .filter(|&i| self.entries[i].inn.is_empty())
                .collect();
            return match without_inn.as_slice() {
                [] => Lookup::Unknown,
                [one] => Lookup::Found(*one),
                many => self.ambiguous(many),
            };
        }
        match by_name() {
            [] => Lookup::Unknown,
            [one] => Lookup::Found(*one),
            many => self.ambiguous(many),
        }
    }

    fn ambiguous(&self, candidates: &[usize]) -> Lookup {
        let mut ids: Vec<ClientId> = candidates.iter().map(|&i| self.id(i).clone()).collect();
        ids.sort();
        ids.dedup();
        Lookup::Ambiguous(ids)
    }
}
