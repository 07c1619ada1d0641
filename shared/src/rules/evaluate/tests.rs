//! The `evaluate` format: SPEC 10's example, settings, and every kind of
//! bad input with the client and field it names.

#![allow(clippy::unwrap_used)]

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const EXAMPLE: &str = r#"{
  "settings": { "status_period_days": 30, "zone_months": [1, 5, 6] },
  "clients": [
    { "id": "c1", "created": "2026-01-10", "responsible": "m1",
      "interests": [ { "id": "i1", "created": "2026-01-12",
                       "completed": "2026-02-01", "outcome": "success" } ],
      "payments":  [ { "date": "2026-02-03", "amount": 1000.0 } ],
      "shipments": [ { "date": "2026-02-05" } ],
      "events":    [ { "date": "2026-03-01", "kind": "call" } ],
      "assignments": [ { "date": "2026-01-10", "manager": "m1" } ],
      "manual_statuses": [ { "date": "2026-04-01", "status": "alien" } ] } ]
}"#;

fn error(input: &str) -> String {
    match evaluate_json(input, d("2026-11-22")) {
        Ok(out) => panic!("expected an error, got {out}"),
        Err(e) => e.to_string(),
    }
}

/// A one-client file with `fields` spliced into the client object.
fn client(fields: &str) -> String {
    format!(r#"{{"clients": [{{"id": "c7", "created": "2026-01-10"{fields}}}]}}"#)
}

#[test]
fn the_spec_example_before_and_after_the_manual_setting() {
    let out = evaluate_json(EXAMPLE, d("2026-03-07")).unwrap();
    assert_eq!(
        out,
        "{\n  \"c1\": {\"status\":\"active\",\"status_since\":\"2026-02-01\",\"rule\":\"active\",\"zone\":\"green\",\"responsible\":\"m1\"}\n}\n"
    );
    // Lost on 8 March (nothing since the shipment of 5 February), Alien by
    // hand on 1 April; the last contact (1 March) is over six months old.
    let r = &evaluate_value(EXAMPLE, d("2026-11-22")).unwrap()[0];
    assert_eq!(r.status.as_ref().map(StatusId::as_str), Some("alien"));
    assert_eq!(
        (r.status_since, r.rule.as_deref()),
        (Some(d("2026-04-01")), Some("manual"))
    );
    assert_eq!(
        (r.zone, r.responsible.as_deref()),
        (Some(Zone::Exchange), None)
    );
    let r = &evaluate_value(EXAMPLE, d("2026-03-31")).unwrap()[0];
    assert_eq!(
        (
            r.status.as_ref().map(StatusId::as_str),
            r.status_since,
            r.rule.as_deref()
        ),
        (Some("lost"), Some(d("2026-03-08")), Some("lost"))
    );
    assert_eq!(r.zone, Some(Zone::Green));
}

#[test]
fn settings_are_optional_and_change_the_period_and_zones() {
    let input = r#"{"clients": [
        {"id": "a", "created": "2026-01-01", "responsible": "m1",
         "interests": [{"created": "2026-01-01"}],
         "payments": [{"date": "2026-01-02"}]},
        {"id": "b", "created": "2026-01-01"},
        {"id": "later", "created": "2026-12-01", "responsible": "m2"}
    ]}"#;
    // Active on 2 January, Lost on 2 February with nothing in 30 days,
    // Returned the next day thanks to the open Interest.
    let r = evaluate_value(input, d("2026-02-10")).unwrap();
    assert_eq!(r[0].status.as_ref().map(StatusId::as_str), Some("returned"));
    assert_eq!(r[0].status_since, Some(d("2026-02-03")));
    assert_eq!(r[0].zone, Some(Zone::Yellow));
    assert_eq!((r[1].zone, r[1].responsible.as_deref()), (None, None));
    assert_eq!(r[2].status, None);
    assert!(to_json(&r).contains("\"later\": {\"status\":null,\"status_since\":null,\"rule\":null,\"zone\":null,\"responsible\":null}"));
    let short = input.replacen(
        "{\"clients\"",
        "{\"settings\": {\"status_period_days\": 5, \"zone_months\": [2, 3, 4]}, \"clients\"",
        1,
    );
    let r = evaluate_value(&short, d("2026-02-10")).unwrap();
    // With a five-day period: Lost on 8 January, Returned on the 9th.
    assert_eq!(r[0].status_since, Some(d("2026-01-09")));
    assert_eq!(r[0].zone, Some(Zone::Green));
}

#[test]
fn responsible_is_an_assignment_on_the_creation_date() {
    let input = client(
        r#", "responsible": "m1", "assignments": [{"date": "2026-01-10", "manager": "m2"}]"#,
    );
    let r = evaluate_value(&input, d("2026-01-11")).unwrap();
    assert_eq!(r[0].responsible.as_deref(), Some("m2"));
    let pooled = client(
        r#", "responsible": "m1", "assignments": [{"date": "2026-01-11", "manager": null}]"#,
    );
    let r = evaluate_value(&pooled, d("2026-01-11")).unwrap();
    assert_eq!((r[0].zone, r[0].responsible.as_deref()), (None, None));
}

#[test]
fn unknown_fields_are_named_with_their_place() {
    assert_eq!(
        error(r#"{"clients": [], "extra": 1}"#),
        "extra: unknown field, expected one of settings, clients"
    );
    assert_eq!(
        error(r#"{"settings": {"period": 3}, "clients": []}"#),
        "settings.period: unknown field, expected one of status_period_days, zone_months, abc_percent, xyz_percent"
    );
    assert!(
        error(&client(r#", "colour": "red""#)).starts_with("client \"c7\": colour: unknown field")
    );
    assert!(
        error(&client(
            r#", "interests": [{"created": "2026-01-10"}, {"created": "2026-01-10", "state": "x"}]"#
        ))
        .starts_with("client \"c7\": interests[1].state: unknown field")
    );
}

#[test]
fn bad_values_are_named_with_their_place() {
    assert_eq!(
        error(&client(r#", "payments": [{"date": "2026-02-30"}]"#)),
        "client \"c7\": payments[0].date: bad date \"2026-02-30\", expected YYYY-MM-DD"
    );
    assert_eq!(
        error(&client(r#", "events": [{"date": "2026-1-05"}]"#)),
        "client \"c7\": events[0].date: bad date \"2026-1-05\", expected YYYY-MM-DD"
    );
    assert!(
        error(&client(
            r#", "interests": [{"created": "2026-01-10", "outcome": "won"}]"#
        ))
        .starts_with("client \"c7\": interests[0].outcome: unknown variant `won`")
    );
    assert!(
        error(&client(r#", "shipments": [{"date": 20260110}]"#))
            .starts_with("client \"c7\": shipments[0].date: invalid type: integer `20260110`, expected a date YYYY-MM-DD")
    );
    assert!(
        error(&client(r#", "payments": {"date": "2026-01-10"}"#))
            .starts_with("client \"c7\": payments: expected an array")
    );
    assert!(
        error(r#"{"settings": {"status_period_days": -1}, "clients": []}"#)
            .starts_with("settings.status_period_days: invalid value")
    );
    assert!(
        error(r#"{"settings": {"zone_months": [1, 5]}, "clients": []}"#)
            .starts_with("settings.zone_months: ")
    );
    assert_eq!(
        error(r#"{"settings": {"zone_months": [1, 7, 6]}, "clients": []}"#),
        "settings.zone_months: zone thresholds must not decrease: yellow after 1, red after 7, exchange after 6 months"
    );
}

#[test]
fn a_client_without_an_id_is_named_by_its_index() {
    let input =
        r#"{"clients": [{"id": "c1", "created": "2026-01-01"}, {"created": "2026-01-01"}]}"#;
    assert_eq!(error(input), "clients[1]: id: missing field");
    let input = r#"{"clients": [{"id": 5, "created": "2026-01-01"}]}"#;
    assert!(error(input).starts_with("clients[0]: id: invalid type: integer `5`"));
    assert_eq!(
        error(r#"{"clients": [{"id": "c1"}]}"#),
        "client \"c1\": created: missing field"
    );
    assert_eq!(
        error(r#"{"clients": [3]}"#),
        "clients[0]: expected an object, found a number"
    );
    assert_eq!(error(r#"{"settings": {}}"#), "clients: missing field");
}

#[test]
fn statuses_and_dates_that_make_no_sense_are_refused() {
    assert_eq!(
        error(&client(
            r#", "manual_statuses": [{"date": "2026-02-01", "status": "foo"}]"#
        )),
        "client \"c7\": manual_statuses[0].status: unknown status \"foo\""
    );
    assert_eq!(
        error(&client(
            r#", "manual_statuses": [{"date": "2026-02-01", "status": "alien"}, {"date": "2026-01-09", "status": "lost"}]"#
        )),
        "client \"c7\": manual_statuses[1].date: 2026-01-09 is before the client was created on 2026-01-10"
    );
    assert_eq!(
        error(
            r#"{"clients": [{"id": "c1", "created": "2026-01-01"}, {"id": "c1", "created": "2026-01-02"}]}"#
        ),
        "client \"c1\": id: duplicate client id, also clients[0]"
    );
}

#[test]
fn broken_json_gives_the_position() {
    let e = error(r#"{"clients": [{"id": "c1",}]}"#);
    assert!(e.starts_with("the input is not valid JSON: "), "{e}");
    assert!(e.contains("line 1"), "{e}");
    let e = error(r#"{"clients": []} []"#);
    assert!(
        e.starts_with("the input is not valid JSON: trailing characters"),
        "{e}"
    );
    // A field given twice is only seen by the fast parser.
    let e =
        error(r#"{"clients": [{"id": "c1", "created": "2026-01-01", "created": "2026-01-02"}]}"#);
    assert!(
        e.starts_with("the input does not match the facts format: duplicate field `created`"),
        "{e}"
    );
    let e = error(&client(r#", "payments": [], "payments": []"#));
    assert!(e.contains("duplicate field `payments`"), "{e}");
}

#[test]
fn escaped_strings_and_ids_survive() {
    let input =
        r#"{"clients": [{"id": "c\"1\u00e9", "created": "2026-01-01", "responsible": "m\\1"}]}"#;
    let out = evaluate_json(input, d("2026-01-02")).unwrap();
    assert!(out.contains(r#""c\"1é": {"status":"new""#), "{out}");
    assert!(out.contains(r#""responsible":"m\\1""#), "{out}");
    assert_eq!(
        evaluate_json(r#"{"clients": []}"#, d("2026-01-02")).unwrap(),
        "{}\n"
    );
}

/// A client Active from 10 January (a successful Interest), Lost on
/// 10 February with nothing in 30 days, and the win-back the system
/// created that day with `winback` spliced into it.
fn lost_with_winback(winback: &str) -> String {
    format!(
        r#"{{"clients": [{{"id": "c1", "created": "2026-01-01", "responsible": "m1",
            "interests": [
              {{"id": "i1", "created": "2026-01-02", "completed": "2026-01-10", "outcome": "success"}},
              {{"id": "winback-c1-2026-02-10", "created": "2026-02-10", "automatic": true{winback}}}
            ]}}]}}"#
    )
}

fn status_zone(input: &str, as_of: &str) -> (String, NaiveDate, Option<Zone>) {
    let r = evaluate_value(input, d(as_of)).unwrap().remove(0);
    (
        r.status.unwrap().to_string(),
        r.status_since.unwrap(),
        r.zone,
    )
}

#[test]
fn a_winback_taken_up_the_day_it_was_created_counts_from_that_day() {
    let input = lost_with_winback(r#", "taken_up": "2026-02-10""#);
    // One rule per day: Lost on the 10th, Returned on the 11th.
    assert_eq!(
        status_zone(&input, "2026-02-10"),
        ("lost".into(), d("2026-02-10"), Some(Zone::Green))
    );
    assert_eq!(
        status_zone(&input, "2026-02-11"),
        ("returned".into(), d("2026-02-11"), Some(Zone::Green))
    );
    // The last contact is the day it was taken up: yellow a month later.
    assert_eq!(status_zone(&input, "2026-03-10").2, Some(Zone::Yellow));
}

#[test]
fn a_winback_taken_up_on_the_last_day_of_the_period_counts_on_that_day_only() {
    let input = lost_with_winback(r#", "taken_up": "2026-03-01""#);
    assert_eq!(
        status_zone(&input, "2026-02-28"),
        ("lost".into(), d("2026-02-10"), Some(Zone::Yellow))
    );
    // Taken up on the evaluation day: it is active, and it is contact.
    assert_eq!(
        status_zone(&input, "2026-03-01"),
        ("returned".into(), d("2026-03-01"), Some(Zone::Green))
    );
}

#[test]
fn a_winback_completed_without_being_taken_up_counts_from_its_completion() {
    let input = lost_with_winback(r#", "completed": "2026-03-05", "outcome": "failure""#);
    assert_eq!(
        status_zone(&input, "2026-03-04"),
        ("lost".into(), d("2026-02-10"), Some(Zone::Yellow))
    );
    // Active in the period from its completion on, as if created then.
    assert_eq!(
        status_zone(&input, "2026-03-05"),
        ("returned".into(), d("2026-03-05"), Some(Zone::Green))
    );
}

#[test]
fn a_winback_nobody_takes_up_leaves_the_client_lost_and_does_not_make_it_green() {
    let input = lost_with_winback("");
    // The last contact stays the completion of 10 January: red from
    // 10 June, the exchange from 11 July, as if there were no win-back.
    assert_eq!(
        status_zone(&input, "2026-02-11"),
        ("lost".into(), d("2026-02-10"), Some(Zone::Yellow))
    );
    assert_eq!(
        status_zone(&input, "2026-06-10"),
        ("lost".into(), d("2026-02-10"), Some(Zone::Red))
    );
    assert_eq!(status_zone(&input, "2026-07-11").2, Some(Zone::Exchange));
    // A person's Interest on the same day would have counted at once.
    let by_hand = input.replace(r#", "automatic": true"#, "");
    assert_eq!(
        status_zone(&by_hand, "2026-02-11"),
        ("returned".into(), d("2026-02-11"), Some(Zone::Green))
    );
    // A date after the evaluation date is not known yet.
    let later = lost_with_winback(r#", "taken_up": "2026-05-01""#);
    assert_eq!(status_zone(&later, "2026-04-30").0, "lost");
}

#[test]
fn taken_up_that_makes_no_sense_is_refused_naming_the_interest() {
    let e = error(&client(
        r#", "interests": [{"created": "2026-01-12", "taken_up": "2026-01-13"}]"#,
    ));
    assert!(
        e.starts_with(r#"client "c7": interests[0].taken_up: only an Interest the system created"#),
        "{e}"
    );
    let e = error(&client(
        r#", "interests": [{"created": "2026-01-12", "automatic": true, "taken_up": "2026-01-11"}]"#,
    ));
    assert_eq!(
        e,
        r#"client "c7": interests[0].taken_up: 2026-01-11 is before the Interest was created on 2026-01-12"#
    );
    let e = error(&client(
        r#", "interests": [{"created": "2026-01-12", "automatic": true,
            "completed": "2026-01-20", "taken_up": "2026-01-21"}]"#,
    ));
    assert!(
        e.contains("interests[0].taken_up: 2026-01-21 is after"),
        "{e}"
    );
    let e = error(&client(
        r#", "interests": [{"created": "2026-01-12", "automatic": "yes"}]"#,
    ));
    assert!(
        e.starts_with(r#"client "c7": interests[0].automatic: "#),
        "{e}"
    );
    let e = error(&client(
        r#", "interests": [{"created": "2026-01-12", "automatic": true, "taken_up": "2026-02-30"}]"#,
    ));
    assert!(
        e.starts_with(r#"client "c7": interests[0].taken_up: "#),
        "{e}"
    );
}
