//! Hits and their review, suppression of dismissed pairs, the traveller's
//! screening history, notifications to originating agencies, and
//! re-screening on change.
//!
//! - [`record`]: what a screening leaves behind (records through a
//!   batched writer; hits written before answering).
//! - [`integrity`]: stored records checked against the hashes their
//!   audit events carry.
//! - [`rescreen`]: recent screenings against changed entities.
//! - [`travellers`]: the window's travellers indexed, so that a pass
//!   reads only those a changed entity may concern.
//! - here: the routes (`/v1/hits…`, `/v1/travellers/screenings`,
//!   `/v1/notifications`) and their wire types, kept beside the routes so
//!   this feature merges as one module.
//!
//! Access: hits belong to the agency whose user screened; that agency's
//! analysts review them, and no other agency learns of them (a hit of
//! another agency is answered like a missing one). A confirmation
//! notifies the contact points of the entity's originating agency.

mod integrity;
mod record;
mod rescreen;
mod travellers;

pub use integrity::{AlteredRecord, RecordCheck, verify_screening_records};
pub use record::{Review, document_key, stored_query};
pub(crate) use record::{Screened, after_screening, query_from_json};
pub use rescreen::RescreenReport;
pub(crate) use rescreen::{init_cursor, rescreen_loop};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tansiq_store::{Hit, HitAction, HitEvent, HitFilter, HitState, Notification, Role};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

use crate::auth::Principal;
use crate::dto::rfc3339;
use crate::error::{JsonBody, Problem};
use crate::routes::{Params, RouteTable, required_if_match};
use crate::{ApiError, AppState};

const REVIEW_ROLES: &[Role] = &[Role::Analyst];

/// The oldest age a review-queue filter takes (ten years): anything
/// larger is a mistake, and would overflow the date arithmetic.
const OLDER_THAN_MAX_HOURS: u32 = 24 * 366 * 10;

/// The instant `hours` before `now`; 400 beyond [`OLDER_THAN_MAX_HOURS`].
fn older_than(now: OffsetDateTime, hours: u32) -> Result<OffsetDateTime, ApiError> {
    if hours > OLDER_THAN_MAX_HOURS {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid-query",
            format!("older_than_hours: at most {OLDER_THAN_MAX_HOURS}"),
        ));
    }
    Ok(now - time::Duration::hours(i64::from(hours)))
}
const NOTIFY_ROLES: &[Role] = &[Role::ContactPoint];

/// Registers the review routes.
pub(crate) fn add_routes(t: &mut RouteTable) {
    t.add(Method::GET, "/v1/hits", list_hits);
    t.add(Method::GET, "/v1/hits/{id}", get_hit);
    t.add(Method::POST, "/v1/hits/{id}/assign", assign_hit);
    t.add(Method::POST, "/v1/hits/{id}/confirm", confirm_hit);
    t.add(Method::POST, "/v1/hits/{id}/dismiss", dismiss_hit);
    t.add(Method::POST, "/v1/hits/{id}/close", close_hit);
    t.add(Method::POST, "/v1/hits/{id}/comments", comment_hit);
    t.add(
        Method::GET,
        "/v1/travellers/screenings",
        traveller_screenings,
    );
    t.add(Method::GET, "/v1/notifications", list_notifications);
}

#[derive(OpenApi)]
#[openapi(paths(
    list_hits,
    get_hit,
    assign_hit,
    confirm_hit,
    dismiss_hit,
    close_hit,
    comment_hit,
    traveller_screenings,
    list_notifications
))]
struct ReviewDoc;

/// The OpenAPI paths of the review routes (merged into the node's).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    ReviewDoc::openapi()
}

// ---------------------------------------------------------------- wire types

/// A hit in the review queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    pub id: String,
    /// `open`, `confirmed`, `dismissed` or `closed`.
    pub state: String,
    /// `confirmed` or `dismissed` once decided (kept after closing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The dismissal reason or the confirmation note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Send it back as `If-Match` to make a transition conditional.
    pub version: i64,
    /// `screening` or `rescreen` (raised when the entity was added or
    /// changed after the screening).
    pub origin: String,
    pub band: String,
    pub score: f64,
    pub entity_id: String,
    /// The list (source) of the entity.
    pub source: String,
    pub entity_version: i64,
    pub screening_id: String,
    /// The user who screened.
    pub screened_by: String,
    /// The crossing time.
    pub screened_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border_post: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Seconds since the hit was raised.
    pub age_seconds: i64,
    /// For a hit on a partner's entry (source `fed:<partner>`): the id of
    /// the notice that told the partner (`<this node>:<hit id>`), under
    /// which `/v1/federation/hits` shows its acknowledgement and thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federation_notice: Option<String>,
}

impl HitDto {
    fn from_domain(h: &Hit, now: OffsetDateTime, node: &str) -> HitDto {
        HitDto {
            federation_notice: h
                .hit
                .source
                .starts_with("fed:")
                .then(|| format!("{node}:{}", h.hit.id)),
            id: h.hit.id.clone(),
            state: h.state.as_str().into(),
            outcome: h.outcome.map(|o| o.as_str().to_string()),
            reason: h.reason.clone(),
            assignee: h.assignee.clone(),
            version: h.version,
            origin: h.hit.origin.clone(),
            band: h.hit.band.clone(),
            score: h.hit.score,
            entity_id: h.hit.entity_id.clone(),
            source: h.hit.source.clone(),
            entity_version: h.hit.entity_version,
            screening_id: h.hit.screening_id.clone(),
            screened_by: h.hit.user_id.clone(),
            screened_at: rfc3339(h.hit.screened_at),
            border_post: h.hit.border_post.clone(),
            document: h.hit.document_key.clone(),
            created_at: rfc3339(h.created_at),
            updated_at: rfc3339(h.updated_at),
            age_seconds: (now - h.created_at).whole_seconds().max(0),
        }
    }
}

/// One step of a hit's life.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitEventDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// `raised`, `assigned`, `confirmed`, `dismissed`, `closed` or `comment`.
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl HitEventDto {
    fn from_domain(e: &HitEvent) -> HitEventDto {
        HitEventDto {
            seq: e.seq,
            at: rfc3339(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            from_state: e.from_state.clone(),
            to_state: e.to_state.clone(),
            note: e.note.clone(),
        }
    }
}

/// A hit with its full context and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDetail {
    pub hit: HitDto,
    /// The screening as it was: query, every match with its explanation,
    /// list versions, border post, crossing time.
    #[schema(value_type = Object)]
    pub context: serde_json::Value,
    pub events: Vec<HitEventDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HitList {
    pub hits: Vec<HitDto>,
}

/// Filters of the review queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HitParams {
    /// `open` (default), `confirmed`, `dismissed`, `closed` or `any`.
    pub state: Option<String>,
    /// `possible` or `strong`.
    pub band: Option<String>,
    /// Border post.
    pub post: Option<String>,
    /// List (source) of the matched entity, e.g. `national`.
    pub list: Option<String>,
    /// Assigned analyst.
    pub assignee: Option<String>,
    /// Only hits raised at least this many hours ago (ageing).
    pub older_than_hours: Option<u32>,
    /// Most hits (default 100, at most 1000), oldest first.
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// An analyst of the caller's agency; absent or null to unassign.
    pub assignee: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissRequest {
    /// Why this is not the listed person (required).
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    pub text: String,
}

/// The history of one travel document.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TravellerParams {
    /// Document number.
    pub document: String,
    /// Issuing country (ISO 3166-1 alpha-2 or alpha-3).
    pub country: Option<String>,
    /// Most screenings (default 100, at most 1000), newest first.
    pub limit: Option<i64>,
}

/// One past screening of a traveller.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningDto {
    pub id: String,
    pub at: String,
    pub screened_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border_post: Option<String>,
    pub band: String,
    /// Matched entity ids with scores and bands.
    #[schema(value_type = Object)]
    pub matches: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TravellerHistory {
    pub document: String,
    pub screenings: Vec<ScreeningDto>,
    pub hits: Vec<HitDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: String,
    pub at: String,
    /// e.g. `hit.confirmed`.
    pub kind: String,
    pub hit_id: String,
    pub entity_id: String,
    pub from_agency: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationDto>,
}

fn limit_of(limit: Option<i64>) -> Result<i64, ApiError> {
    let l = limit.unwrap_or(100);
    if !(1..=1000).contains(&l) {
        return Err(ApiError::invalid("limit", "must be in 1..=1000"));
    }
    Ok(l)
}

// ---------------------------------------------------------------- routes

/// A hit of the caller's agency, or the same 404 as for a missing one.
async fn own_hit(state: &AppState, p: &Principal, id: &str) -> Result<Hit, ApiError> {
    match state.store.hit(id).await? {
        Some(h) if h.hit.agency_id == p.agency() => Ok(h),
        _ => Err(ApiError::not_found("such hit")),
    }
}

/// The review queue.
///
/// The agency's hits, oldest first, with their age; filter by state, band, border post, list,
/// assignee or age.
#[utoipa::path(get, path = "/v1/hits", tag = "review", security(("bearer" = [])),
    params(HitParams),
    responses(
        (status = 200, description = "The agency's hits, oldest first, with their age", body = HitList),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 422, description = "A filter has an unusable value", body = Problem)))]
pub(crate) async fn list_hits(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<HitParams>,
) -> Result<axum::Json<HitList>, ApiError> {
    p.require(REVIEW_ROLES)?;
    let hit_state = match params.state.as_deref().unwrap_or("open") {
        "any" => None,
        s => Some(s.parse::<HitState>().map_err(|_| {
            ApiError::invalid(
                "state",
                format!("{s:?} is not open, confirmed, dismissed, closed or any"),
            )
        })?),
    };
    if let Some(b) = &params.band
        && !matches!(b.as_str(), "possible" | "strong")
    {
        return Err(ApiError::invalid(
            "band",
            format!("{b:?} is not possible or strong"),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let filter = HitFilter {
        agency_id: p.agency().to_string(),
        state: hit_state,
        band: params.band.clone(),
        border_post: params.post.clone(),
        source: params.list.clone(),
        assignee: params.assignee.clone(),
        document_key: None,
        created_before: params
            .older_than_hours
            .map(|h| older_than(now, h))
            .transpose()?,
        limit: limit_of(params.limit)?,
    };
    let hits: Vec<HitDto> = state
        .store
        .hits(&filter)
        .await?
        .iter()
        .map(|h| HitDto::from_domain(h, now, state.identity.node()))
        .collect();
    state.audit.record(p.event(
        "hit.list",
        None,
        "ok",
        json!({ "count": hits.len(), "state": params.state, "band": params.band,
                "post": params.post, "list": params.list }),
    ));
    Ok(axum::Json(HitList { hits }))
}

/// Read one hit.
///
/// The hit, the screening and match that raised it (with explanation), and its history.
#[utoipa::path(get, path = "/v1/hits/{id}", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id")),
    responses(
        (status = 200, description = "The hit, its full context and its history", body = HitDetail),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem)))]
pub(crate) async fn get_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<HitDetail>, ApiError> {
    p.require(REVIEW_ROLES)?;
    let result = own_hit(&state, &p, &id).await;
    state.audit.record(p.event(
        "hit.view",
        Some(id.clone()),
        if result.is_ok() { "ok" } else { "not-found" },
        json!({}),
    ));
    let h = result?;
    let events = state.store.hit_events(&id).await?;
    Ok(axum::Json(HitDetail {
        hit: HitDto::from_domain(&h, OffsetDateTime::now_utc(), state.identity.node()),
        context: record::context_for_reading(h.hit.context.clone()),
        events: events.iter().map(HitEventDto::from_domain).collect(),
    }))
}

/// Applies a reviewer's action (role, agency and the required `If-Match`
/// checked: a decision is taken on the version the reviewer read, never
/// over one made meanwhile) and audits it.
async fn act(
    state: &AppState,
    p: &Principal,
    id: &str,
    headers: &HeaderMap,
    action: HitAction,
    audit_action: &'static str,
) -> Result<axum::Json<HitDto>, ApiError> {
    p.require(REVIEW_ROLES)?;
    let hit = match own_hit(state, p, id).await {
        Ok(h) => h,
        Err(e) => {
            state
                .audit
                .record(p.event(audit_action, Some(id.to_string()), "not-found", json!({})));
            return Err(e);
        }
    };
    let expected = Some(required_if_match(headers)?);
    let notify = match &action {
        HitAction::Confirm(_) => originator_notice(state, p, &hit).await?,
        _ => None,
    };
    let result = state
        .store
        .transition_hit(id, expected, action.clone(), &p.user.id, notify)
        .await;
    let detail = match &action {
        HitAction::Assign(who) => json!({ "assignee": who }),
        HitAction::Confirm(note) => json!({ "note": note, "entity_id": hit.hit.entity_id }),
        HitAction::Dismiss(reason) => json!({ "reason": reason, "entity_id": hit.hit.entity_id }),
        HitAction::Close => json!({}),
    };
    state.audit.record(p.event(
        audit_action,
        Some(id.to_string()),
        if result.is_ok() { "ok" } else { "failed" },
        detail,
    ));
    let h = result?;
    Ok(axum::Json(HitDto::from_domain(
        &h,
        OffsetDateTime::now_utc(),
        state.identity.node(),
    )))
}

/// The notice for the originating agency of a confirmed hit's entity
/// (national entries carry one; public lists have none to notify).
async fn originator_notice(
    state: &AppState,
    p: &Principal,
    hit: &Hit,
) -> Result<Option<Notification>, ApiError> {
    let Some(entity) = state.store.entity(&hit.hit.entity_id).await? else {
        return Ok(None);
    };
    let Some(origin) = entity.origin_agency.clone() else {
        return Ok(None);
    };
    Ok(Some(Notification {
        id: uuid::Uuid::now_v7().to_string(),
        at: OffsetDateTime::now_utc(),
        agency_id: origin,
        kind: "hit.confirmed".into(),
        hit_id: hit.hit.id.clone(),
        entity_id: hit.hit.entity_id.clone(),
        from_agency: p.agency().to_string(),
        detail: json!({
            "caption": entity.caption(),
            "entity_version": hit.hit.entity_version,
            "border_post": hit.hit.border_post,
            "screened_at": rfc3339(hit.hit.screened_at),
            "band": hit.hit.band,
            "score": hit.hit.score,
            "action_on_hit": entity.action_on_hit.map(|a| a.as_str()),
            "confirmed_by": p.user.id,
        }),
    }))
}

/// Assign a hit to an analyst.
///
/// The assignee must be an analyst of the agency. `If-Match` is required (428 without); a
/// stale version answers 409.
#[utoipa::path(post, path = "/v1/hits/{id}/assign", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id"),
           ("If-Match" = String, Header, description = "The hit version read (required); 409 when stale")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "Assigned", body = HitDto),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem),
        (status = 409, description = "Closed, or a stale version", body = Problem),
        (status = 428, description = "No If-Match", body = Problem),
        (status = 422, description = "The assignee is not an analyst of the agency", body = Problem)))]
pub(crate) async fn assign_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AssignRequest>,
) -> Result<axum::Json<HitDto>, ApiError> {
    p.require(REVIEW_ROLES)?;
    if let Some(who) = &body.assignee {
        match state.store.user(who).await? {
            Some(u) if u.agency_id == p.agency() && u.has(Role::Analyst) && u.active => {}
            _ => {
                return Err(ApiError::invalid(
                    "assignee",
                    format!("{who:?} is not an active analyst of your agency"),
                ));
            }
        }
    }
    act(
        &state,
        &p,
        &id,
        &headers,
        HitAction::Assign(body.assignee),
        "hit.assign",
    )
    .await
}

/// Confirm a hit.
///
/// The traveller is the listed person; the entity's originating agency (or partner node) is
/// notified.
#[utoipa::path(post, path = "/v1/hits/{id}/confirm", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id"),
           ("If-Match" = String, Header, description = "The hit version read (required); 409 when stale")),
    request_body = ConfirmRequest,
    responses(
        (status = 200, description = "Confirmed; the entity's originating agency is notified", body = HitDto),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem),
        (status = 409, description = "Not open, or a stale version", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)))]
pub(crate) async fn confirm_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ConfirmRequest>,
) -> Result<axum::Json<HitDto>, ApiError> {
    let note = body
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid("note", "longer than 2000 characters"));
    }
    act(
        &state,
        &p,
        &id,
        &headers,
        HitAction::Confirm(note),
        "hit.confirm",
    )
    .await
}

/// Dismiss a hit.
///
/// A false match, with a reason: the same document is not raised again against the same entity
/// version.
#[utoipa::path(post, path = "/v1/hits/{id}/dismiss", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id"),
           ("If-Match" = String, Header, description = "The hit version read (required); 409 when stale")),
    request_body = DismissRequest,
    responses(
        (status = 200, description = "Dismissed; this document is no longer raised against this entity version", body = HitDto),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem),
        (status = 409, description = "Not open, or a stale version", body = Problem),
        (status = 428, description = "No If-Match", body = Problem),
        (status = 422, description = "No reason given", body = Problem)))]
pub(crate) async fn dismiss_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DismissRequest>,
) -> Result<axum::Json<HitDto>, ApiError> {
    p.require(REVIEW_ROLES)?;
    let reason = body.reason.as_deref().map(str::trim).unwrap_or("");
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(ApiError::invalid(
            "reason",
            "a dismissal needs a reason of 1 to 2000 characters",
        ));
    }
    act(
        &state,
        &p,
        &id,
        &headers,
        HitAction::Dismiss(reason.to_string()),
        "hit.dismiss",
    )
    .await
}

/// Close a hit.
///
/// Ends the review of a confirmed or dismissed hit.
#[utoipa::path(post, path = "/v1/hits/{id}/close", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id"),
           ("If-Match" = String, Header, description = "The hit version read (required); 409 when stale")),
    responses(
        (status = 200, description = "Closed", body = HitDto),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem),
        (status = 409, description = "Neither confirmed nor dismissed, or a stale version", body = Problem),
        (status = 428, description = "No If-Match", body = Problem)))]
pub(crate) async fn close_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<axum::Json<HitDto>, ApiError> {
    act(&state, &p, &id, &headers, HitAction::Close, "hit.close").await
}

/// Comment on a hit.
///
/// Adds a comment to the hit's history.
#[utoipa::path(post, path = "/v1/hits/{id}/comments", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "Hit id")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The comment, as a step of the hit's history", body = HitEventDto),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 404, description = "No such hit of the caller's agency", body = Problem),
        (status = 422, description = "Empty or too long", body = Problem)))]
async fn comment_hit(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CommentRequest>,
) -> Result<(axum::http::StatusCode, axum::Json<HitEventDto>), ApiError> {
    p.require(REVIEW_ROLES)?;
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(ApiError::invalid("text", "give 1 to 4000 characters"));
    }
    own_hit(&state, &p, &id).await?;
    let e = state.store.comment_hit(&id, &p.user.id, text).await?;
    state
        .audit
        .record(p.event("hit.comment", Some(id), "ok", json!({ "text": text })));
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(HitEventDto::from_domain(&e)),
    ))
}

/// A traveller's screening history.
///
/// The agency's screenings of one travel document, newest first, with their hits.
#[utoipa::path(get, path = "/v1/travellers/screenings", tag = "review", security(("bearer" = [])),
    params(TravellerParams),
    responses(
        (status = 200, description = "The agency's screenings of this document, newest first, and its hits", body = TravellerHistory),
        (status = 403, description = "Not an analyst", body = Problem),
        (status = 422, description = "No usable document number", body = Problem)))]
async fn traveller_screenings(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<TravellerParams>,
) -> Result<axum::Json<TravellerHistory>, ApiError> {
    p.require(REVIEW_ROLES)?;
    if let Some(c) = &params.country {
        crate::dto::parse_country("country", c)?;
    }
    let Some(key) = document_key(params.country.as_deref(), &params.document) else {
        return Err(ApiError::invalid("document", "give a document number"));
    };
    let limit = limit_of(params.limit)?;
    // Screening records are written in batches: include the queued ones.
    if let Some(done) = state.review.flush() {
        let _ = done.await;
    }
    let screenings = state
        .store
        .screenings_of_document(p.agency(), &key, limit)
        .await?;
    let now = OffsetDateTime::now_utc();
    let hits = state
        .store
        .hits(&HitFilter {
            agency_id: p.agency().to_string(),
            document_key: Some(key.clone()),
            limit,
            ..HitFilter::default()
        })
        .await?;
    state.audit.record(p.event(
        "traveller.history",
        None,
        "ok",
        json!({ "document": key, "screenings": screenings.len(), "hits": hits.len() }),
    ));
    Ok(axum::Json(TravellerHistory {
        document: key,
        screenings: screenings
            .into_iter()
            .map(|s| ScreeningDto {
                id: s.id,
                at: rfc3339(s.at),
                screened_by: s.user_id,
                border_post: s.border_post,
                band: s.band,
                matches: record::matches_from_stored(s.matches),
            })
            .collect(),
        hits: hits
            .iter()
            .map(|h| HitDto::from_domain(h, now, state.identity.node()))
            .collect(),
    }))
}

/// Paging of notifications.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// Most notifications (default 100, at most 1000), newest first.
    pub limit: Option<i64>,
}

/// Notifications to the agency.
///
/// Newest first, e.g. the agency's entries confirmed by hits, for its contact points.
#[utoipa::path(get, path = "/v1/notifications", tag = "review", security(("bearer" = [])),
    params(NotificationParams),
    responses(
        (status = 200, description = "Notifications to the caller's agency, newest first (e.g. its entries confirmed by hits)", body = NotificationList),
        (status = 403, description = "Not a contact point", body = Problem)))]
pub(crate) async fn list_notifications(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<NotificationParams>,
) -> Result<axum::Json<NotificationList>, ApiError> {
    p.require(NOTIFY_ROLES)?;
    let limit = limit_of(params.limit)?;
    let list = state.store.notifications(p.agency(), limit).await?;
    state.audit.record(p.event(
        "notification.list",
        None,
        "ok",
        json!({ "count": list.len() }),
    ));
    Ok(axum::Json(NotificationList {
        notifications: list
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                at: rfc3339(n.at),
                kind: n.kind,
                hit_id: n.hit_id,
                entity_id: n.entity_id,
                from_agency: n.from_agency,
                detail: n.detail,
            })
            .collect(),
    }))
}
