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
    /// Words of at least [`MIN_TYPO_LEN`] chars by their first and third
    /// chars, and by their second and third (see [`Dictionary::typo_scan`]).
    by_first_third: HashMap<(char, char), Vec<WordId>>,
    by_second_third: HashMap<(char, char), Vec<WordId>>,
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
        if let &[c0, c1, c2, ..] = self.chars(id)
            && self.chars(id).len() >= MIN_TYPO_LEN
        {
            self.by_first_third.entry((c0, c2)).or_default().push(id);
            self.by_second_third.entry((c1, c2)).or_default().push(id);
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
        if let &[c0, c1, c2, ..] = &chars[..]
            && chars.len() >= MIN_TYPO_LEN
        {
            for bucket in [
                self.by_first_third.get_mut(&(c0, c2)),
                self.by_second_third.get_mut(&(c1, c2)),
            ]
            .into_iter()
            .flatten()
            {
                if let Some(at) = bucket.iter().position(|&w| w == id) {
                    bucket.swap_remove(at);
                }
            }
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
    /// could match `token` (`t`) as a prefix with one typo, each once. Where
    /// the one edit falls decides letters the word (`w`) must have:
    ///
    /// | edit                         | the word has       |
    /// |------------------------------|--------------------|
    /// | after the second letter      | `w0 w1 = t0 t1`    |
    /// | `t1` dropped, or `t1 t2` swapped | `w0 w1 = t0 t2` |
    /// | `t0` dropped                 | `w0 w1 = t1 t2`    |
    /// | `t0 t1` swapped              | `w0 w1 = t1 t0`    |
    /// | `t1` changed                 | `w0 _ w2 = t0 _ t2`|
    /// | a letter added after `t0`    | `w0 _ w2 = t0 _ t1`|
    /// | `t0` changed                 | `_ w1 w2 = _ t1 t2`|
    /// | a letter added before `t0`   | `_ w1 w2 = _ t0 t1`|
    ///
    /// so four two-letter prefix ranges and four buckets hold them all.
    fn typo_scan(&self, token: &[char], mut f: impl FnMut(WordId, &[char])) {
        let &[t0, t1, t2, ..] = token else {
            return;
        };
        let mut ids: Vec<WordId> = Vec::new();
        for (a, b) in [(t0, t1), (t0, t2), (t1, t2), (t1, t0)] {
            let prefix: String = [a, b].iter().collect();
            ids.extend_from_slice(self.with_prefix(&prefix));
        }
        let none: &[WordId] = &[];
        for key in [(t0, t2), (t0, t1)] {
            ids.extend_from_slice(self.by_first_third.get(&key).map_or(none, Vec::as_slice));
        }
        for key in [(t1, t2), (t0, t1)] {
            ids.extend_from_slice(self.by_second_third.get(&key).map_or(none, Vec::as_slice));
        }
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let chars = self.chars(id);
            if chars.len() >= MIN_TYPO_LEN {
                f(id, chars);
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
            .by_first_third
            .values()
            .chain(self.by_second_third.values())
            .map(|b| b.capacity() * size_of::<WordId>() + size_of::<((char, char), Vec<WordId>)>())
            .sum();
        entries
            + self.words.capacity() * size_of::<Option<Entry>>()
            + (self.free.capacity() + self.sorted.capacity()) * size_of::<WordId>()
            + buckets
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The buckets miss no word that one typo away from the token
        /// matches, and add none that does not.
        #[test]
        fn typo_buckets_find_exactly_the_typo_matches(
            words in proptest::collection::vec("[абвг]{1,8}", 1..60),
            token in "[абвг]{5,7}",
        ) {
            let mut dictionary = Dictionary::default();
            for (field, word) in words.iter().enumerate() {
                dictionary.add(word, field as FieldId);
            }
            let token: Vec<char> = token.chars().collect();
            let mut got: Vec<&str> =
                dictionary.typo_prefixes(&token).into_iter().map(|id| dictionary.text(id)).collect();
            got.sort_unstable();
            let mut want: Vec<&str> = words
                .iter()
                .map(String::as_str)
                .filter(|w| {
                    let chars: Vec<char> = w.chars().collect();
                    chars.len() >= MIN_TYPO_LEN && typo_prefix(&token, &chars).is_some()
                })
                .collect();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(got, want);
        }
    }
}
