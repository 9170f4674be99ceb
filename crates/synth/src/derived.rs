//! Name tables derived from the hand-written ones by the rules that make
//! real names: Maghreb `Ben` + a given name (Benyoucef), Persian given
//! name + `zadeh`/`pour`/`nejad` (Hosseinzadeh), Turkish compound surnames
//! (Kara + taş), Caucasus `-ov`/`-ev` surnames and `-ovich`/`-ovna`
//! patronymics. Without them a million generated people would share a few
//! thousand names. Built once, on first use; the strings live for the whole
//! program (a few hundred, leaked on purpose: static tables).

use std::sync::LazyLock;

use crate::tables::{self, LatinPart, Part};

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_all(v: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        v.into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// Maghreb family names made of Ben + a given name.
pub static BEN_FAMILY: LazyLock<Vec<Part>> = LazyLock::new(|| {
    tables::MALE
        .iter()
        .filter(|m| !m.en.starts_with("al-") && !m.ar.contains(' ') && m.en != "Babikir")
        .map(|m| Part {
            ar: leak(format!("بن {}", m.ar)),
            en: leak(format!("Bin {}", m.en)),
            fr: leak(format!("Ben{}", m.fr.to_lowercase())),
            eg: leak(format!("Ben {}", m.eg)),
            alt: leak_all(vec![format!("Ben {}", m.fr), format!("Ben-{}", m.fr)]),
        })
        .collect()
});

/// Kabyle family names: Aït (آيت, "the people of") + a given name.
pub static AIT_FAMILY: LazyLock<Vec<Part>> = LazyLock::new(|| {
    tables::MALE
        .iter()
        .filter(|m| !m.en.starts_with("al-") && !m.ar.contains(' ') && m.en != "Babikir")
        .map(|m| Part {
            ar: leak(format!("آيت {}", m.ar)),
            en: leak(format!("Ait {}", m.en)),
            fr: leak(format!("Aït {}", m.fr)),
            eg: leak(format!("Ait {}", m.eg)),
            alt: leak_all(vec![
                format!("Ait-{}", m.fr),
                format!("Ait{}", m.fr.to_lowercase()),
            ]),
        })
        .collect()
});

/// Persian compound given names: Mohammad + name, Seyed + name.
pub static PERSIAN_COMPOUND: LazyLock<Vec<Part>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for g in tables::PERSIAN_MALE.iter().filter(|g| g.en != "Mohammad") {
        out.push(Part {
            ar: leak(format!("محمد {}", g.ar)),
            en: leak(format!("Mohammad {}", g.en)),
            fr: leak(format!("Mohammad {}", g.fr)),
            eg: leak(format!("Mohamed {}", g.eg)),
            alt: leak_all(vec![
                format!("Mohammad-{}", g.en),
                format!("Mohammad{}", g.en.to_lowercase()),
            ]),
        });
        out.push(Part {
            ar: leak(format!("سید {}", g.ar)),
            en: leak(format!("Seyed {}", g.en)),
            fr: leak(format!("Seyed {}", g.fr)),
            eg: leak(format!("Sayed {}", g.eg)),
            alt: leak_all(vec![format!("Seyyed {}", g.en), format!("Sayyid {}", g.en)]),
        });
    }
    out
});

/// Persian family names of a given name and a suffix.
pub static PERSIAN_DERIVED: LazyLock<Vec<Part>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for g in tables::PERSIAN_MALE {
        for (lat, ar) in [("zadeh", "زاده"), ("pour", "پور"), ("nejad", "نژاد")] {
            let mut cap = lat.to_string();
            cap[..1].make_ascii_uppercase();
            out.push(Part {
                ar: leak(format!("{}\u{200C}{ar}", g.ar)),
                en: leak(format!("{}{lat}", g.en)),
                fr: leak(format!("{}{lat}", g.fr)),
                eg: leak(format!("{}{lat}", g.eg)),
                alt: leak_all(vec![format!("{}-{lat}", g.en), format!("{} {cap}", g.en)]),
            });
        }
    }
    out
});

fn ascii(s: &str) -> String {
    crate::fold::fold(s)
        .split(' ')
        .map(|w| {
            let mut w = w.to_string();
            if let Some(f) = w.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            w
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turkish compound surnames (Karataş, Özdemir, Akgül …).
pub static TR_SURNAMES: LazyLock<Vec<LatinPart>> = LazyLock::new(|| {
    const HEADS: [&str; 14] = [
        "Kara", "Ak", "Öz", "Er", "Gül", "Demir", "Taş", "Çakır", "Gök", "Tek", "Şen", "Bay", "Uz",
        "Yıldız",
    ];
    const TAILS: [&str; 12] = [
        "taş", "demir", "kaya", "can", "soy", "türk", "han", "dağ", "oğlu", "el", "gül", "er",
    ];
    let mut out = Vec::new();
    for h in HEADS {
        for t in TAILS {
            if h.to_lowercase() == t {
                continue;
            }
            let name = format!("{h}{t}");
            let folded = ascii(&name);
            let alt = if folded == name {
                Vec::new()
            } else {
                vec![folded]
            };
            out.push(LatinPart {
                latin: leak(name),
                script: None,
                alt: leak_all(alt),
            });
        }
    }
    out
});

/// Surname roots of the North Caucasus with their Cyrillic form.
const CAUCASUS_ROOTS: &[(&str, &str)] = &[
    ("Magomed", "Магомед"),
    ("Akhmed", "Ахмед"),
    ("Gadzhi", "Гаджи"),
    ("Khasan", "Хасан"),
    ("Isa", "Иса"),
    ("Ibragim", "Ибрагим"),
    ("Kurban", "Курбан"),
    ("Said", "Саид"),
    ("Abdula", "Абдула"),
    ("Tsaka", "Цака"),
    ("Murad", "Мурад"),
    ("Rasul", "Расул"),
    ("Alim", "Алим"),
    ("Dzhamal", "Джамал"),
    ("Yusup", "Юсуп"),
    ("Gasan", "Гасан"),
    ("Ali", "Али"),
    ("Omar", "Омар"),
    ("Shamil", "Шамил"),
    ("Arsanuk", "Арсанук"),
    ("Bagaud", "Багауд"),
    ("Magomedali", "Магомедали"),
    ("Dzhabrail", "Джабраил"),
    ("Bekmurz", "Бекмурз"),
    ("Abubakar", "Абубакар"),
    ("Arslan", "Арслан"),
    ("Batal", "Батал"),
    ("Dzhabra", "Джабра"),
    ("Elmurz", "Эльмурз"),
    ("Gamzat", "Гамзат"),
    ("Idris", "Идрис"),
    ("Khamid", "Хамид"),
    ("Mamed", "Мамед"),
    ("Rashid", "Рашид"),
    ("Sultan", "Султан"),
    ("Tagir", "Тагир"),
    ("Usman", "Усман"),
    ("Yakub", "Якуб"),
    ("Zakari", "Закари"),
];

fn soft(root: &str) -> bool {
    root.ends_with(['a', 'e', 'i', 'o', 'u', 'l'])
}

/// `-ov`/`-ev` surnames; index 0 male, 1 female (`-ova`/`-eva`).
pub static CAUCASUS_SURNAMES: LazyLock<[Vec<LatinPart>; 2]> = LazyLock::new(|| {
    let make = |female: bool| {
        CAUCASUS_ROOTS
            .iter()
            .map(|(lat, cyr)| {
                let (l, c) = match (soft(lat), female) {
                    (true, false) => ("ev", "ев"),
                    (true, true) => ("eva", "ева"),
                    (false, false) => ("ov", "ов"),
                    (false, true) => ("ova", "ова"),
                };
                let name = format!("{lat}{l}");
                let mut alt = vec![format!("{lat}{}", l.replace('v', "w"))];
                if lat.contains("kh") || lat.starts_with("Kh") {
                    alt.push(name.replace("kh", "h").replace("Kh", "H"));
                }
                if soft(lat) {
                    alt.push(format!("{lat}{}", l.replacen('e', "ye", 1)));
                }
                LatinPart {
                    latin: leak(name),
                    script: Some(leak(format!("{cyr}{c}"))),
                    alt: leak_all(alt),
                }
            })
            .collect::<Vec<_>>()
    };
    [make(false), make(true)]
});

/// Patronymics from the Caucasus given names; index 0 male (`-ovich`),
/// 1 female (`-ovna`).
pub static CAUCASUS_PATRONYMICS: LazyLock<[Vec<LatinPart>; 2]> = LazyLock::new(|| {
    let make = |female: bool| {
        tables::CAUCASUS_GIVEN
            .iter()
            .filter_map(|g| {
                let cyr = g.script?;
                let (l, c) = match (soft(g.latin), female) {
                    (true, false) => ("evich", "евич"),
                    (true, true) => ("evna", "евна"),
                    (false, false) => ("ovich", "ович"),
                    (false, true) => ("ovna", "овна"),
                };
                let cyr = cyr.trim_end_matches('ь');
                Some(LatinPart {
                    latin: leak(format!("{}{l}", g.latin)),
                    script: Some(leak(format!("{cyr}{c}"))),
                    alt: leak_all(vec![format!("{}{}", g.latin, l.replace("ch", "tch"))]),
                })
            })
            .collect::<Vec<_>>()
    };
    [make(false), make(true)]
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_look_like_names() {
        let ben: Vec<&str> = BEN_FAMILY.iter().map(|p| p.fr).collect();
        assert!(
            ben.contains(&"Benyoucef") && ben.contains(&"Benomar"),
            "{ben:?}"
        );
        assert!(BEN_FAMILY.iter().any(|p| p.ar == "بن يوسف"));
        assert!(
            AIT_FAMILY
                .iter()
                .any(|p| p.fr == "Aït Ali" && p.ar == "آيت علي")
        );
        assert!(
            PERSIAN_COMPOUND
                .iter()
                .any(|p| p.en == "Mohammad Reza" && p.ar == "محمد رضا")
        );
        assert!(PERSIAN_COMPOUND.iter().any(|p| p.en == "Seyed Hossein"));
        let fa: Vec<&str> = PERSIAN_DERIVED.iter().map(|p| p.en).collect();
        assert!(
            fa.contains(&"Hosseinzadeh") && fa.contains(&"Alipour"),
            "{fa:?}"
        );
        assert!(PERSIAN_DERIVED.iter().any(|p| p.ar == "حسین\u{200C}زاده"));
        let tr: Vec<&str> = TR_SURNAMES.iter().map(|p| p.latin).collect();
        assert!(tr.contains(&"Karataş") && !tr.contains(&"Taştaş"), "{tr:?}");
        assert!(
            TR_SURNAMES
                .iter()
                .any(|p| p.latin == "Özdemir" && p.alt == ["Ozdemir"])
        );
        let ru: Vec<(&str, Option<&str>)> = CAUCASUS_SURNAMES[0]
            .iter()
            .map(|p| (p.latin, p.script))
            .collect();
        assert!(
            ru.contains(&("Magomedov", Some("Магомедов")))
                && ru.contains(&("Isaev", Some("Исаев"))),
            "{ru:?}"
        );
        assert!(
            CAUCASUS_SURNAMES[1]
                .iter()
                .any(|p| p.latin == "Aliyeva" || p.latin == "Alieva")
        );
        let pat: Vec<&str> = CAUCASUS_PATRONYMICS[0].iter().map(|p| p.latin).collect();
        assert!(
            pat.contains(&"Ruslanovich") && pat.contains(&"Shamilevich"),
            "{pat:?}"
        );
        assert!(
            CAUCASUS_PATRONYMICS[1]
                .iter()
                .any(|p| p.script == Some("Магомедовна"))
        );
    }
}
