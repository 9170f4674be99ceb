//! Prometheus metrics with an explicit registry held in the app state (no
//! global recorder, so parallel tests do not share counters).
//!
//! Histograms use explicit buckets so that replicas' series can be summed.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BandLabels {
    pub band: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PartnerLabels {
    pub partner: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FedReceiveLabels {
    pub partner: String,
    pub result: String,
}

/// Every metric of the node.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub screenings: Family<BandLabels, Counter>,
    pub index_entities: Gauge,
    pub index_names: Gauge,
    pub index_build_seconds: Gauge<f64, AtomicU64>,
    pub list_age_seconds: Family<SourceLabels, Gauge<f64, AtomicU64>>,
    pub rate_limited: Counter,
    /// 1 when a declared list source is stale (`crate::sources`).
    pub list_stale: Family<SourceLabels, Gauge>,
    /// When each declared list source was last confirmed current (Unix
    /// seconds).
    pub list_last_success: Family<SourceLabels, Gauge>,
    /// Requests turned away before authentication: their address had used
    /// up its refusals (`crate::flood`).
    pub address_limited: Counter,
    /// Audit events, screening records and hits queued and not yet written.
    pub journal_backlog: Gauge,
    /// Hits raised, while screening and by re-screening.
    pub hits_raised: Counter,
    /// Time the last re-screening pass took.
    pub rescreen_seconds: Gauge<f64, AtomicU64>,
    pub fed_outbox_pending: Family<PartnerLabels, Gauge>,
    /// Messages a partner numbered but refused (agreements that do not
    /// match), by partner.
    pub fed_refused: Family<PartnerLabels, Gauge>,
    pub fed_replication_lag_seconds: Family<PartnerLabels, Gauge<f64, AtomicU64>>,
    pub fed_last_contact_age_seconds: Family<PartnerLabels, Gauge<f64, AtomicU64>>,
    pub fed_received: Family<FedReceiveLabels, Counter>,
    /// Hit/no-hit checks a partner did not answer, by partner and reason.
    pub fed_checks_unanswered: Family<FedReceiveLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 50 µs .. ~3.3 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("tansiq");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route",
            latency.clone(),
        );
        let screenings = Family::<BandLabels, Counter>::default();
        registry.register(
            "screenings",
            "Travellers screened, by the band of the answer",
            screenings.clone(),
        );
        let index_entities = Gauge::default();
        registry.register(
            "index_entities",
            "Entities in the screening index",
            index_entities.clone(),
        );
        let index_names = Gauge::default();
        registry.register(
            "index_names",
            "Names in the screening index",
            index_names.clone(),
        );
        let index_build_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "index_build_seconds",
            "Time the last index build took",
            index_build_seconds.clone(),
        );
        let list_age_seconds = Family::<SourceLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "list_age_seconds",
            "Seconds since the current version of each list was imported",
            list_age_seconds.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited",
            "Requests refused by the per-key rate limit",
            rate_limited.clone(),
        );
        let list_stale = Family::<SourceLabels, Gauge>::default();
        registry.register(
            "list_stale",
            "1 when a declared list source is older than its schedule allows or was never imported",
            list_stale.clone(),
        );
        let list_last_success = Family::<SourceLabels, Gauge>::default();
        registry.register(
            "list_last_success_timestamp_seconds",
            "When each declared list source was last confirmed current (Unix time)",
            list_last_success.clone(),
        );
        let address_limited = Counter::default();
        registry.register(
            "address_limited",
            "Requests turned away before authentication: too many refusals from their address",
            address_limited.clone(),
        );
        let journal_backlog = Gauge::default();
        registry.register(
            "journal_backlog",
            "Audit events, screening records and hits queued and not yet written",
            journal_backlog.clone(),
        );
        let hits_raised = Counter::default();
        registry.register(
            "hits_raised",
            "Hits raised (at or above the possible band, not previously dismissed)",
            hits_raised.clone(),
        );
        let rescreen_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "rescreen_seconds",
            "Time the last re-screening pass took",
            rescreen_seconds.clone(),
        );
        let fed_outbox_pending = Family::<PartnerLabels, Gauge>::default();
        registry.register(
            "federation_outbox_pending",
            "Messages queued for a partner and not yet acknowledged",
            fed_outbox_pending.clone(),
        );
        let fed_replication_lag_seconds = Family::<PartnerLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "federation_replication_lag_seconds",
            "Age of the oldest unacknowledged message to a partner (0 when none)",
            fed_replication_lag_seconds.clone(),
        );
        let fed_last_contact_age_seconds =
            Family::<PartnerLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "federation_last_contact_age_seconds",
            "Seconds since the last message to or from a partner",
            fed_last_contact_age_seconds.clone(),
        );
        let fed_refused = Family::<PartnerLabels, Gauge>::default();
        registry.register(
            "federation_messages_refused",
            "Messages a partner numbered but refused under its incoming agreement (a mismatch of agreements), by partner",
            fed_refused.clone(),
        );
        let fed_received = Family::<FedReceiveLabels, Counter>::default();
        registry.register(
            "federation_messages_received",
            "Federation messages received, by partner and result",
            fed_received.clone(),
        );
        let fed_checks_unanswered = Family::<FedReceiveLabels, Counter>::default();
        registry.register(
            "federation_checks_unanswered",
            "Hit/no-hit checks a partner did not answer in time (result: timeout or error)",
            fed_checks_unanswered.clone(),
        );
        Metrics {
            fed_checks_unanswered,
            hits_raised,
            rescreen_seconds,
            fed_outbox_pending,
            fed_refused,
            fed_replication_lag_seconds,
            fed_last_contact_age_seconds,
            fed_received,
            registry,
            requests,
            latency,
            screenings,
            index_entities,
            index_names,
            index_build_seconds,
            list_age_seconds,
            rate_limited,
            list_stale,
            list_last_success,
            address_limited,
            journal_backlog,
        }
    }

    /// Counts one received federation message.
    pub fn fed_received(&self, partner: &str, result: &str) {
        self.fed_received
            .get_or_create(&FedReceiveLabels {
                partner: partner.to_string(),
                result: result.to_string(),
            })
            .inc();
    }

    /// Counts one hit/no-hit check a partner did not answer.
    pub fn fed_check_unanswered(&self, partner: &str, reason: &str) {
        self.fed_checks_unanswered
            .get_or_create(&FedReceiveLabels {
                partner: partner.to_string(),
                result: reason.to_string(),
            })
            .inc();
    }

    /// Sets the per-partner federation gauges from a status report.
    pub fn fed_status(&self, s: &crate::FederationStatusDto) {
        let now = time::OffsetDateTime::now_utc();
        for p in &s.partners {
            let l = PartnerLabels {
                partner: p.id.clone(),
            };
            self.fed_outbox_pending
                .get_or_create(&l)
                .set(p.outbox_pending);
            self.fed_refused.get_or_create(&l).set(p.refused);
            self.fed_replication_lag_seconds
                .get_or_create(&l)
                .set(p.replication_lag_seconds);
            if let Some(at) = p.last_contact_at.as_deref().and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            }) {
                self.fed_last_contact_age_seconds
                    .get_or_create(&l)
                    .set((now - at).as_seconds_f64());
            }
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Middleware: counts and times every request by its route template (never
/// the raw path, whose ids would explode the series count).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    // The route template only: raw paths and query strings may carry
    // names, which stay out of the application log.
    tracing::debug!(
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        ms = elapsed * 1000.0,
        "request"
    );
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: response.status().as_u16().to_string(),
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&RouteLabels { method, route })
        .observe(elapsed);
    response
}
