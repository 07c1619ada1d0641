//! Editing, deleting and restoring what a card lists: contact persons,
//! events, payments and shipments.
//!
//! A deletion is a fact, not a removal: the entry stays in its map with
//! [`Deletion`] (who, when) set. So the deletion syncs like any edit, the
//! history shows it, a supervisor can restore the entry as it was, and an
//! edit another device made to the entry meanwhile is not lost (the two
//! touch different fields and merge). Everything derived — the rule
//! engine's facts, summaries, search, the timeline, duplicates — reads the
//! entries through [`ClientDoc::live_contacts`] and its siblings and never
//! sees a deleted one.
//!
//! Each operation here is an edit for [`crate::document::Document::change`]:
//! it checks and writes on the same model and refuses with an
//! [`EntryError`], leaving the model untouched. Edits apply only what the
//! form changed (`opened` → what is saved), so a field another device
//! changed meanwhile survives.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::validate::{ContactField, FieldError, validate_contact};
use super::{
    ClientDoc, Contact, Event, EventKind, FactSource, Money, MoneyError, Payment, Shipment,
    apply_field_edit,
};
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::workspace::Role;

/// Who deleted an entry, and when.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Deletion {
    pub by: UserId,
    pub at: Timestamp,
}

/// The kinds of entries that can be deleted and restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Contact,
    Event,
    Payment,
    Shipment,
}

impl EntryKind {
    /// Every kind, in the order the card shows them.
    pub const ALL: [EntryKind; 4] = [
        EntryKind::Contact,
        EntryKind::Event,
        EntryKind::Payment,
        EntryKind::Shipment,
    ];
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EntryKind::Contact => "contact person",
            EntryKind::Event => "event",
            EntryKind::Payment => "payment",
            EntryKind::Shipment => "shipment",
        })
    }
}

/// Why an entry cannot be edited, deleted or restored. The app words each
/// one; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("this client has no such {0}")]
    NotFound(EntryKind),
    /// Deleted on this or another device (meanwhile, as far as the user
    /// who still sees it knows).
    #[error("the {0} has been deleted meanwhile")]
    Deleted(EntryKind),
    #[error("the {0} is not deleted, there is nothing to restore")]
    NotDeleted(EntryKind),
    #[error("only supervisors and administrators restore a deleted {0}")]
    RestoreNotAllowed(EntryKind),
    /// Accounting's record: corrected in accounting, not on the card.
    #[error(
        "a {0} imported from accounting is corrected in accounting; it can only be deleted here"
    )]
    Imported(EntryKind),
    #[error("the contact person has {} field(s) to correct", .0.len())]
    InvalidContact(Vec<FieldError<ContactField>>),
    #[error("the event's result (what happened) is empty")]
    EmptyResult,
    #[error("the date {0} is in the future")]
    FutureDate(Date),
    #[error("the amount cannot be read: {0}")]
    Amount(#[from] MoneyError),
}

/// An entry that can be deleted.
trait Deletable: Clone {
    const KIND: EntryKind;
    fn deleted_mut(&mut self) -> &mut Option<Deletion>;
}

macro_rules! deletable {
    ($($t:ty => $kind:expr),*) => {$(
        impl Deletable for $t {
            const KIND: EntryKind = $kind;
            fn deleted_mut(&mut self) -> &mut Option<Deletion> {
                &mut self.deleted
            }
        }
    )*};
}
deletable!(
    Contact => EntryKind::Contact,
    Event => EntryKind::Event,
    Payment => EntryKind::Payment,
    Shipment => EntryKind::Shipment
);

/// The live (not deleted) entry `id` of `map`, to edit.
fn live_mut<'a, T: Deletable>(
    map: &'a mut BTreeMap<String, T>,
    id: &str,
) -> Result<&'a mut T, EntryError> {
    let entry = map.get_mut(id).ok_or(EntryError::NotFound(T::KIND))?;
    if entry.deleted_mut().is_some() {
        return Err(EntryError::Deleted(T::KIND));
    }
    Ok(entry)
}

fn delete_in<T: Deletable>(
    map: &mut BTreeMap<String, T>,
    id: &str,
    by: &UserId,
    at: Timestamp,
) -> Result<(), EntryError> {
    let entry = live_mut(map, id)?;
    *entry.deleted_mut() = Some(Deletion { by: by.clone(), at });
    Ok(())
}

fn restore_in<T: Deletable>(map: &mut BTreeMap<String, T>, id: &str) -> Result<(), EntryError> {
    let entry = map.get_mut(id).ok_or(EntryError::NotFound(T::KIND))?;
    if entry.deleted_mut().take().is_none() {
        return Err(EntryError::NotDeleted(T::KIND));
    }
    Ok(())
}

/// What a payment or shipment form holds on save: the amount as typed
/// (read with [`Money::parse`]), the document number as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyFactEdit {
    pub date: Date,
    pub amount: String,
    pub document: String,
}

/// What a money fact's edit writes, checked: `None` where the form left
/// the field as it was opened.
struct MoneyChange {
    date: Option<Date>,
    amount: Option<Money>,
    document: Option<String>,
}

impl MoneyFactEdit {
    fn check(
        &self,
        kind: EntryKind,
        opened: (Date, Money, &str),
        source: FactSource,
        today: Date,
    ) -> Result<MoneyChange, EntryError> {
        if source == FactSource::Import {
            return Err(EntryError::Imported(kind));
        }
        if self.date > today {
            return Err(EntryError::FutureDate(self.date));
        }
        let amount = Money::parse(&self.amount)?;
        let document = self.document.trim();
        Ok(MoneyChange {
            date: (self.date != opened.0).then_some(self.date),
            amount: (amount != opened.1).then_some(amount),
            document: (document != opened.2.trim()).then(|| document.to_owned()),
        })
    }
}

/// What an event form holds on save (the author and when it was written
/// stay those of the event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEdit {
    pub date: Date,
    pub kind: EventKind,
    /// Contact persons who took part (their ids in this document).
    pub participants: Vec<String>,
    pub result: String,
    pub interest: Option<String>,
}

impl EventEdit {
    /// The form's content for an existing event.
    pub fn of(event: &Event) -> EventEdit {
        EventEdit {
            date: event.date,
            kind: event.kind,
            participants: event.participants.clone(),
            result: event.result.clone(),
            interest: event.interest.clone(),
        }
    }
}

/// A deleted entry, for the supervisor's list of what can be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedEntry<'a> {
    pub kind: EntryKind,
    pub id: &'a str,
    pub deletion: &'a Deletion,
}

impl ClientDoc {
    /// Contact persons that are not deleted.
    pub fn live_contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.values().filter(|c| c.deleted.is_none())
    }

    /// Events that are not deleted.
    pub fn live_events(&self) -> impl Iterator<Item = &Event> {
        self.events.values().filter(|e| e.deleted.is_none())
    }

    /// Payments that are not deleted.
    pub fn live_payments(&self) -> impl Iterator<Item = &Payment> {
        self.payments.values().filter(|p| p.deleted.is_none())
    }

    /// Shipments that are not deleted.
    pub fn live_shipments(&self) -> impl Iterator<Item = &Shipment> {
        self.shipments.values().filter(|s| s.deleted.is_none())
    }

    /// Every deleted entry, most recently deleted first.
    pub fn deleted_entries(&self) -> Vec<DeletedEntry<'_>> {
        fn of<'a, T>(
            kind: EntryKind,
            map: &'a BTreeMap<String, T>,
            deleted: impl Fn(&T) -> Option<&Deletion>,
            out: &mut Vec<DeletedEntry<'a>>,
        ) {
            out.extend(map.iter().filter_map(|(id, entry)| {
                deleted(entry).map(|deletion| DeletedEntry { kind, id, deletion })
            }));
        }
        let mut out = Vec::new();
        of(
            EntryKind::Contact,
            &self.contacts,
            |c| c.deleted.as_ref(),
            &mut out,
        );
        of(
            EntryKind::Event,
            &self.events,
            |e| e.deleted.as_ref(),
            &mut out,
        );
        of(
            EntryKind::Payment,
            &self.payments,
            |p| p.deleted.as_ref(),
            &mut out,
        );
        of(
            EntryKind::Shipment,
            &self.shipments,
            |s| s.deleted.as_ref(),
            &mut out,
        );
        out.sort_by(|a, b| (b.deletion.at, a.kind, a.id).cmp(&(a.deletion.at, b.kind, b.id)));
        out
    }

    /// Deletes entry `id` of `kind` (any user who may change the client;
    /// the relay lets managers do it on their own clients only).
    pub fn delete_entry(
        &mut self,
        kind: EntryKind,
        id: &str,
        by: &UserId,
        at: Timestamp,
    ) -> Result<(), EntryError> {
        match kind {
            EntryKind::Contact => delete_in(&mut self.contacts, id, by, at),
            EntryKind::Event => delete_in(&mut self.events, id, by, at),
            EntryKind::Payment => delete_in(&mut self.payments, id, by, at),
            EntryKind::Shipment => delete_in(&mut self.shipments, id, by, at),
        }
    }

    /// Restores deleted entry `id` of `kind` as it is (with every edit made
    /// to it, before or after the deletion). Supervisors and administrators
    /// only; the relay refuses anyone else's restore too.
    pub fn restore_entry(
        &mut self,
        kind: EntryKind,
        id: &str,
        role: Role,
    ) -> Result<(), EntryError> {
        if !role.may_restore() {
            return Err(EntryError::RestoreNotAllowed(kind));
        }
        match kind {
            EntryKind::Contact => restore_in(&mut self.contacts, id),
            EntryKind::Event => restore_in(&mut self.events, id),
            EntryKind::Payment => restore_in(&mut self.payments, id),
            EntryKind::Shipment => restore_in(&mut self.shipments, id),
        }
    }

    /// Edits a contact person: what the form changed (`before`, as it was
    /// opened → `after`) is applied to the stored contact `after.id`, and
    /// the result must pass [`validate_contact`] as on creation.
    pub fn edit_contact(&mut self, before: &Contact, after: &Contact) -> Result<(), EntryError> {
        let stored = live_mut(&mut self.contacts, &after.id)?;
        let mut edited = stored.clone();
        edited.apply_edit(before, after);
        edited.full_name = edited.full_name.trim().to_owned();
        let problems = validate_contact(&edited);
        if !problems.is_empty() {
            return Err(EntryError::InvalidContact(problems));
        }
        *stored = edited;
        Ok(())
    }

    /// Edits event `id`: the fields the form changed (`opened` → `edit`)
    /// are written; the result is required and the date not after `today`,
    /// as on creation.
    pub fn edit_event(
        &mut self,
        id: &str,
        opened: &EventEdit,
        edit: &EventEdit,
        today: Date,
    ) -> Result<(), EntryError> {
        let result = edit.result.trim();
        if result.is_empty() {
            return Err(EntryError::EmptyResult);
        }
        if edit.date > today {
            return Err(EntryError::FutureDate(edit.date));
        }
        let stored = live_mut(&mut self.events, id)?;
        apply_field_edit(&mut stored.date, &opened.date, &edit.date);
        apply_field_edit(&mut stored.kind, &opened.kind, &edit.kind);
        apply_field_edit(
            &mut stored.participants,
            &opened.participants,
            &edit.participants,
        );
        apply_field_edit(
            &mut stored.result,
            &opened.result.trim().to_owned(),
            &result.to_owned(),
        );
        apply_field_edit(&mut stored.interest, &opened.interest, &edit.interest);
        Ok(())
    }

    /// Edits payment `id` as the form opened it (`opened`): a manual
    /// payment only — an imported one is accounting's record (see
    /// [`EntryError::Imported`]).
    pub fn edit_payment(
        &mut self,
        id: &str,
        opened: &Payment,
        edit: &MoneyFactEdit,
        today: Date,
    ) -> Result<(), EntryError> {
        let stored = live_mut(&mut self.payments, id)?;
        let change = edit.check(
            EntryKind::Payment,
            (opened.date, opened.amount, &opened.document),
            stored.source,
            today,
        )?;
        write_money(
            change,
            (&mut stored.date, &mut stored.amount, &mut stored.document),
        );
        Ok(())
    }

    /// Edits shipment `id`, as [`ClientDoc::edit_payment`].
    pub fn edit_shipment(
        &mut self,
        id: &str,
        opened: &Shipment,
        edit: &MoneyFactEdit,
        today: Date,
    ) -> Result<(), EntryError> {
        let stored = live_mut(&mut self.shipments, id)?;
        let change = edit.check(
            EntryKind::Shipment,
            (opened.date, opened.amount, &opened.document),
            stored.source,
            today,
        )?;
        write_money(
            change,
            (&mut stored.date, &mut stored.amount, &mut stored.document),
        );
        Ok(())
    }
}

fn write_money(
    change: MoneyChange,
    (date, amount, document): (&mut Date, &mut Money, &mut String),
) {
    if let Some(d) = change.date {
        *date = d;
    }
    if let Some(a) = change.amount {
        *amount = a;
    }
    if let Some(n) = change.document {
        *document = n;
    }
}

impl MoneyFactEdit {
    /// The form's content for an existing payment or shipment, with the
    /// amount as `Money::parse` reads it back (`1234,56`).
    pub fn of(date: Date, amount: Money, document: &str) -> MoneyFactEdit {
        MoneyFactEdit {
            date,
            amount: amount.plain(),
            document: document.to_owned(),
        }
    }
}
