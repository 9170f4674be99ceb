//! Routes for operating and auditing the node: its public identity, the
//! audit log for auditors (events of a period, a signed checkpoint of the
//! head), and triggering a list source update.
//!
//! Registered from [`crate::routes::route_table`]; documented by
//! [`OpsDoc`], merged into the node's OpenAPI document.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tansiq_store::{AuditRecord, Role};
use tansiq_trust::{PublicKey, SignedCheckpoint};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{OpenApi, ToSchema};

use crate::auth::Principal;
use crate::error::Problem;
use crate::routes::Params;
use crate::{ApiError, AppState};

// ---------------------------------------------------------------- identity

/// The node's public identity: what partners and auditors verify its
/// signatures with.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeDto {
    pub node: String,
    /// Newest first; a key with `retire_after` verifies only what it
    /// signed until then.
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<PublicKey>,
}

/// This node's identity and public keys.
///
/// The node id and its Ed25519 public keys (current and rotated, with validity), for partners and
/// auditors to verify what this node signs. No key needed.
#[utoipa::path(get, path = "/v1/node", tag = "node",
    responses((status = 200, description = "The node id and its public keys (no secret)", body = NodeDto)))]
pub(crate) async fn node(State(state): State<AppState>) -> axum::Json<NodeDto> {
    axum::Json(NodeDto {
        node: state.identity.node().to_string(),
        keys: state.identity.public_keys(),
    })
}

// ---------------------------------------------------------------- audit

/// Which audit events to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// First instant included: `YYYY-MM-DD` (UTC) or RFC 3339.
    pub from: Option<String>,
    /// Instant excluded: `YYYY-MM-DD` (UTC) or RFC 3339.
    pub to: Option<String>,
    /// Only events after this sequence number (paging: pass `next_after`).
    pub after: Option<i64>,
    /// Most events (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// One audit event with its place in the hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    /// `null` once retention purged it; its hash stays in the chain.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
    pub payload_hash: String,
    pub prev_hash: String,
    pub hash: String,
    /// Fields withheld from this reader (`payload`, `subject`); the
    /// hashes are kept, so the chain's links still check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
}

impl AuditEventDto {
    /// The record as auditors read it (facts and payload parsed back).
    pub fn from_record(r: AuditRecord) -> AuditEventDto {
        let parse =
            |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_else(|_| json!(s));
        AuditEventDto {
            seq: r.seq,
            at: r.at.format(&Rfc3339).unwrap_or_default(),
            facts: parse(&r.facts),
            payload: r.payload.as_deref().map(parse),
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            payload_hash: r.payload_hash,
            prev_hash: r.prev_hash,
            hash: r.hash,
            redacted: Vec::new(),
        }
    }
}

/// The agency an audit event was recorded for (`facts.agency`); `None`
/// for unauthenticated and system events.
fn event_agency(facts: &str) -> Option<String> {
    let facts: serde_json::Value = serde_json::from_str(facts).ok()?;
    facts
        .get("agency")
        .and_then(|a| a.as_str())
        .filter(|a| *a != "-")
        .map(str::to_string)
}

/// What one auditor may read of the log: the one place the audit view's
/// scope is decided.
///
/// - An agency auditor ([`Role::Auditor`]) reads its own agency's events
///   only.
/// - A node auditor ([`Role::NodeAuditor`]) reads every event, but of
///   events of other agencies (and unauthenticated or system events) the
///   payload (traveller names, dates of birth, documents, match ids) is
///   withheld unless `[audit] node_auditor_payloads = "full"`.
/// - Whoever reads, a subject naming an entry hidden from the reader's
///   agency is withheld (with `redacted` saying so), so that an audit view
///   never tells an id that the entry routes would answer 404 for.
pub(crate) struct AuditView<'a> {
    state: &'a AppState,
    agency: String,
    node_wide: bool,
    full_payloads: bool,
    /// Subjects already looked up: whether they name a hidden entry.
    hidden: std::collections::HashMap<String, bool>,
}

impl<'a> AuditView<'a> {
    pub(crate) fn of(state: &'a AppState, p: &Principal) -> AuditView<'a> {
        AuditView {
            state,
            agency: p.agency().to_string(),
            node_wide: p.user.has(Role::NodeAuditor),
            full_payloads: state.config.audit.node_auditor_payloads
                == crate::config::NodeAuditorPayloads::Full,
            hidden: std::collections::HashMap::new(),
        }
    }

    /// Whether the event is the reader's agency's.
    fn own(&self, r: &AuditRecord) -> bool {
        event_agency(&r.facts).as_deref() == Some(self.agency.as_str())
    }

    /// Whether this reader may see the event at all (what it says of a
    /// screening record included: see `review::integrity`).
    pub(crate) fn in_scope(&self, r: &AuditRecord) -> bool {
        self.node_wide || self.own(r)
    }

    /// The event as this reader may see it, or `None` when out of scope.
    async fn render(&mut self, r: AuditRecord) -> Result<Option<AuditEventDto>, ApiError> {
        if !self.in_scope(&r) {
            return Ok(None);
        }
        let own = self.own(&r);
        let hidden_subject = match &r.subject {
            Some(s) => self.hides(s).await?,
            None => false,
        };
        let mut dto = AuditEventDto::from_record(r);
        let full = own || self.full_payloads;
        if !full && dto.payload.is_some() {
            dto.payload = None;
            dto.redacted.push("payload".into());
        }
        if hidden_subject && !(self.node_wide && self.full_payloads) {
            dto.subject = None;
            dto.redacted.push("subject".into());
        }
        Ok(Some(dto))
    }

    /// Whether `subject` names an entity hidden from the reader's agency.
    async fn hides(&mut self, subject: &str) -> Result<bool, ApiError> {
        if let Some(h) = self.hidden.get(subject) {
            return Ok(*h);
        }
        // Screening and hit ids are UUIDs; entity ids never are.
        if uuid::Uuid::parse_str(subject).is_ok()
            || subject.contains('.')
                && subject
                    .split_once('.')
                    .is_some_and(|(id, _)| uuid::Uuid::parse_str(id).is_ok())
        {
            return Ok(false);
        }
        let hidden = match self.state.store.entity(subject).await? {
            Some(e) => !crate::auth::visible_to(&e, &self.agency),
            None => false,
        };
        self.hidden.insert(subject.to_string(), hidden);
        Ok(hidden)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventsResponse {
    pub events: Vec<AuditEventDto>,
    /// Pass as `after` for the next page; `null` when the log was read to
    /// its end.
    pub next_after: Option<i64>,
}

/// A date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 instant: how the
/// audit period is given, over HTTP and on the command line.
pub fn parse_instant(s: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

fn instant(field: &str, s: &str) -> Result<OffsetDateTime, ApiError> {
    parse_instant(s)
        .ok_or_else(|| ApiError::invalid(field, "expected YYYY-MM-DD or an RFC 3339 time"))
}

/// Audit events read from the store per page while filtering by time.
const SCAN_PAGE: i64 = 5_000;

/// Read the audit log.
///
/// Events of a period in chain order, with their hashes, paged by `after`. An agency auditor reads
/// its agency's events; a node auditor every agency's, redacted by `[audit] node_auditor_payloads`.
#[utoipa::path(get, path = "/v1/audit/events", tag = "audit", security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "Events in chain order, with their hashes", body = AuditEventsResponse),
        (status = 400, description = "Bad parameters", body = Problem),
        (status = 403, description = "Not an auditor", body = Problem)))]
pub(crate) async fn audit_events(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<AuditParams>,
) -> Result<axum::Json<AuditEventsResponse>, ApiError> {
    p.require(crate::auth::AUDITORS)?;
    let from = params
        .from
        .as_deref()
        .map(|s| instant("from", s))
        .transpose()?;
    let to = params.to.as_deref().map(|s| instant("to", s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be in 1..=1000"));
    }
    let mut after = params.after.unwrap_or(0).max(0);
    let mut view = AuditView::of(&state, &p);
    let mut events = Vec::new();
    let mut next_after = None;
    // Events come back in chain order; a time filter skips (never stops
    // at) events outside the period, since batched events may interleave
    // by a few milliseconds.
    'scan: loop {
        let page = state.store.audit_records(after, SCAN_PAGE).await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            after = r.seq;
            let inside = from.is_none_or(|f| r.at >= f) && to.is_none_or(|t| r.at < t);
            if !inside {
                continue;
            }
            if let Some(dto) = view.render(r).await? {
                events.push(dto);
                if events.len() as i64 == limit {
                    next_after = Some(after);
                    break 'scan;
                }
            }
        }
    }
    state.audit.record(p.event(
        "audit.read",
        None,
        "ok",
        json!({"from": params.from, "to": params.to, "after": params.after, "events": events.len()}),
    ));
    Ok(axum::Json(AuditEventsResponse { events, next_after }))
}

/// The signed head of the audit chain.
///
/// The current sequence number and hash, signed with the node's key: keep it to prove later that
/// the log was not rewritten.
#[utoipa::path(get, path = "/v1/audit/checkpoint", tag = "audit", security(("bearer" = [])),
    responses(
        (status = 200, description = "The current head of the audit chain, signed by the node", body = Object),
        (status = 403, description = "Not an auditor", body = Problem),
        (status = 404, description = "The log is empty", body = Problem)))]
pub(crate) async fn audit_checkpoint(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<SignedCheckpoint>, ApiError> {
    p.require(crate::auth::AUDITORS)?;
    // Record the read first and make it durable, so the head returned
    // includes it.
    state
        .audit
        .record(p.event("audit.checkpoint", None, "ok", json!({})));
    if let Some(done) = state.audit.flush() {
        let _ = done.await;
    }
    let signed = crate::identity::sign_head(&state.store, &state.identity)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "signing the audit head failed");
            ApiError::internal()
        })?;
    signed
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found("audit head"))
}

// ---------------------------------------------------------------- sources

/// What an update of one list source did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceUpdateDto {
    pub source: String,
    /// `not-modified` (the version in force is current), `unchanged` (a
    /// new download with the same content) or `imported`.
    pub outcome: String,
    pub version: Option<String>,
    pub previous_version: Option<String>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub record_errors: usize,
    pub warnings: usize,
}

/// Update a declared list source now.
///
/// Fetches the source (conditionally), parses it with its declared format and imports it
/// atomically. On any failure the previous version stays in force.
#[utoipa::path(post, path = "/v1/sources/{name}/update", tag = "sources", security(("bearer" = [])),
    params(("name" = String, Path, description = "A source declared in [[sources]]")),
    responses(
        (status = 200, description = "Fetched (conditionally), checked and imported atomically", body = SourceUpdateDto),
        (status = 403, description = "Not a node administrator", body = Problem),
        (status = 404, description = "No such declared source", body = Problem),
        (status = 502, description = "The source failed; the previous version stays in force", body = Problem)))]
pub(crate) async fn update_source(
    State(state): State<AppState>,
    p: Principal,
    Path(name): Path<String>,
) -> Result<axum::Json<SourceUpdateDto>, ApiError> {
    p.require(crate::auth::NODE_ADMINS)?;
    let sources = state.config.list_sources().map_err(|e| {
        tracing::error!(error = %e, "sources configuration");
        ApiError::internal()
    })?;
    let Some(def) = sources.source(&name).cloned() else {
        return Err(ApiError::not_found("source"));
    };
    let actor = crate::sources::Actor {
        user: p.user.id.clone(),
        agency: p.user.agency_id.clone(),
        key_id: p.key_id.clone(),
    };
    let dto = crate::sources::update(&state, &def, &actor)
        .await
        .map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::BAD_GATEWAY,
                "source-failed",
                format!("{e}; the previous version stays in force"),
            )
        })?;
    if let Ok(statuses) = crate::sources::status(&state).await {
        crate::sources::publish(&state, &statuses);
    }
    Ok(axum::Json(dto))
}

#[derive(OpenApi)]
#[openapi(paths(node, audit_events, audit_checkpoint, update_source))]
pub(crate) struct OpsDoc;
