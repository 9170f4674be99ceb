//! Stored screening records checked against the audit events that
//! recorded them.
//!
//! A `screen` event carries the [`ScreeningRecord::content_hash`] of its
//! traveller's record, a `screen.manifest` event the
//! [`tansiq_store::records_digest`] of its travellers' records. The hash
//! chain proves the events unchanged; this check proves the records they
//! name unchanged too: a record edited after the fact (a match removed, a
//! band lowered) no longer hashes as its event says. A record that is no
//! longer stored is counted apart: retention deletes records, and a
//! failed write leaves a screening without one (the traveller is never
//! kept waiting for the review database).

use std::collections::HashMap;

use tansiq_store::{AuditRecord, ScreeningRecord, Store, StoreError, records_digest};

/// Audit events read at a time.
const EVENTS_PER_PAGE: i64 = 2_000;

/// What [`verify_screening_records`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordCheck {
    /// Events whose records are stored and hash as the event recorded.
    pub intact: u64,
    /// Events whose records are no longer stored (retention, or a record
    /// that was never written).
    pub absent: u64,
    /// Records that differ from what their event recorded, or a manifest
    /// missing some of its travellers' records (retention removes a
    /// manifest's records together: they share its crossing time).
    pub altered: Vec<AlteredRecord>,
}

/// A record that is not what its audit event recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlteredRecord {
    /// The audit event that recorded it.
    pub seq: i64,
    /// The screening id (a manifest's id for a manifest).
    pub screening: String,
}

/// What an event says its records hash to.
struct Recorded {
    seq: i64,
    /// The event's subject: the screening id, or the manifest's.
    subject: String,
    /// The screening ids, in the order the hash covers them.
    ids: Vec<String>,
    hash: String,
    /// Several records under one digest (a manifest).
    manifest: bool,
}

/// The records an event names, when it names any and its payload is
/// still there (retention removes payloads and records together).
fn recorded(event: &AuditRecord) -> Option<Recorded> {
    let payload: serde_json::Value = serde_json::from_str(event.payload.as_deref()?).ok()?;
    let subject = event.subject.clone()?;
    let hash = payload.get("record").or_else(|| payload.get("records"))?;
    let hash = hash.as_str().filter(|h| !h.is_empty())?.to_string();
    match event.action.as_str() {
        "screen" => Some(Recorded {
            seq: event.seq,
            ids: vec![subject.clone()],
            subject,
            hash,
            manifest: false,
        }),
        "screen.manifest" => {
            let travellers = payload.get("travellers")?.as_u64()?;
            Some(Recorded {
                seq: event.seq,
                ids: (0..travellers).map(|i| format!("{subject}.{i}")).collect(),
                subject,
                hash,
                manifest: true,
            })
        }
        _ => None,
    }
}

/// Checks every screening record an audit event in `scope` names against
/// the hash the event carries. Run it after the chain itself verified
/// ([`Store::verify_audit`]): it trusts the events' payloads. The scope is
/// the reader's: every event for the node's operator (`tansiq audit
/// verify`), an auditor's view of the log on the console (an agency
/// auditor learns nothing of another agency's screenings).
pub async fn verify_screening_records(
    store: &Store,
    scope: &(dyn Fn(&AuditRecord) -> bool + Sync),
) -> Result<RecordCheck, StoreError> {
    let mut check = RecordCheck::default();
    let mut after = 0;
    loop {
        let page = store.audit_records(after, EVENTS_PER_PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(check);
        };
        after = last.seq;
        let named: Vec<Recorded> = page
            .iter()
            .filter(|r| scope(r))
            .filter_map(recorded)
            .collect();
        if named.is_empty() {
            continue;
        }
        let ids: Vec<String> = named.iter().flat_map(|r| r.ids.iter().cloned()).collect();
        let stored: HashMap<String, ScreeningRecord> = store
            .screenings_by_ids(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        for r in named {
            let hashes: Vec<String> = r
                .ids
                .iter()
                .filter_map(|id| stored.get(id).map(ScreeningRecord::content_hash))
                .collect();
            let found = if hashes.is_empty() {
                None
            } else if !r.manifest {
                Some(hashes[0] == r.hash)
            } else {
                Some(
                    hashes.len() == r.ids.len()
                        && records_digest(hashes.iter().map(String::as_str)) == r.hash,
                )
            };
            match found {
                None => check.absent += 1,
                Some(true) => check.intact += 1,
                Some(false) => check.altered.push(AlteredRecord {
                    seq: r.seq,
                    screening: r.subject,
                }),
            }
        }
    }
}
