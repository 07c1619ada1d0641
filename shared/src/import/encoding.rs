//! Turning the bytes of an accounting export into text: UTF-8 (with or
//! without a byte-order mark), UTF-16 with a byte-order mark (Excel's
//! "Unicode text") or Windows-1251, the code page 1C writes by default.
//!
//! The Windows-1251 table is written out here rather than pulled from an
//! encoding crate: it is one code page of 128 characters, and the SPA's
//! wasm size matters more than a general decoder.

use serde::{Deserialize, Serialize};

/// How the file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF` (Excel's "CSV
    /// UTF-8").
    Utf8Bom,
    /// UTF-16, little-endian, with its byte-order mark (Excel's "Unicode
    /// text").
    Utf16Le,
    /// UTF-16, big-endian, with its byte-order mark.
    Utf16Be,
    /// Windows-1251 (Cyrillic), assumed when the bytes are not UTF-8.
    Windows1251,
}

/// Windows-1251 bytes `0x80..=0xBF`; `0xC0..=0xFF` are `А..=я` in order.
/// `0x98` is unassigned and read as U+0098, as the WHATWG table does.
const UPPER_HALF: [char; 64] = [
    'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ', // 0x80
    'ђ', '‘', '’', '“', '”', '•', '–', '—', '\u{98}', '™', 'љ', '›', 'њ', 'ќ', 'ћ',
    'џ', // 0x90
    '\u{A0}', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u{AD}', '®',
    'Ї', // 0xA0
    '°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї', // 0xB0
];

/// The character of one Windows-1251 byte.
pub fn windows_1251_char(byte: u8) -> char {
    match byte {
        0x00..=0x7F => char::from(byte),
        0x80..=0xBF => UPPER_HALF[usize::from(byte - 0x80)],
        // А (U+0410) .. я (U+044F), in order.
        0xC0..=0xFF => char::from_u32(0x0410 + u32::from(byte - 0xC0)).unwrap_or('\u{FFFD}'),
    }
}

/// Text in Windows-1251, or the first character the code page lacks.
///
/// The import only reads; this is for tests, benches and whoever writes a
/// file back for the accounting system.
pub fn encode_windows_1251(text: &str) -> Result<Vec<u8>, char> {
    text.chars()
        .map(|c| match c {
            '\0'..='\u{7F}' => Ok(c as u8),
            'А'..='я' => Ok((0xC0 + (c as u32 - 0x0410)) as u8),
            _ => UPPER_HALF
                .iter()
                .position(|&u| u == c)
                .map(|i| 0x80 + i as u8)
                .ok_or(c),
        })
        .collect()
}

/// The text of a file and how it was read. Never fails: bytes that are not
/// UTF-8 (and carry no UTF-16 mark) are Windows-1251, where every byte is
/// a character; whether the result is text at all is judged by the caller.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (
            String::from_utf8_lossy(rest).into_owned(),
            Encoding::Utf8Bom,
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (utf16(rest, u16::from_le_bytes), Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (utf16(rest, u16::from_be_bytes), Encoding::Utf16Be);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => {
            // Cyrillic takes two bytes in UTF-8; reserve for the worst case.
            let mut text = String::with_capacity(bytes.len() * 2);
            text.extend(bytes.iter().map(|&b| windows_1251_char(b)));
            (text, Encoding::Windows1251)
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1251_letters_read_as_russian() {
        assert_eq!(windows_1251_char(0xC0), 'А');
        assert_eq!(windows_1251_char(0xDF), 'Я');
        assert_eq!(windows_1251_char(0xE0), 'а');
        assert_eq!(windows_1251_char(0xFF), 'я');
        assert_eq!(windows_1251_char(0xA8), 'Ё');
        assert_eq!(windows_1251_char(0xB8), 'ё');
        assert_eq!(windows_1251_char(0xB9), '№');
        assert_eq!(windows_1251_char(0xAB), '«');
        assert_eq!(windows_1251_char(0xBB), '»');
        assert_eq!(windows_1251_char(0xA0), '\u{A0}');
        assert_eq!(windows_1251_char(0x96), '–');
        assert_eq!(windows_1251_char(0x88), '€');
        assert_eq!(windows_1251_char(b';'), ';');
        // "Оплата" as 1C writes it.
        let (text, encoding) = decode(&[0xCE, 0xEF, 0xEB, 0xE0, 0xF2, 0xE0]);
        assert_eq!((text.as_str(), encoding), ("Оплата", Encoding::Windows1251));
    }

    #[test]
    fn windows_1251_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text: String = all.iter().map(|&b| windows_1251_char(b)).collect();
        assert_eq!(encode_windows_1251(&text), Ok(all));
        assert_eq!(
            encode_windows_1251("ООО «Ёлка» №5"),
            Ok(vec![
                0xCE, 0xCE, 0xCE, b' ', 0xAB, 0xA8, 0xEB, 0xEA, 0xE0, 0xBB, b' ', 0xB9, b'5'
            ])
        );
        assert_eq!(encode_windows_1251("日"), Err('日'));
    }

    #[test]
    fn utf8_is_preferred_and_marks_are_dropped() {
        assert_eq!(
            decode("Дата".as_bytes()),
            ("Дата".to_owned(), Encoding::Utf8)
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("Дата".as_bytes());
        assert_eq!(decode(&bom), ("Дата".to_owned(), Encoding::Utf8Bom));
        let mut le = vec![0xFF, 0xFE];
        le.extend("Дата;1".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le), ("Дата;1".to_owned(), Encoding::Utf16Le));
        let mut be = vec![0xFE, 0xFF];
        be.extend("ИНН".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be), ("ИНН".to_owned(), Encoding::Utf16Be));
    }
}
