//! The store's logic, written once for both backends.
//!
//! The plain functions here decide *what* to write (pure); the
//! [`impl_backend!`] macro expands the same SQL-executing methods for
//! [`crate::SqliteStore`] and [`crate::PgStore`], whose connection types
//! differ but whose SQL does not. Each backend supplies `writer()`,
//! `reader()`, `begin_write()` and `lock()`.

use std::collections::HashMap;

use tansiq_model::{DocumentKind, Entity, EntryStatus, NameKind};
use time::OffsetDateTime;

use crate::diff::{Batch, Diff, delisted, diff};
use crate::{Change, EntityVersion, NATIONAL_SOURCE, StoreError};

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

/// A history row as read: id, version, source, change, reason, actor,
/// recorded_at, list version, changed fields (JSON), body (JSON).
pub(crate) type HistoryRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    OffsetDateTime,
    Option<String>,
    String,
    String,
);

pub(crate) fn history_from_row(row: HistoryRow) -> Result<EntityVersion, StoreError> {
    let (id, version, source, change, reason, actor, recorded_at, list_version, changed, body) =
        row;
    let key = format!("{id} v{version}");
    let corrupt = |reason: String| StoreError::Corrupt {
        table: "entity_versions",
        key: key.clone(),
        reason,
    };
    let change =
        Change::parse(&change).ok_or_else(|| corrupt(format!("unknown change {change:?}")))?;
    let changed: Vec<String> =
        serde_json::from_str(&changed).map_err(|e| corrupt(format!("changed_props: {e}")))?;
    let entity = parse_entity("entity_versions", &key, &body)?;
    Ok(EntityVersion {
        id,
        version,
        source,
        change,
        reason,
        actor,
        recorded_at,
        list_version,
        changed,
        entity,
    })
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

macro_rules! impl_backend {
    ($store:ident, $db:ident) => {
        impl $store {
            pub(crate) async fn import_list(
                &self,
                source: &str,
                version: &str,
                entities: Vec<tansiq_model::Entity>,
            ) -> Result<crate::ImportReport, crate::StoreError> {
                use crate::backend::*;
                let batch = crate::diff::prepare(source, version, entities)?;
                let now = crate::now();
                let mut tx = self.begin_write().await?;
                Self::lock(&mut tx, &format!("source:{source}")).await?;

                let latest: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT seq, version, content_hash FROM list_versions \
                     WHERE source = $1 ORDER BY seq DESC LIMIT 1",
                )
                .bind(source)
                .fetch_optional(&mut *tx)
                .await?;
                let relabelled: Option<(String,)> = sqlx::query_as(
                    "SELECT content_hash FROM list_versions \
                     WHERE source = $1 AND version = $2 AND content_hash <> $3 LIMIT 1",
                )
                .bind(source)
                .bind(version)
                .bind(&batch.content_hash)
                .fetch_optional(&mut *tx)
                .await?;
                if relabelled.is_some() {
                    return Err(crate::StoreError::Conflict(format!(
                        "version {version:?} of {source:?} was imported before with different \
                         content; give this content a new version label"
                    )));
                }
                let c = batch.counts;
                let mut report = crate::ImportReport {
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
                        Self::insert_list_version(&mut tx, source, version, &batch, &Default::default(), now)
                            .await?;
                        tx.commit().await?;
                    }
                    return Ok(report);
                }

                let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
                    "SELECT id, status, version, CAST(body AS TEXT) FROM entities WHERE source = $1",
                )
                .bind(source)
                .fetch_all(&mut *tx)
                .await?;
                let mut current = std::collections::HashMap::with_capacity(rows.len());
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
                let seq =
                    Self::insert_list_version(&mut tx, source, version, &batch, &d, now).await?;
                match Self::apply(&mut tx, &writes, Some(seq), "import", now).await {
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

            async fn insert_list_version(
                tx: &mut sqlx::Transaction<'static, sqlx::$db>,
                source: &str,
                version: &str,
                batch: &crate::diff::Batch,
                d: &crate::Diff,
                now: time::OffsetDateTime,
            ) -> Result<i64, sqlx::Error> {
                let c = batch.counts;
                let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
                let (seq,): (i64,) = sqlx::query_as(
                    "INSERT INTO list_versions (source, version, imported_at, content_hash, \
                     entities, persons, organisations, other, names, added, changed, removed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq",
                )
                .bind(source)
                .bind(version)
                .bind(now)
                .bind(&batch.content_hash)
                .bind(n(c.entities))
                .bind(n(c.persons))
                .bind(n(c.organisations))
                .bind(n(c.other))
                .bind(n(c.names))
                .bind(n(d.added.len()))
                .bind(n(d.changed.len()))
                .bind(n(d.removed.len()))
                .fetch_one(&mut **tx)
                .await?;
                Ok(seq)
            }

            /// Writes entity versions: updates, then inserts, then history
            /// rows, then the derived name and document rows.
            async fn apply(
                tx: &mut sqlx::Transaction<'static, sqlx::$db>,
                writes: &[crate::backend::Write],
                list_seq: Option<i64>,
                actor: &str,
                now: time::OffsetDateTime,
            ) -> Result<(), crate::backend::ApplyError> {
                use crate::backend::*;
                use sqlx::types::Json;
                for w in writes.iter().filter(|w| w.exists) {
                    sqlx::query(
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
                    .bind(Json(&w.entity))
                    .execute(&mut **tx)
                    .await?;
                }
                let inserts: Vec<&Write> = writes.iter().filter(|w| !w.exists).collect();
                for chunk in inserts.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::<sqlx::$db>::new(
                        "INSERT INTO entities (id, source, schema, status, version, caption, \
                         list_seq, updated_at, body) ",
                    );
                    q.push_values(chunk, |mut b, w| {
                        b.push_bind(&w.entity.id)
                            .push_bind(&w.entity.provenance.source)
                            .push_bind(w.entity.schema.as_str())
                            .push_bind(status_str(w.entity.status))
                            .push_bind(w.version)
                            .push_bind(w.entity.caption())
                            .push_bind(list_seq)
                            .push_bind(now)
                            .push_bind(Json(&w.entity));
                    });
                    if let Err(e) = q.build().execute(&mut **tx).await {
                        let unique = matches!(&e, sqlx::Error::Database(db) if db.is_unique_violation());
                        return Err(if unique {
                            ApplyError::Collision(chunk.iter().map(|w| w.entity.id.clone()).collect())
                        } else {
                            ApplyError::Db(e)
                        });
                    }
                }
                for chunk in writes.chunks(CHUNK) {
                    let mut q = sqlx::QueryBuilder::<sqlx::$db>::new(
                        "INSERT INTO entity_versions (id, version, source, change, reason, actor, \
                         recorded_at, list_seq, changed_props, body) ",
                    );
                    q.push_values(chunk, |mut b, w| {
                        b.push_bind(&w.entity.id)
                            .push_bind(w.version)
                            .push_bind(&w.entity.provenance.source)
                            .push_bind(w.change.as_str())
                            .push_bind(&w.reason)
                            .push_bind(actor)
                            .push_bind(now)
                            .push_bind(list_seq)
                            .push_bind(Json(&w.changed))
                            .push_bind(Json(&w.entity));
                    });
                    q.build().execute(&mut **tx).await?;
                }
                // The change feed: one row per version, numbered in commit
                // order (writers serialise on the "changes" lock, taken
                // last so it is held only to the commit).
                Self::lock(tx, "changes").await.map_err(ApplyError::Store)?;
                let (head,): (i64,) =
                    sqlx::query_as("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM entity_changes")
                        .fetch_one(&mut **tx)
                        .await?;
                for (i, chunk) in writes.chunks(CHUNK).enumerate() {
                    let first = head + 1 + (i * CHUNK) as i64;
                    let mut q = sqlx::QueryBuilder::<sqlx::$db>::new(
                        "INSERT INTO entity_changes (seq, id, version) ",
                    );
                    q.push_values(chunk.iter().zip(first..), |mut b, (w, seq)| {
                        b.push_bind(seq).push_bind(&w.entity.id).push_bind(w.version);
                    });
                    q.build().execute(&mut **tx).await?;
                }
                if !writes.is_empty() {
                    Self::notify_changes(tx, head + writes.len() as i64)
                        .await
                        .map_err(ApplyError::Store)?;
                }
                // Removed entities keep the names and documents they had.
                let live: Vec<&Write> = writes
                    .iter()
                    .filter(|w| w.change != crate::Change::Removed && w.change != crate::Change::Withdrawn)
                    .collect();
                for w in live.iter().filter(|w| w.exists) {
                    for table in ["entity_names", "entity_documents"] {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DELETE FROM {table} WHERE entity_id = $1"
                        )))
                        .bind(&w.entity.id)
                        .execute(&mut **tx)
                        .await?;
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
                        let mut q = sqlx::QueryBuilder::<sqlx::$db>::new(format!(
                            "INSERT INTO {table} (entity_id, ord, kind, {column}) "
                        ));
                        q.push_values(chunk, |mut b, (id, ord, kind, value)| {
                            b.push_bind(*id).push_bind(*ord).push_bind(*kind).push_bind(value);
                        });
                        q.build().execute(&mut **tx).await?;
                    }
                }
                Ok(())
            }

            /// Finds which id of a failed insert another source holds.
            async fn explain_collision(&self, ids: &[String], source: &str) -> crate::StoreError {
                let mut q = sqlx::QueryBuilder::<sqlx::$db>::new(
                    "SELECT id, source FROM entities WHERE id IN (",
                );
                let mut list = q.separated(", ");
                for id in ids {
                    list.push_bind(id);
                }
                q.push(") ORDER BY id");
                let held: Result<Vec<(String, String)>, sqlx::Error> =
                    q.build_query_as().fetch_all(self.reader()).await;
                match held {
                    Ok(rows) => match rows.into_iter().find(|(_, s)| s != source) {
                        Some((id, holder)) => crate::backend::foreign_id(&id, &holder, source),
                        None => crate::StoreError::Conflict(format!(
                            "an entity id of {source:?} was written concurrently by another source"
                        )),
                    },
                    Err(e) => e.into(),
                }
            }

            pub(crate) async fn active_entities(
                &self,
            ) -> Result<Vec<tansiq_model::Entity>, crate::StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT id, CAST(body AS TEXT) FROM entities WHERE status = 'active' ORDER BY id",
                )
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|(id, body)| crate::backend::parse_entity("entities", id, body))
                    .collect()
            }

            pub(crate) async fn active_entities_versioned(
                &self,
            ) -> Result<Vec<(tansiq_model::Entity, i64)>, crate::StoreError> {
                let rows: Vec<(String, i64, String)> = sqlx::query_as(
                    "SELECT id, version, CAST(body AS TEXT) FROM entities \
                     WHERE status = 'active' ORDER BY id",
                )
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|(id, version, body)| {
                        Ok((crate::backend::parse_entity("entities", id, body)?, *version))
                    })
                    .collect()
            }

            pub(crate) async fn entity(
                &self,
                id: &str,
            ) -> Result<Option<tansiq_model::Entity>, crate::StoreError> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT CAST(body AS TEXT) FROM entities WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.reader())
                        .await?;
                row.map(|(body,)| crate::backend::parse_entity("entities", id, &body))
                    .transpose()
            }

            pub(crate) async fn stored_entities(
                &self,
                by: &str,
                key: &str,
            ) -> Result<Vec<crate::StoredEntity>, crate::StoreError> {
                // `by` is one of two fixed column names, never caller input.
                let column = if by == "id" { "id" } else { "source" };
                let rows: Vec<(String, i64, time::OffsetDateTime, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT id, version, updated_at, CAST(body AS TEXT) FROM entities \
                         WHERE {column} = $1 ORDER BY id"
                    )))
                    .bind(key)
                    .fetch_all(self.reader())
                    .await?;
                rows.into_iter()
                    .map(|(id, version, updated_at, body)| {
                        Ok(crate::StoredEntity {
                            entity: crate::backend::parse_entity("entities", &id, &body)?,
                            version,
                            updated_at,
                        })
                    })
                    .collect()
            }

            pub(crate) async fn entity_history(
                &self,
                id: &str,
            ) -> Result<Vec<crate::EntityVersion>, crate::StoreError> {
                let rows: Vec<crate::backend::HistoryRow> = sqlx::query_as(
                    "SELECT v.id, v.version, v.source, v.change, v.reason, v.actor, v.recorded_at, \
                     l.version, CAST(v.changed_props AS TEXT), CAST(v.body AS TEXT) \
                     FROM entity_versions v LEFT JOIN list_versions l ON l.seq = v.list_seq \
                     WHERE v.id = $1 ORDER BY v.version",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await?;
                rows.into_iter().map(crate::backend::history_from_row).collect()
            }

            pub(crate) async fn entity_times(
                &self,
                ids: &[String],
            ) -> Result<Vec<(String, time::OffsetDateTime, time::OffsetDateTime)>, crate::StoreError>
            {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(crate::backend::CHUNK) {
                    // `$1, $2, …`: only numbered placeholders, never input.
                    let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                    let sql = format!(
                        "SELECT id, recorded_at FROM entity_versions WHERE id IN ({}) \
                         ORDER BY id, version",
                        marks.join(", ")
                    );
                    let mut q = sqlx::query_as::<_, (String, time::OffsetDateTime)>(
                        sqlx::AssertSqlSafe(sql),
                    );
                    for id in chunk {
                        q = q.bind(id);
                    }
                    let rows = q.fetch_all(self.reader()).await?;
                    for (id, at) in rows {
                        match out.last_mut() {
                            Some((last, _, newest)) if *last == id => *newest = at,
                            _ => out.push((id, at, at)),
                        }
                    }
                }
                Ok(out)
            }

            pub(crate) async fn list_versions(
                &self,
                source: &str,
            ) -> Result<Vec<crate::ListVersion>, crate::StoreError> {
                #[allow(clippy::type_complexity)]
                let rows: Vec<(
                    i64,
                    String,
                    String,
                    time::OffsetDateTime,
                    String,
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                )> = sqlx::query_as(
                    "SELECT seq, source, version, imported_at, content_hash, entities, persons, \
                     organisations, other, names, added, changed, removed \
                     FROM list_versions WHERE source = $1 ORDER BY seq",
                )
                .bind(source)
                .fetch_all(self.reader())
                .await?;
                let n = |x: i64| usize::try_from(x).unwrap_or(0);
                Ok(rows
                    .into_iter()
                    .map(|r| crate::ListVersion {
                        seq: r.0,
                        source: r.1,
                        version: r.2,
                        imported_at: r.3,
                        content_hash: r.4,
                        counts: crate::Counts {
                            entities: n(r.5),
                            persons: n(r.6),
                            organisations: n(r.7),
                            other: n(r.8),
                            names: n(r.9),
                        },
                        added: n(r.10),
                        changed: n(r.11),
                        removed: n(r.12),
                    })
                    .collect())
            }

            pub(crate) async fn list_version_changes(
                &self,
                source: &str,
                version: &str,
            ) -> Result<crate::Diff, crate::StoreError> {
                let seq: Option<(i64,)> = sqlx::query_as(
                    "SELECT MAX(seq) FROM list_versions WHERE source = $1 AND version = $2 \
                     HAVING COUNT(*) > 0",
                )
                .bind(source)
                .bind(version)
                .fetch_optional(self.reader())
                .await?;
                let Some((seq,)) = seq else {
                    return Err(crate::StoreError::not_found(format!(
                        "version {version:?} of list {source:?}"
                    )));
                };
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT id, change, CAST(changed_props AS TEXT) FROM entity_versions \
                     WHERE list_seq = $1 ORDER BY id",
                )
                .bind(seq)
                .fetch_all(self.reader())
                .await?;
                crate::backend::diff_from_rows(rows)
            }

            pub(crate) async fn changes_since(
                &self,
                after: i64,
                limit: i64,
            ) -> Result<Vec<crate::EntityChange>, crate::StoreError> {
                let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
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
                        let change = crate::Change::parse(&change).ok_or_else(|| {
                            crate::StoreError::Corrupt {
                                table: "entity_versions",
                                key: key.clone(),
                                reason: format!("unknown change {change:?}"),
                            }
                        })?;
                        let entity =
                            crate::backend::parse_entity("entity_versions", &key, &body)?;
                        Ok(crate::EntityChange {
                            seq,
                            version,
                            change,
                            entity,
                        })
                    })
                    .collect()
            }

            pub(crate) async fn change_head(&self) -> Result<i64, crate::StoreError> {
                let (head,): (i64,) =
                    sqlx::query_as("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM entity_changes")
                        .fetch_one(self.reader())
                        .await?;
                Ok(head)
            }

            pub(crate) async fn sources(&self) -> Result<Vec<crate::SourceInfo>, crate::StoreError> {
                let counts: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT source, CAST(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS BIGINT), \
                     CAST(COUNT(*) AS BIGINT) FROM entities GROUP BY source",
                )
                .fetch_all(self.reader())
                .await?;
                let latest: Vec<(String, String, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT l.source, l.version, l.imported_at FROM list_versions l \
                     WHERE l.seq = (SELECT MAX(m.seq) FROM list_versions m WHERE m.source = l.source)",
                )
                .fetch_all(self.reader())
                .await?;
                let mut out: std::collections::BTreeMap<String, crate::SourceInfo> =
                    std::collections::BTreeMap::new();
                let n = |x: i64| usize::try_from(x).unwrap_or(0);
                for (source, active, total) in counts {
                    out.insert(
                        source.clone(),
                        crate::SourceInfo {
                            source,
                            version: None,
                            imported_at: None,
                            active: n(active),
                            total: n(total),
                        },
                    );
                }
                for (source, version, at) in latest {
                    let info = out.entry(source.clone()).or_insert(crate::SourceInfo {
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

            pub(crate) async fn put_entry(
                &self,
                entity: tansiq_model::Entity,
                expect: crate::Expect,
                actor: &str,
                audit: Option<crate::AuditOf<'_>>,
            ) -> Result<crate::EntityVersion, crate::StoreError> {
                let mut written = self.put_entries(vec![entity], expect, actor, audit).await?;
                Ok(written.remove(0))
            }

            /// Writes several national entries in one transaction: all of
            /// them or none. An entry equal to its stored version is not
            /// written again (its current version is returned).
            pub(crate) async fn put_entries(
                &self,
                entities: Vec<tansiq_model::Entity>,
                expect: crate::Expect,
                actor: &str,
                audit: Option<crate::AuditOf<'_>>,
            ) -> Result<Vec<crate::EntityVersion>, crate::StoreError> {
                use crate::backend::*;
                let mut entities = entities;
                let mut seen = std::collections::HashSet::new();
                for entity in &mut entities {
                    check_entry(entity, actor)?;
                    if !seen.insert(entity.id.clone()) {
                        return Err(crate::StoreError::invalid(
                            "entity.id",
                            format!("the id {:?} appears twice in one write", entity.id),
                        ));
                    }
                }
                let now = crate::now();
                let mut tx = self.begin_write().await?;
                let mut out = Vec::with_capacity(entities.len());
                for entity in entities {
                    Self::lock(&mut tx, &format!("entity:{}", entity.id)).await?;
                    let row: Option<(String, i64, String)> = sqlx::query_as(
                        "SELECT source, version, CAST(body AS TEXT) FROM entities WHERE id = $1",
                    )
                    .bind(&entity.id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let id = entity.id.clone();
                    let prior = match row {
                        Some((source, _, _)) if source != crate::NATIONAL_SOURCE => {
                            return Err(foreign_id(&id, &source, crate::NATIONAL_SOURCE));
                        }
                        Some((_, version, body)) => {
                            Some((version, parse_entity("entities", &id, &body)?))
                        }
                        None => None,
                    };
                    match (expect, &prior) {
                        (crate::Expect::New, Some((v, _))) => {
                            return Err(crate::StoreError::Conflict(format!(
                                "entry {id:?} exists (version {v}); expected a new entry"
                            )));
                        }
                        (crate::Expect::Version(_), None) => {
                            return Err(crate::StoreError::not_found(format!("entry {id:?}")));
                        }
                        (crate::Expect::Version(want), Some((v, _))) if *v != want => {
                            return Err(crate::StoreError::Conflict(format!(
                                "entry {id:?} is at version {v}, not the expected {want}: \
                                 it was changed meanwhile"
                            )));
                        }
                        _ => {}
                    }
                    let write = match prior {
                        Some((version, old)) if old == entity => {
                            out.push(Self::history_at(&mut tx, &id, version).await?);
                            continue;
                        }
                        Some((version, old)) => Write {
                            changed: crate::diff::changed_fields(&old, &entity),
                            entity,
                            version: version + 1,
                            exists: true,
                            change: crate::Change::Updated,
                            reason: "updated".to_string(),
                        },
                        None => Write {
                            entity,
                            version: 1,
                            exists: false,
                            change: crate::Change::Created,
                            changed: Vec::new(),
                            reason: "created".to_string(),
                        },
                    };
                    match Self::apply(&mut tx, std::slice::from_ref(&write), None, actor, now).await {
                        Ok(()) => {}
                        Err(ApplyError::Db(e)) => return Err(e.into()),
                        Err(ApplyError::Store(e)) => return Err(e),
                        Err(ApplyError::Collision(_)) => {
                            let _ = tx.rollback().await;
                            return Err(crate::StoreError::Conflict(format!(
                                "entity id {id:?} was created concurrently"
                            )));
                        }
                    }
                    out.push(written_version(write, actor, now, None));
                }
                if let Some(audit) = audit {
                    Self::append_audit_tx(&mut tx, &audit(&out)).await?;
                }
                tx.commit().await?;
                Ok(out)
            }

            pub(crate) async fn withdraw_entry(
                &self,
                id: &str,
                expect: crate::Expect,
                actor: &str,
                reason: &str,
                audit: Option<crate::AuditOf<'_>>,
            ) -> Result<crate::EntityVersion, crate::StoreError> {
                use crate::backend::*;
                if actor.trim().is_empty() {
                    return Err(crate::StoreError::invalid("actor", "the actor is empty"));
                }
                if reason.trim().is_empty() {
                    return Err(crate::StoreError::invalid(
                        "reason",
                        "a withdrawal needs a reason",
                    ));
                }
                let now = crate::now();
                let mut tx = self.begin_write().await?;
                Self::lock(&mut tx, &format!("entity:{id}")).await?;
                let row: Option<(String, String, i64, String)> = sqlx::query_as(
                    "SELECT source, status, version, CAST(body AS TEXT) FROM entities WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((source, status, version, body)) = row else {
                    return Err(crate::StoreError::not_found(format!("entry {id:?}")));
                };
                if source != crate::NATIONAL_SOURCE {
                    return Err(crate::StoreError::Conflict(format!(
                        "entity {id:?} comes from list {source:?}; list entities change only by import"
                    )));
                }
                if status != "active" {
                    return Err(crate::StoreError::Conflict(format!(
                        "entry {id:?} is already withdrawn"
                    )));
                }
                match expect {
                    crate::Expect::Version(want) if want != version => {
                        return Err(crate::StoreError::Conflict(format!(
                            "entry {id:?} is at version {version}, not the expected {want}: \
                             it was changed meanwhile"
                        )));
                    }
                    crate::Expect::New => {
                        return Err(crate::StoreError::Conflict(format!(
                            "entry {id:?} exists (version {version}); expected a new entry"
                        )));
                    }
                    _ => {}
                }
                let mut entity = parse_entity("entities", id, &body)?;
                entity.status = tansiq_model::EntryStatus::Withdrawn;
                let write = Write {
                    entity,
                    version: version + 1,
                    exists: true,
                    change: crate::Change::Withdrawn,
                    changed: vec!["status".to_string()],
                    reason: reason.trim().to_string(),
                };
                match Self::apply(&mut tx, std::slice::from_ref(&write), None, actor, now).await {
                    Ok(()) => {}
                    Err(ApplyError::Db(e)) => return Err(e.into()),
                    Err(ApplyError::Store(e)) => return Err(e),
                    Err(ApplyError::Collision(_)) => {
                        return Err(crate::StoreError::Conflict(format!(
                            "entry {id:?} changed concurrently"
                        )));
                    }
                }
                let written = written_version(write, actor, now, None);
                if let Some(audit) = audit {
                    Self::append_audit_tx(&mut tx, &audit(std::slice::from_ref(&written))).await?;
                }
                tx.commit().await?;
                Ok(written)
            }

            /// Appends `events` to the hash-chained audit log inside `tx`:
            /// they commit (or roll back) with whatever else `tx` writes.
            /// Takes the `audit` lock, so the chain stays one whatever the
            /// number of writers.
            pub(crate) async fn append_audit_tx(
                tx: &mut sqlx::Transaction<'static, sqlx::$db>,
                events: &[crate::AuditEvent],
            ) -> Result<Vec<crate::AuditRecord>, crate::StoreError> {
                if events.is_empty() {
                    return Ok(Vec::new());
                }
                Self::lock(tx, "audit").await?;
                let head: Option<(i64, String)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut **tx)
                        .await?;
                let head = head.map(|(seq, hash)| crate::audit::AuditHead { seq, hash });
                let records = crate::audit::chain(head.as_ref(), events);
                for chunk in records.chunks(crate::backend::CHUNK) {
                    let mut sql = String::from(
                        "INSERT INTO audit_log (seq, at, actor, action, subject, facts, payload, \
                         payload_hash, prev_hash, hash) VALUES ",
                    );
                    crate::review::numbered_rows(&mut sql, chunk.len(), 10);
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for r in chunk {
                        q = q
                            .bind(r.seq)
                            .bind(r.at)
                            .bind(&r.actor)
                            .bind(&r.action)
                            .bind(&r.subject)
                            .bind(&r.facts)
                            .bind(&r.payload)
                            .bind(&r.payload_hash)
                            .bind(&r.prev_hash)
                            .bind(&r.hash);
                    }
                    q.execute(&mut **tx).await?;
                }
                Ok(records)
            }

            async fn history_at(
                tx: &mut sqlx::Transaction<'static, sqlx::$db>,
                id: &str,
                version: i64,
            ) -> Result<crate::EntityVersion, crate::StoreError> {
                let row: crate::backend::HistoryRow = sqlx::query_as(
                    "SELECT v.id, v.version, v.source, v.change, v.reason, v.actor, v.recorded_at, \
                     l.version, CAST(v.changed_props AS TEXT), CAST(v.body AS TEXT) \
                     FROM entity_versions v LEFT JOIN list_versions l ON l.seq = v.list_seq \
                     WHERE v.id = $1 AND v.version = $2",
                )
                .bind(id)
                .bind(version)
                .fetch_one(&mut **tx)
                .await?;
                crate::backend::history_from_row(row)
            }

            pub(crate) async fn dump(&self) -> Result<Vec<String>, crate::StoreError> {
                use sqlx::Row;
                let mut out = Vec::new();
                for (table, columns, order) in crate::backend::DUMP {
                    let select: Vec<String> =
                        columns.iter().map(|c| format!("CAST({c} AS TEXT)")).collect();
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM {table} ORDER BY {order}",
                        select.join(", ")
                    )))
                    .fetch_all(self.reader())
                    .await?;
                    for row in rows {
                        let mut line = format!("{table}:");
                        for i in 0..columns.len() {
                            let v: Option<String> = row.try_get(i)?;
                            line.push_str(" | ");
                            line.push_str(v.as_deref().unwrap_or("NULL"));
                        }
                        out.push(line);
                    }
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use impl_backend;
