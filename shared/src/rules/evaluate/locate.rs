//! The slow path of reading a facts file, taken only when the fast parser
//! fails: the input is read again as a `serde_json::Value` and checked
//! field by field, with the fast parser's own field types, to name the
//! client and the field to blame (serde alone gives a line and a column).

use serde::de;
use serde_json::Value;

use super::parse::Day;
use super::{ClientRef, EvaluateError};
use crate::client::Outcome;

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
            ("abc_percent", false, typed::<Option<[u32; 2]>>),
            ("xyz_percent", false, typed::<Option<[u32; 2]>>),
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
                            ("automatic", false, typed::<bool>),
                            ("taken_up", false, typed::<Option<Day>>),
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
pub(super) fn locate(input: &str, error: &serde_json::Error) -> EvaluateError {
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
