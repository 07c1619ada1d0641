//! What a device shows of every client of its base on a date: the status,
//! the colour zone and the effective responsible manager, and the days a
//! client entered the status the supplied rule `lost` is chosen for (which
//! start win-backs). [`BaseEvaluator`] evaluates client after client with
//! the engine's buffers reused, so recomputing a whole base stays cheap
//! enough for the browser's main thread.

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::config::{RuleSet, StatusId, SuppliedRule};
use crate::rules::facts::{ClientFacts, FactsError};
use crate::rules::status::{Engine, StatusReport};
use crate::rules::zone::{Zone, zone_with};

/// One client's derived state on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientState {
    /// The status of work with the client.
    pub status: StatusId,
    /// The day the status was set.
    pub since: NaiveDate,
    /// The colour zone; `None` for a client with no manager.
    pub zone: Option<Zone>,
    /// The effective responsible manager: `None` in the exchange or with
    /// no manager.
    pub responsible: Option<String>,
    /// The last contact activity (the creation date if there was none):
    /// what the zone is measured from.
    pub last_activity: NaiveDate,
    /// The day the client went to the exchange, while it is there.
    pub in_exchange_since: Option<NaiveDate>,
    /// The days, from the `lost_from` given to [`BaseEvaluator::evaluate`]
    /// on, on which the client became Lost: each starts a win-back.
    pub became_lost: Vec<NaiveDate>,
}

/// Evaluates many clients with one rule set, reusing its buffers.
#[derive(Debug)]
pub struct BaseEvaluator<'r> {
    rules: &'r RuleSet,
    engine: Engine<'r>,
    walk: Vec<u64>,
    lost: Option<&'r StatusId>,
}

impl<'r> BaseEvaluator<'r> {
    /// An evaluator for these rules.
    pub fn new(rules: &'r RuleSet) -> BaseEvaluator<'r> {
        BaseEvaluator {
            rules,
            engine: Engine::new(rules),
            walk: Vec::new(),
            lost: rules.status_with_rule(SuppliedRule::Lost.id()),
        }
    }

    /// A client's state on `as_of`, or `Ok(None)` if it was created after
    /// that day. Entries into Lost are reported from `lost_from` on.
    pub fn evaluate(
        &mut self,
        facts: &ClientFacts,
        as_of: NaiveDate,
        lost_from: NaiveDate,
    ) -> Result<Option<ClientState>, FactsError> {
        if !self.engine.run(facts, as_of)? {
            return Ok(None);
        }
        let Some((status, since, _)) = self.engine.current() else {
            return Ok(None);
        };
        let zone = zone_with(facts, self.rules.zones(), as_of, &mut self.walk);
        let (zone, responsible, last_activity, in_exchange_since) = zone
            .map_or((None, None, facts.created, None), |z| {
                (z.zone, z.responsible, z.last_activity, z.in_exchange_since)
            });
        let became_lost = match self.lost {
            Some(lost) if lost_from <= as_of => self.engine.entered(lost.as_str(), lost_from),
            _ => Vec::new(),
        };
        Ok(Some(ClientState {
            status: status.clone(),
            since,
            zone,
            responsible,
            last_activity,
            in_exchange_since,
            became_lost,
        }))
    }

    /// A client's whole status history up to `as_of` (see
    /// [`crate::rules::status::status_history`]), with the buffers reused.
    pub fn history(
        &mut self,
        facts: &ClientFacts,
        as_of: NaiveDate,
    ) -> Result<Option<StatusReport>, FactsError> {
        Ok(self.engine.run(facts, as_of)?.then(|| self.engine.report()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::Outcome;
    use crate::rules::config::StatusConfig;
    use crate::rules::facts::{AssignmentFact, InterestFact};
    use crate::rules::status::status_history;
    use crate::rules::zone::zone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A client that goes New → In progress → Active → Lost, with a manager.
    fn client() -> ClientFacts {
        let mut f = ClientFacts::new(d("2026-01-01"));
        f.interests.push(InterestFact::completed(
            d("2026-01-05"),
            d("2026-01-20"),
            Outcome::Success,
        ));
        f.assignments.push(AssignmentFact {
            date: d("2026-01-01"),
            manager: Some("m1".into()),
        });
        f
    }

    #[test]
    fn the_state_agrees_with_the_history_and_the_zone() {
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        let mut base = BaseEvaluator::new(&rules);
        let facts = client();
        for as_of in ["2026-01-03", "2026-01-10", "2026-01-25", "2026-03-01"] {
            let as_of = d(as_of);
            let state = base.evaluate(&facts, as_of, as_of).unwrap().unwrap();
            let report = status_history(&rules, &facts, as_of).unwrap().unwrap();
            assert_eq!(&state.status, report.status());
            assert_eq!(state.since, report.since());
            let z = zone(&facts, rules.zones(), as_of).unwrap();
            assert_eq!((state.zone, state.responsible), (z.zone, z.responsible));
            assert_eq!(base.history(&facts, as_of).unwrap().as_ref(), Some(&report));
        }
        assert_eq!(
            base.evaluate(&facts, d("2025-12-31"), d("2025-12-01"))
                .unwrap(),
            None
        );
    }

    #[test]
    fn entries_into_lost_are_reported_from_the_given_day() {
        let rules = RuleSet::new(&StatusConfig::default()).unwrap();
        let mut base = BaseEvaluator::new(&rules);
        let facts = client();
        // Active on 20 January; no success for 30 days after it: Lost on
        // 20 February (the first day the success is out of the period).
        let today = d("2026-03-01");
        let state = base
            .evaluate(&facts, today, d("2026-02-01"))
            .unwrap()
            .unwrap();
        assert_eq!(state.status.as_str(), "lost");
        assert_eq!(state.became_lost, [d("2026-02-20")]);
        let later = base
            .evaluate(&facts, today, d("2026-02-21"))
            .unwrap()
            .unwrap();
        assert!(later.became_lost.is_empty());
    }
}
