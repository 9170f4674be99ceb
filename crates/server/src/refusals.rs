//! Audits the access decisions that handlers do not: a refusal for a
//! missing role (403) and a request whose body or query could not be read
//! (400, 413, 415).
//!
//! A handler returns `Err` from [`crate::auth::Principal::require`] or a
//! body extractor before it could record anything; rather than teach every
//! handler to audit its refusals, one middleware around the router looks at
//! the status of the answer and records an `access.refused` event for the
//! caller the key extractor identified (it leaves the caller in a
//! [`CallerSlot`] of the request). Unauthenticated refusals (401) are
//! recorded by the extractor itself.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use time::OffsetDateTime;

use crate::{AppState, AuditEvent};

/// Who the request authenticated as (user, agency, key id), once the key
/// extractor has run.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallerSlot(Arc<Mutex<Option<(String, String, String)>>>);

impl CallerSlot {
    pub(crate) fn set(&self, user: &str, agency: &str, key_id: &str) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((user.to_string(), agency.to_string(), key_id.to_string()));
        }
    }

    fn get(&self) -> Option<(String, String, String)> {
        self.0.lock().ok()?.clone()
    }
}

/// The outcome recorded for a refused status, `None` for the statuses the
/// handlers audit themselves (or that are not refusals).
fn refusal(status: StatusCode) -> Option<&'static str> {
    match status {
        StatusCode::FORBIDDEN => Some("denied"),
        StatusCode::BAD_REQUEST
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::PRECONDITION_REQUIRED => Some("invalid"),
        _ => None,
    }
}

/// The middleware: runs the request, then records its refusal, if any.
pub(crate) async fn audit_refusals(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = CallerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status();
    if let (Some(outcome), Some((actor, agency, key_id))) = (refusal(status), slot.get()) {
        state.audit.record(AuditEvent {
            at: OffsetDateTime::now_utc(),
            actor,
            agency,
            key_id,
            action: "access.refused",
            target: Some(format!("{method} {path}")),
            outcome,
            detail: json!({ "status": status.as_u16() }),
        });
    }
    response
}
