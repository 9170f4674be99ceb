//! tansiq's national entries CSV: the format an agency uses to bulk-load
//! its own warrants and watch entries. Specified in `NATIONAL-CSV.md`
//! (crate root); `templates/` holds a header-only template and a fictitious
//! example.
//!
//! One row per entity; multi-valued columns separate values with `|`.
//! Every problem is reported with its line and column name. A row whose
//! id, name, schema, action on hit or validity dates are wrong is skipped
//! (loading it would screen wrongly); a bad value elsewhere (a birth date,
//! a nationality) is dropped with an error and the row is kept.

use std::collections::HashSet;
use std::io::Read;

use tansiq_model::{
    ActionOnHit, Entity, FederationShare, LegalBasis, PartialDate, Schema, Visibility, prop,
};

use crate::countries;
use crate::diag::{Diagnostic, ListError};
use crate::position::ContentId;
use crate::text::iso_date;
use crate::{Format, ParsedList};

/// The `source` of national entries.
pub const SOURCE: &str = "national";

/// The columns, in the template's order. `id` and `name` are required in
/// the header; the others may be left out.
pub const COLUMNS: [&str; 24] = [
    "id",
    "schema",
    "name",
    "aliases",
    "weak_aliases",
    "birth_dates",
    "birth_place",
    "nationalities",
    "gender",
    "passport_numbers",
    "id_numbers",
    "warrant_number",
    "court",
    "warrant_date",
    "offence",
    "legal_basis",
    "action_on_hit",
    "valid_from",
    "valid_until",
    "review_on",
    "visibility",
    "federation",
    "agency",
    "notes",
];

const MULTI: char = '|';

/// Parses a national entries CSV (comma- or semicolon-separated, UTF-8,
/// optional BOM). `Err` when the header lacks `id` or `name` (not this
/// format), when the input is not UTF-8 text, or when no row could be read.
pub fn parse_national_csv(mut input: impl Read) -> Result<ParsedList, ListError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| ListError::Read {
            format: Format::NationalCsv,
            source,
        })?;
    let version = ContentId::of(&bytes).render();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let first_line = text.split(|b| *b == b'\n').next().unwrap_or(&[]);
    // Spreadsheets in many locales save with semicolons.
    let delimiter = if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text);
    let mut records = reader.byte_records().peekable();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(ListError::not_this(
                Format::NationalCsv,
                format!("the header cannot be read: {e}"),
            ));
        }
        None => {
            return Err(ListError::not_this(Format::NationalCsv, "empty input"));
        }
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    for required in ["id", "name"] {
        if !header.iter().any(|h| h == required) {
            return Err(ListError::not_this(
                Format::NationalCsv,
                format!(
                    "the header has no {required:?} column (found: {})",
                    header.join(", ")
                ),
            ));
        }
    }
    let mut diagnostics = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if !COLUMNS.contains(&h.as_str()) {
            diagnostics.push(
                Diagnostic::warning(1, format!("unknown column {h:?} is ignored"))
                    .column(i as u64 + 1)
                    .field(h.clone()),
            );
        }
    }

    let mut entities = Vec::new();
    let mut seen = HashSet::new();
    let mut rows = 0usize;
    let ends_with_newline = text.last().is_none_or(|b| *b == b'\n' || *b == b'\r');
    while let Some(record) = records.next() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                diagnostics.push(Diagnostic::error(
                    line,
                    format!("row cannot be read: {e}: skipped"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        // The last row, short of cells and without a final newline: the
        // download or copy stopped inside it.
        if records.peek().is_none() && !ends_with_newline && record.len() < header.len() {
            return Err(ListError::Truncated {
                format: Format::NationalCsv,
                line,
                column: record.len() as u64,
                reason: format!(
                    "the last row ends after {} of {} columns",
                    record.len(),
                    header.len()
                ),
            });
        }
        rows += 1;
        let mut row = Row {
            header: &header,
            record: &record,
            line,
            id: None,
            diagnostics: &mut diagnostics,
        };
        if let Some(entity) = row.entity()
            && let Some(entity) = unique(entity, &mut seen, line, row.diagnostics)
        {
            entities.push(entity);
        }
    }
    if entities.is_empty() && rows > 0 {
        let first = diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Err(ListError::NothingReadable {
            format: Format::NationalCsv,
            errors: diagnostics.iter().filter(|d| d.is_error()).count(),
            first,
        });
    }
    for e in &mut entities {
        e.provenance.source = SOURCE.to_string();
        e.provenance.list_version = Some(version.clone());
    }
    Ok(ParsedList {
        source: SOURCE.to_string(),
        version,
        entities,
        diagnostics,
    })
}

fn unique(
    entity: Entity,
    seen: &mut HashSet<String>,
    line: u64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Entity> {
    if seen.insert(entity.id.clone()) {
        return Some(entity);
    }
    diagnostics.push(
        Diagnostic::error(
            line,
            "the same id is on an earlier row: this row is skipped",
        )
        .record(Some(&entity.id))
        .field("id")
        .column(1),
    );
    None
}

struct Row<'a> {
    header: &'a [String],
    record: &'a csv::ByteRecord,
    line: u64,
    id: Option<String>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Row<'_> {
    /// The trimmed value of a column ("" when the column or cell is
    /// missing), and its 1-based column number.
    fn cell(&mut self, column: &str) -> (String, u64) {
        let Some(i) = self.header.iter().position(|h| h == column) else {
            return (String::new(), 0);
        };
        let raw = self.record.get(i).unwrap_or(&[]);
        let value = match std::str::from_utf8(raw) {
            Ok(v) => v.trim().to_string(),
            Err(_) => {
                self.error(column, i as u64 + 1, "not UTF-8: value dropped".to_string());
                String::new()
            }
        };
        (value, i as u64 + 1)
    }

    fn values(&mut self, column: &str) -> (Vec<String>, u64) {
        let (cell, at) = self.cell(column);
        let values = cell
            .split(MULTI)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        (values, at)
    }

    fn error(&mut self, column: &str, at: u64, message: String) {
        let mut d = Diagnostic::error(self.line, message)
            .record(self.id.as_deref())
            .field(column);
        if at > 0 {
            d = d.column(at);
        }
        self.diagnostics.push(d);
    }

    fn warning(&mut self, column: &str, at: u64, message: String) {
        let mut d = Diagnostic::warning(self.line, message)
            .record(self.id.as_deref())
            .field(column);
        if at > 0 {
            d = d.column(at);
        }
        self.diagnostics.push(d);
    }

    /// A full ISO date or `None`; a bad value is an error on `column`.
    fn date(&mut self, column: &str, consequence: &str) -> Result<Option<String>, ()> {
        let (value, at) = self.cell(column);
        if value.is_empty() {
            return Ok(None);
        }
        match iso_date(&value) {
            Ok(d) if d.len() == 10 => Ok(Some(d)),
            _ => {
                self.error(
                    column,
                    at,
                    format!("{value:?} is not a date (expected YYYY-MM-DD): {consequence}"),
                );
                Err(())
            }
        }
    }

    fn entity(&mut self) -> Option<Entity> {
        let (id, id_at) = self.cell("id");
        if id.is_empty() {
            self.error("id", id_at, "missing id: row skipped".to_string());
            return None;
        }
        self.id = Some(id.clone());
        let (schema_text, schema_at) = self.cell("schema");
        let schema = if schema_text.is_empty() {
            Schema::Person
        } else {
            match [
                Schema::Person,
                Schema::Organization,
                Schema::Company,
                Schema::LegalEntity,
                Schema::Vessel,
                Schema::Airplane,
            ]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(&schema_text))
            {
                Some(s) => s,
                None => {
                    self.error(
                        "schema",
                        schema_at,
                        format!(
                            "unknown schema {schema_text:?} (expected Person, Organization, Company, LegalEntity, Vessel or Airplane): row skipped"
                        ),
                    );
                    return None;
                }
            }
        };
        let (name, name_at) = self.cell("name");
        if name.is_empty() {
            self.error("name", name_at, "missing name: row skipped".to_string());
            return None;
        }
        let mut entity = Entity::new(id, schema);
        entity.add(prop::NAME, crate::text::one_line(&name));

        let (action, action_at) = self.cell("action_on_hit");
        if action.is_empty() {
            self.error(
                "action_on_hit",
                action_at,
                "missing action on hit (arrest, refuse-entry, discreet-check, specific-check or inform): row skipped".to_string(),
            );
            return None;
        }
        match action.to_ascii_lowercase().parse::<ActionOnHit>() {
            Ok(a) => entity.action_on_hit = Some(a),
            Err(message) => {
                self.error(
                    "action_on_hit",
                    action_at,
                    format!("{message}: row skipped"),
                );
                return None;
            }
        }

        // Validity decides when the entry screens: a bad date there would
        // make it screen when it must not (or not when it must).
        let valid_from = self.date("valid_from", "row skipped").ok()?;
        let valid_until = self.date("valid_until", "row skipped").ok()?;
        if let (Some(from), Some(until)) = (&valid_from, &valid_until)
            && from > until
        {
            let (_, at) = self.cell("valid_until");
            self.error(
                "valid_until",
                at,
                format!("valid_until {until} is before valid_from {from}: row skipped"),
            );
            return None;
        }
        entity.validity.valid_from = valid_from;
        entity.validity.valid_until = valid_until;
        entity.validity.review_on = self.date("review_on", "value dropped").ok().flatten();

        let (aliases, _) = self.values("aliases");
        for a in aliases {
            entity.add(prop::ALIAS, crate::text::one_line(&a));
        }
        let (weak, _) = self.values("weak_aliases");
        for a in weak {
            entity.add(prop::WEAK_ALIAS, crate::text::one_line(&a));
        }
        let (dates, at) = self.values("birth_dates");
        for d in dates {
            match d.parse::<PartialDate>() {
                Ok(date) => {
                    entity.add(prop::BIRTH_DATE, date.to_string());
                }
                Err(_) => self.error(
                    "birth_dates",
                    at,
                    format!("birth date {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD: value dropped"),
                ),
            }
        }
        let (places, _) = self.values("birth_place");
        for p in places {
            entity.add(prop::BIRTH_PLACE, p);
        }
        let (nationalities, at) = self.values("nationalities");
        for n in nationalities {
            match countries::code_or_name(&n) {
                Some(code) => {
                    entity.add(prop::NATIONALITY, code);
                }
                None => self.error(
                    "nationalities",
                    at,
                    format!("{n:?} is not an ISO 3166 country code or a known country name: value dropped"),
                ),
            }
        }
        let (gender, at) = self.cell("gender");
        match gender.to_ascii_lowercase().as_str() {
            "" => {}
            "m" | "male" => {
                entity.add(prop::GENDER, "male");
            }
            "f" | "female" => {
                entity.add(prop::GENDER, "female");
            }
            "other" | "x" => {
                entity.add(prop::GENDER, "other");
            }
            _ => self.error(
                "gender",
                at,
                format!("gender {gender:?} is not male, female or other: value dropped"),
            ),
        }
        for (column, property) in [
            ("passport_numbers", prop::PASSPORT_NUMBER),
            ("id_numbers", prop::ID_NUMBER),
        ] {
            let (numbers, _) = self.values(column);
            for n in numbers {
                entity.add(property, n);
            }
        }

        let (warrant_number, _) = self.cell("warrant_number");
        let (court, _) = self.cell("court");
        let warrant_date = self.date("warrant_date", "value dropped").ok().flatten();
        let (offence, _) = self.cell("offence");
        let (basis, _) = self.cell("legal_basis");
        let some = |s: String| (!s.is_empty()).then_some(s);
        let legal = LegalBasis {
            warrant_number: some(warrant_number),
            court: some(court),
            issued_on: warrant_date,
            offence: some(offence),
            basis: some(basis),
            ..LegalBasis::default()
        };
        if legal != LegalBasis::default() {
            entity.legal_basis = Some(legal);
        } else if entity.action_on_hit == Some(ActionOnHit::Arrest) {
            self.warning(
                "warrant_number",
                0,
                "an arrest entry without warrant, court, offence or legal basis".to_string(),
            );
        }

        let (visibility, at) = self.cell("visibility");
        entity.sharing.visibility = match visibility.to_ascii_lowercase().as_str() {
            "" | "national" => Visibility::National,
            "originator" => Visibility::Originator,
            v if v.starts_with("agencies:") => {
                let agencies: Vec<String> = visibility["agencies:".len()..]
                    .split(MULTI)
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect();
                if agencies.is_empty() {
                    self.error(
                        "visibility",
                        at,
                        "agencies: names no agency: row skipped".to_string(),
                    );
                    return None;
                }
                Visibility::Agencies { agencies }
            }
            _ => {
                // Guessing wider visibility than meant leaks an entry.
                self.error(
                    "visibility",
                    at,
                    format!(
                        "visibility {visibility:?} is not national, originator or agencies:A|B: row skipped"
                    ),
                );
                return None;
            }
        };
        let (federation, at) = self.cell("federation");
        entity.sharing.federation = match federation.to_ascii_lowercase().as_str() {
            "" | "never" => FederationShare::Never,
            "by-agreement" => FederationShare::ByAgreement,
            _ => {
                self.error(
                    "federation",
                    at,
                    format!("federation {federation:?} is not never or by-agreement: row skipped"),
                );
                return None;
            }
        };
        let (agency, _) = self.cell("agency");
        entity.origin_agency = some(agency);
        let (notes, _) = self.cell("notes");
        entity.add(prop::NOTES, notes);
        entity.provenance.source_record_id = Some(entity.id.clone());
        Some(entity)
    }
}

/// The 1-based line of a record at a byte offset, counting `\n` (the CSV
/// reader's own line count is one short per row on files with `\r\n`
/// line ends, where it places a record at the `\n` before it: the byte
/// at the offset is counted too).
fn line_at(text: &[u8], byte: u64) -> u64 {
    let end = usize::try_from(byte)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .min(text.len());
    text[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,schema,name,aliases,weak_aliases,birth_dates,birth_place,nationalities,gender,passport_numbers,id_numbers,warrant_number,court,warrant_date,offence,legal_basis,action_on_hit,valid_from,valid_until,review_on,visibility,federation,agency,notes";

    fn parse(rows: &str) -> Result<ParsedList, ListError> {
        parse_national_csv(format!("{HEADER}\n{rows}").as_bytes())
    }

    #[track_caller]
    fn check_diags(list: &ParsedList, expect: &[&str]) {
        let got: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn a_full_row() {
        let list = parse(
            "dz-0001,Person,Karim Haddad,كريم حداد|Kareem Hadad,Abu Karim,1971-03-14|1972,Oran,DZ|Tunisia,m,A1234567,DZ-ID-9,W-2026-001,Tribunal d'Oran,2026-01-15,fraud,Code pénal art. 372,arrest,2026-01-16,2031-01-15,2027-01-15,agencies:dz-dgsn|dz-douanes,by-agreement,dz-dgsn,\"Armed; approach with care\"\n",
        )
        .unwrap();
        check_diags(&list, &[]);
        let e = &list.entities[0];
        assert_eq!(e.get("alias"), ["كريم حداد", "Kareem Hadad"]);
        assert_eq!(e.get("weakAlias"), ["Abu Karim"]);
        assert_eq!(e.get("birthDate"), ["1971-03-14", "1972"]);
        assert_eq!(e.get("nationality"), ["dz", "tn"]);
        assert_eq!(e.get("gender"), ["male"]);
        assert_eq!(e.action_on_hit, Some(ActionOnHit::Arrest));
        let lb = e.legal_basis.as_ref().unwrap();
        assert_eq!(lb.warrant_number.as_deref(), Some("W-2026-001"));
        assert_eq!(lb.issued_on.as_deref(), Some("2026-01-15"));
        assert_eq!(e.validity.valid_until.as_deref(), Some("2031-01-15"));
        assert_eq!(
            e.sharing.visibility,
            Visibility::Agencies {
                agencies: vec!["dz-dgsn".into(), "dz-douanes".into()]
            }
        );
        assert_eq!(e.sharing.federation, FederationShare::ByAgreement);
        assert_eq!(e.origin_agency.as_deref(), Some("dz-dgsn"));
        assert_eq!(e.provenance.source, "national");
        assert_eq!(e.get("notes"), ["Armed; approach with care"]);
    }

    #[test]
    fn windows_line_ends_keep_line_numbers() {
        let rows = concat!(
            "dz-1,Person,Sami Rahal,,,,,,,,,,,,,,inform,,,,,,,\r\n",
            "dz-2,Person,,,,,,,,,,,,,,,arrest,,,,,,,\r\n",
            "dz-3,Person,Nour Saleh,,,,,,,,,,,,,,shoot,,,,,,,\r\n",
        );
        let crlf = parse_national_csv(format!("{HEADER}\r\n{rows}").as_bytes()).unwrap();
        let lf = parse(&rows.replace("\r\n", "\n")).unwrap();
        let lines = |l: &ParsedList| {
            l.diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(&crlf), lines(&lf));
        assert!(lines(&lf)[0].starts_with("line 3,"), "{:?}", lines(&lf));
    }

    #[test]
    fn row_problems_are_positioned() {
        let list = parse(concat!(
            "dz-1,Person,Sami Rahal,,,1971-02-30|14/03/1971,,Freedonia,unknown,,,,,2026-13-01,,,refuse-entry,,,,,,,\n",
            "dz-2,Person,,,,,,,,,,,,,,,arrest,,,,,,,\n",
            "dz-3,Person,Nour Saleh,,,,,,,,,,,,,,shoot,,,,,,,\n",
            "dz-4,Person,Lina Adel,,,,,,,,,,,,,,inform,2027-01-01,2026-01-01,,,,,\n",
            "dz-5,Person,Adil Omar,,,,,,,,,,,,,,inform,soon,,,,,,\n",
            ",Person,No Id,,,,,,,,,,,,,,inform,,,,,,,\n",
            "dz-1,Person,Sami Rahal,,,,,,,,,,,,,,inform,,,,,,,\n",
            "dz-6,Ship,Blue Star,,,,,,,,,,,,,,inform,,,,,,,\n",
            "dz-7,Person,Rami Aziz,,,,,,,,,,,,,,,,,,,,,\n",
            "dz-8,Person,Omar Aziz,,,,,,,,,,,,,,arrest,,,,everyone,,,\n",
        ))
        .unwrap();
        check_diags(
            &list,
            &[
                "line 2, column 6, record dz-1, field birth_dates: birth date \"1971-02-30\" is not YYYY, YYYY-MM or YYYY-MM-DD: value dropped",
                "line 2, column 6, record dz-1, field birth_dates: birth date \"14/03/1971\" is not YYYY, YYYY-MM or YYYY-MM-DD: value dropped",
                "line 2, column 8, record dz-1, field nationalities: \"Freedonia\" is not an ISO 3166 country code or a known country name: value dropped",
                "line 2, column 9, record dz-1, field gender: gender \"unknown\" is not male, female or other: value dropped",
                "line 2, column 14, record dz-1, field warrant_date: \"2026-13-01\" is not a date (expected YYYY-MM-DD): value dropped",
                "line 3, column 3, record dz-2, field name: missing name: row skipped",
                "line 4, column 17, record dz-3, field action_on_hit: unknown action \"shoot\" (expected arrest, refuse-entry, discreet-check, specific-check or inform): row skipped",
                "line 5, column 19, record dz-4, field valid_until: valid_until 2026-01-01 is before valid_from 2027-01-01: row skipped",
                "line 6, column 18, record dz-5, field valid_from: \"soon\" is not a date (expected YYYY-MM-DD): row skipped",
                "line 7, column 1, field id: missing id: row skipped",
                "line 8, column 1, record dz-1, field id: the same id is on an earlier row: this row is skipped",
                "line 9, column 2, record dz-6, field schema: unknown schema \"Ship\" (expected Person, Organization, Company, LegalEntity, Vessel or Airplane): row skipped",
                "line 10, column 17, record dz-7, field action_on_hit: missing action on hit (arrest, refuse-entry, discreet-check, specific-check or inform): row skipped",
                "line 11, record dz-8, field warrant_number: an arrest entry without warrant, court, offence or legal basis",
                "line 11, column 21, record dz-8, field visibility: visibility \"everyone\" is not national, originator or agencies:A|B: row skipped",
            ],
        );
        let ids: Vec<&str> = list.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["dz-1"]);
        assert!(list.entities[0].get("birthDate").is_empty());
    }

    #[test]
    fn header_decides_the_format() {
        let err = parse_national_csv(&b"name,dob\nX,1970\n"[..]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not national-csv input: the header has no \"id\" column (found: name, dob)"
        );
        assert!(matches!(
            parse_national_csv(&b""[..]).unwrap_err(),
            ListError::NotThisFormat { .. }
        ));
        // Semicolons, a BOM, columns in another order, an unknown column.
        let list = parse_national_csv(
            "\u{feff}name;id;action_on_hit;colour\nKarim Haddad;dz-9;inform;blue\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(list.entities[0].id, "dz-9");
        check_diags(
            &list,
            &["line 1, column 4, field colour: unknown column \"colour\" is ignored"],
        );
        // Rows, none usable: refused.
        let err = parse("dz-1,Person,,,,,,,,,,,,,,,arrest,,,,,,,\n").unwrap_err();
        assert!(
            matches!(err, ListError::NothingReadable { errors: 1, .. }),
            "{err}"
        );
        // Header only: an empty list.
        assert!(parse("").unwrap().entities.is_empty());
        // Cut inside the last row: truncated. A complete last row without
        // a final newline is fine.
        let err = parse("dz-1,Person,Karim Haddad,,,1971").unwrap_err();
        assert_eq!(
            err.to_string(),
            "national-csv input is truncated at line 2, column 6: the last row ends after 6 of 24 columns"
        );
        let complete = parse("dz-1,Person,Karim Haddad,,,,,,,,,,,,,,inform,,,,,,,").unwrap();
        assert_eq!(complete.entities.len(), 1);
    }
}
