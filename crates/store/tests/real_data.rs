//! The benchmark watchlist (`TANSIQ_SHARED/bench/watchlist.jsonl`, FtM JSON
//! lines) through the store on both backends: counts, idempotence, and a
//! new version with records dropped.

mod support;

use tansiq_model::Entity;
use tansiq_store::Store;

fn watchlist() -> Option<Vec<Entity>> {
    let path = tansiq_testkit::shared_file(
        "bench/watchlist.jsonl",
        "store import of the bench watchlist",
    )?;
    let text = std::fs::read_to_string(&path).expect("read the watchlist");
    Some(
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
            })
            .collect(),
    )
}

async fn scenario(location: &str, list: Vec<Entity>) {
    let store = Store::open(location).await.unwrap();
    let persons = list.iter().filter(|e| e.schema.is_person()).count();
    let n = list.len();
    let t = std::time::Instant::now();
    let report = store
        .import_list("bench", "dev-1", list.clone())
        .await
        .unwrap();
    eprintln!(
        "{}: imported {n} entities in {:?}",
        store.backend(),
        t.elapsed()
    );
    assert_eq!(report.persons, persons);
    assert_eq!(report.persons + report.organisations + report.other, n);
    assert_eq!(report.added.len(), n);
    assert!(report.names >= n);
    assert_eq!(store.active_entities().await.unwrap().len(), n);

    let again = store
        .import_list("bench", "dev-1", list.clone())
        .await
        .unwrap();
    assert!(again.unchanged);

    let dropped: Vec<String> = list.iter().rev().take(10).map(|e| e.id.clone()).collect();
    let v2: Vec<Entity> = list[..n - 10].to_vec();
    let report = store.import_list("bench", "dev-2", v2).await.unwrap();
    let mut dropped_sorted = dropped.clone();
    dropped_sorted.sort();
    assert_eq!(report.removed, dropped_sorted);
    assert!(report.added.is_empty() && report.changed.is_empty());
    assert_eq!(store.active_entities().await.unwrap().len(), n - 10);
    // Round trip: what comes back is what went in, plus provenance.
    let first = &list[0];
    let mut stored = store.entity(&first.id).await.unwrap().unwrap();
    assert_eq!(stored.provenance.source, "bench");
    stored.provenance = first.provenance.clone();
    assert_eq!(&stored, first);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_watchlist_on_sqlite() {
    let Some(list) = watchlist() else { return };
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path().join("w.db").to_str().unwrap(), list).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_watchlist_on_postgres() {
    let Some(list) = watchlist() else { return };
    let Some(server) =
        tansiq_testkit::postgres_url("store import of the bench watchlist on PostgreSQL")
    else {
        return;
    };
    let db = support::TestDb::create(&server, "real_data").await;
    let url = db.url.clone();
    let outcome = tokio::spawn(async move { scenario(&url, list).await }).await;
    db.drop_db().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
