//! Duplicate control (SPEC 2): when a card is created or edited, the
//! existing clients that are probably the same company or person — the same
//! INN, a phone or e-mail in common, or a very similar name — each with the
//! reasons, so the manager is warned before a second card is saved.
//!
//! Phones and e-mails are compared with those of every contact person too:
//! a company's number written down as a contact's number elsewhere is the
//! same company. Names are compared with [`name_similarity`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::client::Card;
use crate::email;
use crate::ids::ClientId;
use crate::inn::Inn;
use crate::phone::Phone;
use crate::search::text::{MIN_TYPO_LEN, name_words, normalised, order_key, within_one_typo};
use crate::search::{Letters, SearchIndex};
use crate::summary::ClientSummary;

/// What of a card is compared, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardKeys {
    pub name: String,
    /// Empty when there is none.
    pub inn: String,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
}

impl From<&Card> for CardKeys {
    fn from(card: &Card) -> CardKeys {
        CardKeys {
            name: card.name.clone(),
            inn: card.inn.clone(),
            phones: card
                .phones_sorted()
                .iter()
                .map(|p| p.number.clone())
                .collect(),
            emails: card
                .emails_sorted()
                .iter()
                .map(|e| e.address.clone())
                .collect(),
        }
    }
}

/// How similar two names are, closest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NameSimilarity {
    /// The same name once case, `ё`, quotes, legal forms, spaces and
    /// hyphens are set aside (`ООО «Альфа-Строй»` and `АО Альфастрой`).
    Same,
    /// The same words in another order, or nearly all the same words: the
    /// Jaccard index of the two sets of words is at least 0.8 (`Иванов Иван`
    /// and `Иван Иванов`; four of five words shared).
    SameWords,
    /// One typo apart (a letter changed, added, dropped, or two neighbours
    /// swapped), in names of at least 5 letters (`Вектор` and `Веткор`).
    OneTypo,
}

/// Why an existing client looks like a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// The same INN.
    SameInn { inn: String },
    /// A phone of the card (as typed) is one of theirs (as they typed it),
    /// the client's own or a contact person's.
    SamePhone {
        phone: String,
        theirs: String,
        contact_id: Option<String>,
    },
    /// An e-mail of the card is one of theirs, ignoring case.
    SameEmail {
        email: String,
        theirs: String,
        contact_id: Option<String>,
    },
    /// Their name is very similar.
    SimilarName {
        theirs: String,
        similarity: NameSimilarity,
    },
}

impl Reason {
    /// How strong a sign of a duplicate this is, strongest first.
    fn strength(&self) -> u8 {
        match self {
            Reason::SameInn { .. } => 0,
            Reason::SamePhone { .. } | Reason::SameEmail { .. } => 1,
            Reason::SimilarName { similarity, .. } => 2 + *similarity as u8,
        }
    }
}

/// An existing client that looks like the card, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub client_id: String,
    /// Their name as indexed.
    pub name: String,
    /// Every reason found, strongest first.
    pub reasons: Vec<Reason>,
}

/// A name's words for comparison: its distinct normalised words (sorted),
/// and all its words run together (so spaces and hyphens do not matter).
struct NameKey {
    words: Vec<String>,
    squashed: Vec<char>,
}

impl NameKey {
    fn of_normalised(normalised: &str) -> NameKey {
        let mut words: Vec<String> = normalised
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let squashed = words.iter().flat_map(|w| w.chars()).collect();
        words.sort_unstable();
        words.dedup();
        NameKey { words, squashed }
    }

    fn of_name(name: &str) -> NameKey {
        NameKey::of_normalised(&normalised(&name_words(name)))
    }

    /// [`NameSimilarity::Same`] or [`NameSimilarity::OneTypo`], judged on
    /// the letters alone.
    fn by_letters(&self, other: &[char]) -> Option<NameSimilarity> {
        if self.squashed.is_empty() || other.is_empty() {
            None
        } else if self.squashed == other {
            Some(NameSimilarity::Same)
        } else {
            let long_enough = self.squashed.len().min(other.len()) >= MIN_TYPO_LEN;
            (long_enough && within_one_typo(&self.squashed, other))
                .then_some(NameSimilarity::OneTypo)
        }
    }

    /// [`NameSimilarity::SameWords`]: a Jaccard index of the word sets of
    /// at least 0.8.
    fn by_words(&self, other: &NameKey) -> Option<NameSimilarity> {
        let shared = self
            .words
            .iter()
            .filter(|w| other.words.binary_search(w).is_ok())
            .count();
        let union = self.words.len() + other.words.len() - shared;
        // shared / union >= 4 / 5, in integers.
        (union > 0 && shared * 5 >= union * 4).then_some(NameSimilarity::SameWords)
    }

    fn similarity(&self, other: &NameKey) -> Option<NameSimilarity> {
        [self.by_letters(&other.squashed), self.by_words(other)]
            .into_iter()
            .flatten()
            .min()
    }
}

/// How similar two names are, if they are very similar (see
/// [`NameSimilarity`]). Names are read as search reads them: case, `ё`,
/// quotes and legal forms do not matter.
pub fn name_similarity(a: &str, b: &str) -> Option<NameSimilarity> {
    NameKey::of_name(a).similarity(&NameKey::of_name(b))
}

/// The clients with a name very similar to `mine`, by id, with the closest
/// similarity. Same letters or one typo: only names whose length and first
/// letters allow it are read ([`Letters`]). Most words shared: only names
/// with one of the rarest of `mine`'s words, found through the index's
/// dictionary — at most a fifth of the words may be missing, so one of the
/// `n - ceil(0.8 n) + 1` rarest is always shared.
fn similar_names<'a>(
    index: &'a SearchIndex,
    mine: &NameKey,
) -> HashMap<&'a str, (&'a str, NameSimilarity)> {
    let mut found: HashMap<&str, (&str, NameSimilarity)> = HashMap::new();
    if mine.squashed.is_empty() {
        return found;
    }
    let mut keep = |id, name, similarity: NameSimilarity| {
        let best = found.entry(id).or_insert((name, similarity));
        best.1 = best.1.min(similarity);
    };
    let mut theirs: Vec<char> = Vec::new();
    let letters = Letters::of_squashed(mine.squashed.iter().copied());
    for (client_id, name, normalised) in index.names_near(letters) {
        theirs.clear();
        theirs.extend(normalised.chars().filter(|&c| c != ' '));
        if let Some(similarity) = mine.by_letters(&theirs) {
            keep(client_id, name, similarity);
        }
    }
    let mut words: Vec<(usize, &String)> = mine
        .words
        .iter()
        .map(|w| (index.names_with_word(w), w))
        .collect();
    words.sort_unstable();
    let n = words.len();
    let must_share = (4 * n).div_ceil(5);
    for (_, word) in words.iter().take(n - must_share + 1) {
        for (client_id, name, normalised) in index.client_names_with_word(word) {
            if let Some(similarity) = mine.by_words(&NameKey::of_normalised(normalised)) {
                keep(client_id, name, similarity);
            }
        }
    }
    found
}

/// The existing clients that look like `card`, most likely duplicates
/// first (same INN, then a shared phone or e-mail, then names from the
/// closest), then by name. `own_id` is the card's own client id when it is
/// being edited: it is not its own duplicate.
///
/// Everything is looked up in the index; names are read only where their
/// length, first letters or rarest words allow a match (a millisecond or so
/// for 50,000 clients: meant for saving a card or leaving a field).
pub fn find_duplicates(
    index: &SearchIndex,
    card: &CardKeys,
    own_id: Option<&str>,
) -> Vec<Duplicate> {
    let mut found: HashMap<String, Duplicate> = HashMap::new();
    let mut add = |client_id: &str, name: &str, reason: Reason| {
        if Some(client_id) == own_id {
            return;
        }
        let duplicate = found
            .entry(client_id.to_owned())
            .or_insert_with(|| Duplicate {
                client_id: client_id.to_owned(),
                name: name.to_owned(),
                reasons: Vec::new(),
            });
        if !duplicate.reasons.contains(&reason) {
            duplicate.reasons.push(reason);
        }
    };

    if let Ok(inn) = Inn::parse(&card.inn) {
        for (client_id, name) in index.clients_with_inn(inn.as_str()) {
            add(
                client_id,
                name,
                Reason::SameInn {
                    inn: inn.to_string(),
                },
            );
        }
    }
    for typed in &card.phones {
        // A local number without an area code may be another town's.
        let Some(phone) = Phone::parse(typed).ok().filter(|p| !p.is_local()) else {
            continue;
        };
        for field in index.phones_with_key(phone.key()) {
            let reason = Reason::SamePhone {
                phone: typed.clone(),
                theirs: field.text.to_owned(),
                contact_id: field.contact_id.map(str::to_owned),
            };
            add(field.client_id, field.client_name, reason);
        }
    }
    for typed in &card.emails {
        let key = email::search_key(typed);
        if key.is_empty() {
            continue;
        }
        for field in index.emails_with_key(&key) {
            let reason = Reason::SameEmail {
                email: typed.clone(),
                theirs: field.text.to_owned(),
                contact_id: field.contact_id.map(str::to_owned),
            };
            add(field.client_id, field.client_name, reason);
        }
    }
    for (client_id, (name, similarity)) in similar_names(index, &NameKey::of_name(&card.name)) {
        add(
            client_id,
            name,
            Reason::SimilarName {
                theirs: name.to_owned(),
                similarity,
            },
        );
    }

    let mut duplicates: Vec<Duplicate> = found.into_values().collect();
    for duplicate in &mut duplicates {
        duplicate.reasons.sort_by_key(Reason::strength);
    }
    duplicates.sort_by_cached_key(|d| {
        let strength = d.reasons.first().map_or(u8::MAX, Reason::strength);
        let name = normalised(&name_words(&d.name));
        (strength, order_key(&name), name, d.client_id.clone())
    });
    duplicates
}

/// Clients of the base that share one INN: made concurrently on devices
/// that were offline (each device's check saw only its own base), listed
/// for a supervisor to merge once they have synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameInn {
    /// The INN's digits.
    pub inn: String,
    /// Two or more, the oldest first (by creation day, then id): the
    /// natural survivor of a merge.
    pub clients: Vec<ClientId>,
}

/// Every INN that more than one client of `summaries` holds (merged
/// clients and potential clients' Interests aside), by INN.
pub fn clients_sharing_inn<'a>(
    summaries: impl IntoIterator<Item = &'a ClientSummary>,
) -> Vec<SameInn> {
    let mut by_inn: BTreeMap<String, Vec<&ClientSummary>> = BTreeMap::new();
    for s in summaries.into_iter().filter(|s| s.is_client()) {
        if let Ok(inn) = Inn::parse(&s.inn) {
            by_inn.entry(inn.as_str().to_owned()).or_default().push(s);
        }
    }
    by_inn
        .into_iter()
        .filter(|(_, clients)| clients.len() > 1)
        .map(|(inn, mut clients)| {
            clients.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
            SameInn {
                inn,
                clients: clients.into_iter().map(|s| s.id.clone()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::search::{ContactEntry, SearchEntry};

    fn entry(id: &str, name: &str, inn: &str, phones: &[&str], emails: &[&str]) -> SearchEntry {
        SearchEntry {
            client_id: id.to_owned(),
            name: name.to_owned(),
            inn: (!inn.is_empty()).then(|| inn.to_owned()),
            phones: phones.iter().map(|s| (*s).to_owned()).collect(),
            emails: emails.iter().map(|s| (*s).to_owned()).collect(),
            ..SearchEntry::default()
        }
    }

    fn card(name: &str, inn: &str, phones: &[&str], emails: &[&str]) -> CardKeys {
        CardKeys {
            name: name.to_owned(),
            inn: inn.to_owned(),
            phones: phones.iter().map(|s| (*s).to_owned()).collect(),
            emails: emails.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn base() -> SearchIndex {
        let mut granit = entry("granit", "ООО «Гранит»", "", &[], &[]);
        granit.contacts = vec![ContactEntry {
            contact_id: "k1".to_owned(),
            name: "Сидоров Олег".to_owned(),
            phones: vec!["8 (916) 123-45-67".to_owned()],
            emails: vec!["O.Sidorov@granit.ru".to_owned()],
        }];
        SearchIndex::build([
            entry(
                "vektor",
                "ООО «Вектор»",
                "7707083893",
                &["+7 (495) 925-05-31"],
                &["info@vektor.ru"],
            ),
            entry(
                "alfa",
                "АО «Альфа-Строй»",
                "7736207543",
                &["925-05-31"],
                &[],
            ),
            granit,
            entry(
                "ivanov",
                "ИП Иванов Иван Иванович",
                "500100732259",
                &[],
                &[],
            ),
        ])
    }

    fn ids(found: &[Duplicate]) -> Vec<&str> {
        found.iter().map(|d| d.client_id.as_str()).collect()
    }

    #[test]
    fn same_inn_is_a_duplicate() {
        let found = find_duplicates(&base(), &card("Ромашка", "7707 083 893", &[], &[]), None);
        assert_eq!(ids(&found), ["vektor"]);
        assert_eq!(
            found[0].reasons,
            [Reason::SameInn {
                inn: "7707083893".to_owned()
            }]
        );
    }

    #[test]
    fn a_phone_in_another_form_is_a_duplicate() {
        let found = find_duplicates(
            &base(),
            &card("Ромашка", "", &["8 495 925 05 31"], &[]),
            None,
        );
        assert_eq!(ids(&found), ["vektor"]);
        assert_eq!(
            found[0].reasons,
            [Reason::SamePhone {
                phone: "8 495 925 05 31".to_owned(),
                theirs: "+7 (495) 925-05-31".to_owned(),
                contact_id: None,
            }]
        );
        // A local number alone proves nothing.
        assert!(
            find_duplicates(&base(), &card("Ромашка", "", &["925-05-31"], &[]), None).is_empty()
        );
    }

    #[test]
    fn a_contacts_phone_or_e_mail_is_a_duplicate() {
        let found = find_duplicates(
            &base(),
            &card(
                "Ромашка",
                "",
                &["+7 916 123 45 67"],
                &["o.sidorov@GRANIT.ru"],
            ),
            None,
        );
        assert_eq!(ids(&found), ["granit"]);
        assert_eq!(found[0].reasons.len(), 2);
        assert!(
            matches!(&found[0].reasons[1], Reason::SameEmail { theirs, contact_id: Some(k), .. }
            if theirs == "O.Sidorov@granit.ru" && k == "k1")
        );
    }

    #[test]
    fn similar_names_are_duplicates() {
        let index = base();
        let similar = |name: &str| {
            let found = find_duplicates(&index, &card(name, "", &[], &[]), None);
            found
                .iter()
                .map(|d| match &d.reasons[..] {
                    [Reason::SimilarName { similarity, .. }] => (d.client_id.clone(), *similarity),
                    other => panic!("unexpected reasons {other:?}"),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            similar("ЗАО Вектор"),
            [("vektor".to_owned(), NameSimilarity::Same)]
        );
        assert_eq!(
            similar("Альфастрой"),
            [("alfa".to_owned(), NameSimilarity::Same)]
        );
        assert_eq!(
            similar("Веткор"),
            [("vektor".to_owned(), NameSimilarity::OneTypo)]
        );
        assert_eq!(
            similar("Иван Иванович Иванов"),
            [("ivanov".to_owned(), NameSimilarity::SameWords)]
        );
        assert!(similar("Вектор Плюс").is_empty());
        assert!(similar("Гранат Строй").is_empty());
    }

    #[test]
    fn the_card_is_not_its_own_duplicate() {
        let found = find_duplicates(
            &base(),
            &card("ООО «Вектор»", "7707083893", &[], &[]),
            Some("vektor"),
        );
        assert!(found.is_empty());
    }

    #[test]
    fn strongest_reasons_first() {
        let card = card("Гранит", "7736207543", &["+7 495 925 05 31"], &[]);
        let found = find_duplicates(&base(), &card, None);
        assert_eq!(ids(&found), ["alfa", "vektor", "granit"]);
    }

    proptest::proptest! {
        /// The index's shortcuts find exactly the names that comparing
        /// with every client finds.
        #[test]
        fn similar_names_match_comparing_with_all(
            names in proptest::collection::vec(name(), 1..40),
            card_name in name(),
        ) {
            let entries: Vec<SearchEntry> = names
                .iter()
                .enumerate()
                .map(|(i, n)| entry(&format!("c{i}"), n, "", &[], &[]))
                .collect();
            let index = SearchIndex::build(entries.clone());
            let mut want: Vec<(String, NameSimilarity)> = entries
                .iter()
                .filter_map(|e| Some((e.client_id.clone(), name_similarity(&card_name, &e.name)?)))
                .collect();
            want.sort();
            let mut got: Vec<(String, NameSimilarity)> =
                find_duplicates(&index, &card(&card_name, "", &[], &[]), None)
                    .into_iter()
                    .filter_map(|d| match d.reasons.first() {
                        Some(Reason::SimilarName { similarity, .. }) => Some((d.client_id, *similarity)),
                        _ => None,
                    })
                    .collect();
            got.sort();
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// Names built from few words and letters, so that many are alike.
    fn name() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let word = prop_oneof![
            proptest::sample::select(
                &[
                    "Вектор",
                    "Веткор",
                    "Альфа",
                    "Строй",
                    "Альфа-Строй",
                    "Иван",
                    "Иванов",
                    "ООО",
                    "Нева",
                    "Нива"
                ][..]
            )
            .prop_map(str::to_owned),
            "[абв]{1,6}",
        ];
        proptest::collection::vec(word, 1..6).prop_map(|w| w.join(" "))
    }

    #[test]
    fn name_similarity_rules() {
        assert_eq!(
            name_similarity("ООО «Зелёный берег»", "зеленый Берег"),
            Some(NameSimilarity::Same)
        );
        assert_eq!(
            name_similarity("Альфа Строй", "Альфа-Строй"),
            Some(NameSimilarity::Same)
        );
        assert_eq!(
            name_similarity("Омега", "Омега"),
            Some(NameSimilarity::Same)
        );
        assert_eq!(
            name_similarity("Омега", "Омгеа"),
            Some(NameSimilarity::OneTypo)
        );
        assert_eq!(name_similarity("Нева", "Нива"), None);
        assert_eq!(
            name_similarity("Торговый дом Север Запад Трейд", "Торговый дом Север Запад"),
            Some(NameSimilarity::SameWords)
        );
        assert_eq!(name_similarity("Север Запад Трейд", "Север Запад"), None);
        assert_eq!(name_similarity("ООО", "АО"), None);
    }

    #[test]
    fn clients_made_offline_with_one_inn_are_listed_for_merging() {
        use crate::client::{Card, ClientDoc};
        use crate::date::{Date, Timestamp};
        use crate::ids::UserId;
        let summary = |id: &str, inn: &str, day: u32| {
            let card = Card {
                name: format!("Клиент {id}"),
                inn: inn.into(),
                created: Date::from_ymd(2026, 3, day).unwrap(),
                ..Card::default()
            };
            ClientSummary::of(&ClientDoc::new(
                ClientId(id.into()),
                card,
                None,
                &UserId("u".into()),
                Timestamp(0),
            ))
        };
        let mut merged = summary("m", "7707083893", 1);
        merged.merged_into = Some(ClientId("a".into()));
        let base = [
            summary("b", "7707083893", 2),
            summary("a", "7707 083 893", 3),
            summary("c", "7736207543", 1),
            summary("d", "", 1),
            summary("e", "", 1),
            merged,
        ];
        assert_eq!(
            clients_sharing_inn(&base),
            vec![SameInn {
                inn: "7707083893".into(),
                clients: vec![ClientId("b".into()), ClientId("a".into())],
            }]
        );
    }
}
