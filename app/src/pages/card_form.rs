//! Creating and editing a card. Everything typed is checked by the domain's
//! validation before anything is written; problems are shown next to their
//! fields and the focus moves to the first one. A save writes only what the
//! form changed, so edits that reached the document meanwhile survive.

use std::collections::{BTreeMap, HashMap};

use kartoteka::client::{
    Address, AddressKind, Assignment, AssignmentKind, Card, CardField, ClientDoc,
    DuplicateOverride, validate_card,
};
use kartoteka::date::Timestamp;
use kartoteka::duplicates::{CardKeys, Duplicate, find_duplicates};
use kartoteka::ids::{ClientId, UserId, new_id};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::base::SearchState;
use crate::components::base_duplicates::BaseDuplicates;
use crate::components::channels::{
    Channel, ChannelDraft, ChannelList, email_drafts, emails_of, phone_drafts, phones_of,
};
use crate::components::field::TextField;
use crate::components::focus::focus_first_invalid;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::messages::{duplicate_reason_text, problem_text};
use crate::pages::card::{Loaded, address_kind_name, load_client};
use crate::state::app_state;
use crate::t;

/// Legal forms offered in the form (the card keeps any text).
const LEGAL_FORMS: [&str; 8] = ["ООО", "АО", "ПАО", "ИП", "НКО", "ГУП", "МУП", "ЗАО"];

/// The page that creates a client.
#[component]
pub fn NewClientPage() -> impl IntoView {
    let state = app_state();
    let me = state.user().map(|u| u.id);
    let card = Card {
        created: state.today(),
        created_by: me.clone().unwrap_or_else(|| UserId(String::new())),
        created_at: Timestamp(now_ms()),
        ..Card::default()
    };
    view! {
        <main class="form-page" id="main">
            <A href="/" attr:class="back-link">{t!(back_to_list)}</A>
            <h1>{t!(new_client_title)}</h1>
            <CardForm initial=card responsible=me existing=None/>
        </main>
    }
}

/// The page that edits a client's card.
#[component]
pub fn EditClientPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let loaded = RwSignal::new(Loaded::Loading);
    load_client(id, loaded);
    // The form is filled once per client: a change committed while the
    // person types (from the relay, another tab) must not wipe the form.
    // The form writes only the fields it changed, so both edits survive.
    let loaded = Memo::new(move |shown: Option<&Loaded>| {
        let now = loaded.get();
        match (shown, &now) {
            (Some(Loaded::Client(a)), Loaded::Client(b)) if a.id == b.id => {
                Loaded::Client(a.clone())
            }
            _ => now,
        }
    });
    view! {
        <main class="form-page" id="main">
            <A href=move || format!("/clients/{}", id.get()) attr:class="back-link">
                {t!(cancel)}
            </A>
            <h1>{t!(edit_client_title)}</h1>
            {move || match loaded.get() {
                Loaded::Loading => view! { <p class="muted">{t!(loading)}</p> }.into_any(),
                Loaded::Missing => view! { <p class="muted">{t!(client_not_found)}</p> }.into_any(),
                Loaded::Failed(d) => view! { <p class="form-error" role="alert">{d}</p> }.into_any(),
                Loaded::Client(doc) => {
                    let responsible = doc.responsible().cloned();
                    view! { <CardForm initial=doc.card.clone() responsible=responsible existing=Some(doc.id.clone())/> }
                        .into_any()
                }
            }}
        </main>
    }
}

#[derive(Clone, PartialEq)]
struct AddressDraft {
    id: String,
    kind: AddressKind,
    text: String,
    added: Timestamp,
}

fn kind_id(kind: AddressKind) -> &'static str {
    match kind {
        AddressKind::Legal => "legal",
        AddressKind::Actual => "actual",
        AddressKind::Postal => "postal",
        AddressKind::Delivery => "delivery",
    }
}

/// The form itself, for a new or an existing card.
#[component]
fn CardForm(
    initial: Card,
    responsible: Option<UserId>,
    existing: Option<ClientId>,
) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let navigate = use_navigate();
    let name = RwSignal::new(initial.name.clone());
    let legal_form = RwSignal::new(initial.legal_form.clone());
    let inn = RwSignal::new(initial.inn.clone());
    let kpp = RwSignal::new(initial.kpp.clone());
    let ogrn = RwSignal::new(initial.ogrn.clone());
    let website = RwSignal::new(initial.website.clone());
    let industry = RwSignal::new(initial.industry.clone());
    let source = RwSignal::new(initial.source.clone());
    let tags = RwSignal::new(initial.tags.keys().cloned().collect::<Vec<_>>().join(", "));
    let phones = RwSignal::new(phone_drafts(&initial.phones));
    let emails = RwSignal::new(email_drafts(&initial.emails));
    let addresses = RwSignal::new({
        let mut v: Vec<AddressDraft> = initial
            .addresses
            .values()
            .map(|a| AddressDraft {
                id: a.id.clone(),
                kind: a.kind,
                text: a.text.clone(),
                added: a.added,
            })
            .collect();
        v.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
        v
    });
    if initial.phones.is_empty() {
        phones.update(|p| {
            p.push(ChannelDraft {
                id: new_id(),
                value: String::new(),
                label: String::new(),
                added: Timestamp(now_ms()),
            })
        });
    }
    let responsible_sel = RwSignal::new(
        responsible
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<kartoteka::client::FieldError<CardField>>::new());
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let may_reassign = state.user().is_some_and(|u| u.role.may_reassign());
    let initial = StoredValue::new(initial);
    let original_responsible = StoredValue::new(responsible);
    let existing = StoredValue::new(existing);

    let error_of = move |field: CardField| {
        Signal::derive(move || {
            errors.with(|list| {
                list.iter()
                    .find(|e| e.field == field)
                    .map(|e| problem_text(&e.problem))
            })
        })
    };
    let phone_errors = Signal::derive(move || {
        errors.with(|list| {
            list.iter()
                .filter_map(|e| match &e.field {
                    CardField::Phone(id) => Some((id.clone(), problem_text(&e.problem))),
                    _ => None,
                })
                .collect::<HashMap<_, _>>()
        })
    });
    let email_errors = Signal::derive(move || {
        errors.with(|list| {
            list.iter()
                .filter_map(|e| match &e.field {
                    CardField::Email(id) => Some((id.clone(), problem_text(&e.problem))),
                    _ => None,
                })
                .collect::<HashMap<_, _>>()
        })
    });

    let edited_card = move || {
        let mut card = initial.get_value();
        card.name = name.get_untracked().trim().to_owned();
        card.legal_form = legal_form.get_untracked().trim().to_owned();
        card.inn = inn.get_untracked().split_whitespace().collect();
        card.kpp = kpp
            .get_untracked()
            .split_whitespace()
            .collect::<String>()
            .to_uppercase();
        card.ogrn = ogrn.get_untracked().split_whitespace().collect();
        card.website = website.get_untracked().trim().to_owned();
        card.industry = industry.get_untracked().trim().to_owned();
        card.source = source.get_untracked().trim().to_owned();
        card.tags = tags
            .get_untracked()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| (t.to_owned(), true))
            .collect::<BTreeMap<_, _>>();
        card.phones = phones.with_untracked(|p| phones_of(p));
        card.emails = emails.with_untracked(|e| emails_of(e));
        card.addresses = addresses.with_untracked(|list| {
            list.iter()
                .filter(|a| !a.text.trim().is_empty())
                .map(|a| {
                    (
                        a.id.clone(),
                        Address {
                            id: a.id.clone(),
                            kind: a.kind,
                            text: a.text.trim().to_owned(),
                            added: a.added,
                        },
                    )
                })
                .collect()
        });
        card
    };

    // Similar clients found on the last try to save, and the reason the
    // user gives for saving anyway.
    let duplicates = RwSignal::new(Vec::<Duplicate>::new());
    let dup_reason = RwSignal::new(String::new());
    let dup_reason_error = RwSignal::new(None::<String>);

    // The clients that look like `card`: checked when a card is created or
    // its INN, phones or e-mails changed (SPEC 2).
    let similar_clients = move |card: &Card| -> Vec<Duplicate> {
        let keys = CardKeys::from(card);
        let own = existing.get_value();
        if own.is_some() {
            let old = CardKeys::from(&initial.get_value());
            let sorted = |mut v: Vec<String>| {
                v.sort();
                v
            };
            if keys.inn == old.inn
                && sorted(keys.phones.clone()) == sorted(old.phones.clone())
                && sorted(keys.emails.clone()) == sorted(old.emails.clone())
            {
                return Vec::new();
            }
        }
        base.search.with_value(|s| match s {
            SearchState::Ready(index) => {
                find_duplicates(index, &keys, own.as_ref().map(ClientId::as_str))
            }
            SearchState::Building => Vec::new(),
        })
    };

    let attempt = StoredValue::new_local(move |anyway: bool| {
        if busy.get_untracked() {
            return;
        }
        let card = edited_card();
        let problems = validate_card(&card);
        if !problems.is_empty() {
            errors.set(problems);
            form_error.set(Some(cat().fix_errors.to_owned()));
            focus_first_invalid();
            return;
        }
        errors.set(Vec::new());
        form_error.set(None);
        let Some(store) = base.store() else {
            return;
        };
        let Some(me) = state.user() else {
            return;
        };
        let found = similar_clients(&card);
        let shown: Vec<String> =
            duplicates.with_untracked(|d| d.iter().map(|d| d.client_id.clone()).collect());
        let all_shown = found.iter().all(|d| shown.contains(&d.client_id));
        let mut override_record = None;
        if !found.is_empty() {
            if !anyway || !all_shown {
                duplicates.set(found);
                dup_reason_error.set(None);
                crate::components::focus::focus_id("dup-title", true);
                return;
            }
            let reason = dup_reason.get_untracked().trim().to_owned();
            if reason.is_empty() {
                dup_reason_error.set(Some(cat().dup_reason_required.to_owned()));
                crate::components::focus::focus_id("dup-reason", true);
                return;
            }
            override_record = Some(DuplicateOverride {
                id: new_id(),
                similar: found
                    .iter()
                    .map(|d| (d.client_id.clone(), d.name.clone()))
                    .collect(),
                reason,
                by: me.id.clone(),
                at: Timestamp(now_ms()),
            });
        }
        duplicates.set(Vec::new());
        dup_reason_error.set(None);
        let chosen = responsible_sel.get_untracked();
        let chosen = (!chosen.is_empty()).then_some(UserId(chosen));
        let today = state.today();
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match existing.get_value() {
                None => {
                    let responsible = if me.role.may_reassign() {
                        chosen
                    } else {
                        Some(me.id.clone())
                    };
                    let mut doc = ClientDoc::new(
                        ClientId::random(),
                        card,
                        responsible,
                        &me.id,
                        Timestamp(now_ms()),
                    );
                    if let Some(o) = override_record {
                        doc.duplicate_overrides.insert(o.id.clone(), o);
                    }
                    store.create_client(&doc).await.map(|()| doc.id.clone())
                }
                Some(id) => {
                    let before = initial.get_value();
                    let reassign =
                        me.role.may_reassign() && chosen != original_responsible.get_value();
                    store
                        .change_client(id.as_str(), "edit card", |doc| {
                            doc.card.apply_edit(&before, &card);
                            if let Some(o) = override_record {
                                doc.duplicate_overrides.insert(o.id.clone(), o);
                            }
                            if reassign {
                                let aid = new_id();
                                doc.assignments.insert(
                                    aid.clone(),
                                    Assignment {
                                        id: aid,
                                        date: today,
                                        manager: chosen.clone(),
                                        kind: AssignmentKind::Reassigned,
                                        by: me.id.clone(),
                                        at: Timestamp(now_ms()),
                                    },
                                );
                            }
                        })
                        .await
                        .map(|_| id.clone())
                }
            };
            busy.set(false);
            match result {
                Ok(id) => {
                    state.toast(cat().saved, false);
                    navigate(&format!("/clients/{id}"), Default::default());
                }
                Err(e) => {
                    leptos::logging::error!("saving a card failed: {e}");
                    form_error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt.with_value(|attempt| attempt(false));
    };

    let users = move || {
        base.workspace.with(|w| {
            w.as_ref()
                .map(|w| {
                    w.assignable_users()
                        .into_iter()
                        .map(|u| (u.id.to_string(), u.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let responsible_name = move || {
        let id = responsible_sel.get();
        users()
            .into_iter()
            .find(|(uid, _)| *uid == id)
            .map(|(_, n)| n)
            .unwrap_or_else(|| cat().nobody.to_owned())
    };
    let add_address = move |_| {
        addresses.update(|a| {
            a.push(AddressDraft {
                id: new_id(),
                kind: AddressKind::Actual,
                text: String::new(),
                added: Timestamp(now_ms()),
            })
        })
    };

    view! {
        <form class="card-form" on:submit=submit novalidate>
            <p class="form-error" role="alert" data-testid="form-error">{move || form_error.get()}</p>
            <fieldset class="panel">
                <legend class="panel__title">{t!(section_requisites)}</legend>
                <div class="form-grid">
                    <div class="form-grid__wide">
                        <TextField id="card-name" label=Signal::derive(t!(field_name)) value=name error=error_of(CardField::Name) required=true/>
                    </div>
                    <div class="field">
                        <label class="field__label" for="card-legal-form">{t!(field_legal_form)}</label>
                        <select
                            class="field__input"
                            id="card-legal-form"
                            prop:value=move || legal_form.get()
                            on:change=move |ev| legal_form.set(event_target_value(&ev))
                        >
                            <option value="">{t!(legal_form_none)}</option>
                            {LEGAL_FORMS.iter().map(|f| view! { <option value=*f>{*f}</option> }).collect_view()}
                        </select>
                    </div>
                    <TextField id="card-inn" label=Signal::derive(t!(field_inn)) value=inn error=error_of(CardField::Inn) inputmode="numeric"/>
                    <TextField id="card-kpp" label=Signal::derive(t!(field_kpp)) value=kpp error=error_of(CardField::Kpp)/>
                    <TextField id="card-ogrn" label=Signal::derive(t!(field_ogrn)) value=ogrn error=error_of(CardField::Ogrn) inputmode="numeric"/>
                    <TextField id="card-industry" label=Signal::derive(t!(field_industry)) value=industry/>
                    <TextField id="card-source" label=Signal::derive(t!(field_source)) value=source/>
                    <TextField id="card-tags" label=Signal::derive(t!(field_tags)) value=tags hint=Signal::derive(t!(field_tags_hint))/>
                    <div class="field">
                        <label class="field__label" for="card-responsible">{t!(field_responsible)}</label>
                        {if may_reassign {
                            view! {
                                <select
                                    class="field__input"
                                    id="card-responsible"
                                    prop:value=move || responsible_sel.get()
                                    on:change=move |ev| responsible_sel.set(event_target_value(&ev))
                                >
                                    <option value="">{t!(nobody)}</option>
                                    {move || users().into_iter().map(|(id, n)| view! { <option value=id>{n}</option> }).collect_view()}
                                </select>
                            }
                                .into_any()
                        } else {
                            view! { <output class="field__static" id="card-responsible">{responsible_name}</output> }.into_any()
                        }}
                    </div>
                </div>
            </fieldset>
            <fieldset class="panel">
                <legend class="panel__title">{t!(section_contacts_channels)}</legend>
                <div class="form-grid">
                    <div>
                        <h3 class="panel__subtitle">{t!(field_phones)}</h3>
                        <ChannelList prefix="card-phone" kind=Channel::Phone entries=phones errors=phone_errors/>
                    </div>
                    <div>
                        <h3 class="panel__subtitle">{t!(field_emails)}</h3>
                        <ChannelList prefix="card-email" kind=Channel::Email entries=emails errors=email_errors/>
                    </div>
                    <div class="form-grid__wide">
                        <TextField id="card-website" label=Signal::derive(t!(field_website)) value=website kind="url" inputmode="url"/>
                    </div>
                    <div class="form-grid__wide">
                        <h3 class="panel__subtitle">{t!(field_addresses)}</h3>
                        <For
                            each=move || addresses.get()
                            key=|a| a.id.clone()
                            children=move |a| {
                                let id = a.id.clone();
                                let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
                                view! {
                                    <div class="address-row">
                                        <div class="field">
                                            <label class="field__label" for=format!("addr-kind-{id}")>{t!(field_address_kind)}</label>
                                            <select
                                                class="field__input"
                                                id=format!("addr-kind-{id}")
                                                prop:value=kind_id(a.kind)
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    addresses.update(|l| {
                                                        if let Some(x) = l.iter_mut().find(|x| x.id == id2) {
                                                            x.kind = AddressKind::ALL.into_iter().find(|k| kind_id(*k) == v).unwrap_or_default();
                                                        }
                                                    })
                                                }
                                            >
                                                {AddressKind::ALL
                                                    .into_iter()
                                                    .map(|k| view! { <option value=kind_id(k)>{move || address_kind_name(cat(), k)}</option> })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <div class="field address-row__text">
                                            <label class="field__label" for=format!("addr-text-{id}")>{t!(field_address)}</label>
                                            <input
                                                class="field__input"
                                                id=format!("addr-text-{id}")
                                                prop:value=a.text.clone()
                                                on:input=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    addresses.update(|l| {
                                                        if let Some(x) = l.iter_mut().find(|x| x.id == id3) {
                                                            x.text = v;
                                                        }
                                                    })
                                                }
                                            />
                                        </div>
                                        <button
                                            type="button"
                                            class="button button--ghost button--small"
                                            on:click=move |_| addresses.update(|l| l.retain(|x| x.id != id4))
                                            aria-label=t!(remove_address)
                                        >
                                            {t!(remove)}
                                        </button>
                                    </div>
                                }
                            }
                        />
                        <button type="button" class="button button--small" on:click=add_address>{t!(add_address)}</button>
                    </div>
                </div>
            </fieldset>
            {existing.with_value(Option::is_none).then(|| view! {
                <BaseDuplicates inn=inn
                    phones=Signal::derive(move || phones.with(|l| l.iter().map(|d| d.value.clone()).collect()))
                    emails=Signal::derive(move || emails.with(|l| l.iter().map(|d| d.value.clone()).collect()))/>
            })}
            {move || {
                (!duplicates.with(Vec::is_empty))
                    .then(|| view! { <DuplicateWarning duplicates=duplicates reason=dup_reason error=dup_reason_error on_save=move || attempt.with_value(|attempt| attempt(true))/> })
            }}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || {
                        if busy.get() {
                            cat().saving
                        } else if existing.with_value(Option::is_some) {
                            cat().save_client
                        } else {
                            cat().create_client
                        }
                    }}
                </button>
            </div>
        </form>
    }
}

/// The similar clients found on saving, each with why, a link to open it,
/// and the way to save anyway with a reason.
#[component]
fn DuplicateWarning(
    duplicates: RwSignal<Vec<Duplicate>>,
    reason: RwSignal<String>,
    error: RwSignal<Option<String>>,
    on_save: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <section class="panel dup-warning" role="alert" aria-labelledby="dup-title" data-testid="duplicates">
            <h2 class="panel__title" id="dup-title" tabindex="-1">{t!(dup_title)}</h2>
            <p>{t!(dup_lead)}</p>
            <ul class="dup-list">
                {move || {
                    duplicates
                        .get()
                        .into_iter()
                        .map(|d| {
                            let reasons = move || {
                                let c = cat();
                                d.reasons.iter().map(|r| duplicate_reason_text(c, r)).collect::<Vec<_>>().join("; ")
                            };
                            view! {
                                <li class="dup-list__item">
                                    <a href=format!("/clients/{}", d.client_id) target="_blank" rel="noopener">{d.name.clone()}</a>
                                    <span class="muted">" — " {reasons}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <TextField id="dup-reason" label=Signal::derive(t!(dup_reason_label)) value=reason error=error rows=2/>
            <button type="button" class="button" on:click=move |_| on_save()>{t!(dup_save_anyway)}</button>
        </section>
    }
}
