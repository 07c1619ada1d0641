//! What was deleted from a card (contact persons, events, payments,
//! shipments), for supervisors and administrators to restore. A restored
//! entry comes back as it was, with any edit made to it meanwhile; the
//! history shows the restoration. Others do not see this section: only a
//! supervisor may restore (the relay refuses anyone else's restore too).

use kartoteka::client::{ClientDoc, EntryKind};
use leptos::prelude::*;

use crate::base::base;
use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::messages::{entry_error_text, entry_kind_name};
use crate::pages::card::edit::Edit;
use crate::pages::card::event_kind_name;
use crate::state::app_state;
use crate::t;

/// One deleted entry, in words.
#[derive(Debug, Clone)]
struct Gone {
    kind: EntryKind,
    id: String,
    what: String,
    deleted: String,
}

/// What entry `id` of `kind` was: a name, or a day with what happened.
fn describe(c: &Catalogue, doc: &ClientDoc, kind: EntryKind, id: &str, currency: &str) -> String {
    let money = |date, amount| {
        format!(
            "{} · {}",
            format::date(date),
            format::money(amount, currency)
        )
    };
    match kind {
        EntryKind::Contact => doc.contacts.get(id).map(|x| x.full_name.clone()),
        EntryKind::Event => doc.events.get(id).map(|e| {
            format!(
                "{} {} · {}",
                event_kind_name(c, e.kind),
                format::date(e.date),
                e.result
            )
        }),
        EntryKind::Payment => doc.payments.get(id).map(|p| money(p.date, p.amount)),
        EntryKind::Shipment => doc.shipments.get(id).map(|s| money(s.date, s.amount)),
    }
    .unwrap_or_default()
}

/// The deleted entries of a card, each with "Restore"; nothing when there
/// are none or the user may not restore.
#[component]
pub fn DeletedSection(doc: ClientDoc) -> impl IntoView {
    let may_restore = app_state().user().is_some_and(|u| u.role.may_restore());
    let base = base();
    let c = cat();
    let currency = base
        .workspace
        .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
        .unwrap_or_else(|| "RUB".to_owned());
    let gone: Vec<Gone> = doc
        .deleted_entries()
        .into_iter()
        .map(|e| Gone {
            kind: e.kind,
            id: e.id.to_owned(),
            what: describe(c, &doc, e.kind, e.id, &currency),
            deleted: (c.deleted_by)(
                &base.user_name(&e.deletion.by).unwrap_or_default(),
                &format::date_time(e.deletion.at),
            ),
        })
        .collect();
    if !may_restore || gone.is_empty() {
        return ().into_any();
    }
    let client = StoredValue::new(doc.id.to_string());
    let edit = Edit::new();
    let (busy, error) = (edit.busy, edit.error);
    let restore = move |kind: EntryKind, id: String| {
        let Some(me) = app_state().user() else {
            return;
        };
        let back = move |d: &mut ClientDoc| {
            d.restore_entry(kind, &id, me.role)
                .map_err(|e| entry_error_text(cat(), &e))
        };
        let toast = (cat().history_restored)(entry_kind_name(cat(), kind));
        edit.run_saying(client.get_value(), "restore", toast, back, |_| ());
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="sec-deleted" data-testid="deleted-entries">
            <h2 class="panel__title" id="sec-deleted">{t!(section_deleted)}</h2>
            <p class="muted">{t!(deleted_hint)}</p>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <ul class="deleted">
                {gone
                    .into_iter()
                    .map(|g| {
                        let label = format!("{} — {}", cat().restore, g.what);
                        let (kind, id) = (g.kind, g.id.clone());
                        view! {
                            <li class="deleted__item">
                                <span class="deleted__kind">{move || entry_kind_name(cat(), kind)}</span>
                                <span class="deleted__what">{g.what}</span>
                                <span class="muted">{g.deleted}</span>
                                <button type="button" class="button button--small" aria-label=label
                                    disabled=move || busy.get()
                                    on:click=move |_| restore(kind, id.clone())>
                                    {t!(restore)}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
