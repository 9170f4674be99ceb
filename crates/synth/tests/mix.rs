//! Population mixes: the default one unchanged, the organisation-heavy one
//! (OFAC-like) with its shares, names and organisation queries.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use proptest::prelude::*;
use tansiq_model::{Entity, NameKind, Schema};
use tansiq_synth::{
    Mix, entity, entity_with, fold, generate, generate_with, token_set, travellers, travellers_with,
};

/// Folded words that mark a legal form in the generated names.
const LEGAL_FORM_WORDS: &[&str] = &[
    "limited",
    "ltd",
    "co",
    "company",
    "llc",
    "l l c",
    "corporation",
    "corp",
    "inc",
    "incorporated",
    "s a",
    "sa",
    "c v",
    "cv",
    "ltda",
    "limitada",
    "sarl",
    "s a r l",
    "sal",
    "s a l",
    "gmbh",
    "g m b h",
    "jsc",
    "ao",
    "pjsc",
    "ooo",
    "sherkat",
    "sherkate",
    "fze",
    "fzco",
    "pte",
    "ag",
    "anonima",
];

/// Folded common business words.
const BUSINESS_WORDS: &[&str] = &[
    "international",
    "trading",
    "general",
    "group",
    "shipping",
    "industries",
    "investment",
    "holding",
    "import",
    "development",
    "technology",
    "engineering",
    "services",
    "energy",
    "industrial",
    "commercial",
    "construction",
    "management",
    "enterprises",
    "industry",
    "bank",
    "oil",
    "marine",
    "logistics",
];

fn has_any(name: &str, words: &[&str]) -> bool {
    let f = format!(" {} ", fold(name));
    words.iter().any(|w| f.contains(&format!(" {w} ")))
}

fn organisation_share(list: &[Entity]) -> f64 {
    let orgs = list.iter().filter(|e| e.schema.is_organisation()).count();
    orgs as f64 / list.len() as f64
}

#[test]
fn the_default_mix_is_the_original_population() {
    assert_eq!(Mix::default(), Mix::DEFAULT);
    let a: Vec<Entity> = generate(11, 3_000).collect();
    let b: Vec<Entity> = generate_with(11, 3_000, Mix::DEFAULT).collect();
    assert_eq!(a, b);
    assert_eq!(entity(11, 2_999), entity_with(11, 2_999, Mix::DEFAULT));
    let t = travellers(4, 500, &a).unwrap();
    assert_eq!(t, travellers_with(4, 500, &a, Mix::DEFAULT).unwrap());
    assert!(t.iter().all(|x| x.schema == Schema::Person));
}

#[test]
fn org_heavy_names_carry_legal_forms_and_common_business_words() {
    let n = 20_000;
    let list: Vec<Entity> = generate_with(1, n, Mix::ORG_HEAVY).collect();
    let orgs: Vec<&Entity> = list.iter().filter(|e| e.schema.is_organisation()).collect();
    let share = |k: usize| k as f64 / orgs.len() as f64;
    let legal = orgs
        .iter()
        .filter(|e| has_any(&e.caption(), LEGAL_FORM_WORDS))
        .count();
    let business = orgs
        .iter()
        .filter(|e| has_any(&e.caption(), BUSINESS_WORDS))
        .count();
    let names: usize = list.iter().map(|e| e.names().len()).sum();
    let distinct: HashSet<String> = orgs.iter().map(|e| fold(&e.caption())).collect();
    println!(
        "{n} entities (org-heavy): organisations {:.3}, with a legal form {:.3}, with a common business word {:.3}, distinct organisation names {:.3}, names per entity {:.2}",
        organisation_share(&list),
        share(legal),
        share(business),
        share(distinct.len()),
        names as f64 / n as f64
    );
    assert!((0.43..0.47).contains(&organisation_share(&list)));
    assert!(share(legal) > 0.85, "legal forms {}", share(legal));
    // The list above is a subset of the generator's business words (88 % of
    // business names draw at least one of them all).
    assert!(share(business) > 0.65, "business words {}", share(business));
    // The tenth named in the default patterns repeats names (a few hundred
    // words); the coined business names almost never do.
    assert!(share(distinct.len()) > 0.9, "organisation homonyms");
    for e in &list {
        assert!(!e.names().is_empty(), "{} has a name", e.id);
        assert_eq!(e.names()[0].kind, NameKind::Primary);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn org_heavy_shares_hold_for_every_seed(seed in any::<u64>()) {
        let list: Vec<Entity> = generate_with(seed, 2_000, Mix::ORG_HEAVY).collect();
        // 45 % of 2,000 draws: three standard deviations are 3.3 points.
        prop_assert!((0.40..0.50).contains(&organisation_share(&list)));
        prop_assert_eq!(&list[1_234], &entity_with(seed, 1_234, Mix::ORG_HEAVY));
        let again: Vec<Entity> = generate_with(seed, 2_000, Mix::ORG_HEAVY).collect();
        prop_assert_eq!(list, again);
    }
}

#[test]
fn org_heavy_travellers_include_organisations_labelled_like_persons() {
    let list: Vec<Entity> = generate_with(3, 5_000, Mix::ORG_HEAVY).collect();
    let t = travellers_with(9, 2_000, &list, Mix::ORG_HEAVY).unwrap();
    assert_eq!(t, travellers_with(9, 2_000, &list, Mix::ORG_HEAVY).unwrap());
    let by_id: HashMap<&str, &Entity> = list.iter().map(|e| (e.id.as_str(), e)).collect();
    let listed: HashSet<Vec<String>> = list
        .iter()
        .flat_map(|e| e.names().into_iter().map(|n| token_set(n.value)))
        .collect();
    let orgs: Vec<_> = t.iter().filter(|x| x.schema == Schema::Company).collect();
    let share = orgs.len() as f64 / t.len() as f64;
    assert!(
        (0.40..0.50).contains(&share),
        "organisation queries {share}"
    );
    let mut rules: HashMap<&str, usize> = HashMap::new();
    for x in &orgs {
        assert!(x.traveller.birth_date.is_none() && x.traveller.document_number.is_none());
        match &x.expected {
            Some(id) => {
                let e = by_id[id.as_str()];
                assert!(e.schema.is_organisation(), "{id}");
                let f = fold(&x.traveller.name);
                assert!(
                    x.how == "verbatim" || e.names().iter().all(|n| fold(n.value) != f),
                    "{} verbatim on {id} ({})",
                    x.traveller.name,
                    x.how
                );
                for rule in x.how.split('+') {
                    *rules.entry(rule).or_default() += 1;
                }
            }
            None => {
                *rules.entry(x.how.as_str()).or_default() += 1;
                if x.how == "innocent-overlap" {
                    continue;
                }
                assert_eq!(x.how, "innocent");
                let words = token_set(&x.traveller.name);
                assert!(!listed.contains(&words), "{}", x.traveller.name);
                for l in listed.iter().filter(|l| l.len() >= 2) {
                    let inside = words.iter().all(|w| l.contains(w));
                    let contains = l.iter().all(|w| words.contains(w));
                    assert!(
                        !inside && !contains,
                        "innocent {} overlaps listed {l:?}",
                        x.traveller.name
                    );
                }
            }
        }
    }
    println!("organisation queries by rule: {rules:?}");
    for rule in [
        "legal-form-changed",
        "legal-form-dropped",
        "reordered",
        "typo",
        "mrz",
        "innocent",
    ] {
        assert!(
            rules.get(rule).copied().unwrap_or(0) > 10,
            "{rule}: {rules:?}"
        );
    }
    assert!(
        rules.get("verbatim").copied().unwrap_or(0) < 10,
        "{rules:?}"
    );
    assert!(
        rules.get("innocent-overlap").copied().unwrap_or(0) < 10,
        "{rules:?}"
    );
}

#[test]
fn org_heavy_names_are_rarely_real_listed_names() {
    let mut real: HashSet<Vec<String>> = HashSet::new();
    for file in ["bench/watchlist.jsonl", "bench/train/watchlist.jsonl"] {
        let Some(path) = tansiq_testkit::shared_file(file, "generated names against real lists")
        else {
            return;
        };
        for line in std::io::BufReader::new(std::fs::File::open(path).unwrap()).lines() {
            let e: Entity = serde_json::from_str(&line.unwrap()).unwrap();
            for n in e.names() {
                real.insert(token_set(n.value));
            }
        }
    }
    let n = 50_000;
    let hits: Vec<String> = generate_with(5, n, Mix::ORG_HEAVY)
        .filter(|e| e.schema.is_organisation())
        .flat_map(|e| {
            e.names()
                .into_iter()
                .map(|x| x.value.to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| real.contains(&token_set(c)))
        .collect();
    println!(
        "{} generated organisation names (of {n} entities) equal a real listed name: {hits:?}",
        hits.len()
    );
    // Coined words make a real name a rare accident (under 1 in 10,000).
    assert!(hits.len() * 10_000 < n, "{hits:?}");
}
