//! The import as a manager meets it: files from 1C and Excel in their
//! usual encodings and shapes, matched against a small client base.

use proptest::prelude::*;

use super::*;
use crate::client::{Card, PotentialClient};
use crate::summary::ClientSummary;

fn user() -> UserId {
    UserId("00000000-0000-4000-8000-000000000001".into())
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).expect("a real date")
}

fn id(s: &str) -> ClientId {
    ClientId(s.to_owned())
}

fn doc(client: &str, form: &str, name: &str, inn: &str) -> ClientDoc {
    let card = Card {
        name: name.to_owned(),
        legal_form: form.to_owned(),
        inn: inn.to_owned(),
        created: date(2024, 1, 10),
        created_by: user(),
        ..Card::default()
    };
    ClientDoc::new(id(client), card, None, &user(), Timestamp(1))
}

fn payment(document: &str, on: Date, kopecks: i64) -> Payment {
    Payment {
        id: format!("p-{document}"),
        date: on,
        amount: Money(kopecks),
        document: document.to_owned(),
        source: FactSource::Manual,
        by: user(),
        at: Timestamp(2),
        deleted: None,
    }
}

/// The base the stories import into.
fn base() -> Vec<ClientDoc> {
    let mut vector = doc("vector", "ООО", "Вектор", "7707083893");
    vector
        .payments
        .insert("p-П-100".into(), payment("П-100", date(2025, 2, 1), 10_000));
    vector.shipments.insert(
        "s1".into(),
        Shipment {
            id: "s1".into(),
            date: date(2025, 2, 2),
            amount: Money(10_000),
            document: "О-200".into(),
            source: FactSource::Import,
            by: user(),
            at: Timestamp(3),
            deleted: None,
        },
    );
    let mut merged = doc("old-vector", "ООО", "Вектор", "7707083893");
    merged.merged_into = Some(id("vector"));
    let mut potential = doc("potential", "", "Ромашка", "");
    potential.potential = Some(PotentialClient {
        full_name: "Иван Петров".into(),
        company: "Ромашка".into(),
        ..PotentialClient::default()
    });
    vec![
        vector,
        merged,
        potential,
        doc("granit", "АО", "Гранит", ""),
        doc("alfa-1", "ООО", "Альфа", "5001000001"),
        doc("alfa-2", "ЗАО", "Альфа", ""),
        doc("bereg", "ООО", "Зелёный берег", ""),
        doc("delta", "ООО", "Дельта", "6601000001"),
        doc("tsj", "ТСЖ", "Ромашка", ""),
    ]
}

fn directory() -> ClientDirectory {
    let summaries: Vec<ClientSummary> = base().iter().map(ClientSummary::of).collect();
    ClientDirectory::from_summaries(&summaries)
}

fn run(text: &str) -> Preview {
    preview(text.as_bytes(), FactKind::Payment, &directory()).expect("a readable file")
}

fn lines_of(matched: &[Matched]) -> Vec<(usize, &str)> {
    matched
        .iter()
        .map(|m| (m.row.line, m.client.as_str()))
        .collect()
}

/// Every row is in exactly one bucket.
fn assert_accounted(p: &Preview) {
    assert_eq!(
        p.to_add.len()
            + p.unknown.len()
            + p.ambiguous.len()
            + p.already.len()
            + p.errors.len()
            + p.totals.len(),
        p.total_rows
    );
}

const GOOD: &str = "ИНН;Контрагент;Дата оплаты;Сумма;Номер документа\r\n\
    7707083893;ООО \"Вектор\";05.03.2025;1 234,56;П-101\r\n\
    ;АО «Гранит»;6.3.2025;500;17\r\n\
    ;ООО Зеленый Берег;2025-03-07 0:00:00;1000,5;18\r\n\
    \r\n";

#[test]
fn a_good_file_previews_every_row_for_its_client() {
    let p = run(GOOD);
    assert_eq!(
        (p.encoding, p.separator, p.header_line),
        (Encoding::Utf8, ';', 1)
    );
    assert_eq!(
        lines_of(&p.to_add),
        vec![(2, "vector"), (3, "granit"), (4, "bereg")]
    );
    let first = &p.to_add[0].row;
    assert_eq!(
        first,
        &ImportRow {
            line: 2,
            inn: "7707083893".into(),
            name: "ООО \"Вектор\"".into(),
            date: date(2025, 3, 5),
            amount: Money(123_456),
            document: "П-101".into(),
        }
    );
    assert_eq!(p.to_add[2].row.amount, Money(100_050));
    assert_eq!(p.total_rows, 3);
    assert!(p.unknown.is_empty() && p.errors.is_empty() && p.already.is_empty());
    assert_accounted(&p);
}

#[test]
fn the_same_file_from_1c_in_windows_1251_reads_the_same() {
    let bytes = encode_windows_1251(GOOD).expect("Russian text fits the code page");
    let p = preview(&bytes, FactKind::Payment, &directory()).expect("readable");
    assert_eq!(p.encoding, Encoding::Windows1251);
    let utf8 = run(GOOD);
    assert_eq!(p.to_add, utf8.to_add);
    assert_eq!(p.header, utf8.header);
}

#[test]
fn a_fixture_saved_by_1c_in_windows_1251_is_read() {
    let bytes = include_bytes!("../../tests/data/payments-1251.csv");
    let p = preview(bytes, FactKind::Payment, &directory()).expect("readable");
    assert_eq!(p.encoding, Encoding::Windows1251);
    assert_eq!(p.header_line, 3, "the report title is skipped");
    assert_eq!(
        lines_of(&p.to_add),
        vec![(4, "vector"), (5, "granit"), (6, "bereg")]
    );
    assert_eq!(p.header[0], "№");
    assert_eq!(p.to_add[1].row.name, "АО «Гранит»");
    assert_eq!(p.to_add[0].row.amount, Money(123_456));
    assert_eq!(p.totals, vec![7]);
    assert_accounted(&p);
}

#[test]
fn utf8_with_a_byte_order_mark_from_excel() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(GOOD.as_bytes());
    let p = preview(&bytes, FactKind::Payment, &directory()).expect("readable");
    assert_eq!(p.encoding, Encoding::Utf8Bom);
    assert_eq!(
        p.header[0], "ИНН",
        "the mark is not part of the first column"
    );
    assert_eq!(p.to_add, run(GOOD).to_add);
}

#[test]
fn comma_separated_with_quoted_amounts_and_names() {
    let p = run("Date,Customer,INN,Amount,Document\n\
         05.03.2025,\"Vector, LLC\",=\"7707083893\",\"1 234,56\",A-1\n\
         06.03.2025,\"АО \"\"Гранит\"\"\",,\"2,000.00\",A-2\n");
    assert_eq!(p.separator, ',');
    assert_eq!(lines_of(&p.to_add), vec![(2, "vector"), (3, "granit")]);
    assert_eq!(p.to_add[0].row.amount, Money(123_456));
    assert_eq!(p.to_add[1].row.name, "АО \"Гранит\"");
    assert_eq!(p.to_add[1].row.amount, Money(200_000));
}

#[test]
fn tab_separated_as_excel_saves_unicode_text() {
    let text = "Клиент\tИНН\tДата\tСумма\t№\nДельта\t6601000001\t05.03.25\t1\u{A0}000,00\t9\n";
    let p = run(text);
    assert_eq!(p.separator, '\t');
    assert_eq!(lines_of(&p.to_add), vec![(2, "delta")]);
    // Excel's "Unicode text" is the same in UTF-16 with a mark.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let p16 = preview(&utf16, FactKind::Payment, &directory()).expect("readable");
    assert_eq!(
        (p16.encoding, p16.to_add.clone()),
        (Encoding::Utf16Le, p.to_add)
    );
}

#[test]
fn bad_dates_and_amounts_are_row_errors_on_their_lines_beside_good_rows() {
    let p = run("ИНН;Дата;Сумма;Номер\n\
         7707083893;31.02.2025;100;1\n\
         7707083893;05.03.2025;сто рублей;2\n\
         \n\
         7707083893;05.03.2025;-100;3\n\
         7707083893;05.03.2025;0;4\n\
         7707083893;05.03.2025;10,555;5\n\
         77070838;05.03.2025;100;6\n\
         7707083893;;100;7\n\
         7707083893;05.03.2025\n\
         ;05.03.2025;100;9\n\
         7707083893;01.13.2025;12.3.4;10\n\
         7707083893;05.03.2025;100;11\n");
    let errors: Vec<(usize, Vec<RowProblem>)> = p
        .errors
        .iter()
        .map(|e| (e.line, e.problems.clone()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, vec![RowProblem::BadDate("31.02.2025".into())]),
            (3, vec![RowProblem::BadAmount("сто рублей".into())]),
            (5, vec![RowProblem::NotPositive("-100".into())]),
            (6, vec![RowProblem::NotPositive("0".into())]),
            (7, vec![RowProblem::TooManyDecimals("10,555".into())]),
            (8, vec![RowProblem::BadInn("77070838".into())]),
            (9, vec![RowProblem::Missing(Column::Date)]),
            (10, vec![RowProblem::Missing(Column::Amount)]),
            (11, vec![RowProblem::NoClient]),
            (
                12,
                vec![
                    RowProblem::BadDate("01.13.2025".into()),
                    RowProblem::BadAmount("12.3.4".into())
                ]
            ),
        ]
    );
    assert_eq!(p.errors[0].cells[0], "7707083893");
    assert_eq!(lines_of(&p.to_add), vec![(13, "vector")]);
    assert_eq!(p.total_rows, 11);
    assert_accounted(&p);
}

#[test]
fn rows_of_clients_not_in_the_base_are_unknown() {
    let p = run("ИНН;Наименование;Дата;Сумма;Номер\n\
         7700000000;ООО Неизвестно;05.03.2025;100;1\n\
         ;ИП Сидоров;05.03.2025;100;2\n\
         7700000000;АО Гранит;05.03.2025;100;3\n\
         7700000000;ООО Дельта;05.03.2025;100;4\n\
         ;Ромашка;05.03.2025;100;5\n");
    // An unknown INN still finds by name a client with no INN on its card
    // (Гранит), never one with another INN (Дельта). The potential client
    // "Ромашка" is no candidate, so the ТСЖ «Ромашка» is the only one.
    assert_eq!(lines_of(&p.to_add), vec![(4, "granit"), (6, "tsj")]);
    let unknown: Vec<usize> = p.unknown.iter().map(|r| r.line).collect();
    assert_eq!(unknown, vec![2, 3, 5]);
    // A legal form search does not know is read as part of the name.
    let p = run("Клиент;Дата;Сумма;Номер\nТСЖ «Ромашка»;05.03.2025;100;1\n");
    assert_eq!(lines_of(&p.to_add), vec![(2, "tsj")]);
}

#[test]
fn merged_clients_are_not_matched_so_the_survivor_is() {
    let p = run("ИНН;Дата;Сумма;Номер\n7707083893;05.03.2025;100;1\n");
    assert_eq!(lines_of(&p.to_add), vec![(2, "vector")]);
}

#[test]
fn a_name_of_several_clients_is_ambiguous_and_names_them() {
    let p = run("ИНН;Клиент;Дата;Сумма;Номер\n\
         ;Альфа;05.03.2025;100;1\n\
         5001000001;ООО «Альфа»;05.03.2025;100;2\n\
         5009999999;Альфа;05.03.2025;100;3\n");
    assert_eq!(p.ambiguous.len(), 1);
    assert_eq!(p.ambiguous[0].row.line, 2);
    assert_eq!(p.ambiguous[0].candidates, vec![id("alfa-1"), id("alfa-2")]);
    // The INN decides; an unknown INN leaves only the Альфа with no INN.
    assert_eq!(lines_of(&p.to_add), vec![(3, "alfa-1"), (4, "alfa-2")]);
}

#[test]
fn already_imported_rows_say_where_their_fact_is() {
    let p = run("ИНН;Дата;Сумма;Номер\n\
         7707083893;05.03.2025;100;П-100\n\
         7707083893;05.03.2025;100;П-101\n\
         7707083893;06.03.2025;200;П-101\n\
         7707083893;05.03.2025;100;О-200\n\
         ;05.03.2025;100;П-101\n");
    let already: Vec<(usize, DuplicateOf)> = p.already.iter().map(|d| (d.row.line, d.of)).collect();
    assert_eq!(
        already,
        vec![(2, DuplicateOf::Existing), (4, DuplicateOf::Line(3))]
    );
    // О-200 is a shipment's number, not a payment's.
    assert_eq!(lines_of(&p.to_add), vec![(3, "vector"), (5, "vector")]);
    let shipments = preview(
        "ИНН;Дата;Сумма;Номер\n7707083893;05.03.2025;100;О-200\n".as_bytes(),
        FactKind::Shipment,
        &directory(),
    )
    .expect("readable");
    assert_eq!(shipments.already[0].of, DuplicateOf::Existing);
}

#[test]
fn rows_without_a_number_are_duplicates_by_date_and_amount() {
    let p = run("Клиент;Дата;Сумма;Номер\n\
         Гранит;05.03.2025;100;\n\
         Гранит;05.03.2025;100,00;\n\
         Гранит;05.03.2025;200;\n\
         Гранит;06.03.2025;100;\n");
    assert_eq!(p.already.len(), 1);
    assert_eq!(
        (p.already[0].row.line, p.already[0].of),
        (3, DuplicateOf::Line(2))
    );
    assert_eq!(p.to_add.len(), 3);
}

#[test]
fn a_header_without_a_column_is_refused_naming_it() {
    let err = preview(
        "ИНН;Дата;Комментарий;Номер\n7707083893;05.03.2025;x;1\n".as_bytes(),
        FactKind::Payment,
        &directory(),
    )
    .expect_err("no amount column");
    assert_eq!(
        err,
        FileError::MissingColumns {
            missing: vec![MissingColumn::Amount],
            header: vec![
                "ИНН".into(),
                "Дата".into(),
                "Комментарий".into(),
                "Номер".into()
            ],
        }
    );
    assert_eq!(
        err.to_string(),
        "the header row lacks the columns: amount; found: ИНН | Дата | Комментарий | Номер"
    );
    let err = preview(
        "Дата,Сумма,Номер\n05.03.2025,1,2\n".as_bytes(),
        FactKind::Payment,
        &directory(),
    )
    .expect_err("no client column");
    assert!(matches!(
        err,
        FileError::MissingColumns { ref missing, .. } if missing == &[MissingColumn::Client]
    ));
    // A file with no recognisable header shows its first line, split.
    let err = preview("a,b,c\n1,2,3\n".as_bytes(), FactKind::Payment, &directory())
        .expect_err("no header");
    assert!(matches!(
        err,
        FileError::MissingColumns { ref header, ref missing }
            if header == &["a", "b", "c"] && missing.len() == 4
    ));
}

#[test]
fn an_empty_file_is_refused() {
    for empty in [
        &b""[..],
        b"\r\n\r\n",
        b"\xEF\xBB\xBF",
        b"  \n",
        b";;;\n;;\n",
    ] {
        assert_eq!(
            preview(empty, FactKind::Payment, &directory()),
            Err(FileError::Empty),
            "{empty:?}"
        );
    }
    // A header and nothing else is a file with no rows.
    let p = run("ИНН;Дата;Сумма;Номер\n");
    assert_eq!(p.total_rows, 0);
}

#[test]
fn binary_garbage_and_workbooks_are_refused_clearly() {
    let mut garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        preview(&garbage, FactKind::Payment, &directory()),
        Err(FileError::NotText)
    );
    garbage[0] = 0xEF;
    garbage[1] = 0xBB;
    garbage[2] = 0xBF;
    assert_eq!(
        preview(&garbage, FactKind::Payment, &directory()),
        Err(FileError::NotText)
    );
    assert_eq!(
        preview(b"PK\x03\x04\x14\x00", FactKind::Payment, &directory()),
        Err(FileError::Spreadsheet)
    );
    // UTF-16 without its mark has a NUL in every other byte.
    let utf16: Vec<u8> = "Дата;Сумма"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(
        preview(&utf16, FactKind::Payment, &directory()),
        Err(FileError::NotText)
    );
}

#[test]
fn a_report_title_before_the_header_and_total_rows_are_skipped() {
    let p = run("Отчёт по оплатам за март 2025\n\
         \n\
         Контрагент;Дата;Сумма;Документ\n\
         Гранит;05.03.2025;100;1\n\
         Итого;;100;\n");
    assert_eq!(p.header_line, 3);
    assert_eq!(lines_of(&p.to_add), vec![(4, "granit")]);
    assert_eq!(p.totals, vec![5]);
    assert_accounted(&p);
}

#[test]
fn an_unclosed_quote_is_an_error_on_its_row() {
    let p = run("Клиент;Дата;Сумма;Номер\nГранит;05.03.2025;100;1\n\"Гранит;05.03.2025;100;2\n");
    assert_eq!(lines_of(&p.to_add), vec![(2, "granit")]);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 3);
    assert!(p.errors[0].problems.contains(&RowProblem::UnclosedQuote));
}

#[test]
fn confirmed_rows_become_facts_that_are_added_once() {
    let text = "ИНН;Клиент;Дата;Сумма;Номер\n\
         7707083893;;05.03.2025;100;П-101\n\
         ;Гранит;06.03.2025;250,50;\n\
         7707083893;;07.03.2025;300;П-102\n";
    let p = run(text);
    let mut n = 0;
    let facts = facts_by_client(&p, &user(), Timestamp(99), || {
        n += 1;
        format!("id{n}")
    });
    assert_eq!(facts.len(), 2);
    let vector_facts = &facts[&id("vector")];
    assert_eq!(
        vector_facts
            .iter()
            .map(NewFact::document)
            .collect::<Vec<_>>(),
        vec!["П-101", "П-102"]
    );
    let NewFact::Payment(first) = &vector_facts[0] else {
        panic!("a payment file makes payments");
    };
    assert_eq!(
        (first.source, first.at, &first.by, first.amount),
        (FactSource::Import, Timestamp(99), &user(), Money(10_000))
    );

    let mut docs = base();
    let [vector, .., granit] = [0, 3].map(|i| docs[i].clone());
    let (mut vector, mut granit) = (vector, granit);
    assert_eq!(add_facts(&mut vector, vector_facts.clone()), 2);
    assert_eq!(vector.payments.len(), 3);
    assert_eq!(add_facts(&mut granit, facts[&id("granit")].clone()), 1);
    // The same file imported again on this device, with fresh ids.
    let again = facts_by_client(&p, &user(), Timestamp(100), crate::ids::new_id);
    assert_eq!(add_facts(&mut vector, again[&id("vector")].clone()), 0);
    assert_eq!(add_facts(&mut granit, again[&id("granit")].clone()), 0);
    assert_eq!(vector.payments.len(), 3);
    // And the preview after the write (summaries rebuilt) adds nothing.
    docs[0] = vector;
    docs[3] = granit;
    let summaries: Vec<ClientSummary> = docs.iter().map(ClientSummary::of).collect();
    let after = preview(
        text.as_bytes(),
        FactKind::Payment,
        &ClientDirectory::from_summaries(&summaries),
    )
    .expect("readable");
    // The unnumbered row is found again only when written (see module docs).
    assert_eq!(lines_of(&after.to_add), vec![(3, "granit")]);
    assert_eq!(after.already.len(), 2);

    let shipments = preview(text.as_bytes(), FactKind::Shipment, &directory()).expect("readable");
    let facts = facts_by_client(&shipments, &user(), Timestamp(1), crate::ids::new_id);
    assert!(matches!(facts[&id("vector")][0], NewFact::Shipment(_)));
}

/// An amount written the way people and programs write it.
fn written(kopecks: i64, style: u8, group: &str, suffix: &str) -> String {
    let roubles = (kopecks / 100).to_string();
    let cents = kopecks % 100;
    let (thousands, decimal) = match style % 4 {
        0 => (group, ","),
        1 => (group, "."),
        2 => (",", "."),
        _ => (".", ","),
    };
    let mut grouped = String::new();
    for (i, c) in roubles.chars().enumerate() {
        if i > 0 && (roubles.len() - i).is_multiple_of(3) {
            grouped.push_str(thousands);
        }
        grouped.push(c);
    }
    if cents == 0 && style.is_multiple_of(2) {
        format!("{grouped}{suffix}")
    } else {
        format!("{grouped}{decimal}{cents:02}{suffix}")
    }
}

proptest! {
    #[test]
    fn any_bytes_are_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let directory = directory();
        let _ = preview(&bytes, FactKind::Payment, &directory);
    }

    #[test]
    fn any_text_with_a_header_is_read_without_panicking(
        body in "[0-9а-яА-ЯёЁ;,\\t\"\\r\\n .=/'-]{0,300}"
    ) {
        let text = format!("ИНН;Клиент;Дата;Сумма;Номер\n{body}");
        let p = preview(text.as_bytes(), FactKind::Shipment, &directory());
        let p = p.expect("the header is there");
        assert_accounted(&p);
    }

    #[test]
    fn a_written_amount_reads_back_to_the_same_kopecks(
        kopecks in 1i64..100_000_000_000_000,
        style in 0u8..4,
        group in prop::sample::select(vec!["", " ", "\u{A0}", "\u{202F}"]),
        suffix in prop::sample::select(vec!["", " руб.", " р.", "р", " ₽"]),
    ) {
        let text = written(kopecks, style, group, suffix);
        prop_assert_eq!(parse_amount(&text), Ok(Money(kopecks)), "{}", text);
    }
}
