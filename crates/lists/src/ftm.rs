//! FollowTheMoney entities as JSON lines: import ([`parse_ftm`]) and export
//! ([`write_ftm`]).
//!
//! Import reads what OpenSanctions and other FtM tools publish
//! (`{"id", "schema", "properties", "datasets", "first_seen", ...}`) and
//! tansiq's own export, which adds provenance, legal basis, action on hit,
//! sharing, validity and status beside the FtM fields. Entities of schemata
//! tansiq does not screen (Address, Sanction, Ownership, …) are skipped and
//! counted in one warning per schema.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Write};

use serde::Deserialize;
use tansiq_model::{
    ActionOnHit, Entity, EntryStatus, LegalBasis, PartialDate, Provenance, Schema, SharingPolicy,
    Validity, prop,
};

use crate::diag::{Diagnostic, ListError};
use crate::position::ContentId;
use crate::{Format, ParsedList};

/// The `source` of FtM input whose lines do not say where they came from.
pub const SOURCE: &str = "ftm";

/// One line as FtM tools write it, plus tansiq's own fields when present.
#[derive(Deserialize)]
struct Line {
    id: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    datasets: Vec<String>,
    first_seen: Option<String>,
    last_change: Option<String>,
    provenance: Option<Provenance>,
    origin_agency: Option<String>,
    legal_basis: Option<LegalBasis>,
    action_on_hit: Option<ActionOnHit>,
    sharing: Option<SharingPolicy>,
    validity: Option<Validity>,
    status: Option<EntryStatus>,
}

/// Parses FollowTheMoney JSON lines.
///
/// A line that is not a JSON object with an `id` and a screened `schema` is
/// an error diagnostic (with its line number) and is skipped. The input is
/// refused when no line is an entity and at least one line failed (it is
/// not FtM), or when its last line is cut short (no final newline and not
/// valid JSON: a truncated download).
pub fn parse_ftm(mut input: impl BufRead) -> Result<ParsedList, ListError> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut skipped: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut content = ContentId::default();
    let mut failed_lines = 0usize;
    let mut first_failure: Option<String> = None;
    let mut buf = Vec::new();
    let mut number = 0u64;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|source| ListError::Read {
                format: Format::Ftm,
                source,
            })?;
        if n == 0 {
            break;
        }
        number += 1;
        content.update(&buf);
        let ended = buf.last() == Some(&b'\n');
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim(),
            Err(e) => {
                let d = Diagnostic::error(
                    number,
                    format!("not UTF-8 (byte {}): line skipped", e.valid_up_to() + 1),
                );
                failed_lines += 1;
                first_failure.get_or_insert_with(|| d.to_string());
                diagnostics.push(d);
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let line: Line = match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                if !ended && e.is_eof() {
                    return Err(ListError::Truncated {
                        format: Format::Ftm,
                        line: number,
                        column: e.column() as u64,
                        reason: "the last line ends inside a JSON object".into(),
                    });
                }
                let d = Diagnostic::error(number, format!("not an FtM entity: {e}: line skipped"))
                    .column(e.column() as u64);
                failed_lines += 1;
                first_failure.get_or_insert_with(|| d.to_string());
                diagnostics.push(d);
                continue;
            }
        };
        match entity_of(line, number, &mut diagnostics, &mut skipped) {
            Ok(Some(entity)) => {
                if seen.insert(entity.id.clone()) {
                    entities.push(entity);
                } else {
                    diagnostics.push(
                        Diagnostic::error(
                            number,
                            "the same id is on an earlier line: this line is skipped",
                        )
                        .record(Some(&entity.id))
                        .field("id"),
                    );
                }
            }
            Ok(None) => {}
            Err(d) => {
                failed_lines += 1;
                first_failure.get_or_insert_with(|| d.to_string());
                diagnostics.push(d);
            }
        }
    }
    for (schema, (count, line)) in skipped {
        diagnostics.push(
            Diagnostic::warning(line, format!("{count} entities of schema {schema} are not screened and were skipped (first here)"))
                .field("schema"),
        );
    }
    if entities.is_empty() && failed_lines > 0 {
        return Err(ListError::NothingReadable {
            format: Format::Ftm,
            errors: failed_lines,
            first: first_failure.unwrap_or_default(),
        });
    }
    let version = content.render();
    let source = common_source(&entities);
    for e in &mut entities {
        if e.provenance.source.is_empty() {
            e.provenance.source = source.clone();
        }
        if e.provenance.list_version.is_none() {
            e.provenance.list_version = Some(version.clone());
        }
    }
    if number == 0 {
        diagnostics.push(Diagnostic::warning(1, "the input holds no entity"));
    }
    Ok(ParsedList {
        source,
        version,
        entities,
        diagnostics,
    })
}

/// The source all entities agree on (tansiq's own export of one list, or
/// one FtM dataset), else [`SOURCE`].
fn common_source(entities: &[Entity]) -> String {
    let mut sources = entities.iter().map(|e| e.provenance.source.as_str());
    match sources.next() {
        Some(first) if !first.is_empty() && sources.all(|s| s == first) => first.to_string(),
        _ => SOURCE.to_string(),
    }
}

fn entity_of(
    line: Line,
    number: u64,
    diagnostics: &mut Vec<Diagnostic>,
    skipped: &mut BTreeMap<String, (usize, u64)>,
) -> Result<Option<Entity>, Diagnostic> {
    let id = line.id.as_deref().map(str::trim).unwrap_or("");
    if id.is_empty() {
        return Err(Diagnostic::error(number, "no id: line skipped").field("id"));
    }
    let Some(schema_name) = line.schema.as_deref() else {
        return Err(Diagnostic::error(number, "no schema: line skipped")
            .record(Some(id))
            .field("schema"));
    };
    let Ok(schema) = schema_name.parse::<Schema>() else {
        let entry = skipped
            .entry(schema_name.to_string())
            .or_insert((0, number));
        entry.0 += 1;
        return Ok(None);
    };
    let mut entity = Entity::new(id, schema);
    let mut dropped = Vec::new();
    for (property, values) in &line.properties {
        let values = match values {
            serde_json::Value::Array(v) => v.as_slice(),
            other => std::slice::from_ref(other),
        };
        for value in values {
            match value {
                serde_json::Value::String(s) => {
                    entity.add(property, s);
                }
                serde_json::Value::Number(n) => {
                    entity.add(property, n.to_string());
                }
                serde_json::Value::Null => {}
                // Nested entities (FtM's "nested" exports) are other
                // entities, not values of this one.
                _ => dropped.push(property.clone()),
            }
        }
    }
    if !dropped.is_empty() {
        dropped.dedup();
        diagnostics.push(
            Diagnostic::warning(
                number,
                format!("nested values of {} are not read", dropped.join(", ")),
            )
            .record(Some(id))
            .field("properties"),
        );
    }
    for value in entity.get(prop::BIRTH_DATE) {
        if value.parse::<PartialDate>().is_err() {
            diagnostics.push(
                Diagnostic::warning(number, format!("birth date {value:?} is not YYYY, YYYY-MM or YYYY-MM-DD: kept, but not used for matching"))
                    .record(Some(id))
                    .field(prop::BIRTH_DATE),
            );
        }
    }
    if entity.names().is_empty() && entity.composed_name().is_none() {
        diagnostics.push(
            Diagnostic::warning(number, "no name: the entity cannot match by name")
                .record(Some(id))
                .field(prop::NAME),
        );
    }
    entity.provenance = match line.provenance {
        Some(p) => p,
        None => Provenance {
            source: match line.datasets.as_slice() {
                [one] => one.clone(),
                _ => String::new(),
            },
            list_version: None,
            source_record_id: Some(entity.id.clone()),
            listed_on: line.first_seen.as_deref().and_then(date_part),
            amended_on: line.last_change.as_deref().and_then(date_part),
        },
    };
    entity.origin_agency = line.origin_agency;
    entity.legal_basis = line.legal_basis;
    entity.action_on_hit = line.action_on_hit;
    entity.sharing = line.sharing.unwrap_or_default();
    entity.validity = line.validity.unwrap_or_default();
    entity.status = line.status.unwrap_or_default();
    Ok(Some(entity))
}

fn date_part(timestamp: &str) -> Option<String> {
    crate::text::iso_date(timestamp).ok()
}

/// Writes entities as FollowTheMoney JSON lines (one object per line, in
/// the order given), with tansiq's fields beside the FtM ones; FtM readers
/// ignore the extra fields.
pub fn write_ftm<'a>(
    entities: impl IntoIterator<Item = &'a Entity>,
    mut out: impl Write,
) -> Result<(), ListError> {
    let fail = |source| ListError::Write {
        format: Format::Ftm,
        source,
    };
    for entity in entities {
        serde_json::to_writer(&mut out, entity).map_err(|e| fail(e.into()))?;
        out.write_all(b"\n").map_err(fail)?;
    }
    out.flush().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<ParsedList, ListError> {
        parse_ftm(input.as_bytes())
    }

    #[test]
    fn reads_opensanctions_style_lines() {
        let input = r#"{"id":"os-1","schema":"Person","properties":{"name":["Karim Haddad"],"alias":["كريم حداد"],"birthDate":["1971-03-14"],"nationality":["dz"]},"datasets":["un_sc_sanctions"],"first_seen":"2021-05-01T10:00:00","last_change":"2024-01-02T00:00:00"}
{"id":"os-2","schema":"Address","properties":{"full":["Algiers"]}}
{"id":"os-3","schema":"Address","properties":{"full":["Oran"]}}
{"id":"os-4","schema":"Company","properties":{"name":["Haddad Trading"],"owner":[{"id":"x","schema":"Person"}]}}
"#;
        let list = parse(input).unwrap();
        assert_eq!(list.entities.len(), 2);
        let karim = &list.entities[0];
        assert_eq!(karim.provenance.source, "un_sc_sanctions");
        assert_eq!(karim.provenance.listed_on.as_deref(), Some("2021-05-01"));
        assert_eq!(karim.provenance.amended_on.as_deref(), Some("2024-01-02"));
        assert_eq!(karim.provenance.source_record_id.as_deref(), Some("os-1"));
        assert_eq!(list.source, "ftm", "the two entities do not share a source");
        let msgs: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "line 4, record os-4, field properties: nested values of owner are not read",
                "line 2, field schema: 2 entities of schema Address are not screened and were skipped (first here)",
            ]
        );
    }

    #[test]
    fn bad_lines_are_diagnostics() {
        let input = "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Sami Rahal\"],\"birthDate\":[\"14/03/1971\"]}}\nnot json\n\n{\"schema\":\"Person\"}\n{\"id\":\"a\",\"schema\":\"Person\"}\n{\"id\":\"b\",\"schema\":\"Person\",\"properties\":{\"name\":\"Nour Saleh\"}}\n";
        let list = parse(input).unwrap();
        let msgs: Vec<String> = list.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "line 1, record a, field birthDate: birth date \"14/03/1971\" is not YYYY, YYYY-MM or YYYY-MM-DD: kept, but not used for matching",
                "line 2, column 2: not an FtM entity: expected ident at line 1 column 2: line skipped",
                "line 4, field id: no id: line skipped",
                "line 5, record a, field name: no name: the entity cannot match by name",
                "line 5, record a, field id: the same id is on an earlier line: this line is skipped",
            ]
        );
        assert_eq!(list.entities.len(), 2);
        assert_eq!(list.entities[1].get("name"), ["Nour Saleh"]);
    }

    #[test]
    fn refuses_what_is_not_ftm_or_is_cut_short() {
        let err = parse("id,schema,name\n1,Person,X\n").unwrap_err();
        assert!(
            matches!(err, ListError::NothingReadable { errors: 2, .. }),
            "{err}"
        );
        let err = parse("{\"id\":\"a\",\"schema\":\"Person\"}\n{\"id\":\"b\",\"sch").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ftm input is truncated at line 2, column 14: the last line ends inside a JSON object"
        );
        // No final newline but complete: fine.
        assert_eq!(
            parse("{\"id\":\"a\",\"schema\":\"Person\"}")
                .unwrap()
                .entities
                .len(),
            1
        );
        let empty = parse("").unwrap();
        assert!(empty.entities.is_empty());
        assert_eq!(empty.diagnostics.len(), 1);
    }

    #[test]
    fn export_then_import_is_lossless() {
        let mut e = Entity::new("dz-1", Schema::Person);
        e.add(prop::NAME, "Karim Haddad");
        e.add(prop::ALIAS, "كريم حداد");
        e.provenance.source = "national".into();
        e.provenance.list_version = Some("v1".into());
        e.action_on_hit = Some(ActionOnHit::Arrest);
        e.legal_basis = Some(LegalBasis {
            warrant_number: Some("W-1".into()),
            ..LegalBasis::default()
        });
        e.validity.valid_until = Some("2030-01-01".into());
        e.status = EntryStatus::Withdrawn;
        let mut out = Vec::new();
        write_ftm([&e], &mut out).unwrap();
        let back = parse_ftm(&out[..]).unwrap();
        assert_eq!(back.entities, vec![e]);
        assert_eq!(back.source, "national");
        assert!(back.diagnostics.is_empty());
    }
}
