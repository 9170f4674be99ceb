//! Crash durability: every national entry whose write was acknowledged is
//! still there after the writing process is killed with SIGKILL.
//!
//! This binary is its own child: run with `TANSIQ_STORE_CRASH_CHILD` set to
//! a store location, it writes entries in a loop and prints each id once
//! `put_entry` has returned. The parent kills it mid-stream, reopens the
//! store and checks every printed id. A process kill tests that a write is
//! committed before it is acknowledged; it does not cut power, so the fsync
//! half of durability (`synchronous=FULL`) is not exercised here.

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tansiq_model::{Entity, Schema, prop};
use tansiq_store::Store;

const CHILD_LOCATION: &str = "TANSIQ_STORE_CRASH_CHILD";
const CHILD_ROUND: &str = "TANSIQ_STORE_CRASH_ROUND";
/// Acknowledged writes to wait for before each kill (varied so the kill
/// lands at different points of a transaction).
const KILL_AFTER: [usize; 3] = [40, 97, 151];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// In a child process (re-invoked by the parent test), writes until it is
/// killed and returns `true`; in the parent returns `false`.
fn run_as_child() -> bool {
    let Ok(location) = std::env::var(CHILD_LOCATION) else {
        return false;
    };
    let round = std::env::var(CHILD_ROUND).unwrap_or_default();
    runtime().block_on(child(&location, &round));
    true
}

#[test]
fn crash_on_sqlite() {
    if run_as_child() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("crash.db");
    let location = path.to_str().expect("utf-8 path").to_string();
    let kept = runtime().block_on(crash_rounds("crash_on_sqlite", &location));
    eprintln!("crash on sqlite: ok, {kept} acknowledged writes survived 3 kills");
}

#[test]
fn crash_on_postgres() {
    if run_as_child() {
        return;
    }
    let Some(server) = tansiq_testkit::postgres_url("PostgreSQL crash test") else {
        return;
    };
    runtime().block_on(async {
        let db = support::TestDb::create(&server, "crash").await;
        let url = db.url.clone();
        let outcome =
            tokio::spawn(async move { crash_rounds("crash_on_postgres", &url).await }).await;
        db.drop_db().await;
        match outcome {
            Ok(kept) => {
                eprintln!("crash on postgres: ok, {kept} acknowledged writes survived 3 kills")
            }
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    });
}

/// Runs the kill rounds on one store; returns how many writes were
/// acknowledged (and found) in all.
async fn crash_rounds(test: &str, location: &str) -> usize {
    // Create the schema first so the children race only on writes.
    Store::open(location)
        .await
        .expect("create store")
        .close()
        .await;
    let mut acknowledged = BTreeSet::new();
    for (round, kill_after) in KILL_AFTER.iter().enumerate() {
        let acked = run_and_kill(test, location, round, *kill_after);
        assert!(
            acked.len() >= *kill_after,
            "round {round}: the child acknowledged only {} writes",
            acked.len()
        );
        acknowledged.extend(acked);

        let store = Store::open(location).await.expect("reopen after kill");
        let active: BTreeSet<String> = store
            .active_entities()
            .await
            .expect("read after kill")
            .into_iter()
            .map(|e| e.id)
            .collect();
        let lost: Vec<&String> = acknowledged.difference(&active).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} acknowledged writes lost after kill -9, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(5)]
        );
        // The shared entry's history is whole: versions 1..=n, no gap.
        let history = store.entity_history("crash-shared").await.expect("history");
        let versions: Vec<i64> = history.iter().map(|v| v.version).collect();
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, expected, "round {round}: history has gaps");
        // And the store takes writes again.
        store
            .put_entry(entry(&format!("after-{round}"), None), "crash-test")
            .await
            .expect("write after reopen");
        acknowledged.insert(format!("after-{round}"));
        store.close().await;
    }
    acknowledged.len()
}

/// Starts a writer child, waits for `kill_after` acknowledgements, kills it
/// with SIGKILL and returns every id it acknowledged before dying.
fn run_and_kill(test: &str, location: &str, round: usize, kill_after: usize) -> BTreeSet<String> {
    let exe = std::env::current_exe().expect("own executable");
    // The child is this test binary running only the same test, which sees
    // CHILD_LOCATION and writes until killed; libtest's own lines on stdout
    // are told apart from acknowledged ids by the ids' prefix.
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_LOCATION, location)
        .env(CHILD_ROUND, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the writer");
    let mut lines = BufReader::new(child.stdout.take().expect("child stdout")).lines();
    let mut acked = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.len() < kill_after && Instant::now() < deadline {
        match lines.next() {
            Some(Ok(id)) => {
                if id.starts_with("crash-") {
                    acked.insert(id);
                }
            }
            _ => break,
        }
    }
    // Child::kill sends SIGKILL on Unix: no destructor, no flush, no
    // rollback runs in the child.
    child.kill().expect("kill the writer");
    let status = child.wait().expect("reap the writer");
    assert!(!status.success(), "the writer was killed, not finished");
    // Ids printed before the kill are acknowledged too.
    for id in lines.map_while(Result::ok) {
        if id.starts_with("crash-") {
            acked.insert(id);
        }
    }
    acked
}

fn entry(id: &str, note: Option<&str>) -> Entity {
    let mut e = Entity::new(id, Schema::Person);
    e.add(prop::NAME, "Crash Fictive Writer");
    if let Some(note) = note {
        e.add(prop::NOTES, note);
    }
    e
}

/// The child: writes forever (until killed), acknowledging each write on
/// stdout after `put_entry` returned. Every other write updates one shared
/// entry, so the kill also lands in updates of an existing row.
async fn child(location: &str, round: &str) {
    let store = Store::open(location).await.expect("child opens the store");
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let id = format!("crash-{round}-{i}");
        store
            .put_entry(entry(&id, None), "crash-writer")
            .await
            .expect("child write");
        writeln!(out, "{id}").expect("acknowledge");
        out.flush().expect("flush acknowledgement");
        store
            .put_entry(
                entry("crash-shared", Some(&format!("{round} {i}"))),
                "crash-writer",
            )
            .await
            .expect("child update");
    }
}
