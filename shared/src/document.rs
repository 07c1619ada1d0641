//! Typed Automerge documents: load, read, change and save a client or the
//! workspace document through its Rust model.
//!
//! A change is always "read the model, edit it, reconcile it back":
//! autosurgeon writes only the fields that differ, so two devices that edit
//! different fields of one card merge cleanly, and a field both edited stays
//! a visible conflict.

use std::marker::PhantomData;

use automerge::{ActorId, AutoCommit, ChangeHash, ReadDoc, transaction::CommitOptions};
use autosurgeon::{Hydrate, Reconcile};

use crate::client::ClientDoc;
use crate::date::Timestamp;
use crate::workspace::WorkspaceDoc;

/// What can go wrong with a stored or received document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The bytes are not an Automerge document (truncated, corrupted).
    #[error("the saved document is damaged and cannot be read: {0}")]
    Damaged(#[from] automerge::AutomergeError),
    /// The document is Automerge, but not of the expected kind or layout.
    #[error("the document is not a readable {expected} document: {detail}")]
    Unreadable {
        expected: &'static str,
        detail: String,
    },
    /// The document was written by a newer version of Kartoteka.
    #[error("the document was written by a newer version (layout {found}); update the app")]
    TooNew { found: u64 },
    /// Writing the edited model back failed.
    #[error("the change could not be written: {0}")]
    Write(#[from] autosurgeon::ReconcileError),
}

/// Why a [`Document::change`] wrote nothing: the edit refused (the
/// domain's reason, for the user), or the document could not be read or
/// written.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError<E> {
    /// The edit refused; nothing was written.
    #[error(transparent)]
    Refused(E),
    /// The document could not be read or the change written (boxed: the
    /// refusal is the common case and stays small).
    #[error(transparent)]
    Document(Box<DocumentError>),
}

impl<E> From<DocumentError> for ChangeError<E> {
    fn from(e: DocumentError) -> Self {
        ChangeError::Document(Box::new(e))
    }
}

impl<E> ChangeError<E> {
    /// The edit's refusal, if that is what it was.
    pub fn refusal(&self) -> Option<&E> {
        match self {
            ChangeError::Refused(e) => Some(e),
            ChangeError::Document(_) => None,
        }
    }
}

/// A model that is the root of a document.
pub trait Model: Reconcile + Hydrate + Clone {
    /// The `kind` at the document's root.
    const KIND: &'static str;
    /// The newest layout version this code reads.
    const SCHEMA: u64;
}

impl Model for ClientDoc {
    const KIND: &'static str = crate::client::KIND;
    const SCHEMA: u64 = crate::client::SCHEMA;
}

impl Model for WorkspaceDoc {
    const KIND: &'static str = crate::workspace::KIND;
    const SCHEMA: u64 = crate::workspace::SCHEMA;
}

/// An Automerge document whose root is the model `M`.
#[derive(Debug)]
pub struct Document<M> {
    doc: AutoCommit,
    model: PhantomData<M>,
}

/// A client's document.
pub type ClientDocument = Document<ClientDoc>;
/// The workspace document.
pub type WorkspaceDocument = Document<WorkspaceDoc>;

impl<M: Model> Document<M> {
    /// A new document holding `model`, written by `actor`.
    pub fn create(model: &M, actor: ActorId, at: Timestamp) -> Result<Self, DocumentError> {
        let mut doc = AutoCommit::new().with_actor(actor);
        autosurgeon::reconcile(&mut doc, model)?;
        doc.commit_with(
            CommitOptions::default()
                .with_time(at.0 / 1000)
                .with_message("create"),
        );
        Ok(Document {
            doc,
            model: PhantomData,
        })
    }

    /// A document from its saved bytes (a snapshot, possibly followed by
    /// incremental chunks), checked to be of this kind.
    pub fn load(bytes: &[u8]) -> Result<Self, DocumentError> {
        let doc = AutoCommit::load(bytes)?;
        let this = Document {
            doc,
            model: PhantomData,
        };
        this.check_kind()?;
        Ok(this)
    }

    /// Wraps an Automerge document (received through sync), checked to be
    /// of this kind.
    pub fn from_automerge(doc: AutoCommit) -> Result<Self, DocumentError> {
        let this = Document {
            doc,
            model: PhantomData,
        };
        this.check_kind()?;
        Ok(this)
    }

    fn check_kind(&self) -> Result<(), DocumentError> {
        let kind: Option<String> = autosurgeon::hydrate_prop(&self.doc, automerge::ROOT, "kind")
            .map_err(|e| self.unreadable(e.to_string()))?;
        if kind.as_deref() != Some(M::KIND) {
            return Err(self.unreadable(format!("kind is {kind:?}")));
        }
        let schema: Option<u64> = autosurgeon::hydrate_prop(&self.doc, automerge::ROOT, "schema")
            .map_err(|e| self.unreadable(e.to_string()))?;
        match schema {
            Some(s) if s > M::SCHEMA => Err(DocumentError::TooNew { found: s }),
            Some(_) => Ok(()),
            None => Err(self.unreadable("no schema".to_owned())),
        }
    }

    fn unreadable(&self, detail: String) -> DocumentError {
        DocumentError::Unreadable {
            expected: M::KIND,
            detail,
        }
    }

    /// Sets the actor that signs the changes made from now on.
    pub fn set_actor(&mut self, actor: ActorId) {
        self.doc.set_actor(actor);
    }

    /// The model as the document holds it now.
    pub fn read(&self) -> Result<M, DocumentError> {
        autosurgeon::hydrate(&self.doc).map_err(|e| self.unreadable(e.to_string()))
    }

    /// Reads the model, lets `edit` change it, and commits what differs as
    /// one change. Returns the new model and whether anything changed.
    ///
    /// The edit may refuse (`Err`): then nothing is written, no change is
    /// committed, and the refusal comes back as [`ChangeError::Refused`].
    /// Domain operations that check before they write
    /// ([`ClientDoc::absorb`], [`ClientDoc::take_potential`],
    /// [`crate::scenario::complete_interest_in`], …) are such edits, so the
    /// check runs on the stored document itself, never on a stale copy.
    pub fn change<E>(
        &mut self,
        at: Timestamp,
        message: &str,
        edit: impl FnOnce(&mut M) -> Result<(), E>,
    ) -> Result<(M, bool), ChangeError<E>> {
        let mut model = self.read()?;
        // The edit works on a copy: a refusal leaves the document as it was.
        edit(&mut model).map_err(ChangeError::Refused)?;
        if let Err(e) = autosurgeon::reconcile(&mut self.doc, &model) {
            self.doc.rollback();
            return Err(DocumentError::from(e).into());
        }
        let hash = self.doc.commit_with(
            CommitOptions::default()
                .with_time(at.0 / 1000)
                .with_message(message.to_owned()),
        );
        Ok((model, hash.is_some()))
    }

    /// [`Document::change`] for an edit that cannot be refused (setting a
    /// field, adding an entry): validate before calling, the edit is
    /// written as it is.
    pub fn change_infallible(
        &mut self,
        at: Timestamp,
        message: &str,
        edit: impl FnOnce(&mut M),
    ) -> Result<(M, bool), DocumentError> {
        self.change(at, message, |model| {
            edit(model);
            Ok::<(), std::convert::Infallible>(())
        })
        .map_err(|e| match e {
            ChangeError::Document(e) => *e,
            ChangeError::Refused(never) => match never {},
        })
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes since the last `save` or `save_incremental`, to append
    /// to what is stored.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Merges another copy of the same document into this one.
    pub fn merge(&mut self, other: &mut Document<M>) -> Result<(), DocumentError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// A copy that can diverge (another device's view, in tests).
    pub fn fork(&mut self, actor: ActorId) -> Document<M> {
        Document {
            doc: self.doc.fork().with_actor(actor),
            model: PhantomData,
        }
    }

    /// The underlying Automerge document, for sync and history.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Read access to the underlying Automerge document.
    pub fn automerge_ref(&self) -> &AutoCommit {
        &self.doc
    }

    /// Whether a map key currently holds concurrent values (a conflict).
    pub fn is_conflicted(&self, obj: &automerge::ObjId, key: &str) -> bool {
        self.doc
            .get_all(obj, key)
            .map(|values| values.len() > 1)
            .unwrap_or(false)
    }
}
