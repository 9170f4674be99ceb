//! `tansiq init DIR`: a node in one folder — its `tansiq.toml`, the store
//! it names, the API-key pepper and the node identity — that every other
//! command then uses by default (see `crate::home`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tansiq_server::Pepper;
use tansiq_store::Store;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The node's folder (created if absent; must not hold a tansiq.toml).
    pub dir: PathBuf,
    /// This node's id among partners: a-z, 0-9, -.
    #[arg(long, default_value = "local")]
    pub node_id: String,
    /// Where `tansiq serve` listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
}

/// The file `init` writes. Paths are relative to the file's folder; every
/// key not named keeps its default (crates/server/tansiq.example.toml).
fn config_text(node_id: &str, listen: &str) -> String {
    format!(
        r#"# tansiq node settings, written by `tansiq init`. Every command run in this
# folder (or given --config / TANSIQ_CONFIG=this file) uses them. Relative
# paths are relative to this file's folder. Every key and its default:
# crates/server/tansiq.example.toml; TANSIQ_<SECTION>_<KEY> overrides a key.

[server]
listen = {listen:?}

[store]
location = "tansiq.db"           # or postgres://user@host/db

[security]
pepper_file = "tansiq.pepper"    # API-key pepper (0600); keep it off DB backups

[node]
id = {node_id:?}
identity_file = "tansiq.identity" # Ed25519 identity (0600); signs checkpoints

[audit]
checkpoint_file = "tansiq.checkpoint" # latest signed audit head; keep a copy elsewhere

# The lists this node keeps current (crates/sources/SOURCES.md), e.g.:
# [[sources]]
# name = "un-sc"
# format = "un-xml"
# url = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
# schedule = "24h"
"#
    )
}

pub async fn run(args: InitArgs) -> Result<()> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(crate::home::CONFIG_FILE);
    if path.exists() {
        bail!(
            "{} exists: this folder already holds a node (nothing changed)",
            path.display()
        );
    }
    let text = config_text(&args.node_id, &args.listen);
    // Check the text as the node will read it before writing anything.
    tansiq_server::Config::from_toml_str(&text, Vec::new())
        .context("the configuration init would write")?;
    if !tansiq_server::identity::write_new_atomic(&path, &text, false)
        .with_context(|| format!("writing {}", path.display()))?
    {
        bail!("{} was created meanwhile (nothing changed)", path.display());
    }
    let config = crate::home::load(Some(&path))?;
    let store = Store::open(&config.store.location)
        .await
        .with_context(|| format!("creating the store {}", config.store.location))?;
    store.close().await;
    Pepper::load_or_create(&config.security.pepper_file).context("creating the pepper")?;
    tansiq_server::identity::load_or_create_identity(&config.node.identity_file, &config.node.id)
        .context("creating the node identity")?;
    let shown = |p: &Path| p.display().to_string();
    println!("node {:?} set up in {}:", config.node.id, dir.display());
    println!("  {}  the configuration", shown(&path));
    println!("  {}  the store", config.store.location);
    println!(
        "  {}  the API-key pepper",
        shown(&config.security.pepper_file)
    );
    println!("  {}  the node identity", shown(&config.node.identity_file));
    println!(
        "Commands run in {} use them; elsewhere give --config {} or TANSIQ_CONFIG.",
        dir.display(),
        shown(&path)
    );
    Ok(())
}
