//! # The Kartoteka relay
//!
//! A thin axum server: it checks passwords and hands out session tokens,
//! gives each device the documents its user may read, serves the built
//! single-page app, and offers the administration command line
//! (`kartoteka serve | demo | evaluate | user`).
//!
//! [`app`] builds the whole router from an [`AppState`], so tests call it in
//! memory without a port; [`app_over`] is the same for a relay reached over
//! HTTPS (it adds HSTS). [`tls`] serves it over HTTPS itself.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clients;
pub mod error;
pub mod headers;
pub mod limits;
pub mod seed;
pub mod spa;
pub mod store;
pub mod summaries;
pub mod sync;
pub mod tls;
pub mod users;
pub mod xlsx;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

pub use error::ApiError;
pub use headers::Transport;
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
    /// This relay process's live sync state (connections, documents in
    /// memory); several relays on one database each have their own.
    pub hub: Arc<sync::Hub>,
    pub clock: Clock,
    /// The built SPA (`dist/`), if this relay serves it.
    pub dist: Option<PathBuf>,
    /// Failed logins of the last minute ([`limits`]).
    pub limits: Arc<limits::LoginLimits>,
}

impl AppState {
    /// The state of a relay on `store`, with nothing in memory yet.
    pub fn new(store: Store, clock: Clock, dist: Option<PathBuf>) -> AppState {
        AppState {
            store,
            hub: Arc::new(sync::Hub::new()),
            clock,
            dist,
            limits: Arc::default(),
        }
    }
}

/// The largest spreadsheet read, or export request written: a base of
/// 50,000 clients with their contacts as JSON rows is about 25 MB.
const SPREADSHEET_LIMIT: usize = 64 * 1024 * 1024;

/// The whole HTTP surface: the API under `/api`, the SPA for everything else,
/// over plain HTTP.
pub fn app(state: AppState) -> Router {
    app_over(state, Transport::Http)
}

/// The whole HTTP surface as reached over `transport`; every response
/// carries the security headers ([`headers`]).
pub fn app_over(state: AppState, transport: Transport) -> Router {
    let security = Arc::new(headers::DistHeaders::new(state.dist.as_deref(), transport));
    let api = Router::new()
        .route("/login", post(api::login))
        .route("/logout", post(api::logout))
        .route("/session", get(api::session))
        .route("/password", post(api::change_own_password))
        .route("/users", get(api::list_users).post(api::add_user))
        .route("/users/{id}/role", post(api::set_role))
        .route("/users/{id}/password", post(api::reset_password))
        .route("/users/{id}/active", post(api::set_active))
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
    router
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            security,
            headers::layer,
        ))
        .layer(CompressionLayer::new())
}
