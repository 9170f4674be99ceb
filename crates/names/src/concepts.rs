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
    Industry,
    Complex,
    Headquarters,
    Construction,
    University,
    Research,
    Manufacturing,
    Ministry,
    Bureau,
    // Content words, not generic: they distinguish organisations and are
    // translated between list languages.
    Fighting,
    Aviation,
    Machinery,
    Libyan,
    Tunisian,
    Moroccan,
    Egyptian,
    Algerian,
    Syrian,
    Iraqi,
    Yemeni,
    Somali,
    Afghan,
    Pakistani,
    Korean,
    Iranian,
    Lebanese,
    Sudanese,
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
            Concept::Industry => "industry",
            Concept::Complex => "complex",
            Concept::Headquarters => "headquarters",
            Concept::Construction => "construction",
            Concept::University => "university",
            Concept::Research => "research",
            Concept::Manufacturing => "manufacturing",
            Concept::Ministry => "ministry",
            Concept::Bureau => "bureau",
            Concept::Fighting => "fighting",
            Concept::Aviation => "aviation",
            Concept::Machinery => "machinery",
            Concept::Libyan => "libyan",
            Concept::Tunisian => "tunisian",
            Concept::Moroccan => "moroccan",
            Concept::Egyptian => "egyptian",
            Concept::Algerian => "algerian",
            Concept::Syrian => "syrian",
            Concept::Iraqi => "iraqi",
            Concept::Yemeni => "yemeni",
            Concept::Somali => "somali",
            Concept::Afghan => "afghan",
            Concept::Pakistani => "pakistani",
            Concept::Korean => "korean",
            Concept::Iranian => "iranian",
            Concept::Lebanese => "lebanese",
            Concept::Sudanese => "sudanese",
        }
    }

    /// Generic vocabulary (group, front, islamic…) carries little weight
    /// and never a match alone; content concepts (fighting, demonyms) weigh
    /// like any name word.
    pub fn is_generic(self) -> bool {
        !matches!(
            self,
            Concept::Fighting
                | Concept::Aviation
                | Concept::Machinery
                | Concept::Libyan
                | Concept::Tunisian
                | Concept::Moroccan
                | Concept::Egyptian
                | Concept::Algerian
                | Concept::Syrian
                | Concept::Iraqi
                | Concept::Yemeni
                | Concept::Somali
                | Concept::Afghan
                | Concept::Pakistani
                | Concept::Korean
                | Concept::Iranian
                | Concept::Lebanese
                | Concept::Sudanese
        )
    }
}

/// Legal forms of companies in many languages and transliterations,
/// folded (their meaning is "company": one concept, [`Concept::Company`]):
/// English, German, French, Spanish, Portuguese, Italian, Dutch, Russian
/// and Ukrainian (Latin transliterations), Persian and Arabic, Turkish,
/// Gulf free zones, South and South-East Asia. Two-letter forms that are
/// also name particles (as, ab, pt, al) are left out.
pub const LEGAL_FORMS: &[&str] = &[
    "incorporated",
    "limitada",
    "ltda",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "aktiengesellschaft",
    "gesellschaft",
    "sa",
    "sal",
    "sas",
    "sae",
    "sarl",
    "srl",
    "spa",
    "societe",
    "sociedad",
    "compania",
    "companhia",
    "cia",
    "cie",
    "bv",
    "nv",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "oao",
    "ooo",
    "zao",
    "pao",
    "tov",
    "obshchestvo",
    "aktsionernoe",
    "otkrytoe",
    "zakrytoe",
    "publichnoe",
    // the same forms written out in the other usual transliterations, and
    // the words of OOO (obshchestvo s ogranichennoi otvetstvennostyu),
    // Ukrainian TOV (tovarystvo z obmezhenoyu vidpovidalnistyu) and
    // Belarusian AAT/ZAT, which lists give in full as often as initials
    "obschestvo",
    "obshestvo",
    "obshcestvo",
    "ogranichennoi",
    "ogranichennoy",
    "ogranichennoj",
    "otvetstvennostyu",
    "otvetstvennostiu",
    "otvetstvennostju",
    "aktsionernoye",
    "otkrytoye",
    "zakrytoye",
    "publichnoye",
    "nepublichnoe",
    "tovarystvo",
    "obmezhenoyu",
    "obmezhenoiu",
    "vidpovidalnistyu",
    "vidpovidalnistiu",
    "aktsionerne",
    "aktsyyanernaye",
    "zakrytaye",
    "adkrytaye",
    "tavarystva",
    // Belarusian TAA (tavarystva z abmezhavanay adkaznastsyu), and the
    // adjective "joint-stock" of Russian and Belarusian company and bank
    // names (aktsionerny bank, aktsionernaya kompaniya)
    "abmezhavanay",
    "abmezhavanai",
    "adkaznastsyu",
    "adkaznastsiu",
    "aktsyyanernae",
    "aktsiyanernae",
    "adkrytae",
    "aktsionerny",
    "aktsionernyi",
    "aktsionernyy",
    "aktsionernaya",
    // limited liability company, joint stock company; Spanish sociedad
    // anonima / de responsabilidad limitada, Turkish anonim sirketi
    "liability",
    "anonima",
    "anonim",
    "responsabilidad",
    "kompaniya",
    "kompania",
    "sirket",
    "sirketi",
    "shirkat",
    "shirkate",
    "sherkate",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "dmcc",
    "pte",
    "pvt",
    "bhd",
    "sdn",
    "tbk",
    "kft",
    "doo",
    "ood",
    "eood",
];

/// Legal forms written in several words of which none is a legal form
/// alone (joint, stock, open, closed, public, private, simplified occur in
/// names): folded words, a hyphen read as a space (`joint-stock`). Each
/// word of such a phrase is [`Concept::Company`] there and nowhere else:
/// OPEN JOINT-STOCK COMPANY TEMPBANK is Tempbank, a company, as OJSC
/// Tempbank is. Longer phrases first, so that the longest is taken.
pub const LEGAL_FORM_PHRASES: &[&[&str]] = &[
    &["sociedad", "por", "acciones", "simplificada"],
    &["open", "joint", "stock"],
    &["closed", "joint", "stock"],
    &["public", "joint", "stock"],
    &["private", "joint", "stock"],
    &["de", "capital", "variable"],
    &["joint", "stock"],
];

/// For each of `words` (folded), whether it belongs to one of
/// [`LEGAL_FORM_PHRASES`].
pub fn legal_form_phrase_words(words: &[&str]) -> Vec<bool> {
    let mut marked = vec![false; words.len()];
    let mut i = 0;
    while i < words.len() {
        let found = LEGAL_FORM_PHRASES
            .iter()
            .find(|p| words.get(i..i + p.len()).is_some_and(|w| w == **p));
        match found {
            Some(p) => {
                marked[i..i + p.len()].iter_mut().for_each(|m| *m = true);
                i += p.len();
            }
            None => i += 1,
        }
    }
    marked
}

/// The concept of a folded Latin word, if it is generic organisation
/// vocabulary.
pub fn latin_concept(word: &str) -> Option<Concept> {
    latin_concept_exact(word).or_else(|| {
        // a long final vowel written double (Shohadaa = Shohada, the
        // hamza of شهداء spelled as a second a)
        let b = word.as_bytes();
        let n = b.len();
        if n >= 5 && b[n - 1] == b[n - 2] && matches!(b[n - 1], b'a' | b'e' | b'i' | b'o' | b'u') {
            latin_concept_exact(&word[..n - 1])
        } else {
            None
        }
    })
}

fn latin_concept_exact(word: &str) -> Option<Concept> {
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
        "company" | "co" | "sherkat" | "sherkate" | "compagnie" | "ltd" | "limited" | "llc"
        | "inc" | "corporation" | "corp" | "sarl" | "sharikat" | "sharika" | "establishment"
        | "enterprise" | "enterprises" | "firm" => Company,
        // legal forms of many languages (LEGAL_FORMS: one list, also read
        // when joining dotted initials S.A.R.L. = sarl)
        w if LEGAL_FORMS.contains(&w) => Company,
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
        "martyrs" | "martyr" | "shuhada" | "shohada" | "shuhadaa" | "shahid" | "shaheed"
        | "shahed" => Martyrs,
        "trading" | "trade" | "commercial" | "import" | "export" | "engineering" | "eng"
        | "services" | "general" | "holding" | "development" | "management" | "shipping"
        | "maritime" | "energy" | "technology" | "technologies" | "equipment" | "procurement"
        | "tejarat" | "bazargani" | "oil" | "gas" | "petroleum" | "petrochemical"
        | "petrochemicals" => Trading,
        "industries" | "industrial" | "industry" | "industrie" | "industries'" | "sanaye"
        | "sanaat" | "sanati" | "sanaty" | "sanayi" => Industry,
        "complex" | "compound" | "mojtame" | "mojtama" | "mojtameh" => Complex,
        "headquarters" | "hq" | "gharargah" | "gharargahe" | "qarargah" | "qarargahe" => {
            Headquarters
        }
        "construction" | "sazandegi" => Construction,
        "university" | "college" | "daneshgah" | "daneshgahe" | "academy" => University,
        "research" | "center" | "centre" | "tahghighat" | "tahqiqat" | "markaz" => Research,
        "manufacturing" | "mfg" | "production" | "factory" | "factories" | "plant" | "sazi"
        | "karkhaneh" => Manufacturing,
        "ministry" | "vezarat" | "wizarat" | "ministere" => Ministry,
        "bureau" | "department" | "office" | "offices" | "agency" | "directorate" | "branch"
        | "unit" | "division" => Bureau,
        "international" | "dawli" | "dawliya" => International,
        "fighting" | "combatant" | "combattant" | "combattants" | "fighters" | "muqatila"
        | "muqatilah" => Fighting,
        "aviation" | "aeronautics" | "aeronautical" | "aircraft" | "airplanes" | "airplane"
        | "aerospace" | "havapeyma" | "havapeymaei" => Aviation,
        "machine" | "machines" | "machinery" | "machining" | "mashin" | "mashinsazi" => Machinery,
        "libyan" | "libya" | "libyenne" | "libyen" | "libiya" | "libiyya" => Libyan,
        "tunisian" | "tunisia" | "tunisien" | "tunisienne" | "tunisiya" => Tunisian,
        "moroccan" | "morocco" | "marocain" | "marocaine" | "maroc" | "maghribiya" => Moroccan,
        "egyptian" | "egypt" | "egyptien" | "egyptienne" | "misriya" => Egyptian,
        "algerian" | "algeria" | "algerien" | "algerienne" | "jazairiya" => Algerian,
        "syrian" | "syria" | "syrien" | "syrienne" | "suriya" => Syrian,
        "iraqi" | "iraq" | "irakien" | "iraqiya" => Iraqi,
        "yemeni" | "yemen" | "yemenite" | "yamaniya" => Yemeni,
        "somali" | "somalia" | "somalien" => Somali,
        "afghan" | "afghanistan" | "afghani" => Afghan,
        "pakistani" | "pakistan" => Pakistani,
        "korean" | "korea" | "coreen" | "coree" => Korean,
        "iranian" | "iran" | "iranien" | "irani" => Iranian,
        "lebanese" | "lebanon" | "libanais" | "liban" | "lubnan" | "lubnani" => Lebanese,
        "sudanese" | "sudan" | "soudan" | "soudanais" | "sudani" => Sudanese,
        _ => return None,
    })
}

/// The concept of a normalised Arabic-script word without its article.
pub fn arabic_concept(word: &str) -> Option<Concept> {
    arabic_concept_exact(word).or_else(|| {
        // a final ه for ة (Persian and careless Arabic spelling: شبکه)
        let stem = word.strip_suffix('ه')?;
        arabic_concept_exact(&format!("{stem}ة"))
    })
}

fn arabic_concept_exact(word: &str) -> Option<Concept> {
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
        "تنظيم" | "منظمة" | "منظمه" | "هيية" | "هييه" => Organisation,
        "مجلس" | "شورى" | "شوري" => Council,
        "حزب" => Party,
        "جمعية" | "جمعيه" | "جمعيت" | "انجمن" => Association,
        "مؤسسة" | "موسسة" | "موسسه" => Foundation,
        "شركة" | "شركه" => Company,
        "مجاهدين" | "مجاهدون" | "مجاهدو" => Mujahidin,
        "صناعات" | "صناعية" | "صنايع" => Industry,
        "مجمع" => Complex,
        "قرارگاه" => Headquarters,
        "جامعة" | "دانشگاه" => University,
        "مركز" => Research,
        "وزارة" | "وزارت" => Ministry,
        "مكتب" | "دفتر" => Bureau,
        "امارة" | "اماره" | "امارت" => Emirate,
        "شبكة" => Network,
        "خيرية" | "خيريه" => Charity,
        "اتحاد" => Union,
        "فيلق" => Legion,
        "لجنة" => Committee,
        "جهاد" => Jihad,
        "شهداء" | "شهدا" => Martyrs,
        "دولي" | "دولية" => International,
        "مقاتلة" | "مقاتله" | "مقاتلين" | "مقاتلون" => Fighting,
        "ليبي" | "ليبية" | "ليبيه" | "ليبيا" => Libyan,
        "تونسي" | "تونسية" | "تونسيه" | "تونس" => Tunisian,
        "مغربي" | "مغربية" | "مغربيه" | "مغرب" => Moroccan,
        "مصري" | "مصرية" | "مصريه" | "مصر" => Egyptian,
        "جزائري" | "جزائرية" | "جزائريه" | "جزائر" => Algerian,
        "سوري" | "سورية" | "سوريه" | "سوريا" => Syrian,
        "عراقي" | "عراقية" | "عراقيه" | "عراق" => Iraqi,
        "يمني" | "يمنية" | "يمنيه" | "يمن" => Yemeni,
        "صومالي" | "صومالية" | "صوماليه" | "صومال" => Somali,
        "افغاني" | "افغانستان" => Afghan,
        "باكستاني" | "باكستان" => Pakistani,
        "كوري" | "كورية" | "كوريا" => Korean,
        "ايراني" | "ايرانية" | "ايران" => Iranian,
        "لبناني" | "لبنانية" | "لبنان" => Lebanese,
        "سوداني" | "سودانية" | "سودان" => Sudanese,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubled_final_vowel_is_one_long_vowel() {
        assert_eq!(latin_concept("shohadaa"), Some(Concept::Martyrs));
        assert_eq!(latin_concept("shohada"), Some(Concept::Martyrs));
        assert_eq!(latin_concept("kataibb"), None);
        assert_eq!(latin_concept("haddaa"), None);
    }

    #[test]
    fn final_heh_spelling_of_taa_marbuta() {
        assert_eq!(arabic_concept("شبكة"), Some(Concept::Network));
        assert_eq!(arabic_concept("شبكه"), Some(Concept::Network));
        assert_eq!(arabic_concept("مكتب"), Some(Concept::Bureau));
        assert_eq!(arabic_concept("حنيفه"), None);
    }

    #[test]
    fn demonyms_and_country_names_are_one_concept() {
        assert_eq!(latin_concept("korean"), latin_concept("korea"));
        assert_eq!(latin_concept("korean"), arabic_concept("كوريا"));
        assert!(!Concept::Korean.is_generic());
        assert_ne!(latin_concept("iranian"), latin_concept("iraqi"));
    }
}
