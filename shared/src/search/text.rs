//! How search and duplicate control read a name: its words in lower case
//! with `ё` read as `е`, quotes and punctuation as separators, legal forms
//! (ООО, АО, ИП, LLC, GmbH, "общество с ограниченной ответственностью", …)
//! dropped; and the one-typo comparisons between words.

/// A word of a name as search sees it, with where it came from in the
/// original text (for highlighting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Lower case, `ё` read as `е`.
    pub text: String,
    /// Byte offset in the original text where the word starts.
    pub start: usize,
    /// For each char of `text`, the byte offset in the original text where
    /// the character that produced it ends (empty when not asked for).
    pub ends: Vec<usize>,
    /// A compound of the words before it that were joined by hyphens or
    /// apostrophes (`альфастрой` of `Альфа-Строй`), so that a query typed
    /// without the hyphen finds the name too. Compounds are extra words:
    /// they are not part of the name's normalised form.
    pub compound: bool,
}

/// Typos are tolerated only between words and typed tokens of at least
/// this many letters: in shorter ones one letter changes the word.
pub(crate) const MIN_TYPO_LEN: usize = 5;

/// Legal forms written as one word (normalised).
const LEGAL_FORMS: &[&str] = &[
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "нао",
    "ип",
    "нко",
    "ано",
    "гуп",
    "муп",
    "фгуп",
    "тоо",
    "чп",
    "пбоюл",
    "ooo",
    "llc",
    "ltd",
    "gmbh",
    "inc",
    "corp",
    "plc",
];

/// Legal forms written out in words (normalised), longest first where one
/// is the tail of another.
const LEGAL_PHRASES: &[&[&str]] = &[
    &["общество", "с", "ограниченной", "ответственностью"],
    &["публичное", "акционерное", "общество"],
    &["непубличное", "акционерное", "общество"],
    &["закрытое", "акционерное", "общество"],
    &["открытое", "акционерное", "общество"],
    &["акционерное", "общество"],
    &["индивидуальный", "предприниматель"],
    &["автономная", "некоммерческая", "организация"],
    &["некоммерческая", "организация"],
    &["limited", "liability", "company"],
];

/// Whether a character joins two parts of one word (`Альфа-Строй`,
/// `O'Neil`) when it stands between letters.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’' | 'ʼ' | '‐' | '\u{2011}')
}

/// Pushes the normalised form of `c` (lower case, `ё` as `е`); how many
/// chars that was.
fn push_normalised(c: char, out: &mut String) -> usize {
    // Russian and ASCII letters are nearly all a name has: map them
    // without the general Unicode tables.
    let simple = match c {
        'а'..='я' | 'a'..='z' | '0'..='9' => Some(c),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        'ё' | 'Ё' => Some('е'),
        _ => None,
    };
    if let Some(lower) = simple {
        out.push(lower);
        return 1;
    }
    let mut pushed = 0;
    for lower in c.to_lowercase() {
        out.push(if lower == 'ё' { 'е' } else { lower });
        pushed += 1;
    }
    pushed
}

/// A text as search compares it, character by character: lower case, `ё`
/// read as `е` (`Зелёный` → `зеленый`); everything else is kept as it is.
/// The one fold for every comparison of typed text with stored text
/// (filters, the sales board, duplicate names), so they all agree with
/// search.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_normalised(c, &mut out);
    }
    out
}

/// Whether `c` is part of a word: a letter or a digit.
fn is_word_char(c: char) -> bool {
    matches!(c, 'а'..='я' | 'А'..='Я' | 'a'..='z' | 'A'..='Z' | '0'..='9' | 'ё' | 'Ё')
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// The words of a text: runs of letters and digits, plus compounds of
/// hyphen-joined runs. Legal forms are kept (see [`name_words`]). Without
/// `located`, `ends` is left empty (indexing needs no offsets).
fn all_words(text: &str, located: bool) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    // Indices in `words` of the parts of the compound being read.
    let mut group: Vec<usize> = Vec::new();
    let mut after_joiner = false;
    for (at, c) in text.char_indices() {
        if is_word_char(c) {
            let word = current.get_or_insert_with(|| {
                if !after_joiner {
                    close_group(&mut words, &mut group);
                }
                Word {
                    text: String::new(),
                    start: at,
                    ends: Vec::new(),
                    compound: false,
                }
            });
            let pushed = push_normalised(c, &mut word.text);
            if located {
                word.ends
                    .extend(std::iter::repeat_n(at + c.len_utf8(), pushed));
            }
            after_joiner = false;
        } else {
            let joined = current.is_some() && is_joiner(c);
            if let Some(word) = current.take() {
                words.push(word);
                group.push(words.len() - 1);
            }
            if !joined {
                close_group(&mut words, &mut group);
            }
            after_joiner = joined;
        }
    }
    if let Some(word) = current.take() {
        words.push(word);
        group.push(words.len() - 1);
    }
    close_group(&mut words, &mut group);
    words
}

/// Adds the compound of the words in `group` if there are two or more.
fn close_group(words: &mut Vec<Word>, group: &mut Vec<usize>) {
    if group.len() >= 2 {
        let mut compound = Word {
            text: String::new(),
            start: words[group[0]].start,
            ends: Vec::new(),
            compound: true,
        };
        for &i in group.iter() {
            compound.text.push_str(&words[i].text);
            compound.ends.extend_from_slice(&words[i].ends);
        }
        words.push(compound);
    }
    group.clear();
}

/// The words of a name, legal forms dropped, compounds included, with
/// where each char came from.
pub(crate) fn name_words(text: &str) -> Vec<Word> {
    read_name(text, true)
}

/// [`name_words`] without the offsets: for indexing and comparing.
pub(crate) fn name_words_unlocated(text: &str) -> Vec<Word> {
    read_name(text, false)
}

fn read_name(text: &str, located: bool) -> Vec<Word> {
    let words = all_words(text, located);
    let plain: Vec<usize> = (0..words.len()).filter(|&i| !words[i].compound).collect();
    let mut legal = vec![false; words.len()];
    let mut p = 0;
    while p < plain.len() {
        let phrase = LEGAL_PHRASES.iter().find(|phrase| {
            phrase.len() <= plain.len() - p
                && phrase
                    .iter()
                    .zip(&plain[p..])
                    .all(|(form, &i)| words[i].text == *form)
        });
        if let Some(phrase) = phrase {
            for &i in &plain[p..p + phrase.len()] {
                legal[i] = true;
            }
            p += phrase.len();
        } else {
            legal[plain[p]] = LEGAL_FORMS.contains(&words[plain[p]].text.as_str());
            p += 1;
        }
    }
    words
        .into_iter()
        .zip(legal)
        .filter_map(|(word, legal)| (!legal).then_some(word))
        .collect()
}

/// The normalised form of a name: its words (no compounds, no legal
/// forms) joined by single spaces. Two names with the same normalised form
/// are the same name for search and duplicate control.
pub(crate) fn normalised(words: &[Word]) -> String {
    let mut out = String::new();
    for word in words.iter().filter(|w| !w.compound) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.text);
    }
    out
}

/// A sort key that orders names alphabetically by their first eighteen
/// characters (digits, then Latin, then Cyrillic letters, then anything
/// else), so that ranking compares numbers instead of strings; the rare
/// ties are broken by the whole normalised name.
pub(crate) fn order_key(normalised: &str) -> u128 {
    let mut key = 0u128;
    let mut chars = normalised.chars();
    for _ in 0..18 {
        let code: u128 = match chars.next() {
            None => 0,
            Some(' ') => 1,
            Some(c @ '0'..='9') => 2 + u128::from(c) - u128::from('0'),
            Some(c @ 'a'..='z') => 12 + u128::from(c) - u128::from('a'),
            Some(c @ 'а'..='я') => 38 + u128::from(c) - u128::from('а'),
            Some(_) => 127,
        };
        key = key << 7 | code;
    }
    key
}

/// If `token` matches a prefix of `word` with exactly one typo (a letter
/// changed, added, dropped, or two neighbours swapped) and not without
/// one, the length of that prefix in chars.
///
/// With one edit the edit can always be placed at the first difference,
/// so four comparisons from there decide it.
pub(crate) fn typo_prefix(token: &[char], word: &[char]) -> Option<usize> {
    let n = token.iter().zip(word).take_while(|(a, b)| a == b).count();
    if n == token.len() {
        return None;
    }
    let (t, w) = (token, word);
    let substituted = n < w.len() && w[n + 1..].starts_with(&t[n + 1..]);
    if substituted {
        return Some(t.len());
    }
    let swapped = n + 1 < t.len()
        && n + 1 < w.len()
        && t[n] == w[n + 1]
        && t[n + 1] == w[n]
        && w[n + 2..].starts_with(&t[n + 2..]);
    if swapped {
        return Some(t.len());
    }
    if w[n..].starts_with(&t[n + 1..]) {
        // The token has an extra letter.
        return Some(t.len() - 1);
    }
    if n < w.len() && w[n + 1..].starts_with(&t[n..]) {
        // The token misses a letter.
        return Some(t.len() + 1);
    }
    None
}

/// Whether two words are equal or one typo apart (optimal string
/// alignment distance at most 1).
pub(crate) fn within_one_typo(a: &[char], b: &[char]) -> bool {
    let n = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if n == a.len() && n == b.len() {
        return true;
    }
    let tail = |x: usize, y: usize| a.get(x..) == b.get(y..) && a.get(x..).is_some();
    let substituted = n < a.len() && n < b.len() && tail(n + 1, n + 1);
    let dropped = n < a.len() && a.len() == b.len() + 1 && tail(n + 1, n);
    let added = n < b.len() && b.len() == a.len() + 1 && tail(n, n + 1);
    let swapped = n + 1 < a.len()
        && n + 1 < b.len()
        && a[n] == b[n + 1]
        && a[n + 1] == b[n]
        && tail(n + 2, n + 2);
    substituted || dropped || added || swapped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        name_words(text).into_iter().map(|w| w.text).collect()
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn words_are_lower_case_with_yo_as_ye() {
        assert_eq!(texts("ООО «Зелёный Берег»"), ["зеленый", "берег"]);
        assert_eq!(texts("Fischer GmbH"), ["fischer"]);
        assert_eq!(
            texts("ИП Фёдоров Пётр Семёнович"),
            ["федоров", "петр", "семенович"]
        );
    }

    #[test]
    fn legal_forms_are_dropped_in_any_spelling() {
        assert_eq!(texts("ООО \"Вектор\""), ["вектор"]);
        assert_eq!(
            texts("Общество с ограниченной ответственностью «Вектор»"),
            ["вектор"]
        );
        assert_eq!(texts("ПАО Сбербанк"), ["сбербанк"]);
        assert_eq!(
            texts("Публичное акционерное общество «Газпром»"),
            ["газпром"]
        );
        assert_eq!(texts("Acme Ltd."), ["acme"]);
        // Words of a legal form alone are kept: "общество" is a word here.
        assert_eq!(
            texts("Общество любителей книг"),
            ["общество", "любителей", "книг"]
        );
    }

    #[test]
    fn hyphenated_names_give_a_compound() {
        let words = name_words("Альфа-Строй 2000");
        let compound: Vec<_> = words.iter().filter(|w| w.compound).collect();
        assert_eq!(compound.len(), 1);
        assert_eq!(compound[0].text, "альфастрой");
        assert_eq!(compound[0].start, 0);
        assert_eq!(normalised(&words), "альфа строй 2000");
        // A hyphen between spaces is a dash, not a joiner.
        assert!(name_words("Альфа - Строй").iter().all(|w| !w.compound));
    }

    #[test]
    fn word_offsets_point_into_the_original_text() {
        let text = "ООО «Зелёный»";
        let words = name_words(text);
        let word = &words[0];
        assert_eq!(&text[word.start..word.ends[4]], "Зелён");
        assert_eq!(
            &text[word.start..*word.ends.last().unwrap_or(&0)],
            "Зелёный"
        );
    }

    #[test]
    fn order_key_is_alphabetical() {
        let names = [
            "1с",
            "acme",
            "zeta",
            "альфа",
            "альфа строй",
            "альфастрой",
            "вектор",
            "ягуар",
        ];
        for pair in names.windows(2) {
            assert!(order_key(pair[0]) < order_key(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn one_typo_in_a_prefix() {
        let t = |a: &str, b: &str| typo_prefix(&chars(a), &chars(b));
        assert_eq!(t("вектр", "векторстрой"), Some(5));
        assert_eq!(t("веткор", "вектор"), Some(6));
        assert_eq!(t("векптор", "вектор"), Some(6));
        assert_eq!(t("вукто", "вектор"), Some(5));
        assert_eq!(t("ывектор", "вектор"), Some(6));
        assert_eq!(t("вектор", "вектор"), None);
        assert_eq!(t("вкетро", "вектор"), None);
        assert_eq!(t("магистарль", "магистраль"), Some(10));
        assert_eq!(t("магистраль", "магистр"), None);
        assert_eq!(t("магистрал", "магистр"), None);
        assert_eq!(t("магистрх", "магистр"), Some(7));
    }

    #[test]
    fn one_typo_between_words() {
        let t = |a: &str, b: &str| within_one_typo(&chars(a), &chars(b));
        assert!(t("вектор", "вектор"));
        assert!(t("вектор", "веткор"));
        assert!(t("вектор", "вектр"));
        assert!(t("вектр", "вектор"));
        assert!(t("вектор", "векторы"));
        assert!(t("вектор", "вектар"));
        assert!(!t("вектор", "вкетро"));
        assert!(!t("вектор", "векторстрой"));
        assert!(!t("", "ab"));
        assert!(t("", "a"));
    }

    #[test]
    fn typed_text_folds_as_search_reads_names() {
        assert_eq!(fold("ООО «Зелёный Берег»"), "ооо «зеленый берег»");
        assert_eq!(fold("ЁЛКА Straße"), "елка straße");
        let name = "Фёдоров Пётр";
        let words: Vec<String> = name_words(name).into_iter().map(|w| w.text).collect();
        assert_eq!(fold(name), words.join(" "));
    }
}
