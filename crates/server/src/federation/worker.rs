//! The background worker: follows the change feed into per-partner
//! outboxes and drains them in order with back-off.

use std::time::Duration;

use time::OffsetDateTime;

use crate::AppState;

use super::admin::*;
use super::dto::*;

/// Messages per delivery request.
const BATCH: i64 = 200;

/// The HTTP client for partners: their server certificates checked against
/// the system roots plus `[federation] ca_file`; a client certificate
/// (`client_cert` + `client_key`, mutual TLS) when configured.
pub fn client(config: &crate::Config) -> Result<reqwest::Client, String> {
    build_client(
        config,
        Duration::from_millis(config.federation.request_timeout_ms.max(1)),
    )
}

pub(crate) fn build_client(
    config: &crate::Config,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    let f = &config.federation;
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout);
    if let Some(ca) = &f.ca_file {
        let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("{}: {e}", ca.display()))?
        {
            b = b.add_root_certificate(cert);
        }
    }
    if let (Some(cert), Some(key)) = (&f.client_cert, &f.client_key) {
        let mut pem = std::fs::read(cert).map_err(|e| format!("{}: {e}", cert.display()))?;
        pem.extend(std::fs::read(key).map_err(|e| format!("{}: {e}", key.display()))?);
        b = b.identity(
            reqwest::Identity::from_pem(&pem).map_err(|e| format!("{}: {e}", cert.display()))?,
        );
    }
    b.build().map_err(|e| e.to_string())
}

/// Follows the change feed into the outboxes and drains each partner's
/// outbox, in order, with exponential back-off per partner; runs until the
/// task is aborted. Updates the federation metrics each round.
pub async fn run_worker(state: AppState) {
    let http = match client(&state.config) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "federation disabled: no HTTP client");
            return;
        }
    };
    let poll = Duration::from_millis(state.config.federation.poll_ms.max(10));
    loop {
        loop {
            match state.store.replicate_changes(&state.identity, 500).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "federation: replication failed");
                    break;
                }
            }
        }
        let partners = state.store.partners().await.unwrap_or_default();
        let mut set = tokio::task::JoinSet::new();
        for p in partners {
            set.spawn(deliver(state.clone(), http.clone(), p));
        }
        while set.join_next().await.is_some() {}
        if let Ok(s) = federation_status(&state).await {
            state.metrics.fed_status(&s);
        }
        tokio::time::sleep(poll).await;
    }
}

pub(crate) async fn deliver(state: AppState, http: reqwest::Client, p: tansiq_store::Partner) {
    loop {
        let now = OffsetDateTime::now_utc();
        let due = match state.store.outbox_due(&p.id, now, BATCH).await {
            Ok(d) if !d.is_empty() => d,
            Ok(_) => return,
            Err(e) => {
                tracing::error!(error = %e, partner = %p.id, "federation: outbox unreadable");
                return;
            }
        };
        let first = due[0].seq;
        let attempts = due[0].attempts;
        let full = due.len() as i64 == BATCH;
        let req = DeliveryRequest {
            messages: due.into_iter().map(|i| i.sealed.into()).collect(),
        };
        let sent = http
            .post(format!("{}/fed/v1/messages", p.base_url))
            .json(&req)
            .send()
            .await;
        let outcome: Result<DeliveryResponse, String> = match sent {
            Ok(r) if r.status().is_success() => r.json().await.map_err(|e| e.to_string()),
            Ok(r) => Err(format!("{} answered {}", p.id, r.status())),
            Err(e) => Err(e.to_string()),
        };
        let retry_at =
            |a: i64| now + tansiq_federation::retry_delay(u32::try_from(a).unwrap_or(u32::MAX));
        match outcome {
            Ok(resp) => {
                let accepted: Vec<&DeliveryResult> =
                    resp.results.iter().take_while(|r| r.accepted()).collect();
                // A refusal is final (the partner numbered the message, so
                // resending changes nothing) but it is a mismatch of
                // agreements: it is kept, shown and logged, never silent.
                for r in accepted.iter().filter(|r| r.result == "refused") {
                    let Some(seq) = r.seq else { continue };
                    let why = r.detail.clone().unwrap_or_default();
                    tracing::warn!(partner = %p.id, seq, reason = %why,
                        "federation: the partner refused a message under its incoming agreement");
                    if let Err(e) = state.store.outbox_refused(&p.id, seq as i64, &why).await {
                        tracing::error!(error = %e, partner = %p.id, "federation: cannot record a refusal");
                    }
                }
                let through = accepted.last().and_then(|r| r.seq).map(|s| s as i64);
                if let Some(through) = through
                    && let Err(e) = state.store.outbox_delivered(&p.id, through).await
                {
                    tracing::error!(error = %e, partner = %p.id, "federation: cannot mark delivered");
                    return;
                }
                if let Some(bad) = resp.results.iter().find(|r| !r.accepted()) {
                    let seq = through.map_or(first, |t| t + 1);
                    let why = format!("{}: {}", bad.result, bad.detail.clone().unwrap_or_default());
                    tracing::warn!(partner = %p.id, seq, reason = %why, "federation: message rejected");
                    let _ = state
                        .store
                        .outbox_failed(&p.id, seq, &why, retry_at(attempts))
                        .await;
                    return;
                }
                if !full {
                    return;
                }
            }
            Err(e) => {
                tracing::debug!(partner = %p.id, error = %e, "federation: delivery failed; will retry");
                let _ = state
                    .store
                    .outbox_failed(&p.id, first, &e, retry_at(attempts))
                    .await;
                return;
            }
        }
    }
}
