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
//!   or of its last 7 digits is a prefix, anywhere else
//!   [`Tier::Partial`].
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
//! Name words live in a sorted dictionary ([`dictionary`]): a query word's
//! prefix matches are one binary-searched range, its one-typo matches a
//! scan of the few words that share its first or second letter. Only the
//! longest query word is looked up; the others are checked against the
//! candidate names' word lists. Phone keys are found through postings of
//! their digit trigrams (the rarest trigram of the typed digits, then a
//! substring check). E-mails, INNs and OGRNs are sorted arrays searched by
//! prefix. The best match per client is kept in one dense array, and only
//! the top `limit` clients are sorted.

mod dictionary;
#[cfg(test)]
mod tests;
pub(crate) mod text;

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::email;
use crate::phone::{KeyMatchKind, Phone, PhoneQuery};
use crate::summary::ClientSummary;
use dictionary::{Dictionary, FieldId, WordId};
use text::{MIN_TYPO_LEN, Word, name_words, normalised, order_key, typo_prefix};

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
    fn of(contact: Option<u32>, client: Kind, of_contact: Kind) -> Kind {
        if contact.is_some() {
            of_contact
        } else {
            client
        }
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

fn tier_from_bits(bits: u64) -> Tier {
    match bits {
        0 => Tier::Exact,
        1 => Tier::Prefix,
        2 => Tier::Partial,
        _ => Tier::Fuzzy,
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

    fn new(tier: Tier, kind: Kind, contact: Option<u32>, item: u32) -> Found {
        let contact = u64::from(contact.unwrap_or(0)).min((1 << CONTACT_BITS) - 1);
        let item = u64::from(item).min((1 << ITEM_BITS) - 1);
        Found((tier as u64) << 60 | (kind as u64) << 56 | contact << ITEM_BITS | item)
    }

    fn tier(self) -> Tier {
        tier_from_bits(self.0 >> 60)
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

/// Items in a vector with reusable numbers.
#[derive(Debug, Clone)]
struct Arena<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Arena<T> {
    fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.items[id as usize] = Some(item);
                id
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        }
    }

    fn remove(&mut self, id: u32) -> Option<T> {
        let item = self.items.get_mut(id as usize)?.take();
        if item.is_some() {
            self.free.push(id);
        }
        item
    }

    fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize).and_then(Option::as_ref)
    }

    fn heap_bytes(&self, inner: impl Fn(&T) -> usize) -> usize {
        self.items.capacity() * size_of::<Option<T>>()
            + self.free.capacity() * size_of::<u32>()
            + self.items.iter().flatten().map(inner).sum::<usize>()
    }
}

/// Ids kept ordered by a text key (then by id), for prefix lookups by
/// binary search.
#[derive(Debug, Clone, Default)]
struct SortedIds(Vec<u32>);

impl SortedIds {
    fn insert<'k>(&mut self, id: u32, key: impl Fn(u32) -> &'k str) {
        let k = key(id);
        let at = self.0.partition_point(|&i| (key(i), i) < (k, id));
        self.0.insert(at, id);
    }

    fn remove<'k>(&mut self, id: u32, key: impl Fn(u32) -> &'k str) {
        let k = key(id);
        if let Ok(at) = self.0.binary_search_by(|&i| (key(i), i).cmp(&(k, id))) {
            self.0.remove(at);
        }
    }

    fn sort<'k>(&mut self, key: impl Fn(u32) -> &'k str) {
        self.0
            .sort_unstable_by(|&a, &b| (key(a), a).cmp(&(key(b), b)));
    }

    fn with_prefix<'k>(&self, prefix: &str, key: impl Fn(u32) -> &'k str) -> &[u32] {
        let start = self.0.partition_point(|&i| key(i) < prefix);
        let rest = &self.0[start..];
        let len = rest.partition_point(|&i| key(i).starts_with(prefix));
        &rest[..len]
    }
}

/// A phone or e-mail found by its key, for duplicate control.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldRef<'a> {
    /// The client it belongs to.
    pub entry: &'a SearchEntry,
    /// The contact it belongs to, if not the client itself.
    pub contact: Option<&'a ContactEntry>,
    /// Which of the owner's phones or e-mails.
    pub item: usize,
}

/// One name (the client's or a contact's).
#[derive(Debug, Clone)]
struct NameField {
    slot: u32,
    /// Which contact, or `None` for the client's own name.
    contact: Option<u32>,
    /// Its distinct words (compounds included).
    words: Box<[WordId]>,
    /// Its normalised form (for exact matches and similar names).
    norm: Box<str>,
}

/// One phone (the client's or a contact's).
#[derive(Debug, Clone)]
struct PhoneField {
    slot: u32,
    contact: Option<u32>,
    /// Which phone of its owner.
    item: u32,
    key: Box<str>,
}

/// One e-mail (the client's or a contact's).
#[derive(Debug, Clone)]
struct EmailField {
    slot: u32,
    contact: Option<u32>,
    /// Which e-mail of its owner.
    item: u32,
    /// Lower case.
    key: Box<str>,
    /// Where the domain starts in `key` (`key.len()` when there is no `@`).
    domain_at: u32,
}

impl EmailField {
    fn domain(&self) -> &str {
        self.key.get(self.domain_at as usize..).unwrap_or("")
    }
}

/// One client as indexed.
#[derive(Debug, Clone)]
struct Client {
    entry: SearchEntry,
    /// The normalised name, for ranking ties and similar names.
    sort_name: Box<str>,
    /// Digits of the INN and OGRN (empty when none).
    inn: Box<str>,
    ogrn: Box<str>,
    names: Vec<FieldId>,
    phones: Vec<FieldId>,
    emails: Vec<FieldId>,
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

/// The in-memory client lookup. See the module docs for the rules.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    clients: Vec<Option<Client>>,
    /// [`order_key`] of each slot's name, dense for ranking.
    orders: Vec<u64>,
    free_slots: Vec<u32>,
    by_id: HashMap<String, u32>,
    names: Arena<NameField>,
    phones: Arena<PhoneField>,
    emails: Arena<EmailField>,
    dictionary: Dictionary,
    /// Phone fields by the trigrams of their keys.
    trigrams: Vec<Vec<FieldId>>,
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
    /// The tokens joined by spaces: equal to a name's normalised form for
    /// an exact match.
    norm: String,
    phone: Option<PhoneQuery>,
    /// Lower case, when the query has no spaces.
    email: Option<String>,
}

#[derive(Debug)]
struct Token {
    text: String,
    chars: Vec<char>,
}

impl Query {
    fn read(text: &str) -> Query {
        let words: Vec<Word> = name_words(text)
            .into_iter()
            .filter(|w| !w.compound)
            .collect();
        let norm = normalised(&words);
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
            norm,
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
        index.clients.reserve(entries.len());
        index.orders.reserve(entries.len());
        for entry in entries {
            index.insert(entry);
        }
        index.finish_bulk();
        index
    }

    fn finish_bulk(&mut self) {
        self.bulk = false;
        self.dictionary.finish_bulk();
        let emails = &self.emails;
        self.email_keys
            .sort(|id| emails.get(id).map_or("", |f| &f.key));
        self.email_domains
            .sort(|id| emails.get(id).map_or("", |f| f.domain()));
        let clients = &self.clients;
        self.inns.sort(|slot| {
            clients
                .get(slot as usize)
                .and_then(Option::as_ref)
                .map_or("", |c| &c.inn)
        });
        self.ogrns.sort(|slot| {
            clients
                .get(slot as usize)
                .and_then(Option::as_ref)
                .map_or("", |c| &c.ogrn)
        });
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
    pub fn get(&self, client_id: &str) -> Option<&SearchEntry> {
        let slot = *self.by_id.get(client_id)?;
        self.client(slot).map(|c| &c.entry)
    }

    /// Adds a client, or replaces what is indexed of it.
    pub fn upsert(&mut self, entry: SearchEntry) {
        self.remove(&entry.client_id);
        self.insert(entry);
    }

    /// Forgets a client; whether it was indexed.
    pub fn remove(&mut self, client_id: &str) -> bool {
        let Some(slot) = self.by_id.remove(client_id) else {
            return false;
        };
        let Some(client) = self.clients.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        for &fid in &client.names {
            if let Some(field) = self.names.remove(fid) {
                for &word in field.words.iter() {
                    self.dictionary.remove(word, fid);
                }
            }
        }
        for &fid in &client.phones {
            if let Some(field) = self.phones.get(fid) {
                for t in trigrams_of(&field.key) {
                    if let Some(list) = self.trigrams.get_mut(t)
                        && let Some(at) = list.iter().position(|&f| f == fid)
                    {
                        list.swap_remove(at);
                    }
                }
            }
            self.phones.remove(fid);
        }
        for &fid in &client.emails {
            let emails = &self.emails;
            self.email_keys
                .remove(fid, |id| emails.get(id).map_or("", |f| &f.key));
            self.email_domains
                .remove(fid, |id| emails.get(id).map_or("", |f| f.domain()));
            self.emails.remove(fid);
        }
        let clients = &self.clients;
        let inn = |s: u32| {
            if s == slot {
                &*client.inn
            } else {
                clients
                    .get(s as usize)
                    .and_then(Option::as_ref)
                    .map_or("", |c| &c.inn)
            }
        };
        if !client.inn.is_empty() {
            self.inns.remove(slot, inn);
        }
        let ogrn = |s: u32| {
            if s == slot {
                &*client.ogrn
            } else {
                clients
                    .get(s as usize)
                    .and_then(Option::as_ref)
                    .map_or("", |c| &c.ogrn)
            }
        };
        if !client.ogrn.is_empty() {
            self.ogrns.remove(slot, ogrn);
        }
        self.free_slots.push(slot);
        true
    }

    fn client(&self, slot: u32) -> Option<&Client> {
        self.clients.get(slot as usize).and_then(Option::as_ref)
    }

    /// Indexes a client not yet in the index.
    fn insert(&mut self, entry: SearchEntry) {
        let words = name_words(&entry.name);
        let sort_name: Box<str> = normalised(&words).into();
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                self.clients.push(None);
                self.orders.push(0);
                (self.clients.len() - 1) as u32
            }
        };
        self.orders[slot as usize] = order_key(&sort_name);
        let mut names = Vec::new();
        let mut phones = Vec::new();
        let mut emails = Vec::new();
        names.extend(self.add_name(slot, None, words));
        self.add_phones(slot, None, &entry.phones, &mut phones);
        self.add_emails(slot, None, &entry.emails, &mut emails);
        for (i, contact) in entry.contacts.iter().enumerate() {
            let contact_index = Some(i as u32);
            names.extend(self.add_name(slot, contact_index, name_words(&contact.name)));
            self.add_phones(slot, contact_index, &contact.phones, &mut phones);
            self.add_emails(slot, contact_index, &contact.emails, &mut emails);
        }
        let inn = entry.inn.as_deref().map(digits_of).unwrap_or_default();
        let ogrn = entry.ogrn.as_deref().map(digits_of).unwrap_or_default();
        self.by_id.insert(entry.client_id.clone(), slot);
        let has_inn = !inn.is_empty();
        let has_ogrn = !ogrn.is_empty();
        self.clients[slot as usize] = Some(Client {
            entry,
            sort_name,
            inn,
            ogrn,
            names,
            phones,
            emails,
        });
        let clients = &self.clients;
        let inn_of = |s: u32| {
            clients
                .get(s as usize)
                .and_then(Option::as_ref)
                .map_or("", |c| &*c.inn)
        };
        let ogrn_of = |s: u32| {
            clients
                .get(s as usize)
                .and_then(Option::as_ref)
                .map_or("", |c| &*c.ogrn)
        };
        match (self.bulk, has_inn) {
            (true, true) => self.inns.0.push(slot),
            (false, true) => self.inns.insert(slot, inn_of),
            _ => {}
        }
        match (self.bulk, has_ogrn) {
            (true, true) => self.ogrns.0.push(slot),
            (false, true) => self.ogrns.insert(slot, ogrn_of),
            _ => {}
        }
    }

    fn add_name(&mut self, slot: u32, contact: Option<u32>, words: Vec<Word>) -> Option<FieldId> {
        if words.is_empty() {
            return None;
        }
        let norm = normalised(&words).into();
        let fid = self.names.insert(NameField {
            slot,
            contact,
            words: Box::new([]),
            norm,
        });
        let mut texts: Vec<String> = words.into_iter().map(|w| w.text).collect();
        texts.sort_unstable();
        texts.dedup();
        let ids: Box<[WordId]> = texts.iter().map(|t| self.dictionary.add(t, fid)).collect();
        if let Some(Some(field)) = self.names.items.get_mut(fid as usize) {
            field.words = ids;
        }
        Some(fid)
    }

    fn add_phones(
        &mut self,
        slot: u32,
        contact: Option<u32>,
        typed: &[String],
        out: &mut Vec<FieldId>,
    ) {
        if self.trigrams.is_empty() {
            self.trigrams = vec![Vec::new(); TRIGRAMS];
        }
        for (item, text) in typed.iter().enumerate() {
            // A phone that does not parse cannot be normalised; its card
            // shows the validation problem instead.
            let Ok(phone) = Phone::parse(text) else {
                continue;
            };
            let key: Box<str> = phone.key().into();
            let tris = trigrams_of(&key);
            let fid = self.phones.insert(PhoneField {
                slot,
                contact,
                item: item as u32,
                key,
            });
            for t in tris {
                self.trigrams[t].push(fid);
            }
            out.push(fid);
        }
    }

    fn add_emails(
        &mut self,
        slot: u32,
        contact: Option<u32>,
        typed: &[String],
        out: &mut Vec<FieldId>,
    ) {
        for (item, text) in typed.iter().enumerate() {
            let key = email::search_key(text);
            if key.is_empty() {
                continue;
            }
            let domain_at = key.find('@').map_or(key.len(), |at| at + 1) as u32;
            let field = EmailField {
                slot,
                contact,
                item: item as u32,
                key: key.into(),
                domain_at,
            };
            let fid = self.emails.insert(field);
            if self.bulk {
                self.email_keys.0.push(fid);
                self.email_domains.0.push(fid);
            } else {
                let emails = &self.emails;
                self.email_keys
                    .insert(fid, |id| emails.get(id).map_or("", |f| &f.key));
                self.email_domains
                    .insert(fid, |id| emails.get(id).map_or("", |f| f.domain()));
            }
            out.push(fid);
        }
    }

    /// The clients matching `text`, best first, at most `limit`.
    pub fn query(&self, text: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let query = Query::read(text);
        let mut best = Best::new(self.clients.len());
        self.match_names(&query, &mut best);
        if let Some(phone) = &query.phone {
            self.match_numbers(phone, &mut best);
        }
        if let Some(email) = &query.email {
            self.match_emails(email, &mut best);
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

    fn match_names(&self, query: &Query, best: &mut Best) {
        // The longest word is the most selective: look it up, check the
        // others on each candidate's own words.
        let Some((driver, token)) = query
            .tokens
            .iter()
            .enumerate()
            .max_by_key(|(i, t)| (t.chars.len(), usize::MAX - i))
        else {
            return;
        };
        let consider = |fid: FieldId, typo: bool, best: &mut Best| {
            let Some(field) = self.names.get(fid) else {
                return;
            };
            let mut typo = typo;
            for (i, other) in query.tokens.iter().enumerate() {
                if i != driver {
                    match self.token_matches(other, &field.words) {
                        None => return,
                        Some(t) => typo |= t,
                    }
                }
            }
            let tier = if typo {
                Tier::Fuzzy
            } else if *field.norm == query.norm {
                Tier::Exact
            } else {
                Tier::Prefix
            };
            let kind = Kind::of(field.contact, Kind::Name, Kind::ContactName);
            best.offer(field.slot, Found::new(tier, kind, field.contact, 0));
        };
        for &word in self.dictionary.with_prefix(&token.text) {
            for &fid in self.dictionary.postings(word) {
                consider(fid, false, best);
            }
        }
        self.dictionary.typo_prefixes(&token.chars, |word, _| {
            for &fid in self.dictionary.postings(word) {
                consider(fid, true, best);
            }
        });
    }

    fn inn_of(&self, slot: u32) -> &str {
        self.client(slot).map_or("", |c| &c.inn)
    }

    fn ogrn_of(&self, slot: u32) -> &str {
        self.client(slot).map_or("", |c| &c.ogrn)
    }

    fn match_numbers(&self, phone: &PhoneQuery, best: &mut Best) {
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
                best.offer(slot, Found::new(tier, kind, None, 0));
            }
        }
        for pattern in phone.patterns() {
            for &fid in self.rarest_trigram(pattern) {
                let Some(field) = self.phones.get(fid) else {
                    continue;
                };
                if let Some(found) = phone.match_key(&field.key) {
                    let tier = match found.kind {
                        KeyMatchKind::Whole => Tier::Exact,
                        KeyMatchKind::Start => Tier::Prefix,
                        KeyMatchKind::Inside => Tier::Partial,
                    };
                    let kind = Kind::of(field.contact, Kind::Phone, Kind::ContactPhone);
                    best.offer(
                        field.slot,
                        Found::new(tier, kind, field.contact, field.item),
                    );
                }
            }
        }
    }

    /// The postings of the rarest trigram of `digits`: every key holding
    /// `digits` is in it.
    fn rarest_trigram(&self, digits: &str) -> &[FieldId] {
        digits
            .as_bytes()
            .windows(3)
            .filter_map(|w| self.trigrams.get(trigram(w)))
            .min_by_key(|list| list.len())
            .map_or(&[], Vec::as_slice)
    }

    fn match_emails(&self, query: &str, best: &mut Best) {
        let emails = &self.emails;
        let mut offer = |fid: FieldId, exact: bool| {
            if let Some(field) = emails.get(fid) {
                let tier = if exact { Tier::Exact } else { Tier::Prefix };
                let kind = Kind::of(field.contact, Kind::Email, Kind::ContactEmail);
                best.offer(
                    field.slot,
                    Found::new(tier, kind, field.contact, field.item),
                );
            }
        };
        let key = |id| emails.get(id).map_or("", |f| &*f.key);
        for &fid in self.email_keys.with_prefix(query, key) {
            offer(fid, key(fid) == query);
        }
        if !query.contains('@') {
            let domain = |id| emails.get(id).map_or("", |f| f.domain());
            for &fid in self.email_domains.with_prefix(query, domain) {
                offer(fid, false);
            }
        }
    }

    /// What orders clients of one tier whose name keys are equal: the
    /// whole normalised name, then the id.
    fn tie_key(&self, slot: u32) -> Option<(&str, &str)> {
        self.client(slot)
            .map(|c| (&*c.sort_name, c.entry.client_id.as_str()))
    }

    /// The best `limit` clients, in rank order.
    fn rank(&self, best: Best, limit: usize) -> Vec<(Found, u32)> {
        let mut ranked: Vec<(Tier, u64, u32)> = best
            .touched
            .iter()
            .map(|&slot| {
                let found = best.found[slot as usize];
                (found.tier(), self.orders[slot as usize], slot)
            })
            .collect();
        let by_rank = |a: &(Tier, u64, u32), b: &(Tier, u64, u32)| {
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
        let entry = &self.client(slot)?.entry;
        let contact = || entry.contacts.get(found.contact());
        let contact_id = || contact().map(|c| c.contact_id.clone());
        let (field, text) = match found.kind() {
            Kind::Name => (MatchedField::Name, &entry.name),
            Kind::Inn => (MatchedField::Inn, entry.inn.as_ref()?),
            Kind::Ogrn => (MatchedField::Ogrn, entry.ogrn.as_ref()?),
            Kind::Phone => (MatchedField::Phone, entry.phones.get(found.item())?),
            Kind::Email => (MatchedField::Email, entry.emails.get(found.item())?),
            Kind::ContactName => (
                MatchedField::ContactName {
                    contact_id: contact_id()?,
                },
                &contact()?.name,
            ),
            Kind::ContactPhone => (
                MatchedField::ContactPhone {
                    contact_id: contact_id()?,
                },
                contact()?.phones.get(found.item())?,
            ),
            Kind::ContactEmail => (
                MatchedField::ContactEmail {
                    contact_id: contact_id()?,
                },
                contact()?.emails.get(found.item())?,
            ),
        };
        let ranges = match found.kind() {
            Kind::Name | Kind::ContactName => highlight_name(text, &query.tokens),
            Kind::Inn | Kind::Ogrn => query
                .phone
                .as_ref()
                .map(|p| highlight_digits(text, p.digits().len()))
                .unwrap_or_default(),
            Kind::Phone | Kind::ContactPhone => query
                .phone
                .as_ref()
                .and_then(|p| highlight_phone(text, p))
                .into_iter()
                .collect(),
            Kind::Email | Kind::ContactEmail => query
                .email
                .as_deref()
                .and_then(|q| highlight_email(text, q))
                .into_iter()
                .collect(),
        };
        Some(Hit {
            client_id: entry.client_id.clone(),
            tier: found.tier(),
            field,
            text: text.clone(),
            ranges,
        })
    }

    /// The clients whose INN (digits) is `inn`.
    pub(crate) fn clients_with_inn(&self, inn: &str) -> Vec<&SearchEntry> {
        self.inns
            .with_prefix(inn, |s| self.inn_of(s))
            .iter()
            .filter(|&&slot| self.inn_of(slot) == inn)
            .filter_map(|&slot| self.client(slot).map(|c| &c.entry))
            .collect()
    }

    /// The phones (client's or a contact's) whose key is `key`.
    pub(crate) fn phones_with_key(&self, key: &str) -> Vec<FieldRef<'_>> {
        self.rarest_trigram(key)
            .iter()
            .filter_map(|&fid| self.phones.get(fid))
            .filter(|f| &*f.key == key)
            .filter_map(|f| self.field_ref(f.slot, f.contact, f.item))
            .collect()
    }

    /// The e-mails (client's or a contact's) whose key is `key`.
    pub(crate) fn emails_with_key(&self, key: &str) -> Vec<FieldRef<'_>> {
        let emails = &self.emails;
        self.email_keys
            .with_prefix(key, |id| emails.get(id).map_or("", |f| &*f.key))
            .iter()
            .filter_map(|&fid| emails.get(fid))
            .filter(|f| &*f.key == key)
            .filter_map(|f| self.field_ref(f.slot, f.contact, f.item))
            .collect()
    }

    fn field_ref(&self, slot: u32, contact: Option<u32>, item: u32) -> Option<FieldRef<'_>> {
        let entry = &self.client(slot)?.entry;
        let contact = match contact {
            Some(c) => Some(entry.contacts.get(c as usize)?),
            None => None,
        };
        Some(FieldRef {
            entry,
            contact,
            item: item as usize,
        })
    }

    /// Every client with its normalised name (see [`text::normalised`]).
    pub(crate) fn normalised_names(&self) -> impl Iterator<Item = (&SearchEntry, &str)> {
        self.clients
            .iter()
            .flatten()
            .map(|c| (&c.entry, &*c.sort_name))
    }

    /// Heap bytes held by the index, approximately (capacities of its
    /// vectors and maps, and the text they own).
    pub fn heap_bytes(&self) -> usize {
        let strings = |v: &[String]| {
            v.iter()
                .map(|s| s.capacity() + size_of::<String>())
                .sum::<usize>()
        };
        let entry_bytes = |e: &SearchEntry| {
            e.client_id.capacity()
                + e.name.capacity()
                + e.inn.as_ref().map_or(0, String::capacity)
                + e.ogrn.as_ref().map_or(0, String::capacity)
                + strings(&e.phones)
                + strings(&e.emails)
                + e.contacts.capacity() * size_of::<ContactEntry>()
                + e.contacts
                    .iter()
                    .map(|c| {
                        c.contact_id.capacity()
                            + c.name.capacity()
                            + strings(&c.phones)
                            + strings(&c.emails)
                    })
                    .sum::<usize>()
        };
        let clients: usize = self
            .clients
            .iter()
            .flatten()
            .map(|c| {
                entry_bytes(&c.entry)
                    + c.sort_name.len()
                    + c.inn.len()
                    + c.ogrn.len()
                    + (c.names.capacity() + c.phones.capacity() + c.emails.capacity())
                        * size_of::<FieldId>()
            })
            .sum();
        let by_id: usize = self.by_id.keys().map(|k| k.capacity()).sum::<usize>()
            + self.by_id.capacity() * (size_of::<(String, u32)>() + 1);
        let trigrams: usize = self
            .trigrams
            .iter()
            .map(|t| t.capacity() * size_of::<FieldId>() + size_of::<Vec<FieldId>>())
            .sum();
        let sorted = [
            &self.email_keys,
            &self.email_domains,
            &self.inns,
            &self.ogrns,
        ]
        .iter()
        .map(|s| s.0.capacity() * size_of::<u32>())
        .sum::<usize>();
        clients
            + self.clients.capacity() * size_of::<Option<Client>>()
            + self.orders.capacity() * size_of::<u64>()
            + self.free_slots.capacity() * size_of::<u32>()
            + by_id
            + self
                .names
                .heap_bytes(|f| f.words.len() * size_of::<WordId>() + f.norm.len())
            + self.phones.heap_bytes(|f| f.key.len())
            + self.emails.heap_bytes(|f| f.key.len())
            + self.dictionary.heap_bytes()
            + trigrams
            + sorted
    }
}

/// Merges sorted-by-start ranges that touch or overlap.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// The parts of a name that the query's words matched.
fn highlight_name(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for word in name_words(text) {
        let chars: Vec<char> = word.text.chars().collect();
        for token in tokens {
            let len = if word.text.starts_with(&token.text) {
                Some(token.chars.len())
            } else if token.chars.len() >= MIN_TYPO_LEN && chars.len() >= MIN_TYPO_LEN {
                typo_prefix(&token.chars, &chars)
            } else {
                None
            };
            if let Some(end) = len.and_then(|len| word.ends.get(len.checked_sub(1)?)) {
                ranges.push(word.start..*end);
            }
        }
    }
    merge(ranges)
}

/// The first `count` digits of a typed number (INN, OGRN).
fn highlight_digits(text: &str, count: usize) -> Vec<Range<usize>> {
    let digits: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(at, _)| at)
        .take(count)
        .collect();
    match (digits.first(), digits.last()) {
        (Some(&start), Some(&last)) => std::iter::once(start..last + 1).collect(),
        _ => Vec::new(),
    }
}

/// The typed digits of a phone that the query matched.
fn highlight_phone(text: &str, query: &PhoneQuery) -> Option<Range<usize>> {
    let phone = Phone::parse(text).ok()?;
    let found = query.match_key(phone.key())?;
    phone.typed_range(found.range)
}

/// The part of a typed e-mail that the query matched: the start of the
/// address or of its domain.
fn highlight_email(text: &str, query: &str) -> Option<Range<usize>> {
    let typed = text.trim_start();
    let offset = text.len() - typed.len();
    let key = email::search_key(text);
    let from = if key.starts_with(query) {
        0
    } else {
        typed.find('@')? + 1
    };
    // Lower-casing may change byte lengths, so walk the typed chars until
    // they have produced as many lower-case chars as the query has.
    let wanted = query.chars().count();
    let mut produced = 0;
    let mut end = from;
    for (at, c) in typed[from..].char_indices() {
        if produced >= wanted {
            break;
        }
        produced += c.to_lowercase().count();
        end = from + at + c.len_utf8();
    }
    (end > from).then(|| offset + from..offset + end)
}
