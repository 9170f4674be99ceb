//! Error analysis: screens every query and writes, per query, the top
//! matches with their full explanations as JSON lines
//! (`{"qid", "matches": [{"id", "score", "ex": Explanation}]}`).
//! `cargo run --release -p tansiq-matching --example dump -- W.jsonl Q.jsonl OUT.jsonl [TOP]`

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};

use tansiq_matching::{Index, MatcherConfig, eval};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: dump W.jsonl Q.jsonl OUT.jsonl [TOP]");
        std::process::exit(2);
    }
    let watchlist = eval::read_watchlist(BufReader::new(File::open(&args[0])?))?;
    let queries = eval::read_queries(BufReader::new(File::open(&args[1])?))?;
    let top: usize = args.get(3).map_or(Ok(10), |s| s.parse())?;
    let index = Index::build(watchlist, MatcherConfig::default());
    let mut out = BufWriter::new(File::create(&args[2])?);
    for q in &queries {
        let matches: Vec<serde_json::Value> = index
            .screen(&q.query, top)
            .into_iter()
            .map(|m| serde_json::json!({"id": m.entity_id, "score": m.score, "ex": m.explanation}))
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"qid": q.qid, "matches": matches})
        )?;
    }
    out.flush()?;
    Ok(())
}
