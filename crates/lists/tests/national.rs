//! The shipped template and fictitious example load cleanly; the parser
//! never panics.

use proptest::prelude::*;
use tansiq_lists::{Format, NATIONAL_COLUMNS, parse_national_csv};
use tansiq_model::{ActionOnHit, Schema};

const TEMPLATE: &[u8] = include_bytes!("../templates/national-entries-template.csv");
const EXAMPLE: &[u8] = include_bytes!("../templates/national-entries-example.csv");

#[test]
fn template_is_the_documented_header() {
    let header = String::from_utf8(TEMPLATE.to_vec()).unwrap();
    assert_eq!(header.trim_end(), NATIONAL_COLUMNS.join(","));
    let list = parse_national_csv(TEMPLATE).unwrap();
    assert!(list.entities.is_empty());
    assert!(list.diagnostics.is_empty());
    assert_eq!(
        Format::detect(TEMPLATE, "entries.csv"),
        Some(Format::NationalCsv)
    );
}

#[test]
fn example_loads_without_a_diagnostic() {
    let list = parse_national_csv(EXAMPLE).unwrap();
    assert!(list.diagnostics.is_empty(), "{:#?}", list.diagnostics);
    assert_eq!(list.entities.len(), 10);
    assert_eq!(list.count(Schema::Person), 9);
    assert_eq!(list.count(Schema::Organization), 1);
    let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    for e in &list.entities {
        assert!(
            e.get("alias").iter().any(|a| arabic(a)),
            "{} has an Arabic-script alias",
            e.id
        );
        assert!(e.action_on_hit.is_some());
        assert!(e.origin_agency.is_some());
    }
    let karim = &list.entities[0];
    assert_eq!(karim.action_on_hit, Some(ActionOnHit::Arrest));
    assert_eq!(
        karim
            .legal_basis
            .as_ref()
            .unwrap()
            .warrant_number
            .as_deref(),
        Some("AM-2026-0001")
    );
    assert_eq!(list.entities[9].get("idNumber"), ["REG-0000010"]);
}

proptest! {
    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_national_csv(&bytes[..]);
    }

    #[test]
    fn never_panics_on_rows(row in r#"[a-z0-9 ,;|"\-:]{0,120}"#) {
        let input = format!("{}\n{row}\n", NATIONAL_COLUMNS.join(","));
        let _ = parse_national_csv(input.as_bytes());
    }
}
