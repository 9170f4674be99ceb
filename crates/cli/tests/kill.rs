//! `kill -9` of a serving node in the middle of a stream of writes: after
//! a restart every acknowledged write is there with its audit event, and
//! the audit chain verifies against the node's signed checkpoint. Runs the
//! real `tansiq serve` binary on SQLite and on PostgreSQL.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

fn tansiq(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TANSIQ_DB")
        .output()
        .expect("the tansiq binary runs")
}

fn ok(o: std::process::Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "tansiq failed: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(["serve", "--config", "tansiq.toml"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..600 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node at {base} did not become ready");
}

fn entry(i: usize) -> Value {
    json!({
        "names": [format!("Fictive Writer Number {i}")],
        "birth_dates": ["1980-01-01"],
        "legal_basis": {"warrant_number": format!("W-KILL-{i}"), "court": "Tribunal fictif"},
        "action_on_hit": "inform",
    })
}

async fn scenario(dir: &Path, location: &str) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.join("tansiq.toml"),
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\nlocation = {location:?}\n\
             [rate_limit]\nper_key_per_second = 0\n[node]\nid = \"dz\"\n"
        ),
    )
    .unwrap();
    let out = ok(tansiq(
        &[
            "admin",
            "create-admin",
            "--agency",
            "dz-police",
            "--agency-name",
            "Fictitious police",
            "--user",
            "root",
            "--name",
            "Root",
            "--config",
            "tansiq.toml",
        ],
        dir,
    ));
    let admin = out.lines().last().unwrap().trim().to_string();
    let client = reqwest::Client::new();
    let mut node = start(dir);
    wait_ready(&client, &base).await;

    let r = client
        .post(format!("{base}/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"id": "cp", "agency": "dz-police", "name": "CP", "roles": ["contact-point"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let issued: Value = client
        .post(format!("{base}/v1/users/cp/keys"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cp = issued["token"].as_str().unwrap().to_string();

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
    let mut node = start(dir);
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
    let Some(url) = tansiq_testkit::postgres_url("kill -9 on PostgreSQL") else {
        return;
    };
    let name = format!("tansiq_kill_{}", std::process::id());
    let server = url
        .rsplit_once('/')
        .map_or(url.as_str(), |(s, _)| s)
        .to_string();
    let psql = |sql: &str| {
        let o = Command::new("psql")
            .args([&format!("{server}/postgres"), "-c", sql])
            .output()
            .expect("psql runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    psql(&format!("DROP DATABASE IF EXISTS {name}"));
    psql(&format!("CREATE DATABASE {name}"));
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), &format!("{server}/{name}")).await;
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}
