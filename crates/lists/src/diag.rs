//! What a parser reports: per-record [`Diagnostic`]s, and [`ListError`] when
//! the input as a whole cannot be taken.

use std::fmt;

use crate::Format;

/// How serious a record-level problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The record, or one of its values, was dropped.
    Error,
    /// The value was kept, reinterpreted, or was not understood and ignored
    /// without losing a name.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One record-level problem, with where it was found.
///
/// `line` is 1-based: the text line for XML, CSV and JSON lines, the sheet
/// row for XLSX. `column` is 1-based and counts bytes (XML) or is the
/// spreadsheet/CSV column number; `field` names the element or column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub line: u64,
    pub column: Option<u64>,
    /// The record's id in the source (UN reference number, OFAC ent_num, …)
    /// when it is known.
    pub record: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(severity: Severity, line: u64, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            line,
            column: None,
            record: None,
            field: None,
            message: message.into(),
        }
    }

    pub(crate) fn error(line: u64, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, line, message)
    }

    pub(crate) fn warning(line: u64, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, line, message)
    }

    pub(crate) fn column(mut self, column: u64) -> Diagnostic {
        self.column = Some(column);
        self
    }

    pub(crate) fn record(mut self, record: Option<&str>) -> Diagnostic {
        self.record = record.map(str::to_string);
        self
    }

    pub(crate) fn field(mut self, field: impl Into<String>) -> Diagnostic {
        self.field = Some(field.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `line 12, column 4, record QDi.001, field DATE_OF_BIRTH: message`;
    /// the parts that are not known are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(r) = &self.record {
            write!(f, ", record {r}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why an input was rejected as a whole. A caller that gets an `Err` must
/// change nothing: the file is not of the format asked for, or it is cut
/// short or broken so that what was read cannot be trusted to be the list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// The input is not this format at all (wrong root element, missing
    /// header, a different file type).
    #[error("not {format} input: {reason}")]
    NotThisFormat { format: Format, reason: String },
    /// The input ends before the list does.
    #[error("{format} input is truncated at line {line}, column {column}: {reason}")]
    Truncated {
        format: Format,
        line: u64,
        column: u64,
        reason: String,
    },
    /// The input breaks the format's syntax (XML well-formedness, CSV
    /// structure, an XLSX container that cannot be opened).
    #[error("{format} input is malformed at line {line}, column {column}: {reason}")]
    Malformed {
        format: Format,
        line: u64,
        column: u64,
        reason: String,
    },
    /// A container format (XLSX, a ZIP file) that cannot be opened: damaged
    /// or truncated.
    #[error("{format} input cannot be opened (damaged or truncated file): {reason}")]
    Container { format: Format, reason: String },
    /// Every record failed; the first failure is quoted.
    #[error("no record of the {format} input could be read ({errors} errors; first: {first})")]
    NothingReadable {
        format: Format,
        errors: usize,
        first: String,
    },
    /// The caller's reader failed.
    #[error("reading {format} input failed: {source}")]
    Read {
        format: Format,
        #[source]
        source: std::io::Error,
    },
    /// Writing an export failed.
    #[error("writing {format} output failed: {source}")]
    Write {
        format: Format,
        #[source]
        source: std::io::Error,
    },
}

impl ListError {
    /// The format the parser was reading when it gave up.
    pub fn format(&self) -> Format {
        match self {
            ListError::NotThisFormat { format, .. }
            | ListError::Truncated { format, .. }
            | ListError::Malformed { format, .. }
            | ListError::Container { format, .. }
            | ListError::NothingReadable { format, .. }
            | ListError::Read { format, .. }
            | ListError::Write { format, .. } => *format,
        }
    }

    pub(crate) fn not_this(format: Format, reason: impl Into<String>) -> ListError {
        ListError::NotThisFormat {
            format,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_out_unknown_parts() {
        let d = Diagnostic::warning(12, "no such day")
            .column(4)
            .record(Some("QDi.001"))
            .field("DATE_OF_BIRTH");
        assert_eq!(
            d.to_string(),
            "line 12, column 4, record QDi.001, field DATE_OF_BIRTH: no such day"
        );
        assert_eq!(
            Diagnostic::error(3, "not JSON").to_string(),
            "line 3: not JSON"
        );
    }

    #[test]
    fn errors_name_format_and_position() {
        let e = ListError::Truncated {
            format: Format::UnXml,
            line: 7,
            column: 1,
            reason: "INDIVIDUAL is not closed".into(),
        };
        assert_eq!(
            e.to_string(),
            "un-xml input is truncated at line 7, column 1: INDIVIDUAL is not closed"
        );
        assert_eq!(e.format(), Format::UnXml);
    }
}
