//! Country names as lists and people write them -> ISO 3166-1 alpha-2, lower case
//! (FollowTheMoney's convention).
//!
//! The table holds the ISO short names, the UN's formal names ("Iran
//! (Islamic Republic of)", "Democratic People's Republic of Korea"), OFAC's
//! comma forms ("Korea, North") and common English variants. Names are
//! compared after folding: lower case, accents dropped, punctuation to
//! spaces, a leading "the" dropped. States that no longer exist (Soviet
//! Union, Yugoslavia) are deliberately absent: the caller reports them as
//! unmapped rather than guess a successor state.

use std::collections::HashMap;
use std::sync::OnceLock;

/// (ISO code, names). The first name is the English short name.
const TABLE: &[(&str, &[&str])] = &[
    ("af", &["Afghanistan"]),
    ("ax", &["Aland Islands", "Åland Islands"]),
    ("al", &["Albania"]),
    ("dz", &["Algeria"]),
    ("as", &["American Samoa"]),
    ("ad", &["Andorra"]),
    ("ao", &["Angola"]),
    ("ai", &["Anguilla"]),
    ("aq", &["Antarctica"]),
    ("ag", &["Antigua and Barbuda"]),
    ("ar", &["Argentina"]),
    ("am", &["Armenia"]),
    ("aw", &["Aruba"]),
    ("au", &["Australia"]),
    ("at", &["Austria"]),
    ("az", &["Azerbaijan"]),
    ("bs", &["Bahamas", "The Bahamas", "Bahamas, The"]),
    ("bh", &["Bahrain"]),
    ("bd", &["Bangladesh"]),
    ("bb", &["Barbados"]),
    ("by", &["Belarus", "Byelorussia"]),
    ("be", &["Belgium"]),
    ("bz", &["Belize"]),
    ("bj", &["Benin"]),
    ("bm", &["Bermuda"]),
    ("bt", &["Bhutan"]),
    (
        "bo",
        &[
            "Bolivia",
            "Bolivia (Plurinational State of)",
            "Plurinational State of Bolivia",
        ],
    ),
    (
        "bq",
        &["Bonaire, Sint Eustatius and Saba", "Caribbean Netherlands"],
    ),
    (
        "ba",
        &["Bosnia and Herzegovina", "Bosnia-Herzegovina", "Bosnia"],
    ),
    ("bw", &["Botswana"]),
    ("bv", &["Bouvet Island"]),
    ("br", &["Brazil"]),
    ("io", &["British Indian Ocean Territory"]),
    (
        "vg",
        &[
            "British Virgin Islands",
            "Virgin Islands, British",
            "Virgin Islands (British)",
        ],
    ),
    ("bn", &["Brunei", "Brunei Darussalam"]),
    ("bg", &["Bulgaria"]),
    ("bf", &["Burkina Faso"]),
    ("bi", &["Burundi"]),
    ("cv", &["Cabo Verde", "Cape Verde"]),
    ("kh", &["Cambodia"]),
    ("cm", &["Cameroon"]),
    ("ca", &["Canada"]),
    ("ky", &["Cayman Islands"]),
    ("cf", &["Central African Republic"]),
    ("td", &["Chad"]),
    ("cl", &["Chile"]),
    (
        "cn",
        &[
            "China",
            "People's Republic of China",
            "China, People's Republic of",
        ],
    ),
    ("cx", &["Christmas Island"]),
    ("cc", &["Cocos (Keeling) Islands"]),
    ("co", &["Colombia"]),
    ("km", &["Comoros"]),
    (
        "cg",
        &[
            "Congo",
            "Republic of the Congo",
            "Congo, Republic of the",
            "Congo-Brazzaville",
        ],
    ),
    (
        "cd",
        &[
            "Democratic Republic of the Congo",
            "Congo, Democratic Republic of the",
            "Congo (Democratic Republic)",
            "DR Congo",
            "DRC",
            "Congo-Kinshasa",
        ],
    ),
    ("ck", &["Cook Islands"]),
    ("cr", &["Costa Rica"]),
    ("ci", &["Cote d'Ivoire", "Côte d'Ivoire", "Ivory Coast"]),
    ("hr", &["Croatia"]),
    ("cu", &["Cuba"]),
    ("cw", &["Curacao", "Curaçao"]),
    ("cy", &["Cyprus"]),
    ("cz", &["Czechia", "Czech Republic"]),
    ("dk", &["Denmark"]),
    ("dj", &["Djibouti"]),
    ("dm", &["Dominica"]),
    ("do", &["Dominican Republic"]),
    ("ec", &["Ecuador"]),
    ("eg", &["Egypt"]),
    ("sv", &["El Salvador"]),
    ("gq", &["Equatorial Guinea"]),
    ("er", &["Eritrea"]),
    ("ee", &["Estonia"]),
    ("sz", &["Eswatini", "Swaziland"]),
    ("et", &["Ethiopia"]),
    ("fk", &["Falkland Islands", "Falkland Islands (Malvinas)"]),
    ("fo", &["Faroe Islands"]),
    ("fj", &["Fiji"]),
    ("fi", &["Finland"]),
    ("fr", &["France"]),
    ("gf", &["French Guiana"]),
    ("pf", &["French Polynesia"]),
    ("tf", &["French Southern Territories"]),
    ("ga", &["Gabon"]),
    ("gm", &["Gambia", "The Gambia", "Gambia, The"]),
    ("ge", &["Georgia"]),
    ("de", &["Germany"]),
    ("gh", &["Ghana"]),
    ("gi", &["Gibraltar"]),
    ("gr", &["Greece"]),
    ("gl", &["Greenland"]),
    ("gd", &["Grenada"]),
    ("gp", &["Guadeloupe"]),
    ("gu", &["Guam"]),
    ("gt", &["Guatemala"]),
    ("gg", &["Guernsey"]),
    ("gn", &["Guinea"]),
    ("gw", &["Guinea-Bissau"]),
    ("gy", &["Guyana"]),
    ("ht", &["Haiti"]),
    ("hm", &["Heard Island and McDonald Islands"]),
    ("va", &["Holy See", "Vatican", "Vatican City"]),
    ("hn", &["Honduras"]),
    (
        "hk",
        &[
            "Hong Kong",
            "China, Hong Kong Special Administrative Region",
            "Hong Kong Special Administrative Region of China",
            "Hong Kong SAR",
        ],
    ),
    ("hu", &["Hungary"]),
    ("is", &["Iceland"]),
    ("in", &["India"]),
    ("id", &["Indonesia"]),
    (
        "ir",
        &[
            "Iran",
            "Iran (Islamic Republic of)",
            "Islamic Republic of Iran",
        ],
    ),
    ("iq", &["Iraq"]),
    ("ie", &["Ireland"]),
    ("im", &["Isle of Man"]),
    ("il", &["Israel"]),
    ("it", &["Italy"]),
    ("jm", &["Jamaica"]),
    ("jp", &["Japan"]),
    ("je", &["Jersey"]),
    ("jo", &["Jordan"]),
    ("kz", &["Kazakhstan"]),
    ("ke", &["Kenya"]),
    ("ki", &["Kiribati"]),
    (
        "kp",
        &[
            "North Korea",
            "Democratic People's Republic of Korea",
            "Korea, North",
            "Korea, Democratic People's Republic of",
            "Korea (North)",
            "DPRK",
        ],
    ),
    (
        "kr",
        &[
            "South Korea",
            "Republic of Korea",
            "Korea, South",
            "Korea, Republic of",
            "Korea (South)",
        ],
    ),
    ("xk", &["Kosovo"]),
    ("kw", &["Kuwait"]),
    ("kg", &["Kyrgyzstan", "Kyrgyz Republic"]),
    (
        "la",
        &["Laos", "Lao People's Democratic Republic", "Lao PDR"],
    ),
    ("lv", &["Latvia"]),
    ("lb", &["Lebanon"]),
    ("ls", &["Lesotho"]),
    ("lr", &["Liberia"]),
    ("ly", &["Libya", "Libyan Arab Jamahiriya"]),
    ("li", &["Liechtenstein"]),
    ("lt", &["Lithuania"]),
    ("lu", &["Luxembourg"]),
    (
        "mo",
        &[
            "Macao",
            "Macau",
            "China, Macao Special Administrative Region",
        ],
    ),
    ("mg", &["Madagascar"]),
    ("mw", &["Malawi"]),
    ("my", &["Malaysia"]),
    ("mv", &["Maldives"]),
    ("ml", &["Mali"]),
    ("mt", &["Malta"]),
    ("mh", &["Marshall Islands"]),
    ("mq", &["Martinique"]),
    ("mr", &["Mauritania"]),
    ("mu", &["Mauritius"]),
    ("yt", &["Mayotte"]),
    ("mx", &["Mexico"]),
    (
        "fm",
        &[
            "Micronesia",
            "Micronesia (Federated States of)",
            "Micronesia, Federated States of",
        ],
    ),
    (
        "md",
        &["Moldova", "Republic of Moldova", "Moldova, Republic of"],
    ),
    ("mc", &["Monaco"]),
    ("mn", &["Mongolia"]),
    ("me", &["Montenegro"]),
    ("ms", &["Montserrat"]),
    ("ma", &["Morocco"]),
    ("mz", &["Mozambique"]),
    ("mm", &["Myanmar", "Burma"]),
    ("na", &["Namibia"]),
    ("nr", &["Nauru"]),
    ("np", &["Nepal"]),
    (
        "nl",
        &[
            "Netherlands",
            "The Netherlands",
            "Netherlands (Kingdom of the)",
            "Holland",
        ],
    ),
    ("nc", &["New Caledonia"]),
    ("nz", &["New Zealand"]),
    ("ni", &["Nicaragua"]),
    ("ne", &["Niger"]),
    ("ng", &["Nigeria"]),
    ("nu", &["Niue"]),
    ("nf", &["Norfolk Island"]),
    (
        "mk",
        &[
            "North Macedonia",
            "Macedonia",
            "The former Yugoslav Republic of Macedonia",
            "Macedonia, The Former Yugoslav Republic of",
        ],
    ),
    ("mp", &["Northern Mariana Islands"]),
    ("no", &["Norway"]),
    ("om", &["Oman"]),
    ("pk", &["Pakistan"]),
    ("pw", &["Palau"]),
    (
        "ps",
        &[
            "Palestine",
            "State of Palestine",
            "Palestine, State of",
            "Palestinian Territories",
            "Occupied Palestinian Territory",
            "Palestinian",
            "West Bank",
            "Gaza",
            "Gaza Strip",
        ],
    ),
    ("pa", &["Panama"]),
    ("pg", &["Papua New Guinea"]),
    ("py", &["Paraguay"]),
    ("pe", &["Peru"]),
    ("ph", &["Philippines", "The Philippines"]),
    ("pn", &["Pitcairn"]),
    ("pl", &["Poland"]),
    ("pt", &["Portugal"]),
    ("pr", &["Puerto Rico"]),
    ("qa", &["Qatar"]),
    ("re", &["Reunion", "Réunion"]),
    ("ro", &["Romania"]),
    ("ru", &["Russia", "Russian Federation"]),
    ("rw", &["Rwanda"]),
    ("bl", &["Saint Barthelemy", "Saint Barthélemy"]),
    (
        "sh",
        &[
            "Saint Helena",
            "Saint Helena, Ascension and Tristan da Cunha",
        ],
    ),
    ("kn", &["Saint Kitts and Nevis", "St Kitts and Nevis"]),
    ("lc", &["Saint Lucia", "St Lucia"]),
    ("mf", &["Saint Martin", "Saint Martin (French part)"]),
    ("pm", &["Saint Pierre and Miquelon"]),
    (
        "vc",
        &[
            "Saint Vincent and the Grenadines",
            "St Vincent and the Grenadines",
        ],
    ),
    ("ws", &["Samoa"]),
    ("sm", &["San Marino"]),
    ("st", &["Sao Tome and Principe", "São Tomé and Príncipe"]),
    ("sa", &["Saudi Arabia", "Kingdom of Saudi Arabia"]),
    ("sn", &["Senegal"]),
    ("rs", &["Serbia"]),
    ("sc", &["Seychelles"]),
    ("sl", &["Sierra Leone"]),
    ("sg", &["Singapore"]),
    ("sx", &["Sint Maarten", "Sint Maarten (Dutch part)"]),
    ("sk", &["Slovakia", "Slovak Republic"]),
    ("si", &["Slovenia"]),
    ("sb", &["Solomon Islands"]),
    ("so", &["Somalia"]),
    ("za", &["South Africa"]),
    ("gs", &["South Georgia and the South Sandwich Islands"]),
    ("ss", &["South Sudan"]),
    ("es", &["Spain"]),
    ("lk", &["Sri Lanka"]),
    ("sd", &["Sudan", "The Sudan"]),
    ("sr", &["Suriname"]),
    ("sj", &["Svalbard and Jan Mayen"]),
    ("se", &["Sweden"]),
    ("ch", &["Switzerland"]),
    ("sy", &["Syria", "Syrian Arab Republic"]),
    (
        "tw",
        &["Taiwan", "Taiwan, Province of China", "Chinese Taipei"],
    ),
    ("tj", &["Tajikistan"]),
    (
        "tz",
        &[
            "Tanzania",
            "United Republic of Tanzania",
            "Tanzania, United Republic of",
        ],
    ),
    ("th", &["Thailand"]),
    ("tl", &["Timor-Leste", "East Timor"]),
    ("tg", &["Togo"]),
    ("tk", &["Tokelau"]),
    ("to", &["Tonga"]),
    ("tt", &["Trinidad and Tobago"]),
    ("tn", &["Tunisia"]),
    ("tr", &["Turkey", "Türkiye", "Turkiye"]),
    ("tm", &["Turkmenistan"]),
    ("tc", &["Turks and Caicos Islands"]),
    ("tv", &["Tuvalu"]),
    ("ug", &["Uganda"]),
    ("ua", &["Ukraine"]),
    ("ae", &["United Arab Emirates", "UAE"]),
    (
        "gb",
        &[
            "United Kingdom",
            "United Kingdom of Great Britain and Northern Ireland",
            "Great Britain",
            "UK",
            "Britain",
        ],
    ),
    (
        "us",
        &[
            "United States",
            "United States of America",
            "USA",
            "U.S.A.",
            "US",
        ],
    ),
    ("um", &["United States Minor Outlying Islands"]),
    ("uy", &["Uruguay"]),
    ("uz", &["Uzbekistan"]),
    ("vu", &["Vanuatu"]),
    (
        "ve",
        &[
            "Venezuela",
            "Venezuela (Bolivarian Republic of)",
            "Bolivarian Republic of Venezuela",
        ],
    ),
    ("vn", &["Viet Nam", "Vietnam"]),
    (
        "vi",
        &[
            "United States Virgin Islands",
            "Virgin Islands, U.S.",
            "Virgin Islands (U.S.)",
        ],
    ),
    ("wf", &["Wallis and Futuna"]),
    ("eh", &["Western Sahara"]),
    ("ye", &["Yemen"]),
    ("zm", &["Zambia"]),
    ("zw", &["Zimbabwe"]),
];

/// Demonyms and other adjectives lists write in a citizenship column
/// ("Russian and Ukrainian"), mapped like names.
const DEMONYMS: &[(&str, &[&str])] = &[
    ("af", &["Afghan", "Afghani"]),
    ("al", &["Albanian"]),
    ("dz", &["Algerian"]),
    ("us", &["American"]),
    ("au", &["Australian"]),
    ("az", &["Azerbaijani"]),
    ("bh", &["Bahraini"]),
    ("bd", &["Bangladeshi"]),
    ("by", &["Belarusian", "Belarussian"]),
    ("be", &["Belgian"]),
    ("ba", &["Bosnian"]),
    ("gb", &["British"]),
    ("bg", &["Bulgarian"]),
    ("mm", &["Burmese"]),
    ("ca", &["Canadian"]),
    ("td", &["Chadian"]),
    ("cn", &["Chinese"]),
    ("co", &["Colombian"]),
    ("cd", &["Congolese", "Democratic Republic of Congo"]),
    ("cu", &["Cuban"]),
    ("nl", &["Dutch"]),
    ("eg", &["Egyptian"]),
    ("ae", &["Emirati"]),
    ("er", &["Eritrean"]),
    ("et", &["Ethiopian"]),
    ("ph", &["Filipino"]),
    ("fr", &["French"]),
    ("ge", &["Georgian"]),
    ("de", &["German"]),
    ("in", &["Indian"]),
    ("id", &["Indonesian"]),
    ("ir", &["Iranian"]),
    ("iq", &["Iraqi"]),
    ("il", &["Israeli"]),
    ("it", &["Italian"]),
    ("jo", &["Jordanian"]),
    ("kz", &["Kazakh", "Kazakhstani"]),
    ("ke", &["Kenyan"]),
    ("kw", &["Kuwaiti"]),
    ("kg", &["Kyrgyz"]),
    ("lb", &["Lebanese"]),
    ("ly", &["Libyan"]),
    ("my", &["Malaysian"]),
    ("ml", &["Malian"]),
    ("mr", &["Mauritanian"]),
    ("mu", &["Mauritian"]),
    ("mx", &["Mexican"]),
    ("md", &["Moldovan"]),
    ("ma", &["Moroccan"]),
    ("ni", &["Nicaraguan"]),
    ("ng", &["Nigerian"]),
    ("kp", &["North Korean"]),
    ("no", &["Norwegian"]),
    ("om", &["Omani"]),
    ("pk", &["Pakistani"]),
    ("qa", &["Qatari"]),
    ("ru", &["Russian"]),
    ("rw", &["Rwandan"]),
    ("sa", &["Saudi", "Saudi Arabian"]),
    ("sn", &["Senegalese"]),
    ("rs", &["Serbian"]),
    ("sk", &["Slovak"]),
    ("so", &["Somali"]),
    ("ss", &["South Sudanese"]),
    ("es", &["Spanish"]),
    ("sd", &["Sudanese"]),
    ("se", &["Swedish"]),
    ("sy", &["Syrian"]),
    ("tj", &["Tajik"]),
    ("tz", &["Tanzanian"]),
    ("tn", &["Tunisian"]),
    ("tr", &["Turkish", "Türkiyish"]),
    ("tm", &["Turkmen"]),
    ("ug", &["Ugandan"]),
    ("ua", &["Ukrainian", "Ukranian"]),
    ("gb", &["United Kingdom of Great Britain"]),
    ("uz", &["Uzbek", "Uzbekistani"]),
    ("ve", &["Venezuelan"]),
    ("vn", &["Vietnamese"]),
    ("ye", &["Yemeni"]),
    ("zw", &["Zimbabwean"]),
];

/// Lower case, Latin accents dropped, anything but letters and digits to a
/// single space, leading "the " dropped: how country names (and what lists
/// write instead of one) are compared.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = true;
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c => c,
        };
        if c == '&' {
            if !space {
                out.push(' ');
            }
            out.push_str("and ");
            space = true;
        } else if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if c == '\'' || c == '’' {
            // "People's" and "Peoples" are the same name.
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    let out = out.trim_end();
    out.strip_prefix("the ").unwrap_or(out).to_string()
}

fn index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for (code, names) in TABLE.iter().chain(DEMONYMS) {
            for name in *names {
                map.insert(fold(name), *code);
            }
        }
        map
    })
}

/// The ISO code for a country name, or `None` when the name is not known.
/// Two-letter inputs are not taken as codes here (`"na"` in a list means
/// "not available", not Namibia); use [`code`] for codes.
pub fn country_code(name: &str) -> Option<&'static str> {
    // The longest name in the table is under 60 bytes.
    if name.len() > 80 {
        return None;
    }
    let key = fold(name);
    if key.len() <= 2 && !matches!(key.as_str(), "uk" | "us") {
        return None;
    }
    index().get(&key).copied()
}

/// The ISO code itself, lower-cased, when it is one tansiq knows.
pub fn code(code: &str) -> Option<&'static str> {
    let lower = code.trim().to_ascii_lowercase();
    TABLE.iter().map(|(c, _)| *c).find(|c| *c == lower)
}

/// The English short name of an ISO alpha-2 code (any case), when tansiq
/// knows the code: `dz` -> "Algeria".
pub fn name(code: &str) -> Option<&'static str> {
    let lower = code.trim().to_ascii_lowercase();
    TABLE
        .iter()
        .find(|(c, _)| *c == lower)
        .and_then(|(_, names)| names.first().copied())
}

/// A country code or a country name, as [`super::parse`] reads it, when
/// it names a state (ISO alpha-2, lower case).
pub fn code_or_name(value: &str) -> Option<&'static str> {
    super::parse(value).and_then(|c| c.iso2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_of_codes() {
        assert_eq!(name("dz"), Some("Algeria"));
        assert_eq!(name("TN"), Some("Tunisia"));
        assert_eq!(name("xx"), None);
    }

    use super::*;

    #[test]
    fn un_names_map() {
        for (name, code) in [
            ("Democratic People's Republic of Korea", "kp"),
            ("Iran (Islamic Republic of)", "ir"),
            ("United Kingdom of Great Britain and Northern Ireland", "gb"),
            ("Türkiye", "tr"),
            ("State of Palestine", "ps"),
            ("China, Hong Kong Special Administrative Region", "hk"),
            ("Viet Nam", "vn"),
            ("Korea, North", "kp"),
            ("Congo, Democratic Republic of the", "cd"),
            ("  syrian arab republic ", "sy"),
            ("St. Kitts & Nevis", "kn"),
            ("Macedonia, The Former Yugoslav Republic of", "mk"),
        ] {
            assert_eq!(country_code(name), Some(code), "{name}");
        }
    }

    #[test]
    fn unknown_and_placeholders() {
        assert_eq!(country_code("former Soviet Union"), None);
        assert_eq!(country_code("na"), None);
        assert_eq!(code("DZ"), Some("dz"));
        assert_eq!(code("zz"), None);
        assert_eq!(code_or_name("Algeria"), Some("dz"));
        assert_eq!(code_or_name("iq"), Some("iq"));
        assert_eq!(code_or_name("TUN"), Some("tn"));
    }

    #[test]
    fn no_name_maps_to_two_codes() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (code, names) in TABLE.iter().chain(DEMONYMS) {
            for name in *names {
                if let Some(other) = seen.insert(fold(name), code) {
                    assert_eq!(other, *code, "{name} is in the table twice");
                }
            }
        }
    }
}
