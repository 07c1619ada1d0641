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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::client::{Card, PhoneEntry};
    use crate::document::ClientDocument;
    use crate::ids::ClientId;
    use crate::summary::ClientSummary;

    fn manager() -> UserId {
        UserId("00000000-0000-4000-8000-000000000001".into())
    }

    fn day(d: u32) -> Date {
        Date::from_ymd(2026, 3, d).expect("date")
    }

    fn payment(id: &str, on: u32, kopecks: i64, source: FactSource) -> Payment {
        Payment {
            id: id.to_owned(),
            date: day(on),
            amount: Money(kopecks),
            document: format!("П-{id}"),
            source,
            by: manager(),
            at: Timestamp(i64::from(on)),
            deleted: None,
        }
    }

    fn event(id: &str, on: u32) -> Event {
        Event {
            id: id.to_owned(),
            date: day(on),
            at: Timestamp(i64::from(on)),
            kind: EventKind::Call,
            by: manager(),
            participants: vec!["c1".into()],
            result: "Обсудили поставку".into(),
            interest: None,
            reason: None,
            deleted: None,
        }
    }

    fn contact(id: &str, name: &str) -> Contact {
        Contact {
            id: id.to_owned(),
            full_name: name.to_owned(),
            ..Contact::default()
        }
    }

    /// «Вектор» with a contact, an event, a manual and an imported payment
    /// and a shipment.
    fn client() -> ClientDoc {
        let card = Card {
            name: "Вектор".into(),
            created: day(1),
            created_by: manager(),
            ..Card::default()
        };
        let mut doc = ClientDoc::new(
            ClientId::random(),
            card,
            Some(manager()),
            &manager(),
            Timestamp(1),
        );
        doc.contacts
            .insert("c1".into(), contact("c1", "Иванов Иван"));
        doc.events.insert("e1".into(), event("e1", 3));
        doc.payments
            .insert("p1".into(), payment("p1", 4, 10_000, FactSource::Manual));
        doc.payments
            .insert("p2".into(), payment("p2", 5, 20_000, FactSource::Import));
        let p = payment("s1", 6, 30_000, FactSource::Manual);
        doc.shipments.insert(
            "s1".into(),
            Shipment {
                id: p.id,
                date: p.date,
                amount: p.amount,
                document: p.document,
                source: p.source,
                by: p.by,
                at: p.at,
                deleted: None,
            },
        );
        doc
    }

    #[test]
    fn a_deleted_payment_leaves_the_facts_the_timeline_and_the_summary() {
        let mut doc = client();
        doc.delete_entry(EntryKind::Payment, "p1", &manager(), Timestamp(9))
            .expect("deleted");
        assert_eq!(doc.facts().payments, vec![day(5).naive()]);
        assert_eq!(
            doc.payments_in_fact_order()
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            ["p2"]
        );
        assert!(crate::timeline::timeline(&doc).iter().all(|e| e.id != "p1"));
        assert_eq!(ClientSummary::of(&doc).facts.payments, vec![day(5).naive()]);
        // Still in the document, with who deleted it and when.
        assert_eq!(
            doc.payments["p1"].deleted,
            Some(Deletion {
                by: manager(),
                at: Timestamp(9)
            })
        );
        assert_eq!(doc.deleted_entries().len(), 1);
    }

    #[test]
    fn a_deleted_contact_is_not_listed_nor_found_by_search() {
        let mut doc = client();
        doc.delete_entry(EntryKind::Contact, "c1", &manager(), Timestamp(9))
            .expect("deleted");
        assert!(doc.contacts_sorted().is_empty());
        let summary = ClientSummary::of(&doc);
        assert!(summary.contacts.is_empty());
        let index = crate::search::SearchIndex::build([crate::search::SearchEntry::from(&summary)]);
        assert!(index.query("Иванов", 10).is_empty());
        // The event with them no longer names them on the timeline.
        let line = crate::timeline::timeline(&doc)
            .into_iter()
            .find(|e| e.id == "e1")
            .expect("the event");
        assert!(
            matches!(line.what, crate::timeline::What::Event { ref participants, .. } if participants.is_empty())
        );
    }

    #[test]
    fn only_a_supervisor_restores_and_the_entry_comes_back_as_it_was() {
        let mut doc = client();
        let original = doc.clone();
        doc.delete_entry(EntryKind::Event, "e1", &manager(), Timestamp(9))
            .expect("deleted");
        let deleted = doc.clone();
        for role in [Role::Manager, Role::Assistant] {
            assert_eq!(
                doc.restore_entry(EntryKind::Event, "e1", role),
                Err(EntryError::RestoreNotAllowed(EntryKind::Event))
            );
            assert_eq!(doc, deleted, "a refusal changes nothing");
        }
        doc.restore_entry(EntryKind::Event, "e1", Role::Supervisor)
            .expect("restored");
        assert_eq!(doc, original);
        assert_eq!(
            doc.restore_entry(EntryKind::Event, "e1", Role::Administrator),
            Err(EntryError::NotDeleted(EntryKind::Event))
        );
        assert_eq!(
            doc.restore_entry(EntryKind::Event, "nope", Role::Supervisor),
            Err(EntryError::NotFound(EntryKind::Event))
        );
    }

    #[test]
    fn deleting_or_editing_what_was_deleted_meanwhile_is_refused() {
        let mut doc = client();
        doc.delete_entry(EntryKind::Contact, "c1", &manager(), Timestamp(9))
            .expect("deleted");
        let deleted = doc.clone();
        assert_eq!(
            doc.delete_entry(EntryKind::Contact, "c1", &manager(), Timestamp(10)),
            Err(EntryError::Deleted(EntryKind::Contact))
        );
        let before = contact("c1", "Иванов Иван");
        let after = contact("c1", "Иванов Пётр");
        assert_eq!(
            doc.edit_contact(&before, &after),
            Err(EntryError::Deleted(EntryKind::Contact))
        );
        assert_eq!(doc, deleted);
    }

    #[test]
    fn a_contact_edit_keeps_what_another_device_changed_and_is_validated_as_on_creation() {
        let mut doc = client();
        let opened = doc.contacts["c1"].clone();
        // Meanwhile another device set the position.
        doc.contacts.get_mut("c1").expect("c1").position = "Главный инженер".into();
        let mut after = opened.clone();
        after.full_name = "  Иванов Иван Петрович ".into();
        after.phones.insert(
            "ph".into(),
            PhoneEntry {
                id: "ph".into(),
                number: "+7 495 925-05-31".into(),
                ..PhoneEntry::default()
            },
        );
        doc.edit_contact(&opened, &after).expect("edited");
        let c = &doc.contacts["c1"];
        assert_eq!(c.full_name, "Иванов Иван Петрович");
        assert_eq!(c.position, "Главный инженер");
        assert_eq!(c.phones.len(), 1);

        let kept = doc.clone();
        let opened = doc.contacts["c1"].clone();
        let mut empty = opened.clone();
        empty.full_name = " ".into();
        let Err(EntryError::InvalidContact(problems)) = doc.edit_contact(&opened, &empty) else {
            panic!("an empty name is refused");
        };
        assert_eq!(problems[0].field, ContactField::FullName);
        assert_eq!(doc, kept);
    }

    #[test]
    fn an_event_edit_needs_a_result_and_a_date_not_in_the_future() {
        let mut doc = client();
        let original = doc.clone();
        let opened = EventEdit::of(&doc.events["e1"]);
        let mut edit = opened.clone();
        edit.result = "   ".into();
        assert_eq!(
            doc.edit_event("e1", &opened, &edit, day(20)),
            Err(EntryError::EmptyResult)
        );
        edit.result = "Договорились о встрече".into();
        edit.date = day(21);
        assert_eq!(
            doc.edit_event("e1", &opened, &edit, day(20)),
            Err(EntryError::FutureDate(day(21)))
        );
        assert_eq!(doc, original);
        // Another device changed the kind meanwhile: it stays.
        doc.events.get_mut("e1").expect("e1").kind = EventKind::Meeting;
        edit.date = day(7);
        doc.edit_event("e1", &opened, &edit, day(20))
            .expect("edited");
        let e = &doc.events["e1"];
        assert_eq!(
            (e.date, e.kind, e.result.as_str()),
            (day(7), EventKind::Meeting, "Договорились о встрече")
        );
        assert_eq!(doc.facts().events, vec![day(7).naive()]);
    }

    #[test]
    fn a_manual_payment_is_edited_with_the_amount_as_typed_an_imported_one_only_deleted() {
        let mut doc = client();
        let opened = doc.payments["p1"].clone();
        let mut edit = MoneyFactEdit::of(opened.date, opened.amount, &opened.document);
        assert_eq!(edit.amount, "100,00");
        edit.amount = "1 234,5 руб.".into();
        doc.edit_payment("p1", &opened, &edit, day(20))
            .expect("edited");
        assert_eq!(doc.payments["p1"].amount, Money(123_450));
        assert_eq!(doc.payments["p1"].document, "П-p1");

        let kept = doc.clone();
        edit.amount = "12a".into();
        assert_eq!(
            doc.edit_payment("p1", &opened, &edit, day(20)),
            Err(EntryError::Amount(MoneyError::NotANumber))
        );
        let imported = doc.payments["p2"].clone();
        let edit = MoneyFactEdit::of(imported.date, Money(1), &imported.document);
        assert_eq!(
            doc.edit_payment("p2", &imported, &edit, day(20)),
            Err(EntryError::Imported(EntryKind::Payment))
        );
        assert_eq!(doc, kept);
        doc.delete_entry(EntryKind::Payment, "p2", &manager(), Timestamp(9))
            .expect("an imported payment can be deleted");
    }

    #[test]
    fn a_shipment_is_edited_like_a_payment() {
        let mut doc = client();
        let opened = doc.shipments["s1"].clone();
        let mut edit = MoneyFactEdit::of(opened.date, opened.amount, &opened.document);
        edit.date = day(8);
        edit.document = " О-77 ".into();
        doc.edit_shipment("s1", &opened, &edit, day(20))
            .expect("edited");
        let s = &doc.shipments["s1"];
        assert_eq!(
            (s.date, s.amount, s.document.as_str()),
            (day(8), Money(30_000), "О-77")
        );
    }

    #[test]
    fn an_import_does_not_bring_back_a_payment_someone_deleted() {
        let mut doc = client();
        doc.delete_entry(EntryKind::Payment, "p2", &manager(), Timestamp(9))
            .expect("deleted");
        let again = payment("p2-again", 5, 20_000, FactSource::Import);
        let again = Payment {
            document: "П-p2".into(),
            ..again
        };
        assert_eq!(
            crate::import::add_facts(&mut doc, [crate::import::NewFact::Payment(again)]),
            0
        );
        assert_eq!(doc.facts().payments, vec![day(4).naive()]);
    }

    #[test]
    fn a_deleted_entry_stays_deleted_in_the_survivor_of_a_merge() {
        let mut other = client();
        other.id = ClientId::random();
        other
            .delete_entry(EntryKind::Payment, "p1", &manager(), Timestamp(9))
            .expect("deleted");
        let mut survivor = ClientDoc::new(
            ClientId::random(),
            Card {
                name: "Вектор-Снаб".into(),
                created: day(2),
                created_by: manager(),
                ..Card::default()
            },
            None,
            &manager(),
            Timestamp(1),
        );
        survivor
            .absorb(&other, &manager(), Timestamp(10))
            .expect("merged");
        assert!(survivor.payments["p1"].deleted.is_some());
        assert_eq!(survivor.facts().payments, vec![day(5).naive()]);
    }

    #[test]
    fn a_deletion_and_an_edit_made_on_two_devices_both_survive_and_a_restore_shows_the_edit() {
        let actor = |n: u8| crate::ids::actor_for(&manager(), [n; 8]).expect("actor");
        let mut a = ClientDocument::create(&client(), actor(1), Timestamp(1)).expect("create");
        let mut b = a.fork(actor(2));
        a.change(Timestamp(2), "delete", |d| {
            d.delete_entry(EntryKind::Contact, "c1", &manager(), Timestamp(2))
        })
        .expect("a");
        b.change(Timestamp(2), "edit", |d| {
            let opened = d.contacts["c1"].clone();
            let mut after = opened.clone();
            after.position = "Снабженец".into();
            d.edit_contact(&opened, &after)
        })
        .expect("b");
        a.merge(&mut b).expect("merge");
        let merged = a.read().expect("read");
        assert!(merged.contacts["c1"].deleted.is_some());
        assert_eq!(merged.contacts["c1"].position, "Снабженец");
        let (restored, _) = a
            .change(Timestamp(3), "restore", |d| {
                d.restore_entry(EntryKind::Contact, "c1", Role::Supervisor)
            })
            .expect("restore");
        assert_eq!(restored.contacts_sorted()[0].position, "Снабженец");
    }

    fn kind() -> impl Strategy<Value = EntryKind> {
        prop::sample::select(EntryKind::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn delete_then_restore_gives_the_entry_back(kind in kind(), at in 0i64..1_000_000) {
            let mut doc = client();
            let original = doc.clone();
            let id = match kind {
                EntryKind::Contact => "c1",
                EntryKind::Event => "e1",
                EntryKind::Payment => "p1",
                EntryKind::Shipment => "s1",
            };
            doc.delete_entry(kind, id, &manager(), Timestamp(at)).expect("deleted");
            prop_assert_ne!(&doc, &original);
            doc.restore_entry(kind, id, Role::Supervisor).expect("restored");
            prop_assert_eq!(doc, original);
        }

        #[test]
        fn derived_facts_never_include_a_deleted_payment(
            payments in prop::collection::vec((1u32..28, any::<bool>()), 0..12)
        ) {
            let mut doc = client();
            doc.payments.clear();
            let mut expected = Vec::new();
            for (n, (on, delete)) in payments.iter().enumerate() {
                let id = format!("p{n}");
                doc.payments.insert(id.clone(), payment(&id, *on, 100, FactSource::Manual));
                if *delete {
                    doc.delete_entry(EntryKind::Payment, &id, &manager(), Timestamp(1)).expect("deleted");
                } else {
                    expected.push(day(*on).naive());
                }
            }
            expected.sort_unstable();
            prop_assert_eq!(&doc.facts().payments, &expected);
            prop_assert_eq!(doc.payments_in_fact_order().len(), expected.len());
            prop_assert_eq!(&ClientSummary::of(&doc).facts.payments, &expected);
            let on_timeline = crate::timeline::timeline(&doc)
                .iter()
                .filter(|e| matches!(e.what, crate::timeline::What::Payment { .. }))
                .count();
            prop_assert_eq!(on_timeline, expected.len());
        }
    }
}
