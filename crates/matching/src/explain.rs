//! Explanations: why a listed entity matched a query.

use std::fmt;

use serde::Serialize;

/// How a query token was aligned with a listed token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Same spelling after folding.
    Exact,
    /// Arabic-script token whose transliteration skeleton equals the Latin one.
    Transliteration,
    /// A name unit (Abd al-X, X al-Din, X Allah, Abu X) matched as a whole
    /// across different splits or spellings.
    Compound,
    /// Generic organisation vocabulary matched across languages (جبهة = front).
    Translation,
    /// Same consonant skeleton, different Latin spelling (Mohamed / Muhammad).
    Skeleton,
    /// Close phonetic keys (weighted edit distance of sound classes).
    EditDistance,
    /// Close letters (bounded edit distance and Jaro-Winkler of the
    /// spellings), where the phonetic keys differ (Putin / Pulin).
    Spelling,
    /// One token matched two adjacent tokens of the other side (Benali = Ben Ali).
    Joined,
    /// A single-letter initial matched a token with that first letter.
    Initial,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Transliteration => "transliteration",
            Rule::Compound => "compound",
            Rule::Translation => "translation",
            Rule::Skeleton => "skeleton",
            Rule::EditDistance => "edit-distance",
            Rule::Spelling => "spelling",
            Rule::Joined => "joined",
            Rule::Initial => "initial",
        }
    }
}

/// One aligned token pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TokenAlignment {
    /// Query token(s) as written (normalised).
    pub query: String,
    /// Listed token(s) as written (normalised).
    pub listed: String,
    pub rule: Rule,
    /// Token similarity, 0..=1.
    pub similarity: f64,
    /// Credit after the credit curve, 0..=1.
    pub credit: f64,
    /// Rarity weight of the listed token (inverse document frequency).
    pub weight: f64,
}

/// A rule that holds a name score below the alert band when the name
/// alone says too little about identity (other evidence may still lift
/// the final score: see `MATCHING.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameCapRule {
    /// Every agreeing part of a listed alias is very common on the list
    /// (Mohamed Ali against the alias Ali Mohammed).
    CommonPartsOnly,
    /// A listed alias of one name part against a query name whose other
    /// parts it cannot confirm (George Haddad against the alias George).
    OnePartAlias,
    /// Name parts found in different names of one entity, not enough of
    /// them rare (Ali from one name, al-Baghdadi from another).
    SpreadOverNames,
    /// A listed alias that is a bare kunya (Abu Zubair) which another
    /// listed entity also carries: the kunya alone identifies neither.
    SharedKunya,
    /// A listed organisation's whole name in a query name that adds a
    /// qualifier (IRGC Air Force against the IRGC, Bank of China
    /// (Singapore) against Bank of China): a branch or department of it,
    /// or another body named after it. Held in the possible band, not
    /// out of it: see [`crate::MatcherConfig::qualifier_cap`].
    OrganisationQualifier,
}

impl NameCapRule {
    pub fn as_str(self) -> &'static str {
        match self {
            NameCapRule::CommonPartsOnly => "common-parts-only",
            NameCapRule::OnePartAlias => "one-part-alias",
            NameCapRule::SpreadOverNames => "spread-over-names",
            NameCapRule::SharedKunya => "shared-kunya",
            NameCapRule::OrganisationQualifier => "organisation-qualifier",
        }
    }
}

/// A [`NameCapRule`] that lowered the name score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NameCap {
    pub rule: NameCapRule,
    /// Name score before and after the cap.
    pub before: f64,
    pub after: f64,
    pub detail: String,
}

/// Kinds of non-name evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    BirthDate,
    Nationality,
    Gender,
    Document,
    Schema,
}

impl EvidenceKind {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::BirthDate => "the birth date",
            EvidenceKind::Nationality => "the nationality",
            EvidenceKind::Gender => "the gender",
            EvidenceKind::Document => "the document",
            EvidenceKind::Schema => "the kind of entity",
        }
    }
}

/// What one piece of evidence did to the score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// Score before and after this evidence was applied.
    pub before: f64,
    pub after: f64,
    pub detail: String,
}

/// Why a listed entity matched: the best query-name / listed-name pair,
/// the token alignment, the rarity factor and every evidence adjustment.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Explanation {
    pub query_name: String,
    pub listed_name: String,
    /// `primary`, `alias` or `weak`.
    pub listed_name_kind: String,
    pub alignments: Vec<TokenAlignment>,
    /// Query tokens left without a partner.
    pub unmatched_query: Vec<String>,
    /// Listed tokens left without a partner.
    pub unmatched_listed: Vec<String>,
    /// Weighted share of the query name covered, 0..=1.
    pub query_coverage: f64,
    /// Weighted share of the listed name covered, 0..=1.
    pub listed_coverage: f64,
    /// Factor < 1 when the agreeing tokens are all common ones.
    pub rarity_factor: f64,
    /// The last part (family name, nisba) of a listed name of three or more
    /// parts found no partner, which lowered the score.
    pub family_part_unmatched: bool,
    /// Rules that capped the name score (empty when none fired).
    pub caps: Vec<NameCap>,
    /// Name score before evidence, 0..=1.
    pub name_score: f64,
    /// The name score combines tokens found in several names of the
    /// entity (the alignment shown is that of the best single name).
    pub combined_names: bool,
    pub evidence: Vec<Evidence>,
    /// Final score, 0..=1.
    pub score: f64,
    /// Features of the learned name score and each one's contribution
    /// to its logit (weight × value), largest effect first; empty when
    /// the hand-tuned score is used.
    pub features: Vec<FeatureContribution>,
}

/// One clause of the plain-language reason an officer reads ("the name
/// matches the alias X", "the birth date differs"): the id of a message
/// of the shared messages (`tansiq-i18n`, Fluent) and its arguments, so
/// that the API, the CLI and the console word it in the reader's
/// language. The analyst's detail is the rest of the [`Explanation`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonClause {
    pub id: &'static str,
    /// Argument name and value (names, as listed or given; scores).
    pub args: Vec<(&'static str, String)>,
}

impl ReasonClause {
    fn plain(id: &'static str) -> ReasonClause {
        ReasonClause {
            id,
            args: Vec::new(),
        }
    }
}

impl Explanation {
    /// The officer's reason, clause by clause: which listed name matched
    /// (and of what kind), the query parts it does not hold, what each
    /// piece of evidence did ("agrees" when it raised the score,
    /// "differs" when it lowered it), and whether a name-only cap held
    /// the name back.
    pub fn reason(&self) -> Vec<ReasonClause> {
        let id = match self.listed_name_kind.as_str() {
            "alias" => "reason-alias",
            "weak" => "reason-weak-alias",
            _ => "reason-name",
        };
        let mut out = vec![ReasonClause {
            id,
            args: vec![("listed", self.listed_name.clone())],
        }];
        if !self.unmatched_query.is_empty() && !self.combined_names {
            out.push(ReasonClause {
                id: "reason-unmatched",
                args: vec![("parts", self.unmatched_query.join(" "))],
            });
        }
        for e in &self.evidence {
            let (agrees, differs) = match e.kind {
                EvidenceKind::BirthDate => ("reason-birth-agrees", "reason-birth-differs"),
                EvidenceKind::Nationality => {
                    ("reason-nationality-agrees", "reason-nationality-differs")
                }
                EvidenceKind::Gender => ("reason-gender-agrees", "reason-gender-differs"),
                EvidenceKind::Document => ("reason-document-agrees", "reason-document-differs"),
                EvidenceKind::Schema => ("reason-schema-agrees", "reason-schema-differs"),
            };
            if e.after > e.before + EVIDENCE_MOVED {
                out.push(ReasonClause::plain(agrees));
            } else if e.after + EVIDENCE_MOVED < e.before {
                out.push(ReasonClause::plain(differs));
            }
        }
        for cap in &self.caps {
            out.push(ReasonClause::plain(match cap.rule {
                NameCapRule::OrganisationQualifier => "reason-qualifier",
                _ => "reason-capped",
            }));
        }
        out
    }
}

/// Smallest change of the score for a piece of evidence to be said to
/// have agreed or differed (rounding aside).
const EVIDENCE_MOVED: f64 = 1e-9;

/// One feature of the learned name score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureContribution {
    pub name: &'static str,
    pub value: f64,
    /// Weight × value (logit units).
    pub contribution: f64,
}

/// Smallest effect on the logit of a learned-score feature that the text
/// explanation lists (the JSON lists every feature).
const SHOWN_CONTRIBUTION: f64 = 0.05;
/// Most features the text explanation lists, largest effects first.
const SHOWN_FEATURES: usize = 6;

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "score {:.3}: query {:?} ~ listed {} name {:?} (name score {:.3}, coverage query {:.2} / listed {:.2}, rarity x{:.2})",
            self.score,
            self.query_name,
            self.listed_name_kind,
            self.listed_name,
            self.name_score,
            self.query_coverage,
            self.listed_coverage,
            self.rarity_factor
        )?;
        if self.family_part_unmatched {
            writeln!(
                f,
                "  the listed family name / nisba (last part) is unmatched"
            )?;
        }
        if self.combined_names {
            writeln!(f, "  name parts matched across several names of the entity")?;
        }
        for cap in &self.caps {
            writeln!(
                f,
                "  name score capped by rule {}: {:.3} -> {:.3} ({})",
                cap.rule.as_str(),
                cap.before,
                cap.after,
                cap.detail
            )?;
        }
        for a in &self.alignments {
            writeln!(
                f,
                "  {:>16} = {:<16} {:<15} sim {:.2} credit {:.2} weight {:.2}",
                a.query,
                a.listed,
                a.rule.as_str(),
                a.similarity,
                a.credit,
                a.weight
            )?;
        }
        if !self.unmatched_query.is_empty() {
            writeln!(
                f,
                "  unmatched in query: {}",
                self.unmatched_query.join(", ")
            )?;
        }
        if !self.unmatched_listed.is_empty() {
            writeln!(
                f,
                "  unmatched in listed name: {}",
                self.unmatched_listed.join(", ")
            )?;
        }
        if !self.features.is_empty() {
            let shown: Vec<String> = self
                .features
                .iter()
                .filter(|x| x.contribution.abs() >= SHOWN_CONTRIBUTION)
                .take(SHOWN_FEATURES)
                .map(|x| format!("{} {:.2} ({:+.2})", x.name, x.value, x.contribution))
                .collect();
            writeln!(f, "  learned score, largest effects: {}", shown.join(", "))?;
        }
        for e in &self.evidence {
            writeln!(
                f,
                "  {:?}: {:.3} -> {:.3} ({})",
                e.kind, e.before, e.after, e.detail
            )?;
        }
        Ok(())
    }
}
