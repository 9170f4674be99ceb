//! The node's settings: `tansiq.toml`, each key overridable by an
//! environment variable `TANSIQ_<SECTION>_<KEY>` (e.g.
//! `TANSIQ_SERVER_LISTEN=0.0.0.0:8443`).
//!
//! Unknown keys are rejected with their name (a typo must fail startup, not
//! be silently ignored), and [`Config::validate`] reports every bad value at
//! once so an operator fixes the file in one pass.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ServerError;

/// Every setting of a node. `Default` is a working development node on
/// `127.0.0.1:8080` with the embedded store `tansiq.db`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerSection,
    pub store: StoreSection,
    pub tls: TlsSection,
    pub screening: ScreeningSection,
    pub rate_limit: RateLimitSection,
    pub security: SecuritySection,
    pub node: NodeSection,
    pub audit: AuditSection,
    pub retention: RetentionSection,
    pub review: ReviewSection,
    pub federation: FederationSection,
    pub lists: ListsSection,
    /// `[[sources]]`: the lists this node keeps current (see
    /// `crates/sources/SOURCES.md`); checked by [`Config::validate`],
    /// read with [`Config::list_sources`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<toml::Table>,
    /// `[[measures]]`: the agency's sanctions measures per regime,
    /// replacing the regime table's at import (see
    /// `crates/lists/MEASURES.md`); read by the CLI's import commands.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<toml::Table>,
}

/// `[federation]`: how this node reaches its partners (partners and
/// agreements themselves are kept in the store).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSection {
    /// The URL partners reach this node at, given in invitations.
    pub public_url: String,
    /// How often the worker follows the change feed and drains outboxes.
    pub poll_ms: u64,
    /// Timeout of one delivery to a partner.
    pub request_timeout_ms: u64,
    /// The most a screening waits for partners' hit/no-hit answers (they
    /// are asked at once, each bounded by this); a partner that does not
    /// answer in time is reported as unanswered.
    pub check_timeout_ms: u64,
    /// After a failed or late check, the partner is not asked for this
    /// long, doubled for each further failure in a row (at most 32 times).
    pub check_cooldown_ms: u64,
    /// Digests of messages received from partners are kept this many days
    /// (then purged, except each partner's last): within it a replayed
    /// number with other content is told from a duplicate; after it, an old
    /// number is acknowledged and ignored, never applied again.
    pub inbox_digest_days: u32,
    /// PEM CA bundle trusted for partners' server certificates (beside the
    /// system roots).
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate and key presented to partners (mutual TLS).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

impl Default for FederationSection {
    fn default() -> Self {
        FederationSection {
            public_url: String::new(),
            poll_ms: 250,
            request_timeout_ms: 5_000,
            check_timeout_ms: 300,
            check_cooldown_ms: 10_000,
            inbox_digest_days: 30,
            ca_file: None,
            client_cert: None,
            client_key: None,
        }
    }
}

/// `[server]`: where and how the HTTP service listens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Socket address, e.g. `127.0.0.1:8080`; port 0 picks a free port.
    pub listen: String,
    /// Largest accepted request body in bytes.
    pub body_limit_bytes: u64,
    /// A request that takes longer is answered 503 and dropped.
    pub request_timeout_ms: u64,
    /// How long a shutdown waits for in-flight requests.
    pub shutdown_grace_ms: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            listen: "127.0.0.1:8080".into(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_ms: 10_000,
            shutdown_grace_ms: 30_000,
        }
    }
}

/// `[store]`: the durable state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSection {
    /// A SQLite file path (created if absent) or a `postgres://` URL.
    pub location: String,
    /// Where the node keeps its files that are not in the database (list
    /// downloads, list sources' state). Default: beside the SQLite file;
    /// the working folder with PostgreSQL.
    pub files_dir: Option<PathBuf>,
    /// How often (ms) the node checks the store's change feed and rebuilds
    /// its index when another process (a replica on the same PostgreSQL,
    /// `tansiq import`) changed entities; 0 turns it off.
    pub follow_changes_ms: u64,
}

impl Default for StoreSection {
    fn default() -> Self {
        StoreSection {
            location: "tansiq.db".into(),
            files_dir: None,
            follow_changes_ms: 250,
        }
    }
}

/// `[tls]`: HTTPS with rustls when both paths are set (PEM files).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsSection {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// PEM bundle of the certificate authorities (or the partners' own
    /// self-signed certificates, pinned) that issue partner nodes' client
    /// certificates. When set, the node-to-node routes (`/fed/v1/...`)
    /// answer only over a connection whose client certificate verifies
    /// against it (mutual TLS); a connection presenting a certificate that
    /// does not verify is refused in the handshake. Other routes keep
    /// working without a client certificate (officers, API clients).
    pub client_ca: Option<PathBuf>,
}

/// `[screening]`: bands and result sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScreeningSection {
    /// Score from which a match is a *possible* match (0..=1).
    pub possible: f64,
    /// Score from which a match is a *strong* match (0..=1, ≥ possible).
    pub strong: f64,
    /// Matches returned when a request does not say.
    pub default_limit: usize,
    /// Most matches a request may ask for.
    pub max_limit: usize,
}

impl Default for ScreeningSection {
    fn default() -> Self {
        ScreeningSection {
            possible: 0.80,
            strong: 0.92,
            default_limit: 10,
            max_limit: 100,
        }
    }
}

/// `[rate_limit]`: a token bucket per API key, and one per source address
/// for refused requests (see `crate::flood`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSection {
    /// Sustained requests per second per key; 0 disables the limit.
    pub per_key_per_second: u32,
    /// Requests a key may make at once above the sustained rate.
    pub burst: u32,
    /// Refused authentications an address may have per minute before its
    /// requests are turned away unauthenticated (429); 0 disables the
    /// limit (refusals are still summarised).
    pub refusals_per_minute_per_address: u32,
    /// Refusals an address may have at once above that rate.
    pub refusal_burst_per_address: u32,
}

impl Default for RateLimitSection {
    fn default() -> Self {
        RateLimitSection {
            per_key_per_second: 200,
            burst: 400,
            refusals_per_minute_per_address: 60,
            refusal_burst_per_address: 30,
        }
    }
}

/// `[security]`: secrets kept outside the database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySection {
    /// File holding the API-key pepper (created with 32 random bytes, mode
    /// 0600, when absent). Keep it off the database's backups: a stolen
    /// database without it cannot be used to check guessed keys.
    pub pepper_file: PathBuf,
    /// API keys expire after this many days unless a shorter expiry is asked.
    pub key_max_days: u32,
}

impl Default for SecuritySection {
    fn default() -> Self {
        SecuritySection {
            pepper_file: "tansiq.pepper".into(),
            key_max_days: 365,
        }
    }
}

/// `[node]`: who this node is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NodeSection {
    /// The node's id among its partners (1 to 32 of a-z, 0-9, -), e.g. `dz`.
    pub id: String,
    /// The node's Ed25519 identity (created, mode 0600, when absent). It
    /// signs audit checkpoints and federation messages: keep it secret and
    /// backed up apart from the database.
    pub identity_file: PathBuf,
    /// After `tansiq node rotate-key`, the previous key stays valid this long.
    pub key_rotation_window_days: u32,
}

impl Default for NodeSection {
    fn default() -> Self {
        NodeSection {
            id: "local".into(),
            identity_file: "tansiq.identity".into(),
            key_rotation_window_days: 7,
        }
    }
}

/// `[audit]`: signed checkpoints of the hash-chained audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSection {
    /// Where the node writes its latest signed checkpoint (atomically
    /// replaced). Keep it outside the database's reach, or copy it off the
    /// machine: it is what detects a truncated or rewritten log tail.
    pub checkpoint_file: PathBuf,
    /// Seconds between checkpoints (one more is written at shutdown).
    pub checkpoint_every_s: u64,
    /// What a node auditor sees of *other* agencies' events: `redacted`
    /// (the default: payload and any subject naming an entry hidden from
    /// the auditor's agency withheld; hashes kept) or `full`. See
    /// DEPLOY.md, "Who reads the audit log".
    pub node_auditor_payloads: NodeAuditorPayloads,
}

/// The policy `[audit] node_auditor_payloads`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeAuditorPayloads {
    /// Other agencies' traveller data and hidden entry ids stay withheld.
    #[default]
    Redacted,
    /// A node auditor reads every agency's events in full.
    Full,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection {
            checkpoint_file: "tansiq.checkpoint".into(),
            checkpoint_every_s: 300,
            node_auditor_payloads: NodeAuditorPayloads::Redacted,
        }
    }
}

/// `[retention]`: how long traveller data is kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSection {
    /// Traveller data (queries, documents, matches) is purged after this
    /// many days: audit payloads, screening records, the context and
    /// document of decided (dismissed, closed) hits, and dismissed
    /// (document, entity) pairs. Open and confirmed hits keep theirs. The
    /// audit chain stays verifiable: it covers payload hashes, not payloads.
    pub traveller_data_days: u32,
    /// Seconds between purge runs.
    pub purge_every_s: u64,
}

impl Default for RetentionSection {
    fn default() -> Self {
        RetentionSection {
            traveller_data_days: 90,
            purge_every_s: 3600,
        }
    }
}

/// `[review]`: hits and re-screening.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewSection {
    /// When an entity is added or changed, the screenings of the last
    /// this many days are screened again against it; 0 turns it off.
    pub rescreen_days: u32,
    /// Whether this node re-screens by itself after each index rebuild.
    /// Turn it off on all but one replica sharing a PostgreSQL store (the
    /// others would repeat the work; hits are raised once either way).
    pub rescreen_on_change: bool,
    /// How a pass finds the travellers a changed entry may concern:
    /// `travellers` (the default) looks them up in an index of the
    /// window's travellers (`review/travellers.rs`); `scan` reads and
    /// prefilters every screening of the window (the reference the
    /// traveller index is tested against, and a fallback).
    pub rescreen_by: RescreenBy,
}

/// See [`ReviewSection::rescreen_by`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RescreenBy {
    #[default]
    Travellers,
    Scan,
}

impl Default for ReviewSection {
    fn default() -> Self {
        ReviewSection {
            rescreen_days: 30,
            rescreen_on_change: true,
            rescreen_by: RescreenBy::Travellers,
        }
    }
}

/// `[lists]`: how a serving node keeps its declared `[[sources]]` current
/// (see `crate::sources`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListsSection {
    /// Whether `serve` updates each declared source on its schedule (as
    /// `tansiq lists update` does). Off: only on request
    /// (`POST /v1/sources/{name}/update`) or by cron.
    pub auto_update: bool,
    /// Seconds between looks at which sources are due.
    pub check_every_s: u64,
    /// Whether a stale source makes `/readyz` answer 503 (otherwise it is
    /// a warning in the answer, in the log and in `/metrics`).
    pub stale_not_ready: bool,
}

impl Default for ListsSection {
    fn default() -> Self {
        ListsSection {
            auto_update: true,
            check_every_s: 60,
            stale_not_ready: false,
        }
    }
}

/// The environment variable prefix of overrides.
const ENV_PREFIX: &str = "TANSIQ_";

impl Config {
    /// Reads `path` (when given; the defaults otherwise), applies the
    /// process environment's `TANSIQ_<SECTION>_<KEY>` overrides and
    /// validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ServerError> {
        let text = match path {
            Some(p) => std::fs::read_to_string(p).map_err(|e| ServerError::Config {
                message: format!("cannot read {}: {e}", p.display()),
            })?,
            None => String::new(),
        };
        Config::from_toml_str(&text, std::env::vars())
    }

    /// Parses TOML text, applies overrides from `env` (name, value) pairs
    /// and validates. Variables whose name does not start with a known
    /// section (`TANSIQ_SERVER_`, `TANSIQ_STORE_`, …) are ignored, so other
    /// `TANSIQ_*` variables of the CLI do not clash.
    pub fn from_toml_str(
        text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ServerError> {
        let mut table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ServerError::Config {
                    message: format!("tansiq.toml: {}", e.message().trim()).replace('\n', " ")
                        + &span_line(text, e.span()),
                })?;
        let shape = Config::shape();
        let mut env: Vec<(String, String)> = env.into_iter().collect();
        env.sort();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let rest = rest.to_ascii_lowercase();
            let Some((section, key)) = shape.keys().find_map(|section| {
                rest.strip_prefix(section.as_str())
                    .and_then(|r| r.strip_prefix('_'))
                    .map(|key| (section.clone(), key.to_string()))
            }) else {
                continue;
            };
            let expected = shape
                .get(&section)
                .and_then(|s| s.as_table())
                .and_then(|t| t.get(&key));
            let parsed = env_value(&name, &value, expected)?;
            let entry = table
                .entry(section.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match entry.as_table_mut() {
                Some(t) => {
                    t.insert(key, parsed);
                }
                None => {
                    return Err(ServerError::Config {
                        message: format!("tansiq.toml: `{section}` must be a table"),
                    });
                }
            }
        }
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let message = inner.message().trim().replace('\n', " ");
                ServerError::Config {
                    message: if path == "." || path == "?" {
                        format!("tansiq.toml: {message}")
                    } else {
                        format!("tansiq.toml: {path}: {message}")
                    },
                }
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Every section and key with a value of the right type: the shape
    /// environment overrides are checked against.
    fn shape() -> toml::Table {
        let mut sample = Config::default();
        sample.tls.cert = Some(PathBuf::new());
        sample.tls.key = Some(PathBuf::new());
        sample.tls.client_ca = Some(PathBuf::new());
        sample.store.files_dir = Some(PathBuf::new());
        sample.federation.ca_file = Some(PathBuf::new());
        sample.federation.client_cert = Some(PathBuf::new());
        sample.federation.client_key = Some(PathBuf::new());
        toml::Table::try_from(&sample).unwrap_or_default()
    }

    /// Checks values that parse but make no sense; reports all of them.
    pub fn validate(&self) -> Result<(), ServerError> {
        let mut problems = Vec::new();
        if self.listen_addr().is_err() {
            problems.push(format!(
                "server.listen: {:?} is not a socket address like 127.0.0.1:8080",
                self.server.listen
            ));
        }
        if self.server.body_limit_bytes == 0 {
            problems.push("server.body_limit_bytes: must be at least 1".into());
        }
        if self.server.request_timeout_ms == 0 {
            problems.push("server.request_timeout_ms: must be at least 1".into());
        }
        if self.store.location.trim().is_empty() {
            problems.push("store.location: must not be empty".into());
        }
        if self.federation.inbox_digest_days == 0 {
            problems.push("federation.inbox_digest_days: must be at least 1".into());
        }
        if self.federation.check_timeout_ms == 0 {
            problems.push("federation.check_timeout_ms: must be at least 1".into());
        }
        if self.federation.client_cert.is_some() != self.federation.client_key.is_some() {
            problems.push("federation.client_cert and federation.client_key go together".into());
        }
        match (&self.tls.cert, &self.tls.key) {
            (Some(_), None) => problems.push("tls.key: missing while tls.cert is set".into()),
            (None, Some(_)) => problems.push("tls.cert: missing while tls.key is set".into()),
            _ => {}
        }
        if self.tls.client_ca.is_some() && self.tls.cert.is_none() {
            problems
                .push("tls.client_ca: mutual TLS needs the node's own tls.cert and tls.key".into());
        }
        let s = &self.screening;
        for (name, v) in [("possible", s.possible), ("strong", s.strong)] {
            if !(0.0..=1.0).contains(&v) {
                problems.push(format!("screening.{name}: {v} is not in 0..=1"));
            }
        }
        if s.possible > s.strong {
            problems.push(format!(
                "screening.strong: {} is below screening.possible {}",
                s.strong, s.possible
            ));
        }
        if s.default_limit == 0 || s.default_limit > s.max_limit {
            problems.push(format!(
                "screening.default_limit: {} is not in 1..=max_limit ({})",
                s.default_limit, s.max_limit
            ));
        }
        if self.rate_limit.per_key_per_second > 0 && self.rate_limit.burst == 0 {
            problems.push("rate_limit.burst: must be at least 1 when a rate is set".into());
        }
        if self.review.rescreen_days > 3650 {
            problems.push(format!(
                "review.rescreen_days: {} is more than ten years",
                self.review.rescreen_days
            ));
        }
        if self.lists.check_every_s == 0 {
            problems.push("lists.check_every_s: must be at least 1".into());
        }
        if self.security.key_max_days == 0 {
            problems.push("security.key_max_days: must be at least 1".into());
        }
        if let Err(e) = tansiq_trust::check_node_id(&self.node.id) {
            problems.push(format!("node.id: {e}"));
        }
        if self.audit.checkpoint_every_s == 0 {
            problems.push("audit.checkpoint_every_s: must be at least 1".into());
        }
        if self.retention.traveller_data_days == 0 {
            problems.push("retention.traveller_data_days: must be at least 1".into());
        }
        if let Err(e) = self.list_sources() {
            problems.push(e.to_string());
        }
        if self.retention.purge_every_s == 0 {
            problems.push("retention.purge_every_s: must be at least 1".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServerError::Config {
                message: problems.join("; "),
            })
        }
    }

    /// The declared list sources (`[[sources]]`) and the agency's
    /// `[[measures]]` overrides, parsed and checked.
    pub fn list_sources(&self) -> Result<tansiq_sources::Config, ServerError> {
        let mut table = toml::Table::new();
        table.insert(
            "sources".into(),
            toml::Value::Array(
                self.sources
                    .iter()
                    .cloned()
                    .map(toml::Value::Table)
                    .collect(),
            ),
        );
        if !self.measures.is_empty() {
            table.insert(
                "measures".into(),
                toml::Value::Array(
                    self.measures
                        .iter()
                        .cloned()
                        .map(toml::Value::Table)
                        .collect(),
                ),
            );
        }
        table.insert(
            "db".into(),
            toml::Value::String(self.store.location.clone()),
        );
        tansiq_sources::Config::parse(&table.to_string()).map_err(|e| ServerError::Config {
            message: e.to_string(),
        })
    }

    /// Where list sources keep their state and downloads.
    pub fn source_paths(&self) -> tansiq_sources::Paths {
        match &self.store.files_dir {
            Some(dir) => tansiq_sources::Paths {
                state: dir.join("tansiq.sources.json"),
                cache: dir.join("tansiq.downloads"),
            },
            None => tansiq_sources::Paths::beside_db(&self.store.location, Path::new(".")),
        }
    }

    /// The listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ServerError> {
        self.server.listen.parse().map_err(|_| ServerError::Config {
            message: format!(
                "server.listen: {:?} is not a socket address",
                self.server.listen
            ),
        })
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.server.request_timeout_ms)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.server.shutdown_grace_ms)
    }
}

fn span_line(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

/// Converts an environment value to the type the key expects. A key the
/// shape does not know is passed as a string, so `deny_unknown_fields`
/// rejects it with its name.
fn env_value(
    name: &str,
    value: &str,
    expected: Option<&toml::Value>,
) -> Result<toml::Value, ServerError> {
    let bad = |what: &str| ServerError::Config {
        message: format!("{name}: {value:?} is not {what}"),
    };
    Ok(match expected {
        Some(toml::Value::Integer(_)) => {
            toml::Value::Integer(value.trim().parse().map_err(|_| bad("an integer"))?)
        }
        Some(toml::Value::Float(_)) => {
            toml::Value::Float(value.trim().parse().map_err(|_| bad("a number"))?)
        }
        Some(toml::Value::Boolean(_)) => {
            toml::Value::Boolean(value.trim().parse().map_err(|_| bad("true or false"))?)
        }
        _ => toml::Value::String(value.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, env: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_toml_str(
            text,
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn example_file_is_the_defaults() {
        let text = include_str!("../tansiq.example.toml");
        assert_eq!(check(text, &[]).unwrap(), Config::default());
    }

    #[test]
    fn thresholds_default_to_the_matchers() {
        let m = tansiq_matching::MatcherConfig::default();
        let s = ScreeningSection::default();
        assert_eq!((s.possible, s.strong), (m.possible, m.strong));
    }

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(check("", &[]).unwrap(), Config::default());
    }

    #[test]
    fn file_values_are_read() {
        let c = check(
            "[server]\nlisten = \"0.0.0.0:9000\"\n[screening]\npossible = 0.7\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(c.server.listen, "0.0.0.0:9000");
        assert_eq!(c.screening.possible, 0.7);
        assert_eq!(c.tls.cert.as_deref(), Some(Path::new("c.pem")));
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let e = check("[server]\nlisten_adress = \"x\"\n", &[]).unwrap_err();
        assert!(e.contains("listen_adress"), "{e}");
        let e = check("[sever]\n", &[]).unwrap_err();
        assert!(e.contains("sever"), "{e}");
    }

    #[test]
    fn environment_overrides_every_type() {
        let c = check(
            "[server]\nlisten = \"0.0.0.0:9000\"\n",
            &[
                ("TANSIQ_SERVER_LISTEN", "127.0.0.1:7000"),
                ("TANSIQ_SERVER_BODY_LIMIT_BYTES", "2048"),
                ("TANSIQ_SCREENING_STRONG", "0.95"),
                ("TANSIQ_STORE_LOCATION", "postgres://x@h/db"),
                ("TANSIQ_TLS_CERT", "/etc/c.pem"),
                ("TANSIQ_TLS_KEY", "/etc/k.pem"),
                ("TANSIQ_RATE_LIMIT_BURST", "9"),
                ("TANSIQ_SHARED", "/ignored"),
                ("PATH", "/bin"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:7000");
        assert_eq!(c.server.body_limit_bytes, 2048);
        assert_eq!(c.screening.strong, 0.95);
        assert_eq!(c.store.location, "postgres://x@h/db");
        assert_eq!(c.tls.key.as_deref(), Some(Path::new("/etc/k.pem")));
        assert_eq!(c.rate_limit.burst, 9);
    }

    #[test]
    fn environment_errors_name_the_variable() {
        let e = check("", &[("TANSIQ_SERVER_BODY_LIMIT_BYTES", "lots")]).unwrap_err();
        assert!(e.contains("TANSIQ_SERVER_BODY_LIMIT_BYTES"), "{e}");
        let e = check("", &[("TANSIQ_SERVER_LISTN", "x")]).unwrap_err();
        assert!(e.contains("listn"), "{e}");
    }

    #[test]
    fn validation_reports_every_problem() {
        let e = check(
            "[server]\nlisten = \"nowhere\"\n[screening]\npossible = 0.9\nstrong = 0.5\n[tls]\ncert = \"c\"\n",
            &[],
        )
        .unwrap_err();
        for needle in ["server.listen", "screening.strong", "tls.key"] {
            assert!(e.contains(needle), "{needle} not in {e}");
        }
    }

    #[test]
    fn wrong_types_are_named() {
        let e = check("[server]\nbody_limit_bytes = \"big\"\n", &[]).unwrap_err();
        assert!(e.contains("server.body_limit_bytes"), "{e}");
    }
}
