//! A real node on a loopback port for integration tests: SQLite in a temp
//! folder, or a fresh PostgreSQL database on `TANSIQ_TEST_POSTGRES`.
#![allow(dead_code)]

/// Runs each named scenario (an `async fn(Backend)` of the test file) on
/// SQLite and on a fresh PostgreSQL database (skipped outside CI when
/// `TANSIQ_TEST_POSTGRES` is unset): `on_both_backends!(a, b);`.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = super::support::postgres_backend(stringify!($name)).await else {
                        return;
                    };
                    super::$name(backend).await;
                }
            )*
        }
    };
}

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tansiq_model::{Entity, Schema, prop};
use tansiq_server::{AppState, Config, MemoryAudit, Pepper, issue_key, serve_on};
use tansiq_store::{Role, Store};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const AGENCY_A: &str = "dz-police";
pub const AGENCY_B: &str = "dz-customs";

/// Where a test node keeps its state.
pub enum Backend {
    Sqlite,
    Postgres { server: String, db: String },
}

pub struct Node {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub audit: Arc<MemoryAudit>,
    pub store: Store,
    pub pepper: Pepper,
    /// Token of each fixture user, by user id.
    pub tokens: std::collections::HashMap<String, String>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<Result<(), tansiq_server::ServerError>>>,
    backend: Backend,
    _dir: tempfile::TempDir,
}

/// The fixture users: (id, agency, role), every role in both agencies.
pub const USERS: &[(&str, &str, Role)] = &[
    ("officer-a", AGENCY_A, Role::Officer),
    ("analyst-a", AGENCY_A, Role::Analyst),
    ("cp-a", AGENCY_A, Role::ContactPoint),
    ("admin-a", AGENCY_A, Role::Admin),
    ("auditor-a", AGENCY_A, Role::Auditor),
    ("nodeadmin-a", AGENCY_A, Role::NodeAdmin),
    ("nodeauditor-a", AGENCY_A, Role::NodeAuditor),
    ("officer-b", AGENCY_B, Role::Officer),
    ("analyst-b", AGENCY_B, Role::Analyst),
    ("cp-b", AGENCY_B, Role::ContactPoint),
    ("admin-b", AGENCY_B, Role::Admin),
    ("auditor-b", AGENCY_B, Role::Auditor),
    ("nodeadmin-b", AGENCY_B, Role::NodeAdmin),
    ("nodeauditor-b", AGENCY_B, Role::NodeAuditor),
];

static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// A fresh PostgreSQL database for one test, or `None` (skip) when no
/// test server is configured outside CI.
pub async fn postgres_backend(test: &str) -> Option<Backend> {
    let server = tansiq_testkit::postgres_url(test)?;
    let db = format!(
        "tansiq_server_{}_{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut conn = sqlx::PgConnection::connect(&server)
        .await
        .expect("connect to the test server");
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("create test database");
    }
    let _ = conn.close().await;
    Some(Backend::Postgres { server, db })
}

/// A fictitious public list.
pub fn public_list() -> Vec<Entity> {
    let mut out = Vec::new();
    for (id, name, dob) in [
        ("tl-1", "Karimou Fictivo Belhadjar", "1970-01-15"),
        ("tl-2", "Nadirah Imaginé Soltanova", "1982-07-30"),
        ("tl-3", "Ouarda Testeuse Benmakhlouf", "1965"),
    ] {
        let mut e = Entity::new(id, Schema::Person);
        e.add(prop::NAME, name);
        e.add(prop::BIRTH_DATE, dob);
        e.add(prop::NATIONALITY, "dz");
        out.push(e);
    }
    out
}

pub fn default_config(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.server.listen = "127.0.0.1:0".into();
    config.security.pepper_file = dir.join("pepper");
    config.node.identity_file = dir.join("identity");
    config.audit.checkpoint_file = dir.join("checkpoint");
    config.rate_limit.per_key_per_second = 0;
    // Tests refuse many requests from one address on purpose; the flood
    // test (`flood.rs`) turns the per-address limit back on.
    config.rate_limit.refusals_per_minute_per_address = 0;
    config
}

impl Node {
    pub async fn start(backend: Backend) -> Node {
        Node::start_with(backend, |_| {}).await
    }

    /// Starts a node with the fixture agencies, users, keys and public list.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let mut config = default_config(dir.path());
        config.store.location = match &backend {
            Backend::Sqlite => dir.path().join("node.db").display().to_string(),
            Backend::Postgres { server, db } => with_database(server, db),
        };
        tweak(&mut config);
        let store = Store::open(&config.store.location).await.unwrap();
        let pepper = Pepper::load_or_create(&config.security.pepper_file).unwrap();
        store
            .create_agency(AGENCY_A, "Police (fictitious)")
            .await
            .unwrap();
        store
            .create_agency(AGENCY_B, "Customs (fictitious)")
            .await
            .unwrap();
        let mut tokens = std::collections::HashMap::new();
        let expires = OffsetDateTime::now_utc() + time::Duration::days(30);
        for (id, agency, role) in USERS {
            store.create_user(id, agency, id, &[*role]).await.unwrap();
            let key = issue_key(&store, &pepper, id, "test", expires)
                .await
                .unwrap();
            tokens.insert(id.to_string(), key.token);
        }
        store
            .import_list("testlist", "2026-11-01", public_list())
            .await
            .unwrap();
        let audit = Arc::new(MemoryAudit::default());
        let state = AppState::new(store.clone(), config, pepper.clone(), audit.clone())
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        // HTTPS (and mutual TLS for partners) when the tweak set `[tls]`.
        let tls = tansiq_server::tls_acceptor_for(&state.config.tls).unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(serve_on(state.clone(), listener, tls, async move {
            let _ = rx.await;
        }));
        Node {
            base,
            client: reqwest::Client::new(),
            state,
            audit,
            store,
            pepper,
            tokens,
            shutdown: Some(tx),
            server: Some(server),
            backend,
            _dir: dir,
        }
    }

    pub fn token(&self, user: &str) -> &str {
        &self.tokens[user]
    }

    /// Sends a request as `user` (`None`: no key); returns status and JSON
    /// body (`Value::Null` when the body is not JSON).
    pub async fn call(
        &self,
        user: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(u) = user {
            req = req.bearer_auth(self.token(u));
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
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(ctype, "application/problem+json", "{path}: {status} {text}");
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// [`Node::call`] with `If-Match: "<version>"` (updates and
    /// withdrawals require it).
    pub async fn call_if_match(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        version: i64,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token(user))
            .header("If-Match", format!("\"{version}\""));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signals shutdown and hands back the server task (to await it).
    pub fn begin_shutdown(
        &mut self,
    ) -> tokio::task::JoinHandle<Result<(), tansiq_server::ServerError>> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take().expect("server still running")
    }

    /// The test node audits in memory: writes its events into the store's
    /// log as the node's journal would have, for tests that read the log
    /// back from the store.
    pub async fn audit_into_store(&self) {
        let events: Vec<tansiq_store::AuditEvent> = self
            .audit
            .events()
            .into_iter()
            .map(|e| tansiq_store::AuditEvent {
                at: e.at,
                actor: e.actor,
                action: e.action.to_string(),
                subject: e.target,
                facts: json!({"agency": e.agency, "outcome": e.outcome}),
                payload: e.detail,
            })
            .collect();
        self.store.append_audit_batch(&events).await.unwrap();
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.await.unwrap().unwrap();
        }
        self.store.close().await;
        if let Backend::Postgres { server, db } = &self.backend {
            let mut conn = sqlx::PgConnection::connect(server).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
            let _ = conn.close().await;
        }
    }
}

/// A declared list source read from a fictitious fixture file.
pub fn fixture_source(config: &mut tansiq_server::Config) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fictitious-list.ftm.jsonl");
    let mut t = toml::Table::new();
    t.insert("name".into(), "fixture-list".into());
    t.insert("format".into(), "ftm".into());
    t.insert("path".into(), path.display().to_string().into());
    t.insert("schedule".into(), "24h".into());
    config.sources = vec![t];
    config.store.files_dir = Some(std::env::temp_dir().join(format!(
        "tansiq-matrix-{}-{}",
        std::process::id(),
        config.store.location.len()
    )));
}

/// A valid national entry body.
pub fn entry_body(name: &str, visibility: Value) -> Value {
    json!({
        "names": [name],
        "birth_dates": ["1979-04-02"],
        "nationalities": ["dz"],
        "legal_basis": {"warrant_number": "W-2026-001", "court": "Tribunal fictif"},
        "action_on_hit": "arrest",
        "sharing": visibility,
    })
}
