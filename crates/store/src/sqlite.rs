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
    /// The connection that copies the WAL back into the database file, off
    /// the writer (see [`checkpoint_loop`]).
    checkpointer: SqlitePool,
    /// The `-wal` file beside the database, and the sizes at which it is
    /// cut back (see [`WalBounds`]).
    wal: std::sync::Arc<(std::path::PathBuf, WalBounds)>,
    /// Held by every clone of the store: once the last is dropped, the
    /// checkpoint loop (which only has a weak reference) ends and closes
    /// its connection, even if nobody called [`SqliteStore::close`].
    _alive: std::sync::Arc<()>,
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
/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// The WAL is cut back to this size when it restarts after a checkpoint:
/// a burst (a list import, a flood of screenings) may grow it, but it does
/// not keep that size on disk afterwards (459 MB was seen under load).
pub const JOURNAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;
/// How many times its limit the WAL may reach, despite the writer's
/// passive checkpoints, before the writer truncates it (see [`WalBounds`]).
const WAL_ESCALATE: u64 = 2;
/// Longest the writer's truncating checkpoint waits for readers.
const TRUNCATE_WAIT: Duration = Duration::from_millis(250);

/// Why the limit alone did not bound the WAL (459 MB was seen under load,
/// and 30 MB/s of growth in `bench/screen.sh`): the WAL restarts from its
/// beginning only when a writer begins after a checkpoint copied *all* of
/// it, and a checkpoint running beside a busy writer never does (frames
/// are added while it copies). So the writer itself, before a write
/// transaction, checkpoints (`PASSIVE`) when the WAL file has outgrown
/// [`JOURNAL_SIZE_LIMIT`]: with no write beside it, the copy catches up
/// (the background pass has copied most pages already, so little is left
/// to copy), and the next write restarts the WAL and cuts it back to the
/// limit. A passive checkpoint waits for nobody: readers and the
/// checkpointer are never waited on (if busy, the next write tries
/// again). That suffices unless readers keep reading from the WAL without
/// a pause (a restart needs a moment when none does): past
/// [`WAL_ESCALATE`] times the limit, the writer truncates the WAL, waiting
/// for those readers. The WAL thus stays within twice the limit plus
/// about one write transaction (a list import is one, of any size).
#[derive(Clone, Copy, Debug)]
pub(crate) struct WalBounds {
    /// [`JOURNAL_SIZE_LIMIT`]; tests use a smaller one.
    pub limit: u64,
}

impl Default for WalBounds {
    fn default() -> Self {
        WalBounds {
            limit: JOURNAL_SIZE_LIMIT,
        }
    }
}

impl SqliteStore {
    /// Opens (creating if absent) the database file at `path` and applies
    /// pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, WalBounds::default()).await
    }

    pub(crate) async fn open_with(
        path: &Path,
        bounds: WalBounds,
    ) -> Result<SqliteStore, StoreError> {
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
            .busy_timeout(BUSY_TIMEOUT)
            // Deleted content is overwritten with zeros, so what a purge
            // removes (a partner's withdrawn entry, purged traveller data)
            // does not linger in the file's free space.
            .pragma("secure_delete", "ON")
            .pragma("journal_size_limit", bounds.limit.to_string());
        // The writer never checkpoints: with SQLite's automatic checkpoint
        // (every 1,000 WAL pages) the commit that crossed the mark copied
        // the WAL into the database and synced it before returning, tens of
        // milliseconds that some screening waited for. A separate
        // connection does it instead, concurrently with writers.
        // No test before acquire: for an in-process library a ping proves
        // nothing a statement's error would not show, and it cost every
        // transaction one more round trip to the connection's thread
        // (a channel hand-off and two thread wake-ups).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
            .await
            .map_err(|e| open_err(e.to_string()))?;
        sqlx::migrate!("migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| open_err(format!("migration failed: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .connect_with(options.clone().pragma("query_only", "ON"))
            .await
            .map_err(|e| open_err(e.to_string()))?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(|e| open_err(e.to_string()))?;
        let mut wal_path = path.as_os_str().to_owned();
        wal_path.push("-wal");
        let wal = std::sync::Arc::new((std::path::PathBuf::from(wal_path), bounds));
        let alive = std::sync::Arc::new(());
        tokio::spawn(checkpoint_loop(
            checkpointer.clone(),
            std::sync::Arc::downgrade(&alive),
        ));
        Ok(SqliteStore {
            writer,
            reader,
            checkpointer,
            wal,
            _alive: alive,
        })
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        let (wal, bounds) = &*self.wal;
        let len = wal_len(wal);
        if len > WAL_ESCALATE * bounds.limit {
            self.truncate_wal().await;
        } else if len > bounds.limit {
            // See [`WalBounds`]. Busy (the checkpointer is copying) or
            // failed: the next write tries again.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.writer)
                .await;
        }
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The WAL kept growing past its limit: readers kept reading from it,
    /// so it could not restart. The writer copies it back and empties it,
    /// waiting at most [`TRUNCATE_WAIT`] for those readers to finish (new
    /// ones read the database file meanwhile); writes wait that long at
    /// most. If it cannot finish, the next write tries again.
    async fn truncate_wal(&self) {
        let _ = async {
            let mut conn = self.writer.acquire().await?;
            let set = |ms: u128| sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {ms}"));
            sqlx::query(set(TRUNCATE_WAIT.as_millis()))
                .execute(&mut *conn)
                .await?;
            let done = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await;
            sqlx::query(set(BUSY_TIMEOUT.as_millis()))
                .execute(&mut *conn)
                .await?;
            done
        }
        .await;
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
        self.checkpointer.close().await;
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// The size of the WAL file (0 when there is none).
fn wal_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Copies committed WAL frames into the database file every
/// [`CHECKPOINT_EVERY`] until the store is closed or dropped. `PASSIVE` never blocks
/// the writer or readers: it copies what no reader still needs, and the
/// WAL restarts from its beginning once it has all been copied. A failed
/// pass is retried at the next tick. Under a steady stream of writes this
/// pass never copies all of the WAL; the writer finishes the job when the
/// WAL outgrows its limit (see [`WalBounds`]).
async fn checkpoint_loop(pool: SqlitePool, alive: std::sync::Weak<()>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() || alive.strong_count() == 0 {
            pool.close().await;
            return;
        }
        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await;
    }
}

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

    /// The writer leaves checkpoints to the checkpointer, which keeps the
    /// WAL from growing: after a burst of writes and a few ticks the
    /// database file holds them and the WAL is restarted.
    #[tokio::test]
    async fn the_wal_is_checkpointed_off_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let store = SqliteStore::open(&path).await.unwrap();
        // (No table-valued function for this pragma: ask it directly.)
        let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(auto, 0);
        let db_before = std::fs::metadata(&path).unwrap().len();
        for i in 0..200 {
            sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload, payload_hash, prev_hash, hash) VALUES ($1, 'x', 'a', 'b', '{}', $2, 'p', 'q', $3)")
                .bind(i + 1)
                .bind("x".repeat(4_000))
                .bind(format!("h{i}"))
                .execute(&store.writer)
                .await
                .unwrap();
        }
        let mut copied = false;
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if std::fs::metadata(&path).unwrap().len() > db_before + 400_000 {
                copied = true;
                break;
            }
        }
        assert!(copied, "the database file never received the WAL's pages");
        // The next write restarts the WAL from its beginning.
        let wal_len = || {
            std::fs::metadata(dir.path().join("c.db-wal"))
                .unwrap()
                .len()
        };
        tokio::time::sleep(Duration::from_millis(700)).await;
        let full = wal_len();
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload_hash, prev_hash, hash) VALUES (1000, 'x', 'a', 'b', '{}', 'p', 'q', 'h1000')")
            .execute(&store.writer)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload_hash, prev_hash, hash) VALUES (1001, 'x', 'a', 'b', '{}', 'p', 'q', 'h1001')")
            .execute(&store.writer)
            .await
            .unwrap();
        assert_eq!(wal_len(), full, "the WAL is reused, not grown");
        store.close().await;
    }

    #[tokio::test]
    async fn a_grown_wal_is_cut_back_to_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let wal_len = || {
            std::fs::metadata(dir.path().join("w.db-wal"))
                .unwrap()
                .len()
        };
        // A burst of large rows, faster than the checkpoint ticks.
        let chunk = "x".repeat(1024 * 1024);
        let mut tx = store.writer.begin().await.unwrap();
        for i in 0..(JOURNAL_SIZE_LIMIT / (1024 * 1024) + 32) as i64 {
            sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload, payload_hash, prev_hash, hash) VALUES ($1, 'x', 'a', 'b', '{}', $2, 'p', 'q', $3)")
                .bind(i + 1)
                .bind(&chunk)
                .bind(format!("h{i}"))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let grown = wal_len();
        assert!(
            grown > JOURNAL_SIZE_LIMIT,
            "the burst did not grow the WAL: {grown}"
        );
        // Once checkpointed, the next write restarts the WAL and cuts it.
        let mut cut = grown;
        for i in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            sqlx::query("INSERT INTO audit_log (seq, at, actor, action, facts, payload_hash, prev_hash, hash) VALUES ($1, 'x', 'a', 'b', '{}', 'p', 'q', $2)")
                .bind(10_000 + i)
                .bind(format!("t{i}"))
                .execute(&store.writer)
                .await
                .unwrap();
            cut = wal_len();
            if cut <= JOURNAL_SIZE_LIMIT {
                break;
            }
        }
        assert!(
            cut <= JOURNAL_SIZE_LIMIT,
            "the WAL stayed at {cut} bytes (limit {JOURNAL_SIZE_LIMIT})"
        );
        store.close().await;
    }

    /// Under steady writes and reads, some reader always reads from the
    /// WAL, so a passive checkpoint cannot restart it and it would only
    /// grow. Measured after every commit of many, the WAL stays within its
    /// hard limit plus a few transactions (sizes, not timings: small
    /// limits here so that the writes cross them many times over).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_bounded_under_steady_reads_and_writes() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        const ROW: usize = 32 * 1024;
        const WRITES: usize = 800;
        let bounds = WalBounds { limit: 1024 * 1024 };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        let store = SqliteStore::open_with(&path, bounds).await.unwrap();
        sqlx::query("CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .execute(&store.writer)
            .await
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut readers = Vec::new();
        for _ in 0..2 {
            let (pool, stop) = (store.reader.clone(), stop.clone());
            readers.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let mut tx = pool.begin().await.unwrap();
                    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM filler")
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    tx.commit().await.unwrap();
                }
            }));
        }
        let wal = dir.path().join("b.db-wal");
        let body = vec![7u8; ROW];
        let mut largest = 0;
        for i in 0..WRITES {
            let mut tx = store.begin_write().await.unwrap();
            sqlx::query("INSERT INTO filler (id, body) VALUES ($1, $2)")
                .bind(i as i64)
                .bind(&body)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            largest = largest.max(wal_len(&wal));
        }
        stop.store(true, Ordering::Relaxed);
        for r in readers {
            r.await.unwrap();
        }
        let written = (WRITES * ROW) as u64;
        assert!(written > 16 * bounds.limit, "the test writes too little");
        // A transaction here is about 10 pages; a few may pass while the
        // checkpointer is busy or a reader holds the WAL past the wait.
        let slack = 8 * ROW as u64;
        let bound = WAL_ESCALATE * bounds.limit + slack;
        assert!(
            largest <= bound,
            "the WAL reached {largest} bytes (bound {bound}) after {written} bytes written"
        );
        store.close().await;
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
            assert_eq!(pragma(pool, "secure_delete").await, "1");
        }
        let limit: i64 = sqlx::query_scalar("PRAGMA journal_size_limit")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        assert_eq!(limit as u64, JOURNAL_SIZE_LIMIT);
        store.close().await;
    }
}
