//! `tansiq.toml`: the declared sources, checked strictly (unknown keys,
//! unknown formats and contradictory origins are errors naming the key).

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use tansiq_lists::Format;

use crate::SourcesError;

/// Raw downloads kept per source when `keep` is absent.
pub const DEFAULT_KEEP: usize = 5;
/// Whole-request timeout when `timeout` is absent.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest body accepted when `max_bytes` is absent (the largest real list,
/// OFAC's, is a few tens of MB).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The parsed configuration file.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The store location named in the file (`db = "…"`), if any; the
    /// command line and `TANSIQ_DB` take precedence.
    pub db: Option<String>,
    /// Every declared source, in file order; names are unique.
    pub sources: Vec<SourceDef>,
    /// `[[measures]]`: the agency's sanctions measures per regime, applied
    /// at import (crates/lists/MEASURES.md).
    pub measures: Vec<tansiq_lists::MeasureOverride>,
}

/// One declared list source.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDef {
    /// The source name in the store (e.g. `un-sc`): entities are imported
    /// under it.
    pub name: String,
    pub format: Format,
    pub origin: Origin,
    /// Maximum age of the last successful check before the source is stale.
    pub schedule: Schedule,
    /// Raw downloads kept in the cache (at least 1).
    pub keep: usize,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    /// Bodies larger than this are refused.
    pub max_bytes: u64,
}

/// Where a source is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `http://` or `https://`, fetched with conditional requests.
    Url(String),
    /// A local file (e.g. dropped by another system); "not modified" when
    /// its size and modification time are those of the last import.
    Path(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Url(u) => f.write_str(u),
            Origin::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The sources' view of `tansiq.toml`: the node's other sections (`[server]`,
/// `[store]`…) are the node's and checked strictly by its own loader
/// (`tansiq_server::Config`); here only `[[sources]]` and the store location
/// matter. A top-level key that is not a section is still an error.
#[derive(Deserialize)]
struct RawConfig {
    db: Option<String>,
    store: Option<RawStore>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    measures: Vec<tansiq_lists::MeasureOverride>,
    #[serde(flatten)]
    rest: toml::Table,
}

#[derive(Deserialize)]
struct RawStore {
    location: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    format: String,
    url: Option<String>,
    path: Option<PathBuf>,
    schedule: String,
    keep: Option<usize>,
    timeout: Option<String>,
    max_bytes: Option<u64>,
}

impl Config {
    /// Reads a configuration file; relative `path`s are taken relative to
    /// the file's directory.
    pub fn load(path: &Path) -> Result<Config, SourcesError> {
        let text = std::fs::read_to_string(path).map_err(|e| SourcesError::Io {
            what: format!("reading the configuration {}", path.display()),
            source: e,
        })?;
        let mut config = Config::parse(&text).map_err(|e| match e {
            SourcesError::Config { reason, .. } => SourcesError::Config {
                file: path.display().to_string(),
                reason,
            },
            other => other,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        for source in &mut config.sources {
            if let Origin::Path(p) = &mut source.origin
                && p.is_relative()
            {
                *p = dir.join(&*p);
            }
        }
        Ok(config)
    }

    /// Parses configuration text (see `SOURCES.md`).
    pub fn parse(text: &str) -> Result<Config, SourcesError> {
        let err = |reason: String| SourcesError::Config {
            file: "tansiq.toml".into(),
            reason,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if let Some((key, _)) = raw.rest.iter().find(|(_, v)| !v.is_table()) {
            return Err(err(format!(
                "unknown field `{key}` (expected `db`, `[[sources]]`, `[[measures]]` or a node section such as `[server]`)"
            )));
        }
        let mut seen = BTreeSet::new();
        let mut sources = Vec::with_capacity(raw.sources.len());
        for (i, s) in raw.sources.into_iter().enumerate() {
            let at = |key: &str, why: String| err(format!("sources[{i}].{key}: {why}"));
            let name = s.name.trim().to_string();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            {
                return Err(at(
                    "name",
                    format!(
                        "{:?} must be non-empty ASCII letters, digits, '-', '_' or '.'",
                        s.name
                    ),
                ));
            }
            if !seen.insert(name.clone()) {
                return Err(at("name", format!("{name:?} is declared twice")));
            }
            let format: Format = s.format.parse().map_err(|e: String| at("format", e))?;
            if format == Format::NationalCsv {
                return Err(at(
                    "format",
                    "national-csv is the agency's own entries, loaded with `tansiq import`, not a list source (expected un-xml, ofac-csv, dfat-xlsx or ftm)".into(),
                ));
            }
            if format == Format::UkCsv {
                return Err(at(
                    "format",
                    "uk-csv comes as five tables (subjects.csv and the four beside it), which a source cannot fetch yet: load it with `tansiq import subjects.csv` (expected un-xml, ofac-csv, dfat-xlsx or ftm)".into(),
                ));
            }
            let origin = match (s.url, s.path) {
                (Some(url), None) => {
                    if !(url.starts_with("https://") || url.starts_with("http://")) {
                        return Err(at("url", format!("{url:?} is not an http(s) URL")));
                    }
                    Origin::Url(url)
                }
                (None, Some(path)) => Origin::Path(path),
                (Some(_), Some(_)) => {
                    return Err(at("url", "give either url or path, not both".into()));
                }
                (None, None) => return Err(at("url", "missing: give url or path".into())),
            };
            let schedule: Schedule = s.schedule.parse().map_err(|e| at("schedule", e))?;
            let keep = s.keep.unwrap_or(DEFAULT_KEEP);
            if keep == 0 {
                return Err(at("keep", "must be at least 1".into()));
            }
            let timeout = match s.timeout {
                Some(t) => parse_duration(&t).map_err(|e| at("timeout", e))?,
                None => DEFAULT_TIMEOUT,
            };
            let max_bytes = s.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
            if max_bytes == 0 {
                return Err(at("max_bytes", "must be at least 1".into()));
            }
            sources.push(SourceDef {
                name,
                format,
                origin,
                schedule,
                keep,
                timeout,
                max_bytes,
            });
        }
        Ok(Config {
            db: raw.db.or(raw.store.and_then(|s| s.location)),
            sources,
            measures: raw.measures,
        })
    }

    /// The source called `name`.
    pub fn source(&self, name: &str) -> Option<&SourceDef> {
        self.sources.iter().find(|s| s.name == name)
    }
}

/// How old the last successful check of a source may be before it is
/// stale. Invariant: longer than zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule(Duration);

impl Schedule {
    pub fn new(max_age: Duration) -> Option<Schedule> {
        (!max_age.is_zero()).then_some(Schedule(max_age))
    }

    pub fn max_age(self) -> Duration {
        self.0
    }
}

impl FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Schedule, String> {
        let d = parse_duration(s)?;
        Schedule::new(d).ok_or_else(|| format!("{s:?} is zero; a schedule must be longer"))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

/// Parses `30s`, `30m`, `6h`, `24h`, `7d`, `2w`, or a sum of them written
/// together (`1d12h`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err("empty duration (expected e.g. 30m, 6h, 24h, 7d)".into());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!(
                "{s:?}: expected a number at {:?} (e.g. 30m, 6h, 24h, 7d)",
                rest
            ));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{s:?}: number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let seconds = match unit {
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            "" => return Err(format!("{s:?}: missing unit after {n} (s, m, h, d or w)")),
            other => return Err(format!("{s:?}: unknown unit {other:?} (s, m, h, d or w)")),
        };
        total = n
            .checked_mul(seconds)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("{s:?}: too long"))?;
    }
    Ok(Duration::from_secs(total))
}

/// The largest exact unit: `86400 s` is `1d`, `5400 s` is `90m`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, size) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s >= size && s.is_multiple_of(size) {
            return format!("{}{unit}", s / size);
        }
    }
    format!("{s}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_err(text: &str, expect: &str) {
        let e = Config::parse(text).unwrap_err().to_string();
        assert!(e.contains(expect), "{e:?} should contain {expect:?}");
    }

    const ONE: &str = r#"
db = "node.db"
[[sources]]
name = "un-sc"
format = "un-xml"
url = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
schedule = "24h"
keep = 3

[[sources]]
name = "ofac-sdn"
format = "ofac-csv"
path = "/srv/lists/sdn.csv"
schedule = "7d"
timeout = "30s"
max_bytes = 1000
"#;

    #[test]
    fn reads_sources_from_a_whole_node_configuration() {
        let text = format!(
            "[server]\nlisten = \"127.0.0.1:0\"\n[store]\nlocation = \"n.db\"\n{}",
            ONE.replace("db = \"node.db\"\n", "")
        );
        let c = Config::parse(&text).unwrap();
        assert_eq!(c.db.as_deref(), Some("n.db"));
        assert_eq!(c.sources.len(), 2);
    }

    #[test]
    fn parses_sources() {
        let c = Config::parse(ONE).unwrap();
        assert_eq!(c.db.as_deref(), Some("node.db"));
        assert_eq!(c.sources.len(), 2);
        let un = c.source("un-sc").unwrap();
        assert_eq!(un.format, Format::UnXml);
        assert!(matches!(&un.origin, Origin::Url(u) if u.ends_with("consolidated.xml")));
        assert_eq!(un.schedule.max_age(), Duration::from_secs(86_400));
        assert_eq!(un.keep, 3);
        assert_eq!(un.timeout, DEFAULT_TIMEOUT);
        assert_eq!(un.max_bytes, DEFAULT_MAX_BYTES);
        let ofac = c.source("ofac-sdn").unwrap();
        assert_eq!(ofac.origin, Origin::Path("/srv/lists/sdn.csv".into()));
        assert_eq!(ofac.keep, DEFAULT_KEEP);
        assert_eq!(ofac.timeout, Duration::from_secs(30));
        assert_eq!(ofac.max_bytes, 1000);
        assert_eq!(ofac.schedule.to_string(), "1w");
    }

    #[test]
    fn rejects_unknown_keys_by_name() {
        check_err(
            "[[sources]]\nname='a'\nformat='ftm'\npath='x'\nschedule='1h'\nretries=3\n",
            "retries",
        );
        check_err("colour = 'blue'\n", "colour");
    }

    #[test]
    fn rejects_bad_values_naming_the_key() {
        let base = |extra: &str| format!("[[sources]]\nname='a'\n{extra}\n");
        check_err(
            &base("format='national-csv'\npath='x'\nschedule='1h'"),
            "sources[0].format: national-csv",
        );
        check_err(
            &base("format='pdf'\npath='x'\nschedule='1h'"),
            "unknown list format",
        );
        check_err(
            &base("format='ftm'\nschedule='1h'"),
            "sources[0].url: missing",
        );
        check_err(
            &base("format='ftm'\npath='x'\nurl='https://x'\nschedule='1h'"),
            "not both",
        );
        check_err(
            &base("format='ftm'\nurl='ftp://x'\nschedule='1h'"),
            "not an http(s) URL",
        );
        check_err(
            &base("format='ftm'\npath='x'\nschedule='soon'"),
            "sources[0].schedule",
        );
        check_err(&base("format='ftm'\npath='x'\nschedule='0h'"), "is zero");
        check_err(
            &base("format='ftm'\npath='x'\nschedule='1h'\nkeep=0"),
            "sources[0].keep",
        );
        check_err(&base("path='x'\nschedule='1h'"), "format");
        let twice = "[[sources]]\nname='a'\nformat='ftm'\npath='x'\nschedule='1h'\n\
                     [[sources]]\nname='a'\nformat='ftm'\npath='y'\nschedule='1h'\n";
        check_err(twice, "sources[1].name: \"a\" is declared twice");
        check_err(
            "[[sources]]\nname='a b'\nformat='ftm'\npath='x'\nschedule='1h'\n",
            "sources[0].name",
        );
    }

    #[test]
    fn durations() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("30m"), Ok(1_800));
        assert_eq!(secs("6h"), Ok(21_600));
        assert_eq!(secs("24h"), Ok(86_400));
        assert_eq!(secs("7d"), Ok(604_800));
        assert_eq!(secs("1d12h"), Ok(129_600));
        assert_eq!(secs("1s"), Ok(1));
        assert!(secs("").is_err());
        assert!(secs("12").unwrap_err().contains("missing unit"));
        assert!(secs("3y").unwrap_err().contains("unknown unit \"y\""));
        assert!(secs("h").is_err());
        assert!(secs("99999999999999999999d").is_err());
        assert_eq!(format_duration(Duration::from_secs(86_400)), "1d");
        assert_eq!(format_duration(Duration::from_secs(5_400)), "90m");
        assert_eq!(format_duration(Duration::from_secs(61)), "61s");
    }

    #[test]
    fn the_shipped_example_parses() {
        let text = include_str!("../examples/tansiq.toml");
        let c = Config::parse(text).unwrap();
        let names: Vec<&str> = c.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["un-sc", "ofac-sdn", "au-dfat"]);
        assert_eq!(c.source("au-dfat").unwrap().format, Format::DfatXlsx);
    }
}
