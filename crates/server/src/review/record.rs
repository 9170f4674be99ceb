//! What a screening leaves behind: its record (batched, off the screening
//! path) and, for matches at or above the possible band, hits (written
//! before answering, so the answer carries their ids), unless the same
//! document was dismissed against the same entity version before.

use std::collections::HashMap;
use std::fmt;

use serde_json::json;
use tansiq_matching::Query;
use tansiq_store::{Hit, NewHit, ScreeningRecord, StoreError};
use time::OffsetDateTime;
use tokio::sync::{Mutex, Notify, oneshot};

use crate::AppState;
use crate::auth::Principal;
use crate::dto::{
    ListVersionDto, MatchDto, PreviouslyDismissedDto, ReasonClauseDto, near_miss_clauses,
    reason_text, rfc3339,
};
use crate::journal::Journal;
use crate::state::Snapshot;

/// The review machinery of a node: screening records and hits go through
/// the node's [`Journal`] (group commit with the audit log); plus the
/// re-screening trigger.
pub struct Review {
    journal: Journal,
    /// One re-screening pass at a time; the pass owns the traveller
    /// index it keeps between passes.
    pub(crate) rescreen_lock: Mutex<super::travellers::TravellerIndex>,
    pub(crate) wake: Notify,
}

impl fmt::Debug for Review {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Review")
    }
}

impl Review {
    /// Writes through `journal` (the audit sink's, when it has one, so
    /// that one transaction carries everything a screening leaves behind).
    pub fn new(journal: Journal) -> Review {
        Review {
            journal,
            rescreen_lock: Mutex::new(super::travellers::TravellerIndex::default()),
            wake: Notify::new(),
        }
    }

    /// Queues a screening record (never blocks).
    pub fn record(&self, record: ScreeningRecord) {
        self.journal.screening(record);
    }

    /// Raises one screening's hits durably and returns them (see
    /// [`tansiq_store::Store::insert_hits`]). Screenings that raise hits at the same time
    /// share one transaction with each other and with queued audit events
    /// and screening records, so a busy border post pays one disk flush per
    /// batch rather than one per traveller; each caller still gets its
    /// answer only once its hits are committed.
    pub(crate) async fn raise_hits(
        &self,
        hits: Vec<NewHit>,
        actor: &str,
    ) -> Result<Vec<Hit>, StoreError> {
        self.journal.raise_hits(hits, actor).await
    }

    /// Resolves once every record queued so far is written.
    pub fn flush(&self) -> Option<oneshot::Receiver<()>> {
        self.journal.flush()
    }

    /// The index was rebuilt: wake the re-screening task.
    pub(crate) fn index_changed(&self) {
        self.wake.notify_one();
    }
}

/// The stored form of a query (traveller data): what re-screening reads
/// back. Absent and empty fields are left out ([`query_from_json`] reads
/// them back as absent and empty): the record and a hit's context keep
/// only what the traveller gave.
pub fn stored_query(q: &Query) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    if let Some(s) = q.schema {
        v.insert("schema".into(), json!(s.as_str()));
    }
    v.insert("names".into(), json!(q.names));
    for (k, list) in [
        ("birth_dates", &q.birth_dates),
        ("nationalities", &q.nationalities),
        ("documents", &q.documents),
    ] {
        if !list.is_empty() {
            v.insert(k.into(), json!(list));
        }
    }
    if let Some(g) = &q.gender {
        v.insert("gender".into(), json!(g));
    }
    serde_json::Value::Object(v)
}

/// A query back from its stored form (`None` when it is not one).
pub(crate) fn query_from_json(v: &serde_json::Value) -> Option<Query> {
    let strings = |k: &str| -> Option<Vec<String>> {
        v.get(k)?
            .as_array()?
            .iter()
            .map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let names = strings("names")?;
    if names.is_empty() {
        return None;
    }
    Some(Query {
        schema: v
            .get("schema")
            .and_then(|s| s.as_str())
            .and_then(|s| s.parse().ok()),
        names,
        birth_dates: strings("birth_dates").unwrap_or_default(),
        nationalities: strings("nationalities").unwrap_or_default(),
        gender: v.get("gender").and_then(|g| g.as_str()).map(str::to_string),
        documents: strings("documents").unwrap_or_default(),
    })
}

/// The document key: `country:NUMBER`, the country as a lower-case
/// alpha-2 code (empty when unknown or not a country), the number with
/// only its letters and digits, upper-case. `None` without a number.
pub fn document_key(country: Option<&str>, number: &str) -> Option<String> {
    let number = tansiq_model::normalize_document_number(number);
    if number.is_empty() {
        return None;
    }
    let country = country
        .and_then(|c| crate::dto::parse_country("country", c).ok())
        .unwrap_or_default();
    Some(format!("{country}:{number}"))
}

/// One screened traveller, as the handlers pass it here.
pub(crate) struct Screened<'a> {
    pub id: String,
    /// The crossing time.
    pub at: OffsetDateTime,
    pub border_post: Option<String>,
    pub direction: Option<String>,
    pub document_key: Option<String>,
    pub query: &'a Query,
    pub band: &'static str,
    pub matches: &'a mut Vec<MatchDto>,
}

/// A match as a screening record and a hit's context summarise it.
pub(crate) fn match_summary(m: &MatchDto) -> serde_json::Value {
    let mut summary = json!({ "entity_id": m.entity_id, "score": m.score, "band": m.band });
    if !m.listings.is_empty() {
        // the subject's other listings: the screening answered them as
        // one subject
        summary["listings"] = m.listings.iter().map(|l| l.entity_id.clone()).collect();
    }
    summary
}

/// The matches of a screening as its record stores them: per match one
/// array, `[entity_id, score]`, then its band unless `none`, then the
/// subject's other listings when it has some. The summary objects of
/// [`match_summary`] spell the keys out once per match; a screening keeps
/// up to `limit` matches, so their keys were half of its record (issue
/// 19). [`matches_from_stored`] gives the summaries back.
pub(crate) fn stored_matches(matches: &[MatchDto]) -> serde_json::Value {
    matches
        .iter()
        .map(|m| {
            let mut row = vec![json!(m.entity_id), json!(m.score)];
            let listings = !m.listings.is_empty();
            if m.band != NO_BAND || listings {
                row.push(json!(m.band));
            }
            if listings {
                row.push(m.listings.iter().map(|l| l.entity_id.clone()).collect());
            }
            serde_json::Value::Array(row)
        })
        .collect()
}

/// The band a stored match without one has.
const NO_BAND: &str = "none";

/// A screening record's matches as [`match_summary`] objects, whichever
/// form they were stored in: [`stored_matches`] arrays are expanded,
/// summaries of records written before it are kept as they are.
pub(crate) fn matches_from_stored(stored: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Array(rows) = stored else {
        return stored;
    };
    rows.into_iter()
        .map(|row| {
            let serde_json::Value::Array(mut fields) = row else {
                return row;
            };
            let listings = (fields.len() > 3).then(|| fields.remove(3));
            let band = if fields.len() > 2 {
                fields.remove(2)
            } else {
                json!(NO_BAND)
            };
            let score = fields.pop().unwrap_or_default();
            let id = fields.pop().unwrap_or_default();
            let mut summary = json!({ "entity_id": id, "score": score, "band": band });
            if let Some(l) = listings {
                summary["listings"] = l;
            }
            summary
        })
        .collect()
}

/// The context kept with one hit: the screening's facts (`base`, an
/// object), then under `matches` the hit's own match in full (explanation
/// included) and the screening's other matches summarised (id, score,
/// band). Every explanation is kept once, with its own hit, instead of
/// every explanation of the screening in every hit it raised (issue 19:
/// bytes per screening).
///
/// The reasons in words are not kept: they are the reason clauses (kept)
/// worded in English, and [`context_for_reading`] words them again.
pub(crate) fn hit_context(
    base: &serde_json::Value,
    matches: &[MatchDto],
    own: usize,
) -> serde_json::Value {
    let mut context = base.clone();
    let mut kept = Vec::with_capacity(matches.len());
    let mut full = serde_json::to_value(&matches[own]).unwrap_or_default();
    if let Some(m) = full.as_object_mut() {
        m.remove("reason");
        if let Some(n) = m.get_mut("near_miss").and_then(|n| n.as_object_mut()) {
            n.remove("reason");
        }
    }
    kept.push(full);
    kept.extend(
        matches
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != own)
            .map(|(_, m)| match_summary(m)),
    );
    if let Some(o) = context.as_object_mut() {
        o.insert("matches".to_string(), serde_json::Value::Array(kept));
    }
    context
}

/// A hit's context as stored, with the reasons of its full match worded
/// again (in English, as they were when the match was made) from the
/// reason clauses it keeps; a context stored with its reasons is
/// unchanged.
pub(crate) fn context_for_reading(mut context: serde_json::Value) -> serde_json::Value {
    let Some(matches) = context.get_mut("matches").and_then(|m| m.as_array_mut()) else {
        return context;
    };
    for m in matches.iter_mut().filter_map(|m| m.as_object_mut()) {
        if m.contains_key("reason") {
            continue;
        }
        let Some(clauses) = m
            .get("reason_clauses")
            .and_then(|c| serde_json::from_value::<Vec<ReasonClauseDto>>(c.clone()).ok())
        else {
            continue;
        };
        let en = tansiq_i18n::Lang::En;
        m.insert("reason".into(), json!(reason_text(en, &clauses)));
        if let Some(n) = m.get_mut("near_miss").and_then(|n| n.as_object_mut())
            && !n.contains_key("reason")
        {
            n.insert(
                "reason".into(),
                json!(reason_text(en, &near_miss_clauses(&clauses))),
            );
        }
    }
    context
}

fn is_hit_band(band: &str) -> bool {
    matches!(band, "possible" | "strong")
}

/// Records the screenings (queued) and raises their hits (written now),
/// marking each match with its hit id or the earlier dismissal that
/// covers it. Returns the ids of the hits raised and, per item, the
/// content hash of its record (what its audit event carries). A failure to write hits
/// is logged and the screening is still answered: the traveller must not
/// wait at the border for the review database.
pub(crate) async fn after_screening(
    state: &AppState,
    p: &Principal,
    snap: &Snapshot,
    items: Vec<Screened<'_>>,
) -> (Vec<String>, Vec<String>) {
    let now = OffsetDateTime::now_utc();
    let mut records = Vec::with_capacity(items.len());
    // The list versions go into every hit's context: built once, and only
    // when a screening raises a hit.
    let mut lists: Option<serde_json::Value> = None;
    let mut new_hits = Vec::new();
    let mut slots: Vec<(usize, usize)> = Vec::new();
    let mut items = items;
    for (i, item) in items.iter_mut().enumerate() {
        let raises = item.matches.iter().any(|m| is_hit_band(&m.band));
        // The traveller as stored, built once: the record keeps it, and so
        // does the context of a hit.
        let query = stored_query(item.query);
        let (query, hit_query) = if raises {
            (query.clone(), query)
        } else {
            (query, serde_json::Value::Null)
        };
        let record = ScreeningRecord {
            id: item.id.clone(),
            at: item.at,
            recorded_at: now,
            agency_id: p.agency().to_string(),
            user_id: p.user.id.clone(),
            border_post: item.border_post.clone(),
            document_key: item.document_key.clone(),
            band: item.band.to_string(),
            query,
            matches: stored_matches(item.matches),
        };
        records.push(record.content_hash());
        state.review.record(record);
        if !raises {
            continue;
        }
        let suppressed = match &item.document_key {
            Some(doc) => match state.store.suppressions(p.agency(), doc).await {
                Ok(s) => s
                    .into_iter()
                    .map(|s| (s.entity_id.clone(), s))
                    .collect::<HashMap<_, _>>(),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read suppressions; raising hits");
                    HashMap::new()
                }
            },
            None => HashMap::new(),
        };
        let lists = lists
            .get_or_insert_with(|| {
                serde_json::to_value(
                    snap.lists
                        .iter()
                        .map(ListVersionDto::from_state)
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default()
            })
            .clone();
        let context = json!({
            "query": hit_query,
            "lists": lists,
            "border_post": item.border_post,
            "direction": item.direction,
            "crossing_time": rfc3339(item.at),
            "document_key": item.document_key,
        });
        let mut contexts: Vec<serde_json::Value> = (0..item.matches.len())
            .map(|j| {
                if is_hit_band(&item.matches[j].band) {
                    hit_context(&context, item.matches, j)
                } else {
                    serde_json::Value::Null
                }
            })
            .collect();
        for (j, m) in item.matches.iter_mut().enumerate() {
            if !is_hit_band(&m.band) {
                continue;
            }
            // The version matched is the one indexed (the index only
            // holds entities read with their version).
            let Some(version) = snap.version(&m.entity_id) else {
                tracing::error!(entity = %m.entity_id, "matched entity has no indexed version; no hit");
                continue;
            };
            if let Some(s) = suppressed.get(&m.entity_id)
                && s.entity_version == version
            {
                m.previously_dismissed = Some(PreviouslyDismissedDto {
                    hit_id: s.hit_id.clone(),
                    reason: s.reason.clone(),
                    at: rfc3339(s.at),
                });
                continue;
            }
            new_hits.push(NewHit {
                id: uuid::Uuid::now_v7().to_string(),
                screening_id: item.id.clone(),
                screened_at: item.at,
                agency_id: p.agency().to_string(),
                user_id: p.user.id.clone(),
                border_post: item.border_post.clone(),
                document_key: item.document_key.clone(),
                entity_id: m.entity_id.clone(),
                entity_version: version,
                source: m.source.clone(),
                band: m.band.clone(),
                score: m.score,
                origin: "screening".into(),
                context: std::mem::take(&mut contexts[j]),
            });
            slots.push((i, j));
        }
    }
    if new_hits.is_empty() {
        return (Vec::new(), records);
    }
    let proposed: Vec<String> = new_hits.iter().map(|h| h.id.clone()).collect();
    match state.review.raise_hits(new_hits, &p.user.id).await {
        Ok(held) => {
            let mut ids = Vec::with_capacity(held.len());
            // One hit per pair, in order: ours, or the one a concurrent
            // re-screening pass raised for this screening a moment ago.
            for ((h, (i, j)), mine) in held.into_iter().zip(slots).zip(proposed) {
                items[i].matches[j].hit_id = Some(h.hit.id.clone());
                if h.hit.id == mine {
                    state.metrics.hits_raised.inc();
                }
                ids.push(h.hit.id);
            }
            (ids, records)
        }
        Err(e) => {
            tracing::error!(error = %e, "hits could not be written; the screening is answered without them");
            (Vec::new(), records)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_keys_are_normalised() {
        assert_eq!(
            document_key(Some("DZA"), "p 123-456").as_deref(),
            Some("dz:P123456")
        );
        assert_eq!(
            document_key(Some("dz"), "P123456"),
            document_key(Some("DZA"), "P123456")
        );
        assert_eq!(document_key(None, "x1").as_deref(), Some(":X1"));
        // one reading of countries: ICAO's D is Germany, as DEU is
        assert_eq!(document_key(Some("D<<"), "x1").as_deref(), Some("de:X1"));
        assert_eq!(document_key(Some("DEU"), "x1").as_deref(), Some("de:X1"));
        assert_eq!(document_key(Some("XXA"), "x1").as_deref(), Some(":X1"));
        assert_eq!(document_key(Some("DZ"), " -- "), None);
    }

    fn matches_of(query: &str) -> Vec<MatchDto> {
        use tansiq_matching::{Index, MatcherConfig};
        use tansiq_model::{Entity, Schema, prop};
        let config = MatcherConfig::default();
        let people = [("e-1", "Amal Fictive Haddad"), ("e-2", "Amal Fictive")];
        let index = Index::build(
            people
                .iter()
                .map(|(id, name)| {
                    let mut e = Entity::new(*id, Schema::Person);
                    e.add(prop::NAME, *name);
                    e
                })
                .collect(),
            config.clone(),
        );
        index
            .screen(&Query::name(query), 10)
            .iter()
            .map(|m| MatchDto::from_domain(m, index.entity(&m.entity_id).unwrap(), &config))
            .collect()
    }

    #[test]
    fn stored_matches_read_back_as_their_summaries() {
        let mut matches = matches_of("Amal Fictive Haddad");
        assert_eq!(matches.len(), 2);
        assert_ne!(matches[0].band, NO_BAND);
        matches[1].band = NO_BAND.into();
        matches[1].listings.push(crate::dto::ListingDto {
            entity_id: "e-3".into(),
            caption: "Amal Fictive".into(),
            source: "other".into(),
            score: None,
            action_on_hit: None,
            regime: None,
            linked_by: Vec::new(),
        });
        let summaries = serde_json::Value::Array(matches.iter().map(match_summary).collect());
        let stored = stored_matches(&matches);
        assert_eq!(matches_from_stored(stored.clone()), summaries);
        assert!(stored.to_string().len() < summaries.to_string().len());
        // a record written before the compact form reads as it was
        assert_eq!(matches_from_stored(summaries.clone()), summaries);
        assert_eq!(matches_from_stored(json!([])), json!([]));
    }

    #[test]
    fn a_hit_context_reads_with_the_reasons_it_does_not_store() {
        let matches = matches_of("Amal Fictive Haddad");
        let full = serde_json::to_value(&matches[0]).unwrap();
        assert!(!full["reason"].as_str().unwrap_or_default().is_empty());
        let stored = hit_context(
            &json!({"query": {"names": ["Amal Fictive Haddad"]}}),
            &matches,
            0,
        );
        assert!(stored["matches"][0].get("reason").is_none());
        let read = context_for_reading(stored);
        assert_eq!(read["matches"][0], full);
        assert_eq!(read["matches"][1], match_summary(&matches[1]));
        // a context stored with its reasons is read as it was
        let old = json!({"matches": [full]});
        assert_eq!(context_for_reading(old.clone()), old);
    }

    #[test]
    fn stored_queries_round_trip() {
        let q = Query {
            schema: Some(tansiq_model::Schema::Person),
            names: vec!["Amal Fictive".into(), "أمل".into()],
            birth_dates: vec!["1980-02".into()],
            nationalities: vec!["dz".into()],
            gender: Some("female".into()),
            documents: vec!["P123".into()],
        };
        assert_eq!(query_from_json(&stored_query(&q)), Some(q));
        let any = Query {
            schema: None,
            ..Query::name("X Y")
        };
        assert_eq!(query_from_json(&stored_query(&any)), Some(any));
        assert_eq!(query_from_json(&json!({"names": []})), None);
        assert_eq!(query_from_json(&json!({"names": [1]})), None);
    }
}
