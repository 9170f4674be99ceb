//! UN/EDIFACT PAXLST (advance passenger information), directories D02B and
//! D05B as used by the WCO/IATA/ICAO API guidelines: interchange envelope,
//! flights with their legs, passengers and crew with their documents.
//!
//! Control counts (`CNT` totals, `UNT` segment counts, `UNE`/`UNZ` counts
//! and references) are checked and reported as diagnostics naming the
//! segment, tag and element; a traveller record with a fault is reported
//! and kept, and the rest of the manifest is read.

use serde::Serialize;
use tansiq_model::PartialDate;

use crate::TravelError;
use crate::diag::{Diagnostic, Location, Severity};
use crate::edifact::{Delimiters, Segment, decode, tokenize};
use crate::traveller::{DocumentKind, Sex, TravelDocument, Traveller};
use tansiq_model::country::Country;

/// A traveller's role on the flight (the `NAD` qualifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `FL`
    Passenger,
    /// `FM`
    Crew,
    /// `DDU`: passenger in transit.
    TransitPassenger,
    /// `DDT`: crew member in transit.
    TransitCrew,
    /// Any other qualifier (reported).
    Other,
}

impl Role {
    pub fn from_qualifier(q: &str) -> Option<Role> {
        Some(match q {
            "FL" => Role::Passenger,
            "FM" => Role::Crew,
            "DDU" => Role::TransitPassenger,
            "DDT" => Role::TransitCrew,
            _ => return None,
        })
    }

    pub fn qualifier(self) -> &'static str {
        match self {
            Role::Passenger | Role::Other => "FL",
            Role::Crew => "FM",
            Role::TransitPassenger => "DDU",
            Role::TransitCrew => "DDT",
        }
    }

    pub fn is_crew(self) -> bool {
        matches!(self, Role::Crew | Role::TransitCrew)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Passenger => "passenger",
            Role::Crew => "crew",
            Role::TransitPassenger => "transit_passenger",
            Role::TransitCrew => "transit_crew",
            Role::Other => "other",
        }
    }
}

/// What a message lists (`BGM` document code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// `745`
    Passengers,
    /// `250`
    Crew,
    /// `266`
    FlightStatus,
    /// `336`
    MasterCrewList,
    /// `655`
    GatePass,
    Other,
}

impl ListKind {
    fn from_code(code: &str) -> ListKind {
        match code {
            "745" => ListKind::Passengers,
            "250" => ListKind::Crew,
            "266" => ListKind::FlightStatus,
            "336" => ListKind::MasterCrewList,
            "655" => ListKind::GatePass,
            _ => ListKind::Other,
        }
    }
}

/// An airport with the scheduled time there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stop {
    /// IATA airport code as sent.
    pub airport: String,
    /// Local date and time, ISO 8601 (`2007-02-19T15:40`), or a date.
    pub time: Option<String>,
}

/// One flight leg.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Leg {
    pub departure: Option<Stop>,
    pub arrival: Option<Stop>,
}

/// A flight (`TDT` groups with the same flight number, one leg each, are
/// merged into one flight with several legs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flight {
    /// Carrier code (`TDT` element 5, or the flight number's first two
    /// characters when absent).
    pub carrier: Option<String>,
    /// As sent, e.g. `AA123`.
    pub number: String,
    pub legs: Vec<Leg>,
    /// `LOC+130`, when sent.
    pub final_destination: Option<String>,
}

/// A reference of a traveller (`RFF`): `AVF` reservation, `ABO` passenger
/// reference, `SEA` seat, `AEA` government reference, `CR` customer…
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub qualifier: String,
    pub value: String,
}

/// A traveller on a manifest: who (for screening) plus the manifest's own
/// facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestTraveller {
    #[serde(flatten)]
    pub traveller: Traveller,
    pub role: Role,
    pub seat: Option<String>,
    /// Reservation (PNR) locator, `RFF+AVF`.
    pub reservation: Option<String>,
    pub references: Vec<Reference>,
    /// Port of embarkation (`LOC+178`).
    pub embarkation: Option<String>,
    /// Port of debarkation (`LOC+179`).
    pub debarkation: Option<String>,
    /// Country of residence (`LOC+174`).
    pub residence: Option<Country>,
    /// Place of birth (`LOC+180`).
    pub birth_place: Option<String>,
    /// The flight number, for CSV manifests whose rows name it.
    pub flight: Option<String>,
    /// Where the record starts (the `NAD` segment, or the CSV line).
    pub source: Location,
    /// False when the record had an error (no name, an unreadable date…):
    /// screen it anyway, but show the officer the diagnostics.
    pub complete: bool,
}

/// One PAXLST message (`UNH` … `UNT`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub reference: String,
    /// Directory version, e.g. `D05B`.
    pub version: Option<String>,
    /// `UNH` common access reference (often flight and date).
    pub common_access_reference: Option<String>,
    /// `UNH` sequence, e.g. `01:F`.
    pub sequence: Option<String>,
    /// `BGM` document code (`745`, `250`…).
    pub document_code: Option<String>,
    pub list_kind: ListKind,
    /// `BGM` element 2 (`CP` change, `C` crew scheduled…).
    pub function: Option<String>,
    /// `RFF+TN` in the header.
    pub transaction_reference: Option<String>,
    /// Reporting party name (`NAD+MS`).
    pub reporting_party: Option<String>,
    pub flights: Vec<Flight>,
    pub travellers: Vec<ManifestTraveller>,
    /// `CNT+42`.
    pub declared_passengers: Option<u32>,
    /// `CNT+41`.
    pub declared_crew: Option<u32>,
    /// Segment index of `UNH`.
    pub first_segment: usize,
}

impl Message {
    pub fn passenger_count(&self) -> usize {
        self.travellers.iter().filter(|t| !t.role.is_crew()).count()
    }

    pub fn crew_count(&self) -> usize {
        self.travellers.iter().filter(|t| t.role.is_crew()).count()
    }
}

/// A whole interchange (`UNB` … `UNZ`), or bare messages without envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interchange {
    pub delimiters: Delimiters,
    /// Syntax identifier and version, e.g. `UNOA:4`.
    pub syntax: Option<String>,
    pub sender: Option<String>,
    pub recipient: Option<String>,
    /// Preparation date and time (ISO 8601); two-digit years in the body
    /// are read relative to it.
    pub prepared: Option<String>,
    pub control_reference: Option<String>,
    pub messages: Vec<Message>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Interchange {
    /// Every traveller of every message.
    pub fn travellers(&self) -> impl Iterator<Item = &ManifestTraveller> {
        self.messages.iter().flat_map(|m| m.travellers.iter())
    }

    pub fn passenger_count(&self) -> usize {
        self.messages.iter().map(Message::passenger_count).sum()
    }

    pub fn crew_count(&self) -> usize {
        self.messages.iter().map(Message::crew_count).sum()
    }

    /// Every flight of every message.
    pub fn flights(&self) -> impl Iterator<Item = &Flight> {
        self.messages.iter().flat_map(|m| m.flights.iter())
    }

    /// Diagnostics with [`Severity::Error`].
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Parses a PAXLST interchange. `Err` only when the input is not UN/EDIFACT
/// or holds no PAXLST message; everything else is in
/// [`Interchange::diagnostics`].
pub fn parse_paxlst(input: &[u8]) -> Result<Interchange, TravelError> {
    let mut diags = Vec::new();
    let text = decode(input, &mut diags);
    let (delimiters, segments) = tokenize(&text, &mut diags);
    match segments.first().map(|s| s.tag.as_str()) {
        Some("UNB" | "UNG" | "UNH") => {}
        Some(other) => {
            return Err(TravelError::NotPaxlst {
                reason: format!(
                    "the first segment is {:?}; an interchange starts with UNA, UNB, UNG or UNH",
                    other.chars().take(20).collect::<String>()
                ),
            });
        }
        None => {
            return Err(TravelError::NotPaxlst {
                reason: "no segments".into(),
            });
        }
    }
    let mut p = PaxParser {
        ic: Interchange {
            delimiters,
            syntax: None,
            sender: None,
            recipient: None,
            prepared: None,
            control_reference: None,
            messages: Vec::new(),
            diagnostics: Vec::new(),
        },
        diags,
        reference: None,
        msg: None,
        group: None,
        groups: 0,
        non_paxlst: Vec::new(),
        seen_unb: false,
    };
    for seg in &segments {
        p.segment(seg);
    }
    if let Some(open) = p.msg.take() {
        let last = segments.last().expect("segments are not empty");
        p.diag(
            Severity::Error,
            "paxlst.missing_unt",
            last,
            None,
            format!("message {:?} has no UNT trailer", open.msg.reference),
        );
        p.close_message(open, last);
    }
    if p.ic.messages.is_empty() {
        let reason = if p.non_paxlst.is_empty() {
            "no message (UNH) found".to_string()
        } else {
            format!("messages are {:?}, not PAXLST", p.non_paxlst)
        };
        return Err(TravelError::NotPaxlst { reason });
    }
    if p.seen_unb && !segments.iter().any(|s| s.tag == "UNZ") {
        let last = segments.last().expect("segments are not empty");
        p.diag(
            Severity::Error,
            "paxlst.missing_unz",
            last,
            None,
            "interchange has no UNZ trailer".into(),
        );
    }
    p.ic.diagnostics = p.diags;
    Ok(p.ic)
}

/// The message being read, with its reading state.
struct OpenMessage {
    msg: Message,
    /// `TDT` group being read: flight and its stops (LOC qualifier, stop,
    /// DTM qualifier).
    tdt: Option<(Flight, Vec<FlightStop>)>,
    traveller: Option<ManifestTraveller>,
    /// The last `TDT` group ended right before this one (for merging legs
    /// of the same flight number).
    last_was_tdt: bool,
    /// Where `CNT+42` and `CNT+41` were, for the count diagnostics.
    cnt_passengers: Option<Location>,
    cnt_crew: Option<Location>,
}

/// A `LOC` of a flight group: its qualifier, the stop, and the qualifier of
/// the `DTM` that followed it.
type FlightStop = (String, Stop, Option<String>);

struct Group {
    reference: Option<String>,
    messages: usize,
    segment: usize,
}

struct PaxParser {
    ic: Interchange,
    diags: Vec<Diagnostic>,
    /// Date against which two-digit years are windowed.
    reference: Option<PartialDate>,
    /// Boxed: the parser moves it in and out once per segment.
    msg: Option<Box<OpenMessage>>,
    group: Option<Group>,
    groups: usize,
    non_paxlst: Vec<String>,
    seen_unb: bool,
}

impl PaxParser {
    fn diag(
        &mut self,
        severity: Severity,
        code: &'static str,
        seg: &Segment,
        element: Option<usize>,
        message: String,
    ) {
        self.diags.push(Diagnostic::new(
            severity,
            code,
            seg.location(element, None),
            message,
        ));
    }

    fn segment(&mut self, seg: &Segment) {
        match seg.tag.as_str() {
            "UNB" => self.unb(seg),
            "UNG" => {
                self.group = Some(Group {
                    reference: seg.get(5, 1).map(str::to_string),
                    messages: 0,
                    segment: seg.index,
                });
                self.groups += 1;
            }
            "UNH" => self.unh(seg),
            "UNT" => match self.msg.take() {
                Some(open) => self.close_message(open, seg),
                None => self.diag(
                    Severity::Error,
                    "paxlst.outside_message",
                    seg,
                    None,
                    "UNT without a message header (UNH)".into(),
                ),
            },
            "UNE" => self.une(seg),
            "UNZ" => self.unz(seg),
            _ if self.msg.is_some() => self.body(seg),
            _ if seg.tag.len() == 3 => self.diag(
                Severity::Warning,
                "paxlst.outside_message",
                seg,
                None,
                format!("{} outside a message ignored", seg.tag),
            ),
            _ => {}
        }
    }

    fn unb(&mut self, seg: &Segment) {
        self.seen_unb = true;
        self.ic.syntax = match (seg.get(1, 1), seg.get(1, 2)) {
            (Some(a), Some(v)) => Some(format!("{a}:{v}")),
            (Some(a), None) => Some(a.to_string()),
            _ => None,
        };
        self.ic.sender = seg.get(2, 1).map(str::to_string);
        self.ic.recipient = seg.get(3, 1).map(str::to_string);
        self.ic.control_reference = seg.get(5, 1).map(str::to_string);
        if let Some(date) = seg.get(4, 1) {
            let date = match date.len() {
                6 => Some(format!("20{date}")),
                8 => Some(date.to_string()),
                _ => None,
            };
            let parsed = date.as_deref().and_then(|d| full_date(d.as_bytes()));
            match parsed {
                Some(d) => {
                    self.reference = Some(d);
                    let time = seg
                        .get(4, 2)
                        .filter(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()));
                    self.ic.prepared = Some(match time {
                        Some(t) => format!("{d}T{}:{}", &t[..2], &t[2..]),
                        None => d.to_string(),
                    });
                }
                None => self.diag(
                    Severity::Warning,
                    "paxlst.bad_date",
                    seg,
                    Some(4),
                    format!(
                        "preparation date {:?} is not YYMMDD or CCYYMMDD",
                        seg.get(4, 1)
                    ),
                ),
            }
        }
    }

    fn unh(&mut self, seg: &Segment) {
        if let Some(open) = self.msg.take() {
            self.diag(
                Severity::Error,
                "paxlst.missing_unt",
                seg,
                None,
                format!(
                    "message {:?} has no UNT before the next UNH",
                    open.msg.reference
                ),
            );
            self.close_message(open, seg);
        }
        let kind = seg.get(2, 1).unwrap_or("");
        if kind != "PAXLST" {
            self.diag(
                Severity::Warning,
                "paxlst.message_type",
                seg,
                Some(2),
                format!("message type {kind:?} is not PAXLST; skipped"),
            );
            self.non_paxlst.push(kind.to_string());
            return;
        }
        if self.reference.is_none() {
            self.diag(
                Severity::Warning,
                "paxlst.no_reference_date",
                seg,
                None,
                "no UNB preparation date: two-digit years read as 19YY when above 30, else 20YY"
                    .into(),
            );
        }
        let version = match (seg.get(2, 2), seg.get(2, 3)) {
            (Some(v), Some(r)) => Some(format!("{v}{r}")),
            _ => None,
        };
        let sequence = match (seg.get(4, 1), seg.get(4, 2)) {
            (Some(a), Some(b)) => Some(format!("{a}:{b}")),
            (Some(a), None) => Some(a.to_string()),
            _ => None,
        };
        if let Some(g) = &mut self.group {
            g.messages += 1;
        }
        self.msg = Some(Box::new(OpenMessage {
            msg: Message {
                reference: seg.get(1, 1).unwrap_or("").to_string(),
                version,
                common_access_reference: seg.get(3, 1).map(str::to_string),
                sequence,
                document_code: None,
                list_kind: ListKind::Other,
                function: None,
                transaction_reference: None,
                reporting_party: None,
                flights: Vec::new(),
                travellers: Vec::new(),
                declared_passengers: None,
                declared_crew: None,
                first_segment: seg.index,
            },
            tdt: None,
            traveller: None,
            last_was_tdt: false,
            cnt_passengers: None,
            cnt_crew: None,
        }));
    }

    fn close_message(&mut self, mut open: Box<OpenMessage>, seg: &Segment) {
        self.finish_tdt(&mut open);
        self.finish_traveller(&mut open);
        let msg = open.msg;
        let (cnt_passengers, cnt_crew) = (open.cnt_passengers, open.cnt_crew);
        if seg.tag == "UNT" {
            let actual = seg.index + 1 - msg.first_segment;
            match seg.get(1, 1).map(|v| v.parse::<usize>()) {
                Some(Ok(n)) if n == actual => {}
                Some(Ok(n)) => self.diag(
                    Severity::Error,
                    "paxlst.unt_count",
                    seg,
                    Some(1),
                    format!(
                        "UNT declares {n} segments; message {:?} has {actual} (UNH to UNT)",
                        msg.reference
                    ),
                ),
                _ => self.diag(
                    Severity::Error,
                    "paxlst.unt_count",
                    seg,
                    Some(1),
                    format!("segment count {:?} is not a number", seg.get(1, 1)),
                ),
            }
            if seg.get(2, 1) != Some(msg.reference.as_str()) {
                self.diag(
                    Severity::Error,
                    "paxlst.unt_reference",
                    seg,
                    Some(2),
                    format!(
                        "UNT reference {:?} differs from UNH reference {:?}",
                        seg.get(2, 1).unwrap_or(""),
                        msg.reference
                    ),
                );
            }
        }
        let checks = [
            (
                msg.declared_passengers,
                cnt_passengers,
                msg.passenger_count(),
                "42",
                "passengers",
            ),
            (
                msg.declared_crew,
                cnt_crew,
                msg.crew_count(),
                "41",
                "crew members",
            ),
        ];
        for (declared, location, actual, q, what) in checks {
            if let (Some(n), Some(location)) = (declared, location)
                && n as usize != actual
            {
                self.diags.push(Diagnostic::new(
                    Severity::Error,
                    "paxlst.cnt_mismatch",
                    location,
                    format!(
                        "CNT+{q} declares {n} {what}; message {:?} lists {actual}",
                        msg.reference
                    ),
                ));
            }
        }
        self.ic.messages.push(msg);
    }

    fn une(&mut self, seg: &Segment) {
        let Some(g) = self.group.take() else {
            self.diag(
                Severity::Error,
                "paxlst.outside_message",
                seg,
                None,
                "UNE without UNG".into(),
            );
            return;
        };
        self.check_count(seg, g.messages, "paxlst.une_count", "messages in the group");
        if seg.get(2, 1) != g.reference.as_deref() {
            self.diag(
                Severity::Error,
                "paxlst.une_reference",
                seg,
                Some(2),
                format!(
                    "UNE reference {:?} differs from UNG (segment {}) reference {:?}",
                    seg.get(2, 1).unwrap_or(""),
                    g.segment,
                    g.reference.as_deref().unwrap_or("")
                ),
            );
        }
    }

    fn unz(&mut self, seg: &Segment) {
        if let Some(open) = self.msg.take() {
            self.diag(
                Severity::Error,
                "paxlst.missing_unt",
                seg,
                None,
                format!("message {:?} has no UNT before UNZ", open.msg.reference),
            );
            self.close_message(open, seg);
        }
        let (n, what) = if self.groups > 0 {
            (self.groups, "functional groups")
        } else {
            (self.ic.messages.len() + self.non_paxlst.len(), "messages")
        };
        self.check_count(seg, n, "paxlst.unz_count", what);
        if seg.get(2, 1) != self.ic.control_reference.as_deref() {
            self.diag(
                Severity::Error,
                "paxlst.unz_reference",
                seg,
                Some(2),
                format!(
                    "UNZ reference {:?} differs from UNB reference {:?}",
                    seg.get(2, 1).unwrap_or(""),
                    self.ic.control_reference.as_deref().unwrap_or("")
                ),
            );
        }
    }

    fn check_count(&mut self, seg: &Segment, actual: usize, code: &'static str, what: &str) {
        match seg.get(1, 1).map(|v| v.parse::<usize>()) {
            Some(Ok(n)) if n == actual => {}
            Some(Ok(n)) => self.diag(
                Severity::Error,
                code,
                seg,
                Some(1),
                format!("{} declares {n} {what}; found {actual}", seg.tag),
            ),
            _ => self.diag(
                Severity::Error,
                code,
                seg,
                Some(1),
                format!("count {:?} is not a number", seg.get(1, 1)),
            ),
        }
    }

    fn body(&mut self, seg: &Segment) {
        let mut open = self
            .msg
            .take()
            .expect("body is only called inside a message");
        let is_tdt = seg.tag == "TDT";
        match seg.tag.as_str() {
            "BGM" => {
                open.msg.document_code = seg.get(1, 1).map(str::to_string);
                open.msg.list_kind = ListKind::from_code(seg.get(1, 1).unwrap_or(""));
                open.msg.function = seg.get(2, 1).map(str::to_string);
            }
            "TDT" => {
                self.finish_traveller(&mut open);
                let merge = open.last_was_tdt || open.tdt.is_some();
                self.finish_tdt(&mut open);
                open.last_was_tdt = merge;
                let number = seg.get(2, 1).unwrap_or("").to_string();
                if number.is_empty() {
                    self.diag(
                        Severity::Error,
                        "paxlst.flight_number",
                        seg,
                        Some(2),
                        "TDT has no flight number".into(),
                    );
                }
                let carrier = seg.get(5, 1).map(str::to_string).or_else(|| {
                    let prefix: String = number.chars().take(2).collect();
                    (prefix.len() == 2 && prefix.chars().all(|c| c.is_ascii_alphanumeric()))
                        .then_some(prefix)
                });
                open.tdt = Some((
                    Flight {
                        carrier,
                        number,
                        legs: Vec::new(),
                        final_destination: None,
                    },
                    Vec::new(),
                ));
            }
            "NAD" => {
                let q = seg.get(1, 1).unwrap_or("");
                if q == "MS" {
                    open.msg.reporting_party =
                        seg.get(4, 1).or_else(|| seg.get(2, 1)).map(str::to_string);
                } else {
                    self.finish_tdt(&mut open);
                    self.finish_traveller(&mut open);
                    open.traveller = Some(self.start_traveller(seg, q));
                }
            }
            "CNT" => {
                self.finish_traveller(&mut open);
                self.cnt(&mut open, seg);
            }
            _ if open.traveller.is_some() => {
                if let Some(t) = open.traveller.as_mut() {
                    self.traveller_segment(t, seg);
                }
            }
            _ if open.tdt.is_some() => self.flight_segment(&mut open, seg),
            "RFF" if seg.get(1, 1) == Some("TN") => {
                open.msg.transaction_reference = seg.get(1, 2).map(str::to_string);
            }
            _ => self.ignorable(seg),
        }
        if !is_tdt && open.tdt.is_none() {
            open.last_was_tdt = false;
        }
        self.msg = Some(open);
    }

    fn ignorable(&mut self, seg: &Segment) {
        const KNOWN: &[&str] = &[
            "COM", "EMP", "FTX", "MEA", "GEI", "QTY", "CPI", "TOD", "ERP", "ERC", "DTM", "LOC",
            "RFF", "ATT", "NAT", "DOC", "GID", "FII", "CTA",
        ];
        if seg.tag.len() == 3 && !KNOWN.contains(&seg.tag.as_str()) {
            self.diag(
                Severity::Warning,
                "paxlst.unexpected_segment",
                seg,
                None,
                format!("{} is not a PAXLST segment; ignored", seg.tag),
            );
        }
    }

    fn cnt(&mut self, open: &mut OpenMessage, seg: &Segment) {
        let q = seg.get(1, 1).unwrap_or("");
        let value = match seg.get(1, 2) {
            Some(v) => Some(v),
            None => {
                // `CNT+41+8`: the count sent as a second element.
                let v = seg.get(2, 1);
                if v.is_some() {
                    self.diag(
                        Severity::Warning,
                        "paxlst.cnt_malformed",
                        seg,
                        Some(2),
                        format!(
                            "CNT+{q}+{}: the count belongs in element 1, component 2 (CNT+{q}:{})",
                            v.unwrap_or(""),
                            v.unwrap_or("")
                        ),
                    );
                }
                v
            }
        };
        let Some(n) = value.and_then(|v| v.parse::<u32>().ok()) else {
            self.diag(
                Severity::Error,
                "paxlst.cnt_malformed",
                seg,
                Some(1),
                format!("CNT+{q} has no numeric count"),
            );
            return;
        };
        match q {
            "42" => {
                open.msg.declared_passengers = Some(n);
                open.cnt_passengers = Some(seg.location(Some(1), Some(2)));
            }
            "41" => {
                open.msg.declared_crew = Some(n);
                open.cnt_crew = Some(seg.location(Some(1), Some(2)));
            }
            _ => self.diag(
                Severity::Warning,
                "paxlst.unknown_qualifier",
                seg,
                Some(1),
                format!("CNT qualifier {q:?} is not 41 (crew) or 42 (passengers)"),
            ),
        }
    }

    fn finish_tdt(&mut self, open: &mut OpenMessage) {
        let Some((mut flight, stops)) = open.tdt.take() else {
            return;
        };
        let mut cur = Leg::default();
        for (q, stop, dtm) in stops {
            let departure = match q.as_str() {
                "125" => true,
                "87" => false,
                "92" => match dtm.as_deref() {
                    Some("189") => true,
                    Some("232") => false,
                    _ => !(cur.departure.is_some() && cur.arrival.is_none()),
                },
                "130" => {
                    flight.final_destination = Some(stop.airport);
                    continue;
                }
                _ => continue,
            };
            if departure {
                if cur.departure.is_some() || cur.arrival.is_some() {
                    flight.legs.push(std::mem::take(&mut cur));
                }
                cur.departure = Some(stop);
            } else {
                if cur.arrival.is_some() {
                    flight.legs.push(std::mem::take(&mut cur));
                }
                cur.arrival = Some(stop);
                flight.legs.push(std::mem::take(&mut cur));
            }
        }
        if cur.departure.is_some() || cur.arrival.is_some() {
            flight.legs.push(cur);
        }
        let same = open.last_was_tdt
            && open
                .msg
                .flights
                .last()
                .is_some_and(|f| f.number == flight.number && f.carrier == flight.carrier);
        match open.msg.flights.last_mut() {
            Some(last) if same => {
                last.legs.append(&mut flight.legs);
                if flight.final_destination.is_some() {
                    last.final_destination = flight.final_destination;
                }
            }
            _ => open.msg.flights.push(flight),
        }
    }

    fn flight_segment(&mut self, open: &mut OpenMessage, seg: &Segment) {
        let reference = self.reference;
        let Some((_, stops)) = open.tdt.as_mut() else {
            return;
        };
        match seg.tag.as_str() {
            "LOC" => {
                let q = seg.get(1, 1).unwrap_or("").to_string();
                match seg.get(2, 1) {
                    Some(airport) => stops.push((
                        q,
                        Stop {
                            airport: airport.to_string(),
                            time: None,
                        },
                        None,
                    )),
                    None => self.diag(
                        Severity::Error,
                        "paxlst.missing_element",
                        seg,
                        Some(2),
                        "flight LOC without a place code".into(),
                    ),
                }
            }
            "DTM" => {
                let q = seg.get(1, 1).unwrap_or("").to_string();
                let value = seg.get(1, 2).unwrap_or("");
                match edi_datetime(value, seg.get(1, 3), reference, Window::Near) {
                    Some(iso) => match stops.last_mut() {
                        Some(last) => {
                            last.1.time = Some(iso);
                            last.2 = Some(q);
                        }
                        None => self.diag(
                            Severity::Warning,
                            "paxlst.orphan",
                            seg,
                            None,
                            "flight DTM before any LOC ignored".into(),
                        ),
                    },
                    None => self.diag(
                        Severity::Error,
                        "paxlst.bad_date",
                        seg,
                        Some(1),
                        format!("{value:?} is not a date/time in format {:?}", seg.get(1, 3)),
                    ),
                }
            }
            _ => self.ignorable(seg),
        }
    }

    fn start_traveller(&mut self, seg: &Segment, q: &str) -> ManifestTraveller {
        let role = Role::from_qualifier(q).unwrap_or_else(|| {
            self.diag(
                Severity::Warning,
                "paxlst.unknown_qualifier",
                seg,
                Some(1),
                format!("NAD qualifier {q:?} is not FL, FM, DDU or DDT; read as a traveller"),
            );
            Role::Other
        });
        let surname = seg.get(4, 1).unwrap_or("");
        let given: Vec<&str> = (2..=5).filter_map(|c| seg.get(4, c)).collect();
        let given = given.join(" ");
        let mut complete = true;
        if surname.is_empty() && given.is_empty() {
            complete = false;
            self.diag(
                Severity::Error,
                "paxlst.traveller_name",
                seg,
                Some(4),
                format!("{} record without a name", role.as_str()),
            );
        }
        ManifestTraveller {
            traveller: Traveller::from_names(surname, &given, false, &[]),
            role,
            seat: None,
            reservation: None,
            references: Vec::new(),
            embarkation: None,
            debarkation: None,
            residence: None,
            birth_place: None,
            flight: None,
            source: seg.location(None, None),
            complete,
        }
    }

    fn traveller_segment(&mut self, t: &mut ManifestTraveller, seg: &Segment) {
        let q = seg.get(1, 1).unwrap_or("");
        match (seg.tag.as_str(), q) {
            ("ATT", "2") => {
                let v = seg.get(3, 1).unwrap_or("");
                t.traveller.sex = Sex::from_code(v);
                if !matches!(v, "M" | "F" | "U" | "X" | "") {
                    self.diag(
                        Severity::Warning,
                        "paxlst.bad_value",
                        seg,
                        Some(3),
                        format!("gender {v:?} is not M, F, U or X"),
                    );
                }
            }
            ("DTM", "329") => {
                let v = seg.get(1, 2).unwrap_or("");
                match edi_date(v, seg.get(1, 3), self.reference, Window::Past) {
                    Some(d) => t.traveller.birth_date = Some(d),
                    None => {
                        t.complete = false;
                        self.diag(
                            Severity::Error,
                            "paxlst.bad_date",
                            seg,
                            Some(1),
                            format!("date of birth {v:?} is not a date"),
                        );
                    }
                }
            }
            ("DTM", "36") => {
                let v = seg.get(1, 2).unwrap_or("");
                let date = edi_date(v, seg.get(1, 3), self.reference, Window::Near);
                match (t.traveller.documents.last_mut(), date) {
                    (Some(doc), Some(d)) => doc.expiry = Some(d),
                    (None, _) => self.orphan(seg, "document expiry"),
                    (_, None) => self.diag(
                        Severity::Warning,
                        "paxlst.bad_date",
                        seg,
                        Some(1),
                        format!("document expiry {v:?} is not a date"),
                    ),
                }
            }
            ("DTM", _) => {}
            ("LOC", _) => {
                let place = seg.get(2, 1).or_else(|| seg.get(2, 4)).map(str::to_string);
                match q {
                    "178" => t.embarkation = place,
                    "179" => t.debarkation = place,
                    "174" => t.residence = place.map(|p| Country::from_code(&p)),
                    "180" => t.birth_place = place,
                    "91" => match t.traveller.documents.last_mut() {
                        Some(doc) => doc.issuing_state = place.map(|p| Country::from_code(&p)),
                        None => self.orphan(seg, "document issuing country"),
                    },
                    _ => {}
                }
            }
            ("NAT", _) => {
                if let Some(code) = seg.get(2, 1) {
                    t.traveller.nationality = Some(Country::from_code(code));
                }
            }
            ("RFF", _) => {
                if let Some(v) = seg.get(1, 2) {
                    match q {
                        "AVF" => t.reservation = Some(v.to_string()),
                        "SEA" => t.seat = Some(v.to_string()),
                        _ => {}
                    }
                    t.references.push(Reference {
                        qualifier: q.to_string(),
                        value: v.to_string(),
                    });
                }
            }
            ("DOC", _) => {
                let number = seg.get(2, 1).unwrap_or("");
                if number.is_empty() {
                    t.complete = false;
                    self.diag(
                        Severity::Error,
                        "paxlst.missing_element",
                        seg,
                        Some(2),
                        "DOC without a document number".into(),
                    );
                }
                t.traveller.documents.push(TravelDocument {
                    kind: DocumentKind::from_code(q),
                    code: q.to_string(),
                    number: number.chars().filter(|c| !c.is_whitespace()).collect(),
                    issuing_state: None,
                    expiry: None,
                });
            }
            _ => self.ignorable(seg),
        }
    }

    fn orphan(&mut self, seg: &Segment, what: &str) {
        self.diag(
            Severity::Warning,
            "paxlst.orphan",
            seg,
            None,
            format!("{what} before any DOC segment ignored"),
        );
    }

    fn finish_traveller(&mut self, open: &mut OpenMessage) {
        if let Some(mut t) = open.traveller.take() {
            // Screening names may depend on the nationality and issuing state
            // (Arabic-script transliteration), known only now.
            let mut hints: Vec<String> = Vec::new();
            if let Some(n) = &t.traveller.nationality {
                hints.push(n.code.clone());
            }
            for d in &t.traveller.documents {
                if let Some(s) = &d.issuing_state {
                    hints.push(s.code.clone());
                }
            }
            let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
            let named = Traveller::from_names(
                &t.traveller.surname,
                &t.traveller.given_names,
                false,
                &hints,
            );
            t.traveller.names = named.names;
            open.msg.travellers.push(t);
        }
    }
}

#[derive(Clone, Copy)]
enum Window {
    Past,
    Near,
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

fn full_date(b: &[u8]) -> Option<PartialDate> {
    if b.len() != 8 {
        return None;
    }
    PartialDate::ymd(
        digits(&b[..4])? as u16,
        digits(&b[4..6])? as u8,
        digits(&b[6..8])? as u8,
    )
}

/// The century of a two-digit year: a past date is not after `reference`;
/// a near date lies within 50 years of it. Without a reference, years
/// above 30 are 19YY.
fn century(yy: u16, mm: u8, dd: u8, reference: Option<PartialDate>, window: Window) -> u16 {
    let Some(r) = reference else {
        return if yy > 30 { 1900 + yy } else { 2000 + yy };
    };
    let ry = r.get_year();
    let mut year = ry / 100 * 100 + yy;
    match window {
        Window::Past => {
            let rmd = (r.get_month().unwrap_or(12), r.get_day().unwrap_or(31));
            if (year, mm, dd) > (ry, rmd.0, rmd.1) {
                year -= 100;
            }
        }
        Window::Near => {
            if year > ry + 50 {
                year -= 100;
            } else if year + 50 < ry {
                year += 100;
            }
        }
    }
    year
}

/// Reads an EDIFACT date (formats 101 YYMMDD, 102 CCYYMMDD, 602 CCYY, 610
/// CCYYMM; without a format code, guessed from the length).
fn edi_date(
    v: &str,
    format: Option<&str>,
    reference: Option<PartialDate>,
    window: Window,
) -> Option<PartialDate> {
    let b = v.as_bytes();
    let format = format.unwrap_or(match b.len() {
        6 => "101",
        8 => "102",
        4 => "602",
        _ => "",
    });
    match (format, b.len()) {
        ("101", 6) => {
            let (yy, mm, dd) = (digits(&b[..2])?, digits(&b[2..4])?, digits(&b[4..6])?);
            let year = century(yy as u16, mm as u8, dd as u8, reference, window);
            PartialDate::ymd(year, mm as u8, dd as u8)
        }
        ("102", 8) => full_date(b),
        ("602", 4) => Some(PartialDate::year(digits(b)? as u16)).filter(|d| d.get_year() > 0),
        ("610", 6) => PartialDate::ym(digits(&b[..4])? as u16, digits(&b[4..])? as u8),
        _ => None,
    }
}

/// Reads an EDIFACT date-time (201 YYMMDDHHMM, 203 CCYYMMDDHHMM, or a date)
/// into ISO 8601.
fn edi_datetime(
    v: &str,
    format: Option<&str>,
    reference: Option<PartialDate>,
    window: Window,
) -> Option<String> {
    let b = v.as_bytes();
    let format = format.unwrap_or(match b.len() {
        10 => "201",
        12 => "203",
        _ => "",
    });
    let (date, time) = match (format, b.len()) {
        ("201", 10) => (edi_date(&v[..6], Some("101"), reference, window)?, &b[6..]),
        ("203", 12) => (full_date(&b[..8])?, &b[8..]),
        _ => return edi_date(v, Some(format), reference, window).map(|d| d.to_string()),
    };
    let (h, m) = (digits(&time[..2])?, digits(&time[2..])?);
    (h < 24 && m < 60).then(|| format!("{date}T{h:02}:{m:02}"))
}

/// Writes an interchange as PAXLST D05B with the default delimiters, one
/// segment per line: `UNA`, `UNB`, per message `UNH` … `UNT` (counts
/// computed, not copied), `UNZ`. Dates of birth and document expiry are
/// written `YYMMDD` as senders do, so the parser reads them back when they
/// lie within its window around the preparation date.
pub fn write_paxlst(ic: &Interchange) -> String {
    let d = Delimiters::default();
    let e = |v: &str| d.escape(v);
    let mut out = String::new();
    out.push_str(&d.una());
    out.push('\n');
    let (date, time) = match ic.prepared.as_deref() {
        Some(p) if p.len() >= 10 => {
            let date = format!("{}{}{}", &p[2..4], &p[5..7], &p[8..10]);
            let time = if p.len() >= 16 {
                format!("{}{}", &p[11..13], &p[14..16])
            } else {
                "0000".to_string()
            };
            (date, time)
        }
        _ => ("000101".to_string(), "0000".to_string()),
    };
    let control = ic.control_reference.clone().unwrap_or_else(|| "1".into());
    out.push_str(&format!(
        "UNB+{}+{}+{}+{date}:{time}+{}++APIS'\n",
        ic.syntax.as_deref().unwrap_or("UNOA:4"),
        e(ic.sender.as_deref().unwrap_or("TANSIQ")),
        e(ic.recipient.as_deref().unwrap_or("TANSIQ")),
        e(&control),
    ));
    for m in &ic.messages {
        let mut segs: Vec<String> = Vec::new();
        let mut unh = format!("UNH+{}+PAXLST:D:05B:UN:IATA", e(&m.reference));
        if let Some(c) = &m.common_access_reference {
            unh.push_str(&format!("+{}", e(c)));
        }
        segs.push(unh);
        let code = m.document_code.clone().unwrap_or_else(|| {
            if m.travellers.iter().all(|t| t.role.is_crew()) && !m.travellers.is_empty() {
                "250".into()
            } else {
                "745".into()
            }
        });
        match &m.function {
            Some(f) => segs.push(format!("BGM+{}+{}", e(&code), e(f))),
            None => segs.push(format!("BGM+{}", e(&code))),
        }
        if let Some(tn) = &m.transaction_reference {
            segs.push(format!("RFF+TN:{}", e(tn)));
        }
        if let Some(rp) = &m.reporting_party {
            segs.push(format!("NAD+MS+++{}", e(rp)));
        }
        for f in &m.flights {
            segs.push(format!(
                "TDT+20+{}+++{}",
                e(&f.number),
                e(f.carrier.as_deref().unwrap_or(""))
            ));
            for leg in &f.legs {
                for (stop, loc, dtm) in
                    [(&leg.departure, "125", "189"), (&leg.arrival, "87", "232")]
                {
                    if let Some(s) = stop {
                        segs.push(format!("LOC+{loc}+{}", e(&s.airport)));
                        if let Some(t) = &s.time {
                            segs.push(format!("DTM+{dtm}:{}", iso_to_edi(t)));
                        }
                    }
                }
            }
            if let Some(fd) = &f.final_destination {
                segs.push(format!("LOC+130+{}", e(fd)));
            }
        }
        for t in &m.travellers {
            let tr = &t.traveller;
            let name = if tr.given_names.is_empty() {
                e(&tr.surname)
            } else {
                format!("{}:{}", e(&tr.surname), e(&tr.given_names))
            };
            segs.push(format!("NAD+{}+++{name}", t.role.qualifier()));
            match tr.sex {
                Sex::Female => segs.push("ATT+2++F".into()),
                Sex::Male => segs.push("ATT+2++M".into()),
                Sex::Unspecified => {}
            }
            if let Some(b) = tr.birth_date {
                segs.push(format!("DTM+329:{}", edi_date_text(b)));
            }
            for (q, v) in [("178", &t.embarkation), ("179", &t.debarkation)] {
                if let Some(v) = v {
                    segs.push(format!("LOC+{q}+{}", e(v)));
                }
            }
            if let Some(r) = &t.residence {
                segs.push(format!("LOC+174+{}", e(&r.code)));
            }
            if let Some(p) = &t.birth_place {
                segs.push(format!("LOC+180+{}", e(p)));
            }
            if let Some(n) = &tr.nationality {
                segs.push(format!("NAT+2+{}", e(&n.code)));
            }
            for r in &t.references {
                segs.push(format!("RFF+{}:{}", e(&r.qualifier), e(&r.value)));
            }
            for doc in &tr.documents {
                segs.push(format!("DOC+{}+{}", e(&doc.code), e(&doc.number)));
                if let Some(x) = doc.expiry {
                    segs.push(format!("DTM+36:{}", edi_date_text(x)));
                }
                if let Some(s) = &doc.issuing_state {
                    segs.push(format!("LOC+91+{}", e(&s.code)));
                }
            }
        }
        let pax = m.passenger_count();
        let crew = m.crew_count();
        if pax > 0 || crew == 0 {
            segs.push(format!("CNT+42:{pax}"));
        }
        if crew > 0 {
            segs.push(format!("CNT+41:{crew}"));
        }
        let count = segs.len() + 1;
        segs.push(format!("UNT+{count}+{}", e(&m.reference)));
        for s in segs {
            out.push_str(&s);
            out.push_str("'\n");
        }
    }
    out.push_str(&format!("UNZ+{}+{}'\n", ic.messages.len(), e(&control)));
    out
}

fn edi_date_text(d: PartialDate) -> String {
    match (d.get_month(), d.get_day()) {
        (Some(m), Some(day)) => format!("{:02}{m:02}{day:02}", d.get_year() % 100),
        (Some(m), None) => format!("{:04}{m:02}:610", d.get_year()),
        _ => format!("{:04}:602", d.get_year()),
    }
}

fn iso_to_edi(iso: &str) -> String {
    let digits: String = iso.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        12 => format!("{digits}:203"),
        8 => format!("{digits}:102"),
        _ => digits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_windows() {
        let r = PartialDate::ymd(2007, 2, 18);
        let d = |v, f, w| edi_date(v, f, r, w).map(|d| d.to_string());
        assert_eq!(
            d("720907", None, Window::Past).as_deref(),
            Some("1972-09-07")
        );
        assert_eq!(
            d("050101", None, Window::Past).as_deref(),
            Some("2005-01-01")
        );
        assert_eq!(
            d("081230", None, Window::Near).as_deref(),
            Some("2008-12-30")
        );
        assert_eq!(
            d("19720907", Some("102"), Window::Past).as_deref(),
            Some("1972-09-07")
        );
        assert_eq!(
            d("1972", Some("602"), Window::Past).as_deref(),
            Some("1972")
        );
        assert_eq!(d("721307", None, Window::Past), None);
        let t = edi_datetime("0702191540", Some("201"), r, Window::Near);
        assert_eq!(t.as_deref(), Some("2007-02-19T15:40"));
        assert_eq!(edi_datetime("0702192540", None, r, Window::Near), None);
    }

    #[test]
    fn not_paxlst() {
        assert!(parse_paxlst(b"").is_err());
        assert!(parse_paxlst(b"hello world").is_err());
        assert!(
            parse_paxlst(b"UNB+UNOA:4+A+B+070218:1545+1'UNH+1+CUSRES:D:05B:UN'UNT+2+1'UNZ+1+1'")
                .is_err()
        );
    }

    #[test]
    fn malformed_record_is_reported_and_the_rest_read() {
        let text = "UNB+UNOA:4+A+B+070218:1545+9'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'\
            TDT+20+XY12+++XY'LOC+125+AAA'DTM+189:0702191540:201'LOC+87+BBB'DTM+232:0702191740:201'\
            NAD+FL'ATT+2++F'DTM+329:7213xx'\
            NAD+FL+++DOE:JANE'ATT+2++F'DTM+329:800101'DOC+P+X123'DTM+36:120101'LOC+91+UTO'\
            CNT+42:2'UNT+18+1'UNZ+1+9'";
        let ic = parse_paxlst(text.as_bytes()).unwrap();
        let codes: Vec<_> = ic.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["paxlst.traveller_name", "paxlst.bad_date"]);
        assert_eq!(
            ic.diagnostics[0].location,
            Location::Segment {
                segment: 9,
                tag: "NAD".into(),
                element: Some(4),
                component: None,
                line: 1,
                byte_offset: text.find("NAD+FL'").unwrap(),
            }
        );
        let m = &ic.messages[0];
        assert_eq!(m.travellers.len(), 2);
        assert!(!m.travellers[0].complete);
        let jane = &m.travellers[1];
        assert!(jane.complete);
        assert_eq!(jane.traveller.full_name(), "JANE DOE");
        assert_eq!(
            jane.traveller.documents[0].expiry.unwrap().to_string(),
            "2012-01-01"
        );
        assert_eq!(m.flights[0].legs.len(), 1);
        assert_eq!(
            m.flights[0].legs[0]
                .arrival
                .as_ref()
                .unwrap()
                .time
                .as_deref(),
            Some("2007-02-19T17:40")
        );
    }
}
