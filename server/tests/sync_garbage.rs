//! One device sends the relay garbage — random bytes, cut-off messages,
//! CBOR that declares gigabytes or nests a hundred thousand deep, sync
//! messages whose Automerge data is noise — while another keeps editing
//! and a third keeps reading: the relay answers the vandal with errors and
//! closes its sockets, and the others never notice.
#![allow(clippy::unwrap_used)]

mod sync_support;

use std::time::{Duration, Instant};

use kartoteka::rules::config::ZoneThresholds;
use kartoteka::rules::zone::{Zone, zone};
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{self, DocumentId, Message, PeerId};
use kartoteka_server::AppState;
use kartoteka_server::sync::{Frame, Relay};
use sync_support::*;

/// Rounds of garbage; each round is one connection of the vandal sending
/// three frames (the relay closes a socket after three bad ones), while the
/// honest device saves one edit.
const ROUNDS: u64 = 30;

/// A small deterministic generator (xorshift64*): the same garbage on every
/// run, so a failure can be replayed.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// One garbage frame; `own` is a document the vandal may read, `valid` a
/// real sync message of the honest device to cut short.
fn garbage(noise: &mut Noise, sender: &PeerId, own: DocumentId, valid: &[u8]) -> Frame {
    let sync_with = |document_id, data| {
        sync::encode(&Message::Sync {
            sender_id: sender.clone(),
            target_id: PeerId::default(),
            document_id,
            data,
        })
    };
    Frame::Binary(match noise.below(9) {
        0 => noise.bytes(512),
        1 => valid[..noise.below(valid.len() as u64)].to_vec(),
        // A byte string, text, array or map claiming 2^64 - 1 items.
        2 => {
            let mut f = vec![[0x5b, 0x7b, 0x9b, 0xbb][noise.below(4)]];
            f.extend_from_slice(&u64::MAX.to_be_bytes());
            f
        }
        // A sync message whose data claims 4 GiB.
        3 => {
            let mut f = sync_with(own, vec![]);
            let at = f.len() - 1;
            f.splice(at.., [0x5a, 0xff, 0xff, 0xff, 0xff]);
            f
        }
        4 => vec![[0x81, 0x9f, 0xa1, 0xc6][noise.below(4)]; 100_000],
        // Well-formed frames whose Automerge sync data is noise.
        5 | 6 => sync_with(own, noise.bytes(300)),
        7 => {
            let mut data = valid.to_vec();
            if !data.is_empty() {
                let at = noise.below(data.len() as u64);
                data[at] ^= 1 << noise.below(8);
            }
            data
        }
        _ => return Frame::Text(String::from_utf8_lossy(&noise.bytes(64)).into_owned()),
    })
}

/// A client of `login` that is theirs and not in the exchange.
fn own_client(state: &AppState, login: &str) -> DocumentId {
    let me = user(state, login).id;
    let today = today().naive();
    let mut own = None;
    state
        .store
        .for_each_client_doc(&mut |id, _, summary| {
            let summary: ClientSummary = serde_json::from_slice(summary).unwrap();
            let zone = zone(&summary.facts, ZoneThresholds::default(), today).and_then(|r| r.zone);
            if own.is_none()
                && summary.responsible.as_ref() == Some(&me)
                && matches!(zone, Some(Zone::Green | Zone::Yellow | Zone::Red))
            {
                own = Some(doc_id(id));
            }
            Ok(())
        })
        .unwrap();
    own.expect("the demo gives every manager clients")
}

fn stored_heads(state: &AppState, id: DocumentId) -> Vec<automerge::ChangeHash> {
    let bytes = state.store.doc(&id.uuid().to_string()).unwrap().unwrap();
    automerge::Automerge::load(&bytes).unwrap().get_heads()
}

/// What the relay tells the vandal until it closes the socket or falls
/// quiet (the vandal answers nothing): the error messages, and the close
/// code. A relay that ended the connection without a close (a panic) fails.
async fn listen(link: &mut Link) -> Result<(usize, Option<u16>)> {
    let mut errors = 0;
    loop {
        match link.recv(Duration::from_millis(300)).await? {
            Some(Frame::Binary(bytes)) => {
                if let Ok(Message::Error { .. }) = sync::decode(&bytes, usize::MAX) {
                    errors += 1;
                }
            }
            Some(Frame::Close { code, .. }) => return Ok((errors, Some(code))),
            Some(Frame::Text(_)) => {}
            None => return Ok((errors, None)),
        }
    }
}

async fn online(relay: &Relay, state: &AppState, login: &str, device: u8) -> Result<Client> {
    let user = user(state, login);
    let mut client = Client::new(Device::new(&user.id, device), Link::memory(relay, user));
    client.connect().await?;
    pump(&mut [&mut client]).await?;
    Ok(client)
}

#[tokio::test]
async fn a_device_sending_garbage_disturbs_nobody_else() -> Result {
    let state = demo_state(30, None)?;
    let relay = Relay::new(&state);
    let mine = own_client(&state, "petrov");
    let theirs = own_client(&state, "smirnova");
    let theirs_before = stored_heads(&state, theirs);
    let mut petrov = online(&relay, &state, "petrov", 1).await?;
    let mut supervisor = online(&relay, &state, "orlova", 1).await?;
    pump_until(&mut [&mut petrov, &mut supervisor], |c| {
        c.iter().all(|c| c.device.docs.contains_key(&mine))
    })
    .await?;

    let mut noise = Noise(0x5eed_f00d_dead_beef);
    let (mut frames, mut refused, mut closed) = (0, 0, 0);
    let started = Instant::now();
    for round in 0..ROUNDS {
        let vandal_user = user(&state, "smirnova");
        let mut vandal = Client::new(
            Device::new(&vandal_user.id, 1 + (round % 200) as u8),
            Link::memory(&relay, vandal_user),
        );
        // Half the rounds the garbage comes before `join`, half after.
        if round % 2 == 1 {
            vandal.connect().await?;
        }
        petrov
            .device
            .edit(mine, |c| c.card.industry = format!("раунд {round}"));
        let valid = petrov.device.sync(mine).map(|m| sync::encode(&m)).unwrap();
        for _ in 0..3 {
            let frame = garbage(&mut noise, &vandal.device.peer, theirs, &valid);
            // Once the relay has closed the socket, sending fails; pump
            // below still reads the close (a relay that panicked would end
            // the connection without one, and pump would fail).
            if vandal.link.send_frame(frame).await.is_ok() {
                frames += 1;
            }
        }
        petrov.link.send_frame(Frame::Binary(valid)).await?;
        let (errors, close) = listen(&mut vandal.link).await?;
        refused += errors;
        closed += usize::from(close.is_some());
        pump(&mut [&mut petrov, &mut supervisor]).await?;
        let want = format!("раунд {round}");
        pump_until(&mut [&mut petrov, &mut supervisor], |c| {
            c[1].device.docs.contains_key(&mine) && c[1].device.client(mine).card.industry == want
        })
        .await?;
    }
    eprintln!(
        "{frames} garbage frames in {ROUNDS} connections, {:.1} s: \
         {refused} errors, {closed} sockets closed",
        started.elapsed().as_secs_f64()
    );
    assert!(closed > 0 && refused > 0, "the relay noticed nothing");
    assert!(
        petrov.device.errors.is_empty(),
        "{:?}",
        petrov.device.errors
    );
    assert!(
        petrov.device.refused.is_empty(),
        "{:?}",
        petrov.device.refused
    );
    assert!(petrov.closed.is_none() && supervisor.closed.is_none());
    // Noise changed nothing, and a new device still joins.
    assert_eq!(stored_heads(&state, theirs), theirs_before);
    let late = online(&relay, &state, "kozlov", 1).await?;
    assert!(late.device.joined && late.closed.is_none());
    Ok(())
}
