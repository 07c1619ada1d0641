//! Moving the keyboard focus after the page has rendered: to a field with
//! an error, to a control that appeared, to a board card that moved.

use leptos::prelude::request_animation_frame;
use wasm_bindgen::JsCast;

/// Focuses the element with this id on the next frame (after the render
/// that creates it), scrolling it into view when `scroll`.
pub fn focus_id(id: impl Into<String>, scroll: bool) {
    let id = id.into();
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
            if scroll {
                el.scroll_into_view();
            }
        }
    });
}

/// Focuses the first field marked `aria-invalid` (after a refused save).
pub fn focus_first_invalid() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    request_animation_frame(move || {
        if let Ok(Some(el)) = doc.query_selector("[aria-invalid='true']")
            && let Ok(input) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = input.focus();
        }
    });
}
