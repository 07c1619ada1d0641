//! What the settings pages (statuses and rules, sales) share: who may see
//! and change them, the page a manager gets instead, and the form around
//! the editors, which checks the draft, saves it into the workspace and
//! says why not.

use kartoteka::workspace::{Role, WorkspaceDoc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::Base;
use crate::components::editor::Message;
use crate::components::focus::focus_id;
use crate::i18n::cat;
use crate::state::app_state;
use crate::t;

/// How the signed-in user may use the settings: `None` when they may not
/// see them, else whether they only read them. Supervisors see the
/// settings; only administrators change them (the relay refuses anyone
/// else's change to the workspace).
pub fn settings_access() -> Option<bool> {
    let role = app_state().user().map(|u| u.role)?;
    role.sees_everything()
        .then_some(role != Role::Administrator)
}

/// The page of a settings page titled `title` for someone who may not see
/// it.
#[component]
pub fn SettingsForbidden(title: Message) -> impl IntoView {
    view! {
        <main class="settings-page" id="main">
            <h1>{move || title(cat())}</h1>
            <p class="muted">{t!(settings_forbidden)}</p>
        </main>
    }
}

/// The form of a settings page: the error (`error_id`, focused when a
/// save is refused), what `status` shows, then the editors (`children`) in
/// a fieldset that is off while `disabled`, with "Discard changes" and
/// "Save" at its end. `save` checks the draft and starts saving it, or
/// says in words why it cannot; `discard` puts the saved settings back.
#[component]
pub fn SettingsForm(
    error_id: &'static str,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    #[prop(into)] disabled: Signal<bool>,
    save: Callback<(), Result<(), String>>,
    discard: Callback<()>,
    #[prop(optional, into)] status: ViewFn,
    children: Children,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        if let Err(why) = save.run(()) {
            error.set(Some(why));
            focus_id(error_id, false);
        }
    };
    view! {
        <form class="settings-form" on:submit=submit novalidate>
            <p class="form-error" id=error_id tabindex="-1" role="alert">{move || error.get()}</p>
            {status.run()}
            <fieldset class="sales-settings__body" disabled=disabled>
                {children()}
                <div class="form-actions settings-form__actions">
                    <button type="button" class="button" on:click=move |_| {
                        discard.run(());
                        error.set(None);
                    }>{t!(discard_changes)}</button>
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(save_settings)}</button>
                </div>
            </fieldset>
        </form>
    }
}

/// Writes a change of the workspace settings (`message` names it in the
/// document's history), then shows the new workspace and `saved`; the
/// form's busy flag is set meanwhile and its error says when it failed.
pub fn save_workspace(
    base: Base,
    message: &'static str,
    saved: &'static str,
    (busy, error): (RwSignal<bool>, RwSignal<Option<String>>),
    edit: impl FnOnce(&mut WorkspaceDoc) + 'static,
) {
    let Some(store) = base.store() else {
        return;
    };
    busy.set(true);
    spawn_local(async move {
        let result = store.change_workspace(message, edit).await;
        busy.set(false);
        match result {
            // The store announced the new workspace to the base.
            Ok(_) => base.app.toast(saved, false),
            Err(e) => {
                leptos::logging::error!("saving the settings ({message}) failed: {e}");
                error.set(Some(cat().save_failed.to_owned()));
            }
        }
    });
}
