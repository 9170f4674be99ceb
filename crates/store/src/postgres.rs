use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use crate::StoreError;

/// The shared store: one PostgreSQL database that several `tansiq serve`
/// replicas may use at once.
///
/// Writers serialise per key (a list source, an entity id) with
/// transaction-scoped advisory locks, so two replicas importing the same
/// list, or editing the same entry, queue rather than interleave.
#[derive(Clone, Debug)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

const MAX_CONNECTIONS: u32 = 10;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

impl PgStore {
    /// Connects to the database at `url` and applies pending migrations
    /// (the migrator takes its own lock, so replicas may start together).
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        let open_err = |reason: String| StoreError::Open {
            location: redact(url),
            reason,
        };
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| open_err(format!("migration failed: {e}")))?;
        Ok(PgStore { pool })
    }

    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Takes a transaction-scoped advisory lock on `key` (released at commit
    /// or rollback). The lock id is the first 8 bytes of SHA-256(key):
    /// stable across versions, unlike PostgreSQL's internal `hashtext`.
    pub(crate) async fn lock(
        tx: &mut Transaction<'static, Postgres>,
        key: &str,
    ) -> Result<(), StoreError> {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(i64::from_be_bytes(id))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Notifies [`crate::CHANGES_CHANNEL`] with the new feed head; PostgreSQL
    /// delivers it at commit (never for a rolled-back write).
    pub(crate) async fn notify_changes(
        tx: &mut Transaction<'static, Postgres>,
        head: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(crate::CHANGES_CHANNEL)
            .bind(head.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Waits for every connection to close.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
