//! The service routes: liveness, readiness, metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::dto::*;
use crate::error::Problem;
use crate::{ApiError, AppState};

/// Liveness: the process answers.
///
/// For a container or service manager's liveness probe. Says nothing about the index or the
/// database: use `/readyz` before sending traffic.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "The process is alive", body = HealthDto)))]
pub(crate) async fn healthz() -> axum::Json<HealthDto> {
    axum::Json(HealthDto {
        status: "ok".into(),
        warnings: Vec::new(),
    })
}

/// Readiness: the node can screen now.
///
/// Ready once the screening index is built, while the node is not draining (and, with
/// `[lists] stale_not_ready`, while no declared list is stale). Load balancers
/// should send screenings only to a node that answers 200 here.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses(
        (status = 200, description = "Ready to serve: index built, not draining; `warnings` says what an operator should know (no list loaded)", body = HealthDto),
        (status = 503, description = "Starting, draining, or a list source is stale and `[lists] stale_not_ready` is set", body = Problem)))]
pub(crate) async fn readyz(
    State(state): State<AppState>,
) -> Result<axum::Json<HealthDto>, ApiError> {
    if let Some(why) = state.not_ready_because() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            why,
        ));
    }
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
/// OpenMetrics text: request counts and latencies, screening outcomes, index size and age,
/// federation lag. For the operator's monitoring; carries no personal data.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "OpenMetrics text exposition (Prometheus reads it)", content_type = "application/openmetrics-text")))]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
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
