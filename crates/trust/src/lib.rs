//! Node identity and what it signs.
//!
//! A node has an Ed25519 identity ([`NodeKeys`]): one current signing key
//! and the keys it rotated away from. After a rotation the old key still
//! verifies during a window (partners and auditors catch up), and its
//! public half is kept afterwards so that what it signed in its time stays
//! verifiable; its secret half is dropped when the window ends.
//!
//! Everything signed is domain-separated ([`Purpose`]): a signature made for
//! an audit checkpoint can never pass as a federation message.
//!
//! Pure: no I/O, no clock, no randomness of its own. The caller passes the
//! time and the 32 random bytes a new key is made from, and stores the
//! identity's text ([`NodeKeys::to_text`]) where it likes (the server keeps
//! it in a 0600 file beside the pepper).

mod checkpoint;
mod hexs;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use hexs::{from_hex, to_hex};

/// Errors of identity files, keys and signatures.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrustError {
    #[error("identity: field `{field}`: {reason}")]
    BadIdentity { field: String, reason: String },
    #[error("node id `{0}`: use 1 to 32 characters a-z, 0-9 and -")]
    BadNodeId(String),
    #[error("key {key_id} is not among the trusted keys of node {node}")]
    UnknownKey { node: String, key_id: String },
    #[error("key {key_id} was not valid at {at}")]
    KeyNotValidAt { key_id: String, at: String },
    #[error("{what}: the signature does not verify")]
    BadSignature { what: String },
    #[error("{what}: field `{field}`: {reason}")]
    Malformed {
        what: String,
        field: String,
        reason: String,
    },
}

/// What a signature is for; part of every signed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    AuditCheckpoint,
    FederationMessage,
}

impl Purpose {
    fn tag(self) -> &'static [u8] {
        match self {
            Purpose::AuditCheckpoint => b"tansiq/v1/audit-checkpoint\n",
            Purpose::FederationMessage => b"tansiq/v1/federation-message\n",
        }
    }
}

fn framed(purpose: Purpose, msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(purpose.tag().len() + msg.len());
    out.extend_from_slice(purpose.tag());
    out.extend_from_slice(msg);
    out
}

/// The public half of one identity key, as published to partners and kept
/// by auditors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// The first 16 hex digits of SHA-256 of the key: how signatures name it.
    pub key_id: String,
    /// The 32-byte Ed25519 public key, hex.
    pub public_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Set once the key was rotated away from: it verifies what was signed
    /// until then, nothing after.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub retire_after: Option<OffsetDateTime>,
}

impl PublicKey {
    fn verifying(&self) -> Result<VerifyingKey, TrustError> {
        let bytes: [u8; 32] = from_hex(&self.public_key)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| TrustError::Malformed {
                what: format!("key {}", self.key_id),
                field: "public_key".into(),
                reason: "not 64 hex digits".into(),
            })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| TrustError::Malformed {
            what: format!("key {}", self.key_id),
            field: "public_key".into(),
            reason: "not an Ed25519 point".into(),
        })
    }

    /// Checks that the key is an Ed25519 point and that `key_id` names it
    /// (a key received from elsewhere, before it is trusted).
    pub fn check(&self) -> Result<(), TrustError> {
        let v = self.verifying()?;
        if key_id(&v.to_bytes()) != self.key_id {
            return Err(TrustError::Malformed {
                what: format!("key {}", self.key_id),
                field: "key_id".into(),
                reason: "does not match the public key".into(),
            });
        }
        Ok(())
    }

    /// Whether this key may have signed something at `at`.
    pub fn valid_at(&self, at: OffsetDateTime) -> bool {
        at >= self.created && self.retire_after.is_none_or(|r| at <= r)
    }
}

/// The key id of an Ed25519 public key.
pub fn key_id(public: &[u8; 32]) -> String {
    to_hex(&Sha256::digest(public))[..16].to_string()
}

/// A signature and the key that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub key_id: String,
    /// 64 bytes, hex.
    pub signature: String,
}

#[derive(Clone)]
struct Key {
    /// `None` once the rotation window is over: only verifies.
    signing: Option<SigningKey>,
    public: PublicKey,
}

/// A node's identity: its id and its keys, newest first.
#[derive(Clone)]
pub struct NodeKeys {
    node: String,
    keys: Vec<Key>,
}

impl std::fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeKeys")
            .field("node", &self.node)
            .field(
                "keys",
                &self.keys.iter().map(|k| &k.public).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityFile {
    format: String,
    node: String,
    keys: Vec<KeyFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    /// The 32-byte secret seed, hex; absent for a fully retired key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(flatten)]
    public: PublicKey,
}

const FORMAT: &str = "tansiq-node-identity/1";

/// Checks a node id: 1 to 32 of `a-z`, `0-9`, `-`.
pub fn check_node_id(node: &str) -> Result<(), TrustError> {
    let ok = !node.is_empty()
        && node.len() <= 32
        && node
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(TrustError::BadNodeId(node.to_string()))
    }
}

fn new_key(seed: [u8; 32], now: OffsetDateTime) -> Key {
    let signing = SigningKey::from_bytes(&seed);
    let public = signing.verifying_key().to_bytes();
    Key {
        public: PublicKey {
            key_id: key_id(&public),
            public_key: to_hex(&public),
            created: now,
            retire_after: None,
        },
        signing: Some(signing),
    }
}

impl NodeKeys {
    /// A new identity whose first key is made from `seed` (32 random bytes
    /// from the caller's CSPRNG).
    pub fn generate(
        node: &str,
        seed: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<NodeKeys, TrustError> {
        check_node_id(node)?;
        Ok(NodeKeys {
            node: node.to_string(),
            keys: vec![new_key(seed, now)],
        })
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// The key that signs now.
    pub fn current(&self) -> &PublicKey {
        &self.keys[0].public
    }

    /// Every key's public half, newest first, retired ones included (they
    /// verify what they signed in their time).
    pub fn public_keys(&self) -> Vec<PublicKey> {
        self.keys.iter().map(|k| k.public.clone()).collect()
    }

    /// Starts using a new key made from `seed`. The current key stays
    /// valid for `window` more (partners learn the new one meanwhile);
    /// secrets of keys whose window has ended are dropped.
    pub fn rotate(&mut self, seed: [u8; 32], now: OffsetDateTime, window: time::Duration) {
        if let Some(k) = self.keys.first_mut() {
            k.public.retire_after = Some(now + window);
        }
        for k in &mut self.keys {
            if k.public.retire_after.is_some_and(|r| r < now) {
                k.signing = None;
            }
        }
        self.keys.insert(0, new_key(seed, now));
    }

    /// Drops the secrets of keys whose rotation window ended before `now`;
    /// returns whether anything changed (the caller then saves the file).
    pub fn forget_retired_secrets(&mut self, now: OffsetDateTime) -> bool {
        let mut changed = false;
        for k in &mut self.keys {
            if k.signing.is_some() && k.public.retire_after.is_some_and(|r| r < now) {
                k.signing = None;
                changed = true;
            }
        }
        changed
    }

    /// The newest key before the current one that still holds its secret
    /// and is valid at `now`: during a rotation window, the key partners
    /// already trust, which can vouch for the new one.
    pub fn previous(&self, now: OffsetDateTime) -> Option<&PublicKey> {
        self.keys
            .iter()
            .skip(1)
            .find(|k| k.signing.is_some() && k.public.valid_at(now))
            .map(|k| &k.public)
    }

    /// Signs `msg` for `purpose` with the key `key_id` (current or still
    /// holding its secret); `None` when this identity cannot sign with it.
    pub fn sign_with(&self, key_id: &str, purpose: Purpose, msg: &[u8]) -> Option<Signed> {
        let key = self.keys.iter().find(|k| k.public.key_id == key_id)?;
        let sig: Signature = key.signing.as_ref()?.sign(&framed(purpose, msg));
        Some(Signed {
            key_id: key.public.key_id.clone(),
            signature: to_hex(&sig.to_bytes()),
        })
    }

    /// Signs `msg` for `purpose` with the current key.
    pub fn sign(&self, purpose: Purpose, msg: &[u8]) -> Signed {
        let key = &self.keys[0];
        let signing = key
            .signing
            .as_ref()
            .expect("the current key always has its secret");
        let sig: Signature = signing.sign(&framed(purpose, msg));
        Signed {
            key_id: key.public.key_id.clone(),
            signature: to_hex(&sig.to_bytes()),
        }
    }

    /// The identity as text (JSON) for its file. It holds secrets: the
    /// caller writes it readable by the node only.
    pub fn to_text(&self) -> String {
        let file = IdentityFile {
            format: FORMAT.into(),
            node: self.node.clone(),
            keys: self
                .keys
                .iter()
                .map(|k| KeyFile {
                    secret: k.signing.as_ref().map(|s| to_hex(&s.to_bytes())),
                    public: k.public.clone(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&file).expect("an identity always serialises") + "\n"
    }

    /// Reads an identity written by [`NodeKeys::to_text`], checking that
    /// each secret matches its public key and id.
    pub fn from_text(text: &str) -> Result<NodeKeys, TrustError> {
        let bad = |field: &str, reason: String| TrustError::BadIdentity {
            field: field.to_string(),
            reason,
        };
        let file: IdentityFile =
            serde_json::from_str(text).map_err(|e| bad("(file)", e.to_string()))?;
        if file.format != FORMAT {
            return Err(bad(
                "format",
                format!("expected {FORMAT}, found {}", file.format),
            ));
        }
        check_node_id(&file.node)?;
        if file.keys.is_empty() {
            return Err(bad("keys", "no key".into()));
        }
        let mut keys = Vec::with_capacity(file.keys.len());
        for (i, k) in file.keys.into_iter().enumerate() {
            let field = |f: &str| format!("keys[{i}].{f}");
            let verifying = k.public.verifying()?;
            if key_id(&verifying.to_bytes()) != k.public.key_id {
                return Err(bad(
                    &field("key_id"),
                    "does not match the public key".into(),
                ));
            }
            let signing = match k.secret {
                Some(hex) => {
                    let seed: [u8; 32] = from_hex(&hex)
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| bad(&field("secret"), "not 64 hex digits".into()))?;
                    let s = SigningKey::from_bytes(&seed);
                    if s.verifying_key() != verifying {
                        return Err(bad(
                            &field("secret"),
                            "does not match the public key".into(),
                        ));
                    }
                    Some(s)
                }
                None if i == 0 => {
                    return Err(bad(
                        &field("secret"),
                        "the current key has no secret".into(),
                    ));
                }
                None => None,
            };
            keys.push(Key {
                signing,
                public: k.public,
            });
        }
        Ok(NodeKeys {
            node: file.node,
            keys,
        })
    }
}

/// Verifies that `signed` over `msg` for `purpose` was made by one of
/// `trusted` (the keys of `node`) while that key was valid at `at`.
pub fn verify(
    node: &str,
    trusted: &[PublicKey],
    purpose: Purpose,
    msg: &[u8],
    signed: &Signed,
    at: OffsetDateTime,
    what: &str,
) -> Result<(), TrustError> {
    let key = trusted
        .iter()
        .find(|k| k.key_id == signed.key_id)
        .ok_or_else(|| TrustError::UnknownKey {
            node: node.to_string(),
            key_id: signed.key_id.clone(),
        })?;
    if !key.valid_at(at) {
        return Err(TrustError::KeyNotValidAt {
            key_id: key.key_id.clone(),
            at: at.format(&Rfc3339).unwrap_or_default(),
        });
    }
    let sig: [u8; 64] = from_hex(&signed.signature)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| TrustError::Malformed {
            what: what.to_string(),
            field: "signature".into(),
            reason: "not 128 hex digits".into(),
        })?;
    key.verifying()?
        .verify(&framed(purpose, msg), &Signature::from_bytes(&sig))
        .map_err(|_| TrustError::BadSignature {
            what: what.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-01 10:00 UTC);

    fn keys() -> NodeKeys {
        NodeKeys::generate("dz", [7; 32], T0).unwrap()
    }

    #[test]
    fn signs_and_verifies_with_domain_separation() {
        let k = keys();
        let s = k.sign(Purpose::AuditCheckpoint, b"head 42");
        let trusted = k.public_keys();
        verify(
            "dz",
            &trusted,
            Purpose::AuditCheckpoint,
            b"head 42",
            &s,
            T0,
            "x",
        )
        .unwrap();
        assert!(matches!(
            verify(
                "dz",
                &trusted,
                Purpose::AuditCheckpoint,
                b"head 43",
                &s,
                T0,
                "x"
            ),
            Err(TrustError::BadSignature { .. })
        ));
        assert!(matches!(
            verify(
                "dz",
                &trusted,
                Purpose::FederationMessage,
                b"head 42",
                &s,
                T0,
                "x"
            ),
            Err(TrustError::BadSignature { .. })
        ));
        let other = NodeKeys::generate("tn", [8; 32], T0).unwrap();
        assert!(matches!(
            verify(
                "dz",
                &other.public_keys(),
                Purpose::AuditCheckpoint,
                b"head 42",
                &s,
                T0,
                "x"
            ),
            Err(TrustError::UnknownKey { .. })
        ));
    }

    #[test]
    fn text_round_trip_and_tampering() {
        let k = keys();
        let text = k.to_text();
        let back = NodeKeys::from_text(&text).unwrap();
        assert_eq!(back.public_keys(), k.public_keys());
        assert_eq!(back.to_text(), text);
        // A secret that does not belong to the public key is refused.
        let other = to_hex(&[9u8; 32]);
        let secret = to_hex(&[7u8; 32]);
        let forged = text.replace(&secret, &other);
        assert!(matches!(
            NodeKeys::from_text(&forged),
            Err(TrustError::BadIdentity { field, .. }) if field == "keys[0].secret"
        ));
        assert!(NodeKeys::from_text("{}").is_err());
    }

    #[test]
    fn rotation_keeps_old_signatures_verifiable_in_their_time() {
        let mut k = keys();
        let old = k.sign(Purpose::FederationMessage, b"m1");
        let t1 = T0 + time::Duration::days(30);
        k.rotate([8; 32], t1, time::Duration::days(7));
        assert_ne!(k.current().key_id, old.key_id);
        let trusted = k.public_keys();
        assert_eq!(trusted.len(), 2);
        // Signed before the rotation, checked at its signing time: valid.
        verify(
            "dz",
            &trusted,
            Purpose::FederationMessage,
            b"m1",
            &old,
            T0,
            "m",
        )
        .unwrap();
        // The old key claims a time after its window: refused.
        let late = t1 + time::Duration::days(8);
        assert!(matches!(
            verify(
                "dz",
                &trusted,
                Purpose::FederationMessage,
                b"m1",
                &old,
                late,
                "m"
            ),
            Err(TrustError::KeyNotValidAt { .. })
        ));
        // After the window the secret is dropped, the public half stays.
        assert!(k.forget_retired_secrets(late));
        let back = NodeKeys::from_text(&k.to_text()).unwrap();
        assert_eq!(back.public_keys().len(), 2);
        assert!(!back.to_text().contains(&to_hex(&[7u8; 32])));
        let new = back.sign(Purpose::FederationMessage, b"m2");
        verify(
            "dz",
            &trusted,
            Purpose::FederationMessage,
            b"m2",
            &new,
            late,
            "m",
        )
        .unwrap();
    }

    #[test]
    fn the_previous_key_signs_during_its_window_only() {
        let mut k = keys();
        assert_eq!(k.previous(T0), None);
        let old = k.current().key_id.clone();
        let t1 = T0 + time::Duration::days(1);
        k.rotate([8; 32], t1, time::Duration::days(7));
        let prev = k
            .previous(t1)
            .expect("the old key is in its window")
            .clone();
        assert_eq!(prev.key_id, old);
        let s = k
            .sign_with(&old, Purpose::FederationMessage, b"announce")
            .unwrap();
        assert_eq!(s.key_id, old);
        verify(
            "dz",
            &k.public_keys(),
            Purpose::FederationMessage,
            b"announce",
            &s,
            t1,
            "m",
        )
        .unwrap();
        assert!(
            k.sign_with("0000", Purpose::FederationMessage, b"x")
                .is_none()
        );
        let late = t1 + time::Duration::days(8);
        assert_eq!(k.previous(late), None, "outside its window");
        k.forget_retired_secrets(late);
        assert!(
            k.sign_with(&old, Purpose::FederationMessage, b"x")
                .is_none()
        );
        for p in k.public_keys() {
            p.check().unwrap();
        }
        let mut bad = k.current().clone();
        bad.key_id = "0123456789abcdef".into();
        assert!(bad.check().is_err());
    }

    #[test]
    fn node_ids_are_checked() {
        assert!(NodeKeys::generate("", [1; 32], T0).is_err());
        assert!(NodeKeys::generate("DZ", [1; 32], T0).is_err());
        assert!(NodeKeys::generate("dz-2", [1; 32], T0).is_ok());
    }
}
