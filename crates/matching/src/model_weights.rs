//! Fitted weights of the learned name score (written by
//! `examples/fit.rs`; do not edit by hand). Fitted on all of
//! `shared/bench/train` (7766 examples' queries, top 10 candidates,
//! 2 rounds, L2 4); bias shifted so that the 5-fold
//! cross-validated best-F1 threshold is 0.8, then the intercept
//! of each schema (`person_constant`, `org_constant`) so that its
//! cross-validated F1 at 0.8 is the best of the shifts tried.

pub(crate) const BIAS: f64 = 4.441917859761389;
pub(crate) const SLOPE: f64 = 1.103272660460302;
pub(crate) const WEIGHTS: [f64; crate::model::N_FEATURES] = [
    0.0,                  // raw_score
    0.0,                  // person_weak_alias
    0.0,                  // org_weak_alias
    -0.11886512595522657, // person_family_unmatched
    -0.03954301959271105, // org_family_unmatched
    -0.6273699592825086,  // person_given_unmatched
    -0.7587645385933802,  // org_given_unmatched
    -1.2740556515014958,  // person_unmatched_query_weight
    0.0,                  // org_unmatched_query_weight
    0.0,                  // person_unmatched_query_max
    -0.30936792935768836, // org_unmatched_query_max
    -1.1702620222989863,  // person_unmatched_listed_weight
    0.0,                  // org_unmatched_listed_weight
    0.0,                  // person_unmatched_listed_max
    -0.44032913163143245, // org_unmatched_listed_max
    -1.2976801433697727,  // person_share_skeleton
    -0.367993509125013,   // org_share_skeleton
    -1.6076935188123478,  // person_share_edit
    0.0,                  // org_share_edit
    -0.8876862996356943,  // person_share_spelling
    -0.8821052124497192,  // org_share_spelling
    -2.840202480583614,   // person_share_joined
    -0.894860912295198,   // org_share_joined
    -0.1973428817196542,  // person_share_compound
    0.0,                  // org_share_compound
    0.0,                  // person_share_translation
    -5.463056173215977,   // org_share_translation
    -0.2466575940872923,  // person_softness
    -0.7150749088081892,  // org_softness
    0.0,                  // person_arabic_query
    0.0,                  // org_arabic_query
    0.0,                  // person_inv_query_len
    0.0,                  // org_inv_query_len
    -4.583587058788761,   // person_inv_listed_len
    0.0,                  // org_inv_listed_len
    -4.519208526057802,   // person_generic_query
    -3.074497316005452,   // org_generic_query
    -1.9153234577574514,  // person_reordered
    0.0,                  // org_reordered
    -1.4156408117273114,  // person_single_token_query
    0.0,                  // org_single_token_query
    0.0,                  // person_org_name_distance
    0.0,                  // org_name_distance
    -1.1317605034465492,  // person_no_rare_part
    -0.6760048821977723,  // org_no_rare_part
    0.0,                  // person_constant
    -1.3988876698325563,  // org_constant
    -1.2873021342328552,  // person_unmatched_both_max
    -1.0242544778440283,  // org_unmatched_both_max
    0.0,                  // person_org_content_word_conflict
    -1.2997191670757353,  // org_content_word_conflict
    0.0,                  // person_org_core_distance
    -2.5812239636316976,  // org_core_distance
    0.0,                  // person_org_number_conflict
    -4.861699992617661,   // org_number_conflict
    0.0,                  // person_org_number_one_side
    -0.9437259133218794,  // org_number_one_side
    0.0,                  // person_worst_alignment
    0.0,                  // org_worst_alignment
];
