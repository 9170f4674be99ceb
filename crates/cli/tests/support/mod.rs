//! Running the real `tansiq` binary: commands, a serving node, a client.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub fn tansiq(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TANSIQ_DB")
        .output()
        .expect("the tansiq binary runs")
}

pub fn ok(o: std::process::Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "tansiq failed: {out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tansiq serve --config tansiq.toml` in `dir`, with extra environment
/// (e.g. `TANSIQ_SERVER_LISTEN` for a second replica).
pub fn start(dir: &Path, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(["serve", "--config", "tansiq.toml"])
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

pub async fn wait_ready(client: &reqwest::Client, base: &str) {
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

pub fn entry(i: usize) -> Value {
    json!({
        "names": [format!("Fictive Writer Number {i}")],
        "birth_dates": ["1980-01-01"],
        "legal_basis": {"warrant_number": format!("W-KILL-{i}"), "court": "Tribunal fictif"},
        "action_on_hit": "inform",
    })
}

/// A fresh PostgreSQL database on the test server, dropped with the guard;
/// `None` (skip) outside CI when no server is configured.
pub struct PgDb {
    pub url: String,
    server: String,
    name: String,
}

fn psql(server: &str, sql: &str) {
    let o = Command::new("psql")
        .args([&format!("{server}/postgres"), "-c", sql])
        .output()
        .expect("psql runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

impl PgDb {
    pub fn create(tag: &str) -> Option<PgDb> {
        let url = tansiq_testkit::postgres_url(tag)?;
        let server = url
            .rsplit_once('/')
            .map_or(url.as_str(), |(s, _)| s)
            .to_string();
        let name = format!("tansiq_{tag}_{}", std::process::id());
        psql(
            &server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        psql(&server, &format!("CREATE DATABASE {name}"));
        Some(PgDb {
            url: format!("{server}/{name}"),
            server,
            name,
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        psql(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Writes `tansiq.toml` for a node on `port` over `location` and creates
/// its first admin; returns the admin's key.
pub fn setup_node(dir: &Path, port: u16, location: &str) -> String {
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
    out.lines().last().unwrap().trim().to_string()
}

/// Creates a user with `role` in the admin's agency and returns its key.
pub async fn user_key(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    id: &str,
    role: &str,
) -> String {
    let r = client
        .post(format!("{base}/v1/users"))
        .bearer_auth(admin)
        .json(&json!({"id": id, "agency": "dz-police", "name": id, "roles": [role]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let issued: Value = client
        .post(format!("{base}/v1/users/{id}/keys"))
        .bearer_auth(admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["token"].as_str().unwrap().to_string()
}
