//! The trend of the colour zones over the weeks (SPEC 6, the supervisor's
//! dashboard), drawn as inline SVG: the green, yellow and red clients on
//! each date as stacked areas (so the height is every client with a
//! manager, and the colours say how they are doing), the exchange as a
//! dashed line.
//!
//! Screen readers get a summary in the image's label and every number in
//! a table that only they see; a week is picked with the pointer or with
//! the arrow keys, and its numbers are said below the chart.

use std::fmt::Write;

use chrono::NaiveDate;
use kartoteka::date::Date;
use leptos::prelude::*;

use crate::format;
use crate::i18n::cat;
use crate::t;

/// The numbers of one chart: one of each per date, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZoneTrend {
    pub dates: Vec<NaiveDate>,
    pub green: Vec<u32>,
    pub yellow: Vec<u32>,
    pub red: Vec<u32>,
    /// The clients in the exchange, where the chart shows them.
    pub exchange: Option<Vec<u32>>,
}

impl ZoneTrend {
    /// The green, yellow and red counts of date `i`, in words.
    fn counts(&self, i: usize) -> String {
        let n = |v: &[u32]| format::number(u64::from(v.get(i).copied().unwrap_or(0)));
        let c = cat();
        match &self.exchange {
            Some(e) => {
                (c.zones_counts_exchange)(&n(&self.green), &n(&self.yellow), &n(&self.red), &n(e))
            }
            None => (c.zones_counts)(&n(&self.green), &n(&self.yellow), &n(&self.red)),
        }
    }
}

// The drawing's units are CSS pixels: it is drawn for the width of its
// box (again when the window is resized), at a fixed height, so the text
// keeps its size on a laptop and on a tablet.
const HEIGHT: f64 = 280.0;
/// The width drawn for before the box is measured.
const DEFAULT_WIDTH: f64 = 820.0;
const MIN_WIDTH: f64 = 280.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;
/// The least room between two date labels (px).
const LABEL_ROOM: f64 = 72.0;

/// The top of the value axis and the step of its grid lines: round
/// numbers, about four lines.
fn value_axis(max: u32) -> (u32, u32) {
    let max = max.max(4);
    let raw = f64::from(max) / 4.0;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let step = (step.round() as u32).max(1);
    (max.div_ceil(step) * step, step)
}

/// Where things go on the drawing.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: f64,
    points: usize,
    top_value: f64,
}

impl Geometry {
    /// The room between two dates.
    fn step(&self) -> f64 {
        (self.width - LEFT - RIGHT) / (self.points.max(2) - 1) as f64
    }

    fn x(&self, i: usize) -> f64 {
        LEFT + self.step() * i as f64
    }

    fn y(&self, v: u32) -> f64 {
        let plot = HEIGHT - TOP - BOTTOM;
        TOP + plot * (1.0 - f64::from(v) / self.top_value)
    }

    /// The date nearest to `x`.
    fn index_at(&self, x: f64) -> usize {
        let i = ((x - LEFT) / self.step()).round().max(0.0) as usize;
        i.min(self.points.saturating_sub(1))
    }

    /// A date label every this many weeks (1, 2, 4 or 8), so that labels
    /// never crowd.
    fn label_every(&self) -> usize {
        [1, 2, 4, 8]
            .into_iter()
            .find(|&k| self.step() * k as f64 >= LABEL_ROOM)
            .unwrap_or(8)
    }

    /// A band between two series of heights, as an SVG path.
    fn band(&self, upper: &[u32], lower: &[u32]) -> String {
        let mut d = self.line(upper);
        for (i, &v) in lower.iter().enumerate().rev() {
            let _ = write!(d, "L{:.1},{:.1}", self.x(i), self.y(v));
        }
        d.push('Z');
        d
    }

    /// A line through heights, as an SVG path.
    fn line(&self, values: &[u32]) -> String {
        let mut d = String::new();
        for (i, &v) in values.iter().enumerate() {
            let cmd = if i == 0 { 'M' } else { 'L' };
            let _ = write!(d, "{cmd}{:.1},{:.1}", self.x(i), self.y(v));
        }
        d
    }
}

fn sum(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// The heights of the stacked areas: green, green + yellow, all three.
#[derive(Debug, Clone)]
struct Stack {
    green: Vec<u32>,
    green_yellow: Vec<u32>,
    all: Vec<u32>,
}

/// The chart of one trend; `who` names whose clients it counts (for the
/// image's label).
#[component]
pub fn ZoneChart(trend: ZoneTrend, who: String) -> impl IntoView {
    let n = trend.dates.len();
    if n == 0 {
        return ().into_any();
    }
    let last = n - 1;
    let green_yellow = sum(&trend.green, &trend.yellow);
    let stack = Stack {
        all: sum(&green_yellow, &trend.red),
        green: trend.green.clone(),
        green_yellow,
    };
    let max = stack
        .all
        .iter()
        .chain(trend.exchange.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0);
    let (top_value, step) = value_axis(max);

    // The width of the box, measured once drawn and on every resize.
    let width = RwSignal::new(DEFAULT_WIDTH);
    let boxed = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        if let Some(el) = boxed.get_untracked() {
            let w = f64::from(el.client_width()).max(MIN_WIDTH);
            if (w - width.get_untracked()).abs() >= 1.0 {
                width.set(w);
            }
        }
    };
    Effect::new(move |_| {
        if boxed.get().is_some() {
            measure();
        }
    });
    let resized = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resized.remove());
    let geometry = move || Geometry {
        width: width.get(),
        points: n,
        top_value: f64::from(top_value),
    };

    let drawing = {
        let (trend, stack) = (trend.clone(), stack.clone());
        move || {
            let g = geometry();
            let grid = (0..=top_value / step)
                .map(|k| {
                    let v = k * step;
                    let y = g.y(v);
                    view! {
                        <line class="zone-chart__grid" x1=LEFT x2=g.width - RIGHT y1=y y2=y></line>
                        <text class="zone-chart__tick" x=LEFT - 8.0 y=y + 4.0 text-anchor="end">
                            {format::number(u64::from(v))}
                        </text>
                    }
                })
                .collect_view();
            let labels = (0..n)
                .rev()
                .step_by(g.label_every())
                .map(|i| {
                    let anchor = if i == last { "end" } else { "middle" };
                    let x = if i == last {
                        g.x(i) + RIGHT / 2.0
                    } else {
                        g.x(i)
                    };
                    view! {
                        <text class="zone-chart__tick" x=x y=HEIGHT - 8.0 text-anchor=anchor>
                            {format::day_month(Date(trend.dates[i]))}
                        </text>
                    }
                })
                .collect_view();
            let exchange = trend.exchange.as_ref().map(|e| {
                view! { <path class="zone-chart__line zone-chart__line--exchange" d=g.line(e)></path> }
            });
            let zeros = vec![0; n];
            view! {
                {grid}
                <path class="zone-chart__area zone-chart__area--green" d=g.band(&stack.green, &zeros)></path>
                <path class="zone-chart__area zone-chart__area--yellow" d=g.band(&stack.green_yellow, &stack.green)></path>
                <path class="zone-chart__area zone-chart__area--red" d=g.band(&stack.all, &stack.green_yellow)></path>
                <path class="zone-chart__line zone-chart__line--green" d=g.line(&stack.green)></path>
                <path class="zone-chart__line zone-chart__line--yellow" d=g.line(&stack.green_yellow)></path>
                <path class="zone-chart__line zone-chart__line--red" d=g.line(&stack.all)></path>
                {exchange}
                {labels}
            }
        }
    };

    let picked = RwSignal::new(last);
    let marker = move || {
        let g = geometry();
        let i = picked.get();
        let x = g.x(i);
        view! {
            <line class="zone-chart__cursor" x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM></line>
            <circle class="zone-chart__dot zone-chart__dot--green" cx=x cy=g.y(stack.green[i]) r="4"></circle>
            <circle class="zone-chart__dot zone-chart__dot--yellow" cx=x cy=g.y(stack.green_yellow[i]) r="4"></circle>
            <circle class="zone-chart__dot zone-chart__dot--red" cx=x cy=g.y(stack.all[i]) r="4"></circle>
        }
    };
    // The drawing's children take no pointer events (CSS), so the offset
    // is the SVG's own, in the drawing's units.
    let pick_at = move |ev: web_sys::PointerEvent| {
        picked.set(geometry().index_at(f64::from(ev.offset_x())));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let i = picked.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => i.saturating_sub(1),
            "ArrowRight" => (i + 1).min(last),
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        ev.prevent_default();
        picked.set(next);
    };

    let date = |i: usize| format::date(Date(trend.dates[i]));
    let label = (cat().zones_chart_summary)(
        &who,
        &date(0),
        &trend.counts(0),
        &date(last),
        &trend.counts(last),
    );
    let readout = {
        let trend = trend.clone();
        move || {
            let i = picked.get();
            (cat().zones_chart_week)(&format::date(Date(trend.dates[i])), &trend.counts(i))
        }
    };
    let legend_exchange = trend.exchange.is_some().then(|| {
        view! {
            <span class="chart-legend__item">
                <span class="zone-chart__key zone-chart__key--exchange" aria-hidden="true"></span>
                {t!(zone_exchange)}
            </span>
        }
    });
    let hidden_table = {
        let with_exchange = trend.exchange.is_some();
        view! {
            <table class="visually-hidden">
                <caption>{format!("{}: {who}", cat().zones_table_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(zones_col_week)}</th>
                        <th scope="col">{t!(zone_green)}</th>
                        <th scope="col">{t!(zone_yellow)}</th>
                        <th scope="col">{t!(zone_red)}</th>
                        {with_exchange.then(|| view! { <th scope="col">{t!(zone_exchange)}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {(0..n)
                        .map(|i| {
                            let e = trend.exchange.as_ref().map(|e| view! { <td>{e[i]}</td> });
                            view! {
                                <tr>
                                    <th scope="row">{format::date(Date(trend.dates[i]))}</th>
                                    <td>{trend.green[i]}</td>
                                    <td>{trend.yellow[i]}</td>
                                    <td>{trend.red[i]}</td>
                                    {e}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    };

    view! {
        <p class="chart-legend">
            <span class="chart-legend__item">
                <span class="zone-chart__key zone-chart__key--green" aria-hidden="true"></span>
                {t!(zone_green)}
            </span>
            <span class="chart-legend__item">
                <span class="zone-chart__key zone-chart__key--yellow" aria-hidden="true"></span>
                {t!(zone_yellow)}
            </span>
            <span class="chart-legend__item">
                <span class="zone-chart__key zone-chart__key--red" aria-hidden="true"></span>
                {t!(zone_red)}
            </span>
            {legend_exchange}
        </p>
        <div
            class="zone-chart"
            id="zone-chart"
            tabindex="0"
            aria-describedby="zone-chart-hint zone-chart-readout"
            node_ref=boxed
            on:keydown=on_key
        >
            <svg
                class="zone-chart__svg"
                viewBox=move || format!("0 0 {} {HEIGHT}", width.get())
                height=HEIGHT
                role="img"
                aria-label=label
                data-testid="zones-chart"
                on:pointermove=pick_at
                on:pointerdown=pick_at
            >
                {drawing}
                {marker}
            </svg>
        </div>
        <p class="zone-chart__readout" id="zone-chart-readout" aria-live="polite">{readout}</p>
        <p class="visually-hidden" id="zone-chart-hint">{t!(zones_trend_hint)}</p>
        {hidden_table}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_value_axis_ends_on_a_round_number_with_about_four_lines() {
        assert_eq!(value_axis(0), (4, 1));
        assert_eq!(value_axis(23), (30, 10));
        assert_eq!(value_axis(17), (20, 5));
        assert_eq!(value_axis(20_000), (20_000, 5_000));
        assert_eq!(value_axis(20_001), (30_000, 10_000));
    }

    #[wasm_bindgen_test]
    fn a_pointer_picks_the_nearest_date_and_labels_never_crowd() {
        let g = Geometry {
            width: 820.0,
            points: 26,
            top_value: 10.0,
        };
        assert_eq!(g.index_at(0.0), 0);
        assert_eq!(g.index_at(g.x(7) + 3.0), 7);
        assert_eq!(g.index_at(820.0), 25);
        assert_eq!(g.label_every(), 4);
        let wide = Geometry { width: 1100.0, ..g };
        assert_eq!(wide.label_every(), 2);
    }
}
