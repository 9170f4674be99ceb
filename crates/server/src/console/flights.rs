//! Flights: upload a PAXLST or CSV manifest (a file, or pasted), and see
//! the flight's summary: travellers by band, each traveller's best match,
//! and the parser's diagnostics (incomplete rows stay visible).

use axum::extract::{Multipart, State};
use axum::response::Response;
use maud::{Markup, html};

use super::api;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::ManifestResponse;

pub async fn get(s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Flights) {
        return r;
    }
    render(&s, html! {})
}

fn render(s: &Session, top: Markup) -> Response {
    let l = s.lang;
    let body = html! {
        (top)
        h2.upload-title { (l.t("manifest-upload")) }
        form method="post" action="/console/flights" enctype="multipart/form-data" {
            (pages::csrf_field(s))
            div {
                label for="file" { (l.t("manifest-file")) }
                input #file name="file" type="file" accept=".edi,.txt,.csv,.paxlst";
            }
            div {
                label for="text" { (l.t("manifest-paste")) }
                textarea #text name="text" rows="6" cols="60" dir="ltr" spellcheck="false" {}
            }
            button.primary type="submit" { (l.t("manifest-screen")) }
        }
    };
    pages::page(s, Nav::Flights, &l.t("flights-title"), body)
}

pub async fn post(State(state): State<AppState>, s: Session, mut form: Multipart) -> Response {
    let (mut csrf, mut file, mut text) = (String::new(), Vec::new(), Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        let Ok(bytes) = field.bytes().await else {
            break;
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes.to_vec(),
            "text" => text = bytes.to_vec(),
            _ => {}
        }
    }
    if let Some(r) = s.check_csrf(&csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Flights) {
        return r;
    }
    let body = if file.is_empty() { text } else { file };
    let top = match api::screen_manifest(&state, &s.principal, body).await {
        Ok(m) => summary(&s, &m),
        Err(e) => pages::api_error(s.lang, &e),
    };
    render(&s, top)
}

/// The flight's report: on screen, and printed (the print stylesheet
/// keeps only this section, with who screened it, when, and against
/// which list versions).
fn summary(s: &Session, m: &ManifestResponse) -> Markup {
    let l = s.lang;
    let count = |b: &str| m.results.iter().filter(|r| r.band == b).count().to_string();
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let lists: Vec<String> = m
        .lists
        .iter()
        .map(|x| match &x.version {
            Some(v) => format!("{} {v}", x.source),
            None => x.source.clone(),
        })
        .collect();
    html! {
        section.flight aria-labelledby="flight-title" {
            p.print-button-row { button.print-button type="button" hidden { (l.t("print-report")) } }
            h2 #flight-title { (l.t("flight-summary")) " " (pages::band(l, &m.band)) }
            p.report-meta {
                (l.ta("report-meta", &[("a", pages::isolate(&pages::when(&now))), ("user", pages::isolate(&s.user().name)),
                    ("b", pages::isolate(&s.user().agency_id)), ("id", pages::isolate(&m.screening_id))]))
                @if !lists.is_empty() { " " (l.ta("report-lists", &[("a", pages::isolate(&lists.join(", ")))])) }
            }
            p { (l.ta("flight-counts", &[("n", m.travellers.to_string()), ("format", m.format.clone()),
                    ("strong", count("strong")), ("possible", count("possible")), ("none", count("none"))])) }
            @if !m.diagnostics.is_empty() {
                h3 { (l.t("diagnostics")) }
                ul.diagnostics dir="ltr" { @for d in &m.diagnostics { li { (d) } } }
            }
            table {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (l.t("field-name")) }
                    th scope="col" { (l.t("band")) }
                    th scope="col" { (l.t("listed-entry")) }
                    th scope="col" { (l.t("action-on-hit")) }
                } }
                tbody {
                    @for r in &m.results {
                        tr class={ "row-" (r.band) } {
                            td { (r.index + 1) }
                            td { bdi { (r.name) } }
                            td { (pages::band(l, &r.band)) }
                            td { @if let Some(best) = r.matches.iter().find(|x| x.band != "none") { bdi { (best.caption) } } }
                            td { @if let Some(best) = r.matches.iter().find(|x| x.band != "none") {
                                (super::screen::action(l, best.action_on_hit.as_deref())) } }
                        }
                    }
                }
            }
        }
    }
}
