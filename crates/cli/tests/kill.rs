//! `kill -9` of a serving node in the middle of a stream of writes: after
//! a restart every acknowledged write is there with its audit event, and
//! the audit chain verifies against the node's signed checkpoint. Runs the
//! real `tansiq serve` binary on SQLite and on PostgreSQL.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use support::{PgDb, entry, free_port, ok, setup_node, start, tansiq, user_key, wait_ready};

async fn scenario(dir: &Path, location: &str) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let admin = setup_node(dir, port, location);
    let client = reqwest::Client::new();
    let mut node = start(dir, &[]);
    wait_ready(&client, &base).await;

    let cp = user_key(&client, &base, &admin, "cp", "contact-point").await;

    // Four writers stream entries; each remembers what was acknowledged.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, base, cp, acked) = (client.clone(), base.clone(), cp.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let sent = client
                    .post(format!("{base}/v1/entries"))
                    .bearer_auth(&cp)
                    .json(&entry(w * 100_000 + i))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 201 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = v["id"].as_str() {
                            acked.lock().unwrap().push(id.to_string());
                        }
                    }
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    Err(_) => return, // the node is gone
                }
            }
        }));
    }
    // Kill in the middle of the stream, once some writes are through.
    for _ in 0..600 {
        if acked.lock().unwrap().len() >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    node.kill().unwrap(); // SIGKILL
    node.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "only {} writes before the kill",
        acked.len()
    );

    // Restart: every acknowledged write is there.
    let mut node = start(dir, &[]);
    wait_ready(&client, &base).await;
    for id in &acked {
        let r = client
            .get(format!("{base}/v1/entries/{id}"))
            .bearer_auth(&cp)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged entry {id} lost");
    }
    // A clean stop signs the final head.
    let _ = Command::new("kill").arg(node.id().to_string()).status();
    node.wait().unwrap();

    let db = ["--db", location, "--identity", "tansiq.identity"];
    let out = ok(tansiq(
        &[
            &["audit", "verify", "--checkpoint", "tansiq.checkpoint"][..],
            &db,
        ]
        .concat(),
        dir,
    ));
    assert!(out.contains("intact"), "{out}");
    // Every acknowledged write has its audit event.
    ok(tansiq(
        &[
            "audit",
            "export",
            "--db",
            location,
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--out",
            "e.jsonl",
        ],
        dir,
    ));
    let export = std::fs::read_to_string(dir.join("e.jsonl")).unwrap();
    let created: std::collections::HashSet<String> = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["action"] == "entry.create")
        .filter_map(|e| e["subject"].as_str().map(str::to_string))
        .collect();
    for id in &acked {
        assert!(created.contains(id), "no audit event for acknowledged {id}");
    }
    eprintln!(
        "{} acknowledged writes before kill -9, all present and audited",
        acked.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_writes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "node.db").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_writes_on_postgres() {
    let Some(db) = PgDb::create("kill") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), &db.url).await;
}
