//! Federation over HTTP: the node-to-node routes under `/fed/v1` (sealed
//! message delivery, hit/no-hit checks), the administration routes under
//! `/v1/federation`, the background worker that follows the change feed and
//! drains each partner's outbox, and the screening hook that turns a hit on
//! a foreign entry into a notice for its originator.
//!
//! Node-to-node routes carry no API key: they are authorised by the sealed
//! message's signature (the sender must be a registered partner and sign
//! with one of its registered keys) and by the agreement (only entries the
//! agreement gives that partner are copied to it, answered in checks, or
//! accepted from it). Every message received is audited, as `node:<id>`.
//! Under mutual TLS (`[tls] client_ca`) they also need a client certificate
//! the handshake verified ([`ClientCertificate`]).
//!
//! The screening hook is bounded: hit/no-hit partners are asked at once,
//! each for at most `[federation] check_timeout_ms` (300 ms by default),
//! and a partner that failed is not asked again until its circuit breaker
//! closes ([`CheckState`]); the answer lists who was not heard.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tansiq_federation::{
    Agreement, CheckAnswer, Envelope, FedError, FollowUpKind, HitNotice, HitVia, Level, Payload,
    Rule, Sealed, Traveller, TravellerField,
};
use tansiq_matching::{Band, Query};
use tansiq_model::ActionOnHit;
use tansiq_store::{Receipt, Role};
use tansiq_trust::PublicKey;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState, AuditEvent};

/// How far a check's clock may be from ours (a replayed old check is
/// refused).
const CHECK_SKEW: time::Duration = time::Duration::minutes(5);
/// Messages per delivery request.
const BATCH: i64 = 200;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

// ------------------------------------------------------------------- DTOs

/// A sealed federation message: the envelope's JSON exactly as signed.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedDto {
    pub body: String,
    pub key_id: String,
    pub signature: String,
}

impl From<Sealed> for SealedDto {
    fn from(s: Sealed) -> SealedDto {
        SealedDto {
            body: s.body,
            key_id: s.key_id,
            signature: s.signature,
        }
    }
}

impl From<SealedDto> for Sealed {
    fn from(s: SealedDto) -> Sealed {
        Sealed {
            body: s.body,
            key_id: s.key_id,
            signature: s.signature,
        }
    }
}

/// Sequenced messages from one partner, in order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRequest {
    pub messages: Vec<SealedDto>,
}

/// What became of one delivered message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryResult {
    pub seq: Option<u64>,
    /// `applied`, `refused` (numbered, content not taken), `duplicate`,
    /// `gap`, `replay`, `bad-signature`, `unknown-sender`, `malformed`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl DeliveryResult {
    /// Whether the sender may forget the message.
    fn accepted(&self) -> bool {
        matches!(self.result.as_str(), "applied" | "refused" | "duplicate")
    }
}

/// Results in the order of the request; processing stops at the first
/// message not accepted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryResponse {
    pub results: Vec<DeliveryResult>,
}

/// A partner to register or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerInput {
    /// Where the partner's node answers, e.g. `https://tn.example:8443`.
    pub base_url: String,
    /// Its public identity keys (`tansiq node show`).
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<PublicKey>,
    /// What this node shares with it (nothing when left out).
    #[serde(default)]
    pub outgoing: AgreementDto,
    /// What this node accepts from it (nothing when left out).
    #[serde(default)]
    pub incoming: AgreementDto,
}

/// One direction of a partnership: what this node shares with the partner
/// (`outgoing`) or accepts from it (`incoming`). The wire form of
/// `tansiq_federation::Agreement`, converted by hand.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementDto {
    /// Clauses; an entry is shared at the highest level among the rules it
    /// matches, and not at all when it matches none.
    #[serde(default)]
    pub rules: Vec<RuleDto>,
    /// The traveller fields that hit notices and checks may carry
    /// (default when left out: `name` and `birth-date`).
    #[serde(default = "default_traveller_fields")]
    pub traveller_fields: Vec<TravellerFieldDto>,
}

/// One clause of an agreement: own entries marked `by-agreement` that
/// match every non-empty filter are shared at `level`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDto {
    /// Originating agencies (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<String>,
    /// Lists, e.g. `national` (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
    /// Categories, the FtM `topics` (e.g. `wanted`, `crime.terror`; empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Actions on hit (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionDto>,
    pub level: LevelDto,
}

/// How a shared entry reaches the partner.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LevelDto {
    /// The entry stays here; the partner asks online and learns only
    /// "hit, reference, action" or "no hit".
    HitNoHit,
    /// The partner holds a read-only copy and screens against it.
    Full,
}

/// A traveller field an agreement lets through.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TravellerFieldDto {
    Name,
    BirthDate,
    Nationality,
    DocumentNumber,
}

/// What the issuing agency asks the border officer to do on a confirmed hit.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionDto {
    Arrest,
    RefuseEntry,
    DiscreetCheck,
    SpecificCheck,
    Inform,
}

/// What `tansiq_federation::Agreement` takes when `traveller_fields` is
/// left out (a test holds the two equal).
fn default_traveller_fields() -> Vec<TravellerFieldDto> {
    vec![TravellerFieldDto::Name, TravellerFieldDto::BirthDate]
}

impl From<AgreementDto> for Agreement {
    fn from(a: AgreementDto) -> Agreement {
        Agreement {
            rules: a
                .rules
                .into_iter()
                .map(|r| Rule {
                    agencies: r.agencies,
                    lists: r.lists,
                    categories: r.categories,
                    actions: r.actions.into_iter().map(ActionOnHit::from).collect(),
                    level: match r.level {
                        LevelDto::HitNoHit => Level::HitNoHit,
                        LevelDto::Full => Level::Full,
                    },
                })
                .collect(),
            traveller_fields: a
                .traveller_fields
                .into_iter()
                .map(|f| match f {
                    TravellerFieldDto::Name => TravellerField::Name,
                    TravellerFieldDto::BirthDate => TravellerField::BirthDate,
                    TravellerFieldDto::Nationality => TravellerField::Nationality,
                    TravellerFieldDto::DocumentNumber => TravellerField::DocumentNumber,
                })
                .collect(),
        }
    }
}

impl From<&Agreement> for AgreementDto {
    fn from(a: &Agreement) -> AgreementDto {
        AgreementDto {
            rules: a
                .rules
                .iter()
                .map(|r| RuleDto {
                    agencies: r.agencies.clone(),
                    lists: r.lists.clone(),
                    categories: r.categories.clone(),
                    actions: r.actions.iter().map(|&a| ActionDto::from(a)).collect(),
                    level: match r.level {
                        Level::HitNoHit => LevelDto::HitNoHit,
                        Level::Full => LevelDto::Full,
                    },
                })
                .collect(),
            traveller_fields: a
                .traveller_fields
                .iter()
                .map(|f| match f {
                    TravellerField::Name => TravellerFieldDto::Name,
                    TravellerField::BirthDate => TravellerFieldDto::BirthDate,
                    TravellerField::Nationality => TravellerFieldDto::Nationality,
                    TravellerField::DocumentNumber => TravellerFieldDto::DocumentNumber,
                })
                .collect(),
        }
    }
}

impl From<ActionDto> for ActionOnHit {
    fn from(a: ActionDto) -> ActionOnHit {
        match a {
            ActionDto::Arrest => ActionOnHit::Arrest,
            ActionDto::RefuseEntry => ActionOnHit::RefuseEntry,
            ActionDto::DiscreetCheck => ActionOnHit::DiscreetCheck,
            ActionDto::SpecificCheck => ActionOnHit::SpecificCheck,
            ActionDto::Inform => ActionOnHit::Inform,
        }
    }
}

impl From<ActionOnHit> for ActionDto {
    fn from(a: ActionOnHit) -> ActionDto {
        match a {
            ActionOnHit::Arrest => ActionDto::Arrest,
            ActionOnHit::RefuseEntry => ActionDto::RefuseEntry,
            ActionOnHit::DiscreetCheck => ActionDto::DiscreetCheck,
            ActionOnHit::SpecificCheck => ActionDto::SpecificCheck,
            ActionOnHit::Inform => ActionDto::Inform,
        }
    }
}

/// A partner and how replication to it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerStatusDto {
    pub id: String,
    pub base_url: String,
    pub key_ids: Vec<String>,
    pub outgoing: AgreementDto,
    pub incoming: AgreementDto,
    pub last_contact_at: Option<String>,
    /// Messages queued and not yet acknowledged.
    pub outbox_pending: i64,
    pub oldest_pending_at: Option<String>,
    /// Seconds the oldest unacknowledged message has waited (0 when none).
    pub replication_lag_seconds: f64,
    pub last_seq_sent: i64,
    pub last_seq_acknowledged: i64,
    pub last_error: Option<String>,
    /// Messages the partner numbered but refused under its incoming
    /// agreement: the two agreements do not match (`tansiq federation
    /// accept --dry-run` compares them).
    pub refused: i64,
    /// The latest refusal: `#<seq>: <the partner's reason>`.
    pub last_refusal: Option<String>,
    /// The last message number applied from this partner.
    pub inbox_last_seq: i64,
}

/// The federation status of this node.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FederationStatusDto {
    pub node: String,
    pub partners: Vec<PartnerStatusDto>,
}

/// This node's invitation: what a partner registers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InviteDto {
    pub node: String,
    pub base_url: String,
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<PublicKey>,
}

/// One message of a follow-up thread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpDto {
    pub message_id: String,
    pub from_node: String,
    /// `request`, `answer` or `outcome`.
    pub kind: String,
    pub text: String,
    pub author: String,
    pub recorded_at: String,
}

/// A hit on a foreign entry and its thread.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FedHitDto {
    pub hit_id: String,
    /// `out`: seen here on a partner's entry; `in`: seen at a partner on
    /// one of ours.
    pub direction: String,
    pub partner: String,
    /// The originator's id of the entry.
    pub reference: String,
    pub action: Option<String>,
    /// `local-copy` or `hit-no-hit`.
    pub via: String,
    #[schema(value_type = Object)]
    pub traveller: Traveller,
    pub score: f64,
    pub screened_at: String,
    pub acknowledged_at: Option<String>,
    pub thread: Vec<FollowUpDto>,
    /// For a hit seen here on a partner's full copy: the local hit in the
    /// review queue (`/v1/hits/{id}`) that this notice tells about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_hit_id: Option<String>,
}

/// Hits on foreign entries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FedHitListDto {
    pub hits: Vec<FedHitDto>,
}

/// A new message in a hit's thread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// `request`, `answer` or `outcome`.
    pub kind: String,
    pub text: String,
}

/// A partner's hit/no-hit answer given during a screening.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemoteHitDto {
    pub partner: String,
    /// The originator's reference for its entry.
    pub reference: String,
    pub action: Option<String>,
    pub score: f64,
    /// The hit id under which the originator was notified.
    pub hit_id: String,
}

// ---------------------------------------------------------- node routes

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
fn require_client_certificate(
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

fn node_event(
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

async fn partner_keys(state: &AppState) -> Result<HashMap<String, Vec<PublicKey>>, ApiError> {
    Ok(state
        .store
        .partners()
        .await?
        .into_iter()
        .map(|p| (p.id, p.keys))
        .collect())
}

fn rejection(e: &FedError) -> &'static str {
    match e {
        FedError::UnknownSender(_) => "unknown-sender",
        FedError::Signature(_) => "bad-signature",
        _ => "malformed",
    }
}

/// Receive sealed messages from a partner node.
///
/// Node to node, no API key: each message is authorised by its signature (a registered partner's key), its sequence number and the incoming agreement. Answers what became of each message, in order.
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

fn subject(p: &Payload) -> Option<String> {
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

fn traveller_query(t: &Traveller) -> Query {
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
/// Node to node, no API key: the sealed request is verified, replays are refused, and the sealed answer says only hit (reference, action) or no hit, for entries shared with that partner at the hit/no-hit level.
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
    let (ranked, _) = crate::screening::rank(
        &snap,
        crate::screening::Audience::Partner(&shared),
        &query,
        1,
        0.0,
        crate::screening::Depth::Fixed(crate::screening::CHECK_DEPTH),
        &today,
        &crate::screening::everything,
    );
    let best = ranked.into_iter().find(|m| m.band != Band::None);
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

// --------------------------------------------------------- admin routes

// Partners and agreements are the node's, not an agency's.
const FED_ADMIN: &[Role] = &[Role::NodeAdmin];
const FED_READ: &[Role] = &[Role::NodeAdmin, Role::NodeAuditor];

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
/// Its URL, keys and the two agreements (what this node shares with it, what it accepts from it). Existing entries follow the new agreement at once: copies are sent or removed.
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
async fn may_see_hit(state: &AppState, p: &Principal, hit: &tansiq_store::FedHit) -> bool {
    if hit.direction == "out" {
        return true;
    }
    match state.store.entity(&hit.reference).await {
        Ok(Some(e)) => e.origin_agency.as_deref() == Some(p.agency()),
        _ => false,
    }
}

async fn hit_dto(state: &AppState, h: tansiq_store::FedHit) -> Result<FedHitDto, ApiError> {
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
/// Hits raised by partners on this node's shared entries, and hits raised here on partners' entries, with their follow-up threads, for the caller's contact points.
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

// ------------------------------------------------------- screening hook

/// The partner list as the screening path reads it: from the store at most
/// once per [`PARTNER_CACHE_TTL`] (another replica's change is seen within
/// it), and at once after a local `put_partner`. Without it every screening
/// paid a store query, with or without partners.
#[derive(Debug, Default)]
pub struct PartnerCache {
    cached: std::sync::Mutex<Option<(std::time::Instant, Arc<Vec<tansiq_store::Partner>>)>>,
}

/// How long a cached partner list is used.
pub const PARTNER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl PartnerCache {
    async fn get(
        &self,
        store: &tansiq_store::Store,
    ) -> Result<Arc<Vec<tansiq_store::Partner>>, tansiq_store::StoreError> {
        if let Some((at, list)) = self
            .cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && at.elapsed() < PARTNER_CACHE_TTL
        {
            return Ok(list.clone());
        }
        let list = Arc::new(store.partners().await?);
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), list.clone()));
        Ok(list)
    }

    /// Forgets the cached list (after a local change of partners).
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The traveller fields a check or notice can carry (the agreement then
/// keeps only those it names).
fn traveller_of(query: &Query) -> Traveller {
    Traveller {
        name: query.names.first().cloned(),
        birth_date: query.birth_dates.first().cloned(),
        nationality: query.nationalities.first().cloned(),
        document_number: query.documents.first().cloned(),
    }
}

fn is_hit_band(band: &str) -> bool {
    matches!(band, "possible" | "strong")
}

/// After a screening, for each local hit on a foreign copy (a match at or
/// above the possible band on a `fed:<origin>` entry, for which the review
/// raised a hit): records it and queues its notice to the originator. The
/// notice id is `<this node>:<local hit id>`, so the local hit and the
/// notice name each other and a hit raised twice (a concurrent
/// re-screening) is told once. A pair dismissed before (the match carries
/// `previously_dismissed`) raises no hit and tells nobody. Failures are
/// logged: the screening is answered whatever federation does.
pub(crate) async fn notify_foreign_hits(
    state: &AppState,
    screening_id: &str,
    query: &Query,
    matches: &[crate::dto::MatchDto],
) {
    let foreign: Vec<ForeignHit> = matches
        .iter()
        .filter(|m| {
            is_hit_band(&m.band) && m.previously_dismissed.is_none() && m.source.starts_with("fed:")
        })
        .map(|m| ForeignHit {
            entity_id: m.entity_id.clone(),
            source: m.source.clone(),
            score: m.score,
            local_hit_id: m.hit_id.clone(),
        })
        .collect();
    notify(state, screening_id, query, foreign).await;
}

/// The hits a re-screening pass raised on foreign copies (an entry a
/// partner shared after the traveller crossed) are told to their
/// originators like those of a screening.
pub(crate) async fn notify_rescreen_hits(state: &AppState, hits: &[&tansiq_store::NewHit]) {
    for h in hits.iter().filter(|h| h.source.starts_with("fed:")) {
        let Some(query) = h
            .context
            .get("query")
            .and_then(crate::review::query_from_json)
        else {
            continue;
        };
        let hit = ForeignHit {
            entity_id: h.entity_id.clone(),
            source: h.source.clone(),
            score: h.score,
            local_hit_id: Some(h.id.clone()),
        };
        notify(state, &h.screening_id, &query, vec![hit]).await;
    }
}

/// A local hit on a partner's full copy.
struct ForeignHit {
    entity_id: String,
    source: String,
    score: f64,
    local_hit_id: Option<String>,
}

async fn notify(state: &AppState, screening_id: &str, query: &Query, hits: Vec<ForeignHit>) {
    if hits.is_empty() {
        return;
    }
    let partners = match state.partner_cache.get(&state.store).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "federation: cannot read partners after a screening");
            return;
        }
    };
    let traveller = traveller_of(query);
    let now = OffsetDateTime::now_utc();
    let me = state.identity.node();
    let snap = state.index.load();
    for m in hits {
        let Some(origin) = m.source.strip_prefix("fed:") else {
            continue;
        };
        let Some(partner) = partners.iter().find(|p| p.id == origin) else {
            continue;
        };
        let Some(e) = snap.index.entity(&m.entity_id) else {
            continue;
        };
        let notice = HitNotice {
            hit_id: match &m.local_hit_id {
                Some(local) => format!("{me}:{local}"),
                // The hit could not be written here: still tell the
                // originator, under an id stable for this screening.
                None => format!("{me}:{screening_id}:{}", m.entity_id),
            },
            reference: e.provenance.source_record_id.clone().unwrap_or_default(),
            action: e.action_on_hit,
            via: HitVia::LocalCopy,
            traveller: partner.incoming.minimise(&traveller),
            score: m.score,
            screened_at: now,
        };
        if let Err(e) = state
            .store
            .record_hit(&state.identity, origin, notice)
            .await
        {
            tracing::error!(error = %e, partner = origin, "federation: hit notice not queued");
        }
    }
}

/// A partner that gave no hit/no-hit answer for a screening.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnansweredDto {
    pub partner: String,
    /// `timeout` (no answer within `[federation] check_timeout_ms`),
    /// `error` (unreachable, refused, or an answer that does not open) or
    /// `cooling-down` (not asked: it failed moments ago).
    pub reason: String,
}

/// What the partners' online checks gave for one screened traveller.
#[derive(Debug, Default)]
pub(crate) struct RemoteChecks {
    pub hits: Vec<RemoteHitDto>,
    pub unanswered: Vec<UnansweredDto>,
}

/// The online checks' shared parts: one HTTP client (its connections and
/// TLS sessions are reused from screening to screening) and a circuit
/// breaker per partner. After a failed check a partner is not asked for
/// `[federation] check_cooldown_ms`, doubled for each further failure in a
/// row (at most 32 times); the first check after the pause goes through,
/// and a success closes the breaker. A partner that is down therefore
/// costs a screening nothing but an "unanswered" line, instead of a wait.
#[derive(Debug, Default)]
pub struct CheckState {
    client: std::sync::OnceLock<Option<reqwest::Client>>,
    breakers: std::sync::Mutex<HashMap<String, Breaker>>,
}

#[derive(Clone, Copy, Debug)]
struct Breaker {
    failures: u32,
    open_until: std::time::Instant,
}

impl CheckState {
    fn client(&self, config: &crate::Config) -> Option<reqwest::Client> {
        self.client
            .get_or_init(|| {
                // The bound itself is applied around each check (so a late
                // answer is told from a failed one); the client's own
                // timeout is only a backstop.
                let timeout = Duration::from_millis(config.federation.check_timeout_ms.max(1))
                    .saturating_mul(2);
                match build_client(config, timeout) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        tracing::error!(error = %e, "federation: no HTTP client for checks");
                        None
                    }
                }
            })
            .clone()
    }

    fn breakers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Breaker>> {
        self.breakers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `partner` may be asked at `now` (its breaker is closed, or
    /// its pause is over).
    pub fn may_ask(&self, partner: &str, now: std::time::Instant) -> bool {
        self.breakers()
            .get(partner)
            .is_none_or(|b| now >= b.open_until)
    }

    fn failed(&self, partner: &str, now: std::time::Instant, cooldown: Duration) {
        let mut all = self.breakers();
        let b = all.entry(partner.to_string()).or_insert(Breaker {
            failures: 0,
            open_until: now,
        });
        b.failures = b.failures.saturating_add(1);
        b.open_until = now + cooldown * (1u32 << (b.failures - 1).min(5));
    }

    fn succeeded(&self, partner: &str) {
        self.breakers().remove(partner);
    }
}

/// The partners whose incoming agreement has hit/no-hit clauses: those a
/// screening asks online.
async fn askable_partners(state: &AppState) -> Vec<tansiq_store::Partner> {
    match state.partner_cache.get(&state.store).await {
        Ok(p) => p
            .iter()
            .filter(|p| p.incoming.rules.iter().any(|r| r.level == Level::HitNoHit))
            .cloned()
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "federation: cannot read partners for a screening");
            Vec::new()
        }
    }
}

/// Asks every hit/no-hit partner at once whether the traveller matches
/// one of its entries, and waits for each at most
/// `[federation] check_timeout_ms` (the bound a border answer can wait on
/// federation; a partner whose breaker is open is not asked at all). A hit
/// is recorded and its notice queued to the originator; partners without
/// an answer are listed, so the officer knows who was not heard.
async fn ask_these(
    state: &AppState,
    askable: &[tansiq_store::Partner],
    screening_id: &str,
    query: &Query,
) -> RemoteChecks {
    let mut out = RemoteChecks::default();
    let traveller = traveller_of(query);
    if askable.is_empty() || traveller.name.is_none() {
        return out;
    }
    let Some(client) = state.fed_checks.client(&state.config) else {
        out.unanswered = askable
            .iter()
            .map(|p| UnansweredDto {
                partner: p.id.clone(),
                reason: "error".into(),
            })
            .collect();
        return out;
    };
    let bound = Duration::from_millis(state.config.federation.check_timeout_ms.max(1));
    let cooldown = Duration::from_millis(state.config.federation.check_cooldown_ms);
    let me = state.identity.node();
    let started = std::time::Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for p in askable {
        if !state.fed_checks.may_ask(&p.id, started) {
            out.unanswered.push(UnansweredDto {
                partner: p.id.clone(),
                reason: "cooling-down".into(),
            });
            continue;
        }
        let state = state.clone();
        let client = client.clone();
        let p = p.clone();
        let t = p.incoming.minimise(&traveller);
        let request_id = format!("{me}:{screening_id}:{}", p.id);
        set.spawn(async move {
            let answer =
                tokio::time::timeout(bound, ask(&state, &client, &p, &request_id, t.clone())).await;
            (p, request_id, t, answer)
        });
    }
    let now = OffsetDateTime::now_utc();
    while let Some(joined) = set.join_next().await {
        let Ok((p, request_id, t, answer)) = joined else {
            continue;
        };
        let answer = match answer {
            Ok(Ok(a)) => {
                state.fed_checks.succeeded(&p.id);
                a
            }
            Ok(Err(e)) => {
                tracing::warn!(partner = %p.id, error = %e, "federation: hit/no-hit check failed");
                state
                    .fed_checks
                    .failed(&p.id, std::time::Instant::now(), cooldown);
                state.metrics.fed_check_unanswered(&p.id, "error");
                out.unanswered.push(UnansweredDto {
                    partner: p.id.clone(),
                    reason: "error".into(),
                });
                continue;
            }
            Err(_) => {
                tracing::warn!(partner = %p.id, bound_ms = bound.as_millis() as u64,
                    "federation: hit/no-hit check timed out");
                state
                    .fed_checks
                    .failed(&p.id, std::time::Instant::now(), cooldown);
                state.metrics.fed_check_unanswered(&p.id, "timeout");
                out.unanswered.push(UnansweredDto {
                    partner: p.id.clone(),
                    reason: "timeout".into(),
                });
                continue;
            }
        };
        if let CheckAnswer::Hit {
            reference,
            action,
            score,
        } = answer
        {
            let notice = HitNotice {
                hit_id: request_id.clone(),
                reference: reference.clone(),
                action,
                via: HitVia::HitNoHit,
                traveller: t,
                score,
                screened_at: now,
            };
            if let Err(e) = state.store.record_hit(&state.identity, &p.id, notice).await {
                tracing::error!(error = %e, partner = %p.id, "federation: hit notice not queued");
            }
            out.hits.push(RemoteHitDto {
                partner: p.id.clone(),
                reference,
                action: action.map(|a| a.as_str().to_string()),
                score,
                hit_id: request_id,
            });
        }
    }
    out.unanswered.sort_by(|a, b| a.partner.cmp(&b.partner));
    out
}

/// Most travellers of one manifest checked with partners at once.
const MANIFEST_CHECKS_IN_FLIGHT: usize = 16;

/// Asks the partners ([`ask_these`]) for each traveller of a screening
/// (screening ids `ids`, one per query), at most
/// [`MANIFEST_CHECKS_IN_FLIGHT`] travellers at a time; the answers in the
/// order of `queries`. A partner that fails opens its breaker, so the rest
/// of a flight does not wait on it again.
pub(crate) async fn ask_partners_for(
    state: &AppState,
    ids: &[String],
    queries: &[Query],
) -> Vec<RemoteChecks> {
    let askable = Arc::new(askable_partners(state).await);
    if askable.is_empty() {
        return queries.iter().map(|_| RemoteChecks::default()).collect();
    }
    if let ([id], [query]) = (ids, queries) {
        return vec![ask_these(state, &askable, id, query).await];
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(MANIFEST_CHECKS_IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    for (index, (id, query)) in ids.iter().zip(queries).enumerate() {
        let state = state.clone();
        let askable = askable.clone();
        let permits = permits.clone();
        let query = query.clone();
        let id = id.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, ask_these(&state, &askable, &id, &query).await)
        });
    }
    let mut out: Vec<RemoteChecks> = queries.iter().map(|_| RemoteChecks::default()).collect();
    while let Some(joined) = set.join_next().await {
        if let Ok((index, checks)) = joined {
            out[index] = checks;
        }
    }
    out
}

async fn ask(
    state: &AppState,
    client: &reqwest::Client,
    p: &tansiq_store::Partner,
    request_id: &str,
    traveller: Traveller,
) -> Result<CheckAnswer, String> {
    let me = state.identity.node();
    let env = Envelope::new(
        me,
        &p.id,
        None,
        OffsetDateTime::now_utc(),
        Payload::Check {
            request_id: request_id.to_string(),
            traveller,
        },
    );
    let sealed: SealedDto = tansiq_federation::seal(&state.identity, &env).into();
    let resp = client
        .post(format!("{}/fed/v1/check", p.base_url))
        .json(&sealed)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("{} answered {}", p.id, resp.status()));
    }
    let reply: SealedDto = resp.json().await.map_err(|e| e.to_string())?;
    let keys = p.keys.clone();
    let opened = tansiq_federation::open(&reply.into(), me, |n| (n == p.id).then_some(keys))
        .map_err(|e| e.to_string())?;
    match opened.envelope.payload {
        Payload::CheckAnswer {
            request_id: r,
            answer,
        } if r == request_id => Ok(answer),
        _ => Err(format!("{} answered something other than this check", p.id)),
    }
}

// ---------------------------------------------------------------- worker

/// The HTTP client for partners: their server certificates checked against
/// the system roots plus `[federation] ca_file`; a client certificate
/// (`client_cert` + `client_key`, mutual TLS) when configured.
pub fn client(config: &crate::Config) -> Result<reqwest::Client, String> {
    build_client(
        config,
        Duration::from_millis(config.federation.request_timeout_ms.max(1)),
    )
}

fn build_client(config: &crate::Config, timeout: Duration) -> Result<reqwest::Client, String> {
    let f = &config.federation;
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout);
    if let Some(ca) = &f.ca_file {
        let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("{}: {e}", ca.display()))?
        {
            b = b.add_root_certificate(cert);
        }
    }
    if let (Some(cert), Some(key)) = (&f.client_cert, &f.client_key) {
        let mut pem = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
        pem.extend(std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?);
        b = b.identity(
            reqwest::Identity::from_pem(&pem).map_err(|e| format!("{}: {e}", cert.display()))?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

/// Follows the change feed into the outboxes and drains each partner's
/// outbox, in order, with exponential back-off per partner; runs until the
/// task is aborted. Updates the federation metrics each round.
pub async fn run_worker(state: AppState) {
    let http = match client(&state.config) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "federation disabled: no HTTP client");
            return;
        }
    };
    let poll = Duration::from_millis(state.config.federation.poll_ms.max(10));
    loop {
        loop {
            match state.store.replicate_changes(&state.identity, 500).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "federation: replication failed");
                    break;
                }
            }
        }
        let partners = state.store.partners().await.unwrap_or_default();
        let mut set = tokio::task::JoinSet::new();
        for p in partners {
            set.spawn(deliver(state.clone(), http.clone(), p));
        }
        while set.join_next().await.is_some() {}
        if let Ok(s) = federation_status(&state).await {
            state.metrics.fed_status(&s);
        }
        tokio::time::sleep(poll).await;
    }
}

async fn deliver(state: AppState, http: reqwest::Client, p: tansiq_store::Partner) {
    loop {
        let now = OffsetDateTime::now_utc();
        let due = match state.store.outbox_due(&p.id, now, BATCH).await {
            Ok(d) if !d.is_empty() => d,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(error = %e, partner = %p.id, "federation: outbox unreadable");
                return;
            }
        };
        let first = due[0].seq;
        let attempts = due[0].attempts;
        let full = due.len() as i64 == BATCH;
        let req = DeliveryRequest {
            messages: due.into_iter().map(|i| i.sealed.into()).collect(),
        };
        let sent = http
            .post(format!("{}/fed/v1/messages", p.base_url))
            .json(&req)
            .send()
            .await;
        let outcome: Result<DeliveryResponse, String> = match sent {
            Ok(r) if r.status().is_success() => r.json().await.map_err(|e| e.to_string()),
            Ok(r) => Err(format!("{} answered {}", p.id, r.status())),
            Err(e) => Err(e.to_string()),
        };
        let retry_at =
            |a: i64| now + tansiq_federation::retry_delay(u32::try_from(a).unwrap_or(u32::MAX));
        match outcome {
            Ok(resp) => {
                let accepted: Vec<&DeliveryResult> =
                    resp.results.iter().take_while(|r| r.accepted()).collect();
                // A refusal is final (the partner numbered the message, so
                // resending changes nothing) but it is a mismatch of
                // agreements: it is kept, shown and logged, never silent.
                for r in accepted.iter().filter(|r| r.result == "refused") {
                    let Some(seq) = r.seq else { continue };
                    let why = r.detail.clone().unwrap_or_default();
                    tracing::warn!(partner = %p.id, seq, reason = %why,
                        "federation: the partner refused a message under its incoming agreement");
                    if let Err(e) = state.store.outbox_refused(&p.id, seq as i64, &why).await {
                        tracing::error!(error = %e, partner = %p.id, "federation: cannot record a refusal");
                    }
                }
                let through = accepted.last().and_then(|r| r.seq).map(|s| s as i64);
                if let Some(through) = through
                    && let Err(e) = state.store.outbox_delivered(&p.id, through).await
                {
                    tracing::error!(error = %e, partner = %p.id, "federation: cannot mark delivered");
                    return;
                }
                if let Some(bad) = resp.results.iter().find(|r| !r.accepted()) {
                    let seq = through.map_or(first, |t| t + 1);
                    let why = format!("{}: {}", bad.result, bad.detail.clone().unwrap_or_default());
                    tracing::warn!(partner = %p.id, seq, reason = %why, "federation: message rejected");
                    let _ = state
                        .store
                        .outbox_failed(&p.id, seq, &why, retry_at(attempts))
                        .await;
                    return;
                }
                if !full {
                    return;
                }
            }
            Err(e) => {
                tracing::debug!(partner = %p.id, error = %e, "federation: delivery failed; will retry");
                let _ = state
                    .store
                    .outbox_failed(&p.id, first, &e, retry_at(attempts))
                    .await;
                return;
            }
        }
    }
}

// ---------------------------------------------------------------- routes

pub(crate) fn add_routes(t: &mut crate::RouteTable) {
    use axum::http::Method;
    t.add(Method::POST, "/fed/v1/messages", receive_messages);
    t.add(Method::POST, "/fed/v1/check", check);
    t.add(Method::GET, "/v1/federation/status", status);
    t.add(Method::GET, "/v1/federation/invite", invite);
    t.add(Method::PUT, "/v1/federation/partners/{id}", put_partner);
    t.add(Method::GET, "/v1/federation/hits", list_hits);
    t.add(
        Method::POST,
        "/v1/federation/hits/{id}/follow-ups",
        post_follow_up,
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    receive_messages,
    check,
    status,
    invite,
    put_partner,
    list_hits,
    post_follow_up
))]
pub(crate) struct FederationDoc;

#[cfg(test)]
mod tests {
    use super::*;

    /// The wire form says exactly what the federation crate's agreement
    /// holds: every field and every variant survive DTO → domain → DTO,
    /// serialised the same as the domain type, and the defaults agree.
    #[test]
    fn agreement_dto_is_the_agreement_on_the_wire() {
        let full = json!({
            "rules": [
                {"agencies": ["police"], "lists": ["national"], "categories": ["wanted"],
                 "actions": ["arrest", "refuse-entry", "discreet-check", "specific-check", "inform"],
                 "level": "full"},
                {"level": "hit-no-hit"}
            ],
            "traveller_fields": ["name", "birth-date", "nationality", "document-number"]
        });
        for text in [
            full.to_string(),
            "{}".to_string(),
            r#"{"rules": []}"#.to_string(),
        ] {
            let domain: Agreement = serde_json::from_str(&text).unwrap();
            let dto: AgreementDto = serde_json::from_str(&text).unwrap();
            let back = Agreement::from(dto);
            assert_eq!(back, domain, "{text}");
            assert_eq!(
                serde_json::to_value(AgreementDto::from(&domain)).unwrap(),
                serde_json::to_value(&domain).unwrap(),
                "{text}"
            );
        }
        assert_eq!(
            Agreement::from(AgreementDto::default()),
            Agreement::default()
        );
    }
}
