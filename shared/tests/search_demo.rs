//! A manager looks clients of the demo base up the ways people do — by
//! name, INN, a phone typed differently from the card, e-mail, a contact
//! person — and is warned about duplicates when a card is typed in again.
//! Told through the public API, over the demo generator's data.

use kartoteka::client::validate_card;
use kartoteka::date::Date;
use kartoteka::demo;
use kartoteka::duplicates::{CardKeys, Reason, find_duplicates};
use kartoteka::phone::Phone;
use kartoteka::search::{MatchedField, SearchEntry, SearchIndex, Tier};
use kartoteka::summary::ClientSummary;

fn base() -> (Vec<SearchEntry>, SearchIndex, demo::Demo) {
    let today = Date::from_ymd(2026, 11, 22).expect("a real date");
    let demo = demo::generate(300, today, 7);
    let entries: Vec<SearchEntry> = demo
        .clients
        .iter()
        .map(|doc| SearchEntry::from(&ClientSummary::of(doc)))
        .collect();
    let index = SearchIndex::build(entries.clone());
    (entries, index, demo)
}

fn found(index: &SearchIndex, query: &str, client_id: &str) -> bool {
    index
        .query(query, 1000)
        .iter()
        .any(|hit| hit.client_id == client_id)
}

#[test]
fn demo_cards_pass_validation() {
    let (_, _, demo) = base();
    for doc in &demo.clients {
        let problems = validate_card(&doc.card);
        assert!(problems.is_empty(), "{}: {problems:?}", doc.card.name);
    }
}

#[test]
fn manager_finds_every_client_by_inn() {
    let (entries, index, _) = base();
    for entry in &entries {
        let inn = entry.inn.as_deref().expect("demo clients have an INN");
        let hits = index.query(inn, 5);
        assert_eq!(hits[0].client_id, entry.client_id, "{inn}");
        assert_eq!(
            (hits[0].tier, &hits[0].field),
            (Tier::Exact, &MatchedField::Inn)
        );
        assert!(
            found(&index, &inn[..5], &entry.client_id),
            "prefix of {inn}"
        );
    }
}

#[test]
fn manager_finds_a_client_by_a_phone_typed_with_8() {
    let (entries, index, _) = base();
    for entry in &entries {
        for typed in &entry.phones {
            let phone = Phone::parse(typed).expect("demo phones parse");
            let national = phone.national().expect("demo phones are Russian");
            let with_8 = format!(
                "8 {} {} {}",
                &national[..3],
                &national[3..6],
                &national[6..]
            );
            let hit = index
                .query(&with_8, 1000)
                .into_iter()
                .find(|h| h.client_id == entry.client_id);
            assert_eq!(
                hit.map(|h| h.tier),
                Some(Tier::Exact),
                "{typed} as {with_8}"
            );
            let local = &national[3..];
            assert!(found(&index, local, &entry.client_id), "{typed} by {local}");
        }
    }
}

#[test]
fn manager_finds_a_client_by_name_e_mail_and_contact() {
    let (entries, index, _) = base();
    for entry in &entries {
        let word = entry
            .name
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| w.chars().count() >= 3 && !["ООО", "ПАО", "ИП"].contains(w))
            .expect("a name word");
        assert!(
            found(&index, &word.to_lowercase(), &entry.client_id),
            "{word}"
        );
        for email in &entry.emails {
            assert!(
                found(&index, &email.to_uppercase(), &entry.client_id),
                "{email}"
            );
        }
        for contact in &entry.contacts {
            let hit = index
                .query(&contact.name, 1000)
                .into_iter()
                .find(|h| h.client_id == entry.client_id)
                .expect("the contact's client");
            assert!(matches!(
                hit.field,
                MatchedField::Name | MatchedField::ContactName { .. }
            ));
        }
    }
}

#[test]
fn typing_a_card_again_warns_about_the_existing_one() {
    let (entries, index, demo) = base();
    for (entry, doc) in entries.iter().zip(&demo.clients).take(50) {
        let card = CardKeys::from(&doc.card);
        let duplicates = find_duplicates(&index, &card, None);
        let own = duplicates
            .iter()
            .find(|d| d.client_id == entry.client_id)
            .expect("the same card is a duplicate");
        assert!(
            matches!(own.reasons[0], Reason::SameInn { .. }),
            "{:?}",
            own.reasons
        );
        let editing = find_duplicates(&index, &card, Some(&entry.client_id));
        assert!(editing.iter().all(|d| d.client_id != entry.client_id));
    }
}
