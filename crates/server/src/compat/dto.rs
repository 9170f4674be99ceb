//! Wire types of the ecosystem APIs: yente's `/match`, `/search`,
//! `/entities`, `/algorithms`, `/catalog`, and the W3C Reconciliation
//! Service API (version 0.2). They follow the shapes those clients parse
//! (field names included, hence the camelCase of the Reconciliation
//! manifest), and are filled by hand from domain types like the rest of
//! the server's DTOs. Request types deny unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------- yente

/// A FollowTheMoney entity as an example to match: `schema` and
/// `properties` (each a string or a list of strings).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityExampleIn {
    /// Echoed back; chosen by the client.
    pub id: Option<String>,
    /// `Person`, `Organization`, `Company`, `LegalEntity`, `Vessel` or
    /// `Airplane`.
    pub schema: String,
    /// FtM property name -> a string or a list of strings, e.g.
    /// `{"name": ["Karimou Belhadjar"], "birthDate": "1970"}`.
    #[schema(value_type = Object)]
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// The body of `POST /match/{dataset}`: a batch of examples keyed by a
/// name the client chooses.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    pub queries: BTreeMap<String, EntityExampleIn>,
    /// yente's per-feature weights. tansiq's scores are calibrated so that
    /// the alert threshold means the same on every list; only `{}` is
    /// accepted.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub weights: serde_json::Map<String, serde_json::Value>,
    /// yente's algorithm configuration; only `{}` is accepted, as above.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: serde_json::Map<String, serde_json::Value>,
}

/// The example as the node understood it (cleaned values).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityExampleOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub schema: String,
    pub properties: BTreeMap<String, Vec<String>>,
}

/// An entity in yente's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct YenteEntity {
    pub id: String,
    pub caption: String,
    pub schema: String,
    /// FollowTheMoney properties: name -> values.
    pub properties: BTreeMap<String, Vec<String>>,
    /// The list (source) the entity comes from, e.g. `un-sc` or `national`.
    pub datasets: Vec<String>,
    /// In a `/match` result: the other listings of the same subject that
    /// this result stands for (linked because the lists say so; why, in
    /// `listings`). Empty elsewhere: tansiq keeps each listing as its own
    /// entity.
    pub referents: Vec<String>,
    /// Whether the entity is in force (active and valid today).
    pub target: bool,
    /// When this node first stored the entity (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub first_seen: Option<String>,
    /// When the entity was last seen in force at its source: the last
    /// import of its list while it is listed; for a national entry or a
    /// withdrawn entity, its last change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_seen: Option<String>,
    /// When the entity last changed on this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_change: Option<String>,
}

/// A property value of an entity answered with its adjacent entities
/// (`nested=true`): a string, or an adjacent entity (its listing, a
/// FollowTheMoney `Sanction`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum NestedValue {
    Text(String),
    Entity(YenteEntity),
}

/// An entity with its adjacent entities inlined (yente's `nested=true`):
/// `properties.sanctions` holds the listing as a `Sanction` entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct NestedEntity {
    pub id: String,
    pub caption: String,
    pub schema: String,
    /// FollowTheMoney properties: name -> values (strings or entities).
    pub properties: BTreeMap<String, Vec<NestedValue>>,
    pub datasets: Vec<String>,
    pub referents: Vec<String>,
    pub target: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_change: Option<String>,
}

/// The answer to `GET /entities/{id}`: the entity alone (`nested=false`)
/// or with its adjacent entities inlined (`nested=true`, the default).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum EntityAnswer {
    Nested(NestedEntity),
    Flat(YenteEntity),
}

/// One page of the entities adjacent to an entity through one property.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjacentResults {
    pub results: Vec<YenteEntity>,
    pub total: TotalSpec,
    pub limit: usize,
    pub offset: usize,
}

/// The answer to `GET /entities/{id}/adjacent`: the entity and, per
/// property with adjacent entities, one page of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjacentResponse {
    pub entity: YenteEntity,
    pub adjacent: BTreeMap<String, AdjacentResults>,
}

/// A search result: the entity and how well its names resemble `q`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    #[serde(flatten)]
    pub entity: YenteEntity,
    /// The calibrated name score of the best name, 0..=1.
    pub score: f64,
}

/// The answer to `POST /updatez`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdatezResponse {
    /// `ok`: every declared source was updated (`sync=true`) or the update
    /// was started (`sync=false`).
    pub status: String,
    /// With `sync=true`: each declared source's outcome.
    pub sources: Vec<crate::ops::SourceUpdateDto>,
}

/// One feature's contribution to a score, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureResultDto {
    /// The feature's contribution: the name score for `name_match`, the
    /// change of the score for every other feature (negative: it lowered
    /// the score).
    pub score: f64,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
}

/// A scored candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoredEntity {
    #[serde(flatten)]
    pub entity: YenteEntity,
    /// Calibrated score, 0..=1.
    pub score: f64,
    /// `score >= threshold`.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// tansiq's band: `none`, `possible` or `strong`.
    pub band: String,
    /// What the issuing agency asks the officer to do on a confirmed hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_on_hit: Option<String>,
    /// Feature -> contribution (yente's older `features` field).
    pub features: BTreeMap<String, f64>,
    /// Feature -> contribution and explanation (yente's `explanations`).
    pub explanations: BTreeMap<String, FeatureResultDto>,
    /// tansiq: the subject's other listings (`referents`), each with what
    /// links it, its own action and regime.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listings: Vec<crate::dto::ListingDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotalSpec {
    pub value: usize,
    /// `eq` (exact) or `gte` (at least: the answer was cut at `limit`).
    pub relation: String,
}

/// The answer to one example.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityMatches {
    pub status: u16,
    pub results: Vec<ScoredEntity>,
    pub total: TotalSpec,
    pub query: EntityExampleOut,
}

/// What a feature means.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureDoc {
    pub description: String,
}

/// The algorithm that actually scored the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmUsed {
    /// Always `tansiq`.
    pub name: String,
    /// The `algorithm` parameter as sent (`best` when not sent).
    pub requested: String,
}

/// The answer to `POST /match/{dataset}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    pub responses: BTreeMap<String, EntityMatches>,
    /// The features of the algorithm used (yente's `matcher`).
    pub matcher: BTreeMap<String, FeatureDoc>,
    pub algorithm: AlgorithmUsed,
    pub limit: usize,
    /// The score from which `match` is true.
    pub threshold: f64,
    /// Id of this screening in the audit log.
    pub screening_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetItem {
    pub name: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Facet {
    pub label: String,
    pub values: Vec<FacetItem>,
}

/// The answer to `GET /search/{dataset}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct YenteSearchResponse {
    pub limit: usize,
    pub offset: usize,
    pub total: TotalSpec,
    pub results: Vec<SearchResult>,
    pub facets: BTreeMap<String, Facet>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmDto {
    pub name: String,
    pub description: String,
    pub docs: BTreeMap<String, FeatureDoc>,
}

/// The answer to `GET /algorithms`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmsResponse {
    pub algorithms: Vec<AlgorithmDto>,
    pub default: String,
    pub best: String,
}

/// A dataset: `default` (everything the caller may see), a list source,
/// or `national`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatasetDto {
    pub name: String,
    pub title: String,
    /// Always true: every dataset listed is screened now.
    pub load: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Active entities of a public list; not given for national entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_count: Option<usize>,
    pub children: Vec<String>,
}

/// The answer to `GET /catalog`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogResponse {
    pub datasets: Vec<DatasetDto>,
    pub current: Vec<String>,
    pub outdated: Vec<String>,
    pub index_stale: bool,
}

// ---------------------------------------------------------------- W3C Reconciliation

/// A type (FtM schema) in the Reconciliation API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReconType {
    pub id: String,
    pub name: String,
}

/// Where the service asks for its API key (a Swagger 2 security scheme).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconAuthentication {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
}

/// The service manifest (Reconciliation API 0.2).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReconManifest {
    pub versions: Vec<String>,
    pub name: String,
    pub identifier_space: String,
    pub schema_space: String,
    pub documentation: String,
    pub default_types: Vec<ReconType>,
    pub authentication: ReconAuthentication,
    pub batch_size: usize,
    pub view: ReconView,
    pub preview: ReconPreview,
    pub suggest: ReconSuggest,
    pub extend: ReconExtend,
}

/// Where a person sees an entity: `{{id}}` is replaced by its id.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconView {
    pub url: String,
}

/// The preview service: an HTML card per entity, in a frame this size.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconPreview {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// Where one service answers: `service_url` followed by `service_path`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconService {
    pub service_url: String,
    pub service_path: String,
}

/// The suggest services (auto-completion).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconSuggest {
    pub entity: ReconService,
    #[serde(rename = "type")]
    pub r#type: ReconService,
    pub property: ReconService,
}

/// The data extension service: where properties are proposed (extension
/// batches go to the service endpoint itself, form field `extend`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconExtend {
    pub propose_properties: ReconService,
    /// None: no property takes settings.
    #[schema(value_type = Vec<Object>)]
    pub property_settings: Vec<serde_json::Value>,
}

/// A suggested entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedEntity {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Its type.
    pub notable: Vec<ReconType>,
}

/// The answer of the entity suggest service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestEntities {
    pub result: Vec<SuggestedEntity>,
}

/// The answer of the type suggest service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestTypes {
    pub result: Vec<ReconType>,
}

/// A property of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct PropertyDto {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// The answer of the property suggest service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestProperties {
    pub result: Vec<PropertyDto>,
}

/// The properties proposed for data extension of a type.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedProperties {
    #[serde(rename = "type")]
    pub r#type: String,
    pub limit: usize,
    pub properties: Vec<PropertyDto>,
}

/// A property asked for in a data extension batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendProperty {
    pub id: String,
    /// Accepted; no property takes settings.
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Value>,
}

/// A data extension batch (form field `extend`): the entities and the
/// properties to fetch for each.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendQuery {
    pub ids: Vec<String>,
    pub properties: Vec<ExtendProperty>,
}

/// A property of a data extension answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendMeta {
    pub id: String,
    pub name: String,
}

/// One value of a data extension answer (a string; dates are partial,
/// so they are strings too).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendValue {
    pub str: String,
}

/// The answer to a data extension batch: per id, per property, values.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtendResponse {
    pub meta: Vec<ExtendMeta>,
    pub rows: BTreeMap<String, BTreeMap<String, Vec<ExtendValue>>>,
}

/// What the reconciliation endpoint answers: the manifest (a GET without
/// `queries` or `extend`), a data extension, or reconciliation results.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReconAnswer {
    Manifest(Box<ReconManifest>),
    Extension(ExtendResponse),
    Results(BTreeMap<String, ReconResult>),
}

/// One reconciliation query.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconQuery {
    /// The name to reconcile.
    pub query: Option<String>,
    /// A type id (FtM schema) or a list of them; the first is used.
    #[schema(value_type = Option<Object>)]
    pub r#type: Option<serde_json::Value>,
    pub limit: Option<usize>,
    #[serde(default)]
    pub properties: Vec<ReconProperty>,
    /// `any`, `should` or `all`; accepted, and one type is used.
    pub type_strict: Option<String>,
}

/// A property value to match, e.g. `{"pid": "birthDate", "v": "1970"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconProperty {
    /// An FtM property name, optionally qualified (`Person:birthDate`).
    pub pid: String,
    #[schema(value_type = Object)]
    pub v: serde_json::Value,
}

/// A matching feature of a candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconFeature {
    pub id: String,
    pub value: f64,
}

/// One candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconCandidate {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub types: Vec<ReconType>,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub features: Vec<ReconFeature>,
}

/// The candidates of one query.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconResult {
    pub result: Vec<ReconCandidate>,
}
