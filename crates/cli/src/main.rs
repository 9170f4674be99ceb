//! `tansiq`: the command-line tool and composition root of a national node.
//!
//! The library crates are pure (names, matching, lists, travel) or own one
//! concern (store); this binary is where files are read, clocks are read,
//! the store is opened and the pieces are put together. Errors become
//! `anyhow` here and nowhere else.

use anyhow::Result;
use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: screening allocates many
/// short-lived strings and JSON values per request, and glibc's malloc
/// (with its free-list consolidation) was the largest single cost in the
/// node's profile under load (see crates/server/bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod bench;
mod demo;
mod eval;
mod export;
mod federation;
mod home;
mod import;
mod init;
mod lists;
mod manifest;
mod mrz;
mod node;
mod nodeid;
mod output;
mod screen;

/// Federated watchlist and border screening: one national node.
#[derive(Debug, Parser)]
#[command(name = "tansiq", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the node keeps its state.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// SQLite file path (created if absent) or a `postgres://` URL; default:
    /// the store the configuration names, else `tansiq.db`.
    #[arg(long, env = "TANSIQ_DB")]
    pub db: Option<String>,
    /// The node's tansiq.toml; default: ./tansiq.toml when it exists.
    #[arg(long, env = "TANSIQ_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

impl StoreArgs {
    /// The store location: `--db`, else the configuration's.
    pub fn location(&self) -> Result<String> {
        home::store_location(self.db.as_deref(), self.config.as_deref())
    }

    /// Opens the store; also returns its location for messages.
    pub async fn open(&self) -> Result<(tansiq_store::Store, String)> {
        use anyhow::Context;
        let location = self.location()?;
        let store = tansiq_store::Store::open(&location)
            .await
            .with_context(|| format!("opening the store {location}"))?;
        Ok((store, location))
    }
}

impl StoreArgs {
    /// Opens a store that must already exist: what every read-only
    /// command does, so that a mistyped `--db` is an error, not a new
    /// empty store reported as "intact" or "no match". (A PostgreSQL URL
    /// names a database the server refuses when it does not exist.) Also
    /// returns its location for messages.
    pub async fn open_existing(&self) -> anyhow::Result<(tansiq_store::Store, String)> {
        use anyhow::Context;
        let location = self.location()?;
        let url = location.starts_with("postgres://") || location.starts_with("postgresql://");
        if !url && !std::path::Path::new(&location).exists() {
            anyhow::bail!(
                "no store at {location}: this command reads a store and does not create one \
                 (check --db, TANSIQ_DB or the configuration's store)"
            );
        }
        let store = tansiq_store::Store::open(&location)
            .await
            .with_context(|| format!("opening the store {location}"))?;
        Ok((store, location))
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Set up a node in a folder: its tansiq.toml, store, API-key pepper
    /// and identity, which every command run there then uses.
    Init(init::InitArgs),
    /// Import a watchlist file into the store: all-or-nothing; prints the
    /// counts and what was added, changed and removed since the previous
    /// version of the same list.
    Import(import::ImportArgs),
    /// Export the store's active entities as FollowTheMoney JSON lines.
    Export(export::ExportArgs),
    /// Screen one traveller against every active entry of the store.
    Screen(screen::ScreenArgs),
    /// Screen every query of a benchmark file against an in-memory
    /// FollowTheMoney watchlist and write one result line per query (the
    /// format `shared/bench/score.py` reads).
    Eval(eval::EvalArgs),
    /// Score labelled pairs of FollowTheMoney entities
    /// (`{"id","a","b"}` lines in, `{"id","score"}` lines out).
    MatchPairs(eval::MatchPairsArgs),
    /// Set up a node on the embedded store with the built-in fictitious demo
    /// watchlist, and screen a few travellers with variant spellings.
    Demo(demo::DemoArgs),
    /// Decode an ICAO 9303 machine readable zone and check its check
    /// digits. Exit code 0: every check passes; 1: a check digit fails (the
    /// field is named); 2: the lines are not an MRZ; 3: every check passes
    /// but the document has expired.
    Mrz(mrz::MrzArgs),
    /// End-to-end figures on a generated fictitious watchlist (default one
    /// million entities): index build time and memory, screening latency
    /// on one thread, throughput on all, and whole-flight screening.
    Bench(bench::BenchArgs),
    /// Run the node's HTTP service (API, metrics, OpenAPI) until Ctrl-C or
    /// SIGTERM, finishing in-flight requests.
    Serve(node::ServeArgs),
    /// The tamper-evident audit log: verify the chain, write checkpoints.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The node's Ed25519 identity: show its public keys, rotate its key.
    #[command(subcommand)]
    Node(nodeid::NodeCommand),
    /// Accounts: create the first admin and API keys, revoke keys.
    #[command(subcommand)]
    Admin(node::AdminCommand),
    /// Airline passenger manifests (UN/EDIFACT PAXLST or CSV). Exit status
    /// of `screen`: 0 screened (no alert at the --fail-on band), 1 a
    /// traveller reached the --fail-on band, 2 input errors (rows that
    /// could not be read whole; the readable ones were screened).
    #[command(subcommand)]
    Manifest(manifest::ManifestCommand),
    /// Declared list sources: fetch updates, show status.
    #[command(subcommand)]
    Lists(lists::ListsCommand),
    /// Federation with partner nodes: invite, accept, status.
    #[command(subcommand)]
    Federation(federation::FederationCommand),
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Init(args) => runtime()?.block_on(init::run(args)),
        Command::Import(args) => runtime()?.block_on(import::run(args)),
        Command::Export(args) => runtime()?.block_on(export::run(args)),
        Command::Screen(args) => runtime()?.block_on(screen::run(args)),
        Command::Eval(args) => eval::run_eval(args),
        Command::MatchPairs(args) => eval::run_match_pairs(args),
        Command::Demo(args) => runtime()?.block_on(demo::run(args)),
        Command::Mrz(args) => {
            let code = mrz::run(args)?;
            std::process::exit(code)
        }
        Command::Bench(args) => bench::run(args),
        Command::Serve(args) => runtime()?.block_on(node::serve(args)),
        Command::Audit(cmd) => {
            let code = runtime()?.block_on(audit::run(cmd))?;
            std::process::exit(code)
        }
        Command::Node(cmd) => nodeid::run(cmd),
        Command::Admin(cmd) => runtime()?.block_on(node::admin(cmd)),
        Command::Manifest(cmd) => {
            let code = runtime()?.block_on(manifest::run(cmd))?;
            std::process::exit(code)
        }
        Command::Lists(cmd) => runtime()?.block_on(lists::run(cmd)),
        Command::Federation(cmd) => runtime()?.block_on(federation::run(cmd)),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Today's date as ISO `YYYY-MM-DD` (UTC): the pure crates are given
/// "today" rather than reading the clock.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_iso() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.parse::<tansiq_model::PartialDate>().unwrap().is_full());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
