//! A node for load measurements: imports a UN SC consolidated XML file into
//! a fresh SQLite store in a temp folder, creates an officer with a key,
//! prints `TOKEN=<key>` and serves on 127.0.0.1:<port> until killed (rate
//! limit off; everything else as configured by default, audit included).
//!
//! `cargo run --release -p tansiq-server --example bench_node -- <un.xml> <port>`
//! (driven by `crates/server/bench/screen.sh`). With `generated:<N>` instead
//! of a file it imports N entities of the deterministic fictitious
//! watchlist of `tansiq-synth` (the one `tansiq bench` uses).

use std::sync::Arc;

use tansiq_server::{AppState, Config, Pepper, StoreAudit, create_key, serve_on};
use tansiq_store::{Role, Store};

/// The same allocator as the `tansiq` binary, so the figures are the node's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let list = args.next().expect("usage: bench_node <un.xml> <port>");
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8088);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.server.listen = format!("127.0.0.1:{port}");
    config.store.location = dir.path().join("bench.db").display().to_string();
    config.security.pepper_file = dir.path().join("pepper");
    config.node.identity_file = dir.path().join("identity");
    config.audit.checkpoint_file = dir.path().join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    let store = Store::open(&config.store.location).await.unwrap();
    let started = std::time::Instant::now();
    let n = match list.strip_prefix("generated:") {
        Some(count) => {
            let count: usize = count.parse().expect("generated:<N>");
            let entities: Vec<_> = tansiq_synth::generate(42, count).collect();
            store
                .import_list("synthetic", "seed-42", entities)
                .await
                .unwrap();
            count
        }
        None => {
            let bytes = std::fs::read(&list).unwrap();
            let parsed = tansiq_lists::parse(tansiq_lists::Format::UnXml, &bytes).unwrap();
            let n = parsed.entities.len();
            store
                .import_list(&parsed.source, &parsed.version, parsed.entities)
                .await
                .unwrap();
            n
        }
    };
    eprintln!(
        "bench node: imported {n} entities in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let pepper = Pepper::load_or_create(&config.security.pepper_file).unwrap();
    store.create_agency("bench", "Bench agency").await.unwrap();
    store
        .create_user("bench-officer", "bench", "Bench", &[Role::Officer])
        .await
        .unwrap();
    let key = create_key(&store, &pepper, "bench-officer", "bench", 1)
        .await
        .unwrap();
    // BENCH_AUDIT=memory measures the same node without the store's audit
    // log (events kept in memory instead), to see what auditing costs.
    let audit: Arc<dyn tansiq_server::AuditSink> = match std::env::var("BENCH_AUDIT").as_deref() {
        Ok("memory") => Arc::new(tansiq_server::MemoryAudit::default()),
        _ => Arc::new(StoreAudit::start(store.clone())),
    };
    let state = AppState::new(store, config, pepper, audit).await.unwrap();
    eprintln!("bench node: {n} entities, listening on 127.0.0.1:{port}");
    println!("TOKEN={}", key.token);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    serve_on(state, listener, None, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .unwrap();
}
