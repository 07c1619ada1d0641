//! Win-backs (SPEC 5): when a client becomes Lost, a win-back Interest
//! (scenario "Возврат клиента") appears for its responsible manager.
//!
//! Every device that notices the change may start it, offline too, so the
//! Interest's id is derived from the client and the day it became Lost
//! ([`winback_interest_id`]): two devices write the same map key and their
//! changes merge into one Interest. A device writes it only if the client's
//! document does not have it yet, and remembers the day through which it has
//! looked, so a start-up opens only the documents of newly lost clients.

use chrono::NaiveDate;
use kartoteka::client::Interest;
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::UserId;
use kartoteka::rules::dynamics::winback_interest_id;
use kartoteka::workspace::WINBACK_SCENARIO;
use leptos::prelude::*;

use crate::base::Base;
use crate::base::derived::BecameLost;
use crate::i18n::cat;
use crate::io::platform::{now_ms, yield_now};

/// The day through which win-backs were started on this device.
pub async fn checked_through(base: Base) -> Option<NaiveDate> {
    let store = base.store()?;
    let day = store.winbacks_checked_through().await.ok().flatten()?;
    day.parse::<Date>().ok().map(Date::naive)
}

/// The win-back Interest for a client that became Lost on `day`.
pub fn winback_interest(
    client: &str,
    day: NaiveDate,
    responsible: Option<UserId>,
    by: UserId,
    initial_state: String,
) -> Interest {
    Interest {
        id: winback_interest_id(client, day),
        created: Date(day),
        created_by: by,
        created_at: Timestamp(now_ms()),
        content: cat().winback_content.to_owned(),
        service_type: String::new(),
        scenario: WINBACK_SCENARIO.to_owned(),
        state: initial_state,
        responsible,
        completed: None,
        outcome: None,
        reason: None,
        transitions: Default::default(),
        follow_up: None,
    }
}

/// Starts the win-backs of these clients that their documents do not have
/// yet, then remembers `today` as checked if all went well.
pub async fn start(base: Base, lost: Vec<BecameLost>, today: NaiveDate) {
    let (Some(store), Some(me)) = (base.store(), base.app.user()) else {
        return;
    };
    let initial = base
        .workspace
        .with_untracked(|w| {
            w.as_ref()
                .and_then(|w| w.scenarios.get(WINBACK_SCENARIO))
                .and_then(|s| s.initial_state())
                .map(|s| s.id.clone())
        })
        .unwrap_or_default();
    let mut all_saved = true;
    let mut started = 0;
    for client in lost {
        for &day in &client.days {
            let interest = winback_interest(
                &client.client,
                day,
                client.responsible.clone().map(UserId),
                me.id.clone(),
                initial.clone(),
            );
            let mut inserted = false;
            let result = store
                .change_client(&client.client, "win-back", |doc| {
                    if !doc.interests.contains_key(&interest.id) {
                        doc.interests.insert(interest.id.clone(), interest);
                        inserted = true;
                    }
                })
                .await;
            match result {
                Ok(_) => {
                    if inserted {
                        started += 1;
                    }
                }
                Err(e) => {
                    all_saved = false;
                    leptos::logging::error!("starting a win-back failed: {e}");
                }
            }
            yield_now().await;
        }
    }
    if started > 0 {
        leptos::logging::log!("started {started} win-backs");
    }
    if all_saved {
        let _ = store
            .set_winbacks_checked_through(&Date(today).to_string())
            .await;
    }
}
