//! Countries as a page shows them: the name in the page's language with
//! the code beside it ("Tunisie (TN)"), so an officer reads a word and an
//! analyst still sees the code the lists and documents carry.
//!
//! Design decision: names are kept here only for the states this node's
//! work touches most (the Maghreb, the Sahel, the Middle East and the
//! states whose documents cross these borders most), in the three
//! languages; any other country is shown by its code alone rather than
//! through a 250-row table per language. `tansiq_model::country` reads
//! every spelling into the ISO code this module starts from.

use tansiq_model::country;

use super::i18n::Lang;

/// (ISO 3166-1 alpha-2, English, French, Arabic).
const NAMES: &[(&str, &str, &str, &str)] = &[
    ("af", "Afghanistan", "Afghanistan", "أفغانستان"),
    ("be", "Belgium", "Belgique", "بلجيكا"),
    ("de", "Germany", "Allemagne", "ألمانيا"),
    ("dz", "Algeria", "Algérie", "الجزائر"),
    ("eg", "Egypt", "Égypte", "مصر"),
    ("es", "Spain", "Espagne", "إسبانيا"),
    ("fr", "France", "France", "فرنسا"),
    ("gb", "United Kingdom", "Royaume-Uni", "المملكة المتحدة"),
    ("iq", "Iraq", "Irak", "العراق"),
    ("ir", "Iran", "Iran", "إيران"),
    ("it", "Italy", "Italie", "إيطاليا"),
    ("jo", "Jordan", "Jordanie", "الأردن"),
    ("lb", "Lebanon", "Liban", "لبنان"),
    ("ly", "Libya", "Libye", "ليبيا"),
    ("ma", "Morocco", "Maroc", "المغرب"),
    ("ml", "Mali", "Mali", "مالي"),
    ("mr", "Mauritania", "Mauritanie", "موريتانيا"),
    ("ne", "Niger", "Niger", "النيجر"),
    ("ng", "Nigeria", "Nigeria", "نيجيريا"),
    ("nl", "Netherlands", "Pays-Bas", "هولندا"),
    ("pk", "Pakistan", "Pakistan", "باكستان"),
    ("ps", "Palestine", "Palestine", "فلسطين"),
    ("sa", "Saudi Arabia", "Arabie saoudite", "السعودية"),
    ("sd", "Sudan", "Soudan", "السودان"),
    ("so", "Somalia", "Somalie", "الصومال"),
    ("sy", "Syria", "Syrie", "سوريا"),
    ("td", "Chad", "Tchad", "تشاد"),
    ("tn", "Tunisia", "Tunisie", "تونس"),
    ("tr", "Türkiye", "Turquie", "تركيا"),
    ("us", "United States", "États-Unis", "الولايات المتحدة"),
    ("ye", "Yemen", "Yémen", "اليمن"),
];

/// A country code or name as a person reads it in `l`: "Tunisia (TN)",
/// "تونس (TN)"; the code alone when this module has no name for it; the
/// value as given when it names no country.
pub fn display(l: Lang, value: &str) -> String {
    let Some(iso2) = country::parse(value).and_then(|c| c.iso2) else {
        return value.to_string();
    };
    let code = iso2.to_ascii_uppercase();
    match NAMES.iter().find(|(c, ..)| *c == iso2) {
        Some((_, en, fr, ar)) => {
            let name = match l {
                Lang::En => en,
                Lang::Fr => fr,
                Lang::Ar => ar,
            };
            format!("{name} ({code})")
        }
        None => code,
    }
}

/// Several countries, each as [`display`] shows it.
pub fn display_all(l: Lang, values: &[String]) -> String {
    values
        .iter()
        .map(|v| display(l, v))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_the_page_language_with_the_code() {
        assert_eq!(display(Lang::En, "tn"), "Tunisia (TN)");
        assert_eq!(display(Lang::Fr, "TUN"), "Tunisie (TN)");
        assert_eq!(display(Lang::Ar, "dz"), "الجزائر (DZ)");
        // A country without a name here: its code, upper case.
        assert_eq!(display(Lang::Fr, "jp"), "JP");
        // Not a country: as given.
        assert_eq!(display(Lang::En, "??"), "??");
        assert_eq!(
            display_all(Lang::En, &["ly".into(), "eg".into()]),
            "Libya (LY), Egypt (EG)"
        );
    }

    #[test]
    fn table_is_sorted_and_codes_are_known() {
        for w in NAMES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (code, ..) in NAMES {
            assert_eq!(
                country::code(code),
                Some(*code),
                "{code} is not an ISO code"
            );
        }
    }
}
