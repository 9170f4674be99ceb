//! The console's language: the messages live in `tansiq-i18n` (shared
//! with the API's plain-language reasons and the CLI); this module
//! chooses one for a request.
//!
//! The language is the person's choice (`?lang=` sets the `tansiq_lang`
//! cookie), else the browser's `Accept-Language`, else English. Arabic
//! pages are right to left (`dir="rtl"`); the CSS uses logical properties
//! only, so one stylesheet serves both directions.

use axum::http::HeaderMap;
use axum::http::header;
pub use tansiq_i18n::Lang;

/// The cookie that keeps the person's language choice.
pub const LANG_COOKIE: &str = "tansiq_lang";

/// The person's choice (query, then cookie), then the browser's
/// `Accept-Language` in order of preference, then English.
pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = query.and_then(Lang::parse) {
        return l;
    }
    if let Some(l) = super::session::cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
        return l;
    }
    accepted(headers)
}

/// The language of an API answer's words: `Accept-Language`, else
/// English.
pub fn accepted(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
        .unwrap_or(Lang::En)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Keys the console's code asks for: every `.t("…")` and `.ta("…"`.
    fn used_keys() -> BTreeSet<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/console");
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for marker in [".t(\"", ".ta(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    // Only literal keys (the doc comment's `…` is not one).
                    if let Some(end) = rest.find('"')
                        && rest[..end]
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    {
                        out.insert(rest[..end].to_string());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_key_the_console_uses_exists() {
        let ids = tansiq_i18n::message_ids();
        let used = used_keys();
        assert!(used.len() > 50, "found only {} keys", used.len());
        let unknown: Vec<_> = used.into_iter().filter(|k| !ids.contains(k)).collect();
        assert!(
            unknown.is_empty(),
            "the code uses keys no .ftl has: {unknown:?}"
        );
    }

    #[test]
    fn language_follows_choice_then_browser() {
        let mut h = HeaderMap::new();
        assert_eq!(negotiate(None, &h), Lang::En);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE, fr;q=0.8, ar;q=0.9".parse().unwrap(),
        );
        assert_eq!(negotiate(None, &h), Lang::Ar);
        assert_eq!(accepted(&h), Lang::Ar);
        h.insert(header::COOKIE, "a=b; tansiq_lang=fr".parse().unwrap());
        assert_eq!(negotiate(None, &h), Lang::Fr);
        assert_eq!(negotiate(Some("en"), &h), Lang::En);
        assert_eq!(negotiate(Some("xx"), &h), Lang::Fr);
    }
}
