//! The learned name score: a logistic model over explainable features of
//! one query-name / listed-name alignment, fitted on the training set
//! (`shared/bench/train`, OFAC SDN subjects the benchmark does not hold)
//! by `examples/fit.rs`, which writes `model_weights.rs`. See `MATCHING.md`.
//!
//! Shape, chosen so that ranking can still stop on upper bounds:
//!
//! `logit(score) = bias + slope · logit(raw) + Σ wᵢ · xᵢ`, with `slope > 0`,
//! every `wᵢ ≤ 0` and every `xᵢ ≥ 0`,
//!
//! where `raw` is the rule-based name score (coverages × rarity ×
//! penalties, each at most 1, before calibration) and the `xᵢ` are
//! evidence *against* the match (unmatched parts, soft or letter-level
//! alignments, a distant organisation name…). The factors of `raw`
//! (coverages, rarity) are not features again: refitted beside it they
//! take its weight and flatten the calibration, whose steepness is what
//! lets the bounds prune. The first term alone,
//! [`LinearModel::calibrate`], is monotone in `raw`; the rest can only
//! lower it. So a bound of `raw` calibrated is a bound of the learned
//! score, and the early stop of `Index::rank_with` keeps its invariant.
//! The signs are enforced here (`wᵢ` above 0 and `xᵢ` below 0 count as 0,
//! `slope` at least [`MIN_SLOPE`]), whatever the weights file holds.

use serde::Serialize;

/// Number of measured features of one alignment (the raw score first,
/// then the evidence against), before the split by schema.
pub const N_BASE_FEATURES: usize = 32;

/// Number of model features: the raw score, then each measured feature
/// twice, once for a listed person and once for a listed organisation
/// (the other copy is 0), so that each schema gets its own weights while
/// the calibration of the raw score, which the ranking bounds use, is
/// shared.
pub const N_FEATURES: usize = 1 + 2 * (N_BASE_FEATURES - 1);

/// Feature names, in order (shown in explanations and by the fitter).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "raw_score",
    "person_weak_alias",
    "org_weak_alias",
    "person_family_unmatched",
    "org_family_unmatched",
    "person_given_unmatched",
    "org_given_unmatched",
    "person_unmatched_query_weight",
    "org_unmatched_query_weight",
    "person_unmatched_query_max",
    "org_unmatched_query_max",
    "person_unmatched_listed_weight",
    "org_unmatched_listed_weight",
    "person_unmatched_listed_max",
    "org_unmatched_listed_max",
    "person_share_skeleton",
    "org_share_skeleton",
    "person_share_edit",
    "org_share_edit",
    "person_share_spelling",
    "org_share_spelling",
    "person_share_joined",
    "org_share_joined",
    "person_share_compound",
    "org_share_compound",
    "person_share_translation",
    "org_share_translation",
    "person_softness",
    "org_softness",
    "person_arabic_query",
    "org_arabic_query",
    "person_inv_query_words",
    "org_inv_query_words",
    "person_inv_listed_words",
    "org_inv_listed_words",
    "person_generic_query",
    "org_generic_query",
    "person_reordered",
    "org_reordered",
    "person_single_word_query",
    "org_single_word_query",
    "person_org_name_distance",
    "org_name_distance",
    "person_no_rare_part",
    "org_no_rare_part",
    "person_constant",
    "org_constant",
    "person_unmatched_both_max",
    "org_unmatched_both_max",
    "person_org_content_word_conflict",
    "org_content_word_conflict",
    "person_org_core_distance",
    "org_core_distance",
    "person_org_number_conflict",
    "org_number_conflict",
    "person_org_number_one_side",
    "org_number_one_side",
    "person_worst_alignment",
    "org_worst_alignment",
    "person_one_common_word_query",
    "org_one_common_word_query",
    "person_one_common_word_listed",
    "org_one_common_word_listed",
];

/// Index of the raw rule-based score in [`Features`].
pub const RAW: usize = 0;

/// Index of the constant measured feature (1 for every alignment): its
/// two copies are the intercepts of persons and organisations relative
/// to the bias.
pub const CONSTANT: usize = 23;

/// Smallest slope of the calibration (it must stay increasing).
pub const MIN_SLOPE: f64 = 1e-3;

/// Feature vector of one alignment.
pub type Features = [f32; N_FEATURES];

/// Measured features of one alignment, before the split by schema.
pub type BaseFeatures = [f32; N_BASE_FEATURES];

/// The model's features of an alignment with a listed organisation
/// (`organisation`) or person: each measured feature in its schema's slot.
pub fn split_by_schema(base: &BaseFeatures, organisation: bool) -> Features {
    let mut out = [0.0f32; N_FEATURES];
    out[RAW] = base[RAW];
    for (j, &x) in base.iter().enumerate().skip(1) {
        out[2 * j - 1 + usize::from(organisation)] = x;
    }
    out
}

/// The learned score (see the module documentation for its shape).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearModel {
    pub bias: f64,
    /// Weight of `logit(raw)`.
    pub slope: f64,
    /// One weight per feature; `weights[RAW]` is unused (the slope is
    /// its weight), the others count only where at most 0.
    pub weights: Vec<f64>,
}

impl LinearModel {
    /// The fitted product model (`model_weights.rs`).
    pub fn fitted() -> LinearModel {
        LinearModel {
            bias: crate::model_weights::BIAS,
            slope: crate::model_weights::SLOPE,
            weights: crate::model_weights::WEIGHTS.to_vec(),
        }
    }

    /// The calibration of a raw score: `sigmoid(bias + slope · logit(raw))`,
    /// non-decreasing; 0 stays 0 (nothing matched), 1 stays 1.
    pub fn calibrate(&self, raw: f32) -> f32 {
        // nothing matched stays 0, a perfect raw score stays 1 (the
        // sigmoid alone would leave both a hair inside)
        if raw.is_nan() || raw >= 1.0 {
            return 1.0;
        }
        if raw <= 0.0 {
            return 0.0;
        }
        sigmoid(self.bias + self.slope.max(MIN_SLOPE) * logit(f64::from(raw.min(1.0)))) as f32
    }

    /// Contribution of feature `i` to the logit (0 for the raw score,
    /// which enters through [`LinearModel::calibrate`]).
    pub fn contribution(&self, i: usize, x: &Features) -> f64 {
        if i == RAW {
            return 0.0;
        }
        self.weights.get(i).map_or(0.0, |w| w.min(0.0)) * f64::from(x[i].max(0.0))
    }

    /// The penalty of measured features `lower` that are at most those
    /// of an alignment (with a listed organisation or person): at least
    /// that alignment's penalty (every weight is at most 0), so that the
    /// ranking bounds may take it off. [`known_features`] are exact
    /// before any alignment; unmatched query parts that no pair reaches
    /// are a lower bound of the unmatched weight.
    pub fn known_penalty(&self, organisation: bool, lower: &BaseFeatures) -> f64 {
        self.base_penalty(organisation, lower)
    }

    /// [`LinearModel::penalty`] of `split_by_schema(base, organisation)`:
    /// the same sum in the same order over the features that are not 0,
    /// without the 63-wide vector (this runs for every entity a query
    /// reaches and every name scored).
    pub fn base_penalty(&self, organisation: bool, base: &BaseFeatures) -> f64 {
        let slot = |j: usize| 2 * j - 1 + usize::from(organisation);
        (1..N_BASE_FEATURES)
            .filter(|&j| base[j] != 0.0)
            .map(|j| {
                self.weights.get(slot(j)).map_or(0.0, |w| w.min(0.0)) * f64::from(base[j].max(0.0))
            })
            .sum()
    }

    /// `calibrated` lowered by a penalty `pen` (at most 0) in logit units:
    /// non-decreasing in both, never above `calibrated`.
    pub fn lower(&self, calibrated: f32, pen: f64) -> f32 {
        if pen >= 0.0 || calibrated <= 0.0 {
            return calibrated;
        }
        (sigmoid(logit(f64::from(calibrated)) + pen) as f32).min(calibrated)
    }

    /// Sum of the feature contributions: at most 0.
    pub fn penalty(&self, x: &Features) -> f64 {
        // (features at 0 add nothing: skipping them gives the same sum
        // bit for bit, and most are 0, half of them by the split by
        // schema; this runs for every name scored)
        (0..N_FEATURES)
            .filter(|&i| x[i] != 0.0)
            .map(|i| self.contribution(i, x))
            .sum()
    }

    /// Whether measured feature `base` (an index into [`BaseFeatures`])
    /// can change the score of an alignment with a listed organisation
    /// or person: its weight in that schema's copy is below 0. A
    /// feature that cannot need not be computed for the score alone.
    pub fn counts(&self, base: usize, organisation: bool) -> bool {
        base != RAW
            && self
                .weights
                .get(2 * base - 1 + usize::from(organisation))
                .is_some_and(|&w| w < 0.0)
    }

    /// The learned score of an alignment whose calibrated raw score is
    /// `calibrated` ([`LinearModel::calibrate`] of `x[RAW]`): never above it.
    pub fn score(&self, calibrated: f32, x: &Features) -> f32 {
        self.lower(calibrated, self.penalty(x))
    }

    /// Linear predictor of an alignment (for the fitter).
    pub fn logit(&self, x: &Features) -> f64 {
        logit(f64::from(self.calibrate(x[RAW]))) + self.penalty(x)
    }
}

/// Index of `unmatched_query_weight` among the measured features (at most
/// [`UNMATCHED_SUM_CAP`]).
pub const UNMATCHED_QUERY_WEIGHT: usize = 4;
/// Index of `unmatched_query_max` (at most [`UNMATCHED_MAX_CAP`]).
pub const UNMATCHED_QUERY_MAX: usize = 5;
/// Cap of the summed unmatched weights, in units of a part seen once.
pub const UNMATCHED_SUM_CAP: f32 = 3.0;
/// Cap of the largest unmatched weight.
pub const UNMATCHED_MAX_CAP: f32 = 1.5;

/// Index of `weak_alias` among the measured features.
pub const WEAK_ALIAS: usize = 1;
/// Index of `family_unmatched`.
pub const FAMILY_UNMATCHED: usize = 2;
/// Index of `given_unmatched`.
pub const GIVEN_UNMATCHED: usize = 3;
/// Index of `unmatched_listed_weight` (at most [`UNMATCHED_SUM_CAP`]).
pub const UNMATCHED_LISTED_WEIGHT: usize = 6;
/// Index of `unmatched_listed_max` (at most [`UNMATCHED_MAX_CAP`]).
pub const UNMATCHED_LISTED_MAX: usize = 7;
/// Index of `softness`.
pub const SOFTNESS: usize = 14;
/// Index of `no_rare_part`.
pub const NO_RARE_PART: usize = 22;
/// Index of `unmatched_both_max` (at most [`UNMATCHED_MAX_CAP`]).
pub const UNMATCHED_BOTH_MAX: usize = 24;
/// Index of `worst_alignment`.
pub const WORST_ALIGNMENT: usize = 29;

/// Index of `inv_query_words` among the measured features.
const INV_QUERY_WORDS: usize = 16;
/// Index of `inv_listed_words`.
const INV_LISTED_WORDS: usize = 17;
/// Index of `generic_query`.
const GENERIC_QUERY: usize = 18;
/// Index of `single_word_query`.
const SINGLE_WORD_QUERY: usize = 20;
/// Index of `one_common_word_query`.
const ONE_COMMON_WORD_QUERY: usize = 30;
/// Index of `one_common_word_listed`.
const ONE_COMMON_WORD_LISTED: usize = 31;

/// Index of `org_name_distance` among the measured features (the
/// learned score computes it only where its weight counts, or for the
/// fitter and explanations: a whole-name edit distance).
pub const ORG_NAME_DISTANCE: usize = 21;
/// Index of `org_content_word_conflict`.
pub const ORG_CONTENT_WORD_CONFLICT: usize = 25;
/// Index of `org_core_distance`.
pub const ORG_CORE_DISTANCE: usize = 26;
/// Index of `org_number_conflict`.
pub const ORG_NUMBER_CONFLICT: usize = 27;
/// Index of `org_number_one_side`.
pub const ORG_NUMBER_ONE_SIDE: usize = 28;

/// Share of the rarity weight of a part seen once in the list at or
/// above which a name part counts as rare: the rule-based score's
/// `rare_parts`, and the line between a one-word name that identifies
/// someone (`Zouaoui`) and one that many people carry (`Ahmed`).
pub const RARE_PART_SHARE: f32 = 0.6;

/// Credit at or above which an aligned part counts as found: the given
/// name of `given_unmatched`, a rare part of `no_rare_part` and of the
/// rule-based score's `rare_parts`, a name's clear contribution to a
/// match spread over several names. Scoring and its bounds read this one
/// constant.
pub const FOUND_CREDIT: f32 = 0.5;

/// What is known of a name before any alignment.
///
/// Length is counted in words, not name units: `Abdul Wahid` and the
/// kunya `Abu Mundhir` are one unit each (they align as one) but two
/// words, and a two-word name identifies someone far better than a
/// one-word one. Commonness is how common the name's rarest part is: 0
/// for a part seen once in the list, up to 1 for a part every entity
/// carries or a generic word. A short *and* common name says little
/// (`Mohamed`, `Trading`); a short rare one written exactly says much
/// (`Zouaoui`), so the listed name's length enters the model as
/// `inv_listed_words` = commonness / words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NameShape {
    /// Words of the name (at least 1 counts).
    pub words: usize,
    /// 1 − the rarity weight of the name's rarest part over that of a
    /// part seen once, within 0..=1.
    pub commonness: f32,
}

impl NameShape {
    /// The shape of a name of `words` words whose rarest part weighs
    /// `max_weight` (`unit`: the weight of a part seen once).
    pub fn of(words: usize, max_weight: f32, unit: f32) -> NameShape {
        let rarity = if unit > 0.0 {
            (max_weight / unit).clamp(0.0, 1.0)
        } else {
            1.0
        };
        NameShape {
            words,
            commonness: 1.0 - rarity,
        }
    }

    /// One word, and a common one (its rarity under [`RARE_PART_SHARE`]).
    pub fn one_common_word(self) -> bool {
        self.words <= 1 && self.commonness > 1.0 - RARE_PART_SHARE
    }

    /// A shape whose known features are at most those of both `self`
    /// and `other` (more words, less common): the ranking bounds take it
    /// over every reached name of an entity.
    pub fn weakest(self, other: NameShape) -> NameShape {
        NameShape {
            words: self.words.max(other.words),
            commonness: self.commonness.min(other.commonness),
        }
    }

    /// The start of [`NameShape::weakest`] over the names of an entity
    /// (its identity: the weakest of it and a shape is that shape).
    pub const UNREACHED: NameShape = NameShape {
        words: 0,
        commonness: 1.0,
    };

    /// The shape whose known features are 0 wherever they can be.
    pub const LONGEST: NameShape = NameShape {
        words: 64,
        commonness: 0.0,
    };
}

/// Sets the measured features known before any alignment: the
/// constant, the query name's shape and whether every part is generic,
/// the listed name's shape. The name score and the ranking bounds both
/// call this, so that they agree. Each only lowers the score as a name
/// gets shorter or commoner, so the [`NameShape::weakest`] of an
/// entity's names bounds them all.
pub fn known_features(
    base: &mut BaseFeatures,
    query: NameShape,
    generic_query: bool,
    listed: NameShape,
) {
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    base[CONSTANT] = 1.0;
    base[INV_QUERY_WORDS] = 1.0 / query.words.max(1) as f32;
    base[INV_LISTED_WORDS] = listed.commonness / listed.words.max(1) as f32;
    base[GENERIC_QUERY] = flag(generic_query);
    base[SINGLE_WORD_QUERY] = flag(query.words <= 1);
    base[ONE_COMMON_WORD_QUERY] = flag(query.one_common_word());
    base[ONE_COMMON_WORD_LISTED] = flag(listed.one_common_word());
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `ln(p / (1 - p))`, with `p` kept inside (0, 1).
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_feature_is_named() {
        assert_eq!(FEATURE_NAMES[2 * CONSTANT - 1], "person_constant");
        assert_eq!(FEATURE_NAMES[2 * CONSTANT], "org_constant");
    }

    #[test]
    fn known_features_are_named() {
        for (i, name) in [
            (INV_QUERY_WORDS, "inv_query_words"),
            (INV_LISTED_WORDS, "inv_listed_words"),
            (GENERIC_QUERY, "generic_query"),
            (SINGLE_WORD_QUERY, "single_word_query"),
            (ONE_COMMON_WORD_QUERY, "one_common_word_query"),
            (ONE_COMMON_WORD_LISTED, "one_common_word_listed"),
        ] {
            assert_eq!(FEATURE_NAMES[2 * i - 1], format!("person_{name}"));
            assert_eq!(FEATURE_NAMES[2 * i], format!("org_{name}"));
        }
    }

    #[test]
    fn bounded_features_are_named() {
        // (index, name of the organisation copy, of the person copy)
        for (i, org, person) in [
            (WEAK_ALIAS, "org_weak_alias", "person_weak_alias"),
            (
                FAMILY_UNMATCHED,
                "org_family_unmatched",
                "person_family_unmatched",
            ),
            (
                GIVEN_UNMATCHED,
                "org_given_unmatched",
                "person_given_unmatched",
            ),
            (
                UNMATCHED_LISTED_WEIGHT,
                "org_unmatched_listed_weight",
                "person_unmatched_listed_weight",
            ),
            (
                UNMATCHED_LISTED_MAX,
                "org_unmatched_listed_max",
                "person_unmatched_listed_max",
            ),
            (SOFTNESS, "org_softness", "person_softness"),
            (NO_RARE_PART, "org_no_rare_part", "person_no_rare_part"),
            (
                UNMATCHED_BOTH_MAX,
                "org_unmatched_both_max",
                "person_unmatched_both_max",
            ),
            (
                WORST_ALIGNMENT,
                "org_worst_alignment",
                "person_worst_alignment",
            ),
            (
                ORG_NAME_DISTANCE,
                "org_name_distance",
                "person_org_name_distance",
            ),
            (
                ORG_CONTENT_WORD_CONFLICT,
                "org_content_word_conflict",
                "person_org_content_word_conflict",
            ),
            (
                ORG_CORE_DISTANCE,
                "org_core_distance",
                "person_org_core_distance",
            ),
            (
                ORG_NUMBER_CONFLICT,
                "org_number_conflict",
                "person_org_number_conflict",
            ),
            (
                ORG_NUMBER_ONE_SIDE,
                "org_number_one_side",
                "person_org_number_one_side",
            ),
        ] {
            assert_eq!(FEATURE_NAMES[2 * i], org);
            assert_eq!(FEATURE_NAMES[2 * i - 1], person);
        }
    }

    #[test]
    fn known_penalty_is_part_of_every_penalty() {
        let m = LinearModel::fitted();
        for organisation in [false, true] {
            let query = NameShape::of(2, 1.0, 1.0);
            for words in 1..6 {
                for commonness in [0.0, 0.3, 0.5, 1.0] {
                    let listed = NameShape { words, commonness };
                    let mut known = [0.0f32; N_BASE_FEATURES];
                    known_features(&mut known, query, false, listed);
                    let mut base = known;
                    base[UNMATCHED_QUERY_MAX] = 0.7;
                    let x = split_by_schema(&base, organisation);
                    let pen = m.known_penalty(organisation, &known);
                    assert!(m.penalty(&x) <= pen);
                    assert!(pen <= 0.0);
                    // a longer or rarer name is penalised no more, and
                    // the weakest shape of two names no more than either
                    for other in [
                        NameShape {
                            words: words + 1,
                            commonness,
                        },
                        NameShape {
                            words,
                            commonness: commonness / 2.0,
                        },
                    ] {
                        let mut k = [0.0f32; N_BASE_FEATURES];
                        known_features(&mut k, query, false, other);
                        assert!(m.known_penalty(organisation, &k) >= pen);
                        known_features(&mut k, query, false, listed.weakest(other));
                        assert!(m.known_penalty(organisation, &k) >= pen);
                    }
                }
            }
        }
    }

    #[test]
    fn shape_of_a_name() {
        assert!(NameShape::of(1, 0.2, 1.0).one_common_word());
        assert!(!NameShape::of(1, 0.9, 1.0).one_common_word());
        assert!(!NameShape::of(2, 0.2, 1.0).one_common_word());
        assert_eq!(NameShape::of(1, 2.0, 1.0).commonness, 0.0);
        let w = NameShape::UNREACHED.weakest(NameShape::of(3, 0.5, 1.0));
        assert_eq!(w, NameShape::of(3, 0.5, 1.0));
    }

    #[test]
    fn sigmoid_and_logit_are_inverse() {
        for p in [0.01, 0.3, 0.5, 0.8, 0.99] {
            assert!((sigmoid(logit(p)) - p).abs() < 1e-9);
        }
    }

    #[test]
    fn fitted_model_has_one_weight_per_feature() {
        let m = LinearModel::fitted();
        assert_eq!(m.weights.len(), N_FEATURES);
        assert!(m.weights.iter().all(|w| w.is_finite()) && m.bias.is_finite());
        assert!(m.slope > 0.0);
    }

    #[test]
    fn calibration_is_increasing_and_features_only_lower_it() {
        // a model with the wrong signs everywhere: they must not count
        let m = LinearModel {
            bias: 0.3,
            slope: -2.0,
            weights: vec![5.0; N_FEATURES],
        };
        let fitted = LinearModel::fitted();
        for m in [m, fitted] {
            let mut last = 0.0;
            for k in 0..=1000 {
                let raw = k as f32 / 1000.0;
                let c = m.calibrate(raw);
                assert!(c >= last, "{raw}");
                last = c;
                let mut x = [1.0f32; N_FEATURES];
                x[RAW] = raw;
                assert!(m.score(c, &x) <= c);
                x.iter_mut().for_each(|v| *v = -1.0);
                assert!(m.score(c, &x) <= c);
            }
            assert_eq!(m.calibrate(0.0), 0.0);
        }
    }
}
