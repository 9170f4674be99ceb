//! Entity search and look-up over every list the caller may see.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use tansiq_matching::Query;
use tansiq_model::Entity;
use tansiq_store::Role;

use crate::auth::Principal;
use crate::dto::*;
use crate::error::Problem;
use crate::{ApiError, AppState};

use super::params::Params;

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
/// An analyst's look-up over every entity the caller may see (public lists and national entries),
/// best first. Not a crossing: no hit is raised; the search is audited.
#[utoipa::path(get, path = "/v1/entities", tag = "entities", security(("bearer" = [])),
    params(SearchParams),
    responses(
        (status = 200, description = "Entities whose names resemble the query, best first", body = SearchResponse),
        (status = 400, description = "Bad parameters", body = Problem),
        (status = 403, description = "Not an analyst or contact point", body = Problem)))]
pub(crate) async fn search_entities(
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
pub(crate) async fn visible_entity(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<Entity, ApiError> {
    match state.store.entity(id).await? {
        Some(e) if p.can_see(&e) => Ok(e),
        _ => Err(ApiError::not_found("such entity")),
    }
}

/// Read one entity.
///
/// An entity of any list the caller may see. An entity the caller's agency may not see is answered
/// exactly like a missing one (404).
#[utoipa::path(get, path = "/v1/entities/{id}", tag = "entities", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entity id")),
    responses(
        (status = 200, description = "The entity", body = EntityDto),
        (status = 404, description = "No such entity visible to the caller", body = Problem)))]
pub(crate) async fn get_entity(
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
