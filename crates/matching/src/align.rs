//! One query name against one listed name: the alignment of their
//! parts (`Index::score_name`), the name-only caps that hold a name back
//! (`Index::name_only_cap`), the learned score's features of the
//! alignment, and the analyst's explanation of it (`Index::explain`).
//! Ranking (`screen.rs`) calls these for each candidate; the ranking
//! bounds mirror the factors applied here.

use tansiq_model::NameKind;
use tansiq_names::{Concept, MAX_TOKENS, Script, UnitKind, tokenize};

use crate::Query;
use crate::explain::{
    Explanation, FeatureContribution, NameCap, NameCapRule, Rule, TokenAlignment,
};
use crate::index::{Index, Name, is_title, token_weight};
use crate::model::FOUND_CREDIT;
use crate::model::{
    BaseFeatures, FEATURE_NAMES, N_FEATURES, NameShape, ORG_CONTENT_WORD_CONFLICT,
    ORG_CORE_DISTANCE, ORG_NAME_DISTANCE, ORG_NUMBER_CONFLICT, ORG_NUMBER_ONE_SIDE,
    RARE_PART_SHARE, UNMATCHED_MAX_CAP, UNMATCHED_SUM_CAP, known_features, split_by_schema,
};
use crate::screen::*;

/// Similarity at or above which a query part counts as spelled like a
/// listed part, when asking whether the part is a very common one.
const COMMON_PART_SPELLING_SIM: f32 = 0.95;

/// Rarity weight, in units of a part seen once, from which a query part
/// an alias does not confirm lowers the alias's score
/// (`alias_extra_part_factor`): a common given name left over does not.
const ALIAS_EXTRA_PART_SHARE: f32 = 0.5;

impl Index {
    /// The explanation of a ranked entity's best listed name, from the
    /// pairs that ranked it.
    pub(crate) fn explain(
        &self,
        query: &Query,
        qnames: &[QName],
        pairs: &[Vec<Pair>],
        r: &Ranked,
    ) -> Explanation {
        let mut ex = Explanation::default();
        let name_score = if r.name != u32::MAX {
            let qn = &qnames[r.qname as usize];
            let name = &self.names.get(r.name);
            let mut credits = [(0.0f32, 0.0f32); MAX_TOKENS];
            self.score_name(
                qn,
                name,
                r.pairs_of(pairs),
                &mut credits,
                Want::Features,
                Some(&mut ex),
            )
            .score
        } else {
            0.0
        };
        ex.name_score = f64::from(name_score);
        let s = self.apply_evidence(
            query,
            &QueryFacts::of(query),
            r.entity,
            name_score,
            Some(&mut ex),
        );
        ex.score = f64::from(s).clamp(0.0, 1.0);
        ex
    }

    /// Whether a join of two query tokens against a join of two listed
    /// tokens splits both names at the same place (first skeletons of
    /// equal length). Such a pair says no more than the two token pairs,
    /// and the long joined key hides a mismatch of one half (Mohammad Dib
    /// would meet Muhammad Ayub); only a join split elsewhere (Muhammadabd
    /// Basir = Muhammad Abdbasir) is kept.
    pub(crate) fn same_split(&self, qn: &QName, name: &Name<'_>, p: &Pair) -> bool {
        let q = qn.tokens.get(p.qpos as usize).map(|t| t.skeleton.len());
        let l = name
            .positions
            .get(p.lpos as usize)
            .map(|pos| self.vocab[pos.vocab as usize].skeleton.len());
        q == l
    }

    /// The name-only rule that caps this alignment's name score, if any
    /// ([`NameCapRule`]). `used_q` / `used_l` are the aligned query and
    /// listed positions. Titles and generic words are neither common nor
    /// rare here: both rules leave them out.
    pub(crate) fn name_only_cap(
        &self,
        qn: &QName,
        name: &Name<'_>,
        used_q: u64,
        used_l: u64,
    ) -> Option<NameCapRule> {
        let c = &self.config;
        if c.name_only_cap >= 1.0 || name.kind == NameKind::Primary {
            return None;
        }
        let common = self.common_idf();
        let (mut matched, mut matched_common) = (0usize, 0usize);
        for (i, p) in name.positions.iter().enumerate().take(64) {
            if p.evidence <= 0.0 {
                continue;
            }
            if used_l & (1u64 << i) != 0 {
                matched += 1;
                if p.evidence <= common {
                    matched_common += 1;
                }
            }
        }
        if matched == 0 {
            return None;
        }
        if matched <= 2 && matched_common == matched {
            return Some(NameCapRule::CommonPartsOnly);
        }
        if name.shared_kunya {
            return Some(NameCapRule::SharedKunya);
        }
        // parts: every position but titles (generic words count: an
        // organisation's one distinctive word among generic ones is its
        // name, not a one-part alias)
        if name.parts == 1 && !self.unconfirmed_query_parts(qn, used_q, common).is_empty() {
            return Some(NameCapRule::OnePartAlias);
        }
        None
    }

    /// The query parts that qualify a listed organisation's whole name
    /// ([`NameCapRule::OrganisationQualifier`]): when every part of the
    /// listed name that is evidence (not a generic word or title) is
    /// aligned, the query's unaligned parts other than legal forms and
    /// titles (`AIR FORCE` in IRGC Air Force, `Singapore` in Bank of
    /// China (Singapore)); empty otherwise, and for persons. A legal form
    /// left over says how the same company is held, not which one it is.
    pub(crate) fn organisation_qualifier<'q>(
        &self,
        qn: &'q QName,
        name: &Name,
        used_q: u64,
        used_l: u64,
    ) -> Vec<&'q str> {
        if !self.schema_of(name.entity).is_organisation() {
            return Vec::new();
        }
        let mut evidence = name
            .positions
            .iter()
            .enumerate()
            .take(64)
            .filter(|(_, p)| p.evidence > 0.0)
            .peekable();
        if evidence.peek().is_none() || evidence.any(|(i, _)| used_l & (1u64 << i) == 0) {
            return Vec::new();
        }
        qn.tokens
            .iter()
            .enumerate()
            .take(64)
            .filter(|(i, t)| {
                used_q & (1u64 << i) == 0
                    && t.kind != UnitKind::Generic(Concept::Company)
                    && !is_title(&t.text)
            })
            .map(|(_, t)| t.source.as_str())
            .collect()
    }

    /// Query parts left unmatched that are not very common (nor titles or
    /// generic words): parts a one-part alias cannot confirm.
    pub(crate) fn unconfirmed_query_parts<'q>(
        &self,
        qn: &'q QName,
        used_q: u64,
        common: f32,
    ) -> Vec<&'q str> {
        qn.tokens
            .iter()
            .enumerate()
            .take(64)
            .filter(|(i, t)| {
                used_q & (1u64 << i) == 0
                    && !t.is_generic()
                    && !is_title(&t.text)
                    && !self.is_common_query_part(qn, *i, common)
            })
            .map(|(_, t)| t.source.as_str())
            .collect()
    }

    /// Whether query part `i` is spelled (almost) like a very common
    /// listed part. Its coverage weight is not used here: that comes from
    /// its closest listed part at a looser similarity (Haswani reaches
    /// Hassan), which says how much a match would be worth, not whether
    /// the part itself is common.
    pub(crate) fn is_common_query_part(&self, qn: &QName, i: usize, common: f32) -> bool {
        qn.items
            .iter()
            .filter(|item| item.len == 1 && usize::from(item.pos) == i)
            .flat_map(|item| item.matches.iter())
            .any(|&(v, s, _)| {
                s >= COMMON_PART_SPELLING_SIM
                    && token_weight(&self.vocab[v as usize], &self.config).1 <= common
            })
    }

    /// The [`NameShape`] of a listed name (`unit`: the weight of a part
    /// seen once).
    pub(crate) fn listed_shape(&self, name: &Name<'_>, unit: f32) -> NameShape {
        let max_evidence = name
            .positions
            .iter()
            .map(|p| p.evidence)
            .fold(0.0, f32::max);
        NameShape::of(usize::from(name.words), max_evidence, unit)
    }

    /// Rarity weight at or below which a name part is very common (held
    /// by `common_share` of the listed entities or more).
    pub(crate) fn common_idf(&self) -> f32 {
        self.common_idf
    }

    /// How each position of a listed name is spelled in the list: the
    /// index keeps only the name, which tokenises the same again (a
    /// derived acronym, shown with its origin, falls back on the unit).
    pub(crate) fn listed_sources(&self, name: &Name<'_>) -> Vec<String> {
        let tokens = tokenize(name.raw());
        if tokens.len() == name.positions.len() {
            tokens.into_iter().map(|t| t.source).collect()
        } else {
            name.positions
                .iter()
                .map(|p| self.vocab[p.vocab as usize].text.to_string())
                .collect()
        }
    }

    /// Why a [`NameCapRule`] fired, for the explanation.
    pub(crate) fn cap_detail(
        &self,
        rule: NameCapRule,
        qn: &QName,
        name: &Name<'_>,
        lsources: &[String],
        used_q: u64,
        used_l: u64,
    ) -> String {
        match rule {
            NameCapRule::CommonPartsOnly => {
                let parts: Vec<&str> = name
                    .positions
                    .iter()
                    .zip(lsources)
                    .enumerate()
                    .take(64)
                    .filter(|(i, (p, _))| p.evidence > 0.0 && used_l & (1u64 << i) != 0)
                    .map(|(_, (_, src))| src.as_str())
                    .collect();
                format!(
                    "every agreeing part of this alias ({}) is held by {:.0} % or more of listed entities; the name alone does not alert",
                    parts.join(", "),
                    self.config.common_share * 100.0
                )
            }
            NameCapRule::SpreadOverNames => String::new(),
            NameCapRule::SharedKunya => {
                "this alias is a bare kunya that another listed entity also carries; the name alone does not alert".to_string()
            }
            NameCapRule::OnePartAlias => format!(
                "a one-part alias cannot confirm the query's other parts ({}); the name alone does not alert",
                self.unconfirmed_query_parts(qn, used_q, self.common_idf())
                    .join(", ")
            ),
            NameCapRule::OrganisationQualifier => format!(
                "the query adds {} to this organisation's whole name: a branch or department of it, or another body named after it; held in the possible band for an analyst to decide",
                self.organisation_qualifier(qn, name, used_q, used_l)
                    .join(" ")
            ),
        }
    }

    /// Name score of one query name against one listed name from its
    /// candidate pairs (sorted by similarity, best first). `credits`
    /// (per query position: credit, evidence) and `cov_l` are filled
    /// whatever `want` says.
    pub(crate) fn score_name(
        &self,
        qn: &QName,
        name: &Name<'_>,
        pairs: &[Pair],
        credits: &mut [(f32, f32); MAX_TOKENS],
        want: Want<'_>,
        mut ex: Option<&mut Explanation>,
    ) -> NameScore {
        let need_features = matches!(want, Want::Features) || ex.is_some();
        let c = &self.config;
        let mut used_q: u64 = 0;
        let mut used_l: u64 = 0;
        let mut matched_q = 0.0f32;
        let mut matched_l = 0.0f32;
        let mut evidence = 0.0f32;
        let mut first_credit = 0.0f32;
        let unit = self.unit;
        // the listed spellings, for an explanation only
        let lsources = if ex.is_some() {
            self.listed_sources(name)
        } else {
            Vec::new()
        };
        // per rule: matched listed weight (for the learned score)
        let mut rule_weight = [0.0f32; N_RULE_SLOTS];
        let mut soft = 0.0f32;
        let mut worst_credit = 1.0f32;
        // every aligned pair is one query part of full credit against one
        // listed part (whether written alike is read at the end, and
        // only when the whole of both names is aligned)
        let mut all_exact = true;
        let mut rare_parts = 0u32;
        let mut order: [(u8, u8); MAX_TOKENS] = [(0, 0); MAX_TOKENS];
        let mut n_order = 0usize;
        for p in pairs {
            let qmask = span_mask(p.qpos, p.qlen);
            let lmask = span_mask(p.lpos, p.llen);
            if qmask & used_q != 0 || lmask & used_l != 0 {
                continue;
            }
            let cr = credit(p.sim, c);
            if cr <= 0.0 || (p.qlen > 1 && p.llen > 1 && self.same_split(qn, name, p)) {
                continue;
            }
            used_q |= qmask;
            used_l |= lmask;
            if lmask & 1 == 1 {
                first_credit = cr;
            }
            all_exact = all_exact && cr >= 1.0 && p.qlen == 1 && p.llen == 1;
            // (at most one pair per query position: MAX_TOKENS of them)
            if n_order < MAX_TOKENS {
                order[n_order] = (p.qpos, p.lpos);
                n_order += 1;
            }
            let wq: f32 = (p.qpos..p.qpos + p.qlen)
                .map(|i| qn.weights.get(i as usize).copied().unwrap_or(0.0))
                .sum();
            let (wl, el): (f32, f32) = (p.lpos..p.lpos + p.llen)
                .filter_map(|i| name.positions.get(i as usize))
                .fold((0.0, 0.0), |acc, pos| {
                    (acc.0 + pos.weight, acc.1 + pos.evidence)
                });
            matched_q += cr * wq;
            matched_l += cr * wl;
            evidence += cr * el;
            let share = el / f32::from(p.qlen);
            for i in p.qpos..(p.qpos + p.qlen).min(MAX_TOKENS as u8) {
                credits[i as usize] = (cr, cr * share);
            }
            let rule = || {
                if p.qlen > 1 || p.llen > 1 {
                    Rule::Joined
                } else {
                    let m = &qn.items[p.item as usize].matches;
                    m.binary_search_by_key(&p.vocab, |m| m.0)
                        .map_or(Rule::EditDistance, |i| m[i].2)
                }
            };
            if need_features || c.model.is_some() {
                worst_credit = worst_credit.min(cr);
                rule_weight[rule_slot(rule())] += wl;
                soft += wl * (1.0 - cr);
                if el >= RARE_PART_SHARE * unit && cr >= FOUND_CREDIT {
                    rare_parts += 1;
                }
            }
            if let Some(ex) = ex.as_deref_mut() {
                let rule = rule();
                let qsrc: Vec<&str> = (p.qpos..p.qpos + p.qlen)
                    .filter_map(|i| qn.tokens.get(i as usize))
                    .map(|t| t.source.as_str())
                    .collect();
                let lsrc: Vec<&str> = (p.lpos..p.lpos + p.llen)
                    .filter_map(|i| lsources.get(i as usize))
                    .map(String::as_str)
                    .collect();
                ex.alignments.push(TokenAlignment {
                    query: qsrc.join(" "),
                    listed: lsrc.join(" "),
                    rule,
                    similarity: f64::from(p.sim),
                    credit: f64::from(cr),
                    weight: f64::from(wl),
                });
            }
        }
        let cov_q = if qn.total_weight > 0.0 {
            matched_q / qn.total_weight
        } else {
            0.0
        };
        let n_pos = name.positions.len();
        // Interior parts left out while both ends agree: a dropped nasab
        // chain or middle name weighs less than a missing end.
        let mut listed_total = name.total_weight;
        if (3..=64).contains(&n_pos)
            && c.middle_miss_weight < 1.0
            && used_l & 1 == 1
            && used_l & (1u64 << (n_pos - 1)) != 0
        {
            let missing: f32 = (1..n_pos - 1)
                .filter(|&i| used_l & (1u64 << i) == 0)
                .map(|i| name.positions[i].weight)
                .sum();
            listed_total -= (1.0 - c.middle_miss_weight as f32) * missing;
        }
        let cov_l = if listed_total > 0.0 {
            (matched_l / listed_total).min(1.0)
        } else {
            0.0
        };
        // A query part left unmatched (or half-matched: Mahmoud/Muhammad)
        // is strong evidence of another person; the power makes it cost
        // more than its share.
        // (powf(x, 1) is x: skipped, this runs for every name scored)
        let cov_q_power = if c.query_coverage_power == 1.0 {
            cov_q
        } else {
            cov_q.powf(c.query_coverage_power as f32)
        };
        let base = c.query_coverage_weight as f32 * cov_q_power
            + (1.0 - c.query_coverage_weight as f32) * cov_l;
        let rarity = (evidence / (c.rare_evidence as f32 * unit))
            .min(1.0)
            .powf(c.rarity_power as f32);
        let kind_factor = match name.kind {
            NameKind::Primary | NameKind::Alias => 1.0,
            NameKind::Weak => c.weak_alias_factor as f32,
        };
        // The last part (trailing titles such as Jr. aside) of a listed
        // name of three or more parts is its family name or nisba: leaving
        // it unmatched is strong evidence of another person.
        let family_missed = (3..=64).contains(&n_pos) && used_l & (1u64 << name.family_pos) == 0;
        let family_factor = if family_missed {
            c.family_miss_factor as f32
        } else {
            1.0
        };
        // The first part (given name, or the family name in
        // "FAMILY, Given" forms) poorly matched or unmatched.
        let given_factor = if n_pos >= 2 && first_credit < FOUND_CREDIT {
            c.given_miss_factor as f32
        } else {
            1.0
        };
        // A name made only of generic words is identified by exactly
        // them: a query name with a distinctive part it lacks names
        // another organisation.
        let generic_factor = if name.all_generic
            && qn.tokens.iter().enumerate().take(64).any(|(i, t)| {
                used_q & (1u64 << i) == 0
                    && !t.is_generic()
                    && !is_title(&t.text)
                    && t.kind != UnitKind::Initial
            }) {
            c.generic_name_extra_factor as f32
        } else {
            1.0
        };
        // An alias is a partial identification: a rare query part it
        // does not confirm is a little evidence of another person (the
        // primary name is the list's own and is kept whole).
        // (an alias of one part has its own rule, the one-part-alias cap)
        let alias_factor = if name.kind != NameKind::Primary
            && name.parts >= 2
            && c.alias_extra_part_factor < 1.0
            && qn.tokens.iter().enumerate().take(64).any(|(i, t)| {
                used_q & (1u64 << i) == 0
                    && !t.is_generic()
                    && !is_title(&t.text)
                    && qn
                        .weights
                        .get(i)
                        .is_some_and(|w| *w >= ALIAS_EXTRA_PART_SHARE * unit)
            }) {
            c.alias_extra_part_factor as f32
        } else {
            1.0
        };
        let raw = base
            * rarity
            * kind_factor
            * family_factor
            * given_factor
            * generic_factor
            * alias_factor;
        // The training set has no Arabic-script queries: their features
        // are outside what the model was fitted on, so they keep the
        // rule-based score.
        let arabic_query = is_arabic(qn);
        // A listed name written exactly, whole (every part of both names
        // aligned to the same part), is the list's own identification:
        // it keeps the rule-based score, whose caps and rarity already
        // say how much a common name alone is worth. The learned score
        // is for everything written otherwise.
        let n_q = qn.tokens.len().min(64);
        let exact_whole = all_exact
            && n_q > 0
            && used_q.count_ones() as usize == n_q
            && used_l.count_ones() as usize == name.positions.len().min(64)
            && order[..n_order].iter().all(|&(qpos, lpos)| {
                name.positions.get(usize::from(lpos)).is_some_and(|pos| {
                    qn.tokens
                        .get(usize::from(qpos))
                        .is_some_and(|t| *self.vocab[pos.vocab as usize].text == *t.text)
                })
            });
        let learned = c.model.as_ref().filter(|_| !arabic_query && !exact_whole);
        let rule_score = rule_calibrate(raw, c);
        let hand = learned.map_or(rule_score, |m| m.calibrate(raw));
        // The name-only caps are the product's policy for names that
        // alone must not alert but with agreeing evidence should: they
        // apply where the rule-based score would alert, and then set the
        // name score to the ceiling whatever the learned score says (the
        // bounds allow it: they calibrate with the larger of the two).
        // Most names scored are far below it and skip the rules.
        let ceiling = c.name_only_cap as f32;
        let cap = || {
            if rule_score > ceiling {
                self.name_only_cap(qn, name, used_q, used_l)
            } else {
                None
            }
        };
        // Features of the learned score, only where it is used or asked
        // for (this is the hot loop of large screenings).
        // A listed organisation's whole name with a qualifier the query
        // adds is held under the strong band (after the name-only caps,
        // which hold a score lower still).
        let qualifier_ceiling = c.qualifier_cap as f32;
        let qualified = |score: f32| {
            if score > qualifier_ceiling
                && !self
                    .organisation_qualifier(qn, name, used_q, used_l)
                    .is_empty()
            {
                Some(qualifier_ceiling)
            } else {
                None
            }
        };
        if !need_features && learned.is_none() {
            let score = if cap().is_some() { ceiling } else { hand };
            return NameScore {
                score: qualified(score).unwrap_or(score),
                uncapped: hand,
                cov_l,
                features: [0.0; N_FEATURES],
                exact: true,
            };
        }
        // No penalty of the learned score raises it, and a cap sets it to
        // the ceiling: a name whose bound before any feature cannot
        // reach needs none.
        if let (Want::Score(reach), false) = (&want, need_features) {
            let top = if rule_score > ceiling {
                hand.max(ceiling)
            } else {
                hand
            };
            if !reach(hair_above(top)) {
                return NameScore::bound(top, cov_l);
            }
        }
        let (mut uq_sum, mut uq_max) = (0.0f32, 0.0f32);
        for i in 0..n_q {
            if used_q & (1u64 << i) == 0 {
                let w = qn.weights.get(i).copied().unwrap_or(0.0) / unit;
                uq_sum += w;
                uq_max = uq_max.max(w);
            }
        }
        let (mut ul_sum, mut ul_max) = (0.0f32, 0.0f32);
        for (i, pos) in name.positions.iter().enumerate().take(64) {
            if used_l & (1u64 << i) == 0 {
                let w = pos.evidence / unit;
                ul_sum += w;
                ul_max = ul_max.max(w);
            }
        }
        let matched_w: f32 = rule_weight.iter().sum();
        let share = |k: usize| {
            if matched_w > 0.0 {
                rule_weight[k] / matched_w
            } else {
                0.0
            }
        };
        let order = &mut order[..n_order];
        order.sort_unstable();
        let reordered = order.windows(2).any(|w| w[1].1 < w[0].1);
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let is_org = self.schema_of(name.entity).is_organisation();
        let base: BaseFeatures = [
            raw,
            flag(name.kind == NameKind::Weak),
            flag(family_missed),
            flag(n_pos >= 2 && first_credit < FOUND_CREDIT),
            uq_sum.min(UNMATCHED_SUM_CAP),
            uq_max.min(UNMATCHED_MAX_CAP),
            ul_sum.min(UNMATCHED_SUM_CAP),
            ul_max.min(UNMATCHED_MAX_CAP),
            share(1),
            share(2),
            share(6),
            share(3),
            share(4),
            share(5),
            if matched_w > 0.0 {
                soft / matched_w
            } else {
                1.0
            },
            flag(qn.tokens.iter().any(|t| t.script == Script::Arabic)),
            0.0, // inv_query_words, known_features
            0.0, // inv_listed_words
            0.0, // generic_query
            flag(reordered),
            0.0, // single_word_query
            0.0, // org_name_distance, below
            flag(rare_parts == 0),
            0.0, // constant
            uq_max.min(ul_max).min(UNMATCHED_MAX_CAP),
            0.0, // org_content_word_conflict, below
            0.0, // org_core_distance, below
            0.0, // org_number_conflict, below
            0.0, // org_number_one_side, below
            if n_order > 0 { 1.0 - worst_credit } else { 1.0 },
            0.0, // one_common_word_query
            0.0, // one_common_word_listed
        ];
        let mut base = base;
        known_features(
            &mut base,
            qn.shape,
            generic_query(qn),
            self.listed_shape(name, unit),
        );
        let cap = cap();
        // The organisation features below each take a pass over both
        // whole names. Without them (at 0) the learned score is an upper
        // bound of itself: every weight is at most 0. A caller that needs
        // the score only if it can reach somewhere (a name that cannot
        // become its entity's best, an entity that cannot enter the
        // results) is answered with that bound.
        let cheap_penalty = learned.map_or(0.0, |m| m.base_penalty(is_org, &base));
        if let (Want::Score(reach), Some(m)) = (&want, learned)
            && !need_features
        {
            let bound = if cap.is_some() {
                ceiling
            } else {
                m.lower(hand, cheap_penalty)
            };
            if !reach(hair_above(bound)) {
                return NameScore::bound(bound, cov_l);
            }
        }
        // (for the score alone, only the features the model weighs)
        let wanted = |j: usize| need_features || learned.is_some_and(|m| m.counts(j, is_org));
        let latin_org = is_org && !qn.tokens.iter().any(|t| t.script == Script::Arabic);
        if latin_org && wanted(ORG_NAME_DISTANCE) {
            base[ORG_NAME_DISTANCE] = name_distance(&qn.folded, name.folded());
        }
        // the same without legal forms (LLC / Limited / JSC say how a
        // company is held, not which one it is)
        if latin_org && wanted(ORG_CORE_DISTANCE) {
            let listed = core_name(name.positions.iter().map(|p| {
                let v = &self.vocab[p.vocab as usize];
                (&*v.text, v.kind)
            }));
            base[ORG_CORE_DISTANCE] = name_distance_to(&qn.core, listed);
        }
        // Numbers and ordinals name different units, branches, plants
        // (the 27th / the 33rd Scientific Centre).
        if is_org && (wanted(ORG_NUMBER_CONFLICT) || wanted(ORG_NUMBER_ONE_SIDE)) {
            let (qn_nums, ln_nums) = (&qn.numbers, name_numbers(name.folded()));
            (base[ORG_NUMBER_CONFLICT], base[ORG_NUMBER_ONE_SIDE]) =
                match (qn_nums.is_empty(), ln_nums.is_empty()) {
                    (false, false) => (flag(*qn_nums != ln_nums), 0.0),
                    (true, true) => (0.0, 0.0),
                    _ => (0.0, 1.0),
                };
        }
        // Unmatched content words (generic, not legal forms) on both
        // sides: Hong Pang Trading against Hong Pang Mining.
        if is_org && wanted(ORG_CONTENT_WORD_CONFLICT) {
            let conflict = has_content_word(
                qn.tokens
                    .iter()
                    .enumerate()
                    .take(64)
                    .filter(|(i, _)| used_q & (1u64 << i) == 0)
                    .map(|(_, t)| t.kind),
            ) && has_content_word(
                name.positions
                    .iter()
                    .enumerate()
                    .take(64)
                    .filter(|(i, _)| used_l & (1u64 << i) == 0)
                    .map(|(_, p)| self.vocab[p.vocab as usize].kind),
            );
            base[ORG_CONTENT_WORD_CONFLICT] = flag(conflict);
        }
        // (the score of `split_by_schema(&base, is_org)`, LinearModel::score)
        let costly = [
            ORG_NAME_DISTANCE,
            ORG_CORE_DISTANCE,
            ORG_NUMBER_CONFLICT,
            ORG_NUMBER_ONE_SIDE,
            ORG_CONTENT_WORD_CONFLICT,
        ]
        .iter()
        .any(|&j| base[j] != 0.0);
        let uncapped = learned.map_or(hand, |m| {
            let penalty = if costly {
                m.base_penalty(is_org, &base)
            } else {
                cheap_penalty
            };
            m.lower(hand, penalty)
        });
        let score = if cap.is_some() { ceiling } else { uncapped };
        let qualifier = qualified(score);
        let (score, cap) = match qualifier {
            Some(held) => (held, Some(NameCapRule::OrganisationQualifier)),
            None => (score, cap),
        };
        let features = if need_features {
            split_by_schema(&base, is_org)
        } else {
            [0.0; N_FEATURES]
        };
        if let Some(ex) = ex {
            if let Some(rule) = cap {
                ex.caps.push(NameCap {
                    rule,
                    before: f64::from(uncapped),
                    after: f64::from(score),
                    detail: self.cap_detail(rule, qn, name, &lsources, used_q, used_l),
                });
            }
            ex.query_name = qn.raw.clone();
            ex.listed_name = name.raw().to_string();
            ex.listed_name_kind = match name.kind {
                NameKind::Primary => "primary",
                NameKind::Alias => "alias",
                NameKind::Weak => "weak",
            }
            .to_string();
            ex.query_coverage = f64::from(cov_q);
            ex.listed_coverage = f64::from(cov_l);
            ex.rarity_factor = f64::from(rarity);
            ex.family_part_unmatched = family_missed;
            if let Some(m) = &c.model
                && !arabic_query
            {
                let mut fc: Vec<FeatureContribution> = FEATURE_NAMES
                    .iter()
                    .enumerate()
                    .map(|(i, name)| FeatureContribution {
                        name,
                        value: f64::from(features[i]),
                        contribution: if i == crate::model::RAW {
                            // the calibrated raw score, in logit units
                            crate::model::logit(f64::from(hand))
                        } else {
                            m.contribution(i, &features)
                        },
                    })
                    .collect();
                fc.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
                ex.features = fc;
            }
            for (i, t) in qn.tokens.iter().enumerate() {
                if used_q & (1u64 << i) == 0 {
                    ex.unmatched_query.push(t.source.clone());
                }
            }
            for (i, src) in lsources.iter().enumerate() {
                if used_l & (1u64 << i) == 0 {
                    ex.unmatched_listed.push(src.clone());
                }
            }
        }
        NameScore {
            score,
            uncapped,
            cov_l,
            features,
            exact: true,
        }
    }
}

/// What a caller of [`Index::score_name`] needs of a name's score.
pub(crate) enum Want<'a> {
    /// The score, exactly only where `reach` holds for a bound of it:
    /// else [`NameScore::exact`] is false and the score is that bound.
    /// `reach` must hold for every score it holds for a lower one of
    /// (ranking: whether a name may still be its entity's best, and the
    /// entity enter the results).
    Score(&'a dyn Fn(f32) -> bool),
    /// The score and every feature of the learned score (the fitter,
    /// explanations).
    Features,
}
