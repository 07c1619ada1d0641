//! Stories of a manager looking a client up, and a property test that the
//! index answers exactly what a brute-force scan under the same rules
//! answers.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::text::{MIN_TYPO_LEN, name_words, normalised, order_key};
use super::*;
use crate::inn::Inn;

fn contact(id: &str, name: &str, phones: &[&str], emails: &[&str]) -> ContactEntry {
    ContactEntry {
        contact_id: id.to_owned(),
        name: name.to_owned(),
        phones: phones.iter().map(|s| (*s).to_owned()).collect(),
        emails: emails.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn client(id: &str, name: &str, inn: &str, phones: &[&str], emails: &[&str]) -> SearchEntry {
    SearchEntry {
        client_id: id.to_owned(),
        name: name.to_owned(),
        inn: (!inn.is_empty()).then(|| inn.to_owned()),
        ogrn: None,
        phones: phones.iter().map(|s| (*s).to_owned()).collect(),
        emails: emails.iter().map(|s| (*s).to_owned()).collect(),
        contacts: Vec::new(),
    }
}

fn base() -> SearchIndex {
    let mut vektor = client(
        "vektor",
        "ООО «Вектор»",
        "7707083893",
        &["+7 (495) 925-05-31 доб. 119"],
        &["Info@Vektor.ru"],
    );
    vektor.ogrn = Some("1027700132195".to_owned());
    vektor.contacts = vec![contact(
        "petrov",
        "Петров Пётр Семёнович",
        &["8-916-123-45-67"],
        &["p.petrov@vektor.ru"],
    )];
    SearchIndex::build([
        vektor,
        client(
            "alfa",
            "АО «Альфа-Строй»",
            "7736207543",
            &["8 812 555 12 34"],
            &["zakaz@alfastroy.ru"],
        ),
        client("vektorstroy", "Векторстрой", "", &["9250532"], &[]),
        client(
            "zeleny",
            "ИП Зелёный Иван Иванович",
            "500100732259",
            &[],
            &[],
        ),
        client(
            "magistral",
            "ООО \"Магистраль\"",
            "",
            &["+49 30 1234567"],
            &["office@magistral.de"],
        ),
    ])
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.client_id.as_str()).collect()
}

fn first(index: &SearchIndex, query: &str) -> Hit {
    index.query(query, 10).into_iter().next().unwrap()
}

/// A hyphenated word before the end of a name (found by the property test
/// below): the name typed out whole is still an exact match.
#[test]
fn a_name_with_a_hyphenated_word_before_its_end_typed_whole_is_exact() {
    let mut others: Vec<SearchEntry> = (0..30)
        .map(|i| client(&format!("v{i}"), "Вектор", "", &[], &[]))
        .collect();
    others.push(client("alfa", "Альфа-Строй ек", "", &[], &[]));
    let index = SearchIndex::build(others);
    for query in ["Альфа-Строй ек", "альфа строй ёк"] {
        let hit = first(&index, query);
        assert_eq!(
            (hit.client_id.as_str(), hit.tier),
            ("alfa", Tier::Exact),
            "{query}"
        );
    }
}

#[test]
fn manager_finds_a_client_by_any_word_of_its_name() {
    let index = base();
    assert_eq!(ids(&index.query("вектор", 10)), ["vektor", "vektorstroy"]);
    assert_eq!(first(&index, "вектор").tier, Tier::Exact);
    assert_eq!(ids(&index.query("строй", 10)), ["alfa"]);
    assert_eq!(ids(&index.query("ВЕК", 10)), ["vektor", "vektorstroy"]);
    assert_eq!(ids(&index.query("иван зел", 10)), ["zeleny"]);
    assert!(index.query("иван вектор", 10).is_empty());
}

#[test]
fn yo_quotes_and_legal_forms_do_not_matter() {
    let index = base();
    assert_eq!(ids(&index.query("зеленый", 10)), ["zeleny"]);
    assert_eq!(
        ids(&index.query("ООО Вектор", 10)),
        ["vektor", "vektorstroy"]
    );
    assert_eq!(ids(&index.query("«Магистраль»", 10)), ["magistral"]);
    assert_eq!(first(&index, "ип зелёный иван иванович").tier, Tier::Exact);
    assert!(index.query("ООО", 10).is_empty());
}

#[test]
fn hyphenated_names_are_found_typed_together() {
    let index = base();
    let hit = first(&index, "альфастр");
    assert_eq!(hit.client_id, "alfa");
    assert_eq!(
        hit.segments(),
        [("АО «", false), ("Альфа-Стр", true), ("ой»", false)]
    );
}

#[test]
fn one_typo_is_forgiven_in_long_words() {
    let index = base();
    let hit = first(&index, "магистарль");
    assert_eq!(
        (hit.client_id.as_str(), hit.tier),
        ("magistral", Tier::Fuzzy)
    );
    let hits = index.query("веткор", 10);
    assert_eq!(ids(&hits), ["vektor", "vektorstroy"]);
    assert!(hits.iter().all(|h| h.tier == Tier::Fuzzy));
    // Short words must be typed right.
    assert!(index.query("вкет", 10).is_empty());
}

#[test]
fn manager_finds_a_client_by_inn_and_ogrn() {
    let index = base();
    let hit = first(&index, "7707083893");
    assert_eq!(
        (hit.client_id.as_str(), hit.tier, &hit.field),
        ("vektor", Tier::Exact, &MatchedField::Inn)
    );
    let hit = first(&index, "7736");
    assert_eq!((hit.client_id.as_str(), hit.tier), ("alfa", Tier::Prefix));
    assert_eq!(hit.segments(), [("7736", true), ("207543", false)]);
    let hit = first(&index, "1027700");
    assert_eq!(
        (hit.client_id.as_str(), &hit.field),
        ("vektor", &MatchedField::Ogrn)
    );
}

#[test]
fn manager_finds_a_client_by_a_phone_typed_any_way() {
    let index = base();
    for query in [
        "+7 (495) 925-05-31",
        "8 495 925 05 31",
        "74959250531",
        "(495) 925-05-31",
    ] {
        let hit = first(&index, query);
        assert_eq!(
            (hit.client_id.as_str(), hit.tier),
            ("vektor", Tier::Exact),
            "{query}"
        );
        assert_eq!(hit.field, MatchedField::Phone);
    }
    for query in ["8 495 925", "+7495925", "495 925", "925-05-31"] {
        let hit = first(&index, query);
        assert_eq!(
            (hit.client_id.as_str(), hit.tier),
            ("vektor", Tier::Prefix),
            "{query}"
        );
    }
    let hit = first(&index, "8 495 925");
    assert_eq!(
        hit.segments(),
        [
            ("+", false),
            ("7 (495) 925", true),
            ("-05-31 доб. 119", false)
        ]
    );
    // The local number 925-05-32 of another client shares "92505".
    assert_eq!(ids(&index.query("92505", 10)), ["vektor", "vektorstroy"]);
    let hit = first(&index, "+49 30 123");
    assert_eq!(hit.client_id, "magistral");
    assert_eq!(ids(&index.query("0531", 10)), ["vektor"]);
    assert_eq!(first(&index, "0531").tier, Tier::Partial);
}

#[test]
fn manager_finds_a_client_by_e_mail() {
    let index = base();
    let hit = first(&index, "INFO@vektor.ru");
    assert_eq!(
        (hit.client_id.as_str(), hit.tier, &hit.field),
        ("vektor", Tier::Exact, &MatchedField::Email)
    );
    let hit = first(&index, "zakaz@");
    assert_eq!((hit.client_id.as_str(), hit.tier), ("alfa", Tier::Prefix));
    assert_eq!(hit.segments(), [("zakaz@", true), ("alfastroy.ru", false)]);
    let hit = first(&index, "magistral.d");
    assert_eq!(
        hit.segments(),
        [("office@", false), ("magistral.d", true), ("e", false)]
    );
}

#[test]
fn a_contact_match_names_the_contact() {
    let index = base();
    let hit = first(&index, "петров");
    assert_eq!(hit.client_id, "vektor");
    assert_eq!(
        hit.field,
        MatchedField::ContactName {
            contact_id: "petrov".to_owned()
        }
    );
    assert_eq!(
        hit.segments(),
        [("Петров", true), (" Пётр Семёнович", false)]
    );
    let hit = first(&index, "петр семенович");
    assert_eq!(
        hit.segments(),
        [
            ("Петр", true),
            ("ов ", false),
            ("Пётр", true),
            (" ", false),
            ("Семёнович", true)
        ]
    );
    let hit = first(&index, "8 916 123");
    assert_eq!(
        hit.field,
        MatchedField::ContactPhone {
            contact_id: "petrov".to_owned()
        }
    );
    assert_eq!(hit.segments(), [("8-916-123", true), ("-45-67", false)]);
    let hit = first(&index, "p.petrov");
    assert_eq!(
        hit.field,
        MatchedField::ContactEmail {
            contact_id: "petrov".to_owned()
        }
    );
}

#[test]
fn exact_matches_come_first_then_by_name() {
    let index = SearchIndex::build([
        client("c", "Вектор Плюс", "", &[], &[]),
        client("a", "Альфа Вектор", "", &[], &[]),
        client("b", "Вектор", "", &[], &[]),
        client("d", "Векторный завод", "", &[], &[]),
    ]);
    assert_eq!(ids(&index.query("вектор", 10)), ["b", "a", "c", "d"]);
    assert_eq!(ids(&index.query("вектор", 2)), ["b", "a"]);
}

#[test]
fn edits_and_sync_update_the_index() {
    let mut index = base();
    assert_eq!(index.len(), 5);
    let mut renamed = index.get("vektor").unwrap();
    renamed.name = "ООО «Гранит»".to_owned();
    renamed.phones.clear();
    index.upsert(renamed);
    assert_eq!(index.len(), 5);
    assert_eq!(ids(&index.query("вектор", 10)), ["vektorstroy"]);
    assert_eq!(ids(&index.query("гранит", 10)), ["vektor"]);
    assert!(index.query("8 495 925 05 31", 10).is_empty());
    assert!(index.remove("vektor"));
    assert!(!index.remove("vektor"));
    assert!(index.query("гранит", 10).is_empty());
    assert!(index.query("7707083893", 10).is_empty());
    assert!(index.query("info@", 10).is_empty());
    index.upsert(client("new", "Гранит-Сервис", "7707083893", &[], &[]));
    assert_eq!(ids(&index.query("гранит", 10)), ["new"]);
    assert_eq!(ids(&index.query("770708", 10)), ["new"]);
}

#[test]
fn entries_come_from_client_summaries() {
    let summary: ClientSummary = serde_json::from_value(serde_json::json!({
        "id": "c1", "name": "Вектор", "legal_form": "ООО", "inn": "7707083893",
        "phones": ["8 495 925 05 31"], "contacts": [{"id": "k1", "name": "Петров Пётр"}],
        "created": "2026-01-10",
        // Summaries keep their facts compactly: day 20463 is 2026-01-10.
        "facts": {"c": 20463}
    }))
    .unwrap();
    let entry = SearchEntry::from(&summary);
    assert_eq!(entry.name, "ООО «Вектор»");
    assert_eq!(entry.inn.as_deref(), Some("7707083893"));
    assert_eq!(entry.ogrn, None);
    assert_eq!(entry.contacts[0].contact_id, "k1");
}

// ---- The same rules, by brute force ----

/// Optimal string alignment distance, by the textbook table.
fn osa(a: &[char], b: &[char]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// How a query word matches a name word: Some(false) by prefix, Some(true)
/// with one typo against some prefix of the word.
fn word_match(token: &str, word: &str) -> Option<bool> {
    if word.starts_with(token) {
        return Some(false);
    }
    let t: Vec<char> = token.chars().collect();
    let w: Vec<char> = word.chars().collect();
    let typo = t.len() >= MIN_TYPO_LEN
        && w.len() >= MIN_TYPO_LEN
        && (0..=w.len()).any(|k| osa(&t, &w[..k]) <= 1);
    typo.then_some(true)
}

fn name_tier(tokens: &[String], name: &str) -> Option<Tier> {
    if tokens.is_empty() {
        return None;
    }
    let words = name_words(name);
    let mut typo = false;
    for token in tokens {
        let best = words
            .iter()
            .filter_map(|w| word_match(token, &w.text))
            .min()?;
        typo |= best;
    }
    Some(if typo {
        Tier::Fuzzy
    } else if normalised(&words) == tokens.join(" ") {
        Tier::Exact
    } else {
        Tier::Prefix
    })
}

fn phone_tier(query: &PhoneQuery, typed: &str) -> Option<Tier> {
    let phone = Phone::parse(typed).ok()?;
    let key = phone.key();
    let raw = query.digits();
    let trunk = raw.strip_prefix('8').map(|rest| format!("7{rest}"));
    let national = (key.len() == 11 && key.starts_with('7')).then(|| &key[1..]);
    let local = national.map(|n| &n[3..]);
    let whole = key == raw || national == Some(raw) || trunk.as_deref() == Some(key);
    let start = key.starts_with(raw)
        || national.is_some_and(|n| n.starts_with(raw))
        || local.is_some_and(|l| l.starts_with(raw))
        || trunk.as_deref().is_some_and(|t| key.starts_with(t));
    if whole {
        Some(Tier::Exact)
    } else if start {
        Some(Tier::Prefix)
    } else {
        key.contains(raw).then_some(Tier::Partial)
    }
}

fn email_tier(query: &str, typed: &str) -> Option<Tier> {
    let key = typed.trim().to_lowercase();
    if key.is_empty() {
        return None;
    }
    let domain = key.find('@').map_or("", |at| &key[at + 1..]);
    if key == query {
        Some(Tier::Exact)
    } else if key.starts_with(query) || (!query.contains('@') && domain.starts_with(query)) {
        Some(Tier::Prefix)
    } else {
        None
    }
}

/// Every client matching `text` by scanning every field, ranked.
fn brute_force(entries: &[SearchEntry], text: &str) -> Vec<(String, Tier, MatchedField)> {
    let tokens: Vec<String> = name_words(text)
        .into_iter()
        .filter(|w| !w.compound)
        .map(|w| w.text)
        .collect();
    let phone = PhoneQuery::parse(text);
    let trimmed = text.trim();
    let email = (!trimmed.is_empty() && !trimmed.contains(char::is_whitespace))
        .then(|| trimmed.to_lowercase());
    let mut found = Vec::new();
    for entry in entries {
        // (tier, field order, contact, item, field)
        let mut matches: Vec<(Tier, u8, usize, usize, MatchedField)> = Vec::new();
        if let Some(tier) = name_tier(&tokens, &entry.name) {
            matches.push((tier, 0, 0, 0, MatchedField::Name));
        }
        if let Some(q) = &phone {
            let digits = |s: &Option<String>| -> String {
                s.as_deref()
                    .unwrap_or("")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect()
            };
            for (value, order, field) in [
                (digits(&entry.inn), 1, MatchedField::Inn),
                (digits(&entry.ogrn), 2, MatchedField::Ogrn),
            ] {
                if !value.is_empty() && value.starts_with(q.digits()) {
                    let tier = if value == q.digits() {
                        Tier::Exact
                    } else {
                        Tier::Prefix
                    };
                    matches.push((tier, order, 0, 0, field));
                }
            }
            for (i, p) in entry.phones.iter().enumerate() {
                if let Some(tier) = phone_tier(q, p) {
                    matches.push((tier, 3, 0, i, MatchedField::Phone));
                }
            }
        }
        if let Some(q) = &email {
            for (i, e) in entry.emails.iter().enumerate() {
                if let Some(tier) = email_tier(q, e) {
                    matches.push((tier, 4, 0, i, MatchedField::Email));
                }
            }
        }
        for (c, person) in entry.contacts.iter().enumerate() {
            let contact_id = person.contact_id.clone();
            if let Some(tier) = name_tier(&tokens, &person.name) {
                matches.push((
                    tier,
                    5,
                    c,
                    0,
                    MatchedField::ContactName {
                        contact_id: contact_id.clone(),
                    },
                ));
            }
            if let Some(q) = &phone {
                for (i, p) in person.phones.iter().enumerate() {
                    if let Some(tier) = phone_tier(q, p) {
                        let field = MatchedField::ContactPhone {
                            contact_id: contact_id.clone(),
                        };
                        matches.push((tier, 6, c, i, field));
                    }
                }
            }
            if let Some(q) = &email {
                for (i, e) in person.emails.iter().enumerate() {
                    if let Some(tier) = email_tier(q, e) {
                        let field = MatchedField::ContactEmail {
                            contact_id: contact_id.clone(),
                        };
                        matches.push((tier, 7, c, i, field));
                    }
                }
            }
        }
        if let Some(best) = matches
            .into_iter()
            .min_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)))
        {
            let sort_name = normalised(&name_words(&entry.name));
            found.push((
                best.0,
                order_key(&sort_name),
                sort_name,
                entry.client_id.clone(),
                best.4,
            ));
        }
    }
    found.sort_by(|a, b| (a.0, a.1, &a.2, &a.3).cmp(&(b.0, b.1, &b.2, &b.3)));
    found
        .into_iter()
        .map(|(tier, _, _, id, field)| (id, tier, field))
        .collect()
}

fn answer(index: &SearchIndex, text: &str, limit: usize) -> Vec<(String, Tier, MatchedField)> {
    index
        .query(text, limit)
        .into_iter()
        .map(|h| (h.client_id, h.tier, h.field))
        .collect()
}

// ---- Random bases built to collide ----

const WORDS: &[&str] = &[
    "Вектор",
    "вектра",
    "Векторстрой",
    "Ветер",
    "Альфа",
    "Альфа-Строй",
    "Строй",
    "Стройка",
    "Зелёный",
    "зеленый",
    "Магистраль",
    "Магистр",
    "Ёлка",
    "Иванов",
    "Иван",
    "Иванович",
    "Ивановна",
    "Петров",
    "Пётр",
    "Сибирь",
    "Сибирский",
    "Omega",
    "Omega-Trade",
    "ООО",
    "АО",
    "ИП",
    "«",
    "\"",
    "2000",
];
const LEGAL: &[&str] = &[
    "",
    "ООО ",
    "АО ",
    "ИП ",
    "Общество с ограниченной ответственностью ",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => "[абвгеёк]{1,7}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(LEGAL),
        proptest::collection::vec(word(), 1..4),
    )
        .prop_map(|(legal, words)| format!("{legal}{}", words.join(" ")))
}

/// Digits from a small set, so that numbers share runs.
fn national() -> impl Strategy<Value = String> {
    "[49][0459]{9}"
}

fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        (national(), 0usize..5).prop_map(|(n, form)| match form {
            0 => format!("+7 ({}) {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
            1 => format!("8 {} {} {} {}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
            2 => format!("7{n}"),
            3 => format!("({}) {}-{} доб. 12", &n[..3], &n[3..6], &n[6..]),
            _ => n,
        }),
        "[0459]{7}",
        "\\+49 30 [0459]{7}",
        Just("не телефон".to_owned()),
    ]
}

fn email() -> impl Strategy<Value = String> {
    (
        proptest::sample::select(&["info", "Info", "zakaz", "i.ivanov", "in"][..]),
        proptest::sample::select(&["vektor.ru", "Vektor.RU", "alfa.ru", "почта.рф", "v"][..]),
    )
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

fn inn() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("77[07]{7}".prop_map(|base| {
        Inn::from_base(&base)
            .map(|i| i.to_string())
            .unwrap_or_default()
    }))
}

fn entry(id: usize) -> impl Strategy<Value = SearchEntry> {
    let contact = (
        name(),
        proptest::collection::vec(phone(), 0..2),
        proptest::collection::vec(email(), 0..2),
    );
    (
        name(),
        inn(),
        proptest::option::of("10[27]{11}"),
        proptest::collection::vec(phone(), 0..3),
        proptest::collection::vec(email(), 0..2),
        proptest::collection::vec(contact, 0..3),
    )
        .prop_map(
            move |(name, inn, ogrn, phones, emails, contacts)| SearchEntry {
                client_id: format!("c{id}"),
                name,
                inn,
                ogrn,
                phones,
                emails,
                contacts: contacts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, phones, emails))| ContactEntry {
                        contact_id: format!("c{id}k{i}"),
                        name,
                        phones,
                        emails,
                    })
                    .collect(),
            },
        )
}

fn entries(n: usize) -> impl Strategy<Value = Vec<SearchEntry>> {
    (0..n).map(entry).collect::<Vec<_>>()
}

/// Queries like a person types them: words and fragments with and without
/// typos, numbers in phone forms, e-mail starts.
fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (word(), 1usize..9).prop_map(|(w, n)| w.chars().take(n).collect()),
        2 => (word(), 0usize..8, proptest::sample::select(&['а', 'в', 'р', 'т', 'о'][..]), 0usize..3)
            .prop_map(|(w, at, c, edit)| {
                let mut chars: Vec<char> = w.chars().collect();
                let at = at.min(chars.len());
                match edit {
                    0 => chars.insert(at, c),
                    1 if at < chars.len() => { chars.remove(at); }
                    _ if at + 1 < chars.len() => chars.swap(at, at + 1),
                    _ => {}
                }
                chars.into_iter().collect()
            }),
        2 => (word(), word()).prop_map(|(a, b)| format!("{a} {}", b.chars().take(3).collect::<String>())),
        2 => ("[0459]{3,8}", proptest::sample::select(&["", "8 ", "+7 ", "7", "(", "8 (4"][..]))
            .prop_map(|(d, p)| format!("{p}{d}")),
        1 => "77[07]{1,8}",
        1 => "10[27]{1,11}",
        2 => (email(), 1usize..16).prop_map(|(e, n)| e.chars().take(n).collect()),
        1 => Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn index_answers_what_brute_force_answers(
        base in entries(40),
        queries in proptest::collection::vec(query(), 12),
    ) {
        let index = SearchIndex::build(base.clone());
        let scanning = index.clone().always_scanning(usize::MAX);
        let giving_up = index.clone().always_scanning(2);
        for q in &queries {
            let want = brute_force(&base, q);
            prop_assert_eq!(answer(&index, q, usize::MAX), want.clone(), "query {:?}", q);
            for limit in [1, 3, 7] {
                let top = want[..want.len().min(limit)].to_vec();
                prop_assert_eq!(answer(&index, q, limit), top.clone(), "query {:?}", q);
                prop_assert_eq!(answer(&scanning, q, limit), top.clone(), "scan, query {:?}", q);
                prop_assert_eq!(answer(&giving_up, q, limit), top, "fallback, query {:?}", q);
            }
        }
    }

    #[test]
    fn upserts_and_removals_keep_the_index_right(
        first in entries(30),
        changes in proptest::collection::vec((0usize..40, proptest::option::of(entry(0))), 1..30),
        queries in proptest::collection::vec(query(), 10),
    ) {
        let mut index = SearchIndex::build(first.clone());
        let mut scanning = SearchIndex::build(first.clone()).always_scanning(usize::MAX);
        let mut base: Vec<SearchEntry> = first;
        for (id, change) in changes {
            let client_id = format!("c{id}");
            base.retain(|e| e.client_id != client_id);
            match change {
                Some(mut e) => {
                    e.client_id.clone_from(&client_id);
                    for (i, c) in e.contacts.iter_mut().enumerate() {
                        c.contact_id = format!("{client_id}k{i}");
                    }
                    base.push(e.clone());
                    scanning.upsert(e.clone());
                    index.upsert(e);
                }
                None => {
                    index.remove(&client_id);
                    scanning.remove(&client_id);
                }
            }
        }
        prop_assert_eq!(index.len(), base.len());
        for q in &queries {
            let want = brute_force(&base, q);
            prop_assert_eq!(answer(&index, q, usize::MAX), want.clone(), "query {:?}", q);
            let top = want[..want.len().min(5)].to_vec();
            prop_assert_eq!(answer(&scanning, q, 5), top, "scan, query {:?}", q);
        }
    }

    #[test]
    fn highlights_are_inside_the_text(base in entries(20), q in query()) {
        let index = SearchIndex::build(base);
        for hit in index.query(&q, 50) {
            prop_assert!(!hit.ranges.is_empty(), "{:?}", hit);
            for r in &hit.ranges {
                prop_assert!(hit.text.get(r.clone()).is_some_and(|s| !s.is_empty()), "{:?}", hit);
            }
        }
    }
}

#[test]
fn an_index_built_in_slices_answers_like_one_built_at_once() {
    let today = crate::date::Date::from_ymd(2026, 11, 22).expect("date");
    let entries: Vec<SearchEntry> = crate::demo::generate(400, today, 11)
        .clients
        .iter()
        .map(|c| SearchEntry::from(&crate::summary::ClientSummary::of(c)))
        .collect();
    let whole = SearchIndex::build(entries.clone());
    let mut builder = SearchIndex::builder(entries.len());
    for slice in entries.chunks(37) {
        for entry in slice {
            builder.add(entry);
        }
    }
    builder.add(&entries[0]);
    assert_eq!(builder.len(), entries.len());
    let sliced = builder.finish();
    for query in [
        "ва",
        "вектор",
        "8 495",
        "info@",
        "7707",
        "Иванов",
        "альфастрой",
        "петрова анна",
    ] {
        assert_eq!(sliced.query(query, 50), whole.query(query, 50), "{query}");
    }
}
