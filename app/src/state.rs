//! App-wide state, provided once by context at the root: the session, the
//! phase of start-up, the connection to the relay, today's date, the
//! toast. What the documents hold and everything derived from them is the
//! base's (`crate::base`).

use kartoteka::api::SessionUser;
use kartoteka::date::{Date, Timestamp};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::io::platform::now_ms;

/// What the device remembers of a login, so it can open offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: SessionUser,
    /// The relay's clock minus the device's, as last seen (ms).
    #[serde(default)]
    pub clock_offset_ms: i64,
}

/// Where start-up is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Reading the device's session.
    Starting,
    /// Nobody is logged in on this device.
    LoggedOut,
    /// Downloading the base on first start.
    Downloading,
    /// Opening the base: summaries parsed so far of all.
    Opening { done: usize, total: usize },
    /// Working.
    Ready,
    /// The base could not be opened (the detail is for support).
    Failed(String),
}

/// The relay as the device sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    Online,
    Offline,
    /// The relay refused the session: work goes on locally, log in again.
    SessionExpired,
}

/// A short message at the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub id: u64,
}

/// The app's shared state.
#[derive(Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Option<Session>>,
    pub phase: RwSignal<Phase>,
    pub net: RwSignal<Net>,
    /// Today in the workspace's time zone, by the device's clock corrected
    /// by the offset to the relay's clock last seen: the one "today" of
    /// the app (see [`AppState::tick`]).
    pub today: RwSignal<Date>,
    /// The workspace's time zone (minutes east of UTC), for `today`.
    pub utc_offset_minutes: RwSignal<i32>,
    pub toast: RwSignal<Option<Toast>>,
    pub persistent: RwSignal<Option<bool>>,
    /// What the sync client reports (see [`crate::sync`]).
    pub sync: SyncStatus,
    /// Why the relay ended this device's session (the reason of its
    /// close frame: `deactivated`, `password_reset`, `session_expired`),
    /// shown on the login screen until the next login.
    pub session_end: RwSignal<Option<String>>,
}

/// Sync with the relay as the header shows it.
#[derive(Debug, Clone, Copy)]
pub struct SyncStatus {
    /// Changes made on this device the relay has not confirmed.
    pub unsent: RwSignal<usize>,
    /// When the device last finished a sync with the relay (ms).
    pub last_sync: RwSignal<Option<i64>>,
    /// The refusal code of the relay's last `kt-refused`, until dismissed.
    pub refused: RwSignal<Option<String>>,
}

impl SyncStatus {
    fn new() -> SyncStatus {
        SyncStatus {
            unsent: RwSignal::new(0),
            last_sync: RwSignal::new(None),
            refused: RwSignal::new(None),
        }
    }

    /// Forgets what was shown for the user who logged out.
    pub fn reset(&self) {
        self.unsent.set(0);
        self.last_sync.set(None);
        self.refused.set(None);
    }
}

/// The workspace's time zone until the workspace is read (Moscow).
const DEFAULT_UTC_OFFSET: i32 = 180;

impl AppState {
    /// Fresh state for a starting app.
    pub fn new() -> AppState {
        AppState {
            session: RwSignal::new(None),
            phase: RwSignal::new(Phase::Starting),
            net: RwSignal::new(if crate::io::platform::browser_online() {
                Net::Online
            } else {
                Net::Offline
            }),
            today: RwSignal::new(Date::of_instant(Timestamp(now_ms()), DEFAULT_UTC_OFFSET)),
            utc_offset_minutes: RwSignal::new(DEFAULT_UTC_OFFSET),
            toast: RwSignal::new(None),
            persistent: RwSignal::new(None),
            sync: SyncStatus::new(),
            session_end: RwSignal::new(None),
        }
    }

    /// The logged-in user.
    pub fn user(&self) -> Option<SessionUser> {
        self.session.with(|s| s.as_ref().map(|s| s.user.clone()))
    }

    /// Today (tracked: a view that shows what depends on the date
    /// follows it at midnight).
    pub fn today(&self) -> Date {
        self.today.get()
    }

    /// Moves `today` on when the corrected clock has passed midnight in
    /// the workspace's time zone (or the offset or zone changed). Called
    /// by a timer and whenever the clock offset or the zone is learnt.
    pub fn tick(&self) {
        let offset = self
            .session
            .with_untracked(|s| s.as_ref().map_or(0, |s| s.clock_offset_ms));
        let zone = self.utc_offset_minutes.get_untracked();
        let now = Date::of_instant(Timestamp(now_ms() + offset), zone);
        if self.today.get_untracked() != now {
            self.today.set(now);
        }
    }

    /// Shows a short message.
    pub fn toast(&self, text: impl Into<String>, error: bool) {
        let id = now_ms() as u64;
        self.toast.set(Some(Toast {
            text: text.into(),
            error,
            id,
        }));
        let toast = self.toast;
        // Errors stay until dismissed; confirmations fade.
        if !error {
            set_timeout(
                move || {
                    if toast.with_untracked(|t| t.as_ref().map(|t| t.id)) == Some(id) {
                        toast.set(None);
                    }
                },
                std::time::Duration::from_millis(3500),
            );
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}

/// The app state from context.
pub fn app_state() -> AppState {
    expect_context::<AppState>()
}
