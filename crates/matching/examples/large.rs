//! Where the time goes on a large generated list: builds the index over N
//! generated fictitious entities (`tansiq-synth`, as `tansiq bench` does),
//! screens the generated travellers one at a time, and prints the latency
//! percentiles and the slowest queries.
//! `cargo run --release -p tansiq-matching --example large -- 1000000 [QUERIES] [SEED]`
//! (`LEARNED=0`: the rule-based score; `MIX=org-heavy`: the population
//! of `tansiq bench --mix org-heavy`).

use std::time::{Duration, Instant};

use tansiq_matching::{Band, Index, MatcherConfig, Query};

// as the `tansiq` binary
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let nq: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let org_heavy = std::env::var("MIX").as_deref() == Ok("org-heavy");
    let mix = if org_heavy {
        tansiq_synth::Mix::ORG_HEAVY
    } else {
        tansiq_synth::Mix::DEFAULT
    };
    let watchlist: Vec<_> = tansiq_synth::generate_with(seed, n, mix).collect();
    let travellers = tansiq_synth::travellers_with(seed, nq, &watchlist, mix).expect("travellers");
    let queries: Vec<Query> = travellers
        .iter()
        .map(|t| {
            let mut q = Query::from_entity(&t.traveller.to_entity("q"));
            q.schema = Some(if org_heavy {
                t.schema
            } else {
                tansiq_model::Schema::Person
            });
            q
        })
        .collect();
    let t = Instant::now();
    // LEARNED=0: the rule-based score, for a comparison in the same run
    let config = match std::env::var("LEARNED").as_deref() {
        Ok("0") => MatcherConfig {
            model: None,
            ..MatcherConfig::default()
        },
        _ => MatcherConfig::default(),
    };
    let rss_before = resident_mib();
    let cpu_build = cpu_seconds();
    let index = Index::build(watchlist, config);
    eprintln!(
        "built in {:.1} s ({:.1} s CPU, all threads)",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - cpu_build
    );
    println!(
        "resident after build {:.0} MiB (before build, watchlist generated: {:.0} MiB); index heap by structure:\n{}",
        resident_mib(),
        rss_before,
        index.memory_report()
    );
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let cpu0 = cpu_seconds();
    let wall0 = Instant::now();
    let mut lat: Vec<(Duration, usize)> = Vec::new();
    let (mut found, mut listed, mut innocent) = (0, 0, 0);
    for round in 0..rounds {
        for (i, (q, t)) in queries.iter().zip(&travellers).enumerate() {
            let t0 = Instant::now();
            let m = index.screen(q, 10);
            let d = t0.elapsed();
            if round == 0 {
                lat.push((d, i));
                let alerting: Vec<&str> = m
                    .iter()
                    .filter(|m| m.band != Band::None)
                    .map(|m| m.entity_id.as_str())
                    .collect();
                match &t.expected {
                    Some(id) => {
                        listed += 1;
                        found += usize::from(alerting.contains(&id.as_str()));
                    }
                    None => innocent += usize::from(!alerting.is_empty()),
                }
            }
        }
    }
    let per_query = |x: f64| x / (rounds * queries.len()) as f64 * 1e6;
    println!(
        "mean per screening: {:.0} µs CPU, {:.0} µs wall (the CPU figure holds on a shared machine)",
        per_query(cpu_seconds() - cpu0),
        per_query(wall0.elapsed().as_secs_f64())
    );
    lat.sort();
    let p = |f: f64| lat[((lat.len() - 1) as f64 * f).round() as usize].0;
    println!(
        "p50 {:?}  p90 {:?}  p99 {:?}  max {:?}  listed found {found}/{listed}  innocents alerting {innocent}/{}",
        p(0.5),
        p(0.9),
        p(0.99),
        p(1.0),
        nq - listed
    );
    for (d, i) in lat.iter().rev().take(15) {
        let t = &travellers[*i];
        println!(
            "{:>8.0} µs  {:?}  {}",
            d.as_secs_f64() * 1e6,
            t.traveller.name,
            if t.expected.is_some() {
                "listed"
            } else {
                "innocent"
            }
        );
    }
}

/// Resident memory of this process (Linux `VmRSS`), in MiB (0
/// elsewhere).
fn resident_mib() -> f64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// CPU time (user + system) of this process so far, from /proc (Linux;
/// 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // fields after the command name (which may hold spaces)
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}
