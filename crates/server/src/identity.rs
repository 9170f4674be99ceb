//! The node's identity file and its signed audit checkpoints.
//!
//! The identity ([`NodeKeys`], pure, in `tansiq-trust`) lives in a 0600
//! file named by `[node] identity_file`, created on first start. The node
//! writes a signed checkpoint of its audit head to `[audit]
//! checkpoint_file` every `checkpoint_every_s` and once more at shutdown,
//! replacing the file atomically (write, fsync, rename).

use std::io::Write;
use std::path::Path;

use tansiq_store::Store;
use tansiq_trust::{Checkpoint, NodeKeys, SignedCheckpoint};
use time::OffsetDateTime;

use crate::ServerError;

fn file_err(what: &'static str, path: &Path, reason: impl ToString) -> ServerError {
    ServerError::File {
        what,
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Reads the identity file, or creates it with a fresh key for `node`.
/// An existing identity of another node id is refused: a node does not
/// silently change who it is.
pub fn load_or_create_identity(path: &Path, node: &str) -> Result<NodeKeys, ServerError> {
    let read = |text: &str| -> Result<NodeKeys, ServerError> {
        let keys = NodeKeys::from_text(text).map_err(|e| file_err("identity file", path, e))?;
        if keys.node() != node {
            return Err(file_err(
                "identity file",
                path,
                format!(
                    "it is the identity of node `{}`, but node.id is `{node}`",
                    keys.node()
                ),
            ));
        }
        Ok(keys)
    };
    match std::fs::read_to_string(path) {
        Ok(text) => read(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let keys = NodeKeys::generate(node, random_seed(), OffsetDateTime::now_utc())
                .map_err(|e| file_err("identity file", path, e))?;
            let created = write_new_atomic(path, &keys.to_text(), true)
                .map_err(|e| file_err("identity file", path, e))?;
            if !created {
                // another process (a replica starting beside this one)
                // created it first: its key is the node's
                let text = std::fs::read_to_string(path)
                    .map_err(|e| file_err("identity file", path, e))?;
                return read(&text);
            }
            tracing::info!(path = %path.display(), node, key_id = %keys.current().key_id,
                "created the node identity");
            Ok(keys)
        }
        Err(e) => Err(file_err("identity file", path, e)),
    }
}

/// Creates `path` holding `text` unless it exists, never showing a
/// partial file: the text is written and fsynced under a temporary name,
/// then hard-linked to `path`, which fails when `path` exists. `false`
/// when another writer created `path` first (its file is then whole).
pub fn write_new_atomic(path: &Path, text: &str, private: bool) -> std::io::Result<bool> {
    let (dir, tmp) = temp_beside(path);
    let written =
        write_file_synced(&tmp, text, private).and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => {
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// The directory of `path` and a temporary name beside it, unique per
/// process and call: replicas of a node and threads may write one file
/// at once.
fn temp_beside(path: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp{}-{n}", std::process::id()));
    (dir, tmp)
}

/// Writes and fsyncs a new file (mode 0600 when `private`).
fn write_file_synced(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Saves a changed identity (after a rotation) in place, atomically.
pub fn save_identity(path: &Path, keys: &NodeKeys) -> Result<(), ServerError> {
    write_atomic(path, &keys.to_text(), true).map_err(|e| file_err("identity file", path, e))
}

/// 32 bytes from the operating system's CSPRNG, for a new key.
pub fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    seed
}

/// Writes `text` to a temporary file beside `path`, fsyncs it, renames it
/// over `path` and fsyncs the directory: a crash leaves the old file or
/// the new one, never half of one.
pub fn write_atomic(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    let (dir, tmp) = temp_beside(path);
    write_file_synced(&tmp, text, private)?;
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Signs the store's current audit head; `None` while the log is empty.
pub async fn sign_head(
    store: &Store,
    keys: &NodeKeys,
) -> Result<Option<SignedCheckpoint>, ServerError> {
    let Some(head) = store.audit_head().await? else {
        return Ok(None);
    };
    let cp = Checkpoint {
        node: keys.node().to_string(),
        seq: head.seq,
        hash: head.hash,
        at: OffsetDateTime::now_utc(),
    };
    SignedCheckpoint::sign(keys, cp)
        .map(Some)
        .map_err(|e| ServerError::Account(e.to_string()))
}

/// Signs the current head and writes it to `path` (atomically). Returns
/// the checkpoint written, `None` when the log is empty.
pub async fn write_checkpoint(
    store: &Store,
    keys: &NodeKeys,
    path: &Path,
) -> Result<Option<SignedCheckpoint>, ServerError> {
    let Some(signed) = sign_head(store, keys).await? else {
        return Ok(None);
    };
    write_atomic(path, &signed.to_json(), false)
        .map_err(|e| file_err("checkpoint file", path, e))?;
    Ok(Some(signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_then_reused_and_bound_to_its_node() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id");
        let a = load_or_create_identity(&path, "dz").unwrap();
        let b = load_or_create_identity(&path, "dz").unwrap();
        assert_eq!(a.public_keys(), b.public_keys());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "identity readable by others: {mode:o}");
        }
        let err = load_or_create_identity(&path, "tn")
            .unwrap_err()
            .to_string();
        assert!(err.contains("node `dz`"), "{err}");
        std::fs::write(&path, "not json").unwrap();
        assert!(load_or_create_identity(&path, "dz").is_err());
    }

    #[test]
    fn replicas_starting_together_share_one_identity_and_pepper() {
        // Two replicas of one node started at once from one configuration
        // both find no identity file: they must end with the same key,
        // the one in the file (a checkpoint signed by either verifies).
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let id_path = dir.path().join("id");
            let pepper_path = dir.path().join("pepper");
            let results: Vec<_> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            let keys = load_or_create_identity(&id_path, "dz").unwrap();
                            let pepper = crate::auth::Pepper::load_or_create(&pepper_path)
                                .unwrap()
                                .hash("k", "s");
                            (keys.public_keys(), pepper)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let on_disk = load_or_create_identity(&id_path, "dz")
                .unwrap()
                .public_keys();
            let pepper = crate::auth::Pepper::load_or_create(&pepper_path)
                .unwrap()
                .hash("k", "s");
            for (keys, p) in &results {
                assert_eq!(*keys, on_disk);
                assert_eq!(*p, pepper);
            }
            // no temporary files left behind
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(left.len(), 2, "{left:?}");
        }
    }
}
