//! The HTTP service of a tansiq national node: screening of travellers,
//! the country's own entries, entity search, accounts, roles and API keys,
//! health, readiness and Prometheus metrics, the ecosystem's matching APIs
//! (yente's `/match`, `/search`, `/entities` and the W3C Reconciliation
//! API, so existing clients work unchanged), with an OpenAPI document at
//! `/openapi.json` that a test keeps equal to the real routes.
//!
//! Key design decision: the screening index is **derived, in-memory state**
//! held in an `ArcSwap` and rebuilt from the store by one background task
//! after every change, so a screening never touches the database or waits
//! for a lock (beyond the API-key check, cached for a few seconds). The
//! trade-off: a write answers only once the rebuilt index is live, which
//! costs a full rebuild per burst of writes; fine for national entries
//! (tens per day), not for bulk imports through this API (use
//! `tansiq import`, then the node picks the change up on its next rebuild).
//!
//! Access is decided per request by role **and** agency: an entry whose
//! sharing policy hides it from the caller's agency is answered exactly as
//! a missing one, everywhere (get, search, screening, history, errors).
//!
//! ```no_run
//! # async fn run() -> Result<(), tansiq_server::ServerError> {
//! use tansiq_server::{Config, serve};
//! let config = Config::from_toml_str(
//!     "[server]\nlisten = \"127.0.0.1:8080\"\n[store]\nlocation = \"node.db\"\n",
//!     std::env::vars(),
//! )?;
//! serve(config, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```
//!
//! Screenings leave a record (batched, off the screening path) and raise
//! hits for review (`review/`); after each index rebuild the recent
//! screenings are re-screened against the entities that changed
//! ([`AppState::rescreen`]).
//!
//! Tests build the app with [`AppState::new`] and [`router`] and bind it on
//! `127.0.0.1:0` with [`serve_on`].

mod audit;
mod auth;
mod compat;
mod config;
pub mod console;
mod dto;
mod error;
mod federation;
mod flood;
pub mod identity;
mod journal;
mod metrics;
mod ops;
mod refusals;
mod review;
mod routes;
mod screening;
mod sources;
mod state;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use tansiq_store::{Role, Store};
use time::OffsetDateTime;
use tokio::net::TcpListener;

pub use audit::{AuditEvent, AuditSink, MemoryAudit, StoreAudit, TracingAudit};
pub use auth::{
    IssuedKey, KEY_CACHE_TTL, Pepper, Principal, check_key_days, issue_key, parse_token, visible_to,
};
pub use config::{
    AuditSection, Config, FederationSection, ListsSection, NodeAuditorPayloads, NodeSection,
    RateLimitSection, RescreenBy, RetentionSection, ReviewSection, ScreeningSection,
    SecuritySection, ServerSection, StoreSection, TlsSection,
};
pub use error::{ApiError, JsonBody, Problem, ServerError, parse_json};
pub use federation::{
    ClientCertificate, DeliveryRequest, DeliveryResponse, FederationStatusDto, InviteDto,
    PartnerStatusDto, SealedDto, client as federation_client, federation_status, run_worker,
};
pub use journal::Journal;
pub use metrics::Metrics;
pub use ops::{AuditEventDto, parse_instant};
pub use review::{
    AlteredRecord, RecordCheck, RescreenReport, Review, document_key, stored_query,
    verify_screening_records,
};
pub use routes::{RouteTable, openapi, route_table, second_factor_reset};
pub use state::{AppState, ListState, Snapshot};

/// The router of the node with its state: every route, the problem
/// fallbacks, the body limit, the request timeout and the metrics layer.
pub fn router(state: AppState) -> Router {
    routes::build_router(state)
}

/// Opens the store, loads (or creates) the pepper, builds the index and
/// serves until `shutdown` completes; then stops accepting, lets in-flight
/// requests finish (at most `server.shutdown_grace_ms`) and closes the
/// store. HTTPS when `[tls]` names a certificate and key.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.validate()?;
    let addr = config.listen_addr()?;
    let tls = tls_acceptor_for(&config.tls)?;
    let state = open_state(config).await?;
    // The node reads its identity once, here: after `tansiq node
    // rotate-key`, every partner is told the new key (in a message signed
    // with the previous one) before anything signed with the new key is
    // queued for it, so the partner can open what follows.
    let announced = state.store.announce_keys(&state.identity).await?;
    if announced > 0 {
        tracing::info!(partners = announced, key = %state.identity.current().key_id,
            "federation: new identity key announced to partners");
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| ServerError::Bind {
            addr: addr.to_string(),
            reason: e.to_string(),
        })?;
    tracing::info!(
        addr = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        tls = tls.is_some(),
        store = state.store.backend(),
        entities = state.index.load().index.len(),
        "tansiq node listening"
    );
    for warning in state.warnings() {
        tracing::warn!("{warning}");
    }
    let store = state.store.clone();
    let audit = state.audit.clone();
    let guard_state = state.clone();
    let identity = state.identity.clone();
    let checkpoint_file = state.config.audit.checkpoint_file.clone();
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let lists = tokio::spawn(sources::scheduler_loop(std::sync::Arc::downgrade(
        state.inner(),
    )));
    let federation = tokio::spawn(federation::run_worker(state.clone()));
    let result = serve_on(state, listener, tls, shutdown).await;
    housekeeping.abort();
    lists.abort();
    federation.abort();
    // Every audited request is answered by now: count the refusals not
    // yet summarised, make every event durable, then sign the final head.
    for summary in guard_state.guard.sweep(true) {
        audit.record(summary.event());
    }
    drop(guard_state);
    if let Some(done) = audit.flush() {
        let _ = done.await;
    }
    match identity::write_checkpoint(&store, &identity, &checkpoint_file).await {
        Ok(Some(cp)) => tracing::info!(seq = cp.checkpoint.seq, "final audit checkpoint written"),
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "final audit checkpoint failed"),
    }
    store.close().await;
    result
}

/// The node's periodic duties while it serves: signed audit checkpoints
/// every `[audit] checkpoint_every_s`, and the retention purge of traveller
/// data every `[retention] purge_every_s`. Failures are logged and retried
/// at the next tick; they never stop the node.
async fn housekeeping(state: AppState) {
    let every = |s: u64| std::time::Duration::from_secs(s.max(1));
    let mut checkpoint = tokio::time::interval(every(state.config.audit.checkpoint_every_s));
    let mut purge = tokio::time::interval(every(state.config.retention.purge_every_s));
    loop {
        tokio::select! {
            _ = checkpoint.tick() => {
                if let Some(done) = state.audit.flush() {
                    let _ = done.await;
                }
                if let Err(e) = identity::write_checkpoint(
                    &state.store, &state.identity, &state.config.audit.checkpoint_file,
                ).await {
                    tracing::error!(error = %e, "audit checkpoint failed");
                }
            }
            _ = purge.tick() => {
                match purge_traveller_data(&state).await {
                    Ok(n) if n > 0 => tracing::info!(purged = n, "retention: traveller data purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "retention purge failed"),
                }
                match purge_inbox_digests(&state).await {
                    Ok(n) if n > 0 => tracing::info!(purged = n, "retention: federation inbox digests purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "federation inbox purge failed"),
                }
            }
        }
    }
}

/// Purges traveller data older than `[retention] traveller_data_days`
/// (see [`purge_traveller_data_before`]). Returns how many records lost
/// their traveller data.
pub async fn purge_traveller_data(state: &AppState) -> Result<u64, ServerError> {
    let days = i64::from(state.config.retention.traveller_data_days);
    let before = OffsetDateTime::now_utc() - time::Duration::days(days);
    purge_traveller_data_before(state, before).await
}

/// Purges the traveller data of everything before `before`: audit payloads
/// (the chain stays verifiable over their hashes), screening records (the
/// history re-screening reads), the context and document of decided hits
/// (open and confirmed hits keep theirs: still worked, or backing a case)
/// and the dismissed (document, entity) pairs, which hold the document
/// number. Returns how many records lost their traveller data; audited
/// when any.
pub async fn purge_traveller_data_before(
    state: &AppState,
    before: OffsetDateTime,
) -> Result<u64, ServerError> {
    let payloads = state.store.purge_audit_payloads(before).await?;
    let screenings = state.store.purge_screenings(before).await?;
    let hits = state.store.purge_hit_contexts(before).await?;
    let suppressions = state.store.purge_suppressions(before).await?;
    let n = payloads + screenings + hits + suppressions;
    if n > 0 {
        state.audit.record(AuditEvent {
            at: OffsetDateTime::now_utc(),
            actor: "system".into(),
            agency: "-".into(),
            key_id: "-".into(),
            action: "retention.purge",
            target: None,
            outcome: "ok",
            detail: serde_json::json!({"before": before.to_string(), "audit_payloads": payloads,
                                       "screenings": screenings, "hit_contexts": hits,
                                       "suppressions": suppressions}),
        });
    }
    Ok(n)
}

/// Purges the digests of partners' messages older than `[federation]
/// inbox_digest_days` (each partner's last number stays). Returns the rows
/// removed; audited when any.
pub async fn purge_inbox_digests(state: &AppState) -> Result<u64, ServerError> {
    let days = i64::from(state.config.federation.inbox_digest_days);
    let before = OffsetDateTime::now_utc() - time::Duration::days(days);
    let n = state.store.purge_inbox_digests(before).await?;
    if n > 0 {
        state.audit.record(AuditEvent {
            at: OffsetDateTime::now_utc(),
            actor: "system".into(),
            agency: "-".into(),
            key_id: "-".into(),
            action: "retention.purge",
            target: None,
            outcome: "ok",
            detail: serde_json::json!({"before": before.to_string(), "inbox_digests": n}),
        });
    }
    Ok(n)
}

/// Opens the store named by the config, loads the pepper and builds the
/// state with the store's hash-chained audit log as the audit sink.
pub async fn open_state(config: Config) -> Result<AppState, ServerError> {
    let store = Store::open(&config.store.location).await?;
    let pepper = Pepper::load_or_create(&config.security.pepper_file)?;
    let audit = Arc::new(StoreAudit::start(store.clone()));
    AppState::new(store, config, pepper, audit).await
}

/// Serves `state` on a bound listener (HTTPS when `tls` is given) until
/// `shutdown` completes, then drains in-flight requests for at most the
/// configured grace period.
pub async fn serve_on(
    state: AppState,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let grace = state.config.shutdown_grace();
    let app = router(state.clone());
    let draining = state.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        draining.set_draining();
        tracing::info!("shutting down: no new connections, finishing in-flight requests");
        let _ = stopped_tx.send(());
    };
    let grace_elapsed = async move {
        let _ = stopped_rx.await;
        tokio::time::sleep(grace).await;
    };
    match tls {
        None => {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = axum::serve(listener, app).with_graceful_shutdown(signal);
            tokio::select! {
                r = server => r.map_err(|e| ServerError::Bind { addr: "listener".into(), reason: e.to_string() }),
                _ = grace_elapsed => {
                    tracing::warn!("shutdown grace period elapsed; dropping unfinished requests");
                    Ok(())
                }
            }
        }
        Some(acceptor) => {
            tokio::select! {
                r = serve_tls(listener, acceptor, app, signal) => r,
                _ = grace_elapsed => {
                    tracing::warn!("shutdown grace period elapsed; dropping unfinished requests");
                    Ok(())
                }
            }
        }
    }
}

/// The HTTPS accept loop: TLS handshake per connection, then hyper with
/// HTTP/1.1 or HTTP/2; on shutdown stop accepting and wait for open
/// connections to finish their requests.
async fn serve_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
    signal: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, address) = match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let app = app.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let tls = match acceptor.accept(tcp).await {
                        Ok(t) => t,
                        Err(e) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                    };
                    // A client certificate, when one was presented, has
                    // been verified by the handshake against
                    // `[tls] client_ca`: the requests of this connection
                    // carry its fingerprint for the node-to-node routes.
                    let peer = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| federation::ClientCertificate::of(c.as_ref()));
                    let service = TowerToHyperService::new(tower::ServiceExt::map_request(
                        app,
                        move |mut req: hyper::Request<hyper::body::Incoming>| {
                            if let Some(p) = &peer {
                                req.extensions_mut().insert(p.clone());
                            }
                            req.extensions_mut().insert(axum::extract::ConnectInfo(address));
                            req
                        },
                    ));
                    let builder = Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    if let Err(e) = watcher.watch(conn.into_owned()).await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            _ = &mut signal => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The acceptor `[tls]` asks for: none without a certificate; mutual TLS
/// for partners when `client_ca` is set.
pub fn tls_acceptor_for(
    tls: &TlsSection,
) -> Result<Option<tokio_rustls::TlsAcceptor>, ServerError> {
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => Ok(Some(match &tls.client_ca {
            Some(ca) => mutual_tls_acceptor(cert, key, ca)?,
            None => tls_acceptor(cert, key)?,
        })),
        _ => Ok(None),
    }
}

/// A rustls acceptor from PEM certificate chain and private key files.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, ServerError> {
    server_tls(cert, key, None)
}

/// A rustls acceptor that also asks clients for a certificate and verifies
/// one, when presented, against the PEM bundle `client_ca` (certificate
/// authorities, or partners' self-signed certificates to pin them). A
/// client without a certificate still connects (officers' clients do not
/// have one); the node-to-node routes then refuse it
/// (`federation::require_client_certificate`). A certificate that does not
/// verify fails the handshake.
pub fn mutual_tls_acceptor(
    cert: &Path,
    key: &Path,
    client_ca: &Path,
) -> Result<tokio_rustls::TlsAcceptor, ServerError> {
    server_tls(cert, key, Some(client_ca))
}

fn server_tls(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<tokio_rustls::TlsAcceptor, ServerError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let file_err = |what: &'static str, path: &Path, reason: String| ServerError::File {
        what,
        path: path.display().to_string(),
        reason,
    };
    // Another crate may have installed a provider already; either is fine.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_err("TLS certificate", cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err("TLS certificate", cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(file_err(
            "TLS certificate",
            cert,
            "no PEM certificate in the file".into(),
        ));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| file_err("TLS private key", key, e.to_string()))?;
    let builder = rustls::ServerConfig::builder();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(ca)
                .map_err(|e| file_err("TLS client CA", ca, e.to_string()))?
            {
                let c = c.map_err(|e| file_err("TLS client CA", ca, e.to_string()))?;
                roots
                    .add(c)
                    .map_err(|e| file_err("TLS client CA", ca, e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(file_err(
                    "TLS client CA",
                    ca,
                    "no PEM certificate in the file".into(),
                ));
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
                .allow_unauthenticated()
                .build()
                .map_err(|e| file_err("TLS client CA", ca, e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(certs, key_der)
        .map_err(|e| file_err("TLS private key", key, e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Creates a node administrator: the agency (if absent; the node's own
/// administration office), a user holding `node-admin` (agencies,
/// partners, sources, other agencies' administrators) and `admin` (its
/// own agency's users), and an API key. The returned token is the only
/// time the secret is visible. For `tansiq admin create-admin`.
pub async fn create_admin(
    store: &Store,
    pepper: &Pepper,
    agency_id: &str,
    agency_name: &str,
    user_id: &str,
    user_name: &str,
    key_days: u32,
) -> Result<IssuedKey, ServerError> {
    if store.agency(agency_id).await?.is_none() {
        store.create_agency(agency_id, agency_name).await?;
    }
    store
        .create_user(
            user_id,
            agency_id,
            user_name,
            &[Role::NodeAdmin, Role::Admin],
        )
        .await?;
    create_key(store, pepper, user_id, "created by tansiq admin", key_days).await
}

/// Issues a new API key for an existing user, expiring in `days`. For
/// `tansiq admin create-key`.
pub async fn create_key(
    store: &Store,
    pepper: &Pepper,
    user_id: &str,
    label: &str,
    days: u32,
) -> Result<IssuedKey, ServerError> {
    if days == 0 {
        return Err(ServerError::Account(
            "a key must live at least one day".into(),
        ));
    }
    let expires = OffsetDateTime::now_utc() + time::Duration::days(i64::from(days));
    Ok(issue_key(store, pepper, user_id, label, expires).await?)
}
