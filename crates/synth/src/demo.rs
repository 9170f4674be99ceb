//! The built-in demo watchlist and the demo travellers.
//!
//! Five hand-written entries (`demo-p-0001`..`demo-p-0005`) carry the
//! demo's story: the travellers screened by `tansiq demo` are written
//! differently from them. The rest is drawn from the tables with a fixed
//! seed, so the set is the same on every call and every machine.

use std::collections::HashSet;

use tansiq_model::{ActionOnHit, Entity, FederationShare, LegalBasis, Schema, Visibility, prop};

use crate::fold::{fold, token_set};
use crate::person::{self, Detail, Region};
use crate::rng::Rng;
use crate::{DemoTraveller, Traveller};

/// Number of persons and organisations in the demo watchlist.
pub const DEMO_PERSONS: usize = 280;
pub const DEMO_ORGANISATIONS: usize = 40;

const DEMO_SEED: u64 = 0x007A_451A;
const LIST_VERSION: &str = "demo-2026.1";

struct Featured {
    name: &'static str,
    aliases: &'static [&'static str],
    weak: &'static [&'static str],
    first: &'static str,
    father: Option<&'static str>,
    last: &'static str,
    dob: &'static str,
    place: &'static str,
    nationality: &'static str,
    gender: &'static str,
    passport: Option<&'static str>,
    id_number: Option<&'static str>,
    agency: &'static str,
    warrant: &'static str,
    court: &'static str,
    issued: &'static str,
    offence: &'static str,
    action: ActionOnHit,
}

static FEATURED: &[Featured] = &[
    Featured {
        name: "Abdelkader Benyoucef",
        aliases: &[
            "عبد القادر بن يوسف",
            "Abd al-Qadir bin Yusuf",
            "Abdelkader Ben Youcef",
        ],
        weak: &["Abou Ilyes"],
        first: "Abdelkader",
        father: None,
        last: "Benyoucef",
        dob: "1979-03-14",
        place: "Sétif, Algeria",
        nationality: "dz",
        gender: "male",
        passport: Some("171203958"),
        id_number: None,
        agency: "dz-dgsn",
        warrant: "DZ-MA-2021/00417",
        court: "Tribunal de Sidi M'Hamed, Alger (pôle pénal spécialisé)",
        issued: "2021-04-12",
        offence: "membership of a terrorist group",
        action: ActionOnHit::Arrest,
    },
    Featured {
        name: "Mohamed Lamine Zerrouki",
        aliases: &[
            "محمد الأمين زروقي",
            "Muhammad al-Amin Zarruqi",
            "Mohamed El Amin Zarouky",
        ],
        weak: &[],
        first: "Mohamed Lamine",
        father: None,
        last: "Zerrouki",
        dob: "1986",
        place: "Tlemcen, Algeria",
        nationality: "dz",
        gender: "male",
        passport: None,
        id_number: Some("109860412275301846"),
        agency: "dz-gn",
        warrant: "DZ-GN-2024/01122",
        court: "Tribunal de Tlemcen",
        issued: "2024-09-03",
        offence: "arms trafficking",
        action: ActionOnHit::Arrest,
    },
    Featured {
        name: "Hichem Ben Salah Gharbi",
        aliases: &[
            "هشام بن صالح الغربي",
            "Hisham bin Salih al-Gharbi",
            "Hichem Gharbi",
        ],
        weak: &["Abou Taha Ettounsi"],
        first: "Hichem",
        father: Some("Salah"),
        last: "Gharbi",
        dob: "1990-11-02",
        place: "Sfax, Tunisia",
        nationality: "tn",
        gender: "male",
        passport: Some("K482913"),
        id_number: None,
        agency: "tn-dgsn",
        warrant: "TN-PJAT-2022/3381",
        court: "Pôle judiciaire de lutte contre le terrorisme, Tunis",
        issued: "2022-02-17",
        offence: "travel abroad to join a terrorist organisation",
        action: ActionOnHit::Arrest,
    },
    Featured {
        name: "Mahmoud Abdel Gawad Shehata",
        aliases: &["محمود عبد الجواد شحاتة", "Mahmud Abd al-Jawad Shahata"],
        weak: &["Abu Ziad"],
        first: "Mahmoud",
        father: Some("Abdel Gawad"),
        last: "Shehata",
        dob: "1975-08-21",
        place: "Asyut, Egypt",
        nationality: "eg",
        gender: "male",
        passport: Some("A27019384"),
        id_number: None,
        agency: "eg-ipd",
        warrant: "EG-SSSP-2019/1187",
        court: "Supreme State Security Prosecution, Cairo",
        issued: "2019-06-30",
        offence: "financing of terrorism",
        action: ActionOnHit::DiscreetCheck,
    },
    Featured {
        name: "Khadidja Bent Mabrouk Touati",
        aliases: &[
            "خديجة بنت مبروك تواتي",
            "Khadija bint Mabruk Tuwati",
            "Khadiga Bint Mabrouk Tawaty",
        ],
        weak: &[],
        first: "Khadidja",
        father: Some("Mabrouk"),
        last: "Touati",
        dob: "1988-06-30",
        place: "Ouargla, Algeria",
        nationality: "dz",
        gender: "female",
        passport: None,
        id_number: None,
        agency: "dz-dgsn",
        warrant: "DZ-MA-2025/00093",
        court: "Tribunal de Ouargla",
        issued: "2025-01-21",
        offence: "organised migrant smuggling",
        action: ActionOnHit::SpecificCheck,
    },
];

/// The demo travellers: (name, dob, nationality, gender, document,
/// description, expected id).
type TravellerRow = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

static TRAVELLERS: &[TravellerRow] = &[
    (
        "Abdul Kader Bin Yousef",
        Some("1979-03-14"),
        "dz",
        "male",
        None,
        "English-style spelling of a listed Algerian: the Abd compound split (Abdul Kader), bin for Ben, Yousef for Youcef",
        Some("demo-p-0001"),
    ),
    (
        "محمد الامين زروقي",
        Some("1986-05-02"),
        "dz",
        "male",
        None,
        "Arabic-script input without the hamza; the entry knows only the birth year",
        Some("demo-p-0002"),
    ),
    (
        "GHARBI HICHEM",
        Some("1990-11-02"),
        "tn",
        "male",
        None,
        "MRZ-style capitals, surname first, the father's name (Ben Salah) missing",
        Some("demo-p-0003"),
    ),
    (
        "Mahmoud Abdeljawad Chehata",
        None,
        "eg",
        "male",
        Some("A27019384"),
        "French-style spelling (j for the Egyptian g, ch for sh), compound glued; the passport number agrees",
        Some("demo-p-0004"),
    ),
    (
        "Khadija Touati",
        Some("1988-06-30"),
        "dz",
        "female",
        None,
        "A listed woman without her nasab (bent Mabrouk), English spelling of Khadidja",
        Some("demo-p-0005"),
    ),
    (
        "Mohamed Ali",
        Some("1991-07-02"),
        "tn",
        "male",
        None,
        "Two of the commonest name words and nobody listed by that name: must not alert",
        None,
    ),
    (
        "Abdelkader Bensaid",
        Some("1968-01-15"),
        "dz",
        "male",
        None,
        "Same given name as a listed person (demo-p-0001), different family name and date of birth: must not alert",
        None,
    ),
    (
        "Fatma Zohra Saidi",
        Some("1995-02-10"),
        "dz",
        "female",
        None,
        "A common Algerian woman's name, nobody listed by that name: must not alert",
        None,
    ),
];

/// The demo travellers with their expected outcome.
pub fn demo_travellers() -> Vec<DemoTraveller> {
    TRAVELLERS
        .iter()
        .map(
            |&(name, dob, nat, gender, doc, description, expected)| DemoTraveller {
                traveller: Traveller {
                    name: name.to_string(),
                    birth_date: dob.map(str::to_string),
                    nationality: Some(nat.to_string()),
                    gender: Some(gender.to_string()),
                    document_number: doc.map(str::to_string),
                },
                description: description.to_string(),
                expected: expected.map(str::to_string),
            },
        )
        .collect()
}

fn featured_entity(i: usize, f: &Featured) -> Entity {
    let mut e = Entity::new(format!("demo-p-{:04}", i + 1), Schema::Person);
    e.add(prop::NAME, f.name);
    for a in f.aliases {
        e.add(prop::ALIAS, a);
    }
    for w in f.weak {
        e.add(prop::WEAK_ALIAS, w);
    }
    e.add(prop::FIRST_NAME, f.first);
    if let Some(father) = f.father {
        e.add(prop::FATHER_NAME, father);
    }
    e.add(prop::LAST_NAME, f.last);
    e.add(prop::BIRTH_DATE, f.dob);
    e.add(prop::BIRTH_PLACE, f.place);
    e.add(prop::NATIONALITY, f.nationality);
    e.add(prop::GENDER, f.gender);
    if let Some(p) = f.passport {
        e.add(prop::PASSPORT_NUMBER, p);
    }
    if let Some(n) = f.id_number {
        e.add(prop::ID_NUMBER, n);
    }
    e.provenance.source = "demo".into();
    e.provenance.list_version = Some(LIST_VERSION.into());
    e.provenance.listed_on = Some(f.issued.into());
    e.origin_agency = Some(f.agency.into());
    e.legal_basis = Some(LegalBasis {
        warrant_number: Some(f.warrant.into()),
        court: Some(f.court.into()),
        issued_on: Some(f.issued.into()),
        offence: Some(f.offence.into()),
        basis: Some(statute(f.agency).into()),
        ..LegalBasis::default()
    });
    e.action_on_hit = Some(f.action);
    e.sharing.federation = FederationShare::ByAgreement;
    let year: u32 = f.issued[..4].parse().unwrap_or(2025);
    e.validity.valid_from = Some(f.issued.into());
    e.validity.valid_until = Some(format!("{}{}", year + 15, &f.issued[4..]));
    e.validity.review_on = Some(format!("{}{}", year.max(2025) + 2, &f.issued[4..]));
    e
}

fn statute(agency: &str) -> &'static str {
    match agency {
        "dz-dgsn" | "dz-gn" => "Code pénal algérien, art. 87 bis",
        "tn-dgsn" => "Loi organique n° 2015-26 (terrorisme et blanchiment)",
        "eg-ipd" => "Law No. 94 of 2015 on Combating Terrorism",
        _ => "Demo sanctions list (fictitious)",
    }
}

/// Courts that issue warrants in the demo, by agency.
fn court(rng: &mut Rng, agency: &str) -> &'static str {
    match agency {
        "dz-dgsn" | "dz-gn" => rng.pick_str(&[
            "Tribunal de Sidi M'Hamed, Alger (pôle pénal spécialisé)",
            "Tribunal d'Oran",
            "Tribunal de Constantine",
            "Tribunal de Tamanrasset",
            "Cour de Ouargla",
        ]),
        "tn-dgsn" => rng.pick_str(&[
            "Pôle judiciaire de lutte contre le terrorisme, Tunis",
            "Tribunal de première instance de Sfax",
            "Tribunal de première instance de Médenine",
        ]),
        _ => rng.pick_str(&[
            "Supreme State Security Prosecution, Cairo",
            "Cairo Criminal Court",
            "Alexandria Criminal Court",
            "Public Prosecution, North Sinai",
        ]),
    }
}

static OFFENCES: &[&str] = &[
    "membership of a terrorist group",
    "financing of terrorism",
    "arms trafficking",
    "organised migrant smuggling",
    "forgery of travel documents",
    "money laundering",
    "drug trafficking",
    "kidnapping for ransom",
    "attack on security forces",
    "escape from lawful custody",
    "recruitment for a terrorist organisation",
];

/// Adds what a national node records about an entry: agency, warrant,
/// action on hit, sharing and validity. About a quarter of the entries are
/// not national warrants but come from the (fictitious) demo sanctions list.
fn national_fields(rng: &mut Rng, e: &mut Entity) {
    e.provenance.source = "demo".into();
    e.provenance.list_version = Some(LIST_VERSION.into());
    let nationality = e
        .first(prop::NATIONALITY)
        .or(e.first(prop::COUNTRY))
        .unwrap_or("")
        .to_string();
    let year = rng.range(2014, 2026);
    let (month, day) = (
        rng.range(1, if year == 2026 { 10 } else { 12 }),
        rng.range(1, 28),
    );
    let issued = format!("{year:04}-{month:02}-{day:02}");
    e.provenance.listed_on = Some(issued.clone());
    if rng.chance(25) {
        e.legal_basis = Some(LegalBasis {
            basis: Some(statute("").into()),
            issued_on: Some(issued.clone()),
            ..LegalBasis::default()
        });
        e.action_on_hit = Some(*rng.pick(&[
            ActionOnHit::RefuseEntry,
            ActionOnHit::Inform,
            ActionOnHit::SpecificCheck,
        ]));
        e.sharing.federation = FederationShare::ByAgreement;
        e.validity.valid_from = Some(issued);
        return;
    }
    let agency = match nationality.as_str() {
        "dz" => rng.pick_str(&["dz-dgsn", "dz-dgsn", "dz-gn"]),
        "tn" => "tn-dgsn",
        "eg" | "sd" => "eg-ipd",
        _ => rng.pick_str(&["dz-dgsn", "tn-dgsn", "eg-ipd", "dz-gn"]),
    };
    let prefix = match agency {
        "dz-dgsn" => "DZ-MA",
        "dz-gn" => "DZ-GN",
        "tn-dgsn" => "TN-PJAT",
        _ => "EG-SSSP",
    };
    e.origin_agency = Some(agency.into());
    e.legal_basis = Some(LegalBasis {
        warrant_number: Some(format!("{prefix}-{year}/{:05}", rng.range(1, 4999))),
        court: Some(court(rng, agency).into()),
        issued_on: Some(issued.clone()),
        offence: Some(rng.pick(OFFENCES).to_string()),
        basis: Some(statute(agency).into()),
        ..LegalBasis::default()
    });
    e.action_on_hit = Some(
        [
            ActionOnHit::Arrest,
            ActionOnHit::DiscreetCheck,
            ActionOnHit::SpecificCheck,
            ActionOnHit::RefuseEntry,
            ActionOnHit::Inform,
        ][rng.weighted(&[55, 15, 10, 10, 10])],
    );
    e.sharing.federation = if rng.chance(80) {
        FederationShare::ByAgreement
    } else {
        FederationShare::Never
    };
    if rng.chance(10) {
        e.sharing.visibility = Visibility::Originator;
    }
    e.validity.valid_from = Some(issued[..].to_string());
    if rng.chance(85) {
        // In force for years after the demo's "today" whatever the issue date.
        let until = (year + 10).max(2030) + rng.range(0, 5);
        e.validity.valid_until = Some(format!("{until}{}", &issued[4..]));
    }
    e.validity.review_on = Some(format!(
        "{}{}",
        year.max(2025) + rng.range(1, 3),
        &issued[4..]
    ));
}

/// Token sets that generated entries must not contain: the innocents'
/// names (so they stay innocent) and the featured persons' names (so each
/// demo traveller has exactly one right answer).
fn reserved() -> Vec<Vec<String>> {
    let mut r: Vec<Vec<String>> = TRAVELLERS
        .iter()
        .filter(|t| t.6.is_none())
        .map(|t| token_set(t.0))
        .collect();
    for f in FEATURED {
        r.push(token_set(&format!("{} {}", f.first, f.last)));
        for a in f.aliases {
            r.push(token_set(a));
        }
    }
    r.push(token_set("Khadija Touati"));
    r
}

fn collides(e: &Entity, reserved: &[Vec<String>]) -> bool {
    e.names().iter().any(|n| {
        let t = token_set(n.value);
        reserved.iter().any(|r| r.iter().all(|w| t.contains(w)))
    })
}

/// The built-in demo watchlist: [`DEMO_PERSONS`] fictitious persons and
/// [`DEMO_ORGANISATIONS`] fictitious organisations, the same on every call.
pub fn demo_watchlist() -> Vec<Entity> {
    let mut rng = Rng::new(DEMO_SEED);
    let reserved = reserved();
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(DEMO_PERSONS + DEMO_ORGANISATIONS);
    for (i, f) in FEATURED.iter().enumerate() {
        seen.insert(fold(f.name));
        out.push(featured_entity(i, f));
    }
    const REGIONS: [(Region, u32); 15] = [
        (Region::Algeria, 60),
        (Region::Tunisia, 48),
        (Region::Egypt, 48),
        (Region::Libya, 22),
        (Region::Morocco, 14),
        (Region::Sudan, 12),
        (Region::Syria, 12),
        (Region::Iraq, 10),
        (Region::SahelArab, 10),
        (Region::France, 14),
        (Region::SahelAfrican, 8),
        (Region::Turkey, 4),
        (Region::Caucasus, 4),
        (Region::WestEurope, 4),
        (Region::Iran, 3),
    ];
    let weights: Vec<u32> = REGIONS.iter().map(|r| r.1).collect();
    while out.len() < DEMO_PERSONS {
        let id = format!("demo-p-{:04}", out.len() + 1);
        let region = REGIONS[rng.weighted(&weights)].0;
        let mut drawn = person::person(&mut rng, id, region, Detail::Demo);
        let key = fold(&drawn.caption());
        if seen.contains(&key) || collides(&drawn, &reserved) {
            continue;
        }
        seen.insert(key);
        national_fields(&mut rng, &mut drawn);
        out.push(drawn);
    }
    let mut orgs = 0;
    while orgs < DEMO_ORGANISATIONS {
        let id = format!("demo-o-{:04}", orgs + 1);
        let mut e = person::organisation(&mut rng, id, Detail::Demo);
        let key = fold(&e.caption());
        if !seen.insert(key) {
            continue;
        }
        national_fields(&mut rng, &mut e);
        out.push(e);
        orgs += 1;
    }
    out
}
