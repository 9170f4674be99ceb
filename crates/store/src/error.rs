/// Errors of the store, in neutral kinds: callers (CLI, HTTP layer) map
/// them without knowing which backend produced them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The named thing does not exist.
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The write contradicts the stored state: an id held by another
    /// source, a stale expected version, a list version label reused for
    /// different content, a uniqueness or foreign-key violation.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller's input is unusable; `field` says where (e.g.
    /// `entities[3].id`).
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The store could not be opened or migrated.
    #[error("cannot open the store at {location}: {reason}")]
    Open { location: String, reason: String },
    /// A stored row could not be read back (e.g. JSON that no longer
    /// decodes into an entity).
    #[error("corrupt stored data in {table} (row {key}): {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        reason: String,
    },
    /// The audit chain does not verify: event `seq` (the first bad one)
    /// was edited, deleted, moved, or the log was cut short.
    #[error("audit chain broken at event {seq}: {reason}")]
    ChainBroken { seq: i64, reason: String },
    /// The store is held by a long write (a large import on SQLite's single
    /// writer, a lock on PostgreSQL) and the wait timed out: retry later.
    #[error("the store is busy: {0}")]
    Busy(String),
    /// The database failed in a way the caller cannot act on (I/O, lost
    /// connection, timeout waiting for a connection).
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> StoreError {
        StoreError::NotFound { what: what.into() }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        use sqlx::error::ErrorKind;
        match &e {
            sqlx::Error::RowNotFound => StoreError::not_found("row"),
            sqlx::Error::PoolTimedOut => {
                StoreError::Busy("no connection became free in time".to_string())
            }
            sqlx::Error::Database(db) => match db.kind() {
                ErrorKind::UniqueViolation
                | ErrorKind::ForeignKeyViolation
                | ErrorKind::ExclusionViolation => StoreError::Conflict(db.message().to_string()),
                ErrorKind::NotNullViolation | ErrorKind::CheckViolation => {
                    StoreError::invalid("row", db.message().to_string())
                }
                _ if is_busy(db.as_ref()) => StoreError::Busy(db.message().to_string()),
                _ => StoreError::Backend(e.to_string()),
            },
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED (any extended code) once the busy timeout
/// ran out; PostgreSQL `lock_not_available` (55P03).
fn is_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        let code = db.code().and_then(|c| c.parse::<i32>().ok());
        return code.is_some_and(|c| matches!(c & 0xff, 5 | 6));
    }
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some_and(|e| e.code() == "55P03")
}
