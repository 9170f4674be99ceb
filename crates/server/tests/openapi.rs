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
