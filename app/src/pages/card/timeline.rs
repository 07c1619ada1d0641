//! The card's timeline (issue 6): one list, newest first, of the events,
//! the Interests' registrations and moves, the payments and shipments —
//! and the forms that add to it: log an event (call, meeting, e-mail,
//! message, note; with the Interest it is about), enter a payment or a
//! shipment. An event, a payment or a shipment is edited and deleted from
//! its line (a payment imported from accounting is only deleted here).

use kartoteka::client::{
    ClientDoc, EntryError, EntryKind, Event, EventEdit, EventKind, FactSource, Money, MoneyFactEdit,
};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::new_id;
use kartoteka::import::{FactKind, NewFact};
use kartoteka::timeline::{What, timeline};
use leptos::prelude::*;

use crate::components::field::TextField;
use crate::components::focus::{focus_first_invalid, focus_id};
use crate::format;
use crate::i18n::cat;
use crate::io::platform::now_ms;
use crate::messages::{entry_error_text, money_error_text};
use crate::pages::card::edit::Edit;
use crate::pages::card::entry_actions::EntryActions;
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
    /// What can be edited or deleted from the line: the entry's kind and
    /// id, and whether it may be edited here (not an imported fact).
    entry: Option<(EntryKind, String, bool)>,
}

/// Which form is open: a new entry, or an existing one (its id).
#[derive(Debug, Clone, PartialEq)]
enum Form {
    Event(Option<String>),
    Payment(Option<String>),
    Shipment(Option<String>),
}

/// The timeline panel of a card.
#[component]
pub fn TimelineSection(doc: ClientDoc) -> impl IntoView {
    let base = crate::base::base();
    let form = RwSignal::new(None::<Form>);
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
            let editable = |kind, imported: bool| Some((kind, e.id.clone(), !imported));
            let entry = match &e.what {
                What::Event { .. } => editable(EntryKind::Event, false),
                What::Payment { .. } => editable(
                    EntryKind::Payment,
                    doc.payments
                        .get(&e.id)
                        .is_some_and(|p| p.source == FactSource::Import),
                ),
                What::Shipment { .. } => editable(
                    EntryKind::Shipment,
                    doc.shipments
                        .get(&e.id)
                        .is_some_and(|p| p.source == FactSource::Import),
                ),
                _ => None,
            };
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
                entry,
            }
        })
        .collect();
    let rows = StoredValue::new(rows);
    let client = doc.id.to_string();
    let doc = StoredValue::new(doc);
    let close = Callback::new(move |()| form.set(None));
    let open = move |what: Form, first: &'static str| {
        form.set(Some(what));
        focus_id(first, false);
    };
    let line = move |r: Row| {
        let actions = r.entry.map(|(kind, id, editable)| {
            let on_edit = editable.then(|| {
                let id = id.clone();
                Callback::new(move |()| {
                    let (what, first) = match kind {
                        EntryKind::Event => (Form::Event(Some(id.clone())), "event-kind"),
                        EntryKind::Payment => (Form::Payment(Some(id.clone())), "fact-date"),
                        _ => (Form::Shipment(Some(id.clone())), "fact-date"),
                    };
                    open(what, first);
                })
            });
            let name = format!("{} {} {}", r.label, r.day, r.text);
            view! { <EntryActions client=client.clone() kind=kind id=id name=name on_edit=on_edit/> }
        });
        view! {
            <li class=format!("timeline__item timeline__item--{}", r.class)>
                <span class="timeline__date">{r.day}</span>
                <span class="timeline__kind">{r.label}</span>
                <span class="timeline__text">{r.text}</span>
                <span class="timeline__who muted">{r.who}</span>
                {actions}
            </li>
        }
    };
    view! {
        <section class="panel panel--wide" aria-labelledby="sec-timeline">
            <div class="panel__head">
                <h2 class="panel__title" id="sec-timeline">{t!(section_timeline)}</h2>
                <div class="panel__actions">
                    <button type="button" class="button button--small" id="log-event" on:click=move |_| open(Form::Event(None), "event-kind")>{t!(log_event)}</button>
                    {is_client.then(|| view! {
                        <button type="button" class="button button--small" id="add-payment" on:click=move |_| open(Form::Payment(None), "fact-date")>{t!(add_payment)}</button>
                        <button type="button" class="button button--small" id="add-shipment" on:click=move |_| open(Form::Shipment(None), "fact-date")>{t!(add_shipment)}</button>
                    })}
                </div>
            </div>
            {move || match form.get() {
                Some(Form::Event(editing)) => view! { <EventForm doc=doc editing=editing on_done=close/> }.into_any(),
                Some(Form::Payment(editing)) => view! { <FactForm doc=doc shipment=false editing=editing on_done=close/> }.into_any(),
                Some(Form::Shipment(editing)) => view! { <FactForm doc=doc shipment=true editing=editing on_done=close/> }.into_any(),
                None => ().into_any(),
            }}
            {(total == 0).then(|| view! { <p class="muted">{t!(no_activity)}</p> })}
            <ul class="timeline" data-testid="timeline">
                {move || rows.with_value(|r| r.iter().take(shown.get()).cloned().map(&line).collect_view())}
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

/// Logging an event, or editing event `editing`.
#[component]
fn EventForm(
    doc: StoredValue<ClientDoc>,
    editing: Option<String>,
    on_done: Callback<()>,
) -> impl IntoView {
    let state = app_state();
    let today = state.today();
    let opened: Option<EventEdit> = doc.with_value(|d| {
        editing
            .as_ref()
            .and_then(|id| d.events.get(id))
            .map(EventEdit::of)
    });
    let kind = RwSignal::new(
        opened
            .as_ref()
            .map_or(EventKind::Call, |o| o.kind)
            .id()
            .to_owned(),
    );
    let day = RwSignal::new(opened.as_ref().map_or(today, |o| o.date).to_string());
    let result = RwSignal::new(
        opened
            .as_ref()
            .map(|o| o.result.clone())
            .unwrap_or_default(),
    );
    let about_now = opened.as_ref().and_then(|o| o.interest.clone());
    // The only open Interest is preselected: most calls are about it. An
    // edited event keeps its own, even if that one is completed.
    let open: Vec<(String, String)> = doc.with_value(|d| {
        let mut v: Vec<_> = d
            .interests
            .values()
            .filter(|i| i.completed.is_none() || about_now.as_ref() == Some(&i.id))
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
    let first_participant = opened
        .as_ref()
        .and_then(|o| o.participants.first().cloned())
        .unwrap_or_default();
    let participant = RwSignal::new(first_participant.clone());
    let interest = RwSignal::new(match &opened {
        Some(o) => o.interest.clone().unwrap_or_default(),
        None if open.len() == 1 => open[0].0.clone(),
        None => String::new(),
    });
    let day_error = RwSignal::new(None::<String>);
    let result_error = RwSignal::new(None::<String>);
    let edit = Edit::new();
    let (busy, form_error) = (edit.busy, edit.error);
    let is_new = editing.is_none();
    let editing = StoredValue::new(editing);
    let opened = StoredValue::new(opened);
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
        let chosen = participant.get_untracked();
        let client = doc.with_value(|d| d.id.to_string());
        let (Some(id), Some(opened)) = (editing.get_value(), opened.get_value()) else {
            let event = Event {
                id: new_id(),
                date,
                at: Timestamp(now_ms()),
                kind,
                by: me.id.clone(),
                participants: Some(chosen).filter(|p| !p.is_empty()).into_iter().collect(),
                result: text,
                interest: about,
                reason: None,
                deleted: None,
            };
            let add = move |d: &mut ClientDoc| {
                d.events.insert(event.id.clone(), event);
                Ok(())
            };
            edit.run_saying(
                client,
                "event",
                cat().event_logged.to_owned(),
                add,
                move |_| on_done.run(()),
            );
            return;
        };
        // The form shows one participant: the others stay unless it changed.
        let participants = if chosen == first_participant {
            opened.participants.clone()
        } else {
            Some(chosen).filter(|p| !p.is_empty()).into_iter().collect()
        };
        let changed = EventEdit {
            date,
            kind,
            participants,
            result: text,
            interest: about,
        };
        let save = move |d: &mut ClientDoc| {
            d.edit_event(&id, &opened, &changed, today)
                .map_err(|e| entry_error_text(cat(), &e))
        };
        edit.run(client, "event edited", save, move |_| on_done.run(()));
    };
    view! {
        <form class="interest-form" novalidate on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }>
            {(!is_new).then(|| view! { <h3 class="panel__subtitle">{t!(edit_event_title)}</h3> })}
            <div class="form-grid">
                <div class="field">
                    <label class="field__label" for="event-kind">{t!(event_kind)}</label>
                    <select class="field__input" id="event-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {EventKind::ALL.into_iter().map(|k| view! { <option value=k.id() selected=kind.get_untracked() == k.id()>{move || event_kind_name(cat(), k)}</option> }).collect_view()}
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
                            {contacts.iter().map(|(id, name)| view! { <option value=id.clone() selected=participant.get_untracked() == *id>{name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <TextField id="event-result" label=Signal::derive(t!(event_result)) value=result
                    error=result_error rows=2 required=true wide=true/>
            </div>
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" id="event-save" disabled=move || busy.get()>{t!(save_event)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}

/// Entering a payment or a shipment by hand, or editing one (`editing`).
#[component]
fn FactForm(
    doc: StoredValue<ClientDoc>,
    shipment: bool,
    editing: Option<String>,
    on_done: Callback<()>,
) -> impl IntoView {
    let state = app_state();
    let today = state.today();
    // What the form opened with: the day, the amount and the document.
    let opened: Option<(Date, Money, String)> = doc.with_value(|d| {
        let id = editing.as_ref()?;
        if shipment {
            d.shipments
                .get(id)
                .map(|f| (f.date, f.amount, f.document.clone()))
        } else {
            d.payments
                .get(id)
                .map(|f| (f.date, f.amount, f.document.clone()))
        }
    });
    let day = RwSignal::new(opened.as_ref().map_or(today, |o| o.0).to_string());
    let amount = RwSignal::new(opened.as_ref().map(|o| o.1.plain()).unwrap_or_default());
    let document = RwSignal::new(opened.as_ref().map(|o| o.2.clone()).unwrap_or_default());
    let day_error = RwSignal::new(None::<String>);
    let amount_error = RwSignal::new(None::<String>);
    let edit = Edit::new();
    let (busy, form_error) = (edit.busy, edit.error);
    let is_new = editing.is_none();
    // The entry as the form opened it: the edit writes what changed since.
    let opened_fact = StoredValue::new(doc.with_value(|d| {
        let id = editing.as_ref()?;
        Some((d.payments.get(id).cloned(), d.shipments.get(id).cloned()))
    }));
    let editing = StoredValue::new(editing);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = parse_day(&day.get_untracked(), today);
        day_error.set(parsed.as_ref().err().cloned());
        let typed = amount.get_untracked();
        let sum = Money::parse(&typed);
        amount_error.set(sum.err().map(|e| money_error_text(cat(), e)));
        let (Ok(date), Ok(sum)) = (parsed, sum) else {
            focus_first_invalid();
            return;
        };
        let Some(me) = state.user() else {
            return;
        };
        let number = document.get_untracked().trim().to_owned();
        let client = doc.with_value(|d| d.id.to_string());
        let message = if shipment { "shipment" } else { "payment" };
        let Some(id) = editing.get_value() else {
            let (kind, done) = if shipment {
                (FactKind::Shipment, cat().shipment_added)
            } else {
                (FactKind::Payment, cat().payment_added)
            };
            let at = Timestamp(now_ms());
            let fact = NewFact::new(
                kind,
                new_id(),
                (date, sum, number),
                FactSource::Manual,
                &me.id,
                at,
            );
            let add = move |d: &mut ClientDoc| {
                fact.insert_into(d);
                Ok(())
            };
            edit.run_saying(client, message, done.to_owned(), add, move |_| {
                on_done.run(())
            });
            return;
        };
        let changed = MoneyFactEdit {
            date,
            amount: typed,
            document: number,
        };
        let (payment, shipment_opened) = opened_fact.get_value().unwrap_or_default();
        // Checked again on the stored document: it may have been deleted
        // meanwhile, or be an imported one.
        let save = move |d: &mut ClientDoc| {
            let result = match (shipment, payment, shipment_opened) {
                (false, Some(o), _) => d.edit_payment(&id, &o, &changed, today),
                (true, _, Some(o)) => d.edit_shipment(&id, &o, &changed, today),
                (false, ..) => Err(EntryError::NotFound(EntryKind::Payment)),
                (true, ..) => Err(EntryError::NotFound(EntryKind::Shipment)),
            };
            result.map_err(|e| entry_error_text(cat(), &e))
        };
        edit.run(client, message, save, move |_| on_done.run(()));
    };
    view! {
        <form class="interest-form" novalidate on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { on_done.run(()) }>
            <h3 class="panel__subtitle">{move || match (is_new, shipment) {
                (true, true) => cat().add_shipment,
                (true, false) => cat().add_payment,
                (false, true) => cat().edit_shipment_title,
                (false, false) => cat().edit_payment_title,
            }}</h3>
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
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary button--small" id="fact-save" disabled=move || busy.get()>{t!(save)}</button>
                <button type="button" class="button button--small" on:click=move |_| on_done.run(())>{t!(cancel)}</button>
            </div>
        </form>
    }
}
