//! Phone numbers: kept exactly as typed for display, with a normalised key
//! for search and duplicate control.
//!
//! Russian numbers in any usual form — `+7 (495) 925-05-31`,
//! `8 495 925 05 31`, `74959250531`, `8-916-123-45-67`, `(495) 925-05-31` —
//! get the same key `74959250531`; a bare local number (`925-05-31`) keys as
//! its own digits, which are the tail of the full key, so searching by the
//! last 7 or 10 digits finds the client. An extension (`доб. 119`,
//! `ext. 119`, `x119`, `#119`) is split off and kept. Numbers of other
//! countries, typed with `+`, keep their own country code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What is wrong with a typed number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the number has no digits")]
    NoDigits,
    #[error("the number is too short")]
    TooShort,
    #[error("the number is too long")]
    TooLong,
    #[error("the number has letters; write an extension as \"доб. 123\"")]
    Letters,
}

/// The shortest local number (some towns have 5-digit numbers).
const MIN_DIGITS: usize = 5;
/// E.164 allows 15 digits.
const MAX_DIGITS: usize = 15;

/// A phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone {
    typed: String,
    key: String,
    extension: Option<String>,
}

impl Phone {
    /// The number as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.typed
    }

    /// The normalised digits: `7XXXXXXXXXX` for Russian numbers, the country
    /// code and number for others, the digits of a bare local number.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The extension, if one was typed.
    pub fn extension(&self) -> Option<&str> {
        self.extension.as_deref()
    }

    /// Whether this is a full Russian number (`7` and ten digits).
    pub fn is_russian(&self) -> bool {
        self.key.len() == 11 && self.key.starts_with('7')
    }
}

/// The digits a person types to find a number, normalised like a key where
/// they form a whole Russian number (`8 916…` → `7916…`), else as typed.
pub fn search_digits(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with('8') && !typed.trim_start().starts_with('+') {
        format!("7{}", &digits[1..])
    } else {
        digits
    }
}

/// Splits a trailing extension off: `(number, extension)`.
fn split_extension(s: &str) -> (&str, Option<String>) {
    let lower = s.to_lowercase();
    for marker in ["доб.", "доб", "ext.", "ext", "вн.", "x", "#"] {
        if let Some(pos) = lower.rfind(marker) {
            // `pos` indexes the lower-cased text; these markers lower-case
            // to the same byte length, so the index holds in `s` too.
            let rest = lower[pos + marker.len()..].trim_start_matches([' ', '.', ':']).trim();
            if !rest.is_empty() && rest.len() <= 6 && rest.chars().all(|c| c.is_ascii_digit()) {
                return (s[..pos].trim_end().trim_end_matches([',', ';']), Some(rest.to_owned()));
            }
        }
    }
    (s, None)
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Phone, PhoneError> {
        let typed = s.trim();
        let (number, extension) = split_extension(typed);
        if number
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-().\u{a0}/–".contains(c)))
        {
            return Err(PhoneError::Letters);
        }
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let plus = number.trim_start().starts_with('+');
        if digits.is_empty() {
            return Err(PhoneError::NoDigits);
        }
        if digits.len() < MIN_DIGITS {
            return Err(PhoneError::TooShort);
        }
        if digits.len() > MAX_DIGITS {
            return Err(PhoneError::TooLong);
        }
        let key = match (plus, digits.len()) {
            // A Russian number dialled with the trunk prefix 8.
            (false, 11) if digits.starts_with('8') => format!("7{}", &digits[1..]),
            // Ten digits with no country code: a Russian number.
            (false, 10) => format!("7{digits}"),
            _ => digits,
        };
        Ok(Phone {
            typed: typed.to_owned(),
            key,
            extension,
        })
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.typed)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Phone, PhoneError> {
        s.parse()
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.typed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(s: &str) -> String {
        s.parse::<Phone>().map(|p| p.key().to_owned()).unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn every_usual_form_of_a_moscow_number_has_one_key() {
        for form in [
            "+7 (495) 925-05-31",
            "8 495 925 05 31",
            "74959250531",
            "84959250531",
            "(495) 925-05-31",
            "495 925-05-31",
            "+7 495 925 05 31",
            "8-495-925-05-31",
        ] {
            assert_eq!(key(form), "74959250531", "{form}");
        }
        assert_eq!(key("8-916-123-45-67"), "79161234567");
        // The local part keys as its digits: the tail of the full key.
        assert!(key("74959250531").ends_with(&key("925-05-31")));
    }

    #[test]
    fn extensions_are_kept_apart() {
        for (typed, ext) in [
            ("+7 (495) 925-05-31 доб. 119", "119"),
            ("8 495 925 05 31, доб 119", "119"),
            ("+7 495 925-05-31 ext. 119", "119"),
            ("+7 495 925-05-31 x119", "119"),
            ("+7 495 925-05-31 #119", "119"),
        ] {
            let p: Phone = typed.parse().expect(typed);
            assert_eq!(p.key(), "74959250531", "{typed}");
            assert_eq!(p.extension(), Some(ext), "{typed}");
            assert_eq!(p.as_str(), typed, "shown as typed");
        }
    }

    #[test]
    fn other_countries_keep_their_codes() {
        assert_eq!(key("+49 30 1234567"), "49301234567");
        assert_eq!(key("+380 44 123 4567"), "380441234567");
        assert_eq!(key("+375 17 123-45-67"), "375171234567");
        assert_eq!(key("+1 (212) 555-0100"), "12125550100");
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        assert_eq!("".parse::<Phone>(), Err(PhoneError::NoDigits));
        assert_eq!("нет".parse::<Phone>(), Err(PhoneError::Letters));
        assert_eq!("12-34".parse::<Phone>(), Err(PhoneError::TooShort));
        assert_eq!("1234567890123456".parse::<Phone>(), Err(PhoneError::TooLong));
        assert_eq!("8 495 925 05 31 спросить Ивана".parse::<Phone>(), Err(PhoneError::Letters));
    }

    #[test]
    fn typed_search_digits_match_keys() {
        assert_eq!(search_digits("8 916 123"), "8916123");
        assert_eq!(search_digits("8 (916) 123-45-67"), "79161234567");
        assert!(key("+7 916 123-45-67").contains(&search_digits("916 123")));
    }

    proptest! {
        /// Any Russian number typed in any of the usual forms gets the same key.
        #[test]
        fn every_form_of_one_number_gives_the_same_key(code in "[3489][0-9]{2}", n in "[0-9]{7}", ext in proptest::option::of("[1-9][0-9]{0,3}")) {
            let (a, b, c) = (&n[..3], &n[3..5], &n[5..]);
            let ext = ext.map(|e| format!(" доб. {e}")).unwrap_or_default();
            let forms = [
                format!("+7 ({code}) {a}-{b}-{c}{ext}"),
                format!("8 {code} {a} {b} {c}{ext}"),
                format!("7{code}{n}{ext}"),
                format!("8-{code}-{a}-{b}-{c}{ext}"),
                format!("({code}) {a}-{b}-{c}{ext}"),
                format!("+7{code}{n}{ext}"),
            ];
            let want = format!("7{code}{n}");
            for f in &forms {
                prop_assert_eq!(key(f), want.clone(), "{}", f);
            }
            // The last 7 and last 10 digits are in the key.
            prop_assert!(want.ends_with(&n));
            let last_ten = format!("{}{}", code, n);
            prop_assert!(want.ends_with(&last_ten));
        }
    }
}
