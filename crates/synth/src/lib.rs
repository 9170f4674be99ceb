//! Deterministic generator of fictitious watchlists and travellers, for the
//! demo (`tansiq demo`), the benchmark (`tansiq bench`, 1,000,000 entities)
//! and test manifests.
//!
//! - [`demo_watchlist`]: 280 persons and 40 organisations with everything a
//!   national entry carries (warrant, court, offence, action on hit,
//!   validity, sharing); [`demo_travellers`]: the travellers the demo
//!   screens, each with the entry it should find (or none) and why.
//! - [`generate`] / [`entity`]: the benchmark population, ~60% Arab-script
//!   persons, ~25% other persons, ~15% organisations, ~2.9 names each;
//!   [`generate_with`] / [`travellers_with`] take another [`Mix`], e.g.
//!   [`Mix::ORG_HEAVY`] (~45% organisations named as on sanctions lists,
//!   `Karvenor International Trading Company Limited`, and organisation
//!   queries).
//! - [`travellers`]: listed persons written differently, and innocents,
//!   labelled; the spelling-variation model is [`Variation`] / [`vary`].
//!
//! Names are assembled from hand-written tables of name *parts* (given
//! names, Abd- and -ud-Din compounds, family and tribe names, nisbas,
//! kunyas, organisation words), each in Arabic script with its spellings in
//! the English/academic, French/Maghreb and Egyptian conventions, plus
//! parts derived by the rules real names follow (Ben + given name, Persian
//! -zadeh, Caucasus -ov/-ovich). A person gets a regional name structure
//! (Maghreb given + family with an optional `Ben` nasab; Mashriq given +
//! father + grandfather; Hassaniya `Ould`…), a primary Latin name in the
//! convention of their country's documents, and aliases in the other
//! conventions and in Arabic script.
//!
//! Key design decision: everything comes from our own SplitMix64 generator
//! and static tables, so the output is identical on every machine and every
//! run and the crate needs no I/O and no randomness crate. The price: the
//! variety is only as rich as the tables (about a thousand parts), so a
//! large generated population has more exact homonyms than a real one
//! (19% of persons share their primary name with someone at 100,000
//! entities) — which a border matcher must cope with anyway, using dates of
//! birth and documents.
//!
//! Every combination is fictitious: common name parts are vocabulary, not
//! people. The tables leave out family names and noms de guerre that would
//! spell well-known listed persons, and tests check the demo set (every
//! name) and a sample of the benchmark population (primary names) against
//! the real benchmark watchlist.
//!
//! ```
//! let list = tansiq_synth::demo_watchlist();
//! assert!(list.len() >= 300);
//! assert_eq!(list, tansiq_synth::demo_watchlist()); // deterministic
//! let hit = &tansiq_synth::demo_travellers()[0];
//! assert_eq!(hit.expected.as_deref(), Some("demo-p-0001"));
//!
//! let population: Vec<_> = tansiq_synth::generate(42, 1_000).collect();
//! assert_eq!(population[7], tansiq_synth::entity(42, 7)); // random access
//! let manifest = tansiq_synth::travellers(1, 400, &population).unwrap();
//! let listed = manifest.iter().filter(|t| t.expected.is_some()).count();
//! assert!(listed > 100 && listed < 300);
//! ```
//!
//! **Architecture invariant:** no I/O, no clock, no OS randomness.

mod bench;
mod company;
mod demo;
mod derived;
mod fold;
mod person;
mod rng;
mod tables;
mod variation;

pub use bench::{
    LabelledTraveller, Mix, entity, entity_with, generate, generate_with, travellers,
    travellers_with,
};
pub use demo::{DEMO_ORGANISATIONS, DEMO_PERSONS, demo_travellers, demo_watchlist};
pub use fold::{fold, token_set};
pub use variation::{Variation, mrz, vary};

use tansiq_model::{Entity, Schema, prop};

/// A traveller as a border post or a manifest presents one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traveller {
    /// The name as written on the document or typed by the officer.
    pub name: String,
    /// ISO date (`YYYY-MM-DD`), when known.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2, lower case.
    pub nationality: Option<String>,
    /// `male` or `female`.
    pub gender: Option<String>,
    pub document_number: Option<String>,
}

impl Traveller {
    /// The traveller as a FollowTheMoney `Person` query entity.
    pub fn to_entity(&self, id: impl Into<String>) -> Entity {
        let mut e = Entity::new(id, Schema::Person);
        e.add(prop::NAME, &self.name);
        if let Some(d) = &self.birth_date {
            e.add(prop::BIRTH_DATE, d);
        }
        if let Some(n) = &self.nationality {
            e.add(prop::NATIONALITY, n);
        }
        if let Some(g) = &self.gender {
            e.add(prop::GENDER, g);
        }
        if let Some(d) = &self.document_number {
            e.add(prop::PASSPORT_NUMBER, d);
        }
        e
    }
}

/// A traveller of the demo screen with what the demo should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoTraveller {
    pub traveller: Traveller,
    /// One sentence: how the traveller's name differs from the entry.
    pub description: String,
    /// The listed entity the traveller is (`None`: an innocent traveller
    /// who must not alert).
    pub expected: Option<String>,
}

/// Errors of the generator.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    #[error(
        "the watchlist has no entity with a name to make travellers from ({entities} entities)"
    )]
    EmptyWatchlist { entities: usize },
}
