//! Sanctions measures on the real lists (shared/data/lists): the action on
//! hit follows each regime's measures (MEASURES.md), not one action for all.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;

use tansiq_lists::{parse_dfat_xlsx, parse_ofac, parse_un_xml};
use tansiq_model::{ActionOnHit, Applies, Entity, Schema};

/// (regime, action) → count, printed for the note.
fn tally(entities: &[Entity]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for e in entities {
        let regime = e
            .legal_basis
            .as_ref()
            .and_then(|l| l.regime.clone())
            .unwrap_or_default();
        let action = e.action_on_hit.map(|a| a.as_str()).unwrap_or("-");
        let kind = if e.schema == Schema::Person {
            "person"
        } else {
            "other"
        };
        *out.entry((regime, format!("{kind} {action}"))).or_insert(0) += 1;
    }
    out
}

fn measures(e: &Entity) -> &tansiq_model::Measures {
    e.legal_basis
        .as_ref()
        .and_then(|l| l.measures.as_ref())
        .unwrap_or_else(|| panic!("{} has no measures", e.id))
}

#[test]
fn un_actions_follow_the_regime() {
    let Some(path) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "UN measures test",
    ) else {
        return;
    };
    let parsed = parse_un_xml(BufReader::new(File::open(path).unwrap())).unwrap();
    for ((regime, action), n) in tally(&parsed.entities) {
        println!("{n:5}  {action:22} {regime}");
    }
    let of = |label: &str| -> Vec<&Entity> {
        parsed
            .entities
            .iter()
            .filter(|e| {
                e.schema == Schema::Person
                    && e.legal_basis.as_ref().and_then(|l| l.regime.as_deref()) == Some(label)
            })
            .collect()
    };
    // 1518 Iraq: an asset freeze only; nobody is refused entry for it.
    let iraq = of("UN 1518 (Iraq)");
    assert_eq!(iraq.len(), 65);
    assert!(
        iraq.iter()
            .all(|e| e.action_on_hit == Some(ActionOnHit::Inform)
                && measures(e).travel_ban == Applies::No)
    );
    // 2048 Guinea-Bissau: a travel ban only.
    let gb = of("UN 2048 (Guinea-Bissau)");
    assert_eq!(gb.len(), 10);
    assert!(
        gb.iter()
            .all(|e| e.action_on_hit == Some(ActionOnHit::RefuseEntry)
                && measures(e).asset_freeze == Applies::No)
    );
    // 1970 Libya: per person, from the narrative.
    let libya = of("UN 1970 (Libya)");
    let travel_only = libya
        .iter()
        .filter(|e| {
            let m = measures(e);
            m.travel_ban == Applies::Yes && m.asset_freeze == Applies::No
        })
        .count();
    let freeze_only = libya
        .iter()
        .filter(|e| {
            let m = measures(e);
            m.travel_ban == Applies::No && m.asset_freeze == Applies::Yes
        })
        .count();
    assert!(travel_only >= 4, "{travel_only}");
    assert!(freeze_only >= 2, "{freeze_only}");
    assert!(libya.iter().all(
        |e| measures(e).from == "entry narrative" || measures(e).travel_ban == Applies::Verify
    ));
    // ISIL/Al-Qaida: the full set.
    let aq = of("UN 1267/1989/2253 (ISIL (Da'esh) and Al-Qaida)");
    assert_eq!(aq.len(), 252);
    assert!(
        aq.iter()
            .all(|e| e.action_on_hit == Some(ActionOnHit::RefuseEntry))
    );
    // No organisation is refused entry.
    assert!(
        parsed
            .entities
            .iter()
            .all(|e| e.schema == Schema::Person || e.action_on_hit == Some(ActionOnHit::Inform))
    );
    // Every listing has a regime and measures.
    assert!(parsed.entities.iter().all(|e| {
        e.legal_basis
            .as_ref()
            .is_some_and(|l| l.regime.is_some() && l.measures.is_some())
    }));
}

#[test]
fn ofac_is_asset_blocking() {
    let Some(path) = tansiq_testkit::shared_file("data/lists/ofac/sdn.csv", "OFAC measures test")
    else {
        return;
    };
    let alt = std::fs::read(path.with_file_name("alt.csv")).ok();
    let parsed = parse_ofac(
        &std::fs::read(&path).unwrap()[..],
        alt.as_deref(),
        None::<&[u8]>,
    )
    .unwrap();
    let persons: Vec<_> = parsed
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Person)
        .collect();
    println!("OFAC: {} persons, all inform (asset freeze)", persons.len());
    assert!(persons.iter().all(|e| {
        let m = measures(e);
        e.action_on_hit == Some(ActionOnHit::Inform)
            && m.travel_ban == Applies::No
            && m.asset_freeze == Applies::Yes
    }));
}

#[test]
fn dfat_un_regimes_take_the_un_measures() {
    let Some(path) = tansiq_testkit::shared_file(
        "data/lists/dfat/regulation8_consolidated.xlsx",
        "DFAT measures test",
    ) else {
        return;
    };
    let parsed = parse_dfat_xlsx(&std::fs::read(path).unwrap()).unwrap();
    let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
    for e in parsed
        .entities
        .iter()
        .filter(|e| e.schema == Schema::Person)
    {
        *by_action
            .entry(e.action_on_hit.map(|a| a.as_str()).unwrap_or("-"))
            .or_insert(0) += 1;
    }
    println!("DFAT persons by action: {by_action:?}");
    for ((regime, action), n) in tally(&parsed.entities) {
        if n >= 20 {
            println!("{n:5}  {action:22} {regime}");
        }
    }
    // The ISIL/Al-Qaida persons DFAT carries are refused entry, as on the
    // UN list; autonomous designations are not.
    assert!(by_action.get("refuse-entry").copied().unwrap_or(0) > 100);
    assert!(by_action.get("inform").copied().unwrap_or(0) > 100);
}
