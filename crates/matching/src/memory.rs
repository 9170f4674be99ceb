//! Where an index's memory goes: the heap bytes of its main structures,
//! summed from their capacities ([`Index::memory_report`]), so that a
//! change to a structure's representation can be measured the same way
//! every time (`examples/large`, `tansiq bench`).
//!
//! The figures are what the structures ask of the allocator: allocator
//! rounding and fragmentation come on top (resident memory is the
//! measure of those), and the node sizes of a `BTreeMap` and the bucket
//! counts of a hash map are computed from their layout, not read.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::mem::size_of;

use tansiq_model::{Entity, Visibility};

use crate::index::{Index, VTok};

/// Heap bytes of an index's structures, in a fixed order (see
/// [`Index::memory_report`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryReport {
    parts: Vec<(&'static str, usize)>,
}

impl MemoryReport {
    /// (structure, heap bytes), in the order of the index's fields.
    pub fn parts(&self) -> &[(&'static str, usize)] {
        &self.parts
    }

    /// The bytes of every part.
    pub fn total(&self) -> usize {
        self.parts.iter().map(|(_, b)| b).sum()
    }
}

impl fmt::Display for MemoryReport {
    /// One line per part, in MiB, then the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MIB: f64 = 1024.0 * 1024.0;
        for (what, bytes) in &self.parts {
            writeln!(f, "{:>9.1} MiB  {what}", *bytes as f64 / MIB)?;
        }
        write!(f, "{:>9.1} MiB  total", self.total() as f64 / MIB)
    }
}

/// The buffer of a `Vec` (its elements' own heap not included).
fn vec<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// The table of a hash map (hashbrown's layout: a power-of-two number of
/// buckets, filled to at most 7/8, one control byte each plus a group
/// of 16); its keys' and values' own heap not included.
fn table<K, V, S>(m: &HashMap<K, V, S>) -> usize {
    let cap = m.capacity();
    if cap == 0 {
        return 0;
    }
    let buckets = if cap < 8 {
        (cap + 1).next_power_of_two()
    } else {
        (cap * 8 / 7).next_power_of_two()
    };
    buckets * (size_of::<(K, V)>() + 1) + 16
}

/// The nodes of a `BTreeMap` (std's layout: up to 11 entries a node, a
/// parent pointer and two counts; internal nodes hold 12 edges more),
/// assuming nodes two thirds full past one node.
fn btree<K, V>(m: &BTreeMap<K, V>) -> usize {
    const CAPACITY: usize = 11;
    let leaf = CAPACITY * (size_of::<K>() + size_of::<V>()) + 16;
    let internal = leaf + (CAPACITY + 1) * size_of::<usize>();
    match m.len() {
        0 => 0,
        n if n <= CAPACITY => leaf,
        n => {
            let leaves = (n * 3).div_ceil(CAPACITY * 2);
            leaves * leaf + leaves.div_ceil(CAPACITY * 2 / 3) * internal
        }
    }
}

fn string_opt(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::capacity)
}

fn strings(v: &Vec<String>) -> usize {
    vec(v) + v.iter().map(String::capacity).sum::<usize>()
}

/// An entity's own heap: id, property bag, provenance and the tansiq
/// fields.
fn entity_heap(e: &Entity) -> usize {
    let properties = btree(&e.properties)
        + e.properties
            .iter()
            .map(|(k, v)| k.capacity() + strings(v))
            .sum::<usize>();
    let p = &e.provenance;
    let provenance = p.source.capacity()
        + string_opt(&p.list_version)
        + string_opt(&p.source_record_id)
        + string_opt(&p.listed_on)
        + string_opt(&p.amended_on);
    let legal = e.legal_basis.as_ref().map_or(0, |l| {
        string_opt(&l.warrant_number)
            + string_opt(&l.court)
            + string_opt(&l.issued_on)
            + string_opt(&l.offence)
            + string_opt(&l.basis)
            + string_opt(&l.regime)
            + l.measures.as_ref().map_or(0, |m| m.from.capacity())
    });
    let visibility = match &e.sharing.visibility {
        Visibility::Agencies { agencies } => strings(agencies),
        _ => 0,
    };
    let validity = string_opt(&e.validity.valid_from)
        + string_opt(&e.validity.valid_until)
        + string_opt(&e.validity.review_on);
    e.id.capacity()
        + properties
        + provenance
        + string_opt(&e.origin_agency)
        + legal
        + visibility
        + validity
}

fn vtok_heap(v: &VTok) -> usize {
    v.text.len() + v.skeleton.len() + v.key.len()
}

impl Index {
    /// The heap bytes of the index's main structures (see the module
    /// [`crate::memory`] for what is counted and what is not). The
    /// entities are the caller's data, which the index keeps to answer
    /// [`Index::entity`]; everything after them is the index proper.
    pub fn memory_report(&self) -> MemoryReport {
        let entities = &self.entities;
        let names = self.names.heap_bytes();
        let vocab_by_key = table(&self.vocab_by_key)
            + self
                .vocab_by_key
                .keys()
                .map(String::capacity)
                .sum::<usize>();
        let fuzzy_keys = table(&self.fuzzy_keys)
            + (self.fuzzy_keys.iter())
                .map(|(k, v)| k.capacity() + vec(v))
                .sum::<usize>();
        let neighbours = vec(&self.neighbours)
            + (self.neighbours.iter().flatten())
                .map(|n| std::mem::size_of_val::<[_]>(n))
                .sum::<usize>();
        let documents = table(&self.documents)
            + (self.documents.iter())
                .map(|(k, v)| k.capacity() + vec(v))
                .sum::<usize>();
        let df = table(&self.df) + self.df.keys().map(|k| k.len()).sum::<usize>();
        let other = table(&self.nationality_codes)
            + (self.nationality_codes.keys())
                .map(String::capacity)
                .sum::<usize>()
            + table(&self.concept_ids)
            + self.concept_ids.values().map(vec).sum::<usize>()
            + vec(&self.common_entry)
            + std::mem::size_of_val::<[f32]>(&self.calibration_table);
        MemoryReport {
            parts: vec![
                ("entities: Entity values", vec(entities)),
                (
                    "entities: ids, properties, provenance (their heap)",
                    entities.iter().map(entity_heap).sum(),
                ),
                (
                    "facts (dates, nationalities, gender)",
                    self.facts.heap_bytes(),
                ),
                ("names: records", names.0),
                ("names: texts (raw, folded)", names.1),
                ("names: positions", names.2),
                ("compact (packed name slots)", self.compact.heap_bytes()),
                (
                    "vocab (VTok: text, skeleton, key)",
                    vec(&self.vocab) + self.vocab.iter().map(vtok_heap).sum::<usize>(),
                ),
                ("vocab_by_key (text -> entry)", vocab_by_key),
                ("fuzzy_keys (candidate key -> entries)", fuzzy_keys),
                (
                    "occurrences (entry -> names)",
                    self.occurrences.heap_bytes(),
                ),
                ("neighbours (entry -> similar entries)", neighbours),
                ("documents (number -> entities)", documents),
                ("df (rarity key -> entities, for deltas)", df),
                ("other (concepts, nationality codes, tables)", other),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use tansiq_model::{Schema, prop};

    use crate::{Index, MatcherConfig};

    #[test]
    fn report_counts_every_part_and_grows_with_the_list() {
        let list = |n: usize| -> Vec<tansiq_model::Entity> {
            (0..n)
                .map(|i| {
                    let mut e = tansiq_model::Entity::new(format!("E{i}"), Schema::Person);
                    e.add(prop::NAME, format!("Karim{i} Haddad Bakri"));
                    e
                })
                .collect()
        };
        let small = Index::build(list(10), MatcherConfig::default()).memory_report();
        let large = Index::build(list(1000), MatcherConfig::default()).memory_report();
        assert_eq!(small.parts().len(), large.parts().len());
        assert!(large.total() > small.total());
        let part = |r: &super::MemoryReport, name: &str| {
            r.parts()
                .iter()
                .find(|(w, _)| w.starts_with(name))
                .map(|p| p.1)
        };
        for name in [
            "entities: Entity",
            "names: records",
            "occurrences",
            "vocab ",
        ] {
            assert!(part(&large, name).is_some_and(|b| b > 0), "{name}");
        }
        assert_eq!(
            large.total(),
            large.parts().iter().map(|p| p.1).sum::<usize>()
        );
        assert!(large.to_string().ends_with("total"));
    }
}
