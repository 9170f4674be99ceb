//! The analyst's hit queue (filters by state, band, list, age; each hit's
//! age against the review target) and a hit's page: the traveller as
//! screened, the listed entry, the explanation, the history, and the
//! review actions. Every action posts the version the page was read at
//! and is applied with `If-Match`: a hit changed meanwhile is refused
//! (409) and the page says so.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::api::{self, Review};
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::review::HitParams;

/// How long a hit may wait for review before the queue flags it.
pub const REVIEW_TARGET_HOURS: i64 = 4;

/// The queue's filters as the form sends them (empty = any).
#[derive(Debug, Default, Deserialize)]
pub struct QueueFilter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub band: String,
    #[serde(default)]
    pub list: String,
    #[serde(default)]
    pub older_than_hours: String,
}

fn nonempty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

fn age(l: super::i18n::Lang, seconds: i64) -> String {
    let h = seconds / 3600;
    let m = (seconds % 3600) / 60;
    l.ta("age", &[("h", h.to_string()), ("m", m.to_string())])
}

pub async fn queue(
    State(state): State<AppState>,
    s: Session,
    Query(f): Query<QueueFilter>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Hits) {
        return r;
    }
    let l = s.lang;
    let params = HitParams {
        state: Some(nonempty(&f.state).unwrap_or_else(|| "open".into())),
        band: nonempty(&f.band),
        post: None,
        list: nonempty(&f.list),
        assignee: None,
        older_than_hours: nonempty(&f.older_than_hours).and_then(|h| h.parse().ok()),
        limit: Some(500),
    };
    let chosen = params.state.clone().unwrap_or_default();
    let result = api::hits(&state, &s.principal, params).await;
    let opt = |value: &str, current: &str, key: &str| {
        html! { option value=(value) selected[value == current] { (l.t(key)) } }
    };
    let body = html! {
        form.filters method="get" action="/console/hits" {
            div.grid {
                div {
                    label for="state" { (l.t("hit-state")) }
                    select #state name="state" {
                        (opt("open", &chosen, "state-open"))
                        (opt("confirmed", &chosen, "state-confirmed"))
                        (opt("dismissed", &chosen, "state-dismissed"))
                        (opt("closed", &chosen, "state-closed"))
                        (opt("any", &chosen, "state-any"))
                    }
                }
                div {
                    label for="band" { (l.t("band")) }
                    select #band name="band" {
                        (opt("", &f.band, "any"))
                        (opt("strong", &f.band, "band-strong"))
                        (opt("possible", &f.band, "band-possible"))
                    }
                }
                div {
                    label for="list" { (l.t("list")) }
                    input #list name="list" type="text" value=(f.list) dir="ltr";
                }
                div {
                    label for="older" { (l.t("older-than-hours")) }
                    input #older name="older_than_hours" type="number" min="0" value=(f.older_than_hours);
                }
            }
            button type="submit" { (l.t("filter")) }
        }
        p { a href="/console/suppressions" { (l.t("suppressions-title")) } }
        @match result {
            Err(e) => (pages::api_error(l, &e)),
            Ok(list) if list.hits.is_empty() => p { (l.t("queue-empty")) },
            Ok(list) => {
                table.queue {
                    caption { (l.ta("hits-count", &[("n", list.hits.len().to_string())])) }
                    thead { tr {
                        th scope="col" { (l.t("hit")) }
                        th scope="col" { (l.t("band")) }
                        th scope="col" { (l.t("hit-state")) }
                        th scope="col" { (l.t("listed-entry")) }
                        th scope="col" { (l.t("origin")) }
                        th scope="col" { (l.t("age-col")) }
                    } }
                    tbody {
                        @for h in &list.hits {
                            @let late = h.state == "open" && h.age_seconds > REVIEW_TARGET_HOURS * 3600;
                            tr {
                                td { a href={ "/console/hits/" (h.id) } { code { (h.id.get(..13).unwrap_or(&h.id)) } } }
                                td { (pages::band(l, &h.band)) }
                                td { (l.t(&format!("state-{}", h.state))) }
                                td { bdi { (caption(&state, &h.entity_id)) } " · " (h.source) }
                                td { (l.t(if h.origin == "rescreen" { "origin-rescreen" } else { "origin-screening" })) }
                                td class=[late.then_some("late")] {
                                    (age(l, h.age_seconds))
                                    @if late { " " span.late-tag { (l.t("over-target")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    pages::page(&s, Nav::Hits, &l.t("hits-title"), body)
}

/// The listed entity's caption from the live index (an id when it left
/// the index, e.g. withdrawn since).
fn caption(state: &AppState, id: &str) -> String {
    state
        .index
        .load()
        .index
        .entity(id)
        .map(|e| e.caption())
        .unwrap_or_else(|| id.to_string())
}

#[derive(Debug, Default, Deserialize)]
pub struct HitQuery {
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

pub async fn one(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Query(q): Query<HitQuery>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Hits) {
        return r;
    }
    let l = s.lang;
    let detail = match api::hit(&state, &s.principal, &id).await {
        Ok(d) => d,
        Err(e) => return pages::page(&s, Nav::Hits, &l.t("hit"), pages::api_error(l, &e)),
    };
    let h = &detail.hit;
    let ctx = &detail.context;
    let traveller = ctx.get("query").cloned().unwrap_or_default();
    let field = |k: &str| -> String {
        match traveller.get(k) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .or_else(|| v.get("number").and_then(|n| n.as_str()).map(str::to_string))
                })
                .collect::<Vec<_>>()
                .join(", "),
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    };
    let entity = state.index.load().index.entity(&h.entity_id).cloned();
    let body = html! {
        @if let Some(done) = &q.done { (pages::notice("ok", &l.t(&format!("done-{done}")))) }
        @if let Some(err) = &q.error { (pages::notice("error", &l.t(&format!("error-{err}")))) }
        p { (pages::band(l, &h.band)) " · " (l.t(&format!("state-{}", h.state)))
            " · " (l.t("age-col")) ": " (age(l, h.age_seconds))
            @if let Some(a) = &h.assignee { " · " (l.t("assignee")) ": " bdi { (a) } } }
        div.columns {
            section {
                h2 { (l.t("traveller")) }
                dl {
                    dt { (l.t("field-name")) } dd { bdi { (field("names")) } }
                    dt { (l.t("field-birth-date")) } dd { (field("birth_dates")) }
                    dt { (l.t("field-nationality")) } dd { (super::countries::display_all(l, &field("nationalities").split(", ").filter(|v| !v.is_empty()).map(str::to_string).collect::<Vec<_>>())) }
                    @if let Some(d) = &h.document { dt { (l.t("field-document")) } dd { (pages::document(d)) } }
                    @if let Some(b) = &h.border_post { dt { (l.t("field-border-post")) } dd { bdi { (b) } } }
                    dt { (l.t("screened-at")) } dd { (pages::time(&h.screened_at)) " · " bdi { (h.screened_by) } }
                }
            }
            section {
                h2 { (l.t("listed-entry")) }
                @if let Some(e) = &entity {
                    dl {
                        dt { (l.t("listed-names")) }
                        dd { ul.names { @for n in e.get(tansiq_model::prop::NAME).iter().chain(e.get(tansiq_model::prop::ALIAS)) { li { bdi dir="auto" { (n) } } } } }
                        dt { (l.t("field-birth-date")) } dd { (e.get(tansiq_model::prop::BIRTH_DATE).join(", ")) }
                        dt { (l.t("field-nationality")) } dd { (super::countries::display_all(l, e.get(tansiq_model::prop::NATIONALITY))) }
                        dt { (l.t("action-on-hit")) } dd { (super::screen::action(l, e.action_on_hit.map(|a| a.as_str()))) }
                        dt { (l.t("list")) } dd { (h.source) " · " code { (h.entity_id) } }
                    }
                } @else {
                    p { code { (h.entity_id) } }
                }
            }
        }
        @if h.state != "closed" {
            section.actions {
                h2 { (l.t("review")) }
                @if h.state == "open" {
                    form method="post" action={ "/console/hits/" (h.id) "/assign" } {
                        (pages::csrf_field(&s)) input type="hidden" name="version" value=(h.version);
                        button type="submit" { (l.t("assign-to-me")) }
                    }
                    form method="post" action={ "/console/hits/" (h.id) "/confirm" } {
                        (pages::csrf_field(&s)) input type="hidden" name="version" value=(h.version);
                        label for="note" { (l.t("confirm-note")) }
                        input #note name="text" type="text";
                        button.danger type="submit" { (l.t("confirm")) }
                    }
                    form method="post" action={ "/console/hits/" (h.id) "/dismiss" } {
                        (pages::csrf_field(&s)) input type="hidden" name="version" value=(h.version);
                        label for="reason" { (l.t("dismiss-reason")) }
                        input #reason name="text" type="text" required;
                        button type="submit" { (l.t("dismiss")) }
                    }
                } @else {
                    form method="post" action={ "/console/hits/" (h.id) "/close" } {
                        (pages::csrf_field(&s)) input type="hidden" name="version" value=(h.version);
                        button type="submit" { (l.t("close")) }
                    }
                }
            }
        }
        section {
            h2 { (l.t("history")) }
            ol.history {
                @for e in &detail.events {
                    li { (pages::time(&e.at)) " · " bdi { (e.actor) } " · " (event_kind(l, &e.action))
                        @if let Some(n) = &e.note { " · " (event_note(l, &e.action, n)) } }
                }
            }
        }
        p { a href="/console/hits" { (l.t("back-to-queue")) } }
    };
    pages::page(&s, Nav::Hits, &l.t("hit"), body)
}

/// A history event's kind in words; a kind this console does not know
/// yet is shown as the API names it.
fn event_kind(l: super::i18n::Lang, action: &str) -> String {
    match action {
        "raised" => l.t("event-raised"),
        "assigned" => l.t("event-assigned"),
        "confirmed" => l.t("event-confirmed"),
        "dismissed" => l.t("event-dismissed"),
        "closed" => l.t("event-closed"),
        "comment" => l.t("event-comment"),
        other => other.to_string(),
    }
}

/// A history event's note: a raised hit's origin in words, anything else
/// (a reason, an assignee) as written.
fn event_note(l: super::i18n::Lang, action: &str, note: &str) -> maud::Markup {
    match (action, note) {
        ("raised", "screening") => html! { (l.t("origin-screening")) },
        ("raised", "rescreen") => html! { (l.t("origin-rescreen")) },
        _ => html! { bdi { (note) } },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub text: String,
}

pub async fn act(
    State(state): State<AppState>,
    s: Session,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Hits) {
        return r;
    }
    let text = f.text.trim().to_string();
    let review = match action.as_str() {
        "assign" => Review::Assign(Some(s.user().id.clone())),
        "confirm" => Review::Confirm((!text.is_empty()).then_some(text)),
        "dismiss" => Review::Dismiss(text),
        "close" => Review::Close,
        _ => return pages::forbidden(&s, Nav::Hits),
    };
    let to = match api::review(&state, &s.principal, &id, f.version, review).await {
        Ok(_) => format!("/console/hits/{id}?done={action}"),
        Err(e) if e.status.as_u16() == 409 => format!("/console/hits/{id}?error=stale"),
        Err(e) if e.status.as_u16() == 422 => format!("/console/hits/{id}?error=invalid"),
        Err(e) => {
            return pages::page(
                &s,
                Nav::Hits,
                &s.lang.t("hit"),
                pages::api_error(s.lang, &e),
            );
        }
    };
    Redirect::to(&to).into_response()
}
