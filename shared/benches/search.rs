//! Times the client lookup on a realistic base: 50,000 clients with
//! 100,000 contact persons (Russian company names with legal forms, sole
//! traders, people's names, valid INNs and OGRNs, phones typed every usual
//! way, e-mails). Reports the build time, the index's approximate memory,
//! the latency of every keystroke of ~200 queries typed character by
//! character (name fragments, typos, INN prefixes, phone fragments in
//! several forms, e-mails, contact names), upserts and duplicate checks.
//!
//! Run with `cargo bench -p kartoteka --bench search`; set
//! `KARTOTEKA_BENCH_CLIENTS` for another base size, or
//! `KARTOTEKA_BENCH_QUERY` to time one query (500 runs) instead.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kartoteka::duplicates::{CardKeys, find_duplicates};
use kartoteka::inn::{Inn, Ogrn, Ogrnip};
use kartoteka::phone::Phone;
use kartoteka::search::{ContactEntry, SearchEntry, SearchIndex};

/// Hits asked for per keystroke: what a dropdown under the search box shows.
const LIMIT: usize = 20;
const QUERIES: usize = 200;

/// SplitMix64: a tiny deterministic generator, so every run times the same
/// base and the same queries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` in 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const ROOTS: &[&str] = &[
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
    "Зелёный берег",
    "Русь",
    "Ладога",
    "Кубань",
    "Тайга",
    "Аврора",
    "Вертикаль",
    "Гелиос",
    "Держава",
    "Ёлочка",
    "Жемчуг",
    "Зодиак",
    "Исток",
    "Каскад",
];
const TAILS: &[&str] = &[
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
    "Авто",
    "Лес",
    "Нефть",
    "Газ",
    "Транс",
    "Консалт",
    "Софт",
];
const EXTRAS: &[&str] = &[
    "Плюс",
    "М",
    "2000",
    "Север",
    "Юг",
    "Центр",
    "Холдинг",
    "Профи",
    "XXI",
];
const SYLLABLES: &[&str] = &[
    "ра", "ко", "ми", "на", "то", "ве", "ли", "да", "бо", "ст", "ар", "ен", "ус", "ол", "ир", "ка",
    "ле", "гр", "та", "ни", "во", "ри", "са", "мо", "ла", "пе", "до", "зу", "ха", "че",
];
const SURNAMES: &[&str] = &[
    "Иванов",
    "Петров",
    "Сидоров",
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
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоренко",
    "Ткаченко",
    "Шевченко",
    "Бондаренко",
];
/// First name and the patronymic stems made from it.
const MALE: &[(&str, &str)] = &[
    ("Александр", "Александров"),
    ("Алексей", "Алексеев"),
    ("Андрей", "Андреев"),
    ("Сергей", "Сергеев"),
    ("Дмитрий", "Дмитриев"),
    ("Иван", "Иванов"),
    ("Михаил", "Михайлов"),
    ("Николай", "Николаев"),
    ("Пётр", "Петров"),
    ("Владимир", "Владимиров"),
    ("Юрий", "Юрьев"),
    ("Олег", "Олегов"),
    ("Павел", "Павлов"),
    ("Виктор", "Викторов"),
    ("Евгений", "Евгеньев"),
    ("Игорь", "Игорев"),
    ("Константин", "Константинов"),
    ("Максим", "Максимов"),
    ("Артём", "Артёмов"),
    ("Роман", "Романов"),
    ("Василий", "Васильев"),
    ("Григорий", "Григорьев"),
];
const FEMALE: &[&str] = &[
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Марина",
    "Людмила",
    "Валентина",
    "Галина",
    "Ксения",
    "Дарья",
    "Алёна",
];
const REGIONS: &[(&str, &[&str])] = &[
    ("77", &["495", "499"]),
    ("78", &["812"]),
    ("66", &["343"]),
    ("54", &["383"]),
    ("16", &["843"]),
    ("52", &["831"]),
    ("63", &["846"]),
    ("23", &["861"]),
    ("61", &["863"]),
    ("59", &["342"]),
    ("50", &["496", "498"]),
];

fn translit(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let latin = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' | 'ы' => "i",
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
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sch",
            'ю' => "yu",
            'я' => "ya",
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(latin);
    }
    out
}

struct Person {
    full: String,
    surname: String,
    first: String,
}

fn person(rng: &mut Rng) -> Person {
    let surname = *rng.pick(SURNAMES);
    let (_, stem) = *rng.pick(MALE);
    if rng.chance(55) {
        let (first, _) = *rng.pick(MALE);
        Person {
            full: format!("{surname} {first} {stem}ич"),
            surname: surname.to_owned(),
            first: first.to_owned(),
        }
    } else {
        let first = *rng.pick(FEMALE);
        let surname = if surname.ends_with("ко") {
            surname.to_owned()
        } else {
            format!("{surname}а")
        };
        Person {
            full: format!("{surname} {first} {stem}на"),
            surname,
            first: first.to_owned(),
        }
    }
}

/// A made-up word of 2–4 syllables, capitalised: real bases have tens of
/// thousands of distinct name words.
fn made_up(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    let word: String = (0..n).map(|_| *rng.pick(SYLLABLES)).collect();
    let mut chars = word.chars();
    chars
        .next()
        .map_or(String::new(), |f| f.to_uppercase().chain(chars).collect())
}

fn phone(rng: &mut Rng, code: &str, mobile: bool) -> String {
    let code = if mobile {
        format!("9{}", rng.digits(2))
    } else {
        code.to_owned()
    };
    let n = rng.digits(7);
    let (a, b, c) = (&n[..3], &n[3..5], &n[5..]);
    let mut s = match rng.below(7) {
        0 => format!("+7 ({code}) {a}-{b}-{c}"),
        1 => format!("8 {code} {a} {b} {c}"),
        2 => format!("8-{code}-{a}-{b}-{c}"),
        3 => format!("+7 {code} {a}-{b}-{c}"),
        4 => format!("8 ({code}) {a}-{b}-{c}"),
        5 => format!("({code}) {a}-{b}-{c}"),
        _ => format!("7{code}{n}"),
    };
    if !mobile && rng.chance(10) {
        s.push_str(&format!(" доб. {}", 100 + rng.below(300)));
    }
    s
}

fn client(rng: &mut Rng, n: usize, contacts_left: &mut usize, clients_left: usize) -> SearchEntry {
    let (region, codes) = *rng.pick(REGIONS);
    let code = *rng.pick(codes);
    let sole_trader = rng.chance(15);
    let (name, inn, ogrn, domain) = if sole_trader {
        let p = person(rng);
        let inn = Inn::from_base(&format!("{region}{}", rng.digits(8)))
            .map(|i| i.to_string())
            .ok();
        let ogrn = Ogrnip::from_base(&format!("3{}{region}{}", rng.digits(2), rng.digits(9)))
            .map(|o| o.to_string())
            .ok();
        (
            format!("ИП {}", p.full),
            inn,
            ogrn,
            format!("{}.ru", translit(&p.surname)),
        )
    } else {
        let form = *rng.pick(&["ООО", "ООО", "ООО", "ООО", "ООО", "АО", "ПАО", "ЗАО", ""]);
        let root = if rng.chance(45) {
            made_up(rng)
        } else {
            (*rng.pick(ROOTS)).to_owned()
        };
        let tail = *rng.pick(TAILS);
        let mut core = match rng.below(4) {
            0 => format!("{root}-{tail}"),
            1 => format!("{root}{}", tail.to_lowercase()),
            2 => format!("{root} {tail}"),
            _ => root.clone(),
        };
        if rng.chance(20) {
            core = format!("{core} {}", rng.pick(EXTRAS));
        }
        let name = match (form, rng.chance(50)) {
            ("", _) => core.clone(),
            (form, true) => format!("{form} «{core}»"),
            (form, false) => format!("{form} \"{core}\""),
        };
        let inn = Inn::from_base(&format!("{region}{}", rng.digits(7)))
            .map(|i| i.to_string())
            .ok();
        let ogrn = Ogrn::from_base(&format!("1{}{region}{}", rng.digits(2), rng.digits(7)))
            .map(|o| o.to_string())
            .ok();
        (
            name,
            inn,
            ogrn,
            format!("{}.ru", translit(&core.replace([' ', '-'], ""))),
        )
    };
    let phones = (0..1 + rng.below(2))
        .map(|i| {
            let mobile = i > 0 && rng.chance(50);
            phone(rng, code, mobile)
        })
        .collect();
    let emails = if rng.chance(80) {
        vec![format!(
            "{}@{domain}",
            rng.pick(&["info", "office", "zakaz", "sales", "mail"])
        )]
    } else {
        Vec::new()
    };
    // Spread the remaining contacts evenly over the remaining clients.
    let mean = (*contacts_left as f64 / clients_left.max(1) as f64).max(0.0);
    let count =
        ((mean * 2.0 * (rng.below(1000) as f64 / 1000.0)).round() as usize).min(*contacts_left);
    *contacts_left -= count;
    let contacts = (0..count)
        .map(|k| {
            let p = person(rng);
            let local = format!(
                "{}.{}",
                translit(&p.first.chars().take(1).collect::<String>()),
                translit(&p.surname)
            );
            ContactEntry {
                contact_id: format!("c{n}k{k}"),
                name: p.full,
                phones: vec![phone(rng, code, true)],
                emails: if rng.chance(70) {
                    vec![format!("{local}@{domain}")]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    SearchEntry {
        client_id: format!("c{n}"),
        name,
        inn,
        ogrn,
        phones,
        emails,
        contacts,
    }
}

/// A few distinct kinds of query, for the per-kind breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Name,
    TwoWords,
    Typo,
    Contact,
    Inn,
    Phone,
    Email,
}

fn words_of(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !["ООО", "АО", "ПАО", "ЗАО", "ИП"].contains(w))
        .map(str::to_owned)
        .collect()
}

fn with_typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = (1 + rng.below(chars.len().saturating_sub(2).max(1))).min(chars.len() - 1);
    match rng.below(4) {
        0 if at + 1 < chars.len() => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, 'о'),
        _ => chars[at] = 'а',
    }
    chars.into_iter().collect()
}

fn queries(rng: &mut Rng, base: &[SearchEntry]) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    while out.len() < QUERIES {
        let entry = rng.pick(base);
        let words = words_of(&entry.name);
        let query = match rng.below(8) {
            0 | 1 => words.first().map(|w| {
                (
                    Kind::Name,
                    w.chars().take(3 + rng.below(6)).collect::<String>(),
                )
            }),
            2 if words.len() >= 2 => Some((
                Kind::TwoWords,
                format!(
                    "{} {}",
                    words[0].to_lowercase(),
                    words[1].chars().take(3).collect::<String>()
                ),
            )),
            3 => words
                .iter()
                .find(|w| w.chars().count() >= 6)
                .map(|w| (Kind::Typo, with_typo(rng, w))),
            4 => entry.contacts.first().map(|c| {
                let w = words_of(&c.name);
                let first: String = w
                    .get(1)
                    .map_or(String::new(), |f| f.chars().take(2).collect());
                (Kind::Contact, format!("{} {first}", w[0]).trim().to_owned())
            }),
            5 => entry
                .inn
                .as_ref()
                .map(|i| (Kind::Inn, i[..4 + rng.below(7)].to_owned())),
            6 => entry
                .phones
                .first()
                .and_then(|p| Phone::parse(p).ok()?.national().map(str::to_owned))
                .map(|national| {
                    let q = match rng.below(5) {
                        0 => format!("8 {} {}", &national[..3], &national[3..6]),
                        1 => format!(
                            "+7 ({}) {}-{}",
                            &national[..3],
                            &national[3..6],
                            &national[6..8]
                        ),
                        2 => national[3..].to_owned(),
                        3 => format!("{}-{}-{}", &national[3..6], &national[6..8], &national[8..]),
                        _ => format!("8{national}"),
                    };
                    (Kind::Phone, q)
                }),
            _ => entry
                .emails
                .first()
                .map(|e| (Kind::Email, e.chars().take(5 + rng.below(12)).collect())),
        };
        out.extend(query);
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let clients: usize = std::env::var("KARTOTEKA_BENCH_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let mut rng = Rng(0x5EA2C4);
    let mut contacts_left = clients * 2;
    let base: Vec<SearchEntry> = (0..clients)
        .map(|n| client(&mut rng, n, &mut contacts_left, clients - n))
        .collect();
    let contacts: usize = base.iter().map(|e| e.contacts.len()).sum();
    let phones: usize = base
        .iter()
        .map(|e| e.phones.len() + e.contacts.iter().map(|c| c.phones.len()).sum::<usize>())
        .sum();
    println!("base: {clients} clients, {contacts} contacts, {phones} phones");
    for entry in base.iter().take(3) {
        println!(
            "  e.g. {} | {:?} | {:?} | {:?}",
            entry.name, entry.inn, entry.phones, entry.emails
        );
    }

    let entries = base.clone();
    let start = Instant::now();
    let index = SearchIndex::build(entries);
    let build = start.elapsed();
    let text: usize = base
        .iter()
        .map(|e| {
            e.client_id.len()
                + e.name.len()
                + e.inn.as_ref().map_or(0, String::len)
                + e.ogrn.as_ref().map_or(0, String::len)
                + e.phones
                    .iter()
                    .chain(&e.emails)
                    .map(String::len)
                    .sum::<usize>()
                + e.contacts
                    .iter()
                    .map(|c| {
                        c.contact_id.len()
                            + c.name.len()
                            + c.phones
                                .iter()
                                .chain(&c.emails)
                                .map(String::len)
                                .sum::<usize>()
                    })
                    .sum::<usize>()
        })
        .sum();
    println!("build: {:.0} ms", build.as_secs_f64() * 1e3);
    println!(
        "memory: ~{:.1} MB of index structures and entries (the entries' own text is {:.1} MB)",
        index.heap_bytes() as f64 / 1e6,
        text as f64 / 1e6
    );

    if let Ok(query) = std::env::var("KARTOTEKA_BENCH_QUERY") {
        let runs = 500;
        let start = Instant::now();
        let mut hits = 0;
        for _ in 0..runs {
            hits = black_box(index.query(black_box(&query), LIMIT)).len();
        }
        println!(
            "{query:?}: {} each, {hits} hits",
            us(start.elapsed() / runs)
        );
        return;
    }
    let queries = queries(&mut rng, &base);
    let mut all = Vec::new();
    let mut by_kind: Vec<(Kind, Vec<Duration>)> = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut found = 0usize;
    for (kind, query) in &queries {
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            let start = Instant::now();
            let hits = black_box(index.query(black_box(&typed), LIMIT));
            let took = start.elapsed();
            all.push(took);
            if took > slowest.0 {
                slowest = (took, typed.clone());
            }
            match by_kind.iter_mut().find(|(k, _)| k == kind) {
                Some((_, times)) => times.push(took),
                None => by_kind.push((*kind, vec![took])),
            }
            if typed.chars().count() == query.chars().count() && !hits.is_empty() {
                found += 1;
            }
        }
    }
    all.sort_unstable();
    println!(
        "keystrokes: {} over {} queries ({} found something when fully typed), limit {LIMIT}",
        all.len(),
        queries.len(),
        found
    );
    println!(
        "  p50 {}  p95 {}  p99 {}  max {} (\"{}\")",
        us(percentile(&all, 0.5)),
        us(percentile(&all, 0.95)),
        us(percentile(&all, 0.99)),
        us(slowest.0),
        slowest.1
    );
    by_kind.sort_by_key(|(k, _)| *k);
    for (kind, times) in &mut by_kind {
        times.sort_unstable();
        println!(
            "  {:<9} {:>4} keystrokes  p50 {:>6}  p95 {:>6}  max {:>6}",
            format!("{kind:?}"),
            times.len(),
            us(percentile(times, 0.5)),
            us(percentile(times, 0.95)),
            us(percentile(times, 1.0))
        );
    }

    let mut index = index;
    let start = Instant::now();
    let edits = 1000;
    for n in 0..edits {
        let mut entry = base[(n * 37) % base.len()].clone();
        entry.name.push_str(" Плюс");
        index.upsert(entry);
    }
    println!(
        "upsert (edit of an indexed client): {} each",
        us(start.elapsed() / edits as u32)
    );

    let start = Instant::now();
    let checks = 100;
    let mut warned = 0;
    for n in 0..checks {
        let entry = &base[(n * 101) % base.len()];
        let card = CardKeys {
            name: entry.name.clone(),
            inn: entry.inn.clone().unwrap_or_default(),
            phones: entry.phones.clone(),
            emails: entry.emails.clone(),
        };
        warned += usize::from(!find_duplicates(&index, &card, None).is_empty());
    }
    println!(
        "duplicate check of a card: {} each ({warned} of {checks} copies of existing cards warned)",
        us(start.elapsed() / checks as u32)
    );
}
