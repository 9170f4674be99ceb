//! Test support: finds the project's real shared data (`TANSIQ_SHARED`) and
//! the test PostgreSQL server (`TANSIQ_TEST_POSTGRES`).
//!
//! Policy: outside CI a test whose input is missing prints that it is
//! skipped and passes; under `CI=true` it fails, so a green CI can never
//! silently omit the real-data or PostgreSQL tests.

use std::path::PathBuf;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn missing(var: &str, what: &str) {
    if in_ci() {
        panic!("{var} is not set under CI=true: {what} cannot run");
    }
    eprintln!("skipped: {var} is not set, so {what} does not run");
}

/// The shared data folder (`TANSIQ_SHARED`), or `None` (test skipped) when
/// it is not set outside CI. Panics under CI when unset or not a folder.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    match std::env::var_os("TANSIQ_SHARED") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.is_dir(),
                "TANSIQ_SHARED={} is not a folder",
                dir.display()
            );
            Some(dir)
        }
        None => {
            missing("TANSIQ_SHARED", what);
            None
        }
    }
}

/// A file below the shared folder, or `None` when the folder is not set.
/// Panics when the folder is set but the file is missing.
pub fn shared_file(relative: &str, what: &str) -> Option<PathBuf> {
    let path = shared_dir(what)?.join(relative);
    assert!(path.is_file(), "{} is missing", path.display());
    Some(path)
}

/// The URL of a PostgreSQL server for tests (`TANSIQ_TEST_POSTGRES`, e.g.
/// `postgres://postgres@127.0.0.1:5432/tansiq_test`), or `None` outside CI.
pub fn postgres_url(what: &str) -> Option<String> {
    match std::env::var("TANSIQ_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            missing("TANSIQ_TEST_POSTGRES", what);
            None
        }
    }
}
