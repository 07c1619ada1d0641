//! Giving clients to a manager (SPEC 6): "Взять себе" for a manager on an
//! exchange client, and a supervisor's "Передать" of one client or many
//! (from the exchange, or a leaving manager's whole list). Each client is
//! one assignment written through the store, so it works offline; the
//! relay checks it when it arrives, and a take that lost the race comes
//! back refused (shown by the header) with the client back in the exchange.

use std::rc::Rc;

use kartoteka::client::GiveError;
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{UserId, new_id};
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::scenario::Act;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::base;
use crate::i18n::{Catalogue, cat};
use crate::io::platform::{now_ms, yield_now};
use crate::state::app_state;
use crate::store::{EditError, Store};

/// How a "give" of many clients ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    pub given: usize,
    /// Already that manager's: nothing written.
    pub unchanged: usize,
    /// Not written (storage failed): said, and left as they were.
    pub failed: usize,
}

/// Who gives or takes, on which day, with which zone thresholds: read
/// from the app's context before a save starts (an async task has none).
#[derive(Debug, Clone)]
pub struct Giver {
    pub by: UserId,
    pub today: Date,
    pub thresholds: ZoneThresholds,
}

impl Giver {
    /// The current user today, if logged in.
    pub fn current() -> Option<Giver> {
        Some(Giver {
            by: app_state().user()?.id,
            today: app_state().today.get_untracked(),
            thresholds: base()
                .rules
                .get_untracked()
                .map(|r| r.zones())
                .unwrap_or_default(),
        })
    }

    fn act(&self) -> Act {
        Act {
            by: self.by.clone(),
            date: self.today,
            at: Timestamp(now_ms()),
        }
    }
}

/// Gives clients `ids` to `manager`, one assignment each, telling
/// `progress` (done, total) as it goes.
pub async fn give_many(
    store: Rc<Store>,
    giver: Giver,
    ids: Vec<String>,
    manager: UserId,
    progress: RwSignal<Option<(usize, usize)>>,
) -> Given {
    let thresholds = giver.thresholds;
    let total = ids.len();
    let mut out = Given::default();
    for (i, id) in ids.into_iter().enumerate() {
        let act = giver.act();
        let result = store
            .try_change_client(&id, "give to a manager", |doc| {
                doc.give_to(new_id(), &manager, thresholds, &act)
            })
            .await;
        match result {
            Ok(_) => out.given += 1,
            Err(EditError::Refused(_)) => out.unchanged += 1,
            Err(EditError::Store(e)) => {
                leptos::logging::error!("giving {id} to a manager failed: {e}");
                out.failed += 1;
            }
        }
        progress.set(Some((i + 1, total)));
        if i % 8 == 7 {
            yield_now().await;
        }
    }
    out
}

/// What a supervisor's give said, in words.
pub fn given_text(c: &Catalogue, given: Given, manager: &str) -> String {
    let mut text = (c.given_to)(given.given as u64, manager);
    if given.unchanged > 0 {
        text.push(' ');
        text.push_str(&(c.given_unchanged)(given.unchanged as u64));
    }
    if given.failed > 0 {
        text.push(' ');
        text.push_str(&(c.given_failed)(given.failed as u64));
    }
    text
}

/// "Взять себе": the current user takes client `id` from the exchange.
/// Shown to managers; `label` names the client for screen readers in a
/// list of many such buttons.
#[component]
pub fn TakeButton(id: String, #[prop(optional, into)] label: Option<String>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let take = move |_| {
        let (Some(store), Some(giver)) = (base().store(), Giver::current()) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = id.clone();
        let state = app_state();
        let c = cat();
        spawn_local(async move {
            let act = giver.act();
            let thresholds = giver.thresholds;
            let result = store
                .try_change_client(&id, "take from the exchange", |doc| {
                    doc.take_from_exchange(new_id(), thresholds, &act)
                })
                .await;
            busy.set(false);
            match result {
                Ok(_) => state.toast(c.taken_yours, false),
                Err(EditError::Refused(GiveError::NotInExchange | GiveError::AlreadyTheirs)) => {
                    state.toast(c.take_not_in_exchange, true);
                }
                Err(EditError::Store(e)) => {
                    leptos::logging::error!("taking {id} failed: {e}");
                    state.toast(c.save_failed, true);
                }
            }
        });
    };
    view! {
        <button
            type="button"
            class="button button--primary button--small take-button"
            aria-label=label
            disabled=move || busy.get()
            on:click=take
        >
            {move || cat().take_button}
        </button>
    }
}

/// A supervisor's "Передать менеджеру": a select of the people who can be
/// responsible and a button; gives `clients()` to the chosen one, then
/// runs `done`.
#[component]
pub fn GiveForm(
    /// The clients to give (read when the button is pressed).
    clients: Signal<Vec<String>>,
    /// Makes the control's ids unique on a page.
    id: &'static str,
    #[prop(optional)] done: Option<Callback<()>>,
) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let progress = RwSignal::new(None::<(usize, usize)>);
    let error = RwSignal::new(None::<&'static str>);
    let select_id = format!("{id}-manager");
    let give = move |_| {
        let (Some(store), Some(giver)) = (base().store(), Giver::current()) else {
            return;
        };
        if progress.get_untracked().is_some() {
            return;
        }
        let manager = chosen.get_untracked();
        let ids = clients.get_untracked();
        if manager.is_empty() {
            error.set(Some(cat().give_choose_manager));
            return;
        }
        if ids.is_empty() {
            error.set(Some(cat().give_nothing_selected));
            return;
        }
        error.set(None);
        progress.set(Some((0, ids.len())));
        let name = base()
            .user_name(&UserId(manager.clone()))
            .unwrap_or_else(|| manager.clone());
        let state = app_state();
        let c = cat();
        spawn_local(async move {
            let given = give_many(store, giver, ids, UserId(manager), progress).await;
            progress.set(None);
            state.toast(given_text(c, given, &name), given.failed > 0);
            if let Some(done) = done {
                done.run(());
            }
        });
    };
    let users = move || base().assignable_users();
    view! {
        <div class="give-form">
            <label class="give-form__label" for=select_id.clone()>{move || cat().give_to_label}</label>
            <select
                id=select_id
                class="list-filter__select"
                aria-invalid=move || error.get().is_some().then_some("true")
                prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))
            >
                <option value="">{move || cat().give_choose}</option>
                {move || users()
                    .into_iter()
                    .map(|(uid, name)| view! { <option value=uid>{name}</option> })
                    .collect_view()}
            </select>
            <button type="button" class="button" disabled=move || progress.get().is_some() on:click=give>
                {move || match progress.get() {
                    Some((done, total)) => (cat().give_progress)(done as u64, total as u64),
                    None => (cat().give_button)(clients.with(Vec::len) as u64),
                }}
            </button>
            {move || error.get().map(|e| view! { <span class="form-error" role="alert">{e}</span> })}
        </div>
    }
}
