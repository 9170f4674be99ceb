//! Audit append throughput, one event per transaction against group
//! commits of several sizes. Prints figures; asserts nothing about time.
//!
//! ```text
//! cargo run -p tansiq-store --example audit_bench -- /tmp/audit.db 2000
//! cargo run -p tansiq-store --example audit_bench -- postgres://postgres@127.0.0.1/audit_bench 2000
//! ```

use std::time::Instant;

use serde_json::json;
use tansiq_store::{AuditEvent, Store};
use time::OffsetDateTime;

fn event(i: usize) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::now_utc(),
        actor: "officer-1".into(),
        action: "screen".into(),
        subject: None,
        facts: json!({"agency": "demo", "outcome": "ok", "band": "none"}),
        payload: json!({"query": {"name": "Fictive Traveller", "n": i}, "post": "ALG-T1"}),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(location), n) = (args.get(1), args.get(2)) else {
        eprintln!("usage: audit_bench LOCATION [N]");
        std::process::exit(2);
    };
    let n: usize = n.map_or(Ok(2_000), |s| s.parse())?;
    let store = Store::open(location).await?;
    for batch in [1usize, 10, 100, 1000] {
        let t = Instant::now();
        let mut i = 0;
        while i < n {
            let events: Vec<AuditEvent> = (i..(i + batch).min(n)).map(event).collect();
            i += events.len();
            store.append_audit_batch(&events).await?;
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "batch {batch:>5}: {n} events in {s:>7.3} s = {:>8.0} events/s",
            n as f64 / s
        );
    }
    let t = Instant::now();
    let verified = store.verify_audit().await?;
    println!(
        "verify: {verified} events in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}
