//! Sync between browsers through the relay: what two people see when they
//! work on the same client, online and offline.

use std::time::{Duration, Instant};

use kartoteka_tests::{Browser, LAPTOP, PASSWORD, Relay, Result};

/// A browser of its own (its own profile, so its own IndexedDB) logged in
/// as `login`, showing the client list.
async fn person(relay: &Relay, login: &str) -> Result<Browser> {
    Browser::logged_in(relay, login, LAPTOP).await
}

/// The manager creates a client (it is his: the supervisor may read it
/// too) and sees the relay confirm it.
async fn create_client(b: &Browser, name: &str) -> Result {
    b.click("Новый клиент").await?;
    b.fill("Название", name).await?;
    b.fill("Телефон", "+7 (495) 925-05-31").await?;
    b.click("Создать клиента").await?;
    b.wait_text("Сохранено на устройстве").await?;
    b.wait_text(name).await?;
    b.wait_all_sent().await
}

/// Edits one field of the open card through its form.
async fn edit_field(b: &Browser, label: &str, value: &str) -> Result {
    b.click("Изменить").await?;
    b.fill(label, value).await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Сохранено на устройстве").await?;
    b.wait_text(value).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_by_the_manager_appears_on_the_supervisors_open_card_without_a_reload() -> Result {
    let (_data, relay) = Relay::demo("live").await?;
    let manager = person(&relay, "petrov").await?;
    let supervisor = person(&relay, "orlova").await?;

    // A new client reaches the supervisor's device by itself.
    create_client(&manager, "Живой Пример").await?;
    supervisor.open_card("Живой", "Живой Пример").await?;

    // The manager edits; the supervisor's open card follows.
    let start = Instant::now();
    edit_field(&manager, "Отрасль", "Судостроение").await?;
    supervisor.wait_text("Судостроение").await?;
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "the edit took {took:?} to reach the other browser"
    );
    manager.wait_all_sent().await?;
    supervisor.shot("sync-live-supervisor.png").await?;

    // And the other way round.
    edit_field(&supervisor, "Сайт", "zhivoy.example").await?;
    manager.wait_text("zhivoy.example").await?;
    manager.close().await?;
    supervisor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_people_offline_edit_different_fields_and_both_edits_meet_when_the_relay_returns()
-> Result {
    let (_data, mut relay) = Relay::demo("offline-merge").await?;
    let manager = person(&relay, "petrov").await?;
    let supervisor = person(&relay, "orlova").await?;
    create_client(&manager, "Общий Клиент").await?;
    manager.open_card("Общий", "Общий Клиент").await?;
    supervisor.open_card("Общий", "Общий Клиент").await?;

    relay.stop().await?;
    manager.wait_text("Нет связи").await?;
    supervisor.wait_text("Нет связи").await?;

    edit_field(&manager, "Отрасль", "Машиностроение").await?;
    edit_field(&supervisor, "Сайт", "obshchiy.example").await?;
    for b in [&manager, &supervisor] {
        b.wait_status("one unsent change", |s| s == "Не отправлено: 1")
            .await?;
    }

    relay.restart().await?;
    manager.wait_text("obshchiy.example").await?;
    supervisor.wait_text("Машиностроение").await?;
    // Each still has its own edit, and the relay confirmed both.
    manager.wait_text("Машиностроение").await?;
    supervisor.wait_text("obshchiy.example").await?;
    manager.wait_all_sent().await?;
    supervisor.wait_all_sent().await?;

    // What the relay holds is what a reload shows.
    manager.reload().await?;
    manager.wait_text("obshchiy.example").await?;
    manager.wait_text("Машиностроение").await?;
    manager.close().await?;
    supervisor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_killed_right_after_an_edit_loses_nothing_and_everybody_gets_the_edit() -> Result
{
    let (_data, mut relay) = Relay::demo("sigkill").await?;
    let manager = person(&relay, "petrov").await?;
    let supervisor = person(&relay, "orlova").await?;
    create_client(&manager, "Стойкий Клиент").await?;
    manager.open_card("Стойкий", "Стойкий Клиент").await?;
    supervisor.open_card("Стойкий", "Стойкий Клиент").await?;

    // Saved on the device, and the relay is killed (SIGKILL) while the
    // change is on its way.
    manager.click("Изменить").await?;
    manager.fill("Отрасль", "Энергетика").await?;
    manager.fill("Сайт", "stoykiy.example").await?;
    manager.click("Сохранить изменения").await?;
    manager.wait_text("Сохранено на устройстве").await?;
    relay.stop().await?;
    relay.restart().await?;

    supervisor.wait_text("stoykiy.example").await?;
    supervisor.wait_text("Энергетика").await?;
    manager.wait_all_sent().await?;

    // A device that starts from scratch gets it from the relay's disk.
    let fresh = person(&relay, "orlova").await?;
    fresh.open_card("Стойкий", "Стойкий Клиент").await?;
    fresh.wait_text("stoykiy.example").await?;
    fresh.wait_text("Энергетика").await?;
    fresh.close().await?;
    manager.close().await?;
    supervisor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_field_changed_offline_by_two_people_is_a_marked_conflict_the_supervisor_resolves()
-> Result {
    let (_data, mut relay) = Relay::demo("conflict").await?;
    let manager = person(&relay, "petrov").await?;
    let supervisor = person(&relay, "orlova").await?;
    create_client(&manager, "Спорный Клиент").await?;
    manager.open_card("Спорный", "Спорный Клиент").await?;
    supervisor.open_card("Спорный", "Спорный Клиент").await?;

    relay.stop().await?;
    manager.wait_text("Нет связи").await?;
    supervisor.wait_text("Нет связи").await?;
    edit_field(&manager, "Отрасль", "Нефтехимия").await?;
    edit_field(&supervisor, "Отрасль", "Логистика").await?;
    relay.restart().await?;

    // Both values are kept and shown; the field is marked.
    for b in [&manager, &supervisor] {
        b.wait_text("Конфликт правок").await?;
        b.wait_text("«Нефтехимия»").await?;
        b.wait_text("«Логистика»").await?;
        b.wait_text("конфликт").await?;
    }
    manager.wait_text("Значение выберет руководитель").await?;
    supervisor.shot("sync-conflict-supervisor.png").await?;

    // The supervisor keeps one; the choice syncs like any edit.
    supervisor.click("Оставить «Нефтехимия»").await?;
    supervisor.wait_text_gone("Конфликт правок").await?;
    manager.wait_text_gone("Конфликт правок").await?;
    manager.wait_text("Нефтехимия").await?;
    assert!(!manager.text().await?.contains("Логистика"));
    supervisor.wait_all_sent().await?;
    manager.close().await?;
    supervisor.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_session_is_said_clearly_the_edits_wait_and_go_out_after_logging_in_again()
-> Result {
    let (_data, relay) = Relay::demo("refused").await?;
    let manager = person(&relay, "petrov").await?;
    create_client(&manager, "Терпеливый Клиент").await?;

    // The device's token is no longer one the relay knows (as when it
    // expired): the relay refuses the socket.
    let forged = manager
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const open = indexedDB.open('kartoteka-device');
            open.onerror = () => done(false);
            open.onsuccess = () => {
                const tx = open.result.transaction('device', 'readwrite');
                const store = tx.objectStore('device');
                const get = store.get('session');
                get.onsuccess = () => {
                    const session = JSON.parse(get.result);
                    session.token = 'not-a-token-the-relay-issued';
                    store.put(JSON.stringify(session), 'session');
                };
                tx.oncomplete = () => done(true);
                tx.onerror = () => done(false);
            };"#,
            vec![],
        )
        .await?;
    assert_eq!(forged.as_bool(), Some(true));
    manager.reload().await?;
    manager.wait_text("Сеанс истёк").await?;

    manager.open_card("Терпеливый", "Терпеливый Клиент").await?;
    edit_field(&manager, "Отрасль", "Пчеловодство").await?;
    manager
        .wait_status("one unsent change", |s| s == "Не отправлено: 1")
        .await?;

    // Logging in again sends what waited.
    manager.click("Выйти").await?;
    manager.log_in("petrov", PASSWORD).await?;
    manager.wait_text("Павел Петров").await?;
    manager.wait_all_sent().await?;
    let supervisor = person(&relay, "orlova").await?;
    supervisor
        .open_card("Терпеливый", "Терпеливый Клиент")
        .await?;
    supervisor.wait_text("Пчеловодство").await?;
    supervisor.close().await?;
    manager.close().await
}
