//! Interests and sales scenarios in a real browser (issue 6): registering
//! requests from a search, potential clients, moving Interests between
//! scenario states on the board and on the card, logging calls, and the
//! screenshots of "My sales" and the registration form.

use kartoteka_tests::{Browser, LAPTOP, Relay, Result, TABLET, eventually};
use serde_json::json;

/// Logs in and waits until the search (which registration starts with)
/// is ready.
async fn logged_in(relay: &Relay, login: &str, size: (u32, u32)) -> Result<Browser> {
    let b = Browser::logged_in(relay, login, size).await?;
    b.search_ready().await?;
    Ok(b)
}

/// Clicks the client the picker found whose name starts with `name`.
async fn pick_client(b: &Browser, name: &str) -> Result {
    eventually(async || {
        let v = b
            .js(
                r#"const b = [...document.querySelectorAll('.merge-candidate')]
                    .find(x => x.querySelector('.merge-candidate__name').innerText.trim() === arguments[0]);
                if (!b) return false;
                b.click();
                return true;"#,
                vec![json!(name)],
            )
            .await?;
        Ok(if v.as_bool() == Some(true) {
            Ok(())
        } else {
            Err(format!("the picker never offered {name:?}"))
        })
    })
    .await
}

/// The "Этап" select of the Interest whose content is `content`, on the
/// card: chooses `state` and presses "Перевести".
async fn move_on_card(b: &Browser, content: &str, state: &str) -> Result {
    let v = b
        .js(
            r#"const [content, state] = arguments;
            for (const li of document.querySelectorAll('li.interest')) {
                if (!li.querySelector('.interest__content').innerText.includes(content)) continue;
                const s = li.querySelector('.move-control select');
                const o = [...s.options].find(o => o.text.trim() === state);
                if (!o) return 'no state';
                s.value = o.value;
                s.dispatchEvent(new Event('change', { bubbles: true }));
                [...li.querySelectorAll('button')].find(x => x.innerText.trim() === 'Перевести').click();
                return 'ok';
            }
            return 'no interest';"#,
            vec![json!(content), json!(state)],
        )
        .await?;
    match v.as_str() {
        Some("ok") => Ok(()),
        other => Err(format!("moving {content:?} to {state:?}: {other:?}").into()),
    }
}

/// The id of the board card showing `content`, and its column's state.
async fn deal(b: &Browser, content: &str) -> Result<(String, String)> {
    eventually(async || {
        let v = b
            .js(
                r#"const li = [...document.querySelectorAll('[data-testid=deal]')]
                    .find(x => x.innerText.includes(arguments[0]));
                return li ? [li.id, li.closest('[data-state]').dataset.state] : null;"#,
                vec![json!(content)],
            )
            .await?;
        if let (Some(id), Some(state)) = (v[0].as_str(), v[1].as_str()) {
            return Ok(Ok((id.to_owned(), state.to_owned())));
        }
        let shown = b.text().await.unwrap_or_default();
        Ok(Err(format!(
            "the board shows no {content:?}; the page shows:\n{shown}"
        )))
    })
    .await
}

async fn wait_deal_in(b: &Browser, content: &str, state: &str) -> Result {
    eventually(async || {
        let (_, now) = deal(b, content).await?;
        Ok(if now == state {
            Ok(())
        } else {
            Err(format!("{content:?} stayed in {now:?}, expected {state:?}"))
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_of_a_found_client_shows_its_open_interests_then_a_call_is_logged_and_the_sale_converted()
-> Result {
    let (_data, relay) = Relay::demo("sales-found").await?;
    let b = logged_in(&relay, "petrov", LAPTOP).await?;
    b.create_client("Альфа-Сервис", "7736207543", "+7 495 111-22-33")
        .await?;
    b.click("Новый интерес").await?;
    b.fill("Содержание", "Ремонт линии розлива").await?;
    b.click("Добавить интерес").await?;
    b.wait_text("Сохранено на устройстве").await?;

    // Registration starts with a search; the client's open Interest is
    // shown before a new one is made.
    b.goto("/sales").await?;
    b.click("Зарегистрировать интерес").await?;
    b.wait_text("Сначала найдите клиента").await?;
    b.fill(
        "Клиент: название, ИНН, телефон, e-mail или контактное лицо",
        "77362075",
    )
    .await?;
    pick_client(&b, "Альфа-Сервис").await?;
    b.wait_text("У клиента есть незавершённые интересы: 1")
        .await?;
    b.wait_text("Ремонт линии розлива").await?;
    // Nothing typed: refused next to the field, nothing saved.
    b.click("Зарегистрировать интерес").await?;
    let error = b.error_of("Содержание").await?;
    assert_eq!(error, "Опишите, что нужно клиенту.");
    b.fill("Содержание", "Запчасти к линии").await?;
    b.choose("Направление", "Сервисное обслуживание").await?;
    b.click("Зарегистрировать интерес").await?;
    b.wait_text("Интерес зарегистрирован").await?;
    b.wait_text("Статус работы с клиентом").await?;
    b.wait_text("Запчасти к линии").await?;
    b.wait_text("Ремонт линии розлива").await?;

    // A call about the new Interest.
    b.click("Записать событие").await?;
    b.choose("По интересу", "Запчасти к линии").await?;
    b.click("Записать").await?;
    assert_eq!(b.error_of("Результат").await?, "Заполните это поле");
    b.fill("Результат", "Договорились о встрече в четверг")
        .await?;
    b.click("Записать").await?;
    b.wait_text("Событие записано").await?;
    let timeline = b.inner_text("[data-testid=timeline]").await?;
    assert!(
        timeline.contains("Звонок")
            && timeline.contains("Договорились о встрече в четверг · Запчасти к линии"),
        "the timeline shows the call about the Interest:\n{timeline}"
    );

    // The sale is converted on the card: the Interest ends successfully.
    move_on_card(&b, "Запчасти к линии", "Сконвертирован").await?;
    b.wait_text("Интерес переведён: «Сконвертирован»").await?;
    b.wait_text("Успешно").await?;
    b.reload().await?;
    b.wait_text("Запчасти к линии").await?;
    b.wait_text("Успешно").await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_potential_clients_interest_is_refused_a_stage_that_needs_a_client_until_it_is_linked()
-> Result {
    let (_data, relay) = Relay::demo("sales-potential").await?;
    let b = logged_in(&relay, "petrov", LAPTOP).await?;
    b.create_client("Ромашка-Трейд", "7707083893", "+7 (495) 925-05-31")
        .await?;

    b.goto("/sales/new").await?;
    b.fill(
        "Клиент: название, ИНН, телефон, e-mail или контактное лицо",
        "Иван Гончаров",
    )
    .await?;
    b.wait_text("Никого не нашли").await?;
    b.click("Клиента нет в базе").await?;
    // The search text looks like a person's name: it is taken as one.
    assert_eq!(b.value_of("ФИО").await?, "Иван Гончаров");
    assert_eq!(b.value_of("Компания").await?, "");
    b.fill("Телефон", "+7 916 555-12-34").await?;
    b.fill("Содержание", "Прайс на насосы").await?;
    b.click("Зарегистрировать без карточки").await?;
    b.wait_text("Интерес зарегистрирован").await?;
    b.wait_text("Потенциальный клиент").await?;
    b.wait_text("Иван Гончаров").await?;

    // The potential client is no client: the base does not list it.
    b.goto("/").await?;
    b.fill("Найти клиента", "Гончаров").await?;
    b.wait_text("Никого не нашли").await?;

    // On the board, it moves to "В обработке" by the keyboard, but not to
    // "Предложение", which needs a client in the base.
    b.goto("/sales").await?;
    let (id, state) = deal(&b, "Прайс на насосы").await?;
    assert_eq!(state, "new");
    b.press_on(&id, "\u{E014}").await?;
    wait_deal_in(&b, "Прайс на насосы", "processing").await?;
    let (id, _) = deal(&b, "Прайс на насосы").await?;
    b.press_on(&id, "\u{E014}").await?;
    b.wait_text("Этап «Предложение» требует клиента в базе")
        .await?;
    wait_deal_in(&b, "Прайс на насосы", "processing").await?;

    // Linked to the client someone registered meanwhile, it goes on.
    b.press_on(&id, "\u{E007}").await?;
    b.wait_text("Привязать к клиенту из базы").await?;
    b.fill(
        "Клиент: название, ИНН, телефон, e-mail или контактное лицо",
        "Ромашка",
    )
    .await?;
    pick_client(&b, "Ромашка-Трейд").await?;
    b.click("Привязать").await?;
    b.wait_text("Интерес привязан к клиенту").await?;
    b.wait_text("Статус работы с клиентом").await?;
    b.wait_text("Прайс на насосы").await?;
    b.wait_text("Иван Гончаров").await?;
    move_on_card(&b, "Прайс на насосы", "Предложение").await?;
    b.wait_text("Интерес переведён: «Предложение»").await?;

    b.goto("/sales").await?;
    wait_deal_in(&b, "Прайс на насосы", "offer").await?;
    let card = b
        .js(
            "return [...document.querySelectorAll('[data-testid=deal]')].find(x => x.innerText.includes('Прайс на насосы')).innerText",
            vec![],
        )
        .await?;
    assert!(
        card.as_str().unwrap_or_default().contains("Ромашка-Трейд"),
        "the board names the client now: {card}"
    );
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_and_the_registration_form_fit_a_laptop_and_a_tablet() -> Result {
    let (_data, relay) = Relay::demo("sales-shots").await?;
    for (size, tag) in [(LAPTOP, "laptop"), (TABLET, "tablet")] {
        let b = logged_in(&relay, "petrov", size).await?;
        b.goto("/sales").await?;
        b.wait_text("Предложение").await?;
        deal(&b, "").await?;
        b.assert_fits().await?;
        b.shot(&format!("sales-board-ru-{tag}.png")).await?;
        b.click("Список").await?;
        b.wait_text("Следующий контакт").await?;
        b.assert_fits().await?;
        b.shot(&format!("sales-list-ru-{tag}.png")).await?;
        b.goto("/sales/new").await?;
        b.fill(
            "Клиент: название, ИНН, телефон, e-mail или контактное лицо",
            "Атлантагро",
        )
        .await?;
        pick_client(&b, "ООО «Атлантагро»").await?;
        b.wait_text("У клиента есть незавершённые интересы").await?;
        b.fill("Содержание", "Запасные части к сеялке").await?;
        b.assert_fits().await?;
        b.shot(&format!("sales-register-ru-{tag}.png")).await?;
        b.goto("/sales/new").await?;
        b.fill(
            "Клиент: название, ИНН, телефон, e-mail или контактное лицо",
            "Иван Гончаров",
        )
        .await?;
        b.click("Клиента нет в базе").await?;
        b.wait_text("Зарегистрировать без карточки").await?;
        b.assert_fits().await?;
        b.shot(&format!("sales-register-potential-ru-{tag}.png"))
            .await?;
        if tag == "laptop" {
            // The same pages in English, one click away.
            b.click("EN").await?;
            b.goto("/sales").await?;
            b.wait_text("Register an Interest").await?;
            b.wait_text("Follow-up").await?;
            b.assert_fits().await?;
            b.shot("sales-board-en-laptop.png").await?;
            b.goto("/sales/new").await?;
            b.fill(
                "Client: name, INN, phone, e-mail or contact person",
                "Атлантагро",
            )
            .await?;
            pick_client(&b, "ООО «Атлантагро»").await?;
            b.assert_fits().await?;
            b.shot("sales-register-en-laptop.png").await?;
            b.goto("/reports/funnel").await?;
            b.wait_text("Sales funnel").await?;
            b.wait_text("Converted").await?;
            b.assert_fits().await?;
            b.shot("funnel-en-laptop.png").await?;
        }
        b.close().await?;
    }
    Ok(())
}

/// Windows-1251 bytes of a text in ASCII and Cyrillic А–я (what 1C writes).
fn windows_1251(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            0..=0x7f => c as u8,
            cp @ 0x410..=0x44f => (0xc0 + (cp - 0x410)) as u8,
            _ => b'?',
        })
        .collect()
}

/// Finds a client with the list's search box and opens the first hit.
async fn open_found(b: &Browser, query: &str) -> Result {
    b.goto("/").await?;
    b.search_ready().await?;
    b.fill("Найти клиента", query).await?;
    eventually(async || {
        Ok(if b.inner_text("#search-results").await?.contains(query) {
            Ok(())
        } else {
            Err(format!("the search never found {query:?}"))
        })
    })
    .await?;
    b.press("Найти клиента", "\u{E007}").await?;
    b.wait_text("Хронология").await
}

/// Chooses a file in the file input labelled `label`.
async fn choose_file(b: &Browser, label: &str, path: &std::path::Path) -> Result {
    let id = b.control_id(label, 0).await?;
    b.press_on(&id, &path.display().to_string()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payments_csv_in_windows_1251_is_previewed_then_imported_once_and_the_payment_is_on_the_card()
-> Result {
    let (data, relay) = Relay::demo("sales-import").await?;
    let b = logged_in(&relay, "petrov", LAPTOP).await?;
    b.create_client("Альфа-Импорт", "7736207543", "+7 495 111-22-33")
        .await?;

    let file = data.path().join("оплаты.csv");
    std::fs::write(
        &file,
        windows_1251(
            "ИНН;Контрагент;Дата;Сумма;Номер\r\n\
             7736207543;ООО Альфа-Импорт;05.11.2026;12 500,00;77\r\n\
             7736207543;ООО Альфа-Импорт;05.11.2026;12 500,00;77\r\n\
             ;Неизвестная Компания;06.11.2026;1000;78\r\n\
             7736207543;ООО Альфа-Импорт;31.02.2026;500;79\r\n",
        ),
    )?;
    b.goto("/import").await?;
    b.choose("Что в файле", "Оплаты").await?;
    choose_file(&b, "CSV-файл", &file).await?;
    b.wait_text("Кодировка Windows-1251, разделитель «;», строк с данными: 4")
        .await?;
    let summary = b
        .inner_text("[data-testid=import-summary]")
        .await?
        .replace('\u{a0}', " ");
    for part in [
        "1 строк будет добавлено",
        "1 — клиент не найден",
        "1 — уже загружены",
        "1 — с ошибками",
    ] {
        assert!(
            summary.contains(part),
            "the preview says {part:?}:\n{summary}"
        );
    }
    b.wait_text("повтор строки 2").await?;
    b.wait_text("дата «31.02.2026» не читается").await?;
    b.wait_text("Неизвестная Компания").await?;

    // Nothing is written before the confirmation.
    open_found(&b, "Альфа-Импорт").await?;
    b.wait_text("Хронология").await?;
    assert!(
        !b.text().await?.contains("№ 77"),
        "no payment before the import"
    );

    b.goto("/import").await?;
    choose_file(&b, "CSV-файл", &file).await?;
    b.click("Загрузить (1)").await?;
    b.wait_text("Импорт завершён, добавлено: 1").await?;

    // Importing the same file again adds nothing.
    choose_file(&b, "CSV-файл", &file).await?;
    b.wait_text("0 строк будет добавлено").await?;
    b.wait_text("уже есть у клиента").await?;

    open_found(&b, "Альфа-Импорт").await?;
    b.wait_text("Хронология").await?;
    let timeline = b.inner_text("[data-testid=timeline]").await?;
    let timeline = timeline.replace('\u{a0}', " ");
    assert_eq!(
        timeline.matches("№ 77").count(),
        1,
        "one payment of the document 77:\n{timeline}"
    );
    assert!(timeline.contains("12 500,00"), "{timeline}");
    b.close().await
}
