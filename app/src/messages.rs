//! Messages for the domain's validation problems: `kartoteka` says what is
//! wrong as data, this module says it in the user's language.

use kartoteka::client::{EntryError, EntryKind, MoneyError, Problem};
use kartoteka::duplicates::Reason;
use kartoteka::email::EmailError;
use kartoteka::import::clients::ValueProblem;
use kartoteka::inn::{InnError, OgrnError};
use kartoteka::phone::PhoneError;

use crate::i18n::{Catalogue, cat};

/// The message for a problem with a field.
pub fn problem_text(problem: &Problem) -> String {
    let c = cat();
    match problem {
        Problem::Required => c.err_required.to_owned(),
        Problem::TooLong { max } => (c.err_too_long)(*max),
        Problem::Inn(e) => inn(e),
        Problem::InnDoesNotFitLegalForm { sole_trader: true } => c.err_inn_sole_trader.to_owned(),
        Problem::InnDoesNotFitLegalForm { sole_trader: false } => c.err_inn_organisation.to_owned(),
        // Every KPP problem has one remedy: the 4 + 2 + 3 format.
        Problem::Kpp(_) => c.err_kpp_format.to_owned(),
        Problem::KppForSoleTrader => c.err_kpp_sole_trader.to_owned(),
        Problem::Ogrn(e) => ogrn(e),
        Problem::Email(e) => email(e),
        Problem::Phone(e) => phone(e),
    }
}

fn inn(e: &InnError) -> String {
    let c = cat();
    match e {
        InnError::Empty => c.err_required.to_owned(),
        InnError::NotDigit { found, .. } => (c.err_inn_digits)(*found),
        InnError::WrongLength { .. } | InnError::WrongBaseLength { .. } => {
            c.err_inn_length.to_owned()
        }
        InnError::CheckDigit { .. } => c.err_inn_check.to_owned(),
    }
}

fn ogrn(e: &OgrnError) -> String {
    let c = cat();
    match e {
        OgrnError::Empty => c.err_required.to_owned(),
        OgrnError::NotDigit { found, .. } => (c.err_ogrn_digits)(*found),
        OgrnError::WrongLength { .. } | OgrnError::WrongBaseLength { .. } => {
            c.err_ogrn_length.to_owned()
        }
        OgrnError::CheckDigit => c.err_ogrn_check.to_owned(),
    }
}

fn email(e: &EmailError) -> String {
    let c = cat();
    match e {
        EmailError::Empty => c.err_required.to_owned(),
        EmailError::TooLong { max } => (c.err_too_long)(*max),
        EmailError::MissingAt | EmailError::MoreThanOneAt => c.err_email_at.to_owned(),
        EmailError::EmptyLocalPart => c.err_email_local.to_owned(),
        EmailError::ContainsSpace => c.err_email_spaces.to_owned(),
        EmailError::ForbiddenCharacter { found } | EmailError::BadDomainCharacter { found } => {
            (c.err_email_char)(*found)
        }
        EmailError::NoDomain
        | EmailError::DomainWithoutDot
        | EmailError::EmptyDomainLabel
        | EmailError::HyphenAtLabelEdge
        | EmailError::BadTopLevelDomain => c.err_email_domain.to_owned(),
    }
}

fn phone(e: &PhoneError) -> String {
    let c = cat();
    match e {
        PhoneError::Empty | PhoneError::NoDigits => c.err_phone_no_digits.to_owned(),
        PhoneError::TooFewDigits { .. } => c.err_phone_short.to_owned(),
        PhoneError::TooManyDigits { .. } => c.err_phone_long.to_owned(),
        PhoneError::UnexpectedCharacter { .. } => c.err_phone_letters.to_owned(),
        PhoneError::ExtensionWithoutDigits => c.err_phone_extension.to_owned(),
    }
}

/// The message for a bad value of an imported row (issue 14).
pub fn value_problem_text(problem: &ValueProblem) -> String {
    let c = cat();
    match problem {
        ValueProblem::Inn(e) => inn(e),
        ValueProblem::Kpp(_) => c.err_kpp_format.to_owned(),
        ValueProblem::Ogrn(e) => ogrn(e),
        ValueProblem::Phone(e) => phone(e),
        ValueProblem::Email(e) => email(e),
        ValueProblem::Birthday => c.ci_bad_birthday.to_owned(),
        ValueProblem::UnknownUser => c.ci_unknown_user.to_owned(),
        ValueProblem::TooLong { max } => (c.err_too_long)(*max),
        ValueProblem::NoClient => c.ci_no_client.to_owned(),
        ValueProblem::ContactWithoutName => c.ci_contact_without_name.to_owned(),
    }
}

/// Why a client looks like a duplicate, in words (the card form's warning,
/// the client import's joins).
pub fn duplicate_reason_text(c: &Catalogue, reason: &Reason) -> String {
    let of_contact = |text: String, contact: &Option<String>| match contact {
        Some(_) => format!("{text} ({})", c.dup_of_contact),
        None => text,
    };
    match reason {
        Reason::SameInn { inn } => (c.dup_same_inn)(inn),
        Reason::SamePhone {
            theirs, contact_id, ..
        } => of_contact((c.dup_same_phone)(theirs), contact_id),
        Reason::SameEmail {
            theirs, contact_id, ..
        } => of_contact((c.dup_same_email)(theirs), contact_id),
        Reason::SimilarName { .. } => c.dup_similar_name.to_owned(),
    }
}

/// The name of a kind of entry (contact person, event, payment, shipment).
pub fn entry_kind_name(c: &Catalogue, kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Contact => c.entry_contact,
        EntryKind::Event => c.entry_event,
        EntryKind::Payment => c.entry_payment,
        EntryKind::Shipment => c.entry_shipment,
    }
}

/// The message for an amount that is not one.
pub fn money_error_text(c: &Catalogue, e: MoneyError) -> String {
    match e {
        MoneyError::Empty => c.err_required.to_owned(),
        MoneyError::NotANumber | MoneyError::TooLarge => c.err_amount_format.to_owned(),
        MoneyError::NotPositive => c.err_amount_positive.to_owned(),
        MoneyError::TooManyDecimals => c.err_amount_decimals.to_owned(),
    }
}

/// Why an entry of a card was not edited, deleted or restored: nothing
/// was written.
pub fn entry_error_text(c: &Catalogue, e: &EntryError) -> String {
    match e {
        EntryError::NotFound(kind) => (c.err_entry_not_found)(entry_kind_name(c, *kind)),
        EntryError::Deleted(kind) => (c.err_entry_deleted_meanwhile)(entry_kind_name(c, *kind)),
        EntryError::NotDeleted(_) => c.err_entry_not_deleted.to_owned(),
        EntryError::RestoreNotAllowed(_) => c.err_restore_not_allowed.to_owned(),
        EntryError::Imported(_) => c.err_imported_fact.to_owned(),
        EntryError::InvalidContact(_) => c.err_contact_invalid.to_owned(),
        EntryError::EmptyResult => c.err_required.to_owned(),
        EntryError::FutureDate(_) => c.err_date_future.to_owned(),
        EntryError::Amount(e) => money_error_text(c, *e),
    }
}
