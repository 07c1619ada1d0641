//! A window onto a long list of fixed-height rows: only the rows on
//! screen (and a few around them) are rendered, so tens of thousands of
//! clients scroll as smoothly as ten. The list and the exchange use it.

use std::ops::Range;

use leptos::html;
use leptos::prelude::*;

/// Rows rendered above and below the visible ones, so fast scrolling does
/// not show blanks.
const OVERSCAN: usize = 8;

/// The scrolled viewport and which rows of it are to be rendered.
#[derive(Clone, Copy)]
pub struct VirtualRows {
    /// The scrolling element (give it `node_ref` and `on:scroll`).
    pub viewport: NodeRef<html::Div>,
    scroll_top: RwSignal<f64>,
    height: RwSignal<f64>,
    row_height: f64,
}

impl VirtualRows {
    /// A window over rows `row_height` px high (must equal the CSS).
    pub fn new(row_height: f64) -> VirtualRows {
        let rows = VirtualRows {
            viewport: NodeRef::new(),
            scroll_top: RwSignal::new(0.0),
            height: RwSignal::new(800.0),
            row_height,
        };
        Effect::new(move |_| {
            if let Some(el) = rows.viewport.get() {
                rows.height.set(f64::from(el.client_height().max(200)));
            }
        });
        rows
    }

    /// The rows to render out of `len`.
    pub fn range(&self, len: usize) -> Range<usize> {
        let first = ((self.scroll_top.get() / self.row_height) as usize).saturating_sub(OVERSCAN);
        let count = (self.height.get() / self.row_height).ceil() as usize + 2 * OVERSCAN;
        first.min(len)..(first + count).min(len)
    }

    /// The viewport's scroll handler.
    pub fn on_scroll(self) -> impl Fn(leptos::ev::Event) + Copy + 'static {
        let rows = self;
        move |_| {
            if let Some(el) = rows.viewport.get_untracked() {
                rows.scroll_top.set(f64::from(el.scroll_top()));
                rows.height.set(f64::from(el.client_height()));
            }
        }
    }

    /// Back to the first row (a new filter).
    pub fn to_top(&self) {
        if let Some(el) = self.viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        self.scroll_top.set(0.0);
    }

    /// Scrolls so that row `i` is in view.
    pub fn reveal(&self, i: usize) {
        let Some(el) = self.viewport.get_untracked() else {
            return;
        };
        let top = i as f64 * self.row_height;
        let view_top = f64::from(el.scroll_top());
        let view_height = f64::from(el.client_height());
        if top < view_top {
            el.set_scroll_top(top as i32);
        } else if top + self.row_height > view_top + view_height {
            el.set_scroll_top((top + self.row_height - view_height) as i32);
        }
    }
}
