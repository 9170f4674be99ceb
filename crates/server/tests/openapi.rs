//! The OpenAPI document matches the router: every registered route is
//! documented with its method, every documented operation is registered,
//! and every registered route reaches a handler (not the 404/405 fallback).

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use tansiq_server::{AppState, MemoryAudit, Pepper, openapi, route_table, router};
use tansiq_store::Store;
use tower::ServiceExt;

fn documented() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_operation_is_routed() {
    let routed: BTreeSet<(String, String)> = route_table()
        .table
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let documented = documented();
    let missing_in_doc: Vec<_> = routed.difference(&documented).collect();
    let missing_in_router: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing_in_doc.is_empty(),
        "routes not in /openapi.json: {missing_in_doc:?}"
    );
    assert!(
        missing_in_router.is_empty(),
        "documented but not routed: {missing_in_router:?}"
    );
}

/// Every operation of the document with its path and method.
fn operations() -> Vec<(String, String, serde_json::Value)> {
    let doc = serde_json::to_value(openapi()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[test]
fn every_operation_has_a_summary() {
    let missing: Vec<String> = operations()
        .into_iter()
        .filter(|(_, _, op)| op["summary"].as_str().is_none_or(|s| s.trim().is_empty()))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a summary: {missing:?}"
    );
}

#[test]
fn path_parameters_are_the_path_template_and_nothing_else() {
    let mut wrong = Vec::new();
    for (method, path, op) in operations() {
        let placeholders: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        if placeholders != declared {
            wrong.push(format!(
                "{method} {path}: template {placeholders:?}, path parameters {declared:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "path parameters off the template: {wrong:#?}"
    );
}

#[test]
fn every_error_is_declared_as_problem_json() {
    let mut wrong = Vec::new();
    for (method, path, op) in operations() {
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let types: Vec<&String> = response["content"]
                    .as_object()
                    .map(|c| c.keys().collect())
                    .unwrap_or_default();
                if types != ["application/problem+json"] {
                    wrong.push(format!("{method} {path} {status}: {types:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "errors not declared as problem+json: {wrong:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_reaches_a_handler() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::default_config(dir.path());
    config.store.location = dir.path().join("n.db").display().to_string();
    let store = Store::open(&config.store.location).await.unwrap();
    let state = AppState::new(
        store,
        config,
        Pepper::random(),
        Arc::new(MemoryAudit::default()),
    )
    .await
    .unwrap();
    let app = router(state);
    for (method, path) in documented() {
        let uri = path.replace("{id}", "some-id");
        let req = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("urn:tansiq:problem:no-route") && !text.contains("method-not-allowed"),
            "{method} {path} is documented but not routed: {text}"
        );
    }
    // And the fallbacks do answer for what is not routed.
    let resp = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/v2/nothing")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("no-route"));
}

/// DEPLOY.md's agreement examples are agreements and equal their files in
/// `samples/agreements/` (which the federation walk-through uses); what
/// the section says of them holds (`check_pair`); and the OpenAPI document
/// types an agreement, with the first of them as its example.
#[test]
fn documented_agreements_are_agreements() {
    use tansiq_federation::{Agreement, check_pair};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let deploy = std::fs::read_to_string(root.join("DEPLOY.md")).unwrap();
    let start = deploy.find("## Sharing agreements: the format").unwrap();
    let end = deploy[start + 3..]
        .find("\n## ")
        .map_or(deploy.len(), |i| start + 3 + i);
    let blocks: Vec<&str> = deploy[start..end]
        .split("```json\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    let files = ["dz-to-tn.json", "tn-to-dz.json", "checks-only.json"];
    assert_eq!(blocks.len(), files.len(), "one JSON block per sample file");
    let mut samples = Vec::new();
    for (block, file) in blocks.iter().zip(files) {
        let documented: Agreement =
            serde_json::from_str(block).unwrap_or_else(|e| panic!("DEPLOY.md's {file} block: {e}"));
        let text =
            std::fs::read_to_string(root.join("../../samples/agreements").join(file)).unwrap();
        let sample: Agreement = serde_json::from_str(&text).unwrap();
        assert_eq!(documented, sample, "{file}");
        samples.push(sample);
    }
    let (dz_to_tn, tn_to_dz, checks_only) = (&samples[0], &samples[1], &samples[2]);
    // Each direction registered with the same file on both sides matches.
    assert!(check_pair(dz_to_tn, dz_to_tn).is_empty());
    assert!(check_pair(tn_to_dz, tn_to_dz).is_empty());
    // Checks only where full copies are sent: a fatal mismatch.
    assert!(
        check_pair(dz_to_tn, checks_only)
            .iter()
            .any(|m| m.is_fatal())
    );

    let doc = serde_json::to_value(openapi()).unwrap();
    let schema = &doc["components"]["schemas"]["AgreementDto"];
    assert_eq!(schema["properties"]["rules"]["type"], "array", "{schema}");
    assert!(
        schema["properties"]["rules"]["items"]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("/RuleDto")),
        "{schema}"
    );
    let example = schema
        .get("example")
        .or_else(|| schema["examples"].get(0))
        .unwrap_or_else(|| panic!("AgreementDto has no example: {schema}"));
    let example: Agreement = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(&example, dz_to_tn);
    let partner = &doc["components"]["schemas"]["PartnerInput"]["properties"];
    for direction in ["outgoing", "incoming"] {
        assert!(
            partner[direction].to_string().contains("AgreementDto"),
            "{direction}: {partner}"
        );
    }
}
