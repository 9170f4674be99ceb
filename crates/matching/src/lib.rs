//! Entity matching for watchlist screening: a candidate index over name
//! units, token alignment weighted by rarity, non-name evidence, and an
//! explanation for every match. Pure: no I/O, no clock.
//!
//! Key design decision: similarity is decided **per distinct name unit**,
//! not per listed name. A query unit is compared (phonetic keys: consonant
//! classes plus vowel classes, see `tansiq-names`) only with the vocabulary
//! entries its candidate keys reach, and a unit spelled like a listed one
//! reuses neighbours precomputed at build time; occurrence lists then turn
//! those few token matches into aligned pairs for exactly the listed names
//! that contain them, and every such name is scored in full. The candidate
//! stage thus loses only what the keys miss (measured against
//! [`Index::screen_exhaustive`]: same top-1 for 98 % of the benchmark
//! queries). The trade-off: a unit that is common on the list (Mohamed)
//! would touch a large share of all names, so above
//! [`MatcherConfig::common_occurrence_cap`] occurrences it only adds to
//! names that rarer units reached; a query made only of common units
//! ranks a capped sample (it cannot reach an alert anyway).
//!
//! See `MATCHING.md` for the score, the threshold choice and the figures.
//!
//! Scores are calibrated so that [`MatcherConfig::possible`] (0.80) is the
//! default alert threshold.
//!
//! ```
//! use tansiq_matching::{Index, MatcherConfig, Query, Band};
//! use tansiq_model::{Entity, Schema, prop};
//! let mut e = Entity::new("X1", Schema::Person);
//! e.add(prop::NAME, "Abd al-Qadir Karim Haddad");
//! let mut f = Entity::new("X2", Schema::Person);
//! f.add(prop::NAME, "Mohamed Salem Bakri");
//! let index = Index::build(vec![e, f], MatcherConfig::default());
//! let hits = index.screen(&Query::name("عبد القادر كريم حداد"), 5);
//! assert_eq!(hits[0].entity_id, "X1");
//! assert!(hits[0].band != Band::None);
//! println!("{}", hits[0].explanation);
//! ```

mod align;
mod explain;
mod index;
mod live;
mod memory;
mod model;
mod model_weights;
mod screen;

pub mod eval;

use serde::Serialize;
use tansiq_model::{Entity, Schema, prop};

pub use explain::{
    Evidence, EvidenceKind, Explanation, FeatureContribution, NameCap, NameCapRule, ReasonClause,
    Rule, TokenAlignment,
};
pub use index::Index;
pub use live::{DELTA_FOLD_ENTITIES, IndexChange, LiveIndex};
pub use memory::MemoryReport;
pub use model::{
    BaseFeatures, FEATURE_NAMES, Features, LinearModel, N_BASE_FEATURES, N_FEATURES, NameShape,
    RARE_PART_SHARE, logit, sigmoid, split_by_schema,
};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchingError {
    #[error("{what} line {line}: {message}")]
    BadLine {
        what: &'static str,
        line: usize,
        message: String,
    },
    #[error("reading {what} at line {line}: {source}")]
    Read {
        what: &'static str,
        line: usize,
        source: std::io::Error,
    },
}

/// Tunable settings. The defaults are the product settings; thresholds are
/// on the calibrated scale.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatcherConfig {
    /// Alert threshold: the *possible* band starts here (0.80).
    pub possible: f64,
    /// The *strong* band starts here.
    pub strong: f64,
    /// Exponent on inverse document frequency weights.
    pub idf_power: f64,
    /// Weight multiplier of generic organisation words and titles.
    pub generic_weight: f64,
    /// Token similarity at or below which a pair earns no credit.
    pub credit_floor: f64,
    /// Token similarity at or above which a pair earns full credit.
    pub credit_full: f64,
    /// Steepness of the credit curve between floor and full.
    pub credit_power: f64,
    /// Share of the name score from query coverage (the rest: listed-name
    /// coverage).
    pub query_coverage_weight: f64,
    /// Exponent on query coverage (> 1: an unmatched query part costs more
    /// than its weight share).
    pub query_coverage_power: f64,
    /// Rare evidence needed for full score, in units of the rarity of a
    /// token seen in one entity.
    pub rare_evidence: f64,
    /// Exponent of the rarity factor.
    pub rarity_power: f64,
    /// Multiplier for weak aliases.
    pub weak_alias_factor: f64,
    /// Multiplier when the last part (family name, nisba) of a listed name
    /// of three or more parts is unmatched.
    pub family_miss_factor: f64,
    /// Multiplier when the first part of a listed name of two or more parts
    /// is unmatched or matched with credit below 0.5.
    pub given_miss_factor: f64,
    /// Multiplier when a listed name made only of generic organisation
    /// words is matched by a query name with a distinctive part left
    /// unmatched (Sad Export Import Company against Technology and
    /// Development Group Limited).
    pub generic_name_extra_factor: f64,
    /// Multiplier when a listed alias or weak alias (not a primary name)
    /// is matched by a query name that keeps a part unmatched which is
    /// not generic, not a title and at least half as rare as a part seen
    /// in one entity (Bassar Hafiz al-Asad against the alias Hafiz Saeed).
    pub alias_extra_part_factor: f64,
    /// Coverage weight multiplier of the first and last parts of a listed
    /// name of three or more parts.
    pub edge_weight: f64,
    /// Weight, in listed coverage, of unmatched interior parts of a listed
    /// name whose first and last parts are both matched (nasab chains and
    /// middle names are routinely dropped: Aisha Qadhafi for Aisha Muammar
    /// Muhammad Abu Minyar Qadhafi).
    pub middle_miss_weight: f64,
    /// Share of listed entities from which a name part counts as very
    /// common (0.05: Mohamed, Ali, Hassan on the UN list).
    pub common_share: f64,
    /// Name score ceiling of the name-only rules ([`NameCapRule`]): an
    /// alias of at most two very common agreeing parts, or of one part
    /// against a longer query name. Just below `possible` (as for parts
    /// combined from several names), so that such a name alerts only when
    /// other evidence agrees: an agreeing nationality lifts 0.79 to 0.80,
    /// a birth year to 0.81, a full birth date to 0.86; `1.0` switches the
    /// rules off.
    pub name_only_cap: f64,
    /// Name score ceiling of a listed organisation's whole name found in
    /// a longer query name ([`NameCapRule::OrganisationQualifier`]: a
    /// branch, a department, a province, or another body named after it).
    /// Just below `strong`, so that such a name alerts in the possible
    /// band, with its own reason, for an analyst to decide; `1.0` switches
    /// the rule off.
    pub qualifier_cap: f64,
    /// Multiplier for a score built from name parts found in different
    /// names of one entity.
    pub combined_names_factor: f64,
    /// Exponent mapping raw name scores to the calibrated scale.
    pub calibration_power: f64,
    /// Learned name score (`model.rs`): a fitted calibration of the
    /// rule-based raw score lowered by evidence against it
    /// (`LinearModel::fitted()`, fitted on the training set; the
    /// default). `None` keeps the rule-based score calibrated by
    /// `calibration_power`, which Arabic-script queries and listed names
    /// written exactly, whole, keep under the model too (`MATCHING.md`,
    /// learned score).
    pub model: Option<LinearModel>,
    /// Multiplier when query and listed schemata are incompatible.
    pub schema_mismatch_factor: f64,
    /// Share of the remaining distance to 1 added on a full birth date match.
    pub dob_full_bonus: f64,
    /// Same for a birth date agreeing at the common precision.
    pub dob_partial_bonus: f64,
    /// Multiplier when birth years differ by one.
    pub dob_near_factor: f64,
    /// Multiplier when birth dates clearly disagree.
    pub dob_mismatch_factor: f64,
    /// Share of the remaining distance to 1 added when a nationality agrees.
    pub nationality_bonus: f64,
    /// Multiplier when no nationality agrees.
    pub nationality_mismatch_factor: f64,
    /// Multiplier when genders disagree.
    pub gender_mismatch_factor: f64,
    /// Score floor on an exact passport or ID number match.
    pub document_match_score: f64,
    /// Occurrence count above which a matched unit is too common to open
    /// candidates by itself: it only adds to names that rarer units
    /// reached (scaling to millions of names).
    pub common_occurrence_cap: usize,
    /// Share of listed names above which an entry is common even under
    /// `common_occurrence_cap` (small lists: 2 % of 11,000 names = 230).
    pub common_occurrence_share: f64,
    /// Most vocabulary entries compared with one query unit (the most
    /// selective candidate keys are read first).
    pub lookup_budget: usize,
}

impl Default for MatcherConfig {
    fn default() -> MatcherConfig {
        MatcherConfig {
            possible: 0.80,
            strong: 0.92,
            idf_power: 1.0,
            generic_weight: 0.15,
            credit_floor: 0.65,
            credit_full: 0.97,
            credit_power: 1.0,
            query_coverage_weight: 0.55,
            query_coverage_power: 1.0,
            rare_evidence: 1.3,
            rarity_power: 0.5,
            weak_alias_factor: 0.95,
            edge_weight: 1.0,
            middle_miss_weight: 1.0,
            family_miss_factor: 0.85,
            generic_name_extra_factor: 0.85,
            alias_extra_part_factor: 0.95,
            given_miss_factor: 1.0,
            combined_names_factor: 0.85,
            common_share: 0.05,
            name_only_cap: 0.79,
            qualifier_cap: 0.91,
            calibration_power: 0.45,
            model: Some(LinearModel::fitted()),
            schema_mismatch_factor: 0.6,
            dob_full_bonus: 0.35,
            dob_partial_bonus: 0.1,
            dob_near_factor: 0.95,
            dob_mismatch_factor: 0.8,
            nationality_bonus: 0.05,
            nationality_mismatch_factor: 0.93,
            gender_mismatch_factor: 0.8,
            document_match_score: 0.97,
            common_occurrence_cap: 1_000,
            common_occurrence_share: 0.02,
            lookup_budget: 600,
        }
    }
}

/// Match band of a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    None,
    Possible,
    Strong,
}

/// What is screened: names plus optional evidence.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub schema: Option<Schema>,
    pub names: Vec<String>,
    /// ISO dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
    pub birth_dates: Vec<String>,
    /// ISO-2 codes.
    pub nationalities: Vec<String>,
    /// `male` / `female`.
    pub gender: Option<String>,
    /// Passport or ID numbers (normalised on use).
    pub documents: Vec<String>,
}

impl Query {
    /// A query with every name and piece of evidence of an entity.
    pub fn from_entity(e: &Entity) -> Query {
        let mut names: Vec<String> = e.names().iter().map(|n| n.value.to_string()).collect();
        if names.is_empty()
            && let Some(c) = e.composed_name()
        {
            names.push(c);
        }
        let mut documents: Vec<String> = e.get(prop::PASSPORT_NUMBER).to_vec();
        documents.extend(e.get(prop::ID_NUMBER).iter().cloned());
        Query {
            schema: Some(e.schema),
            names,
            birth_dates: e.get(prop::BIRTH_DATE).to_vec(),
            nationalities: e.nationalities(),
            gender: e.gender().map(str::to_string),
            documents,
        }
    }

    /// A name-only query of unknown schema.
    pub fn name(n: &str) -> Query {
        Query {
            names: vec![n.to_string()],
            ..Query::default()
        }
    }
}

/// One ranked result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub entity_id: String,
    /// Calibrated score, 0..=1.
    pub score: f64,
    pub band: Band,
    pub explanation: Explanation,
    /// Below the alert threshold only because other evidence disagreed
    /// ([`NearMiss`]): shown to the officer, never a plain "no match".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<NearMiss>,
}

/// A near miss: the names alone would be a strong alert (the name score,
/// rarity included, is at or above [`MatcherConfig::strong`], and every
/// part of both names is matched) but evidence against them (a birth
/// date, a nationality, a gender, the schema) took the final score below
/// the alert threshold [`MatcherConfig::possible`]. The policy: the
/// answer's band stays `none` (the evidence is what the officer's decision
/// rests on), and the match says so, with what lowered it, so that a
/// distinctive listed name is never answered with a plain "no match". A
/// common name (its rarity keeps its name score below the strong band,
/// e.g. "Mohamed Ali" against "Ali Mohammed") with disagreeing details
/// stays a plain "no match": flagging every such traveller would bury the
/// officer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearMiss {
    /// The score of the names alone.
    pub name_score: f64,
    /// What lowered it, in the order applied.
    pub lowered_by: Vec<EvidenceKind>,
    /// In words, for the officer.
    pub reason: String,
}

impl NearMiss {
    /// The near miss of a match scored `score` with `explanation`, if it
    /// is one under `config`.
    pub fn of(score: f64, explanation: &Explanation, config: &MatcherConfig) -> Option<NearMiss> {
        let full =
            explanation.unmatched_query.is_empty() && explanation.unmatched_listed.is_empty();
        if score >= config.possible || explanation.name_score < config.strong || !full {
            return None;
        }
        let against: Vec<&Evidence> = explanation
            .evidence
            .iter()
            .filter(|e| e.after < e.before)
            .collect();
        if against.is_empty() {
            return None;
        }
        let what = against
            .iter()
            .map(|e| format!("{} ({})", e.kind.label(), e.detail))
            .collect::<Vec<_>>()
            .join("; ");
        Some(NearMiss {
            name_score: explanation.name_score,
            lowered_by: against.iter().map(|e| e.kind).collect(),
            reason: format!(
                "the name matches \"{}\" (name score {:.2}) but {what} took the score to {score:.2}, below the alert threshold {:.2}",
                explanation.listed_name, explanation.name_score, config.possible
            ),
        })
    }
}

impl Match {
    /// The officer's plain-language reason ([`Explanation::reason`]),
    /// closed by the near miss when it is one.
    pub fn reason(&self, config: &MatcherConfig) -> Vec<ReasonClause> {
        let mut out = self.explanation.reason();
        if self.near_miss.is_some() {
            out.push(ReasonClause {
                id: "reason-near-miss",
                args: vec![
                    ("score", format!("{:.2}", self.score)),
                    ("threshold", format!("{:.2}", config.possible)),
                ],
            });
        }
        out
    }
}

/// Scores entity `a` (as a query) against entity `b` (as listed), without
/// corpus rarity: every token weighs the same except generic words and
/// titles. For `tansiq match-pairs`.
pub fn score_pair(a: &Entity, b: &Entity, config: &MatcherConfig) -> (f64, Explanation) {
    let index = Index::build(vec![b.clone()], config.clone());
    match index.screen(&Query::from_entity(a), 1).into_iter().next() {
        Some(m) => (m.score, m.explanation),
        None => (0.0, Explanation::default()),
    }
}
