//! The card's contact persons: the list, and a form to add or edit one.

use std::collections::HashMap;

use kartoteka::client::{ClientDoc, Contact, ContactField, EntryKind, validate_contact};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::new_id;
use leptos::prelude::*;

use crate::components::channels::{
    Channel, ChannelList, email_drafts, emails_of, phone_drafts, phones_of,
};
use crate::components::field::TextField;
use crate::components::focus::focus_first_invalid;
use crate::components::opener::FormOpener;
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::messages::{entry_error_text, problem_text};
use crate::pages::card::edit::Edit;
use crate::pages::card::entry_actions::EntryActions;
use crate::t;

/// The contact persons panel of a card.
#[component]
pub fn ContactsSection(doc: ClientDoc) -> impl IntoView {
    // Whether a new contact is being added; which one is being edited.
    let adding = RwSignal::new(false);
    let editing = RwSignal::new(None::<String>);
    let client_id = doc.id.to_string();
    let contacts: Vec<Contact> = doc.contacts_sorted().into_iter().cloned().collect();
    let empty = contacts.is_empty();
    let all = StoredValue::new(contacts.clone());
    let client = StoredValue::new(client_id);

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-contacts">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-contacts">{t!(section_contacts)}</h2>
                <FormOpener id="contact-add" label=Signal::derive(t!(add_contact)) open=adding/>
            </div>
            <Show when=move || adding.get()>
                <ContactForm
                    client_id=client.get_value()
                    contact=None

                    on_done=Callback::new(move |()| adding.set(false))
                />
            </Show>
            {empty.then(|| view! { <p class="muted">{t!(no_contacts)}</p> })}
            <ul class="contacts">
                {contacts
                    .into_iter()
                    .map(|c| {
                        let id = c.id.clone();
                        let id_edit = id.clone();
                        let is_editing = move || editing.get().as_ref() == Some(&id);
                        let contact = c.clone();
                        view! {
                            <li class="contact">
                                <Show
                                    when=is_editing
                                    fallback={
                                        let c = c.clone();
                                        let id_edit = id_edit.clone();
                                        move || view! { <ContactView client=client.get_value() contact=c.clone() on_edit=Callback::new({ let id = id_edit.clone(); move |()| editing.set(Some(id.clone())) })/> }
                                    }
                                >
                                    <ContactForm
                                        client_id=client.get_value()
                                        contact=all.with_value(|a| a.iter().find(|x| x.id == contact.id).cloned())

                                        on_done=Callback::new(move |()| editing.set(None))
                                    />
                                </Show>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ContactView(client: String, contact: Contact, on_edit: Callback<()>) -> impl IntoView {
    let phones = contact
        .phones_sorted()
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    let emails = contact
        .emails_sorted()
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    view! {
        <div class="contact__head">
            <div>
                <strong class="contact__name">{contact.full_name.clone()}</strong>
                {contact.key_person.then(|| view! { <span class="badge">{t!(key_person_badge)}</span> })}
                <div class="muted">{contact.position.clone()}</div>
            </div>
            <EntryActions
                client=client
                kind=EntryKind::Contact
                id=contact.id.clone()
                name=contact.full_name.clone()
                on_edit=Some(on_edit)
            />
        </div>
        <div class="contact__channels">
            {phones
                .into_iter()
                .map(|p| {
                    let href = format!("tel:{}", p.number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>());
                    view! { <a href=href>{p.number}</a> }
                })
                .collect_view()}
            {emails
                .into_iter()
                .map(|e| view! { <a href=format!("mailto:{}", e.address)>{e.address.clone()}</a> })
                .collect_view()}
            {contact.birthday.map(|b| view! { <span>{t!(contact_birthday)} ": " {format::date(b)}</span> })}
        </div>
        {(!contact.notes.is_empty()).then(|| view! { <p class="contact__notes">{contact.notes.clone()}</p> })}
    }
}

/// The form for a new or an existing contact person.
#[component]
fn ContactForm(
    client_id: String,
    contact: Option<Contact>,
    on_done: Callback<()>,
) -> impl IntoView {
    let is_new = contact.is_none();
    let before = contact.unwrap_or_else(|| Contact {
        id: new_id(),
        added: Timestamp(now_ms()),
        ..Contact::default()
    });
    let prefix = format!("contact-{}", before.id);
    let name = RwSignal::new(before.full_name.clone());
    let position = RwSignal::new(before.position.clone());
    let birthday = RwSignal::new(before.birthday.map(|d| d.to_string()).unwrap_or_default());
    let notes = RwSignal::new(before.notes.clone());
    let key_person = RwSignal::new(before.key_person);
    let phones = RwSignal::new(phone_drafts(&before.phones));
    let emails = RwSignal::new(email_drafts(&before.emails));
    let errors = RwSignal::new(Vec::<kartoteka::client::FieldError<ContactField>>::new());
    let edit = Edit::new();
    let (busy, form_error) = (edit.busy, edit.error);
    let before = StoredValue::new(before);
    let client_id = StoredValue::new(client_id);

    let name_error = Signal::derive(move || {
        errors.with(|l| {
            l.iter()
                .find(|e| e.field == ContactField::FullName)
                .map(|e| problem_text(&e.problem))
        })
    });
    let by_entry = move |phone: bool| {
        Signal::derive(move || {
            errors.with(|l| {
                l.iter()
                    .filter_map(|e| match (&e.field, phone) {
                        (ContactField::Phone(id), true) | (ContactField::Email(id), false) => {
                            Some((id.clone(), problem_text(&e.problem)))
                        }
                        _ => None,
                    })
                    .collect::<HashMap<_, _>>()
            })
        })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut after = before.get_value();
        after.full_name = name.get_untracked().trim().to_owned();
        after.position = position.get_untracked().trim().to_owned();
        after.birthday = birthday.get_untracked().parse::<Date>().ok();
        after.notes = notes.get_untracked().trim().to_owned();
        after.key_person = key_person.get_untracked();
        after.phones = phones.with_untracked(|p| phones_of(p));
        after.emails = emails.with_untracked(|e| emails_of(e));
        let problems = validate_contact(&after);
        if !problems.is_empty() {
            errors.set(problems);
            focus_first_invalid();
            return;
        }
        errors.set(Vec::new());
        let before = before.get_value();
        // An existing contact takes only what this form changed, checked
        // on the stored document (it may have been deleted meanwhile).
        let save = move |doc: &mut ClientDoc| {
            if is_new {
                doc.contacts.insert(after.id.clone(), after);
                Ok(())
            } else {
                doc.edit_contact(&before, &after)
                    .map_err(|e| entry_error_text(cat(), &e))
            }
        };
        edit.run(client_id.get_value(), "contact", save, move |_| {
            on_done.run(())
        });
    };

    view! {
        <form class="contact-form" on:submit=submit novalidate>
            <div class="form-grid">
                <TextField id=format!("{prefix}-name") label=Signal::derive(t!(contact_name)) value=name error=name_error required=true/>
                <TextField id=format!("{prefix}-position") label=Signal::derive(t!(contact_position)) value=position/>
                <div>
                    <h3 class="panel__subtitle">{t!(field_phones)}</h3>
                    <ChannelList prefix=format!("{prefix}-phone") kind=Channel::Phone entries=phones errors=by_entry(true)/>
                </div>
                <div>
                    <h3 class="panel__subtitle">{t!(field_emails)}</h3>
                    <ChannelList prefix=format!("{prefix}-email") kind=Channel::Email entries=emails errors=by_entry(false)/>
                </div>
                <TextField id=format!("{prefix}-birthday") label=Signal::derive(t!(contact_birthday)) value=birthday kind="date"/>
                <div class="field field--check">
                    <input
                        type="checkbox"
                        id=format!("{prefix}-key")
                        prop:checked=move || key_person.get()
                        on:change=move |ev| key_person.set(event_target_checked(&ev))
                    />
                    <label for=format!("{prefix}-key")>{t!(contact_key)}</label>
                </div>
                <TextField id=format!("{prefix}-notes") label=Signal::derive(t!(contact_notes)) value=notes rows=2 wide=true/>
            </div>
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || if busy.get() { cat().saving } else { cat().save_contact }}
                </button>
                <button type="button" class="button button--ghost" on:click=move |_| on_done.run(())>
                    {t!(cancel)}
                </button>
            </div>
        </form>
    }
}
