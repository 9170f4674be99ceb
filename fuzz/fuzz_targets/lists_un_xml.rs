#![no_main]
//! The UN XML parser must never panic, and every entity it returns has a
//! name and an id.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = tansiq_lists::parse_un_xml(data) {
        for e in &list.entities {
            assert!(!e.id.is_empty());
            assert!(!e.names().is_empty());
        }
    }
});
