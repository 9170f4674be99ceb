//! Audit events: every screening, view, search, change, key issue and
//! authentication failure is reported to an [`AuditSink`].
//!
//! The handlers call [`AuditSink::record`] and do not care where the event
//! goes. [`StoreAudit`] (what a node runs) appends to the store's
//! hash-chained audit log; [`TracingAudit`] writes structured log lines on
//! the `tansiq::audit` target; [`MemoryAudit`] keeps events for tests.
//!
//! `record` must not block: the screening path calls it. [`StoreAudit`]
//! queues events on the node's [`Journal`], which appends whatever has
//! queued up in one transaction (group commit), so a burst of screenings
//! costs one disk flush, not one each. What must not be answered before
//! its event is durable waits on [`AuditSink::flush`]: screenings
//! (`/v1/screen`, manifests) wait for their record and event; entry
//! writes commit their event in their own transaction
//! ([`AuditSink::store_backed`]). Other events (reads, refusals) are
//! durable shortly *after* their answer: a crash loses at most the last
//! batch (milliseconds), never a chain link. A failed append is retried
//! with back-off until it succeeds (events queue behind it in order).

use std::fmt;
use std::sync::Mutex;

use tansiq_store::Store;
use tokio::sync::oneshot;

use crate::journal::Journal;

use serde::Serialize;
use time::OffsetDateTime;

/// One audited action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The user (`-` when unauthenticated).
    pub actor: String,
    pub agency: String,
    /// The API key used (`-` when none).
    pub key_id: String,
    /// What was done, e.g. `screen`, `entry.create`, `entity.view`.
    pub action: &'static str,
    /// What it was done to (an entry id, a user id…).
    pub target: Option<String>,
    /// `ok`, `denied`, `not-found`, `failed`.
    pub outcome: &'static str,
    /// Action-specific facts (band, match ids, border post…). Traveller
    /// data is kept here, so this is what retention purges.
    pub detail: serde_json::Value,
}

/// Where audit events go.
pub trait AuditSink: Send + Sync + fmt::Debug {
    /// Records an event. Must not block for long: it is on the request path.
    fn record(&self, event: AuditEvent);

    /// Resolves once every event recorded so far is durable (`None`: the
    /// sink has nothing to wait for).
    fn flush(&self) -> Option<oneshot::Receiver<()>> {
        None
    }

    /// The journal this sink writes through, if any: the node then commits
    /// screening records and hits in the same transactions.
    fn journal(&self) -> Option<Journal> {
        None
    }

    /// Whether events go to the store's audit log: writes then append
    /// their event inside their own transaction
    /// ([`tansiq_store::Store::put_entry_audited`]) instead of recording
    /// it here.
    fn store_backed(&self) -> bool {
        false
    }
}

/// The node's sink: appends to the store's hash-chained audit log through
/// the node's [`Journal`] (group commit with screening records and hits).
pub struct StoreAudit {
    journal: Journal,
}

impl fmt::Debug for StoreAudit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreAudit")
    }
}

impl StoreAudit {
    /// Starts the node's journal writer on the current runtime.
    pub fn start(store: Store) -> StoreAudit {
        StoreAudit {
            journal: Journal::start(store),
        }
    }
}

/// The store's form of an event: agency, key and outcome are facts kept
/// for the life of the log; the detail is the purgeable payload.
pub(crate) fn to_store(e: AuditEvent) -> tansiq_store::AuditEvent {
    tansiq_store::AuditEvent {
        at: e.at,
        actor: e.actor,
        action: e.action.to_string(),
        subject: e.target,
        facts: serde_json::json!({
            "agency": e.agency,
            "key_id": e.key_id,
            "outcome": e.outcome,
        }),
        payload: e.detail,
    }
}

impl AuditSink for StoreAudit {
    fn record(&self, event: AuditEvent) {
        self.journal.audit(to_store(event));
    }

    fn flush(&self) -> Option<oneshot::Receiver<()>> {
        self.journal.flush()
    }

    fn journal(&self) -> Option<Journal> {
        Some(self.journal.clone())
    }

    fn store_backed(&self) -> bool {
        true
    }
}

/// Writes events to the `tansiq::audit` tracing target as structured
/// fields (one JSON document in `event`). Not tamper-evident: a stand-in
/// until the store's hash-chained audit log exists.
#[derive(Debug, Default)]
pub struct TracingAudit;

impl AuditSink for TracingAudit {
    fn record(&self, event: AuditEvent) {
        let json = serde_json::to_string(&event).unwrap_or_default();
        tracing::info!(target: "tansiq::audit", action = event.action, outcome = event.outcome, event = %json);
    }
}

/// Keeps every event in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
}

impl MemoryAudit {
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl AuditSink for MemoryAudit {
    fn record(&self, event: AuditEvent) {
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }
}
