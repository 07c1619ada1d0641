//! "Edit" and "Delete" beside an entry a card lists (a contact person, an
//! event, a payment, a shipment). A deletion asks first, in the line
//! itself, and is a fact that syncs ([`ClientDoc::delete_entry`]): the
//! history shows it and a supervisor can restore the entry.

use kartoteka::client::{ClientDoc, EntryKind};
use kartoteka::date::Timestamp;
use leptos::prelude::*;

use crate::components::focus::focus_id;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::messages::{entry_error_text, entry_kind_name};
use crate::pages::card::edit::Edit;
use crate::state::app_state;
use crate::t;

/// The buttons of one entry. `name` says which entry, for screen readers
/// ("Delete — Иван Петров"); without `on_edit` only "Delete" is offered
/// (an imported payment is corrected in accounting).
#[component]
pub fn EntryActions(
    client: String,
    kind: EntryKind,
    id: String,
    name: String,
    #[prop(optional_no_strip)] on_edit: Option<Callback<()>>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let edit = Edit::new();
    let (error, busy) = (edit.error, edit.busy);
    let yes_id = format!("delete-{id}");
    let client = StoredValue::new(client);
    let entry = StoredValue::new(id);
    let label = move |action: &str| format!("{action} — {name}");
    let (edit_label, delete_label) = (label(cat().edit), label(cat().delete));

    let ask = {
        let yes_id = yes_id.clone();
        move |_| {
            asking.set(true);
            focus_id(&yes_id, false);
        }
    };
    let delete = move |_| {
        let Some(me) = app_state().user() else {
            return;
        };
        let id = entry.get_value();
        let gone = move |d: &mut ClientDoc| {
            d.delete_entry(kind, &id, &me.id, Timestamp(now_ms()))
                .map_err(|e| entry_error_text(cat(), &e))
        };
        let toast = (cat().history_deleted)(entry_kind_name(cat(), kind));
        edit.run_saying(client.get_value(), "delete", toast, gone, move |_| {
            asking.set(false)
        });
    };

    view! {
        <div class="entry-actions">
            <Show
                when=move || asking.get()
                fallback=move || {
                    let (edit_label, delete_label) = (edit_label.clone(), delete_label.clone());
                    view! {
                        {on_edit.map(|on_edit| view! {
                            <button type="button" class="button button--ghost button--small"
                                aria-label=edit_label on:click=move |_| on_edit.run(())>
                                {t!(edit)}
                            </button>
                        })}
                        <button type="button" class="button button--ghost button--small button--danger"
                            aria-label=delete_label on:click=ask.clone()>
                            {t!(delete)}
                        </button>
                    }
                }
            >
                <span class="entry-actions__ask" role="group"
                    on:keydown=move |ev| if ev.key() == "Escape" { asking.set(false) }>
                    <span>{move || (cat().delete_confirm)(entry_kind_name(cat(), kind))}</span>
                    <button type="button" class="button button--small button--danger" id=yes_id.clone()
                        disabled=move || busy.get() on:click=delete>
                        {t!(delete_yes)}
                    </button>
                    <button type="button" class="button button--ghost button--small"
                        on:click=move |_| asking.set(false)>
                        {t!(cancel)}
                    </button>
                </span>
            </Show>
            <p class="field__error" role="alert">{move || error.get()}</p>
        </div>
    }
}
