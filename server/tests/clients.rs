//! Clients in and out (SPEC 8, SPEC 2): the duplicate warning over the
//! whole base, spreadsheets read and written by the relay, the backup,
//! and the `import clients`, `export clients` and `backup` commands as an
//! operator uses them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kartoteka::api::{DuplicateKey, DuplicatesResponse, LoginResponse, XlsxSheet};
use kartoteka::date::{Date, Timestamp};
use kartoteka::summary::ClientSummary;
use kartoteka_server::store::UserRecord;
use kartoteka_server::sync::authority::may_read;
use kartoteka_server::sync::{Access, Policy};
use kartoteka_server::{AppState, Clock, Store, app, clients, seed};
use serde_json::{Value, json};
use tower::ServiceExt;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn state(clients: usize) -> Result<AppState> {
    // On PostgreSQL when KARTOTEKA_TEST_DATABASE names a server.
    let store = kartoteka_server::store::testing::fresh()?;
    let today = Date::from_ymd(2026, 11, 22).ok_or("date")?;
    seed::seed_demo(&store, clients, today, 7, Timestamp(1_795_300_000_000))?;
    Ok(AppState::new(store, Clock::default(), None))
}

async fn call(state: &AppState, req: Request<Body>) -> Result<(StatusCode, Vec<u8>)> {
    let res = app(state.clone()).oneshot(req).await?;
    let status = res.status();
    let body = res.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, body))
}

async fn token(state: &AppState, who: &str) -> Result<String> {
    let req = Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "login": who, "password": "kartoteka" }).to_string(),
        ))?;
    let (status, body) = call(state, req).await?;
    assert_eq!(status, StatusCode::OK);
    Ok(serde_json::from_slice::<LoginResponse>(&body)?.token)
}

fn get(path: &str, token: &str) -> Result<Request<Body>> {
    Ok(Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())?)
}

fn post(path: &str, token: &str, body: impl Into<Body>) -> Result<Request<Body>> {
    Ok(Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.into())?)
}

fn user(store: &Store, login: &str) -> Result<UserRecord> {
    Ok(store.user_by_login(login)?.ok_or("no such user")?)
}

/// A client of `owner` with an INN that `other` may not read.
fn someone_elses_client(store: &Store, owner: &str, other: &str) -> Result<ClientSummary> {
    let owner = user(store, owner)?;
    let other = user(store, other)?;
    let workspace = clients::workspace(store)?;
    let today = clients::today(&workspace, Timestamp(Clock::default().now_ms()));
    let policy = Policy::of(None, Some(&workspace));
    clients::summaries(store)?
        .into_iter()
        .find(|s| {
            s.responsible.as_ref() == Some(&owner.id)
                && !s.inn.is_empty()
                && !s.contacts.iter().all(|c| c.phones.is_empty())
                && !may_read(&other, &Access::Client(Arc::new(s.clone())), &policy, today)
        })
        .ok_or_else(|| "no such client in the demo".into())
}

#[tokio::test]
async fn a_manager_with_another_managers_inn_is_told_who_is_responsible_but_not_the_card() -> Result
{
    let state = state(60)?;
    let theirs = someone_elses_client(&state.store, "smirnova", "petrov")?;
    let petrov = token(&state, "petrov").await?;
    let path = format!("/api/duplicates?inn={}", theirs.inn);
    let (status, body) = call(&state, get(&path, &petrov)?).await?;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body.clone())?;
    let answer: DuplicatesResponse = serde_json::from_slice(&body)?;
    assert_eq!(answer.hits.len(), 1, "{text}");
    assert_eq!(answer.hits[0].keys, vec![DuplicateKey::Inn]);
    assert_eq!(answer.hits[0].responsible.as_deref(), Some("Анна Смирнова"));
    assert!(answer.hits[0].readable.is_none());
    assert!(!text.contains(theirs.id.as_str()), "{text}");
    assert!(!text.contains(&theirs.name), "{text}");

    // The contact's phone, written otherwise, finds the same client.
    let phone = theirs
        .contacts
        .iter()
        .flat_map(|c| &c.phones)
        .next()
        .ok_or("a phone")?;
    let encoded: String = phone
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let path = format!("/api/duplicates?phone={encoded}");
    let (_, body) = call(&state, get(&path, &petrov)?).await?;
    let answer: DuplicatesResponse = serde_json::from_slice(&body)?;
    assert!(
        answer
            .hits
            .iter()
            .any(|h| h.keys == vec![DuplicateKey::Phone] && h.readable.is_none()),
        "{answer:?}"
    );

    // Its manager is shown the client to open.
    let smirnova = token(&state, "smirnova").await?;
    let path = format!("/api/duplicates?inn={}", theirs.inn);
    let (_, body) = call(&state, get(&path, &smirnova)?).await?;
    let answer: DuplicatesResponse = serde_json::from_slice(&body)?;
    let readable = answer.hits[0].readable.as_ref().ok_or("readable")?;
    assert_eq!(readable.client_id, theirs.id.as_str());

    let bare = Request::get(path.as_str()).body(Body::empty())?;
    assert_eq!(call(&state, bare).await?.0, StatusCode::UNAUTHORIZED);
    let (_, body) = call(&state, get("/api/duplicates?inn=123", &petrov)?).await?;
    assert_eq!(serde_json::from_slice::<Value>(&body)?["hits"], json!([]));
    Ok(())
}

fn workbook() -> Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (name, first) in [("Сводка", "Итого"), ("Клиенты", "Наименование")]
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        sheet.write_string(0, 0, first)?;
        sheet.write_string(0, 1, "ИНН")?;
        sheet.write_string(1, 0, "Вектор")?;
        sheet.write_number(1, 1, 7707083893.0)?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[tokio::test]
async fn a_supervisor_reads_the_chosen_sheet_of_a_workbook() -> Result {
    let state = state(1)?;
    let orlova = token(&state, "orlova").await?;
    let req = post(
        "/api/xlsx/read?sheet=%D0%9A%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D1%8B",
        &orlova,
        workbook()?,
    )?;
    let (status, body) = call(&state, req).await?;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let sheet: XlsxSheet = serde_json::from_slice(&body)?;
    assert_eq!(sheet.sheets, vec!["Сводка", "Клиенты"]);
    assert_eq!(sheet.sheet, "Клиенты");
    assert_eq!(sheet.rows[1], vec!["Вектор", "7707083893"]);

    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let (status, body) = call(&state, post("/api/xlsx/read", &orlova, binary)?).await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body)?;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the file is not an Excel workbook")),
        "{body}"
    );

    let petrov = token(&state, "petrov").await?;
    let (status, _) = call(&state, post("/api/xlsx/read", &petrov, workbook()?)?).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn an_export_is_written_as_xlsx_that_runs_no_formula() -> Result {
    let state = state(1)?;
    let petrov = token(&state, "petrov").await?;
    let request = json!({
        "sheet": "Клиенты",
        "header": ["Наименование", "Телефон"],
        "rows": [["=cmd|' /C calc'!A0", "+7 495 111-22-33"], ["Вектор", ""]],
    });
    let (status, body) = call(
        &state,
        post("/api/export/xlsx", &petrov, request.to_string())?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    let sheet = kartoteka_server::xlsx::read_sheet(&body, None)?;
    assert_eq!(
        sheet.rows[1],
        vec!["'=cmd|' /C calc'!A0", "'+7 495 111-22-33"]
    );
    Ok(())
}

#[tokio::test]
async fn an_administrator_or_the_backup_key_gets_a_copy_of_the_store() -> Result {
    let state = state(12)?;
    let admin = token(&state, "admin").await?;
    let (status, body) = call(&state, get("/api/backup", &admin)?).await?;
    if kartoteka_server::store::testing::server().is_some() {
        // PostgreSQL is copied with pg_dump, and the relay says so.
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
        let body: Value = serde_json::from_slice(&body)?;
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains("pg_dump")),
            "{body}"
        );
        let (key, hash) = kartoteka_server::auth::new_token()?;
        state.store.set_backup_key(&hash)?;
        assert!(
            state
                .store
                .is_backup_key(&kartoteka_server::auth::token_hash(&key))?
        );
        assert!(
            !state
                .store
                .is_backup_key(&kartoteka_server::auth::token_hash("other"))?
        );
        return Ok(());
    }
    assert_eq!(status, StatusCode::OK);
    let path = temp("backup-api.redb");
    std::fs::write(&path, &body)?;
    let copy = Store::open_file(&path)?;
    assert_eq!(copy.client_count()?, 12);
    assert!(copy.user_by_login("petrov")?.is_some());
    drop(copy);
    std::fs::remove_file(&path)?;

    let orlova = token(&state, "orlova").await?;
    assert_eq!(
        call(&state, get("/api/backup", &orlova)?).await?.0,
        StatusCode::FORBIDDEN
    );
    let (key, hash) = kartoteka_server::auth::new_token()?;
    state.store.set_backup_key(&hash)?;
    let with_key = |k: &str| {
        Request::get("/api/backup")
            .header("x-kartoteka-backup-key", k)
            .body(Body::empty())
    };
    assert_eq!(call(&state, with_key(&key)?).await?.0, StatusCode::OK);
    assert_eq!(
        call(&state, with_key("not the key")?).await?.0,
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

// The command line.

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kartoteka-clients-{}-{name}", std::process::id()))
}

fn kartoteka(args: &[&str]) -> Result<(bool, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_kartoteka"))
        .args(args)
        .output()?;
    Ok((
        out.status.success(),
        String::from_utf8(out.stdout)?,
        String::from_utf8(out.stderr)?,
    ))
}

fn demo_folder(name: &str, clients: usize) -> Result<PathBuf> {
    let dir = temp(name);
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, _, err) = kartoteka(&[
        "demo",
        "--clients",
        &clients.to_string(),
        "--data",
        path(&dir)?,
    ])?;
    assert!(ok, "{err}");
    Ok(dir)
}

fn path(p: &Path) -> Result<&str> {
    p.to_str().ok_or_else(|| "a path that is not UTF-8".into())
}

#[test]
fn an_administrator_imports_clients_into_a_stopped_relay_once() -> Result {
    let dir = demo_folder("import", 10)?;
    let existing = {
        let store = Store::open(&dir)?;
        clients::summaries(&store)?
            .into_iter()
            .find(|s| !s.inn.is_empty())
            .ok_or("a client with an INN")?
    };
    let file = temp("import.csv");
    std::fs::write(
        &file,
        format!(
            "Наименование;ИНН;Телефон;Ответственный;Контактное лицо;Телефон контакта\n\
             ООО «Импорт-Тест»;7736207543;+7 495 765-43-21;petrov;Иван Импортов;+7 916 765-43-21\n\
             ООО «Импорт-Тест»;7736207543;;;Мария Импортова;\n\
             {};{};;;Новый Контакт;\n\
             Ошибка;7707083894;;;;\n",
            existing.name, existing.inn
        ),
    )?;
    let args = |extra: &[&'static str]| -> Result<Vec<String>> {
        let mut v: Vec<String> = [
            "import",
            "clients",
            path(&file)?,
            "--data",
            path(&dir)?,
            "--as",
            "admin",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        Ok(v)
    };
    let run = |extra: &[&'static str]| -> Result<(bool, String, String)> {
        let a = args(extra)?;
        kartoteka(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let (ok, out, _) = run(&["--dry-run"])?;
    assert!(!ok, "a refused row makes the exit code non-zero");
    assert!(out.contains("dry run"), "{out}");
    assert!(
        out.contains("Added: 1 clients with 2 contact persons"),
        "{out}"
    );
    assert!(out.contains("Joined: 1 existing clients"), "{out}");
    assert!(
        out.contains("line 5, column B \"ИНН\": \"7707083894\" — INN check digit 10"),
        "{out}"
    );
    assert_eq!(
        Store::open(&dir)?.client_count()?,
        10,
        "a dry run writes nothing"
    );

    let (ok, out, _) = run(&[])?;
    assert!(!ok);
    assert!(out.contains("Refused: 1 rows"), "{out}");
    {
        let store = Store::open(&dir)?;
        let all = clients::summaries(&store)?;
        assert_eq!(all.len(), 11);
        let new = all
            .iter()
            .find(|s| s.inn == "7736207543")
            .ok_or("the new client")?;
        assert_eq!(new.contacts.len(), 2);
        assert_eq!(new.responsible, Some(user(&store, "petrov")?.id));
        let joined = all.iter().find(|s| s.id == existing.id).ok_or("joined")?;
        assert_eq!(joined.contacts.len(), existing.contacts.len() + 1);
    }

    let (_, out, _) = run(&[])?;
    assert!(out.contains("Added: 0 clients"), "{out}");
    assert!(out.contains("Joined: 0 existing clients"), "{out}");
    assert!(out.contains("Already there, nothing to add: 2"), "{out}");
    assert_eq!(Store::open(&dir)?.client_count()?, 11);

    let (ok, _, err) = kartoteka(&[
        "import",
        "clients",
        path(&file)?,
        "--data",
        path(&dir)?,
        "--as",
        "petrov",
    ])?;
    assert!(!ok);
    assert!(err.contains("only they import"), "{err}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn clients_are_exported_as_csv_and_xlsx_for_everyone_or_one_manager() -> Result {
    let dir = demo_folder("export", 30)?;
    let csv = temp("export.csv");
    let (ok, out, err) = kartoteka(&[
        "export",
        "clients",
        "--data",
        path(&dir)?,
        "--format",
        "csv",
        "--out",
        path(&csv)?,
    ])?;
    assert!(ok, "{err}");
    assert!(out.contains("Exported 30 clients"), "{out}");
    let bytes = std::fs::read(&csv)?;
    assert!(bytes.starts_with("\u{FEFF}Наименование;ИНН;КПП;ОГРН;".as_bytes()));
    let all_rows = String::from_utf8(bytes)?.lines().count() - 1;

    let (ok, out, err) = kartoteka(&[
        "export",
        "clients",
        "--data",
        path(&dir)?,
        "--format",
        "csv",
        "--out",
        path(&csv)?,
        "--as",
        "petrov",
    ])?;
    assert!(ok, "{err}");
    let mine = std::fs::read_to_string(&csv)?.lines().count() - 1;
    assert!(mine > 0 && mine < all_rows, "{out}");

    let xlsx = temp("export.xlsx");
    let (ok, _, err) = kartoteka(&[
        "export",
        "clients",
        "--data",
        path(&dir)?,
        "--format",
        "xlsx",
        "--out",
        path(&xlsx)?,
        "--lang",
        "en",
    ])?;
    assert!(ok, "{err}");
    let sheet = kartoteka_server::xlsx::read_sheet(&std::fs::read(&xlsx)?, None)?;
    assert_eq!(sheet.rows[0][0], "Name");
    assert_eq!(sheet.rows.len() - 1, all_rows);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn a_backup_is_made_of_a_stopped_and_of_a_running_relay() -> Result {
    let dir = demo_folder("backup", 8)?;
    let out = temp("stopped.redb");
    let _ = std::fs::remove_file(&out);
    let (ok, stdout, err) = kartoteka(&["backup", "--data", path(&dir)?, "--out", path(&out)?])?;
    assert!(ok, "{err}");
    assert!(stdout.contains("Backup written"), "{stdout}");
    assert_eq!(Store::open_file(&out)?.client_count()?, 8);
    std::fs::remove_file(&out)?;

    let dist = temp("dist");
    std::fs::create_dir_all(&dist)?;
    std::fs::write(dist.join("index.html"), "<!doctype html>")?;
    let mut relay = Command::new(env!("CARGO_BIN_EXE_kartoteka"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--data",
            path(&dir)?,
            "--dist",
            path(&dist)?,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let key = dir.join(kartoteka_server::cli::BACKUP_KEY_FILE);
    let result = (|| -> Result {
        for _ in 0..200 {
            if key.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = temp("running.redb");
        let _ = std::fs::remove_file(&out);
        let (ok, stdout, err) =
            kartoteka(&["backup", "--data", path(&dir)?, "--out", path(&out)?])?;
        assert!(ok, "{err}");
        assert!(stdout.contains("Backup written"), "{stdout}");
        assert_eq!(Store::open_file(&out)?.client_count()?, 8);
        std::fs::remove_file(&out)?;
        // The import refuses a running relay's folder.
        let (ok, _, err) = kartoteka(&[
            "export",
            "clients",
            "--data",
            path(&dir)?,
            "--format",
            "csv",
            "--out",
            path(&temp("never.csv"))?,
        ])?;
        assert!(!ok);
        assert!(err.contains("a relay is running"), "{err}");
        Ok(())
    })();
    relay.kill()?;
    relay.wait()?;
    result?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
