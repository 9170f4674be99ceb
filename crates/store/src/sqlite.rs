use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::StoreError;

/// The embedded store: one SQLite file (plus its `-wal`), in WAL mode with
/// `synchronous=FULL`, so a write is on disk before it is acknowledged.
///
/// One writer connection (`max_connections = 1`) takes every write
/// transaction with `BEGIN IMMEDIATE`, so writers queue instead of failing
/// with "database is locked" on a lock upgrade; a separate pool of
/// `query_only` connections serves reads concurrently. Other processes on
/// the same file wait up to the busy timeout for the write lock.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
}

/// Creates the database file readable and writable by its owner only
/// (0600) when it does not exist: it holds watchlist entries and audit
/// payloads. SQLite gives the `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// How long a write waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const READERS: u32 = 4;

impl SqliteStore {
    /// Opens (creating if absent) the database file at `path` and applies
    /// pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_err = |reason: String| StoreError::Open {
            location: path.display().to_string(),
            reason,
        };
        create_private(path).map_err(|e| open_err(format!("cannot create the file: {e}")))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(|e| open_err(e.to_string()))?;
        sqlx::migrate!("migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| open_err(format!("migration failed: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .map_err(|e| open_err(e.to_string()))?;
        Ok(SqliteStore { writer, reader })
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Serialises writers on `key`. SQLite has a single writer per file, so
    /// `BEGIN IMMEDIATE` already did it.
    pub(crate) async fn lock(
        _tx: &mut Transaction<'static, Sqlite>,
        _key: &str,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Tells listeners that the change feed grew. SQLite has no listeners
    /// (one process owns the file); readers poll the feed.
    pub(crate) async fn notify_changes(
        _tx: &mut Transaction<'static, Sqlite>,
        _head: i64,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Waits for every connection to close.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

crate::backend::impl_backend!(SqliteStore, Sqlite);
crate::audit::impl_audit!(SqliteStore, Sqlite);
crate::federation::impl_federation!(SqliteStore, Sqlite);

#[cfg(test)]
mod tests {
    use super::*;

    /// A pragma's value as text, through its table-valued function.
    async fn pragma(pool: &SqlitePool, name: &str) -> String {
        // The function's column is named after the pragma, but for one.
        let column = if name == "busy_timeout" {
            "timeout"
        } else {
            name
        };
        let sql = sqlx::AssertSqlSafe(format!("SELECT CAST({column} AS TEXT) FROM pragma_{name}"));
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_database_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private.db");
        let store = SqliteStore::open(&path).await.unwrap();
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload_hash, prev_hash, hash) VALUES (1, 'x', 'a', 'b', '{}', 'p', 'q', 'h')")
            .execute(&store.writer)
            .await
            .unwrap();
        for file in ["private.db", "private.db-wal", "private.db-shm"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file} has mode {:o}", mode & 0o777);
        }
        store.close().await;
        let missing = SqliteStore::open(&dir.path().join("no/such/folder.db")).await;
        assert!(
            matches!(missing, Err(StoreError::Open { .. })),
            "{missing:?}"
        );
    }

    #[tokio::test]
    async fn every_connection_is_durable_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.db")).await.unwrap();
        for (pool, query_only) in [(&store.writer, "0"), (&store.reader, "1")] {
            assert_eq!(pragma(pool, "journal_mode").await, "wal");
            // 2 = FULL: the WAL is synced at every commit.
            assert_eq!(pragma(pool, "synchronous").await, "2");
            assert_eq!(pragma(pool, "foreign_keys").await, "1");
            assert_eq!(pragma(pool, "query_only").await, query_only);
            assert_eq!(pragma(pool, "busy_timeout").await, "30000");
        }
        store.close().await;
    }
}
