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
