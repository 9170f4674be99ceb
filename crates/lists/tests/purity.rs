//! Architecture invariant: the lists crate does no I/O and reads no clock.

#[test]
fn sources_do_no_io_and_read_no_clock() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for banned in [
            "std::fs",
            "std::net",
            "SystemTime::now",
            "Instant::now",
            "std::env",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked} source files");
    let manifest = std::fs::read_to_string(src.with_file_name("Cargo.toml")).unwrap();
    for banned in ["tokio", "sqlx", "axum", "reqwest", "hyper"] {
        assert!(!manifest.contains(banned), "Cargo.toml depends on {banned}");
    }
}
