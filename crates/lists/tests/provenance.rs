//! A person listed by the UN and by OFAC is two entities, each with its
//! own provenance: merging across lists is not the importers' job.

use std::collections::HashMap;

use tansiq_lists::{parse_ofac, parse_un_xml};
use tansiq_model::Schema;

#[test]
fn same_person_on_two_lists_stays_two_entities() {
    let Some(un) = tansiq_testkit::shared_file(
        "data/lists/un/un_consolidated_2026-02-27.xml",
        "UN/OFAC provenance",
    ) else {
        return;
    };
    let Some(sdn) = tansiq_testkit::shared_file("data/lists/ofac/sdn.csv", "UN/OFAC provenance")
    else {
        return;
    };
    let un = parse_un_xml(&std::fs::read(un).unwrap()[..]).unwrap();
    let alt = std::fs::read(sdn.with_file_name("alt.csv")).unwrap();
    let ofac = parse_ofac(
        &std::fs::read(sdn).unwrap()[..],
        Some(&alt[..]),
        None::<&[u8]>,
    )
    .unwrap();

    // Link persons by a shared passport number, as the bench builder did.
    let mut by_passport: HashMap<String, &tansiq_model::Entity> = HashMap::new();
    for e in un.entities.iter().filter(|e| e.schema == Schema::Person) {
        for d in e.documents() {
            if d.number.len() >= 6 {
                by_passport.insert(d.number, e);
            }
        }
    }
    let mut pairs = 0;
    for o in ofac.entities.iter().filter(|e| e.schema == Schema::Person) {
        for d in o.documents() {
            let Some(u) = by_passport.get(&d.number) else {
                continue;
            };
            pairs += 1;
            assert_ne!(u.id, o.id);
            assert_eq!(u.provenance.source, "un-sc");
            assert_eq!(o.provenance.source, "ofac-sdn");
            assert_eq!(
                u.provenance.list_version.as_deref(),
                Some(un.version.as_str())
            );
            assert_eq!(
                o.provenance.list_version.as_deref(),
                Some(ofac.version.as_str())
            );
            assert!(
                u.provenance.source_record_id.is_some() && o.provenance.source_record_id.is_some()
            );
        }
    }
    println!("{pairs} UN/OFAC person pairs share a document number");
    assert!(pairs >= 20, "{pairs}");
}
