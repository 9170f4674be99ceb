//! Prints the top matches of one name with their explanations:
//! `cargo run --release -p tansiq-matching --example explain -- W.jsonl "name" [Person|Organization]`

use std::fs::File;
use std::io::BufReader;

use tansiq_matching::{Index, MatcherConfig, Query, eval};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: explain W.jsonl NAME [SCHEMA]");
        std::process::exit(2);
    }
    let watchlist = eval::read_watchlist(BufReader::new(File::open(&args[0])?))?;
    let index = Index::build(watchlist, MatcherConfig::default());
    let mut q = Query::name(&args[1]);
    if let Some(s) = args.get(2) {
        q.schema = Some(s.parse()?);
    }
    for t in tansiq_names::tokenize(&args[1]) {
        println!(
            "token {:?} skeleton {} kind {:?} variants {:?}",
            t.text,
            t.skeleton,
            t.kind,
            t.variants.iter().map(|v| &v.text).collect::<Vec<_>>()
        );
    }
    for m in index.screen(&q, 5) {
        println!(
            "{} {:.3} {:?}\n{}",
            m.entity_id, m.score, m.band, m.explanation
        );
    }
    Ok(())
}
