//! Two `tansiq serve` replicas over one PostgreSQL database: an entry
//! created through A is screened by B (B follows the store's change feed);
//! A is killed (`kill -9`) in the middle of a stream of writes and B keeps
//! serving every acknowledged write; both replicas' audit events form one
//! chain that verifies.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{PgDb, entry, free_port, ok, setup_node, start, tansiq, user_key, wait_ready};

async fn screen_hits(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    name: &str,
    id: &str,
) -> bool {
    let r: Value = client
        .post(format!("{base}/v1/screen"))
        .bearer_auth(key)
        .json(&json!({"names": [name]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["matches"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["entity_id"] == id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_postgres() {
    let Some(db) = PgDb::create("replicas") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let (port_a, port_b) = (free_port(), free_port());
    let admin = setup_node(dir, port_a, &db.url);
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    // One node, two processes: same configuration (pepper, identity),
    // each on its own port and with its own checkpoint file.
    let listen_b = format!("127.0.0.1:{port_b}");
    let mut node_a = start(dir, &[("TANSIQ_AUDIT_CHECKPOINT_FILE", "a.checkpoint")]);
    let mut node_b = start(
        dir,
        &[
            ("TANSIQ_SERVER_LISTEN", listen_b.as_str()),
            ("TANSIQ_AUDIT_CHECKPOINT_FILE", "b.checkpoint"),
        ],
    );
    let client = reqwest::Client::new();
    wait_ready(&client, &a).await;
    wait_ready(&client, &b).await;
    // Accounts made through A are usable through B.
    let cp = user_key(&client, &a, &admin, "cp", "contact-point").await;
    let officer = user_key(&client, &a, &admin, "officer", "officer").await;

    // Create through A, screen through B.
    let r = client
        .post(format!("{a}/v1/entries"))
        .bearer_auth(&cp)
        .json(&json!({
            "names": ["Tarik Fictif Benzerdjeb"],
            "birth_dates": ["1977-07-07"],
            "legal_basis": {"warrant_number": "W-REPL-1", "court": "Tribunal fictif"},
            "action_on_hit": "arrest",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = Instant::now();
    let mut seen = None;
    while created.elapsed() < Duration::from_secs(30) {
        if screen_hits(&client, &b, &officer, "Tarik Benzerdjeb", &id).await {
            seen = Some(created.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = seen.expect("replica B never screened the entry created through A");
    eprintln!("entry created through A screened through B after {seen:?}");

    // A stream of writes through A, screenings through B; kill A midway.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (client, a, cp, acked) = (client.clone(), a.clone(), cp.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                match client
                    .post(format!("{a}/v1/entries"))
                    .bearer_auth(&cp)
                    .json(&entry(w * 100_000 + i))
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 201 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = v["id"].as_str() {
                            acked.lock().unwrap().push(id.to_string());
                        }
                    }
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    Err(_) => return,
                }
            }
        }));
    }
    for _ in 0..1500 {
        if acked.lock().unwrap().len() >= 30 {
            break;
        }
        assert!(screen_hits(&client, &b, &officer, "Tarik Benzerdjeb", &id).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node_a.kill().unwrap(); // SIGKILL
    node_a.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 30,
        "only {} writes before the kill",
        acked.len()
    );

    // B keeps serving: it screens, and holds every acknowledged write.
    assert!(screen_hits(&client, &b, &officer, "Tarik Benzerdjeb", &id).await);
    for id in &acked {
        let r = client
            .get(format!("{b}/v1/entries/{id}"))
            .bearer_auth(&cp)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged entry {id} lost");
    }
    // The last acknowledged write reaches B's screening too.
    let last = acked.last().unwrap();
    let n: usize = last_number(&client, &b, &cp, last).await;
    let name = format!("Fictive Writer Number {n}");
    let mut found = false;
    for _ in 0..300 {
        if screen_hits(&client, &b, &officer, &name, last).await {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "{name} not screened by B");

    let _ = std::process::Command::new("kill")
        .arg(node_b.id().to_string())
        .status();
    node_b.wait().unwrap();
    // One chain for both replicas, verifying against B's signed head.
    let out = ok(tansiq(
        &[
            "audit",
            "verify",
            "--db",
            &db.url,
            "--identity",
            "tansiq.identity",
            "--checkpoint",
            "b.checkpoint",
        ],
        dir,
    ));
    assert!(out.contains("intact"), "{out}");
    eprintln!(
        "{} writes acknowledged by A before kill -9; all served by B",
        acked.len()
    );
}

/// The number in an entry's generated name (`Fictive Writer Number N`).
async fn last_number(client: &reqwest::Client, base: &str, key: &str, id: &str) -> usize {
    let v: Value = client
        .get(format!("{base}/v1/entries/{id}"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name = v["names"][0]
        .as_str()
        .or_else(|| v["properties"]["name"][0].as_str())
        .unwrap_or_else(|| panic!("no name in {v}"));
    name.rsplit(' ').next().unwrap().parse().unwrap()
}
