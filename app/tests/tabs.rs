//! Several tabs in a real browser (headless Chromium), each played by a
//! store of its own over the same user's database: what one tab writes the
//! other hears of and takes in, two saves at the same moment both stay,
//! and a database closes itself for a newer version.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kartoteka::api::SessionUser;
use kartoteka::client::{Card, ClientDoc};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{ClientId, UserId};
use kartoteka::workspace::Role;
use kartoteka_app::io::idb::{self, IdbError};
use kartoteka_app::store::{self, Committed, Origin, Store, StoreError};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn user() -> SessionUser {
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

/// Waits (at most 5 s) until `done` says yes.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    panic!("never: {what}");
}

/// A second tab: a store of its own (another actor) that follows the
/// other tabs and records what it announces.
async fn second_tab(me: &SessionUser, actor: [u8; 8]) -> (Rc<Store>, Rc<RefCell<Vec<Committed>>>) {
    let tab = Rc::new(Store::open(me.clone(), actor).await.unwrap());
    let heard = Rc::new(RefCell::new(Vec::new()));
    let ear = heard.clone();
    tab.observe(move |c| ear.borrow_mut().push(c));
    let news = tab.other_tabs().expect("a BroadcastChannel");
    wasm_bindgen_futures::spawn_local(store::follow_other_tabs(Rc::downgrade(&tab), news));
    (tab, heard)
}

fn industry_heard(heard: &RefCell<Vec<Committed>>) -> Option<(String, Origin)> {
    heard.borrow().iter().rev().find_map(|c| match c {
        Committed::Client { doc, origin, .. } => Some((doc.card.industry.clone(), *origin)),
        _ => None,
    })
}

#[wasm_bindgen_test]
async fn what_one_tab_saves_the_other_announces_from_the_disk() {
    let me = user();
    let a = Store::open(me.clone(), [1, 1, 1, 1, 1, 1, 1, 1])
        .await
        .unwrap();
    let (b, heard) = second_tab(&me, [1, 1, 1, 1, 2, 2, 2, 2]).await;

    // A new client reaches the other tab.
    let doc = client("Эхо", &me.id);
    a.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    until("the other tab hears of the new client", || {
        heard.borrow().iter().any(|c| {
            matches!(c, Committed::Client { summary, origin: Origin::Remote, .. } if summary.name == "Эхо")
        })
    })
    .await;

    // The other tab has the client open; an edit reaches its open copy.
    assert_eq!(b.client(&id).await.unwrap().card.industry, "");
    a.change_client(&id, "industry", |d| d.card.industry = "Связь".into())
        .await
        .unwrap();
    until("the other tab hears of the edit", || {
        industry_heard(&heard) == Some(("Связь".into(), Origin::Remote))
    })
    .await;
    assert_eq!(b.client(&id).await.unwrap().card.industry, "Связь");

    // News of nothing new is not announced again.
    let count = heard.borrow().len();
    b.take_in(kartoteka_app::io::tabs::TabNews::Client(id.clone()))
        .await
        .unwrap();
    assert_eq!(heard.borrow().len(), count);
}

#[wasm_bindgen_test]
async fn two_tabs_saving_one_client_at_the_same_moment_both_keep_their_edit() {
    let me = user();
    let a = Store::open(me.clone(), [4, 4, 4, 4, 1, 1, 1, 1])
        .await
        .unwrap();
    let b = Store::open(me.clone(), [4, 4, 4, 4, 2, 2, 2, 2])
        .await
        .unwrap();
    let doc = client("Близнецы", &me.id);
    a.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();
    // Both have it open, as read before either edit.
    b.client(&id).await.unwrap();

    let (one, two) = futures::future::join(
        a.change_client(&id, "website", |d| {
            d.card.website = "bliznecy.example".into()
        }),
        b.change_client(&id, "source", |d| d.card.source = "Выставка".into()),
    )
    .await;
    one.unwrap();
    two.unwrap();

    let fresh = Store::open(me, [4, 4, 4, 4, 3, 3, 3, 3]).await.unwrap();
    let stored = fresh.client(&id).await.unwrap();
    assert_eq!(stored.card.website, "bliznecy.example");
    assert_eq!(stored.card.source, "Выставка");
    let summaries = fresh.summaries(|_, _| {}).await.unwrap();
    assert_eq!(summaries.len(), 1);
}

#[wasm_bindgen_test]
async fn a_database_closes_itself_for_a_newer_version_and_refuses_writes_after() {
    let told = Rc::new(Cell::new(false));
    let flag = told.clone();
    idb::on_closed_for_upgrade(move || flag.set(true));
    let me = user();
    let store = Store::open(me.clone(), [5; 8]).await.unwrap();
    let doc = client("Старая версия", &me.id);
    store.create_client(&doc).await.unwrap();
    let id = doc.id.to_string();

    // A newer version opens the same database at a higher version.
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let open = factory
        .open_with_u32(&format!("kartoteka-{}", me.id), 1000)
        .unwrap();
    let blocked = Rc::new(Cell::new(false));
    let upgraded = Rc::new(Cell::new(false));
    let on_blocked = {
        let blocked = blocked.clone();
        Closure::<dyn Fn()>::new(move || blocked.set(true))
    };
    let on_success = {
        let upgraded = upgraded.clone();
        let open = open.clone();
        Closure::<dyn Fn()>::new(move || {
            upgraded.set(true);
            if let Ok(db) = open.result() {
                db.unchecked_into::<web_sys::IdbDatabase>().close();
            }
        })
    };
    open.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
    open.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    until("the newer version opens the database", || upgraded.get()).await;
    assert!(!blocked.get(), "the old connection did not keep it waiting");
    assert!(told.get(), "the app was told, to ask for a reload");

    // Nothing more is written, and the failure says why.
    let refused = store
        .change_client(&id, "industry", |d| d.card.industry = "Связь".into())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Storage(IdbError::Closed))),
        "{refused:?}"
    );
    assert!(matches!(
        store.client(&id).await,
        Err(StoreError::Storage(IdbError::Closed))
    ));
}
