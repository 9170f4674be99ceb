//! FollowTheMoney JSON lines against real data: the benchmark watchlist
//! loads, and the UN list survives an export/import round trip.

use std::io::BufReader;

use proptest::prelude::*;
use tansiq_lists::{parse_ftm, parse_un_xml, write_ftm};
use tansiq_model::Schema;

#[test]
fn the_benchmark_watchlist_loads() {
    let Some(path) =
        tansiq_testkit::shared_file("bench/watchlist.jsonl", "FtM import of the bench watchlist")
    else {
        return;
    };
    let list = parse_ftm(BufReader::new(std::fs::File::open(path).unwrap())).unwrap();
    assert_eq!(list.count(Schema::Person), 730);
    assert_eq!(list.count(Schema::Organization), 273);
    assert!(list.diagnostics.is_empty(), "{:?}", list.diagnostics);
    assert!(list.version.starts_with("fnv1a64:"));
    let droukdel = list.entities.iter().find(|e| e.id == "QDi.232").unwrap();
    assert_eq!(droukdel.get("name"), ["ABDELMALEK DROUKDEL"]);
    assert_eq!(droukdel.provenance.source, "ftm");
}

#[test]
fn un_list_round_trips_through_ftm() {
    let Some(path) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "FtM round trip",
    ) else {
        return;
    };
    let un = parse_un_xml(BufReader::new(std::fs::File::open(path).unwrap())).unwrap();
    let mut out = Vec::new();
    write_ftm(&un.entities, &mut out).unwrap();
    assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1003);
    let back = parse_ftm(&out[..]).unwrap();
    assert_eq!(back.entities, un.entities);
    assert_eq!(back.source, "un-sc", "every line carries its provenance");
    assert!(back.diagnostics.is_empty());
}

proptest! {
    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_ftm(&bytes[..]);
    }

    #[test]
    fn never_panics_on_json_like_text(s in r#"[{}\[\]":, a-z0-9\n]{0,200}"#) {
        let _ = parse_ftm(s.as_bytes());
    }
}
