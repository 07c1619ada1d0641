//! What a list of clients shows: the filters (zone, responsible, status,
//! industry, tag, city, revenue) and the order. They live in the page's
//! address (`/?zone=red&responsible=…`), so the dashboard and the worklist
//! link to a filtered list, and "back" from a card returns to it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use kartoteka::rules::derived::ClientState;
use kartoteka::rules::zone::Zone;
use kartoteka::search::fold;
use kartoteka::summary::ClientSummary;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use crate::base::derived::DerivedBase;

/// A column a list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Inn,
    Phone,
    Responsible,
    Zone,
    Status,
    City,
    Industry,
    /// The day the client went to the exchange.
    Since,
    LastActivity,
    Revenue,
}

impl SortKey {
    const ALL: [SortKey; 11] = [
        SortKey::Name,
        SortKey::Inn,
        SortKey::Phone,
        SortKey::Responsible,
        SortKey::Zone,
        SortKey::Status,
        SortKey::City,
        SortKey::Industry,
        SortKey::Since,
        SortKey::LastActivity,
        SortKey::Revenue,
    ];

    fn id(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Inn => "inn",
            SortKey::Phone => "phone",
            SortKey::Responsible => "responsible",
            SortKey::Zone => "zone",
            SortKey::Status => "status",
            SortKey::City => "city",
            SortKey::Industry => "industry",
            SortKey::Since => "since",
            SortKey::LastActivity => "activity",
            SortKey::Revenue => "revenue",
        }
    }
}

/// The order of a list: a column, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// The filters and the order of a list; empty strings filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// A zone id, or `none` for clients with no manager.
    pub zone: String,
    /// A user id, or `none` for clients with no effective responsible.
    pub responsible: String,
    pub status: String,
    pub industry: String,
    pub tag: String,
    pub city: String,
    /// The least revenue of the last 12 whole months, in roubles.
    pub revenue_from: Option<u64>,
    /// `None`: by name.
    pub sort: Option<Sort>,
}

impl ListFilter {
    /// The filter a page address says.
    pub fn from_query(q: &ParamsMap) -> ListFilter {
        let get = |k: &str| q.get(k).unwrap_or_default();
        let sort = q.get("sort").and_then(|s| {
            let (id, descending) = match s.strip_prefix('-') {
                Some(id) => (id.to_owned(), true),
                None => (s, false),
            };
            SortKey::ALL
                .into_iter()
                .find(|k| k.id() == id)
                .map(|key| Sort { key, descending })
        });
        ListFilter {
            zone: get("zone"),
            responsible: get("responsible"),
            status: get("status"),
            industry: get("industry"),
            tag: get("tag"),
            city: get("city"),
            revenue_from: q.get("revenue").and_then(|r| r.parse().ok()),
            sort,
        }
    }

    /// The query string of this filter (`?zone=red&…`, or empty).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                parts.push(format!("{k}={}", js_sys::encode_uri_component(v)));
            }
        };
        put("zone", &self.zone);
        put("responsible", &self.responsible);
        put("status", &self.status);
        put("industry", &self.industry);
        put("tag", &self.tag);
        put("city", &self.city);
        if let Some(r) = self.revenue_from {
            put("revenue", &r.to_string());
        }
        if let Some(s) = self.sort {
            let id = if s.descending {
                format!("-{}", s.key.id())
            } else {
                s.key.id().to_owned()
            };
            put("sort", &id);
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Whether anything is filtered out.
    pub fn filters(&self) -> bool {
        ListFilter {
            sort: None,
            ..self.clone()
        } != ListFilter::default()
    }

    /// Whether a client passes the filters, given its derived state.
    pub fn admits(&self, s: &ClientSummary, state: Option<&ClientState>, today: NaiveDate) -> bool {
        let zone = state.and_then(|c| c.zone);
        (self.zone.is_empty()
            || match self.zone.as_str() {
                "none" => state.is_some() && zone.is_none(),
                id => zone.is_some_and(|z| z.id() == id),
            })
            && (self.responsible.is_empty()
                || match (self.responsible.as_str(), state) {
                    ("none", Some(c)) => c.responsible.is_none() && zone.is_none(),
                    (id, Some(c)) => c.responsible.as_deref() == Some(id),
                    _ => false,
                })
            && (self.status.is_empty() || state.is_some_and(|c| c.status.as_str() == self.status))
            && (self.industry.is_empty() || s.industry == self.industry)
            && (self.tag.is_empty() || s.tags.contains(&self.tag))
            && (self.city.is_empty() || s.city == self.city)
            && self.revenue_from.is_none_or(|r| {
                s.revenue_months(today, 12).0
                    >= i64::try_from(r.saturating_mul(100)).unwrap_or(i64::MAX)
            })
    }

    /// The clients of `items` that pass, in this filter's order.
    pub fn apply(
        &self,
        items: &[Arc<ClientSummary>],
        derived: &DerivedBase,
        today: NaiveDate,
        names: &Names,
    ) -> Vec<Arc<ClientSummary>> {
        let mut shown: Vec<Arc<ClientSummary>> = items
            .iter()
            .filter(|s| self.admits(s, derived.get(s.id.as_str()), today))
            .cloned()
            .collect();
        if let Some(sort) = self.sort {
            sort_clients(&mut shown, sort, derived, today, names);
        }
        shown
    }
}

/// What sorting by a person's or a status's name needs: the names.
#[derive(Debug, Default)]
pub struct Names {
    pub users: BTreeMap<String, String>,
    pub statuses: BTreeMap<String, String>,
}

/// A sortable value of one column.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Text(String),
    Number(i64),
}

fn zone_rank(z: Option<Zone>) -> i64 {
    match z {
        Some(Zone::Green) => 0,
        Some(Zone::Yellow) => 1,
        Some(Zone::Red) => 2,
        Some(Zone::Exchange) => 3,
        None => 4,
    }
}

fn day(d: Option<NaiveDate>) -> i64 {
    d.map_or(i64::MIN, |d| {
        i64::from(chrono::Datelike::num_days_from_ce(&d))
    })
}

fn sort_clients(
    items: &mut [Arc<ClientSummary>],
    sort: Sort,
    derived: &DerivedBase,
    today: NaiveDate,
    names: &Names,
) {
    let key = |s: &Arc<ClientSummary>| {
        let state = derived.get(s.id.as_str());
        match sort.key {
            SortKey::Name => Key::Text(fold(&s.name)),
            SortKey::Inn => Key::Text(s.inn.clone()),
            SortKey::Phone => Key::Text(s.phones.first().cloned().unwrap_or_default()),
            SortKey::Responsible => Key::Text(
                state
                    .and_then(|c| c.responsible.as_ref())
                    .and_then(|id| names.users.get(id))
                    .map(|n| fold(n))
                    .unwrap_or_default(),
            ),
            SortKey::Zone => Key::Number(zone_rank(state.and_then(|c| c.zone))),
            SortKey::Status => Key::Text(
                state
                    .and_then(|c| names.statuses.get(c.status.as_str()))
                    .map(|n| fold(n))
                    .unwrap_or_default(),
            ),
            SortKey::City => Key::Text(fold(&s.city)),
            SortKey::Industry => Key::Text(fold(&s.industry)),
            SortKey::Since => Key::Number(day(state.and_then(|c| c.in_exchange_since))),
            SortKey::LastActivity => Key::Number(day(state.map(|c| c.last_activity))),
            SortKey::Revenue => Key::Number(s.revenue_months(today, 12).0),
        }
    };
    // A stable sort: ties keep the list's order (by name), either way.
    if sort.descending {
        items.sort_by_cached_key(|s| std::cmp::Reverse(key(s)));
    } else {
        items.sort_by_cached_key(key);
    }
}

/// The page's filter, read from its address; [`set_filter`] changes it.
pub fn filter_from_address() -> Memo<ListFilter> {
    let query = use_query_map();
    Memo::new(move |_| query.with(ListFilter::from_query))
}

/// A setter of the page's filter: writes it into the address (replacing
/// the current entry, so "back" leaves the page rather than undoing a
/// filter).
pub fn filter_setter(path: &'static str) -> impl Fn(ListFilter) + Clone + 'static {
    let navigate = use_navigate();
    move |f: ListFilter| {
        navigate(
            &format!("{path}{}", f.to_query()),
            leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    }
}
