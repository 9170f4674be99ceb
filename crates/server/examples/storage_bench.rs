//! What a screening costs on disk (SQLite): bytes per screened traveller
//! without a hit and with one, by table and in the database file.
//!
//! `cargo run -p tansiq-server --example storage_bench -- [travellers] [list entities]`
//!
//! Imports `[list entities]` fictitious entities (`tansiq-synth`, default
//! 5,000) into a fresh SQLite store behind a real node, then screens
//! `[travellers]` travellers (default 1,000) over HTTP twice: first
//! innocents (names of another generated population, with a birth date,
//! a nationality and a passport, so nothing reaches the possible band),
//! then listed persons under their listed names and birth dates (each
//! raises a hit). After each phase the WAL is checkpointed into the file,
//! and the bytes each table and its indexes hold (SQLite's `dbstat`) and
//! the file's size are compared with the phase before. Sizes do not depend
//! on the build profile, so a debug build measures the same.

use std::sync::Arc;

use serde_json::json;
use sqlx::Connection;
use tansiq_server::{AppState, Config, Pepper, StoreAudit, create_key, serve_on};
use tansiq_store::{Role, Store};

/// Screenings in flight at once.
const CONCURRENCY: usize = 8;

/// Tables (with their indexes) that a screening writes to.
const TABLES: [&str; 4] = ["screenings", "audit_log", "hits", "hit_events"];

/// Bytes held per table (with its indexes), and the file size.
async fn sizes(path: &str) -> (Vec<(String, i64)>, u64) {
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut c)
        .await
        .unwrap();
    let mut out = Vec::new();
    for t in TABLES {
        // The table's pages and those of every index on it.
        let (bytes,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(pgsize), 0) AS INTEGER) FROM dbstat \
             WHERE name = $1 OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1)",
        )
        .bind(t)
        .fetch_one(&mut c)
        .await
        .unwrap();
        out.push((t.to_string(), bytes));
    }
    c.close().await.unwrap();
    (out, std::fs::metadata(path).unwrap().len())
}

async fn screen_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    bodies: Vec<serde_json::Value>,
) -> usize {
    let mut hits = 0;
    for chunk in bodies.chunks(CONCURRENCY) {
        let calls: Vec<_> = chunk
            .iter()
            .map(|b| {
                let (client, url, token, b) = (
                    client.clone(),
                    format!("{base}/v1/screen"),
                    token.to_string(),
                    b.clone(),
                );
                tokio::spawn(async move {
                    let r = client
                        .post(url)
                        .bearer_auth(token)
                        .json(&b)
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                    let v: serde_json::Value = r.json().await.unwrap();
                    v["matches"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|m| m.get("hit_id").is_some()))
                })
            })
            .collect();
        for c in calls {
            hits += usize::from(c.await.unwrap());
        }
    }
    hits
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let travellers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let list: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("storage.db").display().to_string();
    let mut config = Config::default();
    config.store.location = path.clone();
    config.security.pepper_file = dir.path().join("pepper");
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    config.review.rescreen_on_change = false;
    let store = Store::open(&path).await.unwrap();
    let population: Vec<_> = tansiq_synth::generate(42, list).collect();
    store
        .import_list("synthetic", "seed-42", population.clone())
        .await
        .unwrap();
    let pepper = Pepper::load_or_create(&config.security.pepper_file).unwrap();
    store.create_agency("bench", "Bench agency").await.unwrap();
    store
        .create_user("bench-officer", "bench", "Officer", &[Role::Officer])
        .await
        .unwrap();
    let officer = create_key(&store, &pepper, "bench-officer", "bench", 1)
        .await
        .unwrap()
        .token;
    let audit = Arc::new(StoreAudit::start(store.clone()));
    let state = AppState::new(store, config, pepper, audit).await.unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_on(
        state.clone(),
        listener,
        None,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();

    let innocents: Vec<_> = tansiq_synth::generate(7, travellers)
        .enumerate()
        .map(|(i, e)| {
            json!({
                "names": [e.names()[0].value.to_string()],
                "birth_date": format!("19{:02}-0{}-1{}", 50 + i % 50, 1 + i % 9, i % 10),
                "nationality": "fr",
                "documents": [{"number": format!("XB{:07}", i), "issuing_country": "fr"}],
                "context": {"border_post": "Fictiville airport", "direction": "entry"},
            })
        })
        .collect();
    let listed: Vec<_> = population
        .iter()
        .filter(|e| e.schema.is_person() && !e.get(tansiq_model::prop::BIRTH_DATE).is_empty())
        .take(travellers)
        .enumerate()
        .map(|(i, e)| {
            json!({
                "names": [e.names()[0].value.to_string()],
                "birth_date": e.get(tansiq_model::prop::BIRTH_DATE)[0],
                "documents": [{"number": format!("XL{:07}", i), "issuing_country": "fr"}],
                "context": {"border_post": "Fictiville airport", "direction": "entry"},
            })
        })
        .collect();

    let (before, file0) = sizes(&path).await;
    let n0 = innocents.len();
    let hits0 = screen_all(&client, &base, &officer, innocents).await;
    if let Some(done) = state.review.flush() {
        let _ = done.await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (mid, file1) = sizes(&path).await;
    let n1 = listed.len();
    let hits1 = screen_all(&client, &base, &officer, listed).await;
    if let Some(done) = state.review.flush() {
        let _ = done.await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (after, file2) = sizes(&path).await;

    let report = |label: &str,
                  n: usize,
                  hits: usize,
                  a: &[(String, i64)],
                  b: &[(String, i64)],
                  fa: u64,
                  fb: u64| {
        println!("{label}: {n} travellers, {hits} with a hit");
        for ((t, x), (_, y)) in a.iter().zip(b) {
            println!(
                "  {t:<12} {:>7.0} bytes per traveller",
                (y - x) as f64 / n as f64
            );
        }
        let total: i64 = a.iter().zip(b).map(|((_, x), (_, y))| y - x).sum();
        println!(
            "  {:<12} {:>7.0} bytes per traveller",
            "all tables",
            total as f64 / n as f64
        );
        println!(
            "  {:<12} {:>7.0} bytes per traveller",
            "file",
            (fb as f64 - fa as f64) / n as f64
        );
    };
    report("without a hit", n0, hits0, &before, &mid, file0, file1);
    report("with a hit", n1, hits1, &mid, &after, file1, file2);

    // Where the bytes of a row go: the mean length of each stored column.
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    for (table, column, filter) in [
        ("screenings", "query", "1 = 1"),
        ("screenings", "matches", "1 = 1"),
        ("audit_log", "facts", "action = 'screen'"),
        ("audit_log", "payload", "action = 'screen'"),
        ("hits", "context", "1 = 1"),
    ] {
        let sql = format!(
            "SELECT CAST(COALESCE(AVG(LENGTH({column})), 0) AS REAL) FROM {table} WHERE {filter}"
        );
        let (mean,): (f64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut c)
            .await
            .unwrap();
        println!("mean {table}.{column}: {mean:.0} bytes");
    }
    c.close().await.unwrap();
}
