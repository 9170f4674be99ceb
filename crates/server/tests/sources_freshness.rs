//! `GET /v1/sources` and the console's lists page tell how fresh each list
//! is: last confirmed current, how it is kept current, next due, stale or
//! not and from when, the last failure and why (kept after a success),
//! and what the last update added, changed and withdrew, with names. A
//! declared source read from a file this test rewrites, one that cannot
//! be read, and a list imported by hand. On SQLite and PostgreSQL;
//! fictitious list.

#[macro_use]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{Backend, Node};
use time::OffsetDateTime;

on_both_backends!(sources_say_how_fresh_they_are_and_what_changed);

const V1: &str = r#"{"id": "fr-0001", "schema": "Person", "properties": {"name": ["Quillon Fictif Zerrouki"], "birthDate": ["1970-01-02"]}}
{"id": "fr-0002", "schema": "Person", "properties": {"name": ["Vesna Fictive Abroug"]}}
{"id": "fr-0003", "schema": "Organization", "properties": {"name": ["Fictitious Dune Relief Front"]}}
"#;
const V2: &str = r#"{"id": "fr-0001", "schema": "Person", "properties": {"name": ["Quillon Fictif Zerrouki"], "birthDate": ["1970-01-03"]}}
{"id": "fr-0003", "schema": "Organization", "properties": {"name": ["Fictitious Dune Relief Front"]}}
{"id": "fr-0004", "schema": "Person", "properties": {"name": ["Torvek Fictif Mansouri"]}}
"#;

fn source<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list}"))
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(
        v.as_str().unwrap_or_else(|| panic!("not a time: {v}")),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

async fn get(node: &Node) -> Value {
    let (s, list) = node
        .call(Some("nodeadmin-a"), Method::GET, "/v1/sources", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list
}

async fn update(node: &Node, name: &str) -> (StatusCode, Value) {
    node.call(
        Some("nodeadmin-a"),
        Method::POST,
        &format!("/v1/sources/{name}/update"),
        None,
    )
    .await
}

async fn sources_say_how_fresh_they_are_and_what_changed(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fresh.ftm.jsonl");
    std::fs::write(&file, V1).unwrap();
    let missing = dir.path().join("never-published.ftm.jsonl");
    let files = dir.path().join("files");
    let node = Node::start_with(backend, |c| {
        let decl = |name: &str, path: &std::path::Path, schedule: &str| {
            let mut t = toml::Table::new();
            t.insert("name".into(), name.into());
            t.insert("format".into(), "ftm".into());
            t.insert("path".into(), path.display().to_string().into());
            t.insert("schedule".into(), schedule.into());
            t
        };
        c.sources = vec![
            decl("fresh-list", &file, "24h"),
            decl("broken-list", &missing, "6h"),
        ];
        c.store.files_dir = Some(files.clone());
    })
    .await;

    // Before any update: declared sources are listed, never imported,
    // stale, due now; the hand-imported list is fresh for a week.
    let list = get(&node).await;
    let fresh = source(&list, "fresh-list");
    assert_eq!(fresh["kind"], "scheduled");
    assert_eq!(fresh["schedule_seconds"], 86_400);
    assert_eq!(fresh["stale"], true, "{fresh}");
    assert!(fresh.get("version").is_none() && fresh.get("last_update").is_none());
    assert!(instant(&fresh["next_due_at"]) <= OffsetDateTime::now_utc());
    let manual = source(&list, "testlist");
    assert_eq!(manual["kind"], "manual");
    assert_eq!(manual["stale"], false, "{manual}");
    assert!(manual.get("next_due_at").is_none(), "{manual}");
    let week = instant(&manual["stale_at"]) - instant(&manual["imported_at"]);
    assert_eq!(week, time::Duration::days(7));
    // The hand-imported list's own import: everything added, with names.
    assert_eq!(manual["last_update"]["withdrawn"], 0, "{manual}");
    assert!(manual["last_update"]["added"].as_u64().unwrap() > 0);

    // First update: three added, named; fresh; due again in half the
    // schedule; stale after the whole schedule.
    let (s, r) = update(&node, "fresh-list").await;
    assert_eq!((s, r["added"].as_u64()), (StatusCode::OK, Some(3)), "{r}");
    let list = get(&node).await;
    let fresh = source(&list, "fresh-list");
    assert_eq!(fresh["stale"], false, "{fresh}");
    let ok = instant(&fresh["last_success_at"]);
    assert_eq!(
        instant(&fresh["next_due_at"]) - ok,
        time::Duration::hours(12)
    );
    assert_eq!(instant(&fresh["stale_at"]) - ok, time::Duration::hours(24));
    assert_eq!(fresh["active"], 3);
    let u = &fresh["last_update"];
    assert_eq!(
        (
            u["added"].as_u64(),
            u["changed"].as_u64(),
            u["withdrawn"].as_u64()
        ),
        (Some(3), Some(0), Some(0)),
        "{u}"
    );
    assert!(
        u["added_names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "Quillon Fictif Zerrouki"),
        "{u}"
    );
    assert!(fresh.get("last_failure").is_none(), "{fresh}");

    // The publisher changes the list: one added, one changed, one gone.
    std::fs::write(&file, V2).unwrap();
    let (s, r) = update(&node, "fresh-list").await;
    assert_eq!(
        (s, r["outcome"].as_str()),
        (StatusCode::OK, Some("imported")),
        "{r}"
    );
    let list = get(&node).await;
    let u = &source(&list, "fresh-list")["last_update"];
    assert_eq!(
        (
            u["added"].as_u64(),
            u["changed"].as_u64(),
            u["withdrawn"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{u}"
    );
    assert_eq!(
        u["added_names"],
        serde_json::json!(["Torvek Fictif Mansouri"])
    );
    assert_eq!(
        u["changed_names"],
        serde_json::json!(["Quillon Fictif Zerrouki"])
    );
    assert_eq!(
        u["withdrawn_names"],
        serde_json::json!(["Vesna Fictive Abroug"]),
        "a withdrawn entry keeps its name"
    );

    // A source that cannot be read: its failure and why, current; retried
    // after a tenth of its schedule; still stale.
    let (s, r) = update(&node, "broken-list").await;
    assert!(s.is_client_error() || s.is_server_error(), "{s} {r}");
    let list = get(&node).await;
    let broken = source(&list, "broken-list");
    assert_eq!(broken["stale"], true);
    let f = &broken["last_failure"];
    assert_eq!(f["current"], true, "{broken}");
    assert!(
        f["error"].as_str().unwrap().contains("never-published"),
        "{f}"
    );
    let tried = instant(&broken["last_attempt_at"]);
    assert_eq!(instant(&f["at"]), tried);
    assert_eq!(
        instant(&broken["next_due_at"]) - tried,
        time::Duration::minutes(36)
    );

    // A failure stays known after a later success, marked as past.
    std::fs::write(&missing, V1.replace("fr-", "br-")).unwrap();
    let (s, r) = update(&node, "broken-list").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let list = get(&node).await;
    let broken = source(&list, "broken-list");
    assert_eq!(broken["stale"], false, "{broken}");
    assert_eq!(broken["last_failure"]["current"], false, "{broken}");

    // The console's page shows it all, for a node administrator.
    let page = console_page(&node, "nodeadmin-a", "/console/sources").await;
    for want in [
        "fresh-list",
        "by the node, every 1 d",
        "by hand (no schedule)",
        "1 added",
        "1 withdrawn",
        "Vesna Fictive Abroug",
        "Torvek Fictif Mansouri",
        "Last failed update",
        "An update has succeeded since.",
        "never-published",
    ] {
        assert!(page.contains(want), "{want} not on the page");
    }
    node.stop().await;
}

/// A console page as `user` (signed in with a password set here).
async fn console_page(node: &Node, user: &str, path: &str) -> String {
    use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
    const PASSWORD: &str = "a long fictitious password 3";
    tansiq_server::console::set_password(&node.store, user, PASSWORD)
        .await
        .unwrap();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_string())
            .unwrap()
    };
    let form = c
        .get(format!("{}/console/sign-in", node.base))
        .send()
        .await
        .unwrap();
    let pre = cookie(&form, "tansiq_signin");
    let html = form.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..].split('"').next().unwrap().to_string();
    let r = c
        .post(format!("{}/console/sign-in", node.base))
        .header(COOKIE, pre)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&user={user}&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    let session = cookie(&r, "tansiq_session");
    let page = c
        .get(format!("{}{path}", node.base))
        .header(COOKIE, format!("{session}; tansiq_lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}
