//! Errors: [`ServerError`] for the library's callers (startup, serving),
//! [`ApiError`] for HTTP clients.
//!
//! **API boundary:** `ApiError` -> `application/problem+json` (RFC 9457)
//! happens in exactly one place, its `IntoResponse`. Internal details
//! (database messages, paths) are logged, never sent: a client sees the
//! status, a stable `type`, a human `title`/`detail` and, for bad input,
//! the `field` that was wrong.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tansiq_store::StoreError;

/// Errors of the server library (startup and serving).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// `tansiq.toml` or an environment override is wrong; the message
    /// names the key or variable.
    #[error("configuration: {message}")]
    Config { message: String },
    /// The store could not be opened or read.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A certificate, key or pepper file could not be read or used.
    #[error("{what} {path}: {reason}")]
    File {
        what: &'static str,
        path: String,
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    /// An account operation was refused (e.g. an unknown agency).
    #[error("{0}")]
    Account(String),
}

/// An error answered to an HTTP client as `application/problem+json`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable kind, e.g. `invalid-body`; becomes the
    /// problem `type` `urn:tansiq:problem:<kind>`.
    pub kind: &'static str,
    pub detail: String,
    /// The input field that was wrong (JSON path like `names[0]`).
    pub field: Option<String>,
}

/// The problem document (RFC 9457) of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:tansiq:problem:<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request field that was wrong, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            field: None,
        }
    }

    /// A 400/422 naming the field that was wrong.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        let field = field.into();
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "invalid-field",
            detail: format!("{field}: {}", detail.into()),
            field: Some(field),
        }
    }

    /// 404 in words that do not say whether the thing exists but is hidden:
    /// an entry invisible to the caller's agency is answered exactly like
    /// one that does not exist.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("no {what}"))
    }

    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", detail)
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the node failed to answer; the error is logged",
        )
    }

    fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(kind = self.kind, detail = %self.detail, "request failed");
        }
        let problem = Problem {
            kind: format!("urn:tansiq:problem:{}", self.kind),
            title: self.title().to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
        };
        let mut response = (self.status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// The problem kind of an error status answered by something other than a
/// handler (a body limit, a path that is not UTF-8, an unknown method).
fn kind_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
        StatusCode::URI_TOO_LONG => "uri-too-long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::NOT_FOUND => "not-found",
        s if s.is_server_error() => "internal",
        _ => "invalid-request",
    }
}

/// Longest plain-text error body kept as a problem's detail.
const MAX_DETAIL: usize = 2_000;

/// The middleware that keeps every API error a problem document: an error
/// answered as plain text by a layer or an extractor before any handler
/// ran (413 from the body limit, 400 for a path that is not UTF-8) is
/// rewritten as `application/problem+json` with the same status, its text
/// as the detail. HTML pages of the console are left alone.
///
/// A refusal given before the body was read (413, 415) also says
/// `Connection: close`: the unread rest of the body makes the connection
/// unusable, and a client that pools connections would otherwise send its
/// next request into a socket the node is closing.
pub(crate) async fn problems_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(req).await;
    let status = response.status();
    if matches!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE
    ) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.is_empty() || content_type.starts_with("text/plain")) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut out = ApiError::new(status, kind_of(status), detail).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { what } => {
                ApiError::new(StatusCode::NOT_FOUND, "not-found", what)
            }
            StoreError::Conflict(what) => ApiError::conflict(what),
            StoreError::Invalid { field, reason } => ApiError::invalid(field, reason),
            other => {
                tracing::error!(error = %other, "store failed");
                ApiError::internal()
            }
        }
    }
}

/// A JSON body extractor whose every rejection is a problem naming what
/// was wrong: a missing or wrong `Content-Type` (415), a body over the
/// limit (413), malformed JSON, a wrong type or an unknown field (400, with
/// the field's JSON path).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            })
            .unwrap_or(false);
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the body must be JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body-too-large",
                        "the body is larger than the node accepts (server.body_limit_bytes)",
                    )
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "unreadable-body",
                        "the body could not be read",
                    )
                }
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON document, naming the path of the first wrong field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        if path == "?" {
            path = ".".into();
        }
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde names a missing or unknown field in its message, not in
        // the path (which stops at the enclosing object).
        for prefix in ["unknown field `", "missing field `"] {
            if let Some(rest) = message.strip_prefix(prefix)
                && let Some(name) = rest.split('`').next()
                && !path.ends_with(name)
            {
                path = if path == "." {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
            }
        }
        let detail = format!(
            "{} (line {}, column {})",
            clean_serde_message(&inner.to_string()),
            inner.line(),
            inner.column()
        );
        let kind = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "malformed-json"
            }
            _ => "invalid-body",
        };
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind,
            detail: if path == "." {
                detail
            } else {
                format!("{path}: {detail}")
            },
            field: (path != ".").then_some(path),
        }
    })?;
    de.end().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "trailing characters after the JSON document",
        )
    })?;
    Ok(value)
}

/// serde_json appends " at line L column C"; we say it our way.
fn clean_serde_message(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        names: Vec<String>,
        limit: Option<u32>,
    }

    fn check(body: &str, kind: &str, field: Option<&str>) {
        let e = parse_json::<Sample>(body.as_bytes()).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{e:?}");
        assert_eq!(e.kind, kind, "{e:?}");
        assert_eq!(e.field.as_deref(), field, "{e:?}");
    }

    #[test]
    fn json_errors_name_the_field() {
        check("{", "malformed-json", None);
        check(r#"{"names": [1]}"#, "invalid-body", Some("names[0]"));
        check(
            r#"{"names": [], "limit": -1}"#,
            "invalid-body",
            Some("limit"),
        );
        check(r#"{"names": [], "nmes": 1}"#, "invalid-body", Some("nmes"));
        check(r#"{"limit": 1}"#, "invalid-body", Some("names"));
        check(r#"{"names": []} x"#, "malformed-json", None);
    }

    #[test]
    fn store_internals_do_not_leak() {
        let e: ApiError = StoreError::Backend("disk I/O at /var/secret".into()).into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.detail.contains("secret"));
    }
}
