#![no_main]
//! The OFAC CSV parser must never panic. The input is split in two at its
//! first byte's value so that alt.csv is fuzzed too.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (sdn, alt) = data.split_at(split);
    if let Ok(list) = tansiq_lists::parse_ofac(sdn, Some(alt), None::<&[u8]>) {
        for e in &list.entities {
            assert!(e.id.starts_with("ofac-"));
        }
    }
});
