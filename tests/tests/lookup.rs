//! Lookup, duplicate control, merging and card history in a real browser
//! (SPEC 2 and 3): what a manager on the phone and a supervisor cleaning
//! up the base do.

use std::time::Duration;

use kartoteka_tests::{Browser, Relay, Result, poll};
use serde_json::json;

/// A laptop window a little taller than usual, so more search results show.
const LAPTOP: (u32, u32) = (1280, 900);

async fn logged_in(relay: &Relay, login: &str) -> Result<Browser> {
    Browser::logged_in(relay, login, LAPTOP).await
}

/// The text of the search results under the search box.
async fn results(b: &Browser) -> Result<String> {
    b.inner_text("#search-results").await
}

/// Types `query` into the search box of the list and waits until the
/// results show `expected`.
async fn search_finds(b: &Browser, query: &str, expected: &str) -> Result {
    b.fill("Найти клиента", query).await?;
    poll(
        Duration::from_secs(10),
        Duration::from_millis(100),
        async || {
            let shown = results(b).await?;
            Ok(if shown.contains(expected) {
                Ok(())
            } else {
                Err(format!(
                    "searching {query:?} did not find {expected:?}; results:\n{shown}"
                ))
            })
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_is_found_by_name_inn_every_phone_form_email_and_contact() -> Result {
    let (_data, relay) = Relay::demo("lookup").await?;
    let b = logged_in(&relay, "petrov").await?;

    b.create_client("Северный Ветер", "7707083893", "+7 (495) 925-05-31")
        .await?;
    b.click("Изменить").await?;
    b.click("Добавить e-mail").await?;
    b.fill("E-mail", "Office@Sever-Veter.ru").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Office@Sever-Veter.ru").await?;
    b.click("Добавить контактное лицо").await?;
    b.fill("ФИО", "Калашников Пётр Ильич").await?;
    b.click("Сохранить контактное лицо").await?;
    b.wait_text("Калашников Пётр Ильич").await?;

    b.goto("/").await?;
    b.search_ready().await?;
    let name = "Северный Ветер";
    for query in [
        // A fragment of the name, in another case, with ё/е and a typo.
        "северн",
        "ВЕТЕР",
        "Севрный",
        // An INN prefix.
        "770708",
        // The phone in every usual form, and its last 10 and 7 digits.
        "+7 (495) 925-05-31",
        "8 495 925 05 31",
        "74959250531",
        "8-495-925-05-31",
        "4959250531",
        "9250531",
        // The e-mail in another case.
        "office@SEVER-VETER.RU",
        // The contact person's surname.
        "Калашников",
    ] {
        search_finds(&b, query, name).await?;
    }
    // A contact match says which contact matched.
    search_finds(&b, "Калашников", "Калашников Пётр Ильич").await?;

    // Arrows and Enter open the card; Esc clears the search.
    search_finds(&b, "7707083893", name).await?;
    b.press("Найти клиента", "\u{E015}").await?; // ArrowDown
    b.press("Найти клиента", "\u{E013}").await?; // ArrowUp: back to the exact match
    b.press("Найти клиента", "\u{E007}").await?; // Enter
    b.wait_text("Калашников Пётр Ильич").await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_is_warned_about_merged_by_a_supervisor_and_the_history_names_who_did_what()
-> Result {
    let (_data, relay) = Relay::demo("duplicates").await?;
    let b = logged_in(&relay, "orlova").await?;
    b.search_ready().await?;

    b.create_client("Альбатрос", "7736207543", "+7 495 111-22-33")
        .await?;
    b.fill("Примечание", "Первый звонок: интересуются доставкой")
        .await?;
    b.click("Добавить примечание").await?;
    b.wait_text("Первый звонок: интересуются доставкой").await?;
    b.click("Изменить").await?;
    b.fill("Сайт", "albatros.ru").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("albatros.ru").await?;

    // A second card with the same INN: the warning comes before saving.
    b.goto("/clients/new").await?;
    b.fill("Название", "Альбатрос Групп").await?;
    b.fill("ИНН", "7736207543").await?;
    b.click("Создать клиента").await?;
    b.wait_text("Похожие клиенты уже есть в базе").await?;
    b.wait_text("тот же ИНН 7736207543").await?;
    b.shot("duplicate-warning-ru-laptop.png").await?;
    // Saving anyway needs a reason; without one nothing is saved.
    b.click("Сохранить всё равно").await?;
    let error = b.error_of("Почему это другой клиент").await?;
    assert!(
        error.contains("почему это другой клиент"),
        "the reason is asked for: {error:?}"
    );
    b.fill(
        "Почему это другой клиент",
        "Казанский филиал, оплачивает отдельно",
    )
    .await?;
    b.click("Сохранить всё равно").await?;
    b.wait_text("Сохранено на устройстве").await?;
    b.wait_text("Альбатрос Групп").await?;
    b.click("Добавить контактное лицо").await?;
    b.fill("ФИО", "Зуева Ольга Сергеевна").await?;
    b.click("Сохранить контактное лицо").await?;
    b.wait_text("Зуева Ольга Сергеевна").await?;
    b.fill("Примечание", "Филиал просит счёт на предоплату")
        .await?;
    b.click("Добавить примечание").await?;
    b.wait_text("Филиал просит счёт на предоплату").await?;
    let duplicate_url = b.client.current_url().await?.to_string();

    // The supervisor decides they are one client after all and merges.
    b.goto("/").await?;
    // The list names the cards that share an INN.
    b.wait_text("Клиенты с одинаковым ИНН: 1").await?;
    b.js(
        "document.querySelector('[data-testid=same-inn]').open = true",
        vec![],
    )
    .await?;
    let notice = b.inner_text("[data-testid=same-inn]").await?;
    assert!(
        notice.contains("7736207543")
            && notice.contains("Альбатрос")
            && notice.contains("Альбатрос Групп"),
        "the notice lists both cards: {notice:?}"
    );
    search_finds(&b, "Альбатрос", "Альбатрос").await?;
    let first = b
        .js(
            r#"for (const a of document.querySelectorAll('#search-results .hit')) {
                   const name = a.querySelector('.hit__name');
                   if (name && name.innerText.trim() === arguments[0]) { a.click(); return true; }
               }
               return false;"#,
            vec![json!("Альбатрос")],
        )
        .await?;
    assert_eq!(
        first.as_bool(),
        Some(true),
        "the first card is in the results"
    );
    b.wait_text("Первый звонок: интересуются доставкой").await?;
    b.fill(
        "Найти вторую карточку: название, ИНН, телефон или e-mail",
        "Альбатрос Групп",
    )
    .await?;
    b.click("Альбатрос Групп · ИНН 7736207543").await?;
    b.wait_text("Перенести всё из карточки «Альбатрос Групп» в эту и закрыть её?")
        .await?;
    b.shot("merge-ru-laptop.png").await?;
    b.click("Объединить").await?;
    b.wait_text("Клиенты объединены").await?;
    // Everything of both is on the survivor.
    b.wait_text("Зуева Ольга Сергеевна").await?;
    b.wait_text("Филиал просит счёт на предоплату").await?;
    b.wait_text("Первый звонок: интересуются доставкой").await?;
    b.wait_text("Объединены в эту карточку: Альбатрос Групп")
        .await?;
    let survivor_url = b.client.current_url().await?.to_string();

    // After a reload too; the merged card points to the survivor.
    b.reload().await?;
    b.wait_text("Зуева Ольга Сергеевна").await?;
    b.client.goto(&duplicate_url).await?;
    b.wait_text("Этот клиент объединён с другой карточкой.")
        .await?;
    b.click("Открыть карточку, в которую он вошёл").await?;
    b.wait_text("Объединены в эту карточку: Альбатрос Групп")
        .await?;
    assert_eq!(b.client.current_url().await?.to_string(), survivor_url);

    // Search finds one Альбатрос now, and no two cards share an INN.
    b.goto("/").await?;
    b.wait_text_gone("Клиенты с одинаковым ИНН").await?;
    search_finds(&b, "Альбатрос", "Альбатрос").await?;
    let shown = results(&b).await?;
    assert!(
        !shown.contains("Альбатрос Групп"),
        "the merged card is gone from search: {shown}"
    );

    // The history names the field, the values and who changed them.
    b.client.goto(&survivor_url).await?;
    b.click("Показать историю").await?;
    b.wait_text("albatros.ru").await?;
    let history = b.inner_text("[data-testid=history]").await?;
    assert!(
        history.contains("Ольга Орлова"),
        "the author is named: {history}"
    );
    assert!(history.contains("Сайт"), "the field is named: {history}");
    assert!(
        history.contains("Объединение"),
        "the merge is there: {history}"
    );
    // Filter by field: only the website change stays.
    b.shot("history-ru-laptop.png").await?;
    let field_select = b.control_id("Поле", 0).await?;
    b.js(
        r#"const s = document.getElementById(arguments[0]);
           const o = [...s.options].find(o => o.text === 'Сайт');
           s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true}));"#,
        vec![json!(field_select)],
    )
    .await?;
    let rows = poll(Duration::from_secs(5), Duration::from_millis(100), async || {
        let rows = b
            .js(
                "return [...document.querySelectorAll('[data-testid=history] tbody tr')].map(r => r.innerText)",
                vec![],
            )
            .await?;
        let rows: Vec<String> = serde_json::from_value(rows)?;
        Ok(if rows.len() == 1 {
            Ok(rows)
        } else {
            Err(format!("filtering by field left {rows:?}"))
        })
    })
    .await?;
    assert!(
        rows[0].contains("albatros.ru") && rows[0].contains("Ольга Орлова"),
        "{rows:?}"
    );
    b.close().await
}
