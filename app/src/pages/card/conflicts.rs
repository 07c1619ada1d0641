//! Conflicts on the card: fields two people changed concurrently. Every
//! reader sees which fields and their values with who and when; a
//! supervisor (or an administrator) keeps one value, which syncs as an
//! ordinary change.

use kartoteka::conflict::FieldConflict;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::state::app_state;
use crate::t;

/// The label of a card field as the card shows it.
pub fn field_label(c: &Catalogue, field: &str) -> String {
    match field {
        "name" => c.field_name,
        "legal_form" => c.field_legal_form,
        "inn" => c.field_inn,
        "kpp" => c.field_kpp,
        "ogrn" => c.field_ogrn,
        "website" => c.field_website,
        "industry" => c.field_industry,
        "source" => c.field_source,
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Loads the conflicts of a client's card into `target`.
pub fn load_conflicts(id: String, target: RwSignal<Vec<FieldConflict>>) {
    let base = crate::base::base();
    let Some(store) = base.store() else {
        return;
    };
    spawn_local(async move {
        match store.card_conflicts(&id).await {
            Ok(conflicts) => target.set(conflicts),
            Err(e) => leptos::logging::warn!("reading the conflicts of {id} failed: {e}"),
        }
    });
}

/// The card's conflicts, if any; supervisors pick a value.
#[component]
pub fn ConflictsSection(
    client_id: String,
    conflicts: RwSignal<Vec<FieldConflict>>,
) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let may_resolve = state.user().is_some_and(|u| u.role.may_merge());
    // Stored, so that `keep` is `Copy` and every button can hold it.
    let client_id = StoredValue::new(client_id);
    let keep = move |field: String, value: String| {
        let Some(store) = base.store() else {
            return;
        };
        let id = client_id.get_value();
        spawn_local(async move {
            match store.resolve_conflict(&id, &field, &value).await {
                Ok(_) => {
                    state.toast(cat().saved, false);
                }
                Err(e) => {
                    leptos::logging::error!("resolving a conflict failed: {e}");
                    state.toast(cat().save_failed, true);
                }
            }
        });
    };
    let user_name = move |author: &Option<kartoteka::ids::UserId>| {
        author
            .as_ref()
            .and_then(|id| {
                base.workspace
                    .with_untracked(|w| w.as_ref().and_then(|w| w.user(id)).map(|u| u.name.clone()))
            })
            .unwrap_or_else(|| cat().nobody.to_owned())
    };
    view! {
        <Show when=move || conflicts.with(|c| !c.is_empty())>
            <section class="panel panel--conflict" role="alert" data-testid="conflicts">
                <h2 class="panel__title">{t!(conflict_title)}</h2>
                <p class="muted">
                    {move || if may_resolve { cat().conflict_hint_supervisor } else { cat().conflict_hint }}
                </p>
                <ul class="conflicts">
                    {move || {
                        conflicts
                            .get()
                            .into_iter()
                            .map(|conflict| {
                                let field = conflict.field.clone();
                                view! {
                                    <li class="conflicts__field">
                                        <strong>{move || field_label(cat(), &field)}</strong>
                                        <ul class="conflicts__values">
                                            {conflict
                                                .values
                                                .into_iter()
                                                .map(|v| {
                                                    let who = user_name(&v.author);
                                                    let when = v.at.map(format::date_time).unwrap_or_default();
                                                    let (field, value) = (conflict.field.clone(), v.value.clone());
                                                    let shown = v.value.clone();
                                                    view! {
                                                        <li class="conflicts__value">
                                                            <span class="conflicts__text">"«" {v.value.clone()} "»"</span>
                                                            <span class="muted">{who} ", " {when}</span>
                                                            {may_resolve.then(|| {
                                                                view! {
                                                                    <button
                                                                        type="button"
                                                                        class="button button--small"
                                                                        on:click=move |_| keep(field.clone(), value.clone())
                                                                    >
                                                                        {move || (cat().conflict_keep)(&shown)}
                                                                    </button>
                                                                }
                                                            })}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}
