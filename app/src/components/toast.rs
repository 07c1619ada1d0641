//! The short message at the bottom of the screen ("Saved on this device").

use leptos::prelude::*;

use crate::state::app_state;
use crate::t;

/// Shows the current toast; errors stay until dismissed.
#[component]
pub fn ToastHost() -> impl IntoView {
    let state = app_state();
    view! {
        <div class="toast-host" aria-live="polite">
            {move || {
                state
                    .toast
                    .get()
                    .map(|toast| {
                        let class = if toast.error { "toast toast--error" } else { "toast" };
                        view! {
                            <div class=class role=if toast.error { "alert" } else { "status" }>
                                <span>{toast.text}</span>
                                <button
                                    type="button"
                                    class="toast__close"
                                    on:click=move |_| state.toast.set(None)
                                    aria-label=t!(dismiss)
                                >
                                    "×"
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
