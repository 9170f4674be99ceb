//! Bad input gets a 4xx `application/problem+json` naming what was wrong,
//! never a 500 and never a panic: a table of known-bad bodies, then
//! generated ones (proptest strategies, sent over real HTTP).

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as PropConfig, TestRunner};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node, entry_body};

async fn send_raw(
    node: &Node,
    user: &str,
    method: Method,
    path: &str,
    ctype: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Value) {
    let r = node
        .client
        .request(method, format!("{}{path}", node.base))
        .bearer_auth(node.token(user))
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = r.text().await.unwrap();
    (
        status,
        ctype,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// (path, body, expected status, expected `field`).
fn table() -> Vec<(&'static str, String, u16, Option<&'static str>)> {
    let entry = |edit: &dyn Fn(&mut Value)| {
        let mut b = entry_body("Fictive Person", json!({"visibility": "originator"}));
        edit(&mut b);
        b.to_string()
    };
    vec![
        ("/v1/screen", "{".into(), 400, None),
        ("/v1/screen", "".into(), 400, None),
        ("/v1/screen", "[]".into(), 400, None),
        (
            "/v1/screen",
            r#"{"names": "Ali"}"#.into(),
            400,
            Some("names"),
        ),
        (
            "/v1/screen",
            r#"{"names": [1]}"#.into(),
            400,
            Some("names[0]"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "nmes": 1}"#.into(),
            400,
            Some("nmes"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "limit": -1}"#.into(),
            400,
            Some("limit"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "limit": 1e400}"#.into(),
            400,
            Some("limit"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "context": {"post": "x"}}"#.into(),
            400,
            Some("context.post"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "documents": [{"kind": "passport"}]}"#.into(),
            400,
            Some("documents[0].number"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"]} trailing"#.into(),
            400,
            None,
        ),
        ("/v1/screen", r#"{"names": []}"#.into(), 422, Some("names")),
        (
            "/v1/screen",
            r#"{"names": ["   "]}"#.into(),
            422,
            Some("names[0]"),
        ),
        (
            "/v1/screen",
            format!(r#"{{"names": ["{}"]}}"#, "a".repeat(301)),
            422,
            Some("names[0]"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "limit": 0}"#.into(),
            422,
            Some("limit"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "limit": 100000}"#.into(),
            422,
            Some("limit"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "birth_date": "1990-13-01"}"#.into(),
            422,
            Some("birth_date"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "nationality": "ZZZZ"}"#.into(),
            422,
            Some("nationality"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "gender": "m"}"#.into(),
            422,
            Some("gender"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "schema": "Vessel"}"#.into(),
            422,
            Some("schema"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "context": {"direction": "sideways"}}"#.into(),
            422,
            Some("context.direction"),
        ),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "context": {"time": "yesterday"}}"#.into(),
            422,
            Some("context.time"),
        ),
        (
            "/v1/screen",
            r#"{"mrz": ["not an mrz"]}"#.into(),
            422,
            Some("mrz"),
        ),
        ("/v1/screen", r#"{"mrz": []}"#.into(), 422, Some("mrz")),
        (
            "/v1/screen",
            r#"{"names": ["Ali"], "documents": [{"number": "--"}]}"#.into(),
            422,
            Some("documents[0].number"),
        ),
        (
            "/v1/entries",
            entry(&|b| {
                b.as_object_mut().unwrap().remove("legal_basis");
            }),
            400,
            Some("legal_basis"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["legal_basis"] = json!({})),
            422,
            Some("legal_basis"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["action_on_hit"] = json!("shoot")),
            422,
            Some("action_on_hit"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["sharing"] = json!({"visibility": "world"})),
            422,
            Some("sharing.visibility"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["sharing"] = json!({"visibility": "agencies"})),
            422,
            Some("sharing.agencies"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["birth_dates"] = json!(["02/04/1979"])),
            422,
            Some("birth_dates[0]"),
        ),
        (
            "/v1/entries",
            entry(&|b| {
                b["validity"] = json!({"valid_from": "2027-01-01", "valid_until": "2026-01-01"})
            }),
            422,
            Some("validity.valid_until"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["validity"] = json!({"review_on": "soon"})),
            422,
            Some("validity.review_on"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["names"] = json!([])),
            422,
            Some("names"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["schema"] = json!("Vessel")),
            422,
            Some("schema"),
        ),
        (
            "/v1/entries",
            entry(&|b| b["legal_basis"]["judge"] = json!("x")),
            400,
            Some("legal_basis.judge"),
        ),
    ]
}

async fn check_table(node: &Node) {
    for (path, body, status, field) in table() {
        let user = if path == "/v1/screen" {
            "officer-a"
        } else {
            "cp-a"
        };
        let (s, ctype, problem) = send_raw(
            node,
            user,
            Method::POST,
            path,
            "application/json",
            body.clone().into_bytes(),
        )
        .await;
        assert_eq!(s.as_u16(), status, "{path} {body}: {problem}");
        assert_eq!(ctype, "application/problem+json", "{path} {body}");
        assert_eq!(problem["status"], json!(status));
        assert_eq!(problem["field"].as_str(), field, "{path} {body}: {problem}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_bad_bodies_are_named_problems() {
    let node = Node::start(Backend::Sqlite).await;
    check_table(&node).await;
    // Wrong media type, oversized body, unknown route, wrong method.
    let (s, ctype, _) = send_raw(
        &node,
        "officer-a",
        Method::POST,
        "/v1/screen",
        "text/plain",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        (s.as_u16(), ctype.as_str()),
        (415, "application/problem+json")
    );
    let big = format!(r#"{{"names": ["{}"]}}"#, "a".repeat(2 * 1024 * 1024));
    let r = node
        .client
        .post(format!("{}/v1/screen", node.base))
        .bearer_auth(node.token("officer-a"))
        .header("content-type", "application/json")
        .body(big.into_bytes())
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    // The rest of the body was never read: the node says it closes the
    // connection, so a pooling client does not reuse it for the next call.
    assert_eq!(
        (
            r.status().as_u16(),
            header("content-type").as_str(),
            header("connection").as_str()
        ),
        (413, "application/problem+json", "close")
    );
    let (s, _) = node
        .call(Some("officer-a"), Method::GET, "/v1/nothing-here", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = node
        .call(Some("officer-a"), Method::DELETE, "/v1/screen", None)
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, p) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            "/v1/entities?q=x&limit=abc",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    let (s, p) = node
        .call(Some("analyst-a"), Method::GET, "/v1/entities", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    let r = node
        .client
        .put(format!("{}/v1/entries/x", node.base))
        .bearer_auth(node.token("cp-a"))
        .header("If-Match", "banana")
        .json(&entry_body("A", json!({"visibility": "national"})))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_on_postgres_too() {
    let Some(backend) = support::postgres_backend("bad_bodies").await else {
        return;
    };
    let node = Node::start(backend).await;
    check_table(&node).await;
    node.stop().await;
}

/// Arbitrary JSON values, biased towards the request's own field names so
/// that generated bodies get past the first key.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        "[a-zA-Z ]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        let key = prop_oneof![
            Just("names".to_string()),
            Just("birth_date".to_string()),
            Just("nationality".to_string()),
            Just("gender".to_string()),
            Just("documents".to_string()),
            Just("mrz".to_string()),
            Just("context".to_string()),
            Just("limit".to_string()),
            Just("legal_basis".to_string()),
            Just("action_on_hit".to_string()),
            Just("sharing".to_string()),
            Just("number".to_string()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_bodies_never_cause_a_server_error() {
    let node = Node::start(Backend::Sqlite).await;
    let mut runner = TestRunner::new(PropConfig {
        cases: 300,
        ..PropConfig::default()
    });
    let values = json_value();
    let bytes = prop::collection::vec(any::<u8>(), 0..200);
    for i in 0..300 {
        let body: Vec<u8> = if i % 3 == 0 {
            bytes.new_tree(&mut runner).unwrap().current()
        } else {
            values
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_string()
                .into_bytes()
        };
        for (user, path) in [("officer-a", "/v1/screen"), ("cp-a", "/v1/entries")] {
            let (s, ctype, p) = send_raw(
                &node,
                user,
                Method::POST,
                path,
                "application/json",
                body.clone(),
            )
            .await;
            assert!(
                s.is_success() || (s.is_client_error() && ctype == "application/problem+json"),
                "{path} {:?}: {s} {p}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    // The node still answers.
    let (s, _) = node
        .call(
            Some("officer-a"),
            Method::POST,
            "/v1/screen",
            Some(json!({"names": ["Ali"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    node.stop().await;
}
