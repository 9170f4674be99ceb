//! Fetching against a loopback HTTP server that serves the real UN list:
//! conditional requests, diffs, and failure cases that must each leave the
//! previous version in force and the store byte-for-byte unchanged.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tansiq_sources::{Config, Outcome, Paths, SourceDef, SourcesError, Updater};
use tansiq_store::Store;
use time::OffsetDateTime;

const UN_FILE: &str = "data/lists/un/un_consolidated_2026-02-27.xml";

fn un_bytes() -> Option<Vec<u8>> {
    let path = tansiq_testkit::shared_file(UN_FILE, "the UN list fetched over loopback HTTP")?;
    Some(std::fs::read(path).unwrap())
}

/// What the loopback server answers next.
#[derive(Clone)]
enum Mode {
    /// 200 with the body and ETag; 304 when `If-None-Match` matches.
    Serve { body: Vec<u8>, etag: String },
    /// 200 with the body and Last-Modified (no ETag); 304 when
    /// `If-Modified-Since` equals it.
    Dated {
        body: Vec<u8>,
        last_modified: String,
    },
    /// This status with a small HTML error page.
    Status(u16),
    /// Waits this long before answering with the body.
    Slow(Duration, Vec<u8>),
}

#[derive(Clone)]
struct Shared {
    mode: Arc<Mutex<Mode>>,
    /// `If-None-Match` of every request received.
    seen: Arc<Mutex<Vec<Option<String>>>>,
    /// `If-Modified-Since` of every request received.
    seen_since: Arc<Mutex<Vec<Option<String>>>>,
}

struct Server {
    url: String,
    shared: Shared,
}

impl Server {
    async fn start(mode: Mode) -> Server {
        let shared = Shared {
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::new(Mutex::new(Vec::new())),
            seen_since: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .route("/un.xml", axum::routing::get(serve))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            url: format!("http://{addr}/un.xml"),
            shared,
        }
    }

    fn set(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = mode;
    }

    fn seen(&self) -> Vec<Option<String>> {
        self.shared.seen.lock().unwrap().clone()
    }
}

async fn serve(AxState(s): AxState<Shared>, headers: HeaderMap) -> Response {
    let inm = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.seen.lock().unwrap().push(inm.clone());
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.seen_since.lock().unwrap().push(since.clone());
    let mode = s.mode.lock().unwrap().clone();
    match mode {
        Mode::Serve { body, etag } => {
            if inm.as_deref() == Some(etag.as_str()) {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                StatusCode::OK,
                [
                    (header::ETAG, etag),
                    (header::CONTENT_TYPE, "application/xml".to_string()),
                ],
                body,
            )
                .into_response()
        }
        Mode::Dated {
            body,
            last_modified,
        } => {
            if since.as_deref() == Some(last_modified.as_str()) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                StatusCode::OK,
                [(header::LAST_MODIFIED, last_modified)],
                body,
            )
                .into_response()
        }
        Mode::Status(code) => (
            StatusCode::from_u16(code).unwrap(),
            "<html><body>Something went wrong</body></html>",
        )
            .into_response(),
        Mode::Slow(wait, body) => {
            tokio::time::sleep(wait).await;
            (StatusCode::OK, Body::from(body)).into_response()
        }
    }
}

/// A temporary node: an SQLite store, the updater's state and cache.
struct Node {
    _dir: tempfile::TempDir,
    db: PathBuf,
    store: Store,
    updater: Updater,
}

impl Node {
    async fn new() -> Node {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("node.db");
        let store = Store::open(db.to_str().unwrap()).await.unwrap();
        let updater = Updater::new(Paths::beside_db(db.to_str().unwrap(), dir.path())).unwrap();
        Node {
            _dir: dir,
            db,
            store,
            updater,
        }
    }

    async fn update(&self, def: &SourceDef) -> Result<Outcome, SourcesError> {
        self.updater
            .update(&self.store, def, OffsetDateTime::now_utc())
            .await
    }

    fn last_error(&self, name: &str) -> Option<String> {
        let state = tansiq_sources::State::load(&self.updater.paths().state).unwrap();
        state.sources.get(name).and_then(|s| s.last_error.clone())
    }
}

fn un_source(url: &str, extra: &str) -> SourceDef {
    let text = format!(
        "[[sources]]\nname = \"un-sc\"\nformat = \"un-xml\"\nurl = \"{url}\"\nschedule = \"24h\"\ntimeout = \"1s\"\n{extra}"
    );
    Config::parse(&text).unwrap().sources.remove(0)
}

fn imported(outcome: Outcome) -> tansiq_store::ImportReport {
    match outcome {
        Outcome::Imported(i) => i.report,
        Outcome::NotModified => panic!("expected an import, got not modified"),
    }
}

#[tokio::test]
async fn first_update_imports_then_not_modified() {
    let Some(un) = un_bytes() else { return };
    let server = Server::start(Mode::Serve {
        body: un.clone(),
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    let def = un_source(&server.url, "");

    let report = imported(node.update(&def).await.unwrap());
    assert_eq!(report.source, "un-sc");
    assert_eq!(report.version, "2026-02-27T00:00:09.554Z");
    assert_eq!(report.previous_version, None);
    assert_eq!(report.added.len(), 1003);
    assert_eq!(report.persons + report.organisations, 1003);
    let after_first = node.store.dump().await.unwrap();

    let second = node.update(&def).await.unwrap();
    assert_eq!(second, Outcome::NotModified);
    assert_eq!(node.store.dump().await.unwrap(), after_first);
    assert_eq!(server.seen(), vec![None, Some("\"v1\"".to_string())]);
    assert_eq!(node.store.list_versions("un-sc").await.unwrap().len(), 1);

    // The state file beside the db remembers the ETag and no error.
    let state = std::fs::read_to_string(format!("{}.sources.json", node.db.display())).unwrap();
    assert!(state.contains("\\\"v1\\\""), "{state}");
    assert_eq!(node.last_error("un-sc"), None);
}

/// Each failure: a clear error, the previous version still in force, the
/// store's entity tables byte-for-byte unchanged, the error remembered.
#[tokio::test]
async fn failures_leave_the_previous_version_in_force() {
    let Some(un) = un_bytes() else { return };
    let server = Server::start(Mode::Serve {
        body: un.clone(),
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    let def = un_source(&server.url, "");
    imported(node.update(&def).await.unwrap());
    let before = node.store.dump().await.unwrap();

    let fictitious_ofac = b"1001,\"FICTITIOUS, Person One\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 01 Jan 1970.\"\n".to_vec();
    let html = b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>\n".to_vec();
    let half = un[..un.len() / 2].to_vec();
    let cases: Vec<(&str, Mode, &[&str])> = vec![
        (
            "404",
            Mode::Status(404),
            &["HTTP 404 Not Found", "previous version stays in force"],
        ),
        (
            "500",
            Mode::Status(500),
            &["HTTP 500 Internal Server Error"],
        ),
        (
            "truncated body",
            Mode::Serve {
                body: half,
                etag: "\"half\"".into(),
            },
            &["rejected, nothing imported", "truncated"],
        ),
        (
            "OFAC CSV where UN XML is declared",
            Mode::Serve {
                body: fictitious_ofac,
                etag: "\"csv\"".into(),
            },
            &["rejected, nothing imported", "not un-xml input"],
        ),
        (
            "HTML page where UN XML is declared",
            Mode::Serve {
                body: html,
                etag: "\"html\"".into(),
            },
            &["rejected, nothing imported", "un-xml"],
        ),
        (
            "slow server",
            Mode::Slow(Duration::from_secs(3), un.clone()),
            &["timed out after 1s"],
        ),
    ];
    for (what, mode, expect) in cases {
        server.set(mode);
        let err = node.update(&def).await.expect_err(what).to_string();
        for e in expect {
            assert!(err.contains(e), "{what}: {err:?} should contain {e:?}");
        }
        assert!(err.starts_with("un-sc: "), "{what}: {err}");
        assert_eq!(
            node.store.dump().await.unwrap(),
            before,
            "{what}: store changed"
        );
        let sources = node.store.sources().await.unwrap();
        let un_sc = sources.iter().find(|s| s.source == "un-sc").unwrap();
        assert_eq!(
            un_sc.version.as_deref(),
            Some("2026-02-27T00:00:09.554Z"),
            "{what}"
        );
        assert_eq!(un_sc.active, 1003, "{what}");
        assert_eq!(
            node.last_error("un-sc").as_deref(),
            Some(err.as_str()),
            "{what}"
        );
    }

    // Still conditional after the failures (validators of the version in
    // force were kept), and a success clears the last error.
    server.set(Mode::Serve {
        body: un,
        etag: "\"v1\"".into(),
    });
    assert_eq!(node.update(&def).await.unwrap(), Outcome::NotModified);
    assert_eq!(server.seen().last().unwrap().as_deref(), Some("\"v1\""));
    assert_eq!(node.last_error("un-sc"), None);
    assert_eq!(node.store.dump().await.unwrap(), before);
}

/// A server that announces more bytes than it sends and closes the
/// connection: the client must not take the short body.
#[tokio::test]
async fn body_shorter_than_content_length_is_refused() {
    let Some(un) = un_bytes() else { return };
    let good = Server::start(Mode::Serve {
        body: un.clone(),
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    imported(node.update(&un_source(&good.url, "")).await.unwrap());
    let before = node.store.dump().await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"cut\"\r\n\r\n",
            un.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(&un[..un.len() / 3]).await.unwrap();
        socket.shutdown().await.unwrap();
    });
    let def = un_source(&format!("http://{addr}/un.xml"), "");
    let err = node.update(&def).await.unwrap_err().to_string();
    assert!(
        err.contains("fetching") && err.contains("previous version stays in force"),
        "{err}"
    );
    assert_eq!(node.store.dump().await.unwrap(), before);
}

#[tokio::test]
async fn max_bytes_is_enforced() {
    let Some(un) = un_bytes() else { return };
    let server = Server::start(Mode::Serve {
        body: un,
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    let before = node.store.dump().await.unwrap();
    let def = un_source(&server.url, "max_bytes = 100000");
    let err = node.update(&def).await.unwrap_err().to_string();
    assert!(err.contains("larger than max_bytes = 100000"), "{err}");
    assert_eq!(node.store.dump().await.unwrap(), before);
}

/// The UN list with one INDIVIDUAL removed, another renamed, a fictitious
/// one added, and a new `dateGenerated`.
fn edited(un: &[u8]) -> (Vec<u8>, String, String) {
    let text = std::str::from_utf8(un).unwrap();
    let block = |from: usize| {
        let start = from + text[from..].find("<INDIVIDUAL>").unwrap();
        let end = start + text[start..].find("</INDIVIDUAL>").unwrap() + "</INDIVIDUAL>".len();
        (start, end)
    };
    let reference = |(s, e): (usize, usize)| {
        let b = &text[s..e];
        let r = b.find("<REFERENCE_NUMBER>").unwrap() + "<REFERENCE_NUMBER>".len();
        b[r..r + b[r..].find('<').unwrap()].to_string()
    };
    let first = block(0);
    let second = block(first.1);
    let removed = reference(first);
    let renamed = reference(second);
    let second_text = &text[second.0..second.1];
    let first_name = {
        let r = second_text.find("<FIRST_NAME>").unwrap() + "<FIRST_NAME>".len();
        &second_text[r..r + second_text[r..].find('<').unwrap()]
    };
    let renamed_block = second_text.replacen(
        &format!("<FIRST_NAME>{first_name}</FIRST_NAME>"),
        "<FIRST_NAME>ZEBEDEE</FIRST_NAME>",
        1,
    );
    let fictitious = "<INDIVIDUAL>\n      <DATAID>99999901</DATAID>\n      <VERSIONNUM>1</VERSIONNUM>\n      \
        <FIRST_NAME>QUENTIN</FIRST_NAME>\n      <SECOND_NAME>FICTITIOUS</SECOND_NAME>\n      \
        <UN_LIST_TYPE>DRC</UN_LIST_TYPE>\n      <REFERENCE_NUMBER>CDi.999</REFERENCE_NUMBER>\n      \
        <LISTED_ON>2026-03-01</LISTED_ON>\n    </INDIVIDUAL>";
    let mut out = String::with_capacity(text.len() + 1000);
    out.push_str(&text[..first.0]);
    out.push_str(fictitious);
    out.push_str(&text[first.1..second.0]);
    out.push_str(&renamed_block);
    out.push_str(&text[second.1..]);
    let out = out.replacen(
        "dateGenerated=\"2026-02-27T00:00:09.554Z\"",
        "dateGenerated=\"2026-03-01T00:00:00.000Z\"",
        1,
    );
    (out.into_bytes(), removed, renamed)
}

#[tokio::test]
async fn update_to_an_edited_copy_reports_the_diff() {
    let Some(un) = un_bytes() else { return };
    let server = Server::start(Mode::Serve {
        body: un.clone(),
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    let def = un_source(&server.url, "keep = 2");
    imported(node.update(&def).await.unwrap());

    let (next, removed, renamed) = edited(&un);
    server.set(Mode::Serve {
        body: next.clone(),
        etag: "\"v2\"".into(),
    });
    let report = imported(node.update(&def).await.unwrap());
    assert_eq!(report.version, "2026-03-01T00:00:00.000Z");
    assert_eq!(
        report.previous_version.as_deref(),
        Some("2026-02-27T00:00:09.554Z")
    );
    assert_eq!(report.added, vec!["CDi.999".to_string()]);
    assert_eq!(report.removed, vec![removed.clone()]);
    assert_eq!(report.changed.len(), 1, "{:?}", report.changed);
    let (id, props) = &report.changed[0];
    assert_eq!(id, &renamed);
    assert!(props.iter().any(|p| p == "name"), "{props:?}");
    assert!(!report.unchanged);
    // The request carried the validator of the version then in force.
    assert_eq!(server.seen().last().unwrap().as_deref(), Some("\"v1\""));

    let active = node.store.active_entities().await.unwrap();
    assert!(active.iter().any(|e| e.id == "CDi.999"));
    assert!(!active.iter().any(|e| e.id == removed));
    assert_eq!(node.store.list_versions("un-sc").await.unwrap().len(), 2);

    // A third version: only the last `keep = 2` raw downloads are kept,
    // the newest being the one just imported.
    let third = String::from_utf8(next)
        .unwrap()
        .replacen("2026-03-01T00:00:00.000Z", "2026-03-02T00:00:00.000Z", 1)
        .replacen(
            "<FIRST_NAME>QUENTIN</FIRST_NAME>",
            "<FIRST_NAME>QUINTUS</FIRST_NAME>",
            1,
        );
    server.set(Mode::Serve {
        body: third.clone().into_bytes(),
        etag: "\"v3\"".into(),
    });
    let outcome = node.update(&def).await.unwrap();
    let Outcome::Imported(i) = outcome else {
        panic!("expected an import")
    };
    assert_eq!(i.report.changed.len(), 1, "{:?}", i.report.changed);
    assert_eq!(i.report.changed[0].0, "CDi.999");
    assert!(i.report.changed[0].1.iter().any(|p| p == "name"));
    let cache_dir = node.updater.paths().cache.join("un-sc");
    let mut kept: Vec<PathBuf> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[1], i.cached);
    assert_eq!(std::fs::read(&kept[1]).unwrap(), third.into_bytes());
}

#[tokio::test]
async fn local_path_source_is_not_modified_until_the_file_changes() {
    let Some(un) = un_bytes() else { return };
    let node = Node::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("un.xml");
    std::fs::write(&file, &un).unwrap();
    let config = dir.path().join("tansiq.toml");
    std::fs::write(
        &config,
        "[[sources]]\nname = \"un-sc\"\nformat = \"un-xml\"\npath = \"un.xml\"\nschedule = \"7d\"\n",
    )
    .unwrap();
    let config = Config::load(&config).unwrap();
    let def = &config.sources[0];
    assert_eq!(def.origin, tansiq_sources::Origin::Path(file.clone()));
    assert_eq!(imported(node.update(def).await.unwrap()).added.len(), 1003);
    assert_eq!(node.update(def).await.unwrap(), Outcome::NotModified);

    let (next, _, _) = edited(&un);
    write_newer(&file, &next);
    let report = imported(node.update(def).await.unwrap());
    assert_eq!(
        (
            report.added.len(),
            report.changed.len(),
            report.removed.len()
        ),
        (1, 1, 1)
    );
}

/// Rewrites a file so that its modification time differs even on coarse
/// file systems.
fn write_newer(path: &Path, bytes: &[u8]) {
    let before = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, bytes).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(before + Duration::from_secs(2)).unwrap();
}

#[tokio::test]
async fn status_reports_versions_errors_and_staleness() {
    let Some(un) = un_bytes() else { return };
    let server = Server::start(Mode::Serve {
        body: un,
        etag: "\"v1\"".into(),
    })
    .await;
    let node = Node::new().await;
    let text = format!(
        "[[sources]]\nname = \"un-sc\"\nformat = \"un-xml\"\nurl = \"{}\"\nschedule = \"24h\"\ntimeout = \"1s\"\n\
         [[sources]]\nname = \"missing\"\nformat = \"ftm\"\nurl = \"{}/missing\"\nschedule = \"1h\"\ntimeout = \"1s\"\n",
        server.url,
        server.url.trim_end_matches("/un.xml")
    );
    let config = Config::parse(&text).unwrap();
    let now = OffsetDateTime::now_utc();
    imported(
        node.updater
            .update(&node.store, &config.sources[0], now)
            .await
            .unwrap(),
    );
    let err = node
        .updater
        .update(&node.store, &config.sources[1], now)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");

    let status = node
        .updater
        .status(&node.store, &config, now)
        .await
        .unwrap();
    assert_eq!(status.len(), 2);
    let un = &status[0];
    assert_eq!(un.version.as_deref(), Some("2026-02-27T00:00:09.554Z"));
    assert_eq!(un.active, 1003);
    assert!(!un.stale);
    assert_eq!(un.last_error, None);
    let missing = &status[1];
    assert_eq!(missing.version, None);
    assert!(missing.stale);
    assert!(missing.last_error.as_deref().unwrap().contains("HTTP 404"));

    // A day and a minute later the UN source is stale.
    let later = now + time::Duration::hours(24) + time::Duration::minutes(1);
    let status = node
        .updater
        .status(&node.store, &config, later)
        .await
        .unwrap();
    assert!(status[0].stale);
    let sooner = now + time::Duration::hours(23);
    let status = node
        .updater
        .status(&node.store, &config, sooner)
        .await
        .unwrap();
    assert!(!status[0].stale);
}

#[tokio::test]
async fn last_modified_is_sent_back_as_if_modified_since() {
    let Some(un) = un_bytes() else { return };
    let date = "Fri, 27 Feb 2026 00:00:09 GMT".to_string();
    let server = Server::start(Mode::Dated {
        body: un.clone(),
        last_modified: date.clone(),
    })
    .await;
    let node = Node::new().await;
    let def = un_source(&server.url, "");
    assert_eq!(imported(node.update(&def).await.unwrap()).added.len(), 1003);
    let before = node.store.dump().await.unwrap();
    assert_eq!(node.update(&def).await.unwrap(), Outcome::NotModified);
    assert_eq!(
        server.shared.seen_since.lock().unwrap().clone(),
        vec![None, Some(date)]
    );
    assert_eq!(server.seen(), vec![None, None]);
    assert_eq!(node.store.dump().await.unwrap(), before);

    // A new database with the old state file: the validators are not
    // trusted, the list is fetched whole.
    let fresh = tempfile::tempdir().unwrap();
    let db = fresh.path().join("other.db");
    let store = Store::open(db.to_str().unwrap()).await.unwrap();
    let report = imported(
        node.updater
            .update(&store, &def, OffsetDateTime::now_utc())
            .await
            .unwrap(),
    );
    assert_eq!(report.added.len(), 1003);
    assert_eq!(
        server.shared.seen_since.lock().unwrap().last().unwrap(),
        &None
    );
}
