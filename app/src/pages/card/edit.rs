//! One way for a card section to save: an edit of the client's document
//! through the store, with its busy state and its error in words.
//!
//! The edit runs on the document as stored (not on the section's copy),
//! and may refuse with the words to show: then nothing is written. A saved
//! edit reaches the card through the base (the store announces it), so a
//! section never puts the new document on screen itself.

use kartoteka::client::ClientDoc;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::base;
use crate::i18n::cat;
use crate::state::app_state;
use crate::store::EditError;

/// A section's save: whether one is running, and why the last one failed.
#[derive(Debug, Clone, Copy)]
pub struct Edit {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Edit {
    pub fn new() -> Edit {
        Edit {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Saves `edit` on client `id` (`message` names the change in the
    /// history's log). On success "saved" is shown and `done` gets the new
    /// document; a refusal shows its words in `error` and writes nothing;
    /// a failed write says so. A save while one runs is ignored.
    pub fn run(
        self,
        id: String,
        message: &'static str,
        edit: impl FnOnce(&mut ClientDoc) -> Result<(), String> + 'static,
        done: impl FnOnce(ClientDoc) + 'static,
    ) {
        self.run_saying(id, message, cat().saved.to_owned(), edit, done);
    }

    /// [`Edit::run`], saying `toast` instead of "saved" when it is done.
    pub fn run_saying(
        self,
        id: String,
        message: &'static str,
        toast: String,
        edit: impl FnOnce(&mut ClientDoc) -> Result<(), String> + 'static,
        done: impl FnOnce(ClientDoc) + 'static,
    ) {
        let state = app_state();
        let Some(store) = base().store() else {
            return;
        };
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = store.try_change_client(&id, message, edit).await;
            self.busy.set(false);
            match result {
                Ok(doc) => {
                    state.toast(toast, false);
                    done(doc);
                }
                Err(EditError::Refused(words)) => self.error.set(Some(words)),
                Err(EditError::Store(e)) => {
                    leptos::logging::error!("saving {message} failed: {e}");
                    self.error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    }
}

impl Default for Edit {
    fn default() -> Self {
        Edit::new()
    }
}
