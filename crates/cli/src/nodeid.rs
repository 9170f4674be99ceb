//! `tansiq node`: the node's Ed25519 identity (show the public keys to
//! give partners and auditors; rotate the signing key).

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::load_identity;

#[derive(Debug, clap::Subcommand)]
pub enum NodeCommand {
    /// Print the node id and its public keys as JSON (what `GET /v1/node`
    /// answers): give it to partners and auditors.
    Show(IdentityArgs),
    /// Start signing with a new key. The previous key stays valid for the
    /// window (partners learn the new key meanwhile); a running node uses
    /// the new key after its next restart.
    RotateKey(RotateArgs),
}

#[derive(Debug, clap::Args)]
pub struct IdentityArgs {
    /// Default: the configuration's `[node] identity_file`.
    #[arg(long, env = "TANSIQ_NODE_IDENTITY_FILE")]
    pub identity: Option<PathBuf>,
    /// The node's tansiq.toml; default: ./tansiq.toml when it exists.
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<PathBuf>,
}

impl IdentityArgs {
    fn path(&self) -> Result<PathBuf> {
        crate::audit::identity_path(self.identity.as_deref(), self.config.as_deref())
    }
}

#[derive(Debug, clap::Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Days the previous key stays valid.
    #[arg(long, default_value_t = 7)]
    pub window_days: u32,
}

pub fn run(cmd: NodeCommand) -> Result<()> {
    match cmd {
        NodeCommand::Show(args) => {
            let keys = load_identity(&args.path()?)?;
            let out = json!({"node": keys.node(), "keys": keys.public_keys()});
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        NodeCommand::RotateKey(args) => {
            let path = &args.identity.path()?;
            let mut keys = load_identity(path)?;
            let old = keys.current().key_id.clone();
            keys.rotate(
                tansiq_server::identity::random_seed(),
                OffsetDateTime::now_utc(),
                time::Duration::days(i64::from(args.window_days)),
            );
            tansiq_server::identity::save_identity(path, &keys)
                .with_context(|| format!("saving {}", path.display()))?;
            println!(
                "node {}: now signing with key {}; key {old} stays valid for {} days",
                keys.node(),
                keys.current().key_id,
                args.window_days
            );
        }
    }
    Ok(())
}
