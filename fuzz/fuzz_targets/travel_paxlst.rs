#![no_main]
//! The PAXLST parser must never panic, and what it reads must be writable
//! again.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ic) = tansiq_travel::parse_paxlst(data) {
        let _ = ic.travellers().count();
        let _ = tansiq_travel::write_paxlst(&ic);
    }
});
