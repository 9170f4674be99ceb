//! `tansiq bench`: end-to-end figures on a generated fictitious watchlist —
//! index build time and memory, single-thread screening latency, parallel
//! throughput, and whole-flight manifest screening. Prints a table; it
//! asserts nothing (figures are for people to compare).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use tansiq_matching::{Band, Index, MatcherConfig, Query};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Entities in the generated watchlist.
    #[arg(long, default_value_t = 1_000_000)]
    pub entities: usize,
    /// Generated travellers screened (variants of listed persons and
    /// innocents).
    #[arg(long, default_value_t = 2_000)]
    pub queries: usize,
    /// Passengers on the generated PAXLST manifest.
    #[arg(long, default_value_t = 400)]
    pub passengers: usize,
    /// Seed of the generator (same seed, same data).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Peak resident memory of this process (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn current_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

pub fn run(args: BenchArgs) -> Result<()> {
    let mut rows: Vec<(String, String)> = Vec::new();
    println!(
        "tansiq bench: {} generated entities, {} travellers, seed {} ({} threads available)",
        args.entities,
        args.queries,
        args.seed,
        rayon::current_num_threads()
    );

    let t = Instant::now();
    let bar = crate::output::progress(args.entities as u64, "entities generated");
    let watchlist: Vec<_> = tansiq_synth::generate(args.seed, args.entities)
        .inspect(|_| bar.inc(1))
        .collect();
    bar.finish_and_clear();
    let names: usize = watchlist.iter().map(|e| e.names().len()).sum();
    rows.push((
        "generate watchlist".into(),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));
    rows.push((
        "entities / names".into(),
        format!("{} / {names}", watchlist.len()),
    ));

    let travellers = tansiq_synth::travellers(args.seed, args.queries, &watchlist)
        .context("generating travellers")?;
    let queries: Vec<Query> = travellers
        .iter()
        .map(|t| {
            let mut q = Query::from_entity(&t.traveller.to_entity("q"));
            q.schema = Some(tansiq_model::Schema::Person);
            q
        })
        .collect();

    let rss_before = current_rss_mib();
    let bar = crate::output::spinner("building the index");
    let t = Instant::now();
    let index = Index::build(watchlist, MatcherConfig::default());
    let build = t.elapsed();
    bar.finish_and_clear();
    eprintln!(
        "index built in {:.1} s; screening {} travellers one at a time…",
        build.as_secs_f64(),
        queries.len()
    );
    rows.push((
        "index build".into(),
        format!("{:.1} s", build.as_secs_f64()),
    ));
    if let (Some(before), Some(after)) = (rss_before, current_rss_mib()) {
        rows.push((
            "resident memory after build (watchlist + index)".into(),
            format!(
                "{after:.0} MiB (index build added {:.0} MiB)",
                after - before
            ),
        ));
    }

    // Single thread: one screening at a time, as one border desk.
    let mut lat: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    let mut listed = 0usize;
    let mut innocent_alerts = 0usize;
    let mut innocents = 0usize;
    let bar = crate::output::progress(queries.len() as u64, "travellers screened, one thread");
    for (q, t) in queries.iter().zip(&travellers) {
        let t0 = Instant::now();
        let matches = index.screen(q, 10);
        lat.push(t0.elapsed());
        bar.inc(1);
        let alerting: Vec<&str> = matches
            .iter()
            .filter(|m| m.band != Band::None)
            .map(|m| m.entity_id.as_str())
            .collect();
        match &t.expected {
            Some(id) => {
                listed += 1;
                found += usize::from(alerting.contains(&id.as_str()));
            }
            None => {
                innocents += 1;
                innocent_alerts += usize::from(!alerting.is_empty());
            }
        }
    }
    bar.finish_and_clear();
    lat.sort_unstable();
    rows.push((
        "screening latency, 1 thread: p50".into(),
        us(percentile(&lat, 0.5)),
    ));
    rows.push((
        "screening latency, 1 thread: p90".into(),
        us(percentile(&lat, 0.9)),
    ));
    rows.push((
        "screening latency, 1 thread: p99".into(),
        us(percentile(&lat, 0.99)),
    ));
    rows.push((
        "screening latency, 1 thread: max".into(),
        us(percentile(&lat, 1.0)),
    ));

    // All threads: throughput.
    let t = Instant::now();
    let rounds = 3;
    let bar = crate::output::progress(rounds as u64, "rounds on all threads");
    for _ in 0..rounds {
        queries.par_iter().for_each(|q| {
            std::hint::black_box(index.screen(q, 10));
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let per_s = (queries.len() * rounds) as f64 / t.elapsed().as_secs_f64();
    rows.push((
        format!("throughput, {} threads", rayon::current_num_threads()),
        format!("{per_s:.0} screenings/s"),
    ));
    rows.push((
        "generated variants of listed persons alerting on them".into(),
        format!("{found} / {listed}"),
    ));
    rows.push((
        "generated innocents alerting".into(),
        format!("{innocent_alerts} / {innocents}"),
    ));

    // A whole flight: PAXLST written, parsed, every traveller screened.
    let edi = tansiq_travel::write_paxlst(&tansiq_travel::synthetic_interchange(
        args.passengers,
        0,
        args.seed,
    ));
    let t = Instant::now();
    let manifest =
        tansiq_travel::parse_manifest(edi.as_bytes(), tansiq_travel::ManifestFormat::Paxlst)
            .context("parsing the generated manifest")?;
    let parsed = t.elapsed();
    let results: Vec<_> = manifest
        .travellers
        .par_iter()
        .map(|t| index.screen(&crate::manifest::query_of(&t.traveller), 3))
        .collect();
    let total = t.elapsed();
    rows.push((
        format!(
            "manifest of {} passengers: parse",
            manifest.travellers.len()
        ),
        format!("{:.1} ms", parsed.as_secs_f64() * 1e3),
    ));
    rows.push((
        format!(
            "manifest of {} passengers: parse + screen all",
            results.len()
        ),
        format!("{:.1} ms", total.as_secs_f64() * 1e3),
    ));
    if let Some(peak) = peak_rss_mib() {
        rows.push(("peak resident memory".into(), format!("{peak:.0} MiB")));
    }

    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    println!();
    println!("| {:width$} | value |", "figure");
    println!("|{}|---|", "-".repeat(width + 2));
    for (k, v) in rows {
        println!("| {k:width$} | {v} |");
    }
    Ok(())
}
