//! The client exchange as managers and a supervisor use it (issue 15): a
//! client that went to the exchange today is there for every manager with
//! nobody responsible; one manager takes it online while another took it
//! offline, and the second, back online, is told it was taken and no
//! longer has it; a supervisor gives 50 clients of a leaving manager to
//! another at once. Screenshots of the exchange and the filtered list.

use kartoteka_tests::{Browser, LAPTOP, Relay, Result, TABLET, eventually};
use serde_json::{Value, json};

/// The demo's client that went to the exchange today (see
/// `kartoteka::demo::EDGE_CLIENTS`).
const GONE: &str = "Забытый склад";
const GONE_SHOWN: &str = "ООО «Забытый склад»";

/// The names in the exchange's rows now drawn.
async fn exchange_names(b: &Browser) -> Result<Vec<String>> {
    let v = b
        .js(
            "return [...document.querySelectorAll('.exchange-list__canvas .exchange-row .col-name a')]
                .map(a => a.innerText.trim());",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Opens the exchange and waits until `name` is (or is not) in it.
async fn wait_in_exchange(b: &Browser, name: &str, shown: bool) -> Result {
    eventually(async || {
        let names = exchange_names(b).await.unwrap_or_default();
        Ok(if names.iter().any(|n| n == name) == shown {
            Ok(())
        } else {
            Err(format!(
                "{name} in the exchange should be {shown}: {names:?}"
            ))
        })
    })
    .await
}

/// Clicks "Взять себе" in the row of client `name` (the button's
/// accessible name says which client).
async fn take(b: &Browser, name: &str) -> Result {
    let label = format!("Взять себе: {name}");
    eventually(async || {
        let clicked = b
            .js(
                "const button = [...document.querySelectorAll('button')]
                    .find(x => x.getAttribute('aria-label') === arguments[0]);
                if (button) button.click();
                return !!button;",
                vec![json!(label)],
            )
            .await?;
        Ok(if clicked == json!(true) {
            Ok(())
        } else {
            Err(format!("no button {label:?}"))
        })
    })
    .await
}

/// The cells of the list's row of client `name`: (responsible, zone).
async fn list_row(b: &Browser, name: &str) -> Result<Option<(String, String)>> {
    let v = b
        .js(
            "const row = [...document.querySelectorAll('.client-list__canvas a.client-row')]
                .find(r => r.querySelector('.col-name').innerText.trim() === arguments[0]);
            return row ? [row.querySelector('.col-responsible').innerText.trim(),
                          row.querySelector('.col-zone').innerText.trim()] : null;",
            vec![json!(name)],
        )
        .await?;
    Ok(match v {
        Value::Null => None,
        v => Some(serde_json::from_value(v)?),
    })
}

/// Waits for the row of `name` in the list with `fits` true of it.
async fn wait_row(
    b: &Browser,
    name: &str,
    what: &str,
    fits: impl Fn(&(String, String)) -> bool,
) -> Result<(String, String)> {
    eventually(async || {
        let row = list_row(b, name).await.unwrap_or_default();
        Ok(match row {
            Some(r) if fits(&r) => Ok(r),
            other => Err(format!("the row of {name} never showed {what}: {other:?}")),
        })
    })
    .await
}

/// The supervisor's dashboard today: Petrov's green clients and the
/// clients in the exchange.
async fn dashboard(s: &Browser) -> Result<(u64, u64)> {
    s.goto("/reports/zones").await?;
    eventually(async || {
        let v = s
            .js(
                "const tr = [...document.querySelectorAll('[data-testid=zones-table] tr[data-manager]')]
                    .find(tr => tr.querySelector('th').innerText.trim() === 'Павел Петров');
                const tile = document.querySelector('.zones-tile[data-zone=exchange] .zones-tile__count');
                const n = el => Number(el.innerText.replace(/\\D/g, ''));
                return tr && tile ? [n(tr.querySelector('[data-col=\"green\"]')), n(tile)] : null;",
                vec![],
            )
            .await?;
        Ok(match serde_json::from_value::<(u64, u64)>(v) {
            Ok(numbers) => Ok(numbers),
            Err(_) => Err("no row of Petrov or no exchange tile on the dashboard".to_owned()),
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_managers_take_the_same_exchange_client_and_the_one_offline_learns_it_was_taken()
-> Result {
    let (_data, mut relay) = Relay::demo("exchange-race").await?;
    let a = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let b = Browser::logged_in(&relay, "smirnova", LAPTOP).await?;
    let s = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    let before = dashboard(&s).await?;

    // In the exchange for both, with nobody responsible: the list says
    // since when, not its former manager (Петров).
    for m in [&a, &b] {
        m.goto("/?zone=exchange").await?;
        let (responsible, zone) = wait_row(m, GONE_SHOWN, "the exchange", |(r, _)| {
            r.starts_with("на бирже с")
        })
        .await?;
        assert_eq!(zone, "Биржа");
        assert!(!responsible.contains("Петров"), "{responsible}");
        m.goto("/exchange").await?;
        wait_in_exchange(m, GONE_SHOWN, true).await?;
    }
    b.open_card(GONE, GONE_SHOWN).await?;
    b.wait_text("Ответственный: на бирже с").await?;
    b.wait_offline_ready().await?;

    // B takes it with no network: at once it is B's on B's device.
    relay.stop().await?;
    b.wait_text("Нет связи").await?;
    b.goto("/exchange").await?;
    wait_in_exchange(&b, GONE_SHOWN, true).await?;
    take(&b, GONE_SHOWN).await?;
    b.wait_text("Клиент теперь ваш").await?;
    wait_in_exchange(&b, GONE_SHOWN, false).await?;
    b.goto("/").await?;
    wait_row(&b, GONE_SHOWN, "Смирнова", |(r, z)| {
        r == "Анна Смирнова" && z == "Зелёная"
    })
    .await?;
    // B's tab closes before the relay is back, with the take unsent.
    b.client.goto("about:blank").await?;

    // A, online, takes it first.
    relay.restart().await?;
    a.wait_all_sent().await?;
    a.goto("/exchange").await?;
    wait_in_exchange(&a, GONE_SHOWN, true).await?;
    take(&a, GONE_SHOWN).await?;
    a.wait_text("Клиент теперь ваш").await?;
    a.wait_all_sent().await?;
    a.goto("/").await?;
    wait_row(&a, GONE_SHOWN, "Петров", |(r, z)| {
        r == "Павел Петров" && z == "Зелёная"
    })
    .await?;

    // B comes back: the relay refuses the take, B is told why, and the
    // client leaves B's device (it is A's, whom B cannot read).
    b.goto("/").await?;
    b.wait_text("Этого клиента уже взял из биржи другой менеджер")
        .await?;
    eventually(async || {
        Ok(match list_row(&b, GONE_SHOWN).await.unwrap_or_default() {
            None => Ok(()),
            Some(row) => Err(format!("B still lists the client: {row:?}")),
        })
    })
    .await?;
    b.goto("/exchange").await?;
    b.wait_text("на бирже:").await?;
    wait_in_exchange(&b, GONE_SHOWN, false).await?;

    // The supervisor sees it with A, and the dashboard counts it.
    s.goto("/").await?;
    wait_row(&s, GONE_SHOWN, "Петров", |(r, _)| r == "Павел Петров").await?;
    // Taken on its first day there, it counts as contact that day: one
    // more green client of Petrov's, one fewer in the exchange.
    let after = dashboard(&s).await?;
    assert_eq!(
        after,
        (before.0 + 1, before.1 - 1),
        "(Petrov's green, the exchange)"
    );
    s.close().await?;
    a.close().await?;
    b.close().await
}

/// Picks `n` rows of the list by clicking them, scrolling as it goes.
async fn pick_rows(b: &Browser, n: usize) -> Result {
    eventually(async || {
        let v = b
            .js(
                "const want = arguments[0];
                const viewport = document.querySelector('.client-list__viewport');
                const picked = () => Number(document.querySelector('[data-testid=picked-count]')
                    .innerText.replace(/\\D/g, ''));
                // The count is drawn after the clicks: count them here.
                let n = picked();
                for (const row of document.querySelectorAll('.client-list__canvas a.client-row:not([aria-selected=true])')) {
                    if (n >= want) break;
                    row.click();
                    n += 1;
                }
                if (n < want) viewport.scrollTop += viewport.clientHeight;
                return n;",
                vec![json!(n)],
            )
            .await?;
        let picked = v.as_u64().unwrap_or(0) as usize;
        Ok(if picked >= n {
            Ok(())
        } else {
            Err(format!("picked {picked} of {n}"))
        })
    })
    .await
}

/// The number in "Клиентов: N" / "N клиентов" of the list.
async fn listed(b: &Browser) -> Result<usize> {
    let text = b.inner_text("[data-testid=clients-count]").await?;
    Ok(text
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()?)
}

/// The number the supervisor's list shows under the filter `choices`
/// (label, option), the others reset.
async fn count_under(s: &Browser, choices: &[(&str, &str)]) -> Result<usize> {
    s.goto("/").await?;
    s.wait_text("Все статусы (").await?;
    let everyone = listed(s).await?;
    for (label, option) in choices {
        s.choose(label, option).await?;
    }
    eventually(async || {
        let now = listed(s).await?;
        Ok(if now < everyone {
            Ok(now)
        } else {
            Err(format!("the filter never applied: {now} listed"))
        })
    })
    .await
}

/// Waits until manager `m`'s device lists `want` clients.
async fn wait_listed(m: &Browser, want: usize) -> Result {
    eventually(async || {
        let now = listed(m).await?;
        Ok(if now == want {
            Ok(())
        } else {
            Err(format!("the manager lists {now}, not {want}"))
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_gives_fifty_clients_of_one_manager_to_another_at_once() -> Result {
    let data = kartoteka_tests::TempDir::new("bulk-give")?;
    let relay = Relay::start(data.path(), 160).await?;
    let s = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    let smirnova = Browser::logged_in(&relay, "smirnova", LAPTOP).await?;

    // A manager's device holds her clients and the exchange: as many as
    // the supervisor counts under those filters.
    let hers = count_under(&s, &[("Ответственный", "Анна Смирнова")]).await?;
    let exchange = count_under(&s, &[("Зона", "Биржа")]).await?;
    wait_listed(&smirnova, hers + exchange).await?;

    // Fifty of Petrov's clients, picked in the list, go to Smirnova.
    let petrovs = count_under(&s, &[("Ответственный", "Павел Петров")]).await?;
    assert!(petrovs >= 50, "Petrov has {petrovs} clients");
    s.click("Выбрать клиентов").await?;
    pick_rows(&s, 50).await?;
    assert_eq!(
        s.inner_text("[data-testid=picked-count]").await?,
        "Выбрано: 50"
    );
    s.choose("Передать менеджеру", "Анна Смирнова").await?;
    s.click("Передать (50)").await?;
    s.wait_text("Передано 50 клиентов менеджеру Анна Смирнова.")
        .await?;
    s.wait_all_sent().await?;
    // The filter still shows Petrov's: 50 fewer.
    wait_listed(&s, petrovs - 50).await?;
    assert_eq!(
        count_under(&s, &[("Ответственный", "Анна Смирнова")]).await?,
        hers + 50
    );

    // Smirnova's device gets all 50 as hers, without a reload.
    wait_listed(&smirnova, hers + exchange + 50).await?;
    smirnova.goto("/?zone=exchange").await?;
    smirnova.wait_text("на бирже с").await?;
    smirnova.close().await?;
    s.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exchange_and_the_filtered_list_look_right_in_russian_and_english() -> Result {
    let (_data, relay) = Relay::demo("exchange-looks").await?;
    for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
        for login in ["petrov", "orlova"] {
            let b = Browser::logged_in(&relay, login, size).await?;
            for lang in ["ru", "en"] {
                if lang == "en" {
                    b.goto("/").await?;
                    b.click("EN").await?;
                    b.wait_text("New client").await?;
                }
                b.goto("/exchange").await?;
                wait_in_exchange(&b, GONE_SHOWN, true).await?;
                b.assert_fits().await?;
                b.shot(&format!("exchange-{login}-{tag}-{lang}.png"))
                    .await?;
                b.goto("/?zone=red&sort=-activity").await?;
                b.wait_text(if lang == "ru" {
                    "Красная"
                } else {
                    "Red"
                })
                .await?;
                b.assert_fits().await?;
                b.shot(&format!("list-red-{login}-{tag}-{lang}.png"))
                    .await?;
                // The client that goes to the exchange tomorrow.
                eventually(async || {
                    let clicked = b
                        .js(
                            "const row = [...document.querySelectorAll('.client-list__canvas a.client-row')]
                                .find(r => r.innerText.includes('Последний звонок'));
                            if (row) row.click();
                            return !!row;",
                            vec![],
                        )
                        .await?;
                    Ok(if clicked == json!(true) { Ok(()) } else { Err("no red row of «Последний звонок»".to_owned()) })
                })
                .await?;
                b.wait_text(if lang == "ru" {
                    "до биржи"
                } else {
                    "to the exchange"
                })
                .await?;
                b.shot(&format!("card-edge-{login}-{tag}-{lang}.png"))
                    .await?;
            }
            b.close().await?;
        }
    }
    Ok(())
}
