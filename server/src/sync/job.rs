//! One sync message for one document, run off the async threads with the
//! document locked: check what it brings against the rules, commit it
//! (group commit, through the [`Hub`](super::Hub)), and say what to answer.
//!
//! A change is checked against the document as the relay holds it in
//! memory, and committed only if the store still has that version (see
//! [`crate::store::DocChange::base`]). When another relay on the same
//! database changed the document meanwhile, the commit comes back stale:
//! the document is read again from the store and the message checked
//! again, so that of two takes of one exchange client on two relays
//! exactly one is kept.

use automerge::Automerge;
use automerge::sync::{self as am_sync, SyncDoc};
use kartoteka::sync::DocumentId;
use tokio::sync::OwnedMutexGuard;

use super::authority::{self, Refusal, may_read};
use super::hub::{Kind, Loaded, PendingCommit, Policy};
use super::{Relay, SyncError};
use crate::store::{Committed, UserRecord};

/// A document is saved whole again after this many appended chunks.
pub(super) const COMPACT_AFTER: u64 = 64;

/// How many times a message is checked again when its document changed on
/// another relay between the check and the commit. Each try follows a
/// commit elsewhere, so running out means a document under a storm of
/// writes; the device then syncs again.
pub(super) const TRIES: usize = 8;

/// What a sync message did to a document.
pub(super) enum Outcome {
    /// The user may not read it, or (for `request`) it does not exist.
    Unavailable,
    /// Applied; maybe with new changes, now durable.
    Synced {
        state: am_sync::State,
        reply: Option<Vec<u8>>,
        /// The relay has the changes the message brought, durably: the
        /// number of their commit (`None` when it had them already) and
        /// the document's heads.
        accepted: Option<(Option<u64>, Vec<String>)>,
    },
    /// The changes broke a rule: nothing stored.
    Refused(Refusal),
    /// The message could not be applied at all.
    Invalid(String),
}

/// Loads a document from the store into its slot, if it exists.
pub(super) fn load(
    relay: &Relay,
    id: DocumentId,
    policy: &Policy,
    slot: &mut Option<Loaded>,
) -> Result<(), SyncError> {
    if slot.is_some() {
        return Ok(());
    }
    if let Some(stored) = relay.store.doc_with_chunks(&id.uuid().to_string())? {
        let doc =
            Automerge::load(&stored.bytes).map_err(|e| SyncError::Damaged(format!("{id}: {e}")))?;
        let kind = authority::classify(&doc, id, policy);
        *slot = Some(Loaded {
            doc,
            kind,
            chunks: stored.chunks,
            seq: stored.seq,
        });
    }
    Ok(())
}

/// One sync message for one document, run off the async threads with the
/// document locked.
pub(super) struct Job {
    pub(super) relay: Relay,
    pub(super) user: UserRecord,
    pub(super) origin: u64,
    pub(super) id: DocumentId,
    pub(super) is_request: bool,
    pub(super) storage: Option<String>,
    pub(super) policy: Policy,
    pub(super) today: chrono::NaiveDate,
}

impl Job {
    pub(super) fn run(
        self,
        mut slot: OwnedMutexGuard<Option<Loaded>>,
        message: am_sync::Message,
        state: am_sync::State,
    ) -> Result<Outcome, SyncError> {
        for _ in 0..TRIES {
            match self.attempt(&mut slot, message.clone(), state.clone()) {
                // Changed on another relay since it was read: read it again.
                Err(SyncError::Stale) => *slot = None,
                done => return done,
            }
        }
        Err(SyncError::Task(format!(
            "{} kept changing on other relays; the device will sync again",
            self.id
        )))
    }

    /// One check and commit; [`SyncError::Stale`] when the commit found
    /// the document changed elsewhere since it was read.
    fn attempt(
        &self,
        slot: &mut Option<Loaded>,
        message: am_sync::Message,
        state: am_sync::State,
    ) -> Result<Outcome, SyncError> {
        load(&self.relay, self.id, &self.policy, slot)?;
        if let Some(loaded) = slot.as_ref()
            && !may_read(&self.user, &loaded.kind.access(), &self.policy, self.today)
        {
            return self.unreadable(loaded, message, state);
        }
        if slot.is_none() && self.is_request {
            return Ok(Outcome::Unavailable);
        }
        // A `sync` for a document the relay does not have may create it.
        let mut state = state;
        let shared_before = state.shared_heads.clone();
        if message.changes.is_empty() {
            let mut empty = Automerge::new();
            let doc = match slot.as_mut() {
                Some(loaded) => &mut loaded.doc,
                None => &mut empty,
            };
            if let Err(e) = doc.receive_sync_message(&mut state, message) {
                return Ok(Outcome::Invalid(e.to_string()));
            }
            let reply = doc.generate_sync_message(&mut state).map(|m| m.encode());
            if state.shared_heads != shared_before {
                self.save_state(Some(&state))?;
            }
            return Ok(Outcome::Synced {
                state,
                reply,
                accepted: None,
            });
        }
        let base = slot.as_ref().map_or_else(Automerge::new, |l| l.doc.clone());
        let before_heads = base.get_heads();
        let mut fork = base;
        let mut new_state = state.clone();
        if let Err(e) = fork.receive_sync_message(&mut new_state, message) {
            return Ok(Outcome::Invalid(e.to_string()));
        }
        if fork.get_heads() == before_heads {
            // Nothing new: changes the relay already had (a device that
            // did not hear the acknowledgement before a restart hears it
            // now), or changes whose history has not arrived yet.
            let (reply, accepted) = match slot.as_ref() {
                Some(loaded) => (
                    loaded.doc.generate_sync_message(&mut new_state),
                    Some((None, authority::heads_hex(&loaded.doc))),
                ),
                None => (Automerge::new().generate_sync_message(&mut new_state), None),
            };
            if new_state.shared_heads != shared_before {
                self.save_state(Some(&new_state))?;
            }
            return Ok(Outcome::Synced {
                state: new_state,
                reply: reply.map(|m| m.encode()),
                accepted,
            });
        }
        let before = slot.as_ref().map(|l| &l.kind);
        let kind = match authority::check(
            &self.user,
            self.id,
            before,
            &fork,
            &before_heads,
            &self.policy,
            self.today,
        ) {
            Ok(kind) => kind,
            Err(refusal) => {
                // The device drops its copy and starts again from ours.
                self.save_state(None)?;
                return Ok(Outcome::Refused(refusal));
            }
        };
        self.commit(slot, &fork, &before_heads, kind, new_state)
    }

    /// A sync message for a document the user may not read: unavailable,
    /// unless it is a take from the exchange that another manager won
    /// (then the loser is told why). Nothing is stored either way.
    ///
    /// A device's first message after a reconnect carries only its heads,
    /// never changes. When those heads are unknown here, the device holds
    /// changes the relay lacks (a take made offline, say): it is asked for
    /// them, once, so that the answer can tell a lost take from anything
    /// else. The question holds our heads and no changes, and says we have
    /// nothing since the device's last sync with us (an empty filter: a
    /// filter of what we have could, by a false positive, hide the very
    /// change we ask for). It reveals change hashes, not content, and only
    /// to a device that claims changes of its own to this document.
    fn unreadable(
        &self,
        loaded: &Loaded,
        message: am_sync::Message,
        mut state: am_sync::State,
    ) -> Result<Outcome, SyncError> {
        if message.changes.is_empty() {
            let heads = loaded.doc.get_heads();
            let holds_unknown = message
                .heads
                .iter()
                .any(|head| loaded.doc.get_change_meta_by_hash(head).is_none());
            let asked_already = state.last_sent_heads == heads;
            if !holds_unknown || asked_already || !matches!(loaded.kind, Kind::Client { .. }) {
                return Ok(Outcome::Unavailable);
            }
            let since = message
                .have
                .first()
                .map(|have| have.last_sync.clone())
                .unwrap_or_default();
            let mut ask = am_sync::State::new();
            let reply = loaded.doc.generate_sync_message(&mut ask).map(|mut m| {
                m.need.clear();
                m.have = vec![am_sync::Have {
                    last_sync: since,
                    bloom: am_sync::BloomFilter::default(),
                }];
                m.encode()
            });
            return Ok(Outcome::Synced {
                state: ask,
                reply,
                accepted: None,
            });
        }
        let before_heads = loaded.doc.get_heads();
        let mut fork = loaded.doc.clone();
        if fork.receive_sync_message(&mut state, message).is_err()
            || fork.get_heads() == before_heads
        {
            return Ok(Outcome::Unavailable);
        }
        match authority::taken_while_unreadable(&self.user, &loaded.kind, &fork, &before_heads) {
            Some(refusal) => {
                self.save_state(None)?;
                Ok(Outcome::Refused(refusal))
            }
            None => Ok(Outcome::Unavailable),
        }
    }

    fn commit(
        &self,
        slot: &mut Option<Loaded>,
        fork: &Automerge,
        before_heads: &[automerge::ChangeHash],
        kind: Kind,
        mut state: am_sync::State,
    ) -> Result<Outcome, SyncError> {
        let key = self.id.uuid().to_string();
        let chunk = fork.save_after(before_heads);
        let chunks = slot.as_ref().map_or(0, |l| l.chunks) + 1;
        let snapshot = (slot.is_none() || chunks >= COMPACT_AFTER).then(|| fork.save());
        let compacted = snapshot.is_some();
        let summary = match &kind {
            Kind::Client { summary, .. } => Some(
                serde_json::to_vec(summary.as_ref())
                    .map_err(|e| SyncError::Damaged(e.to_string()))?,
            ),
            _ => None,
        };
        let state_bytes = state.encode();
        let access = kind.access();
        let committed = self.relay.hub.commit(
            &self.relay.store,
            PendingCommit {
                document_id: self.id,
                key,
                base: slot.as_ref().map(|l| l.seq),
                chunk: chunk.clone(),
                snapshot,
                summary,
                sync_state: self
                    .storage
                    .as_ref()
                    .map(|storage| (storage.clone(), state_bytes)),
                access,
                origin: self.origin,
            },
        )?;
        let Committed::Numbered(seq) = committed else {
            return Err(SyncError::Stale);
        };
        if let Kind::Workspace(model) = &kind {
            self.relay
                .hub
                .set_policy(Policy::of(Some(self.id), Some(model.as_ref())));
        }
        let applied = match slot.as_mut() {
            Some(loaded) => loaded.doc.load_incremental(&chunk).map(|_| ()),
            None => Ok(()),
        };
        match (slot.as_mut(), applied) {
            (Some(loaded), Ok(())) => {
                loaded.kind = kind;
                loaded.chunks = if compacted { 0 } else { chunks };
                loaded.seq = seq;
            }
            // A new document, or memory that no longer matches the store:
            // read back what was committed.
            _ => {
                *slot = None;
                load(&self.relay, self.id, &self.policy, slot)?;
            }
        }
        let Some(loaded) = slot.as_ref() else {
            return Err(SyncError::Damaged(format!(
                "{} vanished after a commit",
                self.id
            )));
        };
        let heads = authority::heads_hex(&loaded.doc);
        let reply = loaded
            .doc
            .generate_sync_message(&mut state)
            .map(|m| m.encode());
        Ok(Outcome::Synced {
            state,
            reply,
            accepted: Some((Some(seq), heads)),
        })
    }

    fn save_state(&self, state: Option<&am_sync::State>) -> Result<(), SyncError> {
        if let Some(storage) = &self.storage {
            let bytes = state.map(am_sync::State::encode);
            self.relay.store.put_sync_state(
                storage,
                &self.id.uuid().to_string(),
                bytes.as_deref(),
            )?;
        }
        Ok(())
    }
}
