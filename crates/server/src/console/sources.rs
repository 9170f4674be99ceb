//! The lists screened now and how fresh they are (`GET /v1/sources`, for
//! node administrators and analysts): each list's version, when it was
//! imported and how long ago, and how many active entries it holds
//! (national entries give no count: it would tell an agency about
//! entries hidden from it).

use axum::extract::State;
use axum::response::Response;
use maud::html;
use time::OffsetDateTime;

use super::api;
use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;

/// A list imported longer ago than this is flagged: public lists change
/// weekly or faster, and a list this old means its update is not running.
pub const STALE_DAYS: i64 = 7;

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
            p.hint { (l.ta("stale-after", &[("n", STALE_DAYS.to_string())])) }
            table.sources {
                thead { tr {
                    th scope="col" { (l.t("list")) }
                    th scope="col" { (l.t("list-version")) }
                    th scope="col" { (l.t("list-updated")) }
                    th scope="col" { (l.t("list-age")) }
                    th scope="col" { (l.t("list-entries")) }
                } }
                tbody {
                    @for src in &list.sources {
                        @let age = src.imported_at.as_deref()
                            .and_then(crate::ops::parse_instant)
                            .map(|t| (now - t).whole_seconds().max(0));
                        @let stale = age.is_some_and(|a| a > STALE_DAYS * 86_400);
                        tr {
                            td { code { (src.source) } }
                            td { code dir="ltr" { (src.version.clone().unwrap_or_default()) } }
                            td { @match src.imported_at.as_deref() { Some(t) => (pages::time(t)), None => (l.t("unknown")) } }
                            td class=[stale.then_some("late")] {
                                @match age {
                                    Some(a) => (age_words(l, a)),
                                    None => (l.t("unknown")),
                                }
                                @if stale { " " span.late-tag { (l.t("stale")) } }
                            }
                            td { @match src.active { Some(n) => (n), None => (l.t("not-counted")) } }
                        }
                    }
                }
            }
        },
    };
    pages::page(&s, Nav::Sources, &l.t("sources-title"), body)
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
    }
}
