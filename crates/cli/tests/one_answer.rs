//! One engine, one answer (issue 18, point 7): an entity scores the same
//! however it was loaded. The benchmark watchlist read the way `tansiq
//! eval` reads it and the same file imported into a store the way `tansiq
//! import` does, then read back as `tansiq screen` reads it, must index the
//! same names and give every benchmark query the same ranked answer.

use std::io::BufReader;

use tansiq_matching::{Index, MatcherConfig, eval};
use tansiq_store::Store;

const WATCHLIST: &str = "bench/watchlist.jsonl";
const QUERIES: &str = "bench/dev/queries.jsonl";

#[tokio::test]
async fn eval_and_screen_give_the_same_answer() {
    let Some(watchlist) = tansiq_testkit::shared_file(WATCHLIST, "one engine, one answer") else {
        return;
    };
    let queries = tansiq_testkit::shared_file(QUERIES, "one engine, one answer").unwrap();
    let file = || BufReader::new(std::fs::File::open(&watchlist).unwrap());

    // As `tansiq eval` loads it.
    let direct = Index::build(
        eval::read_watchlist(file()).unwrap(),
        MatcherConfig::default(),
    );

    // As `tansiq import` then `tansiq screen` load it.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("one.db").display().to_string())
        .await
        .unwrap();
    let parsed = tansiq_lists::parse_ftm(file()).unwrap();
    store
        .import_list(&parsed.source, &parsed.version, parsed.entities)
        .await
        .unwrap();
    let stored = store.active_entities().await.unwrap();
    store.close().await;
    let imported = Index::build(stored, MatcherConfig::default());

    assert_eq!(imported.len(), direct.len(), "entities");
    assert_eq!(imported.name_count(), direct.name_count(), "listed names");
    let queries =
        eval::read_queries(BufReader::new(std::fs::File::open(queries).unwrap())).unwrap();
    let mut differ = Vec::new();
    for q in &queries {
        let a = direct.screen_scores(&q.query, 5);
        let b = imported.screen_scores(&q.query, 5);
        let same = a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() < 1e-9);
        if !same {
            differ.push(format!("{}: eval {a:?} / screen {b:?}", q.qid));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} queries answer differently, e.g. {:?}",
        differ.len(),
        queries.len(),
        &differ[..differ.len().min(3)]
    );
}
