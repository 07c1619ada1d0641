//! App-wide state, provided once by context at the root: the session, the
//! phase of start-up, the client list (read model), the workspace, the
//! connectivity, the toast, and the store that writes documents.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use kartoteka::api::SessionUser;
use kartoteka::date::{Date, Timestamp};
use kartoteka::rules::config::RuleSet;
use kartoteka::search::{SearchEntry, SearchIndex};
use kartoteka::summary::{ClientSummary, SalesSummary};
use kartoteka::workspace::WorkspaceDoc;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::derived::DerivedBase;
use crate::io::platform::now_ms;
use crate::store::Store;

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

/// The client list: every visible client's summary, sorted by name; and
/// beside it the potential clients' Interests, which are no clients.
///
/// Start-up reads summaries without their sales part (Interests and
/// document numbers, see [`SalesSummary`]); the sales pages read it once
/// with [`AppState::read_sales`], and `sales_read` says whether they have.
#[derive(Debug, Clone, Default)]
pub struct ClientList {
    pub items: Vec<Arc<ClientSummary>>,
    index: HashMap<String, usize>,
    /// Potential clients' Interest documents (not linked yet), by id.
    pub potential: HashMap<String, Arc<ClientSummary>>,
    /// Whether the summaries carry their sales parts.
    pub sales_read: bool,
    /// Clients whose whole summary came in (an edit, a sync) before the
    /// sales parts were read: what is read then is not newer.
    fresh: HashSet<String>,
}

fn sort_key(s: &ClientSummary) -> String {
    s.name.to_lowercase().replace('ё', "е")
}

impl ClientList {
    /// A list of these summaries (merged-away clients left out).
    pub fn new(summaries: Vec<ClientSummary>) -> ClientList {
        let mut potential = HashMap::new();
        let mut items: Vec<(String, Arc<ClientSummary>)> = Vec::with_capacity(summaries.len());
        for s in summaries {
            if s.is_client() {
                items.push((sort_key(&s), Arc::new(s)));
            } else if s.potential && s.merged_into.is_none() {
                potential.insert(s.id.to_string(), Arc::new(s));
            }
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let items: Vec<Arc<ClientSummary>> = items.into_iter().map(|(_, s)| s).collect();
        let index = items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.to_string(), i))
            .collect();
        ClientList {
            items,
            index,
            potential,
            sales_read: false,
            fresh: HashSet::new(),
        }
    }

    /// Every client and potential client, for "My sales" and the funnel.
    pub fn with_interests(&self) -> impl Iterator<Item = &Arc<ClientSummary>> {
        self.items.iter().chain(self.potential.values())
    }

    /// The summary of a client.
    pub fn get(&self, id: &str) -> Option<&Arc<ClientSummary>> {
        self.index.get(id).and_then(|&i| self.items.get(i))
    }

    /// A new list with this client added or replaced, kept sorted.
    pub fn with(&self, summary: ClientSummary) -> ClientList {
        let id = summary.id.to_string();
        let mut items = self.items.clone();
        if let Some(&i) = self.index.get(summary.id.as_str()) {
            items.remove(i);
        }
        let mut potential = self.potential.clone();
        potential.remove(summary.id.as_str());
        if summary.is_client() {
            let key = sort_key(&summary);
            let at = items.partition_point(|s| sort_key(s) < key);
            items.insert(at, Arc::new(summary));
        } else if summary.potential && summary.merged_into.is_none() {
            potential.insert(summary.id.to_string(), Arc::new(summary));
        }
        let index = items
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.to_string(), i))
            .collect();
        let mut fresh = self.fresh.clone();
        if !self.sales_read {
            fresh.insert(id);
        }
        ClientList {
            items,
            index,
            potential,
            sales_read: self.sales_read,
            fresh,
        }
    }

    /// Puts the sales parts read from the device into the summaries. A
    /// summary without a stored part keeps what it has (it was stored
    /// whole, or has none), and so does one that came in whole while the
    /// parts were being read. A summary no one else holds is filled in
    /// place (no copy: tens of thousands of them).
    pub fn fill_sales(&mut self, mut sales: HashMap<String, SalesSummary>) {
        let fresh = &self.fresh;
        for item in self.items.iter_mut().chain(self.potential.values_mut()) {
            if fresh.contains(item.id.as_str()) {
                continue;
            }
            if let Some(part) = sales.remove(item.id.as_str()) {
                Arc::make_mut(item).set_sales(part);
            }
        }
        self.sales_read = true;
        self.fresh.clear();
    }
}

/// Puts sales parts into the list of `clients` without copying it when
/// no one else holds it (see [`ClientList::fill_sales`]). Only the sales
/// pages are told (through `sales_rev`): the client list does not show
/// Interests, and redoing it for nothing would stall the page.
fn fill_sales(
    clients: RwSignal<Arc<ClientList>>,
    sales_rev: RwSignal<u64>,
    sales: HashMap<String, SalesSummary>,
) {
    clients.update_untracked(|list| Arc::make_mut(list).fill_sales(sales));
    sales_rev.update(|r| *r += 1);
}

/// The compiled status rules of the workspace; compared by identity, so a
/// new workspace document recompiles them and nothing else does.
#[derive(Debug, Clone)]
pub struct Rules(pub Arc<RuleSet>);

impl PartialEq for Rules {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Rules {
    type Target = RuleSet;
    fn deref(&self) -> &RuleSet {
        &self.0
    }
}

/// The app's shared state.
#[derive(Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Option<Session>>,
    pub phase: RwSignal<Phase>,
    pub clients: RwSignal<Arc<ClientList>>,
    pub workspace: RwSignal<Option<Arc<WorkspaceDoc>>>,
    /// The workspace's status rules, compiled once per workspace change.
    pub rules: Memo<Option<Rules>>,
    pub net: RwSignal<Net>,
    pub toast: RwSignal<Option<Toast>>,
    pub persistent: RwSignal<Option<bool>>,
    /// The search index (SPEC 3), once built; see [`crate::search`].
    pub search: StoredValue<SearchState>,
    /// Clients whose summary changed while the index was being built: the
    /// build catches up on these (and only these) when it is done.
    pub search_pending: StoredValue<Vec<String>>,
    /// Bumped whenever the index changes, so queries rerun.
    pub search_rev: RwSignal<u64>,
    /// Every client's status and zone today; see [`crate::derived`].
    pub derived: RwSignal<DerivedBase>,
    /// Bumped by each whole-base pass, so an outdated one stops.
    pub derive_generation: StoredValue<u64>,
    /// What the sync client reports (see [`crate::sync`]).
    pub sync: SyncStatus,
    /// Whether the sales parts of the summaries are being read.
    sales_reading: StoredValue<bool>,
    /// Bumped whenever sales parts are put into the list.
    pub sales_rev: RwSignal<u64>,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
}

/// Sync with the relay as the header shows it, and the documents it
/// changed (an open card reloads when its client is named).
#[derive(Debug, Clone, Copy)]
pub struct SyncStatus {
    /// Changes made on this device the relay has not confirmed.
    pub unsent: RwSignal<usize>,
    /// When the device last finished a sync with the relay (ms).
    pub last_sync: RwSignal<Option<i64>>,
    /// The refusal code of the relay's last `kt-refused`, until dismissed.
    pub refused: RwSignal<Option<String>>,
    /// The last client changed by the relay, and a counter so that the
    /// same client changed twice is seen twice.
    pub remote_change: RwSignal<(String, u64)>,
}

impl SyncStatus {
    fn new() -> SyncStatus {
        SyncStatus {
            unsent: RwSignal::new(0),
            last_sync: RwSignal::new(None),
            refused: RwSignal::new(None),
            remote_change: RwSignal::new((String::new(), 0)),
        }
    }

    /// Forgets what was shown for the user who logged out.
    pub fn reset(&self) {
        self.unsent.set(0);
        self.last_sync.set(None);
        self.refused.set(None);
    }

    /// Says that the relay changed this client.
    pub fn changed_remotely(&self, id: &str) {
        self.remote_change.update(|(last, n)| {
            *last = id.to_owned();
            *n += 1;
        });
    }
}

/// The search index, or the edits that came while it was being built.
#[derive(Debug, Default)]
pub enum SearchState {
    #[default]
    Building,
    /// Built; kept up to date on every change of a summary.
    Ready(Box<SearchIndex>),
}

impl AppState {
    /// Fresh state for a starting app.
    pub fn new() -> AppState {
        let workspace: RwSignal<Option<Arc<WorkspaceDoc>>> = RwSignal::new(None);
        let rules = Memo::new(move |_| {
            workspace.with(|w| {
                w.as_ref()
                    .and_then(|w| RuleSet::new(&w.statuses).ok())
                    .map(|r| Rules(Arc::new(r)))
            })
        });
        AppState {
            session: RwSignal::new(None),
            phase: RwSignal::new(Phase::Starting),
            clients: RwSignal::new(Arc::new(ClientList::default())),
            workspace,
            rules,
            net: RwSignal::new(if crate::io::platform::browser_online() {
                Net::Online
            } else {
                Net::Offline
            }),
            toast: RwSignal::new(None),
            persistent: RwSignal::new(None),
            search: StoredValue::new(SearchState::Building),
            search_pending: StoredValue::new(Vec::new()),
            search_rev: RwSignal::new(0),
            derived: RwSignal::new(DerivedBase::default()),
            derive_generation: StoredValue::new(0),
            sync: SyncStatus::new(),
            sales_reading: StoredValue::new(false),
            sales_rev: RwSignal::new(0),
            store: StoredValue::new_local(None),
        }
    }

    /// The store, once the base is open.
    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// Sets (or clears) the store.
    pub fn set_store(&self, store: Option<Rc<Store>>) {
        self.store.set_value(store);
    }

    /// The logged-in user.
    pub fn user(&self) -> Option<SessionUser> {
        self.session.with(|s| s.as_ref().map(|s| s.user.clone()))
    }

    /// The people who can be responsible for clients and Interests, as
    /// `(id, name)` by name (tracked: a changed directory re-renders).
    pub fn assignable_users(&self) -> Vec<(String, String)> {
        self.workspace.with(|w| {
            w.as_ref()
                .map(|w| {
                    w.assignable_users()
                        .into_iter()
                        .map(|u| (u.id.to_string(), u.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Today in the workspace's time zone, by the device's clock corrected
    /// by the offset to the relay's clock last seen.
    pub fn today(&self) -> Date {
        let offset = self
            .session
            .with_untracked(|s| s.as_ref().map_or(0, |s| s.clock_offset_ms));
        let zone = self
            .workspace
            .with_untracked(|w| w.as_ref().map_or(180, |w| w.settings.utc_offset_minutes));
        Date::of_instant(Timestamp(now_ms() + offset), zone)
    }

    /// Whether the list's summaries carry their sales parts (tracked: a
    /// sales page re-renders when they come in).
    pub fn sales_ready(&self) -> bool {
        self.sales_rev.track();
        self.clients.with_untracked(|l| l.sales_read)
    }

    /// Reads the sales parts of the summaries into the list, once per
    /// session (the sales pages call it as they open); returns when they
    /// are there. A failure is said, and the pages go on with what the
    /// list has.
    pub async fn read_sales(self) {
        loop {
            if self.clients.with_untracked(|l| l.sales_read) {
                return;
            }
            if !self.sales_reading.get_value() {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(20).await;
        }
        let Some(store) = self.store() else {
            return;
        };
        self.sales_reading.set_value(true);
        crate::io::platform::mark("kartoteka:sales-read-start");
        let sales = store.sales().await;
        crate::io::platform::mark("kartoteka:sales-read");
        match sales {
            Ok(sales) => fill_sales(self.clients, self.sales_rev, sales),
            Err(e) => {
                self.toast(
                    format!("{}: {e}", crate::i18n::cat().sales_read_failed),
                    true,
                );
                fill_sales(self.clients, self.sales_rev, HashMap::new());
            }
        }
        self.sales_reading.set_value(false);
    }

    /// Puts a client's new summary into the list, the search index and
    /// the derived statuses.
    /// (An index still being built picks it up from the list when done.)
    pub fn upsert_summary(&self, summary: ClientSummary) {
        let mut indexed = false;
        self.search.update_value(|s| {
            if let SearchState::Ready(index) = s {
                if !summary.is_client() {
                    index.remove(summary.id.as_str());
                } else {
                    index.upsert(SearchEntry::from(&summary));
                }
                indexed = true;
            }
        });
        if !indexed {
            self.search_pending
                .update_value(|p| p.push(summary.id.to_string()));
        }
        crate::derived::update_one(*self, &summary);
        self.clients
            .update(|list| *list = Arc::new(list.with(summary)));
        if indexed {
            self.search_rev.update(|r| *r += 1);
        }
    }

    /// Takes in summaries computed again from unchanged documents (see
    /// `Store::refresh_summaries`): one whose list part differs from the
    /// list's goes everywhere as an edit would; one that differs only in
    /// its sales part updates the list once the sales parts are read (before
    /// that, they are read from the store with the rest).
    pub fn refreshed_summaries(&self, batch: Vec<ClientSummary>) {
        let sales_read = self.clients.with_untracked(|l| l.sales_read);
        let mut sales = HashMap::new();
        for mut summary in batch {
            let id = summary.id.to_string();
            let current = self.clients.with_untracked(|l| {
                l.get(&id).or_else(|| l.potential.get(&id)).map(|c| {
                    let mut c = ClientSummary::clone(c);
                    c.take_sales();
                    c
                })
            });
            let part = summary.take_sales();
            if current.as_ref() == Some(&summary) {
                sales.insert(id, part);
            } else {
                summary.set_sales(part);
                self.upsert_summary(summary);
            }
        }
        if sales_read && !sales.is_empty() {
            fill_sales(self.clients, self.sales_rev, sales);
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
