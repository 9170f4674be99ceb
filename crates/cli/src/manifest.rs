//! `tansiq manifest screen`: every traveller of a flight manifest (PAXLST or
//! CSV) screened, with a per-flight summary and reports in JSON, CSV or a
//! self-contained HTML page for the duty officer.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde_json::{Value, json};
use tansiq_lists::subjects::SubjectIndex;
use tansiq_matching::{Band, Index, Match, Query};
use tansiq_travel::{Manifest, ManifestFormat, ManifestTraveller, Traveller};

use crate::{StoreArgs, output, screen};

#[derive(Debug, clap::Subcommand)]
pub enum ManifestCommand {
    /// Screen every passenger and crew member of a manifest.
    Screen(ManifestScreenArgs),
}

#[derive(Debug, clap::Args)]
pub struct ManifestScreenArgs {
    /// The manifest: UN/EDIFACT PAXLST or CSV (see crates/travel/MANIFEST-CSV.md).
    pub file: PathBuf,
    /// paxlst or csv; detected from the content when absent.
    #[arg(long)]
    pub format: Option<String>,
    /// Write a report: the extension picks the format (.json, .csv, .html).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Matches kept per traveller.
    #[arg(long, default_value_t = 3)]
    pub limit: usize,
    /// Exit with status 1 when a traveller reaches this band (`possible`:
    /// possible or strong; `strong`: strong only), for automation. Without
    /// it, alerts do not change the exit status.
    #[arg(long, value_parser = ["possible", "strong"])]
    pub fail_on: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Exit status: the manifest was screened and nothing reached `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// A traveller reached the `--fail-on` band.
pub const EXIT_ALERT: i32 = 1;
/// The manifest had input errors (rows the parser could not read whole):
/// every readable traveller was screened, but the input needs a look.
pub const EXIT_INPUT_ERRORS: i32 = 2;

/// The screening query of a traveller: every name form, date of birth,
/// nationality, sex and documents.
pub fn query_of(t: &Traveller) -> Query {
    let mut q = Query::from_entity(&t.to_entity("traveller"));
    q.schema = Some(tansiq_model::Schema::Person);
    q
}

/// One screened traveller.
#[derive(Debug)]
pub struct Screened<'a> {
    pub traveller: &'a ManifestTraveller,
    pub matches: Vec<Match>,
}

impl Screened<'_> {
    pub fn band(&self) -> Band {
        self.matches.first().map_or(Band::None, |m| m.band)
    }
}

/// Screens every traveller (in parallel; results in manifest order).
pub fn screen_all<'a>(
    index: &Index,
    subjects: &SubjectIndex,
    manifest: &'a Manifest,
    limit: usize,
    progress: &ProgressBar,
) -> Vec<Screened<'a>> {
    manifest
        .travellers
        .par_iter()
        .map(|t| {
            let matches =
                screen::one_per_subject(subjects, index.screen(&query_of(&t.traveller), limit));
            progress.inc(1);
            Screened {
                traveller: t,
                matches,
            }
        })
        .collect()
}

pub fn parse_manifest_file(path: &Path, format: Option<&str>) -> Result<Manifest> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let format = match format {
        None => ManifestFormat::detect(&bytes),
        Some("paxlst") => ManifestFormat::Paxlst,
        Some("csv") => ManifestFormat::Csv,
        Some(other) => bail!("--format {other:?}: expected paxlst or csv"),
    };
    tansiq_travel::parse_manifest(&bytes, format)
        .with_context(|| format!("{}: not screened", path.display()))
}

/// The exit status of a screened manifest: an alert at the `--fail-on`
/// band first (automation acts on it), then input errors, else success.
pub fn exit_status(screened: &[Screened<'_>], input_errors: usize, fail_on: Option<&str>) -> i32 {
    let alert = |b: Band| match fail_on {
        Some("strong") => b == Band::Strong,
        Some(_) => b != Band::None,
        None => false,
    };
    if screened.iter().any(|s| alert(s.band())) {
        EXIT_ALERT
    } else if input_errors > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

/// What a report says besides the travellers: when it was made, from which
/// file, against which list versions, and what the parser found wrong.
pub struct ReportContext {
    pub file: String,
    pub made_at: String,
    pub lists: Vec<Value>,
    pub diagnostics: Vec<String>,
    pub input_errors: usize,
}

/// Returns the exit status (see [`exit_status`]).
pub async fn run(cmd: ManifestCommand) -> Result<i32> {
    let ManifestCommand::Screen(args) = cmd;
    let manifest = parse_manifest_file(&args.file, args.format.as_deref())?;
    for d in &manifest.diagnostics {
        eprintln!("{}: {d}", args.file.display());
    }
    let (store, _) = args.store.open_existing().await?;
    let (index, subjects) = screen::load_index(&store).await?;
    let sources = store.sources().await.context("reading the list versions")?;
    store.close().await;
    let incomplete = manifest.travellers.iter().filter(|t| !t.complete).count();
    let context = ReportContext {
        file: args.file.display().to_string(),
        made_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        lists: sources
            .iter()
            .map(|s| {
                json!({"source": s.source, "version": s.version,
                       "imported_at": s.imported_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
                       "active": s.active})
            })
            .collect(),
        diagnostics: manifest.diagnostics.iter().map(|d| d.to_string()).collect(),
        input_errors: manifest.diagnostics.iter().filter(|d| d.is_error()).count() + incomplete,
    };

    let progress = output::progress(manifest.travellers.len() as u64, "travellers screened");
    let t0 = Instant::now();
    let screened = screen_all(&index, &subjects, &manifest, args.limit, &progress);
    let elapsed = t0.elapsed();
    progress.finish_and_clear();

    let summary = summary(&manifest, &screened);
    println!(
        "{}: {} travellers ({} passengers, {} crew) screened against {} entries in {:.1} ms",
        args.file.display(),
        manifest.travellers.len(),
        manifest.passenger_count(),
        manifest.crew_count(),
        index.len(),
        elapsed.as_secs_f64() * 1e3
    );
    for f in &summary {
        println!(
            "  flight {}: {} travellers — {} strong, {} possible, {} no match",
            f["flight"].as_str().unwrap_or("?"),
            f["travellers"],
            f["strong"],
            f["possible"],
            f["none"]
        );
    }
    for s in screened.iter().filter(|s| s.band() != Band::None) {
        println!(
            "\n{} ({}): {}",
            s.traveller.traveller.full_name(),
            s.traveller.role.as_str(),
            output::verdict(&s.matches)
        );
        output::print_matches(&index, &subjects, &s.matches, false);
    }
    if incomplete > 0 {
        println!(
            "\n{incomplete} travellers incomplete (a field could not be read): screened on what was read"
        );
        for t in manifest.travellers.iter().filter(|t| !t.complete) {
            println!(
                "  INCOMPLETE {} ({})",
                t.traveller.full_name(),
                t.role.as_str()
            );
        }
    }
    if !context.diagnostics.is_empty() {
        println!(
            "\n{} input diagnostics (also in the report):",
            context.diagnostics.len()
        );
        for d in &context.diagnostics {
            println!("  {d}");
        }
    }
    if let Some(path) = &args.report {
        write_report(
            path,
            (&index, &subjects),
            &manifest,
            &screened,
            &summary,
            &context,
        )?;
        println!("\nreport written to {}", path.display());
    }
    Ok(exit_status(
        &screened,
        context.input_errors,
        args.fail_on.as_deref(),
    ))
}

fn flight_of(manifest: &Manifest, t: &ManifestTraveller) -> String {
    t.flight
        .clone()
        .or_else(|| manifest.flights.first().map(|f| f.number.clone()))
        .unwrap_or_else(|| "?".to_string())
}

/// Counts per band for each flight.
pub fn summary(manifest: &Manifest, screened: &[Screened<'_>]) -> Vec<Value> {
    let mut flights: Vec<(String, [usize; 3])> = Vec::new();
    for s in screened {
        let flight = flight_of(manifest, s.traveller);
        let i = match flights.iter().position(|(f, _)| *f == flight) {
            Some(i) => i,
            None => {
                flights.push((flight, [0; 3]));
                flights.len() - 1
            }
        };
        let slot = match s.band() {
            Band::Strong => 0,
            Band::Possible => 1,
            Band::None => 2,
        };
        flights[i].1[slot] += 1;
    }
    flights
        .into_iter()
        .map(|(flight, [strong, possible, none])| {
            let legs: Vec<Value> = manifest
                .flights
                .iter()
                .filter(|f| f.number == flight)
                .flat_map(|f| f.legs.iter())
                .map(|l| {
                    json!({
                        "from": l.departure.as_ref().map(|s| s.airport.clone()),
                        "departure": l.departure.as_ref().and_then(|s| s.time.clone()),
                        "to": l.arrival.as_ref().map(|s| s.airport.clone()),
                        "arrival": l.arrival.as_ref().and_then(|s| s.time.clone()),
                    })
                })
                .collect();
            let mut route: Vec<String> = Vec::new();
            for l in &legs {
                for stop in [&l["from"], &l["to"]] {
                    if let Some(a) = stop.as_str()
                        && route.last().map(String::as_str) != Some(a)
                    {
                        route.push(a.to_string());
                    }
                }
            }
            let date = legs
                .iter()
                .find_map(|l| l["departure"].as_str().or(l["arrival"].as_str()))
                .map(|t| t.chars().take(10).collect::<String>());
            json!({"flight": flight, "date": date, "route": route.join("-"), "legs": legs,
                   "travellers": strong + possible + none,
                   "strong": strong, "possible": possible, "none": none})
        })
        .collect()
}

fn traveller_json(
    index: &Index,
    subjects: &SubjectIndex,
    manifest: &Manifest,
    s: &Screened<'_>,
) -> Value {
    let t = s.traveller;
    // the matches the officer acts on: none below the possible band
    let matches: Vec<Value> = screen::to_json(index, subjects, &s.matches, 0)["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["band"].as_str() != Some("none"))
        .cloned()
        .collect();
    json!({
        "flight": flight_of(manifest, t),
        "role": t.role.as_str(),
        "name": t.traveller.full_name(),
        "birth_date": t.traveller.birth_date.map(|d| d.to_string()),
        "nationality": t.traveller.nationality_iso2(),
        "documents": t.traveller.documents.iter().map(|d| d.number.clone()).collect::<Vec<_>>(),
        "complete": t.complete,
        "band": s.band(),
        "verdict": output::verdict(&s.matches),
        "matches": matches,
    })
}

fn write_report(
    path: &Path,
    (index, subjects): (&Index, &SubjectIndex),
    manifest: &Manifest,
    screened: &[Screened<'_>],
    summary: &[Value],
    context: &ReportContext,
) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let travellers: Vec<Value> = screened
        .iter()
        .map(|s| traveller_json(index, subjects, manifest, s))
        .collect();
    let body = match ext {
        "json" => serde_json::to_string_pretty(&json!({
            "file": context.file,
            "made_at": context.made_at,
            "lists": context.lists,
            "flights": summary,
            "input_errors": context.input_errors,
            "diagnostics": context.diagnostics,
            "travellers": travellers,
        }))?,
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "flight",
                "date",
                "route",
                "role",
                "name",
                "birth_date",
                "nationality",
                "documents",
                "complete",
                "band",
                "best_id",
                "best_score",
                "action_on_hit",
                "regime",
                "measures",
            ])?;
            let flight_of = |f: &str| summary.iter().find(|s| s["flight"].as_str() == Some(f));
            for t in &travellers {
                // only a match in the possible band or above is named
                let best = &t["matches"][0];
                let flight = t["flight"].as_str().unwrap_or("");
                let f = flight_of(flight);
                let docs: Vec<&str> = t["documents"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                w.write_record([
                    flight,
                    f.and_then(|f| f["date"].as_str()).unwrap_or(""),
                    f.and_then(|f| f["route"].as_str()).unwrap_or(""),
                    t["role"].as_str().unwrap_or(""),
                    t["name"].as_str().unwrap_or(""),
                    t["birth_date"].as_str().unwrap_or(""),
                    t["nationality"].as_str().unwrap_or(""),
                    &docs.join(" "),
                    if t["complete"].as_bool() == Some(false) {
                        "no"
                    } else {
                        "yes"
                    },
                    t["band"].as_str().unwrap_or(""),
                    best["id"].as_str().unwrap_or(""),
                    &best["score"]
                        .as_f64()
                        .map(|s| format!("{s:.3}"))
                        .unwrap_or_default(),
                    best["action_on_hit"].as_str().unwrap_or(""),
                    best["sanctions"]["regime"].as_str().unwrap_or(""),
                    best["sanctions"]["summary"].as_str().unwrap_or(""),
                ])?;
            }
            // The context first, as `#` comment lines (readers skip them
            // with a comment character, e.g. pandas' comment="#").
            let mut head = String::new();
            let _ = writeln!(head, "# tansiq manifest screening of {}", context.file);
            let _ = writeln!(head, "# made at {}", context.made_at);
            for l in &context.lists {
                let _ = writeln!(
                    head,
                    "# list {} version {}",
                    l["source"].as_str().unwrap_or(""),
                    l["version"].as_str().unwrap_or("(entries)")
                );
            }
            let _ = writeln!(head, "# input errors: {}", context.input_errors);
            for d in &context.diagnostics {
                let _ = writeln!(head, "# diagnostic: {}", d.replace('\n', " "));
            }
            head + &String::from_utf8(w.into_inner()?)?
        }
        "html" => html_report(summary, &travellers, context),
        other => bail!(
            "--report {}: unknown extension {other:?} (json, csv or html)",
            path.display()
        ),
    };
    std::fs::write(path, body).with_context(|| format!("cannot write {}", path.display()))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained page (no external assets): when and against which
/// lists it was made, the parser's diagnostics, each flight (date, route,
/// legs, counts), then the travellers who need attention first: alerts,
/// then incomplete rows, then the rest.
fn html_report(summary: &[Value], travellers: &[Value], context: &ReportContext) -> String {
    let mut h = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>tansiq manifest screening</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:start}.strong{background:#f8d0d0}\
         .possible{background:#fbeec8}.incomplete{background:#e4e4f8}.diag{color:#8a1c1c}\
         pre{margin:0;font-size:.85em;white-space:pre-wrap}</style></head><body>\
         <h1>Manifest screening</h1>",
    );
    let _ = write!(
        h,
        "<p>File <bdi>{}</bdi>; report made at {} (UTC).</p><p>Lists in force: ",
        esc(&context.file),
        esc(&context.made_at)
    );
    let lists: Vec<String> = context
        .lists
        .iter()
        .map(|l| {
            format!(
                "<bdi>{}</bdi> {}",
                esc(l["source"].as_str().unwrap_or("")),
                esc(l["version"].as_str().unwrap_or("(entries)"))
            )
        })
        .collect();
    h.push_str(&if lists.is_empty() {
        "none".to_string()
    } else {
        lists.join("; ")
    });
    h.push_str("</p>");
    if !context.diagnostics.is_empty() {
        let _ = write!(
            h,
            "<h2 class=\"diag\">Input diagnostics ({}; {} input errors)</h2><ul class=\"diag\">",
            context.diagnostics.len(),
            context.input_errors
        );
        for d in &context.diagnostics {
            let _ = write!(h, "<li><bdi>{}</bdi></li>", esc(d));
        }
        h.push_str("</ul>");
    }
    h.push_str(
        "<h2>Flights</h2><table><tr><th>flight</th><th>date</th><th>route</th><th>legs</th><th>travellers</th>\
         <th>strong</th><th>possible</th><th>no match</th></tr>",
    );
    for f in summary {
        let legs: Vec<String> = f["legs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                format!(
                    "{} {} → {} {}",
                    esc(l["from"].as_str().unwrap_or("?")),
                    esc(l["departure"].as_str().unwrap_or("")),
                    esc(l["to"].as_str().unwrap_or("?")),
                    esc(l["arrival"].as_str().unwrap_or(""))
                )
            })
            .collect();
        let _ = write!(
            h,
            "<tr><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(f["flight"].as_str().unwrap_or("?")),
            esc(f["date"].as_str().unwrap_or("")),
            esc(f["route"].as_str().unwrap_or("")),
            legs.join("<br>"),
            f["travellers"],
            f["strong"],
            f["possible"],
            f["none"]
        );
    }
    h.push_str("</table><h2>Travellers</h2><table><tr><th>flight</th><th>role</th><th>name</th><th>born</th><th>nationality</th><th>documents</th><th>answer</th><th>matches</th></tr>");
    let mut order: Vec<&Value> = travellers.iter().collect();
    let rank = |t: &Value| match (t["band"].as_str(), t["complete"].as_bool()) {
        (Some("strong"), _) => 0,
        (Some("possible"), _) => 1,
        (_, Some(false)) => 2,
        _ => 3,
    };
    order.sort_by_key(|t| rank(t));
    for t in order {
        let band = t["band"].as_str().unwrap_or("none");
        let complete = t["complete"].as_bool() != Some(false);
        let class = if band == "none" && !complete {
            "incomplete"
        } else {
            band
        };
        let mut matches = String::new();
        for m in t["matches"].as_array().into_iter().flatten() {
            let _ = write!(
                matches,
                "<div><b><bdi>{}</bdi></b> {:.3} — <bdi>{}</bdi><br>action on hit: {}",
                esc(m["id"].as_str().unwrap_or("")),
                m["score"].as_f64().unwrap_or(0.0),
                esc(m["caption"].as_str().unwrap_or("")),
                esc(m["action_on_hit"].as_str().unwrap_or("-")),
            );
            if let Some(regime) = m["sanctions"]["regime"].as_str() {
                let _ = write!(
                    matches,
                    "<br>regime <bdi>{}</bdi>: {}",
                    esc(regime),
                    esc(m["sanctions"]["summary"]
                        .as_str()
                        .unwrap_or("verify measures"))
                );
            }
            // the same subject on other lists, and what links it
            for o in m["also_listed"].as_array().into_iter().flatten() {
                let why: Vec<String> = o["linked_by"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k["reason"].as_str().map(esc))
                    .collect();
                let _ = write!(
                    matches,
                    "<br>also listed: {} <bdi>{}</bdi> — <bdi>{}</bdi>, action on hit {} ({})",
                    esc(o["source"].as_str().unwrap_or("")),
                    esc(o["id"].as_str().unwrap_or("")),
                    esc(o["caption"].as_str().unwrap_or("")),
                    esc(o["action_on_hit"].as_str().unwrap_or("-")),
                    why.join("; ")
                );
            }
            matches.push_str("</div>");
        }
        let docs: Vec<String> = t["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(esc)
            .collect();
        let mut answer = esc(t["verdict"].as_str().unwrap_or(""));
        if !complete {
            answer
                .push_str("<br><b>INCOMPLETE</b>: a field could not be read (see the diagnostics)");
        }
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td><bdi>{}</bdi></td><td>{}</td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td></tr>",
            esc(t["flight"].as_str().unwrap_or("")),
            esc(t["role"].as_str().unwrap_or("")),
            esc(t["name"].as_str().unwrap_or("")),
            esc(t["birth_date"].as_str().unwrap_or("")),
            esc(t["nationality"].as_str().unwrap_or("")),
            docs.join(" "),
            answer,
            matches
        );
    }
    h.push_str("</table></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_names() {
        let t = json!({"flight": "XX1", "role": "passenger", "name": "<script>", "band": "none",
                       "verdict": "no match", "matches": []});
        let context = ReportContext {
            file: "f.edi".into(),
            made_at: "2026-12-07T06:00:00Z".into(),
            lists: vec![],
            diagnostics: vec!["CNT <declares> 7".into()],
            input_errors: 1,
        };
        let page = html_report(&[], &[t], &context);
        assert!(page.contains("CNT &lt;declares&gt; 7"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
    }
}
