//! The card's notes (примечания): the history of what happened with the
//! client and why, newest first, and a box to add one.

use kartoteka::client::{ClientDoc, Note};
use kartoteka::date::Timestamp;
use kartoteka::ids::new_id;
use leptos::prelude::*;

use crate::components::field::TextField;
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::pages::card::edit::Edit;
use crate::state::app_state;
use crate::t;

/// The notes panel of a card.
#[component]
pub fn NotesSection(doc: ClientDoc) -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let text = RwSignal::new(String::new());
    let edit = Edit::new();
    let error = edit.error;
    let busy = edit.busy;
    let client_id = StoredValue::new(doc.id.to_string());
    let notes: Vec<Note> = doc.notes_sorted().into_iter().cloned().collect();
    let empty = notes.is_empty();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked().trim().to_owned();
        if body.is_empty() {
            error.set(Some(cat().err_required.to_owned()));
            return;
        }
        let Some(me) = state.user() else {
            return;
        };
        let note = move |doc: &mut ClientDoc| {
            let nid = new_id();
            doc.notes.insert(
                nid.clone(),
                Note {
                    id: nid,
                    text: body,
                    author: me.id.clone(),
                    at: Timestamp(now_ms()),
                },
            );
            Ok(())
        };
        edit.run(client_id.get_value(), "note", note, move |_| {
            text.set(String::new())
        });
    };

    view! {
        <section class="panel panel--wide" aria-labelledby="sec-notes">
            <h2 class="panel__title" id="sec-notes">{t!(section_notes)}</h2>
            <form class="note-form" on:submit=submit novalidate>
                <TextField id="note-text" label=Signal::derive(t!(note_text)) value=text error=error rows=2/>
                <button type="submit" class="button button--small" disabled=move || busy.get()>
                    {t!(add_note)}
                </button>
            </form>
            {empty.then(|| view! { <p class="muted">{t!(no_notes)}</p> })}
            <ul class="notes">
                {notes
                    .into_iter()
                    .map(|n| {
                        let author = base.user_name(&n.author).unwrap_or_default();
                        view! {
                            <li class="note">
                                <p class="note__text">{n.text.clone()}</p>
                                <p class="note__meta">{format::date_time(n.at)} " · " {author}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
