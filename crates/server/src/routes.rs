//! The HTTP routes, their handlers and the OpenAPI document.
//!
//! Every route is registered through [`RouteTable::add`], which records
//! `(method, path)`: the test that the OpenAPI document and the router agree
//! compares that record with the document, and requests every recorded
//! route to prove it reaches a handler.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use tansiq_matching::Query;
use tansiq_model::{Entity, EntryStatus};
use tansiq_store::{Expect, NATIONAL_SOURCE, Role};
use time::OffsetDateTime;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::auth::{ACCOUNT_ADMINS, NODE_ADMINS, Principal, issue_key};
use crate::dto::*;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState};

/// How long a write waits for the index to include it before answering.
const INDEX_WAIT: Duration = Duration::from_secs(30);

/// The routes of the router, as registered.
#[derive(Debug)]
pub struct RouteTable {
    paths: BTreeMap<&'static str, MethodRouter<AppState>>,
    /// `(METHOD, path)` of every registered route.
    pub table: Vec<(Method, &'static str)>,
}

impl RouteTable {
    fn new() -> RouteTable {
        RouteTable {
            paths: BTreeMap::new(),
            table: Vec::new(),
        }
    }

    pub(crate) fn add<H, T>(&mut self, method: Method, path: &'static str, handler: H)
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| unreachable!("only standard methods are registered"));
        let route = on(filter, handler);
        let merged = match self.paths.remove(path) {
            Some(existing) => existing.merge(route),
            None => route,
        };
        self.paths.insert(path, merged);
        self.table.push((method, path));
    }

    fn into_router(self) -> Router<AppState> {
        self.paths
            .into_iter()
            .fold(Router::new(), |r, (path, mr)| r.route(path, mr))
    }
}

/// Every route of the API.
pub fn route_table() -> RouteTable {
    let mut t = RouteTable::new();
    t.add(Method::GET, "/healthz", healthz);
    t.add(Method::GET, "/readyz", readyz);
    t.add(Method::GET, "/metrics", metrics);
    t.add(Method::GET, "/openapi.json", openapi_json);
    t.add(Method::GET, "/v1/me", me);
    t.add(Method::POST, "/v1/screen", screen);
    t.add(Method::POST, "/v1/screen/manifest", screen_manifest);
    t.add(Method::GET, "/v1/entities", search_entities);
    t.add(Method::GET, "/v1/entities/{id}", get_entity);
    t.add(Method::GET, "/v1/entries", list_entries);
    t.add(Method::POST, "/v1/entries", create_entry);
    t.add(Method::GET, "/v1/entries/{id}", get_entry);
    t.add(Method::PUT, "/v1/entries/{id}", update_entry);
    t.add(Method::POST, "/v1/entries/{id}/withdraw", withdraw_entry);
    t.add(Method::GET, "/v1/entries/{id}/history", entry_history);
    t.add(Method::GET, "/v1/sources", sources);
    t.add(
        Method::POST,
        "/v1/sources/{name}/update",
        crate::ops::update_source,
    );
    t.add(Method::GET, "/v1/node", crate::ops::node);
    t.add(Method::GET, "/v1/audit/events", crate::ops::audit_events);
    t.add(
        Method::GET,
        "/v1/audit/checkpoint",
        crate::ops::audit_checkpoint,
    );
    t.add(Method::GET, "/v1/agencies", list_agencies);
    t.add(Method::POST, "/v1/agencies", create_agency);
    t.add(Method::GET, "/v1/users", list_users);
    t.add(Method::POST, "/v1/users", create_user);
    t.add(Method::POST, "/v1/users/{id}/active", set_user_active);
    t.add(Method::GET, "/v1/users/{id}/keys", list_keys);
    t.add(Method::POST, "/v1/users/{id}/keys", create_key);
    t.add(Method::POST, "/v1/keys/{id}/revoke", revoke_key);
    crate::compat::register(&mut t);
    crate::review::add_routes(&mut t);
    crate::federation::add_routes(&mut t);
    t
}

/// The application's router (without state): routes, problem fallbacks,
/// body limit, timeout, panic catcher and metrics.
pub fn build_router(state: AppState) -> Router {
    let limit = usize::try_from(state.config.server.body_limit_bytes).unwrap_or(usize::MAX);
    route_table()
        .into_router()
        .merge(crate::console::router())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::refusals::audit_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::flood::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), timeout))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(crate::error::problems_only))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no-route", "no such route")
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not take that method",
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::internal().into_response()
}

async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout(), next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took longer than the node allows (server.request_timeout_ms)",
        )
        .into_response(),
    }
}

/// Query-string parameters whose rejection is a problem document.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid-query", r.body_text()))
    }
}

pub(crate) use crate::screening::today;

// ---------------------------------------------------------------- service

/// Liveness: the process answers.
///
/// For a container or service manager's liveness probe. Says nothing about the index or the database: use `/readyz` before sending traffic.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The process is alive", body = HealthDto)))]
async fn healthz() -> axum::Json<HealthDto> {
    axum::Json(HealthDto {
        status: "ok".into(),
        warnings: Vec::new(),
    })
}

/// Readiness: the node can screen now.
///
/// Ready once the screening index is built and while the node is not draining. Load balancers should send screenings only to a node that answers 200 here.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses(
        (status = 200, description = "Ready to serve: index built, not draining; `warnings` says what an operator should know (no list loaded)", body = HealthDto),
        (status = 503, description = "Starting or draining", body = Problem)))]
async fn readyz(State(state): State<AppState>) -> Result<axum::Json<HealthDto>, ApiError> {
    if state.is_ready() {
        Ok(axum::Json(HealthDto {
            status: "ready".into(),
            warnings: state.warnings(),
        }))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "the node is shutting down",
        ))
    }
}

/// Prometheus metrics.
///
/// OpenMetrics text: request counts and latencies, screening outcomes, index size and age, federation lag. For the operator's monitoring; carries no personal data.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> Response {
    state.scrape_metrics();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

/// This OpenAPI document.
///
/// The machine-readable description of every route of this node, for client generators and conformance tests.
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "This document", content_type = "application/json")))]
async fn openapi_json() -> Response {
    axum::Json(openapi()).into_response()
}

/// The caller's account and key.
///
/// Which user, agency and roles the presented API key stands for: a cheap way for an integration to check its key before a shift.
#[utoipa::path(get, path = "/v1/me", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeDto),
        (status = 401, description = "No valid key", body = Problem)))]
async fn me(p: Principal) -> axum::Json<MeDto> {
    axum::Json(MeDto {
        user: UserDto::from_domain(&p.user),
        key_id: p.key_id,
    })
}

// ---------------------------------------------------------------- screening

pub(crate) const SCREEN_ROLES: &[Role] = &[Role::Officer, Role::Analyst];

/// Screen one traveller (a border crossing).
///
/// Screens a name, an MRZ or structured identity fields against every list the caller's agency may use, and asks hit/no-hit partners. Answers the band, the ranked matches with explanations and the action on hit. Recorded as a crossing: a match at or above the possible band raises a hit for review, and the screening is audited.
#[utoipa::path(post, path = "/v1/screen", tag = "screening", security(("bearer" = [])),
    request_body = ScreenRequest,
    responses(
        (status = 200, description = "Band, ranked matches with explanations, list versions", body = ScreenResponse),
        (status = 400, description = "Malformed JSON, wrong type or unknown field", body = Problem),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem),
        (status = 429, description = "Rate limit", body = Problem)))]
pub(crate) async fn screen(
    State(state): State<AppState>,
    p: Principal,
    JsonBody(req): JsonBody<ScreenRequest>,
) -> Result<axum::Json<ScreenResponse>, ApiError> {
    p.require(SCREEN_ROLES)?;
    crate::screening::screen_request(&state, &p, &req)
        .await
        .map(axum::Json)
}

/// Screen a passenger manifest.
///
/// A UN/EDIFACT PAXLST interchange or a CSV manifest, detected from the body. Every traveller is screened as a crossing (hits raised, partners asked, audited); parser diagnostics say which segments or lines were not understood.
#[utoipa::path(post, path = "/v1/screen/manifest", tag = "screening", security(("bearer" = [])),
    request_body(content = String, description = "A UN/EDIFACT PAXLST interchange or a CSV manifest (MANIFEST-CSV.md); the format is detected", content_type = "text/plain"),
    responses(
        (status = 200, description = "One result per traveller, parser diagnostics, list versions", body = ManifestResponse),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 422, description = "Not a manifest, or too many travellers", body = Problem)))]
pub(crate) async fn screen_manifest(
    State(state): State<AppState>,
    p: Principal,
    body: axum::body::Bytes,
) -> Result<axum::Json<ManifestResponse>, ApiError> {
    p.require(SCREEN_ROLES)?;
    crate::screening::screen_manifest(&state, &p, &body)
        .await
        .map(axum::Json)
}

// ---------------------------------------------------------------- entities

pub(crate) const SEARCH_ROLES: &[Role] = &[Role::Analyst, Role::ContactPoint];
pub(crate) const ENTITY_VIEW_ROLES: &[Role] = &[Role::Analyst, Role::ContactPoint, Role::Officer];

/// Search parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// A name in any script.
    pub q: String,
    /// Most results (default 10, at most 100).
    pub limit: Option<usize>,
}

/// Search entities by name.
///
/// An analyst's look-up over every entity the caller may see (public lists and national entries), best first. Not a crossing: no hit is raised; the search is audited.
#[utoipa::path(get, path = "/v1/entities", tag = "entities", security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, description = "Entities whose names resemble the query, best first", body = SearchResponse),
        (status = 400, description = "Bad parameters", body = Problem),
        (status = 403, description = "Not an analyst or contact point", body = Problem)))]
async fn search_entities(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<SearchParams>,
) -> Result<axum::Json<SearchResponse>, ApiError> {
    p.require(SEARCH_ROLES)?;
    let q = crate::screening::clean_names(std::slice::from_ref(&params.q))
        .map_err(|_| ApiError::invalid("q", "give a name of 1 to 300 characters"))?;
    let limit = params.limit.unwrap_or(10);
    if limit == 0 || limit > 100 {
        return Err(ApiError::invalid("limit", "must be in 1..=100"));
    }
    let snap = state.index.load();
    let mut results = Vec::new();
    for m in snap
        .index
        .screen(&Query::name(&q[0]), limit + snap.restricted)
    {
        if results.len() == limit {
            break;
        }
        if let Some(e) = snap.index.entity(&m.entity_id)
            && p.can_see(e)
        {
            results.push(SearchHitDto {
                score: (m.score * 10_000.0).round() / 10_000.0,
                entity: EntityDto::from_domain(e),
            });
        }
    }
    state.audit.record(p.event(
        "entity.search",
        None,
        "ok",
        json!({ "q": q[0], "results": results.iter().map(|r| r.entity.id.clone()).collect::<Vec<_>>() }),
    ));
    Ok(axum::Json(SearchResponse { results }))
}

/// An entity the caller may see, or the same 404 as for a missing one.
async fn visible_entity(state: &AppState, p: &Principal, id: &str) -> Result<Entity, ApiError> {
    match state.store.entity(id).await? {
        Some(e) if p.can_see(&e) => Ok(e),
        _ => Err(ApiError::not_found("such entity")),
    }
}

/// Read one entity.
///
/// An entity of any list the caller may see. An entity the caller's agency may not see is answered exactly like a missing one (404).
#[utoipa::path(get, path = "/v1/entities/{id}", tag = "entities", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entity id")),
    responses(
        (status = 200, description = "The entity", body = EntityDto),
        (status = 404, description = "No such entity visible to the caller", body = Problem)))]
async fn get_entity(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<EntityDto>, ApiError> {
    p.require(ENTITY_VIEW_ROLES)?;
    let result = visible_entity(&state, &p, &id).await;
    state.audit.record(p.event(
        "entity.view",
        Some(id),
        if result.is_ok() { "ok" } else { "not-found" },
        json!({}),
    ));
    Ok(axum::Json(EntityDto::from_domain(&result?)))
}

// ---------------------------------------------------------------- entries

const ENTRY_READ_ROLES: &[Role] = &[Role::ContactPoint, Role::Analyst];
const HISTORY_ROLES: &[Role] = &[Role::ContactPoint, Role::Analyst, Role::Auditor];

/// A national entry the caller may see, with its current version number.
async fn visible_entry(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<(Entity, i64), ApiError> {
    match state.store.entity_record(id).await? {
        Some(r) if r.entity.provenance.source == NATIONAL_SOURCE && p.can_see(&r.entity) => {
            Ok((r.entity, r.version))
        }
        _ => Err(ApiError::not_found("such entry")),
    }
}

/// The caller must belong to the entry's originating agency to change it.
fn own_entry(p: &Principal, e: &Entity) -> Result<(), ApiError> {
    if e.origin_agency.as_deref() == Some(p.agency()) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the originating agency may change this entry",
        ))
    }
}

pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_matches('"'))
            .and_then(|s| s.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-header",
                    "If-Match: give the entry version you read, e.g. \"3\"",
                )
            }),
    }
}

/// The version an update or withdrawal was based on: `If-Match` is
/// required (428 without), so that no change silently overwrites one made
/// meanwhile.
fn required_if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    if_match(headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "give If-Match with the entry version you read (its ETag, e.g. \"3\")",
        )
    })
}

fn etag(version: i64) -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("")),
    )]
}

/// A write of a national entry.
enum EntryWrite {
    Put(Box<Entity>, Expect),
    Withdraw {
        id: String,
        expect: Expect,
        reason: String,
    },
}

/// An entry write and its audit event, committed in **one** transaction
/// when the node's audit log is the store's (what a node runs), so that
/// no crash leaves a committed write without its event. Another sink
/// (tests, tracing) gets the event once the write is committed.
async fn write_entry_audited(
    state: &AppState,
    p: &Principal,
    write: EntryWrite,
    action: &'static str,
) -> Result<tansiq_store::EntityVersion, ApiError> {
    let event = |v: &tansiq_store::EntityVersion| {
        p.event(
            action,
            Some(v.entity.id.clone()),
            "ok",
            json!({ "version": v.version, "changed": v.changed }),
        )
    };
    let store = &state.store;
    if state.audit.store_backed() {
        let to_store = |v: &tansiq_store::EntityVersion| crate::audit::to_store(event(v));
        let v = match write {
            EntryWrite::Put(entity, expect) => {
                store
                    .put_entry_audited(*entity, expect, &p.user.id, to_store)
                    .await?
            }
            EntryWrite::Withdraw { id, expect, reason } => {
                store
                    .withdraw_entry_audited(&id, expect, &p.user.id, &reason, to_store)
                    .await?
            }
        };
        return Ok(v);
    }
    let v = match write {
        EntryWrite::Put(entity, expect) => {
            store
                .put_entry_expecting(*entity, expect, &p.user.id)
                .await?
        }
        EntryWrite::Withdraw { id, expect, reason } => {
            store
                .withdraw_entry_expecting(&id, expect, &p.user.id, &reason)
                .await?
        }
    };
    state.audit.record(event(&v));
    Ok(v)
}

async fn after_write(state: &AppState) {
    if !state.refresh_index(INDEX_WAIT).await {
        tracing::warn!("the write is stored but the screening index did not catch up in time");
    }
}

/// List the agency's national entries.
///
/// The active national (wanted-person) entries that the caller's agency originated, with their versions.
#[utoipa::path(get, path = "/v1/entries", tag = "entries", security(("bearer" = [])),
    responses(
        (status = 200, description = "Active national entries of the caller's agency", body = EntryListResponse),
        (status = 403, description = "Not a contact point", body = Problem)))]
pub(crate) async fn list_entries(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<EntryListResponse>, ApiError> {
    p.require(&[Role::ContactPoint])?;
    let entries: Vec<EntryDto> = state
        .store
        .source_entities(NATIONAL_SOURCE)
        .await?
        .iter()
        .filter(|r| {
            r.entity.status == EntryStatus::Active
                && r.entity.origin_agency.as_deref() == Some(p.agency())
        })
        .map(|r| EntryDto::from_domain(&r.entity, r.version))
        .collect();
    state
        .audit
        .record(p.event("entry.list", None, "ok", json!({ "count": entries.len() })));
    Ok(axum::Json(EntryListResponse { entries }))
}

/// Create a national entry.
///
/// A wanted-person entry of the caller's agency, with legal basis, action on hit and sharing policy. Screening includes it once the answer is given; `Location` and `ETag` name it and its version.
#[utoipa::path(post, path = "/v1/entries", tag = "entries", security(("bearer" = [])),
    request_body = EntryInput,
    responses(
        (status = 201, description = "Created; screening includes it", body = EntryDto),
        (status = 400, description = "Malformed body", body = Problem),
        (status = 403, description = "Not a contact point", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem)))]
pub(crate) async fn create_entry(
    State(state): State<AppState>,
    p: Principal,
    JsonBody(input): JsonBody<EntryInput>,
) -> Result<Response, ApiError> {
    p.require(&[Role::ContactPoint])?;
    let id = format!("{}-{}", p.agency(), uuid::Uuid::now_v7().simple());
    let entity = input.to_entity(&id, p.agency())?;
    let v = write_entry_audited(
        &state,
        &p,
        EntryWrite::Put(Box::new(entity), Expect::New),
        "entry.create",
    )
    .await?;
    after_write(&state).await;
    let mut r = (
        StatusCode::CREATED,
        etag(v.version),
        axum::Json(EntryDto::from_domain(&v.entity, v.version)),
    )
        .into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/v1/entries/{id}")) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(r)
}

/// Read one national entry.
///
/// The entry and, in `ETag`, its version: send that version back in `If-Match` to update or withdraw it.
#[utoipa::path(get, path = "/v1/entries/{id}", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, description = "The entry (ETag: its version)", body = EntryDto),
        (status = 404, description = "No such entry visible to the caller", body = Problem)))]
async fn get_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    p.require(ENTRY_READ_ROLES)?;
    let result = visible_entry(&state, &p, &id).await;
    state.audit.record(p.event(
        "entry.view",
        Some(id),
        if result.is_ok() { "ok" } else { "not-found" },
        json!({}),
    ));
    let (e, version) = result?;
    Ok((
        etag(version),
        axum::Json(EntryDto::from_domain(&e, version)),
    )
        .into_response())
}

/// Replace a national entry.
///
/// Only the originating agency's contact points may change an entry. `If-Match` must carry the version read; a change made meanwhile answers 409 instead of being overwritten.
#[utoipa::path(put, path = "/v1/entries/{id}", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id"),
           ("If-Match" = String, Header, description = "The version read (required); the update fails with 409 when it is stale")),
    request_body = EntryInput,
    responses(
        (status = 200, description = "Updated", body = EntryDto),
        (status = 403, description = "Not the originating agency's contact point", body = Problem),
        (status = 404, description = "No such entry visible to the caller", body = Problem),
        (status = 409, description = "Stale version or withdrawn entry", body = Problem),
        (status = 428, description = "No If-Match", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem)))]
async fn update_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<EntryInput>,
) -> Result<Response, ApiError> {
    p.require(&[Role::ContactPoint])?;
    let (current, _) = visible_entry(&state, &p, &id).await?;
    own_entry(&p, &current)?;
    if current.status == EntryStatus::Withdrawn {
        return Err(ApiError::conflict("the entry is withdrawn"));
    }
    let expected = required_if_match(&headers)?;
    let entity = input.to_entity(&id, p.agency())?;
    let v = write_entry_audited(
        &state,
        &p,
        EntryWrite::Put(Box::new(entity), Expect::Version(expected)),
        "entry.update",
    )
    .await?;
    after_write(&state).await;
    Ok((
        etag(v.version),
        axum::Json(EntryDto::from_domain(&v.entity, v.version)),
    )
        .into_response())
}

/// Withdraw a national entry.
///
/// The entry stops screening at once and is removed from partners that hold a copy; its history stays. Requires `If-Match` and a reason.
#[utoipa::path(post, path = "/v1/entries/{id}/withdraw", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id"),
           ("If-Match" = String, Header, description = "The version read (required); 409 when it is stale")),
    request_body = WithdrawRequest,
    responses(
        (status = 200, description = "Withdrawn: it no longer screens", body = EntryDto),
        (status = 428, description = "No If-Match", body = Problem),
        (status = 403, description = "Not the originating agency's contact point", body = Problem),
        (status = 404, description = "No such entry visible to the caller", body = Problem),
        (status = 409, description = "Already withdrawn", body = Problem)))]
pub(crate) async fn withdraw_entry(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<WithdrawRequest>,
) -> Result<Response, ApiError> {
    p.require(&[Role::ContactPoint])?;
    let (current, _) = visible_entry(&state, &p, &id).await?;
    own_entry(&p, &current)?;
    if current.status == EntryStatus::Withdrawn {
        return Err(ApiError::conflict("the entry is already withdrawn"));
    }
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::invalid(
            "reason",
            "give a reason of 1 to 1000 characters",
        ));
    }
    let expected = required_if_match(&headers)?;
    let v = write_entry_audited(
        &state,
        &p,
        EntryWrite::Withdraw {
            id,
            expect: Expect::Version(expected),
            reason: reason.to_string(),
        },
        "entry.withdraw",
    )
    .await?;
    after_write(&state).await;
    Ok((
        etag(v.version),
        axum::Json(EntryDto::from_domain(&v.entity, v.version)),
    )
        .into_response())
}

/// Every version of a national entry.
///
/// Oldest first, with who changed what and when: for contact points, analysts and auditors.
#[utoipa::path(get, path = "/v1/entries/{id}/history", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, description = "Every version, oldest first", body = HistoryResponse),
        (status = 404, description = "No such entry visible to the caller", body = Problem)))]
async fn entry_history(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<HistoryResponse>, ApiError> {
    p.require(HISTORY_ROLES)?;
    let result = visible_entry(&state, &p, &id).await;
    state.audit.record(p.event(
        "entry.history",
        Some(id.clone()),
        if result.is_ok() { "ok" } else { "not-found" },
        json!({}),
    ));
    result?;
    let versions = state.store.entity_history(&id).await?;
    Ok(axum::Json(HistoryResponse {
        versions: versions.iter().map(HistoryItemDto::from_domain).collect(),
    }))
}

// ---------------------------------------------------------------- sources

/// The lists screened now.
///
/// Each list source with its version, counts and age, so an operator can see a stale list before an officer does.
#[utoipa::path(get, path = "/v1/sources", tag = "sources", security(("bearer" = [])),
    responses(
        (status = 200, description = "Lists screened now, with versions and ages", body = SourcesResponse),
        (status = 403, description = "Not a node administrator or analyst", body = Problem)))]
async fn sources(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<SourcesResponse>, ApiError> {
    p.require(&[Role::NodeAdmin, Role::Analyst])?;
    let snap = state.index.load();
    Ok(axum::Json(SourcesResponse {
        sources: snap.lists.iter().map(ListVersionDto::from_state).collect(),
    }))
}

// ---------------------------------------------------------------- accounts

/// List agencies.
///
/// The agencies of this node (node administrators only).
#[utoipa::path(get, path = "/v1/agencies", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "Every agency", body = AgencyList),
              (status = 403, description = "Not a node administrator", body = Problem)))]
async fn list_agencies(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<AgencyList>, ApiError> {
    p.require(NODE_ADMINS)?;
    let agencies = state.store.agencies().await?;
    state.audit.record(p.event(
        "agency.list",
        None,
        "ok",
        json!({ "count": agencies.len() }),
    ));
    Ok(axum::Json(AgencyList {
        agencies: agencies.iter().map(AgencyDto::from_domain).collect(),
    }))
}

/// Create an agency.
///
/// A new agency of this node; its accounts are created afterwards (node administrators only).
#[utoipa::path(post, path = "/v1/agencies", tag = "accounts", security(("bearer" = [])),
    request_body = AgencyInput,
    responses((status = 201, description = "Created", body = AgencyDto),
              (status = 403, description = "Not a node administrator", body = Problem),
              (status = 409, description = "The id exists", body = Problem)))]
async fn create_agency(
    State(state): State<AppState>,
    p: Principal,
    JsonBody(input): JsonBody<AgencyInput>,
) -> Result<(StatusCode, axum::Json<AgencyDto>), ApiError> {
    p.require(NODE_ADMINS)?;
    let a = state.store.create_agency(&input.id, &input.name).await?;
    state
        .audit
        .record(p.event("agency.create", Some(a.id.clone()), "ok", json!({})));
    Ok((StatusCode::CREATED, axum::Json(AgencyDto::from_domain(&a))))
}

/// Filter of the user list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserParams {
    /// Only users of this agency (an agency administrator sees only its
    /// own agency).
    pub agency: Option<String>,
}

/// List user accounts.
///
/// An agency administrator sees its own agency's users; a node administrator every agency's, or one agency's with `agency`.
#[utoipa::path(get, path = "/v1/users", tag = "accounts", security(("bearer" = [])),
    params(UserParams),
    responses((status = 200, description = "Users the caller administers the agency of", body = UserList),
              (status = 403, description = "Not an administrator, or another agency", body = Problem)))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    p: Principal,
    Params(params): Params<UserParams>,
) -> Result<axum::Json<UserList>, ApiError> {
    p.require(ACCOUNT_ADMINS)?;
    let agency = match params.agency {
        Some(a) => Some(a),
        None if p.user.has(Role::NodeAdmin) => None,
        None => Some(p.agency().to_string()),
    };
    if let Some(a) = &agency
        && !p.sees_accounts_of(a)
    {
        return Err(ApiError::forbidden(
            "an agency administrator sees only its own agency's users",
        ));
    }
    let users = state.store.users(agency.as_deref()).await?;
    state.audit.record(p.event(
        "user.list",
        None,
        "ok",
        json!({ "agency": agency, "count": users.len() }),
    ));
    Ok(axum::Json(UserList {
        users: users.iter().map(UserDto::from_domain).collect(),
    }))
}

fn parse_roles(roles: &[String]) -> Result<Vec<Role>, ApiError> {
    if roles.is_empty() {
        return Err(ApiError::invalid("roles", "give at least one role"));
    }
    roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.parse::<Role>()
                .map_err(|e| ApiError::invalid(format!("roles[{i}]"), e.to_string()))
        })
        .collect()
}

/// The user `id` if the caller may administer it; the same 404 as for a
/// missing user when the caller does not see that user's agency, 403 when
/// it sees it but may not administer that account.
async fn administered_user(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<tansiq_store::User, ApiError> {
    match state.store.user(id).await? {
        Some(u) if p.may_administer(&u.agency_id, &u.roles) => Ok(u),
        Some(u) if p.sees_accounts_of(&u.agency_id) => Err(ApiError::forbidden(
            "a node administrator manages only administrative accounts of other agencies",
        )),
        _ => Err(ApiError::not_found("such user")),
    }
}

/// Create a user account.
///
/// An agency administrator creates users of its own agency; a node administrator creates administrative accounts. The user gets no key: issue one with `POST /v1/users/{id}/keys`.
#[utoipa::path(post, path = "/v1/users", tag = "accounts", security(("bearer" = [])),
    request_body = UserInput,
    responses((status = 201, description = "Created", body = UserDto),
              (status = 403, description = "Not an administrator of that agency, or a role the caller may not grant", body = Problem),
              (status = 409, description = "The id exists", body = Problem),
              (status = 422, description = "Unknown agency or role", body = Problem)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    p: Principal,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<(StatusCode, axum::Json<UserDto>), ApiError> {
    p.require(ACCOUNT_ADMINS)?;
    let roles = parse_roles(&input.roles)?;
    if !p.may_administer(&input.agency, &roles) {
        return Err(ApiError::forbidden(
            "an agency administrator creates users of its own agency only; \
             a node administrator creates administrative accounts only",
        ));
    }
    let u = state
        .store
        .create_user(&input.id, &input.agency, &input.name, &roles)
        .await?;
    state.audit.record(p.event(
        "user.create",
        Some(u.id.clone()),
        "ok",
        json!({ "agency": u.agency_id, "roles": input.roles }),
    ));
    Ok((StatusCode::CREATED, axum::Json(UserDto::from_domain(&u))))
}

/// Activate or deactivate a user.
///
/// A deactivated user's keys stop working at once; nothing is deleted.
#[utoipa::path(post, path = "/v1/users/{id}/active", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = UserActiveInput,
    responses((status = 200, description = "Updated; a deactivated user's keys stop working", body = UserDto),
              (status = 403, description = "Not an administrator of that account", body = Problem),
              (status = 404, description = "No such user in the caller's reach", body = Problem)))]
async fn set_user_active(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserActiveInput>,
) -> Result<axum::Json<UserDto>, ApiError> {
    p.require(ACCOUNT_ADMINS)?;
    administered_user(&state, &p, &id).await?;
    let u = state.store.set_user_active(&id, input.active).await?;
    state.keys.forget_user(&id);
    state.audit.record(p.event(
        "user.active",
        Some(id),
        "ok",
        json!({ "active": input.active }),
    ));
    Ok(axum::Json(UserDto::from_domain(&u)))
}

/// List a user's API keys.
///
/// Ids, labels, expiry and last use, never the secrets. A user may list their own keys.
#[utoipa::path(get, path = "/v1/users/{id}/keys", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user's keys (never their secrets)", body = KeyList),
              (status = 403, description = "Neither an administrator of that account nor that user", body = Problem),
              (status = 404, description = "No such user in the caller's reach", body = Problem)))]
async fn list_keys(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<KeyList>, ApiError> {
    if p.user.id != id {
        p.require(ACCOUNT_ADMINS)?;
        administered_user(&state, &p, &id).await?;
    }
    let keys = state.store.api_keys(Some(&id)).await?;
    state
        .audit
        .record(p.event("key.list", Some(id), "ok", json!({ "count": keys.len() })));
    Ok(axum::Json(KeyList {
        keys: keys.iter().map(KeyDto::from_domain).collect(),
    }))
}

/// Issue an API key.
///
/// The token is in this answer only: store it at once. Keys expire (`expires_in_days`, at most `[security] key_max_days`).
#[utoipa::path(post, path = "/v1/users/{id}/keys", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = KeyInput,
    responses((status = 201, description = "The new key; the token is shown only here", body = IssuedKeyDto),
              (status = 403, description = "Not an administrator of that account", body = Problem),
              (status = 404, description = "No such user in the caller's reach", body = Problem)))]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<KeyInput>,
) -> Result<(StatusCode, axum::Json<IssuedKeyDto>), ApiError> {
    p.require(ACCOUNT_ADMINS)?;
    administered_user(&state, &p, &id).await?;
    let max = state.config.security.key_max_days;
    let days = input.expires_in_days.unwrap_or(max);
    crate::auth::check_key_days(days, max).map_err(|m| ApiError::invalid("expires_in_days", m))?;
    if input.label.chars().count() > 200 {
        return Err(ApiError::invalid("label", "longer than 200 characters"));
    }
    let expires = OffsetDateTime::now_utc() + time::Duration::days(i64::from(days));
    let issued = issue_key(&state.store, &state.pepper, &id, &input.label, expires).await?;
    state.audit.record(p.event(
        "key.create",
        Some(issued.record.id.clone()),
        "ok",
        json!({ "user": id, "expires_in_days": days }),
    ));
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedKeyDto {
            token: issued.token,
            key: KeyDto::from_domain(&issued.record),
        }),
    ))
}

/// Revoke an API key.
///
/// The key stops working at once. A user may revoke their own keys; administrators those of accounts they administer.
#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, description = "Revoked at once", body = KeyDto),
              (status = 403, description = "Neither an administrator of the key's owner nor the owner", body = Problem),
              (status = 404, description = "No such key in the caller's reach", body = Problem)))]
async fn revoke_key(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<KeyDto>, ApiError> {
    let owner = state.store.api_key(&id).await?.map(|(_, u)| u);
    match &owner {
        Some(u) if u.id == p.user.id => {}
        Some(u) => {
            p.require(ACCOUNT_ADMINS)?;
            administered_user(&state, &p, &u.id)
                .await
                .map_err(|e| match e.status {
                    StatusCode::NOT_FOUND => ApiError::not_found("such key"),
                    _ => e,
                })?;
        }
        None => {
            p.require(ACCOUNT_ADMINS)?;
            return Err(ApiError::not_found("such key"));
        }
    }
    let k = state.store.revoke_api_key(&id).await?;
    state.keys.forget(&id);
    state
        .audit
        .record(p.event("key.revoke", Some(id), "ok", json!({})));
    Ok(axum::Json(KeyDto::from_domain(&k)))
}

// ---------------------------------------------------------------- OpenAPI

#[derive(OpenApi)]
#[openapi(
    info(title = "tansiq national node", description = "Screening, national entries and accounts of a tansiq node. Errors are application/problem+json (RFC 9457)."),
    paths(healthz, readyz, metrics, openapi_json, me, screen, screen_manifest, search_entities, get_entity,
          list_entries, create_entry, get_entry, update_entry, withdraw_entry, entry_history,
          sources, list_agencies, create_agency, list_users, create_user, set_user_active,
          list_keys, create_key, revoke_key),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// Declares on every operation the problem responses that the layers
/// around the handlers give (malformed input, authentication, body limit,
/// the per-address refusal limit, the request timeout and the audit
/// journal's back-pressure), so that a client — and a schema-conformance
/// check — knows every status a route can answer. A status an operation
/// already declares keeps its own, more precise description. Every
/// `Problem` body is declared as `application/problem+json`, the media
/// type `error.rs` sends.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                declare_common_responses(path, op);
                problems_as_problem_json(op);
            }
        }
    }
}

fn declare_common_responses(path: &str, op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{RefOr, Response};

    let keyed = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let node_to_node = path.starts_with("/fed/");
    let has_query = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
    let has_header = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header));
    let has_body = op.request_body.is_some();
    // Liveness and metrics are exempt from the refusal limit and from the
    // journal's back-pressure (`flood::guard`).
    let guarded = !matches!(path, "/healthz" | "/metrics");

    let mut common: Vec<(&str, &str)> = Vec::new();
    if has_query || has_header || has_body {
        common.push((
            "400",
            "Malformed request: a query parameter, header or body that does not parse, or an unknown field",
        ));
    }
    if keyed {
        common.push((
            "401",
            "No valid API key (`Authorization: Bearer <key>`): missing, unknown, expired or revoked",
        ));
        if path != "/v1/me" {
            common.push(("403", "The caller's roles or agency do not allow this"));
        }
    }
    if node_to_node {
        common.push((
            "401",
            "Unknown sender or bad signature, or no client certificate under mutual TLS",
        ));
    }
    if has_body {
        common.push(("413", "Body larger than `[server] body_limit_bytes`"));
        common.push(("415", "A body of another media type than the one declared"));
    }
    if guarded {
        common.push((
            "429",
            "Too many refused requests from this address (`[rate_limit] refusals_per_minute_per_address`); retry after `Retry-After` seconds",
        ));
    }
    common.push((
        "503",
        "Not answered in time (`[server] request_timeout_ms`), or the audit journal is behind; retry shortly",
    ));
    for (status, description) in common {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    Response::builder()
                        .description(description)
                        .content(
                            PROBLEM_JSON,
                            utoipa::openapi::Content::new(Some(
                                utoipa::openapi::Ref::from_schema_name("Problem"),
                            )),
                        )
                        .build(),
                )
            });
    }
}

/// The media type of every error (RFC 9457).
const PROBLEM_JSON: &str = "application/problem+json";

/// Re-declares `body = Problem` responses (utoipa says `application/json`)
/// as `application/problem+json`.
fn problems_as_problem_json(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;

    for response in op.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_problem = |c: &RefOr<utoipa::openapi::Content>| {
            matches!(c, RefOr::T(c) if matches!(&c.schema,
                Some(RefOr::Ref(r)) if r.ref_location == "#/components/schemas/Problem"))
        };
        if let Some(content) = response.content.get("application/json")
            && is_problem(content)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM_JSON.to_string(), content);
        }
    }
}

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document of the routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::ops::OpsDoc::openapi());
    doc.merge(crate::compat::openapi());
    doc.merge(crate::review::openapi());
    doc.merge(crate::federation::FederationDoc::openapi());
    utoipa::Modify::modify(&CommonResponses, &mut doc);
    doc
}
