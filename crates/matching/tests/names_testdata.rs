//! Matching behaviour specified as data: every `testdata/names/*.toml`
//! case must land on the expected side of the default alert threshold.
//! The listed name is screened inside a small fictitious background list
//! of common Arabic name parts, so that rarity works as it does on a real
//! list (Mohamed and Ali are common, a family name is rare).
//!
//! Optional case fields: `listed_primary` (then `listed` is an alias of
//! that primary name, `listed_kind` = `alias` (default) or `weak`),
//! `query_birth_date` / `listed_birth_date`, `query_nationality` /
//! `listed_nationality`, and `rule`: a name-cap rule the explanation must
//! name (`common-parts-only`, `one-part-alias`).

use std::path::Path;

use serde::Deserialize;
use tansiq_matching::{Index, LinearModel, Match, MatcherConfig, Query};
use tansiq_model::{Entity, Schema, prop};

#[derive(Debug, Deserialize)]
struct File {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    query: String,
    listed: String,
    expect: String,
    why: String,
    listed_primary: Option<String>,
    listed_kind: Option<String>,
    query_birth_date: Option<String>,
    listed_birth_date: Option<String>,
    query_nationality: Option<String>,
    listed_nationality: Option<String>,
    rule: Option<String>,
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

/// The listed entity's match for the case's query, ranked with early
/// stopping, and its score ranked exhaustively (they must agree).
fn screen_score(c: &Case, config: &MatcherConfig) -> (Option<Match>, Option<f64>) {
    let mut entities = background();
    let mut listed = match &c.listed_primary {
        Some(primary) => {
            let mut e = entity("listed", primary);
            let prop = match c.listed_kind.as_deref() {
                None | Some("alias") => prop::ALIAS,
                Some("weak") => prop::WEAK_ALIAS,
                Some(other) => panic!("listed_kind must be alias or weak, found {other:?}"),
            };
            e.add(prop, c.listed.as_str());
            e
        }
        None => entity("listed", &c.listed),
    };
    if let Some(d) = &c.listed_birth_date {
        listed.add(prop::BIRTH_DATE, d.as_str());
    }
    if let Some(n) = &c.listed_nationality {
        listed.add(prop::NATIONALITY, n.as_str());
    }
    entities.push(listed);
    let index = Index::build(entities, config.clone());
    let q = entity("query", &c.query);
    let mut query = Query::from_entity(&q);
    query.schema = None;
    query.birth_dates.extend(c.query_birth_date.iter().cloned());
    query
        .nationalities
        .extend(c.query_nationality.iter().cloned());
    let find = |ms: Vec<Match>| ms.into_iter().find(|m| m.entity_id == "listed");
    (
        find(index.screen(&query, 200)),
        find(index.screen_exhaustive(&query, 200)).map(|m| m.score),
    )
}

#[test]
fn testdata_cases_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/names");
    // Every case holds under the rule-based and the learned name score
    // alike (whichever is the default).
    let configs = [
        (
            "rule-based",
            MatcherConfig {
                model: None,
                ..MatcherConfig::default()
            },
        ),
        (
            "learned",
            MatcherConfig {
                model: Some(LinearModel::fitted()),
                ..MatcherConfig::default()
            },
        ),
    ];
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
            for (label, config) in &configs {
                n += 1;
                let (m, exhaustive) = screen_score(&c, config);
                let score = m.as_ref().map_or(0.0, |m| m.score);
                if (score - exhaustive.unwrap_or(0.0)).abs() > 1e-6 {
                    failures.push(format!(
                        "{label}: {:?} vs {:?}: ranked {score:.4}, exhaustive {:.4}",
                        c.query,
                        c.listed,
                        exhaustive.unwrap_or(0.0)
                    ));
                }
                let explanation = m
                    .as_ref()
                    .map_or("not retrieved".to_string(), |m| m.explanation.to_string());
                let mut ok = match c.expect.as_str() {
                    "match" => score >= config.possible,
                    "no-match" => score < config.possible,
                    other => panic!(
                        "{}: expect must be match or no-match, found {other:?}",
                        path.display()
                    ),
                };
                if let Some(rule) = &c.rule {
                    // the explanation must say which rule held the name back
                    ok &= m.as_ref().is_some_and(|m| {
                        m.explanation
                            .caps
                            .iter()
                            .any(|cap| cap.rule.as_str() == rule)
                    });
                }
                if !ok {
                    failures.push(format!(
                    "{label}, {}: {:?} vs {:?} expected {} {} ({}), score {score:.3}\n{explanation}",
                    path.file_name().and_then(|f| f.to_str()).unwrap_or("?"),
                    c.query,
                    c.listed,
                    c.expect,
                    c.rule.as_deref().unwrap_or(""),
                    c.why
                ));
                }
            }
        }
    }
    assert!(n >= 40, "only {n} case runs");
    assert!(
        failures.is_empty(),
        "{} of {n} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
