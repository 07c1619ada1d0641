//! The supervisor's zones dashboard (SPEC 6, SPEC 10 `kartoteka zones`):
//! per manager, how many clients were green, yellow and red on each of a
//! series of weekly dates, how many were in the exchange, and how many of a
//! manager's clients went to the exchange or were taken from it each week.
//!
//! Nothing is stored: every past date's zones come from the facts, exactly
//! as `evaluate --as-of` that date would give them. Zones do not depend on
//! statuses, and the exchange walk ([`crate::rules::zone`]) only ever moves
//! forward in time, so one walk per client answers every date of the
//! series: the walk is advanced to each date in turn and read there. That
//! is what makes 20,000 clients × 26 weeks cheap enough for the browser.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::rules::config::ZoneThresholds;
use crate::rules::facts::ClientFacts;
use crate::rules::status::day;
use crate::rules::zone::{Activity, Walk, Zone, activity_date, collect_activity};

/// Days between two dates of the series.
pub const WEEK_DAYS: u64 = 7;

/// The dates of a weekly series ending on `as_of`: `as_of` and the
/// `weeks - 1` dates 7, 14, … days before it, oldest first. `None` for no
/// weeks, or for dates before the calendar's start.
pub fn weekly_dates(as_of: NaiveDate, weeks: u32) -> Option<Vec<NaiveDate>> {
    if weeks == 0 {
        return None;
    }
    (0..u64::from(weeks))
        .rev()
        .map(|k| as_of.checked_sub_days(Days::new(k * WEEK_DAYS)))
        .collect()
}

/// One manager's row of the dashboard; every list has one number per date
/// of [`ZoneSeries::dates`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManagerSeries {
    /// Clients green with this manager as the effective responsible.
    pub green: Vec<u32>,
    pub yellow: Vec<u32>,
    pub red: Vec<u32>,
    /// Clients of this manager that went to the exchange in the week
    /// ending on the date (the 7 days up to and including it).
    pub to_exchange: Vec<u32>,
    /// Clients that left the exchange in the week ending on the date and
    /// were this manager's at the end of that day (taken by them, or given
    /// to them by a supervisor).
    pub from_exchange: Vec<u32>,
}

impl ManagerSeries {
    fn new(dates: usize) -> ManagerSeries {
        ManagerSeries {
            green: vec![0; dates],
            yellow: vec![0; dates],
            red: vec![0; dates],
            to_exchange: vec![0; dates],
            from_exchange: vec![0; dates],
        }
    }

    /// Whether the manager had a client in a zone on any date (SPEC 10
    /// leaves out the others).
    pub fn had_clients(&self) -> bool {
        [&self.green, &self.yellow, &self.red]
            .iter()
            .any(|v| v.iter().any(|&n| n > 0))
    }
}

/// The dashboard's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneSeries {
    /// Oldest first.
    pub dates: Vec<NaiveDate>,
    /// Every manager with a client in a zone on some date, or a client
    /// that went to or came from the exchange in some week; by user id.
    pub managers: BTreeMap<String, ManagerSeries>,
    /// Clients in the exchange on each date.
    pub exchange: Vec<u32>,
}

impl ZoneSeries {
    /// SPEC 10's output of `kartoteka zones`: the dates, per manager with
    /// a client on some date the green, yellow and red counts, and the
    /// exchange counts.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Row<'a> {
            green: &'a [u32],
            yellow: &'a [u32],
            red: &'a [u32],
        }
        #[derive(Serialize)]
        struct Out<'a> {
            dates: &'a [NaiveDate],
            managers: BTreeMap<&'a str, Row<'a>>,
            exchange: &'a [u32],
        }
        let out = Out {
            dates: &self.dates,
            managers: self
                .managers
                .iter()
                .filter(|(_, m)| m.had_clients())
                .map(|(id, m)| {
                    (
                        id.as_str(),
                        Row {
                            green: &m.green,
                            yellow: &m.yellow,
                            red: &m.red,
                        },
                    )
                })
                .collect(),
            exchange: &self.exchange,
        };
        serde_json::to_string_pretty(&out).expect("the series has string keys and plain values")
    }
}

/// Computes the dashboard over `dates` (ascending, one week apart as
/// [`weekly_dates`] gives them) for these clients. A client counts on a
/// date only if it was created by then.
pub fn zone_series<'f>(
    clients: impl IntoIterator<Item = &'f ClientFacts>,
    thresholds: ZoneThresholds,
    dates: &[NaiveDate],
) -> ZoneSeries {
    let mut series = SeriesBuilder::new(thresholds, dates);
    for facts in clients {
        series.add(facts);
    }
    series.finish()
}

/// Builds a [`ZoneSeries`] client by client, with its buffers reused (for
/// a caller that has the facts in slices, e.g. between yields in the
/// browser).
#[derive(Debug)]
pub struct SeriesBuilder<'d> {
    thresholds: ZoneThresholds,
    dates: &'d [NaiveDate],
    rows: Vec<(String, ManagerSeries)>,
    index: HashMap<String, usize>,
    exchange: Vec<u32>,
    walk: Vec<Activity>,
}

impl<'d> SeriesBuilder<'d> {
    /// A builder for these dates (ascending, one week apart).
    pub fn new(thresholds: ZoneThresholds, dates: &'d [NaiveDate]) -> SeriesBuilder<'d> {
        SeriesBuilder {
            thresholds,
            dates,
            rows: Vec::new(),
            index: HashMap::new(),
            exchange: vec![0; dates.len()],
            walk: Vec::new(),
        }
    }

    fn row_index(&mut self, manager: &str) -> usize {
        match self.index.get(manager) {
            Some(&n) => n,
            None => {
                let n = self.rows.len();
                self.rows
                    .push((manager.to_owned(), ManagerSeries::new(self.dates.len())));
                self.index.insert(manager.to_owned(), n);
                n
            }
        }
    }

    fn row(&mut self, manager: &str) -> &mut ManagerSeries {
        let n = self.row_index(manager);
        &mut self.rows[n].1
    }

    /// The index of the week (ending on a date of the series) that `date`
    /// falls in, if any.
    fn week_of(&self, date: NaiveDate) -> Option<usize> {
        let first = day(*self.dates.first()?);
        let last = day(*self.dates.last()?);
        let week = i64::try_from(WEEK_DAYS).ok()?;
        let k = day(date) - first + week;
        if k < 1 || day(date) > last {
            return None;
        }
        usize::try_from((k - 1) / week).ok()
    }

    /// Counts a client gone to the exchange from this manager on day `x`.
    fn went(&mut self, x: NaiveDate, from: &str) {
        if let Some(w) = self.week_of(x) {
            self.row(from).to_exchange[w] += 1;
        }
    }

    /// Counts a client that left the exchange on day `on` and was with
    /// this manager at the end of that day.
    fn taken(&mut self, on: NaiveDate, to: Option<&str>) {
        if let (Some(w), Some(to)) = (self.week_of(on), to) {
            self.row(to).from_exchange[w] += 1;
        }
    }

    /// Counts one client on every date.
    pub fn add(&mut self, facts: &ClientFacts) {
        let Some(&last_date) = self.dates.last() else {
            return;
        };
        if facts.created > last_date {
            return;
        }
        let mut walk = std::mem::take(&mut self.walk);
        collect_activity(facts, last_date, &mut walk);
        let mut state = Walk::new(facts, self.thresholds);
        let mut next = 0;
        // A client taken from the exchange counts for the manager it has
        // at the end of that day (a second assignment the same day wins).
        let mut taken: Option<(NaiveDate, Option<&str>)> = None;
        // The responsible rarely changes from date to date: its row is
        // looked up once per change, not once per date.
        let mut row: Option<(&str, usize)> = None;
        let dates = self.dates;
        for (i, &date) in dates.iter().enumerate() {
            while let Some(&a) = walk.get(next).filter(|&&a| activity_date(a) <= date) {
                let on = activity_date(a);
                let moves = state.step(a);
                // Only a client that existed the day before moves (facts
                // dated before the creation only set where it starts).
                if let Some((x, from)) = moves.detached.filter(|(x, _)| *x > facts.created) {
                    self.went(x, from);
                }
                if let Some((d, to)) = taken.filter(|(d, _)| *d != on) {
                    if d > facts.created {
                        self.taken(d, to);
                    }
                    taken = None;
                }
                if let Some(to) = moves.assigned {
                    if moves.left_exchange {
                        taken = Some((on, to));
                    } else if let Some((_, same_day)) = &mut taken {
                        *same_day = to;
                    }
                }
                next += 1;
            }
            // Every activity of the day has been walked by now.
            if let Some((on, to)) = taken.take().filter(|(on, _)| *on > facts.created) {
                self.taken(on, to);
            }
            if facts.created > date {
                continue;
            }
            let (zone, responsible, _, _) = state.on(date);
            match (zone, responsible) {
                (Some(Zone::Exchange), _) => self.exchange[i] += 1,
                (Some(zone), Some(m)) => {
                    let n = match row {
                        Some((r, n)) if r == m => n,
                        _ => {
                            let n = self.row_index(m);
                            row = Some((m, n));
                            n
                        }
                    };
                    let row = &mut self.rows[n].1;
                    match zone {
                        Zone::Green => row.green[i] += 1,
                        Zone::Yellow => row.yellow[i] += 1,
                        _ => row.red[i] += 1,
                    }
                }
                _ => {}
            }
        }
        // A detachment after the last activity, by the last date.
        if let Some((x, from)) = state.pending()
            && x <= last_date
            && x > facts.created
        {
            self.went(x, from);
        }
        self.walk = walk;
    }

    /// The series of every client added.
    pub fn finish(self) -> ZoneSeries {
        ZoneSeries {
            dates: self.dates.to_vec(),
            managers: self.rows.into_iter().collect(),
            exchange: self.exchange,
        }
    }
}

#[cfg(test)]
mod tests;
