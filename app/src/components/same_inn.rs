//! The supervisor's list of clients that share one INN: cards made at the
//! same time on devices that were offline (each device's duplicate check
//! saw only its own base), shown once they have synced, to be merged.

use kartoteka::duplicates::clients_sharing_inn;
use kartoteka::summary::display_name;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::base::base;
use crate::i18n::cat;
use crate::state::app_state;
use crate::t;

/// Nothing when no two clients share an INN, or for a manager (who sees
/// only a part of the base and may not merge).
#[component]
pub fn SameInnNotice() -> impl IntoView {
    let base = base();
    let may_merge = app_state().user().is_some_and(|u| u.role.may_merge());
    let groups = Memo::new(move |_| {
        if !may_merge {
            return Vec::new();
        }
        base.clients.with(|list| {
            clients_sharing_inn(list.items.iter().map(|s| &**s))
                .into_iter()
                .map(|group| {
                    let clients = group
                        .clients
                        .iter()
                        .filter_map(|id| list.get(id.as_str()))
                        .map(|s| (s.id.to_string(), display_name(&s.legal_form, &s.name)))
                        .collect::<Vec<_>>();
                    (group.inn, clients)
                })
                .collect::<Vec<_>>()
        })
    });
    move || {
        let groups = groups.get();
        (!groups.is_empty()).then(|| {
            let count = groups.len() as u64;
            view! {
                <details class="notice same-inn" data-testid="same-inn">
                    <summary>{move || (cat().same_inn_summary)(count)}</summary>
                    <p class="muted">{t!(same_inn_hint)}</p>
                    <ul class="same-inn__list">
                        {groups
                            .into_iter()
                            .map(|(inn, clients)| {
                                view! {
                                    <li>
                                        <span>{t!(field_inn)} " " {inn} ": "</span>
                                        {clients
                                            .into_iter()
                                            .map(|(id, name)| {
                                                view! { <A href=format!("/clients/{id}") attr:class="same-inn__client">{name}</A> }
                                            })
                                            .collect_view()}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </details>
            }
        })
    }
}
