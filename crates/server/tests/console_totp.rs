//! The console's second factor (TOTP, RFC 6238) over HTTP as a browser
//! would: enrolment from the person's own page (secret shown once, as
//! text, URI and inline SVG QR code), in effect only once confirmed with a
//! code; sign-in then asks for a code; a wrong or reused code is refused
//! and counts towards the same lock-out as passwords; an administrator of
//! the user's agency resets it (another agency's cannot); every step
//! audited. Codes are computed here from the secret the page showed. On
//! SQLite and PostgreSQL; people fictitious.

#[macro_use]
mod support;

use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use support::{Backend, Node};

on_both_backends!(a_second_factor_is_enrolled_asked_at_sign_in_and_reset);

const PASSWORD: &str = "a long fictitious password 2";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `name=value` of the `Set-Cookie` header named `name` (and whether it
/// sets a value rather than removing it).
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.starts_with(&format!("{name}=;")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

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

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// The RFC 6238 code of `secret` (base32) at `unix` seconds, computed
/// with the RFC's parameters (SHA-1, 6 digits, 30 s).
fn code(secret: &str, unix: u64) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(bytes)
        .build()
        .unwrap()
        .generate(unix)
        .to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A code valid for no step near now (so a wrong code is surely wrong).
fn wrong_code(secret: &str) -> String {
    let valid: Vec<String> = (0..5).map(|i| code(secret, now() - 60 + i * 30)).collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// What a password sign-in answered: a session cookie, or the code form
/// with its challenge cookie and form token; or the status of a refusal.
enum Answer {
    Session(String),
    Code { cookie: String, csrf: String },
    Refused(StatusCode),
}

async fn sign_in(node: &Node, user: &str) -> Answer {
    let c = client();
    let form = c
        .get(format!("{}/console/sign-in", node.base))
        .send()
        .await
        .unwrap();
    let pre = set_cookie(&form, "tansiq_signin").unwrap();
    let token = csrf_of(&form.text().await.unwrap());
    let r = c
        .post(format!("{}/console/sign-in", node.base))
        .header(COOKIE, format!("{pre}; tansiq_lang=en"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(urlencoded(&[
            ("csrf", token.as_str()),
            ("user", user),
            ("password", PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    let status = r.status();
    if let Some(s) = set_cookie(&r, "tansiq_session") {
        assert_eq!(status, StatusCode::SEE_OTHER);
        return Answer::Session(s);
    }
    if let Some(ch) = set_cookie(&r, "tansiq_challenge") {
        assert!(
            set_cookie(&r, "tansiq_session").is_none(),
            "no session before the code"
        );
        let page = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Enter your code"), "{page}");
        assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
        return Answer::Code {
            cookie: ch,
            csrf: csrf_of(&page),
        };
    }
    Answer::Refused(status)
}

/// Posts a code for a challenge: status, session cookie if one was set.
async fn post_code(
    node: &Node,
    cookie: &str,
    csrf: &str,
    code: &str,
) -> (StatusCode, Option<String>, String) {
    let r = client()
        .post(format!("{}/console/sign-in/code", node.base))
        .header(COOKIE, format!("{cookie}; tansiq_lang=en"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(urlencoded(&[("csrf", csrf), ("code", code)]))
        .send()
        .await
        .unwrap();
    let session = set_cookie(&r, "tansiq_session");
    (r.status(), session, r.text().await.unwrap())
}

/// A page or form post of a signed-in session.
async fn console(
    node: &Node,
    session: &str,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut req = client()
        .request(method, format!("{}{path}", node.base))
        .header(COOKIE, format!("{session}; tansiq_lang=en"));
    if !form.is_empty() {
        req = req
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(urlencoded(form));
    }
    let r = req.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn audited(node: &Node, action: &str, outcome: &str) -> usize {
    node.audit
        .events()
        .iter()
        .filter(|e| e.action == action && e.outcome == outcome)
        .count()
}

async fn a_second_factor_is_enrolled_asked_at_sign_in_and_reset(backend: Backend) {
    let node = Node::start(backend).await;
    let user = "officer-a";
    tansiq_server::console::set_password(&node.store, user, PASSWORD)
        .await
        .unwrap();
    let Answer::Session(session) = sign_in(&node, user).await else {
        panic!("without a second factor a password opens a session");
    };

    // The account page: off, with the enrolment form.
    let (s, page) = console(&node, &session, Method::GET, "/console/account", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Second factor") && page.contains(">Off<"),
        "{page}"
    );
    let csrf = csrf_of(&page);

    // Enrolment: the secret shown once, as text, URI and inline QR code.
    let (s, page) = console(
        &node,
        &session,
        Method::POST,
        "/console/account/totp",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("<svg role=\"img\""), "an inline QR code");
    assert!(!page.contains("<img"), "nothing fetched for the QR code");
    let at = page.find("otpauth://totp/").expect("an otpauth URI");
    let uri = &page[at..page[at..].find('<').map_or(page.len(), |e| at + e)];
    let secret = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(secret.len(), 32, "160 bits: {uri}");
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    assert!(page.contains(&grouped.join(" ")), "the key as text");
    assert_eq!(audited(&node, "console.totp.enrol", "ok"), 1);
    // Reading the page again does not show it again.
    let (_, again) = console(&node, &session, Method::GET, "/console/account", &[]).await;
    assert!(!again.contains(&secret) && !again.contains("otpauth://"));

    // Pending: not asked at sign-in yet.
    assert!(matches!(sign_in(&node, user).await, Answer::Session(_)));

    // A wrong code does not confirm it; the right one does.
    let wrong = wrong_code(&secret);
    let (s, page) = console(
        &node,
        &session,
        Method::POST,
        "/console/account/totp/confirm",
        &[("csrf", &csrf), ("code", &wrong)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert_eq!(audited(&node, "console.totp.confirm", "denied"), 1);
    let first = code(&secret, now());
    let (s, page) = console(
        &node,
        &session,
        Method::POST,
        "/console/account/totp/confirm",
        &[("csrf", &csrf), ("code", &first)],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Second factor on"), "{page}");
    assert_eq!(audited(&node, "console.totp.confirm", "ok"), 1);
    // Once on, the person cannot replace it alone.
    let (_, page) = console(
        &node,
        &session,
        Method::POST,
        "/console/account/totp",
        &[("csrf", &csrf)],
    )
    .await;
    assert!(page.contains("already on") && !page.contains("otpauth://"));

    // Sign-in now asks for a code; the password alone opens no session.
    let Answer::Code { cookie, csrf: form } = sign_in(&node, user).await else {
        panic!("a confirmed second factor is asked at sign-in");
    };
    // The code form's token is checked.
    let (s, _, _) = post_code(&node, &cookie, "forged", &code(&secret, now() + 30)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A wrong code: refused, counted.
    let (s, session2, page) = post_code(&node, &cookie, &form, &wrong).await;
    assert_eq!((s, session2.is_some()), (StatusCode::UNAUTHORIZED, false));
    assert!(page.contains("Wrong code"), "{page}");
    // The code used to confirm is not accepted again.
    let (s, session2, _) = post_code(&node, &cookie, &form, &first).await;
    assert_eq!((s, session2.is_some()), (StatusCode::UNAUTHORIZED, false));
    // The next step's code (within the one-step window) signs in...
    let next = code(&secret, now() + 30);
    assert_ne!(next, first);
    let (s, session2, _) = post_code(&node, &cookie, &form, &next).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let session2 = session2.expect("a session after the code");
    let (s, _) = console(&node, &session2, Method::GET, "/console/screen", &[]).await;
    assert_eq!(s, StatusCode::OK);
    // ...and the challenge is spent.
    let (s, none, _) = post_code(&node, &cookie, &form, &next).await;
    assert_eq!((s, none.is_some()), (StatusCode::UNAUTHORIZED, false));
    // The same code again, on a new challenge: refused (not twice).
    let Answer::Code { cookie, csrf: form } = sign_in(&node, user).await else {
        panic!("code asked");
    };
    let (s, none, page) = post_code(&node, &cookie, &form, &next).await;
    assert_eq!(
        (s, none.is_some()),
        (StatusCode::UNAUTHORIZED, false),
        "{page}"
    );
    let reasons: Vec<String> = node
        .audit
        .events()
        .iter()
        .filter(|e| e.action == "console.totp.verify" && e.outcome == "denied")
        .map(|e| e.detail["reason"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(reasons.iter().any(|r| r == "wrong code"), "{reasons:?}");
    assert!(
        reasons.iter().filter(|r| *r == "code already used").count() >= 2,
        "{reasons:?}"
    );
    assert_eq!(audited(&node, "console.totp.verify", "ok"), 1);

    // Failed codes lock the account as failed passwords do: the success
    // cleared the count, the reused code was one failure, four more make
    // the five that lock it.
    for i in 0..4 {
        let (s, _, _) = post_code(&node, &cookie, &form, &wrong).await;
        let want = if i < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(s, want, "failure {}", i + 2);
    }
    // Locked: the challenge is gone, and the password alone is refused.
    let (s, _, _) = post_code(&node, &cookie, &form, &code(&secret, now() + 30)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(matches!(
        sign_in(&node, user).await,
        Answer::Refused(StatusCode::TOO_MANY_REQUESTS)
    ));

    // Reset: another agency's administrator cannot (not found), an agency
    // officer cannot (forbidden), the user's agency administrator can.
    let path = format!("/v1/users/{user}/second-factor");
    let (s, _) = node
        .call(Some("admin-b"), Method::DELETE, &path, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = node
        .call(Some("officer-a"), Method::DELETE, &path, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(node.store.totp(user).await.unwrap().is_some());
    let (s, body) = node
        .call(Some("admin-a"), Method::DELETE, &path, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["had_second_factor"], true);
    assert_eq!(audited(&node, "console.totp.reset", "ok"), 1);
    assert!(node.store.totp(user).await.unwrap().is_none());
    // The reset ended the user's sessions.
    let (s, _) = console(&node, &session2, Method::GET, "/console/screen", &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // A user list shows who has one.
    let (_, users) = node
        .call(Some("admin-a"), Method::GET, "/v1/users", None)
        .await;
    let me = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == user)
        .unwrap()
        .clone();
    assert_eq!(me["second_factor"], false, "{me}");
    // A new password lifts the lock; the password alone signs in again.
    tansiq_server::console::set_password(&node.store, user, PASSWORD)
        .await
        .unwrap();
    assert!(matches!(sign_in(&node, user).await, Answer::Session(_)));
    node.stop().await;
}
