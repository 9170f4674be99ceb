//! US Treasury OFAC SDN list, legacy CSV: `sdn.csv` (one row per listed
//! party), `alt.csv` (aliases) and `add.csv` (addresses). No header row;
//! `-0-` stands for an empty value.
//!
//! `sdn.csv`: `ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
//! Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks`. `SDN_Type` is
//! `individual`, `vessel`, `aircraft` or `-0-` (an entity): they become
//! `Person`, `Vessel`, `Airplane` and `Organization`, kept apart.
//! Individuals are written `LAST, First[, Suffix]`; `name` is turned into
//! `First LAST` and the parts kept in `firstName`/`lastName`.
//!
//! The `Remarks` column follows OFAC's conventions, `;`-separated: `DOB
//! 14 Mar 1971`, `alt. DOB circa 1970`, `POB City, Country`, `nationality
//! X`, `citizen X`, `Gender Male`, `Passport N (Country)`, `National ID No.
//! N (Country)` and many other identifier labels, `a.k.a. 'NAME'`, `f.k.a.
//! 'NAME'`, `n.k.a. 'NAME'`, `Vessel Registration Identification IMO N`,
//! `MMSI N`, `Aircraft Model X`. Those are read into properties; the whole
//! remark is also kept as `notes`.

use std::collections::HashMap;
use std::io::Read;

use tansiq_model::{Entity, Schema, prop};

use crate::countries;
use crate::diag::{Diagnostic, ListError};
use crate::position::ContentId;
use crate::text::{english_dates, one_line};
use crate::{Format, ParsedList};

/// The `source` of OFAC SDN entities.
pub const SOURCE: &str = "ofac-sdn";

const SDN_FIELDS: usize = 12;
const ALT_FIELDS: usize = 5;
const ADD_FIELDS: usize = 6;

/// Identifier labels that OFAC writes before a number, longest first when
/// matched. Passports are told apart by [`PASSPORT_LABELS`].
const ID_LABELS: &[&str] = &[
    "National ID No.",
    "Cedula No.",
    "NIT #",
    "C.U.R.P. #",
    "C.U.R.P.",
    "R.F.C. #",
    "R.F.C.",
    "RFC",
    "Registration Number",
    "Tax ID No.",
    "Registration ID",
    "RUC #",
    "Identification Number IMO",
    "Identification Number",
    "Folio Mercantil No.",
    "Government Gazette Number",
    "Commercial Registry Number",
    "Company Number IMO",
    "UK Company Number",
    "Company Number",
    "Matricula Mercantil No",
    "Business Registration Number",
    "Business Registration Document #",
    "V.A.T. Number",
    "D.N.I.",
    "C.R. No.",
    "D-U-N-S Number",
    "RIF #",
    "Trade License No.",
    "Driver's License No.",
    "Electoral Registry No.",
    "Italian Fiscal Code",
    "Credencial electoral",
    "Personal ID Card",
    "Cartilla de Servicio Militar Nacional",
    "National Foreign ID Number",
    "US FEIN",
    "Chamber of Commerce Number",
    "SSN",
    "Public Registration Number",
    "Birth Certificate Number",
    "Unified Social Credit Code (USCC)",
    "United Social Credit Code Certificate (USCCC)",
    "Registered Charity No.",
    "C.U.I.T.",
    "C.U.I.P.",
    "C.U.I.",
    "LE Number",
    "Residency Number",
    "Certificate of Incorporation Number",
    "Turkish Identification Number",
    "Numero de Identidad",
    "RTN",
    "Enterprise Number",
    "Citizen's Card Number",
    "Legal Entity Number",
    "Kenyan ID No.",
    "File Number",
    "Business Number",
    "I.F.E.",
    "BIK (RU)",
    "SWIFT/BIC",
];

const PASSPORT_LABELS: &[&str] = &[
    "Passport Booklet:",
    "Diplomatic Passport",
    "Travel Document Number",
    "Passport No.",
    "Passport",
];

/// Parses the OFAC SDN legacy CSV files. `sdn` is required; `alt` and
/// `add` are read when given.
///
/// `Err` when a file is not this format (its first row is not the
/// format's number of fields starting with a numeric `ent_num`), or when a file's last row is cut
/// short (fewer fields than the format has and no final newline: a
/// truncated download). A row with the wrong number of fields elsewhere is
/// an error diagnostic and is skipped; a remark that does not parse (a
/// date, a country) is a warning.
pub fn parse_ofac(
    sdn: impl Read,
    alt: Option<impl Read>,
    add: Option<impl Read>,
) -> Result<ParsedList, ListError> {
    let mut content = ContentId::default();
    let mut diagnostics = Vec::new();
    let sdn_rows = read_rows(sdn, "sdn.csv", SDN_FIELDS, &mut content, &mut diagnostics)?;
    if sdn_rows.is_empty() {
        return Err(ListError::not_this(Format::OfacCsv, "sdn.csv holds no row"));
    }

    let mut entities: Vec<Entity> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in &sdn_rows {
        if let Some(entity) = sdn_entity(row, &index, &mut diagnostics) {
            index.entry(row.fields[0].clone()).or_insert(entities.len());
            entities.push(entity);
        }
    }

    if let Some(alt) = alt {
        for row in read_rows(alt, "alt.csv", ALT_FIELDS, &mut content, &mut diagnostics)? {
            let Some(&i) = index.get(&row.fields[0]) else {
                diagnostics.push(unknown_ent(&row, "alt.csv"));
                continue;
            };
            alias(&mut entities[i], &row, &mut diagnostics);
        }
    }
    if let Some(add) = add {
        for row in read_rows(add, "add.csv", ADD_FIELDS, &mut content, &mut diagnostics)? {
            let Some(&i) = index.get(&row.fields[0]) else {
                diagnostics.push(unknown_ent(&row, "add.csv"));
                continue;
            };
            address(&mut entities[i], &row, &mut diagnostics);
        }
    }

    let version = content.render();
    for e in &mut entities {
        e.provenance.list_version = Some(version.clone());
    }
    Ok(ParsedList {
        source: SOURCE.to_string(),
        version,
        entities,
        diagnostics,
    })
}

/// One CSV row: its line and its fields, `-0-` already turned into "".
#[derive(Debug)]
struct Row {
    line: u64,
    fields: Vec<String>,
}

fn read_rows(
    mut input: impl Read,
    file: &str,
    expect: usize,
    content: &mut ContentId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<Row>, ListError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| ListError::Read {
            format: Format::OfacCsv,
            source,
        })?;
    content.update(&bytes);
    let ends_with_newline = bytes.last().is_some_and(|b| *b == b'\n' || *b == 0x1A);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..]);
    let mut rows = Vec::new();
    let diagnostics_before = diagnostics.len();
    let mut records = reader.byte_records().peekable();
    while let Some(record) = records.next() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diagnostics.push(Diagnostic::error(
                    line,
                    format!("{file}: row cannot be read: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        // OFAC ends its files with a DOS end-of-file character.
        if record.len() == 1
            && record[0]
                .iter()
                .all(|b| *b == 0x1A || b.is_ascii_whitespace())
        {
            continue;
        }
        // The first row decides whether this is the file at all.
        if rows.is_empty() && diagnostics_before == diagnostics.len() {
            let ent_num = record.get(0).unwrap_or(&[]);
            let numeric = !ent_num.is_empty() && ent_num.iter().all(u8::is_ascii_digit);
            let cut_short = records.peek().is_none() && !ends_with_newline && record.len() < expect;
            if !numeric || (record.len() != expect && !cut_short) {
                return Err(ListError::not_this(
                    Format::OfacCsv,
                    format!(
                        "{file} line {line} is not an OFAC row ({} fields, expected {expect} starting with a numeric ent_num)",
                        record.len()
                    ),
                ));
            }
        }
        if record.len() != expect {
            let last = records.peek().is_none();
            if last && !ends_with_newline && record.len() < expect {
                return Err(ListError::Truncated {
                    format: Format::OfacCsv,
                    line,
                    column: record.len() as u64,
                    reason: format!(
                        "{file} ends inside a row ({} of {expect} fields)",
                        record.len()
                    ),
                });
            }
            diagnostics.push(
                Diagnostic::error(
                    line,
                    format!(
                        "{file}: row has {} fields, expected {expect}: skipped",
                        record.len()
                    ),
                )
                .record(record.get(0).map(decode).as_deref()),
            );
            continue;
        }
        let fields = record
            .iter()
            .map(|f| {
                let v = one_line(&decode(f));
                if v == "-0-" { String::new() } else { v }
            })
            .collect();
        rows.push(Row { line, fields });
    }
    Ok(rows)
}

/// UTF-8, or Latin-1 when the bytes are not UTF-8 (older OFAC files).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

fn unknown_ent(row: &Row, file: &str) -> Diagnostic {
    Diagnostic::warning(
        row.line,
        format!(
            "{file}: ent_num {} is not in sdn.csv: row ignored",
            row.fields[0]
        ),
    )
    .record(Some(&row.fields[0]))
    .field(format!("{file} ent_num"))
}

/// `LAST, First[, Suffix]` -> (`First LAST Suffix`, first, last).
fn person_name(raw: &str) -> (String, Option<String>, Option<String>) {
    let mut parts = raw.split(", ").map(str::trim);
    let last = parts.next().unwrap_or("").to_string();
    let Some(first) = parts.next().filter(|f| !f.is_empty()) else {
        return (raw.to_string(), None, None);
    };
    let suffix: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
    let mut name = format!("{first} {last}");
    for s in suffix {
        name.push(' ');
        name.push_str(s);
    }
    (name, Some(first.to_string()), Some(last))
}

fn sdn_entity(
    row: &Row,
    index: &HashMap<String, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Entity> {
    let f = &row.fields;
    let ent_num = f[0].as_str();
    if ent_num.is_empty() || !ent_num.bytes().all(|b| b.is_ascii_digit()) {
        diagnostics.push(
            Diagnostic::error(
                row.line,
                format!("ent_num {ent_num:?} is not a number: row skipped"),
            )
            .column(1)
            .field("ent_num"),
        );
        return None;
    }
    if f[1].is_empty() {
        diagnostics.push(
            Diagnostic::error(row.line, "no SDN_Name: row skipped")
                .column(2)
                .record(Some(ent_num))
                .field("SDN_Name"),
        );
        return None;
    }
    let schema = match f[2].to_ascii_lowercase().as_str() {
        "individual" => Schema::Person,
        "vessel" => Schema::Vessel,
        "aircraft" => Schema::Airplane,
        "" => Schema::Organization,
        other => {
            diagnostics.push(
                Diagnostic::warning(
                    row.line,
                    format!("unknown SDN_Type {other:?}: read as an organisation"),
                )
                .column(3)
                .record(Some(ent_num))
                .field("SDN_Type"),
            );
            Schema::Organization
        }
    };
    // One ent_num appears twice in the 2022 file, for two different
    // parties: keep both rather than drop a listed party.
    let id = if index.contains_key(ent_num) {
        let id = format!("ofac-{ent_num}-{}", row.line);
        diagnostics.push(
            Diagnostic::warning(
                row.line,
                format!("ent_num {ent_num} is already used by an earlier row: this one is kept as {id}; alt.csv and add.csv rows go to the first"),
            )
            .column(1)
            .record(Some(ent_num))
            .field("ent_num"),
        );
        id
    } else {
        format!("ofac-{ent_num}")
    };
    let mut e = Entity::new(id, schema);
    e.provenance.source = SOURCE.to_string();
    e.provenance.source_record_id = Some(ent_num.to_string());
    if schema == Schema::Person {
        let (name, first, last) = person_name(&f[1]);
        e.add(prop::NAME, name);
        if let Some(first) = first {
            e.add(prop::FIRST_NAME, first);
        }
        if let Some(last) = last {
            e.add(prop::LAST_NAME, last);
        }
        e.add(prop::POSITION, &f[4]);
    } else {
        e.add(prop::NAME, &f[1]);
        e.add(prop::TITLE, &f[4]);
    }
    let programs: Vec<&str> = f[3]
        .split(['[', ']'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // An SDN listing blocks property under US jurisdiction; it is no
    // travel ban (crate::measures, MEASURES.md).
    let basis =
        (!programs.is_empty()).then(|| format!("US OFAC SDN, programs: {}", programs.join(", ")));
    let (regime, measures) = crate::measures::ofac_measures(&programs);
    crate::measures::apply(&mut e, basis, regime, measures);
    e.add(prop::TOPICS, "sanction");
    if schema == Schema::Vessel {
        e.add("callSign", &f[5]);
        e.add("type", &f[6]);
        e.add("tonnage", &f[7]);
        e.add("grossRegisteredTonnage", &f[8]);
        if !f[9].is_empty() && !countries::is_placeholder(&f[9]) {
            match countries::country_code(&f[9]) {
                Some(code) => {
                    e.add("flag", code);
                }
                None => diagnostics.push(
                    Diagnostic::warning(
                        row.line,
                        format!("flag {:?} has no ISO code: ignored", f[9]),
                    )
                    .column(10)
                    .record(Some(ent_num))
                    .field("Vess_flag"),
                ),
            }
        }
        if !f[10].is_empty() {
            e.add(prop::NOTES, format!("Owner: {}", f[10]));
        }
    } else if schema == Schema::Airplane {
        e.add(prop::REGISTRATION_NUMBER, &f[1]);
    }
    e.add(prop::NOTES, &f[11]);
    let mut remarks = Remarks {
        entity: &mut e,
        line: row.line,
        ent_num,
        diagnostics,
    };
    remarks.read(&f[11]);
    Some(e)
}

struct Remarks<'a> {
    entity: &'a mut Entity,
    line: u64,
    ent_num: &'a str,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Remarks<'_> {
    fn warn(&mut self, message: String) {
        self.diagnostics.push(
            Diagnostic::warning(self.line, message)
                .column(SDN_FIELDS as u64)
                .record(Some(self.ent_num))
                .field("Remarks"),
        );
    }

    fn read(&mut self, remarks: &str) {
        for part in remarks.split(';') {
            let part = part.trim().trim_end_matches('.').trim();
            let part = part.strip_prefix("alt. ").unwrap_or(part);
            if part.is_empty() {
                continue;
            }
            self.part(part);
        }
    }

    fn part(&mut self, part: &str) {
        let person = self.entity.schema == Schema::Person;
        if let Some(date) = part.strip_prefix("DOB ") {
            match english_dates(date) {
                Some(dates) => {
                    for d in dates {
                        self.entity.add(prop::BIRTH_DATE, d.to_string());
                    }
                }
                None => self.warn(format!("date of birth {date:?} does not parse: ignored")),
            }
        } else if let Some(place) = part.strip_prefix("POB ") {
            self.entity.add(prop::BIRTH_PLACE, place);
        } else if let Some(country) = part.strip_prefix("nationality ") {
            self.country(country, prop::NATIONALITY);
        } else if let Some(country) = part.strip_prefix("citizen ") {
            self.country(country, prop::CITIZENSHIP);
        } else if let Some(gender) = part.strip_prefix("Gender ") {
            match gender.to_ascii_lowercase().as_str() {
                g @ ("male" | "female") => {
                    self.entity.add(prop::GENDER, g);
                }
                _ => self.warn(format!("unknown gender {gender:?}: ignored")),
            }
        } else if let Some((property, name)) = [
            ("a.k.a. ", prop::ALIAS),
            ("n.k.a. ", prop::ALIAS),
            ("f.k.a. ", prop::PREVIOUS_NAME),
        ]
        .iter()
        .find_map(|(label, property)| part.strip_prefix(label).map(|n| (*property, n)))
        {
            let name = name.trim().trim_matches(|c| c == '\'' || c == '"').trim();
            let name = if person && name.contains(", ") {
                person_name(name).0
            } else {
                name.to_string()
            };
            self.entity.add(property, name);
        } else if let Some(imo) = part.strip_prefix("Vessel Registration Identification ") {
            self.entity.add(prop::IMO_NUMBER, imo);
        } else if let Some(mmsi) = part.strip_prefix("MMSI ") {
            self.entity.add("mmsi", mmsi);
        } else if let Some(model) = part.strip_prefix("Aircraft Model ") {
            self.entity.add("model", model);
        } else if let Some(serial) =
            part.strip_prefix("Aircraft Manufacturer's Serial Number (MSN) ")
        {
            self.entity.add("serialNumber", serial);
        } else if let Some(number) = label_value(part, PASSPORT_LABELS) {
            self.entity.add(prop::PASSPORT_NUMBER, number);
        } else if let Some(number) = label_value(part, ID_LABELS) {
            let property = if person {
                prop::ID_NUMBER
            } else {
                prop::REGISTRATION_NUMBER
            };
            self.entity.add(property, number);
        }
        // Anything else (programs' legal notes, "Linked To:", contact
        // details) stays in `notes`, which holds the whole remark.
    }

    fn country(&mut self, name: &str, property: &str) {
        if countries::is_placeholder(name) {
            return;
        }
        match countries::country_code(name) {
            Some(code) => {
                self.entity.add(property, code);
            }
            None => self.warn(format!(
                "country name {name:?} has no ISO code: not kept as {property}"
            )),
        }
    }
}

/// `Passport G4506013 (Iran) issued 2010` -> `G4506013` for a known label.
fn label_value(part: &str, labels: &[&str]) -> Option<String> {
    let label = labels
        .iter()
        .filter(|l| part.starts_with(**l) && part[l.len()..].starts_with(' '))
        .max_by_key(|l| l.len())?;
    let mut value = part[label.len()..].trim();
    for stop in [" (", ", issued", " issued", ", expires", " expires"] {
        if let Some(at) = value.find(stop) {
            value = &value[..at];
        }
    }
    let value = value.trim().trim_end_matches(',');
    value
        .bytes()
        .any(|b| b.is_ascii_digit())
        .then(|| value.to_string())
}

fn alias(e: &mut Entity, row: &Row, diagnostics: &mut Vec<Diagnostic>) {
    let f = &row.fields;
    let name = if e.schema == Schema::Person && f[3].contains(", ") {
        person_name(&f[3]).0
    } else {
        f[3].clone()
    };
    if name.is_empty() {
        diagnostics.push(
            Diagnostic::warning(row.line, "alt.csv: empty alt_name: ignored")
                .column(4)
                .record(Some(&f[0]))
                .field("alt.csv alt_name"),
        );
        return;
    }
    let weak = f[4].to_ascii_lowercase().contains("weak");
    let property = match f[2]
        .to_ascii_lowercase()
        .replace([' ', '.', '-'], "")
        .as_str()
    {
        "aka" if weak => prop::WEAK_ALIAS,
        "aka" | "nka" => prop::ALIAS,
        "fka" => prop::PREVIOUS_NAME,
        "weakaka" | "waka" => prop::WEAK_ALIAS,
        other => {
            diagnostics.push(
                Diagnostic::warning(
                    row.line,
                    format!("alt.csv: unknown alt_type {other:?}: kept as a strong alias"),
                )
                .column(3)
                .record(Some(&f[0]))
                .field("alt.csv alt_type"),
            );
            prop::ALIAS
        }
    };
    e.add(property, name);
}

fn address(e: &mut Entity, row: &Row, diagnostics: &mut Vec<Diagnostic>) {
    let f = &row.fields;
    let joined = [&f[2], &f[3], &f[4]]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    e.add(prop::ADDRESS, joined);
    if !f[4].is_empty() && !countries::is_placeholder(&f[4]) {
        match countries::country_code(&f[4]) {
            Some(code) => {
                e.add(prop::COUNTRY, code);
            }
            None => diagnostics.push(
                Diagnostic::warning(
                    row.line,
                    format!(
                        "add.csv: country {:?} has no ISO code: not kept as country",
                        f[4]
                    ),
                )
                .column(5)
                .record(Some(&f[0]))
                .field("add.csv country"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sdn: &str, alt: Option<&str>, add: Option<&str>) -> Result<ParsedList, ListError> {
        parse_ofac(
            sdn.as_bytes(),
            alt.map(str::as_bytes),
            add.map(str::as_bytes),
        )
    }

    #[test]
    fn names_turn_around() {
        assert_eq!(
            person_name("HADDAD, Karim"),
            (
                "Karim HADDAD".into(),
                Some("Karim".into()),
                Some("HADDAD".into())
            )
        );
        assert_eq!(
            person_name("DELA CRUZ, Ramon Santos, Jr.").0,
            "Ramon Santos DELA CRUZ Jr."
        );
        assert_eq!(person_name("SANTOSO").0, "SANTOSO");
    }

    #[test]
    fn remarks_are_read() {
        let sdn = "900001,\"HADDAD, Karim\",individual,SDGT] [IFSR,Commander,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 14 Mar 1971; alt. DOB circa 1970; POB Oran, Algeria; nationality Algeria; alt. nationality Freedonia; citizen Tunisia; Gender Male; Passport A1234567 (Algeria) issued 01 Jan 2010; National ID No. 123-456 (Algeria); a.k.a. 'ABU KARIM'; f.k.a. 'HADAD, Kareem'; DOB sometime.\"\n\
900002,NORTHERN RIVER SHIPPING,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,Registration Number 77-12 (Algeria); Linked To: HADDAD.\n\
900003,BLUE STAR,vessel,IRAN,-0- ,9XYZ,Tanker,-0- ,1200,Panama,NORTHERN RIVER SHIPPING,Vessel Registration Identification IMO 9123456; MMSI 123456789.\n\
900004,EP-XYZ,aircraft,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,Aircraft Model A320; Aircraft Manufacturer's Serial Number (MSN) 1234.\n";
        let alt = "900001,1,aka,\"HADDAD, Kareem\",-0- \n900001,2,fka,OLD NAME,-0- \n900001,3,aka,KIKO,weak\n900099,4,aka,NOBODY,-0- \n";
        let add = "900002,1,1 Harbour Road,Oran,Algeria,-0- \n";
        let list = parse(sdn, Some(alt), Some(add)).unwrap();
        let msgs: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "line 1, column 12, record 900001, field Remarks: country name \"Freedonia\" has no ISO code: not kept as nationality",
                "line 1, column 12, record 900001, field Remarks: date of birth \"sometime\" does not parse: ignored",
                "line 4, record 900099, field alt.csv ent_num: alt.csv: ent_num 900099 is not in sdn.csv: row ignored",
            ]
        );
        let [karim, shipping, vessel, plane] = &list.entities[..] else {
            panic!()
        };
        assert_eq!(karim.schema, Schema::Person);
        assert_eq!(karim.get("name"), ["Karim HADDAD"]);
        assert_eq!(karim.get("firstName"), ["Karim"]);
        assert_eq!(karim.get("lastName"), ["HADDAD"]);
        assert_eq!(karim.get("birthDate"), ["1971-03-14", "1970"]);
        assert_eq!(karim.get("birthPlace"), ["Oran, Algeria"]);
        assert_eq!(karim.get("nationality"), ["dz"]);
        assert_eq!(karim.get("citizenship"), ["tn"]);
        assert_eq!(karim.get("gender"), ["male"]);
        assert_eq!(karim.get("passportNumber"), ["A1234567"]);
        assert_eq!(karim.get("idNumber"), ["123-456"]);
        assert_eq!(karim.get("alias"), ["ABU KARIM", "Kareem HADDAD"]);
        assert_eq!(karim.get("previousName"), ["Kareem HADAD", "OLD NAME"]);
        assert_eq!(karim.get("weakAlias"), ["KIKO"]);
        assert_eq!(karim.get("position"), ["Commander"]);
        assert_eq!(
            karim.legal_basis.as_ref().unwrap().basis.as_deref(),
            Some("US OFAC SDN, programs: SDGT, IFSR")
        );
        assert_eq!(karim.id, "ofac-900001");
        assert_eq!(shipping.schema, Schema::Organization);
        assert_eq!(shipping.get("registrationNumber"), ["77-12"]);
        assert_eq!(shipping.get("address"), ["1 Harbour Road, Oran, Algeria"]);
        assert_eq!(shipping.get("country"), ["dz"]);
        assert_eq!(vessel.schema, Schema::Vessel);
        assert_eq!(vessel.get("imoNumber"), ["IMO 9123456"]);
        assert_eq!(vessel.get("mmsi"), ["123456789"]);
        assert_eq!(vessel.get("flag"), ["pa"]);
        assert_eq!(vessel.get("callSign"), ["9XYZ"]);
        assert_eq!(plane.schema, Schema::Airplane);
        assert_eq!(plane.get("model"), ["A320"]);
        assert_eq!(plane.get("registrationNumber"), ["EP-XYZ"]);
    }

    #[test]
    fn bad_rows_and_bad_files() {
        let sdn = "900001,\"HADDAD, Karim\",individual,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n900002,SHORT ROW,-0- \nx9,BAD NUM,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n900001,OTHER PARTY,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\u{1a}";
        let list = parse(sdn, None, None).unwrap();
        let msgs: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "line 2, record 900002: sdn.csv: row has 3 fields, expected 12: skipped",
                "line 3, column 1, field ent_num: ent_num \"x9\" is not a number: row skipped",
                "line 4, column 1, record 900001, field ent_num: ent_num 900001 is already used by an earlier row: this one is kept as ofac-900001-4; alt.csv and add.csv rows go to the first",
            ]
        );
        assert_eq!(list.entities.len(), 2);

        let err = parse("id,schema,name\n", None, None).unwrap_err();
        assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
        let err = parse("", None, None).unwrap_err();
        assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
        let err = parse("900001,\"HADDAD, Karim\",individual,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n900002,\"CUT", None, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ofac-csv input is truncated at line 2, column 2: sdn.csv ends inside a row (2 of 12 fields)"
        );
        let err = parse(
            "900001,X,-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            Some("900001,1,aka,Y"),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("alt.csv ends inside a row"),
            "{err}"
        );
    }
}
