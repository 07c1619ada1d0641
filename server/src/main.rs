//! `kartoteka`: the relay and its administration commands.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use kartoteka::date::{Date, Timestamp};
use kartoteka::import::clients::OnBadValue;
use kartoteka_server::cli::ExportFormat;
use kartoteka_server::clients::Lang;
use kartoteka_server::{AppState, Clock, Store, Transport, app_over, seed, tls};

/// See the note on `mimalloc` in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kartoteka",
    version,
    about = "Kartoteka: the relay and its administration commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the relay and serve the app.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The data folder (created if missing).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Keep everything in PostgreSQL instead of the data folder
        /// (postgres://USER@HOST:PORT/DB); several relays may share it.
        #[arg(long, env = "KARTOTEKA_DATABASE")]
        database: Option<String>,
        /// The built app to serve (Trunk's `dist/`).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// On first start, how many demo clients to generate.
        #[arg(long, default_value_t = 300)]
        demo_clients: usize,
        /// On first start, create an empty workspace with one administrator
        /// (login `admin`, password from KARTOTEKA_ADMIN_PASSWORD) instead
        /// of the demo.
        #[arg(long)]
        no_demo: bool,
        /// Serve HTTPS with this certificate chain (PEM, the server's own
        /// certificate first); needs --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Browsers reach the relay over HTTPS through a reverse proxy: tell
        /// them to keep to HTTPS (HSTS). Implied by --tls-cert.
        #[arg(long)]
        behind_https: bool,
    },
    /// Evaluate the rule engine over a facts file (SPEC 10): prints each
    /// client's status, since when, the rule, its zone and responsible.
    Evaluate {
        /// The facts file (JSON).
        #[arg(long)]
        input: PathBuf,
        /// The evaluation date, YYYY-MM-DD.
        #[arg(long)]
        as_of: String,
        /// Also give each client its ABC and XYZ class by revenue (SPEC 8).
        #[arg(long)]
        classes: bool,
    },
    /// The zones dashboard's series over a facts file (SPEC 10): per
    /// manager the green, yellow and red clients on each weekly date, and
    /// the clients in the exchange.
    Zones {
        /// The facts file (JSON), as for `evaluate`.
        #[arg(long)]
        input: PathBuf,
        /// The last date of the series, YYYY-MM-DD.
        #[arg(long)]
        as_of: String,
        /// How many weekly dates, ending on --as-of.
        #[arg(long, default_value_t = 26, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        weeks: u32,
    },
    /// Import into a stopped relay's data folder (SPEC 8).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export from a stopped relay's data folder (SPEC 8).
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// A consistent copy of a data folder's store, while the relay runs or
    /// not. To restore: stop the relay and put the copy into an empty data
    /// folder as kartoteka.redb (README, "Backup and restore").
    Backup {
        /// The data folder.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// The file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Create a data folder with the demo workspace and N generated clients
    /// (for benchmarks: 20,000 or 50,000).
    Demo {
        #[arg(long, default_value_t = 300)]
        clients: usize,
        /// The data folder to create; must not hold a workspace yet.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Create it in this PostgreSQL database instead of a data folder.
        #[arg(long, env = "KARTOTEKA_DATABASE")]
        database: Option<String>,
        /// The generator's seed; the same seed gives the same clients.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage the users of a data folder (stop the relay on it first): add
    /// the first administrator, reset a password, let someone go.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Copy an embedded store (a data folder) into an empty PostgreSQL
    /// database and verify the copy (counts, change numbers, document
    /// heads). Stop the relay on the folder first.
    Migrate {
        /// The data folder to copy.
        #[arg(long)]
        from_data: PathBuf,
        /// The database to copy into (postgres://USER@HOST:PORT/DB).
        #[arg(long)]
        to: String,
    },
}

/// Where `kartoteka user …` works.
#[derive(clap::Args)]
struct UserStore {
    /// The data folder of a stopped relay.
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Work on this PostgreSQL database instead of a data folder.
    #[arg(long, env = "KARTOTEKA_DATABASE")]
    database: Option<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password comes from KARTOTEKA_PASSWORD or is typed
    /// twice at a prompt.
    Add {
        #[command(flatten)]
        store: UserStore,
        #[arg(long)]
        login: String,
        /// The full name, as lists and the card show it.
        #[arg(long)]
        name: String,
        /// manager, assistant, supervisor or administrator.
        #[arg(long)]
        role: String,
    },
    /// Give a user a new password (KARTOTEKA_PASSWORD or a prompt); their
    /// sessions end.
    Passwd {
        #[command(flatten)]
        store: UserStore,
        #[arg(long)]
        login: String,
    },
    /// Deactivate a user: they can no longer log in, their sessions end.
    Deactivate {
        #[command(flatten)]
        store: UserStore,
        #[arg(long)]
        login: String,
    },
    /// Let a deactivated user log in again.
    Activate {
        #[command(flatten)]
        store: UserStore,
        #[arg(long)]
        login: String,
    },
    /// List the users: login, role, state, last login, name.
    List {
        #[command(flatten)]
        store: UserStore,
    },
}

/// The variable a script passes a password in.
const PASSWORD_VAR: &str = "KARTOTEKA_PASSWORD";

/// A new password: from [`PASSWORD_VAR`], else typed twice (not shown).
fn new_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_VAR) {
        return Ok(password);
    }
    let first = rpassword::prompt_password("New password: ")
        .with_context(|| format!("reading the password (or set {PASSWORD_VAR})"))?;
    kartoteka::users::check_password(&first)?;
    let second = rpassword::prompt_password("The same again: ")
        .with_context(|| format!("reading the password (or set {PASSWORD_VAR})"))?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// Runs `kartoteka user …` on its store.
async fn user_command(action: UserCommand) -> anyhow::Result<()> {
    use kartoteka_server::users;
    let store = match &action {
        UserCommand::Add { store, .. }
        | UserCommand::Passwd { store, .. }
        | UserCommand::Deactivate { store, .. }
        | UserCommand::Activate { store, .. }
        | UserCommand::List { store } => store,
    };
    if store.database.is_none() && !store.data.join("kartoteka.redb").exists() {
        bail!(
            "{} holds no Kartoteka data (start the relay once, or give --database)",
            store.data.display()
        );
    }
    let password = match &action {
        UserCommand::Add { role, .. } => {
            // Refused before anything is typed.
            kartoteka::workspace::Role::from_id(role).with_context(|| {
                format!(
                    "unknown role \"{role}\": choose manager, assistant, supervisor or administrator"
                )
            })?;
            Some(new_password()?)
        }
        UserCommand::Passwd { .. } => Some(new_password()?),
        _ => None,
    };
    let opened = open_store(&store.data, store.database.as_deref())?;
    let state = AppState::new(opened, Clock::default(), None);
    let relay = kartoteka_server::sync::Relay::new(&state);
    // The store and Argon2 block: off the async threads.
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        match action {
            UserCommand::Add {
                login, name, role, ..
            } => {
                let role = kartoteka::workspace::Role::from_id(&role)
                    .with_context(|| format!("unknown role \"{role}\""))?;
                let password = password.unwrap_or_default();
                let user = users::add(&relay, None, &login, &name, role, &password)?;
                println!("Added {} ({}) as {}.", user.login, user.name, role.id());
            }
            UserCommand::Passwd { login, .. } => {
                let user = users::find(&relay, &login)?;
                users::set_password(&relay, &user.id, &password.unwrap_or_default())?;
                println!("New password set for {}; their sessions ended.", user.login);
            }
            UserCommand::Deactivate { login, .. } => {
                let user = users::find(&relay, &login)?;
                users::set_active(&relay, &user.id, &user.id, false)?;
                println!("Deactivated {}; their sessions ended.", user.login);
            }
            UserCommand::Activate { login, .. } => {
                let user = users::find(&relay, &login)?;
                users::set_active(&relay, &user.id, &user.id, true)?;
                println!("Activated {}.", user.login);
            }
            UserCommand::List { .. } => {
                println!(
                    "{:<20} {:<14} {:<9} {:<17} NAME",
                    "LOGIN", "ROLE", "STATE", "LAST LOGIN (UTC)"
                );
                for user in users::list(&relay)? {
                    let last = user
                        .last_login
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".to_owned());
                    let state = if user.active { "active" } else { "inactive" };
                    println!(
                        "{:<20} {:<14} {:<9} {:<17} {}",
                        user.login,
                        user.role.id(),
                        state,
                        last,
                        user.name
                    );
                }
            }
        }
        Ok(())
    })
    .await
    .context("the user command stopped")?
}

/// The store a command names: the database if given, else the folder.
fn open_store(data: &std::path::Path, database: Option<&str>) -> anyhow::Result<Store> {
    Store::open_or_connect(data, database).with_context(|| match database {
        Some(_) => "connecting to the database".to_owned(),
        None => format!("opening {}", data.display()),
    })
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Clients and their contact persons from a CSV file or a workbook:
    /// prints what was added, joined and refused; exits with 1 if any row
    /// was refused (the other rows are imported).
    Clients {
        /// The file: CSV (UTF-8 or Windows-1251; `;`, `,` or Tab), .xlsx or .xls.
        file: PathBuf,
        /// The data folder of a stopped relay.
        #[arg(long)]
        data: PathBuf,
        /// The administrator or supervisor who imports.
        #[arg(long = "as")]
        login: String,
        /// Show what would be done; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The workbook's sheet to read (the first by default).
        #[arg(long)]
        sheet: Option<String>,
        /// Import a row with a bad value without that value, instead of
        /// refusing the row.
        #[arg(long)]
        drop_bad_values: bool,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// Clients with all their contact persons, one row per contact.
    Clients {
        /// The data folder of a stopped relay.
        #[arg(long)]
        data: PathBuf,
        #[arg(long, value_enum)]
        format: Format,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Only the clients this user may read (everything by default).
        #[arg(long = "as")]
        login: Option<String>,
        /// The language of the headers, statuses and zones.
        #[arg(long, value_enum, default_value = "ru")]
        lang: Language,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Language {
    Ru,
    En,
}

/// Leaves the address and a fresh backup key of this relay in its data
/// folder, readable by its owner only, for `kartoteka backup`.
fn leave_backup_key(store: &Store, data: &std::path::Path, addr: SocketAddr) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let (key, hash) = kartoteka_server::auth::new_token()?;
    store.set_backup_key(&hash)?;
    let path = data.join(kartoteka_server::cli::BACKUP_KEY_FILE);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    writeln!(file, "{addr}\n{key}")?;
    Ok(())
}

fn today(clock: &Clock) -> Date {
    // The demo workspace lives in Moscow time (its settings say UTC+3).
    Date::of_instant(Timestamp(clock.now_ms()), 180)
}

fn print_logins(users: &[kartoteka::demo::DemoUser]) {
    println!(
        "Demo users (password \"{}\"):",
        kartoteka::demo::DEMO_PASSWORD
    );
    for u in users {
        println!(
            "  {:<10} {:<16} {}",
            u.entry.login,
            u.entry.name,
            u.entry.role.id()
        );
    }
}

/// Threads for blocking work (Automerge and the store, off the async
/// threads). The work is CPU-bound or a short wait for the group commit, so
/// more threads than this only cost memory: with tokio's default of 512, a
/// hundred busy devices had the relay at 345 threads and 1.9 GB resident.
const BLOCKING_THREADS: usize = 32;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .context("cannot start the async runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "kartoteka=info,kartoteka_server=info,warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            addr,
            data,
            database,
            dist,
            demo_clients,
            no_demo,
            tls_cert,
            tls_key,
            behind_https,
        } => {
            // Read before anything else: a wrong path is told at once.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(tls::server_config(&cert, &key)?),
                _ => None,
            };
            let clock = Clock::default();
            let store = open_store(&data, database.as_deref())?;
            if store.workspace_id()?.is_none() {
                let now = Timestamp(clock.now_ms());
                if no_demo {
                    let password = std::env::var("KARTOTEKA_ADMIN_PASSWORD")
                        .context("set KARTOTEKA_ADMIN_PASSWORD for the first administrator")?;
                    seed::seed_empty(&store, "admin", &password, now)?;
                    println!("New workspace: log in as \"admin\".");
                } else {
                    println!(
                        "First start: creating the demo workspace with {demo_clients} clients…"
                    );
                    let users = seed::seed_demo(&store, demo_clients, today(&clock), 1, now)?;
                    print_logins(&users);
                }
            }
            let refreshed = kartoteka_server::summaries::refresh(&store)
                .context("computing the client summaries again")?;
            if refreshed > 0 {
                println!("Client summaries brought up to date: {refreshed}.");
            }
            if !dist.join("index.html").exists() {
                bail!(
                    "{} has no index.html: build the app first (trunk build --release)",
                    dist.display()
                );
            }
            let transport = if tls.is_some() || behind_https {
                Transport::Https
            } else {
                Transport::Http
            };
            let tcp = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            // `kartoteka backup` asks a running relay over plain HTTP, for
            // the embedded store only (PostgreSQL has pg_dump).
            if tls.is_none() && database.is_none() {
                leave_backup_key(&store, &data, tcp.local_addr().unwrap_or(addr))?;
            } else {
                // A key left by an earlier start would point at this port.
                let _ = std::fs::remove_file(data.join(kartoteka_server::cli::BACKUP_KEY_FILE));
            }
            let state = AppState::new(store, clock, Some(dist));
            // With other relays on the same database: hear what they commit.
            tokio::spawn(kartoteka_server::sync::follow(state.clone()));
            let router = app_over(state, transport);
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            match tls {
                Some(config) => {
                    let listener = tls::TlsListener::new(tcp, config)?;
                    println!("Kartoteka is running at https://{addr}/");
                    let service = router
                        .into_make_service_with_connect_info::<kartoteka_server::limits::PeerAddr>(
                        );
                    axum::serve(listener, service)
                        .with_graceful_shutdown(shutdown)
                        .await?;
                }
                None => {
                    // No Nagle delay: sync messages are small and each waits
                    // for an answer.
                    let listener = tcp.tap_io(|tcp| {
                        if let Err(e) = tcp.set_nodelay(true) {
                            tracing::debug!(error = %e, "TCP_NODELAY");
                        }
                    });
                    println!("Kartoteka is running at http://{addr}/");
                    let service = router.into_make_service_with_connect_info::<SocketAddr>();
                    axum::serve(listener, service)
                        .with_graceful_shutdown(shutdown)
                        .await?;
                }
            }
        }
        Command::Evaluate {
            input,
            as_of,
            classes,
        } => {
            let as_of: Date = as_of
                .parse()
                .with_context(|| "--as-of must be a date YYYY-MM-DD".to_owned())?;
            let text = std::fs::read_to_string(&input)
                .with_context(|| format!("reading {}", input.display()))?;
            let evaluate = if classes {
                kartoteka::rules::evaluate::evaluate_classes_json
            } else {
                kartoteka::rules::evaluate::evaluate_json
            };
            match evaluate(&text, as_of.naive()) {
                Ok(json) => println!("{json}"),
                Err(e) => bail!("{}: {e}", input.display()),
            }
        }
        Command::Zones {
            input,
            as_of,
            weeks,
        } => {
            let as_of: Date = as_of
                .parse()
                .with_context(|| "--as-of must be a date YYYY-MM-DD".to_owned())?;
            let text = std::fs::read_to_string(&input)
                .with_context(|| format!("reading {}", input.display()))?;
            match kartoteka::rules::evaluate::zones_json(&text, as_of.naive(), weeks) {
                Ok(json) => println!("{json}"),
                Err(e) => bail!("{}: {e}", input.display()),
            }
        }
        Command::Import {
            what:
                ImportWhat::Clients {
                    file,
                    data,
                    login,
                    dry_run,
                    sheet,
                    drop_bad_values,
                },
        } => {
            let on_bad = if drop_bad_values {
                OnBadValue::DropValue
            } else {
                OnBadValue::SkipRow
            };
            let clock = Clock::default();
            let all_imported = kartoteka_server::cli::import_clients(
                &file,
                &data,
                &login,
                sheet.as_deref(),
                on_bad,
                dry_run,
                Timestamp(clock.now_ms()),
            )?;
            if !all_imported {
                std::process::exit(1);
            }
        }
        Command::Export {
            what:
                ExportWhat::Clients {
                    data,
                    format,
                    out,
                    login,
                    lang,
                },
        } => {
            let format = match format {
                Format::Csv => ExportFormat::Csv,
                Format::Xlsx => ExportFormat::Xlsx,
            };
            let lang = match lang {
                Language::Ru => Lang::Ru,
                Language::En => Lang::En,
            };
            let started = std::time::Instant::now();
            let (clients, rows) = kartoteka_server::cli::export_clients(
                &data,
                format,
                &out,
                login.as_deref(),
                lang,
                Timestamp(Clock::default().now_ms()),
            )?;
            println!(
                "Exported {clients} clients ({rows} rows) to {} in {:.1} s.",
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Backup { data, out } => {
            let bytes = kartoteka_server::cli::backup(&data, &out)?;
            println!("Backup written to {} ({bytes} bytes).", out.display());
        }
        Command::Demo {
            clients,
            data,
            database,
            seed: rng_seed,
        } => {
            let clock = Clock::default();
            let store = open_store(&data, database.as_deref())?;
            if store.workspace_id()?.is_some() {
                bail!(
                    "{} already holds a workspace; choose an empty folder",
                    data.display()
                );
            }
            let started = std::time::Instant::now();
            let users = seed::seed_demo(
                &store,
                clients,
                today(&clock),
                rng_seed,
                Timestamp(clock.now_ms()),
            )?;
            println!(
                "Created {} with {clients} demo clients in {:.1} s.",
                data.display(),
                started.elapsed().as_secs_f64()
            );
            print_logins(&users);
        }
        Command::User { action } => user_command(action).await?,
        Command::Migrate { from_data, to } => {
            if !from_data.join("kartoteka.redb").exists() {
                bail!("{} holds no Kartoteka data", from_data.display());
            }
            let from = open_store(&from_data, None)?;
            let into = open_store(&from_data, Some(&to))?;
            let started = std::time::Instant::now();
            let report = kartoteka_server::store::copy(&from, &into)?;
            println!(
                "Copied and verified in {:.1} s: {} users, {} sessions, {} documents, \
                 {} sync states, change sequence at {}.",
                started.elapsed().as_secs_f64(),
                report.users,
                report.sessions,
                report.documents,
                report.sync_states,
                report.last_seq
            );
            println!("Start the relay with --database to use it.");
        }
    }
    Ok(())
}
