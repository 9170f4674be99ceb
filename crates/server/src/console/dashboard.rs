//! The dashboard of the person's agency: screenings per hour over the
//! last day, hits by band and by state, the open queue by age, and the
//! lists in force, as inline SVG charts (each with a text table beside it
//! for screen readers and printing).

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tansiq_store::{HitFilter, HitState};
use time::{Duration, OffsetDateTime};

use super::i18n::Lang;
use super::pages::{self, Nav};
use super::session::Session;
use crate::AppState;

/// Hours shown in the screenings chart.
const HOURS: i64 = 24;
/// Screenings read for the chart at most (a busy post's day); beyond it
/// the chart says it is cut.
const MAX_SCREENINGS: i64 = 50_000;
/// Hits read for the band, state and age charts at most.
const MAX_HITS: i64 = 5_000;
/// Upper bounds (hours) of the queue-age buckets; the last is open-ended.
const AGE_BUCKETS: [i64; 4] = [1, 4, 24, 72];

pub async fn get(State(state): State<AppState>, s: Session) -> Response {
    if let Some(r) = pages::require(&s, Nav::Dashboard) {
        return r;
    }
    let l = s.lang;
    let agency = s.principal.agency().to_string();
    let now = OffsetDateTime::now_utc();
    let since = now - Duration::hours(HOURS);
    let screenings = state
        .store
        .screenings_since(since, "", MAX_SCREENINGS)
        .await
        .unwrap_or_default();
    let mut per_hour = vec![0u64; HOURS as usize];
    for r in screenings.iter().filter(|r| r.agency_id == agency) {
        let h = (now - r.at).whole_hours().clamp(0, HOURS - 1);
        per_hour[(HOURS - 1 - h) as usize] += 1;
    }
    let hits = state
        .store
        .hits(&HitFilter {
            agency_id: agency.clone(),
            limit: MAX_HITS,
            ..HitFilter::default()
        })
        .await
        .unwrap_or_default();
    let by_band = [
        (
            l.t("band-strong"),
            hits.iter().filter(|h| h.hit.band == "strong").count() as u64,
            "strong",
        ),
        (
            l.t("band-possible"),
            hits.iter().filter(|h| h.hit.band == "possible").count() as u64,
            "possible",
        ),
    ];
    let states = [
        HitState::Open,
        HitState::Confirmed,
        HitState::Dismissed,
        HitState::Closed,
    ];
    let by_state: Vec<(String, u64, &str)> = states
        .iter()
        .map(|st| {
            (
                l.t(&format!("state-{}", st.as_str())),
                hits.iter().filter(|h| h.state == *st).count() as u64,
                "neutral",
            )
        })
        .collect();
    let mut ages = vec![0u64; AGE_BUCKETS.len() + 1];
    for h in hits.iter().filter(|h| h.state == HitState::Open) {
        let hours = (now - h.created_at).whole_hours();
        let i = AGE_BUCKETS
            .iter()
            .position(|b| hours < *b)
            .unwrap_or(AGE_BUCKETS.len());
        ages[i] += 1;
    }
    let age_labels: Vec<String> = (0..=AGE_BUCKETS.len())
        .map(|i| match i {
            0 => l.ta("age-under", &[("h", AGE_BUCKETS[0].to_string())]),
            i if i == AGE_BUCKETS.len() => {
                l.ta("age-over", &[("h", AGE_BUCKETS[i - 1].to_string())])
            }
            i => l.ta(
                "age-between",
                &[
                    ("a", AGE_BUCKETS[i - 1].to_string()),
                    ("b", AGE_BUCKETS[i].to_string()),
                ],
            ),
        })
        .collect();
    state.audit.record(
        s.principal
            .event("dashboard.view", None, "ok", serde_json::json!({})),
    );
    let snap = state.index.load();
    let hour_labels: Vec<String> = (0..HOURS)
        .map(|i| {
            let t = now - Duration::hours(HOURS - 1 - i);
            format!("{:02}", t.hour())
        })
        .collect();
    let body = html! {
        div.charts {
            (chart(l, &l.t("chart-screenings"), &hour_labels.iter().cloned().zip(per_hour.iter().copied()).map(|(a, b)| (a, b, "neutral")).collect::<Vec<_>>()))
            (chart(l, &l.t("chart-hits-band"), &by_band.iter().map(|(a, b, c)| (a.clone(), *b, *c)).collect::<Vec<_>>()))
            (chart(l, &l.t("chart-hits-state"), &by_state))
            (chart(l, &l.t("chart-queue-age"), &age_labels.into_iter().zip(ages).map(|(a, b)| (a, b, "possible")).collect::<Vec<_>>()))
        }
        section {
            h2 { (l.t("lists-in-force")) }
            table {
                thead { tr { th scope="col" { (l.t("list")) } th scope="col" { (l.t("list-version")) } th scope="col" { (l.t("list-updated")) } th scope="col" { (l.t("list-entries")) } } }
                tbody { @for li in &snap.lists { tr {
                    td { (li.source) }
                    td { (li.version.clone().unwrap_or_default()) }
                    td { (li.imported_at.map(|t| pages::when(&crate::dto::rfc3339(t))).unwrap_or_default()) }
                    td { (li.active) }
                } } }
            }
        }
    };
    pages::page(&s, Nav::Dashboard, &l.t("dashboard-title"), body)
}

/// A bar chart as inline SVG, with the same figures as a table (the SVG
/// is `aria-hidden`; the table is what assistive technology reads).
fn chart(l: Lang, title: &str, bars: &[(String, u64, &str)]) -> Markup {
    const W: usize = 480;
    const H: usize = 160;
    const PAD: usize = 20;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let n = bars.len().max(1);
    let step = (W - 2 * PAD) / n;
    let bar_w = step.saturating_sub(4).max(2);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-hidden=\"true\" focusable=\"false\">",
        H + 30
    );
    for (i, (label, v, class)) in bars.iter().enumerate() {
        let h = (*v as usize * (H - PAD)) / max as usize;
        let x = PAD + i * step;
        let y = H - h;
        svg.push_str(&format!(
            "<rect class=\"bar {class}\" x=\"{x}\" y=\"{y}\" width=\"{bar_w}\" height=\"{h}\"></rect>"
        ));
        if *v > 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{v}</text>",
                x + bar_w / 2,
                y.saturating_sub(3).max(10)
            ));
        }
        // Every label when few; every fourth when many (hours).
        if n <= 8 || i % 4 == 0 {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + bar_w / 2,
                H + 16,
                escape(label)
            ));
        }
    }
    svg.push_str("</svg>");
    html! {
        figure.chart-box {
            figcaption { (title) }
            (pages::svg(svg))
            details {
                summary { (l.t("chart-as-table")) }
                table { tbody { @for (label, v, _) in bars { tr { th scope="row" { (label) } td { (v) } } } } }
            }
        }
    }
}

/// Text for SVG markup built by hand.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
