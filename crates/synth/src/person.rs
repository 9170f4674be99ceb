//! Building fictitious persons and organisations from the tables: name
//! structure by region, renderings in each convention, dates, places,
//! documents.

use tansiq_model::{Entity, Schema, prop};

use crate::derived;
use crate::rng::Rng;
use crate::tables::{self, Convention, LatinPart, OrgWord, Part};

/// Where a person's name comes from; decides the name structure, the
/// usual Latin convention of their documents and their nationality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Algeria,
    Tunisia,
    Morocco,
    Libya,
    Egypt,
    Sudan,
    Syria,
    Iraq,
    /// Mauritanian / Malian / Nigerien Arabs (`Ould`, `Mint`).
    SahelArab,
    /// Persian names written in Arabic script with Persian letters.
    Iran,
    France,
    WestEurope,
    Turkey,
    Caucasus,
    /// Fulani, Songhai, Hausa, Bambara names (Latin only).
    SahelAfrican,
}

impl Region {
    /// Arab-script regions (the ~60% share of the benchmark mix).
    pub const ARAB: [Region; 9] = [
        Region::Algeria,
        Region::Tunisia,
        Region::Morocco,
        Region::Libya,
        Region::Egypt,
        Region::Sudan,
        Region::Syria,
        Region::Iraq,
        Region::SahelArab,
    ];

    /// The Latin convention the region's own documents mostly use.
    pub fn convention(self) -> Convention {
        match self {
            Region::Algeria | Region::Tunisia | Region::Morocco | Region::SahelArab => {
                Convention::French
            }
            Region::Egypt | Region::Sudan => Convention::Egyptian,
            _ => Convention::English,
        }
    }

    fn nationality(self, rng: &mut Rng) -> &'static str {
        match self {
            Region::Algeria => "dz",
            Region::Tunisia => "tn",
            Region::Morocco => "ma",
            Region::Libya => "ly",
            Region::Egypt => "eg",
            Region::Sudan => "sd",
            Region::Syria => "sy",
            Region::Iraq => "iq",
            Region::SahelArab => rng.pick_str(&["mr", "ml", "ne"]),
            Region::Iran => "ir",
            Region::France => rng.pick_str(&["fr", "fr", "fr", "be"]),
            Region::WestEurope => rng.pick_str(&["es", "it", "de", "gb"]),
            Region::Turkey => "tr",
            Region::Caucasus => "ru",
            Region::SahelAfrican => rng.pick_str(&["ml", "ne"]),
        }
    }

    /// A family name: the region's table, or (Maghreb, Iran) a name made by
    /// the region's own rule (Ben + given name, given name + zadeh).
    fn family(self, rng: &mut Rng) -> &'static Part {
        let derived: &'static [Part] = match self {
            Region::Algeria | Region::Morocco if rng.chance(30) => &derived::BEN_FAMILY,
            Region::Algeria if rng.chance(25) => &derived::AIT_FAMILY,
            Region::Tunisia if rng.chance(20) => &derived::BEN_FAMILY,
            Region::Iran if rng.chance(50) => &derived::PERSIAN_DERIVED,
            _ => self.family_table(),
        };
        rng.pick(derived)
    }

    fn family_table(self) -> &'static [Part] {
        match self {
            Region::Algeria => tables::FAMILY_DZ,
            Region::Tunisia => tables::FAMILY_TN,
            Region::Morocco => tables::FAMILY_MA,
            Region::Libya => tables::FAMILY_LY,
            Region::Egypt => tables::FAMILY_EG,
            Region::Sudan => tables::FAMILY_SD,
            Region::Syria | Region::Iraq => tables::FAMILY_LEVANT,
            Region::SahelArab => tables::FAMILY_SAHEL,
            Region::Iran => tables::PERSIAN_FAMILY,
            _ => &[],
        }
    }
}

/// A particle between the parts of an Arabic name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Particle {
    /// بن: son of.
    Bin,
    /// بنت: daughter of.
    Bint,
    /// ولد: son of (Hassaniya).
    Ould,
    /// منت: daughter of (Hassaniya).
    Mint,
}

impl Particle {
    fn ar(self) -> &'static str {
        match self {
            Particle::Bin => "بن",
            Particle::Bint => "بنت",
            Particle::Ould => "ولد",
            Particle::Mint => "منت",
        }
    }

    fn latin(self, c: Convention) -> &'static str {
        match (self, c) {
            (Particle::Bin, Convention::English) => "bin",
            (Particle::Bin, Convention::French) => "Ben",
            (Particle::Bin, Convention::Egyptian) => "Bin",
            (Particle::Bint, Convention::English) => "bint",
            (Particle::Bint, Convention::French) => "Bent",
            (Particle::Bint, Convention::Egyptian) => "Bint",
            (Particle::Ould, _) => "Ould",
            (Particle::Mint, _) => "Mint",
        }
    }
}

/// One token of a structured Arabic name.
#[derive(Clone, Copy, Debug)]
pub enum Tok {
    Part(&'static Part),
    Particle(Particle),
}

/// A structured Arabic-script name: given name, nasab chain, family name.
#[derive(Clone, Debug)]
pub struct ArabName {
    pub tokens: Vec<Tok>,
    /// Index of the given name and of the family (or last) name in `tokens`.
    pub given: &'static Part,
    pub last: &'static Part,
    /// The father's name when the structure names it.
    pub father: Option<&'static Part>,
}

impl ArabName {
    /// The full name in one convention.
    pub fn latin(&self, c: Convention) -> String {
        self.render(|t| match t {
            Tok::Part(p) => p.latin(c),
            Tok::Particle(k) => k.latin(c),
        })
    }

    /// The full name in Arabic script.
    pub fn arabic(&self) -> String {
        self.render(|t| match t {
            Tok::Part(p) => p.ar,
            Tok::Particle(k) => k.ar(),
        })
    }

    /// The name with each part spelled by a randomly chosen convention or
    /// attested variant (conventions mix inside one document).
    pub fn mixed(&self, rng: &mut Rng, base: Convention) -> String {
        let mut out = String::new();
        for t in &self.tokens {
            let s = match t {
                Tok::Part(p) => {
                    if !p.alt.is_empty() && rng.chance(50) {
                        rng.pick(p.alt)
                    } else {
                        p.latin(*rng.pick(&Convention::ALL))
                    }
                }
                Tok::Particle(k) => k.latin(base),
            };
            push_word(&mut out, s);
        }
        out
    }

    /// Given name and family (last) name only, in one convention.
    pub fn short(&self, c: Convention) -> String {
        format!("{} {}", self.given.latin(c), self.last.latin(c))
    }

    fn render(&self, f: impl Fn(&Tok) -> &'static str) -> String {
        let mut out = String::new();
        for t in &self.tokens {
            push_word(&mut out, f(t));
        }
        out
    }
}

fn push_word(out: &mut String, w: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(w);
}

fn male_given(rng: &mut Rng, region: Region) -> &'static Part {
    if region == Region::Iran {
        return if rng.chance(35) {
            rng.pick(&derived::PERSIAN_COMPOUND)
        } else {
            rng.pick(tables::PERSIAN_MALE)
        };
    }
    match rng.weighted(&[66, 20, 14]) {
        // Babiker (the last entry) is a Sudanese name.
        0 if matches!(region, Region::Sudan) => rng.pick(tables::MALE),
        0 => &tables::MALE[rng.below(tables::MALE.len() - 1)],
        1 => rng.pick(tables::ABD),
        _ => {
            // The Maghreb double given names (the last four) only in the Maghreb.
            let maghreb = matches!(region, Region::Algeria | Region::Tunisia | Region::Morocco);
            let n = if maghreb {
                tables::DIN.len()
            } else {
                tables::DIN.len() - 4
            };
            &tables::DIN[rng.below(n)]
        }
    }
}

fn father_name(rng: &mut Rng) -> &'static Part {
    if rng.chance(72) {
        rng.pick(tables::MALE)
    } else {
        rng.pick(tables::ABD)
    }
}

/// Draws a structured Arabic-script name for an Arab-script region.
pub fn arab_name(rng: &mut Rng, region: Region, female: bool) -> ArabName {
    let given: &'static Part = if female {
        if region == Region::Iran {
            rng.pick(tables::PERSIAN_FEMALE)
        } else {
            rng.pick(tables::FEMALE)
        }
    } else {
        male_given(rng, region)
    };
    let mut tokens = vec![Tok::Part(given)];
    let mut father = None;
    let bin = if female {
        Particle::Bint
    } else {
        Particle::Bin
    };
    let family: Option<&'static Part> = match region {
        Region::Algeria | Region::Morocco => {
            if rng.chance(30) {
                let f = father_name(rng);
                father = Some(f);
                tokens.push(Tok::Particle(bin));
                tokens.push(Tok::Part(f));
            }
            Some(region.family(rng))
        }
        Region::Tunisia => {
            if rng.chance(55) {
                let f = father_name(rng);
                father = Some(f);
                tokens.push(Tok::Particle(bin));
                tokens.push(Tok::Part(f));
            }
            Some(region.family(rng))
        }
        Region::Libya | Region::Syria | Region::Iraq => {
            let f = father_name(rng);
            father = Some(f);
            tokens.push(Tok::Part(f));
            if rng.chance(35) {
                tokens.push(Tok::Part(father_name(rng)));
            }
            Some(region.family(rng))
        }
        Region::Egypt | Region::Sudan => {
            let f = father_name(rng);
            father = Some(f);
            tokens.push(Tok::Part(f));
            if rng.chance(50) {
                Some(region.family(rng))
            } else {
                tokens.push(Tok::Part(father_name(rng)));
                None
            }
        }
        Region::SahelArab => {
            // Hassaniya: X Ould (father) [Ould (grandfather)], the last link
            // often a lineage name.
            let ould = if female {
                Particle::Mint
            } else {
                Particle::Ould
            };
            tokens.push(Tok::Particle(ould));
            let f = father_name(rng);
            father = Some(f);
            tokens.push(Tok::Part(f));
            if rng.chance(45) {
                tokens.push(Tok::Particle(Particle::Ould));
                Some(region.family(rng))
            } else {
                None
            }
        }
        Region::Iran => Some(region.family(rng)),
        _ => unreachable!("arab_name for a Latin-script region"),
    };
    if let Some(f) = family {
        tokens.push(Tok::Part(f));
    }
    let last = match tokens.last() {
        Some(Tok::Part(p)) => p,
        _ => given,
    };
    ArabName {
        tokens,
        given,
        last,
        father,
    }
}

/// A Latin-script name: given name, an optional middle name (a second
/// given name, a Russian patronymic, a Spanish second surname) and family
/// name.
#[derive(Clone, Copy, Debug)]
pub struct LatinName {
    pub given: &'static LatinPart,
    pub middle: Option<&'static LatinPart>,
    pub family: &'static LatinPart,
}

impl LatinName {
    fn parts(&self) -> impl Iterator<Item = &'static LatinPart> {
        [Some(self.given), self.middle, Some(self.family)]
            .into_iter()
            .flatten()
    }

    pub fn primary(&self) -> String {
        self.parts().map(|p| p.latin).collect::<Vec<_>>().join(" ")
    }

    /// Surname first, upper-cased surname (as many lists print it).
    pub fn surname_first(&self) -> String {
        let mut s = self.family.latin.to_uppercase();
        for p in [Some(self.given), self.middle].into_iter().flatten() {
            s.push(' ');
            s.push_str(p.latin);
        }
        s
    }

    /// An accent-free or variant spelling, when there is one.
    pub fn variant(&self, rng: &mut Rng) -> Option<String> {
        let v = self
            .parts()
            .map(|p| {
                if p.alt.is_empty() {
                    p.latin
                } else {
                    rng.pick(p.alt)
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        (v != self.primary()).then_some(v)
    }

    /// The name in its original script (Cyrillic), when every part has one.
    pub fn script(&self) -> Option<String> {
        let parts: Option<Vec<&str>> = self.parts().map(|p| p.script).collect();
        Some(parts?.join(" "))
    }
}

/// Draws a Latin-script name for a non-Arab region.
pub fn latin_name(rng: &mut Rng, region: Region, female: bool) -> LatinName {
    let by_sex = |m: &'static [LatinPart], f: &'static [LatinPart]| if female { f } else { m };
    let (given, middle_pool, middle_chance, family): (
        &'static [LatinPart],
        &'static [LatinPart],
        u32,
        &'static [LatinPart],
    ) = match region {
        Region::France => {
            let g = by_sex(tables::FR_GIVEN_M, tables::FR_GIVEN_F);
            (g, g, 60, tables::FR_FAMILY)
        }
        // Spanish-style second surname.
        Region::WestEurope => (tables::ES_GIVEN, tables::ES_FAMILY, 45, tables::ES_FAMILY),
        Region::Turkey => {
            let g = by_sex(tables::TR_GIVEN, tables::TR_GIVEN_F);
            let f: &'static [LatinPart] = if rng.chance(25) {
                tables::TR_FAMILY
            } else {
                &derived::TR_SURNAMES
            };
            (g, g, 50, f)
        }
        Region::Caucasus => {
            let sex = usize::from(female);
            let g = by_sex(tables::CAUCASUS_GIVEN, tables::CAUCASUS_GIVEN_F);
            let f: &'static [LatinPart] = if rng.chance(25) && !female {
                tables::CAUCASUS_FAMILY
            } else {
                &derived::CAUCASUS_SURNAMES[sex]
            };
            (g, &derived::CAUCASUS_PATRONYMICS[sex], 85, f)
        }
        _ => {
            let g = by_sex(tables::SAHEL_GIVEN_M, tables::SAHEL_GIVEN_F);
            (g, g, 70, tables::SAHEL_FAMILY)
        }
    };
    let given = rng.pick(given);
    let family = rng.pick(family);
    let middle = if rng.chance(middle_chance) {
        Some(rng.pick(middle_pool)).filter(|m| m.latin != given.latin && m.latin != family.latin)
    } else {
        None
    };
    LatinName {
        given,
        middle,
        family,
    }
}

/// A kunya (Abu X / Umm X) in a convention, with its Arabic form.
pub fn kunya(rng: &mut Rng, female: bool, c: Convention) -> (String, String) {
    let son = rng.pick(&tables::MALE[..60]);
    let (ar, lat) = match (female, c) {
        (true, Convention::French) => ("أم", "Oum"),
        (true, _) => ("أم", "Umm"),
        (false, Convention::French) => ("أبو", "Abou"),
        (false, _) => ("أبو", "Abu"),
    };
    (
        format!("{lat} {}", son.latin(c)),
        format!("{ar} {}", son.ar),
    )
}

/// Birth dates: full, year-only, a range of years, or none.
pub fn birth_dates(rng: &mut Rng, weights: [u32; 4], years: (u32, u32)) -> Vec<String> {
    let year = rng.range(years.0, years.1);
    match rng.weighted(&weights) {
        0 => {
            let month = rng.range(1, 12);
            let day = rng.range(1, if month == 2 { 28 } else { 30 });
            vec![format!("{year:04}-{month:02}-{day:02}")]
        }
        1 => vec![year.to_string()],
        2 => {
            let span = rng.range(2, 3);
            (year..year + span).map(|y| y.to_string()).collect()
        }
        _ => Vec::new(),
    }
}

/// A birth place "Town, Country" for a nationality (any town when the
/// nationality has none in the table).
pub fn birth_place(rng: &mut Rng, nationality: &str) -> String {
    let (cc, towns) = tables::PLACES
        .iter()
        .find(|(cc, _)| *cc == nationality)
        .copied()
        .unwrap_or_else(|| *rng.pick(tables::PLACES));
    format!("{}, {}", rng.pick(towns), tables::country_name(cc))
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn letters(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'A' + rng.below(26) as u8))
        .collect()
}

/// An invented passport number in a plausible national shape.
pub fn passport_number(rng: &mut Rng, nationality: &str) -> String {
    match nationality {
        "dz" => digits(rng, 9),
        "tn" => format!("{}{}", letters(rng, 1), digits(rng, 6)),
        "eg" | "iq" => format!("A{}", digits(rng, 8)),
        "ma" => format!("{}{}", letters(rng, 2), digits(rng, 7)),
        "sd" => format!("P{}", digits(rng, 8)),
        "sy" => format!("N{}", digits(rng, 9)),
        "fr" => format!("{}{}{}", digits(rng, 2), letters(rng, 2), digits(rng, 5)),
        _ => format!("{}{}", letters(rng, 2), digits(rng, 7)),
    }
}

/// An invented national ID number.
pub fn id_number(rng: &mut Rng, nationality: &str) -> String {
    match nationality {
        "dz" => digits(rng, 18),
        "tn" => digits(rng, 8),
        "eg" => digits(rng, 14),
        _ => digits(rng, 10),
    }
}

/// Adds an alias unless it is blank, already an alias, or the primary name.
fn add_alias(e: &mut Entity, value: impl AsRef<str>) {
    if !e.get(prop::NAME).iter().any(|n| n == value.as_ref().trim()) {
        e.add(prop::ALIAS, value);
    }
}

/// How much detail to put on a generated entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// The demo: every field a national entry carries, name parts included.
    Demo,
    /// The benchmark: names and the screening evidence only (memory).
    Bench,
}

/// Draws a person of `region` into a new entity `id`.
pub fn person(rng: &mut Rng, id: String, region: Region, detail: Detail) -> Entity {
    let mut e = Entity::new(id, Schema::Person);
    let female = rng.chance(if region == Region::SahelAfrican {
        15
    } else {
        12
    });
    let nationality = region.nationality(rng);
    let c = region.convention();
    let demo = detail == Detail::Demo;
    if Region::ARAB.contains(&region) || region == Region::Iran {
        let n = arab_name(rng, region, female);
        e.add(prop::NAME, n.latin(c));
        if !demo || rng.chance(88) {
            add_alias(&mut e, n.arabic());
        }
        let extra = if demo {
            rng.range(1, 3)
        } else {
            rng.weighted(&[25, 40, 35]) as u32
        };
        let mut others: Vec<Convention> = Convention::ALL.into_iter().filter(|o| *o != c).collect();
        if rng.chance(50) {
            others.reverse();
        }
        for k in 0..extra as usize {
            match others.get(k) {
                Some(o) if rng.chance(70) => add_alias(&mut e, n.latin(*o)),
                _ => add_alias(&mut e, n.mixed(rng, c)),
            };
        }
        if demo && n.tokens.len() > 2 && rng.chance(30) {
            add_alias(&mut e, n.short(c));
        }
        if rng.chance(if demo { 35 } else { 12 }) {
            let (k, k_ar) = kunya(rng, female, c);
            if rng.chance(35) {
                let nisba = rng.pick(tables::NISBA);
                e.add(prop::WEAK_ALIAS, format!("{k} {}", nisba.latin(c)));
                if demo && rng.chance(50) {
                    e.add(prop::WEAK_ALIAS, format!("{k_ar} {}", nisba.ar));
                }
            } else {
                e.add(prop::WEAK_ALIAS, k);
            }
        }
        if demo {
            e.add(prop::FIRST_NAME, n.given.latin(c));
            if let Some(f) = n.father {
                e.add(prop::FATHER_NAME, f.latin(c));
            }
            e.add(prop::LAST_NAME, n.last.latin(c));
        }
    } else {
        let n = latin_name(rng, region, female);
        e.add(prop::NAME, n.primary());
        if let Some(s) = n.script() {
            add_alias(&mut e, s);
        }
        if let Some(v) = n.variant(rng) {
            add_alias(&mut e, v);
        }
        if rng.chance(if demo { 50 } else { 30 }) {
            add_alias(&mut e, n.surname_first());
        }
        // Converts and foreign fighters often carry a kunya nom de guerre.
        if rng.chance(if demo { 45 } else { 15 }) {
            let (k, _) = kunya(rng, female, Convention::French);
            if rng.chance(50) && region == Region::France {
                e.add(
                    prop::WEAK_ALIAS,
                    format!("{k} {}", tables::NISBA_FARANSI.fr),
                );
            } else {
                e.add(prop::WEAK_ALIAS, k);
            }
        }
        if demo {
            e.add(prop::FIRST_NAME, n.given.latin);
            if let Some(m) = n.middle {
                e.add(prop::MIDDLE_NAME, m.latin);
            }
            e.add(prop::LAST_NAME, n.family.latin);
        }
    }
    let dob_weights = if demo {
        [60, 20, 10, 10]
    } else {
        [55, 25, 8, 12]
    };
    for d in birth_dates(rng, dob_weights, (1958, 2004)) {
        e.add(prop::BIRTH_DATE, d);
    }
    e.add(prop::NATIONALITY, nationality);
    if rng.chance(if demo { 8 } else { 4 }) {
        // A second nationality, most often French for North Africans.
        e.add(
            prop::NATIONALITY,
            rng.pick_str(&["fr", "fr", "be", "tr", "ly"]),
        );
    }
    e.add(prop::GENDER, if female { "female" } else { "male" });
    if (demo && rng.chance(70)) || (!demo && rng.chance(30)) {
        e.add(prop::BIRTH_PLACE, birth_place(rng, nationality));
    }
    if rng.chance(if demo { 40 } else { 20 }) {
        e.add(prop::PASSPORT_NUMBER, passport_number(rng, nationality));
    }
    if rng.chance(if demo { 25 } else { 8 }) {
        e.add(prop::ID_NUMBER, id_number(rng, nationality));
    }
    e
}

/// The shape of an organisation name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OrgPattern {
    Trading,
    Jamaat,
    Brigades,
    Foundation,
    Front,
    Movement,
    Ansar,
    LatinCompany,
}

/// Draws an organisation into a new entity `id`.
pub fn organisation(rng: &mut Rng, id: String, detail: Detail) -> Entity {
    let demo = detail == Detail::Demo;
    let pattern = [
        OrgPattern::Trading,
        OrgPattern::Jamaat,
        OrgPattern::Brigades,
        OrgPattern::Foundation,
        OrgPattern::Front,
        OrgPattern::Movement,
        OrgPattern::Ansar,
        OrgPattern::LatinCompany,
    ][rng.weighted(&[16, 12, 12, 14, 8, 8, 8, 22])];
    let schema = if matches!(pattern, OrgPattern::Trading | OrgPattern::LatinCompany) {
        Schema::Company
    } else {
        Schema::Organization
    };
    let mut e = Entity::new(id, schema);
    let w: &OrgWord = rng.pick(tables::ORG_WORDS);
    let (en, fr, eg) = (w.part.en, w.part.fr, w.part.eg);
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    let (name, aliases): (String, Vec<String>) = match pattern {
        OrgPattern::Trading => (
            format!("{} Trading Company", cap(en)),
            vec![
                format!("شركة {} للتجارة", w.part.ar),
                format!("Sharikat {en} lil-Tijara"),
                format!("Société {fr} de Commerce"),
                format!("{} Trading Co.", cap(eg)),
            ],
        ),
        OrgPattern::Jamaat => (
            format!("Jama'at {en}"),
            vec![
                format!("جماعة {}", w.part.ar),
                format!("Djamaat {fr}"),
                format!("Gamaat {eg}"),
                format!("{} Group", w.gloss_en),
                format!("Groupe {}", w.gloss_fr),
            ],
        ),
        OrgPattern::Brigades => (
            format!("{} Brigades", w.gloss_en),
            vec![
                format!("كتائب {}", w.part.ar),
                format!("Kata'ib {en}"),
                format!("Katibat {fr}"),
                format!("Brigades {}", w.gloss_fr),
            ],
        ),
        OrgPattern::Foundation => (
            format!("{} Charitable Foundation", cap(en)),
            vec![
                format!("مؤسسة {} الخيرية", w.part.ar),
                format!("Mu'assasat {en} al-Khayriya"),
                format!("Fondation caritative {fr}"),
                format!("{} Charity Foundation", cap(eg)),
            ],
        ),
        OrgPattern::Front => (
            format!("{} Front", w.gloss_en),
            vec![
                format!("جبهة {}", w.part.ar),
                format!("Jabhat {en}"),
                format!("Front {}", w.gloss_fr),
            ],
        ),
        OrgPattern::Movement => (
            format!("{} Movement", w.gloss_en),
            vec![
                format!("حركة {}", w.part.ar),
                format!("Harakat {en}"),
                format!("Mouvement {}", w.gloss_fr),
            ],
        ),
        OrgPattern::Ansar => (
            format!("Ansar {en}"),
            vec![
                format!("أنصار {}", w.part.ar),
                format!("Ansar {fr}"),
                format!("Supporters of the {}", w.gloss_en),
            ],
        ),
        OrgPattern::LatinCompany => {
            let place = rng.pick(tables::PLACE_WORDS);
            let suffix = rng.pick(&[
                "Logistics SARL",
                "Import Export",
                "Maritime Ltd",
                "Transit Services",
                "Freight EURL",
                "Bureau de Change",
                "Travel Agency",
                "General Trading LLC",
            ]);
            let name = format!("{place} {suffix}");
            let mut aliases = vec![name.to_uppercase()];
            if rng.chance(50) {
                aliases.push(format!("Ets {place}"));
            }
            (name, aliases)
        }
    };
    e.add(prop::NAME, &name);
    // Keep the Arabic-script alias, then a random subset of the others.
    let keep = if demo {
        aliases.len()
    } else {
        rng.range(1, 3) as usize
    };
    for (i, a) in aliases.iter().enumerate() {
        if i == 0 || i < keep || (demo && rng.chance(50)) {
            add_alias(&mut e, a);
        }
    }
    if pattern != OrgPattern::LatinCompany && rng.chance(if demo { 30 } else { 10 }) {
        let acronym: String = name
            .split_whitespace()
            .filter_map(|t| t.chars().next())
            .filter(|c| c.is_ascii_uppercase())
            .collect();
        // Two-letter acronyms would match half the world; keep three and more.
        if acronym.len() >= 3 {
            e.add(prop::WEAK_ALIAS, acronym);
        }
    }
    let country = rng.pick_str(&["dz", "tn", "ly", "eg", "ml", "ne", "sy", "iq", "sd", "tr"]);
    e.add(prop::COUNTRY, country);
    if schema == Schema::Company && rng.chance(if demo { 60 } else { 25 }) {
        e.add(
            prop::REGISTRATION_NUMBER,
            format!(
                "{}-{}-{}",
                country.to_uppercase(),
                rng.range(1995, 2025),
                digits(rng, 6)
            ),
        );
    }
    e
}

/// Draws the region of a benchmark person: ~70% Arab-script (≈60% of all
/// entities), ~30% other.
pub fn bench_region(rng: &mut Rng) -> Region {
    const W: [u32; 15] = [
        14, 11, 5, 7, 12, 5, 7, 6, 3, // Arab: dz tn ma ly eg sd sy iq sahel-arab
        3, 8, 5, 4, 4, 6, // other: ir fr west-europe tr caucasus sahel-african
    ];
    let all = [
        Region::Algeria,
        Region::Tunisia,
        Region::Morocco,
        Region::Libya,
        Region::Egypt,
        Region::Sudan,
        Region::Syria,
        Region::Iraq,
        Region::SahelArab,
        Region::Iran,
        Region::France,
        Region::WestEurope,
        Region::Turkey,
        Region::Caucasus,
        Region::SahelAfrican,
    ];
    all[rng.weighted(&W)]
}
