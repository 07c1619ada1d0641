//! Clients in and out of a relay's store (SPEC 8 and 2): importing a
//! company's base into a stopped relay's data folder (the command line),
//! exporting the clients a user may read, and the duplicate warning over
//! the whole base that the card form asks the running relay for.
//!
//! The decisions are `kartoteka`'s ([`kartoteka::import::clients`],
//! [`kartoteka::export`], the read rule of [`crate::sync::authority`]);
//! this module reads the store and writes into it through a few `Store`
//! methods (`for_each_summary`, `for_each_client_doc`, `doc_with_chunks`,
//! `put_docs`, `commit_changes`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use kartoteka::api::{DuplicateHit, DuplicateKey, DuplicatesQuery, ReadableDuplicate};
use kartoteka::date::{Date, Timestamp};
use kartoteka::document::{ClientDocument, WorkspaceDocument};
use kartoteka::email;
use kartoteka::export::{Derived, ExportColumn, client_rows};
use kartoteka::ids::{ClientId, UserId, actor_for, new_id};
use kartoteka::import::clients::{
    ClientPreview, ColumnMapping, ImportBase, OnBadValue, Table, join_client, new_client,
};
use kartoteka::inn::Inn;
use kartoteka::phone::Phone;
use kartoteka::rules::config::RuleSet;
use kartoteka::rules::derived::BaseEvaluator;
use kartoteka::rules::zone::Zone;
use kartoteka::summary::ClientSummary;
use kartoteka::workspace::WorkspaceDoc;

use crate::error::ApiError;
use crate::store::{Committed, DocChange, Store, StoreError, StoredDoc, UserRecord};
use crate::sync::authority::may_read;
use crate::sync::{Access, Policy};

/// The device part of the actor id of changes an import writes.
const IMPORT_DEVICE: [u8; 8] = *b"import\0\0";

/// How many documents one store transaction writes.
const BATCH: usize = 1000;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// The workspace document of the store.
pub fn workspace(store: &Store) -> Result<WorkspaceDoc, ApiError> {
    let id = store.workspace_id()?.ok_or(ApiError::NotFound)?;
    let bytes = store.doc(&id)?.ok_or(ApiError::NotFound)?;
    WorkspaceDocument::load(&bytes)
        .map_err(internal)?
        .read()
        .map_err(internal)
}

/// Today in the workspace's time zone.
pub fn today(workspace: &WorkspaceDoc, now: Timestamp) -> NaiveDate {
    Date::of_instant(now, workspace.settings.utc_offset_minutes).naive()
}

/// Every client summary of the store.
pub fn summaries(store: &Store) -> Result<Vec<ClientSummary>, ApiError> {
    let mut out = Vec::new();
    store.for_each_summary(&mut |_, json| {
        out.push(serde_json::from_slice(json).map_err(|e| StoreError::Damaged(e.to_string()))?);
        Ok(())
    })?;
    Ok(out)
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug)]
pub struct ImportReport {
    pub preview: ClientPreview,
    /// Whether it was written.
    pub written: bool,
}

/// Imports a table of clients into the store as `by`: the preview against
/// the whole base, then, unless `dry_run`, the new clients made and the
/// joined ones given what they lack. For a stopped relay's data folder: a
/// running relay keeps documents in memory and would not see these writes.
pub fn import(
    store: &Store,
    table: &Table,
    mapping: &ColumnMapping,
    on_bad: OnBadValue,
    by: &UserRecord,
    now: Timestamp,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let workspace = workspace(store)?;
    let summaries = summaries(store)?;
    let base = ImportBase::new(&summaries, workspace.users.values());
    let preview = kartoteka::import::clients::preview(table, mapping, on_bad, &base);
    if dry_run {
        return Ok(ImportReport {
            preview,
            written: false,
        });
    }
    let actor = actor_for(&by.id, IMPORT_DEVICE)
        .ok_or_else(|| ApiError::Internal("the user's id is not a UUID".into()))?;
    let created = Date::from(today(&workspace, now));
    for batch in preview.new.chunks(BATCH) {
        let docs = batch
            .iter()
            .map(|planned| {
                let doc = new_client(
                    &planned.client,
                    ClientId::random(),
                    &by.id,
                    now,
                    created,
                    new_id,
                );
                let summary = serde_json::to_vec(&ClientSummary::of(&doc)).map_err(internal)?;
                let bytes = ClientDocument::create(&doc, actor.clone(), now)
                    .map_err(internal)?
                    .save();
                Ok(StoredDoc {
                    id: doc.id.to_string(),
                    bytes,
                    summary: Some(summary),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        store.put_docs(&docs)?;
    }
    for batch in preview.joining.chunks(BATCH) {
        let mut written: Vec<(String, u64, Vec<u8>, Vec<u8>)> = Vec::new();
        for planned in batch {
            let Some(join) = &planned.joins else { continue };
            let id = join.client_id.as_str();
            let Some(stored) = store.doc_with_chunks(id)? else {
                continue;
            };
            let mut doc = ClientDocument::load(&stored.bytes).map_err(internal)?;
            doc.set_actor(actor.clone());
            let (model, changed) = doc
                .change_infallible(now, "import", |m| {
                    join_client(m, &planned.client, now, new_id);
                })
                .map_err(internal)?;
            if changed {
                let summary = serde_json::to_vec(&ClientSummary::of(&model)).map_err(internal)?;
                written.push((id.to_owned(), stored.seq, doc.save_incremental(), summary));
            }
        }
        let changes: Vec<DocChange<'_>> = written
            .iter()
            .map(|(id, seq, chunk, summary)| DocChange {
                id,
                base: Some(*seq),
                chunk,
                snapshot: None,
                summary: Some(summary),
                sync_state: None,
            })
            .collect();
        // The relay is stopped (or, on PostgreSQL, another relay wrote the
        // client meanwhile): a stale change is not written, and is said.
        for (committed, change) in store.commit_changes(&changes)?.iter().zip(&changes) {
            if *committed == Committed::Stale {
                return Err(ApiError::Internal(format!(
                    "client {} changed while it was imported into; import again",
                    change.id
                )));
            }
        }
    }
    Ok(ImportReport {
        preview,
        written: true,
    })
}

/// The language of an export's headers, statuses and zones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

fn zone_name(zone: Zone, lang: Lang) -> &'static str {
    match (zone, lang) {
        (Zone::Green, Lang::Ru) => "Зелёная",
        (Zone::Yellow, Lang::Ru) => "Жёлтая",
        (Zone::Red, Lang::Ru) => "Красная",
        (Zone::Exchange, Lang::Ru) => "Биржа",
        (Zone::Green, Lang::En) => "Green",
        (Zone::Yellow, Lang::En) => "Yellow",
        (Zone::Red, Lang::En) => "Red",
        (Zone::Exchange, Lang::En) => "Exchange",
    }
}

/// The export's header row in `lang`.
pub fn export_header(lang: Lang) -> Vec<String> {
    kartoteka::export::header(|c: ExportColumn| match lang {
        Lang::Ru => c.russian(),
        Lang::En => c.english(),
    })
}

/// Calls `row` with every export row of the clients `user` may read (by
/// the relay's read rule: everything for supervisors and administrators),
/// client after client; returns how many clients were exported.
pub fn for_each_export_row(
    store: &Store,
    user: &UserRecord,
    now: Timestamp,
    lang: Lang,
    mut row: impl FnMut(Vec<String>),
) -> Result<usize, ApiError> {
    let workspace = workspace(store)?;
    let today = today(&workspace, now);
    let policy = Policy::of(None, Some(&workspace));
    let rules = RuleSet::new(&workspace.statuses).map_err(internal)?;
    let mut evaluator = BaseEvaluator::new(&rules);
    let names: HashMap<&str, &str> = workspace
        .users
        .values()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let mut clients = 0;
    store.for_each_client_doc(&mut |_, bytes, summary_json| {
        let summary: ClientSummary =
            serde_json::from_slice(summary_json).map_err(|e| StoreError::Damaged(e.to_string()))?;
        if !summary.is_client() {
            return Ok(());
        }
        let facts = summary.facts.clone();
        let responsible = summary.responsible.clone();
        if !may_read(user, &Access::Client(Arc::new(summary)), &policy, today) {
            return Ok(());
        }
        let damaged = |e: kartoteka::document::DocumentError| StoreError::Damaged(e.to_string());
        let doc = ClientDocument::load(bytes)
            .map_err(damaged)?
            .read()
            .map_err(damaged)?;
        let state = evaluator.evaluate(&facts, today, today).ok().flatten();
        let status = state
            .as_ref()
            .and_then(|s| rules.status(s.status.as_str()))
            .map_or("", |def| match lang {
                Lang::Ru => def.names.ru.as_str(),
                Lang::En => def.names.en.as_str(),
            });
        let zone = state
            .as_ref()
            .and_then(|s| s.zone)
            .map_or("", |z| zone_name(z, lang));
        let responsible = responsible
            .as_ref()
            .and_then(|id| names.get(id.as_str()).copied())
            .unwrap_or("");
        let derived = Derived {
            responsible,
            status,
            zone,
        };
        for r in client_rows(&doc, &derived) {
            row(r);
        }
        clients += 1;
        Ok(())
    })?;
    Ok(clients)
}

/// The clients of the whole base with the query's INN, phone or e-mail,
/// for `user`'s card form. Those `user` may not read are told only by
/// their responsible manager's name.
pub fn duplicates(
    store: &Store,
    user: &UserRecord,
    query: &DuplicatesQuery,
    now: Timestamp,
) -> Result<Vec<DuplicateHit>, ApiError> {
    let inn = query.inn.as_deref().and_then(|i| Inn::parse(i).ok());
    let phone = query
        .phone
        .as_deref()
        .and_then(|p| Phone::parse(p).ok())
        .filter(|p| !p.is_local());
    let email = query
        .email
        .as_deref()
        .map(email::search_key)
        .filter(|e| !e.is_empty());
    if inn.is_none() && phone.is_none() && email.is_none() {
        return Ok(Vec::new());
    }
    let workspace = workspace(store)?;
    let today = today(&workspace, now);
    let policy = Policy::of(None, Some(&workspace));
    let names: HashMap<&UserId, &str> = workspace
        .users
        .values()
        .map(|u| (&u.id, u.name.as_str()))
        .collect();
    let phone_matches = |typed: &String| {
        phone
            .as_ref()
            .is_some_and(|p| Phone::parse(typed).is_ok_and(|t| t.key() == p.key()))
    };
    let email_matches = |typed: &String| {
        email
            .as_ref()
            .is_some_and(|e| email::search_key(typed) == *e)
    };
    let mut hits = Vec::new();
    store.for_each_summary(&mut |_, json| {
        let summary: ClientSummary =
            serde_json::from_slice(json).map_err(|e| StoreError::Damaged(e.to_string()))?;
        if !summary.is_client() {
            return Ok(());
        }
        let mut keys = Vec::new();
        if inn
            .as_ref()
            .is_some_and(|i| Inn::parse(&summary.inn).is_ok_and(|theirs| theirs == *i))
        {
            keys.push(DuplicateKey::Inn);
        }
        let contacts = || summary.contacts.iter();
        if summary.phones.iter().any(phone_matches)
            || contacts().any(|c| c.phones.iter().any(phone_matches))
        {
            keys.push(DuplicateKey::Phone);
        }
        if summary.emails.iter().any(email_matches)
            || contacts().any(|c| c.emails.iter().any(email_matches))
        {
            keys.push(DuplicateKey::Email);
        }
        if keys.is_empty() {
            return Ok(());
        }
        let responsible = summary
            .responsible
            .as_ref()
            .and_then(|id| names.get(id))
            .map(|n| (*n).to_owned());
        let (id, name) = (summary.id.to_string(), summary.display_name());
        let readable = may_read(user, &Access::Client(Arc::new(summary)), &policy, today)
            .then_some(ReadableDuplicate {
                client_id: id,
                name,
            });
        hits.push(DuplicateHit {
            keys,
            responsible,
            readable,
        });
        Ok(())
    })?;
    // The strongest first (an INN), then those the user may open.
    hits.sort_by_key(|h| (h.keys.first().copied().map(key_rank), h.readable.is_none()));
    Ok(hits)
}

fn key_rank(key: DuplicateKey) -> u8 {
    match key {
        DuplicateKey::Inn => 0,
        DuplicateKey::Phone => 1,
        DuplicateKey::Email => 2,
    }
}
