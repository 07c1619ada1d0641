//! Merging a duplicate into this client (SPEC 2), for supervisors: find
//! the other card through the search index, confirm, and everything of it
//! moves here while it becomes a link to this card.

use std::sync::Arc;

use kartoteka::client::ClientDoc;
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::client_picker::ClientPicker;
use crate::i18n::cat;
use crate::state::app_state;
use crate::t;

/// The merge panel of a card (shown to those who may merge).
#[component]
pub fn MergeSection(doc: ClientDoc) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let own_id = StoredValue::new(doc.id.to_string());
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Arc<ClientSummary>>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let merge = move |_| {
        let Some(other) = chosen.get_untracked() else {
            return;
        };
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let survivor = own_id.get_value();
        spawn_local(async move {
            let result = store
                .merge_clients(&survivor, other.id.as_str(), &me.id)
                .await;
            busy.set(false);
            match result {
                Ok(()) => {
                    chosen.set(None);
                    query.set(String::new());
                    state.toast(cat().merge_done, false);
                }
                Err(e) => {
                    // A refusal (the same client, a merged one) and a failed
                    // write both leave the two cards as they were.
                    leptos::logging::error!("merging clients failed: {e}");
                    error.set(Some(cat().merge_failed.to_owned()));
                }
            }
        });
    };

    let merged_from: Vec<String> = doc.merged_from.values().map(|m| m.name.clone()).collect();

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-merge">
            <h2 class="panel__title" id="sec-merge">{t!(merge_title)}</h2>
            <p class="muted">{t!(merge_lead)}</p>
            {(!merged_from.is_empty())
                .then(|| {
                    view! {
                        <p data-testid="merged-from">
                            {t!(merged_from_label)} ": " {merged_from.join(", ")}
                        </p>
                    }
                })}
            <ClientPicker
                id="merge-search"
                label=t!(merge_search_label)
                query=query
                chosen=chosen
                exclude=own_id.get_value()
            />
            {move || {
                chosen
                    .get()
                    .map(|c| {
                        view! {
                            <div class="merge-confirm" role="group" aria-labelledby="merge-confirm-text">
                                <p id="merge-confirm-text">{move || (cat().merge_confirm)(&c.display_name())}</p>
                                <div class="form-actions">
                                    <button type="button" class="button button--primary" disabled=move || busy.get() on:click=merge>
                                        {t!(merge_do)}
                                    </button>
                                    <button type="button" class="button button--ghost" on:click=move |_| chosen.set(None)>
                                        {t!(cancel)}
                                    </button>
                                </div>
                            </div>
                        }
                    })
            }}
            <p class="form-error" role="alert">{move || error.get()}</p>
        </section>
    }
}
