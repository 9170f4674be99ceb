//! `tansiq manifest screen`: every traveller of a flight manifest (PAXLST or
//! CSV) screened, with a per-flight summary and reports in JSON, CSV or a
//! self-contained HTML page for the duty officer.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{Value, json};
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
    #[command(flatten)]
    pub store: StoreArgs,
}

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
    manifest: &'a Manifest,
    limit: usize,
    progress: &ProgressBar,
) -> Vec<Screened<'a>> {
    manifest
        .travellers
        .par_iter()
        .map(|t| {
            let matches = index.screen(&query_of(&t.traveller), limit);
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

pub async fn run(cmd: ManifestCommand) -> Result<()> {
    let ManifestCommand::Screen(args) = cmd;
    let manifest = parse_manifest_file(&args.file, args.format.as_deref())?;
    for d in &manifest.diagnostics {
        eprintln!("{}: {d}", args.file.display());
    }
    let store = args.store.open_existing().await?;
    let index = screen::load_index(&store).await?;
    store.close().await;

    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = ProgressBar::new(manifest.travellers.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} travellers screened ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let t0 = Instant::now();
    let screened = screen_all(&index, &manifest, args.limit, &progress);
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
        output::print_matches(&index, &s.matches, false);
    }
    if let Some(path) = &args.report {
        write_report(path, &index, &manifest, &screened, &summary)?;
        println!("\nreport written to {}", path.display());
    }
    Ok(())
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
            json!({"flight": flight, "travellers": strong + possible + none,
                   "strong": strong, "possible": possible, "none": none})
        })
        .collect()
}

fn traveller_json(index: &Index, manifest: &Manifest, s: &Screened<'_>) -> Value {
    let t = s.traveller;
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
        "matches": screen::to_json(index, &s.matches, 0)["matches"].clone(),
    })
}

fn write_report(
    path: &Path,
    index: &Index,
    manifest: &Manifest,
    screened: &[Screened<'_>],
    summary: &[Value],
) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let travellers: Vec<Value> = screened
        .iter()
        .map(|s| traveller_json(index, manifest, s))
        .collect();
    let body = match ext {
        "json" => serde_json::to_string_pretty(&json!({
            "flights": summary,
            "travellers": travellers,
            "diagnostics": manifest.diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        }))?,
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "flight",
                "role",
                "name",
                "birth_date",
                "nationality",
                "band",
                "best_id",
                "best_score",
            ])?;
            for t in &travellers {
                let best = &t["matches"][0];
                w.write_record([
                    t["flight"].as_str().unwrap_or(""),
                    t["role"].as_str().unwrap_or(""),
                    t["name"].as_str().unwrap_or(""),
                    t["birth_date"].as_str().unwrap_or(""),
                    t["nationality"].as_str().unwrap_or(""),
                    t["band"].as_str().unwrap_or(""),
                    best["id"].as_str().unwrap_or(""),
                    &best["score"]
                        .as_f64()
                        .map(|s| format!("{s:.3}"))
                        .unwrap_or_default(),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        "html" => html_report(summary, &travellers),
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

/// A self-contained page (no external assets): summary per flight, then the
/// travellers who need attention first.
fn html_report(summary: &[Value], travellers: &[Value]) -> String {
    let mut h = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>tansiq manifest screening</title>\
         <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:start}.strong{background:#f8d0d0}\
         .possible{background:#fbeec8}pre{margin:0;font-size:.85em;white-space:pre-wrap}</style></head><body>\
         <h1>Manifest screening</h1><h2>Flights</h2><table><tr><th>flight</th><th>travellers</th>\
         <th>strong</th><th>possible</th><th>no match</th></tr>",
    );
    for f in summary {
        let _ = write!(
            h,
            "<tr><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(f["flight"].as_str().unwrap_or("?")),
            f["travellers"],
            f["strong"],
            f["possible"],
            f["none"]
        );
    }
    h.push_str("</table><h2>Travellers</h2><table><tr><th>flight</th><th>role</th><th>name</th><th>born</th><th>nationality</th><th>answer</th><th>matches</th></tr>");
    let mut order: Vec<&Value> = travellers.iter().collect();
    let rank = |t: &Value| match t["band"].as_str() {
        Some("strong") => 0,
        Some("possible") => 1,
        _ => 2,
    };
    order.sort_by_key(|t| rank(t));
    for t in order {
        let band = t["band"].as_str().unwrap_or("none");
        let mut matches = String::new();
        for m in t["matches"].as_array().into_iter().flatten() {
            if m["band"].as_str() == Some("none") {
                continue;
            }
            let _ = write!(
                matches,
                "<div><b><bdi>{}</bdi></b> {:.3} — <bdi>{}</bdi></div>",
                esc(m["id"].as_str().unwrap_or("")),
                m["score"].as_f64().unwrap_or(0.0),
                esc(m["caption"].as_str().unwrap_or(""))
            );
        }
        let _ = write!(
            h,
            "<tr class=\"{band}\"><td><bdi>{}</bdi></td><td>{}</td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(t["flight"].as_str().unwrap_or("")),
            esc(t["role"].as_str().unwrap_or("")),
            esc(t["name"].as_str().unwrap_or("")),
            esc(t["birth_date"].as_str().unwrap_or("")),
            esc(t["nationality"].as_str().unwrap_or("")),
            esc(t["verdict"].as_str().unwrap_or("")),
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
        let page = html_report(&[], &[t]);
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
    }
}
