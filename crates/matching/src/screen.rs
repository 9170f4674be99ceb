//! Screening: query analysis, vocabulary lookup, token alignment, name
//! scores, evidence, ranking.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tansiq_model::PartialDate;
use tansiq_names::{Concept, MAX_TOKENS, Script, Token, UnitKind, VariantKind, tokenize};

use crate::align::Want;
use crate::explain::{Evidence, EvidenceKind, Explanation, NameCap, NameCapRule, Rule};
use crate::index::{
    CALIBRATION_STEPS, CompactName, FactKey, Index, Occ, QForm, SCHEMAS, VTok, VocabMatch,
    acronym_key, gender_code, join_collapse, joinable, name_words, pack_date, skeleton_keys,
    split_listed_name, token_similarity, token_weight, variant_factor,
};
use crate::model::{
    BaseFeatures, FAMILY_UNMATCHED, FOUND_CREDIT, Features, GIVEN_UNMATCHED, N_BASE_FEATURES,
    NO_RARE_PART, NameShape, RARE_PART_SHARE, SOFTNESS, UNMATCHED_BOTH_MAX, UNMATCHED_LISTED_MAX,
    UNMATCHED_LISTED_WEIGHT, UNMATCHED_MAX_CAP, UNMATCHED_QUERY_MAX, UNMATCHED_QUERY_WEIGHT,
    UNMATCHED_SUM_CAP, WEAK_ALIAS, WORST_ALIGNMENT, known_features,
};
use crate::{Band, Match, MatcherConfig, Query};

/// One query name, analysed.
#[derive(Debug)]
pub(crate) struct QName {
    pub raw: String,
    /// `raw` by [`crate::index::fold_name`].
    pub folded: String,
    pub tokens: Vec<Token>,
    /// Query items: (first position, length, form index) -> vocab matches.
    pub items: Vec<QItem>,
    pub weights: Vec<f32>,
    pub total_weight: f32,
    /// Length in words and commonness, for the learned score.
    pub shape: NameShape,
    /// [`name_numbers`] of `folded` (read for every organisation name
    /// the learned score weighs).
    pub numbers: Vec<u32>,
    /// The parts without legal forms, one space apart ([`core_name`]).
    pub core: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct QItem {
    pub pos: u8,
    pub len: u8,
    /// (vocab id, similarity, rule), sorted by vocab id.
    pub matches: Vec<(u32, f32, Rule)>,
}

/// `max_keys` of [`Index::lookup_keys`] that reads the coarse and exact
/// skeleton keys only.
const EXACT_KEYS: usize = usize::MAX - 1;

/// Minimum token similarity that is kept at all.
pub(crate) const MIN_SIM: f32 = 0.70;

/// Similarity at or above which a query token takes its rarity from the
/// listed token it meets (a token meeting none that closely is unknown,
/// and rare).
const RARITY_SOURCE_SIM: f32 = 0.85;

/// Credit every query part needs for a match spread over several names
/// of an entity to raise an alert (below it the match ranks, capped
/// under the possible band).
const SPREAD_WELL_MATCHED_CREDIT: f32 = 0.8;

/// How far under a band's threshold a score capped out of it is held.
pub(crate) const BELOW_BAND: f32 = 0.01;

pub(crate) fn credit(s: f32, config: &MatcherConfig) -> f32 {
    let lo = config.credit_floor as f32;
    let hi = config.credit_full as f32;
    if s >= hi {
        1.0
    } else if s <= lo {
        0.0
    } else if config.credit_power == 1.0 {
        // exactly what powf(x, 1) gives, without the call: this runs for
        // every candidate pair
        (s - lo) / (hi - lo)
    } else {
        ((s - lo) / (hi - lo)).powf(config.credit_power as f32)
    }
}

impl Index {
    /// Vocabulary entries similar to a query form.
    pub(crate) fn lookup(
        &self,
        form: &QForm<'_>,
        exhaustive: bool,
        out: &mut Vec<(u32, f32, Rule)>,
    ) {
        self.lookup_keys(form, exhaustive, usize::MAX, out);
    }

    /// [`Index::lookup`] reading at most `max_keys` candidate keys (joined
    /// query tokens need only their coarse skeleton key).
    pub(crate) fn lookup_keys(
        &self,
        form: &QForm<'_>,
        exhaustive: bool,
        max_keys: usize,
        out: &mut Vec<(u32, f32, Rule)>,
    ) {
        if !exhaustive
            && form.script != Script::Arabic
            && let Some(&id) = self.vocab_by_key.get(&format!("l:{}", form.text))
            && let Some(Some(n)) = self.neighbours.get(id as usize)
            && self.vocab[id as usize].kind == form.kind
        {
            out.extend_from_slice(n);
            return;
        }
        let q_len = form.skeleton.len();
        let consider = |id: u32, out: &mut Vec<(u32, f32, Rule)>| {
            let v: &VTok = &self.vocab[id as usize];
            // Skeletons more than two classes apart in length cannot reach
            // the minimum similarity; skip the comparison.
            if v.skeleton.len().abs_diff(q_len) > 2
                && !matches!(form.kind, UnitKind::Generic(_))
                && v.kind != UnitKind::Acronym
            {
                return;
            }
            let (s, r) = token_similarity(form, v);
            if s >= MIN_SIM {
                out.push((id, s, r));
            }
        };
        if exhaustive {
            for id in 0..self.vocab.len() as u32 {
                consider(id, out);
            }
        } else {
            let mut ids: Vec<u32> = Vec::new();
            if form.script != Script::Arabic
                && let Some(&id) = self.vocab_by_key.get(&format!("l:{}", form.text))
            {
                ids.push(id);
            }
            if let Some(&id) = self.vocab_by_key.get(&acronym_key(form.text)) {
                ids.push(id);
            }
            let mut keys = Vec::new();
            skeleton_keys(form.skeleton, &mut keys);
            keys.truncate(max_keys);
            if max_keys == EXACT_KEYS {
                // coarse and exact skeleton keys only, no one-edit
                // neighbourhoods
                keys.retain(|k| k.starts_with('s') || k.starts_with('x'));
            }
            // Keys come most selective first; on very large lists the
            // comparison budget stops the broad ones.
            for k in &keys {
                if ids.len() >= self.config.lookup_budget {
                    break;
                }
                if let Some(list) = self.fuzzy_keys.get(k) {
                    let room = self.config.lookup_budget - ids.len();
                    ids.extend_from_slice(&list[..list.len().min(room)]);
                }
            }
            if let UnitKind::Generic(_) = form.kind
                && let Some(list) = self.concept_ids.get(&form.kind)
            {
                // translations of generic words share no skeleton
                ids.extend_from_slice(list);
            }
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                consider(id, out);
            }
        }
        out.sort_by_key(|m| m.0);
    }

    /// The vocabulary entries a query token meets, through itself and its
    /// alternative readings (`n_tokens`: the tokens of its name).
    fn token_matches(&self, t: &Token, n_tokens: usize, exhaustive: bool) -> Vec<VocabMatch> {
        let mut matches = Vec::new();
        self.lookup(&QForm::of(t), exhaustive, &mut matches);
        for v in &t.variants {
            let form = QForm {
                text: &v.text,
                skeleton: &v.skeleton,
                key: &v.key,
                script: t.script,
                kind: UnitKind::Plain,
            };
            let mut more = Vec::new();
            if v.kind == VariantKind::ArabicReading {
                // another reading of the same letters: it meets its
                // Latin spelling through the exact keys; the one-edit
                // neighbourhoods are the original's to search
                self.lookup_keys(&form, exhaustive, EXACT_KEYS, &mut more);
            } else {
                self.lookup(&form, exhaustive, &mut more);
            }
            let f = variant_factor(v.kind);
            for m in &mut more {
                m.1 *= f;
            }
            more.retain(|m| m.1 >= MIN_SIM);
            merge_matches(&mut matches, &more);
        }
        // An organisation's initials stand for the whole name: they
        // count only when they are the whole query name.
        if n_tokens > 1 {
            matches.retain(|m| self.vocab[m.0 as usize].kind != UnitKind::Acronym);
        }
        matches
    }

    /// Rarity of a query token: that of the listed tokens it is closest
    /// to, `None` when it meets none closely.
    fn query_rarity(&self, matches: &[VocabMatch], all_generic: bool) -> Option<f32> {
        let (_, v) = matches
            .iter()
            .filter(|m| m.1 >= RARITY_SOURCE_SIM)
            .map(|m| (m.1, &self.vocab[m.0 as usize]))
            .max_by(|a, b| a.0.total_cmp(&b.0))?;
        Some(if all_generic {
            v.idf.powf(self.config.idf_power as f32)
        } else {
            token_weight(v, &self.config).0
        })
    }

    /// Rarity of a query token seen on no list: unknown tokens are rare.
    fn unknown_rarity(&self, t: &Token) -> f32 {
        let fake = VTok {
            text: t.text.as_str().into(),
            skeleton: t.skeleton.as_str().into(),
            key: t.key.as_slice().into(),
            is_join: false,
            script: t.script,
            kind: t.kind,
            idf: self.idf_unknown,
        };
        token_weight(&fake, &self.config).0
    }

    pub(crate) fn analyse_name(&self, raw: &str, exhaustive: bool) -> QName {
        let tokens = tokenize(raw);
        let mut items = Vec::new();
        let mut weights = Vec::with_capacity(tokens.len());
        let all_generic = tokens.iter().all(Token::is_generic);
        for (i, t) in tokens.iter().enumerate() {
            let matches = self.token_matches(t, tokens.len(), exhaustive);
            // A delta segment knows few units: a token it cannot place
            // takes its rarity from the base it sits on.
            let w = self
                .query_rarity(&matches, all_generic)
                .or_else(|| {
                    self.rarity_base.as_ref().and_then(|base| {
                        let m = base.token_matches(t, tokens.len(), exhaustive);
                        base.query_rarity(&m, all_generic)
                    })
                })
                .unwrap_or_else(|| self.unknown_rarity(t));
            weights.push(w);
            items.push(QItem {
                pos: i as u8,
                len: 1,
                matches,
            });
        }
        for i in 0..tokens.len().saturating_sub(1) {
            let (a, b) = (&tokens[i], &tokens[i + 1]);
            if !joinable(a, b) {
                continue;
            }
            let text = format!("{}{}", a.text, b.text);
            let sk = join_collapse(&a.skeleton, &b.skeleton);
            let key = tansiq_names::join_keys(&[&a.key, &b.key]);
            let form = QForm {
                text: &text,
                skeleton: &sk,
                key: &key,
                script: a.script,
                kind: UnitKind::Plain,
            };
            let mut matches = Vec::new();
            self.lookup_keys(&form, exhaustive, 1, &mut matches);
            items.push(QItem {
                pos: i as u8,
                len: 2,
                matches,
            });
        }
        let total_weight = weights.iter().sum();
        let unit = self.unit;
        let shape = NameShape::of(
            usize::from(name_words(&tokens)),
            weights.iter().copied().fold(0.0, f32::max),
            unit,
        );
        let folded = crate::index::fold_name(raw);
        let core = core_name(tokens.iter().map(|t| (t.text.as_str(), t.kind))).collect();
        QName {
            numbers: name_numbers(&folded),
            core,
            folded,
            raw: raw.to_string(),
            tokens,
            items,
            weights,
            total_weight,
            shape,
        }
    }

    /// Screens a query: ranked matches, best first, at most `limit`.
    pub fn screen(&self, query: &Query, limit: usize) -> Vec<Match> {
        self.screen_with(query, limit, false)
    }

    /// [`Index::screen`] that compares every query token with every
    /// vocabulary entry instead of using the candidate keys (for measuring
    /// the candidate stage's recall).
    pub fn screen_exhaustive(&self, query: &Query, limit: usize) -> Vec<Match> {
        self.screen_with(query, limit, true)
    }

    fn screen_with(&self, query: &Query, limit: usize, exhaustive: bool) -> Vec<Match> {
        let Ranking {
            qnames,
            pairs,
            ranked,
        } = self.rank(query, limit, exhaustive);
        ranked
            .into_iter()
            .map(|r| {
                let mut explanation = self.explain(query, &qnames, &pairs, &r);
                if r.combined {
                    // the alignment shown is the best single name's; the
                    // score, its cap and the evidence are the combined
                    // score's
                    explanation.combined_names = true;
                    explanation.caps.clear();
                    if r.spread_uncapped > r.name_score {
                        explanation.caps.push(NameCap {
                            rule: NameCapRule::SpreadOverNames,
                            before: f64::from(r.spread_uncapped),
                            after: f64::from(r.name_score),
                            detail: "name parts found in different names of the entity alert only when every part agrees well and two are rare, or one is rare and none very common".into(),
                        });
                    }
                    explanation.name_score = f64::from(r.name_score);
                    explanation.evidence.clear();
                    let s = self.apply_evidence(
                        query,
                        &QueryFacts::of(query),
                        r.entity,
                        r.name_score,
                        Some(&mut explanation),
                    );
                    explanation.score = f64::from(s).clamp(0.0, 1.0);
                }
                let score = f64::from(r.score).clamp(0.0, 1.0);
                Match {
                    entity_id: self.entities[r.entity as usize].id.clone(),
                    score,
                    band: self.config.band(score),
                    near_miss: crate::NearMiss::of(score, &explanation, &self.config),
                    explanation,
                }
            })
            .collect()
    }

    /// Ranked entity ids and scores without explanations (the fast path
    /// for batch evaluation).
    pub fn screen_scores(&self, query: &Query, limit: usize) -> Vec<(&str, f64)> {
        self.rank(query, limit, false)
            .ranked
            .into_iter()
            .map(|r| {
                (
                    self.entities[r.entity as usize].id.as_str(),
                    f64::from(r.score).clamp(0.0, 1.0),
                )
            })
            .collect()
    }

    /// Ranked candidates with the features of the learned name score of
    /// each one's best listed name (`None` when only a document number
    /// matched): `(entity id, final score, features)`, best first. For
    /// fitting the model (`examples/fit.rs`).
    pub fn candidate_features(
        &self,
        query: &Query,
        limit: usize,
    ) -> Vec<(&str, f64, Option<Features>)> {
        let Ranking {
            qnames,
            pairs,
            ranked,
        } = self.rank(query, limit, false);
        ranked
            .into_iter()
            .map(|r| {
                let features = (r.name != u32::MAX).then(|| {
                    let qn = &qnames[r.qname as usize];
                    let mut credits = [(0.0f32, 0.0f32); MAX_TOKENS];
                    self.score_name(
                        qn,
                        &self.names.get(r.name),
                        r.pairs_of(&pairs),
                        &mut credits,
                        Want::Features,
                        None,
                    )
                    .features
                });
                (
                    self.entities[r.entity as usize].id.as_str(),
                    f64::from(r.score).clamp(0.0, 1.0),
                    features,
                )
            })
            .collect()
    }

    /// Ranks the entities a query reaches, best first, at most `limit`.
    ///
    /// Every reached entity first gets a cheap upper bound of its final
    /// score ([`Index::candidates`], [`Bounder`]); entities are then scored in full
    /// in the order of their bounds, and scoring stops when the next
    /// bound is below the `limit`-th best score found. The result is the
    /// same as scoring every reached entity: on a list of millions, where
    /// thousands of homonyms share a common name, it scores tens.
    fn rank(&self, query: &Query, limit: usize, exhaustive: bool) -> Ranking {
        self.rank_with(query, limit, exhaustive, true)
    }

    /// [`Index::rank`], stopping early by the bounds when `prune` (the
    /// learned score keeps the bounds: it is a monotone calibration of
    /// the bounded raw score lowered by evidence against, `model.rs`).
    fn rank_with(&self, query: &Query, limit: usize, exhaustive: bool, prune: bool) -> Ranking {
        let qnames: Vec<QName> = query
            .names
            .iter()
            .flat_map(|n| split_query_name(n.as_str(), query.schema))
            .map(|n| self.analyse_name(&n, exhaustive))
            .collect();
        let qf = QueryFacts::of(query);
        let qk = QueryKey::of(self, query, &qf);
        // per query name: candidate pairs sorted by listed name, so that
        // the names of one entity (numbered consecutively) are adjacent
        let mut cands: Vec<Cand> = Vec::new();
        let all_pairs: Vec<Vec<Pair>> = qnames
            .iter()
            .enumerate()
            .map(|(qi, qn)| self.candidates(qn, qi as u16, &qk, &mut cands))
            .collect();
        // Document numbers: an exact passport/ID number is a candidate on
        // its own; bounded by the most any evidence of the query could add
        // to no name at all.
        let lift = EvidenceLift::of(query, &qf, &self.config);
        for d in &qf.documents {
            if let Some(list) = self.documents.get(d) {
                for &e in list {
                    cands.push(Cand {
                        entity: e,
                        qname: u16::MAX,
                        start: 0,
                        end: 0,
                        bound: 0.0,
                        final_bound: lift.apply(hair_above(0.0)),
                    });
                }
            }
        }
        // (one query name without documents comes sorted)
        if !cands.is_sorted_by_key(|c| (c.entity, c.qname)) {
            cands.sort_unstable_by_key(|c| (c.entity, c.qname));
        }
        // (bound of the final score, bound of the name score, first and
        // end candidate) per entity.
        let mut groups: Vec<Group> = Vec::with_capacity(cands.len());
        let mut i = 0;
        while i < cands.len() {
            let e = cands[i].entity;
            let mut j = i;
            let (mut name_bound, mut with_evidence) = (0.0f32, 0.0f32);
            while j < cands.len() && cands[j].entity == e {
                // the evidence is monotone: the most of each is the most
                // of the best name
                name_bound = name_bound.max(cands[j].bound);
                with_evidence = with_evidence.max(cands[j].final_bound);
                j += 1;
            }
            let bound = if !prune {
                f32::INFINITY
            } else if cands[i..j].iter().any(|c| c.qname == u16::MAX) {
                // a document number: the final score is at least this
                with_evidence.max(self.config.document_match_score as f32)
            } else {
                with_evidence
            };
            groups.push(Group {
                bound,
                name_bound,
                from: i as u32,
                to: j as u32,
            });
            i = j;
        }
        // highest bound first; a heap, since only the first few are taken
        let mut groups = BinaryHeap::from(groups);
        let limit = limit.max(1);
        // the `limit` best final scores so far, lowest first
        let mut top: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        let mut scored: Vec<Ranked> = Vec::new();
        while let Some(Group {
            bound,
            name_bound,
            from,
            to,
        }) = groups.pop()
        {
            let from_ = from as usize;
            let floor = match top.peek() {
                Some(Reverse(f)) if top.len() >= limit => f32::from_bits(*f),
                _ => f32::NEG_INFINITY,
            };
            if bound < floor {
                break;
            }
            // the same bound under the entity's own facts
            if prune
                && self.apply_evidence(query, &qf, cands[from_].entity, name_bound, None) < floor
            {
                continue;
            }
            let e = cands[from_].entity;
            // a name score whose final score is below the floor cannot
            // enter the results: it need not be known exactly
            let reach = |s: f32| !prune || self.apply_evidence(query, &qf, e, s, None) >= floor;
            let mut r = self.score_entity(
                &qnames,
                &all_pairs,
                &cands[from as usize..to as usize],
                &reach,
            );
            r.score = self.apply_evidence(query, &qf, r.entity, r.name_score, None);
            if r.score > 0.0 {
                // non-negative floats order as their bits
                top.push(Reverse(r.score.to_bits()));
                if top.len() > limit {
                    top.pop();
                }
                scored.push(r);
            }
        }
        scored.sort_unstable_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.uncapped.total_cmp(&a.uncapped))
                .then_with(|| {
                    self.entities[a.entity as usize]
                        .id
                        .cmp(&self.entities[b.entity as usize].id)
                })
        });
        scored.truncate(limit);
        Ranking {
            qnames,
            pairs: all_pairs,
            ranked: scored,
        }
    }

    /// Candidate pairs of one query name, sorted by listed name, then
    /// best pair first; and, per entity they reach, a candidate with
    /// bounds of its scores appended to `out` ([`Bounder`]).
    ///
    /// Phase 1: matches whose occurrence lists are short enough are
    /// expanded in full. Phase 2: very common units (Mohamed on a
    /// million-name list) only add pairs to the names phase 1 reached,
    /// found from the names' side: each reached name's common readings
    /// ([`Compact`]) are looked up among the query's common units (a few
    /// dozen). Each reached name is read once, and bounded while its
    /// packed record is in cache.
    fn candidates(&self, qn: &QName, qi: u16, qk: &QueryKey, out: &mut Vec<Cand>) -> Vec<Pair> {
        let cap = self.common_cap;
        let expanded: usize = (qn.items.iter())
            .flat_map(|item| &item.matches)
            .filter(|m| !self.common_entry[m.0 as usize])
            .map(|m| self.occurrences[m.0 as usize].len())
            .sum();
        let mut first: Vec<Pair> = Vec::with_capacity(expanded);
        let mut deferred: Vec<(usize, u32, f32)> = Vec::new();
        for (item_idx, item) in qn.items.iter().enumerate() {
            for &(v, s, _) in &item.matches {
                let occ = &self.occurrences[v as usize];
                if self.common_entry[v as usize] {
                    deferred.push((item_idx, v, s));
                    continue;
                }
                for o in occ {
                    push_pair(&mut first, item_idx, item, v, s, o);
                }
            }
        }
        let mut reached: Vec<u32> = Vec::new();
        if !deferred.is_empty() && first.is_empty() {
            // Only common units (a query of common names, or a large
            // list drawn from a small vocabulary): the candidates are
            // the names holding at least two of the query's parts,
            // found by merging occurrence lists.
            reached = self.names_sharing_parts(qn, &deferred);
            if reached.is_empty() {
                // One common part: expand its least common reading, up to
                // the cap (a single common part cannot alert).
                deferred.sort_by_key(|d| self.occurrences[d.1 as usize].len());
                let (item_idx, v, s) = deferred.remove(0);
                let item = &qn.items[item_idx];
                for o in self.occurrences[v as usize].iter().take(cap) {
                    push_pair(&mut first, item_idx, item, v, s, o);
                }
            }
        }
        // phase-1 pairs by name, through (name, index) keys: sorting
        // eight-byte keys is cheaper than sorting the pairs
        let mut by_name: Vec<u64> = (first.iter().enumerate())
            .map(|(i, p)| u64::from(p.name) << 32 | i as u64)
            .collect();
        // (by name only: the keys are in index order already and the
        // radix sort is stable)
        radsort::sort_by_key(&mut by_name, |k| (k >> 32) as u32);
        let shared = reached.len();
        reached.extend(by_name.iter().map(|k| (k >> 32) as u32));
        if shared > 0 {
            reached.sort_unstable();
        }
        reached.dedup();
        // (at most one candidate per name: no reallocation below)
        out.reserve(reached.len());
        deferred.sort_unstable_by_key(|d| (d.1, d.0));
        let common = CommonUnits::of(&deferred);
        let mut pairs: Vec<Pair> = Vec::with_capacity(first.len() * 2);
        let mut bounder = Bounder::new(self, qn, qi, qk);
        let mut k = 0;
        for (i, &name) in reached.iter().enumerate() {
            if i % TOUCH_AHEAD == 0 {
                // Read the next names' packed records first: independent
                // loads overlap, where the work below would wait for each
                // record in turn.
                let ahead = &reached[i..reached.len().min(i + TOUCH_AHEAD)];
                std::hint::black_box(
                    ahead
                        .iter()
                        .fold(0u32, |acc, &n| acc ^ self.compact.name(n).touch()),
                );
            }
            let start = pairs.len();
            while k < by_name.len() && (by_name[k] >> 32) as u32 == name {
                pairs.push(first[(by_name[k] & 0xffff_ffff) as usize]);
                k += 1;
            }
            let cn = self.compact.name(name);
            if !deferred.is_empty() {
                for (v, pos, len, code) in cn.readings() {
                    let Some(from) = common.find(&deferred, v) else {
                        continue;
                    };
                    for &(item_idx, _, s) in deferred[from..].iter().take_while(|d| d.1 == v) {
                        let o = Occ {
                            name,
                            pos,
                            len,
                            reading: code as u8,
                        };
                        push_pair(&mut pairs, item_idx, &qn.items[item_idx], v, s, &o);
                    }
                }
            }
            if pairs.len() > start {
                pairs[start..].sort_unstable_by(pair_order);
                bounder.name(cn, start, &pairs[start..], out);
            }
        }
        bounder.finish(pairs.len(), out);
        pairs
    }

    /// The name score of one entity: its best listed name for any query
    /// name, or the parts of one query name spread over several of its
    /// names. `cands` are the entity's candidates, by query name.
    ///
    /// `reach` says whether a name score could still matter to the
    /// caller (ranking: whether the entity could enter the results with
    /// it); a name whose bound it fails for, or that cannot beat the
    /// entity's best name so far, is not scored in full
    /// ([`Want::Score`]). The answer is exact wherever `reach` holds for
    /// it, and never above the exact one elsewhere.
    fn score_entity(
        &self,
        qnames: &[QName],
        all_pairs: &[Vec<Pair>],
        cands: &[Cand],
        reach: &dyn Fn(f32) -> bool,
    ) -> Ranked {
        let e = cands[0].entity;
        let mut best = Ranked {
            score: 0.0,
            name_score: 0.0,
            entity: e,
            qname: 0,
            name: u32::MAX,
            pairs: (0, 0),
            combined: false,
            spread_uncapped: 0.0,
            uncapped: 0.0,
        };
        let mut seeded = false;
        // a name left unscored because `reach` failed for its bound
        let mut unscored = false;
        for cand in cands {
            if cand.qname == u16::MAX {
                // a document number only
                continue;
            }
            let qi = cand.qname;
            let qn = &qnames[qi as usize];
            let pairs = &all_pairs[qi as usize][cand.start as usize..cand.end as usize];
            let mut acc = UnionAcc {
                credits: [(0.0, 0.0, u32::MAX); MAX_TOKENS],
                best_cov_l: 0.0,
            };
            let mut credits = [(0.0f32, 0.0f32); MAX_TOKENS];
            let mut start = 0;
            while start < pairs.len() {
                let name_id = pairs[start].name;
                let mut end = start;
                while end < pairs.len() && pairs[end].name == name_id {
                    end += 1;
                }
                let name = &self.names.get(name_id);
                credits.fill((0.0, 0.0));
                // below the best so far a name cannot replace it (at an
                // equal score it may, by a higher score before caps)
                let need = if seeded {
                    best.name_score
                } else {
                    f32::NEG_INFINITY
                };
                let wanted = |s: f32| s >= need && reach(s);
                let ns = self.score_name(
                    qn,
                    name,
                    &pairs[start..end],
                    &mut credits,
                    Want::Score(&wanted),
                    None,
                );
                unscored |= !ns.exact && hair_above(ns.score) >= need;
                if ns.exact
                    && (!seeded
                        || ns.score > best.name_score
                        || (ns.score == best.name_score && ns.uncapped > best.uncapped))
                {
                    seeded = true;
                    best = Ranked {
                        score: ns.score,
                        name_score: ns.score,
                        entity: e,
                        qname: qi,
                        name: name_id,
                        pairs: (cand.start + start as u32, cand.start + end as u32),
                        combined: false,
                        spread_uncapped: 0.0,
                        uncapped: ns.uncapped,
                    };
                }
                acc.best_cov_l = acc.best_cov_l.max(ns.cov_l);
                for (i, &(cr, ev)) in credits.iter().enumerate().take(qn.tokens.len()) {
                    if cr > acc.credits[i].0 {
                        acc.credits[i] = (cr, ev, name_id);
                    }
                }
                start = end;
            }
            if let Some((score, uncapped)) = self.spread_score(qn, &acc, e)
                && score > best.name_score
            {
                best.name_score = score;
                best.score = score;
                best.combined = true;
                best.spread_uncapped = uncapped;
                best.uncapped = uncapped;
            }
        }
        if best.combined && unscored {
            // the combined score is exact, but the single name shown
            // with it is the best one, which `reach` may have left out
            return self.score_entity(qnames, all_pairs, cands, &|_| true);
        }
        best
    }

    /// Name parts spread over several names of one entity (a given name
    /// in one alias, the family name in another): the combined score and
    /// the score before its cap, or `None` when the parts come from one
    /// name.
    fn spread_score(&self, qn: &QName, acc: &UnionAcc, e: u32) -> Option<(f32, f32)> {
        let c = &self.config;
        let unit = self.unit;
        let n = qn.tokens.len();
        // only clear contributions count as coming from a name
        let first = acc.credits[..n]
            .iter()
            .find(|x| x.0 >= FOUND_CREDIT)
            .map(|x| x.2);
        let spread = acc.credits[..n]
            .iter()
            .any(|x| x.0 >= FOUND_CREDIT && Some(x.2) != first);
        if !spread || qn.total_weight <= 0.0 {
            return None;
        }
        let matched: f32 = (0..n).map(|i| acc.credits[i].0 * qn.weights[i]).sum();
        let evidence: f32 = acc.credits[..n].iter().map(|x| x.1).sum();
        let cov_q = matched / qn.total_weight;
        let base = c.query_coverage_weight as f32 * cov_q.powf(c.query_coverage_power as f32)
            + (1.0 - c.query_coverage_weight as f32) * acc.best_cov_l;
        let rarity = (evidence / (c.rare_evidence as f32 * unit))
            .min(1.0)
            .powf(c.rarity_power as f32);
        // Parts scattered over aliases rank a candidate; they raise an
        // alert only when every query part is matched well and at least
        // two of them are rare, or one is rare and none is very common (a
        // nickname alias completing the name: Abdur Rehman + Abdullah
        // Sindhi for Abdul Rehman Sindhi, but not Ali + al-Baghdadi).
        let all_good = acc.credits[..n]
            .iter()
            .all(|x| x.0 >= SPREAD_WELL_MATCHED_CREDIT);
        let rare_parts = acc.credits[..n]
            .iter()
            .filter(|x| x.1 >= RARE_PART_SHARE * unit)
            .count();
        let common = self.common_idf();
        let common_parts = acc.credits[..n]
            .iter()
            .filter(|x| x.1 > 0.0 && x.1 <= common)
            .count();
        let enough = rare_parts >= 2 || (rare_parts == 1 && common_parts == 0 && n >= 2);
        let raw = base * rarity * c.combined_names_factor as f32;
        let mut uncapped = rule_calibrate(raw, c);
        // the learned score lowers it by what is known before an
        // alignment (the other features describe one name's alignment)
        if let Some(m) = &c.model
            && !is_arabic(qn)
        {
            uncapped = m.calibrate(raw);
            // the weakest shape of the names that contributed bounds
            // its known penalty
            let listed = acc.credits[..n]
                .iter()
                .filter(|x| x.0 > 0.0 && x.2 != u32::MAX)
                .map(|x| self.listed_shape(&self.names.get(x.2), unit))
                .reduce(NameShape::weakest)
                .unwrap_or(NameShape::LONGEST);
            let lower = lower_features(
                qn,
                |i| acc.credits.get(i).map_or(1.0, |x| x.0),
                listed,
                unit,
            );
            uncapped = m.lower(
                uncapped,
                m.known_penalty(self.schema_of(e).is_organisation(), &lower),
            );
        }
        let score = if all_good && enough {
            uncapped
        } else {
            uncapped.min(c.possible as f32 - BELOW_BAND)
        };
        Some((score, uncapped))
    }

    /// Names holding at least two parts of the query when every matched
    /// unit is common: the readings of each query position are merged
    /// into one sorted name list; the (up to) three positions with the
    /// shortest lists are merged again, and names found under two or more
    /// positions are returned (under all three first), at most
    /// `2 × common_occurrence_cap`. Work is bounded by `PART_MERGE_BUDGET`
    /// occurrences; empty when fewer than two positions fit.
    fn names_sharing_parts(&self, qn: &QName, deferred: &[(usize, u32, f32)]) -> Vec<u32> {
        const PART_MERGE_BUDGET: usize = 400_000;
        // (query position, total occurrences of its readings)
        let mut groups: Vec<(u8, usize)> = Vec::new();
        for &(item_idx, v, _) in deferred {
            let item = &qn.items[item_idx];
            if item.len != 1 {
                continue;
            }
            let n = self.occurrences[v as usize].len();
            match groups.iter_mut().find(|g| g.0 == item.pos) {
                Some(g) => g.1 += n,
                None => groups.push((item.pos, n)),
            }
        }
        groups.sort_by_key(|g| (g.1, g.0));
        let mut spent = 0usize;
        let mut chosen: Vec<u8> = Vec::new();
        for g in &groups {
            if chosen.len() == 3 || spent + g.1 > PART_MERGE_BUDGET {
                break;
            }
            spent += g.1;
            chosen.push(g.0);
        }
        if chosen.len() < 2 {
            return Vec::new();
        }
        let mut all: Vec<u32> = Vec::with_capacity(spent);
        let mut one: Vec<u32> = Vec::new();
        for &pos in &chosen {
            one.clear();
            for &(item_idx, v, _) in deferred {
                let item = &qn.items[item_idx];
                if item.len == 1 && item.pos == pos {
                    one.extend(self.occurrences[v as usize].iter().map(|o| o.name));
                }
            }
            one.sort_unstable();
            one.dedup();
            all.extend_from_slice(&one);
        }
        all.sort_unstable();
        let mut by_count: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        let mut i = 0;
        while i < all.len() {
            let mut j = i;
            while j < all.len() && all[j] == all[i] {
                j += 1;
            }
            match j - i {
                2 => by_count[0].push(all[i]),
                n if n >= 3 => by_count[1].push(all[i]),
                _ => {}
            }
            i = j;
        }
        let [mut two, mut out] = by_count;
        out.append(&mut two);
        out.truncate(2 * self.common_cap);
        out
    }

    /// Applies birth date, nationality, gender, document and schema
    /// evidence to a name score.
    pub(crate) fn apply_evidence(
        &self,
        query: &Query,
        qf: &QueryFacts,
        e: u32,
        name_score: f32,
        mut ex: Option<&mut Explanation>,
    ) -> f32 {
        let c = &self.config;
        let facts = &self.facts;
        let mut s = name_score;
        // details are written only for an explanation: this runs for
        // every candidate of a screening
        let explain = ex.is_some();
        let mut note = |kind: EvidenceKind, before: f32, after: f32, detail: String| {
            if let Some(ex) = ex.as_deref_mut()
                && (before - after).abs() > 1e-6
            {
                ex.evidence.push(Evidence {
                    kind,
                    before: f64::from(before),
                    after: f64::from(after),
                    detail,
                });
            }
        };
        // Schema
        if let Some(qs) = query.schema {
            let ls = self.schema_of(e);
            if !qs.compatible(ls) {
                let before = s;
                s *= c.schema_mismatch_factor as f32;
                note(
                    EvidenceKind::Schema,
                    before,
                    s,
                    if explain {
                        format!("query is {qs}, listed entity is {ls}")
                    } else {
                        String::new()
                    },
                );
            }
        }
        // Birth dates
        let qdates = &qf.birth_dates;
        let dates = (!qdates.is_empty()).then(|| facts.birth_dates(e));
        if let Some(dates) = dates.filter(|d| !d.is_empty()) {
            let before = s;
            let (factor, detail) = date_factor(qdates, &dates, c);
            if factor > 1.0 {
                s = s + (1.0 - s) * (factor - 1.0);
            } else {
                s *= factor;
            }
            note(EvidenceKind::BirthDate, before, s, detail.to_string());
        }
        // Nationality
        // (listed: none, or whether one agrees with one of the query's)
        let mut listed: Option<bool> = None;
        if !query.nationalities.is_empty() {
            for f in facts.nationalities(e) {
                let agrees = query
                    .nationalities
                    .iter()
                    .any(|n| f.eq_ignore_ascii_case(n.trim()));
                listed = Some(agrees);
                if agrees {
                    break;
                }
            }
        }
        if let Some(agree) = listed {
            let before = s;
            if agree {
                s += (1.0 - s) * c.nationality_bonus as f32;
                note(
                    EvidenceKind::Nationality,
                    before,
                    s,
                    if explain {
                        "a nationality agrees".into()
                    } else {
                        String::new()
                    },
                );
            } else {
                s *= c.nationality_mismatch_factor as f32;
                note(
                    EvidenceKind::Nationality,
                    before,
                    s,
                    if explain {
                        "no nationality agrees".into()
                    } else {
                        String::new()
                    },
                );
            }
        }
        // Gender
        if let (Some(qg), Some(lg)) = (&query.gender, facts.gender(e)) {
            let qg = qg.trim();
            let known =
                |g: &str| g.eq_ignore_ascii_case("male") || g.eq_ignore_ascii_case("female");
            if known(qg) && known(lg) && !qg.eq_ignore_ascii_case(lg) {
                let before = s;
                s *= c.gender_mismatch_factor as f32;
                note(
                    EvidenceKind::Gender,
                    before,
                    s,
                    if explain {
                        format!("query {}, listed {lg}", qg.to_ascii_lowercase())
                    } else {
                        String::new()
                    },
                );
            }
        }
        // Documents
        for d in &qf.documents {
            if self.documents.get(d).is_some_and(|list| list.contains(&e)) {
                let before = s;
                s = s.max(c.document_match_score as f32);
                note(
                    EvidenceKind::Document,
                    before,
                    s,
                    if explain {
                        format!("document number {d} matches")
                    } else {
                        String::new()
                    },
                );
                break;
            }
        }
        s.clamp(0.0, 1.0)
    }
}

impl Index {
    /// [`Index::apply_evidence`] from an entity's [`FactKey`], without
    /// documents (bounded apart): the same steps in the same order, so
    /// equal to it where the key holds every fact, and never below it
    /// where it does not (a fact that did not fit counts as agreeing).
    /// Every step is monotone in the score.
    fn evidence_bound(&self, qk: &QueryKey, key: FactKey, name_score: f32) -> f32 {
        let c = &self.config;
        let mut s = name_score;
        let [d0, d1, nats, misc] = key;
        if let Some(ok) = &qk.schema_ok
            && !ok.get((misc >> 8 & 0xff) as usize).copied().unwrap_or(true)
        {
            s *= c.schema_mismatch_factor as f32;
        }
        let n_dates = misc >> 2 & 3;
        if !qk.packed_dates.is_empty() && n_dates > 0 {
            let factor = if n_dates == 3 {
                // the most any agreement of dates gives
                [
                    1.0 + c.dob_full_bonus as f32,
                    1.0 + c.dob_partial_bonus as f32,
                    c.dob_near_factor as f32,
                    c.dob_mismatch_factor as f32,
                ]
                .into_iter()
                .fold(f32::NEG_INFINITY, f32::max)
            } else {
                let listed = &[d0, d1][..n_dates as usize];
                let rank = (qk.packed_dates.iter())
                    .flat_map(|&a| listed.iter().map(move |&b| packed_date_rank(a, b)))
                    .max()
                    .unwrap_or(0);
                dob_factor(rank, c).0
            };
            if factor > 1.0 {
                s = s + (1.0 - s) * (factor - 1.0);
            } else {
                s *= factor;
            }
        }
        let n_nats = misc >> 4 & 3;
        if qk.nationalities && n_nats > 0 {
            let agree = n_nats == 3
                || [nats & 0xffff, nats >> 16]
                    .into_iter()
                    .take(n_nats as usize)
                    .any(|code| qk.nationality_codes.contains(&(code as u16)));
            if agree {
                s += (1.0 - s) * c.nationality_bonus as f32;
            } else {
                s *= c.nationality_mismatch_factor as f32;
            }
        }
        let gender = misc & 3;
        if qk.gender != 0 && gender != 0 && qk.gender != gender {
            s *= c.gender_mismatch_factor as f32;
        }
        s.clamp(0.0, 1.0)
    }
}

/// What [`Index::evidence_bound`] needs of a query, resolved once.
struct QueryKey {
    /// Per [`SCHEMAS`] entry: compatible with the query's schema.
    schema_ok: Option<[bool; 6]>,
    /// The query's birth dates, as [`pack_date`] packs them.
    packed_dates: Vec<u32>,
    nationalities: bool,
    /// Codes of the query's nationalities that some listed entity has.
    nationality_codes: Vec<u16>,
    gender: u32,
}

impl QueryKey {
    fn of(index: &Index, query: &Query, qf: &QueryFacts) -> QueryKey {
        QueryKey {
            schema_ok: query.schema.map(|q| SCHEMAS.map(|l| q.compatible(l))),
            packed_dates: qf.birth_dates.iter().map(pack_date).collect(),
            nationalities: !query.nationalities.is_empty(),
            nationality_codes: query
                .nationalities
                .iter()
                .filter_map(|n| {
                    let n = n.trim().to_ascii_lowercase();
                    index.nationality_codes.get(&n).copied()
                })
                .collect(),
            gender: query.gender.as_deref().map_or(0, |g| gender_code(g.trim())),
        }
    }
}

fn date_factor(q: &[PartialDate], l: &[PartialDate], c: &MatcherConfig) -> (f32, &'static str) {
    let best_rank = (q.iter())
        .flat_map(|a| l.iter().map(move |b| date_rank(a, b)))
        .max()
        .unwrap_or(0);
    dob_factor(best_rank, c)
}

/// How two birth dates agree: 3 the same full date, 2 agreeing on every
/// part both know, 1 years one apart, 0 not at all.
fn date_rank(a: &PartialDate, b: &PartialDate) -> u8 {
    if a.is_full() && b.is_full() && a == b {
        3
    } else if a.compatible(b) {
        2
    } else if a.get_year().abs_diff(b.get_year()) <= 1 {
        1
    } else {
        0
    }
}

/// [`date_rank`] of two dates as [`pack_date`] packs them (no parsing:
/// this runs for every entity reached).
fn packed_date_rank(a: u32, b: u32) -> u8 {
    let parts = |w: u32| (w & 0xffff, w >> 16 & 31, w >> 21 & 31);
    let ((ya, ma, da), (yb, mb, db)) = (parts(a), parts(b));
    let agree = |x: u32, y: u32| x == 0 || y == 0 || x == y;
    if da != 0 && db != 0 && a == b {
        3
    } else if ya == yb && agree(ma, mb) && agree(da, db) {
        2
    } else if ya.abs_diff(yb) <= 1 {
        1
    } else {
        0
    }
}

/// The birth-date factor of a [`date_rank`], and what it means.
fn dob_factor(rank: u8, c: &MatcherConfig) -> (f32, &'static str) {
    match rank {
        3 => (1.0 + c.dob_full_bonus as f32, "full birth date agrees"),
        2 => (
            1.0 + c.dob_partial_bonus as f32,
            "birth date agrees at common precision",
        ),
        1 => (c.dob_near_factor as f32, "birth years differ by one"),
        _ => (c.dob_mismatch_factor as f32, "birth dates disagree"),
    }
}

/// Slot of a rule in the per-rule weight shares of the learned score.
pub(crate) fn rule_slot(rule: Rule) -> usize {
    match rule {
        Rule::Exact | Rule::Initial => 0,
        Rule::Skeleton => 1,
        Rule::EditDistance => 2,
        Rule::Joined => 3,
        Rule::Compound => 4,
        Rule::Translation => 5,
        Rule::Spelling => 6,
        // (no feature: the training set has no Arabic-script queries)
        Rule::Transliteration => 7,
    }
}

/// The names a query name string stands for. As a listed name
/// ([`split_listed_name`]), except that an organisation's bracketed
/// qualifier stays attached (`Bank of China (Singapore)` is one name, not
/// `Bank of China` and `Singapore` matched alone: a made-up name followed
/// by a listed one's qualifier would match the qualifier in full). A
/// bracketed acronym of the name (`(ISIL)`: one word whose letters follow
/// the initials of the words before it, from the first) is still split
/// off with the name it abbreviates.
pub(crate) fn split_query_name(raw: &str, schema: Option<tansiq_model::Schema>) -> Vec<String> {
    let split = split_listed_name(raw);
    if !schema.is_some_and(tansiq_model::Schema::is_organisation)
        || !raw.contains(['(', '['])
        || split.len() < 2
    {
        return split;
    }
    let attached: String = raw
        .chars()
        .map(|c| {
            if matches!(c, '(' | ')' | '[' | ']') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut out = vec![attached.split_whitespace().collect::<Vec<_>>().join(" ")];
    let outside = &split[0];
    let initials: Vec<char> = outside
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    let is_acronym = |p: &str| {
        let letters: Vec<char> = p.chars().flat_map(char::to_lowercase).collect();
        if !(2..=8).contains(&letters.len()) || !letters.iter().all(char::is_ascii_alphabetic) {
            return false;
        }
        let mut it = initials.iter();
        initials.first() == letters.first() && letters.iter().all(|l| it.any(|i| i == l))
    };
    let acronyms: Vec<&String> = split[1..].iter().filter(|p| is_acronym(p)).collect();
    if !acronyms.is_empty() {
        out.push(outside.clone());
        out.extend(acronyms.into_iter().cloned());
    }
    out.dedup();
    out
}

/// Number of slots of [`rule_slot`].
pub(crate) const N_RULE_SLOTS: usize = 8;

/// Order in which the greedy alignment considers pairs of one listed
/// name: best similarity first; at equal similarity joins before single
/// joins (a join covers more of both names), then by
/// position and entry. A total order, so that ranking and explanation
/// (which collect the pairs differently) align the same way.
fn pair_order(a: &Pair, b: &Pair) -> std::cmp::Ordering {
    // lazily: this comparator sorts every candidate pair of a screening
    b.sim.total_cmp(&a.sim).then_with(|| {
        (b.qlen + b.llen)
            .cmp(&(a.qlen + a.llen))
            .then_with(|| a.qpos.cmp(&b.qpos))
            .then_with(|| a.lpos.cmp(&b.lpos))
            .then_with(|| a.qlen.cmp(&b.qlen))
            .then_with(|| a.item.cmp(&b.item))
            .then_with(|| a.vocab.cmp(&b.vocab))
    })
}

pub(crate) fn span_mask(pos: u8, len: u8) -> u64 {
    let pos = u32::from(pos.min(63));
    let len = u32::from(len);
    (((1u128 << len) - 1) << pos) as u64
}

fn merge_matches(into: &mut Vec<(u32, f32, Rule)>, more: &[(u32, f32, Rule)]) {
    for m in more {
        match into.binary_search_by_key(&m.0, |x| x.0) {
            Ok(i) => {
                if m.1 > into[i].1 {
                    into[i] = *m;
                }
            }
            Err(i) => into.insert(i, *m),
        }
    }
}

impl Index {
    /// At least [`calibrate`] of `raw`, without `powf`: the table's value
    /// at the step above (the top one for NaN: a bound errs high).
    fn calibrate_up(&self, raw: f32) -> f32 {
        // Nothing matched calibrates to 0 under either score: the step
        // above would bound every entity reached by generic words alone
        // (no rarity, so a raw score of 0) at the calibration of the
        // first step, 0.1 to 0.2 under the learned score, above the
        // results of most queries, and each would be scored in full.
        if raw <= 0.0 {
            return 0.0;
        }
        // (truncation plus one: `ceil` is a call without SSE4.1)
        let k = if raw.is_nan() {
            CALIBRATION_STEPS
        } else {
            (raw.clamp(0.0, 1.0) * CALIBRATION_STEPS as f32) as usize + 1
        };
        self.calibration_table[k.min(CALIBRATION_STEPS)]
    }
}

/// Whether a query name has Arabic-script parts (the learned score
/// leaves such names to the calibration alone: the training set has
/// none).
pub(crate) fn is_arabic(qn: &QName) -> bool {
    qn.tokens.iter().any(|t| t.script == Script::Arabic)
}

/// Levenshtein distance of two whole names over their bytes (names are
/// folded to ASCII letters, digits and spaces), divided by the longer
/// length: 0 for equal names, 1 for nothing in common.
pub(crate) fn name_distance(a: &str, b: &str) -> f32 {
    name_distance_to(a.as_bytes(), b.bytes())
}

/// [`name_distance`] of `a` and the bytes `b` yields (a name written
/// on the fly, without a buffer).
pub(crate) fn name_distance_to(a: &[u8], b: impl Iterator<Item = u8>) -> f32 {
    let (distance, b_len) = levenshtein_to(a, b);
    let long = a.len().max(b_len);
    if long == 0 {
        return 0.0;
    }
    distance as f32 / long as f32
}

/// Levenshtein distance of two byte strings.
#[cfg(test)]
fn levenshtein(a: &[u8], b: &[u8]) -> usize {
    levenshtein_to(a, b.iter().copied()).0
}

/// Bits per block of Myers' algorithm.
const BLOCK: usize = 64;

/// Levenshtein distance of `a` and the bytes of `b`, and the number of
/// those bytes: Myers' bit-parallel algorithm, one 64-bit word per 64
/// bytes of `a` (Hyyrö's blocks; organisation names almost always fit
/// one word: this runs for every organisation name the learned score
/// weighs).
fn levenshtein_to(a: &[u8], b: impl Iterator<Item = u8>) -> (usize, usize) {
    let m = a.len();
    if m == 0 {
        let n = b.count();
        return (n, n);
    }
    if m <= BLOCK {
        return levenshtein_word(a, b);
    }
    let words = m.div_ceil(BLOCK);
    // per byte value and block, the positions of `a` that hold it
    let mut peq = vec![0u64; 256 * words];
    for (i, &c) in a.iter().enumerate() {
        peq[usize::from(c) * words + i / BLOCK] |= 1u64 << (i % BLOCK);
    }
    let mut pv = vec![!0u64; words];
    let mut mv = vec![0u64; words];
    let last = 1u64 << ((m - 1) % BLOCK);
    let (mut distance, mut n) = (m, 0usize);
    for c in b {
        n += 1;
        let eqs = &peq[usize::from(c) * words..][..words];
        // the horizontal difference entering the block from above: the
        // first row of the table grows by one per byte of `b`
        let mut hin: i32 = 1;
        for k in 0..words {
            let (p, mm) = (pv[k], mv[k]);
            let xv = eqs[k] | mm;
            let eq = eqs[k] | u64::from(hin < 0);
            let xh = ((eq & p).wrapping_add(p) ^ p) | eq;
            let mut ph = mm | !(xh | p);
            let mut mh = p & xh;
            if k + 1 == words {
                if ph & last != 0 {
                    distance += 1;
                }
                if mh & last != 0 {
                    distance -= 1;
                }
            }
            let hout = i32::from(ph >> (BLOCK - 1) != 0) - i32::from(mh >> (BLOCK - 1) != 0);
            ph <<= 1;
            mh <<= 1;
            mh |= u64::from(hin < 0);
            ph |= u64::from(hin > 0);
            pv[k] = mh | !(xv | ph);
            mv[k] = ph & xv;
            hin = hout;
        }
    }
    (distance, n)
}

/// [`levenshtein_to`] for `a` of at most one word.
fn levenshtein_word(a: &[u8], b: impl Iterator<Item = u8>) -> (usize, usize) {
    let m = a.len();
    // per byte value, the positions of `a` that hold it
    let mut peq = [0u64; 256];
    for (i, &c) in a.iter().enumerate() {
        peq[usize::from(c)] |= 1u64 << i;
    }
    let (mut pv, mut mv) = (!0u64, 0u64);
    let last = 1u64 << (m - 1);
    let (mut distance, mut n) = (m, 0usize);
    for c in b {
        n += 1;
        let eq = peq[usize::from(c)];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            distance += 1;
        }
        if mh & last != 0 {
            distance -= 1;
        }
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    (distance, n)
}

/// Lower bounds of the measured features of every alignment of `qn`
/// with names of one entity, of shapes no weaker than `listed`:
/// [`known_features`], and as unmatched query weight the parts to which
/// no name gives credit (`credit(i)` is the best credit of position `i`).
/// Mirrors [`Index::score_name`].
fn lower_features(
    qn: &QName,
    credit: impl Fn(usize) -> f32,
    listed: NameShape,
    unit: f32,
) -> BaseFeatures {
    let mut lower = [0.0f32; N_BASE_FEATURES];
    let n_q = qn.tokens.len().min(64);
    known_features(&mut lower, qn.shape, generic_query(qn), listed);
    let (mut sum, mut max) = (0.0f32, 0.0f32);
    for i in 0..n_q.min(MAX_TOKENS) {
        if credit(i) <= 0.0 {
            let w = qn.weights.get(i).copied().unwrap_or(0.0) / unit;
            sum += w;
            max = max.max(w);
        }
    }
    lower[UNMATCHED_QUERY_WEIGHT] = sum.min(UNMATCHED_SUM_CAP);
    lower[UNMATCHED_QUERY_MAX] = max.min(UNMATCHED_MAX_CAP);
    lower
}

/// Whether every part of a query name is a generic word.
pub(crate) fn generic_query(qn: &QName) -> bool {
    qn.tokens.iter().all(Token::is_generic)
}

/// Whether generic organisation words other than legal forms are among
/// `kinds` (Trading, Mining, Industry: what a company does).
pub(crate) fn has_content_word(mut kinds: impl Iterator<Item = UnitKind>) -> bool {
    kinds.any(|k| matches!(k, UnitKind::Generic(c) if c.is_generic() && c != Concept::Company))
}

/// Ordinal words read as numbers in organisation names.
const ORDINALS: [&str; 12] = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth",
];

/// The bytes of a name's parts without its legal forms (LLC / Limited /
/// JSC say how a company is held, not which one it is), one space
/// apart: `parts` are (text, kind) of each part.
pub(crate) fn core_name<'a>(
    parts: impl Iterator<Item = (&'a str, UnitKind)>,
) -> impl Iterator<Item = u8> {
    parts
        .filter(|&(_, kind)| kind != UnitKind::Generic(Concept::Company))
        .enumerate()
        .flat_map(|(i, (text, _))| (i > 0).then_some(b' ').into_iter().chain(text.bytes()))
}

/// The numbers of a folded name (`27th` = `27`, `seventh` = `7`), sorted,
/// without repeats.
pub(crate) fn name_numbers(folded: &str) -> Vec<u32> {
    let mut out: Vec<u32> = folded.split(' ').filter_map(word_number).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The number a word of a folded name reads as: its leading digits, or
/// an ordinal word.
fn word_number(w: &str) -> Option<u32> {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return w[..digits].parse().ok();
    }
    // (every ordinal word is 5 to 8 letters long and ends in st, nd, rd
    // or th: other words skip the comparisons)
    let ordinal_like = (5..=8).contains(&w.len())
        && matches!(&w.as_bytes()[w.len() - 2..], b"st" | b"nd" | b"rd" | b"th");
    if !ordinal_like {
        return None;
    }
    ORDINALS.iter().position(|o| *o == w).map(|i| i as u32 + 1)
}
/// Maps the raw name score to the calibrated scale (0.80 = alert) by
/// the rule-based calibration `raw^calibration_power`.
pub(crate) fn rule_calibrate(raw: f32, c: &MatcherConfig) -> f32 {
    raw.clamp(0.0, 1.0).powf(c.calibration_power as f32)
}

/// The calibration the ranking bounds use: at least every name score
/// of a raw score, rule-based ([`rule_calibrate`]: no model, Arabic-script
/// queries, the name-only caps) or learned (`LinearModel::calibrate`,
/// before its penalties).
pub(crate) fn calibrate(raw: f32, c: &MatcherConfig) -> f32 {
    let rule = rule_calibrate(raw, c);
    match &c.model {
        Some(m) => m.calibrate(raw).max(rule),
        None => rule,
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub name: u32,
    pub sim: f32,
    pub qpos: u8,
    pub qlen: u8,
    pub lpos: u8,
    pub llen: u8,
    pub item: u16,
    pub vocab: u32,
}

impl MatcherConfig {
    /// The band of a score under this configuration.
    pub fn band(&self, score: f64) -> Band {
        if score >= self.strong {
            Band::Strong
        } else if score >= self.possible {
            Band::Possible
        } else {
            Band::None
        }
    }
}

/// One ranked entity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub score: f32,
    pub name_score: f32,
    pub entity: u32,
    pub qname: u16,
    /// Best listed name, `u32::MAX` when only a document number matched.
    pub name: u32,
    /// The best name's pairs: a range of the query name's pairs.
    pub pairs: (u32, u32),
    /// The score came from name parts spread over several names.
    pub combined: bool,
    /// The combined score before [`NameCapRule::SpreadOverNames`].
    pub spread_uncapped: f32,
    /// The name score before any cap: at equal scores the entity whose
    /// name was held back less ranks first (caps put many names at
    /// 0.79).
    pub uncapped: f32,
}

impl Ranked {
    /// The pairs of the best name, among every query name's pairs.
    pub(crate) fn pairs_of<'p>(&self, pairs: &'p [Vec<Pair>]) -> &'p [Pair] {
        pairs
            .get(usize::from(self.qname))
            .and_then(|p| p.get(self.pairs.0 as usize..self.pairs.1 as usize))
            .unwrap_or(&[])
    }
}

/// What ranking a query yields: its analysed names, their candidate
/// pairs, and the ranked entities.
pub(crate) struct Ranking {
    pub qnames: Vec<QName>,
    pub pairs: Vec<Vec<Pair>>,
    pub ranked: Vec<Ranked>,
}

/// Result of scoring one query name against one listed name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NameScore {
    pub score: f32,
    /// The score before the name-only caps: orders names the caps hold
    /// at one value.
    pub uncapped: f32,
    pub cov_l: f32,
    /// The features of the learned score for [`Want::Features`] (and
    /// explanations); all 0 otherwise.
    pub features: Features,
    /// Whether `score` and `uncapped` are the name's; else they are an
    /// upper bound of its score for which the caller's `reach` failed
    /// ([`Want::Score`]).
    pub exact: bool,
}

impl NameScore {
    /// An upper bound `bound` of a name's score that its caller's
    /// `reach` refused: no features, not exact ([`Want::Score`]).
    pub(crate) fn bound(bound: f32, cov_l: f32) -> NameScore {
        NameScore {
            score: bound,
            uncapped: bound,
            cov_l,
            features: [0.0; crate::model::N_FEATURES],
            exact: false,
        }
    }
}

/// The candidates of one entity in ranking: bounds of its final and name
/// scores, and its candidates `from..to`. Ordered by bound, then the
/// earlier candidate first.
#[derive(Debug, Clone, Copy)]
struct Group {
    bound: f32,
    name_bound: f32,
    from: u32,
    to: u32,
}

impl Ord for Group {
    fn cmp(&self, other: &Group) -> std::cmp::Ordering {
        self.bound
            .total_cmp(&other.bound)
            .then_with(|| other.from.cmp(&self.from))
    }
}

impl PartialOrd for Group {
    fn partial_cmp(&self, other: &Group) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Group {
    fn eq(&self, other: &Group) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Group {}

/// An entity a query name reaches: its pairs `start..end` in that query
/// name's pairs, and an upper bound of its name score.
/// `qname == u16::MAX`: reached by a document number only.
#[derive(Debug, Clone, Copy)]
struct Cand {
    entity: u32,
    qname: u16,
    start: u32,
    end: u32,
    /// Bound of the name score (raised a hair, [`hair_above`]).
    bound: f32,
    /// Bound of the final score: `bound` under the query's evidence and
    /// the entity's facts.
    final_bound: f32,
}

/// Bounds the name score of each entity reached, one listed name at a
/// time ([`Index::candidates`]): every factor of [`Index::score_name`]
/// (and of the combination of names) taken at its best, from the best
/// credit each query and listed position could get; then the query's
/// evidence applied to the entity's facts ([`Index::evidence_bound`]).
struct Bounder<'a> {
    index: &'a Index,
    qn: &'a QName,
    qi: u16,
    qk: &'a QueryKey,
    unit: f32,
    /// The entity being bounded, its facts and its first pair.
    entity: u32,
    facts: FactKey,
    start: usize,
    /// Best credit (and evidence share) per query position over every
    /// name of the entity.
    e_q: [(f32, f32); MAX_TOKENS],
    e_cov_l: f32,
    /// Bound of the raw (uncalibrated) name score.
    e_raw: f32,
    /// Under the learned score: the largest bound of one reached name's
    /// score, each name's raw bound calibrated and lowered by the
    /// penalty its pairs already imply ([`Bounder::name_penalty`]).
    e_names: f32,
    /// The weakest shape of the reached names of the entity
    /// ([`NameShape::weakest`]; [`NameShape::UNREACHED`] before any).
    e_shape: NameShape,
    names_reached: u32,
    /// The query name is in Arabic script (the learned score leaves it
    /// to the rule-based one).
    arabic: bool,
    /// A raw score at or below which the rule-based calibration stays
    /// at or below the name-only cap's ceiling ([`CEILING_RAW_MARGIN`]
    /// under the raw score it takes there).
    ceiling_raw: f32,
}

/// How far under the raw score that the rule-based calibration takes to
/// the name-only cap's ceiling [`Bounder`] starts comparing the two
/// (relative; far more than `powf`'s error, so that none of those
/// calibrated above the ceiling is missed).
const CEILING_RAW_MARGIN: f64 = 1e-3;

/// What a packed evidence weight, rounded up to 16 bits, is at least
/// worth: the rounding adds less than 2⁻⁷ of the weight. Lower bounds of
/// the learned score's features (unmatched listed weight) take it.
const EVIDENCE_DOWN: f32 = 1.0 - 1.0 / 64.0;

impl<'a> Bounder<'a> {
    fn new(index: &'a Index, qn: &'a QName, qi: u16, qk: &'a QueryKey) -> Bounder<'a> {
        Bounder {
            index,
            qn,
            qi,
            qk,
            unit: index.unit,
            entity: u32::MAX,
            facts: [0; 4],
            start: 0,
            e_q: [(0.0, 0.0); MAX_TOKENS],
            e_cov_l: 0.0,
            e_raw: 0.0,
            e_names: 0.0,
            e_shape: NameShape::UNREACHED,
            names_reached: 0,
            arabic: is_arabic(qn),
            ceiling_raw: {
                let c = &index.config;
                (c.name_only_cap.powf(1.0 / c.calibration_power) * (1.0 - CEILING_RAW_MARGIN))
                    as f32
            },
        }
    }

    fn rarity_of(&self, evidence: f32) -> f32 {
        let c = &self.index.config;
        quick_pow(
            (evidence / (c.rare_evidence as f32 * self.unit)).min(1.0),
            c.rarity_power,
        )
    }

    /// One listed name with its pairs (which start at `start` among the
    /// query name's pairs). Names come in order, so those of one entity
    /// are adjacent.
    fn name(&mut self, name: CompactName<'_>, start: usize, pairs: &[Pair], out: &mut Vec<Cand>) {
        let c = &self.index.config;
        let qn = self.qn;
        if name.entity() != self.entity {
            self.finish(start, out);
            self.entity = name.entity();
            self.facts = name.facts();
            self.start = start;
        }
        let n_q = qn.tokens.len().min(MAX_TOKENS);
        let n_pos = name.n_pos();
        let mut q_best = [0.0f32; MAX_TOKENS];
        let mut l_best = [0.0f32; 64];
        // some pair of credit 0.5 or more may align a rare part
        let mut may_rare = false;
        for p in pairs {
            let cr = credit(p.sim, c);
            if cr <= 0.0 {
                continue;
            }
            let el: f32 = (p.lpos..p.lpos.saturating_add(p.llen))
                .filter(|&i| usize::from(i) < n_pos)
                .map(|i| name.evidence(usize::from(i)))
                .sum();
            may_rare |= cr >= FOUND_CREDIT && el >= RARE_PART_SHARE * self.unit;
            let share = cr * el / f32::from(p.qlen.max(1));
            for i in p.qpos..p.qpos.saturating_add(p.qlen) {
                let i = i as usize;
                if i < n_q {
                    q_best[i] = q_best[i].max(cr);
                    self.e_q[i].0 = self.e_q[i].0.max(cr);
                    self.e_q[i].1 = self.e_q[i].1.max(share);
                }
            }
            for i in p.lpos..p.lpos.saturating_add(p.llen) {
                if let Some(b) = l_best.get_mut(i as usize) {
                    *b = b.max(cr);
                }
            }
        }
        self.names_reached += 1;
        let max_evidence = (0..n_pos).map(|i| name.evidence(i)).fold(0.0, f32::max);
        let shape = NameShape::of(name.words(), max_evidence, self.unit);
        self.e_shape = self.e_shape.weakest(shape);
        let matched_q: f32 = (0..n_q).map(|i| q_best[i] * qn.weights[i]).sum();
        let (mut matched_l, mut evidence) = (0.0f32, 0.0f32);
        for (i, &b) in l_best.iter().enumerate().take(n_pos) {
            matched_l += b * name.weight(i);
            evidence += b * name.evidence(i);
        }
        // the listed total is lowest when every interior part is left
        // out and discounted
        let listed_total = name.listed_min();
        let cov_q = if qn.total_weight > 0.0 {
            (matched_q / qn.total_weight).min(1.0)
        } else {
            0.0
        };
        let cov_l = if listed_total > 0.0 {
            (matched_l / listed_total).min(1.0)
        } else {
            0.0
        };
        self.e_cov_l = self.e_cov_l.max(cov_l);
        let qcw = c.query_coverage_weight as f32;
        let base = qcw * quick_pow(cov_q, c.query_coverage_power) + (1.0 - qcw) * cov_l;
        let kind_factor = if name.weak() {
            c.weak_alias_factor as f32
        } else {
            1.0
        };
        // factors that surely apply: no pair reaches the family part, or
        // none reaches the first part well; those that may apply count
        // only if they could raise the score
        let may = |f: f64| (f as f32).max(1.0);
        let family_factor = if (3..=64).contains(&n_pos)
            && l_best.get(usize::from(name.family_pos())) == Some(&0.0)
        {
            c.family_miss_factor as f32
        } else {
            may(c.family_miss_factor)
        };
        let given_factor = if n_pos >= 2 && l_best[0] < FOUND_CREDIT {
            c.given_miss_factor as f32
        } else {
            may(c.given_miss_factor)
        };
        let other = may(c.generic_name_extra_factor) * may(c.alias_extra_part_factor);
        // calibrated once per entity: calibration is monotone
        let raw =
            base * self.rarity_of(evidence) * kind_factor * family_factor * given_factor * other;
        self.e_raw = self.e_raw.max(raw);
        if let Some(m) = &c.model {
            // this name's own bound: the entity's best name is below the
            // largest of them
            let calibrated = self.index.calibrate_up(raw);
            if calibrated > self.e_names {
                let exact_possible = (0..n_q).all(|i| q_best[i] >= 1.0);
                let lower = self.name_penalty(name, &q_best, &l_best, may_rare, shape);
                let bound = self.learned_bound(m, calibrated, raw, exact_possible, &lower);
                self.e_names = self.e_names.max(bound);
            }
        }
    }

    /// Lower bounds of the measured features of the alignment of the
    /// query name with one listed name, from the best credit any of its
    /// pairs gives each query position (`q_best`) and listed position
    /// (`l_best`): [`lower_features`], and what [`Index::score_name`]
    /// surely measures against it: listed parts no pair reaches
    /// (unmatched listed weight, largest, and with the query's; the
    /// family part), a first part no pair reaches well, softness at
    /// least one less the best credit, no rare part when no pair of
    /// credit 0.5 reaches one, the worst alignment at least one less the
    /// best credit.
    fn name_penalty(
        &self,
        name: CompactName<'_>,
        q_best: &[f32; MAX_TOKENS],
        l_best: &[f32; 64],
        may_rare: bool,
        shape: NameShape,
    ) -> BaseFeatures {
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let n_pos = name.n_pos();
        let mut lower = lower_features(
            self.qn,
            |i| q_best.get(i).copied().unwrap_or(1.0),
            shape,
            self.unit,
        );
        let (mut ul_sum, mut ul_max, mut best) = (0.0f32, 0.0f32, 0.0f32);
        for (i, &b) in l_best.iter().enumerate().take(n_pos) {
            best = best.max(b);
            if b <= 0.0 {
                let w = name.evidence(i) * EVIDENCE_DOWN / self.unit;
                ul_sum += w;
                ul_max = ul_max.max(w);
            }
        }
        lower[UNMATCHED_LISTED_WEIGHT] = ul_sum.min(UNMATCHED_SUM_CAP);
        lower[UNMATCHED_LISTED_MAX] = ul_max.min(UNMATCHED_MAX_CAP);
        lower[UNMATCHED_BOTH_MAX] = lower[UNMATCHED_QUERY_MAX]
            .min(ul_max)
            .min(UNMATCHED_MAX_CAP);
        lower[FAMILY_UNMATCHED] = flag(
            (3..=64).contains(&n_pos) && l_best.get(usize::from(name.family_pos())) == Some(&0.0),
        );
        lower[GIVEN_UNMATCHED] = flag(n_pos >= 2 && l_best[0] < FOUND_CREDIT);
        lower[WEAK_ALIAS] = flag(name.weak());
        lower[SOFTNESS] = 1.0 - best.min(1.0);
        lower[NO_RARE_PART] = flag(!may_rare);
        lower[WORST_ALIGNMENT] = 1.0 - best.min(1.0);
        lower
    }

    /// A bound of the learned score of names (of the entity being
    /// bounded) whose raw score is at most `raw` (`calibrated`: its
    /// calibration from the table) and whose measured features are at
    /// least `lower`: the calibration lowered by their penalty, raised
    /// back to the name-only cap's ceiling where a cap may set it there.
    /// Not lowered where one of those names may be the query written
    /// exactly (`exact_possible`: every query part has a full-credit
    /// pair; such a name keeps the rule-based score), nor for
    /// Arabic-script queries.
    fn learned_bound(
        &self,
        m: &crate::LinearModel,
        calibrated: f32,
        raw: f32,
        exact_possible: bool,
        lower: &BaseFeatures,
    ) -> f32 {
        let c = &self.index.config;
        if self.arabic || exact_possible {
            return calibrated;
        }
        let schema = SCHEMAS[(self.facts[3] >> 8 & 0xff) as usize % SCHEMAS.len()];
        let mut bound = m.lower(calibrated, m.known_penalty(schema.is_organisation(), lower));
        // a name-only cap sets a name to its ceiling where the
        // rule-based score is above it, whatever the penalties
        let ceiling = c.name_only_cap as f32;
        // (raw scores a little below the one the rule-based calibration
        // takes to the ceiling skip its powf: names bounded below it
        // are most of them)
        if bound < ceiling && raw > self.ceiling_raw && rule_calibrate(raw, c) > ceiling {
            bound = ceiling;
        }
        bound
    }

    /// Appends the candidate of the entity being bounded, whose pairs
    /// end at `end`, and starts afresh.
    fn finish(&mut self, end: usize, out: &mut Vec<Cand>) {
        if self.entity == u32::MAX {
            return;
        }
        let c = &self.index.config;
        let qn = self.qn;
        let n_q = qn.tokens.len().min(MAX_TOKENS);
        let mut spread_raw = 0.0f32;
        if self.names_reached >= 2 && qn.total_weight > 0.0 {
            // parts spread over several names
            let matched: f32 = (0..n_q).map(|i| self.e_q[i].0 * qn.weights[i]).sum();
            let evidence: f32 = self.e_q[..n_q].iter().map(|x| x.1).sum();
            let cov_q = (matched / qn.total_weight).min(1.0);
            let qcw = c.query_coverage_weight as f32;
            let base = qcw * quick_pow(cov_q, c.query_coverage_power) + (1.0 - qcw) * self.e_cov_l;
            spread_raw = base * self.rarity_of(evidence) * c.combined_names_factor as f32;
        }
        let calibrated = match &c.model {
            None => self.index.calibrate_up(self.e_raw.max(spread_raw)),
            Some(m) => {
                // the best name alone, bounded name by name; or the parts
                // spread over several names, which the learned score
                // lowers by the penalty known for the entity (the query
                // parts none of its names reaches, its weakest name
                // shape)
                let mut bound = self.e_names;
                let spread = self.index.calibrate_up(spread_raw);
                if spread > bound {
                    let lower = lower_features(
                        qn,
                        |i| self.e_q.get(i).map_or(1.0, |x| x.0),
                        self.e_shape,
                        self.unit,
                    );
                    let exact_possible = (0..n_q).all(|i| self.e_q[i].0 >= 1.0);
                    bound = bound.max(self.learned_bound(
                        m,
                        spread,
                        spread_raw,
                        exact_possible,
                        &lower,
                    ));
                }
                bound
            }
        };
        let name_bound = hair_above(calibrated);
        out.push(Cand {
            entity: self.entity,
            qname: self.qi,
            start: self.start as u32,
            end: end as u32,
            bound: name_bound,
            final_bound: self.index.evidence_bound(self.qk, self.facts, name_bound),
        });
        self.entity = u32::MAX;
        self.e_q = [(0.0, 0.0); MAX_TOKENS];
        self.e_cov_l = 0.0;
        self.e_raw = 0.0;
        self.e_names = 0.0;
        self.e_shape = NameShape::UNREACHED;
        self.names_reached = 0;
    }
}

/// Where a query's common units are among its deferred ones (sorted by
/// vocabulary entry): a direct-mapped table on the entry's low bits,
/// since every reached name looks up each of its common readings.
struct CommonUnits {
    /// 0: no unit; [`CommonUnits::SEARCH`]: several, or one too far to
    /// hold; else 1 + the index of the unit's first entry.
    table: [u8; 1024],
}

impl CommonUnits {
    const SEARCH: u8 = u8::MAX;

    fn of(deferred: &[(usize, u32, f32)]) -> CommonUnits {
        let mut table = [0u8; 1024];
        for (i, d) in deferred.iter().enumerate() {
            let b = &mut table[(d.1 & 1023) as usize];
            *b = match *b {
                0 if i + 1 < usize::from(Self::SEARCH) => i as u8 + 1,
                0 => Self::SEARCH,
                x if x != Self::SEARCH && deferred[usize::from(x) - 1].1 == d.1 => x,
                _ => Self::SEARCH,
            };
        }
        CommonUnits { table }
    }

    /// The index of the first entry of unit `v` in `deferred`, if any.
    fn find(&self, deferred: &[(usize, u32, f32)], v: u32) -> Option<usize> {
        let from = match self.table[(v & 1023) as usize] {
            0 => return None,
            Self::SEARCH => deferred.partition_point(|d| d.1 < v),
            x => usize::from(x) - 1,
        };
        (deferred.get(from)?.1 == v).then_some(from)
    }
}

/// How many reached names' records [`Index::candidates`] reads ahead.
const TOUCH_AHEAD: usize = 32;

/// `x` to the power `p`, for bounds: the usual powers without `powf`
/// (a square root differs from it by an ulp at most, well inside
/// [`hair_above`]).
fn quick_pow(x: f32, p: f64) -> f32 {
    if p == 1.0 {
        x
    } else if p == 0.5 {
        x.sqrt()
    } else {
        x.powf(p as f32)
    }
}

/// A bound raised a hair: bounds sum in another order than the score.
pub(crate) fn hair_above(bound: f32) -> f32 {
    (bound * (1.0 + 1e-5) + 1e-6).min(1.0)
}

/// The most the evidence of a query can raise any name score: a full
/// birth date and a nationality that agree (document numbers are
/// bounded per entity). [`Index::apply_evidence`] is monotone in the
/// name score and never raises it more.
struct EvidenceLift {
    dob: f32,
    nationality: f32,
}

impl EvidenceLift {
    fn of(query: &Query, qf: &QueryFacts, c: &MatcherConfig) -> EvidenceLift {
        EvidenceLift {
            dob: if qf.birth_dates.is_empty() {
                0.0
            } else {
                c.dob_full_bonus.max(c.dob_partial_bonus).max(0.0) as f32
            },
            nationality: if query.nationalities.is_empty() {
                0.0
            } else {
                c.nationality_bonus.max(0.0) as f32
            },
        }
    }

    fn apply(&self, s: f32) -> f32 {
        let s = s + (1.0 - s) * self.dob;
        (s + (1.0 - s) * self.nationality).clamp(0.0, 1.0)
    }
}

/// Best credit per query position over all names of one entity:
/// (credit, evidence, listed name id).
struct UnionAcc {
    credits: [(f32, f32, u32); MAX_TOKENS],
    best_cov_l: f32,
}

/// Query evidence parsed once per query.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryFacts {
    pub birth_dates: Vec<PartialDate>,
    /// Normalised document numbers of at least 5 characters.
    pub documents: Vec<String>,
}

impl QueryFacts {
    pub fn of(query: &Query) -> QueryFacts {
        QueryFacts {
            birth_dates: query
                .birth_dates
                .iter()
                .filter_map(|d| d.parse().ok())
                .collect(),
            documents: query
                .documents
                .iter()
                .map(|d| tansiq_model::normalize_document_number(d))
                .filter(|d| d.len() >= 5)
                .collect(),
        }
    }
}

fn push_pair(
    pairs: &mut Vec<Pair>,
    item_idx: usize,
    item: &QItem,
    v: u32,
    s: f32,
    o: &crate::index::Occ,
) {
    let sim = s * o.factor();
    if sim < MIN_SIM {
        return;
    }
    pairs.push(Pair {
        name: o.name,
        sim,
        qpos: item.pos,
        qlen: item.len,
        lpos: o.pos,
        llen: o.len,
        item: item_idx as u16,
        vocab: v,
    });
}

#[cfg(test)]
mod tests {
    use tansiq_model::{Entity, Schema, prop};

    #[test]
    fn bit_parallel_levenshtein_agrees_with_the_dynamic_programme() {
        let words = [
            "",
            "a",
            "hong pang trading",
            "hong pang mining company",
            "alcardinal general trading llc",
            "alcardinal general trading limited",
            "27th scientific center",
            "the 33rd scientific centre of the ministry of defence",
            "kitten",
            "sitting",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    super::levenshtein(a.as_bytes(), b.as_bytes()),
                    strsim::levenshtein(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
        let long = "x".repeat(70);
        assert_eq!(super::levenshtein(long.as_bytes(), b"xx"), 68);
        // names longer than a word, on either side or both: blocks
        let longer = [
            "the 33rd scientific centre of the ministry of defence of the russian federation",
            "33rd scientific research and testing centre of the ministry of defence of russia",
            "islamic revolutionary guard corps aerospace force al ghadir missile command",
            &"ab".repeat(70),
            &"ba".repeat(65),
        ];
        for a in longer.iter().chain(&words) {
            for b in longer.iter().chain(&words) {
                assert_eq!(
                    super::levenshtein(a.as_bytes(), b.as_bytes()),
                    strsim::levenshtein(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn blocked_levenshtein_agrees_with_the_dynamic_programme(
            a in "[ab c]{0,150}",
            b in "[ab c]{0,150}",
        ) {
            proptest::prop_assert_eq!(
                super::levenshtein(a.as_bytes(), b.as_bytes()),
                strsim::levenshtein(&a, &b)
            );
        }
    }

    #[test]
    fn numbers_of_names_read_digits_and_ordinals() {
        assert_eq!(super::name_numbers("the 27th scientific centre"), vec![27]);
        assert_eq!(
            super::name_numbers("seventh 7 second branch 12345678901"),
            vec![2, 7]
        );
        assert!(super::name_numbers("first-rate north east trading").is_empty());
    }

    use crate::explain::NameCapRule;
    use crate::{Band, EvidenceKind, Index, MatcherConfig, Query};

    fn person(id: &str, name: &str, extra: &[(&str, &str)]) -> Entity {
        let mut e = Entity::new(id, Schema::Person);
        e.add(prop::NAME, name);
        for (p, v) in extra {
            e.add(p, v);
        }
        e
    }

    fn index() -> Index {
        let entities = vec![
            person(
                "P1",
                "Abd al-Qadir Karim Haddad",
                &[
                    (prop::BIRTH_DATE, "1971-03-14"),
                    (prop::NATIONALITY, "dz"),
                    (prop::PASSPORT_NUMBER, "X 1234-567"),
                ],
            ),
            person(
                "P2",
                "Mohamed Salem Bakri",
                &[(prop::BIRTH_DATE, "1980"), (prop::GENDER, "male")],
            ),
            person("P3", "Mohamed Ali Tahiri", &[]),
            {
                let mut o = Entity::new("O1", Schema::Organization);
                o.add(prop::NAME, "Jabhat al-Fajr");
                o
            },
        ];
        // background: Mohamed and Ali are common, as on any real list
        let mut entities = entities;
        for (i, family) in [
            "Zerrouki", "Lahlou", "Fassi", "Amrani", "Cherif", "Najjar", "Rifai", "Dabbagh",
        ]
        .iter()
        .enumerate()
        {
            entities.push(person(&format!("B{i}"), &format!("Mohamed {family}"), &[]));
            entities.push(person(
                &format!("C{i}"),
                &format!("Ali {family} Saidi"),
                &[],
            ));
        }
        Index::build(entities, MatcherConfig::default())
    }

    fn score_of(index: &Index, q: &Query, id: &str) -> f64 {
        index
            .screen(q, 10)
            .into_iter()
            .find(|m| m.entity_id == id)
            .map_or(0.0, |m| m.score)
    }

    #[test]
    fn ranking_is_deterministic_and_explained() {
        let index = index();
        let q = Query::name("Abdelkader Karim Haddad");
        let a = index.screen(&q, 10);
        let b = index.screen(&q, 10);
        assert_eq!(a, b);
        assert_eq!(a[0].entity_id, "P1");
        assert_eq!(a[0].band, Band::Strong);
        let text = a[0].explanation.to_string();
        assert!(text.contains("haddad"), "{text}");
        assert!(!a[0].explanation.alignments.is_empty());
        // scores are in 0..=1 and sorted
        assert!(a.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(a.iter().all(|m| (0.0..=1.0).contains(&m.score)));
        assert_eq!(index.entity("P2").map(|e| e.id.as_str()), Some("P2"));
        assert_eq!(index.len(), 20);
    }

    #[test]
    fn birth_date_and_nationality_move_the_score() {
        let index = index();
        let base = Query::name("Abdelkader Karim Haddad");
        let s0 = score_of(&index, &base, "P1");
        let mut agree = base.clone();
        agree.birth_dates = vec!["1971-03-14".into()];
        agree.nationalities = vec!["DZ".into()];
        let mut disagree = base.clone();
        disagree.birth_dates = vec!["1990-01-01".into()];
        disagree.nationalities = vec!["fr".into()];
        assert!(score_of(&index, &agree, "P1") > s0);
        assert!(score_of(&index, &disagree, "P1") < s0);
        let m = index.screen(&disagree, 1).remove(0);
        let kinds: Vec<EvidenceKind> = m.explanation.evidence.iter().map(|e| e.kind).collect();
        assert!(
            kinds.contains(&EvidenceKind::BirthDate) && kinds.contains(&EvidenceKind::Nationality)
        );
    }

    #[test]
    fn a_listed_name_lowered_by_other_evidence_is_a_near_miss() {
        let index = index();
        let mut disagree = Query::name("Abdelkader Karim Haddad");
        disagree.birth_dates = vec!["1990-01-01".into()];
        disagree.nationalities = vec!["fr".into()];
        let m = index.screen(&disagree, 1).remove(0);
        assert_eq!(m.entity_id, "P1");
        assert_eq!(m.band, Band::None, "{m:?}");
        let near = m.near_miss.expect("a near miss");
        assert!(near.name_score >= index.config().strong);
        assert!(
            near.lowered_by.contains(&EvidenceKind::BirthDate),
            "{near:?}"
        );
        assert!(near.reason.contains("the birth date"), "{}", near.reason);
        // An alert is no near miss, and neither is a name that does not
        // reach the threshold on its own.
        let alert = index
            .screen(&Query::name("Abdelkader Karim Haddad"), 1)
            .remove(0);
        assert!(alert.band != Band::None && alert.near_miss.is_none());
        let mut weak = Query::name("Karim Zerrouki");
        weak.birth_dates = vec!["1990-01-01".into()];
        assert!(index.screen(&weak, 5).iter().all(|m| m.near_miss.is_none()));
        // a part of the listed name missing: not the full name
        let mut part = Query::name("Abdelkader Haddad");
        part.birth_dates = vec!["1990-01-01".into()];
        assert!(index.screen(&part, 5).iter().all(|m| m.near_miss.is_none()));
    }

    #[test]
    fn passport_number_is_strong_on_its_own() {
        let index = index();
        let mut q = Query::name("Completely Different");
        q.documents = vec!["x1234567".into()];
        let hits = index.screen(&q, 5);
        assert_eq!(hits[0].entity_id, "P1");
        assert!(hits[0].score >= 0.95);
    }

    #[test]
    fn schema_and_gender_mismatch_lower_the_score() {
        let index = index();
        let mut q = Query::name("Mohamed Salem Bakri");
        let s0 = score_of(&index, &q, "P2");
        q.schema = Some(Schema::Organization);
        assert!(score_of(&index, &q, "P2") < s0);
        q.schema = Some(Schema::Person);
        q.gender = Some("female".into());
        assert!(score_of(&index, &q, "P2") < s0);
    }

    #[test]
    fn a_bare_kunya_two_entities_carry_does_not_alert_alone() {
        let build = |second: bool| {
            let mut a = person("K1", "Tarek Nabil Zouaoui", &[(prop::BIRTH_DATE, "1977")]);
            a.add(prop::ALIAS, "Abu Mundhir");
            let mut b = person("K2", "Farid Lamine Benkirane", &[]);
            b.add(
                prop::WEAK_ALIAS,
                if second {
                    "Abou Moundhir"
                } else {
                    "Abou Sofiane"
                },
            );
            // enough background for one entity to be rare (under 5 %)
            let mut entities = vec![a, b];
            let given = [
                "Mohamed", "Ali", "Omar", "Hassan", "Youssef", "Karim", "Samir",
            ];
            let family = [
                "Zerrouki", "Lahlou", "Fassi", "Amrani", "Cherif", "Najjar", "Rifai",
            ];
            for (i, g) in given.iter().enumerate() {
                for (j, f) in family.iter().enumerate() {
                    entities.push(person(&format!("B{i}{j}"), &format!("{g} {f}"), &[]));
                }
            }
            Index::build(entities, MatcherConfig::default())
        };
        let q = Query::name("Abu Mundhir");
        // one listed entity carries the kunya: it is an alias like any other
        assert!(score_of(&build(false), &q, "K1") >= 0.8);
        // two carry it: it identifies neither by itself
        let shared = build(true);
        let hits = shared.screen(&q, 5);
        assert!(hits.iter().all(|m| m.band == Band::None), "{hits:?}");
        let k1 = hits.iter().find(|m| m.entity_id == "K1").expect("K1 found");
        assert!(
            k1.explanation
                .caps
                .iter()
                .any(|c| c.rule == NameCapRule::SharedKunya),
            "{:?}",
            k1.explanation
        );
        // other evidence still lifts it into the alert band
        let mut with_year = Query::name("Abu Mundhir");
        with_year.birth_dates.push("1977".into());
        assert!(score_of(&shared, &with_year, "K1") >= 0.8);
    }

    fn generic_name_index(config: MatcherConfig) -> Index {
        let org = |id: &str, name: &str| {
            let mut o = Entity::new(id, Schema::Organization);
            o.add(prop::NAME, name);
            o
        };
        let mut entities = vec![
            org("G1", "Saad Import Export Company"),
            org("G2", "Engineering and Development Group Limited"),
        ];
        // Saad and Said share a skeleton: a frequent part, not a very
        // common one
        let families = ["Zerrouki", "Lahlou", "Fassi", "Amrani", "Cherif", "Najjar"];
        for (i, g) in ["Saad", "Said", "Karim", "Nabil", "Tarek", "Farid", "Hamza"]
            .iter()
            .enumerate()
        {
            let n = if i < 2 { 5 } else { 6 };
            for f in &families[..n] {
                entities.push(person(&format!("S{i}{f}"), &format!("{g} {f}"), &[]));
            }
        }
        Index::build(entities, config)
    }

    #[test]
    fn a_name_of_generic_words_only_does_not_confirm_a_distinctive_part() {
        let q = Query::name("Saad Export Import Company");
        let index = generic_name_index(MatcherConfig::default());
        let hits = index.screen(&q, 3);
        assert_eq!(hits[0].entity_id, "G1", "{hits:?}");
        // without the factor the generic name alerted, ranked first
        assert!(hits.iter().all(|m| m.band == Band::None), "{hits:?}");
        // the generic name alone is still found by its own words
        let own = index.screen(&Query::name("Engineering & Development Group Ltd"), 3);
        assert_eq!(own[0].entity_id, "G2", "{own:?}");
        assert!(own[0].score >= 0.8, "{own:?}");
    }

    #[test]
    fn common_parts_alone_do_not_alert() {
        let index = index();
        let hits = index.screen(&Query::name("Mohamed Ali"), 5);
        assert!(hits.iter().all(|m| m.band == Band::None), "{hits:?}");
    }

    #[test]
    fn arabic_script_org_matches_by_translation() {
        let index = index();
        let hits = index.screen(&Query::name("جبهة الفجر"), 3);
        assert_eq!(hits[0].entity_id, "O1");
        assert!(
            hits[0]
                .explanation
                .alignments
                .iter()
                .any(|a| a.rule == crate::Rule::Translation)
        );
    }

    #[test]
    fn exhaustive_scan_agrees_on_a_small_list() {
        let index = index();
        for name in ["Abdelkader Haddad", "عبد القادر حداد", "Mohamed Bakri"] {
            let q = Query::name(name);
            let fast: Vec<String> = index
                .screen(&q, 3)
                .into_iter()
                .map(|m| m.entity_id)
                .collect();
            let full: Vec<String> = index
                .screen_exhaustive(&q, 3)
                .into_iter()
                .map(|m| m.entity_id)
                .collect();
            assert_eq!(fast.first(), full.first(), "{name}");
        }
    }

    #[test]
    fn stopping_by_bounds_changes_no_result() {
        // Generated list and travellers (listed variants with documents
        // and dates, innocents, homonyms); a small occurrence cap so that
        // common entries are deferred as on a list of millions.
        let list: Vec<Entity> = tansiq_synth::generate(7, 4_000).collect();
        let travellers = tansiq_synth::travellers(7, 300, &list).expect("travellers");
        // the rule-based and the learned score (whose bounds take off
        // the penalties known before an alignment)
        for model in [None, Some(crate::LinearModel::fitted())] {
            let config = MatcherConfig {
                common_occurrence_cap: 40,
                model,
                ..MatcherConfig::default()
            };
            let index = Index::build(list.clone(), config);
            check_stopping_by_bounds(&index, &travellers);
            // organisations: listed names cut short and with a business
            // word added (the learned score has its own weights for them)
            let mut compared = 0;
            for e in list.iter().filter(|e| e.schema.is_organisation()).take(150) {
                let Some(name) = e.names().first().map(|n| n.value.to_string()) else {
                    continue;
                };
                let words: Vec<&str> = name.split_whitespace().collect();
                for q in [
                    words[..words.len().min(2)].join(" "),
                    format!("{} Trading Company", words[0]),
                ] {
                    for limit in [1, 10] {
                        compared +=
                            usize::from(pruned_equals_full(&index, &Query::name(&q), limit));
                    }
                }
            }
            assert!(compared > 100, "only {compared} organisation rankings");
        }
    }

    fn check_stopping_by_bounds(index: &Index, travellers: &[tansiq_synth::LabelledTraveller]) {
        let mut compared = 0;
        for (i, t) in travellers.iter().enumerate() {
            let mut q = Query::from_entity(&t.traveller.to_entity("q"));
            if i % 3 == 0 {
                // name only
                q.birth_dates.clear();
                q.nationalities.clear();
                q.documents.clear();
            }
            for limit in [1, 10] {
                compared += usize::from(pruned_equals_full(index, &q, limit));
            }
        }
        assert!(compared > 400, "only {compared} rankings had candidates");
    }

    /// Asserts that ranking with the bounds' early stop gives exactly the
    /// ranking that scores every reached entity; whether it had any.
    fn pruned_equals_full(index: &Index, q: &Query, limit: usize) -> bool {
        let pruned = index.rank_with(q, limit, false, true).ranked;
        let full = index.rank_with(q, limit, false, false).ranked;
        let ids = |r: &[super::Ranked]| -> Vec<(u32, u32)> {
            r.iter().map(|x| (x.entity, x.score.to_bits())).collect()
        };
        assert_eq!(ids(&pruned), ids(&full), "{:?} limit {limit}", q.names);
        !full.is_empty()
    }

    #[test]
    fn common_parts_are_intersected_not_sampled() {
        // Every part is common (cap 3): the listed name holding both
        // query parts must be found although it comes after the first
        // `cap` occurrences of either part.
        let mut entities = Vec::new();
        for (i, (g, f)) in [
            ("Karim", "Haddad"),
            ("Karim", "Najjar"),
            ("Karim", "Fassi"),
            ("Karim", "Lahlou"),
            ("Samir", "Haddad"),
            ("Samir", "Najjar"),
            ("Samir", "Fassi"),
            ("Samir", "Lahlou"),
            ("Tarek", "Haddad"),
            ("Tarek", "Najjar"),
            ("Tarek", "Fassi"),
            ("Nabil", "Lahlou"),
            ("Tarek", "Lahlou"),
        ]
        .iter()
        .enumerate()
        {
            entities.push(person(&format!("E{i}"), &format!("{g} {f}"), &[]));
        }
        let config = MatcherConfig {
            common_occurrence_cap: 3,
            ..MatcherConfig::default()
        };
        let index = Index::build(entities, config);
        // no join "tarekx" exists, so no rare unit opens candidates
        let hits = index.screen(&Query::name("Lahlou Tarek"), 3);
        assert_eq!(
            hits.first().map(|m| m.entity_id.as_str()),
            Some("E12"),
            "{hits:?}"
        );
    }

    #[test]
    fn explanation_agrees_with_ranking_and_joins_split_alike_are_not_pairs() {
        // "Mohamad Dib" joined (MHMDB) spells like "Muhammad Ayub" joined
        // (Ayub's skeleton is B): the join must not stand for a match of
        // Dib with Ayub, and the explanation must align like the ranking.
        let mut entities = vec![person("A1", "Qari Muhammad Ayub", &[])];
        for (i, f) in ["Zerrouki", "Lahlou", "Fassi", "Amrani"].iter().enumerate() {
            entities.push(person(&format!("B{i}"), &format!("Muhammad {f}"), &[]));
        }
        let index = Index::build(entities, MatcherConfig::default());
        for name in [
            "Mohamad Dib",
            "Muhammad Ayub",
            "Mohamad Lahlou Dib",
            "Qari Dib",
        ] {
            for m in index.screen(&Query::name(name), 10) {
                assert!(
                    (m.score - m.explanation.score).abs() < 1e-6,
                    "{name}: {} ranked {} explained {}",
                    m.entity_id,
                    m.score,
                    m.explanation
                );
            }
        }
        let a1 = score_of(&index, &Query::name("Mohamad Dib"), "A1");
        assert!(a1 < 0.6, "{a1}");
        // a join split elsewhere still pairs: Muhammadabd Basir
        let index = Index::build(
            vec![person("N1", "Nazir Muhammad Abdul Basir", &[])],
            MatcherConfig::default(),
        );
        let hits = index.screen(&Query::name("نظير محمدعبد البصير"), 1);
        assert!(hits[0].score >= 0.8, "{}", hits[0].explanation);
    }

    #[test]
    fn calibration_from_the_table_is_never_below_calibration() {
        let index = index();
        let c = &index.config;
        for i in 0..=10_000 {
            let raw = i as f32 / 10_000.0;
            assert!(index.calibrate_up(raw) >= super::calibrate(raw, c), "{raw}");
        }
        assert!(index.calibrate_up(1.5) >= super::calibrate(1.5, c));
        assert_eq!(index.calibrate_up(f32::NAN), 1.0);
    }

    #[test]
    fn common_units_are_found_as_a_search_finds_them() {
        // units that share their low bits, units under several items, and
        // more units than the table can point to
        let mut units: Vec<u32> = vec![5, 5, 1029, 2053, 7, 1024, 0, 0, 0];
        units.extend((0..300).map(|i| 40_000 + 3 * i));
        let mut deferred: Vec<(usize, u32, f32)> = units
            .iter()
            .enumerate()
            .map(|(item, &v)| (item % 4, v, 0.9))
            .collect();
        deferred.sort_unstable_by_key(|d| (d.1, d.0));
        let common = super::CommonUnits::of(&deferred);
        for v in (0..3000).chain(39_990..41_000) {
            let want = Some(deferred.partition_point(|d| d.1 < v))
                .filter(|&i| deferred.get(i).is_some_and(|d| d.1 == v));
            assert_eq!(common.find(&deferred, v), want, "unit {v}");
        }
    }

    #[test]
    fn packed_dates_rank_as_dates_do() {
        use crate::index::pack_date;
        use tansiq_model::PartialDate;
        let mut dates = Vec::new();
        for y in [1969, 1970, 1971, 1973] {
            dates.push(PartialDate::year(y));
            for m in [1, 2, 12] {
                dates.extend(PartialDate::ym(y, m));
                for d in [1, 2, 29, 31] {
                    dates.extend(PartialDate::ymd(y, m, d));
                }
            }
        }
        let mut seen = [0usize; 4];
        for a in &dates {
            for b in &dates {
                let rank = super::date_rank(a, b);
                assert_eq!(
                    super::packed_date_rank(pack_date(a), pack_date(b)),
                    rank,
                    "{a:?} {b:?}"
                );
                seen[rank as usize] += 1;
            }
        }
        // every rank occurs
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    #[test]
    fn score_pair_scores_one_pair() {
        let a = person("a", "Djamel Chaouki Haddad", &[]);
        let b = person("b", "Jamal Shawqi Haddad", &[]);
        let (s, ex) = crate::score_pair(&a, &b, &MatcherConfig::default());
        assert!(s >= 0.8, "{s}\n{ex}");
        let c = person("c", "Karim Hamdan", &[]);
        assert!(crate::score_pair(&a, &c, &MatcherConfig::default()).0 < 0.5);
    }

    fn organisation(id: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, Schema::Organization);
        e.add(prop::NAME, name);
        e
    }

    fn org_query(name: &str) -> Query {
        let mut q = Query::name(name);
        q.schema = Some(Schema::Organization);
        q
    }

    #[test]
    fn a_listed_organisation_with_a_qualifier_added_is_a_possible_match() {
        let list = vec![
            organisation("O1", "Northwind Qaryat Shipping Lines"),
            organisation("O2", "Bank of Zalmora"),
            organisation("O3", "Fictiva Petrochemical Trading Company"),
            person("P1", "Karimou Fictivo Belhadjar", &[]),
        ];
        let index = Index::build(list, MatcherConfig::default());
        let top = |q: Query| index.screen(&q, 1).into_iter().next().expect("a match");
        // The listed name whole, with a branch or place added: it alerts,
        // in the possible band, and says why.
        for (q, id) in [
            ("Northwind Qaryat Shipping Lines Naval Branch", "O1"),
            ("Bank of Zalmora (Singapore)", "O2"),
        ] {
            let m = top(org_query(q));
            assert_eq!(m.entity_id, id, "{q}");
            assert_eq!(m.band, Band::Possible, "{q}: {m:?}");
            let caps: Vec<NameCapRule> = m.explanation.caps.iter().map(|c| c.rule).collect();
            assert_eq!(caps, [NameCapRule::OrganisationQualifier], "{q}");
            assert!(
                m.explanation
                    .reason()
                    .iter()
                    .any(|c| c.id == "reason-qualifier"),
                "{q}"
            );
        }
        // A legal form added or changed names the same company; the name
        // as listed is not held either; nor is a person's longer name.
        for (q, id) in [
            ("Fictiva Petrochemical Trading Company LLC", "O3"),
            ("Fictiva Petrochemical Trading Co. Limited", "O3"),
            ("Northwind Qaryat Shipping Lines", "O1"),
        ] {
            let m = top(org_query(q));
            assert_eq!((m.entity_id.as_str(), m.band), (id, Band::Strong), "{q}");
        }
        let m = top(Query::name("Karimou Fictivo Belhadjar Tilmisani"));
        assert!(m.explanation.caps.is_empty(), "{m:?}");
        // Switched off, the qualified name is strong again.
        let off = Index::build(
            vec![organisation("O1", "Northwind Qaryat Shipping Lines")],
            MatcherConfig {
                qualifier_cap: 1.0,
                ..MatcherConfig::default()
            },
        );
        let m = off
            .screen(
                &org_query("Northwind Qaryat Shipping Lines Naval Branch"),
                1,
            )
            .remove(0);
        assert!(m.explanation.caps.is_empty(), "{m:?}");
    }

    #[test]
    fn an_organisation_query_keeps_its_bracketed_qualifier() {
        use super::split_query_name;
        let org = Some(Schema::Organization);
        assert_eq!(
            split_query_name("Xyzqw SAL (OFF-SHORE)", org),
            ["Xyzqw SAL OFF-SHORE"]
        );
        assert_eq!(
            split_query_name("Islamic State of Iraq and the Levant (ISIL)", org),
            [
                "Islamic State of Iraq and the Levant ISIL",
                "Islamic State of Iraq and the Levant",
                "ISIL"
            ]
        );
        // persons: as listed names (brackets hold other spellings)
        assert_eq!(
            split_query_name("Karim (Kareem) Haddad", Some(Schema::Person)),
            super::split_listed_name("Karim (Kareem) Haddad")
        );
        // the qualifier is common on the list, as OFF-SHORE is among
        // Lebanese companies
        let mut list = vec![
            organisation("O1", "Tanmiya Trading SAL (OFF-SHORE)"),
            organisation("O2", "Bank of Qaryat (Hong Kong)"),
        ];
        for (i, stem) in [
            "Cedar Holding",
            "Wadi Marine",
            "Jounieh Freight",
            "Saida Commodities",
        ]
        .iter()
        .enumerate()
        {
            list.push(organisation(
                &format!("S{i}"),
                &format!("{stem} SAL (OFF-SHORE)"),
            ));
        }
        let index = Index::build(list, MatcherConfig::default());
        let best = |q: &str| {
            index
                .screen(&org_query(q), 1)
                .first()
                .map_or(0.0, |m| m.score)
        };
        assert!(
            best("Xyzqw SAL (OFF-SHORE)") < 0.8,
            "{}",
            best("Xyzqw SAL (OFF-SHORE)")
        );
        assert!(best("Tanmiya Trading SAL (OFF-SHORE)") >= 0.8);
        assert!(best("Bank of Qaryat (Hong Kong)") >= 0.8);
    }

    #[test]
    fn legal_forms_of_other_languages_are_one_concept() {
        let index = Index::build(
            vec![organisation("O1", "Zarqawi Marine Services LLC")],
            MatcherConfig::default(),
        );
        for q in [
            "Zarqawi Marine Services GmbH",
            "Zarqawi Marine Services S.A.R.L.",
            "Zarqawi Marine Services OOO",
        ] {
            let s = index
                .screen(&org_query(q), 1)
                .first()
                .map_or(0.0, |m| m.score);
            assert!(s >= 0.8, "{q}: {s}");
        }
        // the same forms written out in full: words of no distinctive
        // weight, as their initials are
        let index = Index::build(
            vec![
                organisation("O1", "Zarqawi LLC"),
                organisation("O2", "Hadad Trading Company"),
            ],
            MatcherConfig::default(),
        );
        for q in [
            "Obshchestvo s Ogranichennoi Otvetstvennostyu Zarqawi",
            "Tovarystvo z Obmezhenoyu Vidpovidalnistyu Zarqawi",
        ] {
            let s = index
                .screen(&org_query(q), 1)
                .first()
                .map_or(0.0, |m| m.score);
            assert!(s >= 0.8, "{q}: {s}");
        }
    }

    /// Business words held by many listed names are deferred (they only
    /// extend names that rarer parts reached): no alert and no alerting
    /// score changes with it.
    #[test]
    fn common_business_words_change_no_alert() {
        let words = [
            "Trading",
            "Shipping",
            "International",
            "Petrochemical",
            "Energy",
            "Marine",
        ];
        let forms = ["Company Limited", "LLC", "Corporation", "Co. Ltd", "GmbH"];
        let mut list = Vec::new();
        for i in 0..600 {
            let stem = tansiq_synth::generate(i as u64, 1)
                .next()
                .and_then(|e| e.names().first().map(|n| n.value.to_string()))
                .unwrap_or_default();
            let name = format!(
                "{stem} {} {}",
                words[i % words.len()],
                forms[i % forms.len()]
            );
            list.push(organisation(&format!("O{i}"), &name));
        }
        let queries: Vec<Query> = list
            .iter()
            .step_by(7)
            .filter_map(|e| e.names().first().map(|n| org_query(n.value)))
            .chain(
                [
                    "Shipping Company Limited",
                    "International Trading Corporation LLC",
                ]
                .into_iter()
                .map(org_query),
            )
            .collect();
        let deferred = Index::build(list.clone(), MatcherConfig::default());
        let all = Index::build(
            list,
            MatcherConfig {
                common_occurrence_share: 1.0,
                ..MatcherConfig::default()
            },
        );
        assert!(deferred.common_cap < all.common_cap);
        for q in &queries {
            let alerts = |index: &Index| -> Vec<(String, u64)> {
                index
                    .screen(q, 10)
                    .into_iter()
                    .filter(|m| m.score >= 0.8)
                    .map(|m| (m.entity_id, m.score.to_bits()))
                    .collect()
            };
            assert_eq!(alerts(&deferred), alerts(&all), "{:?}", q.names);
        }
    }
}
