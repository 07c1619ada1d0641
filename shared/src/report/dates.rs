//! Contact persons' birthdays coming up (SPEC 8, "birthdays and dates of
//! contact persons"): for the start page and the report, each with the
//! client and a phone to call.
//!
//! A contact person carries one date, the birthday; [`ContactDateKind`]
//! leaves room for more. "Coming up" is from today to today + N days, both
//! included (as SPEC 5 counts a period), across the new year.
//!
//! Someone born on 29 February has a birthday on 28 February in a year
//! without one. That is how Russian law counts a term in years that ends in
//! a month without that day — on the month's last day (Civil Code, art.
//! 192) — and how SPEC 6 clamps `d + k months`; it also keeps the
//! greeting in February and never after the day.

use chrono::{Datelike, NaiveDate};

use crate::client::ClientDoc;
use crate::date::Date;
use crate::ids::{ClientId, UserId};
use crate::summary::display_name;

/// How many days ahead the start page looks.
pub const DEFAULT_DAYS: u32 = 14;

/// Which date of a contact person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContactDateKind {
    Birthday,
}

/// A date of a contact person, with what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDate {
    pub client: ClientId,
    /// The client's name with its legal form.
    pub client_name: String,
    /// The client's responsible manager, as recorded.
    pub manager: Option<UserId>,
    /// The contact person's id in the client document.
    pub contact: String,
    pub contact_name: String,
    /// The contact person's first phone.
    pub phone: Option<String>,
    /// The client's first phone, for a contact person with none.
    pub client_phone: Option<String>,
    pub kind: ContactDateKind,
    /// The date itself (the day of birth).
    pub date: Date,
}

impl ContactDate {
    /// The dates of a client document's contact persons; none for a client
    /// merged into another or a potential client's Interest.
    pub fn of_doc(doc: &ClientDoc) -> Vec<ContactDate> {
        if doc.merged_into.is_some() || doc.potential.is_some() {
            return Vec::new();
        }
        let client_phone = doc.card.phones_sorted().first().map(|p| p.number.clone());
        doc.contacts_sorted()
            .into_iter()
            .filter_map(|c| {
                Some(ContactDate {
                    client: doc.id.clone(),
                    client_name: display_name(&doc.card.legal_form, &doc.card.name),
                    manager: doc.responsible().cloned(),
                    contact: c.id.clone(),
                    contact_name: c.full_name.clone(),
                    phone: c.phones_sorted().first().map(|p| p.number.clone()),
                    client_phone: client_phone.clone(),
                    kind: ContactDateKind::Birthday,
                    date: c.birthday?,
                })
            })
            .collect()
    }
}

/// A date coming up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub entry: ContactDate,
    /// The day it falls on this time.
    pub on: Date,
    /// Days from today (0: today).
    pub in_days: u32,
    /// The age the person turns.
    pub years: u32,
}

/// The same month and day in `year`; 29 February is 28 February in a year
/// without it.
fn in_year(date: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), date.day() - 1))
}

/// The first anniversary of `date` on or after `from` (never the date
/// itself: a day of birth is not a birthday).
pub fn next_anniversary(date: NaiveDate, from: NaiveDate) -> Option<NaiveDate> {
    let this_year = in_year(date, from.year())?;
    let next = if this_year >= from {
        this_year
    } else {
        in_year(date, from.year() + 1)?
    };
    (next > date).then_some(next)
}

/// The dates from `today` to `today + days` (both included), soonest
/// first, then by client and contact person.
pub fn upcoming(
    entries: impl IntoIterator<Item = ContactDate>,
    today: Date,
    days: u32,
) -> Vec<Upcoming> {
    let from = today.naive();
    let mut out: Vec<Upcoming> = entries
        .into_iter()
        .filter_map(|entry| {
            let on = next_anniversary(entry.date.naive(), from)?;
            let in_days = u32::try_from((on - from).num_days()).ok()?;
            (in_days <= days).then(|| Upcoming {
                years: u32::try_from(on.year() - entry.date.naive().year()).unwrap_or(0),
                on: Date(on),
                in_days,
                entry,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (
            a.in_days,
            &a.entry.client_name,
            &a.entry.contact_name,
            &a.entry.contact,
        )
            .cmp(&(
                b.in_days,
                &b.entry.client_name,
                &b.entry.contact_name,
                &b.entry.contact,
            ))
    });
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::{Card, Contact, PhoneEntry};
    use crate::date::Timestamp;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn born(name: &str, date: &str) -> ContactDate {
        ContactDate {
            client: ClientId(format!("client-{name}")),
            client_name: "Вектор".into(),
            manager: None,
            contact: name.into(),
            contact_name: name.into(),
            phone: None,
            client_phone: None,
            kind: ContactDateKind::Birthday,
            date: d(date),
        }
    }

    fn shown(today: &str, people: &[(&str, &str)]) -> Vec<(String, String, u32)> {
        upcoming(
            people.iter().map(|(n, b)| born(n, b)),
            d(today),
            DEFAULT_DAYS,
        )
        .into_iter()
        .map(|u| (u.entry.contact_name, u.on.to_string(), u.in_days))
        .collect()
    }

    #[test]
    fn birthdays_of_the_next_14_days_cross_the_new_year() {
        let got = shown(
            "2026-12-25",
            &[
                ("вчера", "1990-12-24"),
                ("сегодня", "1985-12-25"),
                ("третье", "1990-01-03"),
                ("восьмое", "1970-01-08"),
                ("девятое", "1970-01-09"),
                ("завтра", "2001-12-26"),
            ],
        );
        assert_eq!(
            got,
            [
                ("сегодня".to_owned(), "2026-12-25".to_owned(), 0),
                ("завтра".to_owned(), "2026-12-26".to_owned(), 1),
                ("третье".to_owned(), "2027-01-03".to_owned(), 9),
                ("восьмое".to_owned(), "2027-01-08".to_owned(), 14),
            ]
        );
    }

    #[test]
    fn the_29th_of_february_is_the_28th_in_a_year_without_it() {
        let leapling = [("Касьян", "2000-02-29")];
        assert_eq!(
            shown("2027-02-20", &leapling),
            [("Касьян".to_owned(), "2027-02-28".to_owned(), 8)]
        );
        assert_eq!(
            shown("2027-02-28", &leapling),
            [("Касьян".to_owned(), "2027-02-28".to_owned(), 0)]
        );
        // From 1 March of a common year the next one is 29 February.
        assert!(shown("2027-03-01", &leapling).is_empty());
        assert_eq!(
            next_anniversary(d("2000-02-29").naive(), d("2027-03-01").naive()),
            Some(d("2028-02-29").naive())
        );
        assert_eq!(
            shown("2028-02-20", &leapling),
            [("Касьян".to_owned(), "2028-02-29".to_owned(), 9)]
        );
        // The 28th and 1 March are not moved.
        let others = [("28", "2000-02-28"), ("1", "2000-03-01")];
        assert_eq!(
            shown("2027-02-27", &others),
            [
                ("28".to_owned(), "2027-02-28".to_owned(), 1),
                ("1".to_owned(), "2027-03-01".to_owned(), 2),
            ]
        );
        let u = upcoming([born("Касьян", "2000-02-29")], d("2027-02-20"), 14);
        assert_eq!(u[0].years, 27);
    }

    #[test]
    fn a_day_of_birth_in_the_future_or_today_is_not_a_birthday() {
        assert!(shown("2026-12-25", &[("младенец", "2026-12-25")]).is_empty());
        assert!(shown("2026-12-25", &[("опечатка", "2030-12-30")]).is_empty());
        assert_eq!(shown("2026-12-25", &[("годовалый", "2025-12-30")])[0].2, 5);
    }

    #[test]
    fn a_client_documents_contacts_give_their_birthdays_with_phones() {
        let mut doc = ClientDoc::new(
            ClientId("c1".into()),
            Card {
                name: "Вектор".into(),
                legal_form: "ООО".into(),
                ..Card::default()
            },
            None,
            &UserId::random(),
            Timestamp(1),
        );
        doc.card.phones.insert(
            "p".into(),
            PhoneEntry {
                id: "p".into(),
                number: "+7 495 925-05-31".into(),
                ..PhoneEntry::default()
            },
        );
        let mut ivan = Contact {
            id: "k1".into(),
            full_name: "Иванов Иван".into(),
            birthday: Some(d("1980-01-02")),
            ..Contact::default()
        };
        ivan.phones.insert(
            "q".into(),
            PhoneEntry {
                id: "q".into(),
                number: "8 916 123 45 67".into(),
                ..PhoneEntry::default()
            },
        );
        doc.contacts.insert("k1".into(), ivan);
        doc.contacts.insert(
            "k2".into(),
            Contact {
                id: "k2".into(),
                full_name: "Без даты".into(),
                ..Contact::default()
            },
        );
        let dates = ContactDate::of_doc(&doc);
        assert_eq!(dates.len(), 1);
        let u = upcoming(dates, d("2025-12-30"), DEFAULT_DAYS);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].entry.client_name, "ООО «Вектор»");
        assert_eq!(u[0].entry.phone.as_deref(), Some("8 916 123 45 67"));
        assert_eq!(u[0].entry.client_phone.as_deref(), Some("+7 495 925-05-31"));
        assert_eq!(
            (u[0].on, u[0].in_days, u[0].years),
            (d("2026-01-02"), 3, 46)
        );
        doc.merged_into = Some(ClientId("c2".into()));
        assert!(ContactDate::of_doc(&doc).is_empty());
    }
}
