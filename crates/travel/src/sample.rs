//! Deterministic, fictitious manifests for tests and benchmarks: names are
//! built from syllables, so no generated traveller is a real person.

use tansiq_model::PartialDate;

use crate::diag::Location;
use crate::edifact::Delimiters;
use crate::paxlst::{
    Flight, Interchange, Leg, ListKind, ManifestTraveller, Message, Reference, Role, Stop,
};
use crate::traveller::{DocumentKind, Sex, TravelDocument, Traveller};
use tansiq_model::country::Country;

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SYLLABLES: &[&str] = &[
    "BA", "KO", "RI", "MAN", "TES", "LU", "VOR", "DEN", "SA", "MI", "TAL", "GRO", "NE", "FI",
    "ZAN", "PER", "OL", "KAS", "DRU", "WEN",
];
const STATES: &[&str] = &[
    "UTO", "FRA", "DEU", "GBR", "DZA", "EGY", "USA", "ESP", "NLD", "JOR",
];

fn name(rng: &mut Rng, syllables: usize) -> String {
    (0..syllables).map(|_| rng.pick(SYLLABLES)).collect()
}

/// A one-message PAXLST interchange for flight `TQ100` (UTA → UTB, two
/// legs via UTC) with `passengers` passengers and `crew` crew members, all
/// fictitious and reproducible from `seed`.
pub fn synthetic_interchange(passengers: usize, crew: usize, seed: u64) -> Interchange {
    let mut rng = Rng(seed);
    let stop = |airport: &str, time: &str| Stop {
        airport: airport.to_string(),
        time: Some(time.to_string()),
    };
    let flight = Flight {
        carrier: Some("TQ".into()),
        number: "TQ100".into(),
        legs: vec![
            Leg {
                departure: Some(stop("UTA", "2026-11-29T08:15")),
                arrival: Some(stop("UTC", "2026-11-29T10:05")),
            },
            Leg {
                departure: Some(stop("UTC", "2026-11-29T11:00")),
                arrival: Some(stop("UTB", "2026-11-29T13:40")),
            },
        ],
        final_destination: None,
    };
    let mut travellers = Vec::with_capacity(passengers + crew);
    for i in 0..passengers + crew {
        let role = if i < passengers {
            Role::Passenger
        } else {
            Role::Crew
        };
        let syllables = 2 + rng.below(2);
        let surname = name(&mut rng, syllables);
        let given = if rng.below(4) == 0 {
            format!("{} {}", name(&mut rng, 2), name(&mut rng, 2))
        } else {
            name(&mut rng, 2)
        };
        let nat = rng.pick(STATES);
        let mut t = Traveller::from_names(&surname, &given, false, &[nat]);
        t.sex = if rng.below(2) == 0 {
            Sex::Female
        } else {
            Sex::Male
        };
        let year = 1940 + rng.below(80) as u16;
        t.birth_date = PartialDate::ymd(year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8);
        t.nationality = Some(Country::from_code(nat));
        t.documents.push(TravelDocument {
            kind: DocumentKind::Passport,
            code: "P".into(),
            number: format!("{}{:07}", rng.pick(&["X", "P", "K"]), rng.below(10_000_000)),
            issuing_state: Some(Country::from_code(nat)),
            expiry: PartialDate::ymd(
                2027 + rng.below(9) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            ),
        });
        let seat = (role == Role::Passenger)
            .then(|| format!("{}{}", 1 + i / 6, ["A", "B", "C", "D", "E", "F"][i % 6]));
        let reservation = format!("{:06X}", rng.next() & 0xFF_FFFF);
        let mut references = vec![Reference {
            qualifier: "AVF".into(),
            value: reservation.clone(),
        }];
        if let Some(s) = &seat {
            references.push(Reference {
                qualifier: "SEA".into(),
                value: s.clone(),
            });
        }
        travellers.push(ManifestTraveller {
            traveller: t,
            role,
            seat,
            reservation: Some(reservation),
            references,
            embarkation: Some("UTA".into()),
            debarkation: Some("UTB".into()),
            residence: None,
            birth_place: None,
            flight: None,
            source: Location::Input {
                line: 0,
                byte_offset: 0,
            },
            complete: true,
        });
    }
    Interchange {
        delimiters: Delimiters::default(),
        syntax: Some("UNOA:4".into()),
        sender: Some("TQAIR".into()),
        recipient: Some("TANSIQ".into()),
        prepared: Some("2026-11-29T06:00".into()),
        control_reference: Some(format!("{seed}")),
        messages: vec![Message {
            reference: "M1".into(),
            version: Some("D05B".into()),
            common_access_reference: Some("TQ100/261129".into()),
            sequence: None,
            document_code: Some("745".into()),
            list_kind: ListKind::Passengers,
            function: None,
            transaction_reference: None,
            reporting_party: Some("TQ AIR OPERATIONS".into()),
            flights: vec![flight],
            travellers,
            declared_passengers: Some(passengers as u32),
            declared_crew: (crew > 0).then_some(crew as u32),
            first_segment: 2,
        }],
        diagnostics: Vec::new(),
    }
}
