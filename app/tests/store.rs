//! The device's store in a real browser (headless Chromium): what a manager
//! saves is in IndexedDB, comes back after the app restarts, survives
//! compaction, and damaged data is refused without harming the rest.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kartoteka::api::{BundleEntry, BundleKind, SessionUser, encode_bundle};
use kartoteka::client::{Card, ClientDoc, Contact};
use kartoteka::date::{Date, Timestamp};
use kartoteka::document::{ClientDocument, WorkspaceDocument};
use kartoteka::ids::{ClientId, UserId, actor_for};
use kartoteka::summary::ClientSummary;
use kartoteka::workspace::{Role, UserEntry, WorkspaceDoc};
use kartoteka_app::io::idb::UserDb;
use kartoteka_app::store::{Committed, EditError, Origin, Store, StoreError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn user() -> SessionUser {
    // A fresh user per test: each gets its own database.
    SessionUser {
        id: UserId::random(),
        login: "petrov".into(),
        name: "Павел Петров".into(),
        role: Role::Manager,
    }
}

fn client(name: &str, by: &UserId) -> ClientDoc {
    let card = Card {
        name: name.into(),
        created: Date::from_ymd(2026, 11, 2).unwrap(),
        created_by: by.clone(),
        ..Card::default()
    };
    ClientDoc::new(ClientId::random(), card, Some(by.clone()), by, Timestamp(1))
}

#[wasm_bindgen_test]
async fn a_saved_client_and_its_edits_come_back_after_a_restart() {
    let me = user();
    let store = Store::open(me.clone(), [1; 8]).await.unwrap();
    let doc = client("Вектор", &me.id);
    store.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    store
        .change_client(&id, "contact", |d| {
            d.contacts.insert(
                "c1".into(),
                Contact {
                    id: "c1".into(),
                    full_name: "Иванова Анна".into(),
                    ..Contact::default()
                },
            );
        })
        .await
        .unwrap();
    store
        .change_client(&id, "inn", |d| d.card.inn = "7707083893".into())
        .await
        .unwrap();
    drop(store);

    let store = Store::open(me, [1; 8]).await.unwrap();
    let summaries = store.summaries(|_, _| {}).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].inn, "7707083893");
    assert_eq!(summaries[0].contacts[0].name, "Иванова Анна");
    let reloaded = store.client(&id).await.unwrap();
    assert_eq!(reloaded.card.name, "Вектор");
    assert_eq!(reloaded.contacts.len(), 1);
}

#[wasm_bindgen_test]
async fn many_edits_are_compacted_and_none_is_lost() {
    let me = user();
    let store = Store::open(me.clone(), [2; 8]).await.unwrap();
    let doc = client("Гранит", &me.id);
    store.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    // More edits than the compaction threshold: the chunks are folded into
    // a snapshot on the way.
    for n in 0..45 {
        store
            .change_client(&id, "edit", |d| {
                d.card.source = format!("правка {n}");
                d.card.tags.insert(format!("t{n}"), true);
            })
            .await
            .unwrap();
    }
    drop(store);
    let store = Store::open(me, [2; 8]).await.unwrap();
    let reloaded = store.client(&id).await.unwrap();
    assert_eq!(reloaded.card.source, "правка 44");
    assert_eq!(reloaded.card.tags.len(), 45);
}

#[wasm_bindgen_test]
async fn an_edit_that_changes_nothing_writes_nothing() {
    let me = user();
    let store = Store::open(me.clone(), [3; 8]).await.unwrap();
    let doc = client("Нева", &me.id);
    store.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    let db = UserDb::open(me.id.as_str()).await.unwrap();
    let before = db.load(&id).await.unwrap().unwrap();
    store
        .change_client(&id, "noop", |d| d.card.name = "Нева".into())
        .await
        .unwrap();
    let after = db.load(&id).await.unwrap().unwrap();
    assert_eq!(before.chunks.len(), after.chunks.len());
}

#[wasm_bindgen_test]
async fn a_damaged_document_is_refused_and_the_others_still_open() {
    let me = user();
    let store = Store::open(me.clone(), [4; 8]).await.unwrap();
    let good = client("Урал", &me.id);
    let bad = client("Сибирь", &me.id);
    store.create_client(&good).await.unwrap();
    store.create_client(&bad).await.unwrap();
    drop(store);
    // Corrupt one document on disk, as a broken disk or a bug would.
    let db = UserDb::open(me.id.as_str()).await.unwrap();
    db.put_snapshot(
        bad.id.as_str(),
        b"not an automerge document",
        None,
        false,
        None,
    )
    .await
    .unwrap();
    let store = Store::open(me, [4; 8]).await.unwrap();
    assert!(matches!(
        store.client(bad.id.as_str()).await,
        Err(StoreError::Damaged(_))
    ));
    assert_eq!(
        store.client(good.id.as_str()).await.unwrap().card.name,
        "Урал"
    );
    assert!(matches!(
        store.client(&ClientId::random().to_string()).await,
        Err(StoreError::NotFound)
    ));
}

#[wasm_bindgen_test]
async fn the_first_download_stores_the_base_and_a_damaged_one_stores_nothing() {
    let me = user();
    let store = Store::open(me.clone(), [5; 8]).await.unwrap();
    let actor = actor_for(&me.id, [9; 8]).unwrap();
    let workspace = WorkspaceDoc::new(
        "Тест",
        [UserEntry {
            id: me.id.clone(),
            login: me.login.clone(),
            name: me.name.clone(),
            role: me.role,
            active: true,
        }],
    );
    let mut entries = vec![BundleEntry {
        kind: BundleKind::Workspace,
        id: "w1".into(),
        summary: Vec::new(),
        doc: WorkspaceDocument::create(&workspace, actor.clone(), Timestamp(1))
            .unwrap()
            .save(),
    }];
    for n in 0..3 {
        let c = client(&format!("Клиент {n}"), &me.id);
        entries.push(BundleEntry {
            kind: BundleKind::Client,
            id: c.id.to_string(),
            summary: serde_json::to_vec(&ClientSummary::of(&c)).unwrap(),
            doc: ClientDocument::create(&c, actor.clone(), Timestamp(1))
                .unwrap()
                .save(),
        });
    }
    let bundle = encode_bundle(&entries);

    // Cut short: refused, and the device is not marked as downloaded.
    let cut = &bundle[..bundle.len() - 10];
    assert!(matches!(
        store.import_bundle(cut, |_, _| {}).await,
        Err(StoreError::Bundle(_))
    ));
    assert!(!store.is_bootstrapped().await.unwrap());
    assert!(store.summaries(|_, _| {}).await.unwrap().is_empty());

    store.import_bundle(&bundle, |_, _| {}).await.unwrap();
    assert!(store.is_bootstrapped().await.unwrap());
    assert_eq!(store.summaries(|_, _| {}).await.unwrap().len(), 3);
    assert_eq!(store.workspace().await.unwrap().name, "Тест");
}

/// Runs the Automerge sync protocol between two devices' stores until
/// neither has anything to say.
async fn sync_until_quiet(a: &Store, b: &Store, id: &str) {
    let (mut sa, mut sb) = (automerge::sync::State::new(), automerge::sync::State::new());
    for _ in 0..10 {
        let to_b = a.sync_message(id, &mut sa).await.unwrap();
        if let Some((data, _)) = &to_b {
            b.receive_sync(id, &mut sb, data).await.unwrap();
        }
        let to_a = b.sync_message(id, &mut sb).await.unwrap();
        if let Some((data, _)) = &to_a {
            a.receive_sync(id, &mut sa, data).await.unwrap();
        }
        if to_b.is_none() && to_a.is_none() {
            return;
        }
    }
    panic!("the two stores never stopped talking");
}

#[wasm_bindgen_test]
async fn a_client_synced_to_another_device_is_stored_there_and_edits_flow_back() {
    let me = user();
    let other = SessionUser {
        id: UserId::random(),
        ..user()
    };
    let mine = Store::open(me.clone(), [1; 8]).await.unwrap();
    let theirs = Store::open(other.clone(), [2; 8]).await.unwrap();
    let doc = client("Ладога", &me.id);
    mine.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    // A local change is in the outbox with its chunk.
    assert_eq!(mine.outbox().await.unwrap(), vec![id.clone()]);

    // The other device asks with a `request` (it has no copy) and stores
    // the client once it is whole.
    let mut asking = automerge::sync::State::new();
    let (_, request) = theirs
        .sync_message(&id, &mut asking)
        .await
        .unwrap()
        .unwrap();
    assert!(request, "a device without the document requests it");
    sync_until_quiet(&mine, &theirs, &id).await;
    assert_eq!(theirs.client(&id).await.unwrap().card.name, "Ладога");
    assert!(
        theirs.outbox().await.unwrap().is_empty(),
        "received, not local"
    );

    // Its edit comes back and is on disk after a restart.
    theirs
        .change_client(&id, "industry", |d| d.card.industry = "Рыболовство".into())
        .await
        .unwrap();
    sync_until_quiet(&mine, &theirs, &id).await;
    drop(mine);
    let mine = Store::open(me, [1; 8]).await.unwrap();
    assert_eq!(mine.client(&id).await.unwrap().card.industry, "Рыболовство");
    let summaries = mine.summaries(|_, _| {}).await.unwrap();
    assert_eq!(summaries[0].name, "Ладога");
}

#[wasm_bindgen_test]
async fn interests_are_kept_apart_from_the_summary_and_summaries_of_an_older_version_are_computed_again()
 {
    use kartoteka_app::io::idb::SummaryRows;
    use std::cell::RefCell;

    let me = user();
    let today = Date::from_ymd(2026, 11, 22).unwrap();
    let demo = kartoteka::demo::generate(40, today, 7).clients;
    let mut with_sales = demo
        .into_iter()
        .filter(|c| !c.interests.is_empty() && !c.payments.is_empty());
    let (new, old) = (with_sales.next().unwrap(), with_sales.next().unwrap());
    let store = Store::open(me.clone(), [7; 8]).await.unwrap();
    store.create_client(&new).await.unwrap();
    drop(store);
    // A client stored by an earlier version: a whole summary, without the
    // Interests and document numbers summaries carry now.
    let db = UserDb::open(me.id.as_str()).await.unwrap();
    let whole = ClientSummary::of(&old);
    let mut stale = whole.clone();
    stale.take_sales();
    let bytes = ClientDocument::create(&old, actor_for(&me.id, [7; 8]).unwrap(), Timestamp(1))
        .unwrap()
        .save();
    let rows = SummaryRows {
        summary: serde_json::to_string(&stale).unwrap(),
        sales: None,
    };
    db.put_snapshot(old.id.as_str(), &bytes, Some(&rows), false, None)
        .await
        .unwrap();

    let store = Store::open(me.clone(), [7; 8]).await.unwrap();
    let by_id =
        |list: Vec<ClientSummary>, id: &ClientId| list.into_iter().find(|s| &s.id == id).unwrap();
    let summaries = store.summaries(|_, _| {}).await.unwrap();
    assert!(
        by_id(summaries, &new.id).interests.is_empty(),
        "start-up does not read the Interests"
    );
    let sales = store.sales().await.unwrap();
    assert_eq!(sales.len(), 1, "the stale one has none stored");
    let mut joined = by_id(store.summaries(|_, _| {}).await.unwrap(), &new.id);
    joined.set_sales(sales[new.id.as_str()].clone());
    assert_eq!(joined, ClientSummary::of(&new), "joined back, nothing lost");

    let told = std::rc::Rc::new(RefCell::new(Vec::new()));
    let heard = told.clone();
    store.observe(move |committed| {
        if let Committed::Refreshed(batch) = committed {
            heard.borrow_mut().extend(batch);
        }
    });
    store.refresh_summaries().await.unwrap();
    let first = told.take();
    assert!(first.contains(&whole), "the app hears the new summary");
    let mut refreshed = by_id(store.summaries(|_, _| {}).await.unwrap(), &old.id);
    assert_eq!(refreshed, stale, "stored apart");
    let sales = store.sales().await.unwrap();
    assert_eq!(sales.len(), 2);
    refreshed.set_sales(sales[old.id.as_str()].clone());
    assert_eq!(refreshed, whole, "complete now");
    assert_eq!(
        store.client(old.id.as_str()).await.unwrap().interests,
        old.interests,
        "the document is untouched"
    );
    // Once: the next start has nothing to do.
    store.refresh_summaries().await.unwrap();
    assert!(told.borrow().is_empty(), "nothing is computed again");
}

#[wasm_bindgen_test]
async fn a_refused_edit_writes_nothing_and_tells_nobody() {
    let me = user();
    let store = Store::open(me.clone(), [3; 8]).await.unwrap();
    let doc = client("Орбита", &me.id);
    store.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let ear = heard.clone();
    store.observe(move |committed| {
        if let Committed::Client {
            summary, origin, ..
        } = committed
        {
            ear.borrow_mut().push((summary.name.clone(), origin));
        }
    });

    let refused = store
        .try_change_client(&id, "rename", |d| {
            d.card.name = "Не то".into();
            Err("нельзя")
        })
        .await;
    assert!(matches!(refused, Err(EditError::Refused("нельзя"))));
    assert!(heard.borrow().is_empty(), "a refusal is not announced");
    assert_eq!(store.client(&id).await.unwrap().card.name, "Орбита");

    store
        .try_change_client(&id, "rename", |d| {
            d.card.name = "Орбита-2".into();
            Ok::<(), &str>(())
        })
        .await
        .unwrap();
    assert_eq!(
        heard.borrow().as_slice(),
        &[("Орбита-2".to_owned(), Origin::Local)],
        "the base hears each committed write once"
    );
    drop(store);
    let store = Store::open(me, [3; 8]).await.unwrap();
    assert_eq!(
        store.client(&id).await.unwrap().card.name,
        "Орбита-2",
        "on disk"
    );
}

#[wasm_bindgen_test]
async fn a_client_taken_from_the_user_is_dropped_and_remembered_in_one_write() {
    use kartoteka::client::AssignmentKind;
    use kartoteka::summary::AssignmentSummary;
    let me = user();
    let store = Store::open(me.clone(), [9; 8]).await.unwrap();
    let doc = client("Ушёл к другой", &me.id);
    store.create_client(&doc).await.unwrap();
    let kept = client("Остался", &me.id);
    store.create_client(&kept).await.unwrap();
    let id = doc.id.to_string();
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let tell = heard.clone();
    store.observe(move |c| {
        if let Committed::Parted {
            id,
            former,
            dropped,
        } = c
        {
            tell.borrow_mut().push((id, former, dropped));
        }
    });
    let boss = UserId::random();
    let taking = AssignmentSummary {
        date: Date::from_ymd(2026, 12, 5).unwrap(),
        manager: Some(UserId::random()),
        kind: AssignmentKind::Reassigned,
        by: boss.clone(),
        at: Timestamp(99),
    };
    store.part(&id, taking.clone(), true).await.unwrap();

    {
        let heard = heard.borrow();
        assert_eq!(heard.len(), 1);
        let (told, former, dropped) = &heard[0];
        assert_eq!(told, &id);
        assert!(*dropped);
        let former = former.as_ref().expect("it was the user's: remembered");
        assert_eq!(former.name, "Ушёл к другой");
        assert_eq!(former.assignments.last(), Some(&taking));
    }
    // On disk: the document gone, the other one kept, the former there
    // (after a restart too).
    drop(store);
    let store = Store::open(me, [9; 8]).await.unwrap();
    let summaries = store.summaries(|_, _| {}).await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].name, "Остался");
    assert!(matches!(store.client(&id).await, Err(StoreError::NotFound)));
    let formers = store.formers().await.unwrap();
    assert_eq!(formers.len(), 1);
    assert_eq!(formers[0].id, id);
    // Told again (another tab, a repeated message): nothing more happens.
    store.part(&id, taking, true).await.unwrap();
    assert_eq!(store.formers().await.unwrap().len(), 1);
}
