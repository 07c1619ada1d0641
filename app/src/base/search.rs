//! Building the search index on the device without freezing the page: the
//! clients are added a slice at a time with the browser free to paint in
//! between, and edits made meanwhile are caught up at the end.

use std::sync::Arc;

use kartoteka::search::{SearchEntry, SearchIndex};
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;

use crate::base::{Base, SearchState};
use crate::io::platform::{mark, measure, yield_now};

/// Clients added between two yields (a few ms of work).
const SLICE: usize = 400;

/// Builds the index of the current client list and installs it.
pub async fn build(base: Base) {
    mark("kartoteka:search-build-start");
    let items: Vec<Arc<ClientSummary>> = base.clients.with_untracked(|l| l.items.clone());
    // From here on, changed clients are noted for the catch-up below.
    base.search_pending.set_value(Vec::new());
    let mut builder = SearchIndex::builder(items.len());
    for slice in items.chunks(SLICE) {
        for summary in slice {
            builder.add(&SearchEntry::from(summary.as_ref()));
        }
        yield_now().await;
    }
    while builder.finish_step() {
        yield_now().await;
    }
    let mut index = builder.finish();
    // Clients saved or synced while the index was being built (only
    // those: re-adding the whole base took seconds in one task).
    let mut pending = base
        .search_pending
        .try_update_value(std::mem::take)
        .unwrap_or_default();
    pending.sort_unstable();
    pending.dedup();
    base.clients.with_untracked(|list| {
        for id in &pending {
            match list.get(id) {
                Some(s) => index.upsert(SearchEntry::from(s.as_ref())),
                // Merged away (lists leave merged clients out).
                None => {
                    index.remove(id);
                }
            }
        }
    });
    base.search.set_value(SearchState::Ready(Box::new(index)));
    base.search_rev.update(|r| *r += 1);
    mark("kartoteka:search-ready");
    measure(
        "kartoteka:search-build",
        "kartoteka:search-build-start",
        "kartoteka:search-ready",
    );
}
