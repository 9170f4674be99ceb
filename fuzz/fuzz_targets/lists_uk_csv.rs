#![no_main]
//! The UK Sanctions List tables parser must never panic, and the subjects
//! linked from what it reads must hold at most one listing per list. The
//! input is split at `\x00` bytes into `subjects.csv` and its four tables
//! (a missing part is a table not given), and a fixed UN listing is
//! linked against what was read.

use libfuzzer_sys::fuzz_target;
use tansiq_lists::UkTables;
use tansiq_lists::subjects::SubjectIndex;
use tansiq_model::{Entity, Schema};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let subjects = parts.next().unwrap_or(&[]);
    let tables = UkTables {
        names: parts.next(),
        dobs: parts.next(),
        countries: parts.next(),
        identifiers: parts.next(),
    };
    if let Ok(list) = tansiq_lists::parse_uk(subjects, tables) {
        let mut un = Entity::new("QDi.1", Schema::Person);
        un.provenance.source = "un-sc".into();
        un.add("unscId", "QDi.1");
        un.add("passportNumber", "A1234567");
        let index = SubjectIndex::build(list.entities.iter().chain([&un]));
        for s in index.subjects() {
            assert!(s.listings.len() <= 2, "{:?}", s.listings);
            assert!(s.listings.iter().any(|id| id == "QDi.1"));
        }
        for e in &list.entities {
            assert!(e.id.starts_with("uk-"));
        }
    }
});
