//! Generic organisation vocabulary in English, French, transliterated
//! Arabic and Arabic script, mapped to shared concepts.
//!
//! Arabic-script group names are often *translations* of their Latin list
//! names (جبهة = front, حركة = movement), so these words must match across
//! languages; and they are generic, so they must never carry a match alone.
//! This table is a language rule, not list data.

/// A generic organisation word, whatever the language it is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Concept {
    Group,
    Front,
    Movement,
    Brigade,
    Battalion,
    Supporters,
    State,
    Islamic,
    Province,
    Army,
    Organisation,
    Council,
    Party,
    Association,
    Foundation,
    Company,
    Mujahidin,
    Emirate,
    Network,
    Charity,
    Union,
    Legion,
    Committee,
    Jihad,
    Martyrs,
    Trading,
    International,
}

impl Concept {
    pub fn as_str(self) -> &'static str {
        match self {
            Concept::Group => "group",
            Concept::Front => "front",
            Concept::Movement => "movement",
            Concept::Brigade => "brigade",
            Concept::Battalion => "battalion",
            Concept::Supporters => "supporters",
            Concept::State => "state",
            Concept::Islamic => "islamic",
            Concept::Province => "province",
            Concept::Army => "army",
            Concept::Organisation => "organisation",
            Concept::Council => "council",
            Concept::Party => "party",
            Concept::Association => "association",
            Concept::Foundation => "foundation",
            Concept::Company => "company",
            Concept::Mujahidin => "mujahidin",
            Concept::Emirate => "emirate",
            Concept::Network => "network",
            Concept::Charity => "charity",
            Concept::Union => "union",
            Concept::Legion => "legion",
            Concept::Committee => "committee",
            Concept::Jihad => "jihad",
            Concept::Martyrs => "martyrs",
            Concept::Trading => "trading",
            Concept::International => "international",
        }
    }
}

/// The concept of a folded Latin word, if it is generic organisation
/// vocabulary.
pub fn latin_concept(word: &str) -> Option<Concept> {
    use Concept::*;
    Some(match word {
        "group" | "groups" | "groupe" | "jamaat" | "jamaa" | "jamaah" | "jamaah's" | "jemaah"
        | "jamaa't" | "jama" | "jamat" | "jemaa" | "gamaa" | "gamaat" | "jammat" | "jamia" => Group,
        "front" | "jabhat" | "jabha" | "jabhah" | "jebhat" | "jabhet" => Front,
        "movement" | "mouvement" | "harakat" | "haraka" | "harakah" | "harakatul" | "harkat"
        | "harkatul" | "tehrik" | "tahrik" | "tehreek" | "tahreek" => Movement,
        "brigade" | "brigades" | "kataib" | "kataeb" | "katibat" | "katiba" | "katibah"
        | "liwa" | "liwaa" | "saraya" | "sarayat" => Brigade,
        "battalion" | "battalions" | "bataillon" => Battalion,
        "ansar" | "ansaru" | "supporters" | "partisans" | "helpers" => Supporters,
        "state" | "etat" | "dawla" | "dawlat" | "dawlah" | "daulah" | "daula" => State,
        "islamic" | "islamique" | "islamist" | "islamiya" | "islamiyya" | "islamiyah"
        | "islamiyyah" | "islami" | "islamia" | "islamiah" => Islamic,
        "province" | "wilayat" | "wilaya" | "wilayah" | "vilayat" => Province,
        "army" | "armee" | "jaish" | "jaysh" | "jaiche" | "jeish" | "lashkar" | "lashkare" => Army,
        "organization" | "organisation" | "organizations" | "tanzim" | "tanzeem" | "munazzamat"
        | "munazzama" => Organisation,
        "council" | "majlis" | "conseil" | "shura" => Council,
        "party" | "parti" | "hizb" | "hezb" | "hizbul" => Party,
        "association" | "society" | "jamiat" | "jamiyat" | "jamiyya" | "jamiyyat" | "anjuman" => {
            Association
        }
        "foundation" | "fondation" | "muassasa" | "muassasat" | "trust" | "institute"
        | "institution" => Foundation,
        "company" | "co" | "compagnie" | "ltd" | "limited" | "llc" | "inc" | "corporation"
        | "corp" | "sarl" | "sharikat" | "sharika" | "establishment" | "enterprise"
        | "enterprises" | "firm" => Company,
        "mujahidin" | "mujahideen" | "mujahedin" | "mujahedeen" | "moudjahidine" | "mujahidun" => {
            Mujahidin
        }
        "emirate" | "imarat" | "imarah" | "emirat" => Emirate,
        "network" | "reseau" => Network,
        "charity" | "charitable" | "relief" | "humanitarian" | "khairiya" | "khayriya"
        | "khairia" => Charity,
        "union" | "ittihad" | "itihad" => Union,
        "legion" | "faylaq" | "failaq" | "corps" => Legion,
        "committee" | "comite" | "lajnat" | "lajna" => Committee,
        "jihad" | "djihad" | "jehad" => Jihad,
        "martyrs" | "martyr" | "shuhada" | "shohada" | "shuhadaa" => Martyrs,
        "trading" | "trade" | "commercial" | "import" | "export" | "industries" | "industrial"
        | "engineering" | "services" | "general" | "holding" => Trading,
        "international" | "dawli" | "dawliya" => International,
        _ => return None,
    })
}

/// The concept of a normalised Arabic-script word without its article.
pub fn arabic_concept(word: &str) -> Option<Concept> {
    use Concept::*;
    Some(match word {
        "جماعة" | "جماعه" | "الجماعة" => Group,
        "جبهة" | "جبهه" => Front,
        "حركة" | "حركه" | "تحريك" => Movement,
        "كتائب" | "كتايب" | "كتيبة" | "لواء" | "لوا" | "سرايا" | "سرية" => {
            Brigade
        }
        "انصار" => Supporters,
        "دولة" | "دوله" => State,
        "اسلامية" | "اسلاميه" | "اسلامي" | "اسلام" => Islamic,
        "ولاية" | "ولايه" | "ولايت" => Province,
        "جيش" | "لشكر" => Army,
        "تنظيم" | "منظمة" | "منظمه" | "هيئة" | "هيئه" => Organisation,
        "مجلس" | "شورى" | "شوري" => Council,
        "حزب" => Party,
        "جمعية" | "جمعيه" | "جمعيت" | "انجمن" => Association,
        "مؤسسة" | "موسسة" | "موسسه" => Foundation,
        "شركة" | "شركه" => Company,
        "مجاهدين" | "مجاهدون" => Mujahidin,
        "امارة" | "اماره" | "امارت" => Emirate,
        "شبكة" => Network,
        "خيرية" | "خيريه" => Charity,
        "اتحاد" => Union,
        "فيلق" => Legion,
        "لجنة" => Committee,
        "جهاد" => Jihad,
        "شهداء" | "شهدا" => Martyrs,
        "دولي" | "دولية" => International,
        _ => return None,
    })
}
