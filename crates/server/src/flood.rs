//! Keeping unauthenticated floods out of the audit log and off the node.
//!
//! Every refused authentication is an access decision and is audited; but
//! one event per refusal lets anyone with a network path fill the
//! append-only log (7,700 rows/s with a fake key, measured). So:
//!
//! - **Counted summaries.** Per source address, the first refusal of an
//!   interval ([`SUMMARY_INTERVAL`]) is recorded in full (reason, key id);
//!   the rest are counted, and one `access.refused.summary` event per
//!   address and interval records how many there were, by reason, and how
//!   many were turned away by the limit below. A flood of any size costs a
//!   few rows a minute.
//! - **A limit before authentication.** Each refusal takes a token from
//!   its address's bucket (`[rate_limit] refusals_per_minute_per_address`,
//!   `refusal_burst_per_address`); an address with an empty bucket gets a
//!   429 before its credentials are even looked at. An address whose
//!   requests authenticate spends nothing, so a border post behind the
//!   same gateway as a broken client is slowed only if it is refused too.
//!
//! The address is the TCP peer (no `X-Forwarded-For`: a proxy in front
//! makes every client one address, so put the limit in the proxy then).

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use crate::auth::TokenBucket;
use crate::error::ApiError;
use crate::{AppState, AuditEvent};

/// How long refusals from one address are counted into one summary event.
pub const SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

/// Addresses tracked at once; past this, refusals from new addresses are
/// counted under one shared entry ([`OVERFLOW`]) until the next sweep.
pub const MAX_TRACKED: usize = 65_536;

/// The shared entry of addresses past [`MAX_TRACKED`].
const OVERFLOW: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

/// Longest a request waits at the door for the audit journal to catch up
/// before it is answered 503 (see [`crate::journal::Journal::wait_for_room`]).
pub const JOURNAL_WAIT: Duration = Duration::from_secs(10);

/// One address's bucket and counts for the current interval.
#[derive(Debug)]
struct Address {
    bucket: TokenBucket,
    since: OffsetDateTime,
    opened: Instant,
    /// Refusals this interval, the first (recorded in full) included.
    refused: u64,
    by_reason: BTreeMap<&'static str, u64>,
    /// Requests turned away before authentication this interval.
    limited: u64,
}

/// What one address did in one interval, for its summary event.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub address: IpAddr,
    pub since: OffsetDateTime,
    pub until: OffsetDateTime,
    /// Refusals counted but not recorded one by one.
    pub unrecorded: u64,
    pub by_reason: BTreeMap<&'static str, u64>,
    pub limited: u64,
}

/// The per-address refusal buckets and counts.
#[derive(Debug)]
pub struct AddressGuard {
    /// Tokens per second (0: no limit, counting only).
    rate: f64,
    burst: f64,
    addresses: Mutex<HashMap<IpAddr, Address>>,
}

impl AddressGuard {
    pub fn new(per_minute: u32, burst: u32) -> AddressGuard {
        AddressGuard {
            rate: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// The entry of `ip` (the shared [`OVERFLOW`] entry past
    /// [`MAX_TRACKED`]), created when `create`, its bucket refilled.
    fn entry<'m>(
        &self,
        map: &'m mut HashMap<IpAddr, Address>,
        ip: IpAddr,
        create: bool,
        now: Instant,
    ) -> Option<&'m mut Address> {
        let ip = if map.len() >= MAX_TRACKED && !map.contains_key(&ip) {
            OVERFLOW
        } else {
            ip
        };
        let a = if create {
            map.entry(ip).or_insert_with(|| Address {
                bucket: TokenBucket::full(self.burst, now),
                since: OffsetDateTime::now_utc(),
                opened: now,
                refused: 0,
                by_reason: BTreeMap::new(),
                limited: 0,
            })
        } else {
            map.get_mut(&ip)?
        };
        a.bucket.refill(self.rate, self.burst, now);
        Some(a)
    }

    /// Before authentication: `Err(seconds to wait)` when the address has
    /// used up its refusals (the turned-away request is counted). An
    /// address never refused is not even tracked.
    pub fn admit(&self, ip: IpAddr) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let Some(a) = self.entry(&mut map, ip, false, Instant::now()) else {
            return Ok(());
        };
        if a.bucket.tokens >= 1.0 {
            Ok(())
        } else {
            a.limited += 1;
            Err(a.bucket.wait_secs(self.rate))
        }
    }

    /// A refused authentication from `ip`: takes a token and counts it.
    /// `true` when it is the address's first refusal of the interval (to
    /// be recorded in full); later ones go into the summary.
    pub fn refused(&self, ip: IpAddr, reason: &'static str) -> bool {
        let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let rate = self.rate;
        let Some(a) = self.entry(&mut map, ip, true, Instant::now()) else {
            return true;
        };
        if rate > 0.0 {
            a.bucket.tokens = (a.bucket.tokens - 1.0).max(0.0);
        }
        a.refused += 1;
        if a.refused == 1 {
            true
        } else {
            *a.by_reason.entry(reason).or_default() += 1;
            false
        }
    }

    /// The summaries of intervals that have ended (all of them when
    /// `everything`, at shutdown), and forgets addresses that are quiet
    /// with a full bucket.
    pub fn sweep(&self, everything: bool) -> Vec<Summary> {
        let now = Instant::now();
        let until = OffsetDateTime::now_utc();
        let mut out = Vec::new();
        let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let (rate, burst) = (self.rate, self.burst);
        map.retain(|ip, a| {
            if !everything && now.duration_since(a.opened) < SUMMARY_INTERVAL {
                return true;
            }
            let unrecorded = a.refused.saturating_sub(1);
            if unrecorded > 0 || a.limited > 0 {
                out.push(Summary {
                    address: *ip,
                    since: a.since,
                    until,
                    unrecorded,
                    by_reason: std::mem::take(&mut a.by_reason),
                    limited: a.limited,
                });
            }
            a.bucket.refill(rate, burst, now);
            let tokens = a.bucket.tokens;
            let quiet = a.refused == 0 && a.limited == 0;
            a.refused = 0;
            a.limited = 0;
            a.by_reason.clear();
            a.opened = now;
            a.since = until;
            // keep an address while its bucket is refilling
            !(quiet && tokens >= burst)
        });
        out
    }
}

impl Summary {
    /// The audit event of this summary.
    pub fn event(&self) -> AuditEvent {
        AuditEvent {
            at: self.until,
            actor: "-".into(),
            agency: "-".into(),
            key_id: "-".into(),
            action: "access.refused.summary",
            target: Some(self.address.to_string()),
            outcome: "denied",
            detail: json!({
                "address": self.address.to_string(),
                "since": self.since.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "until": self.until.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "refused_unrecorded": self.unrecorded,
                "by_reason": self.by_reason,
                "turned_away_before_authentication": self.limited,
            }),
        }
    }
}

/// The source address of a request (the TCP peer), when the server knows
/// it (`None` for requests made in-process, as tests do).
pub(crate) fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The middleware at the door: waits for room in the audit journal (503
/// after [`JOURNAL_WAIT`]), then turns away addresses that have used up
/// their refusals (429), before any authentication work.
pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // liveness and metrics answer even when the journal is behind
    let exempt = matches!(req.uri().path(), "/healthz" | "/metrics");
    if !exempt
        && let Some(journal) = state.audit.journal()
        && !journal.wait_for_room(JOURNAL_WAIT).await
    {
        return busy(
            StatusCode::SERVICE_UNAVAILABLE,
            "journal-behind",
            "the audit journal is behind; retry shortly".into(),
            1,
        );
    }
    if let Some(ip) = peer(req.extensions())
        && let Err(wait) = state.guard.admit(ip)
    {
        state.metrics.address_limited.inc();
        return busy(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-refusals",
            format!("too many refused requests from this address; retry in {wait} s"),
            wait,
        );
    }
    next.run(req).await
}

fn busy(status: StatusCode, kind: &'static str, detail: String, retry: u64) -> Response {
    let mut r = ApiError::new(status, kind, detail).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// Records the summaries of ended intervals every few seconds; stops when
/// the state is dropped.
pub(crate) async fn summary_loop(state: std::sync::Weak<crate::state::Inner>) {
    loop {
        tokio::time::sleep(SUMMARY_INTERVAL / 6).await;
        let Some(inner) = state.upgrade() else { return };
        for s in inner.guard.sweep(false) {
            inner.audit.record(s.event());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn the_first_refusal_is_recorded_the_rest_counted() {
        let g = AddressGuard::new(60, 5);
        assert!(g.refused(A, "unknown key"));
        for _ in 0..9 {
            assert!(!g.refused(A, "unknown key"));
        }
        assert!(g.refused(B, "wrong secret"));
        let s = g.sweep(true);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].address, A);
        assert_eq!(s[0].unrecorded, 9);
        assert_eq!(s[0].by_reason.get("unknown key"), Some(&9));
    }

    #[test]
    fn an_address_out_of_refusals_is_turned_away_and_others_are_not() {
        let g = AddressGuard::new(60, 5);
        for _ in 0..5 {
            g.refused(A, "unknown key");
        }
        assert!(g.admit(A).is_err());
        assert!(g.admit(A).is_err());
        assert!(g.admit(B).is_ok());
        let s = g.sweep(true);
        assert_eq!(s[0].limited, 2);
    }

    #[test]
    fn without_a_rate_refusals_are_only_counted() {
        let g = AddressGuard::new(0, 1);
        for _ in 0..100 {
            g.refused(A, "unknown key");
        }
        assert!(g.admit(A).is_ok());
        assert_eq!(g.sweep(true)[0].unrecorded, 99);
    }

    #[test]
    fn an_address_that_never_failed_is_not_tracked() {
        let g = AddressGuard::new(60, 5);
        assert!(g.admit(A).is_ok());
        assert!(g.sweep(true).is_empty());
        assert!(g.addresses.lock().unwrap().is_empty());
    }
}
