//! Pieces the settings editors share (statuses, scenarios and their
//! states, service types, reasons): the pair of names in both languages,
//! and the up and down buttons of a row in an ordered list. They read a
//! draft and hand each edit back; the page decides what it means.

use kartoteka::workspace::Names;
use leptos::prelude::*;

use crate::i18n::{Catalogue, cat};

/// A message of the catalogue, read in the language of the moment.
pub type Message = fn(&Catalogue) -> &'static str;

/// The Russian and the English name of something in a draft, as two
/// labelled inputs; every keystroke hands the names, edited, to `set`.
#[component]
pub fn NamesFields(
    /// The inputs' ids are `{id}-ru` and `{id}-en`.
    #[prop(into)]
    id: String,
    /// The labels of the Russian and of the English input.
    labels: (Message, Message),
    /// A class for each field, with `-ru` or `-en` after it (beside `field`).
    #[prop(optional)]
    class: Option<&'static str>,
    /// The names as they stand in the draft.
    #[prop(into)]
    names: Signal<Names>,
    /// Writes the edited names into the draft.
    set: Callback<Names>,
) -> impl IntoView {
    let field = move |lang: &'static str,
                      label: Message,
                      read: fn(&Names) -> String,
                      write: fn(&mut Names, String)| {
        let input_id = format!("{id}-{lang}");
        let class = match class {
            Some(c) => format!("field {c}-{lang}"),
            None => "field".to_owned(),
        };
        view! {
            <div class=class>
                <label class="field__label" for=input_id.clone()>{move || label(cat())}</label>
                <input class="field__input" id=input_id
                    prop:value=move || names.with(read)
                    on:input=move |ev| {
                        let mut edited = names.get_untracked();
                        write(&mut edited, event_target_value(&ev));
                        set.run(edited);
                    }/>
            </div>
        }
    };
    view! {
        {field("ru", labels.0, |n| n.ru.clone(), |n, v| n.ru = v)}
        {field("en", labels.1, |n| n.en.clone(), |n, v| n.en = v)}
    }
}

/// The "↑" and "↓" buttons of a row in an ordered list, each off at its
/// end of the list.
#[component]
pub fn MoveButtons(
    /// The row's name, for the buttons' labels.
    #[prop(into)]
    name: Signal<String>,
    /// Where the row stands (from 0), while it is in the list.
    #[prop(into)]
    position: Signal<Option<usize>>,
    /// How many rows there are.
    #[prop(into)]
    count: Signal<usize>,
    /// Moves the row by -1 (up) or 1 (down).
    shift: Callback<isize>,
    /// The ids of the up and the down button, where the page moves the
    /// focus to them.
    #[prop(optional)]
    ids: Option<(String, String)>,
) -> impl IntoView {
    let (up_id, down_id) = ids.unzip();
    view! {
        <button type="button" id=up_id class="button button--small button--ghost"
            aria-label=move || (cat().move_up)(&name.get())
            disabled=move || position.get() == Some(0)
            on:click=move |_| shift.run(-1)>
            <span aria-hidden="true">"↑"</span>
        </button>
        <button type="button" id=down_id class="button button--small button--ghost"
            aria-label=move || (cat().move_down)(&name.get())
            disabled=move || position.get().is_none_or(|p| p + 1 >= count.get())
            on:click=move |_| shift.run(1)>
            <span aria-hidden="true">"↓"</span>
        </button>
    }
}
