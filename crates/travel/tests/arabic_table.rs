//! The Doc 9303 Part 3 Arabic table in shared data agrees with the crate's
//! transliteration, row by row, except the rows the crate documents as
//! deviating; the EU DCC example transliterates as published.

use serde_json::Value;
use tansiq_travel::{arabic_letter_to_mrz, arabic_to_mrz, decode_arabic_mrz_name};

#[test]
fn shared_table_rows() {
    let Some(path) = tansiq_testkit::shared_file(
        "data/standards/transliteration/icao9303_part3_arabic_script_to_mrz.tsv",
        "Arabic MRZ table test",
    ) else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let c = cols[1].chars().next().unwrap();
        let want = if cols[3] == "(omitted)" { "" } else { cols[3] };
        rows += 1;
        // TEH MARBUTA: the table's `P` collides with PEH; the crate writes
        // XTA / XAH as in the ICAO NTWG report (see arabic.rs).
        if c == '\u{0629}' {
            assert_eq!(arabic_letter_to_mrz(c), Some("XTA"));
            continue;
        }
        assert_eq!(arabic_letter_to_mrz(c), Some(want), "row {line}");
    }
    assert_eq!(rows, 74);
}

#[test]
fn eu_dcc_example() {
    let Some(path) = tansiq_testkit::shared_file(
        "data/standards/transliteration/eu_dcc_vaccination_transliterated_example.json",
        "EU DCC transliteration example",
    ) else {
        return;
    };
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let nam = &json["nam"];
    for (script, mrz) in [("fn", "fnt"), ("gn", "gnt")] {
        let script = nam[script].as_str().unwrap();
        let mrz = nam[mrz].as_str().unwrap();
        assert_eq!(arabic_to_mrz(script).as_deref(), Some(mrz));
        let back = decode_arabic_mrz_name(&mrz.replace('<', " ")).unwrap();
        assert_eq!(back.arabic, script);
    }
}
