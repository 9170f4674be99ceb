#![no_main]
//! The CSV manifest parser must never panic, and what it reads must be
//! writable again.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = tansiq_travel::parse_manifest_csv(data) {
        let _ = tansiq_travel::write_manifest_csv(&m);
    }
});
