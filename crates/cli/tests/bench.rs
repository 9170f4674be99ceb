//! `tansiq bench` end to end on a small generated list: the figures table
//! of each population mix (the figures themselves are for people; no timed
//! assertion).

use std::process::Command;

fn bench(mix: &str) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args([
            "bench",
            "--entities",
            "3000",
            "--queries",
            "60",
            "--passengers",
            "5",
            "--slowest",
            "3",
            "--mix",
            mix,
        ])
        .output()
        .expect("the tansiq binary runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// The share printed in the `organisations among entities` row, in percent.
fn organisation_share(out: &str) -> f64 {
    let row = out
        .lines()
        .find(|l| l.contains("organisations among entities"))
        .unwrap_or_else(|| panic!("no organisation row in {out}"));
    let share = row.split('(').nth(1).and_then(|s| s.split(' ').next());
    share
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no share in {row}"))
}

#[test]
fn org_heavy_mix_prints_its_organisation_figures() {
    let out = bench("org-heavy");
    assert!(out.contains("(org-heavy mix)"), "{out}");
    let share = organisation_share(&out);
    assert!((40.0..50.0).contains(&share), "{share} % organisations");
    assert!(out.contains("| organisation queries ("), "{out}");
    assert!(out.contains("| screening latency, 1 thread: p99"), "{out}");
    let slowest = out
        .lines()
        .skip_while(|l| !l.starts_with("slowest single-thread screenings"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .count();
    assert_eq!(slowest, 3, "{out}");
}

#[test]
fn default_mix_has_no_organisation_queries() {
    let out = bench("default");
    let share = organisation_share(&out);
    assert!((10.0..20.0).contains(&share), "{share} % organisations");
    assert!(!out.contains("| organisation queries ("), "{out}");
}
