//! Generates the benchmark population in memory and prints how long it took:
//! `cargo run --release -p tansiq-synth --example generate -- 1000000 42`
//! (count, seed). Add `--travellers` to also time making 10,000 labelled
//! travellers against the population. Add `--jsonl` to print the entities as FollowTheMoney JSON
//! lines instead (e.g. to feed `tansiq eval`).

use std::io::Write;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let jsonl = args.iter().any(|a| a == "--jsonl");
    let mut nums = args.iter().filter(|a| !a.starts_with("--"));
    let n: usize = nums
        .next()
        .map_or(1_000_000, |s| s.parse().expect("count is a number"));
    let seed: u64 = nums
        .next()
        .map_or(42, |s| s.parse().expect("seed is a number"));
    if jsonl {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for e in tansiq_synth::generate(seed, n) {
            serde_json::to_writer(&mut out, &e).expect("write");
            out.write_all(b"\n").expect("write");
        }
        return;
    }
    let start = Instant::now();
    let list: Vec<tansiq_model::Entity> = tansiq_synth::generate(seed, n).collect();
    let elapsed = start.elapsed();
    let names: usize = list.iter().map(|e| e.names().len()).sum();
    println!(
        "generated {n} entities, {names} names, seed {seed}: {:.2} s ({:.2} µs per entity)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
    if args.iter().any(|a| a == "--travellers") {
        let start = Instant::now();
        let t = tansiq_synth::travellers(seed, 10_000, &list).expect("the population has persons");
        let elapsed = start.elapsed();
        let mut by_how = std::collections::BTreeMap::new();
        for x in &t {
            let key = if x.expected.is_some() {
                "listed"
            } else {
                x.how.as_str()
            };
            *by_how.entry(key).or_insert(0) += 1;
        }
        println!(
            "made {} travellers {by_how:?} in {:.2} s",
            t.len(),
            elapsed.as_secs_f64()
        );
    }
}
