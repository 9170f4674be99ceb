//! The screening hook: hit/no-hit partners asked at once behind a
//! circuit breaker, and hits on foreign entries told to their originator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tansiq_federation::{CheckAnswer, Envelope, HitNotice, HitVia, Level, Payload, Traveller};
use tansiq_matching::Query;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;

use super::dto::*;
use super::worker::*;

/// The partner list as the screening path reads it: from the store at most
/// once per [`PARTNER_CACHE_TTL`] (another replica's change is seen within
/// it), and at once after a local `put_partner`. Without it every screening
/// paid a store query, with or without partners.
#[derive(Debug, Default)]
pub struct PartnerCache {
    cached: std::sync::Mutex<Option<(std::time::Instant, Arc<Vec<tansiq_store::Partner>>)>>,
}

/// How long a cached partner list is used.
pub const PARTNER_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl PartnerCache {
    async fn get(
        &self,
        store: &tansiq_store::Store,
    ) -> Result<Arc<Vec<tansiq_store::Partner>>, tansiq_store::StoreError> {
        if let Some((at, list)) = self
            .cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && at.elapsed() < PARTNER_CACHE_TTL
        {
            return Ok(list.clone());
        }
        let list = Arc::new(store.partners().await?);
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), list.clone()));
        Ok(list)
    }

    /// Forgets the cached list (after a local change of partners).
    pub fn invalidate(&self) {
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The traveller fields a check or notice can carry (the agreement then
/// keeps only those it names).
pub(crate) fn traveller_of(query: &Query) -> Traveller {
    Traveller {
        name: query.names.first().cloned(),
        birth_date: query.birth_dates.first().cloned(),
        nationality: query.nationalities.first().cloned(),
        document_number: query.documents.first().cloned(),
    }
}

pub(crate) fn is_hit_band(band: &str) -> bool {
    matches!(band, "possible" | "strong")
}

/// After a screening, for each local hit on a foreign copy (a match at or
/// above the possible band on a `fed:<origin>` entry, for which the review
/// raised a hit): records it and queues its notice to the originator. The
/// notice id is `<this node>:<local hit id>`, so the local hit and the
/// notice name each other and a hit raised twice (a concurrent
/// re-screening) is told once. A pair dismissed before (the match carries
/// `previously_dismissed`) raises no hit and tells nobody. Failures are
/// logged: the screening is answered whatever federation does.
pub(crate) async fn notify_foreign_hits(
    state: &AppState,
    screening_id: &str,
    query: &Query,
    matches: &[crate::dto::MatchDto],
) {
    let foreign: Vec<ForeignHit> = matches
        .iter()
        .filter(|m| {
            is_hit_band(&m.band) && m.previously_dismissed.is_none() && m.source.starts_with("fed:")
        })
        .map(|m| ForeignHit {
            entity_id: m.entity_id.clone(),
            source: m.source.clone(),
            score: m.score,
            local_hit_id: m.hit_id.clone(),
        })
        .collect();
    notify(state, screening_id, query, foreign).await;
}

/// The hits a re-screening pass raised on foreign copies (an entry a
/// partner shared after the traveller crossed) are told to their
/// originators like those of a screening.
pub(crate) async fn notify_rescreen_hits(state: &AppState, hits: &[&tansiq_store::NewHit]) {
    for h in hits.iter().filter(|h| h.source.starts_with("fed:")) {
        let Some(query) = h
            .context
            .get("query")
            .and_then(crate::review::query_from_json)
        else {
            continue;
        };
        let hit = ForeignHit {
            entity_id: h.entity_id.clone(),
            source: h.source.clone(),
            score: h.score,
            local_hit_id: Some(h.id.clone()),
        };
        notify(state, &h.screening_id, &query, vec![hit]).await;
    }
}

/// A local hit on a partner's full copy.
pub(crate) struct ForeignHit {
    entity_id: String,
    source: String,
    score: f64,
    local_hit_id: Option<String>,
}

pub(crate) async fn notify(
    state: &AppState,
    screening_id: &str,
    query: &Query,
    hits: Vec<ForeignHit>,
) {
    if hits.is_empty() {
        return;
    }
    let partners = match state.partner_cache.get(&state.store).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "federation: cannot read partners after a screening");
            return;
        }
    };
    let traveller = traveller_of(query);
    let now = OffsetDateTime::now_utc();
    let me = state.identity.node();
    let snap = state.index.load();
    for m in hits {
        let Some(origin) = m.source.strip_prefix("fed:") else {
            continue;
        };
        let Some(partner) = partners.iter().find(|p| p.id == origin) else {
            continue;
        };
        let Some(e) = snap.index.entity(&m.entity_id) else {
            continue;
        };
        let notice = HitNotice {
            hit_id: match &m.local_hit_id {
                Some(local) => format!("{me}:{local}"),
                // The hit could not be written here: still tell the
                // originator, under an id stable for this screening.
                None => format!("{me}:{screening_id}:{}", m.entity_id),
            },
            reference: e.provenance.source_record_id.clone().unwrap_or_default(),
            action: e.action_on_hit,
            via: HitVia::LocalCopy,
            traveller: partner.incoming.minimise(&traveller),
            score: m.score,
            screened_at: now,
        };
        if let Err(e) = state
            .store
            .record_hit(&state.identity, origin, notice)
            .await
        {
            tracing::error!(error = %e, partner = origin, "federation: hit notice not queued");
        }
    }
}

/// A partner that gave no hit/no-hit answer for a screening.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnansweredDto {
    pub partner: String,
    /// `timeout` (no answer within `[federation] check_timeout_ms`),
    /// `error` (unreachable, refused, or an answer that does not open) or
    /// `cooling-down` (not asked: it failed moments ago).
    pub reason: String,
}

/// What the partners' online checks gave for one screened traveller.
#[derive(Debug, Default)]
pub(crate) struct RemoteChecks {
    pub hits: Vec<RemoteHitDto>,
    pub unanswered: Vec<UnansweredDto>,
}

/// The online checks' shared parts: one HTTP client (its connections and
/// TLS sessions are reused from screening to screening) and a circuit
/// breaker per partner. After a failed check a partner is not asked for
/// `[federation] check_cooldown_ms`, doubled for each further failure in a
/// row (at most 32 times); the first check after the pause goes through,
/// and a success closes the breaker. A partner that is down therefore
/// costs a screening nothing but an "unanswered" line, instead of a wait.
#[derive(Debug, Default)]
pub struct CheckState {
    client: std::sync::OnceLock<Option<reqwest::Client>>,
    breakers: std::sync::Mutex<HashMap<String, Breaker>>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Breaker {
    failures: u32,
    open_until: std::time::Instant,
}

impl CheckState {
    fn client(&self, config: &crate::Config) -> Option<reqwest::Client> {
        self.client
            .get_or_init(|| {
                // The bound itself is applied around each check (so a late
                // answer is told from a failed one); the client's own
                // timeout is only a backstop.
                let timeout = Duration::from_millis(config.federation.check_timeout_ms.max(1))
                    .saturating_mul(2);
                match build_client(config, timeout) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        tracing::error!(error = %e, "federation: no HTTP client for checks");
                        None
                    }
                }
            })
            .clone()
    }

    fn breakers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Breaker>> {
        self.breakers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `partner` may be asked at `now` (its breaker is closed, or
    /// its pause is over).
    pub fn may_ask(&self, partner: &str, now: std::time::Instant) -> bool {
        self.breakers()
            .get(partner)
            .is_none_or(|b| now >= b.open_until)
    }

    fn failed(&self, partner: &str, now: std::time::Instant, cooldown: Duration) {
        let mut all = self.breakers();
        let b = all.entry(partner.to_string()).or_insert(Breaker {
            failures: 0,
            open_until: now,
        });
        b.failures = b.failures.saturating_add(1);
        b.open_until = now + cooldown * (1u32 << (b.failures - 1).min(5));
    }

    fn succeeded(&self, partner: &str) {
        self.breakers().remove(partner);
    }
}

/// The partners whose incoming agreement has hit/no-hit clauses: those a
/// screening asks online.
pub(crate) async fn askable_partners(state: &AppState) -> Vec<tansiq_store::Partner> {
    match state.partner_cache.get(&state.store).await {
        Ok(p) => p
            .iter()
            .filter(|p| p.incoming.rules.iter().any(|r| r.level == Level::HitNoHit))
            .cloned()
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "federation: cannot read partners for a screening");
            Vec::new()
        }
    }
}

/// Asks every hit/no-hit partner at once whether the traveller matches
/// one of its entries, and waits for each at most
/// `[federation] check_timeout_ms` (the bound a border answer can wait on
/// federation; a partner whose breaker is open is not asked at all). A hit
/// is recorded and its notice queued to the originator; partners without
/// an answer are listed, so the officer knows who was not heard.
pub(crate) async fn ask_these(
    state: &AppState,
    askable: &[tansiq_store::Partner],
    screening_id: &str,
    query: &Query,
) -> RemoteChecks {
    let mut out = RemoteChecks::default();
    let traveller = traveller_of(query);
    if askable.is_empty() || traveller.name.is_none() {
        return out;
    }
    let Some(client) = state.fed_checks.client(&state.config) else {
        out.unanswered = askable
            .iter()
            .map(|p| UnansweredDto {
                partner: p.id.clone(),
                reason: "error".into(),
            })
            .collect();
        return out;
    };
    let bound = Duration::from_millis(state.config.federation.check_timeout_ms.max(1));
    let cooldown = Duration::from_millis(state.config.federation.check_cooldown_ms);
    let me = state.identity.node();
    let started = std::time::Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for p in askable {
        if !state.fed_checks.may_ask(&p.id, started) {
            out.unanswered.push(UnansweredDto {
                partner: p.id.clone(),
                reason: "cooling-down".into(),
            });
            continue;
        }
        let state = state.clone();
        let client = client.clone();
        let p = p.clone();
        let t = p.incoming.minimise(&traveller);
        let request_id = format!("{me}:{screening_id}:{}", p.id);
        set.spawn(async move {
            let answer =
                tokio::time::timeout(bound, ask(&state, &client, &p, &request_id, t.clone())).await;
            (p, request_id, t, answer)
        });
    }
    let now = OffsetDateTime::now_utc();
    while let Some(joined) = set.join_next().await {
        let Ok((p, request_id, t, answer)) = joined else {
            continue;
        };
        let answer = match answer {
            Ok(Ok(a)) => {
                state.fed_checks.succeeded(&p.id);
                a
            }
            Ok(Err(e)) => {
                tracing::warn!(partner = %p.id, error = %e, "federation: hit/no-hit check failed");
                state
                    .fed_checks
                    .failed(&p.id, std::time::Instant::now(), cooldown);
                state.metrics.fed_check_unanswered(&p.id, "error");
                out.unanswered.push(UnansweredDto {
                    partner: p.id.clone(),
                    reason: "error".into(),
                });
                continue;
            }
            Err(_) => {
                tracing::warn!(partner = %p.id, bound_ms = bound.as_millis() as u64,
                    "federation: hit/no-hit check timed out");
                state
                    .fed_checks
                    .failed(&p.id, std::time::Instant::now(), cooldown);
                state.metrics.fed_check_unanswered(&p.id, "timeout");
                out.unanswered.push(UnansweredDto {
                    partner: p.id.clone(),
                    reason: "timeout".into(),
                });
                continue;
            }
        };
        if let CheckAnswer::Hit {
            reference,
            action,
            score,
        } = answer
        {
            let notice = HitNotice {
                hit_id: request_id.clone(),
                reference: reference.clone(),
                action,
                via: HitVia::HitNoHit,
                traveller: t,
                score,
                screened_at: now,
            };
            if let Err(e) = state.store.record_hit(&state.identity, &p.id, notice).await {
                tracing::error!(error = %e, partner = %p.id, "federation: hit notice not queued");
            }
            out.hits.push(RemoteHitDto {
                partner: p.id.clone(),
                reference,
                action: action.map(|a| a.as_str().to_string()),
                score,
                hit_id: request_id,
            });
        }
    }
    out.unanswered.sort_by(|a, b| a.partner.cmp(&b.partner));
    out
}

/// Most travellers of one manifest checked with partners at once.
pub(crate) const MANIFEST_CHECKS_IN_FLIGHT: usize = 16;

/// Asks the partners ([`ask_these`]) for each traveller of a screening
/// (screening ids `ids`, one per query), at most
/// [`MANIFEST_CHECKS_IN_FLIGHT`] travellers at a time; the answers in the
/// order of `queries`. A partner that fails opens its breaker, so the rest
/// of a flight does not wait on it again.
pub(crate) async fn ask_partners_for(
    state: &AppState,
    ids: &[String],
    queries: &[Query],
) -> Vec<RemoteChecks> {
    let askable = Arc::new(askable_partners(state).await);
    if askable.is_empty() {
        return queries.iter().map(|_| RemoteChecks::default()).collect();
    }
    if let ([id], [query]) = (ids, queries) {
        return vec![ask_these(state, &askable, id, query).await];
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(MANIFEST_CHECKS_IN_FLIGHT));
    let mut set = tokio::task::JoinSet::new();
    for (index, (id, query)) in ids.iter().zip(queries).enumerate() {
        let state = state.clone();
        let askable = askable.clone();
        let permits = permits.clone();
        let query = query.clone();
        let id = id.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, ask_these(&state, &askable, &id, &query).await)
        });
    }
    let mut out: Vec<RemoteChecks> = queries.iter().map(|_| RemoteChecks::default()).collect();
    while let Some(joined) = set.join_next().await {
        if let Ok((index, checks)) = joined {
            out[index] = checks;
        }
    }
    out
}

pub(crate) async fn ask(
    state: &AppState,
    client: &reqwest::Client,
    p: &tansiq_store::Partner,
    request_id: &str,
    traveller: Traveller,
) -> Result<CheckAnswer, String> {
    let me = state.identity.node();
    let env = Envelope::new(
        me,
        &p.id,
        None,
        OffsetDateTime::now_utc(),
        Payload::Check {
            request_id: request_id.to_string(),
            traveller,
        },
    );
    let sealed: SealedDto = tansiq_federation::seal(&state.identity, &env).into();
    let resp = client
        .post(format!("{}/fed/v1/check", p.base_url))
        .json(&sealed)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("{} answered {}", p.id, resp.status()));
    }
    let reply: SealedDto = resp.json().await.map_err(|e| e.to_string())?;
    let keys = p.keys.clone();
    let opened = tansiq_federation::open(&reply.into(), me, |n| (n == p.id).then_some(keys))
        .map_err(|e| e.to_string())?;
    match opened.envelope.payload {
        Payload::CheckAnswer {
            request_id: r,
            answer,
        } if r == request_id => Ok(answer),
        _ => Err(format!("{} answered something other than this check", p.id)),
    }
}
