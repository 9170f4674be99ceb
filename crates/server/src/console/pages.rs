//! The page shell every console page shares (language, direction, menu by
//! role), and the small pieces pages have in common.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use tansiq_store::Role;

use super::i18n::{LANG_COOKIE, Lang};
use super::session::Session;

/// The console's sections, in menu order, with the roles that see each.
/// The menu hides what a role may not use; every handler checks again on
/// the server (the API handlers the console calls check role and agency
/// themselves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    Screen,
    Hits,
    Flights,
    Entries,
    Notifications,
    Sources,
    Audit,
    Admin,
    Partners,
    Dashboard,
    /// The person's own account (second factor): every role, reached from
    /// the name in the header rather than the menu.
    Account,
}

impl Nav {
    pub const ALL: [Nav; 10] = [
        Nav::Screen,
        Nav::Hits,
        Nav::Flights,
        Nav::Entries,
        Nav::Notifications,
        Nav::Sources,
        Nav::Audit,
        Nav::Admin,
        Nav::Partners,
        Nav::Dashboard,
    ];

    pub fn roles(self) -> &'static [Role] {
        match self {
            Nav::Screen | Nav::Flights => crate::routes::SCREEN_ROLES,
            Nav::Hits => &[Role::Analyst],
            Nav::Entries | Nav::Notifications => &[Role::ContactPoint],
            // As `GET /v1/sources` and `GET /v1/federation/status` allow.
            Nav::Sources => &[Role::NodeAdmin, Role::Analyst],
            Nav::Partners => &[Role::NodeAdmin, Role::NodeAuditor],
            Nav::Audit => &[Role::Auditor, Role::NodeAuditor],
            Nav::Admin => &[Role::Admin, Role::NodeAdmin],
            Nav::Dashboard => &[Role::Analyst, Role::Admin, Role::NodeAdmin],
            Nav::Account => &Role::ALL,
        }
    }

    pub fn href(self) -> &'static str {
        match self {
            Nav::Screen => "/console/screen",
            Nav::Hits => "/console/hits",
            Nav::Flights => "/console/flights",
            Nav::Entries => "/console/entries",
            Nav::Notifications => "/console/notifications",
            Nav::Sources => "/console/sources",
            Nav::Partners => "/console/partners",
            Nav::Audit => "/console/audit",
            Nav::Admin => "/console/admin",
            Nav::Dashboard => "/console/dashboard",
            Nav::Account => "/console/account",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Nav::Screen => "nav-screen",
            Nav::Hits => "nav-hits",
            Nav::Flights => "nav-flights",
            Nav::Entries => "nav-entries",
            Nav::Notifications => "nav-notifications",
            Nav::Sources => "nav-sources",
            Nav::Partners => "nav-partners",
            Nav::Audit => "nav-audit",
            Nav::Admin => "nav-admin",
            Nav::Dashboard => "nav-dashboard",
            Nav::Account => "nav-account",
        }
    }

    pub fn allowed(self, s: &Session) -> bool {
        self.roles().iter().any(|r| s.user().has(*r))
    }
}

/// The `lang` query parameter, when given.
pub fn lang_query(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| v.to_string())
}

/// An HTML response that no cache keeps (pages carry traveller data).
pub fn html_response(status: StatusCode, markup: Markup, lang: Lang) -> Response {
    let mut r = (status, Html(markup.into_string())).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The language chosen by `?lang=` is kept for the next pages.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000",
        lang.code()
    )) {
        h.append(header::SET_COOKIE, v);
    }
    r
}

fn head(lang: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (lang.t("app-name")) }
            link rel="stylesheet" href="/console/assets/console.css";
            script src="/console/assets/console.js" defer {}
        }
    }
}

fn languages(lang: Lang, here: &str) -> Markup {
    html! {
        nav.langs aria-label=(lang.t("language")) {
            ul {
                @for l in Lang::ALL {
                    li {
                        @if l == lang {
                            span aria-current="true" lang=(l.code()) { (l.own_name()) }
                        } @else {
                            a href={ (here) (if here.contains('?') { "&" } else { "?" }) "lang=" (l.code()) } lang=(l.code()) hreflang=(l.code()) { (l.own_name()) }
                        }
                    }
                }
            }
        }
    }
}

/// A page without a session (sign-in).
pub fn bare(lang: Lang, title: &str, here: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            (head(lang, title))
            body {
                header.top {
                    span.brand { (lang.t("app-name")) }
                    (languages(lang, here))
                }
                main #main { (body) }
            }
        }
    }
}

/// A page of a signed-in person: menu of what the role allows, who is
/// signed in, sign-out form.
pub fn page(s: &Session, current: Nav, title: &str, body: Markup) -> Response {
    page_at(s, current, current.href(), title, body)
}

/// [`page`] whose language links reload `here` (a path that shows the
/// same content again, e.g. an answer by its id) rather than the
/// section's start.
pub fn page_at(s: &Session, current: Nav, here: &str, title: &str, body: Markup) -> Response {
    let lang = s.lang;
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            (head(lang, title))
            body {
                a.skip href="#main" { (lang.t("skip-to-content")) }
                header.top {
                    span.brand { (lang.t("app-name")) }
                    nav.menu aria-label=(lang.t("menu")) {
                        ul {
                            @for n in Nav::ALL {
                                @if n.allowed(s) {
                                    li {
                                        a href=(n.href()) aria-current=[(n == current).then_some("page")] { (lang.t(n.key())) }
                                    }
                                }
                            }
                        }
                    }
                    div.who {
                        a.account href=(Nav::Account.href()) aria-current=[(current == Nav::Account).then_some("page")]
                            title=(lang.t(Nav::Account.key())) {
                            bdi { (s.user().name) } " · " bdi { (s.user().agency_id) }
                        }
                        form method="post" action="/console/sign-out" {
                            (csrf_field(s))
                            button.linkish type="submit" { (lang.t("sign-out")) }
                        }
                    }
                    (languages(lang, here))
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    html_response(StatusCode::OK, markup, lang)
}

/// The hidden CSRF field every form of a session carries.
pub fn csrf_field(s: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(s.csrf); }
}

/// A message box (role="alert" for errors, status otherwise).
pub fn notice(kind: &str, text: &str) -> Markup {
    let role = if kind == "error" { "alert" } else { "status" };
    html! { div class={ "notice " (kind) } role=(role) { (text) } }
}

/// The answer to a form whose CSRF token is not the session's.
pub fn csrf_refused(lang: Lang) -> Response {
    let body = html! { (notice("error", &lang.t("csrf-refused"))) p { a href="/console/" { (lang.t("back-home")) } } };
    html_response(
        StatusCode::FORBIDDEN,
        bare(lang, &lang.t("refused"), "/console/", body),
        lang,
    )
}

/// The page for a section the person's role does not allow.
pub fn forbidden(s: &Session, nav: Nav) -> Response {
    let lang = s.lang;
    let mut r = page(
        s,
        nav,
        &lang.t("refused"),
        notice("error", &lang.t("not-allowed")),
    );
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

/// The refusal page unless the role allows `nav` (`None`: go on).
pub fn require(s: &Session, nav: Nav) -> Option<Response> {
    (!nav.allowed(s)).then(|| forbidden(s, nav))
}

/// An API error shown on a page, in the person's language where the kind
/// is known, with the API's detail (it names the field) beside it.
pub fn api_error(lang: Lang, e: &crate::ApiError) -> Markup {
    let key = match e.status.as_u16() {
        403 => "not-allowed",
        404 => "not-found",
        409 => "conflict",
        422 | 400 => "invalid-input",
        _ => "failed",
    };
    html! {
        div.notice.error role="alert" {
            (lang.t(key))
            @if e.status.as_u16() != 500 { " " span.detail lang="en" dir="ltr" { "(" (e.detail) ")" } }
        }
    }
}

/// The band in colour and in words.
pub fn band(lang: Lang, band: &str) -> Markup {
    let (class, key) = match band {
        "strong" => ("band strong", "band-strong"),
        "possible" => ("band possible", "band-possible"),
        _ => ("band none", "band-none"),
    };
    html! { span class=(class) { (lang.t(key)) } }
}

/// A time as `YYYY-MM-DD HH:MM` (UTC).
pub fn when(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// A time as `YYYY-MM-DD HH:MM` (UTC) in markup: an isolated
/// left-to-right run, so that an Arabic line does not reorder its digits
/// and dashes.
pub fn time(rfc3339: &str) -> Markup {
    html! { time datetime=(rfc3339) dir="ltr" { (when(rfc3339)) } }
}

/// `value` isolated for a message argument (FIRST STRONG ISOLATE ...
/// POP DIRECTIONAL ISOLATE): a date, a code or a name of the other
/// direction keeps its own order inside an Arabic or Latin sentence.
pub fn isolate(value: &str) -> String {
    format!("\u{2068}{value}\u{2069}")
}

/// Inline SVG markup, trusted because the console builds it.
pub fn svg(s: String) -> Markup {
    PreEscaped(s)
}

/// A hit's document key (`country:NUMBER`, the country empty when not
/// known) as a person reads it: `K482913 (TN)`, or the number alone.
pub fn document(key: &str) -> String {
    match key.split_once(':') {
        Some(("", number)) => number.to_string(),
        Some((country, number)) => format!("{number} ({})", country.to_ascii_uppercase()),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_keys_read_as_number_and_country() {
        assert_eq!(super::document("tn:K482913"), "K482913 (TN)");
        assert_eq!(super::document(":ZX0042917"), "ZX0042917");
        assert_eq!(super::document("ZX1"), "ZX1");
    }
}
