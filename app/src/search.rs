//! Building the search index on the device without freezing the page: the
//! clients are added a slice at a time with the browser free to paint in
//! between, and edits made meanwhile are caught up at the end.

use std::sync::Arc;

use kartoteka::search::{SearchEntry, SearchIndex};
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;

use crate::io::platform::{mark, measure, yield_now};
use crate::state::{AppState, SearchState};

/// Clients added between two yields (a few ms of work).
const SLICE: usize = 400;

/// Builds the index of the current client list and installs it.
pub async fn build(state: AppState) {
    mark("kartoteka:search-build-start");
    let items: Vec<Arc<ClientSummary>> = state.clients.with_untracked(|l| l.items.clone());
    let started_rev = state.clients.with_untracked(|l| Arc::as_ptr(l) as usize);
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
    // Clients saved while the index was being built.
    if state.clients.with_untracked(|l| Arc::as_ptr(l) as usize) != started_rev {
        state.clients.with_untracked(|list| {
            for s in &list.items {
                index.upsert(SearchEntry::from(s.as_ref()));
            }
        });
    }
    state.search.set_value(SearchState::Ready(Box::new(index)));
    state.search_rev.update(|r| *r += 1);
    mark("kartoteka:search-ready");
    measure(
        "kartoteka:search-build",
        "kartoteka:search-build-start",
        "kartoteka:search-ready",
    );
}
