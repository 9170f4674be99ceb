//! Federation between two in-process nodes (dz, tn) with their workers, on
//! SQLite and PostgreSQL: any hit on a partner's entry (possible band
//! included, through single and manifest screening, and by re-screening)
//! is told to the originator once, under the local hit's id, and the two
//! name each other; a hit/no-hit check is answered once (a replay is
//! refused); an unreachable hit/no-hit partner costs a screening at most
//! `[federation] check_timeout_ms`, then nothing while its breaker is
//! open. All people are fictitious; assertions are about outcomes, never
//! timings (the durations are printed for the record).

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{AGENCY_A, AGENCY_B, Backend, Node, entry_body};
use tansiq_federation::{Agreement, Envelope, Payload, Traveller, seal};
use tansiq_server::SealedDto;
use time::OffsetDateTime;

on_both_backends!(
    any_hit_on_a_partner_entry_is_told_once_and_linked,
    an_unreachable_partner_costs_a_screening_a_bounded_wait,
    a_remote_hit_raises_the_band_and_action,
    a_refused_copy_reaches_the_sender,
    a_withdrawn_entry_leaves_nothing_readable_at_the_partner,
);

const WAIT: Duration = Duration::from_secs(60);

async fn wait_until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < WAIT, "gave up waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Another fresh store of the same kind as `backend`.
async fn another(backend: &Backend, name: &str) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Sqlite,
        Backend::Postgres { .. } => support::postgres_backend(name).await.unwrap(),
    }
}

fn agreement(v: Value) -> Agreement {
    serde_json::from_value(v).unwrap()
}

/// dz's police entries fully, its customs entries as hit/no-hit.
fn shared() -> Agreement {
    agreement(json!({"rules": [
        {"agencies": [AGENCY_A], "level": "full"},
        {"agencies": [AGENCY_B], "level": "hit-no-hit"}],
        "traveller_fields": ["name", "birth-date"]}))
}

async fn node(backend: Backend, id: &str) -> Node {
    let id = id.to_string();
    Node::start_with(backend, move |c| {
        c.node.id = id;
        c.federation.poll_ms = 50;
        // Generous: the machine may be loaded; the bound has its own test.
        c.federation.check_timeout_ms = 5_000;
        // A possible band that a misspelt name reaches without being strong.
        c.screening.possible = 0.6;
        c.screening.strong = 0.99;
    })
    .await
}

async fn screen(node: &Node, name: &str, dob: &str) -> Value {
    let (s, v) = node
        .call(
            Some("officer-a"),
            Method::POST,
            "/v1/screen",
            Some(json!({"names": [name], "birth_date": dob})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn fed_hits(node: &Node, user: &str, direction: &str) -> Vec<Value> {
    let (s, v) = node
        .call(Some(user), Method::GET, "/v1/federation/hits", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["direction"] == direction)
        .cloned()
        .collect()
}

async fn any_hit_on_a_partner_entry_is_told_once_and_linked(backend: Backend) {
    let tn_backend = another(&backend, "fed_tn").await;
    let dz = node(backend, "dz").await;
    let tn = node(tn_backend, "tn").await;
    dz.store
        .put_partner(
            "tn",
            &tn.base,
            &tn.state.identity.public_keys(),
            &shared(),
            &Agreement::default(),
        )
        .await
        .unwrap();
    tn.store
        .put_partner(
            "dz",
            &dz.base,
            &dz.state.identity.public_keys(),
            &Agreement::default(),
            &shared(),
        )
        .await
        .unwrap();
    let workers = [
        tokio::spawn(tansiq_server::run_worker(dz.state.clone())),
        tokio::spawn(tansiq_server::run_worker(tn.state.clone())),
    ];
    let share = json!({"visibility": "national", "federation": "by-agreement"});
    let mut full = entry_body("Karim Fictive Haddad", share.clone());
    full["birth_dates"] = json!(["1980-04-02"]);
    let (s, full) = dz
        .call(Some("cp-a"), Method::POST, "/v1/entries", Some(full))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{full}");
    let full_id = full["id"].as_str().unwrap().to_string();
    let copy_id = format!("dz:{full_id}");
    let mut asked = entry_body("Nadia Fictive Mansouri", share);
    asked["birth_dates"] = json!(["1990-01-12"]);
    let (s, asked) = dz
        .call(Some("cp-b"), Method::POST, "/v1/entries", Some(asked))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    let asked_id = asked["id"].as_str().unwrap().to_string();

    // Part of the name, misspelt, with the birth date: a *possible*
    // match on the copy, and a hit (any hit is told, not only strong ones).
    let start = Instant::now();
    let answer = loop {
        let a = screen(&tn, "Karim Fictiv", "1980-04-02").await;
        if a["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["entity_id"] == copy_id.as_str())
        {
            break a;
        }
        assert!(
            start.elapsed() < WAIT,
            "tn never screened against dz's copy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let m = answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] == copy_id.as_str())
        .unwrap();
    assert_eq!(m["band"], "possible", "{answer}");
    let local_hit = m["hit_id"].as_str().expect("a local hit").to_string();
    let notice = format!("tn:{local_hit}");

    // dz is told, once, under the local hit's id; the two name each other.
    wait_until("dz has the notice of the possible hit", || async {
        fed_hits(&dz, "cp-a", "in")
            .await
            .iter()
            .any(|h| h["hit_id"] == notice.as_str())
    })
    .await;
    let (_, queue) = tn
        .call(Some("analyst-a"), Method::GET, "/v1/hits", None)
        .await;
    let in_queue = queue["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == local_hit.as_str())
        .expect("the hit in tn's review queue");
    assert_eq!(in_queue["federation_notice"], notice.as_str());
    let out = fed_hits(&tn, "cp-a", "out").await;
    let told = out.iter().find(|h| h["hit_id"] == notice.as_str()).unwrap();
    assert_eq!(told["local_hit_id"], local_hit.as_str());
    assert_eq!(told["reference"], full_id.as_str());

    // A manifest goes through the same hook: a local-copy hit is told, a
    // hit/no-hit entry is asked online, a stranger is nobody's hit. (dz's
    // worker records the hit/no-hit entry as shared after the full copy:
    // wait for it, or a loaded machine asks dz before it knows.)
    wait_until("dz shares the hit/no-hit entry with tn", || async {
        dz.store
            .shared_with("tn")
            .await
            .unwrap()
            .iter()
            .any(|(id, _)| *id == asked_id)
    })
    .await;
    let csv = "surname,given_names,birth_date\n\
               HADDAD,KARIM FICTIVE,1980-04-02\n\
               MANSOURI,NADIA FICTIVE,1990-01-12\n\
               STRANGER,PLAIN FICTIVE,1950-01-01\n";
    let resp = tn
        .client
        .post(format!("{}/v1/screen/manifest", tn.base))
        .bearer_auth(tn.token("officer-a"))
        .header("content-type", "text/plain")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let manifest: Value = resp.json().await.unwrap();
    let results = manifest["results"].as_array().unwrap();
    let on_copy = results[0]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] == copy_id.as_str())
        .expect("the copy matches the first traveller");
    let manifest_notice = format!("tn:{}", on_copy["hit_id"].as_str().unwrap());
    assert_eq!(
        results[1]["remote_hits"][0]["reference"],
        asked_id.as_str(),
        "{manifest}"
    );
    assert_eq!(results[1]["remote_hits"][0]["partner"], "dz");
    assert!(results[2].get("remote_hits").is_none(), "{manifest}");
    let remote_notice = results[1]["remote_hits"][0]["hit_id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_until("dz has both manifest notices", || async {
        let at_dz: Vec<Value> = [
            fed_hits(&dz, "cp-a", "in").await,
            fed_hits(&dz, "cp-b", "in").await,
        ]
        .concat();
        at_dz
            .iter()
            .any(|h| h["hit_id"] == manifest_notice.as_str())
            && at_dz.iter().any(|h| h["hit_id"] == remote_notice.as_str())
    })
    .await;

    // Re-screening: tn screened someone before dz shared the entry; the hit
    // raised when the copy arrives is told too.
    let before = screen(&tn, "Omar Fictive Zeroual", "1985-05-05").await;
    assert!(
        before["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["band"] == "none"),
        "{before}"
    );
    let mut late = entry_body(
        "Omar Fictive Zeroual",
        json!({"visibility": "national", "federation": "by-agreement"}),
    );
    late["birth_dates"] = json!(["1985-05-05"]);
    let (s, late) = dz
        .call(Some("cp-a"), Method::POST, "/v1/entries", Some(late))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{late}");
    let late_id = late["id"].as_str().unwrap().to_string();
    wait_until("dz hears of the re-screening hit", || async {
        fed_hits(&dz, "cp-a", "in")
            .await
            .iter()
            .any(|h| h["reference"] == late_id.as_str() && h["partner"] == "tn")
    })
    .await;

    // Each hit was told exactly once (re-screening may have raised more
    // on the screenings made while tn waited for its copy: once all are
    // acknowledged, dz holds each of them once).
    wait_until("dz acknowledged every notice", || async {
        fed_hits(&tn, "cp-a", "out")
            .await
            .iter()
            .all(|h| h["acknowledged_at"].is_string())
    })
    .await;
    let at_dz: Vec<Value> = [
        fed_hits(&dz, "cp-a", "in").await,
        fed_hits(&dz, "cp-b", "in").await,
    ]
    .concat();
    let mut ids: Vec<&str> = at_dz
        .iter()
        .map(|h| h["hit_id"].as_str().unwrap())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "{at_dz:?}");
    let out = fed_hits(&tn, "cp-a", "out").await;
    assert_eq!(out.len(), n, "tn told dz of each of its hits: {out:?}");

    // A check is answered once; the same check again is a replay.
    let check = Envelope::new(
        "tn",
        "dz",
        None,
        OffsetDateTime::now_utc(),
        Payload::Check {
            request_id: "tn:replayed-check:dz".into(),
            traveller: Traveller {
                name: Some("Nadia Fictive Mansouri".into()),
                ..Traveller::default()
            },
        },
    );
    let sealed = serde_json::to_value(SealedDto::from(seal(&tn.state.identity, &check))).unwrap();
    let (s, _) = dz
        .call(None, Method::POST, "/fed/v1/check", Some(sealed.clone()))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, problem) = dz
        .call(None, Method::POST, "/fed/v1/check", Some(sealed))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "urn:tansiq:problem:replay");

    for w in workers {
        w.abort();
    }
    tn.stop().await;
    dz.stop().await;
}

async fn an_unreachable_partner_costs_a_screening_a_bounded_wait(backend: Backend) {
    // A partner whose address accepts connections and never answers.
    let hole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hole_url = format!("http://{}", hole.local_addr().unwrap());
    let tn = Node::start_with(backend, |c| {
        c.node.id = "tn".into();
        c.federation.check_timeout_ms = 200;
        c.federation.check_cooldown_ms = 600_000;
    })
    .await;
    let xx = tansiq_trust::NodeKeys::generate(
        "xx",
        [3; 32],
        OffsetDateTime::now_utc() - time::Duration::hours(1),
    )
    .unwrap();
    tn.store
        .put_partner(
            "xx",
            &hole_url,
            &xx.public_keys(),
            &Agreement::default(),
            &shared(),
        )
        .await
        .unwrap();
    let t0 = Instant::now();
    let first = screen(&tn, "Karimou Fictivo Belhadjar", "1970-01-15").await;
    let first_ms = t0.elapsed().as_millis();
    assert_eq!(
        first["remote_unanswered"],
        json!([{"partner": "xx", "reason": "timeout"}]),
        "{first}"
    );
    // The local answer is whole: the public list still matched.
    assert_eq!(first["matches"][0]["entity_id"], "tl-1", "{first}");
    let t1 = Instant::now();
    let second = screen(&tn, "Karimou Fictivo Belhadjar", "1970-01-15").await;
    let second_ms = t1.elapsed().as_millis();
    assert_eq!(
        second["remote_unanswered"],
        json!([{"partner": "xx", "reason": "cooling-down"}]),
        "{second}"
    );
    let resp = tn
        .client
        .post(format!("{}/v1/screen/manifest", tn.base))
        .bearer_auth(tn.token("officer-a"))
        .header("content-type", "text/plain")
        .body("surname,given_names\nONE,FICTIVE\nTWO,FICTIVE\n")
        .send()
        .await
        .unwrap();
    let manifest: Value = resp.json().await.unwrap();
    for r in manifest["results"].as_array().unwrap() {
        assert_eq!(
            r["remote_unanswered"][0]["reason"], "cooling-down",
            "{manifest}"
        );
    }
    eprintln!(
        "unreachable hit/no-hit partner, check_timeout_ms=200: first screening {first_ms} ms \
         (timed out), second {second_ms} ms (breaker open, not asked)"
    );
    drop(hole);
    tn.stop().await;
}

/// Two nodes, dz sharing with tn under `dz_shares` (tn accepting the
/// same), their workers running.
async fn pair(
    backend: Backend,
    name: &str,
    dz_shares: Agreement,
    tn_accepts: Agreement,
) -> (Node, Node, Vec<tokio::task::JoinHandle<()>>) {
    let tn_backend = another(&backend, name).await;
    let dz = node(backend, "dz").await;
    let tn = node(tn_backend, "tn").await;
    dz.store
        .put_partner(
            "tn",
            &tn.base,
            &tn.state.identity.public_keys(),
            &dz_shares,
            &Agreement::default(),
        )
        .await
        .unwrap();
    tn.store
        .put_partner(
            "dz",
            &dz.base,
            &dz.state.identity.public_keys(),
            &Agreement::default(),
            &tn_accepts,
        )
        .await
        .unwrap();
    let workers = vec![
        tokio::spawn(tansiq_server::run_worker(dz.state.clone())),
        tokio::spawn(tansiq_server::run_worker(tn.state.clone())),
    ];
    (dz, tn, workers)
}

/// Issue 16, finding 9: a screening whose only match is a partner's
/// `arrest` entry (answered by a hit/no-hit check) answered `band:
/// "none"`; its band and action now reflect the remote hit, on
/// `/v1/screen` and in a manifest alike.
async fn a_remote_hit_raises_the_band_and_action(backend: Backend) {
    let (dz, tn, workers) = pair(backend, "fed_tn_band", shared(), shared()).await;
    let mut asked = entry_body(
        "Nadia Fictive Mansouri",
        json!({"visibility": "national", "federation": "by-agreement"}),
    );
    asked["birth_dates"] = json!(["1990-01-12"]);
    let (s, asked) = dz
        .call(Some("cp-b"), Method::POST, "/v1/entries", Some(asked))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{asked}");
    // dz answers checks once its worker has recorded what it shares.
    let start = Instant::now();
    let answer = loop {
        let a = screen(&tn, "Nadia Fictive Mansouri", "1990-01-12").await;
        if a.get("remote_hits").is_some() {
            break a;
        }
        assert!(start.elapsed() < WAIT, "dz never answered a hit: {a}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        answer["remote_hits"][0]["reference"], asked["id"],
        "{answer}"
    );
    assert!(
        answer["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["band"] == "none"),
        "no local match: {answer}"
    );
    assert_ne!(answer["band"], "none", "{answer}");
    assert_eq!(answer["action"], "arrest", "{answer}");
    let resp = tn
        .client
        .post(format!("{}/v1/screen/manifest", tn.base))
        .bearer_auth(tn.token("officer-a"))
        .header("content-type", "text/plain")
        .body("surname,given_names,birth_date\nMANSOURI,NADIA FICTIVE,1990-01-12\n")
        .send()
        .await
        .unwrap();
    let manifest: Value = resp.json().await.unwrap();
    assert_ne!(manifest["band"], "none", "{manifest}");
    assert_ne!(manifest["results"][0]["band"], "none", "{manifest}");
    assert_eq!(manifest["results"][0]["action"], "arrest", "{manifest}");
    for w in workers {
        w.abort();
    }
    tn.stop().await;
    dz.stop().await;
}

/// dz's police entries in full.
fn full_only() -> Agreement {
    agreement(json!({"rules": [{"agencies": [AGENCY_A], "level": "full"}]}))
}

/// Issue 16, finding 7: tn refused dz's full copy (tn accepts dz's police
/// entries only as hit/no-hit), dz marked it delivered and neither side
/// showed anything. The refusal now shows at the sender in
/// `/v1/federation/status` (what `tansiq federation status` prints) and in
/// `/metrics`.
async fn a_refused_copy_reaches_the_sender(backend: Backend) {
    let hit_no_hit = agreement(json!({"rules": [{"agencies": [AGENCY_A], "level": "hit-no-hit"}]}));
    let (dz, tn, workers) = pair(backend, "fed_tn_refuse", full_only(), hit_no_hit).await;
    let body = entry_body(
        "Karim Fictive Haddad",
        json!({"visibility": "national", "federation": "by-agreement"}),
    );
    let (s, created) = dz
        .call(Some("cp-a"), Method::POST, "/v1/entries", Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let start = Instant::now();
    let status = loop {
        let (s, v) = dz
            .call(
                Some("nodeadmin-a"),
                Method::GET,
                "/v1/federation/status",
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["partners"][0]["refused"] == 1 {
            break v;
        }
        assert!(start.elapsed() < WAIT, "dz never showed tn's refusal: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let why = status["partners"][0]["last_refusal"].as_str().unwrap();
    assert!(why.contains("does not allow a full copy"), "{status}");
    // The worker sets the gauge after each round.
    wait_until("dz's /metrics shows the refusal", || async {
        dz.client
            .get(format!("{}/metrics", dz.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("tansiq_federation_messages_refused{partner=\"tn\"} 1")
    })
    .await;
    for w in workers {
        w.abort();
    }
    tn.stop().await;
    dz.stop().await;
}

/// Issue 16, finding 6, through the API: after dz withdraws its entry,
/// tn's analysts find neither the copy's names nor its history.
async fn a_withdrawn_entry_leaves_nothing_readable_at_the_partner(backend: Backend) {
    let (dz, tn, workers) = pair(backend, "fed_tn_purge", full_only(), full_only()).await;
    let mut body = entry_body(
        "Karim Fictive Haddad",
        json!({"visibility": "national", "federation": "by-agreement"}),
    );
    body["legal_basis"]["warrant_number"] = json!("WX-FICTIVE-9090");
    let (s, created) = dz
        .call(Some("cp-a"), Method::POST, "/v1/entries", Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let copy = format!("dz:{id}");
    wait_until("tn holds the copy", || async {
        let (s, _) = tn
            .call(
                Some("analyst-a"),
                Method::GET,
                &format!("/v1/entities/{copy}"),
                None,
            )
            .await;
        s == StatusCode::OK
    })
    .await;
    let version = created["version"].as_i64().unwrap();
    let (s, v) = dz
        .call_if_match(
            "cp-a",
            Method::POST,
            &format!("/v1/entries/{id}/withdraw"),
            Some(json!({"reason": "warrant executed"})),
            version,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    wait_until("tn purged the copy", || async {
        let (_, v) = tn
            .call(
                Some("analyst-a"),
                Method::GET,
                &format!("/v1/entities/{copy}"),
                None,
            )
            .await;
        !v.to_string().contains("Karim")
    })
    .await;
    let (_, v) = tn
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/entities/{copy}"),
            None,
        )
        .await;
    assert!(!v.to_string().contains("WX-FICTIVE-9090"), "{v}");
    let history = tn.store.entity_history(&copy).await.unwrap();
    assert_eq!(history.len(), 1, "only the tombstone: {history:?}");
    let text = format!("{history:?}");
    assert!(
        !text.contains("Karim") && !text.contains("WX-FICTIVE-9090"),
        "{text}"
    );
    let (_, found) = tn
        .call(
            Some("analyst-a"),
            Method::GET,
            "/v1/entities?q=Karim%20Fictive%20Haddad",
            None,
        )
        .await;
    assert!(!found.to_string().contains(&copy), "{found}");
    for w in workers {
        w.abort();
    }
    tn.stop().await;
    dz.stop().await;
}
