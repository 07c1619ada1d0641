//! "My sales" (Мои продажи, issue 6): the manager's Interests as a board
//! by scenario state, or as a list, with filters and counts per state.
//! An Interest moves to another state by drag and drop, by the arrow keys
//! on a focused card, or by the state list of the list view; the move is
//! checked by the scenario (see [`crate::pages::interest_move`]). Overdue
//! follow-ups stand out and lead their column.

use std::sync::Arc;

use kartoteka::client::Outcome;
use kartoteka::date::Date;
use kartoteka::ids::UserId;
use kartoteka::sales::{Column, Filter, Item, board};
use kartoteka::workspace::{LEAD_SCENARIO, Scenario};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::focus::focus_id;
use crate::format;
use crate::i18n::cat;
use crate::io::platform::{mark, measure};
use crate::pages::card::interests::local_name;
use crate::pages::interest_move::{move_to, reason_options, state_name};
use crate::pages::options::{scenario_options, service_type_options};
use crate::state::app_state;
use crate::t;

/// How many cards a column shows before "show more".
const COLUMN_PAGE: usize = 30;
/// Ended Interests stay on the board this many days.
const ENDED_DAYS: u64 = 30;

/// A move waiting for the reason of an unsuccessful end.
#[derive(Debug, Clone, PartialEq)]
struct PendingMove {
    client: String,
    interest: String,
    /// The state the board showed when the move was asked for.
    from: String,
    to: String,
    content: String,
}

/// The page.
#[component]
pub fn SalesPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let me = state.user();
    let sees_all = me.as_ref().is_some_and(|u| u.role.sees_everything());
    let today = state.today();
    let scenario_id = RwSignal::new(LEAD_SCENARIO.to_owned());
    // Managers see their own; supervisors start with everybody's.
    let manager = RwSignal::new(if sees_all {
        String::new()
    } else {
        me.as_ref().map(|u| u.id.to_string()).unwrap_or_default()
    });
    let service = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let all_ended = RwSignal::new(false);
    let as_list = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(None::<PendingMove>);
    let dragged = StoredValue::new(None::<(String, String)>);

    let scenario = Memo::new(move |_| {
        let id = scenario_id.get();
        base.workspace
            .with(|w| w.as_ref().and_then(|w| w.scenarios.get(&id).cloned()))
    });
    let filter = Memo::new(move |_| Filter {
        responsible: Some(manager.get()).filter(|m| !m.is_empty()).map(UserId),
        service_type: service.get(),
        states: Vec::new(),
        text: text.get(),
        from: from.get().parse::<Date>().ok(),
        to: to.get().parse::<Date>().ok(),
        ended_since: (!all_ended.get())
            .then(|| Date(today.naive() - chrono::Days::new(ENDED_DAYS))),
    });
    spawn_local(base.read_sales());
    let columns = Memo::new(move |_| {
        let scenario = scenario.get()?;
        if !base.sales_ready() {
            return None;
        }
        let filter = filter.get();
        mark("kartoteka:board-start");
        let columns = base
            .clients
            .with(|list| board(list.with_interests(), &scenario, &filter, today));
        mark("kartoteka:board-computed");
        measure(
            "kartoteka:board-compute",
            "kartoteka:board-start",
            "kartoteka:board-computed",
        );
        Some(Arc::new(columns))
    });
    // Marks when the board has rendered, for the benchmark.
    Effect::new(move |_| {
        // Not while the Interests are still being read (nothing drawn).
        if columns.with(Option::is_none) {
            return;
        }
        request_animation_frame(|| {
            mark("kartoteka:board-rendered");
            measure(
                "kartoteka:board-render",
                "kartoteka:board-start",
                "kartoteka:board-rendered",
            );
        });
    });

    let scenarios = move || {
        let mut v = base.workspace.with(|w| scenario_options(w.as_deref()));
        v.sort_by(|a, b| (a.0 != LEAD_SCENARIO, &a.1).cmp(&(b.0 != LEAD_SCENARIO, &b.1)));
        v
    };
    let services = move || base.workspace.with(|w| service_type_options(w.as_deref()));
    let users = move || base.assignable_users();

    // Moves an Interest; a failure end first asks for the reason.
    let request_move = Callback::new(
        move |(client, interest, target): (String, String, String)| {
            mark("kartoteka:move-start");
            error.set(None);
            let Some(sc) = scenario.get_untracked() else {
                return;
            };
            let failing = sc
                .state(&target)
                .is_some_and(|s| s.ends == Some(Outcome::Failure));
            // The state and content the board shows: the move is refused
            // if the stored Interest has moved on since.
            let (seen, content) = base
                .clients
                .with_untracked(|l| {
                    l.with_interests()
                        .find(|s| s.id.as_str() == client)
                        .and_then(|s| s.interests.iter().find(|i| i.id == interest))
                        .map(|i| (i.state.clone(), i.content.clone()))
                })
                .unwrap_or_default();
            if failing {
                pending.set(Some(PendingMove {
                    client,
                    interest,
                    from: seen,
                    to: target,
                    content,
                }));
                focus_id("move-reason", false);
                return;
            }
            spawn_local(async move {
                match move_to(base, client, interest.clone(), seen, target, None).await {
                    Ok(_) => focus_id(format!("deal-{interest}"), false),
                    Err(text) => error.set(Some(text)),
                }
            });
        },
    );

    view! {
        <main class="sales-page" id="main">
            <div class="sales-head">
                <h1 class="report-page__title">{t!(sales_title)}</h1>
                <div class="sales-head__actions">
                    <div class="segmented" role="group" aria-label=t!(sales_view)>
                        <button type="button" class="segmented__item" aria-pressed=move || (!as_list.get()).to_string() on:click=move |_| as_list.set(false)>{t!(sales_board)}</button>
                        <button type="button" class="segmented__item" aria-pressed=move || as_list.get().to_string() on:click=move |_| as_list.set(true)>{t!(sales_list)}</button>
                    </div>
                    <A href="/sales/new" attr:class="button button--primary" attr:id="sales-register">{t!(register_interest)}</A>
                </div>
            </div>
            <form class="filters" on:submit=|ev| ev.prevent_default() aria-label=t!(sales_filters)>
                <div class="field">
                    <label class="field__label" for="sales-scenario">{t!(interest_scenario)}</label>
                    <select class="field__input" id="sales-scenario" prop:value=move || scenario_id.get() on:change=move |ev| scenario_id.set(event_target_value(&ev))>
                        {move || scenarios().into_iter().map(|(id, name)| view! { <option value=id.clone() selected=scenario_id.get_untracked() == id>{name}</option> }).collect_view()}
                    </select>
                </div>
                {sees_all.then(|| view! {
                    <div class="field">
                        <label class="field__label" for="sales-manager">{t!(field_manager)}</label>
                        <select class="field__input" id="sales-manager" prop:value=move || manager.get() on:change=move |ev| manager.set(event_target_value(&ev))>
                            <option value="">{t!(all_managers)}</option>
                            {move || users().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="field">
                    <label class="field__label" for="sales-service">{t!(interest_service)}</label>
                    <select class="field__input" id="sales-service" prop:value=move || service.get() on:change=move |ev| service.set(event_target_value(&ev))>
                        <option value="">{t!(all_services)}</option>
                        {move || services().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field field--grow">
                    <label class="field__label" for="sales-text">{t!(sales_text_filter)}</label>
                    <input class="field__input" id="sales-text" type="search" autocomplete="off" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field__label" for="sales-from">{t!(registered_from)}</label>
                    <input class="field__input" id="sales-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label class="field__label" for="sales-to">{t!(registered_to)}</label>
                    <input class="field__input" id="sales-to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <label class="check">
                    <input type="checkbox" id="sales-all-ended" prop:checked=move || all_ended.get() on:change=move |ev| all_ended.set(event_target_checked(&ev))/>
                    " " {t!(show_all_ended)}
                </label>
            </form>
            <p class="muted sales-hint" id="board-help" hidden=move || as_list.get()>{t!(board_help)}</p>
            <p class="form-error" role="alert" data-testid="board-error">{move || error.get()}</p>
            {move || pending.get().map(|p| view! { <ReasonDialog pending=p cancel=pending error=error/> })}
            {move || {
                // A move asking for its reason redraws the rows, so a list
                // row's stage select shows the stage it really is in while
                // the dialog is open and after it is cancelled.
                pending.track();
                match (columns.get(), scenario.get()) {
                (Some(cols), Some(sc)) if as_list.get() => view! { <SalesList columns=cols scenario=sc request_move=request_move sees_all=sees_all/> }.into_any(),
                (Some(cols), Some(sc)) => view! { <Board columns=cols scenario=sc request_move=request_move dragged=dragged sees_all=sees_all/> }.into_any(),
                _ => view! { <p class="muted">{t!(loading)}</p> }.into_any(),
                }
            }}
        </main>
    }
}

fn event_target_checked(ev: &leptos::ev::Event) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// Asks for the reason of an unsuccessful end, then moves.
#[component]
fn ReasonDialog(
    pending: PendingMove,
    cancel: RwSignal<Option<PendingMove>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let base = crate::base::base();
    let reasons = reason_options(base.workspace.get_untracked().as_deref());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let local_error = RwSignal::new(None::<String>);
    let p = StoredValue::new(pending.clone());
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = p.get_value();
        busy.set(true);
        let why = Some(reason.get_untracked());
        spawn_local(async move {
            let interest = p.interest.clone();
            let result = move_to(base, p.client, p.interest, p.from, p.to, why).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    cancel.set(None);
                    error.set(None);
                    focus_id(format!("deal-{interest}"), false);
                }
                Err(text) => local_error.set(Some(text)),
            }
        });
    };
    view! {
        <form class="reason-dialog panel" role="dialog" aria-labelledby="reason-title" on:submit=confirm
            on:keydown=move |ev| if ev.key() == "Escape" { cancel.set(None) }>
            <h2 class="panel__title" id="reason-title">{t!(reject_title)}</h2>
            <p>{pending.content.clone()}</p>
            <div class="field" class:field--invalid=move || local_error.with(Option::is_some)>
                <label class="field__label" for="move-reason">{t!(field_reason)}</label>
                <select class="field__input" id="move-reason" aria-describedby="move-reason-error" prop:value=move || reason.get() on:change=move |ev| reason.set(event_target_value(&ev))>
                    <option value="">{t!(choose_reason)}</option>
                    {reasons.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
                <p class="field__error" id="move-reason-error" role="alert">{move || local_error.get()}</p>
            </div>
            <div class="form-actions form-actions--start">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>{t!(move_do)}</button>
                <button type="button" class="button" on:click=move |_| cancel.set(None)>{t!(cancel)}</button>
            </div>
        </form>
    }
}

/// The neighbour state of `state` in the scenario (`step` -1 or +1).
fn neighbour(scenario: &Scenario, state: &str, step: isize) -> Option<String> {
    let at = scenario.states.iter().position(|s| s.id == state)?;
    let to = at.checked_add_signed(step)?;
    scenario.states.get(to).map(|s| s.id.clone())
}

#[component]
fn Board(
    columns: Arc<Vec<Column>>,
    scenario: Scenario,
    request_move: Callback<(String, String, String)>,
    dragged: StoredValue<Option<(String, String)>>,
    sees_all: bool,
) -> impl IntoView {
    let scenario = Arc::new(scenario);
    view! {
        <div class="board" aria-describedby="board-help">
            {columns
                .iter()
                .map(|col| {
                    let st = scenario.state(&col.state).cloned();
                    let name = st.as_ref().map(|s| local_name(&s.names)).unwrap_or_else(|| col.state.clone());
                    let hint = st.as_ref().map(|s| local_name(&s.hint)).unwrap_or_default();
                    let ends = st.as_ref().and_then(|s| s.ends);
                    let requires = st.as_ref().is_some_and(|s| s.requires_client);
                    let state_id = col.state.clone();
                    let drop_state = col.state.clone();
                    let over = RwSignal::new(false);
                    let count = col.items.len();
                    let overdue = col.overdue;
                    let shown = RwSignal::new(COLUMN_PAGE);
                    let items = StoredValue::new(col.items.clone());
                    let scenario = Arc::clone(&scenario);
                    let head_id = format!("col-{state_id}");
                    let labelled_by = head_id.clone();
                    view! {
                        <section
                            class="board__col"
                            class:board__col--over=move || over.get()
                            class:board__col--won=ends == Some(Outcome::Success)
                            class:board__col--lost=ends == Some(Outcome::Failure)
                            aria-labelledby=labelled_by
                            data-state=state_id.clone()
                            on:dragover=move |ev| { ev.prevent_default(); over.set(true); }
                            on:dragleave=move |_| over.set(false)
                            on:drop=move |ev| {
                                ev.prevent_default();
                                over.set(false);
                                if let Some((client, interest)) = dragged.get_value() {
                                    dragged.set_value(None);
                                    request_move.run((client, interest, drop_state.clone()));
                                }
                            }
                        >
                            <header class="board__head">
                                <h2 class="board__title" id=head_id>
                                    {name}
                                    <span class="board__count" data-testid="column-count">{count}</span>
                                </h2>
                                <p class="board__hint">{hint}</p>
                                {requires.then(|| view! { <p class="board__flag">{t!(requires_client_flag)}</p> })}
                                {(overdue > 0).then(|| view! { <p class="board__overdue">{move || (cat().overdue_count)(overdue as u64)}</p> })}
                            </header>
                            <ul class="board__list">
                                {move || {
                                    let scenario = Arc::clone(&scenario);
                                    items.with_value(|items| {
                                        items
                                            .iter()
                                            .take(shown.get())
                                            .map(|item| view! { <DealCard item=item.clone() scenario=Arc::clone(&scenario) request_move=request_move dragged=dragged sees_all=sees_all/> })
                                            .collect_view()
                                    })
                                }}
                            </ul>
                            <Show when=move || { count > shown.get() }>
                                <button type="button" class="button button--small button--ghost board__more" on:click=move |_| shown.update(|n| *n += COLUMN_PAGE)>
                                    {move || (cat().show_more)((count - shown.get().min(count)) as u64)}
                                </button>
                            </Show>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The user's name for an id.
fn user_name(id: Option<&UserId>) -> String {
    let Some(id) = id else {
        return cat().nobody.to_owned();
    };
    crate::base::base()
        .user_name(id)
        .unwrap_or_else(|| id.to_string())
}

#[component]
fn DealCard(
    item: Item,
    scenario: Arc<Scenario>,
    request_move: Callback<(String, String, String)>,
    dragged: StoredValue<Option<(String, String)>>,
    sees_all: bool,
) -> impl IntoView {
    let navigate = use_navigate();
    let i = item.interest().clone();
    let client = item.client.id.to_string();
    let potential = item.client.potential;
    let client_name = item.client.display_name();
    let href = format!("/clients/{client}");
    let service = crate::base::base()
        .workspace
        .with_untracked(|w| {
            w.as_ref()
                .and_then(|w| w.service_types.get(&i.service_type))
                .map(|s| local_name(&s.names))
        })
        .unwrap_or_default();
    let follow_up = i.follow_up;
    let overdue = item.overdue;
    let responsible = sees_all.then(|| user_name(i.responsible.as_ref()));
    let (c1, i1) = (client.clone(), i.id.clone());
    let (c2, i2, state2) = (client.clone(), i.id.clone(), i.state.clone());
    let open_href = href.clone();
    view! {
        <li
            class="deal"
            class:deal--overdue=overdue
            class:deal--potential=potential
            id=format!("deal-{}", i.id)
            tabindex="0"
            draggable="true"
            aria-keyshortcuts="ArrowLeft ArrowRight Enter"
            data-testid="deal"
            on:dragstart=move |_| dragged.set_value(Some((c1.clone(), i1.clone())))
            on:keydown=move |ev| {
                let step = match ev.key().as_str() {
                    "ArrowRight" => 1,
                    "ArrowLeft" => -1,
                    "Enter" => {
                        navigate(&open_href, Default::default());
                        return;
                    }
                    _ => return,
                };
                ev.prevent_default();
                if let Some(to) = neighbour(&scenario, &state2, step) {
                    request_move.run((c2.clone(), i2.clone(), to));
                }
            }
        >
            <A href=href attr:class="deal__client" attr:tabindex="-1">{client_name}</A>
            {potential.then(|| view! { <span class="tag tag--potential">{t!(potential_tag)}</span> })}
            <p class="deal__content">{i.content.clone()}</p>
            <p class="deal__meta">
                {(!service.is_empty()).then(|| view! { <span>{service}</span> })}
                {follow_up.map(|d| view! {
                    <span class="deal__follow" class:deal__follow--overdue=overdue>
                        {move || if overdue { (cat().follow_up_overdue)(&format::date(d)) } else { (cat().follow_up_on)(&format::date(d)) }}
                    </span>
                })}
                {responsible.map(|r| view! { <span>{r}</span> })}
            </p>
        </li>
    }
}

#[component]
fn SalesList(
    columns: Arc<Vec<Column>>,
    scenario: Scenario,
    request_move: Callback<(String, String, String)>,
    sees_all: bool,
) -> impl IntoView {
    let scenario = Arc::new(scenario);
    let mut rows: Vec<Item> = columns
        .iter()
        .flat_map(|c| c.items.iter().cloned())
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (a.interest(), b.interest());
        (
            !a.overdue,
            x.follow_up.is_none(),
            x.follow_up,
            std::cmp::Reverse(x.created),
        )
            .cmp(&(
                !b.overdue,
                y.follow_up.is_none(),
                y.follow_up,
                std::cmp::Reverse(y.created),
            ))
    });
    let total = rows.len();
    let counts: Vec<(String, usize)> = columns
        .iter()
        .map(|c| (state_name(Some(&scenario), &c.state), c.items.len()))
        .collect();
    rows.truncate(500);
    view! {
        <p class="sales-counts" data-testid="state-counts">
            {counts.into_iter().map(|(name, n)| view! { <span class="sales-counts__item">{name} ": " <strong>{n}</strong></span> }).collect_view()}
        </p>
        <div class="table-scroll"><table class="report-table sales-table">
            <thead>
                <tr>
                    <th scope="col">{t!(col_client)}</th>
                    <th scope="col">{t!(interest_content)}</th>
                    <th scope="col">{t!(interest_stage)}</th>
                    <th scope="col">{t!(interest_date)}</th>
                    <th scope="col">{t!(follow_up)}</th>
                    {sees_all.then(|| view! { <th scope="col">{t!(field_responsible)}</th> })}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|item| {
                        let i = item.interest().clone();
                        let client = item.client.id.to_string();
                        let states: Vec<(String, String)> = scenario.states.iter().map(|s| (s.id.clone(), local_name(&s.names))).collect();
                        let current = i.state.clone();
                        let select_id = format!("row-state-{}", i.id);
                        let (c, iid) = (client.clone(), i.id.clone());
                        view! {
                            <tr class:row--overdue=item.overdue>
                                <td><A href=format!("/clients/{client}")>{item.client.display_name()}</A></td>
                                <td>{i.content.clone()}</td>
                                <td>
                                    <label class="visually-hidden" for=select_id.clone()>{t!(interest_stage)}</label>
                                    <select class="field__input field__input--inline" id=select_id on:change=move |ev| request_move.run((c.clone(), iid.clone(), event_target_value(&ev)))>
                                        {states.into_iter().map(|(id, name)| view! { <option value=id.clone() selected=id == current>{name}</option> }).collect_view()}
                                    </select>
                                </td>
                                <td>{format::date(i.created)}</td>
                                <td class:deal__follow--overdue=item.overdue>{i.follow_up.map(format::date).unwrap_or_default()}</td>
                                {sees_all.then(|| view! { <td>{user_name(i.responsible.as_ref())}</td> })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table></div>
        {(total > 500).then(|| view! { <p class="muted">{move || (cat().list_truncated)(500, total as u64)}</p> })}
    }
}
