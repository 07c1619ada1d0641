//! Changes the relay itself makes to the workspace document (the users
//! directory when an administrator adds, renames, changes the role of or
//! deactivates a user): committed like a device's change, through the
//! document's lock and the group commit, so every connection hears of it.

use kartoteka::date::Timestamp;
use kartoteka::document::WorkspaceDocument;
use kartoteka::ids::{UserId, actor_for};
use kartoteka::sync::DocumentId;
use kartoteka::workspace::WorkspaceDoc;

use super::authority::classify;
use super::hub::{Access, Kind, PendingCommit, Policy};
use super::job::{COMPACT_AFTER, TRIES, load};
use super::{Relay, SyncError};
use crate::store::Committed;

impl Relay {
    /// Changes the workspace document as `author` (an administrator acting
    /// through the relay) and commits it; `Ok(false)` when there is no
    /// workspace yet or the edit changed nothing. Blocks: call it off the
    /// async threads.
    pub fn change_workspace(
        &self,
        author: &UserId,
        message: &str,
        edit: impl Fn(&mut WorkspaceDoc),
    ) -> Result<bool, SyncError> {
        let Some(key) = self.store.workspace_id()? else {
            return Ok(false);
        };
        let uuid = uuid::Uuid::parse_str(&key)
            .map_err(|e| SyncError::Damaged(format!("the workspace id {key}: {e}")))?;
        let id = DocumentId::from(uuid);
        let actor = actor_for(author, crate::seed::RELAY_DEVICE)
            .ok_or_else(|| SyncError::Damaged(format!("the user id {author} is not a UUID")))?;
        let slot = self.hub.slot(id);
        let mut guard = slot.blocking_lock();
        for _ in 0..TRIES {
            let policy = self.hub.policy().unwrap_or(Policy::of(Some(id), None));
            load(self, id, &policy, &mut guard)?;
            let Some(loaded) = guard.as_mut() else {
                return Err(SyncError::Damaged(
                    "the workspace document is missing".into(),
                ));
            };
            let before = loaded.doc.get_heads();
            let mut doc = WorkspaceDocument::load(&loaded.doc.save())
                .map_err(|e| SyncError::Damaged(format!("the workspace: {e}")))?;
            doc.set_actor(actor.clone());
            let (model, changed) = doc
                .change_infallible(Timestamp(self.clock.now_ms()), message, &edit)
                .map_err(|e| SyncError::Damaged(format!("the workspace: {e}")))?;
            if !changed {
                return Ok(false);
            }
            let chunk = doc.automerge().save_after(&before);
            let chunks = loaded.chunks + 1;
            let snapshot = (chunks >= COMPACT_AFTER).then(|| doc.save());
            let compacted = snapshot.is_some();
            let committed = self.hub.commit(
                &self.store,
                PendingCommit {
                    document_id: id,
                    key: key.clone(),
                    base: Some(loaded.seq),
                    chunk: chunk.clone(),
                    snapshot,
                    summary: None,
                    sync_state: None,
                    access: Access::Everyone,
                    // No connection sent it: every one hears of it.
                    origin: 0,
                },
            )?;
            let Committed::Numbered(seq) = committed else {
                // Changed on another relay meanwhile: read it again.
                *guard = None;
                continue;
            };
            let policy = Policy::of(Some(id), Some(&model));
            self.hub.set_policy(policy);
            match loaded.doc.load_incremental(&chunk) {
                Ok(_) => {
                    loaded.kind = match classify(&loaded.doc, id, &policy) {
                        Kind::Workspace(model) => Kind::Workspace(model),
                        _ => Kind::Workspace(Box::new(model)),
                    };
                    loaded.chunks = if compacted { 0 } else { chunks };
                    loaded.seq = seq;
                }
                // Memory no longer matches the store: read it back next time.
                Err(_) => *guard = None,
            }
            return Ok(true);
        }
        Err(SyncError::Task(
            "the workspace kept changing on other relays".into(),
        ))
    }
}
