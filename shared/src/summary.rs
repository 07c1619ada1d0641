//! The read model of a client: the few fields the client list, the search
//! index and the rule engine need, cached on the device beside the
//! document so that start-up does not load every document.
//!
//! A summary is a pure function of the client document ([`ClientSummary::of`]),
//! so the relay and every device compute the same one.

use serde::{Deserialize, Serialize};

use crate::client::ClientDoc;
use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};
use crate::rules::facts::ClientFacts;

/// A contact person, as far as the list and search need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
}

/// What the list, search and rules need of one client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    pub id: ClientId,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_form: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ogrn: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactSummary>,
    /// The manager of the latest assignment, as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<UserId>,
    pub created: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<ClientId>,
    /// When the latest fact or note was written (for "recently changed").
    #[serde(default)]
    pub touched: Timestamp,
    /// What the rule engine needs: statuses and zones are computed from
    /// these on the device without opening the document.
    pub facts: ClientFacts,
}

impl ClientSummary {
    /// The summary of a client document.
    pub fn of(doc: &ClientDoc) -> ClientSummary {
        let contacts = doc
            .contacts_sorted()
            .into_iter()
            .map(|c| ContactSummary {
                id: c.id.clone(),
                name: c.full_name.clone(),
                phones: c.phones_sorted().iter().map(|p| p.number.clone()).collect(),
                emails: c
                    .emails_sorted()
                    .iter()
                    .map(|e| e.address.clone())
                    .collect(),
            })
            .collect();
        let touched = [
            doc.notes.values().map(|n| n.at).max(),
            doc.events.values().map(|e| e.at).max(),
            doc.payments.values().map(|p| p.at).max(),
            doc.shipments.values().map(|s| s.at).max(),
            doc.assignments.values().map(|a| a.at).max(),
            doc.manual_statuses.values().map(|m| m.at).max(),
            doc.interests.values().map(|i| i.created_at).max(),
            Some(doc.card.created_at),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default();
        ClientSummary {
            id: doc.id.clone(),
            name: doc.card.name.clone(),
            legal_form: doc.card.legal_form.clone(),
            inn: doc.card.inn.clone(),
            ogrn: doc.card.ogrn.clone(),
            phones: doc
                .card
                .phones_sorted()
                .iter()
                .map(|p| p.number.clone())
                .collect(),
            emails: doc
                .card
                .emails_sorted()
                .iter()
                .map(|e| e.address.clone())
                .collect(),
            contacts,
            responsible: doc.responsible().cloned(),
            created: doc.card.created,
            merged_into: doc.merged_into.clone(),
            touched,
            facts: doc.facts(),
        }
    }

    /// The name as the list shows it: legal form first, as people say it
    /// ("ООО «Вектор»").
    pub fn display_name(&self) -> String {
        display_name(&self.legal_form, &self.name)
    }
}

/// A client's name with its legal form, as people write it: `ООО «Вектор»`,
/// `ИП Иванов Иван Иванович`.
pub fn display_name(legal_form: &str, name: &str) -> String {
    let form = legal_form.trim();
    let name = name.trim();
    if form.is_empty() {
        return name.to_owned();
    }
    // A sole trader's name is the person's name: no quotes.
    if form == "ИП" || name.starts_with('«') || name.starts_with('"') {
        format!("{form} {name}")
    } else {
        format!("{form} «{name}»")
    }
}
