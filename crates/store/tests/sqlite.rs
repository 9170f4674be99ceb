//! The conformance scenarios on SQLite: each test gets a fresh database
//! file in its own temporary folder.

mod conformance;

macro_rules! on_sqlite {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("store.db");
                conformance::$name(path.to_str().expect("utf-8 temp path")).await;
            }
        )*
    };
}

scenarios!(on_sqlite);

#[tokio::test]
async fn sqlite_prefix_and_empty_path() {
    let dir = tempfile::tempdir().unwrap();
    let location = format!("sqlite:{}", dir.path().join("p.db").display());
    let store = tansiq_store::Store::open(&location).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    store.close().await;
    assert!(dir.path().join("p.db").is_file());
    assert!(tansiq_store::Store::open("sqlite:").await.is_err());
}
