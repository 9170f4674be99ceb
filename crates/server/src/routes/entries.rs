//! National entries: create, read, update (If-Match), withdraw, history.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tansiq_model::{Entity, EntryStatus};
use tansiq_store::{Expect, NATIONAL_SOURCE, Role};

use crate::auth::Principal;
use crate::dto::*;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState};

/// How long a write waits for the index to include it before answering.
const INDEX_WAIT: Duration = Duration::from_secs(30);

pub(crate) const ENTRY_READ_ROLES: &[Role] = &[Role::ContactPoint, Role::Analyst];
pub(crate) const HISTORY_ROLES: &[Role] = &[Role::ContactPoint, Role::Analyst, Role::Auditor];

/// A national entry the caller may see, with its current version number.
pub(crate) async fn visible_entry(
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
pub(crate) fn own_entry(p: &Principal, e: &Entity) -> Result<(), ApiError> {
    if e.origin_agency.as_deref() == Some(p.agency()) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the originating agency may change this entry",
        ))
    }
}

fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
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
                    "If-Match: give the version you read, e.g. \"3\"",
                )
            }),
    }
}

/// The version an entry update or withdrawal, or a hit decision, was
/// based on: `If-Match` is required (428 without), so that no change
/// silently overwrites one made meanwhile.
pub(crate) fn required_if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    if_match(headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "give If-Match with the version you read (its ETag, e.g. \"3\")",
        )
    })
}

pub(crate) fn etag(version: i64) -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("")),
    )]
}

/// A write of a national entry.
pub(crate) enum EntryWrite {
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
pub(crate) async fn write_entry_audited(
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

pub(crate) async fn after_write(state: &AppState) {
    if !state.refresh_index(INDEX_WAIT).await {
        tracing::warn!("the write is stored but the screening index did not catch up in time");
    }
}

/// List the agency's national entries.
///
/// The active national (wanted-person) entries that the caller's agency originated, with their
/// versions.
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
/// A wanted-person entry of the caller's agency, with legal basis, action on hit and sharing
/// policy. Screening includes it once the answer is given; `Location` and `ETag` name it and its
/// version.
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
/// The entry and, in `ETag`, its version: send that version back in `If-Match` to update or
/// withdraw it.
#[utoipa::path(get, path = "/v1/entries/{id}", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, description = "The entry (ETag: its version)", body = EntryDto),
        (status = 404, description = "No such entry visible to the caller", body = Problem)))]
pub(crate) async fn get_entry(
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
/// Only the originating agency's contact points may change an entry. `If-Match` must carry the
/// version read; a change made meanwhile answers 409 instead of being overwritten.
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
pub(crate) async fn update_entry(
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
/// The entry stops screening at once and is removed from partners that hold a copy; its history
/// stays. Requires `If-Match` and a reason.
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
pub(crate) async fn entry_history(
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
