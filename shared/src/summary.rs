//! The read model of a client: the few fields the client list, the search
//! index and the rule engine need, cached on the device beside the
//! document so that start-up does not load every document.
//!
//! A summary is a pure function of the client document ([`ClientSummary::of`]),
//! so the relay and every device compute the same one.

use serde::{Deserialize, Serialize};

use crate::client::{AddressKind, AssignmentKind, ClientDoc, Interest, Money, Outcome};
use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};
use crate::rules::facts::ClientFacts;

/// What [`ClientSummary::of`] computes, as a number: raised whenever a
/// summary starts to carry something new (2: Interests and document
/// numbers; 3: which Interests the system created and when a person took
/// them up, the revenue, and deleted contacts, events, payments and
/// shipments left out; 4: industry, tags, city and the assignments'
/// log). Summaries stored under an older number are computed again
/// from their documents, on the relay at start and on a device in the
/// background, so nothing that came before is missing from them.
pub const SUMMARY_VERSION: u32 = 4;

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
    /// The sum of all the client's payments: what it brought (the dormant
    /// clients' page, SPEC 7).
    #[serde(rename = "rv", default, skip_serializing_if = "is_zero")]
    pub revenue: Money,
    /// What the rule engine needs: statuses and zones are computed from
    /// these on the device without opening the document. Stored compactly
    /// (dates as day numbers): they are most of a summary's size, and a
    /// device reads tens of thousands of summaries at start-up.
    #[serde(with = "compact_facts")]
    pub facts: ClientFacts,
    /// The client's Interests, for "My sales" and the funnel.
    #[serde(rename = "is", default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<InterestSummary>,
    /// Set for the document of a potential client's Interest: not a client,
    /// so lists, search and statuses leave it out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub potential: bool,
    /// Accounting document numbers of the payments and shipments, so that
    /// an import finds what it already added without opening documents.
    #[serde(rename = "pd", default, skip_serializing_if = "Vec::is_empty")]
    pub payment_documents: Vec<String>,
    #[serde(rename = "sd", default, skip_serializing_if = "Vec::is_empty")]
    pub shipment_documents: Vec<String>,
    /// The payments per calendar month (`year * 12 + month0`, the sum):
    /// the revenue of any period of whole months ([`Self::revenue_months`]).
    #[serde(rename = "rm", default, skip_serializing_if = "Vec::is_empty")]
    pub monthly_revenue: Vec<(i32, Money)>,
    /// The industry, as typed on the card (the list's filter).
    #[serde(rename = "ind", default, skip_serializing_if = "String::is_empty")]
    pub industry: String,
    /// The segment tags, sorted.
    #[serde(rename = "tg", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The city of the legal (else the first) address, if one can be read
    /// from it (see [`city_of`]).
    #[serde(rename = "ct", default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    /// Every assignment, oldest first: who gave the client to whom, how and
    /// when (notices, the exchange's "taken" lists).
    #[serde(rename = "as", default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<AssignmentSummary>,
}

/// An assignment, as the list and the notices need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    pub date: Date,
    /// `None`: given to no one (a pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserId>,
    pub kind: AssignmentKind,
    pub by: UserId,
    pub at: Timestamp,
}

/// The city named in an address: the word after "г." (or "город"), else
/// the first part between commas that is neither a postcode nor a street.
/// Empty when none can be told.
pub fn city_of(address: &str) -> String {
    let parts: Vec<&str> = address.split(',').map(str::trim).collect();
    for part in &parts {
        for prefix in ["г.", "г ", "город "] {
            if let Some(rest) = part.strip_prefix(prefix) {
                let name = rest.trim();
                if !name.is_empty() {
                    return name.to_owned();
                }
            }
        }
    }
    const STREET: [&str; 8] = ["ул.", "ул ", "улица", "пр.", "проспект", "пер.", "ш.", "д."];
    parts
        .iter()
        .find(|p| {
            !p.is_empty()
                && !p.chars().any(|c| c.is_ascii_digit())
                && !STREET.iter().any(|s| p.to_lowercase().starts_with(s))
                && !p.to_lowercase().contains("обл")
                && !p.to_lowercase().contains("край")
                && !p.to_lowercase().starts_with("республика")
        })
        .map(|p| (*p).to_owned())
        .unwrap_or_default()
}

/// The part of a summary only the sales pages need ("My sales", the
/// funnel, registration, the import, the sales settings): a device keeps
/// it apart from the rest and reads it when one of those pages opens, so
/// start-up reads only what the list, search and rules need.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SalesSummary {
    #[serde(rename = "is", default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<InterestSummary>,
    #[serde(rename = "pd", default, skip_serializing_if = "Vec::is_empty")]
    pub payment_documents: Vec<String>,
    #[serde(rename = "sd", default, skip_serializing_if = "Vec::is_empty")]
    pub shipment_documents: Vec<String>,
}

impl SalesSummary {
    pub fn is_empty(&self) -> bool {
        self.interests.is_empty()
            && self.payment_documents.is_empty()
            && self.shipment_documents.is_empty()
    }
}

/// What "My sales" and the funnel need of one Interest. Stored with short
/// keys and dates as day numbers: a device reads tens of thousands of
/// these at start-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterestSummary {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "c")]
    pub content: String,
    #[serde(rename = "t", default, skip_serializing_if = "String::is_empty")]
    pub service_type: String,
    #[serde(rename = "s")]
    pub scenario: String,
    #[serde(rename = "st")]
    pub state: String,
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<UserId>,
    #[serde(rename = "d", with = "day")]
    pub created: Date,
    #[serde(
        rename = "e",
        default,
        skip_serializing_if = "Option::is_none",
        with = "some_day"
    )]
    pub completed: Option<Date>,
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(rename = "why", default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(
        rename = "f",
        default,
        skip_serializing_if = "Option::is_none",
        with = "some_day"
    )]
    pub follow_up: Option<Date>,
    /// Every state the Interest was moved into, with the day, in order.
    #[serde(
        rename = "m",
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "day_moves"
    )]
    pub moves: Vec<(Date, String)>,
}

/// A date as its day number since 1970-01-01.
mod day {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::date::Date;

    pub fn number(d: Date) -> i32 {
        (d.naive() - chrono::NaiveDate::default()).num_days() as i32
    }

    pub fn date(n: i32) -> Date {
        Date(chrono::NaiveDate::default() + chrono::TimeDelta::days(i64::from(n)))
    }

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        number(*d).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        i32::deserialize(d).map(date)
    }
}

/// An optional date as an optional day number.
mod some_day {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::date::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        d.map(super::day::number).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<i32>::deserialize(d).map(|n| n.map(super::day::date))
    }
}

/// Moves as `[day number, state]` pairs.
mod day_moves {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::date::Date;

    pub fn serialize<S: Serializer>(m: &[(Date, String)], s: S) -> Result<S::Ok, S::Error> {
        let v: Vec<(i32, &str)> = m
            .iter()
            .map(|(d, st)| (super::day::number(*d), st.as_str()))
            .collect();
        v.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Date, String)>, D::Error> {
        Vec::<(i32, String)>::deserialize(d).map(|v| {
            v.into_iter()
                .map(|(n, st)| (super::day::date(n), st))
                .collect()
        })
    }
}

impl InterestSummary {
    /// The summary of one Interest.
    pub fn of(interest: &Interest) -> InterestSummary {
        let mut moves: Vec<_> = interest.transitions.values().collect();
        moves.sort_by_key(|t| (t.date, t.at));
        InterestSummary {
            id: interest.id.clone(),
            content: interest.content.clone(),
            service_type: interest.service_type.clone(),
            scenario: interest.scenario.clone(),
            state: interest.state.clone(),
            responsible: interest.responsible.clone(),
            created: interest.created,
            completed: interest.completed,
            outcome: interest.outcome,
            reason: interest.reason.clone(),
            follow_up: interest.follow_up,
            moves: moves.into_iter().map(|t| (t.date, t.to.clone())).collect(),
        }
    }

    /// Whether the Interest is still being worked on.
    pub fn is_open(&self) -> bool {
        self.completed.is_none()
    }
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
            doc.live_events().map(|e| e.at).max(),
            doc.live_payments().map(|p| p.at).max(),
            doc.live_shipments().map(|s| s.at).max(),
            doc.assignments.values().map(|a| a.at).max(),
            doc.manual_statuses.values().map(|m| m.at).max(),
            doc.interests.values().map(|i| i.created_at).max(),
            doc.requests.values().map(|r| r.at).max(),
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
            revenue: doc.revenue(),
            facts: doc.facts(),
            interests: {
                let mut v: Vec<_> = doc.interests.values().map(InterestSummary::of).collect();
                v.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
                v
            },
            potential: doc.potential.is_some(),
            // Deleted ones too: these numbers keep an import from adding
            // again what a person deleted (see `import::add_facts`).
            payment_documents: documents(doc.payments.values().map(|p| p.document.as_str())),
            shipment_documents: documents(doc.shipments.values().map(|s| s.document.as_str())),
            monthly_revenue: doc.monthly_revenue(),
            industry: doc.card.industry.trim().to_owned(),
            tags: doc
                .card
                .tags
                .iter()
                .filter(|&(_, &on)| on)
                .map(|(t, _)| t.clone())
                .collect(),
            city: {
                let mut addresses: Vec<_> = doc.card.addresses.values().collect();
                addresses.sort_by_key(|a| (a.kind != AddressKind::Legal, a.added, a.id.clone()));
                addresses
                    .iter()
                    .map(|a| city_of(&a.text))
                    .find(|c| !c.is_empty())
                    .unwrap_or_default()
            },
            assignments: {
                let mut v: Vec<_> = doc
                    .assignments
                    .values()
                    .map(|a| AssignmentSummary {
                        date: a.date,
                        manager: a.manager.clone(),
                        kind: a.kind,
                        by: a.by.clone(),
                        at: a.at,
                    })
                    .collect();
                v.sort_by_key(|a| (a.date, a.at));
                v
            },
        }
    }

    /// Takes the sales part out of the summary (see [`SalesSummary`]).
    pub fn take_sales(&mut self) -> SalesSummary {
        SalesSummary {
            interests: std::mem::take(&mut self.interests),
            payment_documents: std::mem::take(&mut self.payment_documents),
            shipment_documents: std::mem::take(&mut self.shipment_documents),
        }
    }

    /// Puts a sales part (back) into the summary.
    pub fn set_sales(&mut self, sales: SalesSummary) {
        self.interests = sales.interests;
        self.payment_documents = sales.payment_documents;
        self.shipment_documents = sales.shipment_documents;
    }

    /// The revenue of the `months` whole calendar months before the month
    /// of `as_of` (for 12 and a day in November 2026: November 2025 to
    /// October 2026, as SPEC 8 counts revenue).
    pub fn revenue_months(&self, as_of: chrono::NaiveDate, months: i32) -> Money {
        use chrono::Datelike;
        let current = as_of.year() * 12 + as_of.month0() as i32;
        Money(
            self.monthly_revenue
                .iter()
                .filter(|(m, _)| (current - months..current).contains(m))
                .fold(0i64, |sum, (_, s)| sum.saturating_add(s.0)),
        )
    }

    /// Whether this is a client of the base: not merged into another one
    /// and not a potential client's Interest.
    pub fn is_client(&self) -> bool {
        self.merged_into.is_none() && !self.potential
    }

    /// The name as the list shows it: legal form first, as people say it
    /// ("ООО «Вектор»").
    pub fn display_name(&self) -> String {
        display_name(&self.legal_form, &self.name)
    }
}

fn documents<'a>(numbers: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = numbers
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    v.sort();
    v.dedup();
    v
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

fn is_zero(m: &Money) -> bool {
    m.0 == 0
}

/// [`ClientFacts`] with dates as days since 1970-01-01: a third of the size
/// of ISO strings, and quicker to read.
mod compact_facts {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::client::Outcome;
    use crate::rules::config::StatusId;
    use crate::rules::facts::{AssignmentFact, ClientFacts, InterestFact, ManualStatus};

    fn epoch() -> NaiveDate {
        NaiveDate::default()
    }

    fn day(d: NaiveDate) -> i32 {
        (d - epoch()).num_days() as i32
    }

    fn date(n: i32) -> NaiveDate {
        epoch() + chrono::TimeDelta::days(i64::from(n))
    }

    fn days(v: &[NaiveDate]) -> Vec<i32> {
        v.iter().copied().map(day).collect()
    }

    fn dates(v: Vec<i32>) -> Vec<NaiveDate> {
        v.into_iter().map(date).collect()
    }

    /// `[created, completed or null, outcome: 1 success / 0 failure / null, [activity]]`
    type CompactInterest = (i32, Option<i32>, Option<u8>, Vec<i32>);

    #[derive(Serialize, Deserialize)]
    struct Compact {
        c: i32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        i: Vec<CompactInterest>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        p: Vec<i32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        s: Vec<i32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        e: Vec<i32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        a: Vec<(i32, Option<String>)>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        m: Vec<(i32, i64, String)>,
        /// The Interests the system created: `[index in i, taken up or
        /// null]` (apart, so that the usual Interest stays four numbers).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        w: Vec<(usize, Option<i32>)>,
    }

    pub fn serialize<S: Serializer>(f: &ClientFacts, s: S) -> Result<S::Ok, S::Error> {
        Compact {
            c: day(f.created),
            i: f.interests
                .iter()
                .map(|i| {
                    let outcome = i.outcome.map(|o| u8::from(o == Outcome::Success));
                    (
                        day(i.created),
                        i.completed.map(day),
                        outcome,
                        days(&i.activity),
                    )
                })
                .collect(),
            p: days(&f.payments),
            s: days(&f.shipments),
            e: days(&f.events),
            a: f.assignments
                .iter()
                .map(|a| (day(a.date), a.manager.clone()))
                .collect(),
            m: f.manual_statuses
                .iter()
                .map(|m| (day(m.date), m.at, m.status.to_string()))
                .collect(),
            w: f.interests
                .iter()
                .enumerate()
                .filter(|(_, i)| i.automatic)
                .map(|(n, i)| (n, i.taken_up.map(day)))
                .collect(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ClientFacts, D::Error> {
        let c = Compact::deserialize(d)?;
        let mut facts = ClientFacts {
            created: date(c.c),
            interests: c
                .i
                .into_iter()
                .map(|(created, completed, outcome, activity)| InterestFact {
                    created: date(created),
                    completed: completed.map(date),
                    outcome: outcome.map(|o| {
                        if o == 1 {
                            Outcome::Success
                        } else {
                            Outcome::Failure
                        }
                    }),
                    activity: dates(activity),
                    automatic: false,
                    taken_up: None,
                })
                .collect(),
            payments: dates(c.p),
            shipments: dates(c.s),
            events: dates(c.e),
            assignments: c
                .a
                .into_iter()
                .map(|(d, manager)| AssignmentFact {
                    date: date(d),
                    manager,
                })
                .collect(),
            manual_statuses: c
                .m
                .into_iter()
                .map(|(d, at, status)| ManualStatus {
                    date: date(d),
                    at,
                    status: StatusId::new(status),
                })
                .collect(),
        };
        for (n, taken_up) in c.w {
            let interest = facts.interests.get_mut(n).ok_or_else(|| {
                <D::Error as serde::de::Error>::custom(format!(
                    "automatic Interest {n} is not in the list"
                ))
            })?;
            interest.automatic = true;
            interest.taken_up = taken_up.map(date);
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_reads_back_as_written_with_every_fact() {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        for client in crate::demo::generate(50, today, 3).clients {
            let summary = ClientSummary::of(&client);
            let json = serde_json::to_string(&summary).expect("serialise");
            let back: ClientSummary = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, summary);
            assert_eq!(back.facts, client.facts());
        }
    }

    #[test]
    fn the_sales_part_stored_apart_joins_back_into_the_same_summary() {
        let today = Date::from_ymd(2026, 11, 22).expect("date");
        let clients = crate::demo::generate(50, today, 3).clients;
        assert!(clients.iter().any(|c| !c.interests.is_empty()));
        for client in clients {
            let whole = ClientSummary::of(&client);
            let mut list = whole.clone();
            let sales = list.take_sales();
            assert_eq!(
                sales.is_empty(),
                client.interests.is_empty()
                    && client.payments.is_empty()
                    && client.shipments.is_empty()
            );
            let list_json = serde_json::to_string(&list).expect("serialise");
            let sales_json = serde_json::to_string(&sales).expect("serialise");
            for key in ["\"is\"", "\"pd\"", "\"sd\""] {
                assert!(!list_json.contains(key), "{key} stays out of the list part");
            }
            let mut back: ClientSummary = serde_json::from_str(&list_json).expect("deserialise");
            back.set_sales(serde_json::from_str(&sales_json).expect("deserialise"));
            assert_eq!(back, whole);
            // A summary stored whole (by an earlier version) still reads
            // with its sales part.
            let old: ClientSummary =
                serde_json::from_str(&serde_json::to_string(&whole).expect("serialise"))
                    .expect("deserialise");
            assert_eq!(old, whole);
        }
    }

    #[test]
    fn the_city_is_read_from_the_address_as_people_write_it() {
        assert_eq!(
            city_of("123456, г. Казань, ул. Баумана, д. 5, оф. 3"),
            "Казань"
        );
        assert_eq!(city_of("город Тверь, пр. Ленина 1"), "Тверь");
        assert_eq!(city_of("Московская обл., Химки, ул. Мира, 7"), "Химки");
        assert_eq!(city_of("ул. Мира, 7"), "");
        assert_eq!(city_of(""), "");
    }

    #[test]
    fn revenue_counts_the_whole_months_before_the_current_one() {
        let mut s = ClientSummary::of(&ClientDoc::new(
            crate::ids::ClientId::random(),
            crate::client::Card::default(),
            None,
            &UserId("u".into()),
            Timestamp(0),
        ));
        let month = |y: i32, m0: i32| y * 12 + m0;
        s.monthly_revenue = vec![
            (month(2025, 9), Money(1)),     // October 2025: too old
            (month(2025, 10), Money(10)),   // November 2025
            (month(2026, 9), Money(100)),   // October 2026
            (month(2026, 10), Money(1000)), // November 2026: the current month
        ];
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
        assert_eq!(s.revenue_months(as_of, 12), Money(110));
    }
}
