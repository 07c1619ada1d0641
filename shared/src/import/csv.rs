//! Reading CSV records: quoted fields (with separators, line breaks and
//! doubled quotes inside), CRLF or LF line ends, and the line number each
//! record starts on, for the preview's messages.
//!
//! Accounting exports are not always careful CSV, so the reader is lenient
//! where a strict one would only refuse: a quote inside an unquoted field
//! (`ООО "Вектор"` written bare) is kept as a character, text after a
//! closing quote is kept too, and a quote that never closes is reported on
//! its record instead of swallowing the rest of the file silently.

use std::borrow::Cow;

/// One record of the file. Cells borrow the file's text unless quoting
/// changed them (a doubled quote, a line break inside): a large file is
/// read with about one allocation per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The 1-based line of the file the record starts on.
    pub line: usize,
    pub cells: Vec<Cow<'a, str>>,
    /// A quoted field was still open at the end of the file.
    pub unclosed_quote: bool,
}

impl Record<'_> {
    /// Whether every cell is empty or whitespace (a blank line, or a row of
    /// bare separators): such records are skipped.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// The separators the reader considers, in order of preference.
pub const SEPARATORS: [char; 3] = [';', '\t', ','];

/// An iterator over the records of `text`, which starts on line
/// `first_line`.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    text: &'a str,
    at: usize,
    line: usize,
    separator: u8,
}

impl<'a> Records<'a> {
    /// Records of `text` separated by `separator` (an ASCII character).
    pub fn new(text: &'a str, separator: char, first_line: usize) -> Records<'a> {
        Records {
            text,
            at: 0,
            line: first_line,
            separator: u8::try_from(separator).unwrap_or(b';'),
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let bytes = self.text.as_bytes();
        if self.at >= bytes.len() {
            return None;
        }
        let line = self.line;
        let text: &'a str = self.text;
        let mut cells = Vec::new();
        let mut cell = Cell::default();
        let mut unclosed_quote = false;
        // Every byte the reader stops at is ASCII, so every slice taken
        // between two stops is on a char boundary.
        let mut i = self.at;
        let mut at_cell_start = true;
        loop {
            if at_cell_start && bytes.get(i) == Some(&b'"') {
                // A quoted field: up to the quote not followed by another.
                i += 1;
                loop {
                    let Some(off) = bytes[i..].iter().position(|&b| b == b'"' || b == b'\n') else {
                        cell.push(text, i, bytes.len());
                        i = bytes.len();
                        unclosed_quote = true;
                        break;
                    };
                    if bytes[i + off] == b'\n' {
                        cell.push(text, i, i + off + 1);
                        self.line += 1;
                        i += off + 1;
                    } else if bytes.get(i + off + 1) == Some(&b'"') {
                        // Keep one of the two quotes.
                        cell.push(text, i, i + off + 1);
                        i += off + 2;
                    } else {
                        cell.push(text, i, i + off);
                        i += off + 1;
                        break;
                    }
                }
                at_cell_start = false;
                continue;
            }
            let sep = self.separator;
            let off = bytes[i..]
                .iter()
                .position(|&b| b == sep || b == b'\n' || b == b'\r')
                .unwrap_or(bytes.len() - i);
            cell.push(text, i, i + off);
            i += off;
            match bytes.get(i) {
                Some(&b) if b == sep => {
                    cells.push(std::mem::take(&mut cell).finish(text));
                    at_cell_start = true;
                    i += 1;
                }
                Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    self.line += 1;
                    break;
                }
                Some(b'\r' | b'\n') => {
                    i += 1;
                    self.line += 1;
                    break;
                }
                _ => break,
            }
        }
        cells.push(cell.finish(text));
        self.at = i;
        Some(Record {
            line,
            cells,
            unclosed_quote,
        })
    }
}

/// A cell being read: one span of the text while it is one, owned text
/// once quoting joins several.
#[derive(Debug, Default)]
enum Cell {
    #[default]
    Empty,
    Span(usize, usize),
    Owned(String),
}

impl Cell {
    fn push(&mut self, text: &str, from: usize, to: usize) {
        if from == to {
            return;
        }
        *self = match std::mem::take(self) {
            Cell::Empty => Cell::Span(from, to),
            Cell::Span(a, b) if b == from => Cell::Span(a, to),
            Cell::Span(a, b) => Cell::Owned(format!("{}{}", &text[a..b], &text[from..to])),
            Cell::Owned(mut s) => {
                s.push_str(&text[from..to]);
                Cell::Owned(s)
            }
        };
    }

    fn finish(self, text: &str) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Span(a, b) => Cow::Borrowed(&text[a..b]),
            Cell::Owned(s) => Cow::Owned(s),
        }
    }
}

/// How many times `separator` occurs in a line outside quotes.
pub fn count_outside_quotes(line: &str, separator: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str, sep: char) -> Vec<(usize, Vec<String>)> {
        Records::new(text, sep, 1)
            .map(|r| (r.line, r.cells.into_iter().map(Cow::into_owned).collect()))
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn quoted_fields_keep_separators_quotes_and_line_breaks() {
        let text = "a;\"b;c\";\"say \"\"hi\"\"\"\r\n\"two\r\nlines\";x\nlast;";
        assert_eq!(
            cells(text, ';'),
            vec![
                (1, strings(&["a", "b;c", "say \"hi\""])),
                (2, strings(&["two\r\nlines", "x"])),
                (4, strings(&["last", ""])),
            ]
        );
    }

    #[test]
    fn a_bare_quote_inside_a_field_is_a_character() {
        assert_eq!(
            cells("ООО \"Вектор\";1\n", ';'),
            vec![(1, strings(&["ООО \"Вектор\"", "1"]))]
        );
    }

    #[test]
    fn a_trailing_line_break_adds_no_record_and_blank_lines_are_blank() {
        let records: Vec<Record> = Records::new("a,b\n\n,\nc,d\n", ',', 1).collect();
        assert_eq!(records.len(), 4);
        assert!(records[1].is_blank() && records[2].is_blank());
        assert_eq!(records[3].line, 4);
    }

    #[test]
    fn an_unclosed_quote_is_reported() {
        let records: Vec<Record> = Records::new("a;\"b\nc", ';', 1).collect();
        assert_eq!(records.len(), 1);
        assert!(records[0].unclosed_quote);
        assert_eq!(records[0].cells, vec!["a", "b\nc"]);
    }

    #[test]
    fn separators_are_counted_outside_quotes() {
        assert_eq!(count_outside_quotes("\"a,b\",c,d", ','), 2);
        assert_eq!(count_outside_quotes("a;b\tc", '\t'), 1);
    }
}
