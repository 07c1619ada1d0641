//! The parsers that read bytes from outside — the sync frames a device
//! sends, the bootstrap bundle the relay sends, the CSV file a manager
//! imports, the facts file `kartoteka evaluate` reads — fed arbitrary bytes
//! and damaged valid inputs: none panics, each answers with an error or a
//! result.
//!
//! Every property runs a fixed number of cases (`CASES`, `LARGE_CASES` for
//! the large inputs, or `FUZZ_CASES` from the environment for a longer
//! run), so the test command stays fast; proptest's shrinking and its regressions file work as for
//! every other property test.

use kartoteka::api::{BundleEntry, BundleKind, decode_bundle, encode_bundle};
use kartoteka::import::{ClientDirectory, FactKind, preview};
use kartoteka::rules::evaluate::evaluate_json;
use kartoteka::summary::ClientSummary;
use kartoteka::sync::{DEFAULT_MAX_FRAME, DocumentId, Message, PeerId, decode, encode};
use proptest::prelude::*;

/// Cases per property in the test command.
const CASES: u32 = 2_000;
/// Cases of the properties whose inputs are large (frames of up to 100,000
/// bytes, whole CSV files in three encodings).
const LARGE_CASES: u32 = 300;

fn config() -> ProptestConfig {
    config_of(CASES)
}

fn config_of(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        // Arbitrary bytes are seldom rejected; no local rejects are used.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Arbitrary bytes, mostly short, sometimes a few kilobytes.
fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..64),
        1 => prop::collection::vec(any::<u8>(), 0..4096),
    ]
}

/// One way to damage a valid input.
#[derive(Debug, Clone)]
enum Damage {
    /// Cut it short.
    Truncate(prop::sample::Index),
    /// Flip one bit.
    Flip(prop::sample::Index, u8),
    /// Overwrite one byte.
    Set(prop::sample::Index, u8),
    /// Put bytes in.
    Insert(prop::sample::Index, Vec<u8>),
    /// Take a stretch out.
    Remove(prop::sample::Index, prop::sample::Index),
    /// Repeat a stretch.
    Repeat(prop::sample::Index, prop::sample::Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        at().prop_map(Damage::Truncate),
        (at(), 0u8..8).prop_map(|(i, b)| Damage::Flip(i, b)),
        (at(), any::<u8>()).prop_map(|(i, b)| Damage::Set(i, b)),
        (at(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Damage::Insert(i, b)),
        (at(), at()).prop_map(|(a, b)| Damage::Remove(a, b)),
        (at(), at()).prop_map(|(a, b)| Damage::Repeat(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    let range = |a: &prop::sample::Index, b: &prop::sample::Index| {
        let (a, b) = (a.index(len), b.index(len));
        (a.min(b), a.max(b) + 1)
    };
    match damage {
        Damage::Truncate(at) => bytes.truncate(at.index(len)),
        Damage::Flip(at, bit) => bytes[at.index(len)] ^= 1 << bit,
        Damage::Set(at, b) => bytes[at.index(len)] = *b,
        Damage::Insert(at, more) => {
            let at = at.index(len + 1);
            bytes.splice(at..at, more.iter().copied());
        }
        Damage::Remove(a, b) => {
            let (from, to) = range(a, b);
            bytes.drain(from..to);
        }
        Damage::Repeat(a, b) => {
            let (from, to) = range(a, b);
            let stretch = bytes[from..to].to_vec();
            bytes.splice(to..to, stretch);
        }
    }
}

fn damaged(valid: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    let mut bytes = valid;
    for d in damages {
        apply(&mut bytes, d);
    }
    bytes
}

// --- sync frames -----------------------------------------------------------

fn peer() -> impl Strategy<Value = PeerId> {
    "[a-z0-9-]{0,12}".prop_map(PeerId)
}

fn frame_message() -> impl Strategy<Value = Message> {
    let doc = any::<[u8; 16]>().prop_map(DocumentId::from_bytes);
    let data = prop::collection::vec(any::<u8>(), 0..200);
    prop_oneof![
        (peer(), peer(), doc.clone(), data.clone()).prop_map(|(s, t, d, data)| Message::Sync {
            sender_id: s,
            target_id: t,
            document_id: d,
            data,
        }),
        (peer(), peer(), doc.clone(), data).prop_map(|(s, t, d, data)| Message::Request {
            sender_id: s,
            target_id: t,
            document_id: d,
            data,
        }),
        (peer(), peer(), any::<u64>()).prop_map(|(s, t, cursor)| Message::KtHello {
            sender_id: s,
            target_id: t,
            cursor,
        }),
        (
            peer(),
            peer(),
            prop::collection::vec(doc, 0..4),
            any::<u64>()
        )
            .prop_map(|(s, t, ids, cursor)| Message::KtChanged {
                sender_id: s,
                target_id: t,
                document_ids: ids,
                cursor,
                server_time: 1,
            }),
        peer().prop_map(|s| Message::Leave { sender_id: s }),
    ]
}

/// CBOR heads that declare far more than the frame holds, or nest deeper
/// than any message: what a hostile peer sends first.
fn hostile_frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // A byte string, text, array or map claiming 2^64 - 1 items/bytes.
        prop::sample::select(vec![0x5bu8, 0x7b, 0x9b, 0xbb]).prop_map(|head| {
            let mut f = vec![head];
            f.extend_from_slice(&u64::MAX.to_be_bytes());
            f
        }),
        // A map whose `type` is followed by a string claiming 4 GiB.
        Just({
            let mut f = vec![
                0xa2, 0x64, b't', b'y', b'p', b'e', 0x64, b's', b'y', b'n', b'c',
            ];
            f.extend_from_slice(&[0x64, b'd', b'a', b't', b'a', 0x5a, 0xff, 0xff, 0xff, 0xff]);
            f
        }),
        // Arrays or maps nested a hundred thousand deep.
        (
            prop::sample::select(vec![0x81u8, 0x9f, 0xa1]),
            1usize..100_000
        )
            .prop_map(|(head, depth)| vec![head; depth]),
        // Indefinite-length strings of definite chunks that never end.
        (1usize..10_000).prop_map(|n| {
            let mut f = vec![0x5f];
            f.extend(std::iter::repeat_n([0x41, 0x00], n).flatten());
            f
        }),
        // Tags around tags.
        (1usize..100_000).prop_map(|n| vec![0xc6; n]),
    ]
}

// --- the bootstrap bundle ----------------------------------------------------

fn bundle_entries() -> impl Strategy<Value = Vec<BundleEntry>> {
    let entry = (
        any::<bool>(),
        "\\PC{0,20}",
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(any::<u8>(), 0..128),
    )
        .prop_map(|(workspace, id, summary, doc)| BundleEntry {
            kind: if workspace {
                BundleKind::Workspace
            } else {
                BundleKind::Client
            },
            id,
            summary,
            doc,
        });
    prop::collection::vec(entry, 0..6)
}

/// What the app does with a bundle it downloaded: read it, then each
/// client's summary (a bad one is skipped, never trusted).
fn read_bundle_as_the_app_does(bytes: &[u8]) {
    if let Ok(entries) = decode_bundle(bytes) {
        for e in entries.iter().filter(|e| e.kind == BundleKind::Client) {
            let _ = serde_json::from_slice::<ClientSummary>(&e.summary);
        }
    }
}

// --- the CSV import ------------------------------------------------------------

/// A cell of an accounting export: digits, dates, amounts, Cyrillic names,
/// quotes and separators in odd places.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,12}",
        "[0-3]?[0-9]\\.[01]?[0-9]\\.(19|20)?[0-9]{2}",
        "-?[0-9 ]{1,9}([,.][0-9]{0,3})?( руб\\.)?",
        "(ООО|ИП|АО) \"?[А-Яа-я ]{0,16}\"?",
        "\\PC{0,12}",
        "[\";,\\t\\r\\n]{1,3}",
    ]
}

fn csv_file() -> impl Strategy<Value = Vec<u8>> {
    let header = prop::sample::subsequence(
        vec![
            "ИНН",
            "Клиент",
            "Контрагент",
            "Дата",
            "Сумма",
            "Номер",
            "Документ",
            "Итого",
        ],
        0..7,
    );
    let rows = prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..12);
    (
        header,
        rows,
        prop::sample::select(vec![";", ",", "\t"]),
        prop::sample::select(vec!["\n", "\r\n"]),
        0u8..3,
    )
        .prop_map(|(header, rows, sep, eol, encoding)| {
            let mut text = header.join(sep);
            for row in rows {
                text.push_str(eol);
                text.push_str(&row.join(sep));
            }
            match encoding {
                // Windows-1251, as 1C writes it (characters it lacks dropped).
                0 => text
                    .chars()
                    .filter_map(|c| kartoteka::import::encode_windows_1251(&c.to_string()).ok())
                    .flatten()
                    .collect(),
                // UTF-8 with a byte-order mark.
                1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                // UTF-16 little-endian with a byte-order mark.
                _ => [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect(),
            }
        })
}

fn import(bytes: &[u8]) {
    let directory = ClientDirectory::from_summaries(&[]);
    for kind in [FactKind::Payment, FactKind::Shipment] {
        let _ = preview(bytes, kind, &directory);
    }
}

// --- the evaluate input ------------------------------------------------------

const FACTS: &str = r#"{
  "settings": { "status_period_days": 30, "zone_months": [1, 5, 6] },
  "clients": [
    { "id": "c1", "created": "2026-01-10", "responsible": "m1",
      "interests": [ { "id": "i1", "created": "2026-01-12",
                       "completed": "2026-02-01", "outcome": "success" } ],
      "payments":  [ { "date": "2026-02-03", "amount": 1000.0 } ],
      "shipments": [ { "date": "2026-02-05" } ],
      "events":    [ { "date": "2026-03-01", "kind": "call" } ],
      "assignments": [ { "date": "2026-01-10", "manager": "m1" } ],
      "manual_statuses": [ { "date": "2026-04-01", "status": "alien" } ] },
    { "id": "c2", "created": "2025-12-31" } ]
}"#;

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
}

/// JSON-ish text: the tokens the reader expects, in any order.
fn json_tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"id\"",
            "\"clients\"",
            "\"settings\"",
            "\"created\"",
            "\"2026-02-30\"",
            "\"2026-01-10\"",
            "\"interests\"",
            "\"payments\"",
            "\"amount\"",
            "-1",
            "1e309",
            "18446744073709551616",
            "null",
            "true",
            "\"\\ud800\"",
            "\"\u{0}\"",
        ]),
        0..40,
    )
    .prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_as_a_sync_frame_are_an_error_or_a_message(bytes in any_bytes()) {
        let _ = decode(&bytes, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn a_damaged_sync_frame_never_panics(
        m in frame_message(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let _ = decode(&damaged(encode(&m), &damages), DEFAULT_MAX_FRAME);
    }

    #[test]
    fn arbitrary_bytes_as_a_bundle_never_panic(bytes in any_bytes(), magic in any::<bool>()) {
        // Half the inputs start like a bundle, so the reader gets past the
        // first check.
        let bytes = if magic { [&b"KTKB1"[..], &bytes].concat() } else { bytes };
        prop_assert!(magic || decode_bundle(&bytes).is_err() || bytes.starts_with(b"KTKB1"));
        read_bundle_as_the_app_does(&bytes);
    }

    #[test]
    fn a_damaged_bundle_is_an_error_or_reads_whole(
        entries in bundle_entries(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let valid = encode_bundle(&entries);
        let bytes = damaged(valid.clone(), &damages);
        match decode_bundle(&bytes) {
            // Whatever reads back must be a well-formed bundle of its own.
            Ok(read) => prop_assert_eq!(&encode_bundle(&read), &bytes),
            Err(_) => prop_assert_ne!(&bytes, &valid),
        }
        read_bundle_as_the_app_does(&bytes);
    }

    #[test]
    fn a_bundle_entry_claiming_4_gib_is_truncated(
        entries in bundle_entries(),
        field in 0usize..3,
    ) {
        let mut bytes = encode_bundle(&entries);
        bytes.pop(); // the end byte
        bytes.push(BundleKind::Client as u8);
        match field {
            0 => bytes.extend_from_slice(&u16::MAX.to_le_bytes()),
            1 => bytes.extend_from_slice(&[0, 0, 0xff, 0xff, 0xff, 0xff]),
            _ => bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
        }
        prop_assert!(decode_bundle(&bytes).is_err());
    }

    #[test]
    fn arbitrary_bytes_as_a_csv_file_never_panic(bytes in any_bytes()) {
        import(&bytes);
    }

    #[test]
    fn arbitrary_text_as_a_facts_file_never_panics(text in "\\PC{0,200}") {
        // Only text that opens an object can be a facts file.
        let object = text.trim_start().starts_with('{');
        prop_assert!(evaluate_json(&text, as_of()).is_err() || object);
    }

    #[test]
    fn json_tokens_in_any_order_as_a_facts_file_never_panic(text in json_tokens()) {
        let _ = evaluate_json(&text, as_of());
    }

    #[test]
    fn a_damaged_facts_file_never_panics(damages in prop::collection::vec(damage(), 1..4)) {
        let bytes = damaged(FACTS.as_bytes().to_vec(), &damages);
        // The command line reads the file as UTF-8 first.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = evaluate_json(text, as_of());
        }
    }
}

proptest! {
    #![proptest_config(config_of(LARGE_CASES))]

    #[test]
    fn a_hostile_sync_frame_is_refused(frame in hostile_frame(), tail in any_bytes()) {
        prop_assert!(decode(&frame, DEFAULT_MAX_FRAME).is_err());
        let with_tail = [frame, tail].concat();
        let _ = decode(&with_tail, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn an_accounting_export_with_odd_cells_never_panics(
        file in csv_file(),
        damages in prop::collection::vec(damage(), 0..3),
    ) {
        import(&damaged(file, &damages));
    }
}

#[test]
fn the_valid_inputs_the_damage_starts_from_are_read() {
    assert!(
        evaluate_json(FACTS, as_of()).is_ok(),
        "{:?}",
        evaluate_json(FACTS, as_of())
    );
    let file = "ИНН;Клиент;Дата;Сумма;Номер\n7707083893;ООО \"Вектор\";05.03.2025;1 234,56;17\n";
    let directory = ClientDirectory::from_summaries(&[]);
    assert!(preview(file.as_bytes(), FactKind::Payment, &directory).is_ok());
}
