//! The words of every indexed name, each with the name fields it occurs
//! in: sorted for prefix lookups by binary search, and bucketed by first
//! and second letter for one-typo lookups.

use std::collections::HashMap;

use super::text::{MIN_TYPO_LEN, typo_prefix};

/// A word's number in the dictionary.
pub(super) type WordId = u32;
/// A name field's number in the index.
pub(super) type FieldId = u32;

#[derive(Debug, Clone)]
struct Entry {
    text: Box<str>,
    chars: Box<[char]>,
    /// The name fields this word occurs in, each once, in no order.
    postings: Vec<FieldId>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Dictionary {
    words: Vec<Option<Entry>>,
    free: Vec<WordId>,
    /// Every live word id, ordered by text.
    sorted: Vec<WordId>,
    /// Words of at least [`MIN_TYPO_LEN`] chars by their second char: a
    /// word one typo from a token starts with one of the token's first two
    /// letters or has one of them second (see [`Dictionary::typo_scan`]).
    by_second: HashMap<char, Vec<WordId>>,
    /// While a bulk build runs: exact lookups by text, and `sorted` is
    /// unsorted until [`Dictionary::finish_bulk`].
    bulk: Option<HashMap<Box<str>, WordId>>,
}

impl Dictionary {
    /// Starts a bulk build: adds are cheap, prefix lookups are not
    /// available until [`Dictionary::finish_bulk`].
    pub fn start_bulk(&mut self) {
        let mut lookup = HashMap::with_capacity(self.sorted.len());
        for &id in &self.sorted {
            lookup.insert(self.text(id).into(), id);
        }
        self.bulk = Some(lookup);
    }

    /// Ends a bulk build: sorts the words once.
    pub fn finish_bulk(&mut self) {
        self.bulk = None;
        let words = &self.words;
        let text = |id: &WordId| words[*id as usize].as_ref().map_or("", |e| &e.text);
        self.sorted.sort_unstable_by(|a, b| text(a).cmp(text(b)));
    }

    fn entry(&self, id: WordId) -> Option<&Entry> {
        self.words.get(id as usize).and_then(Option::as_ref)
    }

    /// The text of a word.
    pub fn text(&self, id: WordId) -> &str {
        self.entry(id).map_or("", |e| &e.text)
    }

    /// The chars of a word.
    pub fn chars(&self, id: WordId) -> &[char] {
        self.entry(id).map_or(&[], |e| &e.chars)
    }

    /// The name fields a word occurs in.
    pub fn postings(&self, id: WordId) -> &[FieldId] {
        self.entry(id).map_or(&[], |e| &e.postings)
    }

    /// Where `text` is or would be in `sorted`.
    fn position(&self, text: &str) -> Result<usize, usize> {
        self.sorted.binary_search_by(|&id| self.text(id).cmp(text))
    }

    /// The id of a word, if it is in the dictionary.
    pub fn find(&self, text: &str) -> Option<WordId> {
        match &self.bulk {
            Some(lookup) => lookup.get(text).copied(),
            None => self.position(text).ok().map(|i| self.sorted[i]),
        }
    }

    /// Records that `text` occurs in `field` (once per field).
    pub fn add(&mut self, text: &str, field: FieldId) -> WordId {
        if let Some(id) = self.find(text) {
            if let Some(Some(entry)) = self.words.get_mut(id as usize) {
                entry.postings.push(field);
            }
            return id;
        }
        let chars: Box<[char]> = text.chars().collect();
        let entry = Entry {
            text: text.into(),
            chars,
            postings: vec![field],
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.words[id as usize] = Some(entry);
                id
            }
            None => {
                self.words.push(Some(entry));
                (self.words.len() - 1) as WordId
            }
        };
        let chars = self.chars(id);
        if chars.len() >= MIN_TYPO_LEN {
            let second = chars[1];
            self.by_second.entry(second).or_default().push(id);
        }
        match &mut self.bulk {
            Some(lookup) => {
                lookup.insert(text.into(), id);
                self.sorted.push(id);
            }
            None => {
                let at = self.position(text).unwrap_or_else(|at| at);
                self.sorted.insert(at, id);
            }
        }
        id
    }

    /// Records that word `id` no longer occurs in `field`; forgets the word
    /// when no field has it.
    pub fn remove(&mut self, id: WordId, field: FieldId) {
        let Some(Some(entry)) = self.words.get_mut(id as usize) else {
            return;
        };
        if let Some(at) = entry.postings.iter().position(|&f| f == field) {
            entry.postings.swap_remove(at);
        }
        if !entry.postings.is_empty() {
            return;
        }
        let text = entry.text.clone();
        let chars = entry.chars.clone();
        if let Ok(at) = self.position(&text) {
            self.sorted.remove(at);
        }
        if chars.len() >= MIN_TYPO_LEN
            && let Some(bucket) = self.by_second.get_mut(&chars[1])
            && let Some(at) = bucket.iter().position(|&w| w == id)
        {
            bucket.swap_remove(at);
        }
        if let Some(lookup) = &mut self.bulk {
            lookup.remove(&text);
        }
        self.words[id as usize] = None;
        self.free.push(id);
    }

    /// The words that start with `prefix`, in text order.
    pub fn with_prefix(&self, prefix: &str) -> &[WordId] {
        let start = self.sorted.partition_point(|&id| self.text(id) < prefix);
        let rest = &self.sorted[start..];
        let len = rest.partition_point(|&id| self.text(id).starts_with(prefix));
        &rest[..len]
    }

    /// Calls `f` with every word of at least [`MIN_TYPO_LEN`] chars that
    /// could match `token` as a prefix with one typo:
    /// with one edit, either the edit is not at the first letter (the word
    /// starts with the token's first letter), or it is — then the word
    /// starts with the token's second letter (first letter dropped or two
    /// swapped) or has the token's first or second letter second (one
    /// added or changed). Each word is visited once.
    fn typo_scan(&self, token: &[char], mut f: impl FnMut(WordId, &[char])) {
        let (Some(&t0), Some(&t1)) = (token.first(), token.get(1)) else {
            return;
        };
        let mut buf = [0u8; 4];
        let firsts: &[char] = if t0 == t1 { &[t0] } else { &[t0, t1] };
        for &first in firsts {
            for &id in self.with_prefix(first.encode_utf8(&mut buf)) {
                let chars = self.chars(id);
                if chars.len() >= MIN_TYPO_LEN {
                    f(id, chars);
                }
            }
        }
        for &second in firsts {
            for &id in self.by_second.get(&second).map_or(&[][..], Vec::as_slice) {
                let chars = self.chars(id);
                // Words starting with t0 or t1 were seen above.
                if !firsts.contains(&chars[0]) {
                    f(id, chars);
                }
            }
        }
    }

    /// Every word that `token` matches as a prefix with one typo but not
    /// without (both at least [`MIN_TYPO_LEN`] chars long).
    pub fn typo_prefixes(&self, token: &[char]) -> Vec<WordId> {
        let mut words = Vec::new();
        if token.len() >= MIN_TYPO_LEN {
            self.typo_scan(token, |id, chars| {
                if typo_prefix(token, chars).is_some() {
                    words.push(id);
                }
            });
        }
        words
    }

    /// Heap bytes held, approximately.
    pub fn heap_bytes(&self) -> usize {
        let entries: usize = self
            .words
            .iter()
            .flatten()
            .map(|e| {
                e.text.len()
                    + e.chars.len() * size_of::<char>()
                    + e.postings.capacity() * size_of::<FieldId>()
            })
            .sum();
        let buckets: usize = self
            .by_second
            .values()
            .map(|b| b.capacity() * size_of::<WordId>() + size_of::<(char, Vec<WordId>)>())
            .sum();
        entries
            + self.words.capacity() * size_of::<Option<Entry>>()
            + (self.free.capacity() + self.sorted.capacity()) * size_of::<WordId>()
            + buckets
    }
}
