//! Several tabs of one browser (one profile, so one IndexedDB): they follow
//! each other live, keep both of two edits saved at the same moment, step
//! aside for a newer version of the app, and say when one is installed.

use std::path::Path;

use fantoccini::wd::WindowHandle;
use kartoteka_tests::{Browser, LAPTOP, Relay, Result, TempDir, dist_dir, eventually};
use serde_json::json;

/// The update banner, focused on its button: whether it is in a status
/// region, the button's text, and whether the focus reached it.
async fn banner(b: &Browser, button: &str) -> Result {
    let seen = b
        .js(
            r#"const banner = document.querySelector('[data-testid=update]');
            const button = banner.querySelector('button');
            button.focus();
            return {
                role: banner.closest('[role=status]') !== null,
                button: button.innerText.trim(),
                focused: document.activeElement === button,
            };"#,
            vec![],
        )
        .await?;
    assert_eq!(
        seen,
        json!({ "role": true, "button": button, "focused": true })
    );
    Ok(())
}

/// Makes `tab` the one the next steps act on.
async fn to(b: &Browser, tab: &WindowHandle) -> Result {
    b.client.switch_to_window(tab.clone()).await?;
    Ok(())
}

/// Presses the edit form's «Сохранить изменения» when the clock reaches
/// `at` (ms since the epoch) and notes the moment. A chain of message
/// events (never throttled, unlike the timers of a tab in the background)
/// watches the clock; each tab gets the same `at`, so the two saves go
/// out together without a WebDriver round trip between them.
const SAVE_AT: &str = r#"const at = arguments[0];
    window.ktSavedAt = null;
    const button = [...document.querySelectorAll('button')]
        .find(b => b.innerText.trim() === 'Сохранить изменения');
    if (!button) return false;
    const tick = new MessageChannel();
    tick.port1.onmessage = () => {
        if (Date.now() < at) { tick.port2.postMessage(0); return; }
        window.ktSavedAt = performance.timeOrigin + performance.now();
        button.click();
    };
    tick.port2.postMessage(0);
    return true;"#;

/// When this tab pressed «Сохранить изменения» (see [`SAVE_AT`]).
async fn saved_at(b: &Browser) -> Result<f64> {
    eventually(async || {
        let v = b.js("return window.ktSavedAt;", vec![]).await?;
        Ok(v.as_f64()
            .ok_or_else(|| "the save was never pressed".to_owned()))
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tabs_edit_one_client_at_the_same_moment_and_both_edits_stay_and_reach_the_relay()
-> Result {
    let (_data, mut relay) = Relay::demo("tabs").await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let a = b.client.window().await?;
    b.create_client("Две Вкладки", "", "+7 (495) 925-05-31")
        .await?;
    b.wait_all_sent().await?;
    b.open_card("Две Вкладки", "Две Вкладки").await?;
    let card = b.client.current_url().await?;

    // The same card in a second tab of the same browser.
    let second = b.client.new_window(true).await?.handle;
    to(&b, &second).await?;
    b.client.goto(card.as_str()).await?;
    b.wait_text("Контактные лица").await?;

    // With the relay gone, only the tabs' own channel can carry an edit
    // from one to the other: the second tab's open card follows the first
    // without a reload. (The app opens offline once its worker is ready.)
    b.wait_offline_ready().await?;
    relay.stop().await?;
    for tab in [&a, &second] {
        to(&b, tab).await?;
        b.wait_text("Нет связи").await?;
    }
    to(&b, &a).await?;
    b.click("Изменить").await?;
    b.fill("Отрасль", "Судостроение").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Сохранено на устройстве").await?;
    to(&b, &second).await?;
    b.wait_text("Судостроение").await?;
    assert_eq!(
        b.client.current_url().await?,
        card,
        "the second tab stayed on the card (no reload, no navigation)"
    );

    // Each tab edits a different field; both saves go out together.
    to(&b, &a).await?;
    b.click("Изменить").await?;
    b.fill("Сайт", "dve-vkladki.example").await?;
    to(&b, &second).await?;
    b.click("Изменить").await?;
    b.fill("Источник", "Выставка").await?;
    let now = b.js("return Date.now();", vec![]).await?;
    let at = now.as_f64().ok_or("no clock")? + 1500.0;
    for tab in [&a, &second] {
        to(&b, tab).await?;
        let armed = b.js(SAVE_AT, vec![json!(at)]).await?;
        assert_eq!(armed.as_bool(), Some(true), "the edit form is open");
    }
    to(&b, &a).await?;
    let saved_a = saved_at(&b).await?;
    to(&b, &second).await?;
    let saved_b = saved_at(&b).await?;
    assert!(
        (saved_a - saved_b).abs() < 50.0,
        "the two saves were {:.1} ms apart",
        (saved_a - saved_b).abs()
    );

    // Both tabs show both edits, live, and again after a reload.
    for tab in [&a, &second] {
        to(&b, tab).await?;
        b.wait_text("dve-vkladki.example").await?;
        b.wait_text("Выставка").await?;
        b.wait_text("Судостроение").await?;
    }
    for tab in [&a, &second] {
        to(&b, tab).await?;
        b.reload().await?;
        b.wait_text("Контактные лица").await?;
        for value in ["dve-vkladki.example", "Выставка", "Судостроение"] {
            b.wait_text(value).await?;
        }
    }

    // Back online, everything reaches the relay: another person, on a
    // device of their own, sees both edits.
    relay.restart().await?;
    to(&b, &a).await?;
    b.wait_all_sent().await?;
    let supervisor = Browser::logged_in(&relay, "orlova", LAPTOP).await?;
    supervisor.open_card("Две Вкладки", "Две Вкладки").await?;
    for value in ["dve-vkladki.example", "Выставка", "Судостроение"] {
        supervisor.wait_text(value).await?;
    }
    supervisor.close().await?;
    b.close().await
}

/// Opens the user's database in the current tab at a higher version, as a
/// newer build of the app would; says whether the upgrade had to wait
/// for another connection (`blocked`).
const UPGRADE: &str = r#"const done = arguments[arguments.length - 1];
    (async () => {
        const names = (await indexedDB.databases()).map(d => d.name)
            .filter(n => n.startsWith('kartoteka-') && n !== 'kartoteka-device');
        if (names.length !== 1) return { error: 'user databases: ' + names.join(', ') };
        return await new Promise(resolve => {
            let blocked = false;
            const open = indexedDB.open(names[0], 1000);
            open.onblocked = () => { blocked = true; };
            open.onsuccess = () => { open.result.close(); resolve({ blocked }); };
            open.onerror = () => resolve({ error: String(open.error) });
        });
    })().then(done, e => done({ error: String(e) }));"#;

#[tokio::test(flavor = "multi_thread")]
async fn an_old_tab_closes_its_base_for_a_newer_version_asks_to_reload_and_saves_nothing_silently()
-> Result {
    let (_data, relay) = Relay::demo("versionchange").await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;
    let old = b.client.window().await?;
    b.create_client("Старая Вкладка", "", "+7 (495) 925-05-31")
        .await?;
    b.open_card("Старая Вкладка", "Старая Вкладка").await?;
    assert!(b.inner_text("[data-testid=update]").await?.is_empty());

    // A newer version upgrades the database from another tab (a page of
    // the same origin that is not the app, so only the old tab holds the
    // database open): it is not kept waiting.
    let newer = b.client.new_window(true).await?.handle;
    to(&b, &newer).await?;
    b.goto("/manifest.webmanifest").await?;
    let upgrade = b.client.execute_async(UPGRADE, vec![]).await?;
    assert_eq!(
        upgrade,
        json!({ "blocked": false }),
        "the newer version's upgrade went ahead at once"
    );

    // The old tab says why it must be reloaded, politely, with a button.
    to(&b, &old).await?;
    b.wait_text("Приложение обновлено в другой вкладке").await?;
    banner(&b, "Перезагрузить").await?;
    b.shot("tabs-closed-for-upgrade.png").await?;

    // An edit in the old tab now fails in words; the page keeps working.
    b.click("Изменить").await?;
    b.fill("Отрасль", "Не сохранится").await?;
    b.click("Сохранить изменения").await?;
    b.wait_text("Не удалось сохранить на устройстве").await?;
    b.wait_text("Приложение обновлено в другой вкладке").await?;
    b.close().await
}

/// Copies a folder (the built app) with everything in it.
fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Makes the app in `dist` look like a new build: its code under a new
/// hashed name, and a service worker with a new version that caches it.
fn deploy_a_new_version(dist: &Path) -> Result {
    let sw_path = dist.join("sw.js");
    let mut sw = std::fs::read_to_string(&sw_path)?;
    let code = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("kartoteka-app") && name.ends_with(".js"))
        .ok_or("no app code in dist")?;
    let renamed = code.replace(".js", "-next.js");
    std::fs::copy(dist.join(&code), dist.join(&renamed))?;
    assert!(sw.contains(&format!("\"/{code}\"")), "sw.js caches {code}");
    sw = sw.replace(&format!("\"/{code}\""), &format!("\"/{renamed}\""));
    let version = sw
        .lines()
        .find(|l| l.starts_with("const VERSION"))
        .ok_or("no VERSION in sw.js")?
        .to_owned();
    sw = sw.replace(&version, "const VERSION = \"next\";");
    std::fs::write(sw_path, sw)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_installed_while_the_app_is_open_is_announced_and_one_click_updates() -> Result
{
    let data = TempDir::new("new-version")?;
    let dist = TempDir::new("new-version-dist")?;
    copy_dir(&dist_dir(), dist.path())?;
    let relay = Relay::start_serving(data.path(), 40, dist.path()).await?;
    let b = Browser::logged_in(&relay, "petrov", LAPTOP).await?;

    // The first visit installs the service worker: no update to announce.
    b.wait_offline_ready().await?;
    assert!(b.inner_text("[data-testid=update]").await?.is_empty());

    // A new version is deployed; the open app learns of it.
    deploy_a_new_version(dist.path())?;
    let checked = b
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            navigator.serviceWorker.getRegistration()
                .then(r => r.update()).then(() => done(true), e => done(String(e)));"#,
            vec![],
        )
        .await?;
    assert_eq!(checked, json!(true));
    b.wait_text("Доступна новая версия").await?;
    banner(&b, "Обновить").await?;
    b.shot("tabs-new-version.png").await?;

    // «Обновить» reloads: the app opens again, with nothing to announce.
    b.click("Обновить").await?;
    b.wait_text("Новый клиент").await?;
    b.wait_text_gone("Доступна новая версия").await?;
    b.close().await
}
