//! The client document: one Automerge document per client holding the card,
//! contact persons, notes and every fact about the client — Interests,
//! events, payments, shipments, assignments and manual status settings.
//!
//! Everything that people add concurrently on different devices is its own
//! object in a map keyed by a random id, so two additions made offline both
//! survive a merge; scalar fields (the name, the INN…) merge field by field,
//! and two concurrent writes of one field stay visible as a conflict
//! (Automerge keeps both values) until someone picks one.
//!
//! Nothing derived — status, colour zone, exchange membership — is stored
//! here: those are functions of these facts (see [`crate::rules`]).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};

/// The document kind written at the root, so a client document is never
/// mistaken for a workspace one.
pub const KIND: &str = "client";

/// The version of this layout; a device refuses a document of a newer one
/// rather than misreading it.
pub const SCHEMA: u64 = 1;

/// The whole client document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ClientDoc {
    pub kind: String,
    pub schema: u64,
    pub id: ClientId,
    pub card: Card,
    #[autosurgeon(missing = "Default::default")]
    pub contacts: BTreeMap<String, Contact>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: BTreeMap<String, Note>,
    #[autosurgeon(missing = "Default::default")]
    pub interests: BTreeMap<String, Interest>,
    #[autosurgeon(missing = "Default::default")]
    pub events: BTreeMap<String, Event>,
    #[autosurgeon(missing = "Default::default")]
    pub payments: BTreeMap<String, Payment>,
    #[autosurgeon(missing = "Default::default")]
    pub shipments: BTreeMap<String, Shipment>,
    #[autosurgeon(missing = "Default::default")]
    pub assignments: BTreeMap<String, Assignment>,
    #[autosurgeon(missing = "Default::default")]
    pub manual_statuses: BTreeMap<String, ManualStatusSetting>,
    /// Set when a supervisor merged this client into another one: links and
    /// devices follow the survivor.
    #[autosurgeon(missing = "Default::default")]
    pub merged_into: Option<ClientId>,
}

impl ClientDoc {
    /// A new client with its card, created by `by` on `created`. The first
    /// responsible manager, if any, is an assignment on the creation date.
    pub fn new(
        id: ClientId,
        card: Card,
        responsible: Option<UserId>,
        by: &UserId,
        at: Timestamp,
    ) -> ClientDoc {
        let mut doc = ClientDoc {
            kind: KIND.to_owned(),
            schema: SCHEMA,
            id,
            card,
            contacts: BTreeMap::new(),
            notes: BTreeMap::new(),
            interests: BTreeMap::new(),
            events: BTreeMap::new(),
            payments: BTreeMap::new(),
            shipments: BTreeMap::new(),
            assignments: BTreeMap::new(),
            manual_statuses: BTreeMap::new(),
            merged_into: None,
        };
        if let Some(manager) = responsible {
            let id = crate::ids::new_id();
            doc.assignments.insert(
                id.clone(),
                Assignment {
                    id,
                    date: doc.card.created,
                    manager: Some(manager),
                    kind: AssignmentKind::Initial,
                    by: by.clone(),
                    at,
                },
            );
        }
        doc
    }

    /// The manager of the latest assignment (by date, then by when it was
    /// written). This is the responsible as recorded; the rule engine may
    /// still say the client has gone to the exchange.
    pub fn responsible(&self) -> Option<&UserId> {
        self.assignments
            .values()
            .max_by_key(|a| (a.date, a.at))
            .and_then(|a| a.manager.as_ref())
    }

    /// Contact persons in a stable order: key persons first, then by name.
    pub fn contacts_sorted(&self) -> Vec<&Contact> {
        let mut v: Vec<&Contact> = self.contacts.values().collect();
        v.sort_by(|a, b| {
            b.key_person
                .cmp(&a.key_person)
                .then_with(|| a.full_name.cmp(&b.full_name))
                .then_with(|| a.id.cmp(&b.id))
        });
        v
    }

    /// Notes, newest first.
    pub fn notes_sorted(&self) -> Vec<&Note> {
        let mut v: Vec<&Note> = self.notes.values().collect();
        v.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        v
    }
}

/// The card: what identifies the client and how to reach it.
///
/// Text fields hold what the user typed (validated on save, see
/// [`crate::client::validate_card`]); an empty string means "not filled".
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Card {
    pub name: String,
    #[autosurgeon(missing = "Default::default")]
    pub legal_form: String,
    #[autosurgeon(missing = "Default::default")]
    pub inn: String,
    #[autosurgeon(missing = "Default::default")]
    pub kpp: String,
    #[autosurgeon(missing = "Default::default")]
    pub ogrn: String,
    #[autosurgeon(missing = "Default::default")]
    pub phones: BTreeMap<String, PhoneEntry>,
    #[autosurgeon(missing = "Default::default")]
    pub emails: BTreeMap<String, EmailEntry>,
    #[autosurgeon(missing = "Default::default")]
    pub addresses: BTreeMap<String, Address>,
    #[autosurgeon(missing = "Default::default")]
    pub website: String,
    #[autosurgeon(missing = "Default::default")]
    pub industry: String,
    /// Segment tags as a set (tag → true), so concurrent additions merge.
    #[autosurgeon(missing = "Default::default")]
    pub tags: BTreeMap<String, bool>,
    #[autosurgeon(missing = "Default::default")]
    pub source: String,
    pub created: Date,
    pub created_by: UserId,
    #[autosurgeon(missing = "Default::default")]
    pub created_at: Timestamp,
}

impl Card {
    /// Phones in the order they were added.
    pub fn phones_sorted(&self) -> Vec<&PhoneEntry> {
        sorted_by_added(self.phones.values(), |p| (p.added, &p.id))
    }

    /// E-mails in the order they were added.
    pub fn emails_sorted(&self) -> Vec<&EmailEntry> {
        sorted_by_added(self.emails.values(), |e| (e.added, &e.id))
    }

    /// Addresses in the order they were added.
    pub fn addresses_sorted(&self) -> Vec<&Address> {
        sorted_by_added(self.addresses.values(), |a| (a.added, &a.id))
    }
}

fn sorted_by_added<'a, T, K: Ord>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> K,
) -> Vec<&'a T> {
    let mut v: Vec<&T> = items.collect();
    v.sort_by(|a, b| key(a).cmp(&key(b)));
    v
}

/// A phone number as typed (the search key is derived, see
/// [`crate::phone`]), with an optional label ("бухгалтерия", "моб.").
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct PhoneEntry {
    pub id: String,
    pub number: String,
    #[autosurgeon(missing = "Default::default")]
    pub label: String,
    #[autosurgeon(missing = "Default::default")]
    pub added: Timestamp,
}

/// An e-mail address as typed.
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct EmailEntry {
    pub id: String,
    pub address: String,
    #[autosurgeon(missing = "Default::default")]
    pub label: String,
    #[autosurgeon(missing = "Default::default")]
    pub added: Timestamp,
}

/// What an address is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    #[autosurgeon(rename = "legal")]
    Legal,
    #[default]
    #[autosurgeon(rename = "actual")]
    Actual,
    #[autosurgeon(rename = "postal")]
    Postal,
    #[autosurgeon(rename = "delivery")]
    Delivery,
}

impl AddressKind {
    /// Every kind, in the order the card lists them.
    pub const ALL: [AddressKind; 4] = [
        AddressKind::Legal,
        AddressKind::Actual,
        AddressKind::Postal,
        AddressKind::Delivery,
    ];
}

/// A postal address, one line of text.
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Address {
    pub id: String,
    pub kind: AddressKind,
    pub text: String,
    #[autosurgeon(missing = "Default::default")]
    pub added: Timestamp,
}

/// A contact person (контактное лицо) of the client.
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub full_name: String,
    #[autosurgeon(missing = "Default::default")]
    pub position: String,
    #[autosurgeon(missing = "Default::default")]
    pub phones: BTreeMap<String, PhoneEntry>,
    #[autosurgeon(missing = "Default::default")]
    pub emails: BTreeMap<String, EmailEntry>,
    #[autosurgeon(missing = "Default::default")]
    pub birthday: Option<Date>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: String,
    #[autosurgeon(missing = "Default::default")]
    pub key_person: bool,
    #[autosurgeon(missing = "Default::default")]
    pub added: Timestamp,
}

impl Contact {
    /// Phones in the order they were added.
    pub fn phones_sorted(&self) -> Vec<&PhoneEntry> {
        sorted_by_added(self.phones.values(), |p| (p.added, &p.id))
    }

    /// E-mails in the order they were added.
    pub fn emails_sorted(&self) -> Vec<&EmailEntry> {
        sorted_by_added(self.emails.values(), |e| (e.added, &e.id))
    }
}

/// A note (примечание): free text about what happened with the client.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Note {
    pub id: String,
    pub text: String,
    pub author: UserId,
    pub at: Timestamp,
}

/// How an Interest ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    #[autosurgeon(rename = "success")]
    Success,
    #[autosurgeon(rename = "failure")]
    Failure,
}

/// An Interest (интерес клиента): one potential sale, from the first
/// request to the shipment.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Interest {
    pub id: String,
    pub created: Date,
    pub created_by: UserId,
    #[autosurgeon(missing = "Default::default")]
    pub created_at: Timestamp,
    /// The client's need, in the client's words.
    pub content: String,
    #[autosurgeon(missing = "Default::default")]
    pub service_type: String,
    pub scenario: String,
    /// The current state of the scenario.
    pub state: String,
    #[autosurgeon(missing = "Default::default")]
    pub responsible: Option<UserId>,
    #[autosurgeon(missing = "Default::default")]
    pub completed: Option<Date>,
    #[autosurgeon(missing = "Default::default")]
    pub outcome: Option<Outcome>,
    /// The reason of an unsuccessful end (an id from the workspace's list).
    #[autosurgeon(missing = "Default::default")]
    pub reason: Option<String>,
    /// Every move between states, as its own object so that moves made on
    /// two devices are both kept.
    #[autosurgeon(missing = "Default::default")]
    pub transitions: BTreeMap<String, Transition>,
}

/// One move of an Interest from one scenario state to another.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Transition {
    pub id: String,
    pub date: Date,
    pub at: Timestamp,
    pub from: String,
    pub to: String,
    pub by: UserId,
}

/// What kind of contact an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    #[autosurgeon(rename = "call")]
    Call,
    #[autosurgeon(rename = "meeting")]
    Meeting,
    #[autosurgeon(rename = "email")]
    Email,
    #[autosurgeon(rename = "message")]
    Message,
    #[autosurgeon(rename = "note")]
    Note,
}

impl EventKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [EventKind; 5] = [
        EventKind::Call,
        EventKind::Meeting,
        EventKind::Email,
        EventKind::Message,
        EventKind::Note,
    ];

    /// The id used in files and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            EventKind::Call => "call",
            EventKind::Meeting => "meeting",
            EventKind::Email => "email",
            EventKind::Message => "message",
            EventKind::Note => "note",
        }
    }
}

/// An event (событие): a call, meeting, e-mail, message or note.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub date: Date,
    pub at: Timestamp,
    pub kind: EventKind,
    pub by: UserId,
    /// Contact persons who took part (their ids in this document).
    #[autosurgeon(missing = "Default::default")]
    pub participants: Vec<String>,
    #[autosurgeon(missing = "Default::default")]
    pub result: String,
    #[autosurgeon(missing = "Default::default")]
    pub interest: Option<String>,
    /// Why the client left or never started (reactivation calls).
    #[autosurgeon(missing = "Default::default")]
    pub reason: Option<String>,
}

/// An amount of money in kopecks (hundredths of a rouble), so that sums
/// are exact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Reconcile, Hydrate, Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// The amount in roubles, for display and reports.
    pub fn roubles(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Roubles rounded to the kopeck.
    pub fn from_roubles(amount: f64) -> Money {
        Money((amount * 100.0).round() as i64)
    }
}

/// Where a payment or shipment came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    #[default]
    #[autosurgeon(rename = "manual")]
    Manual,
    #[autosurgeon(rename = "import")]
    Import,
}

/// A payment (оплата) received from the client.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub date: Date,
    pub amount: Money,
    /// The accounting document number; importing it twice adds nothing.
    #[autosurgeon(missing = "Default::default")]
    pub document: String,
    #[autosurgeon(missing = "Default::default")]
    pub source: FactSource,
    pub by: UserId,
    pub at: Timestamp,
}

/// A shipment (отгрузка) to the client.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Shipment {
    pub id: String,
    pub date: Date,
    #[autosurgeon(missing = "Default::default")]
    pub amount: Money,
    #[autosurgeon(missing = "Default::default")]
    pub document: String,
    #[autosurgeon(missing = "Default::default")]
    pub source: FactSource,
    pub by: UserId,
    pub at: Timestamp,
}

/// How an assignment came about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentKind {
    /// The responsible given when the card was created.
    #[default]
    #[autosurgeon(rename = "initial")]
    Initial,
    /// A supervisor or administrator changed the responsible.
    #[autosurgeon(rename = "reassigned")]
    Reassigned,
    /// A manager took the client from the exchange.
    #[autosurgeon(rename = "from_exchange")]
    FromExchange,
    /// A supervisor approved a manager's assignment request.
    #[autosurgeon(rename = "approved_request")]
    ApprovedRequest,
    /// Moved to a pool of dormant clients that belong to no manager.
    #[autosurgeon(rename = "to_pool")]
    ToPool,
}

/// An assignment: who was made responsible for the client, when, by whom.
/// `manager: None` means the client was given to no one (a pool).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub date: Date,
    pub manager: Option<UserId>,
    #[autosurgeon(missing = "Default::default")]
    pub kind: AssignmentKind,
    pub by: UserId,
    pub at: Timestamp,
}

/// A status set by a person (Alien, Non-target, Liquidated, or any manual
/// status), with the reason in the comment.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ManualStatusSetting {
    pub id: String,
    pub date: Date,
    pub at: Timestamp,
    pub status: String,
    #[autosurgeon(missing = "Default::default")]
    pub comment: String,
    pub by: UserId,
}

mod validate;
pub use validate::{
    CardField, ContactField, FieldError, MAX_NAME, Problem, is_sole_trader, validate_card,
    validate_contact,
};
