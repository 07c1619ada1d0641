//! Editing a list of phones or e-mails: one labelled input per entry, an
//! "add" button, a "remove" button per entry, and each entry's error next
//! to it.

use std::collections::{BTreeMap, HashMap};

use kartoteka::client::{EmailEntry, PhoneEntry};
use kartoteka::date::Timestamp;
use kartoteka::ids::new_id;
use leptos::prelude::*;

use crate::i18n::{Catalogue, cat};
use crate::io::platform::now_ms;

/// A phone or an e-mail being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelDraft {
    pub id: String,
    pub value: String,
    pub label: String,
    pub added: Timestamp,
}

/// Which list this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Phone,
    Email,
}

impl Channel {
    fn label(self, c: &Catalogue) -> &'static str {
        match self {
            Channel::Phone => c.field_phone,
            Channel::Email => c.field_email,
        }
    }
    fn add(self, c: &Catalogue) -> &'static str {
        match self {
            Channel::Phone => c.add_phone,
            Channel::Email => c.add_email,
        }
    }
    fn remove(self, c: &Catalogue) -> &'static str {
        match self {
            Channel::Phone => c.remove_phone,
            Channel::Email => c.remove_email,
        }
    }
    fn input_type(self) -> &'static str {
        match self {
            Channel::Phone => "tel",
            Channel::Email => "email",
        }
    }
}

/// Drafts of phones, in the order they were added.
pub fn phone_drafts(phones: &BTreeMap<String, PhoneEntry>) -> Vec<ChannelDraft> {
    let mut v: Vec<ChannelDraft> = phones
        .values()
        .map(|p| ChannelDraft {
            id: p.id.clone(),
            value: p.number.clone(),
            label: p.label.clone(),
            added: p.added,
        })
        .collect();
    v.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
    v
}

/// Drafts of e-mails, in the order they were added.
pub fn email_drafts(emails: &BTreeMap<String, EmailEntry>) -> Vec<ChannelDraft> {
    let mut v: Vec<ChannelDraft> = emails
        .values()
        .map(|e| ChannelDraft {
            id: e.id.clone(),
            value: e.address.clone(),
            label: e.label.clone(),
            added: e.added,
        })
        .collect();
    v.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
    v
}

/// The phones of a form, empty rows dropped.
pub fn phones_of(drafts: &[ChannelDraft]) -> BTreeMap<String, PhoneEntry> {
    drafts
        .iter()
        .filter(|d| !d.value.trim().is_empty())
        .map(|d| {
            (
                d.id.clone(),
                PhoneEntry {
                    id: d.id.clone(),
                    number: d.value.trim().to_owned(),
                    label: d.label.trim().to_owned(),
                    added: d.added,
                },
            )
        })
        .collect()
}

/// The e-mails of a form, empty rows dropped.
pub fn emails_of(drafts: &[ChannelDraft]) -> BTreeMap<String, EmailEntry> {
    drafts
        .iter()
        .filter(|d| !d.value.trim().is_empty())
        .map(|d| {
            (
                d.id.clone(),
                EmailEntry {
                    id: d.id.clone(),
                    address: d.value.trim().to_owned(),
                    label: d.label.trim().to_owned(),
                    added: d.added,
                },
            )
        })
        .collect()
}

/// The editor of one list.
#[component]
pub fn ChannelList(
    /// Prefix of the inputs' ids (unique on the page).
    #[prop(into)]
    prefix: String,
    kind: Channel,
    entries: RwSignal<Vec<ChannelDraft>>,
    /// Errors by entry id.
    #[prop(into)]
    errors: Signal<HashMap<String, String>>,
) -> impl IntoView {
    let prefix = StoredValue::new(prefix);
    let add = move |_| {
        let id = new_id();
        entries.update(|list| {
            list.push(ChannelDraft {
                id: id.clone(),
                value: String::new(),
                label: String::new(),
                added: Timestamp(now_ms()),
            })
        });
        // Put the cursor into the new row once it is rendered.
        let input_id = format!("{}-{id}", prefix.get_value());
        request_animation_frame(move || {
            let input = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&input_id))
                .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
            if let Some(input) = input {
                let _ = input.focus();
            }
        });
    };
    view! {
        <div class="channel-list">
            <For
                each=move || entries.get()
                key=|d| d.id.clone()
                children=move |d| {
                    view! {
                        <ChannelRow
                            prefix=prefix.get_value()
                            kind=kind
                            entry_id=d.id
                            entries=entries
                            errors=errors
                        />
                    }
                }
            />
            <button type="button" class="button button--small" on:click=add>
                {move || kind.add(cat())}
            </button>
        </div>
    }
}

#[component]
fn ChannelRow(
    prefix: String,
    kind: Channel,
    entry_id: String,
    entries: RwSignal<Vec<ChannelDraft>>,
    errors: Signal<HashMap<String, String>>,
) -> impl IntoView {
    let input_id = format!("{prefix}-{entry_id}");
    let error_id = format!("{input_id}-error");
    let value = {
        let id = entry_id.clone();
        move || {
            entries.with(|l| {
                l.iter()
                    .find(|d| d.id == id)
                    .map(|d| d.value.clone())
                    .unwrap_or_default()
            })
        }
    };
    let set_value = {
        let id = entry_id.clone();
        move |ev| {
            let v = event_target_value(&ev);
            entries.update(|l| {
                if let Some(d) = l.iter_mut().find(|d| d.id == id) {
                    d.value = v;
                }
            })
        }
    };
    let remove = {
        let id = entry_id.clone();
        move |_| entries.update(|l| l.retain(|d| d.id != id))
    };
    let error = {
        let id = entry_id.clone();
        move || errors.with(|e| e.get(&id).cloned())
    };
    let invalid = Signal::derive({
        let error = error.clone();
        move || error().is_some()
    });
    view! {
        <div class="channel-row" class:field--invalid=invalid>
            <label class="field__label" for=input_id.clone()>{move || kind.label(cat())}</label>
            <div class="channel-row__line">
                <input
                    class="field__input"
                    id=input_id.clone()
                    type=kind.input_type()
                    inputmode=if kind == Channel::Phone { "tel" } else { "email" }
                    autocomplete="off"
                    aria-invalid=move || invalid.get().then_some("true")
                    aria-describedby=error_id.clone()
                    prop:value=value
                    on:input=set_value
                />
                <button
                    type="button"
                    class="button button--ghost button--small"
                    on:click=remove
                    aria-label=move || kind.remove(cat())
                    title=move || kind.remove(cat())
                >
                    {move || cat().remove}
                </button>
            </div>
            <p class="field__error" id=error_id role="alert">{error}</p>
        </div>
    }
}
