//! Diagnostics shared by the three parsers: what was wrong or corrected, and
//! where (MRZ line and column, EDIFACT segment and element, CSV line and
//! column).

use std::fmt;

use serde::Serialize;

use crate::mrz::MrzField;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something was tolerated or corrected; the value is still usable.
    Warning,
    /// A value is missing, invalid, or a control check failed.
    Error,
}

/// Where a diagnostic points. Lines, columns, segments and elements are
/// 1-based, as a person counts them; byte offsets are 0-based.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A character position in an MRZ.
    Mrz {
        line: usize,
        column: usize,
        field: Option<MrzField>,
    },
    /// A position in an EDIFACT interchange. `segment` counts segments from
    /// the start of the interchange (UNA excluded); `element` and
    /// `component` are the data element and component positions inside it.
    Segment {
        segment: usize,
        tag: String,
        element: Option<usize>,
        component: Option<usize>,
        line: usize,
        byte_offset: usize,
    },
    /// A cell (or a whole row when `column` is `None`) of a CSV manifest.
    Csv {
        line: u64,
        column: Option<usize>,
        header: Option<String>,
    },
    /// A byte position in raw input that is not inside any segment.
    Input { line: usize, byte_offset: usize },
}

/// One finding of a parser. `code` is a stable, dotted identifier
/// (`mrz.check_digit`, `paxlst.cnt_mismatch`, …) that tests and reports can
/// rely on; `message` is for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        code: &'static str,
        location: Location,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            location,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Mrz {
                line,
                column,
                field,
            } => {
                write!(f, "MRZ line {line}, column {column}")?;
                if let Some(field) = field {
                    write!(f, " ({})", field.as_str())?;
                }
                Ok(())
            }
            Location::Segment {
                segment,
                tag,
                element,
                component,
                line,
                ..
            } => {
                write!(f, "segment {segment} ({tag}, line {line})")?;
                if let Some(e) = element {
                    write!(f, ", element {e}")?;
                }
                if let Some(c) = component {
                    write!(f, ", component {c}")?;
                }
                Ok(())
            }
            Location::Csv {
                line,
                column,
                header,
            } => {
                write!(f, "line {line}")?;
                if let Some(c) = column {
                    write!(f, ", column {c}")?;
                }
                if let Some(h) = header {
                    write!(f, " ({h})")?;
                }
                Ok(())
            }
            Location::Input { line, byte_offset } => {
                write!(f, "line {line}, byte {byte_offset}")
            }
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{sev}[{}] {}: {}",
            self.code, self.location, self.message
        )
    }
}
