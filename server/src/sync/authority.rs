//! Who may read which document, and whether the changes a device sent may
//! be kept (`docs/sync-protocol.md`, "Authority"): every change signed by
//! the user, and the permission rules checked by comparing the document
//! before and after the changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::{Automerge, PatchAction, Prop};
use chrono::{Days, NaiveDate};
use kartoteka::client::{AssignmentKind, AssignmentRequest, ClientDoc, Deletion};
use kartoteka::ids::user_of_actor;
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{DocumentId, refusal};
use kartoteka::workspace::{Role, WorkspaceDoc};

use super::hub::{Access, Kind, Policy};
use crate::store::UserRecord;

/// Why the changes of a `sync` were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    /// One of [`kartoteka::sync::refusal`].
    pub code: &'static str,
    /// An English sentence for logs and the device's console.
    pub reason: String,
}

impl Refusal {
    fn new(code: &'static str, reason: impl Into<String>) -> Refusal {
        Refusal {
            code,
            reason: reason.into(),
        }
    }
}

/// Whether `user` may read a document with this access on `today`:
/// supervisors and administrators read everything; managers and assistants
/// their clients (by the effective responsible) and those in the exchange;
/// everyone the workspace.
pub fn may_read(user: &UserRecord, access: &Access, policy: &Policy, today: NaiveDate) -> bool {
    if user.role.sees_everything() {
        return true;
    }
    match access {
        Access::Everyone => true,
        Access::SupervisorsOnly => false,
        // A potential client's Interest is its manager's alone: it never
        // goes to the exchange.
        Access::Client(summary) if summary.potential => {
            summary.responsible.as_ref() == Some(&user.id)
        }
        Access::Client(summary) => match zone(&summary.facts, policy.thresholds, today) {
            Some(report) => {
                report.zone == Some(Zone::Exchange)
                    || report.responsible.as_deref() == Some(user.id.as_str())
            }
            // Created after today (a device with a clock ahead): as recorded.
            None => summary.responsible.as_ref() == Some(&user.id),
        },
    }
}

/// Whether `user` may have been able to read a client they may not read
/// now, just before its latest assignment took it: it was theirs (they are
/// named in its assignments), or it was in the exchange the day before. A
/// cheap test that spares the store a look for a sync state the device
/// cannot have (`kt-parted`, see `connection::parted`).
pub fn may_have_read(user: &UserRecord, summary: &ClientSummary, policy: &Policy) -> bool {
    let Some(latest) = summary.assignments.last() else {
        return false;
    };
    if user.role.sees_everything() {
        return false;
    }
    summary
        .assignments
        .iter()
        .any(|a| a.manager.as_ref() == Some(&user.id))
        || latest.date.naive().pred_opt().is_some_and(|before| {
            zone(&summary.facts, policy.thresholds, before)
                .is_some_and(|r| r.zone == Some(Zone::Exchange))
        })
}

/// What a loaded document is: the workspace document by its id, a client
/// document if it reads as one, else something only supervisors see.
pub fn classify(doc: &Automerge, id: DocumentId, policy: &Policy) -> Kind {
    if policy.workspace == Some(id) {
        return match read_workspace(doc) {
            Ok(model) => Kind::Workspace(Box::new(model)),
            Err(_) => Kind::Other,
        };
    }
    match read_client(doc) {
        Ok(model) => client_kind(model),
        Err(_) => Kind::Other,
    }
}

fn client_kind(model: ClientDoc) -> Kind {
    let summary = Arc::new(ClientSummary::of(&model));
    Kind::Client {
        model: Box::new(model),
        summary,
    }
}

fn kind_and_schema(doc: &Automerge) -> (Option<String>, Option<u64>) {
    let kind = autosurgeon::hydrate_prop(doc, automerge::ROOT, "kind").unwrap_or(None);
    let schema = autosurgeon::hydrate_prop(doc, automerge::ROOT, "schema").unwrap_or(None);
    (kind, schema)
}

fn read_client(doc: &Automerge) -> Result<ClientDoc, String> {
    match kind_and_schema(doc) {
        (Some(k), Some(s)) if k == kartoteka::client::KIND && s <= kartoteka::client::SCHEMA => {
            autosurgeon::hydrate(doc).map_err(|e| e.to_string())
        }
        (k, s) => Err(format!("not a client document (kind {k:?}, schema {s:?})")),
    }
}

/// The client model after new changes: the top-level fields they touched
/// read again, the others taken from `before`; the whole document read
/// again when the changes touch its identity (`kind`, `schema`, `id`),
/// delete a field, or anything is unusual. Reading a whole card is most
/// of what checking a change costs, and most changes touch one field.
fn read_client_after(
    before: &ClientDoc,
    after: &Automerge,
    before_heads: &[automerge::ChangeHash],
) -> Result<ClientDoc, String> {
    let model = touched_fields(after, before_heads)
        .and_then(|fields| reread(before.clone(), after, &fields));
    let model = match model {
        Some(model) => model,
        None => return read_client(after),
    };
    debug_assert_eq!(
        Ok(&model),
        read_client(after).as_ref(),
        "a partial read differs"
    );
    Ok(model)
}

/// The top-level properties the changes after `before_heads` touched, or
/// `None` if one was deleted or is in conflict at the top level.
fn touched_fields(
    after: &Automerge,
    before_heads: &[automerge::ChangeHash],
) -> Option<std::collections::BTreeSet<String>> {
    let mut fields = std::collections::BTreeSet::new();
    for patch in after.diff(before_heads, &after.get_heads()) {
        let field = match (patch.path.first(), patch.action) {
            (Some((_, Prop::Map(key))), _) => key.clone(),
            (None, PatchAction::PutMap { key, .. }) => key,
            _ => return None,
        };
        fields.insert(field);
    }
    Some(fields)
}

/// `model` with `fields` read again from `doc`; `None` for a field whose
/// change needs the whole document read.
fn reread(
    mut model: ClientDoc,
    doc: &Automerge,
    fields: &std::collections::BTreeSet<String>,
) -> Option<ClientDoc> {
    fn read<T: autosurgeon::Hydrate>(doc: &Automerge, field: &str) -> Option<T> {
        autosurgeon::hydrate_prop(doc, automerge::ROOT, field).ok()
    }
    for field in fields {
        match field.as_str() {
            "card" => model.card = read(doc, field)?,
            "contacts" => model.contacts = read(doc, field)?,
            "notes" => model.notes = read(doc, field)?,
            "interests" => model.interests = read(doc, field)?,
            "events" => model.events = read(doc, field)?,
            "payments" => model.payments = read(doc, field)?,
            "shipments" => model.shipments = read(doc, field)?,
            "assignments" => model.assignments = read(doc, field)?,
            "manual_statuses" => model.manual_statuses = read(doc, field)?,
            "merged_into" => model.merged_into = read(doc, field)?,
            "potential" => model.potential = read(doc, field)?,
            "requests" => model.requests = read(doc, field)?,
            _ => return None,
        }
    }
    Some(model)
}

/// The workspace document's model, if `doc` is one this code reads.
pub(crate) fn read_workspace(doc: &Automerge) -> Result<WorkspaceDoc, String> {
    match kind_and_schema(doc) {
        (Some(k), Some(s))
            if k == kartoteka::workspace::KIND && s <= kartoteka::workspace::SCHEMA =>
        {
            autosurgeon::hydrate(doc).map_err(|e| e.to_string())
        }
        (k, s) => Err(format!(
            "not the workspace document (kind {k:?}, schema {s:?})"
        )),
    }
}

/// Checks the changes `after` has over `before` (`None`: a new document),
/// all written by `user`. Returns what the document is after them.
pub fn check(
    user: &UserRecord,
    id: DocumentId,
    before: Option<&Kind>,
    after: &Automerge,
    before_heads: &[automerge::ChangeHash],
    policy: &Policy,
    today: NaiveDate,
) -> Result<Kind, Refusal> {
    for change in after.get_changes_meta(before_heads) {
        if user_of_actor(&change.actor).as_ref() != Some(&user.id) {
            return Err(Refusal::new(
                refusal::ACTOR,
                format!(
                    "a change is signed by actor {}, which is not a device of {}",
                    change.actor, user.login
                ),
            ));
        }
    }
    let invalid = |e: String| Refusal::new(refusal::INVALID, e);
    match before {
        Some(Kind::Workspace(_)) => {
            if user.role != Role::Administrator {
                return Err(Refusal::new(
                    refusal::WORKSPACE,
                    "only administrators change the workspace settings",
                ));
            }
            read_workspace(after)
                .map(|m| Kind::Workspace(Box::new(m)))
                .map_err(invalid)
        }
        Some(Kind::Other) => Err(invalid("this document cannot be changed".into())),
        Some(Kind::Client { model, summary }) => {
            let new = read_client_after(model, after, before_heads).map_err(invalid)?;
            if new.id != model.id {
                return Err(invalid("a client document's id cannot change".into()));
            }
            if !user.role.may_restore() {
                check_deletions(user, model, &new, summary, policy, today)?;
            }
            if !user.role.may_reassign() {
                check_assignments(user, model, &new, policy, today)?;
                check_requests(user, &model.requests, &new.requests)?;
                // A manager links their potential client's Interest to a
                // client (SPEC 4); merging real clients is for supervisors.
                if new.merged_into != model.merged_into && model.potential.is_none() {
                    return Err(Refusal::new(
                        refusal::MERGED_INTO,
                        "only supervisors and administrators merge clients",
                    ));
                }
            }
            Ok(client_kind(new))
        }
        None => {
            let new = read_client(after)
                .map_err(|e| invalid(format!("a new document must be a client: {e}")))?;
            if new.id.uuid().map(DocumentId::from) != Some(id) {
                return Err(invalid(format!(
                    "the client id {} is not the document id {id}",
                    new.id
                )));
            }
            if !user.role.may_reassign() {
                if new
                    .assignments
                    .values()
                    .any(|a| a.manager.as_ref() != Some(&user.id))
                {
                    return Err(Refusal::new(
                        refusal::RESPONSIBLE,
                        "a manager creates clients for themselves only",
                    ));
                }
                if new.merged_into.is_some() {
                    return Err(Refusal::new(
                        refusal::MERGED_INTO,
                        "only supervisors and administrators merge clients",
                    ));
                }
                check_requests(user, &BTreeMap::new(), &new.requests)?;
            }
            Ok(client_kind(new))
        }
    }
}

/// The answer to changes for a client the user may not read (any more):
/// a take from the exchange that lost the race gets [`refusal::TAKEN`], so
/// the manager learns why; anything else is `None` (the caller answers
/// `doc-unavailable` and reveals nothing). Only a device that held the
/// document can build changes that apply to it, so this tells nothing new.
pub fn taken_while_unreadable(
    user: &UserRecord,
    before: &Kind,
    after: &Automerge,
    before_heads: &[automerge::ChangeHash],
) -> Option<Refusal> {
    let Kind::Client { model, .. } = before else {
        return None;
    };
    let signed_by_user = after
        .get_changes_meta(before_heads)
        .iter()
        .all(|change| user_of_actor(&change.actor).as_ref() == Some(&user.id));
    let new = read_client(after).ok()?;
    let takes = new.assignments.iter().any(|(key, a)| {
        !model.assignments.contains_key(key)
            && a.kind == AssignmentKind::FromExchange
            && a.manager.as_ref() == Some(&user.id)
    });
    (signed_by_user && takes).then(|| {
        Refusal::new(
            refusal::TAKEN,
            "the client is no longer in the exchange: someone took it first",
        )
    })
}

/// A manager or assistant may change a client's assignments only to take
/// it from the exchange: one new `from_exchange` assignment to themselves,
/// dated from the day it went there, while it is still there.
fn check_assignments(
    user: &UserRecord,
    before: &ClientDoc,
    after: &ClientDoc,
    policy: &Policy,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if before.assignments == after.assignments {
        return Ok(());
    }
    let responsible = || {
        Refusal::new(
            refusal::RESPONSIBLE,
            "only supervisors and administrators change a client's responsible manager",
        )
    };
    let untouched = before
        .assignments
        .iter()
        .all(|(k, v)| after.assignments.get(k) == Some(v));
    let added: Vec<_> = after
        .assignments
        .iter()
        .filter(|(k, _)| !before.assignments.contains_key(*k))
        .map(|(_, v)| v)
        .collect();
    let [taking] = added.as_slice() else {
        return Err(responsible());
    };
    if !untouched
        || taking.kind != AssignmentKind::FromExchange
        || taking.manager.as_ref() != Some(&user.id)
    {
        return Err(responsible());
    }
    let report = zone(&before.facts(), policy.thresholds, today);
    let since = match report {
        Some(r) if r.zone == Some(Zone::Exchange) => r.in_exchange_since,
        _ => {
            return Err(Refusal::new(
                refusal::TAKEN,
                "the client is no longer in the exchange: someone took it first",
            ));
        }
    };
    let date = taking.date.naive();
    // A day of grace for a device whose calendar is ahead of the relay's.
    let latest = today.checked_add_days(Days::new(1)).unwrap_or(today);
    if since.is_some_and(|s| date < s) || date > latest {
        return Err(Refusal::new(
            refusal::RESPONSIBLE,
            format!("a client is taken from the exchange on a day it is there, not on {date}"),
        ));
    }
    Ok(())
}

/// A manager files assignment requests for themselves, and only
/// supervisors and administrators decide them (SPEC 1): a manager's
/// changes may add requests that ask for them and wait for a decision, and
/// must leave every other request as it was. An assistant files none.
fn check_requests(
    user: &UserRecord,
    before: &BTreeMap<String, AssignmentRequest>,
    after: &BTreeMap<String, AssignmentRequest>,
) -> Result<(), Refusal> {
    if before == after {
        return Ok(());
    }
    let kept = before.iter().all(|(k, v)| after.get(k) == Some(v));
    let filed_for_self = after
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .all(|(_, r)| r.manager == user.id && r.is_open());
    if kept && filed_for_self && user.role == Role::Manager {
        return Ok(());
    }
    Err(Refusal::new(
        refusal::RESPONSIBLE,
        "only supervisors and administrators decide assignment requests; a manager files requests for themselves",
    ))
}

/// How each deletable entry's tombstone changed: `(was deleted, is
/// deleted)` for every entry whose tombstone differs, including one whose
/// tombstone was rewritten or that was dropped from its map.
fn tombstone_moves(before: &ClientDoc, after: &ClientDoc) -> Vec<(bool, bool)> {
    fn moves<T>(
        before: &std::collections::BTreeMap<String, T>,
        after: &std::collections::BTreeMap<String, T>,
        deleted: impl Fn(&T) -> Option<&Deletion>,
        out: &mut Vec<(bool, bool)>,
    ) {
        for (id, a) in after {
            let was = before.get(id).and_then(&deleted);
            let is = deleted(a);
            if was != is {
                out.push((was.is_some(), is.is_some()));
            }
        }
        for (id, b) in before {
            if !after.contains_key(id) && deleted(b).is_some() {
                out.push((true, false));
            }
        }
    }
    let mut out = Vec::new();
    moves(
        &before.contacts,
        &after.contacts,
        |c| c.deleted.as_ref(),
        &mut out,
    );
    moves(
        &before.events,
        &after.events,
        |e| e.deleted.as_ref(),
        &mut out,
    );
    moves(
        &before.payments,
        &after.payments,
        |p| p.deleted.as_ref(),
        &mut out,
    );
    moves(
        &before.shipments,
        &after.shipments,
        |s| s.deleted.as_ref(),
        &mut out,
    );
    out
}

/// A manager or assistant may delete contact persons, events, payments and
/// shipments of their own clients (by the effective responsible, as
/// [`may_read`] tells it: not of a client in the exchange), and may not
/// restore a deleted one, nor rewrite or drop a deletion.
fn check_deletions(
    user: &UserRecord,
    before: &ClientDoc,
    after: &ClientDoc,
    summary: &ClientSummary,
    policy: &Policy,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let moves = tombstone_moves(before, after);
    if moves.iter().any(|&(was, _)| was) {
        return Err(Refusal::new(
            refusal::RESTORE,
            "only supervisors and administrators restore a deleted entry",
        ));
    }
    if moves.is_empty() {
        return Ok(());
    }
    let own = if summary.potential {
        summary.responsible.as_ref() == Some(&user.id)
    } else {
        match zone(&summary.facts, policy.thresholds, today) {
            Some(report) => report.responsible.as_deref() == Some(user.id.as_str()),
            None => summary.responsible.as_ref() == Some(&user.id),
        }
    };
    if !own {
        return Err(Refusal::new(
            refusal::DELETE,
            "a manager deletes entries of their own clients only",
        ));
    }
    Ok(())
}

/// The document's heads as hex, for `kt-accepted`.
pub fn heads_hex(doc: &Automerge) -> Vec<String> {
    doc.get_heads().iter().map(ToString::to_string).collect()
}
