//! The real OFAC SDN legacy CSV (2022-01): counts, ten records checked
//! against the raw rows by an independent reading, truncation.

use std::collections::HashMap;

use tansiq_lists::{ListError, ParsedList, parse_ofac};
use tansiq_model::{Entity, Schema};

fn files() -> Option<(Vec<u8>, Vec<u8>)> {
    let sdn = tansiq_testkit::shared_file("data/lists/ofac/sdn.csv", "the real OFAC tests")?;
    let alt = sdn.with_file_name("alt.csv");
    Some((std::fs::read(sdn).unwrap(), std::fs::read(alt).unwrap()))
}

fn parse(sdn: &[u8], alt: &[u8]) -> ParsedList {
    parse_ofac(sdn, Some(alt), None::<&[u8]>).expect("the real OFAC files parse")
}

#[test]
fn counts_and_diagnostics() {
    let Some((sdn, alt)) = files() else { return };
    let list = parse(&sdn, &alt);
    assert_eq!(list.source, "ofac-sdn");
    assert_eq!(list.count(Schema::Person), 4643);
    assert_eq!(list.count(Schema::Organization), 3701);
    assert_eq!(list.count(Schema::Vessel), 420);
    assert_eq!(list.count(Schema::Airplane), 280);
    assert_eq!(
        list.entities.len(),
        9044,
        "9,043 ent_nums; 2677 is used twice"
    );
    let strong: usize = list.entities.iter().map(|e| e.get("alias").len()).sum();
    let previous: usize = list
        .entities
        .iter()
        .map(|e| e.get("previousName").len())
        .sum();
    println!(
        "OFAC: {} Person, {} Organization, {} Vessel, {} Airplane; {strong} aliases, {previous} previous names; {} diagnostics",
        list.count(Schema::Person),
        list.count(Schema::Organization),
        list.count(Schema::Vessel),
        list.count(Schema::Airplane),
        list.diagnostics.len()
    );
    for d in &list.diagnostics {
        println!("{d}");
    }
    // Only warnings: "possibly Palestinian" is not a country, and the
    // duplicate ent_num.
    assert!(list.diagnostics.iter().all(|d| !d.is_error()));
    assert_eq!(list.diagnostics.len(), 4);
}

/// `LAST, First, Suffix` the way OFAC writes it -> the entity's name.
fn turned(raw: &str) -> String {
    match raw.split_once(", ") {
        Some((last, rest)) => {
            let mut parts = rest.splitn(2, ", ");
            let first = parts.next().unwrap();
            match parts.next() {
                Some(suffix) => format!("{first} {last} {suffix}"),
                None => format!("{first} {last}"),
            }
        }
        None => raw.to_string(),
    }
}

/// Ten records (individuals, entities, a vessel, an aircraft; DOB forms,
/// passports, IDs, f.k.a./n.k.a.) checked against the raw rows with the
/// csv crate and plain string handling, not the parser's code.
#[test]
fn ten_records_match_the_raw_rows() {
    let Some((sdn, alt)) = files() else { return };
    let list = parse(&sdn, &alt);
    let ids: HashMap<&str, &Entity> = list.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let raw_rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&sdn[..])
        .records()
        .map(Result::unwrap)
        .collect();
    let alt_rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&alt[..])
        .records()
        .map(Result::unwrap)
        .collect();
    for ent_num in [
        "306", "4243", "10892", "15431", "12610", "17807", "15962", "9335", "8244", "4642",
    ] {
        let row = raw_rows.iter().find(|r| &r[0] == ent_num).unwrap();
        let e = ids[format!("ofac-{ent_num}").as_str()];
        let clean = |s: &str| {
            if s.trim() == "-0-" {
                String::new()
            } else {
                s.trim().to_string()
            }
        };
        let expect_schema = match clean(&row[2]).as_str() {
            "individual" => Schema::Person,
            "vessel" => Schema::Vessel,
            "aircraft" => Schema::Airplane,
            _ => Schema::Organization,
        };
        assert_eq!(e.schema, expect_schema, "{ent_num}");
        let person = expect_schema == Schema::Person;
        let name = if person {
            turned(&row[1])
        } else {
            row[1].to_string()
        };
        assert_eq!(e.get("name"), [name], "{ent_num}");
        if person {
            let (last, first) = row[1].split_once(", ").unwrap();
            assert_eq!(e.get("lastName"), [last], "{ent_num}");
            assert!(
                first.starts_with(e.first("firstName").unwrap()),
                "{ent_num}"
            );
        }
        assert_eq!(e.provenance.source_record_id.as_deref(), Some(ent_num));
        for program in clean(&row[3]).split("] [") {
            let basis = e.legal_basis.as_ref().unwrap().basis.as_deref().unwrap();
            assert!(basis.contains(program), "{ent_num}: program {program}");
        }
        let remarks = clean(&row[11]);
        assert_eq!(
            e.get("notes").contains(&remarks),
            !remarks.is_empty(),
            "{ent_num}"
        );
        for part in remarks.trim_end_matches('.').split("; ") {
            let part = part.strip_prefix("alt. ").unwrap_or(part);
            if let Some(dob) = part.strip_prefix("DOB ") {
                // Every year the remark names is a birth year.
                for year in dob
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|t| t.len() == 4)
                {
                    assert!(
                        e.get("birthDate").iter().any(|d| d.starts_with(year)),
                        "{ent_num}: DOB {dob}"
                    );
                }
            } else if let Some(number) = part.strip_prefix("Passport ") {
                let number = number.split(' ').next().unwrap();
                assert!(
                    e.get("passportNumber").iter().any(|p| p == number),
                    "{ent_num}: {part}"
                );
            } else if let Some(number) = part
                .strip_prefix("National ID No. ")
                .or(part.strip_prefix("Cedula No. "))
            {
                let number = number.split(' ').next().unwrap();
                assert!(
                    e.get("idNumber").iter().any(|p| p == number),
                    "{ent_num}: {part}"
                );
            } else if let Some(pob) = part.strip_prefix("POB ") {
                assert!(
                    e.get("birthPlace").iter().any(|p| p == pob),
                    "{ent_num}: {part}"
                );
            } else if let Some(gender) = part.strip_prefix("Gender ") {
                assert_eq!(e.get("gender"), [gender.to_lowercase()], "{ent_num}");
            } else if let Some(name) = part.strip_prefix("a.k.a. ") {
                assert!(
                    e.get("alias").iter().any(|a| a == name.trim_matches('\'')),
                    "{ent_num}: {part}"
                );
            } else if let Some(name) = part.strip_prefix("f.k.a. ") {
                assert!(
                    e.get("previousName")
                        .iter()
                        .any(|a| a == name.trim_matches('\'')),
                    "{ent_num}: {part}"
                );
            } else if let Some(imo) = part.strip_prefix("Vessel Registration Identification ") {
                assert_eq!(e.get("imoNumber"), [imo], "{ent_num}");
            } else if let Some(country) = part
                .strip_prefix("nationality ")
                .or(part.strip_prefix("citizen "))
            {
                let code = tansiq_lists::country_code(country).unwrap();
                assert!(
                    e.nationalities().iter().any(|n| n == code),
                    "{ent_num}: {part}"
                );
            }
        }
        for a in alt_rows.iter().filter(|a| &a[0] == ent_num) {
            let name = if person {
                turned(&a[3])
            } else {
                a[3].to_string()
            };
            let property = match &a[2] {
                "fka" => "previousName",
                _ => "alias",
            };
            assert!(
                e.get(property).contains(&name),
                "{ent_num}: alt {} {name}",
                &a[2]
            );
        }
    }
}

#[test]
fn truncated_sdn_is_refused() {
    let Some((sdn, alt)) = files() else { return };
    let cut = &sdn[..sdn.len() / 2];
    // Cut inside a row: refused with the line where it ends.
    let line = cut.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    match parse_ofac(cut, Some(&alt[..]), None::<&[u8]>) {
        Err(ListError::Truncated { line: l, .. }) => assert_eq!(l, line),
        other => panic!("expected Truncated, got {other:?}"),
    }
    // The UN XML handed over as sdn.csv: not this format.
    if let Some(un) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "format confusion",
    ) {
        let un = std::fs::read(un).unwrap();
        let err = parse_ofac(&un[..], None::<&[u8]>, None::<&[u8]>).unwrap_err();
        assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
    }
}
