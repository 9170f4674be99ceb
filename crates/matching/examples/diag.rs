//! Error analysis: for each query id read on stdin (one a line, optionally
//! followed by a tab and the expected entity id), prints the query, the
//! top matches with their explanations and, when given and not in the
//! top 3, the expected entity's explanation.
//! `cut -f1,2 ids.tsv | cargo run --release -p tansiq-matching --example diag -- W.jsonl Q.jsonl`

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};

use tansiq_matching::{Index, MatcherConfig, eval};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: diag W.jsonl Q.jsonl < ids");
        std::process::exit(2);
    }
    let watchlist = eval::read_watchlist(BufReader::new(File::open(&args[0])?))?;
    let queries = eval::read_queries(BufReader::new(File::open(&args[1])?))?;
    let by_id: HashMap<&str, &eval::EvalQuery> =
        queries.iter().map(|q| (q.qid.as_str(), q)).collect();
    let index = Index::build(watchlist, MatcherConfig::default());
    let top: usize = std::env::var("DIAG_TOP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut parts = line.split('\t');
        let Some(qid) = parts.next().filter(|s| !s.is_empty()) else {
            continue;
        };
        let expected = parts.next().filter(|s| !s.is_empty() && *s != "None");
        let Some(q) = by_id.get(qid) else {
            println!("?? {qid}");
            continue;
        };
        println!(
            "==== {qid} names={:?} dob={:?} nat={:?} schema={:?} expected={expected:?}",
            q.query.names, q.query.birth_dates, q.query.nationalities, q.query.schema
        );
        let hits = index.screen(&q.query, 50);
        for (rank, m) in hits.iter().enumerate() {
            let is_exp = Some(m.entity_id.as_str()) == expected;
            if rank < top || is_exp {
                let name = index
                    .entity(&m.entity_id)
                    .map(|e| {
                        e.names()
                            .first()
                            .map(|n| n.value.to_string())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default();
                println!(
                    "#{rank} {}{} [{}] {}",
                    m.entity_id,
                    if is_exp { " (EXPECTED)" } else { "" },
                    name,
                    m.explanation
                );
            }
        }
        if let Some(exp) = expected
            && !hits.iter().any(|m| m.entity_id == exp)
        {
            println!("expected {exp} not among 50");
        }
    }
    Ok(())
}
