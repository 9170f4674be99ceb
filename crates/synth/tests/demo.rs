//! The demo watchlist and travellers: counts, shapes, determinism, and no
//! collision with real listed persons.

use std::collections::{BTreeSet, HashSet};
use std::io::BufRead;

use tansiq_model::{Entity, NameKind, Schema, prop};
use tansiq_synth::{
    DEMO_ORGANISATIONS, DEMO_PERSONS, demo_travellers, demo_watchlist, fold, token_set,
};

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

#[test]
fn same_list_on_every_call() {
    assert_eq!(demo_watchlist(), demo_watchlist());
    assert_eq!(demo_travellers(), demo_travellers());
}

#[test]
fn counts_and_ids() {
    let list = demo_watchlist();
    assert!(list.len() >= 300, "{} entities", list.len());
    let persons = list.iter().filter(|e| e.schema == Schema::Person).count();
    let orgs = list.iter().filter(|e| e.schema.is_organisation()).count();
    assert_eq!((persons, orgs), (DEMO_PERSONS, DEMO_ORGANISATIONS));
    let ids: HashSet<&str> = list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), list.len(), "ids are unique");
    for e in &list {
        let prefix = if e.schema == Schema::Person {
            "demo-p-"
        } else {
            "demo-o-"
        };
        assert!(e.id.starts_with(prefix) && e.id.len() == 11, "id {}", e.id);
    }
    let primaries: HashSet<String> = list.iter().map(|e| fold(&e.caption())).collect();
    assert_eq!(primaries.len(), list.len(), "primary names are distinct");
}

#[test]
fn every_entity_has_the_fields_a_national_entry_carries() {
    let list = demo_watchlist();
    for e in &list {
        let names = e.names();
        assert_eq!(
            names.first().map(|n| n.kind),
            Some(NameKind::Primary),
            "{}",
            e.id
        );
        assert!(!is_arabic(&e.caption()), "{}: primary name is Latin", e.id);
        assert_eq!(e.provenance.source, "demo");
        assert!(
            e.legal_basis.is_some() && e.action_on_hit.is_some(),
            "{}",
            e.id
        );
        assert!(
            e.is_screenable("2026-11-29"),
            "{} in force for the demo",
            e.id
        );
        if let Some(agency) = &e.origin_agency {
            let lb = e.legal_basis.as_ref().unwrap();
            assert!(
                lb.warrant_number.is_some() && lb.court.is_some() && lb.offence.is_some(),
                "{agency} {}",
                e.id
            );
        }
        if e.schema == Schema::Person {
            assert!(e.gender().is_some(), "{}", e.id);
            assert!(!e.nationalities().is_empty(), "{}", e.id);
            assert_eq!(
                e.birth_dates().len(),
                e.get(prop::BIRTH_DATE).len(),
                "{}: dates parse",
                e.id
            );
        }
        let back: Entity = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
        assert_eq!(&back, e);
    }
    let persons: Vec<&Entity> = list.iter().filter(|e| e.schema == Schema::Person).collect();
    let arabic = persons
        .iter()
        .filter(|e| e.names().iter().any(|n| is_arabic(n.value)))
        .count();
    assert!(
        arabic >= 200,
        "{arabic} persons with an Arabic-script alias"
    );
    let with_aliases = persons
        .iter()
        .filter(|e| e.get(prop::ALIAS).len() >= 2)
        .count();
    assert!(
        with_aliases >= 150,
        "{with_aliases} persons with two or more aliases"
    );
    let weak = persons
        .iter()
        .filter(|e| !e.get(prop::WEAK_ALIAS).is_empty())
        .count();
    assert!(weak >= 40, "{weak} persons with a weak alias");
    let year_only = persons
        .iter()
        .filter(|e| e.birth_dates().iter().any(|d| d.get_month().is_none()))
        .count();
    let ranges = persons
        .iter()
        .filter(|e| e.birth_dates().len() >= 2)
        .count();
    let full = persons
        .iter()
        .filter(|e| e.birth_dates().iter().any(|d| d.is_full()))
        .count();
    assert!(
        full >= 120 && year_only >= 30 && ranges >= 10,
        "full {full}, year-only {year_only}, ranges {ranges}"
    );
    let documents = persons.iter().filter(|e| !e.documents().is_empty()).count();
    assert!(documents >= 60, "{documents} persons with a document");
    assert!(persons.iter().any(|e| e.gender() == Some("female")));
    let nationalities: BTreeSet<String> = persons.iter().flat_map(|e| e.nationalities()).collect();
    for cc in ["dz", "tn", "eg", "ly", "ma", "sd", "sy", "iq", "fr"] {
        assert!(
            nationalities.contains(cc),
            "no {cc} national in {nationalities:?}"
        );
    }
    assert!(nationalities.contains("ml") || nationalities.contains("ne"));
    let agencies: BTreeSet<&str> = list
        .iter()
        .filter_map(|e| e.origin_agency.as_deref())
        .collect();
    for a in ["dz-dgsn", "tn-dgsn", "eg-ipd"] {
        assert!(agencies.contains(a), "no entry from {a}");
    }
    assert!(
        list.iter().any(|e| e.origin_agency.is_none()),
        "some entries come from the demo list"
    );
    let actions: HashSet<_> = list.iter().filter_map(|e| e.action_on_hit).collect();
    assert_eq!(actions.len(), 5, "every action on hit occurs: {actions:?}");
}

#[test]
fn travellers_point_at_the_right_entries() {
    let list = demo_watchlist();
    let travellers = demo_travellers();
    assert!(travellers.len() >= 8);
    assert!(
        travellers.iter().any(|t| is_arabic(&t.traveller.name)),
        "an Arabic-script traveller"
    );
    assert!(
        travellers.iter().filter(|t| t.expected.is_none()).count() >= 3,
        "innocents"
    );
    for t in &travellers {
        assert!(!t.description.is_empty());
        let q = t.traveller.to_entity("q");
        match &t.expected {
            Some(id) => {
                let e = list
                    .iter()
                    .find(|e| &e.id == id)
                    .unwrap_or_else(|| panic!("{id} not listed"));
                // Written differently from every name of the entry.
                let folded = fold(&t.traveller.name);
                assert!(
                    e.names().iter().all(|n| fold(n.value) != folded),
                    "{} is verbatim on {id}",
                    t.traveller.name
                );
                // Whatever evidence the traveller carries agrees with the entry.
                for d in q.birth_dates() {
                    assert!(
                        e.birth_dates().iter().any(|l| l.compatible(&d))
                            || e.birth_dates().is_empty(),
                        "{id} dob"
                    );
                }
                for n in q.nationalities() {
                    assert!(e.nationalities().contains(&n), "{id} nationality");
                }
                for d in q.documents() {
                    assert!(
                        e.documents().iter().any(|l| l.number == d.number),
                        "{id} document"
                    );
                }
            }
            None => {
                // No listed name contains every word of the innocent's name.
                let words = token_set(&t.traveller.name);
                for e in &list {
                    for n in e.names() {
                        let t = token_set(n.value);
                        assert!(
                            !words.iter().all(|w| t.contains(w)),
                            "innocent {words:?} is inside {} of {}",
                            n.value,
                            e.id
                        );
                    }
                }
            }
        }
    }
}

/// Every fold of every name (primary, alias, weak alias) on the real
/// benchmark watchlist, and the order-free token sets of the primary names.
fn real_names() -> Option<(HashSet<String>, HashSet<Vec<String>>)> {
    let path = tansiq_testkit::shared_file(
        "bench/watchlist.jsonl",
        "demo names against real listed persons",
    )?;
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let (mut folded, mut sets) = (HashSet::new(), HashSet::new());
    for line in file.lines() {
        let e: Entity = serde_json::from_str(&line.unwrap()).unwrap();
        for n in e.names() {
            folded.insert(fold(n.value));
            if n.kind == NameKind::Primary {
                sets.insert(token_set(n.value));
            }
        }
    }
    assert!(folded.len() > 1000, "read {} real names", folded.len());
    Some((folded, sets))
}

#[test]
fn no_demo_name_is_a_real_listed_name() {
    let Some((folded, sets)) = real_names() else {
        return;
    };
    for e in demo_watchlist() {
        assert!(
            !sets.contains(&token_set(&e.caption())),
            "{} ({}) is a real listed name",
            e.caption(),
            e.id
        );
        for n in e.names() {
            // Single words ("Waves"), acronyms and a bare kunya ("Abu Hamza",
            // borne by countless people) are vocabulary, not persons.
            let f = fold(n.value);
            let bare_kunya = f.split(' ').count() == 2
                && ["abu ", "abou ", "umm ", "oum "]
                    .iter()
                    .any(|k| f.starts_with(k));
            if f.contains(' ') && !bare_kunya {
                assert!(
                    !folded.contains(&fold(n.value)),
                    "{} of {} is a real listed name",
                    n.value,
                    e.id
                );
            }
        }
    }
    for t in demo_travellers() {
        assert!(
            !folded.contains(&fold(&t.traveller.name)),
            "traveller {} is a real listed name",
            t.traveller.name
        );
    }
}
