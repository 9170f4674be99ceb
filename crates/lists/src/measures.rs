//! Sanctions measures per regime: what a listing imposes on its subject
//! (travel ban, asset freeze, arms embargo), and so what the border officer
//! does on a hit.
//!
//! The tables below are documented, with their sources, in `MEASURES.md`
//! beside this crate. Where a regime's measures vary by person, the
//! entry's own narrative decides ([`un_measures`]); where neither the
//! table nor the narrative says, the measure is [`Applies::Verify`]: the
//! officer verifies it, tansiq never guesses. An agency can override the
//! measures of a regime ([`MeasureOverride`], `[[measures]]` in
//! `tansiq.toml`).

use serde::Deserialize;
use tansiq_model::{Applies, Entity, LegalBasis, Measures, Schema};

use Applies::{No, Verify, Yes};

/// One UN Security Council sanctions regime, as the consolidated list's
/// `UN_LIST_TYPE` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnRegime {
    /// The `UN_LIST_TYPE` value.
    pub list_type: &'static str,
    /// The label shown to officers and matched by overrides.
    pub label: &'static str,
    pub travel_ban: Applies,
    pub asset_freeze: Applies,
    pub arms_embargo: Applies,
    /// The measures differ per listed person; the entry's narrative
    /// (`COMMENTS1`) says which apply.
    pub per_entry: bool,
}

const fn regime(
    list_type: &'static str,
    label: &'static str,
    [travel_ban, asset_freeze, arms_embargo]: [Applies; 3],
    per_entry: bool,
) -> UnRegime {
    UnRegime {
        list_type,
        label,
        travel_ban,
        asset_freeze,
        arms_embargo,
        per_entry,
    }
}

/// Every UN regime of the consolidated list: (travel ban, asset freeze,
/// arms embargo) on the listed individual. Sources per row: `MEASURES.md`.
pub const UN_REGIMES: &[UnRegime] = &[
    regime(
        "Al-Qaida",
        "UN 1267/1989/2253 (ISIL (Da'esh) and Al-Qaida)",
        [Yes, Yes, Yes],
        false,
    ),
    regime("Taliban", "UN 1988 (Taliban)", [Yes, Yes, Yes], false),
    regime("Iraq", "UN 1518 (Iraq)", [No, Yes, No], false),
    regime("DPRK", "UN 1718 (DPRK)", [Yes, Yes, No], false),
    regime("Libya", "UN 1970 (Libya)", [Verify, Verify, No], true),
    regime("Iran", "UN 1737 (Iran)", [Verify, Yes, No], false),
    regime("Somalia", "UN 751 (Somalia)", [Yes, Yes, Yes], false),
    regime(
        "DRC",
        "UN 1533 (Democratic Republic of the Congo)",
        [Yes, Yes, Verify],
        false,
    ),
    regime(
        "CAR",
        "UN 2127 (Central African Republic)",
        [Yes, Yes, Verify],
        false,
    ),
    regime("Sudan", "UN 1591 (Sudan)", [Yes, Yes, Verify], false),
    regime(
        "SouthSudan",
        "UN 2206 (South Sudan)",
        [Yes, Yes, Verify],
        false,
    ),
    regime("Yemen", "UN 2140 (Yemen)", [Yes, Yes, Verify], true),
    regime("Haiti", "UN 2653 (Haiti)", [Yes, Yes, Yes], false),
    regime("GB", "UN 2048 (Guinea-Bissau)", [Yes, No, No], false),
];

/// `(resolution, paragraph)` of the UN resolutions whose paragraphs entries
/// cite as the measures they are listed under, and the measure each
/// imposes (`MEASURES.md`, "Narrative").
const UN_PARAGRAPHS: &[(u32, u32, Measure)] = &[
    (1970, 15, Measure::TravelBan),
    (1970, 17, Measure::AssetFreeze),
    (1973, 19, Measure::AssetFreeze),
    (1973, 22, Measure::TravelBan),
    (1973, 23, Measure::AssetFreeze),
    (2216, 14, Measure::ArmsEmbargo),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Measure {
    TravelBan,
    AssetFreeze,
    ArmsEmbargo,
}

/// Where a table's measures come from, as shown to the officer.
pub const FROM_TABLE: &str = "regime table";
/// Measures read from the entry's own narrative.
pub const FROM_NARRATIVE: &str = "entry narrative";
/// Measures set by the agency's `[[measures]]` override.
pub const FROM_OVERRIDE: &str = "agency override";
/// No table row for the regime.
pub const FROM_UNKNOWN: &str = "unknown regime";

/// The UN regime of a `UN_LIST_TYPE` value.
pub fn un_regime(list_type: &str) -> Option<&'static UnRegime> {
    UN_REGIMES.iter().find(|r| r.list_type == list_type.trim())
}

/// The UN reference number's regime code (the letters before the final
/// `i`, individual, or `e`, entity: `QDi.232`, `KPe.071`) and the
/// `UN_LIST_TYPE` of that regime, as the UN numbers its listings.
const UN_REFERENCE_CODES: &[(&str, &str)] = &[
    ("QD", "Al-Qaida"),
    ("TA", "Taliban"),
    ("IQ", "Iraq"),
    ("KP", "DPRK"),
    ("LY", "Libya"),
    ("IR", "Iran"),
    ("SO", "Somalia"),
    ("CD", "DRC"),
    ("CF", "CAR"),
    ("SD", "Sudan"),
    ("SS", "SouthSudan"),
    ("YE", "Yemen"),
    ("HT", "Haiti"),
    ("GB", "GB"),
];

/// The UN regime a UN reference number belongs to (`QDi.232` -> Al-Qaida),
/// for lists that carry the UN's number beside their own (the UK's).
pub fn un_regime_of_reference(reference: &str) -> Option<&'static UnRegime> {
    let code = reference.trim().get(..2)?;
    let kind = reference.trim().get(2..3)?;
    if kind != "i" && kind != "e" {
        return None;
    }
    let list_type = UN_REFERENCE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)?;
    un_regime(list_type)
}

/// The label and measures of a UN listing of regime `list_type`, with its
/// narrative (`COMMENTS1`). An unknown regime: every measure to verify.
pub fn un_measures(list_type: &str, narrative: Option<&str>) -> (String, Measures) {
    let Some(r) = un_regime(list_type) else {
        let mut m = Measures::VERIFY;
        m.from = FROM_UNKNOWN.into();
        return (format!("UN {}", list_type.trim()), m);
    };
    let mut m = Measures {
        travel_ban: r.travel_ban,
        asset_freeze: r.asset_freeze,
        arms_embargo: r.arms_embargo,
        from: FROM_TABLE.into(),
    };
    if r.per_entry {
        let cited = narrative.map(cited_measures).unwrap_or_default();
        if !cited.is_empty() {
            // The narrative lists the measures the person is listed under:
            // those it cites apply; of those the table leaves open, the
            // others do not; those the table settles stay as the table says.
            let set = |slot: &mut Applies, which: Measure| {
                if cited.contains(&which) {
                    *slot = Yes;
                } else if *slot == Verify {
                    *slot = No;
                }
            };
            set(&mut m.travel_ban, Measure::TravelBan);
            set(&mut m.asset_freeze, Measure::AssetFreeze);
            if cited.contains(&Measure::ArmsEmbargo) {
                m.arms_embargo = Yes;
            }
            m.from = FROM_NARRATIVE.into();
        }
    }
    (r.label.to_string(), m)
}

/// The measures a narrative names: "Travel Ban", "Asset Freeze", "arms
/// embargo", or a resolution paragraph of [`UN_PARAGRAPHS`] ("paragraphs
/// 15 and 17 of resolution 1970").
fn cited_measures(text: &str) -> Vec<Measure> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut push = |m: Measure| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    if lower.contains("travel ban") {
        push(Measure::TravelBan);
    }
    if lower.contains("asset freeze") || lower.contains("assets freeze") {
        push(Measure::AssetFreeze);
    }
    if lower.contains("arms embargo") {
        push(Measure::ArmsEmbargo);
    }
    for (resolution, paragraphs) in paragraph_citations(&lower) {
        for p in paragraphs {
            if let Some((_, _, m)) = UN_PARAGRAPHS
                .iter()
                .find(|(r, q, _)| *r == resolution && *q == p)
            {
                push(*m);
            }
        }
    }
    out
}

/// `(resolution, [paragraphs])` of each "paragraph(s) A[, B] and C of
/// resolution R" in lower-case text.
fn paragraph_citations(lower: &str) -> Vec<(u32, Vec<u32>)> {
    let mut out = Vec::new();
    let mut rest = lower;
    while let Some(at) = rest.find("paragraph") {
        let after = &rest[at..];
        let Some(of) = after.find(" of resolution ") else {
            break;
        };
        let between = &after["paragraph".len()..of];
        let tail = &after[of + " of resolution ".len()..];
        let paragraphs: Vec<u32> = between
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        let resolution: Option<u32> = tail
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok());
        // a citation is short; a long gap is two unrelated mentions
        if let Some(r) = resolution
            && between.len() <= 40
            && !paragraphs.is_empty()
        {
            out.push((r, paragraphs));
        }
        rest = &after["paragraph".len()..];
    }
    out
}

/// OFAC: every SDN listing blocks the subject's property and interests in
/// property subject to US jurisdiction; OFAC imposes no travel ban and no
/// arms embargo on a listed person (`MEASURES.md`, "OFAC").
pub fn ofac_measures(programs: &[&str]) -> (String, Measures) {
    let label = programs
        .iter()
        .map(|p| format!("OFAC {p}"))
        .collect::<Vec<_>>()
        .join("; ");
    (
        label,
        Measures {
            travel_ban: No,
            asset_freeze: Yes,
            arms_embargo: No,
            from: FROM_TABLE.into(),
        },
    )
}

/// DFAT: a row of the Australian consolidated list names its regime in
/// "Committees". A UN regime (named by its resolution number) takes that
/// regime's measures; an Australian autonomous designation is a targeted
/// financial sanction (asset freeze) whose travel ban binds Australia's
/// border only, not this node's (`MEASURES.md`, "DFAT").
pub fn dfat_measures(committees: &[String]) -> (String, Measures) {
    let label = committees
        .iter()
        .map(|c| format!("DFAT {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    let un = committees.iter().find_map(|c| un_regime_of_committee(c));
    let measures = match un {
        // a UN regime whose measures vary per person leaves them to verify
        // in its table: the row carries no narrative to tell
        Some(r) => Measures {
            travel_ban: r.travel_ban,
            asset_freeze: r.asset_freeze,
            arms_embargo: r.arms_embargo,
            from: FROM_TABLE.into(),
        },
        None if committees.is_empty() => {
            let mut m = Measures::VERIFY;
            m.from = FROM_UNKNOWN.into();
            m
        }
        None => Measures {
            travel_ban: No,
            asset_freeze: Yes,
            arms_embargo: No,
            from: FROM_TABLE.into(),
        },
    };
    (label, measures)
}

/// The UN regime a DFAT "Committees" value names by its resolution number
/// (e.g. "1267/1989/2253 (ISIL (Da'esh) and Al-Qaida)", "1518 (Iraq)").
fn un_regime_of_committee(committee: &str) -> Option<&'static UnRegime> {
    let numbers: Vec<&str> = committee
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .collect();
    UN_REGIMES.iter().find(|r| {
        let resolution = r
            .label
            .trim_start_matches("UN ")
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        !resolution.is_empty() && numbers.contains(&resolution)
    })
}

/// The legal basis of a sanctions listing: regime and measures, and the
/// action on hit they imply for `schema`.
pub fn apply(entity: &mut Entity, basis: Option<String>, regime: String, measures: Measures) {
    let person = entity.schema == Schema::Person;
    entity.action_on_hit = Some(measures.action(person));
    let legal = entity.legal_basis.get_or_insert_with(LegalBasis::default);
    if basis.is_some() {
        legal.basis = basis;
    }
    legal.regime = Some(regime);
    legal.measures = Some(measures);
}

/// An agency's measures for one regime (`[[measures]]` in `tansiq.toml`),
/// replacing the table's for every listing of that regime.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureOverride {
    /// The regime label as shown with a hit, e.g. "UN 1518 (Iraq)" or
    /// "OFAC SDGT".
    pub regime: String,
    pub travel_ban: Applies,
    pub asset_freeze: Applies,
    pub arms_embargo: Applies,
}

/// Applies the agency's overrides to imported entities: an entity with a
/// regime (or, for several programmes, any one of them) named by an
/// override takes its measures and the action they imply. Returns how many
/// entities changed.
pub fn apply_overrides(entities: &mut [Entity], overrides: &[MeasureOverride]) -> usize {
    if overrides.is_empty() {
        return 0;
    }
    let mut changed = 0;
    for e in entities.iter_mut() {
        let Some(regime) = e.legal_basis.as_ref().and_then(|l| l.regime.clone()) else {
            continue;
        };
        let Some(o) = overrides
            .iter()
            .find(|o| regime == o.regime || regime.split("; ").any(|r| r == o.regime))
        else {
            continue;
        };
        let measures = Measures {
            travel_ban: o.travel_ban,
            asset_freeze: o.asset_freeze,
            arms_embargo: o.arms_embargo,
            from: format!("{FROM_OVERRIDE} ({})", o.regime),
        };
        apply(e, None, regime, measures);
        changed += 1;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_references_name_their_regime() {
        assert_eq!(
            un_regime_of_reference("QDi.232").unwrap().list_type,
            "Al-Qaida"
        );
        assert_eq!(un_regime_of_reference("IQe.011").unwrap().list_type, "Iraq");
        assert_eq!(un_regime_of_reference("GBi.001").unwrap().list_type, "GB");
        assert!(un_regime_of_reference("QDx.1").is_none());
        assert!(un_regime_of_reference("ZZi.1").is_none());
        assert!(un_regime_of_reference("").is_none());
        // every code names a regime of the table
        for (_, list_type) in UN_REFERENCE_CODES {
            assert!(un_regime(list_type).is_some(), "{list_type}");
        }
    }

    fn check(list_type: &str, narrative: Option<&str>, expect: [Applies; 3], from: &str) {
        let (_, m) = un_measures(list_type, narrative);
        assert_eq!(
            [m.travel_ban, m.asset_freeze, m.arms_embargo],
            expect,
            "{list_type} {narrative:?}"
        );
        assert_eq!(m.from, from);
    }

    #[test]
    fn regimes_without_a_travel_ban_do_not_refuse_entry() {
        check("Iraq", None, [No, Yes, No], FROM_TABLE);
        let (label, m) = un_measures("Iraq", None);
        assert_eq!(label, "UN 1518 (Iraq)");
        assert_eq!(m.action(true), tansiq_model::ActionOnHit::Inform);
        check("GB", None, [Yes, No, No], FROM_TABLE);
        assert_eq!(
            un_measures("GB", None).1.action(true),
            tansiq_model::ActionOnHit::RefuseEntry
        );
    }

    #[test]
    fn libya_reads_the_narrative() {
        check(
            "Libya",
            Some("Listed pursuant to paragraph 15 of resolution 1970 (Travel Ban)."),
            [Yes, No, No],
            FROM_NARRATIVE,
        );
        check(
            "Libya",
            Some("Listed pursuant to paragraph 17 of resolution 1970 (Asset Freeze)."),
            [No, Yes, No],
            FROM_NARRATIVE,
        );
        check(
            "Libya",
            Some("Listed pursuant to paragraphs 15 and 17 of resolution 1970."),
            [Yes, Yes, No],
            FROM_NARRATIVE,
        );
        check(
            "Libya",
            Some("Review pursuant to Security Council resolution 1822 (2008) was concluded."),
            [Verify, Verify, No],
            FROM_TABLE,
        );
        check("Libya", None, [Verify, Verify, No], FROM_TABLE);
    }

    #[test]
    fn unknown_regimes_are_verified_not_guessed() {
        check("Atlantis", None, [Verify, Verify, Verify], FROM_UNKNOWN);
        let (_, m) = un_measures("Atlantis", None);
        assert_eq!(m.action(true), tansiq_model::ActionOnHit::SpecificCheck);
        assert_eq!(
            m.summary(),
            "no personal measure known; verify measures: travel ban, asset freeze, arms embargo"
        );
    }

    #[test]
    fn every_regime_label_names_its_resolution() {
        for r in UN_REGIMES {
            assert!(
                un_regime_of_committee(r.label.trim_start_matches("UN ")).is_some(),
                "{}",
                r.label
            );
        }
    }

    #[test]
    fn ofac_is_asset_blocking_not_a_travel_ban() {
        let (label, m) = ofac_measures(&["SDGT", "IRAN"]);
        assert_eq!(label, "OFAC SDGT; OFAC IRAN");
        assert_eq!([m.travel_ban, m.asset_freeze], [No, Yes]);
        assert_eq!(m.action(true), tansiq_model::ActionOnHit::Inform);
        assert_eq!(m.summary(), "asset freeze");
    }

    #[test]
    fn dfat_takes_the_un_regime_it_names() {
        let (_, m) = dfat_measures(&["1267/1989/2253 (ISIL (Da'esh) and Al-Qaida)".into()]);
        assert_eq!(
            [m.travel_ban, m.asset_freeze, m.arms_embargo],
            [Yes, Yes, Yes]
        );
        let (_, m) = dfat_measures(&["1518 (Iraq)".into()]);
        assert_eq!([m.travel_ban, m.asset_freeze], [No, Yes]);
        let (_, m) = dfat_measures(&["Autonomous (Russia)".into()]);
        assert_eq!([m.travel_ban, m.asset_freeze], [No, Yes]);
    }

    #[test]
    fn an_override_replaces_the_regimes_measures() {
        let mut e = Entity::new("un-1", Schema::Person);
        let (label, m) = un_measures("Iraq", None);
        apply(&mut e, None, label, m);
        let mut other = Entity::new("ofac-1", Schema::Person);
        let (label, m) = ofac_measures(&["SDGT", "IRAQ2"]);
        apply(&mut other, None, label, m);
        let overrides = [
            MeasureOverride {
                regime: "UN 1518 (Iraq)".into(),
                travel_ban: Yes,
                asset_freeze: Yes,
                arms_embargo: No,
            },
            MeasureOverride {
                regime: "OFAC IRAQ2".into(),
                travel_ban: Verify,
                asset_freeze: Yes,
                arms_embargo: No,
            },
        ];
        let mut all = [e, other];
        assert_eq!(apply_overrides(&mut all, &overrides), 2);
        assert_eq!(
            all[0].action_on_hit,
            Some(tansiq_model::ActionOnHit::RefuseEntry)
        );
        let m = all[0]
            .legal_basis
            .as_ref()
            .unwrap()
            .measures
            .clone()
            .unwrap();
        assert_eq!(m.from, "agency override (UN 1518 (Iraq))");
        assert_eq!(
            all[1].action_on_hit,
            Some(tansiq_model::ActionOnHit::SpecificCheck)
        );
    }
}
