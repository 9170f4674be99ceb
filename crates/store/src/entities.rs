//! Entities: list imports, national entries, their history, the change
//! feed and the list versions.
//!
//! The plain functions at the top decide *what* to write (pure:
//! [`plan_import`], [`check_entry`], the name and document rows); the
//! `impl Store` below reads and writes it, in SQL written once for both
//! backends (`db.rs` runs it on either). [`apply`] is the one writer of
//! entity versions: imports, national entries and federation copies all
//! go through it, so the history, the change feed and the lookups stay in
//! step.

use std::collections::{BTreeMap, HashMap, HashSet};

use tansiq_model::{DocumentKind, Entity, EntryStatus, NameKind};
use time::OffsetDateTime;

use crate::audit::append_audit_tx;
use crate::db::{Tx, Value, built, in_list, insert_rows, sql};
use crate::diff::{Batch, Counts, Diff, changed_fields, delisted, diff, prepare};
use crate::{
    AuditEvent, AuditOf, Change, EntityChange, EntityTimes, EntityVersion, Expect, ImportReport,
    ListVersion, NATIONAL_SOURCE, SourceInfo, Store, StoreError, StoredEntity,
};

/// Rows per multi-row `INSERT`: well under SQLite's 32766 and PostgreSQL's
/// 65535 bound parameters at ten columns a row.
pub(crate) const CHUNK: usize = 500;

/// The stored state of one entity, as the writers need it.
#[derive(Debug)]
pub(crate) struct Current {
    pub version: i64,
    pub active: bool,
    pub entity: Entity,
}

/// One entity version to write.
#[derive(Debug)]
pub(crate) struct Write {
    pub entity: Entity,
    pub version: i64,
    /// Whether a row exists (update) or not (insert).
    pub exists: bool,
    pub change: Change,
    pub changed: Vec<String>,
    pub reason: String,
}

/// Decides the writes of an import from the stored state of the source.
pub(crate) fn plan_import(
    source: &str,
    version: &str,
    batch: &Batch,
    current: &HashMap<String, Current>,
) -> (Diff, Vec<Write>) {
    let mut old_active: Vec<Entity> = current
        .values()
        .filter(|c| c.active)
        .map(|c| c.entity.clone())
        .collect();
    old_active.sort_by(|a, b| a.id.cmp(&b.id));
    let d = diff(&old_active, &batch.entities);
    let new_by_id: HashMap<&str, &Entity> =
        batch.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut writes = Vec::with_capacity(d.added.len() + d.changed.len() + d.removed.len());
    for id in &d.added {
        let prior = current.get(id);
        writes.push(Write {
            entity: new_by_id[id.as_str()].clone(),
            version: prior.map_or(1, |c| c.version + 1),
            exists: prior.is_some(),
            change: Change::Added,
            changed: Vec::new(),
            reason: format!("added in {source} version {version}"),
        });
    }
    for (id, fields) in &d.changed {
        writes.push(Write {
            entity: new_by_id[id.as_str()].clone(),
            version: current[id].version + 1,
            exists: true,
            change: Change::Changed,
            changed: fields.clone(),
            reason: format!("changed in {source} version {version}"),
        });
    }
    for id in &d.removed {
        let c = &current[id];
        writes.push(Write {
            entity: delisted(c.entity.clone()),
            version: c.version + 1,
            exists: true,
            change: Change::Removed,
            changed: vec!["status".to_string()],
            reason: format!("removed in {source} version {version}"),
        });
    }
    (d, writes)
}

/// Checks a national entry before it is written and stamps its source.
pub(crate) fn check_entry(entity: &mut Entity, actor: &str) -> Result<(), StoreError> {
    if entity.id.trim().is_empty() {
        return Err(StoreError::invalid("entity.id", "the id is empty"));
    }
    if actor.trim().is_empty() {
        return Err(StoreError::invalid("actor", "the actor is empty"));
    }
    if !entity.provenance.source.is_empty() && entity.provenance.source != NATIONAL_SOURCE {
        return Err(StoreError::invalid(
            "entity.provenance.source",
            format!(
                "a national entry has source {NATIONAL_SOURCE:?}, not {:?}",
                entity.provenance.source
            ),
        ));
    }
    if entity.status != EntryStatus::Active {
        return Err(StoreError::invalid(
            "entity.status",
            "an entry is written active; use withdraw_entry to withdraw it",
        ));
    }
    entity.provenance.source = NATIONAL_SOURCE.to_string();
    Ok(())
}

/// The conflict for an id that another source holds.
pub(crate) fn foreign_id(id: &str, holder: &str, writer: &str) -> StoreError {
    StoreError::Conflict(format!(
        "entity id {id:?} is held by source {holder:?}, so {writer:?} cannot write it \
         (ids are unique per node)"
    ))
}

pub(crate) fn status_str(status: EntryStatus) -> &'static str {
    match status {
        EntryStatus::Active => "active",
        EntryStatus::Withdrawn => "withdrawn",
    }
}

/// Names kept in `entity_names`: every name with its kind; the name composed
/// from parts when there is no other.
pub(crate) fn name_rows(e: &Entity) -> Vec<(&'static str, String)> {
    let mut rows: Vec<(&'static str, String)> = e
        .names()
        .into_iter()
        .map(|n| {
            let kind = match n.kind {
                NameKind::Primary => "primary",
                NameKind::Alias => "alias",
                NameKind::Weak => "weak",
            };
            (kind, n.value.to_string())
        })
        .collect();
    if rows.is_empty()
        && let Some(composed) = e.composed_name()
    {
        rows.push(("composed", composed));
    }
    rows
}

/// Document numbers kept in `entity_documents`, normalised.
pub(crate) fn document_rows(e: &Entity) -> Vec<(&'static str, String)> {
    e.documents()
        .into_iter()
        .map(|d| {
            let kind = match d.kind {
                DocumentKind::Passport => "passport",
                DocumentKind::NationalId => "national-id",
            };
            (kind, d.number)
        })
        .collect()
}

pub(crate) fn parse_entity(
    table: &'static str,
    key: &str,
    body: &str,
) -> Result<Entity, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

/// An `entity_versions` row as read, with its list version's label (see
/// [`HISTORY_COLUMNS`]); the changed fields and the body are JSON text.
#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    id: String,
    version: i64,
    source: String,
    change: String,
    reason: String,
    actor: String,
    recorded_at: OffsetDateTime,
    list_version: Option<String>,
    changed_props: String,
    body: String,
}

impl TryFrom<HistoryRow> for EntityVersion {
    type Error = StoreError;
    fn try_from(r: HistoryRow) -> Result<EntityVersion, StoreError> {
        let key = format!("{} v{}", r.id, r.version);
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "entity_versions",
            key: key.clone(),
            reason,
        };
        let change = Change::parse(&r.change)
            .ok_or_else(|| corrupt(format!("unknown change {:?}", r.change)))?;
        let changed: Vec<String> = serde_json::from_str(&r.changed_props)
            .map_err(|e| corrupt(format!("changed_props: {e}")))?;
        let entity = parse_entity("entity_versions", &key, &r.body)?;
        Ok(EntityVersion {
            id: r.id,
            version: r.version,
            source: r.source,
            change,
            reason: r.reason,
            actor: r.actor,
            recorded_at: r.recorded_at,
            list_version: r.list_version,
            changed,
            entity,
        })
    }
}

/// The recorded changes of one list version, from its history rows
/// (id, change, changed fields as JSON), sorted by id.
pub(crate) fn diff_from_rows(rows: Vec<(String, String, String)>) -> Result<Diff, StoreError> {
    let mut d = Diff::default();
    for (id, change, changed) in rows {
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "entity_versions",
            key: id.clone(),
            reason,
        };
        match Change::parse(&change) {
            Some(Change::Added) => d.added.push(id),
            Some(Change::Removed) => d.removed.push(id),
            Some(Change::Changed) => {
                let fields: Vec<String> = serde_json::from_str(&changed)
                    .map_err(|e| corrupt(format!("changed_props: {e}")))?;
                d.changed.push((id, fields));
            }
            _ => return Err(corrupt(format!("change {change:?} in a list version"))),
        }
    }
    Ok(d)
}

/// A version as just written (what a read of its history row returns).
pub(crate) fn written_version(
    w: Write,
    actor: &str,
    now: OffsetDateTime,
    list_version: Option<String>,
) -> EntityVersion {
    EntityVersion {
        id: w.entity.id.clone(),
        version: w.version,
        source: w.entity.provenance.source.clone(),
        change: w.change,
        reason: w.reason,
        actor: actor.to_string(),
        recorded_at: now,
        list_version,
        changed: w.changed,
        entity: w.entity,
    }
}

/// Why applying writes failed.
pub(crate) enum ApplyError {
    /// An insert hit an id that exists (held by another source); the ids
    /// of the failing statement.
    Collision(Vec<String>),
    Db(sqlx::Error),
    Store(StoreError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> ApplyError {
        ApplyError::Db(e)
    }
}

/// The tables and columns of [`crate::Store::dump`], in key order.
pub(crate) const DUMP: &[(&str, &[&str], &str)] = &[
    (
        "list_versions",
        &[
            "seq",
            "source",
            "version",
            "imported_at",
            "content_hash",
            "entities",
            "persons",
            "organisations",
            "other",
            "names",
            "added",
            "changed",
            "removed",
        ],
        "seq",
    ),
    (
        "entities",
        &[
            "id",
            "source",
            "schema",
            "status",
            "version",
            "caption",
            "list_seq",
            "updated_at",
            "body",
        ],
        "id",
    ),
    (
        "entity_versions",
        &[
            "id",
            "version",
            "source",
            "change",
            "reason",
            "actor",
            "recorded_at",
            "list_seq",
            "changed_props",
            "body",
        ],
        "id, version",
    ),
    (
        "entity_names",
        &["entity_id", "ord", "kind", "name"],
        "entity_id, ord",
    ),
    (
        "entity_documents",
        &["entity_id", "ord", "kind", "number"],
        "entity_id, ord",
    ),
];

impl Store {
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
        let batch = prepare(source, version, entities)?;
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("source:{source}")).await?;

        let latest: Option<(i64, String, String)> =
            sql("SELECT seq, version, content_hash FROM list_versions \
             WHERE source = $1 ORDER BY seq DESC LIMIT 1")
            .bind(source)
            .fetch_optional(&mut tx)
            .await?;
        let relabelled: Option<(String,)> = sql("SELECT content_hash FROM list_versions \
             WHERE source = $1 AND version = $2 AND content_hash <> $3 LIMIT 1")
        .bind(source)
        .bind(version)
        .bind(&batch.content_hash)
        .fetch_optional(&mut tx)
        .await?;
        if relabelled.is_some() {
            return Err(StoreError::Conflict(format!(
                "version {version:?} of {source:?} was imported before with different \
                 content; give this content a new version label"
            )));
        }
        let c = batch.counts;
        let mut report = ImportReport {
            source: source.to_string(),
            version: version.to_string(),
            previous_version: latest.as_ref().map(|l| l.1.clone()),
            persons: c.persons,
            organisations: c.organisations,
            other: c.other,
            names: c.names,
            added: Vec::new(),
            changed: Vec::new(),
            removed: Vec::new(),
            unchanged: false,
        };
        if let Some((_, latest_version, latest_hash)) = &latest
            && *latest_hash == batch.content_hash
        {
            report.unchanged = true;
            if latest_version == version {
                tx.rollback().await?;
            } else {
                insert_list_version(&mut tx, source, version, &batch, &Diff::default(), now)
                    .await?;
                tx.commit().await?;
            }
            return Ok(report);
        }

        let rows: Vec<(String, String, i64, String)> =
            sql("SELECT id, status, version, CAST(body AS TEXT) FROM entities WHERE source = $1")
                .bind(source)
                .fetch_all(&mut tx)
                .await?;
        let mut current = HashMap::with_capacity(rows.len());
        for (id, status, version, body) in rows {
            let entity = parse_entity("entities", &id, &body)?;
            current.insert(
                id,
                Current {
                    version,
                    active: status == "active",
                    entity,
                },
            );
        }
        let (d, writes) = plan_import(source, version, &batch, &current);
        drop(current);
        let seq = insert_list_version(&mut tx, source, version, &batch, &d, now).await?;
        match apply(&mut tx, &writes, Some(seq), "import", now).await {
            Ok(()) => {}
            Err(ApplyError::Db(e)) => return Err(e.into()),
            Err(ApplyError::Store(e)) => return Err(e),
            Err(ApplyError::Collision(ids)) => {
                let _ = tx.rollback().await;
                return Err(self.explain_collision(&ids, source).await);
            }
        }
        tx.commit().await?;
        report.added = d.added;
        report.changed = d.changed;
        report.removed = d.removed;
        Ok(report)
    }

    /// Finds which id of a failed insert another source holds.
    async fn explain_collision(&self, ids: &[String], source: &str) -> StoreError {
        let mut q = in_list(
            "SELECT id, source FROM entities WHERE id IN ",
            ids.len(),
            " ORDER BY id",
        );
        for id in ids {
            q = q.bind(id);
        }
        let held: Result<Vec<(String, String)>, sqlx::Error> = q.fetch_all(self.reader()).await;
        match held {
            Ok(rows) => match rows.into_iter().find(|(_, s)| s != source) {
                Some((id, holder)) => foreign_id(&id, &holder, source),
                None => StoreError::Conflict(format!(
                    "an entity id of {source:?} was written concurrently by another source"
                )),
            },
            Err(e) => e.into(),
        }
    }

    /// Every active entity of every source, ordered by id: what the
    /// screening index is built from.
    pub async fn active_entities(&self) -> Result<Vec<Entity>, StoreError> {
        let rows: Vec<(String, String)> =
            sql("SELECT id, CAST(body AS TEXT) FROM entities WHERE status = 'active' ORDER BY id")
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|(id, body)| parse_entity("entities", id, body))
            .collect()
    }

    /// [`Store::active_entities`] with each entity's version number, read
    /// in one query (so each number belongs to its content).
    pub async fn active_entities_versioned(&self) -> Result<Vec<(Entity, i64)>, StoreError> {
        let rows: Vec<(String, i64, String)> =
            sql("SELECT id, version, CAST(body AS TEXT) FROM entities \
             WHERE status = 'active' ORDER BY id")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|(id, version, body)| Ok((parse_entity("entities", id, body)?, *version)))
            .collect()
    }

    /// The current version of an entity (active or not).
    pub async fn entity(&self, id: &str) -> Result<Option<Entity>, StoreError> {
        let row: Option<(String,)> = sql("SELECT CAST(body AS TEXT) FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|(body,)| parse_entity("entities", id, &body))
            .transpose()
    }

    /// The current version of an entity with its version number, in one
    /// read (so the number belongs to the content).
    pub async fn entity_record(&self, id: &str) -> Result<Option<StoredEntity>, StoreError> {
        Ok(self.stored_entities(Column::Id, id).await?.pop())
    }

    /// Every entity of one source (active and withdrawn), by id, with
    /// version numbers: e.g. the national entries, without loading the
    /// lists.
    pub async fn source_entities(&self, source: &str) -> Result<Vec<StoredEntity>, StoreError> {
        self.stored_entities(Column::Source, source).await
    }

    async fn stored_entities(
        &self,
        by: Column,
        key: &str,
    ) -> Result<Vec<StoredEntity>, StoreError> {
        let column = match by {
            Column::Id => "id",
            Column::Source => "source",
        };
        let rows: Vec<(String, i64, OffsetDateTime, String)> = built(format!(
            "SELECT id, version, updated_at, CAST(body AS TEXT) FROM entities \
             WHERE {column} = $1 ORDER BY id"
        ))
        .bind(key)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(id, version, updated_at, body)| {
                Ok(StoredEntity {
                    entity: parse_entity("entities", &id, &body)?,
                    version,
                    updated_at,
                })
            })
            .collect()
    }

    /// Every version of an entity, oldest first (empty when unknown).
    pub async fn entity_history(&self, id: &str) -> Result<Vec<EntityVersion>, StoreError> {
        let rows: Vec<HistoryRow> = built(format!(
            "SELECT {HISTORY_COLUMNS} WHERE v.id = $1 ORDER BY v.version"
        ))
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(EntityVersion::try_from).collect()
    }

    /// When each of `ids` was first written and last changed (its first
    /// and latest versions' times), in one read per few hundred ids; an
    /// unknown id is absent from the answer.
    pub async fn entity_times(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, EntityTimes>, StoreError> {
        let mut out: HashMap<String, EntityTimes> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut q = in_list(
                "SELECT id, recorded_at FROM entity_versions WHERE id IN ",
                chunk.len(),
                " ORDER BY id, version",
            );
            for id in chunk {
                q = q.bind(id);
            }
            let rows: Vec<(String, OffsetDateTime)> = q.fetch_all(self.reader()).await?;
            for (id, at) in rows {
                out.entry(id)
                    .and_modify(|t| t.last_change = at)
                    .or_insert(EntityTimes {
                        first_seen: at,
                        last_change: at,
                    });
            }
        }
        Ok(out)
    }

    /// Every imported version of a list, oldest first.
    pub async fn list_versions(&self, source: &str) -> Result<Vec<ListVersion>, StoreError> {
        let rows: Vec<ListVersionRow> = sql(
            "SELECT seq, source, version, imported_at, content_hash, entities, persons, \
             organisations, other, names, added, changed, removed \
             FROM list_versions WHERE source = $1 ORDER BY seq",
        )
        .bind(source)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(ListVersion::from).collect())
    }

    /// What a list version added, changed and removed, as recorded when it
    /// was imported (the latest import under that label; empty when its
    /// content equalled the version before).
    pub async fn list_version_changes(
        &self,
        source: &str,
        version: &str,
    ) -> Result<Diff, StoreError> {
        let seq: Option<(i64,)> = sql(
            "SELECT MAX(seq) FROM list_versions WHERE source = $1 AND version = $2 \
             HAVING COUNT(*) > 0",
        )
        .bind(source)
        .bind(version)
        .fetch_optional(self.reader())
        .await?;
        let Some((seq,)) = seq else {
            return Err(StoreError::not_found(format!(
                "version {version:?} of list {source:?}"
            )));
        };
        let rows: Vec<(String, String, String)> = sql(
            "SELECT id, change, CAST(changed_props AS TEXT) FROM entity_versions \
             WHERE list_seq = $1 ORDER BY id",
        )
        .bind(seq)
        .fetch_all(self.reader())
        .await?;
        diff_from_rows(rows)
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
        let rows: Vec<(i64, String, i64, String, String)> = sql(
            "SELECT c.seq, c.id, c.version, v.change, CAST(v.body AS TEXT) \
             FROM entity_changes c JOIN entity_versions v \
             ON v.id = c.id AND v.version = c.version \
             WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(seq, id, version, change, body)| {
                let key = format!("{id} v{version}");
                let change = Change::parse(&change).ok_or_else(|| StoreError::Corrupt {
                    table: "entity_versions",
                    key: key.clone(),
                    reason: format!("unknown change {change:?}"),
                })?;
                let entity = parse_entity("entity_versions", &key, &body)?;
                Ok(EntityChange {
                    seq,
                    version,
                    change,
                    entity,
                })
            })
            .collect()
    }

    /// The last position of the change feed (0 when empty). Read it before
    /// [`Store::active_entities`] and then follow [`Store::changes_since`]
    /// from it: changes in between are applied twice, which is harmless.
    pub async fn change_head(&self) -> Result<i64, StoreError> {
        let (head,): (i64,) =
            sql("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM entity_changes")
                .fetch_one(self.reader())
                .await?;
        Ok(head)
    }

    /// Every source with entities or list versions, by name.
    pub async fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let counts: Vec<(String, i64, i64)> = sql(
            "SELECT source, CAST(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(COUNT(*) AS BIGINT) FROM entities GROUP BY source",
        )
        .fetch_all(self.reader())
        .await?;
        let latest: Vec<(String, String, OffsetDateTime)> = sql(
            "SELECT l.source, l.version, l.imported_at FROM list_versions l \
             WHERE l.seq = (SELECT MAX(m.seq) FROM list_versions m WHERE m.source = l.source)",
        )
        .fetch_all(self.reader())
        .await?;
        let mut out: BTreeMap<String, SourceInfo> = BTreeMap::new();
        for (source, active, total) in counts {
            out.insert(
                source.clone(),
                SourceInfo {
                    source,
                    version: None,
                    imported_at: None,
                    active: count(active),
                    total: count(total),
                },
            );
        }
        for (source, version, at) in latest {
            let info = out.entry(source.clone()).or_insert(SourceInfo {
                source,
                version: None,
                imported_at: None,
                active: 0,
                total: 0,
            });
            info.version = Some(version);
            info.imported_at = Some(at);
        }
        Ok(out.into_values().collect())
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
        self.write_entries(entities, Expect::Any, actor, None).await
    }

    /// [`Store::put_entry`] with optimistic concurrency: the write happens
    /// only if the stored state is what `expect` says.
    pub async fn put_entry_expecting(
        &self,
        entity: Entity,
        expect: Expect,
        actor: &str,
    ) -> Result<EntityVersion, StoreError> {
        let mut written = self
            .write_entries(vec![entity], expect, actor, None)
            .await?;
        Ok(written.remove(0))
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
        let mut written = self
            .write_entries(vec![entity], expect, actor, Some(audit))
            .await?;
        Ok(written.remove(0))
    }

    /// Writes several national entries in one transaction: all of them or
    /// none, with the audit events `audit` builds from the versions written.
    /// An entry equal to its stored version is not written again (its
    /// current version is returned).
    async fn write_entries(
        &self,
        mut entities: Vec<Entity>,
        expect: Expect,
        actor: &str,
        audit: Option<AuditOf<'_>>,
    ) -> Result<Vec<EntityVersion>, StoreError> {
        let mut seen = HashSet::new();
        for entity in &mut entities {
            check_entry(entity, actor)?;
            if !seen.insert(entity.id.clone()) {
                return Err(StoreError::invalid(
                    "entity.id",
                    format!("the id {:?} appears twice in one write", entity.id),
                ));
            }
        }
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(entities.len());
        for entity in entities {
            tx.lock(&format!("entity:{}", entity.id)).await?;
            let row: Option<(String, i64, String)> =
                sql("SELECT source, version, CAST(body AS TEXT) FROM entities WHERE id = $1")
                    .bind(&entity.id)
                    .fetch_optional(&mut tx)
                    .await?;
            let id = entity.id.clone();
            let prior = match row {
                Some((source, _, _)) if source != NATIONAL_SOURCE => {
                    return Err(foreign_id(&id, &source, NATIONAL_SOURCE));
                }
                Some((_, version, body)) => Some((version, parse_entity("entities", &id, &body)?)),
                None => None,
            };
            match (expect, &prior) {
                (Expect::New, Some((v, _))) => {
                    return Err(StoreError::Conflict(format!(
                        "entry {id:?} exists (version {v}); expected a new entry"
                    )));
                }
                (Expect::Version(_), None) => {
                    return Err(StoreError::not_found(format!("entry {id:?}")));
                }
                (Expect::Version(want), Some((v, _))) if *v != want => {
                    return Err(StoreError::Conflict(format!(
                        "entry {id:?} is at version {v}, not the expected {want}: \
                         it was changed meanwhile"
                    )));
                }
                _ => {}
            }
            let write = match prior {
                Some((version, old)) if old == entity => {
                    out.push(history_at(&mut tx, &id, version).await?);
                    continue;
                }
                Some((version, old)) => Write {
                    changed: changed_fields(&old, &entity),
                    entity,
                    version: version + 1,
                    exists: true,
                    change: Change::Updated,
                    reason: "updated".to_string(),
                },
                None => Write {
                    entity,
                    version: 1,
                    exists: false,
                    change: Change::Created,
                    changed: Vec::new(),
                    reason: "created".to_string(),
                },
            };
            match apply(&mut tx, std::slice::from_ref(&write), None, actor, now).await {
                Ok(()) => {}
                Err(ApplyError::Db(e)) => return Err(e.into()),
                Err(ApplyError::Store(e)) => return Err(e),
                Err(ApplyError::Collision(_)) => {
                    let _ = tx.rollback().await;
                    return Err(StoreError::Conflict(format!(
                        "entity id {id:?} was created concurrently"
                    )));
                }
            }
            out.push(written_version(write, actor, now, None));
        }
        if let Some(audit) = audit {
            append_audit_tx(&mut tx, &audit(&out)).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Withdraws an active national entry (kept, with its history): it no
    /// longer screens. `reason` is required.
    pub async fn withdraw_entry(
        &self,
        id: &str,
        actor: &str,
        reason: &str,
    ) -> Result<EntityVersion, StoreError> {
        self.withdraw(id, Expect::Any, actor, reason, None).await
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
        self.withdraw(id, expect, actor, reason, None).await
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
        self.withdraw(id, expect, actor, reason, Some(audit)).await
    }

    async fn withdraw(
        &self,
        id: &str,
        expect: Expect,
        actor: &str,
        reason: &str,
        audit: Option<AuditOf<'_>>,
    ) -> Result<EntityVersion, StoreError> {
        if actor.trim().is_empty() {
            return Err(StoreError::invalid("actor", "the actor is empty"));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "a withdrawal needs a reason"));
        }
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("entity:{id}")).await?;
        let row: Option<(String, String, i64, String)> =
            sql("SELECT source, status, version, CAST(body AS TEXT) FROM entities WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut tx)
                .await?;
        let Some((source, status, version, body)) = row else {
            return Err(StoreError::not_found(format!("entry {id:?}")));
        };
        if source != NATIONAL_SOURCE {
            return Err(StoreError::Conflict(format!(
                "entity {id:?} comes from list {source:?}; list entities change only by import"
            )));
        }
        if status != "active" {
            return Err(StoreError::Conflict(format!(
                "entry {id:?} is already withdrawn"
            )));
        }
        match expect {
            Expect::Version(want) if want != version => {
                return Err(StoreError::Conflict(format!(
                    "entry {id:?} is at version {version}, not the expected {want}: \
                     it was changed meanwhile"
                )));
            }
            Expect::New => {
                return Err(StoreError::Conflict(format!(
                    "entry {id:?} exists (version {version}); expected a new entry"
                )));
            }
            _ => {}
        }
        let mut entity = parse_entity("entities", id, &body)?;
        entity.status = EntryStatus::Withdrawn;
        let write = Write {
            entity,
            version: version + 1,
            exists: true,
            change: Change::Withdrawn,
            changed: vec!["status".to_string()],
            reason: reason.trim().to_string(),
        };
        match apply(&mut tx, std::slice::from_ref(&write), None, actor, now).await {
            Ok(()) => {}
            Err(ApplyError::Db(e)) => return Err(e.into()),
            Err(ApplyError::Store(e)) => return Err(e),
            Err(ApplyError::Collision(_)) => {
                return Err(StoreError::Conflict(format!(
                    "entry {id:?} changed concurrently"
                )));
            }
        }
        let written = written_version(write, actor, now, None);
        if let Some(audit) = audit {
            append_audit_tx(&mut tx, &audit(std::slice::from_ref(&written))).await?;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// A canonical text dump of the entity tables (entities, history,
    /// names, documents, list versions), one row a line in key order: two
    /// dumps are equal iff the stored state is. For consistency checks and
    /// tests; it reads everything, so it is slow on large stores.
    pub async fn dump(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for (table, columns, order) in DUMP {
            // Each row as one text: ` | value` per column, `NULL` for none.
            let line: Vec<String> = columns
                .iter()
                .map(|c| format!("' | ' || COALESCE(CAST({c} AS TEXT), 'NULL')"))
                .collect();
            let rows: Vec<(String,)> = built(format!(
                "SELECT {} FROM {table} ORDER BY {order}",
                line.join(" || ")
            ))
            .fetch_all(self.reader())
            .await?;
            out.extend(rows.into_iter().map(|(row,)| format!("{table}:{row}")));
        }
        Ok(out)
    }
}

/// Which column [`Store::stored_entities`] selects by.
#[derive(Clone, Copy, Debug)]
enum Column {
    Id,
    Source,
}

/// A count as stored (`BIGINT`), as a `usize`.
fn count(x: i64) -> usize {
    usize::try_from(x).unwrap_or(0)
}

/// A count as a `BIGINT`.
fn bigint(x: usize) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

/// A `list_versions` row.
#[derive(sqlx::FromRow)]
struct ListVersionRow {
    seq: i64,
    source: String,
    version: String,
    imported_at: OffsetDateTime,
    content_hash: String,
    entities: i64,
    persons: i64,
    organisations: i64,
    other: i64,
    names: i64,
    added: i64,
    changed: i64,
    removed: i64,
}

impl From<ListVersionRow> for ListVersion {
    fn from(r: ListVersionRow) -> ListVersion {
        ListVersion {
            seq: r.seq,
            source: r.source,
            version: r.version,
            imported_at: r.imported_at,
            content_hash: r.content_hash,
            counts: Counts {
                entities: count(r.entities),
                persons: count(r.persons),
                organisations: count(r.organisations),
                other: count(r.other),
                names: count(r.names),
            },
            added: count(r.added),
            changed: count(r.changed),
            removed: count(r.removed),
        }
    }
}

async fn insert_list_version(
    tx: &mut Tx,
    source: &str,
    version: &str,
    batch: &Batch,
    d: &Diff,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    let c = batch.counts;
    let (seq,): (i64,) = sql(
        "INSERT INTO list_versions (source, version, imported_at, content_hash, \
         entities, persons, organisations, other, names, added, changed, removed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq",
    )
    .bind(source)
    .bind(version)
    .bind(now)
    .bind(&batch.content_hash)
    .bind(bigint(c.entities))
    .bind(bigint(c.persons))
    .bind(bigint(c.organisations))
    .bind(bigint(c.other))
    .bind(bigint(c.names))
    .bind(bigint(d.added.len()))
    .bind(bigint(d.changed.len()))
    .bind(bigint(d.removed.len()))
    .fetch_one(&mut *tx)
    .await?;
    Ok(seq)
}

/// Writes entity versions inside `tx`: updates, then inserts, then history
/// rows, then the change feed, then the derived name and document rows.
pub(crate) async fn apply(
    tx: &mut Tx,
    writes: &[Write],
    list_seq: Option<i64>,
    actor: &str,
    now: OffsetDateTime,
) -> Result<(), ApplyError> {
    for w in writes.iter().filter(|w| w.exists) {
        sql(
            "UPDATE entities SET schema = $2, status = $3, version = $4, caption = $5, \
             list_seq = $6, updated_at = $7, body = $8 WHERE id = $1",
        )
        .bind(&w.entity.id)
        .bind(w.entity.schema.as_str())
        .bind(status_str(w.entity.status))
        .bind(w.version)
        .bind(w.entity.caption())
        .bind(list_seq)
        .bind(now)
        .bind(Value::json(&w.entity))
        .execute(&mut *tx)
        .await?;
    }
    let inserts: Vec<&Write> = writes.iter().filter(|w| !w.exists).collect();
    for chunk in inserts.chunks(CHUNK) {
        let mut q = insert_rows(
            "INSERT INTO entities (id, source, schema, status, version, caption, list_seq, \
             updated_at, body) VALUES ",
            chunk.len(),
            9,
        );
        for w in chunk {
            q = q
                .bind(&w.entity.id)
                .bind(&w.entity.provenance.source)
                .bind(w.entity.schema.as_str())
                .bind(status_str(w.entity.status))
                .bind(w.version)
                .bind(w.entity.caption())
                .bind(list_seq)
                .bind(now)
                .bind(Value::json(&w.entity));
        }
        if let Err(e) = q.execute(&mut *tx).await {
            let unique = matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation());
            return Err(if unique {
                ApplyError::Collision(chunk.iter().map(|w| w.entity.id.clone()).collect())
            } else {
                ApplyError::Db(e)
            });
        }
    }
    for chunk in writes.chunks(CHUNK) {
        let mut q = insert_rows(
            "INSERT INTO entity_versions (id, version, source, change, reason, actor, \
             recorded_at, list_seq, changed_props, body) VALUES ",
            chunk.len(),
            10,
        );
        for w in chunk {
            q = q
                .bind(&w.entity.id)
                .bind(w.version)
                .bind(&w.entity.provenance.source)
                .bind(w.change.as_str())
                .bind(&w.reason)
                .bind(actor)
                .bind(now)
                .bind(list_seq)
                .bind(Value::json(&w.changed))
                .bind(Value::json(&w.entity));
        }
        q.execute(&mut *tx).await?;
    }
    // The change feed: one row per version, numbered in commit order
    // (writers serialise on the "changes" lock, taken last so it is held
    // only to the commit).
    tx.lock("changes").await.map_err(ApplyError::Store)?;
    let (head,): (i64,) = sql("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM entity_changes")
        .fetch_one(&mut *tx)
        .await?;
    for (i, chunk) in writes.chunks(CHUNK).enumerate() {
        let first = head + 1 + (i * CHUNK) as i64;
        let mut q = insert_rows(
            "INSERT INTO entity_changes (seq, id, version) VALUES ",
            chunk.len(),
            3,
        );
        for (w, seq) in chunk.iter().zip(first..) {
            q = q.bind(seq).bind(&w.entity.id).bind(w.version);
        }
        q.execute(&mut *tx).await?;
    }
    if !writes.is_empty() {
        tx.notify_changes(head + writes.len() as i64)
            .await
            .map_err(ApplyError::Store)?;
    }
    // Removed entities keep the names and documents they had.
    let live: Vec<&Write> = writes
        .iter()
        .filter(|w| w.change != Change::Removed && w.change != Change::Withdrawn)
        .collect();
    for w in live.iter().filter(|w| w.exists) {
        for delete in [
            "DELETE FROM entity_names WHERE entity_id = $1",
            "DELETE FROM entity_documents WHERE entity_id = $1",
        ] {
            sql(delete).bind(&w.entity.id).execute(&mut *tx).await?;
        }
    }
    let names: Vec<(&str, i64, &str, String)> = live
        .iter()
        .flat_map(|w| {
            name_rows(&w.entity)
                .into_iter()
                .zip(0i64..)
                .map(|((kind, name), ord)| (w.entity.id.as_str(), ord, kind, name))
        })
        .collect();
    let documents: Vec<(&str, i64, &str, String)> = live
        .iter()
        .flat_map(|w| {
            document_rows(&w.entity)
                .into_iter()
                .zip(0i64..)
                .map(|((kind, number), ord)| (w.entity.id.as_str(), ord, kind, number))
        })
        .collect();
    for (table, column, rows) in [
        ("entity_names", "name", &names),
        ("entity_documents", "number", &documents),
    ] {
        for chunk in rows.chunks(CHUNK) {
            let mut q = insert_rows(
                format!("INSERT INTO {table} (entity_id, ord, kind, {column}) VALUES "),
                chunk.len(),
                4,
            );
            for (id, ord, kind, value) in chunk {
                q = q.bind(*id).bind(*ord).bind(*kind).bind(value);
            }
            q.execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// The columns of an entity version as [`HistoryRow`] reads them, with
/// the `FROM` clause (the list version's label joined in).
const HISTORY_COLUMNS: &str = "v.id, v.version, v.source, v.change, v.reason, v.actor, \
     v.recorded_at, l.version AS list_version, CAST(v.changed_props AS TEXT) AS changed_props, \
     CAST(v.body AS TEXT) AS body \
     FROM entity_versions v LEFT JOIN list_versions l ON l.seq = v.list_seq";

async fn history_at(tx: &mut Tx, id: &str, version: i64) -> Result<EntityVersion, StoreError> {
    let row: HistoryRow = built(format!(
        "SELECT {HISTORY_COLUMNS} WHERE v.id = $1 AND v.version = $2"
    ))
    .bind(id)
    .bind(version)
    .fetch_one(&mut *tx)
    .await?;
    row.try_into()
}
