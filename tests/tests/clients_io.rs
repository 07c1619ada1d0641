//! Clients in and out in a real browser (issue 14, SPEC 8 and 2): a
//! supervisor imports a company's base from a CSV file, checks the preview
//! and finds an imported client by its contact's phone; the filtered list
//! is exported as CSV and XLSX; a manager creating a card with another
//! manager's client's INN is told who is responsible for it.

use std::time::Duration;

use kartoteka::inn::Inn;
use kartoteka_tests::{Browser, LAPTOP, PASSWORD, Relay, Result, TempDir, clients_csv, poll};
use serde_json::json;

/// The INN of the client the supervisor makes before the import: the file
/// has a row for it, which joins it instead of making a second card.
const EXISTING_INN: &str = "7707083893";

/// 300 clients with 500 contact persons (the first 200 have two), all
/// Анна Смирнова's; a row joining the client with [`EXISTING_INN`]; and two
/// rows with a bad INN.
fn company_file() -> String {
    let mut out = clients_csv(300, 200);
    out.push_str(&format!(
        "Северный Ветер;{EXISTING_INN};;;Новиков Олег;Снабженец;+7 916 555-44-33;\r\n"
    ));
    out.push_str("ООО «Ошибка»;1234567890;;;;;;\r\n");
    out.push_str("ООО «Ошибка 2»;770708389;;;;;;\r\n");
    out
}

/// Records every file the app hands to the browser to save.
async fn catch_downloads(b: &Browser) -> Result {
    b.js(
        r#"window.__exports = [];
        const make = URL.createObjectURL.bind(URL);
        URL.createObjectURL = blob => { window.__exports.push(blob); return make(blob); };"#,
        vec![],
    )
    .await?;
    Ok(())
}

/// The bytes of the `n`-th file handed over, once it is.
async fn downloaded(b: &Browser, n: usize) -> Result<Vec<u8>> {
    poll(Duration::from_secs(60), Duration::from_millis(200), async || {
        let v = b
            .js(
                r#"const n = arguments[0];
                const blob = (window.__exports || [])[n];
                if (!blob) return null;
                if (!window.__bytes) window.__bytes = {};
                if (!window.__bytes[n]) {
                    window.__bytes[n] = 'reading';
                    blob.arrayBuffer().then(a => { window.__bytes[n] = Array.from(new Uint8Array(a)); });
                }
                return window.__bytes[n] === 'reading' ? null : window.__bytes[n];"#,
                vec![json!(n)],
            )
            .await?;
        Ok(match v.as_array() {
            Some(bytes) => Ok(bytes
                .iter()
                .map(|b| b.as_u64().unwrap_or(0) as u8)
                .collect()),
            None => Err(format!(
                "file {n} was never handed to the browser; the page shows:\n{}",
                b.text().await?
            )),
        })
    })
    .await
}

/// The first sheet of a workbook as the relay reads it (rows of cells),
/// asked from the page with a login of its own.
async fn read_back_workbook(b: &Browser, n: usize) -> Result<Vec<Vec<String>>> {
    b.js(
        r#"const [n, password] = arguments;
        window.__sheet = null;
        (async () => {
            const login = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ login: 'orlova', password }) });
            const { token } = await login.json();
            const read = await fetch('/api/xlsx/read', { method: 'POST', headers: { authorization: 'Bearer ' + token },
                body: window.__exports[n] });
            window.__sheet = await read.json();
        })();"#,
        vec![json!(n), json!(PASSWORD)],
    )
    .await?;
    let sheet = poll(
        Duration::from_secs(30),
        Duration::from_millis(200),
        async || {
            let v = b.js("return window.__sheet;", vec![]).await?;
            Ok(if v.is_null() {
                Err("the relay never read the workbook back".to_owned())
            } else {
                Ok(v)
            })
        },
    )
    .await?;
    let rows = sheet["rows"]
        .as_array()
        .ok_or_else(|| format!("not a sheet: {sheet}"))?
        .iter()
        .map(|r| {
            r.as_array()
                .map(|cells| {
                    cells
                        .iter()
                        .map(|c| c.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    Ok(rows)
}

/// Chooses the radio button whose label reads `text`, as a click on the
/// label does.
async fn click_radio(b: &Browser, text: &str) -> Result {
    let done = b
        .js(
            r#"const want = arguments[0];
            const label = [...document.querySelectorAll('label')].find(l => l.innerText.trim() === want);
            const input = label && label.querySelector('input[type=radio]');
            if (!input) return false;
            input.click();
            return true;"#,
            vec![json!(text)],
        )
        .await?;
    if done.as_bool() != Some(true) {
        return Err(format!("no radio button {text:?}").into());
    }
    Ok(())
}

/// Chooses `path` in the file input `id`.
async fn choose_file(b: &Browser, id: &str, path: &std::path::Path) -> Result {
    let input = b.client.find(fantoccini::Locator::Id(id)).await?;
    input
        .send_keys(path.to_str().ok_or("a path in UTF-8")?)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_imports_300_clients_finds_one_by_its_contacts_phone_and_exports_the_list()
-> Result {
    let (_data, relay) = Relay::demo("clients-io").await?;
    let folder = TempDir::new("clients-io-file")?;
    let file = folder.path().join("база.csv");
    std::fs::write(&file, company_file())?;

    let b = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    b.create_client("Северный Ветер", EXISTING_INN, "+7 (495) 925-05-31")
        .await?;

    b.goto("/").await?;
    b.click("Импорт клиентов").await?;
    b.wait_text("Файл CSV или Excel").await?;
    choose_file(&b, "client-import-file", &file).await?;
    b.wait_text("Новых клиентов: 300, контактных лиц у них: 500")
        .await?;
    let summary = b.inner_text("[data-testid=client-import-summary]").await?;
    assert!(
        summary.contains("Дополнят клиентов, которые уже есть: 1"),
        "{summary}"
    );
    assert!(summary.contains("Строк не будет загружено: 2"), "{summary}");
    let joining = b.inner_text("[data-testid=ci-joining]").await?;
    assert!(joining.contains("Северный Ветер"), "{joining}");
    assert!(joining.contains("ИНН"), "{joining}");
    let refused = b.inner_text("[data-testid=ci-refused]").await?;
    assert!(refused.contains("1234567890"), "{refused}");
    assert!(refused.contains("B «ИНН»"), "{refused}");
    b.shot("client-import-ru.png").await?;
    // A language switch draws the app anew (lib.rs): the file is chosen
    // again.
    b.click("EN").await?;
    b.wait_text("CSV or Excel file").await?;
    choose_file(&b, "client-import-file", &file).await?;
    b.wait_text("New clients: 300, with 500 contact persons")
        .await?;
    b.shot("client-import-en.png").await?;
    b.click("RU").await?;
    b.wait_text("Файл CSV или Excel").await?;
    choose_file(&b, "client-import-file", &file).await?;
    b.wait_text("Новых клиентов: 300").await?;

    // Importing a row without its bad value instead of refusing it.
    click_radio(&b, "загрузить без ошибочного значения").await?;
    b.wait_text("Новых клиентов: 302").await?;
    click_radio(&b, "не загружать всю строку").await?;
    b.wait_text("Новых клиентов: 300").await?;

    b.click("Импортировать клиентов: 301").await?;
    poll(
        Duration::from_secs(180),
        Duration::from_millis(250),
        async || {
            let shown = b.text().await?;
            Ok(
                if shown.contains("Импорт завершён: новых клиентов 300, дополнено 1")
                {
                    Ok(())
                } else {
                    Err(format!(
                        "the import never finished; the page shows:\n{shown}"
                    ))
                },
            )
        },
    )
    .await?;

    // The client is found by its contact person's phone, typed otherwise.
    b.goto("/").await?;
    b.search_ready().await?;
    b.fill("Найти клиента", "8 916 700-07-11").await?;
    b.wait_text("Импорт-Тест 0007").await?;

    // The filtered list, exported.
    b.fill("Найти клиента", "Импорт-Тест 0007").await?;
    b.wait_text("Импорт-Тест 0007").await?;
    catch_downloads(&b).await?;
    b.click("Экспорт CSV").await?;
    let csv = downloaded(&b, 0).await?;
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "no byte-order mark");
    let csv = String::from_utf8(csv)?;
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("\u{feff}Наименование;ИНН;КПП;ОГРН;Телефон"),
        "{header}"
    );
    let rows: Vec<&str> = lines.filter(|l| l.contains("Импорт-Тест 0007")).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.contains("Контакт1 Фамилия7;Менеджер;'+7 916 700-07-11")),
        "{csv}"
    );
    assert!(rows.iter().all(|r| r.contains("Анна Смирнова")), "{csv}");

    b.click("Экспорт XLSX").await?;
    let xlsx = downloaded(&b, 1).await?;
    assert!(xlsx.starts_with(b"PK"), "not a workbook");
    let sheet = read_back_workbook(&b, 1).await?;
    assert_eq!(sheet[0][0], "Наименование");
    let ours: Vec<&Vec<String>> = sheet
        .iter()
        .filter(|r| r.first().is_some_and(|n| n.contains("Импорт-Тест 0007")))
        .collect();
    assert_eq!(ours.len(), 2, "{sheet:?}");
    assert!(
        ours.iter()
            .any(|r| r.contains(&"'+7 916 700-07-00".to_owned()))
    );

    // Another manager's client, by its INN, while creating a card.
    let inn = Inn::from_base("600000042")
        .map(|i| i.as_str().to_owned())
        .unwrap_or_default();
    let petrov = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    petrov.click("Новый клиент").await?;
    petrov.fill("Название", "Импорт сорок два").await?;
    // The supervisor's device sends the import in the background: ask
    // again until the relay has it.
    poll(
        Duration::from_secs(90),
        Duration::from_secs(3),
        async || {
            petrov.fill("ИНН", "").await?;
            petrov.fill("ИНН", &inn).await?;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let warning = petrov.inner_text("[data-testid=base-duplicates]").await?;
            Ok(
                if warning.contains("клиент с этим ИНН уже есть, ответственный — Анна Смирнова")
                {
                    Ok(warning)
                } else {
                    Err(format!("no warning naming the other manager: {warning:?}"))
                },
            )
        },
    )
    .await
    .map(|warning| assert!(!warning.contains("Импорт-Тест 0042"), "{warning}"))?;
    petrov.shot("card-form-base-duplicate.png").await?;
    petrov.close().await?;
    // Open until here: the supervisor's device sends the import meanwhile.
    b.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_card_form_says_it_checked_only_the_clients_on_the_device() -> Result {
    let (_data, mut relay) = Relay::demo("clients-offline-duplicates").await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    b.click("Новый клиент").await?;
    b.fill("Название", "Без связи").await?;
    relay.stop().await?;
    b.wait_text("Нет связи").await?;
    b.fill("ИНН", "7707083893").await?;
    b.wait_text("на дубликаты проверены только").await?;
    let said = b
        .inner_text("[data-testid=base-duplicates-offline]")
        .await?;
    assert_eq!(
        said,
        "Нет связи с сервером: на дубликаты проверены только клиенты, видимые на этом устройстве."
    );
    // Back online, the relay is asked and the offline note goes away.
    relay.restart().await?;
    b.wait_all_sent().await?;
    b.wait_text_gone("проверены только клиенты, видимые на этом устройстве")
        .await?;
    b.close().await
}
