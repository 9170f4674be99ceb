//! Durable state of a tansiq node: watchlist entities, the list versions
//! they came with, and the full history of every entity, on SQLite (the
//! embedded default, one file, nothing to install) or PostgreSQL (shared by
//! several replicas).
//!
//! Design decision: one closed [`Store`] enum over two concrete backends
//! (no `dyn`, no async-trait) whose SQL is written once, in the subset both
//! databases speak (`$1` parameters, multi-row `VALUES`, `RETURNING`,
//! `CAST(… AS TEXT)`), and
//! checked at run time by a conformance suite that runs the same scenarios
//! on both (`tests/conformance`). The trade-off: no compile-time SQL
//! checking (the `query!` macros would need a live database or an offline
//! cache per backend) and a little macro plumbing so one body serves both
//! connection types. What differs per backend, how writers serialise, lives
//! in `sqlite.rs` and `postgres.rs`.
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
mod backend;
mod diff;
mod error;
mod federation;
mod postgres;
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

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Store::Sqlite($s) => $e,
            Store::Postgres($s) => $e,
        }
    };
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
        dispatch!(self, s => s.close().await)
    }

    /// Imports `entities` as `version` of the list `source`, in one
    /// transaction.
    ///
    /// - The same content as the current version: nothing is written
    ///   (`unchanged`); under a new label, only the list version is recorded.
    /// - A label already used for different content: [`StoreError::Conflict`].
    /// - Otherwise the difference from the current version is applied:
    ///   added and changed entities get a new version, removed ones are
    ///   withdrawn; each gets a history entry.
    ///
    /// Errors ([`StoreError::Invalid`] for empty or duplicate ids or a
    /// withdrawn entity in the list, [`StoreError::Conflict`] for an id held
    /// by another source, any database error) leave the store unchanged.
    pub async fn import_list(
        &self,
        source: &str,
        version: &str,
        entities: Vec<Entity>,
    ) -> Result<ImportReport, StoreError> {
        dispatch!(self, s => s.import_list(source, version, entities).await)
    }

    /// Every active entity of every source, ordered by id: what the
    /// screening index is built from.
    pub async fn active_entities(&self) -> Result<Vec<Entity>, StoreError> {
        dispatch!(self, s => s.active_entities().await)
    }

    /// [`Store::active_entities`] with each entity's version number, read
    /// in one query (so each number belongs to its content).
    pub async fn active_entities_versioned(&self) -> Result<Vec<(Entity, i64)>, StoreError> {
        dispatch!(self, s => s.active_entities_versioned().await)
    }

    /// The current version of an entity (active or not).
    pub async fn entity(&self, id: &str) -> Result<Option<Entity>, StoreError> {
        dispatch!(self, s => s.entity(id).await)
    }

    /// The current version of an entity with its version number, in one
    /// read (so the number belongs to the content).
    pub async fn entity_record(&self, id: &str) -> Result<Option<StoredEntity>, StoreError> {
        Ok(dispatch!(self, s => s.stored_entities("id", id).await)?.pop())
    }

    /// Every entity of one source (active and withdrawn), by id, with
    /// version numbers: e.g. the national entries, without loading the
    /// lists.
    pub async fn source_entities(&self, source: &str) -> Result<Vec<StoredEntity>, StoreError> {
        dispatch!(self, s => s.stored_entities("source", source).await)
    }

    /// Every version of an entity, oldest first (empty when unknown).
    pub async fn entity_history(&self, id: &str) -> Result<Vec<EntityVersion>, StoreError> {
        dispatch!(self, s => s.entity_history(id).await)
    }

    /// When each of `ids` was first written and last changed (its first
    /// and latest versions' times), in one read per few hundred ids; an
    /// unknown id is absent from the answer.
    pub async fn entity_times(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, EntityTimes>, StoreError> {
        let rows = dispatch!(self, s => s.entity_times(ids).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, first_seen, last_change)| {
                (
                    id,
                    EntityTimes {
                        first_seen,
                        last_change,
                    },
                )
            })
            .collect())
    }

    /// Every imported version of a list, oldest first.
    pub async fn list_versions(&self, source: &str) -> Result<Vec<ListVersion>, StoreError> {
        dispatch!(self, s => s.list_versions(source).await)
    }

    /// What a list version added, changed and removed, as recorded when it
    /// was imported (the latest import under that label; empty when its
    /// content equalled the version before).
    pub async fn list_version_changes(
        &self,
        source: &str,
        version: &str,
    ) -> Result<Diff, StoreError> {
        dispatch!(self, s => s.list_version_changes(source, version).await)
    }

    /// Up to `limit` entity changes after feed position `after` (0: from
    /// the start), in commit order: how a replica keeps its in-memory index
    /// current without reloading everything. Positions are contiguous and
    /// assigned in commit order, so a reader that resumes after the last
    /// `seq` it applied never misses a write.
    pub async fn changes_since(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<EntityChange>, StoreError> {
        dispatch!(self, s => s.changes_since(after, limit).await)
    }

    /// The last position of the change feed (0 when empty). Read it before
    /// [`Store::active_entities`] and then follow [`Store::changes_since`]
    /// from it: changes in between are applied twice, which is harmless.
    pub async fn change_head(&self) -> Result<i64, StoreError> {
        dispatch!(self, s => s.change_head().await)
    }

    /// Every source with entities or list versions, by name.
    pub async fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        dispatch!(self, s => s.sources().await)
    }

    /// Creates or updates a national entry (source [`NATIONAL_SOURCE`]),
    /// keeping the previous version in its history. Writing the same
    /// content again records nothing and returns the current version.
    pub async fn put_entry(
        &self,
        entity: Entity,
        actor: &str,
    ) -> Result<EntityVersion, StoreError> {
        self.put_entry_expecting(entity, Expect::Any, actor).await
    }

    /// Creates or updates several national entries in one transaction
    /// (a bulk load of an agency's own warrants): every entry is written or
    /// none is. Entries equal to their stored version are left as they are.
    pub async fn put_entries(
        &self,
        entities: Vec<Entity>,
        actor: &str,
    ) -> Result<Vec<EntityVersion>, StoreError> {
        dispatch!(self, s => s.put_entries(entities, Expect::Any, actor, None).await)
    }

    /// [`Store::put_entry`] with optimistic concurrency: the write happens
    /// only if the stored state is what `expect` says.
    pub async fn put_entry_expecting(
        &self,
        entity: Entity,
        expect: Expect,
        actor: &str,
    ) -> Result<EntityVersion, StoreError> {
        dispatch!(self, s => s.put_entry(entity, expect, actor, None).await)
    }

    /// [`Store::put_entry_expecting`] and its audit event in **one**
    /// transaction: `audit` builds the event from the version written, and
    /// it is appended to the audit chain before the commit, so no crash
    /// can leave the write without its event (or the event without the
    /// write).
    pub async fn put_entry_audited(
        &self,
        entity: Entity,
        expect: Expect,
        actor: &str,
        audit: impl FnOnce(&EntityVersion) -> AuditEvent + Send,
    ) -> Result<EntityVersion, StoreError> {
        let audit: AuditOf<'_> = Box::new(move |w| w.first().map(audit).into_iter().collect());
        dispatch!(self, s => s.put_entry(entity, expect, actor, Some(audit)).await)
    }

    /// Withdraws an active national entry (kept, with its history): it no
    /// longer screens. `reason` is required.
    pub async fn withdraw_entry(
        &self,
        id: &str,
        actor: &str,
        reason: &str,
    ) -> Result<EntityVersion, StoreError> {
        dispatch!(self, s => s.withdraw_entry(id, Expect::Any, actor, reason, None).await)
    }

    /// [`Store::withdraw_entry`] with optimistic concurrency (`expect`:
    /// the version read).
    pub async fn withdraw_entry_expecting(
        &self,
        id: &str,
        expect: Expect,
        actor: &str,
        reason: &str,
    ) -> Result<EntityVersion, StoreError> {
        dispatch!(self, s => s.withdraw_entry(id, expect, actor, reason, None).await)
    }

    /// [`Store::withdraw_entry`] with optimistic concurrency (`expect`:
    /// the version read) and its audit event in the same transaction, as
    /// [`Store::put_entry_audited`].
    pub async fn withdraw_entry_audited(
        &self,
        id: &str,
        expect: Expect,
        actor: &str,
        reason: &str,
        audit: impl FnOnce(&EntityVersion) -> AuditEvent + Send,
    ) -> Result<EntityVersion, StoreError> {
        let audit: AuditOf<'_> = Box::new(move |w| w.first().map(audit).into_iter().collect());
        dispatch!(self, s => s.withdraw_entry(id, expect, actor, reason, Some(audit)).await)
    }

    /// Appends one event to the audit log; see [`Store::append_audit_batch`].
    pub async fn append_audit(&self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
        let mut records = self.append_audit_batch(&[event]).await?;
        records
            .pop()
            .ok_or_else(|| StoreError::Backend("an append returned no record".into()))
    }

    /// Appends events to the hash-chained audit log in one transaction (a
    /// group commit: one disk flush for the batch), in order. Whatever the
    /// number of writers (tasks, processes, replicas), they form one chain
    /// with contiguous `seq`.
    pub async fn append_audit_batch(
        &self,
        events: &[AuditEvent],
    ) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(self
            .commit_journal(Journal {
                audit: events,
                ..Journal::default()
            })
            .await?
            .audit)
    }

    /// Up to `limit` audit events after `after_seq` (0: from the start), in
    /// order: for export and verification.
    pub async fn audit_records(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        dispatch!(self, s => s.audit_records(after_seq, limit).await)
    }

    /// The last event of the audit log: what a signed checkpoint records.
    pub async fn audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
        let mut last = None;
        let mut after = 0;
        // The head is the highest seq; read it through the ordered pages
        // rather than trusting a MAX() over a possibly tampered table.
        loop {
            let page = self.audit_records(after, AUDIT_PAGE).await?;
            match page.last() {
                Some(r) => {
                    after = r.seq;
                    last = Some(AuditHead {
                        seq: r.seq,
                        hash: r.hash.clone(),
                    });
                }
                None => return Ok(last),
            }
        }
    }

    /// Verifies the whole audit chain; returns the number of events. The
    /// first edited, deleted or reordered event fails it with
    /// [`StoreError::ChainBroken`] naming its `seq`. A forged or truncated
    /// tail is only visible against a head kept outside the database
    /// ([`Store::verify_audit_against`]).
    pub async fn verify_audit(&self) -> Result<u64, StoreError> {
        Ok(self.verify_audit_pages().await?.0)
    }

    /// [`Store::verify_audit`], and the chain must contain `checkpoint`
    /// (a head recorded earlier and kept outside the database) unchanged:
    /// this detects a truncated or rewritten tail.
    pub async fn verify_audit_against(&self, checkpoint: &AuditHead) -> Result<u64, StoreError> {
        let (count, _) = self.verify_audit_pages().await?;
        let at = self.audit_records(checkpoint.seq - 1, 1).await?;
        match at.first() {
            Some(r) if r.seq == checkpoint.seq && r.hash == checkpoint.hash => Ok(count),
            Some(r) if r.seq == checkpoint.seq => Err(StoreError::ChainBroken {
                seq: r.seq,
                reason: "it differs from the signed checkpoint (the chain was rewritten)".into(),
            }),
            _ => Err(StoreError::ChainBroken {
                seq: checkpoint.seq,
                reason: format!(
                    "the checkpoint's event is missing: the log ends at {count} (truncated)"
                ),
            }),
        }
    }

    async fn verify_audit_pages(&self) -> Result<(u64, Option<AuditHead>), StoreError> {
        let mut head: Option<AuditHead> = None;
        let mut count = 0u64;
        loop {
            let after = head.as_ref().map_or(0, |h| h.seq);
            let page = self.audit_records(after, AUDIT_PAGE).await?;
            if page.is_empty() {
                return Ok((count, head));
            }
            count += page.len() as u64;
            head = verify_chain(head.as_ref(), &page)?;
        }
    }

    /// Removes the payloads of audit events older than `before` (retention);
    /// the chain still verifies, over the payload hashes. Returns how many
    /// payloads were removed. Exact to the second: SQLite compares the
    /// RFC 3339 text, whose fraction has no fixed width, so events in the
    /// same second as `before` may fall either side.
    pub async fn purge_audit_payloads(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        dispatch!(self, s => s.purge_audit_payloads(before).await)
    }

    /// A canonical text dump of the entity tables (entities, history,
    /// names, documents, list versions), one row a line in key order: two
    /// dumps are equal iff the stored state is. For consistency checks and
    /// tests; it reads everything, so it is slow on large stores.
    pub async fn dump(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, s => s.dump().await)
    }
}

/// Audit events read per query when walking the chain.
const AUDIT_PAGE: i64 = 10_000;

/// Now, to the microsecond (PostgreSQL's precision), so what a write
/// returns equals what a later read gives.
fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}
