//! The node-to-node routes under `/fed/v1`: sealed message delivery and
//! hit/no-hit checks, authorised by signature (and client certificate).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use tansiq_federation::{CheckAnswer, Envelope, FedError, Level, Payload, Sealed, Traveller};
use tansiq_matching::{Band, Query};
use tansiq_store::Receipt;
use tansiq_trust::PublicKey;
use time::OffsetDateTime;

use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState, AuditEvent};

use super::dto::*;

/// How far a check's clock may be from ours (a replayed old check is
/// refused).
const CHECK_SKEW: time::Duration = time::Duration::minutes(5);

/// The client certificate of the connection a request came over, verified
/// in the TLS handshake against `[tls] client_ca`: what the node-to-node
/// routes require under mutual TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertificate {
    /// SHA-256 of the certificate (DER), hex.
    pub sha256: String,
}

impl ClientCertificate {
    /// The fingerprint of a DER certificate.
    pub fn of(der: &[u8]) -> ClientCertificate {
        use sha2::Digest;
        ClientCertificate {
            sha256: tansiq_trust::to_hex(&sha2::Sha256::digest(der)),
        }
    }
}

/// Under mutual TLS (`[tls] client_ca` set) a node-to-node request must
/// come over a connection with a verified client certificate; the refusal
/// is audited. Without `client_ca` the signature alone authorises.
pub(crate) fn require_client_certificate(
    state: &AppState,
    cert: Option<&ClientCertificate>,
    route: &'static str,
) -> Result<(), ApiError> {
    if state.config.tls.client_ca.is_none() || cert.is_some() {
        return Ok(());
    }
    state.audit.record(node_event(
        "?",
        "-",
        route,
        None,
        "rejected",
        json!({ "reason": "no client certificate (mutual TLS is required)" }),
    ));
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "client-certificate-required",
        "node-to-node routes need a partner's client certificate (mutual TLS)",
    ))
}

pub(crate) fn node_event(
    from: &str,
    key_id: &str,
    action: &'static str,
    target: Option<String>,
    outcome: &'static str,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: format!("node:{from}"),
        agency: "-".into(),
        key_id: key_id.to_string(),
        action,
        target,
        outcome,
        detail,
    }
}

pub(crate) async fn partner_keys(
    state: &AppState,
) -> Result<HashMap<String, Vec<PublicKey>>, ApiError> {
    Ok(state
        .store
        .partners()
        .await?
        .into_iter()
        .map(|p| (p.id, p.keys))
        .collect())
}

pub(crate) fn rejection(e: &FedError) -> &'static str {
    match e {
        FedError::UnknownSender(_) => "unknown-sender",
        FedError::Signature(_) => "bad-signature",
        _ => "malformed",
    }
}

/// Receive sealed messages from a partner node.
///
/// Node to node, no API key: each message is authorised by its signature (a registered partner's
/// key), its sequence number and the incoming agreement. Answers what became of each message, in
/// order.
#[utoipa::path(post, path = "/fed/v1/messages", tag = "federation",
    request_body = DeliveryRequest,
    responses(
        (status = 200, description = "What became of each message, in order (stops at the first not accepted)", body = DeliveryResponse),
        (status = 400, description = "Malformed body", body = Problem),
        (status = 401, description = "Mutual TLS is required and no client certificate was presented", body = Problem)))]
pub(crate) async fn receive_messages(
    State(state): State<AppState>,
    cert: Option<axum::Extension<ClientCertificate>>,
    JsonBody(req): JsonBody<DeliveryRequest>,
) -> Result<axum::Json<DeliveryResponse>, ApiError> {
    require_client_certificate(&state, cert.as_deref(), "fed.receive")?;
    let mut keys = partner_keys(&state).await?;
    let me = state.identity.node().to_string();
    let mut results = Vec::with_capacity(req.messages.len());
    let mut entities_changed = false;
    for sealed in req.messages {
        let sealed: Sealed = sealed.into();
        let opened = match tansiq_federation::open(&sealed, &me, |n| keys.get(n).cloned()) {
            Ok(o) => o,
            Err(e) => {
                let from = serde_json::from_str::<serde_json::Value>(&sealed.body)
                    .ok()
                    .and_then(|v| v.get("from").and_then(|f| f.as_str()).map(String::from))
                    .unwrap_or_else(|| "?".into());
                state.audit.record(node_event(
                    &from,
                    &sealed.key_id,
                    "fed.receive",
                    None,
                    "rejected",
                    json!({ "reason": e.to_string() }),
                ));
                state.metrics.fed_received(&from, rejection(&e));
                results.push(DeliveryResult {
                    seq: None,
                    result: rejection(&e).into(),
                    detail: Some(e.to_string()),
                });
                break;
            }
        };
        let env = &opened.envelope;
        let kind = env.payload.kind();
        let receipt = state.store.receive(&state.identity, &opened).await?;
        let (result, outcome, detail) = match &receipt {
            Receipt::Applied { outcome } => ("applied", "ok", Some(outcome.clone())),
            Receipt::Refused { reason } => ("refused", "refused", Some(reason.clone())),
            Receipt::Duplicate => ("duplicate", "duplicate", None),
            Receipt::Forgotten => (
                "duplicate",
                "duplicate",
                Some("applied long ago (its digest is past retention); nothing changed".into()),
            ),
            Receipt::Gap { expected } => ("gap", "rejected", Some(format!("expected {expected}"))),
            Receipt::Replay => (
                "replay",
                "rejected",
                Some("the number was used for other content".into()),
            ),
        };
        if result == "applied" && matches!(kind, "entry-upsert" | "entry-remove") {
            entities_changed = true;
        }
        if result == "applied" && kind == "key-announcement" {
            // The partner's new key opens the messages after this one.
            keys = partner_keys(&state).await?;
            state.partner_cache.invalidate();
        }
        state.audit.record(node_event(
            &env.from,
            &sealed.key_id,
            "fed.receive",
            subject(&env.payload),
            outcome,
            json!({ "seq": env.seq, "kind": kind, "result": result, "detail": detail }),
        ));
        state.metrics.fed_received(&env.from, result);
        let r = DeliveryResult {
            seq: env.seq,
            result: result.into(),
            detail,
        };
        let stop = !r.accepted();
        results.push(r);
        if stop {
            break;
        }
    }
    if entities_changed {
        // The copy screens (or the removed one stops) before the sender
        // hears it was delivered.
        state.refresh_index(Duration::from_secs(30)).await;
    }
    Ok(axum::Json(DeliveryResponse { results }))
}

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

pub(crate) fn traveller_query(t: &Traveller) -> Query {
    Query {
        schema: Some(tansiq_model::Schema::Person),
        names: t.name.iter().cloned().collect(),
        birth_dates: t.birth_date.iter().cloned().collect(),
        nationalities: t.nationality.iter().cloned().collect(),
        gender: None,
        documents: t.document_number.iter().cloned().collect(),
    }
}

/// Answer a partner's hit/no-hit check.
///
/// Node to node, no API key: the sealed request is verified, replays are refused, and the sealed
/// answer says only hit (reference, action) or no hit, for entries shared with that partner at the
/// hit/no-hit level.
#[utoipa::path(post, path = "/fed/v1/check", tag = "federation",
    request_body = SealedDto,
    responses(
        (status = 200, description = "The sealed answer: hit (reference, action) or no hit", body = SealedDto),
        (status = 400, description = "Malformed body", body = Problem),
        (status = 401, description = "Unknown sender, bad signature, or no client certificate under mutual TLS", body = Problem),
        (status = 409, description = "A replay: this check (sender, request id) was answered before", body = Problem),
        (status = 422, description = "Not a check, or too old", body = Problem)))]
pub(crate) async fn check(
    State(state): State<AppState>,
    cert: Option<axum::Extension<ClientCertificate>>,
    JsonBody(sealed): JsonBody<SealedDto>,
) -> Result<axum::Json<SealedDto>, ApiError> {
    require_client_certificate(&state, cert.as_deref(), "fed.check")?;
    let sealed: Sealed = sealed.into();
    let keys = partner_keys(&state).await?;
    let me = state.identity.node().to_string();
    let opened = tansiq_federation::open(&sealed, &me, |n| keys.get(n).cloned()).map_err(|e| {
        state.audit.record(node_event(
            "?",
            &sealed.key_id,
            "fed.check",
            None,
            "rejected",
            json!({ "reason": e.to_string() }),
        ));
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "federation-rejected",
            e.to_string(),
        )
    })?;
    let env = opened.envelope;
    let Payload::Check {
        request_id,
        traveller,
    } = env.payload
    else {
        return Err(ApiError::invalid("body", "not a check"));
    };
    // Only the traveller fields this node's agreement with the sender
    // allows are used or kept (issue 16, finding 8).
    let traveller = match state.store.partner(&env.from).await? {
        Some(p) => p.outgoing.minimise(&traveller),
        None => Traveller::default(),
    };
    let now = OffsetDateTime::now_utc();
    if (now - env.sent_at).abs() > CHECK_SKEW {
        state.audit.record(node_event(
            &env.from,
            &sealed.key_id,
            "fed.check",
            Some(request_id),
            "rejected",
            json!({ "reason": "stale" }),
        ));
        return Err(ApiError::invalid(
            "sent_at",
            "the check is older than the allowed clock skew",
        ));
    }
    // A check is answered once: its id is remembered for longer than the
    // freshness window, so a replayed check is refused within the window
    // and refused as stale after it.
    if !state
        .store
        .check_first_seen(&env.from, &request_id, now, now - CHECK_SKEW * 3)
        .await?
    {
        state.audit.record(node_event(
            &env.from,
            &sealed.key_id,
            "fed.check",
            Some(request_id),
            "rejected",
            json!({ "reason": "replay" }),
        ));
        state.metrics.fed_received(&env.from, "replay");
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "replay",
            "this check was answered before",
        ));
    }
    // Only entries shared with this partner at the hit/no-hit level answer
    // (a fully shared entry is screened by the partner on its own copy, and
    // its hits come as notices from there: answering here too would tell
    // the same hit twice).
    let shared: HashMap<String, Level> = state
        .store
        .shared_with(&env.from)
        .await?
        .into_iter()
        .collect();
    let snap = state.index.load();
    let query = traveller_query(&traveller);
    let today = crate::screening::today();
    // The one filter, for a partner: only what is shared with it at the
    // hit/no-hit level; a hit is what raises one locally (the possible
    // band and above), and the best admissible match decides.
    let ranked = crate::screening::rank(
        &snap,
        crate::screening::Audience::Partner(&shared),
        &query,
        1,
        0.0,
        crate::screening::Depth::Fixed(crate::screening::CHECK_DEPTH),
        &today,
        &crate::screening::everything,
    );
    let best = ranked.matches.into_iter().find(|m| m.band != Band::None);
    let answer = match best {
        Some(m) => CheckAnswer::Hit {
            reference: m.entity_id.clone(),
            action: snap
                .index
                .entity(&m.entity_id)
                .and_then(|e| e.action_on_hit),
            score: m.score,
        },
        None => CheckAnswer::NoHit,
    };
    state.audit.record(node_event(
        &env.from,
        &sealed.key_id,
        "fed.check",
        Some(request_id.clone()),
        "ok",
        crate::screening::detail(&crate::screening::CheckAudit {
            purpose: crate::screening::Purpose::PartnerCheck,
            answer: &answer,
            traveller: &traveller,
        }),
    ));
    let reply = Envelope::new(
        &me,
        &env.from,
        None,
        now,
        Payload::CheckAnswer { request_id, answer },
    );
    Ok(axum::Json(
        tansiq_federation::seal(&state.identity, &reply).into(),
    ))
}
