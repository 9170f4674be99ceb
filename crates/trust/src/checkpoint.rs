//! Signed audit checkpoints: the head of the hash-chained audit log
//! (sequence number and hash), signed by the node. Kept outside the
//! database (a file, partners), a checkpoint lets `tansiq audit verify`
//! detect a truncated or rewritten tail, which the chain alone cannot.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{NodeKeys, PublicKey, Purpose, Signed, TrustError, verify};

/// The audit head at a time, as signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub node: String,
    pub seq: i64,
    /// The chain hash of event `seq` (64 hex digits).
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl Checkpoint {
    /// The exact bytes signed: one field a line, time in RFC 3339 UTC.
    pub fn canonical(&self) -> Vec<u8> {
        let at = self
            .at
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default();
        format!("{}\n{}\n{}\n{}\n", self.node, self.seq, self.hash, at).into_bytes()
    }
}

/// A checkpoint with the node's signature, as written to a checkpoint file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    pub key_id: String,
    pub signature: String,
}

impl SignedCheckpoint {
    /// Signs `checkpoint` with the node's current key. The checkpoint's
    /// node must be this identity's.
    pub fn sign(keys: &NodeKeys, checkpoint: Checkpoint) -> Result<SignedCheckpoint, TrustError> {
        if checkpoint.node != keys.node() {
            return Err(TrustError::Malformed {
                what: "checkpoint".into(),
                field: "node".into(),
                reason: format!("{} is not this node ({})", checkpoint.node, keys.node()),
            });
        }
        let Signed { key_id, signature } =
            keys.sign(Purpose::AuditCheckpoint, &checkpoint.canonical());
        Ok(SignedCheckpoint {
            checkpoint,
            key_id,
            signature,
        })
    }

    /// Checks the signature against the node's `trusted` keys (valid at the
    /// checkpoint's time).
    pub fn verify(&self, trusted: &[PublicKey]) -> Result<(), TrustError> {
        verify(
            &self.checkpoint.node,
            trusted,
            Purpose::AuditCheckpoint,
            &self.checkpoint.canonical(),
            &Signed {
                key_id: self.key_id.clone(),
                signature: self.signature.clone(),
            },
            self.checkpoint.at,
            &format!("checkpoint of event {}", self.checkpoint.seq),
        )
    }

    /// The checkpoint as one JSON line (for its file).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint always serialises") + "\n"
    }

    /// Reads a checkpoint file's text.
    pub fn from_json(text: &str) -> Result<SignedCheckpoint, TrustError> {
        serde_json::from_str(text).map_err(|e| TrustError::Malformed {
            what: "checkpoint".into(),
            field: "(file)".into(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn cp(seq: i64) -> Checkpoint {
        Checkpoint {
            node: "dz".into(),
            seq,
            hash: "ab".repeat(32),
            at: datetime!(2026-11-02 08:30:00.123456 UTC),
        }
    }

    #[test]
    fn signed_checkpoint_round_trips_and_detects_every_field_change() {
        let keys = NodeKeys::generate("dz", [3; 32], datetime!(2026-11-01 0:00 UTC)).unwrap();
        let s = SignedCheckpoint::sign(&keys, cp(41)).unwrap();
        let trusted = keys.public_keys();
        let back = SignedCheckpoint::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        back.verify(&trusted).unwrap();

        let mut t = s.clone();
        t.checkpoint.seq = 40;
        assert!(t.verify(&trusted).is_err(), "seq");
        let mut t = s.clone();
        t.checkpoint.hash = "cd".repeat(32);
        assert!(t.verify(&trusted).is_err(), "hash");
        let mut t = s.clone();
        t.checkpoint.node = "tn".into();
        assert!(t.verify(&trusted).is_err(), "node");
        let mut t = s.clone();
        t.checkpoint.at += time::Duration::seconds(1);
        assert!(t.verify(&trusted).is_err(), "at");
        let other = NodeKeys::generate("dz", [4; 32], datetime!(2026-11-01 0:00 UTC)).unwrap();
        assert!(
            s.verify(&other.public_keys()).is_err(),
            "another node's keys"
        );
    }

    #[test]
    fn a_checkpoint_for_another_node_is_not_signed() {
        let keys = NodeKeys::generate("tn", [3; 32], datetime!(2026-11-01 0:00 UTC)).unwrap();
        assert!(SignedCheckpoint::sign(&keys, cp(1)).is_err());
    }
}
