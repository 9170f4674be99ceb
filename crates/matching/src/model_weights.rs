//! Fitted weights of the learned name score (written by
//! `examples/fit.rs`; do not edit by hand). Fitted on all of
//! `shared/bench/train` (7766 examples' queries, top 10 candidates,
//! 2 rounds, L2 4); bias shifted so that the 5-fold
//! cross-validated best-F1 threshold is 0.8, then the intercept
//! of each schema (`person_constant`, `org_constant`) so that its
//! cross-validated F1 at 0.8 is the best of the shifts tried.

pub(crate) const BIAS: f64 = 4.3148775284469485;
pub(crate) const SLOPE: f64 = 0.9324494711131578;
pub(crate) const WEIGHTS: [f64; crate::model::N_FEATURES] = [
    0.0,                  // raw_score
    0.0,                  // person_weak_alias
    0.0,                  // org_weak_alias
    0.0,                  // person_family_unmatched
    -0.28179548324348275, // org_family_unmatched
    -0.3756329649465341,  // person_given_unmatched
    -0.7789334879922163,  // org_given_unmatched
    -1.71623298307369,    // person_unmatched_query_weight
    0.0,                  // org_unmatched_query_weight
    0.0,                  // person_unmatched_query_max
    -0.3614652783422937,  // org_unmatched_query_max
    -0.6483474385700597,  // person_unmatched_listed_weight
    0.0,                  // org_unmatched_listed_weight
    -1.332575101166085,   // person_unmatched_listed_max
    -1.0304758966695957,  // org_unmatched_listed_max
    -0.8298215811321316,  // person_share_skeleton
    -0.1171427579603756,  // org_share_skeleton
    -0.5837135797971944,  // person_share_edit
    0.0,                  // org_share_edit
    -0.19521172822853064, // person_share_spelling
    -0.9409416022086385,  // org_share_spelling
    -2.3802693908299557,  // person_share_joined
    -0.6322595320531688,  // org_share_joined
    -0.16606949482343977, // person_share_compound
    0.0,                  // org_share_compound
    -0.4375294928586406,  // person_share_translation
    -5.4397180985926825,  // org_share_translation
    -3.383467419508586,   // person_softness
    -1.5449498412858464,  // org_softness
    0.0,                  // person_arabic_query
    0.0,                  // org_arabic_query
    -1.5507068397130443,  // person_inv_query_words
    0.0,                  // org_inv_query_words
    -9.045138607743732,   // person_inv_listed_words
    -9.203782810796142,   // org_inv_listed_words
    -6.851348955629754,   // person_generic_query
    -2.0704920514677556,  // org_generic_query
    -1.5814470417556308,  // person_reordered
    0.0,                  // org_reordered
    0.0,                  // person_single_word_query
    0.0,                  // org_single_word_query
    0.0,                  // person_org_name_distance
    0.0,                  // org_name_distance
    -0.5454657808822105,  // person_no_rare_part
    -0.3949103623659514,  // org_no_rare_part
    0.0,                  // person_constant
    -0.6986888332099461,  // org_constant
    -1.1683668974911698,  // person_unmatched_both_max
    -1.1083931979691597,  // org_unmatched_both_max
    0.0,                  // person_org_content_word_conflict
    -1.3419227796591935,  // org_content_word_conflict
    0.0,                  // person_org_core_distance
    -2.4594615467103145,  // org_core_distance
    0.0,                  // person_org_number_conflict
    -4.95344467389324,    // org_number_conflict
    0.0,                  // person_org_number_one_side
    -0.9055219830995392,  // org_number_one_side
    0.0,                  // person_worst_alignment
    0.0,                  // org_worst_alignment
    -4.72709382638973,    // person_one_common_word_query
    0.0,                  // org_one_common_word_query
    0.0,                  // person_one_common_word_listed
    -1.9603812892041295,  // org_one_common_word_listed
];
