//! A button that opens a form below it.

use leptos::prelude::*;

use crate::components::focus::focus_id;

/// Opens a form: tells screen readers whether it is open
/// (`aria-expanded`), is disabled while it is, and moves the focus to the
/// form's first field (`focus`, an element id).
#[component]
pub fn FormOpener(
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    open: RwSignal<bool>,
    #[prop(optional)] focus: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            id=id
            class="button button--small"
            aria-expanded=move || open.get().to_string()
            disabled=move || open.get()
            on:click=move |_| {
                open.set(true);
                if let Some(first) = focus {
                    focus_id(first, false);
                }
            }
        >
            {label}
        </button>
    }
}
