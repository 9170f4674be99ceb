//! The shared state of a running node and the screening index it holds.
//!
//! The index is derived state: rebuilt from `store.active_entities()` at
//! start and after every change, by one background task, and swapped in
//! with `ArcSwap` so screenings never wait for a rebuild. Writers ask for a
//! rebuild and wait (bounded) until an index that includes their write is
//! live; several writes arriving during one rebuild share the next one.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tansiq_matching::{Index, MatcherConfig};
use tansiq_model::Visibility;
use tansiq_store::Store;
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};

use crate::auth::{KeyCache, Pepper, RateLimiter};
use crate::metrics::{Metrics, SourceLabels};
use crate::{AuditSink, Config, ServerError};

/// A list (or the national entries) as screened by one index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListState {
    pub source: String,
    pub version: Option<String>,
    pub imported_at: Option<OffsetDateTime>,
    pub active: usize,
}

/// One built index and what it was built from.
#[derive(Debug)]
pub struct Snapshot {
    pub index: Index,
    pub lists: Vec<ListState>,
    /// Entities whose visibility is restricted to some agencies: screening
    /// asks the index for this many extra candidates so that filtering out
    /// what the caller may not see never shortens its answer.
    pub restricted: usize,
    pub generation: u64,
    pub built_at: OffsetDateTime,
    /// The store's change-feed head read before the entities: every entity
    /// write up to it is in this index.
    pub change_head: i64,
    /// The stored version of each indexed entity, read with its content:
    /// the version a match was made against (what a hit records and a
    /// dismissal suppresses), without a store read per hit.
    pub versions: HashMap<String, i64>,
}

/// The live index and its rebuild machinery.
#[derive(Debug)]
pub struct IndexHolder {
    current: ArcSwap<Snapshot>,
    requested: AtomicU64,
    built: watch::Sender<u64>,
    wake: Notify,
}

impl IndexHolder {
    fn new(first: Snapshot) -> IndexHolder {
        let generation = first.generation;
        IndexHolder {
            current: ArcSwap::from_pointee(first),
            requested: AtomicU64::new(generation),
            built: watch::Sender::new(generation),
            wake: Notify::new(),
        }
    }

    /// The live snapshot.
    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }
}

/// Everything a handler needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub store: Store,
    pub config: Config,
    pub index: IndexHolder,
    pub metrics: Metrics,
    pub pepper: Pepper,
    pub audit: Arc<dyn AuditSink>,
    pub keys: KeyCache,
    pub limiter: RateLimiter,
    /// The node's Ed25519 identity (`[node] identity_file`).
    pub identity: Arc<tansiq_trust::NodeKeys>,
    pub review: crate::review::Review,
    /// Federation partners for the screening path (cached briefly).
    pub partner_cache: crate::federation::PartnerCache,
    /// The hit/no-hit checks' HTTP client and per-partner circuit breakers.
    pub fed_checks: crate::federation::CheckState,
    pub(crate) ready: AtomicBool,
}

impl AppState {
    pub(crate) fn from_inner(inner: Arc<Inner>) -> AppState {
        AppState(inner)
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The matcher settings from the node's `[screening]` section.
pub fn matcher_config(config: &Config) -> MatcherConfig {
    MatcherConfig {
        possible: config.screening.possible,
        strong: config.screening.strong,
        ..MatcherConfig::default()
    }
}

async fn build_snapshot(
    store: &Store,
    config: MatcherConfig,
    generation: u64,
) -> Result<Snapshot, ServerError> {
    let change_head = store.change_head().await?;
    let (entities, versions): (Vec<_>, Vec<_>) = store
        .active_entities_versioned()
        .await?
        .into_iter()
        .map(|(e, v)| {
            let id = e.id.clone();
            (e, (id, v))
        })
        .unzip();
    let versions: HashMap<String, i64> = versions.into_iter().collect();
    let sources = store.sources().await?;
    let restricted = entities
        .iter()
        .filter(|e| e.sharing.visibility != Visibility::National)
        .count();
    let index = tokio::task::spawn_blocking(move || Index::build(entities, config))
        .await
        .map_err(|e| ServerError::Account(format!("index build failed: {e}")))?;
    let lists = sources
        .into_iter()
        .map(|s| ListState {
            source: s.source,
            version: s.version,
            imported_at: s.imported_at,
            active: s.active,
        })
        .collect();
    Ok(Snapshot {
        index,
        lists,
        restricted,
        generation,
        built_at: OffsetDateTime::now_utc(),
        change_head,
        versions,
    })
}

impl AppState {
    /// Builds the first index from the store and starts the rebuild task.
    pub async fn new(
        store: Store,
        config: Config,
        pepper: Pepper,
        audit: Arc<dyn AuditSink>,
    ) -> Result<AppState, ServerError> {
        let started = Instant::now();
        let identity = Arc::new(crate::identity::load_or_create_identity(
            &config.node.identity_file,
            &config.node.id,
        )?);
        let first = build_snapshot(&store, matcher_config(&config), 0).await?;
        crate::review::init_cursor(&store, first.change_head).await?;
        let metrics = Metrics::new();
        let limiter = RateLimiter::new(
            config.rate_limit.per_key_per_second,
            config.rate_limit.burst,
        );
        let journal = audit
            .journal()
            .unwrap_or_else(|| crate::journal::Journal::start(store.clone()));
        let review = crate::review::Review::new(journal);
        let state = AppState(Arc::new(Inner {
            review,
            store,
            index: IndexHolder::new(first),
            metrics,
            pepper,
            audit,
            keys: KeyCache::default(),
            limiter,
            identity,
            partner_cache: Default::default(),
            fed_checks: Default::default(),
            ready: AtomicBool::new(true),
            config,
        }));
        state.index_metrics(started.elapsed());
        tokio::spawn(rebuild_loop(Arc::downgrade(&state.0)));
        if state.config.store.follow_changes_ms > 0 {
            tokio::spawn(follow_loop(Arc::downgrade(&state.0)));
        }
        tokio::spawn(crate::review::rescreen_loop(Arc::downgrade(&state.0)));
        Ok(state)
    }

    /// Asks for an index including every write committed so far and waits
    /// until it is live, at most `wait`. Returns whether it became live
    /// in time (the write is durable either way).
    pub async fn refresh_index(&self, wait: Duration) -> bool {
        let want = self.index.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.index.wake.notify_one();
        let mut rx = self.index.built.subscribe();
        tokio::time::timeout(wait, rx.wait_for(|built| *built >= want))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    fn index_metrics(&self, took: Duration) {
        let snap = self.index.load();
        self.metrics.index_entities.set(snap.index.len() as i64);
        self.metrics.index_names.set(snap.index.name_count() as i64);
        self.metrics.index_build_seconds.set(took.as_secs_f64());
    }

    /// Refreshes the gauges computed at scrape time (list ages).
    pub fn scrape_metrics(&self) {
        let now = OffsetDateTime::now_utc();
        for list in &self.index.load().lists {
            if let Some(at) = list.imported_at {
                self.metrics
                    .list_age_seconds
                    .get_or_create(&SourceLabels {
                        source: list.source.clone(),
                    })
                    .set((now - at).as_seconds_f64());
            }
        }
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Marks the node as draining (readiness fails, requests still served).
    pub fn set_draining(&self) {
        self.ready.store(false, Ordering::SeqCst);
    }
}

/// Follows the store's change feed: when its head moves past what the live
/// index holds (a write through another replica on the same PostgreSQL, or
/// an import by `tansiq import` / `tansiq lists update` beside the running
/// node), asks for a rebuild. Polls every `[store] follow_changes_ms`; stops
/// when the state is dropped.
async fn follow_loop(state: std::sync::Weak<Inner>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        let every = Duration::from_millis(inner.config.store.follow_changes_ms.max(10));
        let live = inner.index.load().change_head;
        let pending = inner.index.requested.load(Ordering::SeqCst) > *inner.index.built.borrow();
        match inner.store.change_head().await {
            Ok(head) if head > live && !pending => {
                tracing::debug!(head, live, "change feed moved: rebuilding the index");
                inner.index.requested.fetch_add(1, Ordering::SeqCst);
                inner.index.wake.notify_one();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reading the change feed failed"),
        }
        drop(inner);
        tokio::time::sleep(every).await;
    }
}

/// Rebuilds the index whenever asked, coalescing requests; stops when the
/// state is dropped.
async fn rebuild_loop(state: std::sync::Weak<Inner>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        let target = inner.index.requested.load(Ordering::SeqCst);
        if *inner.index.built.borrow() >= target {
            // Wake up now and then to notice a dropped state. (A
            // notify_one sent meanwhile is stored as a permit, so no wake
            // is lost.)
            let _ = tokio::time::timeout(Duration::from_secs(1), inner.index.wake.notified()).await;
            drop(inner);
            continue;
        }
        let started = Instant::now();
        match build_snapshot(&inner.store, matcher_config(&inner.config), target).await {
            Ok(snap) => {
                inner.index.current.store(Arc::new(snap));
                inner.index.built.send_replace(target);
                AppState(inner.clone()).index_metrics(started.elapsed());
                // New or changed entities: look back at recent screenings.
                inner.review.index_changed();
                tracing::info!(
                    generation = target,
                    took_ms = started.elapsed().as_millis() as u64,
                    "screening index rebuilt"
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "index rebuild failed; the previous index stays live");
                drop(inner);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
