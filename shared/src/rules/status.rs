//! The status of work with a client (SPEC 5): its whole history as a pure
//! function of the client's facts, the rule set and the evaluation date, and
//! the explanation behind the card's "?".
//!
//! SPEC 5 defines the history by a daily evaluation. Every count a rule
//! reads is a number of intervals containing the evaluation day (an
//! Interest is active from its creation to `N` days after its completion, a
//! payment counts from its date to `N` days later, …), so the counts change
//! only on a fact's date or `N + 1` days after it. The engine therefore
//! evaluates only on those days, on days with manual settings, and on the
//! day after a rule fired (the next rule of a chain may fire then); on every
//! other day the daily evaluation would see the same status and the same
//! counts as the day before and change nothing. A property test checks this
//! against a literal day-by-day implementation.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::rules::config::{Clause, MANUAL_RULE, RuleSet, StatusId, StatusIx, SuppliedRule};
use crate::rules::facts::{ClientFacts, FactsError};

/// What set a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SetBy {
    /// The card was created: the "for a new client" status.
    Creation,
    /// A person; `setting` is the index in [`ClientFacts::manual_statuses`].
    Manual { setting: usize },
    /// An automatic rule with this id and period.
    Rule { id: String, period_days: u32 },
}

impl SetBy {
    /// The `rule` of SPEC 10: `"new"`, `"manual"` or the rule's id.
    pub fn rule_id(&self) -> &str {
        match self {
            SetBy::Creation => SuppliedRule::New.id(),
            SetBy::Manual { .. } => MANUAL_RULE,
            SetBy::Rule { id, .. } => id,
        }
    }
}

/// One change of status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub date: NaiveDate,
    /// `None` for the creation.
    pub from: Option<StatusId>,
    pub to: StatusId,
    pub by: SetBy,
}

/// A client's status history up to an evaluation date: the creation first,
/// then every change in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// Never empty: it starts with the creation.
    history: Vec<StatusChange>,
}

impl StatusReport {
    /// Every change, oldest first, starting with the creation.
    pub fn history(&self) -> &[StatusChange] {
        &self.history
    }

    /// The change that set the current status.
    pub fn current(&self) -> &StatusChange {
        self.history
            .last()
            .expect("a status history starts with the creation")
    }

    /// The current status.
    pub fn status(&self) -> &StatusId {
        &self.current().to
    }

    /// The day the current status was set (`status_since`).
    pub fn since(&self) -> NaiveDate {
        self.current().date
    }

    /// The rule that set the current status: `"new"`, `"manual"` or a
    /// rule id.
    pub fn rule(&self) -> &str {
        self.current().by.rule_id()
    }

    /// The status the client had at the end of a day, or `None` before it
    /// was created.
    pub fn status_on(&self, date: NaiveDate) -> Option<&StatusId> {
        status_on(&self.history, date)
    }
}

/// The status at the end of `date` in a history, `None` before the first
/// change.
pub fn status_on(history: &[StatusChange], date: NaiveDate) -> Option<&StatusId> {
    let after = history.partition_point(|c| c.date <= date);
    after.checked_sub(1).map(|i| &history[i].to)
}

/// The status history of one client up to and including `as_of`, or
/// `Ok(None)` if the client was created after `as_of`. Facts dated after
/// `as_of` are ignored.
pub fn status_history(
    rules: &RuleSet,
    facts: &ClientFacts,
    as_of: NaiveDate,
) -> Result<Option<StatusReport>, FactsError> {
    let mut engine = Engine::new(rules);
    Ok(engine.run(facts, as_of)?.then(|| engine.report()))
}

/// The first and last day of a rule's period (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub days: u32,
}

/// Why a client has its current status: the card's "?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Explanation {
    /// The status given at creation; nothing has changed it since.
    Created { status: StatusId, date: NaiveDate },
    /// A person set it; `setting` indexes [`ClientFacts::manual_statuses`].
    Manual {
        status: StatusId,
        date: NaiveDate,
        setting: usize,
    },
    /// A rule set it on `date`, seeing the facts of `period`. The lists
    /// index the client's facts that were counted.
    Rule {
        status: StatusId,
        rule: String,
        /// The rule's conditions (all clauses must hold).
        conditions: Vec<Clause>,
        date: NaiveDate,
        period: Period,
        /// Interests active in the period.
        active_interests: Vec<usize>,
        /// Interests successfully completed in the period.
        successful_interests: Vec<usize>,
        payments: Vec<usize>,
        shipments: Vec<usize>,
    },
}

/// Explains the current status of a report computed from these facts with
/// these rules.
pub fn explain(rules: &RuleSet, facts: &ClientFacts, report: &StatusReport) -> Explanation {
    let current = report.current();
    let status = current.to.clone();
    let date = current.date;
    match &current.by {
        SetBy::Creation => Explanation::Created { status, date },
        SetBy::Manual { setting } => Explanation::Manual {
            status,
            date,
            setting: *setting,
        },
        SetBy::Rule { id, period_days } => {
            let last = day(date);
            let first = last - i64::from(*period_days);
            let inside = |d: NaiveDate| (first..=last).contains(&day(d));
            let indices = |dates: &[NaiveDate]| {
                dates
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| inside(**d))
                    .map(|(i, _)| i)
                    .collect()
            };
            let interests = facts.interests.iter().enumerate();
            Explanation::Rule {
                status,
                rule: id.clone(),
                conditions: rules
                    .rules
                    .iter()
                    .find(|r| &r.id == id)
                    .map(|r| r.clauses.clone())
                    .unwrap_or_default(),
                date,
                period: Period {
                    first: date
                        .checked_sub_days(chrono::Days::new(u64::from(*period_days)))
                        .unwrap_or(NaiveDate::MIN),
                    last: date,
                    days: *period_days,
                },
                active_interests: interests
                    .clone()
                    .filter(|(_, i)| {
                        i.counts_from().is_some_and(|f| day(f) <= last)
                            && i.completed.is_none_or(|c| day(c) >= first)
                    })
                    .map(|(n, _)| n)
                    .collect(),
                successful_interests: interests
                    .filter(|(_, i)| {
                        i.succeeded()
                            && i.counts_from().is_some_and(|f| day(f) <= last)
                            && i.completed.is_some_and(inside)
                    })
                    .map(|(n, _)| n)
                    .collect(),
                payments: indices(&facts.payments),
                shipments: indices(&facts.shipments),
            }
        }
    }
}

/// A day as a number, so that "N + 1 days later" is plain arithmetic that
/// cannot leave chrono's range.
pub(crate) fn day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a day number that came from a date (the engine only ever
/// evaluates between the creation date and the evaluation date).
pub(crate) fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .expect("engine days lie between two valid dates")
}

/// A count changing from a day on, packed into one integer so that sorting
/// a client's changes is a sort of plain numbers: the biased day in the high
/// bits, then the counter (period slot × 4 + measure), then 1 for an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Delta(u64);

/// Keeps every day of chrono's range positive.
const DAY_BIAS: i64 = 1 << 30;
const COUNTER_BITS: u32 = 24;

impl Delta {
    fn new(day: i64, counter: usize, end: bool) -> Delta {
        let day = u64::try_from(day + DAY_BIAS).expect("chrono days fit the bias");
        let counter = u64::try_from(counter).expect("counters are bounded by MAX_STATUSES");
        Delta(day << (COUNTER_BITS + 1) | counter << 1 | u64::from(end))
    }

    fn day(self) -> i64 {
        i64::try_from(self.0 >> (COUNTER_BITS + 1)).expect("the day came from an i64") - DAY_BIAS
    }

    fn counter(self) -> usize {
        usize::try_from((self.0 >> 1) & ((1 << COUNTER_BITS) - 1)).expect("24 bits fit usize")
    }

    fn change(self) -> i64 {
        if self.0 & 1 == 1 { -1 } else { 1 }
    }
}

#[derive(Debug, Clone, Copy)]
struct Manual {
    day: i64,
    at: i64,
    setting: usize,
    status: StatusIx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawBy {
    Creation,
    Manual(usize),
    Rule(usize),
}

/// A change with statuses and rules as indices, before it is turned into a
/// [`StatusChange`].
#[derive(Debug, Clone, Copy)]
struct RawChange {
    day: i64,
    from: Option<StatusIx>,
    to: StatusIx,
    by: RawBy,
}

/// The change-point evaluator, with buffers reused from client to client
/// (the `evaluate` command runs it over a whole base).
#[derive(Debug)]
pub(crate) struct Engine<'r> {
    rules: &'r RuleSet,
    deltas: Vec<Delta>,
    manual: Vec<Manual>,
    /// Four counts (one per measure) per period slot.
    counts: Vec<i64>,
    changes: Vec<RawChange>,
}

impl<'r> Engine<'r> {
    pub fn new(rules: &'r RuleSet) -> Engine<'r> {
        Engine {
            rules,
            deltas: Vec::new(),
            manual: Vec::new(),
            counts: vec![0; rules.periods.len() * 4],
            changes: Vec::new(),
        }
    }

    /// Computes the history into [`Engine::changes`]; `Ok(false)` if the
    /// client did not exist yet on `as_of`.
    pub fn run(&mut self, facts: &ClientFacts, as_of: NaiveDate) -> Result<bool, FactsError> {
        let rules = self.rules;
        self.changes.clear();
        self.manual.clear();
        // Manual settings are checked whatever `as_of` is: a setting before
        // the creation is bad input, not a future fact.
        for (index, m) in facts.manual_statuses.iter().enumerate() {
            let status =
                rules
                    .index_of(m.status.as_str())
                    .ok_or_else(|| FactsError::UnknownStatus {
                        index,
                        status: m.status.clone(),
                    })?;
            if m.date < facts.created {
                return Err(FactsError::ManualBeforeCreation {
                    index,
                    date: m.date,
                    created: facts.created,
                });
            }
            if m.date <= as_of {
                self.manual.push(Manual {
                    day: day(m.date),
                    at: m.at,
                    setting: index,
                    status,
                });
            }
        }
        if facts.created > as_of {
            return Ok(false);
        }
        // Stable: settings made at the same instant keep the listed order.
        self.manual.sort_by_key(|m| (m.day, m.at));
        let t = day(as_of);
        self.collect_deltas(facts, t);
        self.counts.fill(0);

        let mut status = rules.new_client_ix();
        let mut today = day(facts.created);
        self.changes.push(RawChange {
            day: today,
            from: None,
            to: status,
            by: RawBy::Creation,
        });
        let (mut next_delta, mut next_manual) = (0, 0);
        loop {
            while let Some(d) = self.deltas.get(next_delta).filter(|d| d.day() <= today) {
                self.counts[d.counter()] += d.change();
                next_delta += 1;
            }
            while let Some(m) = self.manual.get(next_manual).filter(|m| m.day == today) {
                if m.status != status {
                    self.changes.push(RawChange {
                        day: today,
                        from: Some(status),
                        to: m.status,
                        by: RawBy::Manual(m.setting),
                    });
                    status = m.status;
                }
                next_manual += 1;
            }
            let fired = rules.candidates[status]
                .iter()
                .map(|&r| (r, &rules.rules[r]))
                .find(|(_, rule)| rule.holds(&self.counts[rule.slot * 4..][..4]));
            let next = if let Some((r, rule)) = fired {
                // Validation guarantees a rule never starts from its own
                // status, so a rule that holds always changes it.
                self.changes.push(RawChange {
                    day: today,
                    from: Some(status),
                    to: rule.status,
                    by: RawBy::Rule(r),
                });
                status = rule.status;
                today + 1
            } else {
                let delta = self.deltas.get(next_delta).map_or(i64::MAX, |d| d.day());
                let manual = self.manual.get(next_manual).map_or(i64::MAX, |m| m.day);
                delta.min(manual)
            };
            if next > t {
                return Ok(true);
            }
            today = next;
        }
    }

    /// Every count is a number of day intervals containing the evaluation
    /// day; record where each interval starts (+1) and ends (-1 the day
    /// after), dropping what starts after the evaluation date.
    fn collect_deltas(&mut self, facts: &ClientFacts, t: i64) {
        self.deltas.clear();
        let rules = self.rules;
        for (slot, (&period, used)) in rules.periods.iter().zip(&rules.used).enumerate() {
            let n = i64::from(period);
            let mut interval = |measure: usize, first: i64, last: i64| {
                if used[measure] && first <= t && first <= last {
                    let counter = slot * 4 + measure;
                    self.deltas.push(Delta::new(first, counter, false));
                    if last < t {
                        self.deltas.push(Delta::new(last + 1, counter, true));
                    }
                }
            };
            for i in &facts.interests {
                // A system task nobody took up or completed is not work
                // (SPEC 5); one taken up counts as if created that day.
                let Some(from) = i.counts_from() else {
                    continue;
                };
                let created = day(from);
                // Active from creation until N days after completion: on day
                // D it must not be completed before D - N.
                let end = i.completed.map_or(i64::MAX, |c| day(c) + n);
                interval(0, created, end);
                // A success counts from its completion, but never before the
                // Interest exists, so that a later evaluation date never
                // rewrites an earlier day.
                if i.succeeded()
                    && let Some(c) = i.completed
                {
                    interval(1, day(c).max(created), day(c) + n);
                }
            }
            for &p in &facts.payments {
                interval(2, day(p), day(p) + n);
            }
            for &s in &facts.shipments {
                interval(3, day(s), day(s) + n);
            }
        }
        self.deltas.sort_unstable();
    }

    /// The last run's history with ids instead of indices.
    pub fn report(&self) -> StatusReport {
        let rules = self.rules;
        let history = self
            .changes
            .iter()
            .map(|c| StatusChange {
                date: date_of(c.day),
                from: c.from.map(|s| rules.id_at(s).clone()),
                to: rules.id_at(c.to).clone(),
                by: match c.by {
                    RawBy::Creation => SetBy::Creation,
                    RawBy::Manual(setting) => SetBy::Manual { setting },
                    RawBy::Rule(r) => SetBy::Rule {
                        id: rules.rules[r].id.clone(),
                        period_days: rules.rules[r].period_days,
                    },
                },
            })
            .collect();
        StatusReport { history }
    }

    /// The current status, the day it was set and the rule id, without
    /// building the whole history.
    pub fn current(&self) -> Option<(&'r StatusId, NaiveDate, &'r str)> {
        let rules = self.rules;
        self.changes.last().map(|c| {
            let rule = match c.by {
                RawBy::Creation => SuppliedRule::New.id(),
                RawBy::Manual(_) => MANUAL_RULE,
                RawBy::Rule(r) => rules.rules[r].id.as_str(),
            };
            (rules.id_at(c.to), date_of(c.day), rule)
        })
    }

    /// The days of the last run's history, from `from` on, on which the
    /// client entered `status` (without building the whole history).
    pub fn entered(&self, status: &str, from: NaiveDate) -> Vec<NaiveDate> {
        let (Some(target), from) = (self.rules.index_of(status), day(from)) else {
            return Vec::new();
        };
        self.changes
            .iter()
            .filter(|c| c.to == target && c.day >= from && c.from.is_some())
            .map(|c| date_of(c.day))
            .collect()
    }
}

#[cfg(test)]
mod tests;
