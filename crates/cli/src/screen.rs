//! `tansiq screen`: one traveller against every active entry of the store.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tansiq_lists::subjects::SubjectIndex;
use tansiq_matching::{Index, Match, MatcherConfig, Query};
use tansiq_model::Schema;
use tansiq_store::Store;

use crate::{StoreArgs, output, today};

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// The traveller's name, in any script (several: all names of one
    /// traveller, e.g. the name on the passport and a typed variant).
    #[arg(required_unless_present = "mrz")]
    pub names: Vec<String>,
    /// Screen the holder of a travel document: its MRZ lines (2 or 3).
    /// Names, date of birth, nationality, sex and document number come from
    /// it; a failed check digit is reported.
    #[arg(long, num_args = 1..=3, conflicts_with = "names")]
    pub mrz: Vec<String>,
    /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long)]
    pub dob: Option<String>,
    /// Nationality, ISO 3166-1 alpha-2 (e.g. dz, tn, eg).
    #[arg(long)]
    pub nationality: Option<String>,
    /// male or female.
    #[arg(long)]
    pub gender: Option<String>,
    /// Passport or ID number.
    #[arg(long)]
    pub document: Option<String>,
    /// person or organization (default: either).
    #[arg(long)]
    pub schema: Option<String>,
    /// Matches shown at most.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Also show ranked candidates below the possible band.
    #[arg(long)]
    pub all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

impl ScreenArgs {
    pub fn query(&self) -> Result<Query> {
        if !self.mrz.is_empty() {
            let mrz = crate::mrz::decode(&self.mrz).context("--mrz")?;
            for c in mrz.failed_checks() {
                eprintln!("warning: MRZ check digit failed: {}", c.field.as_str());
            }
            let mut q = crate::manifest::query_of(&mrz.traveller());
            eprintln!("screening the holder: {}", q.names.join(" / "));
            q.birth_dates.extend(self.dob.iter().cloned());
            return Ok(q);
        }
        let schema = match self
            .schema
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => None,
            Some("person") => Some(Schema::Person),
            Some("organization" | "organisation") => Some(Schema::Organization),
            Some(other) => bail!("--schema {other:?}: expected person or organization"),
        };
        if let Some(d) = &self.dob {
            d.parse::<tansiq_model::PartialDate>()
                .with_context(|| format!("--dob {d:?}"))?;
        }
        Ok(Query {
            schema,
            names: self.names.clone(),
            birth_dates: self.dob.iter().cloned().collect(),
            nationalities: self
                .nationality
                .iter()
                .map(|n| cli_country("--nationality", n))
                .collect::<Result<_>>()?,
            gender: self.gender.clone(),
            documents: self.document.iter().cloned().collect(),
        })
    }
}

/// A country as the CLI takes it: the one reading of
/// [`tansiq_model::country::parse`] (TN, TUN, D, Tunisia), as the API.
pub fn cli_country(flag: &str, value: &str) -> Result<String> {
    match tansiq_model::country::parse(value) {
        Some(c) => match (c.iso2, c.note) {
            (Some(iso2), _) => Ok(iso2.to_string()),
            (None, Some(note)) => bail!("{flag} {value:?}: {note}, names no state; leave it out"),
            (None, None) => bail!("{flag} {value:?}: not a country"),
        },
        None => bail!(
            "{flag} {value:?}: not a country (expected an ISO 3166-1 code such as TN or TUN, an ICAO code such as D, or an English name such as Tunisia)"
        ),
    }
}

/// Builds the screening index from the store's active, in-force entries,
/// and which of them are one subject (`tansiq_lists::subjects`: listings
/// of different lists that share a UN reference, document or IMO number).
pub async fn load_index(store: &Store) -> Result<(Index, SubjectIndex)> {
    let today = today();
    let entities: Vec<_> = store
        .active_entities()
        .await
        .context("reading the active entries")?
        .into_iter()
        .filter(|e| e.is_screenable(&today))
        .collect();
    let subjects = SubjectIndex::build(&entities);
    Ok((Index::build(entities, MatcherConfig::default()), subjects))
}

/// One match per subject: a later (lower-ranked) listing of a subject
/// already answered is dropped; the answer names it beside the subject's
/// best listing ([`also_listed`]).
pub fn one_per_subject(subjects: &SubjectIndex, matches: Vec<Match>) -> Vec<Match> {
    let mut seen = std::collections::HashSet::new();
    matches
        .into_iter()
        .filter(|m| match subjects.subject(&m.entity_id) {
            Some(s) => seen.insert(s.listings[0].clone()),
            None => true,
        })
        .collect()
}

/// The other listings of `id`'s subject, each with what links it.
pub fn also_listed(index: &Index, subjects: &SubjectIndex, id: &str) -> Vec<serde_json::Value> {
    let Some(s) = subjects.subject(id) else {
        return Vec::new();
    };
    s.listings
        .iter()
        .filter(|other| *other != id)
        .map(|other| {
            let e = index.entity(other);
            json!({
                "id": other,
                "caption": e.map(|e| e.caption()),
                "source": e.map(|e| e.provenance.source.clone()),
                "action_on_hit": e.and_then(|e| e.action_on_hit.map(|a| a.as_str())),
                "sanctions": e.map(output::sanctions_json),
                "linked_by": s.links_of(other).map(|l| json!({
                    "kind": l.key.kind(), "value": l.key.value(), "reason": l.key.to_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

pub async fn run(args: ScreenArgs) -> Result<()> {
    let query = args.query()?;
    let (store, location) = args.store.open_existing().await?;
    let (index, subjects) = load_index(&store).await?;
    store.close().await;
    if index.is_empty() {
        bail!(
            "the store {} holds no active entries: import a list first (tansiq import FILE --db {})",
            location,
            location
        );
    }
    let t0 = Instant::now();
    let matches = one_per_subject(&subjects, index.screen(&query, args.limit));
    let elapsed_us = t0.elapsed().as_micros();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&index, &subjects, &matches, elapsed_us))?
        );
    } else {
        println!(
            "{} ({} µs against {} entries)",
            output::verdict(&matches),
            elapsed_us,
            index.len()
        );
        output::print_matches(&index, &subjects, &matches, args.all);
    }
    Ok(())
}

/// The JSON answer: verdict, band and every match with its entity's
/// caption, provenance, action and explanation, and the other listings of
/// its subject.
pub fn to_json(
    index: &Index,
    subjects: &SubjectIndex,
    matches: &[Match],
    elapsed_us: u128,
) -> serde_json::Value {
    let lang = output::lang();
    let items: Vec<_> = matches
        .iter()
        .map(|m| {
            let e = index.entity(&m.entity_id);
            json!({
                "id": m.entity_id,
                "caption": e.map(|e| e.caption()),
                "schema": e.map(|e| e.schema.as_str()),
                "score": m.score,
                "band": m.band,
                "source": e.map(|e| e.provenance.source.clone()),
                "list_version": e.and_then(|e| e.provenance.list_version.clone()),
                "action_on_hit": e.and_then(|e| e.action_on_hit.map(|a| a.as_str())),
                "sanctions": e.map(output::sanctions_json),
                "reason": output::reason(index, m, lang),
                "near_miss": m.near_miss,
                "explanation": m.explanation,
                "also_listed": also_listed(index, subjects, &m.entity_id),
            })
        })
        .collect();
    json!({
        "verdict": output::verdict(matches),
        "band": matches.first().map(|m| m.band),
        "elapsed_us": elapsed_us,
        "matches": items,
    })
}
