//! Suppressions, for analysts: every dismissal of the agency's hits is a
//! suppression of one (document, listed entry version) pair, for this
//! agency only: the same document screened again is not stopped by that
//! entry while the entry stays at the version dismissed; a change to the
//! entry lifts it. Read from the agency's hits through the API
//! (`GET /v1/hits`), so the analyst sees exactly the hits the API shows.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::api;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::review::HitParams;

/// Hits read at most (the page says when it is cut).
const LIMIT: i64 = 500;

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Hits) {
        return r;
    }
    let l = s.lang;
    let params = HitParams {
        state: Some("any".into()),
        band: None,
        post: None,
        list: None,
        assignee: None,
        older_than_hours: None,
        limit: Some(LIMIT),
    };
    let result = api::hits(&state, &s.principal, params).await;
    let snap = state.index.load();
    let body = match result {
        Err(e) => pages::api_error(l, &e),
        Ok(list) => {
            let cut = list.hits.len() as i64 >= LIMIT;
            let dismissed: Vec<_> = list
                .hits
                .iter()
                .filter(|h| h.outcome.as_deref() == Some("dismissed"))
                .collect();
            html! {
                p.hint { (l.ta("suppression-scope", &[("a", s.principal.agency().to_string())])) }
                @if cut { p.notice.warn role="status" { (l.ta("suppressions-cut", &[("n", LIMIT.to_string())])) } }
                @if dismissed.is_empty() {
                    p { (l.t("suppressions-none")) }
                } @else {
                    table.suppressions {
                        caption { (l.ta("suppressions-count", &[("n", dismissed.len().to_string())])) }
                        thead { tr {
                            th scope="col" { (l.t("field-document")) }
                            th scope="col" { (l.t("listed-entry")) }
                            th scope="col" { (l.t("suppression-version")) }
                            th scope="col" { (l.t("dismiss-reason")) }
                            th scope="col" { (l.t("suppression-in-force")) }
                            th scope="col" { (l.t("hit")) }
                        } }
                        tbody {
                            @for h in &dismissed {
                                @let current = snap.version(&h.entity_id);
                                @let in_force = h.document.is_some() && current == Some(h.entity_version);
                                tr {
                                    td { code dir="ltr" { (h.document.as_deref().map(pages::document).unwrap_or_else(|| l.t("no-document"))) } }
                                    td { bdi { (snap.index.entity(&h.entity_id).map(|e| e.caption()).unwrap_or_else(|| h.entity_id.clone())) } " · " (h.source) }
                                    td { (h.entity_version)
                                        @if let Some(v) = current.filter(|v| *v != h.entity_version) {
                                            " " span.detail { (l.ta("suppression-now", &[("n", v.to_string())])) }
                                        } }
                                    td { bdi { (h.reason.clone().unwrap_or_default()) } }
                                    td class=[(!in_force).then_some("detail")] {
                                        (l.t(if in_force {
                                            "suppression-active"
                                        } else if h.document.is_none() {
                                            "suppression-no-document"
                                        } else {
                                            "suppression-lifted"
                                        }))
                                    }
                                    td { a href={ "/console/hits/" (h.id) } { code { (h.id.get(..13).unwrap_or(&h.id)) } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    pages::page(&s, Nav::Hits, &l.t("suppressions-title"), body)
}
