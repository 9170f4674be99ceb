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

    /// Waits for every connection to close.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

crate::backend::impl_backend!(SqliteStore, Sqlite);
crate::audit::impl_audit!(SqliteStore, Sqlite);
