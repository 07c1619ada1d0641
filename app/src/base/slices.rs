//! Work over the whole base without freezing the page: the items are taken
//! a slice of a few milliseconds at a time, with the browser free to paint
//! and to handle input between slices, so no main-thread task comes near
//! the 50 ms that people feel as a stall.
//!
//! Used by every whole-base pass that is not an index build: the derived
//! statuses and zones ([`super::derived`]) and the zones dashboard
//! (`pages::zones`).

use crate::io::platform::{mark, measure, performance_now, yield_now};

/// The main thread is given back after this much work (ms).
pub const SLICE_MS: f64 = 12.0;

/// How many items are done between two looks at the clock.
const ITEMS_PER_LOOK: usize = 64;

/// The pass was given up (a newer one started meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// Calls `work` on every item, a slice of at most about [`SLICE_MS`] at a
/// time, yielding to the browser between slices. Each slice is recorded
/// as the performance measure `{name}-slice` (between the marks
/// `{name}-slice-start` and `{name}-slice-end`), so the benchmarks can
/// show the longest. After each yield `wanted` is asked whether the pass
/// is still wanted; if not, it stops there. Returns the number of slices.
pub async fn for_each<T>(
    items: &[T],
    name: &str,
    mut work: impl FnMut(&T),
    wanted: impl Fn() -> bool,
) -> Result<u32, Stopped> {
    let (start, end, slice) = (
        format!("{name}-slice-start"),
        format!("{name}-slice-end"),
        format!("{name}-slice"),
    );
    let mut slices = 0;
    let mut rest = items;
    while !rest.is_empty() {
        mark(&start);
        let started = performance_now();
        let mut done = 0;
        for item in rest {
            work(item);
            done += 1;
            if done % ITEMS_PER_LOOK == 0 && performance_now() - started > SLICE_MS {
                break;
            }
        }
        rest = &rest[done..];
        slices += 1;
        mark(&end);
        measure(&slice, &start, &end);
        if !rest.is_empty() {
            yield_now().await;
            if !wanted() {
                return Err(Stopped);
            }
        }
    }
    Ok(slices)
}
