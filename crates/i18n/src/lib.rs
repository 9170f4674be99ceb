//! The messages people read, in English, French and Arabic: Fluent
//! (`.ftl`) files under `crates/i18n/messages/`, compiled into the
//! binary. The web console's pages, the plain-language reasons of
//! screening answers (API and CLI) and the CLI's reports all read them
//! here, so an officer sees the same words wherever the answer comes
//! from.
//!
//! Pure: the caller chooses the language ([`Lang::parse`],
//! [`Lang::from_accept_language`]); a missing message renders as its id
//! (the `every_key_in_every_language` test keeps that from shipping).
//! Fluent's own bidi isolation marks are turned off: names are wrapped
//! where the output can say it (`<bdi>` on pages), and the arguments of
//! a screening's reason by [`Lang::clause`].

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The decimal sign of French, and of Arabic as the Maghreb writes it
/// (CLDR `ar-DZ`, `ar-TN`, `ar-MA`: Latin digits, decimal comma).
const DECIMAL_COMMA: &str = ",";
/// Unicode bidi isolation: U+2068 FIRST STRONG ISOLATE … U+2069 POP
/// DIRECTIONAL ISOLATE (the plain-text form of HTML's `<bdi>`).
const FIRST_STRONG_ISOLATE: char = '\u{2068}';
const POP_DIRECTIONAL_ISOLATE: char = '\u{2069}';

/// A language of the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
    Ar,
}

const SOURCES: [(Lang, &str, &str); 3] = [
    (Lang::En, "en", include_str!("../messages/en.ftl")),
    (Lang::Fr, "fr", include_str!("../messages/fr.ftl")),
    (Lang::Ar, "ar", include_str!("../messages/ar.ftl")),
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

    /// The language's own name, as a language menu shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
        }
    }

    /// The language of a tag (`fr`, `fr-CA`, `ar_TN`), if it is one of ours.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_', '.'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The most preferred of our languages in an HTTP `Accept-Language`
    /// value (`de-DE, fr;q=0.8, ar;q=0.9` → Arabic), if any.
    pub fn from_accept_language(accept: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = accept
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::parse(it.next()?)?;
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, lang))
            })
            .collect();
        // Stable: equal weights keep the given order.
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|r| r.1)
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

    /// The message `key` in this language (the key itself when missing).
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

    /// A clause of a plain-language reason: the message `key` with its
    /// arguments as [`Lang::reason_arg`] writes them.
    pub fn clause(self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, String)> =
            args.iter().map(|(k, v)| (*k, self.reason_arg(v))).collect();
        self.ta(key, &args)
    }

    /// An argument of a reason as this language writes it: a decimal
    /// number with the language's decimal sign (`0,74` in French and in
    /// the Maghreb's Arabic, which writes Latin digits), and in Arabic a
    /// value with Latin letters (a listed name) isolated with FSI … PDI,
    /// so that the sentence around it keeps its right-to-left order
    /// wherever the text is shown (a terminal, a JSON field, a page).
    pub fn reason_arg(self, value: &str) -> String {
        let decimal = !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && value.bytes().filter(|&b| b == b'.').count() == 1;
        if decimal && self != Lang::En {
            return value.replace('.', DECIMAL_COMMA);
        }
        if self == Lang::Ar && value.chars().any(|c| c.is_ascii_alphabetic()) {
            return format!("{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}");
        }
        value.to_string()
    }

    /// Clauses joined by this language's list separator (`; `, `، `).
    pub fn list(self, clauses: &[String]) -> String {
        clauses.join(self.t("list-separator").as_str())
    }

    fn format(self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let b = self.bundle();
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        b.format_pattern(pattern, args, &mut errors).into_owned()
    }
}

/// The message ids of the English file: every language has the same
/// (tested), so code that asks for a literal id checks it against these.
pub fn message_ids() -> BTreeSet<String> {
    keys(SOURCES[0].2)
}

/// The message ids of one `.ftl` file (a message starts a line with its
/// id and `=`; continuation lines are indented).
fn keys(src: &str) -> BTreeSet<String> {
    src.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

/// A bundle of one language. The files are part of the binary and
/// tested: a syntax error keeps what parsed (and fails the tests).
fn bundle(code: &str, src: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(res, _)| res);
    // Overlapping ids keep the first; the tests refuse them.
    let _ = b.add_resource(res);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_arguments_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::En.reason_arg("0.74"), "0.74");
        assert_eq!(Lang::Fr.reason_arg("0.74"), "0,74");
        assert_eq!(Lang::Ar.reason_arg("0.74"), "0,74");
        // a name keeps its dots; in Arabic a Latin name is isolated
        assert_eq!(Lang::Fr.reason_arg("S.A. Tanmiya"), "S.A. Tanmiya");
        assert_eq!(
            Lang::Ar.reason_arg("Hichem Gharbi"),
            "\u{2068}Hichem Gharbi\u{2069}"
        );
        assert_eq!(Lang::Ar.reason_arg("هشام"), "هشام");
        assert_eq!(Lang::En.reason_arg("1979"), "1979");
    }

    /// The argument names the messages use (`{ $n }` …): every message
    /// must format with them without errors.
    const ARG_NAMES: &[&str] = &[
        "n",
        "h",
        "m",
        "a",
        "b",
        "id",
        "user",
        "min",
        "seq",
        "fields",
        "format",
        "strong",
        "possible",
        "none",
        "value",
        "listed",
        "score",
        "threshold",
        "parts",
        "screening",
        "intact",
        "absent",
    ];

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
                for &name in ARG_NAMES {
                    args.set(name, FluentValue::from("1"));
                }
                b.format_pattern(pattern, Some(&args), &mut errors);
                assert!(
                    errors.is_empty(),
                    "{code}: {key} does not format: {errors:?}"
                );
            }
        }
    }

    #[test]
    fn accept_language_ranks_by_weight() {
        assert_eq!(
            Lang::from_accept_language("de-DE, fr;q=0.8, ar;q=0.9"),
            Some(Lang::Ar)
        );
        assert_eq!(Lang::from_accept_language("fr-CA,en;q=0.5"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de, it"), None);
        assert_eq!(Lang::from_accept_language("ar;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::parse("ar_TN.UTF-8"), Some(Lang::Ar));
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Fr.dir(), "ltr");
    }

    #[test]
    fn arguments_are_formatted_and_missing_ids_show() {
        let s = Lang::Fr.ta("reason-alias", &[("listed", "Tarek Zouaoui".into())]);
        assert!(s.contains("Tarek Zouaoui"), "{s}");
        assert_eq!(Lang::En.t("no-such-message"), "no-such-message");
        assert_eq!(
            Lang::En.list(&["a".into(), "b".into()]),
            format!("a{}b", Lang::En.t("list-separator"))
        );
    }
}
