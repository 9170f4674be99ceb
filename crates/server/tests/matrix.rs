//! The authorisation matrix: two agencies × every role × every route of
//! the router (admin routes included), on SQLite and PostgreSQL.
//!
//! Every target (entry, hit, user, key) belongs to agency A. Each case
//! says, for a caller's role and agency, whether the route must answer
//! 2xx, 403 (a role the caller lacks) or 404 (a target of another agency,
//! answered like a missing one). Writes get fresh targets per call, and a
//! refused write is checked to have changed nothing that the case can
//! see. Every answer to a caller of agency B is searched for agency A's
//! secrets (the hidden entry's name and id, the traveller A screened):
//! none may appear. The route table is compared with the cases, so a new
//! route without a matrix case fails this test.

#[macro_use]
mod support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{AGENCY_A, AGENCY_B, Backend, Node, USERS, entry_body};
use tansiq_store::Role;

on_both_backends!(authorisation_matrix);

/// What a case must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Ok,
    Forbidden,
    NotFound,
}

/// A caller of the matrix.
#[derive(Clone, Copy, Debug)]
struct Caller {
    user: &'static str,
    agency: &'static str,
    role: Role,
}

impl Caller {
    fn own(&self) -> bool {
        self.agency == AGENCY_A
    }
}

/// Allowed to `roles`, whatever the agency.
fn roles(c: &Caller, roles: &[Role]) -> Want {
    if roles.contains(&c.role) {
        Want::Ok
    } else {
        Want::Forbidden
    }
}

/// Allowed to `roles` of agency A; the same roles in agency B get 404.
fn roles_of_a(c: &Caller, roles: &[Role]) -> Want {
    match (roles.contains(&c.role), c.own()) {
        (true, true) => Want::Ok,
        (true, false) => Want::NotFound,
        (false, _) => Want::Forbidden,
    }
}

/// One request of the matrix.
struct Case {
    /// The route as registered (to check that every route has a case).
    route: (Method, &'static str),
    path: String,
    body: Option<Body>,
    if_match: Option<i64>,
    want: Want,
}

enum Body {
    Json(Value),
    Text(String),
    Form(String),
}

fn case(
    method: Method,
    route: &'static str,
    path: impl Into<String>,
    body: Option<Body>,
    want: Want,
) -> Case {
    Case {
        route: (method, route),
        path: path.into(),
        body,
        if_match: None,
        want,
    }
}

/// Agency A's secrets: an entry only A sees, and a traveller A screened.
struct Secrets {
    entry: String,
    entry_name: &'static str,
    traveller: &'static str,
}

const HIDDEN_NAME: &str = "Zorvan Quellbright Adamek";
const TRAVELLER: &str = "Zorvan Quellbright Adamek";

/// A fresh entry of agency A (only A sees it) and its version.
async fn fresh_entry(node: &Node, n: usize) -> String {
    let (s, body) = node
        .call(
            Some("cp-a"),
            Method::POST,
            "/v1/entries",
            Some(entry_body(
                &format!("Matrixa Target{n} Oumerzouk"),
                json!({"visibility": "originator"}),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// A fresh open hit of agency A on its hidden entry.
async fn fresh_hit(node: &Node) -> String {
    let (s, body) = node
        .call(
            Some("officer-a"),
            Method::POST,
            "/v1/screen",
            Some(json!({"names": [TRAVELLER], "birth_date": "1979-04-02"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["matches"][0]["hit_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no hit: {body}"))
        .to_string()
}

/// A fresh user of agency A with `role` (through the store: the matrix
/// tests the routes, not the fixture), deactivated when `active` is false.
async fn fresh_user(node: &Node, n: usize, role: Role, active: bool) -> String {
    let id = format!("target-{n}");
    node.store
        .create_user(&id, AGENCY_A, "Target", &[role])
        .await
        .unwrap();
    if !active {
        node.store.set_user_active(&id, false).await.unwrap();
    }
    id
}

async fn fresh_key(node: &Node, user: &str) -> String {
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    tansiq_server::issue_key(&node.store, &node.pepper, user, "matrix", expires)
        .await
        .unwrap()
        .record
        .id
}

/// The cases for one caller; `n` makes every created id unique.
async fn cases(node: &Node, c: &Caller, s: &Secrets, n: &mut usize) -> Vec<Case> {
    use Role::*;
    let mut next = || {
        *n += 1;
        *n
    };
    let entry = &s.entry;
    let (_, published) = node.call(None, Method::GET, "/v1/node", None).await;
    let published_keys = published["keys"].clone();
    let mut out = vec![
        case(Method::GET, "/v1/me", "/v1/me", None, roles(c, &Role::ALL)),
        case(
            Method::POST,
            "/v1/screen",
            "/v1/screen",
            Some(Body::Json(json!({"names": ["Karimou Belhadjar"]}))),
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::POST,
            "/v1/screen/manifest",
            "/v1/screen/manifest",
            Some(Body::Text(
                "surname,given_names,birth_date\nBelhadjar,Karimou,1970-01-15\n".into(),
            )),
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/v1/entities",
            "/v1/entities?q=Zorvan%20Quellbright",
            None,
            roles(c, &[Analyst, ContactPoint]),
        ),
        case(
            Method::GET,
            "/v1/entities/{id}",
            "/v1/entities/tl-1",
            None,
            roles(c, &[Analyst, ContactPoint, Officer]),
        ),
        case(
            Method::GET,
            "/v1/entities/{id}",
            format!("/v1/entities/{entry}"),
            None,
            roles_of_a(c, &[Analyst, ContactPoint, Officer]),
        ),
        case(
            Method::GET,
            "/v1/entries",
            "/v1/entries",
            None,
            roles(c, &[ContactPoint]),
        ),
        case(
            Method::POST,
            "/v1/entries",
            "/v1/entries",
            Some(Body::Json(entry_body(
                &format!("Matrix Person{}", next()),
                json!({"visibility": "originator"}),
            ))),
            roles(c, &[ContactPoint]),
        ),
        case(
            Method::GET,
            "/v1/entries/{id}",
            format!("/v1/entries/{entry}"),
            None,
            roles_of_a(c, &[ContactPoint, Analyst]),
        ),
        case(
            Method::GET,
            "/v1/entries/{id}/history",
            format!("/v1/entries/{entry}/history"),
            None,
            roles_of_a(c, &[ContactPoint, Analyst, Auditor]),
        ),
        case(
            Method::GET,
            "/v1/sources",
            "/v1/sources",
            None,
            roles(c, &[NodeAdmin, Analyst]),
        ),
        case(
            Method::POST,
            "/v1/sources/{name}/update",
            "/v1/sources/fixture-list/update",
            None,
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::GET,
            "/v1/audit/events",
            "/v1/audit/events",
            None,
            roles(c, &[Auditor, NodeAuditor]),
        ),
        case(
            Method::GET,
            "/v1/audit/checkpoint",
            "/v1/audit/checkpoint",
            None,
            roles(c, &[Auditor, NodeAuditor]),
        ),
        case(
            Method::GET,
            "/v1/agencies",
            "/v1/agencies",
            None,
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::POST,
            "/v1/agencies",
            "/v1/agencies",
            Some(Body::Json(
                json!({"id": format!("ag-{}", next()), "name": "Fictitious agency"}),
            )),
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::GET,
            "/v1/users",
            "/v1/users",
            None,
            roles(c, &[Admin, NodeAdmin]),
        ),
        case(
            Method::GET,
            "/v1/users",
            format!("/v1/users?agency={AGENCY_A}"),
            None,
            match c.role {
                Admin if !c.own() => Want::Forbidden,
                _ => roles(c, &[Admin, NodeAdmin]),
            },
        ),
    ];
    // Creating users: an agency admin in its own agency only; a node
    // admin only administrative accounts.
    for (role, allowed_node_admin) in [("officer", false), ("admin", true), ("node-auditor", true)]
    {
        let want = match c.role {
            Admin if c.own() && !role.starts_with("node-") => Want::Ok,
            NodeAdmin if allowed_node_admin => Want::Ok,
            _ => Want::Forbidden,
        };
        out.push(case(
            Method::POST,
            "/v1/users",
            "/v1/users",
            Some(Body::Json(
                json!({"id": format!("u-{}", next()), "agency": AGENCY_A,
                                    "name": "X", "roles": [role]}),
            )),
            want,
        ));
    }
    // Working accounts of agency A: its admin only; another agency's
    // admin gets 404, a node admin 403.
    let working = |c: &Caller| match c.role {
        Admin if c.own() => Want::Ok,
        Admin => Want::NotFound,
        _ => Want::Forbidden,
    };
    let disabled = fresh_user(node, next(), Officer, false).await;
    out.push(case(
        Method::POST,
        "/v1/users/{id}/active",
        format!("/v1/users/{disabled}/active"),
        Some(Body::Json(json!({"active": true}))),
        working(c),
    ));
    let officer = fresh_user(node, next(), Officer, true).await;
    out.push(case(
        Method::DELETE,
        "/v1/users/{id}/second-factor",
        format!("/v1/users/{officer}/second-factor"),
        None,
        working(c),
    ));
    out.push(case(
        Method::GET,
        "/v1/users/{id}/keys",
        format!("/v1/users/{officer}/keys"),
        None,
        working(c),
    ));
    out.push(case(
        Method::GET,
        "/v1/users/{id}/keys",
        format!("/v1/users/{}/keys", c.user),
        None,
        Want::Ok,
    ));
    out.push(case(
        Method::POST,
        "/v1/users/{id}/keys",
        format!("/v1/users/{officer}/keys"),
        Some(Body::Json(json!({"label": "matrix"}))),
        working(c),
    ));
    // An administrative account of agency A: its admin and node admins.
    let admin = fresh_user(node, next(), Admin, true).await;
    out.push(case(
        Method::POST,
        "/v1/users/{id}/keys",
        format!("/v1/users/{admin}/keys"),
        Some(Body::Json(json!({"label": "matrix"}))),
        match c.role {
            NodeAdmin => Want::Ok,
            _ => working(c),
        },
    ));
    let key = fresh_key(node, &officer).await;
    out.push(case(
        Method::POST,
        "/v1/keys/{id}/revoke",
        format!("/v1/keys/{key}/revoke"),
        None,
        working(c),
    ));
    let own_key = fresh_key(node, c.user).await;
    out.push(case(
        Method::POST,
        "/v1/keys/{id}/revoke",
        format!("/v1/keys/{own_key}/revoke"),
        None,
        Want::Ok,
    ));
    // Entries of agency A: changed by its contact points only.
    for (route, body) in [
        (
            "/v1/entries/{id}",
            entry_body("Target Renamed", json!({"visibility": "originator"})),
        ),
        ("/v1/entries/{id}/withdraw", json!({"reason": "matrix"})),
    ] {
        let id = fresh_entry(node, next()).await;
        let method = if route.ends_with("withdraw") {
            Method::POST
        } else {
            Method::PUT
        };
        out.push(Case {
            if_match: Some(1),
            ..case(
                method,
                route,
                route.replace("{id}", &id),
                Some(Body::Json(body)),
                roles_of_a(c, &[ContactPoint]),
            )
        });
    }
    // Hits of agency A: its analysts only.
    let hit = fresh_hit(node).await;
    out.push(case(
        Method::GET,
        "/v1/hits",
        "/v1/hits",
        None,
        roles(c, &[Analyst]),
    ));
    out.push(case(
        Method::GET,
        "/v1/hits/{id}",
        format!("/v1/hits/{hit}"),
        None,
        roles_of_a(c, &[Analyst]),
    ));
    for (step, body) in [
        // Unassigning: a body valid for every caller.
        ("assign", json!({"assignee": null})),
        ("confirm", json!({"note": "matrix"})),
        ("dismiss", json!({"reason": "matrix"})),
        ("close", json!({})),
        ("comments", json!({"text": "matrix"})),
    ] {
        let id = if step == "close" {
            // Only a decided hit closes.
            let id = fresh_hit(node).await;
            let (s, b) = node
                .call_if_match(
                    "analyst-a",
                    Method::POST,
                    &format!("/v1/hits/{id}/confirm"),
                    Some(json!({})),
                    1,
                )
                .await;
            assert!(s.is_success(), "{b}");
            id
        } else {
            fresh_hit(node).await
        };
        let route: &'static str = match step {
            "assign" => "/v1/hits/{id}/assign",
            "confirm" => "/v1/hits/{id}/confirm",
            "dismiss" => "/v1/hits/{id}/dismiss",
            "close" => "/v1/hits/{id}/close",
            _ => "/v1/hits/{id}/comments",
        };
        // A decision names the version read: 1 when raised, 2 once
        // confirmed. A comment changes no state and names none.
        let if_match = match step {
            "comments" => None,
            "close" => Some(2),
            _ => Some(1),
        };
        out.push(Case {
            if_match,
            ..case(
                Method::POST,
                route,
                format!("/v1/hits/{id}/{step}"),
                Some(Body::Json(body)),
                roles_of_a(c, &[Analyst]),
            )
        });
    }
    out.extend([
        case(
            Method::GET,
            "/v1/travellers/screenings",
            "/v1/travellers/screenings?document=MX1234567&country=DZ",
            None,
            roles(c, &[Analyst]),
        ),
        case(
            Method::GET,
            "/v1/notifications",
            "/v1/notifications",
            None,
            roles(c, &[ContactPoint]),
        ),
        case(
            Method::GET,
            "/v1/federation/status",
            "/v1/federation/status",
            None,
            roles(c, &[NodeAdmin, NodeAuditor]),
        ),
        case(
            Method::GET,
            "/v1/federation/invite",
            "/v1/federation/invite",
            None,
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::PUT,
            "/v1/federation/partners/{id}",
            format!("/v1/federation/partners/partner-{}", next()),
            Some(Body::Json(json!({
                "base_url": "http://127.0.0.1:9",
                "keys": published_keys,
            }))),
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::GET,
            "/v1/federation/hits",
            "/v1/federation/hits",
            None,
            roles(c, &[ContactPoint]),
        ),
        // No foreign hit exists: a contact point passes the role check
        // and finds nothing.
        case(
            Method::POST,
            "/v1/federation/hits/{id}/follow-ups",
            "/v1/federation/hits/no-such-hit/follow-ups",
            Some(Body::Json(json!({"kind": "request", "text": "matrix"}))),
            match c.role {
                ContactPoint => Want::NotFound,
                _ => Want::Forbidden,
            },
        ),
        case(
            Method::POST,
            "/match/{dataset}",
            "/match/default",
            Some(Body::Json(
                json!({"queries": {"q": {"schema": "Person", "properties": {"name": [TRAVELLER]}}}}),
            )),
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/search/{dataset}",
            "/search/default?q=Zorvan%20Quellbright",
            None,
            roles(c, &[Analyst, ContactPoint]),
        ),
        case(
            Method::GET,
            "/entities/{id}",
            format!("/entities/{entry}"),
            None,
            roles_of_a(c, &[Analyst, ContactPoint, Officer]),
        ),
        case(
            Method::GET,
            "/entities/{id}/adjacent",
            format!("/entities/{entry}/adjacent"),
            None,
            roles_of_a(c, &[Analyst, ContactPoint, Officer]),
        ),
        case(
            Method::GET,
            "/entities/{id}/adjacent/{property}",
            format!("/entities/{entry}/adjacent/sanctions"),
            None,
            roles_of_a(c, &[Analyst, ContactPoint, Officer]),
        ),
        case(
            Method::GET,
            "/statements",
            "/statements",
            None,
            // refused to everyone who may read entities, with its reason
            match roles(c, &[Analyst, ContactPoint, Officer]) {
                Want::Ok => Want::NotFound,
                other => other,
            },
        ),
        case(
            Method::POST,
            "/updatez",
            "/updatez?sync=true",
            None,
            roles(c, &[NodeAdmin]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}/suggest/entity",
            "/reconcile/default/suggest/entity?prefix=Zorvan%20Quellbright",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}/suggest/type",
            "/reconcile/default/suggest/type?prefix=Per",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}/suggest/property",
            "/reconcile/national/suggest/property?prefix=birth",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}/preview",
            format!("/reconcile/default/preview?id={entry}"),
            None,
            roles_of_a(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}/properties",
            "/reconcile/default/properties?type=Person",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/algorithms",
            "/algorithms",
            None,
            roles(c, &[Officer, Analyst, ContactPoint]),
        ),
        case(
            Method::GET,
            "/catalog",
            "/catalog",
            None,
            roles(c, &[Officer, Analyst, ContactPoint]),
        ),
        case(
            Method::GET,
            "/reconcile",
            "/reconcile",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::POST,
            "/reconcile",
            "/reconcile",
            Some(Body::Form(format!(
                "queries={}",
                form_encode(&json!({"q": {"query": TRAVELLER}}).to_string())
            ))),
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::GET,
            "/reconcile/{dataset}",
            "/reconcile/default",
            None,
            roles(c, &[Officer, Analyst]),
        ),
        case(
            Method::POST,
            "/reconcile/{dataset}",
            "/reconcile/national",
            Some(Body::Form(format!(
                "queries={}",
                form_encode(&json!({"q": {"query": TRAVELLER}}).to_string())
            ))),
            roles(c, &[Officer, Analyst]),
        ),
    ]);
    let _ = s;
    out
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Routes that take no API key: public, or authorised by a partner's
/// signature (tested in `federation.rs` and `fed_tls.rs`).
const KEYLESS: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/v1/node",
    "/fed/v1/messages",
    "/fed/v1/check",
];

async fn send(node: &Node, user: Option<&str>, c: &Case) -> (StatusCode, String) {
    let mut req = node
        .client
        .request(c.route.0.clone(), format!("{}{}", node.base, c.path));
    if let Some(u) = user {
        req = req.bearer_auth(node.token(u));
    }
    if let Some(v) = c.if_match {
        req = req.header("If-Match", format!("\"{v}\""));
    }
    req = match &c.body {
        Some(Body::Json(v)) => req.json(v),
        Some(Body::Text(t)) => req.header("content-type", "text/plain").body(t.clone()),
        Some(Body::Form(f)) => req
            .header("content-type", "application/x-www-form-urlencoded")
            .body(f.clone()),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

async fn authorisation_matrix(backend: Backend) {
    let node = Node::start_with(backend, support::fixture_source).await;
    // The fixture node audits to memory; one event in the store's log
    // gives the auditor routes a head to sign.
    node.store
        .append_audit(tansiq_store::AuditEvent {
            at: time::OffsetDateTime::now_utc(),
            actor: "system".into(),
            action: "test.seed".into(),
            subject: None,
            facts: json!({}),
            payload: json!({}),
        })
        .await
        .unwrap();
    let (s, body) = node
        .call(
            Some("cp-a"),
            Method::POST,
            "/v1/entries",
            Some(entry_body(HIDDEN_NAME, json!({"visibility": "originator"}))),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let secrets = Secrets {
        entry: body["id"].as_str().unwrap().to_string(),
        entry_name: "Quellbright",
        traveller: TRAVELLER,
    };
    let mut n = 0;
    let mut covered = BTreeSet::new();
    let mut counted = 0usize;
    let mut leaks = Vec::new();
    assert_eq!(
        USERS.len(),
        2 * Role::ALL.len(),
        "every role in both agencies"
    );
    for (user, agency, role) in USERS {
        let caller = Caller {
            user,
            agency,
            role: *role,
        };
        for c in cases(&node, &caller, &secrets, &mut n).await {
            covered.insert((c.route.0.to_string(), c.route.1));
            counted += 1;
            let (status, text) = send(&node, Some(user), &c).await;
            let got = match status {
                s if s.is_success() => Want::Ok,
                StatusCode::FORBIDDEN => Want::Forbidden,
                StatusCode::NOT_FOUND => Want::NotFound,
                other => panic!("{user} {} {}: unexpected {other} {text}", c.route.0, c.path),
            };
            assert_eq!(
                got, c.want,
                "{user} ({role}, {agency}) {} {}: {status} {text}",
                c.route.0, c.path
            );
            if agency == &AGENCY_B {
                for secret in [
                    secrets.entry.as_str(),
                    secrets.entry_name,
                    secrets.traveller,
                ] {
                    // What the caller itself sent (an id in the path, a
                    // name in a query body) may be echoed back.
                    let sent = match &c.body {
                        Some(Body::Json(v)) => v.to_string(),
                        Some(Body::Text(t) | Body::Form(t)) => t.replace("%20", " "),
                        None => String::new(),
                    };
                    if text.contains(secret) && !c.path.contains(secret) && !sent.contains(secret) {
                        leaks.push(format!("{user} {} {}: {secret}", c.route.0, c.path));
                    }
                }
            }
            // Without a key, every key-authorised route is 401.
            let (status, _) = send(&node, None, &c).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {}", c.path);
            counted += 1;
        }
    }
    assert!(
        leaks.is_empty(),
        "agency A's data reached agency B: {leaks:#?}"
    );
    let routes: BTreeSet<(String, &str)> = tansiq_server::route_table()
        .table
        .iter()
        .filter(|(_, p)| !KEYLESS.contains(p))
        .map(|(m, p)| (m.to_string(), *p))
        .collect();
    assert_eq!(
        routes, covered,
        "every key-authorised route has a matrix case"
    );
    for path in KEYLESS.iter().filter(|p| !p.starts_with("/fed/")) {
        let r = node
            .client
            .get(format!("{}{path}", node.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    eprintln!(
        "authorisation matrix: {} routes, {} callers ({} roles x 2 agencies), {counted} cases \
         (with the anonymous ones), 0 leaks",
        routes.len(),
        USERS.len(),
        Role::ALL.len()
    );
    node.stop().await;
}
