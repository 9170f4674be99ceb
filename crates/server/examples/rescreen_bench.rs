//! The cost of re-screening on change: a busy border post's last 30 days
//! of screenings (3,000 a day = 90,000, generated with `tansiq_synth`) on
//! SQLite, re-screened after 1, 10 and 100 entries are added.
//!
//! A fictitious watchlist of `--watchlist` entities is imported; the
//! travellers are `tansiq_synth::travellers` of it (about half are listed
//! persons written differently, half innocents), spread over 30 days. Each
//! run adds `k` new national entries — copies, under new ids, of listed
//! persons some travellers resemble — waits for the index to include them,
//! then times one `AppState::rescreen` pass (finding the travellers the
//! changed entries may concern — through the traveller index, or with
//! `--scan` by reading all 90,000 records —, prefiltering them against the
//! changed entries, confirming candidates on the live index, writing the
//! hits). Prints every run and the median. The first pass of a process
//! also builds the traveller index from the whole window: it is printed
//! apart and left out of the medians.
//!
//! `cargo run --release -p tansiq-server --example rescreen_bench -- \
//!     [--watchlist 20000] [--per-day 3000] [--days 30] [--runs 5] [--scan]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use tansiq_matching::Query;
use tansiq_server::{AppState, Config, Pepper, TracingAudit, stored_query};
use tansiq_store::{ScreeningRecord, Store};
use time::OffsetDateTime;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A UUIDv7 of time `t` (the node draws a screening's id when it screens).
fn screening_id(t: OffsetDateTime, i: usize) -> String {
    let nanos = t.unix_timestamp_nanos();
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        (nanos / 1_000_000_000) as u64,
        (nanos % 1_000_000_000) as u32,
    );
    // Distinct even within a millisecond: the random bits are replaced by
    // the traveller's number.
    let mut bytes = *uuid::Uuid::new_v7(ts).as_bytes();
    bytes[8..16].copy_from_slice(&(i as u64).to_be_bytes());
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let watchlist = arg("--watchlist", 20_000);
    let per_day = arg("--per-day", 3_000);
    let days = arg("--days", 30);
    let runs = arg("--runs", 5);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.store.location = dir.path().join("rescreen.db").display().to_string();
    config.security.pepper_file = dir.path().join("pepper");
    // Nothing of the bench's node outside its temporary folder.
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.review.rescreen_days = days as u32;
    // Passes are run (and timed) here, not by the background task.
    config.review.rescreen_on_change = false;
    if std::env::args().any(|a| a == "--scan") {
        config.review.rescreen_by = tansiq_server::RescreenBy::Scan;
    }
    let store = Store::open(&config.store.location).await.unwrap();

    let t = Instant::now();
    let population: Vec<_> = tansiq_synth::generate(7, watchlist).collect();
    store
        .import_list("synth", "1", population.clone())
        .await
        .unwrap();
    println!(
        "watchlist: {watchlist} entities imported in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let n = per_day * days;
    let t = Instant::now();
    let travellers = tansiq_synth::travellers(11, n, &population).unwrap();
    let now = OffsetDateTime::now_utc();
    let step = time::Duration::seconds((days as i64 * 86_400) / n.max(1) as i64);
    let mut records = Vec::with_capacity(n);
    for (i, t) in travellers.iter().enumerate() {
        let query = Query::from_entity(&t.traveller.to_entity(format!("t{i}")));
        records.push(ScreeningRecord {
            // Ids as the node draws them: UUIDv7 at the crossing.
            id: screening_id(now - step * (i as i32 + 1), i),
            at: now - step * (i as i32 + 1),
            recorded_at: now,
            agency_id: "border-police".into(),
            user_id: "officer".into(),
            border_post: Some("Fictiville airport".into()),
            document_key: t
                .traveller
                .document_number
                .as_deref()
                .and_then(|d| tansiq_server::document_key(None, d)),
            band: "none".into(),
            query: stored_query(&query),
            matches: serde_json::json!([]),
        });
    }
    for chunk in records.chunks(5_000) {
        store.record_screenings(chunk).await.unwrap();
    }
    println!(
        "history: {n} screenings over {days} days generated and stored in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let state = AppState::new(
        store.clone(),
        config,
        Pepper::random(),
        Arc::new(TracingAudit),
    )
    .await
    .unwrap();
    // Listed persons that some travellers are variants of: the new entries
    // copy them, so re-screening has real hits to find.
    let mut sources: Vec<&str> = travellers
        .iter()
        .filter_map(|t| t.expected.as_deref())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    let by_id: std::collections::HashMap<&str, &tansiq_model::Entity> =
        population.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut next = 0usize;
    println!("changed  run  entities  screenings  candidates  hits  seconds  by");
    let mut first = true;
    for k in [1usize, 10, 100, 1000] {
        let mut times = Vec::new();
        for run in 0..runs {
            let mut entries = Vec::with_capacity(k);
            for _ in 0..k {
                let src = by_id[sources[next % sources.len()]];
                next += 1;
                let mut e = src.clone();
                e.id = format!("new-{next}");
                e.provenance = Default::default();
                e.status = tansiq_model::EntryStatus::Active;
                entries.push(e);
            }
            store.put_entries(entries, "bench").await.unwrap();
            assert!(state.refresh_index(Duration::from_secs(600)).await);
            let t = Instant::now();
            let r = state.rescreen().await.unwrap();
            let took = t.elapsed();
            println!(
                "{k:>7}  {run:>3}  {:>8}  {:>10}  {:>10}  {:>4}  {:>7.3}  {}{}",
                r.entities,
                r.screenings,
                r.candidates,
                r.hits.len(),
                took.as_secs_f64(),
                if r.by_traveller_index {
                    format!("traveller index ({} travellers)", r.travellers_indexed)
                } else {
                    "reading every screening".to_string()
                },
                if first {
                    ", first pass: not in the median"
                } else {
                    ""
                },
            );
            if !first {
                times.push(took);
            }
            first = false;
        }
        println!(
            "changed {k}: median {:.3} s over {runs} runs",
            median(times).as_secs_f64()
        );
    }
    store.close().await;
}
