//! The real UK tables, and one subject per person across the real UN, UK,
//! OFAC and DFAT files: how many listings the lists themselves link, by
//! which key, and spot checks read independently from the raw files.

use std::collections::{BTreeMap, HashMap};

use tansiq_lists::subjects::SubjectIndex;
use tansiq_lists::{ParsedList, UkTables, parse_dfat_xlsx, parse_ofac, parse_uk, parse_un_xml};
use tansiq_model::Schema;

fn uk() -> Option<ParsedList> {
    let subjects = tansiq_testkit::shared_file("data/lists/uk/subjects.csv", "the real UK tests")?;
    let read = |name: &str| std::fs::read(subjects.with_file_name(name)).unwrap();
    let [names, dobs, countries, ids] = UkTables::FILES.map(read);
    let tables = UkTables {
        names: Some(&names),
        dobs: Some(&dobs),
        countries: Some(&countries),
        identifiers: Some(&ids),
    };
    Some(parse_uk(&std::fs::read(&subjects).unwrap(), tables).expect("the real UK tables parse"))
}

fn all_lists() -> Option<Vec<ParsedList>> {
    let uk = uk()?;
    let shared = tansiq_testkit::shared_dir("subject linking on real lists")?;
    let un = parse_un_xml(
        &std::fs::read(shared.join("data/lists/un/un_consolidated_2026-02-27.xml")).unwrap()[..],
    )
    .unwrap();
    let sdn = std::fs::read(shared.join("data/lists/ofac/sdn.csv")).unwrap();
    let alt = std::fs::read(shared.join("data/lists/ofac/alt.csv")).unwrap();
    let ofac = parse_ofac(&sdn[..], Some(&alt[..]), None::<&[u8]>).unwrap();
    let dfat = parse_dfat_xlsx(
        &std::fs::read(shared.join("data/lists/dfat/regulation8_consolidated.xlsx")).unwrap(),
    )
    .unwrap();
    Some(vec![un, uk, ofac, dfat])
}

#[test]
fn uk_counts() {
    let Some(list) = uk() else { return };
    assert_eq!(list.source, "uk-sanctions");
    println!(
        "UK: {} Person, {} Organization, {} Vessel; {} diagnostics ({} errors); version {}",
        list.count(Schema::Person),
        list.count(Schema::Organization),
        list.count(Schema::Vessel),
        list.diagnostics.len(),
        list.diagnostics.iter().filter(|d| d.is_error()).count(),
        list.version
    );
    for d in list.diagnostics.iter().take(5) {
        println!("  {d}");
    }
    let with_un = list
        .entities
        .iter()
        .filter(|e| !e.get("unscId").is_empty())
        .count();
    println!("UK with a UN reference: {with_un}");
    // SOURCES.md: 6,046 subjects, 1,002 with a UN reference number
    assert_eq!(list.count(Schema::Person), 3883);
    assert_eq!(list.count(Schema::Organization), 1531);
    assert_eq!(list.count(Schema::Vessel), 632);
    assert_eq!(with_un, 1002);
    assert!(
        list.diagnostics.is_empty(),
        "{:?}",
        list.diagnostics.first()
    );
    // the first rows of each table, read by eye from the raw files
    let by_id: HashMap<&str, _> = list.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let afg1 = by_id["uk-AFG0001"];
    assert_eq!(afg1.schema, Schema::Organization);
    assert_eq!(
        afg1.first("name"),
        Some("HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE")
    );
    assert!(afg1.get("alias").iter().any(|a| a == "Haji Alim Hawala"));
    assert_eq!(afg1.get("unscId"), ["TAe.010"]);
    assert_eq!(afg1.provenance.listed_on.as_deref(), Some("2012-06-29"));
    let afg6 = by_id["uk-AFG0006"];
    assert!(afg6.get("birthDate").iter().any(|d| d == "1967-01-01"));
    assert!(afg6.get("birthCountry").iter().any(|c| c == "af"));
    assert!(
        by_id["uk-AFG0012"]
            .get("idNumber")
            .iter()
            .any(|n| n == "2132370")
    );
    // a UN regime without a travel ban stays without one on the UK list
    let iraq = list
        .entities
        .iter()
        .find(|e| e.get("unscId").iter().any(|r| r.starts_with("IQi")))
        .expect("a UK listing of a UN Iraq individual");
    let m = iraq
        .legal_basis
        .as_ref()
        .unwrap()
        .measures
        .as_ref()
        .unwrap();
    assert_eq!(m.travel_ban, tansiq_model::Applies::No, "{}", iraq.id);
}

#[test]
fn subjects_across_real_lists() {
    let Some(lists) = all_lists() else { return };
    let entities: Vec<_> = lists.iter().flat_map(|l| l.entities.iter()).collect();
    let index = SubjectIndex::build(entities.iter().copied());
    let subjects = index.subjects();
    let mut by_sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_key: BTreeMap<&str, usize> = BTreeMap::new();
    let source_of: HashMap<&str, &str> = entities
        .iter()
        .map(|e| (e.id.as_str(), e.provenance.source.as_str()))
        .collect();
    let name_of: HashMap<&str, &str> = entities
        .iter()
        .map(|e| (e.id.as_str(), e.first("name").unwrap_or("")))
        .collect();
    for s in &subjects {
        let mut sources: Vec<&str> = s.listings.iter().map(|id| source_of[id.as_str()]).collect();
        sources.sort();
        *by_sources.entry(sources.join("+")).or_default() += 1;
        for l in &s.links {
            *by_key.entry(l.key.kind()).or_default() += 1;
        }
    }
    println!("subjects with several listings: {}", subjects.len());
    println!("  by lists: {by_sources:?}");
    println!("  links by key: {by_key:?}");
    assert_eq!(subjects.len(), 1100);
    assert_eq!(
        by_sources,
        BTreeMap::from([
            ("ofac-sdn+uk-sanctions".to_string(), 107),
            ("ofac-sdn+uk-sanctions+un-sc".to_string(), 166),
            ("uk-sanctions+un-sc".to_string(), 827),
        ])
    );
    assert_eq!(
        by_key,
        BTreeMap::from([("document", 247), ("imo", 29), ("un-reference", 990)])
    );
    // DFAT's file carries neither UN reference numbers nor document numbers
    // as fields (SOURCES.md): it links nothing, and no name does it for it
    assert!(!by_sources.keys().any(|k| k.contains("au-dfat")));
    let schema_of: HashMap<&str, Schema> =
        entities.iter().map(|e| (e.id.as_str(), e.schema)).collect();
    for s in &subjects {
        // at most one listing per list, and never a person with a company
        let mut sources: Vec<&str> = s.listings.iter().map(|id| source_of[id.as_str()]).collect();
        sources.sort();
        sources.dedup();
        assert_eq!(sources.len(), s.listings.len(), "{:?}", s.listings);
        let persons = s
            .listings
            .iter()
            .filter(|id| schema_of[id.as_str()] == Schema::Person)
            .count();
        assert!(
            persons == 0 || persons == s.listings.len(),
            "{:?}",
            s.listings
        );
    }
    // read from the raw files: UK AFG0001 carries UN reference TAe.010
    assert_eq!(
        index.subject("uk-AFG0001").unwrap().listings,
        ["TAe.010", "uk-AFG0001"]
    );
    // OFAC 22259 and UK SYR0106 share passport N001820740 (no UN listing)
    assert_eq!(
        index.subject("ofac-22259").unwrap().listings,
        ["ofac-22259", "uk-SYR0106"]
    );
    for s in subjects
        .iter()
        .filter(|s| s.links.iter().all(|l| l.key.kind() != "un-reference"))
        .step_by(13)
        .take(10)
    {
        let names: Vec<&str> = s.listings.iter().map(|id| name_of[id.as_str()]).collect();
        println!(
            "  {:?} {names:?} {:?}",
            s.listings,
            s.links
                .iter()
                .map(|l| l.key.to_string())
                .collect::<Vec<_>>()
        );
    }
}
