//! The operating and auditing routes on a real node: the auditor reads the
//! log of a period page by page and gets a signed head that verifies with
//! the node's published keys; retention purges traveller data and the
//! chain still verifies; an admin triggers a list update over HTTP. Each on
//! SQLite and on PostgreSQL.

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node};
use tansiq_store::AuditHead;
use tansiq_trust::{PublicKey, SignedCheckpoint};
use time::OffsetDateTime;

on_both_backends!(
    auditor_reads_periods_and_a_signed_head,
    retention_purges_traveller_data_and_the_chain_holds,
    admin_triggers_a_list_update,
    audit_view_is_scoped_by_agency_and_redacted,
);

fn event(at: OffsetDateTime, action: &str, traveller: &str) -> tansiq_store::AuditEvent {
    tansiq_store::AuditEvent {
        at,
        actor: "officer-a".into(),
        action: action.into(),
        subject: None,
        facts: json!({"agency": "dz-police"}),
        payload: json!({"names": [traveller]}),
    }
}

async fn auditor_reads_periods_and_a_signed_head(backend: Backend) {
    let node = Node::start(backend).await;
    let day = |d: i64| OffsetDateTime::now_utc() - time::Duration::days(d);
    let events: Vec<_> = (0..7)
        .map(|i| event(day(10 - i), "screen", &format!("Fictive Traveller {i}")))
        .collect();
    node.store.append_audit_batch(&events).await.unwrap();

    // Everything, two at a time: pages chain and end with next_after null.
    let mut all: Vec<Value> = Vec::new();
    let mut after = 0;
    loop {
        let (s, page) = node
            .call(
                Some("auditor-a"),
                Method::GET,
                &format!("/v1/audit/events?limit=2&after={after}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        all.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_i64() {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(all.len(), 7);
    assert!(all.windows(2).all(|w| w[1]["prev_hash"] == w[0]["hash"]));
    assert_eq!(all[0]["payload"]["names"][0], "Fictive Traveller 0");

    // A period: the days 8, 7 and 6 before today.
    let date = |t: OffsetDateTime| t.date().to_string();
    let (s, page) = node
        .call(
            Some("auditor-a"),
            Method::GET,
            &format!("/v1/audit/events?from={}&to={}", date(day(8)), date(day(5))),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["payload"]["names"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Fictive Traveller 2",
            "Fictive Traveller 3",
            "Fictive Traveller 4"
        ]
    );
    for (query, field) in [
        ("from=yesterday", "from"),
        ("from=2026-01-02&to=2026-01-01", "to"),
        ("limit=0", "limit"),
    ] {
        let (s, p) = node
            .call(
                Some("auditor-a"),
                Method::GET,
                &format!("/v1/audit/events?{query}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {p}");
        assert_eq!(p["field"], field, "{query}: {p}");
    }
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "audit.read" && e.actor == "auditor-a")
    );

    // The signed head verifies with the keys the node publishes, and the
    // store's chain holds it.
    let (s, cp) = node
        .call(Some("auditor-a"), Method::GET, "/v1/audit/checkpoint", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{cp}");
    let cp: SignedCheckpoint = serde_json::from_value(cp).unwrap();
    let (s, published) = node.call(None, Method::GET, "/v1/node", None).await;
    assert_eq!(s, StatusCode::OK);
    let keys: Vec<PublicKey> = serde_json::from_value(published["keys"].clone()).unwrap();
    cp.verify(&keys).unwrap();
    assert_eq!(cp.checkpoint.node, published["node"].as_str().unwrap());
    assert_eq!(
        cp.checkpoint.seq,
        all.last().unwrap()["seq"].as_i64().unwrap()
    );
    node.store
        .verify_audit_against(&AuditHead {
            seq: cp.checkpoint.seq,
            hash: cp.checkpoint.hash.clone(),
        })
        .await
        .unwrap();
    // Nobody else may read the log.
    let (s, _) = node
        .call(Some("admin-a"), Method::GET, "/v1/audit/events", None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    node.stop().await;
}

async fn retention_purges_traveller_data_and_the_chain_holds(backend: Backend) {
    let node = Node::start_with(backend, |c| c.retention.traveller_data_days = 30).await;
    let old = OffsetDateTime::now_utc() - time::Duration::days(45);
    let recent = OffsetDateTime::now_utc() - time::Duration::days(3);
    node.store
        .append_audit_batch(&[
            event(old, "screen", "Fictive Old Traveller"),
            event(recent, "screen", "Fictive Recent Traveller"),
        ])
        .await
        .unwrap();
    let purged = tansiq_server::purge_traveller_data(&node.state)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let records = node.store.audit_records(0, 100).await.unwrap();
    let cut = recent - time::Duration::days(1);
    let old_r = records.iter().find(|r| r.at < cut).unwrap();
    assert_eq!(old_r.payload, None, "the old traveller data is gone");
    let recent_r = records.iter().find(|r| r.at >= cut).unwrap();
    assert!(recent_r.payload.as_deref().unwrap().contains("Recent"));
    node.store.verify_audit().await.unwrap();
    // The purge itself is audited, without traveller data.
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "retention.purge")
    );
    // Running it again finds nothing more.
    assert_eq!(
        tansiq_server::purge_traveller_data(&node.state)
            .await
            .unwrap(),
        0
    );
    node.stop().await;
}

async fn admin_triggers_a_list_update(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.ftm.jsonl");
    std::fs::write(
        &list,
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fictitious-list.ftm.jsonl"),
        )
        .unwrap(),
    )
    .unwrap();
    let files = dir.path().to_path_buf();
    let node = Node::start_with(backend, move |c| {
        let mut t = toml::Table::new();
        t.insert("name".into(), "fixture-list".into());
        t.insert("format".into(), "ftm".into());
        t.insert("path".into(), list.display().to_string().into());
        t.insert("schedule".into(), "24h".into());
        c.sources = vec![t];
        c.store.files_dir = Some(files);
    })
    .await;
    let nref = &node;
    let screen = |n: &'static str| async move {
        let (s, r) = nref
            .call(
                Some("officer-a"),
                Method::POST,
                "/v1/screen",
                Some(json!({"names": [n]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        r["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["entity_id"] == "fx-0001")
    };
    assert!(!screen("Zoubeir Ould Tamanrasset").await);
    let (s, r) = node
        .call(
            Some("nodeadmin-a"),
            Method::POST,
            "/v1/sources/fixture-list/update",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "imported", "{r}");
    assert_eq!(r["added"], 2, "{r}");
    assert!(
        screen("Zoubeir Ould Tamanrasset").await,
        "the new list is screened"
    );
    // The same file again: nothing new.
    let (s, r) = node
        .call(
            Some("nodeadmin-a"),
            Method::POST,
            "/v1/sources/fixture-list/update",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_ne!(r["outcome"], "imported", "{r}");
    let (s, _) = node
        .call(
            Some("nodeadmin-a"),
            Method::POST,
            "/v1/sources/nothing/update",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "source.update" && e.outcome == "ok")
    );
    node.stop().await;
}

/// Issue 16, finding 2: an agency auditor reads its own agency's events
/// only; a node auditor reads every agency's, with other agencies'
/// traveller payloads withheld; nobody learns a hidden entry's id.
async fn audit_view_is_scoped_by_agency_and_redacted(backend: Backend) {
    let node = Node::start(backend).await;
    let (s, hidden) = node
        .call(
            Some("cp-b"),
            Method::POST,
            "/v1/entries",
            Some(support::entry_body(
                "Quorentin Secretb Valmy",
                json!({"visibility": "originator"}),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hidden}");
    let hidden = hidden["id"].as_str().unwrap().to_string();
    let at = OffsetDateTime::now_utc();
    let ev = |actor: &str, agency: &str, action: &str, subject: Option<&str>, payload: Value| {
        tansiq_store::AuditEvent {
            at,
            actor: actor.into(),
            action: action.into(),
            subject: subject.map(str::to_string),
            facts: json!({"agency": agency, "key_id": "k", "outcome": "ok"}),
            payload,
        }
    };
    node.store
        .append_audit_batch(&[
            ev(
                "officer-a",
                support::AGENCY_A,
                "screen",
                None,
                json!({"traveller": {"names": ["Alma Travellera Ouni"]}}),
            ),
            ev(
                "officer-b",
                support::AGENCY_B,
                "screen",
                None,
                json!({"traveller": {"names": ["Bertil Travellerb Secret"],
                                    "documents": ["BX998877"]}}),
            ),
            ev(
                "cp-b",
                support::AGENCY_B,
                "entry.create",
                Some(&hidden),
                json!({"version": 1}),
            ),
            // A's analyst probing B's hidden id (answered 404).
            ev(
                "analyst-a",
                support::AGENCY_A,
                "entry.view",
                Some(&hidden),
                json!({}),
            ),
            ev("-", "-", "auth", None, json!({"reason": "unknown key"})),
        ])
        .await
        .unwrap();
    let read = |user: &'static str| {
        let node = &node;
        async move {
            let (s, page) = node
                .call(Some(user), Method::GET, "/v1/audit/events?limit=1000", None)
                .await;
            assert_eq!(s, StatusCode::OK, "{page}");
            page
        }
    };
    let secrets = ["Travellerb", "BX998877", hidden.as_str()];

    // An agency auditor: its own agency's events, no hidden id.
    let page = read("auditor-a").await;
    let events = page["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["screen", "entry.view"], "{page}");
    assert_eq!(
        events[0]["payload"]["traveller"]["names"][0],
        "Alma Travellera Ouni"
    );
    assert_eq!(events[1]["subject"], Value::Null);
    assert_eq!(events[1]["redacted"], json!(["subject"]));
    for secret in secrets {
        assert!(!page.to_string().contains(secret), "{secret} in {page}");
    }
    // B's auditor sees B's events in full.
    let page = read("auditor-b").await;
    let events = page["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{page}");
    assert!(page.to_string().contains("Travellerb"));
    assert_eq!(events[1]["subject"], json!(hidden));

    // A node auditor of A: every event, B's payloads withheld (hashes
    // kept, so the chain's links still check), no hidden id.
    let page = read("nodeauditor-a").await;
    let events = page["events"].as_array().unwrap();
    assert_eq!(events.len(), 5, "{page}");
    assert!(events.windows(2).all(|w| w[1]["prev_hash"] == w[0]["hash"]));
    for secret in secrets {
        assert!(!page.to_string().contains(secret), "{secret} in {page}");
    }
    assert_eq!(events[1]["payload"], Value::Null);
    assert_eq!(events[1]["redacted"], json!(["payload"]));
    assert!(events[1]["payload_hash"].as_str().is_some());
    assert_eq!(
        events[0]["payload"]["traveller"]["names"][0],
        "Alma Travellera Ouni"
    );
    // Agency auditors never see unauthenticated or system events.
    assert!(!read("auditor-b").await.to_string().contains("unknown key"));
    node.stop().await;
}
