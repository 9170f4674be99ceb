//! Business names as sanctions lists print them (the organisation-heavy
//! mix, [`crate::Mix::ORG_HEAVY`]): one or two distinctive words, a few
//! common business words and a legal form — `Karvenor International
//! Trading Company Limited`, `Sherkat Zelmani Shipping`, `OOO Tavrelo
//! Holding`. Real lists (OFAC's is about 45 % organisations) are full of
//! such names, and their common words (Trading, International, Company,
//! Limited…) are what makes screening them expensive, so a benchmark must
//! have them.
//!
//! The distinctive words are coined from syllables (a few tens of thousands
//! of possible words, none taken from a list); the business words and legal
//! forms are ordinary vocabulary. Every name is fictitious.
//!
//! The same module writes such a name differently, as a traveller's
//! employer, a cargo consignee or another list would: legal form spelled
//! otherwise or dropped, words in another order, a typo.

use tansiq_model::{Entity, Schema, prop};

use crate::rng::Rng;
use crate::tables;
use crate::variation::{self, Variation};

/// One legal form and its usual spellings (the first is the one a name is
/// generated with; the others are what another list writes).
pub(crate) struct LegalForm {
    pub spellings: &'static [&'static str],
    /// Written before the name (`OOO Tavrelo`, `Sherkat Zelmani`).
    pub prefix: bool,
    /// Relative frequency among generated companies.
    pub weight: u32,
}

const fn lf(weight: u32, prefix: bool, spellings: &'static [&'static str]) -> LegalForm {
    LegalForm {
        spellings,
        prefix,
        weight,
    }
}

/// Legal forms, roughly in the proportions of an OFAC-like list (English
/// forms first, then Latin American, Iranian, Russian, European ones).
pub(crate) static LEGAL_FORMS: &[LegalForm] = &[
    lf(
        14,
        false,
        &["Company Limited", "Co. Ltd", "Co., Ltd.", "Company Ltd"],
    ),
    lf(12, false, &["Limited", "Ltd", "Ltd."]),
    lf(10, false, &["Company", "Co.", "Co"]),
    lf(8, false, &["LLC", "L.L.C.", "Limited Liability Company"]),
    lf(5, false, &["Corporation", "Corp.", "Corp"]),
    lf(4, false, &["Inc.", "Inc", "Incorporated"]),
    lf(8, false, &["S.A.", "SA", "Sociedad Anonima"]),
    lf(4, false, &["S.A. de C.V.", "SA de CV"]),
    lf(3, false, &["Ltda.", "Ltda", "Limitada"]),
    lf(3, false, &["SARL", "S.A.R.L."]),
    lf(2, false, &["SAL", "S.A.L."]),
    lf(3, false, &["GmbH", "G.m.b.H."]),
    lf(4, false, &["JSC", "Joint Stock Company", "AO"]),
    lf(2, false, &["PJSC", "Public Joint Stock Company"]),
    lf(3, true, &["OOO", "LLC", "Limited Liability Company"]),
    lf(5, true, &["Sherkat", "Sherkate", "Sherkat-e"]),
    lf(2, false, &["FZE", "FZCO", "Free Zone Establishment"]),
    lf(2, false, &["Pte Ltd", "Pte. Ltd.", "Private Limited"]),
    lf(2, false, &["AG"]),
];

/// Business words, most common first, with relative frequencies: a handful
/// occur in a large share of real company names, which is the point.
pub(crate) static BUSINESS_WORDS: &[(&str, u32)] = &[
    ("International", 30),
    ("Trading", 30),
    ("General", 16),
    ("Group", 14),
    ("Shipping", 14),
    ("Industries", 10),
    ("Investment", 10),
    ("Holding", 10),
    ("Import Export", 9),
    ("Development", 9),
    ("Technology", 8),
    ("Engineering", 8),
    ("Services", 8),
    ("Energy", 7),
    ("Industrial", 7),
    ("Commercial", 7),
    ("Construction", 7),
    ("Management", 6),
    ("Petrochemical", 5),
    ("Steel", 5),
    ("Oil", 5),
    ("Bank", 5),
    ("Marine", 5),
    ("Logistics", 5),
    ("Electronics", 4),
    ("Chemical", 4),
    ("Mining", 4),
    ("Manufacturing", 4),
    ("Consulting", 3),
    ("Transport", 4),
    ("Petroleum", 4),
    ("Finance", 3),
    ("Exchange", 3),
    ("Pharmaceutical", 3),
    ("Agricultural", 3),
    ("Textile", 2),
    ("Equipment", 3),
    ("Supply", 3),
    ("Systems", 3),
    ("Resources", 3),
    ("Enterprises", 4),
    ("Industry", 4),
    ("Tankers", 2),
    ("Aviation", 2),
    ("Metals", 2),
    ("Foodstuff", 2),
    ("Commodities", 2),
    ("Partners", 2),
    ("Ventures", 2),
    ("Solutions", 2),
];

/// Syllables distinctive words are coined from: onset, middle, ending.
static SYLLABLE_ONSETS: &[&str] = &[
    "Ka", "Ze", "Tav", "Mor", "Bel", "Dar", "Fa", "Gol", "Ha", "Jor", "Kel", "Lu", "Mar", "Na",
    "Or", "Pa", "Ra", "Sa", "Ta", "Va", "Zar", "Ar", "Bar", "Ker", "Sor", "Tel", "Vel", "Xan",
    "Yal", "Zen", "Bro", "Cal", "Dro", "Fen", "Gra", "Hel", "Ist", "Lor", "Nor", "Pet",
];
static SYLLABLE_MIDDLES: &[&str] = &[
    "", "", "", "ven", "ra", "li", "do", "ma", "ne", "ri", "sa", "to", "vo", "ka", "lu", "me",
    "ro", "ta", "zi", "ba", "de", "ni",
];
static SYLLABLE_ENDINGS: &[&str] = &[
    "nor", "lo", "ni", "rex", "tan", "co", "na", "ran", "vi", "mir", "zan", "les", "ton", "ria",
    "dex", "lan", "sar", "kim", "ros", "ven", "tis", "gar", "sen", "dor", "lia", "mex", "vat",
    "ko", "pol", "ran",
];

/// Percent of names with two distinctive words (`Pars Zarin`), of names
/// that join them with `and` / `&`, and of companies given a former or
/// other name beside the primary one.
const TWO_DISTINCTIVE_PERCENT: u32 = 25;
const AND_PERCENT: u32 = 20;
const FORMER_NAME_PERCENT: u32 = 20;
/// Relative frequency of 0, 1, 2 and 3 business words in a name.
const BUSINESS_WORD_COUNTS: [u32; 4] = [12, 38, 34, 16];
/// Percent of distinctive words taken from the place and organisation-word
/// tables rather than coined (shared words across companies, like a place
/// name in many real company names).
const TABLE_WORD_PERCENT: u32 = 20;

fn coined(rng: &mut Rng) -> String {
    if rng.chance(TABLE_WORD_PERCENT) {
        return if rng.chance(50) {
            rng.pick_str(tables::PLACE_WORDS).to_string()
        } else {
            let w = rng.pick(tables::ORG_WORDS).part.en;
            w.trim_start_matches("al-").to_string()
        };
    }
    let mut s = String::new();
    s.push_str(rng.pick_str(SYLLABLE_ONSETS));
    s.push_str(rng.pick_str(SYLLABLE_MIDDLES));
    s.push_str(rng.pick_str(SYLLABLE_ENDINGS));
    s
}

fn business_words(rng: &mut Rng, out: &mut Vec<&'static str>) {
    let weights: Vec<u32> = BUSINESS_WORDS.iter().map(|w| w.1).collect();
    let n = rng.weighted(&BUSINESS_WORD_COUNTS);
    for _ in 0..n {
        let w = BUSINESS_WORDS[rng.weighted(&weights)].0;
        if !out.contains(&w) {
            out.push(w);
        }
    }
}

/// A business name before rendering: its words and its legal form.
pub(crate) struct BusinessName {
    /// Distinctive words first, then business words.
    pub core: Vec<String>,
    /// Index into [`LEGAL_FORMS`].
    pub legal_form: usize,
}

impl BusinessName {
    pub fn draw(rng: &mut Rng) -> BusinessName {
        let mut core = vec![coined(rng)];
        if rng.chance(TWO_DISTINCTIVE_PERCENT) {
            if rng.chance(AND_PERCENT) {
                core.push(rng.pick_str(&["and", "&"]).to_string());
            }
            core.push(coined(rng));
        }
        let mut words = Vec::new();
        business_words(rng, &mut words);
        core.extend(words.iter().map(|w| w.to_string()));
        let weights: Vec<u32> = LEGAL_FORMS.iter().map(|f| f.weight).collect();
        BusinessName {
            core,
            legal_form: rng.weighted(&weights),
        }
    }

    /// The name with spelling `spelling` of its legal form.
    pub fn render(&self, spelling: usize) -> String {
        let form = &LEGAL_FORMS[self.legal_form];
        let lf = form.spellings[spelling.min(form.spellings.len() - 1)];
        let core = self.core.join(" ");
        if form.prefix {
            format!("{lf} {core}")
        } else {
            format!("{core} {lf}")
        }
    }
}

/// Draws a company in the style of a sanctions list into a new entity
/// `id`: the primary name, its upper-case or other-spelling alias, and
/// sometimes a former name (another distinctive word, same business).
pub(crate) fn company(rng: &mut Rng, id: String) -> Entity {
    let mut e = Entity::new(id, Schema::Company);
    let name = BusinessName::draw(rng);
    let primary = name.render(0);
    e.add(prop::NAME, &primary);
    let spellings = LEGAL_FORMS[name.legal_form].spellings.len();
    let alias = if spellings > 1 && rng.chance(60) {
        name.render(1 + rng.below(spellings - 1))
    } else {
        primary.to_uppercase()
    };
    if alias != primary {
        e.add(prop::ALIAS, alias);
    }
    if rng.chance(FORMER_NAME_PERCENT) {
        let mut former = BusinessName {
            core: name.core.clone(),
            legal_form: name.legal_form,
        };
        former.core[0] = coined(rng);
        let former = former.render(0);
        if former != primary {
            e.add(prop::ALIAS, former);
        }
    }
    let country = rng.pick_str(&[
        "ir", "ae", "ru", "cn", "hk", "tr", "sy", "lb", "ve", "mx", "kp", "by",
    ]);
    e.add(prop::COUNTRY, country);
    if rng.chance(30) {
        let number = format!(
            "{}{}{}",
            country.to_uppercase(),
            rng.range(1990, 2025),
            rng.range(100_000, 999_999)
        );
        e.add(prop::REGISTRATION_NUMBER, number);
    }
    e
}

/// A listed company's name as a query writes it: `(name, how)`, `how` the
/// labels of the rules applied (`legal-form-changed`, `legal-form-dropped`,
/// `reordered`, `typo`, `mrz`), joined by `+`. `None` when no rule changed
/// the name.
pub(crate) fn vary_company(rng: &mut Rng, name: &str) -> Option<(String, String)> {
    /// Rules and relative frequencies.
    const RULES: [(&str, u32); 5] = [
        ("legal-form-changed", 30),
        ("legal-form-dropped", 25),
        ("reordered", 15),
        ("typo", 20),
        ("mrz", 10),
    ];
    let weights: Vec<u32> = RULES.iter().map(|r| r.1).collect();
    let rounds = 1 + usize::from(rng.chance(40));
    let mut out = name.to_string();
    let mut how: Vec<&str> = Vec::new();
    for _ in 0..rounds {
        let rule = RULES[rng.weighted(&weights)].0;
        if how.contains(&rule) {
            continue;
        }
        let next = match rule {
            "legal-form-changed" => change_legal_form(rng, &out),
            "legal-form-dropped" => split_legal_form(&out).map(|(core, _, _)| core),
            "reordered" => reorder_core(rng, &out),
            "typo" => variation::apply(rng, Variation::Typo, &out, None),
            _ => variation::apply(rng, Variation::Mrz, &out, None),
        };
        if let Some(next) = next.filter(|n| *n != out && !n.trim().is_empty()) {
            out = next;
            how.push(rule);
        }
    }
    (!how.is_empty()).then(|| (out, how.join("+")))
}

/// The name without its legal form: `(core, form index, spelling index)`,
/// the longest spelling found at the start or end of the name (compared
/// case-insensitively).
pub(crate) fn split_legal_form(name: &str) -> Option<(String, usize, usize)> {
    let mut best: Option<(String, usize, usize, usize)> = None;
    for (fi, form) in LEGAL_FORMS.iter().enumerate() {
        for (si, s) in form.spellings.iter().enumerate() {
            let core = if form.prefix {
                name.get(..s.len())
                    .filter(|head| head.eq_ignore_ascii_case(s))
                    .and_then(|_| name[s.len()..].strip_prefix(' '))
            } else {
                let cut = name.len().checked_sub(s.len());
                cut.and_then(|c| name.get(c..))
                    .filter(|tail| tail.eq_ignore_ascii_case(s))
                    .and_then(|_| name[..name.len() - s.len()].strip_suffix(' '))
            };
            if let Some(core) = core.filter(|c| !c.is_empty())
                && best.as_ref().is_none_or(|b| s.len() > b.3)
            {
                best = Some((core.to_string(), fi, si, s.len()));
            }
        }
    }
    best.map(|(core, fi, si, _)| (core, fi, si))
}

/// Another spelling of the legal form, or another legal form of the same
/// position (Limited for Company Limited, LLC for Ltd).
fn change_legal_form(rng: &mut Rng, name: &str) -> Option<String> {
    let (core, fi, si) = split_legal_form(name)?;
    let form = &LEGAL_FORMS[fi];
    let upper = name == name.to_uppercase();
    let spelling = if form.spellings.len() > 1 && rng.chance(70) {
        let mut other = rng.below(form.spellings.len() - 1);
        if other >= si {
            other += 1;
        }
        form.spellings[other]
    } else {
        let same_side: Vec<&LegalForm> = LEGAL_FORMS
            .iter()
            .filter(|f| f.prefix == form.prefix)
            .collect();
        rng.pick(&same_side).spellings[0]
    };
    let spelling = if upper {
        spelling.to_uppercase()
    } else {
        spelling.to_string()
    };
    Some(if form.prefix {
        format!("{spelling} {core}")
    } else {
        format!("{core} {spelling}")
    })
}

/// Two adjacent words of the name (legal form kept in place) swapped, or a
/// suffixed legal form moved to the front.
fn reorder_core(rng: &mut Rng, name: &str) -> Option<String> {
    let (core, fi, si) = split_legal_form(name).unwrap_or((name.to_string(), usize::MAX, 0));
    let mut words: Vec<&str> = core.split_whitespace().collect();
    if words.len() < 2 {
        return None;
    }
    let i = rng.below(words.len() - 1);
    words.swap(i, i + 1);
    let core = words.join(" ");
    let Some(form) = LEGAL_FORMS.get(fi) else {
        return Some(core);
    };
    let lf = &name_case(name, form.spellings[si]);
    Some(if form.prefix {
        format!("{lf} {core}")
    } else {
        format!("{core} {lf}")
    })
}

/// `s` in upper case when `name` is.
fn name_case(name: &str, s: &str) -> String {
    if name == name.to_uppercase() {
        s.to_uppercase()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_legal_form_and_business_words() {
        let mut rng = Rng::new(3);
        let (mut with_business, mut n) = (0, 0);
        for _ in 0..2_000 {
            let name = BusinessName::draw(&mut rng);
            let s = name.render(0);
            let (core, fi, si) = split_legal_form(&s).expect(&s);
            assert_eq!(fi, name.legal_form, "{s}");
            assert_eq!(si, 0, "{s}");
            assert_eq!(core, name.core.join(" "), "{s}");
            n += 1;
            with_business += usize::from(
                BUSINESS_WORDS
                    .iter()
                    .any(|(w, _)| core.split(' ').any(|c| w.starts_with(c))),
            );
        }
        // 88 % of names draw at least one business word.
        assert!((0.83..0.93).contains(&(with_business as f64 / n as f64)));
    }

    #[test]
    fn legal_form_found_at_its_side_only() {
        assert_eq!(
            split_legal_form("Karvenor Trading Co., Ltd."),
            Some(("Karvenor Trading".to_string(), 0, 2))
        );
        assert_eq!(
            split_legal_form("OOO Tavrelo Holding").map(|x| x.0),
            Some("Tavrelo Holding".to_string())
        );
        assert_eq!(split_legal_form("Delo Company").map(|x| x.1), Some(2));
        // A prefix form is not looked for at the end, nor a suffix at the start.
        assert_eq!(split_legal_form("Delo Sherkat"), None);
        assert_eq!(split_legal_form("Ltd Delo"), None);
        assert_eq!(split_legal_form("Karvenor"), None);
        assert_eq!(split_legal_form("Limited"), None, "nothing left");
        assert_eq!(split_legal_form("Kaltdni Trading").map(|x| x.0), None);
    }

    #[test]
    fn variants_keep_the_distinctive_word_and_say_what_changed() {
        let mut rng = Rng::new(5);
        let name = "Zarvenor International Shipping Company Limited";
        let mut seen = std::collections::HashSet::new();
        for _ in 0..500 {
            let Some((v, how)) = vary_company(&mut rng, name) else {
                continue;
            };
            assert_ne!(v, name);
            for rule in how.split('+') {
                seen.insert(rule.to_string());
            }
            if how == "legal-form-dropped" {
                assert_eq!(v, "Zarvenor International Shipping");
            }
            if !how.contains("typo") {
                assert!(v.to_lowercase().contains("zarvenor"), "{v} ({how})");
            }
        }
        for rule in [
            "legal-form-changed",
            "legal-form-dropped",
            "reordered",
            "typo",
            "mrz",
        ] {
            assert!(seen.contains(rule), "{rule} never applied: {seen:?}");
        }
    }

    #[test]
    fn companies_are_deterministic_and_named() {
        let a = company(&mut Rng::new(9), "x".into());
        let b = company(&mut Rng::new(9), "x".into());
        assert_eq!(a, b);
        assert_eq!(a.schema, Schema::Company);
        assert!(!a.names().is_empty());
    }
}
