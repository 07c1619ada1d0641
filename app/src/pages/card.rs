//! The client card: requisites, ways to reach the client, contact persons,
//! notes and a summary of the work with the client. A card opens by
//! loading one document.
//!
//! The card is a folder: each section is a file of its own and renders
//! from the document in [`ClientCard`]'s memo. A section is drawn again
//! only when its own part of the document changes ([`keyed`]), so saving a
//! note does not redraw the contacts. A save goes through [`edit::Edit`]
//! and the store; the new document comes back through the base, whoever
//! made the change (this section, another tab, the relay).

pub mod conflicts;
pub mod contacts;
pub mod deleted;
pub mod edit;
pub mod entry_actions;
pub mod history;
pub mod interests;
pub mod merge;
pub mod notes;
pub mod potential;
pub mod status;
pub mod timeline;

use std::collections::BTreeMap;
use std::sync::Arc;

use kartoteka::client::{AddressKind, ClientDoc, Contact, Event, EventKind, Payment, Shipment};
use kartoteka::summary::display_name;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::base::base;
use crate::components::give::{GiveForm, TakeButton};
use crate::format;
use crate::i18n::{Catalogue, cat};
use crate::state::app_state;
use crate::store::StoreError;
use crate::t;
use conflicts::{ConflictsSection, load_conflicts};
use contacts::ContactsSection;
use deleted::DeletedSection;
use history::HistorySection;
use interests::InterestsSection;
use merge::MergeSection;
use notes::NotesSection;
use potential::PotentialCard;
use status::StatusSection;
use timeline::TimelineSection;

/// What the card page shows: loading, the client, or why not.
#[derive(Clone, PartialEq)]
pub enum Loaded {
    Loading,
    Client(Arc<ClientDoc>),
    Missing,
    Failed(String),
}

/// Loads a client's document into `target` whenever the id changes, and
/// puts each new version of it there as it is committed (an edit here, in
/// another tab, or from the relay), without a "loading" flash.
pub fn load_client(id: Memo<String>, target: RwSignal<Loaded>) {
    let base = base();
    Effect::new(move |_| {
        let id = id.get();
        let Some(store) = base.store() else {
            return;
        };
        base.follow(&id);
        target.set(Loaded::Loading);
        spawn_local(async move {
            let loaded = match store.client(&id).await {
                Ok(doc) => Loaded::Client(Arc::new(doc)),
                Err(StoreError::NotFound) => Loaded::Missing,
                Err(e) => Loaded::Failed(e.to_string()),
            };
            // A version committed meanwhile is newer than what was read.
            if !matches!(target.get_untracked(), Loaded::Client(_)) {
                target.set(loaded);
            }
        });
    });
    Effect::new(move |_| {
        base.followed_rev();
        if let Some(doc) = base.take_committed(&id.get_untracked()) {
            target.set(Loaded::Client(doc));
        }
    });
}

/// Draws `render` of the card's document, again only when `part` of it
/// changes: a section keyed on what it shows.
pub fn keyed<K>(
    doc: Memo<Option<Arc<ClientDoc>>>,
    part: fn(&ClientDoc) -> K,
    render: impl Fn(Arc<ClientDoc>) -> AnyView + Send + Sync + 'static,
) -> impl IntoView
where
    K: PartialEq + Clone + Send + Sync + 'static,
{
    let key = Memo::new(move |_| doc.with(|d| d.as_deref().map(part)));
    move || {
        // Read, not `track()`: a memo computes (and so subscribes to the
        // document) only when its value is read; tracking alone would leave
        // it unsubscribed, and the section would never be drawn again.
        key.with(|_| ());
        doc.get_untracked().map(&render)
    }
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

/// What the page shows, by the kind of what is loaded: a new kind
/// redraws the page, a new version of the same client does not.
#[derive(Clone, PartialEq)]
enum Shape {
    Loading,
    Missing,
    Failed(String),
    Client,
    Potential,
}

/// The card page.
#[component]
pub fn CardPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let loaded = RwSignal::new(Loaded::Loading);
    load_client(id, loaded);
    let shape = Memo::new(move |_| {
        loaded.with(|l| match l {
            Loaded::Loading => Shape::Loading,
            Loaded::Missing => Shape::Missing,
            Loaded::Failed(detail) => Shape::Failed(detail.clone()),
            Loaded::Client(doc) if doc.potential.is_some() => Shape::Potential,
            Loaded::Client(_) => Shape::Client,
        })
    });
    let doc = Memo::new(move |_| {
        loaded.with(|l| match l {
            Loaded::Client(doc) => Some(doc.clone()),
            _ => None,
        })
    });
    // Whether the status explanation is open: closed for another client.
    let explain_open = RwSignal::new(false);
    Effect::new(move |_| {
        id.with(|_| ());
        explain_open.set(false);
    });

    view! {
        <main class="card-page" id="main">
            <A href="/" attr:class="back-link">{t!(back_to_list)}</A>
            {move || match shape.get() {
                Shape::Loading => view! { <p class="muted">{t!(loading)}</p> }.into_any(),
                Shape::Missing => view! { <p class="muted">{t!(client_not_found)}</p> }.into_any(),
                Shape::Failed(detail) => {
                    view! { <p class="form-error" role="alert">{cat().err_damaged_doc} ": " {detail}</p> }
                        .into_any()
                }
                Shape::Potential => {
                    keyed(doc, Clone::clone, |d| view! { <PotentialCard doc=(*d).clone()/> }.into_any())
                        .into_any()
                }
                Shape::Client => view! { <ClientCard doc=doc explain_open=explain_open/> }.into_any(),
            }}
        </main>
    }
}

/// What the head of the card shows.
fn head_part(
    d: &ClientDoc,
) -> (
    kartoteka::client::Card,
    Option<kartoteka::ids::ClientId>,
    Vec<kartoteka::client::Assignment>,
    usize,
    usize,
    i64,
    Option<kartoteka::date::Date>,
) {
    (
        d.card.clone(),
        d.merged_into.clone(),
        d.assignments.values().cloned().collect(),
        d.interests.len(),
        d.live_events().count(),
        d.live_payments().map(|p| p.amount.0).sum(),
        d.live_events().map(|e| e.date).max(),
    )
}

/// What the deleted entries' section shows: the deleted entries as they are.
fn deleted_part(d: &ClientDoc) -> (Vec<Contact>, Vec<Event>, Vec<Payment>, Vec<Shipment>) {
    fn gone<T: Clone>(map: &BTreeMap<String, T>, deleted: fn(&T) -> bool) -> Vec<T> {
        map.values().filter(|x| deleted(x)).cloned().collect()
    }
    (
        gone(&d.contacts, |x| x.deleted.is_some()),
        gone(&d.events, |x| x.deleted.is_some()),
        gone(&d.payments, |x| x.deleted.is_some()),
        gone(&d.shipments, |x| x.deleted.is_some()),
    )
}

#[component]
fn ClientCard(doc: Memo<Option<Arc<ClientDoc>>>, explain_open: RwSignal<bool>) -> impl IntoView {
    let id = doc.with_untracked(|d| d.as_ref().map(|d| d.id.to_string()).unwrap_or_default());
    let may_merge = app_state().user().is_some_and(|u| u.role.may_merge());
    provide_context(interests::Completing::default());
    let conflicts = RwSignal::new(Vec::new());
    // Conflicts come and go with changes from others: read again on each.
    {
        let id = id.clone();
        Effect::new(move |_| {
            // Each commit, not each new value: a merge that leaves the
            // shown values as they were may still bring a conflict.
            base().followed_rev();
            doc.with(|_| ()); // read, not tracked: a memo subscribes when computed
            load_conflicts(id.clone(), conflicts);
        });
    }
    request_animation_frame(|| crate::io::platform::mark("kartoteka:card-ready"));
    let history_id = id.clone();
    view! {
        {keyed(doc, head_part, move |d| view! { <CardHead doc=d conflicts=conflicts/> }.into_any())}
        <ConflictsSection client_id=id.clone() conflicts=conflicts/>
        <div class="card-grid">
            {keyed(doc, |d| (d.facts(), d.manual_statuses.clone(), d.assignments.clone()), move |d| {
                view! { <StatusSection doc=(*d).clone() open=explain_open/> }.into_any()
            })}
            {keyed(doc, head_part, move |d| view! { <CardRequisites doc=d conflicts=conflicts/> }.into_any())}
            {keyed(doc, |d| (d.interests.clone(), d.events.clone()), |d| {
                view! { <InterestsSection doc=(*d).clone()/> }.into_any()
            })}
            {keyed(doc, |d| (d.events.clone(), d.interests.clone(), d.payments.clone(), d.shipments.clone(), d.contacts.clone()), |d| {
                view! { <TimelineSection doc=(*d).clone()/> }.into_any()
            })}
            {keyed(doc, |d| d.contacts.clone(), |d| view! { <ContactsSection doc=(*d).clone()/> }.into_any())}
            {keyed(doc, |d| d.notes.clone(), |d| view! { <NotesSection doc=(*d).clone()/> }.into_any())}
            {keyed(doc, deleted_part, |d| view! { <DeletedSection doc=(*d).clone()/> }.into_any())}
            <HistorySection client_id=history_id doc=doc/>
            {may_merge.then(|| keyed(doc, |d| (d.id.clone(), d.merged_from.clone()), |d| view! { <MergeSection doc=(*d).clone()/> }.into_any()))}
        </div>
    }
}

/// The card's title, responsible and creation date.
#[component]
fn CardHead(
    doc: Arc<ClientDoc>,
    conflicts: RwSignal<Vec<kartoteka::conflict::FieldConflict>>,
) -> impl IntoView {
    let _ = conflicts;
    let base = base();
    let title = display_name(&doc.card.legal_form, &doc.card.name);
    let recorded = doc
        .responsible()
        .and_then(|id| base.user_name(id))
        .unwrap_or_else(|| cat().nobody.to_owned());
    // The exchange detaches a client from its manager (SPEC 6): the card
    // says since when, and offers to take it (a manager) or give it (a
    // supervisor).
    let client_id = doc.id.to_string();
    let in_exchange = {
        let id = client_id.clone();
        Memo::new(move |_| {
            base.derived.with(|d| {
                d.get(&id)
                    .filter(|c| c.zone == Some(kartoteka::rules::zone::Zone::Exchange))
                    .map(|c| c.in_exchange_since)
            })
        })
    };
    let responsible = move || match in_exchange.get() {
        Some(since) => {
            (cat().in_exchange_since)(&since.map(|d| format::date(d.into())).unwrap_or_default())
        }
        None => recorded.clone(),
    };
    let role = app_state().user().map(|u| u.role);
    let exchange_action = move || {
        in_exchange.get()?;
        let id = client_id.clone();
        Some(match role {
            Some(r) if r.may_reassign() => {
                let clients = Signal::derive(move || vec![id.clone()]);
                view! { <GiveForm clients=clients id="card-give"/> }.into_any()
            }
            Some(kartoteka::workspace::Role::Manager) => view! { <TakeButton id=id/> }.into_any(),
            _ => return None,
        })
    };
    let merged_into = doc.merged_into.as_ref().map(ToString::to_string);
    let id = doc.id.to_string();
    let created = doc.card.created;
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
                    <span data-testid="card-responsible">{t!(field_responsible)} ": " {responsible}</span>
                    <span>{t!(field_created)} ": " {format::date(created)}</span>
                </p>
                <div class="card-head__exchange">{exchange_action}</div>
            </div>
            <A href=format!("/clients/{id}/edit") attr:class="button button--primary">{t!(edit)}</A>
        </div>
    }
}

/// Requisites, ways to reach the client and the activity figures.
#[component]
fn CardRequisites(
    doc: Arc<ClientDoc>,
    conflicts: RwSignal<Vec<kartoteka::conflict::FieldConflict>>,
) -> impl IntoView {
    let base = base();
    let card = doc.card.clone();
    let conflicted = move |field: &'static str| {
        Signal::derive(move || conflicts.with(|c| c.iter().any(|f| f.field == field)))
    };
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
    let currency = base
        .workspace
        .with_untracked(|w| w.as_ref().map(|w| w.settings.currency.clone()))
        .unwrap_or_else(|| "RUB".to_owned());
    let paid: i64 = doc.live_payments().map(|p| p.amount.0).sum();
    let last_contact = doc.live_events().map(|e| e.date).max();
    let interests = doc.interests.len() as u64;
    let events = doc.live_events().count() as u64;
    view! {
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
    }
}
