//! Neutralising spreadsheet formulas in exported cells (SPEC 8, CSV/formula
//! injection).
//!
//! A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@` as a
//! formula, and some also after a leading Tab or carriage return. A client
//! name like `=HYPERLINK("http://…")` typed into a card must not become a
//! live formula on a supervisor's computer, so every text cell of every
//! export (CSV and XLSX alike) goes through [`neutralise`]: such a cell is
//! written with a leading apostrophe, which spreadsheets show as text.
//! Numbers that a writer produces itself (amounts, counts) are not text and
//! are written as numbers.

use std::borrow::Cow;

/// Whether a spreadsheet could read this text as a formula.
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// The text as an export writes it into a cell: prefixed with `'` when it
/// begins like a formula, unchanged (and not copied) otherwise.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if is_formula_like(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes `text` as one CSV field, neutralised ([`neutralise`]) and quoted
/// when it holds the separator `;`, a quote or a line break: the one field
/// writer of every CSV export.
pub fn write_field(out: &mut String, text: &str) {
    let text = neutralise(text);
    if text.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_begins_like_a_formula_gets_an_apostrophe() {
        for (text, written) in [
            ("=1+2", "'=1+2"),
            ("+79251234567", "'+79251234567"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ] {
            assert_eq!(neutralise(text), written, "{text:?}");
        }
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        for text in ["", "ООО «Вектор»", "a=b", " =1", "'=1", "7707083893", "\n"] {
            assert!(
                matches!(neutralise(text), Cow::Borrowed(t) if t == text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_csv_field_is_neutralised_then_quoted_where_it_must_be() {
        for (text, written) in [
            ("Вектор", "Вектор"),
            ("a;b", "\"a;b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=1;2", "\"'=1;2\""),
            ("\r=1", "\"'\r=1\""),
        ] {
            let mut out = String::new();
            write_field(&mut out, text);
            assert_eq!(out, written, "{text:?}");
        }
    }
}
