//! The traveller index: re-screening by inversion (issue 19).
//!
//! A change touches a few entries; the window holds many travellers.
//! Instead of reading and screening every stored traveller against the
//! changed entries, the travellers of the window are kept in an index of
//! their own (each screening a pseudo-entity: its id, the names screened,
//! the documents), and each changed entry is screened *against the
//! travellers*, by its names and documents. Only the travellers it meets
//! at [`inversion_floor`] or above are read back from the store and go
//! through the two exact stages of `rescreen.rs` (the prefilter on the
//! changed entries, then the live index), so the hits raised are the ones a
//! full pass would raise as long as the reverse screening finds every such
//! traveller: `tests/rescreen_exact.rs` checks that it does, against the
//! full pass, on generated data.
//!
//! Why the reverse look-up finds them: name similarity is symmetric at the
//! level of tokens (both sides are compared by the same skeleton keys and
//! token similarity), and the traveller index is built without the
//! frequency limits that make a screening skip very common words
//! ([`reverse_config`]), so a traveller is met whenever one of its tokens
//! is close to one of the entry's. The floor is derived from the matcher's
//! settings, not fitted: the reverse score sees the names only, and a
//! birth date and a nationality that agree lift a screening's score
//! ([`lowest_hit_name_score`]), so the floor is the lowest name score
//! that can still become a hit, less an allowance for the two directions
//! of a comparison scoring differently. A document number the traveller
//! and the entry share is a match at any name score.
//!
//! The index follows the store: each pass first adds the screenings
//! recorded since the last (read from a little before the last read, by
//! id: ids are UUIDv7, time-ordered, and a record is committed at most the
//! journal's wait after its id was drawn), and is rebuilt from its own
//! pseudo-entities, dropping those past the window, once its delta
//! segment is full. The first pass of a process builds it from the whole
//! window (the cost the old full pass paid every time).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tansiq_matching::{DELTA_FOLD_ENTITIES, Index, IndexChange, LiveIndex, MatcherConfig, Query};
use tansiq_model::{Entity, Schema, prop};
use tansiq_store::{ScreeningRecord, Store};
use time::OffsetDateTime;

use super::record::query_from_json;
use crate::ServerError;

/// How much lower a name comparison may score one way than the other (a
/// part missing on the query's side weighs differently from a part missing
/// on the listed side): the reverse look-up keeps travellers this far below
/// the lowest name score that can still make a hit.
pub const ASYMMETRY_ALLOWANCE: f64 = 0.15;

/// The lowest name score (before evidence) with which a screening can
/// still reach the possible band: a full birth-date agreement and a
/// nationality agreement each close part of the gap to 1
/// (`s + (1 - s) · bonus`), so a name score of `s` ends at
/// `1 - (1 - s)(1 - dob)(1 - nationality)`.
pub fn lowest_hit_name_score(c: &MatcherConfig) -> f64 {
    let kept = (1.0 - c.dob_full_bonus) * (1.0 - c.nationality_bonus);
    (1.0 - (1.0 - c.possible) / kept).max(0.0)
}

/// A reverse score (the changed entry's names and documents against a
/// traveller's) at or above which the traveller is a candidate: the lowest
/// name score of a hit less [`ASYMMETRY_ALLOWANCE`] (0.53 with the default
/// settings). A shared document number scores far above it.
pub fn inversion_floor(c: &MatcherConfig) -> f64 {
    lowest_hit_name_score(c) - ASYMMETRY_ALLOWANCE
}

/// Most travellers one changed name may meet. Far above what any name of
/// the benchmark meets at the floor; past it, the pass falls back to
/// reading every traveller of the window (and says so in its report).
const MAX_MET_PER_ENTRY: usize = 20_000;

/// How far before the last read the next read starts: longer than a
/// record can take from its id being drawn to its commit (the journal's
/// back-pressure wait, 10 s) plus the clock skew between replicas that
/// share a store.
const SYNC_OVERLAP: time::Duration = time::Duration::minutes(10);

/// Screenings read per page when catching up.
const SYNC_PAGE: i64 = 5_000;

/// The window's travellers, indexed for the reverse look-up.
#[derive(Default)]
pub(crate) struct TravellerIndex {
    /// Built on the first pass.
    live: Option<LiveIndex>,
    /// Every traveller held: screening id → (crossing time, pseudo-entity).
    held: HashMap<String, (OffsetDateTime, Entity)>,
    /// When the last read started.
    read_at: Option<OffsetDateTime>,
}

/// What [`TravellerIndex::candidates`] found.
pub(crate) enum Met {
    /// The screenings (ids, sorted) some changed entry met.
    Travellers(BTreeSet<String>),
    /// A changed name met more than [`MAX_MET_PER_ENTRY`] travellers: read
    /// the whole window instead.
    TooMany,
}

/// The matcher settings of the traveller index: the node's, without the
/// limits that make a screening skip words too common to open candidates
/// on their own (a traveller named only by common words must still be
/// met) and without a budget on candidate keys.
pub(crate) fn reverse_config(node: &MatcherConfig) -> MatcherConfig {
    MatcherConfig {
        common_occurrence_cap: usize::MAX,
        common_occurrence_share: 1.0,
        lookup_budget: usize::MAX,
        ..node.clone()
    }
}

/// A stored screening as the traveller index holds it: `None` when its
/// query names nobody (nothing to re-screen).
fn pseudo_entity(r: &ScreeningRecord) -> Option<Entity> {
    let q = query_from_json(&r.query)?;
    let schema = match q.schema {
        Some(s) if s.is_organisation() => Schema::Organization,
        _ => Schema::Person,
    };
    let mut e = Entity::new(r.id.clone(), schema);
    for n in &q.names {
        e.add(prop::NAME, n.clone());
    }
    for d in &q.documents {
        e.add(prop::PASSPORT_NUMBER, d.clone());
    }
    Some(e)
}

/// The lowest screening id drawn at or after `t` (ids are UUIDv7: the
/// first 48 bits are the milliseconds since the epoch, in hex).
fn first_id_at(t: OffsetDateTime) -> String {
    let ms = (t.unix_timestamp_nanos() / 1_000_000).max(0) as u64;
    format!("{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

impl TravellerIndex {
    /// Brings the index up to the store: adds the screenings of the
    /// window (crossing at or after `since`) recorded since the last read.
    pub(crate) async fn sync(
        &mut self,
        store: &Store,
        since: OffsetDateTime,
        config: &MatcherConfig,
    ) -> Result<(), ServerError> {
        let started = OffsetDateTime::now_utc();
        let mut after = match self.read_at {
            Some(t) if self.live.is_some() => first_id_at(t - SYNC_OVERLAP),
            _ => String::new(),
        };
        let mut new = Vec::new();
        loop {
            let page = store.screenings_since(since, &after, SYNC_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            for r in &page {
                if self.held.contains_key(&r.id) {
                    continue;
                }
                if let Some(e) = pseudo_entity(r) {
                    self.held.insert(r.id.clone(), (r.at, e.clone()));
                    new.push(e);
                }
            }
        }
        self.read_at = Some(started);
        let config = reverse_config(config);
        let rebuild = match &self.live {
            None => true,
            Some(live) => live.delta_len() + new.len() > DELTA_FOLD_ENTITIES,
        };
        if rebuild {
            self.held.retain(|_, (at, _)| *at >= since);
            let all: Vec<Entity> = self.held.values().map(|(_, e)| e.clone()).collect();
            let built = tokio::task::spawn_blocking(move || Index::build(all, config))
                .await
                .map_err(|e| ServerError::Account(format!("traveller index build failed: {e}")))?;
            self.live = Some(LiveIndex::new(built));
        } else if !new.is_empty()
            && let Some(live) = &self.live
        {
            let changes: Vec<IndexChange> = new
                .into_iter()
                .map(|e| IndexChange::Put(Box::new(e)))
                .collect();
            let live = live.clone();
            let next = tokio::task::spawn_blocking(move || live.apply(changes))
                .await
                .map_err(|e| ServerError::Account(format!("traveller index update failed: {e}")))?;
            self.live = Some(next);
        }
        Ok(())
    }

    /// Travellers held.
    pub(crate) fn len(&self) -> usize {
        self.held.len()
    }

    /// The travellers the changed `entities` meet (see the module doc).
    pub(crate) async fn candidates(
        &self,
        entities: &[Entity],
        floor: f64,
    ) -> Result<Met, ServerError> {
        let Some(live) = self.live.clone() else {
            return Ok(Met::Travellers(BTreeSet::new()));
        };
        let queries: Vec<Query> = entities
            .iter()
            .map(|e| {
                let full = Query::from_entity(e);
                Query {
                    schema: None,
                    names: full.names,
                    documents: full.documents,
                    ..Query::default()
                }
            })
            .collect();
        let live = Arc::new(live);
        tokio::task::spawn_blocking(move || {
            let mut met = BTreeSet::new();
            for q in &queries {
                let found = live.screen(q, MAX_MET_PER_ENTRY + 1);
                if found.len() > MAX_MET_PER_ENTRY && found.last().is_some_and(|m| m.score >= floor)
                {
                    return Met::TooMany;
                }
                met.extend(
                    found
                        .into_iter()
                        .filter(|m| m.score >= floor)
                        .map(|m| m.entity_id),
                );
            }
            Met::Travellers(met)
        })
        .await
        .map_err(|e| ServerError::Account(format!("traveller look-up failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_id_of_a_time_orders_before_every_later_id() {
        let t = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let bound = first_id_at(t);
        for later_ms in [0u64, 1, 999, 86_400_000] {
            let ms = (t.unix_timestamp() as u64) * 1000 + later_ms;
            let ts = uuid::Timestamp::from_unix(
                uuid::NoContext,
                ms / 1000,
                ((ms % 1000) * 1_000_000) as u32,
            );
            let id = uuid::Uuid::new_v7(ts).to_string();
            assert!(id.as_str() >= bound.as_str(), "{id} < {bound}");
        }
        let earlier = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            t.unix_timestamp() as u64 - 1,
            0,
        ))
        .to_string();
        assert!(earlier.as_str() < bound.as_str());
    }

    #[test]
    fn the_floor_is_what_evidence_can_lift_to_a_hit_less_the_allowance() {
        let c = MatcherConfig::default();
        let lowest = lowest_hit_name_score(&c);
        // A name scoring exactly that, with both agreements, ends at the
        // possible threshold.
        let lifted = lowest + (1.0 - lowest) * c.dob_full_bonus;
        let lifted = lifted + (1.0 - lifted) * c.nationality_bonus;
        assert!((lifted - c.possible).abs() < 1e-9, "{lifted}");
        assert!((inversion_floor(&c) - (lowest - ASYMMETRY_ALLOWANCE)).abs() < 1e-12);
        assert!(inversion_floor(&c) > 0.5 && inversion_floor(&c) < c.possible);
    }

    #[test]
    fn the_reverse_index_skips_no_common_word() {
        let c = reverse_config(&MatcherConfig::default());
        assert_eq!(c.common_occurrence_cap, usize::MAX);
        assert_eq!(c.lookup_budget, usize::MAX);
        assert_eq!(c.possible, MatcherConfig::default().possible);
    }
}
