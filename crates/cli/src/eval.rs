//! `tansiq eval` and `tansiq match-pairs`: the contracts by which matching
//! quality is measured (see `shared/bench/README.md`). Keep their formats
//! stable.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use tansiq_matching::{Index, MatcherConfig, eval, score_pair};
use tansiq_model::Entity;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// FollowTheMoney JSON-lines watchlist, loaded into memory.
    #[arg(long)]
    pub watchlist: PathBuf,
    /// Query JSON lines; only `qid`, `schema` and `properties` are read.
    #[arg(long)]
    pub queries: PathBuf,
    /// Where to write one result line per query.
    #[arg(long)]
    pub out: PathBuf,
    /// Matches kept per query.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

fn open(path: &PathBuf) -> Result<BufReader<File>> {
    Ok(BufReader::new(File::open(path).with_context(|| {
        format!("cannot open {}", path.display())
    })?))
}

pub fn run_eval(args: EvalArgs) -> Result<()> {
    let watchlist = eval::read_watchlist(open(&args.watchlist)?)
        .with_context(|| format!("reading {}", args.watchlist.display()))?;
    let queries = eval::read_queries(open(&args.queries)?)
        .with_context(|| format!("reading {}", args.queries.display()))?;
    let built = Instant::now();
    let index = Index::build(watchlist, MatcherConfig::default());
    let build_ms = built.elapsed().as_secs_f64() * 1e3;
    let origin = Instant::now();
    let results = eval::run(&index, &queries, args.limit, || origin.elapsed());
    let mut out = BufWriter::new(
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?,
    );
    for r in &results {
        writeln!(out, "{}", r.to_json_line())?;
    }
    out.flush()?;
    let mut us: Vec<u64> = results.iter().map(|r| r.elapsed_us).collect();
    us.sort_unstable();
    let pct = |p: f64| {
        us.get(((us.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    eprintln!(
        "{} entities ({} names) indexed in {build_ms:.0} ms; {} queries screened: p50 {} µs, p99 {} µs; results in {}",
        index.len(),
        index.name_count(),
        results.len(),
        pct(0.5),
        pct(0.99),
        args.out.display()
    );
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct MatchPairsArgs {
    /// Input JSON lines: `{"id": …, "a": {"schema", "properties"}, "b": {…}}`.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Output JSON lines: `{"id": …, "score": 0..1}`.
    #[arg(long)]
    pub out: PathBuf,
}

/// One side of a pair: an FtM entity whose `id` is optional.
#[derive(Debug, Deserialize)]
struct PairSide {
    #[serde(default)]
    id: Option<String>,
    schema: tansiq_model::Schema,
    #[serde(default)]
    properties: tansiq_model::Properties,
}

impl PairSide {
    fn into_entity(self, fallback_id: &str) -> Entity {
        let mut e = Entity::new(
            self.id.unwrap_or_else(|| fallback_id.to_string()),
            self.schema,
        );
        e.properties = self.properties;
        e
    }
}

#[derive(Debug, Deserialize)]
struct PairLine {
    id: serde_json::Value,
    a: PairSide,
    b: PairSide,
}

pub fn run_match_pairs(args: MatchPairsArgs) -> Result<()> {
    let config = MatcherConfig::default();
    let mut out = BufWriter::new(
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?,
    );
    let mut n = 0usize;
    for (i, line) in open(&args.input)?.lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", args.input.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let pair: PairLine = match serde_json::from_str(&line) {
            Ok(p) => p,
            Err(e) => bail!("{}: line {}: {e}", args.input.display(), i + 1),
        };
        let (score, _) = score_pair(&pair.a.into_entity("a"), &pair.b.into_entity("b"), &config);
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": pair.id, "score": score})
        )?;
        n += 1;
    }
    out.flush()?;
    eprintln!("{n} pairs scored; results in {}", args.out.display());
    Ok(())
}
