//! The sync relay in memory: devices speak the protocol through channels
//! to `Relay::serve`, each test a short story of what people do.
#![allow(clippy::unwrap_used)]

mod sync_support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use kartoteka::client::{Assignment, AssignmentKind, Card, ClientDoc, EntryKind};
use kartoteka::date::Timestamp;
use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{self, DocumentId, Message, PeerId, PeerMetadata};
use kartoteka_server::AppState;
use kartoteka_server::sync::{Frame, Relay, sync_state_key};
use sync_support::*;

/// Connects a device of `login`, says hello and syncs what it is told.
async fn online(relay: &Relay, state: &AppState, login: &str, device: u8) -> Result<Client> {
    let user = user(state, login);
    let mut client = Client::new(Device::new(&user.id, device), Link::memory(relay, user));
    client.connect().await?;
    settle(&mut client).await?;
    Ok(client)
}

/// Until the device has every document it was told about (a quiet pause
/// alone is not enough on a busy machine), then until all is quiet.
async fn settle(client: &mut Client) -> Result {
    pump_until(&mut [&mut *client], |c| {
        let d = &c[0].device;
        d.cursor > 0
            && d.changed
                .iter()
                .all(|id| d.docs.contains_key(id) || d.unavailable.contains(id))
    })
    .await?;
    pump(&mut [client]).await
}

/// Reconnects a device that went offline.
async fn reconnect(client: &mut Client, relay: &Relay, state: &AppState, login: &str) -> Result {
    client.device.offline();
    client.link = Link::memory(relay, user(state, login));
    client.closed = None;
    client.connect().await?;
    settle(client).await
}

fn workspace(state: &AppState) -> DocumentId {
    doc_id(&state.store.workspace_id().unwrap().unwrap())
}

/// Every client with its summary, straight from the store.
fn summaries(state: &AppState) -> Vec<(DocumentId, ClientSummary)> {
    let mut out = Vec::new();
    state
        .store
        .for_each_client_doc(&mut |id, _, summary| {
            out.push((doc_id(id), serde_json::from_slice(summary).unwrap()));
            Ok(())
        })
        .unwrap();
    out
}

fn zone_today(summary: &ClientSummary) -> Option<Zone> {
    zone(&summary.facts, ZoneThresholds::default(), today().naive()).and_then(|r| r.zone)
}

/// A client of `login` that is theirs and not in the exchange.
fn own_client(state: &AppState, login: &str) -> DocumentId {
    let me = user(state, login).id;
    summaries(state)
        .into_iter()
        .find(|(_, s)| {
            s.responsible.as_ref() == Some(&me)
                && matches!(zone_today(s), Some(Zone::Green | Zone::Yellow | Zone::Red))
        })
        .map(|(id, _)| id)
        .expect("the demo gives every manager clients")
}

fn stored_heads(state: &AppState, id: DocumentId) -> Vec<automerge::ChangeHash> {
    let bytes = state.store.doc(&id.uuid().to_string()).unwrap().unwrap();
    automerge::Automerge::load(&bytes).unwrap().get_heads()
}

fn stored_client(state: &AppState, id: DocumentId) -> ClientDoc {
    let bytes = state.store.doc(&id.uuid().to_string()).unwrap().unwrap();
    autosurgeon::hydrate(&automerge::Automerge::load(&bytes).unwrap()).unwrap()
}

#[tokio::test]
async fn a_device_joins_and_learns_which_documents_it_may_read() -> Result {
    let state = demo_state(60, None)?;
    let relay = Relay::new(&state);
    let petrov = user(&state, "petrov");
    let mut link = Link::memory(&relay, petrov.clone());
    let device = Device::new(&petrov.id, 1);
    link.send(&device.join()).await?;
    let Some(Message::Peer {
        target_id,
        selected_protocol_version,
        peer_metadata,
        ..
    }) = link.recv_message(Duration::from_secs(5)).await?
    else {
        panic!("join is answered with peer");
    };
    assert_eq!(target_id, device.peer);
    assert_eq!(selected_protocol_version, "1");
    assert_eq!(peer_metadata.storage_id, Some(state.store.storage_id()?));
    link.send(&device.hello()).await?;
    let Some(Message::KtChanged {
        document_ids,
        cursor,
        ..
    }) = link.recv_message(Duration::from_secs(5)).await?
    else {
        panic!("kt-hello is answered with kt-changed");
    };
    assert_eq!(cursor, state.store.last_seq()?);
    // His clients by the zone today, the exchange, and the workspace.
    let mut expected: BTreeSet<DocumentId> = summaries(&state)
        .into_iter()
        .filter(|(_, s)| {
            let report = zone(&s.facts, ZoneThresholds::default(), today().naive()).unwrap();
            report.zone == Some(Zone::Exchange)
                || report.responsible.as_deref() == Some(petrov.id.as_str())
        })
        .map(|(id, _)| id)
        .collect();
    expected.insert(workspace(&state));
    let got: BTreeSet<DocumentId> = document_ids.into_iter().collect();
    assert_eq!(got, expected);
    assert!(got.len() < 61, "a manager does not read every client");
    Ok(())
}

#[tokio::test]
async fn a_join_without_version_1_is_refused_and_nothing_comes_before_join() -> Result {
    let state = demo_state(5, None)?;
    let relay = Relay::new(&state);
    let petrov = user(&state, "petrov");
    let mut link = Link::memory(&relay, petrov.clone());
    let device = Device::new(&petrov.id, 1);
    link.send(&device.hello()).await?;
    assert!(matches!(
        link.recv_message(Duration::from_secs(5)).await?,
        Some(Message::Error { .. })
    ));
    link.send(&Message::Join {
        sender_id: PeerId::from("old"),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: vec!["0".into()],
    })
    .await?;
    assert!(matches!(
        link.recv_message(Duration::from_secs(5)).await?,
        Some(Message::Error { .. })
    ));
    assert!(matches!(
        link.recv(Duration::from_secs(5)).await?,
        Some(Frame::Close { code: 1002, .. })
    ));
    Ok(())
}

#[tokio::test]
async fn two_devices_offline_edits_merge_and_the_same_field_is_a_conflict_both_see() -> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let mut laptop = online(&relay, &state, "petrov", 1).await?;
    let mut tablet = online(&relay, &state, "petrov", 2).await?;
    assert!(laptop.device.docs.contains_key(&id) && tablet.device.docs.contains_key(&id));
    // Both go offline and edit the same card.
    laptop.device.offline();
    tablet.device.offline();
    laptop.device.edit(id, |c| {
        c.card.inn = "7707083893".into();
        c.card.name = "Вектор (ноутбук)".into();
    });
    tablet.device.edit(id, |c| {
        c.card.website = "vector.ru".into();
        c.card.name = "Вектор (планшет)".into();
    });
    reconnect(&mut laptop, &relay, &state, "petrov").await?;
    reconnect(&mut tablet, &relay, &state, "petrov").await?;
    laptop.sync(id).await?;
    tablet.sync(id).await?;
    pump(&mut [&mut laptop, &mut tablet]).await?;
    assert_eq!(laptop.device.heads(id), tablet.device.heads(id));
    assert_eq!(stored_heads(&state, id), laptop.device.heads(id));
    for device in [&laptop.device, &tablet.device] {
        let card = device.client(id).card;
        assert_eq!(card.inn, "7707083893");
        assert_eq!(card.website, "vector.ru");
        assert!(device.conflicted(id, "name"), "both see the conflict");
        assert!(!device.conflicted(id, "inn"));
    }
    assert_eq!(
        laptop.device.client(id).card.name,
        tablet.device.client(id).card.name
    );
    assert!(laptop.device.accepted.iter().any(|(d, _, _)| *d == id));
    Ok(())
}

#[tokio::test]
async fn a_manager_changing_a_responsible_is_refused_and_nothing_is_stored() -> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let smirnova = user(&state, "smirnova").id;
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    let before = stored_heads(&state, id);
    let seq = state.store.last_seq()?;
    let me = petrov.device.user.clone();
    petrov.device.edit(id, |c| {
        c.card.source = "выставка".into();
        c.assignments.insert(
            "to-smirnova".into(),
            Assignment {
                id: "to-smirnova".into(),
                date: today(),
                manager: Some(smirnova.clone()),
                kind: AssignmentKind::Reassigned,
                by: me.clone(),
                at: Timestamp(1),
            },
        );
    });
    supervisor.device.changed.clear();
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut supervisor]).await?;
    assert_eq!(petrov.device.refused, vec![(id, "responsible".to_owned())]);
    assert_eq!(stored_heads(&state, id), before, "nothing stored");
    assert_eq!(state.store.last_seq()?, seq);
    assert!(supervisor.device.changed.is_empty(), "nothing forwarded");
    // The device asked again and is back to the accepted state.
    let back = petrov.device.client(id);
    assert_eq!(back.responsible(), Some(&me));
    assert_ne!(back.card.source, "выставка");
    assert_eq!(petrov.device.heads(id), before);
    Ok(())
}

/// An entry of the client that is not deleted: a payment if it has one,
/// else an event, else a contact person.
fn live_entry(doc: &ClientDoc) -> (EntryKind, String) {
    let payment = doc
        .live_payments()
        .next()
        .map(|p| (EntryKind::Payment, p.id.clone()));
    let event = || {
        doc.live_events()
            .next()
            .map(|e| (EntryKind::Event, e.id.clone()))
    };
    let contact = || {
        doc.live_contacts()
            .next()
            .map(|c| (EntryKind::Contact, c.id.clone()))
    };
    payment
        .or_else(event)
        .or_else(contact)
        .expect("a demo client has a payment, an event or a contact")
}

#[tokio::test]
async fn a_manager_deletes_an_entry_of_his_client_and_his_restore_is_refused_a_supervisors_is_kept()
-> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    let (kind, entry) = live_entry(&petrov.device.client(id));
    let me = petrov.device.user.clone();
    petrov.device.edit(id, |c| {
        c.delete_entry(kind, &entry, &me, Timestamp(5))
            .expect("deleted");
    });
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut supervisor]).await?;
    assert!(
        petrov.device.refused.is_empty(),
        "{:?}",
        petrov.device.refused
    );
    assert!(
        stored_client(&state, id)
            .deleted_entries()
            .iter()
            .any(|d| d.kind == kind && d.id == entry),
        "the deletion is stored"
    );
    assert!(
        supervisor
            .device
            .client(id)
            .deleted_entries()
            .iter()
            .any(|d| d.id == entry),
        "and reaches the supervisor"
    );

    // The manager's restore, written around the domain's own check, is
    // refused by the relay and nothing is stored.
    let before = stored_heads(&state, id);
    let seq = state.store.last_seq()?;
    petrov.device.edit(id, |c| {
        c.restore_entry(kind, &entry, kartoteka::workspace::Role::Supervisor)
            .expect("restored on the device");
    });
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut supervisor]).await?;
    assert_eq!(petrov.device.refused, vec![(id, "restore".to_owned())]);
    assert_eq!(stored_heads(&state, id), before, "nothing stored");
    assert_eq!(state.store.last_seq()?, seq);
    assert!(
        petrov
            .device
            .client(id)
            .deleted_entries()
            .iter()
            .any(|d| d.id == entry),
        "the device is back to the accepted state"
    );

    // The supervisor's restore is kept and reaches the manager.
    supervisor.device.edit(id, |c| {
        c.restore_entry(kind, &entry, kartoteka::workspace::Role::Supervisor)
            .expect("restored");
    });
    supervisor.sync(id).await?;
    pump(&mut [&mut petrov, &mut supervisor]).await?;
    assert!(supervisor.device.refused.is_empty());
    assert!(stored_client(&state, id).deleted_entries().is_empty());
    assert!(petrov.device.client(id).deleted_entries().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_manager_deleting_an_entry_of_a_client_in_the_exchange_is_refused() -> Result {
    let state = demo_state(80, None)?;
    let relay = Relay::new(&state);
    let id = exchange_client(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let (kind, entry) = live_entry(&petrov.device.client(id));
    let before = stored_heads(&state, id);
    let me = petrov.device.user.clone();
    petrov.device.edit(id, |c| {
        c.delete_entry(kind, &entry, &me, Timestamp(5))
            .expect("deleted");
    });
    petrov.sync(id).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(petrov.device.refused, vec![(id, "delete".to_owned())]);
    assert_eq!(stored_heads(&state, id), before, "nothing stored");
    Ok(())
}

/// A client in the exchange today.
fn exchange_client(state: &AppState) -> DocumentId {
    summaries(state)
        .into_iter()
        .find(|(_, s)| zone_today(s) == Some(Zone::Exchange))
        .map(|(id, _)| id)
        .expect("the demo has clients in the exchange")
}

/// The device takes client `id` from the exchange while offline.
fn take_offline(client: &mut Client, id: DocumentId) {
    assert!(
        client.device.docs.contains_key(&id),
        "the exchange is visible"
    );
    client.device.offline();
    let me = client.device.user.clone();
    client.device.edit(id, |c| {
        let key = kartoteka::ids::new_id();
        c.assignments.insert(
            key.clone(),
            Assignment {
                id: key,
                date: today(),
                manager: Some(me.clone()),
                kind: AssignmentKind::FromExchange,
                by: me.clone(),
                at: Timestamp(2),
            },
        );
    });
}

fn won(client: &Client, id: DocumentId) -> bool {
    client.device.accepted.iter().any(|(d, _, _)| *d == id)
}

fn told_taken(client: &Client, id: DocumentId) -> bool {
    client.device.refused.contains(&(id, "taken".to_owned()))
}

/// Whether the relay has answered the device's changes to `id` one way or
/// another (accepted, refused or unavailable).
fn answered(client: &Client, id: DocumentId) -> bool {
    won(client, id)
        || client.device.refused.iter().any(|(d, _)| *d == id)
        || client.device.unavailable.contains(&id)
}

/// Petrov and Smirnova both see a client in the exchange, go offline and
/// take it.
async fn both_take_offline() -> Result<(AppState, Relay, DocumentId, Client, Client)> {
    let state = demo_state(80, None)?;
    let relay = Relay::new(&state);
    let id = exchange_client(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut smirnova = online(&relay, &state, "smirnova", 1).await?;
    take_offline(&mut petrov, id);
    take_offline(&mut smirnova, id);
    Ok((state, relay, id, petrov, smirnova))
}

#[tokio::test]
async fn two_managers_taking_the_same_exchange_client_exactly_one_wins() -> Result {
    let (state, relay, id, mut petrov, mut smirnova) = both_take_offline().await?;
    reconnect(&mut petrov, &relay, &state, "petrov").await?;
    reconnect(&mut smirnova, &relay, &state, "smirnova").await?;
    petrov.sync(id).await?;
    smirnova.sync(id).await?;
    // Until both heard (a quiet pause alone is not enough on a busy machine).
    pump_until(&mut [&mut petrov, &mut smirnova], |c| {
        c.iter().all(|c| answered(c, id))
    })
    .await?;
    pump(&mut [&mut petrov, &mut smirnova]).await?;
    assert!(
        (won(&petrov, id) && told_taken(&smirnova, id))
            ^ (won(&smirnova, id) && told_taken(&petrov, id)),
        "exactly one wins: petrov {:?}/{:?}/{:?}, smirnova {:?}/{:?}/{:?}",
        petrov.device.accepted,
        petrov.device.refused,
        petrov.device.unavailable,
        smirnova.device.accepted,
        smirnova.device.refused,
        smirnova.device.unavailable,
    );
    let winner = if won(&petrov, id) { &petrov } else { &smirnova };
    assert_eq!(
        stored_client(&state, id).responsible(),
        Some(&winner.device.user)
    );
    Ok(())
}

/// The usual way to lose the race: the other manager took the client hours
/// ago, while this one was offline. Her device's first message after the
/// reconnect carries no changes, only its heads, and she may no longer
/// read the client; she is still told it was taken, not just that it is
/// unavailable.
#[tokio::test]
async fn a_manager_back_online_after_taking_a_client_someone_took_first_is_told_so() -> Result {
    let (state, relay, id, mut petrov, mut smirnova) = both_take_offline().await?;
    reconnect(&mut petrov, &relay, &state, "petrov").await?;
    petrov.sync(id).await?;
    pump_until(&mut [&mut petrov], |c| answered(c[0], id)).await?;
    assert!(
        won(&petrov, id),
        "petrov took it: {:?}",
        petrov.device.refused
    );
    reconnect(&mut smirnova, &relay, &state, "smirnova").await?;
    smirnova.sync(id).await?;
    pump_until(&mut [&mut smirnova], |c| answered(c[0], id)).await?;
    pump(&mut [&mut smirnova]).await?;
    assert!(
        told_taken(&smirnova, id),
        "smirnova is told it was taken: refused {:?}, unavailable {:?}",
        smirnova.device.refused,
        smirnova.device.unavailable
    );
    assert!(!won(&smirnova, id));
    assert!(
        !smirnova.device.docs.contains_key(&id),
        "and learns nothing of the client since"
    );
    assert_eq!(
        stored_client(&state, id).responsible(),
        Some(&petrov.device.user)
    );
    Ok(())
}

#[tokio::test]
async fn a_device_offline_while_1000_changes_happen_catches_up_by_the_cursor() -> Result {
    let state = demo_state(60, None)?;
    let relay = Relay::new(&state);
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    let everything = supervisor.device.docs.len();
    assert_eq!(everything, 61, "a supervisor reads every document");
    supervisor.device.offline();
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mine: Vec<DocumentId> = summaries(&state)
        .into_iter()
        .filter(|(id, _)| petrov.device.docs.contains_key(id))
        .map(|(id, _)| id)
        .take(10)
        .collect();
    assert_eq!(mine.len(), 10);
    for round in 0..100 {
        for &id in &mine {
            petrov
                .device
                .edit(id, |c| c.card.source = format!("звонок {round}"));
        }
        if round % 10 == 9 {
            for &id in &mine {
                petrov.sync(id).await?;
            }
            pump(&mut [&mut petrov]).await?;
        }
    }
    assert!(petrov.device.refused.is_empty());
    supervisor.device.changed.clear();
    reconnect(&mut supervisor, &relay, &state, "orlova").await?;
    let told: BTreeSet<DocumentId> = supervisor.device.changed.iter().copied().collect();
    assert_eq!(told, mine.iter().copied().collect(), "only what changed");
    for &id in &mine {
        assert_eq!(supervisor.device.heads(id), stored_heads(&state, id));
        assert_eq!(supervisor.device.client(id).card.source, "звонок 99");
    }
    Ok(())
}

#[tokio::test]
async fn a_reconnect_with_a_cursor_lists_only_the_documents_changed_since() -> Result {
    let state = demo_state(40, None)?;
    let relay = Relay::new(&state);
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    supervisor.device.changed.clear();
    reconnect(&mut supervisor, &relay, &state, "orlova").await?;
    assert!(supervisor.device.changed.is_empty(), "nothing changed");
    supervisor.device.offline();
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let changed: Vec<DocumentId> = petrov
        .device
        .docs
        .keys()
        .copied()
        .filter(|&id| id != workspace(&state))
        .take(3)
        .collect();
    for &id in &changed {
        petrov
            .device
            .edit(id, |c| c.card.industry = "логистика".into());
        petrov.sync(id).await?;
    }
    pump(&mut [&mut petrov]).await?;
    reconnect(&mut supervisor, &relay, &state, "orlova").await?;
    let told: BTreeSet<DocumentId> = supervisor.device.changed.iter().copied().collect();
    assert_eq!(told, changed.into_iter().collect());
    Ok(())
}

#[tokio::test]
async fn an_edit_reaches_every_connected_reader_within_a_second() -> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let mut laptop = online(&relay, &state, "petrov", 1).await?;
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    let mut smirnova = online(&relay, &state, "smirnova", 1).await?;
    supervisor.device.changed.clear();
    smirnova.device.changed.clear();
    laptop
        .device
        .edit(id, |c| c.card.website = "live.example".into());
    let started = Instant::now();
    laptop.sync(id).await?;
    pump_until(&mut [&mut laptop, &mut supervisor, &mut smirnova], |c| {
        c[1].device.client(id).card.website == "live.example"
    })
    .await?;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(supervisor.device.changed, vec![id]);
    pump(&mut [&mut laptop, &mut supervisor, &mut smirnova]).await?;
    assert!(smirnova.device.changed.is_empty(), "not her client");
    assert!(!smirnova.device.docs.contains_key(&id));
    Ok(())
}

#[tokio::test]
async fn sync_states_survive_a_relay_restart() -> Result {
    let folder = TempDir::new("sync-restart");
    let state = demo_state(20, Some(folder.path()))?;
    let relay = Relay::new(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let id = own_client(&state, "petrov");
    // A card with some history: for a document of one or two changes
    // Automerge sends the whole document instead of the new change (it
    // does when more than a third of the changes are new), which would
    // hide what this test measures.
    for n in 0..5 {
        petrov
            .device
            .edit(id, |c| c.card.source = format!("звонок {n}"));
        petrov.sync(id).await?;
        pump(&mut [&mut petrov]).await?;
    }
    let storage = sync_state_key(&user(&state, "petrov"), &petrov.device.storage);
    // Until the relay has saved the state the last answer brought (a quiet
    // pause alone is not enough on a busy machine).
    let doc = id.uuid().to_string();
    pump_until(&mut [&mut petrov], |c| {
        let saved = state.store.sync_state(&storage, &doc).ok().flatten();
        let saved = saved.and_then(|s| automerge::sync::State::decode(&s).ok());
        saved.is_some_and(|s| s.shared_heads == c[0].device.heads(id))
    })
    .await?;
    drop((relay, state));
    petrov.device.offline();
    // The old connection lets go of the store when its stream ends.
    petrov.link = Link::Memory {
        to_relay: futures::channel::mpsc::unbounded().0,
        from_relay: futures::channel::mpsc::unbounded().1,
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    let state = loop {
        match demo_state(20, Some(folder.path())) {
            Ok(state) => break state,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(e),
        }
    };
    let saved = state
        .store
        .sync_state(&storage, &id.uuid().to_string())?
        .expect("the sync state was saved");
    let saved = automerge::sync::State::decode(&saved)?;
    assert_eq!(saved.shared_heads, petrov.device.heads(id));
    // The device goes on where it stopped: one message brings its edit.
    let relay = Relay::new(&state);
    reconnect(&mut petrov, &relay, &state, "petrov").await?;
    petrov.device.edit(id, |c| c.card.kpp = "770701001".into());
    let sent_before = petrov.bytes_out;
    petrov.sync(id).await?;
    pump(&mut [&mut petrov]).await?;
    assert!(petrov.device.accepted.iter().any(|(d, _, _)| *d == id));
    assert_eq!(stored_client(&state, id).card.kpp, "770701001");
    assert!(petrov.bytes_out - sent_before < 2_000);
    Ok(())
}

#[tokio::test]
async fn new_clients_are_kept_only_for_their_author() -> Result {
    let state = demo_state(10, None)?;
    let relay = Relay::new(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let me = petrov.device.user.clone();
    let smirnova = user(&state, "smirnova").id;
    let card = |name: &str| Card {
        name: name.into(),
        created: today(),
        created_by: me.clone(),
        ..Card::default()
    };
    let mine = DocumentId::random();
    let model = ClientDoc::new(
        mine.into(),
        card("Новый"),
        Some(me.clone()),
        &me,
        Timestamp(5),
    );
    petrov.device.create(mine, &model);
    let theirs = DocumentId::random();
    let model = ClientDoc::new(
        theirs.into(),
        card("Чужой"),
        Some(smirnova),
        &me,
        Timestamp(5),
    );
    petrov.device.create(theirs, &model);
    petrov.sync(mine).await?;
    petrov.sync(theirs).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(stored_client(&state, mine).card.name, "Новый");
    assert!(state.store.summary(&mine.uuid().to_string())?.is_some());
    assert_eq!(
        petrov.device.refused,
        vec![(theirs, "responsible".to_owned())]
    );
    assert!(state.store.doc(&theirs.uuid().to_string())?.is_none());
    Ok(())
}

#[tokio::test]
async fn foreign_actors_and_workspace_edits_by_managers_are_refused() -> Result {
    let state = demo_state(10, None)?;
    let relay = Relay::new(&state);
    let ws = workspace(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let doc = petrov.device.docs.get_mut(&ws).unwrap();
    doc.put(automerge::ROOT, "name", "Переименовано")?;
    doc.commit();
    petrov.sync(ws).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(petrov.device.refused, vec![(ws, "workspace".to_owned())]);
    // Smirnova's actor on Petrov's connection.
    let smirnova = user(&state, "smirnova").id;
    let id = own_client(&state, "petrov");
    let mut forger = Client::new(
        Device::new(&smirnova, 3),
        Link::memory(&relay, user(&state, "petrov")),
    );
    forger.connect().await?;
    pump(&mut [&mut forger]).await?;
    forger.device.edit(id, |c| c.card.website = "forged".into());
    forger.sync(id).await?;
    pump(&mut [&mut forger]).await?;
    assert_eq!(forger.device.refused, vec![(id, "actor".to_owned())]);
    assert_ne!(stored_client(&state, id).card.website, "forged");
    Ok(())
}

#[tokio::test]
async fn documents_a_user_may_not_read_are_unavailable_and_bad_frames_close_only_their_socket()
-> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let theirs = own_client(&state, "smirnova");
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    assert!(!petrov.device.docs.contains_key(&theirs));
    let seq = state.store.last_seq()?;
    // Asking for it, and pushing changes into it: "unavailable" both.
    petrov.sync(theirs).await?;
    pump(&mut [&mut petrov]).await?;
    let bytes = state.store.doc(&theirs.uuid().to_string())?.unwrap();
    petrov.device.put(theirs, &bytes);
    petrov
        .device
        .edit(theirs, |c| c.card.name = "захват".into());
    petrov.sync(theirs).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(petrov.device.unavailable, vec![theirs, theirs]);
    assert_eq!(state.store.last_seq()?, seq, "nothing stored");
    // Garbage from one device: errors, then its socket closes.
    let mut vandal = online(&relay, &state, "kozlov", 1).await?;
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    for frame in [
        Frame::Binary(vec![0xff, 0x00, 0x13]),
        Frame::Text("hello".into()),
        Frame::Binary(sync::encode(&Message::Sync {
            sender_id: vandal.device.peer.clone(),
            target_id: PeerId::default(),
            document_id: theirs,
            data: vec![0x42, 1, 2, 3],
        })),
    ] {
        vandal.link.send_frame(frame).await?;
    }
    let mine = own_client(&state, "petrov");
    petrov
        .device
        .edit(mine, |c| c.card.industry = "ритейл".into());
    petrov.sync(mine).await?;
    pump(&mut [&mut vandal, &mut petrov, &mut supervisor]).await?;
    assert_eq!(vandal.device.errors.len(), 3, "{:?}", vandal.device.errors);
    assert_eq!(vandal.closed.as_ref().map(|c| c.0), Some(1008));
    assert!(petrov.device.accepted.iter().any(|(d, _, _)| *d == mine));
    assert_eq!(supervisor.device.client(mine).card.industry, "ритейл");
    // An oversized frame: a clear error, and code 1009.
    let small = Relay::new(&state).with_max_frame(1024);
    let mut big = Client::new(
        Device::new(&user(&state, "orlova").id, 2),
        Link::memory(&small, user(&state, "orlova")),
    );
    big.connect().await?;
    // Settled first: a device still answering `kt-changed` after the relay
    // closed its socket would only see its own sends fail. (Until it has
    // every document, and until the close: a pause alone is not enough
    // when each answer takes a database round trip on a busy machine.)
    settle(&mut big).await?;
    big.link.send_frame(Frame::Binary(vec![0xa0; 2048])).await?;
    pump_until(&mut [&mut big], |c| c[0].closed.is_some()).await?;
    assert_eq!(big.closed.as_ref().map(|c| c.0), Some(1009));
    assert!(big.device.errors[0].contains("over the limit of 1024 bytes"));
    Ok(())
}

#[tokio::test]
async fn changes_sent_again_after_a_lost_acknowledgement_are_acknowledged_not_stored_twice()
-> Result {
    let state = demo_state(20, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let before = petrov.device.heads(id);
    petrov
        .device
        .edit(id, |c| c.card.industry = "логистика".into());
    petrov.sync(id).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(petrov.device.accepted.len(), 1);
    let seq = state.store.last_seq()?;
    // As if the acknowledgement was lost in a relay restart: the device
    // sends the same change again on a new connection.
    reconnect(&mut petrov, &relay, &state, "petrov").await?;
    let heads = petrov.device.heads(id);
    let change = petrov
        .device
        .docs
        .get_mut(&id)
        .unwrap()
        .get_changes(&before);
    let again = automerge::sync::Message {
        heads: heads.clone(),
        need: Vec::new(),
        have: Vec::new(),
        changes: change
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>()
            .into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let message = Message::Sync {
        sender_id: petrov.device.peer.clone(),
        target_id: PeerId::default(),
        document_id: id,
        data: again.encode(),
    };
    petrov.send(&message).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(state.store.last_seq()?, seq, "nothing stored twice");
    let (doc, _, told) = petrov.device.accepted.last().unwrap();
    assert_eq!(*doc, id);
    assert_eq!(petrov.device.accepted.len(), 2);
    let heads: Vec<String> = heads.iter().map(ToString::to_string).collect();
    assert_eq!(*told, heads);
    Ok(())
}

#[tokio::test]
async fn an_unknown_message_type_gets_an_error_and_the_device_goes_on() -> Result {
    let state = demo_state(10, None)?;
    let relay = Relay::new(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    petrov
        .send(&Message::Other {
            r#type: "kt-from-the-future".into(),
        })
        .await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(petrov.device.errors.len(), 1);
    assert!(petrov.device.errors[0].contains("kt-from-the-future"));
    assert!(petrov.closed.is_none());
    let id = own_client(&state, "petrov");
    petrov
        .device
        .edit(id, |c| c.card.website = "still.example".into());
    petrov.sync(id).await?;
    pump(&mut [&mut petrov]).await?;
    assert_eq!(stored_client(&state, id).card.website, "still.example");
    Ok(())
}

#[tokio::test]
async fn a_client_that_goes_to_the_exchange_while_a_manager_is_away_is_named_when_he_returns()
-> Result {
    let state = demo_state(80, None)?;
    let relay = Relay::new(&state);
    let petrov = user(&state, "petrov");
    // The first client not his that the calendar alone moves into the
    // exchange, and the day it does.
    let in_exchange = |s: &ClientSummary, days: u64| {
        let day = today().naive() + chrono::Days::new(days);
        zone(&s.facts, ZoneThresholds::default(), day)
            .is_some_and(|r| r.zone == Some(Zone::Exchange))
    };
    let (days, id) = (1..=200)
        .find_map(|days| {
            summaries(&state).into_iter().find_map(|(id, s)| {
                let theirs = zone(&s.facts, ZoneThresholds::default(), today().naive())
                    .is_some_and(|r| r.responsible.as_deref() != Some(petrov.id.as_str()));
                (theirs && !in_exchange(&s, 0) && in_exchange(&s, days)).then_some((days, id))
            })
        })
        .expect("some client of another manager goes to the exchange within 200 days");
    let mut laptop = online(&relay, &state, "petrov", 1).await?;
    assert!(!laptop.device.docs.contains_key(&id));
    laptop.device.offline();
    state.clock.advance_ms(i64::try_from(days)? * 86_400_000);
    laptop.device.changed.clear();
    reconnect(&mut laptop, &relay, &state, "petrov").await?;
    assert!(
        laptop.device.changed.contains(&id),
        "named after {days} days"
    );
    assert!(laptop.device.docs.contains_key(&id), "and synced");
    // Told once: the same day, nothing more.
    laptop.device.changed.clear();
    reconnect(&mut laptop, &relay, &state, "petrov").await?;
    assert!(laptop.device.changed.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_flood_of_ephemeral_messages_is_cut_to_fifty_a_second() -> Result {
    let state = demo_state(10, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let mut laptop = online(&relay, &state, "petrov", 1).await?;
    let mut tablet = online(&relay, &state, "petrov", 2).await?;
    let before = tablet.messages_in;
    for count in 0..500 {
        let message = Message::Ephemeral {
            sender_id: laptop.device.peer.clone(),
            target_id: PeerId::default(),
            document_id: id,
            session_id: "cursor".into(),
            count,
            data: vec![0xa0],
        };
        laptop.send(&message).await?;
    }
    pump(&mut [&mut laptop, &mut tablet]).await?;
    let passed = tablet.messages_in - before;
    assert!((1..=100).contains(&passed), "{passed} of 500 passed on");
    assert!(laptop.closed.is_none());
    Ok(())
}

#[tokio::test]
async fn a_potential_clients_interest_stays_its_managers_and_he_may_link_it_to_his_client() -> Result
{
    use kartoteka::client::PotentialClient;
    use kartoteka::scenario::{Act, Registration, register};
    use kartoteka::workspace::{LEAD_SCENARIO, WorkspaceDoc};

    let state = demo_state(10, None)?;
    let relay = Relay::new(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let me = petrov.device.user.clone();
    // Registered three years ago: a client that old and untouched would be
    // in the exchange, a potential client's Interest never is.
    let long_ago = kartoteka::date::Date(today().naive() - chrono::Days::new(3 * 365));
    let interest = register(
        &WorkspaceDoc::new("t", []),
        "i-1".into(),
        Registration {
            content: "Прайс на насосы".into(),
            service_type: "equipment".into(),
            scenario: LEAD_SCENARIO.into(),
            responsible: Some(me.clone()),
            follow_up: None,
        },
        &Act {
            by: me.clone(),
            date: long_ago,
            at: Timestamp(5),
        },
    )?;
    let lead = DocumentId::random();
    let who = PotentialClient {
        full_name: "Иван Гончаров".into(),
        ..PotentialClient::default()
    };
    let model = ClientDoc::new_potential(lead.into(), who, interest, &me, Timestamp(5))?;
    petrov.device.create(lead, &model);
    petrov.sync(lead).await?;
    pump(&mut [&mut petrov]).await?;
    assert!(
        petrov.device.refused.is_empty(),
        "{:?}",
        petrov.device.refused
    );
    assert!(stored_client(&state, lead).potential.is_some());

    let smirnova = online(&relay, &state, "smirnova", 2).await?;
    assert!(
        !smirnova.device.docs.contains_key(&lead),
        "another manager does not get it"
    );

    // Petrov links it to his own client: the Interest moves there, the
    // potential document points to it. A manager may set that link here,
    // though merging clients is for supervisors.
    let client = own_client(&state, "petrov");
    let lead_now = petrov.device.client(lead);
    petrov.device.edit(client, |d| {
        d.take_potential(&lead_now, Timestamp(9)).unwrap();
    });
    let client_id = petrov.device.client(client).id;
    petrov.device.edit(lead, |d| d.mark_merged_into(&client_id));
    petrov.sync(client).await?;
    petrov.sync(lead).await?;
    pump(&mut [&mut petrov]).await?;
    assert!(
        petrov.device.refused.is_empty(),
        "{:?}",
        petrov.device.refused
    );
    assert!(stored_client(&state, client).interests.contains_key("i-1"));
    assert_eq!(stored_client(&state, lead).merged_into, Some(client_id));
    Ok(())
}

#[tokio::test]
async fn a_manager_files_a_request_but_moving_to_the_pool_and_approving_are_for_supervisors()
-> Result {
    use kartoteka::client::Verdict;
    use kartoteka::scenario::Act;

    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut orlova = online(&relay, &state, "orlova", 1).await?;
    let act = |c: &Client| Act {
        by: c.device.user.clone(),
        date: today(),
        at: Timestamp(3),
    };

    // A manager cannot move his own client to the pool.
    let own = own_client(&state, "petrov");
    let before = stored_heads(&state, own);
    let by_petrov = act(&petrov);
    petrov.device.edit(own, |c| {
        c.move_to_pool("to-pool".into(), &by_petrov).unwrap()
    });
    petrov.sync(own).await?;
    pump(&mut [&mut petrov, &mut orlova]).await?;
    assert_eq!(petrov.device.refused, vec![(own, "responsible".to_owned())]);
    assert_eq!(stored_heads(&state, own), before, "nothing stored");

    // He files a request for a client of the exchange (not his before):
    // kept.
    let me = petrov.device.user.clone();
    let id = summaries(&state)
        .into_iter()
        .find(|(_, s)| zone_today(s) == Some(Zone::Exchange) && s.responsible.as_ref() != Some(&me))
        .map(|(id, _)| id)
        .expect("the demo has clients of other managers in the exchange");
    petrov.device.edit(id, |c| {
        c.file_request("r-petrov".into(), "позвонил, снова заказывают", &by_petrov)
            .unwrap();
    });
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut orlova]).await?;
    assert!(won(&petrov, id), "the request is accepted");
    assert!(stored_client(&state, id).requests["r-petrov"].is_open());

    // He cannot approve it himself.
    let before = stored_heads(&state, id);
    petrov.device.edit(id, |c| {
        c.decide_request(
            "r-petrov",
            Verdict::Approved,
            "",
            "a-petrov".into(),
            &by_petrov,
        )
        .unwrap();
    });
    petrov.device.refused.clear();
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut orlova]).await?;
    assert_eq!(petrov.device.refused, vec![(id, "responsible".to_owned())]);
    assert_eq!(stored_heads(&state, id), before, "nothing stored");
    // Nor decide it in any other way (a decline writes no assignment).
    petrov.device.edit(id, |c| {
        c.decide_request(
            "r-petrov",
            Verdict::Declined,
            "передумал",
            "x".into(),
            &by_petrov,
        )
        .unwrap();
    });
    petrov.device.refused.clear();
    petrov.sync(id).await?;
    pump(&mut [&mut petrov, &mut orlova]).await?;
    assert_eq!(petrov.device.refused, vec![(id, "responsible".to_owned())]);
    assert_eq!(stored_heads(&state, id), before, "nothing stored");

    // The supervisor approves it: the client is his; she moves another
    // client to the pool.
    let by_orlova = act(&orlova);
    orlova.device.edit(id, |c| {
        c.decide_request(
            "r-petrov",
            Verdict::Approved,
            "",
            "a-petrov".into(),
            &by_orlova,
        )
        .unwrap();
    });
    orlova.device.edit(own, |c| {
        c.move_to_pool("to-pool".into(), &by_orlova).unwrap();
    });
    orlova.sync(id).await?;
    orlova.sync(own).await?;
    pump(&mut [&mut petrov, &mut orlova]).await?;
    assert!(
        orlova.device.refused.is_empty(),
        "{:?}",
        orlova.device.refused
    );
    let approved = stored_client(&state, id);
    assert_eq!(approved.responsible(), Some(&petrov.device.user));
    assert!(!approved.requests["r-petrov"].is_open());
    assert!(stored_client(&state, own).in_pool());
    Ok(())
}

/// Orlova gives one of Petrov's clients to Smirnova: the client is hers
/// to read now, not his.
fn give_away(orlova: &mut Client, id: DocumentId, to: &kartoteka::ids::UserId) {
    let boss = orlova.device.user.clone();
    let to = to.clone();
    orlova.device.edit(id, |c| {
        let key = kartoteka::ids::new_id();
        c.assignments.insert(
            key.clone(),
            Assignment {
                id: key,
                date: today(),
                manager: Some(to),
                kind: AssignmentKind::Reassigned,
                by: boss,
                at: Timestamp(5),
            },
        );
    });
}

#[tokio::test]
async fn a_manager_whose_client_is_given_to_another_is_told_at_once_to_drop_it_and_by_whom()
-> Result {
    let state = demo_state(60, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let smirnova = user(&state, "smirnova").id;
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    assert!(petrov.device.docs.contains_key(&id));
    let mut orlova = online(&relay, &state, "orlova", 1).await?;
    give_away(&mut orlova, id, &smirnova);
    orlova.sync(id).await?;
    pump_until(&mut [&mut orlova, &mut petrov], |c| {
        !c[1].device.parted.is_empty()
    })
    .await?;
    let (doc, taking) = &petrov.device.parted[0];
    assert_eq!(*doc, id);
    assert_eq!(taking.manager.as_ref(), Some(&smirnova));
    assert_eq!(taking.by, orlova.device.user);
    assert_eq!(taking.kind, AssignmentKind::Reassigned);
    // Told once: the next edit of the client is none of his business.
    orlova
        .device
        .edit(id, |c| c.card.website = "later.example".into());
    orlova.sync(id).await?;
    pump(&mut [&mut orlova, &mut petrov]).await?;
    assert_eq!(petrov.device.parted.len(), 1);
    assert!(
        orlova.device.parted.is_empty(),
        "a supervisor reads everything"
    );
    Ok(())
}

#[tokio::test]
async fn a_manager_away_while_his_client_was_given_to_another_is_told_when_he_returns() -> Result {
    let state = demo_state(60, None)?;
    let relay = Relay::new(&state);
    let id = own_client(&state, "petrov");
    let smirnova_id = user(&state, "smirnova").id;
    // The laptop syncs, then its socket closes.
    let mut device = online(&relay, &state, "petrov", 1).await?.device;
    device.offline();
    device.changed.clear();
    // Smirnova's device never had the client: she is given it, not told
    // to drop it.
    let mut smirnova = online(&relay, &state, "smirnova", 1).await?;
    assert!(!smirnova.device.docs.contains_key(&id));
    let mut orlova = online(&relay, &state, "orlova", 1).await?;
    give_away(&mut orlova, id, &smirnova_id);
    orlova.sync(id).await?;
    pump(&mut [&mut orlova, &mut smirnova]).await?;
    assert!(device.parted.is_empty());
    let mut laptop = Client::new(device, Link::memory(&relay, user(&state, "petrov")));
    laptop.connect().await?;
    settle(&mut laptop).await?;
    assert_eq!(laptop.device.parted.len(), 1, "{:?}", laptop.device.parted);
    assert_eq!(laptop.device.parted[0].0, id);
    assert_eq!(
        laptop.device.parted[0].1.manager.as_ref(),
        Some(&smirnova_id)
    );
    assert!(
        !laptop.device.changed.contains(&id),
        "not named to be synced"
    );
    assert!(smirnova.device.parted.is_empty());
    // A device of his that never synced the client is told nothing.
    let phone = online(&relay, &state, "petrov", 2).await?;
    assert!(phone.device.parted.is_empty());
    // Told once.
    laptop.device.parted.clear();
    laptop.device.cursor = 0;
    reconnect(&mut laptop, &relay, &state, "petrov").await?;
    assert!(laptop.device.parted.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_client_taken_from_the_exchange_is_dropped_by_the_other_managers_devices() -> Result {
    let state = demo_state(80, None)?;
    let relay = Relay::new(&state);
    let id = exchange_client(&state);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut smirnova = online(&relay, &state, "smirnova", 1).await?;
    assert!(
        smirnova.device.docs.contains_key(&id),
        "the exchange is open to all"
    );
    take_offline(&mut petrov, id);
    reconnect(&mut petrov, &relay, &state, "petrov").await?;
    petrov.sync(id).await?;
    pump_until(&mut [&mut petrov, &mut smirnova], |c| {
        won(c[0], id) && !c[1].device.parted.is_empty()
    })
    .await?;
    let (doc, taking) = &smirnova.device.parted[0];
    assert_eq!(*doc, id);
    assert_eq!(taking.kind, AssignmentKind::FromExchange);
    assert_eq!(taking.manager.as_ref(), Some(&petrov.device.user));
    assert!(petrov.device.parted.is_empty());
    Ok(())
}
