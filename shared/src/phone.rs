//! Phone numbers: kept exactly as typed for display, with a normalised
//! digits key for search and duplicate control, and the extension split off.
//!
//! Russian numbers in every usual form — `+7 (495) 925-05-31`,
//! `8 495 925 05 31`, `74959250531`, `8-916-123-45-67`, `(495) 925-05-31` —
//! get one key, `74959250531`. A local number without an area code
//! (`925-05-31`) keeps its own digits as the key. Numbers of other countries
//! (`+49 30 1234567`, `+380 44 …`, `00 375 …`, `8 10 49 …`) keep their own
//! country code. [`PhoneQuery`] is the other half: what digits typed into a
//! search box match in a key.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Fewer digits than this are not a phone number (the shortest local
/// numbers of small Russian towns have 5).
pub const MIN_DIGITS: usize = 5;
/// More digits than this are not a phone number (the E.164 maximum).
pub const MAX_DIGITS: usize = 15;

/// Why text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was typed.
    #[error("phone is empty")]
    Empty,
    /// No digits before the extension, if any.
    #[error("phone has no digits")]
    NoDigits,
    /// Fewer than [`MIN_DIGITS`] digits.
    #[error("phone has {found} digits; a number has at least {min}")]
    TooFewDigits { found: usize, min: usize },
    /// More than [`MAX_DIGITS`] digits (without the extension).
    #[error("phone has {found} digits; a number has at most {max}")]
    TooManyDigits { found: usize, max: usize },
    /// A letter or sign that is neither part of a number nor an extension
    /// marker (`доб.`, `ext.`, `x`, `#`); `position` counts characters
    /// from 1.
    #[error("phone cannot contain {found:?} (position {position})")]
    UnexpectedCharacter { position: usize, found: char },
    /// An extension marker with no digits after it (`доб.`).
    #[error("phone extension has no digits")]
    ExtensionWithoutDigits,
}

/// A phone number as typed, with its normalised key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    /// Exactly what was typed, for display.
    typed: String,
    /// Digits only, normalised (see the module docs).
    key: String,
    /// The extension's digits (`119` of `доб. 119`).
    extension: Option<String>,
    /// Where the number part of `typed` ends (the extension starts).
    main_end: usize,
    /// The typed digit under key digit `i` is typed digit `i + shift`:
    /// -1 when a `7` was put in front of a 10-digit number, +2 or +3 when
    /// an international prefix `00` or `810` was dropped.
    shift: i8,
}

/// Characters that may separate the digits of a number.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '-' | '.' | '/' | '–' | '—' | '\u{2011}')
}

/// Extension markers, longest first so that `добавочный` is not read as
/// `доб` followed by letters.
const EXTENSION_MARKERS: &[&str] = &[
    "добавочный",
    "extension",
    "доб",
    "ext",
    "вн",
    "x",
    "х", // Cyrillic "ха", typed for x on a Russian keyboard
    "#",
];

impl Phone {
    /// Parses a phone number; see the module docs for the forms understood.
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        if text.trim().is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::new();
        let mut plus = false;
        let mut main_end = text.len();
        for (position, (at, c)) in text.char_indices().enumerate() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if c == '+' && !plus && digits.is_empty() {
                plus = true;
            } else if c == '+' {
                return Err(PhoneError::UnexpectedCharacter {
                    position: position + 1,
                    found: c,
                });
            } else if !is_separator(c) {
                main_end = at;
                break;
            }
        }
        let extension = if main_end < text.len() {
            Some(parse_extension(text, main_end)?)
        } else {
            None
        };
        if digits.is_empty() {
            return Err(PhoneError::NoDigits);
        }
        if digits.len() < MIN_DIGITS {
            return Err(PhoneError::TooFewDigits {
                found: digits.len(),
                min: MIN_DIGITS,
            });
        }
        let (key, shift) = normalise(&digits, plus);
        if key.len() > MAX_DIGITS {
            return Err(PhoneError::TooManyDigits {
                found: key.len(),
                max: MAX_DIGITS,
            });
        }
        Ok(Phone {
            typed: text.to_owned(),
            key,
            extension,
            main_end,
            shift,
        })
    }

    /// Exactly what was typed.
    pub fn as_typed(&self) -> &str {
        &self.typed
    }

    /// The normalised digits: `74959250531` for any form of a Russian
    /// number, the country code and number for others, the digits of a
    /// local number. The extension is not part of the key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The extension's digits, if one was typed.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// Whether this is a Russian number with its area or mobile code
    /// (a key of 11 digits starting with 7).
    pub fn is_russian(&self) -> bool {
        self.key.len() == 11 && self.key.starts_with('7')
    }

    /// Whether this is a local number with no area code (at most 7 digits,
    /// no country code): it cannot be told apart from the same digits in
    /// another town.
    pub fn is_local(&self) -> bool {
        self.key.len() <= 7 && self.shift == 0 && !self.typed.trim_start().starts_with('+')
    }

    /// The 10-digit national number of a Russian number (`4959250531`).
    pub fn national(&self) -> Option<&str> {
        self.is_russian().then(|| &self.key[1..])
    }

    /// The bytes of the typed text that show key digits `key_range`, from
    /// the first shown digit to the last (separators between them
    /// included), for highlighting. `None` when none of them was typed
    /// (the `7` put in front of a 10-digit number).
    pub fn typed_range(&self, key_range: Range<usize>) -> Option<Range<usize>> {
        let shift = isize::from(self.shift);
        let wanted = |typed_index: usize| {
            let key_index = typed_index as isize - shift;
            key_index >= 0 && key_range.contains(&key_index.unsigned_abs())
        };
        let mut found: Option<Range<usize>> = None;
        let digits = self.typed[..self.main_end]
            .char_indices()
            .filter(|(_, c)| c.is_ascii_digit());
        for (typed_index, (at, _)) in digits.enumerate() {
            if wanted(typed_index) {
                let end = at + 1;
                found = Some(found.map_or(at..end, |r| r.start..end));
            }
        }
        found
    }
}

/// The key of the number part's digits, and the shift from key to typed
/// digits.
fn normalise(digits: &str, plus: bool) -> (String, i8) {
    let national_with_trunk =
        digits.len() == 11 && (digits.starts_with('8') || digits.starts_with('7'));
    if plus {
        (digits.to_owned(), 0)
    } else if national_with_trunk {
        // 8 is the Russian trunk prefix; 7 is the country code typed
        // without the plus. Both mean the same number.
        (format!("7{}", &digits[1..]), 0)
    } else if digits.len() == 10 {
        // Ten digits are a Russian area or mobile code and a number.
        (format!("7{digits}"), -1)
    } else if digits.len() > 11 && digits.starts_with("810") {
        // 8 10 is the Russian international prefix: what follows is a
        // country code and number.
        (digits[3..].to_owned(), 3)
    } else if digits.len() > 9 && digits.starts_with("00") {
        (digits[2..].to_owned(), 2)
    } else {
        (digits.to_owned(), 0)
    }
}

/// The extension digits in `text[from..]`: an optional `,`, a marker, an
/// optional `.` or `:`, digits, optionally a closing bracket.
fn parse_extension(text: &str, from: usize) -> Result<String, PhoneError> {
    let position_of = |byte: usize| text[..byte].chars().count() + 1;
    let unexpected = |byte: usize| {
        let found = text[byte..].chars().next().unwrap_or(' ');
        PhoneError::UnexpectedCharacter {
            position: position_of(byte),
            found,
        }
    };
    let skip = |at: usize, pred: &dyn Fn(char) -> bool| {
        text[at..]
            .char_indices()
            .find(|&(_, c)| !pred(c))
            .map_or(text.len(), |(i, _)| at + i)
    };
    let start = skip(from, &|c| c == ',' || c.is_whitespace());
    let rest = &text[start..];
    let marker = EXTENSION_MARKERS.iter().find_map(|m| {
        let head = rest.get(..m.len())?;
        let after = rest[m.len()..].chars().next();
        // A marker is a whole word: "доброе" is not "доб" + "рое".
        let whole = !after.is_some_and(char::is_alphabetic);
        (head.to_lowercase() == *m && whole).then_some(m.len())
    });
    let Some(marker_len) = marker else {
        return Err(unexpected(start));
    };
    let digits_start = skip(start + marker_len, &|c| {
        c == '.' || c == ':' || c == '№' || c.is_whitespace()
    });
    let digits_end = skip(digits_start, &|c| c.is_ascii_digit());
    if digits_start == digits_end {
        return if digits_end == text.len() {
            Err(PhoneError::ExtensionWithoutDigits)
        } else {
            Err(unexpected(digits_end))
        };
    }
    let end = skip(digits_end, &|c| c == ')' || c.is_whitespace());
    if end < text.len() {
        return Err(unexpected(end));
    }
    Ok(text[digits_start..digits_end].to_owned())
}

impl FromStr for Phone {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

impl TryFrom<&str> for Phone {
    type Error = PhoneError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Phone::parse(s)
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.typed)
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.typed)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Phone::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The fewest digits a phone search looks for: fewer match half the base.
pub const MIN_QUERY_DIGITS: usize = 3;

/// Digits typed into a search box in a phone form (`8 495 925`,
/// `+7495925`, `925-05-31`), and what they match in a [`Phone::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneQuery {
    /// The digits as typed.
    digits: String,
    /// With a leading trunk `8` read as the country code `7` (`8 916` is
    /// the start of `7916…`); matches only at the start of a key.
    trunk: Option<String>,
}

/// How digits typed into search match a phone key, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyMatchKind {
    /// The whole number (the key, or the 10-digit national number).
    Whole,
    /// The start of the number, of the national number or of its last 7
    /// digits (the local number).
    Start,
    /// Somewhere inside.
    Inside,
}

/// Where typed digits were found in a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMatch {
    /// How well they match.
    pub kind: KeyMatchKind,
    /// The key digits matched.
    pub range: Range<usize>,
}

impl PhoneQuery {
    /// Reads search text as phone digits: only digits and phone separators
    /// (a leading `+` allowed), at least [`MIN_QUERY_DIGITS`] digits.
    pub fn parse(text: &str) -> Option<PhoneQuery> {
        let text = text.trim();
        let body = text.strip_prefix('+');
        let plus = body.is_some();
        let body = body.unwrap_or(text);
        if !body.chars().all(|c| c.is_ascii_digit() || is_separator(c)) {
            return None;
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < MIN_QUERY_DIGITS {
            return None;
        }
        let trunk = (!plus && digits.len() > 1 && digits.starts_with('8'))
            .then(|| format!("7{}", &digits[1..]));
        Some(PhoneQuery { digits, trunk })
    }

    /// The digits as typed.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// Digit strings of which a matching key contains at least one: what an
    /// index looks up.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.digits.as_str()).chain(self.trunk.as_deref())
    }

    /// How these digits match `key`, if they do.
    pub fn match_key(&self, key: &str) -> Option<KeyMatch> {
        let digits = self.digits.as_str();
        let len = digits.len();
        let russian = key.len() == 11 && key.starts_with('7');
        let at = |kind, start: usize| {
            Some(KeyMatch {
                kind,
                range: start..start + len,
            })
        };
        let raw = if key == digits {
            at(KeyMatchKind::Whole, 0)
        } else if russian && &key[1..] == digits {
            at(KeyMatchKind::Whole, 1)
        } else if key.starts_with(digits) {
            at(KeyMatchKind::Start, 0)
        } else if russian && key[1..].starts_with(digits) {
            at(KeyMatchKind::Start, 1)
        } else if russian && key[4..].starts_with(digits) {
            at(KeyMatchKind::Start, 4)
        } else {
            // Keys are at most 15 digits: a plain scan beats a general
            // substring search's set-up.
            key.as_bytes()
                .windows(len)
                .position(|w| w == digits.as_bytes())
                .and_then(|start| at(KeyMatchKind::Inside, start))
        };
        let trunk = self.trunk.as_deref().and_then(|trunk| {
            let range = 0..trunk.len();
            if key == trunk {
                Some(KeyMatch {
                    kind: KeyMatchKind::Whole,
                    range,
                })
            } else if key.starts_with(trunk) {
                Some(KeyMatch {
                    kind: KeyMatchKind::Start,
                    range,
                })
            } else {
                None
            }
        });
        match (raw, trunk) {
            (Some(a), Some(b)) => Some(if b.kind < a.kind { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn key(text: &str) -> String {
        Phone::parse(text).unwrap().key().to_owned()
    }

    #[test]
    fn russian_forms_share_one_key() {
        for text in [
            "+7 (495) 925-05-31",
            "8 495 925 05 31",
            "74959250531",
            "84959250531",
            "(495) 925-05-31",
            "495 925-05-31",
            "+74959250531",
            "8-495-925-05-31",
            "+7 495 925.05.31",
            "8\u{a0}(495)\u{a0}925\u{2011}05\u{2011}31",
        ] {
            assert_eq!(key(text), "74959250531", "{text}");
        }
        assert_eq!(key("8-916-123-45-67"), "79161234567");
        assert_eq!(key("+7 916 123-45-67"), "79161234567");
    }

    #[test]
    fn typed_text_is_kept_exactly() {
        let phone = Phone::parse(" +7 (495) 925-05-31 доб. 119").unwrap();
        assert_eq!(phone.as_typed(), " +7 (495) 925-05-31 доб. 119");
        assert_eq!(phone.to_string(), " +7 (495) 925-05-31 доб. 119");
    }

    #[test]
    fn local_numbers_keep_their_digits() {
        let phone = Phone::parse("925-05-31").unwrap();
        assert_eq!(phone.key(), "9250531");
        assert!(phone.is_local());
        assert!(!phone.is_russian());
        assert!(!Phone::parse("8 495 925 05 31").unwrap().is_local());
    }

    #[test]
    fn extensions_are_split_off() {
        for text in [
            "+7 (495) 925-05-31 доб. 119",
            "+7 (495) 925-05-31 доб 119",
            "+7 (495) 925-05-31 Доб.119",
            "+7 (495) 925-05-31, доб. 119",
            "+7 (495) 925-05-31 (доб. 119)",
            "+7 (495) 925-05-31 добавочный 119",
            "+7 (495) 925-05-31 ext. 119",
            "+7 (495) 925-05-31 ext 119",
            "+7 (495) 925-05-31 EXT: 119",
            "+7 (495) 925-05-31 x119",
            "+7 (495) 925-05-31 #119",
            "+7 (495) 925-05-31 вн. 119",
        ] {
            let phone = Phone::parse(text).unwrap();
            assert_eq!(phone.key(), "74959250531", "{text}");
            assert_eq!(phone.extension(), Some("119"), "{text}");
        }
        assert_eq!(Phone::parse("84959250531").unwrap().extension(), None);
    }

    #[test]
    fn other_countries_keep_their_code() {
        assert_eq!(key("+49 30 1234567"), "49301234567");
        assert_eq!(key("+380 44 123 45 67"), "380441234567");
        assert_eq!(key("+375 (17) 123-45-67"), "375171234567");
        assert_eq!(key("00 49 30 1234567"), "49301234567");
        assert_eq!(key("8 10 49 30 1234567"), "49301234567");
        let phone = Phone::parse("+49 30 1234567").unwrap();
        assert!(!phone.is_russian());
        assert!(!phone.is_local());
        assert_eq!(phone.national(), None);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(Phone::parse("  "), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("---"), Err(PhoneError::NoDigits));
        assert_eq!(Phone::parse("доб. 119"), Err(PhoneError::NoDigits));
        assert_eq!(
            Phone::parse("12-34"),
            Err(PhoneError::TooFewDigits {
                found: 4,
                min: MIN_DIGITS
            })
        );
        assert_eq!(
            Phone::parse("+7 495 925 05 31 925 05 31"),
            Err(PhoneError::TooManyDigits {
                found: 18,
                max: MAX_DIGITS
            })
        );
        assert_eq!(
            Phone::parse("8 495 925 05 31 Иван"),
            Err(PhoneError::UnexpectedCharacter {
                position: 17,
                found: 'И'
            })
        );
        assert_eq!(
            Phone::parse("8 495 925 05 31 доброе"),
            Err(PhoneError::UnexpectedCharacter {
                position: 17,
                found: 'д'
            })
        );
        assert_eq!(
            Phone::parse("8 495 925 05 31 доб."),
            Err(PhoneError::ExtensionWithoutDigits)
        );
        assert_eq!(
            Phone::parse("8 495 925 05 31 доб. 1a"),
            Err(PhoneError::UnexpectedCharacter {
                position: 23,
                found: 'a'
            })
        );
        assert_eq!(
            Phone::parse("8 495+925 05 31"),
            Err(PhoneError::UnexpectedCharacter {
                position: 6,
                found: '+'
            })
        );
        assert_eq!(
            Phone::parse("8 495 925 O5 31"),
            Err(PhoneError::UnexpectedCharacter {
                position: 11,
                found: 'O'
            })
        );
    }

    #[test]
    fn typed_range_maps_key_digits_back() {
        let phone = Phone::parse("+7 (495) 925-05-31 доб. 119").unwrap();
        let text = phone.as_typed();
        assert_eq!(&text[phone.typed_range(1..4).unwrap()], "495");
        assert_eq!(&text[phone.typed_range(4..9).unwrap()], "925-05");
        let phone = Phone::parse("(495) 925-05-31").unwrap();
        assert_eq!(phone.typed_range(0..1), None);
        assert_eq!(&phone.as_typed()[phone.typed_range(0..4).unwrap()], "495");
        let phone = Phone::parse("8 10 49 30 1234567").unwrap();
        assert_eq!(&phone.as_typed()[phone.typed_range(0..2).unwrap()], "49");
    }

    #[test]
    fn queries_in_any_form_match() {
        let phone = Phone::parse("+7 (495) 925-05-31").unwrap();
        let kind = |q: &str| {
            PhoneQuery::parse(q)
                .and_then(|q| q.match_key(phone.key()))
                .map(|m| m.kind)
        };
        assert_eq!(kind("8 495 925 05 31"), Some(KeyMatchKind::Whole));
        assert_eq!(kind("(495) 925-05-31"), Some(KeyMatchKind::Whole));
        assert_eq!(kind("8 495 925"), Some(KeyMatchKind::Start));
        assert_eq!(kind("+7495925"), Some(KeyMatchKind::Start));
        assert_eq!(kind("495-92"), Some(KeyMatchKind::Start));
        assert_eq!(kind("9250531"), Some(KeyMatchKind::Start));
        assert_eq!(kind("925-05"), Some(KeyMatchKind::Start));
        assert_eq!(kind("0531"), Some(KeyMatchKind::Inside));
        assert_eq!(kind("8 916"), None);
        assert_eq!(kind("49"), None);
        assert_eq!(PhoneQuery::parse("вектор 495"), None);
        let trunk = PhoneQuery::parse("8 495 925")
            .unwrap()
            .match_key(phone.key())
            .unwrap();
        assert_eq!(trunk.range, 0..7);
    }

    /// A 10-digit Russian national number written in one of the usual ways.
    fn write(national: &str, form: usize) -> String {
        let (code, a, b, c) = (
            &national[..3],
            &national[3..6],
            &national[6..8],
            &national[8..],
        );
        match form {
            0 => format!("+7 ({code}) {a}-{b}-{c}"),
            1 => format!("8 {code} {a} {b} {c}"),
            2 => format!("7{national}"),
            3 => format!("8-{code}-{a}-{b}-{c}"),
            4 => format!("({code}) {a}-{b}-{c}"),
            5 => format!("+7{national}"),
            6 => format!("8 ({code}) {a}{b}{c}"),
            7 => national.to_owned(),
            _ => format!("+7 {code} {a} {b} {c}"),
        }
    }

    proptest! {
        #[test]
        fn every_form_of_a_number_has_one_key(
            national in "[3-9][0-9]{9}", form in 0usize..9, ext in proptest::option::of("[0-9]{1,4}"),
            marker in 0usize..4,
        ) {
            let mut text = write(&national, form);
            if let Some(ext) = &ext {
                text.push_str([" доб. ", " ext. ", " x", " #"][marker]);
                text.push_str(ext);
            }
            let phone = Phone::parse(&text).unwrap();
            prop_assert_eq!(phone.key(), format!("7{national}"));
            prop_assert_eq!(phone.national(), Some(national.as_str()));
            prop_assert_eq!(phone.extension(), ext.as_deref());
        }

        #[test]
        fn any_typed_digit_run_finds_the_number(
            national in "[3-9][0-9]{9}", form in 0usize..9, start in 0usize..11, len in 3usize..12,
        ) {
            let phone = Phone::parse(&write(&national, form)).unwrap();
            let key = phone.key();
            let start = start.min(key.len() - 3);
            let end = (start + len).min(key.len());
            let typed = &key[start..end];
            let query = PhoneQuery::parse(typed).unwrap();
            let found = query.match_key(key).unwrap();
            // The typed digits, or their trunk reading when that ranks
            // better (`847` inside `74700000847`, or `8 47…` at its start).
            let matched = &key[found.range.clone()];
            let trunk = typed.strip_prefix('8').map(|rest| format!("7{rest}"));
            prop_assert!(
                matched == typed || trunk.as_deref() == Some(matched),
                "typed {} matched {}", typed, matched
            );
            // The same start typed with the trunk 8 finds it too.
            let with_trunk = format!("8 {}", &key[1..end.max(3)]);
            prop_assert!(PhoneQuery::parse(&with_trunk).unwrap().match_key(key).is_some());
            // Every matched key digit shows in the typed text.
            prop_assert!(phone.typed_range(found.range.clone()).is_some());
        }
    }
}
