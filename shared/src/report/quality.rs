//! Client base quality (SPEC 8): per status, which card fields a client
//! should have filled (a workspace setting,
//! [`crate::workspace::reports::QualitySettings`]); for each card what is
//! missing; and the share of required fields filled per status and per
//! manager, with the list of incomplete cards.
//!
//! Quality is advice, never a rule of saving: nothing here refuses a card.
//! A card's filled fields are one small bit set ([`FieldSet`]), so the
//! report over a whole base is a pass of integer operations.

use std::collections::BTreeMap;

use crate::client::{AddressKind, ClientDoc, is_sole_trader};
use crate::ids::{ClientId, UserId};
use crate::rules::config::StatusId;

/// A field (or a fact of the card) that can be required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequiredField {
    LegalForm,
    Inn,
    /// KPP; a sole trader has none, so for one it counts as filled.
    Kpp,
    Ogrn,
    /// An address of the kind "legal".
    LegalAddress,
    /// Any address.
    Address,
    /// A phone on the card or of a contact person.
    Phone,
    /// An e-mail on the card or of a contact person.
    Email,
    Website,
    Industry,
    Source,
    /// At least one segment tag.
    Tags,
    /// At least one contact person with a name.
    Contact,
    /// A contact person with a name and a position.
    ContactWithPosition,
    /// A contact person marked as the key person.
    KeyPerson,
    /// A contact person's birthday.
    ContactBirthday,
}

impl RequiredField {
    /// Every field, in the order the settings and the card list them.
    pub const ALL: [RequiredField; 16] = [
        RequiredField::LegalForm,
        RequiredField::Inn,
        RequiredField::Kpp,
        RequiredField::Ogrn,
        RequiredField::LegalAddress,
        RequiredField::Address,
        RequiredField::Phone,
        RequiredField::Email,
        RequiredField::Website,
        RequiredField::Industry,
        RequiredField::Source,
        RequiredField::Tags,
        RequiredField::Contact,
        RequiredField::ContactWithPosition,
        RequiredField::KeyPerson,
        RequiredField::ContactBirthday,
    ];

    /// The id stored in the workspace and used by the app's messages.
    pub fn id(self) -> &'static str {
        match self {
            RequiredField::LegalForm => "legal_form",
            RequiredField::Inn => "inn",
            RequiredField::Kpp => "kpp",
            RequiredField::Ogrn => "ogrn",
            RequiredField::LegalAddress => "legal_address",
            RequiredField::Address => "address",
            RequiredField::Phone => "phone",
            RequiredField::Email => "email",
            RequiredField::Website => "website",
            RequiredField::Industry => "industry",
            RequiredField::Source => "source",
            RequiredField::Tags => "tags",
            RequiredField::Contact => "contact",
            RequiredField::ContactWithPosition => "contact_with_position",
            RequiredField::KeyPerson => "key_person",
            RequiredField::ContactBirthday => "contact_birthday",
        }
    }

    /// The field with this id.
    pub fn from_id(id: &str) -> Option<RequiredField> {
        RequiredField::ALL.into_iter().find(|f| f.id() == id)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of [`RequiredField`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FieldSet(u32);

impl FieldSet {
    /// No field.
    pub const EMPTY: FieldSet = FieldSet(0);

    /// The set of these fields.
    pub fn of(fields: impl IntoIterator<Item = RequiredField>) -> FieldSet {
        let mut s = FieldSet::EMPTY;
        for f in fields {
            s.insert(f);
        }
        s
    }

    /// Adds a field.
    pub fn insert(&mut self, f: RequiredField) {
        self.0 |= f.bit();
    }

    /// Whether the field is in the set.
    pub fn contains(self, f: RequiredField) -> bool {
        self.0 & f.bit() != 0
    }

    /// How many fields.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether there is no field.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The fields of `self` that `other` lacks.
    pub fn without(self, other: FieldSet) -> FieldSet {
        FieldSet(self.0 & !other.0)
    }

    /// The fields of both.
    pub fn and(self, other: FieldSet) -> FieldSet {
        FieldSet(self.0 & other.0)
    }

    /// The fields, in [`RequiredField::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = RequiredField> {
        RequiredField::ALL
            .into_iter()
            .filter(move |f| self.contains(*f))
    }

    /// What a card has filled of every field that can be required.
    pub fn filled(doc: &ClientDoc) -> FieldSet {
        use RequiredField as F;
        let card = &doc.card;
        let has = |s: &str| !s.trim().is_empty();
        let mut s = FieldSet::EMPTY;
        let mut set = |f, yes: bool| {
            if yes {
                s.insert(f);
            }
        };
        let inn = card.inn.trim();
        let sole_trader = is_sole_trader(&card.legal_form)
            || (inn.len() == 12 && inn.bytes().all(|b| b.is_ascii_digit()));
        let contacts = || doc.contacts.values().filter(|c| has(&c.full_name));
        set(F::LegalForm, has(&card.legal_form));
        set(F::Inn, has(inn));
        set(F::Kpp, has(&card.kpp) || sole_trader);
        set(F::Ogrn, has(&card.ogrn));
        set(
            F::LegalAddress,
            card.addresses
                .values()
                .any(|a| a.kind == AddressKind::Legal && has(&a.text)),
        );
        set(F::Address, card.addresses.values().any(|a| has(&a.text)));
        set(
            F::Phone,
            card.phones.values().any(|p| has(&p.number))
                || contacts().any(|c| c.phones.values().any(|p| has(&p.number))),
        );
        set(
            F::Email,
            card.emails.values().any(|e| has(&e.address))
                || contacts().any(|c| c.emails.values().any(|e| has(&e.address))),
        );
        set(F::Website, has(&card.website));
        set(F::Industry, has(&card.industry));
        set(F::Source, has(&card.source));
        set(F::Tags, card.tags.values().any(|&on| on));
        set(F::Contact, contacts().next().is_some());
        set(F::ContactWithPosition, contacts().any(|c| has(&c.position)));
        set(F::KeyPerson, contacts().any(|c| c.key_person));
        set(F::ContactBirthday, contacts().any(|c| c.birthday.is_some()));
        s
    }
}

/// What a card lacks of the fields required for its status, in the
/// settings' order (empty: the card is complete).
pub fn missing(required: FieldSet, filled: FieldSet) -> Vec<RequiredField> {
    required.without(filled).iter().collect()
}

/// Required fields filled, as a share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fill {
    /// Cards counted.
    pub cards: u32,
    /// Cards missing at least one required field.
    pub incomplete: u32,
    /// Required fields over all the cards counted.
    pub required: u64,
    /// Of those, the ones filled.
    pub filled: u64,
}

impl Fill {
    fn add(&mut self, required: FieldSet, filled: FieldSet) {
        let have = required.and(filled).len();
        self.cards += 1;
        self.required += u64::from(required.len());
        self.filled += u64::from(have);
        if have < required.len() {
            self.incomplete += 1;
        }
    }

    /// The share of required fields filled, in percent; `None` when
    /// nothing is required of these cards.
    pub fn percent(&self) -> Option<f64> {
        (self.required > 0).then(|| self.filled as f64 * 100.0 / self.required as f64)
    }
}

/// One card for the quality report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityRow<'a> {
    pub client: &'a ClientId,
    pub status: &'a StatusId,
    pub manager: Option<&'a UserId>,
    /// [`FieldSet::filled`] of the card.
    pub filled: FieldSet,
}

/// An incomplete card and what it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    pub client: ClientId,
    pub status: StatusId,
    pub manager: Option<UserId>,
    pub missing: Vec<RequiredField>,
}

/// The base quality report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QualityReport {
    pub overall: Fill,
    pub by_status: BTreeMap<StatusId, Fill>,
    /// By responsible manager; `None` for clients with no manager.
    pub by_manager: BTreeMap<Option<UserId>, Fill>,
    /// Cards missing a required field, the most missing first, then by id.
    pub incomplete: Vec<Incomplete>,
}

/// The quality of these cards; `required` gives the fields required for a
/// status (see [`crate::workspace::reports::QualitySettings::required_for`]).
pub fn quality_report<'a>(
    rows: impl IntoIterator<Item = QualityRow<'a>>,
    required: impl Fn(&StatusId) -> FieldSet,
) -> QualityReport {
    let mut report = QualityReport::default();
    // Keyed by reference while counting: no id is cloned per card.
    let mut by_status: BTreeMap<&StatusId, (FieldSet, Fill)> = BTreeMap::new();
    let mut by_manager: BTreeMap<Option<&UserId>, Fill> = BTreeMap::new();
    for row in rows {
        let (need, fill) = by_status
            .entry(row.status)
            .or_insert_with(|| (required(row.status), Fill::default()));
        let need = *need;
        fill.add(need, row.filled);
        report.overall.add(need, row.filled);
        by_manager
            .entry(row.manager)
            .or_default()
            .add(need, row.filled);
        let lacks = need.without(row.filled);
        if !lacks.is_empty() {
            report.incomplete.push(Incomplete {
                client: row.client.clone(),
                status: row.status.clone(),
                manager: row.manager.cloned(),
                missing: lacks.iter().collect(),
            });
        }
    }
    report.by_status = by_status
        .into_iter()
        .map(|(s, (_, f))| (s.clone(), f))
        .collect();
    report.by_manager = by_manager
        .into_iter()
        .map(|(m, f)| (m.cloned(), f))
        .collect();
    report.incomplete.sort_by(|a, b| {
        b.missing
            .len()
            .cmp(&a.missing.len())
            .then_with(|| a.client.cmp(&b.client))
    });
    report
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::{Address, Card, Contact, EmailEntry, PhoneEntry};
    use crate::date::Timestamp;

    fn doc(card: Card) -> ClientDoc {
        ClientDoc::new(
            ClientId("c1".into()),
            card,
            None,
            &UserId::random(),
            Timestamp(1),
        )
    }

    fn contact(name: &str, position: &str) -> Contact {
        Contact {
            id: name.into(),
            full_name: name.into(),
            position: position.into(),
            ..Contact::default()
        }
    }

    #[test]
    fn field_ids_read_back() {
        for f in RequiredField::ALL {
            assert_eq!(RequiredField::from_id(f.id()), Some(f));
        }
        assert_eq!(RequiredField::from_id("shoe_size"), None);
    }

    #[test]
    fn an_empty_card_has_nothing_filled_and_a_full_one_everything() {
        let empty = doc(Card {
            name: "Вектор".into(),
            ..Card::default()
        });
        assert_eq!(FieldSet::filled(&empty), FieldSet::EMPTY);

        let mut full = doc(Card {
            name: "Вектор".into(),
            legal_form: "ООО".into(),
            inn: "7707083893".into(),
            kpp: "773601001".into(),
            ogrn: "1027700132195".into(),
            website: "vector.ru".into(),
            industry: "Машиностроение".into(),
            source: "Выставка".into(),
            ..Card::default()
        });
        full.card.tags.insert("vip".into(), true);
        full.card.addresses.insert(
            "a".into(),
            Address {
                id: "a".into(),
                kind: AddressKind::Legal,
                text: "Москва, ул. Вавилова, 19".into(),
                added: Timestamp(1),
            },
        );
        let mut boss = contact("Иванов Иван", "Директор");
        boss.key_person = true;
        boss.birthday = crate::date::Date::from_ymd(1980, 1, 2);
        boss.phones.insert(
            "p".into(),
            PhoneEntry {
                id: "p".into(),
                number: "+7 495 925-05-31".into(),
                ..PhoneEntry::default()
            },
        );
        boss.emails.insert(
            "e".into(),
            EmailEntry {
                id: "e".into(),
                address: "ivanov@vector.ru".into(),
                ..EmailEntry::default()
            },
        );
        full.contacts.insert("k".into(), boss);
        assert_eq!(FieldSet::filled(&full), FieldSet::of(RequiredField::ALL));
    }

    #[test]
    fn a_contacts_phone_counts_as_a_phone_and_a_sole_trader_needs_no_kpp() {
        let mut d = doc(Card {
            name: "Иванов Иван Иванович".into(),
            legal_form: "ИП".into(),
            inn: "500100732259".into(),
            ..Card::default()
        });
        let mut c = contact("Иванов Иван", "");
        c.phones.insert(
            "p".into(),
            PhoneEntry {
                id: "p".into(),
                number: "8 916 123 45 67".into(),
                ..PhoneEntry::default()
            },
        );
        d.contacts.insert("k".into(), c);
        let filled = FieldSet::filled(&d);
        assert!(filled.contains(RequiredField::Phone));
        assert!(filled.contains(RequiredField::Kpp));
        assert!(filled.contains(RequiredField::Contact));
        assert!(!filled.contains(RequiredField::ContactWithPosition));
        // A contact with no name is not a contact person yet, and blank
        // text is not filled.
        let mut d = doc(Card {
            name: "Вектор".into(),
            inn: "  ".into(),
            ..Card::default()
        });
        d.contacts.insert("k".into(), contact(" ", "Директор"));
        assert_eq!(FieldSet::filled(&d), FieldSet::EMPTY);
    }

    #[test]
    fn what_is_missing_is_listed_in_the_settings_order() {
        use RequiredField as F;
        let required = FieldSet::of([F::ContactWithPosition, F::Inn, F::Phone]);
        let filled = FieldSet::of([F::Phone, F::Website]);
        assert_eq!(missing(required, filled), [F::Inn, F::ContactWithPosition]);
        assert!(missing(required, FieldSet::of(F::ALL)).is_empty());
    }

    #[test]
    fn the_report_gives_the_share_filled_per_status_and_manager_and_the_incomplete_cards() {
        use RequiredField as F;
        let ids: Vec<ClientId> = (0..4).map(|n| ClientId(format!("c{n}"))).collect();
        let active = StatusId::new(StatusId::ACTIVE);
        let new = StatusId::new(StatusId::NEW);
        let alien = StatusId::new(StatusId::ALIEN);
        let (m1, m2) = (UserId("m1".into()), UserId("m2".into()));
        let full = FieldSet::of([F::Inn, F::Phone, F::ContactWithPosition]);
        let rows = vec![
            QualityRow {
                client: &ids[0],
                status: &active,
                manager: Some(&m1),
                filled: full,
            },
            QualityRow {
                client: &ids[1],
                status: &active,
                manager: Some(&m1),
                filled: FieldSet::of([F::Phone]),
            },
            QualityRow {
                client: &ids[2],
                status: &new,
                manager: Some(&m2),
                filled: FieldSet::EMPTY,
            },
            QualityRow {
                client: &ids[3],
                status: &alien,
                manager: None,
                filled: FieldSet::EMPTY,
            },
        ];
        let report = quality_report(rows, |s| match s.as_str() {
            StatusId::ACTIVE => full,
            StatusId::NEW => FieldSet::of([F::Phone]),
            _ => FieldSet::EMPTY,
        });
        let active_fill = report.by_status[&active];
        assert_eq!(
            (active_fill.cards, active_fill.required, active_fill.filled),
            (2, 6, 4)
        );
        assert!((active_fill.percent().unwrap() - 66.666).abs() < 0.01);
        assert_eq!(report.by_status[&new].percent(), Some(0.0));
        // Nothing required of an Alien: no share, and never incomplete.
        assert_eq!(report.by_status[&alien].percent(), None);
        assert_eq!(report.by_manager[&Some(m1.clone())].incomplete, 1);
        assert_eq!(report.by_manager[&None].cards, 1);
        assert_eq!(
            (
                report.overall.cards,
                report.overall.required,
                report.overall.filled
            ),
            (4, 7, 4)
        );
        let incomplete: Vec<(&str, Vec<F>)> = report
            .incomplete
            .iter()
            .map(|i| (i.client.as_str(), i.missing.clone()))
            .collect();
        assert_eq!(
            incomplete,
            [
                ("c1", vec![F::Inn, F::ContactWithPosition]),
                ("c2", vec![F::Phone])
            ]
        );
    }
}
