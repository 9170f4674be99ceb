//! The benchmark population: `n` fictitious entities from a seed, ~60%
//! Arab-script persons, ~25% other persons, ~15% organisations, ~3 names
//! per entity — or another [`Mix`], such as the organisation-heavy one of
//! real sanctions lists.

use std::collections::{HashMap, HashSet};

use tansiq_model::{Entity, NameKind, PartialDate, Schema, prop};

use crate::company;
use crate::fold::{fold, token_set};
use crate::person::{self, Detail};
use crate::rng::Rng;
use crate::variation::{self, Variation};
use crate::{SynthError, Traveller};

/// Stream number of watchlist entities (travellers use others).
pub(crate) const STREAM_ENTITIES: u64 = 1;

/// What a generated population is made of: how many organisations, how
/// they are named, and how many travellers are organisations.
///
/// Percentages are whole numbers in `0..=100` (the generator draws with
/// whole-percent chances, so a mix is the same on every machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mix {
    /// Percent of entities that are organisations.
    pub organisation_percent: u32,
    /// Percent of those organisations named as companies on sanctions
    /// lists are — distinctive words, common business words, a legal form
    /// (`Karvenor International Trading Company Limited`); the others are
    /// named like armed groups, charities and small trading firms of the
    /// region (the [`Mix::DEFAULT`] patterns).
    pub business_percent: u32,
    /// Percent of [`travellers_with`]'s queries that are organisations (a
    /// listed organisation written differently, or an innocent company).
    pub organisation_query_percent: u32,
}

impl Mix {
    /// The population of the original benchmark: ~15 % organisations, named
    /// after the region's groups and firms; travellers are persons only.
    pub const DEFAULT: Mix = Mix {
        organisation_percent: 15,
        business_percent: 0,
        organisation_query_percent: 0,
    };

    /// An OFAC-like population: ~45 % organisations, nine in ten named with
    /// a legal form and common business words; as many organisation queries
    /// as the list has organisations.
    pub const ORG_HEAVY: Mix = Mix {
        organisation_percent: 45,
        business_percent: 90,
        organisation_query_percent: 45,
    };
}

impl Default for Mix {
    fn default() -> Mix {
        Mix::DEFAULT
    }
}

/// Entity `index` of the population of `seed`, independent of the others
/// (so a slice of the population can be generated on its own or in
/// parallel). Ids are `syn-p-0000042` / `syn-o-0000042`.
pub fn entity(seed: u64, index: u64) -> Entity {
    entity_with(seed, index, Mix::DEFAULT)
}

/// [`entity`] of the population of `mix`. [`Mix::DEFAULT`] gives exactly
/// [`entity`]'s population (the same draws in the same order).
pub fn entity_with(seed: u64, index: u64, mix: Mix) -> Entity {
    let mut rng = Rng::for_item(seed, STREAM_ENTITIES, index);
    if rng.chance(mix.organisation_percent) {
        let id = format!("syn-o-{index:07}");
        // No draw at all when the mix has no business names, so the
        // default population stays what it was.
        if mix.business_percent > 0 && rng.chance(mix.business_percent) {
            company::company(&mut rng, id)
        } else {
            person::organisation(&mut rng, id, Detail::Bench)
        }
    } else {
        let region = person::bench_region(&mut rng);
        person::person(&mut rng, format!("syn-p-{index:07}"), region, Detail::Bench)
    }
}

/// The first `n` entities of the population of `seed`, lazily. The same
/// seed gives the same entities in the same order on every machine.
pub fn generate(seed: u64, n: usize) -> impl Iterator<Item = Entity> {
    generate_with(seed, n, Mix::DEFAULT)
}

/// [`generate`] with another [`Mix`] (e.g. [`Mix::ORG_HEAVY`]).
pub fn generate_with(seed: u64, n: usize, mix: Mix) -> impl Iterator<Item = Entity> {
    (0..n as u64).map(move |i| entity_with(seed, i, mix))
}

/// Stream numbers of the traveller generator.
const STREAM_TRAVELLERS: u64 = 2;
const STREAM_INNOCENTS: u64 = 3;
const STREAM_INNOCENT_COMPANIES: u64 = 4;

/// A generated traveller with its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledTraveller {
    pub traveller: Traveller,
    /// `Person`, or `Company` for an organisation query (a company name
    /// with no date of birth, nationality or document).
    pub schema: Schema,
    /// The listed entity the traveller is, or `None` for an innocent.
    pub expected: Option<String>,
    /// How the name was made: the variation rules applied to a listed name
    /// (`transliteration+dropped-token`), or `innocent` / `innocent-homonym`
    /// / `innocent-overlap` (see [`travellers`]).
    pub how: String,
}

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The listed names as sets of word ids, to keep innocents innocent: an
/// innocent name may not be word for word a listed name, nor contain one,
/// nor be contained in one (Ziad Rahmani against Ishak Ben Ziad Rahmani is
/// a question for an analyst, not a clean negative).
struct ListedNames {
    words: HashMap<String, u32>,
    /// Names (as sorted word ids) containing each word.
    postings: Vec<Vec<u32>>,
    names: Vec<Box<[u32]>>,
    /// Order-free fingerprints of every listed name of two words or more.
    exact: HashSet<u64>,
}

/// The common elements of two sorted lists: a merge, or binary searches
/// when one list is much shorter.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() * 16 < long.len() {
        return short
            .iter()
            .copied()
            .filter(|x| long.binary_search(x).is_ok())
            .collect();
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < short.len() && j < long.len() {
        match short[i].cmp(&long[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(short[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn fingerprint(ids: &[u32]) -> u64 {
    ids.iter().fold(0xcbf2_9ce4_8422_2325, |h, &id| {
        crate::rng::mix(h ^ u64::from(id))
    })
}

impl ListedNames {
    fn new(watchlist: &[Entity]) -> ListedNames {
        let mut l = ListedNames {
            words: HashMap::new(),
            postings: Vec::new(),
            names: Vec::new(),
            exact: HashSet::new(),
        };
        for n in watchlist.iter().flat_map(|e| e.names()) {
            let mut ids: Vec<u32> = token_set(n.value)
                .into_iter()
                .map(|w| {
                    let next = l.words.len() as u32;
                    *l.words.entry(w).or_insert(next)
                })
                .collect();
            ids.sort_unstable();
            if ids.len() < 2 {
                continue;
            }
            let name_id = l.names.len() as u32;
            for &w in &ids {
                if l.postings.len() <= w as usize {
                    l.postings.resize_with(w as usize + 1, Vec::new);
                }
                l.postings[w as usize].push(name_id);
            }
            l.exact.insert(fingerprint(&ids));
            l.names.push(ids.into_boxed_slice());
        }
        l
    }

    /// Whether `name` equals, contains or is contained in a listed name.
    fn overlaps(&self, name: &str) -> bool {
        let words = token_set(name);
        let ids: Vec<Option<u32>> = words.iter().map(|w| self.words.get(w).copied()).collect();
        // Contained in a listed name: the occurrence lists (sorted name ids)
        // of all its words intersect, rarest first.
        if ids.iter().all(Option::is_some) {
            let mut lists: Vec<&[u32]> = ids
                .iter()
                .flatten()
                .map(|&w| self.postings[w as usize].as_slice())
                .collect();
            lists.sort_by_key(|l| l.len());
            let mut common: Vec<u32> = lists.first().map_or_else(Vec::new, |l| l.to_vec());
            for l in lists.iter().skip(1) {
                common = intersect(&common, l);
                if common.is_empty() {
                    break;
                }
            }
            if !common.is_empty() {
                return true;
            }
        }
        // Containing a listed name: some subset of two or more known words
        // is exactly a listed name (names have few words: at most 2^8 subsets).
        let mut known: Vec<u32> = ids.into_iter().flatten().collect();
        known.sort_unstable();
        known.truncate(8);
        for mask in 1u32..(1 << known.len()) {
            if mask.count_ones() < 2 {
                continue;
            }
            let subset: Vec<u32> = (0..known.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| known[i])
                .collect();
            if self.exact.contains(&fingerprint(&subset)) {
                return true;
            }
        }
        false
    }
}

/// Travellers for a benchmark or a manifest against `watchlist`: about half
/// are listed persons whose name went through one or two rules of the
/// [spelling-variation model](Variation) (with the evidence a document
/// would carry: a full date of birth within the listed one, nationality,
/// gender, sometimes the passport number); the rest are innocent travellers
/// — fictitious persons, a fifth of them homonym-like (a listed person's
/// given names with another family name) — whose name neither equals,
/// contains nor is contained in a listed name, word for word. On a list so
/// large that no such name turns up in 30 draws (a million entities from
/// the same vocabulary), the innocent is kept and labelled
/// `innocent-overlap`.
///
/// Deterministic in `seed`. Fails when `watchlist` has no named person.
pub fn travellers(
    seed: u64,
    n: usize,
    watchlist: &[Entity],
) -> Result<Vec<LabelledTraveller>, SynthError> {
    travellers_with(seed, n, watchlist, Mix::DEFAULT)
}

/// [`travellers`], of which `mix.organisation_query_percent` are
/// organisations: a listed organisation's name with its legal form changed
/// or dropped, its words reordered, a typo or upper-cased (labelled
/// `legal-form-changed`, `legal-form-dropped`, `reordered`, `typo`, `mrz`,
/// joined by `+`), or an innocent company drawn like the listed ones and
/// kept innocent the same way as innocent persons. With
/// [`Mix::DEFAULT`], exactly [`travellers`].
pub fn travellers_with(
    seed: u64,
    n: usize,
    watchlist: &[Entity],
    mix: Mix,
) -> Result<Vec<LabelledTraveller>, SynthError> {
    let organisations: Vec<&Entity> = watchlist
        .iter()
        .filter(|e| e.schema.is_organisation() && !e.names().is_empty())
        .collect();
    let persons: Vec<&Entity> = watchlist
        .iter()
        .filter(|e| e.schema == Schema::Person && !e.names().is_empty())
        .collect();
    if persons.is_empty() && n > 0 {
        return Err(SynthError::EmptyWatchlist {
            entities: watchlist.len(),
        });
    }
    let listed = ListedNames::new(watchlist);
    let mut out = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let mut rng = Rng::for_item(seed, STREAM_TRAVELLERS, i);
        // No draw when the mix has no organisation queries (the default
        // travellers stay what they were).
        if mix.organisation_query_percent > 0
            && !organisations.is_empty()
            && rng.chance(mix.organisation_query_percent)
        {
            if rng.chance(50) {
                let e = organisations[rng.below(organisations.len())];
                out.push(organisation_variant(&mut rng, e));
            } else {
                out.push(innocent_company(seed, i, &listed));
            }
        } else if rng.chance(50) {
            let e = persons[rng.below(persons.len())];
            out.push(variant_of(&mut rng, e));
        } else {
            out.push(innocent(seed, i, &mut rng, &persons, &listed));
        }
    }
    Ok(out)
}

/// A full date compatible with a listed (possibly partial) date.
fn document_date(rng: &mut Rng, listed: &[PartialDate]) -> Option<String> {
    let d = listed.get(rng.below(listed.len().max(1)))?;
    let month = d.get_month().map_or_else(|| rng.range(1, 12), u32::from);
    let day = d.get_day().map_or_else(|| rng.range(1, 28), u32::from);
    Some(format!("{:04}-{month:02}-{day:02}", d.get_year()))
}

fn variant_of(rng: &mut Rng, e: &Entity) -> LabelledTraveller {
    let names = e.names();
    let arabic = names.iter().find(|n| is_arabic(n.value)).map(|n| n.value);
    let latin: Vec<&str> = names
        .iter()
        .filter(|n| n.kind != NameKind::Weak && !is_arabic(n.value))
        .map(|n| n.value)
        .collect();
    let base = if latin.is_empty() || rng.chance(35) {
        names[0].value
    } else {
        latin[rng.below(latin.len())]
    };
    let listed_folds: Vec<String> = names.iter().map(|n| fold(n.value)).collect();
    // Names of Arab origin (an Arabic-script name, or an Arab nationality)
    // vary by transliteration; others only by order, MRZ form, a dropped
    // middle name or a slip (Pierre never becomes Pyrre).
    const ARAB_RULES: [(Variation, u32); 8] = [
        (Variation::Transliteration, 30),
        (Variation::Article, 8),
        (Variation::JoinSplit, 12),
        (Variation::DroppedToken, 14),
        (Variation::Reordered, 10),
        (Variation::Mrz, 10),
        (Variation::ArabicScript, 12),
        (Variation::Typo, 3),
    ];
    const OTHER_RULES: [(Variation, u32); 4] = [
        (Variation::Reordered, 35),
        (Variation::Mrz, 35),
        (Variation::DroppedToken, 10),
        (Variation::Typo, 20),
    ];
    const ARAB_NATIONALITIES: [&str; 12] = [
        "dz", "tn", "ma", "ly", "eg", "sd", "sy", "iq", "mr", "jo", "lb", "ye",
    ];
    let arab_origin = arabic.is_some()
        || e.nationalities()
            .iter()
            .any(|n| ARAB_NATIONALITIES.contains(&n.as_str()));
    let rules: &[(Variation, u32)] = if arab_origin {
        &ARAB_RULES
    } else {
        &OTHER_RULES
    };
    let weights: Vec<u32> = rules.iter().map(|r| r.1).collect();
    let mut name = base.to_string();
    let mut how: Vec<&str> = Vec::new();
    // One or two rules; retry a few times until the result is not verbatim
    // one of the listed names (that would be no test of the matcher).
    for _attempt in 0..6 {
        let rounds = 1 + usize::from(rng.chance(40));
        let mut candidate = base.to_string();
        let mut applied: Vec<&str> = Vec::new();
        for _ in 0..rounds {
            let v = rules[rng.weighted(&weights)].0;
            if v == Variation::ArabicScript && !applied.is_empty() {
                continue;
            }
            if let Some(next) = variation::apply(rng, v, &candidate, arabic) {
                candidate = next;
                applied.push(v.as_str());
                if v == Variation::ArabicScript {
                    break;
                }
            }
        }
        if !applied.is_empty() && !listed_folds.contains(&fold(&candidate)) {
            name = candidate;
            how = applied;
            break;
        }
    }
    if how.is_empty() {
        how.push("verbatim");
    }
    let traveller = Traveller {
        name,
        birth_date: if rng.chance(90) {
            document_date(rng, &e.birth_dates())
        } else {
            None
        },
        nationality: e
            .nationalities()
            .first()
            .filter(|_| rng.chance(90))
            .cloned(),
        gender: e.gender().map(str::to_string),
        document_number: e
            .first(prop::PASSPORT_NUMBER)
            .filter(|_| rng.chance(40))
            .map(str::to_string),
    };
    LabelledTraveller {
        traveller,
        schema: Schema::Person,
        expected: Some(e.id.clone()),
        how: how.join("+"),
    }
}

/// A query with only a name (what is known of a consignee or an employer).
fn name_only(name: String) -> Traveller {
    Traveller {
        name,
        birth_date: None,
        nationality: None,
        gender: None,
        document_number: None,
    }
}

/// A listed organisation written differently (one of its Latin names
/// through one or two rules of [`company::vary_company`]).
fn organisation_variant(rng: &mut Rng, e: &Entity) -> LabelledTraveller {
    let names: Vec<&str> = e
        .names()
        .iter()
        .filter(|n| n.kind != NameKind::Weak && !is_arabic(n.value))
        .map(|n| n.value)
        .collect();
    let base = if names.is_empty() {
        e.names()[0].value
    } else {
        names[rng.below(names.len())]
    };
    let listed_folds: Vec<String> = e.names().iter().map(|n| fold(n.value)).collect();
    let mut varied = None;
    for _attempt in 0..6 {
        if let Some((name, how)) = company::vary_company(rng, base)
            && !listed_folds.contains(&fold(&name))
        {
            varied = Some((name, how));
            break;
        }
    }
    let (name, how) = varied.unwrap_or_else(|| (base.to_string(), "verbatim".to_string()));
    LabelledTraveller {
        traveller: name_only(name),
        schema: Schema::Company,
        expected: Some(e.id.clone()),
        how,
    }
}

/// An innocent company: drawn like a listed one, redrawn (up to 30 times)
/// while its name equals, contains or is contained in a listed name.
fn innocent_company(seed: u64, index: u64, listed: &ListedNames) -> LabelledTraveller {
    let mut attempt = 0u64;
    loop {
        let mut p = Rng::for_item(
            seed ^ attempt.wrapping_mul(0x9E37),
            STREAM_INNOCENT_COMPANIES,
            index,
        );
        attempt += 1;
        let name = company::BusinessName::draw(&mut p).render(0);
        let overlapping = listed.overlaps(&name);
        if overlapping && attempt < 30 {
            continue;
        }
        return LabelledTraveller {
            traveller: name_only(name),
            schema: Schema::Company,
            expected: None,
            how: if overlapping {
                "innocent-overlap"
            } else {
                "innocent"
            }
            .to_string(),
        };
    }
}

fn innocent(
    seed: u64,
    index: u64,
    rng: &mut Rng,
    persons: &[&Entity],
    listed: &ListedNames,
) -> LabelledTraveller {
    let mut attempt = 0u64;
    loop {
        let mut p = Rng::for_item(seed ^ attempt.wrapping_mul(0x9E37), STREAM_INNOCENTS, index);
        attempt += 1;
        let region = person::bench_region(&mut p);
        let someone = person::person(&mut p, String::new(), region, Detail::Bench);
        let homonym = rng.chance(20) && attempt == 1;
        let name = if homonym {
            // A listed person's first words with the innocent's last word.
            let listed_name = persons[rng.below(persons.len())].caption();
            let own_last = someone
                .caption()
                .rsplit(' ')
                .next()
                .unwrap_or("")
                .to_string();
            let mut words: Vec<&str> = listed_name.split(' ').collect();
            words.pop();
            if words.is_empty() || is_arabic(&listed_name) {
                continue;
            }
            format!("{} {own_last}", words.join(" "))
        } else if rng.chance(15) {
            match someone.names().iter().find(|n| is_arabic(n.value)) {
                Some(n) => n.value.to_string(),
                None => someone.caption(),
            }
        } else {
            someone.caption()
        };
        // With a large list drawn from the same vocabulary, a short name may
        // find no clean form in 30 draws: it is then kept and labelled
        // `innocent-overlap` (a different person by construction, whom a
        // matcher may fairly refer to the second line).
        // Compare the Arabic-script form too: Youcef Haddad and Yusuf Haddad
        // are one name, and the Arabic form says so.
        let arabic_form = someone
            .names()
            .iter()
            .find(|n| is_arabic(n.value))
            .map(|n| n.value.to_string());
        let overlapping = listed.overlaps(&name)
            || (!homonym && arabic_form.is_some_and(|a| listed.overlaps(&a)));
        if overlapping && attempt < 30 {
            continue;
        }
        let traveller = Traveller {
            name,
            birth_date: document_date(&mut p, &someone.birth_dates()).or_else(|| {
                Some(format!(
                    "{:04}-{:02}-{:02}",
                    p.range(1955, 2006),
                    p.range(1, 12),
                    p.range(1, 28)
                ))
            }),
            nationality: someone.nationalities().first().cloned(),
            gender: someone.gender().map(str::to_string),
            document_number: Some(person::passport_number(
                &mut p,
                someone.nationalities().first().map_or("", String::as_str),
            )),
        };
        return LabelledTraveller {
            traveller,
            schema: Schema::Person,
            expected: None,
            how: if overlapping {
                "innocent-overlap"
            } else if homonym {
                "innocent-homonym"
            } else {
                "innocent"
            }
            .to_string(),
        };
    }
}
