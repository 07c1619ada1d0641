//! Importing payments (оплаты) and shipments (отгрузки) from a CSV file
//! exported by the accounting system (1C and the like), SPEC 4; clients
//! and their contact persons are imported by [`clients`], with the same
//! reader, encodings and header matching.
//!
//! This module owns the pure part: reading the file's bytes (UTF-8 with or
//! without a byte-order mark, UTF-16 with one, else Windows-1251), finding
//! the header and the separator, reading each row's client (INN or name),
//! date, amount and document number, matching rows to clients, and the
//! preview the manager confirms. Nothing is written until then: the app
//! turns the confirmed preview into facts with [`facts_by_client`] and adds
//! them to each client's document with [`add_facts`].
//!
//! ```
//! use kartoteka::import::{ClientDirectory, FactKind, preview};
//!
//! let file = "ИНН;Клиент;Дата;Сумма;Номер\n7707083893;ООО \"Вектор\";05.03.2025;1 234,56;17\n";
//! let directory = ClientDirectory::from_summaries(&[]);
//! let preview = preview(file.as_bytes(), FactKind::Payment, &directory).expect("a CSV file");
//! assert_eq!(preview.total_rows, 1);
//! assert_eq!(preview.unknown[0].amount.0, 123_456);
//! ```
//!
//! # Importing twice adds nothing
//! A row is *already imported* when its client already holds a fact of the
//! same kind with the same document number (the client summaries carry the
//! numbers, so the preview needs no document), or an earlier row of the
//! same file has the same client and document number. A row without a
//! document number is compared with the file's earlier rows by client,
//! date and amount only: the summaries keep no amounts, so the preview
//! cannot see such a payment among the existing ones; [`add_facts`] still
//! refuses an exact copy (same date, same amount, no number) when it writes.
//!
//! [`add_facts`] checks the document numbers again against the document
//! itself, so two devices that import the same file one after the other
//! (after a sync) add each payment once. Two devices importing it while
//! both are offline each add their own copy (the facts have random ids, so
//! the merge keeps both); after the sync the client holds the number twice,
//! and the next preview shows such rows as already imported. Removing the
//! copy is a person's decision.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use crate::client::{ClientDoc, FactSource, Money, Payment, Shipment};
use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};

pub mod clients;
mod csv;
mod directory;
mod encoding;
mod header;
mod value;

pub use directory::ClientDirectory;
pub use encoding::{Encoding, decode, encode_windows_1251, windows_1251_char};
pub use header::{Column, MissingColumn};
pub use value::{parse_amount, parse_date, parse_inn};

use csv::{Record, Records, SEPARATORS, count_outside_quotes};
use directory::{FastMap, Lookup};
use header::ColumnMap;

/// Which facts a file holds: the manager says so when choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// Оплаты: money received from clients.
    Payment,
    /// Отгрузки: goods shipped to clients.
    Shipment,
}

/// A row that was read without errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The 1-based line of the file the row starts on.
    pub line: usize,
    /// The INN's digits, or empty when the row has none.
    pub inn: String,
    /// The client's name as written, trimmed (may be empty when there is
    /// an INN).
    pub name: String,
    pub date: Date,
    pub amount: Money,
    /// The accounting document number, trimmed; may be empty.
    pub document: String,
}

/// A row and the client it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matched {
    pub row: ImportRow,
    pub client: ClientId,
}

/// A row whose name fits several clients (and whose INN did not decide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ambiguous {
    pub row: ImportRow,
    /// Sorted by id.
    pub candidates: Vec<ClientId>,
}

/// A row that adds nothing: its fact is already there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub row: ImportRow,
    pub client: ClientId,
    pub of: DuplicateOf,
}

/// Where a duplicate row's fact already is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateOf {
    /// The client already holds a fact of this kind with this document
    /// number.
    Existing,
    /// An earlier row of the file, on this line, has the same client and
    /// document number (or, without a number, the same date and amount).
    Line(usize),
}

/// What is wrong with one cell or row. The UI words these from its
/// catalogue; the strings are the cell as written, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    /// The row has no value in a required column (date or amount).
    Missing(Column),
    BadDate(String),
    BadAmount(String),
    /// More than two digits after the decimal separator.
    TooManyDecimals(String),
    /// Zero or negative.
    NotPositive(String),
    /// Not 10 or 12 digits.
    BadInn(String),
    /// Neither an INN nor a name.
    NoClient,
    /// A quoted cell is never closed: the rest of the file was read into
    /// it.
    UnclosedQuote,
}

/// A row that cannot be imported as it is, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The 1-based line of the file the row starts on.
    pub line: usize,
    /// Never empty.
    pub problems: Vec<RowProblem>,
    /// The row's cells as read, for the UI to show.
    pub cells: Vec<String>,
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is an Excel workbook, not CSV: save it as \"CSV (semicolon delimited)\"")]
    Spreadsheet,
    #[error(
        "the file is not text (it holds binary data): choose the CSV exported by the accounting system"
    )]
    NotText,
    #[error(
        "the header row lacks the columns: {}; found: {}",
        list(missing),
        header.join(" | ")
    )]
    MissingColumns {
        missing: Vec<MissingColumn>,
        /// The cells of the row taken for the header.
        header: Vec<String>,
    },
}

fn list(missing: &[MissingColumn]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What importing a file would do, for the manager to confirm.
///
/// Every data row is in exactly one of `to_add`, `unknown`, `ambiguous`,
/// `already`, `errors` or `totals`; `total_rows` counts them all. Blank
/// lines are not rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub kind: FactKind,
    pub encoding: Encoding,
    /// `;`, `\t` or `,`.
    pub separator: char,
    /// The line of the header row (1-based; a report title may precede it).
    pub header_line: usize,
    pub header: Vec<String>,
    /// Rows that will be added, in file order.
    pub to_add: Vec<Matched>,
    /// Rows whose client is not in the directory.
    pub unknown: Vec<ImportRow>,
    pub ambiguous: Vec<Ambiguous>,
    pub already: Vec<Duplicate>,
    pub errors: Vec<RowError>,
    /// Lines of total rows (`Итого`, `Всего`, `Total` with no date),
    /// skipped.
    pub totals: Vec<usize>,
    pub total_rows: usize,
}

/// How many non-blank lines may precede the header (a report's title and
/// period, as 1C prints them).
const HEADER_SEARCH: usize = 10;

/// What a file would import, matched against `directory`.
///
/// Fails only when the file as a whole cannot be read (empty, not text,
/// no recognisable header); problems of single rows are in
/// [`Preview::errors`], with their line numbers, beside the good rows.
pub fn preview(
    bytes: &[u8],
    kind: FactKind,
    directory: &ClientDirectory,
) -> Result<Preview, FileError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::Spreadsheet);
    }
    let (text, encoding) = decode(bytes);
    if text
        .chars()
        .all(|c| c.is_whitespace() || c == '"' || SEPARATORS.contains(&c))
    {
        return Err(FileError::Empty);
    }
    if !looks_like_text(&text) {
        return Err(FileError::NotText);
    }
    let (separator, records, header, columns) = find_header(&text)?;
    let mut preview = Preview {
        kind,
        encoding,
        separator,
        header_line: header.line,
        header: owned(header.cells),
        to_add: Vec::new(),
        unknown: Vec::new(),
        ambiguous: Vec::new(),
        already: Vec::new(),
        errors: Vec::new(),
        totals: Vec::new(),
        total_rows: 0,
    };
    let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
    // The first line of each (client, key) in the file.
    let mut seen: FastMap<(usize, Seen<'_>), usize> = FastMap::default();
    seen.reserve(lines);
    preview.to_add.reserve(lines);
    for record in records.filter(|r| !r.is_blank()) {
        preview.total_rows += 1;
        let (row, document) = match read_row(&record, &columns) {
            Ok(Some(row)) => row,
            Ok(None) => {
                preview.totals.push(record.line);
                continue;
            }
            Err(problems) => {
                preview.errors.push(RowError {
                    line: record.line,
                    problems,
                    cells: owned(record.cells),
                });
                continue;
            }
        };
        let client = match directory.lookup(&row.inn, &row.name) {
            Lookup::Found(i) => i,
            Lookup::Unknown => {
                preview.unknown.push(row);
                continue;
            }
            Lookup::Ambiguous(candidates) => {
                preview.ambiguous.push(Ambiguous { row, candidates });
                continue;
            }
        };
        let id = directory.id(client).clone();
        let key = if row.document.is_empty() {
            Seen::DateAmount(row.date, row.amount.0)
        } else {
            Seen::Document(document)
        };
        let of = if !row.document.is_empty() && directory.has_document(client, kind, &row.document)
        {
            Some(DuplicateOf::Existing)
        } else {
            // Only rows that would be added count as earlier rows: each
            // key remembers the line of its first such row.
            match seen.entry((client, key)) {
                Entry::Occupied(first) => Some(DuplicateOf::Line(*first.get())),
                Entry::Vacant(slot) => {
                    slot.insert(row.line);
                    None
                }
            }
        };
        match of {
            Some(of) => preview.already.push(Duplicate {
                row,
                client: id,
                of,
            }),
            None => preview.to_add.push(Matched { row, client: id }),
        }
    }
    Ok(preview)
}

/// What makes two rows of one client the same fact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seen<'a> {
    /// Borrowed from the file's text when the cell is.
    Document(Cow<'a, str>),
    DateAmount(Date, i64),
}

fn owned(cells: Vec<Cow<'_, str>>) -> Vec<String> {
    cells.into_iter().map(Cow::into_owned).collect()
}

/// Text has no NULs and hardly any other control characters (a stray
/// DOS end-of-file mark is forgiven); binary data has plenty.
fn looks_like_text(text: &str) -> bool {
    let mut chars = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        chars += 1;
        if c == '\0' {
            return false;
        }
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == char::REPLACEMENT_CHARACTER
        {
            controls += 1;
        }
    }
    controls * 100 <= chars
}

/// The separator, the records after the header, the header and its
/// columns. The header is the first of the first few non-blank rows that
/// names every required column, read with the first separator that makes
/// it so.
fn find_header(text: &str) -> Result<(char, Records<'_>, Record<'_>, ColumnMap), FileError> {
    // The best failure, to report: most columns recognised, then most cells.
    let mut best: Option<(usize, usize, Record<'_>, ColumnMap)> = None;
    for separator in SEPARATORS {
        let mut records = Records::new(text, separator, 1);
        let mut looked = 0;
        while looked < HEADER_SEARCH {
            let Some(record) = records.next() else { break };
            if record.is_blank() {
                continue;
            }
            looked += 1;
            let columns = ColumnMap::of(&record.cells);
            if columns.missing().is_empty() {
                return Ok((separator, records, record, columns));
            }
            let score = (columns.recognised(), record.cells.len());
            if best.as_ref().is_none_or(|(r, n, _, _)| score > (*r, *n)) {
                best = Some((score.0, score.1, record, columns));
            }
        }
    }
    let Some((recognised, _, record, columns)) = best else {
        return Err(FileError::Empty);
    };
    // Nothing recognised: show the first line split the way it most looks
    // split, so the manager sees the header that was found.
    let header = if recognised == 0 {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let separator = SEPARATORS
            .iter()
            .copied()
            .max_by_key(|&s| (count_outside_quotes(first, s), usize::from(s == ';')))
            .unwrap_or(';');
        Records::new(first, separator, 1)
            .next()
            .map_or_else(Vec::new, |r| owned(r.cells))
    } else {
        owned(record.cells)
    };
    Err(FileError::MissingColumns {
        missing: columns.missing(),
        header,
    })
}

/// Words that start a total row.
const TOTALS: &[&str] = &["итого", "всего", "total"];

/// A row's values and its document number (borrowed from the file's text
/// when the cell is); `Ok(None)` for a total row; every problem otherwise.
fn read_row<'a>(
    record: &Record<'a>,
    columns: &ColumnMap,
) -> Result<Option<(ImportRow, Cow<'a, str>)>, Vec<RowProblem>> {
    let cell = |c: Option<usize>| c.and_then(|i| record.cells.get(i)).map_or("", |s| s.trim());
    let (date, amount) = (cell(columns.date), cell(columns.amount));
    if date.is_empty()
        && record.cells.iter().any(|c| {
            let c = c.trim().to_lowercase();
            TOTALS.iter().any(|t| c.starts_with(t))
        })
    {
        return Ok(None);
    }
    let mut problems = Vec::new();
    if record.unclosed_quote {
        problems.push(RowProblem::UnclosedQuote);
    }
    let inn = parse_inn(cell(columns.inn)).unwrap_or_else(|p| {
        problems.push(p);
        String::new()
    });
    let name = cell(columns.name);
    if inn.is_empty()
        && name.is_empty()
        && !problems.iter().any(|p| matches!(p, RowProblem::BadInn(_)))
    {
        problems.push(RowProblem::NoClient);
    }
    let date = if date.is_empty() {
        problems.push(RowProblem::Missing(Column::Date));
        None
    } else {
        parse_date(date).map_err(|p| problems.push(p)).ok()
    };
    let amount = if amount.is_empty() {
        problems.push(RowProblem::Missing(Column::Amount));
        None
    } else {
        parse_amount(amount).map_err(|p| problems.push(p)).ok()
    };
    match (date, amount) {
        (Some(date), Some(amount)) if problems.is_empty() => {
            let document = match columns.document.and_then(|i| record.cells.get(i)) {
                Some(Cow::Borrowed(d)) => Cow::Borrowed(d.trim()),
                Some(Cow::Owned(d)) => Cow::Owned(d.trim().to_owned()),
                None => Cow::Borrowed(""),
            };
            let row = ImportRow {
                line: record.line,
                inn,
                name: name.to_owned(),
                date,
                amount,
                document: document.to_string(),
            };
            Ok(Some((row, document)))
        }
        _ => Err(problems),
    }
}

/// A payment or a shipment made from an imported row, ready to be added to
/// its client's document.
#[derive(Debug, Clone, PartialEq)]
pub enum NewFact {
    Payment(Payment),
    Shipment(Shipment),
}

impl NewFact {
    /// The fact made from a row.
    pub fn of(kind: FactKind, row: &ImportRow, id: String, by: &UserId, at: Timestamp) -> NewFact {
        NewFact::new(
            kind,
            id,
            (row.date, row.amount, row.document.clone()),
            FactSource::Import,
            by,
            at,
        )
    }

    /// A payment or a shipment of `(date, amount, document number)`, from
    /// `source` (an import, or entered by hand on the card).
    pub fn new(
        kind: FactKind,
        id: String,
        (date, amount, document): (Date, Money, String),
        source: FactSource,
        by: &UserId,
        at: Timestamp,
    ) -> NewFact {
        match kind {
            FactKind::Payment => NewFact::Payment(Payment {
                id,
                date,
                amount,
                document,
                source,
                by: by.clone(),
                at,
                deleted: None,
            }),
            FactKind::Shipment => NewFact::Shipment(Shipment {
                id,
                date,
                amount,
                document,
                source,
                by: by.clone(),
                at,
                deleted: None,
            }),
        }
    }

    /// Puts the fact into the client's document, as it is.
    pub fn insert_into(self, doc: &mut ClientDoc) {
        match self {
            NewFact::Payment(p) => {
                doc.payments.insert(p.id.clone(), p);
            }
            NewFact::Shipment(s) => {
                doc.shipments.insert(s.id.clone(), s);
            }
        }
    }

    /// The fact's id (its key in the document's map).
    pub fn id(&self) -> &str {
        match self {
            NewFact::Payment(p) => &p.id,
            NewFact::Shipment(s) => &s.id,
        }
    }

    /// The accounting document number.
    pub fn document(&self) -> &str {
        match self {
            NewFact::Payment(p) => &p.document,
            NewFact::Shipment(s) => &s.document,
        }
    }
}

/// The facts of a confirmed preview's `to_add` rows, grouped by client,
/// in file order; `new_id` gives each its id (pass
/// [`crate::ids::new_id`]), `by` and `at` say who imported them and when.
pub fn facts_by_client(
    preview: &Preview,
    by: &UserId,
    at: Timestamp,
    mut new_id: impl FnMut() -> String,
) -> BTreeMap<ClientId, Vec<NewFact>> {
    let mut groups: BTreeMap<ClientId, Vec<NewFact>> = BTreeMap::new();
    for matched in &preview.to_add {
        groups
            .entry(matched.client.clone())
            .or_default()
            .push(NewFact::of(preview.kind, &matched.row, new_id(), by, at));
    }
    groups
}

/// Adds the facts the document does not hold yet; how many were added.
///
/// A fact is left out when the document already has one of its kind with
/// the same document number, or — for a fact without a number — one with
/// no number, the same date and the same amount. This is the check at
/// write time that makes an import idempotent on one device; see the
/// module docs for two offline devices. The caller writes into the client
/// the preview matched: if it was merged meanwhile, follow `merged_into`.
pub fn add_facts(doc: &mut ClientDoc, facts: impl IntoIterator<Item = NewFact>) -> usize {
    let mut added = 0;
    for fact in facts {
        match fact {
            NewFact::Payment(p) => {
                let held = doc.payments.values().any(|q| {
                    same_fact(
                        (&q.document, q.date, q.amount),
                        (&p.document, p.date, p.amount),
                    )
                });
                if !held {
                    doc.payments.insert(p.id.clone(), p);
                    added += 1;
                }
            }
            NewFact::Shipment(s) => {
                let held = doc.shipments.values().any(|q| {
                    same_fact(
                        (&q.document, q.date, q.amount),
                        (&s.document, s.date, s.amount),
                    )
                });
                if !held {
                    doc.shipments.insert(s.id.clone(), s);
                    added += 1;
                }
            }
        }
    }
    added
}

/// Whether a held fact `(document, date, amount)` is the new one.
fn same_fact(held: (&str, Date, Money), new: (&str, Date, Money)) -> bool {
    let (held_doc, new_doc) = (held.0.trim(), new.0.trim());
    if new_doc.is_empty() {
        held_doc.is_empty() && held.1 == new.1 && held.2 == new.2
    } else {
        held_doc == new_doc
    }
}

#[cfg(test)]
mod tests;
