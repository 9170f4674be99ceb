//! Hand-made UN XML fixtures (fictitious people): malformed inputs are
//! refused with a position, record-level problems are diagnostics.

use proptest::prelude::*;
use tansiq_lists::{ListError, ParsedList, Severity, parse_un_xml};

fn wrap(individuals: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-03-01T00:00:00Z\">\n<INDIVIDUALS>\n{individuals}\n</INDIVIDUALS>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n"
    )
}

fn parse(xml: &str) -> ParsedList {
    parse_un_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn check_err(xml: &str, expect: &str) {
    let err = parse_un_xml(xml.as_bytes()).expect_err("must be refused");
    assert_eq!(err.to_string(), expect);
}

#[test]
fn malformed_inputs_name_line_and_column() {
    check_err(
        "<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</SECOND_NAME></INDIVIDUAL>\n</INDIVIDUALS></CONSOLIDATED_LIST>",
        "un-xml input is malformed at line 4, column 26: ill-formed document: expected `</FIRST_NAME>`, but `</SECOND_NAME>` was found",
    );
    check_err(
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS><INDIVIDUAL>\n  <FIRST_NAME>Sami &bogus; Rahal</FIRST_NAME>",
        "un-xml input is malformed at line 3, column 20: undefined entity &bogus;",
    );
    check_err(
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>Sami",
        "un-xml input is truncated at line 3, column 29: input ends inside FIRST_NAME",
    );
    check_err(
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME",
        "un-xml input is truncated at line 3, column 13: syntax error: tag not closed: `>` not found before end of input",
    );
    check_err(
        "<CONSOLIDATED_LIST></CONSOLIDATED_LIST>\n<CONSOLIDATED_LIST>",
        "un-xml input is malformed at line 2, column 1: content after the root element",
    );
    check_err(
        "<sdnList><sdnEntry/></sdnList>",
        "not un-xml input: the root element is sdnList, not CONSOLIDATED_LIST",
    );
    check_err(
        "36,AEROCARIBBEAN AIRLINES,-0- ,CUBA\n",
        "not un-xml input: text before the root element at line 1, column 1",
    );
    check_err(
        "",
        "not un-xml input: no CONSOLIDATED_LIST element (empty input)",
    );
    check_err(
        "   \n  ",
        "not un-xml input: no CONSOLIDATED_LIST element (empty input)",
    );
}

#[test]
fn invalid_utf8_is_refused() {
    let mut bytes = wrap("<INDIVIDUAL><REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL>").into_bytes();
    let at = bytes.iter().position(|b| *b == b'X').unwrap();
    bytes[at] = 0xFF;
    let err = parse_un_xml(&bytes[..]).unwrap_err();
    assert!(
        matches!(
            err,
            ListError::Malformed {
                line: 4,
                column: 69,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn an_empty_list_is_a_list() {
    let list = parse("<CONSOLIDATED_LIST dateGenerated=\"2026-03-01\"/>");
    assert!(list.entities.is_empty());
    assert_eq!(list.version, "2026-03-01");
    let list = parse("<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>");
    assert!(list.version.starts_with("fnv1a64:"), "{}", list.version);
    assert_eq!(list.diagnostics.len(), 1);
}

#[test]
fn record_problems_are_diagnostics_and_parsing_goes_on() {
    let xml = wrap(
        r#"<INDIVIDUAL>
  <DATAID>1</DATAID><FIRST_NAME>SAMI</FIRST_NAME><SECOND_NAME>RAHAL</SECOND_NAME>
  <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER><LISTED_ON>yesterday</LISTED_ON>
  <GENDER>Unknown</GENDER>
  <NATIONALITY><VALUE>Freedonia</VALUE><VALUE>Algeria</VALUE></NATIONALITY>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-02-30</DATE></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1900</FROM_YEAR><TO_YEAR>1990</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>x</FROM_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_ALIAS><QUALITY>Medium</QUALITY><ALIAS_NAME>Abu Sami</ALIAS_NAME></INDIVIDUAL_ALIAS>
</INDIVIDUAL>
<INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>NOUR</FIRST_NAME></INDIVIDUAL>
<INDIVIDUAL><FIRST_NAME>NO ID</FIRST_NAME></INDIVIDUAL>
<INDIVIDUAL><REFERENCE_NUMBER>QDi.903</REFERENCE_NUMBER><FIRST_NAME/></INDIVIDUAL>
<INDIVIDUAL><REFERENCE_NUMBER>QDi.904</REFERENCE_NUMBER><FIRST_NAME>LINA &amp; &#x41;DEL</FIRST_NAME>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1980</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
</INDIVIDUAL>"#,
    );
    let list = parse(&xml);
    let got: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        [
            "line 6, column 47, record QDi.901, field LISTED_ON: date \"yesterday\" does not parse (invalid date \"yesterday\": expected YYYY, YYYY-MM or YYYY-MM-DD): ignored",
            "line 7, column 3, record QDi.901, field GENDER: unknown gender \"unknown\": ignored",
            "line 8, column 16, record QDi.901, field NATIONALITY: country name \"Freedonia\" has no ISO code: not kept as nationality",
            "line 9, column 63, record QDi.901, field DATE: date of birth \"1971-02-30\" does not parse (invalid date \"1971-02-30\": no such day): ignored",
            "line 10, column 3, record QDi.901, field INDIVIDUAL_DATE_OF_BIRTH: range 1900..1990 is reversed or wider than 25 years: only its ends are kept",
            "line 11, column 3, record QDi.901, field INDIVIDUAL_DATE_OF_BIRTH: a range without a readable FROM_YEAR and TO_YEAR: ignored",
            "line 12, column 3, record QDi.901, field INDIVIDUAL_ALIAS: unknown alias quality \"medium\": kept as a strong alias",
            "line 14, column 1, record 2, field REFERENCE_NUMBER: no REFERENCE_NUMBER; the id is made from DATAID",
            "line 15, column 1, field REFERENCE_NUMBER: INDIVIDUAL without REFERENCE_NUMBER or DATAID: skipped",
            "line 16, column 1, record QDi.903, field FIRST_NAME: INDIVIDUAL has no name: skipped",
        ]
    );
    assert_eq!(
        list.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        2
    );
    let ids: Vec<&str> = list.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["QDi.901", "un-dataid-2", "QDi.904"]);
    let sami = &list.entities[0];
    assert_eq!(sami.get("nationality"), ["dz"]);
    assert_eq!(sami.get("birthDate"), ["1900", "1990"]);
    assert_eq!(sami.get("alias"), ["Abu Sami"]);
    assert_eq!(sami.provenance.listed_on, None);
    assert_eq!(list.entities[2].get("name"), ["LINA & ADEL"]);
    assert_eq!(list.entities[2].get("birthDate"), ["1980"]);
}

#[test]
fn organisations_and_their_aliases() {
    let xml = "<CONSOLIDATED_LIST dateGenerated=\"d\"><INDIVIDUALS/><ENTITIES><ENTITY>
  <DATAID>9</DATAID><FIRST_NAME>NORTHERN   RIVER
     FRONT</FIRST_NAME><REFERENCE_NUMBER>QDe.950</REFERENCE_NUMBER>
  <NAME_ORIGINAL_SCRIPT>جبهة النهر الشمالي</NAME_ORIGINAL_SCRIPT>
  <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>NRF</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>River Brigade</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>The Boats</ALIAS_NAME></ENTITY_ALIAS>
  <ENTITY_ADDRESS><CITY>Tindouf</CITY><COUNTRY>Algeria</COUNTRY></ENTITY_ADDRESS>
</ENTITY></ENTITIES></CONSOLIDATED_LIST>";
    let list = parse(xml);
    let e = &list.entities[0];
    assert_eq!(e.schema, tansiq_model::Schema::Organization);
    assert_eq!(e.get("name"), ["NORTHERN RIVER FRONT"]);
    assert_eq!(e.get("alias"), ["جبهة النهر الشمالي", "NRF"]);
    assert_eq!(e.get("previousName"), ["River Brigade"]);
    assert_eq!(e.get("weakAlias"), ["The Boats"]);
    assert_eq!(e.get("address"), ["Tindouf, Algeria"]);
    assert_eq!(e.get("country"), ["dz"]);
    assert_eq!(e.action_on_hit, Some(tansiq_model::ActionOnHit::Inform));
}

/// The UN's quirks, on an invented record: each line of the record is one
/// quirk seen in the real list.
#[test]
fn un_quirks_on_an_invented_record() {
    let xml = wrap(
        r#"<INDIVIDUAL>
  <DATAID>77</DATAID><FIRST_NAME>YUSUF</FIRST_NAME><SECOND_NAME>ISLAMOVICH</SECOND_NAME><THIRD_NAME>NASSEROV</THIRD_NAME>
  <REFERENCE_NUMBER>QDi.990</REFERENCE_NUMBER><LISTED_ON>2015-04-07-04:00</LISTED_ON>
  <NAME_ORIGINAL_SCRIPT>Насеров Юсуф Исламович</NAME_ORIGINAL_SCRIPT>
  <TITLE><VALUE>Haji</VALUE><VALUE>Hadji</VALUE><VALUE>Haji</VALUE></TITLE>
  <DESIGNATION><VALUE>Commander of the
        Northern Sector </VALUE></DESIGNATION>
  <NATIONALITY><VALUE>na</VALUE></NATIONALITY>
  <LAST_DAY_UPDATED><VALUE>2019-05-01</VALUE><VALUE>2023-12-19</VALUE><VALUE/></LAST_DAY_UPDATED>
  <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Nasser</ALIAS_NAME><NOTE>original script: Абу Насер</NOTE></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Yousef Nasser يوسف ناصر</ALIAS_NAME><NOTE>formerly listed as</NOTE></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Yusup Nasirov</ALIAS_NAME><DATE_OF_BIRTH>1975-02-01</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>
  <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1974</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
  <INDIVIDUAL_PLACE_OF_BIRTH><CITY>Fictional Village</CITY><STATE_PROVINCE>Fictional Province</STATE_PROVINCE><COUNTRY>Russian Federation</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>
  <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>Freedonian foreign travel passport number 500000001</NUMBER></INDIVIDUAL_DOCUMENT>
  <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT><TYPE_OF_DOCUMENT2>national passport number</TYPE_OF_DOCUMENT2><NUMBER>8200000001</NUMBER></INDIVIDUAL_DOCUMENT>
  <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT><NUMBER>ID-77</NUMBER></INDIVIDUAL_DOCUMENT>
</INDIVIDUAL>"#,
    );
    let list = parse(&xml);
    assert!(list.diagnostics.is_empty(), "{:?}", list.diagnostics);
    let e = &list.entities[0];
    assert_eq!(e.get("name"), ["YUSUF ISLAMOVICH NASSEROV"]);
    assert_eq!(e.get("firstName"), ["YUSUF"]);
    assert_eq!(e.get("secondName"), ["ISLAMOVICH"]);
    assert_eq!(e.get("middleName"), ["NASSEROV"]);
    assert_eq!(e.get("alias"), ["Насеров Юсуф Исламович", "Yusup Nasirov"]);
    assert_eq!(e.get("previousName"), ["Yousef Nasser", "يوسف ناصر"]);
    assert_eq!(e.get("weakAlias"), ["Abu Nasser", "Абу Насер"]);
    assert_eq!(e.get("birthDate"), ["1974", "1975-02-01"]);
    assert_eq!(
        e.get("birthPlace"),
        ["Fictional Village, Fictional Province, Russian Federation"]
    );
    assert_eq!(e.get("title"), ["Haji", "Hadji"]);
    assert_eq!(e.get("position"), ["Commander of the Northern Sector"]);
    assert_eq!(e.get("nationality"), Vec::<String>::new());
    assert_eq!(e.get("passportNumber"), ["500000001", "8200000001"]);
    assert_eq!(e.get("idNumber"), ["ID-77"]);
    assert_eq!(e.provenance.listed_on.as_deref(), Some("2015-04-07"));
    assert_eq!(e.provenance.amended_on.as_deref(), Some("2023-12-19"));
    assert_eq!(e.provenance.source_record_id.as_deref(), Some("77"));
    // No UN_LIST_TYPE: the regime is unknown, so its measures are verified,
    // not assumed (issue 20: the travel ban is no longer taken for granted).
    assert_eq!(
        e.action_on_hit,
        Some(tansiq_model::ActionOnHit::SpecificCheck)
    );
    let m = e.legal_basis.as_ref().unwrap().measures.as_ref().unwrap();
    assert_eq!(m.travel_ban, tansiq_model::Applies::Verify);
}

proptest! {
    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_un_xml(&bytes[..]);
    }

    #[test]
    fn never_panics_on_mangled_records(cut in 0usize..2000, junk in "[<>&/a-zA-Z0-9 \"=;#]{0,12}") {
        let xml = wrap("<INDIVIDUAL><REFERENCE_NUMBER>QDi.9</REFERENCE_NUMBER><FIRST_NAME>A</FIRST_NAME>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1970</FROM_YEAR><TO_YEAR>1972</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>B (بكر)</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL>");
        let mut cut = cut.min(xml.len());
        while !xml.is_char_boundary(cut) { cut -= 1; }
        let mangled = format!("{}{junk}{}", &xml[..cut], &xml[cut..]);
        if let Ok(list) = parse_un_xml(mangled.as_bytes()) {
            for e in list.entities {
                prop_assert!(!e.names().is_empty());
            }
        }
    }
}
