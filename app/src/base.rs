//! The user's base as this device shows it, and its one owner.
//!
//! Data flows one way. The [`Store`] writes a change to IndexedDB (a local
//! edit, a sync message, an import, a merge, summaries computed again, a
//! document dropped) and only then announces it ([`Committed`]);
//! [`Base::apply`] is the one entry that takes announcements in: it updates
//! the client list, the search index, the derived statuses and zones, and
//! the card that shows that client. Views read the signals here and never
//! patch them, so the list never shows what is not on disk.
//!
//! What lives here is derived from the documents: [`list`] (the summaries),
//! [`search`] (the index, built in slices), [`derived`] (statuses and zones
//! today), [`winback`] (the win-backs of clients that became Lost),
//! [`notices`] (what the user is told about their clients);
//! [`slices`] runs a whole-base pass a few milliseconds at a time.

pub mod derived;
pub mod list;
pub mod notices;
pub mod search;
pub mod slices;
pub mod winback;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use kartoteka::client::ClientDoc;
use kartoteka::ids::UserId;
use kartoteka::rules::config::RuleSet;
use kartoteka::search::{SearchEntry, SearchIndex};
use kartoteka::summary::ClientSummary;
use kartoteka::workspace::WorkspaceDoc;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::AppState;
use crate::store::{Committed, Store};
use derived::DerivedBase;
use list::ClientList;
use notices::Notices;

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

/// The search index, or nothing while it is being built.
#[derive(Debug, Default)]
pub enum SearchState {
    #[default]
    Building,
    /// Built; kept up to date on every committed change.
    Ready(Box<SearchIndex>),
}

/// The documents open on screen (how many views show each), and the
/// newest committed version of each not yet taken by its view.
#[derive(Default)]
struct Followers {
    watched: HashMap<String, usize>,
    latest: HashMap<String, Arc<ClientDoc>>,
}

/// The base: the read model of every document on the device, provided
/// once by context ([`base`]).
#[derive(Clone, Copy)]
pub struct Base {
    /// The app-wide state (today, the toast) the base works with.
    pub app: AppState,
    store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    /// The workspace document (statuses, scenarios, users, settings).
    pub workspace: RwSignal<Option<Arc<WorkspaceDoc>>>,
    /// The workspace's status rules, compiled once per workspace change.
    pub rules: Memo<Option<Rules>>,
    /// Every visible client's summary.
    pub clients: RwSignal<Arc<ClientList>>,
    /// The search index (SPEC 3), once built.
    pub(crate) search: StoredValue<SearchState>,
    /// Clients committed while the index was being built: the build
    /// catches up on these (and only these) when it is done.
    pub(crate) search_pending: StoredValue<Vec<String>>,
    /// Bumped whenever the index changes, so queries rerun.
    pub search_rev: RwSignal<u64>,
    /// Every client's status and zone today.
    pub derived: RwSignal<DerivedBase>,
    /// Bumped by each whole-base pass, so an outdated one stops.
    pub(crate) derive_generation: StoredValue<u64>,
    /// Whether the sales parts of the summaries are being read.
    sales_reading: StoredValue<bool>,
    /// Bumped whenever sales parts are put into the list.
    pub sales_rev: RwSignal<u64>,
    /// The documents open on screen, each told its new version when a
    /// change of it is committed (see [`Base::follow`]).
    followers: StoredValue<Followers, LocalStorage>,
    /// Bumped by every committed change of a followed document.
    followed_rev: RwSignal<u64>,
    /// What the user is told about their clients (the bell).
    pub notices: Notices,
}

impl Base {
    /// An empty base (nobody logged in yet).
    pub fn new(app: AppState) -> Base {
        let workspace: RwSignal<Option<Arc<WorkspaceDoc>>> = RwSignal::new(None);
        let rules = Memo::new(move |_| {
            workspace.with(|w| {
                w.as_ref()
                    .and_then(|w| RuleSet::new(&w.statuses).ok())
                    .map(|r| Rules(Arc::new(r)))
            })
        });
        let clients = RwSignal::new(Arc::new(ClientList::default()));
        let derived = RwSignal::new(DerivedBase::default());
        Base {
            app,
            store: StoredValue::new_local(None),
            workspace,
            rules,
            clients,
            search: StoredValue::new(SearchState::Building),
            search_pending: StoredValue::new(Vec::new()),
            search_rev: RwSignal::new(0),
            derived,
            derive_generation: StoredValue::new(0),
            sales_reading: StoredValue::new(false),
            sales_rev: RwSignal::new(0),
            followers: StoredValue::new_local(Followers::default()),
            followed_rev: RwSignal::new(0),
            notices: Notices::new(app, clients, derived),
        }
    }

    /// The store, once the base is open.
    pub fn store(&self) -> Option<Rc<Store>> {
        self.store.get_value()
    }

    /// Opens the base on a store: from now on every write the store
    /// commits comes here.
    pub fn open(&self, store: Rc<Store>, workspace: WorkspaceDoc, clients: ClientList) {
        let base = *self;
        store.observe(move |committed| base.apply(committed));
        self.workspace.set(Some(Arc::new(workspace)));
        self.clients.set(Arc::new(clients));
        self.store.set_value(Some(store));
        spawn_local(notices::open(base));
    }

    /// Closes the base (log out): everything derived is forgotten.
    pub fn close(&self) {
        if let Some(store) = self.store() {
            store.stop_sync();
            store.leave_other_tabs();
        }
        self.store.set_value(None);
        self.search.set_value(SearchState::Building);
        self.derived.set(DerivedBase::default());
        self.workspace.set(None);
        self.clients.set(Arc::new(ClientList::default()));
        self.notices.clear();
    }

    /// Takes in one committed write: the one way the base changes.
    pub fn apply(&self, committed: Committed) {
        match committed {
            Committed::Client { doc, summary, .. } => {
                self.put_summary(summary);
                self.tell_followers(doc);
            }
            Committed::Refreshed(batch) => self.refreshed(batch),
            Committed::Forgotten(id) => self.drop_client(&id),
            Committed::Parted {
                id,
                former,
                dropped,
            } => {
                if dropped {
                    self.drop_client(&id);
                }
                if let Some(former) = former {
                    notices::take_former(*self, former);
                }
            }
            Committed::Workspace(ws) => {
                self.app
                    .utc_offset_minutes
                    .set(ws.settings.utc_offset_minutes);
                self.app.tick();
                self.workspace.set(Some(Arc::new(ws)));
            }
        }
    }

    /// Takes a document dropped from the device out of everything.
    fn drop_client(&self, id: &str) {
        self.search.update_value(|s| {
            if let SearchState::Ready(index) = s {
                index.remove(id);
            }
        });
        self.derived.update(|d| {
            d.clients.remove(id);
        });
        self.clients
            .update(|list| *list = Arc::new(list.without(id)));
        self.search_rev.update(|r| *r += 1);
    }

    /// Follows document `id` for as long as the calling view (or effect)
    /// lives: each committed version of it can then be taken with
    /// [`Base::take_committed`], after [`Base::followed_rev`] moves.
    pub fn follow(&self, id: &str) {
        let key = id.to_owned();
        self.followers
            .update_value(|f| *f.watched.entry(key.clone()).or_default() += 1);
        let followers = self.followers;
        on_cleanup(move || {
            followers.update_value(|f| {
                if let Some(n) = f.watched.get_mut(&key) {
                    *n -= 1;
                    if *n == 0 {
                        f.watched.remove(&key);
                        f.latest.remove(&key);
                    }
                }
            });
        });
    }

    /// Tracks the commits of followed documents (for an effect).
    pub fn followed_rev(&self) -> u64 {
        self.followed_rev.get()
    }

    /// The newest committed version of a followed document not taken yet.
    pub fn take_committed(&self, id: &str) -> Option<Arc<ClientDoc>> {
        self.followers
            .try_update_value(|f| f.latest.remove(id))
            .flatten()
    }

    fn tell_followers(&self, doc: Arc<ClientDoc>) {
        let id = doc.id.to_string();
        let mut followed = false;
        self.followers.update_value(|f| {
            if f.watched.contains_key(&id) {
                f.latest.insert(id, doc);
                followed = true;
            }
        });
        if followed {
            self.followed_rev.update(|r| *r += 1);
        }
    }

    /// Puts a client's new summary into the list, the search index and
    /// the derived statuses. (An index still being built picks it up
    /// from the list when done.)
    fn put_summary(&self, summary: ClientSummary) {
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
        derived::update_one(*self, &summary);
        self.clients
            .update(|list| *list = Arc::new(list.with(summary)));
        if indexed {
            self.search_rev.update(|r| *r += 1);
        }
    }

    /// Takes in summaries computed again from unchanged documents: one
    /// whose list part differs from the list's goes everywhere as an edit
    /// would; one that differs only in its sales part updates the list
    /// once the sales parts are read (before that, they are read from the
    /// store with the rest).
    fn refreshed(&self, batch: Vec<ClientSummary>) {
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
                self.put_summary(summary);
            }
        }
        if sales_read && !sales.is_empty() {
            self.fill_sales(sales);
        }
    }

    /// Puts sales parts into the list without copying it when no one else
    /// holds it (see [`ClientList::fill_sales`]). Only the sales pages are
    /// told (through `sales_rev`): the client list does not show
    /// Interests, and redoing it for nothing would stall the page.
    fn fill_sales(&self, sales: HashMap<String, kartoteka::summary::SalesSummary>) {
        self.clients
            .update_untracked(|list| Arc::make_mut(list).fill_sales(sales));
        self.sales_rev.update(|r| *r += 1);
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
        self.sales_reading.set_value(false);
        match sales {
            Ok(sales) => self.fill_sales(sales),
            Err(e) => {
                self.app.toast(
                    format!("{}: {e}", crate::i18n::cat().sales_read_failed),
                    true,
                );
                self.fill_sales(HashMap::new());
            }
        }
    }

    /// Computes one client's status and zone again now, from its stored
    /// document (the card's "recompute").
    pub fn recompute_client(&self, doc: &ClientDoc) {
        derived::update_one(*self, &ClientSummary::of(doc));
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

    /// A user's full name from the directory (untracked), if known.
    pub fn user_name(&self, id: &UserId) -> Option<String> {
        self.workspace
            .with_untracked(|w| w.as_ref().and_then(|w| w.user(id)).map(|u| u.name.clone()))
    }
}

/// The base from context.
pub fn base() -> Base {
    expect_context::<Base>()
}
