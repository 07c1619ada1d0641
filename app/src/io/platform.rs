//! The browser platform: the service worker, persistent storage, the
//! network's comings and goings, the clock and yielding to the event loop.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

/// How often an open app asks whether a new version was deployed (the
/// browser itself looks only when a page is loaded).
const UPDATE_CHECK_EVERY_MS: u32 = 30 * 60 * 1000;

/// Registers the service worker that caches the app shell for offline use,
/// and asks it now and then to look for a new version.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // Registration fails only where service workers are unavailable
    // (an insecure origin); the app then simply needs the network to open.
    let registered = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = JsFuture::from(registered).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        gloo_timers::callback::Interval::new(UPDATE_CHECK_EVERY_MS, move || {
            // Offline, the check fails and is simply tried again later.
            if let Ok(checked) = registration.update() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = JsFuture::from(checked).await;
                });
            }
        })
        // As long as the page.
        .forget();
    });
}

/// Calls `f` when a new version of the app has been installed while this
/// page is open: the service worker (`sw.js`, which takes over at once)
/// changed, and its cache no longer holds this page's own code. A page
/// that was loaded before any service worker controlled it (the first
/// visit) sees one change of worker that is not an update; a page loaded
/// from the new version while the new worker installs is already new.
pub fn on_new_version(f: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let had_controller = std::rc::Rc::new(std::cell::Cell::new(container.controller().is_some()));
    let f = std::rc::Rc::new(f);
    let cb = Closure::<dyn Fn()>::new(move || {
        if !had_controller.replace(true) {
            return;
        }
        let f = f.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // A worker takes over before its `activate` has dropped the
            // old version's cache: look once it is done.
            controller_activated().await;
            if !own_code_is_cached().await {
                f();
            }
        });
    });
    let _ =
        container.add_event_listener_with_callback("controllerchange", cb.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    cb.forget();
}

/// Waits until the worker that controls the page has activated (at once
/// if it has, or if there is none).
async fn controller_activated() {
    use web_sys::ServiceWorkerState;
    let Some(worker) = web_sys::window().and_then(|w| w.navigator().service_worker().controller())
    else {
        return;
    };
    if worker.state() == ServiceWorkerState::Activated {
        return;
    }
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    let tx = std::cell::RefCell::new(Some(tx));
    let watched = worker.clone();
    let on_change = Closure::<dyn Fn()>::new(move || {
        if matches!(
            watched.state(),
            ServiceWorkerState::Activated | ServiceWorkerState::Redundant
        ) && let Some(tx) = tx.borrow_mut().take()
        {
            let _ = tx.send(());
        }
    });
    worker.set_onstatechange(Some(on_change.as_ref().unchecked_ref()));
    let _ = rx.await;
    worker.set_onstatechange(None);
}

/// Whether the service worker's cache holds this page's own code (the
/// module Trunk preloads, named by its content's hash): if not, the worker
/// now serves a newer build. Unknown (no such link, no cache) counts as
/// not held.
async fn own_code_is_cached() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let own = window
        .document()
        .and_then(|d| d.query_selector("link[rel=modulepreload]").ok().flatten())
        .and_then(|link| link.get_attribute("href"));
    let (Some(own), Ok(caches)) = (own, window.caches()) else {
        return false;
    };
    JsFuture::from(caches.match_with_str(&own))
        .await
        .is_ok_and(|hit| !hit.is_undefined())
}

/// Asks the browser not to evict this origin's data under storage pressure.
/// Returns whether the storage is persistent.
pub async fn request_persistent_storage() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let storage = window.navigator().storage();
    if let Ok(persisted) = storage.persisted()
        && JsFuture::from(persisted)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            == Some(true)
    {
        return true;
    }
    match storage.persist() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Whether the browser believes it has a network.
pub fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Calls `f(online)` whenever the browser gains or loses its network.
pub fn on_network_change(f: impl Fn(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = std::rc::Rc::new(f);
    for (event, state) in [("online", true), ("offline", false)] {
        let f = f.clone();
        let cb = Closure::<dyn Fn()>::new(move || f(state));
        let _ = window.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        cb.forget();
    }
}

/// Milliseconds since the epoch by the device's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// The page's clock (ms since navigation, sub-millisecond), for timing
/// work; the device's clock where there is no `performance`.
pub fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(|| now_ms() as f64, |p| p.now())
}

/// Lets the browser paint and handle input before long work continues,
/// so no main-thread task runs long.
pub async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// A random 8 bytes (the device part of the Automerge actor id).
pub fn random_device_id() -> [u8; 8] {
    let u = uuid::Uuid::new_v4();
    let mut out = [0u8; 8];
    out.copy_from_slice(&u.as_bytes()[..8]);
    out
}

/// Sets `<html lang>` so screen readers and hyphenation follow the language.
pub fn set_document_language(code: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", code);
    }
}

/// Records a named moment in the page's performance timeline (read by the
/// start-up benchmark: `kartoteka:list-ready`, `kartoteka:card-ready`).
pub fn mark(name: &str) {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        perf.clear_marks_with_mark_name(name);
        let _ = perf.mark(name);
    }
}

/// Records the time between two marks as a named measure (read by the
/// benchmarks).
pub fn measure(name: &str, start_mark: &str, end_mark: &str) {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.measure_with_start_mark_and_end_mark(name, start_mark, end_mark);
    }
}

/// Hands the browser a file to save (an export), as a download named
/// `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let err = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_owned())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The browser reads the URL after the click returns: let it go later.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
