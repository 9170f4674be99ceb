//! One subject per person: the same fictitious person listed by the UN,
//! the UK (with the UN reference number) and OFAC (with the UK listing's
//! passport number) is answered once, with its three listings and why they
//! are one; one hit is raised; the action is the most urgent of the
//! listings; yente's `/match` names the merged listings as `referents`. A
//! namesake with no shared identifier stays a subject of its own, and a
//! new version of one list that drops the identifier unlinks it. On SQLite
//! and PostgreSQL.

#[macro_use]
mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node};
use tansiq_model::{ActionOnHit, Entity, Schema, prop};

on_both_backends!(one_subject_one_hit_and_relinking);

const UN_ID: &str = "QDi.990";
const UK_ID: &str = "uk-AQD9990";
const OFAC_ID: &str = "ofac-999001";
const NAMESAKE_ID: &str = "ofac-999002";

fn listing(id: &str, names: &[&str], action: ActionOnHit, props: &[(&str, &str)]) -> Entity {
    let mut e = Entity::new(id, Schema::Person);
    for n in names {
        e.add(prop::NAME, *n);
    }
    e.add(prop::BIRTH_DATE, "1968-07-21");
    for (p, v) in props {
        e.add(p, *v);
    }
    e.action_on_hit = Some(action);
    e
}

async fn import(node: &Node, source: &str, version: &str, entities: Vec<Entity>) {
    node.store
        .import_list(source, version, entities)
        .await
        .unwrap();
    assert!(node.state.refresh_index(Duration::from_secs(60)).await);
}

async fn screen(node: &Node, name: &str) -> Value {
    let (s, answer) = node
        .call(
            Some("officer-a"),
            Method::POST,
            "/v1/screen",
            Some(json!({
                "names": [name],
                "birth_date": "1968-07-21",
                "context": {"border_post": "Port of Fictiville", "direction": "entry"},
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    answer
}

fn ids(answer: &Value) -> Vec<String> {
    answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["band"] != "none")
        .map(|m| m["entity_id"].as_str().unwrap().to_string())
        .collect()
}

async fn one_subject_one_hit_and_relinking(backend: Backend) {
    let node = Node::start(backend).await;
    let name = "Zoubeir Faycal TAMARZIT";
    import(
        &node,
        "un-sc",
        "2026-11-01",
        vec![listing(
            UN_ID,
            &[name],
            ActionOnHit::RefuseEntry,
            &[("unscId", UN_ID)],
        )],
    )
    .await;
    let uk = |with_links: bool| {
        let props: &[(&str, &str)] = if with_links {
            &[("unscId", UN_ID), (prop::PASSPORT_NUMBER, "X7770001")]
        } else {
            &[]
        };
        listing(
            UK_ID,
            &["Zoubeir Faical TAMARZIT"],
            ActionOnHit::SpecificCheck,
            props,
        )
    };
    import(&node, "uk-sanctions", "2026-11-02", vec![uk(true)]).await;
    import(
        &node,
        "ofac-sdn",
        "2026-11-03",
        vec![
            listing(
                OFAC_ID,
                &["Zubair Faysal TAMARZIT"],
                ActionOnHit::Inform,
                &[(prop::PASSPORT_NUMBER, "X 777-0001")],
            ),
            // the same name, no identifier in common: another subject
            listing(
                NAMESAKE_ID,
                &[name],
                ActionOnHit::Inform,
                &[(prop::PASSPORT_NUMBER, "Y1112223")],
            ),
        ],
    )
    .await;

    let answer = screen(&node, name).await;
    let hits = ids(&answer);
    assert_eq!(hits.len(), 2, "one per subject: {answer}");
    assert!(hits.contains(&NAMESAKE_ID.to_string()), "{answer}");
    let subject = answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] != NAMESAKE_ID)
        .unwrap();
    // its best listing, with the other two beside it and why
    let mut all: Vec<&str> = vec![subject["entity_id"].as_str().unwrap()];
    let listings = subject["listings"].as_array().unwrap();
    all.extend(listings.iter().map(|l| l["entity_id"].as_str().unwrap()));
    all.sort();
    assert_eq!(all, [UN_ID, OFAC_ID, UK_ID], "{subject}");
    let reasons: Vec<&str> = listings
        .iter()
        .flat_map(|l| l["linked_by"].as_array().unwrap())
        .map(|k| k["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"same UN reference number QDi.990")
            && reasons.contains(&"same identity document number X7770001"),
        "{reasons:?}"
    );
    // the most urgent action of the three listings
    assert_eq!(subject["action_on_hit"], "refuse-entry", "{subject}");
    assert_eq!(answer["action"], "refuse-entry", "{answer}");
    // one hit for the subject, one for the namesake
    assert!(subject["hit_id"].is_string(), "{subject}");
    let (s, body) = node
        .call(Some("analyst-a"), Method::GET, "/v1/hits", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["hits"].as_array().unwrap().len(), 2, "{body}");
    let (_, hit) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{}", subject["hit_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        hit.to_string().contains(UK_ID) && hit.to_string().contains(OFAC_ID),
        "the hit keeps the subject's listings: {hit}"
    );

    // yente: one result for the subject, the others as referents
    let (s, m) = node
        .call(
            Some("analyst-a"),
            Method::POST,
            "/match/default",
            Some(json!({"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let results = m["responses"]["q"]["results"].as_array().unwrap();
    let merged = results
        .iter()
        .find(|r| r["id"] != NAMESAKE_ID)
        .expect("the subject");
    let mut referents: Vec<&str> = merged["referents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    referents.push(merged["id"].as_str().unwrap());
    referents.sort();
    assert_eq!(referents, [UN_ID, OFAC_ID, UK_ID], "{merged}");
    assert_eq!(
        results.iter().filter(|r| r["id"] != NAMESAKE_ID).count(),
        1,
        "{m}"
    );
    assert!(
        merged["listings"].as_array().unwrap().len() == 2,
        "{merged}"
    );

    // a new UK version without the reference and the passport: UN, UK and
    // OFAC are three subjects again
    import(&node, "uk-sanctions", "2026-11-04", vec![uk(false)]).await;
    let answer = screen(&node, name).await;
    let all: Vec<&str> = answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity_id"].as_str().unwrap())
        .collect();
    for id in [UN_ID, UK_ID, OFAC_ID, NAMESAKE_ID] {
        assert!(all.contains(&id), "{id} answered on its own: {answer}");
    }
    for m in answer["matches"].as_array().unwrap() {
        assert!(m.get("listings").is_none(), "unlinked: {m}");
    }
    node.stop().await;
}
