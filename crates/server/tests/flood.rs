//! An unauthenticated flood (finding 3 of issue 16): refused requests from
//! one address are summarised in the audit log instead of recorded one by
//! one, the address is turned away before authentication once it has used
//! up its refusals, and legitimate work from another address is answered
//! and audited throughout. On SQLite and PostgreSQL.

#[macro_use]
mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use support::{Backend, Node};

on_both_backends!(a_flood_is_summarised_and_turned_away);

/// Refused requests sent by the flood.
const FLOOD: usize = 10_000;
/// Flood requests in flight at once.
const FLOOD_CONCURRENCY: usize = 32;
/// Legitimate screenings made during the flood.
const LEGIT: usize = 50;

async fn a_flood_is_summarised_and_turned_away(backend: Backend) {
    let node = Node::start_with(backend, |c| {
        c.rate_limit.refusals_per_minute_per_address = 60;
        c.rate_limit.refusal_burst_per_address = 30;
    })
    .await;
    let before = node.audit.events().len();

    // The flood: a fake key from 127.0.0.1.
    let flood_started = Instant::now();
    let flooder = node.client.clone();
    let url = format!("{}/v1/screen", node.base);
    let flood = tokio::spawn(async move {
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        let mut sent = 0;
        while sent < FLOOD {
            let batch: Vec<_> = (sent..(sent + FLOOD_CONCURRENCY).min(FLOOD))
                .map(|_| {
                    let (c, url) = (flooder.clone(), url.clone());
                    tokio::spawn(async move {
                        c.post(url)
                            .bearer_auth("tsq_forged0_0123456789abcdef")
                            .json(&json!({"names": ["Nobody"]}))
                            .send()
                            .await
                            .map(|r| r.status().as_u16())
                            .unwrap_or(0)
                    })
                })
                .collect();
            sent += batch.len();
            for b in batch {
                *statuses.entry(b.await.unwrap()).or_default() += 1;
            }
        }
        statuses
    });

    // Legitimate screenings from another address while it lasts.
    let legit = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let mut took = Vec::new();
    for i in 0..LEGIT {
        let t = Instant::now();
        let r = legit
            .post(format!("{}/v1/screen", node.base))
            .bearer_auth(node.token("officer-a"))
            .json(&json!({"names": [format!("Legit Traveller Number{i}")]}))
            .send()
            .await
            .unwrap();
        took.push(t.elapsed());
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    let statuses = flood.await.unwrap();
    let flood_secs = flood_started.elapsed().as_secs() as usize + 1;
    let refused = statuses.get(&401).copied().unwrap_or(0);
    let turned_away = statuses.get(&429).copied().unwrap_or(0);
    assert_eq!(refused + turned_away, FLOOD, "{statuses:?}");
    // The burst is refused after authentication (plus what was in flight
    // when the bucket ran dry, and one a second of refill); the rest
    // before it.
    assert!(
        (30..=30 + FLOOD_CONCURRENCY + flood_secs).contains(&refused),
        "{statuses:?} in {flood_secs} s"
    );

    // What the flood left in the audit log: one refusal in full, then the
    // summary with the count of everything else.
    for s in node.state.guard.sweep(true) {
        node.state.audit.record(s.event());
    }
    let events = node.audit.events();
    let added = &events[before..];
    let flood_rows: Vec<_> = added.iter().filter(|e| e.actor == "-").collect();
    let summary = flood_rows
        .iter()
        .find(|e| e.action == "access.refused.summary")
        .expect("a summary event");
    assert_eq!(summary.detail["address"], json!("127.0.0.1"));
    assert_eq!(summary.detail["refused_unrecorded"], json!(refused - 1));
    assert_eq!(
        summary.detail["turned_away_before_authentication"],
        json!(turned_away)
    );
    assert!(flood_rows.len() <= 3, "{flood_rows:?}");
    // Every legitimate screening was audited.
    let screens = added
        .iter()
        .filter(|e| e.action == "screen" && e.actor == "officer-a")
        .count();
    assert_eq!(screens, LEGIT);

    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "flood: {FLOOD} refused requests -> {} audit rows ({:.1} per 10,000); \
         legitimate screening during the flood: p50 {:.1} ms, max {:.1} ms",
        flood_rows.len(),
        flood_rows.len() as f64 * 10_000.0 / FLOOD as f64,
        ms(took[took.len() / 2]),
        ms(*took.last().unwrap()),
    );
}
