//! How screening answers are printed for a person at a terminal.

use tansiq_matching::{Band, Index, Match};

/// The officer's answer for a ranked list of matches.
pub fn verdict(matches: &[Match]) -> &'static str {
    match matches.first().map(|m| m.band) {
        Some(Band::Strong) => "ALERT: strong match",
        Some(Band::Possible) => "POSSIBLE MATCH: refer to second line",
        _ => "no match",
    }
}

/// Prints the ranked matches with their explanations; matches below the
/// possible band are shown only when `show_below` is set.
pub fn print_matches(index: &Index, matches: &[Match], show_below: bool) {
    let mut shown = 0;
    for (rank, m) in matches.iter().enumerate() {
        if m.band == Band::None && !show_below {
            continue;
        }
        shown += 1;
        let entity = index.entity(&m.entity_id);
        let caption = entity.map(|e| e.caption()).unwrap_or_default();
        let band = match m.band {
            Band::Strong => "strong",
            Band::Possible => "possible",
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
        }
        for line in m.explanation.to_string().lines() {
            println!("     {line}");
        }
    }
    if shown == 0 {
        println!("  (no listed entity reaches the possible band)");
    }
}
