//! Compact storage for the index. A base of 50,000 clients holds some
//! 800,000 short strings; keeping each client's text in one buffer and each
//! kind of field in a dense table of small rows saves most of their headers
//! and allocations, and lets a query walk thousands of candidates without
//! chasing a pointer per candidate.

use super::{ContactEntry, SearchEntry};

/// "None" in `u32` columns.
pub(super) const NONE: u32 = u32::MAX;

/// One client's entry with all its text in one buffer.
///
/// Strings, in order: client id, name, normalised name, INN (if any),
/// OGRN (if any), phones, e-mails, then for each contact: id, name,
/// phones, e-mails.
#[derive(Debug, Clone)]
pub(super) struct Packed {
    text: Box<str>,
    /// `[flags (1: INN, 2: OGRN), phones, e-mails, contacts,
    /// (phones, e-mails) per contact…, end of each string…]`.
    meta: Box<[u32]>,
}

const HEADER: usize = 4;

impl Packed {
    /// Packs an entry with its normalised name.
    pub fn pack(entry: &SearchEntry, sort_name: &str) -> Packed {
        let mut text = String::new();
        let mut meta: Vec<u32> = Vec::new();
        let flags = u32::from(entry.inn.is_some()) | u32::from(entry.ogrn.is_some()) << 1;
        meta.extend([
            flags,
            entry.phones.len() as u32,
            entry.emails.len() as u32,
            entry.contacts.len() as u32,
        ]);
        for contact in &entry.contacts {
            meta.extend([contact.phones.len() as u32, contact.emails.len() as u32]);
        }
        let mut push = |s: &str| {
            text.push_str(s);
            meta.push(text.len() as u32);
        };
        push(&entry.client_id);
        push(&entry.name);
        push(sort_name);
        entry.inn.iter().chain(&entry.ogrn).for_each(|s| push(s));
        entry
            .phones
            .iter()
            .chain(&entry.emails)
            .for_each(|s| push(s));
        for contact in &entry.contacts {
            push(&contact.contact_id);
            push(&contact.name);
            contact
                .phones
                .iter()
                .chain(&contact.emails)
                .for_each(|s| push(s));
        }
        Packed {
            text: text.into(),
            meta: meta.into(),
        }
    }

    fn count(&self, i: usize) -> usize {
        self.meta.get(i).map_or(0, |&n| n as usize)
    }

    fn contacts_len(&self) -> usize {
        self.count(3)
    }

    /// The `i`th string.
    fn string(&self, i: usize) -> &str {
        let ends = &self.meta[(HEADER + 2 * self.contacts_len()).min(self.meta.len())..];
        let start = if i == 0 {
            0
        } else {
            ends.get(i - 1).map_or(0, |&e| e as usize)
        };
        let end = ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    fn has(&self, flag: u32) -> bool {
        self.count(0) as u32 & flag != 0
    }

    pub fn client_id(&self) -> &str {
        self.string(0)
    }

    pub fn name(&self) -> &str {
        self.string(1)
    }

    /// The normalised name (see [`super::text::normalised`]).
    pub fn sort_name(&self) -> &str {
        self.string(2)
    }

    pub fn inn(&self) -> Option<&str> {
        self.has(1).then(|| self.string(3))
    }

    pub fn ogrn(&self) -> Option<&str> {
        self.has(2)
            .then(|| self.string(3 + usize::from(self.has(1))))
    }

    fn first_phone(&self) -> usize {
        3 + usize::from(self.has(1)) + usize::from(self.has(2))
    }

    pub fn phone(&self, i: usize) -> Option<&str> {
        (i < self.count(1)).then(|| self.string(self.first_phone() + i))
    }

    pub fn email(&self, i: usize) -> Option<&str> {
        (i < self.count(2)).then(|| self.string(self.first_phone() + self.count(1) + i))
    }

    pub fn phones(&self) -> impl Iterator<Item = &str> {
        (0..self.count(1)).filter_map(|i| self.phone(i))
    }

    pub fn emails(&self) -> impl Iterator<Item = &str> {
        (0..self.count(2)).filter_map(|i| self.email(i))
    }

    /// The contact persons, in order.
    pub fn contacts(&self) -> impl Iterator<Item = ContactView<'_>> {
        let mut first = self.first_phone() + self.count(1) + self.count(2);
        (0..self.contacts_len()).map(move |c| {
            let phones = self.count(HEADER + 2 * c);
            let emails = self.count(HEADER + 2 * c + 1);
            let view = ContactView {
                packed: self,
                first,
                phones,
                emails,
            };
            first += 2 + phones + emails;
            view
        })
    }

    /// The `c`th contact person.
    pub fn contact(&self, c: usize) -> Option<ContactView<'_>> {
        self.contacts().nth(c)
    }

    /// The entry back as it was given.
    pub fn unpack(&self) -> SearchEntry {
        let owned = |it: &mut dyn Iterator<Item = &str>| it.map(str::to_owned).collect();
        SearchEntry {
            client_id: self.client_id().to_owned(),
            name: self.name().to_owned(),
            inn: self.inn().map(str::to_owned),
            ogrn: self.ogrn().map(str::to_owned),
            phones: owned(&mut self.phones()),
            emails: owned(&mut self.emails()),
            contacts: self
                .contacts()
                .map(|c| ContactEntry {
                    contact_id: c.id().to_owned(),
                    name: c.name().to_owned(),
                    phones: owned(&mut c.phones()),
                    emails: owned(&mut c.emails()),
                })
                .collect(),
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.text.len() + self.meta.len() * size_of::<u32>()
    }
}

/// One contact person inside a [`Packed`] entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct ContactView<'a> {
    packed: &'a Packed,
    /// The index of its id among the packed strings.
    first: usize,
    phones: usize,
    emails: usize,
}

impl<'a> ContactView<'a> {
    pub fn id(&self) -> &'a str {
        self.packed.string(self.first)
    }

    pub fn name(&self) -> &'a str {
        self.packed.string(self.first + 1)
    }

    pub fn phone(&self, i: usize) -> Option<&'a str> {
        (i < self.phones).then(|| self.packed.string(self.first + 2 + i))
    }

    pub fn email(&self, i: usize) -> Option<&'a str> {
        (i < self.emails).then(|| self.packed.string(self.first + 2 + self.phones + i))
    }

    pub fn phones(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let view = *self;
        (0..self.phones).filter_map(move |i| view.phone(i))
    }

    pub fn emails(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let view = *self;
        (0..self.emails).filter_map(move |i| view.email(i))
    }
}

/// Who a phone, e-mail or name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Owner {
    pub slot: u32,
    /// Which contact person, or [`NONE`] for the client itself.
    pub contact: u32,
    /// Which of the owner's phones or e-mails (0 for a name).
    pub item: u32,
}

impl Owner {
    pub const FREED: Owner = Owner {
        slot: NONE,
        contact: NONE,
        item: NONE,
    };

    pub fn contact(self) -> Option<u32> {
        (self.contact != NONE).then_some(self.contact)
    }
}

/// Rows with reusable numbers; a removed row is overwritten with a
/// tombstone until its number is reused.
#[derive(Debug, Clone)]
pub(super) struct Table<T> {
    rows: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Table<T> {
    pub fn insert(&mut self, row: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.rows[id as usize] = row;
                id
            }
            None => {
                self.rows.push(row);
                (self.rows.len() - 1) as u32
            }
        }
    }

    pub fn remove(&mut self, id: u32, tombstone: T) {
        if let Some(row) = self.rows.get_mut(id as usize) {
            *row = tombstone;
            self.free.push(id);
        }
    }

    pub fn get(&self, id: u32) -> Option<&T> {
        self.rows.get(id as usize)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.rows.get_mut(id as usize)
    }

    /// Drops spare capacity (after a bulk build).
    pub fn shrink(&mut self) {
        self.rows.shrink_to_fit();
    }

    /// Heap bytes held, with `inner` for what each row owns.
    pub fn heap_bytes(&self, inner: impl Fn(&T) -> usize) -> usize {
        self.rows.capacity() * size_of::<T>()
            + self.free.capacity() * size_of::<u32>()
            + self.rows.iter().map(inner).sum::<usize>()
    }
}

/// Ids kept ordered by a text key (then by id), for prefix lookups by
/// binary search.
#[derive(Debug, Clone, Default)]
pub(super) struct SortedIds(Vec<u32>);

impl SortedIds {
    /// Adds an id at its place.
    pub fn insert<'k>(&mut self, id: u32, key: impl Fn(u32) -> &'k str) {
        let k = key(id);
        let at = self.0.partition_point(|&i| (key(i), i) < (k, id));
        self.0.insert(at, id);
    }

    /// Adds an id at the end, during a bulk build; [`SortedIds::sort`]
    /// must follow.
    pub fn push(&mut self, id: u32) {
        self.0.push(id);
    }

    /// Adds ids at the end, during a bulk build; [`SortedIds::sort`] must
    /// follow.
    pub fn extend(&mut self, ids: &[u32]) {
        self.0.extend_from_slice(ids);
    }

    /// Removes an id; `key` must still give its key.
    pub fn remove<'k>(&mut self, id: u32, key: impl Fn(u32) -> &'k str) {
        let k = key(id);
        if let Ok(at) = self.0.binary_search_by(|&i| (key(i), i).cmp(&(k, id))) {
            self.0.remove(at);
        }
    }

    pub fn sort<'k>(&mut self, key: impl Fn(u32) -> &'k str) {
        // Look each key up once: reading it from the packed text on every
        // comparison made this the slowest part of building the index.
        let mut pairs: Vec<(&'k str, u32)> = self.0.iter().map(|&i| (key(i), i)).collect();
        pairs.sort_unstable();
        self.0.clear();
        self.0.extend(pairs.into_iter().map(|(_, i)| i));
        self.0.shrink_to_fit();
    }

    /// The ids whose key starts with `prefix`.
    pub fn with_prefix<'k>(&self, prefix: &str, key: impl Fn(u32) -> &'k str) -> &[u32] {
        let start = self.0.partition_point(|&i| key(i) < prefix);
        let rest = &self.0[start..];
        let len = rest.partition_point(|&i| key(i).starts_with(prefix));
        &rest[..len]
    }

    pub fn heap_bytes(&self) -> usize {
        self.0.capacity() * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_every_string() {
        let entry = SearchEntry {
            client_id: "c1".to_owned(),
            name: "ООО «Вектор»".to_owned(),
            inn: None,
            ogrn: Some("1027700132195".to_owned()),
            phones: vec!["8 495 925 05 31".to_owned(), String::new()],
            emails: vec!["info@vektor.ru".to_owned()],
            contacts: vec![
                ContactEntry {
                    contact_id: "k1".to_owned(),
                    name: "Петров Пётр".to_owned(),
                    phones: vec![],
                    emails: vec!["p@vektor.ru".to_owned()],
                },
                ContactEntry {
                    contact_id: "k2".to_owned(),
                    name: "Иванова Анна".to_owned(),
                    phones: vec!["8 916 123 45 67".to_owned()],
                    emails: vec![],
                },
            ],
        };
        let packed = Packed::pack(&entry, "вектор");
        assert_eq!(packed.unpack(), entry);
        assert_eq!(packed.sort_name(), "вектор");
        assert_eq!(packed.inn(), None);
        assert_eq!(packed.ogrn(), Some("1027700132195"));
        assert_eq!(packed.phone(1), Some(""));
        assert_eq!(packed.phone(2), None);
        let k2 = packed.contact(1).map(|c| (c.id(), c.name(), c.phone(0)));
        assert_eq!(k2, Some(("k2", "Иванова Анна", Some("8 916 123 45 67"))));
        assert!(packed.contact(2).is_none());
    }
}
