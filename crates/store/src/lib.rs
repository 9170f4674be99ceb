//! Durable state of a tansiq node: watchlist entities, the list versions
//! they came with, and the full history of every entity, on SQLite (the
//! embedded default, one file, nothing to install) or PostgreSQL (shared by
//! several replicas).
//!
//! Design decision: one closed [`Store`] enum over two concrete backends
//! (no `dyn`, no async-trait) whose SQL is written once, in the subset both
//! databases speak (`$1` parameters, multi-row `VALUES` and `IN (…)`
//! lists whose placeholders `db.rs` writes per backend, `RETURNING`,
//! `CAST(… AS TEXT)`), and
//! checked at run time by a conformance suite that runs the same scenarios
//! on both (`tests/conformance`). The trade-off: no compile-time SQL
//! checking (the `query!` macros would need a live database or an offline
//! cache per backend). The store's logic is ordinary `impl Store` code,
//! one copy for both backends; a statement meets its backend in one place,
//! `db.rs`, which matches the enum when the statement runs (see there why
//! not a type parameter). What differs per backend, how writers serialise
//! and how listeners hear of a write, lives in `sqlite.rs` and
//! `postgres.rs`.
//!
//! Where things are: `entities.rs` (imports, national entries, history,
//! change feed), `audit.rs` (the hash chain), `review.rs` (screenings,
//! hits and their review), `access.rs` and `sessions.rs` (accounts, keys,
//! sign-in), `federation.rs` (partners, outbox, inbox); the rules they
//! apply without I/O in `rules.rs` (roles, review states and transitions)
//! and `diff.rs` (what an import changes).
//!
//! Entities are kept whole as their JSON, beside a few indexed columns
//! (source, schema, status, caption; names and document numbers in their
//! own tables). **Ids are unique per node, whatever the source**: an import
//! or a national entry that reuses an id held by another source is refused
//! with [`StoreError::Conflict`] naming both. Importers therefore give
//! entities source-specific ids (FollowTheMoney ids usually are). Keying on
//! the bare id keeps references (hits, audit events, federation messages)
//! to one string.
//!
//! An import ([`Store::import_list`]) is one transaction: all or nothing.
//! Entities a new list version no longer carries are kept, withdrawn, with
//! their history; nothing is ever deleted.
//!
//! Two logs serve what comes after screening: the **change feed**
//! ([`Store::changes_since`], NOTIFY on PostgreSQL) numbers every entity
//! write in commit order so replicas follow it; the **audit log**
//! ([`Store::append_audit_batch`], [`Store::verify_audit`]) is append-only
//! and hash-chained, so editing, deleting or reordering a row is detected.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use tansiq_model::{Entity, Schema, prop};
//! use tansiq_store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path().join("node.db").to_str().unwrap()).await.unwrap();
//! let mut e = Entity::new("demo-1", Schema::Person);
//! e.add(prop::NAME, "Karim Fictive Haddad");
//! let report = store.import_list("demo", "2026-11-29", vec![e.clone()]).await.unwrap();
//! assert_eq!((report.persons, report.added.len()), (1, 1));
//! // The same content again changes nothing.
//! let again = store.import_list("demo", "2026-11-29", vec![e]).await.unwrap();
//! assert!(again.unchanged);
//! assert_eq!(store.active_entities().await.unwrap().len(), 1);
//! # });
//! ```
//!
//! What screening leaves behind (the screening history, hits and their
//! review, suppressions, notifications) is in `review.rs`
//! ([`Store::insert_hits`], [`Store::transition_hit`]).
//!
//! **Architecture invariant:** this crate is the only one that talks to a
//! database; it may read the clock (it stamps times on what it records).

mod access;
pub use access::*;
mod review;
pub use review::*;
mod sessions;
pub use sessions::{ChallengeRecord, PasswordRecord, SessionRecord, TotpRecord};
mod audit;
mod db;
mod diff;
mod entities;
mod error;
mod federation;
mod postgres;
mod rules;
mod sqlite;

use std::path::Path;

use tansiq_model::Entity;
use time::OffsetDateTime;

pub use audit::{AuditEvent, AuditHead, AuditRecord, GENESIS, verify_chain};

/// Builds the audit events of an entry write from the versions written;
/// called inside the write's transaction.
pub(crate) type AuditOf<'a> = Box<dyn FnOnce(&[EntityVersion]) -> Vec<AuditEvent> + Send + 'a>;
pub use diff::{Counts, Diff, diff};
pub use error::StoreError;
pub use federation::{
    FedHit, FollowUpRecord, InboxHead, OutboxItem, OutboxStats, Partner, Receipt,
};
pub use postgres::PgStore;
pub use rules::{HitAction, HitState, Role};
pub use sqlite::SqliteStore;

/// The PostgreSQL `LISTEN` channel on which every committed entity write
/// announces the new head of the change feed (the payload is the head's
/// `seq` as text). Replicas listen, then read [`Store::changes_since`].
pub const CHANGES_CHANNEL: &str = "tansiq_entity_changes";

/// The source name of entries created on this node (not imported).
pub const NATIONAL_SOURCE: &str = "national";

/// A store on one of the two backends.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub source: String,
    pub version: String,
    /// The version that was current before this import (equal to `version`
    /// when the same version was imported again).
    pub previous_version: Option<String>,
    /// Counts of the imported version (all of it, not only what changed).
    pub persons: usize,
    pub organisations: usize,
    pub other: usize,
    pub names: usize,
    /// Ids new in this version (or listed again after a removal).
    pub added: Vec<String>,
    /// Ids whose content changed, with the changed field names.
    pub changed: Vec<(String, Vec<String>)>,
    /// Ids no longer in the list: kept, withdrawn, with their history.
    pub removed: Vec<String>,
    /// True when the content equals the current version's: no entity was
    /// written. (A new version label with the same content is still
    /// recorded as a list version, so the list's age stays true.)
    pub unchanged: bool,
}

/// Why an entity version came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// Appeared in a list version (first time or again after a removal).
    Added,
    /// Changed in a list version.
    Changed,
    /// No longer in a list version.
    Removed,
    /// A national entry created.
    Created,
    /// A national entry updated.
    Updated,
    /// A national entry withdrawn.
    Withdrawn,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Removed => "removed",
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Withdrawn => "withdrawn",
        }
    }

    fn parse(s: &str) -> Option<Change> {
        Some(match s {
            "added" => Change::Added,
            "changed" => Change::Changed,
            "removed" => Change::Removed,
            "created" => Change::Created,
            "updated" => Change::Updated,
            "withdrawn" => Change::Withdrawn,
            _ => return None,
        })
    }
}

/// An entity's current version with its version number, read together
/// (the number to send back as [`Expect::Version`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEntity {
    pub entity: Entity,
    pub version: i64,
    pub updated_at: OffsetDateTime,
}

/// When an entity was first written and last changed on this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntityTimes {
    pub first_seen: OffsetDateTime,
    pub last_change: OffsetDateTime,
}

/// One version of an entity, as kept in its history.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityVersion {
    pub id: String,
    /// 1 for the first version, then +1 per change.
    pub version: i64,
    pub source: String,
    pub change: Change,
    /// Why, in words: the list version it came with, or the reason an
    /// officer gave for a withdrawal.
    pub reason: String,
    /// Who: the user for national entries, `import` for lists.
    pub actor: String,
    pub recorded_at: OffsetDateTime,
    /// The list version this version came with (list entities only).
    pub list_version: Option<String>,
    /// The fields changed from the previous version (see [`Diff::changed`]).
    pub changed: Vec<String>,
    pub entity: Entity,
}

/// One entry of the change feed: an entity version, in commit order.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityChange {
    /// Position in the feed: 1, 2, 3… with no gap, in commit order.
    pub seq: i64,
    pub version: i64,
    pub change: Change,
    /// The entity as of this version (status withdrawn when it stopped
    /// screening).
    pub entity: Entity,
}

/// One imported version of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListVersion {
    /// Store-wide order of imports.
    pub seq: i64,
    pub source: String,
    pub version: String,
    pub imported_at: OffsetDateTime,
    /// SHA-256 (hex) of the normalised content, independent of the order of
    /// records in the file and of the version label.
    pub content_hash: String,
    pub counts: Counts,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

/// A source of entities on this node and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    pub source: String,
    /// The current list version (`None` for national entries).
    pub version: Option<String>,
    pub imported_at: Option<OffsetDateTime>,
    pub active: usize,
    /// Active and withdrawn entities kept for this source.
    pub total: usize,
}

/// What a write expects to find, for optimistic concurrency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Create or update, whatever is there.
    Any,
    /// Create only: fails with [`StoreError::Conflict`] when the id exists.
    New,
    /// Update only the given version: fails with
    /// [`StoreError::Conflict`] when the stored version differs (someone
    /// else wrote in between) and [`StoreError::NotFound`] when absent.
    Version(i64),
}

impl Store {
    /// Opens the store at `location`: a `postgres://` or `postgresql://`
    /// URL selects PostgreSQL; anything else is a SQLite file path
    /// (optionally prefixed `sqlite:`), created if absent. Pending
    /// migrations are applied.
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Store::Postgres(PgStore::open(location).await?));
        }
        let path = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        if path.is_empty() {
            return Err(StoreError::invalid(
                "location",
                "the database path is empty",
            ));
        }
        Ok(Store::Sqlite(SqliteStore::open(Path::new(path)).await?))
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}

/// Now, to the microsecond (PostgreSQL's precision), so what a write
/// returns equals what a later read gives.
fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}
