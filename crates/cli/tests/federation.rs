//! Three national nodes (dz, tn, eg) as separate `tansiq serve` processes
//! on loopback ports with their own SQLite stores: dz shares an entry fully
//! with tn and as hit/no-hit with eg; a matching traveller is screened at
//! both; dz takes exactly one hit notice for each; the follow-up thread
//! completes; tn is killed mid-replication and catches up; a partition
//! heals; duplicated, replayed, out-of-order and tampered messages are
//! answered as specified; what each partner stored is inspected.
//! All people are fictitious. Timeouts are generous (loaded machine);
//! assertions are about outcomes, never timings.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tansiq_federation::{Envelope, Payload, Sealed, seal};
use tansiq_store::Store;
use tansiq_trust::NodeKeys;

const WAIT: Duration = Duration::from_secs(120);

struct Node {
    name: &'static str,
    dir: PathBuf,
    url: String,
    child: Option<Child>,
    admin: String,
    cp: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tansiq(args: &[&str], cwd: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_tansiq"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the tansiq binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "tansiq {args:?} failed: {text}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

impl Node {
    fn config(&self) -> String {
        self.dir.join("tansiq.toml").display().to_string()
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.join("serve.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_tansiq"))
            .args(["serve", "--config", &self.config()])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn setup(name: &'static str, root: &Path) -> Node {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.join("tansiq.toml"),
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\nlocation = \"{name}.db\"\n\
             [security]\npepper_file = \"{name}.pepper\"\n[node]\nid = \"{name}\"\n\
             identity_file = \"{name}.identity\"\n[audit]\ncheckpoint_file = \"{name}.checkpoint\"\n\
             [federation]\npublic_url = \"{url}\"\npoll_ms = 100\nrequest_timeout_ms = 5000\n\
             check_timeout_ms = 5000\n"
        ),
    )
    .unwrap();
    let mut node = Node {
        name,
        dir: dir.clone(),
        url,
        child: None,
        admin: String::new(),
        cp: String::new(),
    };
    let out = tansiq(
        &[
            "admin",
            "create-admin",
            "--agency",
            &format!("{name}-admin"),
            "--agency-name",
            "Federation office",
            "--user",
            &format!("admin-{name}"),
            "--name",
            "Fictive Admin",
            "--config",
            &node.config(),
        ],
        &dir,
    );
    node.admin = out.lines().last().unwrap().trim().to_string();
    node.spawn();
    wait_until("node up", || async {
        reqwest::get(format!("{}/healthz", node.url)).await.is_ok()
    })
    .await;
    let agency = format!("{name}-police");
    call(
        &node,
        &node.admin,
        "POST",
        "/v1/agencies",
        Some(json!({"id": agency, "name": "Police"})),
    )
    .await;
    // The node administrator sets up the agency's administrator, who
    // creates the agency's working accounts.
    call(
        &node,
        &node.admin,
        "POST",
        "/v1/users",
        Some(
            json!({"id": format!("adm-{name}"), "agency": agency, "name": "Fictive Admin",
                    "roles": ["admin"]}),
        ),
    )
    .await;
    let agency_admin = call(
        &node,
        &node.admin,
        "POST",
        &format!("/v1/users/adm-{name}/keys"),
        Some(json!({"label": "test"})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &node,
        &agency_admin,
        "POST",
        "/v1/users",
        Some(
            json!({"id": format!("cp-{name}"), "agency": agency, "name": "Fictive Officer",
                    "roles": ["contact-point", "officer"]}),
        ),
    )
    .await;
    let key = call(
        &node,
        &agency_admin,
        "POST",
        &format!("/v1/users/cp-{name}/keys"),
        Some(json!({"label": "test"})),
    )
    .await;
    node.cp = key["token"].as_str().unwrap().to_string();
    node
}

async fn try_call(
    node: &Node,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client
        .request(method.parse().unwrap(), format!("{}{path}", node.url))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn call(node: &Node, key: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, v) = try_call(node, key, method, path, body).await;
    assert!(
        (200..300).contains(&status),
        "{} {method} {path}: {status} {v}",
        node.name
    );
    v
}

async fn wait_until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < WAIT, "gave up waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.display().to_string()
}

/// `accept` on `at` the invitation of `of` with the two agreements.
fn accept(at: &Node, of: &Node, outgoing: Value, incoming: Value) {
    let invite = tansiq(
        &["federation", "invite", "--url", &of.url, "--key", &of.admin],
        &of.dir,
    );
    let inv = write(
        &at.dir,
        &format!("invite-{}.json", of.name),
        &serde_json::from_str(&invite).unwrap(),
    );
    let out = write(&at.dir, &format!("out-{}.json", of.name), &outgoing);
    let inc = write(&at.dir, &format!("in-{}.json", of.name), &incoming);
    tansiq(
        &[
            "federation",
            "accept",
            "--url",
            &at.url,
            "--key",
            &at.admin,
            "--invite",
            &inv,
            "--outgoing",
            &out,
            "--incoming",
            &inc,
        ],
        &at.dir,
    );
}

fn entry(name: &str, dob: &str, share: &str) -> Value {
    json!({
        "names": [name], "birth_dates": [dob], "nationalities": ["dz"],
        "legal_basis": {"warrant_number": "W-2026-17", "offence": "fictitious fraud"},
        "action_on_hit": "arrest",
        "sharing": {"visibility": "national", "federation": share},
    })
}

async fn screen(node: &Node, name: &str, dob: &str) -> Value {
    call(
        node,
        &node.cp,
        "POST",
        "/v1/screen",
        Some(json!({"names": [name], "birth_date": dob})),
    )
    .await
}

fn strong_ids(v: &Value) -> Vec<String> {
    v["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["band"] == "strong")
        .map(|m| m["entity_id"].as_str().unwrap().to_string())
        .collect()
}

async fn hits(node: &Node, direction: &str) -> Vec<Value> {
    let v = call(node, &node.cp, "GET", "/v1/federation/hits", None).await;
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["direction"] == direction)
        .cloned()
        .collect()
}

async fn status_of(node: &Node, partner: &str) -> Value {
    let v = call(node, &node.admin, "GET", "/v1/federation/status", None).await;
    v["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == partner)
        .cloned()
        .unwrap()
}

async fn deliver(node: &Node, sealed: &Sealed) -> Value {
    let v = call(node, "", "POST", "/fed/v1/messages",
        Some(json!({"messages": [{"body": sealed.body, "key_id": sealed.key_id, "signature": sealed.signature}]}))).await;
    v["results"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_share_screen_notify_and_recover() {
    let root = tempfile::tempdir().unwrap();
    let dz = setup("dz", root.path()).await;
    let mut tn = setup("tn", root.path()).await;
    let eg = setup("eg", root.path()).await;

    let police = |level: &str| {
        json!({"rules": [{"agencies": ["dz-police"], "level": level}],
                                      "traveller_fields": ["name", "birth-date"]})
    };
    let nothing = json!({"rules": []});
    accept(&dz, &tn, police("full"), nothing.clone());
    accept(&dz, &eg, police("hit-no-hit"), nothing.clone());
    accept(&tn, &dz, nothing.clone(), police("full"));
    accept(&eg, &dz, nothing.clone(), police("hit-no-hit"));

    // dz: one shared entry, one never shared.
    let shared = call(
        &dz,
        &dz.cp,
        "POST",
        "/v1/entries",
        Some(entry("Karim Fictive Haddad", "1980-04-02", "by-agreement")),
    )
    .await;
    let shared_id = shared["id"].as_str().unwrap().to_string();
    let secret = call(
        &dz,
        &dz.cp,
        "POST",
        "/v1/entries",
        Some(entry("Samir Imaginary Belkacem", "1975-09-09", "never")),
    )
    .await;
    let secret_id = secret["id"].as_str().unwrap().to_string();
    let copy_id = format!("dz:{shared_id}");

    // tn screens against its copy: a local hit.
    wait_until("tn holds dz's entry", || async {
        strong_ids(&screen(&tn, "Karim Fictive Haddad", "1980-04-02").await).contains(&copy_id)
    })
    .await;
    // eg holds nothing, but dz answers its check.
    let at_eg = screen(&eg, "Karim Fictive Haddad", "1980-04-02").await;
    assert!(strong_ids(&at_eg).is_empty(), "{at_eg}");
    assert_eq!(at_eg["remote_hits"][0]["partner"], "dz", "{at_eg}");
    assert_eq!(
        at_eg["remote_hits"][0]["reference"],
        shared_id.as_str(),
        "{at_eg}"
    );
    assert_eq!(at_eg["remote_hits"][0]["action"], "arrest", "{at_eg}");
    // The never-shared entry answers nowhere but at dz.
    assert!(strong_ids(&screen(&tn, "Samir Imaginary Belkacem", "1975-09-09").await).is_empty());
    let eg_secret = screen(&eg, "Samir Imaginary Belkacem", "1975-09-09").await;
    assert!(eg_secret.get("remote_hits").is_none(), "{eg_secret}");

    // dz takes exactly one notice per hit (tn screened several times while
    // waiting for its copy; only strong matches on the copy are hits).
    wait_until("dz has the hit notices", || async {
        hits(&dz, "in").await.len() >= 2
    })
    .await;
    wait_until("tn and eg hear the acknowledgements", || async {
        let t = hits(&tn, "out").await;
        let e = hits(&eg, "out").await;
        !t.is_empty()
            && !e.is_empty()
            && t.iter().chain(&e).all(|h| h["acknowledged_at"].is_string())
    })
    .await;
    let tn_hits = hits(&tn, "out").await;
    let eg_hits = hits(&eg, "out").await;
    assert_eq!(eg_hits.len(), 1, "{eg_hits:?}");
    let at_dz = hits(&dz, "in").await;
    assert_eq!(at_dz.len(), tn_hits.len() + eg_hits.len(), "{at_dz:?}");
    let mut seen: Vec<&str> = at_dz
        .iter()
        .map(|h| h["hit_id"].as_str().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), at_dz.len(), "each hit once");
    assert!(
        at_dz
            .iter()
            .any(|h| h["via"] == "local-copy" && h["partner"] == "tn")
    );
    assert!(
        at_dz
            .iter()
            .any(|h| h["via"] == "hit-no-hit" && h["partner"] == "eg")
    );
    for h in &at_dz {
        assert_eq!(h["reference"], shared_id.as_str());
        assert_eq!(h["traveller"]["name"], "Karim Fictive Haddad");
        assert!(
            h["traveller"].get("nationality").is_none(),
            "only agreed fields: {h}"
        );
    }

    // The follow-up thread: tn asks, dz answers, tn closes.
    let hit_id = tn_hits[0]["hit_id"].as_str().unwrap().to_string();
    let path = format!("/v1/federation/hits/{hit_id}/follow-ups");
    call(
        &tn,
        &tn.cp,
        "POST",
        &path,
        Some(json!({"kind": "request", "text": "Please send the warrant."})),
    )
    .await;
    let thread_len = |node: &'static str, n: usize| {
        let hit_id = hit_id.clone();
        let node = if node == "dz" { &dz } else { &tn };
        async move {
            let v = call(node, &node.cp, "GET", "/v1/federation/hits", None).await;
            v["hits"].as_array().unwrap().iter().any(|h| {
                h["hit_id"] == hit_id.as_str() && h["thread"].as_array().unwrap().len() == n
            })
        }
    };
    wait_until("dz sees the request", || thread_len("dz", 1)).await;
    call(
        &dz,
        &dz.cp,
        "POST",
        &path,
        Some(json!({"kind": "answer", "text": "Warrant W-2026-17 attached."})),
    )
    .await;
    wait_until("tn sees the answer", || thread_len("tn", 2)).await;
    call(
        &tn,
        &tn.cp,
        "POST",
        &path,
        Some(json!({"kind": "outcome", "text": "Detained; handed over."})),
    )
    .await;
    wait_until("dz sees the outcome", || thread_len("dz", 3)).await;
    let dz_thread = hits(&dz, "in")
        .await
        .into_iter()
        .find(|h| h["hit_id"] == hit_id.as_str())
        .unwrap();
    let kinds: Vec<&str> = dz_thread["thread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["request", "answer", "outcome"]);

    // tn killed mid-replication: dz keeps writing, tn catches up after restart.
    tn.kill();
    let mut more = Vec::new();
    for i in 0..5 {
        let e = call(
            &dz,
            &dz.cp,
            "POST",
            "/v1/entries",
            Some(entry(
                &format!("Nadia Fictive Mansouri{i}"),
                &format!("1990-01-1{i}"),
                "by-agreement",
            )),
        )
        .await;
        more.push(e["id"].as_str().unwrap().to_string());
    }
    // A withdrawal names the version it was based on (If-Match).
    let current = call(
        &dz,
        &dz.cp,
        "GET",
        &format!("/v1/entries/{shared_id}"),
        None,
    )
    .await;
    let r = reqwest::Client::new()
        .post(format!("{}/v1/entries/{shared_id}/withdraw", dz.url))
        .bearer_auth(&dz.cp)
        .header("If-Match", format!("\"{}\"", current["version"]))
        .json(&json!({"reason": "warrant lifted"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    wait_until("dz sees tn down", || async {
        status_of(&dz, "tn").await["outbox_pending"]
            .as_i64()
            .unwrap()
            > 0
    })
    .await;
    tn.spawn();
    wait_until("tn caught up", || async {
        reqwest::get(format!("{}/healthz", tn.url)).await.is_ok()
            && status_of(&dz, "tn").await["outbox_pending"] == 0
    })
    .await;
    assert!(
        strong_ids(&screen(&tn, "Karim Fictive Haddad", "1980-04-02").await).is_empty(),
        "the withdrawn entry no longer screens at tn"
    );
    assert!(
        strong_ids(&screen(&tn, "Nadia Fictive Mansouri3", "1990-01-13").await)
            .contains(&format!("dz:{}", more[3]))
    );

    // A partition (dz's route to tn broken) heals.
    let invite: Value = serde_json::from_str(&tansiq(
        &["federation", "invite", "--url", &tn.url, "--key", &tn.admin],
        &tn.dir,
    ))
    .unwrap();
    let mut cut = invite.clone();
    cut["base_url"] = json!(format!("http://127.0.0.1:{}", free_port()));
    call(&dz, &dz.admin, "PUT", "/v1/federation/partners/tn",
        Some(json!({"base_url": cut["base_url"], "keys": invite["keys"], "outgoing": police("full"), "incoming": nothing}))).await;
    let late = call(
        &dz,
        &dz.cp,
        "POST",
        "/v1/entries",
        Some(entry("Omar Fictive Zeroual", "1985-05-05", "by-agreement")),
    )
    .await;
    let late_id = format!("dz:{}", late["id"].as_str().unwrap());
    wait_until("the delivery fails during the partition", || async {
        status_of(&dz, "tn").await["last_error"].is_string()
    })
    .await;
    call(&dz, &dz.admin, "PUT", "/v1/federation/partners/tn",
        Some(json!({"base_url": invite["base_url"], "keys": invite["keys"], "outgoing": police("full"), "incoming": nothing}))).await;
    wait_until("the partition heals", || async {
        strong_ids(&screen(&tn, "Omar Fictive Zeroual", "1985-05-05").await).contains(&late_id)
    })
    .await;

    // Messages replayed, duplicated, out of order, tampered, from strangers.
    let dz_store = Store::open(&dz.dir.join("dz.db").display().to_string())
        .await
        .unwrap();
    let sent = dz_store.outbox("tn").await.unwrap();
    let first = &sent[0].sealed;
    assert_eq!(deliver(&tn, first).await["result"], "duplicate");
    let mut tampered = first.clone();
    tampered.body = tampered.body.replace("Karim", "Karym");
    assert_eq!(deliver(&tn, &tampered).await["result"], "bad-signature");
    let dz_keys =
        NodeKeys::from_text(&std::fs::read_to_string(dz.dir.join("dz.identity")).unwrap()).unwrap();
    let forge = |seq: u64| {
        seal(
            &dz_keys,
            &Envelope::new(
                "dz",
                "tn",
                Some(seq),
                time::OffsetDateTime::now_utc(),
                Payload::EntryRemove {
                    id: more[0].clone(),
                    reason: "forged".into(),
                },
            ),
        )
    };
    assert_eq!(deliver(&tn, &forge(1)).await["result"], "replay");
    let last = sent.last().unwrap().seq as u64;
    // Far ahead of anything dz sends meanwhile (its worker may still be
    // sending after the outbox was read): a skipped sequence is a gap.
    assert_eq!(deliver(&tn, &forge(last + 1_000)).await["result"], "gap");
    let stranger = NodeKeys::generate("xx", [9; 32], time::OffsetDateTime::now_utc()).unwrap();
    let strange = seal(
        &stranger,
        &Envelope::new(
            "xx",
            "tn",
            Some(1),
            time::OffsetDateTime::now_utc(),
            Payload::HitAck { hit_id: "x".into() },
        ),
    );
    assert_eq!(deliver(&tn, &strange).await["result"], "unknown-sender");
    assert!(
        strong_ids(&screen(&tn, "Nadia Fictive Mansouri0", "1990-01-10").await)
            .contains(&format!("dz:{}", more[0])),
        "nothing forged was applied"
    );

    // What each partner stored and received: only what the agreements allow.
    let dz_out_tn = dz_store.outbox("tn").await.unwrap();
    let dz_out_eg = dz_store.outbox("eg").await.unwrap();
    assert!(
        dz_out_eg
            .iter()
            .all(|m| m.kind == "hit-ack" || m.kind == "follow-up"),
        "eg never gets an entry"
    );
    assert!(
        dz_out_tn
            .iter()
            .all(|m| m.subject.as_deref() != Some(secret_id.as_str()))
    );
    // The screenings just above made hits at tn, so tn may still be sending
    // their notices and dz their acknowledgements: wait until tn's outbox
    // to dz has drained (every notice received, its acknowledgement
    // queued) and then dz's to tn, then compare what dz sent with what tn
    // applied. (Waiting on dz's outbox alone raced a notice still in
    // flight: dz was empty, then queued one more acknowledgement.)
    wait_until(
        "tn's outbox to dz, then dz's outbox to tn, drain",
        || async {
            status_of(&tn, "dz").await["outbox_pending"] == 0
                && status_of(&dz, "tn").await["outbox_pending"] == 0
        },
    )
    .await;
    let dz_out_tn = dz_store.outbox("tn").await.unwrap();
    dz_store.close().await;
    drop(dz);
    tn.kill();
    drop(eg);
    let tn_store = Store::open(&tn.dir.join("tn.db").display().to_string())
        .await
        .unwrap();
    let eg_store = Store::open(&root.path().join("eg/eg.db").display().to_string())
        .await
        .unwrap();
    let foreign: Vec<String> = tn_store
        .source_entities("fed:dz")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entity.id)
        .collect();
    assert!(foreign.contains(&copy_id) && !foreign.iter().any(|id| id.contains(&secret_id)));
    for r in tn_store.source_entities("fed:dz").await.unwrap() {
        // Applied once, never doubled: one version per live copy; a
        // withdrawn copy is purged to its tombstone (issue 16, finding 6),
        // one version with no names left.
        let h = tn_store.entity_history(&r.entity.id).await.unwrap();
        let expected = 1;
        if r.entity.id == copy_id {
            assert!(
                r.entity.names().is_empty(),
                "the withdrawn copy keeps no name: {:?}",
                r.entity
            );
        }
        assert_eq!(h.len(), expected, "{}: {h:?}", r.entity.id);
    }
    assert!(
        eg_store.source_entities("fed:dz").await.unwrap().is_empty(),
        "eg holds no copy"
    );
    assert_eq!(
        tn_store.inbox_heads().await.unwrap()[0].last_seq,
        dz_out_tn.last().unwrap().seq
    );
}

fn current_key(node: &Node) -> String {
    let text = std::fs::read_to_string(node.dir.join(format!("{}.identity", node.name))).unwrap();
    NodeKeys::from_text(&text).unwrap().current().key_id.clone()
}

async fn partner_key_ids(node: &Node, partner: &str) -> Vec<String> {
    status_of(node, partner).await["key_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

/// dz rotates its key (`tansiq node rotate-key`) and restarts: it tells tn
/// and eg the new key in a message signed with the old one; both take it,
/// and what dz signs afterwards with the new key is accepted (a copy at
/// tn, a hit/no-hit answer at eg) without anyone accepting a new
/// invitation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_reaches_partners() {
    let root = tempfile::tempdir().unwrap();
    let mut dz = setup("dz", root.path()).await;
    let tn = setup("tn", root.path()).await;
    let eg = setup("eg", root.path()).await;
    let police = |level: &str| {
        json!({"rules": [{"agencies": ["dz-police"], "level": level}],
               "traveller_fields": ["name", "birth-date"]})
    };
    let nothing = json!({"rules": []});
    accept(&dz, &tn, police("full"), nothing.clone());
    accept(&dz, &eg, police("hit-no-hit"), nothing.clone());
    accept(&tn, &dz, nothing.clone(), police("full"));
    accept(&eg, &dz, nothing.clone(), police("hit-no-hit"));

    let first = call(
        &dz,
        &dz.cp,
        "POST",
        "/v1/entries",
        Some(entry("Karim Fictive Haddad", "1980-04-02", "by-agreement")),
    )
    .await;
    let first_copy = format!("dz:{}", first["id"].as_str().unwrap());
    wait_until("tn holds the first entry", || async {
        strong_ids(&screen(&tn, "Karim Fictive Haddad", "1980-04-02").await).contains(&first_copy)
    })
    .await;
    let old_key = current_key(&dz);
    assert_eq!(
        partner_key_ids(&tn, "dz").await,
        std::slice::from_ref(&old_key)
    );

    // Rotate and restart dz (a running node reads its identity at start).
    dz.kill();
    tansiq(
        &["node", "rotate-key", "--identity", "dz.identity"],
        &dz.dir,
    );
    let new_key = current_key(&dz);
    assert_ne!(new_key, old_key);
    dz.spawn();
    wait_until("dz up again", || async {
        reqwest::get(format!("{}/healthz", dz.url)).await.is_ok()
    })
    .await;
    for partner in [&tn, &eg] {
        wait_until("the partner takes the new key", || async {
            partner_key_ids(partner, "dz").await == [new_key.clone(), old_key.clone()]
        })
        .await;
    }

    // Signed with the new key now, and taken.
    let second = call(
        &dz,
        &dz.cp,
        "POST",
        "/v1/entries",
        Some(entry(
            "Nadia Fictive Mansouri",
            "1990-01-12",
            "by-agreement",
        )),
    )
    .await;
    let second_copy = format!("dz:{}", second["id"].as_str().unwrap());
    wait_until("tn holds the entry signed with the new key", || async {
        strong_ids(&screen(&tn, "Nadia Fictive Mansouri", "1990-01-12").await)
            .contains(&second_copy)
    })
    .await;
    let at_eg = screen(&eg, "Nadia Fictive Mansouri", "1990-01-12").await;
    assert_eq!(
        at_eg["remote_hits"][0]["reference"],
        second["id"].as_str().unwrap(),
        "dz's answer signed with the new key opens at eg: {at_eg}"
    );

    // What left dz: the announcement signed with the old key, then the
    // copy signed with the new one.
    let dz_store = Store::open(&dz.dir.join("dz.db").display().to_string())
        .await
        .unwrap();
    let out = dz_store.outbox("tn").await.unwrap();
    let announcement = out
        .iter()
        .find(|m| m.kind == "key-announcement")
        .expect("an announcement to tn");
    assert_eq!(announcement.sealed.key_id, old_key);
    let copy = out
        .iter()
        .find(|m| m.subject.as_deref() == second["id"].as_str())
        .unwrap();
    assert!(copy.seq > announcement.seq);
    assert_eq!(copy.sealed.key_id, new_key);
    assert_eq!(
        out.iter().filter(|m| m.kind == "key-announcement").count(),
        1,
        "announced once"
    );
    dz_store.close().await;
}
