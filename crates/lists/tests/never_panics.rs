//! Property tests: no parser panics, whatever the bytes; and real files
//! are detected as their format.

use proptest::prelude::*;
use tansiq_lists::{Format, parse_dfat_xlsx, parse_ofac};

const SDN_ROW: &str = "900001,\"HADDAD, Karim\",individual,SDGT] [IFSR,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 14 Mar 1971; alt. DOB 1970 to 1972; POB Oran, Algeria; nationality Algeria; Passport A1 (Algeria); a.k.a. 'ABU K'.\"\n";

proptest! {
    #[test]
    fn ofac_never_panics_on_bytes(
        sdn in proptest::collection::vec(any::<u8>(), 0..400),
        alt in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let _ = parse_ofac(&sdn[..], Some(&alt[..]), Some(&alt[..]));
    }

    #[test]
    fn ofac_never_panics_on_mangled_remarks(cut in 0usize..400, junk in ".{0,16}") {
        let mut cut = cut.min(SDN_ROW.len());
        while !SDN_ROW.is_char_boundary(cut) { cut -= 1; }
        let row = format!("{}{junk}{}", &SDN_ROW[..cut], &SDN_ROW[cut..]);
        let _ = parse_ofac(row.as_bytes(), None::<&[u8]>, None::<&[u8]>);
    }

    #[test]
    fn dfat_never_panics_on_bytes(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_dfat_xlsx(&tail);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(tail);
        let _ = parse_dfat_xlsx(&zip);
    }

    #[test]
    fn detect_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200), name in ".{0,12}") {
        let _ = Format::detect(&bytes, &name);
    }
}

#[test]
fn real_files_are_detected() {
    let Some(shared) = tansiq_testkit::shared_dir("format detection on real files") else {
        return;
    };
    for (path, expect) in [
        (
            "data/lists/un/un_consolidated_2026-02-27.xml",
            Format::UnXml,
        ),
        ("data/lists/ofac/sdn.csv", Format::OfacCsv),
        (
            "data/lists/dfat/regulation8_consolidated.xlsx",
            Format::DfatXlsx,
        ),
        ("bench/watchlist.jsonl", Format::Ftm),
    ] {
        let bytes = std::fs::read(shared.join(path)).unwrap();
        let name = path.rsplit('/').next().unwrap();
        assert_eq!(
            Format::detect(&bytes[..bytes.len().min(4096)], name),
            Some(expect),
            "{path}"
        );
    }
    // alt.csv alone is OFAC-shaped too, but is not a list on its own.
    let example = include_bytes!("../templates/national-entries-example.csv");
    assert_eq!(
        Format::detect(example, "example.csv"),
        Some(Format::NationalCsv)
    );
}
