//! Architecture invariant: the pure crates do no I/O and read no clock.
//! Their manifests name no runtime, database or HTTP crate and their
//! sources use no file system, network, process or wall-clock API.

use std::path::{Path, PathBuf};

const PURE: [&str; 8] = [
    "model",
    "names",
    "matching",
    "lists",
    "travel",
    "synth",
    "trust",
    "federation",
];
const FORBIDDEN_DEPS: [&str; 6] = ["tokio", "sqlx", "axum", "reqwest", "hyper", "tansiq-store"];
const FORBIDDEN_APIS: [&str; 6] = [
    "std::fs",
    "std::net",
    "std::process",
    "SystemTime::now",
    "Instant::now",
    "std::env::var",
];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn pure_crates_depend_on_no_io_crate() {
    for krate in PURE {
        let manifest =
            std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .map(|rest| rest.split("\n[").next().unwrap_or(""))
            .unwrap_or("");
        for dep in FORBIDDEN_DEPS {
            let named = deps.lines().any(|l| {
                l.trim_start()
                    .split(['=', '.', ' '])
                    .next()
                    .is_some_and(|name| name == dep)
            });
            assert!(
                !named,
                "crates/{krate} depends on {dep}: pure crates do no I/O"
            );
        }
    }
}

#[test]
fn pure_crates_use_no_io_or_clock_api() {
    for krate in PURE {
        let mut files = Vec::new();
        rust_files(&crates_dir().join(krate).join("src"), &mut files);
        assert!(!files.is_empty(), "crates/{krate}/src has no sources");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for api in FORBIDDEN_APIS {
                    assert!(
                        !code.contains(api),
                        "{}:{}: uses {api}; pure crates take readers and are given the time",
                        f.display(),
                        n + 1
                    );
                }
            }
        }
    }
}
