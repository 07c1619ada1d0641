//! A group of the header's links behind one button ("Отчёты ▾"), so the
//! bar keeps to one line on a laptop. A disclosure, as the WAI-ARIA
//! pattern has it: the button says whether it is open, Escape closes it
//! and gives focus back to the button, and so does following a link or
//! clicking anywhere else.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// One link of a menu: where it goes and its text.
pub type MenuLink = (&'static str, fn() -> &'static str);

#[component]
pub fn NavMenu(
    /// Makes the ids unique in the header.
    id: &'static str,
    label: fn() -> &'static str,
    links: Vec<MenuLink>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button: NodeRef<html::Button> = NodeRef::new();
    let root: NodeRef<html::Div> = NodeRef::new();
    let location = use_location();
    let prefixes: Vec<&'static str> = links.iter().map(|(href, _)| *href).collect();
    // The group is marked current when one of its pages is open.
    let current = move || {
        let path = location.pathname.get();
        prefixes
            .iter()
            .any(|p| path.starts_with(p))
            .then_some("true")
    };
    // Following a link closes the menu.
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let outside = window_event_listener(leptos::ev::click, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let inside = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
            .zip(root.get_untracked())
            .is_some_and(|(node, root)| root.contains(Some(&node)));
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let list_id = format!("{id}-menu");
    view! {
        <div class="nav-menu" node_ref=root on:keydown=on_key>
            <button
                type="button"
                class="app-nav__link nav-menu__button"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls=list_id.clone()
                data-current=current
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || label()}
            </button>
            <ul class="nav-menu__list" id=list_id hidden=move || !open.get()>
                {links
                    .into_iter()
                    .map(|(href, text)| view! {
                        <li><A href=href attr:class="nav-menu__link">{move || text()}</A></li>
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}
