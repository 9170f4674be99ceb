//! The ecosystem APIs over HTTP: yente's `/match`, `/search`, `/entities`,
//! `/algorithms`, `/catalog` replayed with the request shapes of yente's
//! documentation (fictitious names), the W3C Reconciliation manifest and
//! a query round trip, the `ApiKey` scheme, roles, and agency isolation
//! through every one of these routes. Each scenario runs on SQLite and on
//! PostgreSQL (`TANSIQ_TEST_POSTGRES`; skipped outside CI when unset).

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node, USERS, entry_body};
use tansiq_store::Role;

on_both_backends!(
    yente_match_documented_examples,
    yente_match_parameters,
    yente_search_entities_catalog,
    reconciliation_manifest_and_round_trip,
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
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["field"], "extend");
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
