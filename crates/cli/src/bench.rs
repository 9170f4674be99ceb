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
    /// Population mix: `default` (~15 % organisations, person travellers)
    /// or `org-heavy` (~45 % organisations named as on sanctions lists —
    /// legal forms, common business words — and 45 % organisation queries).
    #[arg(long, value_enum, default_value_t = MixArg::Default)]
    pub mix: MixArg,
    /// Also list the N slowest single-thread screenings (time, schema,
    /// how the name was made, the name), to see which shapes the tail is.
    #[arg(long, default_value_t = 0)]
    pub slowest: usize,
    /// Screen each traveller this many times in a row and keep its fastest
    /// time: on a shared machine one screening in a few hundred is
    /// preempted for several milliseconds, which a single pass counts
    /// as latency.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub best_of: u32,
}

/// The generated population's mix (`tansiq_synth::Mix`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MixArg {
    Default,
    OrgHeavy,
}

impl MixArg {
    fn mix(self) -> tansiq_synth::Mix {
        match self {
            MixArg::Default => tansiq_synth::Mix::DEFAULT,
            MixArg::OrgHeavy => tansiq_synth::Mix::ORG_HEAVY,
        }
    }
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
        "tansiq bench: {} generated entities ({} mix), {} travellers, seed {} ({} threads available)",
        args.entities,
        match args.mix {
            MixArg::Default => "default",
            MixArg::OrgHeavy => "org-heavy",
        },
        args.queries,
        args.seed,
        rayon::current_num_threads()
    );

    let t = Instant::now();
    let bar = crate::output::progress(args.entities as u64, "entities generated");
    let mix = args.mix.mix();
    let watchlist: Vec<_> = tansiq_synth::generate_with(args.seed, args.entities, mix)
        .inspect(|_| bar.inc(1))
        .collect();
    bar.finish_and_clear();
    let names: usize = watchlist.iter().map(|e| e.names().len()).sum();
    let organisations = watchlist
        .iter()
        .filter(|e| e.schema.is_organisation())
        .count();
    rows.push((
        "generate watchlist".into(),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));
    rows.push((
        "entities / names".into(),
        format!("{} / {names}", watchlist.len()),
    ));
    rows.push((
        "organisations among entities".into(),
        format!(
            "{organisations} ({:.1} %)",
            100.0 * organisations as f64 / watchlist.len().max(1) as f64
        ),
    ));

    let travellers = tansiq_synth::travellers_with(args.seed, args.queries, &watchlist, mix)
        .context("generating travellers")?;
    let queries: Vec<Query> = travellers
        .iter()
        .map(|t| {
            let mut q = Query::from_entity(&t.traveller.to_entity("q"));
            q.schema = Some(t.schema);
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
    let memory = index.memory_report();

    // Single thread: one screening at a time, as one border desk.
    let mut lat: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut org_lat: Vec<Duration> = Vec::new();
    let mut by_traveller: Vec<(Duration, usize)> = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    let mut listed = 0usize;
    let mut innocent_alerts = 0usize;
    let mut innocents = 0usize;
    let bar = crate::output::progress(queries.len() as u64, "travellers screened, one thread");
    for (i, (q, t)) in queries.iter().zip(&travellers).enumerate() {
        let t0 = Instant::now();
        let matches = index.screen(q, 10);
        let mut took = t0.elapsed();
        for _ in 1..args.best_of {
            let t0 = Instant::now();
            std::hint::black_box(index.screen(q, 10));
            took = took.min(t0.elapsed());
        }
        lat.push(took);
        by_traveller.push((took, i));
        if t.schema.is_organisation() {
            org_lat.push(took);
        }
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
    if args.best_of > 1 {
        rows.push((
            "screening latency below: fastest of".into(),
            format!("{} screenings of each traveller", args.best_of),
        ));
    }
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
    if !org_lat.is_empty() {
        // The organisation queries alone (their tail is the point of the
        // org-heavy mix).
        org_lat.sort_unstable();
        rows.push((
            format!(
                "organisation queries ({}), 1 thread: p50 / p99 / max",
                org_lat.len()
            ),
            format!(
                "{} / {} / {}",
                us(percentile(&org_lat, 0.5)),
                us(percentile(&org_lat, 0.99)),
                us(percentile(&org_lat, 1.0))
            ),
        ));
    }

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
        "generated variants of listed entities alerting on them".into(),
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
    if args.slowest > 0 {
        by_traveller.sort_unstable_by(|a, b| b.cmp(a));
        println!();
        println!("slowest single-thread screenings:");
        for &(took, i) in by_traveller.iter().take(args.slowest) {
            let t = &travellers[i];
            println!(
                "{:>8} {:<8} {:<28} {}",
                us(took),
                t.schema.as_str(),
                t.how,
                t.traveller.name
            );
        }
    }
    println!();
    println!("index heap by structure (Index::memory_report, before allocator overhead):");
    println!("{memory}");
    println!();
    println!("| {:width$} | value |", "figure");
    println!("|{}|---|", "-".repeat(width + 2));
    for (k, v) in rows {
        println!("| {k:width$} | {v} |");
    }
    Ok(())
}
