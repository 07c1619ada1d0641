//! The facts file of `kartoteka evaluate` (SPEC 10): parsing it strictly,
//! evaluating every client's status and zone, and writing the result, so
//! that the engine can be checked against independent implementations.
//!
//! Reading is split in two: [`parse`] is the fast path (it dominates the
//! time on a large base), [`locate`] the slow one that runs only on bad
//! input to name the client and the field.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::config::{ConfigError, RuleSet, StatusConfig, StatusId, ZoneThresholds};
use crate::rules::dashboard::{SeriesBuilder, ZoneSeries, weekly_dates};
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

mod classes;
mod locate;
mod parse;

pub use classes::{evaluate_classes_json, to_json_with_classes};

use parse::{Parsed, RawClient};

/// A parsed facts file, borrowing its strings from the input text.
pub struct EvaluateInput<'a> {
    parsed: Parsed<'a>,
}

impl fmt::Debug for EvaluateInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvaluateInput")
            .field("clients", &self.parsed.clients.len())
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
        match parse::parse(input) {
            Ok(parsed) => Ok(EvaluateInput { parsed }),
            Err(e) => Err(locate::locate(input, &e)),
        }
    }

    /// How many clients the file has.
    pub fn len(&self) -> usize {
        self.parsed.clients.len()
    }

    /// Whether the file has no clients.
    pub fn is_empty(&self) -> bool {
        self.parsed.clients.is_empty()
    }

    /// The rule set of the file's settings: the default statuses with its
    /// period and zone thresholds.
    pub fn rules(&self) -> Result<RuleSet, EvaluateError> {
        let mut config = StatusConfig::default();
        if let Some(days) = self.parsed.settings.status_period_days {
            config = config.with_period(days);
        }
        if let Some([yellow, red, exchange]) = self.parsed.settings.zone_months {
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
        self.check_ids()?;
        let mut engine = Engine::new(&rules);
        let mut facts = ClientFacts::new(as_of);
        let mut walk = Vec::new();
        let mut out = Vec::with_capacity(self.parsed.clients.len());
        for c in &self.parsed.clients {
            check_interests(&self.parsed, c)?;
            fill(&mut facts, &self.parsed, c);
            let exists = engine.run(&facts, as_of).map_err(|e| facts_error(c, e))?;
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

impl EvaluateInput<'_> {
    /// Refuses a client id given twice.
    fn check_ids(&self) -> Result<(), EvaluateError> {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(self.parsed.clients.len());
        for (i, c) in self.parsed.clients.iter().enumerate() {
            if let Some(first) = seen.insert(&c.id, i) {
                return Err(EvaluateError::Client {
                    client: ClientRef::Id(c.id.to_string()),
                    field: "id".to_owned(),
                    message: format!("duplicate client id, also clients[{first}]"),
                });
            }
        }
        Ok(())
    }

    /// The zones dashboard's series (SPEC 10, `kartoteka zones`) over the
    /// `weeks` weekly dates ending on `as_of`: every client's zone on each
    /// date is what [`EvaluateInput::evaluate`] gives on that date, and
    /// the file is refused for the same reasons.
    pub fn zone_series(&self, as_of: NaiveDate, weeks: u32) -> Result<ZoneSeries, EvaluateError> {
        let rules = self.rules()?;
        let dates = weekly_dates(as_of, weeks).ok_or_else(|| EvaluateError::Input {
            field: "weeks".to_owned(),
            message: format!("{weeks} weeks before {as_of} is not a series of dates"),
        })?;
        self.check_ids()?;
        let mut engine = Engine::new(&rules);
        let mut facts = ClientFacts::new(as_of);
        let mut series = SeriesBuilder::new(rules.zones(), &dates);
        for c in &self.parsed.clients {
            check_interests(&self.parsed, c)?;
            fill(&mut facts, &self.parsed, c);
            // The zones do not need the statuses, but `evaluate` refuses a
            // file whose manual statuses are bad, so this does too.
            engine.run(&facts, as_of).map_err(|e| facts_error(c, e))?;
            series.add(&facts);
        }
        Ok(series.finish())
    }
}

/// The facts error of a client as the file's error, naming the field.
fn facts_error(c: &RawClient<'_>, e: FactsError) -> EvaluateError {
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
}

/// `taken_up` belongs to an Interest the system created, and lies between
/// its creation and its completion (a person who completed it took it up
/// then at the latest).
fn check_interests(parsed: &Parsed<'_>, c: &RawClient<'_>) -> Result<(), EvaluateError> {
    for (index, i) in parsed.interests[c.interests.clone()].iter().enumerate() {
        let Some(taken_up) = i.taken_up.map(|d| d.0) else {
            continue;
        };
        let message = if !i.automatic {
            "only an Interest the system created (\"automatic\": true) is taken up".to_owned()
        } else if taken_up < i.created.0 {
            format!(
                "{taken_up} is before the Interest was created on {}",
                i.created.0
            )
        } else if let Some(completed) = i.completed.map(|d| d.0).filter(|&d| taken_up > d) {
            format!("{taken_up} is after the Interest was completed on {completed}")
        } else {
            continue;
        };
        return Err(EvaluateError::Client {
            client: ClientRef::Id(c.id.to_string()),
            field: format!("interests[{index}].taken_up"),
            message,
        });
    }
    Ok(())
}

/// Refills `facts` from a parsed client, reusing its buffers.
fn fill(facts: &mut ClientFacts, parsed: &Parsed<'_>, c: &RawClient<'_>) {
    facts.created = c.created;
    facts.interests.clear();
    facts.interests.extend(
        parsed.interests[c.interests.clone()]
            .iter()
            .map(|i| InterestFact {
                created: i.created.0,
                completed: i.completed.map(|d| d.0),
                outcome: i.outcome,
                activity: Vec::new(),
                automatic: i.automatic,
                taken_up: i.taken_up.map(|d| d.0),
            }),
    );
    facts.payments.clear();
    facts
        .payments
        .extend_from_slice(&parsed.payments[c.payments.clone()]);
    facts.shipments.clear();
    facts
        .shipments
        .extend_from_slice(&parsed.shipments[c.shipments.clone()]);
    facts.events.clear();
    facts
        .events
        .extend_from_slice(&parsed.events[c.events.clone()]);
    facts.assignments.clear();
    // `responsible` is an assignment on the creation date, listed first so
    // that an explicit assignment of the same day wins.
    if let Some(r) = &c.responsible {
        facts.assignments.push(AssignmentFact {
            date: c.created,
            manager: Some(r.to_string()),
        });
    }
    facts
        .assignments
        .extend(
            parsed.assignments[c.assignments.clone()]
                .iter()
                .map(|a| AssignmentFact {
                    date: a.date.0,
                    manager: a.manager.as_ref().map(|m| m.to_string()),
                }),
        );
    facts.manual_statuses.clear();
    facts.manual_statuses.extend(
        parsed.manual_statuses[c.manual_statuses.clone()]
            .iter()
            .map(|m| ManualStatus {
                date: m.date.0,
                // No time of day in the file: same-day settings apply in
                // the listed order.
                at: 0,
                status: StatusId::from(m.status.as_ref()),
            }),
    );
}

/// Parses and evaluates a facts file.
pub fn evaluate_value(input: &str, as_of: NaiveDate) -> Result<Vec<Evaluated>, EvaluateError> {
    EvaluateInput::parse(input)?.evaluate(as_of)
}

/// Parses a facts file and computes the zones dashboard's series, written
/// as SPEC 10's JSON of `kartoteka zones`.
pub fn zones_json(input: &str, as_of: NaiveDate, weeks: u32) -> Result<String, EvaluateError> {
    Ok(EvaluateInput::parse(input)?
        .zone_series(as_of, weeks)?
        .to_json())
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

#[cfg(test)]
mod tests;
