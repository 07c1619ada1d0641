//! Several relays on one database: what another relay commits reaches the
//! devices connected here.
//!
//! The follower wakes on each `NOTIFY` of the store (and every second in
//! any case, so a notification lost while its connection was down costs at
//! most that second), reads the change index after the last number it
//! told, and for each document another relay changed: drops the copy in
//! memory (the next message reads it again from the store) and puts a note
//! on the feed, as if a connection here had committed it. Until it has
//! told a number, no device is given a cursor past it
//! ([`Hub::safe_cursor`]).

use std::sync::Arc;
use std::time::Duration;

use kartoteka::sync::DocumentId;

use super::connection::access_of;
use super::hub::{Hub, Note};
use super::{Relay, SyncError};
use crate::AppState;

/// How often the follower looks even without a notification.
const POLL: Duration = Duration::from_secs(1);

/// Runs for the life of the relay when other relays can write to its
/// store; returns at once when none can (the embedded store).
pub async fn follow(state: AppState) {
    let Some(mut wake) = state.store.other_writers() else {
        return;
    };
    let relay = Relay::new(&state);
    let hub = state.hub.clone();
    let store = state.store.clone();
    let start = match tokio::task::spawn_blocking(move || store.last_seq()).await {
        Ok(Ok(last)) => last,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "the follower cannot read the change sequence");
            0
        }
        Err(e) => {
            tracing::error!(error = %e, "the follower cannot start");
            0
        }
    };
    hub.start_following(start);
    loop {
        tokio::select! {
            woken = wake.recv() => if woken.is_none() {
                tracing::warn!("the change notifications stopped; looking every second");
                wake = tokio::sync::mpsc::unbounded_channel().1;
            },
            () = tokio::time::sleep(POLL) => {}
        }
        while wake.try_recv().is_ok() {}
        if let Err(e) = catch_up(&relay, &hub).await {
            tracing::warn!(error = %e, "the follower failed; it tries again");
        }
    }
}

/// Tells what other relays committed after what was told so far.
async fn catch_up(relay: &Relay, hub: &Arc<Hub>) -> Result<(), SyncError> {
    let seen = hub.seen();
    let store = relay.store.clone();
    let (changed, last) = tokio::task::spawn_blocking(move || store.changed_since(seen)).await??;
    if last <= seen {
        return Ok(());
    }
    let mut policy = relay.policy().await?;
    for doc in changed {
        if hub.is_local(doc.seq) {
            continue;
        }
        let Some(id) = uuid::Uuid::parse_str(&doc.id).ok().map(DocumentId::from) else {
            continue;
        };
        {
            let slot = hub.slot(id);
            let mut loaded = slot.lock().await;
            if loaded.as_ref().is_some_and(|l| l.seq < doc.seq) {
                *loaded = None;
            }
        }
        if policy.workspace == Some(id) {
            hub.forget_policy();
            policy = relay.policy().await?;
        }
        hub.publish(Note::Committed {
            document_id: id,
            seq: doc.seq,
            access: access_of(&doc, id, &policy),
            origin: 0,
        });
    }
    hub.set_seen(last);
    Ok(())
}
