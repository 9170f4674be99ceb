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

/// Number of features (the raw score first, then the evidence against).
pub const N_FEATURES: usize = 23;

/// Feature names, in order (shown in explanations and by the fitter).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "raw_score",
    "weak_alias",
    "family_unmatched",
    "given_unmatched",
    "unmatched_query_weight",
    "unmatched_query_max",
    "unmatched_listed_weight",
    "unmatched_listed_max",
    "share_skeleton",
    "share_edit",
    "share_spelling",
    "share_joined",
    "share_compound",
    "share_translation",
    "softness",
    "arabic_query",
    "inv_query_len",
    "inv_listed_len",
    "generic_query",
    "reordered",
    "single_token_query",
    "org_name_distance",
    "no_rare_part",
];

/// Index of the raw rule-based score in [`Features`].
pub const RAW: usize = 0;

/// Smallest slope of the calibration (it must stay increasing).
pub const MIN_SLOPE: f64 = 1e-3;

/// Feature vector of one alignment.
pub type Features = [f32; N_FEATURES];

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

    /// Sum of the feature contributions: at most 0.
    pub fn penalty(&self, x: &Features) -> f64 {
        (0..N_FEATURES).map(|i| self.contribution(i, x)).sum()
    }

    /// The learned score of an alignment whose calibrated raw score is
    /// `calibrated` ([`LinearModel::calibrate`] of `x[RAW]`): never above it.
    pub fn score(&self, calibrated: f32, x: &Features) -> f32 {
        let pen = self.penalty(x);
        if pen >= 0.0 || calibrated <= 0.0 {
            return calibrated;
        }
        (sigmoid(logit(f64::from(calibrated)) + pen) as f32).min(calibrated)
    }

    /// Linear predictor of an alignment (for the fitter).
    pub fn logit(&self, x: &Features) -> f64 {
        logit(f64::from(self.calibrate(x[RAW]))) + self.penalty(x)
    }
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
