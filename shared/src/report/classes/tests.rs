//! ABC and XYZ at their boundaries, and against a reference written with
//! plain fractions.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Revenue of `kopecks` in one month (the latest) only.
fn once(kopecks: u64) -> Revenue {
    let mut m = [0; MONTHS];
    m[MONTHS - 1] = kopecks;
    Revenue::from_months(m)
}

/// Revenue of `kopecks` every month.
fn flat(kopecks: u64) -> Revenue {
    Revenue::from_months([kopecks; MONTHS])
}

/// Six months at `mean + dev` and six at `mean - dev`: the variation is
/// exactly `dev / mean`.
fn swinging(mean: u64, dev: u64) -> Revenue {
    let mut m = [mean - dev; MONTHS];
    for x in m.iter_mut().step_by(2) {
        *x = mean + dev;
    }
    Revenue::from_months(m)
}

fn abc_of(clients: &[(&str, Revenue)]) -> Vec<Option<Abc>> {
    classify(clients, &ClassThresholds::default())
        .into_iter()
        .map(|c| c.map(|c| c.abc))
        .collect()
}

fn xyz_of(r: Revenue) -> Option<Xyz> {
    r.xyz(&ClassThresholds::default())
}

#[test]
fn the_window_is_the_twelve_whole_months_before_the_month_of_the_date() {
    let w = Window::before(d("2026-11-22"));
    assert_eq!(
        (w.first_day(), w.last_day()),
        (d("2025-11-01"), d("2026-10-31"))
    );
    assert_eq!(w.month_of(d("2025-11-01")), Some(0));
    assert_eq!(w.month_of(d("2026-10-31")), Some(11));
    assert_eq!(w.month_of(d("2025-10-31")), None);
    assert_eq!(w.month_of(d("2026-11-01")), None);
    // On the first of a month the window does not move.
    assert_eq!(Window::before(d("2026-11-01")), w);
    // In January the window is the whole previous year.
    let w = Window::before(d("2026-01-15"));
    assert_eq!(
        (w.first_day(), w.last_day()),
        (d("2025-01-01"), d("2025-12-31"))
    );
    assert_eq!(w.month_start(1), d("2025-02-01"));
}

#[test]
fn payments_outside_the_twelve_months_are_ignored_and_kopecks_are_exact() {
    let w = Window::before(d("2026-11-22"));
    let r = Revenue::of(
        w,
        [
            (d("2025-10-31"), Money(100_000)), // before the window
            (d("2025-11-01"), Money(12_345)),  // first day: 123.45
            (d("2025-11-30"), Money(5)),       // 0.05 in the same month
            (d("2026-10-31"), Money(99)),      // last day
            (d("2026-11-01"), Money(700_000)), // the month of the date
            (d("2026-11-22"), Money(700_000)),
        ],
    )
    .unwrap();
    let mut expected = [0; MONTHS];
    expected[0] = 12_350;
    expected[11] = 99;
    assert_eq!(r.months(), &expected);
    assert_eq!(r.total(), 12_449);
}

#[test]
fn a_negative_payment_is_refused_naming_it() {
    let w = Window::before(d("2026-11-22"));
    let e = Revenue::of(
        w,
        [(d("2026-01-05"), Money(100)), (d("2026-02-05"), Money(-1))],
    )
    .unwrap_err();
    assert_eq!(
        e,
        RevenueError::Negative {
            index: 1,
            kopecks: -1
        }
    );
    // Even outside the window: the figure is wrong, not just unused.
    assert!(Revenue::of(w, [(d("2020-01-05"), Money(-1))]).is_err());
}

#[test]
fn a_client_without_revenue_in_the_window_has_no_class() {
    let clients = [("a", once(100)), ("b", Revenue::default())];
    let classes = classify(&clients, &ClassThresholds::default());
    assert!(classes[0].is_some());
    assert_eq!(classes[1], None);
    assert_eq!(xyz_of(Revenue::default()), None);
}

#[test]
fn the_client_that_reaches_exactly_80_percent_before_it_is_b() {
    // Before "b": 80 of 100, exactly 80% — not below it, so B; before "c":
    // exactly 95%, so C.
    let clients = [("a", once(80)), ("b", once(15)), ("c", once(5))];
    assert_eq!(abc_of(&clients), [Some(Abc::A), Some(Abc::B), Some(Abc::C)]);
}

#[test]
fn the_client_that_crosses_80_percent_is_still_a() {
    // Before "b": 70% (below 80), after it 90%: it crosses, it is A.
    let clients = [("a", once(70)), ("b", once(20)), ("c", once(10))];
    assert_eq!(abc_of(&clients), [Some(Abc::A), Some(Abc::A), Some(Abc::B)]);
    // One kopeck less before "b" and it is still A; one more and it is B.
    let clients = [("a", once(7_999)), ("b", once(1_001)), ("c", once(1_000))];
    assert_eq!(abc_of(&clients)[1], Some(Abc::A));
    let clients = [("a", once(8_000)), ("b", once(1_000)), ("c", once(1_000))];
    assert_eq!(abc_of(&clients)[1], Some(Abc::B));
}

#[test]
fn a_tie_in_revenue_is_ordered_by_id_whatever_the_input_order() {
    // 70 first, then three clients of 10: "x" has 70% before it (A), "y"
    // 80% (B), "z" 90% (B).
    let ids = |clients: &[(&str, Revenue)]| -> Vec<(String, Option<Abc>)> {
        let mut v: Vec<_> = clients
            .iter()
            .zip(abc_of(clients))
            .map(|((id, _), c)| ((*id).to_owned(), c))
            .collect();
        v.sort();
        v
    };
    let forward = [
        ("big", once(70)),
        ("x", once(10)),
        ("y", once(10)),
        ("z", once(10)),
    ];
    let backward = [
        ("z", once(10)),
        ("y", once(10)),
        ("x", once(10)),
        ("big", once(70)),
    ];
    let expected = vec![
        ("big".to_owned(), Some(Abc::A)),
        ("x".to_owned(), Some(Abc::A)),
        ("y".to_owned(), Some(Abc::B)),
        ("z".to_owned(), Some(Abc::B)),
    ];
    assert_eq!(ids(&forward), expected);
    assert_eq!(ids(&backward), expected);
}

#[test]
fn a_single_client_is_a_and_so_is_a_client_with_most_of_the_revenue() {
    assert_eq!(abc_of(&[("a", once(1))]), [Some(Abc::A)]);
    assert_eq!(
        abc_of(&[("a", flat(1_000_000)), ("b", once(1))]),
        [Some(Abc::A), Some(Abc::C)]
    );
}

#[test]
fn revenue_in_one_month_only_is_z_and_equal_months_are_x() {
    // The variation of one month in twelve is √11 ≈ 332%.
    assert_eq!(xyz_of(once(1)), Some(Xyz::Z));
    assert_eq!(xyz_of(once(u64::MAX)), Some(Xyz::Z));
    let r = once(50_000).variation_percent().unwrap();
    assert!((r - 11f64.sqrt() * 100.0).abs() < 1e-9, "{r}");
    assert_eq!(xyz_of(flat(1)), Some(Xyz::X));
    assert_eq!(xyz_of(flat(u64::MAX)), Some(Xyz::X));
    // Equal months are X even with an X threshold of 0%.
    let strict = ClassThresholds::new([80, 95], [0, 25]).unwrap();
    assert_eq!(flat(12_345).xyz(&strict), Some(Xyz::X));
    assert_eq!(swinging(1_000, 1).xyz(&strict), Some(Xyz::Y));
}

#[test]
fn a_variation_of_exactly_10_percent_is_x_and_a_hair_above_is_y() {
    assert_eq!(xyz_of(swinging(100, 10)), Some(Xyz::X));
    assert_eq!(xyz_of(swinging(1_000_000_000, 100_000_000)), Some(Xyz::X));
    // 10.0000001%: floating point would call it 10.
    assert_eq!(xyz_of(swinging(1_000_000_000, 100_000_001)), Some(Xyz::Y));
    assert_eq!(xyz_of(swinging(1_000_000_000, 99_999_999)), Some(Xyz::X));
}

#[test]
fn a_variation_of_exactly_25_percent_is_y_and_a_hair_above_is_z() {
    assert_eq!(xyz_of(swinging(100, 25)), Some(Xyz::Y));
    assert_eq!(xyz_of(swinging(4_000_000_000, 1_000_000_000)), Some(Xyz::Y));
    assert_eq!(xyz_of(swinging(4_000_000_000, 1_000_000_001)), Some(Xyz::Z));
}

#[test]
fn thresholds_are_checked() {
    assert!(ClassThresholds::new([80, 95], [10, 25]).is_ok());
    assert!(ClassThresholds::new([50, 99], [0, 1000]).is_ok());
    for abc in [[0, 95], [95, 80], [80, 80], [80, 100], [80, 150]] {
        assert_eq!(
            ClassThresholds::new(abc, [10, 25]),
            Err(ThresholdError::Abc(abc[0], abc[1])),
            "{abc:?}"
        );
    }
    for xyz in [[25, 10], [10, 10], [10, 1001]] {
        assert_eq!(
            ClassThresholds::new([80, 95], xyz),
            Err(ThresholdError::Xyz(xyz[0], xyz[1])),
            "{xyz:?}"
        );
    }
    let t = ClassThresholds::new([70, 90], [5, 50]).unwrap();
    assert_eq!((t.abc(), t.xyz()), ([70, 90], [5, 50]));
    // Other thresholds move the classes: 75% before "b" is A by default,
    // B with A up to 70%.
    let clients = [("a", once(75)), ("b", once(20)), ("c", once(5))];
    assert_eq!(abc_of(&clients)[1], Some(Abc::A));
    let c = classify(&clients, &t);
    assert_eq!(c[1].map(|c| c.abc), Some(Abc::B));
    assert_eq!(swinging(100, 30).xyz(&t), Some(Xyz::Y));
}

#[test]
fn the_wide_product_is_exact_at_the_top_of_the_range() {
    let max = u128::MAX;
    // (2^128 − 1)² = 2^256 − 2^129 + 1.
    assert_eq!(U256::mul(max, max), U256 { hi: max - 1, lo: 1 });
    assert_eq!(U256::mul(1 << 64, 1 << 64), U256 { hi: 1, lo: 0 });
    assert_eq!(
        U256::mul(12_345, 678),
        U256 {
            hi: 0,
            lo: 8_369_910
        }
    );
    let sum = U256 { hi: 0, lo: max }.add(U256 { hi: 0, lo: 1 });
    assert_eq!(sum, U256 { hi: 1, lo: 0 });
    assert!(U256 { hi: 1, lo: 0 } > U256 { hi: 0, lo: max });
}

#[test]
fn the_matrix_counts_clients_and_revenue_per_cell_overall_and_per_manager() {
    let clients = [
        ("a", flat(100)),       // 1200, X
        ("b", once(1_000)),     // Z
        ("c", swinging(10, 2)), // 120, Y
        ("d", Revenue::default()),
    ];
    let classes = classify(&clients, &ClassThresholds::default());
    let managers = [Some("m1"), Some("m1"), Some("m2"), None];
    let report = matrix(
        clients
            .iter()
            .zip(&classes)
            .zip(managers)
            .map(|(((_, r), c), m)| (m, *c, r)),
    );
    // 1200 of 2320 before anyone: A; 1000 after 1200 (51.7% before): A;
    // 120 after 2200 (94.8% before): B.
    assert_eq!(
        report.overall.cell(Abc::A, Xyz::X),
        MatrixCell {
            clients: 1,
            revenue: 1_200
        }
    );
    assert_eq!(report.overall.cell(Abc::A, Xyz::Z).clients, 1);
    assert_eq!(report.overall.cell(Abc::B, Xyz::Y).revenue, 120);
    assert_eq!(report.overall.unclassified, 1);
    assert_eq!(
        report.overall.abc_total(Abc::A),
        MatrixCell {
            clients: 2,
            revenue: 2_200
        }
    );
    assert_eq!(report.overall.xyz_total(Xyz::Y).clients, 1);
    assert_eq!(report.overall.total().revenue, 2_320);
    assert_eq!(report.by_manager[&Some("m1")].total().clients, 2);
    assert_eq!(
        report.by_manager[&Some("m2")].cell(Abc::B, Xyz::Y).clients,
        1
    );
    assert_eq!(report.by_manager[&None].unclassified, 1);
    // A cell's list is the clients its filter admits.
    let cell = ClassFilter {
        abc: Some(Abc::A),
        xyz: Some(Xyz::Z),
    };
    let listed: Vec<&str> = clients
        .iter()
        .zip(&classes)
        .filter(|(_, c)| cell.admits(**c))
        .map(|((id, _), _)| *id)
        .collect();
    assert_eq!(listed, ["b"]);
    let row = ClassFilter {
        abc: Some(Abc::A),
        xyz: None,
    };
    assert_eq!(classes.iter().filter(|c| row.admits(**c)).count(), 2);
    assert_eq!(
        classes
            .iter()
            .filter(|c| ClassFilter::default().admits(**c))
            .count(),
        4
    );
}

#[test]
fn the_demo_base_gets_every_abc_class_in_the_spec_proportions() {
    let today = crate::date::Date::from_ymd(2026, 11, 22).unwrap();
    let demo = crate::demo::generate(300, today, 1);
    let w = Window::before(today.naive());
    let clients: Vec<(String, Revenue)> = demo
        .clients
        .iter()
        .map(|c| (c.id.to_string(), Revenue::of_doc(c, w).unwrap()))
        .collect();
    let classes = classify(&clients, &ClassThresholds::default());
    let total: u128 = clients.iter().map(|(_, r)| r.total()).sum();
    assert!(total > 0);
    let a: u128 = clients
        .iter()
        .zip(&classes)
        .filter(|(_, c)| c.is_some_and(|c| c.abc == Abc::A))
        .map(|((_, r), _)| r.total())
        .sum();
    // A holds at least 80% of the revenue, and less than 80% plus its
    // smallest member.
    assert!(a * 100 >= total * 80, "{a} of {total}");
    for abc in Abc::ALL {
        assert!(classes.iter().any(|c| c.is_some_and(|c| c.abc == abc)));
    }
}

/// A fraction in lowest terms with a positive denominator.
#[derive(Debug, Clone, Copy)]
struct Ratio {
    n: i128,
    d: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Ratio {
    fn new(n: i128, d: i128) -> Ratio {
        let g = gcd(n, d).max(1) * d.signum();
        Ratio { n: n / g, d: d / g }
    }
    fn int(n: i128) -> Ratio {
        Ratio::new(n, 1)
    }
    fn add(self, o: Ratio) -> Ratio {
        Ratio::new(self.n * o.d + o.n * self.d, self.d * o.d)
    }
    fn sub(self, o: Ratio) -> Ratio {
        Ratio::new(self.n * o.d - o.n * self.d, self.d * o.d)
    }
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.n * o.n, self.d * o.d)
    }
    fn div(self, o: Ratio) -> Ratio {
        Ratio::new(self.n * o.d, self.d * o.n)
    }
    fn le(self, o: Ratio) -> bool {
        self.n * o.d <= o.n * self.d
    }
    fn lt(self, o: Ratio) -> bool {
        self.n * o.d < o.n * self.d
    }
}

/// SPEC 8 read literally, with fractions: the mean, the population
/// variance, CV² against p².
fn reference_xyz(months: &[u64; MONTHS], t: &ClassThresholds) -> Option<Xyz> {
    let total: i128 = months.iter().map(|&m| i128::from(m)).sum();
    if total == 0 {
        return None;
    }
    let mean = Ratio::new(total, MONTHS as i128);
    let variance = months
        .iter()
        .map(|&m| Ratio::int(i128::from(m)).sub(mean))
        .fold(Ratio::int(0), |acc, dev| acc.add(dev.mul(dev)))
        .div(Ratio::int(MONTHS as i128));
    let cv2 = variance.div(mean.mul(mean));
    let at_most = |p: u32| cv2.le(Ratio::new(i128::from(p * p), 10_000));
    let [x, y] = t.xyz();
    Some(if at_most(x) {
        Xyz::X
    } else if at_most(y) {
        Xyz::Y
    } else {
        Xyz::Z
    })
}

/// SPEC 8's ABC read literally: sort, then the share before each client.
fn reference_abc(clients: &[(String, [u64; MONTHS])], t: &ClassThresholds) -> Vec<Option<Abc>> {
    let total = |m: &[u64; MONTHS]| m.iter().map(|&x| i128::from(x)).sum::<i128>();
    let mut order: Vec<usize> = (0..clients.len())
        .filter(|&i| total(&clients[i].1) > 0)
        .collect();
    order.sort_by(|&a, &b| {
        total(&clients[b].1)
            .cmp(&total(&clients[a].1))
            .then(clients[a].0.cmp(&clients[b].0))
    });
    let all: i128 = order.iter().map(|&i| total(&clients[i].1)).sum();
    let mut out = vec![None; clients.len()];
    let mut before = 0;
    let [a, b] = t.abc();
    for i in order {
        let share = Ratio::new(before, all);
        out[i] = Some(if share.lt(Ratio::new(i128::from(a), 100)) {
            Abc::A
        } else if share.lt(Ratio::new(i128::from(b), 100)) {
            Abc::B
        } else {
            Abc::C
        });
        before += total(&clients[i].1);
    }
    out
}

/// Monthly sums that hit the boundaries often: many zeros, repeats and
/// small swings around a common level.
fn months() -> impl Strategy<Value = [u64; MONTHS]> {
    prop_oneof![
        prop::array::uniform12(prop_oneof![Just(0u64), 1u64..5, 90u64..=110]),
        prop::array::uniform12(0u64..2_000_000),
        (1u64..1_000, prop::array::uniform12(0u64..4))
            .prop_map(|(base, k)| k.map(|k| base * (8 + k))),
    ]
}

fn thresholds() -> impl Strategy<Value = ClassThresholds> {
    (1u32..98, 1u32..50, 0u32..60, 1u32..300).prop_map(|(a, db, x, dy)| {
        ClassThresholds::new([a, (a + db).min(99)], [x, x + dy]).unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn xyz_agrees_with_the_fraction_reference(m in months(), t in thresholds()) {
        prop_assert_eq!(Revenue::from_months(m).xyz(&t), reference_xyz(&m, &t));
    }

    #[test]
    fn xyz_does_not_change_when_every_month_is_scaled(
        m in months(),
        t in thresholds(),
        shift in 0u32..40,
    ) {
        // Large sums take the wide arithmetic; the variation is the same.
        let max = m.iter().copied().max().unwrap_or(0).max(1);
        let k = (1u64 << shift).min(u64::MAX / max);
        let scaled = m.map(|x| x * k);
        prop_assert_eq!(
            Revenue::from_months(scaled).xyz(&t),
            Revenue::from_months(m).xyz(&t)
        );
    }

    #[test]
    fn abc_agrees_with_the_fraction_reference(
        clients in prop::collection::vec(
            (prop::sample::select(vec!["a", "b", "c", "d", "e", "f"]), months()),
            0..25,
        ),
        t in thresholds(),
    ) {
        let clients: Vec<(String, [u64; MONTHS])> = clients
            .into_iter()
            .enumerate()
            .map(|(i, (id, m))| (format!("{id}{}", i % 7), m))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let clients: Vec<_> = clients.into_iter().filter(|(id, _)| seen.insert(id.clone())).collect();
        let input: Vec<(String, Revenue)> = clients
            .iter()
            .map(|(id, m)| (id.clone(), Revenue::from_months(*m)))
            .collect();
        let got: Vec<Option<Abc>> = classify(&input, &t)
            .into_iter()
            .map(|c| c.map(|c| c.abc))
            .collect();
        prop_assert_eq!(got, reference_abc(&clients, &t));
    }
}
