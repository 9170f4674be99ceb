//! `serve` as the CLI runs it: config, store, first admin, requests over
//! loopback, every request audited in the store's hash chain, graceful
//! shutdown; plus the per-key rate limit and TLS configuration errors.

mod support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use support::{Backend, Node};
use tansiq_server::{Config, Pepper, create_admin, serve, tls_acceptor};
use tansiq_store::Store;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_audits_every_request_and_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db").display().to_string();
    let pepper_file = dir.path().join("pepper");
    let identity_file = dir.path().join("identity");
    let checkpoint_file = dir.path().join("checkpoint");
    let port = free_port();
    let config = Config::from_toml_str(
        &format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\nlocation = {db:?}\n[security]\npepper_file = {:?}\n[node]\nid = \"dz\"\nidentity_file = {:?}\n[audit]\ncheckpoint_file = {:?}\n",
            pepper_file.display().to_string(),
            identity_file.display().to_string(),
            checkpoint_file.display().to_string(),
        ),
        std::iter::empty(),
    )
    .unwrap();

    // `tansiq admin create-admin` does this before the node runs.
    let admin = {
        let store = Store::open(&db).await.unwrap();
        let pepper = Pepper::load_or_create(&pepper_file).unwrap();
        let key = create_admin(
            &store,
            &pepper,
            "dz-admin",
            "Node administration",
            "root",
            "Root",
            30,
        )
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
    let mut up = false;
    for _ in 0..100 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the node did not come up");

    let post = |path: &str, token: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    assert_eq!(
        post(
            "/v1/users",
            &admin,
            json!({"id": "off", "agency": "dz-admin", "name": "O", "roles": ["officer"]})
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let issued: serde_json::Value = post("/v1/users/off/keys", &admin, json!({}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let officer = issued["token"].as_str().unwrap().to_string();
    for _ in 0..5 {
        let r = post(
            "/v1/screen",
            &officer,
            json!({"names": ["Fictive Traveller"]}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    // A failed authentication is audited too.
    let r = post("/v1/screen", "tsq_nothing", json!({})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().contains_key("www-authenticate"));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        client.get(format!("{base}/healthz")).send().await.is_err(),
        "still listening after shutdown"
    );

    let store = Store::open(&db).await.unwrap();
    let count = store.verify_audit().await.unwrap();
    let records = store.audit_records(0, 1000).await.unwrap();
    assert_eq!(count as usize, records.len());
    let screens = records.iter().filter(|r| r.action == "screen").count();
    assert_eq!(screens, 5, "{records:?}");
    assert!(
        records
            .iter()
            .any(|r| r.action == "user.create" && r.actor == "root")
    );
    assert!(records.iter().any(|r| r.action == "key.create"));
    assert!(
        records
            .iter()
            .any(|r| r.action == "auth" && r.facts.contains("denied"))
    );
    // Traveller data sits in the purgeable payload, not in the facts.
    let screen = records.iter().find(|r| r.action == "screen").unwrap();
    assert!(!screen.facts.contains("Fictive"));
    assert!(screen.payload.as_deref().unwrap_or("").contains("Fictive"));

    // Shutdown signed the final head with the node's identity: it verifies
    // against the identity's keys and names the chain's last event.
    let keys = tansiq_trust::NodeKeys::from_text(&std::fs::read_to_string(&identity_file).unwrap())
        .unwrap();
    let cp = tansiq_trust::SignedCheckpoint::from_json(
        &std::fs::read_to_string(&checkpoint_file).unwrap(),
    )
    .unwrap();
    cp.verify(&keys.public_keys()).unwrap();
    assert_eq!(cp.checkpoint.node, "dz");
    assert_eq!(cp.checkpoint.seq, records.last().unwrap().seq);
    let head = tansiq_store::AuditHead {
        seq: cp.checkpoint.seq,
        hash: cp.checkpoint.hash.clone(),
    };
    store.verify_audit_against(&head).await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut node = Node::start(Backend::Sqlite).await;
    let addr = node.base.trim_start_matches("http://").to_string();
    let body = json!({"names": ["Karimou Belhadjar"]}).to_string();
    let (head, tail) = body.split_at(10);
    // A request whose body is still arriving when shutdown starts.
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /v1/screen HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        node.token("officer-a"),
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let server = node.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Draining: readiness is withdrawn, new connections are refused.
    assert!(!node.state.is_ready());
    conn.write_all(tail.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        response.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&response);
        if n == 0 || text.contains("\"screened_at\"") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    drop(conn);
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_is_per_key() {
    let node = Node::start_with(Backend::Sqlite, |c| {
        c.rate_limit.per_key_per_second = 1;
        c.rate_limit.burst = 2;
    })
    .await;
    let me = |user: &str| {
        node.client
            .get(format!("{}/v1/me", node.base))
            .bearer_auth(node.token(user).to_string())
            .send()
    };
    assert_eq!(me("officer-a").await.unwrap().status(), 200);
    assert_eq!(me("officer-a").await.unwrap().status(), 200);
    let r = me("officer-a").await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Another key is not affected.
    assert_eq!(me("analyst-a").await.unwrap().status(), 200);
    node.stop().await;
}

#[test]
fn tls_configuration_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let e = tls_acceptor(&cert, &key).err().unwrap().to_string();
    assert!(e.contains("cert.pem"), "{e}");
    std::fs::write(&cert, "not a certificate").unwrap();
    let e = tls_acceptor(&cert, &key).err().unwrap().to_string();
    assert!(e.contains("cert.pem"), "{e}");
}
