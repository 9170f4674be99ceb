//! Watchlist file formats into tansiq entities: the UN Security Council
//! Consolidated List XML, FollowTheMoney JSON lines (import and export), the
//! US OFAC SDN legacy CSV, Australia's DFAT consolidated XLSX, and tansiq's
//! own national-entries CSV (specified in `NATIONAL-CSV.md`).
//!
//! | format | function | source | version | entity ids |
//! |---|---|---|---|---|
//! | `un-xml` | [`parse_un_xml`] | `un-sc` | `dateGenerated` | UN reference number (`QDi.232`) |
//! | `ftm` | [`parse_ftm`], [`write_ftm`] | the lines' own, else `ftm` | content id | the lines' ids |
//! | `ofac-csv` | [`parse_ofac`] | `ofac-sdn` | content id | `ofac-<ent_num>` |
//! | `dfat-xlsx` | [`parse_dfat_xlsx`] | `au-dfat` | latest control date + content id | `au-dfat-<reference>` |
//! | `national-csv` | [`parse_national_csv`] | `national` | content id | the agency's ids |
//! | `uk-csv` | [`parse_uk`] | `uk-sanctions` | latest `last_updated` + content id | `uk-<unique_id>` |
//!
//! Every entity carries its provenance (source, list version, the record's
//! id in the source, listing and amendment dates where the list has them),
//! a legal basis (regime, programme, warrant) and an action on hit.
//!
//! Key design decision: parsers never fail on a bad *record*. Each returns a
//! [`ParsedList`] with every entity it understood plus positioned
//! [`Diagnostic`]s for what it could not (a date that does not parse, an
//! unknown country name, an unknown action). `Err(`[`ListError`]`)` is kept
//! for inputs that are not that format at all, or are truncated or broken
//! so that what was read cannot be trusted to be the whole list; the caller
//! then rejects the import and changes nothing. The trade-off: a caller
//! must look at the diagnostics (the CLI prints them) or it may silently
//! load a list with a few values dropped — but one bad date never blocks a
//! whole sanctions list from loading.
//!
//! The crate is pure: parsers take `impl BufRead`/`impl Read`/`&[u8]` and
//! never touch the file system, the network or the clock.
//!
//! ```
//! use tansiq_lists::{Format, parse_un_xml};
//! let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
//!   <DATAID>1</DATAID><FIRST_NAME>KARIM</FIRST_NAME><SECOND_NAME>HADDAD</SECOND_NAME>
//!   <REFERENCE_NUMBER>QDi.900</REFERENCE_NUMBER><NAME_ORIGINAL_SCRIPT>كريم حداد</NAME_ORIGINAL_SCRIPT>
//!   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>
//!     <FROM_YEAR>1970</FROM_YEAR><TO_YEAR>1971</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
//! </INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"#;
//! let list = parse_un_xml(xml.as_bytes()).unwrap();
//! assert_eq!(list.version, "2026-01-02T00:00:00Z");
//! let karim = &list.entities[0];
//! assert_eq!(karim.first("name"), Some("KARIM HADDAD"));
//! assert_eq!(karim.get("alias"), ["كريم حداد"]);
//! assert_eq!(karim.get("birthDate"), ["1970", "1971"]);
//! assert_eq!(Format::detect(xml.as_bytes(), "list.xml"), Some(Format::UnXml));
//!
//! // Cut short: rejected, with the place it ends.
//! let err = parse_un_xml(&xml.as_bytes()[..200]).unwrap_err();
//! assert!(err.to_string().contains("truncated at line"), "{err}");
//! ```

mod countries;
mod dfat;
mod diag;
mod ftm;
pub mod measures;
mod national;
mod ofac;
mod position;
pub mod subjects;
mod text;
mod uk;
mod un;

use std::fmt;
use std::str::FromStr;

use tansiq_model::Entity;

pub use countries::{code as country_iso_code, code_or_name as country_code_or_name, country_code};
pub use dfat::{SOURCE as DFAT_SOURCE, parse_dfat_xlsx};
pub use diag::{Diagnostic, ListError, Severity};
pub use ftm::{SOURCE as FTM_SOURCE, parse_ftm, write_ftm};
pub use measures::{MeasureOverride, apply_overrides};
pub use national::{COLUMNS as NATIONAL_COLUMNS, SOURCE as NATIONAL_SOURCE, parse_national_csv};
pub use ofac::{SOURCE as OFAC_SOURCE, parse_ofac};
pub use uk::{SOURCE as UK_SOURCE, UNSC_ID, UkTables, parse_uk};
pub use un::{SOURCE as UN_SOURCE, parse_un_xml};

/// Parses one file of a format: the entry point for callers that hold the
/// bytes and a [`Format`] (given or [detected](Format::detect)). For
/// `ofac-csv` this reads `sdn.csv` alone; use [`parse_ofac`] to add
/// `alt.csv` and `add.csv`; for `uk-csv` it reads `subjects.csv` alone,
/// which has no names: use [`parse_uk`] with its tables.
pub fn parse(format: Format, bytes: &[u8]) -> Result<ParsedList, ListError> {
    match format {
        Format::UnXml => parse_un_xml(bytes),
        Format::OfacCsv => parse_ofac(bytes, None::<&[u8]>, None::<&[u8]>),
        Format::DfatXlsx => parse_dfat_xlsx(bytes),
        Format::Ftm => parse_ftm(bytes),
        Format::NationalCsv => parse_national_csv(bytes),
        Format::UkCsv => parse_uk(bytes, UkTables::default()),
    }
}

/// The list formats tansiq reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// UN Security Council Consolidated List XML.
    UnXml,
    /// US OFAC SDN legacy CSV (`sdn.csv`, with `alt.csv` and `add.csv`).
    OfacCsv,
    /// Australia DFAT consolidated list (XLSX).
    DfatXlsx,
    /// FollowTheMoney entities, one JSON object per line.
    Ftm,
    /// tansiq's national entries CSV (`NATIONAL-CSV.md`).
    NationalCsv,
    /// UK Sanctions List tables (`subjects.csv` and the tables beside it).
    UkCsv,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::UnXml,
        Format::OfacCsv,
        Format::DfatXlsx,
        Format::Ftm,
        Format::NationalCsv,
        Format::UkCsv,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::UnXml => "un-xml",
            Format::OfacCsv => "ofac-csv",
            Format::DfatXlsx => "dfat-xlsx",
            Format::Ftm => "ftm",
            Format::NationalCsv => "national-csv",
            Format::UkCsv => "uk-csv",
        }
    }

    /// Guesses the format from the first bytes of a file (a few KB are
    /// enough) and its name. Content decides where it can; the name only
    /// breaks ties (an XLSX is a ZIP file, an OFAC CSV has no header).
    pub fn detect(first_bytes: &[u8], file_name: &str) -> Option<Format> {
        let name = file_name.to_ascii_lowercase();
        let bytes = first_bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(first_bytes);
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        if bytes.starts_with(b"PK\x03\x04") {
            return (name.ends_with(".xlsx")
                || name.ends_with(".xlsm")
                || name.contains("dfat")
                || name.contains("consolidated"))
            .then_some(Format::DfatXlsx);
        }
        if bytes.starts_with(b"<") {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
            return head.contains("<CONSOLIDATED_LIST").then_some(Format::UnXml);
        }
        if bytes.starts_with(b"{") {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
            return (head.contains("\"schema\"") || head.contains("\"properties\""))
                .then_some(Format::Ftm);
        }
        let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let first_line = String::from_utf8_lossy(first_line);
        let header: Vec<&str> = first_line
            .trim_end()
            .split(',')
            .map(|h| h.trim().trim_matches('"'))
            .collect();
        // The national CSV is told by its header: `id` and `name` columns,
        // comma- or semicolon-separated, in any order.
        let columns: Vec<String> = first_line
            .trim_end()
            .split([',', ';'])
            .map(|h| h.trim().trim_matches('"').to_ascii_lowercase())
            .collect();
        if columns.len() >= uk::SUBJECTS_HEADER.len()
            && uk::SUBJECTS_HEADER
                .iter()
                .zip(&columns)
                .all(|(want, got)| want == got)
        {
            return Some(Format::UkCsv);
        }
        if columns.iter().any(|c| c == "id") && columns.iter().any(|c| c == "name") {
            return Some(Format::NationalCsv);
        }
        let ofac_like = header
            .first()
            .is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
            && (first_line.contains("-0-") || header.len() >= 12);
        if ofac_like || name.ends_with("sdn.csv") {
            return Some(Format::OfacCsv);
        }
        None
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown list format {s:?} (expected un-xml, ofac-csv, dfat-xlsx, ftm, national-csv or uk-csv)"
                )
            })
    }
}

/// What a parser understood of one list file.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedList {
    /// Source name, e.g. `un-sc`, `ofac-sdn`, `au-dfat`, `national`.
    pub source: String,
    /// The list's own date where the format has one (UN `dateGenerated`,
    /// DFAT's latest control date), else a content id (`fnv1a64:…`).
    pub version: String,
    /// Every entity read, with `provenance` filled in.
    pub entities: Vec<Entity>,
    /// Record-level problems, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedList {
    /// Whether any diagnostic is an error (a record or a value was dropped).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of entities of a schema.
    pub fn count(&self, schema: tansiq_model::Schema) -> usize {
        self.entities.iter().filter(|e| e.schema == schema).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_dispatches_and_formats_refuse_each_other() {
        let national = b"id,name,action_on_hit\nxx-1,Karim Haddad,inform\n";
        let ftm =
            b"{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Karim Haddad\"]}}\n";
        let un = b"<CONSOLIDATED_LIST dateGenerated=\"d\"/>";
        assert_eq!(
            parse(Format::NationalCsv, national).unwrap().entities.len(),
            1
        );
        assert_eq!(parse(Format::Ftm, ftm).unwrap().entities.len(), 1);
        assert!(parse(Format::UnXml, un).unwrap().entities.is_empty());
        for (format, input) in [
            (Format::UnXml, &national[..]),
            (Format::OfacCsv, &ftm[..]),
            (Format::DfatXlsx, &un[..]),
            (Format::Ftm, &national[..]),
            (Format::NationalCsv, &un[..]),
        ] {
            let err = parse(format, input).unwrap_err();
            assert_eq!(err.format(), format);
            assert!(
                matches!(
                    err,
                    ListError::NotThisFormat { .. } | ListError::NothingReadable { .. }
                ),
                "{format}: {err}"
            );
        }
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert!("xml".parse::<Format>().unwrap_err().contains("un-xml"));
    }

    #[track_caller]
    fn check_detect(bytes: &[u8], name: &str, expect: Option<Format>) {
        assert_eq!(
            Format::detect(bytes, name),
            expect,
            "{name}: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }

    #[test]
    fn detects_by_content() {
        check_detect(
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"x\">",
            "a.xml",
            Some(Format::UnXml),
        );
        check_detect(b"<?xml version=\"1.0\"?><sdnList>", "sdn.xml", None);
        check_detect(
            b"{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{}}\n",
            "x.json",
            Some(Format::Ftm),
        );
        check_detect(
            b"36,AEROCARIBBEAN AIRLINES,-0- ,CUBA,-0- \n",
            "whatever.csv",
            Some(Format::OfacCsv),
        );
        check_detect(
            b"id,schema,name,aliases\n",
            "mine.csv",
            Some(Format::NationalCsv),
        );
        check_detect(
            b"\xEF\xBB\xBFname;ID;action_on_hit\n",
            "mine.csv",
            Some(Format::NationalCsv),
        );
        check_detect(b"name,dob\n", "other.csv", None);
        check_detect(
            b"PK\x03\x04rest",
            "regulation8_consolidated.xlsx",
            Some(Format::DfatXlsx),
        );
        check_detect(b"PK\x03\x04rest", "archive.zip", None);
        check_detect(b"hello", "notes.txt", None);
        check_detect(b"", "", None);
    }
}
