//! Spreadsheets on the relay: reading a workbook's sheet into text cells
//! (`calamine`) for the client import, and writing rows as an .xlsx
//! (`rust_xlsxwriter`) for the export. Both live here rather than in the
//! app so the wasm stays small; CSV is read and written in `kartoteka`.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Days, NaiveDate};
use kartoteka::api::{XlsxExportRequest, XlsxSheet};
use kartoteka::export::cell::neutralise;
use rust_xlsxwriter::{Format, Workbook};

/// Why a workbook cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not an Excel workbook (.xlsx, .xls) or it is damaged: {0}")]
    NotAWorkbook(String),
    #[error("the workbook has no sheet named {name:?}; it has: {}", sheets.join(", "))]
    NoSuchSheet { name: String, sheets: Vec<String> },
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("the sheet {0:?} cannot be read: {1}")]
    BadSheet(String, String),
    #[error("an .xlsx sheet holds at most 1,048,576 rows and 16,384 columns")]
    TooBig,
    #[error("the workbook cannot be written: {0}")]
    Write(String),
}

/// The sheets of a workbook and the cells of `sheet` (the first one when
/// `None`), as text.
pub fn read_sheet(bytes: &[u8], sheet: Option<&str>) -> Result<XlsxSheet, XlsxError> {
    if bytes.is_empty() {
        return Err(XlsxError::Empty);
    }
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| XlsxError::NotAWorkbook(e.to_string()))?;
    let sheets = workbook.sheet_names();
    let name = match sheet {
        Some(name) if sheets.iter().any(|s| s == name) => name.to_owned(),
        Some(name) => {
            return Err(XlsxError::NoSuchSheet {
                name: name.to_owned(),
                sheets,
            });
        }
        None => sheets.first().cloned().ok_or(XlsxError::NoSheets)?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| XlsxError::BadSheet(name.clone(), e.to_string()))?;
    // The range starts at its first used cell: rows and columns before it
    // are put back, so line numbers are the sheet's row numbers.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(cell_text));
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    Ok(XlsxSheet {
        sheets,
        sheet: name,
        rows,
    })
}

/// A cell as text: whole numbers without a decimal point (an INN or a
/// phone kept as a number), dates as `dd.mm.yyyy`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_else(|| d.as_f64().to_string()),
        Data::Error(e) => e.to_string(),
    }
}

/// A spreadsheet's date serial number (days since 1899-12-30) as
/// `dd.mm.yyyy`.
fn excel_date(serial: f64) -> Option<String> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let date = epoch.checked_add_days(Days::new(serial.trunc() as u64))?;
    Some(date.format("%d.%m.%Y").to_string())
}

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// Rows as an .xlsx workbook of one sheet: the header row bold, frozen and
/// filtered, each column as wide as its longest cell (up to
/// [`MAX_WIDTH`]), every cell written as text and neutralised.
pub fn write(request: &XlsxExportRequest) -> Result<Vec<u8>, XlsxError> {
    let columns = request
        .rows
        .iter()
        .map(Vec::len)
        .chain([request.header.len()])
        .max()
        .unwrap_or(0);
    let last_row = u32::try_from(request.rows.len()).map_err(|_| XlsxError::TooBig)?;
    if last_row >= 1_048_576 || columns > 16_384 {
        return Err(XlsxError::TooBig);
    }
    let write_error = |e: rust_xlsxwriter::XlsxError| XlsxError::Write(e.to_string());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name = sheet_name(&request.sheet);
    sheet.set_name(name).map_err(write_error)?;
    let bold = Format::new().set_bold();
    let mut widths = vec![0usize; columns];
    for (c, cell) in request.header.iter().enumerate() {
        let cell = neutralise(cell);
        widths[c] = widths[c].max(cell.chars().count());
        sheet
            .write_string_with_format(0, c as u16, cell, &bold)
            .map_err(write_error)?;
    }
    for (r, row) in request.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let cell = neutralise(cell);
            widths[c] = widths[c].max(cell.chars().count());
            sheet
                .write_string(r as u32 + 1, c as u16, cell)
                .map_err(write_error)?;
        }
    }
    for (c, width) in widths.iter().enumerate() {
        sheet
            .set_column_width(c as u16, (*width).clamp(6, MAX_WIDTH) as f64 + 2.0)
            .map_err(write_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(write_error)?;
    if columns > 0 {
        sheet
            .autofilter(0, 0, last_row, columns as u16 - 1)
            .map_err(write_error)?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

/// A sheet name Excel accepts: without `[]:*?/\`, at most 31 characters.
fn sheet_name(wanted: &str) -> String {
    let name: String = wanted
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_owned();
    if name.is_empty() {
        "Клиенты".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        for (name, rows) in sheets {
            let sheet = workbook.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn the_chosen_sheet_of_several_is_read() {
        let bytes = workbook(&[
            ("Сводка", &[&["Всего", "2"]]),
            (
                "Клиенты",
                &[&["Наименование", "ИНН"], &["Вектор", "7707083893"]],
            ),
        ]);
        let first = read_sheet(&bytes, None).unwrap();
        assert_eq!(first.sheets, vec!["Сводка", "Клиенты"]);
        assert_eq!(first.sheet, "Сводка");
        let clients = read_sheet(&bytes, Some("Клиенты")).unwrap();
        assert_eq!(clients.rows[1], vec!["Вектор", "7707083893"]);
        let missing = read_sheet(&bytes, Some("Нет")).unwrap_err();
        assert!(missing.to_string().contains("Сводка, Клиенты"));
    }

    #[test]
    fn numbers_and_dates_read_as_people_wrote_them() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_number(2, 1, 7707083893.0).unwrap();
        sheet.write_number(2, 2, 1.5).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1980, 3, 9).unwrap();
        let format = Format::new().set_num_format("dd.mm.yyyy");
        sheet
            .write_datetime_with_format(2, 3, &date, &format)
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let sheet = read_sheet(&bytes, None).unwrap();
        // Rows and columns before the first used cell are kept.
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[2], vec!["", "7707083893", "1.5", "09.03.1980"]);
    }

    #[test]
    fn empty_and_binary_files_are_refused_with_a_message() {
        assert_eq!(read_sheet(b"", None), Err(XlsxError::Empty));
        let binary: Vec<u8> = (0..=255u8).cycle().take(4000).collect();
        let err = read_sheet(&binary, None).unwrap_err();
        assert!(matches!(err, XlsxError::NotAWorkbook(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("the file is not an Excel workbook")
        );
    }

    #[test]
    fn an_export_reads_back_neutralised_with_its_header() {
        let request = XlsxExportRequest {
            sheet: "Клиенты: все".into(),
            header: vec!["Наименование".into(), "Телефон".into()],
            rows: vec![
                vec!["=HYPERLINK(\"http://x\")".into(), "+7 495 111-22-33".into()],
                vec!["Вектор".into()],
            ],
        };
        let bytes = write(&request).unwrap();
        let sheet = read_sheet(&bytes, None).unwrap();
        assert_eq!(sheet.sheet, "Клиенты все");
        assert_eq!(
            sheet.rows,
            vec![
                vec!["Наименование", "Телефон"],
                vec!["'=HYPERLINK(\"http://x\")", "'+7 495 111-22-33"],
                vec!["Вектор"],
            ]
        );
        // The sheet's XML holds the frozen pane and the filter.
        let mut zip = Cursor::new(bytes);
        let mut xml = String::new();
        {
            use std::io::Read;
            let mut archive = zip::ZipArchive::new(&mut zip).unwrap();
            archive
                .by_name("xl/worksheets/sheet1.xml")
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
        }
        assert!(xml.contains("<autoFilter ref=\"A1:B3\""), "{xml}");
        assert!(xml.contains("state=\"frozen\""));
    }
}
