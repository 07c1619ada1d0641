//! One card section mounted on its own in a real browser (headless
//! Chromium): it draws the document it is given, is drawn again when its
//! part of the document changes, and is left alone when another part does.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kartoteka::client::{Card, ClientDoc, Contact, Note};
use kartoteka::date::{Date, Timestamp};
use kartoteka::ids::{ClientId, UserId};
use kartoteka_app::base::Base;
use kartoteka_app::i18n::{I18n, Lang};
use kartoteka_app::pages::card::keyed;
use kartoteka_app::pages::card::notes::NotesSection;
use kartoteka_app::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn client(by: &UserId) -> ClientDoc {
    let card = Card {
        name: "Вектор".into(),
        created: Date::from_ymd(2026, 11, 2).unwrap(),
        created_by: by.clone(),
        ..Card::default()
    };
    ClientDoc::new(ClientId::random(), card, Some(by.clone()), by, Timestamp(1))
}

fn note(id: &str, text: &str, by: &UserId) -> Note {
    Note {
        id: id.into(),
        text: text.into(),
        author: by.clone(),
        at: Timestamp(1_764_000_000_000),
    }
}

/// A fresh element on the page to mount into.
fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

/// Lets the reactive system run what a change scheduled.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

fn notes_text(host: &web_sys::HtmlElement) -> Vec<String> {
    let list = host.query_selector_all(".note__text").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn the_notes_section_draws_a_new_note_and_ignores_a_new_contact() {
    let me = UserId::random();
    let mut first = client(&me);
    first
        .notes
        .insert("n1".into(), note("n1", "Просил перезвонить", &me));
    let current = RwSignal::new(Some(Arc::new(first.clone())));
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let state = AppState::new();
        provide_context(state);
        provide_context(Base::new(state));
        provide_context(I18n {
            lang: RwSignal::new(Lang::Ru),
        });
        let doc = Memo::new(move |_| current.get());
        keyed(
            doc,
            |d| d.notes.clone(),
            |d| view! { <NotesSection doc=(*d).clone()/> }.into_any(),
        )
    });
    settle().await;
    assert_eq!(notes_text(&host), ["Просил перезвонить"]);
    assert!(
        host.text_content()
            .unwrap_or_default()
            .contains("Примечания"),
        "the section's heading is in Russian: {:?}",
        host.text_content()
    );

    // A new note: the section is drawn again with it.
    let mut second = first.clone();
    second
        .notes
        .insert("n2".into(), note("n2", "Счёт отправлен", &me));
    current.set(Some(Arc::new(second.clone())));
    settle().await;
    let mut shown = notes_text(&host);
    shown.sort();
    assert_eq!(shown, ["Просил перезвонить", "Счёт отправлен"]);

    // A new contact person is another section's part: the notes stay the
    // very same elements (what a person types there is not lost).
    let marked = host.query_selector("#note-text").unwrap().unwrap();
    marked.set_attribute("data-marked", "yes").unwrap();
    let mut third = second.clone();
    third.contacts.insert(
        "c1".into(),
        Contact {
            id: "c1".into(),
            full_name: "Иванова Анна".into(),
            ..Contact::default()
        },
    );
    current.set(Some(Arc::new(third)));
    settle().await;
    let textarea = host.query_selector("#note-text").unwrap().unwrap();
    assert_eq!(
        textarea.get_attribute("data-marked").as_deref(),
        Some("yes")
    );
    drop(handle);
}
