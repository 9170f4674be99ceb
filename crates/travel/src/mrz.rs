//! ICAO Doc 9303 machine readable zones: TD1 (3×30), TD2 (2×36), TD3
//! (2×44), MRV-A (2×44) and MRV-B (2×36).
//!
//! The parser never gives up on a document because a check digit is wrong:
//! every check is reported in [`Mrz::checks`] with the field it protects,
//! and every correction it made (O read as 0 in a date…) is a
//! [`Diagnostic`]. It returns `Err` only when the lines cannot be an MRZ
//! (wrong number of lines, wrong lengths, characters outside `A-Z0-9<`).

use serde::Serialize;
use tansiq_model::PartialDate;

use crate::TravelError;
use crate::diag::{Diagnostic, Location, Severity};
use crate::traveller::{DocumentKind, Sex, TravelDocument, Traveller};
use tansiq_model::country::Country;

/// The five MRZ layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum MrzFormat {
    /// ID card size: 3 lines of 30.
    #[serde(rename = "TD1")]
    Td1,
    /// 2 lines of 36.
    #[serde(rename = "TD2")]
    Td2,
    /// Passport: 2 lines of 44.
    #[serde(rename = "TD3")]
    Td3,
    /// Visa, passport-book size: 2 lines of 44, no composite check.
    #[serde(rename = "MRV-A")]
    MrvA,
    /// Visa, smaller: 2 lines of 36, no composite check.
    #[serde(rename = "MRV-B")]
    MrvB,
}

impl MrzFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
            MrzFormat::MrvA => "MRV-A",
            MrzFormat::MrvB => "MRV-B",
        }
    }

    pub fn line_count(self) -> usize {
        if self == MrzFormat::Td1 { 3 } else { 2 }
    }

    pub fn line_len(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 | MrzFormat::MrvB => 36,
            MrzFormat::Td3 | MrzFormat::MrvA => 44,
        }
    }

    fn layout(self) -> Layout {
        match self {
            MrzFormat::Td1 => Layout {
                code: s(0, 0, 2),
                state: s(0, 2, 3),
                name: s(2, 0, 30),
                number: s(0, 5, 9),
                number_check: s(0, 14, 1),
                nationality: s(1, 15, 3),
                birth: s(1, 0, 6),
                birth_check: s(1, 6, 1),
                sex: s(1, 7, 1),
                expiry: s(1, 8, 6),
                expiry_check: s(1, 14, 1),
                optional: s(0, 15, 15),
                optional_check: None,
                optional2: Some(s(1, 18, 11)),
                composite: Some((s(1, 29, 1), TD1_COMPOSITE)),
            },
            MrzFormat::Td2 | MrzFormat::MrvB | MrzFormat::Td3 | MrzFormat::MrvA => {
                let len = self.line_len();
                let (optional_len, optional_check, composite) = match self {
                    MrzFormat::Td3 => (14, Some(s(1, 42, 1)), true),
                    MrzFormat::Td2 => (7, None, true),
                    MrzFormat::MrvA => (16, None, false),
                    _ => (8, None, false),
                };
                Layout {
                    code: s(0, 0, 2),
                    state: s(0, 2, 3),
                    name: s(0, 5, len - 5),
                    number: s(1, 0, 9),
                    number_check: s(1, 9, 1),
                    nationality: s(1, 10, 3),
                    birth: s(1, 13, 6),
                    birth_check: s(1, 19, 1),
                    sex: s(1, 20, 1),
                    expiry: s(1, 21, 6),
                    expiry_check: s(1, 27, 1),
                    optional: s(1, 28, optional_len),
                    optional_check,
                    optional2: None,
                    composite: composite.then(|| {
                        let parts = if self == MrzFormat::Td3 {
                            TD3_COMPOSITE
                        } else {
                            TD2_COMPOSITE
                        };
                        (s(1, len - 1, 1), parts)
                    }),
                }
            }
        }
    }
}

/// A fixed run of characters: line index, start column and length (0-based).
#[derive(Clone, Copy, Debug)]
struct Span {
    line: usize,
    start: usize,
    len: usize,
}

/// What each composite check digit covers (Doc 9303 Parts 4-6).
const TD1_COMPOSITE: &[Span] = &[s(0, 5, 25), s(1, 0, 7), s(1, 8, 7), s(1, 18, 11)];
const TD2_COMPOSITE: &[Span] = &[s(1, 0, 10), s(1, 13, 7), s(1, 21, 14)];
const TD3_COMPOSITE: &[Span] = &[s(1, 0, 10), s(1, 13, 7), s(1, 21, 22)];

const fn s(line: usize, start: usize, len: usize) -> Span {
    Span { line, start, len }
}

/// Where each field sits in one format.
struct Layout {
    code: Span,
    state: Span,
    name: Span,
    number: Span,
    number_check: Span,
    nationality: Span,
    birth: Span,
    birth_check: Span,
    sex: Span,
    expiry: Span,
    expiry_check: Span,
    optional: Span,
    optional_check: Option<Span>,
    optional2: Option<Span>,
    composite: Option<(Span, &'static [Span])>,
}

/// The fields of an MRZ, named as in Doc 9303.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzField {
    DocumentCode,
    IssuingState,
    Name,
    DocumentNumber,
    Nationality,
    BirthDate,
    Sex,
    /// Date of expiry (passports, ID cards) or "valid until" (visas).
    ExpiryDate,
    /// Personal number (TD3) or optional data (line 1 on TD1).
    OptionalData,
    /// Optional data of TD1 line 2.
    OptionalData2,
    Composite,
}

impl MrzField {
    pub fn as_str(self) -> &'static str {
        match self {
            MrzField::DocumentCode => "document code",
            MrzField::IssuingState => "issuing state",
            MrzField::Name => "name",
            MrzField::DocumentNumber => "document number",
            MrzField::Nationality => "nationality",
            MrzField::BirthDate => "date of birth",
            MrzField::Sex => "sex",
            MrzField::ExpiryDate => "date of expiry",
            MrzField::OptionalData => "optional data",
            MrzField::OptionalData2 => "optional data (line 2)",
            MrzField::Composite => "composite",
        }
    }
}

/// The result of one check digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The field the digit protects ([`MrzField::Composite`] for the
    /// composite check).
    pub field: MrzField,
    /// The digit computed from the field.
    pub expected: char,
    /// The character printed on the document.
    pub found: char,
    pub ok: bool,
}

/// A six-character MRZ date (`YYMMDD`) and its reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MrzDate {
    /// As printed (after OCR correction), e.g. `740812` or `74<<<<`.
    pub raw: String,
    /// The date with its century inferred; year or year-month precision
    /// when the document writes unknown parts as `<`. `None` when the
    /// characters are no date.
    pub date: Option<PartialDate>,
}

/// The editable fields of an MRZ, as the encoder takes them and
/// [`Mrz::fields`] gives them back. Codes and numbers are written without
/// trailing `<` fillers; names use spaces between components.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MrzFields {
    pub format: MrzFormat,
    /// `P`, `PD`, `I`, `ID`, `V`…
    pub document_code: String,
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    /// `YYMMDD`; `<` for unknown parts.
    pub birth_date: String,
    pub sex: Sex,
    /// `YYMMDD`.
    pub expiry_date: String,
    /// Personal number (TD3), optional data (TD1 line 1, TD2, visas).
    pub optional_data: String,
    /// Optional data on TD1 line 2 (empty for other formats).
    pub optional_data_2: String,
}

/// A decoded MRZ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mrz {
    pub format: MrzFormat,
    /// The lines as read, after OCR corrections (see `diagnostics`).
    pub lines: Vec<String>,
    pub document_code: String,
    pub issuing_state: Country,
    /// Primary identifier, components separated by spaces.
    pub surname: String,
    /// Secondary identifier, components separated by spaces.
    pub given_names: String,
    /// The name filled its field up to the last character, so it may have
    /// been truncated.
    pub name_possibly_truncated: bool,
    /// The whole number, including the part that overflowed into the
    /// optional data on TD1/TD2 documents.
    pub document_number: String,
    pub nationality: Country,
    pub birth_date: MrzDate,
    pub sex: Sex,
    /// Date of expiry, or "valid until" on visas.
    pub expiry_date: MrzDate,
    /// Personal number (TD3) or optional data, trailing fillers removed
    /// (on TD1/TD2, what follows an overflowing document number).
    pub optional_data: String,
    /// TD1 line-2 optional data, trailing fillers removed.
    pub optional_data_2: String,
    /// Every check digit of the format, in document order.
    pub checks: Vec<CheckResult>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Mrz {
    /// True when the date of expiry is a full date before `today`: the
    /// document is no longer valid for travel. A date that could not be
    /// read is not called expired (its check digit says what went wrong).
    pub fn is_expired(&self, today: PartialDate) -> bool {
        matches!(self.expiry_date.date, Some(d) if d.is_full() && d < today)
    }

    /// True when every check digit (composite included) matches.
    pub fn all_checks_pass(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The checks that failed.
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.ok)
    }

    /// The fields, for editing and re-encoding.
    pub fn fields(&self) -> MrzFields {
        MrzFields {
            format: self.format,
            document_code: self.document_code.clone(),
            issuing_state: self.issuing_state.code.clone(),
            surname: self.surname.clone(),
            given_names: self.given_names.clone(),
            document_number: self.document_number.clone(),
            nationality: self.nationality.code.clone(),
            birth_date: self.birth_date.raw.clone(),
            sex: self.sex,
            expiry_date: self.expiry_date.raw.clone(),
            optional_data: self.optional_data.clone(),
            optional_data_2: self.optional_data_2.clone(),
        }
    }

    /// The MRZ written again from the decoded fields with correct check
    /// digits. Equal to `lines` when every check passed and the name used
    /// single fillers between components.
    pub fn to_lines(&self) -> Vec<String> {
        // Fields read from an MRZ always fit the same format again.
        encode_mrz(&self.fields()).unwrap_or_else(|_| self.lines.clone())
    }

    /// The holder as a traveller for screening.
    pub fn traveller(&self) -> Traveller {
        let mut t = Traveller::from_names(
            &self.surname,
            &self.given_names,
            self.name_possibly_truncated,
            &[&self.issuing_state.code, &self.nationality.code],
        );
        t.birth_date = self.birth_date.date;
        t.nationality = (!self.nationality.code.is_empty()).then(|| self.nationality.clone());
        t.sex = self.sex;
        if !self.document_number.is_empty() {
            t.documents.push(TravelDocument {
                kind: DocumentKind::from_code(&self.document_code),
                code: self.document_code.clone(),
                number: self.document_number.clone(),
                issuing_state: (!self.issuing_state.code.is_empty())
                    .then(|| self.issuing_state.clone()),
                expiry: self.expiry_date.date,
            });
        }
        t
    }
}

impl std::fmt::Display for Mrz {
    /// A plain-text report for an officer: each field, then each check
    /// (`ok` or `FAILED`, with the digit found and the digit expected), then
    /// the diagnostics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let date = |d: &MrzDate| match d.date {
            Some(x) => format!("{x} ({})", d.raw),
            None => format!("? ({})", d.raw),
        };
        let country = |c: &Country| match (c.iso2, c.note) {
            (_, Some(note)) => format!("{} ({note})", c.code),
            (Some(iso), None) => format!("{} ({iso})", c.code),
            (None, None) => c.code.clone(),
        };
        writeln!(f, "format           {}", self.format.as_str())?;
        writeln!(f, "document code    {}", self.document_code)?;
        writeln!(f, "issuing state    {}", country(&self.issuing_state))?;
        writeln!(f, "surname          {}", self.surname)?;
        writeln!(f, "given names      {}", self.given_names)?;
        if self.name_possibly_truncated {
            writeln!(
                f,
                "                 (name fills its field: possibly truncated)"
            )?;
        }
        writeln!(f, "document number  {}", self.document_number)?;
        writeln!(f, "nationality      {}", country(&self.nationality))?;
        writeln!(f, "date of birth    {}", date(&self.birth_date))?;
        writeln!(f, "sex              {}", self.sex.mrz_char())?;
        writeln!(f, "date of expiry   {}", date(&self.expiry_date))?;
        if !self.optional_data.is_empty() {
            writeln!(f, "optional data    {}", self.optional_data)?;
        }
        if !self.optional_data_2.is_empty() {
            writeln!(f, "optional data 2  {}", self.optional_data_2)?;
        }
        for c in &self.checks {
            if c.ok {
                writeln!(f, "check {:<17} ok ({})", c.field.as_str(), c.found)?;
            } else {
                writeln!(
                    f,
                    "check {:<17} FAILED: found {:?}, expected {:?}",
                    c.field.as_str(),
                    c.found,
                    c.expected
                )?;
            }
        }
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The value of an MRZ character in the check-digit sum: digits 0-9, `A`-`Z`
/// 10-35, `<` 0. `None` for any other character.
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The Doc 9303 check digit (weights 7, 3, 1 repeating, sum mod 10) of
/// `data`; characters outside `A-Z0-9<` count as 0.
pub fn check_digit(data: &[u8]) -> char {
    let sum: u32 = data
        .iter()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(&c, &w)| char_value(c).unwrap_or(0) * w)
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// Splits text (one MRZ line per text line; blank lines and surrounding
/// spaces ignored) and parses it with [`parse_mrz`]. A single run of 90, 72
/// or 88 characters (scanners that drop the line breaks) is cut into the
/// lines of TD1, TD2/MRV-B or TD3/MRV-A.
pub fn parse_mrz_text(text: &str, today: PartialDate) -> Result<Mrz, TravelError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let [one] = lines.as_slice()
        && one.is_ascii()
    {
        let width = match one.len() {
            90 => Some(30),
            72 => Some(36),
            88 => Some(44),
            _ => None,
        };
        if let Some(w) = width {
            let parts: Vec<&str> = (0..one.len() / w)
                .map(|i| &one[i * w..(i + 1) * w])
                .collect();
            return parse_mrz(&parts, today);
        }
    }
    parse_mrz(&lines, today)
}

/// Parses the lines of an MRZ. `today` decides the century of two-digit
/// years: a birth date is never after `today`; an expiry date lies within
/// 50 years either side of it.
///
/// `Err` only when the lines are not an MRZ at all; everything else
/// (failed check digits, impossible dates, corrected OCR confusions) is in
/// [`Mrz::checks`] and [`Mrz::diagnostics`].
pub fn parse_mrz(lines: &[&str], today: PartialDate) -> Result<Mrz, TravelError> {
    let mut diagnostics = Vec::new();
    let mut rows: Vec<Vec<u8>> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        let mut row = Vec::with_capacity(line.len());
        for (col, c) in line.chars().enumerate() {
            let up = c.to_ascii_uppercase();
            if !(up.is_ascii_uppercase() || up.is_ascii_digit() || up == '<') {
                return Err(TravelError::NotMrz {
                    reason: format!(
                        "line {}, column {}: character {c:?} is not allowed in an MRZ (A-Z, 0-9, <)",
                        i + 1,
                        col + 1
                    ),
                });
            }
            if up != c {
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    "mrz.lower_case",
                    Location::Mrz {
                        line: i + 1,
                        column: col + 1,
                        field: None,
                    },
                    format!("lower-case {c:?} read as {up:?}"),
                ));
            }
            row.push(up as u8);
        }
        rows.push(row);
    }
    let format = detect_format(&rows)?;
    let layout = format.layout();
    let mut p = Parser {
        rows,
        diagnostics,
        checks: Vec::new(),
    };

    // OCR confusions are corrected only where the field type allows one
    // reading: letters in fields that hold digits only, digits in fields
    // that hold letters only.
    p.correct(layout.code, MrzField::DocumentCode, FieldType::Alpha);
    p.correct(layout.state, MrzField::IssuingState, FieldType::Alpha);
    p.correct(layout.name, MrzField::Name, FieldType::Alpha);
    p.correct(layout.nationality, MrzField::Nationality, FieldType::Alpha);
    p.correct(
        layout.number_check,
        MrzField::DocumentNumber,
        FieldType::Numeric,
    );
    p.correct(layout.birth, MrzField::BirthDate, FieldType::Numeric);
    p.correct(layout.birth_check, MrzField::BirthDate, FieldType::Numeric);
    p.correct(layout.expiry, MrzField::ExpiryDate, FieldType::Numeric);
    p.correct(
        layout.expiry_check,
        MrzField::ExpiryDate,
        FieldType::Numeric,
    );
    if let Some(c) = layout.optional_check {
        p.correct(c, MrzField::OptionalData, FieldType::Numeric);
    }
    if let Some((c, _)) = layout.composite {
        p.correct(c, MrzField::Composite, FieldType::Numeric);
    }

    let document_code = trim_fill(&p.get(layout.code));
    if !document_code.starts_with(|c: char| c.is_ascii_uppercase()) {
        p.diag(
            Severity::Error,
            "mrz.document_code",
            layout.code,
            MrzField::DocumentCode,
            format!(
                "document code {:?} does not start with a letter",
                document_code
            ),
        );
    }
    let issuing_state = Country::from_code(&p.get(layout.state));
    let nationality = Country::from_code(&p.get(layout.nationality));
    let (surname, given_names, name_possibly_truncated) = split_name(&p.get(layout.name));

    // Document number, with the TD1/TD2 overflow rule: a `<` in the check
    // position means the number continues in the optional data, ended by
    // its check digit and a filler.
    let number_raw = p.get(layout.number);
    let check_char = p.get(layout.number_check).as_bytes()[0];
    let mut optional = p.get(layout.optional);
    let mut document_number = trim_fill(&number_raw);
    let overflow_allowed = matches!(format, MrzFormat::Td1 | MrzFormat::Td2);
    if overflow_allowed && check_char == b'<' && !optional.starts_with('<') {
        let end = optional.find('<').unwrap_or(optional.len());
        let tail = &optional[..end];
        let (rest, digit) = tail.split_at(tail.len() - 1);
        let full = format!("{number_raw}{rest}");
        let digit = digit.as_bytes()[0];
        p.check(MrzField::DocumentNumber, full.as_bytes(), digit, false);
        document_number = full;
        optional = optional[end..].trim_start_matches('<').to_string();
        if optional.is_empty() || end == 0 {
            optional = String::new();
        }
    } else {
        p.check(
            MrzField::DocumentNumber,
            number_raw.as_bytes(),
            check_char,
            true,
        );
    }
    let optional_data = trim_fill(&optional);

    let birth_raw = p.get(layout.birth);
    p.check(
        MrzField::BirthDate,
        birth_raw.as_bytes(),
        p.get(layout.birth_check).as_bytes()[0],
        false,
    );
    let sex_raw = p.get(layout.sex);
    let sex = match sex_raw.as_str() {
        "F" => Sex::Female,
        "M" => Sex::Male,
        "<" | "X" => Sex::Unspecified,
        other => {
            let message = format!("sex {other:?} is not F, M, X or <");
            p.diag(
                Severity::Error,
                "mrz.sex",
                layout.sex,
                MrzField::Sex,
                message,
            );
            Sex::Unspecified
        }
    };
    let expiry_raw = p.get(layout.expiry);
    p.check(
        MrzField::ExpiryDate,
        expiry_raw.as_bytes(),
        p.get(layout.expiry_check).as_bytes()[0],
        false,
    );
    if let Some(c) = layout.optional_check {
        let raw = p.get(layout.optional);
        p.check(
            MrzField::OptionalData,
            raw.as_bytes(),
            p.get(c).as_bytes()[0],
            true,
        );
    }
    let optional_data_2 = layout
        .optional2
        .map(|s| trim_fill(&p.get(s)))
        .unwrap_or_default();
    if let Some((c, parts)) = layout.composite {
        let data: Vec<u8> = parts.iter().flat_map(|s| p.get(*s).into_bytes()).collect();
        p.check(MrzField::Composite, &data, p.get(c).as_bytes()[0], false);
    }

    let birth_date = p.date(
        &birth_raw,
        layout.birth,
        MrzField::BirthDate,
        today,
        Window::Past,
    );
    let expiry_date = p.date(
        &expiry_raw,
        layout.expiry,
        MrzField::ExpiryDate,
        today,
        Window::Near,
    );

    Ok(Mrz {
        format,
        lines: p
            .rows
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect(),
        document_code,
        issuing_state,
        surname,
        given_names,
        name_possibly_truncated,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data,
        optional_data_2,
        checks: p.checks,
        diagnostics: p.diagnostics,
    })
}

fn detect_format(rows: &[Vec<u8>]) -> Result<MrzFormat, TravelError> {
    let lens: Vec<usize> = rows.iter().map(Vec::len).collect();
    let visa = rows.first().and_then(|r| r.first()) == Some(&b'V');
    let format = match lens.as_slice() {
        [30, 30, 30] => MrzFormat::Td1,
        [36, 36] if visa => MrzFormat::MrvB,
        [36, 36] => MrzFormat::Td2,
        [44, 44] if visa => MrzFormat::MrvA,
        [44, 44] => MrzFormat::Td3,
        _ => {
            return Err(TravelError::NotMrz {
                reason: format!(
                    "{} line(s) of length {:?}; an MRZ has 3 lines of 30 (TD1), 2 of 36 (TD2, MRV-B) or 2 of 44 (TD3, MRV-A)",
                    lens.len(),
                    lens
                ),
            });
        }
    };
    Ok(format)
}

#[derive(Clone, Copy)]
enum FieldType {
    Alpha,
    Numeric,
}

#[derive(Clone, Copy)]
enum Window {
    /// Birth dates: not after today.
    Past,
    /// Expiry dates: within 50 years of today.
    Near,
}

struct Parser {
    rows: Vec<Vec<u8>>,
    diagnostics: Vec<Diagnostic>,
    checks: Vec<CheckResult>,
}

impl Parser {
    fn get(&self, s: Span) -> String {
        String::from_utf8_lossy(&self.rows[s.line][s.start..s.start + s.len]).into_owned()
    }

    fn diag(&mut self, sev: Severity, code: &'static str, s: Span, field: MrzField, msg: String) {
        self.diagnostics.push(Diagnostic::new(
            sev,
            code,
            Location::Mrz {
                line: s.line + 1,
                column: s.start + 1,
                field: Some(field),
            },
            msg,
        ));
    }

    fn correct(&mut self, s: Span, field: MrzField, ty: FieldType) {
        for col in s.start..s.start + s.len {
            let c = self.rows[s.line][col];
            let fixed = match ty {
                FieldType::Numeric => match c {
                    b'O' | b'Q' | b'D' => b'0',
                    b'I' | b'L' => b'1',
                    b'Z' => b'2',
                    b'S' => b'5',
                    b'G' => b'6',
                    b'B' => b'8',
                    _ => c,
                },
                FieldType::Alpha => match c {
                    b'0' => b'O',
                    b'1' => b'I',
                    b'2' => b'Z',
                    b'5' => b'S',
                    b'6' => b'G',
                    b'8' => b'B',
                    _ => c,
                },
            };
            if fixed != c {
                self.rows[s.line][col] = fixed;
                self.diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    "mrz.ocr_corrected",
                    Location::Mrz {
                        line: s.line + 1,
                        column: col + 1,
                        field: Some(field),
                    },
                    format!(
                        "{:?} read as {:?}: the {} holds {} only",
                        c as char,
                        fixed as char,
                        field.as_str(),
                        match ty {
                            FieldType::Alpha => "letters",
                            FieldType::Numeric => "digits",
                        }
                    ),
                ));
            }
        }
    }

    /// Records a check. With `filler_ok`, a `<` check character is accepted
    /// for a field made of fillers only (unused personal number).
    fn check(&mut self, field: MrzField, data: &[u8], found: u8, filler_ok: bool) {
        let expected = check_digit(data);
        let ok = found as char == expected
            || (filler_ok && found == b'<' && data.iter().all(|&c| c == b'<'));
        self.checks.push(CheckResult {
            field,
            expected,
            found: found as char,
            ok,
        });
    }

    fn date(
        &mut self,
        raw: &str,
        s: Span,
        field: MrzField,
        today: PartialDate,
        window: Window,
    ) -> MrzDate {
        let date = read_date(raw, today, window);
        if date.is_none() && raw.bytes().any(|b| b != b'<') {
            let msg = format!("{raw:?} is not a date (YYMMDD)");
            self.diag(Severity::Error, "mrz.date", s, field, msg);
        }
        MrzDate {
            raw: raw.to_string(),
            date,
        }
    }
}

fn trim_fill(s: &str) -> String {
    s.trim_end_matches('<').to_string()
}

/// Splits the name field on the first `<<`: primary identifier before,
/// secondary after; single `<` separate components.
fn split_name(field: &str) -> (String, String, bool) {
    let truncated = !field.ends_with('<');
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match field.find("<<") {
        Some(i) => (words(&field[..i]), words(&field[i + 2..]), truncated),
        None => (words(field), String::new(), truncated),
    }
}

fn two(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

fn read_date(raw: &str, today: PartialDate, window: Window) -> Option<PartialDate> {
    let b = raw.as_bytes();
    if b.len() != 6 {
        return None;
    }
    let yy = u16::from(two(&b[0..2])?);
    let month = two(&b[2..4]);
    let day = two(&b[4..6]);
    let unknown_month = &b[2..4] == b"<<";
    let unknown_day = &b[4..6] == b"<<";
    let ty = today.get_year();
    let tm = today.get_month().unwrap_or(12);
    let td = today.get_day().unwrap_or(31);
    let mut year = ty / 100 * 100 + yy;
    match window {
        Window::Past => {
            let after_today = (year, month.unwrap_or(1), day.unwrap_or(1)) > (ty, tm, td);
            if after_today {
                year -= 100;
            }
        }
        Window::Near => {
            if year > ty + 50 {
                year -= 100;
            } else if year + 50 < ty {
                year += 100;
            }
        }
    }
    match (month, day) {
        (Some(m), Some(d)) => PartialDate::ymd(year, m, d),
        (Some(m), None) if unknown_day => PartialDate::ym(year, m),
        (None, None) if unknown_month && unknown_day => Some(PartialDate::year(year)),
        _ => None,
    }
}

/// Writes the MRZ date of a (partial) date: `740812`, `74<<<<` for a year.
pub fn mrz_date(d: PartialDate) -> String {
    let mut s = format!("{:02}", d.get_year() % 100);
    match d.get_month() {
        Some(m) => s.push_str(&format!("{m:02}")),
        None => s.push_str("<<"),
    }
    match d.get_day() {
        Some(day) => s.push_str(&format!("{day:02}")),
        None => s.push_str("<<"),
    }
    s
}

/// Writes an MRZ from its fields, computing every check digit. Names are
/// upper-cased; spaces, hyphens and commas become `<`, apostrophes and other
/// punctuation are dropped, and a name too long for its field is cut (the
/// caller transliterates non-Latin names first). Document numbers longer
/// than 9 characters overflow into the optional data on TD1 and TD2.
///
/// `Err` when a field holds a character outside `A-Z0-9<` (names excepted)
/// or does not fit.
pub fn encode_mrz(f: &MrzFields) -> Result<Vec<String>, TravelError> {
    let format = f.format;
    let layout = format.layout();
    let len = format.line_len();
    let mut rows = vec![vec![b'<'; len]; format.line_count()];
    let put = |rows: &mut Vec<Vec<u8>>, s: Span, field: MrzField, v: &str| {
        let v = v.as_bytes();
        if v.len() > s.len {
            return Err(TravelError::Encode {
                field: field.as_str(),
                reason: format!("{} characters, the field holds {}", v.len(), s.len),
            });
        }
        if let Some(&bad) = v.iter().find(|&&c| char_value(c).is_none()) {
            return Err(TravelError::Encode {
                field: field.as_str(),
                reason: format!("character {:?} is not allowed (A-Z, 0-9, <)", bad as char),
            });
        }
        rows[s.line][s.start..s.start + v.len()].copy_from_slice(v);
        Ok(())
    };
    put(
        &mut rows,
        layout.code,
        MrzField::DocumentCode,
        &f.document_code,
    )?;
    put(
        &mut rows,
        layout.state,
        MrzField::IssuingState,
        &f.issuing_state,
    )?;
    let name = mrz_name(&f.surname, &f.given_names, layout.name.len);
    put(&mut rows, layout.name, MrzField::Name, &name)?;
    put(
        &mut rows,
        layout.nationality,
        MrzField::Nationality,
        &f.nationality,
    )?;
    put(&mut rows, layout.birth, MrzField::BirthDate, &f.birth_date)?;
    if f.birth_date.len() != 6 {
        return Err(TravelError::Encode {
            field: MrzField::BirthDate.as_str(),
            reason: "expected YYMMDD".into(),
        });
    }
    put(
        &mut rows,
        layout.expiry,
        MrzField::ExpiryDate,
        &f.expiry_date,
    )?;
    if f.expiry_date.len() != 6 {
        return Err(TravelError::Encode {
            field: MrzField::ExpiryDate.as_str(),
            reason: "expected YYMMDD".into(),
        });
    }
    rows[layout.sex.line][layout.sex.start] = f.sex.mrz_char() as u8;

    let number = f.document_number.as_bytes();
    let overflow_allowed = matches!(format, MrzFormat::Td1 | MrzFormat::Td2);
    if number.len() > 9 && overflow_allowed {
        let head = &f.document_number[..9];
        let tail = &f.document_number[9..];
        put(&mut rows, layout.number, MrzField::DocumentNumber, head)?;
        let digit = check_digit(number);
        let optional = if f.optional_data.is_empty() {
            format!("{tail}{digit}")
        } else {
            format!("{tail}{digit}<{}", f.optional_data)
        };
        put(
            &mut rows,
            layout.optional,
            MrzField::OptionalData,
            &optional,
        )?;
    } else {
        put(
            &mut rows,
            layout.number,
            MrzField::DocumentNumber,
            &f.document_number,
        )?;
        let padded = &rows[layout.number.line][layout.number.start..][..9];
        let digit = check_digit(padded) as u8;
        rows[layout.number_check.line][layout.number_check.start] = digit;
        if overflow_allowed && f.optional_data.starts_with('<') {
            return Err(TravelError::Encode {
                field: MrzField::OptionalData.as_str(),
                reason: "optional data may not start with < on TD1/TD2".into(),
            });
        }
        put(
            &mut rows,
            layout.optional,
            MrzField::OptionalData,
            &f.optional_data,
        )?;
    }
    if let Some(s) = layout.optional2 {
        put(&mut rows, s, MrzField::OptionalData2, &f.optional_data_2)?;
    } else if !f.optional_data_2.is_empty() {
        return Err(TravelError::Encode {
            field: MrzField::OptionalData2.as_str(),
            reason: format!("{} has no second optional data field", format.as_str()),
        });
    }
    let digit_of =
        |rows: &Vec<Vec<u8>>, s: Span| check_digit(&rows[s.line][s.start..s.start + s.len]) as u8;
    let d = digit_of(&rows, layout.birth);
    rows[layout.birth_check.line][layout.birth_check.start] = d;
    let d = digit_of(&rows, layout.expiry);
    rows[layout.expiry_check.line][layout.expiry_check.start] = d;
    if let Some(c) = layout.optional_check {
        let d = digit_of(&rows, layout.optional);
        rows[c.line][c.start] = d;
    }
    if let Some((c, parts)) = layout.composite {
        let data: Vec<u8> = parts
            .iter()
            .flat_map(|s| rows[s.line][s.start..s.start + s.len].to_vec())
            .collect();
        rows[c.line][c.start] = check_digit(&data) as u8;
    }
    Ok(rows
        .into_iter()
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .collect())
}

/// The MRZ name field content (without padding) for a surname and given
/// names, cut to `width`.
pub fn mrz_name(surname: &str, given_names: &str, width: usize) -> String {
    let component = |s: &str| -> String {
        let mut out = String::new();
        for c in s.chars() {
            let c = c.to_ascii_uppercase();
            if c.is_ascii_uppercase() {
                out.push(c);
            } else if matches!(c, ' ' | '-' | ',' | '<') && !out.ends_with('<') && !out.is_empty() {
                out.push('<');
            }
        }
        out.trim_end_matches('<').to_string()
    };
    let sur = component(surname);
    let given = component(given_names);
    let mut name = if given.is_empty() {
        sur
    } else {
        format!("{sur}<<{given}")
    };
    name.truncate(width);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> PartialDate {
        PartialDate::ymd(2026, 11, 29).unwrap()
    }

    #[test]
    fn check_digits_of_the_specimen() {
        assert_eq!(check_digit(b"L898902C3"), '6');
        assert_eq!(check_digit(b"740812"), '2');
        assert_eq!(check_digit(b"120415"), '9');
        assert_eq!(check_digit(b"ZE184226B<<<<<"), '1');
    }

    #[test]
    fn ocr_confusions_in_dates_are_corrected_and_reported() {
        let m = parse_mrz(
            &[
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO74O8122F12O4159ZE184226B<<<<<10",
            ],
            today(),
        )
        .unwrap();
        assert!(m.all_checks_pass());
        assert_eq!(m.birth_date.raw, "740812");
        let fixes: Vec<_> = m
            .diagnostics
            .iter()
            .filter(|d| d.code == "mrz.ocr_corrected")
            .collect();
        assert_eq!(fixes.len(), 2);
        assert_eq!(
            fixes[0].location,
            Location::Mrz {
                line: 2,
                column: 16,
                field: Some(MrzField::BirthDate)
            }
        );
        // The document number is alphanumeric: an O there is left alone and
        // the check digit says so.
        let m = parse_mrz(
            &[
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            ],
            today(),
        )
        .unwrap();
        assert!(m.diagnostics.is_empty());
    }

    #[test]
    fn report_names_the_failed_field() {
        let m = parse_mrz(
            &[
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204169ZE184226B<<<<<10",
            ],
            today(),
        )
        .unwrap();
        let report = m.to_string();
        assert!(
            report.contains("check date of expiry    FAILED: found '9', expected '0'"),
            "{report}"
        );
        assert!(
            report.contains("check date of birth     ok (2)"),
            "{report}"
        );
        assert!(report.contains("issuing state    UTO (Utopia"), "{report}");
    }

    #[test]
    fn unknown_birth_day_and_month() {
        let d = |raw| read_date(raw, today(), Window::Past).map(|d| d.to_string());
        assert_eq!(d("74<<<<").as_deref(), Some("1974"));
        assert_eq!(d("7408<<").as_deref(), Some("1974-08"));
        assert_eq!(d("261129").as_deref(), Some("2026-11-29"));
        assert_eq!(d("261130").as_deref(), Some("1926-11-30"));
        assert_eq!(d("741332"), None);
        let e = |raw| read_date(raw, today(), Window::Near).map(|d| d.to_string());
        assert_eq!(e("961210").as_deref(), Some("1996-12-10"));
        assert_eq!(e("360101").as_deref(), Some("2036-01-01"));
    }

    #[test]
    fn text_with_or_without_line_breaks() {
        let td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
        let a = parse_mrz_text(&format!("\n  {td3}  \n\n"), today()).unwrap();
        let b = parse_mrz_text(&td3.replace('\n', ""), today()).unwrap();
        assert_eq!(a, b);
        assert!(a.all_checks_pass());
        let td1 = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
        assert_eq!(parse_mrz_text(td1, today()).unwrap().format, MrzFormat::Td1);
    }

    #[test]
    fn not_an_mrz() {
        assert!(parse_mrz(&["P<UTO"], today()).is_err());
        assert!(parse_mrz(&[&"A".repeat(44), &"B".repeat(36)], today()).is_err());
        let bad = "P<UTOERIKSSON<<ANNA MARIA<<<<<<<<<<<<<<<<<<<";
        assert!(parse_mrz(&[bad, &"<".repeat(44)], today()).is_err());
    }

    #[test]
    fn td1_document_number_overflow() {
        let f = MrzFields {
            format: MrzFormat::Td1,
            document_code: "I".into(),
            issuing_state: "UTO".into(),
            surname: "TESTER".into(),
            given_names: "PAT".into(),
            document_number: "D23145890123".into(),
            nationality: "UTO".into(),
            birth_date: "740812".into(),
            sex: Sex::Female,
            expiry_date: "120415".into(),
            optional_data: "XYZ".into(),
            optional_data_2: String::new(),
        };
        let lines = encode_mrz(&f).unwrap();
        assert_eq!(&lines[0][14..15], "<");
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let m = parse_mrz(&refs, today()).unwrap();
        assert!(m.all_checks_pass(), "{:?}", m.checks);
        assert_eq!(m.document_number, "D23145890123");
        assert_eq!(m.optional_data, "XYZ");
        assert_eq!(m.fields(), f);
    }
}
