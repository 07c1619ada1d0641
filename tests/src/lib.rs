//! Helpers for Kartoteka's end-to-end tests: a real relay process on a free
//! port with its own data folder, and a headless Chromium driven through
//! ChromeDriver the way a person uses the app — by the labels, buttons and
//! texts they see.
//!
//! The relay binary and the built app come from `KARTOTEKA_BIN` and
//! `KARTOTEKA_DIST` (set by `scripts/test.sh`), or from `target/debug` and
//! `dist/` of the workspace.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// What a test step returns.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How long a step waits for the page before failing.
pub const WAIT: Duration = Duration::from_secs(20);

/// The password of every demo user.
pub const PASSWORD: &str = kartoteka::demo::DEMO_PASSWORD;

/// A laptop's window (width, height).
pub const LAPTOP: (u32, u32) = (1280, 800);

/// A tablet's window (width, height).
pub const TABLET: (u32, u32) = (768, 1024);

/// One look of [`poll`] at the page: `Ok(value)` ends the wait with the
/// value; `Err(why)` looks again later, and `why` is the failure when the
/// time runs out (so it can say what the page showed last).
pub type Look<T> = std::result::Result<T, String>;

/// Asks `look` every `every` until it answers `Ok`, for at most `wait`:
/// the one waiting loop of the tests and benches (the app works in the
/// background, so what a step waits for comes when it comes).
pub async fn poll<T>(
    wait: Duration,
    every: Duration,
    mut look: impl AsyncFnMut() -> Result<Look<T>>,
) -> Result<T> {
    let start = Instant::now();
    loop {
        match look().await? {
            Ok(value) => return Ok(value),
            Err(why) if start.elapsed() > wait => return Err(why.into()),
            Err(_) => tokio::time::sleep(every).await,
        }
    }
}

/// [`poll`] every 100 ms for at most [`WAIT`].
pub async fn eventually<T>(look: impl AsyncFnMut() -> Result<Look<T>>) -> Result<T> {
    poll(WAIT, Duration::from_millis(100), look).await
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The relay binary under test.
pub fn relay_bin() -> PathBuf {
    std::env::var_os("KARTOTEKA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/kartoteka"))
}

/// The built app under test.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("KARTOTEKA_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"))
}

/// A folder removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder under the system's temporary folder.
    pub fn new(tag: &str) -> Result<TempDir> {
        let path = std::env::temp_dir().join(format!(
            "kartoteka-{tag}-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{nanos:x}{:x}", N.fetch_add(1, Ordering::Relaxed))
}

/// A port nobody listens on now.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_for_port(port: u16, child: &mut Child, what: &str) -> Result {
    let start = Instant::now();
    while start.elapsed() < WAIT * 3 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(format!("{what} exited early with {status}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{what} did not start listening on port {port}").into())
}

/// A running relay with its own data folder.
#[derive(Debug)]
pub struct Relay {
    child: Option<Child>,
    port: u16,
    data: PathBuf,
    dist: PathBuf,
    demo_clients: usize,
}

impl Relay {
    /// A relay with the 40-client demo base in a new data folder (kept
    /// as long as the returned folder lives).
    pub async fn demo(tag: &str) -> Result<(TempDir, Relay)> {
        let data = TempDir::new(tag)?;
        let relay = Relay::start(data.path(), 40).await?;
        Ok((data, relay))
    }

    /// Starts a relay on a free port with a fresh data folder and a demo
    /// workspace of `demo_clients` clients.
    pub async fn start(data: &Path, demo_clients: usize) -> Result<Relay> {
        Relay::start_serving(data, demo_clients, &dist_dir()).await
    }

    /// As [`Relay::start`], serving the app built in `dist` (a copy a
    /// test changes, as a new deployment would).
    pub async fn start_serving(data: &Path, demo_clients: usize, dist: &Path) -> Result<Relay> {
        let mut relay = Relay {
            child: None,
            port: free_port()?,
            data: data.to_path_buf(),
            dist: dist.to_path_buf(),
            demo_clients,
        };
        relay.spawn().await?;
        Ok(relay)
    }

    async fn spawn(&mut self) -> Result {
        let bin = relay_bin();
        if !bin.exists() {
            return Err(format!(
                "{} is missing: run cargo build -p kartoteka-server",
                bin.display()
            )
            .into());
        }
        let mut child = Command::new(&bin)
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data")
            .arg(&self.data)
            .arg("--dist")
            .arg(&self.dist)
            .arg("--demo-clients")
            .arg(self.demo_clients.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        wait_for_port(self.port, &mut child, "the relay").await?;
        self.child = Some(child);
        Ok(())
    }

    /// The relay's address, e.g. `http://127.0.0.1:43121`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the relay (as a crash or a pulled cable would).
    pub async fn stop(&mut self) -> Result {
        if let Some(mut child) = self.child.take() {
            child.kill().await?;
        }
        Ok(())
    }

    /// Starts it again on the same port with the same data.
    pub async fn restart(&mut self) -> Result {
        self.stop().await?;
        self.spawn().await
    }
}

/// A headless Chromium with its own profile, driven through ChromeDriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    base: String,
    _profile: TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").field("base", &self.base).finish()
    }
}

impl Browser {
    /// Starts a browser for the app at `base` (the relay's URL), with a
    /// window of `width` × `height`.
    pub async fn open(base: &str, width: u32, height: u32) -> Result<Browser> {
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port()?;
        let mut driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        wait_for_port(port, &mut driver, "chromedriver").await?;
        let profile = TempDir::new("profile")?;
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                    "--lang=ru-RU",
                ],
                "prefs": { "intl.accept_languages": "ru-RU,ru" },
            },
        });
        let Value::Object(caps) = caps else {
            return Err("capabilities are an object".into());
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await?;
        Ok(Browser {
            client,
            driver,
            base: base.trim_end_matches('/').to_owned(),
            _profile: profile,
        })
    }

    /// Opens a browser for the app on `relay` with a window of `size`,
    /// logs in as the demo user `login` and waits for the client list.
    pub async fn logged_in(relay: &Relay, login: &str, size: (u32, u32)) -> Result<Browser> {
        let browser = Browser::open(&relay.url(), size.0, size.1).await?;
        browser.goto("/").await?;
        browser.log_in(login, PASSWORD).await?;
        browser.wait_text("Новый клиент").await?;
        Ok(browser)
    }

    /// Opens a path of the app.
    pub async fn goto(&self, path: &str) -> Result {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// Reloads the page.
    pub async fn reload(&self) -> Result {
        self.client.refresh().await?;
        Ok(())
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// The visible text of the page.
    pub async fn text(&self) -> Result<String> {
        self.inner_text("body").await
    }

    /// The visible text of the first element matching the CSS `selector`,
    /// or "" when there is none.
    pub async fn inner_text(&self, selector: &str) -> Result<String> {
        let v = self
            .js(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
                vec![json!(selector)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the page shows `text`.
    pub async fn wait_text(&self, text: &str) -> Result {
        eventually(async || {
            let shown = self.text().await?;
            Ok(if shown.contains(text) {
                Ok(())
            } else {
                Err(format!(
                    "the page never showed {text:?}; it shows:\n{shown}"
                ))
            })
        })
        .await
    }

    /// Waits until the page no longer shows `text`.
    pub async fn wait_text_gone(&self, text: &str) -> Result {
        eventually(async || {
            Ok(if self.text().await?.contains(text) {
                Err(format!("the page kept showing {text:?}"))
            } else {
                Ok(())
            })
        })
        .await
    }

    /// The id of the `n`-th (from 0) form control labelled `label`
    /// (the label's text, without decorations such as the required mark).
    pub async fn control_id(&self, label: &str, n: usize) -> Result<String> {
        eventually(async || {
            let v = self
                .js(
                    r#"const [want, n] = arguments;
                    const hits = [];
                    for (const l of document.querySelectorAll('label')) {
                        const c = l.cloneNode(true);
                        c.querySelectorAll('[aria-hidden]').forEach(e => e.remove());
                        if (c.textContent.trim() === want && l.htmlFor) hits.push(l.htmlFor);
                    }
                    return hits[n] || null;"#,
                    vec![json!(label), json!(n)],
                )
                .await?;
            Ok(v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("no field labelled {label:?} (#{n}) on the page")))
        })
        .await
    }

    /// Types into the `n`-th field labelled `label`, replacing its text.
    pub async fn fill_nth(&self, label: &str, n: usize, value: &str) -> Result {
        let id = self.control_id(label, n).await?;
        let el = self.client.find(Locator::Id(&id)).await?;
        // Select all and delete, as a person would: unlike WebDriver's
        // clear(), this fires `input` events, so the app sees the change.
        el.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
        if !value.is_empty() {
            el.send_keys(value).await?;
        }
        Ok(())
    }

    /// Types into the field labelled `label`, replacing its text.
    pub async fn fill(&self, label: &str, value: &str) -> Result {
        self.fill_nth(label, 0, value).await
    }

    /// The current value of the `n`-th field labelled `label`.
    pub async fn value_of_nth(&self, label: &str, n: usize) -> Result<String> {
        let id = self.control_id(label, n).await?;
        let el = self.client.find(Locator::Id(&id)).await?;
        Ok(el.prop("value").await?.unwrap_or_default())
    }

    /// The current value of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> Result<String> {
        self.value_of_nth(label, 0).await
    }

    /// The error message shown for the field labelled `label` (the element
    /// its `aria-describedby` names), or "" when there is none.
    pub async fn error_of(&self, label: &str) -> Result<String> {
        let id = self.control_id(label, 0).await?;
        let v = self
            .js(
                r#"const el = document.getElementById(arguments[0]);
                if (!el || el.getAttribute('aria-invalid') !== 'true') return '';
                const ids = (el.getAttribute('aria-describedby') || '').split(' ');
                return ids.map(i => document.getElementById(i))
                    .filter(e => e && e.classList.contains('field__error'))
                    .map(e => e.innerText.trim()).join(' ');"#,
                vec![json!(id)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Clicks the button or link whose visible text is `text`.
    pub async fn click(&self, text: &str) -> Result {
        let xpath = format!(
            "//*[self::button or self::a][normalize-space()={}]",
            xpath_literal(text)
        );
        let el = eventually(async || {
            Ok(self
                .client
                .find(Locator::XPath(&xpath))
                .await
                .map_err(|e| format!("no button or link {text:?}: {e}")))
        })
        .await?;
        // Centre it first, clear of the sticky header.
        let arg = serde_json::to_value(&el)?;
        self.js("arguments[0].scrollIntoView({block: 'center'})", vec![arg])
            .await?;
        el.click().await?;
        Ok(())
    }

    /// Presses a key in the focused element (WebDriver key codes).
    pub async fn press(&self, label: &str, keys: &str) -> Result {
        let id = self.control_id(label, 0).await?;
        self.client
            .find(Locator::Id(&id))
            .await?
            .send_keys(keys)
            .await?;
        Ok(())
    }

    /// Chooses the option with this visible text in the select labelled
    /// `label`, as a person does with the keyboard or the mouse. An option
    /// "Name (12)" is chosen by "Name".
    pub async fn choose(&self, label: &str, option: &str) -> Result {
        let id = self.control_id(label, 0).await?;
        let done = self
            .js(
                r#"const [id, text] = arguments;
                const s = document.getElementById(id);
                const o = [...s.options].find(o => o.text.trim() === text || o.text.trim().startsWith(text + ' ('));
                if (!o) return false;
                s.focus();
                s.value = o.value;
                s.dispatchEvent(new Event('change', { bubbles: true }));
                return true;"#,
                vec![json!(id), json!(option)],
            )
            .await?;
        if done.as_bool() != Some(true) {
            return Err(format!("no option {option:?} in {label:?}").into());
        }
        Ok(())
    }

    /// Sets a date field (Chromium's date input takes keys in the locale's
    /// order, so the value is set as the date picker would).
    pub async fn set_date(&self, label: &str, date: &str) -> Result {
        let id = self.control_id(label, 0).await?;
        self.js(
            r#"const el = document.getElementById(arguments[0]);
            el.value = arguments[1];
            el.dispatchEvent(new Event('input', { bubbles: true }));"#,
            vec![json!(id), json!(date)],
        )
        .await?;
        Ok(())
    }

    /// Clicks the button `button` inside the list item that shows `item`.
    pub async fn click_in_item(&self, item: &str, button: &str) -> Result {
        eventually(async || {
            let v = self
                .js(
                    r#"const [item, button] = arguments;
                    for (const li of document.querySelectorAll('li')) {
                        if (!li.innerText.includes(item)) continue;
                        const btn = [...li.querySelectorAll('button')].find(x => x.innerText.trim() === button);
                        if (btn) { btn.scrollIntoView({block: 'center'}); btn.click(); return true; }
                    }
                    return false;"#,
                    vec![json!(item), json!(button)],
                )
                .await?;
            Ok(if v.as_bool() == Some(true) {
                Ok(())
            } else {
                Err(format!("no {button:?} next to {item:?}"))
            })
        })
        .await
    }

    /// Creates a client through the form (by the list's "Новый клиент"
    /// when the list is shown) and waits until it is saved.
    pub async fn create_client(&self, name: &str, inn: &str, phone: &str) -> Result {
        if self.text().await?.contains("Новый клиент") {
            self.click("Новый клиент").await?;
        } else {
            self.goto("/clients/new").await?;
        }
        self.fill("Название", name).await?;
        if !inn.is_empty() {
            self.fill("ИНН", inn).await?;
        }
        self.fill("Телефон", phone).await?;
        self.click("Создать клиента").await?;
        self.wait_text("Сохранено на устройстве").await?;
        Ok(())
    }

    /// Fails when the page is wider than the window (nothing may overflow
    /// sideways at any width the app supports).
    pub async fn assert_fits(&self) -> Result {
        let v = self
            .js(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                vec![],
            )
            .await?;
        let (scroll, inner) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
        if scroll > inner {
            return Err(format!("the page is {scroll}px wide in a {inner}px wide viewport").into());
        }
        Ok(())
    }

    /// Waits until the search index is ready (the app marks it).
    pub async fn search_ready(&self) -> Result {
        eventually(async || {
            let v = self
                .js(
                    "return performance.getEntriesByName('kartoteka:search-ready').length > 0",
                    vec![],
                )
                .await?;
            Ok(if v.as_bool() == Some(true) {
                Ok(())
            } else {
                Err("the search index was never ready".to_owned())
            })
        })
        .await
    }

    /// Presses keys on the element with this id (WebDriver key codes). An
    /// element re-rendered between finding it and typing (a list updated
    /// by sync) is found again.
    pub async fn press_on(&self, id: &str, keys: &str) -> Result {
        poll(WAIT, Duration::from_millis(50), async || {
            let sent = match self.client.find(Locator::Id(id)).await {
                Ok(el) => el.send_keys(keys).await,
                Err(e) => Err(e),
            };
            Ok(sent.map_err(|e| e.to_string()))
        })
        .await
    }

    /// Logs in through the login form.
    pub async fn log_in(&self, login: &str, password: &str) -> Result {
        self.fill("Логин", login).await?;
        self.fill("Пароль", password).await?;
        self.click("Войти").await
    }

    /// Opens a client's card through the search box, once the client is on
    /// the device: types `query`, waits for `name`, presses Enter.
    pub async fn open_card(&self, query: &str, name: &str) -> Result {
        self.goto("/").await?;
        self.fill("Найти клиента", query).await?;
        self.wait_text(name).await?;
        self.press("Найти клиента", "\u{E007}").await?;
        self.wait_text("Контактные лица").await
    }

    /// The header's sync status.
    pub async fn sync_status(&self) -> Result<String> {
        self.inner_text("[data-testid=sync]").await
    }

    /// Waits until the header's sync status satisfies `want` (`what` names
    /// it in the failure).
    pub async fn wait_status(&self, what: &str, want: impl Fn(&str) -> bool) -> Result {
        poll(
            Duration::from_secs(30),
            Duration::from_millis(100),
            async || {
                let status = self.sync_status().await?;
                Ok(if want(&status) {
                    Ok(())
                } else {
                    Err(format!("the sync status never showed {what}: {status:?}"))
                })
            },
        )
        .await
    }

    /// Waits until the header says every change was sent and confirmed
    /// (the time of the last sync instead of a count of unsent changes).
    pub async fn wait_all_sent(&self) -> Result {
        self.wait_status("the time of the last sync", |s| s.starts_with('✓'))
            .await
    }

    /// Waits until the service worker controls the page and has cached the
    /// app shell, so the app can open with the relay gone.
    pub async fn wait_offline_ready(&self) -> Result {
        poll(WAIT, Duration::from_millis(200), async || {
            let v = self
                .client
                .execute_async(
                    r#"const done = arguments[arguments.length - 1];
                    (async () => {
                        if (!navigator.serviceWorker.controller) return false;
                        const keys = await caches.keys();
                        for (const k of keys) {
                            if (k.startsWith('kartoteka-shell-') && (await (await caches.open(k)).keys()).length > 3) return true;
                        }
                        return false;
                    })().then(done, () => done(false));"#,
                    vec![],
                )
                .await?;
            Ok(if v.as_bool() == Some(true) {
                Ok(())
            } else {
                Err("the service worker never took control of the page".to_owned())
            })
        })
        .await
    }

    /// Scrolls the `n`-th element matching the CSS `selector` to the top
    /// of the window, `header` pixels lower so the sticky header does not
    /// hide it (for screenshots of one part of a long page).
    pub async fn scroll_to(&self, selector: &str, n: usize, header: u32) -> Result {
        self.js(
            r#"const [selector, n, header] = arguments;
            document.querySelectorAll(selector)[n].scrollIntoView({block: 'start'});
            window.scrollBy(0, -header);"#,
            vec![json!(selector), json!(n), json!(header)],
        )
        .await?;
        Ok(())
    }

    /// Saves a screenshot as PNG.
    pub async fn screenshot(&self, path: &Path) -> Result {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, self.client.screenshot().await?)?;
        Ok(())
    }

    /// Saves a screenshot named `name` into [`screenshot_dir`].
    pub async fn shot(&self, name: &str) -> Result {
        self.screenshot(&screenshot_dir().join(name)).await
    }

    /// Ends the session and the browser.
    pub async fn close(mut self) -> Result {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        Ok(())
    }
}

/// An XPath string literal for any text (quotes included).
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Where tests leave screenshots for people to look at.
pub fn screenshot_dir() -> PathBuf {
    workspace_root().join("target/screenshots")
}

/// Small helpers of the benchmark binaries.
/// A company's client base as a CSV file (`;`, UTF-8): `clients` clients
/// `ООО «Импорт-Тест NNNN»` with INNs from 600000000 on, the first
/// `with_two` of them with two contact persons and the rest with one, all
/// Анна Смирнова's (`smirnova`). Every phone, e-mail and INN is distinct.
pub fn clients_csv(clients: usize, with_two: usize) -> String {
    let mut out = String::from(
        "Наименование;ИНН;Телефон;Ответственный;Контактное лицо;Должность;Телефон контакта;E-mail контакта\r\n",
    );
    for i in 0..clients {
        let inn = kartoteka::inn::Inn::from_base(&format!("{:09}", 600_000_000 + i))
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default();
        let contacts = if i < with_two { 2 } else { 1 };
        for c in 0..contacts {
            out.push_str(&format!(
                "ООО «Импорт-Тест {i:04}»;{inn};+7 495 6{:02}-{:02}-{:02};smirnova;Контакт{c} Фамилия{i};Менеджер;+7 916 7{:02}-{:02}-{c}{c};c{c}.{i}@import-test.ru\r\n",
                i / 100, i % 100, c, i / 100, i % 100,
            ));
        }
    }
    out
}

pub mod bench {
    use std::time::{Duration, Instant};

    use serde_json::Value;

    use super::{Browser, PASSWORD, Relay, Result, TempDir, relay_bin};

    /// Writes a demo base of `clients` clients into a new data folder with
    /// `kartoteka demo` (as an operator would before a trial) and says how
    /// long it took.
    pub fn demo_data(tag: &str, clients: usize) -> Result<TempDir> {
        let data = TempDir::new(tag)?;
        let started = Instant::now();
        let status = std::process::Command::new(relay_bin())
            .args(["demo", "--clients", &clients.to_string(), "--data"])
            .arg(data.path())
            .stdout(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            return Err("kartoteka demo failed".into());
        }
        println!(
            "demo data: {clients} clients generated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(data)
    }

    /// A laptop-sized browser on `relay` with the supervisor's login sent:
    /// she sees the whole base. It does not wait for the list, so a bench
    /// can time the first start-up from here.
    pub async fn supervisor(relay: &Relay) -> Result<Browser> {
        let b = Browser::open(&relay.url(), 1280, 800).await?;
        b.goto("/").await?;
        b.log_in("orlova", PASSWORD).await?;
        Ok(b)
    }

    /// Runs `script` until it returns something other than `null`, every
    /// `every` for at most `wait` (a bench waits for the app's own
    /// performance marks, which may take minutes on a large base).
    pub async fn js_until(
        b: &Browser,
        script: &str,
        args: Vec<Value>,
        wait: Duration,
        every: Duration,
        what: &str,
    ) -> Result<Value> {
        super::poll(wait, every, async || {
            let v = b.js(script, args.clone()).await?;
            Ok(if v.is_null() {
                Err(format!("{what} never came"))
            } else {
                Ok(v)
            })
        })
        .await
    }

    /// A main-thread task over 50 ms, on the page's clock (ms).
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct LongTask {
        /// When it started.
        pub start: f64,
        /// How long it took.
        pub duration: f64,
    }

    impl LongTask {
        /// Whether it ran during `from..to`.
        pub fn overlaps(&self, from: f64, to: f64) -> bool {
            self.start < to && self.start + self.duration > from
        }
    }

    /// Every long task since the page loaded, from the Long Tasks API (read
    /// after a short pause, so a task that just ended is among them).
    pub async fn long_tasks(b: &Browser) -> Result<Vec<LongTask>> {
        let v = b
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                const tasks = [];
                const obs = new PerformanceObserver(list => {
                    for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
                });
                obs.observe({ type: 'longtask', buffered: true });
                setTimeout(() => { obs.disconnect(); done(tasks); }, 300);"#,
                vec![],
            )
            .await?;
        Ok(v.as_array()
            .map(|tasks| {
                tasks
                    .iter()
                    .map(|t| LongTask {
                        start: t[0].as_f64().unwrap_or(f64::NAN),
                        duration: t[1].as_f64().unwrap_or(0.0),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The longest of `tasks` (ms), 0 when there is none.
    pub fn longest(tasks: impl IntoIterator<Item = LongTask>) -> f64 {
        tasks.into_iter().map(|t| t.duration).fold(0.0, f64::max)
    }

    /// The number after `name` on the command line, or `default`.
    pub fn arg(name: &str, default: usize) -> usize {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    /// The median (the upper one of an even count); NaN when empty.
    pub fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }
}
