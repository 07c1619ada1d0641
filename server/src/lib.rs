//! # The Kartoteka relay
//!
//! A thin axum server: it checks passwords and hands out session tokens,
//! gives each device the documents its user may read, serves the built
//! single-page app, and offers the administration command line
//! (`kartoteka serve | demo | evaluate | user`).
//!
//! [`app`] builds the whole router from an [`AppState`], so tests call it in
//! memory without a port.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clients;
pub mod error;
pub mod seed;
pub mod spa;
pub mod store;
pub mod summaries;
pub mod sync;
pub mod xlsx;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

pub use error::ApiError;
pub use store::Store;

/// The relay's clock. Tests shift it to check expiry without waiting.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward (tests only need this).
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    /// The built SPA (`dist/`), if this relay serves it.
    pub dist: Option<PathBuf>,
}

/// The largest spreadsheet read, or export request written: a base of
/// 50,000 clients with their contacts as JSON rows is about 25 MB.
const SPREADSHEET_LIMIT: usize = 64 * 1024 * 1024;

/// The whole HTTP surface: the API under `/api`, the SPA for everything else.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/login", post(api::login))
        .route("/logout", post(api::logout))
        .route("/session", get(api::session))
        .route("/bootstrap", get(api::bootstrap))
        .route("/sync", get(sync::endpoint))
        .route("/duplicates", get(api::duplicates))
        .route(
            "/xlsx/read",
            post(api::xlsx_read).layer(DefaultBodyLimit::max(SPREADSHEET_LIMIT)),
        )
        .route(
            "/export/xlsx",
            post(api::xlsx_export).layer(DefaultBodyLimit::max(SPREADSHEET_LIMIT)),
        )
        .route("/backup", get(api::backup))
        .fallback(api::not_found);
    let mut router = Router::new().nest("/api", api);
    if let Some(dist) = &state.dist {
        router = router.merge(spa::router(dist));
    }
    router.with_state(state).layer(CompressionLayer::new())
}
