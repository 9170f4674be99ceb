//! Import throughput on a generated watchlist (fictitious entities from
//! `tansiq-synth`). Prints figures; asserts nothing about time.
//!
//! ```text
//! cargo run --release -p tansiq-store --example import_bench -- /tmp/bench.db 100000
//! cargo run --release -p tansiq-store --example import_bench -- postgres://postgres@127.0.0.1/bench 100000
//! ```
//!
//! Steps: first import of N entities; a second version with 1% changed,
//! 0.5% removed and 0.5% added; the second version again (unchanged); the
//! load of every active entity (what the screening index is built from).
//! The store at the location must be empty.

use std::time::Instant;

use tansiq_model::prop;
use tansiq_store::Store;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(location), n) = (args.get(1), args.get(2)) else {
        eprintln!("usage: import_bench LOCATION [N]");
        std::process::exit(2);
    };
    let n: usize = n.map_or(Ok(100_000), |s| s.parse())?;
    let store = Store::open(location).await?;

    let v1: Vec<_> = tansiq_synth::generate(7, n).collect();
    let t = Instant::now();
    let r = store.import_list("bench", "v1", v1.clone()).await?;
    report("first import", n, t, &r);

    let mut v2 = v1;
    let step_change = 100;
    let step_remove = 200;
    for (i, e) in v2.iter_mut().enumerate() {
        if i % step_change == 1 {
            e.add(prop::NOTES, "amended in v2");
        }
    }
    let mut i = 0usize;
    v2.retain(|_| {
        i += 1;
        i % step_remove != 3
    });
    let added = n / step_remove;
    v2.extend(tansiq_synth::generate(8, added).map(|mut e| {
        e.id = format!("v2-{}", e.id);
        e
    }));
    let t = Instant::now();
    let r = store.import_list("bench", "v2", v2.clone()).await?;
    report("new version", v2.len(), t, &r);

    let t = Instant::now();
    let r = store.import_list("bench", "v2", v2).await?;
    report("same again", n, t, &r);

    let t = Instant::now();
    let active = store.active_entities().await?;
    println!(
        "{:<14} {:>8} entities in {:>8.2} s",
        "load active",
        active.len(),
        t.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

fn report(step: &str, n: usize, t: Instant, r: &tansiq_store::ImportReport) {
    let s = t.elapsed().as_secs_f64();
    println!(
        "{step:<14} {n:>8} entities in {s:>8.2} s ({:>7.0}/s): +{} ~{} -{}{}",
        n as f64 / s,
        r.added.len(),
        r.changed.len(),
        r.removed.len(),
        if r.unchanged { " (unchanged)" } else { "" }
    );
}
