//! Messages for the domain's validation problems: `kartoteka` says what is
//! wrong as data, this module says it in the user's language.

use kartoteka::client::Problem;
use kartoteka::email::EmailError;
use kartoteka::inn::{InnError, OgrnError};
use kartoteka::phone::PhoneError;

use crate::i18n::cat;

/// The message for a problem with a field.
pub fn problem_text(problem: &Problem) -> String {
    let c = cat();
    match problem {
        Problem::Required => c.err_required.to_owned(),
        Problem::TooLong { max } => (c.err_too_long)(*max),
        Problem::Inn(e) => inn(e).to_owned(),
        Problem::InnDoesNotFitLegalForm { sole_trader: true } => c.err_inn_sole_trader.to_owned(),
        Problem::InnDoesNotFitLegalForm { sole_trader: false } => c.err_inn_organisation.to_owned(),
        // Every KPP problem has one remedy: the 4 + 2 + 3 format.
        Problem::Kpp(_) => c.err_kpp_format.to_owned(),
        Problem::KppForSoleTrader => c.err_kpp_sole_trader.to_owned(),
        Problem::Ogrn(e) => ogrn(e).to_owned(),
        Problem::Email(e) => email(e).to_owned(),
        Problem::Phone(e) => phone(e).to_owned(),
    }
}

fn inn(e: &InnError) -> &'static str {
    match e {
        InnError::NotDigits => cat().err_inn_digits,
        InnError::WrongLength { .. } => cat().err_inn_length,
        InnError::CheckDigit => cat().err_inn_check,
    }
}

fn ogrn(e: &OgrnError) -> &'static str {
    match e {
        OgrnError::NotDigits => cat().err_ogrn_digits,
        OgrnError::WrongLength { .. } => cat().err_ogrn_length,
        OgrnError::CheckDigit => cat().err_ogrn_check,
    }
}

fn email(e: &EmailError) -> &'static str {
    match e {
        EmailError::Empty => cat().err_required,
        EmailError::Spaces => cat().err_email_spaces,
        EmailError::At => cat().err_email_at,
        EmailError::NoLocalPart => cat().err_email_local,
        EmailError::BadLocalPart => cat().err_email_format,
        EmailError::BadDomain => cat().err_email_domain,
    }
}

fn phone(e: &PhoneError) -> &'static str {
    match e {
        PhoneError::NoDigits => cat().err_phone_no_digits,
        PhoneError::TooShort => cat().err_phone_short,
        PhoneError::TooLong => cat().err_phone_long,
        PhoneError::Letters => cat().err_phone_letters,
    }
}
