//! The auditor's page: search the audit log (actor, action, subject,
//! period) and verify the hash chain, and the node's last signed
//! checkpoint against it, from the page.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tansiq_store::AuditHead;

use super::api;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::ops::AuditParams;

/// Events read from the API per search (its largest page).
const SEARCH_PAGE: i64 = 1000;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

fn opt(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

pub async fn search(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<AuditQuery>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Audit) {
        return r;
    }
    render(&state, &s, &q, html! {}).await
}

async fn render(state: &AppState, s: &Session, q: &AuditQuery, top: Markup) -> Response {
    let l = s.lang;
    let params = AuditParams {
        from: opt(&q.from),
        to: opt(&q.to),
        after: None,
        limit: Some(SEARCH_PAGE),
    };
    let result = api::audit_events(state, &s.principal, params).await;
    let contains = |field: &str, want: &str| want.trim().is_empty() || field.contains(want.trim());
    let body = html! {
        (top)
        form method="post" action="/console/audit/verify" {
            (pages::csrf_field(s))
            button.primary type="submit" { (l.t("verify-chain")) }
        }
        form.filters method="get" action="/console/audit" {
            div.grid {
                @for (id, key, value) in [("actor", "audit-actor", &q.actor), ("action", "audit-action", &q.action),
                                          ("subject", "audit-subject", &q.subject), ("from", "audit-from", &q.from),
                                          ("to", "audit-to", &q.to)] {
                    div { label for=(id) { (l.t(key)) } input id=(id) name=(id) type="text" value=(value) dir="ltr"; }
                }
            }
            button type="submit" { (l.t("search")) }
        }
        @match &result {
            Err(e) => (pages::api_error(l, e)),
            Ok(page) => {
                @let shown: Vec<_> = page.events.iter().filter(|e| contains(&e.actor, &q.actor)
                    && contains(&e.action, &q.action)
                    && contains(e.subject.as_deref().unwrap_or(""), &q.subject)).collect();
                table.audit {
                    caption { (l.ta("audit-count", &[("n", shown.len().to_string())])) }
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { (l.t("audit-at")) }
                        th scope="col" { (l.t("audit-actor")) }
                        th scope="col" { (l.t("audit-action")) }
                        th scope="col" { (l.t("audit-subject")) }
                        th scope="col" { (l.t("audit-outcome")) }
                    } }
                    tbody dir="ltr" {
                        @for e in shown {
                            tr {
                                td { (e.seq) }
                                td { (pages::time(&e.at)) }
                                td { bdi { (e.actor) } }
                                td { code { (e.action) } }
                                td { (e.subject.clone().unwrap_or_default()) }
                                td { (e.facts.get("outcome").and_then(|o| o.as_str()).unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    pages::page(s, Nav::Audit, &l.t("audit-title"), body)
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn verify(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<VerifyForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Audit) {
        return r;
    }
    let l = s.lang;
    let chain = state.store.verify_audit().await;
    // The last checkpoint the node signed (kept outside the database): the
    // chain must still hold it, or its tail was cut or rewritten.
    let checkpoint = std::fs::read_to_string(&state.config.audit.checkpoint_file)
        .ok()
        .and_then(|t| tansiq_trust::SignedCheckpoint::from_json(&t).ok());
    let against = match &checkpoint {
        Some(cp) => {
            let signed = cp.verify(&state.identity.public_keys()).is_ok();
            let head = AuditHead {
                seq: cp.checkpoint.seq,
                hash: cp.checkpoint.hash.clone(),
            };
            Some((
                cp.checkpoint.seq,
                signed,
                state.store.verify_audit_against(&head).await,
            ))
        }
        None => None,
    };
    // The records are checked against the events only once the events
    // themselves are proven unchanged, and only those of the events this
    // auditor may read.
    let view = crate::ops::AuditView::of(&state, &s.principal);
    let records = match &chain {
        Ok(_) => {
            Some(crate::review::verify_screening_records(&state.store, &|r| view.in_scope(r)).await)
        }
        Err(_) => None,
    };
    let ok = chain.is_ok()
        && against
            .as_ref()
            .is_none_or(|(_, signed, r)| *signed && r.is_ok())
        && records
            .as_ref()
            .is_some_and(|r| r.as_ref().is_ok_and(|r| r.altered.is_empty()));
    state.audit.record(s.principal.event(
        "audit.verify",
        None,
        if ok { "ok" } else { "failed" },
        serde_json::json!({
            "events": chain.as_ref().ok(),
            "checkpoint": against.as_ref().map(|a| a.0),
            "records_altered": records.as_ref().and_then(|r| r.as_ref().ok()).map(|r| r.altered.len()),
        }),
    ));
    let top = html! {
        @match &chain {
            Ok(n) => (pages::notice("ok", &l.ta("chain-ok", &[("n", n.to_string())]))),
            Err(e) => (pages::notice("error", &format!("{} {e}", l.t("chain-broken")))),
        }
        @match &against {
            None => (pages::notice("info", &l.t("checkpoint-none"))),
            Some((seq, true, Ok(_))) => (pages::notice("ok", &l.ta("checkpoint-ok", &[("seq", seq.to_string())]))),
            Some((seq, _, _)) => (pages::notice("error", &l.ta("checkpoint-bad", &[("seq", seq.to_string())]))),
        }
        @match &records {
            None => {}
            Some(Err(e)) => (pages::notice("error", &e.to_string())),
            Some(Ok(r)) => {
                @for a in &r.altered {
                    (pages::notice("error", &l.ta("records-altered", &[("screening", a.screening.clone()), ("seq", a.seq.to_string())])))
                }
                (pages::notice(
                    if r.altered.is_empty() { "ok" } else { "error" },
                    &l.ta("records-ok", &[("intact", r.intact.to_string()), ("absent", r.absent.to_string())]),
                ))
            }
        }
    };
    render(&state, &s, &AuditQuery::default(), top).await
}
