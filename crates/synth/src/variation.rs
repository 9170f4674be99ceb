//! The spelling-variation model: how the same name comes out differently
//! on another authority's list, a travel document or an officer's keyboard.
//!
//! All the rules are here, in one place, so a benchmark can say which rule
//! produced each query. They encode how Arabic names are written in Latin
//! script (MATCHING-NOTES.md), never one listed person.

use crate::rng::Rng;

/// One way a name is written differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variation {
    /// Another transliteration of the same sounds: ou↔u, dj↔j, ch↔sh,
    /// ph→f, q↔k, doubled↔single consonants, e↔i, o↔u, final -a↔-ah.
    Transliteration,
    /// The article written differently or dropped: al-↔el-↔El↔(none).
    Article,
    /// Compounds glued or split: Abdel Kader↔Abdelkader, Ben Ali↔Benali,
    /// Nour Eddine↔Noureddine; bin↔ben↔ibn.
    JoinSplit,
    /// A middle token (a nasab link or a second given name) left out.
    DroppedToken,
    /// Surname first (as lists and MRZs print it).
    Reordered,
    /// Upper case, accents and punctuation gone, as in a machine-readable zone.
    Mrz,
    /// The Arabic-script form, with the usual input differences (hamza
    /// forms, taa marbuta as haa, alef maqsura as yaa).
    ArabicScript,
    /// One keyboard slip: a letter dropped, doubled or two swapped.
    Typo,
}

impl Variation {
    /// Every rule, in declaration order.
    pub const ALL: [Variation; 8] = [
        Variation::Transliteration,
        Variation::Article,
        Variation::JoinSplit,
        Variation::DroppedToken,
        Variation::Reordered,
        Variation::Mrz,
        Variation::ArabicScript,
        Variation::Typo,
    ];

    /// The rule's name as it appears in [`crate::LabelledTraveller::how`].
    pub fn as_str(self) -> &'static str {
        match self {
            Variation::Transliteration => "transliteration",
            Variation::Article => "article",
            Variation::JoinSplit => "join-split",
            Variation::DroppedToken => "dropped-token",
            Variation::Reordered => "reordered",
            Variation::Mrz => "mrz",
            Variation::ArabicScript => "arabic-script",
            Variation::Typo => "typo",
        }
    }
}

/// Letter-group substitutions between conventions, both directions. Applied
/// to lower case text; a pair is tried only where its left side occurs.
const SWAPS: &[(&str, &str)] = &[
    ("ou", "u"),
    ("u", "ou"),
    ("dj", "j"),
    ("j", "dj"),
    ("ch", "sh"),
    ("sh", "ch"),
    ("ph", "f"),
    ("q", "k"),
    ("k", "q"),
    ("dd", "d"),
    ("mm", "m"),
    ("ss", "s"),
    ("tt", "t"),
    ("ll", "l"),
    ("rr", "r"),
    ("e", "i"),
    ("i", "e"),
    ("o", "u"),
    ("u", "o"),
    ("ee", "i"),
    ("y", "i"),
    ("ie", "y"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("aa", "a"),
    ("ai", "ei"),
    ("ei", "ai"),
    ("oo", "u"),
];

/// Applies `v` to `name`; `None` when the rule does not apply to this name
/// (nothing to drop, no Arabic form given, …). `arabic` is the name's
/// Arabic-script form when one is known.
pub(crate) fn apply(
    rng: &mut Rng,
    v: Variation,
    name: &str,
    arabic: Option<&str>,
) -> Option<String> {
    let out = match v {
        Variation::Transliteration => transliterate(rng, name),
        Variation::Article => article(rng, name),
        Variation::JoinSplit => join_split(rng, name),
        Variation::DroppedToken => drop_token(rng, name),
        Variation::Reordered => reorder(name),
        Variation::Mrz => Some(mrz(name)),
        Variation::ArabicScript => arabic_input(rng, arabic?),
        Variation::Typo => typo(rng, name),
    }?;
    (out != name && !out.trim().is_empty()).then_some(out)
}

/// Applies rule `v` to `name` with a generator seeded by `seed` (the same
/// arguments give the same result). `None` when the rule does not apply
/// (nothing to drop, no Arabic form given…) or would return `name` itself.
/// `arabic` is the name's Arabic-script form, used by
/// [`Variation::ArabicScript`].
pub fn vary(seed: u64, v: Variation, name: &str, arabic: Option<&str>) -> Option<String> {
    apply(&mut Rng::new(seed), v, name, arabic)
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Changes one or two letter groups inside words (never the first letter of
/// a one-letter swap at a word start, to keep names recognisable).
fn transliterate(rng: &mut Rng, name: &str) -> Option<String> {
    let mut s = name.to_string();
    let rounds = 1 + rng.below(2);
    let mut changed = false;
    for _ in 0..rounds {
        let lower = s.to_ascii_lowercase();
        let candidates: Vec<(usize, &(&str, &str))> = SWAPS
            .iter()
            .flat_map(|pair| {
                lower
                    .match_indices(pair.0)
                    .map(move |(i, _)| (i, pair))
                    .filter(|(i, pair)| *i > 0 || pair.0.len() > 1)
            })
            .filter(|(i, pair)| {
                // A single vowel swap only inside a word, between consonants.
                let b = lower.as_bytes();
                pair.0.len() > 1
                    || !is_vowel(pair.0.as_bytes()[0])
                    || (*i > 0 && !is_vowel(b[i - 1]) && b[i - 1] != b' ')
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let (i, (from, to)) = *rng.pick(&candidates);
        let original = &s[i..i + from.len()];
        let replacement = if original.chars().next().is_some_and(char::is_uppercase) {
            let mut t = to.to_string();
            if let Some(f) = t.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            t
        } else {
            to.to_string()
        };
        s.replace_range(i..i + from.len(), &replacement);
        changed = true;
    }
    changed.then_some(s)
}

const ARTICLES: &[&str] = &["al-", "el-", "Al-", "El-", "al ", "el ", "Al ", "El "];

fn article(rng: &mut Rng, name: &str) -> Option<String> {
    let hits: Vec<(usize, &str)> = ARTICLES
        .iter()
        .flat_map(|a| {
            name.match_indices(a)
                .filter(|(i, _)| *i == 0 || name.as_bytes()[i - 1] == b' ')
        })
        .collect();
    if hits.is_empty() {
        return None;
    }
    let (i, found) = *rng.pick(&hits);
    let replacement = rng.pick_str(&["al-", "el-", "Al ", "El ", "", "Al-", "el "]);
    let mut s = name.to_string();
    s.replace_range(i..i + found.len(), replacement);
    Some(s)
}

const GLUE_HEADS: &[&str] = &[
    "abdel", "abdul", "abd", "abu", "abou", "bou", "ben", "bin", "bel", "ould",
];
const GLUE_TAILS: &[&str] = &["eddine", "uddin", "ddine", "allah", "ullah"];

/// Glues a compound head to the next token, splits a glued one, or swaps
/// bin/ben/ibn.
fn join_split(rng: &mut Rng, name: &str) -> Option<String> {
    let tokens: Vec<&str> = name.split(' ').filter(|t| !t.is_empty()).collect();
    let mut options: Vec<String> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let l = t.to_ascii_lowercase();
        if i + 1 < tokens.len() && GLUE_HEADS.contains(&l.as_str()) {
            let mut v = tokens.clone();
            let mut glued = format!(
                "{}{}",
                t,
                tokens[i + 1].to_ascii_lowercase().trim_start_matches("al-")
            );
            if let Some(f) = glued.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            v.splice(i..i + 2, [glued.as_str()]);
            options.push(v.join(" "));
        }
        if i + 1 < tokens.len()
            && GLUE_TAILS
                .iter()
                .any(|tail| tokens[i + 1].eq_ignore_ascii_case(tail))
        {
            let mut v = tokens.clone();
            let glued = format!("{}{}", t, tokens[i + 1].to_ascii_lowercase());
            v.splice(i..i + 2, [glued.as_str()]);
            options.push(v.join(" "));
        }
        for head in ["Abdel", "Abdul", "Ben", "Bou"] {
            if l.len() > head.len() + 2 && l.starts_with(&head.to_ascii_lowercase()) {
                let rest = &t[head.len()..];
                let mut r = rest.to_string();
                if let Some(f) = r.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                let mut v: Vec<String> = tokens.iter().map(|s| s.to_string()).collect();
                v.splice(i..i + 1, [head.to_string(), r]);
                options.push(v.join(" "));
            }
        }
        if ["bin", "ben", "ibn"].contains(&l.as_str()) {
            for alt in ["bin", "ben", "ibn", "Bin", "Ben", "Ibn"] {
                if alt.to_ascii_lowercase() != l
                    && alt.starts_with(|c: char| c.is_uppercase())
                        == t.starts_with(|c: char| c.is_uppercase())
                {
                    let mut v = tokens.clone();
                    v[i] = alt;
                    options.push(v.join(" "));
                }
            }
        }
    }
    if options.is_empty() {
        return None;
    }
    Some(options.swap_remove(rng.below(options.len())))
}

/// Words that open a name unit with the next word (Abd al-Qadir, Abu
/// Hamza, Ben Salah, Ould Ahmed, al-Rawi) and words that close one with the
/// previous word (Nour Eddine, Nur al-Din, Abd Allah), in both scripts.
const UNIT_HEADS: &[&str] = &[
    "abd", "abdel", "abdul", "abu", "abou", "bou", "umm", "oum", "bin", "ben", "ibn", "bint",
    "bent", "ould", "mint", "al", "el", "ul", "عبد", "أبو", "ابو", "أم", "ام", "بن", "بنت", "ولد",
    "منت",
];
const UNIT_TAILS: &[&str] = &[
    "din",
    "al-din",
    "el-din",
    "ud-din",
    "eddine",
    "uddin",
    "allah",
    "ullah",
    "الدين",
    "الله",
];

/// Groups the words of a name into name units: a unit is one word, or a
/// head with what follows it, or a word with the tail that follows it.
pub(crate) fn units(name: &str) -> Vec<Vec<&str>> {
    let words: Vec<&str> = name.split(' ').filter(|t| !t.is_empty()).collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let is_tail = |i: usize| UNIT_TAILS.contains(&lower[i].as_str());
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut open = false;
    for (i, w) in words.iter().enumerate() {
        // "El Din" / "al Din": an article that starts a tail closes too.
        let tail = is_tail(i)
            || (matches!(lower[i].as_str(), "el" | "al") && i + 1 < words.len() && is_tail(i + 1));
        match out.last_mut() {
            Some(unit) if open || tail => unit.push(w),
            _ => out.push(vec![w]),
        }
        open = UNIT_HEADS.contains(&lower[i].as_str());
    }
    out
}

fn drop_token(rng: &mut Rng, name: &str) -> Option<String> {
    let units = units(name);
    if units.len() < 3 {
        return None;
    }
    // Drop a middle unit (a nasab link with its particle, a second given name).
    let i = 1 + rng.below(units.len() - 2);
    let keep: Vec<&str> = units
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .flat_map(|(_, u)| u.iter().copied())
        .collect();
    Some(keep.join(" "))
}

fn reorder(name: &str) -> Option<String> {
    let tokens: Vec<&str> = name.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.len() < 2 {
        return None;
    }
    let (last, rest) = tokens.split_last()?;
    Some(format!("{} {}", last.to_uppercase(), rest.join(" ")))
}

/// The name as a machine-readable zone prints it, with spaces instead of
/// `<` (what an MRZ parser gives back): upper case, ASCII letters only.
pub fn mrz(name: &str) -> String {
    crate::fold::fold(name).to_ascii_uppercase()
}

/// How an officer or a document system types an Arabic name: hamza forms
/// on alef dropped, taa marbuta as haa, alef maqsura as yaa, compounds
/// glued (عبدالقادر, نورالدين), a middle name left out, now and then a vowel
/// mark. At least one of them, when any applies.
fn arabic_input(rng: &mut Rng, arabic: &str) -> Option<String> {
    let mut rules: Vec<u8> = Vec::new();
    if arabic.contains(['أ', 'إ', 'آ']) {
        rules.push(0);
    }
    if arabic.contains('ة') {
        rules.push(1);
    }
    if arabic.contains('ى') {
        rules.push(2);
    }
    if arabic.contains("عبد ") || arabic.contains(" الدين") || arabic.contains("أبو ") {
        rules.push(3);
    }
    if units(arabic).len() >= 3 {
        rules.push(4);
    }
    if rules.is_empty() {
        return None;
    }
    let first = *rng.pick(&rules);
    let chosen: Vec<u8> = rules
        .into_iter()
        .filter(|r| *r == first || rng.chance(30))
        .collect();
    let mut out = arabic.to_string();
    for r in chosen {
        out = match r {
            0 => out.replace(['أ', 'إ', 'آ'], "ا"),
            1 => out.replace('ة', "ه"),
            2 => out.replace('ى', "ي"),
            3 => out
                .replace("عبد ", "عبد")
                .replace(" الدين", "الدين")
                .replace("أبو ", "أبو"),
            _ => drop_token(rng, &out).unwrap_or(out),
        };
    }
    if rng.chance(10) {
        // A fatha on the first letter: diacritics that real input carries.
        if let Some(first) = out.chars().next() {
            out.insert(first.len_utf8(), '\u{064E}');
        }
    }
    Some(out)
}

fn typo(rng: &mut Rng, name: &str) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let positions: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_alphabetic() && chars[i + 1].is_alphabetic())
        .collect();
    if positions.is_empty() {
        return None;
    }
    let i = *rng.pick(&positions);
    let mut c = chars;
    match rng.below(3) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        _ => c.swap(i, i + 1),
    }
    Some(c.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All outputs of `v` on `name` over many draws.
    fn outputs(v: Variation, name: &str, arabic: Option<&str>) -> Vec<String> {
        let mut rng = Rng::new(11);
        let mut out: Vec<String> = (0..400)
            .filter_map(|_| apply(&mut rng, v, name, arabic))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[track_caller]
    fn check_contains(v: Variation, name: &str, expect: &str) {
        let out = outputs(v, name, None);
        assert!(
            out.iter().any(|o| o == expect),
            "{v:?} of {name:?} never gave {expect:?}: {out:?}"
        );
    }

    #[test]
    fn transliteration_swaps_letter_groups() {
        check_contains(
            Variation::Transliteration,
            "Youcef Bouchareb",
            "Yucef Bouchareb",
        );
        check_contains(Variation::Transliteration, "Djamel Haddad", "Jamel Haddad");
        check_contains(Variation::Transliteration, "Djamel Haddad", "Djamel Hadad");
        check_contains(
            Variation::Transliteration,
            "Mustapha Chaoui",
            "Mustafa Chaoui",
        );
        check_contains(Variation::Transliteration, "Hichem Gharbi", "Hishem Gharbi");
    }

    #[test]
    fn articles_and_compounds() {
        check_contains(Variation::Article, "Omar al-Dulaymi", "Omar El Dulaymi");
        check_contains(Variation::Article, "Omar al-Dulaymi", "Omar Dulaymi");
        check_contains(
            Variation::JoinSplit,
            "Abdel Kader Haddad",
            "Abdelkader Haddad",
        );
        check_contains(
            Variation::JoinSplit,
            "Abdelkader Haddad",
            "Abdel Kader Haddad",
        );
        check_contains(
            Variation::JoinSplit,
            "Nour Eddine Ben Ali",
            "Noureddine Ben Ali",
        );
        check_contains(
            Variation::JoinSplit,
            "Nour Eddine Ben Ali",
            "Nour Eddine Benali",
        );
        check_contains(Variation::JoinSplit, "Hisham bin Salih", "Hisham ibn Salih");
    }

    #[test]
    fn structure_changes() {
        check_contains(
            Variation::DroppedToken,
            "Hichem Ben Salah Gharbi",
            "Hichem Gharbi",
        );
        assert_eq!(
            outputs(Variation::DroppedToken, "Hichem Gharbi", None),
            Vec::<String>::new()
        );
        check_contains(Variation::Reordered, "Hichem Gharbi", "GHARBI Hichem");
        check_contains(Variation::Mrz, "Saïd al-Hasi", "SAID AL HASI");
    }

    #[test]
    fn arabic_input_drops_hamza_and_marks_taa() {
        let out = outputs(Variation::ArabicScript, "x", Some("أسامة أحمد"));
        assert!(out.iter().any(|o| o == "اسامه احمد"), "{out:?}");
        let out = outputs(
            Variation::ArabicScript,
            "x",
            Some("نور الدين بن عبد القادر"),
        );
        assert!(out.iter().any(|o| o == "نورالدين بن عبدالقادر"), "{out:?}");
        let out = outputs(
            Variation::ArabicScript,
            "x",
            Some("نور الدين بن عبد القادر حداد"),
        );
        assert!(out.iter().any(|o| o == "نور الدين حداد"), "{out:?}");
        let out = outputs(Variation::ArabicScript, "x", Some("ناصر عبد الرحيم العاني"));
        assert!(out.iter().all(|o| !o.contains("ناصر الرحيم")), "{out:?}");
        assert_eq!(
            outputs(Variation::ArabicScript, "x", Some("علي حداد")),
            Vec::<String>::new()
        );
        assert_eq!(
            outputs(Variation::ArabicScript, "x", None),
            Vec::<String>::new()
        );
    }

    #[test]
    fn typos_change_one_letter() {
        for o in outputs(Variation::Typo, "Mansouri", None) {
            let d = o.len() as i64 - "Mansouri".len() as i64;
            assert!(d.abs() <= 1 && o.starts_with('M'), "{o}");
        }
    }

    const ALL: [Variation; 8] = Variation::ALL;

    proptest::proptest! {
        #[test]
        fn any_input_any_rule_no_panic_and_no_identity(name in "\\PC{0,30}", seed in 0u64..1000) {
            for v in ALL {
                if let Some(o) = vary(seed, v, &name, Some(&name)) {
                    proptest::prop_assert_ne!(&o, &name);
                    proptest::prop_assert!(!o.trim().is_empty());
                }
            }
        }

        #[test]
        fn latin_names_keep_their_size(name in "[A-Z][a-z]{1,8}( (al-|El |Ben |Abdel )?[A-Z][a-z]{1,8}){1,3}", seed in 0u64..1000) {
            for v in ALL {
                if let Some(o) = vary(seed, v, &name, None) {
                    let (a, b) = (o.chars().count() as i64, name.chars().count() as i64);
                    if v == Variation::DroppedToken {
                        let words = |s: &str| s.split(' ').count();
                        proptest::prop_assert!(words(&o) < words(&name) && words(&o) >= 2, "{} -> {}", name, o);
                    } else {
                        // Other rules change a few letters, never whole words.
                        proptest::prop_assert!((a - b).abs() <= 4, "{:?}: {} -> {}", v, name, o);
                    }
                }
            }
        }
    }

    #[test]
    fn never_returns_the_input() {
        let mut rng = Rng::new(5);
        for v in [
            Variation::Transliteration,
            Variation::Article,
            Variation::JoinSplit,
            Variation::Typo,
            Variation::Mrz,
        ] {
            for name in ["Ali", "MOHAMED ALI", "Abd al-Qadir bin Yusuf", ""] {
                if let Some(o) = apply(&mut rng, v, name, None) {
                    assert_ne!(o, name);
                }
            }
        }
    }
}
