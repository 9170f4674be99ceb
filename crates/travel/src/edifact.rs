//! The ISO 9735 (UN/EDIFACT) syntax layer: service string advice (`UNA`),
//! release-character escaping, and splitting an interchange into segments,
//! data elements and components with their positions.
//!
//! Tolerances, each reported as a [`Diagnostic`] where it hides a fault:
//! whitespace and line breaks between segments (one segment per line, or
//! a leading space per line), line breaks inside a segment (files wrapped
//! at a fixed width), spaces around a tag (`UNG *PAXLST`), text after the
//! last segment, and input that is not UTF-8 (read as ISO 8859-1, the
//! repertoire of `UNOC`). The repetition separator is recorded but not
//! split on: PAXLST does not use repeating elements, and real senders put
//! the default repetition character `*` inside identifiers (`APIS*ABE`).

use serde::Serialize;

use crate::diag::{Diagnostic, Location, Severity};

/// The six service characters of an interchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Delimiters {
    pub component: char,
    pub element: char,
    pub decimal: char,
    pub release: char,
    pub repetition: char,
    pub segment: char,
}

impl Default for Delimiters {
    /// The ISO 9735 defaults: `UNA:+.? '`.
    fn default() -> Delimiters {
        Delimiters {
            component: ':',
            element: '+',
            decimal: '.',
            release: '?',
            repetition: ' ',
            segment: '\'',
        }
    }
}

impl Delimiters {
    /// The `UNA` segment announcing these delimiters.
    pub fn una(&self) -> String {
        format!(
            "UNA{}{}{}{}{}{}",
            self.component, self.element, self.decimal, self.release, self.repetition, self.segment
        )
    }

    /// Escapes a value with the release character.
    pub fn escape(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        for c in value.chars() {
            if c == self.component || c == self.element || c == self.release || c == self.segment {
                out.push(self.release);
            }
            out.push(c);
        }
        out
    }
}

/// One segment: its tag and data elements, each a list of components
/// (release characters removed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// 1-based position in the interchange, `UNA` not counted.
    pub index: usize,
    pub tag: String,
    /// Data elements after the tag; `elements[0]` is data element 1.
    pub elements: Vec<Vec<String>>,
    /// 1-based line of the tag.
    pub line: usize,
    /// Byte offset of the tag in the decoded text.
    pub byte_offset: usize,
}

impl Segment {
    /// Component `component` of data element `element`, both 1-based as in
    /// implementation guides (`NAD+FL+++CLARK:MICHAEL`: element 4,
    /// component 2 is `MICHAEL`). Empty strings are `None`.
    pub fn get(&self, element: usize, component: usize) -> Option<&str> {
        let v = self
            .elements
            .get(element.checked_sub(1)?)?
            .get(component.checked_sub(1)?)?
            .trim();
        (!v.is_empty()).then_some(v)
    }

    /// Where this segment (or one of its elements) is.
    pub fn location(&self, element: Option<usize>, component: Option<usize>) -> Location {
        Location::Segment {
            segment: self.index,
            tag: self.tag.clone(),
            element,
            component,
            line: self.line,
            byte_offset: self.byte_offset,
        }
    }
}

/// Decodes input bytes: UTF-8, or ISO 8859-1 (with a warning) when the
/// bytes are not UTF-8.
pub(crate) fn decode(input: &[u8], diags: &mut Vec<Diagnostic>) -> String {
    match std::str::from_utf8(input) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let at = e.valid_up_to();
            diags.push(Diagnostic::new(
                Severity::Warning,
                "edifact.encoding",
                Location::Input {
                    line: 1 + input[..at].iter().filter(|&&b| b == b'\n').count(),
                    byte_offset: at,
                },
                "input is not UTF-8; read as ISO 8859-1 (byte offsets below count decoded text)",
            ));
            input.iter().map(|&b| char::from(b)).collect()
        }
    }
}

/// Splits decoded text into segments. Returns the delimiters in force and
/// the segments; problems go to `diags`. The text must start (after
/// whitespace and a byte-order mark) with a segment tag; callers decide
/// whether the first tag fits their message.
pub fn tokenize(text: &str, diags: &mut Vec<Diagnostic>) -> (Delimiters, Vec<Segment>) {
    let body_start = text
        .char_indices()
        .find(|(_, c)| !c.is_whitespace() && *c != '\u{feff}')
        .map_or(text.len(), |(i, _)| i);
    let mut delims = Delimiters::default();
    let mut pos = body_start;
    if text[pos..].starts_with("UNA") {
        let chars: Vec<char> = text[pos + 3..].chars().take(6).collect();
        if chars.len() == 6 {
            delims = Delimiters {
                component: chars[0],
                element: chars[1],
                decimal: chars[2],
                release: chars[3],
                repetition: chars[4],
                segment: chars[5],
            };
            let distinct = [chars[0], chars[1], chars[3], chars[5]];
            let clash = (0..4).any(|i| (i + 1..4).any(|j| distinct[i] == distinct[j]));
            let unusable = clash
                || chars
                    .iter()
                    .any(|c| c.is_ascii_alphanumeric() || !c.is_ascii());
            if unusable {
                diags.push(Diagnostic::new(
                    Severity::Error,
                    "edifact.una",
                    Location::Input {
                        line: line_of(text, pos),
                        byte_offset: pos,
                    },
                    format!(
                        "UNA announces unusable delimiters {:?}; defaults used",
                        delims.una()
                    ),
                ));
                delims = Delimiters::default();
            }
            pos += 3 + chars.iter().map(|c| c.len_utf8()).sum::<usize>();
        } else {
            diags.push(Diagnostic::new(
                Severity::Error,
                "edifact.una",
                Location::Input {
                    line: line_of(text, pos),
                    byte_offset: pos,
                },
                "UNA is shorter than its six service characters; defaults used",
            ));
            pos = text.len();
        }
    }

    let mut segments = Vec::new();
    let mut line = line_of(text, pos);
    let mut after_unz = false;
    // Delimiters are ASCII (checked when reading UNA), so every delimiter
    // position is a char boundary and the text can be scanned as bytes,
    // copying runs between delimiters.
    let bytes = text.as_bytes();
    let [comp, elem, rel, term] = [
        delims.component,
        delims.element,
        delims.release,
        delims.segment,
    ]
    .map(|c| c as u8);
    let mut i = pos;
    loop {
        // Skip whitespace between segments, counting lines.
        while i < bytes.len() && bytes[i] != term && bytes[i].is_ascii_whitespace() {
            if bytes[i] == b'\n' {
                line += 1;
            }
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let start_line = line;
        let mut elements: Vec<Vec<String>> = vec![vec![String::new()]];
        let mut terminated = false;
        let mut run = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b != rel && b != term && b != elem && b != comp && b != b'\n' && b != b'\r' {
                i += 1;
                continue;
            }
            push_str(&mut elements, &text[run..i]);
            if b == b'\n' {
                line += 1;
            }
            i += 1;
            if b == rel {
                if let Some(next) = text[i..].chars().next() {
                    if next == '\n' {
                        line += 1;
                    }
                    push_str(&mut elements, &text[i..i + next.len_utf8()]);
                    i += next.len_utf8();
                }
            } else if b == term {
                terminated = true;
                run = i;
                break;
            } else if b == elem {
                elements.push(vec![String::new()]);
            } else if b == comp
                && let Some(e) = elements.last_mut()
            {
                e.push(String::new());
            }
            run = i;
        }
        if !terminated {
            push_str(&mut elements, &text[run..i]);
        }
        let raw_tag = elements[0].join(":");
        let tag = raw_tag.trim().to_string();
        if tag.is_empty() && elements.len() == 1 {
            // An empty segment (doubled terminator, or a line break used as
            // terminator followed by a blank line) carries nothing.
            continue;
        }
        let index = segments.len() + 1;
        let seg = Segment {
            index,
            tag: tag.clone(),
            elements: elements.split_off(1),
            line: start_line,
            byte_offset: start,
        };
        if after_unz {
            let text_after: String = text[start..].chars().take(40).collect();
            diags.push(Diagnostic::new(
                Severity::Warning,
                "edifact.trailing_text",
                Location::Input {
                    line: start_line,
                    byte_offset: start,
                },
                format!("text after UNZ ignored: {:?}", text_after.trim()),
            ));
            break;
        }
        let valid_tag = tag.len() == 3 && tag.bytes().all(|b| b.is_ascii_uppercase());
        if !valid_tag {
            diags.push(Diagnostic::new(
                Severity::Error,
                "edifact.bad_tag",
                seg.location(None, None),
                format!("{raw_tag:?} is not a segment tag (three capital letters)"),
            ));
        } else if raw_tag != tag {
            diags.push(Diagnostic::new(
                Severity::Warning,
                "edifact.tag_space",
                seg.location(None, None),
                format!("spaces around the tag {raw_tag:?} ignored"),
            ));
        }
        if !terminated {
            diags.push(Diagnostic::new(
                Severity::Warning,
                "edifact.unterminated",
                seg.location(None, None),
                format!("last segment has no terminator {:?}", delims.segment),
            ));
        }
        after_unz = tag == "UNZ";
        segments.push(seg);
    }
    (delims, segments)
}

fn push_str(elements: &mut [Vec<String>], s: &str) {
    if let Some(comp) = elements.last_mut().and_then(|e| e.last_mut()) {
        comp.push_str(s);
    }
}

fn line_of(text: &str, pos: usize) -> usize {
    1 + text.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str) -> (Delimiters, Vec<Segment>, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let (delims, segs) = tokenize(text, &mut d);
        (delims, segs, d)
    }

    #[test]
    fn release_character_and_custom_una() {
        let (d, segs, diags) = tok("UNA:*.? $\nNAD*FL***O?*BRIEN:ANN?$MARIE$\nUNZ*1*X$");
        assert_eq!(d.element, '*');
        assert_eq!(d.segment, '$');
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(segs[0].tag, "NAD");
        assert_eq!(segs[0].get(4, 1), Some("O*BRIEN"));
        assert_eq!(segs[0].get(4, 2), Some("ANN$MARIE"));
        assert_eq!(segs[1].line, 3);
        assert_eq!(segs[1].index, 2);
    }

    #[test]
    fn escape_round_trip() {
        let d = Delimiters::default();
        let v = "O'BRIEN+SONS:?";
        let text = format!("NAD+{}'", d.escape(v));
        let (_, segs, _) = tok(&text);
        assert_eq!(segs[0].get(1, 1), Some(v));
    }

    #[test]
    fn tolerances_are_reported() {
        let (_, segs, diags) = tok("UNA:*.? $ UNG *PAXLST$UNZ*1$\n13Nov09\n");
        assert_eq!(segs[0].tag, "UNG");
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["edifact.tag_space", "edifact.trailing_text"]);
        let (_, segs, diags) = tok("BGM+745'NAD+FL");
        assert_eq!(segs.len(), 2);
        assert_eq!(diags[0].code, "edifact.unterminated");
    }
}
