//! The card's timeline (issue 6): one list, newest first, of the events,
//! the Interests' registrations and moves, the payments and shipments —
//! and the forms that add to it: log an event (call, meeting, e-mail,
//! message, note; with the Interest it is about), enter a payment or a
//! shipment.

use kartoteka::client::{ClientDoc, Event, EventKind, FactSource, Money, MoneyError};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::new_id;
use kartoteka::import::{FactKind, NewFact};
use kartoteka::timeline::{What, timeline};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::focus::{focus_first_invalid, focus_id};
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::pages::card::event_kind_name;
use crate::pages::interest_move::state_name;
use crate::state::app_state;
use crate::t;

/// How many entries the timeline shows before "show more".
const PAGE: usize = 30;

/// One line of the timeline, in words.
#[derive(Debug, Clone)]
struct Row {
    class: &'static str,
    day: String,
    label: String,
    text: String,
    who: String,
}

/// Which form is open.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Adding {
    Event,
    Payment,
    Shipment,
}

/// The timeline panel of a card.
#[component]
pub fn TimelineSection(doc: ClientDoc) -> impl IntoView {
    let base = crate::base::base();
    let adding = RwSignal::new(None::<Adding>);
    let shown = RwSignal::new(PAGE);
    let ws = base.workspace.get_untracked();
    let currency = ws
        .as_ref()
        .map(|w| w.settings.currency.clone())
        .unwrap_or_else(|| "RUB".to_owned());
    let is_client = doc.potential.is_none();
    let entries = timeline(&doc);
    let total = entries.len();
    let contents: std::collections::HashMap<String, (String, String)> = doc
        .interests
        .values()
        .map(|i| (i.id.clone(), (i.content.clone(), i.scenario.clone())))
        .collect();
    let user_name = move |id: &kartoteka::ids::UserId| {
        ws.as_ref()
            .and_then(|w| w.user(id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let rows: Vec<Row> = entries
        .into_iter()
        .map(|e| {
            let who = user_name(&e.by);
            let day = format::date(e.date);
            let (kind_class, label, text): (&str, String, String) = match e.what {
                What::Event {
                    kind,
                    result,
                    interest,
                    participants,
                } => {
                    let mut about = interest
                        .and_then(|i| contents.get(&i))
                        .map(|(c, _)| format!(" · {c}"))
                        .unwrap_or_default();
                    if !participants.is_empty() {
                        about.push_str(&format!(" · {}", participants.join(", ")));
                    }
                    (
                        "event",
                        event_kind_name(cat(), kind).to_owned(),
                        format!("{result}{about}"),
                    )
                }
                What::InterestRegistered { content, .. } => {
                    ("interest", cat().timeline_interest.to_owned(), content)
                }
                What::InterestMoved {
                    interest,
                    scenario,
                    from,
                    to,
                } => {
                    let sc = crate::base::base().workspace.with_untracked(|w| {
                        w.as_ref().and_then(|w| w.scenarios.get(&scenario).cloned())
                    });
                    let content = contents
                        .get(&interest)
                        .map(|(c, _)| c.clone())
                        .unwrap_or_default();
                    (
                        "move",
                        cat().timeline_moved.to_owned(),
                        format!(
                            "{content}: {} → {}",
                            state_name(sc.as_ref(), &from),
                            state_name(sc.as_ref(), &to)
                        ),
                    )
                }
                What::Payment { amount, document } => (
                    "payment",
                    cat().timeline_payment.to_owned(),
                    document_text(format::money(amount, &currency), &document),
                ),
                What::Shipment { amount, document } => (
                    "shipment",
                    cat().timeline_shipment.to_owned(),
                    document_text(format::money(amount, &currency), &document),
                ),
            };
            Row {
                class: kind_class,
                day,
                label,
                text,
                who,
            }
        })
        .collect();
    let rows = StoredValue::new(rows);
    let doc = StoredValue::new(doc);
    let close = Callback::new(move |()| adding.set(None));
    let open = move |what: Adding, first: &'static str| {
        adding.set(Some(what));
        focus_id(first, false);
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="sec-timeline">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-timeline">{t!(section_timeline)}</h2>
                <div class="panel__actions">
                    <button type="button" class="button button--small" id="log-event" on:click=move |_| open(Adding::Event, "event-kind")>{t!(log_event)}</button>
                    {is_client.then(|| view! {
                        <button type="button" class="button button--small" id="add-payment" on:click=move |_| open(Adding::Payment, "fact-date")>{t!(add_payment)}</button>
                        <button type="button" class="button button--small" id="add-shipment" on:click=move |_| open(Adding::Shipment, "fact-date")>{t!(add_shipment)}</button>
                    })}
                </div>
            </div>
            {move || match adding.get() {
                Some(Adding::Event) => view! { <EventForm doc=doc on_done=close/> }.into_any(),
                Some(what) => view! { <FactForm doc=doc shipment=what == Adding::Shipment on_done=close/> }.into_any(),
                None => ().into_any(),
            }}
            {(total == 0).then(|| view! { <p class="muted">{t!(no_activity)}</p> })}
            <ul class="timeline" data-testid="timeline">
                {move || {
                    rows.with_value(|r| {
                        r.iter()
                            .take(shown.get())
                            .cloned()
                            .map(|r| view! {
                                <li class=format!("timeline__item timeline__item--{}", r.class)>
                                    <span class="timeline__date">{r.day}</span>
                                    <span class="timeline__kind">{r.label}</span>
                                    <span class="timeline__text">{r.text}</span>
                                    <span class="timeline__who muted">{r.who}</span>
                                </li>
                            })
                            .collect_view()
                    })
                }}
            </ul>
            <Show when=move || { total > shown.get() }>
                <button type="button" class="button button--small button--ghost" on:click=move |_| shown.update(|n| *n += PAGE)>
                    {move || (cat().show_more)((total - shown.get().min(total)) as u64)}
                </button>
            </Show>
        </section>
    }
}

fn document_text(amount: String, document: &str) -> String {
    if document.trim().is_empty() {
        amount
    } else {
        format!("{amount} · № {document}")
    }
}

/// Reads a day typed in a date input: not in the future.
fn parse_day(text: &str, today: Date) -> Result<Date, String> {
    let c = cat();
    match text.parse::<Date>() {
        Err(_) => Err(c.err_date_format.to_owned()),
        Ok(d) if d > today => Err(c.err_date_future.to_owned()),
        Ok(d) => Ok(d),
    }
}

/// Where a form saves: the card's document, the page showing it, and the
/// form's own busy flag, error and "done".
#[derive(Clone, Copy)]
struct Target {
    doc: StoredValue<ClientDoc>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    on_done: Callback<()>,
}

impl Target {
    /// Saves a change of the card's document and shows the new one.
    fn save(
        self,
        message: &'static str,
        done: &'static str,
        edit: impl FnOnce(&mut ClientDoc) + 'static,
    ) {
        let state = app_state();
        let base = crate::base::base();
        let Some(store) = base.store() else {
            return;
        };
        self.busy.set(true);
        let id = self.doc.with_value(|d| d.id.to_string());
        spawn_local(async move {
            let result = store.change_client(&id, message, edit).await;
            self.busy.set(false);
            match result {
                Ok(_) => {
                    state.toast(done, false);
                    self.on_done.run(());
                }
                Err(e) => {
                    leptos::logging::error!("saving failed: {e}");
                    self.error.set(Some(cat().save_failed.to_owned()));
                }
            }
        });
    }
}

/// Logging an event.
#[component]
fn EventForm(doc: StoredValue<ClientDoc>, on_done: Callback<()>) -> impl IntoView {
    let state = app_state();
    let today = state.today();
    let kind = RwSignal::new(EventKind::Call.id().to_owned());
    let day = RwSignal::new(today.to_string());
    let result = RwSignal::new(String::new());
    // The only open Interest is preselected: most calls are about it.
    let open: Vec<(String, String)> = doc.with_value(|d| {
        let mut v: Vec<_> = d
            .interests
            .values()
            .filter(|i| i.completed.is_none())
            .collect();
        v.sort_by_key(|i| std::cmp::Reverse((i.created, i.created_at)));
        v.into_iter()
            .map(|i| (i.id.clone(), i.content.clone()))
            .collect()
    });
    let contacts: Vec<(String, String)> = doc.with_value(|d| {
        d.contacts_sorted()
            .into_iter()
            .map(|c| (c.id.clone(), c.full_name.clone()))
            .collect()
    });
    let participant = RwSignal::new(String::new());
    let interest = RwSignal::new(if open.len() == 1 {
        open[0].0.clone()
    } else {
        String::new()
    });
    let day_error = RwSignal::new(None::<String>);
    let result_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = parse_day(&day.get_untracked(), today);
        day_error.set(parsed.as_ref().err().cloned());
        let text = result.get_untracked().trim().to_owned();
        result_error.set(text.is_empty().then(|| cat().err_required.to_owned()));
        let (Ok(date), false) = (parsed, text.is_empty()) else {
            focus_first_invalid();
            return;
        };
        let Some(me) = state.user() else {
            return;
        };
        let kind = EventKind::ALL
            .into_iter()
            .find(|k| k.id() == kind.get_untracked())
            .unwrap_or(EventKind::Call);
        let about = Some(interest.get_untracked()).filter(|i| !i.is_empty());
        let event = Event {
            id: new_id(),
            date,
            at: Timestamp(now_ms()),
            kind,
            by: me.id.clone(),
            participants: Some(participant.get_untracked())
                .filter(|p| !p.is_empty())
                .into_iter()
                .collect(),
            result: text,
            interest: about,
            reason: None,
            deleted: None,
        };
        let target = Target {
            doc,
            busy,
            error: result_error,
            on_done,
        };
        target.save("event", cat().event_logged, move |d| {
            d.events.insert(event.id.clone(), event);
        });
    };
    view! {
        <form class="interest-form" novalidate on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }>
            <div class="form-grid">
                <div class="field">
                    <label class="field__label" for="event-kind">{t!(event_kind)}</label>
                    <select class="field__input" id="event-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {EventKind::ALL.into_iter().map(|k| view! { <option value=k.id()>{move || event_kind_name(cat(), k)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field" class:field--invalid=move || day_error.with(Option::is_some)>
                    <label class="field__label" for="event-date">{t!(event_date)}</label>
                    <input class="field__input" type="date" id="event-date" max=today.to_string()
                        aria-invalid=move || day_error.with(Option::is_some).then_some("true")
                        aria-describedby="event-date-error"
                        prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/>
                    <p class="field__error" id="event-date-error" role="alert">{move || day_error.get()}</p>
                </div>
                <div class="field">
                    <label class="field__label" for="event-interest">{t!(event_interest)}</label>
                    <select class="field__input" id="event-interest" prop:value=move || interest.get() on:change=move |ev| interest.set(event_target_value(&ev))>
                        <option value="">{t!(event_no_interest)}</option>
                        {open.iter().map(|(id, content)| view! { <option value=id.clone() selected=interest.get_untracked() == *id>{content.clone()}</option> }).collect_view()}
                    </select>
                </div>
                {(!contacts.is_empty()).then(|| view! {
                    <div class="field">
                        <label class="field__label" for="event-participant">{t!(event_participant)}</label>
                        <select class="field__input" id="event-participant" prop:value=move || participant.get() on:change=move |ev| participant.set(event_target_value(&ev))>
                            <option value="">{t!(event_no_participant)}</option>
                            {contacts.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="field form-grid__wide" class:field--invalid=move || result_error.with(Option::is_some)>
                    <label class="field__label" for="event-result">
                        {t!(event_result)}
                        <span class="field__required" aria-hidden="true">" *"</span>
                    </label>
                    <textarea class="field__input" id="event-result" rows="2" required
                        aria-invalid=move || result_error.with(Option::is_some).then_some("true")
                        aria-describedby="event-result-error"
                        prop:value=move || result.get() on:input=move |ev| result.set(event_target_value(&ev))></textarea>
                    <p class="field__error" id="event-result-error" role="alert">{move || result_error.get()}</p>
                </div>
            </div>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" id="event-save" disabled=move || busy.get()>{t!(save_event)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}

/// The message for an amount that is not one.
fn money_error_text(e: MoneyError) -> String {
    let c = cat();
    match e {
        MoneyError::Empty => c.err_required.to_owned(),
        MoneyError::NotANumber => c.err_amount_format.to_owned(),
        MoneyError::NotPositive => c.err_amount_positive.to_owned(),
        MoneyError::TooManyDecimals => c.err_amount_decimals.to_owned(),
        MoneyError::TooLarge => c.err_amount_format.to_owned(),
    }
}

/// Entering a payment or a shipment by hand.
#[component]
fn FactForm(doc: StoredValue<ClientDoc>, shipment: bool, on_done: Callback<()>) -> impl IntoView {
    let state = app_state();
    let today = state.today();
    let day = RwSignal::new(today.to_string());
    let amount = RwSignal::new(String::new());
    let document = RwSignal::new(String::new());
    let day_error = RwSignal::new(None::<String>);
    let amount_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = parse_day(&day.get_untracked(), today);
        day_error.set(parsed.as_ref().err().cloned());
        let sum = Money::parse(&amount.get_untracked());
        amount_error.set(sum.err().map(money_error_text));
        let (Ok(date), Ok(sum)) = (parsed, sum) else {
            focus_first_invalid();
            return;
        };
        let Some(me) = state.user() else {
            return;
        };
        let (id, at, number) = (
            new_id(),
            Timestamp(now_ms()),
            document.get_untracked().trim().to_owned(),
        );
        let target = Target {
            doc,
            busy,
            error: amount_error,
            on_done,
        };
        let (kind, done) = if shipment {
            (FactKind::Shipment, cat().shipment_added)
        } else {
            (FactKind::Payment, cat().payment_added)
        };
        let fact = NewFact::new(
            kind,
            id,
            (date, sum, number),
            FactSource::Manual,
            &me.id,
            at,
        );
        target.save(
            if shipment { "shipment" } else { "payment" },
            done,
            move |d| fact.insert_into(d),
        );
    };
    view! {
        <form class="interest-form" novalidate on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }>
            <h3 class="panel__subtitle">{move || if shipment { cat().add_shipment } else { cat().add_payment }}</h3>
            <div class="form-grid">
                <div class="field" class:field--invalid=move || day_error.with(Option::is_some)>
                    <label class="field__label" for="fact-date">{t!(fact_date)}</label>
                    <input class="field__input" type="date" id="fact-date" max=today.to_string()
                        aria-invalid=move || day_error.with(Option::is_some).then_some("true")
                        aria-describedby="fact-date-error"
                        prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/>
                    <p class="field__error" id="fact-date-error" role="alert">{move || day_error.get()}</p>
                </div>
                <div class="field" class:field--invalid=move || amount_error.with(Option::is_some)>
                    <label class="field__label" for="fact-amount">
                        {t!(fact_amount)}
                        <span class="field__required" aria-hidden="true">" *"</span>
                    </label>
                    <input class="field__input" id="fact-amount" inputmode="decimal" autocomplete="off" required
                        aria-invalid=move || amount_error.with(Option::is_some).then_some("true")
                        aria-describedby="fact-amount-error"
                        prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                    <p class="field__error" id="fact-amount-error" role="alert">{move || amount_error.get()}</p>
                </div>
                <div class="field">
                    <label class="field__label" for="fact-document">{t!(fact_document)}</label>
                    <input class="field__input" id="fact-document" autocomplete="off"
                        prop:value=move || document.get() on:input=move |ev| document.set(event_target_value(&ev))/>
                </div>
            </div>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" id="fact-save" disabled=move || busy.get()>{t!(save)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}
