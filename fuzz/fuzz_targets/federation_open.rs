#![no_main]
//! A partner's message is outside input. Whatever body a (validly
//! signing) partner sends, opening it never panics: it is a verified
//! envelope or a typed error. A second pass with the signature of another
//! key is always refused.

use libfuzzer_sys::fuzz_target;
use tansiq_federation::{Sealed, open};
use tansiq_trust::{NodeKeys, Purpose};
use time::macros::datetime;

fn seal_body(keys: &NodeKeys, body: String) -> Sealed {
    let signed = keys.sign(Purpose::FederationMessage, body.as_bytes());
    Sealed {
        body,
        key_id: signed.key_id,
        signature: signed.signature,
    }
}

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data).into_owned();
    let sender = NodeKeys::generate("tn", [7; 32], datetime!(2020-01-01 0:00 UTC)).expect("keys");
    let sealed: Sealed = seal_body(&sender, body.clone());
    let trusted = sender.public_keys();
    let _ = open(&sealed, "dz", |from| (from == "tn").then(|| trusted.clone()));
    let other = NodeKeys::generate("tn", [8; 32], datetime!(2020-01-01 0:00 UTC)).expect("keys");
    let forged = seal_body(&other, body);
    assert!(open(&forged, "dz", |from| (from == "tn").then(|| trusted.clone())).is_err());
});
