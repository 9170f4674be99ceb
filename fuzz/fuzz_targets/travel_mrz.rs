#![no_main]
//! The MRZ parser must never panic: any bytes, split into lines, give
//! either `Err(NotMrz)` or a decoded MRZ whose traveller and re-encoding
//! can be built.

use libfuzzer_sys::fuzz_target;
use tansiq_travel::PartialDate;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = PartialDate::ymd(2026, 11, 29).expect("valid date");
    if let Ok(mrz) = tansiq_travel::parse_mrz_text(&text, today) {
        let _ = mrz.traveller();
        let _ = mrz.to_lines();
        let _ = mrz.all_checks_pass();
    }
});
