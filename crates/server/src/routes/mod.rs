//! The HTTP routes, their handlers and the OpenAPI document.
//!
//! Every route is registered through [`RouteTable::add`], which records
//! `(method, path)`: the test that the OpenAPI document and the router agree
//! compares that record with the document, and requests every recorded
//! route to prove it reaches a handler.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::{ApiError, AppState};

/// The routes of the router, as registered.
#[derive(Debug)]
pub struct RouteTable {
    paths: BTreeMap<&'static str, MethodRouter<AppState>>,
    /// `(METHOD, path)` of every registered route.
    pub table: Vec<(Method, &'static str)>,
}

impl RouteTable {
    fn new() -> RouteTable {
        RouteTable {
            paths: BTreeMap::new(),
            table: Vec::new(),
        }
    }

    pub(crate) fn add<H, T>(&mut self, method: Method, path: &'static str, handler: H)
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| unreachable!("only standard methods are registered"));
        let route = on(filter, handler);
        let merged = match self.paths.remove(path) {
            Some(existing) => existing.merge(route),
            None => route,
        };
        self.paths.insert(path, merged);
        self.table.push((method, path));
    }

    fn into_router(self) -> Router<AppState> {
        self.paths
            .into_iter()
            .fold(Router::new(), |r, (path, mr)| r.route(path, mr))
    }
}

/// Every route of the API.
pub fn route_table() -> RouteTable {
    let mut t = RouteTable::new();
    t.add(Method::GET, "/healthz", healthz);
    t.add(Method::GET, "/readyz", readyz);
    t.add(Method::GET, "/metrics", metrics);
    t.add(Method::GET, "/openapi.json", openapi_json);
    t.add(Method::GET, "/v1/me", me);
    t.add(Method::POST, "/v1/screen", screen);
    t.add(Method::POST, "/v1/screen/manifest", screen_manifest);
    t.add(Method::GET, "/v1/entities", search_entities);
    t.add(Method::GET, "/v1/entities/{id}", get_entity);
    t.add(Method::GET, "/v1/entries", list_entries);
    t.add(Method::POST, "/v1/entries", create_entry);
    t.add(Method::GET, "/v1/entries/{id}", get_entry);
    t.add(Method::PUT, "/v1/entries/{id}", update_entry);
    t.add(Method::POST, "/v1/entries/{id}/withdraw", withdraw_entry);
    t.add(Method::GET, "/v1/entries/{id}/history", entry_history);
    t.add(Method::GET, "/v1/sources", sources);
    t.add(
        Method::POST,
        "/v1/sources/{name}/update",
        crate::ops::update_source,
    );
    t.add(Method::GET, "/v1/node", crate::ops::node);
    t.add(Method::GET, "/v1/audit/events", crate::ops::audit_events);
    t.add(
        Method::GET,
        "/v1/audit/checkpoint",
        crate::ops::audit_checkpoint,
    );
    t.add(Method::GET, "/v1/agencies", list_agencies);
    t.add(Method::POST, "/v1/agencies", create_agency);
    t.add(Method::GET, "/v1/users", list_users);
    t.add(Method::POST, "/v1/users", create_user);
    t.add(Method::POST, "/v1/users/{id}/active", set_user_active);
    t.add(
        Method::DELETE,
        "/v1/users/{id}/second-factor",
        reset_second_factor,
    );
    t.add(Method::GET, "/v1/users/{id}/keys", list_keys);
    t.add(Method::POST, "/v1/users/{id}/keys", create_key);
    t.add(Method::POST, "/v1/keys/{id}/revoke", revoke_key);
    crate::compat::register(&mut t);
    crate::review::add_routes(&mut t);
    crate::federation::add_routes(&mut t);
    t
}

/// The application's router (without state): routes, problem fallbacks,
/// body limit, timeout, panic catcher and metrics.
pub fn build_router(state: AppState) -> Router {
    let limit = usize::try_from(state.config.server.body_limit_bytes).unwrap_or(usize::MAX);
    route_table()
        .into_router()
        .merge(crate::console::router())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::refusals::audit_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::flood::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), timeout))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(crate::error::problems_only))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(axum::middleware::from_fn(crate::compat::cross_origin))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no-route", "no such route")
}

async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this route does not take that method",
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::internal().into_response()
}

async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout(), next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took longer than the node allows (server.request_timeout_ms)",
        )
        .into_response(),
    }
}

pub(crate) use crate::screening::today;

mod accounts;
mod entities;
mod entries;
mod openapi;
mod params;
mod screen;
mod service;
mod sources;

// The handlers keep their paths `crate::routes::<name>`: the console and
// the other route modules call them through these.
pub use accounts::second_factor_reset;
pub(crate) use accounts::{
    UserParams, create_agency, create_key, create_user, list_agencies, list_keys, list_users, me,
    reset_second_factor, revoke_key, set_user_active,
};
pub(crate) use entities::{ENTITY_VIEW_ROLES, SEARCH_ROLES, get_entity, search_entities};
pub(crate) use entries::{
    create_entry, entry_history, get_entry, list_entries, required_if_match, update_entry,
    withdraw_entry,
};
pub use openapi::openapi;
pub(crate) use openapi::openapi_json;
pub(crate) use params::Params;
pub(crate) use screen::{SCREEN_ROLES, screen, screen_manifest};
pub(crate) use service::{healthz, metrics, readyz};
pub(crate) use sources::{UNSCHEDULED_STALE_DAYS, sources};
