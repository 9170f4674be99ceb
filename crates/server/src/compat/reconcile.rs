//! The W3C Reconciliation Service API (version 0.2), so OpenRefine can
//! reconcile a spreadsheet of names against a node: `GET /reconcile` is
//! the service manifest, `POST /reconcile` (form field `queries`, or
//! `GET /reconcile?queries=`) a batch of queries answered by the same
//! screening as `/match`. `/reconcile/{dataset}` narrows to one dataset.
//!
//! OpenRefine sends no headers of its own, so the key may also come as
//! `?api_key=` (the manifest declares it as an `apiKey` in the query);
//! `Authorization` wins when both are given.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tansiq_matching::{Band, Match};
use tansiq_model::Schema;

use super::dto::*;
use super::{
    DEFAULT_CUTOFF, DEFAULT_MATCH_LIMIT, Filters, MAX_BATCH, RawParams, dataset_scope,
    example_query, features, lookup_queries, ranked_matches, round,
};
use crate::auth::{AuthRejection, Principal};
use crate::error::{Problem, parse_json};
use crate::routes::{RouteTable, SCREEN_ROLES, today};
use crate::screening::{LookupAudit, Purpose, max_band, record_invalid, record_lookup};
use crate::{ApiError, AppState};

pub(super) fn register(t: &mut RouteTable) {
    use super::services::*;
    t.add(Method::GET, "/reconcile", manifest_default);
    t.add(Method::POST, "/reconcile", queries_default);
    t.add(Method::GET, "/reconcile/{dataset}", manifest);
    t.add(Method::POST, "/reconcile/{dataset}", queries);
    t.add(
        Method::GET,
        "/reconcile/{dataset}/suggest/entity",
        suggest_entity,
    );
    t.add(
        Method::GET,
        "/reconcile/{dataset}/suggest/type",
        suggest_type,
    );
    t.add(
        Method::GET,
        "/reconcile/{dataset}/suggest/property",
        suggest_property,
    );
    t.add(Method::GET, "/reconcile/{dataset}/preview", preview);
    t.add(
        Method::GET,
        "/reconcile/{dataset}/properties",
        propose_properties,
    );
}

/// The caller of a reconciliation route: the usual key check, with the
/// key also taken from `?api_key=` when no `Authorization` is sent.
#[derive(Debug)]
pub struct ReconcileCaller(pub Principal);

impl FromRequestParts<AppState> for ReconcileCaller {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ReconcileCaller, AuthRejection> {
        caller_with_query_key(parts, state, API_KEY_PARAM)
            .await
            .map(ReconcileCaller)
    }
}

/// The query parameter that carries the key for clients that cannot send
/// `Authorization` (OpenRefine, a browser's preview frame).
pub const API_KEY_PARAM: &str = "api_key";

/// The usual key check, with the key also taken from the query parameter
/// `name` when no `Authorization` is sent.
pub(crate) async fn caller_with_query_key(
    parts: &mut Parts,
    state: &AppState,
    name: &str,
) -> Result<Principal, AuthRejection> {
    if !parts.headers.contains_key(header::AUTHORIZATION)
        && let Some(key) = query_key(&parts.uri, name)
        && let Ok(v) = HeaderValue::from_str(&format!("Bearer {key}"))
    {
        parts.headers.insert(header::AUTHORIZATION, v);
    }
    Principal::from_request_parts(parts, state).await
}

fn query_key(uri: &Uri, name: &str) -> Option<String> {
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri).ok()?;
    pairs.0.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// A form body (`application/x-www-form-urlencoded`) as pairs.
#[derive(Debug)]
pub struct FormPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<FormPairs, ApiError> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the body must be a form (application/x-www-form-urlencoded) with a queries field",
            ));
        }
        axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map(|f| FormPairs(f.0))
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body-too-large",
                        "the body is larger than the node accepts (server.body_limit_bytes)",
                    )
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, "invalid-body", r.body_text())
                }
            })
    }
}

/// The types (FtM schemata) offered for reconciliation.
pub(super) fn types() -> Vec<ReconType> {
    [
        (Schema::Person, "People"),
        (Schema::Organization, "Organizations"),
        (Schema::Company, "Companies"),
        (
            Schema::LegalEntity,
            "Legal entities (persons or organisations)",
        ),
    ]
    .into_iter()
    .map(|(s, name)| ReconType {
        id: s.as_str().to_string(),
        name: name.to_string(),
    })
    .collect()
}

pub(super) fn recon_type(s: Schema) -> ReconType {
    types()
        .into_iter()
        .find(|t| t.id == s.as_str())
        .unwrap_or(ReconType {
            id: s.as_str().to_string(),
            name: s.as_str().to_string(),
        })
}

/// Reconciliation queries the service takes in one request (OpenRefine
/// sends batches of this size).
pub const BATCH_SIZE: usize = 10;

fn service_manifest(base: &str, dataset: &str) -> ReconManifest {
    let (view, preview, suggest, extend) = super::services::advertised(base, dataset);
    ReconManifest {
        versions: vec!["0.1".into(), "0.2".into()],
        name: format!("tansiq national node ({dataset})"),
        identifier_space: "urn:tansiq:entity".into(),
        schema_space: "https://followthemoney.tech/explorer/schemata/".into(),
        documentation: format!("{base}/openapi.json"),
        default_types: types(),
        authentication: ReconAuthentication {
            kind: "apiKey".into(),
            name: API_KEY_PARAM.into(),
            location: "query".into(),
        },
        batch_size: BATCH_SIZE,
        view,
        preview,
        suggest,
        extend,
    }
}

/// What a reconciliation request asks: reconciliation queries or a data
/// extension (a JSON text each), never both.
enum Ask {
    Queries(String),
    Extend(String),
}

fn ask(queries: Option<String>, extend: Option<String>) -> Result<Option<Ask>, ApiError> {
    match (queries, extend) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "extend",
            "give queries or extend, not both",
        )),
        (Some(q), None) => Ok(Some(Ask::Queries(q))),
        (None, Some(x)) => Ok(Some(Ask::Extend(x))),
        (None, None) => Ok(None),
    }
}

async fn answer(
    state: AppState,
    p: Principal,
    dataset: String,
    ask: Ask,
) -> Result<Response, ApiError> {
    match ask {
        Ask::Queries(q) => run(state, p, dataset, &q).await,
        Ask::Extend(x) => {
            let scope = dataset_scope(&state.index.load(), &dataset)?;
            let out = super::services::extend(&state, &p, &dataset, scope.as_deref(), &x)?;
            Ok(axum::Json(ReconAnswer::Extension(out)).into_response())
        }
    }
}

/// GET: the manifest, or (spec 0.1) the answers to `?queries=` or
/// `?extend=`.
async fn get(
    state: AppState,
    p: Principal,
    dataset: String,
    uri: Uri,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    p.require(SCREEN_ROLES)?;
    let snap = state.index.load();
    dataset_scope(&snap, &dataset)?;
    let mut params = RawParams::from_uri(&uri)?;
    params.all(API_KEY_PARAM);
    let queries = params.one("queries")?;
    let extend = params.one("extend")?;
    params.finish()?;
    match ask(queries, extend)? {
        None => {
            let base = super::services::base_url(&state, headers);
            Ok(axum::Json(ReconAnswer::Manifest(Box::new(service_manifest(
                &base, &dataset,
            ))))
            .into_response())
        }
        Some(a) => answer(state, p, dataset, a).await,
    }
}

/// POST: the answers to the form field `queries`, or the data extension
/// of the form field `extend`.
async fn post(
    state: AppState,
    p: Principal,
    dataset: String,
    uri: Uri,
    form: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    p.require(SCREEN_ROLES)?;
    let mut params = RawParams::from_uri(&uri)?;
    params.all(API_KEY_PARAM);
    params.finish()?;
    let mut queries = None;
    let mut extend = None;
    for (k, v) in form {
        let slot = match k.as_str() {
            "queries" => &mut queries,
            "extend" => &mut extend,
            other => {
                return Err(ApiError::invalid(
                    other,
                    "not a field of a reconciliation request (queries or extend)",
                ));
            }
        };
        if slot.is_some() {
            return Err(ApiError::invalid(k, "give it at most once"));
        }
        *slot = Some(v);
    }
    let Some(a) = ask(queries, extend)? else {
        return Err(ApiError::invalid(
            "queries",
            "give the queries (or a data extension, extend) as JSON",
        ));
    };
    answer(state, p, dataset, a).await
}

/// A validated batch: key, query, limit.
type Batch = Vec<(String, tansiq_matching::Query, usize)>;

fn plan(state: &AppState, text: &str) -> Result<Batch, ApiError> {
    let batch: BTreeMap<String, ReconQuery> = parse_json(text.as_bytes()).map_err(|mut e| {
        e.field = Some(match e.field.as_deref() {
            None | Some(".") => "queries".to_string(),
            Some(f) => format!("queries.{f}"),
        });
        e
    })?;
    if batch.is_empty() || batch.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "queries",
            format!("give 1 to {MAX_BATCH} queries"),
        ));
    }
    let max = state.config.screening.max_limit;
    let mut out = Vec::new();
    for (key, q) in batch {
        let field = format!("queries.{key}");
        let schema = match &q.r#type {
            None | Some(serde_json::Value::Null) => Schema::LegalEntity.as_str().to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(a)) => match a.first() {
                None => Schema::LegalEntity.as_str().to_string(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(_) => {
                    return Err(ApiError::invalid(
                        format!("{field}.type"),
                        "must be a type id or a list of them",
                    ));
                }
            },
            Some(_) => {
                return Err(ApiError::invalid(
                    format!("{field}.type"),
                    "must be a type id or a list of them",
                ));
            }
        };
        let limit = q.limit.unwrap_or(DEFAULT_MATCH_LIMIT.min(max));
        if limit == 0 || limit > max {
            return Err(ApiError::invalid(
                format!("{field}.limit"),
                format!("must be in 1..={max}"),
            ));
        }
        let mut props: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
        let mut push = |name: &str, v: serde_json::Value| {
            let entry = props
                .entry(name.to_string())
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let serde_json::Value::Array(a) = entry {
                a.push(v);
            }
        };
        if let Some(name) = &q.query {
            push("name", json!(name));
        }
        if let Some(t) = &q.type_strict
            && !matches!(t.as_str(), "any" | "should" | "all")
        {
            return Err(ApiError::invalid(
                format!("{field}.type_strict"),
                format!("{t:?} is not any, should or all"),
            ));
        }
        for pv in &q.properties {
            // `Person:birthDate` is FtM's qualified form of `birthDate`.
            let pid = pv.pid.rsplit(':').next().unwrap_or(&pv.pid);
            let values = match &pv.v {
                serde_json::Value::Array(a) => a.clone(),
                v => vec![v.clone()],
            };
            for v in values {
                let v = match v {
                    // A value reconciled before: its name is what we match.
                    serde_json::Value::Object(o) => o.get("name").cloned().unwrap_or_default(),
                    serde_json::Value::Bool(b) => json!(b.to_string()),
                    v => v,
                };
                if !v.is_null() {
                    push(pid, v);
                }
            }
        }
        let (query, _) = example_query(&field, None, &schema, &props)?;
        out.push((key, query, limit));
    }
    Ok(out)
}

async fn run(
    state: AppState,
    p: Principal,
    dataset: String,
    text: &str,
) -> Result<Response, ApiError> {
    let snap = state.index.load();
    let scope = dataset_scope(&snap, &dataset)?;
    let batch = match plan(&state, text) {
        Ok(b) => b,
        Err(e) => {
            record_invalid(
                &state,
                &p,
                "screen.reconcile",
                Purpose::Lookup,
                Some(&dataset),
                e.field.as_deref(),
            );
            return Err(e);
        }
    };
    let filters = Filters {
        scope,
        ..Filters::default()
    };
    let today_s = today();
    let principal = p.clone();
    let (snap, batch, answers) = tokio::task::spawn_blocking(move || {
        let answers: Vec<Vec<Match>> = batch
            .iter()
            .map(|(_, q, limit)| {
                ranked_matches(
                    &snap,
                    &principal,
                    q,
                    &filters,
                    *limit,
                    DEFAULT_CUTOFF,
                    &today_s,
                )
                .matches
            })
            .collect();
        (snap, batch, answers)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let threshold = state.config.screening.possible;
    let screening_id = uuid::Uuid::now_v7().to_string();
    let mut out: BTreeMap<String, ReconResult> = BTreeMap::new();
    let mut audited = Vec::new();
    for ((key, query, _), matches) in batch.into_iter().zip(answers) {
        let mut band = Band::None;
        let mut result = Vec::new();
        for m in &matches {
            let Some(e) = snap.index.entity(&m.entity_id) else {
                continue;
            };
            band = max_band(band, m.band);
            let (scores, _) = features(m);
            result.push(ReconCandidate {
                id: e.id.clone(),
                name: e.caption(),
                description: format!("{} on {}", e.schema.as_str(), e.provenance.source),
                types: vec![recon_type(e.schema)],
                score: round(m.score),
                is_match: m.score >= threshold,
                features: scores
                    .into_iter()
                    .map(|(id, value)| ReconFeature { id, value })
                    .collect(),
            });
        }
        audited.push((
            key.clone(),
            band,
            query,
            result
                .iter()
                .map(|r| (r.id.clone(), r.score, r.is_match))
                .collect::<Vec<_>>(),
        ));
        out.insert(key, ReconResult { result });
    }
    record_lookup(
        &state,
        &p,
        "screen.reconcile",
        &screening_id,
        &LookupAudit {
            purpose: Purpose::Lookup,
            api: "reconcile",
            dataset: &dataset,
            algorithm: None,
            threshold,
            queries: lookup_queries(&audited),
            index_generation: snap.generation,
        },
    );
    Ok(axum::Json(ReconAnswer::Results(out)).into_response())
}

const MANIFEST_RESPONSES: &str = "The service manifest (with its suggest, preview, view and extend services); \
     with `queries`, their answers; with `extend`, the data extension";

/// The reconciliation service over every dataset the caller may see.
#[utoipa::path(get, path = "/reconcile", tag = "ecosystem", security(("bearer" = [])),
    params(("queries" = Option<String>, Query, description = "A JSON batch of queries (Reconciliation API 0.1 style); without it (and extend), the manifest"),
           ("extend" = Option<String>, Query, description = "A JSON data extension batch: {\"ids\": [...], \"properties\": [{\"id\": \"birthDate\"}]}"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization (OpenRefine)")),
    responses(
        (status = 200, description = MANIFEST_RESPONSES, body = ReconAnswer),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 422, description = "A query or extension has an unusable value", body = Problem)))]
pub(super) async fn manifest_default(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    get(state, p, "default".into(), uri, &headers).await
}

/// The reconciliation service over one dataset.
#[utoipa::path(get, path = "/reconcile/{dataset}", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("queries" = Option<String>, Query, description = "A JSON batch of queries; without it (and extend), the manifest"),
           ("extend" = Option<String>, Query, description = "A JSON data extension batch"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    responses(
        (status = 200, description = MANIFEST_RESPONSES, body = ReconAnswer),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A query or extension has an unusable value", body = Problem)))]
pub(super) async fn manifest(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    get(state, p, dataset, uri, &headers).await
}

const FORM: &str = "Form field `queries`: a JSON object of queries, e.g. {\"q0\": {\"query\": \"Karimou Belhadjar\", \"type\": \"Person\", \"properties\": [{\"pid\": \"birthDate\", \"v\": \"1970\"}]}}; or form field `extend`: a data extension batch, e.g. {\"ids\": [\"tl-1\"], \"properties\": [{\"id\": \"birthDate\"}, {\"id\": \"provisions\"}]}";

/// Reconciliation queries (or a data extension) over every dataset the
/// caller may see.
#[utoipa::path(post, path = "/reconcile", tag = "ecosystem", security(("bearer" = [])),
    params(("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = FORM),
    responses(
        (status = 200, description = "Per query: candidates with score (0..=1), match and features; or, for `extend`, per id the values of each property", body = ReconAnswer),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 415, description = "Not a form", body = Problem),
        (status = 422, description = "A query or extension has an unusable value", body = Problem)))]
pub(super) async fn queries_default(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    uri: Uri,
    FormPairs(form): FormPairs,
) -> Result<Response, ApiError> {
    post(state, p, "default".into(), uri, form).await
}

/// Reconciliation queries (or a data extension) over one dataset.
#[utoipa::path(post, path = "/reconcile/{dataset}", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = FORM),
    responses(
        (status = 200, description = "Per query: candidates with score, match and features; or, for `extend`, per id the values of each property", body = ReconAnswer),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A query or extension has an unusable value", body = Problem)))]
pub(super) async fn queries(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
    FormPairs(form): FormPairs,
) -> Result<Response, ApiError> {
    post(state, p, dataset, uri, form).await
}
