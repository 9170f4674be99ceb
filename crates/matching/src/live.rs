//! A screening index that takes changes without a rebuild: a base
//! [`Index`] of everything as of some point, plus a small delta segment
//! ([`Index::build_delta`]) of the entities added or changed since, and the
//! ids the base must no longer answer for (changed or withdrawn).
//!
//! Applying a change rebuilds only the segment, so its cost follows the
//! number of entities changed since the base, not the size of the list.
//! Past [`DELTA_FOLD_ENTITIES`] the owner should build a new base from
//! everything (in the background: the live index keeps answering) and
//! start again with an empty segment ([`LiveIndex::needs_fold`]).
//!
//! Answers: the base is asked for as many extra candidates as it has
//! hidden ids, so that dropping them never shortens the answer; the
//! segment's matches and the base's are merged by score.

use std::sync::Arc;

use rustc_hash::FxHashSet;
use tansiq_model::Entity;

use crate::{Index, Match, MatcherConfig, Query};

/// Entities in the delta segment past which a new base should be built.
/// A segment is rebuilt on every change, so its size bounds a change's
/// cost (about 0.05 ms of build per entity on the benchmark machine), and
/// the statistics it borrows from the base drift with its size.
pub const DELTA_FOLD_ENTITIES: usize = 512;

/// One change to apply.
#[derive(Clone, Debug)]
pub enum IndexChange {
    /// An entity to screen, new or in a new version.
    Put(Box<Entity>),
    /// An entity no longer screened (withdrawn, removed from its list).
    Remove(String),
}

/// A base index, a delta segment and the base ids hidden by it.
#[derive(Debug, Clone)]
pub struct LiveIndex {
    base: Arc<Index>,
    /// The changed entities, in the order they were last put.
    changed: Vec<Entity>,
    delta: Option<Arc<Index>>,
    /// Ids the base must not answer for: every id put or removed since the
    /// base was built.
    hidden: FxHashSet<String>,
    /// How many of `hidden` the base holds (the extra candidates asked of
    /// it).
    hidden_in_base: usize,
    len: usize,
}

impl LiveIndex {
    /// A live index of a freshly built base (no changes yet).
    pub fn new(base: Index) -> LiveIndex {
        let len = base.len();
        LiveIndex {
            base: Arc::new(base),
            changed: Vec::new(),
            delta: None,
            hidden: FxHashSet::default(),
            hidden_in_base: 0,
            len,
        }
    }

    /// This index with `changes` applied, in order (a later change to an
    /// id replaces an earlier one). The base is shared, the segment
    /// rebuilt.
    pub fn apply(&self, changes: impl IntoIterator<Item = IndexChange>) -> LiveIndex {
        let mut changed = self.changed.clone();
        let mut hidden = self.hidden.clone();
        for change in changes {
            let id = match &change {
                IndexChange::Put(e) => e.id.clone(),
                IndexChange::Remove(id) => id.clone(),
            };
            changed.retain(|e| e.id != id);
            if let IndexChange::Put(e) = change {
                changed.push(*e);
            }
            hidden.insert(id);
        }
        let hidden_in_base = hidden
            .iter()
            .filter(|id| self.base.entity(id).is_some())
            .count();
        let len = self.base.len() - hidden_in_base + changed.len();
        let gone: Vec<Entity> = hidden
            .iter()
            .filter_map(|id| self.base.entity(id))
            .cloned()
            .collect();
        let delta = (!changed.is_empty()).then(|| {
            Arc::new(Index::build_delta(
                changed.clone(),
                self.base.clone(),
                &gone,
            ))
        });
        LiveIndex {
            base: self.base.clone(),
            changed,
            delta,
            hidden,
            hidden_in_base,
            len,
        }
    }

    /// Ids changed since the base was built (put or removed).
    pub fn delta_len(&self) -> usize {
        self.hidden.len()
    }

    /// Whether the segment has grown past [`DELTA_FOLD_ENTITIES`]: time to
    /// build a new base.
    pub fn needs_fold(&self) -> bool {
        self.delta_len() > DELTA_FOLD_ENTITIES
    }

    /// Screens a query on the base and the segment: ranked matches, best
    /// first, at most `limit`.
    pub fn screen(&self, query: &Query, limit: usize) -> Vec<Match> {
        let base = self
            .base
            .screen(query, limit.saturating_add(self.hidden_in_base));
        let delta = self.delta.as_ref().map(|d| d.screen(query, limit));
        merge(base, delta, limit, &self.hidden, |m| {
            (&m.entity_id, m.score)
        })
    }

    /// Ranked entity ids and scores without explanations.
    pub fn screen_scores(&self, query: &Query, limit: usize) -> Vec<(&str, f64)> {
        let base = self
            .base
            .screen_scores(query, limit.saturating_add(self.hidden_in_base));
        let delta = self.delta.as_ref().map(|d| d.screen_scores(query, limit));
        merge(base, delta, limit, &self.hidden, |m| (m.0, m.1))
    }

    /// An entity screened by this index, by id.
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        if let Some(d) = &self.delta
            && let Some(e) = d.entity(id)
        {
            return Some(e);
        }
        if self.hidden.contains(id) {
            return None;
        }
        self.base.entity(id)
    }

    /// Number of entities screened.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of listed names (the base's hidden entities' names included
    /// until the next base).
    pub fn name_count(&self) -> usize {
        self.base.name_count() + self.delta.as_ref().map_or(0, |d| d.name_count())
    }

    pub fn config(&self) -> &MatcherConfig {
        self.base.config()
    }

    /// The entities put since the base was built, and the ids removed
    /// (for building the next base from the previous one's entities).
    pub fn base(&self) -> &Arc<Index> {
        &self.base
    }
}

/// The base's answers without hidden ids, merged with the segment's by
/// score (the base's first on equal scores), at most `limit`.
fn merge<T>(
    base: Vec<T>,
    delta: Option<Vec<T>>,
    limit: usize,
    hidden: &FxHashSet<String>,
    key: impl Fn(&T) -> (&str, f64),
) -> Vec<T> {
    let mut out: Vec<T> = base
        .into_iter()
        .filter(|m| !hidden.contains(key(m).0))
        .collect();
    if let Some(delta) = delta {
        out.extend(delta);
        // stable: equal scores keep the base's answers first
        out.sort_by(|a, b| key(b).1.total_cmp(&key(a).1));
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_model::{Schema, prop};

    fn person(id: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, Schema::Person);
        e.add(prop::NAME, name);
        e
    }

    fn list() -> Vec<Entity> {
        vec![
            person("A1", "Abd al-Qadir Karim Haddad"),
            person("A2", "Mohamed Salem Bakri"),
            person("A3", "Mohamed Ali Trabelsi"),
            person("A4", "Youssef Ben Amor"),
        ]
    }

    #[test]
    fn a_put_is_found_and_a_removal_is_not() {
        let live = LiveIndex::new(Index::build(list(), MatcherConfig::default()));
        let live = live.apply([
            IndexChange::Put(Box::new(person("N1", "Hamza Zoubeir Jaziri"))),
            IndexChange::Remove("A2".into()),
        ]);
        let hits = live.screen(&Query::name("Hamza Zoubeir Jaziri"), 3);
        assert_eq!(hits[0].entity_id, "N1");
        assert!(hits[0].score > 0.9, "{}", hits[0].score);
        let hits = live.screen(&Query::name("Mohamed Salem Bakri"), 10);
        assert!(hits.iter().all(|m| m.entity_id != "A2"), "{hits:?}");
        assert!(live.entity("A2").is_none());
        assert_eq!(live.len(), 4);
    }

    #[test]
    fn a_changed_entity_answers_with_its_new_names_only() {
        let live = LiveIndex::new(Index::build(list(), MatcherConfig::default()));
        let live = live.apply([IndexChange::Put(Box::new(person("A4", "Tarek Mansouri")))]);
        assert!(
            live.screen(&Query::name("Youssef Ben Amor"), 10)
                .iter()
                .all(|m| m.entity_id != "A4" || m.score < 0.5)
        );
        assert_eq!(
            live.screen(&Query::name("Tarek Mansouri"), 1)[0].entity_id,
            "A4"
        );
        assert_eq!(
            live.entity("A4").unwrap().names()[0].value,
            "Tarek Mansouri"
        );
        assert_eq!(live.len(), 4);
        // a later change replaces an earlier one; removing it hides it
        let live = live.apply([IndexChange::Remove("A4".into())]);
        assert!(live.entity("A4").is_none());
        assert_eq!(live.len(), 3);
        assert!(!live.needs_fold());
    }
}
