//! A live index (base + delta segment) answers as an index built from
//! scratch on the same entities: for any sequence of puts, changes and
//! removals, every screened entity is found by its own name with the same
//! band and a score within [`SCORE_DRIFT`], and nothing removed or
//! replaced is ever answered. Entities are generated (fictitious).

use proptest::prelude::*;
use tansiq_matching::{Index, IndexChange, LiveIndex, MatcherConfig, Query};
use tansiq_model::Entity;

/// How far a segment's score may drift from a scratch build's: the
/// segment borrows the base's rarity statistics, which do not count the
/// segment's own entities (see `Index::build_delta`).
const SCORE_DRIFT: f64 = 0.05;

const SEED: u64 = 7;
const BASE: usize = 300;

fn fresh(k: u64, id: &str) -> Entity {
    let mut e = tansiq_synth::entity(SEED, 100_000 + k);
    e.id = id.to_string();
    e
}

#[derive(Clone, Debug)]
enum Op {
    Add(u64),
    Change(usize, u64),
    Remove(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..5_000).prop_map(Op::Add),
        (0usize..BASE, 0u64..5_000).prop_map(|(i, k)| Op::Change(i, k)),
        (0usize..BASE).prop_map(Op::Remove),
    ]
}

fn primary(e: &Entity) -> Option<String> {
    e.names().first().map(|n| n.value.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn live_answers_equal_a_scratch_build(ops in prop::collection::vec(op(), 1..40), split in 1usize..4) {
        let base: Vec<Entity> = tansiq_synth::generate(SEED, BASE).collect();
        let config = MatcherConfig::default();
        let mut live = LiveIndex::new(Index::build(base.clone(), config.clone()));
        // the final entity set, by id, in the order a scratch build gets it
        let mut all: Vec<Entity> = base.clone();
        let mut removed: Vec<Entity> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        let mut batch = Vec::new();
        for (n, op) in ops.iter().enumerate() {
            let change = match op {
                Op::Add(k) => IndexChange::Put(Box::new(fresh(*k, &format!("new-{n}")))),
                Op::Change(i, k) => IndexChange::Put(Box::new(fresh(*k, &base[*i].id))),
                Op::Remove(i) => IndexChange::Remove(base[*i].id.clone()),
            };
            match &change {
                IndexChange::Put(e) => {
                    if let Some(old) = all.iter().position(|x| x.id == e.id) {
                        removed.push(all.remove(old));
                    }
                    all.push((**e).clone());
                    touched.push(e.id.clone());
                }
                IndexChange::Remove(id) => {
                    if let Some(old) = all.iter().position(|x| &x.id == id) {
                        removed.push(all.remove(old));
                    }
                }
            }
            batch.push(change);
            // changes arrive in batches of `split`
            if batch.len() >= split {
                live = live.apply(std::mem::take(&mut batch));
            }
        }
        live = live.apply(batch);
        let scratch = Index::build(all.clone(), config.clone());
        prop_assert_eq!(live.len(), scratch.len());
        for id in all.iter().map(|e| &e.id) {
            prop_assert!(live.entity(id).is_some(), "{} lost", id);
        }
        // every touched entity, and a sample of the others, by its name
        let mut queried: Vec<&Entity> = all.iter().filter(|e| touched.contains(&e.id)).collect();
        queried.extend(all.iter().step_by(37));
        for e in queried {
            let Some(name) = primary(e) else { continue };
            let q = Query::name(&name);
            let got = live.screen(&q, 10);
            let want = scratch.screen(&q, 10);
            for m in &got {
                prop_assert!(scratch.entity(&m.entity_id).is_some(), "{} answered but gone", m.entity_id);
                prop_assert_eq!(
                    live.entity(&m.entity_id).map(|x| x.names()[0].value.to_string()),
                    scratch.entity(&m.entity_id).map(|x| x.names()[0].value.to_string()),
                );
            }
            let mine = got.iter().find(|m| m.entity_id == e.id);
            let theirs = want.iter().find(|m| m.entity_id == e.id);
            match (mine, theirs) {
                (Some(a), Some(b)) => {
                    prop_assert!((a.score - b.score).abs() <= SCORE_DRIFT,
                        "{} by {:?}: live {} scratch {}", e.id, name, a.score, b.score);
                    let near_edge = [config.possible, config.strong]
                        .iter()
                        .any(|t| (b.score - t).abs() <= SCORE_DRIFT);
                    if !near_edge {
                        prop_assert_eq!(a.band, b.band);
                    }
                }
                (None, Some(b)) => prop_assert!(b.score < config.possible,
                    "{} by {:?}: scratch finds it at {}, live not at all", e.id, name, b.score),
                (Some(a), None) => prop_assert!(a.score < config.possible,
                    "{} by {:?}: live finds it at {}, scratch not at all", e.id, name, a.score),
                (None, None) => {}
            }
        }
        // nothing removed or replaced answers under its old names
        for old in &removed {
            let Some(name) = primary(old) else { continue };
            for m in live.screen(&Query::name(&name), 10) {
                prop_assert!(all.iter().any(|x| x.id == m.entity_id), "{} answered after removal", m.entity_id);
            }
        }
    }
}
