//! Travel documents and passenger manifests: ICAO Doc 9303 machine readable
//! zones ([`parse_mrz`]), UN/EDIFACT PAXLST advance passenger information,
//! and CSV manifests, all turned into [`Traveller`]s for screening.
//!
//! Design decision: parsing never fails on what a border sees every day. A
//! wrong check digit, an impossible date, an OCR confusion corrected, a
//! passenger record without a name: each is a [`Diagnostic`] or a
//! [`CheckResult`] with its position, and the rest of the document or
//! manifest is still read. `Err` is kept for input that is not the format
//! at all. The trade-off is that callers must look at the diagnostics
//! before trusting a value; [`Mrz::all_checks_pass`] makes the common case
//! one call.
//!
//! The crate is pure: no I/O and no clock. Two-digit years are resolved
//! against a `today` the caller passes.
//!
//! ```
//! use tansiq_model::PartialDate;
//! use tansiq_travel::{MrzField, parse_mrz};
//!
//! let today = PartialDate::ymd(2026, 11, 29).unwrap();
//! let mrz = parse_mrz(
//!     &[
//!         "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
//!         "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
//!     ],
//!     today,
//! )
//! .unwrap();
//! assert!(mrz.all_checks_pass());
//! let t = mrz.traveller();
//! assert_eq!(t.full_name(), "ANNA MARIA ERIKSSON");
//! assert_eq!(t.birth_date.unwrap().to_string(), "1974-08-12");
//!
//! // One wrong digit in the date of birth: reported against that field.
//! let bad = parse_mrz(
//!     &[
//!         "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
//!         "L898902C36UTO7408132F1204159ZE184226B<<<<<10",
//!     ],
//!     today,
//! )
//! .unwrap();
//! let failed: Vec<MrzField> = bad.failed_checks().map(|c| c.field).collect();
//! assert_eq!(failed, [MrzField::BirthDate, MrzField::Composite]);
//! ```
//!
//! A manifest: two travellers, one without a name. The faulty record is
//! reported and kept; the control count is checked.
//!
//! ```
//! use tansiq_travel::parse_paxlst;
//!
//! let edi = "UNA:+.? '\
//!     UNB+UNOA:4+AIR+GOV+261129:0600+7'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'\
//!     TDT+20+TQ100+++TQ'LOC+125+UTA'DTM+189:2611290815:201'LOC+87+UTB'\
//!     NAD+FL+++O?'TESTER:PAT'ATT+2++F'DTM+329:800228'DOC+P+X1234567'NAD+FL'\
//!     CNT+42:3'UNT+13+1'UNZ+1+7'";
//! let ic = parse_paxlst(edi.as_bytes()).unwrap();
//! assert_eq!(ic.passenger_count(), 2);
//! let pat = &ic.messages[0].travellers[0].traveller;
//! assert_eq!(pat.full_name(), "PAT O'TESTER");
//! assert_eq!(pat.birth_date.unwrap().to_string(), "1980-02-28");
//! let codes: Vec<&str> = ic.diagnostics.iter().map(|d| d.code).collect();
//! assert_eq!(codes, ["paxlst.traveller_name", "paxlst.cnt_mismatch"]);
//! println!("{}", ic.diagnostics[1]); // error[paxlst.cnt_mismatch] segment 13 (CNT, line 1), element 1, component 2: …
//! ```
//!
//! Known gaps (see the tests for what is covered):
//! - Doc 9303 Part 3 Arabic: TEH MARBUTA is read and written `XTA`/`XAH`
//!   (ICAO NTWG report), WAW WITH HAMZA written `U` but read as `U` or `XW`;
//!   the shared extracted table has not been checked row by row against
//!   the ICAO PDF. Latin national characters (Ä → AE…) are the caller's job
//!   when encoding.
//! - EDIFACT: repeating elements are not split (see [`edifact`]); the
//!   PAXLST reader ignores addresses, contact details and free text.
//!
//! **Architecture invariant:** this crate does no I/O and reads no clock.

mod arabic;
mod csv_manifest;
mod diag;
pub mod edifact;
mod mrz;
mod paxlst;
mod sample;
mod traveller;

pub use arabic::{ArabicForms, arabic_letter_to_mrz, arabic_to_mrz, decode_arabic_mrz_name};
pub use csv_manifest::{
    MANIFEST_CSV_HEADER, Manifest, ManifestFormat, parse_manifest, parse_manifest_csv,
    write_manifest_csv,
};
pub use diag::{Diagnostic, Location, Severity};
pub use mrz::{
    CheckResult, Mrz, MrzDate, MrzField, MrzFields, MrzFormat, char_value, check_digit, encode_mrz,
    mrz_date, mrz_name, parse_mrz, parse_mrz_text,
};
pub use paxlst::{
    Flight, Interchange, Leg, ListKind, ManifestTraveller, Message, Reference, Role, Stop,
    parse_paxlst, write_paxlst,
};
pub use sample::synthetic_interchange;
/// Dates on documents and manifests, re-exported for callers that build
/// `today` without depending on the model crate.
pub use tansiq_model::PartialDate;
pub use tansiq_model::country::{Country, iso2_to_iso3, iso3_to_iso2};
pub use traveller::{DocumentKind, NameForm, ScreeningName, Sex, TravelDocument, Traveller};

/// Errors of the travel crate: the input is not the format asked for, or a
/// writer was given fields that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TravelError {
    #[error("not a machine readable zone: {reason}")]
    NotMrz { reason: String },
    #[error("not a UN/EDIFACT PAXLST interchange: {reason}")]
    NotPaxlst { reason: String },
    #[error("not a CSV manifest: {reason}")]
    NotCsvManifest { reason: String },
    #[error("cannot write the MRZ {field}: {reason}")]
    Encode { field: &'static str, reason: String },
}
