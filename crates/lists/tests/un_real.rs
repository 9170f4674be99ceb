//! The real UN Consolidated List (2026-02-27): counts, ten records checked
//! by hand against the raw XML, agreement with the benchmark watchlist, and
//! truncated copies.

use std::collections::{BTreeSet, HashMap};

use tansiq_lists::{ListError, ParsedList, Severity, parse_un_xml};
use tansiq_model::{ActionOnHit, Entity, Schema};

const UN_FILE: &str = "data/lists/un/un_consolidated_2026-02-27.xml";

fn raw() -> Option<Vec<u8>> {
    let path = tansiq_testkit::shared_file(UN_FILE, "the real UN list tests")?;
    Some(std::fs::read(path).expect("read the UN list"))
}

fn parsed(raw: &[u8]) -> ParsedList {
    parse_un_xml(raw).expect("the real UN list parses")
}

fn by_id(list: &ParsedList) -> HashMap<&str, &Entity> {
    list.entities.iter().map(|e| (e.id.as_str(), e)).collect()
}

#[test]
fn counts_version_and_diagnostics() {
    let Some(raw) = raw() else { return };
    let list = parsed(&raw);
    assert_eq!(list.count(Schema::Person), 730);
    assert_eq!(list.count(Schema::Organization), 273);
    assert_eq!(list.source, "un-sc");
    assert_eq!(list.version, "2026-02-27T00:00:09.554Z");
    // The only thing the parser cannot place: a nationality of a state that
    // no longer exists.
    let messages: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        [
            "line 22489, column 9, record QDi.290, field NATIONALITY: country name \"former Soviet Union\" has no ISO code: not kept as nationality"
        ]
    );
    assert!(
        list.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
    let ids: BTreeSet<&str> = list.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), 1003, "reference numbers are unique");
    for e in &list.entities {
        assert_eq!(e.provenance.source, "un-sc");
        assert_eq!(
            e.provenance.list_version.as_deref(),
            Some("2026-02-27T00:00:09.554Z")
        );
        assert!(
            e.provenance.source_record_id.is_some(),
            "{} has a DATAID",
            e.id
        );
        assert!(
            e.provenance.listed_on.is_some(),
            "{} has a listing date",
            e.id
        );
        assert!(
            e.legal_basis
                .as_ref()
                .and_then(|b| b.basis.as_ref())
                .is_some()
        );
    }
}

#[track_caller]
fn check(e: &Entity, property: &str, expect: &[&str]) {
    assert_eq!(e.get(property), expect, "{} {property}", e.id);
}

/// Ten records read by hand from the raw XML (grep and eyes, not this
/// parser): each expectation below quotes the file.
#[test]
fn ten_records_match_the_raw_file() {
    let Some(raw) = raw() else { return };
    let list = parsed(&raw);
    let ids = by_id(&list);

    // 1. A year of birth, a gender, an empty alias element.
    let e = ids["CDi.001"];
    check(e, "name", &["ERIC BADEGE"]);
    check(e, "firstName", &["ERIC"]);
    check(e, "secondName", &["BADEGE"]);
    check(e, "birthDate", &["1971"]);
    check(e, "gender", &["male"]);
    check(e, "nationality", &["cd"]);
    check(e, "alias", &[]);
    assert_eq!(e.provenance.source_record_id.as_deref(), Some("6907993"));
    assert_eq!(e.provenance.listed_on.as_deref(), Some("2012-12-31"));
    assert_eq!(e.provenance.amended_on.as_deref(), Some("2016-10-13"));
    assert_eq!(e.action_on_hit, Some(ActionOnHit::RefuseEntry));
    assert_eq!(
        e.legal_basis.as_ref().unwrap().basis.as_deref(),
        Some("UN Security Council sanctions list: DRC")
    );

    // 2. Arabic original script, an exact date, a place of birth.
    let e = ids["QDi.232"];
    check(e, "name", &["ABDELMALEK DROUKDEL"]);
    check(
        e,
        "alias",
        &["عبد المالك دروكدال", "Abou Mossaab Abdelouadoud"],
    );
    check(e, "birthDate", &["1970-04-20"]);
    check(e, "birthPlace", &["Meftah, Wilaya of Blida, Algeria"]);
    check(e, "nationality", &["dz"]);
    assert_eq!(e.provenance.amended_on.as_deref(), Some("2023-02-02"));

    // 3. A date of birth given on an alias.
    let e = ids["KPi.016"];
    check(e, "alias", &["Jang Pom Su", "Jang Hyon U"]);
    check(e, "birthDate", &["1957-04-15", "1958-02-22"]);
    check(
        e,
        "position",
        &["Tanchon Commercial Bank Representative in Syria"],
    );

    // 4. BETWEEN 1973 and 1974; Low aliases; an address abroad.
    let e = ids["CDi.030"];
    check(e, "name", &["BOSCO TAGANDA"]);
    check(e, "birthDate", &["1973", "1974"]);
    check(
        e,
        "alias",
        &["Bosco Ntaganda", "Bosco Ntagenda", "General Taganda"],
    );
    check(
        e,
        "weakAlias",
        &["Lydia", "Terminator", "Tango Romeo", "Romeo", "Major"],
    );
    check(e, "birthPlace", &["Bigogwe, Rwanda"]);
    check(e, "country", &["be"]);

    // 5. Mixed-script alias "formerly listed as"; APPROXIMATELY 1957; titles.
    let e = ids["TAi.148"];
    check(
        e,
        "alias",
        &[
            "عبد الحبیب عالیزی",
            "Haji Agha Jan Alizai",
            "Hajji Agha Jan",
            "Agha Jan Alazai",
            "Haji Loi Lala",
            "Loi Agha",
            "Abdul Habib",
        ],
    );
    check(e, "previousName", &["Agha Jan Alizai", "اغا جان عالیزی"]);
    check(
        e,
        "birthDate",
        &["1963-10-15", "1973-02-14", "1967", "1957"],
    );
    check(e, "title", &["Haji", "Hadji"]);
    check(
        e,
        "birthPlace",
        &[
            "Yatimchai village, Musa Qala District, Helmand Province, Afghanistan",
            "Kandahar Province, Afghanistan",
        ],
    );

    // 6. LISTED_ON with a time-zone offset ("2015-04-07-04:00").
    let e = ids["QDi.352"];
    assert_eq!(e.provenance.listed_on.as_deref(), Some("2015-04-07"));
    assert_eq!(e.provenance.amended_on.as_deref(), Some("2023-12-19"));
    check(e, "weakAlias", &["Mullah Radio"]);
    check(e, "birthDate", &["1974"]);

    // 7. An organisation: a.k.a. aliases, one "formerly listed as".
    let e = ids["QDe.004"];
    assert_eq!(e.schema, Schema::Organization);
    check(e, "name", &["AL-QAIDA"]);
    assert_eq!(e.get("alias").len(), 10, "القاعدة plus nine a.k.a.");
    assert_eq!(e.get("alias")[0], "القاعدة");
    assert!(e.get("alias").contains(&"\"The Base\"".to_string()));
    check(e, "previousName", &["Al Qa’ida/Islamic Army"]);
    check(e, "firstName", &[]);
    assert_eq!(e.action_on_hit, Some(ActionOnHit::Inform));

    // 8. f.k.a. names of an organisation.
    let e = ids["CDe.001"];
    check(e, "alias", &["Allied Democratic Forces"]);
    check(
        e,
        "previousName",
        &[
            "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
            "ADF/NALU",
            "NALU",
        ],
    );
    check(
        e,
        "address",
        &["North Kivu, Democratic Republic of the Congo"],
    );

    // 9. Cyrillic names in alias notes; a passport number in a phrase; a
    //    "National Identification Number" that is a national passport.
    let e = ids["QDi.363"];
    check(e, "name", &["MAGHOMED MAGHOMEDZAKIROVICH ABDURAKHMANOV"]);
    check(e, "middleName", &["ABDURAKHMANOV"]);
    check(e, "alias", &["Абдурахманов Магомед Магомедзакирович"]);
    check(
        e,
        "weakAlias",
        &["Abu Banat", "Абу Банат", "Abu al Banat", "Абу аль Банат"],
    );
    check(e, "passportNumber", &["515458008", "8200203535"]);
    check(e, "idNumber", &[]);

    // 10. Nationality "na" (not available) is no nationality; an ID number.
    let e = ids["SDi.001"];
    check(e, "name", &["GAFFAR MOHAMMED ELHASSAN"]);
    check(e, "nationality", &[]);
    check(e, "birthDate", &["1952-06-24"]);
    check(e, "idNumber", &["4302"]);
}

fn is_non_latin(name: &str) -> bool {
    !name.chars().any(|c| c.is_ascii_alphabetic())
}

/// The benchmark's watchlist was built from the same file by the product
/// owners (bench/README.md "Watchlist line"). Compare every entity on
/// names, aliases, birth dates, nationalities, gender and documents.
#[test]
fn agrees_with_the_benchmark_watchlist() {
    let Some(raw) = raw() else { return };
    let Some(bench) = tansiq_testkit::shared_file(
        "bench/watchlist_with_original_script.jsonl",
        "the UN/benchmark agreement test",
    ) else {
        return;
    };
    let list = parsed(&raw);
    let bench: HashMap<String, serde_json::Value> = std::fs::read_to_string(bench)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect();
    assert_eq!(bench.len(), list.entities.len());

    let mut exact = 0;
    let mut unexplained = Vec::new();
    for e in &list.entities {
        let b = &bench[&e.id]["properties"];
        let theirs = |p: &str| -> BTreeSet<String> {
            b[p].as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let ours = |ps: &[&str]| -> BTreeSet<String> {
            ps.iter().flat_map(|p| e.get(p).iter().cloned()).collect()
        };
        let mut same = true;
        let mut differ = |what: &str, why_ok: bool| {
            same = false;
            if !why_ok {
                unexplained.push(format!("{} {what}", e.id));
            }
        };

        // Primary names, birth dates, nationality, gender: identical.
        for p in ["name", "birthDate", "nationality", "gender"] {
            if theirs(p) != ours(&[p]) {
                differ(p, false);
            }
        }
        // Names of every kind. We add names the bench has not: the
        // "original script:" alias notes (all in Cyrillic, QDi.363-QDi.398).
        let their_names: BTreeSet<String> = ["alias", "weakAlias"]
            .iter()
            .flat_map(|p| theirs(p))
            .collect();
        let our_names = ours(&["alias", "previousName", "weakAlias"]);
        if their_names != our_names {
            let missing: Vec<_> = their_names.difference(&our_names).collect();
            let extra_ok = our_names
                .difference(&their_names)
                .all(|n| is_non_latin(n) && raw_has(&raw, &format!("original script: {n}")));
            differ("names", missing.is_empty() && extra_ok);
        }
        // Name kinds. The bench lifts non-Latin parts of Low aliases to
        // `alias`; we keep the UN's quality; "f.k.a." and "formerly listed
        // as" are `previousName` (a strong name) here.
        let their_weak = theirs("weakAlias");
        let our_weak = ours(&["weakAlias"]);
        if their_weak != our_weak {
            let ok = their_weak.is_subset(&our_weak)
                && our_weak.difference(&their_weak).all(|n| is_non_latin(n));
            differ("weakAlias", ok);
        }
        // Documents: the bench keeps the UN's phrase ("Libyan passport No.
        // 513519"); we keep the number in it.
        for p in ["passportNumber", "idNumber"] {
            let (t, o) = (theirs(p), ours(&[p]));
            if t != o {
                let ok = t.len() == o.len()
                    && o.iter().all(|n| {
                        t.iter()
                            .any(|raw| n.split_whitespace().all(|part| raw.contains(part)))
                    });
                differ(p, ok);
            }
        }
        if same {
            exact += 1;
        }
    }
    let total = list.entities.len();
    println!(
        "UN import vs bench/watchlist_with_original_script.jsonl: {exact}/{total} entities identical ({:.1}%), {} differences unexplained",
        100.0 * exact as f64 / total as f64,
        unexplained.len()
    );
    assert!(
        unexplained.is_empty(),
        "unexplained differences: {unexplained:#?}"
    );
    assert!(exact >= 940, "only {exact} identical");
}

fn raw_has(raw: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    raw.windows(needle.len()).any(|w| w == needle)
}

/// Truncated downloads are refused with the position where the text ends.
#[test]
fn truncated_copies_are_rejected_with_a_position() {
    let Some(raw) = raw() else { return };
    let total_lines = raw.iter().filter(|b| **b == b'\n').count() as u64;
    // Inside a tag, inside text, between records, just before the last
    // closing tag, and after only the XML declaration.
    let cut_points = [
        raw.len() / 2,
        raw.len() / 3 + 17,
        find(&raw, b"</INDIVIDUAL>") + "</INDIVIDUAL>".len(),
        raw.len() - "</CONSOLIDATED_LIST>".len() - 1,
        raw.len() - 3,
        find(&raw, b"<CONSOLIDATED_LIST") + 40,
    ];
    for cut in cut_points {
        let prefix = &raw[..cut];
        let err = parse_un_xml(prefix).expect_err("a truncated file must be refused");
        let line_of_cut = prefix.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        match &err {
            ListError::Truncated { line, column, .. } => {
                assert!(
                    *line <= line_of_cut && *line + 60 >= line_of_cut,
                    "cut at byte {cut}: {err}"
                );
                assert!(*column >= 1);
            }
            other => panic!("cut at byte {cut}: expected Truncated, got {other}"),
        }
        assert!(err.to_string().contains(" at line "), "{err}");
    }
    assert!(total_lines > 50_000);
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

/// A UN file is not an FtM or OFAC file and vice versa: each parser says
/// "not this format" rather than loading garbage.
#[test]
fn other_real_files_are_not_un_xml() {
    let Some(path) =
        tansiq_testkit::shared_file("data/lists/ofac/sdn.csv", "format confusion test")
    else {
        return;
    };
    let sdn = std::fs::read(path).unwrap();
    let err = parse_un_xml(&sdn[..]).unwrap_err();
    assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
}
