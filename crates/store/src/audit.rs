//! The append-only, hash-chained audit log.
//!
//! Each event gets the next `seq` (1, 2, 3… with no gap) and a hash over
//! its fields and the previous event's hash, so editing, deleting or
//! reordering any row breaks the chain at that row, and [`verify_chain`]
//! names it. What a chain alone cannot show is a forged *tail* (an attacker
//! with write access can append or truncate and rehash): that needs the
//! head ([`AuditHead`]) signed and kept outside the database, which the
//! caller does and checks with [`crate::Store::verify_audit_against`].
//!
//! The payload (which may hold traveller data) enters the chain only
//! through its SHA-256, so it can be purged after the retention period
//! ([`crate::Store::purge_audit_payloads`]) and the chain still verifies.
//! Payloads are stored as text, not `jsonb`, so their bytes (and hashes)
//! survive the round trip on both backends.

use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::db::{Tx, insert_rows, sql};
use crate::diff::hex;
use crate::entities::CHUNK;
use crate::{Journal, Store, StoreError};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing that happened, as the caller reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// When it happened (kept to the microsecond).
    pub at: OffsetDateTime,
    /// Who did it (a user id, `system`, a partner node).
    pub actor: String,
    /// What was done, e.g. `screen`, `entry.update`, `login`.
    pub action: String,
    /// What it was done to (an entry id, a user id), when there is one.
    pub subject: Option<String>,
    /// Facts kept for the life of the log (agency, outcome, key id). No
    /// traveller data here: it is never purged.
    pub facts: Value,
    /// Details that retention purges (query, travel document, matches).
    pub payload: Value,
}

/// One stored event with its place in the chain.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    /// `facts` as stored (JSON text).
    pub facts: String,
    /// `payload` as stored (JSON text), `None` once purged.
    pub payload: Option<String>,
    pub payload_hash: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The last event of the chain: what a signed checkpoint records.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The time as hashed: RFC 3339 in UTC, to the microsecond.
pub(crate) fn time_text(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `at` cut to the microsecond (PostgreSQL's precision), in UTC.
pub(crate) fn micros(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

/// The hash of an event: SHA-256 over each field length-prefixed, so no
/// two different events (e.g. with a newline moved between fields) hash
/// alike.
#[allow(clippy::too_many_arguments)]
pub(crate) fn event_hash(
    seq: i64,
    at: OffsetDateTime,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    facts: &str,
    payload_hash: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let at = time_text(at);
    let subject = subject.map_or_else(|| "\u{0}none".to_string(), str::to_string);
    for field in [
        "tansiq-audit-v1",
        &seq,
        &at,
        actor,
        action,
        &subject,
        facts,
        payload_hash,
        prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

/// Builds the records of `events` appended after `head`.
pub(crate) fn chain(head: Option<&AuditHead>, events: &[AuditEvent]) -> Vec<AuditRecord> {
    let (mut seq, mut prev) = match head {
        Some(h) => (h.seq, h.hash.clone()),
        None => (0, GENESIS.to_string()),
    };
    events
        .iter()
        .map(|e| {
            seq += 1;
            let at = micros(e.at);
            let facts = e.facts.to_string();
            let payload = e.payload.to_string();
            let payload_hash = sha256_hex(payload.as_bytes());
            let hash = event_hash(
                seq,
                at,
                &e.actor,
                &e.action,
                e.subject.as_deref(),
                &facts,
                &payload_hash,
                &prev,
            );
            let record = AuditRecord {
                seq,
                at,
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: e.subject.clone(),
                facts,
                payload: Some(payload),
                payload_hash,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            };
            prev = hash;
            record
        })
        .collect()
}

/// Checks records that follow `head` (`None`: the chain's start): seq
/// contiguous, `prev_hash` linking, each hash and payload hash right.
/// Returns the new head. The error names the first bad event.
pub fn verify_chain(
    head: Option<&AuditHead>,
    records: &[AuditRecord],
) -> Result<Option<AuditHead>, StoreError> {
    let mut prev = head.map_or_else(|| GENESIS.to_string(), |h| h.hash.clone());
    let mut last = head.cloned();
    for (expect_seq, r) in (head.map_or(1, |h| h.seq + 1)..).zip(records) {
        let broken = |reason: &str| StoreError::ChainBroken {
            seq: expect_seq,
            reason: reason.to_string(),
        };
        if r.seq != expect_seq {
            return Err(broken(&format!(
                "expected event {expect_seq}, found {} (an event is missing or out of place)",
                r.seq
            )));
        }
        if r.prev_hash != prev {
            return Err(broken(
                "its previous-hash does not match the event before it",
            ));
        }
        if let Some(payload) = &r.payload
            && sha256_hex(payload.as_bytes()) != r.payload_hash
        {
            return Err(broken("its payload does not match its payload hash"));
        }
        let hash = event_hash(
            r.seq,
            r.at,
            &r.actor,
            &r.action,
            r.subject.as_deref(),
            &r.facts,
            &r.payload_hash,
            &r.prev_hash,
        );
        if hash != r.hash {
            return Err(broken("its content does not match its hash"));
        }
        prev = hash;
        last = Some(AuditHead {
            seq: r.seq,
            hash: r.hash.clone(),
        });
    }
    Ok(last)
}

/// Audit events read per query when walking the chain.
const AUDIT_PAGE: i64 = 10_000;

impl Store {
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
        Ok(sql(
            "SELECT seq, at, actor, action, subject, facts, payload, payload_hash, prev_hash, \
             hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
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
        let mut tx = self.begin_write().await?;
        tx.lock("audit").await?;
        let purged =
            sql("UPDATE audit_log SET payload = NULL WHERE at < $1 AND payload IS NOT NULL")
                .bind(micros(before))
                .execute(&mut tx)
                .await?;
        tx.commit().await?;
        Ok(purged)
    }
}

/// Appends `events` to the hash-chained audit log inside `tx`: they commit
/// (or roll back) with whatever else `tx` writes. Takes the `audit` lock,
/// so the chain stays one whatever the number of writers.
pub(crate) async fn append_audit_tx(
    tx: &mut Tx,
    events: &[AuditEvent],
) -> Result<Vec<AuditRecord>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    tx.lock("audit").await?;
    let head: Option<AuditHead> = sql("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    let records = chain(head.as_ref(), events);
    for chunk in records.chunks(CHUNK) {
        let mut q = insert_rows(
            "INSERT INTO audit_log (seq, at, actor, action, subject, facts, payload, \
             payload_hash, prev_hash, hash) VALUES ",
            chunk.len(),
            10,
        );
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
        q.execute(&mut *tx).await?;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(i: i64) -> AuditEvent {
        AuditEvent {
            at: OffsetDateTime::from_unix_timestamp(1_800_000_000 + i).unwrap(),
            actor: format!("officer-{i}"),
            action: "screen".into(),
            subject: (i % 2 == 0).then(|| format!("entry-{i}")),
            facts: json!({"agency": "dz-dgsn", "outcome": "ok"}),
            payload: json!({"query": {"name": "Fictive Traveller", "n": i}}),
        }
    }

    fn built(n: i64) -> Vec<AuditRecord> {
        chain(None, &(1..=n).map(event).collect::<Vec<_>>())
    }

    fn broken_at(records: &[AuditRecord]) -> Option<i64> {
        match verify_chain(None, records) {
            Ok(_) => None,
            Err(StoreError::ChainBroken { seq, .. }) => Some(seq),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn a_fresh_chain_verifies_and_continues_from_its_head() {
        let records = built(5);
        assert_eq!(records[0].prev_hash, GENESIS);
        assert_eq!(records[4].seq, 5);
        let head = verify_chain(None, &records).unwrap().unwrap();
        assert_eq!(
            head,
            AuditHead {
                seq: 5,
                hash: records[4].hash.clone()
            }
        );
        let more = chain(Some(&head), &[event(6)]);
        assert_eq!(more[0].seq, 6);
        assert_eq!(more[0].prev_hash, head.hash);
        assert!(verify_chain(Some(&head), &more).is_ok());
        assert_eq!(verify_chain(None, &[]).unwrap(), None);
    }

    #[test]
    fn every_kind_of_tampering_names_the_event() {
        let records = built(6);
        let mut edited = records.clone();
        edited[2].actor = "mallory".into();
        assert_eq!(broken_at(&edited), Some(3));

        let mut facts = records.clone();
        facts[3].facts = r#"{"agency":"other"}"#.into();
        assert_eq!(broken_at(&facts), Some(4));

        let mut payload = records.clone();
        payload[1].payload = Some(r#"{"query":"changed"}"#.into());
        assert_eq!(broken_at(&payload), Some(2));

        let mut deleted = records.clone();
        deleted.remove(3);
        assert_eq!(broken_at(&deleted), Some(4));

        let mut reordered = records.clone();
        reordered.swap(1, 2);
        assert_eq!(broken_at(&reordered), Some(2));

        // Renumbering after a swap still breaks the links.
        let mut renumbered = records.clone();
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(broken_at(&renumbered), Some(2));

        let mut time_moved = records.clone();
        time_moved[5].at += time::Duration::seconds(1);
        assert_eq!(broken_at(&time_moved), Some(6));
    }

    #[test]
    fn a_purged_payload_still_verifies_but_its_hash_is_kept() {
        let mut records = built(3);
        records[1].payload = None;
        assert!(verify_chain(None, &records).is_ok());
        records[1].payload_hash = sha256_hex(b"other");
        assert_eq!(broken_at(&records), Some(2));
    }

    #[test]
    fn fields_cannot_shift_into_one_another() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let a = event_hash(1, at, "ab", "c", None, "{}", "h", GENESIS);
        let b = event_hash(1, at, "a", "bc", None, "{}", "h", GENESIS);
        let c = event_hash(1, at, "a", "bc", Some(""), "{}", "h", GENESIS);
        assert_ne!(a, b);
        assert_ne!(b, c);
    }
}
