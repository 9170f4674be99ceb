//! Federation scenarios: replication by agreement, the inbox's
//! exactly-once application, hits and follow-up threads. A scenario plays
//! one node on the store; the partner's messages are sealed here with its
//! own keys.

use tansiq_federation::{
    Agreement, Envelope, FollowUp, FollowUpKind, HitNotice, HitVia, Level, Opened, Payload, Rule,
    Traveller, open as open_msg, seal,
};
use tansiq_model::{ActionOnHit, Entity, EntryStatus, FederationShare, Schema, prop};
use tansiq_store::{Receipt, Store, StoreError};
use tansiq_trust::NodeKeys;
use time::OffsetDateTime;

fn keys(node: &str, seed: u8) -> NodeKeys {
    let at = OffsetDateTime::now_utc() - time::Duration::hours(1);
    NodeKeys::generate(node, [seed; 32], at).unwrap()
}

fn entry(id: &str, share: FederationShare, action: ActionOnHit) -> Entity {
    let mut e = Entity::new(id, Schema::Person);
    e.add(prop::NAME, "Karim Fictive Haddad");
    e.add(prop::BIRTH_DATE, "1980-04-02");
    e.origin_agency = Some("dz-dgsn".into());
    // As dz stores it (put_entry stamps it; messages carry it).
    e.provenance.source = "national".into();
    e.action_on_hit = Some(action);
    e.sharing.federation = share;
    e
}

fn agreement(level: Option<Level>) -> Agreement {
    Agreement {
        rules: level
            .map(|level| Rule {
                agencies: vec!["dz-dgsn".into()],
                ..Rule {
                    level,
                    ..Rule::default()
                }
            })
            .into_iter()
            .collect(),
        ..Agreement::default()
    }
}

fn kinds(items: &[tansiq_store::OutboxItem]) -> Vec<(i64, String, Option<String>)> {
    items
        .iter()
        .map(|i| (i.seq, i.kind.clone(), i.subject.clone()))
        .collect()
}

async fn drain(store: &Store, me: &NodeKeys) {
    while store.replicate_changes(me, 100).await.unwrap() > 0 {}
}

pub async fn fed_replicates_by_agreement(location: &str) {
    let store = super::open(location).await;
    let dz = keys("dz", 1);
    let tn = keys("tn", 2);
    let eg = keys("eg", 3);
    store
        .put_partner(
            "tn",
            "http://127.0.0.1:1/",
            &tn.public_keys(),
            &agreement(Some(Level::Full)),
            &agreement(None),
        )
        .await
        .unwrap();
    store
        .put_partner(
            "eg",
            "http://127.0.0.1:2",
            &eg.public_keys(),
            &agreement(Some(Level::HitNoHit)),
            &agreement(None),
        )
        .await
        .unwrap();
    assert_eq!(
        store.partner("tn").await.unwrap().unwrap().base_url,
        "http://127.0.0.1:1"
    );
    assert!(matches!(
        store.put_partner("x", "ftp://h", &tn.public_keys(), &Agreement::default(), &Agreement::default()).await,
        Err(StoreError::Invalid { field, .. }) if field == "partner.base_url"
    ));

    store
        .put_entry(
            entry("w-1", FederationShare::ByAgreement, ActionOnHit::Arrest),
            "cp",
        )
        .await
        .unwrap();
    store
        .put_entry(
            entry("w-2", FederationShare::Never, ActionOnHit::Arrest),
            "cp",
        )
        .await
        .unwrap();
    let mut listed = entry("un-1", FederationShare::ByAgreement, ActionOnHit::Inform);
    listed.provenance.source = "un-sc".into();
    store
        .import_list("un-sc", "v1", vec![listed])
        .await
        .unwrap();
    drain(&store, &dz).await;

    let to_tn = store.outbox("tn").await.unwrap();
    assert_eq!(
        kinds(&to_tn),
        [(1, "entry-upsert".into(), Some("w-1".into()))]
    );
    assert!(
        store.outbox("eg").await.unwrap().is_empty(),
        "hit/no-hit entries never leave"
    );
    assert_eq!(
        store.shared_with("eg").await.unwrap(),
        [("w-1".to_string(), Level::HitNoHit)]
    );
    assert_eq!(
        store.shared_with("tn").await.unwrap(),
        [("w-1".to_string(), Level::Full)]
    );
    // The message is sealed by dz for tn and carries the entry.
    let published = dz.public_keys();
    let opened = open_msg(&to_tn[0].sealed, "tn", |n| {
        (n == "dz").then(|| published.clone())
    })
    .unwrap();
    assert!(
        matches!(&opened.envelope.payload, Payload::EntryUpsert { entity } if entity.id == "w-1")
    );

    // An unchanged entry is not sent again; a change is; a withdrawal removes.
    assert_eq!(store.replicate_changes(&dz, 100).await.unwrap(), 0);
    let mut changed = entry("w-1", FederationShare::ByAgreement, ActionOnHit::Arrest);
    changed.add(prop::ALIAS, "Abu Fictive");
    store.put_entry(changed, "cp").await.unwrap();
    store
        .withdraw_entry("w-1", "cp", "warrant lifted")
        .await
        .unwrap();
    drain(&store, &dz).await;
    let to_tn = store.outbox("tn").await.unwrap();
    // Both changes are read in one batch, so the current (withdrawn) state
    // is what is sent: a removal.
    assert_eq!(
        kinds(&to_tn)[1..],
        [(2, "entry-remove".into(), Some("w-1".into()))]
    );
    assert!(store.shared_with("tn").await.unwrap().is_empty());
    assert!(store.shared_with("eg").await.unwrap().is_empty());

    // An agreement change applies to existing entries.
    store
        .put_entry(
            entry("w-3", FederationShare::ByAgreement, ActionOnHit::Inform),
            "cp",
        )
        .await
        .unwrap();
    drain(&store, &dz).await;
    assert!(store.outbox("eg").await.unwrap().is_empty());
    store
        .put_partner(
            "eg",
            "http://127.0.0.1:2",
            &eg.public_keys(),
            &agreement(Some(Level::Full)),
            &agreement(None),
        )
        .await
        .unwrap();
    assert_eq!(store.reconcile_partner(&dz, "eg").await.unwrap(), 1);
    assert_eq!(
        kinds(&store.outbox("eg").await.unwrap()),
        [(1, "entry-upsert".into(), Some("w-3".into()))]
    );
    store
        .put_partner(
            "tn",
            "http://127.0.0.1:1",
            &tn.public_keys(),
            &agreement(None),
            &agreement(None),
        )
        .await
        .unwrap();
    assert_eq!(store.reconcile_partner(&dz, "tn").await.unwrap(), 1);
    let to_tn = store.outbox("tn").await.unwrap();
    assert_eq!(
        to_tn
            .last()
            .map(|i| (i.kind.as_str(), i.subject.as_deref())),
        Some(("entry-remove", Some("w-3")))
    );
    // Nothing that was never allowed ever reached a partner's outbox.
    for partner in ["tn", "eg"] {
        for item in store.outbox(partner).await.unwrap() {
            assert!(
                !matches!(item.subject.as_deref(), Some("w-2" | "un-1")),
                "{partner}: {item:?}"
            );
        }
    }

    // Outbox bookkeeping.
    let due = store
        .outbox_due("tn", OffsetDateTime::now_utc(), 10)
        .await
        .unwrap();
    // w-1 copied then removed; w-3 copied then removed by the agreement change.
    assert_eq!(due.len(), 4);
    store
        .outbox_failed(
            "tn",
            1,
            "connection refused",
            OffsetDateTime::now_utc() + time::Duration::hours(1),
        )
        .await
        .unwrap();
    assert!(
        store
            .outbox_due("tn", OffsetDateTime::now_utc(), 10)
            .await
            .unwrap()
            .is_empty(),
        "the head waits, so the rest waits"
    );
    store.outbox_delivered("tn", 1).await.unwrap();
    let stats = store.outbox_stats().await.unwrap();
    let tn_stats = stats.iter().find(|s| s.partner == "tn").unwrap();
    assert_eq!(
        (tn_stats.pending, tn_stats.last_seq, tn_stats.delivered_seq),
        (3, 4, 1)
    );
    assert!(tn_stats.oldest_pending_at.is_some());
    assert!(
        store
            .partner("tn")
            .await
            .unwrap()
            .unwrap()
            .last_contact_at
            .is_some()
    );
    store.close().await;
}

fn sealed_from(from: &NodeKeys, to: &str, seq: u64, payload: Payload, me: &str) -> Opened {
    let env = Envelope::new(
        from.node(),
        to,
        Some(seq),
        OffsetDateTime::now_utc(),
        payload,
    );
    let s = seal(from, &env);
    let published = from.public_keys();
    open_msg(&s, me, |n| (n == from.node()).then(|| published.clone())).unwrap()
}

pub async fn fed_inbox_applies_once(location: &str) {
    let store = super::open(location).await;
    let tn = keys("tn", 2);
    let dz = keys("dz", 1);
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(Some(Level::Full)),
        )
        .await
        .unwrap();
    let upsert = |id: &str| Payload::EntryUpsert {
        entity: Box::new(entry(id, FederationShare::ByAgreement, ActionOnHit::Arrest)),
    };
    let m1 = sealed_from(&dz, "tn", 1, upsert("w-1"), "tn");
    assert!(matches!(
        store.receive(&tn, &m1).await.unwrap(),
        Receipt::Applied { .. }
    ));
    let copy = store
        .entity("dz:w-1")
        .await
        .unwrap()
        .expect("the copy is stored");
    assert_eq!(copy.provenance.source, "fed:dz");
    assert_eq!(copy.provenance.source_record_id.as_deref(), Some("w-1"));
    assert_eq!(copy.sharing.federation, FederationShare::Never);
    assert_eq!(store.receive(&tn, &m1).await.unwrap(), Receipt::Duplicate);
    let m3 = sealed_from(&dz, "tn", 3, upsert("w-3"), "tn");
    assert_eq!(
        store.receive(&tn, &m3).await.unwrap(),
        Receipt::Gap { expected: 2 }
    );
    let forged = sealed_from(&dz, "tn", 1, upsert("w-9"), "tn");
    assert_eq!(store.receive(&tn, &forged).await.unwrap(), Receipt::Replay);
    assert_eq!(store.entity("dz:w-9").await.unwrap(), None);
    assert_eq!(store.entity("dz:w-3").await.unwrap(), None);

    // A foreign copy cannot be edited or withdrawn locally.
    let mut edit = copy.clone();
    edit.provenance.source = String::new();
    assert!(matches!(
        store.put_entry(edit, "cp").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.withdraw_entry("dz:w-1", "cp", "no").await.is_err());

    // What the incoming agreement does not allow is refused, but numbered.
    let mut never = entry("w-4", FederationShare::ByAgreement, ActionOnHit::Arrest);
    never.origin_agency = Some("dz-customs".into());
    let m2 = sealed_from(
        &dz,
        "tn",
        2,
        Payload::EntryUpsert {
            entity: Box::new(never),
        },
        "tn",
    );
    assert!(matches!(
        store.receive(&tn, &m2).await.unwrap(),
        Receipt::Refused { .. }
    ));
    assert_eq!(store.entity("dz:w-4").await.unwrap(), None);
    let m3 = sealed_from(
        &dz,
        "tn",
        3,
        Payload::EntryRemove {
            id: "w-1".into(),
            reason: "withdrawn".into(),
        },
        "tn",
    );
    assert!(matches!(
        store.receive(&tn, &m3).await.unwrap(),
        Receipt::Applied { .. }
    ));
    assert_eq!(
        store.entity("dz:w-1").await.unwrap().unwrap().status,
        EntryStatus::Withdrawn
    );
    assert!(store.active_entities().await.unwrap().is_empty());
    let heads = store.inbox_heads().await.unwrap();
    assert_eq!((heads[0].origin.as_str(), heads[0].last_seq), ("dz", 3));

    // A hit seen here on dz's entry: recorded once, its notice queued once,
    // acknowledged by dz.
    let notice = HitNotice {
        hit_id: "tn:h1".into(),
        reference: "w-1".into(),
        action: Some(ActionOnHit::Arrest),
        via: HitVia::LocalCopy,
        traveller: Traveller {
            name: Some("Karim Haddad".into()),
            ..Traveller::default()
        },
        score: 0.93,
        screened_at: OffsetDateTime::now_utc(),
    };
    store.record_hit(&tn, "dz", notice.clone()).await.unwrap();
    store.record_hit(&tn, "dz", notice.clone()).await.unwrap();
    assert_eq!(
        kinds(&store.outbox("dz").await.unwrap()),
        [(1, "hit".into(), Some("tn:h1".into()))]
    );
    let ack = sealed_from(
        &dz,
        "tn",
        4,
        Payload::HitAck {
            hit_id: "tn:h1".into(),
        },
        "tn",
    );
    assert!(matches!(
        store.receive(&tn, &ack).await.unwrap(),
        Receipt::Applied { .. }
    ));
    let hit = store.fed_hit("tn:h1").await.unwrap().unwrap();
    assert_eq!(
        (hit.direction.as_str(), hit.acked_at.is_some()),
        ("out", true)
    );
    store
        .send_follow_up(
            &tn,
            "tn:h1",
            FollowUpKind::Request,
            "Please send the warrant.",
            "cp-tn",
        )
        .await
        .unwrap();
    let answer = sealed_from(
        &dz,
        "tn",
        5,
        Payload::FollowUp(FollowUp {
            hit_id: "tn:h1".into(),
            message_id: "dz:1".into(),
            kind: FollowUpKind::Answer,
            text: "Warrant 12/2026 attached.".into(),
            author: "cp-dz".into(),
        }),
        "tn",
    );
    assert!(matches!(
        store.receive(&tn, &answer).await.unwrap(),
        Receipt::Applied { .. }
    ));
    let thread = store.follow_ups("tn:h1").await.unwrap();
    assert_eq!(
        thread
            .iter()
            .map(|f| (f.from_node.as_str(), f.kind.as_str()))
            .collect::<Vec<_>>(),
        [("tn", "request"), ("dz", "answer")]
    );
    store.close().await;
}

pub async fn fed_hit_taken_once(location: &str) {
    let store = super::open(location).await;
    let dz = keys("dz", 1);
    let tn = keys("tn", 2);
    store
        .put_partner(
            "tn",
            "http://127.0.0.1:1",
            &tn.public_keys(),
            &agreement(Some(Level::Full)),
            &agreement(None),
        )
        .await
        .unwrap();
    store
        .put_entry(
            entry("w-1", FederationShare::ByAgreement, ActionOnHit::Arrest),
            "cp",
        )
        .await
        .unwrap();
    drain(&store, &dz).await;
    let hit = |hit_id: &str, reference: &str| {
        Payload::Hit(HitNotice {
            hit_id: hit_id.into(),
            reference: reference.into(),
            action: Some(ActionOnHit::Arrest),
            via: HitVia::LocalCopy,
            traveller: Traveller {
                name: Some("Karim Haddad".into()),
                ..Traveller::default()
            },
            score: 0.9,
            screened_at: OffsetDateTime::now_utc(),
        })
    };
    let m1 = sealed_from(&tn, "dz", 1, hit("tn:h1", "w-1"), "dz");
    assert!(matches!(
        store.receive(&dz, &m1).await.unwrap(),
        Receipt::Applied { .. }
    ));
    assert_eq!(store.receive(&dz, &m1).await.unwrap(), Receipt::Duplicate);
    // The same hit again under a new number (a resend after a lost
    // acknowledgement at the sender) is still one hit.
    let m2 = sealed_from(&tn, "dz", 2, hit("tn:h1", "w-1"), "dz");
    assert!(matches!(
        store.receive(&dz, &m2).await.unwrap(),
        Receipt::Applied { .. }
    ));
    // A hit on an entry tn was never given is refused.
    store
        .put_entry(
            entry("w-2", FederationShare::Never, ActionOnHit::Arrest),
            "cp",
        )
        .await
        .unwrap();
    let m3 = sealed_from(&tn, "dz", 3, hit("tn:h2", "w-2"), "dz");
    assert!(matches!(
        store.receive(&dz, &m3).await.unwrap(),
        Receipt::Refused { .. }
    ));
    let hits = store.fed_hits(Some("in")).await.unwrap();
    assert_eq!(
        hits.iter().map(|h| h.hit_id.as_str()).collect::<Vec<_>>(),
        ["tn:h1"]
    );
    let acks: Vec<_> = store
        .outbox("tn")
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "hit-ack")
        .collect();
    assert_eq!(acks.len(), 2, "each delivery is acknowledged");
    store
        .send_follow_up(
            &dz,
            "tn:h1",
            FollowUpKind::Outcome,
            "Arrested and handed over.",
            "cp-dz",
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .send_follow_up(&dz, "nope", FollowUpKind::Outcome, "x", "cp-dz")
            .await,
        Err(StoreError::NotFound { .. })
    ));
    store.close().await;
}

/// A rotated key reaches a partner: the sender queues one announcement,
/// signed with the previous key, only when its keys changed; the receiver
/// takes the keys it vouches for, and refuses (numbered) one that would
/// swap a known key.
pub async fn fed_rotated_keys_are_announced(location: &str) {
    let store = super::open(location).await;
    let mut dz = keys("dz", 1);
    let tn = keys("tn", 2);
    store
        .put_partner(
            "tn",
            "http://127.0.0.1:1",
            &tn.public_keys(),
            &agreement(None),
            &agreement(None),
        )
        .await
        .unwrap();
    // Nothing recorded: the partner is taken to know the current keys.
    assert_eq!(store.announce_keys(&dz).await.unwrap(), 0);
    let old = dz.current().key_id.clone();
    assert_eq!(
        store.partner("tn").await.unwrap().unwrap().announced_keys,
        Some(vec![old.clone()])
    );
    store.keys_known_by("tn", &dz).await.unwrap();
    assert_eq!(store.announce_keys(&dz).await.unwrap(), 0);

    dz.rotate([7; 32], OffsetDateTime::now_utc(), time::Duration::days(7));
    assert_eq!(store.announce_keys(&dz).await.unwrap(), 1);
    assert_eq!(store.announce_keys(&dz).await.unwrap(), 0, "once");
    let out = store.outbox("tn").await.unwrap();
    assert_eq!(kinds(&out)[0].1, "key-announcement");
    assert_eq!(out[0].sealed.key_id, old, "signed with the previous key");

    // The receiver's side, played by the same store for partner dz (it
    // knows only dz's old key): opens it with what it knows and takes the
    // new key.
    let peer = store.clone();
    let dz_before = keys("dz", 1);
    peer.put_partner(
        "dz",
        "http://127.0.0.1:2",
        &dz_before.public_keys(),
        &agreement(None),
        &agreement(None),
    )
    .await
    .unwrap();
    let known = dz_before.public_keys();
    let opened = open_msg(&out[0].sealed, "tn", |n| (n == "dz").then(|| known.clone())).unwrap();
    assert!(matches!(
        peer.receive(&tn, &opened).await.unwrap(),
        Receipt::Applied { .. }
    ));
    let now_known = peer.partner("dz").await.unwrap().unwrap().keys;
    assert_eq!(now_known, dz.public_keys());
    // A message signed with the new key now opens with the stored keys.
    let later = seal(
        &dz,
        &Envelope::new(
            "dz",
            "tn",
            Some(2),
            OffsetDateTime::now_utc(),
            Payload::HitAck {
                hit_id: "tn:none".into(),
            },
        ),
    );
    let opened = open_msg(&later, "tn", |n| (n == "dz").then(|| now_known.clone())).unwrap();
    assert!(matches!(
        peer.receive(&tn, &opened).await.unwrap(),
        Receipt::Applied { .. }
    ));
    // An announcement that swaps a known key's public half is refused.
    let mut swapped = dz.public_keys();
    swapped[0].public_key = keys("dz", 9).current().public_key.clone();
    let bad = sealed_from(
        &dz,
        "tn",
        3,
        Payload::KeyAnnouncement { keys: swapped },
        "tn",
    );
    assert!(matches!(
        peer.receive(&tn, &bad).await.unwrap(),
        Receipt::Refused { .. }
    ));
    assert_eq!(peer.partner("dz").await.unwrap().unwrap().keys, now_known);
    store.close().await;
}

/// Inbox retention: old digests are purged but each origin's last number
/// stays, so numbering goes on; a purged number delivered again is
/// answered `Forgotten` (nothing applied), the kept one is still told
/// from a replay. Checks answered are remembered once.
pub async fn fed_inbox_digests_purged(location: &str) {
    let store = super::open(location).await;
    let tn = keys("tn", 2);
    let dz = keys("dz", 1);
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(Some(Level::Full)),
        )
        .await
        .unwrap();
    let upsert = |id: &str| Payload::EntryUpsert {
        entity: Box::new(entry(id, FederationShare::ByAgreement, ActionOnHit::Arrest)),
    };
    let m1 = sealed_from(&dz, "tn", 1, upsert("w-1"), "tn");
    let m2 = sealed_from(&dz, "tn", 2, upsert("w-2"), "tn");
    for m in [&m1, &m2] {
        assert!(matches!(
            store.receive(&tn, m).await.unwrap(),
            Receipt::Applied { .. }
        ));
    }
    // Nothing is old enough yet.
    let hour_ago = OffsetDateTime::now_utc() - time::Duration::hours(1);
    assert_eq!(store.purge_inbox_digests(hour_ago).await.unwrap(), 0);
    // Everything is: all but the last number of dz go.
    let later = OffsetDateTime::now_utc() + time::Duration::days(1);
    assert_eq!(store.purge_inbox_digests(later).await.unwrap(), 1);
    assert_eq!(store.inbox_heads().await.unwrap()[0].last_seq, 2);
    assert_eq!(store.receive(&tn, &m1).await.unwrap(), Receipt::Forgotten);
    let forged = sealed_from(&dz, "tn", 1, upsert("w-9"), "tn");
    assert_eq!(
        store.receive(&tn, &forged).await.unwrap(),
        Receipt::Forgotten
    );
    assert_eq!(store.entity("dz:w-9").await.unwrap(), None, "never applied");
    assert_eq!(store.receive(&tn, &m2).await.unwrap(), Receipt::Duplicate);
    let forged2 = sealed_from(&dz, "tn", 2, upsert("w-8"), "tn");
    assert_eq!(store.receive(&tn, &forged2).await.unwrap(), Receipt::Replay);
    let m3 = sealed_from(&dz, "tn", 3, upsert("w-3"), "tn");
    assert!(matches!(
        store.receive(&tn, &m3).await.unwrap(),
        Receipt::Applied { .. }
    ));
    assert_eq!(store.purge_inbox_digests(later).await.unwrap(), 1);
    assert_eq!(store.inbox_heads().await.unwrap()[0].last_seq, 3);

    // Checks: the first sight of (origin, request id) only.
    let now = OffsetDateTime::now_utc();
    let window = now - time::Duration::minutes(15);
    assert!(
        store
            .check_first_seen("dz", "dz:s1:tn", now, window)
            .await
            .unwrap()
    );
    assert!(
        !store
            .check_first_seen("dz", "dz:s1:tn", now, window)
            .await
            .unwrap()
    );
    assert!(
        store
            .check_first_seen("eg", "dz:s1:tn", now, window)
            .await
            .unwrap()
    );
    // Forgotten once older than the window (the freshness check refuses
    // such a check before this point).
    let much_later = now + time::Duration::hours(1);
    assert!(
        store
            .check_first_seen(
                "dz",
                "dz:s1:tn",
                much_later,
                much_later - time::Duration::minutes(15)
            )
            .await
            .unwrap()
    );
    store.close().await;
}

/// Issue 16, finding 8: a hit notice carrying more traveller data than
/// the receiver's own agreement with the sender allows was stored as sent.
/// The receiver keeps the intersection of both agreements' fields.
pub async fn fed_hit_keeps_only_agreed_traveller_fields(location: &str) {
    let store = super::open(location).await;
    let dz = keys("dz", 1);
    let tn = keys("tn", 2);
    // dz agrees to hear only the traveller's name from tn.
    let mut outgoing = agreement(Some(Level::Full));
    outgoing.traveller_fields = vec![tansiq_federation::TravellerField::Name];
    store
        .put_partner(
            "tn",
            "http://127.0.0.1:1",
            &tn.public_keys(),
            &outgoing,
            &agreement(None),
        )
        .await
        .unwrap();
    store
        .put_entry(
            entry("w-1", FederationShare::ByAgreement, ActionOnHit::Arrest),
            "cp",
        )
        .await
        .unwrap();
    drain(&store, &dz).await;
    // tn (misconfigured, or hostile) sends every field.
    let m1 = sealed_from(
        &tn,
        "dz",
        1,
        Payload::Hit(HitNotice {
            hit_id: "tn:h1".into(),
            reference: "w-1".into(),
            action: Some(ActionOnHit::Arrest),
            via: HitVia::LocalCopy,
            traveller: Traveller {
                name: Some("Karim Haddad".into()),
                birth_date: Some("1980-04-02".into()),
                nationality: Some("tn".into()),
                document_number: Some("P1234567".into()),
            },
            score: 0.9,
            screened_at: OffsetDateTime::now_utc(),
        }),
        "dz",
    );
    assert!(matches!(
        store.receive(&dz, &m1).await.unwrap(),
        Receipt::Applied { .. }
    ));
    let hit = store.fed_hit("tn:h1").await.unwrap().unwrap();
    assert_eq!(
        hit.traveller,
        Traveller {
            name: Some("Karim Haddad".into()),
            ..Traveller::default()
        }
    );
    store.close().await;
}

/// Counts rows about `id` (or whose text holds `marker`) in the store's
/// database, read directly as someone with access to it would.
async fn raw_count(location: &str, sql: &str, bind: &str) -> i64 {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(bind)
            .fetch_one(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
        n
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}"))
            .await
            .unwrap();
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(bind)
            .fetch_one(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
        n
    }
}

/// What the partner's database holds of `marker` (a fictitious warrant
/// number carried by one version of dz's entry): rows in every table that
/// held entry data, and on SQLite the bytes of the database file and its
/// WAL, once the store is closed.
async fn traces(location: &str, marker: &str) -> Vec<String> {
    let like = format!("%{marker}%");
    let mut found = Vec::new();
    for table in ["entities", "entity_versions"] {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE CAST(body AS TEXT) LIKE $1"
        );
        if raw_count(location, &sql, &like).await > 0 {
            found.push(format!("a row of {table}"));
        }
    }
    if !location.starts_with("postgres") {
        for suffix in ["", "-wal"] {
            let path = format!("{location}{suffix}");
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                found.push(format!("the bytes of {path}"));
            }
        }
    }
    found
}

/// Issue 16, finding 6: after `entry-remove` the partner kept the full
/// body and every old version, readable by its analysts. Now the copy and
/// all its versions are purged, leaving a tombstone (id, origin, version,
/// time), and on SQLite the bytes do not linger in the file: after a
/// withdrawal, after the originator narrows the agreement, and after an
/// agreement round-trip (shared again, then not).
pub async fn fed_removed_copies_are_purged(location: &str) {
    let tn = keys("tn", 2);
    let dz = keys("dz", 1);
    let upsert = |id: &str, warrant: &str| {
        let mut e = entry(id, FederationShare::ByAgreement, ActionOnHit::Arrest);
        e.add(prop::PASSPORT_NUMBER, format!("P{warrant}"));
        e.add(prop::NOTES, format!("Fictive note {warrant}"));
        e.legal_basis = Some(tansiq_model::LegalBasis {
            warrant_number: Some(warrant.to_string()),
            ..Default::default()
        });
        Payload::EntryUpsert {
            entity: Box::new(e),
        }
    };
    let remove = |id: &str, reason: &str| Payload::EntryRemove {
        id: id.into(),
        reason: reason.into(),
    };
    let store = super::open(location).await;
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(Some(Level::Full)),
        )
        .await
        .unwrap();
    let mut seq = 0;
    let mut send = async |store: &Store, payload: Payload| {
        seq += 1;
        let m = sealed_from(&dz, "tn", seq, payload, "tn");
        let r = store.receive(&tn, &m).await.unwrap();
        assert!(matches!(r, Receipt::Applied { .. }), "{r:?}");
    };
    // Withdrawal: two versions, then removed.
    send(&store, upsert("w-1", "WX-FICTIVE-1111")).await;
    send(&store, upsert("w-1", "WX-FICTIVE-2222")).await;
    send(&store, remove("w-1", "withdrawn by the originator")).await;
    // Narrowing: dz stops sharing w-2.
    send(&store, upsert("w-2", "WX-FICTIVE-3333")).await;
    send(
        &store,
        remove("w-2", "no longer shared under the agreement"),
    )
    .await;
    // A round-trip: shared, unshared, shared again (a new body), unshared.
    send(&store, upsert("w-3", "WX-FICTIVE-4444")).await;
    send(
        &store,
        remove("w-3", "no longer shared under the agreement"),
    )
    .await;
    send(&store, upsert("w-3", "WX-FICTIVE-5555")).await;
    let back = store.entity("dz:w-3").await.unwrap().unwrap();
    assert_eq!(back.status, EntryStatus::Active);
    assert_eq!(
        back.legal_basis.unwrap().warrant_number.as_deref(),
        Some("WX-FICTIVE-5555")
    );
    send(
        &store,
        remove("w-3", "no longer shared under the agreement"),
    )
    .await;

    for local in ["dz:w-1", "dz:w-2", "dz:w-3"] {
        let t = store.entity(local).await.unwrap().expect("a tombstone");
        assert_eq!(t.status, EntryStatus::Withdrawn);
        assert_eq!(t.provenance.source, "fed:dz");
        assert!(t.properties.is_empty(), "{t:?}");
        assert_eq!(t.legal_basis, None);
        let history = store.entity_history(local).await.unwrap();
        assert_eq!(history.len(), 1, "only the tombstone version: {history:?}");
        for (table, column) in [
            ("entity_names", "entity_id"),
            ("entity_documents", "entity_id"),
        ] {
            let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE {column} = $1");
            assert_eq!(raw_count(location, &sql, local).await, 0, "{table} {local}");
        }
    }
    assert!(store.active_entities().await.unwrap().is_empty());
    store.close().await;
    for marker in [
        "WX-FICTIVE-1111",
        "WX-FICTIVE-2222",
        "WX-FICTIVE-3333",
        "WX-FICTIVE-4444",
        "WX-FICTIVE-5555",
    ] {
        assert_eq!(
            traces(location, marker).await,
            Vec::<String>::new(),
            "{marker} lingers"
        );
    }
}

/// Issue 16, finding 6, the receiver's side: when this node narrows its
/// own incoming agreement, the copies it no longer allows are purged in
/// the same transaction (a tombstone each, no versions, no bytes left),
/// and the copies it still allows stay as they were.
pub async fn fed_receiver_narrowing_purges_copies(location: &str) {
    let tn = keys("tn", 2);
    let dz = keys("dz", 1);
    let store = super::open(location).await;
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(Some(Level::Full)),
        )
        .await
        .unwrap();
    let upsert = |id: &str, action: ActionOnHit, warrant: &str| {
        let mut e = entry(id, FederationShare::ByAgreement, action);
        e.add(prop::PASSPORT_NUMBER, format!("P{warrant}"));
        e.legal_basis = Some(tansiq_model::LegalBasis {
            warrant_number: Some(warrant.to_string()),
            ..Default::default()
        });
        Payload::EntryUpsert {
            entity: Box::new(e),
        }
    };
    let sent = [
        upsert("n-1", ActionOnHit::Arrest, "WX-FICTIVE-6666"),
        upsert("n-2", ActionOnHit::Inform, "WX-FICTIVE-7777"),
        upsert("n-2", ActionOnHit::Inform, "WX-FICTIVE-8888"),
    ];
    for (seq, payload) in sent.into_iter().enumerate() {
        let m = sealed_from(&dz, "tn", seq as u64 + 1, payload, "tn");
        let r = store.receive(&tn, &m).await.unwrap();
        assert!(matches!(r, Receipt::Applied { .. }), "{r:?}");
    }
    assert_eq!(store.active_entities().await.unwrap().len(), 2);

    // Storing the same agreement again purges nothing.
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(Some(Level::Full)),
        )
        .await
        .unwrap();
    assert_eq!(store.active_entities().await.unwrap().len(), 2);

    // Narrowed: full copies of arrest warrants only, the rest by
    // hit/no-hit.
    let narrowed = Agreement {
        rules: vec![
            Rule {
                actions: vec![ActionOnHit::Arrest],
                level: Level::Full,
                ..Rule::default()
            },
            Rule {
                level: Level::HitNoHit,
                ..Rule::default()
            },
        ],
        ..Agreement::default()
    };
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &narrowed,
        )
        .await
        .unwrap();
    let kept = store.entity("dz:n-1").await.unwrap().unwrap();
    assert_eq!(kept.status, EntryStatus::Active);
    assert_eq!(
        kept.legal_basis.unwrap().warrant_number.as_deref(),
        Some("WX-FICTIVE-6666")
    );
    let t = store.entity("dz:n-2").await.unwrap().expect("a tombstone");
    assert_eq!(t.status, EntryStatus::Withdrawn);
    assert!(t.properties.is_empty(), "{t:?}");
    assert_eq!(t.legal_basis, None);
    assert_eq!(store.entity_history("dz:n-2").await.unwrap().len(), 1);

    // Closed altogether: nothing from dz is kept.
    store
        .put_partner(
            "dz",
            "http://127.0.0.1:1",
            &dz.public_keys(),
            &agreement(None),
            &agreement(None),
        )
        .await
        .unwrap();
    assert!(store.active_entities().await.unwrap().is_empty());
    assert_eq!(store.entity_history("dz:n-1").await.unwrap().len(), 1);
    store.close().await;
    for marker in ["WX-FICTIVE-6666", "WX-FICTIVE-7777", "WX-FICTIVE-8888"] {
        assert_eq!(
            traces(location, marker).await,
            Vec::<String>::new(),
            "{marker} lingers"
        );
    }
}
