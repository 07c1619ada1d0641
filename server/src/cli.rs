//! The administration commands that move clients in and out of a data
//! folder and copy it: `kartoteka import clients`, `kartoteka export
//! clients` and `kartoteka backup` (SPEC 10). `main.rs` parses the command
//! line and calls these; they print what they did for the operator.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use kartoteka::api::XlsxExportRequest;
use kartoteka::date::Timestamp;
use kartoteka::export::CsvWriter;
use kartoteka::ids::UserId;
use kartoteka::import::clients::{
    BadValue, ColumnMapping, OnBadValue, Table, TableError, column_letter, read_csv,
};
use kartoteka::workspace::Role;

use crate::api::BACKUP_KEY_HEADER;
use crate::clients::{Lang, export_header, for_each_export_row, import};
use crate::store::{Store, StoreError, UserRecord};

/// The file in a data folder where a running relay leaves its address and
/// the key it accepts for a backup (readable by the folder's owner only).
pub const BACKUP_KEY_FILE: &str = "backup.key";

/// Opens a data folder that no relay is running on.
fn open_stopped(data: &Path) -> anyhow::Result<Store> {
    match Store::open(data) {
        Ok(store) => Ok(store),
        Err(StoreError::Open(redb::DatabaseError::DatabaseAlreadyOpen)) => bail!(
            "a relay is running on {}: stop it first (this command writes into the store directly)",
            data.display()
        ),
        Err(e) => Err(e).with_context(|| format!("opening {}", data.display())),
    }
}

fn user(store: &Store, login: &str) -> anyhow::Result<UserRecord> {
    store
        .user_by_login(login)?
        .filter(|u| u.active)
        .with_context(|| format!("no active user has the login {login:?}"))
}

fn describe(bad: &BadValue) -> String {
    format!(
        "line {}, column {} \"{}\": {:?} — {}",
        bad.line,
        column_letter(bad.column),
        bad.header,
        bad.value,
        bad.problem
    )
}

/// The file as a table: a workbook's sheet (the first, or `sheet`), or CSV.
fn read_table(bytes: &[u8], sheet: Option<&str>) -> anyhow::Result<Table> {
    match read_csv(bytes) {
        Ok(csv) => Ok(csv.table),
        Err(TableError::Workbook) => {
            let sheet = crate::xlsx::read_sheet(bytes, sheet)?;
            Ok(Table::from_rows(sheet.rows))
        }
        Err(e) => Err(e.into()),
    }
}

/// `kartoteka import clients FILE --data DIR --as LOGIN [--dry-run]`:
/// imports into a stopped relay's data folder and prints what it added,
/// joined and refused. Returns whether every row was imported.
pub fn import_clients(
    file: &Path,
    data: &Path,
    login: &str,
    sheet: Option<&str>,
    on_bad: OnBadValue,
    dry_run: bool,
    now: Timestamp,
) -> anyhow::Result<bool> {
    let store = open_stopped(data)?;
    let by = user(&store, login)?;
    if !by.role.sees_everything() {
        bail!("{login} is not an administrator or a supervisor: only they import clients");
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let table = read_table(&bytes, sheet).with_context(|| file.display().to_string())?;
    let mapping = ColumnMapping::guess(&table).with_context(|| file.display().to_string())?;
    let header = table
        .rows
        .get(mapping.header_row)
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    let mut columns = String::new();
    for (i, field) in mapping.fields.iter().enumerate() {
        let name = header.get(i).map_or("", String::as_str);
        match field {
            Some(f) => writeln!(columns, "  {} \"{name}\" → {f}", column_letter(i))?,
            None => writeln!(columns, "  {} \"{name}\" (not imported)", column_letter(i))?,
        }
    }
    println!(
        "Columns (header on line {}):\n{columns}",
        mapping.header_row + 1
    );
    let report = import(&store, &table, &mapping, on_bad, &by, now, dry_run)?;
    let p = &report.preview;
    let verb = if report.written {
        ""
    } else {
        " (dry run: nothing written)"
    };
    println!("Rows read: {}{verb}", p.total_rows);
    println!(
        "Added: {} clients with {} contact persons",
        p.new.len(),
        p.new.iter().map(|c| c.client.contacts.len()).sum::<usize>()
    );
    for c in &p.new {
        println!(
            "  + {} (lines {})",
            display(&c.client),
            lines(&c.client.lines)
        );
    }
    println!("Joined: {} existing clients", p.joining.len());
    for c in &p.joining {
        if let Some(join) = &c.joins {
            println!(
                "  ~ {} joins \"{}\" ({}): {} contacts, {} phones, {} e-mails (lines {})",
                display(&c.client),
                join.name,
                join.client_id,
                c.adds.contacts,
                c.adds.phones,
                c.adds.emails,
                lines(&c.client.lines)
            );
        }
    }
    println!("Already there, nothing to add: {}", p.unchanged.len());
    for bad in &p.dropped {
        println!("  value left out: {}", describe(bad));
    }
    println!("Refused: {} rows", p.refused.len());
    for row in &p.refused {
        for bad in &row.problems {
            println!("  ! {}", describe(bad));
        }
    }
    Ok(p.refused.is_empty())
}

fn display(c: &kartoteka::import::clients::ImportedClient) -> String {
    let name = kartoteka::summary::display_name(&c.legal_form, &c.name);
    match &c.inn {
        Some(inn) => format!("{name}, INN {inn}"),
        None => name,
    }
}

fn lines(lines: &[usize]) -> String {
    lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// `kartoteka export clients --data DIR --format csv|xlsx --out FILE
/// [--as LOGIN]`: the clients LOGIN may read (everything without `--as`),
/// one row per contact person. Returns how many clients and rows.
pub fn export_clients(
    data: &Path,
    format: ExportFormat,
    out: &Path,
    login: Option<&str>,
    lang: Lang,
    now: Timestamp,
) -> anyhow::Result<(usize, usize)> {
    let store = open_stopped(data)?;
    let reader = match login {
        Some(login) => user(&store, login)?,
        // The operator of the data folder reads everything.
        None => UserRecord {
            id: UserId(String::new()),
            login: String::new(),
            name: String::new(),
            role: Role::Administrator,
            password_hash: String::new(),
            active: true,
            last_login: None,
        },
    };
    let header = export_header(lang);
    let mut rows = 0;
    let (clients, bytes) = match format {
        ExportFormat::Csv => {
            let mut csv = CsvWriter::new(&header);
            let clients = for_each_export_row(&store, &reader, now, lang, |row| {
                csv.row(&row);
                rows += 1;
            })?;
            (clients, csv.finish())
        }
        ExportFormat::Xlsx => {
            let mut all = Vec::new();
            let clients = for_each_export_row(&store, &reader, now, lang, |row| all.push(row))?;
            rows = all.len();
            let sheet = match lang {
                Lang::Ru => "Клиенты",
                Lang::En => "Clients",
            };
            let request = XlsxExportRequest {
                sheet: sheet.to_owned(),
                header,
                rows: all,
            };
            (clients, crate::xlsx::write(&request)?)
        }
    };
    std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
    Ok((clients, rows))
}

/// `kartoteka backup --data DIR --out FILE`: a consistent copy of the
/// store. A stopped relay's folder is copied directly; a running relay is
/// asked for the copy (`GET /api/backup` with the key it left in
/// [`BACKUP_KEY_FILE`]), since it holds the store's lock. Returns the size
/// of the copy in bytes.
pub fn backup(data: &Path, out: &Path) -> anyhow::Result<u64> {
    if out.exists() {
        bail!("{} already exists; choose a new file", out.display());
    }
    match Store::open(data) {
        Ok(store) => {
            store.backup_to(out)?;
        }
        Err(StoreError::Open(redb::DatabaseError::DatabaseAlreadyOpen)) => {
            let bytes = backup_from_running(data)?;
            let partial = out.with_extension("partial");
            std::fs::write(&partial, &bytes)
                .with_context(|| format!("writing {}", partial.display()))?;
            std::fs::rename(&partial, out).with_context(|| format!("writing {}", out.display()))?;
        }
        Err(e) => return Err(e).with_context(|| format!("opening {}", data.display())),
    }
    // The copy must open as a store.
    drop(Store::open_file(out).with_context(|| format!("checking {}", out.display()))?);
    Ok(std::fs::metadata(out)?.len())
}

/// Asks the relay running on `data` for a backup over HTTP/1.0 (one
/// request, the body up to the end of the connection).
fn backup_from_running(data: &Path) -> anyhow::Result<Vec<u8>> {
    let key_file = data.join(BACKUP_KEY_FILE);
    let text = std::fs::read_to_string(&key_file).with_context(|| {
        format!(
            "a relay holds {} but left no {} (it serves HTTPS itself, or is an older version): stop it to make the backup",
            data.display(),
            key_file.display()
        )
    })?;
    let mut lines = text.lines();
    let (Some(addr), Some(key)) = (lines.next(), lines.next()) else {
        bail!("{} is damaged", key_file.display());
    };
    let mut stream = TcpStream::connect(addr.trim())
        .with_context(|| format!("connecting to the relay at {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    write!(
        stream,
        "GET /api/backup HTTP/1.0\r\nHost: {addr}\r\n{BACKUP_KEY_HEADER}: {key}\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the relay's answer has no header")?;
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let status = head.lines().next().unwrap_or("");
    let body = response.split_off(end + 4);
    if !status.contains(" 200 ") {
        bail!(
            "the relay refused the backup: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    Ok(body)
}
