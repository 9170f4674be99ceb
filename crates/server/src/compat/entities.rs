//! yente's data access: `GET /entities/{id}` (with `nested=true`, yente's
//! default, the entity's listing inlined as a FollowTheMoney `Sanction`),
//! `GET /entities/{id}/adjacent` and `/entities/{id}/adjacent/{property}`
//! (the same adjacency, paged), every entity's times (`first_seen`,
//! `last_seen`, `last_change`), and `GET /statements`, refused with its
//! reason ([`statements`]).
//!
//! Key design decision: a listing is not stored as an entity of its own.
//! It is what the entity's provenance and legal basis say — list,
//! programme (regime), authority, listing date, measures — shown as the
//! `Sanction` FollowTheMoney would have, linked to its subject by
//! `Sanction:entity` (reverse: the subject's `sanctions`). Its id is the
//! subject's with [`SANCTION_SUFFIX`]; `/entities/{that id}` answers it
//! under the subject's visibility, and a hidden subject's listing is
//! answered like a missing one. A national entry's listing is its warrant
//! (authority: the originating agency; programme: the legal basis;
//! provisions: the action on hit).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::json;
use tansiq_model::{Applies, Entity, EntryStatus};
use tansiq_store::{EntityTimes, NATIONAL_SOURCE};
use time::OffsetDateTime;

use super::dto::*;
use super::{RawParams, yente_entity};
use crate::auth::Principal;
use crate::error::Problem;
use crate::routes::{ENTITY_VIEW_ROLES, today};
use crate::screening::{Audience, admits};
use crate::state::Snapshot;
use crate::{ApiError, AppState};

/// The suffix that makes a subject's id the id of its listing.
pub const SANCTION_SUFFIX: &str = "-sanction";
/// The subject's FtM property that holds its listings (the reverse of
/// `Sanction:entity`).
pub const SANCTIONS_PROP: &str = "sanctions";
/// The listing's FtM property that names its subject.
pub const SUBJECT_PROP: &str = "entity";
/// Adjacent entities per property and page when the request does not say
/// (yente's default page).
pub const DEFAULT_ADJACENT_LIMIT: usize = 10;
/// Most adjacent entities per property and page (yente's largest page).
pub const MAX_ADJACENT_LIMIT: usize = 500;
/// Most adjacent entities skipped (yente's largest offset).
pub const MAX_ADJACENT_OFFSET: usize = 9_499;

/// Who imposes the listings of each public list source.
const AUTHORITIES: &[(&str, &str)] = &[
    (tansiq_lists::UN_SOURCE, "United Nations Security Council"),
    (
        tansiq_lists::OFAC_SOURCE,
        "Office of Foreign Assets Control (United States Department of the Treasury)",
    ),
    (
        tansiq_lists::DFAT_SOURCE,
        "Department of Foreign Affairs and Trade (Australia)",
    ),
];

// ---------------------------------------------------------------- times

/// An entity's times as yente answers them (RFC 3339, UTC, seconds).
#[derive(Clone, Debug, Default)]
pub(crate) struct Seen {
    first_seen: Option<String>,
    last_seen: Option<String>,
    last_change: Option<String>,
}

fn rfc3339(t: OffsetDateTime) -> Option<String> {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The times of `entities`, read from the store in one query per few
/// hundred entities. `last_seen` is the last import of the entity's list
/// while it is listed there, else (a national entry, a withdrawn entity)
/// its last change.
pub(crate) async fn seen(
    state: &AppState,
    snap: &Snapshot,
    entities: &[&Entity],
) -> Result<HashMap<String, Seen>, ApiError> {
    let ids: Vec<String> = entities.iter().map(|e| e.id.clone()).collect();
    let times: HashMap<String, EntityTimes> = state.store.entity_times(&ids).await?;
    Ok(entities
        .iter()
        .filter_map(|e| {
            let t = times.get(&e.id)?;
            let imported = snap
                .lists
                .iter()
                .find(|l| l.source == e.provenance.source && l.source != NATIONAL_SOURCE)
                .and_then(|l| l.imported_at)
                .filter(|_| e.status == EntryStatus::Active);
            Some((
                e.id.clone(),
                Seen {
                    first_seen: rfc3339(t.first_seen),
                    last_seen: rfc3339(imported.unwrap_or(t.last_change)),
                    last_change: rfc3339(t.last_change),
                },
            ))
        })
        .collect())
}

/// `y` with the times of its entity.
pub(crate) fn with_seen(mut y: YenteEntity, seen: Option<&Seen>) -> YenteEntity {
    if let Some(s) = seen {
        y.first_seen.clone_from(&s.first_seen);
        y.last_seen.clone_from(&s.last_seen);
        y.last_change.clone_from(&s.last_change);
    }
    y
}

// ---------------------------------------------------------------- listings

/// The id of `subject`'s listing.
pub fn sanction_id(subject: &str) -> String {
    format!("{subject}{SANCTION_SUFFIX}")
}

/// Who imposed a listing: the originating agency of an entry that has
/// one (national entries, warrants), else the list's authority, else the
/// list's name.
fn authority(e: &Entity) -> String {
    if let Some(agency) = &e.origin_agency {
        return agency.clone();
    }
    AUTHORITIES
        .iter()
        .find(|(s, _)| *s == e.provenance.source)
        .map(|(_, a)| a.to_string())
        .unwrap_or_else(|| e.provenance.source.clone())
}

/// `subject`'s listing as a FollowTheMoney `Sanction`: programme
/// (regime, else legal basis), authority, authority's reference, listing
/// and amendment dates, validity, provisions (each measure that applies or
/// must be verified; for a national entry its action on hit) and a
/// summary. `with_subject`: whether `entity` names the subject (not when
/// the listing is nested under it, as yente leaves out the way back).
pub(crate) fn listing(subject: &Entity, with_subject: bool, seen: Option<&Seen>) -> YenteEntity {
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |name: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            props
                .entry(name.to_string())
                .or_default()
                .push(v.to_string());
        }
    };
    let national = subject.provenance.source == NATIONAL_SOURCE;
    let legal = subject.legal_basis.as_ref();
    let regime = legal.and_then(|l| l.regime.as_deref());
    let basis = legal.and_then(|l| l.basis.as_deref());
    let program = regime.or(basis).map(str::to_string).unwrap_or_else(|| {
        if national {
            "National entry".to_string()
        } else {
            format!("Listed on {}", subject.provenance.source)
        }
    });
    add("program", Some(&program));
    let authority = authority(subject);
    add("authority", Some(&authority));
    add(
        "authorityId",
        subject.provenance.source_record_id.as_deref(),
    );
    add(
        "authorityId",
        legal.and_then(|l| l.warrant_number.as_deref()),
    );
    add("listingDate", subject.provenance.listed_on.as_deref());
    add("modifiedAt", subject.provenance.amended_on.as_deref());
    add("startDate", subject.validity.valid_from.as_deref());
    add("endDate", subject.validity.valid_until.as_deref());
    if regime.is_some() {
        // The programme is the regime: the basis is the reason.
        add("reason", basis);
    }
    add("reason", legal.and_then(|l| l.offence.as_deref()));
    add("reason", legal.and_then(|l| l.court.as_deref()));
    let measures = legal.and_then(|l| l.measures.as_ref());
    if let Some(m) = measures {
        for (name, applies) in m.each() {
            let text = match applies {
                Applies::Yes => Some(capitalised(name)),
                Applies::Verify => Some(format!("{} (to verify)", capitalised(name))),
                Applies::No => None,
            };
            add("provisions", text.as_deref());
        }
    }
    let action = subject.action_on_hit.map(|a| a.as_str());
    if measures.is_none() {
        add(
            "provisions",
            action.map(|a| format!("Action on hit: {a}")).as_deref(),
        );
    }
    let mut summary = measures.map(|m| m.summary()).unwrap_or_default();
    if let Some(a) = action {
        if !summary.is_empty() {
            summary.push_str("; ");
        }
        summary.push_str("action on hit: ");
        summary.push_str(a);
    }
    add("summary", Some(&summary));
    if with_subject {
        add(SUBJECT_PROP, Some(&subject.id));
    }
    let y = YenteEntity {
        id: sanction_id(&subject.id),
        caption: program,
        schema: "Sanction".to_string(),
        properties: props,
        datasets: vec![subject.provenance.source.clone()],
        referents: Vec::new(),
        target: false,
        first_seen: None,
        last_seen: None,
        last_change: None,
    };
    with_seen(y, seen)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn nested_from(y: YenteEntity, adjacent: BTreeMap<String, Vec<YenteEntity>>) -> NestedEntity {
    let mut properties: BTreeMap<String, Vec<NestedValue>> = y
        .properties
        .into_iter()
        .map(|(k, vs)| (k, vs.into_iter().map(NestedValue::Text).collect()))
        .collect();
    for (k, es) in adjacent {
        properties.insert(k, es.into_iter().map(NestedValue::Entity).collect());
    }
    NestedEntity {
        id: y.id,
        caption: y.caption,
        schema: y.schema,
        properties,
        datasets: y.datasets,
        referents: y.referents,
        target: y.target,
        first_seen: y.first_seen,
        last_seen: y.last_seen,
        last_change: y.last_change,
    }
}

// ---------------------------------------------------------------- resolution

/// What an id names: an entity, or the listing of one.
enum Found {
    Subject(Entity),
    Listing(Entity),
}

/// The entity or listing `id` names, if the caller may see it (a hidden
/// one is `None`, like a missing one).
async fn resolve(state: &AppState, p: &Principal, id: &str) -> Result<Option<Found>, ApiError> {
    let audience = Audience::Agency(p.agency());
    if let Some(e) = state.store.entity(id).await? {
        return Ok(admits(audience, &e).then_some(Found::Subject(e)));
    }
    if let Some(subject) = id.strip_suffix(SANCTION_SUFFIX)
        && let Some(e) = state.store.entity(subject).await?
    {
        return Ok(admits(audience, &e).then_some(Found::Listing(e)));
    }
    Ok(None)
}

fn audit_view(state: &AppState, p: &Principal, id: &str, found: bool, what: &'static str) {
    state.audit.record(p.event(
        "entity.view",
        Some(id.to_string()),
        if found { "ok" } else { "not-found" },
        json!({ "api": "yente", "view": what }),
    ));
}

// ---------------------------------------------------------------- /entities

/// One entity (yente's entity API), by default with its listing inlined.
#[utoipa::path(get, path = "/entities/{id}", tag = "ecosystem", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entity id, or an entity's id followed by `-sanction` for its listing"),
           ("nested" = Option<bool>, Query, description = "Inline adjacent entities: the listing as a FollowTheMoney `Sanction` under `properties.sanctions` (default true, as yente)")),
    responses(
        (status = 200, description = "The entity (nested or not); `first_seen`, `last_seen` and `last_change` in RFC 3339", body = EntityAnswer),
        (status = 403, description = "Not an analyst, contact point or officer", body = Problem),
        (status = 404, description = "No such entity visible to the caller", body = Problem)))]
pub(super) async fn get_entity(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<axum::Json<EntityAnswer>, ApiError> {
    p.require(ENTITY_VIEW_ROLES)?;
    let mut params = RawParams::from_uri(&uri)?;
    let nested = params.flag("nested")?.unwrap_or(true);
    params.finish()?;
    let found = resolve(&state, &p, &id).await?;
    audit_view(&state, &p, &id, found.is_some(), "entity");
    let found = found.ok_or_else(|| ApiError::not_found("such entity"))?;
    let snap = state.index.load();
    let today = today();
    let answer = match found {
        Found::Subject(e) => {
            let seen = seen(&state, &snap, &[&e]).await?;
            let s = seen.get(&e.id);
            let flat = with_seen(yente_entity(&e, &today), s);
            if nested {
                let adjacent =
                    BTreeMap::from([(SANCTIONS_PROP.to_string(), vec![listing(&e, false, s)])]);
                EntityAnswer::Nested(nested_from(flat, adjacent))
            } else {
                EntityAnswer::Flat(flat)
            }
        }
        Found::Listing(e) => {
            let seen = seen(&state, &snap, &[&e]).await?;
            let s = seen.get(&e.id);
            if nested {
                let l = listing(&e, false, s);
                let subject = with_seen(yente_entity(&e, &today), s);
                let adjacent = BTreeMap::from([(SUBJECT_PROP.to_string(), vec![subject])]);
                EntityAnswer::Nested(nested_from(l, adjacent))
            } else {
                EntityAnswer::Flat(listing(&e, true, s))
            }
        }
    };
    Ok(axum::Json(answer))
}

/// A page of adjacent entities: `(limit, offset)`.
fn page(params: &mut RawParams) -> Result<(usize, usize), ApiError> {
    let limit = params
        .number::<usize>("limit")?
        .unwrap_or(DEFAULT_ADJACENT_LIMIT);
    if limit > MAX_ADJACENT_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("must be in 0..={MAX_ADJACENT_LIMIT}"),
        ));
    }
    let offset = params.number::<usize>("offset")?.unwrap_or(0);
    if offset > MAX_ADJACENT_OFFSET {
        return Err(ApiError::invalid(
            "offset",
            format!("at most {MAX_ADJACENT_OFFSET}"),
        ));
    }
    // yente sorts adjacent entities; each property here has one.
    params.all("sort");
    Ok((limit, offset))
}

/// The adjacency of what `found` names: property -> adjacent entities.
fn adjacency(found: &Found, s: Option<&Seen>, today: &str) -> (YenteEntity, String, YenteEntity) {
    match found {
        Found::Subject(e) => (
            with_seen(yente_entity(e, today), s),
            SANCTIONS_PROP.to_string(),
            listing(e, false, s),
        ),
        Found::Listing(e) => (
            listing(e, true, s),
            SUBJECT_PROP.to_string(),
            with_seen(yente_entity(e, today), s),
        ),
    }
}

fn paged(one: YenteEntity, limit: usize, offset: usize) -> AdjacentResults {
    AdjacentResults {
        results: [one].into_iter().skip(offset).take(limit).collect(),
        total: TotalSpec {
            value: 1,
            relation: "eq".into(),
        },
        limit,
        offset,
    }
}

/// The entities adjacent to an entity (yente's adjacency API): its
/// listing, as a FollowTheMoney `Sanction` (or, for a listing, its
/// subject).
#[utoipa::path(get, path = "/entities/{id}/adjacent", tag = "ecosystem", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entity id (or a listing's id)"),
           ("limit" = Option<usize>, Query, description = "Adjacent entities per property (default 10, at most 500)"),
           ("offset" = Option<usize>, Query, description = "Adjacent entities skipped per property (at most 9499)"),
           ("sort" = Option<Vec<String>>, Query, description = "Accepted; each property has one adjacent entity")),
    responses(
        (status = 200, description = "The entity and its adjacent entities by property (`sanctions`, or `entity` for a listing)", body = AdjacentResponse),
        (status = 403, description = "Not an analyst, contact point or officer", body = Problem),
        (status = 404, description = "No such entity visible to the caller", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn adjacent(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<axum::Json<AdjacentResponse>, ApiError> {
    p.require(ENTITY_VIEW_ROLES)?;
    let mut params = RawParams::from_uri(&uri)?;
    let (limit, offset) = page(&mut params)?;
    params.finish()?;
    let found = resolve(&state, &p, &id).await?;
    audit_view(&state, &p, &id, found.is_some(), "adjacent");
    let found = found.ok_or_else(|| ApiError::not_found("such entity"))?;
    let e = match &found {
        Found::Subject(e) | Found::Listing(e) => e,
    };
    let snap = state.index.load();
    let seen = seen(&state, &snap, &[e]).await?;
    let (entity, prop, other) = adjacency(&found, seen.get(&e.id), &today());
    Ok(axum::Json(AdjacentResponse {
        entity,
        adjacent: BTreeMap::from([(prop, paged(other, limit, offset))]),
    }))
}

/// The entities adjacent to an entity through one property.
#[utoipa::path(get, path = "/entities/{id}/adjacent/{property}", tag = "ecosystem", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entity id (or a listing's id)"),
           ("property" = String, Path, description = "`sanctions` (of an entity) or `entity` (of a listing)"),
           ("limit" = Option<usize>, Query, description = "Adjacent entities per page (default 10, at most 500)"),
           ("offset" = Option<usize>, Query, description = "Adjacent entities skipped (at most 9499)"),
           ("sort" = Option<Vec<String>>, Query, description = "Accepted; each property has one adjacent entity")),
    responses(
        (status = 200, description = "One page of the adjacent entities", body = AdjacentResults),
        (status = 403, description = "Not an analyst, contact point or officer", body = Problem),
        (status = 404, description = "No such entity visible to the caller, or no adjacent entities through that property", body = Problem),
        (status = 422, description = "A parameter has an unusable value", body = Problem)))]
pub(super) async fn adjacent_by_property(
    State(state): State<AppState>,
    p: Principal,
    Path((id, property)): Path<(String, String)>,
    uri: Uri,
) -> Result<axum::Json<AdjacentResults>, ApiError> {
    p.require(ENTITY_VIEW_ROLES)?;
    let mut params = RawParams::from_uri(&uri)?;
    let (limit, offset) = page(&mut params)?;
    params.finish()?;
    let found = resolve(&state, &p, &id).await?;
    audit_view(&state, &p, &id, found.is_some(), "adjacent");
    let found = found.ok_or_else(|| ApiError::not_found("such entity"))?;
    let e = match &found {
        Found::Subject(e) | Found::Listing(e) => e,
    };
    let snap = state.index.load();
    let seen = seen(&state, &snap, &[e]).await?;
    let (_, prop, other) = adjacency(&found, seen.get(&e.id), &today());
    if prop != property {
        return Err(ApiError::not_found(&format!(
            "adjacent entities through {property:?} (this entity has them through {prop:?})"
        )));
    }
    Ok(axum::Json(paged(other, limit, offset)))
}

// ---------------------------------------------------------------- /statements

/// Why `/statements` is refused.
pub const STATEMENTS_REFUSED: &str = "this node does not serve statements: it keeps each entity \
     as whole versions (with who changed what and why), not as per-value statements from \
     several sources, so there is no statement to give. An entity's history is at \
     GET /v1/entries/{id}/history (national entries) and its times in first_seen, last_seen \
     and last_change. (yente does not serve /statements either: only the OpenSanctions API does.)";

/// yente's statement API: refused (404, as yente answers it), with the
/// reason in the problem.
#[utoipa::path(get, path = "/statements", tag = "ecosystem", security(("bearer" = [])),
    params(("dataset" = Option<String>, Query, description = "Ignored: the route is refused"),
           ("entity_id" = Option<String>, Query, description = "Ignored: the route is refused"),
           ("canonical_id" = Option<String>, Query, description = "Ignored: the route is refused")),
    responses(
        (status = 403, description = "Not an analyst, contact point or officer", body = Problem),
        (status = 404, description = "Always: statements are not served, and the problem says why", body = Problem)))]
pub(super) async fn statements(p: Principal) -> ApiError {
    match p.require(ENTITY_VIEW_ROLES) {
        Err(e) => e,
        Ok(()) => ApiError::new(StatusCode::NOT_FOUND, "not-supported", STATEMENTS_REFUSED),
    }
}
