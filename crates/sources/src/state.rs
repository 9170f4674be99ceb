//! What is remembered between updates, per source: the HTTP validators of
//! the imported download, when it was last checked, the last error. Kept in
//! a small JSON file beside the store, replaced atomically (temporary file
//! + rename), so a crash leaves the old or the new state, never half.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::SourcesError;

/// The state file: one entry per source name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub sources: BTreeMap<String, SourceState>,
}

/// What is remembered of one source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    /// Validators of the download that is in force: sent back on the next
    /// request. Only updated after a successful import, so a failed import
    /// is retried in full rather than answered "not modified".
    #[serde(default)]
    pub validators: Validators,
    /// Last time the source was confirmed current (imported, or not
    /// modified since the import).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_success: Option<OffsetDateTime>,
    /// Last time an update was attempted, whatever the outcome.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_attempt: Option<OffsetDateTime>,
    /// The error of the last attempt; `None` after a success.
    #[serde(default)]
    pub last_error: Option<String>,
    /// The last failed attempt and its error, kept after later successes
    /// (an operator asks "when did it last fail, and why?").
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_failure_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub last_failure: Option<String>,
    /// The list version imported from the source by the last success.
    #[serde(default)]
    pub version: Option<String>,
}

/// The validators of a download: HTTP `ETag` and `Last-Modified`, or for a
/// file its size and modification time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// `<size>:<mtime seconds>.<nanos>` of a local file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_stamp: Option<String>,
}

/// The conditional request headers to send, given what is remembered:
/// `If-None-Match` when there is an ETag, `If-Modified-Since` when there is
/// a Last-Modified date; none when nothing is in force. `in_force` is false
/// when the store holds no version of the source (e.g. the database was
/// replaced): then validators are ignored and the list is fetched whole.
pub fn conditional_headers(v: &Validators, in_force: bool) -> Vec<(&'static str, String)> {
    if !in_force {
        return Vec::new();
    }
    let mut headers = Vec::new();
    if let Some(etag) = &v.etag {
        headers.push(("if-none-match", etag.clone()));
    }
    if let Some(date) = &v.last_modified {
        headers.push(("if-modified-since", date.clone()));
    }
    headers
}

/// Whether a source last confirmed current at `last_success` is stale at
/// `now` under a maximum age. Never confirmed is stale. A confirmation in
/// the future (clock skew) counts as fresh.
pub fn is_stale(
    last_success: Option<OffsetDateTime>,
    now: OffsetDateTime,
    max_age: Duration,
) -> bool {
    match last_success {
        None => true,
        Some(at) => {
            let age = now - at;
            age.is_positive() && age.unsigned_abs() > max_age
        }
    }
}

impl State {
    /// Reads the state file; an absent file is an empty state.
    pub fn load(path: &Path) -> Result<State, SourcesError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SourcesError::State {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(SourcesError::Io {
                what: format!("reading the state file {}", path.display()),
                source: e,
            }),
        }
    }

    /// Writes the state file atomically: a temporary file in the same
    /// directory, synced, then renamed over the old one.
    pub fn save(&self, path: &Path) -> Result<(), SourcesError> {
        let io = |what: String| move |e| SourcesError::Io { what, source: e };
        let json = serde_json::to_vec_pretty(self).map_err(|e| SourcesError::State {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let tmp = path.with_extension("json.tmp");
        {
            use std::io::Write;
            let mut f =
                std::fs::File::create(&tmp).map_err(io(format!("creating {}", tmp.display())))?;
            f.write_all(&json)
                .and_then(|()| f.write_all(b"\n"))
                .and_then(|()| f.sync_all())
                .map_err(io(format!("writing {}", tmp.display())))?;
        }
        std::fs::rename(&tmp, path).map_err(io(format!(
            "replacing {} with {}",
            path.display(),
            tmp.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn conditional_headers_follow_the_validators() {
        let none = Validators::default();
        assert!(conditional_headers(&none, true).is_empty());
        let both = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Fri, 27 Feb 2026 00:00:09 GMT".into()),
            file_stamp: None,
        };
        assert_eq!(
            conditional_headers(&both, true),
            vec![
                ("if-none-match", "\"abc\"".to_string()),
                (
                    "if-modified-since",
                    "Fri, 27 Feb 2026 00:00:09 GMT".to_string()
                )
            ]
        );
        assert!(conditional_headers(&both, false).is_empty());
        let etag_only = Validators {
            etag: Some("W/\"1\"".into()),
            ..Validators::default()
        };
        assert_eq!(conditional_headers(&etag_only, true).len(), 1);
    }

    #[test]
    fn staleness() {
        let day = Duration::from_secs(86_400);
        let now = datetime!(2026-03-02 12:00 UTC);
        assert!(is_stale(None, now, day));
        assert!(!is_stale(Some(datetime!(2026-03-02 00:00 UTC)), now, day));
        assert!(!is_stale(Some(datetime!(2026-03-01 12:00 UTC)), now, day));
        assert!(is_stale(Some(datetime!(2026-03-01 11:59 UTC)), now, day));
        assert!(!is_stale(Some(datetime!(2026-03-03 00:00 UTC)), now, day));
    }

    #[test]
    fn state_round_trips_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.db.sources.json");
        assert_eq!(State::load(&path).unwrap(), State::default());
        let mut s = State::default();
        s.sources.insert(
            "un-sc".into(),
            SourceState {
                validators: Validators {
                    etag: Some("\"x\"".into()),
                    ..Validators::default()
                },
                last_success: Some(datetime!(2026-03-01 10:00 UTC)),
                last_attempt: Some(datetime!(2026-03-01 10:00 UTC)),
                last_error: None,
                last_failure_at: Some(datetime!(2026-02-28 10:00 UTC)),
                last_failure: Some("HTTP 503".into()),
                version: Some("2026-02-27T00:00:09.554Z".into()),
            },
        );
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), s);
        assert!(!path.with_extension("json.tmp").exists());
        std::fs::write(&path, b"{not json").unwrap();
        let e = State::load(&path).unwrap_err().to_string();
        assert!(e.contains("node.db.sources.json"), "{e}");
    }
}
