//! The duplicate warning over the whole base (issue 14, SPEC 2) in the card
//! creation form: the device holds only the clients its user may read, so
//! while online the form asks the relay (`GET /api/duplicates`) whether the
//! INN, a phone or an e-mail being typed belongs to any client of the base.
//! A client the user may not read is told only by its responsible
//! manager's name, never its card. Offline, the form says that only the
//! visible base was checked.

use kartoteka::api::{DuplicateHit, DuplicateKey, DuplicatesQuery};
use kartoteka::email::Email;
use kartoteka::inn::Inn;
use kartoteka::phone::Phone;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Catalogue, cat};
use crate::io::api;
use crate::state::{Net, app_state};
use crate::t;

/// How long typing must pause before the relay is asked (ms).
const PAUSE_MS: u64 = 400;

/// What is worth asking about: a valid INN, the first valid non-local phone
/// and the first valid e-mail.
fn query_of(inn: &str, phones: &[String], emails: &[String]) -> Option<DuplicatesQuery> {
    let query = DuplicatesQuery {
        inn: Inn::parse(inn).ok().map(|i| i.as_str().to_owned()),
        phone: phones
            .iter()
            .find(|p| Phone::parse(p).is_ok_and(|p| !p.is_local()))
            .cloned(),
        email: emails.iter().find(|e| Email::parse(e).is_ok()).cloned(),
    };
    (query.inn.is_some() || query.phone.is_some() || query.email.is_some()).then_some(query)
}

fn keys_text(c: &Catalogue, keys: &[DuplicateKey]) -> String {
    keys.iter()
        .map(|k| match k {
            DuplicateKey::Inn => c.bd_key_inn,
            DuplicateKey::Phone => c.bd_key_phone,
            DuplicateKey::Email => c.bd_key_email,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One hit in words: "A client with this INN is already in the base,
/// responsible: Анна Смирнова".
fn hit_text(c: &Catalogue, hit: &DuplicateHit) -> String {
    let who = hit.responsible.as_deref().unwrap_or(c.bd_no_responsible);
    (c.bd_hit)(&keys_text(c, &hit.keys), who)
}

/// The warning, below the fields it checks. `inn`, `phones` and `emails`
/// are what the form holds as typed.
#[component]
pub fn BaseDuplicates(
    #[prop(into)] inn: Signal<String>,
    #[prop(into)] phones: Signal<Vec<String>>,
    #[prop(into)] emails: Signal<Vec<String>>,
) -> impl IntoView {
    let state = app_state();
    let query = Memo::new(move |_| query_of(&inn.get(), &phones.get(), &emails.get()));
    let hits = RwSignal::new(Vec::<DuplicateHit>::new());
    // Answers to earlier queries that arrive late are dropped.
    let asked = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let q = query.get();
        let online = state.net.get() == Net::Online;
        asked.update_value(|n| *n += 1);
        let this = asked.get_value();
        let (Some(q), true) = (q, online) else {
            hits.set(Vec::new());
            return;
        };
        set_timeout(
            move || {
                if asked.get_value() != this {
                    return;
                }
                let token = state
                    .session
                    .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
                    .unwrap_or_default();
                spawn_local(async move {
                    let found = api::duplicates(&token, &q).await;
                    if asked.get_value() != this {
                        return;
                    }
                    match found {
                        Ok(answer) => hits.set(answer.hits),
                        // Not knowing is said as for offline below only when
                        // the device is offline; a failed check shows nothing.
                        Err(e) => {
                            leptos::logging::warn!("the duplicate check failed: {e}");
                            hits.set(Vec::new());
                        }
                    }
                });
            },
            std::time::Duration::from_millis(PAUSE_MS),
        );
    });
    let offline = move || state.net.get() != Net::Online && query.with(Option::is_some);
    view! {
        <Show when=move || !hits.with(Vec::is_empty)>
            <section class="panel dup-warning base-duplicates" role="status" aria-live="polite" data-testid="base-duplicates">
                <h2 class="panel__title">{t!(bd_title)}</h2>
                <ul class="dup-list">
                    {move || hits.get().into_iter().map(|hit| {
                        let link = hit.readable.clone().map(|r| view! {
                            <a href=format!("/clients/{}", r.client_id) target="_blank" rel="noopener">{r.name}</a>
                            " — "
                        });
                        let text = move || hit_text(cat(), &hit);
                        view! { <li class="dup-list__item">{link}{text}</li> }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
        <Show when=offline>
            <p class="muted base-duplicates__offline" role="status" data-testid="base-duplicates-offline">{t!(bd_offline)}</p>
        </Show>
    }
}
