//! Federation over HTTP: the node-to-node routes under `/fed/v1` (sealed
//! message delivery, hit/no-hit checks), the administration routes under
//! `/v1/federation`, the background worker that follows the change feed and
//! drains each partner's outbox, and the screening hook that turns a hit on
//! a foreign entry into a notice for its originator.
//!
//! Node-to-node routes carry no API key: they are authorised by the sealed
//! message's signature (the sender must be a registered partner and sign
//! with one of its registered keys) and by the agreement (only entries the
//! agreement gives that partner are copied to it, answered in checks, or
//! accepted from it). Every message received is audited, as `node:<id>`.
//! Under mutual TLS (`[tls] client_ca`) they also need a client certificate
//! the handshake verified ([`ClientCertificate`]).
//!
//! The screening hook is bounded: hit/no-hit partners are asked at once,
//! each for at most `[federation] check_timeout_ms` (300 ms by default),
//! and a partner that failed is not asked again until its circuit breaker
//! closes ([`CheckState`]); the answer lists who was not heard.

mod admin;
mod dto;
mod hook;
mod node;
mod worker;

// Every path `crate::federation::<name>` used elsewhere stays as it was.
pub use admin::*;
pub use dto::*;
pub use hook::*;
pub use node::*;
pub use worker::*;

pub(crate) fn add_routes(t: &mut crate::RouteTable) {
    use axum::http::Method;
    t.add(Method::POST, "/fed/v1/messages", receive_messages);
    t.add(Method::POST, "/fed/v1/check", check);
    t.add(Method::GET, "/v1/federation/status", status);
    t.add(Method::GET, "/v1/federation/invite", invite);
    t.add(Method::PUT, "/v1/federation/partners/{id}", put_partner);
    t.add(Method::GET, "/v1/federation/hits", list_hits);
    t.add(
        Method::POST,
        "/v1/federation/hits/{id}/follow-ups",
        post_follow_up,
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    receive_messages,
    check,
    status,
    invite,
    put_partner,
    list_hits,
    post_follow_up
))]
pub(crate) struct FederationDoc;
