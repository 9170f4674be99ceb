//! Property tests of the CSV manifest parser: a manifest written with the
//! documented header reads back; no input makes the parser panic.

use proptest::prelude::*;
use tansiq_travel::{
    Location, Manifest, ManifestFormat, parse_manifest, parse_manifest_csv, synthetic_interchange,
    write_manifest_csv,
};

/// What a CSV row carries, one line per traveller.
fn strip(m: &Manifest) -> Vec<String> {
    m.travellers
        .iter()
        .map(|t| {
            let tr = &t.traveller;
            format!(
                "{:?} {:?} {:?} {:?} {:?} {:?}",
                tr.surname,
                tr.given_names,
                tr.birth_date.map(|d| d.to_string()),
                tr.nationality.as_ref().map(|c| &c.code),
                tr.documents[0].number,
                t.seat,
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn written_csv_reads_back(pax in 0usize..30, crew in 0usize..4, seed in any::<u64>()) {
        let m = Manifest::from(synthetic_interchange(pax, crew, seed));
        let text = write_manifest_csv(&m);
        let back = parse_manifest_csv(text.as_bytes()).unwrap();
        prop_assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
        prop_assert_eq!(strip(&back), strip(&m));
        prop_assert_eq!((back.passenger_count(), back.crew_count()), (pax, crew));
        for (i, t) in back.travellers.iter().enumerate() {
            prop_assert_eq!(&t.source, &Location::Csv { line: i as u64 + 2, column: None, header: None });
            prop_assert_eq!(t.role, m.travellers[i].role);
            prop_assert_eq!(t.traveller.sex, m.travellers[i].traveller.sex);
        }
        // Writing what was read gives the same text.
        prop_assert_eq!(write_manifest_csv(&back), text);
    }

    #[test]
    fn damaged_csv_never_panics(seed in any::<u64>(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12)) {
        let mut bytes = write_manifest_csv(&Manifest::from(synthetic_interchange(4, 1, seed))).into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = parse_manifest_csv(&bytes);
    }

    #[test]
    fn arbitrary_input_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let format = ManifestFormat::detect(&bytes);
        let _ = parse_manifest(&bytes, format);
        let _ = parse_manifest_csv(&bytes);
    }

    #[test]
    fn csv_like_text_never_panics(text in "(surname|given_names|birth_date|nationality|\"|,|;|\n|[A-Z0-9 -]){0,120}") {
        let _ = parse_manifest_csv(text.as_bytes());
    }
}
