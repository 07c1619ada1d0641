//! The zones dashboard and the manager's worklist (issue 15) in a real
//! browser: a supervisor reads every manager's zones and they match the
//! relay's facts counted here, independently; a manager sees only their
//! own row, and their worklist puts the red clients before the yellow
//! ones. Screenshots in both languages, on a laptop and a tablet.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka_tests::{Browser, LAPTOP, PASSWORD, Relay, Result, TABLET, eventually};
use serde_json::{Value, json};

/// One row of the dashboard's table: the manager's name and today's
/// green, yellow, red, total, then the exchange columns.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    name: String,
    numbers: [u64; 6],
}

impl Row {
    fn zones(&self) -> [u64; 3] {
        [self.numbers[0], self.numbers[1], self.numbers[2]]
    }
}

/// The dashboard's table once computed: rows by manager id, and the
/// totals row (if shown).
async fn table(b: &Browser) -> Result<(BTreeMap<String, Row>, Option<Row>)> {
    let rows = eventually(async || {
        let v = b
            .js(
                r#"const t = document.querySelector('[data-testid=zones-table]');
                if (!t) return null;
                const cols = ['green', 'yellow', 'red', 'total', 'to-exchange', 'from-exchange'];
                return [...t.querySelectorAll('tr[data-manager]')].map(tr => ({
                    id: tr.dataset.manager,
                    total: tr.hasAttribute('data-total'),
                    name: tr.querySelector('th').innerText.trim(),
                    numbers: cols.map(c => Number(tr.querySelector(`[data-col="${c}"]`).innerText.replace(/\D/g, ''))),
                }));"#,
                vec![],
            )
            .await?;
        Ok(match v {
            Value::Array(rows) => Ok(rows),
            _ => Err("the dashboard never showed its table".to_owned()),
        })
    })
    .await?;
    let mut managers = BTreeMap::new();
    let mut totals = None;
    for r in rows {
        let mut numbers = [0; 6];
        for (n, v) in numbers
            .iter_mut()
            .zip(r["numbers"].as_array().ok_or("numbers")?)
        {
            *n = v.as_u64().ok_or("a number")?;
        }
        let row = Row {
            name: r["name"].as_str().unwrap_or_default().to_owned(),
            numbers,
        };
        if r["total"].as_bool() == Some(true) {
            totals = Some(row);
        } else {
            managers.insert(r["id"].as_str().unwrap_or_default().to_owned(), row);
        }
    }
    Ok((managers, totals))
}

/// The date the dashboard counts for.
async fn as_of(b: &Browser) -> Result<NaiveDate> {
    let v = eventually(async || {
        let v = b
            .js(
                "const m = document.querySelector('.zones-page'); return m && m.dataset.asOf || null;",
                vec![],
            )
            .await?;
        Ok(v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| "the dashboard has no date".to_owned()))
    })
    .await?;
    Ok(v.parse()?)
}

/// Every client the relay gives `login` on first start, read through its
/// HTTP API (a login and the bootstrap bundle), not through the app.
async fn relay_clients(b: &Browser, login: &str) -> Result<Vec<ClientSummary>> {
    let v = b
        .client
        .execute_async(
            r#"const [login, password, done] = arguments;
            (async () => {
                const r = await fetch('/api/login', {
                    method: 'POST',
                    headers: { 'content-type': 'application/json' },
                    body: JSON.stringify({ login, password }),
                });
                const { token } = await r.json();
                const res = await fetch('/api/bootstrap', { headers: { Authorization: 'Bearer ' + token } });
                const bytes = new Uint8Array(await res.arrayBuffer());
                // KTKB1, then per entry: kind u8, id (u16 + bytes),
                // summary (u32 + bytes), document (u32 + bytes); then 0.
                const view = new DataView(bytes.buffer);
                const text = new TextDecoder();
                const summaries = [];
                let at = 5;
                while (bytes[at] !== 0) {
                    const kind = bytes[at];
                    at += 1;
                    at += 2 + view.getUint16(at, true);
                    const len = view.getUint32(at, true);
                    at += 4;
                    if (kind === 2) summaries.push(text.decode(bytes.subarray(at, at + len)));
                    at += len;
                    at += 4 + view.getUint32(at, true);
                }
                return summaries;
            })().then(done, e => done('failed: ' + e));"#,
            vec![json!(login), json!(PASSWORD)],
        )
        .await?;
    let Value::Array(summaries) = v else {
        return Err(format!("the relay's bundle could not be read: {v}").into());
    };
    summaries
        .iter()
        .map(|s| Ok(serde_json::from_str(s.as_str().ok_or("a summary")?)?))
        .collect()
}

/// Today's green, yellow and red clients per manager, counted from the
/// clients' facts one by one with the rule engine's `zone` (what
/// `kartoteka evaluate --as-of` gives).
fn zones_by_manager(clients: &[ClientSummary], today: NaiveDate) -> BTreeMap<String, [u64; 3]> {
    let mut out: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for c in clients.iter().filter(|c| c.is_client()) {
        let Some(report) = zone(&c.facts, ZoneThresholds::default(), today) else {
            continue;
        };
        let i = match report.zone {
            Some(Zone::Green) => 0,
            Some(Zone::Yellow) => 1,
            Some(Zone::Red) => 2,
            _ => continue,
        };
        if let Some(m) = report.responsible {
            out.entry(m).or_default()[i] += 1;
        }
    }
    out
}

/// Opens the dashboard through the header's link.
async fn open_dashboard(b: &Browser, link: &str) -> Result {
    b.click("Отчёты").await?;
    b.click(link).await?;
    eventually(async || {
        let v = b
            .js(
                "return !!document.querySelector('[data-testid=zones-table], .zones-page .panel .muted')",
                vec![],
            )
            .await?;
        Ok(if v.as_bool() == Some(true) {
            Ok(())
        } else {
            Err("the dashboard never showed its numbers".to_owned())
        })
    })
    .await
}

/// The worklist's clients in order: (zone, days left).
async fn worklist(b: &Browser) -> Result<Vec<(String, i64)>> {
    let v = eventually(async || {
        let v = b
            .js(
                r#"const w = document.querySelector('[data-testid=worklist]');
                if (!w) return null;
                return [...w.querySelectorAll('.worklist__item')]
                    .map(li => [li.dataset.zone, Number(li.dataset.days)]);"#,
                vec![],
            )
            .await?;
        Ok(match v {
            Value::Array(items) => Ok(items),
            _ => Err("the worklist never showed".to_owned()),
        })
    })
    .await?;
    Ok(v.iter()
        .map(|i| {
            (
                i[0].as_str().unwrap_or_default().to_owned(),
                i[1].as_i64().unwrap_or(-1),
            )
        })
        .collect())
}

/// Screenshots of what is on the page now, in both languages and both
/// sizes: the top of the page, then the part that `part` (a CSS selector)
/// starts, as `{name}-{lang}-{size}.png` and `{name}-{part_name}-…`.
async fn shots(b: &Browser, name: &str, part: Option<(&str, &str)>) -> Result {
    for lang in ["ru", "en"] {
        if lang == "en" {
            b.click("EN").await?;
            b.wait_text("Client zones").await?;
        }
        for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
            b.client.set_window_size(size.0, size.1).await?;
            b.js("window.scrollTo(0, 0)", vec![]).await?;
            // The chart is drawn for the new width.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            b.assert_fits().await?;
            b.shot(&format!("{name}-{lang}-{tag}.png")).await?;
            if let Some((selector, part_name)) = part {
                b.scroll_to(selector, 0, 110).await?;
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                b.shot(&format!("{name}-{part_name}-{lang}-{tag}.png"))
                    .await?;
            }
        }
    }
    b.click("RU").await?;
    b.client.set_window_size(LAPTOP.0, LAPTOP.1).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_sees_every_managers_zones_as_the_facts_count_them_and_each_number_opens_its_list()
-> Result {
    let (_data, relay) = Relay::demo("zones-supervisor").await?;
    let b = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    open_dashboard(&b, "Зоны клиентов").await?;
    b.wait_text("По менеджерам").await?;
    let (rows, totals) = table(&b).await?;
    let today = as_of(&b).await?;

    // Every demo manager with clients has a row, by name.
    let names: Vec<&str> = rows.values().map(|r| r.name.as_str()).collect();
    for name in ["Павел Петров", "Анна Смирнова"] {
        assert!(names.contains(&name), "{name} has a row: {names:?}");
    }
    // A row adds up, and the totals row is the sum of the rows.
    let mut sum = [0; 6];
    for (id, row) in &rows {
        let [g, y, r] = row.zones();
        assert_eq!(g + y + r, row.numbers[3], "{id}'s total is its zones");
        for (s, n) in sum.iter_mut().zip(row.numbers) {
            *s += n;
        }
    }
    let totals = totals.ok_or("a supervisor sees a totals row")?;
    assert_eq!(totals.numbers, sum, "the totals row sums the rows");

    // The same numbers, counted client by client from what the relay holds.
    let clients = relay_clients(&b, "orlova").await?;
    let counted = zones_by_manager(&clients, today);
    let shown: BTreeMap<String, [u64; 3]> = rows
        .iter()
        .map(|(id, r)| (id.clone(), r.zones()))
        .filter(|(_, z)| z.iter().sum::<u64>() > 0)
        .collect();
    assert_eq!(shown, counted, "the dashboard's zones on {today}");
    assert!(
        sum[..3].iter().all(|&n| n > 0),
        "the demo has clients in every zone: {sum:?}"
    );

    // A number opens its list: the link carries the zone and the manager.
    let (petrov, _) = rows
        .iter()
        .find(|(_, r)| r.name == "Павел Петров")
        .ok_or("Petrov's row")?;
    let href = b
        .js(
            r#"return document.querySelector(`tr[data-manager="${arguments[0]}"] [data-col=red] a`).getAttribute('href')"#,
            vec![json!(petrov)],
        )
        .await?;
    assert_eq!(
        href.as_str(),
        Some(format!("/?zone=red&responsible={petrov}").as_str())
    );
    let exchange = b
        .js(
            "return document.querySelector('.zones-tile--exchange a').getAttribute('href')",
            vec![],
        )
        .await?;
    assert_eq!(exchange.as_str(), Some("/exchange"));

    // The chart: an image with a summary, for all managers or one.
    let label = b
        .js(
            "const s = document.querySelector('[data-testid=zones-chart]'); return s.getAttribute('role') + ': ' + s.getAttribute('aria-label');",
            vec![],
        )
        .await?;
    let label = label.as_str().unwrap_or_default();
    assert!(
        label.starts_with("img: Клиенты по зонам, Все менеджеры"),
        "{label}"
    );
    b.choose("Менеджер", "Павел Петров").await?;
    b.wait_text("Клиенты по зонам по неделям: Павел Петров")
        .await
        .ok();
    let picked = b
        .js(
            "return document.querySelector('[data-testid=zones-chart]').getAttribute('aria-label')",
            vec![],
        )
        .await?;
    assert!(
        picked
            .as_str()
            .unwrap_or_default()
            .contains("Клиенты по зонам, Павел Петров"),
        "{picked}"
    );
    // The arrow keys pick a week, and it is said below the chart.
    let before = b.inner_text("#zone-chart-readout").await?;
    b.press_on("zone-chart", "\u{E012}").await?;
    eventually(async || {
        let after = b.inner_text("#zone-chart-readout").await?;
        Ok(if after != before && !after.is_empty() {
            Ok(())
        } else {
            Err(format!("← did not pick the week before: {after:?}"))
        })
    })
    .await?;
    b.choose("Менеджер", "Все менеджеры").await?;

    shots(&b, "zones", Some((".zones-page__trend", "trend"))).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_sees_only_their_row_and_a_worklist_with_the_red_clients_first() -> Result {
    let (_data, relay) = Relay::demo("zones-manager").await?;
    let supervisor = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    open_dashboard(&supervisor, "Зоны клиентов").await?;
    let (all, _) = table(&supervisor).await?;
    supervisor.close().await?;
    let (petrov, petrov_row) = all
        .iter()
        .find(|(_, r)| r.name == "Павел Петров")
        .ok_or("Petrov's row")?;

    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    open_dashboard(&b, "Зоны клиентов").await?;
    let (rows, totals) = table(&b).await?;
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        vec![petrov],
        "a manager sees only his own row"
    );
    assert!(totals.is_none(), "and no totals of others");
    assert_eq!(
        rows[petrov].zones(),
        petrov_row.zones(),
        "his numbers are those his supervisor sees"
    );

    // The worklist on the start page: his red clients first, each group
    // by the days left.
    b.goto("/").await?;
    let items = worklist(&b).await?;
    assert!(!items.is_empty(), "Petrov has clients to call");
    let first_yellow = items
        .iter()
        .position(|(z, _)| z == "yellow")
        .unwrap_or(items.len());
    assert!(
        items[..first_yellow].iter().all(|(z, _)| z == "red")
            && items[first_yellow..].iter().all(|(z, _)| z == "yellow"),
        "red before yellow: {items:?}"
    );
    for group in [&items[..first_yellow], &items[first_yellow..]] {
        assert!(
            group.windows(2).all(|w| w[0].1 <= w[1].1),
            "fewest days first: {items:?}"
        );
    }
    let [_, yellow, red] = rows[petrov].zones();
    let lead = b.inner_text(".worklist__lead").await?;
    assert_eq!(
        lead,
        format!("В красной зоне: {red} · в жёлтой: {yellow}"),
        "the worklist counts what the dashboard does"
    );
    assert!(items.len() <= 5, "at most 5 on the start page");
    b.wait_text(&format!("Все в жёлтой зоне ({yellow})"))
        .await?;

    for lang in ["ru", "en"] {
        if lang == "en" {
            b.click("EN").await?;
            b.wait_text("New client").await?;
        }
        for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
            b.client.set_window_size(size.0, size.1).await?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            b.assert_fits().await?;
            b.shot(&format!("worklist-start-{lang}-{tag}.png")).await?;
        }
    }
    b.close().await
}
