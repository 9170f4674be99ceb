//! The federation protocol between national nodes, as pure functions and
//! data: what a message between two nodes is ([`Envelope`], [`Payload`]),
//! how it travels signed ([`Sealed`], [`seal`], [`open`]), how a receiver
//! decides whether a sequenced message is applied, a duplicate, a gap or a
//! replay ([`decide`]), and what a sharing agreement lets leave the node
//! ([`Agreement::level`], [`replication`]).
//!
//! Design decision: a message is signed over the exact bytes of its JSON
//! body, and the body travels as a string beside the signature. No
//! canonical re-serialisation is needed on the receiving side (the
//! trade-off: the wire form is JSON inside JSON). Sequenced messages are
//! numbered per (sender, receiver) from 1 without holes, so a receiver
//! needs one number per partner to apply each message exactly once and in
//! order; a sender retries from its oldest unacknowledged message.
//!
//! Pure: no I/O, no clock; the caller passes the time.
//!
//! ```
//! use tansiq_federation::{Envelope, Payload, Sealed, decide, Decision, open, seal};
//! use tansiq_trust::NodeKeys;
//! use time::macros::datetime;
//!
//! let at = datetime!(2026-11-29 10:00 UTC);
//! let dz = NodeKeys::generate("dz", [1; 32], at).unwrap();
//! let env = Envelope::new("dz", "tn", Some(1), at, Payload::HitAck { hit_id: "tn:1".into() });
//! let sealed: Sealed = seal(&dz, &env);
//! let keys = dz.public_keys();
//! let opened = open(&sealed, "tn", |node| (node == "dz").then(|| keys.clone())).unwrap();
//! assert_eq!(opened.envelope, env);
//! assert_eq!(decide(0, None, 1, &opened.digest), Decision::Apply);
//! ```

mod agreement;
mod message;
mod sequence;

pub use agreement::{
    Agreement, Level, Mismatch, Replicate, Rule, TravellerField, check_pair, copy_still_allowed,
    foreign_copy, foreign_id, replication,
};
pub use message::{
    CheckAnswer, Envelope, FollowUp, FollowUpKind, HitNotice, HitVia, Opened, Payload, Sealed,
    Traveller, VERSION, merge_announced, open, seal, seal_with,
};
pub use sequence::{Decision, decide, retry_delay};

/// Errors of the protocol: a message that cannot be accepted, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FedError {
    #[error("federation message: field `{field}`: {reason}")]
    Malformed { field: String, reason: String },
    #[error("federation message from unknown node {0:?}")]
    UnknownSender(String),
    #[error("federation message addressed to {to:?}, but this node is {me:?}")]
    WrongRecipient { to: String, me: String },
    #[error("federation message version {0} is not supported (this node speaks {VERSION})")]
    Version(u32),
    #[error(transparent)]
    Signature(#[from] tansiq_trust::TrustError),
}
