//! Screening history, hits and their review, suppression of dismissed
//! pairs, notifications and the re-screening cursor.
//!
//! The store keeps what the server decides: a [`ScreeningRecord`] per
//! screened traveller (written in batches, off the screening path), a
//! [`Hit`] per (screening, entity) at or above the possible band, and the
//! hit's life: `open → confirmed | dismissed → closed`, each step a
//! [`HitEvent`]. A dismissal records a [`Suppression`] of the (document,
//! entity version) pair for the agency, in the same transaction; a
//! confirmation may carry a [`Notification`] for the entity's originating
//! agency, also in the same transaction.
//!
//! Transitions are checked here, under a per-hit lock (advisory on
//! PostgreSQL, the single writer on SQLite), with optimistic concurrency on
//! the hit's `version`: an illegal step or a stale version is a
//! [`StoreError::Conflict`] that says which.
//!
//! Traveller data (query, document key, the hit's context) sits in its own
//! columns so retention can purge it: [`Store::purge_screenings`] deletes
//! old screening records whole.

use time::OffsetDateTime;

use sha2::{Digest, Sha256};

use crate::audit::{append_audit_tx, time_text};
use crate::db::{Value, built, in_list, insert_rows, sql};
use crate::diff::hex;
use crate::rules::{HitAction, HitState, next_state};
use crate::{Store, StoreError};

/// One screened traveller as remembered for re-screening and history.
#[derive(Clone, Debug, PartialEq)]
pub struct ScreeningRecord {
    /// Unique id (the response's `screening_id`, suffixed per traveller
    /// for a manifest).
    pub id: String,
    /// The crossing time (the request's context time, else when screened).
    pub at: OffsetDateTime,
    pub recorded_at: OffsetDateTime,
    pub agency_id: String,
    pub user_id: String,
    pub border_post: Option<String>,
    /// Normalised `COUNTRY:NUMBER` of the travel document (`:NUMBER` when
    /// the issuing country is unknown). Traveller data.
    pub document_key: Option<String>,
    /// `none`, `possible` or `strong`.
    pub band: String,
    /// What was screened, as the server serialised it. Traveller data.
    pub query: serde_json::Value,
    /// A summary of the matches (ids, scores, bands).
    pub matches: serde_json::Value,
}

impl ScreeningRecord {
    /// The SHA-256 (hex) of the record as stored: every field but
    /// `recorded_at`, each length-prefixed, the crossing time as the audit
    /// log hashes times, the query and matches as the JSON text written.
    /// A screening's audit event carries it instead of a copy of the
    /// traveller and the matches, so the hash chain covers the record
    /// without storing it twice. A record read back from either backend
    /// hashes the same (tested by the conformance suite).
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        let at = time_text(micros(self.at));
        let none = "\u{0}none";
        for field in [
            "tansiq-screening-v1",
            &self.id,
            &at,
            &self.agency_id,
            &self.user_id,
            self.border_post.as_deref().unwrap_or(none),
            self.document_key.as_deref().unwrap_or(none),
            &self.band,
            &json_text(&self.query),
            &json_text(&self.matches),
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// One hash for the records of a manifest's travellers, in traveller
/// order: the SHA-256 (hex) over each record's
/// [`ScreeningRecord::content_hash`], length-prefixed. A manifest's audit
/// event carries it, so the chain covers every traveller's record in 64
/// characters whatever the number of travellers.
pub fn records_digest<'a>(hashes: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    h.update(b"tansiq-manifest-records-v1");
    for hash in hashes {
        h.update((hash.len() as u64).to_be_bytes());
        h.update(hash.as_bytes());
    }
    hex(&h.finalize())
}

/// What a node's writer commits at once: see [`Store::commit_journal`].
#[derive(Debug, Default)]
pub struct Journal<'a> {
    /// Hits to raise, one group per caller with the actor recorded on the
    /// `raised` event.
    pub hits: Vec<(Vec<NewHit>, String)>,
    pub screenings: &'a [ScreeningRecord],
    pub audit: &'a [crate::AuditEvent],
}

/// What [`Store::commit_journal`] wrote: one list of hits per group (see
/// [`Store::insert_hits`]) and the audit records appended.
#[derive(Debug)]
pub struct JournalReceipt {
    pub hits: Vec<Vec<Hit>>,
    pub audit: Vec<crate::AuditRecord>,
}

/// A hit to raise.
#[derive(Clone, Debug, PartialEq)]
pub struct NewHit {
    pub id: String,
    pub screening_id: String,
    pub screened_at: OffsetDateTime,
    pub agency_id: String,
    /// The user whose screening raised it.
    pub user_id: String,
    pub border_post: Option<String>,
    pub document_key: Option<String>,
    pub entity_id: String,
    /// The entity version matched (what a dismissal suppresses).
    pub entity_version: i64,
    /// The list (source) of the entity.
    pub source: String,
    /// `possible` or `strong`.
    pub band: String,
    pub score: f64,
    /// `screening` (raised while screening) or `rescreen` (raised when the
    /// entity was added or changed after the screening).
    pub origin: String,
    /// The full context: query, every match with its explanation, list
    /// versions. Traveller data.
    pub context: serde_json::Value,
}

/// A hit as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub hit: NewHit,
    pub state: HitState,
    /// `confirmed` or `dismissed` once decided (kept after closing).
    pub outcome: Option<HitState>,
    /// The dismissal reason or the confirmation note.
    pub reason: Option<String>,
    pub assignee: Option<String>,
    /// 1 when raised, +1 per transition or assignment.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One step in a hit's life.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HitEvent {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    /// `raised`, `assigned`, `confirmed`, `dismissed`, `closed`, `comment`.
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// The reason, the assignee or the comment.
    pub note: Option<String>,
}

/// A dismissed (document, entity version) pair of one agency.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Suppression {
    pub agency_id: String,
    pub document_key: String,
    pub entity_id: String,
    pub entity_version: i64,
    pub hit_id: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

/// A message to an agency.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub id: String,
    pub at: OffsetDateTime,
    /// The recipient.
    pub agency_id: String,
    /// e.g. `hit.confirmed`.
    pub kind: String,
    pub hit_id: String,
    pub entity_id: String,
    pub from_agency: String,
    pub detail: serde_json::Value,
}

/// Filters of the review queue. Every filter is optional but the agency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HitFilter {
    pub agency_id: String,
    pub state: Option<HitState>,
    pub band: Option<String>,
    pub border_post: Option<String>,
    pub source: Option<String>,
    pub assignee: Option<String>,
    pub document_key: Option<String>,
    /// Only hits raised before this time (ageing).
    pub created_before: Option<OffsetDateTime>,
    /// Most hits returned (oldest first).
    pub limit: i64,
}

/// The number of a hit's next event (its events are numbered from 1).
async fn next_event_seq(tx: &mut crate::db::Tx, hit_id: &str) -> Result<i64, StoreError> {
    let (next,): (i64,) =
        sql("SELECT CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT) FROM hit_events WHERE hit_id = $1")
            .bind(hit_id)
            .fetch_one(tx)
            .await?;
    Ok(next)
}

fn stamp() -> OffsetDateTime {
    crate::now()
}

/// `t` to the microsecond (PostgreSQL's precision), so what a write
/// returns equals what a later read gives.
fn micros(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn parse_json(table: &'static str, key: &str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

/// Most ids bound in one `IN (...)` read: under SQLite's and
/// PostgreSQL's limits on bound parameters, with room to spare.
const IDS_PER_READ: usize = 500;

const SCREENING_COLUMNS: &str = "id, at, recorded_at, agency_id, user_id, border_post, \
     document_key, band, query, matches";
const HIT_COLUMNS: &str = "id, screening_id, screened_at, created_at, updated_at, agency_id, \
     user_id, border_post, document_key, entity_id, entity_version, source, band, score, origin, \
     state, outcome, reason, assignee, version, context";

/// Screening rows per multi-row insert (10 columns: well under both
/// backends' parameter limits).
const SCREENING_CHUNK: usize = 500;

/// A `screenings` row; the query and matches are stored as JSON text.
#[derive(sqlx::FromRow)]
struct ScreeningRow {
    id: String,
    at: OffsetDateTime,
    recorded_at: OffsetDateTime,
    agency_id: String,
    user_id: String,
    border_post: Option<String>,
    document_key: Option<String>,
    band: String,
    query: String,
    matches: String,
}

impl TryFrom<ScreeningRow> for ScreeningRecord {
    type Error = StoreError;
    fn try_from(r: ScreeningRow) -> Result<ScreeningRecord, StoreError> {
        Ok(ScreeningRecord {
            query: parse_json("screenings", &r.id, &r.query)?,
            matches: parse_json("screenings", &r.id, &r.matches)?,
            id: r.id,
            at: r.at,
            recorded_at: r.recorded_at,
            agency_id: r.agency_id,
            user_id: r.user_id,
            border_post: r.border_post,
            document_key: r.document_key,
            band: r.band,
        })
    }
}

/// A `hits` row ([`HIT_COLUMNS`]); states are stored by name, the context
/// as JSON text.
#[derive(sqlx::FromRow)]
struct HitRow {
    id: String,
    screening_id: String,
    screened_at: OffsetDateTime,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    agency_id: String,
    user_id: String,
    border_post: Option<String>,
    document_key: Option<String>,
    entity_id: String,
    entity_version: i64,
    source: String,
    band: String,
    score: f64,
    origin: String,
    state: String,
    outcome: Option<String>,
    reason: Option<String>,
    assignee: Option<String>,
    version: i64,
    context: String,
}

impl TryFrom<HitRow> for Hit {
    type Error = StoreError;
    fn try_from(r: HitRow) -> Result<Hit, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt {
            table: "hits",
            key: r.id.clone(),
            reason: format!("unknown state {what:?}"),
        };
        let state = r.state.parse().map_err(|_| corrupt(&r.state))?;
        let outcome = match &r.outcome {
            Some(o) => Some(o.parse().map_err(|_| corrupt(o))?),
            None => None,
        };
        Ok(Hit {
            state,
            outcome,
            reason: r.reason,
            assignee: r.assignee,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            hit: NewHit {
                context: parse_json("hits", &r.id, &r.context)?,
                id: r.id,
                screening_id: r.screening_id,
                screened_at: r.screened_at,
                agency_id: r.agency_id,
                user_id: r.user_id,
                border_post: r.border_post,
                document_key: r.document_key,
                entity_id: r.entity_id,
                entity_version: r.entity_version,
                source: r.source,
                band: r.band,
                score: r.score,
                origin: r.origin,
            },
        })
    }
}

/// A `notifications` row; the detail is stored as JSON text.
#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    at: OffsetDateTime,
    agency_id: String,
    kind: String,
    hit_id: String,
    entity_id: String,
    from_agency: String,
    detail: String,
}

impl Store {
    /// Appends screening records in one transaction (a group commit).
    pub async fn record_screenings(&self, records: &[ScreeningRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        self.commit_journal(Journal {
            screenings: records,
            ..Journal::default()
        })
        .await?;
        Ok(())
    }

    /// The screenings of `ids` that exist, by id (re-screening reads only
    /// the travellers its traveller index names as candidates). Read in
    /// chunks of `IDS_PER_READ` bound parameters.
    pub async fn screenings_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<ScreeningRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_READ) {
            let mut q = in_list(
                format!("SELECT {SCREENING_COLUMNS} FROM screenings WHERE id IN "),
                chunk.len(),
                " ORDER BY id",
            );
            for id in chunk {
                q = q.bind(id);
            }
            let rows: Vec<ScreeningRow> = q.fetch_all(self.reader()).await?;
            for row in rows {
                out.push(ScreeningRecord::try_from(row)?);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Up to `limit` screenings crossing at or after `since`, by id, after
    /// the id `after` (paging; `""` from the start).
    pub async fn screenings_since(
        &self,
        since: OffsetDateTime,
        after: &str,
        limit: i64,
    ) -> Result<Vec<ScreeningRecord>, StoreError> {
        let rows: Vec<ScreeningRow> = built(format!(
            "SELECT {SCREENING_COLUMNS} FROM screenings WHERE at >= $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        ))
        .bind(since)
        .bind(after)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(ScreeningRecord::try_from).collect()
    }

    /// The screenings of one travel document by one agency, newest first.
    pub async fn screenings_of_document(
        &self,
        agency_id: &str,
        document_key: &str,
        limit: i64,
    ) -> Result<Vec<ScreeningRecord>, StoreError> {
        let rows: Vec<ScreeningRow> = built(format!(
            "SELECT {SCREENING_COLUMNS} FROM screenings \
             WHERE agency_id = $1 AND document_key = $2 ORDER BY at DESC, id DESC LIMIT $3"
        ))
        .bind(agency_id)
        .bind(document_key)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(ScreeningRecord::try_from).collect()
    }

    /// Deletes screening records crossing before `before` (retention; the
    /// audit log keeps that they happened). Returns how many.
    pub async fn purge_screenings(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(sql("DELETE FROM screenings WHERE at < $1")
            .bind(before)
            .execute(self.writer())
            .await?)
    }

    /// Removes the traveller data (context: query, matches, explanations;
    /// document key) of hits decided before `before` (dismissed or closed:
    /// retention). Open and confirmed hits keep theirs: they are still
    /// being worked or back a case. State, outcome, reason and history
    /// stay. Returns how many hits lost their traveller data.
    pub async fn purge_hit_contexts(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(sql(
            "UPDATE hits SET context = '{\"purged\":true}', document_key = NULL \
             WHERE state IN ('dismissed', 'closed') AND updated_at < $1 \
             AND context <> '{\"purged\":true}'",
        )
        .bind(before)
        .execute(self.writer())
        .await?)
    }

    /// Deletes the dismissed (document, entity) pairs recorded before
    /// `before` (retention: they hold the travel document's number). A
    /// later screening of that document raises a hit again. Returns how
    /// many.
    pub async fn purge_suppressions(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(sql("DELETE FROM suppressions WHERE at < $1")
            .bind(before)
            .execute(self.writer())
            .await?)
    }

    /// Raises hits in one transaction. A (screening, entity) pair has one
    /// hit: for a pair that already has one, nothing is written and that
    /// hit is returned instead (its id differs from the one proposed).
    /// Returns one hit per pair given, in order.
    pub async fn insert_hits(
        &self,
        hits: Vec<NewHit>,
        actor: &str,
    ) -> Result<Vec<Hit>, StoreError> {
        let receipt = self
            .commit_journal(Journal {
                hits: vec![(hits, actor.to_string())],
                ..Journal::default()
            })
            .await?;
        Ok(receipt.hits.into_iter().next().unwrap_or_default())
    }

    /// Writes what screenings leave behind in **one** transaction, so a
    /// node's writer pays one disk flush for all of it: hits (each group
    /// as [`Store::insert_hits`], one group per caller), screening records (as
    /// [`Store::record_screenings`]) and audit events (appended to the
    /// chain as [`Store::append_audit_batch`]), in that order. All or
    /// nothing: any error leaves the store unchanged.
    pub async fn commit_journal(&self, j: Journal<'_>) -> Result<JournalReceipt, StoreError> {
        let now = stamp();
        let mut hits_out = Vec::with_capacity(j.hits.len());
        let mut tx = self.begin_write().await?;
        for (hits, actor) in j.hits {
            let mut raised = Vec::with_capacity(hits.len());
            for mut h in hits {
                h.screened_at = micros(h.screened_at);
                if !matches!(h.band.as_str(), "possible" | "strong") {
                    return Err(StoreError::invalid(
                        "hit.band",
                        format!("{:?} is not possible or strong", h.band),
                    ));
                }
                if !matches!(h.origin.as_str(), "screening" | "rescreen") {
                    return Err(StoreError::invalid(
                        "hit.origin",
                        format!("{:?} is not screening or rescreen", h.origin),
                    ));
                }
                tx.lock(&format!("hit-pair:{}:{}", h.screening_id, h.entity_id))
                    .await?;
                let exists: Option<HitRow> = built(format!(
                    "SELECT {HIT_COLUMNS} FROM hits WHERE screening_id = $1 AND entity_id = $2"
                ))
                .bind(&h.screening_id)
                .bind(&h.entity_id)
                .fetch_optional(&mut tx)
                .await?;
                if let Some(row) = exists {
                    raised.push(row.try_into()?);
                    continue;
                }
                built(format!(
                    "INSERT INTO hits ({HIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                         $9, $10, $11, $12, $13, $14, $15, 'open', NULL, NULL, NULL, 1, $16)"
                ))
                .bind(&h.id)
                .bind(&h.screening_id)
                .bind(h.screened_at)
                .bind(now)
                .bind(now)
                .bind(&h.agency_id)
                .bind(&h.user_id)
                .bind(&h.border_post)
                .bind(&h.document_key)
                .bind(&h.entity_id)
                .bind(h.entity_version)
                .bind(&h.source)
                .bind(&h.band)
                .bind(h.score)
                .bind(&h.origin)
                .bind(json_text(&h.context))
                .execute(&mut tx)
                .await?;
                sql(
                        "INSERT INTO hit_events (hit_id, seq, at, actor, action, from_state, to_state, note) \
                         VALUES ($1, 1, $2, $3, 'raised', NULL, 'open', $4)",
                    )
                    .bind(&h.id)
                    .bind(now)
                    .bind(&actor)
                    .bind(&h.origin)
                    .execute(&mut tx)
                    .await?;
                raised.push(Hit {
                    hit: h,
                    state: HitState::Open,
                    outcome: None,
                    reason: None,
                    assignee: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                });
            }
            hits_out.push(raised);
        }
        for chunk in j.screenings.chunks(SCREENING_CHUNK) {
            let mut q = insert_rows(
                format!("INSERT INTO screenings ({SCREENING_COLUMNS}) VALUES "),
                chunk.len(),
                10,
            );
            for r in chunk {
                q = q
                    .bind(&r.id)
                    .bind(r.at)
                    .bind(r.recorded_at)
                    .bind(&r.agency_id)
                    .bind(&r.user_id)
                    .bind(&r.border_post)
                    .bind(&r.document_key)
                    .bind(&r.band)
                    .bind(json_text(&r.query))
                    .bind(json_text(&r.matches));
            }
            q.execute(&mut tx).await?;
        }
        let audit_out = append_audit_tx(&mut tx, j.audit).await?;
        tx.commit().await?;
        Ok(JournalReceipt {
            hits: hits_out,
            audit: audit_out,
        })
    }

    /// One hit by id.
    pub async fn hit(&self, id: &str) -> Result<Option<Hit>, StoreError> {
        let row: Option<HitRow> = built(format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(Hit::try_from).transpose()
    }

    /// The hits of one agency that pass `filter`, oldest first.
    pub async fn hits(&self, filter: &HitFilter) -> Result<Vec<Hit>, StoreError> {
        let mut text = format!("SELECT {HIT_COLUMNS} FROM hits WHERE agency_id = $1");
        let mut binds: Vec<Value<'_>> = vec![filter.agency_id.as_str().into()];
        let mut add = |column: &str, op: &str, b| {
            binds.push(b);
            text.push_str(&format!(" AND {column} {op} ${}", binds.len()));
        };
        if let Some(s) = filter.state {
            add("state", "=", s.as_str().into());
        }
        if let Some(b) = &filter.band {
            add("band", "=", b.as_str().into());
        }
        if let Some(p) = &filter.border_post {
            add("border_post", "=", p.as_str().into());
        }
        if let Some(s) = &filter.source {
            add("source", "=", s.as_str().into());
        }
        if let Some(a) = &filter.assignee {
            add("assignee", "=", a.as_str().into());
        }
        if let Some(d) = &filter.document_key {
            add("document_key", "=", d.as_str().into());
        }
        if let Some(t) = filter.created_before {
            add("created_at", "<", t.into());
        }
        binds.push(filter.limit.max(0).into());
        text.push_str(&format!(" ORDER BY created_at, id LIMIT ${}", binds.len()));
        let mut q = built(text);
        for b in binds {
            q = q.bind(b);
        }
        let rows: Vec<HitRow> = q.fetch_all(self.reader()).await?;
        rows.into_iter().map(Hit::try_from).collect()
    }

    /// Applies a reviewer's action to a hit, checking the transition and,
    /// when given, the expected version (optimistic concurrency); records
    /// the event; on a dismissal, suppresses the (document, entity
    /// version) pair for the hit's agency; on a confirmation, writes
    /// `notify` (for the entity's originator) in the same transaction,
    /// stamped with the confirmation time (its `at` is not used).
    pub async fn transition_hit(
        &self,
        id: &str,
        expected_version: Option<i64>,
        action: HitAction,
        actor: &str,
        notify: Option<Notification>,
    ) -> Result<Hit, StoreError> {
        if let HitAction::Dismiss(reason) = &action
            && reason.trim().is_empty()
        {
            return Err(StoreError::invalid("reason", "a dismissal needs a reason"));
        }
        let now = stamp();
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("hit:{id}")).await?;
        let row: Option<HitRow> = built(format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::not_found(format!("hit {id:?}")));
        };
        let mut hit = Hit::try_from(row)?;
        if let Some(want) = expected_version
            && want != hit.version
        {
            return Err(StoreError::Conflict(format!(
                "hit {id:?} is at version {}, not the expected {want}: it was changed meanwhile",
                hit.version
            )));
        }
        let to = next_state(hit.state, &action).map_err(StoreError::Conflict)?;
        let from = hit.state;
        let (verb, note) = match &action {
            HitAction::Assign(who) => {
                hit.assignee = who.clone();
                ("assigned", who.clone())
            }
            HitAction::Confirm(note) => {
                hit.outcome = Some(HitState::Confirmed);
                hit.reason = note.clone();
                ("confirmed", note.clone())
            }
            HitAction::Dismiss(reason) => {
                hit.outcome = Some(HitState::Dismissed);
                hit.reason = Some(reason.trim().to_string());
                ("dismissed", Some(reason.trim().to_string()))
            }
            HitAction::Close => ("closed", None),
        };
        hit.state = to;
        hit.version += 1;
        hit.updated_at = now;
        sql(
            "UPDATE hits SET state = $1, outcome = $2, reason = $3, assignee = $4, \
                 version = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(to.as_str())
        .bind(hit.outcome.map(HitState::as_str))
        .bind(&hit.reason)
        .bind(&hit.assignee)
        .bind(hit.version)
        .bind(now)
        .bind(id)
        .execute(&mut tx)
        .await?;
        let next = next_event_seq(&mut tx, id).await?;
        sql(
            "INSERT INTO hit_events (hit_id, seq, at, actor, action, from_state, to_state, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(next)
        .bind(now)
        .bind(actor)
        .bind(verb)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(&note)
        .execute(&mut tx)
        .await?;
        if let (HitAction::Dismiss(reason), Some(doc)) = (&action, &hit.hit.document_key) {
            sql(
                    "DELETE FROM suppressions WHERE agency_id = $1 AND document_key = $2 AND entity_id = $3",
                )
                .bind(&hit.hit.agency_id)
                .bind(doc)
                .bind(&hit.hit.entity_id)
                .execute(&mut tx)
                .await?;
            sql(
                "INSERT INTO suppressions (agency_id, document_key, entity_id, entity_version, \
                     hit_id, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&hit.hit.agency_id)
            .bind(doc)
            .bind(&hit.hit.entity_id)
            .bind(hit.hit.entity_version)
            .bind(id)
            .bind(reason.trim())
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        if let (HitAction::Confirm(_), Some(n)) = (&action, &notify) {
            sql(
                "INSERT INTO notifications (id, at, agency_id, kind, hit_id, entity_id, \
                     from_agency, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&n.id)
            .bind(now)
            .bind(&n.agency_id)
            .bind(&n.kind)
            .bind(id)
            .bind(&n.entity_id)
            .bind(&n.from_agency)
            .bind(json_text(&n.detail))
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(hit)
    }

    /// Adds a comment to a hit (any state); returns the event.
    pub async fn comment_hit(
        &self,
        id: &str,
        actor: &str,
        text: &str,
    ) -> Result<HitEvent, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::invalid("text", "a comment needs text"));
        }
        let now = stamp();
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("hit:{id}")).await?;
        let state: Option<(String,)> = sql("SELECT state FROM hits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
        let Some((state,)) = state else {
            return Err(StoreError::not_found(format!("hit {id:?}")));
        };
        let next = next_event_seq(&mut tx, id).await?;
        sql(
            "INSERT INTO hit_events (hit_id, seq, at, actor, action, from_state, to_state, note) \
                 VALUES ($1, $2, $3, $4, 'comment', $5, $5, $6)",
        )
        .bind(id)
        .bind(next)
        .bind(now)
        .bind(actor)
        .bind(&state)
        .bind(text)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(HitEvent {
            seq: next,
            at: now,
            actor: actor.to_string(),
            action: "comment".into(),
            from_state: Some(state.clone()),
            to_state: Some(state),
            note: Some(text.to_string()),
        })
    }

    /// Every event of a hit, oldest first.
    pub async fn hit_events(&self, id: &str) -> Result<Vec<HitEvent>, StoreError> {
        Ok(sql(
            "SELECT seq, at, actor, action, from_state, to_state, note FROM hit_events \
             WHERE hit_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?)
    }

    /// The suppressions an agency holds for one document, by entity id.
    pub async fn suppressions(
        &self,
        agency_id: &str,
        document_key: &str,
    ) -> Result<Vec<Suppression>, StoreError> {
        Ok(sql(
            "SELECT agency_id, document_key, entity_id, entity_version, hit_id, reason, at \
             FROM suppressions WHERE agency_id = $1 AND document_key = $2 ORDER BY entity_id",
        )
        .bind(agency_id)
        .bind(document_key)
        .fetch_all(self.reader())
        .await?)
    }

    /// The notifications of an agency, newest first.
    pub async fn notifications(
        &self,
        agency_id: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows: Vec<NotificationRow> = sql(
            "SELECT id, at, agency_id, kind, hit_id, entity_id, from_agency, detail \
             FROM notifications WHERE agency_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(agency_id)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Notification {
                    detail: parse_json("notifications", &r.id, &r.detail)?,
                    id: r.id,
                    at: r.at,
                    agency_id: r.agency_id,
                    kind: r.kind,
                    hit_id: r.hit_id,
                    entity_id: r.entity_id,
                    from_agency: r.from_agency,
                })
            })
            .collect()
    }

    /// The position a background job reached (`None` before its first run).
    pub async fn review_cursor(&self, name: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = sql("SELECT seq FROM review_cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Records the position a background job reached. It only moves
    /// forward: a lower `seq` (a slower replica) leaves it as it is.
    pub async fn set_review_cursor(&self, name: &str, seq: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("review-cursor:{name}")).await?;
        let row: Option<(i64,)> = sql("SELECT seq FROM review_cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut tx)
            .await?;
        match row {
            None => {
                sql("INSERT INTO review_cursors (name, seq) VALUES ($1, $2)")
                    .bind(name)
                    .bind(seq)
                    .execute(&mut tx)
                    .await?;
            }
            Some((current,)) if current < seq => {
                sql("UPDATE review_cursors SET seq = $1 WHERE name = $2")
                    .bind(seq)
                    .bind(name)
                    .execute(&mut tx)
                    .await?;
            }
            Some(_) => {}
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::records_digest;

    #[test]
    fn a_manifest_digest_depends_on_every_record_and_its_place() {
        let a = records_digest(["aa", "bb"]);
        assert_eq!(a.len(), 64);
        assert_eq!(a, records_digest(["aa", "bb"]));
        assert_ne!(a, records_digest(["bb", "aa"]), "order");
        assert_ne!(a, records_digest(["aa", "bc"]), "content");
        assert_ne!(a, records_digest(["aa"]), "a record left out");
        assert_ne!(a, records_digest(["aab", "b"]), "boundaries");
        assert_ne!(records_digest([]), records_digest([""]));
    }
}
