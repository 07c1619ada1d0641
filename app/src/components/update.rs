//! The banner that asks to reload when this tab runs an old version of the
//! app: a new one was installed while it was open (the service worker), or
//! another tab opened a newer one and this tab closed its databases so the
//! newer one could upgrade them (`crate::io::idb`).

use leptos::prelude::*;

use crate::i18n::cat;
use crate::io::{idb, platform};

/// Why this tab should be reloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outdated {
    /// A new version is installed; this tab still works as it is.
    NewVersion,
    /// This tab closed its databases for a newer version: it can no longer
    /// read or save anything until it is reloaded.
    ClosedForUpgrade,
}

/// Whether this tab runs an old version; provided once at the root.
#[derive(Debug, Clone, Copy)]
pub struct AppVersion {
    outdated: RwSignal<Option<Outdated>>,
}

impl AppVersion {
    /// Starts listening to the service worker and to the databases.
    pub fn watch() -> AppVersion {
        let outdated = RwSignal::new(None);
        platform::on_new_version(move || {
            // A tab that must reload says so already.
            if outdated.get_untracked().is_none() {
                outdated.set(Some(Outdated::NewVersion));
            }
        });
        idb::on_closed_for_upgrade(move || outdated.set(Some(Outdated::ClosedForUpgrade)));
        AppVersion { outdated }
    }
}

/// The banner, when there is something to say: one sentence and one
/// button that reloads the page.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let version = expect_context::<AppVersion>();
    let reload = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <div class="update-host" role="status">
            {move || {
                version
                    .outdated
                    .get()
                    .map(|why| {
                        let text = move || match why {
                            Outdated::NewVersion => cat().new_version_available,
                            Outdated::ClosedForUpgrade => cat().closed_for_upgrade,
                        };
                        let button = move || match why {
                            Outdated::NewVersion => cat().new_version_update,
                            Outdated::ClosedForUpgrade => cat().closed_for_upgrade_reload,
                        };
                        view! {
                            <p class="banner banner--info update-banner" data-testid="update">
                                <span>{text}</span>
                                <button
                                    type="button"
                                    class="button button--primary button--small"
                                    on:click=reload
                                >
                                    {button}
                                </button>
                            </p>
                        }
                    })
            }}
        </div>
    }
}
