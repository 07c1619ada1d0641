//! A period of calendar days that a report or a timeline is limited to.

use crate::date::Date;

/// Calendar days from `from` to `to`, both included (as SPEC 5 counts "in
/// the period"); an open end does not limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    /// Every day.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// From one day to another, both included.
    pub fn between(from: Date, to: Date) -> Period {
        Period {
            from: Some(from),
            to: Some(to),
        }
    }

    /// Whether the day is in the period.
    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> Date {
        Date::from_ymd(2026, 11, d).expect("a November day")
    }

    #[test]
    fn both_ends_are_in_the_period_and_an_open_end_does_not_limit() {
        let p = Period::between(day(5), day(10));
        assert!(!p.contains(day(4)));
        assert!(p.contains(day(5)) && p.contains(day(10)));
        assert!(!p.contains(day(11)));
        assert!(Period::ALL.contains(day(1)));
        let since = Period {
            from: Some(day(5)),
            to: None,
        };
        assert!(since.contains(day(30)) && !since.contains(day(4)));
    }
}
