//! Dates, numbers and money in the user's locale, through the browser's
//! `Intl` (the same rules the rest of the user's system follows).
//!
//! The locale is the browser's own when it speaks the interface language
//! (`en-GB` stays British), else the language's usual one (`ru-RU`,
//! `en-US`). Formatters are costly to build, so each is built once.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Intl, Object, Reflect};
use kartoteka::client::Money;
use kartoteka::date::{Date, Timestamp};
use wasm_bindgen::JsValue;

use crate::i18n::{Lang, lang};

/// The locale for formatting in a language.
pub fn locale(lang: Lang) -> String {
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    if browser.split('-').next() == Some(lang.code()) {
        browser
    } else {
        match lang {
            Lang::Ru => "ru-RU".to_owned(),
            Lang::En => "en-US".to_owned(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Date,
    DayMonth,
    DateTime,
    Time,
    Number,
    Percent,
    Money,
    /// Money in whole units (columns of totals).
    MoneyWhole,
    /// Day and month (and the year when `extra` is "y").
    ShortDate,
    ShortDateTime,
}

thread_local! {
    static FORMATTERS: RefCell<HashMap<(Kind, String, String), js_sys::Function>> =
        RefCell::new(HashMap::new());
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// The `format` function of a cached Intl formatter.
fn formatter(kind: Kind, extra: &str) -> js_sys::Function {
    let loc = locale(lang());
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry((kind, loc.clone(), extra.to_owned()))
            .or_insert_with(|| {
                let locales = Array::of1(&JsValue::from_str(&loc));
                match kind {
                    Kind::Date => Intl::DateTimeFormat::new(
                        &locales,
                        &options(&[("dateStyle", "medium"), ("timeZone", "UTC")]),
                    )
                    .format(),
                    Kind::DayMonth => Intl::DateTimeFormat::new(
                        &locales,
                        &options(&[("day", "numeric"), ("month", "short"), ("timeZone", "UTC")]),
                    )
                    .format(),
                    Kind::DateTime => Intl::DateTimeFormat::new(
                        &locales,
                        &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
                    )
                    .format(),
                    Kind::Time => {
                        Intl::DateTimeFormat::new(&locales, &options(&[("timeStyle", "short")]))
                            .format()
                    }
                    Kind::Number => Intl::NumberFormat::new(&locales, &Object::new()).format(),
                    Kind::Percent => Intl::NumberFormat::new(
                        &locales,
                        &options(&[("style", "percent"), ("maximumFractionDigits", "1")]),
                    )
                    .format(),
                    Kind::ShortDate => {
                        let mut o =
                            vec![("day", "numeric"), ("month", "short"), ("timeZone", "UTC")];
                        if extra == "y" {
                            o.push(("year", "numeric"));
                        }
                        Intl::DateTimeFormat::new(&locales, &options(&o)).format()
                    }
                    Kind::ShortDateTime => {
                        let mut o = vec![
                            ("day", "numeric"),
                            ("month", "short"),
                            ("hour", "2-digit"),
                            ("minute", "2-digit"),
                        ];
                        if extra == "y" {
                            o.push(("year", "numeric"));
                        }
                        Intl::DateTimeFormat::new(&locales, &options(&o)).format()
                    }
                    Kind::Money => Intl::NumberFormat::new(
                        &locales,
                        &options(&[("style", "currency"), ("currency", extra)]),
                    )
                    .format(),
                    Kind::MoneyWhole => Intl::NumberFormat::new(
                        &locales,
                        &options(&[
                            ("style", "currency"),
                            ("currency", extra),
                            ("minimumFractionDigits", "0"),
                            ("maximumFractionDigits", "0"),
                        ]),
                    )
                    .format(),
                }
            })
            .clone()
    })
}

fn call(f: &js_sys::Function, value: &JsValue) -> String {
    f.call1(&JsValue::NULL, value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A calendar date as a JS date at midnight UTC (the formatters of dates
/// format in UTC, so the day never shifts with the device's zone).
fn utc_midnight(d: Date) -> js_sys::Date {
    use chrono::Datelike;
    let n = d.naive();
    let ms = js_sys::Date::utc(f64::from(n.year()), f64::from(n.month0()))
        + f64::from(n.day() - 1) * 86_400_000.0;
    js_sys::Date::new(&JsValue::from_f64(ms))
}

/// A calendar date, e.g. `22 нояб. 2026 г.` / `Nov 22, 2026`.
pub fn date(d: Date) -> String {
    call(&formatter(Kind::Date, ""), &utc_midnight(d))
}

/// A day of the month and the month, short, for a chart's axis
/// (`22 нояб.` / `Nov 22`).
pub fn day_month(d: Date) -> String {
    call(&formatter(Kind::DayMonth, ""), &utc_midnight(d))
}

/// An instant in the device's time zone, with the time.
pub fn date_time(at: Timestamp) -> String {
    call(
        &formatter(Kind::DateTime, ""),
        &js_sys::Date::new(&JsValue::from_f64(at.0 as f64)),
    )
}

/// The time of an instant in the device's time zone (`12:34`).
pub fn time(at: Timestamp) -> String {
    call(
        &formatter(Kind::Time, ""),
        &js_sys::Date::new(&JsValue::from_f64(at.0 as f64)),
    )
}

/// A calendar date in short, its year only when not this one's
/// (`3 дек.`, `Dec 3`; `3 дек. 2025 г.`).
pub fn short_date(d: Date, this_year: i32) -> String {
    use chrono::Datelike;
    let n = d.naive();
    let ms = js_sys::Date::utc(f64::from(n.year()), f64::from(n.month0()))
        + f64::from(n.day() - 1) * 86_400_000.0;
    let year = if n.year() == this_year { "" } else { "y" };
    call(
        &formatter(Kind::ShortDate, year),
        &js_sys::Date::new(&JsValue::from_f64(ms)),
    )
}

/// An instant in short in the device's time zone, its year only when not
/// `this_year` (`3 дек., 14:05`, `Dec 3, 2:05 PM`).
pub fn short_date_time(at: Timestamp, this_year: i32) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.0 as f64));
    let year = if date.get_full_year() as i32 == this_year {
        ""
    } else {
        "y"
    };
    call(&formatter(Kind::ShortDateTime, year), &date)
}

/// A whole number with the locale's grouping (`20 000`, `20,000`).
pub fn number(n: u64) -> String {
    call(&formatter(Kind::Number, ""), &JsValue::from_f64(n as f64))
}

/// A percentage given as 0–100, with at most one decimal, as the locale
/// writes it (`42,5 %`, `42.5%`).
pub fn percent(p: f64) -> String {
    call(&formatter(Kind::Percent, ""), &JsValue::from_f64(p / 100.0))
}

/// An amount of money in whole units of a currency, rounded (`1 035 324 ₽`).
pub fn money_whole(amount: Money, currency: &str) -> String {
    call(
        &formatter(Kind::MoneyWhole, currency),
        &JsValue::from_f64(amount.roubles().round()),
    )
}

/// An amount of money in a currency (ISO 4217 code).
pub fn money(amount: Money, currency: &str) -> String {
    call(
        &formatter(Kind::Money, currency),
        &JsValue::from_f64(amount.roubles()),
    )
}
