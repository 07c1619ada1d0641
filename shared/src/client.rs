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

use chrono::NaiveDate;

use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};
use crate::rules::config::StatusId;
use crate::rules::facts::{AssignmentFact, ClientFacts, InterestFact, ManualStatus};

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
    /// Clients merged into this one (by their id).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub merged_from: BTreeMap<String, MergedClient>,
    /// Saves made although the duplicate check found similar clients.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub duplicate_overrides: BTreeMap<String, DuplicateOverride>,
    /// Set while this document holds the Interest of a *potential client*
    /// (SPEC 4): someone who asked but has no client card yet. Such a
    /// document is not a client: lists, search, statuses and the exchange
    /// leave it out. It becomes a client when a manager turns it into a
    /// card (the field is cleared), or it is linked to an existing client
    /// (its Interests move there and `merged_into` points to that client).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub potential: Option<PotentialClient>,
    /// Managers' requests to become the responsible, with the supervisors'
    /// decisions (SPEC 1, 7).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub requests: BTreeMap<String, AssignmentRequest>,
}

/// Who asked, when there is no client card yet (SPEC 4, potential client).
#[derive(Debug, Clone, Default, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct PotentialClient {
    pub full_name: String,
    #[autosurgeon(missing = "Default::default")]
    pub company: String,
    #[autosurgeon(missing = "Default::default")]
    pub email: String,
    #[autosurgeon(missing = "Default::default")]
    pub phone: String,
}

impl PotentialClient {
    /// How lists name the potential client: "Иван Петров (ООО Ромашка)".
    pub fn display_name(&self) -> String {
        match (self.full_name.trim(), self.company.trim()) {
            (n, "") => n.to_owned(),
            ("", c) => c.to_owned(),
            (n, c) => format!("{n} ({c})"),
        }
    }
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
            merged_from: BTreeMap::new(),
            duplicate_overrides: BTreeMap::new(),
            potential: None,
            requests: BTreeMap::new(),
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

    /// The facts the rule engine derives statuses and zones from, in the
    /// order the engine expects: each collection by date, then by when it
    /// was written (so same-day settings apply in the order they were made).
    ///
    /// The `*_in_fact_order` lists give the documents' entries in the same
    /// order, so an index the engine reports (an explanation's facts) names
    /// an entry of the document.
    pub fn facts(&self) -> ClientFacts {
        let mut assignments: Vec<&Assignment> = self.assignments.values().collect();
        assignments.sort_by_key(|a| (a.date, a.at));
        let sorted_dates = |dates: Vec<NaiveDate>| {
            let mut d = dates;
            d.sort_unstable();
            d
        };
        ClientFacts {
            created: self.card.created.naive(),
            interests: self
                .interests_in_fact_order()
                .into_iter()
                .map(|i| {
                    let mut activity: Vec<NaiveDate> =
                        i.transitions.values().map(|t| t.date.naive()).collect();
                    activity.sort_unstable();
                    let automatic = i.is_automatic();
                    InterestFact {
                        created: i.created.naive(),
                        completed: i.completed.map(Date::naive),
                        outcome: i.outcome,
                        activity,
                        automatic,
                        taken_up: if automatic {
                            self.taken_up(i).map(Date::naive)
                        } else {
                            None
                        },
                    }
                })
                .collect(),
            payments: sorted_dates(self.live_payments().map(|p| p.date.naive()).collect()),
            shipments: sorted_dates(self.live_shipments().map(|s| s.date.naive()).collect()),
            events: sorted_dates(self.live_events().map(|e| e.date.naive()).collect()),
            assignments: assignments
                .into_iter()
                .map(|a| AssignmentFact {
                    date: a.date.naive(),
                    manager: a.manager.as_ref().map(|m| m.to_string()),
                })
                .collect(),
            manual_statuses: self
                .manual_statuses_in_fact_order()
                .into_iter()
                .map(|m| ManualStatus {
                    date: m.date.naive(),
                    at: m.at.0,
                    status: StatusId::new(m.status.clone()),
                })
                .collect(),
        }
    }

    /// The sum of all the client's payments.
    pub fn revenue(&self) -> Money {
        Money(
            self.live_payments()
                .fold(0i64, |sum, p| sum.saturating_add(p.amount.0)),
        )
    }

    /// The payments summed per calendar month, oldest first: (the month
    /// as `year * 12 + month0`, the sum). Deleted payments are left out.
    pub fn monthly_revenue(&self) -> Vec<(i32, Money)> {
        use chrono::Datelike;
        let mut months = BTreeMap::<i32, i64>::new();
        for p in self.live_payments() {
            let d = p.date.naive();
            let sum = months.entry(d.year() * 12 + d.month0() as i32).or_default();
            *sum = sum.saturating_add(p.amount.0);
        }
        months.into_iter().map(|(m, s)| (m, Money(s))).collect()
    }

    /// The day a person took up an Interest (SPEC 5): the first event
    /// logged on it or its first move out of a state, whichever is
    /// earlier; `None` while nobody has. Derived from the document's events
    /// and transitions, so nothing is stored for it and two devices that
    /// work on it offline agree.
    pub fn taken_up(&self, interest: &Interest) -> Option<Date> {
        let moved = interest
            .transitions
            .values()
            .filter(|t| t.from != t.to)
            .map(|t| t.date);
        let logged = self
            .events
            .values()
            .filter(|e| e.interest.as_deref() == Some(interest.id.as_str()))
            .map(|e| e.date);
        moved.chain(logged).min()
    }

    /// Interests in the order of [`ClientFacts::interests`]: by creation
    /// day, then by when they were written.
    pub fn interests_in_fact_order(&self) -> Vec<&Interest> {
        let mut v: Vec<&Interest> = self.interests.values().collect();
        v.sort_by(|a, b| (a.created, a.created_at, &a.id).cmp(&(b.created, b.created_at, &b.id)));
        v
    }

    /// Payments in the order of [`ClientFacts::payments`]: by date
    /// (deleted ones left out, as there).
    pub fn payments_in_fact_order(&self) -> Vec<&Payment> {
        let mut v: Vec<&Payment> = self.live_payments().collect();
        v.sort_by(|a, b| (a.date, a.at, &a.id).cmp(&(b.date, b.at, &b.id)));
        v
    }

    /// Shipments in the order of [`ClientFacts::shipments`]: by date
    /// (deleted ones left out, as there).
    pub fn shipments_in_fact_order(&self) -> Vec<&Shipment> {
        let mut v: Vec<&Shipment> = self.live_shipments().collect();
        v.sort_by(|a, b| (a.date, a.at, &a.id).cmp(&(b.date, b.at, &b.id)));
        v
    }

    /// Manual status settings in the order of
    /// [`ClientFacts::manual_statuses`]: by date, then by when they were set.
    pub fn manual_statuses_in_fact_order(&self) -> Vec<&ManualStatusSetting> {
        let mut v: Vec<&ManualStatusSetting> = self.manual_statuses.values().collect();
        v.sort_by_key(|m| (m.date, m.at));
        v
    }

    /// Contact persons in a stable order: key persons first, then by name
    /// (deleted ones left out).
    pub fn contacts_sorted(&self) -> Vec<&Contact> {
        let mut v: Vec<&Contact> = self.live_contacts().collect();
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

/// Applies what a form changed (`before` → `after`) to `self`, field by
/// field and entry by entry, leaving alone whatever the form did not touch:
/// a phone another device added meanwhile survives this edit.
fn apply_map_edit<T: Clone + PartialEq>(
    target: &mut BTreeMap<String, T>,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
) {
    for (id, value) in after {
        if before.get(id) != Some(value) {
            target.insert(id.clone(), value.clone());
        }
    }
    for id in before.keys() {
        if !after.contains_key(id) {
            target.remove(id);
        }
    }
}

fn apply_field_edit<T: Clone + PartialEq>(target: &mut T, before: &T, after: &T) {
    if before != after {
        *target = after.clone();
    }
}

impl Card {
    /// Applies a form's changes (`before` is what the form was opened
    /// with, `after` what it holds on save) to this card.
    pub fn apply_edit(&mut self, before: &Card, after: &Card) {
        apply_field_edit(&mut self.name, &before.name, &after.name);
        apply_field_edit(&mut self.legal_form, &before.legal_form, &after.legal_form);
        apply_field_edit(&mut self.inn, &before.inn, &after.inn);
        apply_field_edit(&mut self.kpp, &before.kpp, &after.kpp);
        apply_field_edit(&mut self.ogrn, &before.ogrn, &after.ogrn);
        apply_field_edit(&mut self.website, &before.website, &after.website);
        apply_field_edit(&mut self.industry, &before.industry, &after.industry);
        apply_field_edit(&mut self.source, &before.source, &after.source);
        apply_map_edit(&mut self.phones, &before.phones, &after.phones);
        apply_map_edit(&mut self.emails, &before.emails, &after.emails);
        apply_map_edit(&mut self.addresses, &before.addresses, &after.addresses);
        apply_map_edit(&mut self.tags, &before.tags, &after.tags);
    }

    /// Phones in the order they were added.
    pub fn phones_sorted(&self) -> Vec<&PhoneEntry> {
        sorted_by_added(self.phones.values())
    }

    /// E-mails in the order they were added.
    pub fn emails_sorted(&self) -> Vec<&EmailEntry> {
        sorted_by_added(self.emails.values())
    }

    /// Addresses in the order they were added.
    pub fn addresses_sorted(&self) -> Vec<&Address> {
        sorted_by_added(self.addresses.values())
    }
}

/// Entries listed in the order they were added (ties by id, so every
/// device lists them alike).
trait AddedEntry {
    fn added(&self) -> Timestamp;
    fn entry_id(&self) -> &str;
}

macro_rules! added_entry {
    ($($t:ty),*) => {$(
        impl AddedEntry for $t {
            fn added(&self) -> Timestamp {
                self.added
            }
            fn entry_id(&self) -> &str {
                &self.id
            }
        }
    )*};
}
added_entry!(PhoneEntry, EmailEntry, Address);

fn sorted_by_added<'a, T: AddedEntry>(items: impl Iterator<Item = &'a T>) -> Vec<&'a T> {
    let mut v: Vec<&T> = items.collect();
    v.sort_by(|a, b| {
        a.added()
            .cmp(&b.added())
            .then_with(|| a.entry_id().cmp(b.entry_id()))
    });
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
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize,
)]
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
    /// Set when someone deleted the entry: it stays in the document (so
    /// the deletion syncs, shows in the history, and a supervisor can
    /// restore it), and everything derived leaves it out.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Deletion>,
}

impl Contact {
    /// Applies a form's changes (`before` → `after`) to this contact.
    pub fn apply_edit(&mut self, before: &Contact, after: &Contact) {
        apply_field_edit(&mut self.full_name, &before.full_name, &after.full_name);
        apply_field_edit(&mut self.position, &before.position, &after.position);
        apply_field_edit(&mut self.birthday, &before.birthday, &after.birthday);
        apply_field_edit(&mut self.notes, &before.notes, &after.notes);
        apply_field_edit(&mut self.key_person, &before.key_person, &after.key_person);
        apply_map_edit(&mut self.phones, &before.phones, &after.phones);
        apply_map_edit(&mut self.emails, &before.emails, &after.emails);
    }

    /// Phones in the order they were added.
    pub fn phones_sorted(&self) -> Vec<&PhoneEntry> {
        sorted_by_added(self.phones.values())
    }

    /// E-mails in the order they were added.
    pub fn emails_sorted(&self) -> Vec<&EmailEntry> {
        sorted_by_added(self.emails.values())
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
    /// When the manager means to get back to the client; past it and not
    /// completed, the Interest is overdue.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub follow_up: Option<Date>,
}

impl Interest {
    /// Whether the system created this Interest rather than a person
    /// (SPEC 5: a task, not yet work). The only one it creates is the
    /// win-back, whose id every device derives from the client and the day
    /// it became Lost ([`crate::rules::dynamics::winback_interest_id`]); the
    /// id is the record, so win-backs written before this rule, or by a
    /// device of any version, are read the same.
    pub fn is_automatic(&self) -> bool {
        crate::rules::dynamics::is_winback_interest_id(&self.id)
    }
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
    /// Set when someone deleted the entry: it stays in the document (so
    /// the deletion syncs, shows in the history, and a supervisor can
    /// restore it), and everything derived leaves it out.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Deletion>,
}

/// An amount of money in kopecks (hundredths of a rouble), so that sums
/// are exact.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Reconcile,
    Hydrate,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    /// The amount in roubles, for display and reports.
    pub fn roubles(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// The amount as a form shows it for editing and [`Money::parse`]
    /// reads it back: `1234,56`.
    pub fn plain(self) -> String {
        format!("{},{:02}", self.0 / 100, self.0 % 100)
    }

    /// Roubles rounded to the kopeck.
    pub fn from_roubles(amount: f64) -> Money {
        Money((amount * 100.0).round() as i64)
    }

    /// A positive amount as people and accounting files write it:
    /// `1234.56`, `1234,56`, `1 234,56` (spaces, no-break spaces or
    /// apostrophes between thousands), with an optional `руб.`, `р.` or `₽`
    /// after it. Read digit by digit, never through a float, so the
    /// kopecks are exact.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let mut t = text.trim();
        for suffix in ["руб.", "руб", "р.", "₽", "RUB", "rub"] {
            if let Some(rest) = t.strip_suffix(suffix) {
                t = rest.trim_end();
                break;
            }
        }
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        if t.starts_with('-') {
            return Err(MoneyError::NotPositive);
        }
        let mut whole: i64 = 0;
        let mut fraction: Option<(i64, u32)> = None;
        for ch in t.chars() {
            match ch {
                '0'..='9' => {
                    let d = i64::from(ch as u8 - b'0');
                    match &mut fraction {
                        None => {
                            whole = whole
                                .checked_mul(10)
                                .and_then(|w| w.checked_add(d))
                                .ok_or(MoneyError::TooLarge)?;
                        }
                        Some((f, n)) => {
                            if *n == 2 {
                                return Err(MoneyError::TooManyDecimals);
                            }
                            *f = *f * 10 + d;
                            *n += 1;
                        }
                    }
                }
                ',' | '.' if fraction.is_none() => fraction = Some((0, 0)),
                ' ' | '\u{a0}' | '\u{202f}' | '\'' if fraction.is_none() => {}
                _ => return Err(MoneyError::NotANumber),
            }
        }
        let kopecks = match fraction {
            None | Some((_, 0)) => 0,
            Some((f, 1)) => f * 10,
            Some((f, _)) => f,
        };
        let total = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(kopecks))
            .ok_or(MoneyError::TooLarge)?;
        if total == 0 {
            return Err(MoneyError::NotPositive);
        }
        Ok(Money(total))
    }
}

/// Why a typed amount is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is empty")]
    Empty,
    #[error("the amount is not a number")]
    NotANumber,
    #[error("the amount must be above zero")]
    NotPositive,
    #[error("more than two digits after the decimal point")]
    TooManyDecimals,
    #[error("the amount is too large")]
    TooLarge,
}

/// Where a payment or shipment came from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize,
)]
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
    /// Set when someone deleted the entry: it stays in the document (so
    /// the deletion syncs, shows in the history, and a supervisor can
    /// restore it), and everything derived leaves it out.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Deletion>,
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
    /// Set when someone deleted the entry: it stays in the document (so
    /// the deletion syncs, shows in the history, and a supervisor can
    /// restore it), and everything derived leaves it out.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Deletion>,
}

/// How an assignment came about.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize,
)]
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

mod entries;
mod exchange;
mod merge;
mod potential;
mod request;
pub use entries::{DeletedEntry, Deletion, EntryError, EntryKind, EventEdit, MoneyFactEdit};
pub use exchange::GiveError;
pub use merge::{DuplicateOverride, MergeError, MergedClient};
pub use potential::PotentialError;
pub use request::{AssignmentError, AssignmentRequest, RequestDecision, Verdict};
mod validate;
pub use validate::{
    CardField, ContactField, FieldError, MAX_NAME, Problem, is_sole_trader, validate_card,
    validate_contact,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::ClientDocument;

    fn user() -> UserId {
        UserId("00000000-0000-4000-8000-000000000001".into())
    }

    fn card(name: &str) -> Card {
        Card {
            name: name.to_owned(),
            created: Date::from_ymd(2026, 1, 10).expect("date"),
            created_by: user(),
            ..Card::default()
        }
    }

    fn phone(id: &str, number: &str) -> PhoneEntry {
        PhoneEntry {
            id: id.to_owned(),
            number: number.to_owned(),
            label: String::new(),
            added: Timestamp(1),
        }
    }

    fn actor(n: u8) -> automerge::ActorId {
        crate::ids::actor_for(&user(), [n; 8]).expect("actor")
    }

    #[test]
    fn amounts_are_read_as_people_write_them() {
        for (text, kopecks) in [
            ("1234.56", 123_456),
            ("1234,56", 123_456),
            ("1 234,5", 123_450),
            ("1\u{a0}234,56 руб.", 123_456),
            ("12 000 ₽", 1_200_000),
            ("0,01", 1),
            ("7", 700),
        ] {
            assert_eq!(Money::parse(text), Ok(Money(kopecks)), "{text}");
        }
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("-5"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("0,00"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("1,234"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("12a"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.2.3"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn a_form_edit_leaves_untouched_what_it_did_not_change() {
        let before = card("Вектор");
        let mut after = before.clone();
        after.inn = "7707083893".into();
        after
            .phones
            .insert("p1".into(), phone("p1", "+7 495 925-05-31"));
        // Meanwhile another device renamed the client and added a phone.
        let mut current = before.clone();
        current.name = "Вектор-Снаб".into();
        current
            .phones
            .insert("p2".into(), phone("p2", "8 916 123 45 67"));
        current.apply_edit(&before, &after);
        assert_eq!(current.name, "Вектор-Снаб");
        assert_eq!(current.inn, "7707083893");
        assert_eq!(current.phones.len(), 2);
        // Removing an entry in the form removes exactly that entry.
        let before = current.clone();
        let mut after = current.clone();
        after.phones.remove("p1");
        current.apply_edit(&before, &after);
        assert_eq!(current.phones.keys().collect::<Vec<_>>(), vec!["p2"]);
    }

    #[test]
    fn contacts_added_on_two_devices_both_survive_a_merge() {
        let doc = ClientDoc::new(
            ClientId::random(),
            card("Гранит"),
            Some(user()),
            &user(),
            Timestamp(1),
        );
        let mut a = ClientDocument::create(&doc, actor(1), Timestamp(1)).expect("create");
        let mut b = a.fork(actor(2));
        for (device, name) in [(&mut a, "Иванов Иван"), (&mut b, "Петрова Анна")]
        {
            device
                .change_infallible(Timestamp(2), "contact", |d| {
                    let id = crate::ids::new_id();
                    d.contacts.insert(
                        id.clone(),
                        Contact {
                            id,
                            full_name: name.to_owned(),
                            ..Contact::default()
                        },
                    );
                })
                .expect("change");
        }
        a.merge(&mut b).expect("merge");
        let merged = a.read().expect("read");
        let mut names: Vec<_> = merged
            .contacts
            .values()
            .map(|c| c.full_name.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(names, vec!["Иванов Иван", "Петрова Анна"]);
    }

    #[test]
    fn edits_of_different_fields_merge_and_the_same_field_stays_a_visible_conflict() {
        let doc = ClientDoc::new(
            ClientId::random(),
            card("Гранит"),
            None,
            &user(),
            Timestamp(1),
        );
        let mut a = ClientDocument::create(&doc, actor(1), Timestamp(1)).expect("create");
        let mut b = a.fork(actor(2));
        a.change_infallible(Timestamp(2), "inn", |d| d.card.inn = "7707083893".into())
            .expect("a");
        b.change_infallible(Timestamp(2), "site", |d| {
            d.card.website = "granit.ru".into()
        })
        .expect("b");
        a.change_infallible(Timestamp(3), "name", |d| d.card.name = "Гранит-А".into())
            .expect("a");
        b.change_infallible(Timestamp(3), "name", |d| d.card.name = "Гранит-Б".into())
            .expect("b");
        a.merge(&mut b).expect("merge");
        let merged = a.read().expect("read");
        assert_eq!(merged.card.inn, "7707083893");
        assert_eq!(merged.card.website, "granit.ru");
        let (_, card_obj) = automerge::ReadDoc::get(a.automerge_ref(), automerge::ROOT, "card")
            .expect("read")
            .expect("a card");
        assert!(a.is_conflicted(&card_obj, "name"));
        assert!(!a.is_conflicted(&card_obj, "inn"));
    }

    #[test]
    fn saved_changes_reload_from_snapshot_plus_increments() {
        let doc = ClientDoc::new(
            ClientId::random(),
            card("Нева"),
            Some(user()),
            &user(),
            Timestamp(1),
        );
        let mut d = ClientDocument::create(&doc, actor(1), Timestamp(1)).expect("create");
        let mut stored = d.save();
        for n in 0..3 {
            d.change_infallible(Timestamp(2 + n), "note", |c| {
                c.card.source = format!("источник {n}")
            })
            .expect("change");
            let chunk = d.save_incremental();
            assert!(!chunk.is_empty());
            stored.extend_from_slice(&chunk);
        }
        let reloaded = ClientDocument::load(&stored)
            .expect("load")
            .read()
            .expect("read");
        assert_eq!(reloaded.card.source, "источник 2");
        // A chunk cut short is an error, never a silently older card.
        assert!(ClientDocument::load(&stored[..stored.len() - 3]).is_err());
    }

    #[test]
    fn the_responsible_is_the_manager_of_the_latest_assignment() {
        let mut doc = ClientDoc::new(
            ClientId::random(),
            card("Урал"),
            Some(user()),
            &user(),
            Timestamp(1),
        );
        let other = UserId::random();
        doc.assignments.insert(
            "a2".into(),
            Assignment {
                id: "a2".into(),
                date: Date::from_ymd(2026, 3, 1).expect("date"),
                manager: Some(other.clone()),
                kind: AssignmentKind::Reassigned,
                by: user(),
                at: Timestamp(5),
            },
        );
        assert_eq!(doc.responsible(), Some(&other));
        assert_eq!(doc.facts().assignments.len(), 2);
    }

    #[test]
    fn a_winback_counts_from_the_first_call_logged_on_it_or_its_first_move() {
        let id = ClientId("10000000-0000-4000-8000-000000000001".into());
        let mut doc = ClientDoc::new(
            id.clone(),
            card("Ромашка"),
            Some(user()),
            &user(),
            Timestamp(0),
        );
        let day = |d| Date::from_ymd(2026, 3, d).expect("date");
        let winback_id = crate::rules::dynamics::winback_interest_id(id.as_str(), day(1).naive());
        let interest = |id: &str| Interest {
            id: id.to_owned(),
            created: day(1),
            created_by: user(),
            created_at: Timestamp(1),
            content: String::new(),
            service_type: String::new(),
            scenario: crate::workspace::WINBACK_SCENARIO.to_owned(),
            state: "new".to_owned(),
            responsible: Some(user()),
            completed: None,
            outcome: None,
            reason: None,
            transitions: BTreeMap::new(),
            follow_up: None,
        };
        doc.interests
            .insert(winback_id.clone(), interest(&winback_id));
        doc.interests
            .insert("i-by-hand".into(), interest("i-by-hand"));
        let fact = |doc: &ClientDoc| {
            let facts = doc.facts();
            let by_hand = facts.interests.iter().find(|i| !i.automatic).cloned();
            assert_eq!(
                by_hand.map(|i| (i.automatic, i.taken_up)),
                Some((false, None))
            );
            facts
                .interests
                .into_iter()
                .find(|i| i.automatic)
                .expect("the win-back")
        };
        assert_eq!(fact(&doc).taken_up, None, "nobody worked on it yet");
        // A move out of its first state on the 9th, a call on it on the 5th
        // and a call on the client alone on the 2nd.
        doc.interests
            .get_mut(&winback_id)
            .expect("it")
            .transitions
            .insert(
                "t1".into(),
                Transition {
                    id: "t1".into(),
                    date: day(9),
                    at: Timestamp(9),
                    from: "new".into(),
                    to: "contact".into(),
                    by: user(),
                },
            );
        assert_eq!(fact(&doc).taken_up, Some(day(9).naive()));
        for (key, date, on) in [("e1", 5, Some(winback_id.clone())), ("e2", 2, None)] {
            doc.events.insert(
                key.into(),
                Event {
                    id: key.into(),
                    date: day(date),
                    at: Timestamp(i64::from(date)),
                    kind: EventKind::Call,
                    by: user(),
                    participants: Vec::new(),
                    result: "договорились".into(),
                    interest: on,
                    reason: None,
                    deleted: None,
                },
            );
        }
        assert_eq!(fact(&doc).taken_up, Some(day(5).naive()));
        // The summary a device caches carries it too.
        let summary = crate::summary::ClientSummary::of(&doc);
        let json = serde_json::to_string(&summary).expect("serialise");
        let back: crate::summary::ClientSummary = serde_json::from_str(&json).expect("read");
        assert_eq!(back.facts, doc.facts());
    }
}
