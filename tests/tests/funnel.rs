//! Sales scenarios in the settings and the sales funnel in a real browser
//! (issue 6): an administrator edits the lead scenario, a supervisor reads
//! the funnel of the demo base and narrows it to one manager.

use fantoccini::Locator;
use kartoteka_tests::{Browser, LAPTOP, Relay, Result, TABLET, eventually};
use serde_json::json;

const ENTER: &str = "\u{E007}";

/// Presses Enter on the button named (by its `aria-label`) `name`, as a
/// keyboard user does.
async fn press_button(b: &Browser, name: &str) -> Result {
    let css = format!("button[aria-label=\"{name}\"]");
    b.client
        .find(Locator::Css(&css))
        .await?
        .send_keys(ENTER)
        .await?;
    Ok(())
}

/// The `aria-label` of the focused element.
async fn focused_label(b: &Browser) -> Result<String> {
    let v = b
        .js(
            "return document.activeElement ? (document.activeElement.getAttribute('aria-label') || '') : ''",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// One row of the funnel table: the state and its three numbers as shown.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    state: String,
    reached: String,
    conversion: String,
    dropped: String,
}

impl Row {
    fn reached(&self) -> u64 {
        digits(&self.reached)
    }
}

/// The number a formatted count shows (`1 234` → 1234).
fn digits(s: &str) -> u64 {
    s.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

async fn funnel_rows(b: &Browser) -> Result<Vec<Row>> {
    let v = b
        .js(
            r#"return [...document.querySelectorAll('[data-testid="funnel-table"] tbody tr')]
                .map(tr => [...tr.children].map(c => c.innerText.trim()));"#,
            vec![],
        )
        .await?;
    let rows = v
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let cell = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
                    Row {
                        state: cell(0),
                        reached: cell(1),
                        conversion: cell(2),
                        dropped: cell(3),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(rows)
}

/// Opens the funnel from the menu and reads its table.
async fn open_funnel(b: &Browser) -> Result<Vec<Row>> {
    b.click("Отчёты").await?;
    b.click("Воронка продаж").await?;
    b.wait_text("По состояниям").await?;
    funnel_rows(b).await
}

/// Waits until the funnel table shows rows different from `before`.
async fn funnel_changed(b: &Browser, before: &[Row]) -> Result<Vec<Row>> {
    eventually(async || {
        let now = funnel_rows(b).await?;
        Ok(if !now.is_empty() && now != before {
            Ok(now)
        } else {
            Err(format!("the funnel stayed {now:?}"))
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_adds_a_state_to_the_lead_scenario_and_an_empty_name_is_refused_in_words()
-> Result {
    let (_data, relay) = Relay::demo("funnel-settings").await?;
    let b = Browser::logged_in(&relay, "admin", LAPTOP).await?;
    b.click("Настройки").await?;
    b.click("Сценарии").await?;
    b.wait_text("Сценарии продаж и направления").await?;
    assert_eq!(b.value_of("Название (рус.)").await?, "Лиды");

    // A new state goes before the completions (the 5th of the lead scenario).
    b.click("Добавить состояние").await?;
    b.fill_nth("Название (рус.)", 5, "Встреча").await?;
    b.fill_nth(
        "Критерий перехода (рус.)",
        4,
        "Встреча с клиентом назначена",
    )
    .await?;
    // Moved up above Follow-up with the keyboard; the focus stays on it.
    press_button(&b, "Переместить «Встреча» выше").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(focused_label(&b).await?, "Переместить «Встреча» выше");
    assert_eq!(b.value_of_nth("Название (рус.)", 4).await?, "Встреча");
    b.click("Сохранить настройки").await?;
    b.wait_text("Сценарии и направления сохранены").await?;

    // It is there after a reload.
    b.reload().await?;
    b.wait_text("Сценарии продаж и направления").await?;
    assert_eq!(b.value_of_nth("Название (рус.)", 4).await?, "Встреча");

    // A state with no name is refused, in words that say which.
    b.fill_nth("Название (рус.)", 4, "").await?;
    b.click("Сохранить настройки").await?;
    b.wait_text("У состояния 4 сценария «Лиды» нет названия.")
        .await?;
    b.click("Отменить изменения").await?;
    b.wait_text_gone("нет названия").await?;

    // A state Interests are in cannot be deleted.
    press_button(&b, "Удалить состояние «Новый»").await?;
    b.wait_text("Состояние «Новый» нельзя удалить: в нём сейчас")
        .await?;
    // Nor the scenario service types follow.
    b.click("Удалить сценарий").await?;
    b.wait_text("Сценарий «Лиды» нельзя удалить: по нему работает направление")
        .await?;

    // The funnel shows the new state as a step.
    let rows = open_funnel(&b).await?;
    let states: Vec<&str> = rows.iter().map(|r| r.state.as_str()).collect();
    assert_eq!(
        states,
        [
            "Новый",
            "В обработке",
            "Предложение",
            "Встреча",
            "Дожатие",
            "Сконвертирован"
        ]
    );
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_reads_the_funnel_of_the_demo_base_and_one_manager_has_fewer_interests()
-> Result {
    let (_data, relay) = Relay::demo("funnel-report").await?;
    let b = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    let all = open_funnel(&b).await?;
    let states: Vec<&str> = all.iter().map(|r| r.state.as_str()).collect();
    // Rejected is not a step: it is where Interests drop out.
    assert_eq!(
        states,
        [
            "Новый",
            "В обработке",
            "Предложение",
            "Дожатие",
            "Сконвертирован"
        ]
    );
    assert!(all[0].reached() > 0, "the demo base has Interests: {all:?}");
    for w in all.windows(2) {
        assert!(w[1].reached() <= w[0].reached(), "cumulative: {all:?}");
    }
    assert_eq!(all[0].conversion, "—");
    for r in &all[1..] {
        if r.conversion != "—" {
            assert!(r.conversion.contains('%'), "a percentage: {r:?}");
        }
    }
    assert!(
        all.iter().any(|r| digits(&r.dropped) > 0),
        "some demo Interests were rejected: {all:?}"
    );
    b.wait_text("Итоговая конверсия").await?;

    b.choose("Менеджер", "Павел Петров").await?;
    let petrov = funnel_changed(&b, &all).await?;
    assert!(
        petrov[0].reached() < all[0].reached(),
        "one manager's funnel is smaller: {petrov:?} vs {all:?}"
    );

    // A period in which nothing was created.
    b.choose("Менеджер", "Все менеджеры").await?;
    let id = b.control_id("Созданы с", 0).await?;
    b.js(
        r#"const el = document.getElementById(arguments[0]);
        el.value = '2001-01-01';
        el.dispatchEvent(new Event('input', { bubbles: true }));
        const to = document.getElementById('funnel-to');
        to.value = '2001-12-31';
        to.dispatchEvent(new Event('input', { bubbles: true }));"#,
        vec![json!(id)],
    )
    .await?;
    b.wait_text("Нет интересов по этому сценарию за выбранный период.")
        .await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_sees_only_their_own_funnel() -> Result {
    let (_data, relay) = Relay::demo("funnel-manager").await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    b.click("Отчёты").await?;
    b.click("Воронка продаж").await?;
    b.wait_text("По состояниям").await?;
    let v = b
        .js(
            "const s = document.getElementById('funnel-manager'); return [s.disabled, s.options.length, s.options[s.selectedIndex].text];",
            vec![],
        )
        .await?;
    assert_eq!(v, json!([true, 1, "Павел Петров"]));
    // Nor does a manager get to the sales settings.
    let link = b
        .js(
            "return !!document.querySelector('a[href=\"/settings/sales\"]')",
            vec![],
        )
        .await?;
    assert_eq!(link.as_bool(), Some(false));
    b.close().await
}

/// Screenshots a person looks at: the funnel and the sales settings, on a
/// laptop and a tablet, in Russian; nothing may scroll sideways.
#[tokio::test(flavor = "multi_thread")]
async fn the_funnel_and_the_sales_settings_fit_a_laptop_and_a_tablet() -> Result {
    let (_data, relay) = Relay::demo("funnel-looks").await?;
    for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
        let b = Browser::logged_in(&relay, "orlova", size).await?;
        b.goto("/reports/funnel").await?;
        b.wait_text("По состояниям").await?;
        b.shot(&format!("funnel-ru-{tag}.png")).await?;
        b.assert_fits().await?;
        b.close().await?;

        let b = Browser::logged_in(&relay, "admin", size).await?;
        b.goto("/settings/sales").await?;
        b.wait_text("Сценарии продаж и направления").await?;
        b.shot(&format!("sales-settings-ru-{tag}.png")).await?;
        b.assert_fits().await?;
        b.scroll_to(".state-editor", 3, 110).await?;
        b.shot(&format!("sales-settings-states-ru-{tag}.png"))
            .await?;
        b.scroll_to("#types-title", 0, 70).await?;
        b.shot(&format!("sales-settings-types-ru-{tag}.png"))
            .await?;
        b.close().await?;
    }
    Ok(())
}
