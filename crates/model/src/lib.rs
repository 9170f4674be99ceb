//! The domain model of tansiq: watchlist entities compatible with
//! [FollowTheMoney](https://followthemoney.tech) plus what a national node adds
//! (provenance, legal basis, action on hit, sharing policy, validity, status).
//!
//! Design decision: an [`Entity`] keeps FollowTheMoney's open property bag
//! (`property name -> [values]`) instead of one typed field per property. That
//! keeps every list format and every FtM export loadable without loss, at the
//! price of typed access going through accessors ([`Entity::names`],
//! [`Entity::birth_dates`], …) that parse on demand. What tansiq itself adds is
//! typed, because the product's rules (sharing, validity, action on hit) act
//! on it.
//!
//! ```
//! use tansiq_model::{Entity, Schema, prop};
//! let e: Entity = serde_json::from_str(
//!     r#"{"id":"x1","schema":"Person","properties":{"name":["Karim Haddad"],"birthDate":["1971-03"]}}"#,
//! ).unwrap();
//! assert_eq!(e.schema, Schema::Person);
//! assert_eq!(e.first(prop::NAME), Some("Karim Haddad"));
//! assert_eq!(e.birth_dates()[0].to_string(), "1971-03");
//! ```
//!
//! **Architecture invariant:** this crate does no I/O and reads no clock.

pub mod country;
mod date;
mod entity;

pub use date::PartialDate;
pub use entity::{
    ActionOnHit, Applies, DocumentKind, DocumentRef, Entity, EntryStatus, FederationShare,
    LegalBasis, Measures, NameKind, NameRef, Properties, Provenance, Schema, SharingPolicy,
    Validity, Visibility, normalize_document_number,
};

/// FollowTheMoney property names used by tansiq.
pub mod prop {
    pub const NAME: &str = "name";
    pub const ALIAS: &str = "alias";
    pub const WEAK_ALIAS: &str = "weakAlias";
    pub const PREVIOUS_NAME: &str = "previousName";
    pub const FIRST_NAME: &str = "firstName";
    pub const SECOND_NAME: &str = "secondName";
    pub const MIDDLE_NAME: &str = "middleName";
    pub const FATHER_NAME: &str = "fatherName";
    pub const LAST_NAME: &str = "lastName";
    pub const TITLE: &str = "title";
    pub const BIRTH_DATE: &str = "birthDate";
    pub const BIRTH_PLACE: &str = "birthPlace";
    pub const NATIONALITY: &str = "nationality";
    pub const CITIZENSHIP: &str = "citizenship";
    pub const COUNTRY: &str = "country";
    pub const GENDER: &str = "gender";
    pub const PASSPORT_NUMBER: &str = "passportNumber";
    pub const ID_NUMBER: &str = "idNumber";
    pub const REGISTRATION_NUMBER: &str = "registrationNumber";
    pub const IMO_NUMBER: &str = "imoNumber";
    pub const ADDRESS: &str = "address";
    pub const NOTES: &str = "notes";
    pub const POSITION: &str = "position";
    pub const TOPICS: &str = "topics";
}

/// Errors of the domain model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("invalid date {value:?}: {reason}")]
    InvalidDate { value: String, reason: &'static str },
    #[error(
        "unknown schema {0:?} (expected Person, Organization, LegalEntity, Company, Vessel or Airplane)"
    )]
    UnknownSchema(String),
}
