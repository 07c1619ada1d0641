//! Giving a client to a manager (SPEC 6): a manager takes a client from
//! the exchange, a supervisor gives one (from the exchange, or a manager's
//! client to another, in bulk for a manager who leaves or goes on
//! holiday). Each is an assignment dated that day, which also counts as
//! activity for the zones.
//!
//! Who may write which is the relay's to check (a manager only takes from
//! the exchange, for themselves, while the client is there; see
//! `server/src/sync/authority.rs`); these functions keep the document
//! consistent and refuse what would change nothing.

use super::{Assignment, AssignmentKind, ClientDoc};
use crate::ids::UserId;
use crate::rules::config::ZoneThresholds;
use crate::rules::zone::{Zone, zone};
use crate::scenario::Act;

/// Why a client was not given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GiveError {
    #[error("the client is not in the exchange (any more)")]
    NotInExchange,
    #[error("the client is already this manager's")]
    AlreadyTheirs,
}

impl ClientDoc {
    /// Whether the client is in the exchange on `act`'s date.
    pub fn in_exchange(&self, thresholds: ZoneThresholds, act: &Act) -> bool {
        zone(&self.facts(), thresholds, act.date.naive())
            .is_some_and(|z| z.zone == Some(Zone::Exchange))
    }

    /// `act.by` takes the client from the exchange: an assignment to
    /// themselves dated `act.date`, with id `assignment_id` (a new random
    /// id). Refused when the client is not in the exchange that day.
    pub fn take_from_exchange(
        &mut self,
        assignment_id: String,
        thresholds: ZoneThresholds,
        act: &Act,
    ) -> Result<(), GiveError> {
        if !self.in_exchange(thresholds, act) {
            return Err(GiveError::NotInExchange);
        }
        self.assign(
            assignment_id,
            &act.by.clone(),
            AssignmentKind::FromExchange,
            act,
        );
        Ok(())
    }

    /// `act.by` (a supervisor) gives the client to `manager`: from the
    /// exchange, from the pool, or from another manager. Refused when the
    /// client already is that manager's and not in the exchange.
    pub fn give_to(
        &mut self,
        assignment_id: String,
        manager: &UserId,
        thresholds: ZoneThresholds,
        act: &Act,
    ) -> Result<(), GiveError> {
        if self.responsible() == Some(manager) && !self.in_exchange(thresholds, act) {
            return Err(GiveError::AlreadyTheirs);
        }
        self.assign(assignment_id, manager, AssignmentKind::Reassigned, act);
        Ok(())
    }

    fn assign(&mut self, id: String, manager: &UserId, kind: AssignmentKind, act: &Act) {
        self.assignments.insert(
            id.clone(),
            Assignment {
                id,
                date: act.date,
                manager: Some(manager.clone()),
                kind,
                by: act.by.clone(),
                at: act.at,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::Card;
    use crate::date::{Date, Timestamp};
    use crate::ids::ClientId;

    fn user(n: u8) -> UserId {
        UserId(format!("00000000-0000-4000-8000-00000000000{n}"))
    }

    fn act(by: u8, date: &str) -> Act {
        let date: Date = date.parse().unwrap();
        Act {
            by: user(by),
            date,
            at: Timestamp(
                date.naive()
                    .and_hms_opt(12, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis(),
            ),
        }
    }

    /// A client created on 1 January 2026 for manager 1, never contacted.
    fn client() -> ClientDoc {
        let a = act(1, "2026-01-01");
        ClientDoc::new(
            ClientId::random(),
            Card {
                name: "Вектор".into(),
                created: a.date,
                ..Card::default()
            },
            Some(user(1)),
            &a.by,
            a.at,
        )
    }

    fn zone_on(doc: &ClientDoc, date: &str) -> (Option<Zone>, Option<String>) {
        let z = zone(
            &doc.facts(),
            ZoneThresholds::default(),
            date.parse().unwrap(),
        )
        .unwrap();
        (z.zone, z.responsible)
    }

    #[test]
    fn a_manager_takes_a_client_on_its_first_day_in_the_exchange_and_it_turns_green() {
        let t = ZoneThresholds::default();
        let mut doc = client();
        // Six months and a day after the last contact.
        assert_eq!(
            doc.take_from_exchange("a2".into(), t, &act(2, "2026-07-01")),
            Err(GiveError::NotInExchange)
        );
        assert_eq!(zone_on(&doc, "2026-07-02"), (Some(Zone::Exchange), None));
        doc.take_from_exchange("a2".into(), t, &act(2, "2026-07-02"))
            .unwrap();
        assert_eq!(
            zone_on(&doc, "2026-07-02"),
            (Some(Zone::Green), Some(user(2).to_string()))
        );
        assert_eq!(doc.assignments["a2"].kind, AssignmentKind::FromExchange);
        assert_eq!(
            doc.take_from_exchange("a3".into(), t, &act(3, "2026-07-03")),
            Err(GiveError::NotInExchange)
        );
    }

    #[test]
    fn a_supervisor_gives_an_exchange_client_back_to_its_former_manager_but_not_a_current_one() {
        let t = ZoneThresholds::default();
        let mut doc = client();
        assert_eq!(
            doc.give_to("a2".into(), &user(1), t, &act(9, "2026-03-01")),
            Err(GiveError::AlreadyTheirs)
        );
        doc.give_to("a2".into(), &user(2), t, &act(9, "2026-03-01"))
            .unwrap();
        assert_eq!(doc.responsible(), Some(&user(2)));
        // Manager 2 never calls: in the exchange on 2 September; the
        // supervisor gives it back to manager 2.
        assert_eq!(zone_on(&doc, "2026-09-02"), (Some(Zone::Exchange), None));
        doc.give_to("a3".into(), &user(2), t, &act(9, "2026-09-02"))
            .unwrap();
        assert_eq!(
            zone_on(&doc, "2026-09-02"),
            (Some(Zone::Green), Some(user(2).to_string()))
        );
        assert_eq!(doc.assignments["a3"].kind, AssignmentKind::Reassigned);
    }
}
