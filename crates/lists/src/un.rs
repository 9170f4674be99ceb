//! UN Security Council Consolidated List (`CONSOLIDATED_LIST` XML).
//!
//! The file is streamed with quick-xml; one `INDIVIDUAL` or `ENTITY` at a
//! time is gathered into a small element tree ([`Node`]) and mapped to an
//! [`Entity`], so memory is bounded by the largest record, not the file.
//!
//! Mapping: `REFERENCE_NUMBER` -> id; `FIRST_NAME`..`FOURTH_NAME` joined -> `name`
//! and the parts -> `firstName`, `secondName`, `middleName` (third and
//! fourth); `NAME_ORIGINAL_SCRIPT` -> `alias`; aliases of quality `Good`,
//! `a.k.a.` or unrated -> `alias`, `Low` -> `weakAlias`, `f.k.a.` ->
//! `previousName`; dates of birth -> `birthDate` (a `BETWEEN` range is
//! expanded to each of its years, `APPROXIMATELY` keeps the year);
//! nationality names -> ISO-2; `Passport` documents -> `passportNumber`,
//! all others -> `idNumber`.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use tansiq_model::{Entity, PartialDate, Schema, prop};

use crate::countries;
use crate::diag::{Diagnostic, ListError};
use crate::position::Tracked;
use crate::text::{document_number, one_line, split_list, split_scripts};
use crate::{Format, ParsedList};

/// The `source` of every UN entity.
pub const SOURCE: &str = "un-sc";

/// A BETWEEN range wider than this is not expanded (it would flood the
/// entity with years); its two ends are kept and a warning is given.
const MAX_RANGE_YEARS: u16 = 25;

/// One element of a record: name, text, children, and where it started.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
    line: u64,
    column: u64,
}

impl Node {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child `name`, when not blank.
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// Trimmed non-blank texts of `name/VALUE` children.
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.all(name)
            .flat_map(|c| c.all("VALUE"))
            .filter(|v| !v.text.trim().is_empty())
    }
}

/// Parses a UN Consolidated List XML file.
///
/// `Err` when the input is not a `CONSOLIDATED_LIST`, is not well-formed
/// XML, or ends before the list is closed (a truncated download); the error
/// names the line and column. Record-level problems (a date that does not
/// parse, an unknown country name, a record without reference number) are
/// [`Diagnostic`]s and parsing goes on.
pub fn parse_un_xml(input: impl BufRead) -> Result<ParsedList, ListError> {
    let mut reader = Reader::from_reader(Tracked::new(input));
    reader.config_mut().check_end_names = true;
    let mut parser = UnParser::default();
    let mut buf = Vec::new();
    // Elements open above the current record (the root, INDIVIDUALS, ...).
    let mut outer: Vec<String> = Vec::new();
    // Elements open inside the current record; [0] is the record.
    let mut inner: Vec<Node> = Vec::new();
    let mut root_closed = false;

    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                // quick-xml places encoding errors at offset 0; the event
                // that failed starts where the previous one ended.
                let pos = match e {
                    quick_xml::Error::Encoding(_) => at,
                    _ => reader.error_position(),
                };
                let (line, column) = reader.get_ref().lines.locate(pos);
                let reason = e.to_string();
                // A syntax error before the root element is read is input
                // that ends inside the prolog or the root's start tag (a
                // truncated file); any other error there means it is not
                // XML at all.
                let syntax = matches!(e, quick_xml::Error::Syntax(_));
                if outer.is_empty() && !root_closed && !syntax {
                    return Err(ListError::not_this(
                        Format::UnXml,
                        format!("not XML (line {line}, column {column}: {reason})"),
                    ));
                }
                return Err(if syntax {
                    ListError::Truncated {
                        format: Format::UnXml,
                        line,
                        column,
                        reason,
                    }
                } else {
                    ListError::Malformed {
                        format: Format::UnXml,
                        line,
                        column,
                        reason,
                    }
                });
            }
        };
        let locate = |r: &Reader<Tracked<_>>, pos: u64| r.get_ref().lines.locate(pos);
        match event {
            Event::Start(start) if outer.is_empty() => {
                let (line, column) = locate(&reader, at);
                parser.root(&start, root_closed, line, column)?;
                outer.push(element_name(&start));
            }
            Event::Empty(start) if outer.is_empty() => {
                // `<CONSOLIDATED_LIST/>`: an empty list, closed at once.
                let (line, column) = locate(&reader, at);
                parser.root(&start, root_closed, line, column)?;
                root_closed = true;
            }
            Event::Start(start) => {
                let name = element_name(&start);
                let (line, column) = locate(&reader, at);
                if inner.is_empty() && !is_record(&outer, &name) {
                    outer.push(name);
                } else {
                    inner.push(Node {
                        name,
                        line,
                        column,
                        ..Node::default()
                    });
                }
            }
            Event::Empty(start) => {
                let name = element_name(&start);
                let (line, column) = locate(&reader, at);
                let node = Node {
                    name,
                    line,
                    column,
                    ..Node::default()
                };
                if let Some(parent) = inner.last_mut() {
                    parent.children.push(node);
                } else if is_record(&outer, &node.name) {
                    parser.record(node);
                }
            }
            Event::End(_) => {
                if let Some(node) = inner.pop() {
                    match inner.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => parser.record(node),
                    }
                } else {
                    outer.pop();
                    if outer.is_empty() {
                        root_closed = true;
                    }
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                if let Some(node) = inner.last_mut() {
                    node.text.push_str(&content);
                } else if outer.is_empty() && !content.trim().is_empty() {
                    let (line, column) = locate(&reader, at);
                    if root_closed {
                        return Err(malformed(line, column, "text after the root element"));
                    }
                    return Err(ListError::not_this(
                        Format::UnXml,
                        format!("text before the root element at line {line}, column {column}"),
                    ));
                }
            }
            Event::CData(data) => {
                if let Some(node) = inner.last_mut() {
                    node.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*reference {
                        "amp" => "&".to_string(),
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "apos" => "'".to_string(),
                        "quot" => "\"".to_string(),
                        other => {
                            let (line, column) = locate(&reader, at);
                            return Err(malformed(
                                line,
                                column,
                                &format!("undefined entity &{other};"),
                            ));
                        }
                    },
                    Err(e) => {
                        let (line, column) = locate(&reader, at);
                        return Err(malformed(line, column, &e.to_string()));
                    }
                };
                if let Some(node) = inner.last_mut() {
                    node.text.push_str(&resolved);
                }
            }
            Event::Eof => {
                let (line, column) = locate(&reader, reader.buffer_position());
                if !root_closed {
                    if outer.is_empty() {
                        return Err(ListError::not_this(
                            Format::UnXml,
                            "no CONSOLIDATED_LIST element (empty input)",
                        ));
                    }
                    let open = inner
                        .last()
                        .map(|n| n.name.clone())
                        .or_else(|| outer.last().cloned())
                        .unwrap_or_default();
                    return Err(ListError::Truncated {
                        format: Format::UnXml,
                        line,
                        column,
                        reason: format!("input ends inside {open}"),
                    });
                }
                break;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }

    let content_id = reader.get_ref().id;
    let version = match parser.version.take() {
        Some(v) if !v.trim().is_empty() => v.trim().to_string(),
        _ => {
            parser.diagnostics.push(
                Diagnostic::warning(
                    1,
                    "no dateGenerated on CONSOLIDATED_LIST; the version is a content id",
                )
                .field("dateGenerated"),
            );
            content_id.render()
        }
    };
    for e in &mut parser.entities {
        e.provenance.list_version = Some(version.clone());
    }
    Ok(ParsedList {
        source: SOURCE.to_string(),
        version,
        entities: parser.entities,
        diagnostics: parser.diagnostics,
    })
}

fn malformed(line: u64, column: u64, reason: &str) -> ListError {
    ListError::Malformed {
        format: Format::UnXml,
        line,
        column,
        reason: reason.to_string(),
    }
}

fn element_name(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_string()
}

fn attribute(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// A record is an `INDIVIDUAL` under `INDIVIDUALS` or an `ENTITY` under
/// `ENTITIES`, directly below the root.
fn is_record(outer: &[String], name: &str) -> bool {
    matches!(
        (outer, name),
        ([_, parent], "INDIVIDUAL") if parent == "INDIVIDUALS"
    ) || matches!(
        (outer, name),
        ([_, parent], "ENTITY") if parent == "ENTITIES"
    )
}

#[derive(Default)]
struct UnParser {
    version: Option<String>,
    entities: Vec<Entity>,
    diagnostics: Vec<Diagnostic>,
}

impl UnParser {
    fn root(
        &mut self,
        start: &BytesStart<'_>,
        root_closed: bool,
        line: u64,
        column: u64,
    ) -> Result<(), ListError> {
        if root_closed {
            return Err(malformed(line, column, "content after the root element"));
        }
        let name = element_name(start);
        if name != "CONSOLIDATED_LIST" {
            return Err(ListError::not_this(
                Format::UnXml,
                format!("the root element is {name}, not CONSOLIDATED_LIST"),
            ));
        }
        self.version = attribute(start, "dateGenerated");
        Ok(())
    }

    fn record(&mut self, node: Node) {
        let schema = if node.name == "INDIVIDUAL" {
            Schema::Person
        } else {
            Schema::Organization
        };
        let reference = node.text_of("REFERENCE_NUMBER").map(str::to_string);
        let dataid = node.text_of("DATAID").map(str::to_string);
        let id = match (&reference, &dataid) {
            (Some(r), _) => r.clone(),
            (None, Some(d)) => {
                self.diagnostics.push(
                    Diagnostic::warning(
                        node.line,
                        "no REFERENCE_NUMBER; the id is made from DATAID",
                    )
                    .column(node.column)
                    .record(Some(d))
                    .field("REFERENCE_NUMBER"),
                );
                format!("un-dataid-{d}")
            }
            (None, None) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        node.line,
                        format!("{} without REFERENCE_NUMBER or DATAID: skipped", node.name),
                    )
                    .column(node.column)
                    .field("REFERENCE_NUMBER"),
                );
                return;
            }
        };
        let mut m = Mapper {
            entity: Entity::new(id.clone(), schema),
            record: id,
            diagnostics: &mut self.diagnostics,
        };
        m.map(&node);
        let Mapper { mut entity, .. } = m;
        if let Some(r) = &reference {
            // the same property as the UK's UN reference (`subjects.rs`)
            entity.add(crate::UNSC_ID, r);
        }
        entity.provenance.source = SOURCE.to_string();
        entity.provenance.source_record_id = dataid;
        if entity.names().is_empty() {
            self.diagnostics.push(
                Diagnostic::error(node.line, format!("{} has no name: skipped", node.name))
                    .column(node.column)
                    .record(Some(&entity.id))
                    .field("FIRST_NAME"),
            );
            return;
        }
        self.entities.push(entity);
    }
}

struct Mapper<'d> {
    entity: Entity,
    record: String,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Mapper<'_> {
    fn warn(&mut self, node: &Node, message: String) {
        self.diagnostics.push(
            Diagnostic::warning(node.line, message)
                .column(node.column)
                .record(Some(&self.record))
                .field(node.name.clone()),
        );
    }

    fn map(&mut self, node: &Node) {
        let person = self.entity.schema == Schema::Person;
        let parts: Vec<(&str, &Node)> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
            .iter()
            .filter_map(|p| node.child(p).map(|n| (*p, n)))
            .filter(|(_, n)| !n.text.trim().is_empty())
            .collect();
        let name = parts
            .iter()
            .map(|(_, n)| one_line(&n.text))
            .collect::<Vec<_>>()
            .join(" ");
        self.entity.add(prop::NAME, &name);
        if person {
            for (part, n) in &parts {
                let property = match *part {
                    "FIRST_NAME" => prop::FIRST_NAME,
                    "SECOND_NAME" => prop::SECOND_NAME,
                    _ => prop::MIDDLE_NAME,
                };
                self.entity.add(property, one_line(&n.text));
            }
        }
        if let Some(original) = node.text_of("NAME_ORIGINAL_SCRIPT") {
            for part in split_scripts(&one_line(original)) {
                self.entity.add(prop::ALIAS, part);
            }
        }

        // The regime's measures (travel ban, asset freeze, arms embargo)
        // decide the action on hit: see crate::measures and MEASURES.md.
        let list_type = node.text_of("UN_LIST_TYPE").unwrap_or_default();
        let (regime, measures) = crate::measures::un_measures(list_type, node.text_of("COMMENTS1"));
        let basis = (!list_type.is_empty())
            .then(|| format!("UN Security Council sanctions list: {list_type}"));
        crate::measures::apply(&mut self.entity, basis, regime, measures);
        self.entity.add(prop::TOPICS, "sanction");
        if let Some(listed) = node.child("LISTED_ON") {
            self.entity.provenance.listed_on = self.iso_date(listed);
        }
        let updated: Vec<String> = node
            .values("LAST_DAY_UPDATED")
            .filter_map(|v| self.iso_date(v))
            .collect();
        self.entity.provenance.amended_on = updated.into_iter().max();

        if let Some(gender) = node.child("GENDER").filter(|g| !g.text.trim().is_empty()) {
            match gender.text.trim().to_ascii_lowercase().as_str() {
                g @ ("male" | "female") => {
                    self.entity.add(prop::GENDER, g);
                }
                other => {
                    let message = format!("unknown gender {other:?}: ignored");
                    self.warn(gender, message);
                }
            }
        }
        for title in node.values("TITLE") {
            self.entity.add(prop::TITLE, one_line(&title.text));
        }
        for designation in node.values("DESIGNATION") {
            self.entity.add(prop::POSITION, one_line(&designation.text));
        }
        if let Some(comments) = node.text_of("COMMENTS1") {
            self.entity.add(prop::NOTES, comments);
        }
        for nationality in node.values("NATIONALITY") {
            self.country(nationality, "NATIONALITY", prop::NATIONALITY);
        }
        for dob in node.all("INDIVIDUAL_DATE_OF_BIRTH") {
            self.date_of_birth(dob);
        }
        for pob in node.all("INDIVIDUAL_PLACE_OF_BIRTH") {
            let place = join_place(pob, &["CITY", "STATE_PROVINCE", "COUNTRY"]);
            self.entity.add(prop::BIRTH_PLACE, place);
        }
        for address in node
            .all("INDIVIDUAL_ADDRESS")
            .chain(node.all("ENTITY_ADDRESS"))
        {
            let joined = join_place(
                address,
                &["STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"],
            );
            self.entity.add(prop::ADDRESS, joined);
            if let Some(country) = address
                .child("COUNTRY")
                .filter(|c| !c.text.trim().is_empty())
            {
                self.country(country, "COUNTRY", prop::COUNTRY);
            }
        }
        for document in node.all("INDIVIDUAL_DOCUMENT") {
            self.document(document);
        }
        // Aliases last, so the record's own birth dates and places come
        // before those given on an alias.
        for alias in node.all("INDIVIDUAL_ALIAS").chain(node.all("ENTITY_ALIAS")) {
            self.alias(alias);
        }
    }

    fn alias(&mut self, alias: &Node) {
        let Some(name) = alias.text_of("ALIAS_NAME") else {
            return;
        };
        let name = one_line(name);
        let quality = alias.text_of("QUALITY").unwrap_or("");
        let note = alias.text_of("NOTE").map(one_line).unwrap_or_default();
        let formerly = note.to_lowercase().starts_with("formerly listed as");
        let property = match quality.to_ascii_lowercase().as_str() {
            "" | "good" | "a.k.a." if formerly => prop::PREVIOUS_NAME,
            "" | "good" | "a.k.a." => prop::ALIAS,
            "low" => prop::WEAK_ALIAS,
            "f.k.a." => prop::PREVIOUS_NAME,
            other => {
                let message = format!("unknown alias quality {other:?}: kept as a strong alias");
                self.warn(alias, message);
                prop::ALIAS
            }
        };
        for part in split_scripts(&name) {
            for name in split_list(&part) {
                self.entity.add(property, name);
            }
        }
        // "original script: Абу Банат" in the note is the same alias in its
        // own script: worth as much as the alias for matching.
        if let Some(original) = note
            .get(..16)
            .filter(|p| p.eq_ignore_ascii_case("original script:"))
            .map(|_| note[16..].trim())
        {
            self.entity.add(property, original);
        }
        if let Some(dob) = alias
            .child("DATE_OF_BIRTH")
            .filter(|d| !d.text.trim().is_empty())
        {
            self.push_date(dob, dob.text.trim());
        }
        let place = join_place(alias, &["CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"]);
        self.entity.add(prop::BIRTH_PLACE, place);
    }

    fn date_of_birth(&mut self, dob: &Node) {
        let kind = dob
            .text_of("TYPE_OF_DATE")
            .unwrap_or("EXACT")
            .to_ascii_uppercase();
        let exact: Vec<&Node> = ["DATE", "YEAR"]
            .iter()
            .filter_map(|p| dob.child(p))
            .filter(|n| !n.text.trim().is_empty())
            .collect();
        // FROM_YEAR/TO_YEAR without a BETWEEN type is still a range.
        if kind == "BETWEEN" || (exact.is_empty() && dob.child("FROM_YEAR").is_some()) {
            self.year_range(dob);
            return;
        }
        if !matches!(kind.as_str(), "EXACT" | "APPROXIMATELY") {
            let message = format!("unknown TYPE_OF_DATE {kind:?}: read as EXACT");
            self.warn(dob, message);
        }
        for n in exact {
            self.push_date(n, n.text.trim());
        }
    }

    fn year_range(&mut self, dob: &Node) {
        let year = |p: &str| {
            dob.text_of(p)
                .and_then(|t| t.parse::<u16>().ok())
                .filter(|y| *y > 0)
        };
        match (year("FROM_YEAR"), year("TO_YEAR")) {
            (Some(from), Some(to)) if from <= to && to - from <= MAX_RANGE_YEARS => {
                for y in from..=to {
                    self.entity
                        .add(prop::BIRTH_DATE, PartialDate::year(y).to_string());
                }
            }
            (Some(from), Some(to)) => {
                let message = format!(
                    "range {from}..{to} is reversed or wider than {MAX_RANGE_YEARS} years: only its ends are kept"
                );
                self.warn(dob, message);
                self.entity
                    .add(prop::BIRTH_DATE, PartialDate::year(from).to_string());
                self.entity
                    .add(prop::BIRTH_DATE, PartialDate::year(to).to_string());
            }
            _ => {
                self.warn(
                    dob,
                    "a range without a readable FROM_YEAR and TO_YEAR: ignored".to_string(),
                );
            }
        }
    }

    fn push_date(&mut self, node: &Node, value: &str) {
        match value.parse::<PartialDate>() {
            Ok(date) => {
                self.entity.add(prop::BIRTH_DATE, date.to_string());
            }
            Err(e) => {
                let message = format!("date of birth {value:?} does not parse ({e}): ignored");
                self.warn(node, message);
            }
        }
    }

    /// `YYYY-MM-DD` (a time part is dropped); a bad date is a warning.
    fn iso_date(&mut self, node: &Node) -> Option<String> {
        let text = node.text.trim();
        if text.is_empty() {
            return None;
        }
        match crate::text::iso_date(text) {
            Ok(d) => Some(d.to_string()),
            Err(e) => {
                let message = format!("date {text:?} does not parse ({e}): ignored");
                self.warn(node, message);
                None
            }
        }
    }

    fn country(&mut self, node: &Node, field: &str, property: &str) {
        let name = one_line(&node.text);
        if countries::is_placeholder(&name) {
            return;
        }
        match countries::country_code(&name) {
            Some(code) => {
                self.entity.add(property, code);
            }
            None => {
                self.diagnostics.push(
                    Diagnostic::warning(
                        node.line,
                        format!("country name {name:?} has no ISO code: not kept as {property}"),
                    )
                    .column(node.column)
                    .record(Some(&self.record))
                    .field(field),
                );
            }
        }
    }

    fn document(&mut self, document: &Node) {
        let Some(number) = document.text_of("NUMBER") else {
            return;
        };
        // TYPE_OF_DOCUMENT2 refines the type: a "National Identification
        // Number" whose TYPE_OF_DOCUMENT2 says "national passport number" is
        // a passport.
        let kind = format!(
            "{} {}",
            document.text_of("TYPE_OF_DOCUMENT").unwrap_or(""),
            document.text_of("TYPE_OF_DOCUMENT2").unwrap_or("")
        )
        .to_lowercase();
        let property = if kind.contains("passport")
            || kind.contains("passeport")
            || kind.contains("pasaporte")
        {
            prop::PASSPORT_NUMBER
        } else {
            prop::ID_NUMBER
        };
        self.entity.add(property, document_number(number));
    }
}

fn join_place(node: &Node, parts: &[&str]) -> String {
    parts
        .iter()
        .filter_map(|p| node.text_of(p))
        .map(one_line)
        .collect::<Vec<_>>()
        .join(", ")
}
