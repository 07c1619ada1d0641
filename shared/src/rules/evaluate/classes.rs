//! `kartoteka evaluate --classes` (SPEC 10): each client's ABC and XYZ
//! classes (SPEC 8, [`crate::report::classes`]) from the payments of the
//! facts file, beside its status and zone.
//!
//! Amounts are read only here: a file evaluated without `--classes` is not
//! refused for an amount it does not use.

use chrono::NaiveDate;
use serde::Serialize;

use super::{ClientRef, EvaluateError, EvaluateInput, Evaluated, quoted};
use crate::client::Money;
use crate::report::classes::{ClassThresholds, Classes, Revenue, RevenueError, Window, classify};

/// The largest payment read exactly: 2^50 kopecks, about 11 trillion
/// roubles. Below it a float's nearest two-decimal value is the one typed.
const MAX_KOPECKS: f64 = (1u64 << 50) as f64;

/// A payment's amount in roubles as kopecks, if it is a whole number of
/// kopecks and not negative.
fn kopecks(roubles: f64) -> Result<Money, String> {
    if roubles < 0.0 {
        return Err(format!(
            "negative amount {roubles}; a payment is above zero"
        ));
    }
    let k = (roubles * 100.0).round();
    if k > MAX_KOPECKS {
        return Err(format!("amount {roubles} is too large"));
    }
    // Exact for amounts below MAX_KOPECKS: `k / 100` is the float nearest
    // to the two-decimal number k/100, which is `roubles` only if that is
    // what was written.
    if k / 100.0 != roubles {
        return Err(format!(
            "amount {roubles} has fractions of a kopeck; write at most two decimals"
        ));
    }
    Ok(Money(k as i64))
}

impl EvaluateInput<'_> {
    /// The class thresholds of the file's settings (`abc_percent`,
    /// `xyz_percent`), or the defaults.
    pub fn class_thresholds(&self) -> Result<ClassThresholds, EvaluateError> {
        let s = &self.parsed.settings;
        let abc = s.abc_percent.unwrap_or(ClassThresholds::DEFAULT_ABC);
        let xyz = s.xyz_percent.unwrap_or(ClassThresholds::DEFAULT_XYZ);
        ClassThresholds::new(abc, xyz).map_err(|e| EvaluateError::Input {
            field: match e {
                crate::report::classes::ThresholdError::Abc(..) => "settings.abc_percent",
                crate::report::classes::ThresholdError::Xyz(..) => "settings.xyz_percent",
            }
            .to_owned(),
            message: e.to_string(),
        })
    }

    /// Every client's classes on `as_of`, in input order: `None` for a
    /// client with no revenue in the 12 months, or created after `as_of`
    /// (it did not exist yet, so it takes no share of the total). A
    /// negative, missing or sub-kopeck amount is an error naming the client
    /// and the payment.
    pub fn classes(&self, as_of: NaiveDate) -> Result<Vec<Option<Classes>>, EvaluateError> {
        let thresholds = self.class_thresholds()?;
        let window = Window::before(as_of);
        let p = &self.parsed;
        let mut revenues: Vec<(&str, Revenue)> = Vec::with_capacity(p.clients.len());
        for c in &p.clients {
            let error = |index: usize, message: String| EvaluateError::Client {
                client: ClientRef::Id(c.id.to_string()),
                field: format!("payments[{index}].amount"),
                message,
            };
            let mut revenue = Revenue::default();
            let dates = &p.payments[c.payments.clone()];
            let amounts = &p.payment_amounts[c.payments.clone()];
            for (index, (&date, &amount)) in dates.iter().zip(amounts).enumerate() {
                let roubles = amount.ok_or_else(|| {
                    error(
                        index,
                        "missing; --classes needs every payment's amount".to_owned(),
                    )
                })?;
                let amount = kopecks(roubles).map_err(|m| error(index, m))?;
                revenue
                    .add(window, index, date, amount)
                    .map_err(|e| match e {
                        RevenueError::Negative { .. } => error(index, e.to_string()),
                        RevenueError::TooLarge { month } => EvaluateError::Client {
                            client: ClientRef::Id(c.id.to_string()),
                            field: "payments".to_owned(),
                            message: format!(
                                "the payments of the month beginning {month} add up to more than can be counted"
                            ),
                        },
                    })?;
            }
            if c.created > as_of {
                revenue = Revenue::default();
            }
            revenues.push((&c.id, revenue));
        }
        Ok(classify(&revenues, &thresholds))
    }
}

/// One client's result with its classes.
#[derive(Serialize)]
struct WithClasses<'a> {
    #[serde(flatten)]
    evaluated: &'a Evaluated,
    abc: Option<&'static str>,
    xyz: Option<&'static str>,
}

/// SPEC 10's JSON object with `"abc"` and `"xyz"` in each entry (null for a
/// client with no class); `classes` is in the order of `results`.
pub fn to_json_with_classes(results: &[Evaluated], classes: &[Option<Classes>]) -> String {
    let mut out = String::with_capacity(results.len() * 140 + 4);
    out.push('{');
    for (i, (r, c)) in results.iter().zip(classes).enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        out.push_str(&quoted(&r.id));
        out.push_str(": ");
        let entry = WithClasses {
            evaluated: r,
            abc: c.map(|c| c.abc.id()),
            xyz: c.map(|c| c.xyz.id()),
        };
        out.push_str(
            &serde_json::to_string(&entry).expect("a result has string keys and plain values"),
        );
    }
    out.push_str(if results.is_empty() { "}\n" } else { "\n}\n" });
    out
}

/// Parses and evaluates a facts file with classes (`evaluate --classes`)
/// and writes SPEC 10's JSON.
pub fn evaluate_classes_json(input: &str, as_of: NaiveDate) -> Result<String, EvaluateError> {
    let parsed = EvaluateInput::parse(input)?;
    let results = parsed.evaluate(as_of)?;
    let classes = parsed.classes(as_of)?;
    Ok(to_json_with_classes(&results, &classes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn run(input: &str) -> Result<serde_json::Value, String> {
        evaluate_classes_json(input, d("2026-11-22"))
            .map(|s| serde_json::from_str(&s).unwrap())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn amounts_in_roubles_become_exact_kopecks() {
        assert_eq!(kopecks(1000.0), Ok(Money(100_000)));
        assert_eq!(kopecks(0.29), Ok(Money(29)));
        assert_eq!(kopecks(1234.56), Ok(Money(123_456)));
        assert_eq!(kopecks(0.0), Ok(Money(0)));
        assert_eq!(kopecks(99_999_999_999.99), Ok(Money(9_999_999_999_999)));
        assert!(kopecks(-0.01).unwrap_err().contains("negative"));
        assert!(kopecks(10.005).unwrap_err().contains("kopeck"));
        assert!(kopecks(1e300).unwrap_err().contains("too large"));
    }

    #[test]
    fn each_client_gets_abc_and_xyz_and_a_client_without_revenue_gets_null() {
        let v = run(
            r#"{ "settings": { "abc_percent": [80, 95], "xyz_percent": [10, 25] },
            "clients": [
              { "id": "big", "created": "2025-01-10",
                "payments": [ { "date": "2026-03-03", "amount": 800.0 } ] },
              { "id": "mid", "created": "2025-01-10",
                "payments": [ { "date": "2026-04-03", "amount": 150.5 },
                              { "date": "2026-11-03", "amount": 5000 } ] },
              { "id": "small", "created": "2025-01-10",
                "payments": [ { "date": "2026-05-03", "amount": 49.5 } ] },
              { "id": "none", "created": "2025-01-10",
                "payments": [ { "date": "2025-10-31", "amount": 10000 } ] },
              { "id": "later", "created": "2026-12-01",
                "payments": [ { "date": "2026-10-03", "amount": 10000 } ] }
            ] }"#,
        )
        .unwrap();
        assert_eq!(v["big"]["abc"], "A");
        assert_eq!(v["big"]["xyz"], "Z");
        assert_eq!(v["mid"]["abc"], "B");
        assert_eq!(v["small"]["abc"], "C");
        assert!(v["none"]["abc"].is_null() && v["none"]["xyz"].is_null());
        assert!(
            v["none"].get("abc").is_some(),
            "null is written, not left out"
        );
        assert!(v["later"]["abc"].is_null());
        // The status and zone are there as without --classes.
        assert_eq!(v["big"]["status"], "new");
        assert!(v["big"].get("zone").is_some());
    }

    #[test]
    fn bad_amounts_and_percents_are_refused_naming_the_client_and_field() {
        let client = |payment: &str| {
            format!(
                r#"{{"clients": [{{"id": "c7", "created": "2026-01-10", "payments": [{{"date": "2026-02-01", "amount": 1}}, {payment}]}}]}}"#
            )
        };
        let e = run(&client(r#"{"date": "2026-03-01", "amount": -5}"#)).unwrap_err();
        assert!(
            e.contains("client \"c7\": payments[1].amount: negative"),
            "{e}"
        );
        let e = run(&client(r#"{"date": "2026-03-01", "amount": 0.001}"#)).unwrap_err();
        assert!(e.contains("client \"c7\": payments[1].amount"), "{e}");
        let e = run(&client(r#"{"date": "2026-03-01"}"#)).unwrap_err();
        assert!(
            e.contains("client \"c7\": payments[1].amount: missing"),
            "{e}"
        );
        let e = run(&client(r#"{"date": "2026-02-30", "amount": 5}"#)).unwrap_err();
        assert!(e.contains("c7") && e.contains("payments[1].date"), "{e}");
        let e = run(&client(r#"{"date": "2026-03-01", "amount": "5"}"#)).unwrap_err();
        assert!(e.contains("c7") && e.contains("payments[1].amount"), "{e}");

        let e = run(r#"{"settings": {"abc_percent": [95, 80]}, "clients": []}"#).unwrap_err();
        assert!(e.starts_with("settings.abc_percent: "), "{e}");
        let e = run(r#"{"settings": {"xyz_percent": [10]}, "clients": []}"#).unwrap_err();
        assert!(e.starts_with("settings.xyz_percent"), "{e}");
        let e = run(r#"{"settings": {"xyz_percent": [10, -25]}, "clients": []}"#).unwrap_err();
        assert!(e.starts_with("settings.xyz_percent"), "{e}");
    }

    #[test]
    fn without_classes_amounts_and_class_settings_are_not_used() {
        let input = r#"{"settings": {"abc_percent": [95, 80]}, "clients": [
            {"id": "c7", "created": "2026-01-10", "payments": [{"date": "2026-02-01", "amount": -1}]}]}"#;
        let out = super::super::evaluate_json(input, d("2026-11-22")).unwrap();
        assert!(!out.contains("abc"));
    }
}
