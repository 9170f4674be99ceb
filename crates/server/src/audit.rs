//! Audit events: every screening, view, search, change, key issue and
//! authentication failure is reported to an [`AuditSink`].
//!
//! The store has no audit log yet, so the server defines the seam: the
//! handlers call [`AuditSink::record`] and do not care where the event
//! goes. [`TracingAudit`] writes each event as a structured log line on the
//! `tansiq::audit` target; [`MemoryAudit`] keeps them for tests. A
//! hash-chained store-backed sink plugs in here without touching a handler.
//!
//! `record` must not block: the screening path calls it. A durable sink
//! should queue and group-commit.

use std::fmt;
use std::sync::Mutex;

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
