//! Validation of what people type into a card or a contact person, before
//! anything is written: a card is saved whole and valid, or not at all.
//!
//! Each problem names the field it belongs to, so the form shows it next to
//! that field; the message itself comes from the app's catalogue.

use super::{Card, Contact};
use crate::email::{Email, EmailError};
use crate::inn::{Inn, InnError, Kpp, KppError, Ogrn, OgrnError, Ogrnip};
use crate::phone::{Phone, PhoneError};

/// The longest name a card accepts; longer text is a paste gone wrong.
pub const MAX_NAME: usize = 300;

/// Which field a problem belongs to. Phones and e-mails are named by the
/// id of their entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardField {
    Name,
    Inn,
    Kpp,
    Ogrn,
    Phone(String),
    Email(String),
}

/// Which field of a contact person a problem belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactField {
    FullName,
    Phone(String),
    Email(String),
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field must be filled.
    Required,
    /// The text is longer than `max` characters.
    TooLong {
        max: usize,
    },
    Inn(InnError),
    /// A sole trader (ИП) has a 12-digit INN, an organisation a 10-digit one.
    InnDoesNotFitLegalForm {
        sole_trader: bool,
    },
    Kpp(KppError),
    /// Sole traders have no KPP.
    KppForSoleTrader,
    Ogrn(OgrnError),
    Email(EmailError),
    Phone(PhoneError),
}

/// A problem and the field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError<F> {
    pub field: F,
    pub problem: Problem,
}

/// Whether the legal form is a sole trader's.
pub fn is_sole_trader(legal_form: &str) -> bool {
    matches!(legal_form.trim(), "ИП" | "ИНДИВИДУАЛЬНЫЙ ПРЕДПРИНИМАТЕЛЬ")
}

/// Every problem of a card; empty when it may be saved.
pub fn validate_card(card: &Card) -> Vec<FieldError<CardField>> {
    let mut errors = Vec::new();
    let mut push = |field, problem| errors.push(FieldError { field, problem });
    let name = card.name.trim();
    if name.is_empty() {
        push(CardField::Name, Problem::Required);
    } else if name.chars().count() > MAX_NAME {
        push(CardField::Name, Problem::TooLong { max: MAX_NAME });
    }
    let sole_trader = is_sole_trader(&card.legal_form);
    if !card.inn.trim().is_empty() {
        match card.inn.parse::<Inn>() {
            Err(e) => push(CardField::Inn, Problem::Inn(e)),
            Ok(inn) => {
                let individual = inn.as_str().len() == 12;
                if !card.legal_form.trim().is_empty() && individual != sole_trader {
                    push(
                        CardField::Inn,
                        Problem::InnDoesNotFitLegalForm { sole_trader },
                    );
                }
            }
        }
    }
    if !card.kpp.trim().is_empty() {
        if sole_trader {
            push(CardField::Kpp, Problem::KppForSoleTrader);
        } else if let Err(e) = card.kpp.parse::<Kpp>() {
            push(CardField::Kpp, Problem::Kpp(e));
        }
    }
    let ogrn = card.ogrn.trim();
    if !ogrn.is_empty() {
        // 13 digits is an organisation's OGRN, 15 a sole trader's OGRNIP.
        let digits = ogrn.chars().filter(char::is_ascii_digit).count();
        let result = if digits == 15 {
            ogrn.parse::<Ogrnip>().map(|_| ())
        } else {
            ogrn.parse::<Ogrn>().map(|_| ())
        };
        if let Err(e) = result {
            push(CardField::Ogrn, Problem::Ogrn(e));
        }
    }
    for phone in card.phones.values() {
        if let Err(e) = phone.number.parse::<Phone>() {
            push(CardField::Phone(phone.id.clone()), Problem::Phone(e));
        }
    }
    for email in card.emails.values() {
        if let Err(e) = email.address.parse::<Email>() {
            push(CardField::Email(email.id.clone()), Problem::Email(e));
        }
    }
    errors
}

/// Every problem of a contact person; empty when it may be saved.
pub fn validate_contact(contact: &Contact) -> Vec<FieldError<ContactField>> {
    let mut errors = Vec::new();
    let name = contact.full_name.trim();
    if name.is_empty() {
        errors.push(FieldError {
            field: ContactField::FullName,
            problem: Problem::Required,
        });
    } else if name.chars().count() > MAX_NAME {
        errors.push(FieldError {
            field: ContactField::FullName,
            problem: Problem::TooLong { max: MAX_NAME },
        });
    }
    for phone in contact.phones.values() {
        if let Err(e) = phone.number.parse::<Phone>() {
            errors.push(FieldError {
                field: ContactField::Phone(phone.id.clone()),
                problem: Problem::Phone(e),
            });
        }
    }
    for email in contact.emails.values() {
        if let Err(e) = email.address.parse::<Email>() {
            errors.push(FieldError {
                field: ContactField::Email(email.id.clone()),
                problem: Problem::Email(e),
            });
        }
    }
    errors
}
