//! The shared state of a running node and the screening index it holds.
//!
//! The index is derived state: built from `store.active_entities()` at
//! start, then kept current by one background task that follows the
//! store's change feed and applies what changed as a delta segment
//! ([`LiveIndex`]): the cost of a write's visibility follows the number of
//! entities changed since the last full build, not the size of the lists.
//! A large batch (a list import) is built in full at once; a grown or aged
//! segment is folded into a new full build in the background while the
//! live index keeps answering. Each new state is swapped in with `ArcSwap`,
//! so screenings never wait. Writers ask for the index to catch up and
//! wait (bounded) until it includes their write; writes arriving together
//! share one delta.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tansiq_lists::subjects::SubjectIndex;
use tansiq_matching::{Index, IndexChange, LiveIndex, MatcherConfig};
use tansiq_model::{Entity, EntryStatus, Visibility};
use tansiq_store::{EntityChange, Store};
use time::OffsetDateTime;
use tokio::sync::{Mutex, Notify, watch};

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

/// One live index and what it holds.
#[derive(Debug)]
pub struct Snapshot {
    pub index: LiveIndex,
    pub lists: Vec<ListState>,
    /// Entities whose visibility is restricted to some agencies: screening
    /// asks the index for this many extra candidates so that filtering out
    /// what the caller may not see never shortens its answer. (An upper
    /// bound between full builds: a changed entity counts again.)
    pub restricted: usize,
    pub generation: u64,
    /// When the changes up to `change_head` went live.
    pub built_at: OffsetDateTime,
    /// When the full build under the delta segment was made.
    pub base_built_at: OffsetDateTime,
    /// The store's change-feed position this index holds every entity
    /// write up to.
    pub change_head: i64,
    /// Which indexed listings of different lists are one subject, because
    /// the lists say so (`tansiq_lists::subjects`): screening raises one
    /// hit per subject. Derived, like the index, and kept current with it.
    pub subjects: Arc<SubjectIndex>,
    versions: Versions,
}

/// The stored version of each indexed entity, read with its content: the
/// version a match was made against (what a hit records and a dismissal
/// suppresses), without a store read per hit. The full build's map is
/// shared between snapshots; changes since sit on top of it.
#[derive(Debug, Clone, Default)]
struct Versions {
    base: Arc<HashMap<String, i64>>,
    /// Since the full build: the new version, or `None` when withdrawn.
    changed: HashMap<String, Option<i64>>,
}

impl Snapshot {
    /// The stored version of an indexed entity.
    pub fn version(&self, id: &str) -> Option<i64> {
        match self.versions.changed.get(id) {
            Some(v) => *v,
            None => self.versions.base.get(id).copied(),
        }
    }

    /// This snapshot with a run of the change feed applied as a delta.
    fn with_changes(&self, changes: Vec<EntityChange>, generation: u64) -> Snapshot {
        let mut versions = self.versions.clone();
        let mut lists = self.lists.clone();
        let mut restricted = self.restricted;
        let mut head = self.change_head;
        let mut delta = Vec::with_capacity(changes.len());
        // the subjects change only when a changed entity has (or had)
        // linking keys; otherwise the map is shared. Per id, the last
        // change of the run counts (put, or `None`: withdrawn).
        let mut subject_changes: HashMap<String, Option<Entity>> = HashMap::new();
        // whether each id screens now, as the changes go
        let mut live: HashMap<String, bool> = HashMap::new();
        for c in changes {
            head = head.max(c.seq);
            let id = c.entity.id.clone();
            let was = *live
                .entry(id.clone())
                .or_insert_with(|| self.index.entity(&id).is_some());
            let active = c.entity.status == EntryStatus::Active;
            let source = c.entity.provenance.source.clone();
            if was != active {
                match lists.iter_mut().find(|l| l.source == source) {
                    Some(list) if active => list.active += 1,
                    Some(list) => list.active = list.active.saturating_sub(1),
                    // the first entry of a source (an agency's first
                    // national entry): a source without list versions
                    None if active => lists.push(ListState {
                        source,
                        version: None,
                        imported_at: None,
                        active: 1,
                    }),
                    None => {}
                }
            }
            live.insert(id.clone(), active);
            if subject_changes.contains_key(&id)
                || self.subjects.touches(&id, active.then_some(&c.entity))
            {
                subject_changes.insert(id.clone(), active.then(|| c.entity.clone()));
            }
            if active {
                if c.entity.sharing.visibility != Visibility::National {
                    restricted += 1;
                }
                versions.changed.insert(id, Some(c.version));
                delta.push(IndexChange::Put(Box::new(c.entity)));
            } else {
                versions.changed.insert(id.clone(), None);
                delta.push(IndexChange::Remove(id));
            }
        }
        lists.sort_by(|a, b| a.source.cmp(&b.source));
        let subjects = if subject_changes.is_empty() {
            self.subjects.clone()
        } else {
            let (mut puts, mut removes) = (Vec::new(), Vec::new());
            for (id, e) in subject_changes {
                match e {
                    Some(e) => puts.push(e),
                    None => removes.push(id),
                }
            }
            let mut s = (*self.subjects).clone();
            s.apply(&puts, &removes);
            Arc::new(s)
        };
        Snapshot {
            subjects,
            index: self.index.apply(delta),
            lists,
            restricted,
            generation,
            built_at: OffsetDateTime::now_utc(),
            base_built_at: self.base_built_at,
            change_head: head,
            versions,
        }
    }
}

/// The live index and its rebuild machinery.
#[derive(Debug)]
pub struct IndexHolder {
    current: ArcSwap<Snapshot>,
    requested: AtomicU64,
    built: watch::Sender<u64>,
    wake: Notify,
    /// Held while a new snapshot is computed from the live one, so that a
    /// delta and a fold never publish over each other.
    publish: Mutex<()>,
}

impl IndexHolder {
    fn new(first: Snapshot) -> IndexHolder {
        let generation = first.generation;
        IndexHolder {
            current: ArcSwap::from_pointee(first),
            requested: AtomicU64::new(generation),
            built: watch::Sender::new(generation),
            wake: Notify::new(),
            publish: Mutex::new(()),
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
    /// One list source update at a time (`crate::sources`).
    pub(crate) source_updates: Mutex<()>,
    /// What `/readyz` says of stale list sources (`crate::sources::publish`).
    pub(crate) stale_sources: std::sync::Mutex<Vec<String>>,
    /// Refusal buckets and counts per source address (`crate::flood`).
    pub guard: crate::flood::AddressGuard,
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

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.0
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The warning of a node with nothing to screen against.
pub const EMPTY_INDEX_WARNING: &str = "the node screens against no list and no entry: every screening answers 'no match'. Import a list (tansiq lists update, tansiq import) or create entries.";

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
    let (index, subjects) = tokio::task::spawn_blocking(move || {
        let subjects = SubjectIndex::build(&entities);
        (LiveIndex::new(Index::build(entities, config)), subjects)
    })
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
        base_built_at: OffsetDateTime::now_utc(),
        change_head,
        subjects: Arc::new(subjects),
        versions: Versions {
            base: Arc::new(versions),
            changed: HashMap::new(),
        },
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
            source_updates: Mutex::new(()),
            stale_sources: std::sync::Mutex::new(Vec::new()),
            guard: crate::flood::AddressGuard::new(
                config.rate_limit.refusals_per_minute_per_address,
                config.rate_limit.refusal_burst_per_address,
            ),
            identity,
            partner_cache: Default::default(),
            fed_checks: Default::default(),
            ready: AtomicBool::new(true),
            config,
        }));
        state.index_metrics(started.elapsed());
        tokio::spawn(rebuild_loop(Arc::downgrade(&state.0)));
        tokio::spawn(fold_loop(Arc::downgrade(&state.0)));
        tokio::spawn(crate::flood::summary_loop(Arc::downgrade(&state.0)));
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

    /// Refreshes the gauges computed at scrape time (list ages, journal
    /// backlog).
    pub fn scrape_metrics(&self) {
        if let Some(j) = self.audit.journal() {
            self.metrics.journal_backlog.set(j.backlog() as i64);
        }
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

    /// What an operator should know about a serving node: it screens
    /// against nothing (no list imported, no entry created).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.index.load().index.is_empty() {
            out.push(EMPTY_INDEX_WARNING.to_string());
        }
        if let Ok(stale) = self.stale_sources.lock() {
            out.extend(stale.iter().cloned());
        }
        out
    }

    /// Why the node is not ready although serving: a stale list source
    /// when `[lists] stale_not_ready` is set.
    pub fn not_ready_because(&self) -> Option<String> {
        if !self.config.lists.stale_not_ready {
            return None;
        }
        let stale = self.stale_sources.lock().ok()?;
        (!stale.is_empty()).then(|| stale.join("; "))
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

/// Changes in one catch-up above which the index is built in full instead
/// of as a delta: a list import, not an officer's write.
pub const DELTA_MAX_CHANGES: usize = tansiq_matching::DELTA_FOLD_ENTITIES;

/// Delta segment size at which a catch-up builds in full rather than wait
/// for the background fold: each delta rebuilds the whole segment, so
/// this bounds the cost of one write's visibility.
pub const DELTA_HARD_LIMIT: usize = 4 * tansiq_matching::DELTA_FOLD_ENTITIES;

/// A delta segment older than this is folded into a full build even when
/// small, so that the rarity statistics it borrows never drift for long.
pub const FOLD_AFTER: Duration = Duration::from_secs(600);

/// How often the fold task looks at the live segment.
const FOLD_CHECK: Duration = Duration::from_secs(1);

/// How the live snapshot catches up with the change feed.
enum CatchUp {
    /// Nothing new.
    Current,
    /// A few changes: applied as a delta.
    Delta(Vec<EntityChange>),
    /// Too many for a delta: build everything again.
    Full,
}

/// What the change feed holds after `snap`'s position.
async fn catch_up(store: &Store, snap: &Snapshot) -> Result<CatchUp, ServerError> {
    let room = DELTA_MAX_CHANGES.min(DELTA_HARD_LIMIT.saturating_sub(snap.index.delta_len()));
    let changes = store
        .changes_since(snap.change_head, room as i64 + 1)
        .await?;
    Ok(if changes.is_empty() {
        CatchUp::Current
    } else if changes.len() > room {
        CatchUp::Full
    } else {
        CatchUp::Delta(changes)
    })
}

/// Brings the index up to the change feed whenever asked, coalescing
/// requests; stops when the state is dropped.
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
        let publish = inner.index.publish.lock().await;
        let live = inner.index.load();
        let next = match catch_up(&inner.store, &live).await {
            Ok(CatchUp::Current) => Ok(None),
            Ok(CatchUp::Delta(changes)) => {
                let n = changes.len();
                let live = live.clone();
                tokio::task::spawn_blocking(move || live.with_changes(changes, target))
                    .await
                    .map(|s| Some((s, n)))
                    .map_err(|e| ServerError::Account(format!("index delta failed: {e}")))
            }
            Ok(CatchUp::Full) => {
                build_snapshot(&inner.store, matcher_config(&inner.config), target)
                    .await
                    .map(|s| Some((s, usize::MAX)))
            }
            Err(e) => Err(e),
        };
        match next {
            Ok(next) => {
                let changed = next.is_some();
                if let Some((snap, n)) = next {
                    inner.index.current.store(Arc::new(snap));
                    tracing::info!(
                        generation = target,
                        changes = if n == usize::MAX { None } else { Some(n) },
                        took_ms = started.elapsed().as_millis() as u64,
                        "screening index updated"
                    );
                }
                drop(publish);
                inner.index.built.send_replace(target);
                if changed {
                    AppState(inner.clone()).index_metrics(started.elapsed());
                    // New or changed entities: look back at recent screenings.
                    inner.review.index_changed();
                }
            }
            Err(e) => {
                drop(publish);
                tracing::error!(error = %e, "index update failed; the previous index stays live");
                drop(inner);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Folds the delta segment into a full build when it has grown past
/// [`tansiq_matching::DELTA_FOLD_ENTITIES`] or aged past [`FOLD_AFTER`].
/// The build runs while the live index keeps answering and taking
/// deltas; then whatever changed meanwhile is applied on top of it and it
/// goes live with the same content. Stops when the state is dropped.
async fn fold_loop(state: std::sync::Weak<Inner>) {
    loop {
        tokio::time::sleep(FOLD_CHECK).await;
        let Some(inner) = state.upgrade() else { return };
        let live = inner.index.load();
        let aged = live.index.delta_len() > 0
            && OffsetDateTime::now_utc() - live.base_built_at > FOLD_AFTER;
        if !(live.index.needs_fold() || aged) {
            continue;
        }
        let started = Instant::now();
        let built = match build_snapshot(&inner.store, matcher_config(&inner.config), 0).await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "folding the index failed; the segment stays");
                continue;
            }
        };
        let publish = inner.index.publish.lock().await;
        let live = inner.index.load();
        let changes = if built.change_head < live.change_head {
            match inner
                .store
                .changes_since(built.change_head, live.change_head - built.change_head)
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "folding the index failed; the segment stays");
                    continue;
                }
            }
        } else {
            Vec::new()
        };
        let mut next = if changes.is_empty() {
            built
        } else {
            match tokio::task::spawn_blocking(move || built.with_changes(changes, 0)).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "folding the index failed; the segment stays");
                    continue;
                }
            }
        };
        // Same content as the live snapshot: same generation, and its
        // changes went live when the live one did.
        next.generation = live.generation;
        if next.change_head <= live.change_head {
            next.built_at = live.built_at;
        }
        inner.index.current.store(Arc::new(next));
        drop(publish);
        AppState(inner.clone()).index_metrics(started.elapsed());
        tracing::info!(
            took_ms = started.elapsed().as_millis() as u64,
            "screening index folded into a full build"
        );
    }
}
