//! Versioned envelopes and their signed wire form.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tansiq_model::{ActionOnHit, Entity};
use tansiq_trust::{NodeKeys, PublicKey, Purpose, Signed, to_hex, verify};
use time::OffsetDateTime;

use crate::FedError;

/// The envelope version this code writes and reads.
pub const VERSION: u32 = 1;

/// One message from node `from` to node `to`.
///
/// Sequenced messages (replication, hit notifications, acknowledgements,
/// follow-ups) carry `seq`: 1, 2, 3, … per (from, to), without holes.
/// Synchronous ones (a hit/no-hit check and its answer) carry none; they
/// are answered in the same HTTP exchange and never retried blindly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub payload: Payload,
}

impl Envelope {
    pub fn new(
        from: &str,
        to: &str,
        seq: Option<u64>,
        sent_at: OffsetDateTime,
        payload: Payload,
    ) -> Envelope {
        Envelope {
            v: VERSION,
            from: from.to_string(),
            to: to.to_string(),
            seq,
            sent_at,
            payload,
        }
    }
}

/// What a message says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Payload {
    /// A read-only copy of an entry the sender originates, new or changed.
    EntryUpsert { entity: Box<Entity> },
    /// The sender's entry no longer reaches the receiver (withdrawn, or
    /// no longer shared): the receiver drops its copy.
    EntryRemove { id: String, reason: String },
    /// A hit on the receiver's entry, seen at the sender.
    Hit(HitNotice),
    /// The originator received the hit notice `hit_id`.
    HitAck { hit_id: String },
    /// A message in the follow-up thread of hit `hit_id`.
    FollowUp(FollowUp),
    /// The sender's identity keys after a rotation, newest first. Signed
    /// by a key the receiver already trusts (the previous one, inside its
    /// rotation window), so the receiver can take the new one on its word
    /// ([`crate::merge_announced`]).
    KeyAnnouncement { keys: Vec<PublicKey> },
    /// A border check asking the originator whether a traveller matches
    /// any of its hit/no-hit entries (synchronous, not sequenced).
    Check {
        request_id: String,
        traveller: Traveller,
    },
    /// The originator's answer to [`Payload::Check`] (synchronous).
    CheckAnswer {
        request_id: String,
        answer: CheckAnswer,
    },
}

impl Payload {
    /// A short name of the kind of payload (logs, audit, metrics).
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::EntryUpsert { .. } => "entry-upsert",
            Payload::EntryRemove { .. } => "entry-remove",
            Payload::Hit(_) => "hit",
            Payload::HitAck { .. } => "hit-ack",
            Payload::FollowUp(_) => "follow-up",
            Payload::KeyAnnouncement { .. } => "key-announcement",
            Payload::Check { .. } => "check",
            Payload::CheckAnswer { .. } => "check-answer",
        }
    }

    /// Whether the payload travels sequenced through outbox and inbox.
    pub fn is_sequenced(&self) -> bool {
        !matches!(self, Payload::Check { .. } | Payload::CheckAnswer { .. })
    }
}

/// The answer to a hit/no-hit check: never the entry itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum CheckAnswer {
    NoHit,
    Hit {
        /// The originator's reference for the entry (its id there).
        reference: String,
        action: Option<ActionOnHit>,
        score: f64,
    },
}

/// The traveller data a check or hit notice carries: only the fields the
/// agreement names are filled (see [`crate::Agreement::minimise`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traveller {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
}

/// How the hit came about at the sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HitVia {
    /// Screening against the sender's full copy of the entry.
    LocalCopy,
    /// A hit/no-hit check answered by the originator.
    HitNoHit,
}

/// A hit on a foreign entry, told to the entry's originator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitNotice {
    /// Unique at the sender (`<sender>:<id>`); the originator keeps each
    /// hit once under it.
    pub hit_id: String,
    /// The originator's id of the entry.
    pub reference: String,
    pub action: Option<ActionOnHit>,
    pub via: HitVia,
    pub traveller: Traveller,
    pub score: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub screened_at: OffsetDateTime,
}

/// One message of a follow-up thread between contact points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub hit_id: String,
    /// Unique at the sender.
    pub message_id: String,
    pub kind: FollowUpKind,
    pub text: String,
    /// The contact point who wrote it (user id at the sender).
    pub author: String,
}

/// What a follow-up message does in its thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpKind {
    /// Asks the originator for supplementary information.
    Request,
    /// The originator's contact point answers (approves or refuses).
    Answer,
    /// How the case ended; closes the thread.
    Outcome,
}

impl FollowUpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Request => "request",
            FollowUpKind::Answer => "answer",
            FollowUpKind::Outcome => "outcome",
        }
    }
}

/// The wire form: the envelope's JSON exactly as signed, and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub body: String,
    pub key_id: String,
    pub signature: String,
}

/// Signs `envelope` with the node's current key.
pub fn seal(keys: &NodeKeys, envelope: &Envelope) -> Sealed {
    let body = serde_json::to_string(envelope).expect("an envelope always serialises");
    let Signed { key_id, signature } = keys.sign(Purpose::FederationMessage, body.as_bytes());
    Sealed {
        body,
        key_id,
        signature,
    }
}

/// Signs `envelope` with the key `key_id` of the node (one still holding
/// its secret, e.g. the previous key during a rotation window); `None`
/// when the identity cannot sign with it.
pub fn seal_with(keys: &NodeKeys, key_id: &str, envelope: &Envelope) -> Option<Sealed> {
    let body = serde_json::to_string(envelope).expect("an envelope always serialises");
    let Signed { key_id, signature } =
        keys.sign_with(key_id, Purpose::FederationMessage, body.as_bytes())?;
    Some(Sealed {
        body,
        key_id,
        signature,
    })
}

/// The keys to trust for a partner after it announced `announced`: each
/// announced key checked (an Ed25519 point named by its id), newest
/// first, then every key known before and not announced (it still
/// verifies what it signed in its time). A key id already known must keep
/// its public key.
pub fn merge_announced(
    known: &[PublicKey],
    announced: &[PublicKey],
) -> Result<Vec<PublicKey>, FedError> {
    if announced.is_empty() {
        return Err(FedError::Malformed {
            field: "payload.keys".into(),
            reason: "an announcement names at least one key".into(),
        });
    }
    let mut out: Vec<PublicKey> = Vec::with_capacity(announced.len() + known.len());
    for (i, k) in announced.iter().enumerate() {
        k.check().map_err(|e| FedError::Malformed {
            field: format!("payload.keys[{i}]"),
            reason: e.to_string(),
        })?;
        if known
            .iter()
            .any(|o| o.key_id == k.key_id && o.public_key != k.public_key)
        {
            return Err(FedError::Malformed {
                field: format!("payload.keys[{i}]"),
                reason: format!("key {} is known with another public key", k.key_id),
            });
        }
        if !out.iter().any(|o| o.key_id == k.key_id) {
            out.push(k.clone());
        }
    }
    for k in known {
        if !out.iter().any(|o| o.key_id == k.key_id) {
            out.push(k.clone());
        }
    }
    Ok(out)
}

/// A verified message and the digest of its body (what deduplication keys
/// on).
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub envelope: Envelope,
    /// SHA-256 of the body, hex.
    pub digest: String,
}

/// Reads and verifies a sealed message addressed to `me`. `keys_of` gives
/// the registered public keys of a partner (`None`: not a partner).
pub fn open(
    sealed: &Sealed,
    me: &str,
    keys_of: impl FnOnce(&str) -> Option<Vec<PublicKey>>,
) -> Result<Opened, FedError> {
    #[derive(Deserialize)]
    struct Head {
        v: u32,
        from: String,
        to: String,
    }
    let head: Head = serde_json::from_str(&sealed.body).map_err(|e| FedError::Malformed {
        field: "body".into(),
        reason: e.to_string(),
    })?;
    if head.v != VERSION {
        return Err(FedError::Version(head.v));
    }
    if head.to != me {
        return Err(FedError::WrongRecipient {
            to: head.to,
            me: me.to_string(),
        });
    }
    let keys = keys_of(&head.from).ok_or_else(|| FedError::UnknownSender(head.from.clone()))?;
    let envelope: Envelope =
        serde_json::from_str(&sealed.body).map_err(|e| FedError::Malformed {
            field: "body".into(),
            reason: e.to_string(),
        })?;
    verify(
        &envelope.from,
        &keys,
        Purpose::FederationMessage,
        sealed.body.as_bytes(),
        &Signed {
            key_id: sealed.key_id.clone(),
            signature: sealed.signature.clone(),
        },
        envelope.sent_at,
        &format!("federation message from {}", envelope.from),
    )?;
    if envelope.payload.is_sequenced() != envelope.seq.is_some() {
        return Err(FedError::Malformed {
            field: "seq".into(),
            reason: if envelope.seq.is_some() {
                "a synchronous message carries no sequence number".into()
            } else {
                "a sequenced message needs a sequence number".into()
            },
        });
    }
    if envelope.seq == Some(0) {
        return Err(FedError::Malformed {
            field: "seq".into(),
            reason: "sequence numbers start at 1".into(),
        });
    }
    let digest = to_hex(&Sha256::digest(sealed.body.as_bytes()));
    Ok(Opened { envelope, digest })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tansiq_trust::TrustError;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-29 10:00 UTC);

    fn dz() -> NodeKeys {
        NodeKeys::generate("dz", [3; 32], T0).unwrap()
    }

    fn ack(seq: u64) -> Envelope {
        Envelope::new(
            "dz",
            "tn",
            Some(seq),
            T0,
            Payload::HitAck {
                hit_id: "tn:h1".into(),
            },
        )
    }

    fn check(sealed: &Sealed, keys: &NodeKeys) -> Result<Opened, FedError> {
        let published = keys.public_keys();
        open(sealed, "tn", |n| (n == "dz").then(|| published.clone()))
    }

    #[test]
    fn a_sealed_message_opens_only_unchanged_from_a_partner_to_its_recipient() {
        let keys = dz();
        let sealed = seal(&keys, &ack(1));
        assert_eq!(check(&sealed, &keys).unwrap().envelope, ack(1));

        let mut tampered = sealed.clone();
        tampered.body = tampered.body.replace("tn:h1", "tn:h2");
        assert!(matches!(
            check(&tampered, &keys),
            Err(FedError::Signature(TrustError::BadSignature { .. }))
        ));

        let other = NodeKeys::generate("dz", [9; 32], T0).unwrap();
        assert!(matches!(
            check(&seal(&other, &ack(1)), &keys),
            Err(FedError::Signature(TrustError::UnknownKey { .. }))
        ));

        let published = keys.public_keys();
        assert_eq!(
            open(&sealed, "eg", |_| Some(published.clone())),
            Err(FedError::WrongRecipient {
                to: "tn".into(),
                me: "eg".into()
            })
        );
        assert_eq!(
            open(&sealed, "tn", |_| None),
            Err(FedError::UnknownSender("dz".into()))
        );
    }

    #[test]
    fn sequence_numbers_match_the_kind_of_payload() {
        let keys = dz();
        let unsequenced =
            Envelope::new("dz", "tn", None, T0, Payload::HitAck { hit_id: "x".into() });
        assert!(matches!(
            check(&seal(&keys, &unsequenced), &keys),
            Err(FedError::Malformed { field, .. }) if field == "seq"
        ));
        assert!(matches!(
            check(&seal(&keys, &ack(0)), &keys),
            Err(FedError::Malformed { field, .. }) if field == "seq"
        ));
    }

    #[test]
    fn a_rotated_key_still_opens_what_it_signed_in_its_window() {
        let mut keys = dz();
        let old = seal(&keys, &ack(1));
        keys.rotate(
            [4; 32],
            T0 + time::Duration::hours(1),
            time::Duration::days(7),
        );
        check(&old, &keys).unwrap();
        let mut later = ack(2);
        later.sent_at = T0 + time::Duration::hours(2);
        check(&seal(&keys, &later), &keys).unwrap();
    }

    #[test]
    fn a_key_announcement_signed_by_the_old_key_opens_and_merges() {
        let mut keys = dz();
        let before = keys.public_keys();
        let t1 = T0 + time::Duration::hours(1);
        keys.rotate([4; 32], t1, time::Duration::days(7));
        let old = keys.previous(t1).unwrap().key_id.clone();
        let env = Envelope::new(
            "dz",
            "tn",
            Some(2),
            t1,
            Payload::KeyAnnouncement {
                keys: keys.public_keys(),
            },
        );
        // The receiver still knows only the old key: it opens.
        let sealed = seal_with(&keys, &old, &env).unwrap();
        let opened = open(&sealed, "tn", |_| Some(before.clone())).unwrap();
        let Payload::KeyAnnouncement { keys: announced } = opened.envelope.payload else {
            panic!("not an announcement");
        };
        let merged = merge_announced(&before, &announced).unwrap();
        assert_eq!(merged, keys.public_keys());
        // Sealed with the new key, the receiver could not have opened it.
        assert!(matches!(
            open(&seal(&keys, &env), "tn", |_| Some(before.clone())),
            Err(FedError::Signature(TrustError::UnknownKey { .. }))
        ));
        // Then messages signed with the new key open with the merged keys.
        let mut later = ack(3);
        later.sent_at = t1 + time::Duration::minutes(1);
        open(&seal(&keys, &later), "tn", |_| Some(merged.clone())).unwrap();
    }

    #[test]
    fn an_announcement_cannot_swap_a_known_key_or_carry_junk() {
        let keys = dz();
        let known = keys.public_keys();
        let mut swapped = known[0].clone();
        swapped.public_key = NodeKeys::generate("dz", [8; 32], T0)
            .unwrap()
            .current()
            .public_key
            .clone();
        assert!(merge_announced(&known, std::slice::from_ref(&swapped)).is_err());
        assert!(merge_announced(&known, &[]).is_err());
        let other = NodeKeys::generate("dz", [8; 32], T0).unwrap();
        let merged = merge_announced(&known, &other.public_keys()).unwrap();
        assert_eq!(merged.len(), 2, "the known key is kept behind the new one");
        assert_eq!(merged[0], other.public_keys()[0]);
    }

    #[test]
    fn another_version_is_refused_before_anything_else() {
        let keys = dz();
        let mut env = ack(1);
        env.v = 2;
        assert_eq!(check(&seal(&keys, &env), &keys), Err(FedError::Version(2)));
    }
}
