//! Merging a duplicate into this client (SPEC 2), for supervisors: find
//! the other card through the search index, confirm, and everything of it
//! moves here while it becomes a link to this card.

use kartoteka::client::ClientDoc;
use kartoteka::summary::display_name;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::cat;
use crate::pages::card::Loaded;
use crate::state::{SearchState, app_state};
use crate::t;

/// How many candidates the search shows.
const CANDIDATES: usize = 8;

#[derive(Clone, PartialEq)]
struct Candidate {
    id: String,
    name: String,
    inn: String,
}

/// The merge panel of a card (shown to those who may merge).
#[component]
pub fn MergeSection(doc: ClientDoc, loaded: RwSignal<Loaded>) -> impl IntoView {
    let state = app_state();
    let own_id = StoredValue::new(doc.id.to_string());
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Candidate>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let candidates = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return Ok(Vec::new());
        }
        state.search_rev.track();
        let own = own_id.get_value();
        let hits = state.search.with_value(|s| match s {
            SearchState::Ready(index) => Some(index.query(&q, CANDIDATES + 1)),
            SearchState::Building => None,
        });
        let Some(hits) = hits else {
            return Err(());
        };
        Ok(state.clients.with(|list| {
            hits.into_iter()
                .filter(|h| h.client_id != own)
                .filter_map(|h| list.get(&h.client_id))
                .take(CANDIDATES)
                .map(|s| Candidate {
                    id: s.id.to_string(),
                    name: display_name(&s.legal_form, &s.name),
                    inn: s.inn.clone(),
                })
                .collect::<Vec<_>>()
        }))
    });

    let merge = move |_| {
        let Some(other) = chosen.get_untracked() else {
            return;
        };
        let (Some(store), Some(me)) = (state.store(), state.user()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let survivor = own_id.get_value();
        spawn_local(async move {
            let result = store.merge_clients(&survivor, &other.id, &me.id).await;
            busy.set(false);
            match result {
                Ok((kept, gone)) => {
                    state.upsert_summary(gone);
                    state.upsert_summary(kept);
                    chosen.set(None);
                    query.set(String::new());
                    state.toast(cat().merge_done, false);
                    if let Ok(doc) = store.client(&survivor).await {
                        loaded.set(Loaded::Client(Box::new(doc)));
                    }
                }
                Err(e) => {
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
            <div class="field">
                <label class="field__label" for="merge-search">{t!(merge_search_label)}</label>
                <input
                    class="field__input"
                    id="merge-search"
                    type="search"
                    autocomplete="off"
                    prop:value=move || query.get()
                    on:input=move |ev| {
                        chosen.set(None);
                        query.set(event_target_value(&ev));
                    }
                />
            </div>
            {move || match candidates.get() {
                Err(()) => view! { <p class="muted">{t!(merge_index_wait)}</p> }.into_any(),
                Ok(list) if list.is_empty() && !query.with(|q| q.trim().is_empty()) => {
                    view! { <p class="muted">{t!(no_matches)}</p> }.into_any()
                }
                Ok(list) => {
                    view! {
                        <ul class="merge-candidates">
                            {list
                                .into_iter()
                                .map(|c| {
                                    let pick = c.clone();
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="merge-candidate"
                                                aria-pressed=move || chosen.with(|x| x.as_ref().is_some_and(|x| x.id == pick.id)).to_string()
                                                on:click={
                                                    let c = c.clone();
                                                    move |_| chosen.set(Some(c.clone()))
                                                }
                                            >
                                                <span class="merge-candidate__name">{c.name.clone()}</span>
                                                {(!c.inn.is_empty()).then(|| view! { <span class="muted">" · " {t!(field_inn)} " " {c.inn.clone()}</span> })}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            {move || {
                chosen
                    .get()
                    .map(|c| {
                        view! {
                            <div class="merge-confirm" role="group" aria-labelledby="merge-confirm-text">
                                <p id="merge-confirm-text">{move || (cat().merge_confirm)(&c.name)}</p>
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
