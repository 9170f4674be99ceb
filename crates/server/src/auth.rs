//! Who is calling, what they may do, and what they may see.
//!
//! API keys are `tsq_<id>_<secret>`: `id` (16 hex digits) is public and
//! finds the key; `secret` (64 hex digits, 256 random bits) is shown once
//! and never stored. The store keeps `HMAC-SHA256(pepper, id ":" secret)`,
//! with a pepper that lives in a file outside the database, and the check
//! compares in constant time. A slow password hash would buy nothing for a
//! 256-bit random secret and would make every request a DoS lever.
//!
//! Verified keys are cached for [`KEY_CACHE_TTL`] so screening does not hit
//! the database per request; a revocation through this node drops the
//! cache entry at once, one through another replica takes effect within
//! the TTL.
//!
//! **Architecture invariant:** every `/v1` handler takes a [`Principal`]
//! and calls [`Principal::require`] before anything else; entries are
//! filtered with [`visible_to`] before they reach any response, error
//! message or audit detail meant for the caller.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tansiq_model::{Entity, Visibility};
use tansiq_store::{ApiKeyRecord, Role, User};
use time::OffsetDateTime;

use crate::{ApiError, AppState, AuditEvent, ServerError};

/// How long a verified key is trusted without reading the store again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(5);

/// The node's secret for keyed key hashes.
#[derive(Clone)]
pub struct Pepper([u8; 32]);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper(..)")
    }
}

impl Pepper {
    pub fn from_bytes(bytes: [u8; 32]) -> Pepper {
        Pepper(bytes)
    }

    /// A fresh random pepper.
    pub fn random() -> Pepper {
        let mut b = [0u8; 32];
        rand::fill(&mut b[..]);
        Pepper(b)
    }

    /// Reads the pepper file (64 hex digits), creating it with a random
    /// pepper (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Pepper, ServerError> {
        let err = |reason: String| ServerError::File {
            what: "pepper file",
            path: path.display().to_string(),
            reason,
        };
        let parse = |text: &str| {
            let bytes = hex_decode(text.trim())
                .filter(|b| b.len() == 32)
                .ok_or_else(|| err("must hold 64 hex digits".into()))?;
            let mut out = [0u8; 32];
            out.copy_from_slice(&bytes);
            Ok(Pepper(out))
        };
        match std::fs::read_to_string(path) {
            Ok(text) => parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pepper = Pepper::random();
                let created =
                    crate::identity::write_new_atomic(path, &(hex(&pepper.0) + "\n"), true)
                        .map_err(|e| err(e.to_string()))?;
                if !created {
                    // a replica starting beside this one created it first
                    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
                    return parse(&text);
                }
                tracing::info!(path = %path.display(), "created a new API-key pepper");
                Ok(pepper)
            }
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// The keyed hash stored for a key (hex).
    pub fn hash(&self, key_id: &str, secret: &str) -> String {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(key_id.as_bytes());
        mac.update(b":");
        mac.update(secret.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A newly issued key: the token is shown once.
#[derive(Clone, Debug)]
pub struct IssuedKey {
    pub token: String,
    pub record: ApiKeyRecord,
}

/// Splits `tsq_<id>_<secret>`; `None` when the shape is wrong.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("tsq_")?;
    let (id, secret) = rest.split_once('_')?;
    let hexy = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hexy(id, 16) && hexy(secret, 64)).then_some((id, secret))
}

/// Issues a key for `user_id`: random id and secret, stores only the hash.
pub async fn issue_key(
    store: &tansiq_store::Store,
    pepper: &Pepper,
    user_id: &str,
    label: &str,
    expires_at: OffsetDateTime,
) -> Result<IssuedKey, tansiq_store::StoreError> {
    let mut id = [0u8; 8];
    let mut secret = [0u8; 32];
    rand::fill(&mut id[..]);
    rand::fill(&mut secret[..]);
    let (id, secret) = (hex(&id), hex(&secret));
    let record = store
        .insert_api_key(&id, user_id, &pepper.hash(&id, &secret), label, expires_at)
        .await?;
    Ok(IssuedKey {
        token: format!("tsq_{id}_{secret}"),
        record,
    })
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub key_id: String,
}

impl Principal {
    pub fn agency(&self) -> &str {
        &self.user.agency_id
    }

    /// Passes when the user holds one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.user.has(*r)) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "this needs the role {}",
                names.join(" or ")
            )))
        }
    }

    /// Whether the caller may administer an account of `agency` holding
    /// `roles` (create it, (de)activate it, issue, list and revoke its
    /// keys). The one rule of account administration:
    /// - an agency administrator ([`Role::Admin`]) manages accounts of its
    ///   own agency that hold no node-wide role;
    /// - a node administrator ([`Role::NodeAdmin`]) manages administrative
    ///   accounts (admins, node administrators, node auditors) of every
    ///   agency, never the working accounts (officers, analysts, contact
    ///   points, agency auditors) of another agency: it sets up an agency
    ///   and its administrator, who then runs the agency.
    pub fn may_administer(&self, agency: &str, roles: &[Role]) -> bool {
        let as_agency_admin = self.user.has(Role::Admin)
            && agency == self.agency()
            && !roles.iter().any(|r| r.is_node_wide());
        let as_node_admin =
            self.user.has(Role::NodeAdmin) && roles.iter().all(|r| r.is_administrative());
        as_agency_admin || as_node_admin
    }

    /// Whether the caller sees the accounts of `agency` at all: its own
    /// agency's administrators and auditors, and node administrators.
    pub fn sees_accounts_of(&self, agency: &str) -> bool {
        self.user.has(Role::NodeAdmin) || (self.user.has(Role::Admin) && agency == self.agency())
    }

    pub fn can_see(&self, entity: &Entity) -> bool {
        visible_to(entity, self.agency())
    }

    /// An audit event by this caller.
    pub fn event(
        &self,
        action: &'static str,
        target: Option<String>,
        outcome: &'static str,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at: OffsetDateTime::now_utc(),
            actor: self.user.id.clone(),
            agency: self.user.agency_id.clone(),
            key_id: self.key_id.clone(),
            action,
            target,
            outcome,
            detail,
        }
    }
}

/// Who administers accounts: agency administrators (their own agency) and
/// node administrators (administrative accounts of every agency); see
/// [`Principal::may_administer`].
pub const ACCOUNT_ADMINS: &[Role] = &[Role::Admin, Role::NodeAdmin];
/// Who manages the node itself: agencies, partners, list sources.
pub const NODE_ADMINS: &[Role] = &[Role::NodeAdmin];
/// Who reads the audit log: an agency's auditors (its own events) and node
/// auditors (every agency's, redacted by policy).
pub const AUDITORS: &[Role] = &[Role::Auditor, Role::NodeAuditor];

/// Whether `agency` may see `entity` (originator control). Public-list
/// entries are national; an entry without an originating agency and a
/// restricted visibility is seen by nobody but is still kept.
pub fn visible_to(entity: &Entity, agency: &str) -> bool {
    let own = entity.origin_agency.as_deref() == Some(agency);
    match &entity.sharing.visibility {
        Visibility::National => true,
        Visibility::Originator => own,
        Visibility::Agencies { agencies } => own || agencies.iter().any(|a| a == agency),
    }
}

#[derive(Debug)]
struct CachedKey {
    key: ApiKeyRecord,
    user: User,
    fetched: Instant,
}

/// Verified keys by id.
#[derive(Debug, Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, CachedKey>>,
}

impl KeyCache {
    pub fn forget(&self, key_id: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.remove(key_id);
        }
    }

    pub fn forget_user(&self, user_id: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.retain(|_, c| c.user.id != user_id);
        }
    }

    fn get(&self, key_id: &str) -> Option<(ApiKeyRecord, User)> {
        let e = self.entries.lock().ok()?;
        let c = e.get(key_id)?;
        (c.fetched.elapsed() < KEY_CACHE_TTL).then(|| (c.key.clone(), c.user.clone()))
    }

    fn put(&self, key: ApiKeyRecord, user: User) {
        if let Ok(mut e) = self.entries.lock() {
            // Bounded by the number of valid keys; stale entries are
            // dropped when the map grows.
            if e.len() > 10_000 {
                e.retain(|_, c| c.fetched.elapsed() < KEY_CACHE_TTL);
            }
            e.insert(
                key.id.clone(),
                CachedKey {
                    key,
                    user,
                    fetched: Instant::now(),
                },
            );
        }
    }
}

/// A token bucket: `rate` tokens a second, at most `burst`. The one
/// refill rule of the per-key limit ([`RateLimiter`]) and of the
/// per-address refusal limit (`crate::flood`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenBucket {
    pub tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(burst: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            tokens: burst,
            last: now,
        }
    }

    /// Adds what `rate` earned since the last refill, up to `burst`.
    pub fn refill(&mut self, rate: f64, burst: f64, now: Instant) {
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(burst);
        self.last = now;
    }

    /// Takes one token if there is one.
    pub fn take(&mut self) -> bool {
        let ok = self.tokens >= 1.0;
        if ok {
            self.tokens -= 1.0;
        }
        ok
    }

    /// Whole seconds until a token is back (at least 1).
    pub fn wait_secs(&self, rate: f64) -> u64 {
        ((1.0 - self.tokens) / rate).ceil().max(1.0) as u64
    }
}

/// A token bucket per key.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            rate: f64::from(per_second),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(seconds to wait)` when empty.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let bucket = buckets
            .entry(key.to_string())
            .or_insert_with(|| TokenBucket::full(self.burst, now));
        bucket.refill(self.rate, self.burst, now);
        if bucket.take() {
            Ok(())
        } else {
            Err(bucket.wait_secs(self.rate))
        }
    }
}

/// Whether a key may be issued for `days` under `[security]
/// key_max_days` (`max`): the one rule for the API and the CLI.
pub fn check_key_days(days: u32, max: u32) -> Result<(), String> {
    if days == 0 || days > max {
        Err(format!(
            "a key lives 1 to {max} days (security.key_max_days); {days} asked"
        ))
    } else {
        Ok(())
    }
}

/// Refusal of the rate limiter: a 429 problem with `Retry-After`.
#[derive(Debug)]
pub struct AuthRejection {
    error: ApiError,
    retry_after: Option<u64>,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let mut r = self.error.into_response();
        if r.status() == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tansiq\""),
            );
        }
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

impl From<ApiError> for AuthRejection {
    fn from(error: ApiError) -> AuthRejection {
        AuthRejection {
            error,
            retry_after: None,
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Principal, AuthRejection> {
        let address = crate::flood::peer(&parts.extensions);
        let denied = |reason: &'static str, key_id: &str| {
            // From a known address, only the first refusal of an interval
            // is recorded in full; the rest go into its summary.
            let in_full = address.is_none_or(|ip| state.guard.refused(ip, reason));
            if in_full {
                state.audit.record(AuditEvent {
                    at: OffsetDateTime::now_utc(),
                    actor: "-".into(),
                    agency: "-".into(),
                    key_id: key_id.to_string(),
                    action: "auth",
                    target: None,
                    outcome: "denied",
                    detail: serde_json::json!({
                        "reason": reason,
                        "address": address.map(|a| a.to_string()),
                    }),
                });
            }
            AuthRejection::from(ApiError::unauthorized(
                "a valid API key is needed: Authorization: Bearer tsq_<id>_<secret>",
            ))
        };
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(denied("no Authorization header", "-"));
        };
        let Some(token) = value
            .to_str()
            .ok()
            // yente's clients (yente-client, nomenklatura) send the
            // same key with the scheme `ApiKey`.
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("ApiKey "))
            })
            .map(str::trim)
        else {
            return Err(denied("not a Bearer or ApiKey token", "-"));
        };
        let Some((id, secret)) = parse_token(token) else {
            return Err(denied("malformed token", "-"));
        };
        let (key, user) = match state.keys.get(id) {
            Some(hit) => hit,
            None => match state.store.api_key(id).await {
                Ok(Some((key, user))) => {
                    state.keys.put(key.clone(), user.clone());
                    (key, user)
                }
                Ok(None) => return Err(denied("unknown key", id)),
                Err(e) => {
                    tracing::error!(error = %e, "key lookup failed");
                    return Err(ApiError::internal().into());
                }
            },
        };
        let presented = state.pepper.hash(id, secret);
        let matches: bool = presented.as_bytes().ct_eq(key.hash.as_bytes()).into();
        if !matches {
            return Err(denied("wrong secret", id));
        }
        if !key.usable_at(OffsetDateTime::now_utc()) {
            return Err(denied("expired or revoked key", id));
        }
        if !user.active {
            return Err(denied("user deactivated", id));
        }
        if let Err(wait) = state.limiter.check(id) {
            state.metrics.rate_limited.inc();
            return Err(AuthRejection {
                error: ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    format!("too many requests with this key; retry in {wait} s"),
                ),
                retry_after: Some(wait),
            });
        }
        if let Some(slot) = parts.extensions.get::<crate::refusals::CallerSlot>() {
            slot.set(&user.id, &user.agency_id, id);
        }
        Ok(Principal {
            user,
            key_id: id.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_model::{Schema, SharingPolicy};

    #[test]
    fn tokens_parse_only_in_shape() {
        let id = "0123456789abcdef";
        let secret = "ab".repeat(32);
        let t = format!("tsq_{id}_{secret}");
        assert_eq!(parse_token(&t), Some((id, secret.as_str())));
        for bad in [
            "",
            "tsq_",
            "wl_0123456789abcdef_00",
            &format!("tsq_{id}_{}", &secret[1..]),
            &format!("tsq_{id}x_{secret}"),
            &format!("tsq_{id}_{secret}_"),
        ] {
            assert_eq!(parse_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn hash_depends_on_pepper_id_and_secret() {
        let p = Pepper::from_bytes([7; 32]);
        let h = p.hash("a", "s");
        assert_eq!(h.len(), 64);
        assert_eq!(h, p.hash("a", "s"));
        assert_ne!(h, p.hash("b", "s"));
        assert_ne!(h, p.hash("a", "t"));
        assert_ne!(h, Pepper::from_bytes([8; 32]).hash("a", "s"));
    }

    #[test]
    fn pepper_file_is_created_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pepper");
        let a = Pepper::load_or_create(&path).unwrap();
        let b = Pepper::load_or_create(&path).unwrap();
        assert_eq!(a.hash("x", "y"), b.hash("x", "y"));
        std::fs::write(&path, "nothex").unwrap();
        assert!(Pepper::load_or_create(&path).is_err());
    }

    #[test]
    fn visibility_follows_the_sharing_policy() {
        let mut e = Entity::new("e", Schema::Person);
        assert!(visible_to(&e, "anyone"));
        e.origin_agency = Some("dz-a".into());
        e.sharing = SharingPolicy {
            visibility: Visibility::Originator,
            ..SharingPolicy::default()
        };
        assert!(visible_to(&e, "dz-a"));
        assert!(!visible_to(&e, "dz-b"));
        e.sharing.visibility = Visibility::Agencies {
            agencies: vec!["dz-b".into()],
        };
        assert!(visible_to(&e, "dz-b"));
        assert!(!visible_to(&e, "dz-c"));
    }

    #[test]
    fn rate_limiter_refills() {
        let l = RateLimiter::new(1000, 2);
        assert!(l.check("k").is_ok());
        assert!(l.check("k").is_ok());
        assert!(l.check("k").is_err());
        assert!(l.check("other").is_ok());
        std::thread::sleep(Duration::from_millis(5));
        assert!(l.check("k").is_ok());
        assert!(RateLimiter::new(0, 0).check("k").is_ok());
    }
}
