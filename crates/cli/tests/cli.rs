//! End-to-end tests of the `tansiq` binary: real processes, real files, the
//! embedded store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tansiq(args: &[&str], cwd: &Path) -> Output {
    tansiq_in(args, cwd, None)
}

/// [`tansiq`] with the officer's words in `lang` (`TANSIQ_LANG`; none:
/// the locale is cleared, so English).
fn tansiq_in(args: &[&str], cwd: &Path, lang: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tansiq"));
    c.args(args).current_dir(cwd).env_remove("TANSIQ_DB");
    for k in ["TANSIQ_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(k);
    }
    if let Some(l) = lang {
        c.env("TANSIQ_LANG", l);
    }
    c.output().expect("the tansiq binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn ok(o: &Output) -> String {
    let t = text(o);
    assert!(o.status.success(), "tansiq failed: {t}");
    t
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// The demo imports the fictitious watchlist and every demo traveller gets
/// the expected answer (listed variants alert, innocents do not).
#[test]
fn demo_answers_every_traveller_as_expected() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&tansiq(
        &["demo", "--db", "demo.db", "--no-serve"],
        dir.path(),
    ));
    assert!(out.contains("first version of this list"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("travellers answered as expected"))
        .unwrap_or_else(|| panic!("no summary line in {out}"));
    let (got, total) = line.split_once(" of ").unwrap();
    let total: usize = total.split_whitespace().next().unwrap().parse().unwrap();
    assert!(total >= 6, "{line}");
    assert_eq!(got.trim().parse::<usize>().unwrap(), total, "{out}");
    // A second run re-imports idempotently.
    let again = ok(&tansiq(
        &["demo", "--db", "demo.db", "--no-serve"],
        dir.path(),
    ));
    assert!(again.contains("unchanged"), "{again}");
}

#[test]
fn national_csv_import_then_screen_in_arabic_script() {
    let dir = tempfile::tempdir().unwrap();
    let csv = repo_file("crates/lists/templates/national-entries-example.csv");
    let out = ok(&tansiq(
        &["import", csv.to_str().unwrap(), "--db", "n.db"],
        dir.path(),
    ));
    assert!(out.contains("format: national-csv (detected)"), "{out}");
    let o = tansiq(
        &["screen", "كريم بن حدو زروقي", "--db", "n.db", "--json"],
        dir.path(),
    );
    let out = ok(&o);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["matches"][0]["id"], "xx-0001", "{out}");
    assert_ne!(json["band"], "none", "{out}");
    assert!(json["matches"][0]["explanation"].is_object(), "{out}");
    // the officer's reason, in plain words, in the language asked for
    assert!(
        json["matches"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("the name matches")),
        "{out}"
    );
    for (lang, words) in [
        ("fr", "why: le nom correspond"),
        ("ar_TN.UTF-8", "why: الاسم يطابق"),
    ] {
        let out = ok(&tansiq_in(
            &["screen", "كريم بن حدو زروقي", "--db", "n.db"],
            dir.path(),
            Some(lang),
        ));
        assert!(out.contains(words), "{lang}: {out}");
    }

    // Export a list, then import the export into another store: the same
    // entities.
    ok(&tansiq(&["demo", "--db", "d.db", "--no-serve"], dir.path()));
    ok(&tansiq(
        &[
            "export", "--db", "d.db", "--source", "demo", "--out", "d.jsonl",
        ],
        dir.path(),
    ));
    let exported = std::fs::read_to_string(dir.path().join("d.jsonl")).unwrap();
    assert_eq!(exported.lines().count(), 320);
    let out = ok(&tansiq(
        &["import", "d.jsonl", "--db", "copy.db"],
        dir.path(),
    ));
    assert!(
        out.contains("format: ftm (detected)") && out.contains("320 entities added"),
        "{out}"
    );
}

#[test]
fn screen_on_an_empty_store_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // An existing empty file: a store with no list (a missing one is
    // refused, see below).
    std::fs::write(dir.path().join("empty.db"), "").unwrap();
    let o = tansiq(&["screen", "Karim", "--db", "empty.db"], dir.path());
    assert!(!o.status.success());
    assert!(text(&o).contains("import a list first"), "{}", text(&o));
}

#[test]
fn mrz_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    // The ICAO Doc 9303 specimen (fictitious holder, state "Utopia").
    let l1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    let good = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    // Its checks pass, but it expired on 2012-04-15: exit 3, flagged
    // (issue 20: `tansiq mrz` flags an expired document).
    let o = tansiq(&["mrz", l1, good], dir.path());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("ERIKSSON"));
    assert!(text(&o).contains("EXPIRED"), "{}", text(&o));
    // The birth-date check digit changed: exit 1, field named.
    let bad = "L898902C36UTO7408123F1204159ZE184226B<<<<<10";
    let o = tansiq(&["mrz", l1, bad], dir.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("check digit failed: date of birth"),
        "{}",
        text(&o)
    );
    let o = tansiq(&["mrz", "HELLO", "WORLD"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn manifest_screen_writes_one_report_entry_per_traveller() {
    let dir = tempfile::tempdir().unwrap();
    ok(&tansiq(&["demo", "--db", "m.db", "--no-serve"], dir.path()));
    let edi = tansiq_travel::write_paxlst(&tansiq_travel::synthetic_interchange(40, 3, 7));
    std::fs::write(dir.path().join("flight.edi"), edi).unwrap();
    let out = ok(&tansiq(
        &[
            "manifest",
            "screen",
            "flight.edi",
            "--db",
            "m.db",
            "--report",
            "r.json",
        ],
        dir.path(),
    ));
    assert!(
        out.contains("43 travellers (40 passengers, 3 crew)"),
        "{out}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(report["travellers"].as_array().unwrap().len(), 43);
    assert_eq!(report["flights"][0]["travellers"], 43);
    ok(&tansiq(
        &[
            "manifest",
            "screen",
            "flight.edi",
            "--db",
            "m.db",
            "--report",
            "r.html",
        ],
        dir.path(),
    ));
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("Manifest screening"));
}

/// The real UN list: counts, idempotent re-import, and a truncated or
/// malformed file rejected with its position, the store unchanged.
#[test]
fn un_list_import_counts_and_rejections() {
    let Some(un) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "the UN list import test",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&tansiq(
        &["import", un.to_str().unwrap(), "--db", "un.db"],
        dir.path(),
    ));
    assert!(out.contains("730 persons, 273 organisations"), "{out}");
    let out = ok(&tansiq(
        &["import", un.to_str().unwrap(), "--db", "un.db"],
        dir.path(),
    ));
    assert!(out.contains("unchanged"), "{out}");

    let dump = |db: &str| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = tansiq_store::Store::open(dir.path().join(db).to_str().unwrap())
                .await
                .unwrap();
            let d = store.dump().await.unwrap();
            store.close().await;
            d
        })
    };
    let before = dump("un.db");

    let bytes = std::fs::read(&un).unwrap();
    std::fs::write(dir.path().join("cut.xml"), &bytes[..bytes.len() / 2]).unwrap();
    let o = tansiq(&["import", "cut.xml", "--db", "un.db"], dir.path());
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("truncated at line") && t.contains("nothing imported"),
        "{t}"
    );

    let broken = String::from_utf8_lossy(&bytes).replacen("</INDIVIDUAL>", "</INDIVIDUALX>", 1);
    std::fs::write(dir.path().join("broken.xml"), broken.as_bytes()).unwrap();
    let o = tansiq(&["import", "broken.xml", "--db", "un.db"], dir.path());
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("malformed at line") && t.contains("column"),
        "{t}"
    );

    assert_eq!(dump("un.db"), before, "a rejected import changed the store");
}

/// `tansiq eval` on the benchmark writes what score.py accepts.
#[test]
fn eval_output_is_accepted_by_the_scorer() {
    let Some(shared) = tansiq_testkit::shared_dir("the benchmark eval test") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bench = shared.join("bench");
    let out = dir.path().join("results.jsonl");
    ok(&tansiq(
        &[
            "eval",
            "--watchlist",
            bench.join("watchlist.jsonl").to_str().unwrap(),
            "--queries",
            bench.join("dev/queries.jsonl").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    ));
    let score = Command::new("python3")
        .arg(bench.join("score.py"))
        .arg(bench.join("dev/queries.jsonl"))
        .arg(&out)
        .output()
        .expect("python3 runs");
    let report = text(&score);
    assert!(score.status.success(), "{report}");
    assert!(
        report.contains("missing_results=0 bad_scores=0"),
        "{report}"
    );
    let summary = report.lines().find(|l| l.starts_with("SUMMARY")).unwrap();
    eprintln!("{summary}");
    // Quality floor far below the product's figures: catches a broken
    // pipeline (e.g. nothing matched), not a tuning regression.
    let top1: f64 = summary
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("top1="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(top1 > 0.5, "{summary}");
}

#[test]
fn match_pairs_scores_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = [
        r#"{"id": 1, "a": {"schema": "Person", "properties": {"name": ["عبد القادر بن يوسف"]}}, "b": {"schema": "Person", "properties": {"name": ["Abdelkader Ben Youcef"]}}}"#,
        r#"{"id": "two", "a": {"schema": "Person", "properties": {"name": ["Karim Haddad"]}}, "b": {"schema": "Person", "properties": {"name": ["Samira Touati"]}}}"#,
    ];
    std::fs::write(dir.path().join("p.jsonl"), pairs.join("\n")).unwrap();
    ok(&tansiq(
        &["match-pairs", "--in", "p.jsonl", "--out", "s.jsonl"],
        dir.path(),
    ));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("s.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[1]["id"], "two");
    let (a, b) = (
        lines[0]["score"].as_f64().unwrap(),
        lines[1]["score"].as_f64().unwrap(),
    );
    assert!(a >= 0.8 && b < 0.5, "{a} {b}");
}

/// The demo ends by starting the node over HTTP and printing a ready curl
/// line with a demo key; that line works.
#[test]
fn demo_node_answers_the_printed_curl_line() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(["demo", "--db", "d.db", "--listen", &listen])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let token = loop {
        let line = lines.next().expect("the demo printed a curl line").unwrap();
        if let Some(rest) = line.split("Bearer ").nth(1) {
            break rest.split('\'').next().unwrap().to_string();
        }
    };
    let url = format!("http://{listen}/v1/screen");
    let body = r#"{"names": ["Abdul Kader Bin Yousef"], "birth_date": "1979-03-14"}"#;
    let mut answer = String::new();
    for _ in 0..50 {
        let o = Command::new("curl")
            .args([
                "-s",
                "-f",
                &url,
                "-H",
                &format!("Authorization: Bearer {token}"),
            ])
            .args(["-H", "Content-Type: application/json", "-d", body])
            .output()
            .expect("curl runs");
        if o.status.success() {
            answer = String::from_utf8_lossy(&o.stdout).into_owned();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // SIGTERM: the node finishes, flushing its queued audit events.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let json: serde_json::Value =
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer:?}"));
    assert!(answer.contains("demo-p-0001"), "{json}");

    // The screening was audited, and the chain verifies, also against a
    // checkpoint of its head.
    let out = ok(&tansiq(&["audit", "verify", "--db", "d.db"], dir.path()));
    let n: u64 = out
        .split("intact: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(n >= 1, "{out}");
    // The screening's record still hashes as its audit event recorded.
    assert!(
        out.contains("screening records: 1 as recorded, 0 altered, 0 no longer stored"),
        "{out}"
    );
    // At shutdown the node signed its final head with its identity.
    let id = ["--identity", "d.db.identity"];
    let out = ok(&tansiq(
        &[
            &[
                "audit",
                "verify",
                "--db",
                "d.db",
                "--checkpoint",
                "d.db.checkpoint",
            ][..],
            &id,
        ]
        .concat(),
        dir.path(),
    ));
    assert!(out.contains("holding the checkpoint of event"), "{out}");
    assert!(out.contains("signed by node demo"), "{out}");
    // A checkpoint written on demand verifies too, also with only the
    // published public keys (what an auditor holds).
    ok(&tansiq(
        &[
            &["audit", "checkpoint", "--db", "d.db", "--out", "c.json"][..],
            &id,
        ]
        .concat(),
        dir.path(),
    ));
    let keys = ok(&tansiq(&[&["node", "show"][..], &id].concat(), dir.path()));
    std::fs::write(dir.path().join("keys.json"), &keys).unwrap();
    let out = ok(&tansiq(
        &[
            "audit",
            "verify",
            "--db",
            "d.db",
            "--checkpoint",
            "c.json",
            "--public-keys",
            "keys.json",
        ],
        dir.path(),
    ));
    assert!(out.contains("intact"), "{out}");
    // A checkpoint whose head was altered no longer carries the node's
    // signature: refused, exit 1.
    let text = std::fs::read_to_string(dir.path().join("c.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["seq"] = serde_json::json!(v["seq"].as_i64().unwrap() - 1);
    std::fs::write(dir.path().join("forged.json"), v.to_string()).unwrap();
    let o = tansiq(
        &[
            &[
                "audit",
                "verify",
                "--db",
                "d.db",
                "--checkpoint",
                "forged.json",
            ][..],
            &id,
        ]
        .concat(),
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("REJECTED"));
    // After a rotation the old checkpoint still verifies (its key was
    // valid when it signed), and new checkpoints use the new key.
    ok(&tansiq(
        &[&["node", "rotate-key"][..], &id].concat(),
        dir.path(),
    ));
    ok(&tansiq(
        &[
            &["audit", "verify", "--db", "d.db", "--checkpoint", "c.json"][..],
            &id,
        ]
        .concat(),
        dir.path(),
    ));
    // Export of a period: JSON lines with their chain hashes.
    ok(&tansiq(
        &[
            "audit",
            "export",
            "--db",
            "d.db",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--out",
            "e.jsonl",
        ],
        dir.path(),
    ));
    let export = std::fs::read_to_string(dir.path().join("e.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len() as u64, n, "{export}");
    assert!(events.iter().any(|e| e["action"] == "screen"), "{export}");
    assert!(events.windows(2).all(|w| w[1]["prev_hash"] == w[0]["hash"]));
    let o = tansiq(
        &[
            "audit",
            "export",
            "--db",
            "d.db",
            "--from",
            "2030-01-01",
            "--to",
            "2020-01-01",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    // Retention: purging every payload leaves a verifiable chain.
    ok(&tansiq(
        &["audit", "purge", "--db", "d.db", "--before", "2100-01-01"],
        dir.path(),
    ));
    let out = ok(&tansiq(&["audit", "verify", "--db", "d.db"], dir.path()));
    assert!(out.contains("intact"), "{out}");
}

/// Issue 16: a read-only command on a mistyped store path fails and
/// creates nothing (it used to create an empty store and report it
/// "intact").
#[test]
fn read_only_commands_refuse_a_store_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["audit", "verify", "--db", "typo.db"][..],
        &[
            "audit",
            "export",
            "--db",
            "typo.db",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-01",
        ][..],
        &["screen", "Anyone Fictive", "--db", "typo.db"][..],
        &["export", "--db", "typo.db"][..],
    ] {
        let o = tansiq(args, dir.path());
        assert!(!o.status.success(), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("no store at typo.db"),
            "{args:?}: {}",
            text(&o)
        );
        assert!(
            !dir.path().join("typo.db").exists(),
            "{args:?} created the store"
        );
    }
}

/// The UN list and the UK tables in one store: a UN-listed organisation
/// that the UK lists with the UN reference number is answered once, its
/// UK listing beside it with the link, in `screen --json`.
#[test]
fn a_subject_on_two_lists_is_answered_once() {
    let Some(un) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "subject linking in the CLI",
    ) else {
        return;
    };
    let uk = tansiq_testkit::shared_file("data/lists/uk/subjects.csv", "subject linking").unwrap();
    let dir = tempfile::tempdir().unwrap();
    ok(&tansiq(
        &["import", un.to_str().unwrap(), "--db", "n.db"],
        dir.path(),
    ));
    let out = ok(&tansiq(
        &["import", uk.to_str().unwrap(), "--db", "n.db"],
        dir.path(),
    ));
    assert!(out.contains("subject_identifiers.csv beside it"), "{out}");
    let o = ok(&tansiq(
        &[
            "screen",
            "HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE",
            "--schema",
            "organization",
            "--db",
            "n.db",
            "--json",
        ],
        dir.path(),
    ));
    let answer: serde_json::Value = serde_json::from_str(&o[..o.rfind('}').unwrap() + 1]).unwrap();
    let matches = answer["matches"].as_array().unwrap();
    let ids: Vec<&str> = matches.iter().map(|m| m["id"].as_str().unwrap()).collect();
    let listed = ["TAe.010", "uk-AFG0001"];
    assert_eq!(
        ids.iter().filter(|id| listed.contains(id)).count(),
        1,
        "one answer for the subject: {ids:?}"
    );
    let subject = matches
        .iter()
        .find(|m| listed.contains(&m["id"].as_str().unwrap()))
        .unwrap();
    let other = &subject["also_listed"][0];
    assert!(listed.contains(&other["id"].as_str().unwrap()), "{subject}");
    assert_ne!(other["id"], subject["id"]);
    assert_eq!(
        other["linked_by"][0]["reason"], "same UN reference number TAe.010",
        "{other}"
    );
}
