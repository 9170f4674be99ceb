//! Scale check without the CLI: builds an index over N generated
//! fictitious persons (3 names each) and screens a fixed query mix.
//! `cargo run --release -p tansiq-matching --example scale -- 1000000 [ROUNDS]`

use std::time::Instant;

use tansiq_matching::{Index, MatcherConfig, Query};
use tansiq_model::{Entity, Schema, prop};

const GIVEN: &[&str] = &[
    "Mohamed",
    "Muhammad",
    "Ahmed",
    "Ahmad",
    "Ali",
    "Omar",
    "Youssef",
    "Yusuf",
    "Khaled",
    "Khalid",
    "Abdelkader",
    "Abd al-Qadir",
    "Abderrahmane",
    "Noureddine",
    "Nur al-Din",
    "Hamza",
    "Karim",
    "Djamel",
    "Jamal",
    "Said",
    "Mustafa",
    "Ibrahim",
    "Ismail",
    "Tarek",
    "Samir",
    "Bilal",
    "Hassan",
    "Hussein",
    "Saifullah",
    "Abu Bakr",
];
const SYL: &[&str] = &[
    "ba", "da", "fa", "ha", "ja", "ka", "la", "ma", "na", "ra", "sa", "ta", "za", "kh", "sh", "ou",
    "ri", "di", "li", "mi", "ni", "zi", "qa", "gh", "dj", "el", "al", "bou", "ben", "i",
];

fn rng(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn family(state: &mut u64) -> String {
    let n = 2 + (rng(state) % 3) as usize;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYL[(rng(state) % SYL.len() as u64) as usize]);
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    // With a third argument P > 0, family names are drawn from a pool of
    // P names, so that every name part is common (like a large list drawn
    // from a small vocabulary), and generated entities are screened too.
    let pool: usize = std::env::args()
        .nth(3)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let families: Vec<String> = (0..pool).map(|_| family(&mut state)).collect();
    let family = |state: &mut u64| {
        if families.is_empty() {
            family(state)
        } else {
            families[(rng(state) % families.len() as u64) as usize].clone()
        }
    };
    let t = Instant::now();
    let entities: Vec<Entity> = (0..n)
        .map(|i| {
            let mut e = Entity::new(format!("G{i}"), Schema::Person);
            let g = GIVEN[(rng(&mut state) % GIVEN.len() as u64) as usize];
            let m = GIVEN[(rng(&mut state) % GIVEN.len() as u64) as usize];
            let f = family(&mut state);
            let f2 = family(&mut state);
            e.add(prop::NAME, format!("{g} {m} {f}"));
            e.add(prop::ALIAS, format!("{g} {f} {f2}"));
            e.add(prop::ALIAS, format!("{f}, {g}"));
            e
        })
        .collect();
    eprintln!("generated {n} entities in {:?}", t.elapsed());
    let t = Instant::now();
    let index = Index::build(entities, MatcherConfig::default());
    eprintln!(
        "built index: {} names in {:?}",
        index.name_count(),
        t.elapsed()
    );
    let mut queries: Vec<String> = [
        "Abdelkader Ben Ali Haddad",
        "عبد القادر بن علي حداد",
        "Mohamed Said",
        "Nour Eddine Belkacem",
        "Mohamed Ali",
        "Youssef Kharibou",
        "Samir Lamouri Sadi",
        "KHALED<<MOHAMED<ZARIQA",
    ]
    .iter()
    .map(|q| q.to_string())
    .collect();
    // Generated entities screened by their primary name (pool mode):
    // (query index, expected id).
    let mut expected: Vec<(usize, String)> = Vec::new();
    if pool > 0 {
        for k in 0..12 {
            let i = (k * 7919) % n;
            if let Some(e) = index.entity(&format!("G{i}"))
                && let Some(name) = e.names().first()
            {
                expected.push((queries.len(), e.id.clone()));
                queries.push(name.value.to_string());
            }
        }
    }
    let cpu0 = cpu_ticks();
    let mut times = Vec::new();
    let mut per_query: Vec<Vec<u64>> = vec![Vec::new(); queries.len()];
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    for round in 0..rounds {
        for (qi, q) in queries.iter().enumerate() {
            let query = Query::name(q);
            let t = Instant::now();
            let r = index.screen_scores(&query, 10);
            if round == 0
                && let Some((_, id)) = expected.iter().find(|x| x.0 == qi)
            {
                let found = r.iter().any(|m| m.0 == id);
                eprintln!("  {q}: {id} {}", if found { "found" } else { "MISSED" });
            }
            let us = t.elapsed().as_micros() as u64;
            if round > 0 {
                times.push(us);
                per_query[qi].push(us);
            }
            std::hint::black_box(r);
        }
    }
    if let (Some(a), Some(b)) = (cpu0, cpu_ticks()) {
        // CPU time is less disturbed than wall time on a loaded machine
        let n = (rounds * queries.len()).max(1) as f64;
        eprintln!(
            "  process CPU time per screening: {:.0}us (mean over {n} screenings)",
            (b - a) as f64 * 10_000.0 / n
        );
    }
    for (q, ts) in queries.iter().zip(&mut per_query) {
        ts.sort_unstable();
        eprintln!("  median {:>7}us  {q}", ts[ts.len() / 2]);
    }
    times.sort_unstable();
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "entities={n} names={} screen_scores p50={}us p99={}us max={}us",
        index.name_count(),
        p(0.5),
        p(0.99),
        times[times.len() - 1]
    );
}

/// User + system CPU time of this process in clock ticks (1/100 s on
/// Linux), from `/proc/self/stat`; `None` elsewhere.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}
