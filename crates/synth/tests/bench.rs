//! The benchmark population and the traveller generator.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::time::Instant;

use tansiq_model::{Entity, NameKind, Schema};
use tansiq_synth::{SynthError, demo_watchlist, entity, fold, generate, token_set, travellers};

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

#[test]
fn same_seed_same_population_and_random_access() {
    let a: Vec<Entity> = generate(7, 2000).collect();
    let b: Vec<Entity> = generate(7, 2000).collect();
    assert_eq!(a, b);
    assert_eq!(entity(7, 1234), a[1234]);
    let c: Vec<Entity> = generate(8, 2000).collect();
    assert_ne!(a, c, "another seed, another population");
    let ids: HashSet<&str> = a.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), a.len());
}

#[test]
fn realistic_mix_and_about_three_names_per_entity() {
    let n = 20_000;
    let list: Vec<Entity> = generate(1, n).collect();
    let orgs = list.iter().filter(|e| e.schema.is_organisation()).count();
    let persons: Vec<&Entity> = list.iter().filter(|e| e.schema == Schema::Person).collect();
    let arab = persons
        .iter()
        .filter(|e| e.names().iter().any(|x| is_arabic(x.value)))
        .count();
    let names: usize = list.iter().map(|e| e.names().len()).sum();
    let share = |k: usize| k as f64 / n as f64;
    println!(
        "{n} entities: organisations {:.3}, Arabic-script persons {:.3}, other persons {:.3}, names per entity {:.2}",
        share(orgs),
        share(arab),
        share(persons.len() - arab),
        names as f64 / n as f64
    );
    assert!(
        (0.13..0.17).contains(&share(orgs)),
        "organisations {}",
        share(orgs)
    );
    assert!(
        (0.56..0.66).contains(&share(arab)),
        "Arabic-script persons {}",
        share(arab)
    );
    assert!(
        (2.6..3.4).contains(&(names as f64 / n as f64)),
        "names per entity"
    );
    for e in &list {
        assert!(!e.names().is_empty(), "{} has a name", e.id);
        assert_eq!(e.names()[0].kind, NameKind::Primary);
        if e.schema == Schema::Person {
            assert!(
                e.gender().is_some() && !e.nationalities().is_empty(),
                "{}",
                e.id
            );
        }
    }
    // Arab-script persons carry 2–4 names, the Arabic form among them.
    for e in persons
        .iter()
        .filter(|e| e.names().iter().any(|x| is_arabic(x.value)))
    {
        let k = e
            .names()
            .iter()
            .filter(|x| x.kind != NameKind::Weak)
            .count();
        assert!((2..=4).contains(&k), "{}: {k} names", e.id);
    }
}

#[test]
fn generation_speed_is_printed() {
    let n = 100_000;
    let start = Instant::now();
    let names: usize = generate(42, n).map(|e| e.names().len()).sum();
    let elapsed = start.elapsed();
    println!(
        "generated {n} entities ({names} names) in {:.3} s ({:.2} µs per entity; build profile {})",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    assert!(names > 2 * n);
}

#[test]
fn travellers_are_labelled_variants_and_innocents() {
    let list: Vec<Entity> = generate(3, 5000).collect();
    let t = travellers(9, 2000, &list).unwrap();
    assert_eq!(t, travellers(9, 2000, &list).unwrap(), "deterministic");
    assert_eq!(t.len(), 2000);
    let by_id: HashMap<&str, &Entity> = list.iter().map(|e| (e.id.as_str(), e)).collect();
    let listed: HashSet<Vec<String>> = list
        .iter()
        .flat_map(|e| e.names().into_iter().map(|n| token_set(n.value)))
        .collect();
    let positives = t.iter().filter(|x| x.expected.is_some()).count();
    assert!(
        (800..1200).contains(&positives),
        "{positives} listed travellers of 2000"
    );
    let mut rules: HashMap<&str, usize> = HashMap::new();
    for x in &t {
        assert!(!x.traveller.name.trim().is_empty());
        match &x.expected {
            Some(id) => {
                let e = by_id
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("{id} is not on the list"));
                assert_eq!(e.schema, Schema::Person);
                if x.how != "verbatim" {
                    let f = fold(&x.traveller.name);
                    assert!(
                        e.names().iter().all(|n| fold(n.value) != f),
                        "{} verbatim on {id} ({})",
                        x.traveller.name,
                        x.how
                    );
                }
                if let Some(d) = &x.traveller.birth_date {
                    let d = d.parse().unwrap();
                    assert!(
                        e.birth_dates().iter().any(|l| l.compatible(&d)),
                        "{id}: {d} vs {:?}",
                        e.birth_dates()
                    );
                }
                for rule in x.how.split('+') {
                    *rules.entry(rule).or_default() += 1;
                }
            }
            None => {
                assert!(x.how.starts_with("innocent"));
                *rules.entry(x.how.as_str()).or_default() += 1;
                if x.how == "innocent-overlap" {
                    continue;
                }
                let words = token_set(&x.traveller.name);
                assert!(
                    !listed.contains(&words),
                    "innocent {} is a listed name",
                    x.traveller.name
                );
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
    println!("travellers by rule: {rules:?}");
    for rule in [
        "transliteration",
        "article",
        "join-split",
        "dropped-token",
        "reordered",
        "mrz",
        "arabic-script",
        "typo",
        "innocent",
        "innocent-homonym",
    ] {
        assert!(
            rules.get(rule).copied().unwrap_or(0) > 5,
            "rule {rule} used: {rules:?}"
        );
    }
    assert!(
        rules.get("verbatim").copied().unwrap_or(0) < 20,
        "{rules:?}"
    );
    assert!(
        rules.get("innocent-overlap").copied().unwrap_or(0) < 10,
        "{rules:?}"
    );
}

#[test]
fn travellers_for_the_demo_list_and_an_empty_one() {
    let demo = demo_watchlist();
    let manifest = travellers(1, 400, &demo).unwrap();
    assert_eq!(manifest.len(), 400);
    assert!(manifest.iter().all(|x| {
        x.expected
            .as_deref()
            .is_none_or(|id| id.starts_with("demo-p-"))
    }));
    assert_eq!(
        travellers(1, 3, &[Entity::new("x", Schema::Organization)]),
        Err(SynthError::EmptyWatchlist { entities: 1 })
    );
    assert_eq!(travellers(1, 0, &[]), Ok(Vec::new()));
}

#[test]
fn generated_primary_names_are_rarely_real_listed_names() {
    let Some(path) = tansiq_testkit::shared_file(
        "bench/watchlist.jsonl",
        "generated names against real listed persons",
    ) else {
        return;
    };
    let mut real: HashSet<Vec<String>> = HashSet::new();
    for line in std::io::BufReader::new(std::fs::File::open(path).unwrap()).lines() {
        let e: Entity = serde_json::from_str(&line.unwrap()).unwrap();
        for n in e.names() {
            if n.kind == NameKind::Primary {
                real.insert(token_set(n.value));
            }
        }
    }
    let n = 50_000;
    let hits: Vec<String> = generate(5, n)
        .map(|e| e.caption())
        .filter(|c| real.contains(&token_set(c)))
        .collect();
    println!(
        "{} of {n} generated primary names equal a real listed name: {hits:?}",
        hits.len()
    );
    // Random combinations of common parts can meet a real name by chance;
    // it must stay that: chance (under 1 in 10,000).
    assert!(hits.len() * 10_000 < n, "{hits:?}");
}
