//! Declared list sources: what `tansiq.toml` says to load, and keeping it
//! current.
//!
//! A source names a list format and where the list lives (a URL or a
//! file) and how old it may get. [`Updater::update`] fetches it with a
//! conditional request (ETag / Last-Modified remembered per source), checks
//! that the body parses as the declared format *before* anything changes,
//! imports it in one store transaction, keeps the last N raw downloads,
//! and records the outcome (last success, last error) in a JSON state file
//! beside the store. [`Updater::status`] says, per source, what is in force
//! and whether it is stale.
//!
//! Key design decision: the HTTP validators and error history live in a
//! small JSON file replaced atomically (temp file + rename), not in store
//! tables. The store stays the single authority for *what is screened*
//! (its list versions are transactional); the state file is only a cache
//! of *how to ask next time*. The trade-off: the two can disagree after a
//! crash between the import and the state write, or when the database is
//! swapped. That is handled conservatively: validators are written only
//! after a successful import, and are ignored when the store holds no
//! version of the source, so the worst case is one unconditional download
//! whose identical content the store recognises as unchanged.
//!
//! See `SOURCES.md` for the configuration format.
//!
//! ```
//! use std::time::Duration;
//! use tansiq_sources::{Config, is_stale};
//! use time::macros::datetime;
//!
//! let config = Config::parse(r#"
//!     [[sources]]
//!     name = "un-sc"
//!     format = "un-xml"
//!     url = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
//!     schedule = "24h"
//! "#).unwrap();
//! let un = config.source("un-sc").unwrap();
//! assert_eq!(un.schedule.max_age(), Duration::from_secs(24 * 3600));
//! assert_eq!(un.keep, 5);
//!
//! let checked = datetime!(2026-03-01 06:00 UTC);
//! assert!(!is_stale(Some(checked), datetime!(2026-03-02 05:00 UTC), un.schedule.max_age()));
//! assert!(is_stale(Some(checked), datetime!(2026-03-02 07:00 UTC), un.schedule.max_age()));
//!
//! // National entries are not a list source; unknown keys are named.
//! let e = Config::parse("[[sources]]\nname='x'\nformat='ftm'\npath='x'\nschedule='1h'\nkep=3")
//!     .unwrap_err();
//! assert!(e.to_string().contains("kep"));
//! ```

mod config;
mod state;
mod update;

pub use config::{
    Config, DEFAULT_KEEP, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Origin, Schedule, SourceDef,
    format_duration, parse_duration,
};
pub use state::{SourceState, State, Validators, conditional_headers, is_stale};
pub use update::{Imported, Outcome, Paths, SourceStatus, Updater};

use tansiq_lists::{Format, ListError};
use tansiq_store::StoreError;

/// Why a configuration could not be read or a source not updated. Every
/// update error leaves the store as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourcesError {
    /// The configuration file is invalid; `reason` names the key.
    #[error("{file}: {reason}")]
    Config { file: String, reason: String },
    /// The state file cannot be read or written.
    #[error("state file {path}: {reason}")]
    State { path: String, reason: String },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    /// No source of that name in the configuration.
    #[error("no source named {name:?} in the configuration (declared: {declared})")]
    UnknownSource { name: String, declared: String },
    /// The request failed: connection, timeout, interrupted or truncated
    /// body.
    #[error("{name}: fetching {url} failed: {reason}; the previous version stays in force")]
    Fetch {
        name: String,
        url: String,
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{name}: {url} answered HTTP {status} {reason}; the previous version stays in force")]
    Status {
        name: String,
        url: String,
        status: u16,
        reason: String,
    },
    /// The body is larger than the source's `max_bytes`.
    #[error(
        "{name}: {origin} is larger than max_bytes = {limit}; the previous version stays in force"
    )]
    TooLarge {
        name: String,
        origin: String,
        limit: u64,
    },
    /// The body is not the declared format, or is truncated or malformed.
    #[error("{name}: {origin} rejected, nothing imported: {source}")]
    Parse {
        name: String,
        origin: String,
        source: ListError,
    },
    /// The body parses but holds no entity; importing it would withdraw
    /// every entry of the list.
    #[error(
        "{name}: {origin} parses as {format} but holds no entity; refused (it would withdraw the whole list)"
    )]
    Empty {
        name: String,
        origin: String,
        format: Format,
    },
    /// The store refused the import or could not be read.
    #[error("{name}: the store refused the import, nothing changed: {source}")]
    Store { name: String, source: StoreError },
}
