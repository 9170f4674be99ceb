//! Architecture invariant: the travel crate does no I/O and reads no clock.
//! Its sources are embedded at compile time, so this test itself reads no
//! file either.

const SOURCES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../src/lib.rs")),
    ("arabic.rs", include_str!("../src/arabic.rs")),
    ("csv_manifest.rs", include_str!("../src/csv_manifest.rs")),
    ("diag.rs", include_str!("../src/diag.rs")),
    ("edifact.rs", include_str!("../src/edifact.rs")),
    ("mrz.rs", include_str!("../src/mrz.rs")),
    ("paxlst.rs", include_str!("../src/paxlst.rs")),
    ("sample.rs", include_str!("../src/sample.rs")),
    ("traveller.rs", include_str!("../src/traveller.rs")),
];

#[test]
fn sources_do_no_io_and_read_no_clock() {
    for (name, text) in SOURCES {
        for banned in [
            "std::fs",
            "std::net",
            "SystemTime",
            "Instant::now",
            "std::env",
            "unsafe ",
        ] {
            assert!(!text.contains(banned), "{name} uses {banned}");
        }
    }
}

#[test]
fn manifest_has_no_runtime_io_dependencies() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap_or("");
    for banned in ["tokio", "sqlx", "axum", "reqwest", "hyper"] {
        assert!(!deps.contains(banned), "depends on {banned}");
    }
    assert!(deps.contains("tansiq-model"), "{deps}");
}
