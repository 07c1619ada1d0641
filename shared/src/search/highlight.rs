//! What to highlight in a hit's text: the parts the query matched, as byte
//! ranges into the text as typed.

use std::ops::Range;

use super::Token;
use super::text::{MIN_TYPO_LEN, name_words, typo_prefix};
use crate::email;
use crate::phone::{Phone, PhoneQuery};

/// Sorts ranges and merges those that touch or overlap.
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
pub(super) fn name(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
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
pub(super) fn digits(text: &str, count: usize) -> Option<Range<usize>> {
    let mut digits = text
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(at, _)| at)
        .take(count);
    let start = digits.next()?;
    let last = digits.last().unwrap_or(start);
    Some(start..last + 1)
}

/// The typed digits of a phone that the query matched.
pub(super) fn phone(text: &str, query: &PhoneQuery) -> Option<Range<usize>> {
    let phone = Phone::parse(text).ok()?;
    let found = query.match_key(phone.key())?;
    phone.typed_range(found.range)
}

/// The part of a typed e-mail that the query matched: the start of the
/// address or of its domain.
pub(super) fn email(text: &str, query: &str) -> Option<Range<usize>> {
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
