//! `tansiq audit`: verify the hash-chained audit log, and record its head
//! as a checkpoint kept outside the database (a cut tail is detectable only
//! against such a checkpoint).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tansiq_store::{AuditHead, Store, StoreError};

use crate::StoreArgs;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain; with --checkpoint, also that the chain still
    /// holds that head unchanged. Exit 1 and the first broken event when
    /// it does not.
    Verify(VerifyArgs),
    /// Write the current head (sequence number and hash) as JSON, to keep
    /// outside the database. Not signed yet: keep it where the database's
    /// administrators cannot write.
    Checkpoint(CheckpointArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// A checkpoint written by `tansiq audit checkpoint`.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckpointArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

fn read_checkpoint(path: &PathBuf) -> Result<AuditHead> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let seq = v["seq"]
        .as_i64()
        .with_context(|| format!("{}: field seq missing or not a number", path.display()))?;
    let hash = v["hash"]
        .as_str()
        .with_context(|| format!("{}: field hash missing or not a string", path.display()))?;
    Ok(AuditHead {
        seq,
        hash: hash.to_string(),
    })
}

/// Exit code: 0 the chain verifies, 1 it is broken.
pub async fn run(cmd: AuditCommand) -> Result<i32> {
    match cmd {
        AuditCommand::Verify(args) => {
            let checkpoint = args.checkpoint.as_ref().map(read_checkpoint).transpose()?;
            let store = Store::open(&args.store.db)
                .await
                .with_context(|| format!("opening the store {}", args.store.db))?;
            let outcome = match &checkpoint {
                Some(head) => store.verify_audit_against(head).await,
                None => store.verify_audit().await,
            };
            store.close().await;
            match outcome {
                Ok(n) => {
                    let against = checkpoint
                        .map(|h| format!(", holding checkpoint seq {}", h.seq))
                        .unwrap_or_default();
                    println!("audit chain intact: {n} events{against}");
                    Ok(0)
                }
                Err(StoreError::ChainBroken { seq, reason }) => {
                    println!("audit chain BROKEN at event {seq}: {reason}");
                    Ok(1)
                }
                Err(e) => Err(e).context("verifying the audit chain"),
            }
        }
        AuditCommand::Checkpoint(args) => {
            let store = Store::open(&args.store.db)
                .await
                .with_context(|| format!("opening the store {}", args.store.db))?;
            let head = store.audit_head().await.context("reading the audit head")?;
            store.close().await;
            let Some(head) = head else {
                bail!("the audit log is empty: nothing to checkpoint");
            };
            std::fs::write(
                &args.out,
                json!({"seq": head.seq, "hash": head.hash}).to_string() + "\n",
            )
            .with_context(|| format!("cannot write {}", args.out.display()))?;
            println!("checkpoint: event {} {}", head.seq, head.hash);
            Ok(0)
        }
    }
}
