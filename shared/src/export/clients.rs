//! The client export (SPEC 8): the rows of a client (one per contact
//! person, one for a client without any), the columns in their order, and a
//! CSV writer for what Russian Excel opens (UTF-8 with a byte-order mark,
//! `;`). Pure, so the app writes CSV offline; the relay writes the same rows
//! as XLSX. Every cell goes through [`super::cell::neutralise`].
//!
//! ```
//! use kartoteka::export::clients::CsvWriter;
//!
//! let mut csv = CsvWriter::new(&["Клиент", "ИНН"]);
//! csv.row(&["ООО \"Вектор\"; склад", "7707083893"]);
//! csv.row(&["=1+2", ""]);
//! assert_eq!(
//!     csv.finish(),
//!     "\u{FEFF}Клиент;ИНН\r\n\"ООО \"\"Вектор\"\"; склад\";7707083893\r\n'=1+2;\r\n".as_bytes()
//! );
//! ```

use serde::{Deserialize, Serialize};

use crate::client::{ClientDoc, Contact};
use crate::summary::display_name;

use super::cell::write_field;

/// A column of the client export, in the order of [`ExportColumn::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportColumn {
    Name,
    Inn,
    Kpp,
    Ogrn,
    Phones,
    Emails,
    Address,
    Industry,
    Responsible,
    Status,
    Zone,
    ContactName,
    ContactPosition,
    ContactPhones,
    ContactEmails,
    ContactBirthday,
}

impl ExportColumn {
    /// Every column, in the file's order: the client's name first.
    pub const ALL: [ExportColumn; 16] = [
        ExportColumn::Name,
        ExportColumn::Inn,
        ExportColumn::Kpp,
        ExportColumn::Ogrn,
        ExportColumn::Phones,
        ExportColumn::Emails,
        ExportColumn::Address,
        ExportColumn::Industry,
        ExportColumn::Responsible,
        ExportColumn::Status,
        ExportColumn::Zone,
        ExportColumn::ContactName,
        ExportColumn::ContactPosition,
        ExportColumn::ContactPhones,
        ExportColumn::ContactEmails,
        ExportColumn::ContactBirthday,
    ];

    /// The Russian header, as the import recognises it back (the command
    /// line's default; the app takes its headers from its catalogue).
    pub fn russian(self) -> &'static str {
        match self {
            ExportColumn::Name => "Наименование",
            ExportColumn::Inn => "ИНН",
            ExportColumn::Kpp => "КПП",
            ExportColumn::Ogrn => "ОГРН",
            ExportColumn::Phones => "Телефон",
            ExportColumn::Emails => "E-mail",
            ExportColumn::Address => "Адрес",
            ExportColumn::Industry => "Отрасль",
            ExportColumn::Responsible => "Ответственный",
            ExportColumn::Status => "Статус",
            ExportColumn::Zone => "Зона",
            ExportColumn::ContactName => "Контактное лицо",
            ExportColumn::ContactPosition => "Должность",
            ExportColumn::ContactPhones => "Телефон контакта",
            ExportColumn::ContactEmails => "E-mail контакта",
            ExportColumn::ContactBirthday => "День рождения",
        }
    }

    /// The English header, as the import recognises it back.
    pub fn english(self) -> &'static str {
        match self {
            ExportColumn::Name => "Name",
            ExportColumn::Inn => "INN",
            ExportColumn::Kpp => "KPP",
            ExportColumn::Ogrn => "OGRN",
            ExportColumn::Phones => "Phone",
            ExportColumn::Emails => "E-mail",
            ExportColumn::Address => "Address",
            ExportColumn::Industry => "Industry",
            ExportColumn::Responsible => "Responsible",
            ExportColumn::Status => "Status",
            ExportColumn::Zone => "Zone",
            ExportColumn::ContactName => "Contact person",
            ExportColumn::ContactPosition => "Position",
            ExportColumn::ContactPhones => "Contact phone",
            ExportColumn::ContactEmails => "Contact e-mail",
            ExportColumn::ContactBirthday => "Birthday",
        }
    }
}

/// The header row, each column worded by `label` (the app passes its
/// catalogue, the command line [`ExportColumn::russian`]).
pub fn header<S: Into<String>>(label: impl Fn(ExportColumn) -> S) -> Vec<String> {
    ExportColumn::ALL.iter().map(|&c| label(c).into()).collect()
}

/// What the export shows of a client that its document does not hold:
/// derived or looked up by the caller, already worded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Derived<'a> {
    /// The responsible manager's name.
    pub responsible: &'a str,
    /// The status of work with the client.
    pub status: &'a str,
    /// The colour zone.
    pub zone: &'a str,
}

/// Several values of one cell.
const JOIN: &str = ", ";

/// A client's rows, in the order of [`ExportColumn::ALL`]: one per contact
/// person (in the card's order), or one without contact when it has none.
/// Cells are as written on the card, not yet neutralised (the writers do
/// it).
pub fn client_rows(doc: &ClientDoc, derived: &Derived<'_>) -> Vec<Vec<String>> {
    let card = &doc.card;
    let joined = |v: Vec<&str>| v.join(JOIN);
    let addresses = card.addresses_sorted();
    let client = [
        display_name(&card.legal_form, &card.name),
        card.inn.clone(),
        card.kpp.clone(),
        card.ogrn.clone(),
        joined(
            card.phones_sorted()
                .iter()
                .map(|p| p.number.as_str())
                .collect(),
        ),
        joined(
            card.emails_sorted()
                .iter()
                .map(|e| e.address.as_str())
                .collect(),
        ),
        joined(addresses.iter().map(|a| a.text.as_str()).collect()),
        card.industry.clone(),
        derived.responsible.to_owned(),
        derived.status.to_owned(),
        derived.zone.to_owned(),
    ];
    let contact_cells = |c: &Contact| {
        [
            c.full_name.clone(),
            c.position.clone(),
            joined(
                c.phones_sorted()
                    .iter()
                    .map(|p| p.number.as_str())
                    .collect(),
            ),
            joined(
                c.emails_sorted()
                    .iter()
                    .map(|e| e.address.as_str())
                    .collect(),
            ),
            c.birthday.map(birthday).unwrap_or_default(),
        ]
    };
    let contacts = doc.contacts_sorted();
    if contacts.is_empty() {
        let mut row = client.to_vec();
        row.resize(ExportColumn::ALL.len(), String::new());
        return vec![row];
    }
    contacts
        .into_iter()
        .map(|c| client.iter().cloned().chain(contact_cells(c)).collect())
        .collect()
}

/// A birthday as Russian spreadsheets write dates.
fn birthday(d: crate::date::Date) -> String {
    d.naive().format("%d.%m.%Y").to_string()
}

/// Writes CSV for Russian Excel: UTF-8 with a byte-order mark (without it
/// Excel reads Windows-1251), `;` between cells, CRLF after each row, every
/// cell neutralised and quoted where needed ([`write_field`]).
#[derive(Debug, Clone)]
pub struct CsvWriter {
    out: String,
}

impl CsvWriter {
    /// A file with its header row.
    pub fn new(header: &[impl AsRef<str>]) -> CsvWriter {
        let mut writer = CsvWriter {
            out: String::from('\u{FEFF}'),
        };
        writer.row(header);
        writer
    }

    /// Appends a row.
    pub fn row(&mut self, cells: &[impl AsRef<str>]) {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(';');
            }
            write_field(&mut self.out, cell.as_ref());
        }
        self.out.push_str("\r\n");
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::{Card, PhoneEntry};
    use crate::date::{Date, Timestamp};
    use crate::ids::{ClientId, UserId};
    use crate::import::clients::{ColumnMapping, read_csv};

    fn doc() -> ClientDoc {
        let card = Card {
            name: "=HYPERLINK(\"http://x\")".into(),
            legal_form: "ООО".into(),
            inn: "7707083893".into(),
            created: Date::from_ymd(2026, 1, 1).unwrap(),
            ..Card::default()
        };
        let mut doc = ClientDoc::new(
            ClientId("c1".into()),
            card,
            None,
            &UserId("u".into()),
            Timestamp(0),
        );
        let phone = PhoneEntry {
            id: "p".into(),
            number: "+7 495 111-22-33".into(),
            ..PhoneEntry::default()
        };
        doc.card.phones.insert(phone.id.clone(), phone);
        doc
    }

    #[test]
    fn a_client_without_contacts_is_one_row_and_with_two_is_two() {
        let derived = Derived {
            responsible: "Анна Смирнова",
            status: "Новый",
            zone: "Зелёная",
        };
        let mut d = doc();
        let rows = client_rows(&d, &derived);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].len(), ExportColumn::ALL.len());
        assert_eq!(rows[0][0], "ООО «=HYPERLINK(\"http://x\")»");
        assert_eq!(rows[0][8], "Анна Смирнова");
        for (id, name) in [("a", "Иван"), ("b", "Мария")] {
            d.contacts.insert(
                id.into(),
                Contact {
                    id: id.into(),
                    full_name: name.into(),
                    birthday: Date::from_ymd(1980, 3, 9),
                    ..Contact::default()
                },
            );
        }
        let rows = client_rows(&d, &derived);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][11], "Мария");
        assert_eq!(rows[1][15], "09.03.1980");
    }

    #[test]
    fn csv_is_for_russian_excel_and_runs_no_formula() {
        let mut csv = CsvWriter::new(&header(ExportColumn::russian));
        let mut d = doc();
        d.card.name = "=1+2".into();
        d.card.legal_form.clear();
        for row in client_rows(&d, &Derived::default()) {
            csv.row(&row);
        }
        let bytes = csv.finish();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes.clone()).unwrap();
        let second = text.lines().nth(1).unwrap();
        assert!(
            second.starts_with("'=1+2;7707083893;;;'+7 495 111-22-33;"),
            "{second}"
        );
        // The import reads its own export back.
        let table = read_csv(&bytes).unwrap().table;
        let mapping = ColumnMapping::guess(&table).unwrap();
        assert_eq!(mapping.header_row, 0);
        assert!(mapping.identifies_clients());
    }
}
