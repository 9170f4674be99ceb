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
