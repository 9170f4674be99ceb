//! Property tests of the PAXLST writer and parser: what the writer writes
//! the parser reads back (travellers, flights, counts) without diagnostics;
//! no input makes the parser panic.

use proptest::prelude::*;
use tansiq_travel::{
    Interchange, Location, ManifestTraveller, parse_paxlst, synthetic_interchange, write_paxlst,
};

/// The parts of a traveller that survive writing (positions do not).
fn comparable(t: &ManifestTraveller) -> ManifestTraveller {
    let mut t = t.clone();
    t.source = Location::Input {
        line: 0,
        byte_offset: 0,
    };
    t
}

fn same_content(a: &Interchange, b: &Interchange) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.messages.len(), b.messages.len());
    for (ma, mb) in a.messages.iter().zip(&b.messages) {
        prop_assert_eq!(&ma.flights, &mb.flights);
        let ta: Vec<_> = ma.travellers.iter().map(comparable).collect();
        let tb: Vec<_> = mb.travellers.iter().map(comparable).collect();
        prop_assert_eq!(ta, tb);
    }
    Ok(())
}

#[test]
fn synthetic_400_passenger_manifest_round_trips() {
    let ic = synthetic_interchange(400, 12, 7);
    let text = write_paxlst(&ic);
    let back = parse_paxlst(text.as_bytes()).unwrap();
    assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
    assert_eq!((back.passenger_count(), back.crew_count()), (400, 12));
    same_content(&ic, &back).unwrap();
    // Writing what was read gives the same text.
    assert_eq!(write_paxlst(&back), text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn written_manifests_read_back(pax in 0usize..30, crew in 0usize..5, seed in any::<u64>()) {
        let ic = synthetic_interchange(pax, crew, seed);
        let back = parse_paxlst(write_paxlst(&ic).as_bytes()).unwrap();
        prop_assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
        same_content(&ic, &back)?;
    }

    #[test]
    fn damaged_manifests_never_panic(seed in any::<u64>(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12)) {
        let mut bytes = write_paxlst(&synthetic_interchange(5, 1, seed)).into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(ic) = parse_paxlst(&bytes) {
            let _ = ic.travellers().count();
            let _ = write_paxlst(&ic);
        }
    }

    #[test]
    fn truncated_manifests_never_panic(seed in any::<u64>(), cut in any::<prop::sample::Index>()) {
        let text = write_paxlst(&synthetic_interchange(3, 1, seed));
        let bytes = &text.as_bytes()[..cut.index(text.len())];
        let _ = parse_paxlst(bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_paxlst(&bytes);
    }

    #[test]
    fn edifact_like_text_never_panics(text in "(UNA|UNB|UNH|NAD|DOC|DTM|CNT|UNT|UNZ|TDT|LOC|[+:?' *$A-Z0-9\n]){0,80}") {
        let _ = parse_paxlst(text.as_bytes());
    }
}

#[test]
fn several_messages_in_one_interchange() {
    let mut ic = synthetic_interchange(3, 0, 1);
    let mut crew = synthetic_interchange(0, 2, 2).messages.remove(0);
    crew.reference = "M2".into();
    crew.document_code = Some("250".into());
    ic.messages.push(crew);
    let text = write_paxlst(&ic);
    let back = parse_paxlst(text.as_bytes()).unwrap();
    assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
    assert_eq!(back.messages.len(), 2);
    assert_eq!((back.passenger_count(), back.crew_count()), (3, 2));
    assert_eq!(back.messages[1].list_kind, tansiq_travel::ListKind::Crew);
    same_content(&ic, &back).unwrap();

    // A wrong message count in UNZ and a missing UNT are reported, and both
    // messages are still read.
    let damaged = text.replace("UNZ+2+", "UNZ+3+").replacen("UNT+", "FTX+", 1);
    let back = parse_paxlst(damaged.as_bytes()).unwrap();
    let codes: Vec<_> = back.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["paxlst.missing_unt", "paxlst.unz_count"]);
    assert_eq!((back.passenger_count(), back.crew_count()), (3, 2));
}
