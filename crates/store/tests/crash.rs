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
use tansiq_store::{Expect, Store};

const CHILD_LOCATION: &str = "TANSIQ_STORE_CRASH_CHILD";
const CHILD_ROUND: &str = "TANSIQ_STORE_CRASH_ROUND";
/// Set in a child that writes entries with their audit events.
const CHILD_AUDITED: &str = "TANSIQ_STORE_CRASH_AUDITED";
/// Kill trials of the audited writer per backend; more with
/// `TANSIQ_CRASH_TRIALS` (issue 16 asks for at least 20).
const AUDITED_TRIALS: usize = 20;
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
    if std::env::var_os(CHILD_AUDITED).is_some() {
        runtime().block_on(audited_child(&location, &round));
    } else {
        runtime().block_on(child(&location, &round));
    }
    true
}

#[test]
fn audited_crash_on_sqlite() {
    if run_as_child() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("crash.db");
    let location = path.to_str().expect("utf-8 path").to_string();
    let (trials, writes) = runtime().block_on(audited_rounds("audited_crash_on_sqlite", &location));
    eprintln!(
        "audited crash on sqlite: {trials} kill -9 trials, {writes} committed entry writes, \
         0 without their audit event"
    );
}

#[test]
fn audited_crash_on_postgres() {
    if run_as_child() {
        return;
    }
    let Some(server) = tansiq_testkit::postgres_url("PostgreSQL audited crash test") else {
        return;
    };
    runtime().block_on(async {
        let db = support::TestDb::create(&server, "audited_crash").await;
        let url = db.url.clone();
        let outcome =
            tokio::spawn(async move { audited_rounds("audited_crash_on_postgres", &url).await })
                .await;
        db.drop_db().await;
        match outcome {
            Ok((trials, writes)) => eprintln!(
                "audited crash on postgres: {trials} kill -9 trials, {writes} committed entry \
                 writes, 0 without their audit event"
            ),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    });
}

/// Issue 16, finding 5: kills a writer of audited entry writes
/// (`put_entry_audited`) again and again; after each kill every committed
/// entry version has exactly its audit event, and every `entry.*` event
/// its committed version. Returns the trials run and the committed writes
/// checked after the last one.
async fn audited_rounds(test: &str, location: &str) -> (usize, usize) {
    Store::open(location)
        .await
        .expect("create store")
        .close()
        .await;
    let trials = std::env::var("TANSIQ_CRASH_TRIALS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(AUDITED_TRIALS);
    let mut writes = 0;
    for trial in 0..trials {
        // Kill at a different point each time (5 to 64 acknowledgements).
        let kill_after = 5 + (trial * 37) % 60;
        run_and_kill_with(test, location, trial, kill_after, true);
        let store = Store::open(location).await.expect("reopen after kill");
        let mut committed = BTreeSet::new();
        for (e, version) in store.active_entities_versioned().await.expect("entities") {
            if e.id == "crash-shared" {
                continue;
            }
            for v in 1..=version {
                committed.insert((e.id.clone(), v));
            }
        }
        for v in store.entity_history("crash-shared").await.expect("history") {
            committed.insert((v.entity.id.clone(), v.version));
        }
        let mut audited = BTreeSet::new();
        let mut after = 0;
        loop {
            let page = store.audit_records(after, 10_000).await.expect("audit log");
            let Some(last) = page.last() else { break };
            after = last.seq;
            for r in page {
                let payload: serde_json::Value =
                    serde_json::from_str(r.payload.as_deref().unwrap_or("{}")).expect("payload");
                if let (Some(id), Some(v)) = (r.subject, payload["version"].as_i64()) {
                    audited.insert((id, v));
                }
            }
        }
        let unaudited: Vec<_> = committed.difference(&audited).collect();
        let unwritten: Vec<_> = audited.difference(&committed).collect();
        assert!(
            unaudited.is_empty() && unwritten.is_empty(),
            "trial {trial}: {} committed writes without their event (e.g. {:?}), {} events \
             without their write (e.g. {:?})",
            unaudited.len(),
            &unaudited[..unaudited.len().min(3)],
            unwritten.len(),
            &unwritten[..unwritten.len().min(3)]
        );
        store.verify_audit().await.expect("the chain holds");
        writes = committed.len();
        store.close().await;
    }
    (trials, writes)
}

/// The audited child: each entry and each update of the shared entry is
/// written with its audit event in one transaction.
async fn audited_child(location: &str, round: &str) {
    let store = Store::open(location).await.expect("child opens the store");
    let mut out = std::io::stdout().lock();
    let event = |v: &tansiq_store::EntityVersion| tansiq_store::AuditEvent {
        at: time::OffsetDateTime::now_utc(),
        actor: "crash-writer".into(),
        action: "entry.create".into(),
        subject: Some(v.entity.id.clone()),
        facts: serde_json::json!({"outcome": "ok"}),
        payload: serde_json::json!({"version": v.version}),
    };
    for i in 0u64.. {
        let id = format!("crash-{round}-{i}");
        store
            .put_entry_audited(entry(&id, None), Expect::New, "crash-writer", event)
            .await
            .expect("child write");
        writeln!(out, "{id}").expect("acknowledge");
        out.flush().expect("flush acknowledgement");
        store
            .put_entry_audited(
                entry("crash-shared", Some(&format!("{round} {i}"))),
                Expect::Any,
                "crash-writer",
                event,
            )
            .await
            .expect("child update");
    }
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
    run_and_kill_with(test, location, round, kill_after, false)
}

fn run_and_kill_with(
    test: &str,
    location: &str,
    round: usize,
    kill_after: usize,
    audited: bool,
) -> BTreeSet<String> {
    let exe = std::env::current_exe().expect("own executable");
    // The child is this test binary running only the same test, which sees
    // CHILD_LOCATION and writes until killed; libtest's own lines on stdout
    // are told apart from acknowledged ids by the ids' prefix.
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_LOCATION, location)
        .env(CHILD_ROUND, round.to_string())
        .envs(audited.then_some((CHILD_AUDITED, "1")))
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
