//! A serving node keeps its declared list sources current by itself: a
//! loopback HTTP server plays the list publisher; the node imports the
//! list, takes a new version when it is published, keeps the version in
//! force when the publisher fails, and reports the source stale in
//! `/readyz` and `/metrics` once its schedule has passed. Fictitious list.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State as AxState;
use axum::http::StatusCode as AxStatus;
use axum::response::IntoResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tansiq_server::{Config, Pepper, create_key, serve};
use tansiq_store::{Role, Store};

const V1: &str = include_str!("fixtures/fictitious-list.ftm.jsonl");
const NEW_ENTITY: &str = r#"{"id": "fx-0003", "schema": "Person", "properties": {"name": ["Quorvald Zenbright Tamazirt"], "birthDate": ["1966-02-14"]}}"#;

/// What the publisher answers: a body, or an error status.
#[derive(Clone)]
struct Publisher(Arc<Mutex<Result<String, u16>>>);

async fn publish(AxState(p): AxState<Publisher>) -> axum::response::Response {
    match p.0.lock().unwrap().clone() {
        Ok(body) => body.into_response(),
        Err(code) => (AxStatus::from_u16(code).unwrap(), "publisher down").into_response(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn until<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not within {within:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_declared_lists_current_and_says_when_they_are_stale() {
    let publisher = Publisher(Arc::new(Mutex::new(Ok(V1.to_string()))));
    let app = axum::Router::new()
        .route("/list.ftm.jsonl", axum::routing::get(publish))
        .with_state(publisher.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let list_url = format!("http://{}/list.ftm.jsonl", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db").display().to_string();
    let pepper_file = dir.path().join("pepper");
    let port = free_port();
    let config = Config::from_toml_str(
        &format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\nlocation = {db:?}\n\
             [security]\npepper_file = {:?}\n[node]\nid = \"dz\"\nidentity_file = {:?}\n\
             [audit]\ncheckpoint_file = {:?}\n[lists]\ncheck_every_s = 1\n\
             [[sources]]\nname = \"fict\"\nformat = \"ftm\"\nurl = {list_url:?}\nschedule = \"4s\"\n",
            pepper_file.display().to_string(),
            dir.path().join("identity").display().to_string(),
            dir.path().join("checkpoint").display().to_string(),
        ),
        std::iter::empty(),
    )
    .unwrap();
    let token = {
        let store = Store::open(&db).await.unwrap();
        let pepper = Pepper::load_or_create(&pepper_file).unwrap();
        store.create_agency("dz-police", "Police").await.unwrap();
        store
            .create_user("officer", "dz-police", "Officer", &[Role::Officer])
            .await
            .unwrap();
        let key = create_key(&store, &pepper, "officer", "test", 1)
            .await
            .unwrap();
        store.close().await;
        key.token
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(config, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let screen = |name: &'static str| {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        async move {
            let r = client
                .post(format!("{base}/v1/screen"))
                .bearer_auth(token)
                .json(&json!({"names": [name]}))
                .send()
                .await;
            match r {
                Ok(r) if r.status() == StatusCode::OK => r.json::<Value>().await.unwrap(),
                _ => Value::Null,
            }
        }
    };
    let found = |answer: &Value, id: &str| {
        answer["matches"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["entity_id"] == json!(id)))
    };
    let text = |path: &'static str| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            match client.get(format!("{base}{path}")).send().await {
                Ok(r) => (r.status(), r.text().await.unwrap_or_default()),
                Err(_) => (StatusCode::SERVICE_UNAVAILABLE, String::new()),
            }
        }
    };

    // 1. The node imports the declared list by itself.
    until("the first import", Duration::from_secs(30), || async {
        found(&screen("Zoubeir Fictif Ould Tamanrasset").await, "fx-0001")
    })
    .await;
    let (_, metrics) = text("/metrics").await;
    assert!(
        metrics.contains("list_stale{source=\"fict\"} 0"),
        "{metrics}"
    );

    // 2. A new version is taken on schedule.
    *publisher.0.lock().unwrap() = Ok(format!("{V1}{NEW_ENTITY}\n"));
    until("the new version", Duration::from_secs(30), || async {
        found(&screen("Quorvald Zenbright Tamazirt").await, "fx-0003")
    })
    .await;

    // 3. The publisher fails: the version in force stays, and once the
    // schedule has passed the source is reported stale, with the error.
    *publisher.0.lock().unwrap() = Err(503);
    until("the stale report", Duration::from_secs(30), || async {
        let (s, body) = text("/readyz").await;
        s == StatusCode::OK && body.contains("list fict is stale") && body.contains("503")
    })
    .await;
    let (_, metrics) = text("/metrics").await;
    assert!(
        metrics.contains("list_stale{source=\"fict\"} 1"),
        "{metrics}"
    );
    assert!(found(
        &screen("Quorvald Zenbright Tamazirt").await,
        "fx-0003"
    ));

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let store = Store::open(&db).await.unwrap();
    let records = store.audit_records(0, 10_000).await.unwrap();
    let updates: Vec<_> = records
        .iter()
        .filter(|r| r.action == "source.update" && r.actor == "scheduler")
        .collect();
    assert!(
        updates.iter().any(|r| !r.facts.contains("failed")),
        "the scheduled imports are audited: {updates:?}"
    );
    assert!(
        updates.iter().any(|r| r.facts.contains("failed")),
        "a failed update is audited: {updates:?}"
    );
    store.close().await;
}
