//! Choosing a client by lookup (SPEC 3): a search box over the search
//! index and the best few clients as buttons. Used to register an Interest
//! for a found client, to link a potential client's Interest to a client,
//! and to pick the client a merge takes in.

use std::sync::Arc;

use kartoteka::summary::ClientSummary;
use leptos::prelude::*;

use crate::base::SearchState;
use crate::t;

/// How many clients the picker shows.
const CANDIDATES: usize = 8;

/// The clients a query finds, best first; `None` while the index is being
/// built.
pub fn find_clients(query: &str, exclude: Option<&str>) -> Option<Vec<Arc<ClientSummary>>> {
    let base = crate::base::base();
    if query.trim().is_empty() {
        return Some(Vec::new());
    }
    let hits = base.search.with_value(|s| match s {
        SearchState::Ready(index) => Some(index.query(query, CANDIDATES + 1)),
        SearchState::Building => None,
    })?;
    Some(base.clients.with_untracked(|list| {
        hits.into_iter()
            .filter(|h| Some(h.client_id.as_str()) != exclude)
            .filter_map(|h| list.get(&h.client_id).cloned())
            .take(CANDIDATES)
            .collect()
    }))
}

/// A search box and the clients it finds; `chosen` holds the one picked.
#[component]
pub fn ClientPicker(
    /// The search input's id.
    #[prop(into)]
    id: String,
    /// Its label.
    #[prop(into)]
    label: Signal<&'static str>,
    /// What is typed (the caller may read it, e.g. to prefill a form).
    query: RwSignal<String>,
    /// The client picked.
    chosen: RwSignal<Option<Arc<ClientSummary>>>,
    /// A client not to offer (the card the picker is on).
    #[prop(optional, into)]
    exclude: Option<String>,
) -> impl IntoView {
    let base = crate::base::base();
    let exclude = StoredValue::new(exclude);
    let found = Memo::new(move |_| {
        let q = query.get();
        base.search_rev.track();
        exclude.with_value(|x| find_clients(&q, x.as_deref()))
    });
    let list_id = format!("{id}-found");
    view! {
        <div class="field">
            <label class="field__label" for=id.clone()>{label}</label>
            <input
                class="field__input"
                id=id.clone()
                type="search"
                autocomplete="off"
                aria-controls=list_id.clone()
                prop:value=move || query.get()
                on:input=move |ev| {
                    chosen.set(None);
                    query.set(event_target_value(&ev));
                }
            />
        </div>
        {move || match found.get() {
            None => view! { <p class="muted">{t!(merge_index_wait)}</p> }.into_any(),
            Some(list) if list.is_empty() && !query.with(|q| q.trim().is_empty()) => {
                view! { <p class="muted" role="status">{t!(no_matches)}</p> }.into_any()
            }
            Some(list) => view! {
                <ul class="merge-candidates" id=list_id.clone()>
                    {list
                        .into_iter()
                        .map(|s| {
                            let pick = Arc::clone(&s);
                            let sid = s.id.to_string();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="merge-candidate"
                                        aria-pressed=move || chosen.with(|x| x.as_ref().is_some_and(|x| x.id.as_str() == sid)).to_string()
                                        on:click=move |_| chosen.set(Some(Arc::clone(&pick)))
                                    >
                                        <span class="merge-candidate__name">{s.display_name()}</span>
                                        {(!s.inn.is_empty()).then(|| view! { <span class="muted">" · " {t!(field_inn)} " " {s.inn.clone()}</span> })}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}
