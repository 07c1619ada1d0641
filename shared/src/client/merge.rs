//! Merging two clients that turned out to be one (SPEC 2, duplicate
//! control): the survivor takes in everything people recorded about the
//! other one, and the other one points to the survivor so links and other
//! devices follow.
//!
//! Both halves are ordinary changes of ordinary documents, so a merge
//! syncs like any edit, and doing it twice changes nothing the second time
//! (every taken entry keeps its id).

use std::collections::BTreeSet;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Card, ClientDoc};
use crate::date::Timestamp;
use crate::email;
use crate::ids::{ClientId, UserId};
use crate::phone::Phone;

/// A client merged into this one, kept on the survivor for the record.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct MergedClient {
    /// The merged client's id (also the key of the entry).
    pub id: ClientId,
    /// Its name and INN when it was merged.
    pub name: String,
    #[autosurgeon(missing = "Default::default")]
    pub inn: String,
    pub by: UserId,
    pub at: Timestamp,
}

/// A card saved although the duplicate check found similar clients: who
/// decided it is another client, and why.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct DuplicateOverride {
    pub id: String,
    /// The similar clients shown: id → name.
    pub similar: std::collections::BTreeMap<String, String>,
    pub reason: String,
    pub by: UserId,
    pub at: Timestamp,
}

/// Why two clients cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("a client cannot be merged into itself")]
    Same,
    #[error("this client was already merged into another one")]
    AlreadyMerged,
}

/// The key a phone is compared by: its normalised key, or the digits.
fn phone_key(number: &str) -> String {
    match Phone::parse(number) {
        Ok(p) => p.key().to_owned(),
        Err(_) => number.chars().filter(char::is_ascii_digit).collect(),
    }
}

fn normalised_text(text: &str) -> String {
    crate::search::fold(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn fill_empty(target: &mut String, from: &str) {
    if target.trim().is_empty() && !from.trim().is_empty() {
        *target = from.to_owned();
    }
}

impl Card {
    /// Takes what `other` knows and this card does not: empty requisites
    /// are filled, phones, e-mails and addresses not already on the card
    /// (compared by their keys) are added, tags are united. Nothing of this
    /// card is overwritten.
    fn absorb(&mut self, other: &Card) {
        fill_empty(&mut self.legal_form, &other.legal_form);
        fill_empty(&mut self.inn, &other.inn);
        fill_empty(&mut self.kpp, &other.kpp);
        fill_empty(&mut self.ogrn, &other.ogrn);
        fill_empty(&mut self.website, &other.website);
        fill_empty(&mut self.industry, &other.industry);
        fill_empty(&mut self.source, &other.source);
        let phones: BTreeSet<String> = self.phones.values().map(|p| phone_key(&p.number)).collect();
        for (id, p) in &other.phones {
            if !phones.contains(&phone_key(&p.number)) {
                self.phones.entry(id.clone()).or_insert_with(|| p.clone());
            }
        }
        let emails: BTreeSet<String> = self
            .emails
            .values()
            .map(|e| email::search_key(&e.address))
            .collect();
        for (id, e) in &other.emails {
            if !emails.contains(&email::search_key(&e.address)) {
                self.emails.entry(id.clone()).or_insert_with(|| e.clone());
            }
        }
        let addresses: BTreeSet<String> = self
            .addresses
            .values()
            .map(|a| normalised_text(&a.text))
            .collect();
        for (id, a) in &other.addresses {
            if !addresses.contains(&normalised_text(&a.text)) {
                self.addresses
                    .entry(id.clone())
                    .or_insert_with(|| a.clone());
            }
        }
        for tag in other.tags.keys() {
            self.tags.insert(tag.clone(), true);
        }
        if other.created < self.created {
            // The client has been known since the earlier card.
            self.created = other.created;
        }
    }
}

fn take_all<T: Clone>(
    target: &mut std::collections::BTreeMap<String, T>,
    from: &std::collections::BTreeMap<String, T>,
) {
    for (id, item) in from {
        target.entry(id.clone()).or_insert_with(|| item.clone());
    }
}

impl ClientDoc {
    /// Merges `other` into this client (the survivor): its contact persons,
    /// notes, Interests, events, payments and shipments are all taken with
    /// their ids, the card gains what it lacked (see [`Card::absorb`]) and
    /// the merge is recorded in `merged_from`. The survivor keeps its own
    /// responsible manager and manual status settings.
    ///
    /// The other document is then marked with [`ClientDoc::mark_merged_into`].
    pub fn absorb(
        &mut self,
        other: &ClientDoc,
        by: &UserId,
        at: Timestamp,
    ) -> Result<(), MergeError> {
        if other.id == self.id {
            return Err(MergeError::Same);
        }
        if self.merged_into.is_some() || other.merged_into.as_ref().is_some_and(|s| *s != self.id) {
            return Err(MergeError::AlreadyMerged);
        }
        self.card.absorb(&other.card);
        take_all(&mut self.contacts, &other.contacts);
        take_all(&mut self.notes, &other.notes);
        take_all(&mut self.interests, &other.interests);
        take_all(&mut self.events, &other.events);
        take_all(&mut self.payments, &other.payments);
        take_all(&mut self.shipments, &other.shipments);
        // Merged clients of the other one are merged here now too.
        take_all(&mut self.merged_from, &other.merged_from);
        self.merged_from
            .entry(other.id.to_string())
            .or_insert_with(|| MergedClient {
                id: other.id.clone(),
                name: other.card.name.clone(),
                inn: other.card.inn.clone(),
                by: by.clone(),
                at,
            });
        Ok(())
    }

    /// Marks this client as merged into `survivor`.
    pub fn mark_merged_into(&mut self, survivor: &ClientId) {
        self.merged_into = Some(survivor.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Contact, EmailEntry, Note, Payment, PhoneEntry};
    use crate::date::Date;

    fn user() -> UserId {
        UserId("00000000-0000-4000-8000-000000000001".into())
    }

    fn client(name: &str, day: u32) -> ClientDoc {
        let card = Card {
            name: name.to_owned(),
            created: Date::from_ymd(2026, 3, day).expect("date"),
            created_by: user(),
            ..Card::default()
        };
        ClientDoc::new(
            ClientId::random(),
            card,
            Some(user()),
            &user(),
            Timestamp(1),
        )
    }

    fn phone(id: &str, number: &str) -> PhoneEntry {
        PhoneEntry {
            id: id.into(),
            number: number.into(),
            ..PhoneEntry::default()
        }
    }

    #[test]
    fn the_survivor_keeps_every_fact_of_both_and_fills_only_empty_fields() {
        let mut survivor = client("Вектор", 10);
        survivor.card.inn = "7707083893".into();
        survivor
            .card
            .phones
            .insert("p1".into(), phone("p1", "+7 (495) 925-05-31"));
        survivor.notes.insert(
            "n1".into(),
            Note {
                id: "n1".into(),
                text: "ours".into(),
                author: user(),
                at: Timestamp(5),
            },
        );
        let mut other = client("Вектор ООО", 2);
        other.card.inn = "500100732259".into();
        other.card.kpp = "773601001".into();
        // The same number in another form, and a new one.
        other
            .card
            .phones
            .insert("p2".into(), phone("p2", "8 495 925 05 31"));
        other
            .card
            .phones
            .insert("p3".into(), phone("p3", "+7 916 123-45-67"));
        other.card.emails.insert(
            "e1".into(),
            EmailEntry {
                id: "e1".into(),
                address: "Info@Vector.ru".into(),
                ..EmailEntry::default()
            },
        );
        other.contacts.insert(
            "c1".into(),
            Contact {
                id: "c1".into(),
                full_name: "Пётр Калашников".into(),
                ..Contact::default()
            },
        );
        other.notes.insert(
            "n2".into(),
            Note {
                id: "n2".into(),
                text: "theirs".into(),
                author: user(),
                at: Timestamp(6),
            },
        );
        other.payments.insert(
            "pay".into(),
            Payment {
                id: "pay".into(),
                date: Date::from_ymd(2026, 3, 3).expect("date"),
                amount: crate::client::Money(10_000),
                document: "12".into(),
                source: Default::default(),
                by: user(),
                at: Timestamp(3),
                deleted: None,
            },
        );
        let before_assignments = survivor.assignments.clone();

        survivor
            .absorb(&other, &user(), Timestamp(9))
            .expect("merge");

        assert_eq!(
            survivor.card.inn, "7707083893",
            "a filled field is not overwritten"
        );
        assert_eq!(survivor.card.kpp, "773601001", "an empty field is filled");
        let numbers: Vec<_> = survivor
            .card
            .phones_sorted()
            .iter()
            .map(|p| p.number.clone())
            .collect();
        assert_eq!(
            numbers.len(),
            2,
            "the same number is not added twice: {numbers:?}"
        );
        assert!(survivor.card.phones.contains_key("p3"));
        assert!(survivor.card.emails.contains_key("e1"));
        assert!(survivor.contacts.contains_key("c1"));
        assert_eq!(survivor.notes.len(), 2);
        assert!(survivor.payments.contains_key("pay"));
        assert_eq!(
            survivor.assignments, before_assignments,
            "the responsible stays"
        );
        assert_eq!(
            survivor.card.created, other.card.created,
            "known since the earlier card"
        );
        let record = survivor
            .merged_from
            .get(other.id.as_str())
            .expect("recorded");
        assert_eq!(record.name, "Вектор ООО");

        // Merging again changes nothing.
        let once = survivor.clone();
        survivor
            .absorb(&other, &user(), Timestamp(10))
            .expect("again");
        assert_eq!(survivor, once);

        other.mark_merged_into(&survivor.id);
        assert_eq!(other.merged_into.as_ref(), Some(&survivor.id));
    }

    #[test]
    fn a_client_is_not_merged_into_itself_or_twice_elsewhere() {
        let mut a = client("А", 1);
        let copy = a.clone();
        assert_eq!(
            a.absorb(&copy, &user(), Timestamp(1)),
            Err(MergeError::Same)
        );
        let mut b = client("Б", 1);
        let mut c = client("В", 1);
        c.mark_merged_into(&a.id);
        assert_eq!(
            b.absorb(&c, &user(), Timestamp(1)),
            Err(MergeError::AlreadyMerged)
        );
        assert!(
            a.absorb(&c, &user(), Timestamp(1)).is_ok(),
            "again into the same survivor is fine"
        );
    }

    #[test]
    fn a_merge_survives_the_document_round_trip() {
        use crate::document::ClientDocument;
        let mut survivor = client("Альфа", 1);
        let mut other = client("Альфа-2", 1);
        other.contacts.insert(
            "c".into(),
            Contact {
                id: "c".into(),
                full_name: "Иванов".into(),
                ..Contact::default()
            },
        );
        let actor = crate::ids::actor_for(&user(), [1; 8]).expect("actor");
        let mut doc = ClientDocument::create(&survivor, actor, Timestamp(1)).expect("create");
        let (model, changed) = doc
            .change(Timestamp(2), "merge", |d| {
                d.absorb(&other, &user(), Timestamp(2))
            })
            .expect("change");
        assert!(changed);
        survivor = doc.read().expect("read");
        assert_eq!(model, survivor);
        assert!(survivor.contacts.contains_key("c"));
        assert!(survivor.merged_from.contains_key(other.id.as_str()));
        other.mark_merged_into(&survivor.id);
    }
}
