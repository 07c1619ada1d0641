//! The `kartoteka` command line as an operator uses it.

use std::process::Command;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

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

fn facts_file(json: &str) -> Result<std::path::PathBuf> {
    let path =
        std::env::temp_dir().join(format!("facts-{}-{}.json", std::process::id(), json.len()));
    std::fs::write(&path, json)?;
    Ok(path)
}

#[test]
fn evaluate_prints_each_clients_status_zone_and_responsible() -> Result {
    let path = facts_file(
        r#"{ "settings": { "status_period_days": 30, "zone_months": [1, 5, 6] },
             "clients": [ { "id": "c1", "created": "2026-01-10", "responsible": "m1",
               "interests": [ { "id": "i1", "created": "2026-01-12" } ] } ] }"#,
    )?;
    let (ok, out, err) = kartoteka(&[
        "evaluate",
        "--input",
        path.to_str().ok_or("path")?,
        "--as-of",
        "2026-01-20",
    ])?;
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["c1"]["status"], "in_progress");
    assert_eq!(v["c1"]["zone"], "green");
    assert_eq!(v["c1"]["responsible"], "m1");
    Ok(())
}

#[test]
fn evaluate_refuses_bad_input_naming_the_client_and_field() -> Result {
    let path = facts_file(
        r#"{ "clients": [ { "id": "c7", "created": "2026-01-10",
             "manual_statuses": [ { "date": "2026-02-01", "status": "foo" } ] } ] }"#,
    )?;
    let (ok, _, err) = kartoteka(&[
        "evaluate",
        "--input",
        path.to_str().ok_or("path")?,
        "--as-of",
        "2026-03-01",
    ])?;
    assert!(!ok);
    assert!(err.contains("c7") && err.contains("status"), "{err}");
    let (ok, _, err) = kartoteka(&[
        "evaluate",
        "--input",
        path.to_str().ok_or("path")?,
        "--as-of",
        "03.01.2026",
    ])?;
    assert!(!ok);
    assert!(err.contains("--as-of"), "{err}");
    Ok(())
}

fn named_facts_file(name: &str, json: &str) -> Result<std::path::PathBuf> {
    let path = std::env::temp_dir().join(format!("facts-{}-{name}.json", std::process::id()));
    std::fs::write(&path, json)?;
    Ok(path)
}

#[test]
fn zones_prints_the_weekly_series_per_manager_and_the_exchange() -> Result {
    let path = named_facts_file(
        "zones",
        r#"{ "clients": [
             { "id": "c1", "created": "2026-01-10", "responsible": "m1" },
             { "id": "c2", "created": "2026-02-15", "responsible": "m2" },
             { "id": "c3", "created": "2026-01-10" },
             { "id": "c4", "created": "2026-03-01", "responsible": "m3" } ] }"#,
    )?;
    let (ok, out, err) = kartoteka(&[
        "zones",
        "--input",
        path.to_str().ok_or("path")?,
        "--as-of",
        "2026-02-20",
        "--weeks",
        "3",
    ])?;
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(
        v,
        serde_json::json!({
            "dates": ["2026-02-06", "2026-02-13", "2026-02-20"],
            "managers": {
                "m1": { "green": [1, 0, 0], "yellow": [0, 1, 1], "red": [0, 0, 0] },
                "m2": { "green": [0, 0, 1], "yellow": [0, 0, 0], "red": [0, 0, 0] }
            },
            "exchange": [0, 0, 0]
        })
    );
    Ok(())
}

#[test]
fn zones_refuses_bad_input_naming_the_client_and_field() -> Result {
    let path = named_facts_file(
        "zones-bad",
        r#"{ "clients": [ { "id": "c9", "created": "2026-01-10",
             "interests": [ { "created": "2026-01-12", "automatic": true,
                              "taken_up": "2026-13-01" } ] } ] }"#,
    )?;
    let input = path.to_str().ok_or("path")?;
    let (ok, out, err) = kartoteka(&["zones", "--input", input, "--as-of", "2026-03-01"])?;
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("c9") && err.contains("interests[0].taken_up"),
        "{err}"
    );
    let path = named_facts_file(
        "zones-status",
        r#"{ "clients": [ { "id": "c7", "created": "2026-01-10",
             "manual_statuses": [ { "date": "2026-02-01", "status": "foo" } ] } ] }"#,
    )?;
    let input = path.to_str().ok_or("path")?;
    let (ok, _, err) = kartoteka(&["zones", "--input", input, "--as-of", "2026-03-01"])?;
    assert!(!ok);
    assert!(
        err.contains("c7") && err.contains("manual_statuses[0].status"),
        "{err}"
    );
    let (ok, _, err) = kartoteka(&[
        "zones",
        "--input",
        input,
        "--as-of",
        "2026-03-01",
        "--weeks",
        "0",
    ])?;
    assert!(!ok);
    assert!(err.contains("--weeks"), "{err}");
    Ok(())
}

#[test]
fn evaluate_with_classes_adds_abc_and_xyz_and_names_a_bad_amount() -> Result {
    let path = facts_file(
        r#"{ "settings": { "abc_percent": [80, 95], "xyz_percent": [10, 25] },
             "clients": [
               { "id": "c1", "created": "2025-01-10",
                 "payments": [ { "date": "2026-03-03", "amount": 1000.55 } ] },
               { "id": "c2", "created": "2025-01-10" } ] }"#,
    )?;
    let path = path.to_str().ok_or("path")?;
    let (ok, out, err) = kartoteka(&[
        "evaluate",
        "--classes",
        "--input",
        path,
        "--as-of",
        "2026-11-22",
    ])?;
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["c1"]["abc"], "A");
    assert_eq!(v["c1"]["xyz"], "Z");
    assert!(v["c2"]["abc"].is_null() && v["c2"]["xyz"].is_null());

    let path = facts_file(
        r#"{ "clients": [ { "id": "c9", "created": "2025-01-10",
             "payments": [ { "date": "2026-03-03", "amount": -1000 } ] } ] }"#,
    )?;
    let (ok, _, err) = kartoteka(&[
        "evaluate",
        "--classes",
        "--input",
        path.to_str().ok_or("path")?,
        "--as-of",
        "2026-11-22",
    ])?;
    assert!(!ok);
    assert!(
        err.contains("c9") && err.contains("payments[0].amount"),
        "{err}"
    );
    Ok(())
}

#[test]
fn serve_with_a_certificate_needs_its_key_and_readable_files() -> Result {
    let (ok, _, err) = kartoteka(&["serve", "--tls-cert", "cert.pem"])?;
    assert!(!ok);
    assert!(err.contains("--tls-key"), "{err}");
    let missing = std::env::temp_dir().join(format!("no-cert-{}.pem", std::process::id()));
    let missing = missing.to_str().ok_or("path")?;
    let (ok, _, err) = kartoteka(&["serve", "--tls-cert", missing, "--tls-key", missing])?;
    assert!(!ok);
    assert!(err.contains("cannot read the certificates"), "{err}");
    Ok(())
}

/// `kartoteka migrate`: a demo data folder copied into PostgreSQL and
/// verified; everything comes across with its numbers, and a second copy
/// into the same database is refused. On the embedded store (no
/// `KARTOTEKA_TEST_DATABASE`) the same copy and checks run through the
/// library into a second embedded store, since there is no database to
/// name on the command line.
#[test]
fn an_operator_moves_a_data_folder_into_postgresql_with_migrate() -> Result {
    use kartoteka_server::Store;
    use kartoteka_server::store::{copy, testing};

    let folder = std::env::temp_dir().join(format!(
        "kartoteka-migrate-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let data = folder.to_str().ok_or("path")?;
    let (ok, _, err) = kartoteka(&["demo", "--clients", "40", "--data", data])?;
    assert!(ok, "{err}");
    let from = Store::open(&folder)?;
    let (to, again) = match testing::database_for(&folder.join("copy"))? {
        Some(url) => {
            drop(from);
            let (ok, out, err) = kartoteka(&["migrate", "--from-data", data, "--to", &url])?;
            assert!(ok, "{err}");
            assert!(out.contains("Copied and verified"), "{out}");
            assert!(out.contains("41 documents"), "{out}");
            let (again, _, err) = kartoteka(&["migrate", "--from-data", data, "--to", &url])?;
            assert!(err.contains("already holds data"), "{err}");
            (Store::connect(&url)?, again)
        }
        None => {
            let to = Store::in_memory()?;
            let report = copy(&from, &to)?;
            assert_eq!(report.documents, 41);
            let again = copy(&from, &to).is_ok();
            drop(from);
            (to, again)
        }
    };
    assert!(!again, "a second copy into the same database is refused");
    let from = Store::open(&folder)?;
    assert_eq!(to.last_seq()?, from.last_seq()?);
    assert_eq!(to.storage_id()?, from.storage_id()?);
    assert_eq!(to.workspace_id()?, from.workspace_id()?);
    assert_eq!(to.users()?.len(), from.users()?.len());
    assert_eq!(to.client_count()?, 40);
    assert_eq!(to.changed_since(0)?.0.len(), 41);
    let petrov = to.user_by_login("petrov")?.ok_or("petrov came across")?;
    assert_eq!(Some(petrov), from.user_by_login("PETROV")?);
    drop(from);
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}

/// A data folder with a bare workspace (one administrator), made by the
/// command line itself.
fn bare_folder(name: &str) -> Result<std::path::PathBuf> {
    let folder = std::env::temp_dir().join(format!(
        "kartoteka-cli-{name}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let store = kartoteka_server::Store::open(&folder)?;
    kartoteka_server::seed::seed_empty(
        &store,
        "admin",
        "первый-пароль",
        kartoteka::date::Timestamp(1_795_300_000_000),
    )?;
    Ok(folder)
}

fn user_cmd(args: &[&str], password: Option<&str>) -> Result<(bool, String, String)> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kartoteka"));
    command
        .arg("user")
        .args(args)
        .env_remove("KARTOTEKA_DATABASE");
    match password {
        Some(p) => command.env("KARTOTEKA_PASSWORD", p),
        None => command.env_remove("KARTOTEKA_PASSWORD"),
    };
    let out = command.stdin(std::process::Stdio::null()).output()?;
    Ok((
        out.status.success(),
        String::from_utf8(out.stdout)?,
        String::from_utf8(out.stderr)?,
    ))
}

#[test]
fn user_add_then_list_shows_the_new_manager_and_refuses_a_duplicate_or_unknown_role() -> Result {
    let folder = bare_folder("add")?;
    let data = folder.to_str().ok_or("path")?;
    let add = |login: &str, role: &str| {
        user_cmd(
            &[
                "add",
                "--data",
                data,
                "--login",
                login,
                "--name",
                "Олег Новиков",
                "--role",
                role,
            ],
            Some("надёжный-пароль"),
        )
    };
    let (ok, out, err) = add("novikov", "manager")?;
    assert!(ok, "{err}");
    assert!(out.contains("novikov"), "{out}");
    let (ok, _, err) = add("NOVIKOV", "manager")?;
    assert!(!ok);
    assert!(err.contains("already taken"), "{err}");
    let (ok, _, err) = add("kozlova", "boss")?;
    assert!(!ok);
    assert!(err.contains("unknown role \"boss\""), "{err}");
    let (ok, out, err) = user_cmd(&["list", "--data", data], None)?;
    assert!(ok, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("novikov"))
        .ok_or("novikov is not listed")?;
    assert!(line.contains("manager") && line.contains("active") && line.contains("never"));
    assert!(out.lines().any(|l| l.starts_with("admin ")), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("kozlova")), "{out}");
    // The workspace's directory knows the new manager too.
    let store = kartoteka_server::Store::open(&folder)?;
    let id = store.workspace_id()?.ok_or("no workspace")?;
    let doc = kartoteka::document::WorkspaceDocument::load(&store.doc(&id)?.ok_or("no doc")?)?;
    assert!(doc.read()?.users.values().any(|u| u.login == "novikov"));
    drop(store);
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

#[test]
fn user_passwd_and_deactivate_change_what_the_store_checks() -> Result {
    let folder = bare_folder("passwd")?;
    let data = folder.to_str().ok_or("path")?;
    let (ok, _, err) = user_cmd(
        &["passwd", "--data", data, "--login", "admin"],
        Some("второй-пароль"),
    )?;
    assert!(ok, "{err}");
    let (ok, _, err) = user_cmd(
        &["passwd", "--data", data, "--login", "admin"],
        Some("short"),
    )?;
    assert!(!ok);
    assert!(err.contains("shorter than 8"), "{err}");
    let (ok, _, err) = user_cmd(&["deactivate", "--data", data, "--login", "nobody"], None)?;
    assert!(!ok);
    assert!(err.contains("nobody"), "{err}");
    // The only administrator stays.
    let (ok, _, err) = user_cmd(&["deactivate", "--data", data, "--login", "admin"], None)?;
    assert!(!ok);
    assert!(err.contains("without an active administrator"), "{err}");
    let (ok, _, err) = user_cmd(
        &[
            "add",
            "--data",
            data,
            "--login",
            "petrov",
            "--name",
            "Павел Петров",
            "--role",
            "manager",
        ],
        Some("надёжный-пароль"),
    )?;
    assert!(ok, "{err}");
    let (ok, _, err) = user_cmd(&["deactivate", "--data", data, "--login", "petrov"], None)?;
    assert!(ok, "{err}");
    let store = kartoteka_server::Store::open(&folder)?;
    let admin = store.user_by_login("admin")?.ok_or("no admin")?;
    assert!(kartoteka_server::auth::verify_password(
        "второй-пароль",
        &admin.password_hash
    ));
    assert!(!store.user_by_login("petrov")?.ok_or("no petrov")?.active);
    drop(store);
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

#[test]
fn user_commands_refuse_a_folder_without_data() -> Result {
    let (ok, _, err) = user_cmd(&["list", "--data", "/nonexistent/kartoteka"], None)?;
    assert!(!ok);
    assert!(err.contains("holds no Kartoteka data"), "{err}");
    Ok(())
}
