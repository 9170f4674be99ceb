//! Re-screening on change: "was this newly listed person seen at our
//! border last week?"
//!
//! After each index rebuild, the entities added or changed since the last
//! pass (read from the store's change feed, up to the position the live
//! index includes) are screened against the screenings of the last
//! `review.rescreen_days` days. A first stage finds which of those
//! screenings a changed entity may concern at all (`travellers.rs`: the
//! changed entities are screened against an index of the window's
//! travellers, so a pass reads a few records instead of every one; with
//! `review.rescreen_by = "scan"`, or when a changed name meets too many
//! travellers, every screening of the window is read). Two exact stages
//! then decide:
//!
//! 1. a small index of the changed entities only is a prefilter: every
//!    stored query is screened against it (most find no candidate at all).
//!    It is a delta segment on the live index's full build
//!    ([`Index::build_delta`]), so it scores with the corpus rarity of the
//!    live lists, within a small drift of a screening now: the prefilter
//!    keeps what reaches the possible threshold less that drift;
//! 2. a query with a candidate is screened again against the live index,
//!    so the score, band and explanation are exactly what a screening now
//!    would give; a hit is raised when the changed entity is at or above
//!    the possible band, visible to the screening's agency, and the pair is
//!    not suppressed.
//!
//! The feed position reached is kept in the store (`review_cursors`), so a
//! restart resumes; a hit is raised once per (screening, entity), so a pass
//! repeated by a crash or by another replica raises nothing twice.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde_json::json;
use tansiq_matching::{Band, Index, Query};
use tansiq_store::{Change, NewHit, ScreeningRecord, Store};

use super::travellers::{Met, TravellerIndex, inversion_floor};
use crate::config::RescreenBy;
use time::OffsetDateTime;

use super::record::{hit_context, matches_from_stored, query_from_json};
use crate::dto::{ListVersionDto, MatchDto, band_str, rfc3339};
use crate::state::{Inner, Snapshot, matcher_config};
use crate::{AppState, ServerError};

/// The name of the re-screening position in `review_cursors`.
pub const CURSOR: &str = "rescreen";
/// Changes read per page of the feed.
const FEED_PAGE: i64 = 1_000;
/// Screenings read per page.
const SCREENING_PAGE: i64 = 5_000;
/// A prefilter candidate: its small-index score reaches the possible
/// threshold less this. The small index borrows the live index's rarity
/// statistics, so its scores differ from a screening's by the drift the
/// live index's property test bounds (`crates/matching/tests/live.rs`,
/// 0.05); twice that keeps every hit the live index would raise.
const PREFILTER_MARGIN: f64 = 0.10;

/// What one re-screening pass did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RescreenReport {
    /// Feed positions processed: `(from, to]`.
    pub from_seq: i64,
    pub to_seq: i64,
    /// Entities added or changed (and still screening) in that range.
    pub entities: usize,
    /// Screenings looked at (within the window).
    pub screenings: usize,
    /// Screenings the prefilter passed to the live index.
    pub candidates: usize,
    /// Ids of the hits raised.
    pub hits: Vec<String>,
    /// Whether the travellers were found through the traveller index
    /// (`false`: every screening of the window was read).
    pub by_traveller_index: bool,
    /// Travellers the traveller index held.
    pub travellers_indexed: usize,
    pub took: Duration,
}

/// Sets the re-screening position to `head` on a store that has none yet
/// (the history before the first start is not re-screened).
pub(crate) async fn init_cursor(store: &Store, head: i64) -> Result<(), ServerError> {
    if store.review_cursor(CURSOR).await?.is_none() {
        store.set_review_cursor(CURSOR, head).await?;
    }
    Ok(())
}

/// Runs a pass whenever the index was rebuilt (when
/// `review.rescreen_on_change`); stops when the state is dropped.
pub(crate) async fn rescreen_loop(state: Weak<Inner>) {
    loop {
        let Some(inner) = state.upgrade() else { return };
        let woken = tokio::time::timeout(Duration::from_secs(1), inner.review.wake.notified())
            .await
            .is_ok();
        if !woken || !inner.config.review.rescreen_on_change {
            continue;
        }
        let app = AppState::from_inner(inner);
        match app.rescreen().await {
            Ok(r) if r.to_seq > r.from_seq => tracing::info!(
                changes = r.to_seq - r.from_seq,
                entities = r.entities,
                screenings = r.screenings,
                candidates = r.candidates,
                by_traveller_index = r.by_traveller_index,
                travellers_indexed = r.travellers_indexed,
                hits = r.hits.len(),
                took_ms = r.took.as_millis() as u64,
                "re-screened recent screenings against changed entities"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "re-screening failed; it is retried after the next change");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// The changed entities of the feed range `(from, to]`: id → the last
/// version, for additions and changes only (a withdrawal raises nothing).
async fn changed_in(
    store: &Store,
    from: i64,
    to: i64,
) -> Result<BTreeMap<String, i64>, ServerError> {
    let mut out = BTreeMap::new();
    let mut after = from;
    while after < to {
        let page = store.changes_since(after, FEED_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for c in page.into_iter().filter(|c| c.seq <= to) {
            match c.change {
                Change::Added | Change::Changed | Change::Created | Change::Updated => {
                    out.insert(c.entity.id, c.version);
                }
                Change::Removed | Change::Withdrawn => {
                    out.remove(&c.entity.id);
                }
            }
        }
    }
    Ok(out)
}

/// The visible, screenable matches of a stored query on the live index,
/// for the screening's agency: exactly a crossing's
/// ([`crate::screening::crossing_matches`]).
fn live_matches(
    snap: &Snapshot,
    agency: &str,
    query: &Query,
    limit: usize,
    today: &str,
) -> Vec<MatchDto> {
    crate::screening::crossing_matches(snap, agency, query, limit, today).1
}

/// Stage 1 on one page: the indices of the screenings with a candidate in
/// the small index, and the candidate entity ids.
fn prefilter(
    small: &Index,
    page: &[ScreeningRecord],
    floor: f64,
) -> Vec<(usize, Query, Vec<String>)> {
    let mut out = Vec::new();
    for (i, r) in page.iter().enumerate() {
        let Some(q) = query_from_json(&r.query) else {
            continue;
        };
        let ids: Vec<String> = small
            .screen(&q, small.len())
            .into_iter()
            .filter(|m| m.score >= floor)
            .map(|m| m.entity_id)
            .collect();
        if !ids.is_empty() {
            out.push((i, q, ids));
        }
    }
    out
}

use crate::screening::today;

impl AppState {
    /// One re-screening pass (see the module doc): processes the change
    /// feed from the stored position up to what the live index includes,
    /// raises the hits found, and moves the position. Passes run one at a
    /// time; the screening records queued so far are written first.
    pub async fn rescreen(&self) -> Result<RescreenReport, ServerError> {
        let mut travellers = self.review.rescreen_lock.lock().await;
        let started = Instant::now();
        if let Some(done) = self.review.flush() {
            let _ = done.await;
        }
        let snap = self.index.load();
        let to = snap.change_head;
        let from = match self.store.review_cursor(CURSOR).await? {
            Some(c) => c,
            None => to,
        };
        let mut report = RescreenReport {
            from_seq: from,
            to_seq: to.max(from),
            ..RescreenReport::default()
        };
        if to <= from {
            return Ok(report);
        }
        let days = self.config.review.rescreen_days;
        let changed = if days == 0 {
            BTreeMap::new()
        } else {
            changed_in(&self.store, from, to).await?
        };
        let today = today();
        let entities: Vec<_> = changed
            .keys()
            .filter_map(|id| snap.index.entity(id))
            .filter(|e| e.is_screenable(&today))
            .cloned()
            .collect();
        report.entities = entities.len();
        if !entities.is_empty() {
            self.rescreen_window(
                &mut travellers,
                &snap,
                &changed,
                entities,
                days,
                &today,
                &mut report,
            )
            .await?;
        }
        self.store.set_review_cursor(CURSOR, to).await?;
        report.took = started.elapsed();
        self.metrics.rescreen_seconds.set(report.took.as_secs_f64());
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)] // one pass's state, passed down once
    async fn rescreen_window(
        &self,
        travellers: &mut TravellerIndex,
        snap: &Arc<Snapshot>,
        versions: &BTreeMap<String, i64>,
        entities: Vec<tansiq_model::Entity>,
        days: u32,
        today: &str,
        report: &mut RescreenReport,
    ) -> Result<(), ServerError> {
        let floor = matcher_config(&self.config).possible - PREFILTER_MARGIN;
        let base = snap.index.base().clone();
        let changed = entities.clone();
        let small = Arc::new(
            tokio::task::spawn_blocking(move || {
                let gone: Vec<_> = entities
                    .iter()
                    .filter_map(|e| base.entity(&e.id))
                    .cloned()
                    .collect();
                Index::build_delta(entities, base, &gone)
            })
            .await
            .map_err(|e| ServerError::Account(format!("re-screening index build failed: {e}")))?,
        );
        let since = OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
        let pass = Pass {
            snap: snap.clone(),
            small,
            floor,
            limit: self.config.screening.max_limit,
            today: today.to_string(),
            lists: snap.lists.iter().map(ListVersionDto::from_state).collect(),
            versions,
            change_seq: report.to_seq,
        };
        let mut hits = Vec::new();
        let met = match self.config.review.rescreen_by {
            RescreenBy::Travellers => {
                travellers
                    .sync(&self.store, since, &matcher_config(&self.config))
                    .await?;
                report.travellers_indexed = travellers.len();
                travellers
                    .candidates(&changed, inversion_floor(&matcher_config(&self.config)))
                    .await?
            }
            RescreenBy::Scan => Met::TooMany,
        };
        match met {
            Met::Travellers(ids) => {
                report.by_traveller_index = true;
                let ids: Vec<String> = ids.into_iter().collect();
                let page: Vec<ScreeningRecord> = self
                    .store
                    .screenings_by_ids(&ids)
                    .await?
                    .into_iter()
                    .filter(|r| r.at >= since)
                    .collect();
                self.rescreen_page(&pass, page, &mut hits, report).await?;
            }
            Met::TooMany => {
                let mut after = String::new();
                loop {
                    let page = self
                        .store
                        .screenings_since(since, &after, SCREENING_PAGE)
                        .await?;
                    let Some(last) = page.last() else { break };
                    after = last.id.clone();
                    self.rescreen_page(&pass, page, &mut hits, report).await?;
                }
            }
        }
        let proposed: std::collections::HashSet<String> =
            hits.iter().map(|h| h.id.clone()).collect();
        let held = self.store.insert_hits(hits, "rescreen").await?;
        let raised: Vec<&tansiq_store::NewHit> = held
            .iter()
            .filter(|h| proposed.contains(&h.hit.id))
            .map(|h| &h.hit)
            .collect();
        crate::federation::notify_rescreen_hits(self, &raised).await;
        for h in held.into_iter().filter(|h| proposed.contains(&h.hit.id)) {
            self.metrics.hits_raised.inc();
            self.audit
                .record(crate::screening::rescreen_hit_event(&h.hit));
            report.hits.push(h.hit.id);
        }
        Ok(())
    }

    /// The two exact stages on one page of screenings: the prefilter on
    /// the changed entities, then the live index; adds the hits found to
    /// `hits`.
    async fn rescreen_page(
        &self,
        pass: &Pass<'_>,
        page: Vec<ScreeningRecord>,
        hits: &mut Vec<NewHit>,
        report: &mut RescreenReport,
    ) -> Result<(), ServerError> {
        // A screening recorded after this index went live was screened
        // against the changed entities already.
        let page: Vec<ScreeningRecord> = page
            .into_iter()
            .filter(|r| r.recorded_at < pass.snap.built_at)
            .collect();
        report.screenings += page.len();
        let (small_c, snap_c, today_c) =
            (pass.small.clone(), pass.snap.clone(), pass.today.clone());
        let (floor, limit) = (pass.floor, pass.limit);
        let (page, found) = tokio::task::spawn_blocking(move || {
            let candidates = prefilter(&small_c, &page, floor);
            let confirmed: Vec<Confirmed> = candidates
                .into_iter()
                .map(|(i, q, ids)| {
                    let r = &page[i];
                    let matches = live_matches(&snap_c, &r.agency_id, &q, limit, &today_c);
                    // a subject in the alert bands is concerned when any
                    // of its listings changed: the hit is raised on the
                    // changed listing (new information about a traveller
                    // who crossed before, e.g. a new warrant), with the
                    // subject's match as its context
                    let hit_ids: Vec<(String, usize)> = matches
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| matches!(m.band.as_str(), "possible" | "strong"))
                        .flat_map(|(at, m)| {
                            std::iter::once(m.entity_id.as_str())
                                .chain(m.listings.iter().map(|l| l.entity_id.as_str()))
                                .filter(|id| ids.iter().any(|c| c.as_str() == *id))
                                .map(move |id| (id.to_string(), at))
                        })
                        .collect();
                    (i, matches, hit_ids)
                })
                .collect();
            (page, confirmed)
        })
        .await
        .map_err(|e| ServerError::Account(format!("re-screening failed: {e}")))?;
        report.candidates += found.len();
        for (i, matches, entity_ids) in found {
            if entity_ids.is_empty() {
                continue;
            }
            let r = &page[i];
            let suppressed: HashMap<String, i64> = match &r.document_key {
                Some(doc) => self
                    .store
                    .suppressions(&r.agency_id, doc)
                    .await?
                    .into_iter()
                    .map(|s| (s.entity_id, s.entity_version))
                    .collect(),
                None => HashMap::new(),
            };
            let band = matches
                .iter()
                .map(|m| m.band.as_str())
                .max_by_key(|b| match *b {
                    "strong" => 2,
                    "possible" => 1,
                    _ => 0,
                })
                .unwrap_or(band_str(Band::None));
            let context = json!({
                "query": r.query,
                "lists": serde_json::to_value(&pass.lists).unwrap_or_default(),
                "border_post": r.border_post,
                "crossing_time": rfc3339(r.at),
                "document_key": r.document_key,
                "band": band,
                "rescreen": {
                    "change_seq": pass.change_seq,
                    "originally": matches_from_stored(r.matches.clone()),
                    "originally_band": r.band,
                },
            });
            for (id, own) in entity_ids {
                let Some(&version) = pass.versions.get(&id) else {
                    continue;
                };
                if suppressed.get(&id) == Some(&version) {
                    continue;
                }
                let m = &matches[own];
                // the changed listing's own source and score when it is
                // not the subject's best listing
                let listing = m.listings.iter().find(|l| l.entity_id == id);
                let source = listing.map_or(m.source.clone(), |l| l.source.clone());
                let score = listing.and_then(|l| l.score).unwrap_or(m.score);
                hits.push(NewHit {
                    id: uuid::Uuid::now_v7().to_string(),
                    screening_id: r.id.clone(),
                    screened_at: r.at,
                    agency_id: r.agency_id.clone(),
                    user_id: r.user_id.clone(),
                    border_post: r.border_post.clone(),
                    document_key: r.document_key.clone(),
                    entity_id: id.clone(),
                    entity_version: version,
                    source,
                    band: m.band.clone(),
                    score,
                    origin: "rescreen".into(),
                    context: hit_context(&context, &matches, own),
                });
            }
        }
        Ok(())
    }
}

/// One re-screened traveller: its place in the page, its matches, and
/// the changed listings to raise hits on, each with the match (subject)
/// it belongs to.
type Confirmed = (usize, Vec<MatchDto>, Vec<(String, usize)>);

/// What every page of one pass shares.
struct Pass<'a> {
    snap: Arc<Snapshot>,
    /// The changed entities, as a delta segment on the live full build.
    small: Arc<Index>,
    floor: f64,
    limit: usize,
    today: String,
    lists: Vec<ListVersionDto>,
    versions: &'a BTreeMap<String, i64>,
    change_seq: i64,
}
