//! The facts file of `kartoteka evaluate` (SPEC 10): parsing it strictly,
//! evaluating every client's status and zone, and writing the result, so
//! that the engine can be checked against independent implementations.
//!
//! Parsing is typed serde with borrowed strings, because it dominates the
//! time on a large base. When it fails, the input is parsed again, slowly,
//! as a `serde_json::Value` to find the client and the field to blame: serde
//! alone would only give a line and a column.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::Outcome;
use crate::rules::config::{ConfigError, RuleSet, StatusConfig, StatusId, ZoneThresholds};
use crate::rules::facts::{AssignmentFact, ClientFacts, FactsError, InterestFact, ManualStatus};
use crate::rules::status::Engine;
use crate::rules::zone::{Zone, zone_with};

/// Which client an error is about: its id, or its position when it has no
/// usable id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRef {
    Id(String),
    Index(usize),
}

impl fmt::Display for ClientRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientRef::Id(id) => write!(f, "client {}", quoted(id)),
            ClientRef::Index(i) => write!(f, "clients[{i}]"),
        }
    }
}

/// A string as a JSON literal, so that odd ids print unambiguously.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Why a facts file cannot be evaluated. The message names the client and
/// the field, e.g. `client "c7": manual_statuses[0].status: unknown status
/// "foo"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    /// Not JSON at all (serde_json's message has the line and column).
    #[error("the input is not valid JSON: {0}")]
    Json(String),
    /// Valid JSON that the field checks could not place (a field given
    /// twice in one object); serde_json's message has the position.
    #[error("the input does not match the facts format: {0}")]
    Format(String),
    /// Outside any client: the top level or `settings`.
    #[error("{field}: {message}")]
    Input { field: String, message: String },
    /// In one client.
    #[error("{client}: {field}: {message}")]
    Client {
        client: ClientRef,
        field: String,
        message: String,
    },
}

/// A calendar date written `YYYY-MM-DD`, parsed without allocating.
#[derive(Debug, Clone, Copy)]
struct Day(NaiveDate);

fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
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
struct Unused<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Unused<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|_| Unused(PhantomData))
    }
}

/// Any string, read without keeping (or allocating) it.
struct AnyString;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput<'a> {
    #[serde(default)]
    settings: RawSettings,
    #[serde(borrow)]
    clients: Vec<RawClient<'a>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    status_period_days: Option<u32>,
    zone_months: Option<[u32; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    created: Day,
    #[serde(default, borrow)]
    responsible: Option<Cow<'a, str>>,
    #[serde(default)]
    interests: Vec<RawInterest>,
    #[serde(default)]
    payments: Vec<RawMoneyFact>,
    #[serde(default)]
    shipments: Vec<RawMoneyFact>,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default, borrow)]
    assignments: Vec<RawAssignment<'a>>,
    #[serde(default, borrow)]
    manual_statuses: Vec<RawManual<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterest {
    #[serde(default, rename = "id")]
    _id: Option<Unused<AnyString>>,
    created: Day,
    #[serde(default)]
    completed: Option<Day>,
    #[serde(default)]
    outcome: Option<Outcome>,
}

/// A payment or a shipment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMoneyFact {
    date: Day,
    #[serde(default, rename = "amount")]
    _amount: Option<Unused<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    date: Day,
    #[serde(default, rename = "kind")]
    _kind: Option<Unused<AnyString>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssignment<'a> {
    date: Day,
    #[serde(default, borrow)]
    manager: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManual<'a> {
    date: Day,
    #[serde(borrow)]
    status: Cow<'a, str>,
}

/// A parsed facts file, borrowing its strings from the input text.
pub struct EvaluateInput<'a> {
    settings: RawSettings,
    clients: Vec<RawClient<'a>>,
}

impl fmt::Debug for EvaluateInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvaluateInput")
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

/// One client's result (SPEC 10). Every field is `None` for a client
/// created after the evaluation date: it did not exist yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluated {
    #[serde(skip)]
    pub id: String,
    pub status: Option<StatusId>,
    pub status_since: Option<NaiveDate>,
    /// `"new"`, `"manual"` or the id of the rule that set the status.
    pub rule: Option<String>,
    pub zone: Option<Zone>,
    pub responsible: Option<String>,
}

impl<'a> EvaluateInput<'a> {
    /// Parses a facts file: unknown fields, bad dates and wrong types are
    /// errors naming the client and the field.
    pub fn parse(input: &'a str) -> Result<EvaluateInput<'a>, EvaluateError> {
        match serde_json::from_str::<RawInput<'a>>(input) {
            Ok(raw) => Ok(EvaluateInput {
                settings: raw.settings,
                clients: raw.clients,
            }),
            Err(e) => Err(locate(input, &e)),
        }
    }

    /// How many clients the file has.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether the file has no clients.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The rule set of the file's settings: the default statuses with its
    /// period and zone thresholds.
    pub fn rules(&self) -> Result<RuleSet, EvaluateError> {
        let mut config = StatusConfig::default();
        if let Some(days) = self.settings.status_period_days {
            config = config.with_period(days);
        }
        if let Some([yellow, red, exchange]) = self.settings.zone_months {
            config.zones = ZoneThresholds {
                yellow,
                red,
                exchange,
            };
        }
        RuleSet::new(&config).map_err(|e| EvaluateError::Input {
            field: match e {
                ConfigError::ZoneThresholds { .. } => "settings.zone_months",
                _ => "settings",
            }
            .to_owned(),
            message: e.to_string(),
        })
    }

    /// Every client's status and zone on `as_of`, in input order. Duplicate
    /// ids, unknown statuses and manual settings before the creation are
    /// errors.
    pub fn evaluate(&self, as_of: NaiveDate) -> Result<Vec<Evaluated>, EvaluateError> {
        let rules = self.rules()?;
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(self.clients.len());
        for (i, c) in self.clients.iter().enumerate() {
            if let Some(first) = seen.insert(&c.id, i) {
                return Err(EvaluateError::Client {
                    client: ClientRef::Id(c.id.to_string()),
                    field: "id".to_owned(),
                    message: format!("duplicate client id, also clients[{first}]"),
                });
            }
        }
        let mut engine = Engine::new(&rules);
        let mut facts = ClientFacts::new(as_of);
        let mut walk = Vec::new();
        let mut out = Vec::with_capacity(self.clients.len());
        for c in &self.clients {
            fill(&mut facts, c);
            let exists = engine.run(&facts, as_of).map_err(|e| {
                let (field, message) = match e {
                    FactsError::UnknownStatus { index, status } => (
                        format!("manual_statuses[{index}].status"),
                        format!("unknown status {}", quoted(status.as_str())),
                    ),
                    FactsError::ManualBeforeCreation {
                        index,
                        date,
                        created,
                    } => (
                        format!("manual_statuses[{index}].date"),
                        format!("{date} is before the client was created on {created}"),
                    ),
                };
                EvaluateError::Client {
                    client: ClientRef::Id(c.id.to_string()),
                    field,
                    message,
                }
            })?;
            let mut result = Evaluated {
                id: c.id.to_string(),
                status: None,
                status_since: None,
                rule: None,
                zone: None,
                responsible: None,
            };
            if exists && let Some((status, since, rule)) = engine.current() {
                result.status = Some(status.clone());
                result.status_since = Some(since);
                result.rule = Some(rule.to_owned());
                if let Some(z) = zone_with(&facts, rules.zones(), as_of, &mut walk) {
                    result.zone = z.zone;
                    result.responsible = z.responsible;
                }
            }
            out.push(result);
        }
        Ok(out)
    }
}

/// Refills `facts` from a parsed client, reusing its buffers.
fn fill(facts: &mut ClientFacts, c: &RawClient<'_>) {
    facts.created = c.created.0;
    facts.interests.clear();
    facts
        .interests
        .extend(c.interests.iter().map(|i| InterestFact {
            created: i.created.0,
            completed: i.completed.map(|d| d.0),
            outcome: i.outcome,
            activity: Vec::new(),
        }));
    facts.payments.clear();
    facts.payments.extend(c.payments.iter().map(|p| p.date.0));
    facts.shipments.clear();
    facts.shipments.extend(c.shipments.iter().map(|s| s.date.0));
    facts.events.clear();
    facts.events.extend(c.events.iter().map(|e| e.date.0));
    facts.assignments.clear();
    // `responsible` is an assignment on the creation date, listed first so
    // that an explicit assignment of the same day wins.
    if let Some(r) = &c.responsible {
        facts.assignments.push(AssignmentFact {
            date: c.created.0,
            manager: Some(r.to_string()),
        });
    }
    facts
        .assignments
        .extend(c.assignments.iter().map(|a| AssignmentFact {
            date: a.date.0,
            manager: a.manager.as_ref().map(|m| m.to_string()),
        }));
    facts.manual_statuses.clear();
    facts
        .manual_statuses
        .extend(c.manual_statuses.iter().map(|m| ManualStatus {
            date: m.date.0,
            // No time of day in the file: same-day settings apply in the
            // listed order.
            at: 0,
            status: StatusId::from(m.status.as_ref()),
        }));
}

/// Parses and evaluates a facts file.
pub fn evaluate_value(input: &str, as_of: NaiveDate) -> Result<Vec<Evaluated>, EvaluateError> {
    EvaluateInput::parse(input)?.evaluate(as_of)
}

/// Parses and evaluates a facts file and writes the result as SPEC 10's
/// JSON object keyed by client id.
pub fn evaluate_json(input: &str, as_of: NaiveDate) -> Result<String, EvaluateError> {
    Ok(to_json(&evaluate_value(input, as_of)?))
}

/// The JSON object of SPEC 10, one client per line, in input order.
pub fn to_json(results: &[Evaluated]) -> String {
    let mut out = String::with_capacity(results.len() * 120 + 4);
    out.push('{');
    for (i, r) in results.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        out.push_str(&quoted(&r.id));
        out.push_str(": ");
        out.push_str(&serde_json::to_string(r).expect("a result has string keys and plain values"));
    }
    out.push_str(if results.is_empty() { "}\n" } else { "\n}\n" });
    out
}

/// What is wrong and where, relative to the value being checked.
struct Problem {
    path: String,
    message: String,
}

impl Problem {
    fn here(message: impl Into<String>) -> Problem {
        Problem {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The same problem seen from the parent: `key` (a field name or
    /// `[i]`) goes in front of the path.
    fn under(mut self, key: &str) -> Problem {
        self.path = match self.path.as_str() {
            "" => key.to_owned(),
            p if p.starts_with('[') => format!("{key}{p}"),
            p => format!("{key}.{p}"),
        };
        self
    }
}

type Check = fn(&Value) -> Result<(), Problem>;

/// Checks a value against a field type of the fast parser.
fn typed<T: de::DeserializeOwned>(v: &Value) -> Result<(), Problem> {
    T::deserialize(v)
        .map(drop)
        .map_err(|e| Problem::here(e.to_string()))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks an object's fields: (name, required, check).
fn object(v: &Value, fields: &[(&str, bool, Check)]) -> Result<(), Problem> {
    let Value::Object(map) = v else {
        return Err(Problem::here(format!(
            "expected an object, found {}",
            kind(v)
        )));
    };
    if let Some(key) = map.keys().find(|k| !fields.iter().any(|f| f.0 == *k)) {
        let known: Vec<&str> = fields.iter().map(|f| f.0).collect();
        return Err(Problem::here(format!(
            "unknown field, expected one of {}",
            known.join(", ")
        ))
        .under(key));
    }
    for &(name, required, check) in fields {
        match map.get(name) {
            None if required => return Err(Problem::here("missing field").under(name)),
            None => {}
            Some(value) => check(value).map_err(|p| p.under(name))?,
        }
    }
    Ok(())
}

fn list(v: &Value, item: Check) -> Result<(), Problem> {
    let Value::Array(items) = v else {
        return Err(Problem::here(format!(
            "expected an array, found {}",
            kind(v)
        )));
    };
    for (i, value) in items.iter().enumerate() {
        item(value).map_err(|p| p.under(&format!("[{i}]")))?;
    }
    Ok(())
}

fn check_settings(v: &Value) -> Result<(), Problem> {
    object(
        v,
        &[
            ("status_period_days", false, typed::<Option<u32>>),
            ("zone_months", false, typed::<Option<[u32; 3]>>),
        ],
    )
}

fn check_client(v: &Value) -> Result<(), Problem> {
    object(
        v,
        &[
            ("id", true, typed::<String>),
            ("created", true, typed::<Day>),
            ("responsible", false, typed::<Option<String>>),
            ("interests", false, |v| {
                list(v, |v| {
                    object(
                        v,
                        &[
                            ("id", false, typed::<Option<String>>),
                            ("created", true, typed::<Day>),
                            ("completed", false, typed::<Option<Day>>),
                            ("outcome", false, typed::<Option<Outcome>>),
                        ],
                    )
                })
            }),
            ("payments", false, |v| list(v, check_money_fact)),
            ("shipments", false, |v| list(v, check_money_fact)),
            ("events", false, |v| {
                list(v, |v| {
                    object(
                        v,
                        &[
                            ("date", true, typed::<Day>),
                            ("kind", false, typed::<Option<String>>),
                        ],
                    )
                })
            }),
            ("assignments", false, |v| {
                list(v, |v| {
                    object(
                        v,
                        &[
                            ("date", true, typed::<Day>),
                            ("manager", false, typed::<Option<String>>),
                        ],
                    )
                })
            }),
            ("manual_statuses", false, |v| {
                list(v, |v| {
                    object(
                        v,
                        &[
                            ("date", true, typed::<Day>),
                            ("status", true, typed::<String>),
                        ],
                    )
                })
            }),
        ],
    )
}

fn check_money_fact(v: &Value) -> Result<(), Problem> {
    object(
        v,
        &[
            ("date", true, typed::<Day>),
            ("amount", false, typed::<Option<f64>>),
        ],
    )
}

/// Finds the client and field a failed parse is about.
fn locate(input: &str, error: &serde_json::Error) -> EvaluateError {
    let value: Value = match serde_json::from_str(input) {
        Ok(v) => v,
        Err(e) => return EvaluateError::Json(e.to_string()),
    };
    let input_error = |p: Problem| EvaluateError::Input {
        field: p.path,
        message: p.message,
    };
    let top = object(
        &value,
        &[
            ("settings", false, check_settings),
            ("clients", true, |v| list(v, |_| Ok(()))),
        ],
    );
    if let Err(p) = top {
        return input_error(p);
    }
    if let Some(Value::Array(clients)) = value.get("clients") {
        for (i, c) in clients.iter().enumerate() {
            if let Err(p) = check_client(c) {
                if p.path.is_empty() {
                    // Not an object at all: there is no field to name.
                    return input_error(p.under(&format!("clients[{i}]")));
                }
                let client = match c.get("id") {
                    Some(Value::String(id)) => ClientRef::Id(id.clone()),
                    _ => ClientRef::Index(i),
                };
                return EvaluateError::Client {
                    client,
                    field: p.path,
                    message: p.message,
                };
            }
        }
    }
    // The checks mirror the parser's types; what they cannot see (a field
    // given twice in one object) is left to serde's own message.
    EvaluateError::Format(error.to_string())
}

#[cfg(test)]
mod tests;
