//! A potential client's Interest (SPEC 4): registered without a client card
//! so the base is not littered with people who never buy, later either
//! turned into a client card or linked to an existing client.
//!
//! Such an Interest lives in a document of its own, shaped as a client
//! document with [`ClientDoc::potential`] set (see ARCHITECTURE.md, "A
//! potential client's Interest"): it syncs, is stored and is access-checked
//! like any client, and turning it into a client is just clearing the
//! field.

use std::collections::BTreeMap;

use crate::client::{Card, ClientDoc, Contact, EmailEntry, Interest, PhoneEntry, PotentialClient};
use crate::date::Timestamp;
use crate::ids::{ClientId, UserId, new_id};

/// Why a potential client's Interest cannot be linked or turned into a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PotentialError {
    #[error("a potential client needs a name or a company")]
    NoName,
    #[error("this document is not a potential client's Interest")]
    NotPotential,
    #[error("the Interest was already linked to a client")]
    AlreadyLinked,
    #[error("a potential client cannot be linked to another potential client")]
    TargetNotAClient,
}

impl ClientDoc {
    /// The document of a potential client's Interest: the person, the
    /// Interest, and the responsible manager as the first assignment (so
    /// the relay lets that manager, and only them, read and change it).
    pub fn new_potential(
        id: ClientId,
        who: PotentialClient,
        interest: Interest,
        by: &UserId,
        at: Timestamp,
    ) -> Result<ClientDoc, PotentialError> {
        let who = PotentialClient {
            full_name: who.full_name.trim().to_owned(),
            company: who.company.trim().to_owned(),
            email: who.email.trim().to_owned(),
            phone: who.phone.trim().to_owned(),
        };
        let name = who.display_name();
        if name.is_empty() {
            return Err(PotentialError::NoName);
        }
        let card = Card {
            name,
            created: interest.created,
            created_by: by.clone(),
            created_at: at,
            ..Card::default()
        };
        let responsible = interest.responsible.clone();
        let mut doc = ClientDoc::new(id, card, responsible, by, at);
        doc.interests.insert(interest.id.clone(), interest);
        doc.potential = Some(who);
        Ok(doc)
    }

    /// Turns a potential client's document into a client: the card given
    /// (filled by the manager), and the person as its contact. The
    /// Interests stay where they are.
    pub fn become_client(&mut self, card: Card, at: Timestamp) -> Result<(), PotentialError> {
        let who = self.potential.take().ok_or(PotentialError::NotPotential)?;
        let created = (
            self.card.created,
            self.card.created_by.clone(),
            self.card.created_at,
        );
        self.card = Card {
            created: created.0,
            created_by: created.1,
            created_at: created.2,
            ..card
        };
        if let Some(contact) = contact_of(&who, at) {
            self.contacts.insert(contact.id.clone(), contact);
        }
        Ok(())
    }

    /// Links a potential client's Interests to this existing client (someone
    /// registered the client meanwhile): the Interests, events and notes
    /// move here with their ids, and the person becomes a contact unless a
    /// contact of that name is already there. Mark the potential document
    /// with [`ClientDoc::mark_merged_into`] afterwards.
    pub fn take_potential(
        &mut self,
        potential: &ClientDoc,
        at: Timestamp,
    ) -> Result<(), PotentialError> {
        if self.potential.is_some() {
            return Err(PotentialError::TargetNotAClient);
        }
        let who = potential
            .potential
            .as_ref()
            .ok_or(PotentialError::NotPotential)?;
        if potential
            .merged_into
            .as_ref()
            .is_some_and(|s| *s != self.id)
        {
            return Err(PotentialError::AlreadyLinked);
        }
        take(&mut self.interests, &potential.interests);
        take(&mut self.events, &potential.events);
        take(&mut self.notes, &potential.notes);
        let name = normalised(&who.full_name);
        let known = self
            .live_contacts()
            .any(|c| !name.is_empty() && normalised(&c.full_name) == name);
        if !known {
            // The same contact id every time, so linking twice adds one.
            if let Some(mut contact) = contact_of(who, at) {
                contact.id = format!("from-{}", potential.id);
                self.contacts.entry(contact.id.clone()).or_insert(contact);
            }
        }
        Ok(())
    }
}

fn take<T: Clone>(target: &mut BTreeMap<String, T>, from: &BTreeMap<String, T>) {
    for (id, item) in from {
        target.entry(id.clone()).or_insert_with(|| item.clone());
    }
}

fn normalised(name: &str) -> String {
    crate::search::fold(&name.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The person as a contact of the client, if there is a person.
fn contact_of(who: &PotentialClient, at: Timestamp) -> Option<Contact> {
    if who.full_name.trim().is_empty() {
        return None;
    }
    let mut phones = BTreeMap::new();
    if !who.phone.trim().is_empty() {
        let id = new_id();
        phones.insert(
            id.clone(),
            PhoneEntry {
                id,
                number: who.phone.trim().to_owned(),
                added: at,
                ..PhoneEntry::default()
            },
        );
    }
    let mut emails = BTreeMap::new();
    if !who.email.trim().is_empty() {
        let id = new_id();
        emails.insert(
            id.clone(),
            EmailEntry {
                id,
                address: who.email.trim().to_owned(),
                added: at,
                ..EmailEntry::default()
            },
        );
    }
    Some(Contact {
        id: new_id(),
        full_name: who.full_name.trim().to_owned(),
        phones,
        emails,
        added: at,
        ..Contact::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::scenario::{Act, Registration, register};
    use crate::summary::ClientSummary;
    use crate::workspace::{LEAD_SCENARIO, WorkspaceDoc};

    fn user() -> UserId {
        UserId("00000000-0000-4000-8000-000000000001".into())
    }

    fn interest(ws: &WorkspaceDoc) -> Interest {
        let act = Act {
            by: user(),
            date: Date::from_ymd(2026, 11, 2).expect("date"),
            at: Timestamp(1),
        };
        register(
            ws,
            "int-1".into(),
            Registration {
                content: "Нужен прайс".into(),
                service_type: "equipment".into(),
                scenario: LEAD_SCENARIO.into(),
                responsible: Some(user()),
                follow_up: None,
            },
            &act,
        )
        .expect("interest")
    }

    fn who() -> PotentialClient {
        PotentialClient {
            full_name: " Иван Петров ".into(),
            company: "Ромашка".into(),
            email: "ivan@romashka.ru".into(),
            phone: "+7 916 000-11-22".into(),
        }
    }

    fn potential(ws: &WorkspaceDoc) -> ClientDoc {
        ClientDoc::new_potential(
            ClientId::random(),
            who(),
            interest(ws),
            &user(),
            Timestamp(1),
        )
        .expect("potential")
    }

    #[test]
    fn a_potential_clients_interest_is_no_client_in_the_read_model() {
        let ws = WorkspaceDoc::new("t", []);
        let doc = potential(&ws);
        assert_eq!(doc.card.name, "Иван Петров (Ромашка)");
        assert_eq!(doc.responsible(), Some(&user()));
        let summary = ClientSummary::of(&doc);
        assert!(summary.potential);
        assert!(!summary.is_client());
        assert_eq!(summary.interests.len(), 1);
    }

    #[test]
    fn a_potential_client_needs_a_name_or_a_company() {
        let ws = WorkspaceDoc::new("t", []);
        let nobody = PotentialClient {
            email: "x@y.ru".into(),
            ..PotentialClient::default()
        };
        assert_eq!(
            ClientDoc::new_potential(
                ClientId::random(),
                nobody,
                interest(&ws),
                &user(),
                Timestamp(1)
            ),
            Err(PotentialError::NoName)
        );
    }

    #[test]
    fn turning_it_into_a_client_keeps_the_interest_and_adds_the_contact() {
        let ws = WorkspaceDoc::new("t", []);
        let mut doc = potential(&ws);
        let card = Card {
            name: "Ромашка".into(),
            legal_form: "ООО".into(),
            ..Card::default()
        };
        doc.become_client(card, Timestamp(5)).expect("client");
        assert!(doc.potential.is_none());
        assert_eq!(doc.card.name, "Ромашка");
        assert_eq!(doc.card.created, Date::from_ymd(2026, 11, 2).expect("date"));
        let contact = doc.contacts.values().next().expect("contact");
        assert_eq!(contact.full_name, "Иван Петров");
        assert_eq!(contact.phones.len(), 1);
        assert_eq!(contact.emails.len(), 1);
        assert!(ClientSummary::of(&doc).is_client());
        assert_eq!(
            doc.become_client(Card::default(), Timestamp(6)),
            Err(PotentialError::NotPotential)
        );
    }

    #[test]
    fn linking_moves_the_interest_once_and_adds_the_person_once() {
        let ws = WorkspaceDoc::new("t", []);
        let lead = potential(&ws);
        let mut client = ClientDoc::new(
            ClientId::random(),
            Card {
                name: "Ромашка".into(),
                ..Card::default()
            },
            Some(user()),
            &user(),
            Timestamp(0),
        );
        client.take_potential(&lead, Timestamp(9)).expect("linked");
        client.take_potential(&lead, Timestamp(9)).expect("again");
        assert_eq!(client.interests.len(), 1);
        assert_eq!(client.contacts.len(), 1);
        assert_eq!(
            client.take_potential(&client.clone(), Timestamp(9)),
            Err(PotentialError::NotPotential)
        );
        let mut marked = lead.clone();
        marked.mark_merged_into(&client.id);
        assert!(!ClientSummary::of(&marked).is_client());
    }
}
