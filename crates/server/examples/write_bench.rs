//! Entry writes as the store grows: the latency of `POST /v1/entries` (an
//! officer's national entry, answered once it is durable and screenable)
//! on a node holding a watchlist, national entries and past screenings.
//!
//! `cargo run --release -p tansiq-server --example write_bench -- <list> <screenings> [writes] [entries]`
//!
//! `<list>` is a number of fictitious entities (`tansiq-synth`, the
//! population `tansiq bench` uses) or `real`: the UN SC XML and OFAC SDN
//! files under `$TANSIQ_SHARED/data/lists` (about 19,000 entities). They
//! are imported into a fresh SQLite store with `[entries]` national
//! entries of the bench agency (default 0, written in bulk). The node then
//! serves as a real one does (store-backed audit, re-screening on change).
//! `<screenings>` is one count or several, ascending, separated by commas
//! (`0,10000,100000`): for each, the node is filled up to that many
//! screenings over HTTP (8 at a time), then `[writes]` entries (default
//! 200) are created one after the other, and p50, p99 and max of their
//! latency are printed: one line per size, in the same run. Every created
//! entry is screened right after its creation and must answer as the top
//! match: a write that is not yet screenable would not count.

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

/// Seed of the national entries written before the node starts.
const NATIONAL_SEED: u64 = 4343;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn name_of(e: &tansiq_model::Entity) -> String {
    e.names()[0].value.to_string()
}

/// The real lists: UN SC (XML) and OFAC SDN (with its aliases).
async fn import_real(store: &Store) -> usize {
    let shared = std::env::var("TANSIQ_SHARED").unwrap_or_else(|_| "/work/shared".into());
    let lists = std::path::Path::new(&shared).join("data/lists");
    let un = std::fs::read(lists.join("un/un_consolidated_2026-02-27.xml")).unwrap();
    let un = tansiq_lists::parse(tansiq_lists::Format::UnXml, &un).unwrap();
    let sdn = std::fs::read(lists.join("ofac/sdn.csv")).unwrap();
    let alt = std::fs::read(lists.join("ofac/alt.csv")).unwrap();
    let ofac = tansiq_lists::parse_ofac(&sdn[..], Some(&alt[..]), None::<&[u8]>).unwrap();
    let mut n = 0;
    for parsed in [un, ofac] {
        n += parsed.entities.len();
        store
            .import_list(&parsed.source, &parsed.version, parsed.entities)
            .await
            .unwrap();
    }
    n
}

/// `n` national entries of the bench agency (fictitious persons of
/// another population), as a contact point's entries are stored.
fn national_entries(n: usize) -> Vec<tansiq_model::Entity> {
    tansiq_synth::generate(NATIONAL_SEED, n)
        .enumerate()
        .map(|(i, mut e)| {
            e.id = format!("bench-pre-{i:06}");
            e.provenance = Default::default();
            e.origin_agency = Some("bench".into());
            e.legal_basis = Some(tansiq_model::LegalBasis {
                warrant_number: Some(format!("W-PRE-{i}")),
                court: Some("Bench court".into()),
                ..Default::default()
            });
            e.action_on_hit = Some(tansiq_model::ActionOnHit::Arrest);
            e.sharing = Default::default();
            e.validity = Default::default();
            e.status = tansiq_model::EntryStatus::Active;
            e
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let usage =
        "usage: write_bench <list entities|real> <screenings[,screenings…]> [writes] [entries]";
    let list = args.next().expect(usage);
    let sizes: Vec<usize> = args
        .next()
        .expect(usage)
        .split(',')
        .map(|s| s.parse().expect(usage))
        .collect();
    let writes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let entries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.store.location = dir.path().join("bench.db").display().to_string();
    config.security.pepper_file = dir.path().join("pepper");
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    let store = Store::open(&config.store.location).await.unwrap();
    let started = Instant::now();
    let listed = if list == "real" {
        import_real(&store).await
    } else {
        let n: usize = list.parse().expect(usage);
        if n > 0 {
            let entities: Vec<_> = tansiq_synth::generate(42, n).collect();
            store
                .import_list("synthetic", "seed-42", entities)
                .await
                .unwrap();
        }
        n
    };
    if entries > 0 {
        store
            .put_entries(national_entries(entries), "bench-cp")
            .await
            .unwrap();
    }
    eprintln!(
        "write bench: {listed} list entities and {entries} national entries stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
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
    let most = sizes.iter().copied().max().unwrap_or(0);
    let travellers: Vec<String> = tansiq_synth::generate(7, most.clamp(1, 50_000))
        .map(|e| name_of(&e))
        .collect();
    let names: Vec<String> = tansiq_synth::generate(ENTRY_SEED, writes * sizes.len())
        .map(|e| name_of(&e))
        .collect();
    let mut done = 0;
    for (stage, &screenings) in sizes.iter().enumerate() {
        let started = Instant::now();
        while done < screenings {
            let batch: Vec<_> = (done..(done + FILL_CONCURRENCY).min(screenings))
                .map(|i| {
                    let (client, base, officer) = (client.clone(), base.clone(), officer.clone());
                    let name = travellers[i % travellers.len()].clone();
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
            "write bench: {done} screenings recorded ({:.1} s for this stage)",
            started.elapsed().as_secs_f64()
        );
        // Let the background work of the fill (journal, re-screening)
        // settle, as between two officers' writes.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut took = Vec::with_capacity(writes);
        for name in &names[stage * writes..(stage + 1) * writes] {
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
            "entry create over HTTP: {listed} list entities, {entries} national entries, {done} screenings, {writes} writes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&took, 0.5),
            percentile(&took, 0.99),
            took.last().unwrap().as_secs_f64() * 1e3,
        );
    }
}
