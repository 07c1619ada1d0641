//! The card's change history (SPEC 2): who changed which field, from what
//! to what, and when, read from the document's Automerge history on
//! demand, newest first, filterable by field and by person.

use kartoteka::history::{Entry, Field};
use kartoteka::ids::UserId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::Base;
use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::messages::entry_kind_name;
use crate::t;

/// A field's name in the history.
fn field_label(c: &Catalogue, field: &Field) -> String {
    match field {
        Field::Name => c.field_name.to_owned(),
        Field::LegalForm => c.field_legal_form.to_owned(),
        Field::Inn => c.field_inn.to_owned(),
        Field::Kpp => c.field_kpp.to_owned(),
        Field::Ogrn => c.field_ogrn.to_owned(),
        Field::Website => c.field_website.to_owned(),
        Field::Industry => c.field_industry.to_owned(),
        Field::Source => c.field_source.to_owned(),
        Field::Phones => c.field_phones.to_owned(),
        Field::Emails => c.field_emails.to_owned(),
        Field::Addresses => c.field_addresses.to_owned(),
        Field::Tags => c.field_tags.to_owned(),
        Field::Contact(name) => (c.history_contact)(name),
        Field::Note => c.history_note.to_owned(),
        Field::Responsible => c.field_responsible.to_owned(),
        Field::Status => c.history_status.to_owned(),
        Field::Activity => c.history_activity.to_owned(),
        Field::Merge => c.history_merge.to_owned(),
        Field::DuplicateOverride => c.history_override.to_owned(),
        Field::Deleted(kind) => (c.history_deleted)(entry_kind_name(c, *kind)),
        Field::Restored(kind) => (c.history_restored)(entry_kind_name(c, *kind)),
    }
}

/// The filter value of a field: one per kind (all contacts together).
fn field_key(field: &Field) -> String {
    match field {
        Field::Contact(_) => "contact".to_owned(),
        other => format!("{other:?}"),
    }
}

fn user_name(base: &Base, id: &str) -> Option<String> {
    base.user_name(&UserId(id.to_owned()))
}

fn author_name(base: &Base, author: &Option<UserId>) -> String {
    author
        .as_ref()
        .and_then(|a| user_name(base, a.as_str()))
        .unwrap_or_else(|| cat().history_unknown_author.to_owned())
}

/// A value as a person reads it: user ids become names, client ids names.
fn shown_value(base: &Base, field: &Field, value: &str) -> String {
    match field {
        Field::Responsible if !value.is_empty() => {
            user_name(base, value).unwrap_or_else(|| value.to_owned())
        }
        Field::Merge if !value.is_empty() => base
            .clients
            .with_untracked(|l| l.get(value).map(|s| s.name.clone()))
            .unwrap_or_else(|| value.to_owned()),
        _ => value.to_owned(),
    }
}

/// The history panel of a card; reads the history when opened, and again
/// when the document changes while it is open.
#[component]
pub fn HistorySection(
    client_id: String,
    doc: Memo<Option<std::sync::Arc<kartoteka::client::ClientDoc>>>,
) -> impl IntoView {
    let base = crate::base::base();
    let open = RwSignal::new(false);
    let entries = RwSignal::new(None::<Result<Vec<Entry>, String>>);
    let field_filter = RwSignal::new(String::new());
    let person_filter = RwSignal::new(String::new());
    let client_id = StoredValue::new(client_id);

    Effect::new(move |_| {
        // Each commit (a merge may add changes and leave the values as
        // they were), and each new client.
        base.followed_rev();
        doc.with(|_| ()); // read, not tracked: a memo subscribes when computed
        if !open.get() {
            return;
        }
        let Some(store) = base.store() else {
            return;
        };
        let id = client_id.get_value();
        spawn_local(async move {
            let read = store.history(&id).await.map_err(|e| e.to_string());
            entries.set(Some(read.map(|mut v| {
                v.reverse();
                v
            })));
        });
    });
    let toggle = move |_| open.update(|o| *o = !*o);

    // The fields and people present, for the filters.
    let fields = move || {
        entries.with(|e| {
            let mut seen: Vec<(String, String)> = Vec::new();
            if let Some(Ok(list)) = e {
                for entry in list {
                    let key = field_key(&entry.field);
                    if !seen.iter().any(|(k, _)| *k == key) {
                        let label = match &entry.field {
                            Field::Contact(_) => cat().section_contacts.to_owned(),
                            f => field_label(cat(), f),
                        };
                        seen.push((key, label));
                    }
                }
            }
            seen
        })
    };
    let people = move || {
        entries.with(|e| {
            let mut seen: Vec<(String, String)> = Vec::new();
            if let Some(Ok(list)) = e {
                for entry in list {
                    let key = entry
                        .author
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    if !seen.iter().any(|(k, _)| *k == key) {
                        seen.push((key, author_name(&base, &entry.author)));
                    }
                }
            }
            seen
        })
    };
    let shown = move || {
        let field = field_filter.get();
        let person = person_filter.get();
        entries.with(|e| match e {
            Some(Ok(list)) => Ok(list
                .iter()
                .filter(|x| field.is_empty() || field_key(&x.field) == field)
                .filter(|x| {
                    person.is_empty()
                        || x.author
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                            == person
                })
                .cloned()
                .collect::<Vec<_>>()),
            Some(Err(e)) => Err(e.clone()),
            None => Ok(Vec::new()),
        })
    };

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-history">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-history">{t!(history_title)}</h2>
                <button
                    type="button"
                    class="button button--small"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="history-body"
                    on:click=toggle
                >
                    {move || if open.get() { cat().history_hide } else { cat().history_show }}
                </button>
            </div>
            <div id="history-body" hidden=move || !open.get()>
                <div class="history-filters">
                    <div class="field">
                        <label class="field__label" for="history-field">{t!(history_filter_field)}</label>
                        <select
                            class="field__input"
                            id="history-field"
                            prop:value=move || field_filter.get()
                            on:change=move |ev| field_filter.set(event_target_value(&ev))
                        >
                            <option value="">{t!(history_all)}</option>
                            {move || fields().into_iter().map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="history-person">{t!(history_filter_person)}</label>
                        <select
                            class="field__input"
                            id="history-person"
                            prop:value=move || person_filter.get()
                            on:change=move |ev| person_filter.set(event_target_value(&ev))
                        >
                            <option value="">{t!(history_all)}</option>
                            {move || people().into_iter().map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                {move || match shown() {
                    Err(detail) => {
                        view! { <p class="form-error" role="alert">{t!(history_failed)} ": " {detail}</p> }.into_any()
                    }
                    Ok(list) if list.is_empty() => {
                        let loading = entries.with(Option::is_none);
                        view! {
                            <p class="muted">{move || if loading { cat().loading } else { cat().history_empty }}</p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <div class="table-scroll">
                                <table class="history" data-testid="history">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(history_when)}</th>
                                            <th scope="col">{t!(history_who)}</th>
                                            <th scope="col">{t!(history_field)}</th>
                                            <th scope="col">{t!(history_before)}</th>
                                            <th scope="col">{t!(history_after)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|e| {
                                                let field = e.field.clone();
                                                let before = shown_value(&base, &e.field, &e.before);
                                                let after = shown_value(&base, &e.field, &e.after);
                                                view! {
                                                    <tr>
                                                        <td class="history__when">{format::date_time(e.at)}</td>
                                                        <td>{author_name(&base, &e.author)}</td>
                                                        <td>{move || field_label(cat(), &field)}</td>
                                                        <td class="history__before">{before}</td>
                                                        <td class="history__after">{after}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </div>
        </section>
    }
}
