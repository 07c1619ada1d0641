//! Notices (issue 15 item 7) in real browsers: a supervisor gives one of a
//! manager's clients to another manager and the manager's bell counts it
//! at once, without a reload; opening the list reads it, and a reload
//! keeps it read; a client given to him is told as given. Screenshots of
//! the open list in Russian and English, on a laptop and a tablet.

use kartoteka_tests::{Browser, LAPTOP, Relay, Result, TABLET, eventually};
use serde_json::{Value, json};

/// The bell's label (what a screen reader says of it) and its badge.
async fn bell(b: &Browser) -> Result<(String, Option<String>)> {
    let v = b
        .js(
            r#"const bell = document.querySelector('[data-testid=bell]');
            if (!bell) return null;
            const badge = bell.querySelector('[data-testid=bell-count]');
            return [bell.getAttribute('aria-label'), badge ? badge.innerText.trim() : null];"#,
            vec![],
        )
        .await?;
    match v {
        Value::Array(a) => Ok((
            a[0].as_str().unwrap_or_default().to_owned(),
            a[1].as_str().map(str::to_owned),
        )),
        _ => Err("no bell in the header".into()),
    }
}

/// Waits until the bell's label is `label` (and its badge `badge`).
async fn wait_bell(b: &Browser, label: &str, badge: Option<&str>) -> Result {
    eventually(async || {
        let now = bell(b).await?;
        Ok(if now.0 == label && now.1.as_deref() == badge {
            Ok(())
        } else {
            Err(format!("the bell says {now:?}, not {label:?} {badge:?}"))
        })
    })
    .await
}

/// Whether the list of notices is open.
async fn list_open(b: &Browser) -> Result<bool> {
    Ok(b.js(
        "return document.getElementById('notices-panel') !== null;",
        vec![],
    )
    .await?
    .as_bool()
        == Some(true))
}

/// Opens the list with the bell (unless it is open), and waits for it to
/// take the keyboard focus.
async fn open_list(b: &Browser) -> Result {
    if list_open(b).await? {
        return Ok(());
    }
    b.js(
        "document.querySelector('[data-testid=bell]').click();",
        vec![],
    )
    .await?;
    eventually(async || {
        let focused = b
            .js(
                r#"const panel = document.getElementById('notices-panel');
                return panel !== null && panel.contains(document.activeElement);"#,
                vec![],
            )
            .await?;
        Ok(if focused.as_bool() == Some(true) {
            Ok(())
        } else {
            Err("the list of notices did not open, or has not the focus".to_owned())
        })
    })
    .await
}

/// The open list's notices, each as its text, and whether it is marked new.
async fn notices(b: &Browser) -> Result<Vec<(String, bool)>> {
    let v = b
        .js(
            r#"return [...document.querySelectorAll('#notices-panel li.bell-item')]
                .map(li => [li.innerText, li.classList.contains('bell-item--new')]);"#,
            vec![],
        )
        .await?;
    Ok(v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or_default().replace('\u{a0}', " "),
                        r[1].as_bool() == Some(true),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Presses Escape where the focus is, and checks that the list closed and
/// the focus went back to the bell.
async fn escape_to_the_bell(b: &Browser) -> Result {
    b.js(
        r#"const el = document.activeElement || document.body;
        el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));"#,
        vec![],
    )
    .await?;
    eventually(async || {
        let v = b
            .js(
                r#"const a = document.activeElement;
                return [document.getElementById('notices-panel') === null,
                    a !== null && a.dataset.testid === 'bell',
                    a ? a.tagName + '#' + a.id + '.' + a.className : 'none'];"#,
                vec![],
            )
            .await?;
        Ok(
            if v[0].as_bool() == Some(true) && v[1].as_bool() == Some(true) {
                Ok(())
            } else {
                Err(format!(
                    "Escape left the list open or the focus elsewhere: {v}"
                ))
            },
        )
    })
    .await
}

/// A supervisor gives client `name` to the manager `to` on its card.
async fn give(supervisor: &Browser, query: &str, name: &str, to: &str) -> Result {
    supervisor.open_card(query, name).await?;
    supervisor.click("Изменить").await?;
    supervisor.choose("Ответственный", to).await?;
    supervisor.click("Сохранить изменения").await?;
    supervisor.wait_text("Контактные лица").await?;
    supervisor.wait_all_sent().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_hears_at_once_that_his_client_was_given_to_another_and_that_one_was_given_to_him()
-> Result {
    let (_data, relay) = Relay::demo("notices").await?;
    let petrov = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let orlova = Browser::logged_in(&relay, "orlova", LAPTOP).await?;

    // A first login is not news: nothing to read, and the list says so.
    wait_bell(&petrov, "Уведомления", None).await?;
    open_list(&petrov).await?;
    petrov.wait_text("Уведомлений нет").await?;
    petrov.shot("notices-empty-ru-laptop.png").await?;
    escape_to_the_bell(&petrov).await?;

    petrov
        .create_client("Колокольчик и Ко", "", "+7 (495) 925-05-41")
        .await?;
    petrov.wait_all_sent().await?;
    petrov.goto("/").await?;
    petrov.wait_text("Колокольчик и Ко").await?;

    // The supervisor gives it to Smirnova: Petrov's device hears it live,
    // drops the client (it is not his to read any more) and rings.
    give(&orlova, "Колокольчик", "Колокольчик и Ко", "Анна Смирнова").await?;
    wait_bell(&petrov, "Уведомления: 1 непрочитанное", Some("1")).await?;
    petrov.wait_text_gone("Колокольчик и Ко").await?;

    open_list(&petrov).await?;
    let list = notices(&petrov).await?;
    assert_eq!(list.len(), 1, "{list:?}");
    let (text, new) = &list[0];
    assert!(text.contains("Колокольчик и Ко"), "{text}");
    assert!(
        text.contains("Передан другому менеджеру: Анна Смирнова"),
        "{text}"
    );
    assert!(text.contains("Ольга Орлова"), "who did it: {text}");
    assert!(*new, "marked new while the list is open");
    // Opened: read. The count is gone at once.
    wait_bell(&petrov, "Уведомления", None).await?;
    escape_to_the_bell(&petrov).await?;

    // And stays gone after a reload; the notice is still there, read.
    petrov.reload().await?;
    petrov.wait_text("Новый клиент").await?;
    wait_bell(&petrov, "Уведомления", None).await?;
    open_list(&petrov).await?;
    eventually(async || {
        let list = notices(&petrov).await?;
        Ok(match list.as_slice() {
            [(text, false)] if text.contains("Колокольчик и Ко") => Ok(()),
            other => Err(format!("after a reload the list shows {other:?}")),
        })
    })
    .await?;
    escape_to_the_bell(&petrov).await?;

    // A client the supervisor gives him is told as given.
    orlova
        .create_client("Подарок и Ко", "", "+7 (495) 925-05-42")
        .await?;
    orlova.wait_all_sent().await?;
    give(&orlova, "Подарок", "Подарок и Ко", "Павел Петров").await?;
    wait_bell(&petrov, "Уведомления: 1 непрочитанное", Some("1")).await?;
    petrov.shot("notices-bell-ru-laptop.png").await?;
    open_list(&petrov).await?;
    let list = notices(&petrov).await?;
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list[0].0.contains("Подарок и Ко"), "newest first: {list:?}");
    assert!(list[0].0.contains("Передан вам"), "{list:?}");
    assert!(list[0].0.contains("Ольга Орлова"), "{list:?}");
    assert!(list[0].1 && !list[1].1, "only the new one is new: {list:?}");

    // Screenshots of the open list, Russian and English, laptop and
    // tablet: the first with the new notice marked. (A language switch
    // draws the app anew, which closes the list; opened again, all is read.)
    for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
        petrov.client.set_window_size(size.0, size.1).await?;
        for lang in ["ru", "en"] {
            if lang == "en" {
                escape_to_the_bell(&petrov).await?;
                petrov.click("EN").await?;
                petrov.wait_text("New client").await?;
            }
            open_list(&petrov).await?;
            petrov
                .wait_text(if lang == "ru" {
                    "Передан вам"
                } else {
                    "Given to you"
                })
                .await?;
            petrov.assert_fits().await?;
            petrov.shot(&format!("notices-{lang}-{tag}.png")).await?;
        }
        escape_to_the_bell(&petrov).await?;
        petrov.click("RU").await?;
        petrov.wait_text("Новый клиент").await?;
    }
    petrov.client.set_window_size(LAPTOP.0, LAPTOP.1).await?;

    // The client's name is a link to its card; following it closes the list.
    open_list(&petrov).await?;
    petrov
        .js(
            r#"const a = [...document.querySelectorAll('#notices-panel a')]
                .find(a => a.innerText.includes(arguments[0]));
            a.click();"#,
            vec![json!("Подарок и Ко")],
        )
        .await?;
    petrov.wait_text("Контактные лица").await?;
    petrov.wait_text("Подарок и Ко").await?;
    assert!(
        !list_open(&petrov).await?,
        "following a link closes the list"
    );

    petrov.close().await?;
    orlova.close().await
}
