//! The lists screened now.

use axum::extract::State;
use tansiq_store::Role;

use crate::auth::Principal;
use crate::dto::*;
use crate::error::Problem;
use crate::{ApiError, AppState};

/// The lists screened now.
///
/// Each list source with its version, counts and age, so an operator can see a stale list before an
/// officer does.
#[utoipa::path(get, path = "/v1/sources", tag = "sources", security(("bearer" = [])),
    responses(
        (status = 200, description = "Lists screened now, with versions and ages", body = SourcesResponse),
        (status = 403, description = "Not a node administrator or analyst", body = Problem)))]
pub(crate) async fn sources(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<SourcesResponse>, ApiError> {
    p.require(&[Role::NodeAdmin, Role::Analyst])?;
    let snap = state.index.load();
    Ok(axum::Json(SourcesResponse {
        sources: snap.lists.iter().map(ListVersionDto::from_state).collect(),
    }))
}
