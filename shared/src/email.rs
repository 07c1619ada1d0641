//! E-mail addresses: a type that holds only a plausible address, keeps it as
//! typed for display, and gives a lower-case key for search and duplicates.
//!
//! The check is pragmatic, not RFC 5322: it refuses what people mistype
//! (no @, two @, spaces, no domain) and accepts Cyrillic domains
//! (`почта@пример.рф`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What is wrong with a typed address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the address is empty")]
    Empty,
    #[error("an address has no spaces")]
    Spaces,
    #[error("an address has exactly one @")]
    At,
    #[error("a mailbox name must come before the @")]
    NoLocalPart,
    #[error("the mailbox name has characters an address cannot have")]
    BadLocalPart,
    #[error("a domain such as mail.ru must follow the @")]
    BadDomain,
}

/// A plausible e-mail address, as typed (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The address as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address in lower case: equal keys are the same mailbox.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

fn local_part_ok(local: &str) -> bool {
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || SPECIAL.contains(c))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(label_ok)
        && tld.chars().count() >= 2
        && tld.chars().all(char::is_alphabetic)
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Email, EmailError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(EmailError::Spaces);
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::At);
        };
        if local.is_empty() {
            return Err(EmailError::NoLocalPart);
        }
        if !local_part_ok(local) {
            return Err(EmailError::BadLocalPart);
        }
        if !domain_ok(domain) {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(s.to_owned()))
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Email, EmailError> {
        s.parse()
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_addresses_are_accepted_as_typed() {
        for a in [
            "info@romashka.ru",
            "I.Petrova@Vektor-Snab.com",
            "sales+tender@mail.example.org",
            "почта@пример.рф",
            "o'brien@firm.co.uk",
        ] {
            assert_eq!(a.parse::<Email>().map(|e| e.to_string()), Ok(a.to_owned()));
        }
        assert_eq!(
            " Info@Romashka.RU ".parse::<Email>().map(|e| e.key()),
            Ok("info@romashka.ru".to_owned())
        );
    }

    #[test]
    fn mistyped_addresses_say_what_is_wrong() {
        assert_eq!("".parse::<Email>(), Err(EmailError::Empty));
        assert_eq!("info romashka.ru".parse::<Email>(), Err(EmailError::Spaces));
        assert_eq!("info.romashka.ru".parse::<Email>(), Err(EmailError::At));
        assert_eq!("info@@romashka.ru".parse::<Email>(), Err(EmailError::At));
        assert_eq!("@romashka.ru".parse::<Email>(), Err(EmailError::NoLocalPart));
        assert_eq!("info@romashka".parse::<Email>(), Err(EmailError::BadDomain));
        assert_eq!("info@romashka.r".parse::<Email>(), Err(EmailError::BadDomain));
        assert_eq!("info@-romashka.ru".parse::<Email>(), Err(EmailError::BadDomain));
        assert_eq!("in..fo@romashka.ru".parse::<Email>(), Err(EmailError::BadLocalPart));
        assert_eq!("info,@romashka.ru".parse::<Email>(), Err(EmailError::BadLocalPart));
    }
}
