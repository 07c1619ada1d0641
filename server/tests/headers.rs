//! The security headers a browser gets with the page, a static file and the
//! API (called in memory through `app()` over a small built app).

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use base64::Engine;
use kartoteka::date::{Date, Timestamp};
use kartoteka_server::{AppState, Clock, Store, Transport, app, app_over, seed};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The inline module script Trunk writes into `index.html` to load the wasm.
const LOADER: &str = "\nimport init, * as bindings from '/kartoteka-app-1a2b3c4d5e6f7a8b.js';\n\
const wasm = await init({ module_or_path: '/kartoteka-app-1a2b3c4d5e6f7a8b_bg.wasm' });\n\
window.wasmBindings = bindings;\n";

/// A `dist/` like Trunk's: index.html with the loader, a hashed script, the
/// service worker.
fn dist(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("kartoteka-headers-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("index.html"),
        format!(
            "<!DOCTYPE html><html><head>\
             <link rel=\"modulepreload\" href=\"/kartoteka-app-1a2b3c4d5e6f7a8b.js\">\
             <script type=\"module\">{LOADER}</script></head><body></body></html>"
        ),
    )?;
    std::fs::write(
        dir.join("kartoteka-app-1a2b3c4d5e6f7a8b.js"),
        "export default 1;",
    )?;
    std::fs::write(
        dir.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )?;
    Ok(dir)
}

fn state(dist: Option<PathBuf>) -> Result<AppState> {
    let store = Store::in_memory()?;
    let today = Date::from_ymd(2026, 11, 22).ok_or("date")?;
    seed::seed_demo(&store, 2, today, 7, Timestamp(1_795_300_000_000))?;
    Ok(AppState::new(store, Clock::default(), dist))
}

async fn headers_of(router: axum::Router, path: &str) -> Result<(StatusCode, HeaderMap)> {
    let req = Request::get(path)
        .header("host", "crm.example.ru")
        .body(Body::empty())?;
    let res = router.oneshot(req).await?;
    Ok((res.status(), res.headers().clone()))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The directives of a Content-Security-Policy by name.
fn directive<'a>(csp: &'a str, name: &str) -> Vec<&'a str> {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
        .map(|rest| rest.split_whitespace().collect())
        .unwrap_or_default()
}

fn check_common(path: &str, headers: &HeaderMap) {
    let csp = header(headers, "content-security-policy");
    assert_eq!(directive(csp, "default-src"), ["'self'"], "{path}: {csp}");
    assert_eq!(directive(csp, "frame-ancestors"), ["'none'"], "{path}");
    assert_eq!(directive(csp, "base-uri"), ["'none'"], "{path}");
    assert_eq!(directive(csp, "object-src"), ["'none'"], "{path}");
    assert_eq!(directive(csp, "form-action"), ["'self'"], "{path}");
    assert_eq!(
        directive(csp, "connect-src"),
        ["'self'", "ws://crm.example.ru", "wss://crm.example.ru"],
        "{path}"
    );
    let scripts = directive(csp, "script-src");
    assert!(!scripts.contains(&"'unsafe-inline'"), "{path}: {csp}");
    assert!(!scripts.contains(&"'unsafe-eval'"), "{path}: {csp}");
    assert!(
        !directive(csp, "style-src").contains(&"'unsafe-inline'"),
        "{path}"
    );
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{path}"
    );
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{path}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
    let permissions = header(headers, "permissions-policy");
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(permissions.contains(feature), "{path}: {permissions}");
    }
    assert!(
        headers.get("strict-transport-security").is_none(),
        "{path}: HSTS over plain HTTP"
    );
}

#[tokio::test]
async fn the_page_a_static_file_and_the_api_carry_the_security_headers() -> Result {
    let dist = dist("plain")?;
    let state = state(Some(dist.clone()))?;

    let (status, page) = headers_of(app(state.clone()), "/").await?;
    assert_eq!(status, StatusCode::OK);
    check_common("/", &page);
    // The loader script is allowed by its hash, and nothing else inline.
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER));
    let csp = header(&page, "content-security-policy");
    assert_eq!(
        directive(csp, "script-src"),
        ["'self'", "'wasm-unsafe-eval'", &format!("'sha256-{hash}'")],
    );
    assert_eq!(header(&page, "cache-control"), "no-cache");

    // A route of the app is the same page with the same policy.
    let (status, route) = headers_of(app(state.clone()), "/clients/42").await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&route, "content-security-policy"), csp);

    let (status, file) =
        headers_of(app(state.clone()), "/kartoteka-app-1a2b3c4d5e6f7a8b.js").await?;
    assert_eq!(status, StatusCode::OK);
    check_common("the script", &file);
    assert_eq!(
        header(&file, "cache-control"),
        "public, max-age=31536000, immutable"
    );

    let (status, worker) = headers_of(app(state.clone()), "/sw.js").await?;
    assert_eq!(status, StatusCode::OK);
    check_common("/sw.js", &worker);

    // A new build deployed while the relay runs: its loader is allowed, the
    // old one no longer.
    let router = app(state.clone());
    let loader = LOADER.replace("1a2b3c4d5e6f7a8b", "00000000deadbeef");
    std::fs::write(
        dist.join("index.html"),
        format!(
            "<!DOCTYPE html><html><head><script type=\"module\">{loader}</script></head></html>"
        ),
    )?;
    let (_, rebuilt) = headers_of(router, "/").await?;
    let new_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&loader));
    let csp = header(&rebuilt, "content-security-policy");
    assert!(csp.contains(&new_hash) && !csp.contains(&hash), "{csp}");

    for path in ["/api/session", "/api/bootstrap", "/api/no-such-thing"] {
        let (status, api) = headers_of(app(state.clone()), path).await?;
        assert!(status.is_client_error(), "{path}: {status}");
        check_common(path, &api);
        assert_eq!(header(&api, "cache-control"), "no-store", "{path}");
    }
    std::fs::remove_dir_all(dist)?;
    Ok(())
}

#[tokio::test]
async fn a_logged_in_answer_of_the_api_is_not_stored() -> Result {
    let state = state(None)?;
    let req = Request::post("/api/login")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{ "login": "petrov", "password": "kartoteka" }"#,
        ))?;
    let res = app(state).oneshot(req).await?;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(res.headers(), "cache-control"), "no-store");
    assert_eq!(header(res.headers(), "x-content-type-options"), "nosniff");
    Ok(())
}

#[tokio::test]
async fn hsts_is_sent_only_by_a_relay_reached_over_https() -> Result {
    let dist = dist("https")?;
    let state = state(Some(dist.clone()))?;
    let (_, plain) = headers_of(app_over(state.clone(), Transport::Http), "/").await?;
    assert!(plain.get("strict-transport-security").is_none());
    for path in ["/", "/sw.js", "/api/session"] {
        let (_, secure) = headers_of(app_over(state.clone(), Transport::Https), path).await?;
        assert_eq!(
            header(&secure, "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
    std::fs::remove_dir_all(dist)?;
    Ok(())
}
