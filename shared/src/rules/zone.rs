//! Coloured clients and the client exchange (SPEC 6): the last contact
//! activity, the colour zone it puts a client in, when a client went to the
//! exchange, and who is effectively responsible for it on a date.
//!
//! The exchange is sticky, so the answer on a date depends on the path: the
//! activity days are walked in order and a client that had a manager through
//! a gap longer than the exchange threshold is detached on the first day
//! past it, then stays detached until an assignment dated on or after that
//! day, whatever other activity follows.

use std::cell::Cell;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::rules::config::ZoneThresholds;
use crate::rules::facts::ClientFacts;
use crate::rules::status::{date_of, day};

/// A colour zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Ongoing work.
    Green,
    /// Find out why there is no contact.
    Yellow,
    /// A sales step is needed now.
    Red,
    /// Detached from its manager, open to every manager.
    Exchange,
}

impl Zone {
    /// The id used in files and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Zone::Green => "green",
            Zone::Yellow => "yellow",
            Zone::Red => "red",
            Zone::Exchange => "exchange",
        }
    }
}

/// A client's zone on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneReport {
    /// `None` for a client with no manager (never had one, or in a pool).
    pub zone: Option<Zone>,
    /// The effective responsible manager: `None` in the exchange or with no
    /// manager.
    pub responsible: Option<String>,
    /// The last contact activity (the creation date if there was none).
    pub last_activity: NaiveDate,
    /// The day the client went to the exchange, while it is there.
    pub in_exchange_since: Option<NaiveDate>,
}

/// `date + months` in calendar months, clamped to the month's last day; the
/// end of time if that overflows, so that a threshold is then never reached.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The zone a client in `zone` moves to next if nobody contacts it, and
/// the first day it is there (SPEC 6): yellow on `d + yellow months`, red
/// on `d + red months`, the exchange on the day after `d + exchange
/// months`. `None` in the exchange, which only an assignment ends.
pub fn next_zone(
    zone: Zone,
    last_activity: NaiveDate,
    thresholds: ZoneThresholds,
) -> Option<(Zone, NaiveDate)> {
    match zone {
        Zone::Green => Some((Zone::Yellow, add_months(last_activity, thresholds.yellow))),
        Zone::Yellow => Some((Zone::Red, add_months(last_activity, thresholds.red))),
        Zone::Red => Some((
            Zone::Exchange,
            add_months(last_activity, thresholds.exchange)
                .succ_opt()
                .unwrap_or(NaiveDate::MAX),
        )),
        Zone::Exchange => None,
    }
}

/// The zone of a client on `as_of`, or `None` if it was created after that.
/// Facts dated after `as_of` are ignored; payments and shipments are not
/// contact and do not count.
pub fn zone(
    facts: &ClientFacts,
    thresholds: ZoneThresholds,
    as_of: NaiveDate,
) -> Option<ZoneReport> {
    let mut walk = Vec::new();
    zone_with(facts, thresholds, as_of, &mut walk)
}

/// An activity day packed for sorting: the biased day number in the high
/// half, then the index of an assignment, or [`NOT_ASSIGNMENT`] for other
/// contact.
pub(crate) type Activity = u64;
const NOT_ASSIGNMENT: u32 = u32::MAX;
/// Keeps every day of chrono's range positive.
const DAY_BIAS: i64 = 1 << 30;

fn activity(date: NaiveDate, assignment: u32) -> Activity {
    let day = u64::try_from(day(date) + DAY_BIAS).expect("chrono days fit the bias");
    day << 32 | u64::from(assignment)
}

/// The day of a packed activity.
pub(crate) fn activity_date(a: Activity) -> NaiveDate {
    date_of(unpack(a).0)
}

fn unpack(a: Activity) -> (i64, u32) {
    let day = i64::try_from(a >> 32).expect("32 bits fit i64") - DAY_BIAS;
    let assignment = u32::try_from(a & u64::from(u32::MAX)).expect("masked to 32 bits");
    (day, assignment)
}

/// [`zone`] with a reusable buffer, for evaluating a whole base.
pub(crate) fn zone_with(
    facts: &ClientFacts,
    thresholds: ZoneThresholds,
    as_of: NaiveDate,
    walk: &mut Vec<Activity>,
) -> Option<ZoneReport> {
    if facts.created > as_of {
        return None;
    }
    collect_activity(facts, as_of, walk);
    let mut state = Walk::new(facts, thresholds);
    for &a in walk.iter() {
        state.step(a);
    }
    let (zone, responsible, last_activity, in_exchange_since) = state.on(as_of);
    Some(ZoneReport {
        zone,
        responsible: responsible.map(str::to_owned),
        last_activity,
        in_exchange_since,
    })
}

/// Fills `walk` with the client's contact and assignment days up to
/// `as_of`, in the order they are walked.
pub(crate) fn collect_activity(facts: &ClientFacts, as_of: NaiveDate, walk: &mut Vec<Activity>) {
    walk.clear();
    let mut add = |date: NaiveDate, assignment: u32| {
        if date <= as_of {
            walk.push(activity(date, assignment));
        }
    };
    for &e in &facts.events {
        add(e, NOT_ASSIGNMENT);
    }
    for i in &facts.interests {
        // A system task counts only once a person took it up (SPEC 5).
        for d in i.contact_days() {
            add(d, NOT_ASSIGNMENT);
        }
    }
    for (n, a) in facts.assignments.iter().enumerate() {
        let n = u32::try_from(n)
            .ok()
            .filter(|&n| n != NOT_ASSIGNMENT)
            .expect("fewer than 2^32 - 1 assignments fit in memory");
        add(a.date, n);
    }
    // Same-day assignments in input order, so that the later one wins;
    // other contact sorts last within a day, which changes nothing.
    walk.sort_unstable();
}

/// What one step of the walk changed about the exchange.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Moves<'f> {
    /// The client went to the exchange on this day, from this manager
    /// (found only now: no contact came in time).
    pub detached: Option<(NaiveDate, &'f str)>,
    /// The day was an assignment, to this manager or to none (a pool).
    pub assigned: Option<Option<&'f str>>,
    /// That assignment took the client out of the exchange.
    pub left_exchange: bool,
}

/// The walk over a client's activity days, fed in date order
/// ([`collect_activity`]). Its state after the days up to a date gives the
/// zone on that date ([`Walk::on`]) without being consumed, so one walk
/// answers every date of a series.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'f> {
    facts: &'f ClientFacts,
    thresholds: ZoneThresholds,
    manager: Option<&'f str>,
    last: Option<i64>,
    exchange: Option<NaiveDate>,
    /// k calendar months are at least 28k days, so a gap this short cannot
    /// pass the threshold and the month arithmetic can be skipped.
    quick_gap: i64,
    /// The yellow, red and exchange days for the last activity they were
    /// computed for: a series reads the walk on many dates between two
    /// activities, and calendar months are the costly part.
    bounds: Cell<Option<(NaiveDate, Bounds)>>,
}

/// The first yellow day, the first red day and the day a client goes to the
/// exchange, for one last activity.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    yellow: NaiveDate,
    red: NaiveDate,
    detached: NaiveDate,
}

impl<'f> Walk<'f> {
    pub fn new(facts: &'f ClientFacts, thresholds: ZoneThresholds) -> Walk<'f> {
        Walk {
            facts,
            thresholds,
            manager: None,
            last: None,
            exchange: None,
            quick_gap: 28 * i64::from(thresholds.exchange) + 1,
            bounds: Cell::new(None),
        }
    }

    /// The bounds for the last activity `last`, computed once per `last`.
    fn bounds(&self, last: NaiveDate) -> Bounds {
        if let Some((d, b)) = self.bounds.get()
            && d == last
        {
            return b;
        }
        let b = Bounds {
            yellow: add_months(last, self.thresholds.yellow),
            red: add_months(last, self.thresholds.red),
            detached: self.detached_on(last),
        };
        self.bounds.set(Some((last, b)));
        b
    }

    /// The first day past the exchange threshold, for a last activity `d`.
    fn detached_on(&self, d: NaiveDate) -> NaiveDate {
        add_months(d, self.thresholds.exchange)
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Walks one activity day (no earlier than the last one walked).
    pub fn step(&mut self, a: Activity) -> Moves<'f> {
        let mut moves = Moves::default();
        let (today, assignment) = unpack(a);
        // Did the client, with a manager and no contact, pass the threshold
        // on a day before this one? (Contact on the very first day past it
        // still comes in time.)
        if let (None, Some(manager), Some(d)) = (self.exchange, self.manager, self.last)
            && today - d > self.quick_gap
        {
            let x = self.detached_on(date_of(d));
            if day(x) < today {
                self.exchange = Some(x);
                self.manager = None;
                moves.detached = Some((x, manager));
            }
        }
        // Walked in date order, so this is the latest activity so far.
        self.last = Some(today);
        if assignment != NOT_ASSIGNMENT {
            let to = self.facts.assignments[assignment as usize]
                .manager
                .as_deref();
            // This assignment is dated on or after the day the client went
            // to the exchange, if it did: it takes it back.
            moves.assigned = Some(to);
            moves.left_exchange = self.exchange.is_some();
            self.manager = to;
            self.exchange = None;
        }
        moves
    }

    /// A detachment still pending after the last day walked: the client
    /// goes to the exchange on that day if nothing else comes before it.
    pub fn pending(&self) -> Option<(NaiveDate, &'f str)> {
        match (self.exchange, self.manager) {
            (None, Some(m)) => Some((self.bounds(self.last_activity()).detached, m)),
            _ => None,
        }
    }

    fn last_activity(&self) -> NaiveDate {
        self.last.map_or(self.facts.created, date_of)
    }

    /// The zone, the effective responsible, the last activity and the day
    /// it went to the exchange, on `as_of`, given that every activity up to
    /// `as_of` (and none after) has been walked.
    pub fn on(
        &self,
        as_of: NaiveDate,
    ) -> (Option<Zone>, Option<&'f str>, NaiveDate, Option<NaiveDate>) {
        let last_activity = self.last_activity();
        let (mut exchange, mut manager) = (self.exchange, self.manager);
        if let Some((x, _)) = self.pending()
            && x <= as_of
        {
            exchange = Some(x);
            manager = None;
        }
        let zone = match (exchange, manager) {
            (Some(_), _) => Some(Zone::Exchange),
            (None, None) => None,
            (None, Some(_)) => {
                let b = self.bounds(last_activity);
                Some(if as_of < b.yellow {
                    Zone::Green
                } else if as_of < b.red {
                    Zone::Yellow
                } else {
                    Zone::Red
                })
            }
        };
        (zone, manager, last_activity, exchange)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::Datelike;
    use proptest::prelude::*;

    use super::*;
    use crate::rules::facts::{AssignmentFact, InterestFact};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn client(created: &str, manager: &str) -> ClientFacts {
        let mut f = ClientFacts::new(d(created));
        f.assignments.push(AssignmentFact {
            date: d(created),
            manager: Some(manager.to_owned()),
        });
        f
    }

    fn zone_on(f: &ClientFacts, as_of: &str) -> (Option<Zone>, Option<String>) {
        let r = zone(f, ZoneThresholds::default(), d(as_of)).unwrap();
        (r.zone, r.responsible)
    }

    fn with(z: Zone) -> (Option<Zone>, Option<String>) {
        (Some(z), (z != Zone::Exchange).then(|| "m1".to_owned()))
    }

    #[test]
    fn month_ends_clamp_the_thresholds() {
        // 31 January + 1 month = 28 February (2026 is not a leap year).
        let f = client("2026-01-31", "m1");
        assert_eq!(zone_on(&f, "2026-02-27"), with(Zone::Green));
        assert_eq!(zone_on(&f, "2026-02-28"), with(Zone::Yellow));
        // + 5 months = 30 June; red through + 6 months = 31 July.
        assert_eq!(zone_on(&f, "2026-06-29"), with(Zone::Yellow));
        assert_eq!(zone_on(&f, "2026-06-30"), with(Zone::Red));
        assert_eq!(zone_on(&f, "2026-07-31"), with(Zone::Red));
        assert_eq!(zone_on(&f, "2026-08-01"), with(Zone::Exchange));
        let r = zone(&f, ZoneThresholds::default(), d("2026-09-01")).unwrap();
        assert_eq!(r.in_exchange_since, Some(d("2026-08-01")));
    }

    #[test]
    fn leap_day_plus_months() {
        // 29 February 2028 + 1 month = 29 March; + 6 months = 29 August.
        let f = client("2028-02-29", "m1");
        assert_eq!(zone_on(&f, "2028-03-28"), with(Zone::Green));
        assert_eq!(zone_on(&f, "2028-03-29"), with(Zone::Yellow));
        assert_eq!(zone_on(&f, "2028-08-29"), with(Zone::Red));
        assert_eq!(zone_on(&f, "2028-08-30"), with(Zone::Exchange));
        // 31 August + 6 months = 28 February 2029.
        let f = client("2028-08-31", "m1");
        assert_eq!(zone_on(&f, "2029-02-28"), with(Zone::Red));
        assert_eq!(zone_on(&f, "2029-03-01"), with(Zone::Exchange));
    }

    #[test]
    fn contact_on_the_first_day_past_the_threshold_keeps_the_client() {
        let mut f = client("2026-01-31", "m1");
        f.events.push(d("2026-08-01"));
        assert_eq!(zone_on(&f, "2026-08-01"), with(Zone::Green));
        assert_eq!(zone_on(&f, "2026-12-01"), with(Zone::Yellow));
    }

    #[test]
    fn a_late_event_does_not_take_the_client_back_from_the_exchange() {
        let mut f = client("2026-01-10", "m1");
        f.events.push(d("2026-08-20"));
        f.interests.push(InterestFact::open(d("2026-09-01")));
        let r = zone(&f, ZoneThresholds::default(), d("2026-09-05")).unwrap();
        assert_eq!((r.zone, r.responsible), (Some(Zone::Exchange), None));
        assert_eq!(r.in_exchange_since, Some(d("2026-07-11")));
        assert_eq!(r.last_activity, d("2026-09-01"));
        // Before it went there, it was red with its manager.
        assert_eq!(zone_on(&f, "2026-07-10"), with(Zone::Red));
    }

    #[test]
    fn an_assignment_takes_the_client_back() {
        let mut f = client("2026-01-10", "m1");
        f.events.push(d("2026-08-20"));
        f.assignments.push(AssignmentFact {
            date: d("2026-09-02"),
            manager: Some("m2".to_owned()),
        });
        let r = zone(&f, ZoneThresholds::default(), d("2026-09-05")).unwrap();
        assert_eq!(
            (r.zone, r.responsible.as_deref()),
            (Some(Zone::Green), Some("m2"))
        );
        assert_eq!(r.in_exchange_since, None);
        // Taken back on the very day it went there.
        let mut f = client("2026-01-10", "m1");
        f.assignments.push(AssignmentFact {
            date: d("2026-07-11"),
            manager: Some("m3".to_owned()),
        });
        let r = zone(&f, ZoneThresholds::default(), d("2026-07-11")).unwrap();
        assert_eq!(
            (r.zone, r.responsible.as_deref()),
            (Some(Zone::Green), Some("m3"))
        );
    }

    #[test]
    fn no_manager_means_no_zone() {
        let f = ClientFacts::new(d("2026-01-10"));
        let r = zone(&f, ZoneThresholds::default(), d("2027-01-10")).unwrap();
        assert_eq!(
            (r.zone, r.responsible, r.last_activity),
            (None, None, d("2026-01-10"))
        );
        // In a pool: no zone, and a long silence does not send it to the
        // exchange; a manager taking it starts a new count.
        let mut f = client("2026-01-10", "m1");
        f.assignments.push(AssignmentFact {
            date: d("2026-02-01"),
            manager: None,
        });
        assert_eq!(zone_on(&f, "2027-01-10"), (None, None));
        f.assignments.push(AssignmentFact {
            date: d("2027-01-05"),
            manager: Some("m1".to_owned()),
        });
        assert_eq!(zone_on(&f, "2027-01-10"), with(Zone::Green));
    }

    #[test]
    fn same_day_assignments_the_later_listed_wins_and_future_facts_are_ignored() {
        let mut f = client("2026-01-10", "m0");
        f.assignments.push(AssignmentFact {
            date: d("2026-01-10"),
            manager: Some("m1".to_owned()),
        });
        f.assignments.push(AssignmentFact {
            date: d("2026-03-01"),
            manager: Some("m2".to_owned()),
        });
        f.payments.push(d("2026-02-20"));
        assert_eq!(zone_on(&f, "2026-02-20"), with(Zone::Yellow));
        assert!(zone(&f, ZoneThresholds::default(), d("2026-01-09")).is_none());
    }

    type Outcome = Option<(Option<Zone>, Option<String>, NaiveDate, Option<NaiveDate>)>;

    /// SPEC 6 read literally, one day at a time: the day's contact and
    /// assignments (in listed order), then the exchange test for that day.
    fn daily(facts: &ClientFacts, t: ZoneThresholds, as_of: NaiveDate) -> Outcome {
        if facts.created > as_of {
            return None;
        }
        let mut contact: Vec<NaiveDate> = facts.events.clone();
        for i in &facts.interests {
            if !i.automatic {
                contact.push(i.created);
                contact.extend(i.completed);
                contact.extend(&i.activity);
                continue;
            }
            // A system task is contact from the day a person took it up
            // (else its completion), as if created then; nothing before.
            let Some(from) = i.taken_up.or(i.completed).map(|d| d.max(i.created)) else {
                continue;
            };
            contact.push(from);
            contact.extend(i.completed.filter(|&c| c >= from));
            contact.extend(i.activity.iter().filter(|&&a| a >= from));
        }
        let start = contact
            .iter()
            .chain(facts.assignments.iter().map(|a| &a.date))
            .fold(facts.created, |a, &b| a.min(b));
        let (mut manager, mut last, mut exchange) = (None::<String>, None, None);
        let mut day = start;
        while day <= as_of {
            if contact.contains(&day) {
                last = Some(day);
            }
            for a in facts.assignments.iter().filter(|a| a.date == day) {
                last = Some(day);
                manager.clone_from(&a.manager);
                exchange = None;
            }
            if exchange.is_none()
                && manager.is_some()
                && day > add_months(last.unwrap_or(facts.created), t.exchange)
            {
                exchange = Some(day);
                manager = None;
            }
            day = day.succ_opt().unwrap();
        }
        let last = last.unwrap_or(facts.created);
        let zone = match (exchange, &manager) {
            (Some(_), _) => Some(Zone::Exchange),
            (None, None) => None,
            (None, Some(_)) if as_of < add_months(last, t.yellow) => Some(Zone::Green),
            (None, Some(_)) if as_of < add_months(last, t.red) => Some(Zone::Yellow),
            (None, Some(_)) => Some(Zone::Red),
        };
        Some((zone, manager, last, exchange))
    }

    /// Days around month ends from December 2027 to March 2029 (a leap
    /// February included), where thresholds are most likely to be hit
    /// exactly.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (
            0u32..16,
            prop::sample::select(vec![1u32, 2, 27, 28, 29, 30, 31]),
        )
            .prop_map(|(m, day)| {
                let first = d("2027-12-01").checked_add_months(Months::new(m)).unwrap();
                (0..4).find_map(|back| first.with_day(day - back)).unwrap()
            })
    }

    fn any_facts() -> impl Strategy<Value = ClientFacts> {
        let date = any_date;
        let interest = (
            date(),
            prop::option::of(date()),
            prop::collection::vec(date(), 0..2),
            prop::option::weighted(0.3, prop::option::of(date())),
        )
            .prop_map(|(created, completed, activity, automatic)| InterestFact {
                created,
                completed,
                outcome: None,
                activity,
                automatic: automatic.is_some(),
                taken_up: automatic.flatten(),
            });
        let manager = prop::option::of(prop::sample::select(vec!["m1", "m2"]));
        let assignment = (date(), manager).prop_map(|(date, m)| AssignmentFact {
            date,
            manager: m.map(str::to_owned),
        });
        (
            date(),
            prop::collection::vec(date(), 0..4),
            prop::collection::vec(interest, 0..3),
            prop::collection::vec(assignment, 0..4),
        )
            .prop_map(move |(created, events, interests, assignments)| {
                let mut f = ClientFacts::new(created);
                f.events = events;
                f.interests = interests;
                f.assignments = assignments;
                f
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_walk_equals_the_daily_definition(
            facts in any_facts(),
            steps in (0u32..3, 0u32..3, 0u32..4),
            as_of in any_date(),
        ) {
            let t = ZoneThresholds {
                yellow: steps.0,
                red: steps.0 + steps.1,
                exchange: steps.0 + steps.1 + steps.2,
            };
            let walked = zone(&facts, t, as_of)
                .map(|r| (r.zone, r.responsible, r.last_activity, r.in_exchange_since));
            prop_assert_eq!(walked, daily(&facts, t, as_of));
        }

        /// With nobody contacting the client, it is in the zone it is in
        /// until the day before the one `next_zone` names, and in the next
        /// zone on that day.
        #[test]
        fn next_zone_names_the_first_day_of_the_next_zone(
            facts in any_facts(),
            as_of in any_date(),
        ) {
            let t = ZoneThresholds::default();
            let Some(now) = zone(&facts, t, as_of) else { return Ok(()) };
            let Some(z) = now.zone else { return Ok(()) };
            let Some((next, day)) = next_zone(z, now.last_activity, t) else {
                prop_assert_eq!(z, Zone::Exchange);
                return Ok(());
            };
            prop_assert!(day > as_of);
            // Checked only while nothing more happens to the client.
            let later = facts
                .events
                .iter()
                .chain(facts.assignments.iter().map(|a| &a.date))
                .chain(facts.interests.iter().flat_map(|i| {
                    std::iter::once(&i.created)
                        .chain(&i.completed)
                        .chain(&i.activity)
                        .chain(&i.taken_up)
                }))
                .filter(|&&date| date > as_of)
                .min();
            if later.is_some_and(|&l| l <= day) {
                return Ok(());
            }
            let on = |date: NaiveDate| zone(&facts, t, date).and_then(|r| r.zone);
            prop_assert_eq!(on(day.pred_opt().unwrap()), Some(z));
            prop_assert_eq!(on(day), Some(next));
        }
    }
}
