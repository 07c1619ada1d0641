//! The logged-in user's notices (issue 15 item 7): a client of theirs went
//! to the exchange, was taken from them, was given to them. The rules are
//! `kartoteka::notices`; here they run over the base — every client's
//! summary, its derived state today, and the former clients the device
//! dropped because they were taken (`kt-parted`) — again whenever one of
//! those changes, so a notice appears however the change arrived (live
//! sync, the next sync, another tab) and is there after a reload.
//!
//! Two things are kept per user on the device (`meta`): the epoch (the
//! first time notices ran here: what came before is history, not news, so
//! a first login is not flooded with every assignment the person ever
//! had) and the keys of the notices the person has read (pruned to those
//! still derived when they are written).

use std::collections::HashSet;
use std::sync::Arc;

use kartoteka::date::Timestamp;
use kartoteka::notices::{Epoch, Former, Notice, Subject, arrange, keep_former, notices_of};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::base::Base;
use crate::io::platform::now_ms;

/// Where the epoch and the read keys are kept (`meta`).
const META_NOTICES: &str = "notices";

/// What is kept of the notices on the device.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    epoch: Option<Epoch>,
    #[serde(default)]
    read: Vec<String>,
}

/// The notices' state, part of the [`Base`].
#[derive(Clone, Copy)]
pub struct Notices {
    /// From when notices count on this device; `None` until read.
    epoch: RwSignal<Option<Epoch>>,
    /// The user's clients this device dropped because they were taken.
    formers: RwSignal<Vec<Former>>,
    /// The keys of the notices the person has read.
    read: RwSignal<HashSet<String>>,
    /// Every notice, newest first.
    list: Memo<Arc<Vec<Notice>>>,
}

impl Notices {
    /// The notices of the base's user, derived when read after a change.
    pub fn new(
        app: crate::state::AppState,
        clients: RwSignal<Arc<crate::base::list::ClientList>>,
        derived: RwSignal<crate::base::derived::DerivedBase>,
    ) -> Notices {
        let epoch = RwSignal::new(None);
        let formers: RwSignal<Vec<Former>> = RwSignal::new(Vec::new());
        let list = Memo::new(move |_| {
            let (Some(epoch), Some(me)) = (epoch.get(), app.user().map(|u| u.id)) else {
                return Arc::new(Vec::new());
            };
            let mut out = Vec::new();
            clients.with(|list| {
                derived.with(|derived| {
                    for summary in &list.items {
                        let subject = Subject::of(summary, None);
                        if !subject.concerns(&me) {
                            continue;
                        }
                        let since = derived
                            .get(summary.id.as_str())
                            .and_then(|state| state.in_exchange_since);
                        let subject = Subject {
                            in_exchange_since: since,
                            ..subject
                        };
                        notices_of(&me, epoch, &subject, &mut out);
                    }
                })
            });
            formers.with(|formers| {
                for former in formers {
                    notices_of(&me, epoch, &former.subject(), &mut out);
                }
            });
            Arc::new(arrange(out))
        });
        Notices {
            epoch,
            formers,
            read: RwSignal::new(HashSet::new()),
            list,
        }
    }

    /// Every notice, newest first (tracked).
    pub fn list(&self) -> Arc<Vec<Notice>> {
        self.list.get()
    }

    /// Whether the notice with this key is read (tracked).
    pub fn is_read(&self, key: &str) -> bool {
        self.read.with(|r| r.contains(key))
    }

    /// How many notices are not read yet (tracked).
    pub fn unread(&self) -> usize {
        self.list.with(|list| {
            self.read
                .with(|read| list.iter().filter(|n| !read.contains(&n.key)).count())
        })
    }

    /// The keys of every notice (untracked).
    pub fn keys(&self) -> Vec<String> {
        self.list
            .with_untracked(|list| list.iter().map(|n| n.key.clone()).collect())
    }

    /// The keys of the notices not read yet (untracked).
    pub fn unread_keys(&self) -> HashSet<String> {
        self.list.with_untracked(|list| {
            self.read.with_untracked(|read| {
                list.iter()
                    .filter(|n| !read.contains(&n.key))
                    .map(|n| n.key.clone())
                    .collect()
            })
        })
    }

    /// Forgets everything (log out).
    pub fn clear(&self) {
        self.epoch.set(None);
        self.formers.set(Vec::new());
        self.read.set(HashSet::new());
    }
}

/// Reads what the device keeps of the user's notices; on the first run
/// for this user here, sets the epoch to now and keeps it.
pub async fn open(base: Base) {
    let (Some(store), Some(user)) = (base.store(), base.app.user()) else {
        return;
    };
    let mut kept: Kept = match store.meta(META_NOTICES).await {
        Ok(json) => json
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        Err(e) => {
            leptos::logging::warn!("notices: cannot read what was read: {e}");
            Kept::default()
        }
    };
    let formers = store.formers().await.unwrap_or_else(|e| {
        leptos::logging::warn!("notices: cannot read the clients taken away: {e}");
        Vec::new()
    });
    // Another user logged in meanwhile: these are not theirs.
    if base.app.user().map(|u| u.id) != Some(user.id) {
        return;
    }
    let epoch = match kept.epoch {
        Some(epoch) => epoch,
        None => {
            let epoch = Epoch {
                at: Timestamp(corrected_now(base)),
                date: base.app.today.get_untracked(),
            };
            kept.epoch = Some(epoch);
            save(base, &kept).await;
            epoch
        }
    };
    let notices = base.notices;
    notices.read.set(kept.read.into_iter().collect());
    notices.formers.set(formers);
    notices.epoch.set(Some(epoch));
}

/// A client taken from the user that the device remembers now (the store
/// has kept it already).
pub fn take_former(base: Base, former: Former) {
    base.notices
        .formers
        .update(|formers| keep_former(formers, former));
}

/// Marks these notices read, and keeps that on the device.
pub fn mark_read(base: Base, keys: impl IntoIterator<Item = String>) {
    let notices = base.notices;
    let mut changed = false;
    notices.read.update(|read| {
        for key in keys {
            changed |= read.insert(key);
        }
    });
    if !changed {
        return;
    }
    let Some(epoch) = notices.epoch.get_untracked() else {
        return;
    };
    // Keys of notices no longer derived are dropped — unless the zones are
    // not computed yet, when an exchange notice may simply not be there.
    let derived_ready = base.derived.with_untracked(|d| d.as_of.is_some());
    let read: Vec<String> = notices.read.with_untracked(|read| {
        notices.list.with_untracked(|list| {
            if derived_ready {
                list.iter()
                    .filter(|n| read.contains(&n.key))
                    .map(|n| n.key.clone())
                    .collect()
            } else {
                read.iter().cloned().collect()
            }
        })
    });
    let kept = Kept {
        epoch: Some(epoch),
        read,
    };
    spawn_local(async move { save(base, &kept).await });
}

async fn save(base: Base, kept: &Kept) {
    let Some(store) = base.store() else {
        return;
    };
    // Plain data: serialising cannot fail.
    let json = serde_json::to_string(kept).unwrap_or_default();
    if let Err(e) = store.set_meta(META_NOTICES, &json).await {
        leptos::logging::warn!("notices: cannot keep what was read: {e}");
    }
}

/// Now by the device's clock corrected to the relay's (as `today` is).
fn corrected_now(base: Base) -> i64 {
    let offset = base
        .app
        .session
        .with_untracked(|s| s.as_ref().map_or(0, |s| s.clock_offset_ms));
    now_ms() + offset
}
