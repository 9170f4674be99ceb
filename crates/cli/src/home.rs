//! The node's home: which `tansiq.toml` a command uses, and the store and
//! files it names.
//!
//! Every command that touches a node's state finds its configuration the
//! same way: `--config`, else `TANSIQ_CONFIG`, else `./tansiq.toml` when it
//! exists, else the built-in defaults. Relative paths in the file (the
//! store, the pepper, the identity, the checkpoint, TLS and list-source
//! files) are taken relative to the file's folder, so a node made by
//! `tansiq init DIR` works from any working directory. `--db` and
//! `TANSIQ_DB` still name the store outright.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tansiq_server::Config;

/// The configuration file found when none is given.
pub const CONFIG_FILE: &str = "tansiq.toml";

/// The store used when neither a flag, the environment nor a configuration
/// names one.
pub const DEFAULT_DB: &str = "tansiq.db";

/// Which configuration file: the one given, else `./tansiq.toml` when it
/// exists.
pub fn config_path(given: Option<&Path>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let here = Path::new(CONFIG_FILE);
            here.is_file().then(|| here.to_path_buf())
        }
    }
}

/// The node's settings: the file found by [`config_path`] (defaults when
/// there is none), with `TANSIQ_<SECTION>_<KEY>` overrides, relative paths
/// resolved against the file's folder.
pub fn load(given: Option<&Path>) -> Result<Config> {
    let path = config_path(given);
    let mut config = Config::load(path.as_deref()).with_context(|| match &path {
        Some(p) => format!("reading the configuration {}", p.display()),
        None => "reading the configuration (defaults and TANSIQ_* variables)".to_string(),
    })?;
    if let Some(dir) = path.as_deref().and_then(Path::parent) {
        resolve_relative(&mut config, dir);
    }
    Ok(config)
}

/// The store location: `--db`/`TANSIQ_DB` when given, else the
/// configuration's `[store] location`.
pub fn store_location(db: Option<&str>, config: Option<&Path>) -> Result<String> {
    match db {
        Some(db) => Ok(db.to_string()),
        None => Ok(load(config)?.store.location),
    }
}

/// The agency's `[[measures]]` overrides (crates/lists/MEASURES.md).
pub fn measure_overrides(config: Option<&Path>) -> Result<Vec<tansiq_lists::MeasureOverride>> {
    let config = load(config)?;
    if config.measures.is_empty() {
        return Ok(Vec::new());
    }
    Ok(config
        .list_sources()
        .context("reading [[measures]]")?
        .measures)
}

fn is_url(location: &str) -> bool {
    location.contains("://")
}

/// Joins `dir` before a relative path; an empty `dir` (a file in the
/// working folder) changes nothing.
fn under(dir: &Path, p: &Path) -> PathBuf {
    if p.is_relative() && !dir.as_os_str().is_empty() {
        dir.join(p)
    } else {
        p.to_path_buf()
    }
}

/// Rewrites every relative file path of `config` to be relative to `dir`.
pub fn resolve_relative(config: &mut Config, dir: &Path) {
    if !is_url(&config.store.location) {
        config.store.location = under(dir, Path::new(&config.store.location))
            .to_string_lossy()
            .into_owned();
    }
    let fix = |p: &mut PathBuf| *p = under(dir, p);
    let fix_opt = |p: &mut Option<PathBuf>| {
        if let Some(p) = p {
            *p = under(dir, p);
        }
    };
    fix_opt(&mut config.store.files_dir);
    fix(&mut config.security.pepper_file);
    fix(&mut config.node.identity_file);
    fix(&mut config.audit.checkpoint_file);
    fix_opt(&mut config.tls.cert);
    fix_opt(&mut config.tls.key);
    fix_opt(&mut config.tls.client_ca);
    fix_opt(&mut config.federation.ca_file);
    fix_opt(&mut config.federation.client_cert);
    fix_opt(&mut config.federation.client_key);
    for source in &mut config.sources {
        if let Some(toml::Value::String(p)) = source.get_mut("path") {
            *p = under(dir, Path::new(p.as_str()))
                .to_string_lossy()
                .into_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_follow_the_config_file() {
        let mut c = Config::from_toml_str(
            "[store]\nlocation = \"node.db\"\n[[sources]]\nname = \"un-sc\"\nformat = \"un-xml\"\npath = \"lists/un.xml\"\nschedule = \"24h\"\n",
            Vec::new(),
        )
        .unwrap();
        resolve_relative(&mut c, Path::new("/srv/node"));
        assert_eq!(c.store.location, "/srv/node/node.db");
        assert_eq!(c.security.pepper_file, Path::new("/srv/node/tansiq.pepper"));
        assert_eq!(c.node.identity_file, Path::new("/srv/node/tansiq.identity"));
        assert_eq!(
            c.sources[0].get("path").and_then(|v| v.as_str()),
            Some("/srv/node/lists/un.xml")
        );
    }

    #[test]
    fn urls_and_absolute_paths_stay() {
        let mut c = Config::from_toml_str(
            "[store]\nlocation = \"postgres://u@h/db\"\n[security]\npepper_file = \"/etc/p\"\n",
            Vec::new(),
        )
        .unwrap();
        resolve_relative(&mut c, Path::new("/srv/node"));
        assert_eq!(c.store.location, "postgres://u@h/db");
        assert_eq!(c.security.pepper_file, Path::new("/etc/p"));
    }

    #[test]
    fn a_file_in_the_working_folder_changes_nothing() {
        let mut c = Config::default();
        resolve_relative(&mut c, Path::new(""));
        assert_eq!(c.store.location, DEFAULT_DB);
    }
}
