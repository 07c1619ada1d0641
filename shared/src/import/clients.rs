//! Importing clients and their contact persons (SPEC 8) from a company's
//! existing base: a CSV file (read here, so it works offline in the app)
//! or a spreadsheet (read on the relay into the same [`Table`]).
//!
//! The steps, each a pure function the app and the command line call in
//! turn, nothing written before the user confirms:
//!
//! 1. [`read_csv`] (or the relay's XLSX reader) gives a [`Table`] of text
//!    cells with their line numbers;
//! 2. [`ColumnMapping::guess`] finds the header row and which column holds
//!    what; the user may change it ([`ColumnMapping::set`]);
//! 3. [`preview`] reads every row (one row per contact person), validates
//!    each value as the card does, groups rows into clients (the same INN,
//!    or the same name where there is none), and matches each client
//!    against the whole given base ([`ImportBase`]): a client that is
//!    already there is *joined* — it gets what it lacks — instead of a
//!    second card being made;
//! 4. the confirmed preview is applied client by client: [`new_client`]
//!    makes a new document, [`join_client`] adds to an existing one.
//!
//! # Importing twice adds nothing
//! The second time, every client of the file is found in the base (by INN,
//! or by phone, e-mail or name — the ones the first import made), so it is
//! joined; and [`join_client`] adds only what the document lacks: a contact
//! whose name, phone or e-mail is already one of the client's contacts is
//! there, a phone or e-mail is compared by its key (`8 (495)…` is
//! `+7 495…`), a field is filled only when it is empty. The preview shows
//! such clients as [`ClientPreview::unchanged`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::client::{Address, AddressKind, Card, ClientDoc, Contact, EmailEntry, PhoneEntry};
use crate::date::{Date, Timestamp};
use crate::duplicates::{CardKeys, Reason, find_duplicates};
use crate::email::{Email, EmailError};
use crate::ids::{ClientId, UserId};
use crate::inn::{Inn, InnError, Kpp, KppError, Ogrn, OgrnError, Ogrnip};
use crate::phone::{Phone, PhoneError};
use crate::search::text::{name_words, normalised};
use crate::search::{SearchEntry, SearchIndex};
use crate::summary::ClientSummary;
use crate::workspace::UserEntry;

use super::csv::{Records, SEPARATORS};
use super::encoding::{Encoding, decode};
use super::looks_like_text;

mod columns;

pub use columns::{ClientField, ColumnMapping, field_of_header};

/// A file's cells as text, row by row: what CSV and XLSX both become.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableRow {
    /// The 1-based line of the file (a CSV record's first line, a sheet's
    /// row number), for messages.
    pub line: usize,
    pub cells: Vec<String>,
}

impl TableRow {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

impl Table {
    /// A table of rows numbered from line 1 (a sheet read on the relay).
    pub fn from_rows(rows: Vec<Vec<String>>) -> Table {
        Table {
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, cells)| TableRow { line: i + 1, cells })
                .collect(),
        }
    }
}

/// Why a file cannot be read as a table of clients at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is not text (it holds binary data): choose a CSV or an Excel workbook (.xlsx)"
    )]
    NotText,
    /// The app sends such a file to the relay's spreadsheet reader.
    #[error("the file is an Excel workbook: it is read as a spreadsheet, not as CSV")]
    Workbook,
    #[error(
        "no row of the first {HEADER_SEARCH} names the client's name or INN column; found: {}",
        found.join(" | ")
    )]
    NoHeader {
        /// The cells of the first non-blank row.
        found: Vec<String>,
    },
}

/// How many non-blank rows may precede the header (a report's title).
const HEADER_SEARCH: usize = 10;

/// A CSV file read as a table, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTable {
    pub table: Table,
    pub encoding: Encoding,
    /// `;`, `\t` or `,`.
    pub separator: char,
}

/// Reads a CSV file (UTF-8 with or without a byte-order mark, UTF-16 with
/// one, else Windows-1251; `;`, Tab or `,`) into a table. The separator is
/// the one that makes the first rows name the most client columns.
pub fn read_csv(bytes: &[u8]) -> Result<CsvTable, TableError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableError::Workbook);
    }
    let (text, encoding) = decode(bytes);
    if text
        .chars()
        .all(|c| c.is_whitespace() || c == '"' || SEPARATORS.contains(&c))
    {
        return Err(TableError::Empty);
    }
    if !looks_like_text(&text) {
        return Err(TableError::NotText);
    }
    let score = |separator: char| {
        Records::new(&text, separator, 1)
            .filter(|r| !r.is_blank())
            .take(HEADER_SEARCH)
            .map(|r| {
                let m = ColumnMapping::of_header(0, &r.cells);
                (m.recognised(), r.cells.len())
            })
            .max()
            .unwrap_or((0, 0))
    };
    let separator = SEPARATORS
        .iter()
        .copied()
        .max_by_key(|&s| (score(s), usize::from(s == ';')))
        .unwrap_or(';');
    let rows = Records::new(&text, separator, 1)
        .map(|r| TableRow {
            line: r.line,
            cells: r.cells.into_iter().map(|c| c.into_owned()).collect(),
        })
        .collect();
    Ok(CsvTable {
        table: Table { rows },
        encoding,
        separator,
    })
}

impl ColumnMapping {
    /// The header row (the first of the first few non-blank rows naming
    /// the most fields, a name or INN among them) and its mapping.
    pub fn guess(table: &Table) -> Result<ColumnMapping, TableError> {
        let mut best: Option<ColumnMapping> = None;
        for (i, row) in table
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_blank())
            .take(HEADER_SEARCH)
        {
            let mapping = ColumnMapping::of_header(i, &row.cells);
            if mapping.identifies_clients()
                && best
                    .as_ref()
                    .is_none_or(|b| mapping.recognised() > b.recognised())
            {
                best = Some(mapping);
            }
        }
        match best {
            Some(mapping) => Ok(mapping),
            None => match table.rows.iter().find(|r| !r.is_blank()) {
                Some(row) => Err(TableError::NoHeader {
                    found: row.cells.clone(),
                }),
                None => Err(TableError::Empty),
            },
        }
    }
}

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    #[error("{0}")]
    Inn(InnError),
    #[error("{0}")]
    Kpp(KppError),
    #[error("{0}")]
    Ogrn(OgrnError),
    #[error("{0}")]
    Phone(PhoneError),
    #[error("{0}")]
    Email(EmailError),
    #[error("not a date: write it as day.month.year")]
    Birthday,
    #[error("no active user has this login or name")]
    UnknownUser,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("the row has neither a client name nor an INN")]
    NoClient,
    #[error("the contact person's phone or e-mail has no name beside it")]
    ContactWithoutName,
}

/// A value that cannot be imported: where it is, what it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// The 1-based line of the file.
    pub line: usize,
    /// The 0-based column; the UI shows it as a spreadsheet's letter or by
    /// its header.
    pub column: usize,
    /// The column's header, as written.
    pub header: String,
    pub field: ClientField,
    /// The cell (or the part of it) as written, trimmed.
    pub value: String,
    pub problem: ValueProblem,
}

/// A 0-based column as a spreadsheet names it: A, B, …, Z, AA, …
pub fn column_letter(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (column % 26) as u8));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// What to do with a row that has a bad value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnBadValue {
    /// The whole row is refused.
    #[default]
    SkipRow,
    /// The row is imported without the bad values (a row that names no
    /// client is still refused).
    DropValue,
}

/// A contact person read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedContact {
    pub line: usize,
    pub full_name: String,
    pub position: String,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub birthday: Option<Date>,
}

/// A client as the file describes it: its rows put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedClient {
    /// The lines of its rows, in file order.
    pub lines: Vec<usize>,
    pub name: String,
    pub legal_form: String,
    pub inn: Option<Inn>,
    pub kpp: Option<Kpp>,
    /// An OGRN or an OGRNIP, digits only.
    pub ogrn: String,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub addresses: Vec<(AddressKind, String)>,
    pub website: String,
    pub industry: String,
    pub responsible: Option<UserId>,
    pub contacts: Vec<ImportedContact>,
}

/// The existing client an imported one joins, and why it is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub client_id: ClientId,
    /// Its name as the list shows it.
    pub name: String,
    /// The strongest reason it is the same client.
    pub reason: Reason,
}

/// What joining adds to an existing client, as far as its summary tells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Additions {
    pub contacts: usize,
    pub phones: usize,
    pub emails: usize,
}

impl Additions {
    pub fn is_empty(&self) -> bool {
        *self == Additions::default()
    }
}

/// A client of the file and what importing does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedClient {
    pub client: ImportedClient,
    /// `None`: a new card is made.
    pub joins: Option<Join>,
    /// For a joined client: what it gets.
    pub adds: Additions,
}

/// A row that is not imported, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    pub line: usize,
    /// Never empty.
    pub problems: Vec<BadValue>,
}

/// What importing the table would do, for the user to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPreview {
    pub mapping: ColumnMapping,
    /// New cards, in file order.
    pub new: Vec<PlannedClient>,
    /// Clients of the base that get contacts, phones or e-mails.
    pub joining: Vec<PlannedClient>,
    /// Clients of the base that already hold everything the file says of
    /// them (a file imported before).
    pub unchanged: Vec<PlannedClient>,
    pub refused: Vec<RefusedRow>,
    /// Values left out of rows that are imported ([`OnBadValue::DropValue`]).
    pub dropped: Vec<BadValue>,
    /// Data rows read (blank rows are not rows).
    pub total_rows: usize,
}

impl ClientPreview {
    /// How many contact persons the import adds, new cards and joined ones.
    pub fn contacts_added(&self) -> usize {
        self.new
            .iter()
            .map(|p| p.client.contacts.len())
            .sum::<usize>()
            + self.joining.iter().map(|p| p.adds.contacts).sum::<usize>()
    }
}

/// The base an import is matched against: every client the importer's
/// device or the relay knows, and the workspace's users (for the
/// responsible column).
#[derive(Debug)]
pub struct ImportBase<'a> {
    index: SearchIndex,
    summaries: HashMap<&'a str, &'a ClientSummary>,
    users: Vec<&'a UserEntry>,
}

impl<'a> ImportBase<'a> {
    /// The base of these clients (merged clients and potential clients'
    /// Interests are left out) and users.
    pub fn new(
        summaries: impl IntoIterator<Item = &'a ClientSummary>,
        users: impl IntoIterator<Item = &'a UserEntry>,
    ) -> ImportBase<'a> {
        let summaries: HashMap<&str, &ClientSummary> = summaries
            .into_iter()
            .filter(|s| s.is_client())
            .map(|s| (s.id.as_str(), s))
            .collect();
        let index = SearchIndex::build(summaries.values().map(|s| SearchEntry::from(*s)));
        ImportBase {
            index,
            summaries,
            users: users.into_iter().filter(|u| u.active).collect(),
        }
    }

    /// The user a cell names: by login (any case), else by full name
    /// (case, `ё` and spacing aside).
    fn user(&self, cell: &str) -> Option<&UserId> {
        let cell = cell.trim();
        if let Some(u) = self
            .users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(cell))
        {
            return Some(&u.id);
        }
        let key = person_key(cell);
        self.users
            .iter()
            .find(|u| person_key(&u.name) == key)
            .map(|u| &u.id)
    }

    /// The existing client `client` is, if any: the same INN first, then
    /// a phone or e-mail in common or a very similar name — but never a
    /// client with another INN.
    fn find(&self, client: &ImportedClient) -> Option<Join> {
        let keys = CardKeys {
            name: client.name.clone(),
            inn: client
                .inn
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_default(),
            phones: client
                .phones
                .iter()
                .chain(client.contacts.iter().flat_map(|c| &c.phones))
                .map(|p| p.as_typed().to_owned())
                .collect(),
            emails: client
                .emails
                .iter()
                .chain(client.contacts.iter().flat_map(|c| &c.emails))
                .map(|e| e.as_str().to_owned())
                .collect(),
        };
        find_duplicates(&self.index, &keys, None)
            .into_iter()
            .find_map(|d| {
                let summary = self.summaries.get(d.client_id.as_str())?;
                let other_inn = client.inn.as_ref().is_some_and(|mine| {
                    !summary.inn.trim().is_empty()
                        && Inn::parse(&summary.inn).map_or(true, |theirs| theirs != *mine)
                });
                if other_inn {
                    return None;
                }
                let reason = d.reasons.into_iter().next()?;
                Some(Join {
                    client_id: summary.id.clone(),
                    name: summary.display_name(),
                    reason,
                })
            })
    }

    fn additions(&self, join: &Join, client: &ImportedClient) -> Additions {
        let Some(summary) = self.summaries.get(join.client_id.as_str()) else {
            return Additions::default();
        };
        let mut known = Known::default();
        known
            .phones
            .extend(summary.phones.iter().filter_map(|p| phone_key(p)));
        known
            .emails
            .extend(summary.emails.iter().map(|e| crate::email::search_key(e)));
        for c in &summary.contacts {
            known.contact(&c.name, &c.phones, &c.emails);
        }
        known.additions(client)
    }
}

/// What a client already holds, by comparison keys.
#[derive(Debug, Default)]
struct Known {
    phones: Vec<String>,
    emails: Vec<String>,
    contact_names: Vec<String>,
    contact_phones: Vec<String>,
    contact_emails: Vec<String>,
}

impl Known {
    fn of_doc(doc: &ClientDoc) -> Known {
        let mut known = Known::default();
        known.phones.extend(
            doc.card
                .phones
                .values()
                .filter_map(|p| phone_key(&p.number)),
        );
        known.emails.extend(
            doc.card
                .emails
                .values()
                .map(|e| crate::email::search_key(&e.address)),
        );
        for c in doc.contacts.values() {
            let phones: Vec<&str> = c.phones.values().map(|p| p.number.as_str()).collect();
            let emails: Vec<&str> = c.emails.values().map(|e| e.address.as_str()).collect();
            known.contact(&c.full_name, &phones, &emails);
        }
        known
    }

    fn contact(&mut self, name: &str, phones: &[impl AsRef<str>], emails: &[impl AsRef<str>]) {
        self.contact_names.push(person_key(name));
        self.contact_phones
            .extend(phones.iter().filter_map(|p| phone_key(p.as_ref())));
        self.contact_emails
            .extend(emails.iter().map(|e| crate::email::search_key(e.as_ref())));
    }

    /// Whether the client already has this contact person: the same name,
    /// or one of its phones or e-mails.
    fn has_contact(&self, c: &ImportedContact) -> bool {
        self.contact_names.contains(&person_key(&c.full_name))
            || c.phones
                .iter()
                .any(|p| self.contact_phones.iter().any(|k| k == p.key()))
            || c.emails
                .iter()
                .any(|e| self.contact_emails.iter().any(|k| k == e.key()))
    }

    fn has_phone(&self, p: &Phone) -> bool {
        self.phones.iter().any(|k| k == p.key())
    }

    fn has_email(&self, e: &Email) -> bool {
        self.emails.iter().any(|k| k == e.key())
    }

    fn additions(&self, client: &ImportedClient) -> Additions {
        Additions {
            contacts: client
                .contacts
                .iter()
                .filter(|c| !self.has_contact(c))
                .count(),
            phones: client.phones.iter().filter(|p| !self.has_phone(p)).count(),
            emails: client.emails.iter().filter(|e| !self.has_email(e)).count(),
        }
    }
}

fn phone_key(typed: &str) -> Option<String> {
    Phone::parse(typed).ok().map(|p| p.key().to_owned())
}

/// A person's or a client's name for comparison: its words as search reads
/// them (case, `ё`, quotes, legal forms aside), sorted.
fn person_key(name: &str) -> String {
    let normal = normalised(&name_words(name));
    let mut words: Vec<&str> = normal.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.join(" ")
}

/// The longest text a free-text field takes.
const MAX_TEXT: usize = crate::client::MAX_NAME;

/// Legal forms written before a name, in the case the card keeps them.
const LEGAL_FORMS: &[&str] = &["ООО", "АО", "ПАО", "ЗАО", "ОАО", "НАО", "ИП", "АНО", "НКО"];

/// A name with its legal form in front (`ООО «Вектор»`) split in two;
/// quotes around the rest are dropped.
fn split_legal_form(name: &str) -> (String, String) {
    let name = name.trim();
    for form in LEGAL_FORMS {
        if let Some(rest) = name.strip_prefix(form)
            && rest.starts_with([' ', '"', '«'])
        {
            let rest = rest
                .trim()
                .trim_start_matches(['"', '«', '“'])
                .trim_end_matches(['"', '»', '”'])
                .trim();
            if !rest.is_empty() {
                return ((*form).to_owned(), rest.to_owned());
            }
        }
    }
    (String::new(), name.to_owned())
}

/// A birthday as `dd.mm.yyyy` (dots, slashes or dashes) or `yyyy-mm-dd`,
/// optionally followed by a time; years from 1900 on.
fn parse_birthday(cell: &str) -> Option<Date> {
    let day_part = cell.split_once([' ', 'T']).map_or(cell, |(d, _)| d);
    let parts: Vec<&str> = day_part.split(['.', '/', '-']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let n = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (year, month, day) = if a.len() == 4 {
        (n(a)?, n(b)?, n(c)?)
    } else if c.len() == 4 {
        (n(c)?, n(b)?, n(a)?)
    } else {
        return None;
    };
    if !(1900..=2100).contains(&year) {
        return None;
    }
    Date::from_ymd(i32::try_from(year).ok()?, month, day)
}

/// One row read: the client's part, the contact (if any), the problems.
struct ReadRow {
    client: ImportedClient,
    problems: Vec<BadValue>,
    /// A problem that refuses the row whatever the user chose.
    fatal: bool,
}

fn read_row(
    row: &TableRow,
    header: &[String],
    mapping: &ColumnMapping,
    base: &ImportBase<'_>,
) -> ReadRow {
    let mut problems = Vec::new();
    let cell = |i: usize| row.cells.get(i).map_or("", |s| unneutralise(s.trim()));
    let mut bad = |column: usize, field: ClientField, value: &str, problem: ValueProblem| {
        problems.push(BadValue {
            line: row.line,
            column,
            header: header.get(column).cloned().unwrap_or_default(),
            field,
            value: value.to_owned(),
            problem,
        });
    };
    let text = |field: ClientField, bad: &mut dyn FnMut(usize, ClientField, &str, ValueProblem)| {
        let mut out = String::new();
        for i in mapping.columns_of(field) {
            let v = cell(i);
            if v.is_empty() {
                continue;
            }
            if v.chars().count() > MAX_TEXT {
                bad(i, field, v, ValueProblem::TooLong { max: MAX_TEXT });
            } else if out.is_empty() {
                out = v.to_owned();
            }
        }
        out
    };
    let name_cell = text(ClientField::Name, &mut bad);
    let mut legal_form = text(ClientField::LegalForm, &mut bad);
    let name = if legal_form.is_empty() {
        let (form, name) = split_legal_form(&name_cell);
        legal_form = form;
        name
    } else {
        name_cell
    };
    let website = text(ClientField::Website, &mut bad);
    let industry = text(ClientField::Industry, &mut bad);
    let full_name = text(ClientField::ContactName, &mut bad);
    let position = text(ClientField::ContactPosition, &mut bad);
    let mut addresses = Vec::new();
    for (field, kind) in [
        (ClientField::LegalAddress, AddressKind::Legal),
        (ClientField::Address, AddressKind::Actual),
    ] {
        let a = text(field, &mut bad);
        if !a.is_empty() {
            addresses.push((kind, a));
        }
    }

    let mut inn = None;
    for i in mapping.columns_of(ClientField::Inn) {
        let v = cell(i);
        if !v.is_empty() && inn.is_none() {
            // Spreadsheets drop an INN's leading zero when it is a number.
            let digits = if v.len() == 9 || v.len() == 11 {
                format!("0{v}")
            } else {
                v.to_owned()
            };
            match Inn::parse(&digits) {
                Ok(parsed) => inn = Some(parsed),
                Err(e) => bad(i, ClientField::Inn, v, ValueProblem::Inn(e)),
            }
        }
    }
    let mut kpp = None;
    for i in mapping.columns_of(ClientField::Kpp) {
        let v = cell(i);
        if !v.is_empty() && kpp.is_none() {
            match Kpp::parse(v) {
                Ok(parsed) => kpp = Some(parsed),
                Err(e) => bad(i, ClientField::Kpp, v, ValueProblem::Kpp(e)),
            }
        }
    }
    let mut ogrn = String::new();
    for i in mapping.columns_of(ClientField::Ogrn) {
        let v = cell(i);
        if !v.is_empty() && ogrn.is_empty() {
            let digits = v.chars().filter(char::is_ascii_digit).count();
            let parsed = if digits == 15 {
                Ogrnip::parse(v).map(|o| o.as_str().to_owned())
            } else {
                Ogrn::parse(v).map(|o| o.as_str().to_owned())
            };
            match parsed {
                Ok(o) => ogrn = o,
                Err(e) => bad(i, ClientField::Ogrn, v, ValueProblem::Ogrn(e)),
            }
        }
    }
    let phones = |field: ClientField,
                  bad: &mut dyn FnMut(usize, ClientField, &str, ValueProblem)| {
        let mut out: Vec<Phone> = Vec::new();
        for i in mapping.columns_of(field) {
            for part in split_values(cell(i)) {
                match Phone::parse(part) {
                    Ok(p) if out.iter().any(|o| o.key() == p.key()) => {}
                    Ok(p) => out.push(p),
                    Err(e) => bad(i, field, part, ValueProblem::Phone(e)),
                }
            }
        }
        out
    };
    let client_phones = phones(ClientField::Phone, &mut bad);
    let contact_phones = phones(ClientField::ContactPhone, &mut bad);
    let emails = |field: ClientField,
                  bad: &mut dyn FnMut(usize, ClientField, &str, ValueProblem)| {
        let mut out: Vec<Email> = Vec::new();
        for i in mapping.columns_of(field) {
            for part in split_values(cell(i)) {
                match Email::parse(part) {
                    Ok(e) if out.iter().any(|o| o.key() == e.key()) => {}
                    Ok(e) => out.push(e),
                    Err(e) => bad(i, field, part, ValueProblem::Email(e)),
                }
            }
        }
        out
    };
    let client_emails = emails(ClientField::Email, &mut bad);
    let contact_emails = emails(ClientField::ContactEmail, &mut bad);
    let mut birthday = None;
    for i in mapping.columns_of(ClientField::ContactBirthday) {
        let v = cell(i);
        if !v.is_empty() && birthday.is_none() {
            match parse_birthday(v) {
                Some(d) => birthday = Some(d),
                None => bad(i, ClientField::ContactBirthday, v, ValueProblem::Birthday),
            }
        }
    }
    let mut responsible = None;
    for i in mapping.columns_of(ClientField::Responsible) {
        let v = cell(i);
        if !v.is_empty() && responsible.is_none() {
            match base.user(v) {
                Some(u) => responsible = Some(u.clone()),
                None => bad(i, ClientField::Responsible, v, ValueProblem::UnknownUser),
            }
        }
    }
    let contact = if !full_name.is_empty() {
        Some(ImportedContact {
            line: row.line,
            full_name,
            position,
            phones: contact_phones,
            emails: contact_emails,
            birthday,
        })
    } else {
        if !contact_phones.is_empty() || !contact_emails.is_empty() {
            let column = mapping
                .columns_of(ClientField::ContactName)
                .next()
                .or_else(|| mapping.columns_of(ClientField::ContactPhone).next())
                .or_else(|| mapping.columns_of(ClientField::ContactEmail).next())
                .unwrap_or(0);
            bad(
                column,
                ClientField::ContactName,
                "",
                ValueProblem::ContactWithoutName,
            );
        }
        None
    };
    let mut fatal = false;
    if name.is_empty() && inn.is_none() {
        fatal = true;
        let column = mapping
            .columns_of(ClientField::Name)
            .next()
            .or_else(|| mapping.columns_of(ClientField::Inn).next())
            .unwrap_or(0);
        bad(column, ClientField::Name, "", ValueProblem::NoClient);
    }
    ReadRow {
        client: ImportedClient {
            lines: vec![row.line],
            name,
            legal_form,
            inn,
            kpp,
            ogrn,
            phones: client_phones,
            emails: client_emails,
            addresses,
            website,
            industry,
            responsible,
            contacts: contact.into_iter().collect(),
        },
        problems,
        fatal,
    }
}

/// A cell as written before an export neutralised it
/// ([`crate::export::cell::neutralise`]), so an exported file imports back.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::export::cell::is_formula_like(rest) => rest,
        _ => cell,
    }
}

/// The values of a cell that holds several (`+7 495 …, +7 916 …`).
fn split_values(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Puts a row's client into the group it belongs to (what the group
/// lacks is taken from the row).
fn absorb(group: &mut ImportedClient, row: ImportedClient) {
    group.lines.extend(row.lines);
    let fill = |mine: &mut String, theirs: String| {
        if mine.is_empty() {
            *mine = theirs;
        }
    };
    fill(&mut group.name, row.name);
    fill(&mut group.legal_form, row.legal_form);
    fill(&mut group.ogrn, row.ogrn);
    fill(&mut group.website, row.website);
    fill(&mut group.industry, row.industry);
    if group.inn.is_none() {
        group.inn = row.inn;
    }
    if group.kpp.is_none() {
        group.kpp = row.kpp;
    }
    if group.responsible.is_none() {
        group.responsible = row.responsible;
    }
    for p in row.phones {
        if !group.phones.iter().any(|o| o.key() == p.key()) {
            group.phones.push(p);
        }
    }
    for e in row.emails {
        if !group.emails.iter().any(|o| o.key() == e.key()) {
            group.emails.push(e);
        }
    }
    for a in row.addresses {
        if !group.addresses.contains(&a) {
            group.addresses.push(a);
        }
    }
    for c in row.contacts {
        match group
            .contacts
            .iter_mut()
            .find(|o| person_key(&o.full_name) == person_key(&c.full_name))
        {
            Some(same) => {
                fill(&mut same.position, c.position);
                if same.birthday.is_none() {
                    same.birthday = c.birthday;
                }
                for p in c.phones {
                    if !same.phones.iter().any(|o| o.key() == p.key()) {
                        same.phones.push(p);
                    }
                }
                for e in c.emails {
                    if !same.emails.iter().any(|o| o.key() == e.key()) {
                        same.emails.push(e);
                    }
                }
            }
            None => group.contacts.push(c),
        }
    }
}

/// What importing `table` read with `mapping` would do, against `base`.
///
/// Rows after the header are read one per contact person; every value is
/// validated as the card validates it; rows with the same INN (or, without
/// one, the same name) are one client. A row with a bad value is refused or
/// imported without it, as `on_bad` says; a row that names no client is
/// always refused.
pub fn preview(
    table: &Table,
    mapping: &ColumnMapping,
    on_bad: OnBadValue,
    base: &ImportBase<'_>,
) -> ClientPreview {
    let header: Vec<String> = table
        .rows
        .get(mapping.header_row)
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    let mut out = ClientPreview {
        mapping: mapping.clone(),
        new: Vec::new(),
        joining: Vec::new(),
        unchanged: Vec::new(),
        refused: Vec::new(),
        dropped: Vec::new(),
        total_rows: 0,
    };
    let mut groups: Vec<ImportedClient> = Vec::new();
    let mut by_inn: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for row in table.rows.iter().skip(mapping.header_row + 1) {
        if row.is_blank() {
            continue;
        }
        out.total_rows += 1;
        let read = read_row(row, &header, mapping, base);
        if read.fatal || (!read.problems.is_empty() && on_bad == OnBadValue::SkipRow) {
            out.refused.push(RefusedRow {
                line: row.line,
                problems: read.problems,
            });
            continue;
        }
        out.dropped.extend(read.problems);
        let client = read.client;
        let name_key = person_key(&client.name);
        let inn = client.inn.as_ref().map(ToString::to_string);
        let at = match &inn {
            Some(inn) => by_inn.get(inn).copied().or_else(|| {
                // A row named like a client of the file that has no INN
                // yet is that client.
                by_name
                    .get(&name_key)
                    .copied()
                    .filter(|&g| groups[g].inn.is_none())
            }),
            None => by_name.get(&name_key).copied(),
        };
        let at = match at {
            Some(g) => {
                absorb(&mut groups[g], client);
                g
            }
            None => {
                groups.push(client);
                groups.len() - 1
            }
        };
        if let Some(inn) = inn {
            by_inn.entry(inn).or_insert(at);
        }
        if !name_key.is_empty() {
            by_name.entry(name_key).or_insert(at);
        }
    }
    for client in groups {
        match base.find(&client) {
            None => out.new.push(PlannedClient {
                client,
                joins: None,
                adds: Additions::default(),
            }),
            Some(join) => {
                let adds = base.additions(&join, &client);
                let planned = PlannedClient {
                    client,
                    joins: Some(join),
                    adds,
                };
                if adds.is_empty() {
                    out.unchanged.push(planned);
                } else {
                    out.joining.push(planned);
                }
            }
        }
    }
    out
}

fn phone_entry(phone: &Phone, at: Timestamp, new_id: &mut impl FnMut() -> String) -> PhoneEntry {
    PhoneEntry {
        id: new_id(),
        number: phone.as_typed().to_owned(),
        label: String::new(),
        added: at,
    }
}

fn email_entry(email: &Email, at: Timestamp, new_id: &mut impl FnMut() -> String) -> EmailEntry {
    EmailEntry {
        id: new_id(),
        address: email.as_str().to_owned(),
        label: String::new(),
        added: at,
    }
}

fn contact_of(c: &ImportedContact, at: Timestamp, new_id: &mut impl FnMut() -> String) -> Contact {
    let mut contact = Contact {
        id: new_id(),
        full_name: c.full_name.clone(),
        position: c.position.clone(),
        birthday: c.birthday,
        added: at,
        ..Contact::default()
    };
    for p in &c.phones {
        let e = phone_entry(p, at, new_id);
        contact.phones.insert(e.id.clone(), e);
    }
    for e in &c.emails {
        let e = email_entry(e, at, new_id);
        contact.emails.insert(e.id.clone(), e);
    }
    contact
}

/// The document of a new client made from an imported one, by `by` at
/// `at`, created on `today`; `new_id` gives the entries their ids (pass
/// [`crate::ids::new_id`]).
pub fn new_client(
    client: &ImportedClient,
    id: ClientId,
    by: &UserId,
    at: Timestamp,
    today: Date,
    mut new_id: impl FnMut() -> String,
) -> ClientDoc {
    let card = Card {
        name: client.name.clone(),
        legal_form: client.legal_form.clone(),
        created: today,
        created_by: by.clone(),
        created_at: at,
        source: "import".to_owned(),
        ..Card::default()
    };
    let mut doc = ClientDoc::new(id, card, client.responsible.clone(), by, at);
    join_client(&mut doc, client, at, &mut new_id);
    doc
}

/// What [`join_client`] added to a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub contacts: usize,
    pub phones: usize,
    pub emails: usize,
    /// Empty fields filled (INN, KPP, OGRN, website, industry, addresses).
    pub fields: usize,
}

impl Added {
    pub fn is_empty(&self) -> bool {
        *self == Added::default()
    }
}

/// Adds to an existing client's document what the imported client has and
/// the document lacks: contacts, phones and e-mails not there yet (see the
/// module's "Importing twice adds nothing"), and the INN, KPP, OGRN,
/// website, industry and addresses where the card has none. Nothing the
/// card holds is changed; the responsible manager stays.
pub fn join_client(
    doc: &mut ClientDoc,
    client: &ImportedClient,
    at: Timestamp,
    mut new_id: impl FnMut() -> String,
) -> Added {
    let known = Known::of_doc(doc);
    let mut added = Added::default();
    let card = &mut doc.card;
    let mut fill = |field: &mut String, value: &str| {
        if field.trim().is_empty() && !value.is_empty() {
            *field = value.to_owned();
            added.fields += 1;
        }
    };
    if card.name.trim().is_empty() {
        fill(&mut card.legal_form, &client.legal_form);
    }
    fill(&mut card.name, &client.name);
    if let Some(inn) = &client.inn {
        fill(&mut card.inn, inn.as_str());
    }
    if let Some(kpp) = &client.kpp {
        fill(&mut card.kpp, kpp.as_str());
    }
    fill(&mut card.ogrn, &client.ogrn);
    fill(&mut card.website, &client.website);
    fill(&mut card.industry, &client.industry);
    for (kind, text) in &client.addresses {
        let there = card
            .addresses
            .values()
            .any(|a| person_key(&a.text) == person_key(text));
        if !there {
            let a = Address {
                id: new_id(),
                kind: *kind,
                text: text.clone(),
                added: at,
            };
            card.addresses.insert(a.id.clone(), a);
            added.fields += 1;
        }
    }
    for p in client.phones.iter().filter(|p| !known.has_phone(p)) {
        let e = phone_entry(p, at, &mut new_id);
        card.phones.insert(e.id.clone(), e);
        added.phones += 1;
    }
    for e in client.emails.iter().filter(|e| !known.has_email(e)) {
        let e = email_entry(e, at, &mut new_id);
        card.emails.insert(e.id.clone(), e);
        added.emails += 1;
    }
    for c in client.contacts.iter().filter(|c| !known.has_contact(c)) {
        let contact = contact_of(c, at, &mut new_id);
        doc.contacts.insert(contact.id.clone(), contact);
        added.contacts += 1;
    }
    added
}

#[cfg(test)]
mod tests;
