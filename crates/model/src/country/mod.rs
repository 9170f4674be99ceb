//! Countries, read one way everywhere: [`parse`] is the one reading of a
//! country as an officer, a list, a manifest or a travel document writes
//! it (ISO 3166-1 alpha-2 or alpha-3, ICAO Doc 9303 codes such as `D` and
//! `XXA`, or an English name or demonym), converted to the lower-case ISO
//! 3166-1 alpha-2 codes the domain model uses (`nationality: ["dz"]`). The
//! CLI, the API, the CSV formats and the MRZ/PAXLST parsers all call it.
//!
//! Design decision: ICAO specials that name no state (stateless `XXA`,
//! refugees `XXB`/`XXC`, United Nations `UNO`/`UNA`, the specimen state
//! `UTO`, …) convert to no ISO code but keep their meaning, so a screening
//! report can say "stateless" instead of dropping the field.

use serde::Serialize;

mod names;

pub use names::{code, code_or_name, country_code, fold, name};

/// A country code as read from a document, with its ISO alpha-2 equivalent
/// when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Country {
    /// The code as written (fillers removed), e.g. `UTO`, `D`, `GBR`.
    pub code: String,
    /// ISO 3166-1 alpha-2, lower case (`gb`, `de`), when the code names a
    /// state or territory.
    pub iso2: Option<&'static str>,
    /// What an ICAO special code means (`D` Germany, `XXA` stateless person…).
    pub note: Option<&'static str>,
}

impl Country {
    /// Looks up an ICAO / ISO alpha-3 code (or ISO alpha-2, which CSV
    /// manifests sometimes carry). Case and surrounding `<` fillers are
    /// ignored. Unknown codes keep `iso2: None` and no note.
    pub fn from_code(raw: &str) -> Country {
        let code: String = raw
            .trim()
            .trim_matches('<')
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let (iso2, note) = match code.len() {
            2 => (
                ISO3_TO_ISO2
                    .iter()
                    .find(|(_, a2)| a2.eq_ignore_ascii_case(&code))
                    .map(|(_, a2)| *a2),
                None,
            ),
            _ => match special(&code) {
                Some((iso2, note)) => (iso2, Some(note)),
                None => (iso3_to_iso2(&code), None),
            },
        };
        Country { code, iso2, note }
    }
}

/// The one reading of a country: ISO alpha-2 (any case), ISO alpha-3 or
/// an ICAO code (`D`, `GBD`, `XXA`…; `<` fillers ignored), else an English
/// name or demonym ("Tunisia", "Tunisian", "Korea, North"). `None` when it
/// is none of these. A code that names no state (`XXA` stateless, `UNO`)
/// comes back with `iso2: None` and its `note`.
pub fn parse(value: &str) -> Option<Country> {
    let v = value.trim().trim_matches('<').trim();
    if v.is_empty() {
        return None;
    }
    if v.len() <= 3 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
        let c = Country::from_code(v);
        if c.iso2.is_some() || c.note.is_some() {
            return Some(c);
        }
    }
    country_code(v).map(|iso2| Country {
        code: v.to_string(),
        iso2: Some(iso2),
        note: None,
    })
}

/// ISO 3166-1 alpha-3 to lower-case alpha-2 (`"DZA"` -> `"dz"`). Only
/// current ISO codes; see [`Country::from_code`] for ICAO specials.
pub fn iso3_to_iso2(code: &str) -> Option<&'static str> {
    ISO3_TO_ISO2
        .binary_search_by(|(a3, _)| a3.cmp(&code))
        .ok()
        .map(|i| ISO3_TO_ISO2[i].1)
}

/// ISO alpha-2 (any case) to upper-case alpha-3, for writers.
pub fn iso2_to_iso3(code: &str) -> Option<&'static str> {
    ISO3_TO_ISO2
        .iter()
        .find(|(_, a2)| a2.eq_ignore_ascii_case(code))
        .map(|(a3, _)| *a3)
}

/// ICAO Doc 9303 Part 3 codes that are not ISO alpha-3 (plus withdrawn codes
/// still seen on old documents).
fn special(code: &str) -> Option<(Option<&'static str>, &'static str)> {
    Some(match code {
        "D" => (Some("de"), "Germany (ICAO code D)"),
        "GBD" => (Some("gb"), "British Overseas Territories citizen"),
        "GBN" => (Some("gb"), "British National (Overseas)"),
        "GBO" => (Some("gb"), "British Overseas citizen"),
        "GBP" => (Some("gb"), "British protected person"),
        "GBS" => (Some("gb"), "British subject"),
        "UNO" => (None, "United Nations organization official"),
        "UNA" => (None, "United Nations specialized agency official"),
        "UNK" => (Some("xk"), "resident of Kosovo (UNMIK document)"),
        "RKS" => (Some("xk"), "Kosovo"),
        "EUE" => (Some("eu"), "European Union (laissez-passer)"),
        "XXA" => (None, "stateless person"),
        "XXB" => (None, "refugee (1951 Convention)"),
        "XXC" => (None, "refugee (other than 1951 Convention)"),
        "XXX" => (None, "unspecified nationality"),
        "XOM" => (None, "Sovereign Military Order of Malta"),
        "XPO" => (None, "INTERPOL"),
        "XBA" => (None, "African Development Bank"),
        "XIM" => (None, "African Export-Import Bank"),
        "XCC" => (None, "Caribbean Community"),
        "XCO" => (None, "Common Market for Eastern and Southern Africa"),
        "XEC" => (None, "Economic Community of West African States"),
        "XES" => (None, "Organisation of Eastern Caribbean States"),
        "UTO" => (None, "Utopia (fictitious ICAO specimen state)"),
        "ROM" => (Some("ro"), "Romania (code withdrawn in 2002)"),
        "ZAR" => (Some("cd"), "Zaire (code withdrawn)"),
        "TMP" => (Some("tl"), "East Timor (code withdrawn)"),
        _ => return None,
    })
}

pub(crate) static ISO3_TO_ISO2: &[(&str, &str)] = &[
    ("ABW", "aw"),
    ("AFG", "af"),
    ("AGO", "ao"),
    ("AIA", "ai"),
    ("ALA", "ax"),
    ("ALB", "al"),
    ("AND", "ad"),
    ("ARE", "ae"),
    ("ARG", "ar"),
    ("ARM", "am"),
    ("ASM", "as"),
    ("ATA", "aq"),
    ("ATF", "tf"),
    ("ATG", "ag"),
    ("AUS", "au"),
    ("AUT", "at"),
    ("AZE", "az"),
    ("BDI", "bi"),
    ("BEL", "be"),
    ("BEN", "bj"),
    ("BES", "bq"),
    ("BFA", "bf"),
    ("BGD", "bd"),
    ("BGR", "bg"),
    ("BHR", "bh"),
    ("BHS", "bs"),
    ("BIH", "ba"),
    ("BLM", "bl"),
    ("BLR", "by"),
    ("BLZ", "bz"),
    ("BMU", "bm"),
    ("BOL", "bo"),
    ("BRA", "br"),
    ("BRB", "bb"),
    ("BRN", "bn"),
    ("BTN", "bt"),
    ("BVT", "bv"),
    ("BWA", "bw"),
    ("CAF", "cf"),
    ("CAN", "ca"),
    ("CCK", "cc"),
    ("CHE", "ch"),
    ("CHL", "cl"),
    ("CHN", "cn"),
    ("CIV", "ci"),
    ("CMR", "cm"),
    ("COD", "cd"),
    ("COG", "cg"),
    ("COK", "ck"),
    ("COL", "co"),
    ("COM", "km"),
    ("CPV", "cv"),
    ("CRI", "cr"),
    ("CUB", "cu"),
    ("CUW", "cw"),
    ("CXR", "cx"),
    ("CYM", "ky"),
    ("CYP", "cy"),
    ("CZE", "cz"),
    ("DEU", "de"),
    ("DJI", "dj"),
    ("DMA", "dm"),
    ("DNK", "dk"),
    ("DOM", "do"),
    ("DZA", "dz"),
    ("ECU", "ec"),
    ("EGY", "eg"),
    ("ERI", "er"),
    ("ESH", "eh"),
    ("ESP", "es"),
    ("EST", "ee"),
    ("ETH", "et"),
    ("FIN", "fi"),
    ("FJI", "fj"),
    ("FLK", "fk"),
    ("FRA", "fr"),
    ("FRO", "fo"),
    ("FSM", "fm"),
    ("GAB", "ga"),
    ("GBR", "gb"),
    ("GEO", "ge"),
    ("GGY", "gg"),
    ("GHA", "gh"),
    ("GIB", "gi"),
    ("GIN", "gn"),
    ("GLP", "gp"),
    ("GMB", "gm"),
    ("GNB", "gw"),
    ("GNQ", "gq"),
    ("GRC", "gr"),
    ("GRD", "gd"),
    ("GRL", "gl"),
    ("GTM", "gt"),
    ("GUF", "gf"),
    ("GUM", "gu"),
    ("GUY", "gy"),
    ("HKG", "hk"),
    ("HMD", "hm"),
    ("HND", "hn"),
    ("HRV", "hr"),
    ("HTI", "ht"),
    ("HUN", "hu"),
    ("IDN", "id"),
    ("IMN", "im"),
    ("IND", "in"),
    ("IOT", "io"),
    ("IRL", "ie"),
    ("IRN", "ir"),
    ("IRQ", "iq"),
    ("ISL", "is"),
    ("ISR", "il"),
    ("ITA", "it"),
    ("JAM", "jm"),
    ("JEY", "je"),
    ("JOR", "jo"),
    ("JPN", "jp"),
    ("KAZ", "kz"),
    ("KEN", "ke"),
    ("KGZ", "kg"),
    ("KHM", "kh"),
    ("KIR", "ki"),
    ("KNA", "kn"),
    ("KOR", "kr"),
    ("KWT", "kw"),
    ("LAO", "la"),
    ("LBN", "lb"),
    ("LBR", "lr"),
    ("LBY", "ly"),
    ("LCA", "lc"),
    ("LIE", "li"),
    ("LKA", "lk"),
    ("LSO", "ls"),
    ("LTU", "lt"),
    ("LUX", "lu"),
    ("LVA", "lv"),
    ("MAC", "mo"),
    ("MAF", "mf"),
    ("MAR", "ma"),
    ("MCO", "mc"),
    ("MDA", "md"),
    ("MDG", "mg"),
    ("MDV", "mv"),
    ("MEX", "mx"),
    ("MHL", "mh"),
    ("MKD", "mk"),
    ("MLI", "ml"),
    ("MLT", "mt"),
    ("MMR", "mm"),
    ("MNE", "me"),
    ("MNG", "mn"),
    ("MNP", "mp"),
    ("MOZ", "mz"),
    ("MRT", "mr"),
    ("MSR", "ms"),
    ("MTQ", "mq"),
    ("MUS", "mu"),
    ("MWI", "mw"),
    ("MYS", "my"),
    ("MYT", "yt"),
    ("NAM", "na"),
    ("NCL", "nc"),
    ("NER", "ne"),
    ("NFK", "nf"),
    ("NGA", "ng"),
    ("NIC", "ni"),
    ("NIU", "nu"),
    ("NLD", "nl"),
    ("NOR", "no"),
    ("NPL", "np"),
    ("NRU", "nr"),
    ("NZL", "nz"),
    ("OMN", "om"),
    ("PAK", "pk"),
    ("PAN", "pa"),
    ("PCN", "pn"),
    ("PER", "pe"),
    ("PHL", "ph"),
    ("PLW", "pw"),
    ("PNG", "pg"),
    ("POL", "pl"),
    ("PRI", "pr"),
    ("PRK", "kp"),
    ("PRT", "pt"),
    ("PRY", "py"),
    ("PSE", "ps"),
    ("PYF", "pf"),
    ("QAT", "qa"),
    ("REU", "re"),
    ("ROU", "ro"),
    ("RUS", "ru"),
    ("RWA", "rw"),
    ("SAU", "sa"),
    ("SDN", "sd"),
    ("SEN", "sn"),
    ("SGP", "sg"),
    ("SGS", "gs"),
    ("SHN", "sh"),
    ("SJM", "sj"),
    ("SLB", "sb"),
    ("SLE", "sl"),
    ("SLV", "sv"),
    ("SMR", "sm"),
    ("SOM", "so"),
    ("SPM", "pm"),
    ("SRB", "rs"),
    ("SSD", "ss"),
    ("STP", "st"),
    ("SUR", "sr"),
    ("SVK", "sk"),
    ("SVN", "si"),
    ("SWE", "se"),
    ("SWZ", "sz"),
    ("SXM", "sx"),
    ("SYC", "sc"),
    ("SYR", "sy"),
    ("TCA", "tc"),
    ("TCD", "td"),
    ("TGO", "tg"),
    ("THA", "th"),
    ("TJK", "tj"),
    ("TKL", "tk"),
    ("TKM", "tm"),
    ("TLS", "tl"),
    ("TON", "to"),
    ("TTO", "tt"),
    ("TUN", "tn"),
    ("TUR", "tr"),
    ("TUV", "tv"),
    ("TWN", "tw"),
    ("TZA", "tz"),
    ("UGA", "ug"),
    ("UKR", "ua"),
    ("UMI", "um"),
    ("URY", "uy"),
    ("USA", "us"),
    ("UZB", "uz"),
    ("VAT", "va"),
    ("VCT", "vc"),
    ("VEN", "ve"),
    ("VGB", "vg"),
    ("VIR", "vi"),
    ("VNM", "vn"),
    ("VUT", "vu"),
    ("WLF", "wf"),
    ("WSM", "ws"),
    ("YEM", "ye"),
    ("ZAF", "za"),
    ("ZMB", "zm"),
    ("ZWE", "zw"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_complete() {
        assert_eq!(ISO3_TO_ISO2.len(), 249);
        assert!(ISO3_TO_ISO2.windows(2).all(|w| w[0].0 < w[1].0));
        let mut a2: Vec<_> = ISO3_TO_ISO2.iter().map(|p| p.1).collect();
        a2.sort_unstable();
        a2.dedup();
        assert_eq!(a2.len(), 249);
    }

    #[test]
    fn icao_codes() {
        let c = |s: &str| Country::from_code(s);
        assert_eq!(c("DZA").iso2, Some("dz"));
        assert_eq!(c("D<<").iso2, Some("de"));
        assert_eq!(c("D<<").code, "D");
        assert_eq!(c("GBD").iso2, Some("gb"));
        assert_eq!(c("XXA").iso2, None);
        assert_eq!(c("XXA").note, Some("stateless person"));
        assert_eq!(c("UTO").iso2, None);
        assert_eq!(c("gb").iso2, Some("gb"));
        assert_eq!(
            c("QQQ"),
            Country {
                code: "QQQ".into(),
                iso2: None,
                note: None
            }
        );
        assert_eq!(iso2_to_iso3("FR"), Some("FRA"));
    }

    #[test]
    fn one_reading_of_codes_and_names() {
        let iso = |s: &str| parse(s).and_then(|c| c.iso2);
        for v in ["tn", "TN", "TUN", "tun", " Tunisia ", "Tunisian", "TUN<<"] {
            assert_eq!(iso(v), Some("tn"), "{v}");
        }
        assert_eq!(iso("D"), Some("de"));
        assert_eq!(iso("Germany"), Some("de"));
        assert_eq!(iso("UK"), Some("gb"));
        let stateless = parse("XXA").unwrap();
        assert_eq!(
            (stateless.iso2, stateless.note),
            (None, Some("stateless person"))
        );
        assert_eq!(parse("QQQ"), None);
        assert_eq!(parse("Atlantis"), None);
        assert_eq!(parse(""), None);
    }
}
