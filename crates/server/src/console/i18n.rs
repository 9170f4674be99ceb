//! The console's languages: English, French and Arabic, in Fluent (`.ftl`
//! files under `crates/server/console/i18n/`, compiled into the binary).
//!
//! The language is the person's choice (`?lang=` sets the `tansiq_lang`
//! cookie), else the browser's `Accept-Language`, else English. Arabic
//! pages are right to left (`dir="rtl"`); the CSS uses logical properties
//! only, so one stylesheet serves both directions. Fluent's own bidi
//! isolation marks are turned off: names are wrapped in `<bdi>` by the
//! pages, where the markup can say it.

use std::sync::OnceLock;

use axum::http::HeaderMap;
use axum::http::header;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The cookie that keeps the person's language choice.
pub const LANG_COOKIE: &str = "tansiq_lang";

/// A language of the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    Ar,
}

const SOURCES: [(Lang, &str, &str); 3] = [
    (Lang::En, "en", include_str!("../../console/i18n/en.ftl")),
    (Lang::Fr, "fr", include_str!("../../console/i18n/fr.ftl")),
    (Lang::Ar, "ar", include_str!("../../console/i18n/ar.ftl")),
];

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    pub fn dir(self) -> &'static str {
        if self == Lang::Ar { "rtl" } else { "ltr" }
    }

    /// The language's own name, as the language menu shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The person's choice (query, then cookie), then the browser's
    /// `Accept-Language` in order of preference, then English.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = query.and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = super::session::cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c))
        {
            return l;
        }
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut ranked: Vec<(f32, Lang)> = accept
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::parse(it.next()?)?;
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        // Stable: equal weights keep the browser's order.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|r| r.1).unwrap_or(Lang::En)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static BUNDLES: OnceLock<Vec<FluentBundle<FluentResource>>> = OnceLock::new();
        let all = BUNDLES.get_or_init(|| {
            SOURCES
                .iter()
                .map(|(_, code, src)| bundle(code, src))
                .collect()
        });
        let i = Lang::ALL.iter().position(|l| *l == self).unwrap_or(0);
        &all[i]
    }

    /// The message `key` in this language (the key itself when missing:
    /// the `every_key_in_every_language` test keeps that from shipping).
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with arguments.
    pub fn ta(self, key: &str, args: &[(&str, String)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, FluentValue::from(v.clone()));
        }
        self.format(key, Some(&a))
    }

    fn format(self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let b = self.bundle();
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = self.code(), "console message missing");
            return key.to_string();
        };
        let mut errors = Vec::new();
        b.format_pattern(pattern, args, &mut errors).into_owned()
    }
}

fn bundle(code: &str, src: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, errors)| {
        tracing::error!(
            lang = code,
            ?errors,
            "console translations have syntax errors"
        );
        res
    });
    if let Err(errors) = b.add_resource(res) {
        tracing::error!(lang = code, ?errors, "console translations overlap");
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The message ids of one `.ftl` file (a message starts a line with
    /// its id and `=`; continuation lines are indented).
    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
            .collect()
    }

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
    fn every_key_in_every_language() {
        let en = keys(SOURCES[0].2);
        assert!(en.len() > 50, "the English file looks empty");
        for (lang, code, src) in SOURCES {
            if let Err((_, e)) = FluentResource::try_new(src.to_string()) {
                panic!("{code}.ftl has syntax errors: {e:?}");
            }
            let k = keys(src);
            let missing: Vec<_> = en.difference(&k).collect();
            let extra: Vec<_> = k.difference(&en).collect();
            assert!(missing.is_empty(), "{code}.ftl lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{code}.ftl has keys English lacks: {extra:?}"
            );
            let b = lang.bundle();
            for key in &k {
                let pattern = b.get_message(key).and_then(|m| m.value());
                let pattern = pattern.unwrap_or_else(|| panic!("{code}: {key} has no value"));
                let mut errors = Vec::new();
                let mut args = FluentArgs::new();
                for name in [
                    "n", "h", "m", "a", "b", "id", "user", "min", "seq", "fields", "format",
                    "strong", "possible", "none", "value",
                ] {
                    args.set(name, FluentValue::from("1"));
                }
                b.format_pattern(pattern, Some(&args), &mut errors);
                assert!(
                    errors.is_empty(),
                    "{code}: {key} does not format: {errors:?}"
                );
            }
        }
        let unknown: Vec<_> = used_keys()
            .into_iter()
            .filter(|k| !en.contains(k))
            .collect();
        assert!(
            unknown.is_empty(),
            "the code uses keys no .ftl has: {unknown:?}"
        );
    }

    #[test]
    fn language_follows_choice_then_browser() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::negotiate(None, &h), Lang::En);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de-DE, fr;q=0.8, ar;q=0.9".parse().unwrap(),
        );
        assert_eq!(Lang::negotiate(None, &h), Lang::Ar);
        h.insert(header::COOKIE, "a=b; tansiq_lang=fr".parse().unwrap());
        assert_eq!(Lang::negotiate(None, &h), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en"), &h), Lang::En);
        assert_eq!(Lang::negotiate(Some("xx"), &h), Lang::Fr);
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Fr.dir(), "ltr");
    }
}
