//! The client list: every visible client's summary sorted by name, and
//! the potential clients' Interests beside it. A value: the base replaces
//! it (or fills it in place when nobody else holds it), views read it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kartoteka::search::fold;
use kartoteka::summary::{ClientSummary, SalesSummary};

/// The client list: every visible client's summary, sorted by name; and
/// beside it the potential clients' Interests, which are no clients.
///
/// Start-up reads summaries without their sales part (Interests and
/// document numbers, see [`SalesSummary`]); the sales pages read it once
/// with [`crate::base::Base::read_sales`], and `sales_read` says whether
/// they have.
#[derive(Debug, Clone, Default)]
pub struct ClientList {
    pub items: Vec<Arc<ClientSummary>>,
    index: HashMap<String, usize>,
    /// Potential clients' Interest documents (not linked yet), by id.
    pub potential: Potential,
    /// Whether the summaries carry their sales parts.
    pub sales_read: bool,
    /// Clients whose whole summary came in (an edit, a sync) before the
    /// sales parts were read: what is read then is not newer.
    fresh: HashSet<String>,
}

/// Potential clients' Interest documents, by id.
type Potential = HashMap<String, Arc<ClientSummary>>;

fn sort_key(s: &ClientSummary) -> String {
    fold(&s.name)
}

/// Where each client stands in `items`, by id.
fn index_of(items: &[Arc<ClientSummary>]) -> HashMap<String, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.to_string(), i))
        .collect()
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
        ClientList {
            index: index_of(&items),
            items,
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

    /// The clients and the potential clients of this list without `id`.
    fn parts_without(&self, id: &str) -> (Vec<Arc<ClientSummary>>, Potential) {
        let mut items = self.items.clone();
        if let Some(&i) = self.index.get(id) {
            items.remove(i);
        }
        let mut potential = self.potential.clone();
        potential.remove(id);
        (items, potential)
    }

    /// A new list with this client added or replaced, kept sorted.
    pub fn with(&self, summary: ClientSummary) -> ClientList {
        let id = summary.id.to_string();
        let (mut items, mut potential) = self.parts_without(&id);
        if summary.is_client() {
            let key = sort_key(&summary);
            let at = items.partition_point(|s| sort_key(s) < key);
            items.insert(at, Arc::new(summary));
        } else if summary.potential && summary.merged_into.is_none() {
            potential.insert(summary.id.to_string(), Arc::new(summary));
        }
        let mut fresh = self.fresh.clone();
        if !self.sales_read {
            fresh.insert(id);
        }
        ClientList {
            index: index_of(&items),
            items,
            potential,
            sales_read: self.sales_read,
            fresh,
        }
    }

    /// A new list without this client (a document dropped from the
    /// device).
    pub fn without(&self, id: &str) -> ClientList {
        let (items, potential) = self.parts_without(id);
        ClientList {
            index: index_of(&items),
            items,
            potential,
            sales_read: self.sales_read,
            fresh: self.fresh.clone(),
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
