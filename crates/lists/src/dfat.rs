//! Australia DFAT Consolidated List (XLSX, one sheet).
//!
//! The sheet has one row **per name**: `Reference` `2` is the primary name,
//! `2a`, `2b`, … are its aliases and original-script names, each row
//! repeating the entity's other columns. Rows are grouped by the number of
//! their reference into one entity. `Name Type` decides the kind of name
//! (`Primary Name` -> `name`, `aka` and `Original Script` -> `alias`,
//! `Formerly known as`/`Previously listed as` -> `previousName`);
//! `Committees` (the regime, e.g. `1267/1989/2253 (ISIL (Da'esh) and
//! Al-Qaida)`, `Autonomous (Syria)`) is the legal basis; the latest
//! `Control Date` is `amended_on`, and the latest over the whole sheet is
//! the list's date.
//!
//! Cell values are written by hand and vary (`a) 12/05/1970; b) 1971`,
//! `Approximately 1955- 1958`, `Russian and Ukrainian`): enumerations are
//! split, dates are read day-first, demonyms are mapped to countries, and
//! what does not parse is a warning with the sheet row and column.

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use tansiq_model::{Entity, PartialDate, Schema, prop};

use crate::countries;
use crate::diag::{Diagnostic, ListError};
use crate::position::ContentId;
use crate::text::{english_dates, iso_date, one_line};
use crate::{Format, ParsedList};

/// The `source` of DFAT entities.
pub const SOURCE: &str = "au-dfat";

const COLUMNS: [&str; 12] = [
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
];

/// Parses the DFAT consolidated list workbook.
///
/// `Err` when the bytes are not an XLSX workbook (not this format), when
/// the ZIP container cannot be opened (damaged or truncated), or when the
/// first sheet's header lacks `Reference` or `Name of Individual or
/// Entity`.
pub fn parse_dfat_xlsx(bytes: &[u8]) -> Result<ParsedList, ListError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ListError::not_this(
            Format::DfatXlsx,
            "not an XLSX workbook (no ZIP signature)",
        ));
    }
    let container = |e: &dyn std::fmt::Display| ListError::Container {
        format: Format::DfatXlsx,
        reason: e.to_string(),
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| container(&e))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => return Err(container(&e)),
        None => {
            return Err(ListError::not_this(
                Format::DfatXlsx,
                "the workbook has no sheet",
            ));
        }
    };
    // Sheet rows are numbered from the range's first row (1-based).
    let first_row = range.start().map_or(0, |(r, _)| r) as u64 + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| one_line(&c.to_string())).collect())
        .unwrap_or_default();
    let column: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|name| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
        .collect();
    for required in [0, 1] {
        if column[required].is_none() {
            return Err(ListError::not_this(
                Format::DfatXlsx,
                format!(
                    "the first sheet's header has no {:?} column (found: {})",
                    COLUMNS[required],
                    header.join(", ")
                ),
            ));
        }
    }

    let mut diagnostics = Vec::new();
    let mut groups: BTreeMap<u64, Group> = BTreeMap::new();
    let mut order: Vec<u64> = Vec::new();
    let mut latest_control: Option<String> = None;
    for (i, cells) in rows.enumerate() {
        let line = first_row + 1 + i as u64;
        let cell = |c: usize| column[c].and_then(|i| cells.get(i)).unwrap_or(&Data::Empty);
        if cells.iter().all(|c| c.to_string().trim().is_empty()) {
            continue;
        }
        let reference = one_line(&cell(0).to_string());
        let Some(number) = reference_number(&reference) else {
            diagnostics.push(
                Diagnostic::error(
                    line,
                    format!("reference {reference:?} does not start with a number: row skipped"),
                )
                .column(col(&column, 0))
                .field(COLUMNS[0]),
            );
            continue;
        };
        let row = RowData {
            line,
            reference,
            cells: (0..COLUMNS.len()).map(|c| cell(c).clone()).collect(),
        };
        if let Some(date) = excel_date(&row.cells[11]) {
            latest_control = latest_control.max(Some(date));
        }
        if !groups.contains_key(&number) {
            order.push(number);
        }
        groups.entry(number).or_default().rows.push(row);
    }

    let mut entities = Vec::new();
    for number in order {
        let group = &groups[&number];
        if let Some(e) = entity(number, group, &column, &mut diagnostics) {
            entities.push(e);
        }
    }
    let content = ContentId::of(bytes).render();
    let version = match &latest_control {
        Some(date) => format!("{date}+{content}"),
        None => content,
    };
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

fn col(column: &[Option<usize>], c: usize) -> u64 {
    column[c].map_or(0, |i| i as u64 + 1)
}

/// `2`, `2.0`, `2a`, `2b1` -> 2.
fn reference_number(reference: &str) -> Option<u64> {
    let digits: String = reference.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[derive(Default)]
struct Group {
    rows: Vec<RowData>,
}

struct RowData {
    line: u64,
    reference: String,
    cells: Vec<Data>,
}

impl RowData {
    fn text(&self, c: usize) -> String {
        one_line(&self.cells[c].to_string().replace('\u{a0}', " "))
    }
}

/// An Excel date cell (or an ISO date string) as `YYYY-MM-DD`.
fn excel_date(cell: &Data) -> Option<String> {
    match cell {
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            PartialDate::ymd(y, m, d).map(|d| d.to_string())
        }
        Data::DateTimeIso(s) | Data::String(s) => {
            iso_date(s).ok().filter(|d| d.len() == 10).or_else(|| {
                english_dates(s)
                    .and_then(|d| d.first().filter(|d| d.is_full()).map(|d| d.to_string()))
            })
        }
        _ => None,
    }
}

struct Mapper<'a> {
    entity: Entity,
    record: String,
    column: &'a [Option<usize>],
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Mapper<'_> {
    fn warn(&mut self, line: u64, c: usize, message: String) {
        self.diagnostics.push(
            Diagnostic::warning(line, message)
                .column(col(self.column, c))
                .record(Some(&self.record))
                .field(COLUMNS[c]),
        );
    }
}

fn entity(
    number: u64,
    group: &Group,
    column: &[Option<usize>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Entity> {
    let first = &group.rows[0];
    let kind = first.text(2).to_ascii_lowercase();
    let schema = match kind.as_str() {
        "individual" => Schema::Person,
        "entity" => Schema::Organization,
        _ => {
            diagnostics.push(
                Diagnostic::warning(
                    first.line,
                    format!("unknown Type {:?}: read as an entity", first.text(2)),
                )
                .column(col(column, 2))
                .record(Some(&number.to_string()))
                .field(COLUMNS[2]),
            );
            Schema::Organization
        }
    };
    let mut m = Mapper {
        entity: Entity::new(format!("au-dfat-{number}"), schema),
        record: number.to_string(),
        column,
        diagnostics,
    };
    // The primary name first, whatever the row order.
    let primary = group
        .rows
        .iter()
        .position(|r| name_type(&r.text(3)) == NameType::Primary);
    if primary.is_none() {
        let message = "no Primary Name row: the first row's name is used".to_string();
        m.warn(first.line, 3, message);
    }
    let primary = primary.unwrap_or(0);
    let mut rows: Vec<&RowData> = vec![&group.rows[primary]];
    rows.extend(
        group
            .rows
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != primary)
            .map(|(_, r)| r),
    );

    let mut committees: Vec<String> = Vec::new();
    let mut control: Option<String> = None;
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let name = row.text(1);
        if name.is_empty() {
            m.warn(
                row.line,
                1,
                format!("row {} has no name: ignored", row.reference),
            );
        } else {
            let property = match name_type(&row.text(3)) {
                NameType::Primary if i == 0 => prop::NAME,
                NameType::Primary => {
                    m.warn(
                        row.line,
                        3,
                        "a second Primary Name: kept as an alias".to_string(),
                    );
                    prop::ALIAS
                }
                NameType::Alias => prop::ALIAS,
                NameType::Previous => prop::PREVIOUS_NAME,
                NameType::Unknown => {
                    let message = format!("unknown Name Type {:?}: kept as an alias", row.text(3));
                    m.warn(row.line, 3, message);
                    prop::ALIAS
                }
            };
            if property != prop::NAME && m.entity.get(prop::NAME).is_empty() {
                m.entity.add(prop::NAME, &name);
            } else {
                m.entity.add(property, &name);
            }
        }
        // Each row repeats the entity's columns; read each distinct cell
        // once, so a bad value is reported once.
        let mut fresh = |c: usize| seen.insert((c, row.cells[c].to_string()));
        if fresh(4) {
            birth_dates(&mut m, row);
        }
        if fresh(5) {
            for place in enumeration(&row.text(5)) {
                if !countries::is_placeholder(place) {
                    m.entity.add(prop::BIRTH_PLACE, place);
                }
            }
        }
        if fresh(6) {
            citizenship(&mut m, row);
        }
        if fresh(7) {
            let address = row.text(7);
            if !countries::is_placeholder(&address) {
                m.entity.add(prop::ADDRESS, address);
            }
        }
        if fresh(8) {
            let info = row.text(8);
            if !countries::is_placeholder(&info) {
                m.entity.add(prop::NOTES, info);
            }
        }
        if m.entity.provenance.listed_on.is_none() {
            m.entity.provenance.listed_on = first_date_in(&row.text(9));
        }
        let committee = row.text(10);
        if !committee.is_empty() && !committees.contains(&committee) {
            committees.push(committee);
        }
        if let Some(date) = excel_date(&row.cells[11]) {
            control = control.max(Some(date));
        } else if !row.text(11).is_empty() {
            let message = format!("Control Date {:?} is not a date: ignored", row.text(11));
            m.warn(row.line, 11, message);
        }
    }
    let Mapper { mut entity, .. } = m;
    if entity.get(prop::NAME).is_empty() {
        diagnostics.push(
            Diagnostic::error(first.line, "no row of this reference has a name: skipped")
                .column(col(column, 1))
                .record(Some(&number.to_string()))
                .field(COLUMNS[1]),
        );
        return None;
    }
    let basis = (!committees.is_empty()).then(|| {
        format!(
            "Australia DFAT consolidated list: {}",
            committees.join("; ")
        )
    });
    let (regime, measures) = crate::measures::dfat_measures(&committees);
    entity.provenance.source = SOURCE.to_string();
    entity.provenance.source_record_id = Some(number.to_string());
    entity.provenance.amended_on = control;
    // A UN regime's measures, or an Australian autonomous designation's
    // (crate::measures, MEASURES.md).
    crate::measures::apply(&mut entity, basis, regime, measures);
    entity.add(prop::TOPICS, "sanction");
    Some(entity)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum NameType {
    Primary,
    Alias,
    Previous,
    Unknown,
}

fn name_type(text: &str) -> NameType {
    match text.trim().to_ascii_lowercase().as_str() {
        "primary name" => NameType::Primary,
        "aka" | "a.k.a." | "original script" | "also known as" => NameType::Alias,
        "formerly known as" | "previously listed as" | "fka" | "f.k.a." => NameType::Previous,
        _ => NameType::Unknown,
    }
}

/// Splits hand-written enumerations: `a) X b) Y`, `X; Y`, `X >> Y`.
fn enumeration(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let marker = bytes[i].is_ascii_lowercase()
            && bytes.get(i + 1) == Some(&b')')
            && (i == 0 || bytes[i - 1].is_ascii_whitespace());
        if marker {
            out.push(&text[start..i]);
            start = i + 2;
            i += 2;
        } else if bytes[i] == b';' {
            out.push(&text[start..i]);
            start = i + 1;
            i += 1;
        } else if bytes[i..].starts_with(b">>") {
            out.push(&text[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out.into_iter()
        .map(|s| {
            s.trim()
                .trim_matches(|c: char| c == ',' || c.is_whitespace())
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn birth_dates(m: &mut Mapper<'_>, row: &RowData) {
    let cell = &row.cells[4];
    match cell {
        Data::Empty => {}
        Data::DateTime(_) | Data::DateTimeIso(_) => match excel_date(cell) {
            Some(d) => {
                m.entity.add(prop::BIRTH_DATE, d);
            }
            None => m.warn(
                row.line,
                4,
                format!("date of birth {cell} is not a date: ignored"),
            ),
        },
        Data::Float(_) | Data::Int(_) => {
            let year = cell.to_string();
            match year.parse::<PartialDate>() {
                Ok(d) => {
                    m.entity.add(prop::BIRTH_DATE, d.to_string());
                }
                Err(_) => m.warn(
                    row.line,
                    4,
                    format!("date of birth {year} is not a year: ignored"),
                ),
            }
        }
        _ => {
            let text = row.text(4);
            if countries::is_placeholder(&text) {
                return;
            }
            for item in enumeration(&text) {
                let item = item
                    .trim_start_matches("alt DOB:")
                    .trim_start_matches("alt. DOB:")
                    .trim_start_matches("DOB:")
                    .trim();
                // A remark in brackets ("(as at 2010)") is not the date.
                let item = item.split(" (").next().unwrap_or(item).trim();
                match english_dates(item).or_else(|| several_dates(item)) {
                    Some(dates) => {
                        for d in dates {
                            m.entity.add(prop::BIRTH_DATE, d.to_string());
                        }
                    }
                    None => m.warn(
                        row.line,
                        4,
                        format!("date of birth {item:?} does not parse: ignored"),
                    ),
                }
            }
        }
    }
}

/// `1965 or 1966`, `01/10/1983,15/10/1983`, `5/06/1953 15/06/1953`: every
/// piece must be a date, else `None`.
fn several_dates(item: &str) -> Option<Vec<PartialDate>> {
    let lower = item.to_ascii_lowercase().replace(", or ", " or ");
    let pieces: Vec<&str> = if lower.contains(" or ") {
        lower.split(" or ").collect()
    } else if lower.contains(',') {
        lower.split(',').collect()
    } else {
        lower.split_whitespace().collect()
    };
    if pieces.len() < 2 {
        return None;
    }
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(english_dates(piece.trim())?);
    }
    Some(out)
}

fn citizenship(m: &mut Mapper<'_>, row: &RowData) {
    let text = row.text(6);
    if countries::is_placeholder(&text) {
        return;
    }
    if let Some(code) = countries::country_code(&text) {
        m.entity.add(prop::NATIONALITY, code);
        return;
    }
    for item in enumeration(&text) {
        // A remark in brackets ("(as at Dec. 2003)") is not a country.
        let item = item.split(" (").next().unwrap_or(item);
        for part in item.split([',', '/']) {
            let part = part.trim();
            let part = part.strip_prefix("Possibly ").unwrap_or(part);
            if part.is_empty() || countries::is_placeholder(part) {
                continue;
            }
            let codes: Option<Vec<&str>> = match countries::country_code(part) {
                Some(code) => Some(vec![code]),
                None => part
                    .split(" and ")
                    .map(|p| countries::country_code(p.trim()))
                    .collect(),
            };
            match codes {
                Some(codes) => {
                    for code in codes {
                        m.entity.add(prop::NATIONALITY, code);
                    }
                }
                None => m.warn(
                    row.line,
                    6,
                    format!("citizenship {part:?} has no ISO code: ignored"),
                ),
            }
        }
    }
}

/// The first `12 Apr. 2000` / `25 January 2001` date in a text.
fn first_date_in(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).find_map(|w| {
        let day = w[0].trim_start_matches("on");
        if day.is_empty() || !day.bytes().all(|b| b.is_ascii_digit()) || w[2].len() != 4 {
            return None;
        }
        english_dates(&format!("{day} {} {}", w[1], w[2]))
            .and_then(|d| d.first().filter(|d| d.is_full()).map(|d| d.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_split() {
        assert_eq!(
            enumeration("a) 12/05/1970; b) 1971"),
            ["12/05/1970", "1971"]
        );
        assert_eq!(enumeration("a) Algiers b) Oran"), ["Algiers", "Oran"]);
        assert_eq!(
            enumeration("12 Mar 1970 >> 14 Apr 1970"),
            ["12 Mar 1970", "14 Apr 1970"]
        );
        assert_eq!(enumeration("Oran, Algeria"), ["Oran, Algeria"]);
        assert_eq!(enumeration("Somalia;"), ["Somalia"]);
    }

    #[test]
    fn references_and_listing_dates() {
        assert_eq!(reference_number("2"), Some(2));
        assert_eq!(reference_number("2a"), Some(2));
        assert_eq!(reference_number("1234b1"), Some(1234));
        assert_eq!(reference_number("x1"), None);
        assert_eq!(
            first_date_in(
                "Listed by UN 1267 Committee on 25 January 2001 (amended on 20 December 2005)"
            )
            .as_deref(),
            Some("2001-01-25")
        );
        assert_eq!(
            first_date_in("Listed on 12 Apr. 2000 (amended on3 Sep 2003)").as_deref(),
            Some("2000-04-12")
        );
        assert_eq!(first_date_in("Listed in 2001"), None);
    }

    #[test]
    fn not_a_workbook() {
        let err = parse_dfat_xlsx(b"id,schema,name\n").unwrap_err();
        assert!(matches!(err, ListError::NotThisFormat { .. }), "{err}");
        let err = parse_dfat_xlsx(b"PK\x03\x04 and then nothing").unwrap_err();
        assert!(matches!(err, ListError::Container { .. }), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn cell_helpers_never_panic(s in ".{0,40}") {
            let _ = enumeration(&s);
            let _ = several_dates(&s);
            let _ = first_date_in(&s);
            let _ = reference_number(&s);
        }
    }
}
