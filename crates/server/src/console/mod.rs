//! The node's web console, for people: officers screen travellers,
//! analysts review hits, suppressions and flights (the flight report
//! printable), contact points keep national entries (create, edit at the
//! version read, history as a diff, bulk import from the national CSV
//! with a preview) and read their notifications, auditors search and
//! verify the audit log, administrators manage users and keys and read
//! agencies, the lists in force and their age, partners with their
//! agreements in words and the federation's state; a dashboard per
//! agency. In English, French and Arabic (right to left).
//!
//! Key design decision: **server-rendered HTML** (maud templates compiled
//! into the binary, one stylesheet and one small optional script served by
//! the node itself), so every core flow works with JavaScript off and
//! nothing is fetched from outside the node (border posts are often cut
//! off from the internet). The trade-off: each action is a full page
//! load, which at a few KB per page and a server answer in milliseconds
//! is not felt at a desk.
//!
//! **Architecture invariant:** the console is a client of the API's
//! authorisation, never a bypass. A person signs in with a password
//! (`session.rs`); the session resolves to the same [`crate::Principal`]
//! an API key of that user gives, and the pages do what they do by calling
//! the API's own handlers with it (`api.rs`): same role checks, same
//! agency filters, same audit events. The menu only hides what a role
//! cannot use; the handlers refuse it.
//!
//! Routes live under `/console/`; `/` redirects there.

mod account;
mod admin;
mod api;
mod audit;
mod countries;
mod dashboard;
mod entries;
mod entry;
mod flights;
mod hits;
pub mod i18n;
mod import;
mod notifications;
mod pages;
mod partners;
mod screen;
pub mod session;
mod sources;
mod suppressions;
pub mod totp;

use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;
use serde::Deserialize;

use crate::AppState;
use i18n::Lang;
use pages::Nav;
use session::{CodeError, Session, SignInError, SignedIn};

pub use session::set_password;

const CSS: &str = include_str!("../../console/console.css");
const JS: &str = include_str!("../../console/console.js");

/// The console's routes, merged into the node's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/") }))
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(home))
        .route("/console/assets/console.css", get(css))
        .route("/console/assets/console.js", get(js))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route(
            "/console/sign-in/code",
            get(sign_in_code_page).post(sign_in_code),
        )
        .route("/console/sign-out", post(sign_out))
        .route("/console/account", get(account::get))
        .route("/console/account/totp", post(account::enrol))
        .route("/console/account/totp/confirm", post(account::confirm))
        .route("/console/screen", get(screen::get).post(screen::post))
        .route("/console/hits", get(hits::queue))
        .route("/console/hits/{id}", get(hits::one))
        .route("/console/hits/{id}/{action}", post(hits::act))
        .route("/console/entries", get(entries::list).post(entries::create))
        .route(
            "/console/entries/import",
            get(import::get).post(import::post),
        )
        .route("/console/entries/{id}", get(entry::get).post(entry::post))
        .route("/console/entries/{id}/withdraw", post(entries::withdraw))
        .route("/console/audit", get(audit::search))
        .route("/console/audit/verify", post(audit::verify))
        .route("/console/admin", get(admin::get))
        .route("/console/admin/users", post(admin::create_user))
        .route("/console/admin/keys", post(admin::create_key))
        .route(
            "/console/admin/users/{id}/reset-totp",
            post(admin::reset_totp),
        )
        .route("/console/flights", get(flights::get).post(flights::post))
        .route("/console/dashboard", get(dashboard::get))
        .route("/console/sources", get(sources::get))
        .route("/console/partners", get(partners::get).post(partners::post))
        .route("/console/suppressions", get(suppressions::get))
        .route("/console/notifications", get(notifications::get))
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

/// The first section the person's roles allow.
async fn home(s: Session) -> Response {
    match Nav::ALL.into_iter().find(|n| n.allowed(&s)) {
        Some(n) => Redirect::to(n.href()).into_response(),
        None => pages::forbidden(&s, Nav::Screen),
    }
}

async fn sign_in_page(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let lang = i18n::negotiate(pages::lang_query(uri.query()).as_deref(), &headers);
    sign_in_form(lang, None, StatusCode::OK, "")
}

/// The sign-in form. Before a session exists its CSRF defence is the
/// `SameSite=Strict` cookie plus this: the form carries a random token
/// that is also set as a short-lived `SameSite=Strict` cookie, and the
/// post must bring both, equal (double submit), so another site cannot
/// sign a person in under its own account (login CSRF).
fn sign_in_form(lang: Lang, error: Option<&str>, status: StatusCode, user: &str) -> Response {
    let mut b = [0u8; 16];
    rand::fill(&mut b[..]);
    let token = crate::auth::hex(&b);
    let body = html! {
        h1 { (lang.t("sign-in-title")) }
        @if let Some(key) = error { (pages::notice("error", &lang.t(key))) }
        form.sign-in method="post" action="/console/sign-in" {
            input type="hidden" name="csrf" value=(token);
            div {
                label for="user" { (lang.t("user-name")) }
                input #user name="user" type="text" autocomplete="username" required autofocus value=(user) dir="ltr";
            }
            div {
                label for="password" { (lang.t("password")) }
                input #password name="password" type="password" autocomplete="current-password" required;
            }
            button.primary type="submit" { (lang.t("sign-in")) }
        }
    };
    let mut r = pages::html_response(
        status,
        pages::bare(lang, &lang.t("sign-in-title"), "/console/sign-in", body),
        lang,
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{PRE_CSRF_COOKIE}={token}; Path=/console/sign-in; HttpOnly; SameSite=Strict; Max-Age=3600"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The double-submit cookie of the sign-in form.
const PRE_CSRF_COOKIE: &str = "tansiq_signin";

#[derive(Debug, Default, Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    let lang = i18n::negotiate(None, &headers);
    let cookie = session::cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
    let same: bool = subtle::ConstantTimeEq::ct_eq(cookie.as_bytes(), f.csrf.as_bytes()).into();
    if f.csrf.is_empty() || !same {
        return pages::csrf_refused(lang);
    }
    match session::sign_in(&state, f.user.trim(), &f.password).await {
        Ok(SignedIn::Session(token)) => signed_in(&state, &token),
        Ok(SignedIn::CodeNeeded { token, csrf }) => {
            let mut r = code_form(lang, &csrf, None, StatusCode::OK);
            r.headers_mut().append(
                header::SET_COOKIE,
                session::challenge_cookie(&state, Some(&token)),
            );
            r
        }
        Err(SignInError::Wrong) => sign_in_form(
            lang,
            Some("sign-in-wrong"),
            StatusCode::UNAUTHORIZED,
            f.user.trim(),
        ),
        Err(SignInError::Locked) => sign_in_form(
            lang,
            Some("sign-in-locked"),
            StatusCode::TOO_MANY_REQUESTS,
            f.user.trim(),
        ),
    }
}

/// Where a completed sign-in goes, with its session cookie.
fn signed_in(state: &AppState, token: &str) -> Response {
    let mut r = Redirect::to("/console/").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        session::session_cookie(state, Some(token)),
    );
    r
}

/// The second step of a sign-in: the authenticator's code. The form
/// carries the challenge's own token (the challenge cookie is
/// `SameSite=Strict` and scoped to the sign-in pages).
fn code_form(lang: Lang, csrf: &str, error: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        h1 { (lang.t("code-title")) }
        @if let Some(key) = error { (pages::notice("error", &lang.t(key))) }
        p #code-hint { (lang.t("code-hint")) }
        form.sign-in method="post" action="/console/sign-in/code" {
            input type="hidden" name="csrf" value=(csrf);
            div {
                label for="code" { (lang.t("code-label")) }
                input #code name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    pattern="[0-9 ]{6,7}" maxlength="7" required autofocus dir="ltr" aria-describedby="code-hint";
            }
            button.primary type="submit" { (lang.t("code-submit")) }
        }
        p { a href="/console/sign-in" { (lang.t("code-start-again")) } }
    };
    pages::html_response(
        status,
        pages::bare(lang, &lang.t("code-title"), "/console/sign-in/code", body),
        lang,
    )
}

async fn sign_in_code_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let lang = i18n::negotiate(pages::lang_query(uri.query()).as_deref(), &headers);
    let token = session::cookie(&headers, session::CHALLENGE_COOKIE).unwrap_or_default();
    match session::challenge(&state, &token).await {
        Some(c) if !token.is_empty() => code_form(lang, &c.csrf, None, StatusCode::OK),
        _ => Redirect::to("/console/sign-in").into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn sign_in_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let lang = i18n::negotiate(None, &headers);
    let token = session::cookie(&headers, session::CHALLENGE_COOKIE).unwrap_or_default();
    let clear = |mut r: Response| {
        r.headers_mut()
            .append(header::SET_COOKIE, session::challenge_cookie(&state, None));
        r
    };
    match session::sign_in_code(&state, &token, &f.csrf, &f.code).await {
        Ok(session_token) => clear(signed_in(&state, &session_token)),
        Err(CodeError::Csrf) => pages::csrf_refused(lang),
        Err(CodeError::Wrong) => {
            code_form(lang, &f.csrf, Some("code-wrong"), StatusCode::UNAUTHORIZED)
        }
        Err(CodeError::Locked) => clear(sign_in_form(
            lang,
            Some("sign-in-locked"),
            StatusCode::TOO_MANY_REQUESTS,
            "",
        )),
        Err(CodeError::Expired) => clear(sign_in_form(
            lang,
            Some("code-expired"),
            StatusCode::UNAUTHORIZED,
            "",
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(State(state): State<AppState>, s: Session, Form(f): Form<CsrfOnly>) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    s.end(&state).await;
    let mut r = Redirect::to("/console/sign-in").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::session_cookie(&state, None));
    r
}
