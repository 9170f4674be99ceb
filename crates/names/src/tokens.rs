//! Tokenisation into Arabic *name units*: `Abd al-Qadir`, `Nur al-Din`,
//! `Saif Allah` and `Abu Bakr` are one unit each, whether written as one,
//! two or three words, in Latin or Arabic script. Articles and nasab
//! particles are not tokens of their own: they are flags on the next unit.

use crate::concepts::{Concept, arabic_concept, latin_concept, legal_form_phrase_words};
use crate::normalize::{Script, normalize, word_script};
use crate::phonetic::{arabic_key, join_keys, latin_key};
use crate::skeleton::{arabic_skeleton, latin_skeleton};
use crate::translit::transliterate_word;

/// What kind of name unit a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitKind {
    /// An ordinary name word.
    Plain,
    /// `Abd` + (article) + attribute: Abd al-Qadir, Abdelkader, عبد القادر.
    Abd,
    /// attribute + (article) + `Din`: Nur al-Din, Noureddine, نور الدين.
    Din,
    /// attribute + `Allah`: Saif Allah, Saifullah, سيف الله.
    Allah,
    /// `Abu`/`Umm` + name: a kunya (Abu Bakr, Bou Bakr, أبو بكر).
    Kunya,
    /// Generic organisation vocabulary (group, front, جبهة…).
    Generic(Concept),
    /// A single Latin letter (an initial).
    Initial,
    /// The initials of an organisation name (`cmig` for Cruise Missile
    /// Industry Group), made by [`acronyms`]: matched by spelling only.
    Acronym,
}

/// Why a [`Variant`] reading of a token exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VariantKind {
    /// The token with its nasab particle glued on (Ben Ali -> Benali).
    GluedParticle,
    /// A glued Latin article removed (Albaghdadi -> Baghdadi).
    ArticleStripped,
    /// Maghreb `Bel`/`Bou` read as the kunya Abu (Belkacem = Abu al-Qasim).
    MaghrebKunya,
    /// The name inside a kunya (Abu Sufyan -> Sufyan): lists use a kunya
    /// and the bare name interchangeably, but it is weaker evidence.
    KunyaInner,
    /// Another reading of Arabic letters that Latin spellings follow
    /// ([`arabic_readings`]): a consonant pair spelled as a Latin digraph
    /// (اسحاق = Ishaq), a final taa marbuta read `-at` (نصرة = Nusrat).
    ArabicReading,
    /// A Latin `x` after the first letter read `ks`, as most European
    /// spellings write it (Alexander = Aleksandr, Maxim = Maksim).
    XAsKs,
}

/// An alternative reading of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub text: String,
    pub skeleton: String,
    /// Phonetic key (see [`crate::phonetic`]).
    pub key: Vec<u8>,
    pub kind: VariantKind,
}

/// One name unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Canonical lower-case ASCII text of the unit, without spaces or
    /// articles (`abdqadir`, `nurdin`, `abubakr`); Arabic script is
    /// transliterated.
    pub text: String,
    /// Consonant skeleton (see [`crate::skeleton`]).
    pub skeleton: String,
    /// Phonetic key: skeleton plus vowel classes (see [`crate::phonetic`]).
    pub key: Vec<u8>,
    pub kind: UnitKind,
    pub script: Script,
    /// The normalised words the unit was made from, space-separated.
    pub source: String,
    /// Preceded by a nasab particle (bin, ben, ibn, bint, ould, بن).
    pub nasab: bool,
    /// Carried or was preceded by the article (al-, el-, ال).
    pub article: bool,
    /// Alternative readings.
    pub variants: Vec<Variant>,
}

impl Token {
    /// Generic organisation vocabulary (not content concepts such as
    /// demonyms, which are `Generic` for translation but weigh fully).
    pub fn is_generic(&self) -> bool {
        matches!(self.kind, UnitKind::Generic(c) if c.is_generic())
    }
}

/// A word after classification, before units are built.
#[derive(Clone, Debug)]
enum Raw {
    Word(Word),
    Article,
    Nasab,
    Kunya(&'static str),
    AbdHead(String),
    DinTail(String),
    AllahTail(String),
}

#[derive(Clone, Debug)]
struct Word {
    text: String,
    skeleton: String,
    key: Vec<u8>,
    script: Script,
    source: String,
    article: bool,
    concept: Option<Concept>,
    variants: Vec<Variant>,
}

impl Word {
    fn latin(text: &str, source: &str) -> Word {
        Word {
            text: text.to_string(),
            skeleton: latin_skeleton(text),
            key: latin_key(text),
            script: Script::Latin,
            source: source.to_string(),
            article: false,
            concept: latin_concept(text),
            variants: Vec::new(),
        }
    }

    fn arabic(word: &str, source: &str, article: bool) -> Word {
        let concept = arabic_concept(word);
        let variants = if concept.is_some() {
            Vec::new()
        } else {
            arabic_readings(word)
                .into_iter()
                .map(|r| Variant {
                    text: transliterate_word(&r),
                    skeleton: arabic_skeleton(&r),
                    key: arabic_key(&r),
                    kind: VariantKind::ArabicReading,
                })
                .collect()
        };
        Word {
            text: transliterate_word(word),
            skeleton: arabic_skeleton(word),
            key: arabic_key(word),
            script: Script::Arabic,
            source: source.to_string(),
            article,
            concept,
            variants,
        }
    }
}

/// The Latin digraph letter that spells an Arabic consonant pair: Latin
/// `sh`, `zh`, `kh`, `th`, `dh` write one letter (ش ژ خ ث ذ) and also the
/// pair of its two letters, so `Ishaq` is اسحاق, `Azhar` الأزهر, `Lakhal`
/// لكحل, `Fathi` فتحي, `Adham` أدهم.
fn digraph_letter(a: char, b: char) -> Option<char> {
    if !matches!(b, 'ح' | 'ه') {
        return None;
    }
    Some(match a {
        'س' => 'ش',
        'ز' => 'ژ',
        'ك' => 'خ',
        'ت' => 'ث',
        'د' => 'ذ',
        _ => return None,
    })
}

/// Other readings of a normalised Arabic-script word, as Latin spellings
/// write it (each a rewritten Arabic word, at most two): the consonant
/// pairs that Latin digraphs spell merged into the digraph's letter
/// ([`digraph_letter`]), and a final taa marbuta read `-at` as in the
/// construct state and in Persian/Urdu names (`نصرة` = Nusrat, `نعمة` =
/// Nemat).
pub fn arabic_readings(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut merged = String::with_capacity(word.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len()
            && let Some(d) = digraph_letter(chars[i], chars[i + 1])
        {
            merged.push(d);
            changed = true;
            i += 2;
            continue;
        }
        merged.push(chars[i]);
        i += 1;
    }
    if changed && merged.chars().count() >= 2 {
        out.push(merged);
    }
    if chars.len() >= 3
        && let Some(stem) = word.strip_suffix('ة')
    {
        out.push(format!("{stem}ت"));
    }
    out
}

const LATIN_ARTICLES: &[&str] = &["al", "el", "ul", "il"];
const LATIN_NASAB: &[&str] = &[
    "bin", "ben", "ibn", "bint", "binti", "bn", "ould", "ibnu", "bte", "binte",
];
const LATIN_KUNYA: &[&str] = &[
    "abu", "abou", "abo", "aboo", "bou", "bu", "abi", "umm", "um", "oum", "omm",
];
const LATIN_ABD: &[&str] = &[
    "abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdil", "abdu", "abdou", "abdo", "abdi",
    "abdur", "abder", "abdus", "abdes", "abdur", "abdet", "abdeh", "abdon",
];
const LATIN_DIN: &[&str] = &[
    "din", "dine", "deen", "eddin", "eddine", "uddin", "uddine", "uddeen", "eddeen", "aldin",
    "eldin", "uldin", "addin", "iddin", "oddin", "aldeen", "eldine",
];
const LATIN_ALLAH: &[&str] = &[
    "allah", "ullah", "ollah", "illah", "alla", "ulla", "llah", "allahi",
];
const STOPWORDS: &[&str] = &[
    "of", "the", "and", "for", "in", "de", "des", "du", "la", "le", "les", "et", "a", "an", "on",
    "to", "aka", "fka", "formerly", "known", "as", "also",
    // Spanish/Filipino particles, also glued: de los Reyes = Delos Reyes,
    // de la Cruz = Dela Cruz
    "del", "los", "las", "delos", "dela", "delas",
];

/// Articles assimilated to a following sun letter, written as their own
/// word: `ar Rahman`, `as-Sayyid`, `ash-Shami`, `ad-Din`.
fn is_assimilated_article(word: &str, next: Option<&str>) -> bool {
    let b = word.as_bytes();
    if !(2..=3).contains(&b.len()) || !matches!(b[0], b'a' | b'e' | b'u' | b'i') {
        return false;
    }
    let cons = &word[1..];
    if !matches!(cons, "d" | "r" | "s" | "sh" | "t" | "th" | "dh" | "z" | "n") {
        return false;
    }
    next.is_some_and(|n| n.starts_with(cons) && n.len() > cons.len())
}

fn strip_connecting_vowel(rest: &str) -> &str {
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && i < 2 && matches!(b[i], b'a' | b'e' | b'i' | b'o' | b'u') {
        i += 1;
    }
    &rest[i..]
}

fn canonical_allah(attr: &str) -> Option<&'static str> {
    matches!(
        attr,
        "lah"
            | "llah"
            | "allah"
            | "la"
            | "lla"
            | "alla"
            | "ah"
            | "aye"
            | "laye"
            | "lahi"
            | "llahi"
            | "ullah"
            | "ulla"
    )
    .then_some("allah")
}

/// Splits a glued Latin `abd…` word into its attribute: `abdelkader` ->
/// `kader`, `abderrahmane` -> `rahmane`, `abdullah` -> `allah`.
fn split_glued_abd(word: &str) -> Option<String> {
    let rest = word.strip_prefix("abd")?;
    if rest.len() < 3 || LATIN_ABD.contains(&word) {
        return None;
    }
    let after_vowel = strip_connecting_vowel(rest);
    let attr: &str = if after_vowel.len() < rest.len() {
        let b = after_vowel.as_bytes();
        if b.first() == Some(&b'l') && after_vowel.len() >= 3 {
            // article written out: abd-el-kader, abd-ul-lah
            &after_vowel[1..]
        } else if b.len() >= 3 && b[0] == b[1] && !matches!(b[0], b'a' | b'e' | b'i' | b'o' | b'u')
        {
            // assimilated article: abd-er-rahmane
            &after_vowel[1..]
        } else {
            after_vowel
        }
    } else {
        rest
    };
    if let Some(a) = canonical_allah(attr) {
        return Some(a.to_string());
    }
    if attr.len() < 3 {
        return None;
    }
    Some(attr.to_string())
}

/// Splits a glued Latin `…eddine` word: `noureddine` -> `nour`.
fn split_glued_din(word: &str) -> Option<&str> {
    const SUFFIXES: &[&str] = &[
        "eddine", "eddin", "uddine", "uddin", "uddeen", "eddeen", "addin", "iddin", "oddin",
        "aldin", "eldin", "uldin", "eldine", "aldeen",
    ];
    for s in SUFFIXES {
        if let Some(x) = word.strip_suffix(s)
            && x.len() >= 2
        {
            return Some(x);
        }
    }
    None
}

/// Splits a glued Latin `…ullah` word: `saifullah` -> `saif`.
fn split_glued_allah(word: &str) -> Option<&str> {
    const SUFFIXES: &[&str] = &["ullah", "ollah", "allah", "illah", "ulla"];
    for s in SUFFIXES {
        if let Some(x) = word.strip_suffix(s)
            && x.len() >= 3
        {
            return Some(x);
        }
    }
    None
}

fn classify_latin(word: &str, next: Option<&str>, out: &mut Vec<Raw>) {
    if STOPWORDS.contains(&word) && word != "as" {
        return;
    }
    if LATIN_ARTICLES.contains(&word) || is_assimilated_article(word, next) {
        out.push(Raw::Article);
        return;
    }
    if word == "as" {
        return;
    }
    if LATIN_NASAB.contains(&word) {
        out.push(Raw::Nasab);
        return;
    }
    if let Some(p) = LATIN_KUNYA.iter().find(|p| **p == word) {
        out.push(Raw::Kunya(p));
        return;
    }
    if LATIN_ABD.contains(&word) {
        out.push(Raw::AbdHead(word.to_string()));
        return;
    }
    if LATIN_DIN.contains(&word) {
        out.push(Raw::DinTail(word.to_string()));
        return;
    }
    if LATIN_ALLAH.contains(&word) {
        out.push(Raw::AllahTail(word.to_string()));
        return;
    }
    if let Some(attr) = split_glued_abd(word) {
        out.push(Raw::AbdHead(word.to_string()));
        let mut w = Word::latin(&attr, word);
        w.source = word.to_string();
        out.push(Raw::Word(w));
        return;
    }
    if let Some(x) = split_glued_din(word) {
        out.push(Raw::Word(Word::latin(x, word)));
        out.push(Raw::DinTail(String::new()));
        return;
    }
    if let Some(x) = split_glued_allah(word) {
        out.push(Raw::Word(Word::latin(x, word)));
        out.push(Raw::AllahTail(String::new()));
        return;
    }
    let mut w = Word::latin(word, word);
    // Glued article: albaghdadi, elmasri.
    if word.len() >= 6
        && let Some(rest) = word.strip_prefix("al").or_else(|| word.strip_prefix("el"))
        && !rest.starts_with(['a', 'e', 'i', 'o', 'u', 'y'])
    {
        let rest = rest
            .strip_prefix(|c: char| rest.as_bytes().get(1) == Some(&(c as u8)))
            .unwrap_or(rest);
        w.variants.push(Variant {
            text: rest.to_string(),
            skeleton: latin_skeleton(rest),
            key: latin_key(rest),
            kind: VariantKind::ArticleStripped,
        });
    }
    // x after the first letter: Alexander / Aleksandr, Alexei / Aleksey,
    // Maxim / Maksim. The skeleton keeps x as the class of kh (Uzbek and
    // Kurdish Latin write kh with x, Baxtiyor / Bakhtiyor); this reading
    // is the other one. An initial x (Xolmatov, pinyin Xi) is not ks.
    if let Some(ks) = x_read_ks(word) {
        w.variants.push(Variant {
            skeleton: latin_skeleton(&ks),
            key: latin_key(&ks),
            text: ks,
            kind: VariantKind::XAsKs,
        });
    }
    // Maghreb Bel-/Bou- = Abu (al-): Belkacem, Belmokhtar, Boumediene.
    for prefix in ["bel", "bou", "bu"] {
        if let Some(rest) = word.strip_prefix(prefix)
            && rest.len() >= 4
            && !rest.starts_with(['a', 'e', 'i', 'o', 'u', 'y', 'l'])
        {
            let mut sk = String::from("B");
            for c in latin_skeleton(rest).chars() {
                if !sk.ends_with(c) {
                    sk.push(c);
                }
            }
            w.variants.push(Variant {
                text: format!("abu{rest}"),
                skeleton: sk,
                key: join_keys(&[&latin_key("abu"), &latin_key(rest)]),
                kind: VariantKind::MaghrebKunya,
            });
        }
    }
    out.push(Raw::Word(w));
}

const ARABIC_ARTICLE_EXCEPTIONS: &[&str] = &["الله", "الياس", "الهام", "الفت", "الان"];

/// Arabic prepositions and conjunctions written as words (`القاعدة في
/// العراق` = al-Qaida *in* Iraq): never part of a name. (`على` is left out:
/// Egyptian and Persian spelling write Ali so.)
const ARABIC_STOPWORDS: &[&str] = &["في", "من", "عن", "و", "او"];

fn classify_arabic(word: &str, out: &mut Vec<Raw>) {
    if ARABIC_STOPWORDS.contains(&word) {
        return;
    }
    match word {
        "ال" => return out.push(Raw::Article),
        "بن" | "ابن" | "بنت" => return out.push(Raw::Nasab),
        "ابو" | "ابي" | "ابا" | "بو" => return out.push(Raw::Kunya("abu")),
        "ام" => return out.push(Raw::Kunya("umm")),
        "عبد" => return out.push(Raw::AbdHead(word.to_string())),
        "الدين" | "دين" => return out.push(Raw::DinTail(word.to_string())),
        "الله" => return out.push(Raw::AllahTail(word.to_string())),
        _ => {}
    }
    let n = word.chars().count();
    if let Some(rest) = word.strip_prefix("عبد")
        && rest.chars().count() >= 3
    {
        out.push(Raw::AbdHead("عبد".to_string()));
        return classify_arabic(rest, out);
    }
    if let Some(rest) = word.strip_prefix("ابو")
        && rest.chars().count() >= 3
    {
        out.push(Raw::Kunya("abu"));
        return classify_arabic(rest, out);
    }
    if n > 5
        && let Some(x) = word.strip_suffix("الله")
    {
        classify_arabic(x, out);
        out.push(Raw::AllahTail("الله".to_string()));
        return;
    }
    if n > 6
        && let Some(x) = word.strip_suffix("الدين")
    {
        classify_arabic(x, out);
        out.push(Raw::DinTail("الدين".to_string()));
        return;
    }
    // Glued conjunction or preposition before the article: وال (wa-l-,
    // `والمسلمين` = and the Muslims), لل (li-l-, `للدعوة` = for the call).
    if n >= 5
        && let Some(rest) = word.strip_prefix("وال").or_else(|| word.strip_prefix("لل"))
        && rest.chars().count() >= 3
    {
        out.push(Raw::Word(Word::arabic(rest, word, true)));
        return;
    }
    if n >= 4
        && !ARABIC_ARTICLE_EXCEPTIONS.contains(&word)
        && let Some(rest) = word.strip_prefix("ال")
    {
        out.push(Raw::Word(Word::arabic(rest, word, true)));
        return;
    }
    out.push(Raw::Word(Word::arabic(word, word, false)));
}

fn collapse_join(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        for c in p.chars() {
            if !out.ends_with(c) {
                out.push(c);
            }
        }
    }
    out
}

/// Acronym units of a Latin-script organisation name of three or more
/// words: the initials of its words without stop words (`Cruise Missile
/// Industry Group` -> `cmig`), and also without articles when it has any
/// (`Al-Qaida in the Arabian Peninsula` -> `aqap` and `qap`). Names with
/// digits or non-Latin words give none.
pub fn acronyms(name: &str) -> Vec<Token> {
    let norm = crate::normalize(name);
    let words: Vec<&str> = norm
        .split(' ')
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .collect();
    if words.len() < 3
        || !words
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Vec::new();
    }
    let initials = |ws: &mut dyn Iterator<Item = &&str>| -> String {
        ws.filter_map(|w| w.chars().next()).collect()
    };
    let mut texts = vec![initials(&mut words.iter())];
    let no_article = initials(&mut words.iter().filter(|w| !LATIN_ARTICLES.contains(w)));
    if no_article.len() >= 3 && no_article != texts[0] {
        texts.push(no_article);
    }
    texts
        .into_iter()
        .map(|text| Token {
            skeleton: latin_skeleton(&text),
            key: latin_key(&text),
            kind: UnitKind::Acronym,
            script: Script::Latin,
            source: text.clone(),
            nasab: false,
            article: false,
            variants: Vec::new(),
            text,
        })
        .collect()
}

/// Builds the next unit starting at `i`; returns it and the index after it.
fn build_unit(raws: &[Raw], mut i: usize) -> (Option<Token>, usize) {
    let mut nasab = false;
    let mut article = false;
    // Leading particles are flags on the unit that follows.
    while i < raws.len() {
        match &raws[i] {
            Raw::Article => article = true,
            Raw::Nasab => nasab = true,
            _ => break,
        }
        i += 1;
    }
    if i >= raws.len() {
        return (None, i);
    }
    let next_content = |from: usize| -> usize {
        let mut j = from;
        while j < raws.len() && matches!(raws[j], Raw::Article) {
            j += 1;
        }
        j
    };
    let mut tok = match &raws[i] {
        Raw::Kunya(k) => {
            let j = next_content(i + 1);
            if j < raws.len() && !matches!(raws[j], Raw::Nasab | Raw::Kunya(_)) {
                let (inner, after) = build_unit(raws, j);
                if let Some(inner) = inner {
                    let (prefix, sk) = if matches!(*k, "umm" | "um" | "oum" | "omm") {
                        ("umm", "M")
                    } else {
                        ("abu", "B")
                    };
                    let tok = Token {
                        text: format!("{prefix}{}", inner.text),
                        skeleton: collapse_join(&[sk, &inner.skeleton]),
                        key: join_keys(&[&latin_key(prefix), &inner.key]),
                        kind: UnitKind::Kunya,
                        script: inner.script,
                        source: format!("{k} {}", inner.source),
                        nasab,
                        article,
                        variants: vec![Variant {
                            text: inner.text.clone(),
                            skeleton: inner.skeleton.clone(),
                            key: inner.key.clone(),
                            kind: VariantKind::KunyaInner,
                        }],
                    };
                    return (Some(tok), after);
                }
            }
            plain_particle(k, Script::Latin)
        }
        Raw::AbdHead(src) => {
            let j = next_content(i + 1);
            let attr = match raws.get(j) {
                Some(Raw::Word(w)) if w.concept.is_none() => Some((
                    w.text.clone(),
                    w.skeleton.clone(),
                    w.key.clone(),
                    w.script,
                    w.source.clone(),
                )),
                Some(Raw::AllahTail(s)) => Some((
                    "allah".to_string(),
                    "L".to_string(),
                    latin_key("allah"),
                    word_script(s),
                    s.clone(),
                )),
                _ => None,
            };
            if let Some((text, skeleton, wkey, script, wsrc)) = attr {
                let head_key = if word_script(src) == Script::Arabic {
                    arabic_key("عبد")
                } else {
                    latin_key("abd")
                };
                i = j;
                let source = if wsrc == *src {
                    wsrc
                } else {
                    format!("{src} {wsrc}")
                };
                Token {
                    text: format!("abd{text}"),
                    skeleton: collapse_join(&["BD", &skeleton]),
                    key: join_keys(&[&head_key, &wkey]),
                    kind: UnitKind::Abd,
                    script,
                    source,
                    nasab,
                    article,
                    variants: Vec::new(),
                }
            } else {
                let script = word_script(src);
                Token {
                    text: "abd".into(),
                    skeleton: "BD".into(),
                    key: latin_key("abd"),
                    kind: UnitKind::Plain,
                    script,
                    source: src.clone(),
                    nasab,
                    article,
                    variants: Vec::new(),
                }
            }
        }
        Raw::Word(w) => {
            let j = next_content(i + 1);
            match raws.get(j) {
                Some(Raw::DinTail(s)) if w.concept.is_none() => {
                    i = j;
                    Token {
                        text: format!("{}din", w.text),
                        skeleton: collapse_join(&[&w.skeleton, "DN"]),
                        key: join_keys(&[&w.key, &latin_key("din")]),
                        kind: UnitKind::Din,
                        script: w.script,
                        source: if s.is_empty() {
                            w.source.clone()
                        } else {
                            format!("{} {s}", w.source)
                        },
                        nasab,
                        article: article || w.article,
                        variants: Vec::new(),
                    }
                }
                Some(Raw::AllahTail(s)) if w.concept.is_none() => {
                    i = j;
                    Token {
                        text: format!("{}ullah", w.text),
                        skeleton: collapse_join(&[&w.skeleton, "L"]),
                        key: join_keys(&[&w.key, &latin_key("ullah")]),
                        kind: UnitKind::Allah,
                        script: w.script,
                        source: if s.is_empty() {
                            w.source.clone()
                        } else {
                            format!("{} {s}", w.source)
                        },
                        nasab,
                        article: article || w.article,
                        variants: Vec::new(),
                    }
                }
                _ => Token {
                    text: w.text.clone(),
                    skeleton: w.skeleton.clone(),
                    key: w.key.clone(),
                    kind: match w.concept {
                        Some(c) => UnitKind::Generic(c),
                        None if w.text.len() == 1 && w.script == Script::Latin => UnitKind::Initial,
                        None => UnitKind::Plain,
                    },
                    script: w.script,
                    source: w.source.clone(),
                    nasab,
                    article: article || w.article,
                    variants: w.variants.clone(),
                },
            }
        }
        // a lone Din (Ansar Eddine, انصار الدين): the word without its article
        Raw::DinTail(s) => {
            if word_script(s) == Script::Arabic {
                plain_word("دين")
            } else {
                plain_word("din")
            }
        }
        Raw::AllahTail(s) => plain_word(if s.is_empty() { "allah" } else { s }),
        // the loop above consumed every leading particle
        Raw::Article | Raw::Nasab => return (None, i + 1),
    };
    tok.nasab |= nasab;
    tok.article |= article;
    (Some(tok), i + 1)
}

fn plain_particle(k: &str, script: Script) -> Token {
    Token {
        text: k.to_string(),
        skeleton: latin_skeleton(k),
        key: latin_key(k),
        kind: UnitKind::Plain,
        script,
        source: k.to_string(),
        nasab: false,
        article: false,
        variants: Vec::new(),
    }
}

fn plain_word(s: &str) -> Token {
    let script = word_script(s);
    let (text, skeleton, key) = match script {
        Script::Arabic => (transliterate_word(s), arabic_skeleton(s), arabic_key(s)),
        _ => (s.to_string(), latin_skeleton(s), latin_key(s)),
    };
    Token {
        text,
        skeleton,
        key,
        kind: UnitKind::Plain,
        script,
        source: s.to_string(),
        nasab: false,
        article: false,
        variants: Vec::new(),
    }
}

/// Maximum number of tokens kept per name (longer strings are notes, not
/// names).
pub const MAX_TOKENS: usize = 24;

/// `word` with every `x` after its first letter written `ks`, when it
/// has one (`alexander` → `aleksander`).
fn x_read_ks(word: &str) -> Option<String> {
    let (first, rest) = word.split_at(word.chars().next()?.len_utf8());
    rest.contains('x')
        .then(|| format!("{first}{}", rest.replace('x', "ks")))
}

/// Splits a name (any script, any convention, ICAO `<` form included)
/// into name units.
pub fn tokenize(name: &str) -> Vec<Token> {
    let norm = normalize(name);
    tokenize_normalized(&norm)
}

/// A legal form written in dotted initials at the end of a name
/// (`S.A.R.L.`, `L.L.C.`, `S.A.`: single letters once normalised): the
/// index of its first letter and the joined form, when the letters of a
/// trailing run of single letters join into one of
/// [`crate::concepts::LEGAL_FORMS`] or another company word (`llc`, `co`).
/// Only at the end, where legal forms stand: initials elsewhere are a
/// person's.
fn trailing_legal_form(words: &[&str]) -> Option<(usize, String)> {
    let single = |w: &&&str| w.len() == 1 && w.bytes().all(|b| b.is_ascii_lowercase());
    let run = words.iter().rev().take_while(single).count();
    (2..=run).rev().find_map(|k| {
        let from = words.len() - k;
        let form: String = words[from..].concat();
        (latin_concept(&form) == Some(Concept::Company)).then_some((from, form))
    })
}

/// [`tokenize`] for a string already passed through [`normalize`].
pub fn tokenize_normalized(norm: &str) -> Vec<Token> {
    let mut words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = trailing_legal_form(&words);
    if let Some((from, form)) = &joined {
        words.truncate(*from);
        words.push(form);
    }
    let in_phrase = legal_form_phrase_words(&words);
    let mut raws = Vec::with_capacity(words.len() + 2);
    for (k, w) in words.iter().enumerate() {
        match word_script(w) {
            Script::Arabic => classify_arabic(w, &mut raws),
            // a word of a legal form written in several words (joint
            // stock): the company concept, there only
            Script::Latin if in_phrase[k] && !STOPWORDS.contains(w) => {
                let mut word = Word::latin(w, w);
                word.concept = Some(Concept::Company);
                raws.push(Raw::Word(word));
            }
            // Persian/Urdu izafe between two words (Jaish-e-Mohammed,
            // Tehrik-i-Taliban, Ajza-ye Daqiq): a connector, not an initial
            Script::Latin
                if matches!(*w, "e" | "i" | "ye")
                    && k > 0
                    && words[k - 1].len() >= 3
                    && words.get(k + 1).is_some_and(|n| n.len() >= 3) => {}
            Script::Latin => classify_latin(w, words.get(k + 1).copied(), &mut raws),
            Script::Other => raws.push(Raw::Word(Word {
                text: w.to_string(),
                skeleton: latin_skeleton(w),
                key: latin_key(w),
                script: Script::Other,
                source: w.to_string(),
                article: false,
                concept: None,
                variants: Vec::new(),
            })),
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < raws.len() && out.len() < MAX_TOKENS {
        let (tok, next) = build_unit(&raws, i);
        if let Some(mut t) = tok
            && !t.text.is_empty()
        {
            if t.nasab && t.kind != UnitKind::Generic(Concept::Group) {
                let particle = if t.script == Script::Arabic {
                    "bin"
                } else {
                    "ben"
                };
                // Glued, an initial consonantal y/w becomes medial, which
                // skeletons drop and keys read as a vowel, as in the Latin
                // spelling itself (Ben Youcef -> Benyoucef = BNSF).
                let skeleton = t.skeleton.strip_prefix(['Y', 'W']).unwrap_or(&t.skeleton);
                let mut key = t.key.clone();
                match key.first_mut() {
                    Some(c @ b'Y') => *c = b'2',
                    Some(c @ b'W') => *c = b'3',
                    _ => {}
                }
                t.variants.push(Variant {
                    text: format!("{particle}{}", t.text),
                    skeleton: collapse_join(&["BN", skeleton]),
                    key: join_keys(&[&latin_key(particle), &key]),
                    kind: VariantKind::GluedParticle,
                });
            }
            out.push(t);
        }
        i = next.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_latin_x_after_the_first_letter_is_also_read_ks() {
        let ks = |name: &str| -> Vec<String> {
            tokenize(name)
                .iter()
                .flat_map(|t| t.variants.iter())
                .filter(|v| v.kind == VariantKind::XAsKs)
                .map(|v| v.text.clone())
                .collect()
        };
        assert_eq!(ks("Alexander Maxim"), ["aleksander", "maksim"]);
        // the same skeleton as the spelling with ks
        let v = &tokenize("Alexei")[0].variants[0];
        assert_eq!(v.skeleton, tokenize("Aleksei")[0].skeleton);
        // an initial x keeps its class only (Uzbek kh, pinyin x)
        assert!(ks("Xolmatov Xi").is_empty());
        assert!(ks("Ivanov").is_empty());
    }

    #[test]
    fn arabic_readings_follow_latin_digraphs_and_construct_state() {
        assert_eq!(arabic_readings("اسحاق"), vec!["اشاق".to_string()]);
        assert_eq!(arabic_readings("ادهم"), vec!["اذم".to_string()]);
        assert_eq!(arabic_readings("نصرة"), vec!["نصرت".to_string()]);
        assert!(arabic_readings("محمد").is_empty());
        // tokens carry them as variants, generic words do not
        let t = tokenize("فتحي");
        assert!(
            t[0].variants
                .iter()
                .any(|v| v.kind == VariantKind::ArabicReading && v.skeleton == "Ft"),
            "{t:?}"
        );
        assert!(tokenize("جبهة")[0].variants.is_empty());
    }

    use super::*;

    fn units(name: &str) -> Vec<(String, String, UnitKind)> {
        tokenize(name)
            .into_iter()
            .map(|t| (t.text, t.skeleton, t.kind))
            .collect()
    }

    fn skeletons(name: &str) -> Vec<String> {
        tokenize(name).into_iter().map(|t| t.skeleton).collect()
    }

    /// Skeletons agree position by position (ambiguous Arabic classes
    /// such as `q` for ق meet K or G at distance 0).
    #[track_caller]
    fn assert_same(name: &str, want: &[String]) {
        let got = skeletons(name);
        assert_eq!(got.len(), want.len(), "{name}: {got:?} vs {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(
                crate::skeleton_distance(g, w),
                0.0,
                "{name}: {got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn abd_compounds_agree_across_spellings() {
        let want = skeletons("Abd al-Qadir");
        assert_eq!(want, vec!["BDKDR"]);
        for s in [
            "Abdelkader",
            "Abdul Kader",
            "Abdulkadir",
            "Abdel Kader",
            "عبد القادر",
            "عبدالقادر",
        ] {
            assert_same(s, &want);
        }
        let rahman = skeletons("Abd al-Rahman");
        for s in ["Abd ar-Rahman", "Abderrahmane", "Abdurrahman", "عبد الرحمن"] {
            assert_same(s, &rahman);
        }
        let allah = skeletons("Abd Allah");
        for s in ["Abdallah", "Abdullah", "Abdellah", "عبد الله", "عبدالله"] {
            assert_same(s, &allah);
        }
    }

    #[test]
    fn din_and_allah_units() {
        let want = skeletons("Nur al-Din");
        for s in ["Nour Eddine", "Nureddin", "Noureddine", "نور الدين"] {
            assert_same(s, &want);
        }
        let saif = skeletons("Saif Allah");
        for s in ["Saifullah", "سيف الله"] {
            assert_same(s, &saif);
        }
    }

    #[test]
    fn particles_become_flags() {
        let t = tokenize("Mohamed ben Ali al-Tunisi");
        assert_eq!(t.len(), 3);
        assert!(t[1].nasab);
        assert_eq!(t[1].variants[0].text, "benali");
        assert!(t[2].article);
        let k = units("Abu Bakr al-Baghdadi");
        assert_eq!(k[0].2, UnitKind::Kunya);
        assert_eq!(k[0].1, "BKR");
    }

    #[test]
    fn arabic_prepositions_and_glued_conjunctions() {
        // في (in) is no name part; وال / لل carry the article
        let t = tokenize("القاعدة في العراق");
        assert_eq!(t.len(), 2);
        let t = tokenize("نصرة الاسلام والمسلمين للدعوة");
        assert_eq!(t.len(), 4);
        assert_same("والمسلمين", &skeletons("al-Muslimin"));
        assert_same("للدعوة", &skeletons("al-Dawa"));
        assert!(t[2].article);
        // short words are left alone
        assert_eq!(skeletons("والي"), skeletons("Wali"));
    }

    #[test]
    fn glued_nasab_reads_initial_y_as_medial() {
        for name in ["Ben Youcef", "بن يوسف", "Ben Youssef"] {
            let t = tokenize(name);
            let v = &t[0].variants[0];
            assert_eq!(v.skeleton, "BNSF", "{name}");
            let glued = tokenize("Benyoucef");
            let sim =
                crate::key_similarity(&v.key, t[0].script == Script::Arabic, &glued[0].key, false);
            assert!(sim > 0.9, "{name}: {sim}");
        }
    }

    #[test]
    fn acronyms_of_organisation_names() {
        let texts = |n: &str| acronyms(n).into_iter().map(|t| t.text).collect::<Vec<_>>();
        assert_eq!(texts("Cruise Missile Industry Group"), ["cmig"]);
        assert_eq!(texts("Al-Qaida in the Arabian Peninsula"), ["aqap", "qap"]);
        assert!(texts("Karim Haddad").is_empty());
        assert!(texts("Department 140 of Industries").is_empty());
        assert!(texts("جبهة النصرة لأهل الشام").is_empty());
        assert!(
            acronyms("Pars Aviation Services Company")
                .iter()
                .all(|t| t.kind == UnitKind::Acronym)
        );
    }

    #[test]
    fn izafe_is_a_connector() {
        assert_eq!(skeletons("Jaish-e-Mohammed"), skeletons("Jaish-i-Mohammed"));
        assert_eq!(tokenize("Lashkar-e-Taiba").len(), 2);
        assert_eq!(tokenize("Ajza-ye Daqiq").len(), 2);
        // an initial at either end stays
        assert_eq!(tokenize("E Haddad").len(), 2);
    }

    #[test]
    fn mrz_form() {
        let t = units("HADDAD<<KARIM<ABDEL<AZIZ");
        assert_eq!(
            t.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
            ["HD", "KRM", "BDZ"]
        );
    }

    #[test]
    fn generic_org_words_across_languages() {
        let a = tokenize("جبهة النصرة");
        let b = tokenize("Al-Nusrah Front");
        assert_eq!(a[0].kind, UnitKind::Generic(Concept::Front));
        assert_eq!(b[1].kind, UnitKind::Generic(Concept::Front));
        assert_eq!(a[1].skeleton, b[0].skeleton);
    }

    #[test]
    fn a_legal_form_in_several_words_is_one_only_as_a_phrase() {
        let kinds = |s: &str| -> Vec<(String, bool)> {
            tokenize(s)
                .into_iter()
                .map(|t| (t.text, t.kind == UnitKind::Generic(Concept::Company)))
                .collect()
        };
        let company = |s: &str| -> Vec<String> {
            kinds(s)
                .into_iter()
                .filter(|(_, c)| !*c)
                .map(|(t, _)| t)
                .collect()
        };
        for name in [
            "Open Joint-Stock Company Tempbank",
            "Tempbank Public Joint Stock Company",
            "Tempbank OJSC",
            "Tempbank Closed Joint Stock Company",
            "Tempbank Private Joint Stock Corporation",
        ] {
            assert_eq!(company(name), ["tempbank"], "{name}");
        }
        assert_eq!(company("Mais Sociedad por Acciones Simplificada"), ["mais"]);
        assert_eq!(
            company("Inmobiliaria Sociedad Anonima de Capital Variable"),
            ["inmobiliaria"]
        );
        // the words alone are names
        for (name, word) in [
            ("Joint Staff Headquarters", "joint"),
            ("Stock Exchange Open Market", "stock"),
            ("Stock Exchange Open Market", "open"),
            ("Public Security Bureau", "public"),
            ("Capital Variable Fund", "capital"),
        ] {
            assert!(company(name).iter().any(|t| t == word), "{name}: {word}");
        }
    }

    #[test]
    fn dotted_legal_forms_join_at_the_end_of_a_name() {
        let texts = |s: &str| -> Vec<String> { tokenize(s).into_iter().map(|t| t.text).collect() };
        let t = tokenize("Tanmiya Trading S.A.R.L.");
        assert_eq!(t.last().map(|t| t.text.as_str()), Some("sarl"));
        assert!(t.last().is_some_and(Token::is_generic));
        assert_eq!(
            texts("Omega Shipping L.L.C.").last().map(String::as_str),
            Some("llc")
        );
        // initials elsewhere are a person's, and a trailing run that is
        // no legal form stays initials
        for person in ["M. A. Khan", "Khan M. A."] {
            assert!(!tokenize(person).iter().any(Token::is_generic), "{person}");
            assert_eq!(texts(person), texts(&person.replace('.', " ")));
        }
    }
}
