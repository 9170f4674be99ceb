//! The ecosystem's matching APIs, so that existing clients work unchanged:
//! yente's (OpenSanctions) `POST /match/{dataset}`, `GET /search/{dataset}`,
//! `GET /entities/{id}` with `/adjacent` ([`entities`]), `GET /algorithms`,
//! `GET /catalog`, `POST /updatez` and (refused, with its reason)
//! `GET /statements`, and the W3C Reconciliation Service API (`/reconcile`,
//! version 0.2) that OpenRefine speaks, with its suggest, preview, view and
//! data extension services ([`reconcile`], [`services`]).
//!
//! Key design decision: these are **translations onto the same screening**
//! as `/v1/screen`, not a second matcher. A yente `algorithm` name is
//! accepted and answered by tansiq's matcher, and every answer says so
//! (`algorithm.name`); `threshold` is compared with tansiq's calibrated
//! score (the node's alert threshold, `screening.possible`, is the
//! default), so `match: true` means what an alert means on `/v1/screen`.
//! `cutoff` is yente's documented one: a candidate scoring at or below it
//! is never returned, whatever the threshold ([`DEFAULT_CUTOFF`] when not
//! given). The trade-off: yente's `weights` and `config` cannot be honoured
//! — the score is calibrated so that the node's alert threshold means the
//! same on every list and every caller, and per-request weights would make
//! `match: true` mean something else per client — so they are refused
//! (422 naming the field) unless empty, rather than silently ignored. So
//! are filters the node has no index for (`changed_since`, `/search`'s
//! `sort` and `filter`).
//!
//! Datasets: `default` is everything the caller's agency may see; each
//! list source (e.g. `un-sc`) and `national` name one source; any other
//! name is a 404.
//!
//! Access is the `/v1` rule: `/match` and `/reconcile` need a screening
//! role, `/search` and `/entities` the roles of their `/v1` twins,
//! `/updatez` a node administrator; an entry hidden from the caller's
//! agency is absent from every answer and its id (and its listing's)
//! answers 404 like a missing one. Every screening, search, view and
//! extension is audited. Clients of these APIs send `Authorization: ApiKey
//! <key>`, which the server accepts beside `Bearer`; OpenRefine cannot
//! send a header, so the reconciliation routes also take the key as
//! `?api_key=` (the manifest says so), and `/updatez` as yente's
//! `?token=`, at the price of a key in URLs.
//!
//! Browsers call the reconciliation service and yente's read routes from
//! other origins (OpenRefine's web front end, the W3C test bench): those
//! paths ([`CROSS_ORIGIN_PREFIXES`]) answer CORS, preflights included
//! ([`cors_layer`]); nothing else does.

pub mod dto;
pub mod entities;
pub mod reconcile;
pub mod services;

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tansiq_matching::{Band, Match, Query};
use tansiq_model::{Entity, PartialDate, Schema, prop};
use tansiq_store::{NATIONAL_SOURCE, Role};
use utoipa::OpenApi;

use self::dto::*;
use crate::auth::Principal;
use crate::dto::{band_str, parse_country, parse_gender};
use crate::error::{JsonBody, Problem};
use crate::routes::{RouteTable, SCREEN_ROLES, SEARCH_ROLES, today};
use crate::screening::{
    Audience, Depth, LookupAudit, LookupQueryAudit, MatchAudit, Purpose, Ranked, TravellerAudit,
    max_band, rank, record_invalid, record_lookup,
};
use crate::state::Snapshot;
use crate::{ApiError, AppState};

/// Registers the routes of this module.
pub(crate) fn register(t: &mut RouteTable) {
    t.add(axum::http::Method::POST, "/match/{dataset}", match_entities);
    t.add(axum::http::Method::GET, "/search/{dataset}", search);
    t.add(
        axum::http::Method::GET,
        "/entities/{id}",
        entities::get_entity,
    );
    t.add(
        axum::http::Method::GET,
        "/entities/{id}/adjacent",
        entities::adjacent,
    );
    t.add(
        axum::http::Method::GET,
        "/entities/{id}/adjacent/{property}",
        entities::adjacent_by_property,
    );
    t.add(axum::http::Method::GET, "/statements", entities::statements);
    t.add(axum::http::Method::GET, "/algorithms", algorithms);
    t.add(axum::http::Method::GET, "/catalog", catalog);
    t.add(axum::http::Method::POST, "/updatez", updatez);
    reconcile::register(t);
}

/// The path prefixes answered cross-origin: the reconciliation service and
/// yente's read routes, which browser clients (OpenRefine's web front end,
/// the W3C reconciliation test bench) call from another origin. Not
/// `/updatez` (an administrator's write) and nothing of `/v1`.
pub const CROSS_ORIGIN_PREFIXES: &[&str] = &[
    "/reconcile",
    "/match/",
    "/search/",
    "/entities/",
    "/algorithms",
    "/catalog",
    "/statements",
];

/// How long a browser may keep a preflight's answer (seconds).
pub const CORS_MAX_AGE_S: u64 = 3_600;

/// Whether `path` is answered cross-origin (see [`CROSS_ORIGIN_PREFIXES`]).
pub fn is_cross_origin(path: &str) -> bool {
    CROSS_ORIGIN_PREFIXES.iter().any(|p| {
        if p.ends_with('/') {
            path.starts_with(p)
        } else {
            path == *p
                || path
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('/'))
        }
    })
}

/// The CORS policy of those routes: any origin, without credentials. It
/// does not weaken authentication: these routes take only an API key
/// (`Authorization` or `?api_key=`), never a cookie, so a page of another
/// origin can call them only with a key its user gave it. Preflights
/// (`OPTIONS`) are answered here, before authentication.
pub fn cors_layer() -> tower_http::cors::CorsLayer {
    use axum::http::{Method, header};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([axum::http::HeaderName::from_static("x-batch-size")])
        .max_age(std::time::Duration::from_secs(CORS_MAX_AGE_S))
}

/// Middleware: the CORS policy on the paths answered cross-origin, none
/// elsewhere.
pub(crate) async fn cross_origin(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use tower::{Layer, ServiceExt};
    if !is_cross_origin(req.uri().path()) {
        return next.run(req).await;
    }
    match cors_layer().layer(next).oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

/// The OpenAPI paths of this module.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    CompatDoc::openapi()
}

#[derive(OpenApi)]
#[openapi(paths(
    match_entities,
    search,
    entities::get_entity,
    entities::adjacent,
    entities::adjacent_by_property,
    entities::statements,
    algorithms,
    catalog,
    updatez,
    reconcile::manifest_default,
    reconcile::manifest,
    reconcile::queries_default,
    reconcile::queries,
    services::suggest_entity,
    services::suggest_type,
    services::suggest_property,
    services::preview,
    services::propose_properties
))]
struct CompatDoc;

/// The name of the one algorithm that answers.
pub const ALGORITHM: &str = "tansiq";

/// yente's algorithm names, accepted and answered by [`ALGORITHM`].
pub const YENTE_ALGORITHMS: &[&str] = &[
    "best",
    "default",
    "logic-v1",
    "logic-v2",
    "name-based",
    "name-qualified",
    "regression-v1",
    "regression-v2",
    "regression-v3",
    ALGORITHM,
];

/// Most examples in one `/match` or `/reconcile` batch.
pub const MAX_BATCH: usize = 100;
/// Results per example when the request does not say (yente's default).
pub const DEFAULT_MATCH_LIMIT: usize = 5;
/// Candidates scoring at or below this are left out when the request
/// gives no `cutoff` (the default yente documents; reconciliation uses it
/// too). `cutoff` is honoured as given, whatever the `threshold`.
pub const DEFAULT_CUTOFF: f64 = 0.5;
/// Search results per page when the request does not say (yente's).
pub const DEFAULT_SEARCH_LIMIT: usize = 10;
/// Most search results per page.
pub const MAX_SEARCH_LIMIT: usize = 100;
/// Most search results skipped.
pub const MAX_SEARCH_OFFSET: usize = 10_000;
/// Most characters of a search's `q`.
pub const MAX_QUERY_CHARS: usize = 300;
/// Most characters of one name in an example.
pub const MAX_NAME_CHARS: usize = 300;
/// Most characters of one value of any other property of an example.
pub const MAX_VALUE_CHARS: usize = 1_000;
/// Most ids in `/match`'s `exclude_entity_ids`.
pub const MAX_EXCLUDED_IDS: usize = 50;

const ROUND: f64 = 10_000.0;

fn round(x: f64) -> f64 {
    (x * ROUND).round() / ROUND
}

// ---------------------------------------------------------------- parameters

/// Query-string parameters read one by one, so that repeated keys
/// (`topics=a&topics=b`, as yente's clients send lists) are lists and an
/// unknown key is a 400 naming it.
pub(crate) struct RawParams {
    pairs: Vec<(String, String)>,
    taken: Vec<bool>,
}

impl RawParams {
    pub(crate) fn from_uri(uri: &Uri) -> Result<RawParams, ApiError> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid-query", r.body_text()))?
            .0;
        let taken = vec![false; pairs.len()];
        Ok(RawParams { pairs, taken })
    }

    /// Every value of `name`.
    pub(crate) fn all(&mut self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if k == name {
                self.taken[i] = true;
                out.push(v.clone());
            }
        }
        out
    }

    /// The value of `name`, which may be given at most once.
    pub(crate) fn one(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let mut all = self.all(name);
        if all.len() > 1 {
            return Err(ApiError::invalid(name, "give it at most once"));
        }
        Ok(all.pop())
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str) -> Result<Option<T>, ApiError> {
        self.one(name)?
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|_| ApiError::invalid(name, format!("{v:?} is not a number")))
            })
            .transpose()
    }

    /// A score parameter: a number in 0..=1.
    fn score(&mut self, name: &str) -> Result<Option<f64>, ApiError> {
        let v = self.number::<f64>(name)?;
        if let Some(x) = v
            && !(0.0..=1.0).contains(&x)
        {
            return Err(ApiError::invalid(name, "must be in 0..=1"));
        }
        Ok(v)
    }

    /// A boolean flag (`true`, `false`, `1`, `0`).
    fn flag(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        self.one(name)?
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(ApiError::invalid(
                    name,
                    format!("{v:?} is not true or false"),
                )),
            })
            .transpose()
    }

    /// Fails on the first parameter nobody asked for.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        match self.pairs.iter().zip(&self.taken).find(|(_, t)| !**t) {
            None => Ok(()),
            Some(((k, _), _)) => Err(ApiError {
                field: Some(k.clone()),
                ..ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-query",
                    format!("{k}: this node does not know this parameter"),
                )
            }),
        }
    }
}

// ---------------------------------------------------------------- datasets

/// The datasets the node serves besides `default`: the sources of the
/// live index, and `national` (always, so its presence tells nothing
/// about entries hidden from the caller).
fn dataset_names(snap: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = snap.lists.iter().map(|l| l.source.clone()).collect();
    if !out.iter().any(|s| s == NATIONAL_SOURCE) {
        out.push(NATIONAL_SOURCE.to_string());
    }
    out
}

/// The source a dataset path names (`None`: every source), or a 404.
fn dataset_scope(snap: &Snapshot, dataset: &str) -> Result<Option<String>, ApiError> {
    if dataset == "default" {
        return Ok(None);
    }
    if dataset_names(snap).iter().any(|d| d == dataset) {
        Ok(Some(dataset.to_string()))
    } else {
        Err(ApiError::not_found(&format!(
            "dataset named {dataset:?} (try default)"
        )))
    }
}

/// Which entities an answer may contain, besides visibility.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    scope: Option<String>,
    include: Vec<String>,
    exclude: Vec<String>,
    exclude_schema: Vec<String>,
    schema: Option<String>,
    topics: Vec<String>,
    countries: Vec<String>,
    exclude_ids: Vec<String>,
}

impl Filters {
    /// Reads the filter parameters common to `/match` and `/search`.
    fn read(params: &mut RawParams, snap: &Snapshot, dataset: &str) -> Result<Filters, ApiError> {
        let scope = dataset_scope(snap, dataset)?;
        let names = dataset_names(snap);
        let known = |field: &str, values: Vec<String>| -> Result<Vec<String>, ApiError> {
            for v in &values {
                if !names.contains(v) {
                    return Err(ApiError::invalid(
                        field,
                        format!("{v:?} is not a dataset of this node"),
                    ));
                }
            }
            Ok(values)
        };
        let include = known("include_dataset", params.all("include_dataset"))?;
        let exclude = known("exclude_dataset", params.all("exclude_dataset"))?;
        if params.one("changed_since")?.is_some() {
            return Err(ApiError::invalid(
                "changed_since",
                "this node does not filter by change time",
            ));
        }
        Ok(Filters {
            scope,
            include,
            exclude,
            exclude_schema: params.all("exclude_schema"),
            topics: params.all("topics"),
            ..Filters::default()
        })
    }

    /// Whether filtering may drop candidates the index ranks first (so
    /// the ranking must be scanned further than `limit`).
    fn narrows(&self) -> bool {
        self.scope.is_some()
            || !self.include.is_empty()
            || !self.exclude.is_empty()
            || !self.exclude_schema.is_empty()
            || self.schema.is_some()
            || !self.topics.is_empty()
            || !self.countries.is_empty()
            || !self.exclude_ids.is_empty()
    }

    fn admits(&self, e: &Entity) -> bool {
        let source = e.provenance.source.as_str();
        let schema = e.schema.as_str();
        self.scope.as_deref().is_none_or(|s| s == source)
            && (self.include.is_empty() || self.include.iter().any(|d| d == source))
            && !self.exclude.iter().any(|d| d == source)
            && !self.exclude_schema.iter().any(|s| s == schema)
            && self.schema.as_deref().is_none_or(|s| s == schema)
            && (self.topics.is_empty()
                || e.get(prop::TOPICS).iter().any(|t| self.topics.contains(t)))
            && (self.countries.is_empty()
                || countries_of(e).iter().any(|c| self.countries.contains(c)))
            && !self.exclude_ids.contains(&e.id)
    }
}

/// Nationalities, citizenships and countries of an entity, lower-cased.
fn countries_of(e: &Entity) -> Vec<String> {
    let mut out = e.nationalities();
    for c in e.get(prop::COUNTRY) {
        let c = c.trim().to_ascii_lowercase();
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- examples

/// FtM properties that hold names.
const NAME_PROPS: &[&str] = &[
    prop::NAME,
    prop::ALIAS,
    prop::WEAK_ALIAS,
    prop::PREVIOUS_NAME,
    prop::FIRST_NAME,
    prop::SECOND_NAME,
    prop::MIDDLE_NAME,
    prop::FATHER_NAME,
    prop::LAST_NAME,
];
const MAX_PROPERTIES: usize = 50;
const MAX_VALUES: usize = 20;

/// Validates an FtM example (`schema` and `properties`) into the
/// screening query and the example as understood. `field` is the JSON
/// path of the example, for errors (`queries.q1`).
pub(crate) fn example_query(
    field: &str,
    id: Option<&str>,
    schema: &str,
    properties: &serde_json::Map<String, serde_json::Value>,
) -> Result<(Query, EntityExampleOut), ApiError> {
    let schema: Schema = schema.parse().map_err(|_| {
        ApiError::invalid(
            format!("{field}.schema"),
            format!(
                "{schema:?} is not Person, Organization, Company, LegalEntity, Vessel or Airplane"
            ),
        )
    })?;
    if properties.len() > MAX_PROPERTIES {
        return Err(ApiError::invalid(
            format!("{field}.properties"),
            format!("at most {MAX_PROPERTIES} properties"),
        ));
    }
    let mut e = Entity::new(id.unwrap_or("query"), schema);
    for (name, value) in properties {
        let pfield = format!("{field}.properties.{name}");
        if name.is_empty()
            || name.len() > 64
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ApiError::invalid(pfield, "is not a property name"));
        }
        let values: Vec<String> = match value {
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    scalar(v).ok_or_else(|| {
                        ApiError::invalid(format!("{pfield}[{i}]"), "must be a string or a number")
                    })
                })
                .collect::<Result<_, _>>()?,
            v => vec![scalar(v).ok_or_else(|| {
                ApiError::invalid(&pfield, "must be a string, a number or a list of them")
            })?],
        };
        if values.len() > MAX_VALUES {
            return Err(ApiError::invalid(
                pfield,
                format!("at most {MAX_VALUES} values"),
            ));
        }
        for (i, v) in values.iter().enumerate() {
            let vfield = format!("{pfield}[{i}]");
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let max = if NAME_PROPS.contains(&name.as_str()) {
                MAX_NAME_CHARS
            } else {
                MAX_VALUE_CHARS
            };
            if v.chars().count() > max {
                return Err(ApiError::invalid(
                    vfield,
                    format!("longer than {max} characters"),
                ));
            }
            if v.chars().any(char::is_control) {
                return Err(ApiError::invalid(vfield, "contains control characters"));
            }
            let cleaned = match name.as_str() {
                prop::BIRTH_DATE => clean_date(&vfield, v)?,
                prop::NATIONALITY | prop::CITIZENSHIP | prop::COUNTRY => parse_country(&vfield, v)?,
                prop::GENDER => {
                    parse_gender(&vfield, &Some(v.to_ascii_lowercase()))?.unwrap_or_default()
                }
                _ => v.to_string(),
            };
            e.add(name, cleaned);
        }
    }
    if e.names().is_empty() && e.composed_name().is_none() {
        return Err(ApiError::invalid(
            format!("{field}.properties.name"),
            "give at least one name (name, alias or firstName/lastName)",
        ));
    }
    let mut query = Query::from_entity(&e);
    if schema == Schema::LegalEntity {
        // FtM's parent of persons and organisations: any schema.
        query.schema = None;
    }
    Ok((
        query,
        EntityExampleOut {
            id: id.map(str::to_string),
            schema: schema.as_str().to_string(),
            properties: e.properties.clone(),
        },
    ))
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a longer ISO timestamp is cut
/// to its date (FtM dates may carry a time).
fn clean_date(field: &str, v: &str) -> Result<String, ApiError> {
    let d = if v.len() > 10 && v.is_char_boundary(10) {
        &v[..10]
    } else {
        v
    };
    d.parse::<PartialDate>()
        .map(|_| d.to_string())
        .map_err(|_| ApiError::invalid(field, format!("{v:?} is not YYYY, YYYY-MM or YYYY-MM-DD")))
}

// ---------------------------------------------------------------- scoring

/// The admissible matches of one query, best first, at most `limit`,
/// scoring above `cutoff` as answered, rounded to 4 decimals (yente drops
/// `score <= cutoff`); and whether
/// more were cut off: the one filter of [`crate::screening::rank`] for the
/// caller's agency, plus the request's filters.
pub(crate) fn ranked_matches(
    snap: &Snapshot,
    p: &Principal,
    query: &Query,
    filters: &Filters,
    limit: usize,
    cutoff: f64,
    today: &str,
) -> Ranked {
    let depth = if filters.narrows() {
        Depth::Filtered
    } else {
        Depth::Covering
    };
    // The cutoff applies to the score as answered (rounded): `rank` keeps
    // everything that can round above it, then what rounds to it or below
    // is dropped — it comes last, and nothing after it scores more.
    let mut ranked = rank(
        snap,
        Audience::Agency(p.agency()),
        query,
        limit,
        (cutoff - 0.5 / ROUND).max(0.0),
        depth,
        today,
        &|e| filters.admits(e),
    );
    if let Some(at) = ranked.matches.iter().position(|m| round(m.score) <= cutoff) {
        ranked.matches.truncate(at);
        ranked.also.truncate(at);
        ranked.more = false;
    }
    ranked
}

/// The features of tansiq's matcher, as yente documents its own.
fn feature_docs() -> BTreeMap<String, FeatureDoc> {
    [
        (
            "name_match",
            "Best pair of a query name and a listed name: token alignment across scripts, \
             transliterations, phonetic and consonant-skeleton keys, weighted by rarity; 0..=1",
        ),
        (
            "birth_date",
            "Change of the score from the dates of birth (agreement or conflict)",
        ),
        (
            "nationality",
            "Change of the score from nationalities and citizenships",
        ),
        ("gender", "Change of the score from the gender"),
        (
            "document",
            "Change of the score from passport and identity document numbers",
        ),
        (
            "schema",
            "Change of the score from the entity types (person, organisation)",
        ),
    ]
    .into_iter()
    .map(|(k, d)| {
        (
            k.to_string(),
            FeatureDoc {
                description: d.to_string(),
            },
        )
    })
    .collect()
}

/// Per-feature contributions of a match, from its explanation.
fn features(m: &Match) -> (BTreeMap<String, f64>, BTreeMap<String, FeatureResultDto>) {
    let x = &m.explanation;
    let mut scores: BTreeMap<String, f64> = feature_docs().into_keys().map(|k| (k, 0.0)).collect();
    let mut explained = BTreeMap::new();
    scores.insert("name_match".into(), round(x.name_score));
    explained.insert(
        "name_match".to_string(),
        FeatureResultDto {
            score: round(x.name_score),
            detail: format!(
                "{} name; query coverage {:.2}, listed coverage {:.2}, rarity factor {:.2}{}",
                x.listed_name_kind,
                x.query_coverage,
                x.listed_coverage,
                x.rarity_factor,
                if x.combined_names {
                    "; tokens from several listed names"
                } else {
                    ""
                }
            ),
            query: Some(x.query_name.clone()),
            candidate: Some(x.listed_name.clone()),
        },
    );
    for ev in &x.evidence {
        let kind = serde_json::to_value(ev.kind)
            .ok()
            .and_then(|k| k.as_str().map(|s| s.replace('-', "_")))
            .unwrap_or_default();
        let delta = ev.after - ev.before;
        *scores.entry(kind.clone()).or_insert(0.0) += delta;
        explained
            .entry(kind)
            .and_modify(|f: &mut FeatureResultDto| {
                f.score += delta;
                f.detail = format!("{}; {}", f.detail, ev.detail);
            })
            .or_insert(FeatureResultDto {
                score: delta,
                detail: ev.detail.clone(),
                query: None,
                candidate: None,
            });
    }
    for v in scores.values_mut() {
        *v = round(*v);
    }
    for f in explained.values_mut() {
        f.score = round(f.score);
    }
    (scores, explained)
}

pub(crate) fn yente_entity(e: &Entity, today: &str) -> YenteEntity {
    YenteEntity {
        id: e.id.clone(),
        caption: e.caption(),
        schema: e.schema.as_str().to_string(),
        properties: e.properties.clone(),
        datasets: vec![e.provenance.source.clone()],
        referents: Vec::new(),
        target: e.is_screenable(today),
        first_seen: None,
        last_seen: None,
        last_change: None,
    }
}

/// One answered example of a look-up, as it is audited: its key, band,
/// query and `(entity id, score, match)` of each result.
pub(crate) type Audited = (String, Band, Query, Vec<(String, f64, bool)>);

/// The typed audit lines of a look-up's examples.
pub(crate) fn lookup_queries(audited: &[Audited]) -> Vec<LookupQueryAudit<'_>> {
    audited
        .iter()
        .map(|(key, band, query, results)| LookupQueryAudit {
            key,
            band: band_str(*band),
            matches: results
                .iter()
                .map(|(id, score, is_match)| MatchAudit {
                    id,
                    score: *score,
                    is_match: Some(*is_match),
                })
                .collect(),
            traveller: TravellerAudit::of(query),
        })
        .collect()
}

// ---------------------------------------------------------------- /match

/// A validated `/match` request.
struct MatchPlan {
    examples: Vec<(String, Query, EntityExampleOut)>,
    filters: Filters,
    limit: usize,
    threshold: f64,
    cutoff: f64,
    algorithm: String,
}

fn match_plan(
    state: &AppState,
    snap: &Snapshot,
    dataset: &str,
    uri: &Uri,
    req: &MatchRequest,
) -> Result<MatchPlan, ApiError> {
    let mut params = RawParams::from_uri(uri)?;
    let mut filters = Filters::read(&mut params, snap, dataset)?;
    let ids = params.all("exclude_entity_ids");
    if ids.len() > MAX_EXCLUDED_IDS {
        return Err(ApiError::invalid(
            "exclude_entity_ids",
            format!("at most {MAX_EXCLUDED_IDS} ids"),
        ));
    }
    filters.exclude_ids = ids;
    let max = state.config.screening.max_limit;
    let limit = params
        .number::<usize>("limit")?
        .unwrap_or(DEFAULT_MATCH_LIMIT.min(max));
    if limit == 0 || limit > max {
        return Err(ApiError::invalid("limit", format!("must be in 1..={max}")));
    }
    let threshold = params
        .score("threshold")?
        .unwrap_or(state.config.screening.possible);
    let cutoff = params.score("cutoff")?.unwrap_or(DEFAULT_CUTOFF);
    let algorithm = params.one("algorithm")?.unwrap_or_else(|| "best".into());
    if !YENTE_ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(ApiError::invalid(
            "algorithm",
            format!(
                "{algorithm:?} is not one of {}",
                YENTE_ALGORITHMS.join(", ")
            ),
        ));
    }
    // Every screening is fuzzy here; the flag nomenklatura sends is moot.
    params.flag("fuzzy")?;
    params.finish()?;
    if !req.weights.is_empty() {
        return Err(ApiError::invalid(
            "weights",
            "tansiq's scores are calibrated; per-feature weights are not supported",
        ));
    }
    if !req.config.is_empty() {
        return Err(ApiError::invalid(
            "config",
            "tansiq's matcher takes no per-request configuration",
        ));
    }
    if req.queries.is_empty() || req.queries.len() > MAX_BATCH {
        return Err(ApiError::invalid(
            "queries",
            format!("give 1 to {MAX_BATCH} examples"),
        ));
    }
    let examples = req
        .queries
        .iter()
        .map(|(key, ex)| {
            let (q, out) = example_query(
                &format!("queries.{key}"),
                ex.id.as_deref(),
                &ex.schema,
                &ex.properties,
            )?;
            Ok((key.clone(), q, out))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(MatchPlan {
        examples,
        filters,
        limit,
        threshold,
        cutoff,
        algorithm,
    })
}

/// Screens a batch of FollowTheMoney examples (yente's matching API).
#[utoipa::path(post, path = "/match/{dataset}", tag = "ecosystem", security(("bearer" = [])),
    params(
        ("dataset" = String, Path, description = "`default` (everything the caller may see), a list source, or `national`"),
        ("limit" = Option<usize>, Query, description = "Results per example (default 5, at most screening.max_limit)"),
        ("threshold" = Option<f64>, Query, description = "Score from which `match` is true (default: the node's alert threshold, 0.80)"),
        ("cutoff" = Option<f64>, Query, description = "Candidates scoring at or below this are left out, whatever the threshold (default 0.5)"),
        ("algorithm" = Option<String>, Query, description = "A yente algorithm name (best, logic-v2, …) or tansiq; tansiq's matcher answers all, and says so in `algorithm`"),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these datasets (repeat the parameter)"),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these datasets"),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "Not these FtM schemata"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these FtM topics"),
        ("exclude_entity_ids" = Option<Vec<String>>, Query, description = "Not these entities (at most 50)"),
        ("fuzzy" = Option<bool>, Query, description = "Accepted; tansiq's screening is always fuzzy")),
    request_body = MatchRequest,
    responses(
        (status = 200, description = "Per example: scored candidates with `match`, features and explanations", body = MatchResponse),
        (status = 401, description = "No valid key (`Authorization: ApiKey <key>` or `Bearer <key>`)", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter or example field has an unusable value", body = Problem)))]
async fn match_entities(
    State(state): State<AppState>,
    p: Principal,
    Path(dataset): Path<String>,
    uri: Uri,
    JsonBody(req): JsonBody<MatchRequest>,
) -> Result<Response, ApiError> {
    p.require(SCREEN_ROLES)?;
    let snap = state.index.load();
    let plan = match match_plan(&state, &snap, &dataset, &uri, &req) {
        Ok(plan) => plan,
        Err(e) => {
            record_invalid(
                &state,
                &p,
                "screen.match",
                Purpose::Lookup,
                Some(&dataset),
                e.field.as_deref(),
            );
            return Err(e);
        }
    };
    let today_s = today();
    let principal = p.clone();
    // Scoring a batch is CPU work: keep it off the async workers.
    let (snap, plan, answers) = tokio::task::spawn_blocking(move || {
        let answers: Vec<Ranked> = plan
            .examples
            .iter()
            .map(|(_, q, _)| {
                ranked_matches(
                    &snap,
                    &principal,
                    q,
                    &plan.filters,
                    plan.limit,
                    plan.cutoff,
                    &today_s,
                )
            })
            .collect();
        (snap, plan, answers)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let today = today();
    let found: Vec<&Entity> = answers
        .iter()
        .flat_map(|r| {
            r.matches
                .iter()
                .filter_map(|m| snap.index.entity(&m.entity_id))
        })
        .collect();
    let seen = entities::seen(&state, &snap, &found).await?;
    let screening_id = uuid::Uuid::now_v7().to_string();
    let mut responses = BTreeMap::new();
    let mut audited = Vec::new();
    for ((key, query, echo), ranked) in plan.examples.into_iter().zip(answers) {
        let more = ranked.more;
        let mut band = Band::None;
        let mut results = Vec::new();
        for (m, also) in ranked.matches.iter().zip(&ranked.also) {
            let Some(e) = snap.index.entity(&m.entity_id) else {
                continue;
            };
            band = max_band(band, m.band);
            let (features, explanations) = features(m);
            // one result per subject: its other listings are referents
            let subject = crate::screening::subject_match(&snap, m, e, also);
            let mut entity = entities::with_seen(yente_entity(e, &today), seen.get(&e.id));
            for l in &subject.listings {
                entity.referents.push(l.entity_id.clone());
                if !entity.datasets.contains(&l.source) {
                    entity.datasets.push(l.source.clone());
                }
            }
            results.push(ScoredEntity {
                entity,
                score: round(m.score),
                is_match: m.score >= plan.threshold,
                band: band_str(m.band).to_string(),
                action_on_hit: subject.action_on_hit,
                features,
                explanations,
                listings: subject.listings,
            });
        }
        audited.push((
            key.clone(),
            band,
            query,
            results
                .iter()
                .map(|r| (r.entity.id.clone(), r.score, r.is_match))
                .collect::<Vec<_>>(),
        ));
        responses.insert(
            key,
            EntityMatches {
                status: 200,
                total: TotalSpec {
                    value: results.len(),
                    relation: if more { "gte" } else { "eq" }.to_string(),
                },
                results,
                query: echo,
            },
        );
    }
    record_lookup(
        &state,
        &p,
        "screen.match",
        &screening_id,
        &LookupAudit {
            purpose: Purpose::Lookup,
            api: "yente",
            dataset: &dataset,
            algorithm: Some(&plan.algorithm),
            threshold: plan.threshold,
            queries: lookup_queries(&audited),
            index_generation: snap.generation,
        },
    );
    let batch = responses.len();
    let mut resp = axum::Json(MatchResponse {
        responses,
        matcher: feature_docs(),
        algorithm: AlgorithmUsed {
            name: ALGORITHM.to_string(),
            requested: plan.algorithm,
        },
        limit: plan.limit,
        threshold: plan.threshold,
        screening_id,
    })
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&batch.to_string()) {
        resp.headers_mut().insert("x-batch-size", v);
    }
    Ok(resp)
}

// ---------------------------------------------------------------- /search

const FACETS: &[(&str, &str)] = &[
    ("countries", "Countries"),
    ("topics", "Topics"),
    ("datasets", "Data sources"),
];

/// FollowTheMoney topics and their captions, for the topics facet (the
/// ones tansiq's lists carry; any other is labelled with its key).
const TOPIC_LABELS: &[(&str, &str)] = &[
    ("sanction", "Sanctioned entity"),
    ("sanction.linked", "Sanction-linked entity"),
    ("sanction.counter", "Counter-sanctioned entity"),
    ("debarment", "Debarred entity"),
    ("asset.frozen", "Frozen asset"),
    ("crime", "Crime"),
    ("crime.terror", "Terrorism"),
    ("crime.war", "War crimes"),
    ("crime.traffick", "Trafficking"),
    ("crime.traffick.drug", "Drug trafficking"),
    ("crime.traffick.human", "Human trafficking"),
    ("crime.fin", "Financial crime"),
    ("crime.fraud", "Fraud"),
    ("wanted", "Wanted"),
    ("poi", "Person of interest"),
    ("role.pep", "Politician"),
    ("role.rca", "Close Associate"),
    ("export.control", "Export controlled"),
];

/// How a facet value reads: a country's English name, a topic's caption,
/// a dataset's title (as the catalog gives it).
fn facet_label(facet: &str, value: &str) -> String {
    match facet {
        "countries" => tansiq_model::country::name(value)
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string()),
        "topics" => TOPIC_LABELS
            .iter()
            .find(|(k, _)| *k == value)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| value.to_string()),
        _ => dataset_title(value),
    }
}

/// A dataset's title, as the catalog gives it.
fn dataset_title(name: &str) -> String {
    if name == NATIONAL_SOURCE {
        "National entries".into()
    } else {
        format!("List {name}")
    }
}

/// Searches entities by name (yente's search API).
#[utoipa::path(get, path = "/search/{dataset}", tag = "ecosystem", security(("bearer" = [])),
    params(
        ("dataset" = String, Path, description = "`default`, a list source, or `national`"),
        ("q" = String, Query, description = "A name in any script"),
        ("limit" = Option<usize>, Query, description = "Results per page (default 10, at most 100)"),
        ("offset" = Option<usize>, Query, description = "Results to skip (at most 10000)"),
        ("schema" = Option<String>, Query, description = "Only this FtM schema"),
        ("countries" = Option<Vec<String>>, Query, description = "Only entities linked to one of these countries"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these FtM topics"),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these datasets"),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these datasets"),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "Not these FtM schemata"),
        ("facets" = Option<Vec<String>>, Query, description = "Facets to count: countries, topics, datasets (default: all three)"),
        ("fuzzy" = Option<bool>, Query, description = "Accepted; the search is always fuzzy"),
        ("simple" = Option<bool>, Query, description = "Accepted; `q` is always a name"),
        ("sort" = Option<Vec<String>>, Query, description = "Refused (422): results are ranked by score only"),
        ("filter" = Option<Vec<String>>, Query, description = "Refused (422): no per-property filter"),
        ("changed_since" = Option<String>, Query, description = "Refused (422): the node has no change-time index")),
    responses(
        (status = 200, description = "Entities whose names resemble `q`, best first, each with its score, and facets whose values carry readable labels (country names, topic captions, dataset titles)", body = YenteSearchResponse),
        (status = 403, description = "Not an analyst or contact point", body = Problem),
        (status = 404, description = "No such dataset", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
async fn search(
    State(state): State<AppState>,
    p: Principal,
    Path(dataset): Path<String>,
    uri: Uri,
) -> Result<axum::Json<YenteSearchResponse>, ApiError> {
    p.require(SEARCH_ROLES)?;
    let snap = state.index.load();
    let mut params = RawParams::from_uri(&uri)?;
    let mut filters = Filters::read(&mut params, &snap, &dataset)?;
    let q = params.one("q")?.unwrap_or_default();
    let q = q.trim().to_string();
    if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "q",
            format!("give a name of 1 to {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = params
        .number::<usize>("limit")?
        .unwrap_or(DEFAULT_SEARCH_LIMIT);
    if limit == 0 || limit > MAX_SEARCH_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("must be in 1..={MAX_SEARCH_LIMIT}"),
        ));
    }
    let offset = params.number::<usize>("offset")?.unwrap_or(0);
    if offset > MAX_SEARCH_OFFSET {
        return Err(ApiError::invalid(
            "offset",
            format!("at most {MAX_SEARCH_OFFSET}"),
        ));
    }
    filters.schema = params.one("schema")?;
    filters.countries = params
        .all("countries")
        .iter()
        .map(|c| parse_country("countries", c))
        .collect::<Result<_, _>>()?;
    let mut facets = params.all("facets");
    for f in &facets {
        if !FACETS.iter().any(|(k, _)| k == f) {
            return Err(ApiError::invalid(
                "facets",
                format!("{f:?} is not countries, topics or datasets"),
            ));
        }
    }
    if facets.is_empty() {
        facets = FACETS.iter().map(|(k, _)| k.to_string()).collect();
    }
    params.flag("fuzzy")?;
    params.flag("simple")?;
    if !params.all("sort").is_empty() {
        return Err(ApiError::invalid(
            "sort",
            "this node ranks search results by score only",
        ));
    }
    if !params.all("filter").is_empty() {
        return Err(ApiError::invalid(
            "filter",
            "this node has no per-property filter; use schema, countries, topics or the datasets",
        ));
    }
    params.finish()?;

    let today = today();
    let hits = crate::screening::search(&snap, Audience::Agency(p.agency()), &q, &|e| {
        filters.admits(e)
    });
    let mut counted: BTreeMap<String, Facet> = BTreeMap::new();
    for (key, label) in FACETS {
        if !facets.iter().any(|f| f == key) {
            continue;
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (e, _) in &hits {
            let values = match *key {
                "countries" => countries_of(e),
                "topics" => e.get(prop::TOPICS).to_vec(),
                _ => vec![e.provenance.source.clone()],
            };
            for v in values {
                *counts.entry(v).or_default() += 1;
            }
        }
        let mut values: Vec<FacetItem> = counts
            .into_iter()
            .map(|(name, count)| FacetItem {
                label: facet_label(key, &name),
                name,
                count,
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        counted.insert(
            key.to_string(),
            Facet {
                label: label.to_string(),
                values,
            },
        );
    }
    let page: Vec<(&Entity, f64)> = hits.iter().skip(offset).take(limit).copied().collect();
    let entities: Vec<&Entity> = page.iter().map(|(e, _)| *e).collect();
    let seen = entities::seen(&state, &snap, &entities).await?;
    let results: Vec<SearchResult> = page
        .iter()
        .map(|(e, score)| SearchResult {
            entity: entities::with_seen(yente_entity(e, &today), seen.get(&e.id)),
            score: round(*score),
        })
        .collect();
    state.audit.record(p.event(
        "entity.search",
        None,
        "ok",
        json!({ "api": "yente", "dataset": dataset, "q": q, "offset": offset,
                "results": results.iter().map(|r| r.entity.id.clone()).collect::<Vec<_>>() }),
    ));
    Ok(axum::Json(YenteSearchResponse {
        limit,
        offset,
        total: TotalSpec {
            value: hits.len(),
            relation: "eq".into(),
        },
        results,
        facets: counted,
    }))
}

// ---------------------------------------------------------------- /algorithms, /catalog

/// Everyone who may screen or search.
const READER_ROLES: &[Role] = &[Role::Officer, Role::Analyst, Role::ContactPoint];

/// The matching algorithm (yente's algorithm list).
#[utoipa::path(get, path = "/algorithms", tag = "ecosystem", security(("bearer" = [])),
    responses(
        (status = 200, description = "The one algorithm that answers every yente algorithm name", body = AlgorithmsResponse),
        (status = 403, description = "Not an officer, analyst or contact point", body = Problem)))]
async fn algorithms(p: Principal) -> Result<axum::Json<AlgorithmsResponse>, ApiError> {
    p.require(READER_ROLES)?;
    Ok(axum::Json(AlgorithmsResponse {
        algorithms: vec![AlgorithmDto {
            name: ALGORITHM.to_string(),
            description: format!(
                "tansiq's calibrated matcher (scores 0..=1, alerts from the node's threshold). \
                 The yente names {} are accepted and answered by it.",
                YENTE_ALGORITHMS[..YENTE_ALGORITHMS.len() - 1].join(", ")
            ),
            docs: feature_docs(),
        }],
        default: ALGORITHM.to_string(),
        best: ALGORITHM.to_string(),
    }))
}

/// The datasets (yente's catalog).
#[utoipa::path(get, path = "/catalog", tag = "ecosystem", security(("bearer" = [])),
    responses(
        (status = 200, description = "`default` and one dataset per source screened now", body = CatalogResponse),
        (status = 403, description = "Not an officer, analyst or contact point", body = Problem)))]
async fn catalog(
    State(state): State<AppState>,
    p: Principal,
) -> Result<axum::Json<CatalogResponse>, ApiError> {
    p.require(READER_ROLES)?;
    let snap = state.index.load();
    let names = dataset_names(&snap);
    let mut datasets = vec![DatasetDto {
        name: "default".into(),
        title: "Every entity the caller's agency may screen against".into(),
        load: true,
        version: None,
        updated_at: None,
        entity_count: None,
        children: names.clone(),
    }];
    for name in &names {
        let list = snap.lists.iter().find(|l| &l.source == name);
        datasets.push(DatasetDto {
            name: name.clone(),
            title: dataset_title(name),
            load: true,
            version: list.and_then(|l| l.version.clone()),
            updated_at: list.and_then(|l| l.imported_at).map(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            }),
            // A count of national entries would tell about hidden ones.
            entity_count: list
                .filter(|l| l.source != NATIONAL_SOURCE)
                .map(|l| l.active),
            children: Vec::new(),
        });
    }
    let mut current = vec!["default".to_string()];
    current.extend(names);
    Ok(axum::Json(CatalogResponse {
        datasets,
        current,
        outdated: Vec::new(),
        index_stale: false,
    }))
}

// ---------------------------------------------------------------- /updatez

/// The caller of `/updatez`: the usual key check, with the key also taken
/// from yente's `?token=` when no `Authorization` is sent.
#[derive(Debug)]
pub struct UpdatezCaller(pub Principal);

impl axum::extract::FromRequestParts<AppState> for UpdatezCaller {
    type Rejection = crate::auth::AuthRejection;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<UpdatezCaller, Self::Rejection> {
        reconcile::caller_with_query_key(parts, state, "token")
            .await
            .map(UpdatezCaller)
    }
}

/// Updates every declared list source now (yente's forced index update).
/// yente's update token is a node administrator's API key here, in
/// `Authorization` or, as yente takes it, `?token=`. The index follows
/// the store by itself: an update is only the lists' refresh, as
/// `POST /v1/sources/{name}/update` does for one.
#[utoipa::path(post, path = "/updatez", tag = "ecosystem", security(("bearer" = [])),
    params(("token" = Option<String>, Query, description = "A node administrator's API key, for yente's clients that send it so (prefer Authorization: a key in a URL may be logged)"),
           ("sync" = Option<bool>, Query, description = "Wait until every source is updated and report each (default false: start the update and answer at once)")),
    responses(
        (status = 200, description = "`ok`: the update is started, or (`sync=true`) done for every source", body = UpdatezResponse),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not a node administrator", body = Problem),
        (status = 502, description = "`sync=true` and a source failed; the previous version of every failed source stays in force", body = Problem)))]
async fn updatez(
    State(state): State<AppState>,
    UpdatezCaller(p): UpdatezCaller,
    uri: Uri,
) -> Result<axum::Json<UpdatezResponse>, ApiError> {
    p.require(crate::auth::NODE_ADMINS)?;
    let mut params = RawParams::from_uri(&uri)?;
    params.all("token");
    let sync = params.flag("sync")?.unwrap_or(false);
    params.finish()?;
    let sources = state.config.list_sources().map_err(|e| {
        tracing::error!(error = %e, "sources configuration");
        ApiError::internal()
    })?;
    let defs: Vec<_> = sources.sources.clone();
    let actor = crate::sources::Actor {
        user: p.user.id.clone(),
        agency: p.user.agency_id.clone(),
        key_id: p.key_id.clone(),
    };
    let run = {
        let state = state.clone();
        async move {
            let mut done = Vec::new();
            let mut failed = Vec::new();
            for def in &defs {
                match crate::sources::update(&state, def, &actor).await {
                    Ok(dto) => done.push(dto),
                    Err(e) => failed.push(format!("{}: {e}", def.name)),
                }
            }
            if let Ok(statuses) = crate::sources::status(&state).await {
                crate::sources::publish(&state, &statuses);
            }
            (done, failed)
        }
    };
    if !sync {
        tokio::spawn(run);
        return Ok(axum::Json(UpdatezResponse {
            status: "ok".into(),
            sources: Vec::new(),
        }));
    }
    let (done, failed) = run.await;
    if !failed.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "source-failed",
            format!(
                "{}; the previous version of each stays in force",
                failed.join("; ")
            ),
        ));
    }
    Ok(axum::Json(UpdatezResponse {
        status: "ok".into(),
        sources: done,
    }))
}
