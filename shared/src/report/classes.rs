//! ABC and XYZ classes of clients by revenue (SPEC 8), the one definition
//! the app's report and `kartoteka evaluate --classes` both run.
//!
//! - Revenue is the sum of payments in kopecks per calendar month over the
//!   12 whole months before the month of the evaluation date ([`Window`]):
//!   for any day of November 2026, November 2025 to October 2026. A client
//!   with no revenue there has no class.
//! - ABC: clients with revenue, by revenue descending, then by id. A client
//!   is A if the revenue of the clients before it is below the first
//!   threshold's share of the total (so the one that crosses 80% is still
//!   A), else B if below the second, else C.
//! - XYZ: the coefficient of variation of the 12 monthly sums (months with
//!   no payment count as 0), population standard deviation over the mean:
//!   X if at most the first threshold, Y if at most the second, else Z.
//!
//! Every comparison is exact, in integers: a share near a threshold must
//! not land in one class on one device and in the other on another because
//! of floating-point rounding. The XYZ test `CV <= p%` is rewritten as
//! `10000 · Σ(12·xᵢ − S)² <= 12 · p² · S²` (S the 12 months' total), whose
//! sides need up to 160 bits; [`U256`] holds them.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::client::{ClientDoc, Money};

/// How many months the revenue is summed over.
pub const MONTHS: usize = 12;

/// The 12 whole calendar months before the month of an evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first month, as `year * 12 + month0`.
    first: i32,
}

fn month_number(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

fn first_of(month: i32) -> NaiveDate {
    // `month` comes from a NaiveDate, so the year is in chrono's range and
    // the first of the month exists.
    NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(NaiveDate::MIN)
}

impl Window {
    /// The window of an evaluation on `as_of`.
    pub fn before(as_of: NaiveDate) -> Window {
        Window {
            first: month_number(as_of) - MONTHS as i32,
        }
    }

    /// Which of the 12 months (0 is the oldest) `date` falls in, if any.
    pub fn month_of(self, date: NaiveDate) -> Option<usize> {
        let k = month_number(date) - self.first;
        (0..MONTHS as i32).contains(&k).then_some(k as usize)
    }

    /// The first day of the `k`-th month (0 the oldest), for labels.
    pub fn month_start(self, k: usize) -> NaiveDate {
        first_of(self.first + k.min(MONTHS - 1) as i32)
    }

    /// The first day of the window.
    pub fn first_day(self) -> NaiveDate {
        self.month_start(0)
    }

    /// The last day of the window: the day before the month of the
    /// evaluation date.
    pub fn last_day(self) -> NaiveDate {
        first_of(self.first + MONTHS as i32)
            .pred_opt()
            .unwrap_or(NaiveDate::MIN)
    }
}

/// Why a client's payments give no revenue figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RevenueError {
    /// Revenue is a sum of payments; a negative one is not a payment.
    #[error("payment number {index} has a negative amount ({kopecks} kopecks)")]
    Negative { index: usize, kopecks: i64 },
    /// More than about 1.8·10¹⁷ roubles in one month: not a real figure.
    #[error("the payments of the month beginning {month} add up to more than can be counted")]
    TooLarge { month: NaiveDate },
}

/// A client's revenue per month of a [`Window`], in kopecks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revenue {
    months: [u64; MONTHS],
}

impl Revenue {
    /// Monthly sums given directly (0 the oldest month), e.g. in tests.
    pub fn from_months(months: [u64; MONTHS]) -> Revenue {
        Revenue { months }
    }

    /// Adds one payment; payments outside the window are ignored. `index`
    /// only names the payment in an error.
    pub fn add(
        &mut self,
        window: Window,
        index: usize,
        date: NaiveDate,
        amount: Money,
    ) -> Result<(), RevenueError> {
        let kopecks = u64::try_from(amount.0).map_err(|_| RevenueError::Negative {
            index,
            kopecks: amount.0,
        })?;
        if let Some(k) = window.month_of(date) {
            self.months[k] = self.months[k]
                .checked_add(kopecks)
                .ok_or(RevenueError::TooLarge {
                    month: window.month_start(k),
                })?;
        }
        Ok(())
    }

    /// The revenue of these payments (date, amount) in the window.
    pub fn of(
        window: Window,
        payments: impl IntoIterator<Item = (NaiveDate, Money)>,
    ) -> Result<Revenue, RevenueError> {
        let mut r = Revenue::default();
        for (index, (date, amount)) in payments.into_iter().enumerate() {
            r.add(window, index, date, amount)?;
        }
        Ok(r)
    }

    /// The revenue of a client document's payments (numbered in the order
    /// of [`ClientDoc::payments_in_fact_order`]).
    pub fn of_doc(doc: &ClientDoc, window: Window) -> Result<Revenue, RevenueError> {
        Revenue::of(
            window,
            doc.payments_in_fact_order()
                .into_iter()
                .map(|p| (p.date.naive(), p.amount)),
        )
    }

    /// The 12 monthly sums in kopecks, oldest first.
    pub fn months(&self) -> &[u64; MONTHS] {
        &self.months
    }

    /// The 12 months' total in kopecks.
    pub fn total(&self) -> u128 {
        self.months.iter().map(|&m| u128::from(m)).sum()
    }

    /// Whether there is no revenue (then there is no class).
    pub fn is_empty(&self) -> bool {
        self.months.iter().all(|&m| m == 0)
    }

    /// The XYZ class (SPEC 8); `None` with no revenue.
    pub fn xyz(&self, thresholds: &ClassThresholds) -> Option<Xyz> {
        let s = self.total();
        if s == 0 {
            return None;
        }
        // Each month < 2^64, so S < 2^68 and |12·x − S| < 2^68;
        // (100·d)² < 2^150 and twelve of them < 2^154. On the right,
        // p <= 1000 < 2^10 gives p·S < 2^78 and 12·p·S < 2^82, a product
        // < 2^160. Nothing overflows a u128 before the widening multiply.
        let mut spread = U256::ZERO;
        for &x in &self.months {
            let d = (12 * u128::from(x)).abs_diff(s) * 100;
            spread = spread.add(U256::mul(d, d));
        }
        let within = |p: u32| {
            let ps = u128::from(p) * s;
            spread <= U256::mul(ps, 12 * ps)
        };
        let [x, y] = thresholds.xyz;
        Some(if within(x) {
            Xyz::X
        } else if within(y) {
            Xyz::Y
        } else {
            Xyz::Z
        })
    }

    /// The coefficient of variation in percent, for display only (the
    /// class is decided exactly by [`Revenue::xyz`]); `None` with no
    /// revenue.
    pub fn variation_percent(&self) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let mean = total as f64 / MONTHS as f64;
        let variance = self
            .months
            .iter()
            .map(|&m| (m as f64 - mean).powi(2))
            .sum::<f64>()
            / MONTHS as f64;
        Some(variance.sqrt() / mean * 100.0)
    }
}

/// An unsigned 256-bit number, just enough for the XYZ comparison: the
/// product of two u128, sums and order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct U256 {
    // Field order matters: the derived order compares `hi` first.
    hi: u128,
    lo: u128,
}

impl U256 {
    const ZERO: U256 = U256 { hi: 0, lo: 0 };

    /// `a · b`, exactly.
    fn mul(a: u128, b: u128) -> U256 {
        const HALF: u32 = 64;
        let mask = u128::from(u64::MAX);
        let (a0, a1) = (a & mask, a >> HALF);
        let (b0, b1) = (b & mask, b >> HALF);
        // a·b = p11·2^128 + (p01 + p10)·2^64 + p00, each partial < 2^128.
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        let (mid, mid_carry) = p01.overflowing_add(p10);
        let (lo, lo_carry) = p00.overflowing_add(mid << HALF);
        let hi = p11 + (mid >> HALF) + (u128::from(mid_carry) << HALF) + u128::from(lo_carry);
        U256 { hi, lo }
    }

    /// `self + other`; the callers' bounds keep it below 2^256.
    fn add(self, other: U256) -> U256 {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        U256 {
            hi: self.hi + other.hi + u128::from(carry),
            lo,
        }
    }
}

/// The ABC class: A the clients that make the first 80% of revenue, B the
/// next 15%, C the rest (with the default thresholds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Abc {
    A,
    B,
    C,
}

/// The XYZ class: X steady monthly revenue (variation at most 10%), Y
/// fluctuating (at most 25%), Z irregular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Xyz {
    X,
    Y,
    Z,
}

impl Abc {
    /// Every class, A first.
    pub const ALL: [Abc; 3] = [Abc::A, Abc::B, Abc::C];

    /// The class as written in files and on the command line: `"A"`.
    pub fn id(self) -> &'static str {
        match self {
            Abc::A => "A",
            Abc::B => "B",
            Abc::C => "C",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl Xyz {
    /// Every class, X first.
    pub const ALL: [Xyz; 3] = [Xyz::X, Xyz::Y, Xyz::Z];

    /// The class as written in files and on the command line: `"X"`.
    pub fn id(self) -> &'static str {
        match self {
            Xyz::X => "X",
            Xyz::Y => "Y",
            Xyz::Z => "Z",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A client's two classes; ordered AX first, CZ last (a class column
/// sorted ascending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Classes {
    pub abc: Abc,
    pub xyz: Xyz,
}

/// Why class thresholds cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error(
        "the ABC thresholds must be two whole percentages rising from above 0 to below 100, such as 80 and 95 (given {0} and {1})"
    )]
    Abc(u32, u32),
    #[error(
        "the XYZ thresholds must be two whole percentages rising from 0 to at most 1000, such as 10 and 25 (given {0} and {1})"
    )]
    Xyz(u32, u32),
}

/// The largest XYZ threshold: the variation of 12 months is at most
/// √11 ≈ 332%, so a larger one means "never Z"; the bound keeps the exact
/// arithmetic within 160 bits.
pub const MAX_XYZ_PERCENT: u32 = 1000;

/// Checked ABC and XYZ thresholds in percent (SPEC 8, `abc_percent` and
/// `xyz_percent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassThresholds {
    abc: [u32; 2],
    xyz: [u32; 2],
}

impl ClassThresholds {
    /// A = 80%, B = the next 15%, C = the last 5%.
    pub const DEFAULT_ABC: [u32; 2] = [80, 95];
    /// X up to 10%, Y up to 25%, Z above.
    pub const DEFAULT_XYZ: [u32; 2] = [10, 25];

    /// The thresholds if they make three classes each: ABC `0 < a < b <
    /// 100`, XYZ `0 <= x < y <= 1000`.
    pub fn new(abc: [u32; 2], xyz: [u32; 2]) -> Result<ClassThresholds, ThresholdError> {
        let [a, b] = abc;
        if a == 0 || a >= b || b >= 100 {
            return Err(ThresholdError::Abc(a, b));
        }
        let [x, y] = xyz;
        if x >= y || y > MAX_XYZ_PERCENT {
            return Err(ThresholdError::Xyz(x, y));
        }
        Ok(ClassThresholds { abc, xyz })
    }

    /// The ABC thresholds.
    pub fn abc(&self) -> [u32; 2] {
        self.abc
    }

    /// The XYZ thresholds.
    pub fn xyz(&self) -> [u32; 2] {
        self.xyz
    }
}

impl Default for ClassThresholds {
    fn default() -> Self {
        ClassThresholds {
            abc: Self::DEFAULT_ABC,
            xyz: Self::DEFAULT_XYZ,
        }
    }
}

/// Every client's classes, in the order given: `None` for a client with no
/// revenue. `clients` pairs each client's id (ties in revenue go by id) with
/// its revenue in one [`Window`].
pub fn classify<S: AsRef<str>>(
    clients: &[(S, Revenue)],
    thresholds: &ClassThresholds,
) -> Vec<Option<Classes>> {
    let totals: Vec<u128> = clients.iter().map(|(_, r)| r.total()).collect();
    let mut order: Vec<usize> = (0..clients.len()).filter(|&i| totals[i] > 0).collect();
    order.sort_unstable_by(|&a, &b| {
        totals[b]
            .cmp(&totals[a])
            .then_with(|| clients[a].0.as_ref().cmp(clients[b].0.as_ref()))
            .then_with(|| a.cmp(&b))
    });
    // Below 2^68 per client and far fewer than 2^32 clients: the sums and
    // the percentages of them stay below 2^107.
    let total: u128 = order.iter().map(|&i| totals[i]).sum();
    let [a, b] = thresholds.abc;
    let below = |before: u128, p: u32| before * 100 < u128::from(p) * total;
    let mut out = vec![None; clients.len()];
    let mut before = 0u128;
    for i in order {
        let abc = if below(before, a) {
            Abc::A
        } else if below(before, b) {
            Abc::B
        } else {
            Abc::C
        };
        out[i] = clients[i].1.xyz(thresholds).map(|xyz| Classes { abc, xyz });
        before += totals[i];
    }
    out
}

/// One cell of the ABC×XYZ matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatrixCell {
    pub clients: u32,
    /// Their revenue over the window, in kopecks.
    pub revenue: u128,
}

impl MatrixCell {
    fn add(&mut self, revenue: u128) {
        self.clients += 1;
        self.revenue += revenue;
    }

    fn merge(&mut self, other: MatrixCell) {
        self.clients += other.clients;
        self.revenue += other.revenue;
    }

    /// The revenue in roubles, for display.
    pub fn roubles(&self) -> f64 {
        self.revenue as f64 / 100.0
    }
}

/// The ABC×XYZ matrix: how many clients and how much revenue in each pair
/// of classes, and how many clients have no class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassMatrix {
    /// `cells[abc][xyz]`, A and X first.
    cells: [[MatrixCell; 3]; 3],
    /// Clients with no revenue in the window.
    pub unclassified: u32,
}

impl ClassMatrix {
    /// Counts one client.
    pub fn add(&mut self, classes: Option<Classes>, revenue: &Revenue) {
        match classes {
            Some(c) => self.cells[c.abc.index()][c.xyz.index()].add(revenue.total()),
            None => self.unclassified += 1,
        }
    }

    /// The cell of a pair of classes.
    pub fn cell(&self, abc: Abc, xyz: Xyz) -> MatrixCell {
        self.cells[abc.index()][xyz.index()]
    }

    /// A row: every client of one ABC class.
    pub fn abc_total(&self, abc: Abc) -> MatrixCell {
        let mut t = MatrixCell::default();
        for xyz in Xyz::ALL {
            t.merge(self.cell(abc, xyz));
        }
        t
    }

    /// A column: every client of one XYZ class.
    pub fn xyz_total(&self, xyz: Xyz) -> MatrixCell {
        let mut t = MatrixCell::default();
        for abc in Abc::ALL {
            t.merge(self.cell(abc, xyz));
        }
        t
    }

    /// Every classified client.
    pub fn total(&self) -> MatrixCell {
        let mut t = MatrixCell::default();
        for abc in Abc::ALL {
            t.merge(self.abc_total(abc));
        }
        t
    }
}

/// The matrix of the whole base and of each manager's clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixReport<M> {
    pub overall: ClassMatrix,
    /// By responsible manager; `None` holds the clients with no manager
    /// (in the exchange or a pool).
    pub by_manager: BTreeMap<Option<M>, ClassMatrix>,
}

/// The ABC×XYZ matrices of a base: each row is a client's manager, classes
/// (from [`classify`]) and revenue.
pub fn matrix<'r, M: Ord>(
    rows: impl IntoIterator<Item = (Option<M>, Option<Classes>, &'r Revenue)>,
) -> MatrixReport<M> {
    let mut report = MatrixReport {
        overall: ClassMatrix::default(),
        by_manager: BTreeMap::new(),
    };
    for (manager, classes, revenue) in rows {
        report.overall.add(classes, revenue);
        report
            .by_manager
            .entry(manager)
            .or_default()
            .add(classes, revenue);
    }
    report
}

/// Which classes a client list shows (a matrix cell, a row, a column, or
/// everybody); `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassFilter {
    pub abc: Option<Abc>,
    pub xyz: Option<Xyz>,
}

impl ClassFilter {
    /// Whether a client with these classes is shown. A filter on a class
    /// leaves out clients with no class.
    pub fn admits(&self, classes: Option<Classes>) -> bool {
        match classes {
            Some(c) => self.abc.is_none_or(|a| a == c.abc) && self.xyz.is_none_or(|x| x == c.xyz),
            None => self.abc.is_none() && self.xyz.is_none(),
        }
    }
}

#[cfg(test)]
mod tests;
