//! A report table as a CSV file for a spreadsheet: UTF-8 with a byte order
//! mark (so Excel reads Cyrillic right), `;` between cells and a decimal
//! comma (what Excel expects in a Russian locale), CRLF line ends, and
//! every text cell neutralised against formulas and quoted by the one field
//! writer ([`crate::export::cell::write_field`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::client::Money;
use crate::date::Date;
use crate::export::cell::write_field;

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Text as people typed it or the app worded it; neutralised.
    Text(Cow<'a, str>),
    /// A count.
    Integer(i64),
    /// An amount in kopecks, written in roubles with two decimals
    /// (`1234,56`); wide enough for a revenue total.
    Kopecks(i128),
    /// A percentage, written with one decimal (`83,3`).
    Percent(f64),
    /// A date, `YYYY-MM-DD` (read as a date by spreadsheets).
    Date(Date),
    Empty,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Cell<'_> {
    fn from(text: String) -> Self {
        Cell::Text(Cow::Owned(text))
    }
}

impl From<Money> for Cell<'_> {
    fn from(m: Money) -> Self {
        Cell::Kopecks(i128::from(m.0))
    }
}

impl From<u32> for Cell<'_> {
    fn from(n: u32) -> Self {
        Cell::Integer(i64::from(n))
    }
}

impl From<Option<Date>> for Cell<'_> {
    fn from(d: Option<Date>) -> Self {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

fn cell(out: &mut String, c: &Cell<'_>) {
    match c {
        Cell::Text(t) => write_field(out, t),
        Cell::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Kopecks(k) => {
            let sign = if *k < 0 { "-" } else { "" };
            let abs = k.unsigned_abs();
            let _ = write!(out, "{sign}{},{:02}", abs / 100, abs % 100);
        }
        Cell::Percent(p) if p.is_finite() => {
            out.push_str(&format!("{p:.1}").replace('.', ","));
        }
        Cell::Percent(_) | Cell::Empty => {}
        Cell::Date(d) => {
            let _ = write!(out, "{d}");
        }
    }
}

/// Writes one line.
fn line<'c>(out: &mut String, cells: impl IntoIterator<Item = Cell<'c>>) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        cell(out, &c);
    }
    out.push_str("\r\n");
}

/// The whole file: a header row, then the rows.
pub fn write_csv<'a>(header: &[&str], rows: impl IntoIterator<Item = Vec<Cell<'a>>>) -> String {
    let mut out = String::from('\u{feff}');
    line(&mut out, header.iter().map(|h| Cell::from(*h)));
    for row in rows {
        line(&mut out, row);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_table_is_written_with_a_bom_semicolons_and_crlf() {
        let csv = write_csv(
            &["Клиент", "Выручка", "Доля", "Дата", "Клиентов"],
            [
                vec![
                    Cell::from("ООО «Вектор»"),
                    Cell::from(Money(123_456)),
                    Cell::Percent(83.333),
                    Cell::Date(Date::from_ymd(2026, 11, 22).unwrap()),
                    Cell::from(3u32),
                ],
                vec![
                    Cell::from("Рога; копыта \"и\" сыновья"),
                    Cell::Kopecks(-5),
                    Cell::Percent(f64::NAN),
                    Cell::Empty,
                    Cell::Integer(-2),
                ],
            ],
        );
        assert_eq!(
            csv,
            "\u{feff}Клиент;Выручка;Доля;Дата;Клиентов\r\n\
             ООО «Вектор»;1234,56;83,3;2026-11-22;3\r\n\
             \"Рога; копыта \"\"и\"\" сыновья\";-0,05;;;-2\r\n"
        );
    }

    #[test]
    fn text_that_begins_like_a_formula_is_neutralised_and_numbers_are_not() {
        let csv = write_csv(
            &["=cmd"],
            [
                vec![Cell::from("=1+2"), Cell::Integer(-3)],
                vec![Cell::from("-5"), Cell::Kopecks(-500)],
                vec![Cell::from("\r=1"), Cell::from("@x")],
            ],
        );
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "'=cmd");
        assert_eq!(lines[1], "'=1+2;-3");
        assert_eq!(lines[2], "'-5;-5,00");
        // The carriage return makes the cell quoted as well.
        assert_eq!(lines[3], "\"'\r=1\";'@x");
    }
}
