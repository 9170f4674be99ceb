//! Entry writes as the store grows: the latency of `POST /v1/entries` (an
//! officer's national entry, answered once it is durable and screenable)
//! on a node holding a generated watchlist and past screenings.
//!
//! `cargo run --release -p tansiq-server --example write_bench -- <list entities> <screenings> [writes]`
//!
//! Imports `<list entities>` fictitious entities (`tansiq-synth`, the
//! population `tansiq bench` uses) into a fresh SQLite store, records
//! `<screenings>` screenings over HTTP (8 at a time), then creates
//! `[writes]` entries one after the other (default 200) and prints p50,
//! p99 and max of their latency. Every created entry is screened right
//! after its creation and must answer as the top match: a write that is
//! not yet screenable would not count.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tansiq_server::{AppState, Config, Pepper, StoreAudit, create_key, serve_on};
use tansiq_store::{Role, Store};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Screenings in flight at once while filling the store.
const FILL_CONCURRENCY: usize = 8;

/// Seed of the entry names (the list uses 42).
const ENTRY_SEED: u64 = 4242;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn name_of(e: &tansiq_model::Entity) -> String {
    e.names()[0].value.to_string()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: write_bench <list entities> <screenings> [writes]";
    let list: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let screenings: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let writes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.store.location = dir.path().join("bench.db").display().to_string();
    config.security.pepper_file = dir.path().join("pepper");
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    let store = Store::open(&config.store.location).await.unwrap();
    if list > 0 {
        let entities: Vec<_> = tansiq_synth::generate(42, list).collect();
        store
            .import_list("synthetic", "seed-42", entities)
            .await
            .unwrap();
    }
    let pepper = Pepper::load_or_create(&config.security.pepper_file).unwrap();
    store.create_agency("bench", "Bench agency").await.unwrap();
    store
        .create_user("bench-officer", "bench", "Officer", &[Role::Officer])
        .await
        .unwrap();
    store
        .create_user("bench-cp", "bench", "Contact point", &[Role::ContactPoint])
        .await
        .unwrap();
    let officer = create_key(&store, &pepper, "bench-officer", "bench", 1)
        .await
        .unwrap()
        .token;
    let cp = create_key(&store, &pepper, "bench-cp", "bench", 1)
        .await
        .unwrap()
        .token;
    let audit = Arc::new(StoreAudit::start(store.clone()));
    let state = AppState::new(store, config, pepper, audit).await.unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_on(state, listener, None, std::future::pending()));
    let client = reqwest::Client::new();

    // Past screenings: generated travellers (names of another population).
    let started = Instant::now();
    let travellers: Vec<String> = tansiq_synth::generate(7, screenings.min(50_000))
        .map(|e| name_of(&e))
        .collect();
    let mut done = 0;
    while done < screenings {
        let batch: Vec<_> = (done..(done + FILL_CONCURRENCY).min(screenings))
            .map(|i| {
                let (client, base, officer) = (client.clone(), base.clone(), officer.clone());
                let name = travellers[i % travellers.len().max(1)].clone();
                tokio::spawn(async move {
                    let r = client
                        .post(format!("{base}/v1/screen"))
                        .bearer_auth(officer)
                        .json(&json!({"names": [name]}))
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                })
            })
            .collect();
        done += batch.len();
        for t in batch {
            t.await.unwrap();
        }
    }
    eprintln!(
        "write bench: {list} list entities, {screenings} screenings recorded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let names: Vec<String> = tansiq_synth::generate(ENTRY_SEED, writes)
        .map(|e| name_of(&e))
        .collect();
    let mut took = Vec::with_capacity(writes);
    for name in &names {
        let t = Instant::now();
        let r = client
            .post(format!("{base}/v1/entries"))
            .bearer_auth(&cp)
            .json(&json!({
                "names": [name],
                "birth_dates": ["1979-04-02"],
                "legal_basis": {"warrant_number": "W-BENCH-1", "court": "Bench court"},
                "action_on_hit": "arrest",
                "sharing": {"visibility": "national"},
            }))
            .send()
            .await
            .unwrap();
        took.push(t.elapsed());
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let answer: Value = client
            .post(format!("{base}/v1/screen"))
            .bearer_auth(&officer)
            .json(&json!({"names": [name], "birth_date": "1979-04-02"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            answer["matches"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["entity_id"] == json!(id))),
            "entry {id} ({name}) not screenable right after its creation: {answer}"
        );
    }
    took.sort();
    println!(
        "entry create over HTTP: {list} list entities, {screenings} screenings, {writes} writes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        took.last().unwrap().as_secs_f64() * 1e3,
    );
}
