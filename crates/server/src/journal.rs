//! The node's one writer of what screenings leave behind: audit events,
//! screening records and hits, group-committed together.
//!
//! SQLite has a single writer and every commit flushes the disk. With one
//! writer task per kind (audit, screening records, hits), each paid its own
//! flush and the three queued behind each other's transactions: a screening
//! that raised a hit waited for up to three flushes. The journal drains
//! whatever has queued up and commits it in **one** transaction
//! ([`Store::commit_journal`]), so a burst of screenings costs one flush,
//! and a hit waits for at most the batch in flight plus its own.
//!
//! Durability differs by kind, as the callers need:
//! - hits are answered only once committed ([`Journal::raise_hits`]):
//!   the officer's answer carries their ids;
//! - audit events and screening records are queued and never block the
//!   caller ([`Journal::audit`], [`Journal::screening`]); whoever must not
//!   answer before they are durable waits on [`Journal::flush`].
//!
//! The queue is bounded by back-pressure rather than by dropping: every
//! request waits at the door ([`Journal::wait_for_room`], a middleware)
//! while more than [`BACKLOG_HIGH`] messages are queued, so a store that
//! falls behind slows callers down instead of filling memory, and nothing a
//! legitimate request leaves behind is ever dropped. (Unauthenticated
//! floods are kept out of the queue before that: see `crate::flood`.)
//!
//! Nothing is dropped because the database is briefly unavailable: a failed
//! batch answers its hit callers with the error (the screening is answered
//! without hit ids, and logged), then retries audit events and screening
//! records with back-off until they are written, in order.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tansiq_store::{AuditEvent, Hit, Journal as Batch, NewHit, ScreeningRecord, Store, StoreError};
use tokio::sync::{Notify, mpsc, oneshot};

/// Queued messages above which new requests wait for the writer
/// ([`Journal::wait_for_room`]): about ten full batches.
pub const BACKLOG_HIGH: usize = 10_000;

/// Most audit events, screening records and hits in one transaction.
const MAX_AUDIT: usize = 1_000;
const MAX_SCREENINGS: usize = 1_000;
const MAX_HITS: usize = 256;

/// First wait after a failed commit; it doubles up to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// Attempts before screening records are written apart from the audit
/// events, so that a record the store refuses for good cannot hold up
/// the audit chain.
const ATTEMPTS_TOGETHER: u32 = 5;

type HitReply = oneshot::Sender<Result<Vec<Hit>, StoreError>>;

enum Msg {
    Audit(Box<AuditEvent>),
    Screening(Box<ScreeningRecord>),
    Hits {
        hits: Vec<NewHit>,
        actor: String,
        reply: HitReply,
    },
    Flush(oneshot::Sender<()>),
}

/// A handle on the writer task (cheap to clone).
#[derive(Clone)]
pub struct Journal {
    tx: mpsc::UnboundedSender<Msg>,
    backlog: Arc<Backlog>,
}

/// What is queued and not yet written, and a signal when it shrinks.
#[derive(Default)]
struct Backlog {
    queued: AtomicUsize,
    room: Notify,
}

impl Backlog {
    fn added(&self) {
        self.queued.fetch_add(1, Ordering::SeqCst);
    }

    fn written(&self, n: usize) {
        let before = self.queued.fetch_sub(n, Ordering::SeqCst);
        if before.saturating_sub(n) < BACKLOG_HIGH {
            self.room.notify_waiters();
        }
    }
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store) -> Journal {
        let (tx, rx) = mpsc::unbounded_channel();
        let backlog = Arc::new(Backlog::default());
        tokio::spawn(run(store, rx, backlog.clone()));
        Journal { tx, backlog }
    }

    /// Messages queued and not yet written.
    pub fn backlog(&self) -> usize {
        self.backlog.queued.load(Ordering::SeqCst)
    }

    /// Waits, at most `max`, until fewer than [`BACKLOG_HIGH`] messages
    /// are queued; `false` when the writer did not catch up in time.
    pub async fn wait_for_room(&self, max: Duration) -> bool {
        // the usual case, on every request: no waiting machinery at all
        if self.backlog() < BACKLOG_HIGH {
            return true;
        }
        let deadline = tokio::time::Instant::now() + max;
        loop {
            let room = self.backlog.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            if self.backlog() < BACKLOG_HIGH {
                return true;
            }
            if tokio::time::timeout_at(deadline, room).await.is_err() {
                return self.backlog() < BACKLOG_HIGH;
            }
        }
    }

    fn send(&self, msg: Msg) -> Result<(), mpsc::error::SendError<Msg>> {
        self.backlog.added();
        self.tx.send(msg).inspect_err(|_| self.backlog.written(1))
    }

    /// Queues an audit event (never blocks; see [`Journal::wait_for_room`]
    /// for the bound).
    pub fn audit(&self, event: AuditEvent) {
        if self.send(Msg::Audit(Box::new(event))).is_err() {
            tracing::error!("journal writer stopped; audit event lost");
        }
    }

    /// Queues a screening record (never blocks).
    pub fn screening(&self, record: ScreeningRecord) {
        if self.send(Msg::Screening(Box::new(record))).is_err() {
            tracing::error!("journal writer stopped; screening record lost");
        }
    }

    /// Raises one screening's hits (see [`Store::insert_hits`]) and returns
    /// them once committed, together with whatever else queued up.
    pub async fn raise_hits(&self, hits: Vec<NewHit>, actor: &str) -> Result<Vec<Hit>, StoreError> {
        let stopped = || StoreError::Backend("the journal writer has stopped".into());
        let (reply, rx) = oneshot::channel();
        self.send(Msg::Hits {
            hits,
            actor: actor.to_string(),
            reply,
        })
        .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Resolves once everything queued before it is durable.
    pub fn flush(&self) -> Option<oneshot::Receiver<()>> {
        let (tx, rx) = oneshot::channel();
        self.send(Msg::Flush(tx)).ok()?;
        Some(rx)
    }
}

/// One batch taken off the queue.
#[derive(Default)]
struct Pending {
    audit: Vec<AuditEvent>,
    screenings: Vec<ScreeningRecord>,
    hits: Vec<(Vec<NewHit>, String, HitReply)>,
    hit_count: usize,
    waiters: Vec<oneshot::Sender<()>>,
}

impl Pending {
    fn full(&self) -> bool {
        self.audit.len() >= MAX_AUDIT
            || self.screenings.len() >= MAX_SCREENINGS
            || self.hit_count >= MAX_HITS
    }

    fn take(&mut self, msg: Msg) {
        match msg {
            Msg::Audit(e) => self.audit.push(*e),
            Msg::Screening(r) => self.screenings.push(*r),
            Msg::Hits { hits, actor, reply } => {
                self.hit_count += hits.len();
                self.hits.push((hits, actor, reply));
            }
            Msg::Flush(w) => self.waiters.push(w),
        }
    }
}

async fn run(store: Store, mut rx: mpsc::UnboundedReceiver<Msg>, backlog: Arc<Backlog>) {
    while let Some(first) = rx.recv().await {
        let mut p = Pending::default();
        p.take(first);
        let mut taken = 1;
        while !p.full() {
            match rx.try_recv() {
                Ok(msg) => {
                    p.take(msg);
                    taken += 1;
                }
                Err(_) => break,
            }
        }
        commit(&store, p).await;
        backlog.written(taken);
    }
}

async fn commit(store: &Store, p: Pending) {
    let Pending {
        audit,
        screenings,
        hits,
        waiters,
        ..
    } = p;
    let (groups, replies): (Vec<_>, Vec<_>) = hits
        .into_iter()
        .map(|(hits, actor, reply)| ((hits, actor), reply))
        .unzip();
    // Hits are cloned only when a retry may need them.
    let keep = (groups.len() > 1).then(|| groups.clone());
    let done = store
        .commit_journal(Batch {
            hits: groups,
            screenings: &screenings,
            audit: &audit,
        })
        .await;
    match done {
        Ok(receipt) => {
            for (reply, hits) in replies.into_iter().zip(receipt.hits) {
                let _ = reply.send(Ok(hits));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, hit_requests = replies.len(), audit = audit.len(),
                screenings = screenings.len(), "journal commit failed; writing the parts apart");
            match keep {
                // Each caller's hits on their own, so one bad request
                // cannot fail the others; a caller gets its own error.
                Some(groups) => {
                    for ((hits, actor), reply) in groups.into_iter().zip(replies) {
                        let _ = reply.send(store.insert_hits(hits, &actor).await);
                    }
                }
                None => {
                    for reply in replies {
                        let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                    }
                }
            }
            write_until_done(store, &audit, &screenings).await;
        }
    }
    for w in waiters {
        let _ = w.send(());
    }
}

/// Retries audit events and screening records with back-off until they
/// are written. After [`ATTEMPTS_TOGETHER`] failures the screening
/// records get one attempt of their own and are dropped (logged) if the
/// store refuses them, so that only the audit chain can hold the writer.
async fn write_until_done(store: &Store, audit: &[AuditEvent], screenings: &[ScreeningRecord]) {
    let mut screenings = screenings;
    let mut delay = RETRY_FIRST;
    let mut attempt = 1u32;
    loop {
        if audit.is_empty() && screenings.is_empty() {
            return;
        }
        if attempt == ATTEMPTS_TOGETHER && !screenings.is_empty() {
            if let Err(e) = store.record_screenings(screenings).await {
                tracing::error!(error = %e, records = screenings.len(),
                    "screening records refused; lost (re-screening will not see them)");
            }
            screenings = &[];
            continue;
        }
        let done = store
            .commit_journal(Batch {
                hits: Vec::new(),
                screenings,
                audit,
            })
            .await;
        match done {
            Ok(_) => {
                tracing::warn!(
                    audit = audit.len(),
                    screenings = screenings.len(),
                    attempt,
                    "journal written after retrying"
                );
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, audit = audit.len(), screenings = screenings.len(),
                    attempt, retry_in_ms = delay.as_millis() as u64, "journal commit failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(RETRY_MAX);
                attempt += 1;
            }
        }
    }
}
