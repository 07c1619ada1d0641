//! Registering a new Interest (SPEC 4, "Registration"): search first; for a
//! found client its unfinished Interests are shown before a new one is
//! made, so the same request is not registered twice. When the client is
//! not in the base, the Interest is registered for a *potential client*
//! (no card, the base stays clean) — or "+ Client" creates the card at
//! once, the person as its contact.

use std::sync::Arc;

use kartoteka::client::{Card, ClientDoc, PotentialClient, validate_card};
use kartoteka::date::Timestamp;
use kartoteka::ids::ClientId;
use kartoteka::sales::unfinished;
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::client_picker::ClientPicker;
use crate::components::field::TextField;
use crate::components::focus::{focus_first_invalid, focus_id};
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::pages::interest_fields::{InterestDraft, InterestFields};
use crate::pages::interest_move::state_name;
use crate::state::app_state;
use crate::t;

/// Guesses which field of a potential client a search text is: an e-mail,
/// a phone, or a name.
fn prefill(query: &str) -> PotentialClient {
    let q = query.trim().to_owned();
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if q.contains('@') {
        PotentialClient {
            email: q,
            ..PotentialClient::default()
        }
    } else if digits >= 6 && digits * 2 >= q.chars().count() {
        PotentialClient {
            phone: q,
            ..PotentialClient::default()
        }
    } else if looks_like_a_person(&q) {
        PotentialClient {
            full_name: q,
            ..PotentialClient::default()
        }
    } else {
        PotentialClient {
            company: q,
            ..PotentialClient::default()
        }
    }
}

/// "Иван Гончаров", "Петрова Анна Сергеевна": two or three capitalised
/// words of letters, and no legal form or quotes.
fn looks_like_a_person(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let forms = ["ООО", "АО", "ЗАО", "ПАО", "ОАО", "ИП", "LLC", "Ltd"];
    (2..=3).contains(&words.len())
        && words.iter().all(|w| {
            !forms.contains(w)
                && w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
                && w.chars().skip(1).any(char::is_lowercase)
        })
}

/// The page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let navigate = use_navigate();
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Arc<ClientSummary>>);
    let potential = RwSignal::new(false);
    let draft = InterestDraft::fresh();
    let choose_responsible = state.user().is_some_and(|u| u.role.sees_everything());
    let (full_name, company, email, phone) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let name_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    focus_id("register-search", false);
    // A found client's unfinished Interests are in the sales parts.
    spawn_local(base.read_sales());

    let to_potential = move |_| {
        let guess = prefill(&query.get_untracked());
        full_name.set(guess.full_name);
        company.set(guess.company);
        email.set(guess.email);
        phone.set(guess.phone);
        chosen.set(None);
        potential.set(true);
        focus_id("potential-name", false);
    };

    // Registers for the chosen client, for a potential client, or (with
    // `with_card`) for a new client made from the potential one.
    let save = StoredValue::new(move |with_card: bool| {
        if busy.get_untracked() {
            return;
        }
        let client = chosen.get_untracked();
        let earliest = client.as_ref().map(|c| c.created);
        let interest = draft.build(earliest);
        let who = PotentialClient {
            full_name: full_name.get_untracked(),
            company: company.get_untracked(),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
        };
        let for_potential = client.is_none();
        let no_name = for_potential && who.display_name().trim().is_empty();
        name_error.set(no_name.then(|| cat().err_potential_name.to_owned()));
        let (Some(interest), false) = (interest, no_name) else {
            focus_first_invalid();
            return;
        };
        let (Some(store), Some(me)) = (base.store(), state.user()) else {
            return;
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let at = Timestamp(now_ms());
            let result = match client {
                Some(client) => store
                    .change_client(client.id.as_str(), "interest", |d| {
                        d.interests.insert(interest.id.clone(), interest);
                    })
                    .await
                    .map(|d| d.id)
                    .map_err(|e| e.to_string()),
                None => {
                    let made = ClientDoc::new_potential(
                        ClientId::random(),
                        who.clone(),
                        interest,
                        &me.id,
                        at,
                    )
                    .map_err(|e| e.to_string())
                    .and_then(|mut doc| {
                        if with_card {
                            let card = Card {
                                name: if who.company.trim().is_empty() {
                                    who.full_name.trim().to_owned()
                                } else {
                                    who.company.trim().to_owned()
                                },
                                ..Card::default()
                            };
                            if !validate_card(&card).is_empty() {
                                return Err(cat().err_potential_name.to_owned());
                            }
                            doc.become_client(card, at).map_err(|e| e.to_string())?;
                        }
                        Ok(doc)
                    });
                    match made {
                        Ok(doc) => store
                            .create_client(&doc)
                            .await
                            .map(|()| doc.id)
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    }
                }
            };
            busy.set(false);
            match result {
                Ok(id) => {
                    state.toast(cat().interest_registered, false);
                    navigate(&format!("/clients/{id}"), Default::default());
                }
                Err(e) => {
                    leptos::logging::error!("registering an Interest failed: {e}");
                    draft.content_error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    });

    view! {
        <main class="form-page register-page" id="main">
            <A href="/sales" attr:class="back-link">{t!(back_to_sales)}</A>
            <h1 class="form-page__title">{t!(register_title)}</h1>
            <p class="muted">{t!(register_lead)}</p>
            <section class="panel" aria-labelledby="register-who">
                <h2 class="panel__title" id="register-who">{t!(register_step_client)}</h2>
                <Show when=move || !potential.get()>
                    <ClientPicker id="register-search" label=t!(register_search) query=query chosen=chosen/>
                    <button type="button" class="button button--ghost" id="register-potential" on:click=to_potential>
                        {t!(no_client_in_base)}
                    </button>
                </Show>
                {move || chosen.get().map(|c| {
                    // As the list has it now: with its Interests once they are read.
                    base.sales_ready();
                    let c = base.clients.with(|l| l.get(c.id.as_str()).cloned()).unwrap_or(c);
                    view! { <ChosenClient client=c/> }
                })}
                <Show when=move || potential.get()>
                    <div class="notice" role="status">
                        <span>{t!(potential_lead)}</span>
                        " "
                        <button type="button" class="button button--small button--ghost" on:click=move |_| potential.set(false)>{t!(search_again)}</button>
                    </div>
                    <div class="form-grid">
                        <TextField id="potential-name" label=t!(field_full_name) value=full_name error=name_error autocomplete="name"/>
                        <TextField id="potential-company" label=t!(field_company) value=company autocomplete="organization"/>
                        <TextField id="potential-email" label=t!(field_email) value=email kind="email" autocomplete="email"/>
                        <TextField id="potential-phone" label=t!(field_phone) value=phone kind="tel" autocomplete="tel" inputmode="tel"/>
                    </div>
                </Show>
            </section>
            <Show when=move || potential.get() || chosen.with(Option::is_some)>
                <form class="panel" aria-labelledby="register-what" novalidate on:submit=move |ev| { ev.prevent_default(); save.with_value(|f| f(false)); }>
                    <h2 class="panel__title" id="register-what">{t!(register_step_interest)}</h2>
                    <InterestFields draft=draft choose_responsible=choose_responsible/>
                    <div class="form-actions form-actions--start">
                        <button type="submit" class="button button--primary" id="register-save" disabled=move || busy.get()>
                            {move || if potential.get() { cat().register_potential } else { cat().register_save }}
                        </button>
                        <Show when=move || potential.get()>
                            <button type="button" class="button" id="register-with-card" disabled=move || busy.get()
                                title=t!(register_with_client_hint)
                                on:click=move |_| save.with_value(|f| f(true))>
                                {t!(register_with_client)}
                            </button>
                        </Show>
                    </div>
                </form>
            </Show>
        </main>
    }
}

/// The client picked, with its unfinished Interests.
#[component]
fn ChosenClient(client: Arc<ClientSummary>) -> impl IntoView {
    let ws = crate::base::base().workspace.get_untracked();
    let open: Vec<(String, String, String)> = unfinished(&client)
        .into_iter()
        .map(|i| {
            let scenario = ws.as_ref().and_then(|w| w.scenarios.get(&i.scenario));
            (
                i.content.clone(),
                state_name(scenario, &i.state),
                format::date(i.created),
            )
        })
        .collect();
    let n = open.len() as u64;
    let href = format!("/clients/{}", client.id);
    view! {
        <div class="chosen-client">
            <p class="chosen-client__name">{move || (cat().register_for)(&client.display_name())}</p>
            {(n > 0).then(|| view! {
                <div class="warning" role="status" data-testid="open-interests">
                    <p class="warning__title">{move || (cat().open_interests_warning)(n)}</p>
                    <ul class="warning__list">
                        {open.into_iter().map(|(content, state, day)| view! {
                            <li><strong>{content}</strong> " · " {state} " · " {day}</li>
                        }).collect_view()}
                    </ul>
                    <A href=href.clone()>{t!(open_card)}</A>
                </div>
            })}
        </div>
    }
}
