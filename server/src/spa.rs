//! Serving the built single-page app from `dist/`.
//!
//! Trunk gives every asset a content hash in its name, so those are cached
//! for a year; `index.html`, the service worker and the manifest must be
//! revalidated on every load, or a device would never learn of an update.
//! Any path that is not a file is a route of the app and gets `index.html`.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// The router that serves `dist`.
pub fn router(dist: &Path) -> Router<AppState> {
    let index = ServeFile::new(dist.join("index.html"));
    let files = ServeDir::new(dist).fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let immutable = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    let value = if immutable && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Whether a path names an asset with Trunk's content hash
/// (`name-<hash>.ext`; Trunk writes the 64-bit hash in hex without leading
/// zeros, so it has up to 16 digits).
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    // wasm-bindgen names the module `<name>-<hash>_bg.wasm`.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => {
            (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn only_hashed_assets_are_immutable() {
        assert!(is_hashed_asset("/kartoteka-app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/kartoteka-app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/base-00ff00ff00ff00ff.css"));
        assert!(is_hashed_asset("/card-a6e2d45bef132c2.css"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/clients/3f2a"));
    }
}
