#![no_main]
//! The national entries CSV parser must never panic; every entity it keeps
//! has an action on hit (rows without one are refused).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = tansiq_lists::parse_national_csv(data) {
        for e in &list.entities {
            assert!(e.action_on_hit.is_some());
        }
    }
});
