//! Fitted weights of the learned name score (written by
//! `examples/fit.rs`; do not edit by hand). Fitted on all of
//! `shared/bench/train` (7766 examples' queries, top 10 candidates,
//! 2 rounds, L2 4); bias shifted so that the 5-fold
//! cross-validated best-F1 threshold is 0.8, then the intercept
//! of each schema (`person_constant`, `org_constant`) so that its
//! cross-validated F1 at 0.8 is the best of the shifts tried.

pub(crate) const BIAS: f64 = 4.517318117061434;
pub(crate) const SLOPE: f64 = 0.9006274681996506;
pub(crate) const WEIGHTS: [f64; crate::model::N_FEATURES] = [
    0.0,                  // raw_score
    0.0,                  // person_weak_alias
    0.0,                  // org_weak_alias
    0.0,                  // person_family_unmatched
    -0.19344394673157816, // org_family_unmatched
    -0.4805862285151829,  // person_given_unmatched
    -0.8542109949988007,  // org_given_unmatched
    -1.6535926154095895,  // person_unmatched_query_weight
    0.0,                  // org_unmatched_query_weight
    -0.25702101755711065, // person_unmatched_query_max
    -0.513280358109732,   // org_unmatched_query_max
    -0.6159040910396206,  // person_unmatched_listed_weight
    0.0,                  // org_unmatched_listed_weight
    -1.4151087496318868,  // person_unmatched_listed_max
    -1.0793225706668153,  // org_unmatched_listed_max
    -0.8350169968182091,  // person_share_skeleton
    -0.3952706456827511,  // org_share_skeleton
    -0.4614120474168056,  // person_share_edit
    0.0,                  // org_share_edit
    -0.24149062831749915, // person_share_spelling
    -1.1309440688423849,  // org_share_spelling
    -2.205911414224596,   // person_share_joined
    -0.7630254731567458,  // org_share_joined
    -0.06361059886119523, // person_share_compound
    0.0,                  // org_share_compound
    -0.3996438293804725,  // person_share_translation
    -6.086974675603648,   // org_share_translation
    -3.2789169550496156,  // person_softness
    -0.5658881558215746,  // org_softness
    0.0,                  // person_arabic_query
    0.0,                  // org_arabic_query
    -1.7832557817844477,  // person_inv_query_words
    0.0,                  // org_inv_query_words
    -8.561579614612688,   // person_inv_listed_words
    -8.370654637063485,   // org_inv_listed_words
    -6.840998776245179,   // person_generic_query
    -2.05143852912687,    // org_generic_query
    -1.5366119002222067,  // person_reordered
    0.0,                  // org_reordered
    0.0,                  // person_single_word_query
    0.0,                  // org_single_word_query
    0.0,                  // person_org_name_distance
    0.0,                  // org_name_distance
    -0.5076876239100959,  // person_no_rare_part
    -0.48422414704083944, // org_no_rare_part
    0.0,                  // person_constant
    -0.4230671860405657,  // org_constant
    -1.2947033585100916,  // person_unmatched_both_max
    -0.9570762628014773,  // org_unmatched_both_max
    0.0,                  // person_org_content_word_conflict
    -1.3162967178308576,  // org_content_word_conflict
    0.0,                  // person_org_core_distance
    -2.839652970686714,   // org_core_distance
    0.0,                  // person_org_number_conflict
    -5.044262889190525,   // org_number_conflict
    0.0,                  // person_org_number_one_side
    -0.8499248574879674,  // org_number_one_side
    0.0,                  // person_worst_alignment
    0.0,                  // org_worst_alignment
    -4.6561757606150715,  // person_one_common_word_query
    0.0,                  // org_one_common_word_query
    0.0,                  // person_one_common_word_listed
    -1.9846932990387385,  // org_one_common_word_listed
];
