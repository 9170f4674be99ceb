//! Screening one traveller or a manifest (border crossings).

use axum::extract::State;
use axum::http::HeaderMap;
use tansiq_store::Role;

use crate::auth::Principal;
use crate::dto::*;
use crate::error::{JsonBody, Problem};
use crate::{ApiError, AppState};

pub(crate) const SCREEN_ROLES: &[Role] = &[Role::Officer, Role::Analyst];

/// Screen one traveller (a border crossing).
///
/// Screens a name, an MRZ or structured identity fields against every list the caller's agency may
/// use, and asks hit/no-hit partners. Answers the band, the ranked matches with explanations and
/// the action on hit. Recorded as a crossing: a match at or above the possible band raises a hit
/// for review, and the screening is audited.
#[utoipa::path(post, path = "/v1/screen", tag = "screening", security(("bearer" = [])),
    request_body = ScreenRequest,
    responses(
        (status = 200, description = "Band, ranked matches with explanations, list versions", body = ScreenResponse),
        (status = 400, description = "Malformed JSON, wrong type or unknown field", body = Problem),
        (status = 401, description = "No valid key", body = Problem),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 422, description = "A field has an unusable value", body = Problem),
        (status = 429, description = "Rate limit", body = Problem)))]
pub(crate) async fn screen(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    JsonBody(req): JsonBody<ScreenRequest>,
) -> Result<axum::Json<ScreenResponse>, ApiError> {
    p.require(SCREEN_ROLES)?;
    let mut answer = crate::screening::screen_request(&state, &p, &req).await?;
    word_in(&headers, answer.matches.iter_mut());
    Ok(axum::Json(answer))
}

/// Words the matches' plain-language reasons in the language the request
/// accepts (they are English otherwise).
fn word_in<'a>(headers: &HeaderMap, matches: impl Iterator<Item = &'a mut MatchDto>) {
    let lang = crate::console::i18n::accepted(headers);
    if lang != tansiq_i18n::Lang::En {
        matches.for_each(|m| m.word_in(lang));
    }
}

/// Screen a passenger manifest.
///
/// A UN/EDIFACT PAXLST interchange or a CSV manifest, detected from the body. Every traveller is
/// screened as a crossing (hits raised, partners asked, audited); parser diagnostics say which
/// segments or lines were not understood.
#[utoipa::path(post, path = "/v1/screen/manifest", tag = "screening", security(("bearer" = [])),
    request_body(content = String, description = "A UN/EDIFACT PAXLST interchange or a CSV manifest (MANIFEST-CSV.md); the format is detected", content_type = "text/plain"),
    responses(
        (status = 200, description = "One result per traveller, parser diagnostics, list versions", body = ManifestResponse),
        (status = 403, description = "Not an officer or analyst", body = Problem),
        (status = 413, description = "Body too large", body = Problem),
        (status = 422, description = "Not a manifest, or too many travellers", body = Problem)))]
pub(crate) async fn screen_manifest(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<ManifestResponse>, ApiError> {
    p.require(SCREEN_ROLES)?;
    let mut answer = crate::screening::screen_manifest(&state, &p, &body).await?;
    word_in(
        &headers,
        answer.results.iter_mut().flat_map(|r| r.matches.iter_mut()),
    );
    Ok(axum::Json(answer))
}
