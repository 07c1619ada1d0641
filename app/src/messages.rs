//! Messages for the domain's validation problems: `kartoteka` says what is
//! wrong as data, this module says it in the user's language.

use kartoteka::client::Problem;

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
        Problem::Kpp(_) => c.err_kpp_format.to_owned(),
        Problem::KppForSoleTrader => c.err_kpp_sole_trader.to_owned(),
        Problem::Ogrn(e) => ogrn(e).to_owned(),
        Problem::Email(e) => email(e).to_owned(),
        Problem::Phone(e) => phone(e).to_owned(),
    }
}

fn inn(_e: &kartoteka::inn::InnError) -> &'static str {
    cat().err_inn_check
}

fn ogrn(_e: &kartoteka::inn::OgrnError) -> &'static str {
    cat().err_ogrn_check
}

fn email(_e: &kartoteka::email::EmailError) -> &'static str {
    cat().err_email_format
}

fn phone(_e: &kartoteka::phone::PhoneError) -> &'static str {
    cat().err_phone_format
}
