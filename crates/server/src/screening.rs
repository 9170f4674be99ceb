//! The one screening service: every way a traveller or an example is
//! screened on this node goes through here, so that the security logic
//! (which entries a caller may see, what is raised, who is asked, what is
//! audited) exists once.
//!
//! The sequence is always *screen → audience filter → hits → partner
//! checks → audit*, and the entry points differ only in what they ask of
//! it, which [`Purpose`] makes explicit:
//!
//! | entry point | purpose | hits | partners asked | audit action |
//! |---|---|---|---|---|
//! | `POST /v1/screen` ([`screen_request`]) | crossing | yes | yes | `screen` |
//! | `POST /v1/screen/manifest` ([`screen_manifest`]) | crossing | yes | yes | `screen.manifest` |
//! | yente `POST /match/{dataset}` | look-up | no | no | `screen.match` |
//! | `/reconcile` | look-up | no | no | `screen.reconcile` |
//! | re-screening (`review/rescreen.rs`) | crossing, again | yes | no (notices only) | `hit.raise` |
//! | `POST /fed/v1/check` (a partner asks) | partner check | no | no | `fed.check` |
//! | yente `/search`, reconciliation `suggest/entity` ([`search`]) | look-up | no | no | `entity.search` |
//! | yente `/entities…`, reconciliation `preview`, `extend` ([`visible`]) | look-up | no | no | `entity.view` / `entity.extend` |
//!
//! A *crossing* is a traveller at the border: its screening is recorded,
//! matches at or above the possible band raise hits for review, hit/no-hit
//! partners are asked, and hits on partners' copies are told to their
//! originators. A *look-up* is an analyst's question through an ecosystem
//! API (yente, OpenRefine): it answers and is audited as a look-up, but
//! raises no border hit and asks no partner — an analyst reconciling a
//! spreadsheet is not a traveller crossing.
//!
//! The one filter is [`rank`]: a match is kept only when its entity is
//! screenable today and its [`Audience`] admits it (an agency sees what
//! its visibility rules give it; a partner's check sees only what is
//! shared with it at the hit/no-hit level). Audit payloads are typed
//! (the `*Audit` structs), serialised into the event's `detail`.
//!
//! **API boundary:** [`screen_request`], [`screen_manifest`] and [`rank`]
//! are what other modules (routes, the ecosystem APIs, the console) call.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use tansiq_federation::Level;
use tansiq_matching::{Band, Match, Query};
use tansiq_model::{ActionOnHit, Entity, PartialDate, Schema, prop};
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::dto::{
    ListVersionDto, ListingDto, ManifestResponse, ManifestResultDto, MatchDto, MrzDto,
    ScreenRequest, ScreenResponse, band_str, parse_country, parse_gender,
};
use crate::federation::{RemoteChecks, RemoteHitDto, UnansweredDto};
use crate::state::Snapshot;
use crate::{ApiError, AppState, AuditEvent};

/// Most travellers in one manifest.
pub const MANIFEST_MAX: usize = 5_000;
/// Matches kept per traveller of a manifest.
pub const MANIFEST_MATCHES: usize = 3;
/// Most names in one screening request.
const MAX_NAMES: usize = 20;
/// Most characters in one name.
const MAX_NAME_CHARS: usize = 300;
/// Most documents in one screening request.
const MAX_DOCUMENTS: usize = 10;
/// Most candidates a partner's check considers beyond the restricted ones.
pub const CHECK_DEPTH: usize = 50;

/// Why a screening is made (see the module table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// A traveller at the border: recorded, raises hits, asks partners.
    Crossing,
    /// An analyst's look-up through an ecosystem API: answered and
    /// audited, nothing raised, nobody asked.
    Lookup,
    /// A partner's hit/no-hit check.
    PartnerCheck,
}

/// Whom an answer is for: what the one filter admits.
#[derive(Clone, Copy, Debug)]
pub enum Audience<'a> {
    /// An agency of this node: the entries its visibility rules give it.
    Agency(&'a str),
    /// A partner's check: only the entries shared with it at the
    /// hit/no-hit level (a fully shared entry is screened on the
    /// partner's own copy).
    Partner(&'a HashMap<String, Level>),
}

impl Audience<'_> {
    fn admits(&self, e: &Entity) -> bool {
        match self {
            Audience::Agency(agency) => crate::auth::visible_to(e, agency),
            Audience::Partner(shared) => shared.get(&e.id) == Some(&Level::HitNoHit),
        }
    }
}

/// How deep [`rank`] asks the index.
#[derive(Clone, Copy, Debug)]
pub enum Depth {
    /// `limit + 1` plus every restricted entity: enough when only the
    /// audience filters (what it drops is at most the restricted ones).
    Covering,
    /// Other filters narrow the answer: find in the cheap ranking how deep
    /// the answer reaches (down to the cutoff), then explain that deep.
    Filtered,
    /// Exactly this many candidates beyond the restricted ones.
    Fixed(usize),
}

/// Another listing of a matched subject: the same person, organisation
/// or vessel on another list, linked because the lists say so
/// (`tansiq_lists::subjects`: a UN reference number, an identity document
/// or IMO number both carry), never by name.
#[derive(Clone, Debug)]
pub struct AlsoListed {
    pub entity_id: String,
    /// Its own score, when the query reached it in the same ranking.
    pub score: Option<f64>,
    /// What links it to the subject's best-scoring listing.
    pub linked_by: Vec<tansiq_lists::subjects::LinkKey>,
}

/// What [`rank`] answers: one match per subject, best first (its
/// best-scoring listing), with the subject's other admissible listings
/// beside it (`also[i]` for `matches[i]`), and whether more were cut off.
#[derive(Debug, Default)]
pub struct Ranked {
    pub matches: Vec<Match>,
    pub also: Vec<Vec<AlsoListed>>,
    pub more: bool,
}

/// The admissible matches of one query, one per subject, best first, at
/// most `limit` subjects, scoring at least `cutoff`, and whether more
/// were cut off. Admissible: the entity is indexed, screenable `today`,
/// admitted by `audience`, and passes `also`. Listings of one subject
/// (`Snapshot::subjects`) give one match, its best-scoring listing, with
/// the others beside it. This is the node's one visibility loop.
#[allow(clippy::too_many_arguments)] // each is one independent knob of the one loop
pub fn rank(
    snap: &Snapshot,
    audience: Audience<'_>,
    query: &Query,
    limit: usize,
    cutoff: f64,
    depth: Depth,
    today: &str,
    also: &dyn Fn(&Entity) -> bool,
) -> Ranked {
    let admissible = |id: &str| {
        snap.index
            .entity(id)
            .is_some_and(|e| audience.admits(e) && e.is_screenable(today) && also(e))
    };
    // the subject a listing belongs to, named by its first listing (a
    // listing of no subject is its own); borrowed, nothing allocated
    let subject_key =
        |id: &'_ str| -> Option<&str> { snap.subjects.subject(id).map(|s| s.listings[0].as_str()) };
    let fetch = match depth {
        Depth::Covering => limit + 1 + snap.restricted,
        Depth::Fixed(n) => n + snap.restricted,
        Depth::Filtered => {
            let mut seen = BTreeSet::new();
            let mut depth = 0;
            for (i, (id, score)) in snap
                .index
                .screen_scores(query, snap.index.len())
                .into_iter()
                .enumerate()
            {
                if score < cutoff {
                    break;
                }
                if admissible(id) {
                    depth = i + 1;
                    seen.insert(subject_key(id).unwrap_or(id));
                    if seen.len() > limit {
                        break;
                    }
                }
            }
            depth
        }
    };
    // Listings merged into a subject do not count towards `limit`: when
    // some were and the ranking was used up before the answer was full,
    // ask again deeper by as many (rare: only linked listings do it).
    let mut fetch = fetch;
    let mut out = loop {
        let mut out = Ranked::default();
        // subject key -> its place in `out` (subjects of several listings)
        let mut placed: HashMap<&str, usize> = HashMap::new();
        let (mut merged, mut reached, mut stopped) = (0, 0, false);
        for m in snap.index.screen(query, fetch) {
            reached += 1;
            if m.score < cutoff {
                stopped = true;
                break;
            }
            if !admissible(&m.entity_id) {
                continue;
            }
            let key = subject_key(&m.entity_id);
            if let Some(&at) = key.and_then(|k| placed.get(k)) {
                // a lower-scoring listing of a subject already answered
                merged += 1;
                out.also[at].push(AlsoListed {
                    entity_id: m.entity_id.clone(),
                    score: Some(m.score),
                    linked_by: Vec::new(),
                });
                continue;
            }
            if out.matches.len() == limit {
                out.more = true;
                break;
            }
            if let Some(k) = key {
                placed.insert(k, out.matches.len());
            }
            out.matches.push(m);
            out.also.push(Vec::new());
        }
        let used_up = reached == fetch && !stopped && !out.more;
        if merged == 0 || !used_up || fetch >= snap.index.len() {
            break out;
        }
        fetch += merged;
    };
    // every other admissible listing of each answered subject, with what
    // links it
    for (m, also) in out.matches.iter().zip(out.also.iter_mut()) {
        let Some(subject) = snap.subjects.subject(&m.entity_id) else {
            continue;
        };
        for id in &subject.listings {
            if *id == m.entity_id || also.iter().any(|a| a.entity_id == *id) || !admissible(id) {
                continue;
            }
            also.push(AlsoListed {
                entity_id: id.clone(),
                score: None,
                linked_by: Vec::new(),
            });
        }
        for a in also.iter_mut() {
            a.linked_by = subject
                .links_of(&a.entity_id)
                .map(|l| l.key.clone())
                .collect();
        }
    }
    out
}

/// The one visibility loop of a name search (yente `/search`, the
/// reconciliation `suggest/entity` service): every indexed entity whose
/// names resemble `name`, best first, with its calibrated score, that
/// `audience` admits and `also` passes. Unlike [`rank`] it keeps entities
/// not screenable today (a search shows what the index holds) and
/// explains nothing: it answers "which entities", not "is this a hit".
pub fn search<'s>(
    snap: &'s Snapshot,
    audience: Audience<'_>,
    name: &str,
    also: &dyn Fn(&Entity) -> bool,
) -> Vec<(&'s Entity, f64)> {
    snap.index
        .screen_scores(&Query::name(name), snap.index.len())
        .into_iter()
        .filter_map(|(id, score)| snap.index.entity(id).map(|e| (e, score)))
        .filter(|(e, _)| audience.admits(e) && also(e))
        .collect()
}

/// An indexed entity by id, when `audience` may see it: the one look-up
/// by id of the ecosystem APIs that read the live index (reconciliation
/// `preview` and `extend`). A hidden entity is `None`, like a missing one.
pub fn visible<'s>(snap: &'s Snapshot, audience: Audience<'_>, id: &str) -> Option<&'s Entity> {
    snap.index.entity(id).filter(|e| audience.admits(e))
}

/// Whether `audience` may see `e` (an entity read from the store rather
/// than the index, e.g. yente's `/entities/{id}`).
pub fn admits(audience: Audience<'_>, e: &Entity) -> bool {
    audience.admits(e)
}

/// No filter beyond the audience.
pub fn everything(_: &Entity) -> bool {
    true
}

/// The higher of two bands.
pub fn max_band(a: Band, b: Band) -> Band {
    match (a, b) {
        (Band::Strong, _) | (_, Band::Strong) => Band::Strong,
        (Band::Possible, _) | (_, Band::Possible) => Band::Possible,
        _ => Band::None,
    }
}

/// How urgent an action on hit is: lower is more urgent. Arrest first,
/// then refusal of entry, then the checks (a specific check searches, a
/// discreet one only reports), then information.
fn urgency(a: ActionOnHit) -> u8 {
    match a {
        ActionOnHit::Arrest => 0,
        ActionOnHit::RefuseEntry => 1,
        ActionOnHit::SpecificCheck => 2,
        ActionOnHit::DiscreetCheck => 3,
        ActionOnHit::Inform => 4,
    }
}

/// The most urgent of some actions.
fn most_urgent(actions: impl IntoIterator<Item = ActionOnHit>) -> Option<ActionOnHit> {
    actions.into_iter().min_by_key(|a| urgency(*a))
}

/// The band a partner's hit gives this screening. A partner answers a
/// check with a hit only at or above *its* possible band, so a remote hit
/// is at least `possible` here; it is `strong` when its score reaches this
/// node's strong threshold.
pub fn remote_band(hit: &RemoteHitDto, strong: f64) -> Band {
    if hit.score >= strong {
        Band::Strong
    } else {
        Band::Possible
    }
}

fn is_hit_band(band: &str) -> bool {
    matches!(band, "possible" | "strong")
}

/// The band and action of a crossing's answer: the highest band and most
/// urgent action among the local matches at or above the possible band
/// and the partners' hits.
pub fn verdict(
    local: Band,
    matches: &[MatchDto],
    remote: &[RemoteHitDto],
    strong: f64,
) -> (Band, Option<ActionOnHit>) {
    let band = remote
        .iter()
        .fold(local, |b, h| max_band(b, remote_band(h, strong)));
    let local_actions = matches
        .iter()
        .filter(|m| is_hit_band(&m.band))
        .filter_map(|m| m.action_on_hit.as_deref());
    let remote_actions = remote.iter().filter_map(|h| h.action.as_deref());
    let action = most_urgent(
        local_actions
            .chain(remote_actions)
            .filter_map(|a| a.parse::<ActionOnHit>().ok()),
    );
    (band, action)
}

pub(crate) fn today() -> String {
    let d = OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn today_partial() -> PartialDate {
    let d = OffsetDateTime::now_utc().date();
    PartialDate::ymd(d.year() as u16, u8::from(d.month()), d.day())
        .unwrap_or_else(|| PartialDate::year(d.year() as u16))
}

fn count(state: &AppState, band: Band) {
    state
        .metrics
        .screenings
        .get_or_create(&crate::metrics::BandLabels {
            band: band_str(band).to_string(),
        })
        .inc();
}

// ------------------------------------------------------------ audit payloads

/// The traveller data of an audit event (what retention purges).
#[derive(Debug, Serialize)]
pub struct TravellerAudit<'a> {
    pub names: &'a [String],
    pub birth_dates: &'a [String],
    pub nationalities: &'a [String],
    pub documents: &'a [String],
}

impl<'a> TravellerAudit<'a> {
    pub fn of(q: &'a Query) -> TravellerAudit<'a> {
        TravellerAudit {
            names: &q.names,
            birth_dates: &q.birth_dates,
            nationalities: &q.nationalities,
            documents: &q.documents,
        }
    }
}

/// One match in an audit event.
#[derive(Debug, Serialize)]
pub struct MatchAudit<'a> {
    pub id: &'a str,
    pub score: f64,
    /// Look-ups only: whether the score reached the caller's threshold.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub is_match: Option<bool>,
}

/// The traveller of a `screen` event: the names, for an auditor reading
/// the log; the rest of the traveller is in the screening record.
#[derive(Debug, Serialize)]
pub struct ScreenedNames<'a> {
    pub names: &'a [String],
}

/// `screen`: one crossing. The screening record (the traveller, every
/// match's id, score and band, the border post) is stored once, in
/// `screenings`; the event names it (the event's subject is the
/// screening id) and carries its content hash, so the hash chain covers
/// the record without a second copy of it (issue 19). Empty and absent
/// fields are left out.
#[derive(Debug, Serialize)]
pub struct ScreenAudit<'a> {
    pub purpose: Purpose,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub hits: &'a [String],
    /// The answer's band (remote hits included).
    pub band: &'static str,
    /// The band of the local matches alone.
    pub local_band: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    /// [`tansiq_store::ScreeningRecord::content_hash`] of the record.
    pub record: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<&'a str>,
    pub traveller: ScreenedNames<'a>,
    pub index_generation: u64,
    #[serde(skip_serializing_if = "<[RemoteHitDto]>::is_empty")]
    pub remote_hits: &'a [RemoteHitDto],
    #[serde(skip_serializing_if = "<[UnansweredDto]>::is_empty")]
    pub remote_unanswered: &'a [UnansweredDto],
}

/// A manifest traveller with remote hits, in a `screen.manifest` event.
#[derive(Debug, Serialize)]
pub struct ManifestRemoteAudit<'a> {
    pub index: usize,
    pub remote_hits: &'a [RemoteHitDto],
}

/// A manifest traveller with a band, in a `screen.manifest` event.
#[derive(Debug, Serialize)]
pub struct ManifestHitAudit<'a> {
    pub index: usize,
    pub name: &'a str,
    pub band: &'a str,
    pub matches: Vec<&'a str>,
}

/// `screen.manifest`: a flight's crossings.
#[derive(Debug, Serialize)]
pub struct ManifestAudit<'a> {
    pub purpose: Purpose,
    pub format: &'static str,
    pub hit_ids: &'a [String],
    pub travellers: usize,
    /// [`tansiq_store::records_digest`] of the travellers' screening
    /// records (`<manifest id>.<index>`), in traveller order.
    pub records: String,
    pub band: &'static str,
    pub remote_hits: Vec<ManifestRemoteAudit<'a>>,
    pub remote_unanswered: BTreeSet<&'a str>,
    pub hits: Vec<ManifestHitAudit<'a>>,
}

/// A refused request of a screening entry point.
#[derive(Debug, Serialize)]
pub struct InvalidAudit<'a> {
    pub purpose: Purpose,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<&'a str>,
    pub field: Option<&'a str>,
}

/// One example of a look-up.
#[derive(Debug, Serialize)]
pub struct LookupQueryAudit<'a> {
    pub key: &'a str,
    pub band: &'static str,
    pub matches: Vec<MatchAudit<'a>>,
    pub traveller: TravellerAudit<'a>,
}

/// `screen.match` and `screen.reconcile`: an analyst's look-up.
#[derive(Debug, Serialize)]
pub struct LookupAudit<'a> {
    pub purpose: Purpose,
    /// `yente` or `reconcile`.
    pub api: &'static str,
    pub dataset: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<&'a str>,
    pub threshold: f64,
    pub queries: Vec<LookupQueryAudit<'a>>,
    pub index_generation: u64,
}

/// `fed.check`: a partner's hit/no-hit check, answered.
#[derive(Debug, Serialize)]
pub struct CheckAudit<'a> {
    pub purpose: Purpose,
    pub answer: &'a tansiq_federation::CheckAnswer,
    /// The traveller as used: only the fields this node's agreement with
    /// the partner allows.
    pub traveller: &'a tansiq_federation::Traveller,
}

/// `hit.raise` by re-screening.
#[derive(Debug, Serialize)]
pub struct HitRaisedAudit<'a> {
    pub origin: &'static str,
    pub screening_id: &'a str,
    pub entity_id: &'a str,
    pub entity_version: i64,
    pub band: &'a str,
    pub border_post: Option<&'a str>,
}

/// A typed payload as an event's `detail`.
pub fn detail<T: Serialize>(payload: &T) -> serde_json::Value {
    // The payloads are plain structs of strings and numbers: they always
    // serialise.
    serde_json::to_value(payload).unwrap_or_default()
}

/// Audits a refused screening request.
pub(crate) fn record_invalid(
    state: &AppState,
    p: &Principal,
    action: &'static str,
    purpose: Purpose,
    dataset: Option<&str>,
    field: Option<&str>,
) {
    state.audit.record(p.event(
        action,
        None,
        "invalid",
        detail(&InvalidAudit {
            purpose,
            dataset,
            field,
        }),
    ));
}

/// Audits a look-up (and counts its screenings by band).
pub(crate) fn record_lookup(
    state: &AppState,
    p: &Principal,
    action: &'static str,
    id: &str,
    audit: &LookupAudit<'_>,
) {
    for q in &audit.queries {
        count(
            state,
            match q.band {
                "strong" => Band::Strong,
                "possible" => Band::Possible,
                _ => Band::None,
            },
        );
    }
    state
        .audit
        .record(p.event(action, Some(id.to_string()), "ok", detail(audit)));
}

// ---------------------------------------------------------------- crossings

/// One traveller at the border, ready to screen.
#[derive(Clone, Debug)]
pub struct Crossing {
    /// The screening id (`<manifest id>.<index>` in a manifest).
    pub id: String,
    /// The crossing time.
    pub at: OffsetDateTime,
    pub border_post: Option<String>,
    pub direction: Option<String>,
    pub document_key: Option<String>,
    pub query: Query,
}

/// What a crossing's screening gave.
#[derive(Debug)]
pub struct CrossingOutcome {
    /// The band of the local matches alone.
    pub local_band: Band,
    /// The answer's band: local matches and partners' hits.
    pub band: Band,
    /// The most urgent action among hits, local and remote.
    pub action: Option<ActionOnHit>,
    pub matches: Vec<MatchDto>,
    pub remote_hits: Vec<RemoteHitDto>,
    pub remote_unanswered: Vec<UnansweredDto>,
    /// The content hash of the crossing's screening record
    /// ([`tansiq_store::ScreeningRecord::content_hash`]).
    pub record: String,
}

/// The visible, screenable matches of one crossing, at most `limit`, and
/// their highest band. Re-screening uses it too, so that a re-screened
/// score is a crossing's.
pub(crate) fn crossing_matches(
    snap: &Snapshot,
    agency: &str,
    query: &Query,
    limit: usize,
    today: &str,
) -> (Band, Vec<MatchDto>) {
    let ranked = rank(
        snap,
        Audience::Agency(agency),
        query,
        limit,
        0.0,
        Depth::Covering,
        today,
        &everything,
    );
    let mut band = Band::None;
    let out = ranked
        .matches
        .iter()
        .zip(&ranked.also)
        .filter_map(|(m, also)| {
            let e = snap.index.entity(&m.entity_id)?;
            band = max_band(band, m.band);
            Some(subject_match(snap, m, e, also))
        })
        .collect();
    (band, out)
}

/// A subject's match as answered: its best-scoring listing, with its other
/// listings beside it; the action on hit is the most urgent of all its
/// listings (the same person listed for arrest and for information is to
/// be arrested).
pub fn subject_match(snap: &Snapshot, m: &Match, e: &Entity, also: &[AlsoListed]) -> MatchDto {
    let mut dto = MatchDto::from_domain(m, e, snap.index.config());
    let mut actions: Vec<ActionOnHit> = e.action_on_hit.into_iter().collect();
    for a in also {
        let Some(other) = snap.index.entity(&a.entity_id) else {
            continue;
        };
        actions.extend(other.action_on_hit);
        dto.listings.push(ListingDto::of(other, a));
    }
    if !dto.listings.is_empty() {
        dto.action_on_hit = most_urgent(actions).map(|a| a.as_str().to_string());
    }
    dto
}

/// Screens crossings for `p`'s agency: matches through the one filter,
/// then, at once, the screening records and hits (review) and the
/// hit/no-hit partners; then hits on partners' copies are told to their
/// originators. Returns each crossing's outcome, in order, and the ids of
/// the hits raised. Auditing is the caller's ([`screen_request`],
/// [`screen_manifest`]): one event per request.
pub(crate) async fn cross(
    state: &AppState,
    p: &Principal,
    snap: &Arc<Snapshot>,
    crossings: &[Crossing],
    limit: usize,
) -> Result<(Vec<CrossingOutcome>, Vec<String>), ApiError> {
    let agency = p.agency().to_string();
    let today = today();
    let scored: Vec<(Band, Vec<MatchDto>)> = if crossings.len() == 1 {
        vec![crossing_matches(
            snap,
            &agency,
            &crossings[0].query,
            limit,
            &today,
        )]
    } else {
        // Scoring a whole flight is CPU work: keep it off the async workers.
        let (snap_c, queries): (Arc<Snapshot>, Vec<Query>) = (
            snap.clone(),
            crossings.iter().map(|c| c.query.clone()).collect(),
        );
        tokio::task::spawn_blocking(move || {
            queries
                .iter()
                .map(|q| crossing_matches(&snap_c, &agency, q, limit, &today))
                .collect()
        })
        .await
        .map_err(|_| ApiError::internal())?
    };
    let mut outcomes: Vec<CrossingOutcome> = scored
        .into_iter()
        .map(|(band, matches)| CrossingOutcome {
            local_band: band,
            band,
            action: None,
            matches,
            remote_hits: Vec::new(),
            remote_unanswered: Vec::new(),
            record: String::new(),
        })
        .collect();
    let screened: Vec<crate::review::Screened<'_>> = outcomes
        .iter_mut()
        .zip(crossings)
        .map(|(o, c)| crate::review::Screened {
            id: c.id.clone(),
            at: c.at,
            border_post: c.border_post.clone(),
            direction: c.direction.clone(),
            document_key: c.document_key.clone(),
            query: &c.query,
            band: band_str(o.local_band),
            matches: &mut o.matches,
        })
        .collect();
    // Partners are asked (bounded by `[federation] check_timeout_ms`)
    // while the local hits are written.
    let ids: Vec<String> = crossings.iter().map(|c| c.id.clone()).collect();
    let queries: Vec<Query> = crossings.iter().map(|c| c.query.clone()).collect();
    let (remote, (hits, records)) = tokio::join!(
        crate::federation::ask_partners_for(state, &ids, &queries),
        crate::review::after_screening(state, p, snap, screened)
    );
    for (o, record) in outcomes.iter_mut().zip(records) {
        o.record = record;
    }
    let strong = state.config.screening.strong;
    for ((o, c), checks) in outcomes.iter_mut().zip(crossings).zip(remote) {
        // The hits on foreign copies are told to their originators under
        // the local hit ids.
        crate::federation::notify_foreign_hits(state, &c.id, &c.query, &o.matches).await;
        let RemoteChecks { hits, unanswered } = checks;
        let (band, action) = verdict(o.local_band, &o.matches, &hits, strong);
        o.band = band;
        o.action = action;
        o.remote_hits = hits;
        o.remote_unanswered = unanswered;
        count(state, band);
    }
    Ok((outcomes, hits))
}

pub(crate) fn clean_names(names: &[String]) -> Result<Vec<String>, ApiError> {
    if names.len() > MAX_NAMES {
        return Err(ApiError::invalid(
            "names",
            format!("at most {MAX_NAMES} names"),
        ));
    }
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let t = n.trim();
        if t.is_empty() {
            return Err(ApiError::invalid(
                format!("names[{i}]"),
                "must not be empty",
            ));
        }
        if t.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::invalid(
                format!("names[{i}]"),
                format!("longer than {MAX_NAME_CHARS} characters"),
            ));
        }
        if t.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                format!("names[{i}]"),
                "contains control characters",
            ));
        }
        out.push(t.to_string());
    }
    Ok(out)
}

/// Validates a screening request into the query entity, the MRZ read and
/// the number of matches asked for.
pub(crate) fn screening_query(
    req: &ScreenRequest,
    state: &AppState,
) -> Result<(Query, Option<MrzDto>, usize), ApiError> {
    let schema = match req.schema.as_deref().unwrap_or("person") {
        "person" => Some(Schema::Person),
        "organization" => Some(Schema::Organization),
        "any" => None,
        other => {
            return Err(ApiError::invalid(
                "schema",
                format!("{other:?} is not person, organization or any"),
            ));
        }
    };
    let mut e = Entity::new("query", schema.unwrap_or(Schema::LegalEntity));
    for n in clean_names(&req.names)? {
        e.add(prop::NAME, n);
    }
    if let Some(d) = &req.birth_date {
        d.trim().parse::<PartialDate>().map_err(|_| {
            ApiError::invalid(
                "birth_date",
                format!("{d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
            )
        })?;
        e.add(prop::BIRTH_DATE, d.trim());
    }
    if let Some(c) = &req.nationality {
        e.add(prop::NATIONALITY, parse_country("nationality", c)?);
    }
    if let Some(g) = parse_gender("gender", &req.gender)? {
        e.add(prop::GENDER, g);
    }
    if req.documents.len() > MAX_DOCUMENTS {
        return Err(ApiError::invalid(
            "documents",
            format!("at most {MAX_DOCUMENTS} documents"),
        ));
    }
    for (i, d) in req.documents.iter().enumerate() {
        let number = tansiq_model::normalize_document_number(&d.number);
        if number.is_empty() || number.len() > 40 {
            return Err(ApiError::invalid(
                format!("documents[{i}].number"),
                "must hold 1 to 40 letters or digits",
            ));
        }
        let p = match d.kind.as_deref().unwrap_or("passport") {
            "passport" => prop::PASSPORT_NUMBER,
            "national-id" => prop::ID_NUMBER,
            other => {
                return Err(ApiError::invalid(
                    format!("documents[{i}].kind"),
                    format!("{other:?} is not passport or national-id"),
                ));
            }
        };
        if let Some(c) = &d.issuing_country {
            parse_country(&format!("documents[{i}].issuing_country"), c)?;
        }
        e.add(p, number);
    }
    if let Some(ctx) = &req.context {
        if let Some(dir) = &ctx.direction
            && !matches!(dir.as_str(), "entry" | "exit" | "transit")
        {
            return Err(ApiError::invalid(
                "context.direction",
                format!("{dir:?} is not entry, exit or transit"),
            ));
        }
        if let Some(t) = &ctx.time {
            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).map_err(
                |_| ApiError::invalid("context.time", format!("{t:?} is not an RFC 3339 time")),
            )?;
        }
        if ctx.border_post.as_ref().is_some_and(|b| b.len() > 100) {
            return Err(ApiError::invalid(
                "context.border_post",
                "longer than 100 characters",
            ));
        }
    }
    let mut mrz_dto = None;
    if let Some(lines) = &req.mrz {
        if lines.is_empty() || lines.len() > 3 || lines.iter().any(|l| l.len() > 60) {
            return Err(ApiError::invalid(
                "mrz",
                "give the 2 or 3 lines of the machine readable zone",
            ));
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mrz = tansiq_travel::parse_mrz(&refs, today_partial())
            .map_err(|err| ApiError::invalid("mrz", err.to_string()))?;
        let traveller = mrz.traveller();
        let from_mrz = traveller.to_entity("mrz");
        for (k, values) in &from_mrz.properties {
            for v in values {
                e.add(k, v);
            }
        }
        mrz_dto = Some(MrzDto {
            format: mrz.format.as_str().to_string(),
            surname: mrz.surname.clone(),
            given_names: mrz.given_names.clone(),
            document_number: mrz.document_number.clone(),
            issuing_state: mrz.issuing_state.code.clone(),
            nationality: mrz.nationality.code.clone(),
            birth_date: mrz.birth_date.date.map(|d| d.to_string()),
            checks_pass: mrz.all_checks_pass(),
            failed_checks: mrz
                .failed_checks()
                .map(|c| c.field.as_str().to_string())
                .collect(),
        });
    }
    if e.names().is_empty() && e.composed_name().is_none() {
        return Err(ApiError::invalid(
            "names",
            "give at least one name or the MRZ lines",
        ));
    }
    let max = state.config.screening.max_limit;
    let limit = req.limit.unwrap_or(state.config.screening.default_limit);
    if limit == 0 || limit > max {
        return Err(ApiError::invalid("limit", format!("must be in 1..={max}")));
    }
    let mut query = Query::from_entity(&e);
    query.schema = schema;
    Ok((query, mrz_dto, limit))
}

/// Waits until the screening's record and audit event (queued on the
/// journal before this call) are committed: an officer's answer is never
/// ahead of its trace, so a crash cannot lose the record of an answered
/// screening. It costs the answer one group commit, shared with every
/// screening queued meanwhile.
async fn durable(state: &AppState) {
    if let Some(done) = state.audit.flush() {
        let _ = done.await;
    }
}

fn rfc3339_now() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Screens one traveller at the border for `p` (roles are the caller's
/// to check): validates the request, screens it as a [`Crossing`], audits
/// it (`screen`, one event), and answers.
pub async fn screen_request(
    state: &AppState,
    p: &Principal,
    req: &ScreenRequest,
) -> Result<ScreenResponse, ApiError> {
    let (query, mrz, limit) = match screening_query(req, state) {
        Ok(q) => q,
        Err(e) => {
            record_invalid(
                state,
                p,
                "screen",
                Purpose::Crossing,
                None,
                e.field.as_deref(),
            );
            return Err(e);
        }
    };
    let snap = state.index.load();
    let screening_id = uuid::Uuid::now_v7().to_string();
    let ctx = req.context.as_ref();
    let crossing_time = ctx
        .and_then(|c| c.time.as_deref())
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(OffsetDateTime::now_utc);
    let document_key = match (&mrz, req.documents.first()) {
        (Some(m), _) => crate::review::document_key(Some(&m.issuing_state), &m.document_number),
        (None, Some(d)) => crate::review::document_key(d.issuing_country.as_deref(), &d.number),
        (None, None) => None,
    };
    let crossing = Crossing {
        id: screening_id.clone(),
        at: crossing_time,
        border_post: ctx.and_then(|c| c.border_post.clone()),
        direction: ctx.and_then(|c| c.direction.clone()),
        document_key,
        query,
    };
    let crossings = [crossing];
    let (mut outcomes, hits) = cross(state, p, &snap, &crossings, limit).await?;
    let [crossing] = crossings;
    let o = outcomes.pop().ok_or_else(ApiError::internal)?;
    state.audit.record(p.event(
        "screen",
        Some(screening_id.clone()),
        "ok",
        detail(&ScreenAudit {
            purpose: Purpose::Crossing,
            hits: &hits,
            band: band_str(o.band),
            local_band: band_str(o.local_band),
            action: o.action.map(ActionOnHit::as_str),
            record: &o.record,
            direction: crossing.direction.as_deref(),
            time: ctx.and_then(|c| c.time.as_deref()),
            traveller: ScreenedNames {
                names: &crossing.query.names,
            },
            index_generation: snap.generation,
            remote_hits: &o.remote_hits,
            remote_unanswered: &o.remote_unanswered,
        }),
    ));
    durable(state).await;
    Ok(ScreenResponse {
        remote_hits: o.remote_hits,
        remote_unanswered: o.remote_unanswered,
        screening_id,
        band: band_str(o.band).to_string(),
        action: o.action.map(|a| a.as_str().to_string()),
        matches: o.matches,
        lists: snap.lists.iter().map(ListVersionDto::from_state).collect(),
        mrz,
        screened_at: rfc3339_now(),
    })
}

/// Screens every traveller of a manifest (PAXLST or CSV, detected) as
/// crossings for `p`, audits the flight (`screen.manifest`, one event),
/// and answers.
pub async fn screen_manifest(
    state: &AppState,
    p: &Principal,
    body: &[u8],
) -> Result<ManifestResponse, ApiError> {
    let format = tansiq_travel::ManifestFormat::detect(body);
    let manifest = match tansiq_travel::parse_manifest(body, format) {
        Ok(m) if m.travellers.len() > MANIFEST_MAX => Err(ApiError::invalid(
            "body",
            format!("at most {MANIFEST_MAX} travellers per manifest"),
        )),
        Ok(m) => Ok(m),
        Err(e) => Err(ApiError::invalid("body", e.to_string())),
    };
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) => {
            record_invalid(
                state,
                p,
                "screen.manifest",
                Purpose::Crossing,
                None,
                e.field.as_deref(),
            );
            return Err(e);
        }
    };
    let snap = state.index.load();
    let screening_id = uuid::Uuid::now_v7().to_string();
    let now = OffsetDateTime::now_utc();
    let crossings: Vec<Crossing> = manifest
        .travellers
        .iter()
        .enumerate()
        .map(|(index, t)| Crossing {
            id: format!("{screening_id}.{index}"),
            at: now,
            border_post: None,
            direction: None,
            document_key: t.traveller.documents.first().and_then(|d| {
                crate::review::document_key(
                    d.issuing_state.as_ref().map(|c| c.code.as_str()),
                    &d.number,
                )
            }),
            query: Query::from_entity(&t.traveller.to_entity(format!("m{index}"))),
        })
        .collect();
    let (outcomes, hit_ids) = cross(state, p, &snap, &crossings, MANIFEST_MATCHES).await?;
    let records = tansiq_store::records_digest(outcomes.iter().map(|o| o.record.as_str()));
    let results: Vec<ManifestResultDto> = outcomes
        .into_iter()
        .zip(&manifest.travellers)
        .enumerate()
        .map(|(index, (o, t))| ManifestResultDto {
            index,
            name: t.traveller.full_name(),
            role: serde_json::to_value(t.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            band: band_str(o.band).to_string(),
            action: o.action.map(|a| a.as_str().to_string()),
            matches: o.matches,
            remote_hits: o.remote_hits,
            remote_unanswered: o.remote_unanswered,
        })
        .collect();
    let band = results.iter().fold(Band::None, |b, r| {
        max_band(
            b,
            match r.band.as_str() {
                "strong" => Band::Strong,
                "possible" => Band::Possible,
                _ => Band::None,
            },
        )
    });
    let format = match format {
        tansiq_travel::ManifestFormat::Paxlst => "paxlst",
        tansiq_travel::ManifestFormat::Csv => "csv",
    };
    state.audit.record(
        p.event(
            "screen.manifest",
            Some(screening_id.clone()),
            "ok",
            detail(&ManifestAudit {
                purpose: Purpose::Crossing,
                format,
                hit_ids: &hit_ids,
                travellers: results.len(),
                records,
                band: band_str(band),
                remote_hits: results
                    .iter()
                    .filter(|r| !r.remote_hits.is_empty())
                    .map(|r| ManifestRemoteAudit {
                        index: r.index,
                        remote_hits: &r.remote_hits,
                    })
                    .collect(),
                remote_unanswered: results
                    .iter()
                    .flat_map(|r| r.remote_unanswered.iter().map(|u| u.partner.as_str()))
                    .collect(),
                hits: results
                    .iter()
                    .filter(|r| r.band != "none")
                    .map(|r| ManifestHitAudit {
                        index: r.index,
                        name: &r.name,
                        band: &r.band,
                        matches: r.matches.iter().map(|m| m.entity_id.as_str()).collect(),
                    })
                    .collect(),
            }),
        ),
    );
    durable(state).await;
    Ok(ManifestResponse {
        screening_id,
        format: format.to_string(),
        travellers: results.len(),
        band: band_str(band).to_string(),
        results,
        diagnostics: manifest.diagnostics.iter().map(|d| d.to_string()).collect(),
        lists: snap.lists.iter().map(ListVersionDto::from_state).collect(),
    })
}

/// An [`AuditEvent`] by the re-screening task for a hit it raised.
pub(crate) fn rescreen_hit_event(h: &tansiq_store::NewHit) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: "rescreen".into(),
        agency: h.agency_id.clone(),
        key_id: "-".into(),
        action: "hit.raise",
        target: Some(h.id.clone()),
        outcome: "ok",
        detail: detail(&HitRaisedAudit {
            origin: "rescreen",
            screening_id: &h.screening_id,
            entity_id: &h.entity_id,
            entity_version: h.entity_version,
            band: &h.band,
            border_post: h.border_post.as_deref(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(action: Option<&str>, score: f64) -> RemoteHitDto {
        RemoteHitDto {
            partner: "tn".into(),
            reference: "w-1".into(),
            action: action.map(str::to_string),
            score,
            hit_id: "dz:s:tn".into(),
        }
    }

    #[test]
    fn a_remote_hit_raises_the_band_and_sets_the_action() {
        // Issue 16, finding 9: a partner's arrest hit alone answered "none".
        let (band, action) = verdict(Band::None, &[], &[remote(Some("arrest"), 0.85)], 0.9);
        assert_eq!(band, Band::Possible);
        assert_eq!(action, Some(ActionOnHit::Arrest));
        let (band, _) = verdict(Band::None, &[], &[remote(None, 0.95)], 0.9);
        assert_eq!(band, Band::Strong);
        let (band, action) = verdict(Band::Strong, &[], &[], 0.9);
        assert_eq!((band, action), (Band::Strong, None));
    }

    #[test]
    fn the_most_urgent_action_wins() {
        assert_eq!(
            most_urgent([
                ActionOnHit::Inform,
                ActionOnHit::Arrest,
                ActionOnHit::DiscreetCheck
            ]),
            Some(ActionOnHit::Arrest)
        );
        assert_eq!(
            most_urgent([ActionOnHit::DiscreetCheck, ActionOnHit::SpecificCheck]),
            Some(ActionOnHit::SpecificCheck)
        );
        assert_eq!(most_urgent([]), None);
    }
}
