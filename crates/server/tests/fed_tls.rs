//! Mutual TLS on the node-to-node routes: with `[tls] client_ca` set, a
//! partner presenting a client certificate issued by that CA is answered;
//! a client without a certificate is refused on `/fed/v1/...` (officers'
//! routes still answer it); a certificate from another CA fails the
//! handshake. Every certificate is generated here, at test time (rcgen):
//! no key material lives in the repository for this test.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use serde_json::{Value, json};
use support::{Backend, Node};
use tansiq_federation::{CheckAnswer, Envelope, Payload, Sealed, Traveller, open, seal};
use tansiq_server::{Config, SealedDto};
use tansiq_trust::NodeKeys;
use time::OffsetDateTime;

/// A certificate authority with the certificates it issued, as PEM files.
struct Pki {
    ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    partner_cert: PathBuf,
    partner_key: PathBuf,
    /// Issued by an unrelated CA the node does not trust.
    rogue_cert: PathBuf,
    rogue_key: PathBuf,
}

fn new_ca(name: &str) -> (rcgen::Certificate, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert, Issuer::new(params, key))
}

fn leaf(
    issuer: &Issuer<'static, KeyPair>,
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
    dir: &Path,
    file: &str,
) -> (PathBuf, PathBuf) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    let (c, k) = (
        dir.join(format!("{file}.pem")),
        dir.join(format!("{file}.key")),
    );
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c, k)
}

impl Pki {
    fn generate(dir: &Path) -> Pki {
        let (ca_cert, issuer) = new_ca("Fictive Federation CA");
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, ca_cert.pem()).unwrap();
        let (server_cert, server_key) = leaf(
            &issuer,
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
            dir,
            "server",
        );
        let (partner_cert, partner_key) = leaf(
            &issuer,
            &["tn.partner.example"],
            ExtendedKeyUsagePurpose::ClientAuth,
            dir,
            "tn",
        );
        let (_, rogue_issuer) = new_ca("Unrelated CA");
        let (rogue_cert, rogue_key) = leaf(
            &rogue_issuer,
            &["tn.partner.example"],
            ExtendedKeyUsagePurpose::ClientAuth,
            dir,
            "rogue",
        );
        Pki {
            ca,
            server_cert,
            server_key,
            partner_cert,
            partner_key,
            rogue_cert,
            rogue_key,
        }
    }

    /// The partner's federation client: trusts the CA for the node's
    /// server certificate and presents `identity` when given.
    fn client(&self, identity: Option<(&Path, &Path)>) -> reqwest::Client {
        let mut c = Config::default();
        c.federation.ca_file = Some(self.ca.clone());
        c.federation.request_timeout_ms = 10_000;
        if let Some((cert, key)) = identity {
            c.federation.client_cert = Some(cert.to_path_buf());
            c.federation.client_key = Some(key.to_path_buf());
        }
        tansiq_server::federation_client(&c).unwrap()
    }
}

fn check_from(tn: &NodeKeys, to: &str) -> Value {
    let env = Envelope::new(
        "tn",
        to,
        None,
        OffsetDateTime::now_utc(),
        Payload::Check {
            request_id: format!("tn:{}", uuid::Uuid::now_v7()),
            traveller: Traveller {
                name: Some("Nobody Fictive Atall".into()),
                ..Traveller::default()
            },
        },
    );
    serde_json::to_value(SealedDto::from(seal(tn, &env))).unwrap()
}

async fn federation_routes_need_a_partner_certificate(backend: Backend) {
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = Pki::generate(pki_dir.path());
    let node = Node::start_with(backend, |c| {
        c.tls.cert = Some(pki.server_cert.clone());
        c.tls.key = Some(pki.server_key.clone());
        c.tls.client_ca = Some(pki.ca.clone());
    })
    .await;
    assert!(node.base.starts_with("https://"));
    let me = node.state.identity.node().to_string();
    let tn = NodeKeys::generate(
        "tn",
        [5; 32],
        OffsetDateTime::now_utc() - time::Duration::hours(1),
    )
    .unwrap();
    node.store
        .put_partner(
            "tn",
            "https://127.0.0.1:1",
            &tn.public_keys(),
            &Default::default(),
            &Default::default(),
        )
        .await
        .unwrap();
    let check_url = format!("{}/fed/v1/check", node.base);
    let messages_url = format!("{}/fed/v1/messages", node.base);

    // The partner with its certificate is answered, and the answer opens
    // with the node's published keys.
    let partner = pki.client(Some((&pki.partner_cert, &pki.partner_key)));
    let r = partner
        .post(&check_url)
        .json(&check_from(&tn, &me))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: SealedDto = r.json().await.unwrap();
    let published = node.state.identity.public_keys();
    let opened = open(&Sealed::from(answer), "tn", |n| {
        (n == me).then(|| published.clone())
    })
    .unwrap();
    assert!(matches!(
        opened.envelope.payload,
        Payload::CheckAnswer {
            answer: CheckAnswer::NoHit,
            ..
        }
    ));
    let r = partner
        .post(&messages_url)
        .json(&json!({"messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Without a certificate: the TLS connection is made, the node-to-node
    // routes refuse it (even with a valid signature), other routes answer.
    let anonymous = pki.client(None);
    for (url, body) in [
        (&check_url, check_from(&tn, &me)),
        (&messages_url, json!({"messages": []})),
    ] {
        let r = anonymous.post(url).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 401, "{url}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(
            problem["type"], "urn:tansiq:problem:client-certificate-required",
            "{problem}"
        );
    }
    let health = anonymous
        .get(format!("{}/healthz", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "fed.check" && e.outcome == "rejected"),
        "the refusal is audited"
    );

    // A certificate from a CA the node does not trust: no connection.
    let rogue = pki.client(Some((&pki.rogue_cert, &pki.rogue_key)));
    let r = rogue
        .post(&check_url)
        .json(&check_from(&tn, &me))
        .send()
        .await;
    assert!(r.is_err(), "a rogue certificate is refused: {r:?}");

    node.stop().await;
}

on_both_backends!(federation_routes_need_a_partner_certificate);
