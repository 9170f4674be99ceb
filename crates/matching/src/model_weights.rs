//! Fitted weights of the learned name score (written by
//! `examples/fit.rs`; do not edit by hand). Fitted on all of
//! `shared/bench/train` (7766 examples' queries, top 10 candidates,
//! 2 rounds, L2 1); bias shifted so that the 5-fold
//! cross-validated best-F1 threshold is 0.8.

pub(crate) const BIAS: f64 = 1.4401462296024243;
pub(crate) const SLOPE: f64 = 1.618376770128158;
pub(crate) const WEIGHTS: [f64; crate::model::N_FEATURES] = [
    0.0,                  // raw_score
    0.0,                  // weak_alias
    0.0,                  // family_unmatched
    -0.577503560748569,   // given_unmatched
    0.0,                  // unmatched_query_weight
    -0.9447670381562571,  // unmatched_query_max
    -0.15896852432016562, // unmatched_listed_weight
    -0.6754953395787989,  // unmatched_listed_max
    -0.7102779299637956,  // share_skeleton
    -0.4218100152469238,  // share_edit
    -0.7332157433713261,  // share_spelling
    -1.3175016657838554,  // share_joined
    0.0,                  // share_compound
    -5.9121022865397235,  // share_translation
    0.0,                  // softness
    0.0,                  // arabic_query
    0.0,                  // inv_query_len
    -0.4362155434664831,  // inv_listed_len
    -4.23747591455803,    // generic_query
    -0.5315243363039867,  // reordered
    0.0,                  // single_token_query
    -0.28960946618435823, // org_name_distance
    -0.6561713677038523,  // no_rare_part
];
