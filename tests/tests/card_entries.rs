//! What the card lists, changed after it was entered (issue 12 item 6): a
//! contact person, an event and a payment edited and deleted on one
//! device while another follows, a supervisor restoring what was deleted,
//! an Interest's follow-up date moved after a call, and a completion
//! refused because the Interest moved meanwhile on another device.

use kartoteka_tests::{Browser, LAPTOP, Relay, Result, eventually};
use serde_json::json;

/// A day `days` from today in the browser, as a date input holds it.
async fn day_from_today(b: &Browser, days: i64) -> Result<String> {
    let v = b
        .js(
            "const d = new Date(Date.now() + arguments[0] * 86400000);
            return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0')
                + '-' + String(d.getDate()).padStart(2, '0');",
            vec![json!(days)],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// The text of one section of the open card (by its heading's id).
/// Money is grouped with no-break spaces: read as plain ones.
async fn section(b: &Browser, heading: &str) -> Result<String> {
    let text = b
        .inner_text(&format!("section[aria-labelledby={heading}]"))
        .await?;
    Ok(text.replace(['\u{a0}', '\u{202f}'], " "))
}

/// Waits until section `heading` of the open card shows (or, with
/// `shown` false, no longer shows) `text`.
async fn wait_in_section(b: &Browser, heading: &str, text: &str, shown: bool) -> Result {
    eventually(async || {
        let now = section(b, heading).await.unwrap_or_default();
        Ok(if now.contains(text) == shown {
            Ok(())
        } else {
            Err(format!(
                "section {heading} {} {text:?}:\n{now}",
                if shown {
                    "never showed"
                } else {
                    "kept showing"
                }
            ))
        })
    })
    .await
}

/// Waits until the open card's (only) Interest shows state `state` and is
/// still open (`.outcome` marks a completed one).
async fn wait_interest_open_in(b: &Browser, state: &str) -> Result {
    eventually(async || {
        let v = b
            .js(
                "const li = document.querySelector('li.interest');
                return li ? [li.querySelector('.interest__state').innerText.trim(),
                    li.querySelector('.outcome') === null] : null;",
                vec![],
            )
            .await?;
        Ok(
            if v[0].as_str() == Some(state) && v[1].as_bool() == Some(true) {
                Ok(())
            } else {
                Err(format!("the Interest is not open in {state:?}: {v}"))
            },
        )
    })
    .await
}

/// Deletes the entry whose line shows `item`, confirming in the line.
async fn delete(b: &Browser, item: &str) -> Result {
    b.click_in_item(item, "Удалить").await?;
    b.click_in_item(item, "Да, удалить").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_an_event_and_a_payment_are_edited_and_deleted_the_other_device_follows_and_the_supervisor_restores()
-> Result {
    let (_data, relay) = Relay::demo("card-entries").await?;
    let manager = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let supervisor = Browser::logged_in(&relay, "orlova", LAPTOP).await?;

    manager
        .create_client("Правка и Ко", "", "+7 (495) 925-05-32")
        .await?;
    manager.click("Добавить контактное лицо").await?;
    manager.fill("ФИО", "Сидоров Пётр").await?;
    manager.fill("Должность", "Закупщик").await?;
    manager.click("Сохранить контактное лицо").await?;
    wait_in_section(&manager, "sec-contacts", "Сидоров Пётр", true).await?;
    manager.click("Записать событие").await?;
    manager.fill("Результат", "Обсудили поставку").await?;
    manager.click("Записать").await?;
    manager.wait_text("Событие записано").await?;
    manager.click("Оплата").await?;
    manager.fill("Сумма", "1500").await?;
    manager.fill("Номер документа", "ПП-17").await?;
    manager.click("Сохранить").await?;
    wait_in_section(&manager, "sec-timeline", "1 500", true).await?;
    manager.wait_all_sent().await?;

    supervisor.open_card("Правка", "Правка и Ко").await?;
    wait_in_section(&supervisor, "sec-contacts", "Сидоров Пётр", true).await?;
    wait_in_section(&supervisor, "sec-timeline", "Обсудили поставку", true).await?;
    wait_in_section(&supervisor, "sec-timeline", "1 500", true).await?;

    // Edited on the manager's device: each form opens with what it holds.
    manager.click_in_item("Сидоров Пётр", "Изменить").await?;
    assert_eq!(manager.value_of("ФИО").await?, "Сидоров Пётр");
    manager.fill("Должность", "Директор по закупкам").await?;
    manager.click("Сохранить контактное лицо").await?;
    wait_in_section(&manager, "sec-contacts", "Директор по закупкам", true).await?;

    manager
        .click_in_item("Обсудили поставку", "Изменить")
        .await?;
    manager.wait_text("Изменить событие").await?;
    assert_eq!(manager.value_of("Результат").await?, "Обсудили поставку");
    // A refused value is said next to its field; nothing is written.
    manager.fill("Результат", "  ").await?;
    manager.click("Записать").await?;
    assert_eq!(manager.error_of("Результат").await?, "Заполните это поле");
    manager
        .fill("Результат", "Обсудили поставку в марте")
        .await?;
    manager.click("Записать").await?;
    wait_in_section(&manager, "sec-timeline", "Обсудили поставку в марте", true).await?;

    manager.click_in_item("ПП-17", "Удалить").await?;
    manager.wait_text("Удалить запись (оплата)?").await?;
    manager.shot("card-timeline-delete-ask.png").await?;
    manager.click_in_item("ПП-17", "Отмена").await?;
    manager.click_in_item("ПП-17", "Изменить").await?;
    manager.wait_text("Изменить оплату").await?;
    assert_eq!(manager.value_of("Сумма").await?, "1500,00");
    manager.fill("Сумма", "2750,50").await?;
    manager.click("Сохранить").await?;
    wait_in_section(&manager, "sec-timeline", "2 750,50", true).await?;
    manager.wait_all_sent().await?;

    // The supervisor's open card follows without a reload.
    wait_in_section(&supervisor, "sec-contacts", "Директор по закупкам", true).await?;
    wait_in_section(
        &supervisor,
        "sec-timeline",
        "Обсудили поставку в марте",
        true,
    )
    .await?;
    wait_in_section(&supervisor, "sec-timeline", "2 750,50", true).await?;
    wait_in_section(&supervisor, "sec-timeline", "1 500", false).await?;

    // Deleted on the manager's device: gone there and on the other one.
    delete(&manager, "Сидоров Пётр").await?;
    manager.wait_text("Удалено: контактное лицо").await?;
    wait_in_section(&manager, "sec-contacts", "Сидоров Пётр", false).await?;
    delete(&manager, "Обсудили поставку в марте").await?;
    wait_in_section(&manager, "sec-timeline", "Обсудили поставку", false).await?;
    delete(&manager, "ПП-17").await?;
    wait_in_section(&manager, "sec-timeline", "2 750,50", false).await?;
    // A manager sees no "deleted entries" to restore.
    assert!(
        !manager.text().await?.contains("Удалённые записи"),
        "only a supervisor is offered the deleted entries"
    );
    manager.wait_all_sent().await?;

    wait_in_section(&supervisor, "sec-contacts", "Сидоров Пётр", false).await?;
    wait_in_section(&supervisor, "sec-timeline", "Обсудили поставку", false).await?;
    wait_in_section(&supervisor, "sec-timeline", "2 750,50", false).await?;
    let deleted = section(&supervisor, "sec-deleted").await?;
    for what in ["Сидоров Пётр", "Обсудили поставку в марте", "2 750,50"]
    {
        assert!(
            deleted.contains(what),
            "the supervisor can restore {what:?}:\n{deleted}"
        );
    }
    assert!(
        deleted.contains("удалил(а) Павел Петров"),
        "the list says who deleted:\n{deleted}"
    );
    supervisor.click("Показать историю").await?;
    wait_in_section(&supervisor, "sec-history", "Удалено: контактное лицо", true).await?;
    wait_in_section(&supervisor, "sec-history", "Удалено: оплата", true).await?;

    // The supervisor restores the contact person as it was last edited;
    // the manager's card shows it again.
    supervisor
        .click_in_item("Сидоров Пётр", "Восстановить")
        .await?;
    supervisor
        .wait_text("Восстановлено: контактное лицо")
        .await?;
    wait_in_section(&supervisor, "sec-contacts", "Директор по закупкам", true).await?;
    supervisor.wait_all_sent().await?;
    wait_in_section(&manager, "sec-contacts", "Сидоров Пётр", true).await?;

    // After a reload, what was deleted stays deleted and the restored
    // contact stays.
    manager.reload().await?;
    wait_in_section(&manager, "sec-contacts", "Директор по закупкам", true).await?;
    let timeline = section(&manager, "sec-timeline").await?;
    assert!(
        !timeline.contains("2 750,50") && !timeline.contains("Обсудили поставку"),
        "deleted entries stay deleted after a reload:\n{timeline}"
    );
    supervisor.shot("card-deleted-entries.png").await?;
    manager.close().await?;
    supervisor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_follow_up_date_moved_after_a_call_clears_the_overdue_mark_on_the_board() -> Result {
    let (_data, relay) = Relay::demo("card-follow-up").await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    b.create_client("Срок и Ко", "", "+7 (495) 925-05-33")
        .await?;
    b.click("Новый интерес").await?;
    b.fill("Содержание", "Поставка фильтров").await?;
    let last_week = day_from_today(&b, -7).await?;
    b.set_date("Следующий контакт", &last_week).await?;
    b.click("Добавить интерес").await?;
    wait_in_section(&b, "sec-interests", "просрочено с", true).await?;

    b.goto("/sales").await?;
    let overdue = r#"const li = [...document.querySelectorAll('[data-testid=deal]')]
        .find(x => x.innerText.includes(arguments[0]));
    return li ? li.querySelector('.deal__follow--overdue') !== null : null;"#;
    let on_board = async |want: bool| {
        eventually(async || {
            let v = b.js(overdue, vec![json!("Поставка фильтров")]).await?;
            Ok(if v.as_bool() == Some(want) {
                Ok(())
            } else {
                Err(format!("the board's overdue mark is {v}, expected {want}"))
            })
        })
        .await
    };
    on_board(true).await?;

    // After the call the manager sets the next follow-up on the card.
    b.open_card("Срок и Ко", "Срок и Ко").await?;
    b.click_in_item("Поставка фильтров", "Изменить").await?;
    b.wait_text("Изменить интерес").await?;
    b.shot("card-interest-edit.png").await?;
    let next_week = day_from_today(&b, 7).await?;
    // A day already passed is refused in words.
    b.set_date("Следующий контакт", &day_from_today(&b, -1).await?)
        .await?;
    b.click("Сохранить").await?;
    assert_eq!(
        b.error_of("Следующий контакт").await?,
        "Дата следующего контакта уже прошла: выберите сегодня или позже."
    );
    b.set_date("Следующий контакт", &next_week).await?;
    b.click("Сохранить").await?;
    wait_in_section(&b, "sec-interests", "связаться", true).await?;
    wait_in_section(&b, "sec-interests", "просрочено", false).await?;

    b.goto("/sales").await?;
    on_board(false).await?;
    b.reload().await?;
    on_board(false).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn completing_an_interest_moved_meanwhile_on_another_device_is_refused_in_words_and_writes_nothing()
-> Result {
    let (_data, relay) = Relay::demo("card-refused").await?;
    let manager = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let supervisor = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    manager
        .create_client("Спешка и Ко", "", "+7 (495) 925-05-34")
        .await?;
    manager.click("Новый интерес").await?;
    manager.fill("Содержание", "Монтаж линии").await?;
    manager.click("Добавить интерес").await?;
    wait_in_section(&manager, "sec-interests", "Монтаж линии", true).await?;
    manager.wait_all_sent().await?;
    supervisor.open_card("Спешка", "Спешка и Ко").await?;
    wait_in_section(&supervisor, "sec-interests", "Монтаж линии", true).await?;

    // The manager opens the completion; meanwhile the supervisor moves the
    // Interest on her device, and the move reaches the manager's card.
    manager
        .click_in_item("Монтаж линии", "Завершить успешно")
        .await?;
    manager.wait_text("Подтвердить успех").await?;
    let stage = supervisor
        .js(
            "const s = document.querySelector('li.interest .move-control select');
            const o = [...s.options].find(o => o.value && o.value !== s.value && !o.disabled);
            s.value = o.value;
            s.dispatchEvent(new Event('change', { bubbles: true }));
            return o.text.trim();",
            vec![],
        )
        .await?;
    let stage = stage.as_str().unwrap_or_default().to_owned();
    supervisor
        .click_in_item("Монтаж линии", "Перевести")
        .await?;
    supervisor
        .wait_text(&format!("Интерес переведён: «{stage}»"))
        .await?;
    supervisor.wait_all_sent().await?;
    wait_interest_open_in(&manager, &stage).await?;

    // The form stayed open; confirming is refused with the reason.
    manager.click("Подтвердить успех").await?;
    manager
        .wait_text(&format!(
            "Пока вы смотрели, интерес перевели на этап «{stage}» на другом устройстве. Ничего не сохранено"
        ))
        .await?;
    // Nothing was written: still open here, after a reload, and there.
    manager.reload().await?;
    wait_interest_open_in(&manager, &stage).await?;
    manager.wait_all_sent().await?;
    wait_interest_open_in(&supervisor, &stage).await?;
    manager.close().await?;
    supervisor.close().await
}
