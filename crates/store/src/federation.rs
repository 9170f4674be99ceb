//! Federation state: partners and their agreements, the durable outbox
//! (sealed messages numbered per partner), the inbox (per-origin applied
//! numbers and digests), what each partner holds of our entries, foreign
//! entries (source `fed:<origin>`, read-only), hits on foreign entries and
//! their follow-up threads.
//!
//! What is decided (sequencing, agreements) is `tansiq_federation`'s; this
//! module makes it durable and atomic: a received message is applied and
//! its number recorded in one transaction, and a replicated change is
//! queued and the replication cursor advanced in one transaction, so a
//! crash never loses or doubles a message.

use serde::de::DeserializeOwned;
use tansiq_federation::{
    Agreement, Decision, FollowUp, FollowUpKind, HitNotice, Level, Opened, Payload, Replicate,
    Sealed, Traveller, foreign_copy, replication,
};
use tansiq_trust::{NodeKeys, PublicKey};
use time::OffsetDateTime;

use crate::db::{Tx, sql};
use crate::entities::{ApplyError, Write, apply, parse_entity};
use crate::{Change, NATIONAL_SOURCE, Store, StoreError};

/// A registered partner node.
#[derive(Clone, Debug, PartialEq)]
pub struct Partner {
    pub id: String,
    pub base_url: String,
    /// Its identity keys (current and those in or past a rotation window).
    pub keys: Vec<PublicKey>,
    /// What this node shares with it.
    pub outgoing: Agreement,
    /// What this node accepts from it.
    pub incoming: Agreement,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Last message received from it or delivered to it.
    pub last_contact_at: Option<OffsetDateTime>,
    /// The ids of this node's keys as last announced to it (or given in
    /// the invitation it accepted); `None` before that is recorded.
    pub announced_keys: Option<Vec<String>>,
}

/// One message of the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxItem {
    pub partner: String,
    pub seq: i64,
    pub kind: String,
    /// The entity or hit the message is about.
    pub subject: Option<String>,
    pub sealed: Sealed,
    pub created_at: OffsetDateTime,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub delivered_at: Option<OffsetDateTime>,
}

/// The outbox of one partner, summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxStats {
    pub partner: String,
    /// Messages not yet acknowledged.
    pub pending: i64,
    /// When the oldest of them was queued (replication lag is now minus it).
    pub oldest_pending_at: Option<OffsetDateTime>,
    /// The highest number queued so far.
    pub last_seq: i64,
    /// The highest number the partner acknowledged.
    pub delivered_seq: i64,
    pub last_error: Option<String>,
    /// Messages the partner numbered but refused (its incoming agreement
    /// does not take them): a mismatch of agreements.
    pub refused: i64,
    /// The latest refusal: its number and the partner's reason.
    pub last_refusal: Option<(i64, String)>,
}

/// The inbox of one origin, summarised.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct InboxHead {
    pub origin: String,
    pub last_seq: i64,
    pub last_received_at: Option<OffsetDateTime>,
}

/// What [`Store::receive`] did with a sequenced message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// Applied; its number is recorded. `outcome` says what it changed.
    Applied { outcome: String },
    /// Its number is recorded but its content was not taken: the incoming
    /// agreement does not allow it, or it names what does not exist. The
    /// caller audits it.
    Refused { reason: String },
    /// Already applied with the same content: nothing changed.
    Duplicate,
    /// A number applied so long ago that its digest was purged
    /// ([`Store::purge_inbox_digests`]): whether the content is the same
    /// cannot be told any more; nothing changed, and the sender may forget
    /// it (a sender only resends what was not acknowledged).
    Forgotten,
    /// Earlier messages are missing: nothing changed.
    Gap { expected: u64 },
    /// The number was used for other content: nothing changed.
    Replay,
}

/// A hit on a foreign entry, as either side keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct FedHit {
    pub hit_id: String,
    /// `out`: seen here on a partner's entry; `in`: seen at a partner on
    /// one of ours.
    pub direction: String,
    pub partner: String,
    /// The originator's id of the entry.
    pub reference: String,
    pub action: Option<String>,
    pub via: String,
    pub traveller: Traveller,
    pub score: f64,
    pub screened_at: OffsetDateTime,
    pub recorded_at: OffsetDateTime,
    pub acked_at: Option<OffsetDateTime>,
}

/// One message of a follow-up thread.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowUpRecord {
    pub hit_id: String,
    pub message_id: String,
    pub from_node: String,
    pub kind: String,
    pub text: String,
    pub author: String,
    pub recorded_at: OffsetDateTime,
}

/// A `fed_partners` row; keys, agreements and announced key ids are
/// stored as JSON text.
#[derive(sqlx::FromRow)]
struct PartnerRow {
    id: String,
    base_url: String,
    keys: String,
    outgoing: String,
    incoming: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    last_contact_at: Option<OffsetDateTime>,
    announced_keys: Option<String>,
}

impl TryFrom<PartnerRow> for Partner {
    type Error = StoreError;
    fn try_from(r: PartnerRow) -> Result<Partner, StoreError> {
        let id = r.id.as_str();
        Ok(Partner {
            keys: parse("fed_partners", id, &r.keys)?,
            outgoing: parse("fed_partners", id, &r.outgoing)?,
            incoming: parse("fed_partners", id, &r.incoming)?,
            announced_keys: r
                .announced_keys
                .map(|a| parse("fed_partners", id, &a))
                .transpose()?,
            id: r.id,
            base_url: r.base_url,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_contact_at: r.last_contact_at,
        })
    }
}

/// A `fed_outbox` row: the sealed message in three columns.
#[derive(sqlx::FromRow)]
struct OutboxRow {
    partner: String,
    seq: i64,
    kind: String,
    subject: Option<String>,
    body: String,
    key_id: String,
    signature: String,
    created_at: OffsetDateTime,
    attempts: i64,
    next_attempt_at: OffsetDateTime,
    last_error: Option<String>,
    delivered_at: Option<OffsetDateTime>,
}

impl From<OutboxRow> for OutboxItem {
    fn from(r: OutboxRow) -> OutboxItem {
        OutboxItem {
            partner: r.partner,
            seq: r.seq,
            kind: r.kind,
            subject: r.subject,
            sealed: Sealed {
                body: r.body,
                key_id: r.key_id,
                signature: r.signature,
            },
            created_at: r.created_at,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
        }
    }
}

/// A `fed_hits` row; the traveller is stored as JSON text.
#[derive(sqlx::FromRow)]
struct FedHitRow {
    hit_id: String,
    direction: String,
    partner: String,
    reference: String,
    action: Option<String>,
    via: String,
    traveller: String,
    score: f64,
    screened_at: OffsetDateTime,
    recorded_at: OffsetDateTime,
    acked_at: Option<OffsetDateTime>,
}

impl TryFrom<FedHitRow> for FedHit {
    type Error = StoreError;
    fn try_from(r: FedHitRow) -> Result<FedHit, StoreError> {
        Ok(FedHit {
            traveller: parse("fed_hits", &r.hit_id, &r.traveller)?,
            hit_id: r.hit_id,
            direction: r.direction,
            partner: r.partner,
            reference: r.reference,
            action: r.action,
            via: r.via,
            score: r.score,
            screened_at: r.screened_at,
            recorded_at: r.recorded_at,
            acked_at: r.acked_at,
        })
    }
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("federation values always serialise")
}

pub(crate) fn parse<T: DeserializeOwned>(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn level_str(level: Level) -> &'static str {
    level.as_str()
}

pub(crate) fn parse_level(key: &str, s: &str) -> Result<Level, StoreError> {
    match s {
        "full" => Ok(Level::Full),
        "hit-no-hit" => Ok(Level::HitNoHit),
        _ => Err(StoreError::Corrupt {
            table: "fed_shared",
            key: key.to_string(),
            reason: format!("unknown level {s:?}"),
        }),
    }
}

/// The entity or hit a payload is about (kept beside the message).
pub(crate) fn subject(p: &Payload) -> Option<String> {
    match p {
        Payload::EntryUpsert { entity } => Some(entity.id.clone()),
        Payload::EntryRemove { id, .. } => Some(id.clone()),
        Payload::Hit(h) => Some(h.hit_id.clone()),
        Payload::HitAck { hit_id } => Some(hit_id.clone()),
        Payload::FollowUp(f) => Some(f.hit_id.clone()),
        Payload::KeyAnnouncement { keys } => keys.first().map(|k| k.key_id.clone()),
        Payload::Check { request_id, .. } | Payload::CheckAnswer { request_id, .. } => {
            Some(request_id.clone())
        }
    }
}

/// What is left of a partner's entry once it is withdrawn or no longer
/// shared: its local id, its origin (the source `fed:<origin>`) and the
/// originator's id, withdrawn; no names, documents or other properties.
pub(crate) fn tombstone(local: &str, origin: &str, origin_id: &str) -> tansiq_model::Entity {
    let mut t = tansiq_model::Entity::new(local, tansiq_model::Schema::LegalEntity);
    t.provenance.source = format!("fed:{origin}");
    t.provenance.source_record_id = Some(origin_id.to_string());
    t.status = tansiq_model::EntryStatus::Withdrawn;
    t.sharing.federation = tansiq_model::FederationShare::Never;
    t
}

/// The ids of an identity's keys, newest first.
pub(crate) fn key_ids(keys: &NodeKeys) -> Vec<String> {
    keys.public_keys().into_iter().map(|k| k.key_id).collect()
}

impl Store {
    /// Registers a partner or updates its URL, keys and agreements. An
    /// agreement change takes effect for existing entries only through
    /// [`Store::reconcile_partner`], which the caller runs next.
    pub async fn put_partner(
        &self,
        id: &str,
        base_url: &str,
        keys: &[PublicKey],
        outgoing: &Agreement,
        incoming: &Agreement,
    ) -> Result<Partner, StoreError> {
        tansiq_trust::check_node_id(id)
            .map_err(|e| StoreError::invalid("partner.id", e.to_string()))?;
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(StoreError::invalid(
                "partner.base_url",
                format!("{base_url:?} is not an http:// or https:// URL"),
            ));
        }
        if keys.is_empty() {
            return Err(StoreError::invalid(
                "partner.keys",
                "a partner needs at least one public key",
            ));
        }
        let base_url = base_url.trim_end_matches('/');
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        sql(
            "INSERT INTO fed_partners (id, base_url, keys, outgoing, incoming, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (id) DO UPDATE SET base_url = $2, keys = $3, outgoing = $4, \
             incoming = $5, updated_at = $6",
        )
        .bind(id)
        .bind(base_url)
        .bind(json(&keys))
        .bind(json(outgoing))
        .bind(json(incoming))
        .bind(now)
        .execute(&mut tx)
        .await?;
        purge_disallowed_copies(&mut tx, id, incoming, now).await?;
        tx.commit().await?;
        self.partner(id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("partner {id:?}")))
    }

    /// One partner by id.
    pub async fn partner(&self, id: &str) -> Result<Option<Partner>, StoreError> {
        Ok(self.partner_rows(Some(id)).await?.into_iter().next())
    }

    /// Every partner, by id.
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        self.partner_rows(None).await
    }

    /// Records that `partner` knows this node's keys `keys` (it accepted an
    /// invitation carrying them), unless something was recorded before.
    pub async fn keys_known_by(&self, partner: &str, keys: &NodeKeys) -> Result<(), StoreError> {
        sql("UPDATE fed_partners SET announced_keys = $2 WHERE id = $1 AND announced_keys IS NULL")
            .bind(partner)
            .bind(json(&key_ids(keys)))
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Tells every partner this node's current keys when they differ from
    /// what it was last told: queues a [`Payload::KeyAnnouncement`] signed
    /// with the previous key while that is inside its rotation window (the
    /// key the partner trusts), with the current key otherwise (the
    /// partner then has to accept a new invitation). A partner with
    /// nothing recorded is taken to know the current keys. Returns the
    /// announcements queued.
    pub async fn announce_keys(&self, keys: &NodeKeys) -> Result<usize, StoreError> {
        let ids = key_ids(keys);
        let mut queued = 0;
        for p in self.partners().await? {
            if p.announced_keys.as_ref() == Some(&ids) {
                continue;
            }
            let now = crate::now();
            let mut tx = self.begin_write().await?;
            tx.lock(&format!("fed-keys:{}", p.id)).await?;
            // Another replica may have announced meanwhile.
            let (recorded,): (Option<String>,) =
                sql("SELECT announced_keys FROM fed_partners WHERE id = $1")
                    .bind(&p.id)
                    .fetch_one(&mut tx)
                    .await?;
            let recorded: Option<Vec<String>> = recorded
                .map(|r| parse("fed_partners", &p.id, &r))
                .transpose()?;
            match recorded {
                Some(r) if r == ids => continue,
                Some(_) => {
                    let signer = keys.previous(now).map(|k| k.key_id.clone());
                    enqueue_signed_tx(
                        &mut tx,
                        keys,
                        signer.as_deref(),
                        &p.id,
                        Payload::KeyAnnouncement {
                            keys: keys.public_keys(),
                        },
                        now,
                    )
                    .await?;
                    queued += 1;
                }
                None => {}
            }
            sql("UPDATE fed_partners SET announced_keys = $2 WHERE id = $1")
                .bind(&p.id)
                .bind(json(&ids))
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
        }
        Ok(queued)
    }

    /// Remembers that `origin` asked check `request_id` (at `now`) and
    /// forgets checks seen before `forget_before`; `false` when it was
    /// already remembered (a replay).
    pub async fn check_first_seen(
        &self,
        origin: &str,
        request_id: &str,
        now: OffsetDateTime,
        forget_before: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        sql("DELETE FROM fed_checks WHERE seen_at < $1")
            .bind(forget_before)
            .execute(&mut tx)
            .await?;
        let done = sql(
            "INSERT INTO fed_checks (origin, request_id, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (origin, request_id) DO NOTHING",
        )
        .bind(origin)
        .bind(request_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(done == 1)
    }

    /// Purges the digests of messages received before `before`, except the
    /// last one of each origin (it holds the origin's applied number). A
    /// duplicate of a purged number is then answered
    /// [`Receipt::Forgotten`]. Returns the rows removed.
    pub async fn purge_inbox_digests(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        let done = sql("DELETE FROM fed_inbox WHERE received_at < $1 AND seq < \
             (SELECT MAX(i.seq) FROM fed_inbox i WHERE i.origin = fed_inbox.origin)")
        .bind(before)
        .execute(self.writer())
        .await?;
        Ok(done)
    }

    /// Records contact with a partner now.
    pub async fn touch_partner(&self, id: &str) -> Result<(), StoreError> {
        sql("UPDATE fed_partners SET last_contact_at = $2 WHERE id = $1")
            .bind(id)
            .bind(crate::now())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Follows the change feed from where replication stopped, at most
    /// `limit` changes: for every changed own entry and every partner,
    /// queues what the outgoing agreement requires (a copy, a removal or
    /// nothing) and advances the cursor, in one transaction. Returns the
    /// number of changes consumed (0: up to date).
    pub async fn replicate_changes(
        &self,
        keys: &NodeKeys,
        limit: i64,
    ) -> Result<usize, StoreError> {
        let partners = self.partners().await?;
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        tx.lock("fed-replication").await?;
        let (cursor,): (i64,) = sql("SELECT seq FROM fed_cursor WHERE id = 1")
            .fetch_one(&mut tx)
            .await?;
        let rows: Vec<(i64, String, String, i64, String)> = sql(
            "SELECT c.seq, e.id, e.source, e.version, CAST(e.body AS TEXT) \
             FROM entity_changes c JOIN entities e ON e.id = c.id \
             WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
        )
        .bind(cursor)
        .bind(limit)
        .fetch_all(&mut tx)
        .await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            return Ok(0);
        };
        let mut done = std::collections::HashSet::new();
        for (_, id, source, version, body) in &rows {
            // Only own entries are ever shared; the current state is
            // what is sent, once per batch.
            if source != NATIONAL_SOURCE || !done.insert(id.clone()) {
                continue;
            }
            let entity = parse_entity("entities", id, body)?;
            replicate_entity_tx(&mut tx, keys, &partners, &entity, *version, now).await?;
        }
        sql("UPDATE fed_cursor SET seq = $1 WHERE id = 1")
            .bind(last)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Brings what `partner` holds in line with its current outgoing
    /// agreement for every own entry (after an agreement change): copies
    /// newly shared entries, removes copies no longer allowed. Returns the
    /// number of messages queued.
    pub async fn reconcile_partner(
        &self,
        keys: &NodeKeys,
        partner: &str,
    ) -> Result<usize, StoreError> {
        let Some(p) = self.partner(partner).await? else {
            return Err(StoreError::not_found(format!("partner {partner:?}")));
        };
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        tx.lock("fed-replication").await?;
        let rows: Vec<(String, i64, String)> = sql(
            "SELECT id, version, CAST(body AS TEXT) FROM entities WHERE source = $1 ORDER BY id",
        )
        .bind(NATIONAL_SOURCE)
        .fetch_all(&mut tx)
        .await?;
        let mut queued = 0;
        let one = std::slice::from_ref(&p);
        for (id, version, body) in &rows {
            let entity = parse_entity("entities", id, body)?;
            queued += replicate_entity_tx(&mut tx, keys, one, &entity, *version, now).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The own entries `partner` may screen against and at what level.
    pub async fn shared_with(&self, partner: &str) -> Result<Vec<(String, Level)>, StoreError> {
        let rows: Vec<(String, String)> =
            sql("SELECT entity_id, level FROM fed_shared WHERE partner = $1 ORDER BY entity_id")
                .bind(partner)
                .fetch_all(self.reader())
                .await?;
        rows.into_iter()
            .map(|(id, level)| {
                let l = parse_level(&id, &level)?;
                Ok((id, l))
            })
            .collect()
    }

    /// Queues a sequenced `payload` for `partner`, sealed with `keys`.
    /// Returns its number.
    pub async fn enqueue(
        &self,
        keys: &NodeKeys,
        partner: &str,
        payload: Payload,
    ) -> Result<i64, StoreError> {
        if !payload.is_sequenced() {
            return Err(StoreError::invalid(
                "payload",
                format!("a {} message is not queued", payload.kind()),
            ));
        }
        let mut tx = self.begin_write().await?;
        let seq = enqueue_tx(&mut tx, keys, partner, payload, crate::now()).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The undelivered messages to `partner` in order, at most `limit`,
    /// when the oldest is due at `now` (delivery is in order: a message
    /// waiting for a retry holds back those after it).
    pub async fn outbox_due(
        &self,
        partner: &str,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = self.outbox_rows(partner, true, limit).await?;
        Ok(match rows.first() {
            Some(first) if first.next_attempt_at > now => Vec::new(),
            _ => rows,
        })
    }

    /// Every message queued for `partner`, delivered or not, in order:
    /// the record of what left (or will leave) the node.
    pub async fn outbox(&self, partner: &str) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox_rows(partner, false, i64::MAX).await
    }

    /// Marks messages to `partner` up to `seq` delivered.
    pub async fn outbox_delivered(&self, partner: &str, seq: i64) -> Result<(), StoreError> {
        let now = crate::now();
        sql(
            "UPDATE fed_outbox SET delivered_at = $3, last_error = NULL \
             WHERE partner = $1 AND seq <= $2 AND delivered_at IS NULL",
        )
        .bind(partner)
        .bind(seq)
        .bind(now)
        .execute(self.writer())
        .await?;
        sql("UPDATE fed_partners SET last_contact_at = $2 WHERE id = $1")
            .bind(partner)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records a failed delivery of message `seq` and when to retry.
    pub async fn outbox_failed(
        &self,
        partner: &str,
        seq: i64,
        error: &str,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sql(
            "UPDATE fed_outbox SET attempts = attempts + 1, last_error = $3, \
             next_attempt_at = $4 WHERE partner = $1 AND seq = $2",
        )
        .bind(partner)
        .bind(seq)
        .bind(error)
        .bind(retry_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Records that `partner` numbered message `seq` but refused its
    /// content (its incoming agreement does not allow it), with its reason.
    pub async fn outbox_refused(
        &self,
        partner: &str,
        seq: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        sql("UPDATE fed_outbox SET refused = $3, refused_at = $4 WHERE partner = $1 AND seq = $2")
            .bind(partner)
            .bind(seq)
            .bind(reason)
            .bind(crate::now())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Outbox summary per partner.
    pub async fn outbox_stats(&self) -> Result<Vec<OutboxStats>, StoreError> {
        let partners = self.partners().await?;
        let mut out = Vec::with_capacity(partners.len());
        for p in partners {
            let (pending, last_seq, delivered_seq): (i64, i64, i64) = sql(
                "SELECT CAST(COUNT(*) FILTER (WHERE delivered_at IS NULL) AS BIGINT), \
                 CAST(COALESCE(MAX(seq), 0) AS BIGINT), \
                 CAST(COALESCE(MAX(seq) FILTER (WHERE delivered_at IS NOT NULL), 0) AS BIGINT) \
                 FROM fed_outbox WHERE partner = $1",
            )
            .bind(&p.id)
            .fetch_one(self.reader())
            .await?;
            let oldest: Option<(OffsetDateTime, Option<String>)> =
                sql("SELECT created_at, last_error FROM fed_outbox \
                 WHERE partner = $1 AND delivered_at IS NULL ORDER BY seq LIMIT 1")
                .bind(&p.id)
                .fetch_optional(self.reader())
                .await?;
            let (refused,): (i64,) = sql("SELECT CAST(COUNT(*) AS BIGINT) FROM fed_outbox \
                 WHERE partner = $1 AND refused IS NOT NULL")
            .bind(&p.id)
            .fetch_one(self.reader())
            .await?;
            let last_refusal: Option<(i64, String)> = sql("SELECT seq, refused FROM fed_outbox \
                 WHERE partner = $1 AND refused IS NOT NULL ORDER BY seq DESC LIMIT 1")
            .bind(&p.id)
            .fetch_optional(self.reader())
            .await?;
            out.push(OutboxStats {
                partner: p.id,
                pending,
                oldest_pending_at: oldest.as_ref().map(|o| o.0),
                last_seq,
                delivered_seq,
                last_error: oldest.and_then(|o| o.1),
                refused,
                last_refusal,
            });
        }
        Ok(out)
    }

    /// Inbox summary per origin.
    pub async fn inbox_heads(&self) -> Result<Vec<InboxHead>, StoreError> {
        Ok(sql("SELECT origin, CAST(MAX(seq) AS BIGINT) AS last_seq, \
             MAX(received_at) AS last_received_at FROM fed_inbox \
             GROUP BY origin ORDER BY origin")
        .fetch_all(self.reader())
        .await?)
    }

    /// Applies a verified sequenced message exactly once: decides with
    /// [`tansiq_federation::decide`], applies the payload (foreign entry
    /// copy or removal, hit notice, acknowledgement, follow-up) and records
    /// its number, in one transaction. A hit notice queues its
    /// acknowledgement in the same transaction.
    pub async fn receive(&self, keys: &NodeKeys, opened: &Opened) -> Result<Receipt, StoreError> {
        let env = &opened.envelope;
        let Some(seq) = env.seq else {
            return Err(StoreError::invalid(
                "seq",
                "only sequenced messages go through the inbox",
            ));
        };
        let Some(partner) = self.partner(&env.from).await? else {
            return Err(StoreError::not_found(format!("partner {:?}", env.from)));
        };
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        tx.lock(&format!("fed-in:{}", env.from)).await?;
        let (last,): (i64,) =
            sql("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM fed_inbox WHERE origin = $1")
                .bind(&env.from)
                .fetch_one(&mut tx)
                .await?;
        let recorded: Option<(String,)> =
            sql("SELECT digest FROM fed_inbox WHERE origin = $1 AND seq = $2")
                .bind(&env.from)
                .bind(seq as i64)
                .fetch_optional(&mut tx)
                .await?;
        if seq <= last as u64 && recorded.is_none() {
            // Numbers are applied without holes, so this one was
            // applied and its digest purged since.
            return Ok(Receipt::Forgotten);
        }
        let decision = tansiq_federation::decide(
            last as u64,
            recorded.as_ref().map(|r| r.0.as_str()),
            seq,
            &opened.digest,
        );
        match decision {
            Decision::Apply => {}
            Decision::Duplicate => return Ok(Receipt::Duplicate),
            Decision::Gap { expected } => return Ok(Receipt::Gap { expected }),
            Decision::Replay => return Ok(Receipt::Replay),
        }
        let outcome = apply_payload(&mut tx, keys, &partner, &env.payload, now).await?;
        sql(
            "INSERT INTO fed_inbox (origin, seq, digest, kind, outcome, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&env.from)
        .bind(seq as i64)
        .bind(&opened.digest)
        .bind(env.payload.kind())
        .bind(match &outcome {
            Ok(o) => o.clone(),
            Err(reason) => format!("refused: {reason}"),
        })
        .bind(now)
        .execute(&mut tx)
        .await?;
        sql("UPDATE fed_partners SET last_contact_at = $2 WHERE id = $1")
            .bind(&env.from)
            .bind(now)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(match outcome {
            Ok(outcome) => Receipt::Applied { outcome },
            Err(reason) => Receipt::Refused { reason },
        })
    }

    /// Records a hit seen here on `partner`'s entry and queues its notice,
    /// in one transaction. A hit id recorded before queues nothing again.
    pub async fn record_hit(
        &self,
        keys: &NodeKeys,
        partner: &str,
        notice: HitNotice,
    ) -> Result<FedHit, StoreError> {
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let inserted = insert_hit(&mut tx, "out", partner, &notice, now).await?;
        if inserted {
            let hit_id = notice.hit_id.clone();
            enqueue_tx(&mut tx, keys, partner, Payload::Hit(notice), now).await?;
            tx.commit().await?;
            self.fed_hit(&hit_id)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("hit {hit_id:?}")))
        } else {
            drop(tx);
            self.fed_hit(&notice.hit_id)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("hit {:?}", notice.hit_id)))
        }
    }

    /// Adds a message to the thread of hit `hit_id` and queues it for the
    /// other side, in one transaction.
    pub async fn send_follow_up(
        &self,
        keys: &NodeKeys,
        hit_id: &str,
        kind: FollowUpKind,
        text: &str,
        author: &str,
    ) -> Result<FollowUpRecord, StoreError> {
        if text.trim().is_empty() {
            return Err(StoreError::invalid(
                "text",
                "a follow-up message needs text",
            ));
        }
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let hit: Option<(String,)> = sql("SELECT partner FROM fed_hits WHERE hit_id = $1")
            .bind(hit_id)
            .fetch_optional(&mut tx)
            .await?;
        let Some((partner,)) = hit else {
            return Err(StoreError::not_found(format!("hit {hit_id:?}")));
        };
        let (n,): (i64,) = sql(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM fed_followups WHERE hit_id = $1 AND from_node = $2",
        )
        .bind(hit_id)
        .bind(keys.node())
        .fetch_one(&mut tx)
        .await?;
        let message_id = format!("{}:{}", keys.node(), n + 1);
        let f = follow_up(hit_id, message_id, kind, text, author);
        insert_follow_up(&mut tx, &f, keys.node(), now).await?;
        enqueue_tx(&mut tx, keys, &partner, Payload::FollowUp(f.clone()), now).await?;
        tx.commit().await?;
        Ok(FollowUpRecord {
            hit_id: f.hit_id,
            message_id: f.message_id,
            from_node: keys.node().to_string(),
            kind: f.kind.as_str().to_string(),
            text: f.text,
            author: f.author,
            recorded_at: now,
        })
    }

    /// Hits on foreign entries, newest first; `direction` `in` or `out`
    /// filters.
    pub async fn fed_hits(&self, direction: Option<&str>) -> Result<Vec<FedHit>, StoreError> {
        self.hit_rows(None, direction).await
    }

    /// One hit by id.
    pub async fn fed_hit(&self, hit_id: &str) -> Result<Option<FedHit>, StoreError> {
        Ok(self.hit_rows(Some(hit_id), None).await?.into_iter().next())
    }

    /// The thread of a hit, oldest first.
    pub async fn follow_ups(&self, hit_id: &str) -> Result<Vec<FollowUpRecord>, StoreError> {
        Ok(sql(
            "SELECT hit_id, message_id, from_node, kind, text, author, recorded_at \
             FROM fed_followups WHERE hit_id = $1 ORDER BY recorded_at, message_id",
        )
        .bind(hit_id)
        .fetch_all(self.reader())
        .await?)
    }

    async fn partner_rows(&self, id: Option<&str>) -> Result<Vec<Partner>, StoreError> {
        let rows: Vec<PartnerRow> = sql(
            "SELECT id, base_url, keys, outgoing, incoming, created_at, updated_at, \
             last_contact_at, announced_keys FROM fed_partners \
             WHERE ($1 IS NULL OR id = $1) ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(Partner::try_from).collect()
    }

    async fn outbox_rows(
        &self,
        partner: &str,
        pending_only: bool,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows: Vec<OutboxRow> = sql(
            "SELECT partner, seq, kind, subject, body, key_id, signature, created_at, attempts, \
             next_attempt_at, last_error, delivered_at FROM fed_outbox \
             WHERE partner = $1 AND ($2 = FALSE OR delivered_at IS NULL) \
             ORDER BY seq LIMIT $3",
        )
        .bind(partner)
        .bind(pending_only)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.into_iter().map(OutboxItem::from).collect())
    }

    async fn hit_rows(
        &self,
        hit_id: Option<&str>,
        direction: Option<&str>,
    ) -> Result<Vec<FedHit>, StoreError> {
        let rows: Vec<FedHitRow> = sql(
            "SELECT hit_id, direction, partner, reference, action, via, traveller, score, \
             screened_at, recorded_at, acked_at FROM fed_hits \
             WHERE ($1 IS NULL OR hit_id = $1) AND ($2 IS NULL OR direction = $2) \
             ORDER BY recorded_at DESC, hit_id",
        )
        .bind(hit_id)
        .bind(direction)
        .fetch_all(self.reader())
        .await?;
        rows.into_iter().map(FedHit::try_from).collect()
    }
}

/// Purges, in the transaction that stores the new incoming
/// agreement, every copy held from `partner` that it no longer
/// allows as a full copy (issue 16, finding 6): this node keeps
/// exactly what its agreement allows now, not what it allowed
/// when the copy arrived. Each becomes a tombstone, as on the
/// partner's own withdrawal.
async fn purge_disallowed_copies(
    tx: &mut Tx,
    partner: &str,
    incoming: &Agreement,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let held: Vec<(String, i64, String)> =
        sql("SELECT id, version, CAST(body AS TEXT) FROM entities \
         WHERE source = $1 AND status = 'active' ORDER BY id")
        .bind(format!("fed:{partner}"))
        .fetch_all(&mut *tx)
        .await?;
    // The change is the agreement's; the administrator who
    // changed it is in the audit event of that change.
    let actor = format!("agreement:{partner}");
    let reason = format!("the incoming agreement with {partner} no longer allows a full copy");
    for (local, version, body) in held {
        let copy = parse_entity("entities", &local, &body)?;
        if tansiq_federation::copy_still_allowed(incoming, &copy) {
            continue;
        }
        tx.lock(&format!("entity:{local}")).await?;
        let origin_id = copy
            .provenance
            .source_record_id
            .clone()
            .unwrap_or_else(|| local.trim_start_matches(&format!("{partner}:")).to_string());
        purge_foreign_tx(
            tx, &local, partner, &origin_id, version, &reason, &actor, now,
        )
        .await??;
    }
    Ok(())
}

/// Queues one sealed message inside `tx`.
async fn enqueue_tx(
    tx: &mut Tx,
    keys: &NodeKeys,
    partner: &str,
    payload: Payload,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    enqueue_signed_tx(tx, keys, None, partner, payload, now).await
}

/// Queues one message inside `tx`, sealed with the key `signer`
/// (the current key when `None`).
async fn enqueue_signed_tx(
    tx: &mut Tx,
    keys: &NodeKeys,
    signer: Option<&str>,
    partner: &str,
    payload: Payload,
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    tx.lock(&format!("fed-out:{partner}")).await?;
    let (head,): (i64,) =
        sql("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM fed_outbox WHERE partner = $1")
            .bind(partner)
            .fetch_one(&mut *tx)
            .await?;
    let seq = head + 1;
    let kind = payload.kind();
    let subject = subject(&payload);
    let envelope =
        tansiq_federation::Envelope::new(keys.node(), partner, Some(seq as u64), now, payload);
    let sealed = match signer {
        Some(k) => tansiq_federation::seal_with(keys, k, &envelope)
            .ok_or_else(|| StoreError::invalid("signer", format!("key {k} cannot sign")))?,
        None => tansiq_federation::seal(keys, &envelope),
    };
    sql(
        "INSERT INTO fed_outbox (partner, seq, kind, subject, body, key_id, signature, \
         created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)",
    )
    .bind(partner)
    .bind(seq)
    .bind(kind)
    .bind(subject)
    .bind(&sealed.body)
    .bind(&sealed.key_id)
    .bind(&sealed.signature)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found(format!("partner {partner:?}"))
        }
        _ => e.into(),
    })?;
    Ok(seq)
}

/// For one own entity (its current state and version) and each
/// partner: queues what the agreement requires and records what
/// the partner now holds. Returns the messages queued.
async fn replicate_entity_tx(
    tx: &mut Tx,
    keys: &NodeKeys,
    partners: &[Partner],
    entity: &tansiq_model::Entity,
    version: i64,
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    for p in partners {
        let before: Option<(String, i64)> =
            sql("SELECT level, version FROM fed_shared WHERE partner = $1 AND entity_id = $2")
                .bind(&p.id)
                .bind(&entity.id)
                .fetch_optional(&mut *tx)
                .await?;
        let key = format!("{} {}", p.id, entity.id);
        let before_level = before
            .as_ref()
            .map(|(l, _)| parse_level(&key, l))
            .transpose()?;
        let changed = before.as_ref().is_none_or(|(_, v)| *v != version);
        let after = p.outgoing.level(entity);
        let payload = match replication(before_level, after, changed) {
            Some(Replicate::Upsert) => Some(Payload::EntryUpsert {
                entity: Box::new(entity.clone()),
            }),
            Some(Replicate::Remove) => Some(Payload::EntryRemove {
                id: entity.id.clone(),
                reason: if entity.status == tansiq_model::EntryStatus::Active {
                    "no longer shared under the agreement".to_string()
                } else {
                    "withdrawn by the originator".to_string()
                },
            }),
            None => None,
        };
        if let Some(payload) = payload {
            enqueue_tx(tx, keys, &p.id, payload, now).await?;
            queued += 1;
        }
        match after {
            Some(level) => {
                sql(
                    "INSERT INTO fed_shared (partner, entity_id, level, version) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (partner, entity_id) \
                     DO UPDATE SET level = $3, version = $4",
                )
                .bind(&p.id)
                .bind(&entity.id)
                .bind(level_str(level))
                .bind(version)
                .execute(&mut *tx)
                .await?;
            }
            None if before.is_some() => {
                sql("DELETE FROM fed_shared WHERE partner = $1 AND entity_id = $2")
                    .bind(&p.id)
                    .bind(&entity.id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {}
        }
    }
    Ok(queued)
}

/// Applies one payload from `partner` inside `tx`: `Ok(outcome)`
/// when taken, `Err(reason)` when refused.
async fn apply_payload(
    tx: &mut Tx,
    keys: &NodeKeys,
    partner: &Partner,
    payload: &Payload,
    now: OffsetDateTime,
) -> Result<Result<String, String>, StoreError> {
    let origin = partner.id.as_str();
    let source = format!("fed:{origin}");
    let actor = format!("node:{origin}");
    match payload {
        Payload::EntryUpsert { entity } => {
            if partner.incoming.level(entity) != Some(Level::Full) {
                return Ok(Err(format!(
                    "entry {:?}: the incoming agreement with {origin} does not allow a full copy",
                    entity.id
                )));
            }
            let copy = foreign_copy(origin, (**entity).clone());
            tx.lock(&format!("entity:{}", copy.id)).await?;
            let row: Option<(String, i64, String, String)> = sql(
                "SELECT source, version, status, CAST(body AS TEXT) FROM entities WHERE id = $1",
            )
            .bind(&copy.id)
            .fetch_optional(&mut *tx)
            .await?;
            let write = match row {
                Some((held, _, _, _)) if held != source => {
                    return Ok(Err(format!(
                        "entry id {:?} is held by source {held:?} here",
                        copy.id
                    )));
                }
                Some((_, version, _, body)) => {
                    let old = parse_entity("entities", &copy.id, &body)?;
                    if old == copy {
                        return Ok(Ok(format!("{} unchanged", copy.id)));
                    }
                    Write {
                        changed: crate::diff::changed_fields(&old, &copy),
                        entity: copy,
                        version: version + 1,
                        exists: true,
                        change: Change::Updated,
                        reason: format!("replicated from {origin}"),
                    }
                }
                None => Write {
                    entity: copy,
                    version: 1,
                    exists: false,
                    change: Change::Created,
                    changed: Vec::new(),
                    reason: format!("replicated from {origin}"),
                },
            };
            let id = write.entity.id.clone();
            match apply(tx, std::slice::from_ref(&write), None, &actor, now).await {
                Ok(()) => Ok(Ok(format!("{id} stored"))),
                Err(ApplyError::Db(e)) => Err(e.into()),
                Err(ApplyError::Store(e)) => Err(e),
                Err(ApplyError::Collision(_)) => Err(StoreError::Conflict(format!(
                    "entity id {id:?} was created concurrently"
                ))),
            }
        }
        Payload::EntryRemove { id, reason } => {
            let local = tansiq_federation::foreign_id(origin, id);
            tx.lock(&format!("entity:{local}")).await?;
            let row: Option<(String, i64, String)> =
                sql("SELECT source, version, status FROM entities WHERE id = $1")
                    .bind(&local)
                    .fetch_optional(&mut *tx)
                    .await?;
            let version = match row {
                Some((held, version, status)) if held == source && status == "active" => version,
                _ => return Ok(Ok(format!("{local} not held"))),
            };
            match purge_foreign_tx(
                tx,
                &local,
                origin,
                id,
                version,
                &format!("{origin}: {reason}"),
                &actor,
                now,
            )
            .await?
            {
                Ok(()) => Ok(Ok(format!("{local} removed"))),
                Err(e) => Err(e),
            }
        }
        Payload::Hit(notice) => {
            // Only a hit on an entry this partner was given (at
            // any level) is taken.
            let shared: Option<(String,)> =
                sql("SELECT level FROM fed_shared WHERE partner = $1 AND entity_id = $2")
                    .bind(origin)
                    .bind(&notice.reference)
                    .fetch_optional(&mut *tx)
                    .await?;
            if shared.is_none() {
                return Ok(Err(format!(
                    "hit {}: entry {:?} is not shared with {origin}",
                    notice.hit_id, notice.reference
                )));
            }
            // The receiver keeps only what both agreements
            // allow: the sender minimised the traveller with its
            // incoming agreement, this node with its outgoing
            // one (issue 16, finding 8).
            let kept = HitNotice {
                traveller: partner.outgoing.minimise(&notice.traveller),
                ..notice.clone()
            };
            let inserted = insert_hit(tx, "in", origin, &kept, now).await?;
            enqueue_tx(
                tx,
                keys,
                origin,
                Payload::HitAck {
                    hit_id: notice.hit_id.clone(),
                },
                now,
            )
            .await?;
            Ok(Ok(if inserted {
                format!("hit {} recorded", notice.hit_id)
            } else {
                format!("hit {} already recorded", notice.hit_id)
            }))
        }
        Payload::HitAck { hit_id } => {
            sql(
                "UPDATE fed_hits SET acked_at = $3 WHERE hit_id = $1 AND partner = $2 \
                 AND direction = 'out' AND acked_at IS NULL",
            )
            .bind(hit_id)
            .bind(origin)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Ok(Ok(format!("hit {hit_id} acknowledged")))
        }
        Payload::FollowUp(f) => {
            let hit: Option<(String,)> = sql("SELECT partner FROM fed_hits WHERE hit_id = $1")
                .bind(&f.hit_id)
                .fetch_optional(&mut *tx)
                .await?;
            if hit.as_ref().is_none_or(|(p,)| p != origin) {
                return Ok(Err(format!(
                    "follow-up {}: no hit {:?} with {origin}",
                    f.message_id, f.hit_id
                )));
            }
            insert_follow_up(tx, f, origin, now).await?;
            Ok(Ok(format!("follow-up {} on {}", f.kind.as_str(), f.hit_id)))
        }
        Payload::KeyAnnouncement { keys: announced } => {
            // Opened with a key of `origin` already trusted
            // here: take the keys it vouches for.
            let merged = match tansiq_federation::merge_announced(&partner.keys, announced) {
                Ok(m) => m,
                Err(e) => return Ok(Err(e.to_string())),
            };
            sql("UPDATE fed_partners SET keys = $2, updated_at = $3 WHERE id = $1")
                .bind(origin)
                .bind(json(&merged))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            Ok(Ok(format!(
                "keys of {origin}: {}",
                merged
                    .iter()
                    .map(|k| k.key_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
        Payload::Check { .. } | Payload::CheckAnswer { .. } => Ok(Err(format!(
            "a {} message is not sequenced",
            payload.kind()
        ))),
    }
}

/// Purges a partner's copy (issue 16, finding 6): what the
/// agreement no longer gives is not kept. The copy's row becomes
/// a tombstone (id, origin, version, time: no names, no
/// documents, no body beyond them) written as a withdrawal, so
/// the index and replicas drop it through the change feed; its
/// names, documents, earlier versions and their feed rows are
/// deleted. With SQLite's `secure_delete` the deleted bytes are
/// overwritten in the file.
#[allow(clippy::too_many_arguments)] // one purge, all of it in one transaction
async fn purge_foreign_tx(
    tx: &mut Tx,
    local: &str,
    origin: &str,
    origin_id: &str,
    version: i64,
    reason: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Result<(), StoreError>, StoreError> {
    let tombstone = tombstone(local, origin, origin_id);
    let write = Write {
        entity: tombstone,
        version: version + 1,
        exists: true,
        change: Change::Withdrawn,
        changed: vec!["status".to_string()],
        reason: reason.to_string(),
    };
    match apply(tx, std::slice::from_ref(&write), None, actor, now).await {
        Ok(()) => {}
        Err(ApplyError::Db(e)) => return Err(e.into()),
        Err(ApplyError::Store(e)) => return Err(e),
        Err(ApplyError::Collision(_)) => {
            return Ok(Err(StoreError::Conflict(format!(
                "entry {local:?} changed concurrently"
            ))));
        }
    }
    for older in [
        "DELETE FROM entity_changes WHERE id = $1 AND version < $2",
        "DELETE FROM entity_versions WHERE id = $1 AND version < $2",
    ] {
        sql(older)
            .bind(local)
            .bind(version + 1)
            .execute(&mut *tx)
            .await?;
    }
    for lookup in [
        "DELETE FROM entity_names WHERE entity_id = $1",
        "DELETE FROM entity_documents WHERE entity_id = $1",
    ] {
        sql(lookup).bind(local).execute(&mut *tx).await?;
    }
    Ok(Ok(()))
}

async fn insert_hit(
    tx: &mut Tx,
    direction: &str,
    partner: &str,
    n: &HitNotice,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let via = match n.via {
        tansiq_federation::HitVia::LocalCopy => "local-copy",
        tansiq_federation::HitVia::HitNoHit => "hit-no-hit",
    };
    let done = sql(
        "INSERT INTO fed_hits (hit_id, direction, partner, reference, action, via, \
         traveller, score, screened_at, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (hit_id) DO NOTHING",
    )
    .bind(&n.hit_id)
    .bind(direction)
    .bind(partner)
    .bind(&n.reference)
    .bind(n.action.map(|a| a.as_str()))
    .bind(via)
    .bind(json(&n.traveller))
    .bind(n.score)
    .bind(n.screened_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done == 1)
}

async fn insert_follow_up(
    tx: &mut Tx,
    f: &FollowUp,
    from_node: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sql(
        "INSERT INTO fed_followups (hit_id, message_id, from_node, kind, text, author, \
         recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (hit_id, message_id) DO NOTHING",
    )
    .bind(&f.hit_id)
    .bind(&f.message_id)
    .bind(from_node)
    .bind(f.kind.as_str())
    .bind(&f.text)
    .bind(&f.author)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done == 1)
}

/// A follow-up message as queued (its id unique at the sender).
pub(crate) fn follow_up(
    hit_id: &str,
    message_id: String,
    kind: FollowUpKind,
    text: &str,
    author: &str,
) -> FollowUp {
    FollowUp {
        hit_id: hit_id.to_string(),
        message_id,
        kind,
        text: text.trim().to_string(),
        author: author.to_string(),
    }
}
