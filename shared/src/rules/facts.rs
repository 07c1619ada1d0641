//! The facts of one client that statuses and zones are derived from: a
//! plain struct the app and the relay fill from a client document (or the
//! `evaluate` command from its JSON), so the engine never reads Automerge.
//!
//! Facts are kept in the order the document lists them: explanations point
//! at them by index, and ties between same-day assignments or manual
//! settings are broken by that order.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::client::Outcome;
use crate::rules::config::StatusId;

/// Everything the rule engine knows about one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFacts {
    /// The day the card was created; the status history starts here.
    pub created: NaiveDate,
    /// Every Interest of the client, open or completed.
    pub interests: Vec<InterestFact>,
    /// Payment dates.
    pub payments: Vec<NaiveDate>,
    /// Shipment dates.
    pub shipments: Vec<NaiveDate>,
    /// Dates of events (calls, meetings, e-mails, messages, notes).
    pub events: Vec<NaiveDate>,
    /// Every assignment, including the first one at creation; same-day
    /// assignments count in this order (the later wins).
    pub assignments: Vec<AssignmentFact>,
    /// Statuses set by hand, in any order.
    pub manual_statuses: Vec<ManualStatus>,
}

impl ClientFacts {
    /// A client created on this day, with no facts yet.
    pub fn new(created: NaiveDate) -> ClientFacts {
        ClientFacts {
            created,
            interests: Vec::new(),
            payments: Vec::new(),
            shipments: Vec::new(),
            events: Vec::new(),
            assignments: Vec::new(),
            manual_statuses: Vec::new(),
        }
    }
}

/// An Interest, as far as statuses and zones care. For statuses it counts
/// on no day before its creation, whatever its completion date says.
///
/// An Interest the system created (a win-back) is a task, not yet work
/// (SPEC 5): it counts only from the day a person took it up, as if created
/// that day, or, if nobody did, from its completion; see
/// [`InterestFact::counts_from`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestFact {
    pub created: NaiveDate,
    /// The day it was completed, successfully or not. An Interest with a
    /// date here is completed even without an outcome (it then does not
    /// count as a success).
    pub completed: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// Other days it changed (moves between scenario states): contact
    /// activity for zones, nothing for statuses.
    pub activity: Vec<NaiveDate>,
    /// The system created it (a win-back), not a person.
    #[serde(default)]
    pub automatic: bool,
    /// For an automatic Interest: the day a person took it up (the first
    /// event logged on it or the first move out of its initial state), if
    /// one did. Ignored for an Interest a person created.
    #[serde(default)]
    pub taken_up: Option<NaiveDate>,
}

impl InterestFact {
    /// An Interest created on this day, still open.
    pub fn open(created: NaiveDate) -> InterestFact {
        InterestFact {
            created,
            completed: None,
            outcome: None,
            activity: Vec::new(),
            automatic: false,
            taken_up: None,
        }
    }

    /// An Interest the system created on this day (a win-back), open and
    /// not taken up yet.
    pub fn automatic(created: NaiveDate) -> InterestFact {
        InterestFact {
            automatic: true,
            ..InterestFact::open(created)
        }
    }

    /// An Interest created and completed on these days with this outcome.
    pub fn completed(created: NaiveDate, completed: NaiveDate, outcome: Outcome) -> InterestFact {
        InterestFact {
            created,
            completed: Some(completed),
            outcome: Some(outcome),
            activity: Vec::new(),
            automatic: false,
            taken_up: None,
        }
    }

    /// Whether it ended with outcome success (on its completion day).
    pub fn succeeded(&self) -> bool {
        self.completed.is_some() && self.outcome == Some(Outcome::Success)
    }

    /// The day from which the Interest counts for the rules (as an active
    /// Interest) and for the zones (as contact), as if created that day:
    /// its creation for an Interest a person created; for one the system
    /// created, the day a person took it up, else its completion, else
    /// never (`None`: a task nobody worked on is not work, SPEC 5). Never
    /// before its creation.
    pub fn counts_from(&self) -> Option<NaiveDate> {
        if !self.automatic {
            return Some(self.created);
        }
        self.taken_up
            .or(self.completed)
            .map(|d| d.max(self.created))
    }

    /// The days this Interest is contact activity for the zones (SPEC 6):
    /// the day it counts from, its completion and its other changes; for a
    /// system task, none before the day it counts from (and none at all if
    /// nobody took it up or completed it).
    pub fn contact_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        let from = self.counts_from();
        from.into_iter()
            .chain(from.into_iter().flat_map(move |from| {
                self.completed
                    .into_iter()
                    .chain(self.activity.iter().copied())
                    .filter(move |&d| !self.automatic || d >= from)
            }))
    }
}

/// An assignment of the client to a manager, or to a pool of clients that
/// belong to no manager (`manager: None`, SPEC 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentFact {
    pub date: NaiveDate,
    /// The manager's user id, or `None` for a pool.
    pub manager: Option<String>,
}

/// A status set by a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualStatus {
    pub date: NaiveDate,
    /// When it was set, in milliseconds since the Unix epoch: orders
    /// settings made on the same day (ties keep the listed order).
    pub at: i64,
    pub status: StatusId,
}

/// Facts that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error(
        "manual_statuses[{index}]: the status is set on {date}, before the client was created on {created}"
    )]
    ManualBeforeCreation {
        index: usize,
        date: NaiveDate,
        created: NaiveDate,
    },
    #[error("manual_statuses[{index}].status: unknown status \"{status}\"")]
    UnknownStatus { index: usize, status: StatusId },
}
