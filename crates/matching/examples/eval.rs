//! Benchmark loop without the CLI:
//! `cargo run --release -p tansiq-matching --example eval -- W.jsonl Q.jsonl OUT.jsonl [--exhaustive]`
//! then `python3 bench/score.py bench/dev/queries.jsonl OUT.jsonl`.
//! With `--exhaustive`, the results are those of the exhaustive scan.
//! With `--explanations FILE`, also writes every query's full matches
//! (explanations and reasons included) to FILE, one JSON line a query,
//! so that a change meant to keep answers byte-identical can be diffed.
//! With `--recall`, also reports the candidate stage's recall against an
//! exhaustive scan (top-10 ids and top-1).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use tansiq_matching::{Index, MatcherConfig, eval};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: eval W.jsonl Q.jsonl OUT.jsonl [--recall] [--exhaustive]");
        std::process::exit(2);
    }
    let watchlist = eval::read_watchlist(BufReader::new(File::open(&args[0])?))?;
    let queries = eval::read_queries(BufReader::new(File::open(&args[1])?))?;
    let t = Instant::now();
    let mut config = MatcherConfig::default();
    // Overrides for parameter sweeps: TANSIQ_MATCH_CFG="credit_floor=0.7,rarity_power=0.6"
    if let Ok(spec) = std::env::var("TANSIQ_MATCH_CFG") {
        for kv in spec.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').ok_or("expected key=value")?;
            let v: f64 = v.parse()?;
            match k {
                "idf_power" => config.idf_power = v,
                "generic_weight" => config.generic_weight = v,
                "credit_floor" => config.credit_floor = v,
                "credit_full" => config.credit_full = v,
                "credit_power" => config.credit_power = v,
                "query_coverage_weight" => config.query_coverage_weight = v,
                "rare_evidence" => config.rare_evidence = v,
                "rarity_power" => config.rarity_power = v,
                "weak_alias_factor" => config.weak_alias_factor = v,
                "edge_weight" => config.edge_weight = v,
                "middle_miss_weight" => config.middle_miss_weight = v,
                "family_miss_factor" => config.family_miss_factor = v,
                "given_miss_factor" => config.given_miss_factor = v,
                "generic_name_extra_factor" => config.generic_name_extra_factor = v,
                "alias_extra_part_factor" => config.alias_extra_part_factor = v,
                "query_coverage_power" => config.query_coverage_power = v,
                "combined_names_factor" => config.combined_names_factor = v,
                "calibration_power" => config.calibration_power = v,
                "common_share" => config.common_share = v,
                "name_only_cap" => config.name_only_cap = v,
                "qualifier_cap" => config.qualifier_cap = v,
                // learned=1: the fitted model, learned=0: the rule-based score
                "learned" => {
                    config.model = (v > 0.0).then(tansiq_matching::LinearModel::fitted);
                }
                _ => return Err(format!("unknown setting {k}").into()),
            }
        }
    }
    let index = Index::build(watchlist, config);
    eprintln!(
        "index: {} entities, {} names, built in {:?}",
        index.len(),
        index.name_count(),
        t.elapsed()
    );
    let origin = Instant::now();
    let mut results = eval::run(&index, &queries, 10, || origin.elapsed());
    if args.iter().any(|a| a == "--exhaustive") {
        // every query token compared with every vocabulary entry: what the
        // scores would be with a perfect candidate stage (slow; the
        // elapsed times are the candidate stage's)
        for (q, r) in queries.iter().zip(&mut results) {
            r.matches = index
                .screen_exhaustive(&q.query, 10)
                .into_iter()
                .map(|m| eval::EvalMatch {
                    id: m.entity_id.to_string(),
                    score: m.score,
                })
                .collect();
        }
    }
    let mut out = BufWriter::new(File::create(&args[2])?);
    for r in &results {
        writeln!(out, "{}", r.to_json_line())?;
    }
    out.flush()?;
    if let Some(path) = args
        .iter()
        .position(|a| a == "--explanations")
        .and_then(|i| args.get(i + 1))
    {
        let mut out = BufWriter::new(File::create(path)?);
        for q in &queries {
            let matches = index.screen(&q.query, 10);
            writeln!(out, "{}\t{}", q.qid, serde_json::to_string(&matches)?)?;
        }
        out.flush()?;
    }
    if args.iter().any(|a| a == "--recall") {
        let (mut same_top1, mut found, mut total, mut n) = (0usize, 0usize, 0usize, 0usize);
        for (q, r) in queries.iter().zip(&results) {
            let ex = index.screen_exhaustive(&q.query, 10);
            n += 1;
            if ex.first().map(|m| &m.entity_id) == r.matches.first().map(|m| &m.id) {
                same_top1 += 1;
            }
            for m in ex.iter().filter(|m| m.score >= 0.5) {
                total += 1;
                if r.matches.iter().any(|x| x.id == m.entity_id) {
                    found += 1;
                }
            }
        }
        eprintln!(
            "candidate recall vs exhaustive: top-1 same {same_top1}/{n} ({:.4}); exhaustive matches >= 0.5 found {found}/{total} ({:.4})",
            same_top1 as f64 / n as f64,
            found as f64 / total.max(1) as f64
        );
    }
    Ok(())
}
