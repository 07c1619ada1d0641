//! The filters above a list of clients, as native selects (they work from
//! the keyboard and with screen readers as people expect). Each offers
//! only values some client has, with how many have it where that helps.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::filter::ListFilter;
use crate::components::status::status_name;
use crate::i18n::cat;

/// Which filters a page offers beyond zone, responsible, status, industry
/// and tag.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra {
    /// The exchange: by city and by revenue, and no zone or responsible
    /// (every client there is in the exchange, with nobody).
    pub exchange: bool,
}

/// One select of the bar: "" is "all".
#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    all: Signal<String>,
    value: Signal<String>,
    options: Signal<Vec<(String, String)>>,
    on_change: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="list-filter">
            <label class="list-filter__label" for=id>{label}</label>
            <select
                id=id
                class="list-filter__select"
                prop:value=move || value.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {move || {
                    let current = value.get_untracked();
                    let all = all.get();
                    view! {
                        <option value="" selected=current.is_empty()>{all}</option>
                        {options
                            .get()
                            .into_iter()
                            .map(|(v, text)| {
                                let is = v == current;
                                view! { <option value=v selected=is>{text}</option> }
                            })
                            .collect_view()}
                    }
                }}
            </select>
        </div>
    }
}

fn fixed(text: &'static str) -> Signal<String> {
    Signal::derive(move || text.to_owned())
}

/// The values of one text field over the list, with how many clients
/// have each, by value.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut counts = BTreeMap::<&str, u64>::new();
    for v in values.filter(|v| !v.is_empty()) {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(v, n)| (v.to_owned(), format!("{v} ({})", crate::format::number(n))))
        .collect()
}

/// The bar. `set` writes a new filter (into the page's address).
#[component]
pub fn FilterBar(
    filter: Memo<ListFilter>,
    set: Callback<ListFilter>,
    #[prop(optional)] extra: Extra,
    /// Actions at the end of the bar (e.g. a supervisor's "pick").
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let base = crate::base::base();
    let c = cat();
    let field =
        move |f: fn(&ListFilter) -> &String| Signal::derive(move || filter.with(|x| f(x).clone()));
    let change = move |apply: fn(&mut ListFilter, String)| {
        Callback::new(move |v: String| {
            let mut f = filter.get_untracked();
            apply(&mut f, v);
            set.run(f);
        })
    };

    let zones = Signal::derive(move || {
        let c = cat();
        [
            ("green", c.zone_green),
            ("yellow", c.zone_yellow),
            ("red", c.zone_red),
            ("exchange", c.zone_exchange),
            ("none", c.zone_none),
        ]
        .into_iter()
        .map(|(id, name)| (id.to_owned(), name.to_owned()))
        .collect()
    });
    let people = Signal::derive(move || {
        let mut users = base.assignable_users();
        users.push(("none".to_owned(), cat().nobody.to_owned()));
        users
    });
    let statuses = Signal::derive(move || {
        let Some(rules) = base.rules.get() else {
            return Vec::new();
        };
        let counts = base.derived.with(|d| {
            let mut counts = BTreeMap::<String, u64>::new();
            for c in d.clients.values() {
                *counts.entry(c.status.to_string()).or_default() += 1;
            }
            counts
        });
        rules
            .status_ids()
            .iter()
            .filter_map(|id| {
                let def = rules.status(id.as_str())?;
                let n = counts.get(id.as_str()).copied().unwrap_or(0);
                Some((
                    id.to_string(),
                    format!("{} ({})", status_name(def), crate::format::number(n)),
                ))
            })
            .collect()
    });
    // "Все статусы (N)" once every client's status is known.
    let all_statuses = Signal::derive(move || {
        let total = base
            .derived
            .with(|d| d.as_of.map(|_| d.clients.len() as u64));
        match total {
            Some(n) => format!("{} ({})", cat().all_statuses, crate::format::number(n)),
            None => cat().all_statuses.to_owned(),
        }
    });
    let industries = Signal::derive(move || {
        base.clients
            .with(|l| distinct(l.items.iter().map(|s| s.industry.as_str())))
    });
    let tags = Signal::derive(move || {
        base.clients.with(|l| {
            distinct(
                l.items
                    .iter()
                    .flat_map(|s| s.tags.iter().map(String::as_str)),
            )
        })
    });
    let cities = Signal::derive(move || {
        base.clients
            .with(|l| distinct(l.items.iter().map(|s| s.city.as_str())))
    });

    let revenue =
        move || filter.with(|f| f.revenue_from.map(|r| r.to_string()).unwrap_or_default());
    let set_revenue = move |ev: leptos::ev::Event| {
        let text: String = event_target_value(&ev)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let mut f = filter.get_untracked();
        f.revenue_from = text.parse().ok().filter(|&r| r > 0);
        set.run(f);
    };
    let reset = move |_| {
        set.run(ListFilter {
            sort: filter.get_untracked().sort,
            ..ListFilter::default()
        });
    };

    view! {
        <div class="list-filters" role="group" aria-label=c.filters_label>
            {(!extra.exchange).then(|| view! {
                <FilterSelect id="filter-zone" label=c.col_zone all=fixed(c.all_zones)
                    value=field(|f| &f.zone) options=zones on_change=change(|f, v| f.zone = v)/>
                <FilterSelect id="filter-responsible" label=c.col_responsible all=fixed(c.all_people)
                    value=field(|f| &f.responsible) options=people on_change=change(|f, v| f.responsible = v)/>
            })}
            <FilterSelect id="status-filter" label=c.filter_status all=all_statuses
                value=field(|f| &f.status) options=statuses on_change=change(|f, v| f.status = v)/>
            <FilterSelect id="filter-industry" label=c.filter_industry all=fixed(c.all_industries)
                value=field(|f| &f.industry) options=industries on_change=change(|f, v| f.industry = v)/>
            {(!extra.exchange).then(|| view! {
                <FilterSelect id="filter-tag" label=c.filter_tag all=fixed(c.all_tags)
                    value=field(|f| &f.tag) options=tags on_change=change(|f, v| f.tag = v)/>
            })}
            {extra.exchange.then(|| view! {
                <FilterSelect id="filter-city" label=c.filter_city all=fixed(c.all_cities)
                    value=field(|f| &f.city) options=cities on_change=change(|f, v| f.city = v)/>
                <div class="list-filter">
                    <label class="list-filter__label" for="filter-revenue">{c.filter_revenue_from}</label>
                    <input id="filter-revenue" class="list-filter__select list-filter__number" type="text"
                        inputmode="numeric" autocomplete="off"
                        prop:value=revenue on:change=set_revenue/>
                </div>
            })}
            <Show when=move || filter.with(ListFilter::filters)>
                <button type="button" class="button button--ghost list-filters__reset" on:click=reset>
                    {move || cat().filters_reset}
                </button>
            </Show>
            <div class="list-filters__end">{children.map(|c| c())}</div>
        </div>
    }
}
