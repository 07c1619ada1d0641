//! The card's change history: who changed which field, from what to what,
//! and when — read from the client document's Automerge history, not from a
//! hand-kept log (SPEC 2).
//!
//! The changes are replayed in causal order on an empty document; after
//! each one the model is read and compared with the one before. The author
//! is read off the change's actor id (see [`crate::ids::actor_for`]).

use std::collections::BTreeMap;

use automerge::{AutoCommit, Change};

use crate::client::{Card, ClientDoc, Contact, EntryKind, Event, Money, Payment, Shipment};
use crate::date::Timestamp;
use crate::document::ClientDocument;
use crate::ids::{UserId, user_of_actor};

/// A field of the card or of a contact person, as the history names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    LegalForm,
    Inn,
    Kpp,
    Ogrn,
    Website,
    Industry,
    Source,
    Phones,
    Emails,
    Addresses,
    Tags,
    /// A contact person (by name, as it was or became).
    Contact(String),
    Note,
    Responsible,
    Status,
    /// An Interest, event, payment or shipment was added or changed.
    Activity,
    /// A contact person, event, payment or shipment was deleted ("Контакт
    /// удалён"; before: what it was, after: empty).
    Deleted(EntryKind),
    /// A deleted entry was restored (before: empty, after: what it is).
    Restored(EntryKind),
    /// Another client was merged into this one (after: its name), or this
    /// one into another (after: the survivor's id).
    Merge,
    /// Saved although similar clients existed (after: the reason given).
    DuplicateOverride,
}

/// One change of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the change was made (seconds precision, from the change).
    pub at: Timestamp,
    /// Who made it, if the actor id names a user.
    pub author: Option<UserId>,
    pub field: Field,
    /// The value before, as text ("" when the field was empty or new).
    pub before: String,
    /// The value after, as text ("" when removed).
    pub after: String,
}

/// A history that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the history of this card cannot be read: {0}")]
pub struct HistoryError(String);

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn phones(map: &BTreeMap<String, crate::client::PhoneEntry>) -> String {
    let mut v: Vec<_> = map.values().collect();
    v.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
    join(v.iter().map(|p| p.number.as_str()))
}

fn emails(map: &BTreeMap<String, crate::client::EmailEntry>) -> String {
    let mut v: Vec<_> = map.values().collect();
    v.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
    join(v.iter().map(|e| e.address.as_str()))
}

fn describe_contact(c: &Contact) -> String {
    let mut parts = vec![c.full_name.clone()];
    if !c.position.is_empty() {
        parts.push(c.position.clone());
    }
    let p = phones(&c.phones);
    if !p.is_empty() {
        parts.push(p);
    }
    let e = emails(&c.emails);
    if !e.is_empty() {
        parts.push(e);
    }
    parts.join(" · ")
}

fn card_changes(before: &Card, after: &Card, out: &mut Vec<(Field, String, String)>) {
    let mut text = |field: Field, a: &str, b: &str| {
        if a != b {
            out.push((field, a.to_owned(), b.to_owned()));
        }
    };
    text(Field::Name, &before.name, &after.name);
    text(Field::LegalForm, &before.legal_form, &after.legal_form);
    text(Field::Inn, &before.inn, &after.inn);
    text(Field::Kpp, &before.kpp, &after.kpp);
    text(Field::Ogrn, &before.ogrn, &after.ogrn);
    text(Field::Website, &before.website, &after.website);
    text(Field::Industry, &before.industry, &after.industry);
    text(Field::Source, &before.source, &after.source);
    text(
        Field::Phones,
        &phones(&before.phones),
        &phones(&after.phones),
    );
    text(
        Field::Emails,
        &emails(&before.emails),
        &emails(&after.emails),
    );
    let addresses = |c: &Card| join(c.addresses_sorted().into_iter().map(|a| a.text.as_str()));
    text(Field::Addresses, &addresses(before), &addresses(after));
    let tags = |c: &Card| join(c.tags.keys().map(String::as_str));
    text(Field::Tags, &tags(before), &tags(after));
}

fn doc_changes(before: &ClientDoc, after: &ClientDoc) -> Vec<(Field, String, String)> {
    let mut out = Vec::new();
    card_changes(&before.card, &after.card, &mut out);
    for (id, c) in &after.contacts {
        // A deleted or restored contact is told by its own entry below.
        let was_deleted = before.contacts.get(id).map(|b| b.deleted.is_some());
        if c.deleted.is_some() || was_deleted == Some(true) {
            continue;
        }
        let now = describe_contact(c);
        let was = before
            .contacts
            .get(id)
            .map(describe_contact)
            .unwrap_or_default();
        if was != now {
            out.push((Field::Contact(c.full_name.clone()), was, now));
        }
    }
    for (id, c) in &before.contacts {
        if !after.contacts.contains_key(id) {
            out.push((
                Field::Contact(c.full_name.clone()),
                describe_contact(c),
                String::new(),
            ));
        }
    }
    deletions(
        EntryKind::Contact,
        &before.contacts,
        &after.contacts,
        &mut out,
    );
    deletions(EntryKind::Event, &before.events, &after.events, &mut out);
    deletions(
        EntryKind::Payment,
        &before.payments,
        &after.payments,
        &mut out,
    );
    deletions(
        EntryKind::Shipment,
        &before.shipments,
        &after.shipments,
        &mut out,
    );
    for (id, n) in &after.notes {
        if before.notes.get(id).map(|b| &b.text) != Some(&n.text) {
            let was = before
                .notes
                .get(id)
                .map(|b| b.text.clone())
                .unwrap_or_default();
            out.push((Field::Note, was, n.text.clone()));
        }
    }
    let responsible = |d: &ClientDoc| d.responsible().map(ToString::to_string).unwrap_or_default();
    if responsible(before) != responsible(after) {
        out.push((Field::Responsible, responsible(before), responsible(after)));
    }
    let status = |d: &ClientDoc| {
        d.manual_statuses
            .values()
            .max_by_key(|m| (m.date, m.at))
            .map(|m| m.status.clone())
            .unwrap_or_default()
    };
    if status(before) != status(after) {
        out.push((Field::Status, status(before), status(after)));
    }
    // Deletions and restorations are entries of their own (above): the
    // activity counts and compares what is not deleted.
    let activity = |d: &ClientDoc| {
        d.interests.len()
            + d.live_events().count()
            + d.live_payments().count()
            + d.live_shipments().count()
    };
    if before.interests != after.interests
        || live_changed(&before.events, &after.events)
        || live_changed(&before.payments, &after.payments)
        || live_changed(&before.shipments, &after.shipments)
    {
        out.push((
            Field::Activity,
            activity(before).to_string(),
            activity(after).to_string(),
        ));
    }
    for (id, m) in &after.merged_from {
        if !before.merged_from.contains_key(id) {
            out.push((Field::Merge, String::new(), m.name.clone()));
        }
    }
    if before.merged_into != after.merged_into {
        let id = |d: &ClientDoc| {
            d.merged_into
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        out.push((Field::Merge, id(before), id(after)));
    }
    for (id, o) in &after.duplicate_overrides {
        if !before.duplicate_overrides.contains_key(id) {
            out.push((Field::DuplicateOverride, String::new(), o.reason.clone()));
        }
    }
    out
}

/// An entry of the card that can be deleted, as the history tells it.
trait Told: PartialEq {
    fn is_deleted(&self) -> bool;
    fn describe(&self) -> String;
}

fn describe_money_fact(date: crate::date::Date, amount: Money, document: &str) -> String {
    let mut parts = vec![date.to_string(), amount.plain()];
    if !document.is_empty() {
        parts.push(document.to_owned());
    }
    parts.join(" · ")
}

impl Told for Contact {
    fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
    fn describe(&self) -> String {
        describe_contact(self)
    }
}

impl Told for Event {
    fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
    fn describe(&self) -> String {
        format!("{} · {} · {}", self.date, self.kind.id(), self.result)
    }
}

impl Told for Payment {
    fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
    fn describe(&self) -> String {
        describe_money_fact(self.date, self.amount, &self.document)
    }
}

impl Told for Shipment {
    fn is_deleted(&self) -> bool {
        self.deleted.is_some()
    }
    fn describe(&self) -> String {
        describe_money_fact(self.date, self.amount, &self.document)
    }
}

/// The entries of `kind` deleted or restored between `before` and
/// `after`. An entry that arrives already deleted (taken in by a merge)
/// is told as deleted.
fn deletions<T: Told>(
    kind: EntryKind,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
    out: &mut Vec<(Field, String, String)>,
) {
    for (id, entry) in after {
        let was_deleted = before.get(id).map(Told::is_deleted);
        match (was_deleted, entry.is_deleted()) {
            (None | Some(false), true) => {
                out.push((Field::Deleted(kind), entry.describe(), String::new()));
            }
            (Some(true), false) => {
                out.push((Field::Restored(kind), String::new(), entry.describe()));
            }
            _ => {}
        }
    }
}

/// Whether an entry not deleted on either side was added, changed or
/// removed.
fn live_changed<T: Told>(before: &BTreeMap<String, T>, after: &BTreeMap<String, T>) -> bool {
    let added_or_changed = after.iter().any(|(id, a)| {
        !a.is_deleted()
            && match before.get(id) {
                None => true,
                Some(b) => !b.is_deleted() && b != a,
            }
    });
    added_or_changed || before.keys().any(|id| !after.contains_key(id))
}

/// The history of a client's card, oldest first. The change that created
/// the document is reported field by field like any other.
pub fn card_history(doc: &mut ClientDocument) -> Result<Vec<Entry>, HistoryError> {
    let changes: Vec<Change> = doc.automerge().get_changes(&[]);
    let mut replay = AutoCommit::new();
    let mut before: Option<ClientDoc> = None;
    let mut out = Vec::new();
    for change in changes {
        let at = Timestamp(change.timestamp() * 1000);
        let author = user_of_actor(change.actor_id());
        replay
            .apply_changes([change])
            .map_err(|e| HistoryError(e.to_string()))?;
        // Partial states (a change that only touched part of a new
        // document) may not read as a whole client yet: skip them.
        let Ok(after) = autosurgeon::hydrate::<_, ClientDoc>(&replay) else {
            continue;
        };
        let changes = match &before {
            Some(b) => doc_changes(b, &after),
            None => doc_changes(&empty_like(&after), &after),
        };
        out.extend(changes.into_iter().map(|(field, before, after)| Entry {
            at,
            author: author.clone(),
            field,
            before,
            after,
        }));
        before = Some(after);
    }
    Ok(out)
}

/// A client with this one's identity and nothing else, to describe the
/// creating change as "from empty".
fn empty_like(doc: &ClientDoc) -> ClientDoc {
    let card = Card {
        created: doc.card.created,
        created_by: doc.card.created_by.clone(),
        ..Card::default()
    };
    ClientDoc::new(
        doc.id.clone(),
        card,
        None,
        &doc.card.created_by,
        Timestamp(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::PhoneEntry;
    use crate::date::Date;
    use crate::ids::{ClientId, actor_for};

    #[test]
    fn each_edit_is_named_with_its_author_and_values() {
        let anna = UserId::random();
        let oleg = UserId::random();
        let card = Card {
            name: "Вектор".into(),
            created: Date::from_ymd(2026, 3, 1).expect("date"),
            created_by: anna.clone(),
            ..Card::default()
        };
        let client = ClientDoc::new(
            ClientId::random(),
            card,
            Some(anna.clone()),
            &anna,
            Timestamp(1),
        );
        let actor = |u: &UserId| actor_for(u, [1; 8]).expect("actor");
        let mut doc =
            ClientDocument::create(&client, actor(&anna), Timestamp(1_000)).expect("create");
        doc.set_actor(actor(&oleg));
        doc.change_infallible(Timestamp(2_000_000), "inn", |d| {
            d.card.inn = "7707083893".into()
        })
        .expect("change");
        doc.change_infallible(Timestamp(3_000_000), "phone", |d| {
            d.card.phones.insert(
                "p".into(),
                PhoneEntry {
                    id: "p".into(),
                    number: "+7 495 925-05-31".into(),
                    label: String::new(),
                    added: Timestamp(3),
                },
            );
        })
        .expect("change");
        let history = card_history(&mut doc).expect("history");
        let created = history
            .iter()
            .find(|e| e.field == Field::Name)
            .expect("the name");
        assert_eq!(
            (created.before.as_str(), created.after.as_str()),
            ("", "Вектор")
        );
        assert_eq!(created.author.as_ref(), Some(&anna));
        let inn = history
            .iter()
            .find(|e| e.field == Field::Inn)
            .expect("the INN edit");
        assert_eq!(inn.after, "7707083893");
        assert_eq!(inn.author.as_ref(), Some(&oleg));
        assert_eq!(inn.at, Timestamp(2_000_000));
        let phone = history
            .iter()
            .find(|e| e.field == Field::Phones)
            .expect("the phone");
        assert_eq!(phone.after, "+7 495 925-05-31");
        assert_eq!(history.last().map(|e| &e.field), Some(&Field::Phones));
    }

    #[test]
    fn a_deleted_and_restored_contact_and_payment_read_as_clear_entries() {
        let anna = UserId::random();
        let orlova = UserId::random();
        let card = Card {
            name: "Вектор".into(),
            created: Date::from_ymd(2026, 3, 1).expect("date"),
            created_by: anna.clone(),
            ..Card::default()
        };
        let mut client = ClientDoc::new(
            ClientId::random(),
            card,
            Some(anna.clone()),
            &anna,
            Timestamp(1),
        );
        client.contacts.insert(
            "c".into(),
            Contact {
                id: "c".into(),
                full_name: "Иванов Иван".into(),
                position: "Снабженец".into(),
                ..Contact::default()
            },
        );
        client.payments.insert(
            "p".into(),
            Payment {
                id: "p".into(),
                date: Date::from_ymd(2026, 3, 2).expect("date"),
                amount: Money(123_450),
                document: "П-1".into(),
                source: Default::default(),
                by: anna.clone(),
                at: Timestamp(2),
                deleted: None,
            },
        );
        let actor = |u: &UserId| actor_for(u, [1; 8]).expect("actor");
        let mut doc =
            ClientDocument::create(&client, actor(&anna), Timestamp(1_000)).expect("create");
        doc.change(Timestamp(2_000_000), "delete", |d| {
            d.delete_entry(EntryKind::Contact, "c", &anna, Timestamp(2_000_000))?;
            d.delete_entry(EntryKind::Payment, "p", &anna, Timestamp(2_000_000))
        })
        .expect("deleted");
        doc.set_actor(actor(&orlova));
        doc.change(Timestamp(3_000_000), "restore", |d| {
            d.restore_entry(EntryKind::Contact, "c", crate::workspace::Role::Supervisor)
        })
        .expect("restored");
        let history = card_history(&mut doc).expect("history");
        let later: Vec<_> = history
            .iter()
            .filter(|e| e.at >= Timestamp(2_000_000))
            .collect();
        let fields: Vec<_> = later
            .iter()
            .map(|e| (&e.field, e.author.as_ref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (&Field::Deleted(EntryKind::Contact), Some(&anna)),
                (&Field::Deleted(EntryKind::Payment), Some(&anna)),
                (&Field::Restored(EntryKind::Contact), Some(&orlova)),
            ],
            "one entry each, and no activity or contact edit besides"
        );
        assert_eq!(
            (later[0].before.as_str(), later[0].after.as_str()),
            ("Иванов Иван · Снабженец", "")
        );
        assert_eq!(later[1].before, "2026-03-02 · 1234,50 · П-1");
        assert_eq!(
            (later[2].before.as_str(), later[2].after.as_str()),
            ("", "Иванов Иван · Снабженец")
        );
    }
}
