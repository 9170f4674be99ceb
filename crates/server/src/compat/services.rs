//! The Reconciliation API's services beside reconciliation itself, each
//! per dataset under `/reconcile/{dataset}/…` and advertised by the
//! manifest: `suggest` for entities (auto-completion of a name), types
//! and properties; `preview` (an HTML card of an entity, for OpenRefine's
//! hover frame); data extension (`propose_properties`, and `extend`
//! batches sent to the service endpoint itself, see
//! [`super::reconcile`]). `view` points at yente's `/entities/{id}`.
//!
//! They read the live index through the screening service's one
//! visibility rule ([`crate::screening::search`],
//! [`crate::screening::visible`]): an entity hidden from the caller's
//! agency is answered exactly like a missing one (not suggested, no
//! preview, an empty extension row). Suggestions and extensions are
//! audited (`entity.search`, `entity.extend`), a preview as a view
//! (`entity.view`). The key may come as `?api_key=` like the rest of the
//! reconciliation service.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde_json::json;
use tansiq_model::{Entity, Schema, prop};

use super::dto::*;
use super::entities::listing;
use super::reconcile::{ReconcileCaller, recon_type, types};
use super::{Filters, MAX_BATCH, RawParams, dataset_scope};
use crate::auth::Principal;
use crate::error::{Problem, parse_json};
use crate::routes::{SCREEN_ROLES, today};
use crate::screening::{Audience, search, visible};
use crate::{ApiError, AppState};

/// Suggestions per page.
pub const SUGGEST_LIMIT: usize = 10;
/// Most suggestions skipped (`cursor`).
pub const MAX_SUGGEST_CURSOR: usize = 1_000;
/// Most characters of a suggestion's `prefix`.
pub const MAX_PREFIX_CHARS: usize = 300;
/// The size of the frame OpenRefine shows a preview in (pixels).
pub const PREVIEW_WIDTH: u32 = 430;
pub const PREVIEW_HEIGHT: u32 = 300;
/// Properties proposed for extension when the request gives no `limit`.
pub const DEFAULT_PROPOSE_LIMIT: usize = 50;

/// The properties a reconciled entity can be extended with: FtM
/// properties (as the entity carries them) and its listing's (as yente's
/// nested `Sanction` shows it). `(id, name, description)`.
pub const PROPERTIES: &[(&str, &str, &str)] = &[
    (prop::NAME, "Name", "The listed name"),
    (prop::ALIAS, "Alias", "Strong aliases"),
    (
        prop::WEAK_ALIAS,
        "Weak alias",
        "Weak aliases (nicknames, noms de guerre)",
    ),
    (
        prop::BIRTH_DATE,
        "Birth date",
        "Dates of birth (YYYY, YYYY-MM or YYYY-MM-DD)",
    ),
    (prop::BIRTH_PLACE, "Place of birth", "Places of birth"),
    (
        prop::NATIONALITY,
        "Nationality",
        "Nationalities (ISO 3166-1 alpha-2)",
    ),
    (
        prop::CITIZENSHIP,
        "Citizenship",
        "Citizenships (ISO 3166-1 alpha-2)",
    ),
    (prop::COUNTRY, "Country", "Countries linked to the entity"),
    (prop::GENDER, "Gender", "male, female or other"),
    (prop::PASSPORT_NUMBER, "Passport number", "Passport numbers"),
    (
        prop::ID_NUMBER,
        "Identity number",
        "National identity numbers",
    ),
    (prop::POSITION, "Position", "Positions held"),
    (
        prop::TOPICS,
        "Topics",
        "FollowTheMoney topics (sanction, wanted, …)",
    ),
    (
        "dataset",
        "Dataset",
        "The list (source) the entity comes from",
    ),
    (
        "program",
        "Programme",
        "The sanctions regime or legal basis of the listing",
    ),
    ("authority", "Authority", "Who imposed the listing"),
    ("listingDate", "Listing date", "When the entity was listed"),
    (
        "provisions",
        "Measures",
        "The measures of the listing (travel ban, asset freeze, arms embargo; to verify where unknown)",
    ),
    (
        "actionOnHit",
        "Action on hit",
        "What the issuing agency asks a border officer to do",
    ),
];

/// Properties read from the listing rather than the entity.
const LISTING_PROPERTIES: &[&str] = &["program", "authority", "listingDate", "provisions"];

/// The base URL the manifest's service URLs start with: `[federation]
/// public_url` when set, else the request's `Host` (checked to be a host
/// name), over HTTPS when the node serves TLS.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let public = state
        .config
        .federation
        .public_url
        .trim()
        .trim_end_matches('/');
    if !public.is_empty() {
        return public.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.tls.cert.is_some() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// The manifest's services for `dataset`, with URLs under `base`.
pub(crate) fn advertised(
    base: &str,
    dataset: &str,
) -> (ReconView, ReconPreview, ReconSuggest, ReconExtend) {
    let path = |tail: &str| format!("/reconcile/{dataset}/{tail}");
    let service = |tail: &str| ReconService {
        service_url: base.to_string(),
        service_path: path(tail),
    };
    (
        ReconView {
            url: format!("{base}/entities/{{{{id}}}}"),
        },
        ReconPreview {
            url: format!("{base}{}?id={{{{id}}}}", path("preview")),
            width: PREVIEW_WIDTH,
            height: PREVIEW_HEIGHT,
        },
        ReconSuggest {
            entity: service("suggest/entity"),
            r#type: service("suggest/type"),
            property: service("suggest/property"),
        },
        ReconExtend {
            propose_properties: service("properties"),
            property_settings: Vec::new(),
        },
    )
}

/// The query of a suggest service (`prefix`, `cursor`, besides the
/// `api_key` any reconciliation route takes): the parameters left unread
/// are returned for the service's own, then `finish`ed by it.
fn suggest_params(uri: &Uri) -> Result<(RawParams, String, usize), ApiError> {
    let mut params = RawParams::from_uri(uri)?;
    params.all("api_key");
    let prefix = params.one("prefix")?.unwrap_or_default();
    let prefix = prefix.trim().to_string();
    if prefix.chars().count() > MAX_PREFIX_CHARS || prefix.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "prefix",
            format!("give at most {MAX_PREFIX_CHARS} characters"),
        ));
    }
    let cursor = params.number::<usize>("cursor")?.unwrap_or(0);
    if cursor > MAX_SUGGEST_CURSOR {
        return Err(ApiError::invalid(
            "cursor",
            format!("at most {MAX_SUGGEST_CURSOR}"),
        ));
    }
    Ok((params, prefix, cursor))
}

fn description(e: &Entity) -> String {
    let mut parts = vec![format!("{} on {}", e.schema.as_str(), e.provenance.source)];
    if let Some(d) = e.first(prop::BIRTH_DATE) {
        parts.push(format!("born {d}"));
    }
    let nationalities = e.nationalities();
    if !nationalities.is_empty() {
        parts.push(nationalities.join(", "));
    }
    parts.join("; ")
}

/// Whether one of `texts` (an id, a name) begins with `prefix`, case aside.
fn matches_prefix(prefix: &str, texts: &[&str]) -> bool {
    let prefix = prefix.to_lowercase();
    texts.iter().any(|t| t.to_lowercase().starts_with(&prefix))
}

// ---------------------------------------------------------------- suggest

/// Suggests entities whose names resemble a prefix (auto-completion).
#[utoipa::path(get, path = "/reconcile/{dataset}/suggest/entity", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("prefix" = String, Query, description = "What the user typed: a name or its beginning, in any script"),
           ("type" = Option<String>, Query, description = "Only this type (FtM schema)"),
           ("cursor" = Option<usize>, Query, description = "Suggestions to skip (paging)"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    responses(
        (status = 200, description = "Entities visible to the caller whose names resemble the prefix, best first", body = SuggestEntities),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn suggest_entity(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<axum::Json<SuggestEntities>, ApiError> {
    p.require(SCREEN_ROLES)?;
    let snap = state.index.load();
    let scope = dataset_scope(&snap, &dataset)?;
    let (mut params, prefix, cursor) = suggest_params(&uri)?;
    let schema = params
        .one("type")?
        .map(|t| {
            t.parse::<Schema>().map_err(|_| {
                ApiError::invalid("type", format!("{t:?} is not a type of this service"))
            })
        })
        .transpose()?;
    params.finish()?;
    let filters = Filters {
        scope,
        schema: schema.map(|s| s.as_str().to_string()),
        ..Filters::default()
    };
    let found = if prefix.is_empty() {
        Vec::new()
    } else {
        search(&snap, Audience::Agency(p.agency()), &prefix, &|e| {
            filters.admits(e)
        })
    };
    let result: Vec<SuggestedEntity> = found
        .iter()
        .skip(cursor)
        .take(SUGGEST_LIMIT)
        .map(|(e, _)| SuggestedEntity {
            id: e.id.clone(),
            name: e.caption(),
            description: description(e),
            notable: vec![recon_type(e.schema)],
        })
        .collect();
    state.audit.record(p.event(
        "entity.search",
        None,
        "ok",
        json!({ "api": "reconcile", "service": "suggest", "dataset": dataset, "q": prefix,
                "offset": cursor, "results": result.iter().map(|r| r.id.clone()).collect::<Vec<_>>() }),
    ));
    Ok(axum::Json(SuggestEntities { result }))
}

/// Suggests types (FtM schemata) by a prefix of their id or name.
#[utoipa::path(get, path = "/reconcile/{dataset}/suggest/type", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("prefix" = String, Query, description = "The beginning of a type's id or name"),
           ("cursor" = Option<usize>, Query, description = "Suggestions to skip"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    responses(
        (status = 200, description = "Types whose id or name begins with the prefix", body = SuggestTypes),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn suggest_type(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<axum::Json<SuggestTypes>, ApiError> {
    p.require(SCREEN_ROLES)?;
    dataset_scope(&state.index.load(), &dataset)?;
    let (params, prefix, cursor) = suggest_params(&uri)?;
    params.finish()?;
    let result = types()
        .into_iter()
        .filter(|t| matches_prefix(&prefix, &[&t.id, &t.name]))
        .skip(cursor)
        .take(SUGGEST_LIMIT)
        .collect();
    Ok(axum::Json(SuggestTypes { result }))
}

/// Suggests properties (for matching columns and data extension) by a
/// prefix of their id or name.
#[utoipa::path(get, path = "/reconcile/{dataset}/suggest/property", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("prefix" = String, Query, description = "The beginning of a property's id or name"),
           ("cursor" = Option<usize>, Query, description = "Suggestions to skip"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    responses(
        (status = 200, description = "Properties whose id or name begins with the prefix", body = SuggestProperties),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn suggest_property(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<axum::Json<SuggestProperties>, ApiError> {
    p.require(SCREEN_ROLES)?;
    dataset_scope(&state.index.load(), &dataset)?;
    let (params, prefix, cursor) = suggest_params(&uri)?;
    params.finish()?;
    let result = PROPERTIES
        .iter()
        .filter(|(id, name, _)| matches_prefix(&prefix, &[id, name]))
        .skip(cursor)
        .take(SUGGEST_LIMIT)
        .map(|(id, name, description)| PropertyDto {
            id: id.to_string(),
            name: name.to_string(),
            description: description.to_string(),
        })
        .collect();
    Ok(axum::Json(SuggestProperties { result }))
}

// ---------------------------------------------------------------- preview

/// An HTML card of an entity, for OpenRefine's preview frame.
#[utoipa::path(get, path = "/reconcile/{dataset}/preview", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("id" = String, Query, description = "The entity's id"),
           ("api_key" = Option<String>, Query, description = "The API key (a preview frame cannot send Authorization)")),
    responses(
        (status = 200, description = "The entity's names, dates of birth, nationalities, list, programme, measures and action on hit", content_type = "text/html", body = String),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset, or no such entity visible to the caller", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn preview(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    p.require(SCREEN_ROLES)?;
    let snap = state.index.load();
    let scope = dataset_scope(&snap, &dataset)?;
    let mut params = RawParams::from_uri(&uri)?;
    params.all("api_key");
    let id = params
        .one("id")?
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("id", "give the id of an entity"))?;
    params.finish()?;
    let e = visible(&snap, Audience::Agency(p.agency()), &id)
        .filter(|e| scope.as_deref().is_none_or(|s| s == e.provenance.source));
    state.audit.record(p.event(
        "entity.view",
        Some(id.clone()),
        if e.is_some() { "ok" } else { "not-found" },
        json!({ "api": "reconcile", "view": "preview", "dataset": dataset }),
    ));
    let e = e.ok_or_else(|| ApiError::not_found("such entity"))?;
    let l = listing(e, false, None);
    let names: Vec<&str> = e.names().iter().map(|n| n.value).collect();
    let rows: Vec<(&str, String)> = [
        ("Type", e.schema.as_str().to_string()),
        ("Names", names.join("; ")),
        ("Born", e.get(prop::BIRTH_DATE).join("; ")),
        ("Nationality", e.nationalities().join(", ")),
        ("List", e.provenance.source.clone()),
        (
            "Programme",
            l.properties
                .get("program")
                .map(|v| v.join("; "))
                .unwrap_or_default(),
        ),
        (
            "Authority",
            l.properties
                .get("authority")
                .map(|v| v.join("; "))
                .unwrap_or_default(),
        ),
        ("Listed", e.provenance.listed_on.clone().unwrap_or_default()),
        (
            "Measures",
            l.properties
                .get("provisions")
                .map(|v| v.join("; "))
                .unwrap_or_default(),
        ),
        (
            "Action on hit",
            e.action_on_hit
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "In force",
            if e.is_screenable(&today()) {
                "yes"
            } else {
                "no"
            }
            .to_string(),
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let page = html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (e.caption()) }
                style { "body{font:14px sans-serif;margin:8px}th{text-align:start;padding-inline-end:8px;vertical-align:top}" }
            }
            body {
                h1 style="font-size:16px;margin:0 0 6px" { (e.caption()) }
                table {
                    @for (k, v) in &rows {
                        tr { th scope="row" { (k) } td { (v) } }
                    }
                }
            }
        }
    };
    let mut resp = (StatusCode::OK, Html(page.into_string())).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- data extension

/// The properties an entity of a type can be extended with.
#[utoipa::path(get, path = "/reconcile/{dataset}/properties", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = String, Path, description = "`default`, a list source, or `national`"),
           ("type" = String, Query, description = "A type id (FtM schema)"),
           ("limit" = Option<usize>, Query, description = "Most properties proposed (default 50)"),
           ("api_key" = Option<String>, Query, description = "The API key, for clients that cannot send Authorization")),
    responses(
        (status = 200, description = "The properties an extension can fetch", body = ProposedProperties),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn propose_properties(
    State(state): State<AppState>,
    ReconcileCaller(p): ReconcileCaller,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<axum::Json<ProposedProperties>, ApiError> {
    p.require(SCREEN_ROLES)?;
    dataset_scope(&state.index.load(), &dataset)?;
    let mut params = RawParams::from_uri(&uri)?;
    params.all("api_key");
    let ty = params
        .one("type")?
        .ok_or_else(|| ApiError::invalid("type", "give a type id"))?;
    let schema: Schema = ty
        .parse()
        .map_err(|_| ApiError::invalid("type", format!("{ty:?} is not a type of this service")))?;
    let limit = params
        .number::<usize>("limit")?
        .unwrap_or(DEFAULT_PROPOSE_LIMIT);
    if limit == 0 || limit > DEFAULT_PROPOSE_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("must be in 1..={DEFAULT_PROPOSE_LIMIT}"),
        ));
    }
    params.finish()?;
    let properties = PROPERTIES
        .iter()
        .filter(|(id, ..)| schema.is_person() || !person_only(id))
        .take(limit)
        .map(|(id, name, description)| PropertyDto {
            id: id.to_string(),
            name: name.to_string(),
            description: description.to_string(),
        })
        .collect();
    Ok(axum::Json(ProposedProperties {
        r#type: schema.as_str().to_string(),
        limit,
        properties,
    }))
}

fn person_only(id: &str) -> bool {
    matches!(
        id,
        "birthDate"
            | "birthPlace"
            | "nationality"
            | "citizenship"
            | "gender"
            | "passportNumber"
            | "idNumber"
            | "position"
    )
}

/// The values of `property` of `e`.
fn values_of(e: &Entity, property: &str) -> Vec<String> {
    if LISTING_PROPERTIES.contains(&property) {
        return listing(e, false, None)
            .properties
            .remove(property)
            .unwrap_or_default();
    }
    match property {
        "dataset" => vec![e.provenance.source.clone()],
        "actionOnHit" => e
            .action_on_hit
            .map(|a| vec![a.as_str().to_string()])
            .unwrap_or_default(),
        _ => e.get(property).to_vec(),
    }
}

/// Answers a data extension batch (`extend`: ids and properties): one row
/// per id with the values of each property; a missing or hidden id gets
/// a row of empty values, alike.
pub(super) fn extend(
    state: &AppState,
    p: &Principal,
    dataset: &str,
    scope: Option<&str>,
    text: &str,
) -> Result<ExtendResponse, ApiError> {
    let q: ExtendQuery = parse_json(text.as_bytes()).map_err(|mut e| {
        e.field = Some(match e.field.as_deref() {
            None | Some(".") => "extend".to_string(),
            Some(f) => format!("extend.{f}"),
        });
        e
    })?;
    if q.ids.is_empty() || q.ids.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "extend.ids",
            format!("give 1 to {MAX_BATCH} ids"),
        ));
    }
    if q.properties.is_empty() || q.properties.len() > PROPERTIES.len() {
        return Err(ApiError::invalid(
            "extend.properties",
            format!("give 1 to {} properties", PROPERTIES.len()),
        ));
    }
    let mut meta = Vec::new();
    for (i, wanted) in q.properties.iter().enumerate() {
        let settings = wanted.settings.as_ref();
        if settings.is_some_and(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty())) {
            return Err(ApiError::invalid(
                format!("extend.properties[{i}].settings"),
                "no property of this service takes settings",
            ));
        }
        let Some((id, name, _)) = PROPERTIES.iter().find(|(id, ..)| *id == wanted.id) else {
            return Err(ApiError::invalid(
                format!("extend.properties[{i}].id"),
                format!("{:?} is not a property of this service", wanted.id),
            ));
        };
        meta.push(ExtendMeta {
            id: id.to_string(),
            name: name.to_string(),
        });
    }
    let snap = state.index.load();
    let mut rows: BTreeMap<String, BTreeMap<String, Vec<ExtendValue>>> = BTreeMap::new();
    let mut answered = Vec::new();
    for id in &q.ids {
        let e = visible(&snap, Audience::Agency(p.agency()), id)
            .filter(|e| scope.is_none_or(|s| s == e.provenance.source));
        if e.is_some() {
            answered.push(id.clone());
        }
        let row = meta
            .iter()
            .map(|m| {
                let values = e.map(|e| values_of(e, &m.id)).unwrap_or_default();
                (
                    m.id.clone(),
                    values.into_iter().map(|s| ExtendValue { str: s }).collect(),
                )
            })
            .collect();
        rows.insert(id.clone(), row);
    }
    state.audit.record(p.event(
        "entity.extend",
        None,
        "ok",
        json!({ "api": "reconcile", "dataset": dataset, "ids": q.ids, "answered": answered,
                "properties": meta.iter().map(|m| m.id.clone()).collect::<Vec<_>>() }),
    ));
    Ok(ExtendResponse { meta, rows })
}
