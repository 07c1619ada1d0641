//! E-mail addresses: a newtype that holds only a pragmatically valid
//! address, keeps the form as typed for display and gives the lower-case
//! key that search and duplicate control compare.
//!
//! The check is deliberately not RFC 5322: it accepts what real people have
//! (Cyrillic domains such as `почта.рф`, `+tags`) and refuses what is
//! surely a mistake (no `@`, spaces, a domain without a dot, a list pasted
//! into one field).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest address accepted (the SMTP limit for a path).
pub const MAX_LEN: usize = 254;

/// Why text is not an e-mail address. Each variant is one thing the person
/// can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was typed.
    #[error("e-mail is empty")]
    Empty,
    /// Longer than [`MAX_LEN`] characters.
    #[error("e-mail is longer than {max} characters")]
    TooLong { max: usize },
    /// There is no `@`.
    #[error("e-mail has no @")]
    MissingAt,
    /// More than one `@`: usually two addresses in one field.
    #[error("e-mail has more than one @")]
    MoreThanOneAt,
    /// Nothing before the `@`.
    #[error("e-mail has nothing before the @")]
    EmptyLocalPart,
    /// Nothing after the `@`.
    #[error("e-mail has no domain after the @")]
    NoDomain,
    /// A space (or another blank) inside the address.
    #[error("e-mail has a space in it")]
    ContainsSpace,
    /// A character that cannot be in an address (`,`, `;`, `<`, `>`,
    /// brackets, quotes, control characters).
    #[error("e-mail cannot contain {found:?}")]
    ForbiddenCharacter { found: char },
    /// The domain has no dot (`user@mail`).
    #[error("e-mail domain has no dot")]
    DomainWithoutDot,
    /// Two dots in a row, or a dot at the start or end of the domain.
    #[error("e-mail domain has an empty part between dots")]
    EmptyDomainLabel,
    /// A domain character that is not a letter, a digit or a hyphen.
    #[error("e-mail domain cannot contain {found:?}")]
    BadDomainCharacter { found: char },
    /// A part of the domain starts or ends with a hyphen.
    #[error("a part of the e-mail domain starts or ends with a hyphen")]
    HyphenAtLabelEdge,
    /// The last part of the domain has fewer than 2 characters or no letter.
    #[error("e-mail domain ends with a too short or all-digit zone")]
    BadTopLevelDomain,
}

/// A pragmatically valid e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email {
    /// As typed, without surrounding blanks.
    typed: String,
    /// Lower case, for comparison.
    key: String,
    /// Byte offset of the `@` in `typed`.
    at: usize,
}

/// The key search and duplicate control compare e-mails by: trimmed, lower
/// case. Works for any text, valid or not.
pub fn search_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Characters never allowed in the local part: list separators, brackets
/// and quotes, which mean a paste of something that is not one address.
const FORBIDDEN: &[char] = &[',', ';', '<', '>', '(', ')', '[', ']', '\\', '"', ':'];

impl Email {
    /// Parses an address; surrounding blanks are dropped.
    pub fn parse(text: &str) -> Result<Email, EmailError> {
        let typed = text.trim();
        if typed.is_empty() {
            return Err(EmailError::Empty);
        }
        if typed.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong { max: MAX_LEN });
        }
        if typed.chars().any(char::is_whitespace) {
            return Err(EmailError::ContainsSpace);
        }
        let mut parts = typed.split('@');
        let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
            (Some(local), Some(domain), None) => (local, domain),
            (_, None, _) => return Err(EmailError::MissingAt),
            _ => return Err(EmailError::MoreThanOneAt),
        };
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        if let Some(found) = local
            .chars()
            .find(|c| c.is_control() || FORBIDDEN.contains(c))
        {
            return Err(EmailError::ForbiddenCharacter { found });
        }
        check_domain(domain)?;
        Ok(Email {
            typed: typed.to_owned(),
            key: search_key(typed),
            at: local.len(),
        })
    }

    /// The address as typed (trimmed), for display.
    pub fn as_str(&self) -> &str {
        &self.typed
    }

    /// The lower-case form that search and duplicate control compare.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The part before the `@`, as typed.
    pub fn local_part(&self) -> &str {
        &self.typed[..self.at]
    }

    /// The part after the `@`, as typed.
    pub fn domain(&self) -> &str {
        &self.typed[self.at + 1..]
    }
}

fn check_domain(domain: &str) -> Result<(), EmailError> {
    if domain.is_empty() {
        return Err(EmailError::NoDomain);
    }
    if !domain.contains('.') {
        return Err(EmailError::DomainWithoutDot);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err(EmailError::EmptyDomainLabel);
        }
        // Letters of any script: internationalised domains (`почта.рф`)
        // are typed in their own letters.
        if let Some(found) = label.chars().find(|c| !(c.is_alphanumeric() || *c == '-')) {
            return Err(EmailError::BadDomainCharacter { found });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(EmailError::HyphenAtLabelEdge);
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.chars().count() < 2 || !tld.chars().any(char::is_alphabetic) {
        return Err(EmailError::BadTopLevelDomain);
    }
    Ok(())
}

impl FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl TryFrom<&str> for Email {
    type Error = EmailError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Email::parse(s)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.typed)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.typed
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.typed)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Email::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ordinary_addresses() {
        for address in [
            "info@vektor.ru",
            "Ivan.Petrov+crm@Mail.Example.com",
            "zakaz@альфа-строй.рф",
            "иван@почта.рф",
            "o'brien@example.co.uk",
            "sales@xn--80ak6aa92e.com",
        ] {
            let email = Email::parse(address).unwrap();
            assert_eq!(email.as_str(), address);
        }
    }

    #[test]
    fn keeps_typed_form_and_gives_lower_case_key() {
        let email = Email::parse("  Ivan.Petrov@Vektor.RU ").unwrap();
        assert_eq!(email.as_str(), "Ivan.Petrov@Vektor.RU");
        assert_eq!(email.key(), "ivan.petrov@vektor.ru");
        assert_eq!(email.local_part(), "Ivan.Petrov");
        assert_eq!(email.domain(), "Vektor.RU");
        assert_eq!(
            Email::parse("ИВАН@ПОЧТА.РФ").unwrap().key(),
            "иван@почта.рф"
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let cases = [
            ("", EmailError::Empty),
            ("info.vektor.ru", EmailError::MissingAt),
            ("a@b.ru@c.ru", EmailError::MoreThanOneAt),
            ("@vektor.ru", EmailError::EmptyLocalPart),
            ("info@", EmailError::NoDomain),
            ("ivan petrov@vektor.ru", EmailError::ContainsSpace),
            ("a@b.ru,c@d.ru", EmailError::MoreThanOneAt),
            ("a,b@d.ru", EmailError::ForbiddenCharacter { found: ',' }),
            ("info@localhost", EmailError::DomainWithoutDot),
            ("info@vektor..ru", EmailError::EmptyDomainLabel),
            ("info@.vektor.ru", EmailError::EmptyDomainLabel),
            ("info@vektor.ru.", EmailError::EmptyDomainLabel),
            (
                "info@vek_tor.ru",
                EmailError::BadDomainCharacter { found: '_' },
            ),
            ("info@-vektor.ru", EmailError::HyphenAtLabelEdge),
            ("info@vektor.r", EmailError::BadTopLevelDomain),
            ("info@10.0.0.1", EmailError::BadTopLevelDomain),
        ];
        for (text, error) in cases {
            assert_eq!(Email::parse(text), Err(error), "{text:?}");
        }
        let long = format!("{}@vektor.ru", "a".repeat(250));
        assert_eq!(
            Email::parse(&long),
            Err(EmailError::TooLong { max: MAX_LEN })
        );
    }

    #[test]
    fn serde_as_string() {
        let email = Email::parse("Info@Vektor.ru").unwrap();
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, "\"Info@Vektor.ru\"");
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
