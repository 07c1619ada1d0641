//! Which column of a client file holds what: the fields an import fills,
//! recognised from the names 1C, Excel lists and other CRMs give their
//! columns, in Russian or English, and the mapping the user may change in
//! the preview before anything is written.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::super::header::normalise;

/// A field of a client or of a contact person that a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientField {
    /// The client's name (with or without its legal form).
    Name,
    /// ООО, ИП, АО… in a column of its own.
    LegalForm,
    Inn,
    Kpp,
    /// OGRN, or a sole trader's OGRNIP.
    Ogrn,
    /// The client's phones (several in a cell, or several columns).
    Phone,
    Email,
    /// The actual address.
    Address,
    /// The legal (registered) address.
    LegalAddress,
    Website,
    Industry,
    /// The responsible manager, by login or full name.
    Responsible,
    /// The contact person's full name: a row with one is one contact.
    ContactName,
    ContactPosition,
    ContactPhone,
    ContactEmail,
    ContactBirthday,
}

impl ClientField {
    /// Every field, in the order the mapping lists them.
    pub const ALL: [ClientField; 17] = [
        ClientField::Name,
        ClientField::LegalForm,
        ClientField::Inn,
        ClientField::Kpp,
        ClientField::Ogrn,
        ClientField::Phone,
        ClientField::Email,
        ClientField::Address,
        ClientField::LegalAddress,
        ClientField::Website,
        ClientField::Industry,
        ClientField::Responsible,
        ClientField::ContactName,
        ClientField::ContactPosition,
        ClientField::ContactPhone,
        ClientField::ContactEmail,
        ClientField::ContactBirthday,
    ];

    /// Whether several columns may fill this field (their values add up):
    /// "Телефон" and "Телефон 2". Any other field is read from one column.
    pub fn takes_several_columns(self) -> bool {
        matches!(
            self,
            ClientField::Phone
                | ClientField::Email
                | ClientField::ContactPhone
                | ClientField::ContactEmail
        )
    }
}

/// English names, for the command line and errors outside the UI (the UI
/// words them from its catalogue).
impl fmt::Display for ClientField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientField::Name => "name",
            ClientField::LegalForm => "legal form",
            ClientField::Inn => "INN",
            ClientField::Kpp => "KPP",
            ClientField::Ogrn => "OGRN",
            ClientField::Phone => "phone",
            ClientField::Email => "e-mail",
            ClientField::Address => "address",
            ClientField::LegalAddress => "legal address",
            ClientField::Website => "website",
            ClientField::Industry => "industry",
            ClientField::Responsible => "responsible",
            ClientField::ContactName => "contact person",
            ClientField::ContactPosition => "position",
            ClientField::ContactPhone => "contact's phone",
            ClientField::ContactEmail => "contact's e-mail",
            ClientField::ContactBirthday => "birthday",
        })
    }
}

/// Header names, normalised (see [`normalise`]): lower case, `ё` as `е`,
/// punctuation as spaces (so `E-mail` is `e mail`).
const SYNONYMS: &[(ClientField, &[&str])] = &[
    (
        ClientField::Name,
        &[
            "наименование",
            "наименование клиента",
            "наименование контрагента",
            "наименование организации",
            "полное наименование",
            "краткое наименование",
            "название",
            "название компании",
            "клиент",
            "контрагент",
            "покупатель",
            "организация",
            "компания",
            "name",
            "client",
            "client name",
            "company",
            "company name",
            "customer",
            "organisation",
            "organization",
            "account",
            "account name",
        ],
    ),
    (
        ClientField::LegalForm,
        &[
            "организационно правовая форма",
            "правовая форма",
            "орг форма",
            "опф",
            "legal form",
        ],
    ),
    (
        ClientField::Inn,
        &[
            "инн",
            "инн клиента",
            "инн контрагента",
            "инн организации",
            "inn",
            "tin",
            "tax id",
        ],
    ),
    (ClientField::Kpp, &["кпп", "kpp"]),
    (
        ClientField::Ogrn,
        &["огрн", "огрнип", "огрн огрнип", "ogrn", "ogrnip"],
    ),
    (
        ClientField::Phone,
        &[
            "телефон",
            "телефоны",
            "тел",
            "телефон клиента",
            "телефон организации",
            "рабочий телефон",
            "phone",
            "phones",
            "telephone",
            "tel",
            "company phone",
        ],
    ),
    (
        ClientField::Email,
        &[
            "e mail",
            "email",
            "е mail",
            "эл почта",
            "электронная почта",
            "почта",
            "e mail клиента",
            "mail",
            "company e mail",
            "company email",
        ],
    ),
    (
        ClientField::Address,
        &[
            "адрес",
            "фактический адрес",
            "адрес фактический",
            "почтовый адрес",
            "адрес доставки",
            "address",
            "actual address",
        ],
    ),
    (
        ClientField::LegalAddress,
        &[
            "юридический адрес",
            "адрес юридический",
            "юр адрес",
            "legal address",
            "registered address",
        ],
    ),
    (
        ClientField::Website,
        &[
            "сайт",
            "веб сайт",
            "website",
            "web site",
            "site",
            "web",
            "url",
        ],
    ),
    (
        ClientField::Industry,
        &[
            "отрасль",
            "сфера деятельности",
            "вид деятельности",
            "industry",
            "sector",
        ],
    ),
    (
        ClientField::Responsible,
        &[
            "ответственный",
            "ответственный менеджер",
            "менеджер",
            "responsible",
            "manager",
            "owner",
            "account manager",
        ],
    ),
    (
        ClientField::ContactName,
        &[
            "контактное лицо",
            "контакт",
            "фио",
            "фио контакта",
            "фио контактного лица",
            "contact",
            "contact person",
            "contact name",
            "full name",
        ],
    ),
    (
        ClientField::ContactPosition,
        &[
            "должность",
            "должность контакта",
            "должность контактного лица",
            "position",
            "title",
            "job title",
        ],
    ),
    (
        ClientField::ContactPhone,
        &[
            "телефон контакта",
            "телефон контактного лица",
            "мобильный",
            "мобильный телефон",
            "contact phone",
            "contact s phone",
            "mobile",
            "mobile phone",
        ],
    ),
    (
        ClientField::ContactEmail,
        &[
            "e mail контакта",
            "email контакта",
            "е mail контакта",
            "почта контакта",
            "e mail контактного лица",
            "contact e mail",
            "contact email",
            "contact s e mail",
            "contact s email",
        ],
    ),
    (
        ClientField::ContactBirthday,
        &[
            "день рождения",
            "дата рождения",
            "др",
            "birthday",
            "date of birth",
            "birth date",
            "dob",
        ],
    ),
];

/// The field a header cell names, if it names one. A number after the
/// name (`Телефон 2`) is set aside.
pub fn field_of_header(cell: &str) -> Option<ClientField> {
    let name = normalise(cell);
    let name = match name.rsplit_once(' ') {
        Some((head, tail)) if tail.chars().all(|c| c.is_ascii_digit()) => head,
        _ => name.as_str(),
    };
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&name))
        .map(|(field, _)| *field)
}

/// Which field each column of the file fills, and which row is the
/// header. The preview shows it; the user may change it before importing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// The index of the header row in the table's rows.
    pub header_row: usize,
    /// One entry per column of the header row; `None`: not imported.
    pub fields: Vec<Option<ClientField>>,
}

impl ColumnMapping {
    /// The mapping recognised from a header row's cells. A field that
    /// takes one column is read from the first column that names it.
    pub fn of_header(header_row: usize, header: &[impl AsRef<str>]) -> ColumnMapping {
        let mut mapping = ColumnMapping {
            header_row,
            fields: vec![None; header.len()],
        };
        for (i, cell) in header.iter().enumerate() {
            if let Some(field) = field_of_header(cell.as_ref())
                && (field.takes_several_columns() || !mapping.fields.contains(&Some(field)))
            {
                mapping.fields[i] = Some(field);
            }
        }
        mapping
    }

    /// Makes `column` fill `field` (or nothing). A field that takes one
    /// column is taken from the column it was in.
    pub fn set(&mut self, column: usize, field: Option<ClientField>) {
        if column >= self.fields.len() {
            self.fields.resize(column + 1, None);
        }
        if let Some(f) = field
            && !f.takes_several_columns()
        {
            for slot in &mut self.fields {
                if *slot == Some(f) {
                    *slot = None;
                }
            }
        }
        self.fields[column] = field;
    }

    /// The columns that fill `field`, in order.
    pub fn columns_of(&self, field: ClientField) -> impl Iterator<Item = usize> + '_ {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| **f == Some(field))
            .map(|(i, _)| i)
    }

    /// How many columns are mapped to a field.
    pub fn recognised(&self) -> usize {
        self.fields.iter().filter(|f| f.is_some()).count()
    }

    /// Whether a client can be told from the mapped columns: a name or an
    /// INN column is needed.
    pub fn identifies_clients(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f, Some(ClientField::Name | ClientField::Inn)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_headers_are_recognised_in_any_case_and_spacing() {
        let mapping = ColumnMapping::of_header(
            0,
            &[
                "  НАИМЕНОВАНИЕ ",
                "инн",
                "КПП",
                "ОГРН",
                "Телефон",
                "E-mail",
                "Адрес",
                "Сайт",
                "Отрасль",
                "Ответственный",
                "Контактное  лицо",
                "Должность",
                "Телефон контакта",
                "E-mail контакта",
                "День рождения",
                "Телефон 2",
                "Комментарий",
            ],
        );
        use ClientField::*;
        assert_eq!(
            mapping.fields,
            vec![
                Some(Name),
                Some(Inn),
                Some(Kpp),
                Some(Ogrn),
                Some(Phone),
                Some(Email),
                Some(Address),
                Some(Website),
                Some(Industry),
                Some(Responsible),
                Some(ContactName),
                Some(ContactPosition),
                Some(ContactPhone),
                Some(ContactEmail),
                Some(ContactBirthday),
                Some(Phone),
                None,
            ]
        );
        assert_eq!(mapping.columns_of(Phone).collect::<Vec<_>>(), vec![4, 15]);
    }

    #[test]
    fn english_headers_are_recognised() {
        let mapping = ColumnMapping::of_header(
            0,
            &[
                "Company Name",
                "TIN",
                "phone",
                "EMAIL",
                "Contact person",
                "Job title",
                "Mobile",
                "Contact e-mail",
                "Date of birth",
                "Manager",
            ],
        );
        use ClientField::*;
        assert_eq!(
            mapping.fields,
            vec![
                Some(Name),
                Some(Inn),
                Some(Phone),
                Some(Email),
                Some(ContactName),
                Some(ContactPosition),
                Some(ContactPhone),
                Some(ContactEmail),
                Some(ContactBirthday),
                Some(Responsible),
            ]
        );
    }

    #[test]
    fn the_user_moves_a_field_to_another_column() {
        let mut mapping = ColumnMapping::of_header(0, &["Клиент", "Организация", "Примечание"]);
        assert_eq!(mapping.fields, vec![Some(ClientField::Name), None, None]);
        mapping.set(1, Some(ClientField::Name));
        assert_eq!(mapping.fields, vec![None, Some(ClientField::Name), None]);
        mapping.set(2, Some(ClientField::Phone));
        mapping.set(0, Some(ClientField::Phone));
        assert_eq!(mapping.columns_of(ClientField::Phone).count(), 2);
        mapping.set(1, None);
        assert!(!mapping.identifies_clients());
    }
}
