//! Writes a synthetic benchmark in the format of `shared/bench` so that
//! `tansiq eval` and `score.py` run on it unchanged:
//!
//! ```text
//! cargo run --release -p tansiq-synth --example bench_files -- DIR [ENTITIES] [QUERIES] [SEED]
//! tansiq eval --watchlist DIR/watchlist.jsonl --queries DIR/queries.jsonl --out DIR/results.jsonl
//! python3 shared/bench/score.py DIR/queries.jsonl DIR/results.jsonl
//! ```
//!
//! Each traveller gives two queries: the name alone (track `syn-<rule>`,
//! the first variation rule, or `syn-innocent…`) and the name with date of
//! birth, nationality and passport number (track `syn-<rule>-full`, left
//! out of score.py's overall figures like the real `*-full` tracks).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde_json::json;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .expect("usage: bench_files DIR [ENTITIES] [QUERIES] [SEED]"),
    );
    let num = |i: usize, default: u64| {
        args.get(i)
            .map_or(default, |s| s.parse().expect("a number"))
    };
    let (entities, queries, seed) = (num(1, 100_000) as usize, num(2, 5_000) as usize, num(3, 42));
    std::fs::create_dir_all(&dir)?;
    let list: Vec<tansiq_model::Entity> = tansiq_synth::generate(seed, entities).collect();
    let mut w = BufWriter::new(File::create(dir.join("watchlist.jsonl"))?);
    for e in &list {
        // Only the FollowTheMoney part: what a public list would carry.
        serde_json::to_writer(
            &mut w,
            &json!({"id": e.id, "schema": e.schema, "properties": e.properties}),
        )?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    let travellers =
        tansiq_synth::travellers(seed, queries, &list).expect("the population has persons");
    let mut w = BufWriter::new(File::create(dir.join("queries.jsonl"))?);
    for (i, t) in travellers.iter().enumerate() {
        let rule = t.how.split('+').next().unwrap_or("?");
        let track = format!("syn-{rule}");
        let name_only = json!({
            "qid": format!("syn-{i:06}"),
            "track": track,
            "schema": "Person",
            "properties": {"name": [t.traveller.name]},
            "expected": t.expected,
            "how": t.how,
        });
        let full = json!({
            "qid": format!("syn-{i:06}-full"),
            "track": format!("{track}-full"),
            "schema": "Person",
            "properties": t.traveller.to_entity("q").properties,
            "expected": t.expected,
            "how": t.how,
        });
        for q in [name_only, full] {
            serde_json::to_writer(&mut w, &q)?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;
    println!(
        "wrote {} entities and {} queries ({} travellers, name-only and -full) to {}",
        list.len(),
        2 * travellers.len(),
        travellers.len(),
        dir.display()
    );
    Ok(())
}
