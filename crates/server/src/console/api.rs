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
    AgencyList, EntryDto, EntryInput, EntryListResponse, HistoryResponse, IssuedKeyDto, KeyInput,
    ManifestResponse, ScreenRequest, ScreenResponse, SourcesResponse, UserDto, UserInput, UserList,
    WithdrawRequest,
};
use crate::error::JsonBody;
use crate::federation::FederationStatusDto;
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
    // English reasons: the pages word them in the person's language
    let headers = axum::http::HeaderMap::new();
    crate::routes::screen(State(state.clone()), p.clone(), headers, JsonBody(req))
        .await
        .map(|j| j.0)
}

/// A whole manifest screened (`POST /v1/screen/manifest`).
pub async fn screen_manifest(
    state: &AppState,
    p: &Principal,
    body: Vec<u8>,
) -> Result<ManifestResponse, ApiError> {
    let headers = axum::http::HeaderMap::new();
    crate::routes::screen_manifest(State(state.clone()), p.clone(), headers, body.into())
        .await
        .map(|j| j.0)
}

/// Notifications to the caller's agency, newest first
/// (`GET /v1/notifications`).
pub async fn notifications(
    state: &AppState,
    p: &Principal,
    limit: i64,
) -> Result<crate::review::NotificationList, ApiError> {
    crate::review::list_notifications(
        State(state.clone()),
        p.clone(),
        Params(crate::review::NotificationParams { limit: Some(limit) }),
    )
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

fn if_match(version: i64) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::IF_MATCH, v);
    }
    headers
}

/// One national entry with its current version (`GET /v1/entries/{id}`).
pub async fn entry(state: &AppState, p: &Principal, id: &str) -> Result<EntryDto, ApiError> {
    let r = crate::routes::get_entry(State(state.clone()), p.clone(), Path(id.to_string())).await?;
    json_of(r).await
}

/// Changes an entry (`PUT /v1/entries/{id}`) at the version the page
/// showed (`If-Match`): a change made meanwhile makes it fail with 409.
pub async fn update_entry(
    state: &AppState,
    p: &Principal,
    id: &str,
    version: i64,
    input: EntryInput,
) -> Result<EntryDto, ApiError> {
    let r = crate::routes::update_entry(
        State(state.clone()),
        p.clone(),
        Path(id.to_string()),
        if_match(version),
        JsonBody(input),
    )
    .await?;
    json_of(r).await
}

/// Every version of an entry, oldest first (`GET /v1/entries/{id}/history`).
pub async fn entry_history(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<HistoryResponse, ApiError> {
    crate::routes::entry_history(State(state.clone()), p.clone(), Path(id.to_string()))
        .await
        .map(|j| j.0)
}

/// The lists screened now (`GET /v1/sources`).
pub async fn sources(state: &AppState, p: &Principal) -> Result<SourcesResponse, ApiError> {
    crate::routes::sources(State(state.clone()), p.clone())
        .await
        .map(|j| j.0)
}

/// Every agency (`GET /v1/agencies`).
pub async fn agencies(state: &AppState, p: &Principal) -> Result<AgencyList, ApiError> {
    crate::routes::list_agencies(State(state.clone()), p.clone())
        .await
        .map(|j| j.0)
}

/// Partners, agreements and the federation's state
/// (`GET /v1/federation/status`).
pub async fn federation_status(
    state: &AppState,
    p: &Principal,
) -> Result<FederationStatusDto, ApiError> {
    crate::federation::status(State(state.clone()), p.clone())
        .await
        .map(|j| j.0)
}

/// Registers or updates a partner and its agreements
/// (`PUT /v1/federation/partners/{id}`).
pub async fn put_partner(
    state: &AppState,
    p: &Principal,
    id: &str,
    input: crate::federation::PartnerInput,
) -> Result<crate::federation::PartnerStatusDto, ApiError> {
    crate::federation::put_partner(
        State(state.clone()),
        p.clone(),
        Path(id.to_string()),
        JsonBody(input),
    )
    .await
    .map(|j| j.0)
}

/// This node's invitation: id, URL, public keys
/// (`GET /v1/federation/invite`).
pub async fn invite(
    state: &AppState,
    p: &Principal,
) -> Result<crate::federation::InviteDto, ApiError> {
    crate::federation::invite(State(state.clone()), p.clone())
        .await
        .map(|j| j.0)
}

/// The JSON body of a handler's full response (handlers that set an
/// ETag answer with a `Response`, not a typed `Json`).
async fn json_of<T: serde::de::DeserializeOwned>(
    r: axum::response::Response,
) -> Result<T, ApiError> {
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .map_err(|_| ApiError::internal())?;
    serde_json::from_slice(&body).map_err(|_| ApiError::internal())
}

/// How long an import waits for the screening index to include it (as
/// the API's entry writes do).
const IMPORT_INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A bulk import of national entries as it would be written: the
/// entities the API's own rules built, and each row refused by them.
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub rows: Vec<PlannedRow>,
    pub refused: Vec<RefusedRow>,
}

#[derive(Debug)]
pub struct PlannedRow {
    /// The entry as it would be written (its id in the agency's space).
    pub entity: tansiq_model::Entity,
    /// The stored version it would replace, when the id exists.
    pub existing: Option<EntryDto>,
}

#[derive(Debug)]
pub struct RefusedRow {
    /// The row's id as the file gives it.
    pub id: String,
    /// Why, in the API's words (they name the field).
    pub detail: String,
}

/// The id a file's row gets: the agency's own space, as entries created
/// through the API (`<agency>-…`), so that a file can never reach an
/// entry of another agency or of a public list; a file written with
/// the prefix already is taken as is, so re-importing the same file
/// updates the same entries.
pub fn import_id(agency: &str, id: &str) -> String {
    let prefix = format!("{agency}-");
    if id.starts_with(&prefix) {
        id.to_string()
    } else {
        format!("{prefix}{id}")
    }
}

/// Plans a bulk import of the national CSV's entities by the rules of
/// `POST /v1/entries` and `PUT /v1/entries/{id}`: a contact point only,
/// every row rebuilt through the API's own validation
/// (`EntryInput::to_entity`, which makes the caller's agency the
/// originator), a row naming another agency refused, an existing entry
/// changed only when the caller's agency originated it and it is not
/// withdrawn. Nothing is written.
///
/// This flow has no API route yet (the national CSV is otherwise loaded
/// with `tansiq import`); it lives here, beside the handlers the console
/// calls, so that it moves into one when the API grows it.
pub async fn plan_import(
    state: &AppState,
    p: &Principal,
    entities: Vec<tansiq_model::Entity>,
) -> Result<ImportPlan, ApiError> {
    p.require(&[tansiq_store::Role::ContactPoint])?;
    let mut plan = ImportPlan::default();
    for e in entities {
        let row_id = e.id.clone();
        if let Some(a) = e.origin_agency.as_deref().filter(|a| *a != p.agency()) {
            plan.refused.push(RefusedRow {
                id: row_id,
                detail: format!("agency: {a:?} is not your agency ({})", p.agency()),
            });
            continue;
        }
        let id = import_id(p.agency(), &e.id);
        let input = super::entries::input_of(&EntryDto::from_domain(&e, 0));
        let entity = match input.to_entity(&id, p.agency()) {
            Ok(x) => x,
            Err(err) => {
                plan.refused.push(RefusedRow {
                    id: row_id,
                    detail: err.detail,
                });
                continue;
            }
        };
        let existing = match state.store.entity_record(&id).await? {
            None => None,
            Some(r)
                if r.entity.provenance.source == tansiq_store::NATIONAL_SOURCE
                    && r.entity.origin_agency.as_deref() == Some(p.agency()) =>
            {
                if r.entity.status == tansiq_model::EntryStatus::Withdrawn {
                    plan.refused.push(RefusedRow {
                        id: row_id,
                        detail: format!("id: {id} is a withdrawn entry; it cannot change"),
                    });
                    continue;
                }
                Some(EntryDto::from_domain(&r.entity, r.version))
            }
            Some(_) => {
                plan.refused.push(RefusedRow {
                    id: row_id,
                    detail: format!("id: {id} cannot be used; give the row another id"),
                });
                continue;
            }
        };
        plan.rows.push(PlannedRow { entity, existing });
    }
    Ok(plan)
}

/// Writes a plan with no refused row: every entry or none, in one
/// transaction (`Store::put_entries`); each entry written is audited as
/// `entry.import`, then screening includes them. Returns the versions
/// written (entries equal to their stored version are left as they are).
pub async fn import_entries(
    state: &AppState,
    p: &Principal,
    plan: ImportPlan,
) -> Result<Vec<tansiq_store::EntityVersion>, ApiError> {
    p.require(&[tansiq_store::Role::ContactPoint])?;
    if !plan.refused.is_empty() {
        return Err(ApiError::invalid(
            "file",
            "some rows are refused: nothing was imported",
        ));
    }
    let entities: Vec<_> = plan.rows.into_iter().map(|r| r.entity).collect();
    let n = entities.len();
    let written = state.store.put_entries(entities, &p.user.id).await;
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            state.audit.record(p.event(
                "entry.import",
                None,
                "refused",
                serde_json::json!({ "rows": n }),
            ));
            return Err(e.into());
        }
    };
    for v in &written {
        state.audit.record(p.event(
            "entry.import",
            Some(v.entity.id.clone()),
            "ok",
            serde_json::json!({ "version": v.version, "changed": v.changed }),
        ));
    }
    if !state.refresh_index(IMPORT_INDEX_WAIT).await {
        tracing::warn!("the import is stored but the screening index did not catch up in time");
    }
    Ok(written)
}

/// Resets a user's second factor (`DELETE /v1/users/{id}/second-factor`).
pub async fn reset_second_factor(
    state: &AppState,
    p: &Principal,
    user: &str,
) -> Result<crate::dto::SecondFactorResetDto, ApiError> {
    crate::routes::reset_second_factor(State(state.clone()), p.clone(), Path(user.to_string()))
        .await
        .map(|j| j.0)
}
