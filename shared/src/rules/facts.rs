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
}

impl InterestFact {
    /// An Interest created on this day, still open.
    pub fn open(created: NaiveDate) -> InterestFact {
        InterestFact {
            created,
            completed: None,
            outcome: None,
            activity: Vec::new(),
        }
    }

    /// An Interest created and completed on these days with this outcome.
    pub fn completed(created: NaiveDate, completed: NaiveDate, outcome: Outcome) -> InterestFact {
        InterestFact {
            created,
            completed: Some(completed),
            outcome: Some(outcome),
            activity: Vec::new(),
        }
    }

    /// Whether it ended with outcome success (on its completion day).
    pub fn succeeded(&self) -> bool {
        self.completed.is_some() && self.outcome == Some(Outcome::Success)
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
