//! Times the client import of a company's base: 5,000 clients with 10,000
//! contact persons (two rows per client, a tenth of the clients already in
//! a base of 2,000 demo clients, one row in a hundred with a bad value),
//! as CSV in Windows-1251 — reading, mapping and the preview, then applying
//! it (the new documents made and saved as Automerge, the joined ones given
//! what they lack). Prints the median and the best of several runs.
//!
//! Run with `cargo bench -p kartoteka --bench client_import`; set
//! `KARTOTEKA_BENCH_CLIENTS` for another size, and
//! `KARTOTEKA_BENCH_WRITE=FILE` to also write the file (for timing
//! `kartoteka import clients` on it).

use std::hint::black_box;
use std::time::{Duration, Instant};

use kartoteka::date::{Date, Timestamp};
use kartoteka::document::ClientDocument;
use kartoteka::ids::{ClientId, actor_for, new_id};
use kartoteka::import::clients::{
    ColumnMapping, ImportBase, OnBadValue, join_client, new_client, preview, read_csv,
};
use kartoteka::import::encode_windows_1251;
use kartoteka::inn::Inn;
use kartoteka::summary::ClientSummary;

const REPETITIONS: usize = 5;

fn file(clients: usize, base: &[ClientSummary]) -> String {
    let mut out = String::from(
        "Наименование;ИНН;КПП;Телефон;E-mail;Адрес;Отрасль;Ответственный;Контактное лицо;Должность;Телефон контакта;E-mail контакта;День рождения\n",
    );
    let with_inn: Vec<&ClientSummary> = base.iter().filter(|s| !s.inn.is_empty()).collect();
    for i in 0..clients {
        let (name, inn) = if i % 10 == 0 && !with_inn.is_empty() {
            let s = with_inn[i / 10 % with_inn.len()];
            (s.name.clone(), s.inn.clone())
        } else {
            let inn = Inn::from_base(&format!("{:09}", 500_000_000 + i))
                .map(|i| i.to_string())
                .unwrap_or_default();
            (format!("ООО «Импорт {i}»"), inn)
        };
        for c in 0..2 {
            let bad = (i * 2 + c) % 100 == 99;
            out.push_str(&format!(
                "{name};{inn};770101001;+7 495 {:03}-{:02}-{:02};info{i}@import.ru;г. Москва, ул. Тверская, д. {i};Торговля;smirnova;Контакт {c} Номер {i};Менеджер;+7 916 {:03}-{:02}-{c:02};c{c}.{i}@import.ru;{:02}.03.1980\n",
                i / 10_000 % 1000 + i % 1000,
                i % 100,
                i % 97,
                i % 1000,
                i % 100,
                if bad { 32 } else { 1 + i % 28 },
            ));
        }
    }
    out
}

fn main() {
    let clients: usize = std::env::var("KARTOTEKA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let today = Date::from_ymd(2026, 12, 4).expect("a date");
    let demo = kartoteka::demo::generate(2_000, today, 1);
    let summaries: Vec<ClientSummary> = demo.clients.iter().map(ClientSummary::of).collect();
    let text = file(clients, &summaries);
    let bytes = encode_windows_1251(&text).expect("Windows-1251 text");
    if let Ok(path) = std::env::var("KARTOTEKA_BENCH_WRITE") {
        std::fs::write(&path, &bytes).expect("writing the file");
        println!("wrote {path}");
    }
    let users: Vec<_> = demo.users.iter().map(|u| u.entry.clone()).collect();
    let by = demo.user("orlova").expect("the supervisor").id.clone();
    let actor = actor_for(&by, *b"bench\0\0\0").expect("a UUID");

    let mut previews = Vec::new();
    let mut applies = Vec::new();
    let mut last = None;
    for _ in 0..REPETITIONS {
        let started = Instant::now();
        let table = read_csv(&bytes).expect("a CSV file").table;
        let mapping = ColumnMapping::guess(&table).expect("a header");
        let base = ImportBase::new(&summaries, &users);
        let p = preview(&table, &mapping, OnBadValue::SkipRow, &base);
        previews.push(started.elapsed());

        let started = Instant::now();
        let at = Timestamp(1_796_000_000_000);
        let mut saved = 0usize;
        for planned in &p.new {
            let doc = new_client(&planned.client, ClientId::random(), &by, at, today, new_id);
            let summary = ClientSummary::of(&doc);
            let mut document = ClientDocument::create(&doc, actor.clone(), at).expect("a document");
            saved += document.save().len() + summary.contacts.len();
        }
        for planned in &p.joining {
            let Some(join) = &planned.joins else { continue };
            let Some(doc) = demo.clients.iter().find(|d| d.id == join.client_id) else {
                continue;
            };
            let mut doc = doc.clone();
            black_box(join_client(&mut doc, &planned.client, at, new_id));
        }
        applies.push(started.elapsed());
        black_box(saved);
        last = Some(p);
    }
    let p = last.expect("a run");
    println!(
        "{clients} clients, {} rows ({} KB, Windows-1251) against 2,000 clients: {} new ({} contacts), {} joining, {} unchanged, {} rows refused",
        p.total_rows,
        bytes.len() / 1024,
        p.new.len(),
        p.new.iter().map(|c| c.client.contacts.len()).sum::<usize>(),
        p.joining.len(),
        p.unchanged.len(),
        p.refused.len(),
    );
    report("read + map + preview", &mut previews);
    report("apply (documents made and saved)", &mut applies);
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    println!(
        "{what}: median {:.0} ms, best {:.0} ms",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
}
