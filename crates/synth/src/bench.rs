//! The benchmark population: `n` fictitious entities from a seed, ~60%
//! Arab-script persons, ~25% other persons, ~15% organisations, ~3 names
//! per entity.

use tansiq_model::Entity;

use crate::person::{self, Detail};
use crate::rng::Rng;

/// Stream number of watchlist entities (travellers use others).
pub(crate) const STREAM_ENTITIES: u64 = 1;

/// Entity `index` of the population of `seed`, independent of the others
/// (so a slice of the population can be generated on its own or in
/// parallel). Ids are `syn-p-0000042` / `syn-o-0000042`.
pub fn entity(seed: u64, index: u64) -> Entity {
    let mut rng = Rng::for_item(seed, STREAM_ENTITIES, index);
    if rng.chance(15) {
        person::organisation(&mut rng, format!("syn-o-{index:07}"), Detail::Bench)
    } else {
        let region = person::bench_region(&mut rng);
        person::person(&mut rng, format!("syn-p-{index:07}"), region, Detail::Bench)
    }
}

/// The first `n` entities of the population of `seed`, lazily. The same
/// seed gives the same entities in the same order on every machine.
pub fn generate(seed: u64, n: usize) -> impl Iterator<Item = Entity> {
    (0..n as u64).map(move |i| entity(seed, i))
}
