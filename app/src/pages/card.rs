//! The client card: requisites, ways to reach the client, contact persons,
//! notes and a summary of the work with the client. A card opens by
//! loading one document.

use kartoteka::client::{AddressKind, ClientDoc, EventKind};
use kartoteka::summary::display_name;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::pages::card_status::StatusSection;
use crate::pages::conflicts::{ConflictsSection, load_conflicts};
use crate::pages::contacts::ContactsSection;
use crate::pages::history::HistorySection;
use crate::pages::interests::InterestsSection;
use crate::pages::merge::MergeSection;
use crate::pages::notes::NotesSection;
use crate::pages::potential::PotentialCard;
use crate::pages::timeline::TimelineSection;
use crate::state::app_state;
use crate::store::StoreError;
use crate::t;

/// What the card page shows: loading, the client, or why not.
#[derive(Clone)]
pub enum Loaded {
    Loading,
    Client(Box<ClientDoc>),
    Missing,
    Failed(String),
}

/// Loads a client's document into `target` whenever the id changes.
pub fn load_client(id: Memo<String>, target: RwSignal<Loaded>) {
    let state = app_state();
    Effect::new(move |_| {
        let id = id.get();
        let Some(store) = state.store() else {
            return;
        };
        target.set(Loaded::Loading);
        spawn_local(async move {
            let loaded = match store.client(&id).await {
                Ok(doc) => Loaded::Client(Box::new(doc)),
                Err(StoreError::NotFound) => Loaded::Missing,
                Err(e) => Loaded::Failed(e.to_string()),
            };
            target.set(loaded);
        });
    });
}

/// Reloads the shown client when the relay changed it (live updates),
/// without a "loading" flash in between.
fn follow_remote_changes(id: Memo<String>, target: RwSignal<Loaded>) {
    let state = app_state();
    Effect::new(move |_| {
        let changed = state
            .sync
            .remote_change
            .with(|(changed, _)| changed.clone());
        let id = id.get_untracked();
        if changed != id {
            return;
        }
        let Some(store) = state.store() else {
            return;
        };
        spawn_local(async move {
            if let Ok(doc) = store.client(&id).await {
                target.set(Loaded::Client(Box::new(doc)));
            }
        });
    });
}

pub fn address_kind_name(c: &Catalogue, kind: AddressKind) -> &'static str {
    match kind {
        AddressKind::Legal => c.address_legal,
        AddressKind::Actual => c.address_actual,
        AddressKind::Postal => c.address_postal,
        AddressKind::Delivery => c.address_delivery,
    }
}

pub fn event_kind_name(c: &Catalogue, kind: EventKind) -> &'static str {
    match kind {
        EventKind::Call => c.event_call,
        EventKind::Meeting => c.event_meeting,
        EventKind::Email => c.event_email,
        EventKind::Message => c.event_message,
        EventKind::Note => c.event_note,
    }
}

/// One line of a description list; "not given" when empty; marked when
/// the field holds a conflict.
#[component]
fn Detail(
    #[prop(into)] label: Signal<&'static str>,
    #[prop(into)] value: String,
    #[prop(optional, into)] conflict: Option<Signal<bool>>,
) -> impl IntoView {
    let empty = value.trim().is_empty();
    let conflict = move || conflict.is_some_and(|c| c.get());
    view! {
        <div class="details__row" class:details__row--conflict=conflict>
            <dt>
                {label}
                <Show when=conflict>
                    " " <span class="conflict-mark">{t!(conflict_mark)}</span>
                </Show>
            </dt>
            <dd class:details__empty=empty>
                {if empty { cat().not_filled.to_owned() } else { value }}
            </dd>
        </div>
    }
}

/// The card page.
#[component]
pub fn CardPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let loaded = RwSignal::new(Loaded::Loading);
    load_client(id, loaded);
    // Whether the status explanation is open: kept while the card
    // re-renders after a save, closed for another client.
    let explain_open = RwSignal::new(false);
    Effect::new(move |_| {
        id.track();
        explain_open.set(false);
    });
    follow_remote_changes(id, loaded);

    view! {
        <main class="card-page" id="main">
            <A href="/" attr:class="back-link">{t!(back_to_list)}</A>
            {move || match loaded.get() {
                Loaded::Loading => view! { <p class="muted">{t!(loading)}</p> }.into_any(),
                Loaded::Missing => view! { <p class="muted">{t!(client_not_found)}</p> }.into_any(),
                Loaded::Failed(detail) => {
                    view! { <p class="form-error" role="alert">{cat().err_damaged_doc} ": " {detail}</p> }
                        .into_any()
                }
                Loaded::Client(doc) if doc.potential.is_some() => {
                    view! { <PotentialCard doc=*doc loaded=loaded/> }.into_any()
                }
                Loaded::Client(doc) => {
                    view! { <ClientCard doc=*doc loaded=loaded explain_open=explain_open/> }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn ClientCard(
    doc: ClientDoc,
    loaded: RwSignal<Loaded>,
    explain_open: RwSignal<bool>,
) -> impl IntoView {
    let state = app_state();
    let title = display_name(&doc.card.legal_form, &doc.card.name);
    let responsible = doc
        .responsible()
        .and_then(|id| {
            state
                .workspace
                .with_untracked(|w| w.as_ref().and_then(|w| w.user(id)).map(|u| u.name.clone()))
        })
        .unwrap_or_else(|| cat().nobody.to_owned());
    let card = doc.card.clone();
    let tags = card.tags.keys().cloned().collect::<Vec<_>>().join(", ");
    let phones = card
        .phones_sorted()
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let emails = card
        .emails_sorted()
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let addresses = card
        .addresses_sorted()
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let id = doc.id.to_string();
    let currency = state
        .workspace
        .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
        .unwrap_or_else(|| "RUB".to_owned());
    let paid: i64 = doc.payments.values().map(|p| p.amount.0).sum();
    let last_contact = doc.events.values().map(|e| e.date).max();
    request_animation_frame(|| crate::io::platform::mark("kartoteka:card-ready"));
    let interests = doc.interests.len() as u64;
    let may_merge = state.user().is_some_and(|u| u.role.may_merge());
    let merged_into = doc.merged_into.as_ref().map(ToString::to_string);
    let events = doc.events.len() as u64;
    let conflicts = RwSignal::new(Vec::new());
    load_conflicts(id.clone(), conflicts);
    let conflicted = move |field: &'static str| {
        Signal::derive(move || conflicts.with(|c| c.iter().any(|f| f.field == field)))
    };

    view! {
        {merged_into.map(|survivor| {
            view! {
                <div class="notice" role="status" data-testid="merged-notice">
                    <span>{t!(merged_notice)} " "</span>
                    <A href=format!("/clients/{survivor}")>{t!(merged_open)}</A>
                </div>
            }
        })}
        <div class="card-head">
            <div>
                <h1 class="card-head__title" data-testid="card-title">{title}</h1>
                <p class="card-head__meta">
                    <span>{t!(field_responsible)} ": " {responsible}</span>
                    <span>{t!(field_created)} ": " {format::date(card.created)}</span>
                </p>
            </div>
            <A href=format!("/clients/{id}/edit") attr:class="button button--primary">{t!(edit)}</A>
        </div>
        <ConflictsSection client_id=id.clone() conflicts=conflicts loaded=loaded/>
        <div class="card-grid">
            <StatusSection doc=doc.clone() loaded=loaded open=explain_open/>
            <section class="panel" aria-labelledby="sec-requisites">
                <h2 class="panel__title" id="sec-requisites">{t!(section_requisites)}</h2>
                <dl class="details">
                    <Detail label=t!(field_inn) value=card.inn.clone() conflict=conflicted("inn")/>
                    <Detail label=t!(field_kpp) value=card.kpp.clone() conflict=conflicted("kpp")/>
                    <Detail label=t!(field_ogrn) value=card.ogrn.clone() conflict=conflicted("ogrn")/>
                    <Detail label=t!(field_industry) value=card.industry.clone() conflict=conflicted("industry")/>
                    <Detail label=t!(field_source) value=card.source.clone() conflict=conflicted("source")/>
                    <Detail label=t!(field_tags) value=tags/>
                </dl>
            </section>
            <section class="panel" aria-labelledby="sec-channels">
                <h2 class="panel__title" id="sec-channels">{t!(section_contacts_channels)}</h2>
                <ul class="channels">
                    {phones
                        .into_iter()
                        .map(|p| {
                            let href = format!("tel:{}", p.number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>());
                            view! {
                                <li class="channels__item">
                                    <span class="channels__kind">{t!(field_phone)}</span>
                                    <a href=href>{p.number.clone()}</a>
                                    {(!p.label.is_empty()).then(|| view! { <span class="muted">" · " {p.label.clone()}</span> })}
                                </li>
                            }
                        })
                        .collect_view()}
                    {emails
                        .into_iter()
                        .map(|e| {
                            view! {
                                <li class="channels__item">
                                    <span class="channels__kind">{t!(field_email)}</span>
                                    <a href=format!("mailto:{}", e.address)>{e.address.clone()}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                    {addresses
                        .into_iter()
                        .map(|a| {
                            view! {
                                <li class="channels__item">
                                    <span class="channels__kind">{move || address_kind_name(cat(), a.kind)}</span>
                                    <span>{a.text.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                    {(!card.website.is_empty()).then(|| {
                        let href = if card.website.starts_with("http") { card.website.clone() } else { format!("https://{}", card.website) };
                        view! {
                            <li class="channels__item">
                                <span class="channels__kind">{t!(field_website)}</span>
                                <a href=href rel="noopener noreferrer" target="_blank">{card.website.clone()}</a>
                            </li>
                        }
                    })}
                </ul>
            </section>
            <section class="panel panel--wide" aria-labelledby="sec-activity">
                <h2 class="panel__title" id="sec-activity">{t!(section_activity)}</h2>
                <div class="stats">
                    <div class="stat"><span class="stat__value">{move || (cat().interests_count)(interests)}</span></div>
                    <div class="stat"><span class="stat__value">{move || (cat().events_count)(events)}</span></div>
                    <div class="stat">
                        <span class="stat__label">{t!(payments_total)}</span>
                        <span class="stat__value">{move || format::money(kartoteka::client::Money(paid), &currency)}</span>
                    </div>
                    <div class="stat">
                        <span class="stat__label">{t!(last_contact)}</span>
                        <span class="stat__value">{move || last_contact.map(format::date).unwrap_or_else(|| cat().not_filled.to_owned())}</span>
                    </div>
                </div>
            </section>
            <InterestsSection doc=doc.clone() loaded=loaded/>
            <TimelineSection doc=doc.clone() loaded=loaded/>
            <ContactsSection doc=doc.clone() loaded=loaded/>
            <NotesSection doc=doc.clone() loaded=loaded/>
            <HistorySection client_id=id.clone()/>
            {may_merge.then(|| view! { <MergeSection doc=doc loaded=loaded/> })}
        </div>
    }
}
