//! The console's bulk import of national entries, driven over HTTP as a
//! browser would (sign-in, session cookie, CSRF token, multipart form):
//! nothing is written by a preview or by a file with any refused row, a
//! row can never reach another agency's entry, a clean file is written
//! whole and audited, and only contact points may import. On SQLite and
//! PostgreSQL. People are fictitious.

#[macro_use]
mod support;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::json;
use support::{AGENCY_A, AGENCY_B, Backend, Node};

on_both_backends!(a_national_csv_is_imported_all_or_nothing_by_the_api_rules);

const PASSWORD: &str = "a long fictitious password 1";

/// A signed-in console session: its cookie and its CSRF token.
struct Console<'a> {
    node: &'a Node,
    cookie: String,
    csrf: String,
}

/// `name=value` of the `Set-Cookie` headers named `name`.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

/// A form body, `application/x-www-form-urlencoded`.
fn urlencoded(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first `name="csrf"` hidden field of a page.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

impl<'a> Console<'a> {
    async fn sign_in(node: &'a Node, user: &str) -> Console<'a> {
        tansiq_server::console::set_password(&node.store, user, PASSWORD)
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form = client
            .get(format!("{}/console/sign-in", node.base))
            .send()
            .await
            .unwrap();
        let pre = set_cookie(&form, "tansiq_signin").unwrap();
        let token = csrf_of(&form.text().await.unwrap());
        let signed = client
            .post(format!("{}/console/sign-in", node.base))
            .header(COOKIE, pre)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(urlencoded(&[
                ("csrf", token.as_str()),
                ("user", user),
                ("password", PASSWORD),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status(), StatusCode::SEE_OTHER, "{user} signs in");
        let cookie = set_cookie(&signed, "tansiq_session").unwrap();
        let mut c = Console {
            node,
            cookie: format!("{cookie}; tansiq_lang=en"),
            csrf: String::new(),
        };
        let (_, page) = c.get("/console/entries/import").await;
        c.csrf = csrf_of(&page);
        c
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .node
            .client
            .get(format!("{}{path}", self.node.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Posts the import form (`step`: `preview` or `import`).
    async fn import(&self, step: &str, csv: &str) -> (StatusCode, String) {
        let b = "tansiq-test-boundary";
        let mut body = String::new();
        for (name, value) in [("csrf", self.csrf.as_str()), ("step", step), ("text", csv)] {
            body.push_str(&format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{b}--\r\n"));
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/console/entries/import", self.node.base))
            .header(COOKIE, &self.cookie)
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = r.text().await.unwrap();
        (status, if location.is_empty() { text } else { location })
    }
}

const HEADER: &str =
    "id,name,birth_dates,nationalities,warrant_number,action_on_hit,visibility,agency\n";

/// The national entries of `agency` through the API (`GET /v1/entries`).
async fn entries_of(node: &Node, cp: &str) -> Vec<serde_json::Value> {
    let (s, body) = node
        .call(Some(cp), reqwest::Method::GET, "/v1/entries", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    body["entries"].as_array().cloned().unwrap_or_default()
}

async fn a_national_csv_is_imported_all_or_nothing_by_the_api_rules(backend: Backend) {
    let node = Node::start(backend).await;
    // Agency B's own entry, which no file of agency A may reach.
    let (s, b_entry) = node
        .call(
            Some("cp-b"),
            reqwest::Method::POST,
            "/v1/entries",
            Some(support::entry_body(
                "Mourad Fictif Ziani",
                json!({"visibility": "originator"}),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b_entry}");
    let b_id = b_entry["id"].as_str().unwrap().to_string();

    let c = Console::sign_in(&node, "cp-a").await;
    let good = format!(
        "{HEADER}w-1,Farid Fictif Bouzid,1984-05-06,DZ,DEMO-W-1,arrest,originator,\n\
         {b_id},Mourad Fictif Ziani,1970-01-01,DZ,DEMO-W-2,inform,originator,\n"
    );
    let refused = format!(
        "{good}w-3,Salim Fictif Amrani,1991-09-09,DZ,DEMO-W-3,arrest,originator,{AGENCY_B}\n"
    );

    // A preview writes nothing, and shows the refused row with its reason.
    let (s, page) = c.import("preview", &refused).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Nothing can be imported"), "{page}");
    assert!(
        page.contains(&format!("is not your agency ({AGENCY_A})")),
        "{page}"
    );
    assert!(
        !page.contains("id=\"import-confirm\""),
        "a blocked file offers an import"
    );
    // Importing the blocked file anyway writes nothing at all (the good
    // rows included).
    let (s, page) = c.import("import", &refused).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Nothing can be imported"), "{page}");
    assert!(entries_of(&node, "cp-a").await.is_empty());

    // A clean file: written whole, in agency A's space; B's entry with the
    // same id in the file is untouched.
    let before = node.audit.events().len();
    let (s, to) = c.import("import", &good).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(to, "/console/entries?done=imported&n=2&of=2");
    let mine = entries_of(&node, "cp-a").await;
    let mut ids: Vec<&str> = mine.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![format!("{AGENCY_A}-{b_id}"), format!("{AGENCY_A}-w-1")]
    );
    assert!(mine.iter().all(|e| e["origin_agency"] == AGENCY_A));
    let theirs = entries_of(&node, "cp-b").await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["version"], 1, "agency B's entry was changed");
    let imported: Vec<_> = node.audit.events()[before..]
        .iter()
        .filter(|e| e.action == "entry.import" && e.outcome == "ok")
        .map(|e| e.target.clone().unwrap_or_default())
        .collect();
    assert_eq!(imported.len(), 2, "one audit event per entry written");
    // Screening includes them at once.
    let (s, answer) = node
        .call(
            Some("officer-a"),
            reqwest::Method::POST,
            "/v1/screen",
            Some(json!({ "names": ["Farid Bouzid"], "birth_date": "1984-05-06" })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(answer["matches"][0]["entity_id"], format!("{AGENCY_A}-w-1"));

    // The same file again: a preview says nothing changes.
    let (_, page) = c.import("preview", &good).await;
    assert_eq!(page.matches("<td>unchanged</td>").count(), 2, "{page}");

    // Other roles cannot import, whatever they post.
    let o = Console::sign_in(&node, "officer-a").await;
    let (s, _) = o.import("import", &good).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    node.stop().await;
}
