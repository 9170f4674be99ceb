//! The node's audit writer never drops an event: when the store refuses
//! appends for a while, the batch is retried until it is written, in
//! order, and the chain verifies.

#[macro_use]
mod support;

use std::time::Duration;

use sqlx::Connection;
use support::{Backend, with_database};
use tansiq_server::{AuditEvent, AuditSink, StoreAudit};
use tansiq_store::Store;
use time::OffsetDateTime;

on_both_backends!(a_refused_append_is_retried_until_written);

fn event(n: usize) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: "officer-a".into(),
        agency: "dz-police".into(),
        key_id: "k1".into(),
        action: "screen",
        target: Some(format!("screening-{n}")),
        outcome: "ok",
        detail: serde_json::json!({ "n": n }),
    }
}

/// Runs raw SQL on the store's database from a separate connection.
async fn raw(location: &str, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}"))
            .await
            .unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    }
}

async fn a_refused_append_is_retried_until_written(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let location = match &backend {
        Backend::Sqlite => dir.path().join("node.db").display().to_string(),
        Backend::Postgres { server, db } => with_database(server, db),
    };
    let store = Store::open(&location).await.unwrap();
    let (block, unblock) = if location.starts_with("postgres") {
        (
            "ALTER TABLE audit_log ADD CONSTRAINT test_block CHECK (false) NOT VALID",
            "ALTER TABLE audit_log DROP CONSTRAINT test_block",
        )
    } else {
        (
            "CREATE TRIGGER test_block BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            "DROP TRIGGER test_block",
        )
    };
    let audit = StoreAudit::start(store.clone());
    audit.record(event(0));
    audit.flush().unwrap().await.unwrap();
    assert_eq!(store.audit_head().await.unwrap().map(|h| h.seq), Some(1));

    raw(&location, block).await;
    for n in 1..=3 {
        audit.record(event(n));
    }
    // Several attempts fail while the store refuses.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        store.audit_head().await.unwrap().map(|h| h.seq),
        Some(1),
        "nothing can be written while the store refuses"
    );
    let flushed = audit.flush().unwrap();
    audit.record(event(4));
    raw(&location, unblock).await;

    tokio::time::timeout(Duration::from_secs(20), flushed)
        .await
        .expect("the batch is written once the store takes it again")
        .unwrap();
    audit.flush().unwrap().await.unwrap();
    let records = store.audit_records(0, 100).await.unwrap();
    let targets: Vec<_> = records
        .iter()
        .map(|r| r.subject.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        targets,
        (0..=4)
            .map(|n| format!("screening-{n}"))
            .collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert_eq!(store.verify_audit().await.unwrap(), 5);
}
