//! The wire types of the HTTP API, converted by hand from and to the
//! domain types, so that refactoring the core cannot silently change what
//! an agency's client receives. Every request type denies unknown fields.

use serde::{Deserialize, Serialize};
use tansiq_matching::{Band, Explanation, Match};
use tansiq_model::{
    ActionOnHit, Entity, EntryStatus, FederationShare, LegalBasis, PartialDate, Schema,
    SharingPolicy, Validity, Visibility, prop,
};
use tansiq_store::{Agency, ApiKeyRecord, EntityVersion, User};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::ApiError;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

// ---------------------------------------------------------------- screening

/// One traveller to screen. Give names (any script), or raw MRZ lines, or
/// both; everything else is optional evidence.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// Full names as written, in any script (e.g. `عبد القادر حداد`).
    #[serde(default)]
    pub names: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 or alpha-3 code.
    pub nationality: Option<String>,
    /// `male`, `female` or `other`.
    pub gender: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
    /// The machine readable zone, one string per line (2 or 3 lines).
    pub mrz: Option<Vec<String>>,
    /// `person` (default), `organization` or `any`.
    pub schema: Option<String>,
    pub context: Option<ScreenContext>,
    /// Most matches to return (default and bound set by the node).
    pub limit: Option<usize>,
}

/// A travel or identity document.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    pub number: String,
    /// `passport` (default) or `national-id`.
    pub kind: Option<String>,
    pub issuing_country: Option<String>,
}

/// Where and when the screening happens.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenContext {
    pub border_post: Option<String>,
    /// `entry`, `exit` or `transit`.
    pub direction: Option<String>,
    /// RFC 3339 time of the crossing (default: now).
    pub time: Option<String>,
}

/// The answer to one screening.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    /// Id of this screening (audit log reference).
    pub screening_id: String,
    /// Highest band among the matches and the partners' hits: `none`,
    /// `possible` or `strong` (a partner's hit is at least `possible`).
    pub band: String,
    /// The most urgent action on hit among the matches at or above the
    /// possible band and the partners' hits (`arrest` first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub matches: Vec<MatchDto>,
    /// The lists (and their versions) this answer was computed against.
    pub lists: Vec<ListVersionDto>,
    /// The MRZ as read, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrz: Option<MrzDto>,
    pub screened_at: String,
    /// Partners' hit/no-hit answers that were hits (reference and action
    /// only: the entry stays with its originator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_hits: Vec<crate::federation::RemoteHitDto>,
    /// Hit/no-hit partners that gave no answer for this screening (down,
    /// late, or paused after failing): their entries were not checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_unanswered: Vec<crate::federation::UnansweredDto>,
}

/// One matching listed entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchDto {
    pub entity_id: String,
    pub caption: String,
    pub schema: String,
    pub source: String,
    pub score: f64,
    pub band: String,
    /// What the issuing agency asks the officer to do on a confirmed hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_on_hit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_agency: Option<String>,
    /// Why, in plain words for the officer ("the name matches the alias
    /// …; the birth date agrees"), in the language of the request's
    /// `Accept-Language` (English, French or Arabic; English otherwise).
    pub reason: String,
    /// The same reason as message ids of the product's shared messages
    /// and their arguments, for clients that word it themselves.
    pub reason_clauses: Vec<ReasonClauseDto>,
    /// The analyst's detail: alignments, coverages, caps, evidence.
    pub explanation: ExplanationDto,
    /// The hit this match raised (at or above the possible band).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_id: Option<String>,
    /// This travel document was dismissed against this version of the
    /// entity before: shown, but no new hit is raised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previously_dismissed: Option<PreviouslyDismissedDto>,
    /// Below the alert threshold only because other evidence disagreed
    /// (band `none`): the listed name matches; check the details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_miss: Option<NearMissDto>,
    /// The subject's other listings: the same person, organisation or
    /// vessel on other lists, linked because the lists say so (a UN
    /// reference number, an identity document or IMO number they both
    /// carry), never by name. One subject raises one hit; `action_on_hit`
    /// is then the most urgent of all its listings'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listings: Vec<ListingDto>,
}

/// One clause of a plain-language reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReasonClauseDto {
    /// A message id, e.g. `reason-alias`, `reason-birth-differs`,
    /// `reason-near-miss`.
    pub id: String,
    /// Its arguments (`listed`: a listed name; `parts`: query parts the
    /// listed name lacks; `score`, `threshold`).
    #[schema(value_type = Object)]
    pub args: std::collections::BTreeMap<String, String>,
}

impl ReasonClauseDto {
    pub fn of(c: &tansiq_matching::ReasonClause) -> ReasonClauseDto {
        ReasonClauseDto {
            id: c.id.to_string(),
            args: c
                .args
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
        }
    }
}

/// The message id of a near miss's clause.
pub const NEAR_MISS_CLAUSE: &str = "reason-near-miss";

/// A near miss's reason: its clause, then what differed.
pub fn near_miss_clauses(clauses: &[ReasonClauseDto]) -> Vec<ReasonClauseDto> {
    let near = clauses.iter().filter(|c| c.id == NEAR_MISS_CLAUSE);
    let differs = clauses.iter().filter(|c| c.id.ends_with("-differs"));
    near.chain(differs).cloned().collect()
}

/// The clauses worded in `lang` and joined.
pub fn reason_text(lang: tansiq_i18n::Lang, clauses: &[ReasonClauseDto]) -> String {
    let parts: Vec<String> = clauses
        .iter()
        .map(|c| {
            let args: Vec<(&str, String)> = c
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            lang.clause(&c.id, &args)
        })
        .collect();
    lang.list(&parts)
}

/// Another listing of a matched subject.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListingDto {
    pub entity_id: String,
    pub caption: String,
    pub source: String,
    /// This listing's own score when the query reached it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_on_hit: Option<String>,
    /// Its sanctions regime and measures, as listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    /// Why it is the same subject, e.g. "same UN reference number QDi.232".
    pub linked_by: Vec<LinkDto>,
}

/// One identifier that links two listings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkDto {
    /// `un-reference`, `document` or `imo`.
    pub kind: String,
    pub value: String,
    /// In words, for the officer.
    pub reason: String,
}

impl ListingDto {
    pub fn of(e: &Entity, a: &crate::screening::AlsoListed) -> ListingDto {
        ListingDto {
            entity_id: e.id.clone(),
            caption: e.caption(),
            source: e.provenance.source.clone(),
            score: a.score.map(round),
            action_on_hit: e.action_on_hit.map(|x| x.as_str().to_string()),
            regime: e.legal_basis.as_ref().and_then(|l| l.regime.clone()),
            linked_by: a
                .linked_by
                .iter()
                .map(|k| LinkDto {
                    kind: k.kind().to_string(),
                    value: k.value().to_string(),
                    reason: k.to_string(),
                })
                .collect(),
        }
    }
}

/// A near miss (see `tansiq_matching::NearMiss`): the names alone reach
/// the alert threshold; other evidence took the score below it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearMissDto {
    /// The score of the names alone.
    pub name_score: f64,
    /// What lowered it: `birth-date`, `nationality`, `gender`, `document`, `schema`.
    pub lowered_by: Vec<String>,
    /// In words, for the officer.
    pub reason: String,
}

/// The earlier dismissal that covers a match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviouslyDismissedDto {
    pub hit_id: String,
    pub reason: String,
    pub at: String,
}

/// Why a listed entity matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationDto {
    pub query_name: String,
    pub listed_name: String,
    /// `primary`, `alias` or `weak`.
    pub listed_name_kind: String,
    pub name_score: f64,
    pub query_coverage: f64,
    pub listed_coverage: f64,
    pub rarity_factor: f64,
    pub alignments: Vec<AlignmentDto>,
    pub unmatched_query: Vec<String>,
    pub unmatched_listed: Vec<String>,
    /// Limits put on the name score, and why (e.g. an alias made only of
    /// very common parts cannot alert on the name alone): only other
    /// evidence can then lift the match into the alert band.
    pub caps: Vec<CapDto>,
    pub evidence: Vec<EvidenceDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CapDto {
    /// `common-parts-only`, `one-part-alias`, `shared-kunya`,
    /// `spread-over-names` (held out of the alert band) or
    /// `organisation-qualifier` (held in the possible band).
    pub rule: String,
    /// Name score before and after the cap.
    pub before: f64,
    pub after: f64,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlignmentDto {
    pub query: String,
    pub listed: String,
    pub rule: String,
    pub similarity: f64,
    pub weight: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceDto {
    /// `birth-date`, `nationality`, `gender`, `document` or `schema`.
    pub kind: String,
    pub before: f64,
    pub after: f64,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListVersionDto {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<String>,
    /// Active entities of a public list. Not given for national entries:
    /// their number would tell an agency about entries hidden from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<usize>,
}

/// The MRZ as read: fields and every check digit.
#[derive(Debug, Serialize, ToSchema)]
pub struct MrzDto {
    pub format: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    /// ISO 3166-1 alpha-3 code of the issuing state, as read.
    pub issuing_state: String,
    pub nationality: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    pub checks_pass: bool,
    /// Fields whose check digit failed (e.g. `date of birth`).
    pub failed_checks: Vec<String>,
}

pub fn band_str(b: Band) -> &'static str {
    match b {
        Band::None => "none",
        Band::Possible => "possible",
        Band::Strong => "strong",
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl ExplanationDto {
    pub fn from_domain(e: &Explanation) -> ExplanationDto {
        ExplanationDto {
            query_name: e.query_name.clone(),
            listed_name: e.listed_name.clone(),
            listed_name_kind: e.listed_name_kind.clone(),
            name_score: round(e.name_score),
            query_coverage: round(e.query_coverage),
            listed_coverage: round(e.listed_coverage),
            rarity_factor: round(e.rarity_factor),
            alignments: e
                .alignments
                .iter()
                .map(|a| AlignmentDto {
                    query: a.query.clone(),
                    listed: a.listed.clone(),
                    rule: a.rule.as_str().to_string(),
                    similarity: round(a.similarity),
                    weight: round(a.weight),
                })
                .collect(),
            unmatched_query: e.unmatched_query.clone(),
            unmatched_listed: e.unmatched_listed.clone(),
            caps: e
                .caps
                .iter()
                .map(|c| CapDto {
                    rule: c.rule.as_str().to_string(),
                    before: round(c.before),
                    after: round(c.after),
                    detail: c.detail.clone(),
                })
                .collect(),
            evidence: e
                .evidence
                .iter()
                .map(|v| EvidenceDto {
                    kind: serde_json::to_value(v.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    before: round(v.before),
                    after: round(v.after),
                    detail: v.detail.clone(),
                })
                .collect(),
        }
    }
}

impl MatchDto {
    /// Words the reasons (the match's and its near miss's) in `lang`.
    pub fn word_in(&mut self, lang: tansiq_i18n::Lang) {
        self.reason = reason_text(lang, &self.reason_clauses);
        if let Some(n) = &mut self.near_miss {
            n.reason = reason_text(lang, &near_miss_clauses(&self.reason_clauses));
        }
    }

    pub fn from_domain(m: &Match, e: &Entity, config: &tansiq_matching::MatcherConfig) -> MatchDto {
        let reason_clauses: Vec<ReasonClauseDto> =
            m.reason(config).iter().map(ReasonClauseDto::of).collect();
        let mut dto = MatchDto {
            reason: String::new(),
            reason_clauses,
            entity_id: m.entity_id.clone(),
            caption: e.caption(),
            schema: e.schema.as_str().to_string(),
            source: e.provenance.source.clone(),
            score: round(m.score),
            band: band_str(m.band).to_string(),
            action_on_hit: e.action_on_hit.map(|a| a.as_str().to_string()),
            origin_agency: e.origin_agency.clone(),
            explanation: ExplanationDto::from_domain(&m.explanation),
            hit_id: None,
            previously_dismissed: None,
            near_miss: m.near_miss.as_ref().map(|n| NearMissDto {
                name_score: round(n.name_score),
                lowered_by: n
                    .lowered_by
                    .iter()
                    .map(|k| {
                        serde_json::to_value(k)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect(),
                reason: n.reason.clone(),
            }),
            listings: Vec::new(),
        };
        dto.word_in(tansiq_i18n::Lang::En);
        dto
    }
}

impl ListVersionDto {
    pub fn from_state(l: &crate::state::ListState) -> ListVersionDto {
        ListVersionDto {
            source: l.source.clone(),
            version: l.version.clone(),
            imported_at: l.imported_at.map(rfc3339),
            active: (l.source != tansiq_store::NATIONAL_SOURCE).then_some(l.active),
        }
    }
}

/// The answer to a manifest screening: one result per traveller.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestResponse {
    pub screening_id: String,
    /// `paxlst` or `csv`.
    pub format: String,
    pub travellers: usize,
    /// Highest band over the whole manifest.
    pub band: String,
    pub results: Vec<ManifestResultDto>,
    /// What the parser reported (positions included), e.g. a bad segment.
    pub diagnostics: Vec<String>,
    pub lists: Vec<ListVersionDto>,
}

/// One traveller of a manifest and its matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestResultDto {
    /// Position in the manifest, from 0.
    pub index: usize,
    pub name: String,
    /// `passenger`, `crew`…
    pub role: String,
    /// Highest band among the matches and the partners' hits.
    pub band: String,
    /// The most urgent action on hit, local or remote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub matches: Vec<MatchDto>,
    /// Partners' hit/no-hit answers that were hits for this traveller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_hits: Vec<crate::federation::RemoteHitDto>,
    /// Hit/no-hit partners that gave no answer for this traveller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_unanswered: Vec<crate::federation::UnansweredDto>,
}

// ---------------------------------------------------------------- entries

/// A national entry as a contact point writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// `Person` (default) or `Organization`.
    pub schema: Option<String>,
    /// Primary names, any script; at least one.
    pub names: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub weak_aliases: Vec<String>,
    #[serde(default)]
    pub birth_dates: Vec<String>,
    #[serde(default)]
    pub birth_places: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default)]
    pub nationalities: Vec<String>,
    pub gender: Option<String>,
    #[serde(default)]
    pub passport_numbers: Vec<String>,
    #[serde(default)]
    pub id_numbers: Vec<String>,
    pub notes: Option<String>,
    pub legal_basis: LegalBasisDto,
    /// `arrest`, `refuse-entry`, `discreet-check`, `specific-check` or `inform`.
    pub action_on_hit: String,
    #[serde(default)]
    pub validity: ValidityDto,
    #[serde(default)]
    pub sharing: SharingDto,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisDto {
    pub warrant_number: Option<String>,
    pub court: Option<String>,
    /// ISO date.
    pub issued_on: Option<String>,
    pub offence: Option<String>,
    /// Statute, resolution or regime.
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidityDto {
    /// ISO dates, inclusive.
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub review_on: Option<String>,
}

/// Who may see the entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharingDto {
    /// `national` (every agency of the node), `originator` (only the
    /// creating agency) or `agencies` (the creating agency and `agencies`).
    pub visibility: String,
    #[serde(default)]
    pub agencies: Vec<String>,
    /// `never` or `by-agreement`.
    #[serde(default = "never")]
    pub federation: String,
}

fn never() -> String {
    "never".into()
}

impl Default for SharingDto {
    fn default() -> Self {
        SharingDto {
            visibility: "originator".into(),
            agencies: Vec::new(),
            federation: never(),
        }
    }
}

/// A national entry as read back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryDto {
    pub id: String,
    pub version: i64,
    /// `active` or `withdrawn`.
    pub status: String,
    pub origin_agency: Option<String>,
    pub schema: String,
    pub names: Vec<String>,
    pub aliases: Vec<String>,
    pub weak_aliases: Vec<String>,
    pub birth_dates: Vec<String>,
    pub birth_places: Vec<String>,
    pub nationalities: Vec<String>,
    pub gender: Option<String>,
    pub passport_numbers: Vec<String>,
    pub id_numbers: Vec<String>,
    pub notes: Option<String>,
    pub legal_basis: LegalBasisDto,
    pub action_on_hit: Option<String>,
    pub validity: ValidityDto,
    pub sharing: SharingDto,
}

fn valid_iso_date(field: &str, v: &str) -> Result<(), ApiError> {
    let ok = v.len() == 10
        && v.parse::<PartialDate>()
            .map(|d| d.is_full())
            .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{v:?} is not a date YYYY-MM-DD"),
        ))
    }
}

fn clean_list(field: &str, values: &[String], max: usize) -> Result<Vec<String>, ApiError> {
    if values.len() > max {
        return Err(ApiError::invalid(field, format!("at most {max} values")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let t = v.trim();
        if t.is_empty() {
            return Err(ApiError::invalid(
                format!("{field}[{i}]"),
                "must not be empty",
            ));
        }
        if t.chars().count() > 300 {
            return Err(ApiError::invalid(
                format!("{field}[{i}]"),
                "longer than 300 characters",
            ));
        }
        if t.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                format!("{field}[{i}]"),
                "contains control characters",
            ));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

fn opt_text(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > max => Err(ApiError::invalid(
            field,
            format!("longer than {max} characters"),
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

pub fn parse_gender(field: &str, g: &Option<String>) -> Result<Option<String>, ApiError> {
    match g.as_deref() {
        None => Ok(None),
        Some(g @ ("male" | "female" | "other")) => Ok(Some(g.to_string())),
        Some(other) => Err(ApiError::invalid(
            field,
            format!("{other:?} is not male, female or other"),
        )),
    }
}

/// An ISO 3166-1 alpha-2 code (alpha-3 accepted and converted), lower-case.
pub fn parse_country(field: &str, c: &str) -> Result<String, ApiError> {
    match tansiq_model::country::parse(c) {
        Some(tansiq_model::country::Country {
            iso2: Some(iso2), ..
        }) => Ok(iso2.to_string()),
        Some(tansiq_model::country::Country {
            code,
            note: Some(note),
            ..
        }) => Err(ApiError::invalid(
            field,
            format!("{code:?} ({note}) names no state; leave the field out"),
        )),
        _ => Err(ApiError::invalid(
            field,
            format!(
                "{:?} is not a country: expected an ISO 3166-1 code (TN, TUN), an ICAO code (D) or an English name (Tunisia)",
                c.trim()
            ),
        )),
    }
}

impl EntryInput {
    /// Validates and builds the entity for `id`, created by `agency`.
    pub fn to_entity(&self, id: &str, agency: &str) -> Result<Entity, ApiError> {
        let schema = match self.schema.as_deref().unwrap_or("Person") {
            "Person" => Schema::Person,
            "Organization" => Schema::Organization,
            other => {
                return Err(ApiError::invalid(
                    "schema",
                    format!("{other:?} is not Person or Organization"),
                ));
            }
        };
        let mut e = Entity::new(id, schema);
        let names = clean_list("names", &self.names, 20)?;
        if names.is_empty() {
            return Err(ApiError::invalid("names", "at least one name is needed"));
        }
        for (p, field, values) in [
            (prop::NAME, "names", &names),
            (
                prop::ALIAS,
                "aliases",
                &clean_list("aliases", &self.aliases, 100)?,
            ),
            (
                prop::WEAK_ALIAS,
                "weak_aliases",
                &clean_list("weak_aliases", &self.weak_aliases, 100)?,
            ),
            (
                prop::BIRTH_PLACE,
                "birth_places",
                &clean_list("birth_places", &self.birth_places, 10)?,
            ),
            (
                prop::PASSPORT_NUMBER,
                "passport_numbers",
                &clean_list("passport_numbers", &self.passport_numbers, 20)?,
            ),
            (
                prop::ID_NUMBER,
                "id_numbers",
                &clean_list("id_numbers", &self.id_numbers, 20)?,
            ),
        ] {
            let _ = field;
            for v in values {
                e.add(p, v);
            }
        }
        for (i, d) in clean_list("birth_dates", &self.birth_dates, 10)?
            .iter()
            .enumerate()
        {
            d.parse::<PartialDate>().map_err(|_| {
                ApiError::invalid(
                    format!("birth_dates[{i}]"),
                    format!("{d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
                )
            })?;
            e.add(prop::BIRTH_DATE, d);
        }
        for (i, c) in self.nationalities.iter().enumerate() {
            if i >= 10 {
                return Err(ApiError::invalid("nationalities", "at most 10 values"));
            }
            e.add(
                prop::NATIONALITY,
                parse_country(&format!("nationalities[{i}]"), c)?,
            );
        }
        if let Some(g) = parse_gender("gender", &self.gender)? {
            e.add(prop::GENDER, g);
        }
        if let Some(n) = opt_text("notes", &self.notes, 4000)? {
            e.add(prop::NOTES, n);
        }
        let lb = &self.legal_basis;
        let legal = LegalBasis {
            warrant_number: opt_text("legal_basis.warrant_number", &lb.warrant_number, 200)?,
            court: opt_text("legal_basis.court", &lb.court, 300)?,
            issued_on: opt_text("legal_basis.issued_on", &lb.issued_on, 10)?,
            offence: opt_text("legal_basis.offence", &lb.offence, 1000)?,
            basis: opt_text("legal_basis.basis", &lb.basis, 1000)?,
            ..LegalBasis::default()
        };
        if legal.warrant_number.is_none() && legal.basis.is_none() {
            return Err(ApiError::invalid(
                "legal_basis",
                "a warrant number or a basis is required: tansiq lists persons only with a recorded legal basis",
            ));
        }
        if let Some(d) = &legal.issued_on {
            valid_iso_date("legal_basis.issued_on", d)?;
        }
        e.legal_basis = Some(legal);
        e.action_on_hit = Some(
            self.action_on_hit
                .parse::<ActionOnHit>()
                .map_err(|m| ApiError::invalid("action_on_hit", m))?,
        );
        let v = &self.validity;
        for (field, value) in [
            ("validity.valid_from", &v.valid_from),
            ("validity.valid_until", &v.valid_until),
            ("validity.review_on", &v.review_on),
        ] {
            if let Some(d) = value {
                valid_iso_date(field, d)?;
            }
        }
        if let (Some(f), Some(u)) = (&v.valid_from, &v.valid_until)
            && f > u
        {
            return Err(ApiError::invalid(
                "validity.valid_until",
                "is before validity.valid_from",
            ));
        }
        e.validity = Validity {
            valid_from: v.valid_from.clone(),
            valid_until: v.valid_until.clone(),
            review_on: v.review_on.clone(),
        };
        let s = &self.sharing;
        let visibility = match s.visibility.as_str() {
            "national" => Visibility::National,
            "originator" => Visibility::Originator,
            "agencies" => {
                let agencies = clean_list("sharing.agencies", &s.agencies, 50)?;
                if agencies.is_empty() {
                    return Err(ApiError::invalid(
                        "sharing.agencies",
                        "list the agencies that may see the entry",
                    ));
                }
                Visibility::Agencies { agencies }
            }
            other => {
                return Err(ApiError::invalid(
                    "sharing.visibility",
                    format!("{other:?} is not national, originator or agencies"),
                ));
            }
        };
        if !matches!(visibility, Visibility::Agencies { .. }) && !s.agencies.is_empty() {
            return Err(ApiError::invalid(
                "sharing.agencies",
                "only used with visibility \"agencies\"",
            ));
        }
        let federation = match s.federation.as_str() {
            "never" => FederationShare::Never,
            "by-agreement" => FederationShare::ByAgreement,
            other => {
                return Err(ApiError::invalid(
                    "sharing.federation",
                    format!("{other:?} is not never or by-agreement"),
                ));
            }
        };
        e.sharing = SharingPolicy {
            visibility,
            federation,
        };
        e.origin_agency = Some(agency.to_string());
        e.provenance.source = tansiq_store::NATIONAL_SOURCE.to_string();
        Ok(e)
    }
}

impl EntryDto {
    pub fn from_domain(e: &Entity, version: i64) -> EntryDto {
        let list = |p: &str| e.get(p).to_vec();
        let (visibility, agencies) = match &e.sharing.visibility {
            Visibility::National => ("national", Vec::new()),
            Visibility::Originator => ("originator", Vec::new()),
            Visibility::Agencies { agencies } => ("agencies", agencies.clone()),
        };
        let lb = e.legal_basis.clone().unwrap_or_default();
        EntryDto {
            id: e.id.clone(),
            version,
            status: match e.status {
                EntryStatus::Active => "active",
                EntryStatus::Withdrawn => "withdrawn",
            }
            .to_string(),
            origin_agency: e.origin_agency.clone(),
            schema: e.schema.as_str().to_string(),
            names: list(prop::NAME),
            aliases: list(prop::ALIAS),
            weak_aliases: list(prop::WEAK_ALIAS),
            birth_dates: list(prop::BIRTH_DATE),
            birth_places: list(prop::BIRTH_PLACE),
            nationalities: list(prop::NATIONALITY),
            gender: e.first(prop::GENDER).map(str::to_string),
            passport_numbers: list(prop::PASSPORT_NUMBER),
            id_numbers: list(prop::ID_NUMBER),
            notes: e.first(prop::NOTES).map(str::to_string),
            legal_basis: LegalBasisDto {
                warrant_number: lb.warrant_number,
                court: lb.court,
                issued_on: lb.issued_on,
                offence: lb.offence,
                basis: lb.basis,
            },
            action_on_hit: e.action_on_hit.map(|a| a.as_str().to_string()),
            validity: ValidityDto {
                valid_from: e.validity.valid_from.clone(),
                valid_until: e.validity.valid_until.clone(),
                review_on: e.validity.review_on.clone(),
            },
            sharing: SharingDto {
                visibility: visibility.to_string(),
                agencies,
                federation: match e.sharing.federation {
                    FederationShare::Never => "never",
                    FederationShare::ByAgreement => "by-agreement",
                }
                .to_string(),
            },
        }
    }
}

/// Why an entry is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: String,
}

/// One version in an entry's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItemDto {
    pub version: i64,
    /// `created`, `updated`, `withdrawn`, `added`, `changed`, `removed`.
    pub change: String,
    pub reason: String,
    pub actor: String,
    pub recorded_at: String,
    pub changed: Vec<String>,
    pub entry: EntryDto,
}

impl HistoryItemDto {
    pub fn from_domain(v: &EntityVersion) -> HistoryItemDto {
        HistoryItemDto {
            version: v.version,
            change: v.change.as_str().to_string(),
            reason: v.reason.clone(),
            actor: v.actor.clone(),
            recorded_at: rfc3339(v.recorded_at),
            changed: v.changed.clone(),
            entry: EntryDto::from_domain(&v.entity, v.version),
        }
    }
}

// ---------------------------------------------------------------- entities

/// Any listed entity (public list or national entry), for analysts.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityDto {
    pub id: String,
    pub schema: String,
    pub caption: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_version: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_on_hit: Option<String>,
    /// FollowTheMoney properties: name -> values.
    pub properties: std::collections::BTreeMap<String, Vec<String>>,
}

impl EntityDto {
    pub fn from_domain(e: &Entity) -> EntityDto {
        EntityDto {
            id: e.id.clone(),
            schema: e.schema.as_str().to_string(),
            caption: e.caption(),
            source: e.provenance.source.clone(),
            list_version: e.provenance.list_version.clone(),
            status: match e.status {
                EntryStatus::Active => "active",
                EntryStatus::Withdrawn => "withdrawn",
            }
            .to_string(),
            origin_agency: e.origin_agency.clone(),
            action_on_hit: e.action_on_hit.map(|a| a.as_str().to_string()),
            properties: e.properties.clone(),
        }
    }
}

/// Search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<SearchHitDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitDto {
    pub score: f64,
    pub entity: EntityDto,
}

/// National entries of the caller's agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryListResponse {
    pub entries: Vec<EntryDto>,
}

/// Sources screened by the node.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcesResponse {
    pub sources: Vec<SourceDto>,
}

/// A list screened now (or declared and not loaded yet) and how fresh it
/// is.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceDto {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_at: Option<String>,
    /// Active entities of a public list. Not given for national entries:
    /// their number would tell an agency about entries hidden from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<usize>,
    /// How the list is kept current: `scheduled` (a declared `[[sources]]`
    /// the node updates itself), `manual` (imported by hand, e.g. `tansiq
    /// import`) or `national` (entries written on this node).
    pub kind: String,
    /// A scheduled list's maximum age, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_seconds: Option<u64>,
    /// When the list was last confirmed current (imported, or found
    /// unchanged at its source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<String>,
    /// When an update was last tried, whatever came of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    /// When the node's scheduler updates it next (it may be in the past:
    /// due at the scheduler's next round). Absent when nothing is
    /// scheduled (manual or national lists, `[lists] auto_update = false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_due_at: Option<String>,
    /// When it turns (or turned) stale if not confirmed current by then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_at: Option<String>,
    /// A scheduled list past its schedule or never imported; a manual list
    /// imported longer ago than the node's unscheduled limit; never a
    /// national one.
    pub stale: bool,
    /// The last failed update and why (kept after a later success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<SourceFailureDto>,
    /// What the version in force changed from the one before (public lists
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<ListUpdateDto>,
}

/// A failed update of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceFailureDto {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub error: String,
    /// Whether it is the latest attempt (the list is failing now), rather
    /// than a failure a success has since followed.
    pub current: bool,
}

/// What a list version changed, in counts and a few names of each kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListUpdateDto {
    pub version: String,
    pub imported_at: String,
    pub added: usize,
    pub changed: usize,
    /// Entries the list no longer carries (kept, withdrawn, with history).
    pub withdrawn: usize,
    /// Up to a few names of each kind, in id order.
    pub added_names: Vec<String>,
    pub changed_names: Vec<String>,
    pub withdrawn_names: Vec<String>,
}

// ---------------------------------------------------------------- accounts

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyInput {
    /// Short stable id, e.g. `dz-dgsn`.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDto {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

impl AgencyDto {
    pub fn from_domain(a: &Agency) -> AgencyDto {
        AgencyDto {
            id: a.id.clone(),
            name: a.name.clone(),
            created_at: rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub id: String,
    pub agency: String,
    pub name: String,
    /// Any of `officer`, `analyst`, `contact-point`, `admin`, `auditor`.
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub agency: String,
    pub name: String,
    pub roles: Vec<String>,
    pub active: bool,
    pub created_at: String,
    /// Whether the user signs in to the console with a confirmed second
    /// factor (TOTP). Given in user lists (`GET /v1/users`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<bool>,
}

impl UserDto {
    pub fn from_domain(u: &User) -> UserDto {
        UserDto {
            id: u.id.clone(),
            agency: u.agency_id.clone(),
            name: u.name.clone(),
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            active: u.active,
            created_at: rfc3339(u.created_at),
            second_factor: None,
        }
    }
}

/// What a reset of a user's second factor did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecondFactorResetDto {
    pub user: String,
    /// Whether the user had one (confirmed or pending); a reset of none
    /// changes nothing and is not an error.
    pub had_second_factor: bool,
    /// Console sessions of the user that the reset ended.
    pub sessions_ended: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserActiveInput {
    pub active: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyInput {
    #[serde(default)]
    pub label: String,
    /// Days until the key expires (bounded by `security.key_max_days`).
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyDto {
    pub id: String,
    pub user: String,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl KeyDto {
    pub fn from_domain(k: &ApiKeyRecord) -> KeyDto {
        KeyDto {
            id: k.id.clone(),
            user: k.user_id.clone(),
            label: k.label.clone(),
            created_at: rfc3339(k.created_at),
            expires_at: rfc3339(k.expires_at),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

/// A new key: `token` is shown here once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKeyDto {
    pub token: String,
    pub key: KeyDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub user: UserDto,
    pub key_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyList {
    pub agencies: Vec<AgencyDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    pub keys: Vec<KeyDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryResponse {
    pub versions: Vec<HistoryItemDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthDto {
    pub status: String,
    /// Why the node, though serving, may not do what its operators expect
    /// (e.g. it screens against nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
