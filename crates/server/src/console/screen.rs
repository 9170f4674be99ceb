//! The officer's screening page: an MRZ field focused for the scanner (it
//! types like a keyboard), or names, date of birth, nationality and
//! document; the answer above the form, the band in colour and in words,
//! what to do, the listed person's names in both scripts and a reason in
//! plain words; the analyst's detail folded in a `<details>`.
//!
//! The answer survives a change of language: the page's language links
//! point at `/console/screen?answer=<screening id>`, which shows the same
//! answer again in the chosen language, to the same session only, without
//! screening again (a second screening would be a second crossing, with
//! its own hits and audit event). The node keeps the answers it just gave
//! in memory ([`KEPT_ANSWERS`], for [`ANSWER_KEPT_FOR`]); an older one, or
//! one given by another replica, is gone: the page says so and offers
//! the empty form.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tansiq_model::{Entity, prop};

use super::api;
use super::countries;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::{DocumentInput, MatchDto, ScreenContext, ScreenRequest, ScreenResponse};

/// The screening form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ScreenForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub mrz: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub document_country: String,
    #[serde(default)]
    pub border_post: String,
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl ScreenForm {
    /// The API request this form stands for. MRZ lines are split on line
    /// breaks (a scanner ends each line with Enter); blank lines dropped.
    pub fn to_request(&self) -> ScreenRequest {
        let mrz: Vec<String> = self
            .mrz
            .lines()
            .map(|l| l.trim().replace(' ', "").to_ascii_uppercase())
            .filter(|l| !l.is_empty())
            .collect();
        ScreenRequest {
            names: some(&self.name).into_iter().collect(),
            birth_date: some(&self.birth_date),
            nationality: some(&self.nationality),
            documents: some(&self.document)
                .map(|number| DocumentInput {
                    number,
                    kind: None,
                    issuing_country: some(&self.document_country),
                })
                .into_iter()
                .collect(),
            mrz: (!mrz.is_empty()).then_some(mrz),
            context: some(&self.border_post).map(|post| ScreenContext {
                border_post: Some(post),
                direction: None,
                time: None,
            }),
            ..ScreenRequest::default()
        }
    }
}

/// How long an answer can be shown again (in another language).
pub const ANSWER_KEPT_FOR: Duration = Duration::from_secs(15 * 60);
/// At most this many answers are kept, over every session (the oldest
/// go first): a few minutes of a busy node's desks.
pub const KEPT_ANSWERS: usize = 2_000;

/// (session id, screening id) → when it was answered, the answer.
type Kept = HashMap<(String, String), (Instant, Arc<ScreenResponse>)>;

fn kept() -> &'static Mutex<Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Keeps an answer for its session, dropping expired ones and, over the
/// bound, the oldest.
fn keep(session: &str, r: Arc<ScreenResponse>) {
    let Ok(mut map) = kept().lock() else { return };
    let now = Instant::now();
    map.retain(|_, (at, _)| now.duration_since(*at) < ANSWER_KEPT_FOR);
    while map.len() >= KEPT_ANSWERS {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, (at, _))| *at)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
    map.insert((session.to_string(), r.screening_id.clone()), (now, r));
}

/// An answer this session was given, while it is kept.
fn recall(session: &str, screening: &str) -> Option<Arc<ScreenResponse>> {
    let map = kept().lock().ok()?;
    let (at, r) = map.get(&(session.to_string(), screening.to_string()))?;
    (at.elapsed() < ANSWER_KEPT_FOR).then(|| r.clone())
}

/// Where the page's language links go: the answer shown, when there is one.
fn here(screening: Option<&str>) -> String {
    match screening {
        Some(id) => format!("{}?answer={id}", Nav::Screen.href()),
        None => Nav::Screen.href().to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ScreenQuery {
    /// An answer to show again (a language change).
    #[serde(default)]
    pub answer: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<ScreenQuery>,
) -> Response {
    if let Some(r) = pages::require(&s, Nav::Screen) {
        return r;
    }
    match q.answer.as_deref() {
        Some(id) => match recall(s.id(), id) {
            Some(r) => render(
                &s,
                &ScreenForm::default(),
                answer(&state, s.lang, &r),
                Some(id),
            ),
            None => render(
                &s,
                &ScreenForm::default(),
                pages::notice("info", &s.lang.t("answer-gone")),
                None,
            ),
        },
        None => render(&s, &ScreenForm::default(), html! {}, None),
    }
}

pub async fn post(
    State(state): State<AppState>,
    s: Session,
    Form(form): Form<ScreenForm>,
) -> Response {
    if let Some(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    if let Some(r) = pages::require(&s, Nav::Screen) {
        return r;
    }
    let (answer, id) = match api::screen(&state, &s.principal, form.to_request()).await {
        Ok(r) => {
            let r = Arc::new(r);
            keep(s.id(), r.clone());
            (answer(&state, s.lang, &r), Some(r.screening_id.clone()))
        }
        Err(e) => (pages::api_error(s.lang, &e), None),
    };
    // The form comes back empty (the next traveller), with the post kept.
    let next = ScreenForm {
        border_post: form.border_post.clone(),
        ..ScreenForm::default()
    };
    render(&s, &next, answer, id.as_deref())
}

fn render(s: &Session, form: &ScreenForm, answer: Markup, shown: Option<&str>) -> Response {
    let l = s.lang;
    let body = html! {
        (answer)
        form.screen method="post" action="/console/screen" {
            (pages::csrf_field(s))
            fieldset {
                legend { (l.t("screen-by-mrz")) }
                label for="mrz" { (l.t("mrz-label")) }
                p.hint #mrz-hint { (l.t("mrz-hint")) }
                textarea #mrz name="mrz" rows="3" cols="46" autofocus spellcheck="false"
                    autocomplete="off" dir="ltr" aria-describedby="mrz-hint" { (form.mrz) }
            }
            fieldset {
                legend { (l.t("screen-by-name")) }
                div.grid {
                    div {
                        label for="name" { (l.t("field-name")) }
                        input #name name="name" type="text" value=(form.name) autocomplete="off" dir="auto";
                    }
                    div {
                        label for="birth_date" { (l.t("field-birth-date")) }
                        input #birth_date name="birth_date" type="text" value=(form.birth_date)
                            placeholder="YYYY-MM-DD" autocomplete="off" dir="ltr";
                    }
                    div {
                        label for="nationality" { (l.t("field-nationality")) }
                        input #nationality name="nationality" type="text" value=(form.nationality)
                            placeholder="DZ" autocomplete="off" dir="ltr" size="4";
                    }
                    div {
                        label for="document" { (l.t("field-document")) }
                        input #document name="document" type="text" value=(form.document) autocomplete="off" dir="ltr";
                    }
                    div {
                        label for="document_country" { (l.t("field-document-country")) }
                        input #document_country name="document_country" type="text"
                            value=(form.document_country) autocomplete="off" dir="ltr" size="4";
                    }
                }
            }
            div.grid {
                div {
                    label for="border_post" { (l.t("field-border-post")) }
                    input #border_post name="border_post" type="text" value=(form.border_post) autocomplete="off";
                }
            }
            button.primary type="submit" { (l.t("screen-submit")) }
        }
    };
    pages::page_at(s, Nav::Screen, &here(shown), &l.t("screen-title"), body)
}

/// The answer: overall band, then each match the officer must act on.
pub fn answer(state: &AppState, l: Lang, r: &ScreenResponse) -> Markup {
    let snap = state.index.load();
    html! {
        section.answer aria-live="polite" aria-labelledby="answer-title" {
            h2 #answer-title { (l.t("answer")) " " (pages::band(l, &r.band)) }
            @if let Some(m) = &r.mrz {
                p.mrz-read {
                    (l.t("mrz-read")) " "
                    bdi { (m.surname) ", " (m.given_names) } " · " (m.document_number) " · " (countries::display(l, &m.nationality))
                    @if let Some(d) = &m.birth_date { " · " (d) }
                    " · "
                    @if m.checks_pass { span.ok { (l.t("mrz-checks-pass")) } }
                    @else { span.bad { (l.ta("mrz-checks-fail", &[("fields", m.failed_checks.join(", "))])) } }
                }
            }
            @if r.band == "none" && r.matches.iter().any(|m| m.near_miss.is_some()) {
                p.verdict { (l.t("verdict-near-miss")) }
            } @else if r.band == "none" {
                p.verdict { (l.t("verdict-none")) }
            } @else {
                p.verdict {
                    @if r.band == "strong" { (l.t("verdict-strong")) } @else { (l.t("verdict-possible")) }
                }
            }
            @for m in r.matches.iter().filter(|m| m.band != "none" || m.near_miss.is_some()) {
                (one_match(l, m, snap.index.entity(&m.entity_id)))
            }
            @if !r.remote_hits.is_empty() {
                p.notice.warn role="status" { (l.ta("remote-hits", &[("n", r.remote_hits.len().to_string())])) }
            }
        }
    }
}

/// The message that says why two listings are one subject.
fn link_message(kind: &str) -> &'static str {
    match kind {
        "un-reference" => "link-un-reference",
        "imo" => "link-imo",
        _ => "link-document",
    }
}

fn one_match(l: Lang, m: &MatchDto, e: Option<&Entity>) -> Markup {
    html! {
        article.match {
            h3 { (pages::band(l, &m.band)) " " bdi { (m.caption) } }
            dl {
                dt { (l.t("action-on-hit")) }
                dd.action { (action(l, m.action_on_hit.as_deref())) }
                @if let Some(e) = e {
                    dt { (l.t("listed-names")) }
                    dd { ul.names { @for n in listed_names(e) { li { bdi dir="auto" { (n) } } } } }
                    dt { (l.t("field-birth-date")) }
                    dd { (or_unknown(l, e.get(prop::BIRTH_DATE).join(", "))) }
                    dt { (l.t("field-nationality")) }
                    dd { (or_unknown(l, countries::display_all(l, e.get(prop::NATIONALITY)))) }
                    dt { (l.t("legal-basis")) }
                    dd { (or_unknown(l, legal_basis(e))) }
                }
                dt { (l.t("why")) }
                dd.reason { (reason(l, m)) }
                @if !m.listings.is_empty() {
                    dt { (l.t("also-listed")) }
                    dd { ul.listings { @for o in &m.listings {
                        li {
                            (o.source) " · " bdi { (o.caption) }
                            @if let Some(r) = &o.regime { " · " bdi { (r) } }
                            " — "
                            @for (i, k) in o.linked_by.iter().enumerate() {
                                @if i > 0 { "; " }
                                (l.ta(link_message(&k.kind), &[("value", k.value.clone())]))
                            }
                        }
                    } } }
                }
            }
            @if let Some(n) = &m.near_miss {
                p.notice.warn role="status" { (l.t("near-miss")) " " (near_miss_reason(l, m).unwrap_or_else(|| n.reason.clone())) }
            }
            @if let Some(h) = &m.hit_id {
                p.hit-id { (l.t("hit-raised")) " " code { (h) } }
            }
            @if let Some(d) = &m.previously_dismissed {
                p.notice.info role="status" { (l.t("previously-dismissed")) " " bdi { (d.reason) } }
            }
            details {
                summary { (l.t("analyst-detail")) }
                dl.detail {
                    dt { (l.t("score")) } dd { (format!("{:.3}", m.score)) }
                    dt { (l.t("matched-names")) }
                    dd { bdi { (m.explanation.query_name) } " ↔ " bdi { (m.explanation.listed_name) } " (" (m.explanation.listed_name_kind) ")" }
                    dt { (l.t("alignment")) }
                    dd { ul { @for a in &m.explanation.alignments {
                        li { bdi { (a.query) } " ↔ " bdi { (a.listed) } " · " (a.rule) " · " (format!("{:.2}", a.similarity)) }
                    } } }
                    @if !m.explanation.caps.is_empty() {
                        dt { (l.t("caps")) }
                        dd { ul { @for c in &m.explanation.caps { li { (c.rule) ": " (c.detail) } } } }
                    }
                    @if !m.explanation.evidence.is_empty() {
                        dt { (l.t("evidence")) }
                        dd { ul { @for v in &m.explanation.evidence {
                            li { (v.kind) ": " (format!("{:.3} → {:.3}", v.before, v.after)) " · " (v.detail) }
                        } } }
                    }
                    dt { (l.t("list")) } dd { (m.source) " · " code { (m.entity_id) } }
                }
            }
        }
    }
}

fn or_unknown(l: Lang, s: String) -> String {
    if s.is_empty() { l.t("unknown") } else { s }
}

/// The entity's names and aliases, every script, without repeats.
fn listed_names(e: &Entity) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in [prop::NAME, prop::ALIAS, prop::PREVIOUS_NAME] {
        for v in e.get(p) {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
    }
    out
}

fn legal_basis(e: &Entity) -> String {
    let Some(b) = &e.legal_basis else {
        return String::new();
    };
    [&b.basis, &b.offence, &b.warrant_number, &b.court]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// What the officer is asked to do, in words.
pub fn action(l: Lang, a: Option<&str>) -> String {
    l.t(match a {
        Some("arrest") => "action-arrest",
        Some("refuse-entry") => "action-refuse-entry",
        Some("discreet-check") => "action-discreet-check",
        Some("specific-check") => "action-specific-check",
        Some("inform") => "action-inform",
        _ => "action-refer",
    })
}

/// The plain-language reason ([`crate::dto::reason_text`]): which
/// listed name matched, what it lacks, what each piece of evidence did.
/// The near miss has its own notice, which also says what differed, so
/// those clauses are left out here.
pub fn reason(l: Lang, m: &MatchDto) -> String {
    let near_miss = m
        .reason_clauses
        .iter()
        .any(|c| c.id == crate::dto::NEAR_MISS_CLAUSE);
    let noticed = if near_miss {
        crate::dto::near_miss_clauses(&m.reason_clauses)
    } else {
        Vec::new()
    };
    let clauses: Vec<_> = m
        .reason_clauses
        .iter()
        .filter(|c| !noticed.contains(c))
        .cloned()
        .collect();
    crate::dto::reason_text(l, &clauses)
}

/// The near miss's reason, worded in `l`.
fn near_miss_reason(l: Lang, m: &MatchDto) -> Option<String> {
    let clauses = crate::dto::near_miss_clauses(&m.reason_clauses);
    (!clauses.is_empty()).then(|| crate::dto::reason_text(l, &clauses))
}
