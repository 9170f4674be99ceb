//! `tansiq export`: the store's entities as FollowTheMoney JSON lines, so
//! anything in tansiq can be loaded elsewhere.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::StoreArgs;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write the JSON lines (`-` for standard output).
    #[arg(long, default_value = "-")]
    pub out: PathBuf,
    /// Only entities of this source (e.g. un-sc, national).
    #[arg(long)]
    pub source: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub async fn run(args: ExportArgs) -> Result<()> {
    let (store, _) = args.store.open_existing().await?;
    let mut entities = store.active_entities().await.context("reading entities")?;
    store.close().await;
    if let Some(source) = &args.source {
        entities.retain(|e| &e.provenance.source == source);
    }
    let out: Box<dyn Write> = if args.out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(
            File::create(&args.out)
                .with_context(|| format!("cannot create {}", args.out.display()))?,
        )
    };
    let mut out = BufWriter::new(out);
    tansiq_lists::write_ftm(&entities, &mut out).context("writing FollowTheMoney JSON lines")?;
    out.flush()?;
    eprintln!("{} entities exported", entities.len());
    Ok(())
}
