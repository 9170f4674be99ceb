//! UK Sanctions List (FCDO), as tables: `subjects.csv` (one row per
//! designated subject) with `subject_names.csv`, `subject_dobs.csv`,
//! `subject_countries.csv` and `subject_identifiers.csv` beside it, each
//! keyed by the subject's `unique_id` (e.g. `AQD0104`, whose letters name
//! the UK regime).
//!
//! | table | columns read | into |
//! |---|---|---|
//! | subjects | `unique_id`, `subject_type` (`individual`, `entity`, `ship`), `un_reference_number`, `date_designated`, `last_updated` (`dd/mm/yyyy`) | id `uk-<unique_id>`, schema `Person` / `Organization` / `Vessel`, `unscId`, listing and amendment dates |
//! | subject_names | `name_type` (`primary`, `primary_variation`, `alias`), `alias_strength` (`good_quality_aka`, `low_quality_aka`), `full_name` | the first primary name is `name`; variations and good or unqualified aliases `alias`; low-quality aliases `weakAlias` |
//! | subject_dobs | `year`, `month`, `day` | `birthDate` at the precision given |
//! | subject_countries | `country_type` (`nationality`, `birth`, `address`), `iso` | `nationality`, `birthCountry`, `country` |
//! | subject_identifiers | `identifier_type` (`passport`, `national`, `business_registration_numbers`, `imo`), `raw_value` | `passportNumber`, `idNumber` (persons) or `registrationNumber`, `imoNumber` |
//!
//! The UN reference number is what links a UK listing to the UN's listing
//! of the same subject (`subjects.rs`). A subject with one takes the UN
//! regime's measures (the UN's reference numbers start with the regime's
//! code: `QDi` is an ISIL/Al-Qaida individual); the tables do not say which
//! sanctions the UK imposed on its own designations, so those are
//! `verify` (never guessed).
//!
//! Rows of the other tables that name a subject not in `subjects.csv` are
//! warnings; a subject without any name is an error and is skipped.

use std::collections::HashMap;

use tansiq_model::{Entity, PartialDate, Schema, prop};

use crate::diag::{Diagnostic, ListError};
use crate::measures::{self, FROM_UNKNOWN};
use crate::position::ContentId;
use crate::text::{document_number, one_line};
use crate::{Format, ParsedList};

/// The `source` of UK Sanctions List entities.
pub const SOURCE: &str = "uk-sanctions";

/// The FollowTheMoney property that carries a listing's UN Security
/// Council reference number (FtM's `Sanction.unscId`), on UN and UK
/// listings alike.
pub const UNSC_ID: &str = "unscId";

/// FtM's property for the country of birth.
const BIRTH_COUNTRY: &str = "birthCountry";

/// The tables beside `subjects.csv`; each is optional to the parser, but
/// without names no subject can be read.
#[derive(Clone, Copy, Debug, Default)]
pub struct UkTables<'a> {
    pub names: Option<&'a [u8]>,
    pub dobs: Option<&'a [u8]>,
    pub countries: Option<&'a [u8]>,
    pub identifiers: Option<&'a [u8]>,
}

impl UkTables<'_> {
    /// The file names of the tables, in the order of the fields.
    pub const FILES: [&'static str; 4] = [
        "subject_names.csv",
        "subject_dobs.csv",
        "subject_countries.csv",
        "subject_identifiers.csv",
    ];
}

/// The header `subjects.csv` starts with (what [`Format::detect`] looks for).
pub(crate) const SUBJECTS_HEADER: [&str; 3] = ["unique_id", "subject_type", "un_reference_number"];

/// Parses the UK Sanctions List tables.
///
/// `Err` when `subjects.csv` lacks its header (not this format), when a
/// table breaks CSV structure, or when no subject could be read (e.g. the
/// names table was not given).
pub fn parse_uk(subjects: &[u8], tables: UkTables<'_>) -> Result<ParsedList, ListError> {
    let subject_rows = Table::read(subjects, "subjects.csv", &SUBJECTS_HEADER)?;
    let mut diagnostics = Vec::new();
    let mut content = ContentId::of(subjects);
    let mut entities: Vec<Entity> = Vec::new();
    // the line of each entity's row in subjects.csv, for diagnostics
    let mut lines: Vec<u64> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut latest: Option<PartialDate> = None;
    for row in subject_rows.rows() {
        let uid = row.get("unique_id");
        if uid.is_empty() {
            diagnostics.push(row.error("no unique_id: row skipped", "unique_id"));
            continue;
        }
        let schema = match row.get("subject_type") {
            "individual" => Schema::Person,
            "entity" => Schema::Organization,
            "ship" => Schema::Vessel,
            other => {
                diagnostics.push(
                    row.error(
                        format!(
                            "subject type {other:?} is not individual, entity or ship: row skipped"
                        ),
                        "subject_type",
                    )
                    .record(Some(uid)),
                );
                continue;
            }
        };
        if at.contains_key(uid) {
            diagnostics.push(
                row.error("unique_id repeated: row skipped", "unique_id")
                    .record(Some(uid)),
            );
            continue;
        }
        let mut e = Entity::new(format!("uk-{uid}"), schema);
        e.provenance.source = SOURCE.to_string();
        e.provenance.source_record_id = Some(uid.to_string());
        let un_ref = row.get("un_reference_number");
        if !un_ref.is_empty() {
            e.add(UNSC_ID, un_ref);
        }
        for (column, slot) in [("date_designated", 0), ("last_updated", 1)] {
            let value = row.get(column);
            if value.is_empty() {
                continue;
            }
            match day_first(value) {
                Some(d) => {
                    if slot == 1 {
                        latest = latest.max(Some(d));
                        e.provenance.amended_on = Some(d.to_string());
                    } else {
                        e.provenance.listed_on = Some(d.to_string());
                    }
                }
                None => diagnostics.push(
                    row.warning(format!("{value:?} is not a dd/mm/yyyy date"), column)
                        .record(Some(uid)),
                ),
            }
        }
        let (regime, m) = uk_measures(uid, un_ref);
        measures::apply(&mut e, None, regime, m);
        at.insert(uid.to_string(), entities.len());
        entities.push(e);
        lines.push(row.line);
    }

    // Names first: the primary name must be `name` whatever the row order.
    if let Some(bytes) = tables.names {
        content.update(bytes);
        let t = Table::read(
            bytes,
            UkTables::FILES[0],
            &["unique_id", "name_type", "full_name"],
        )?;
        let mut aliases: Vec<(usize, &'static str, String)> = Vec::new();
        for row in t.rows() {
            let Some(&i) = subject(&row, &at, &mut diagnostics) else {
                continue;
            };
            let name = one_line(row.get("full_name"));
            if name.is_empty() {
                continue;
            }
            let property = match (row.get("name_type"), row.get("alias_strength")) {
                ("primary", _) if entities[i].first(prop::NAME).is_none() => prop::NAME,
                (_, "low_quality_aka") => prop::WEAK_ALIAS,
                _ => prop::ALIAS,
            };
            if property == prop::NAME {
                entities[i].add(prop::NAME, name);
            } else {
                aliases.push((i, property, name));
            }
        }
        for (i, property, name) in aliases {
            if entities[i].first(prop::NAME) == Some(name.as_str()) {
                continue;
            }
            entities[i].add(property, name);
        }
    }
    if let Some(bytes) = tables.dobs {
        content.update(bytes);
        let t = Table::read(bytes, UkTables::FILES[1], &["unique_id", "year"])?;
        for row in t.rows() {
            let Some(&i) = subject(&row, &at, &mut diagnostics) else {
                continue;
            };
            match birth_date(row.get("year"), row.get("month"), row.get("day")) {
                Some(d) => {
                    entities[i].add(prop::BIRTH_DATE, d.to_string());
                }
                None => diagnostics.push(
                    row.warning(
                        format!(
                            "birth date {}/{}/{} cannot be read",
                            row.get("day"),
                            row.get("month"),
                            row.get("year")
                        ),
                        "year",
                    )
                    .record(Some(row.get("unique_id"))),
                ),
            }
        }
    }
    if let Some(bytes) = tables.countries {
        content.update(bytes);
        let t = Table::read(
            bytes,
            UkTables::FILES[2],
            &["unique_id", "country_type", "iso"],
        )?;
        for row in t.rows() {
            let Some(&i) = subject(&row, &at, &mut diagnostics) else {
                continue;
            };
            let iso = row.get("iso").to_ascii_lowercase();
            if iso.is_empty() {
                continue;
            }
            let property = match row.get("country_type") {
                "nationality" => prop::NATIONALITY,
                "birth" => BIRTH_COUNTRY,
                _ => prop::COUNTRY,
            };
            entities[i].add(property, iso);
        }
    }
    if let Some(bytes) = tables.identifiers {
        content.update(bytes);
        let t = Table::read(
            bytes,
            UkTables::FILES[3],
            &["unique_id", "raw_value", "identifier_type"],
        )?;
        for row in t.rows() {
            let Some(&i) = subject(&row, &at, &mut diagnostics) else {
                continue;
            };
            let number = document_number(row.get("raw_value"));
            if number.is_empty() {
                continue;
            }
            let person = entities[i].schema == Schema::Person;
            let property = match row.get("identifier_type") {
                "passport" => prop::PASSPORT_NUMBER,
                "national" if person => prop::ID_NUMBER,
                "imo" => prop::IMO_NUMBER,
                _ => prop::REGISTRATION_NUMBER,
            };
            entities[i].add(property, number);
        }
    }

    let mut kept = Vec::with_capacity(entities.len());
    let mut errors = 0;
    for (e, line) in entities.into_iter().zip(lines) {
        if e.names().is_empty() {
            errors += 1;
            diagnostics.push(
                Diagnostic::error(
                    line,
                    "subjects.csv: no name in subject_names.csv: subject skipped",
                )
                .record(e.provenance.source_record_id.as_deref())
                .field("full_name"),
            );
            continue;
        }
        kept.push(e);
    }
    if kept.is_empty() && errors > 0 {
        return Err(ListError::NothingReadable {
            format: Format::UkCsv,
            errors,
            first: if tables.names.is_none() {
                "no subject has a name: subject_names.csv was not given".into()
            } else {
                "no subject has a name in subject_names.csv".into()
            },
        });
    }
    let version = match latest {
        Some(d) => format!("{d}+{}", content.render()),
        None => content.render(),
    };
    Ok(ParsedList {
        source: SOURCE.to_string(),
        version,
        entities: kept,
        diagnostics,
    })
}

/// The regime label and measures of a UK listing: a subject with a UN
/// reference is listed under that UN regime and takes its table row; the
/// UK's own designations are to verify.
fn uk_measures(uid: &str, un_ref: &str) -> (String, tansiq_model::Measures) {
    if let Some(r) = measures::un_regime_of_reference(un_ref) {
        let (label, m) = measures::un_measures(r.list_type, None);
        return (format!("UK, implementing {label}"), m);
    }
    let code: String = uid.chars().take_while(char::is_ascii_alphabetic).collect();
    let mut m = tansiq_model::Measures::VERIFY;
    m.from = FROM_UNKNOWN.into();
    (format!("UK {code}"), m)
}

/// The subject a row of a side table belongs to; a warning when unknown.
fn subject<'m>(
    row: &Row<'_>,
    at: &'m HashMap<String, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'m usize> {
    let uid = row.get("unique_id");
    let found = at.get(uid);
    if found.is_none() {
        diagnostics.push(
            row.warning(
                format!(
                    "{} row for {uid:?}, which is not in subjects.csv: ignored",
                    row.table
                ),
                "unique_id",
            )
            .record(Some(uid)),
        );
    }
    found
}

/// `dd/mm/yyyy` as the UK list writes dates.
fn day_first(value: &str) -> Option<PartialDate> {
    let mut parts = value.trim().split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    PartialDate::ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A birth date from its parts; month and day may be missing.
fn birth_date(year: &str, month: &str, day: &str) -> Option<PartialDate> {
    let y: u16 = year.trim().parse().ok()?;
    let m = month.trim().parse::<u8>().ok();
    let d = day.trim().parse::<u8>().ok();
    match (m, d) {
        (Some(m), Some(d)) => PartialDate::ymd(y, m, d),
        (Some(m), None) => PartialDate::ym(y, m),
        _ => Some(PartialDate::year(y)),
    }
}

/// One CSV table, read whole, with its header.
struct Table {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

struct Row<'t> {
    table: &'static str,
    header: &'t [String],
    line: u64,
    record: &'t csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn error(&self, message: impl Into<String>, field: &str) -> Diagnostic {
        Diagnostic::error(self.line, format!("{}: {}", self.table, message.into())).field(field)
    }

    fn warning(&self, message: impl Into<String>, field: &str) -> Diagnostic {
        Diagnostic::warning(self.line, format!("{}: {}", self.table, message.into())).field(field)
    }
}

impl Table {
    fn read(bytes: &[u8], name: &'static str, required: &[&str]) -> Result<Table, ListError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
            Err(e) => return Err(malformed(name, &e)),
        };
        for column in required {
            if !header.iter().any(|h| h == column) {
                return Err(ListError::not_this(
                    Format::UkCsv,
                    format!(
                        "{name} has no {column:?} column (header: {})",
                        header.join(",")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| malformed(name, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            rows.push((line, record));
        }
        Ok(Table { name, header, rows })
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            table: self.name,
            header: &self.header,
            line: *line,
            record,
        })
    }
}

fn malformed(table: &str, e: &csv::Error) -> ListError {
    let (line, column) = match e.position() {
        Some(p) => (p.line(), 0),
        None => (0, 0),
    };
    // A row with fewer fields than the header at the end of the input is
    // what a cut-off download looks like.
    if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
        return ListError::Truncated {
            format: Format::UkCsv,
            line,
            column,
            reason: format!("{table}: a row has a different number of fields than the header"),
        };
    }
    ListError::Malformed {
        format: Format::UkCsv,
        line,
        column,
        reason: format!("{table}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECTS: &str = "unique_id,subject_type,un_reference_number,ofsi_group_id,date_designated,last_updated\n\
AQD9001,individual,QDi.901,1,12/03/2004,01/02/2026\n\
RUS9002,entity,,2,15/03/2022,09/04/2025\n\
RUS9003,ship,,3,,\n";
    const NAMES: &str = "name_id,unique_id,name_type,alias_strength,full_name\n\
1,AQD9001,alias,good_quality_aka,Abu Karim\n\
2,AQD9001,primary,,Karim HADDAD\n\
3,AQD9001,primary_variation,,Kareem Hadad\n\
4,AQD9001,alias,low_quality_aka,Al-Tabib\n\
5,RUS9002,primary,,Fictitious Trading LLC\n\
6,GHOST01,primary,,Nobody\n\
7,RUS9003,primary,,MV Sea Example\n";
    const DOBS: &str = "dob_id,unique_id,year,month,day,precision,parse_issues\n\
1,AQD9001,1970,05,12,exact,\n\
2,AQD9001,1971,,,year_only,\n";
    const COUNTRIES: &str = "id,unique_id,raw_value,country_type,iso,resolution_method,iso_available\n\
1,AQD9001,Iraq,nationality,IQ,direct,True\n\
2,AQD9001,Syria,birth,SY,direct,True\n";
    const IDS: &str = "id,unique_id,ofsi_group_id,raw_value,identifier_type,additional_info\n\
1,AQD9001,1,A1234567,passport,Iraq\n\
2,AQD9001,1,19700512,national,\n\
3,RUS9002,2,1027700000000,business_registration_numbers,\n\
4,RUS9003,3,9999991,imo,\n";

    fn all() -> UkTables<'static> {
        UkTables {
            names: Some(NAMES.as_bytes()),
            dobs: Some(DOBS.as_bytes()),
            countries: Some(COUNTRIES.as_bytes()),
            identifiers: Some(IDS.as_bytes()),
        }
    }

    #[test]
    fn subjects_with_their_tables() {
        let list = parse_uk(SUBJECTS.as_bytes(), all()).unwrap();
        assert_eq!(list.source, SOURCE);
        assert!(list.version.starts_with("2026-02-01+"), "{}", list.version);
        assert_eq!(list.entities.len(), 3);
        let karim = &list.entities[0];
        assert_eq!(karim.id, "uk-AQD9001");
        assert_eq!(karim.schema, Schema::Person);
        assert_eq!(karim.first(prop::NAME), Some("Karim HADDAD"));
        assert_eq!(karim.get(prop::ALIAS), ["Abu Karim", "Kareem Hadad"]);
        assert_eq!(karim.get(prop::WEAK_ALIAS), ["Al-Tabib"]);
        assert_eq!(karim.get(prop::BIRTH_DATE), ["1970-05-12", "1971"]);
        assert_eq!(karim.get(prop::NATIONALITY), ["iq"]);
        assert_eq!(karim.get(BIRTH_COUNTRY), ["sy"]);
        assert_eq!(karim.get(prop::PASSPORT_NUMBER), ["A1234567"]);
        assert_eq!(karim.get(prop::ID_NUMBER), ["19700512"]);
        assert_eq!(karim.get(UNSC_ID), ["QDi.901"]);
        assert_eq!(karim.provenance.listed_on.as_deref(), Some("2004-03-12"));
        let basis = karim.legal_basis.as_ref().unwrap();
        assert!(
            basis.regime.as_deref().unwrap().contains("Al-Qaida"),
            "{basis:?}"
        );
        assert_eq!(
            karim.action_on_hit,
            Some(tansiq_model::ActionOnHit::RefuseEntry)
        );
        let firm = &list.entities[1];
        assert_eq!(firm.schema, Schema::Organization);
        assert_eq!(firm.get(prop::REGISTRATION_NUMBER), ["1027700000000"]);
        assert_eq!(
            firm.legal_basis
                .as_ref()
                .unwrap()
                .measures
                .as_ref()
                .unwrap()
                .travel_ban,
            tansiq_model::Applies::Verify
        );
        assert_eq!(list.entities[2].schema, Schema::Vessel);
        assert_eq!(list.entities[2].get(prop::IMO_NUMBER), ["9999991"]);
        // the name row of an unknown subject is a warning with its line
        let ghost = list
            .diagnostics
            .iter()
            .find(|d| d.to_string().contains("GHOST01"))
            .expect("a diagnostic for the unknown subject");
        assert!(!ghost.is_error());
        assert!(ghost.to_string().contains("line 7"), "{ghost}");
    }

    #[test]
    fn without_names_nothing_is_read() {
        let err = parse_uk(SUBJECTS.as_bytes(), UkTables::default()).unwrap_err();
        assert!(
            err.to_string().contains("subject_names.csv was not given"),
            "{err}"
        );
    }

    #[test]
    fn another_csv_is_not_this_format() {
        let err = parse_uk(b"id,name\n1,x\n", all()).unwrap_err();
        assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
        assert!(err.to_string().contains("unique_id"), "{err}");
    }

    #[test]
    fn a_cut_row_is_rejected_with_its_line() {
        let cut = &IDS[..IDS.len() - 12];
        let tables = UkTables {
            identifiers: Some(cut.as_bytes()),
            ..all()
        };
        let err = parse_uk(SUBJECTS.as_bytes(), tables).unwrap_err();
        assert!(matches!(err, ListError::Truncated { line: 5, .. }), "{err}");
        assert!(err.to_string().contains("subject_identifiers.csv"), "{err}");
    }

    #[test]
    fn dates_are_day_first() {
        assert_eq!(day_first("29/06/2012").unwrap().to_string(), "2012-06-29");
        assert!(day_first("2012-06-29").is_none());
        assert!(day_first("31/02/2012").is_none());
        assert_eq!(birth_date("1961", "08", "").unwrap().to_string(), "1961-08");
        assert!(birth_date("", "", "").is_none());
    }
}
