//! How screening answers are printed for a person at a terminal.

use tansiq_i18n::Lang;
use tansiq_lists::subjects::SubjectIndex;
use tansiq_matching::{Band, Index, Match};

/// The language of the words printed for the officer: `TANSIQ_LANG`,
/// else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `fr_FR.UTF-8` is
/// French), else English.
pub fn lang() -> Lang {
    ["TANSIQ_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .filter(|v| !v.is_empty())
        .find_map(|v| Lang::parse(&v))
        .unwrap_or(Lang::En)
}

/// The officer's plain-language reason for a match, in `lang`: the
/// same shared messages as the API and the web console.
pub fn reason(index: &Index, m: &Match, lang: Lang) -> String {
    let clauses: Vec<String> = m
        .reason(index.config())
        .iter()
        .map(|c| lang.clause(c.id, &c.args))
        .collect();
    lang.list(&clauses)
}

/// The officer's answer for a ranked list of matches.
pub fn verdict(matches: &[Match]) -> &'static str {
    match matches.first().map(|m| m.band) {
        Some(Band::Strong) => "ALERT: strong match",
        Some(Band::Possible) => "POSSIBLE MATCH: refer to second line",
        _ if matches.iter().any(|m| m.near_miss.is_some()) => {
            "NEAR MISS: a listed name matches, other details differ; check them"
        }
        _ => "no match",
    }
}

/// Prints the ranked matches with their explanations; matches below the
/// possible band are shown only when `show_below` is set.
pub fn print_matches(index: &Index, subjects: &SubjectIndex, matches: &[Match], show_below: bool) {
    let mut shown = 0;
    for (rank, m) in matches.iter().enumerate() {
        if m.band == Band::None && m.near_miss.is_none() && !show_below {
            continue;
        }
        shown += 1;
        let entity = index.entity(&m.entity_id);
        let caption = entity.map(|e| e.caption()).unwrap_or_default();
        let band = match m.band {
            Band::Strong => "strong",
            Band::Possible => "possible",
            Band::None if m.near_miss.is_some() => "near miss",
            Band::None => "below threshold",
        };
        println!(
            "  {}. {:.3} [{band}] {} — {caption}",
            rank + 1,
            m.score,
            m.entity_id
        );
        if let Some(e) = entity {
            let mut facts = Vec::new();
            if let Some(a) = e.action_on_hit {
                facts.push(format!("action on hit: {}", a.as_str()));
            }
            if !e.provenance.source.is_empty() {
                let version = e.provenance.list_version.as_deref().unwrap_or("-");
                facts.push(format!("list {} version {version}", e.provenance.source));
            }
            if let Some(w) = e
                .legal_basis
                .as_ref()
                .and_then(|l| l.warrant_number.as_deref())
            {
                facts.push(format!("warrant {w}"));
            }
            if !facts.is_empty() {
                println!("     {}", facts.join("; "));
            }
            if let Some(line) = sanctions_line(e) {
                println!("     {line}");
            }
        }
        println!("     why: {}", reason(index, m, lang()));
        if let Some(s) = subjects.subject(&m.entity_id) {
            for other in s.listings.iter().filter(|o| **o != m.entity_id) {
                let why: Vec<String> = s.links_of(other).map(|l| l.key.to_string()).collect();
                let e = index.entity(other);
                println!(
                    "     also listed: {} {} — {} ({})",
                    e.map(|e| e.provenance.source.as_str()).unwrap_or(""),
                    other,
                    e.map(|e| e.caption()).unwrap_or_default(),
                    why.join("; ")
                );
            }
        }
        for line in m.explanation.to_string().lines() {
            println!("     {line}");
        }
    }
    if shown == 0 {
        println!("  (no listed entity reaches the possible band)");
    }
}

/// "regime UN 1518 (Iraq): asset freeze (regime table)" for a sanctions
/// listing; `None` for other entries.
pub fn sanctions_line(e: &tansiq_model::Entity) -> Option<String> {
    let legal = e.legal_basis.as_ref()?;
    let regime = legal.regime.as_deref()?;
    Some(match &legal.measures {
        Some(m) if m.from.is_empty() => format!("regime {regime}: {}", m.summary()),
        Some(m) => format!("regime {regime}: {} ({})", m.summary(), m.from),
        None => format!("regime {regime}: verify measures"),
    })
}

/// The regime and measures of a sanctions listing, for JSON answers and
/// reports; `Null` for other entries.
pub fn sanctions_json(e: &tansiq_model::Entity) -> serde_json::Value {
    match e.legal_basis.as_ref() {
        Some(l) if l.regime.is_some() => serde_json::json!({
            "regime": l.regime,
            "measures": l.measures,
            "summary": l.measures.as_ref().map(|m| m.summary()),
        }),
        _ => serde_json::Value::Null,
    }
}

/// A progress bar on standard error when it is a terminal (hidden
/// otherwise, so logs and pipes get no control characters): `len` steps,
/// `what` names them ("travellers screened", "bytes read").
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {what} ({{elapsed}}, ETA {{eta}})");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// A spinner on standard error when it is a terminal, for a step of
/// unknown length ("writing 60 000 entities to the store").
pub fn spinner(what: &str) -> indicatif::ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
