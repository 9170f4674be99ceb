//! Re-screening by inversion raises exactly the hits that screening every
//! stored traveller again on the live index would: neither the traveller
//! index (the changed entities screened against the window's travellers,
//! `review/travellers.rs`) nor the prefilter (a small index of the changed
//! entities, borrowing the live lists' rarity) loses anything, and reading
//! every screening of the window (`rescreen_by = "scan"`) raises the same.
//! Generated (fictitious) watchlist and travellers; on SQLite and
//! PostgreSQL.

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::{AGENCY_A, Backend, Node};
use tansiq_matching::{Band, Query};
use tansiq_server::RescreenBy;
use tansiq_store::ScreeningRecord;
use time::OffsetDateTime;

on_both_backends!(
    rescreening_by_the_traveller_index_raises_exactly_the_hits_a_full_rescreen_would,
    rescreening_by_scan_raises_exactly_the_hits_a_full_rescreen_would,
);

async fn rescreening_by_the_traveller_index_raises_exactly_the_hits_a_full_rescreen_would(
    backend: Backend,
) {
    exactly_a_full_rescreen(backend, RescreenBy::Travellers).await;
}

async fn rescreening_by_scan_raises_exactly_the_hits_a_full_rescreen_would(backend: Backend) {
    exactly_a_full_rescreen(backend, RescreenBy::Scan).await;
}

const WATCHLIST: usize = 1_500;
const TRAVELLERS: usize = 600;
const CHANGED: usize = 25;

async fn exactly_a_full_rescreen(backend: Backend, by: RescreenBy) {
    let node = Node::start_with(backend, |c| {
        c.review.rescreen_on_change = false;
        c.review.rescreen_days = 30;
        c.review.rescreen_by = by;
    })
    .await;
    let population: Vec<_> = tansiq_synth::generate(5, WATCHLIST).collect();
    node.store
        .import_list("synth", "1", population.clone())
        .await
        .unwrap();
    assert!(node.state.refresh_index(Duration::from_secs(120)).await);
    // Bring the cursor up to the import: only the changes below count.
    node.state.rescreen().await.unwrap();

    let travellers = tansiq_synth::travellers(9, TRAVELLERS, &population).unwrap();
    let now = OffsetDateTime::now_utc();
    let mut queries = Vec::new();
    let records: Vec<ScreeningRecord> = travellers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let q = Query::from_entity(&t.traveller.to_entity(format!("t{i}")));
            let r = ScreeningRecord {
                id: format!("exact-{i:05}"),
                at: now - time::Duration::hours(i as i64 % 500 + 1),
                recorded_at: now - time::Duration::hours(1),
                agency_id: AGENCY_A.into(),
                user_id: "officer-a".into(),
                border_post: None,
                document_key: None,
                band: "none".into(),
                query: tansiq_server::stored_query(&q),
                matches: serde_json::json!([]),
            };
            queries.push((r.id.clone(), q));
            r
        })
        .collect();
    node.store.record_screenings(&records).await.unwrap();

    // New national entries copying listed persons that travellers are
    // variants of, so that there are hits to find.
    let mut sources: Vec<&str> = travellers
        .iter()
        .filter_map(|t| t.expected.as_deref())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    let entries: Vec<_> = sources
        .iter()
        .take(CHANGED)
        .enumerate()
        .map(|(i, id)| {
            let mut e = population.iter().find(|e| e.id == *id).unwrap().clone();
            e.id = format!("exact-new-{i}");
            e.provenance = Default::default();
            e.status = tansiq_model::EntryStatus::Active;
            e
        })
        .collect();
    let new_ids: BTreeSet<String> = entries.iter().map(|e| e.id.clone()).collect();
    node.store.put_entries(entries, "cp-a").await.unwrap();
    assert!(node.state.refresh_index(Duration::from_secs(120)).await);

    let report = node.state.rescreen().await.unwrap();
    let mut raised = BTreeSet::new();
    for id in &report.hits {
        let h = node.store.hit(id).await.unwrap().unwrap();
        raised.insert((h.hit.screening_id, h.hit.entity_id));
    }

    // Every stored traveller screened again on the live index.
    let snap = node.state.index.load();
    let limit = node.state.config.screening.max_limit;
    let mut expected = BTreeSet::new();
    for (sid, q) in &queries {
        for m in snap.index.screen(q, limit) {
            if new_ids.contains(&m.entity_id) && m.band != Band::None {
                expected.insert((sid.clone(), m.entity_id));
            }
        }
    }
    assert!(
        expected.len() >= CHANGED / 2,
        "too few expected hits to test anything: {}",
        expected.len()
    );
    assert_eq!(raised, expected, "report: {report:?}");
    assert_eq!(
        report.by_traveller_index,
        by == RescreenBy::Travellers,
        "{report:?}"
    );
    if by == RescreenBy::Travellers {
        assert_eq!(report.travellers_indexed, TRAVELLERS);
        assert!(
            report.screenings < TRAVELLERS,
            "the traveller index should spare reading some travellers: {report:?}"
        );
    }
    println!(
        "re-screening by {by:?}: {} screenings read, {} candidates, {} hits, exactly those of a full re-screen",
        report.screenings,
        report.candidates,
        raised.len()
    );
}
