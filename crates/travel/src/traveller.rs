//! The traveller: who is on a document or a manifest line, in the form the
//! screening engine consumes (names, birth date, nationality, sex,
//! documents).

use serde::Serialize;
use tansiq_model::{Entity, PartialDate, Schema, prop};

use crate::arabic::{decode_arabic_mrz_name, uses_arabic_script};
use tansiq_model::country::Country;

/// Sex as written on a travel document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    /// `<` or `X` on an MRZ, empty or unknown elsewhere.
    #[default]
    Unspecified,
}

impl Sex {
    /// The MRZ character: `F`, `M` or `<`.
    pub fn mrz_char(self) -> char {
        match self {
            Sex::Female => 'F',
            Sex::Male => 'M',
            Sex::Unspecified => '<',
        }
    }

    /// Reads `F`/`M` (any case, also `female`/`male`); everything else is
    /// unspecified.
    pub fn from_code(s: &str) -> Sex {
        match s.trim().to_ascii_uppercase().as_str() {
            "F" | "FEMALE" | "W" => Sex::Female,
            "M" | "MALE" => Sex::Male,
            _ => Sex::Unspecified,
        }
    }

    /// The FollowTheMoney `gender` value, when known.
    pub fn ftm_gender(self) -> Option<&'static str> {
        match self {
            Sex::Female => Some("female"),
            Sex::Male => Some("male"),
            Sex::Unspecified => None,
        }
    }
}

/// What kind of travel document a number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    /// Identity card or other official travel document (`I`, `A`, `C`).
    IdCard,
    Visa,
    Other,
}

impl DocumentKind {
    /// Classifies a document code (MRZ `P`, `PD`, `I`, `V`…; PAXLST `P`,
    /// `V`, `I`, `A`, `C`, `F`…; CSV `passport`, `id`, `visa`).
    pub fn from_code(code: &str) -> DocumentKind {
        let c = code.trim().to_ascii_uppercase();
        match c.as_str() {
            "PASSPORT" => return DocumentKind::Passport,
            "ID" | "ID_CARD" | "IDCARD" | "IDENTITY CARD" => return DocumentKind::IdCard,
            "VISA" => return DocumentKind::Visa,
            _ => {}
        }
        match c.as_bytes().first() {
            Some(b'P') => DocumentKind::Passport,
            Some(b'I' | b'A' | b'C') => DocumentKind::IdCard,
            Some(b'V') => DocumentKind::Visa,
            _ => DocumentKind::Other,
        }
    }
}

/// One travel document of a traveller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TravelDocument {
    pub kind: DocumentKind,
    /// The document code as written (`P`, `ID`, `V`, `P:110:111` → `P`).
    pub code: String,
    /// As written, fillers and spaces removed.
    pub number: String,
    pub issuing_state: Option<Country>,
    pub expiry: Option<PartialDate>,
}

/// How a screening name was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameForm {
    /// Given names then surname, as written on the document.
    AsWritten,
    /// The name rebuilt in Arabic script from a Doc 9303 Part 3
    /// transliteration.
    ArabicScript,
    /// The Doc 9303 Arabic transliteration made readable (`MXHMD` → `MHMD`).
    ArabicLatin,
}

/// One name to screen, with how it was obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScreeningName {
    pub value: String,
    pub form: NameForm,
}

/// A person on a document or manifest, ready for screening.
///
/// Invariant: `names` is never empty when `surname` or `given_names` is
/// not; `names[0]` is the name as written (given names first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Traveller {
    /// Primary identifier; components separated by single spaces.
    pub surname: String,
    /// Secondary identifier; components separated by single spaces.
    pub given_names: String,
    /// Names to screen, as-written form first.
    pub names: Vec<ScreeningName>,
    /// The name filled its field completely, so it may have been cut: the
    /// matcher should accept a listed name of which the last token of this
    /// one is a prefix.
    pub name_possibly_truncated: bool,
    pub birth_date: Option<PartialDate>,
    pub nationality: Option<Country>,
    pub sex: Sex,
    pub documents: Vec<TravelDocument>,
}

impl Traveller {
    /// Builds a traveller from its name parts and fills `names`. `state_hint`
    /// is the issuing state or nationality code, used to decide whether the
    /// name may be a Doc 9303 Arabic transliteration.
    pub fn from_names(
        surname: &str,
        given_names: &str,
        truncated: bool,
        state_hint: &[&str],
    ) -> Traveller {
        let surname = squash(surname);
        let given_names = squash(given_names);
        let mut t = Traveller {
            surname,
            given_names,
            name_possibly_truncated: truncated,
            ..Traveller::default()
        };
        t.names = screening_names(&t.surname, &t.given_names, state_hint);
        t
    }

    /// The display name: given names then surname.
    pub fn full_name(&self) -> String {
        join_name(&self.given_names, &self.surname)
    }

    /// The ISO alpha-2 nationality, lower case, when known.
    pub fn nationality_iso2(&self) -> Option<&'static str> {
        self.nationality.as_ref().and_then(|c| c.iso2)
    }

    /// A FollowTheMoney `Person` for the screening engine: `name` (as
    /// written), `alias` (the other screening forms), `firstName`,
    /// `lastName`, `birthDate`, `nationality`, `gender`, `passportNumber` /
    /// `idNumber`.
    pub fn to_entity(&self, id: impl Into<String>) -> Entity {
        let mut e = Entity::new(id, Schema::Person);
        for n in &self.names {
            let p = if n.form == NameForm::AsWritten {
                prop::NAME
            } else {
                prop::ALIAS
            };
            e.add(p, &n.value);
        }
        e.add(prop::FIRST_NAME, &self.given_names);
        e.add(prop::LAST_NAME, &self.surname);
        if let Some(d) = self.birth_date {
            e.add(prop::BIRTH_DATE, d.to_string());
        }
        if let Some(iso) = self.nationality_iso2() {
            e.add(prop::NATIONALITY, iso);
        }
        if let Some(g) = self.sex.ftm_gender() {
            e.add(prop::GENDER, g);
        }
        for d in &self.documents {
            let p = match d.kind {
                DocumentKind::Passport => prop::PASSPORT_NUMBER,
                _ => prop::ID_NUMBER,
            };
            e.add(p, &d.number);
        }
        e
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join_name(given: &str, surname: &str) -> String {
    match (given.is_empty(), surname.is_empty()) {
        (true, _) => surname.to_string(),
        (false, true) => given.to_string(),
        (false, false) => format!("{given} {surname}"),
    }
}

fn screening_names(surname: &str, given: &str, state_hint: &[&str]) -> Vec<ScreeningName> {
    let full = join_name(given, surname);
    if full.is_empty() {
        return Vec::new();
    }
    let mut names = vec![ScreeningName {
        value: full.clone(),
        form: NameForm::AsWritten,
    }];
    let upper = full.to_ascii_uppercase();
    if let Some(forms) = decode_arabic_mrz_name(&upper) {
        let arabic_state = state_hint.iter().any(|s| uses_arabic_script(s));
        if arabic_state || forms.x_codes >= 2 {
            names.push(ScreeningName {
                value: forms.arabic,
                form: NameForm::ArabicScript,
            });
            if forms.latin != upper {
                names.push(ScreeningName {
                    value: forms.latin,
                    form: NameForm::ArabicLatin,
                });
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_entity() {
        let mut t = Traveller::from_names("ABW BKR MXHMD BN ZKRYA ALRAZY", "NAXSSR", false, &[]);
        t.sex = Sex::Male;
        t.birth_date = "1964-01-01".parse().ok();
        t.nationality = Some(Country::from_code("NLD"));
        let values: Vec<_> = t.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(
            values,
            [
                "NAXSSR ABW BKR MXHMD BN ZKRYA ALRAZY",
                "ناصر ابو بكر محمد بن زكريا الرازي",
                "NASR ABW BKR MHMD BN ZKRYA ALRAZY"
            ]
        );
        let e = t.to_entity("t1");
        assert_eq!(
            e.first(prop::LAST_NAME),
            Some("ABW BKR MXHMD BN ZKRYA ALRAZY")
        );
        assert_eq!(e.nationalities(), ["nl"]);
        assert_eq!(e.gender(), Some("male"));
        assert_eq!(e.get(prop::ALIAS).len(), 2);
    }

    #[test]
    fn one_x_code_needs_an_arabic_script_state() {
        let t = Traveller::from_names("MAXIME", "", false, &["FRA"]);
        assert_eq!(t.names.len(), 1);
        let t = Traveller::from_names("XKHALID", "", false, &["SAU"]);
        assert_eq!(t.names.len(), 3);
        assert_eq!(t.names[2].value, "KHALID");
    }
}
