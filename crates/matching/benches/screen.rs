//! Screening latency: one query against the benchmark watchlist (when
//! `TANSIQ_SHARED` is set) and against a generated fictitious watchlist.
//! `cargo bench -p tansiq-matching --bench screen`
//!
//! Benchmarks print figures; they assert nothing.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tansiq_matching::{Index, MatcherConfig, Query};
use tansiq_model::{Entity, Schema, prop};

/// A deterministic fictitious watchlist mixing common and rare Arabic
/// name parts in several transliterations.
fn generated(n: usize) -> Vec<Entity> {
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
    ];
    const FAMILY: &[&str] = &[
        "Haddad", "Benali", "Ben Ali", "Bouzid", "Belkacem", "Hamdan", "Qaddur", "Kaddour",
        "Mansour", "Slimani", "Saidi", "Amrani", "Zerrouki", "Tahiri", "Lahlou", "Cherif",
        "Sharif", "Bakri", "Fassi", "Masri", "Libi", "Tunisi", "Jazairi", "Hijazi", "Rifai",
        "Dabbagh", "Najjar",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let mut e = Entity::new(format!("G{i}"), Schema::Person);
            let g = GIVEN[(next() % GIVEN.len() as u64) as usize];
            let f = FAMILY[(next() % FAMILY.len() as u64) as usize];
            let m = GIVEN[(next() % GIVEN.len() as u64) as usize];
            // a rare synthetic family part makes most entities distinct
            let rare = format!(
                "{}{}",
                &f[..3],
                ["oun", "ani", "awi", "ouri", "eddine"][(next() % 5) as usize]
            );
            e.add(prop::NAME, format!("{g} {m} {f} {rare}"));
            e.add(prop::ALIAS, format!("{g} {f}"));
            e
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let queries = [
        Query::name("Abdelkader Ben Ali Haddad"),
        Query::name("عبد القادر بن علي حداد"),
        Query::name("Mohamed Said"),
        Query::name("Nour Eddine Belkacem"),
    ];
    for n in [1_000usize, 20_000] {
        let index = Index::build(generated(n), MatcherConfig::default());
        c.bench_function(&format!("screen generated {n}"), |b| {
            let mut i = 0;
            b.iter(|| {
                i += 1;
                black_box(index.screen_scores(&queries[i % queries.len()], 10))
            })
        });
    }
    if let Some(dir) = std::env::var_os("TANSIQ_SHARED") {
        let path = std::path::Path::new(&dir).join("bench/watchlist.jsonl");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let entities =
                tansiq_matching::eval::read_watchlist(text.as_bytes()).unwrap_or_default();
            let index = Index::build(entities, MatcherConfig::default());
            c.bench_function("screen bench watchlist (1003 entities)", |b| {
                let mut i = 0;
                b.iter(|| {
                    i += 1;
                    black_box(index.screen_scores(&queries[i % queries.len()], 10))
                })
            });
            c.bench_function("screen with explanations, bench watchlist", |b| {
                let mut i = 0;
                b.iter(|| {
                    i += 1;
                    black_box(index.screen(&queries[i % queries.len()], 10))
                })
            });
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
