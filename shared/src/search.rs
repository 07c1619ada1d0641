//! The client lookup (SPEC 3): one search box that finds a client by name,
//! INN, OGRN, phone or e-mail, or by a contact person's name, phone or
//! e-mail, over the whole visible base, on every keystroke, offline.
//!
//! [`SearchIndex`] is built once from [`SearchEntry`]s (one per client,
//! e.g. [`SearchEntry::from`] a [`ClientSummary`]) and kept up to date with
//! [`SearchIndex::upsert`] and [`SearchIndex::remove`] as documents change
//! through local edits and sync. It is derived data: never stored in a
//! shared document.
//!
//! # Matching rules
//!
//! A query is read three ways at once; a client is found if any reading
//! finds one of its fields, and its best match is reported.
//!
//! - **Names** (the client's name and each contact person's name). The
//!   query's words are read like a name's: lower case, `ё` as `е`, quotes
//!   and punctuation separate words, legal forms (ООО, АО, ИП, LLC, GmbH,
//!   "общество с ограниченной ответственностью", …) are dropped. Every
//!   query word must match some word of the same name (AND): the name word
//!   starts with it ([`Tier::Prefix`]), or — both having at least 5 letters
//!   — it is one typo (a letter changed, added, dropped, or two neighbours
//!   swapped) from the start of the name word ([`Tier::Fuzzy`]). A name
//!   whose words are exactly the query's words is [`Tier::Exact`]. Words
//!   joined by a hyphen also count as one word (`альфастрой` finds
//!   `Альфа-Строй`).
//! - **Numbers**, when the query is digits in a phone form (digits,
//!   spaces, brackets, dashes, dots, a leading `+`; at least 3 digits, see
//!   [`PhoneQuery`]): an INN or OGRN that starts with the digits (exact when
//!   equal); a phone whose key holds them ([`PhoneQuery::match_key`]): the
//!   whole number is exact, the start of the number, of the national number
//!   or of its last 7 digits is a prefix (a leading `8` also reads as the
//!   country code `7` there), anywhere else [`Tier::Partial`].
//! - **E-mails**, when the query has no spaces: case-insensitive, exact
//!   when equal to the address, prefix when the address starts with it; a
//!   query without `@` also matches the start of the domain (`vektor.ru`
//!   finds `info@vektor.ru`: people know a company's site).
//!
//! Hits are ranked by tier (exact, prefix, partial, fuzzy), then by the
//! client's name (alphabetically, legal forms ignored), then by client id.
//! A client's reported field is its best-tier one; among equals, in the
//! order name, INN, OGRN, phone, e-mail, contact name, contact phone,
//! contact e-mail, and the first in the entry.
//!
//! # How it is fast
//!
//! Name words live in a sorted dictionary (`dictionary`): a query word's
//! prefix matches are one binary-searched range, its one-typo matches a
//! scan of the words that share one of its first two letters. Only the
//! longest query word is looked up; the others are checked on the
//! candidate names' own word lists. Phone keys are found through postings
//! of their digit trigrams (the rarest trigram of the typed digits, then a
//! substring check). E-mails, INNs and OGRNs are sorted arrays searched by
//! prefix. The best match per client is kept in one dense array, and only
//! the top `limit` clients are sorted.
//!
//! A *broad* reading — the first letter typed, `8 86` (every number of two
//! cities), a common first name — would touch tens of thousands of rows
//! for twenty hits. Such a reading is answered the other way round: its
//! exact matches are looked up, and clients are checked in name order
//! until `limit` of them match well enough that no later client can rank
//! above them (see `SearchIndex::scan_in_name_order`); if matches turn
//! out sparse, the scan gives up and the lookup runs after all. Both ways
//! give the same answer (a property test compares them and a brute-force
//! scan).
//!
//! Each client's text is packed in one buffer and each kind of field is a
//! dense table of small rows (`store`), which keeps memory near four
//! times the text itself and saves most per-string allocations.

mod dictionary;
mod highlight;
mod store;
#[cfg(test)]
mod tests;
pub(crate) mod text;

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::email;
use crate::phone::{KeyMatchKind, MAX_DIGITS, Phone, PhoneQuery};
use crate::summary::ClientSummary;
use dictionary::{Dictionary, FieldId, WordId};
use store::{NONE, Owner, Packed, SortedIds, Table};
pub use text::fold;
use text::{MIN_TYPO_LEN, Word, name_words_unlocated, normalised, order_key, typo_prefix};

/// Builds a [`SearchIndex`] in slices; see [`SearchIndex::builder`].
#[derive(Debug)]
pub struct IndexBuilder {
    index: SearchIndex,
    finished_steps: usize,
}

impl IndexBuilder {
    /// Adds one client (ignored if its id was added before).
    pub fn add(&mut self, entry: &SearchEntry) {
        if !self.index.by_id.contains_key(entry.client_id.as_str()) {
            self.index.insert(entry);
        }
    }

    /// How many clients were added.
    pub fn len(&self) -> usize {
        self.index.by_id.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.index.by_id.is_empty()
    }

    /// Does the next part of finishing (one table sorted); false when
    /// nothing is left. Call until false, then [`IndexBuilder::finish`]:
    /// a browser can yield between steps.
    pub fn finish_step(&mut self) -> bool {
        let more = self.index.finish_bulk_step(self.finished_steps);
        self.finished_steps += usize::from(more);
        more
    }

    /// The finished index (doing whatever finishing steps remain).
    pub fn finish(mut self) -> SearchIndex {
        while self.finish_step() {}
        self.index
    }
}

/// What the index knows of one client. Text is kept as typed: hits point
/// into it for highlighting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchEntry {
    /// The client's id.
    pub client_id: String,
    /// The name as displayed (with or without the legal form).
    pub name: String,
    /// The INN as typed.
    #[serde(default)]
    pub inn: Option<String>,
    /// The OGRN or OGRNIP as typed.
    #[serde(default)]
    pub ogrn: Option<String>,
    /// Phones as typed.
    #[serde(default)]
    pub phones: Vec<String>,
    /// E-mails as typed.
    #[serde(default)]
    pub emails: Vec<String>,
    /// The contact persons.
    #[serde(default)]
    pub contacts: Vec<ContactEntry>,
}

/// What the index knows of one contact person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEntry {
    /// The contact's id.
    pub contact_id: String,
    /// Full name as typed.
    pub name: String,
    /// Phones as typed.
    #[serde(default)]
    pub phones: Vec<String>,
    /// E-mails as typed.
    #[serde(default)]
    pub emails: Vec<String>,
}

impl From<&ClientSummary> for SearchEntry {
    /// The entry of a client from its cached summary, named as the list
    /// shows it (`ООО «Вектор»`). A merged client (`merged_into` set) is
    /// normally left out of the index by the caller.
    fn from(summary: &ClientSummary) -> SearchEntry {
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        SearchEntry {
            client_id: summary.id.as_str().to_owned(),
            name: summary.display_name(),
            inn: non_empty(&summary.inn),
            ogrn: non_empty(&summary.ogrn),
            phones: summary.phones.clone(),
            emails: summary.emails.clone(),
            contacts: summary
                .contacts
                .iter()
                .map(|c| ContactEntry {
                    contact_id: c.id.clone(),
                    name: c.name.clone(),
                    phones: c.phones.clone(),
                    emails: c.emails.clone(),
                })
                .collect(),
        }
    }
}

/// How well a hit matches, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// The whole INN, OGRN, phone, e-mail or name.
    Exact,
    /// The start of a name word, INN, OGRN, e-mail, phone number, national
    /// number or local number.
    Prefix,
    /// Digits found inside a phone number.
    Partial,
    /// A name word with one typo.
    Fuzzy,
}

/// Which field of the client a hit matched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchedField {
    Name,
    Inn,
    Ogrn,
    Phone,
    Email,
    ContactName { contact_id: String },
    ContactPhone { contact_id: String },
    ContactEmail { contact_id: String },
}

/// One client found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The client.
    pub client_id: String,
    /// How well it matched.
    pub tier: Tier,
    /// Which field matched.
    pub field: MatchedField,
    /// That field's text as typed (the name, the phone, the address, …).
    pub text: String,
    /// What to highlight in `text`: byte ranges on char boundaries, sorted
    /// and not overlapping, so `&text[range]` is a highlighted part.
    pub ranges: Vec<Range<usize>>,
}

impl Hit {
    /// `text` cut into parts, each with whether it is highlighted.
    pub fn segments(&self) -> Vec<(&str, bool)> {
        let mut parts = Vec::new();
        let mut at = 0;
        for range in &self.ranges {
            let (Some(before), Some(inside)) =
                (self.text.get(at..range.start), self.text.get(range.clone()))
            else {
                continue;
            };
            if !before.is_empty() {
                parts.push((before, false));
            }
            parts.push((inside, true));
            at = range.end;
        }
        if let Some(rest) = self.text.get(at..).filter(|r| !r.is_empty()) {
            parts.push((rest, false));
        }
        parts
    }
}

/// Which field of a client, in the order fields are preferred for a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name = 0,
    Inn = 1,
    Ogrn = 2,
    Phone = 3,
    Email = 4,
    ContactName = 5,
    ContactPhone = 6,
    ContactEmail = 7,
}

impl Kind {
    /// The client's kind of field, or the contact's when `contact` is set.
    fn of(contact: u32, client: Kind, of_contact: Kind) -> Kind {
        if contact == NONE { client } else { of_contact }
    }

    fn from_bits(bits: u64) -> Kind {
        match bits {
            0 => Kind::Name,
            1 => Kind::Inn,
            2 => Kind::Ogrn,
            3 => Kind::Phone,
            4 => Kind::Email,
            5 => Kind::ContactName,
            6 => Kind::ContactPhone,
            _ => Kind::ContactEmail,
        }
    }
}

/// A match packed into one number so that the smaller is the better:
/// tier, kind of field, contact index, item index (which phone or e-mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Found(u64);

const CONTACT_BITS: u32 = 24;
const ITEM_BITS: u32 = 28;

impl Found {
    const NONE: Found = Found(u64::MAX);

    fn new(tier: Tier, kind: Kind, owner: Owner) -> Found {
        let contact = if owner.contact == NONE {
            0
        } else {
            owner.contact
        };
        let contact = u64::from(contact).min((1 << CONTACT_BITS) - 1);
        let item = u64::from(owner.item).min((1 << ITEM_BITS) - 1);
        Found((tier as u64) << 60 | (kind as u64) << 56 | contact << ITEM_BITS | item)
    }

    fn tier(self) -> Tier {
        match self.0 >> 60 {
            0 => Tier::Exact,
            1 => Tier::Prefix,
            2 => Tier::Partial,
            _ => Tier::Fuzzy,
        }
    }

    fn kind(self) -> Kind {
        Kind::from_bits((self.0 >> 56) & 0xF)
    }

    fn contact(self) -> usize {
        ((self.0 >> ITEM_BITS) & ((1 << CONTACT_BITS) - 1)) as usize
    }

    fn item(self) -> usize {
        (self.0 & ((1 << ITEM_BITS) - 1)) as usize
    }
}

/// One name (the client's or a contact's).
#[derive(Debug, Clone)]
struct NameRow {
    /// Whose name; `item` is 0. [`Owner::FREED`] once removed.
    owner: Owner,
    /// The word, when the name is that one word: a one-word query equal
    /// to it is an exact match. [`NONE`] otherwise.
    single: WordId,
    /// How many of `words` are the name's own words, in order; the rest
    /// are the compounds of its hyphenated words.
    plain: u32,
    words: Box<[WordId]>,
}

/// One phone (the client's or a contact's), its key inline so that a
/// query checks thousands of them without following pointers.
#[derive(Debug, Clone)]
struct PhoneRow {
    owner: Owner,
    len: u8,
    key: [u8; MAX_DIGITS],
}

impl PhoneRow {
    fn key(&self) -> &str {
        std::str::from_utf8(self.key.get(..usize::from(self.len)).unwrap_or(&[])).unwrap_or("")
    }
}

/// One e-mail (the client's or a contact's).
#[derive(Debug, Clone)]
struct EmailRow {
    owner: Owner,
    /// Where the domain starts in the key (its length when there is no `@`).
    domain_at: u32,
    /// The key ([`email::search_key`]) when it differs from the address as
    /// typed; most addresses are typed in lower case, and then the typed
    /// text in the client's [`Packed`] entry is the key.
    key: Option<Box<str>>,
}

/// One client as indexed.
#[derive(Debug, Clone)]
struct Client {
    packed: Packed,
    /// Digits of the INN and OGRN (empty when none).
    inn: Box<str>,
    ogrn: Box<str>,
    /// Its rows in the name, phone and e-mail tables, in that order.
    rows: Box<[u32]>,
    /// Where its phone and e-mail rows start in `rows`.
    phones_at: u32,
    emails_at: u32,
}

impl Client {
    fn names(&self) -> &[FieldId] {
        self.rows.get(..self.phones_at as usize).unwrap_or(&[])
    }

    fn phones(&self) -> &[u32] {
        self.rows
            .get(self.phones_at as usize..self.emails_at as usize)
            .unwrap_or(&[])
    }

    fn emails(&self) -> &[u32] {
        self.rows.get(self.emails_at as usize..).unwrap_or(&[])
    }
}

/// The number of phone digit trigrams, `000` to `999`.
const TRIGRAMS: usize = 1000;

fn trigram(digits: &[u8]) -> usize {
    digits.iter().take(3).fold(0, |acc, d| {
        acc * 10 + usize::from(d.wrapping_sub(b'0') % 10)
    })
}

/// The distinct trigrams of a digits key.
fn trigrams_of(key: &str) -> Vec<usize> {
    let mut all: Vec<usize> = key.as_bytes().windows(3).map(trigram).collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn digits_of(text: &str) -> Box<str> {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// What duplicate control needs to rule a name out without reading it: how
/// many letters its normalised form has without spaces, and the first two.
/// Two names one typo apart differ in length by at most one and share a
/// letter among their first two (see [`text::typo_prefix`] for why).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Letters {
    len: u32,
    first: [char; 2],
}

impl Letters {
    /// The letters of a normalised name.
    pub(crate) fn of(normalised: &str) -> Letters {
        Letters::of_squashed(normalised.chars().filter(|&c| c != ' '))
    }

    /// The letters of a name's letters run together.
    pub(crate) fn of_squashed(chars: impl IntoIterator<Item = char>) -> Letters {
        let mut letters = Letters::default();
        for c in chars {
            if let Some(slot) = letters.first.get_mut(letters.len as usize) {
                *slot = c;
            }
            letters.len += 1;
        }
        letters
    }

    /// Whether a name with these letters may be the same as, or one typo
    /// from, a name with `other`.
    fn may_be_near(self, other: Letters) -> bool {
        let [a0, a1] = self.first;
        let [b0, b1] = other.first;
        self.len.abs_diff(other.len) <= 1 && (a0 == b0 || a0 == b1 || a1 == b0 || a1 == b1)
    }
}

/// A phone or e-mail found by its key, for duplicate control.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldMatch<'a> {
    pub client_id: &'a str,
    pub client_name: &'a str,
    /// The contact person it belongs to, if not the client itself.
    pub contact_id: Option<&'a str>,
    /// The phone or e-mail as they typed it.
    pub text: &'a str,
}

/// Rows a reading may touch before it is scanned in name order instead.
const BROAD_ROWS: usize = 4096;
/// ... and per hit asked for: a long list is cheaper to collect in full.
const ROWS_PER_HIT: usize = 200;
/// Checking one client in the scan costs about as much as this many rows
/// of a lookup: the scan gives up once it has cost more than the lookup.
const ROWS_PER_CLIENT_CHECKED: usize = 8;

/// The in-memory client lookup. See the module docs for the rules.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    clients: Vec<Option<Client>>,
    /// [`order_key`] of each slot's name, dense for ranking.
    orders: Vec<u128>,
    /// [`Letters`] of each slot's name, dense for duplicate control.
    letters: Vec<Letters>,
    /// Every client's slot in rank order of names (see
    /// [`SearchIndex::name_rank`]), for the scan of broad queries.
    by_name: Vec<u32>,
    /// A reading that would touch at least this many rows, and at least
    /// [`ROWS_PER_HIT`] per hit asked for, is broad (see
    /// [`SearchIndex::scan_in_name_order`]).
    broad_rows: usize,
    rows_per_hit: usize,
    /// How many clients the scan may check before it gives up; `None`:
    /// as many as the rows of the broad readings warrant.
    scan_budget: Option<usize>,
    free_slots: Vec<u32>,
    by_id: HashMap<Box<str>, u32>,
    names: Table<NameRow>,
    phones: Table<PhoneRow>,
    emails: Table<EmailRow>,
    dictionary: Dictionary,
    /// Phone rows by the trigrams of their keys.
    trigrams: Vec<Vec<u32>>,
    email_keys: SortedIds,
    email_domains: SortedIds,
    inns: SortedIds,
    ogrns: SortedIds,
    /// During [`SearchIndex::build`]: sorted structures are sorted once at
    /// the end instead of on every insert.
    bulk: bool,
}

/// A query read every way the rules read it.
#[derive(Debug)]
struct Query {
    tokens: Vec<Token>,
    phone: Option<PhoneQuery>,
    /// Lower case, when the query has no spaces.
    email: Option<String>,
}

/// A word of the query.
#[derive(Debug)]
struct Token {
    text: String,
    chars: Vec<char>,
}

impl Query {
    fn read(text: &str) -> Query {
        let words: Vec<Word> = name_words_unlocated(text)
            .into_iter()
            .filter(|w| !w.compound)
            .collect();
        let tokens = words
            .into_iter()
            .map(|w| Token {
                chars: w.text.chars().collect(),
                text: w.text,
            })
            .collect();
        let trimmed = text.trim();
        let email = (!trimmed.is_empty() && !trimmed.contains(char::is_whitespace))
            .then(|| email::search_key(trimmed));
        Query {
            tokens,
            phone: PhoneQuery::parse(text),
            email,
        }
    }
}

/// The best match of every client touched by a query.
struct Best {
    found: Vec<Found>,
    touched: Vec<u32>,
}

impl Best {
    fn new(slots: usize) -> Best {
        Best {
            found: vec![Found::NONE; slots],
            touched: Vec::new(),
        }
    }

    fn offer(&mut self, slot: u32, found: Found) {
        let Some(cell) = self.found.get_mut(slot as usize) else {
            return;
        };
        if *cell == Found::NONE {
            self.touched.push(slot);
        }
        if found < *cell {
            *cell = found;
        }
    }
}

impl Default for SearchIndex {
    fn default() -> SearchIndex {
        SearchIndex {
            clients: Vec::new(),
            orders: Vec::new(),
            letters: Vec::new(),
            by_name: Vec::new(),
            broad_rows: BROAD_ROWS,
            rows_per_hit: ROWS_PER_HIT,
            scan_budget: None,
            free_slots: Vec::new(),
            by_id: HashMap::new(),
            names: Table::default(),
            phones: Table::default(),
            emails: Table::default(),
            dictionary: Dictionary::default(),
            trigrams: Vec::new(),
            email_keys: SortedIds::default(),
            email_domains: SortedIds::default(),
            inns: SortedIds::default(),
            ogrns: SortedIds::default(),
            bulk: false,
        }
    }
}

/// Which readings of a query are broad: they would touch so many rows that
/// scanning clients in name order finds the best hits sooner.
#[derive(Debug, Clone, Copy, Default)]
struct Broad {
    /// Names the longest query word starts.
    name_prefix: bool,
    /// Names the longest query word starts with a typo.
    name_typos: bool,
    phones: bool,
    emails: bool,
    /// Rows the broad readings would touch.
    rows: usize,
}

impl Broad {
    fn any(self) -> bool {
        self.name_prefix || self.name_typos || self.phones || self.emails
    }

    /// The best tier that a client the scan has not reached may still
    /// have through a broad reading (exact matches are looked up in full):
    /// once `limit` clients this good or better are found, no later one
    /// can rank among them.
    fn stop_tier(self) -> Tier {
        if self.name_prefix || self.phones || self.emails {
            Tier::Prefix
        } else {
            Tier::Fuzzy
        }
    }
}

/// How much of the name reading's prefix part to look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrefixPart {
    /// Every name the longest query word starts.
    Full,
    /// Only the exact matches (the rest is left to the scan).
    ExactOnly,
    /// Nothing (already done).
    Skip,
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> SearchIndex {
        SearchIndex::default()
    }

    /// An index of many clients at once (faster than upserting them one by
    /// one). If two entries have the same client id, the later wins.
    pub fn build(entries: impl IntoIterator<Item = SearchEntry>) -> SearchIndex {
        let mut entries: Vec<SearchEntry> = entries.into_iter().collect();
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            last.insert(&entry.client_id, i);
        }
        let keep: Vec<bool> = (0..entries.len())
            .map(|i| last.get(entries[i].client_id.as_str()) == Some(&i))
            .collect();
        drop(last);
        let mut kept = keep.into_iter();
        entries.retain(|_| kept.next().unwrap_or(false));

        let mut index = SearchIndex {
            bulk: true,
            ..SearchIndex::default()
        };
        index.dictionary.start_bulk();
        index.clients.reserve_exact(entries.len());
        index.orders.reserve_exact(entries.len());
        index.letters.reserve_exact(entries.len());
        index.by_id.reserve(entries.len());
        for entry in entries {
            index.insert(&entry);
        }
        index.finish_bulk();
        index
    }

    /// A builder that takes entries a slice at a time, so a browser can
    /// build the index of a large base between frames instead of in one
    /// long task. The result equals [`SearchIndex::build`] of the same
    /// entries (with unique client ids; a repeated id keeps the first).
    pub fn builder(capacity: usize) -> IndexBuilder {
        let mut index = SearchIndex {
            bulk: true,
            ..SearchIndex::default()
        };
        index.dictionary.start_bulk();
        index.clients.reserve_exact(capacity);
        index.orders.reserve_exact(capacity);
        index.letters.reserve_exact(capacity);
        index.by_id.reserve(capacity);
        IndexBuilder {
            index,
            finished_steps: 0,
        }
    }

    fn finish_bulk(&mut self) {
        let mut step = 0;
        while self.finish_bulk_step(step) {
            step += 1;
        }
    }

    /// One step of finishing a bulk build (each a sort of one table), so
    /// that a caller can pause between them; false once all are done.
    fn finish_bulk_step(&mut self, step: usize) -> bool {
        match step {
            0 => {
                self.bulk = false;
                self.dictionary.finish_bulk();
            }
            1 => {
                let (mut keys, domains) = self.take_email_lists();
                keys.sort(|id| self.email_key(id));
                (self.email_keys, self.email_domains) = (keys, domains);
            }
            2 => {
                let (keys, mut domains) = self.take_email_lists();
                domains.sort(|id| self.email_domain(id));
                (self.email_keys, self.email_domains) = (keys, domains);
            }
            3 => {
                let clients = &self.clients;
                let client = |slot: u32| clients.get(slot as usize).and_then(Option::as_ref);
                self.inns.sort(|slot| client(slot).map_or("", |c| &c.inn));
                self.ogrns.sort(|slot| client(slot).map_or("", |c| &c.ogrn));
            }
            4 => {
                let mut by_name = std::mem::take(&mut self.by_name);
                by_name.sort_unstable_by(|&a, &b| self.name_rank(a).cmp(&self.name_rank(b)));
                by_name.shrink_to_fit();
                self.by_name = by_name;
            }
            5 => {
                self.names.shrink();
                self.phones.shrink();
                self.emails.shrink();
                for list in &mut self.trigrams {
                    list.shrink_to_fit();
                }
            }
            _ => return false,
        }
        true
    }

    /// The same index, answering every reading by the name-order scan,
    /// giving up after `budget` clients: for tests that the scan, its
    /// fallback and the lookups agree.
    #[cfg(test)]
    fn always_scanning(mut self, budget: usize) -> SearchIndex {
        self.broad_rows = 0;
        self.rows_per_hit = 0;
        self.scan_budget = Some(budget);
        self
    }

    /// The number of clients indexed.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no client is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The entry of a client, as indexed.
    pub fn get(&self, client_id: &str) -> Option<SearchEntry> {
        let slot = *self.by_id.get(client_id)?;
        self.client(slot).map(|c| c.packed.unpack())
    }

    /// Adds a client, or replaces what is indexed of it.
    pub fn upsert(&mut self, entry: SearchEntry) {
        self.remove(&entry.client_id);
        self.insert(&entry);
    }

    /// Forgets a client; whether it was indexed.
    pub fn remove(&mut self, client_id: &str) -> bool {
        let Some(slot) = self.by_id.remove(client_id) else {
            return false;
        };
        let rank = self.name_rank(slot);
        if let Ok(at) = self
            .by_name
            .binary_search_by(|&s| self.name_rank(s).cmp(&rank))
        {
            self.by_name.remove(at);
        }
        // E-mail keys are read from the client's entry: unlist its
        // e-mails while it is still there.
        let (mut keys, mut domains) = self.take_email_lists();
        for &row in self.client(slot).map_or(&[][..], Client::emails) {
            keys.remove(row, |id| self.email_key(id));
            domains.remove(row, |id| self.email_domain(id));
        }
        (self.email_keys, self.email_domains) = (keys, domains);
        let Some(client) = self.clients.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        for &row in client.names() {
            if let Some(name) = self.names.get(row) {
                let mut words = name.words.to_vec();
                words.sort_unstable();
                words.dedup();
                for word in words {
                    self.dictionary.remove(word, row);
                }
            }
            let freed = NameRow {
                owner: Owner::FREED,
                single: NONE,
                plain: 0,
                words: Box::new([]),
            };
            self.names.remove(row, freed);
        }
        for &row in client.phones() {
            if let Some(phone) = self.phones.get(row) {
                for t in trigrams_of(phone.key()) {
                    if let Some(list) = self.trigrams.get_mut(t)
                        && let Some(at) = list.iter().position(|&f| f == row)
                    {
                        list.swap_remove(at);
                    }
                }
            }
            let freed = PhoneRow {
                owner: Owner::FREED,
                len: 0,
                key: [0; MAX_DIGITS],
            };
            self.phones.remove(row, freed);
        }
        for &row in client.emails() {
            let freed = EmailRow {
                owner: Owner::FREED,
                domain_at: 0,
                key: None,
            };
            self.emails.remove(row, freed);
        }
        // The client is out of `clients` already: its own keys come from
        // the taken record.
        let clients = &self.clients;
        let other = |s: u32| clients.get(s as usize).and_then(Option::as_ref);
        if !client.inn.is_empty() {
            let key = |s: u32| {
                if s == slot {
                    &*client.inn
                } else {
                    other(s).map_or("", |c| &c.inn)
                }
            };
            self.inns.remove(slot, key);
        }
        if !client.ogrn.is_empty() {
            let key = |s: u32| {
                if s == slot {
                    &*client.ogrn
                } else {
                    other(s).map_or("", |c| &c.ogrn)
                }
            };
            self.ogrns.remove(slot, key);
        }
        self.free_slots.push(slot);
        true
    }

    fn client(&self, slot: u32) -> Option<&Client> {
        self.clients.get(slot as usize).and_then(Option::as_ref)
    }

    /// Indexes a client not yet in the index.
    fn insert(&mut self, entry: &SearchEntry) {
        let words = name_words_unlocated(&entry.name);
        let sort_name = normalised(&words);
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                self.clients.push(None);
                self.orders.push(0);
                self.letters.push(Letters::default());
                (self.clients.len() - 1) as u32
            }
        };
        self.orders[slot as usize] = order_key(&sort_name);
        self.letters[slot as usize] = Letters::of(&sort_name);
        let mut names = Vec::new();
        let mut phones = Vec::new();
        let mut emails = Vec::new();
        let own = Owner {
            slot,
            contact: NONE,
            item: 0,
        };
        names.extend(self.add_name(own, words));
        self.add_phones(own, &entry.phones, &mut phones);
        self.add_emails(own, &entry.emails, &mut emails);
        for (i, contact) in entry.contacts.iter().enumerate() {
            let owner = Owner {
                slot,
                contact: i as u32,
                item: 0,
            };
            names.extend(self.add_name(owner, name_words_unlocated(&contact.name)));
            self.add_phones(owner, &contact.phones, &mut phones);
            self.add_emails(owner, &contact.emails, &mut emails);
        }
        let inn = entry.inn.as_deref().map(digits_of).unwrap_or_default();
        let ogrn = entry.ogrn.as_deref().map(digits_of).unwrap_or_default();
        self.by_id.insert(entry.client_id.as_str().into(), slot);
        let (has_inn, has_ogrn) = (!inn.is_empty(), !ogrn.is_empty());
        let phones_at = names.len() as u32;
        let emails_at = phones_at + phones.len() as u32;
        names.append(&mut phones);
        names.append(&mut emails);
        self.clients[slot as usize] = Some(Client {
            packed: Packed::pack(entry, &sort_name),
            inn,
            ogrn,
            rows: names.into(),
            phones_at,
            emails_at,
        });
        // Now that the entry is packed, its e-mails' keys can be read.
        let rows = self.client(slot).map_or(&[][..], Client::emails).to_vec();
        if self.bulk {
            self.email_keys.extend(&rows);
            self.email_domains.extend(&rows);
        } else {
            let (mut keys, mut domains) = self.take_email_lists();
            for &row in &rows {
                keys.insert(row, |id| self.email_key(id));
                domains.insert(row, |id| self.email_domain(id));
            }
            (self.email_keys, self.email_domains) = (keys, domains);
        }
        if self.bulk {
            self.by_name.push(slot);
            if has_inn {
                self.inns.push(slot);
            }
            if has_ogrn {
                self.ogrns.push(slot);
            }
            return;
        }
        let clients = &self.clients;
        let client = |s: u32| clients.get(s as usize).and_then(Option::as_ref);
        if has_inn {
            self.inns.insert(slot, |s| client(s).map_or("", |c| &c.inn));
        }
        if has_ogrn {
            self.ogrns
                .insert(slot, |s| client(s).map_or("", |c| &c.ogrn));
        }
        let rank = self.name_rank(slot);
        let at = self.by_name.partition_point(|&s| self.name_rank(s) < rank);
        self.by_name.insert(at, slot);
    }

    fn add_name(&mut self, owner: Owner, words: Vec<Word>) -> Option<FieldId> {
        if words.is_empty() {
            return None;
        }
        let row = self.names.insert(NameRow {
            owner,
            single: NONE,
            plain: 0,
            words: Box::new([]),
        });
        let mut distinct: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        for text in distinct {
            self.dictionary.add(text, row);
        }
        let plain = words.iter().filter(|w| !w.compound).count();
        // The name's own words first, in order, then the compounds: a
        // compound comes right after its parts ("альфа строй альфастрой
        // ек"), and the exact match compares the first `plain` words.
        let ids: Box<[WordId]> = words
            .iter()
            .filter(|w| !w.compound)
            .chain(words.iter().filter(|w| w.compound))
            .filter_map(|w| self.dictionary.find(&w.text))
            .collect();
        let single = if plain == 1 {
            ids.first().copied().unwrap_or(NONE)
        } else {
            NONE
        };
        if let Some(name) = self.names.get_mut(row) {
            *name = NameRow {
                owner,
                single,
                plain: plain as u32,
                words: ids,
            };
        }
        Some(row)
    }

    fn add_phones(&mut self, owner: Owner, typed: &[String], out: &mut Vec<u32>) {
        if self.trigrams.is_empty() {
            self.trigrams = vec![Vec::new(); TRIGRAMS];
        }
        for (item, text) in typed.iter().enumerate() {
            // A phone that does not parse cannot be normalised; its card
            // shows the validation problem instead.
            let Ok(phone) = Phone::parse(text) else {
                continue;
            };
            let digits = phone.key().as_bytes();
            let mut key = [0; MAX_DIGITS];
            let len = digits.len().min(MAX_DIGITS);
            key[..len].copy_from_slice(&digits[..len]);
            let owner = Owner {
                item: item as u32,
                ..owner
            };
            let row = self.phones.insert(PhoneRow {
                owner,
                len: len as u8,
                key,
            });
            for t in trigrams_of(phone.key()) {
                self.trigrams[t].push(row);
            }
            out.push(row);
        }
    }

    fn add_emails(&mut self, owner: Owner, typed: &[String], out: &mut Vec<u32>) {
        for (item, text) in typed.iter().enumerate() {
            let key = email::search_key(text);
            if key.is_empty() {
                continue;
            }
            let domain_at = key.find('@').map_or(key.len(), |at| at + 1) as u32;
            let owner = Owner {
                item: item as u32,
                ..owner
            };
            let key = (key != *text).then(|| key.into());
            out.push(self.emails.insert(EmailRow {
                owner,
                domain_at,
                key,
            }));
        }
    }

    /// The clients matching `text`, best first, at most `limit`.
    pub fn query(&self, text: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let query = Query::read(text);
        let mut best = Best::new(self.clients.len());
        let typos = Self::driver(&query)
            .map(|(_, token)| self.dictionary.typo_prefixes(&token.chars))
            .unwrap_or_default();
        let broad = self.broad_readings(&query, &typos, limit);
        let prefix = if broad.name_prefix {
            PrefixPart::ExactOnly
        } else {
            PrefixPart::Full
        };
        self.match_names(&query, &typos, prefix, !broad.name_typos, &mut best);
        if let Some(phone) = &query.phone {
            self.match_numbers(phone, broad.phones, &mut best);
        }
        if let Some(email) = &query.email {
            self.match_emails(email, broad.emails, &mut best);
        }
        if broad.any() && !self.scan_in_name_order(&query, broad, limit, &mut best) {
            // The matches were sparser than the counts promised: look the
            // broad readings up in full after all.
            let prefix = if broad.name_prefix {
                PrefixPart::Full
            } else {
                PrefixPart::Skip
            };
            self.match_names(&query, &typos, prefix, broad.name_typos, &mut best);
            if let (true, Some(phone)) = (broad.phones, &query.phone) {
                self.match_numbers(phone, false, &mut best);
            }
            if let (true, Some(email)) = (broad.emails, &query.email) {
                self.match_emails(email, false, &mut best);
            }
        }
        self.rank(best, limit)
            .into_iter()
            .filter_map(|(found, slot)| self.hit(slot, found, &query))
            .collect()
    }

    /// Whether `token` matches one of `words`: `Some(false)` by prefix,
    /// `Some(true)` only with a typo.
    fn token_matches(&self, token: &Token, words: &[WordId]) -> Option<bool> {
        let mut typo = false;
        for &word in words {
            if self.dictionary.text(word).starts_with(&token.text) {
                return Some(false);
            }
            typo = typo || {
                let chars = self.dictionary.chars(word);
                token.chars.len() >= MIN_TYPO_LEN
                    && chars.len() >= MIN_TYPO_LEN
                    && typo_prefix(&token.chars, chars).is_some()
            };
        }
        typo.then_some(true)
    }

    /// Whether a name's own words are exactly the query's words.
    fn is_exact(&self, name: &NameRow, query: &Query) -> bool {
        let plain = name.words.get(..name.plain as usize).unwrap_or(&[]);
        plain.len() == query.tokens.len()
            && plain
                .iter()
                .zip(&query.tokens)
                .all(|(&w, t)| self.dictionary.text(w) == t.text)
    }

    /// How a name matches the query's words, checked on the name alone.
    fn name_tier(&self, name: &NameRow, query: &Query) -> Option<Tier> {
        let mut typo = false;
        for token in &query.tokens {
            typo |= self.token_matches(token, &name.words)?;
        }
        Some(if typo {
            Tier::Fuzzy
        } else if self.is_exact(name, query) {
            Tier::Exact
        } else {
            Tier::Prefix
        })
    }

    /// The longest query word (the first of equals): the most selective
    /// one to look up.
    fn driver(query: &Query) -> Option<(usize, &Token)> {
        query
            .tokens
            .iter()
            .enumerate()
            .max_by_key(|(i, t)| (t.chars.len(), usize::MAX - i))
    }

    /// Which readings would touch so many rows that the name-order scan
    /// answers them sooner.
    /// `typos` are the words the longest query word matches with a typo.
    fn broad_readings(&self, query: &Query, typos: &[WordId], limit: usize) -> Broad {
        let threshold = self.broad_rows.max(limit.saturating_mul(self.rows_per_hit));
        let rows_of = |words: &[WordId]| -> usize {
            words
                .iter()
                .map(|&w| self.dictionary.postings(w).len())
                .sum()
        };
        let name_prefix = Self::driver(query).map_or(0, |(_, token)| {
            rows_of(self.dictionary.with_prefix(&token.text))
        });
        let name_typos = rows_of(typos);
        let phones = query.phone.as_ref().map_or(0, |phone| {
            phone
                .patterns()
                .map(|p| self.rarest_trigram(p).len())
                .sum::<usize>()
        });
        let emails = query.email.as_deref().map_or(0, |q| {
            let keys = self
                .email_keys
                .with_prefix(q, |id| self.email_key(id))
                .len();
            let domains = if q.contains('@') {
                0
            } else {
                self.email_domains
                    .with_prefix(q, |id| self.email_domain(id))
                    .len()
            };
            keys + domains
        });
        // A reading that is not there is not broad, however few rows.
        let mut broad = Broad {
            name_prefix: !query.tokens.is_empty() && name_prefix >= threshold,
            name_typos: !typos.is_empty() && name_typos >= threshold,
            phones: query.phone.is_some() && phones >= threshold,
            emails: query.email.is_some() && emails >= threshold,
            rows: 0,
        };
        for (is, rows) in [
            (broad.name_prefix, name_prefix),
            (broad.name_typos, name_typos),
            (broad.phones, phones),
            (broad.emails, emails),
        ] {
            if is {
                broad.rows += rows;
            }
        }
        broad
    }

    /// Looks up the name reading: the names the longest query word starts
    /// (all, only the exact matches, or none) and, if `with_typos`, those
    /// it starts with a typo (`typos` are those words).
    fn match_names(
        &self,
        query: &Query,
        typos: &[WordId],
        prefix: PrefixPart,
        with_typos: bool,
        best: &mut Best,
    ) {
        let Some((driver, token)) = Self::driver(query) else {
            return;
        };
        let offer = |name: &NameRow, tier: Tier, best: &mut Best| {
            let kind = Kind::of(name.owner.contact, Kind::Name, Kind::ContactName);
            best.offer(name.owner.slot, Found::new(tier, kind, name.owner));
        };
        if prefix == PrefixPart::ExactOnly
            && let Some(word) = self.dictionary.find(&token.text)
        {
            // The scan finds the best of the prefix matches; exact ones
            // can be anywhere in name order, and all have the longest
            // query word as a whole word.
            for &row in self.dictionary.postings(word) {
                if let Some(name) = self.names.get(row)
                    && name.plain as usize == query.tokens.len()
                    && self.is_exact(name, query)
                {
                    offer(name, Tier::Exact, best);
                }
            }
        }
        // Look the driver up; check the other words on each candidate's
        // own words.
        let alone = query.tokens.len() == 1;
        let exact_word = if alone {
            self.dictionary.find(&token.text)
        } else {
            None
        };
        let consider = |row: FieldId, typo: bool, best: &mut Best| {
            let Some(name) = self.names.get(row) else {
                return;
            };
            let mut typo = typo;
            for (i, other) in query.tokens.iter().enumerate() {
                if i != driver {
                    match self.token_matches(other, &name.words) {
                        None => return,
                        Some(t) => typo |= t,
                    }
                }
            }
            // A one-word query is an exact match of the one-word names
            // that are this word: no text to compare.
            let exact = if alone {
                exact_word.is_some_and(|w| w == name.single)
            } else {
                self.is_exact(name, query)
            };
            let tier = match (typo, exact) {
                (true, _) => Tier::Fuzzy,
                (false, true) => Tier::Exact,
                (false, false) => Tier::Prefix,
            };
            offer(name, tier, best);
        };
        if prefix == PrefixPart::Full {
            for &word in self.dictionary.with_prefix(&token.text) {
                for &row in self.dictionary.postings(word) {
                    consider(row, false, best);
                }
            }
        }
        if with_typos {
            for &word in typos {
                for &row in self.dictionary.postings(word) {
                    consider(row, true, best);
                }
            }
        }
    }

    fn inn_of(&self, slot: u32) -> &str {
        self.client(slot).map_or("", |c| &c.inn)
    }

    fn ogrn_of(&self, slot: u32) -> &str {
        self.client(slot).map_or("", |c| &c.ogrn)
    }

    /// How a phone row matches the query's digits.
    fn phone_found(&self, row: u32, phone: &PhoneQuery) -> Option<Found> {
        let field = self.phones.get(row)?;
        let found = phone.match_key(field.key())?;
        let tier = match found.kind {
            KeyMatchKind::Whole => Tier::Exact,
            KeyMatchKind::Start => Tier::Prefix,
            KeyMatchKind::Inside => Tier::Partial,
        };
        let kind = Kind::of(field.owner.contact, Kind::Phone, Kind::ContactPhone);
        Some(Found::new(tier, kind, field.owner))
    }

    fn match_numbers(&self, phone: &PhoneQuery, broad: bool, best: &mut Best) {
        let digits = phone.digits();
        let registered = [
            (
                &self.inns,
                Kind::Inn,
                Self::inn_of as fn(&Self, u32) -> &str,
            ),
            (&self.ogrns, Kind::Ogrn, Self::ogrn_of),
        ];
        for (sorted, kind, key) in registered {
            for &slot in sorted.with_prefix(digits, |s| key(self, s)) {
                let tier = if key(self, slot) == digits {
                    Tier::Exact
                } else {
                    Tier::Prefix
                };
                let owner = Owner {
                    slot,
                    contact: NONE,
                    item: 0,
                };
                best.offer(slot, Found::new(tier, kind, owner));
            }
        }
        let rows = |pattern: &str| self.rarest_trigram(pattern).iter().copied();
        if broad {
            // Only whole numbers can be exact: the digits as typed, as a
            // national number, or with the trunk 8 read as 7.
            let national = (digits.len() == 10).then(|| format!("7{digits}"));
            let keys = phone.patterns().map(str::to_owned).chain(national);
            for key in keys.filter(|k| k.len() >= crate::phone::MIN_DIGITS) {
                for row in rows(&key) {
                    if let Some(found) = self.phone_found(row, phone)
                        && found.tier() == Tier::Exact
                    {
                        let slot = self.phones.get(row).map_or(NONE, |f| f.owner.slot);
                        best.offer(slot, found);
                    }
                }
            }
            return;
        }
        for pattern in phone.patterns() {
            for row in rows(pattern) {
                if let Some(found) = self.phone_found(row, phone) {
                    let slot = self.phones.get(row).map_or(NONE, |f| f.owner.slot);
                    best.offer(slot, found);
                }
            }
        }
    }

    /// The postings of the rarest trigram of `digits`: every key holding
    /// `digits` is in it.
    fn rarest_trigram(&self, digits: &str) -> &[u32] {
        digits
            .as_bytes()
            .windows(3)
            .filter_map(|w| self.trigrams.get(trigram(w)))
            .min_by_key(|list| list.len())
            .map_or(&[], Vec::as_slice)
    }

    /// The sorted e-mail lists, taken out so that they can be sorted by
    /// keys read through `self`; put them back after.
    fn take_email_lists(&mut self) -> (SortedIds, SortedIds) {
        (
            std::mem::take(&mut self.email_keys),
            std::mem::take(&mut self.email_domains),
        )
    }

    /// An e-mail row's key: its own, or the address as typed.
    fn email_key(&self, row: u32) -> &str {
        let Some(field) = self.emails.get(row) else {
            return "";
        };
        if let Some(key) = &field.key {
            return key;
        }
        let owner = field.owner;
        let typed = self.client(owner.slot).and_then(|c| match owner.contact() {
            None => c.packed.email(owner.item as usize),
            Some(k) => c.packed.contact(k as usize)?.email(owner.item as usize),
        });
        typed.unwrap_or("")
    }

    fn email_domain(&self, row: u32) -> &str {
        let at = self.emails.get(row).map_or(0, |f| f.domain_at as usize);
        self.email_key(row).get(at..).unwrap_or("")
    }

    /// How an e-mail row matches the query.
    fn email_found(&self, row: u32, query: &str) -> Option<Found> {
        let field = self.emails.get(row)?;
        let key = self.email_key(row);
        let tier = if key == query {
            Tier::Exact
        } else if key.starts_with(query)
            || (!query.contains('@') && self.email_domain(row).starts_with(query))
        {
            Tier::Prefix
        } else {
            return None;
        };
        let kind = Kind::of(field.owner.contact, Kind::Email, Kind::ContactEmail);
        Some(Found::new(tier, kind, field.owner))
    }

    fn match_emails(&self, query: &str, broad: bool, best: &mut Best) {
        let mut offer = |row: u32| {
            if let Some(found) = self.email_found(row, query) {
                let slot = self.emails.get(row).map_or(NONE, |f| f.owner.slot);
                best.offer(slot, found);
            }
        };
        let keys = self.email_keys.with_prefix(query, |id| self.email_key(id));
        if broad {
            // Equal keys sort first among those starting with the query.
            keys.iter()
                .take_while(|&&row| self.email_key(row) == query)
                .for_each(|&row| offer(row));
            return;
        }
        keys.iter().for_each(|&row| offer(row));
        if !query.contains('@') {
            let domains = self
                .email_domains
                .with_prefix(query, |id| self.email_domain(id));
            domains.iter().for_each(|&row| offer(row));
        }
    }

    /// Answers the broad readings by checking clients in name order, each
    /// on its own fields, until `limit` of them match at
    /// [`Broad::stop_tier`] or better. The exact matches were looked up
    /// already (they may come later in name order) and the other readings
    /// in full; so every client of the true first `limit` is found.
    ///
    /// Gives up (returns false) after checking more clients than the broad
    /// readings' rows promised to need: the caller then looks them up.
    fn scan_in_name_order(
        &self,
        query: &Query,
        broad: Broad,
        limit: usize,
        best: &mut Best,
    ) -> bool {
        let stop = broad.stop_tier();
        let budget = self
            .scan_budget
            .unwrap_or(broad.rows / ROWS_PER_CLIENT_CHECKED + limit.saturating_mul(4));
        let names = broad.name_prefix || broad.name_typos;
        let mut good = 0;
        for (checked, &slot) in self.by_name.iter().enumerate() {
            if checked > budget {
                return false;
            }
            let Some(client) = self.client(slot) else {
                continue;
            };
            let mut found = Found::NONE;
            if names {
                for name in client.names().iter().filter_map(|&row| self.names.get(row)) {
                    if let Some(tier) = self.name_tier(name, query) {
                        let kind = Kind::of(name.owner.contact, Kind::Name, Kind::ContactName);
                        found = found.min(Found::new(tier, kind, name.owner));
                    }
                }
            }
            if let (true, Some(phone)) = (broad.phones, &query.phone) {
                for &row in client.phones() {
                    found = found.min(self.phone_found(row, phone).unwrap_or(Found::NONE));
                }
            }
            if let (true, Some(email)) = (broad.emails, &query.email) {
                for &row in client.emails() {
                    found = found.min(self.email_found(row, email).unwrap_or(Found::NONE));
                }
            }
            if found != Found::NONE {
                best.offer(slot, found);
                if found.tier() <= stop {
                    good += 1;
                    if good >= limit {
                        return true;
                    }
                }
            }
        }
        true
    }

    /// What orders clients of one tier whose name keys are equal: the
    /// whole normalised name, then the id.
    fn tie_key(&self, slot: u32) -> Option<(&str, &str)> {
        self.client(slot)
            .map(|c| (c.packed.sort_name(), c.packed.client_id()))
    }

    /// Where a client's name ranks among all: its order key, then the tie
    /// key.
    fn name_rank(&self, slot: u32) -> (u128, Option<(&str, &str)>) {
        (
            self.orders.get(slot as usize).copied().unwrap_or(u128::MAX),
            self.tie_key(slot),
        )
    }

    /// The best `limit` clients, in rank order.
    fn rank(&self, best: Best, limit: usize) -> Vec<(Found, u32)> {
        let mut ranked: Vec<(Tier, u128, u32)> = best
            .touched
            .iter()
            .map(|&slot| {
                let found = best.found[slot as usize];
                (found.tier(), self.orders[slot as usize], slot)
            })
            .collect();
        let by_rank = |a: &(Tier, u128, u32), b: &(Tier, u128, u32)| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| self.tie_key(a.2).cmp(&self.tie_key(b.2)))
        };
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit - 1, by_rank);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by(by_rank);
        ranked
            .into_iter()
            .map(|(_, _, slot)| (best.found[slot as usize], slot))
            .collect()
    }

    /// The hit for a client's best match, with what to highlight.
    fn hit(&self, slot: u32, found: Found, query: &Query) -> Option<Hit> {
        let packed = &self.client(slot)?.packed;
        let contact = || packed.contact(found.contact());
        let contact_id = || contact().map(|c| c.id().to_owned());
        let (field, text) = match found.kind() {
            Kind::Name => (MatchedField::Name, packed.name()),
            Kind::Inn => (MatchedField::Inn, packed.inn()?),
            Kind::Ogrn => (MatchedField::Ogrn, packed.ogrn()?),
            Kind::Phone => (MatchedField::Phone, packed.phone(found.item())?),
            Kind::Email => (MatchedField::Email, packed.email(found.item())?),
            Kind::ContactName => (
                MatchedField::ContactName {
                    contact_id: contact_id()?,
                },
                contact()?.name(),
            ),
            Kind::ContactPhone => (
                MatchedField::ContactPhone {
                    contact_id: contact_id()?,
                },
                contact()?.phone(found.item())?,
            ),
            Kind::ContactEmail => (
                MatchedField::ContactEmail {
                    contact_id: contact_id()?,
                },
                contact()?.email(found.item())?,
            ),
        };
        let ranges = match found.kind() {
            Kind::Name | Kind::ContactName => highlight::name(text, &query.tokens),
            Kind::Inn | Kind::Ogrn => {
                let digits = query.phone.as_ref().map_or(0, |p| p.digits().len());
                highlight::digits(text, digits).into_iter().collect()
            }
            Kind::Phone | Kind::ContactPhone => query
                .phone
                .as_ref()
                .and_then(|p| highlight::phone(text, p))
                .into_iter()
                .collect(),
            Kind::Email | Kind::ContactEmail => query
                .email
                .as_deref()
                .and_then(|q| highlight::email(text, q))
                .into_iter()
                .collect(),
        };
        Some(Hit {
            client_id: packed.client_id().to_owned(),
            tier: found.tier(),
            field,
            text: text.to_owned(),
            ranges,
        })
    }

    /// The clients (id and name) whose INN (digits) is `inn`.
    pub(crate) fn clients_with_inn(&self, inn: &str) -> Vec<(&str, &str)> {
        self.inns
            .with_prefix(inn, |s| self.inn_of(s))
            .iter()
            .filter(|&&slot| self.inn_of(slot) == inn)
            .filter_map(|&slot| self.client(slot))
            .map(|c| (c.packed.client_id(), c.packed.name()))
            .collect()
    }

    /// The phones (a client's or a contact's) whose key is `key`.
    pub(crate) fn phones_with_key(&self, key: &str) -> Vec<FieldMatch<'_>> {
        self.rarest_trigram(key)
            .iter()
            .filter_map(|&row| self.phones.get(row))
            .filter(|f| f.key() == key)
            .filter_map(|f| self.field_match(f.owner, |p, i| p.phone(i), |c, i| c.phone(i)))
            .collect()
    }

    /// The e-mails (a client's or a contact's) whose key is `key`.
    pub(crate) fn emails_with_key(&self, key: &str) -> Vec<FieldMatch<'_>> {
        self.email_keys
            .with_prefix(key, |id| self.email_key(id))
            .iter()
            .filter(|&&row| self.email_key(row) == key)
            .filter_map(|&row| self.emails.get(row))
            .filter_map(|f| self.field_match(f.owner, |p, i| p.email(i), |c, i| c.email(i)))
            .collect()
    }

    fn field_match<'a>(
        &'a self,
        owner: Owner,
        of_client: impl Fn(&'a Packed, usize) -> Option<&'a str>,
        of_contact: impl Fn(store::ContactView<'a>, usize) -> Option<&'a str>,
    ) -> Option<FieldMatch<'a>> {
        let packed = &self.client(owner.slot)?.packed;
        let item = owner.item as usize;
        let (contact_id, text) = match owner.contact() {
            None => (None, of_client(packed, item)?),
            Some(c) => {
                let contact = packed.contact(c as usize)?;
                (Some(contact.id()), of_contact(contact, item)?)
            }
        };
        Some(FieldMatch {
            client_id: packed.client_id(),
            client_name: packed.name(),
            contact_id,
            text,
        })
    }

    /// Every client's id, name and normalised name (see
    /// [`text::normalised`]).
    pub(crate) fn names_near(&self, letters: Letters) -> impl Iterator<Item = (&str, &str, &str)> {
        self.letters
            .iter()
            .enumerate()
            .filter(move |(_, theirs)| theirs.may_be_near(letters))
            .filter_map(|(slot, _)| self.client(slot as u32))
            .map(|c| (c.packed.client_id(), c.packed.name(), c.packed.sort_name()))
    }

    /// How many names (clients' and contacts') have the word `word`.
    pub(crate) fn names_with_word(&self, word: &str) -> usize {
        self.dictionary
            .find(word)
            .map_or(0, |id| self.dictionary.postings(id).len())
    }

    /// The clients whose own name (not a contact's) has the word `word`:
    /// id, name and normalised name.
    pub(crate) fn client_names_with_word(&self, word: &str) -> Vec<(&str, &str, &str)> {
        let Some(id) = self.dictionary.find(word) else {
            return Vec::new();
        };
        self.dictionary
            .postings(id)
            .iter()
            .filter_map(|&row| self.names.get(row))
            .filter(|name| name.owner.contact == NONE)
            .filter_map(|name| self.client(name.owner.slot))
            .map(|c| (c.packed.client_id(), c.packed.name(), c.packed.sort_name()))
            .collect()
    }

    /// Heap bytes held by the index, approximately: the capacities of its
    /// vectors and maps and the text they own (not the allocator's own
    /// overhead).
    pub fn heap_bytes(&self) -> usize {
        let clients: usize = self
            .clients
            .iter()
            .flatten()
            .map(|c| {
                c.packed.heap_bytes() + c.inn.len() + c.ogrn.len() + c.rows.len() * size_of::<u32>()
            })
            .sum();
        let by_id = self.by_id.keys().map(|k| k.len()).sum::<usize>()
            + self.by_id.capacity() * (size_of::<(Box<str>, u32)>() + 1);
        let trigrams: usize = self
            .trigrams
            .iter()
            .map(|t| t.capacity() * size_of::<u32>() + size_of::<Vec<u32>>())
            .sum();
        let sorted = [
            &self.email_keys,
            &self.email_domains,
            &self.inns,
            &self.ogrns,
        ]
        .iter()
        .map(|s| s.heap_bytes())
        .sum::<usize>();
        clients
            + self.clients.capacity() * size_of::<Option<Client>>()
            + self.orders.capacity() * size_of::<u64>()
            + self.free_slots.capacity() * size_of::<u32>()
            + by_id
            + self
                .names
                .heap_bytes(|f| f.words.len() * size_of::<WordId>())
            + self.phones.heap_bytes(|_| 0)
            + self
                .emails
                .heap_bytes(|f| f.key.as_ref().map_or(0, |k| k.len()))
            + self.dictionary.heap_bytes()
            + trigrams
            + sorted
    }
}
