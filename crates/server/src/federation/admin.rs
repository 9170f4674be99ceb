//! The administration routes under `/v1/federation`: status, invitation,
//! partners and their agreements, hits across nodes and their follow-ups.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;
use tansiq_federation::{Agreement, FollowUpKind};
use tansiq_store::Role;
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState};

use super::dto::*;

// Partners and agreements are the node's, not an agency's.
pub(crate) const FED_ADMIN: &[Role] = &[Role::NodeAdmin];
pub(crate) const FED_READ: &[Role] = &[Role::NodeAdmin, Role::NodeAuditor];

/// Federation status.
///
/// Each partner: last contact, outbox depth and replication lag, refused messages, inbox head.
#[utoipa::path(get, path = "/v1/federation/status", tag = "federation", security(("bearer" = [])),
    responses(
        (status = 200, description = "Partners, last contact, outbox depth and lag, inbox heads", body = FederationStatusDto),
        (status = 403, description = "Not an administrator or auditor", body = Problem)))]
pub(crate) async fn status(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<FederationStatusDto>, ApiError> {
    p.require(FED_READ)?;
    let out = federation_status(&state).await?;
    state
        .audit
        .record(p.event("federation.status", None, "ok", json!({})));
    Ok(axum::Json(out))
}

/// The status report (also what the metrics are set from).
pub async fn federation_status(state: &AppState) -> Result<FederationStatusDto, ApiError> {
    let now = OffsetDateTime::now_utc();
    let stats: HashMap<String, tansiq_store::OutboxStats> = state
        .store
        .outbox_stats()
        .await?
        .into_iter()
        .map(|s| (s.partner.clone(), s))
        .collect();
    let heads: HashMap<String, i64> = state
        .store
        .inbox_heads()
        .await?
        .into_iter()
        .map(|h| (h.origin, h.last_seq))
        .collect();
    let partners = state
        .store
        .partners()
        .await?
        .into_iter()
        .map(|p| {
            let s = stats.get(&p.id);
            let oldest = s.and_then(|s| s.oldest_pending_at);
            PartnerStatusDto {
                key_ids: p.keys.iter().map(|k| k.key_id.clone()).collect(),
                last_contact_at: p.last_contact_at.map(rfc3339),
                outbox_pending: s.map_or(0, |s| s.pending),
                oldest_pending_at: oldest.map(rfc3339),
                replication_lag_seconds: oldest
                    .map_or(0.0, |o| (now - o).as_seconds_f64().max(0.0)),
                last_seq_sent: s.map_or(0, |s| s.last_seq),
                last_seq_acknowledged: s.map_or(0, |s| s.delivered_seq),
                last_error: s.and_then(|s| s.last_error.clone()),
                refused: s.map_or(0, |s| s.refused),
                last_refusal: s
                    .and_then(|s| s.last_refusal.as_ref())
                    .map(|(seq, why)| format!("#{seq}: {why}")),
                inbox_last_seq: heads.get(&p.id).copied().unwrap_or(0),
                id: p.id,
                base_url: p.base_url,
                outgoing: AgreementDto::from(&p.outgoing),
                incoming: AgreementDto::from(&p.incoming),
            }
        })
        .collect();
    Ok(FederationStatusDto {
        node: state.identity.node().to_string(),
        partners,
    })
}

/// This node's invitation.
///
/// The node id, public URL and public keys that a partner needs to register this node.
#[utoipa::path(get, path = "/v1/federation/invite", tag = "federation", security(("bearer" = [])),
    responses(
        (status = 200, description = "This node's id, URL and public keys, for a partner to register", body = InviteDto),
        (status = 403, description = "Not an administrator", body = Problem)))]
pub(crate) async fn invite(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<InviteDto>, ApiError> {
    p.require(FED_ADMIN)?;
    state
        .audit
        .record(p.event("federation.invite", None, "ok", json!({})));
    Ok(axum::Json(InviteDto {
        node: state.identity.node().to_string(),
        base_url: state.config.federation.public_url.clone(),
        keys: state.identity.public_keys(),
    }))
}

/// Register or update a partner node.
///
/// Its URL, keys and the two agreements (what this node shares with it, what it accepts from it).
/// Existing entries follow the new agreement at once: copies are sent or removed.
#[utoipa::path(put, path = "/v1/federation/partners/{id}", tag = "federation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Partner node id")),
    request_body = PartnerInput,
    responses(
        (status = 200, description = "Registered; existing entries follow the new agreement", body = PartnerStatusDto),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem)))]
pub(crate) async fn put_partner(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PartnerInput>,
) -> Result<axum::Json<PartnerStatusDto>, ApiError> {
    p.require(FED_ADMIN)?;
    if id == state.identity.node() {
        return Err(ApiError::invalid("id", "a node is not its own partner"));
    }
    let mut audit = json!({ "base_url": input.base_url, "outgoing": input.outgoing, "incoming": input.incoming });
    let (outgoing, incoming) = (
        Agreement::from(input.outgoing),
        Agreement::from(input.incoming),
    );
    state
        .store
        .put_partner(&id, &input.base_url, &input.keys, &outgoing, &incoming)
        .await?;
    // The partner knows our keys from the invitation we exchanged; a
    // later rotation is announced to it (`Store::announce_keys`).
    state.store.keys_known_by(&id, &state.identity).await?;
    // Existing entries follow the agreement now (new copies, removals).
    let queued = state.store.reconcile_partner(&state.identity, &id).await?;
    state.partner_cache.invalidate();
    state
        .audit
        .record(p.event("federation.partner", Some(id.clone()), "ok", {
            audit["queued"] = json!(queued);
            audit
        }));
    let status = federation_status(&state).await?;
    status
        .partners
        .into_iter()
        .find(|s| s.id == id)
        .map(axum::Json)
        .ok_or_else(ApiError::internal)
}

/// Whether `p` may see a hit: the originating agency's contact points for
/// hits on our entries (`in`), any contact point for hits seen here (`out`).
pub(crate) async fn may_see_hit(
    state: &AppState,
    p: &Principal,
    hit: &tansiq_store::FedHit,
) -> bool {
    if hit.direction == "out" {
        return true;
    }
    match state.store.entity(&hit.reference).await {
        Ok(Some(e)) => e.origin_agency.as_deref() == Some(p.agency()),
        _ => false,
    }
}

pub(crate) async fn hit_dto(
    state: &AppState,
    h: tansiq_store::FedHit,
) -> Result<FedHitDto, ApiError> {
    let thread = state
        .store
        .follow_ups(&h.hit_id)
        .await?
        .into_iter()
        .map(|f| FollowUpDto {
            message_id: f.message_id,
            from_node: f.from_node,
            kind: f.kind,
            text: f.text,
            author: f.author,
            recorded_at: rfc3339(f.recorded_at),
        })
        .collect();
    // Notices of local-copy hits are named `<this node>:<local hit id>`.
    let local_hit_id = (h.direction == "out" && h.via == "local-copy")
        .then(|| {
            h.hit_id
                .strip_prefix(state.identity.node())
                .and_then(|r| r.strip_prefix(':'))
                .filter(|r| !r.contains(':'))
                .map(str::to_string)
        })
        .flatten();
    Ok(FedHitDto {
        local_hit_id,
        hit_id: h.hit_id,
        direction: h.direction,
        partner: h.partner,
        reference: h.reference,
        action: h.action,
        via: h.via,
        traveller: h.traveller,
        score: h.score,
        screened_at: rfc3339(h.screened_at),
        acknowledged_at: h.acked_at.map(rfc3339),
        thread,
    })
}

/// Hits across nodes.
///
/// Hits raised by partners on this node's shared entries, and hits raised here on partners'
/// entries, with their follow-up threads, for the caller's contact points.
#[utoipa::path(get, path = "/v1/federation/hits", tag = "federation", security(("bearer" = [])),
    responses(
        (status = 200, description = "Hits on foreign entries the caller may see, with their threads", body = FedHitListDto),
        (status = 403, description = "Not a contact point", body = Problem)))]
pub(crate) async fn list_hits(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<FedHitListDto>, ApiError> {
    p.require(&[Role::ContactPoint])?;
    let mut hits = Vec::new();
    for h in state.store.fed_hits(None).await? {
        if may_see_hit(&state, &p, &h).await {
            hits.push(hit_dto(&state, h).await?);
        }
    }
    state.audit.record(p.event(
        "federation.hits",
        None,
        "ok",
        json!({ "count": hits.len() }),
    ));
    Ok(axum::Json(FedHitListDto { hits }))
}

/// Follow up a hit across nodes.
///
/// Adds a message to the hit's thread and queues it for the other node.
#[utoipa::path(post, path = "/v1/federation/hits/{id}/follow-ups", tag = "federation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id")),
    request_body = FollowUpInput,
    responses(
        (status = 201, description = "Added to the thread and queued for the other node", body = FedHitDto),
        (status = 403, description = "Not a contact point", body = Problem),
        (status = 404, description = "No such hit visible to the caller", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem)))]
pub(crate) async fn post_follow_up(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<FollowUpInput>,
) -> Result<(StatusCode, axum::Json<FedHitDto>), ApiError> {
    p.require(&[Role::ContactPoint])?;
    let kind = match input.kind.as_str() {
        "request" => FollowUpKind::Request,
        "answer" => FollowUpKind::Answer,
        "outcome" => FollowUpKind::Outcome,
        other => {
            return Err(ApiError::invalid(
                "kind",
                format!("{other:?} is not request, answer or outcome"),
            ));
        }
    };
    let hit = match state.store.fed_hit(&id).await? {
        Some(h) if may_see_hit(&state, &p, &h).await => h,
        _ => {
            state.audit.record(p.event(
                "federation.follow-up",
                Some(id.clone()),
                "not-found",
                json!({}),
            ));
            return Err(ApiError::from(tansiq_store::StoreError::NotFound {
                what: format!("hit {id:?}"),
            }));
        }
    };
    let f = state
        .store
        .send_follow_up(&state.identity, &hit.hit_id, kind, &input.text, &p.user.id)
        .await?;
    state.audit.record(p.event(
        "federation.follow-up",
        Some(id.clone()),
        "ok",
        json!({ "message_id": f.message_id, "kind": f.kind, "partner": hit.partner }),
    ));
    let dto = hit_dto(&state, hit).await?;
    Ok((StatusCode::CREATED, axum::Json(dto)))
}
