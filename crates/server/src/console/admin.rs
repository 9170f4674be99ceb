//! The administrator's page: users (create with roles and a first
//! password) and API keys (the token shown once, on the answer page only).

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tansiq_store::Role;

use super::api;
use super::pages::{self, Nav};
use super::session::{self, Session};
use crate::AppState;
use crate::dto::{KeyInput, UserInput};

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Admin) {
        return r;
    }
    render(&state, &s, html! {}).await
}

async fn render(state: &AppState, s: &Session, top: Markup) -> Response {
    let l = s.lang;
    let users = api::users(state, &s.principal).await;
    // Agencies are a node administrator's: for anyone else the API
    // refuses, and the section is left out.
    let agencies = api::agencies(state, &s.principal).await.ok();
    let body = html! {
        (top)
        @if let Some(list) = &agencies {
            section aria-labelledby="agencies-title" {
                h2 #agencies-title { (l.t("agencies")) }
                table.agencies {
                    thead { tr {
                        th scope="col" { (l.t("agency-id")) }
                        th scope="col" { (l.t("field-name")) }
                        th scope="col" { (l.t("agency-created")) }
                    } }
                    tbody {
                        @for a in &list.agencies {
                            tr { td { code { (a.id) } } td { bdi { (a.name) } } td { (pages::time(&a.created_at)) } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (l.t("users")) }
            @match &users {
                Err(e) => (pages::api_error(l, e)),
                Ok(list) => table {
                    thead { tr {
                        th scope="col" { (l.t("user-id")) }
                        th scope="col" { (l.t("field-name")) }
                        th scope="col" { (l.t("agency")) }
                        th scope="col" { (l.t("roles")) }
                        th scope="col" { (l.t("active")) }
                        th scope="col" { (l.t("totp-title")) }
                    } }
                    tbody {
                        @for u in &list.users {
                            tr {
                                td { code { (u.id) } }
                                td { bdi { (u.name) } }
                                td { (u.agency) }
                                td { (u.roles.iter().map(|r| role_name(l, r)).collect::<Vec<_>>().join(", ")) }
                                td { (l.t(if u.active { "yes" } else { "no" })) }
                                td {
                                    @if u.second_factor == Some(true) {
                                        (l.t("totp-on"))
                                        form.inline method="post" action={ "/console/admin/users/" (u.id) "/reset-totp" } {
                                            (pages::csrf_field(s))
                                            button.linkish type="submit" aria-label=(l.ta("totp-reset-for", &[("user", u.id.clone())])) {
                                                (l.t("totp-reset"))
                                            }
                                        }
                                    } @else {
                                        (l.t("totp-off"))
                                    }
                                }
                            }
                        }
                    }
                },
            }
        }
        section {
            h2 { (l.t("user-new")) }
            form method="post" action="/console/admin/users" {
                (pages::csrf_field(s))
                div.grid {
                    div { label for="uid" { (l.t("user-id")) } input #uid name="id" type="text" required dir="ltr" pattern="[A-Za-z0-9._-]{1,64}"; }
                    div { label for="uname" { (l.t("field-name")) } input #uname name="name" type="text" required dir="auto"; }
                    div { label for="uagency" { (l.t("agency")) } input #uagency name="agency" type="text" required dir="ltr" value=(s.user().agency_id); }
                    div { label for="upw" { (l.t("password")) } input #upw name="password" type="password" required autocomplete="new-password" minlength=(session::MIN_PASSWORD_CHARS); }
                }
                fieldset {
                    legend { (l.t("roles")) }
                    @for r in Role::ALL {
                        label.check { input type="checkbox" name="roles" value=(r.as_str()); " " (role_name(l, r.as_str())) }
                    }
                }
                button.primary type="submit" { (l.t("create")) }
            }
        }
        section {
            h2 { (l.t("key-new")) }
            form method="post" action="/console/admin/keys" {
                (pages::csrf_field(s))
                div.grid {
                    div {
                        label for="kuser" { (l.t("user-id")) }
                        select #kuser name="user" {
                            @if let Ok(list) = &users { @for u in &list.users { option value=(u.id) { (u.id) } } }
                        }
                    }
                    div { label for="klabel" { (l.t("key-label")) } input #klabel name="label" type="text"; }
                    div { label for="kdays" { (l.t("key-days")) } input #kdays name="days" type="number" min="1" value="90"; }
                }
                button.primary type="submit" { (l.t("key-create")) }
            }
        }
    };
    pages::page(s, Nav::Admin, &l.t("admin-title"), body)
}

/// A role in words (the API's name for one this console does not know).
pub(super) fn role_name(l: super::i18n::Lang, role: &str) -> String {
    match role {
        "officer" => l.t("role-officer"),
        "analyst" => l.t("role-analyst"),
        "contact-point" => l.t("role-contact-point"),
        "admin" => l.t("role-admin"),
        "auditor" => l.t("role-auditor"),
        "node-admin" => l.t("role-node-admin"),
        "node-auditor" => l.t("role-node-auditor"),
        other => other.to_string(),
    }
}

/// The new-user form. `roles` repeats (one per ticked box), which
/// `serde_urlencoded` cannot gather, so the form is read as pairs.
pub async fn create_user(
    State(state): State<AppState>,
    s: Session,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if let Some(r) = s.check_csrf(&get("csrf")) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Admin) {
        return r;
    }
    let l = s.lang;
    let input = UserInput {
        id: get("id").trim().to_string(),
        agency: get("agency").trim().to_string(),
        name: get("name"),
        roles: pairs
            .iter()
            .filter(|(n, _)| n == "roles")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let password = get("password");
    let n = password.chars().count();
    if !(session::MIN_PASSWORD_CHARS..=session::MAX_PASSWORD_CHARS).contains(&n) {
        let msg = l.ta(
            "password-length",
            &[("min", session::MIN_PASSWORD_CHARS.to_string())],
        );
        return render(&state, &s, pages::notice("error", &msg)).await;
    }
    let top = match api::create_user(&state, &s.principal, input).await {
        Err(e) => pages::api_error(l, &e),
        Ok(u) => match session::set_password(&state.store, &u.id, &password).await {
            Ok(()) => {
                state.audit.record(s.principal.event(
                    "user.password",
                    Some(u.id.clone()),
                    "ok",
                    serde_json::json!({}),
                ));
                pages::notice("ok", &l.ta("user-created", &[("id", u.id)]))
            }
            Err(_) => pages::notice("error", &l.t("failed")),
        },
    };
    render(&state, &s, top).await
}

#[derive(Debug, Default, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub days: Option<u32>,
}

pub async fn create_key(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<KeyForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Admin) {
        return r;
    }
    let l = s.lang;
    let input = KeyInput {
        label: f.label,
        expires_in_days: f.days,
    };
    let top = match api::create_key(&state, &s.principal, &f.user, input).await {
        Err(e) => pages::api_error(l, &e),
        Ok(k) => html! {
            div.notice.ok role="status" {
                p { (l.ta("key-created", &[("user", f.user.clone())])) }
                p { strong { (l.t("key-shown-once")) } }
                p { code.token dir="ltr" { (k.token) } }
            }
        },
    };
    render(&state, &s, top).await
}

/// An administrator resets a user's second factor (through the API's
/// own route, so the same rule of who administers whom applies).
pub async fn reset_totp(
    State(state): State<AppState>,
    s: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(f): Form<super::account::CsrfForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Admin) {
        return r;
    }
    let l = s.lang;
    let top = match api::reset_second_factor(&state, &s.principal, &id).await {
        Err(e) => pages::api_error(l, &e),
        Ok(r) if r.had_second_factor => {
            pages::notice("ok", &l.ta("totp-reset-done", &[("user", r.user)]))
        }
        Ok(r) => pages::notice("info", &l.ta("totp-reset-none", &[("user", r.user)])),
    };
    render(&state, &s, top).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_words() {
        for l in super::super::i18n::Lang::ALL {
            for r in Role::ALL {
                assert_ne!(role_name(l, r.as_str()), r.as_str(), "{r:?} in {l:?}");
            }
        }
    }
}
