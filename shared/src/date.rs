//! Calendar dates and instants as they are stored in documents.
//!
//! Facts carry calendar dates in the workspace's time zone (SPEC 5: "Dates are
//! calendar dates"), stored as `YYYY-MM-DD` strings so that a document read by
//! any tool shows them as people write them. Instants (when a change was made)
//! are milliseconds since the Unix epoch.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A calendar date, `YYYY-MM-DD` in documents, JSON and the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

impl Date {
    /// The date from its year, month and day, if such a day exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// The calendar date of an instant in a time zone given as a fixed offset
    /// from UTC in minutes (the workspace's zone, as the device learned it).
    pub fn of_instant(at: Timestamp, utc_offset_minutes: i32) -> Date {
        let shifted = at.0 + i64::from(utc_offset_minutes) * 60_000;
        let days = shifted.div_euclid(86_400_000);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 exists");
        Date(epoch + chrono::TimeDelta::days(days))
    }

    /// The underlying chrono date.
    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

/// 1970-01-01: only a placeholder for a draft that has no date yet.
impl Default for Date {
    fn default() -> Self {
        Date(NaiveDate::default())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A date that is not a real `YYYY-MM-DD` calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a date in the form YYYY-MM-DD")]
pub struct DateParseError(pub String);

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        // chrono accepts a few looser forms; the documents and the command
        // line promise exactly ten characters.
        if t.len() != 10 {
            return Err(DateParseError(s.to_owned()));
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| DateParseError(s.to_owned()))
    }
}

impl Reconcile for Date {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.to_string())
    }
}

impl Hydrate for Date {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        s.parse()
            .map_err(|_| HydrateError::unexpected("a date YYYY-MM-DD", s.to_owned()))
    }
}

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Reconcile for Timestamp {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.timestamp(self.0)
    }
}

impl Hydrate for Timestamp {
    fn hydrate_timestamp(t: i64) -> Result<Self, HydrateError> {
        Ok(Timestamp(t))
    }

    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Timestamp(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_iso_dates() {
        assert_eq!(
            "2024-02-29".parse::<Date>(),
            Ok(Date::from_ymd(2024, 2, 29).expect("leap day"))
        );
        for bad in [
            "2023-02-29",
            "2024-2-3",
            "29.02.2024",
            "",
            "2024-02-29T00:00",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn instant_to_local_date_uses_the_offset() {
        // 2026-11-21T22:30:00Z is already the 22nd in Moscow (UTC+3).
        let at = Timestamp(1_795_300_200_000);
        assert_eq!(Date::of_instant(at, 0).to_string(), "2026-11-21");
        assert_eq!(Date::of_instant(at, 180).to_string(), "2026-11-22");
    }
}
