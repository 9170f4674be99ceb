//! The four real PAXLST samples (shared/data/standards/paxlst) parse, with
//! the counts they hold and the diagnostics their faults deserve.

use tansiq_travel::{Interchange, Location, Role, parse_paxlst};

fn sample(name: &str) -> Option<Interchange> {
    let path = tansiq_testkit::shared_file(
        &format!("data/standards/paxlst/{name}"),
        "PAXLST sample test",
    )?;
    Some(parse_paxlst(&std::fs::read(path).unwrap()).unwrap())
}

/// Segment index, tag and element of a diagnostic.
type At = Option<(usize, String, Option<usize>)>;

/// (code, where) of each diagnostic.
fn diags(ic: &Interchange) -> Vec<(&'static str, At)> {
    ic.diagnostics
        .iter()
        .map(|d| {
            let at = match &d.location {
                Location::Segment {
                    segment,
                    tag,
                    element,
                    ..
                } => Some((*segment, tag.clone(), *element)),
                _ => None,
            };
            (d.code, at)
        })
        .collect()
}

fn seg(i: usize, tag: &str, e: Option<usize>) -> At {
    Some((i, tag.to_string(), e))
}

#[test]
fn d05b_two_legs_leading_spaces() {
    let Some(ic) = sample("gtas_apisMessage_unedifact_d05b.edi") else {
        return;
    };
    assert!(ic.diagnostics.is_empty(), "{:?}", ic.diagnostics);
    assert_eq!(ic.delimiters.repetition, '*');
    assert_eq!((ic.passenger_count(), ic.crew_count()), (2, 0));
    assert_eq!(ic.prepared.as_deref(), Some("2007-02-18T15:45"));
    let m = &ic.messages[0];
    assert_eq!(m.version.as_deref(), Some("D05B"));
    assert_eq!(m.transaction_reference.as_deref(), Some("AJYTR1070219"));
    assert_eq!(m.reporting_party.as_deref(), Some("JOHN SMITH"));
    let flights: Vec<_> = m.flights.iter().map(|f| f.number.as_str()).collect();
    assert_eq!(flights, ["AA123", "AA124"]);
    let leg = &m.flights[1].legs[0];
    assert_eq!(leg.departure.as_ref().unwrap().airport, "ORD");
    assert_eq!(
        leg.arrival.as_ref().unwrap().time.as_deref(),
        Some("2007-02-19T19:55")
    );
    let t = &m.travellers[0];
    assert_eq!(t.traveller.full_name(), "MICHAEL CLARK");
    assert_eq!(t.traveller.birth_date.unwrap().to_string(), "1972-09-07");
    assert_eq!(t.reservation.as_deref(), Some("TYR123"));
    assert_eq!(t.references.len(), 4);
    assert_eq!(t.embarkation.as_deref(), Some("ATL"));
}

#[test]
fn d05b_three_legs_and_trailing_text() {
    let Some(ic) = sample("gtas_multiple_flight_leg_apis_d05b.edi") else {
        return;
    };
    assert_eq!(diags(&ic), [("edifact.trailing_text", None)]);
    assert_eq!((ic.passenger_count(), ic.crew_count()), (2, 0));
    let m = &ic.messages[0];
    assert_eq!(m.flights.len(), 2);
    assert_eq!(m.flights[0].number, "QQ877");
    let route: Vec<_> = m.flights[1]
        .legs
        .iter()
        .map(|l| {
            (
                l.departure.as_ref().unwrap().airport.as_str(),
                l.arrival.as_ref().unwrap().airport.as_str(),
            )
        })
        .collect();
    assert_eq!(route, [("IAD", "JFK"), ("JFK", "CDG")]);
    let todd = &m.travellers[0].traveller;
    assert_eq!(todd.nationality_iso2(), Some("fr"));
    assert_eq!(todd.documents[0].number, "YY3478621G");
    assert_eq!(todd.documents[0].expiry.unwrap().to_string(), "2008-12-30");
    assert_eq!(
        todd.documents[0].issuing_state.as_ref().unwrap().iso2,
        Some("fr")
    );
}

#[test]
fn d02b_custom_una_with_wrong_counts() {
    let Some(ic) = sample("gtas_airline2_d02b_custom_una.edi") else {
        return;
    };
    assert_eq!(ic.delimiters.element, '*');
    assert_eq!(ic.delimiters.segment, '$');
    assert_eq!((ic.passenger_count(), ic.crew_count()), (10, 0));
    assert_eq!(
        diags(&ic),
        [
            ("edifact.tag_space", seg(2, "UNG", None)),
            ("paxlst.unt_count", seg(113, "UNT", Some(1))),
            ("paxlst.unt_reference", seg(113, "UNT", Some(2))),
            ("paxlst.cnt_mismatch", seg(112, "CNT", Some(1))),
        ]
    );
    let m = &ic.messages[0];
    assert_eq!(m.common_access_reference.as_deref(), Some("AA346"));
    assert_eq!(m.sequence.as_deref(), Some("10:F"));
    assert_eq!(m.declared_passengers, Some(136));
    assert!(
        m.travellers
            .iter()
            .all(|t| t.role == Role::Passenger && t.complete)
    );
}

#[test]
fn d02b_crew_list_on_one_line() {
    let Some(ic) = sample("gtas_Test1_crew_list_d02b.edi") else {
        return;
    };
    assert_eq!((ic.passenger_count(), ic.crew_count()), (0, 8));
    assert_eq!(
        diags(&ic),
        [
            ("paxlst.cnt_malformed", seg(108, "CNT", Some(2))),
            ("paxlst.unt_count", seg(109, "UNT", Some(1))),
            ("paxlst.une_reference", seg(110, "UNE", Some(2))),
            ("paxlst.unz_reference", seg(111, "UNZ", Some(2))),
        ]
    );
    let m = &ic.messages[0];
    assert_eq!(m.declared_crew, Some(8));
    assert_eq!(m.function.as_deref(), Some("C"));
    let t = &m.travellers[0];
    assert_eq!(t.role, Role::Crew);
    assert_eq!(t.traveller.surname, "Steur");
    assert_eq!(t.traveller.given_names, "Andrea Pat");
    assert_eq!(t.birth_place.as_deref(), Some("Hartford USA"));
    assert_eq!(t.residence.as_ref().unwrap().iso2, Some("gb"));
    assert_eq!(
        m.flights[0].legs[0].departure.as_ref().unwrap().airport,
        "FRA"
    );
}
