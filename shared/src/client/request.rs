//! Who becomes responsible, beyond a supervisor's plain reassignment
//! (SPEC 1, 7): a manager who brought a client back files an *assignment
//! request*; a supervisor approves it, which is the assignment, or declines
//! it with a comment; and a supervisor moves dormant clients to the pool,
//! an assignment to no manager (SPEC 6: no zone there).
//!
//! Requests are objects in the client document keyed by random ids, so
//! requests filed on two devices offline are both kept. Whether the author
//! may write each of these is the relay's to check (only supervisors move
//! clients to the pool or decide requests); these functions keep the
//! document consistent.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::{Assignment, AssignmentKind, ClientDoc};
use crate::date::{Date, Timestamp};
use crate::ids::UserId;
use crate::scenario::Act;

/// A manager's request to become the client's responsible.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct AssignmentRequest {
    pub id: String,
    /// The manager who filed it and asks to become responsible.
    pub manager: UserId,
    pub date: Date,
    pub at: Timestamp,
    /// How the manager brought the client back.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub comment: String,
    /// `None` while it waits for a supervisor.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub decision: Option<RequestDecision>,
}

impl AssignmentRequest {
    /// Whether it still waits for a decision.
    pub fn is_open(&self) -> bool {
        self.decision.is_none()
    }
}

/// What a supervisor decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    #[autosurgeon(rename = "approved")]
    Approved,
    #[autosurgeon(rename = "declined")]
    Declined,
}

/// A supervisor's decision on a request.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct RequestDecision {
    pub verdict: Verdict,
    pub by: UserId,
    pub date: Date,
    pub at: Timestamp,
    /// Why; required when declining.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub comment: String,
    /// The id (in [`ClientDoc::assignments`]) of the assignment an
    /// approval wrote.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub assignment: Option<String>,
}

/// Why a request, a decision or a move to the pool was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("you are already this client's responsible manager")]
    AlreadyResponsible,
    #[error("your request for this client is still waiting for a decision")]
    AlreadyRequested,
    #[error("this request does not exist (any more) in the client's card")]
    UnknownRequest,
    #[error("this request has already been decided")]
    AlreadyDecided,
    #[error("say in a comment why the request is declined")]
    DeclineWithoutComment,
    #[error("the client is in the pool already")]
    AlreadyInPool,
}

impl ClientDoc {
    /// Files `act.by`'s request to become the client's responsible, with
    /// id `id` (a new random id).
    pub fn file_request(
        &mut self,
        id: String,
        comment: &str,
        act: &Act,
    ) -> Result<(), AssignmentError> {
        if self.responsible() == Some(&act.by) {
            return Err(AssignmentError::AlreadyResponsible);
        }
        if self
            .requests
            .values()
            .any(|r| r.is_open() && r.manager == act.by)
        {
            return Err(AssignmentError::AlreadyRequested);
        }
        self.requests.insert(
            id.clone(),
            AssignmentRequest {
                id,
                manager: act.by.clone(),
                date: act.date,
                at: act.at,
                comment: comment.trim().to_owned(),
                decision: None,
            },
        );
        Ok(())
    }

    /// Decides request `request` as `act.by` (a supervisor). An approval
    /// is the assignment: it writes one to the requesting manager dated
    /// `act.date`, with id `assignment_id` (a new random id); a decline
    /// needs a comment.
    pub fn decide_request(
        &mut self,
        request: &str,
        verdict: Verdict,
        comment: &str,
        assignment_id: String,
        act: &Act,
    ) -> Result<(), AssignmentError> {
        let comment = comment.trim();
        let r = self
            .requests
            .get(request)
            .ok_or(AssignmentError::UnknownRequest)?;
        if !r.is_open() {
            return Err(AssignmentError::AlreadyDecided);
        }
        if verdict == Verdict::Declined && comment.is_empty() {
            return Err(AssignmentError::DeclineWithoutComment);
        }
        let manager = r.manager.clone();
        let assignment = (verdict == Verdict::Approved).then(|| {
            self.assignments.insert(
                assignment_id.clone(),
                Assignment {
                    id: assignment_id.clone(),
                    date: act.date,
                    manager: Some(manager),
                    kind: AssignmentKind::ApprovedRequest,
                    by: act.by.clone(),
                    at: act.at,
                },
            );
            assignment_id
        });
        if let Some(r) = self.requests.get_mut(request) {
            r.decision = Some(RequestDecision {
                verdict,
                by: act.by.clone(),
                date: act.date,
                at: act.at,
                comment: comment.to_owned(),
                assignment,
            });
        }
        Ok(())
    }

    /// The requests that wait for a decision, oldest first.
    pub fn open_requests(&self) -> Vec<&AssignmentRequest> {
        let mut v: Vec<&AssignmentRequest> =
            self.requests.values().filter(|r| r.is_open()).collect();
        v.sort_by(|a, b| (a.date, a.at, &a.id).cmp(&(b.date, b.at, &b.id)));
        v
    }

    /// Whether the client sits in a pool: its latest assignment gave it to
    /// no manager.
    pub fn in_pool(&self) -> bool {
        self.assignments
            .values()
            .max_by_key(|a| (a.date, a.at))
            .is_some_and(|a| a.manager.is_none())
    }

    /// Moves the client to the pool ("Развитие", SPEC 7) as `act.by` (a
    /// supervisor): an assignment to no manager with id `assignment_id`
    /// (a new random id). From that day the client has no zone and no
    /// responsible, and never goes to the exchange, until it is assigned.
    pub fn move_to_pool(
        &mut self,
        assignment_id: String,
        act: &Act,
    ) -> Result<(), AssignmentError> {
        if self.in_pool() {
            return Err(AssignmentError::AlreadyInPool);
        }
        self.assignments.insert(
            assignment_id.clone(),
            Assignment {
                id: assignment_id,
                date: act.date,
                manager: None,
                kind: AssignmentKind::ToPool,
                by: act.by.clone(),
                at: act.at,
            },
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::client::Card;
    use crate::ids::ClientId;
    use crate::rules::zone::{Zone, zone};

    fn user(n: u8) -> UserId {
        UserId(format!("00000000-0000-4000-8000-00000000000{n}"))
    }

    fn act(by: u8, day: u32) -> Act {
        Act {
            by: user(by),
            date: Date::from_ymd(2026, 11, day).unwrap(),
            at: Timestamp(i64::from(day) * 86_400_000),
        }
    }

    /// A client created on 1 November for manager 1, moved to the pool by
    /// supervisor 9 on the 2nd.
    fn pooled() -> ClientDoc {
        let card = Card {
            name: "Ромашка".into(),
            created: Date::from_ymd(2026, 11, 1).unwrap(),
            created_by: user(1),
            ..Card::default()
        };
        let id = ClientId("10000000-0000-4000-8000-000000000001".into());
        let mut doc = ClientDoc::new(id, card, Some(user(1)), &user(1), Timestamp(0));
        doc.move_to_pool("a-pool".into(), &act(9, 2)).unwrap();
        doc
    }

    #[test]
    fn a_supervisor_moves_a_client_to_the_pool_where_it_has_no_zone() {
        let mut doc = pooled();
        assert!(doc.in_pool());
        assert_eq!(doc.responsible(), None);
        assert_eq!(doc.assignments["a-pool"].kind, AssignmentKind::ToPool);
        let z = zone(
            &doc.facts(),
            Default::default(),
            Date::from_ymd(2027, 11, 1).unwrap().naive(),
        )
        .unwrap();
        assert_eq!((z.zone, z.responsible), (None, None));
        assert_eq!(
            doc.move_to_pool("again".into(), &act(9, 3)),
            Err(AssignmentError::AlreadyInPool)
        );
    }

    #[test]
    fn a_manager_files_a_request_and_the_supervisors_approval_is_the_assignment() {
        let mut doc = pooled();
        doc.file_request("r1".into(), "  позвонил, вернулся  ", &act(2, 10))
            .unwrap();
        assert_eq!(
            doc.file_request("r2".into(), "", &act(2, 11)),
            Err(AssignmentError::AlreadyRequested)
        );
        assert_eq!(doc.open_requests().len(), 1);
        assert_eq!(doc.requests["r1"].comment, "позвонил, вернулся");
        doc.decide_request("r1", Verdict::Approved, "", "a-r1".into(), &act(9, 12))
            .unwrap();
        assert!(doc.open_requests().is_empty());
        assert_eq!(doc.responsible(), Some(&user(2)));
        assert_eq!(
            doc.assignments["a-r1"].kind,
            AssignmentKind::ApprovedRequest
        );
        let decision = doc.requests["r1"].decision.as_ref().unwrap();
        assert_eq!(
            (decision.verdict, decision.assignment.as_deref()),
            (Verdict::Approved, Some("a-r1"))
        );
        // The approval is an assignment that day: the client is green with
        // its new manager.
        let z = zone(
            &doc.facts(),
            Default::default(),
            Date::from_ymd(2026, 11, 20).unwrap().naive(),
        )
        .unwrap();
        assert_eq!(
            (z.zone, z.responsible.as_deref()),
            (Some(Zone::Green), Some(user(2).as_str()))
        );
        assert_eq!(
            doc.decide_request("r1", Verdict::Declined, "нет", "x".into(), &act(9, 13)),
            Err(AssignmentError::AlreadyDecided)
        );
        assert_eq!(
            doc.file_request("r3".into(), "", &act(2, 14)),
            Err(AssignmentError::AlreadyResponsible)
        );
    }

    #[test]
    fn a_supervisor_declines_a_request_only_with_a_comment_and_nothing_is_assigned() {
        let mut doc = pooled();
        doc.file_request("r1".into(), "", &act(2, 10)).unwrap();
        assert_eq!(
            doc.decide_request("r1", Verdict::Declined, "  ", "x".into(), &act(9, 12)),
            Err(AssignmentError::DeclineWithoutComment)
        );
        doc.decide_request(
            "r1",
            Verdict::Declined,
            "клиент у Козлова",
            "x".into(),
            &act(9, 12),
        )
        .unwrap();
        assert!(!doc.assignments.contains_key("x"));
        assert!(doc.in_pool());
        assert_eq!(
            doc.decide_request("nope", Verdict::Approved, "", "y".into(), &act(9, 12)),
            Err(AssignmentError::UnknownRequest)
        );
        // Declined, the manager may ask again.
        doc.file_request("r2".into(), "", &act(2, 20)).unwrap();
    }
}
