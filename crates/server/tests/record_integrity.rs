//! A screening record changed after the fact is found (issue 19): the
//! audit event of a screening carries its record's hash, of a manifest a
//! digest of its travellers' records, and the check compares them with the
//! records as stored, on both backends.

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use support::{Backend, Node};
use tansiq_server::{AlteredRecord, RecordCheck, verify_screening_records};

on_both_backends!(a_changed_or_missing_record_is_found);

/// A fictitious traveller spelled unlike the listed `tl-1` ("Karimou
/// Fictivo Belhadjar", 1970-01-15, dz), close enough to raise a hit.
const TRAVELLER: &str = "Karimo Fictivou Belhadjare";
/// A traveller who matches nobody.
const INNOCENT: &str = "Zoubeyrou Inventada Qassimiya";
/// A manifest of two fictitious travellers.
const MANIFEST: &str = "flight,date,role,surname,given_names,birth_date,sex,nationality,document_type,document_number,issuing_state,document_expiry,seat\n\
TQ100,2026-11-29,passenger,TESTER,PAT LEE,1980-02-28,F,UTO,P,X1234567,UTO,2031-05-01,12A\n\
TQ100,2026-11-29,passenger,SOLTANOVA,NADIRAH,1982-07-30,F,DZA,P,Y7654321,DZA,2031-05-01,14C\n";

/// Screens `body`; returns the screening id and the band.
async fn screen(node: &Node, body: Value) -> (String, String) {
    let (s, answer) = node
        .call(Some("officer-a"), Method::POST, "/v1/screen", Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    (
        answer["screening_id"].as_str().unwrap().to_string(),
        answer["band"].as_str().unwrap().to_string(),
    )
}

/// Runs one statement on the node's store, as someone with access to the
/// database (not through the node) would.
async fn tamper(location: &str, statement: &str) {
    let statement = sqlx::AssertSqlSafe(statement.to_string());
    if location.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(location).await.unwrap();
        let done = sqlx::query(statement).execute(&mut c).await.unwrap();
        assert_eq!(done.rows_affected(), 1);
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{location}"))
            .await
            .unwrap();
        let done = sqlx::query(statement).execute(&mut c).await.unwrap();
        assert_eq!(done.rows_affected(), 1);
        c.close().await.unwrap();
    }
}

async fn a_changed_or_missing_record_is_found(backend: Backend) {
    let node = Node::start(backend).await;
    let location = node.state.config.store.location.clone();
    let (hit, band) = screen(
        &node,
        json!({"names": [TRAVELLER], "birth_date": "1970-01-15", "nationality": "DZ"}),
    )
    .await;
    assert_ne!(band, "none");
    let (innocent, _) = screen(&node, json!({"names": [INNOCENT]})).await;
    let r = node
        .client
        .post(format!("{}/v1/screen/manifest", node.base))
        .bearer_auth(node.token("officer-a"))
        .header("content-type", "text/csv")
        .body(MANIFEST)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let manifest: Value = r.json().await.unwrap();
    let manifest = manifest["screening_id"].as_str().unwrap().to_string();
    if let Some(done) = node.state.review.flush() {
        done.await.unwrap();
    }
    node.audit_into_store().await;
    node.store.verify_audit().await.unwrap();

    // As written: the two screenings and the manifest hold.
    let check = verify_screening_records(&node.store, &|_| true)
        .await
        .unwrap();
    assert_eq!(
        check,
        RecordCheck {
            intact: 3,
            absent: 0,
            altered: vec![]
        }
    );

    // A hit's band lowered in its record, one traveller of the manifest
    // removed: both are found, by the events that recorded them. The
    // innocent's record deleted is only absent: retention does the same.
    tamper(
        &location,
        &format!("UPDATE screenings SET band = 'none' WHERE id = '{hit}'"),
    )
    .await;
    tamper(
        &location,
        &format!("DELETE FROM screenings WHERE id = '{manifest}.1'"),
    )
    .await;
    tamper(
        &location,
        &format!("DELETE FROM screenings WHERE id = '{innocent}'"),
    )
    .await;
    let check = verify_screening_records(&node.store, &|_| true)
        .await
        .unwrap();
    let altered: Vec<&str> = check
        .altered
        .iter()
        .map(|a: &AlteredRecord| a.screening.as_str())
        .collect();
    assert_eq!(altered, [hit.as_str(), manifest.as_str()], "{check:?}");
    assert!(check.altered.iter().all(|a| a.seq > 0));
    assert_eq!((check.intact, check.absent), (0, 1), "{check:?}");
    // Seen by another agency's auditor: none of these screenings is in
    // scope, so nothing is told of them.
    let elsewhere = verify_screening_records(&node.store, &|r| {
        r.facts.contains("\"agency\":\"another-agency\"")
    })
    .await
    .unwrap();
    assert_eq!(elsewhere, RecordCheck::default());
    node.stop().await;
}
