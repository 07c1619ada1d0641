//! A labelled text input (or text area) with its error message next to it:
//! the label is a real `<label for>`, the message is tied to the input by
//! `aria-describedby`, and the input says `aria-invalid` while wrong.

use leptos::prelude::*;

/// One text field of a form.
#[component]
pub fn TextField(
    /// The input's id (also names its error and hint).
    #[prop(into)]
    id: String,
    /// The label text.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The value, edited in place.
    value: RwSignal<String>,
    /// The error to show, if any.
    #[prop(into, optional)]
    error: Signal<Option<String>>,
    /// A hint under the field.
    #[prop(into, optional)]
    hint: Option<Signal<&'static str>>,
    /// `type` of the input.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` of the input.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// `inputmode` of the input.
    #[prop(default = "text")]
    inputmode: &'static str,
    /// Marks the field as required.
    #[prop(default = false)]
    required: bool,
    /// A text area of this many rows instead of a one-line input.
    #[prop(optional)]
    rows: Option<u32>,
    /// The field takes a whole line of a `form-grid`.
    #[prop(default = false)]
    wide: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:form-grid__wide=wide class:field--invalid=move || error.with(Option::is_some)>
            <label class="field__label" for=id.clone()>
                {label}
                {required.then(|| view! { <span class="field__required" aria-hidden="true">" *"</span> })}
            </label>
            {
                // What the input and the text area share.
                let common = view! {
                    <{..}
                        class="field__input"
                        id=id
                        required=required
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby=described
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                };
                match rows {
                    Some(rows) => view! { <textarea {..common} rows=rows></textarea> }.into_any(),
                    None => view! {
                        <input {..common} type=kind autocomplete=autocomplete inputmode=inputmode/>
                    }
                    .into_any(),
                }
            }
            {hint.map(|h| view! { <p class="field__hint" id=hint_id>{h}</p> })}
            <p class="field__error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}
