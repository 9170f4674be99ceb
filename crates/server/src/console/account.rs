//! The person's own account: who they are to the node (user, agency,
//! roles) and their optional second factor (TOTP, `totp.rs`).
//!
//! Enrolment is the person's own act, in two steps: a new secret is made
//! and shown **once** (on the answer to the enrolment form only: as text,
//! as an `otpauth://` URI and as a QR code drawn by the node as inline
//! SVG), then it takes effect only when a valid code from the app is
//! typed back. Until then it is pending and sign-in does not ask for it.
//! A confirmed second factor is never replaced from here: a lost phone is
//! an administrator's reset (the admin page, `DELETE
//! /v1/users/{id}/second-factor`, `tansiq admin reset-totp`). Every step
//! is audited: `console.totp.enrol`, `console.totp.confirm`.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tansiq_store::{StoreError, TotpRecord};
use time::OffsetDateTime;

use super::admin::role_name;
use super::pages::{self, Nav};
use super::session::Session;
use super::totp;
use crate::AppState;

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    let record = state.store.totp(&s.user().id).await;
    match record {
        Ok(r) => render(&s, r.as_ref(), html! {}),
        Err(_) => failed(&s),
    }
}

fn failed(s: &Session) -> Response {
    let mut r = render(s, None, pages::notice("error", &s.lang.t("failed")));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r
}

fn render(s: &Session, t: Option<&TotpRecord>, top: Markup) -> Response {
    render_with(s, t, top, false)
}

/// The page; `enrolling`: an enrolment is shown above and awaits its code
/// (so no second "set up" button).
fn render_with(s: &Session, t: Option<&TotpRecord>, top: Markup, enrolling: bool) -> Response {
    let l = s.lang;
    let u = s.user();
    let body = html! {
        (top)
        dl.account {
            dt { (l.t("user-id")) } dd { code { (u.id) } }
            dt { (l.t("field-name")) } dd { bdi { (u.name) } }
            dt { (l.t("agency")) } dd { code { (u.agency_id) } }
            dt { (l.t("roles")) }
            dd { (u.roles.iter().map(|r| role_name(l, r.as_str())).collect::<Vec<_>>().join(&l.t("list-separator"))) }
        }
        section aria-labelledby="totp-title" {
            h2 #totp-title { (l.t("totp-title")) }
            p { (l.t("totp-explain")) }
            @match t {
                Some(t) if t.confirmed() => {
                    p.totp-state {
                        span.ok { (l.t("totp-on")) }
                        @if let Some(at) = t.confirmed_at {
                            " " (l.ta("totp-on-since", &[("a", pages::isolate(&pages::when(&crate::dto::rfc3339(at))))]))
                        }
                    }
                    p.hint { (l.t("totp-lost")) }
                }
                _ if enrolling => {
                    p.totp-state { span.bad { (l.t("totp-off")) } " " (l.t("totp-pending")) }
                }
                _ => {
                    p.totp-state { span.bad { (l.t("totp-off")) } }
                    form method="post" action="/console/account/totp" {
                        (pages::csrf_field(s))
                        button.primary type="submit" { (l.t("totp-enrol")) }
                    }
                }
            }
        }
    };
    pages::page(s, Nav::Account, &l.t("account-title"), body)
}

/// The secret shown once, with the form that confirms it.
fn enrolment(state: &AppState, s: &Session, secret: &str) -> Markup {
    let l = s.lang;
    let generator = totp::generator(secret, state.identity.node(), &s.user().id);
    let uri = generator.as_ref().map(totp::uri).unwrap_or_default();
    let qr = totp::qr_svg(&uri, &l.t("totp-qr-label"));
    html! {
        section.enrol aria-labelledby="enrol-title" {
            h2 #enrol-title { (l.t("totp-enrol-title")) }
            p { strong { (l.t("totp-shown-once")) } }
            ol.steps {
                li {
                    (l.t("totp-step-scan"))
                    @if let Some(svg) = qr { div.qr-box { (pages::svg(svg)) } }
                }
                li {
                    (l.t("totp-step-type"))
                    p { code.token.secret dir="ltr" { (totp::grouped(secret)) } }
                    details {
                        summary { (l.t("totp-uri")) " " code dir="ltr" { "otpauth://" } }
                        p { code.token dir="ltr" { (uri) } }
                    }
                }
                li { (confirm_form(s)) }
            }
        }
    }
}

fn confirm_form(s: &Session) -> Markup {
    let l = s.lang;
    html! {
        form.confirm method="post" action="/console/account/totp/confirm" {
            (pages::csrf_field(s))
            label for="code" { (l.t("totp-step-confirm")) }
            input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                pattern="[0-9 ]{6,7}" maxlength="7" required dir="ltr";
            " "
            button.primary type="submit" { (l.t("totp-confirm")) }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Starts (or restarts) an enrolment: a new secret, pending.
pub async fn enrol(State(state): State<AppState>, s: Session, Form(f): Form<CsrfForm>) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let l = s.lang;
    let secret = totp::new_secret();
    match state.store.begin_totp(&s.user().id, &secret).await {
        Ok(t) => {
            state.audit.record(s.principal.event(
                "console.totp.enrol",
                Some(s.user().id.clone()),
                "ok",
                serde_json::json!({}),
            ));
            render_with(&s, Some(&t), enrolment(&state, &s, &secret), true)
        }
        Err(StoreError::Conflict(_)) => {
            state.audit.record(s.principal.event(
                "console.totp.enrol",
                Some(s.user().id.clone()),
                "denied",
                serde_json::json!({ "reason": "a confirmed second factor exists" }),
            ));
            let t = state.store.totp(&s.user().id).await.ok().flatten();
            render(&s, t.as_ref(), pages::notice("error", &l.t("totp-exists")))
        }
        Err(_) => failed(&s),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
}

/// Confirms a pending enrolment with a code from the app.
pub async fn confirm(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<ConfirmForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let l = s.lang;
    let user = s.user().id.clone();
    let audit = |outcome: &'static str, reason: &str| {
        state.audit.record(s.principal.event(
            "console.totp.confirm",
            Some(user.clone()),
            outcome,
            serde_json::json!({ "reason": reason }),
        ));
    };
    let t = match state.store.totp(&user).await {
        Ok(Some(t)) if !t.confirmed() => t,
        Ok(t) => {
            audit("denied", "no enrolment pending");
            return render(
                &s,
                t.as_ref(),
                pages::notice("error", &l.t("totp-none-pending")),
            );
        }
        Err(_) => return failed(&s),
    };
    let now = u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0);
    let step = totp::generator(&t.secret, state.identity.node(), &user)
        .and_then(|g| totp::step_of(&g, &f.code, now));
    let Some(step) = step else {
        audit("denied", "wrong code");
        let top = html! {
            (pages::notice("error", &l.t("totp-confirm-wrong")))
            (confirm_form(&s))
        };
        let mut r = render_with(&s, Some(&t), top, true);
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return r;
    };
    match state.store.confirm_totp(&user, step).await {
        Ok(true) => {
            audit("ok", "code accepted");
            let t = state.store.totp(&user).await.ok().flatten();
            render(&s, t.as_ref(), pages::notice("ok", &l.t("totp-confirmed")))
        }
        Ok(false) => {
            audit("denied", "no enrolment pending");
            let t = state.store.totp(&user).await.ok().flatten();
            render(
                &s,
                t.as_ref(),
                pages::notice("error", &l.t("totp-none-pending")),
            )
        }
        Err(_) => failed(&s),
    }
}
