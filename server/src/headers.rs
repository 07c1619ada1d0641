//! The security headers of every response: the Content-Security-Policy,
//! `nosniff`, no referrer, a Permissions-Policy denying what the app never
//! uses, `no-store` on the API, and HSTS when the relay is reached over
//! HTTPS.
//!
//! The policy allows exactly what the app needs: its own scripts, styles,
//! images and wasm (`'wasm-unsafe-eval'` lets the module be compiled), fetches
//! and the sync socket to its own origin, its own service worker and
//! manifest. Trunk writes one inline module script into `index.html` (the
//! one that loads the wasm); rather than allowing inline scripts, the relay
//! hashes the inline scripts of the `index.html` it serves when it starts
//! and allows those hashes only, and hashes them again when the file
//! changes (a new build deployed while the relay runs).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// How the relay is reached, for the headers it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// Plain HTTP (a relay on a LAN, or tests): no HSTS.
    #[default]
    Http,
    /// HTTPS, served by the relay itself (`--tls-cert`) or by a reverse proxy
    /// in front of it (`--behind-https`): browsers are told to keep to HTTPS.
    Https,
}

/// The headers every response carries, for one `index.html`.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    /// The policy; it ends with `connect-src`, to which each response adds
    /// the request's own host.
    csp: String,
    hsts: bool,
}

/// Everything the app does not use: the browser refuses it to the page and
/// to anything injected into it.
/// (Features browsers do not know are left out: they only fill the console
/// with warnings.) The clipboard stays allowed: people copy phone numbers.
const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), gamepad=(), geolocation=(), \
    gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), \
    payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), \
    serial=(), usb=(), xr-spatial-tracking=()";

/// A year, as HSTS counts it.
const HSTS: &str = "max-age=31536000";

const PERMISSIONS_POLICY_HEADER: HeaderName = HeaderName::from_static("permissions-policy");

impl SecurityHeaders {
    /// The headers for an app whose `index.html` is `index` (its inline
    /// scripts are allowed by their hashes; `None` when the relay serves no
    /// app).
    pub fn new(index: Option<&str>, transport: Transport) -> SecurityHeaders {
        let hashes: String = index
            .map(inline_script_hashes)
            .unwrap_or_default()
            .iter()
            .map(|h| format!(" '{h}'"))
            .collect();
        SecurityHeaders {
            csp: format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
                 style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; \
                 font-src 'self'; manifest-src 'self'; worker-src 'self'; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; \
                 frame-ancestors 'none'; connect-src 'self'"
            ),
            hsts: transport == Transport::Https,
        }
    }

    /// The Content-Security-Policy for a request to `host` (its `Host`
    /// header): `'self'` covers the sync socket in current browsers, the
    /// explicit `ws:`/`wss:` origin covers those that predate CSP 3.
    pub fn content_security_policy(&self, host: Option<&str>) -> String {
        match host.filter(|h| is_plain_host(h)) {
            Some(host) => format!("{} ws://{host} wss://{host}", self.csp),
            None => self.csp.clone(),
        }
    }

    fn apply(&self, host: Option<&str>, api: bool, headers: &mut HeaderMap) {
        if let Ok(csp) = HeaderValue::from_str(&self.content_security_policy(host)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            PERMISSIONS_POLICY_HEADER,
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
        // For browsers older than `frame-ancestors`.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        // No window another site opens shares a browsing context group with
        // the app.
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        if api {
            // Personal data: no browser or proxy keeps a copy.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
        }
    }
}

/// When and how large `index.html` was when it was last hashed.
type Stamp = (SystemTime, u64);

/// The security headers of a relay serving the app in a `dist/` folder,
/// kept in step with its `index.html`: a file changed since it was last read
/// (a new build deployed) is hashed again, so its loader script is allowed
/// without a restart.
#[derive(Debug)]
pub struct DistHeaders {
    index: Option<PathBuf>,
    transport: Transport,
    current: Mutex<(Option<Stamp>, Arc<SecurityHeaders>)>,
}

impl DistHeaders {
    /// The headers for the app in `dist` (`None`: the relay serves no page,
    /// and its policy allows no inline script).
    pub fn new(dist: Option<&Path>, transport: Transport) -> DistHeaders {
        let headers = DistHeaders {
            index: dist.map(|d| d.join("index.html")),
            transport,
            current: Mutex::new((None, Arc::new(SecurityHeaders::new(None, transport)))),
        };
        headers.current();
        headers
    }

    /// The headers for the `index.html` there is now (one `stat` per call;
    /// the file is read only when it changed).
    pub fn current(&self) -> Arc<SecurityHeaders> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(path) = &self.index else {
            return current.1.clone();
        };
        let stamp = std::fs::metadata(path)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        if stamp.is_some() && stamp != current.0 {
            match std::fs::read_to_string(path) {
                Ok(html) => {
                    *current = (
                        stamp,
                        Arc::new(SecurityHeaders::new(Some(&html), self.transport)),
                    );
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "index.html for the CSP");
                }
            }
        }
        current.1.clone()
    }
}

/// The middleware that puts the headers on every response.
pub async fn layer(
    axum::extract::State(headers): axum::extract::State<Arc<DistHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let api = req.uri().path() == "/api" || req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    headers
        .current()
        .apply(host.as_deref(), api, res.headers_mut());
    res
}

/// Whether a `Host` value is a plain `name[:port]` or `[v6]:port` that can go
/// into the policy as it is (anything else is left out, never echoed).
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// The CSP hashes (`sha256-…`) of the inline scripts of an HTML page: the
/// text between `<script …>` without a `src` and `</script>`, as the
/// browser hashes it.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        let tag = &lower[start..open_end];
        let body = &html[open_end..close];
        if !has_src(tag) {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    hashes
}

/// Whether an opening `<script …>` tag (lowercased) has a `src` attribute.
fn has_src(tag: &str) -> bool {
    tag.split(|c: char| c.is_ascii_whitespace())
        .any(|attr| attr == "src" || attr.starts_with("src="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        // The hash of `alert(1)` as browsers compute it (and as the CSP 3
        // examples give it).
        let html = "<html><head><script src=\"/a.js\"></script>\
                    <SCRIPT type=\"module\">alert(1)</script></head></html>";
        assert_eq!(
            inline_script_hashes(html),
            vec!["sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=".to_owned()]
        );
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        assert!(inline_script_hashes("<script>unclosed").is_empty());
    }

    #[test]
    fn the_host_goes_into_the_policy_only_when_it_is_plain() {
        let h = SecurityHeaders::new(None, Transport::Http);
        let csp = h.content_security_policy(Some("crm.example.ru:8443"));
        assert!(
            csp.contains("connect-src 'self' ws://crm.example.ru:8443 wss://crm.example.ru:8443")
        );
        let csp = h.content_security_policy(Some("evil; script-src *"));
        assert!(!csp.contains("evil"), "{csp}");
        assert!(csp.ends_with("connect-src 'self'"), "{csp}");
    }
}
