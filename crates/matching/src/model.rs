//! The learned name score: a logistic model over explainable features of
//! one query-name / listed-name alignment.
//!
//! The hand-tuned score (coverages × rarity × penalties, calibrated) is
//! itself feature 0; the model corrects it with what the alignment shows
//! (unmatched rare parts on each side, which rules aligned the parts, how
//! soft the credits were, …). Weights are fitted by
//! `examples/fit.rs` on one half of the dev queries (split by listed
//! entity) and written to `model_weights.rs`; the bias is then shifted so
//! that the best-F1 threshold of the fitting half is 0.80. See
//! `MATCHING.md`.

use serde::Serialize;

/// Number of features.
pub const N_FEATURES: usize = 27;

/// Feature names, in order (shown in explanations and by the fitter).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "hand_score",
    "hand_logit",
    "query_coverage",
    "listed_coverage",
    "rarity_factor",
    "rare_evidence",
    "weak_alias",
    "family_unmatched",
    "given_unmatched",
    "unmatched_query_weight",
    "unmatched_query_max",
    "unmatched_listed_weight",
    "unmatched_listed_max",
    "share_exact",
    "share_skeleton",
    "share_edit",
    "share_joined",
    "share_compound",
    "share_translation",
    "softness",
    "arabic_query",
    "inv_query_len",
    "inv_listed_len",
    "rare_parts",
    "generic_query",
    "reordered",
    "single_token_query",
];

/// Feature vector of one alignment.
pub type Features = [f32; N_FEATURES];

/// A logistic model: `score = 1 / (1 + exp(-(bias + weights · x)))`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearModel {
    pub bias: f64,
    pub weights: Vec<f64>,
}

impl LinearModel {
    /// The fitted product model (`model_weights.rs`).
    pub fn fitted() -> LinearModel {
        LinearModel {
            bias: crate::model_weights::BIAS,
            weights: crate::model_weights::WEIGHTS.to_vec(),
        }
    }

    /// Linear predictor `bias + weights · x`.
    pub fn logit(&self, x: &Features) -> f64 {
        self.bias
            + self
                .weights
                .iter()
                .zip(x.iter())
                .map(|(w, v)| w * f64::from(*v))
                .sum::<f64>()
    }

    /// Score in 0..1.
    pub fn score(&self, x: &Features) -> f32 {
        sigmoid(self.logit(x)) as f32
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
    }
}
