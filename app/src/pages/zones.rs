//! The zones dashboard (Зоны клиентов, SPEC 6, issue 15): per manager, how
//! many clients are green, yellow and red today, how many went to the
//! exchange and were taken from it in the last four weeks, and how the
//! zones moved over the last 26 weeks, as a table and a chart. Every
//! number of today opens that list. A supervisor sees every manager; a
//! manager sees their own row.
//!
//! Nothing is stored: the series comes from every client's facts on the
//! device (`kartoteka::rules::dashboard`, one walk per client for all the
//! dates), computed in slices so the page stays responsive, again when
//! the base, the zone thresholds or the date change.

use std::sync::Arc;

use chrono::NaiveDate;
use gloo_timers::future::TimeoutFuture;
use kartoteka::date::Date;
use kartoteka::ids::UserId;
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::dashboard::{ManagerSeries, SeriesBuilder, ZoneSeries, weekly_dates};
use kartoteka::rules::zone::Zone;
use kartoteka::search::fold;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::base::{Base, slices};
use crate::components::status::{ZoneLabel, zone_name};
use crate::components::zone_chart::{ZoneChart, ZoneTrend};
use crate::format;
use crate::i18n::cat;
use crate::io::platform::{mark, measure};
use crate::state::app_state;
use crate::t;

/// The weeks of the trend.
const WEEKS: u32 = 26;
/// The exchange columns count the last this many weeks.
const RECENT_WEEKS: usize = 4;
/// A change of the base (a save, a synced client) made while a pass runs
/// makes another pass follow once the changes stop for this long, so a
/// burst of changes costs one pass.
const SETTLE_MS: u32 = 250;

/// Computes the series over every client on the device, in slices; `None`
/// if it is no longer wanted (the page was left).
async fn compute(
    base: Base,
    thresholds: ZoneThresholds,
    as_of: NaiveDate,
    wanted: impl Fn() -> bool,
) -> Option<ZoneSeries> {
    let dates = weekly_dates(as_of, WEEKS)?;
    mark("kartoteka:zones-start");
    let items = base.clients.with_untracked(|l| l.items.clone());
    let mut builder = SeriesBuilder::new(thresholds, &dates);
    let add = |s: &Arc<kartoteka::summary::ClientSummary>| builder.add(&s.facts);
    slices::for_each(&items, "kartoteka:zones", add, wanted)
        .await
        .ok()?;
    let series = builder.finish();
    mark("kartoteka:zones-end");
    measure(
        "kartoteka:zones",
        "kartoteka:zones-start",
        "kartoteka:zones-end",
    );
    Some(series)
}

/// The passes of one open dashboard.
#[derive(Debug, Default)]
struct Passes {
    running: bool,
    /// The base, the thresholds or the date changed since the running
    /// pass read them.
    changed: bool,
}

/// Computes the series and shows it, again as long as what it reads
/// changed meanwhile. A pass under way is never thrown away for a newer
/// change (on a base that syncs or writes win-backs in the background, a
/// pass restarted at every change might never finish): the numbers come
/// once, then again [`SETTLE_MS`] after the changes stop.
async fn recompute(
    base: Base,
    series: RwSignal<Option<Arc<ZoneSeries>>>,
    thresholds: Memo<Option<ZoneThresholds>>,
    passes: StoredValue<Passes>,
) {
    let alive = move || passes.try_with_value(|_| ()).is_some();
    let changed = move || passes.try_update_value(|p| std::mem::take(&mut p.changed));
    loop {
        changed();
        let today = base.app.today.get_untracked().naive();
        let Some(t) = thresholds.try_get_untracked().flatten() else {
            break;
        };
        let Some(s) = compute(base, t, today, alive).await else {
            return;
        };
        series.set(Some(Arc::new(s)));
        mark_drawn();
        if changed() != Some(true) {
            break;
        }
        // Changed meanwhile: again once the changes stop.
        loop {
            TimeoutFuture::new(SETTLE_MS).await;
            match changed() {
                None => return,
                Some(true) => continue,
                Some(false) => break,
            }
        }
    }
    passes.try_update_value(|p| p.running = false);
}

/// Marks the first paint after new numbers were put on the page (for the
/// benchmark): an animation frame runs just before the paint, a timeout
/// set there runs after it.
fn mark_drawn() {
    request_animation_frame(|| {
        set_timeout(|| mark("kartoteka:zones-drawn"), std::time::Duration::ZERO);
    });
}

/// The dashboard page.
#[component]
pub fn ZonesPage() -> impl IntoView {
    let state = app_state();
    let base = crate::base::base();
    let series = RwSignal::new(None::<Arc<ZoneSeries>>);
    let thresholds = Memo::new(move |_| base.rules.with(|r| r.as_ref().map(|r| r.zones())));
    // Whether a pass is under way, and whether what it reads changed since
    // it began; gone with the page (then a pass stops at its next yield).
    let passes = StoredValue::new(Passes::default());

    Effect::new(move |_| {
        base.clients.track();
        state.today.track();
        if thresholds.with(Option::is_none) {
            return;
        }
        let running = passes
            .try_update_value(|p| {
                p.changed = true;
                std::mem::replace(&mut p.running, true)
            })
            .unwrap_or(true);
        if !running {
            spawn_local(recompute(base, series, thresholds, passes));
        }
    });
    let user = state.user();
    let me = user.as_ref().map(|u| u.id.to_string()).unwrap_or_default();
    let sees_all = user.is_some_and(|u| u.role.sees_everything());
    let as_of = move || {
        series.with(|s| {
            s.as_ref()
                .and_then(|s| s.dates.last().copied())
                .map(|d| Date(d).to_string())
        })
    };
    let lead = move || {
        let s = series.get()?;
        let day = format::date(Date(*s.dates.last()?));
        let c = cat();
        Some(if sees_all {
            (c.zones_lead_all)(&day)
        } else {
            (c.zones_lead_own)(&day)
        })
    };

    view! {
        <main class="report-page zones-page" id="main" data-as-of=as_of>
            <h1 class="report-page__title">{t!(zones_title)}</h1>
            <p class="report-page__lead muted">{lead}</p>
            {move || match series.get() {
                None => view! { <p class="muted" role="status">{t!(zones_computing)}</p> }.into_any(),
                Some(s) => view! { <Dashboard series=s me=me.clone() sees_all=sees_all/> }.into_any(),
            }}
        </main>
    }
}

/// One manager's numbers, or everybody's.
#[derive(Debug, Clone)]
struct Row {
    /// The manager's id; `None` for the totals.
    id: Option<String>,
    name: String,
    series: ManagerSeries,
}

impl Row {
    /// Today's count of a zone.
    fn today(&self, zone: Zone) -> u32 {
        self.at(zone, 0)
    }

    /// The count of a zone `weeks_ago` weeks before today.
    fn at(&self, zone: Zone, weeks_ago: usize) -> u32 {
        let v = match zone {
            Zone::Green => &self.series.green,
            Zone::Yellow => &self.series.yellow,
            Zone::Red => &self.series.red,
            Zone::Exchange => return 0,
        };
        v.len()
            .checked_sub(1 + weeks_ago)
            .and_then(|i| v.get(i))
            .copied()
            .unwrap_or(0)
    }

    fn total(&self) -> u32 {
        ZONES.iter().map(|&z| self.today(z)).sum()
    }

    /// The sum of the last [`RECENT_WEEKS`] weekly numbers.
    fn recent(v: &[u32]) -> u32 {
        v.iter().rev().take(RECENT_WEEKS).sum()
    }

    /// The client list this row's count of `zone` opens.
    fn list_href(&self, zone: Option<Zone>) -> String {
        let mut q = Vec::new();
        if let Some(z) = zone {
            q.push(format!("zone={}", z.id()));
        }
        if let Some(id) = &self.id {
            q.push(format!("responsible={id}"));
        }
        format!("/?{}", q.join("&"))
    }

    fn trend(&self, dates: &[NaiveDate], exchange: Option<Vec<u32>>) -> ZoneTrend {
        ZoneTrend {
            dates: dates.to_vec(),
            green: self.series.green.clone(),
            yellow: self.series.yellow.clone(),
            red: self.series.red.clone(),
            exchange,
        }
    }
}

const ZONES: [Zone; 3] = [Zone::Green, Zone::Yellow, Zone::Red];

fn add_into(total: &mut ManagerSeries, m: &ManagerSeries) {
    for (t, v) in [
        (&mut total.green, &m.green),
        (&mut total.yellow, &m.yellow),
        (&mut total.red, &m.red),
        (&mut total.to_exchange, &m.to_exchange),
        (&mut total.from_exchange, &m.from_exchange),
    ] {
        for (t, v) in t.iter_mut().zip(v) {
            *t += v;
        }
    }
}

fn zeros(dates: usize) -> ManagerSeries {
    ManagerSeries {
        green: vec![0; dates],
        yellow: vec![0; dates],
        red: vec![0; dates],
        to_exchange: vec![0; dates],
        from_exchange: vec![0; dates],
    }
}

/// The rows this user sees, by name: every manager for a supervisor, else
/// their own.
fn rows_of(base: Base, series: &ZoneSeries, me: &str, sees_all: bool) -> Vec<Row> {
    let name = |id: &str| {
        base.user_name(&UserId(id.to_owned()))
            .unwrap_or_else(|| id.to_owned())
    };
    let mut rows: Vec<Row> = if sees_all {
        series
            .managers
            .iter()
            .map(|(id, m)| Row {
                id: Some(id.clone()),
                name: name(id),
                series: m.clone(),
            })
            .collect()
    } else {
        vec![Row {
            id: Some(me.to_owned()),
            name: name(me),
            series: series
                .managers
                .get(me)
                .cloned()
                .unwrap_or_else(|| zeros(series.dates.len())),
        }]
    };
    rows.sort_by_cached_key(|r| fold(&r.name));
    rows
}

/// The numbers of one computed series.
#[component]
fn Dashboard(series: Arc<ZoneSeries>, me: String, sees_all: bool) -> impl IntoView {
    let base = crate::base::base();
    let rows = rows_of(base, &series, &me, sees_all);
    let mut totals = Row {
        id: None,
        name: cat().total.to_owned(),
        series: zeros(series.dates.len()),
    };
    for r in &rows {
        add_into(&mut totals.series, &r.series);
    }
    // A manager's tiles open their own lists.
    let overall = if sees_all {
        totals.clone()
    } else {
        rows.first().cloned().unwrap_or_else(|| totals.clone())
    };
    let exchange_now = series.exchange.last().copied().unwrap_or(0);
    let exchange_before = series
        .exchange
        .len()
        .checked_sub(1 + RECENT_WEEKS)
        .and_then(|i| series.exchange.get(i))
        .copied()
        .unwrap_or(exchange_now);

    let tiles = {
        let sum = overall.total();
        ZONES
            .iter()
            .map(|&z| {
                let now = overall.today(z);
                let change = i64::from(now) - i64::from(overall.at(z, RECENT_WEEKS));
                let share = if sum == 0 {
                    0.0
                } else {
                    f64::from(now) * 100.0 / f64::from(sum)
                };
                let href = overall.list_href(Some(z));
                let label = (cat().zones_open_list)(u64::from(now), zone_name(cat(), Some(z)), &overall_name(&overall, sees_all));
                view! {
                    <Tile zone=Some(z) count=now href=href label=label change=change good_when_up=z == Zone::Green>
                        {(cat().zones_share)(&format::percent(share))}
                    </Tile>
                }
            })
            .collect_view()
    };
    let exchange_tile = view! {
        <Tile
            zone=Some(Zone::Exchange)
            count=exchange_now
            href="/exchange".to_owned()
            label=(cat().zones_open_exchange)(u64::from(exchange_now))
            change=i64::from(exchange_now) - i64::from(exchange_before)
            good_when_up=false
        >
            {t!(zones_exchange_hint)}
        </Tile>
    };

    let show_totals = sees_all && !rows.is_empty();
    let table = if rows.is_empty() {
        view! { <p class="muted">{t!(zones_no_clients)}</p> }.into_any()
    } else {
        let body = rows
            .iter()
            .map(|r| view! { <TableRow row=r.clone()/> })
            .collect_view();
        let foot = show_totals.then(|| {
            view! {
                <tfoot>
                    <TableRow row=totals.clone()/>
                </tfoot>
            }
        });
        view! {
            <div class="table-scroll">
                <table class="report-table zones-table" data-testid="zones-table">
                    <thead>
                        <tr>
                            <th scope="col" rowspan="2">{t!(field_manager)}</th>
                            {ZONES.map(|z| view! { <th scope="col" rowspan="2" class="num"><ZoneLabel zone=Some(z)/></th> })}
                            <th scope="col" rowspan="2" class="num">{t!(total)}</th>
                            <th scope="col" rowspan="2" class="zones-table__mix">{t!(zones_col_mix)}</th>
                            <th scope="colgroup" colspan="2" class="zones-table__weeks">{t!(zones_col_last_weeks)}</th>
                        </tr>
                        <tr>
                            <th scope="col" class="num">{t!(zones_col_to_exchange)}</th>
                            <th scope="col" class="num">{t!(zones_col_from_exchange)}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                    {foot}
                </table>
            </div>
        }
        .into_any()
    };

    // The chart: everybody's (with the exchange), or one manager's.
    let picked = RwSignal::new(String::new());
    let choices: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| Some((r.id.clone()?, r.name.clone())))
        .collect();
    let can_pick = sees_all && choices.len() > 1;
    let chart = {
        let (rows, series, totals) = (rows.clone(), series.clone(), totals.clone());
        move || {
            let id = picked.get();
            let (trend, who) = match rows.iter().find(|r| r.id.as_deref() == Some(id.as_str())) {
                Some(r) => (r.trend(&series.dates, None), r.name.clone()),
                None if sees_all => (
                    totals.trend(&series.dates, Some(series.exchange.clone())),
                    cat().all_managers.to_owned(),
                ),
                None => {
                    let own = rows.first().unwrap_or(&totals);
                    (own.trend(&series.dates, None), own.name.clone())
                }
            };
            view! { <ZoneChart trend=trend who=who/> }
        }
    };
    let picker = can_pick.then(|| {
        view! {
            <div class="field zones-page__picker">
                <label class="field__label" for="zones-manager">{t!(field_manager)}</label>
                <select
                    class="field__input"
                    id="zones-manager"
                    prop:value=move || picked.get()
                    on:change=move |ev| picked.set(event_target_value(&ev))
                >
                    <option value="">{t!(all_managers)}</option>
                    {choices
                        .iter()
                        .map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> })
                        .collect_view()}
                </select>
            </div>
        }
    });

    view! {
        <ul class="zones-tiles" aria-label=t!(zones_title)>
            {tiles}
            {exchange_tile}
        </ul>
        <section class="panel" aria-labelledby="zones-by-manager">
            <h2 class="panel__title" id="zones-by-manager">
                {move || if sees_all { cat().zones_by_manager } else { cat().zones_mine }}
            </h2>
            {table}
        </section>
        <section class="panel zones-page__trend" aria-labelledby="zones-trend">
            <div class="panel__head">
                <h2 class="panel__title" id="zones-trend">{t!(zones_trend)}</h2>
                {picker}
            </div>
            {chart}
        </section>
    }
}

fn overall_name(row: &Row, sees_all: bool) -> String {
    if sees_all {
        cat().all_managers.to_owned()
    } else {
        row.name.clone()
    }
}

/// One of today's totals: a zone, its count (a link to the list), and
/// how it moved in four weeks.
#[component]
fn Tile(
    zone: Option<Zone>,
    count: u32,
    href: String,
    label: String,
    change: i64,
    good_when_up: bool,
    children: Children,
) -> impl IntoView {
    let signed = match change {
        0 => "±0".to_owned(),
        n if n > 0 => format!("+{}", format::number(n.unsigned_abs())),
        n => format!("−{}", format::number(n.unsigned_abs())),
    };
    let class = match (change.signum(), good_when_up) {
        (0, _) => "zones-tile__change",
        (1, true) | (-1, false) => "zones-tile__change zones-tile__change--good",
        _ => "zones-tile__change zones-tile__change--bad",
    };
    let testid = zone.map_or("none", Zone::id);
    view! {
        <li class=format!("zones-tile zones-tile--{testid}") data-zone=testid>
            <ZoneLabel zone=zone/>
            <a class="zones-tile__count" href=href aria-label=label.clone() title=label>
                {format::number(u64::from(count))}
            </a>
            <span class="zones-tile__note">{children()}</span>
            <span class=class>{move || (cat().zones_change_4w)(&signed)}</span>
        </li>
    }
}

/// A manager's row of the table (or the totals).
#[component]
fn TableRow(row: Row) -> impl IntoView {
    let who = row.name.clone();
    let total = row.total();
    let cells = ZONES
        .map(|z| {
            let n = row.today(z);
            let label = (cat().zones_open_list)(u64::from(n), zone_name(cat(), Some(z)), &who);
            view! {
                <td class="num" data-col=z.id()>
                    <a class="zones-table__count" href=row.list_href(Some(z)) aria-label=label.clone() title=label>
                        {format::number(u64::from(n))}
                    </a>
                </td>
            }
        });
    let share = |z: Zone| {
        if total == 0 {
            "0".to_owned()
        } else {
            format!("{:.4}", f64::from(row.today(z)) / f64::from(total))
        }
    };
    let mix = view! {
        <span class="zone-mix" aria-hidden="true">
            {ZONES.map(|z| view! {
                <span class=format!("zone-mix__part zone-mix__part--{}", z.id()) style:--share=share(z)></span>
            })}
        </span>
    };
    let to_exchange = Row::recent(&row.series.to_exchange);
    let from_exchange = Row::recent(&row.series.from_exchange);
    let total_label = (cat().zones_open_manager)(u64::from(total), &who);
    view! {
        <tr data-manager=row.id.clone().unwrap_or_default() data-total=row.id.is_none().then_some("")>
            <th scope="row">{row.name.clone()}</th>
            {cells}
            <td class="num" data-col="total">
                <a class="zones-table__count" href=row.list_href(None) aria-label=total_label.clone() title=total_label>
                    {format::number(u64::from(total))}
                </a>
            </td>
            <td class="zones-table__mix">{mix}</td>
            <td class="num" data-col="to-exchange">{format::number(u64::from(to_exchange))}</td>
            <td class="num" data-col="from-exchange">{format::number(u64::from(from_exchange))}</td>
        </tr>
    }
}
