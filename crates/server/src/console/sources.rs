//! The lists screened now and how fresh they are (`GET /v1/sources`, for
//! node administrators and analysts): per list, its version, when it was
//! last confirmed current and how long ago, how it is kept current (a
//! schedule, by hand, or national entries), when it is next due and when
//! it turns stale, stale or not, its last failure and why, how many
//! active entries it holds (national entries give no count: it would tell
//! an agency about entries hidden from it), and what its last update
//! added, changed and withdrew, with a few names.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use time::OffsetDateTime;

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;
use crate::dto::SourceDto;

use crate::routes::UNSCHEDULED_STALE_DAYS;

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Sources) {
        return r;
    }
    let l = s.lang;
    let now = OffsetDateTime::now_utc();
    let body = match api::sources(&state, &s.principal).await {
        Err(e) => pages::api_error(l, &e),
        Ok(list) if list.sources.is_empty() => html! { p { (l.t("sources-none")) } },
        Ok(list) => html! {
            p.hint { (l.ta("stale-after", &[("n", UNSCHEDULED_STALE_DAYS.to_string())])) }
            table.sources {
                thead { tr {
                    th scope="col" { (l.t("list")) }
                    th scope="col" { (l.t("list-version")) }
                    th scope="col" { (l.t("list-updated")) }
                    th scope="col" { (l.t("list-age")) }
                    th scope="col" { (l.t("list-kept")) }
                    th scope="col" { (l.t("list-next-due")) }
                    th scope="col" { (l.t("list-entries")) }
                } }
                tbody {
                    @for src in &list.sources { (row(l, src, now)) }
                }
            }
            @for src in list.sources.iter().filter(|s| s.last_update.is_some() || s.last_failure.is_some()) {
                (details(l, src))
            }
        },
    };
    pages::page(&s, Nav::Sources, &l.t("sources-title"), body)
}

fn seconds_since(t: Option<&str>, now: OffsetDateTime) -> Option<i64> {
    t.and_then(crate::ops::parse_instant)
        .map(|t| (now - t).whole_seconds())
}

fn row(l: Lang, src: &SourceDto, now: OffsetDateTime) -> Markup {
    let confirmed = src
        .last_success_at
        .as_deref()
        .or(src.imported_at.as_deref());
    let age = seconds_since(confirmed, now).map(|a| a.max(0));
    html! {
        tr class=[src.stale.then_some("stale-row")] {
            th scope="row" { code { (src.source) } }
            td { code dir="ltr" { (src.version.clone().unwrap_or_default()) } }
            @if src.kind == "national" {
                // Written here, entry by entry: no import to be fresh from.
                td { "—" }
                td { "—" }
            } @else {
            td { @match confirmed { Some(t) => (pages::time(t)), None => (l.t("never")) } }
            td class=[src.stale.then_some("late")] {
                @match age {
                    Some(a) => (age_words(l, a)),
                    None => (l.t("unknown")),
                }
                " "
                @if src.stale {
                    span.late-tag { (l.t("stale")) }
                } @else if src.kind != "national" {
                    span.fresh-tag { (l.t("fresh")) }
                }
                @if let Some(t) = &src.stale_at {
                    @if !src.stale {
                        br;
                        span.hint { (l.ta("stale-from", &[("a", pages::isolate(&pages::when(t)))])) }
                    }
                }
                @if let Some(f) = src.last_failure.as_ref().filter(|f| f.current) {
                    br;
                    span.bad { (l.t("source-failing")) }
                    " " span.detail lang="en" dir="ltr" { (f.error) }
                }
            }
            }
            td {
                @match (src.kind.as_str(), src.schedule_seconds) {
                    ("scheduled", Some(secs)) => (l.ta("kept-scheduled", &[("a", schedule_words(l, secs))])),
                    ("national", _) => (l.t("kept-national")),
                    _ => (l.t("kept-manual")),
                }
            }
            td {
                @match &src.next_due_at {
                    Some(t) if seconds_since(Some(t), now).is_some_and(|s| s >= 0) => (l.t("due-now")),
                    Some(t) => (pages::time(t)),
                    None => (l.t("not-scheduled")),
                }
            }
            td { @match src.active { Some(n) => (n), None => (l.t("not-counted")) } }
        }
    }
}

/// A list's last update (counts and a few names) and last failure.
fn details(l: Lang, src: &SourceDto) -> Markup {
    let id = format!("src-{}", src.source);
    html! {
        section.source-detail aria-labelledby=(id) {
            h2 id=(id) { (l.t("list")) " " code { (src.source) } }
            @if let Some(u) = &src.last_update {
                h3 { (l.ta("update-of", &[("a", pages::isolate(&u.version)), ("b", pages::isolate(&pages::when(&u.imported_at)))])) }
                @if u.added + u.changed + u.withdrawn == 0 {
                    p { (l.t("update-nothing")) }
                } @else {
                    dl.update {
                        (kind(l, "update-added", u.added, &u.added_names))
                        (kind(l, "update-changed", u.changed, &u.changed_names))
                        (kind(l, "update-withdrawn", u.withdrawn, &u.withdrawn_names))
                    }
                }
            }
            @if let Some(f) = &src.last_failure {
                h3 { (l.t("last-failure")) }
                p class=[f.current.then_some("bad")] {
                    @if let Some(at) = &f.at { (pages::time(at)) " · " }
                    span lang="en" dir="ltr" { (f.error) }
                }
                p.hint {
                    @if f.current { (l.t("failure-current")) } @else { (l.t("failure-past")) }
                }
            }
        }
    }
}

fn kind(l: Lang, key: &str, n: usize, names: &[String]) -> Markup {
    html! {
        dt { (l.ta(key, &[("n", n.to_string())])) }
        dd {
            @if names.is_empty() {
                "—"
            } @else {
                ul.names {
                    @for name in names { li { bdi dir="auto" { (name) } } }
                    @if n > names.len() { li { (l.ta("and-more", &[("n", (n - names.len()).to_string())])) } }
                }
            }
        }
    }
}

/// A schedule in hours or days.
fn schedule_words(l: Lang, seconds: u64) -> String {
    if seconds.is_multiple_of(86_400) {
        l.ta("every-days", &[("n", (seconds / 86_400).to_string())])
    } else {
        l.ta("every-hours", &[("n", seconds.div_ceil(3600).to_string())])
    }
}

/// An age in days and hours ("3 d 4 h"), hours and minutes under a day.
pub fn age_words(l: Lang, seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        (seconds % 86_400) / 3600,
        (seconds % 3600) / 60,
    );
    if d > 0 {
        l.ta("age-days", &[("a", d.to_string()), ("h", h.to_string())])
    } else {
        l.ta("age", &[("h", h.to_string()), ("m", m.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_in_days_then_hours() {
        assert_eq!(age_words(Lang::En, 3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(age_words(Lang::En, 2 * 3600 + 5 * 60), "2 h 5 min");
        assert_eq!(schedule_words(Lang::En, 86_400), "every 1 d");
        assert_eq!(schedule_words(Lang::En, 6 * 3600), "every 6 h");
    }
}
