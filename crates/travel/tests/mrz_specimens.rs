//! The five ICAO Doc 9303 specimens (shared/data/standards/mrz) decode to
//! their documented values, and every single-character corruption of a
//! check-digit-protected field is reported against that field.

use serde_json::Value;
use tansiq_model::PartialDate;
use tansiq_travel::{MrzField, MrzFormat, Sex, parse_mrz};

fn today() -> PartialDate {
    PartialDate::ymd(2026, 11, 29).unwrap()
}

fn specimens() -> Option<Vec<Value>> {
    let path = tansiq_testkit::shared_file(
        "data/standards/mrz/icao9303_specimens.json",
        "ICAO 9303 specimen test",
    )?;
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Some(json["specimens"].as_array().unwrap().clone())
}

fn lines(spec: &Value) -> Vec<String> {
    spec["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn specimens_decode_to_documented_values() {
    let Some(specs) = specimens() else { return };
    assert_eq!(specs.len(), 5);
    for spec in &specs {
        let lines = lines(spec);
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let m = parse_mrz(&refs, today()).unwrap();
        let d = &spec["decoded"];
        let name = spec["format"].as_str().unwrap();
        let want = |k: &str| d[k].as_str().unwrap_or_else(|| panic!("{name}: {k}"));
        assert_eq!(m.format.as_str(), name);
        assert!(m.all_checks_pass(), "{name}: {:?}", m.checks);
        assert!(m.diagnostics.is_empty(), "{name}: {:?}", m.diagnostics);
        assert_eq!(m.document_code, want("document_code"), "{name}");
        assert_eq!(m.issuing_state.code, want("issuing_state"), "{name}");
        assert_eq!(m.surname, want("primary_identifier"), "{name}");
        assert_eq!(m.given_names, want("secondary_identifier"), "{name}");
        assert_eq!(m.document_number, want("document_number"), "{name}");
        assert_eq!(m.nationality.code, want("nationality"), "{name}");
        assert_eq!(m.birth_date.raw, want("date_of_birth"), "{name}");
        assert_eq!(
            m.birth_date.date.unwrap().to_string(),
            want("date_of_birth_iso")
        );
        assert_eq!(m.sex, Sex::Female);
        let visa = matches!(m.format, MrzFormat::MrvA | MrzFormat::MrvB);
        let (exp, exp_iso, exp_check) = if visa {
            ("valid_until", "valid_until_iso", "valid_until_check")
        } else {
            (
                "date_of_expiry",
                "date_of_expiry_iso",
                "date_of_expiry_check",
            )
        };
        assert_eq!(m.expiry_date.raw, want(exp), "{name}");
        assert_eq!(m.expiry_date.date.unwrap().to_string(), want(exp_iso));

        let found = |f: MrzField| {
            m.checks
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.found.to_string())
        };
        assert_eq!(
            found(MrzField::DocumentNumber).as_deref(),
            Some(want("document_number_check"))
        );
        assert_eq!(
            found(MrzField::BirthDate).as_deref(),
            Some(want("date_of_birth_check"))
        );
        assert_eq!(
            found(MrzField::ExpiryDate).as_deref(),
            Some(want(exp_check))
        );
        assert_eq!(
            found(MrzField::Composite).as_deref(),
            d["composite_check"].as_str(),
            "{name}"
        );
        match m.format {
            MrzFormat::Td3 => {
                assert_eq!(m.optional_data, want("personal_number"));
                assert_eq!(
                    found(MrzField::OptionalData).as_deref(),
                    Some(want("personal_number_check"))
                );
            }
            MrzFormat::Td1 => {
                assert_eq!(m.optional_data, want("optional_data_line1"));
                assert_eq!(m.optional_data_2, want("optional_data_line2"));
            }
            MrzFormat::Td2 => assert_eq!(m.optional_data, want("optional_data")),
            MrzFormat::MrvA | MrzFormat::MrvB => {
                // The specimen file documents visa optional data with its
                // fillers: compare the raw field.
                let raw = &lines[1][28..];
                assert_eq!(raw, want("optional_data"));
                assert_eq!(m.optional_data, raw.trim_end_matches('<'));
            }
        }
        // Writing the decoded fields again gives the printed lines.
        assert_eq!(m.to_lines(), lines, "{name}");
        let t = m.traveller();
        assert_eq!(t.full_name(), "ANNA MARIA ERIKSSON");
        assert_eq!(t.nationality.as_ref().unwrap().iso2, None);
        assert_eq!(t.documents[0].number, want("document_number"));
    }
}

/// Positions (0-based line, column) of the characters that each check digit
/// protects, own digit included, per format.
fn protected(format: MrzFormat) -> Vec<(MrzField, usize, std::ops::Range<usize>)> {
    match format {
        MrzFormat::Td1 => vec![
            (MrzField::DocumentNumber, 0, 5..15),
            (MrzField::BirthDate, 1, 0..7),
            (MrzField::ExpiryDate, 1, 8..15),
        ],
        _ => {
            let mut v = vec![
                (MrzField::DocumentNumber, 1, 0..10),
                (MrzField::BirthDate, 1, 13..20),
                (MrzField::ExpiryDate, 1, 21..28),
            ];
            if format == MrzFormat::Td3 {
                v.push((MrzField::OptionalData, 1, 28..43));
            }
            v
        }
    }
}

#[test]
fn every_digit_corruption_is_reported_against_its_field() {
    let Some(specs) = specimens() else { return };
    let mut cases = 0;
    for spec in &specs {
        let lines = lines(spec);
        let format = parse_mrz(
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
            today(),
        )
        .unwrap()
        .format;
        for (field, line, cols) in protected(format) {
            for col in cols {
                let orig = lines[line].as_bytes()[col];
                if !orig.is_ascii_digit() {
                    continue;
                }
                for digit in b'0'..=b'9' {
                    if digit == orig {
                        continue;
                    }
                    let mut bad = lines.clone();
                    let mut row = bad[line].clone().into_bytes();
                    row[col] = digit;
                    bad[line] = String::from_utf8(row).unwrap();
                    let refs: Vec<&str> = bad.iter().map(String::as_str).collect();
                    let m = parse_mrz(&refs, today()).unwrap();
                    let failed: Vec<MrzField> = m.failed_checks().map(|c| c.field).collect();
                    assert!(
                        failed.contains(&field),
                        "{:?} line {} col {} -> {}: failed {failed:?}",
                        format,
                        line + 1,
                        col + 1,
                        digit as char
                    );
                    // Only that field and the composite covering it fail.
                    assert!(
                        failed
                            .iter()
                            .all(|f| *f == field || *f == MrzField::Composite),
                        "{failed:?}"
                    );
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 500, "{cases}");
}
