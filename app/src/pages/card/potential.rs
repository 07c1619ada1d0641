//! The page of a potential client's Interest (SPEC 4): who asked, the
//! Interest and its events — and the two ways out: link it to a client
//! already in the base (someone registered the client meanwhile), or turn
//! it into a new client card with the person as its contact.

use std::sync::Arc;

use kartoteka::client::{Card, ClientDoc, validate_card};
use kartoteka::date::Timestamp;
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::client_picker::ClientPicker;
use crate::components::field::TextField;
use crate::components::focus::focus_first_invalid;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::messages::problem_text;
use crate::pages::card::interests::InterestsSection;
use crate::pages::card::timeline::TimelineSection;
use crate::state::app_state;
use crate::t;

/// The page body for a potential client's document.
#[component]
pub fn PotentialCard(doc: ClientDoc) -> impl IntoView {
    let base = crate::base::base();
    let who = doc.potential.clone().unwrap_or_default();
    let linked = doc.merged_into.as_ref().map(ToString::to_string);
    let responsible = doc
        .responsible()
        .and_then(|u| {
            base.workspace
                .with_untracked(|w| w.as_ref().and_then(|w| w.user(u)).map(|u| u.name.clone()))
        })
        .unwrap_or_else(|| cat().nobody.to_owned());
    let row = |label: fn() -> &'static str, value: String| {
        let empty = value.trim().is_empty();
        view! {
            <div class="details__row">
                <dt>{label}</dt>
                <dd class:details__empty=empty>{if empty { cat().not_filled.to_owned() } else { value }}</dd>
            </div>
        }
    };
    view! {
        {linked.map(|client| view! {
            <div class="notice" role="status" data-testid="linked-notice">
                <span>{t!(potential_linked_notice)} " "</span>
                <A href=format!("/clients/{client}")>{t!(merged_open)}</A>
            </div>
        })}
        <div class="card-head">
            <div>
                <p class="tag tag--potential">{t!(potential_title)}</p>
                <h1 class="card-head__title" data-testid="card-title">{who.display_name()}</h1>
                <p class="card-head__meta"><span>{t!(field_responsible)} ": " {responsible}</span></p>
            </div>
        </div>
        <div class="card-grid">
            <section class="panel" aria-labelledby="sec-person">
                <h2 class="panel__title" id="sec-person">{t!(potential_person)}</h2>
                <dl class="details">
                    {row(|| cat().field_full_name, who.full_name.clone())}
                    {row(|| cat().field_company, who.company.clone())}
                    {row(|| cat().field_email, who.email.clone())}
                    {row(|| cat().field_phone, who.phone.clone())}
                </dl>
            </section>
            {doc.merged_into.is_none().then(|| view! { <BecomeClient doc=doc.clone()/> })}
            <InterestsSection doc=doc.clone()/>
            <TimelineSection doc=doc.clone()/>
        </div>
    }
}

/// Linking to an existing client, or creating the card.
#[component]
fn BecomeClient(doc: ClientDoc) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let navigate = use_navigate();
    let id = StoredValue::new(doc.id.to_string());
    let who = doc.potential.clone().unwrap_or_default();
    let query = RwSignal::new(if who.company.is_empty() {
        who.full_name.clone()
    } else {
        who.company.clone()
    });
    let chosen = RwSignal::new(None::<Arc<ClientSummary>>);
    let name = RwSignal::new(query.get_untracked());
    let legal_form = RwSignal::new(String::new());
    let inn = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let inn_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let nav = navigate.clone();
    let link = move |_| {
        let (Some(client), Some(store)) = (chosen.get_untracked(), base.store()) else {
            return;
        };
        busy.set(true);
        let nav = nav.clone();
        spawn_local(async move {
            let result = store
                .link_potential(&id.get_value(), client.id.as_str())
                .await;
            busy.set(false);
            match result {
                Ok(()) => {
                    let target = client.id.to_string();
                    state.toast(cat().potential_linked, false);
                    nav(&format!("/clients/{target}"), Default::default());
                }
                Err(e) => {
                    leptos::logging::error!("linking a potential client failed: {e}");
                    error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    };

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let card = Card {
            name: name.get_untracked().trim().to_owned(),
            legal_form: legal_form.get_untracked().trim().to_owned(),
            inn: inn.get_untracked().trim().to_owned(),
            ..Card::default()
        };
        let problems = validate_card(&card);
        let of = |field| {
            problems
                .iter()
                .find(|p| p.field == field)
                .map(|p| problem_text(&p.problem))
        };
        name_error.set(of(kartoteka::client::CardField::Name));
        inn_error.set(of(kartoteka::client::CardField::Inn));
        if !problems.is_empty() {
            focus_first_invalid();
            return;
        }
        let Some(store) = base.store() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let at = Timestamp(now_ms());
            let result = store
                .change_client(&id.get_value(), "potential client becomes a client", |d| {
                    // A document that is a client already stays as it is.
                    let _ = d.become_client(card, at);
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    state.toast(cat().potential_became_client, false);
                }
                Err(e) => {
                    leptos::logging::error!("creating the card failed: {e}");
                    error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    };

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-become">
            <h2 class="panel__title" id="sec-become">{t!(potential_next)}</h2>
            <div class="become">
                <div class="become__part">
                    <h3 class="panel__subtitle">{t!(potential_link_title)}</h3>
                    <ClientPicker id="link-search" label=t!(register_search) query=query chosen=chosen/>
                    {move || chosen.get().map(|c| view! {
                        <p>{move || (cat().potential_link_confirm)(&c.display_name())}</p>
                        <button type="button" class="button button--primary" id="link-confirm" disabled=move || busy.get() on:click=link.clone()>
                            {t!(potential_link_do)}
                        </button>
                    })}
                </div>
                <form class="become__part" novalidate on:submit=create>
                    <h3 class="panel__subtitle">{t!(potential_create_title)}</h3>
                    <TextField id="become-name" label=t!(field_name) value=name error=name_error required=true/>
                    <TextField id="become-legal-form" label=t!(field_legal_form) value=legal_form/>
                    <TextField id="become-inn" label=t!(field_inn) value=inn error=inn_error inputmode="numeric"/>
                    <button type="submit" class="button" id="become-create" disabled=move || busy.get()>{t!(potential_create_do)}</button>
                </form>
            </div>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </section>
    }
}
