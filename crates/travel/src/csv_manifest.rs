//! CSV passenger manifests for carriers that do not send EDIFACT. The
//! header is documented in `MANIFEST-CSV.md` beside this crate.
//!
//! Every row becomes a traveller, whatever is wrong with it; faults are
//! diagnostics with the line and column (and header name) of the cell.

use std::collections::BTreeMap;

use serde::Serialize;
use tansiq_model::PartialDate;

use crate::TravelError;
use crate::diag::{Diagnostic, Location, Severity};
use crate::edifact::decode;
use crate::paxlst::{Flight, Interchange, Leg, ManifestTraveller, Reference, Role, Stop};
use crate::traveller::{DocumentKind, Sex, TravelDocument, Traveller};
use tansiq_model::country::Country;

/// A manifest in a format-neutral shape: what whole-flight screening needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub flights: Vec<Flight>,
    pub travellers: Vec<ManifestTraveller>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Manifest {
    pub fn passenger_count(&self) -> usize {
        self.travellers.iter().filter(|t| !t.role.is_crew()).count()
    }

    pub fn crew_count(&self) -> usize {
        self.travellers.iter().filter(|t| t.role.is_crew()).count()
    }
}

impl From<Interchange> for Manifest {
    /// Flattens the messages of an interchange.
    fn from(ic: Interchange) -> Manifest {
        let mut m = Manifest {
            diagnostics: ic.diagnostics,
            ..Manifest::default()
        };
        for msg in ic.messages {
            m.flights.extend(msg.flights);
            m.travellers.extend(msg.travellers);
        }
        m
    }
}

/// The manifest formats tansiq reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManifestFormat {
    Paxlst,
    Csv,
}

impl ManifestFormat {
    /// PAXLST when the input starts (after whitespace and a byte-order
    /// mark) with `UNA`, `UNB` or `UNH`; CSV otherwise.
    pub fn detect(input: &[u8]) -> ManifestFormat {
        let start = input
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(input.len());
        let rest = input[start..]
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(&input[start..]);
        if rest.starts_with(b"UNA") || rest.starts_with(b"UNB") || rest.starts_with(b"UNH") {
            ManifestFormat::Paxlst
        } else {
            ManifestFormat::Csv
        }
    }
}

/// Parses a manifest in the given format (see [`ManifestFormat::detect`]).
pub fn parse_manifest(input: &[u8], format: ManifestFormat) -> Result<Manifest, TravelError> {
    match format {
        ManifestFormat::Paxlst => crate::parse_paxlst(input).map(Manifest::from),
        ManifestFormat::Csv => parse_manifest_csv(input),
    }
}

/// The columns of a CSV manifest (see `MANIFEST-CSV.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Flight,
    Date,
    Role,
    Surname,
    GivenNames,
    BirthDate,
    Sex,
    Nationality,
    DocumentType,
    DocumentNumber,
    IssuingState,
    DocumentExpiry,
    Seat,
    Reservation,
    Embarkation,
    Debarkation,
}

impl Column {
    fn from_header(h: &str) -> Option<Column> {
        let key: String = h
            .trim()
            .chars()
            .map(|c| {
                if c == ' ' || c == '-' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        Some(match key.as_str() {
            "flight" | "flight_number" => Column::Flight,
            "date" | "flight_date" | "departure_date" => Column::Date,
            "role" => Column::Role,
            "surname" | "last_name" | "family_name" => Column::Surname,
            "given_names" | "given_name" | "first_name" | "first_names" => Column::GivenNames,
            "birth_date" | "date_of_birth" | "dob" => Column::BirthDate,
            "sex" | "gender" => Column::Sex,
            "nationality" => Column::Nationality,
            "document_type" => Column::DocumentType,
            "document_number" | "passport_number" => Column::DocumentNumber,
            "issuing_state" | "issuing_country" => Column::IssuingState,
            "document_expiry" | "expiry_date" => Column::DocumentExpiry,
            "seat" => Column::Seat,
            "reservation" | "pnr" => Column::Reservation,
            "embarkation" | "origin" => Column::Embarkation,
            "debarkation" | "destination" => Column::Debarkation,
            _ => return None,
        })
    }
}

/// Parses a CSV manifest: a header row naming the columns (any order, any
/// case; unknown columns are reported and ignored), then one traveller per
/// row. The delimiter is `,`, or `;` / tab when the header has no comma.
///
/// `Err` when the header names neither `surname` nor `given_names` (this is
/// not a manifest) or the header cannot be read.
pub fn parse_manifest_csv(input: &[u8]) -> Result<Manifest, TravelError> {
    let mut diags = Vec::new();
    let text = decode(input, &mut diags);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains(',') {
        b','
    } else if first_line.contains(';') {
        b';'
    } else if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| TravelError::NotCsvManifest {
            reason: format!("header row: {e}"),
        })?
        .clone();
    let mut columns: BTreeMap<Column, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        match Column::from_header(h) {
            Some(c) if columns.contains_key(&c) => diags.push(Diagnostic::new(
                Severity::Warning,
                "csv.duplicate_column",
                csv_loc(1, Some(i), h),
                format!("column {h:?} repeats an earlier column and is ignored"),
            )),
            Some(c) => {
                columns.insert(c, i);
            }
            None => diags.push(Diagnostic::new(
                Severity::Warning,
                "csv.unknown_column",
                csv_loc(1, Some(i), h),
                format!("column {h:?} is not part of the manifest header; ignored"),
            )),
        }
    }
    if !columns.contains_key(&Column::Surname) && !columns.contains_key(&Column::GivenNames) {
        return Err(TravelError::NotCsvManifest {
            reason: format!(
                "the header {:?} has neither a surname nor a given_names column",
                headers.iter().collect::<Vec<_>>()
            ),
        });
    }

    let mut manifest = Manifest::default();
    let mut flights: BTreeMap<String, usize> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                diags.push(Diagnostic::new(
                    Severity::Error,
                    "csv.unreadable_row",
                    Location::Csv {
                        line,
                        column: None,
                        header: None,
                    },
                    format!("row could not be read: {e}"),
                ));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let mut row = Row {
            record: &record,
            headers: &headers,
            columns: &columns,
            line,
            diags: &mut diags,
        };
        if record.len() != headers.len() {
            let msg = format!(
                "row has {} fields, the header {}",
                record.len(),
                headers.len()
            );
            row.diags.push(Diagnostic::new(
                Severity::Warning,
                "csv.field_count",
                Location::Csv {
                    line,
                    column: None,
                    header: None,
                },
                msg,
            ));
        }
        let t = row.traveller();
        if let Some(f) = &t.flight {
            let date = row.get(Column::Date).map(str::to_string);
            let index = *flights.entry(f.clone()).or_insert_with(|| {
                manifest.flights.push(Flight {
                    carrier: f
                        .get(..2)
                        .filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric()))
                        .map(str::to_string),
                    number: f.clone(),
                    legs: Vec::new(),
                    final_destination: None,
                });
                manifest.flights.len() - 1
            });
            let flight = &mut manifest.flights[index];
            if flight.legs.is_empty() && (date.is_some() || t.embarkation.is_some()) {
                flight.legs.push(Leg {
                    departure: Some(Stop {
                        airport: t.embarkation.clone().unwrap_or_default(),
                        time: date,
                    }),
                    arrival: t.debarkation.clone().map(|airport| Stop {
                        airport,
                        time: None,
                    }),
                });
            }
        }
        manifest.travellers.push(t);
    }
    manifest.diagnostics = diags;
    Ok(manifest)
}

/// The documented header, in the order [`write_manifest_csv`] writes it.
pub const MANIFEST_CSV_HEADER: &[&str] = &[
    "flight",
    "date",
    "role",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "seat",
    "reservation",
    "embarkation",
    "debarkation",
];

/// Writes a manifest as CSV with [`MANIFEST_CSV_HEADER`]; one row per
/// traveller and document (its first document only; a traveller without
/// one gets empty document cells). The flight and date come from the
/// traveller's `flight` or else the manifest's first flight.
pub fn write_manifest_csv(m: &Manifest) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let first = m.flights.first();
    let date_of = |f: Option<&Flight>| {
        f.and_then(|f| f.legs.first())
            .and_then(|l| l.departure.as_ref())
            .and_then(|s| s.time.clone())
            .map(|t| t.chars().take(10).collect::<String>())
            .unwrap_or_default()
    };
    // Writing into a Vec cannot fail.
    let _ = w.write_record(MANIFEST_CSV_HEADER);
    for mt in &m.travellers {
        let t = &mt.traveller;
        let flight = mt
            .flight
            .clone()
            .or_else(|| first.map(|f| f.number.clone()))
            .unwrap_or_default();
        let date = date_of(m.flights.iter().find(|f| f.number == flight).or(first));
        let doc = t.documents.first();
        let opt = |v: Option<String>| v.unwrap_or_default();
        let record = [
            flight,
            date,
            mt.role.as_str().to_string(),
            t.surname.clone(),
            t.given_names.clone(),
            opt(t.birth_date.map(|d| d.to_string())),
            match t.sex {
                Sex::Female => "F".into(),
                Sex::Male => "M".into(),
                Sex::Unspecified => String::new(),
            },
            opt(t.nationality.as_ref().map(|c| c.code.clone())),
            opt(doc.map(|d| d.code.clone())),
            opt(doc.map(|d| d.number.clone())),
            opt(doc
                .and_then(|d| d.issuing_state.as_ref())
                .map(|c| c.code.clone())),
            opt(doc.and_then(|d| d.expiry).map(|d| d.to_string())),
            opt(mt.seat.clone()),
            opt(mt.reservation.clone()),
            opt(mt.embarkation.clone()),
            opt(mt.debarkation.clone()),
        ];
        let _ = w.write_record(&record);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn csv_loc(line: u64, column: Option<usize>, header: &str) -> Location {
    Location::Csv {
        line,
        column: column.map(|c| c + 1),
        header: Some(header.to_string()),
    }
}

struct Row<'a> {
    record: &'a csv::StringRecord,
    headers: &'a csv::StringRecord,
    columns: &'a BTreeMap<Column, usize>,
    line: u64,
    diags: &'a mut Vec<Diagnostic>,
}

impl Row<'_> {
    fn get(&self, c: Column) -> Option<&str> {
        let i = *self.columns.get(&c)?;
        self.record.get(i).filter(|v| !v.is_empty())
    }

    fn diag(&mut self, severity: Severity, code: &'static str, c: Column, message: String) {
        let i = self.columns.get(&c).copied();
        let header = i.and_then(|i| self.headers.get(i)).unwrap_or("");
        self.diags.push(Diagnostic::new(
            severity,
            code,
            csv_loc(self.line, i, header),
            message,
        ));
    }

    fn date(&mut self, c: Column, what: &str) -> (Option<PartialDate>, bool) {
        let Some(v) = self.get(c) else {
            return (None, true);
        };
        match v.parse::<PartialDate>() {
            Ok(d) => (Some(d), true),
            Err(_) => {
                let msg = format!("{what} {v:?} is not YYYY-MM-DD, YYYY-MM or YYYY");
                self.diag(Severity::Error, "csv.bad_date", c, msg);
                (None, false)
            }
        }
    }

    fn country(&mut self, c: Column) -> Option<Country> {
        let v = self.get(c)?;
        let country = Country::from_code(v);
        if country.iso2.is_none() && country.note.is_none() {
            let msg = format!("{v:?} is not a known ICAO or ISO country code");
            self.diag(Severity::Warning, "csv.unknown_country", c, msg);
        }
        Some(country)
    }

    fn traveller(&mut self) -> ManifestTraveller {
        let mut complete = true;
        let surname = self.get(Column::Surname).unwrap_or("").to_string();
        let given = self.get(Column::GivenNames).unwrap_or("").to_string();
        if surname.is_empty() && given.is_empty() {
            complete = false;
            self.diag(
                Severity::Error,
                "csv.traveller_name",
                Column::Surname,
                "row without a name".into(),
            );
        }
        let role = match self
            .get(Column::Role)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("passenger" | "p" | "fl" | "pax") => Role::Passenger,
            Some("crew" | "c" | "fm") => Role::Crew,
            Some("transit_passenger" | "ddu") => Role::TransitPassenger,
            Some("transit_crew" | "ddt") => Role::TransitCrew,
            Some(other) => {
                let msg = format!(
                    "role {other:?} is not passenger, crew, transit_passenger or transit_crew"
                );
                self.diag(Severity::Warning, "csv.bad_value", Column::Role, msg);
                Role::Other
            }
        };
        let sex_raw = self.get(Column::Sex).unwrap_or("");
        let sex = Sex::from_code(sex_raw);
        if sex == Sex::Unspecified && !matches!(sex_raw, "" | "X" | "x" | "U" | "u" | "<") {
            let msg = format!("sex {sex_raw:?} is not F, M or X");
            self.diag(Severity::Warning, "csv.bad_value", Column::Sex, msg);
        }
        let (birth_date, ok) = self.date(Column::BirthDate, "birth date");
        complete &= ok;
        let nationality = self.country(Column::Nationality);
        let issuing_state = self.country(Column::IssuingState);
        let (expiry, _) = self.date(Column::DocumentExpiry, "document expiry");
        let mut documents = Vec::new();
        if let Some(number) = self.get(Column::DocumentNumber) {
            let code = self.get(Column::DocumentType).unwrap_or("P").to_string();
            documents.push(TravelDocument {
                kind: DocumentKind::from_code(&code),
                code,
                number: number.chars().filter(|c| !c.is_whitespace()).collect(),
                issuing_state,
                expiry,
            });
        }
        let mut hints: Vec<&str> = Vec::new();
        if let Some(n) = &nationality {
            hints.push(&n.code);
        }
        let mut traveller = Traveller::from_names(&surname, &given, false, &hints);
        traveller.birth_date = birth_date;
        traveller.nationality = nationality;
        traveller.sex = sex;
        traveller.documents = documents;
        let seat = self.get(Column::Seat).map(str::to_string);
        let reservation = self.get(Column::Reservation).map(str::to_string);
        let mut references = Vec::new();
        if let Some(r) = &reservation {
            references.push(Reference {
                qualifier: "AVF".into(),
                value: r.clone(),
            });
        }
        if let Some(s) = &seat {
            references.push(Reference {
                qualifier: "SEA".into(),
                value: s.clone(),
            });
        }
        ManifestTraveller {
            traveller,
            role,
            seat,
            reservation,
            references,
            embarkation: self.get(Column::Embarkation).map(str::to_string),
            debarkation: self.get(Column::Debarkation).map(str::to_string),
            residence: None,
            birth_place: None,
            flight: self.get(Column::Flight).map(str::to_string),
            source: Location::Csv {
                line: self.line,
                column: None,
                header: None,
            },
            complete,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_faults_are_kept_and_reported() {
        let text = "flight,date,role,surname,given_names,birth_date,sex,nationality,document_type,document_number,issuing_state,seat,colour\n\
            TQ100,2026-11-29,passenger,TESTER,Pat Lee,1980-02-30,F,UTO,P,X 1234567,UTO,12A,blue\n\
            TQ100,2026-11-29,crew,,,1975,M,FRA,P,P7654321,FRA,,\n\
            TQ100,2026-11-29,pilot,EXAMPLE,Sam,1975-04,Q,QQQ,P,P1,FRA,,\n";
        let m = parse_manifest_csv(text.as_bytes()).unwrap();
        assert_eq!(m.travellers.len(), 3);
        let found: Vec<_> = m
            .diagnostics
            .iter()
            .map(|d| match &d.location {
                Location::Csv { line, column, .. } => (d.code, *line, *column),
                _ => (d.code, 0, None),
            })
            .collect();
        assert_eq!(
            found,
            [
                ("csv.unknown_column", 1, Some(13)),
                ("csv.bad_date", 2, Some(6)),
                ("csv.traveller_name", 3, Some(4)),
                ("csv.bad_value", 4, Some(3)),
                ("csv.bad_value", 4, Some(7)),
                ("csv.unknown_country", 4, Some(8)),
            ]
        );
        let t = &m.travellers[0];
        assert!(!t.complete);
        assert_eq!(t.traveller.full_name(), "Pat Lee TESTER");
        assert_eq!(t.traveller.documents[0].number, "X1234567");
        assert_eq!(t.seat.as_deref(), Some("12A"));
        assert_eq!(m.travellers[1].role, Role::Crew);
        assert_eq!(
            m.travellers[2].traveller.birth_date.unwrap().to_string(),
            "1975-04"
        );
        assert_eq!(m.flights.len(), 1);
        assert_eq!(
            m.flights[0].legs[0]
                .departure
                .as_ref()
                .unwrap()
                .time
                .as_deref(),
            Some("2026-11-29")
        );
    }

    #[test]
    fn semicolons_and_bom() {
        let text = "\u{feff}Surname;Given Names;Nationality\nDOE;JANE;gb\n";
        let m = parse_manifest_csv(text.as_bytes()).unwrap();
        assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
        assert_eq!(m.travellers[0].traveller.nationality_iso2(), Some("gb"));
    }

    #[test]
    fn not_a_manifest() {
        assert!(parse_manifest_csv(b"id,amount\n1,2\n").is_err());
        assert_eq!(
            ManifestFormat::detect(b"  UNA:+.? '"),
            ManifestFormat::Paxlst
        );
        assert_eq!(ManifestFormat::detect(b"surname\n"), ManifestFormat::Csv);
    }
}
