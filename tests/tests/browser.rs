//! Kartoteka in a real browser, with the relay running (and then not):
//! each test is a short story of what a sales manager does.

use kartoteka_tests::{Browser, LAPTOP, PASSWORD, Relay, Result, TABLET};

/// Logs in as the manager Petrov and waits for the client list.
async fn manager(relay: &Relay, size: (u32, u32)) -> Result<Browser> {
    Browser::logged_in(relay, "petrov", size).await
}

#[tokio::test(flavor = "multi_thread")]
async fn manager_creates_a_client_with_a_contact_edits_it_and_finds_it_after_reload() -> Result {
    let (_data, relay) = Relay::demo("create").await?;
    let b = manager(&relay, LAPTOP).await?;

    b.create_client("Ромашка-Трейд", "7707083893", "+7 (495) 925-05-31")
        .await?;
    b.wait_text("ООО").await.ok();
    b.wait_text("Ромашка-Трейд").await?;

    b.click("Добавить контактное лицо").await?;
    b.fill("ФИО", "Лебедева Мария Петровна").await?;
    b.fill("Должность", "Главный бухгалтер").await?;
    b.click("Сохранить контактное лицо").await?;
    b.wait_text("Лебедева Мария Петровна").await?;

    b.click("Изменить").await?;
    b.fill("Сайт", "romashka-trade.ru").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("romashka-trade.ru").await?;

    b.reload().await?;
    b.wait_text("Лебедева Мария Петровна").await?;
    b.wait_text("romashka-trade.ru").await?;
    b.wait_text("7707083893").await?;

    // And it is in the list, found by its INN.
    b.goto("/").await?;
    b.fill("Найти клиента", "770708").await?;
    b.wait_text("Ромашка-Трейд").await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_relay_stopped_the_app_opens_shows_the_base_and_keeps_offline_edits() -> Result {
    let (_data, mut relay) = Relay::demo("offline").await?;
    let b = manager(&relay, LAPTOP).await?;
    b.create_client("Полярная Звезда", "", "8 912 345 67 89")
        .await?;
    b.wait_offline_ready().await?;
    b.goto("/").await?;
    b.wait_text("Полярная Звезда").await?;
    let count = b.inner_text("[data-testid=clients-count]").await?;
    assert!(
        count.contains("клиент"),
        "the list shows its size: {count:?}"
    );
    b.fill("Найти клиента", "Полярная").await?;
    b.press("Найти клиента", "\u{E007}").await?;
    b.wait_text("Контактные лица").await?;

    relay.stop().await?;
    b.reload().await?;
    b.wait_text("Полярная Звезда").await?;
    b.wait_text("Нет связи").await?;

    // Edit offline, then reload, still offline: the edit is there.
    b.click("Изменить").await?;
    b.fill("Отрасль", "Судостроение").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Сохранено на устройстве").await?;
    b.reload().await?;
    b.wait_text("Судостроение").await?;

    // The list opens offline too, with the whole base downloaded at login.
    b.goto("/").await?;
    b.wait_text("Полярная Звезда").await?;
    b.wait_text(&count).await?;

    // The relay comes back: the indicator says so.
    relay.restart().await?;
    b.reload().await?;
    b.wait_text("В сети").await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_empty_name_and_bad_email_get_clear_messages_and_lose_nothing() -> Result {
    let (_data, relay) = Relay::demo("errors").await?;
    let b = Browser::open(&relay.url(), LAPTOP.0, LAPTOP.1).await?;
    b.goto("/").await?;

    b.log_in("petrov", "не тот пароль").await?;
    b.wait_text("Неверный логин или пароль").await?;
    b.log_in("petrov", PASSWORD).await?;
    b.wait_text("Новый клиент").await?;

    // A card without a name is not created.
    b.click("Новый клиент").await?;
    b.fill("ИНН", "7707083893").await?;
    b.click("Создать клиента").await?;
    b.wait_text("Исправьте отмеченные поля").await?;
    assert_eq!(b.error_of("Название").await?, "Заполните это поле");
    // A wrong check digit is named as such.
    b.fill("Название", "Северный Ветер").await?;
    b.fill("ИНН", "7707083894").await?;
    b.click("Создать клиента").await?;
    b.wait_text("Исправьте отмеченные поля").await?;
    assert!(b.error_of("ИНН").await?.contains("Контрольная цифра"));
    b.fill("ИНН", "7707083893").await?;
    b.click("Создать клиента").await?;
    b.wait_text("Сохранено на устройстве").await?;

    // A malformed e-mail on an existing card: refused next to the field,
    // and what was saved before is still there after a reload.
    b.click("Изменить").await?;
    b.click("Добавить e-mail").await?;
    b.fill("E-mail", "info@@север").await?;
    b.fill("Отрасль", "Этого не должно сохраниться").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Исправьте отмеченные поля").await?;
    assert!(!b.error_of("E-mail").await?.is_empty());
    b.goto("/").await?;
    b.fill("Найти клиента", "Северный").await?;
    b.wait_text("Северный Ветер").await?;
    b.reload().await?;
    b.wait_text("Новый клиент").await?;
    let text = b.text().await?;
    assert!(!text.contains("Этого не должно сохраниться"));
    b.close().await
}

/// Screenshots a person looks at, in both languages, on a laptop and a
/// tablet; each page must fit its width with no sideways scrolling.
#[tokio::test(flavor = "multi_thread")]
async fn the_list_and_the_card_fit_a_laptop_and_a_tablet_in_russian_and_english() -> Result {
    let (_data, relay) = Relay::demo("looks").await?;
    for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
        let b = manager(&relay, size).await?;
        for lang in ["ru", "en"] {
            b.goto("/").await?;
            if lang == "en" {
                b.click("EN").await?;
                b.wait_text("New client").await?;
            }
            b.wait_text(if lang == "ru" {
                "Ответственный"
            } else {
                "Responsible"
            })
            .await
            .ok();
            b.assert_fits().await?;
            b.shot(&format!("list-{lang}-{tag}.png")).await?;
            let first = b
                .js("const r = document.querySelector('.client-list__canvas a.client-row'); r && r.click(); return !!r;", vec![])
                .await?;
            assert_eq!(first.as_bool(), Some(true), "the demo base has clients");
            b.wait_text(if lang == "ru" {
                "Контактные лица"
            } else {
                "Contact persons"
            })
            .await?;
            b.assert_fits().await?;
            b.shot(&format!("card-{lang}-{tag}.png")).await?;
        }
        b.close().await?;
    }
    Ok(())
}
