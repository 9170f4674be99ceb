//! The ecosystem APIs over HTTP: yente's `/match`, `/search`, `/entities`,
//! `/algorithms`, `/catalog` replayed with the request shapes of yente's
//! documentation (fictitious names), the W3C Reconciliation manifest and
//! a query round trip, the `ApiKey` scheme, roles, and agency isolation
//! through every one of these routes. Each scenario runs on SQLite and on
//! PostgreSQL (`TANSIQ_TEST_POSTGRES`; skipped outside CI when unset).

#[macro_use]
mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node, USERS, entry_body};
use tansiq_model::{Applies, Entity, LegalBasis, Measures, Schema, prop};
use tansiq_store::Role;

on_both_backends!(
    yente_match_documented_examples,
    yente_match_parameters,
    yente_cutoff_drops_scores_at_or_below_it,
    yente_search_entities_catalog,
    yente_listing_as_sanction_times_and_adjacency,
    yente_updatez_and_statements,
    reconciliation_manifest_and_round_trip,
    reconciliation_suggest_preview_extend,
    cross_origin_on_ecosystem_routes_only,
    roles_on_ecosystem_routes,
    agency_isolation_through_ecosystem_routes,
);

/// Sends a request with `Authorization: ApiKey <key>` (yente's clients'
/// scheme) or none; returns status and JSON body.
async fn yente(
    node: &Node,
    user: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = node.client.request(method, format!("{}{path}", node.base));
    if let Some(u) = user {
        req = req.header("Authorization", format!("ApiKey {}", node.token(u)));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = resp.text().await.unwrap();
    if !status.is_success() {
        assert_eq!(ctype, "application/problem+json", "{path}: {status} {text}");
    }
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// POSTs a reconciliation form (`queries=<json>`), as OpenRefine does.
async fn reconcile_post(
    node: &Node,
    user: Option<&str>,
    path: &str,
    form: &str,
) -> (StatusCode, Value) {
    let mut req = node
        .client
        .post(format!("{}{path}", node.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_string());
    if let Some(u) = user {
        req = req.bearer_auth(node.token(u));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn result_ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The example of yente's `/match` documentation (`yente/routers/match.py`),
/// a Person and a Company, with fictitious names: the listed person comes
/// first and matches; the company matches nothing.
async fn yente_match_documented_examples(backend: Backend) {
    let node = Node::start(backend).await;
    let body = json!({
        "queries": {
            "entity1": {
                "schema": "Person",
                "properties": {
                    "name": ["Karimou Belhadjar"],
                    "birthDate": ["1970-01-15"],
                    "nationality": ["dz"]
                }
            },
            "entity2": {
                "schema": "Company",
                "properties": {
                    "name": ["Brilliant Imaginary Limited"],
                    "jurisdiction": ["hk"],
                    "registrationNumber": ["84BA99810"]
                }
            }
        }
    });
    let (s, r) = yente(
        &node,
        Some("officer-a"),
        Method::POST,
        "/match/default",
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let person = &r["responses"]["entity1"];
    assert_eq!(person["status"], 200);
    let top = &person["results"][0];
    assert_eq!(top["id"], "tl-1", "{person}");
    assert_eq!(top["schema"], "Person");
    assert_eq!(top["caption"], "Karimou Fictivo Belhadjar");
    assert_eq!(top["datasets"], json!(["testlist"]));
    assert_eq!(top["target"], true);
    assert_eq!(top["match"], true, "{top}");
    assert!(top["score"].as_f64().unwrap() >= 0.8, "{top}");
    assert_eq!(top["properties"]["birthDate"], json!(["1970-01-15"]));
    // Features: the name score and the date-of-birth evidence.
    assert!(
        top["features"]["name_match"].as_f64().unwrap() > 0.5,
        "{top}"
    );
    assert!(
        top["features"]["birth_date"].as_f64().unwrap() >= 0.0,
        "{top}"
    );
    assert_eq!(
        top["explanations"]["name_match"]["candidate"],
        "Karimou Fictivo Belhadjar"
    );
    assert_eq!(
        top["explanations"]["name_match"]["query"],
        "Karimou Belhadjar"
    );
    // The example as understood is echoed.
    assert_eq!(person["query"]["schema"], "Person");
    assert_eq!(
        person["query"]["properties"]["name"],
        json!(["Karimou Belhadjar"])
    );
    assert_eq!(person["total"]["relation"], "eq");
    let company = &r["responses"]["entity2"];
    assert!(
        company["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["match"] == false),
        "{company}"
    );
    // The algorithm that answered is named, and its features documented.
    assert_eq!(r["algorithm"]["name"], "tansiq");
    assert_eq!(r["algorithm"]["requested"], "best");
    assert!(r["matcher"]["name_match"]["description"].is_string());
    assert_eq!(r["limit"], 5);
    assert_eq!(r["threshold"], 0.8);
    // Audited, with the traveller data and the answer.
    let id = r["screening_id"].as_str().unwrap();
    let event = node
        .audit
        .events()
        .into_iter()
        .find(|e| e.action == "screen.match" && e.target.as_deref() == Some(id))
        .expect("the screening is audited");
    assert_eq!(event.actor, "officer-a");
    assert_eq!(event.detail["queries"][0]["matches"][0]["id"], "tl-1");
    assert_eq!(
        event.detail["queries"][0]["traveller"]["names"],
        json!(["Karimou Belhadjar"])
    );
    node.stop().await;
}

async fn yente_match_parameters(backend: Backend) {
    let node = Node::start(backend).await;
    let query = |props: Value| json!({"queries": {"q": {"schema": "Person", "properties": props}}});
    let karimou = query(json!({"name": "Karimou Belhadjar", "birthDate": "1970"}));
    let call = |path: &'static str, body: Value| {
        let node = &node;
        async move { yente(node, Some("analyst-a"), Method::POST, path, Some(body)).await }
    };
    // threshold decides `match`, not whether a result is shown.
    let (s, r) = call(
        "/match/default?threshold=1.0&algorithm=logic-v2",
        karimou.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let top = &r["responses"]["q"]["results"][0];
    assert_eq!(top["id"], "tl-1");
    assert_eq!(top["match"], false, "{top}");
    assert_eq!(r["algorithm"]["requested"], "logic-v2");
    assert_eq!(r["algorithm"]["name"], "tansiq");
    // A list source is a dataset; national entries another.
    let (s, r) = call("/match/testlist", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["responses"]["q"]["results"][0]["id"], "tl-1");
    let (s, r) = call("/match/national", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(result_ids(&r["responses"]["q"]), Vec::<String>::new());
    let (s, r) = call("/match/default?exclude_dataset=testlist", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(result_ids(&r["responses"]["q"]), Vec::<String>::new());
    let (s, r) = call("/match/default?exclude_entity_ids=tl-1", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!result_ids(&r["responses"]["q"]).contains(&"tl-1".to_string()));
    let (s, r) = call("/match/default?exclude_schema=Person", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(result_ids(&r["responses"]["q"]), Vec::<String>::new());
    // nomenklatura's enricher sends `fuzzy`.
    let (s, _) = call("/match/default?fuzzy=false&limit=1", karimou.clone()).await;
    assert_eq!(s, StatusCode::OK);
    // First names and last names are composed into a name.
    let (s, r) = call(
        "/match/default",
        query(json!({"firstName": ["Nadirah"], "lastName": ["Soltanova"], "birthDate": ["1982-07-30"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["responses"]["q"]["results"][0]["id"], "tl-2");
    // Bad input is a problem naming the field.
    for (path, body, status, field) in [
        (
            "/match/nowhere",
            karimou.clone(),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "/match/default?algorithm=magic",
            karimou.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("algorithm"),
        ),
        (
            "/match/default?threshold=2",
            karimou.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("threshold"),
        ),
        (
            "/match/default?limit=0",
            karimou.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("limit"),
        ),
        (
            "/match/default?treshold=0.5",
            karimou.clone(),
            StatusCode::BAD_REQUEST,
            Some("treshold"),
        ),
        (
            "/match/default?include_dataset=nowhere",
            karimou.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("include_dataset"),
        ),
        (
            "/match/default?changed_since=2026-01-01",
            karimou.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("changed_since"),
        ),
        (
            "/match/default",
            query(json!({"name": "Karimou Belhadjar", "birthDate": ["15/01/1970"]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("queries.q.properties.birthDate[0]"),
        ),
        (
            "/match/default",
            query(json!({"birthDate": ["1970"]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("queries.q.properties.name"),
        ),
        (
            "/match/default",
            json!({"queries": {"q": {"schema": "Spaceship", "properties": {"name": "X"}}}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("queries.q.schema"),
        ),
        (
            "/match/default",
            json!({"queries": {"q": {"schema": "Person", "properties": {"name": "Karimou Belhadjar"}}}, "weights": {"name_literal": 0.8}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("weights"),
        ),
        (
            "/match/default",
            json!({"queries": {}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("queries"),
        ),
    ] {
        let (s, r) = call(path, body).await;
        assert_eq!(s, status, "{path}: {r}");
        if let Some(f) = field {
            assert_eq!(r["field"], f, "{path}: {r}");
        }
    }
    node.stop().await;
}

async fn yente_search_entities_catalog(backend: Backend) {
    let node = Node::start(backend).await;
    let (s, r) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/search/default?q=Belhadjar&limit=5",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["results"][0]["id"], "tl-1");
    assert_eq!(r["limit"], 5);
    assert_eq!(r["offset"], 0);
    assert!(r["total"]["value"].as_u64().unwrap() >= 1);
    let datasets = &r["facets"]["datasets"]["values"];
    assert_eq!(datasets[0]["name"], "testlist", "{r}");
    assert_eq!(r["facets"]["countries"]["values"][0]["name"], "dz");
    let (s, r) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/search/default?q=Belhadjar&schema=Organization",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["results"], json!([]));
    let (s, r) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/search/default?q=Belhadjar&countries=fr",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["results"], json!([]));
    let (s, r) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/search/default",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "q");
    let (s, _) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/search/nowhere?q=x",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, r) = yente(
        &node,
        Some("officer-a"),
        Method::GET,
        "/entities/tl-2?nested=true",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["id"], "tl-2");
    assert_eq!(r["caption"], "Nadirah Imaginé Soltanova");
    assert_eq!(r["schema"], "Person");
    assert_eq!(r["datasets"], json!(["testlist"]));
    assert_eq!(r["properties"]["nationality"], json!(["dz"]));
    let (s, _) = yente(
        &node,
        Some("officer-a"),
        Method::GET,
        "/entities/tl-404",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let audited = node.audit.events();
    assert!(audited.iter().any(|e| e.action == "entity.view"
        && e.target.as_deref() == Some("tl-2")
        && e.outcome == "ok"));
    assert!(audited.iter().any(|e| e.action == "entity.view"
        && e.target.as_deref() == Some("tl-404")
        && e.outcome == "not-found"));
    assert!(
        audited
            .iter()
            .any(|e| e.action == "entity.search" && e.detail["q"] == "Belhadjar")
    );

    let (s, r) = yente(&node, Some("officer-a"), Method::GET, "/algorithms", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["best"], "tansiq");
    assert_eq!(r["algorithms"][0]["name"], "tansiq");
    let (s, r) = yente(&node, Some("officer-a"), Method::GET, "/catalog", None).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = r["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"default") && names.contains(&"testlist") && names.contains(&"national"),
        "{r}"
    );
    let testlist = r["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "testlist")
        .unwrap();
    assert_eq!(testlist["entity_count"], 3);
    assert_eq!(testlist["version"], "2026-11-01");

    // The ApiKey scheme is the same key as Bearer, everywhere.
    let (s, r) = yente(&node, Some("auditor-a"), Method::GET, "/v1/me", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["user"]["id"], "auditor-a");
    let resp = node
        .client
        .get(format!("{}/v1/me", node.base))
        .header("Authorization", "ApiKey tsq_0123456789abcdef_00")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    node.stop().await;
}

/// The manifest and a query round trip as the W3C Reconciliation API 0.2
/// describes them: a form field `queries` holding a JSON object of
/// queries, answered with `result` lists of `id`, `name`, `type`, `score`
/// and `match`.
async fn reconciliation_manifest_and_round_trip(backend: Backend) {
    let node = Node::start(backend).await;
    let (s, m) = node
        .call(Some("officer-a"), Method::GET, "/reconcile", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert!(m["versions"].as_array().unwrap().contains(&json!("0.2")));
    for key in ["name", "identifierSpace", "schemaSpace"] {
        assert!(m[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {m}");
    }
    assert!(
        m["defaultTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "Person")
    );
    assert_eq!(
        m["authentication"],
        json!({"type": "apiKey", "name": "api_key", "in": "query"})
    );
    // OpenRefine's way: the key in the URL, no header.
    let url = format!(
        "{}/reconcile/testlist?api_key={}",
        node.base,
        node.token("officer-a")
    );
    let resp = node.client.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = node
        .client
        .get(format!("{}/reconcile", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    let queries = json!({
        "q0": {"query": "Karimou Belhadjar", "type": "Person", "limit": 3,
               "properties": [{"pid": "birthDate", "v": "1970-01-15"}, {"pid": "Person:nationality", "v": ["dz"]}]},
        "q1": {"query": "Mohamed Ali", "type": "Person", "type_strict": "should"},
        "q2": {"query": "Ouarda Benmakhlouf"}
    })
    .to_string();
    let form = format!("queries={}", form_encode(&queries));
    let (s, r) = reconcile_post(&node, Some("officer-a"), "/reconcile", &form).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let top = &r["q0"]["result"][0];
    assert_eq!(top["id"], "tl-1", "{r}");
    assert_eq!(top["name"], "Karimou Fictivo Belhadjar");
    assert_eq!(top["type"], json!([{"id": "Person", "name": "People"}]));
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap() >= 0.8);
    assert!(
        top["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "name_match")
    );
    assert!(r["q0"]["result"].as_array().unwrap().len() <= 3);
    assert!(
        r["q1"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["match"] == false),
        "{r}"
    );
    assert_eq!(r["q2"]["result"][0]["id"], "tl-3", "{r}");
    // The same batch as a GET (Reconciliation API 0.1 style).
    let (s, g) = node
        .call(
            Some("officer-a"),
            Method::GET,
            &format!("/reconcile?queries={}", form_encode(&queries)),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["q0"]["result"][0]["id"], "tl-1");
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "screen.reconcile" && e.detail["queries"][0]["key"] == "q0")
    );
    // Bad input.
    let (s, r) = reconcile_post(
        &node,
        Some("officer-a"),
        "/reconcile",
        "queries=%7Bnot+json",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(r["field"], "queries");
    let bad_type = json!({"q0": {"query": "X Y", "type": "Spaceship"}}).to_string();
    let (s, r) = reconcile_post(
        &node,
        Some("officer-a"),
        "/reconcile",
        &format!("queries={}", form_encode(&bad_type)),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "queries.q0.schema");
    let (s, r) = reconcile_post(&node, Some("officer-a"), "/reconcile", "extend=%7B%7D").await;
    assert!(s.is_client_error(), "{r}");
    assert_eq!(r["field"], "extend.ids");
    let (s, _) = reconcile_post(&node, Some("officer-a"), "/reconcile/nowhere", &form).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resp = node
        .client
        .post(format!("{}/reconcile", node.base))
        .bearer_auth(node.token("officer-a"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    node.stop().await;
}

async fn roles_on_ecosystem_routes(backend: Backend) {
    let node = Node::start(backend).await;
    use Role::*;
    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Karimou Belhadjar"]}}}});
    let cases: Vec<(Method, &str, Option<Value>, &[Role])> = vec![
        (
            Method::POST,
            "/match/default",
            Some(body),
            &[Officer, Analyst],
        ),
        (
            Method::GET,
            "/search/default?q=Belhadjar",
            None,
            &[Analyst, ContactPoint],
        ),
        (
            Method::GET,
            "/entities/tl-1",
            None,
            &[Analyst, ContactPoint, Officer],
        ),
        (Method::GET, "/reconcile", None, &[Officer, Analyst]),
        (
            Method::GET,
            "/reconcile/default?queries=%7B%22q%22%3A%7B%22query%22%3A%22Karimou%22%7D%7D",
            None,
            &[Officer, Analyst],
        ),
        (
            Method::GET,
            "/algorithms",
            None,
            &[Officer, Analyst, ContactPoint],
        ),
        (
            Method::GET,
            "/catalog",
            None,
            &[Officer, Analyst, ContactPoint],
        ),
        (
            Method::GET,
            "/entities/tl-1/adjacent",
            None,
            &[Analyst, ContactPoint, Officer],
        ),
        (
            Method::GET,
            "/reconcile/default/suggest/entity?prefix=Karimou",
            None,
            &[Officer, Analyst],
        ),
        (
            Method::GET,
            "/reconcile/default/preview?id=tl-1",
            None,
            &[Officer, Analyst],
        ),
        (
            Method::GET,
            "/reconcile/default/properties?type=Person",
            None,
            &[Officer, Analyst],
        ),
        (Method::POST, "/updatez", None, &[NodeAdmin]),
    ];
    for (user, _, role) in USERS.iter().filter(|(_, a, _)| *a == support::AGENCY_A) {
        for (method, path, body, allowed) in &cases {
            let (s, r) = yente(&node, Some(user), method.clone(), path, body.clone()).await;
            if allowed.contains(role) {
                assert!(s.is_success(), "{user} {method} {path}: {s} {r}");
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{user} {method} {path}: {r}");
            }
        }
    }
    for (method, path, body, _) in &cases {
        let (s, _) = yente(&node, None, method.clone(), path, body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    node.stop().await;
}

/// An entry its originating agency keeps to itself is absent from every
/// answer to another agency, and its id answers 404 like a missing one.
async fn agency_isolation_through_ecosystem_routes(backend: Backend) {
    let node = Node::start(backend).await;
    let (s, body) = node
        .call(
            Some("cp-a"),
            Method::POST,
            "/v1/entries",
            Some(entry_body(
                "Yazid Fictif Oumerzouk",
                json!({"visibility": "originator"}),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let hidden = body["id"].as_str().unwrap().to_string();
    let example = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Yazid Oumerzouk"], "birthDate": ["1979-04-02"]}}}});
    for (user, sees) in [
        ("officer-a", true),
        ("officer-b", false),
        ("analyst-b", false),
    ] {
        for dataset in ["default", "national"] {
            let (s, r) = yente(
                &node,
                Some(user),
                Method::POST,
                &format!("/match/{dataset}"),
                Some(example.clone()),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{r}");
            let ids = result_ids(&r["responses"]["q"]);
            assert_eq!(ids.contains(&hidden), sees, "{user} /match/{dataset}: {r}");
            if sees {
                assert_eq!(r["responses"]["q"]["results"][0]["match"], true, "{r}");
                assert_eq!(r["responses"]["q"]["results"][0]["action_on_hit"], "arrest");
            }
        }
        let q = json!({"q0": {"query": "Yazid Oumerzouk"}}).to_string();
        let (s, r) = reconcile_post(
            &node,
            Some(user),
            "/reconcile",
            &format!("queries={}", form_encode(&q)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let found = r["q0"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == hidden.as_str());
        assert_eq!(found, sees, "{user} /reconcile: {r}");
    }
    for (user, sees) in [("analyst-a", true), ("analyst-b", false), ("cp-b", false)] {
        let (s, r) = yente(
            &node,
            Some(user),
            Method::GET,
            "/search/default?q=Oumerzouk",
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            result_ids(&r).contains(&hidden),
            sees,
            "{user} /search: {r}"
        );
        // Facets count only what the caller may see.
        let national = r["facets"]["datasets"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "national");
        assert_eq!(national, sees, "{user}: {r}");
        let (s, r) = yente(
            &node,
            Some(user),
            Method::GET,
            &format!("/entities/{hidden}"),
            None,
        )
        .await;
        if sees {
            assert_eq!(s, StatusCode::OK, "{r}");
            assert_eq!(r["datasets"], json!(["national"]));
        } else {
            let (s2, missing) = yente(
                &node,
                Some(user),
                Method::GET,
                "/entities/dz-police-nothing",
                None,
            )
            .await;
            assert_eq!((s, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
            assert_eq!(r, missing, "a hidden entry is answered like a missing one");
        }
    }
    // The reconciliation services and the listing routes, alike.
    for (user, sees) in [
        ("officer-a", true),
        ("officer-b", false),
        ("analyst-b", false),
    ] {
        let (s, r) = node
            .call(
                Some(user),
                Method::GET,
                "/reconcile/default/suggest/entity?prefix=Oumerzouk",
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let suggested = r["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == hidden.as_str());
        assert_eq!(suggested, sees, "{user} suggest: {r}");
        let (s, r) = node
            .call(
                Some(user),
                Method::GET,
                &format!("/reconcile/default/preview?id={hidden}"),
                None,
            )
            .await;
        let (s2, missing) = node
            .call(
                Some(user),
                Method::GET,
                "/reconcile/default/preview?id=dz-police-nothing",
                None,
            )
            .await;
        if sees {
            assert_eq!(s, StatusCode::OK);
        } else {
            assert_eq!((s, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
            assert_eq!(r, missing, "a hidden preview is a missing one");
        }
        let extend = json!({"ids": [hidden.as_str()], "properties": [{"id": "name"}]}).to_string();
        let (s, r) = reconcile_post(
            &node,
            Some(user),
            "/reconcile",
            &format!("extend={}", form_encode(&extend)),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let names = r["rows"][hidden.as_str()]["name"].as_array().unwrap().len();
        assert_eq!(names > 0, sees, "{user} extend: {r}");
        for path in [
            format!("/entities/{hidden}-sanction"),
            format!("/entities/{hidden}/adjacent"),
            format!("/entities/{hidden}/adjacent/sanctions"),
        ] {
            let (s, r) = yente(&node, Some(user), Method::GET, &path, None).await;
            if sees {
                assert_eq!(s, StatusCode::OK, "{user} {path}: {r}");
            } else {
                assert_eq!(s, StatusCode::NOT_FOUND, "{user} {path}: {r}");
            }
        }
    }
    let (_, r) = yente(
        &node,
        Some("officer-a"),
        Method::GET,
        &format!("/entities/{hidden}"),
        None,
    )
    .await;
    let sanction = &r["properties"]["sanctions"][0]["properties"];
    assert_eq!(sanction["authority"], json!([support::AGENCY_A]), "{r}");
    assert_eq!(sanction["authorityId"], json!(["W-2026-001"]), "{r}");
    assert_eq!(
        sanction["provisions"],
        json!(["Action on hit: arrest"]),
        "{r}"
    );
    // The catalog never counts national entries.
    let (_, r) = yente(&node, Some("officer-b"), Method::GET, "/catalog", None).await;
    let national = r["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "national")
        .unwrap();
    assert!(national.get("entity_count").is_none(), "{r}");
    node.stop().await;
}

/// A fictitious sanctions list whose one listing has a regime, measures,
/// an authority's reference and a listing date (as the UN importer
/// writes them), imported beside the test list; the index is live with it.
async fn import_sanctions(node: &Node) {
    let mut e = Entity::new("un-fict-1", Schema::Person);
    e.add(prop::NAME, "Zoubeir Fictivo Haddoumi");
    e.add(prop::BIRTH_DATE, "1961-03-09");
    e.add(prop::NATIONALITY, "iq");
    e.add(prop::TOPICS, "sanction");
    e.provenance.source_record_id = Some("IQi.999".into());
    e.provenance.listed_on = Some("2004-04-07".into());
    e.legal_basis = Some(LegalBasis {
        regime: Some("UN 1518 (Iraq)".into()),
        measures: Some(Measures {
            travel_ban: Applies::No,
            asset_freeze: Applies::Yes,
            arms_embargo: Applies::Verify,
            from: "regime table".into(),
        }),
        ..LegalBasis::default()
    });
    e.action_on_hit = Some(tansiq_model::ActionOnHit::Inform);
    node.store
        .import_list(tansiq_lists::UN_SOURCE, "2026-02-27", vec![e])
        .await
        .unwrap();
    assert!(node.state.refresh_index(Duration::from_secs(60)).await);
}

fn is_rfc3339_utc(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 20
            && s.ends_with('Z')
            && s.as_bytes()[10] == b'T'
            && s[..4].parse::<u16>().is_ok()
    })
}

/// yente's `cutoff`: a result scoring at or below it is never returned,
/// whatever the threshold; above it, it is.
async fn yente_cutoff_drops_scores_at_or_below_it(backend: Backend) {
    let node = Node::start(backend).await;
    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Karimou Belhadjar"], "birthDate": ["1970"]}}}});
    let call = |path: String| {
        let node = &node;
        let body = body.clone();
        async move { yente(node, Some("analyst-a"), Method::POST, &path, Some(body)).await }
    };
    let (s, r) = call("/match/default?cutoff=0".into()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let results = r["responses"]["q"]["results"].as_array().unwrap().clone();
    assert_eq!(results[0]["id"], "tl-1");
    let top = results[0]["score"].as_f64().unwrap();
    assert!(results.iter().all(|x| x["score"].as_f64().unwrap() > 0.0));
    // Exactly the top score: dropped (yente drops score <= cutoff).
    let (_, r) = call(format!("/match/default?cutoff={top}")).await;
    assert!(
        !result_ids(&r["responses"]["q"]).contains(&"tl-1".to_string()),
        "{r}"
    );
    let (_, r) = call(format!("/match/default?cutoff={}", top - 0.001)).await;
    assert_eq!(r["responses"]["q"]["results"][0]["id"], "tl-1", "{r}");
    // A lower threshold does not lower the cutoff.
    let (s, r) = call(format!("/match/default?threshold=0.1&cutoff={top}")).await;
    assert_eq!(s, StatusCode::OK);
    for x in r["responses"]["q"]["results"].as_array().unwrap() {
        assert!(x["score"].as_f64().unwrap() > top, "{r}");
    }
    // Every result of the default cutoff scores above it.
    let (_, r) = call("/match/default".into()).await;
    for x in r["responses"]["q"]["results"].as_array().unwrap() {
        assert!(x["score"].as_f64().unwrap() > 0.5, "{r}");
    }
    let (s, r) = call("/match/default?cutoff=1.5".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "cutoff");
    node.stop().await;
}

/// `nested=true` (the default) inlines the listing as a FollowTheMoney
/// `Sanction` (programme, authority, listing date, measures); the listing
/// has an id of its own; `/adjacent` pages it; every entity answer carries
/// `first_seen`, `last_seen` and `last_change`; `/search` carries scores
/// and readable facet labels.
async fn yente_listing_as_sanction_times_and_adjacency(backend: Backend) {
    let node = Node::start(backend).await;
    import_sanctions(&node).await;
    let get = |path: String| {
        let node = &node;
        async move { yente(node, Some("analyst-a"), Method::GET, &path, None).await }
    };
    let (s, r) = get("/entities/un-fict-1".into()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    for t in ["first_seen", "last_seen", "last_change"] {
        assert!(is_rfc3339_utc(&r[t]), "{t}: {r}");
    }
    let sanction = &r["properties"]["sanctions"][0];
    assert_eq!(sanction["schema"], "Sanction", "{r}");
    assert_eq!(sanction["id"], "un-fict-1-sanction");
    assert_eq!(sanction["properties"]["program"], json!(["UN 1518 (Iraq)"]));
    assert_eq!(
        sanction["properties"]["authority"],
        json!(["United Nations Security Council"])
    );
    assert_eq!(sanction["properties"]["authorityId"], json!(["IQi.999"]));
    assert_eq!(sanction["properties"]["listingDate"], json!(["2004-04-07"]));
    assert_eq!(
        sanction["properties"]["provisions"],
        json!(["Asset freeze", "Arms embargo (to verify)"])
    );
    assert!(sanction["properties"].get("entity").is_none(), "{sanction}");
    assert_eq!(sanction["datasets"], json!(["un-sc"]));
    // The way back is not inlined; the name and dates stay strings.
    assert_eq!(r["properties"]["name"], json!(["Zoubeir Fictivo Haddoumi"]));
    let (_, flat) = get("/entities/un-fict-1?nested=false".into()).await;
    assert!(flat["properties"].get("sanctions").is_none(), "{flat}");
    assert_eq!(flat["first_seen"], r["first_seen"]);
    // The listing is an entity of its own, under its subject's visibility.
    let (s, l) = get("/entities/un-fict-1-sanction?nested=false".into()).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["schema"], "Sanction");
    assert_eq!(l["properties"]["entity"], json!(["un-fict-1"]));
    let (_, l) = get("/entities/un-fict-1-sanction".into()).await;
    assert_eq!(l["properties"]["entity"][0]["id"], "un-fict-1", "{l}");
    // A list's last_seen is its last import; a national entry's its change.
    let (_, r) = get("/entities/tl-1".into()).await;
    assert!(is_rfc3339_utc(&r["last_seen"]), "{r}");
    assert_eq!(
        r["properties"]["sanctions"][0]["properties"]["program"],
        json!(["Listed on testlist"])
    );

    let (s, a) = get("/entities/un-fict-1/adjacent".into()).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["entity"]["id"], "un-fict-1");
    assert!(a["entity"]["properties"].get("sanctions").is_none());
    let page = &a["adjacent"]["sanctions"];
    assert_eq!(page["total"], json!({"value": 1, "relation": "eq"}));
    assert_eq!(page["results"][0]["schema"], "Sanction");
    assert_eq!(page["limit"], 10);
    let (s, a) =
        get("/entities/un-fict-1/adjacent/sanctions?limit=5&offset=1&sort=_doc".into()).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["results"], json!([]));
    assert_eq!(a["total"]["value"], 1);
    assert_eq!(a["offset"], 1);
    let (s, _) = get("/entities/un-fict-1/adjacent/ownershipOwner".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get("/entities/nobody/adjacent".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, r) = get("/entities/un-fict-1/adjacent?limit=501".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "limit");

    // /match and /search answers carry the times too; search its scores.
    let (_, m) = yente(
        &node,
        Some("analyst-a"),
        Method::POST,
        "/match/un-sc",
        Some(json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Zoubeir Haddoumi"]}}}})),
    )
    .await;
    let top = &m["responses"]["q"]["results"][0];
    assert_eq!(top["id"], "un-fict-1", "{m}");
    assert!(is_rfc3339_utc(&top["last_change"]), "{top}");
    let (s, r) = get("/search/default?q=Haddoumi".into()).await;
    assert_eq!(s, StatusCode::OK);
    let hit = &r["results"][0];
    assert_eq!(hit["id"], "un-fict-1");
    assert!(hit["score"].as_f64().unwrap() > 0.5, "{hit}");
    assert!(is_rfc3339_utc(&hit["first_seen"]), "{hit}");
    let countries = &r["facets"]["countries"];
    assert_eq!(countries["label"], "Countries");
    assert_eq!(
        countries["values"][0],
        json!({"name": "iq", "label": "Iraq", "count": 1})
    );
    assert_eq!(
        r["facets"]["topics"]["values"][0],
        json!({"name": "sanction", "label": "Sanctioned entity", "count": 1})
    );
    assert_eq!(r["facets"]["datasets"]["values"][0]["label"], "List un-sc");
    let (_, r) = get("/search/default?q=Belhadjar".into()).await;
    assert_eq!(r["facets"]["countries"]["values"][0]["label"], "Algeria");
    // Views are audited as views, adjacency included.
    assert!(node.audit.events().iter().any(|e| e.action == "entity.view"
        && e.target.as_deref() == Some("un-fict-1")
        && e.detail["view"] == "adjacent"));
    node.stop().await;
}

/// `/updatez` updates the declared sources for a node administrator (key
/// in `Authorization` or yente's `?token=`); `/statements` is refused with
/// its reason, as a problem.
async fn yente_updatez_and_statements(backend: Backend) {
    let node = Node::start_with(backend, support::fixture_source).await;
    let (s, r) = yente(
        &node,
        Some("analyst-a"),
        Method::GET,
        "/statements?entity_id=tl-1",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{r}");
    assert_eq!(r["type"], "urn:tansiq:problem:not-supported", "{r}");
    assert!(
        r["detail"]
            .as_str()
            .unwrap()
            .contains("does not serve statements")
    );
    let (s, _) = yente(&node, Some("auditor-a"), Method::GET, "/statements", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, _) = yente(&node, Some("officer-a"), Method::POST, "/updatez", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = yente(&node, None, Method::POST, "/updatez", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, r) = yente(
        &node,
        Some("nodeadmin-a"),
        Method::POST,
        "/updatez?sync=true",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "ok");
    assert_eq!(r["sources"][0]["source"], "fixture-list", "{r}");
    assert_eq!(r["sources"][0]["outcome"], "imported", "{r}");
    // yente's way: the token in the query, no header.
    let resp = node
        .client
        .post(format!(
            "{}/updatez?token={}&sync=true",
            node.base,
            node.token("nodeadmin-a")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let r: Value = resp.json().await.unwrap();
    assert_ne!(r["sources"][0]["outcome"], "imported", "{r}");
    let (s, r) = yente(&node, Some("nodeadmin-a"), Method::POST, "/updatez", None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["sources"], json!([]));
    assert!(
        node.audit
            .events()
            .iter()
            .any(|e| e.action == "source.update"
                && e.actor == "nodeadmin-a"
                && e.target.as_deref() == Some("fixture-list"))
    );
    node.stop().await;
}

/// The manifest advertises view, preview, suggest (entity, type,
/// property) and extend; each answers as the Reconciliation API 0.2
/// describes, and suggestions and extensions are audited.
async fn reconciliation_suggest_preview_extend(backend: Backend) {
    let node = Node::start(backend).await;
    import_sanctions(&node).await;
    let (s, m) = node
        .call(Some("officer-a"), Method::GET, "/reconcile", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let host = node.base.trim_start_matches("http://");
    let base = format!("http://{host}");
    assert_eq!(m["view"]["url"], format!("{base}/entities/{{{{id}}}}"));
    assert_eq!(
        m["preview"]["url"],
        format!("{base}/reconcile/default/preview?id={{{{id}}}}")
    );
    assert!(m["preview"]["width"].as_u64().unwrap() > 0);
    for (kind, path) in [
        ("entity", "suggest/entity"),
        ("type", "suggest/type"),
        ("property", "suggest/property"),
    ] {
        assert_eq!(m["suggest"][kind]["service_url"], base.as_str(), "{m}");
        assert_eq!(
            m["suggest"][kind]["service_path"],
            format!("/reconcile/default/{path}")
        );
    }
    assert_eq!(
        m["extend"]["propose_properties"]["service_path"],
        "/reconcile/default/properties"
    );
    let (_, m) = node
        .call(Some("officer-a"), Method::GET, "/reconcile/un-sc", None)
        .await;
    assert_eq!(
        m["suggest"]["entity"]["service_path"],
        "/reconcile/un-sc/suggest/entity"
    );

    let get = |path: String| {
        let node = &node;
        async move { node.call(Some("officer-a"), Method::GET, &path, None).await }
    };
    let (s, r) = get("/reconcile/default/suggest/entity?prefix=Belhadjar".into()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["result"][0]["id"], "tl-1", "{r}");
    assert_eq!(r["result"][0]["name"], "Karimou Fictivo Belhadjar");
    assert_eq!(r["result"][0]["notable"][0]["id"], "Person");
    let (_, r) = get("/reconcile/un-sc/suggest/entity?prefix=Belhadjar".into()).await;
    assert_eq!(r["result"], json!([]), "a dataset narrows: {r}");
    let (_, r) =
        get("/reconcile/default/suggest/entity?prefix=Belhadjar&type=Organization".into()).await;
    assert_eq!(r["result"], json!([]));
    let (_, r) = get("/reconcile/default/suggest/entity?prefix=".into()).await;
    assert_eq!(r["result"], json!([]));
    let (_, r) = get("/reconcile/default/suggest/type?prefix=per".into()).await;
    assert_eq!(
        r["result"],
        json!([{"id": "Person", "name": "People"}]),
        "{r}"
    );
    let (_, r) = get("/reconcile/default/suggest/property?prefix=birth".into()).await;
    let ids: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["birthDate", "birthPlace"], "{r}");
    let (s, r) = get("/reconcile/default/suggest/entity?prefix=x&cursor=99999".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "cursor");

    // Preview: an HTML card, with the key in the URL as a frame sends it.
    let resp = node
        .client
        .get(format!(
            "{}/reconcile/default/preview?id=un-fict-1&api_key={}",
            node.base,
            node.token("officer-a")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    for needle in [
        "Zoubeir Fictivo Haddoumi",
        "UN 1518 (Iraq)",
        "Asset freeze",
        "inform",
    ] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
    let (s, _) = get("/reconcile/default/preview?id=nobody".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get("/reconcile/testlist/preview?id=un-fict-1".into()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another dataset's entity");

    // Data extension: proposed properties, then a batch.
    let (s, r) = get("/reconcile/default/properties?type=Person".into()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["type"], "Person");
    let proposed: Vec<&str> = r["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        proposed.contains(&"birthDate") && proposed.contains(&"provisions"),
        "{r}"
    );
    let (_, r) = get("/reconcile/default/properties?type=Organization".into()).await;
    assert!(
        !r["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "birthDate")
    );
    let extend = json!({"ids": ["un-fict-1", "tl-1", "nobody"],
                        "properties": [{"id": "birthDate"}, {"id": "program"}, {"id": "provisions"}, {"id": "actionOnHit"}]})
    .to_string();
    let (s, r) = reconcile_post(
        &node,
        Some("officer-a"),
        "/reconcile",
        &format!("extend={}", form_encode(&extend)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        r["meta"][0],
        json!({"id": "birthDate", "name": "Birth date"})
    );
    let row = &r["rows"]["un-fict-1"];
    assert_eq!(row["birthDate"], json!([{"str": "1961-03-09"}]));
    assert_eq!(row["program"], json!([{"str": "UN 1518 (Iraq)"}]));
    assert_eq!(
        row["provisions"],
        json!([{"str": "Asset freeze"}, {"str": "Arms embargo (to verify)"}])
    );
    assert_eq!(row["actionOnHit"], json!([{"str": "inform"}]));
    assert_eq!(
        r["rows"]["tl-1"]["birthDate"],
        json!([{"str": "1970-01-15"}])
    );
    assert_eq!(
        r["rows"]["nobody"],
        json!({"birthDate": [], "program": [], "provisions": [], "actionOnHit": []})
    );
    // The same as a GET, and bad batches named by field.
    let (s, g) = get(format!("/reconcile?extend={}", form_encode(&extend))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g, r);
    let bad = json!({"ids": ["tl-1"], "properties": [{"id": "shoeSize"}]}).to_string();
    let (s, r) = reconcile_post(
        &node,
        Some("officer-a"),
        "/reconcile",
        &format!("extend={}", form_encode(&bad)),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["field"], "extend.properties[0].id");
    let both = format!(
        "queries={}&extend={}",
        form_encode(&json!({"q": {"query": "x"}}).to_string()),
        form_encode(&extend)
    );
    let (s, r) = reconcile_post(&node, Some("officer-a"), "/reconcile", &both).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let events = node.audit.events();
    assert!(events.iter().any(
        |e| e.action == "entity.extend" && e.detail["answered"] == json!(["un-fict-1", "tl-1"])
    ));
    assert!(events.iter().any(|e| e.action == "entity.search"
        && e.detail["service"] == "suggest"
        && e.detail["q"] == "Belhadjar"));
    assert!(events.iter().any(|e| e.action == "entity.view"
        && e.detail["view"] == "preview"
        && e.target.as_deref() == Some("un-fict-1")));
    node.stop().await;
}

/// Browsers may call the reconciliation service and yente's read routes
/// from another origin (preflight included), never the `/v1` API or
/// `/updatez`; CORS does not stand in for a key.
async fn cross_origin_on_ecosystem_routes_only(backend: Backend) {
    let node = Node::start(backend).await;
    let origin = "https://openrefine.example";
    let preflight = |path: &'static str, method: &'static str| {
        let node = &node;
        async move {
            node.client
                .request(Method::OPTIONS, format!("{}{path}", node.base))
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method)
                .header(
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                )
                .send()
                .await
                .unwrap()
        }
    };
    for (path, method) in [
        ("/reconcile", "POST"),
        ("/reconcile/default/suggest/entity", "GET"),
        ("/match/default", "POST"),
        ("/search/default", "GET"),
        ("/entities/tl-1", "GET"),
        ("/entities/tl-1/adjacent", "GET"),
        ("/catalog", "GET"),
    ] {
        let resp = preflight(path, method).await;
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        let h = resp.headers();
        assert_eq!(h["access-control-allow-origin"], "*", "{path}");
        assert!(
            h["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains(method),
            "{path}"
        );
        let allowed = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            allowed.contains("authorization") && allowed.contains("content-type"),
            "{path}"
        );
        assert!(
            h.get("access-control-allow-credentials").is_none(),
            "{path}"
        );
    }
    for (path, method) in [
        ("/v1/screen", "POST"),
        ("/v1/me", "GET"),
        ("/updatez", "POST"),
    ] {
        let resp = preflight(path, method).await;
        assert!(
            resp.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    // A cross-origin call: answered with the header, and still needs a key.
    let resp = node
        .client
        .get(format!(
            "{}/reconcile?api_key={}",
            node.base,
            node.token("officer-a")
        ))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let resp = node
        .client
        .post(format!("{}/match/default", node.base))
        .header("Origin", origin)
        .json(&json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Karimou Belhadjar"]}}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let resp = node
        .client
        .get(format!("{}/v1/me", node.base))
        .bearer_auth(node.token("officer-a"))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    node.stop().await;
}
