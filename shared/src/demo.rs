//! The demo workspace: a supervisor, two managers, an assistant and an
//! administrator, and any number of realistic Russian clients with contact
//! persons, Interests, events, payments and shipments spread over the two
//! years before "today".
//!
//! Deterministic for a seed (a small SplitMix64 generator, the same on
//! every platform), so benchmarks of 20,000 or 50,000 clients are
//! repeatable.

use std::collections::BTreeMap;

use chrono::{Datelike, Days};

use crate::client::{
    Address, AddressKind, Assignment, AssignmentKind, Card, ClientDoc, Contact, EmailEntry, Event,
    EventKind, FactSource, Interest, Money, Note, Outcome, Payment, PhoneEntry, Shipment,
    Transition,
};
use crate::date::{Date, Timestamp};
use crate::ids::{ClientId, UserId};
use crate::workspace::{Role, UserEntry, WorkspaceDoc};

/// The password of every demo user (printed by `kartoteka serve`).
pub const DEMO_PASSWORD: &str = "kartoteka";

/// A small, fast, deterministic pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A random UUID (version 4 layout).
    pub fn uuid(&mut self) -> uuid::Uuid {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    fn id(&mut self) -> String {
        self.uuid().simple().to_string()
    }
}

/// A demo user and the password to log in with.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub entry: UserEntry,
    pub password: String,
}

/// A generated workspace.
#[derive(Debug, Clone)]
pub struct Demo {
    pub users: Vec<DemoUser>,
    pub workspace: WorkspaceDoc,
    pub clients: Vec<ClientDoc>,
}

impl Demo {
    /// The demo user with this login.
    pub fn user(&self, login: &str) -> Option<&UserEntry> {
        self.users
            .iter()
            .map(|u| &u.entry)
            .find(|u| u.login == login)
    }
}

/// Generates the demo users and workspace, and `clients` clients whose
/// facts lie in the two years up to `today`.
pub fn generate(clients: usize, today: Date, seed: u64) -> Demo {
    let mut rng = Rng::new(seed);
    let users = demo_users(&mut rng);
    let workspace = WorkspaceDoc::new(
        "Демо: ООО «Картотека»",
        users.iter().map(|u| u.entry.clone()),
    );
    let managers: Vec<UserId> = users
        .iter()
        .filter(|u| u.entry.role == Role::Manager)
        .map(|u| u.entry.id.clone())
        .collect();
    let supervisor = users
        .iter()
        .find(|u| u.entry.role == Role::Supervisor)
        .map(|u| u.entry.id.clone())
        .unwrap_or_else(|| managers[0].clone());
    let mut generator = Generator {
        rng,
        today: today.naive(),
        managers,
        supervisor,
    };
    // Two clients at the exchange's edge end a base of ten or more, so the
    // demo shows both sides of it (and the browser tests find them).
    let edge = if clients >= 10 { EDGE_CLIENTS.len() } else { 0 };
    let mut clients: Vec<ClientDoc> = (0..clients - edge).map(|_| generator.client()).collect();
    for (k, name) in EDGE_CLIENTS.iter().take(edge).enumerate() {
        clients.push(generator.edge_client(name, k == 0));
    }
    Demo {
        users,
        workspace,
        clients,
    }
}

fn demo_users(rng: &mut Rng) -> Vec<DemoUser> {
    [
        ("orlova", "Ольга Орлова", Role::Supervisor),
        ("petrov", "Павел Петров", Role::Manager),
        ("smirnova", "Анна Смирнова", Role::Manager),
        ("kozlov", "Дмитрий Козлов", Role::Assistant),
        ("admin", "Администратор", Role::Administrator),
    ]
    .into_iter()
    .map(|(login, name, role)| DemoUser {
        entry: UserEntry {
            id: UserId::from(rng.uuid()),
            login: login.to_owned(),
            name: name.to_owned(),
            role,
            active: true,
        },
        password: DEMO_PASSWORD.to_owned(),
    })
    .collect()
}

struct City {
    name: &'static str,
    region: &'static str,
    codes: &'static [&'static str],
}

const CITIES: &[City] = &[
    City {
        name: "Москва",
        region: "77",
        codes: &["495", "499"],
    },
    City {
        name: "Санкт-Петербург",
        region: "78",
        codes: &["812"],
    },
    City {
        name: "Екатеринбург",
        region: "66",
        codes: &["343"],
    },
    City {
        name: "Новосибирск",
        region: "54",
        codes: &["383"],
    },
    City {
        name: "Казань",
        region: "16",
        codes: &["843"],
    },
    City {
        name: "Нижний Новгород",
        region: "52",
        codes: &["831"],
    },
    City {
        name: "Самара",
        region: "63",
        codes: &["846"],
    },
    City {
        name: "Краснодар",
        region: "23",
        codes: &["861"],
    },
    City {
        name: "Ростов-на-Дону",
        region: "61",
        codes: &["863"],
    },
    City {
        name: "Пермь",
        region: "59",
        codes: &["342"],
    },
];

const NAME_ROOTS: &[&str] = &[
    "Альфа",
    "Вектор",
    "Гранит",
    "Дельта",
    "Енисей",
    "Зенит",
    "Импульс",
    "Кварц",
    "Лидер",
    "Магистраль",
    "Нева",
    "Омега",
    "Прогресс",
    "Радуга",
    "Сибирь",
    "Титан",
    "Урал",
    "Феникс",
    "Эталон",
    "Восток",
    "Север",
    "Волга",
    "Алтай",
    "Байкал",
    "Кристалл",
    "Меридиан",
    "Орион",
    "Ресурс",
    "Стандарт",
    "Транзит",
    "Элемент",
    "Атлант",
    "Форвард",
    "Полюс",
    "Горизонт",
    "Связь",
    "Монолит",
    "Легион",
    "Альянс",
    "Спектр",
];
const NAME_TAILS: &[&str] = &[
    "Строй",
    "Снаб",
    "Торг",
    "Пром",
    "Сервис",
    "Логистик",
    "Маш",
    "Тех",
    "Энерго",
    "Агро",
    "Мед",
    "Хим",
    "Металл",
    "Трейд",
    "Инвест",
    "Групп",
    "Систем",
    "Комплект",
    "Пласт",
    "Опт",
];
const INDUSTRIES: &[&str] = &[
    "Строительство",
    "Производство",
    "Оптовая торговля",
    "Розничная торговля",
    "Логистика",
    "Сельское хозяйство",
    "Медицина",
    "Общественное питание",
    "Информационные технологии",
    "Энергетика",
];
const SOURCES: &[&str] = &[
    "Сайт",
    "Рекомендация",
    "Выставка",
    "Холодный звонок",
    "Тендер",
    "Повторное обращение",
];
const STREETS: &[&str] = &[
    "ул. Ленина",
    "пр-т Мира",
    "ул. Советская",
    "ул. Гагарина",
    "ул. Промышленная",
    "Заводское ш.",
    "ул. Садовая",
    "ул. Октябрьская",
    "наб. Речная",
    "ул. Строителей",
];
const MALE_FIRST: &[(&str, &str, &str)] = &[
    // first name, patronymic (male), patronymic (female)
    ("Александр", "Александрович", "Александровна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Артём", "Артёмович", "Артёмовна"),
];
const FEMALE_FIRST: &[&str] = &[
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Марина",
    "Людмила",
    "Алёна",
    "Ксения",
];
const SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кириллов",
    "Белов",
    "Тарасов",
    "Белоусов",
    "Жуков",
    "Ковалёв",
    "Ильин",
    "Гусев",
];
const POSITIONS: &[&str] = &[
    "Генеральный директор",
    "Коммерческий директор",
    "Главный бухгалтер",
    "Менеджер по закупкам",
    "Главный инженер",
    "Начальник отдела снабжения",
    "Заведующий складом",
    "Юрист",
    "Финансовый директор",
    "Технический директор",
];
const NEEDS: &[&str] = &[
    "Поставка компрессорного оборудования",
    "Замена насосной станции",
    "Сервисное обслуживание станков на год",
    "Консультация по автоматизации склада",
    "Поставка запчастей для линии розлива",
    "Модернизация системы вентиляции",
    "Пусконаладка нового оборудования",
    "Обучение персонала работе с оборудованием",
    "Ремонт промышленного холодильника",
    "Поставка расходных материалов ежеквартально",
];
const CALL_RESULTS: &[&str] = &[
    "Обсудили потребность, ждут КП до конца недели",
    "Не дозвонился, секретарь просила перезвонить",
    "Договорились о встрече в офисе клиента",
    "Уточнили объёмы и сроки поставки",
    "Клиент сравнивает наше предложение с конкурентами",
    "Подтвердили получение счёта, оплата на следующей неделе",
    "Напомнил о сервисном обслуживании, интересуются",
    "Обсудили рекламацию, вопрос решён",
];
const MEETING_RESULTS: &[&str] = &[
    "Провели презентацию оборудования, заинтересовались",
    "Встреча на объекте: сняли размеры, готовим расчёт",
    "Согласовали условия договора",
];
const NOTES: &[&str] = &[
    "Решения принимает генеральный директор, закупки — через тендер",
    "Предпочитают связь по электронной почте",
    "Платят с задержкой 1–2 недели, но стабильно",
    "Сезонный спрос: основные закупки весной",
    "Работали с конкурентом, недовольны сроками поставки",
];

struct Generator {
    rng: Rng,
    today: chrono::NaiveDate,
    managers: Vec<UserId>,
    supervisor: UserId,
}

/// How a demo client's story goes, so the base has every kind of client.
#[derive(Clone, Copy, PartialEq)]
enum Story {
    Regular,
    Occasional,
    Lost,
    NewLead,
    Forgotten,
}

/// The demo's clients at the exchange's edge: the first went to the
/// exchange today, the second goes tomorrow.
pub const EDGE_CLIENTS: [&str; 2] = ["Забытый склад", "Последний звонок"];

impl Generator {
    /// A client of the first manager whose last contact (its creation and
    /// assignment) was, with the default thresholds, six months and one
    /// day before today (`gone`: the first day in the exchange) or six
    /// months (the last day in the red zone). Where the calendar has no
    /// such day (six months before 29–31 August is in February), the
    /// nearest earlier one.
    fn edge_client(&mut self, name: &str, gone: bool) -> ClientDoc {
        let edge = if gone {
            self.today - Days::new(1)
        } else {
            self.today
        };
        let mut last = edge - Days::new(200);
        while crate::rules::zone::add_months(last + Days::new(1), 6) <= edge {
            last = last + Days::new(1);
        }
        let at = self.at(last);
        let manager = self.managers[0].clone();
        let mut phones = BTreeMap::new();
        let id = self.rng.id();
        phones.insert(
            id.clone(),
            PhoneEntry {
                id,
                number: "+7 495 123-45-67".to_owned(),
                label: String::new(),
                added: at,
            },
        );
        let mut addresses = BTreeMap::new();
        let id = self.rng.id();
        addresses.insert(
            id.clone(),
            Address {
                id,
                kind: AddressKind::Legal,
                text: "109012, г. Москва, ул. Ильинка, д. 4, оф. 12".to_owned(),
                added: at,
            },
        );
        let card = Card {
            legal_form: "ООО".to_owned(),
            name: name.to_owned(),
            inn: crate::inn::Inn::from_base(&format!("77{}", self.rng.digits(7)))
                .map(|i| i.to_string())
                .unwrap_or_default(),
            phones,
            addresses,
            industry: "Оптовая торговля".to_owned(),
            created: Date(last),
            created_by: manager.clone(),
            created_at: at,
            ..Card::default()
        };
        let mut doc = ClientDoc::new(ClientId::from(self.rng.uuid()), card, None, &manager, at);
        let assignment = self.rng.id();
        doc.assignments.insert(
            assignment.clone(),
            Assignment {
                id: assignment,
                date: Date(last),
                manager: Some(manager.clone()),
                kind: AssignmentKind::Initial,
                by: manager,
                at,
            },
        );
        doc
    }

    fn date_ago(&mut self, min_days: i64, max_days: i64) -> chrono::NaiveDate {
        let days = self.rng.range(min_days, max_days).max(0) as u64;
        self.today - Days::new(days)
    }

    fn days_between(a: chrono::NaiveDate, b: chrono::NaiveDate) -> i64 {
        (b - a).num_days()
    }

    fn between(&mut self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> chrono::NaiveDate {
        let span = Self::days_between(from, to).max(0);
        from + Days::new(self.rng.range(0, span) as u64)
    }

    fn at(&mut self, date: chrono::NaiveDate) -> Timestamp {
        let secs = date
            .and_hms_opt(9, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default();
        Timestamp((secs + self.rng.range(0, 9 * 3600)) * 1000)
    }

    fn client(&mut self) -> ClientDoc {
        let city = self.rng.pick(CITIES);
        let story = match self.rng.below(100) {
            0..=34 => Story::Regular,
            35..=59 => Story::Occasional,
            60..=74 => Story::Lost,
            75..=89 => Story::NewLead,
            _ => Story::Forgotten,
        };
        let created = match story {
            Story::NewLead => self.date_ago(0, 60),
            _ => self.date_ago(200, 730),
        };
        let manager = self.rng.pick(&self.managers.clone()).clone();
        let creator = manager.clone();
        let created_at = self.at(created);
        let sole_trader = self.rng.chance(0.15);
        let (legal_form, name, inn, ogrn) = if sole_trader {
            let male = self.rng.chance(0.6);
            let person = self.person_name(male);
            let inn = crate::inn::Inn::from_base(&format!("{}{}", city.region, self.rng.digits(8)))
                .map(|i| i.to_string())
                .unwrap_or_default();
            let ogrn = crate::inn::Ogrnip::from_base(&format!(
                "3{:02}{}{}",
                created.year() % 100,
                city.region,
                self.rng.digits(9)
            ))
            .map(|o| o.to_string())
            .unwrap_or_default();
            ("ИП".to_owned(), person, inn, ogrn)
        } else {
            let form = match self.rng.below(10) {
                0 => "АО",
                1 => "ПАО",
                _ => "ООО",
            };
            let root = *self.rng.pick(NAME_ROOTS);
            let tail = *self.rng.pick(NAME_TAILS);
            let name = match self.rng.below(3) {
                0 => format!("{root}-{tail}"),
                1 => format!("{root}{}", tail.to_lowercase()),
                _ => format!("{root} {tail}"),
            };
            let inn = crate::inn::Inn::from_base(&format!("{}{}", city.region, self.rng.digits(7)))
                .map(|i| i.to_string())
                .unwrap_or_default();
            let ogrn = crate::inn::Ogrn::from_base(&format!(
                "1{:02}{}{}",
                created.year() % 100,
                city.region,
                self.rng.digits(7)
            ))
            .map(|o| o.to_string())
            .unwrap_or_default();
            (form.to_owned(), name, inn, ogrn)
        };
        let kpp = if sole_trader {
            String::new()
        } else {
            format!("{}{}01001", city.region, self.rng.digits(2))
        };
        let domain = format!(
            "{}.ru",
            translit(&name.replace([' ', '-'], "")).to_lowercase()
        );
        let code = *self.rng.pick(city.codes);
        let mut phones = BTreeMap::new();
        for i in 0..self.rng.range(1, 2) {
            let number = self.phone(code, i == 0);
            let id = self.rng.id();
            phones.insert(
                id.clone(),
                PhoneEntry {
                    id,
                    number,
                    label: if i == 0 {
                        String::new()
                    } else {
                        "приёмная".to_owned()
                    },
                    added: created_at,
                },
            );
        }
        let mut emails = BTreeMap::new();
        if !sole_trader || self.rng.chance(0.5) {
            let id = self.rng.id();
            let local = *self.rng.pick(&["info", "office", "zakaz", "sales"]);
            emails.insert(
                id.clone(),
                EmailEntry {
                    id,
                    address: format!("{local}@{domain}"),
                    label: String::new(),
                    added: created_at,
                },
            );
        }
        let mut addresses = BTreeMap::new();
        let id = self.rng.id();
        let street = *self.rng.pick(STREETS);
        addresses.insert(
            id.clone(),
            Address {
                id,
                kind: AddressKind::Legal,
                text: format!(
                    "{}, г. {}, {}, д. {}, оф. {}",
                    100_000 + self.rng.below(900_000),
                    city.name,
                    street,
                    self.rng.range(1, 120),
                    self.rng.range(1, 450)
                ),
                added: created_at,
            },
        );
        let mut tags = BTreeMap::new();
        if self.rng.chance(0.3) {
            tags.insert(
                (*self.rng.pick(&["ключевой", "тендеры", "сеть", "госзаказ"])).to_owned(),
                true,
            );
        }
        let card = Card {
            name,
            legal_form,
            inn,
            kpp,
            ogrn,
            phones,
            emails,
            addresses,
            website: if self.rng.chance(0.6) {
                format!("www.{domain}")
            } else {
                String::new()
            },
            industry: (*self.rng.pick(INDUSTRIES)).to_owned(),
            tags,
            source: (*self.rng.pick(SOURCES)).to_owned(),
            created: Date(created),
            created_by: creator.clone(),
            created_at,
        };
        let id = ClientId::from(self.rng.uuid());
        // The first assignment is written here rather than by ClientDoc::new
        // so that its id, too, comes from the seed.
        let mut doc = ClientDoc::new(id, card, None, &creator, created_at);
        let assignment = self.rng.id();
        doc.assignments.insert(
            assignment.clone(),
            Assignment {
                id: assignment,
                date: Date(created),
                manager: Some(manager.clone()),
                kind: AssignmentKind::Initial,
                by: creator.clone(),
                at: created_at,
            },
        );
        self.contacts(&mut doc, &domain, code, created_at);
        self.history(&mut doc, story, &manager, created);
        doc
    }

    fn person_name(&mut self, male: bool) -> String {
        let surname = *self.rng.pick(SURNAMES);
        let (first, pat_m, pat_f) = *self.rng.pick(MALE_FIRST);
        if male {
            format!("{surname} {first} {pat_m}")
        } else {
            let first = *self.rng.pick(FEMALE_FIRST);
            format!("{surname}а {first} {pat_f}")
        }
    }

    fn phone(&mut self, code: &str, landline: bool) -> String {
        let code = if landline {
            code.to_owned()
        } else {
            format!("9{}", self.rng.digits(2))
        };
        let n = self.rng.digits(7);
        let (a, b, c) = (&n[..3], &n[3..5], &n[5..]);
        let mut s = match self.rng.below(5) {
            0 => format!("+7 ({code}) {a}-{b}-{c}"),
            1 => format!("8 {code} {a} {b} {c}"),
            2 => format!("8-{code}-{a}-{b}-{c}"),
            3 => format!("+7 {code} {a}-{b}-{c}"),
            _ => format!("7{code}{n}"),
        };
        if landline && self.rng.chance(0.15) {
            s.push_str(&format!(" доб. {}", self.rng.range(100, 399)));
        }
        s
    }

    fn contacts(&mut self, doc: &mut ClientDoc, domain: &str, code: &str, added: Timestamp) {
        let n = self.rng.range(1, 3);
        for i in 0..n {
            let male = self.rng.chance(0.55);
            let full_name = self.person_name(male);
            let mut phones = BTreeMap::new();
            let id = self.rng.id();
            let number = self.phone(code, false);
            phones.insert(
                id.clone(),
                PhoneEntry {
                    id,
                    number,
                    label: "моб.".to_owned(),
                    added,
                },
            );
            let mut emails = BTreeMap::new();
            if self.rng.chance(0.7) {
                let id = self.rng.id();
                let mut parts = full_name.split(' ');
                let surname = translit(parts.next().unwrap_or_default()).to_lowercase();
                let initial = translit(parts.next().unwrap_or_default())
                    .chars()
                    .next()
                    .map(|c| c.to_ascii_lowercase())
                    .unwrap_or('x');
                emails.insert(
                    id.clone(),
                    EmailEntry {
                        id,
                        address: format!("{initial}.{surname}@{domain}"),
                        label: String::new(),
                        added,
                    },
                );
            }
            let birthday = if self.rng.chance(0.6) {
                Date::from_ymd(
                    self.rng.range(1960, 1998) as i32,
                    self.rng.range(1, 12) as u32,
                    self.rng.range(1, 28) as u32,
                )
            } else {
                None
            };
            let id = self.rng.id();
            doc.contacts.insert(
                id.clone(),
                Contact {
                    id,
                    full_name,
                    position: (*self.rng.pick(POSITIONS)).to_owned(),
                    phones,
                    emails,
                    birthday,
                    notes: String::new(),
                    key_person: i == 0,
                    added,
                    deleted: None,
                },
            );
        }
    }

    fn history(
        &mut self,
        doc: &mut ClientDoc,
        story: Story,
        manager: &UserId,
        created: chrono::NaiveDate,
    ) {
        // The last day this client saw any activity, by its story.
        let last = match story {
            Story::Regular => self.date_ago(0, 25),
            Story::Occasional => self.date_ago(20, 140),
            Story::Lost => self.date_ago(60, 170),
            Story::NewLead => self.date_ago(0, 10),
            Story::Forgotten => self.date_ago(190, 400),
        }
        .max(created);
        // Interests, each with its events.
        let interests = match story {
            Story::Regular => self.rng.range(2, 6),
            Story::Occasional | Story::Lost => self.rng.range(1, 3),
            Story::NewLead => 1,
            Story::Forgotten => self.rng.range(0, 1),
        };
        let mut paid_dates = Vec::new();
        for k in 0..interests {
            let start = self.between(created, last);
            let id = self.rng.id();
            let open = story == Story::NewLead || (k == interests - 1 && self.rng.chance(0.4));
            let (state, completed, outcome, reason) = if open {
                let state = *self.rng.pick(&["new", "processing", "offer", "follow_up"]);
                (state, None, None, None)
            } else {
                let done = self.between(start, last);
                if self.rng.chance(0.65) {
                    paid_dates.push(done);
                    ("converted", Some(Date(done)), Some(Outcome::Success), None)
                } else {
                    let reason = *self
                        .rng
                        .pick(&["unreachable", "price", "no_need", "competitor"]);
                    (
                        "rejected",
                        Some(Date(done)),
                        Some(Outcome::Failure),
                        Some(reason.to_owned()),
                    )
                }
            };
            let created_at = self.at(start);
            // Open Interests have a follow-up around today, some overdue;
            // taken from the timestamp so the demo's random sequence (and
            // with it every other demo fact) stays as it was.
            let follow_up = completed.is_none().then(|| {
                let offset = created_at.0.rem_euclid(12) - 4;
                Date(self.today + chrono::TimeDelta::days(offset))
            });
            let mut transitions = BTreeMap::new();
            if state != "new" {
                let tid = self.rng.id();
                let date = completed.map(|d| d.0).unwrap_or(start);
                let at = self.at(date);
                transitions.insert(
                    tid.clone(),
                    Transition {
                        id: tid,
                        date: Date(date),
                        at,
                        from: "new".to_owned(),
                        to: state.to_owned(),
                        by: manager.clone(),
                    },
                );
            }
            doc.interests.insert(
                id.clone(),
                Interest {
                    id: id.clone(),
                    created: Date(start),
                    created_by: manager.clone(),
                    created_at,
                    content: (*self.rng.pick(NEEDS)).to_owned(),
                    service_type: (*self.rng.pick(&[
                        "equipment",
                        "equipment",
                        "service",
                        "consulting",
                    ]))
                    .to_owned(),
                    scenario: crate::workspace::LEAD_SCENARIO.to_owned(),
                    state: state.to_owned(),
                    responsible: Some(manager.clone()),
                    completed,
                    outcome,
                    reason,
                    transitions,
                    follow_up,
                },
            );
            let events = self.rng.range(1, 4);
            for _ in 0..events {
                let date = self.between(start, last);
                self.event(doc, manager, date, Some(id.clone()));
            }
        }
        // A last contact on the last active day, so the colour zones spread.
        if story != Story::Forgotten || self.rng.chance(0.5) {
            self.event(doc, manager, last, None);
        }
        // Payments and shipments: regular buyers monthly, others after wins.
        if story == Story::Regular {
            let mut d = self.between(created, created + Days::new(60));
            while d <= last {
                paid_dates.push(d);
                d = d + Days::new(self.rng.range(20, 45) as u64);
            }
        }
        for date in paid_dates {
            if date > self.today {
                continue;
            }
            let amount = Money(self.rng.range(15_000, 2_500_000) * 100);
            let document = format!("{}", self.rng.range(1000, 99_999));
            let (id, at) = (self.rng.id(), self.at(date));
            doc.payments.insert(
                id.clone(),
                Payment {
                    id,
                    date: Date(date),
                    amount,
                    document: document.clone(),
                    source: FactSource::Import,
                    by: self.supervisor.clone(),
                    at,
                    deleted: None,
                },
            );
            let shipped = (date + Days::new(self.rng.range(1, 10) as u64)).min(self.today);
            let (id, at) = (self.rng.id(), self.at(shipped));
            doc.shipments.insert(
                id.clone(),
                Shipment {
                    id,
                    date: Date(shipped),
                    amount,
                    document,
                    source: FactSource::Import,
                    by: self.supervisor.clone(),
                    at,
                    deleted: None,
                },
            );
        }
        if self.rng.chance(0.4) {
            let id = self.rng.id();
            let day = self.between(created, last);
            let at = self.at(day);
            doc.notes.insert(
                id.clone(),
                Note {
                    id,
                    text: (*self.rng.pick(NOTES)).to_owned(),
                    author: manager.clone(),
                    at,
                },
            );
        }
        // Now and then the supervisor has handed a client to the other manager.
        if self.rng.chance(0.05) && self.managers.len() > 1 {
            let other = self
                .managers
                .iter()
                .find(|m| *m != manager)
                .cloned()
                .unwrap_or_else(|| manager.clone());
            let date = self.between(created, last);
            let (id, at) = (self.rng.id(), self.at(date));
            doc.assignments.insert(
                id.clone(),
                Assignment {
                    id,
                    date: Date(date),
                    manager: Some(other),
                    kind: AssignmentKind::Reassigned,
                    by: self.supervisor.clone(),
                    at,
                },
            );
        }
    }

    fn event(
        &mut self,
        doc: &mut ClientDoc,
        by: &UserId,
        date: chrono::NaiveDate,
        interest: Option<String>,
    ) {
        let kind = match self.rng.below(10) {
            0..=5 => EventKind::Call,
            6..=7 => EventKind::Email,
            8 => EventKind::Meeting,
            _ => EventKind::Message,
        };
        let result = match kind {
            EventKind::Meeting => *self.rng.pick(MEETING_RESULTS),
            EventKind::Email => "Отправили коммерческое предложение",
            EventKind::Message => "Ответили на вопросы в мессенджере",
            _ => *self.rng.pick(CALL_RESULTS),
        };
        let participants = doc.contacts.keys().take(1).cloned().collect();
        let (id, at) = (self.rng.id(), self.at(date));
        doc.events.insert(
            id.clone(),
            Event {
                id,
                date: Date(date),
                at,
                kind,
                by: by.clone(),
                participants,
                result: result.to_owned(),
                interest,
                reason: None,
                deleted: None,
            },
        );
    }
}

/// Russian letters in Latin, for e-mail addresses and domains.
fn translit(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let t = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' => "e",
            'ё' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            _ if lower.is_ascii_alphanumeric() => {
                out.push(lower);
                continue;
            }
            _ => continue,
        };
        out.push_str(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 22).expect("a date")
    }

    #[test]
    fn the_same_seed_gives_the_same_workspace() {
        let a = generate(20, today(), 7);
        let b = generate(20, today(), 7);
        assert!(
            a.clients == b.clients,
            "the same seed gave different clients"
        );
        assert!(a.clients != generate(20, today(), 8).clients);
    }

    #[test]
    fn demo_clients_are_valid_and_their_facts_lie_in_the_past_two_years() {
        let demo = generate(200, today(), 1);
        assert_eq!(demo.clients.len(), 200);
        let earliest = Date(today().naive() - Days::new(731));
        for c in &demo.clients {
            assert!(
                crate::client::validate_card(&c.card).is_empty(),
                "{:?}",
                c.card
            );
            for contact in c.contacts.values() {
                assert!(
                    crate::client::validate_contact(contact).is_empty(),
                    "{contact:?}"
                );
            }
            assert!(c.card.created >= earliest && c.card.created <= today());
            let dates = c
                .events
                .values()
                .map(|e| e.date)
                .chain(c.payments.values().map(|p| p.date))
                .chain(c.shipments.values().map(|s| s.date))
                .chain(c.interests.values().map(|i| i.created));
            for d in dates {
                assert!(
                    d >= c.card.created && d <= today(),
                    "{d} outside the client's life"
                );
            }
            assert!(c.responsible().is_some());
        }
        // Every kind of story is there: paying and silent clients.
        assert!(demo.clients.iter().any(|c| !c.payments.is_empty()));
        assert!(demo.clients.iter().any(|c| c.payments.is_empty()));
        assert_eq!(
            demo.users
                .iter()
                .filter(|u| u.entry.role == Role::Manager)
                .count(),
            2
        );
    }

    #[test]
    fn translit_spells_russian_in_latin() {
        assert_eq!(translit("Вектор-Снаб"), "vektorsnab");
        assert_eq!(translit("Щукин Юрий"), "shchukinyuriy");
    }

    #[test]
    fn the_demo_ends_with_a_client_gone_to_the_exchange_today_and_one_going_tomorrow() {
        use crate::rules::config::ZoneThresholds;
        use crate::rules::zone::{Zone, zone};
        let demo = generate(10, today(), 1);
        let t = ZoneThresholds::default();
        let on = |doc: &ClientDoc, d: chrono::NaiveDate| {
            zone(&doc.facts(), t, d).expect("created by then").zone
        };
        let gone = &demo.clients[8];
        let going = &demo.clients[9];
        assert_eq!(gone.card.name, EDGE_CLIENTS[0]);
        assert!(
            crate::inn::Inn::parse(&gone.card.inn).is_ok(),
            "{}",
            gone.card.inn
        );
        let today = today().naive();
        assert_eq!(on(gone, today), Some(Zone::Exchange));
        assert_eq!(on(going, today), Some(Zone::Red));
        assert_eq!(on(going, today + Days::new(1)), Some(Zone::Exchange));
        // today() is a day with an exact edge: gone went there today.
        assert_eq!(on(gone, today - Days::new(1)), Some(Zone::Red));
    }
}
