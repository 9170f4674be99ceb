//! Retention purges what it promises (issue 19): once a screening is past
//! `[retention] traveller_data_days` and its hits are decided, no name and
//! no document number of that traveller remains in any table of the store,
//! on either backend — screening records, hits and their context, dismissed
//! pairs, audit payloads.

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, Row};
use support::{Backend, Node};
use time::OffsetDateTime;

on_both_backends!(no_traveller_data_of_a_purged_screening_remains);

/// A fictitious traveller spelled unlike the listed `tl-1` ("Karimou
/// Fictivo Belhadjar", 1970-01-15, dz), close enough to raise a hit.
const TRAVELLER: &str = "Karimo Fictivou Belhadjare";
/// A traveller who matches nobody.
const INNOCENT: &str = "Zoubeyrou Inventada Qassimiya";
/// What must be gone after the purge (compared case-insensitively): none
/// occurs in the list or anywhere else in the store.
const NEEDLES: &[&str] = &[
    "fictivou",
    "belhadjare",
    "qz7730419",
    "inventada",
    "qassimiya",
    "rf5518263",
];

/// Every row of every table of the store as text, `(table, row)`.
async fn dump(location: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        for t in tables {
            let sql = sqlx::AssertSqlSafe(format!("SELECT t::text FROM \"{t}\" t"));
            for row in sqlx::query_scalar::<_, String>(sql)
                .fetch_all(&mut c)
                .await
                .unwrap()
            {
                out.push((t.clone(), row));
            }
        }
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}"))
            .await
            .unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut c)
                .await
                .unwrap();
        for t in tables {
            let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&t)
                .fetch_all(&mut c)
                .await
                .unwrap();
            let row_text = columns
                .iter()
                .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            // As bytes: some columns (a migration's checksum) are not text.
            let sql = sqlx::AssertSqlSafe(format!("SELECT CAST({row_text} AS BLOB) FROM \"{t}\""));
            for row in sqlx::query(sql).fetch_all(&mut c).await.unwrap() {
                let bytes: Vec<u8> = row.get(0);
                out.push((t.clone(), String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        c.close().await.unwrap();
    }
    out
}

/// The rows that still hold a needle: `table: needle`.
fn leftovers(rows: &[(String, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (table, row) in rows {
        let row = row.to_lowercase();
        for n in NEEDLES {
            if row.contains(n) {
                found.push(format!("{table}: {n}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

async fn screen(node: &Node, body: Value) -> Value {
    let (s, answer) = node
        .call(Some("officer-a"), Method::POST, "/v1/screen", Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    answer
}

async fn no_traveller_data_of_a_purged_screening_remains(backend: Backend) {
    let node = Node::start_with(backend, |c| c.retention.traveller_data_days = 30).await;
    let location = node.state.config.store.location.clone();

    // One traveller raises a hit, which an analyst dismisses (a dismissed
    // pair is kept, with the document, to mark later screenings); another
    // matches nobody.
    let answer = screen(
        &node,
        json!({"names": [TRAVELLER], "birth_date": "1970-01-15", "nationality": "DZ",
               "documents": [{"number": "QZ7730419", "issuing_country": "DZ"}],
               "context": {"border_post": "Port of Fictiville", "direction": "entry"}}),
    )
    .await;
    let hit_id = answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|m| m["hit_id"].as_str())
        .unwrap_or_else(|| panic!("no hit raised: {answer}"))
        .to_string();
    screen(
        &node,
        json!({"names": [INNOCENT], "documents": [{"number": "RF5518263"}]}),
    )
    .await;
    let (s, hit) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{hit_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{hit}");
    let version = hit["hit"]["version"].as_i64().unwrap();
    let resp = node
        .client
        .post(format!("{}/v1/hits/{hit_id}/dismiss", node.base))
        .bearer_auth(node.token("analyst-a"))
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({"reason": "not the listed person"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    if let Some(done) = node.state.review.flush() {
        done.await.unwrap();
    }
    node.audit_into_store().await;

    let before = leftovers(&dump(&location).await);
    for table in ["screenings", "hits", "suppressions", "audit_log"] {
        assert!(
            before.iter().any(|l| l.starts_with(&format!("{table}:"))),
            "the traveller data should be in {table} before the purge: {before:?}"
        );
    }

    // A day from now, every record above is past its retention.
    let later = OffsetDateTime::now_utc() + time::Duration::days(1);
    let purged = tansiq_server::purge_traveller_data_before(&node.state, later)
        .await
        .unwrap();
    assert!(purged > 0);
    let after = leftovers(&dump(&location).await);
    assert!(
        after.is_empty(),
        "traveller data left after the purge: {after:?}"
    );
    // The audit chain still verifies over the purged payloads.
    node.store.verify_audit().await.unwrap();
    node.stop().await;
}
