//! Matching behaviour specified as data: every `testdata/names/*.toml`
//! case must land on the expected side of the default alert threshold.
//! The listed name is screened inside a small fictitious background list
//! of common Arabic name parts, so that rarity works as it does on a real
//! list (Mohamed and Ali are common, a family name is rare).

use std::path::Path;

use serde::Deserialize;
use tansiq_matching::{Index, MatcherConfig, Query};
use tansiq_model::{Entity, Schema, prop};

#[derive(Debug, Deserialize)]
struct File {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    query: String,
    listed: String,
    expect: String,
    why: String,
}

fn entity(id: &str, name: &str) -> Entity {
    // Organisations when the name carries generic organisation words.
    let schema = if tansiq_names::tokenize(name).iter().any(|t| t.is_generic()) {
        Schema::Organization
    } else {
        Schema::Person
    };
    let mut e = Entity::new(id, schema);
    e.add(prop::NAME, name);
    e
}

/// Fictitious background entities: every combination of common given
/// names with common patronyms and a numbered filler family name.
fn background() -> Vec<Entity> {
    const GIVEN: &[&str] = &[
        "Mohamed", "Muhammad", "Mohammed", "Ahmed", "Ahmad", "Ali", "Omar", "Khaled", "Khalid",
        "Youssef", "Abdallah", "Abdullah", "Hassan", "Hussein", "Ibrahim", "Mustafa", "Said",
        "Karim", "Samir", "Jamal",
    ];
    const PATRONYM: &[&str] = &["Mohamed", "Ahmed", "Ali", "Abdelkader", "Hassan", "Omar"];
    let mut out = Vec::new();
    for (i, g) in GIVEN.iter().enumerate() {
        for (j, p) in PATRONYM.iter().enumerate() {
            let mut e = Entity::new(format!("bg{i}-{j}"), Schema::Person);
            // filler family names are unique letter sequences, never a
            // name used in the cases
            let family = format!(
                "Xq{}v{}",
                (b'a' + i as u8) as char,
                (b'a' + j as u8) as char
            );
            e.add(prop::NAME, format!("{g} {p} {family}"));
            out.push(e);
        }
    }
    out
}

fn screen_score(query: &str, listed: &str, config: &MatcherConfig) -> (f64, String) {
    let mut entities = background();
    entities.push(entity("listed", listed));
    let index = Index::build(entities, config.clone());
    let q = entity("query", query);
    let mut query = Query::from_entity(&q);
    query.schema = None;
    match index
        .screen(&query, 200)
        .into_iter()
        .find(|m| m.entity_id == "listed")
    {
        Some(m) => (m.score, m.explanation.to_string()),
        None => (0.0, "not retrieved".to_string()),
    }
}

#[test]
fn testdata_cases_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/names");
    let config = MatcherConfig::default();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/names exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no testdata files in {}", dir.display());
    let mut failures = Vec::new();
    let mut n = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable file");
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for c in file.case {
            n += 1;
            let (score, explanation) = screen_score(&c.query, &c.listed, &config);
            let ok = match c.expect.as_str() {
                "match" => score >= config.possible,
                "no-match" => score < config.possible,
                other => panic!(
                    "{}: expect must be match or no-match, found {other:?}",
                    path.display()
                ),
            };
            if !ok {
                failures.push(format!(
                    "{}: {:?} vs {:?} expected {} ({}), score {score:.3}\n{explanation}",
                    path.file_name().and_then(|f| f.to_str()).unwrap_or("?"),
                    c.query,
                    c.listed,
                    c.expect,
                    c.why
                ));
            }
        }
    }
    assert!(n >= 20, "only {n} cases");
    assert!(
        failures.is_empty(),
        "{} of {n} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
