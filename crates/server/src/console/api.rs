//! The console's only way into the node's behaviour: the API's own
//! handlers, called in-process with the session's [`Principal`].
//!
//! Every role check, agency filter, validation and audit event is
//! therefore the API's; the console adds none of its own authorisation
//! for these operations and skips none. When a flow moves (screening into
//! its own service, say), only the one function here that calls it
//! changes.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};

use crate::auth::Principal;
use crate::dto::{
    EntryInput, EntryListResponse, IssuedKeyDto, KeyInput, ManifestResponse, ScreenRequest,
    ScreenResponse, UserDto, UserInput, UserList, WithdrawRequest,
};
use crate::error::JsonBody;
use crate::ops::{AuditEventsResponse, AuditParams};
use crate::review::{
    AssignRequest, ConfirmRequest, DismissRequest, HitDetail, HitDto, HitList, HitParams,
};
use crate::routes::{Params, UserParams};
use crate::{ApiError, AppState};

/// One traveller screened (`POST /v1/screen`).
pub async fn screen(
    state: &AppState,
    p: &Principal,
    req: ScreenRequest,
) -> Result<ScreenResponse, ApiError> {
    crate::routes::screen(State(state.clone()), p.clone(), JsonBody(req))
        .await
        .map(|j| j.0)
}

/// A whole manifest screened (`POST /v1/screen/manifest`).
pub async fn screen_manifest(
    state: &AppState,
    p: &Principal,
    body: Vec<u8>,
) -> Result<ManifestResponse, ApiError> {
    crate::routes::screen_manifest(State(state.clone()), p.clone(), body.into())
        .await
        .map(|j| j.0)
}

/// The agency's hit queue (`GET /v1/hits`).
pub async fn hits(state: &AppState, p: &Principal, params: HitParams) -> Result<HitList, ApiError> {
    crate::review::list_hits(State(state.clone()), p.clone(), Params(params))
        .await
        .map(|j| j.0)
}

/// One hit with its context and history (`GET /v1/hits/{id}`).
pub async fn hit(state: &AppState, p: &Principal, id: &str) -> Result<HitDetail, ApiError> {
    crate::review::get_hit(State(state.clone()), p.clone(), Path(id.to_string()))
        .await
        .map(|j| j.0)
}

/// A review action on a hit, conditional on the version read (`If-Match`).
#[derive(Debug)]
pub enum Review {
    Assign(Option<String>),
    Confirm(Option<String>),
    Dismiss(String),
    Close,
}

pub async fn review(
    state: &AppState,
    p: &Principal,
    id: &str,
    version: i64,
    action: Review,
) -> Result<HitDto, ApiError> {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::IF_MATCH, v);
    }
    let (s, p, id) = (State(state.clone()), p.clone(), Path(id.to_string()));
    let r = match action {
        Review::Assign(who) => {
            crate::review::assign_hit(s, p, id, headers, JsonBody(AssignRequest { assignee: who }))
                .await
        }
        Review::Confirm(note) => {
            crate::review::confirm_hit(s, p, id, headers, JsonBody(ConfirmRequest { note })).await
        }
        Review::Dismiss(reason) => {
            crate::review::dismiss_hit(
                s,
                p,
                id,
                headers,
                JsonBody(DismissRequest {
                    reason: Some(reason),
                }),
            )
            .await
        }
        Review::Close => crate::review::close_hit(s, p, id, headers).await,
    };
    r.map(|j| j.0)
}

/// The agency's active national entries (`GET /v1/entries`).
pub async fn entries(state: &AppState, p: &Principal) -> Result<EntryListResponse, ApiError> {
    crate::routes::list_entries(State(state.clone()), p.clone())
        .await
        .map(|j| j.0)
}

/// A new national entry (`POST /v1/entries`); returns its id.
pub async fn create_entry(
    state: &AppState,
    p: &Principal,
    input: EntryInput,
) -> Result<String, ApiError> {
    let r = crate::routes::create_entry(State(state.clone()), p.clone(), JsonBody(input)).await?;
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_string)
        .ok_or_else(ApiError::internal)
}

/// Withdraws an entry (`POST /v1/entries/{id}/withdraw`) at the version
/// the page showed (sent as `If-Match`).
pub async fn withdraw_entry(
    state: &AppState,
    p: &Principal,
    id: &str,
    reason: String,
    version: i64,
) -> Result<(), ApiError> {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::IF_MATCH, v);
    }
    crate::routes::withdraw_entry(
        State(state.clone()),
        p.clone(),
        Path(id.to_string()),
        headers,
        JsonBody(WithdrawRequest { reason }),
    )
    .await
    .map(drop)
}

/// A page of the audit log (`GET /v1/audit/events`).
pub async fn audit_events(
    state: &AppState,
    p: &Principal,
    params: AuditParams,
) -> Result<AuditEventsResponse, ApiError> {
    crate::ops::audit_events(State(state.clone()), p.clone(), Params(params))
        .await
        .map(|j| j.0)
}

/// Users (`GET /v1/users`).
pub async fn users(state: &AppState, p: &Principal) -> Result<UserList, ApiError> {
    crate::routes::list_users(
        State(state.clone()),
        p.clone(),
        Params(UserParams { agency: None }),
    )
    .await
    .map(|j| j.0)
}

/// A new user (`POST /v1/users`).
pub async fn create_user(
    state: &AppState,
    p: &Principal,
    input: UserInput,
) -> Result<UserDto, ApiError> {
    crate::routes::create_user(State(state.clone()), p.clone(), JsonBody(input))
        .await
        .map(|(_, j)| j.0)
}

/// A new API key, its token shown once (`POST /v1/users/{id}/keys`).
pub async fn create_key(
    state: &AppState,
    p: &Principal,
    user: &str,
    input: KeyInput,
) -> Result<IssuedKeyDto, ApiError> {
    crate::routes::create_key(
        State(state.clone()),
        p.clone(),
        Path(user.to_string()),
        JsonBody(input),
    )
    .await
    .map(|(_, j)| j.0)
}
