use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{ModelError, PartialDate, prop};

/// FollowTheMoney property bag: property name -> values, in source order.
pub type Properties = BTreeMap<String, Vec<String>>;

/// The FollowTheMoney schemata tansiq screens against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Person,
    Organization,
    LegalEntity,
    Company,
    Vessel,
    Airplane,
}

impl Schema {
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::LegalEntity => "LegalEntity",
            Schema::Company => "Company",
            Schema::Vessel => "Vessel",
            Schema::Airplane => "Airplane",
        }
    }

    pub fn is_person(self) -> bool {
        self == Schema::Person
    }

    /// Organisation-like schemata (a query for an `Organization` may be a
    /// `Company` on a list and vice versa).
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            Schema::Organization | Schema::LegalEntity | Schema::Company
        )
    }

    /// Whether an entity of schema `self` can be the same real thing as one
    /// of schema `other`. `LegalEntity` is FtM's parent of both persons and
    /// organisations, so it is compatible with either.
    pub fn compatible(self, other: Schema) -> bool {
        self == other
            || self == Schema::LegalEntity
            || other == Schema::LegalEntity
            || (self.is_organisation() && other.is_organisation())
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Schema {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Schema, ModelError> {
        Ok(match s {
            "Person" => Schema::Person,
            "Organization" => Schema::Organization,
            "LegalEntity" => Schema::LegalEntity,
            "Company" => Schema::Company,
            "Vessel" => Schema::Vessel,
            "Airplane" => Schema::Airplane,
            _ => return Err(ModelError::UnknownSchema(s.to_string())),
        })
    }
}

/// A watchlist entity: a FollowTheMoney entity (`id`, `schema`,
/// `properties`) plus tansiq's own fields. Serialised as FtM JSON with the
/// extra fields beside the standard ones (FtM readers ignore them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub id: String,
    pub schema: Schema,
    #[serde(default, deserialize_with = "properties_exact")]
    pub properties: Properties,
    #[serde(default, skip_serializing_if = "Provenance::is_empty")]
    pub provenance: Provenance,
    /// Originating agency (national entries), e.g. `dz-dgsn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<LegalBasis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_on_hit: Option<ActionOnHit>,
    #[serde(default)]
    pub sharing: SharingPolicy,
    #[serde(default, skip_serializing_if = "Validity::is_empty")]
    pub validity: Validity,
    #[serde(default)]
    pub status: EntryStatus,
}

/// Reads a property bag with no spare room in its value lists (serde
/// grows a list as it reads it, to room for four values; most hold one):
/// a node holds every active entity in memory (crates/cli/BENCH.md,
/// session 13).
fn properties_exact<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Properties, D::Error> {
    let mut properties = Properties::deserialize(d)?;
    for values in properties.values_mut() {
        values.shrink_to_fit();
    }
    Ok(properties)
}

/// Where an entity came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Source name, e.g. `un-sc`, `ofac-sdn`, or `national` for own entries.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The list version this record was read from (e.g. the list's own
    /// generation date, or a content hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_version: Option<String>,
    /// The record's id in the source (e.g. UN DATAID, OFAC ent_num).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_record_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended_on: Option<String>,
}

impl Provenance {
    pub fn is_empty(&self) -> bool {
        self == &Provenance::default()
    }
}

/// The legal basis of an entry: for a wanted person the arrest warrant, for a
/// sanctions listing the resolution or regime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warrant_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offence: Option<String>,
    /// Free text: statute, resolution or regime (e.g. "UNSCR 2253 (2015)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The sanctions regime of a listing, e.g. "UN 1518 (Iraq)" or
    /// "OFAC SDGT".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<String>,
    /// What the listing imposes on its subject; `None` for entries that
    /// are not sanctions listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<Measures>,
}

/// Whether one sanctions measure applies to a listed subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    Yes,
    No,
    /// Not known from the list: the officer must verify it (never guessed).
    Verify,
}

/// The measures a sanctions listing imposes on its subject, and where that
/// was read. A measure that is not known is `Verify`, not `No`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measures {
    pub travel_ban: Applies,
    pub asset_freeze: Applies,
    pub arms_embargo: Applies,
    /// Where the measures come from: the regime table, the entry's own
    /// narrative, or the agency's override (free text, shown to the
    /// officer).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
}

impl Measures {
    /// Every measure unknown: the officer verifies them.
    pub const VERIFY: Measures = Measures {
        travel_ban: Applies::Verify,
        asset_freeze: Applies::Verify,
        arms_embargo: Applies::Verify,
        from: String::new(),
    };

    /// (name, applies) of each measure, in a fixed order.
    pub fn each(&self) -> [(&'static str, Applies); 3] {
        [
            ("travel ban", self.travel_ban),
            ("asset freeze", self.asset_freeze),
            ("arms embargo", self.arms_embargo),
        ]
    }

    /// One line for the officer: the measures that apply, then those to
    /// verify, e.g. "asset freeze; verify: travel ban".
    pub fn summary(&self) -> String {
        let of = |want: Applies| -> Vec<&str> {
            self.each()
                .into_iter()
                .filter(|(_, a)| *a == want)
                .map(|(n, _)| n)
                .collect()
        };
        let (yes, verify) = (of(Applies::Yes), of(Applies::Verify));
        let mut out = if yes.is_empty() {
            "no personal measure known".to_string()
        } else {
            yes.join(", ")
        };
        if !verify.is_empty() {
            out.push_str("; verify measures: ");
            out.push_str(&verify.join(", "));
        }
        out
    }

    /// What the border officer does on a confirmed hit. Only a travel ban
    /// stops a person at the border; a travel ban that may apply is
    /// checked before the person is admitted; an asset freeze or an arms
    /// embargo alone is reported to the competent authority. There is
    /// nobody to refuse for an organisation.
    pub fn action(&self, person: bool) -> ActionOnHit {
        if !person {
            return ActionOnHit::Inform;
        }
        match self.travel_ban {
            Applies::Yes => ActionOnHit::RefuseEntry,
            Applies::Verify => ActionOnHit::SpecificCheck,
            Applies::No => ActionOnHit::Inform,
        }
    }
}

/// What the issuing agency asks the border officer to do on a confirmed hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionOnHit {
    Arrest,
    RefuseEntry,
    DiscreetCheck,
    SpecificCheck,
    Inform,
}

impl ActionOnHit {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionOnHit::Arrest => "arrest",
            ActionOnHit::RefuseEntry => "refuse-entry",
            ActionOnHit::DiscreetCheck => "discreet-check",
            ActionOnHit::SpecificCheck => "specific-check",
            ActionOnHit::Inform => "inform",
        }
    }
}

impl FromStr for ActionOnHit {
    type Err = String;
    fn from_str(s: &str) -> Result<ActionOnHit, String> {
        Ok(match s {
            "arrest" => ActionOnHit::Arrest,
            "refuse-entry" => ActionOnHit::RefuseEntry,
            "discreet-check" => ActionOnHit::DiscreetCheck,
            "specific-check" => ActionOnHit::SpecificCheck,
            "inform" => ActionOnHit::Inform,
            _ => {
                return Err(format!(
                    "unknown action {s:?} (expected arrest, refuse-entry, discreet-check, specific-check or inform)"
                ));
            }
        })
    }
}

/// Who may see an entry (originator control).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingPolicy {
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub federation: FederationShare,
}

/// Visibility inside the node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "scope")]
pub enum Visibility {
    /// Every agency of the node (the default for public lists).
    #[default]
    National,
    /// Only the originating agency.
    Originator,
    /// The originating agency and the listed ones.
    Agencies { agencies: Vec<String> },
}

/// Whether an entry may leave the node under a sharing agreement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FederationShare {
    /// Never leaves this node.
    #[default]
    Never,
    /// Shared as the node's sharing agreements say.
    ByAgreement,
}

/// Validity of an entry (ISO dates, inclusive).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<String>,
}

impl Validity {
    pub fn is_empty(&self) -> bool {
        self == &Validity::default()
    }

    /// Whether the entry is in force on `today` (ISO `YYYY-MM-DD`; ISO dates
    /// compare correctly as strings).
    pub fn in_force(&self, today: &str) -> bool {
        self.valid_from.as_deref().is_none_or(|f| f <= today)
            && self.valid_until.as_deref().is_none_or(|u| today <= u)
    }
}

/// Lifecycle status of an entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryStatus {
    #[default]
    Active,
    Withdrawn,
}

/// How strongly a name identifies its entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    /// The primary name (`name`).
    Primary,
    /// A strong alias (`alias`, `previousName`).
    Alias,
    /// A weak alias (`weakAlias`): nicknames, noms de guerre of low quality.
    Weak,
}

/// One name of an entity with its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameRef<'a> {
    pub value: &'a str,
    pub kind: NameKind,
}

/// Kind of an identity document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Passport,
    NationalId,
}

/// One document number of an entity, normalised with
/// [`normalize_document_number`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentRef {
    pub kind: DocumentKind,
    pub number: String,
}

/// Normalises a document number for comparison: keeps ASCII letters and
/// digits, upper-cased; everything else (spaces, dashes, slashes) is dropped.
pub fn normalize_document_number(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Entity {
    /// A new active entity with no properties.
    pub fn new(id: impl Into<String>, schema: Schema) -> Entity {
        Entity {
            id: id.into(),
            schema,
            properties: Properties::new(),
            provenance: Provenance::default(),
            origin_agency: None,
            legal_basis: None,
            action_on_hit: None,
            sharing: SharingPolicy::default(),
            validity: Validity::default(),
            status: EntryStatus::Active,
        }
    }

    /// Releases the spare capacity of the entity's strings and value
    /// lists ([`Entity::add`] and reading JSON leave none in the lists; a
    /// list pushed to directly keeps room for four values, most hold
    /// one). For entities held for long: the screening index holds every
    /// active one (crates/cli/BENCH.md, session 13).
    pub fn shrink_to_fit(&mut self) {
        fn opt(s: &mut Option<String>) {
            if let Some(s) = s {
                s.shrink_to_fit();
            }
        }
        self.id.shrink_to_fit();
        for values in self.properties.values_mut() {
            values.shrink_to_fit();
            for v in values {
                v.shrink_to_fit();
            }
        }
        let p = &mut self.provenance;
        p.source.shrink_to_fit();
        for s in [
            &mut p.list_version,
            &mut p.source_record_id,
            &mut p.listed_on,
            &mut p.amended_on,
            &mut self.origin_agency,
            &mut self.validity.valid_from,
            &mut self.validity.valid_until,
            &mut self.validity.review_on,
        ] {
            opt(s);
        }
        if let Some(l) = &mut self.legal_basis {
            for s in [
                &mut l.warrant_number,
                &mut l.court,
                &mut l.issued_on,
                &mut l.offence,
                &mut l.basis,
                &mut l.regime,
            ] {
                opt(s);
            }
            if let Some(m) = &mut l.measures {
                m.from.shrink_to_fit();
            }
        }
        if let Visibility::Agencies { agencies } = &mut self.sharing.visibility {
            agencies.shrink_to_fit();
            for a in agencies {
                a.shrink_to_fit();
            }
        }
    }

    /// Values of a property (empty when absent).
    pub fn get(&self, property: &str) -> &[String] {
        self.properties
            .get(property)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// First value of a property.
    pub fn first(&self, property: &str) -> Option<&str> {
        self.get(property).first().map(String::as_str)
    }

    /// Adds a value unless it is blank or already present; returns whether
    /// it was added. Values are trimmed.
    pub fn add(&mut self, property: &str, value: impl AsRef<str>) -> bool {
        let value = value.as_ref().trim();
        if value.is_empty() {
            return false;
        }
        let values = self.properties.entry(property.to_string()).or_default();
        if values.iter().any(|v| v == value) {
            return false;
        }
        // exactly one more: most lists hold one value, and an entity is
        // kept for long (see `shrink_to_fit`)
        values.reserve_exact(1);
        values.push(value.to_string());
        true
    }

    /// Every name of the entity with its kind, primary names first. When
    /// the entity has no `name` but has name parts, they are joined into one
    /// primary name (given names first, as lists usually print them).
    pub fn names(&self) -> Vec<NameRef<'_>> {
        let mut out = Vec::new();
        for v in self.get(prop::NAME) {
            out.push(NameRef {
                value: v,
                kind: NameKind::Primary,
            });
        }
        for p in [prop::ALIAS, prop::PREVIOUS_NAME] {
            for v in self.get(p) {
                out.push(NameRef {
                    value: v,
                    kind: NameKind::Alias,
                });
            }
        }
        for v in self.get(prop::WEAK_ALIAS) {
            out.push(NameRef {
                value: v,
                kind: NameKind::Weak,
            });
        }
        out
    }

    /// The name composed from parts (`firstName`, `secondName`,
    /// `middleName`, `fatherName`, `lastName`) when present.
    pub fn composed_name(&self) -> Option<String> {
        let parts: Vec<&str> = [
            prop::FIRST_NAME,
            prop::SECOND_NAME,
            prop::MIDDLE_NAME,
            prop::FATHER_NAME,
            prop::LAST_NAME,
        ]
        .iter()
        .filter_map(|p| self.first(p))
        .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// A display caption: the first primary name, else an alias, else the
    /// composed name, else the id.
    pub fn caption(&self) -> String {
        self.names()
            .first()
            .map(|n| n.value.to_string())
            .or_else(|| self.composed_name())
            .unwrap_or_else(|| self.id.clone())
    }

    /// Birth dates that parse (unparseable values are ignored here; list
    /// importers report them as diagnostics).
    pub fn birth_dates(&self) -> Vec<PartialDate> {
        self.get(prop::BIRTH_DATE)
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect()
    }

    /// Nationalities and citizenships, lower-cased ISO codes, de-duplicated.
    pub fn nationalities(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in [prop::NATIONALITY, prop::CITIZENSHIP] {
            for v in self.get(p) {
                let v = v.trim().to_ascii_lowercase();
                if !v.is_empty() && !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Gender (`male`, `female`, `other`) when stated.
    pub fn gender(&self) -> Option<&str> {
        self.first(prop::GENDER)
    }

    /// Passport and ID numbers, normalised; empty numbers are dropped.
    pub fn documents(&self) -> Vec<DocumentRef> {
        let mut out = Vec::new();
        for (p, kind) in [
            (prop::PASSPORT_NUMBER, DocumentKind::Passport),
            (prop::ID_NUMBER, DocumentKind::NationalId),
        ] {
            for v in self.get(p) {
                let number = normalize_document_number(v);
                if !number.is_empty() {
                    out.push(DocumentRef { kind, number });
                }
            }
        }
        out
    }

    /// Whether the entry can produce hits on `today` (ISO date).
    pub fn is_screenable(&self, today: &str) -> bool {
        self.status == EntryStatus::Active && self.validity.in_force(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_keeps_the_entity_and_frees_spare_room() {
        let mut e = Entity::new("X1", Schema::Person);
        e.add(prop::NAME, "Karim Haddad");
        e.add(prop::ALIAS, "Kareem Hadad");
        e.add(prop::ALIAS, "Karim al-Haddad");
        e.add(prop::NATIONALITY, "dz");
        // added values leave no spare room; pushed ones do
        for values in e.properties.values() {
            assert_eq!(values.capacity(), values.len());
        }
        e.properties
            .entry(prop::GENDER.to_string())
            .or_default()
            .push("male".into());
        e.provenance.list_version = Some(String::with_capacity(64) + "2026-12-01");
        let before = e.clone();
        assert!(e.properties.values().any(|v| v.capacity() > v.len()));
        e.shrink_to_fit();
        assert_eq!(e, before);
        for values in e.properties.values() {
            assert_eq!(values.capacity(), values.len());
        }
        assert_eq!(
            e.provenance.list_version.as_ref().map(String::capacity),
            Some(10)
        );
    }

    #[test]
    fn ftm_round_trip_keeps_unknown_properties() {
        let line = r#"{"id":"QDi.1","schema":"Person","properties":{"name":["A B"],"alias":["C D"],"weakAlias":["E"],"passportNumber":["P 123-45"],"nationality":["DZ"],"religion":["x"]}}"#;
        let e: Entity = serde_json::from_str(line).unwrap();
        assert_eq!(e.names().len(), 3);
        assert_eq!(e.names()[2].kind, NameKind::Weak);
        assert_eq!(e.documents()[0].number, "P12345");
        assert_eq!(e.nationalities(), vec!["dz"]);
        let back: Entity = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        for values in back.properties.values() {
            assert_eq!(values.capacity(), values.len(), "read with no spare room");
        }
        assert_eq!(back.get("religion"), ["x"]);
    }

    #[test]
    fn tansiq_fields_serialise_beside_ftm_ones() {
        let mut e = Entity::new("dz-1", Schema::Person);
        e.add(prop::NAME, "  Karim Haddad ");
        assert!(!e.add(prop::NAME, "Karim Haddad"));
        e.action_on_hit = Some(ActionOnHit::Arrest);
        e.validity.valid_until = Some("2030-01-01".into());
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["action_on_hit"], "arrest");
        assert_eq!(json["sharing"]["visibility"]["scope"], "national");
        assert!(e.is_screenable("2026-11-29"));
        assert!(!e.is_screenable("2030-01-02"));
    }

    #[test]
    fn schema_compatibility() {
        assert!(Schema::Company.compatible(Schema::Organization));
        assert!(Schema::LegalEntity.compatible(Schema::Person));
        assert!(!Schema::Person.compatible(Schema::Organization));
        assert!("Plane".parse::<Schema>().is_err());
    }
}
