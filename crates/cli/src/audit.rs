//! `tansiq audit`: verify the hash-chained audit log against a signed
//! checkpoint kept outside the database (a cut tail is detectable only
//! against such a checkpoint), write checkpoints, export a period for
//! auditors, and purge traveller data past its retention.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;
use tansiq_store::{AuditHead, Store, StoreError};
use tansiq_trust::{NodeKeys, PublicKey, SignedCheckpoint};
use time::OffsetDateTime;

use crate::StoreArgs;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain; with --checkpoint, also the checkpoint's
    /// signature (against the node's keys) and that the chain still holds
    /// that head unchanged; then that every stored screening record still
    /// hashes as its audit event recorded. Exit 1 and the first broken
    /// event (or every altered record) when something does not hold.
    Verify(VerifyArgs),
    /// Sign the current head (sequence number and hash) with the node's
    /// identity and write it as JSON, to keep outside the database. A
    /// running node does this by itself every `[audit] checkpoint_every_s`.
    Checkpoint(CheckpointArgs),
    /// Write the events of a period as JSON lines (with their chain
    /// hashes, so the extract can be checked on its own), for auditors.
    Export(ExportArgs),
    /// Remove traveller data (audit payloads) older than a date; the chain
    /// still verifies over the payload hashes. A running node does this by
    /// itself after `[retention] traveller_data_days`.
    Purge(PurgeArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A checkpoint written by the node or by `tansiq audit checkpoint`.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// The node's identity file, whose public keys check the checkpoint's
    /// signature.
    /// Default: the configuration's `[node] identity_file`.
    #[arg(long, env = "TANSIQ_NODE_IDENTITY_FILE")]
    pub identity: Option<PathBuf>,
    /// Instead of the identity file: the node's published public keys (the
    /// `keys` array of `GET /v1/node`, as a JSON file). Auditors without
    /// access to the node's secrets use this.
    #[arg(long, conflicts_with = "identity")]
    pub public_keys: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckpointArgs {
    #[arg(long)]
    pub out: PathBuf,
    /// The node's identity file (it must exist: the node creates it on its
    /// first start).
    /// Default: the configuration's `[node] identity_file`.
    #[arg(long, env = "TANSIQ_NODE_IDENTITY_FILE")]
    pub identity: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// First instant included: a date (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long)]
    pub from: String,
    /// Instant excluded: a date (the day before is the last included) or
    /// RFC 3339 time.
    #[arg(long)]
    pub to: String,
    /// Output file (standard output when absent).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct PurgeArgs {
    /// Payloads of events before this instant (date or RFC 3339) are removed.
    #[arg(long)]
    pub before: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// A date (`YYYY-MM-DD`, midnight UTC) or an RFC 3339 instant.
pub fn parse_instant(what: &str, s: &str) -> Result<OffsetDateTime> {
    tansiq_server::parse_instant(s)
        .with_context(|| format!("--{what} {s:?}: expected YYYY-MM-DD or an RFC 3339 time"))
}

fn read_checkpoint(path: &Path) -> Result<SignedCheckpoint> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    SignedCheckpoint::from_json(&text).with_context(|| format!("{}", path.display()))
}

fn trusted_keys(args: &VerifyArgs) -> Result<Vec<PublicKey>> {
    if let Some(path) = &args.public_keys {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let v: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        let keys = v.get("keys").cloned().unwrap_or(v);
        return serde_json::from_value(keys).with_context(|| {
            format!(
                "{}: expected a JSON array of public keys (or GET /v1/node's answer)",
                path.display()
            )
        });
    }
    Ok(load_identity(&identity_path(
        args.identity.as_deref(),
        args.store.config.as_deref(),
    )?)?
    .public_keys())
}

pub fn load_identity(path: &Path) -> Result<NodeKeys> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the node identity {} (a node creates it on its first start)",
            path.display()
        )
    })?;
    NodeKeys::from_text(&text).with_context(|| format!("{}", path.display()))
}

async fn open(store: &StoreArgs) -> Result<Store> {
    Ok(store.open_existing().await?.0)
}

/// The identity file given, else the one the configuration names.
pub fn identity_path(given: Option<&Path>, config: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(crate::home::load(config)?.node.identity_file),
    }
}

/// Exit code: 0 the chain verifies, 1 it is broken (or the checkpoint's
/// signature is not the node's).
pub async fn run(cmd: AuditCommand) -> Result<i32> {
    match cmd {
        AuditCommand::Verify(args) => {
            let checkpoint = match &args.checkpoint {
                Some(path) => {
                    let cp = read_checkpoint(path)?;
                    let trusted = trusted_keys(&args)?;
                    if let Err(e) = cp.verify(&trusted) {
                        println!("checkpoint {} REJECTED: {e}", path.display());
                        return Ok(1);
                    }
                    Some(cp)
                }
                None => None,
            };
            let store = open(&args.store).await?;
            let outcome = match &checkpoint {
                Some(cp) => {
                    store
                        .verify_audit_against(&AuditHead {
                            seq: cp.checkpoint.seq,
                            hash: cp.checkpoint.hash.clone(),
                        })
                        .await
                }
                None => store.verify_audit().await,
            };
            // The records are checked against the events only once the
            // events themselves are proven unchanged.
            let records = match &outcome {
                Ok(_) => Some(
                    tansiq_server::verify_screening_records(&store, &|_| true)
                        .await
                        .context("checking the screening records against their events"),
                ),
                Err(_) => None,
            };
            store.close().await;
            match outcome {
                Ok(n) => {
                    let against = checkpoint
                        .map(|cp| {
                            format!(
                                ", holding the checkpoint of event {} signed by node {} (key {})",
                                cp.checkpoint.seq, cp.checkpoint.node, cp.key_id
                            )
                        })
                        .unwrap_or_default();
                    println!("audit chain intact: {n} events{against}");
                    let Some(records) = records else {
                        return Ok(0);
                    };
                    let records = records?;
                    for a in &records.altered {
                        println!(
                            "screening record {} ALTERED: it no longer hashes as audit event {} recorded",
                            a.screening, a.seq
                        );
                    }
                    println!(
                        "screening records: {} as recorded, {} altered, {} no longer stored (retention)",
                        records.intact,
                        records.altered.len(),
                        records.absent
                    );
                    Ok(if records.altered.is_empty() { 0 } else { 1 })
                }
                Err(StoreError::ChainBroken { seq, reason }) => {
                    println!("audit chain BROKEN at event {seq}: {reason}");
                    Ok(1)
                }
                Err(e) => Err(e).context("verifying the audit chain"),
            }
        }
        AuditCommand::Checkpoint(args) => {
            let keys = load_identity(&identity_path(
                args.identity.as_deref(),
                args.store.config.as_deref(),
            )?)?;
            let store = open(&args.store).await?;
            let head = store.audit_head().await.context("reading the audit head")?;
            store.close().await;
            let Some(head) = head else {
                bail!("the audit log is empty: nothing to checkpoint");
            };
            let signed = SignedCheckpoint::sign(
                &keys,
                tansiq_trust::Checkpoint {
                    node: keys.node().to_string(),
                    seq: head.seq,
                    hash: head.hash,
                    at: OffsetDateTime::now_utc(),
                },
            )?;
            tansiq_server::identity::write_atomic(&args.out, &signed.to_json(), false)
                .with_context(|| format!("cannot write {}", args.out.display()))?;
            println!(
                "checkpoint: event {} {} signed by node {} (key {})",
                signed.checkpoint.seq,
                signed.checkpoint.hash,
                keys.node(),
                signed.key_id
            );
            Ok(0)
        }
        AuditCommand::Export(args) => {
            let from = parse_instant("from", &args.from)?;
            let to = parse_instant("to", &args.to)?;
            if to <= from {
                bail!("--to {} is not after --from {}", args.to, args.from);
            }
            let store = open(&args.store).await?;
            let mut out: Box<dyn Write> = match &args.out {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .with_context(|| format!("cannot create {}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let mut after = 0;
            let mut n = 0u64;
            loop {
                let page = store.audit_records(after, 10_000).await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for r in page.iter().filter(|r| r.at >= from && r.at < to) {
                    serde_json::to_writer(
                        &mut out,
                        &tansiq_server::AuditEventDto::from_record(r.clone()),
                    )?;
                    out.write_all(b"\n")?;
                    n += 1;
                }
            }
            out.flush()?;
            store.close().await;
            // The export itself is an audited act.
            let store = open(&args.store).await?;
            store
                .append_audit(tansiq_store::AuditEvent {
                    at: OffsetDateTime::now_utc(),
                    actor: "cli".into(),
                    action: "audit.export".into(),
                    subject: None,
                    facts: json!({"from": args.from, "to": args.to, "events": n}),
                    payload: json!({}),
                })
                .await?;
            store.close().await;
            eprintln!(
                "exported {n} audit events from {} to {}",
                args.from, args.to
            );
            Ok(0)
        }
        AuditCommand::Purge(args) => {
            let before = parse_instant("before", &args.before)?;
            let store = open(&args.store).await?;
            let n = store.purge_audit_payloads(before).await?;
            store
                .append_audit(tansiq_store::AuditEvent {
                    at: OffsetDateTime::now_utc(),
                    actor: "cli".into(),
                    action: "retention.purge".into(),
                    subject: None,
                    facts: json!({"before": args.before, "audit_payloads": n}),
                    payload: json!({}),
                })
                .await?;
            store.close().await;
            println!(
                "purged the traveller data of {n} audit events before {}",
                args.before
            );
            Ok(0)
        }
    }
}
