//! Hits and their review over HTTP, on SQLite and PostgreSQL: a hit walks
//! every state; a dismissal suppresses its (document, entity version) pair
//! and the suppression lifts when the entry or the document changes; a
//! confirmation notifies the originating agency; a new entry matching a
//! screening made ten days ago raises a hit by re-screening. All people
//! are fictitious.

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Node, entry_body};
use time::OffsetDateTime;

on_both_backends!(
    a_hit_walks_every_state_and_dismissals_suppress_until_a_change,
    a_new_entry_raises_hits_for_screenings_of_recent_days,
);

const NAME: &str = "Zorvan Quellbright Adamek";

async fn create_entry(node: &Node, name: &str, visibility: Value) -> String {
    let (s, body) = node
        .call(
            Some("cp-a"),
            Method::POST,
            "/v1/entries",
            Some(entry_body(name, visibility)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn screen(node: &Node, user: &str, name: &str, document: &str, extra: Value) -> Value {
    let mut body = json!({
        "names": [name],
        "birth_date": "1979-04-02",
        "documents": [{"number": document, "issuing_country": "DZA"}],
        "context": {"border_post": "Port of Fictiville", "direction": "entry"},
    });
    if let Some(o) = extra.as_object() {
        for (k, v) in o {
            body[k] = v.clone();
        }
    }
    let (s, answer) = node
        .call(Some(user), Method::POST, "/v1/screen", Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    answer
}

/// The match of `entity` in a screening answer.
fn match_of<'a>(answer: &'a Value, entity: &str) -> &'a Value {
    answer["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] == json!(entity))
        .unwrap_or_else(|| panic!("no match of {entity} in {answer}"))
}

async fn hits(node: &Node, user: &str, query: &str) -> Vec<Value> {
    let (s, body) = node
        .call(Some(user), Method::GET, &format!("/v1/hits{query}"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["hits"].as_array().unwrap().clone()
}

async fn act(
    node: &Node,
    id: &str,
    step: &str,
    if_match: Option<i64>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = node
        .client
        .post(format!("{}/v1/hits/{id}/{step}", node.base))
        .bearer_auth(node.token("analyst-a"));
    if let Some(v) = if_match {
        req = req.header("If-Match", format!("\"{v}\""));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    if !status.is_success() {
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{step}"
        );
    }
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn a_hit_walks_every_state_and_dismissals_suppress_until_a_change(backend: Backend) {
    let node = Node::start(backend).await;
    let entry = create_entry(&node, NAME, json!({"visibility": "national"})).await;

    // A screening at or above the possible band raises a hit.
    let answer = screen(&node, "officer-a", NAME, "P1234567", json!({})).await;
    assert_ne!(answer["band"], json!("none"), "{answer}");
    let m = match_of(&answer, &entry);
    let hit_id = m["hit_id"].as_str().expect("a hit id").to_string();
    assert!(m.get("previously_dismissed").is_none());

    // The queue: the agency's analysts see it, with its age; filters work.
    let open = hits(&node, "analyst-a", "").await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], json!(hit_id));
    assert_eq!(open[0]["state"], json!("open"));
    assert_eq!(open[0]["origin"], json!("screening"));
    assert_eq!(open[0]["document"], json!("dz:P1234567"));
    assert!(open[0]["age_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(
        hits(
            &node,
            "analyst-a",
            "?list=national&post=Port%20of%20Fictiville"
        )
        .await
        .len(),
        1
    );
    assert!(hits(&node, "analyst-a", "?post=Elsewhere").await.is_empty());
    assert!(hits(&node, "analyst-a", "?list=testlist").await.is_empty());
    assert!(
        hits(&node, "analyst-a", "?older_than_hours=1")
            .await
            .is_empty()
    );
    let (s, body) = node
        .call(Some("analyst-a"), Method::GET, "/v1/hits?band=maybe", None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], json!("band"));
    // Other agencies and other roles see nothing of it.
    assert!(hits(&node, "analyst-b", "?state=any").await.is_empty());
    let (s, _) = node
        .call(
            Some("analyst-b"),
            Method::GET,
            &format!("/v1/hits/{hit_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = node
        .call(Some("officer-a"), Method::GET, "/v1/hits", None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Its full context: query, matches with explanations, list versions.
    let (s, detail) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{hit_id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let ctx = &detail["context"];
    assert_eq!(ctx["query"]["names"], json!([NAME]));
    assert_eq!(ctx["border_post"], json!("Port of Fictiville"));
    assert!(
        ctx["matches"][0]["explanation"]["listed_name"].is_string(),
        "{ctx}"
    );
    assert!(
        ctx["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["source"] == json!("testlist"))
    );
    assert_eq!(detail["events"][0]["action"], json!("raised"));

    // A decision names the version it was taken on (issue 16): without
    // If-Match it is refused (428) and changes nothing.
    for (step, body) in [
        ("assign", json!({"assignee": "analyst-a"})),
        ("confirm", json!({})),
        ("dismiss", json!({"reason": "x"})),
        ("close", json!({})),
    ] {
        let (s, problem) = act(&node, &hit_id, step, None, Some(body)).await;
        assert_eq!(s, StatusCode::PRECONDITION_REQUIRED, "{step}: {problem}");
        assert_eq!(
            problem["type"],
            json!("urn:tansiq:problem:if-match-required"),
            "{problem}"
        );
    }
    let (_, unchanged) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{hit_id}"),
            None,
        )
        .await;
    assert_eq!(
        (
            unchanged["hit"]["version"].clone(),
            unchanged["hit"]["state"].clone()
        ),
        (json!(1), json!("open"))
    );
    // open -> closed is illegal.
    let (s, body) = act(&node, &hit_id, "close", Some(1), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    // Assign (only to an analyst of the agency), then confirm; a stale
    // version is refused.
    let (s, body) = act(
        &node,
        &hit_id,
        "assign",
        None,
        Some(json!({"assignee": "officer-a"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], json!("assignee"));
    let (s, body) = act(
        &node,
        &hit_id,
        "assign",
        Some(1),
        Some(json!({"assignee": "analyst-a"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["version"].clone(), body["assignee"].clone()),
        (json!(2), json!("analyst-a"))
    );
    assert_eq!(
        hits(&node, "analyst-a", "?assignee=analyst-a").await.len(),
        1
    );
    let (s, _) = act(&node, &hit_id, "confirm", Some(1), Some(json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, body) = act(
        &node,
        &hit_id,
        "confirm",
        Some(2),
        Some(json!({"note": "same person, documents checked"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], json!("confirmed"));
    // The originating agency's contact points are notified; nobody else.
    let (s, notes) = node
        .call(Some("cp-a"), Method::GET, "/v1/notifications", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let notes = notes["notifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["hit_id"], json!(hit_id));
    assert_eq!(notes[0]["entity_id"], json!(entry));
    assert_eq!(notes[0]["kind"], json!("hit.confirmed"));
    assert_eq!(notes[0]["detail"]["action_on_hit"], json!("arrest"));
    let (_, notes_b) = node
        .call(Some("cp-b"), Method::GET, "/v1/notifications", None)
        .await;
    assert_eq!(notes_b["notifications"], json!([]));
    let (s, _) = node
        .call(Some("analyst-a"), Method::GET, "/v1/notifications", None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // confirmed -> dismissed is illegal; confirmed -> closed.
    let (s, _) = act(
        &node,
        &hit_id,
        "dismiss",
        Some(3),
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, body) = act(&node, &hit_id, "close", Some(3), None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["state"].clone(), body["outcome"].clone()),
        (json!("closed"), json!("confirmed"))
    );
    let (s, _) = node
        .call(
            Some("analyst-a"),
            Method::POST,
            &format!("/v1/hits/{hit_id}/comments"),
            Some(json!({"text": "file sent to the prosecutor"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, detail) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{hit_id}"),
            None,
        )
        .await;
    let steps: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["raised", "assigned", "confirmed", "closed", "comment"]
    );
    // Every transition is audited.
    let audited: Vec<&'static str> = node
        .audit
        .events()
        .iter()
        .filter(|e| e.target.as_deref() == Some(hit_id.as_str()) && e.outcome == "ok")
        .map(|e| e.action)
        .collect();
    for a in ["hit.assign", "hit.confirm", "hit.close", "hit.comment"] {
        assert!(audited.contains(&a), "{a} not audited: {audited:?}");
    }

    // Screened again: a confirmed pair is not suppressed, a new hit.
    let again = screen(&node, "officer-a", NAME, "P1234567", json!({})).await;
    let second = match_of(&again, &entry)["hit_id"]
        .as_str()
        .expect("a second hit")
        .to_string();
    // Dismissal needs a reason (422 naming it), then suppresses the pair.
    let (s, body) = act(&node, &second, "dismiss", None, Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], json!("reason"));
    let (s, body) = act(
        &node,
        &second,
        "dismiss",
        Some(1),
        Some(json!({"reason": "different father's name"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["state"], json!("dismissed"));
    let (s, _) = act(&node, &second, "confirm", Some(2), Some(json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The same document again: shown as previously dismissed, no new hit.
    let before = hits(&node, "analyst-a", "?state=any").await.len();
    let third = screen(&node, "officer-a", NAME, "p 123-4567", json!({})).await;
    let m = match_of(&third, &entry);
    assert!(m.get("hit_id").is_none(), "{m}");
    assert_eq!(m["previously_dismissed"]["hit_id"], json!(second));
    assert_eq!(
        m["previously_dismissed"]["reason"],
        json!("different father's name")
    );
    assert_eq!(hits(&node, "analyst-a", "?state=any").await.len(), before);
    // Another agency's screening of that document is not suppressed by it
    // (and raises its own hit, in its own queue).
    let other = screen(&node, "officer-b", NAME, "P1234567", json!({})).await;
    assert!(match_of(&other, &entry)["hit_id"].is_string());
    assert!(
        match_of(&other, &entry)
            .get("previously_dismissed")
            .is_none()
    );
    assert_eq!(hits(&node, "analyst-b", "").await.len(), 1);
    // A different document is not suppressed.
    let other_doc = screen(&node, "officer-a", NAME, "P7654321", json!({})).await;
    assert!(match_of(&other_doc, &entry)["hit_id"].is_string());
    // The entry changes: the suppression lifts by itself.
    let (_, current) = node
        .call(
            Some("cp-a"),
            Method::GET,
            &format!("/v1/entries/{entry}"),
            None,
        )
        .await;
    let mut changed = entry_body(NAME, json!({"visibility": "national"}));
    changed["aliases"] = json!(["Zorvan Adamek"]);
    let (s, body) = node
        .call_if_match(
            "cp-a",
            Method::PUT,
            &format!("/v1/entries/{entry}"),
            Some(changed),
            current["version"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_ne!(body["version"], current["version"]);
    // Re-screening sees the changed entry: the screening whose pair was
    // only suppressed now raises a hit (the others had theirs already).
    node.state.rescreen().await.unwrap();
    let rescreened: Vec<Value> = hits(&node, "analyst-a", "?state=any")
        .await
        .into_iter()
        .filter(|h| h["origin"] == json!("rescreen"))
        .collect();
    assert_eq!(rescreened.len(), 1, "{rescreened:?}");
    assert_eq!(rescreened[0]["screening_id"], third["screening_id"]);
    assert_eq!(rescreened[0]["entity_version"], body["version"]);
    let fourth = screen(&node, "officer-a", NAME, "P1234567", json!({})).await;
    let m = match_of(&fourth, &entry);
    assert!(m.get("previously_dismissed").is_none(), "{m}");
    let fourth_hit = m["hit_id"]
        .as_str()
        .expect("the suppression lifted")
        .to_string();
    // Close the dismissed one: dismissed -> closed keeps its outcome.
    let (s, body) = act(&node, &second, "close", Some(2), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["outcome"], json!("dismissed"));

    // The traveller's history: every screening of the document, its hits.
    let (s, history) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            "/v1/travellers/screenings?document=P1234567&country=dz",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{history}");
    assert_eq!(history["document"], json!("dz:P1234567"));
    assert_eq!(
        history["screenings"].as_array().unwrap().len(),
        4,
        "{history}"
    );
    assert_eq!(history["screenings"][0]["id"], fourth["screening_id"]);
    let hit_ids: Vec<&str> = history["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    let rescreen_hit = rescreened[0]["id"].as_str().unwrap();
    assert_eq!(
        hit_ids,
        [
            hit_id.as_str(),
            second.as_str(),
            rescreen_hit,
            fourth_hit.as_str()
        ]
    );
    let (_, history_b) = node
        .call(
            Some("analyst-b"),
            Method::GET,
            "/v1/travellers/screenings?document=P1234567&country=DZA",
            None,
        )
        .await;
    assert_eq!(history_b["screenings"].as_array().unwrap().len(), 1);
    node.stop().await;
}

fn days_ago(days: i64) -> String {
    (OffsetDateTime::now_utc() - time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn a_new_entry_raises_hits_for_screenings_of_recent_days(backend: Backend) {
    let node = Node::start(backend).await;
    let name = "Thibaud Quillermo Vasquetti";
    let seen = |days: i64, post: &str| json!({"context": {"border_post": post, "direction": "entry", "time": days_ago(days)}});
    // Seen ten days ago (and forty, beyond the 30-day window) when nobody
    // listed him; agency B also saw him.
    let ten = screen(
        &node,
        "officer-a",
        name,
        "P5550001",
        seen(10, "Fictiville airport"),
    )
    .await;
    assert_eq!(ten["band"], json!("none"), "{ten}");
    screen(
        &node,
        "officer-a",
        name,
        "P5550001",
        seen(40, "Fictiville airport"),
    )
    .await;
    screen(
        &node,
        "officer-b",
        name,
        "P5550001",
        seen(10, "Fictiville port"),
    )
    .await;
    // An unrelated traveller the same day.
    screen(
        &node,
        "officer-a",
        "Amandine Roucoulet Ferrandière",
        "P5550002",
        seen(10, "Fictiville airport"),
    )
    .await;
    assert!(hits(&node, "analyst-a", "?state=any").await.is_empty());

    // Now agency A lists him, for its own eyes only.
    let entry = create_entry(&node, name, json!({"visibility": "originator"})).await;
    let report = node.state.rescreen().await.unwrap();
    // Whether the background pass or this one did the work, it is done.
    assert!(report.to_seq >= report.from_seq);
    let raised = hits(&node, "analyst-a", "").await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    let h = &raised[0];
    assert_eq!(h["origin"], json!("rescreen"));
    assert_eq!(h["entity_id"], json!(entry));
    assert_eq!(h["screening_id"], ten["screening_id"]);
    assert_eq!(h["border_post"], json!("Fictiville airport"));
    assert_eq!(h["screened_by"], json!("officer-a"));
    let (_, detail) = node
        .call(
            Some("analyst-a"),
            Method::GET,
            &format!("/v1/hits/{}", h["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(detail["context"]["query"]["names"], json!([name]));
    assert_eq!(
        detail["context"]["rescreen"]["originally_band"],
        json!("none")
    );
    assert!(detail["context"]["matches"][0]["explanation"].is_object());
    // Agency B may not see the entry: no hit for its screening.
    assert!(hits(&node, "analyst-b", "?state=any").await.is_empty());
    // Another pass (or a change of the entry) raises nothing twice.
    node.state.rescreen().await.unwrap();
    let mut changed = entry_body(name, json!({"visibility": "originator"}));
    changed["aliases"] = json!(["T. Q. Vasquetti"]);
    let (_, current) = node
        .call(
            Some("cp-a"),
            Method::GET,
            &format!("/v1/entries/{entry}"),
            None,
        )
        .await;
    let (s, _) = node
        .call_if_match(
            "cp-a",
            Method::PUT,
            &format!("/v1/entries/{entry}"),
            Some(changed),
            current["version"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    node.state.rescreen().await.unwrap();
    assert_eq!(hits(&node, "analyst-a", "?state=any").await.len(), 1);

    // A manifest screening raises hits too, one per listed traveller.
    let csv = "flight,date,role,surname,given_names,birth_date,sex,nationality,document_type,document_number,issuing_state,document_expiry,seat\n\
TQ100,2026-11-29,passenger,TESTER,PAT LEE,1980-02-28,F,UTO,P,X1234567,UTO,2031-05-01,12A\n\
TQ100,2026-11-29,passenger,SOLTANOVA,NADIRAH,1982-07-30,F,DZA,P,Y7654321,DZA,2031-05-01,14C\n";
    let r = node
        .client
        .post(format!("{}/v1/screen/manifest", node.base))
        .bearer_auth(node.token("officer-b"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.unwrap();
    let listed = &m["results"][1]["matches"][0];
    assert_eq!(listed["entity_id"], json!("tl-2"), "{m}");
    let manifest_hit = listed["hit_id"].as_str().expect("a manifest hit");
    let b_hits = hits(&node, "analyst-b", "?list=testlist").await;
    assert_eq!(b_hits.len(), 1, "{b_hits:?}");
    assert_eq!(b_hits[0]["id"], json!(manifest_hit));
    assert_eq!(b_hits[0]["document"], json!("dz:Y7654321"));
    node.stop().await;
}
