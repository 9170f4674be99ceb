//! Notifications to the contact point's agency (`GET /v1/notifications`):
//! another agency's analyst confirmed a hit on one of our entries. Each
//! says which entry, who confirmed it, where and when the traveller was
//! screened, and the action the entry asks for.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::review::NotificationDto;

/// Notifications shown at most, newest first.
const LIMIT: i64 = 200;

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Notifications) {
        return r;
    }
    let l = s.lang;
    let body = match api::notifications(&state, &s.principal, LIMIT).await {
        Err(e) => pages::api_error(l, &e),
        Ok(list) if list.notifications.is_empty() => html! { p { (l.t("notifications-none")) } },
        Ok(list) => html! {
            ol.notifications {
                @for n in &list.notifications { li { (one(l, n)) } }
            }
        },
    };
    pages::page(&s, Nav::Notifications, &l.t("notifications-title"), body)
}

fn one(l: Lang, n: &NotificationDto) -> Markup {
    let text = |k: &str| n.detail.get(k).and_then(Value::as_str).map(str::to_string);
    html! {
        article.notification {
            h2 {
                @match n.kind.as_str() {
                    "hit.confirmed" => (l.t("notification-confirmed")),
                    other => (other),
                }
                " · " bdi { (text("caption").unwrap_or_else(|| n.entity_id.clone())) }
            }
            dl {
                dt { (l.t("notification-at")) } dd { (pages::time(&n.at)) }
                dt { (l.t("notification-from")) }
                dd { code { (n.from_agency) } @if let Some(by) = text("confirmed_by") { " · " bdi { (by) } } }
                @if let Some(band) = text("band") { dt { (l.t("band")) } dd { (pages::band(l, &band)) } }
                @if let Some(t) = text("screened_at") { dt { (l.t("screened-at")) } dd { (pages::time(&t)) } }
                @if let Some(post) = text("border_post") { dt { (l.t("field-border-post")) } dd { bdi { (post) } } }
                @if let Some(a) = text("action_on_hit") {
                    dt { (l.t("action-on-hit")) } dd { (super::screen::action(l, Some(&a))) }
                }
                dt { (l.t("listed-entry")) }
                dd { code { (n.entity_id) }
                    @if let Some(v) = n.detail.get("entity_version").and_then(Value::as_i64) {
                        " · " (l.ta("entry-version", &[("n", v.to_string())]))
                    } }
            }
        }
    }
}
