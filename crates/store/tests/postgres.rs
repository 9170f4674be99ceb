//! The conformance scenarios on PostgreSQL: each test creates and drops its
//! own database on the server given by `TANSIQ_TEST_POSTGRES` (skipped
//! outside CI when unset, failing under `CI=true`).

mod conformance;
mod support;

macro_rules! on_postgres {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(server) = tansiq_testkit::postgres_url(concat!(
                    "PostgreSQL store scenario ",
                    stringify!($name)
                )) else {
                    return;
                };
                let db = support::TestDb::create(&server, stringify!($name)).await;
                let url = db.url.clone();
                // Run in a task so the database is dropped even when the
                // scenario panics.
                let outcome = tokio::spawn(async move { conformance::$name(&url).await }).await;
                db.drop_db().await;
                if let Err(e) = outcome {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        )*
    };
}

scenarios!(on_postgres);

#[tokio::test]
async fn unreachable_server_is_an_open_error_without_the_password() {
    let err = tansiq_store::Store::open("postgres://u:secret@127.0.0.1:1/none")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot open the store at postgres://u:***@127.0.0.1:1/none"),
        "{msg}"
    );
    assert!(!msg.contains("secret"), "{msg}");
}

/// A replica on PostgreSQL wakes on NOTIFY instead of polling: every
/// committed entity write announces the new feed head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_writes_notify_listeners() {
    let Some(server) = tansiq_testkit::postgres_url("PostgreSQL change notifications") else {
        return;
    };
    let db = support::TestDb::create(&server, "notify").await;
    let url = db.url.clone();
    let outcome = tokio::spawn(async move {
        let store = tansiq_store::Store::open(&url).await.unwrap();
        let mut listener = sqlx::postgres::PgListener::connect(&url).await.unwrap();
        listener
            .listen(tansiq_store::CHANGES_CHANNEL)
            .await
            .unwrap();
        let mut e = tansiq_model::Entity::new("nt-1", tansiq_model::Schema::Person);
        e.add(tansiq_model::prop::NAME, "Notified Fictive");
        store.put_entry(e, "officer").await.unwrap();
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
            .await
            .expect("a notification within 5 s")
            .unwrap();
        assert_eq!(n.payload(), "1");
        // A refused write announces nothing: the next head is 2.
        let mut bad = tansiq_model::Entity::new("nt-2", tansiq_model::Schema::Person);
        bad.provenance.source = "elsewhere".into();
        assert!(store.put_entry(bad, "officer").await.is_err());
        let mut e = tansiq_model::Entity::new("nt-3", tansiq_model::Schema::Person);
        e.add(tansiq_model::prop::NAME, "Second Fictive");
        store.put_entry(e, "officer").await.unwrap();
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
            .await
            .expect("a second notification")
            .unwrap();
        assert_eq!(n.payload(), "2");
        store.close().await;
    })
    .await;
    db.drop_db().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A write that cannot get its lock in time is `Busy` (retry later), not a
/// backend failure: here a session holds the entry's row while
/// `lock_timeout` is short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_wait_that_times_out_is_busy() {
    use sqlx::Connection;
    let Some(server) = tansiq_testkit::postgres_url("PostgreSQL busy mapping") else {
        return;
    };
    let db = support::TestDb::create(&server, "busy").await;
    let url = db.url.clone();
    let outcome = tokio::spawn(async move {
        let store = tansiq_store::Store::open(&url).await.unwrap();
        let mut e = tansiq_model::Entity::new("busy-1", tansiq_model::Schema::Person);
        e.add(tansiq_model::prop::NAME, "Busy Fictive");
        store.put_entry(e.clone(), "officer").await.unwrap();
        store.close().await;

        let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("BEGIN; UPDATE entities SET caption = caption WHERE id = 'busy-1'")
            .execute(&mut holder)
            .await
            .unwrap();
        let short = format!("{url}?options=-c%20lock_timeout%3D200ms");
        let store = tansiq_store::Store::open(&short).await.unwrap();
        e.add(tansiq_model::prop::ALIAS, "Held");
        let err = store.put_entry(e.clone(), "officer").await.unwrap_err();
        assert!(matches!(err, tansiq_store::StoreError::Busy(_)), "{err}");
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut holder)
            .await
            .unwrap();
        // Once the lock is free the same write goes through.
        assert_eq!(store.put_entry(e, "officer").await.unwrap().version, 2);
        store.close().await;
    })
    .await;
    db.drop_db().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
