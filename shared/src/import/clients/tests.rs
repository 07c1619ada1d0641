#![allow(clippy::unwrap_used)]

use super::*;
use crate::client::Card;
use crate::import::encode_windows_1251;
use crate::workspace::Role;

const VECTOR_INN: &str = "7707083893";
const ALPHA_INN: &str = "7736207543";

fn today() -> Date {
    Date::from_ymd(2026, 12, 4).unwrap()
}

fn anna() -> UserEntry {
    UserEntry {
        id: UserId("u-anna".into()),
        login: "anna".into(),
        name: "Анна Смирнова".into(),
        role: Role::Manager,
        active: true,
    }
}

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("e{n}")
    }
}

fn existing(id: &str, name: &str, inn: &str, phone: &str) -> ClientDoc {
    let card = Card {
        name: name.into(),
        inn: inn.into(),
        created: today(),
        ..Card::default()
    };
    let mut doc = ClientDoc::new(ClientId(id.into()), card, None, &anna().id, Timestamp(0));
    if !phone.is_empty() {
        let p = PhoneEntry {
            id: "p1".into(),
            number: phone.into(),
            ..PhoneEntry::default()
        };
        doc.card.phones.insert(p.id.clone(), p);
    }
    doc
}

fn preview_of(
    text: &str,
    on_bad: OnBadValue,
    docs: &[ClientDoc],
) -> (ClientPreview, Vec<ClientSummary>) {
    let table = read_csv(text.as_bytes()).unwrap().table;
    let mapping = ColumnMapping::guess(&table).unwrap();
    let summaries: Vec<ClientSummary> = docs.iter().map(ClientSummary::of).collect();
    let users = [anna()];
    let base = ImportBase::new(&summaries, &users);
    (preview(&table, &mapping, on_bad, &base), summaries)
}

const HEADER: &str = "Наименование;ИНН;Телефон;E-mail;Ответственный;Контактное лицо;Должность;Телефон контакта;E-mail контакта;День рождения\n";

#[test]
fn rows_with_the_same_inn_or_name_are_one_client_with_several_contacts() {
    let file = format!(
        "{HEADER}\
         ООО «Вектор»;{VECTOR_INN};+7 495 111-22-33;info@vector.ru;anna;Иван Петров;Директор;+7 916 000-00-01;ivan@vector.ru;01.02.1975\n\
         Вектор;{VECTOR_INN};;;;Мария Сидорова;Бухгалтер;+7 916 000-00-02;;\n\
         \n\
         ИП Козлов;;8 (812) 555-00-00;;Анна  смирнова;Пётр Козлов;;;;\n\
         ИП Козлов;;;;;Ольга Козлова;;;;\n"
    );
    let (p, _) = preview_of(&file, OnBadValue::SkipRow, &[]);
    assert_eq!(p.total_rows, 4);
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    assert_eq!(p.new.len(), 2);
    let vector = &p.new[0].client;
    assert_eq!(vector.lines, vec![2, 3]);
    assert_eq!(
        (vector.legal_form.as_str(), vector.name.as_str()),
        ("ООО", "Вектор")
    );
    assert_eq!(vector.inn.as_ref().unwrap().as_str(), VECTOR_INN);
    assert_eq!(vector.responsible, Some(anna().id));
    let names: Vec<&str> = vector
        .contacts
        .iter()
        .map(|c| c.full_name.as_str())
        .collect();
    assert_eq!(names, vec!["Иван Петров", "Мария Сидорова"]);
    assert_eq!(vector.contacts[0].birthday, Date::from_ymd(1975, 2, 1));
    let kozlov = &p.new[1].client;
    assert_eq!(kozlov.lines, vec![5, 6]);
    assert_eq!(kozlov.legal_form, "ИП");
    assert_eq!(kozlov.contacts.len(), 2);
    // The responsible by full name, case and spacing aside.
    assert_eq!(kozlov.responsible, Some(anna().id));
    assert_eq!(p.contacts_added(), 4);
}

#[test]
fn a_client_already_in_the_base_is_joined_by_inn_and_gets_only_what_it_lacks() {
    let base = [existing(
        "c-vector",
        "Вектор",
        VECTOR_INN,
        "+7 495 111-22-33",
    )];
    let file = format!(
        "{HEADER}\
         ООО Вектор плюс;{VECTOR_INN};8 495 111 22 33;sales@vector.ru;;Иван Петров;;;;\n"
    );
    let (p, _) = preview_of(&file, OnBadValue::SkipRow, &base);
    assert!(p.new.is_empty());
    assert_eq!(p.joining.len(), 1);
    let join = p.joining[0].joins.as_ref().unwrap();
    assert_eq!(join.client_id, ClientId("c-vector".into()));
    assert_eq!(join.name, "Вектор");
    assert!(matches!(join.reason, Reason::SameInn { .. }));
    // The phone is the same number written otherwise: only the e-mail and
    // the contact are new.
    assert_eq!(
        p.joining[0].adds,
        Additions {
            contacts: 1,
            phones: 0,
            emails: 1
        }
    );
}

#[test]
fn a_client_without_inn_is_joined_by_a_phone_of_the_base() {
    let base = [existing("c-alpha", "Альфа-Строй", "", "+7 (343) 222-33-44")];
    let file = "Клиент;Телефон;Контактное лицо\nСтройальянс;8 343 222 33 44;Олег\n";
    let (p, _) = preview_of(file, OnBadValue::SkipRow, &base);
    assert_eq!(p.joining.len(), 1, "{p:?}");
    let join = p.joining[0].joins.as_ref().unwrap();
    assert_eq!(join.client_id, ClientId("c-alpha".into()));
    assert!(matches!(join.reason, Reason::SamePhone { .. }));
}

#[test]
fn a_client_with_another_inn_is_not_joined_by_name() {
    let base = [existing("c-vector", "Вектор", VECTOR_INN, "")];
    let file = format!("Наименование;ИНН\nВектор;{ALPHA_INN}\n");
    let (p, _) = preview_of(&file, OnBadValue::SkipRow, &base);
    assert_eq!(p.new.len(), 1);
    assert!(p.joining.is_empty() && p.unchanged.is_empty());
}

#[test]
fn bad_inn_phone_and_email_are_reported_with_line_and_column() {
    let file = format!(
        "{HEADER}\
         Вектор;7707083894;+7 495 111-22-33;info@vector.ru;;;;;;\n\
         Альфа;{ALPHA_INN};12;info@alpha;;Олег;;;;\n\
         ;;;;;Без клиента;;;;\n"
    );
    let (p, _) = preview_of(&file, OnBadValue::SkipRow, &[]);
    assert!(p.new.is_empty());
    assert_eq!(p.refused.len(), 3);
    let first = &p.refused[0].problems;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].line, first[0].column), (2, 1));
    assert_eq!(first[0].header, "ИНН");
    assert_eq!(first[0].value, "7707083894");
    assert!(matches!(
        first[0].problem,
        ValueProblem::Inn(InnError::CheckDigit { .. })
    ));
    let second = &p.refused[1].problems;
    assert_eq!(
        second
            .iter()
            .map(|b| (b.line, b.column, b.value.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, 2, "12"), (3, 3, "info@alpha")]
    );
    assert!(matches!(second[0].problem, ValueProblem::Phone(_)));
    assert!(matches!(second[1].problem, ValueProblem::Email(_)));
    assert_eq!(p.refused[2].problems[0].problem, ValueProblem::NoClient);

    // Imported without the bad values, as the user may choose; a row with
    // no client is refused still.
    let (p, _) = preview_of(&file, OnBadValue::DropValue, &[]);
    assert_eq!(p.new.len(), 2);
    assert_eq!(p.refused.len(), 1);
    assert_eq!(p.dropped.len(), 3);
    assert!(p.new[0].client.inn.is_none());
    assert_eq!(p.new[0].client.phones.len(), 1);
    assert!(p.new[1].client.phones.is_empty() && p.new[1].client.emails.is_empty());
    assert_eq!(p.new[1].client.contacts.len(), 1);
}

#[test]
fn an_unknown_responsible_and_a_bad_birthday_are_bad_values() {
    let file = "Клиент;Ответственный;Контактное лицо;Дата рождения\nВектор;boris;Иван;31.02.1980\n";
    let (p, _) = preview_of(file, OnBadValue::SkipRow, &[]);
    let problems: Vec<&ValueProblem> = p.refused[0].problems.iter().map(|b| &b.problem).collect();
    assert_eq!(
        problems,
        vec![&ValueProblem::Birthday, &ValueProblem::UnknownUser]
    );
}

#[test]
fn importing_the_same_file_twice_adds_nothing() {
    let file = format!(
        "{HEADER}\
         ООО «Вектор»;{VECTOR_INN};+7 495 111-22-33;info@vector.ru;anna;Иван Петров;Директор;+7 916 000-00-01;ivan@vector.ru;\n\
         Вектор;{VECTOR_INN};;;;Мария Сидорова;;;;\n\
         Ромашка;;+7 343 000-11-22;;;;;;;\n"
    );
    let (first, _) = preview_of(&file, OnBadValue::SkipRow, &[]);
    assert_eq!(first.new.len(), 2);
    let mut ids = counter();
    let docs: Vec<ClientDoc> = first
        .new
        .iter()
        .enumerate()
        .map(|(i, p)| {
            new_client(
                &p.client,
                ClientId(format!("new-{i}")),
                &anna().id,
                Timestamp(1),
                today(),
                &mut ids,
            )
        })
        .collect();
    assert_eq!(docs[0].contacts.len(), 2);
    assert_eq!(docs[0].card.inn, VECTOR_INN);
    assert_eq!(docs[0].responsible(), Some(&anna().id));
    assert!(crate::client::validate_card(&docs[0].card).is_empty());

    let (second, _) = preview_of(&file, OnBadValue::SkipRow, &docs);
    assert!(
        second.new.is_empty() && second.joining.is_empty(),
        "{second:?}"
    );
    assert_eq!(second.unchanged.len(), 2);
    // And the documents themselves get nothing.
    for (planned, doc) in second.unchanged.iter().zip(&docs) {
        let mut doc = doc.clone();
        assert!(join_client(&mut doc, &planned.client, Timestamp(2), &mut ids).is_empty());
    }
}

#[test]
fn a_file_in_windows_1251_is_read() {
    let text =
        format!("ИНН;Наименование;Контактное лицо\r\n{VECTOR_INN};ООО \"Вектор\";Пётр Ёлкин\r\n");
    let bytes = encode_windows_1251(&text).unwrap();
    let csv = read_csv(&bytes).unwrap();
    assert_eq!(csv.encoding, Encoding::Windows1251);
    assert_eq!(csv.separator, ';');
    assert_eq!(csv.table.rows[1].cells[2], "Пётр Ёлкин");
    let mapping = ColumnMapping::guess(&csv.table).unwrap();
    assert_eq!(mapping.fields[0], Some(ClientField::Inn));
}

#[test]
fn a_file_in_utf8_with_bom_and_commas_is_read_after_a_title() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(
        "Клиенты на 01.12.2026\n\nName,TIN,Phone\n\"Vector, LLC\",7707083893,+7 495 111-22-33\n"
            .as_bytes(),
    );
    let csv = read_csv(&bytes).unwrap();
    assert_eq!((csv.encoding, csv.separator), (Encoding::Utf8Bom, ','));
    let mapping = ColumnMapping::guess(&csv.table).unwrap();
    assert_eq!(mapping.header_row, 2);
    let users: [UserEntry; 0] = [];
    let p = preview(
        &csv.table,
        &mapping,
        OnBadValue::SkipRow,
        &ImportBase::new(&[], &users),
    );
    assert_eq!(p.total_rows, 1);
    assert_eq!(p.new[0].client.name, "Vector, LLC");
}

#[test]
fn empty_binary_and_headerless_files_are_refused_with_a_message() {
    assert_eq!(read_csv(b""), Err(TableError::Empty));
    assert_eq!(read_csv(b" \r\n;;\n"), Err(TableError::Empty));
    let binary: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    assert_eq!(read_csv(&binary), Err(TableError::NotText));
    assert_eq!(read_csv(b"PK\x03\x04rest"), Err(TableError::Workbook));
    let table = read_csv("Дата;Сумма\n01.01.2026;5\n".as_bytes())
        .unwrap()
        .table;
    let err = ColumnMapping::guess(&table).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no row of the first 10 names the client's name or INN column; found: Дата | Сумма"
    );
}

#[test]
fn a_sheet_read_on_the_relay_feeds_the_same_preview() {
    let table = Table::from_rows(vec![
        vec!["ИНН".into(), "Клиент".into()],
        // A spreadsheet that kept the INN as a number lost a leading zero.
        vec!["274062111".into(), "Башнефть".into()],
    ]);
    let mapping = ColumnMapping::guess(&table).unwrap();
    let users: [UserEntry; 0] = [];
    let p = preview(
        &table,
        &mapping,
        OnBadValue::SkipRow,
        &ImportBase::new(&[], &users),
    );
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    assert_eq!(p.new[0].client.inn.as_ref().unwrap().as_str(), "0274062111");
}

#[test]
fn columns_are_named_as_spreadsheets_name_them() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(27), "AB");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}
