//! The fast path of reading a facts file: serde straight into one vector
//! per kind of fact, each client holding ranges into them, with strings
//! borrowed from the input. A base of 100,000 clients then costs a handful
//! of allocations instead of millions, which is most of the parsing time
//! that serde_json's scanning leaves.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::quoted;
use crate::client::Outcome;

/// A parsed facts file.
#[derive(Default)]
pub(super) struct Parsed<'a> {
    pub settings: RawSettings,
    pub clients: Vec<RawClient<'a>>,
    pub interests: Vec<RawInterest>,
    pub payments: Vec<NaiveDate>,
    /// Each payment's amount in roubles, beside `payments` (same indices);
    /// only `--classes` reads them.
    pub payment_amounts: Vec<Option<f64>>,
    pub shipments: Vec<NaiveDate>,
    pub events: Vec<NaiveDate>,
    pub assignments: Vec<RawAssignment<'a>>,
    pub manual_statuses: Vec<RawManual<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub status_period_days: Option<u32>,
    pub zone_months: Option<[u32; 3]>,
    pub abc_percent: Option<[u32; 2]>,
    pub xyz_percent: Option<[u32; 2]>,
}

/// One client; the ranges index the vectors of [`Parsed`].
pub(super) struct RawClient<'a> {
    pub id: Cow<'a, str>,
    pub created: NaiveDate,
    pub responsible: Option<Cow<'a, str>>,
    pub interests: Range<usize>,
    pub payments: Range<usize>,
    pub shipments: Range<usize>,
    pub events: Range<usize>,
    pub assignments: Range<usize>,
    pub manual_statuses: Range<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInterest {
    #[serde(default, rename = "id")]
    _id: Option<Unused<AnyString>>,
    pub created: Day,
    #[serde(default)]
    pub completed: Option<Day>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The system created it (SPEC 10): it counts from `taken_up`.
    #[serde(default)]
    pub automatic: bool,
    #[serde(default)]
    pub taken_up: Option<Day>,
}

/// A payment: its amount is kept for `--classes`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPayment {
    pub date: Day,
    #[serde(default)]
    pub amount: Option<f64>,
}

/// A shipment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMoneyFact {
    pub date: Day,
    #[serde(default, rename = "amount")]
    _amount: Option<Unused<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEvent {
    pub date: Day,
    #[serde(default, rename = "kind")]
    _kind: Option<Unused<AnyString>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAssignment<'a> {
    pub date: Day,
    #[serde(default, borrow)]
    pub manager: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManual<'a> {
    pub date: Day,
    #[serde(borrow)]
    pub status: Cow<'a, str>,
}

/// Parses a whole facts file.
pub(super) fn parse(input: &str) -> Result<Parsed<'_>, serde_json::Error> {
    let mut parsed = Parsed::default();
    let mut de = serde_json::Deserializer::from_str(input);
    FileSeed(&mut parsed).deserialize(&mut de)?;
    de.end()?;
    Ok(parsed)
}

/// A calendar date written `YYYY-MM-DD`, parsed without allocating.
#[derive(Debug, Clone, Copy)]
pub(super) struct Day(pub NaiveDate);

fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DayVisitor;
        impl Visitor<'_> for DayVisitor {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Day, E> {
                parse_day(s).map(Day).ok_or_else(|| {
                    E::custom(format!("bad date {}, expected YYYY-MM-DD", quoted(s)))
                })
            }
        }
        d.deserialize_str(DayVisitor)
    }
}

/// A field that must be present with the right type but that evaluation
/// does not use (amounts, kinds, Interest ids).
pub(super) struct Unused<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Unused<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|_| Unused(PhantomData))
    }
}

/// Any string, read without keeping (or allocating) it.
pub(super) struct AnyString;

impl<'de> Deserialize<'de> for AnyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl Visitor<'_> for StrVisitor {
            type Value = AnyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyString, E> {
                Ok(AnyString)
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

/// A string borrowed from the input when it has no escapes. (`Cow`'s own
/// `Deserialize` always copies; derived structs borrow through
/// `#[serde(borrow)]`, hand-written visitors need this.)
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// Stores a field's value, refusing a second one.
fn once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum FileField {
    Settings,
    Clients,
}

/// The top-level object.
struct FileSeed<'p, 'a>(&'p mut Parsed<'a>);

impl<'a> DeserializeSeed<'a> for FileSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_struct("facts file", &["settings", "clients"], self)
    }
}

impl<'a> Visitor<'a> for FileSeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with settings and clients")
    }
    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut settings, mut clients) = (None, None);
        while let Some(key) = map.next_key()? {
            match key {
                FileField::Settings => once(&mut settings, "settings", map.next_value()?)?,
                FileField::Clients => {
                    once(&mut clients, "clients", ())?;
                    map.next_value_seed(ClientsSeed(&mut *self.0))?;
                }
            }
        }
        clients.ok_or_else(|| de::Error::missing_field("clients"))?;
        self.0.settings = settings.unwrap_or_default();
        Ok(())
    }
}

/// The `clients` array.
struct ClientsSeed<'p, 'a>(&'p mut Parsed<'a>);

impl<'a> DeserializeSeed<'a> for ClientsSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'a> Visitor<'a> for ClientsSeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of clients")
    }
    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(ClientSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum ClientField {
    Id,
    Created,
    Responsible,
    Interests,
    Payments,
    Shipments,
    Events,
    Assignments,
    ManualStatuses,
}

const CLIENT_FIELDS: &[&str] = &[
    "id",
    "created",
    "responsible",
    "interests",
    "payments",
    "shipments",
    "events",
    "assignments",
    "manual_statuses",
];

/// One client object, its facts appended to the shared vectors.
struct ClientSeed<'p, 'a>(&'p mut Parsed<'a>);

impl<'a> DeserializeSeed<'a> for ClientSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_struct("client", CLIENT_FIELDS, self)
    }
}

impl<'a> Visitor<'a> for ClientSeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a client object")
    }
    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let p = self.0;
        let (mut id, mut created, mut responsible) = (None, None, None);
        let (mut interests, mut payments, mut shipments) = (None, None, None);
        let (mut events, mut assignments, mut manual) = (None, None, None);
        while let Some(key) = map.next_key()? {
            match key {
                ClientField::Id => once(&mut id, "id", map.next_value::<Text<'a>>()?.0)?,
                ClientField::Created => {
                    once(&mut created, "created", map.next_value::<Day>()?.0)?;
                }
                ClientField::Responsible => {
                    let value = map.next_value::<Option<Text<'a>>>()?.map(|t| t.0);
                    once(&mut responsible, "responsible", value)?;
                }
                ClientField::Interests => {
                    let range = map.next_value_seed(Extend::new(&mut p.interests, |i| i))?;
                    once(&mut interests, "interests", range)?;
                }
                ClientField::Payments => {
                    let amounts = &mut p.payment_amounts;
                    let range =
                        map.next_value_seed(Extend::new(&mut p.payments, |f: RawPayment| {
                            amounts.push(f.amount);
                            f.date.0
                        }))?;
                    once(&mut payments, "payments", range)?;
                }
                ClientField::Shipments => {
                    let range = map
                        .next_value_seed(Extend::new(&mut p.shipments, |f: RawMoneyFact| {
                            f.date.0
                        }))?;
                    once(&mut shipments, "shipments", range)?;
                }
                ClientField::Events => {
                    let range =
                        map.next_value_seed(Extend::new(&mut p.events, |e: RawEvent| e.date.0))?;
                    once(&mut events, "events", range)?;
                }
                ClientField::Assignments => {
                    let range = map.next_value_seed(Extend::new(&mut p.assignments, |a| a))?;
                    once(&mut assignments, "assignments", range)?;
                }
                ClientField::ManualStatuses => {
                    let range = map.next_value_seed(Extend::new(&mut p.manual_statuses, |m| m))?;
                    once(&mut manual, "manual_statuses", range)?;
                }
            }
        }
        p.clients.push(RawClient {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            created: created.ok_or_else(|| de::Error::missing_field("created"))?,
            responsible: responsible.flatten(),
            interests: interests.unwrap_or_default(),
            payments: payments.unwrap_or_default(),
            shipments: shipments.unwrap_or_default(),
            events: events.unwrap_or_default(),
            assignments: assignments.unwrap_or_default(),
            manual_statuses: manual.unwrap_or_default(),
        });
        Ok(())
    }
}

/// An array whose items, read as `T`, are appended to `into` as `U`; the
/// value is the range they took.
struct Extend<'v, T, U, F> {
    into: &'v mut Vec<U>,
    convert: F,
    item: PhantomData<fn() -> T>,
}

impl<'v, T, U, F: FnMut(T) -> U> Extend<'v, T, U, F> {
    fn new(into: &'v mut Vec<U>, convert: F) -> Self {
        Extend {
            into,
            convert,
            item: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>, U, F: FnMut(T) -> U> DeserializeSeed<'de> for Extend<'_, T, U, F> {
    type Value = Range<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Range<usize>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>, U, F: FnMut(T) -> U> Visitor<'de> for Extend<'_, T, U, F> {
    type Value = Range<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Range<usize>, A::Error> {
        let start = self.into.len();
        while let Some(item) = seq.next_element::<T>()? {
            self.into.push((self.convert)(item));
        }
        Ok(start..self.into.len())
    }
}
