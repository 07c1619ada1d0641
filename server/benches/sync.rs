//! The sync bench: the relay binary on loopback, simulated devices
//! (native Automerge, `tests/sync_support`) over real WebSockets, a demo
//! base from `kartoteka::demo`. Numbers go to `docs/sync-protocol.md`
//! ("Measured").
//!
//!     cargo bench -p kartoteka-server --bench sync -- [reconnect] [live]
//!         [--clients 20000,2000] [--history 20] [--live-clients 2000]
//!         [--devices 100] [--seconds 10] [--pause 0] [--relays 1]
//!
//! On PostgreSQL when `KARTOTEKA_TEST_DATABASE` names a server (each base
//! in a new database there); `--relays 2` then runs the live bench on two
//! relay processes sharing it, each group's devices spread over both.
//!
//! - `reconnect`: a supervisor's device holding every client (after a full
//!   first sync) goes offline; meanwhile 200 documents change on another
//!   device and 100 change on it; it reconnects. Time and bytes of that
//!   reconnect, per base size, and of a reconnect when nothing changed.
//! - `live`: 100 devices in groups of four (three of a manager and one of
//!   the supervisor) keep ten of the manager's clients in sync and edit
//!   them as fast as the relay acknowledges (one change in flight per
//!   device): changes accepted and forwarded per second, and the latency
//!   from sending a change to its `kt-accepted` and to its arrival at the
//!   group's other devices.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/sync_support/mod.rs"]
mod sync_support;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use automerge::ReadDoc;
use automerge::transaction::Transactable;
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{UserId, actor_for};
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{self, DEFAULT_MAX_FRAME, DocumentId, Message};
use kartoteka::workspace::WorkspaceDoc;
use kartoteka_server::store::StoredDoc;
use kartoteka_server::sync::{Frame, Policy};
use kartoteka_server::{Clock, seed};
use sync_support::*;

/// Documents changed on another device while the measured one is offline.
const CHANGED_ELSEWHERE: usize = 200;
/// Documents changed on the measured device while it is offline.
const CHANGED_LOCALLY: usize = 100;
/// Devices per group in the live bench, and documents each group edits.
const GROUP: usize = 4;
const GROUP_DOCS: usize = 10;

struct Options {
    reconnect: bool,
    live: bool,
    clients: Vec<usize>,
    history: usize,
    live_clients: usize,
    devices: usize,
    seconds: u64,
    /// Milliseconds a live device waits after each acknowledgement.
    pause: u64,
    /// Relay processes on one database (the live bench; PostgreSQL only).
    relays: usize,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let number =
        |name: &str, default: usize| value(name).map_or(default, |v| v.parse().expect("a number"));
    let reconnect = args.iter().any(|a| a == "reconnect");
    let live = args.iter().any(|a| a == "live");
    Options {
        reconnect: reconnect || !live,
        live: live || !reconnect,
        clients: value("--clients").map_or(vec![20_000, 2_000], |v| {
            v.split(',').map(|n| n.parse().expect("a number")).collect()
        }),
        history: number("--history", 20),
        live_clients: number("--live-clients", 2_000),
        devices: number("--devices", 100),
        seconds: number("--seconds", 10) as u64,
        pause: number("--pause", 0) as u64,
        relays: number("--relays", 1).max(1),
    }
}

fn main() -> Result {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        println!(
            "machine: {} cores; relay: release build of this tree, data folder in {}",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            std::env::temp_dir().display()
        );
        if options.reconnect {
            for &clients in &options.clients {
                reconnect(clients, options.history).await?;
            }
        }
        if options.live {
            live(
                options.live_clients,
                options.devices,
                options.seconds,
                options.history,
                Duration::from_millis(options.pause),
                options.relays,
            )
            .await?;
        }
        Ok(())
    })
}

/// A relay binary on a fresh data folder holding the demo with `clients`
/// clients; what the bench needs to know about the base.
struct Base {
    relay: RelayProcess,
    /// More relays on the same database (`--relays`).
    others: Vec<RelayProcess>,
    _data: TempDir,
    _dist: TempDir,
    /// Each client's effective responsible today (none in the exchange).
    responsible: BTreeMap<DocumentId, Option<String>>,
    /// Login → user id.
    users: HashMap<String, UserId>,
}

/// Seeds a fresh data folder with the demo, gives the documents `pick`
/// chooses a history of `history` small edits each (real cards gather
/// history; Automerge sends a whole document instead of its new changes
/// when more than a third of its changes are new, so one-change demo cards
/// would measure that rule, not the protocol), and starts the relay.
async fn base(
    clients: usize,
    history: usize,
    pick: impl FnOnce(
        &BTreeMap<DocumentId, Option<String>>,
        &HashMap<String, UserId>,
    ) -> Vec<DocumentId>,
) -> Result<Base> {
    let data = TempDir::new("sync-bench-data");
    let dist = TempDir::new("sync-bench-dist");
    let started = Instant::now();
    let (responsible, users) = {
        let store = kartoteka_server::store::testing::at(data.path())?;
        let now = Clock::default().now_ms();
        // The demo lives in Moscow time, as `kartoteka serve` seeds it.
        let today = Date::of_instant(Timestamp(now), 180);
        seed::seed_demo(&store, clients, today, 1, Timestamp(now))?;
        let workspace = store.workspace_id()?.ok_or("no workspace")?;
        let model: WorkspaceDoc = autosurgeon::hydrate(&automerge::Automerge::load(
            &store.doc(&workspace)?.ok_or("no workspace document")?,
        )?)?;
        let policy = Policy::of(None, Some(&model));
        let mut responsible = BTreeMap::new();
        store.for_each_client_doc(&mut |id, _, summary| {
            let summary: ClientSummary = serde_json::from_slice(summary).unwrap();
            let report = zone(&summary.facts, policy.thresholds, today.naive());
            let who = report
                .filter(|r| r.zone != Some(Zone::Exchange))
                .and_then(|r| r.responsible);
            responsible.insert(doc_id(id), who);
            Ok(())
        })?;
        let users: HashMap<String, UserId> = store
            .users()?
            .into_iter()
            .map(|u| (u.login, u.id))
            .collect();
        let writer = actor_for(&users["orlova"], [0xee; 8]).ok_or("an actor")?;
        let mut stored = Vec::new();
        for id in pick(&responsible, &users) {
            let key = id.uuid().to_string();
            let mut doc = automerge::AutoCommit::load(&store.doc(&key)?.ok_or("no document")?)?
                .with_actor(writer.clone());
            let card = match doc.get(automerge::ROOT, "card")? {
                Some((_, card)) => card,
                None => return Err("a client without a card".into()),
            };
            for n in 0..history {
                doc.put(&card, "source", format!("история {n}"))?;
                doc.commit();
            }
            stored.push(StoredDoc {
                id: key.clone(),
                bytes: doc.save(),
                summary: store.summary(&key)?,
            });
        }
        store.put_docs(&stored)?;
        (responsible, users)
    };
    let seeded = started.elapsed();
    let relay = RelayProcess::start(data.path(), dist.path(), 0).await?;
    println!(
        "\nbase: {clients} demo clients seeded in {:.1} s, relay pid {}",
        seeded.as_secs_f64(),
        relay.pid()
    );
    Ok(Base {
        relay,
        others: Vec::new(),
        _data: data,
        _dist: dist,
        responsible,
        users,
    })
}

/// The relay's peak resident memory (Linux), in MiB.
fn relay_peak_mib(relay: &RelayProcess) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", relay.pid())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time (user + system) a process has used so far, in seconds (Linux).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return f64::NAN;
    };
    // The fields after the command name, which is in parentheses.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        // utime and stime, in clock ticks of 1/100 s.
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

/// Handles frames until `done` holds (or two minutes pass).
async fn run_until(client: &mut Client, mut done: impl FnMut(&mut Client) -> bool) -> Result {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(client) {
        if Instant::now() > deadline {
            return Err("the expected messages did not come in 120 s".into());
        }
        if client.closed.is_some() {
            return Err(format!("the relay closed the socket: {:?}", client.closed).into());
        }
        client.step(Duration::from_millis(100)).await?;
    }
    Ok(())
}

/// Handles frames until none comes for `quiet`.
async fn settle(client: &mut Client, quiet: Duration) -> Result {
    while client.step(quiet).await? {}
    Ok(())
}

/// Closes the socket the way a device does when it goes offline.
async fn disconnect(client: &mut Client) -> Result {
    client
        .link
        .send_frame(Frame::Close {
            code: 1000,
            reason: String::new(),
        })
        .await?;
    client.device.offline();
    Ok(())
}

struct Traffic {
    millis: f64,
    bytes_in: usize,
    bytes_out: usize,
    messages_in: usize,
    messages_out: usize,
}

impl Traffic {
    fn start(client: &Client) -> (Instant, [usize; 4]) {
        (
            Instant::now(),
            [
                client.bytes_in,
                client.bytes_out,
                client.messages_in,
                client.messages_out,
            ],
        )
    }

    fn since(client: &Client, start: &(Instant, [usize; 4])) -> Traffic {
        Traffic {
            millis: start.0.elapsed().as_secs_f64() * 1000.0,
            bytes_in: client.bytes_in - start.1[0],
            bytes_out: client.bytes_out - start.1[1],
            messages_in: client.messages_in - start.1[2],
            messages_out: client.messages_out - start.1[3],
        }
    }
}

impl std::fmt::Display for Traffic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.0} ms, relay→device {:>10} B in {:>6} messages, device→relay {:>9} B in {:>6} messages",
            self.millis, self.bytes_in, self.messages_in, self.bytes_out, self.messages_out
        )
    }
}

/// Part (a): the reconnect of a device in sync with a base of `clients`.
async fn reconnect(clients: usize, history: usize) -> Result {
    let touched = CHANGED_ELSEWHERE + CHANGED_LOCALLY;
    let base = base(clients, history, |responsible, _| {
        responsible.keys().take(touched).copied().collect()
    })
    .await?;
    let addr = base.relay.addr;
    let me = login_as(addr, "orlova").await?;
    let ids: Vec<DocumentId> = base.responsible.keys().copied().collect();
    let elsewhere = &ids[..CHANGED_ELSEWHERE];
    let locally = &ids[CHANGED_ELSEWHERE..touched];

    // Another device of the supervisor, used to change documents while the
    // measured one is offline.
    let mut other = Client::new(
        Device::new(&me.user.id, 2),
        Link::socket(addr, &me.token).await?,
    );
    other.device.follow_changed = false;
    other.connect().await?;
    for &id in elsewhere {
        other.sync(id).await?;
    }
    run_until(&mut other, |c| {
        elsewhere.iter().all(|id| c.device.docs.contains_key(id))
    })
    .await?;
    settle(&mut other, Duration::from_millis(200)).await?;
    disconnect(&mut other).await?;

    // The measured device: a first sync of the whole base.
    let mut device = Client::new(
        Device::new(&me.user.id, 1),
        Link::socket(addr, &me.token).await?,
    );
    let first = Traffic::start(&device);
    first_sync(&mut device, clients + 1).await?;
    let first_sync = Traffic::since(&device, &first);
    settle(&mut device, Duration::from_millis(300)).await?;
    disconnect(&mut device).await?;

    // Offline: 200 documents change elsewhere, 100 here.
    other.link = Link::socket(addr, &me.token).await?;
    other.closed = None;
    other.device.cursor = device.device.cursor;
    other.connect().await?;
    edit_all(&mut other, elsewhere.iter(), |c| {
        c.card.industry = "изменено на другом устройстве".into();
    })
    .await?;
    let expected: HashMap<DocumentId, Vec<ChangeHash>> = elsewhere
        .iter()
        .map(|&id| (id, other.device.heads(id)))
        .collect();
    settle(&mut other, Duration::from_millis(200)).await?;
    disconnect(&mut other).await?;
    for &id in locally {
        device
            .device
            .edit(id, |c| c.card.website = "offline.example".into());
    }

    // The reconnect: socket, join, kt-hello, the changed documents and the
    // local ones synced, the local changes acknowledged.
    let accepted_before = device.device.accepted.len();
    let relay_pid = base.relay.pid().to_string();
    let relay_cpu = cpu_seconds(&relay_pid);
    let load = load_average();
    let start = Traffic::start(&device);
    device.link = Link::socket(addr, &me.token).await?;
    device.closed = None;
    device.device.changed.clear();
    device.connect().await?;
    for &id in locally {
        device.sync(id).await?;
    }
    let (mut told_at, mut pushed_at, mut accepted_at) = (None, None, None);
    run_until(&mut device, |c| {
        let now = start.0.elapsed();
        if told_at.is_none() && !c.device.changed.is_empty() {
            told_at = Some(now);
        }
        let accepted: std::collections::HashSet<DocumentId> = c.device.accepted[accepted_before..]
            .iter()
            .map(|(id, _, _)| *id)
            .collect();
        if accepted_at.is_none() && locally.iter().all(|id| accepted.contains(id)) {
            accepted_at = Some(now);
        }
        if pushed_at.is_none()
            && expected
                .iter()
                .all(|(id, heads)| c.device.heads(*id) == *heads)
        {
            pushed_at = Some(now);
        }
        accepted_at.is_some() && pushed_at.is_some()
    })
    .await?;
    let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    let milestones = format!(
        "kt-changed after {:.0} ms, the {CHANGED_ELSEWHERE} changes in after {:.0} ms, \
         the {CHANGED_LOCALLY} local ones accepted after {:.0} ms",
        ms(told_at),
        ms(pushed_at),
        ms(accepted_at)
    );
    let done = Traffic::since(&device, &start);
    let relay_cpu = cpu_seconds(&relay_pid) - relay_cpu;
    settle(&mut device, Duration::from_millis(300)).await?;
    let with_acks = Traffic::since(&device, &start);
    let told = device.device.changed.len();
    disconnect(&mut device).await?;

    // A reconnect when nothing changed.
    let start = Traffic::start(&device);
    device.link = Link::socket(addr, &me.token).await?;
    device.closed = None;
    let cursor = device.device.cursor;
    device.connect().await?;
    run_until(&mut device, |c| c.messages_in >= start.1[2] + 2).await?;
    let idle = Traffic::since(&device, &start);
    assert_eq!(device.device.cursor, cursor, "nothing changed");
    disconnect(&mut device).await?;

    println!(
        "reconnect, {clients} clients on the device and the relay (cards with {history} earlier edits):"
    );
    println!("  first sync of the whole base    {first_sync}");
    println!(
        "  reconnect, {CHANGED_ELSEWHERE} changed elsewhere + {CHANGED_LOCALLY} locally (kt-changed named {told}):"
    );
    println!(
        "    until every change is across  {done}\n      ({milestones}; relay CPU {:.0} ms; load average {load})",
        relay_cpu * 1000.0
    );
    println!("    until the socket is quiet     {with_acks}");
    println!("  reconnect, nothing changed      {idle}");
    if let Some(mib) = relay_peak_mib(&base.relay) {
        println!("  relay peak resident memory      {mib:.0} MiB");
    }
    Ok(())
}

/// A device's first sync: `kt-hello` from cursor 0, then every document
/// it is told about, requested a window at a time (a device that wrote
/// tens of thousands of requests without reading would fill both sockets'
/// buffers and stall).
async fn first_sync(client: &mut Client, everything: usize) -> Result {
    const WINDOW: usize = 256;
    client.device.follow_changed = false;
    client.connect().await?;
    run_until(client, |c| c.device.changed.len() >= everything).await?;
    let ids = std::mem::take(&mut client.device.changed);
    let mut asked = 0;
    while client.device.docs.len() < everything {
        while asked < ids.len() && asked - client.device.docs.len().min(asked) < WINDOW {
            client.sync(ids[asked]).await?;
            asked += 1;
        }
        if client.closed.is_some() {
            return Err(format!("the relay closed the socket: {:?}", client.closed).into());
        }
        client.step(Duration::from_millis(100)).await?;
    }
    client.device.follow_changed = true;
    Ok(())
}

/// Edits each document once on `client` and waits for every `kt-accepted`.
async fn edit_all<'a>(
    client: &mut Client,
    ids: impl Iterator<Item = &'a DocumentId>,
    edit: impl Fn(&mut kartoteka::client::ClientDoc),
) -> Result {
    let before = client.device.accepted.len();
    let mut count = 0;
    for &id in ids {
        client.device.edit(id, &edit);
        client.sync(id).await?;
        count += 1;
    }
    run_until(client, |c| c.device.accepted.len() >= before + count).await?;
    if !client.device.refused.is_empty() {
        return Err(format!("refused: {:?}", client.device.refused).into());
    }
    Ok(())
}

/// When each change left its device, by hash.
type Sent = Arc<Mutex<HashMap<ChangeHash, Instant>>>;

#[derive(Default)]
struct Samples {
    /// (when, latency) of each `kt-accepted` for a change of this device.
    accepted: Vec<(Instant, Duration)>,
    /// (when, latency) of each change of another device arriving here.
    forwarded: Vec<(Instant, Duration)>,
    refused: usize,
    errors: Vec<String>,
}

/// The groups of the live bench: for each, the manager's login and the
/// ten of the manager's clients it shares (managers in turn).
fn groups(
    count: usize,
    responsible: &BTreeMap<DocumentId, Option<String>>,
    users: &HashMap<String, UserId>,
) -> Result<Vec<(&'static str, Vec<DocumentId>)>> {
    let mut managers: Vec<(&'static str, Vec<DocumentId>)> = ["petrov", "smirnova", "kozlov"]
        .into_iter()
        .map(|login| {
            let own = responsible
                .iter()
                .filter(|(_, who)| who.as_deref() == users.get(login).map(UserId::as_str))
                .map(|(id, _)| *id)
                .collect();
            (login, own)
        })
        .collect();
    managers.retain(|(_, own)| own.len() >= GROUP_DOCS);
    if managers.is_empty() {
        return Err("no manager has clients".into());
    }
    let mut taken = vec![0; managers.len()];
    (0..count)
        .map(|g| {
            let m = g % managers.len();
            let (login, own) = &managers[m];
            let docs: Vec<DocumentId> = own
                .iter()
                .skip(taken[m])
                .take(GROUP_DOCS)
                .copied()
                .collect();
            if docs.len() < GROUP_DOCS {
                return Err(format!("{login} has too few clients for {count} groups").into());
            }
            taken[m] += GROUP_DOCS;
            Ok((*login, docs))
        })
        .collect()
}

/// Part (b): `devices` devices editing and receiving at once.
async fn live(
    clients: usize,
    devices: usize,
    seconds: u64,
    history: usize,
    pause: Duration,
    relays: usize,
) -> Result {
    let load_before = load_average();
    let count = devices / GROUP;
    let mut base = base(clients, history, |responsible, users| {
        groups(count, responsible, users)
            .map(|g| g.into_iter().flat_map(|(_, docs)| docs).collect())
            .unwrap_or_default()
    })
    .await?;
    for _ in 1..relays {
        let other = RelayProcess::start(base._data.path(), base._dist.path(), 0).await?;
        base.others.push(other);
    }
    let addrs: Vec<_> = std::iter::once(base.relay.addr)
        .chain(base.others.iter().map(|r| r.addr))
        .collect();
    let addr = base.relay.addr;
    let supervisor = login_as(addr, "orlova").await?;
    let mut plan = Vec::new();
    for (g, (login, docs)) in groups(count, &base.responsible, &base.users)?
        .into_iter()
        .enumerate()
    {
        let manager = login_as(addr, login).await?;
        for k in 0..GROUP {
            let who = if k + 1 == GROUP {
                &supervisor
            } else {
                &manager
            };
            let number = u8::try_from(g * GROUP + k + 1)?;
            // A group's devices on different relays: its changes cross.
            let to = addrs[(g * GROUP + k) % addrs.len()];
            plan.push((
                to,
                who.user.id.clone(),
                who.token.clone(),
                number,
                docs.clone(),
            ));
        }
    }

    let sent: Sent = Arc::default();
    let ready = Arc::new(tokio::sync::Barrier::new(plan.len() + 1));
    let warmup = Duration::from_secs(3);
    let window = Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (addr, user, token, number, docs) in plan {
        let sent = sent.clone();
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            let result = live_device(
                addr,
                user,
                token,
                number,
                docs,
                sent,
                ready,
                warmup + window,
                pause,
            )
            .await;
            result.map_err(|e| e.to_string())
        }));
    }
    ready.wait().await;
    let started = Instant::now();
    let from = started + warmup;
    let to = from + window;
    // CPU used by the relay and by the devices (this process) in the window.
    let relay_pid = base.relay.pid().to_string();
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(from.into()).await;
        let start = (cpu_seconds(&relay_pid), cpu_seconds("self"));
        tokio::time::sleep_until(to.into()).await;
        (
            cpu_seconds(&relay_pid) - start.0,
            cpu_seconds("self") - start.1,
        )
    });
    let mut all = Samples::default();
    for task in tasks {
        let samples = task.await?.map_err(|e| format!("a device failed: {e}"))?;
        all.accepted.extend(samples.accepted);
        all.forwarded.extend(samples.forwarded);
        all.refused += samples.refused;
        all.errors.extend(samples.errors);
    }
    let in_window = |samples: &[(Instant, Duration)]| -> Vec<Duration> {
        let mut v: Vec<Duration> = samples
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .map(|(_, d)| *d)
            .collect();
        v.sort();
        v
    };
    let (relay_cpu, devices_cpu) = cpu.await?;
    let accepted = in_window(&all.accepted);
    let forwarded = in_window(&all.forwarded);
    let per_second = |n: usize| n as f64 / window.as_secs_f64();
    let pct = |v: &[Duration], p: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i].as_secs_f64() * 1000.0
    };
    println!(
        "live: {} devices on {relays} relay(s) ({} groups of {GROUP}: 3 of a manager + 1 of the supervisor, \
         {GROUP_DOCS} shared clients each), {} ms pause after each acknowledgement, \
         {}s measured after {}s warm-up",
        count * GROUP,
        count,
        pause.as_millis(),
        window.as_secs(),
        warmup.as_secs()
    );
    println!(
        "  accepted   {:>7.0} changes/s   latency p50 {:>6.1} ms  p90 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms  ({} samples)",
        per_second(accepted.len()),
        pct(&accepted, 0.5),
        pct(&accepted, 0.9),
        pct(&accepted, 0.99),
        pct(&accepted, 1.0),
        accepted.len()
    );
    println!(
        "  forwarded  {:>7.0} changes/s   latency p50 {:>6.1} ms  p90 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms  ({} deliveries)",
        per_second(forwarded.len()),
        pct(&forwarded, 0.5),
        pct(&forwarded, 0.9),
        pct(&forwarded, 0.99),
        pct(&forwarded, 1.0),
        forwarded.len()
    );
    println!(
        "  refused {}, errors {}{}",
        all.refused,
        all.errors.len(),
        all.errors
            .first()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    println!(
        "  CPU in the window: relay {:.1} s ({:.2} ms per accepted change), devices {:.1} s; \
         load average before the run {}",
        relay_cpu,
        relay_cpu * 1000.0 / accepted.len().max(1) as f64,
        devices_cpu,
        load_before
    );
    if let Some(mib) = relay_peak_mib(&base.relay) {
        println!("  relay peak resident memory {mib:.0} MiB");
    }
    Ok(())
}

/// The 1-minute load average (other work on the machine skews the times).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

/// One device of the live bench: gets its group's documents, then edits
/// them in turn, one change in flight, for `run` after the barrier.
#[allow(clippy::too_many_arguments)]
async fn live_device(
    addr: std::net::SocketAddr,
    user: UserId,
    token: String,
    number: u8,
    docs: Vec<DocumentId>,
    sent: Sent,
    ready: Arc<tokio::sync::Barrier>,
    run: Duration,
    pause: Duration,
) -> Result<Samples> {
    let mut client = Client::new(
        Device::new(&user, number),
        Link::socket(addr, &token).await?,
    );
    // Only the group's documents are kept in sync: the fan-out of a change
    // is the other three devices of the group.
    client.device.follow_changed = false;
    client.connect().await?;
    for &id in &docs {
        client.sync(id).await?;
    }
    run_until(&mut client, |c| {
        docs.iter().all(|id| c.device.docs.contains_key(id))
    })
    .await?;
    settle(&mut client, Duration::from_millis(200)).await?;
    ready.wait().await;
    let end = Instant::now() + run;
    let mut samples = Samples::default();
    let mut next = usize::from(number) % docs.len();
    let mut in_flight: Option<(DocumentId, Instant)> = None;
    let mut n = 0u64;
    // Devices start spread over one pause, then wait a pause after each
    // acknowledgement (none: as fast as the relay acknowledges).
    let mut next_at = Instant::now() + pause * u32::from(number) / 100;
    loop {
        let now = Instant::now();
        if in_flight.is_none() && now >= end {
            break;
        }
        if in_flight.is_none() && now >= next_at {
            let id = docs[next];
            next = (next + 1) % docs.len();
            n += 1;
            client.device.edit(id, |c| {
                c.card.source = format!("устройство {number}, правка {n}")
            });
            let at = Instant::now();
            for hash in client.device.heads(id) {
                sent.lock().unwrap().insert(hash, at);
            }
            client.sync(id).await?;
            in_flight = Some((id, at));
        }
        let wait = match in_flight {
            None => next_at
                .saturating_duration_since(now)
                .min(Duration::from_millis(500)),
            Some(_) => Duration::from_millis(500),
        };
        let Some(frame) = client.link.recv(wait).await? else {
            if now >= end + Duration::from_secs(5) {
                break;
            }
            continue;
        };
        let Frame::Binary(bytes) = frame else {
            return Err(format!("unexpected frame {frame:?}").into());
        };
        let message = sync::decode(&bytes, DEFAULT_MAX_FRAME)?;
        let arrived = Instant::now();
        match &message {
            Message::KtAccepted { document_id, .. } => {
                if let Some((id, at)) = in_flight
                    && id == *document_id
                {
                    samples.accepted.push((arrived, arrived - at));
                    in_flight = None;
                    next_at = arrived + pause;
                }
            }
            Message::KtRefused { .. } => {
                samples.refused += 1;
                in_flight = None;
            }
            Message::Error { message, .. } => samples.errors.push(message.clone()),
            _ => {}
        }
        let synced = match &message {
            Message::Sync { document_id, .. } if client.device.docs.contains_key(document_id) => {
                Some((*document_id, client.device.heads(*document_id)))
            }
            _ => None,
        };
        for answer in client.device.receive(message) {
            client.send(&answer).await?;
        }
        if let Some((id, before)) = synced {
            let doc = client
                .device
                .docs
                .get_mut(&id)
                .ok_or("a synced document vanished")?;
            let sent = sent.lock().unwrap();
            for change in doc.get_changes(&before) {
                if let Some(at) = sent.get(&change.hash()) {
                    samples.forwarded.push((arrived, arrived - *at));
                }
            }
        }
    }
    disconnect(&mut client).await?;
    Ok(samples)
}
