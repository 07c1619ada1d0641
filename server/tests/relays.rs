//! Several relay processes on one PostgreSQL database, devices on real
//! WebSockets: what one relay accepts reaches devices on the other, a race
//! for an exchange client through two relays has one winner, and a relay
//! killed mid-stream loses nothing it acknowledged.
//!
//! These run only when `KARTOTEKA_TEST_DATABASE` names a PostgreSQL server
//! (`scripts/test.sh` starts a throw-away one): two processes cannot open
//! one embedded store, so on redb there is nothing to test and each test
//! says so and returns.
#![allow(clippy::unwrap_used)]

mod sync_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use automerge::ReadDoc;
use kartoteka::client::{Assignment, AssignmentKind, ClientDoc};
use kartoteka::date::{Date, Timestamp};
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::DocumentId;
use kartoteka_server::Store;
use kartoteka_server::store::testing;
use sync_support::*;

/// Two relays on the database of one data folder (the first seeds it).
async fn two_relays(
    clients: usize,
) -> Result<Option<(TempDir, TempDir, RelayProcess, RelayProcess)>> {
    if testing::server().is_none() {
        eprintln!(
            "skipped: several relays need PostgreSQL (set {})",
            testing::DATABASE_VAR
        );
        return Ok(None);
    }
    let data = TempDir::new("relays-data");
    let dist = TempDir::new("relays-dist");
    let a = RelayProcess::start(data.path(), dist.path(), clients).await?;
    let b = RelayProcess::start(data.path(), dist.path(), clients).await?;
    Ok(Some((data, dist, a, b)))
}

/// The relays' today (they seed and check by the real clock, in the demo's
/// Moscow time).
fn relay_today() -> Date {
    Date::of_instant(Timestamp(chrono::Utc::now().timestamp_millis()), 180)
}

fn summaries(store: &Store) -> Vec<(DocumentId, ClientSummary)> {
    let mut out = Vec::new();
    store
        .for_each_client_doc(&mut |id, _, summary| {
            out.push((doc_id(id), serde_json::from_slice(summary).unwrap()));
            Ok(())
        })
        .unwrap();
    out
}

fn zone_today(summary: &ClientSummary) -> Option<Zone> {
    zone(
        &summary.facts,
        ZoneThresholds::default(),
        relay_today().naive(),
    )
    .and_then(|r| r.zone)
}

fn stored_client(store: &Store, id: DocumentId) -> ClientDoc {
    let bytes = store.doc(&id.uuid().to_string()).unwrap().unwrap();
    autosurgeon::hydrate(&automerge::Automerge::load(&bytes).unwrap()).unwrap()
}

/// A device of `login` on a relay, with everything it was told synced.
async fn online(relay: &RelayProcess, store: &Store, login: &str, device: u8) -> Result<Client> {
    let user = store.user_by_login(login)?.ok_or("no such user")?;
    let token = sync_support::login(relay.addr, login).await?;
    let mut client = Client::new(
        Device::new(&user.id, device),
        Link::socket(relay.addr, &token).await?,
    );
    client.connect().await?;
    pump_until(&mut [&mut client], |c| {
        let d = &c[0].device;
        d.cursor > 0
            && d.changed
                .iter()
                .all(|id| d.docs.contains_key(id) || d.unavailable.contains(id))
    })
    .await?;
    pump(&mut [&mut client]).await?;
    Ok(client)
}

fn won(client: &Client, id: DocumentId) -> bool {
    client.device.accepted.iter().any(|(d, _, _)| *d == id)
}

fn answered(client: &Client, id: DocumentId) -> bool {
    won(client, id)
        || client.device.refused.iter().any(|(d, _)| *d == id)
        || client.device.unavailable.contains(&id)
}

#[tokio::test]
async fn an_edit_accepted_by_one_relay_reaches_a_device_on_the_other_within_a_second() -> Result {
    let Some((data, _dist, a, b)) = two_relays(30).await? else {
        return Ok(());
    };
    let store = testing::at(data.path())?;
    let petrov_id = store.user_by_login("petrov")?.ok_or("petrov")?.id;
    let id = summaries(&store)
        .into_iter()
        .find(|(_, s)| {
            s.responsible.as_ref() == Some(&petrov_id)
                && matches!(zone_today(s), Some(Zone::Green | Zone::Yellow | Zone::Red))
        })
        .map(|(id, _)| id)
        .ok_or("petrov has a client")?;
    let mut laptop = online(&a, &store, "petrov", 1).await?;
    let mut supervisor = online(&b, &store, "orlova", 1).await?;
    supervisor.device.changed.clear();
    laptop
        .device
        .edit(id, |c| c.card.website = "two-relays.example".into());
    let started = Instant::now();
    laptop.sync(id).await?;
    pump_until(&mut [&mut laptop, &mut supervisor], |c| {
        c[1].device.client(id).card.website == "two-relays.example"
    })
    .await?;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "it took {took:?}");
    assert_eq!(supervisor.device.changed, vec![id], "told by kt-changed");
    // And the supervisor's answer goes the other way: an edit through B
    // reaches Petrov on A.
    supervisor
        .device
        .edit(id, |c| c.card.industry = "логистика".into());
    supervisor.sync(id).await?;
    pump_until(&mut [&mut laptop, &mut supervisor], |c| {
        c[0].device.client(id).card.industry == "логистика"
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn two_managers_taking_one_exchange_client_through_two_relays_at_once_one_wins() -> Result {
    let Some((data, _dist, a, b)) = two_relays(80).await? else {
        return Ok(());
    };
    let store = testing::at(data.path())?;
    let id = summaries(&store)
        .into_iter()
        .find(|(_, s)| zone_today(s) == Some(Zone::Exchange))
        .map(|(id, _)| id)
        .ok_or("the demo has clients in the exchange")?;
    let mut petrov = online(&a, &store, "petrov", 1).await?;
    let mut smirnova = online(&b, &store, "smirnova", 1).await?;
    for client in [&mut petrov, &mut smirnova] {
        assert!(
            client.device.docs.contains_key(&id),
            "the exchange is visible"
        );
        let me = client.device.user.clone();
        client.device.edit(id, |c| {
            let key = kartoteka::ids::new_id();
            c.assignments.insert(
                key.clone(),
                Assignment {
                    id: key,
                    date: relay_today(),
                    manager: Some(me.clone()),
                    kind: AssignmentKind::FromExchange,
                    by: me.clone(),
                    at: Timestamp(chrono::Utc::now().timestamp_millis()),
                },
            );
        });
    }
    // At the same moment: both messages are on their way before either
    // relay answers.
    let (p, s) = (petrov.device.sync(id), smirnova.device.sync(id));
    let (p, s) = (
        p.ok_or("petrov has a change")?,
        s.ok_or("smirnova has a change")?,
    );
    let (sent_p, sent_s) = tokio::join!(petrov.send(&p), smirnova.send(&s));
    sent_p?;
    sent_s?;
    pump_until(&mut [&mut petrov, &mut smirnova], |c| {
        c.iter().all(|c| answered(c, id))
    })
    .await?;
    pump(&mut [&mut petrov, &mut smirnova]).await?;
    assert!(
        won(&petrov, id) ^ won(&smirnova, id),
        "exactly one wins: petrov {:?}/{:?}, smirnova {:?}/{:?}",
        petrov.device.accepted,
        petrov.device.refused,
        smirnova.device.accepted,
        smirnova.device.refused,
    );
    let (winner, loser) = if won(&petrov, id) {
        (&petrov, &smirnova)
    } else {
        (&smirnova, &petrov)
    };
    assert!(
        loser.device.refused.contains(&(id, "taken".to_owned())),
        "the other is told it was taken: {:?}",
        loser.device.refused
    );
    assert_eq!(
        stored_client(&store, id).responsible(),
        Some(&winner.device.user)
    );
    Ok(())
}

#[tokio::test]
async fn a_relay_killed_during_1000_writes_loses_nothing_it_acknowledged() -> Result {
    let Some((data, _dist, mut a, b)) = two_relays(20).await? else {
        return Ok(());
    };
    let store = testing::at(data.path())?;
    let mut petrov = online(&a, &store, "petrov", 1).await?;
    let me = petrov.device.user.clone();
    let mine: Vec<DocumentId> = summaries(&store)
        .into_iter()
        .filter(|(id, s)| {
            s.responsible.as_ref() == Some(&me) && petrov.device.docs.contains_key(id)
        })
        .map(|(id, _)| id)
        .take(5)
        .collect();
    assert_eq!(mine.len(), 5);
    // 1,000 writes, streamed without waiting; relay A is killed partway.
    let mut killed = false;
    for n in 0..1000 {
        let id = mine[n % mine.len()];
        petrov
            .device
            .edit(id, |c| c.card.source = format!("звонок {n}"));
        if petrov.sync(id).await.is_err() {
            break;
        }
        while petrov.step(Duration::from_millis(0)).await.unwrap_or(false) {}
        if !killed && petrov.device.accepted.len() >= 300 {
            a.kill()?;
            killed = true;
        }
    }
    if !killed {
        a.kill()?;
    }
    // Whatever came in before the socket broke.
    while petrov
        .step(Duration::from_millis(50))
        .await
        .unwrap_or(false)
    {}
    let acknowledged = petrov.device.accepted.clone();
    assert!(
        acknowledged.len() >= 300,
        "{} acknowledged",
        acknowledged.len()
    );
    // Every acknowledged version is in the database, read by a fresh store.
    let fresh = testing::at(data.path())?;
    let mut docs: HashMap<DocumentId, automerge::Automerge> = HashMap::new();
    for (id, _, heads) in &acknowledged {
        let doc = match docs.get(id) {
            Some(doc) => doc,
            None => {
                let bytes = fresh.doc(&id.uuid().to_string())?.ok_or("stored")?;
                docs.entry(*id)
                    .or_insert(automerge::Automerge::load(&bytes)?)
            }
        };
        for head in heads {
            let hash: automerge::ChangeHash = head.parse()?;
            assert!(
                doc.get_change_by_hash(&hash).is_some(),
                "acknowledged change {head} of {id} is stored"
            );
        }
    }
    // A new device of Petrov's on the other relay gets all of it.
    let again = online(&b, &fresh, "petrov", 2).await?;
    for (id, _, heads) in &acknowledged {
        let doc = again
            .device
            .docs
            .get(id)
            .ok_or("the other relay serves it")?;
        for head in heads {
            let hash: automerge::ChangeHash = head.parse()?;
            assert!(
                doc.get_change_by_hash(&hash).is_some(),
                "the other relay serves acknowledged change {head} of {id}"
            );
        }
    }
    Ok(())
}
