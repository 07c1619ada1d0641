//! Logging in and out, and opening the base at start-up: the steps between
//! a cold page and a working client list, online or not.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::Base;
use crate::base::list::ClientList;
use crate::i18n::{I18n, Lang};
use crate::io::api::{self, ApiError};
use crate::io::idb::DeviceDb;
use crate::io::platform;
use crate::state::{AppState, Net, Phase, Session};
use crate::store::Store;

const KEY_SESSION: &str = "session";
const KEY_DEVICE: &str = "device_id";
const KEY_LANG: &str = "lang";
const KEY_STORAGE_NOTICE: &str = "storage_notice_seen";
/// How often the relay is asked whether it is there.
const PROBE_EVERY_MS: u32 = 15_000;

/// Starts the app: the service worker, the language, and the session this
/// device remembers, if any.
pub async fn boot(base: Base, i18n: I18n) {
    let state = base.app;
    platform::mark("kartoteka:boot");
    platform::register_service_worker();
    let device = match DeviceDb::open().await {
        Ok(d) => d,
        Err(e) => {
            state.phase.set(Phase::Failed(e.to_string()));
            return;
        }
    };
    if let Ok(Some(code)) = device.get(KEY_LANG).await
        && let Some(lang) = Lang::from_code(&code)
    {
        i18n.lang.set(lang);
    }
    watch_network(state);
    let session = device
        .get(KEY_SESSION)
        .await
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str::<Session>(&json).ok());
    match session {
        Some(session) => open_base(base, session, &device).await,
        None => state.phase.set(Phase::LoggedOut),
    }
}

/// Remembers the chosen language on this device.
pub async fn remember_language(lang: Lang) {
    if let Ok(device) = DeviceDb::open().await {
        let _ = device.put(KEY_LANG, lang.code()).await;
    }
}

/// Remembers that the person has read the storage notice.
pub async fn remember_storage_notice_seen() {
    if let Ok(device) = DeviceDb::open().await {
        let _ = device.put(KEY_STORAGE_NOTICE, "1").await;
    }
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginError {
    BadCredentials,
    Offline,
    /// Too many failed attempts: the relay waits this many seconds.
    TooManyAttempts(u64),
    Server,
}

/// Checks the password with the relay, remembers the session on the
/// device and opens the base.
pub async fn log_in(base: Base, login: &str, password: &str) -> Result<(), LoginError> {
    let state = base.app;
    let answer = api::login(login, password).await.map_err(|e| match e {
        ApiError::BadCredentials => LoginError::BadCredentials,
        ApiError::Offline => LoginError::Offline,
        ApiError::TooManyAttempts { retry_after } => LoginError::TooManyAttempts(retry_after),
        _ => LoginError::Server,
    })?;
    let session = Session {
        token: answer.token,
        user: answer.user,
        clock_offset_ms: answer.server_time - platform::now_ms(),
    };
    let device = DeviceDb::open().await.map_err(|_| LoginError::Server)?;
    let json = serde_json::to_string(&session).map_err(|_| LoginError::Server)?;
    device
        .put(KEY_SESSION, &json)
        .await
        .map_err(|_| LoginError::Server)?;
    state.net.set(Net::Online);
    state.session_end.set(None);
    open_base(base, session, &device).await;
    Ok(())
}

/// Ends the session: the relay forgets the token, the device forgets the
/// session (the base stays on the device for the next login).
pub async fn log_out(base: Base) {
    let state = base.app;
    if let Some(token) = state
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    {
        // Offline, the relay's copy of the session simply expires.
        let _ = api::logout(&token).await;
    }
    if let Ok(device) = DeviceDb::open().await {
        let _ = device.delete(KEY_SESSION).await;
    }
    base.close();
    state.sync.reset();
    state.session.set(None);
    state.phase.set(Phase::LoggedOut);
}

/// The 8 bytes after the user's id in this tab's Automerge actor: the
/// first 4 of the device's id (kept in the device database), so changes
/// say which device made them, and 4 drawn now, so two tabs of one browser
/// never write as the same actor (the same change sequence numbers, the
/// same chunk keys).
async fn tab_actor_bytes(device: &DeviceDb) -> [u8; 8] {
    let device = device_id(device).await;
    let tab = platform::random_device_id();
    let mut out = device;
    out[4..].copy_from_slice(&tab[4..]);
    out
}

async fn device_id(device: &DeviceDb) -> [u8; 8] {
    if let Ok(Some(hex)) = device.get(KEY_DEVICE).await
        && let Some(bytes) = decode_hex8(&hex)
    {
        return bytes;
    }
    let id = platform::random_device_id();
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let _ = device.put(KEY_DEVICE, &hex).await;
    id
}

fn decode_hex8(hex: &str) -> Option<[u8; 8]> {
    if hex.len() != 16 {
        return None;
    }
    let mut out = [0u8; 8];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Opens the user's base: downloads it on first start, then reads the
/// workspace and every client's summary.
async fn open_base(base: Base, session: Session, device: &DeviceDb) {
    let state = base.app;
    let actor_bytes = tab_actor_bytes(device).await;
    let token = session.token.clone();
    state.session.set(Some(session.clone()));
    let store = match Store::open(session.user.clone(), actor_bytes).await {
        Ok(s) => Rc::new(s),
        Err(e) => {
            state.phase.set(Phase::Failed(e.to_string()));
            return;
        }
    };
    match store.is_bootstrapped().await {
        Ok(true) => {}
        Ok(false) => {
            state.phase.set(Phase::Downloading);
            let bundle = match api::bootstrap(&token).await {
                Ok(b) => b,
                Err(e) => {
                    state.phase.set(Phase::Failed(e.to_string()));
                    return;
                }
            };
            let progress = |done, total| state.phase.set(Phase::Opening { done, total });
            if let Err(e) = store.import_bundle(&bundle, progress).await {
                state.phase.set(Phase::Failed(e.to_string()));
                return;
            }
        }
        Err(e) => {
            state.phase.set(Phase::Failed(e.to_string()));
            return;
        }
    }
    let workspace = match store.workspace().await {
        Ok(ws) => ws,
        Err(e) => {
            state.phase.set(Phase::Failed(e.to_string()));
            return;
        }
    };
    state
        .utc_offset_minutes
        .set(workspace.settings.utc_offset_minutes);
    state.tick();
    let progress = |done, total| state.phase.set(Phase::Opening { done, total });
    let clients = match store.summaries(progress).await {
        Ok(summaries) => {
            platform::mark("kartoteka:summaries-read");
            let list = ClientList::new(summaries);
            platform::mark("kartoteka:list-built");
            list
        }
        Err(e) => {
            state.phase.set(Phase::Failed(e.to_string()));
            return;
        }
    };
    base.open(store.clone(), workspace, clients);
    state.phase.set(Phase::Ready);
    // Statuses and zones first (the list shows them), then the search
    // index: one after the other, so neither slows the other down.
    let refreshing = store.clone();
    spawn_local(async move {
        crate::base::derived::recompute_all(base).await;
        crate::base::search::build(base).await;
        // The Interests too, so "My sales" opens at once later (a sales
        // page opened before this reads them itself).
        base.read_sales().await;
        // Once after an upgrade: summaries an older version stored are
        // computed again from their documents.
        if let Err(e) = refreshing.refresh_summaries().await {
            leptos::logging::warn!("the stored summaries stay as they are for now: {e}");
        }
    });
    let notice_seen = matches!(device.get(KEY_STORAGE_NOTICE).await, Ok(Some(_)));
    spawn_local(async move {
        let persistent = platform::request_persistent_storage().await;
        // Say it once per device: the person cannot do more than install
        // the app, and a banner on every start would be noise.
        if persistent || !notice_seen {
            state.persistent.set(Some(persistent));
        }
    });
    spawn_local(probe_loop(state));
    // What the other tabs of this user write comes in through the store,
    // like what the relay sends.
    if let Some(news) = store.other_tabs() {
        spawn_local(crate::store::follow_other_tabs(Rc::downgrade(&store), news));
    }
    spawn_local(crate::sync::run(base, store));
}

/// Asks the relay whether it is there and the session still valid, and
/// learns its clock.
pub async fn probe(state: AppState) {
    let Some(token) = state
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    else {
        return;
    };
    let net = match api::session(&token).await {
        Ok((_, server_time)) => {
            state.session.update(|s| {
                if let Some(s) = s {
                    s.clock_offset_ms = server_time - platform::now_ms();
                }
            });
            state.tick();
            Net::Online
        }
        Err(ApiError::Unauthorized) => Net::SessionExpired,
        Err(_) => Net::Offline,
    };
    if state.net.get_untracked() != net {
        state.net.set(net);
    }
}

async fn probe_loop(state: AppState) {
    loop {
        if state.session.with_untracked(Option::is_none) {
            return;
        }
        probe(state).await;
        TimeoutFuture::new(PROBE_EVERY_MS).await;
    }
}

fn watch_network(state: AppState) {
    platform::on_network_change(move |online| {
        if online {
            spawn_local(probe(state));
        } else {
            state.net.set(Net::Offline);
        }
    });
}
