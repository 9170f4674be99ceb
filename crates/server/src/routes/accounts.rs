//! Accounts: the caller, agencies, users and API keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use tansiq_store::Role;
use time::OffsetDateTime;

use crate::auth::{ACCOUNT_ADMINS, NODE_ADMINS, Principal, issue_key};
use crate::dto::*;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState};

use super::params::Params;

/// The caller's account and key.
///
/// Which user, agency and roles the presented API key stands for: a cheap way for an integration to
/// check its key before a shift.
#[utoipa::path(get, path = "/v1/me", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = MeDto),
        (status = 401, description = "No valid key", body = Problem)))]
pub(crate) async fn me(p: Principal) -> axum::Json<MeDto> {
    axum::Json(MeDto {
        user: UserDto::from_domain(&p.user),
        key_id: p.key_id,
    })
}

/// List agencies.
///
/// The agencies of this node (node administrators only).
#[utoipa::path(get, path = "/v1/agencies", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "Every agency", body = AgencyList),
              (status = 403, description = "Not a node administrator", body = Problem)))]
pub(crate) async fn list_agencies(
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
pub(crate) async fn create_agency(
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
/// An agency administrator sees its own agency's users; a node administrator every agency's, or one
/// agency's with `agency`.
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
    let second: std::collections::HashSet<String> = state
        .store
        .totp_confirmed_users()
        .await?
        .into_iter()
        .collect();
    state.audit.record(p.event(
        "user.list",
        None,
        "ok",
        json!({ "agency": agency, "count": users.len() }),
    ));
    Ok(axum::Json(UserList {
        users: users
            .iter()
            .map(|u| UserDto {
                second_factor: Some(second.contains(&u.id)),
                ..UserDto::from_domain(u)
            })
            .collect(),
    }))
}

pub(crate) fn parse_roles(roles: &[String]) -> Result<Vec<Role>, ApiError> {
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
pub(crate) async fn administered_user(
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
/// An agency administrator creates users of its own agency; a node administrator creates
/// administrative accounts. The user gets no key: issue one with `POST /v1/users/{id}/keys`.
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
pub(crate) async fn set_user_active(
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

/// Reset a user's second factor.
///
/// Removes the user's console authenticator (TOTP), confirmed or pending, e.g. after a lost phone,
/// and ends their console sessions: they sign in with their password alone and may enrol again.
/// Allowed to whoever administers the account.
#[utoipa::path(delete, path = "/v1/users/{id}/second-factor", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "Reset (a user without one is left as is)", body = SecondFactorResetDto),
              (status = 403, description = "Not an administrator of that account", body = Problem),
              (status = 404, description = "No such user in the caller's reach", body = Problem)))]
pub(crate) async fn reset_second_factor(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<axum::Json<SecondFactorResetDto>, ApiError> {
    p.require(ACCOUNT_ADMINS)?;
    administered_user(&state, &p, &id).await?;
    let (had, ended) = second_factor_reset(&state.store, &id).await?;
    state.audit.record(p.event(
        "console.totp.reset",
        Some(id.clone()),
        "ok",
        json!({ "had_second_factor": had, "sessions_ended": ended }),
    ));
    Ok(axum::Json(SecondFactorResetDto {
        user: id,
        had_second_factor: had,
        sessions_ended: ended,
    }))
}

/// Removes a user's second factor and ends their console sessions and
/// pending sign-ins, as a new password does: (had one, sessions ended).
/// The route above and `tansiq admin reset-totp` both come here; the
/// caller audits.
pub async fn second_factor_reset(
    store: &tansiq_store::Store,
    user_id: &str,
) -> Result<(bool, u64), tansiq_store::StoreError> {
    if store.user(user_id).await?.is_none() {
        return Err(tansiq_store::StoreError::NotFound {
            what: format!("user {user_id:?}"),
        });
    }
    let had = store.reset_totp(user_id).await?;
    let ended = store.end_sessions_of(user_id).await?;
    Ok((had, ended))
}

/// List a user's API keys.
///
/// Ids, labels, expiry and last use, never the secrets. A user may list their own keys.
#[utoipa::path(get, path = "/v1/users/{id}/keys", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user's keys (never their secrets)", body = KeyList),
              (status = 403, description = "Neither an administrator of that account nor that user", body = Problem),
              (status = 404, description = "No such user in the caller's reach", body = Problem)))]
pub(crate) async fn list_keys(
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
/// The token is in this answer only: store it at once. Keys expire (`expires_in_days`, at most
/// `[security] key_max_days`).
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
/// The key stops working at once. A user may revoke their own keys; administrators those of
/// accounts they administer.
#[utoipa::path(post, path = "/v1/keys/{id}/revoke", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 200, description = "Revoked at once", body = KeyDto),
              (status = 403, description = "Neither an administrator of the key's owner nor the owner", body = Problem),
              (status = 404, description = "No such key in the caller's reach", body = Problem)))]
pub(crate) async fn revoke_key(
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
