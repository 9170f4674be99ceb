//! The OpenAPI document of the node (`GET /openapi.json`): the routes'
//! annotations gathered, plus the responses every route can give.

use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use super::accounts::*;
use super::entities::*;
use super::entries::*;
use super::screen::*;
use super::service::*;
use super::sources::*;

/// This OpenAPI document.
///
/// The machine-readable description of every route of this node, for client generators and
/// conformance tests.
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub(crate) async fn openapi_json() -> Response {
    axum::Json(openapi()).into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "tansiq national node", description = "Screening, national entries and accounts of a tansiq node. Errors are application/problem+json (RFC 9457)."),
    paths(healthz, readyz, metrics, openapi_json, me, screen, screen_manifest, search_entities, get_entity,
          list_entries, create_entry, get_entry, update_entry, withdraw_entry, entry_history,
          sources, list_agencies, create_agency, list_users, create_user, set_user_active,
          reset_second_factor, list_keys, create_key, revoke_key),
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
    if has_query || has_header || has_body {
        common.push((
            "422",
            "A parameter, header or field parses but has an unusable value (`field` names it)",
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
