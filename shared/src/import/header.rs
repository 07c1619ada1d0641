//! Recognising the header row: which column holds the INN, the client's
//! name, the date, the amount and the document number, by the names 1C and
//! other accounting systems give them, in Russian or English.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A column the import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Inn,
    Name,
    Date,
    Amount,
    Document,
}

/// English names, for error messages outside the UI (the UI words them
/// from its catalogue).
impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Column::Inn => "INN",
            Column::Name => "client name",
            Column::Date => "date",
            Column::Amount => "amount",
            Column::Document => "document number",
        })
    }
}

/// A required column, or "INN or client name" when neither is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingColumn {
    /// Neither an INN nor a client name column.
    Client,
    Date,
    Amount,
    Document,
}

impl fmt::Display for MissingColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MissingColumn::Client => "INN or client name",
            MissingColumn::Date => "date",
            MissingColumn::Amount => "amount",
            MissingColumn::Document => "document number",
        })
    }
}

/// Header names, normalised (see [`normalise`]).
const SYNONYMS: &[(Column, &[&str])] = &[
    (
        Column::Inn,
        &[
            "инн",
            "инн контрагента",
            "инн клиента",
            "инн покупателя",
            "инн плательщика",
            "inn",
            "tin",
            "tax id",
        ],
    ),
    (
        Column::Name,
        &[
            "клиент",
            "контрагент",
            "покупатель",
            "плательщик",
            "наименование",
            "наименование контрагента",
            "наименование клиента",
            "client",
            "name",
            "customer",
            "counterparty",
            "payer",
        ],
    ),
    (
        Column::Date,
        &[
            "дата",
            "дата оплаты",
            "дата отгрузки",
            "дата документа",
            "дата платежа",
            "date",
        ],
    ),
    (
        Column::Amount,
        &[
            "сумма",
            "сумма оплаты",
            "сумма отгрузки",
            "сумма документа",
            "сумма платежа",
            "amount",
            "sum",
            "total",
        ],
    ),
    (
        Column::Document,
        &[
            "номер",
            "номер документа",
            "номер док",
            "документ",
            "№",
            "№ документа",
            "№ док",
            "document",
            "document number",
            "number",
            "doc",
            "doc no",
            "no",
        ],
    ),
];

/// Words of a currency written after an amount column's name
/// (`Сумма, руб.`), dropped before matching.
const CURRENCY: &[&str] = &["руб", "р", "rub", "rur"];

/// A header name as matched: lower case, `ё` as `е`, punctuation (but `№`)
/// as spaces, whitespace collapsed, a trailing currency word dropped.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() || c == '№' {
            for lower in c.to_lowercase() {
                out.push(if lower == 'ё' { 'е' } else { lower });
            }
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let mut words: Vec<&str> = out.split_whitespace().collect();
    if words.len() > 1 && words.last().is_some_and(|w| CURRENCY.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Which cell of a record holds each column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnMap {
    pub inn: Option<usize>,
    pub name: Option<usize>,
    pub date: Option<usize>,
    pub amount: Option<usize>,
    pub document: Option<usize>,
}

impl ColumnMap {
    /// The columns of a header row. When two cells name the same column,
    /// the first one is read.
    pub fn of(header: &[impl AsRef<str>]) -> ColumnMap {
        let mut map = ColumnMap::default();
        for (i, cell) in header.iter().enumerate() {
            let name = normalise(cell.as_ref());
            let Some(column) = SYNONYMS
                .iter()
                .find(|(_, names)| names.contains(&name.as_str()))
                .map(|(c, _)| *c)
            else {
                continue;
            };
            let slot = match column {
                Column::Inn => &mut map.inn,
                Column::Name => &mut map.name,
                Column::Date => &mut map.date,
                Column::Amount => &mut map.amount,
                Column::Document => &mut map.document,
            };
            slot.get_or_insert(i);
        }
        map
    }

    /// The required columns the header lacks.
    pub fn missing(&self) -> Vec<MissingColumn> {
        let mut missing = Vec::new();
        if self.inn.is_none() && self.name.is_none() {
            missing.push(MissingColumn::Client);
        }
        if self.date.is_none() {
            missing.push(MissingColumn::Date);
        }
        if self.amount.is_none() {
            missing.push(MissingColumn::Amount);
        }
        if self.document.is_none() {
            missing.push(MissingColumn::Document);
        }
        missing
    }

    /// How many of the five columns were recognised.
    pub fn recognised(&self) -> usize {
        [self.inn, self.name, self.date, self.amount, self.document]
            .iter()
            .filter(|c| c.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn russian_and_english_names_in_any_case_and_spacing() {
        let map = ColumnMap::of(&header(&[
            " ИНН ",
            "Контрагент",
            "Дата  оплаты",
            "Сумма, руб.",
            "№ документа",
        ]));
        assert_eq!(
            map,
            ColumnMap {
                inn: Some(0),
                name: Some(1),
                date: Some(2),
                amount: Some(3),
                document: Some(4),
            }
        );
        assert!(map.missing().is_empty());
        let map = ColumnMap::of(&header(&["DATE", "Customer", "Sum", "Doc", "Comment"]));
        assert_eq!(
            (map.date, map.name, map.amount, map.document),
            (Some(0), Some(1), Some(2), Some(3))
        );
        assert_eq!(map.inn, None);
        assert!(map.missing().is_empty());
    }

    #[test]
    fn what_is_missing_is_named() {
        let map = ColumnMap::of(&header(&["Дата", "Комментарий"]));
        assert_eq!(
            map.missing(),
            vec![
                MissingColumn::Client,
                MissingColumn::Amount,
                MissingColumn::Document
            ]
        );
    }

    #[test]
    fn the_first_of_two_same_columns_is_read() {
        let map = ColumnMap::of(&header(&["Номер", "Номер документа", "ё"]));
        assert_eq!(map.document, Some(0));
    }
}
