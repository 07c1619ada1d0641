//! Reading one cell: a date, an amount of money, an INN, each in the forms
//! accounting systems and spreadsheets write them.

use crate::client::Money;
use crate::date::Date;

use super::RowProblem;

/// Years an accounting date may fall in; 1C writes `01.01.0001` for "no
/// date", and a typo like `2205` should be caught, not imported.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// A date as `dd.mm.yyyy`, `d.m.yyyy`, `dd.mm.yy` (20yy), `yyyy-mm-dd` or
/// `dd/mm/yyyy` (dashes, dots and slashes are interchangeable), optionally
/// followed by a time (`0:00:00`, `T00:00:00`), which is ignored.
pub fn parse_date(cell: &str) -> Result<Date, RowProblem> {
    let bad = || RowProblem::BadDate(cell.trim().to_owned());
    let text = cell.trim();
    // The time, if any, follows a space or an ISO `T`.
    let day_part = text
        .split_once([' ', '\u{A0}', 'T'])
        .map_or(text, |(d, _)| d);
    let mut parts = day_part.split(['.', '/', '-']);
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let number = |s: &str, max_len: usize| -> Option<u32> {
        if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (year, month, day) = if a.len() == 4 {
        (number(a, 4).ok_or_else(bad)?, number(b, 2), number(c, 2))
    } else {
        let year = match c.len() {
            2 => 2000 + number(c, 2).ok_or_else(bad)?,
            4 => number(c, 4).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        (year, number(b, 2), number(a, 2))
    };
    let (Some(month), Some(day)) = (month, day) else {
        return Err(bad());
    };
    let year = i32::try_from(year).map_err(|_| bad())?;
    if !YEARS.contains(&year) {
        return Err(bad());
    }
    Date::from_ymd(year, month, day).ok_or_else(bad)
}

/// Currency written after an amount, lower case; longest first.
const CURRENCY_SUFFIXES: &[&str] = &["руб.", "руб", "р.", "р", "₽", "rub", "rur"];

/// The amount without a currency written after it (any case).
fn strip_currency(text: &str) -> &str {
    if text.ends_with(|c: char| c.is_ascii_digit()) {
        return text;
    }
    for suffix in CURRENCY_SUFFIXES {
        let n = suffix.chars().count();
        let Some((at, _)) = text.char_indices().rev().nth(n - 1) else {
            continue;
        };
        let tail = &text[at..];
        if tail.chars().flat_map(char::to_lowercase).eq(suffix.chars()) {
            return &text[..at];
        }
    }
    text
}

/// Whether `c` groups thousands in an amount: spaces of every kind
/// (a no-break space and the narrow one come from 1C and Excel) and the
/// apostrophe.
fn is_grouping(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{A0}' | '\u{202F}' | '\u{2009}' | '\'' | '’')
}

/// An amount in roubles and kopecks, read exactly (never through a
/// floating-point number): `1234.56`, `1234,56`, `1 234,56` (any space
/// between the thousands), `1 234 руб.`, `1,234.56`, `1.234,56`.
///
/// The decimal separator is the last `,` or `.` when both occur, else the
/// one that occurs once; one that occurs several times groups thousands.
/// More than two decimals are refused unless the extra ones are zeros
/// (`1234,5600`), so that `1,234` (a thousand, or one rouble?) is a row
/// error rather than a guess. Zero and negative amounts are refused.
pub fn parse_amount(cell: &str) -> Result<Money, RowProblem> {
    let original = cell.trim();
    let bad = || RowProblem::BadAmount(original.to_owned());
    let text = strip_currency(original);
    // The digits and marks, without grouping spaces or a sign; amounts are
    // short, so a buffer on the stack does (a longer one is no amount).
    let mut buffer = [0u8; 40];
    let mut len = 0;
    let mut negative = false;
    for (i, c) in text.char_indices() {
        match c {
            '0'..='9' | ',' | '.' => {
                let slot = buffer.get_mut(len).ok_or_else(bad)?;
                *slot = c as u8;
                len += 1;
            }
            '-' | '−' | '–' if len == 0 && !negative && i == 0 => negative = true,
            '+' if len == 0 && i == 0 => {}
            c if is_grouping(c) => {}
            _ => return Err(bad()),
        }
    }
    let s = std::str::from_utf8(&buffer[..len]).map_err(|_| bad())?;
    if s.is_empty() {
        return Err(bad());
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        (_, 0) if commas == 1 => Some(','),
        (0, _) if dots == 1 => Some('.'),
        (_, 0) | (0, _) => None,
        // Both: the last one is the decimal separator; it must occur once.
        _ => {
            let last = s.rfind([',', '.']).map(|i| s.as_bytes()[i]);
            let mark = if last == Some(b',') { ',' } else { '.' };
            if s.matches(mark).count() != 1 {
                return Err(bad());
            }
            Some(mark)
        }
    };
    let (whole, fraction) = match decimal {
        Some(mark) => s.split_once(mark).unwrap_or((s, "")),
        None => (s, ""),
    };
    // Thousands grouped by a comma or a dot come in threes: `12.3.4` is a
    // typo, not 1234 roubles.
    if let Some(mark) = [',', '.'].into_iter().find(|&m| whole.contains(m)) {
        let mut groups = whole.split(mark);
        let first_ok = groups.next().is_some_and(|g| !g.is_empty());
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return Err(bad());
        }
    }
    if !whole.bytes().any(|b| b.is_ascii_digit()) && fraction.is_empty() {
        return Err(bad());
    }
    let significant = fraction.trim_end_matches('0');
    if significant.len() > 2 {
        return Err(RowProblem::TooManyDecimals(original.to_owned()));
    }
    let mut kopecks: i64 = 0;
    let cents = significant.bytes().chain(std::iter::repeat(b'0')).take(2);
    for b in whole.bytes().filter(u8::is_ascii_digit).chain(cents) {
        kopecks = kopecks
            .checked_mul(10)
            .and_then(|k| k.checked_add(i64::from(b - b'0')))
            .ok_or_else(bad)?;
    }
    if negative || kopecks == 0 {
        return Err(RowProblem::NotPositive(original.to_owned()));
    }
    Ok(Money(kopecks))
}

/// An INN as digits: 10 or 12 after trimming, also as Excel writes a
/// number kept as text (`="7701234567"`, `'7701234567`). A 9- or 11-digit
/// number whose leading zero a spreadsheet dropped is completed when the
/// completed INN has valid check digits. Empty is `Ok("")`: the row is then
/// matched by name. The check digits of a 10- or 12-digit INN are not
/// checked: matching is by exact digits, and a wrong INN matches nobody.
pub fn parse_inn(cell: &str) -> Result<String, RowProblem> {
    let mut text = cell.trim();
    text = text.strip_prefix('\'').unwrap_or(text);
    text = text.strip_prefix('=').unwrap_or(text);
    text = text.trim_matches('"').trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RowProblem::BadInn(cell.trim().to_owned()));
    }
    match text.len() {
        10 | 12 => Ok(text.to_owned()),
        9 | 11 => {
            let padded = format!("0{text}");
            crate::inn::Inn::parse(&padded)
                .map(|_| padded)
                .map_err(|_| RowProblem::BadInn(cell.trim().to_owned()))
        }
        _ => Err(RowProblem::BadInn(cell.trim().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).expect("a real date")
    }

    #[test]
    fn dates_in_the_usual_forms() {
        for (text, want) in [
            ("05.03.2025", date(2025, 3, 5)),
            ("5.3.2025", date(2025, 3, 5)),
            ("05.03.25", date(2025, 3, 5)),
            ("2025-03-05", date(2025, 3, 5)),
            ("05/03/2025", date(2025, 3, 5)),
            ("05.03.2025 0:00:00", date(2025, 3, 5)),
            ("2025-03-05T12:30:00", date(2025, 3, 5)),
            (" 29.02.2024 ", date(2024, 2, 29)),
        ] {
            assert_eq!(parse_date(text), Ok(want), "{text}");
        }
        for bad in [
            "",
            "31.02.2025",
            "01.01.0001",
            "2025",
            "5 марта",
            "05.03.202",
            "aa.bb.cccc",
            "05.03.2025.1",
            "+5.03.2025",
        ] {
            assert_eq!(
                parse_date(bad),
                Err(RowProblem::BadDate(bad.trim().to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn amounts_in_the_usual_forms_read_exactly() {
        for (text, kopecks) in [
            ("1234.56", 123_456),
            ("1234,56", 123_456),
            ("1 234,56", 123_456),
            ("1\u{A0}234,56", 123_456),
            ("1\u{202F}234,56", 123_456),
            ("1234", 123_400),
            ("1 234 руб.", 123_400),
            ("1 234,50 р.", 123_450),
            ("1234,5", 123_450),
            ("1,234.56", 123_456),
            ("1.234.567,89", 123_456_789),
            ("1,234,567", 123_456_700),
            ("0,01", 1),
            ("1234,5600", 123_456),
            ("99999999999.99", 9_999_999_999_999),
        ] {
            assert_eq!(parse_amount(text), Ok(Money(kopecks)), "{text}");
        }
        assert_eq!(
            parse_amount("-5"),
            Err(RowProblem::NotPositive("-5".into()))
        );
        assert_eq!(
            parse_amount("0,00"),
            Err(RowProblem::NotPositive("0,00".into()))
        );
        assert_eq!(
            parse_amount("1,234"),
            Err(RowProblem::TooManyDecimals("1,234".into()))
        );
        for bad in [
            "",
            "руб.",
            "12a",
            "1,2,3.4.5",
            "1.2.3,4,5",
            "99999999999999999999",
            ",",
            "12.3.4",
            "1,23,456.00",
        ] {
            assert_eq!(
                parse_amount(bad),
                Err(RowProblem::BadAmount(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn inns_as_spreadsheets_write_them() {
        assert_eq!(parse_inn(" 7707083893 "), Ok("7707083893".into()));
        assert_eq!(parse_inn("=\"7707083893\""), Ok("7707083893".into()));
        assert_eq!(parse_inn("'500100732259"), Ok("500100732259".into()));
        assert_eq!(parse_inn(""), Ok(String::new()));
        // 0105012347 is not real; build a valid one with a leading zero.
        let valid = crate::inn::Inn::from_base("010501234").expect("a base");
        assert_eq!(
            parse_inn(&valid.as_str()[1..]),
            Ok(valid.as_str().to_owned())
        );
        for bad in ["770708389", "77070838931", "7707 083893", "ИНН"] {
            assert_eq!(parse_inn(bad), Err(RowProblem::BadInn(bad.into())), "{bad}");
        }
    }
}
