//! The real DFAT consolidated list (XLSX): counts, ten entities checked
//! against the raw sheet rows by an independent grouping, damaged files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use tansiq_lists::{ListError, ParsedList, parse_dfat_xlsx};
use tansiq_model::{Entity, Schema};

fn raw() -> Option<Vec<u8>> {
    let path = tansiq_testkit::shared_file(
        "data/lists/dfat/regulation8_consolidated.xlsx",
        "the real DFAT tests",
    )?;
    Some(std::fs::read(path).unwrap())
}

fn parse(raw: &[u8]) -> ParsedList {
    parse_dfat_xlsx(raw).expect("the real DFAT list parses")
}

#[test]
fn counts_version_and_diagnostics() {
    let Some(raw) = raw() else { return };
    let list = parse(&raw);
    let names: usize = list.entities.iter().map(|e| e.names().len()).sum();
    println!(
        "DFAT: {} entities ({} Person, {} Organization), {names} names, {} diagnostics, version {}",
        list.entities.len(),
        list.count(Schema::Person),
        list.count(Schema::Organization),
        list.diagnostics.len(),
        list.version
    );
    for d in &list.diagnostics {
        println!("{d}");
    }
    assert_eq!(list.source, "au-dfat");
    assert_eq!(list.count(Schema::Person), 2316);
    assert_eq!(list.count(Schema::Organization), 746);
    assert!(
        list.version.starts_with("2024-11-11+fnv1a64:"),
        "{}",
        list.version
    );
    assert!(names > 9_400, "{names}");
    // Hand-written dates that cannot be read ("23-Apr-68", "Between Aug.
    // and Sep 1977") and citizenships that are no country ("USSR") are
    // warnings; nothing is an error.
    assert!(list.diagnostics.iter().all(|d| !d.is_error()));
    assert!(list.diagnostics.len() <= 12, "{}", list.diagnostics.len());
    for e in &list.entities {
        assert!(e.legal_basis.is_some(), "{} has a regime", e.id);
        assert!(
            e.provenance.amended_on.is_some(),
            "{} has a control date",
            e.id
        );
    }
}

struct RawRow {
    name: String,
    kind: String,
    name_type: String,
    committee: String,
    control: Option<(u16, u8, u8)>,
}

/// The sheet read with calamine and grouped by the number in `Reference`:
/// the test's own reading, sharing no code with the parser's mapping.
fn raw_groups(raw: &[u8]) -> BTreeMap<u64, Vec<RawRow>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(raw)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let mut groups: BTreeMap<u64, Vec<RawRow>> = BTreeMap::new();
    for row in range.rows().skip(1) {
        let text = |i: usize| {
            row[i]
                .to_string()
                .replace('\u{a0}', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let reference = text(0);
        let digits: String = reference
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let Ok(number) = digits.parse() else { continue };
        let control = match &row[11] {
            Data::DateTime(dt) => {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                Some((y, m, d))
            }
            _ => None,
        };
        groups.entry(number).or_default().push(RawRow {
            name: text(1),
            kind: text(2).to_lowercase(),
            name_type: text(3).to_lowercase(),
            committee: text(10),
            control,
        });
    }
    groups
}

#[test]
fn ten_entities_match_the_raw_rows() {
    let Some(raw) = raw() else { return };
    let list = parse(&raw);
    let ids: HashMap<&str, &Entity> = list.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let groups = raw_groups(&raw);
    assert_eq!(
        groups.len(),
        list.entities.len(),
        "one entity per reference number"
    );
    // Ten references spread over the sheet: the first, the last, and eight
    // between, persons and entities, with and without original script.
    let keys: Vec<u64> = groups.keys().copied().collect();
    let mut picks: Vec<u64> = (0..10).map(|i| keys[i * (keys.len() - 1) / 9]).collect();
    // Make sure an entity with an original-script row is among them.
    if let Some(with_script) = groups.iter().find(|(k, rows)| {
        !picks.contains(k) && rows.iter().any(|r| r.name_type == "original script")
    }) {
        picks[1] = *with_script.0;
    }
    let mut kinds = BTreeSet::new();
    for number in picks {
        let rows = &groups[&number];
        let e = ids[format!("au-dfat-{number}").as_str()];
        let expect_schema = if rows[0].kind == "individual" {
            Schema::Person
        } else {
            Schema::Organization
        };
        assert_eq!(e.schema, expect_schema, "{number}");
        kinds.insert(e.schema);
        let primary: Vec<&str> = rows
            .iter()
            .filter(|r| r.name_type == "primary name")
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(e.get("name"), &primary[..1], "{number} primary name");
        let raw_names: BTreeSet<&str> = rows
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        let our_names: BTreeSet<&str> = e.names().iter().map(|n| n.value).collect();
        assert_eq!(our_names, raw_names, "{number} names");
        for r in rows.iter().filter(|r| r.name_type == "original script") {
            assert!(
                e.get("alias").contains(&r.name),
                "{number}: original script is an alias"
            );
        }
        let basis = e.legal_basis.as_ref().unwrap().basis.clone().unwrap();
        for r in rows {
            assert!(
                basis.contains(&r.committee),
                "{number}: {basis} has {}",
                r.committee
            );
        }
        let control = rows.iter().filter_map(|r| r.control).max().unwrap();
        assert_eq!(
            e.provenance.amended_on.as_deref(),
            Some(format!("{:04}-{:02}-{:02}", control.0, control.1, control.2).as_str()),
            "{number} control date"
        );
        assert_eq!(e.provenance.source_record_id, Some(number.to_string()));
    }
    assert_eq!(kinds.len(), 2, "persons and entities are both spot-checked");
}

#[test]
fn damaged_and_foreign_files_are_refused() {
    let Some(raw) = raw() else { return };
    let err = parse_dfat_xlsx(&raw[..raw.len() / 2]).unwrap_err();
    assert!(matches!(err, ListError::Container { .. }), "{err}");
    assert!(err.to_string().contains("damaged or truncated"), "{err}");
    let err = parse_dfat_xlsx(b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST/>").unwrap_err();
    assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
}
