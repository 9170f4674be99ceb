//! `tansiq lists`: the sources declared in `tansiq.toml`, kept current.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tansiq_sources::{Config, Outcome, Paths, SourceStatus, Updater, format_duration};
use tansiq_store::Store;
use time::OffsetDateTime;

#[derive(Debug, clap::Subcommand)]
pub enum ListsCommand {
    /// Fetch every declared source (or one) with a conditional request,
    /// verify it parses, import it atomically and print the difference.
    /// Exits non-zero when any source failed; a failed source keeps its
    /// previous version.
    Update(UpdateArgs),
    /// Each source's version in force, age, counts, last error, and STALE
    /// when it is older than its schedule allows.
    Status(CommonArgs),
}

#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The configuration file declaring the sources.
    #[arg(long, env = "TANSIQ_CONFIG", default_value = "tansiq.toml")]
    pub config: PathBuf,
    /// SQLite file path or `postgres://` URL; default: `db` in the
    /// configuration (relative to its folder), else `tansiq.db` there.
    #[arg(long, env = "TANSIQ_DB")]
    pub db: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Update only this source.
    #[arg(long)]
    pub source: Option<String>,
}

struct Opened {
    config: Config,
    store: Store,
    updater: Updater,
}

async fn open(args: &CommonArgs) -> Result<Opened> {
    let config = Config::load(&args.config)?;
    let config_dir = args.config.parent().unwrap_or(Path::new("."));
    // A store named in the file is relative to the file's folder, as every
    // command reads it (crate::home).
    let db = match (&args.db, &config.db) {
        (Some(db), _) => db.clone(),
        (None, Some(db)) if !db.contains("://") && Path::new(db).is_relative() => {
            config_dir.join(db).to_string_lossy().into_owned()
        }
        (None, Some(db)) => db.clone(),
        (None, None) => config_dir
            .join(crate::home::DEFAULT_DB)
            .to_string_lossy()
            .into_owned(),
    };
    let store = Store::open(&db)
        .await
        .with_context(|| format!("opening the store {db}"))?;
    let updater = Updater::new(Paths::beside_db(&db, config_dir))?
        .with_measure_overrides(config.measures.clone());
    Ok(Opened {
        config,
        store,
        updater,
    })
}

pub async fn run(cmd: ListsCommand) -> Result<()> {
    match cmd {
        ListsCommand::Update(args) => update(args).await,
        ListsCommand::Status(args) => status(args).await,
    }
}

async fn update(args: UpdateArgs) -> Result<()> {
    let Opened {
        config,
        store,
        updater,
    } = open(&args.common).await?;
    let selected: Vec<_> = match &args.source {
        Some(name) => match config.source(name) {
            Some(def) => vec![def.clone()],
            None => bail!(
                "no source named {name:?} in {} (declared: {})",
                args.common.config.display(),
                config
                    .sources
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        None => config.sources.clone(),
    };
    if selected.is_empty() {
        bail!("{} declares no sources", args.common.config.display());
    }
    let mut failed = Vec::new();
    for def in &selected {
        println!("{} ({}, {})", def.name, def.format, def.origin);
        match updater.update(&store, def, OffsetDateTime::now_utc()).await {
            Ok(Outcome::NotModified) => {
                println!("  not modified: the version in force is current")
            }
            Ok(Outcome::Imported(i)) => {
                println!(
                    "  downloaded {} bytes, kept as {}",
                    i.bytes,
                    i.cached.display()
                );
                if i.record_errors + i.warnings > 0 {
                    println!(
                        "  {} record errors (skipped), {} warnings",
                        i.record_errors, i.warnings
                    );
                }
                crate::import::print_report(&i.report);
            }
            Err(e) => {
                println!("  FAILED: {e}");
                failed.push(def.name.clone());
            }
        }
    }
    store.close().await;
    if !failed.is_empty() {
        bail!(
            "{} of {} sources failed: {}",
            failed.len(),
            selected.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

async fn status(args: CommonArgs) -> Result<()> {
    let Opened {
        config,
        store,
        updater,
    } = open(&args).await?;
    let now = OffsetDateTime::now_utc();
    let statuses = updater.status(&store, &config, now).await?;
    store.close().await;
    for s in &statuses {
        print_status(s, now);
    }
    let stale = statuses.iter().filter(|s| s.stale).count();
    println!(
        "{} sources, {stale} stale, {} with an error on the last attempt",
        statuses.len(),
        statuses.iter().filter(|s| s.last_error.is_some()).count()
    );
    Ok(())
}

fn print_status(s: &SourceStatus, now: OffsetDateTime) {
    let flag = if s.stale { "  STALE" } else { "" };
    println!("{} ({}, {}){flag}", s.name, s.format, s.origin);
    match (&s.version, s.imported_at) {
        (Some(v), Some(at)) => {
            println!(
                "  version {v}, imported {} ({} ago)",
                rfc3339(at),
                age(at, now)
            )
        }
        (Some(v), None) => println!("  version {v}"),
        _ => println!("  never imported"),
    }
    println!("  {} active entities ({} kept in all)", s.active, s.total);
    match s.last_success {
        Some(at) => println!(
            "  last confirmed current {} ago; schedule allows {}",
            age(at, now),
            s.schedule
        ),
        None => println!("  never confirmed current; schedule allows {}", s.schedule),
    }
    if let Some(e) = &s.last_error {
        let when = s
            .last_attempt
            .map(|at| format!(" ({} ago)", age(at, now)))
            .unwrap_or_default();
        println!("  last error{when}: {e}");
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn age(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let d = now - at;
    if d.is_negative() {
        return "0s".into();
    }
    // Rounded down to the minute above a minute: seconds are noise here.
    let secs = d.unsigned_abs().as_secs();
    let secs = if secs >= 60 { secs / 60 * 60 } else { secs };
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if out.is_empty() {
        out = format_duration(std::time::Duration::from_secs(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ages() {
        let now = datetime!(2026-03-02 12:00:30 UTC);
        assert_eq!(age(datetime!(2026-03-02 12:00:00 UTC), now), "30s");
        assert_eq!(age(datetime!(2026-03-01 09:30:00 UTC), now), "1d2h30m");
        assert_eq!(age(datetime!(2026-03-03 00:00:00 UTC), now), "0s");
    }
}
