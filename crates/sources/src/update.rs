//! One update of one source: fetch (conditionally), verify, import, cache,
//! remember.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tansiq_lists::{Format, ParsedList};
use tansiq_store::{ImportReport, Store};
use time::OffsetDateTime;

use crate::config::{Origin, SourceDef};
use crate::state::{SourceState, State, Validators, conditional_headers, is_stale};
use crate::{Config, SourcesError};

/// Where the updater keeps its state file and raw downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The JSON state file (validators, last success, last error).
    pub state: PathBuf,
    /// The raw-download cache: one folder per source.
    pub cache: PathBuf,
}

impl Paths {
    /// Beside an SQLite store file: `<db>.sources.json` and
    /// `<db>.downloads/`. For a `postgres://` store, in `fallback_dir`
    /// (the configuration file's folder) as `tansiq.sources.json` and
    /// `tansiq.downloads/`.
    pub fn beside_db(db: &str, fallback_dir: &Path) -> Paths {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            return Paths {
                state: fallback_dir.join("tansiq.sources.json"),
                cache: fallback_dir.join("tansiq.downloads"),
            };
        }
        let db = db.strip_prefix("sqlite://").unwrap_or(db);
        let db = db.strip_prefix("sqlite:").unwrap_or(db);
        Paths {
            state: PathBuf::from(format!("{db}.sources.json")),
            cache: PathBuf::from(format!("{db}.downloads")),
        }
    }
}

/// What an update did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The origin reported no change since the version in force (HTTP 304,
    /// or a file with the same size and modification time).
    NotModified,
    /// A download was verified and imported (`report.unchanged` when its
    /// content equals the version in force).
    Imported(Box<Imported>),
}

/// A verified and imported download.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub report: ImportReport,
    /// Size of the raw download.
    pub bytes: u64,
    /// Record-level diagnostics of the parser (errors, warnings).
    pub record_errors: usize,
    pub warnings: usize,
    /// Where the raw download was kept.
    pub cached: PathBuf,
}

/// The state of one declared source, for `tansiq lists status`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceStatus {
    pub name: String,
    pub format: Format,
    pub origin: String,
    pub schedule: crate::Schedule,
    /// The list version in force in the store.
    pub version: Option<String>,
    pub imported_at: Option<OffsetDateTime>,
    pub active: usize,
    pub total: usize,
    /// Last time the source was confirmed current (import or not
    /// modified); the store's import time when the state file has none.
    pub last_success: Option<OffsetDateTime>,
    pub last_attempt: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    /// The last failed attempt and why, even if a success followed.
    pub last_failure_at: Option<OffsetDateTime>,
    pub last_failure: Option<String>,
    /// Older than the schedule allows, or never imported.
    pub stale: bool,
}

/// Fetches, verifies and imports declared sources.
#[derive(Debug, Clone)]
pub struct Updater {
    paths: Paths,
    client: reqwest::Client,
    /// The agency's measures per regime, applied to every import.
    measures: Vec<tansiq_lists::MeasureOverride>,
}

/// `alt.csv` and `add.csv` read beside a local `sdn.csv`, when present.
type OfacExtra = Option<(Option<Vec<u8>>, Option<Vec<u8>>)>;

enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        extra: OfacExtra,
        validators: Validators,
    },
}

impl Updater {
    pub fn new(paths: Paths) -> Result<Updater, SourcesError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("tansiq/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SourcesError::Fetch {
                name: String::new(),
                url: String::new(),
                reason: format!("cannot build the HTTP client: {}", chain(&e)),
            })?;
        Ok(Updater {
            paths,
            client,
            measures: Vec::new(),
        })
    }

    /// Applies the agency's `[[measures]]` overrides to what it imports.
    #[must_use]
    pub fn with_measure_overrides(mut self, measures: Vec<tansiq_lists::MeasureOverride>) -> Self {
        self.measures = measures;
        self
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Updates one source: fetches it (conditionally when a version is in
    /// force), checks that the body parses as the declared format and holds
    /// at least one entity, imports it in one transaction, keeps the raw
    /// download, and records the outcome in the state file. On any error
    /// the store is untouched, the previous version stays in force, and the
    /// error is recorded as the source's last error.
    pub async fn update(
        &self,
        store: &Store,
        def: &SourceDef,
        now: OffsetDateTime,
    ) -> Result<Outcome, SourcesError> {
        let mut state = State::load(&self.paths.state)?;
        let mut entry = state.sources.get(&def.name).cloned().unwrap_or_default();
        let result = self.update_inner(store, def, &entry, now).await;
        entry.last_attempt = Some(now);
        match &result {
            Ok((outcome, validators)) => {
                entry.last_success = Some(now);
                entry.last_error = None;
                if let Outcome::Imported(imported) = outcome {
                    entry.validators = validators.clone();
                    entry.version = Some(imported.report.version.clone());
                }
            }
            Err(e) => {
                entry.last_error = Some(e.to_string());
                entry.last_failure_at = Some(now);
                entry.last_failure = Some(e.to_string());
            }
        }
        state.sources.insert(def.name.clone(), entry);
        state.save(&self.paths.state)?;
        result.map(|(outcome, _)| outcome)
    }

    async fn update_inner(
        &self,
        store: &Store,
        def: &SourceDef,
        entry: &SourceState,
        now: OffsetDateTime,
    ) -> Result<(Outcome, Validators), SourcesError> {
        let store_err = |e| SourcesError::Store {
            name: def.name.clone(),
            source: e,
        };
        let in_force = store
            .sources()
            .await
            .map_err(store_err)?
            .iter()
            .any(|s| s.source == def.name && s.version.is_some());
        let fetched = match &def.origin {
            Origin::Url(url) => {
                self.fetch_url(def, url, &entry.validators, in_force)
                    .await?
            }
            Origin::Path(path) => fetch_path(def, path, &entry.validators, in_force).await?,
        };
        let (bytes, extra, validators) = match fetched {
            Fetched::NotModified => return Ok((Outcome::NotModified, entry.validators.clone())),
            Fetched::Body {
                bytes,
                extra,
                validators,
            } => (bytes, extra, validators),
        };
        let size = bytes.len() as u64;
        let format = def.format;
        let (parsed, bytes) = tokio::task::spawn_blocking(move || {
            let parsed = parse(format, &bytes, extra);
            (parsed, bytes)
        })
        .await
        .map_err(|e| SourcesError::Io {
            what: format!("{}: parsing task", def.name),
            source: std::io::Error::other(e.to_string()),
        })?;
        let parsed = parsed.map_err(|e| SourcesError::Parse {
            name: def.name.clone(),
            origin: def.origin.to_string(),
            source: e,
        })?;
        if parsed.entities.is_empty() {
            return Err(SourcesError::Empty {
                name: def.name.clone(),
                origin: def.origin.to_string(),
                format: def.format,
            });
        }
        let record_errors = parsed.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = parsed.diagnostics.len() - record_errors;
        // The declared name is the source in the store: a parser's default
        // name (`un-sc`, `ftm`…) gives way to it, so two sources of the
        // same format can coexist.
        let mut entities = parsed.entities;
        for e in &mut entities {
            e.provenance.source.clone_from(&def.name);
        }
        tansiq_lists::apply_overrides(&mut entities, &self.measures);
        let report = store
            .import_list(&def.name, &parsed.version, entities)
            .await
            .map_err(store_err)?;
        let cached = keep_download(&self.paths.cache, def, &bytes, now)?;
        Ok((
            Outcome::Imported(Box::new(Imported {
                report,
                bytes: size,
                record_errors,
                warnings,
                cached,
            })),
            validators,
        ))
    }

    async fn fetch_url(
        &self,
        def: &SourceDef,
        url: &str,
        validators: &Validators,
        in_force: bool,
    ) -> Result<Fetched, SourcesError> {
        let fail = |reason: String| SourcesError::Fetch {
            name: def.name.clone(),
            url: url.to_string(),
            reason,
        };
        let describe = |e: reqwest::Error| {
            if e.is_timeout() {
                fail(format!(
                    "timed out after {} (the source's timeout)",
                    crate::config::format_duration(def.timeout)
                ))
            } else {
                fail(chain(&e))
            }
        };
        let mut request = self.client.get(url).timeout(def.timeout);
        for (name, value) in conditional_headers(validators, in_force) {
            request = request.header(name, value);
        }
        let mut response = request.send().await.map_err(describe)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            if in_force {
                return Ok(Fetched::NotModified);
            }
            return Err(fail(
                "304 Not Modified to an unconditional request".to_string(),
            ));
        }
        if !status.is_success() {
            return Err(SourcesError::Status {
                name: def.name.clone(),
                url: url.to_string(),
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            });
        }
        let too_large = || SourcesError::TooLarge {
            name: def.name.clone(),
            origin: url.to_string(),
            limit: def.max_bytes,
        };
        if response.content_length().is_some_and(|n| n > def.max_bytes) {
            return Err(too_large());
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let new_validators = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
            file_stamp: None,
        };
        let expected = response.content_length();
        let mut body = Vec::with_capacity(expected.unwrap_or(0).min(def.max_bytes) as usize);
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if body.len() as u64 + chunk.len() as u64 > def.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if let Some(n) = expected
            && n != body.len() as u64
        {
            return Err(fail(format!(
                "truncated body: {} of {n} bytes announced by Content-Length",
                body.len()
            )));
        }
        Ok(Fetched::Body {
            bytes: body,
            extra: None,
            validators: new_validators,
        })
    }

    /// The state of every declared source at `now`.
    pub async fn status(
        &self,
        store: &Store,
        config: &Config,
        now: OffsetDateTime,
    ) -> Result<Vec<SourceStatus>, SourcesError> {
        let state = State::load(&self.paths.state)?;
        let infos = store.sources().await.map_err(|e| SourcesError::Store {
            name: "*".into(),
            source: e,
        })?;
        Ok(config
            .sources
            .iter()
            .map(|def| {
                let info = infos.iter().find(|i| i.source == def.name);
                let remembered = state.sources.get(&def.name);
                let imported_at = info.and_then(|i| i.imported_at);
                let version = info.and_then(|i| i.version.clone());
                // A state entry without a version in the store (e.g. the
                // database was replaced) does not make the source current.
                let last_success = match (remembered.and_then(|r| r.last_success), &version) {
                    (Some(at), Some(_)) => Some(imported_at.map_or(at, |i| i.max(at))),
                    _ => imported_at,
                };
                SourceStatus {
                    name: def.name.clone(),
                    format: def.format,
                    origin: def.origin.to_string(),
                    schedule: def.schedule,
                    version: version.clone(),
                    imported_at,
                    active: info.map_or(0, |i| i.active),
                    total: info.map_or(0, |i| i.total),
                    last_success,
                    last_attempt: remembered.and_then(|r| r.last_attempt),
                    last_error: remembered.and_then(|r| r.last_error.clone()),
                    last_failure_at: remembered.and_then(|r| r.last_failure_at),
                    last_failure: remembered.and_then(|r| r.last_failure.clone()),
                    stale: version.is_none() || is_stale(last_success, now, def.schedule.max_age()),
                }
            })
            .collect())
    }
}

/// Parses a body with the declared format.
fn parse(
    format: Format,
    bytes: &[u8],
    extra: OfacExtra,
) -> Result<ParsedList, tansiq_lists::ListError> {
    match (format, extra) {
        (Format::OfacCsv, Some((alt, add))) => {
            tansiq_lists::parse_ofac(bytes, alt.as_deref(), add.as_deref())
        }
        _ => tansiq_lists::parse(format, bytes),
    }
}

async fn fetch_path(
    def: &SourceDef,
    path: &Path,
    validators: &Validators,
    in_force: bool,
) -> Result<Fetched, SourcesError> {
    let io = |what: String| {
        let name = def.name.clone();
        move |e| SourcesError::Io {
            what: format!("{name}: {what}"),
            source: e,
        }
    };
    let mut files = vec![path.to_path_buf()];
    if def.format == Format::OfacCsv {
        let dir = path.parent().unwrap_or(Path::new("."));
        files.push(dir.join("alt.csv"));
        files.push(dir.join("add.csv"));
    }
    let mut stamps = Vec::new();
    for (i, file) in files.iter().enumerate() {
        match tokio::fs::metadata(file).await {
            Ok(meta) => {
                if meta.len() > def.max_bytes {
                    return Err(SourcesError::TooLarge {
                        name: def.name.clone(),
                        origin: file.display().to_string(),
                        limit: def.max_bytes,
                    });
                }
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .unwrap_or_default();
                stamps.push(format!(
                    "{}:{}.{:09}",
                    meta.len(),
                    mtime.as_secs(),
                    mtime.subsec_nanos()
                ));
            }
            Err(e) if i > 0 && e.kind() == std::io::ErrorKind::NotFound => stamps.push("-".into()),
            Err(e) => return Err(io(format!("reading {}", file.display()))(e)),
        }
    }
    let stamp = stamps.join(" ");
    if in_force && validators.file_stamp.as_deref() == Some(stamp.as_str()) {
        return Ok(Fetched::NotModified);
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(io(format!("reading {}", path.display())))?;
    let extra = if def.format == Format::OfacCsv {
        let mut read = Vec::new();
        for file in &files[1..] {
            read.push(match tokio::fs::read(file).await {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(io(format!("reading {}", file.display()))(e)),
            });
        }
        let add = read.pop().flatten();
        let alt = read.pop().flatten();
        Some((alt, add))
    } else {
        None
    };
    Ok(Fetched::Body {
        bytes,
        extra,
        validators: Validators {
            file_stamp: Some(stamp),
            ..Validators::default()
        },
    })
}

/// Keeps a raw download as `<cache>/<source>/<UTC time>.<ext>` (written to
/// a temporary file and renamed) and deletes the oldest beyond `keep`.
fn keep_download(
    cache: &Path,
    def: &SourceDef,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<PathBuf, SourcesError> {
    let dir = cache.join(&def.name);
    let io = |what: String| move |e| SourcesError::Io { what, source: e };
    std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
    let ext = match def.format {
        Format::UnXml => "xml",
        Format::OfacCsv | Format::NationalCsv | Format::UkCsv => "csv",
        Format::DfatXlsx => "xlsx",
        Format::Ftm => "jsonl",
    };
    let now = now.to_offset(time::UtcOffset::UTC);
    let stem = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    let mut path = dir.join(format!("{stem}.{ext}"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    let tmp = dir.join(format!(".{stem}.partial"));
    std::fs::write(&tmp, bytes).map_err(io(format!("writing {}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(io(format!("renaming {}", tmp.display())))?;
    let mut kept: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(io(format!("listing {}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == ext)
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    // The names start with the UTC time, so name order is age order.
    kept.sort();
    let excess = kept.len().saturating_sub(def.keep);
    for old in &kept[..excess] {
        std::fs::remove_file(old).map_err(io(format!("removing {}", old.display())))?;
    }
    Ok(path)
}

/// An error and its causes, `: `-separated (reqwest hides the useful part
/// in the chain).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}
