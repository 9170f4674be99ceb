//! Small text helpers shared by the parsers: whitespace, mixed-script
//! names, and the date spellings lists use.

use tansiq_model::PartialDate;

/// Collapses runs of whitespace (lists wrap long values over lines) into
/// one space and trims.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{0300}'..='\u{036F}')
}

/// A letter, digit or mark of a non-Latin script: Greek to Arabic to
/// Mongolian (U+0370..U+1DFF, which holds Cyrillic, Hebrew, Arabic, Syriac,
/// Thaana, Indic), CJK (U+2E80..U+9FFF, U+AC00..U+D7AF Hangul) and the
/// Arabic presentation forms.
fn is_foreign(c: char) -> bool {
    matches!(c,
        '\u{0370}'..='\u{1DFF}'
        | '\u{2E80}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}')
        && !c.is_whitespace()
}

/// Splits a name that mixes Latin and another script ("Akrin Saleh Akrin
/// (أقرين صالح أقرين)", "Abubakar (original script: Абубакар)") into the
/// Latin remainder and each non-Latin run, so each can be matched on its
/// own. A name in one script comes back unchanged. Labels such as
/// "(original script)" and brackets left empty are removed from the
/// remainder; anything else is kept verbatim.
pub(crate) fn split_scripts(name: &str) -> Vec<String> {
    let has_foreign = name.chars().any(is_foreign);
    let has_latin = name.chars().any(is_latin_letter);
    if !(has_foreign && has_latin) {
        return vec![name.to_string()];
    }
    let chars: Vec<char> = name.chars().collect();
    let mut runs: Vec<String> = Vec::new();
    let mut rest = String::new();
    let mut i = 0;
    while i < chars.len() {
        if is_foreign(chars[i]) {
            // The run goes on over spaces and joiners while more non-Latin
            // letters follow.
            let start = i;
            let mut end = i + 1;
            let mut j = end;
            while j < chars.len() {
                let c = chars[j];
                if is_foreign(c) {
                    j += 1;
                    end = j;
                } else if c.is_whitespace() || matches!(c, '\u{200C}' | '\u{200D}' | '-' | '\'') {
                    j += 1;
                } else {
                    break;
                }
            }
            runs.push(chars[start..end].iter().collect::<String>());
            i = end;
        } else {
            rest.push(chars[i]);
            i += 1;
        }
    }
    let mut out = vec![clean_remainder(&rest)];
    out.extend(runs.into_iter().map(|r| one_line(&r)));
    out.retain(|s| !s.is_empty());
    out
}

/// Splits a `;`-separated list of names that a list wrote as one alias
/// ("(Hasan Ghoul; Hassan Gool)", "Sami Rahal; Samy Rahhal b) S. Rahal")
/// into its names, each trimmed of the brackets that enclosed the list. A
/// name without `;` comes back unchanged.
pub(crate) fn split_list(name: &str) -> Vec<String> {
    if !name.contains(';') {
        return vec![name.to_string()];
    }
    let mut out = Vec::new();
    for part in name.split(';') {
        // "Mohammed Sabet b) M. Sabet": an enumeration inside the list.
        let mut rest = part;
        loop {
            let marker = rest
                .char_indices()
                .find(|&(i, c)| {
                    c.is_ascii_lowercase()
                        && rest[i + 1..].starts_with(") ")
                        && rest[..i].ends_with(' ')
                })
                .map(|(i, _)| i);
            match marker {
                Some(i) => {
                    out.push(trim_unbalanced(&rest[..i]));
                    rest = &rest[i + 2..];
                }
                None => {
                    out.push(trim_unbalanced(rest));
                    break;
                }
            }
        }
    }
    out.retain(|p| p.chars().any(char::is_alphabetic));
    out.dedup();
    out
}

/// Trims whitespace, separators and brackets that open or close outside
/// the part: "(Hasan Ghoul" -> "Hasan Ghoul", "Front (HF) (" -> "Front
/// (HF)". Balanced brackets inside are kept.
fn trim_unbalanced(part: &str) -> String {
    let mut s = part.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';'));
    loop {
        let open = s.matches('(').count();
        let close = s.matches(')').count();
        let before = s;
        if s.ends_with('(') || (s.ends_with(')') && close > open) {
            s = &s[..s.len() - 1];
        } else if s.starts_with(')') || (s.starts_with('(') && open > close) {
            s = &s[1..];
        }
        s = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';'));
        if s == before {
            return s.to_string();
        }
    }
}

fn clean_remainder(rest: &str) -> String {
    let mut s = one_line(rest);
    for label in ["(original script)", "original script:", "original script"] {
        while let Some(at) = s.to_ascii_lowercase().find(label) {
            s.replace_range(at..at + label.len(), "");
        }
    }
    loop {
        let before = s.clone();
        s = one_line(&s);
        for empty in ["()", "( )", "[]", "[ ]"] {
            s = s.replace(empty, "");
        }
        if s == before {
            break;
        }
    }
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '/' | '-'))
        .to_string()
}

/// An ISO date as lists write it: `YYYY-MM-DD`, optionally followed by a
/// time (`T…`) or a time-zone offset (`2015-04-07-04:00`, `…Z`), which is
/// dropped. Year or year-month alone are accepted too.
pub(crate) fn iso_date(text: &str) -> Result<String, String> {
    let text = text.trim();
    let date_part = if text.len() > 10 && text.is_char_boundary(10) {
        let (date, tail) = text.split_at(10);
        let tail_ok = tail.starts_with('T')
            || tail == "Z"
            || ((tail.starts_with('+') || tail.starts_with('-'))
                && tail[1..].bytes().all(|b| b.is_ascii_digit() || b == b':'));
        if tail_ok { date } else { text }
    } else {
        text
    };
    date_part
        .parse::<PartialDate>()
        .map(|d| d.to_string())
        .map_err(|e| e.to_string())
}

/// The number in a document value that lists sometimes write as a phrase:
/// "Congo service passport number SA0020249" -> "SA0020249", "Libya
/// 428720" -> "428720", "381110042 (Expired 25 Jan. 2016)" -> "381110042".
/// A value without digits, or a plain number, comes back unchanged (one
/// line).
pub(crate) fn document_number(raw: &str) -> String {
    let raw = one_line(raw);
    if !raw.bytes().any(|b| b.is_ascii_digit()) {
        return raw;
    }
    let mut s = raw.clone();
    // A trailing remark in brackets: "(Expired 25 Jan. 2016)", "(US)".
    if let Some(at) = s.rfind('(')
        && s[..at].bytes().any(|b| b.is_ascii_digit())
    {
        s.truncate(at);
    }
    let lower = s.to_ascii_lowercase();
    let keyword = ["number", "no.:", "no.", "no:", ":"]
        .iter()
        .filter_map(|k| lower.find(k).map(|at| (at, k.len())))
        .min();
    if let Some((at, len)) = keyword {
        s = s[at + len..].to_string();
    }
    let mut tokens: Vec<String> = s
        .split_whitespace()
        .filter(|t| !t.eq_ignore_ascii_case("no.") && !t.eq_ignore_ascii_case("no"))
        .map(|t| {
            t.trim_start_matches("N°")
                .trim_start_matches('№')
                .to_string()
        })
        .collect();
    // Leading words ("Libya", "German travel document") are not the number;
    // an upper-case series prefix ("OB 0243318", "TR-P 614 166") is.
    while tokens.len() > 1
        && !tokens[0].bytes().any(|b| b.is_ascii_digit())
        && tokens[0].chars().any(char::is_lowercase)
    {
        tokens.remove(0);
    }
    let number = tokens.join(" ");
    let number = number.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    if number.bytes().any(|b| b.is_ascii_digit()) {
        number.to_string()
    } else {
        raw
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `Mar`, `Mar.`, `March`, `Sept` -> 3.
fn month_number(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| {
            w == *m || (w.len() == 3 && m.starts_with(&w)) || (w == "sept" && *m == "september")
        })
        .map(|i| i as u8 + 1)
}

/// Dates in the English forms that OFAC and DFAT use: `14 Mar 1971`,
/// `Mar 1971`, `1971`, `14/03/1971` (day first), `1971-03-14`, with an
/// optional `circa`/`c.`/`approximately` in front (the date is kept as
/// written). A range `1970 to 1972` or `1970-1972` gives each year.
/// Returns `None` when nothing parses.
pub(crate) fn english_dates(text: &str) -> Option<Vec<PartialDate>> {
    let t = one_line(text);
    let t = t.trim_matches(|c: char| matches!(c, '(' | ')' | '.' | ',' | ';') || c.is_whitespace());
    let mut t = t.replace("/ ", "/").replace(" /", "/");
    for prefix in [
        "circa ",
        "circa",
        "approximately ",
        "approx. ",
        "approx ",
        "about ",
        "c. ",
        "ca. ",
    ] {
        if t.to_ascii_lowercase().starts_with(prefix) {
            t = t[prefix.len()..].trim().to_string();
        }
    }
    if let Ok(d) = iso_date(&t) {
        return d.parse().ok().map(|d| vec![d]);
    }
    // Ranges of full dates or months: "01 Jan 1960 to 31 Dec 1962" gives
    // each year; "Mar 1960 to Feb 1961" its two ends.
    if let Some((a, b)) = t.split_once(" to ")
        && let (Some(a), Some(b)) = (english_dates(a), english_dates(b))
        && let ([a], [b]) = (a.as_slice(), b.as_slice())
    {
        let whole_years = a.get_month().is_none_or(|m| m == 1)
            && a.get_day().is_none_or(|d| d == 1)
            && b.get_month().is_none_or(|m| m == 12)
            && b.get_day().is_none_or(|d| d == 31);
        let (ya, yb) = (a.get_year(), b.get_year());
        if whole_years && ya <= yb && yb - ya <= 25 {
            return Some((ya..=yb).map(PartialDate::year).collect());
        }
        return Some(if a == b { vec![*a] } else { vec![*a, *b] });
    }
    // Year ranges: "1970 to 1972", "1970 - 1972", "Between 1970 and 1972".
    let lower = t.to_ascii_lowercase();
    let lower = lower.strip_prefix("between ").unwrap_or(&lower);
    for sep in [" to ", " and ", " - ", "-", "–"] {
        if let Some((a, b)) = lower.split_once(sep)
            && let (Ok(a), Ok(b)) = (a.trim().parse::<u16>(), b.trim().parse::<u16>())
            && a >= 1000
            && a <= b
            && b - a <= 25
        {
            return Some((a..=b).map(PartialDate::year).collect());
        }
    }
    // Day-first numeric: 14/03/1971 or 14.03.1971; month/year 03/1971;
    // two years 1977/1978.
    let numeric: Vec<&str> = t.split(['/', '.']).collect();
    let all_digits = numeric
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric.len() == 2 && all_digits {
        let (a, b) = (
            numeric[0].parse::<u16>().ok()?,
            numeric[1].parse::<u16>().ok()?,
        );
        return match (numeric[0].len(), numeric[1].len()) {
            (4, 4) if a >= 1000 && b >= 1000 => {
                Some(vec![PartialDate::year(a), PartialDate::year(b)])
            }
            (1 | 2, 4) if b >= 1000 => PartialDate::ym(b, u8::try_from(a).ok()?).map(|d| vec![d]),
            _ => None,
        };
    }
    if numeric.len() == 3
        && numeric
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let (d, m, y) = (
            numeric[0].parse::<u8>().ok()?,
            numeric[1].parse::<u8>().ok()?,
            numeric[2].parse::<u16>().ok()?,
        );
        if y >= 1000 {
            return PartialDate::ymd(y, m, d).map(|d| vec![d]);
        }
        return None;
    }
    let words: Vec<&str> = t
        .split([' ', '-', ',', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let year = |w: &str| w.parse::<u16>().ok().filter(|y| *y >= 1000 && w.len() == 4);
    match words.as_slice() {
        // "March 16, 1972"
        [m, d, y] if month_number(m).is_some() => {
            let (d, m, y) = (d.parse::<u8>().ok()?, month_number(m)?, year(y)?);
            PartialDate::ymd(y, m, d).map(|d| vec![d])
        }
        [d, m, y] => {
            let (d, m, y) = (d.parse::<u8>().ok()?, month_number(m)?, year(y)?);
            PartialDate::ymd(y, m, d).map(|d| vec![d])
        }
        [m, y] => PartialDate::ym(year(y)?, month_number(m)?).map(|d| vec![d]),
        [y] => Some(vec![PartialDate::year(year(y)?)]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_split(input: &str, expect: &[&str]) {
        assert_eq!(split_scripts(input), expect, "{input:?}");
    }

    #[test]
    fn splits_mixed_script_names() {
        check_split("Karim Haddad", &["Karim Haddad"]);
        check_split("كريم حداد", &["كريم حداد"]);
        check_split("Karim Haddad (كريم حداد)", &["Karim Haddad", "كريم حداد"]);
        check_split(
            "Yusuf Nasser (original script: Юсуф Нассер)",
            &["Yusuf Nasser", "Юсуф Нассер"],
        );
        check_split("Nour Saleh (نور صالح ),", &["Nour Saleh", "نور صالح"]);
        check_split("Adil Omar عادل عمر", &["Adil Omar", "عادل عمر"]);
        check_split(
            "حسن غول (Hasan Ghoul; Hassan Gool)",
            &["(Hasan Ghoul; Hassan Gool)", "حسن غول"],
        );
        check_split(
            "Front (HF) (جبهة (original script); Front One; Front Two)",
            &["Front (HF) ( ; Front One; Front Two)", "جبهة"],
        );
        check_split("Li Wei (李伟)", &["Li Wei", "李伟"]);
    }

    #[test]
    fn document_numbers_out_of_phrases() {
        for (raw, expect) in [
            ("A1234567", "A1234567"),
            ("96 03 464086", "96 03 464086"),
            ("Congo service passport number SA0020249 ", "SA0020249"),
            ("Freedonia diplomatic passport no. D00000898", "D00000898"),
            ("Diplomatic Passport: Z30321794", "Z30321794"),
            ("381110042 (Expired 25 Jan. 2016)", "381110042"),
            ("Freedonia 428720", "428720"),
            ("Freedonian passport number 8208 No. 555627", "8208 555627"),
            (
                "German travel document (\u{201c}Reiseausweis\u{201d}) A 0139243",
                "A 0139243",
            ),
            ("Military identification", "Military identification"),
            ("Laissez-passer no. N°235/ABC", "235/ABC"),
            ("OB 0243318", "OB 0243318"),
            ("Freedonian passport number SE 012820", "SE 012820"),
            ("Social Security Number 423-31-3021 (US)", "423-31-3021"),
        ] {
            assert_eq!(document_number(raw), expect, "{raw:?}");
        }
    }

    #[track_caller]
    fn check_list(input: &str, expect: &[&str]) {
        assert_eq!(split_list(input), expect, "{input:?}");
    }

    #[test]
    fn splits_name_lists() {
        check_list("Karim Haddad", &["Karim Haddad"]);
        check_list("Karim Haddad (Abu K)", &["Karim Haddad (Abu K)"]);
        check_list(
            "(Hasan Ghoul; Hassan Gool)",
            &["Hasan Ghoul", "Hassan Gool"],
        );
        check_list(
            "Sami Rahal; Samy Rahhal b) S. Rahal; S. Rahhal",
            &["Sami Rahal", "Samy Rahhal", "S. Rahal", "S. Rahhal"],
        );
        check_list(
            "Front (HF) ( ; Front One; Front Two)",
            &["Front (HF)", "Front One", "Front Two"],
        );
        check_list(
            "(Front (HF) - sub-unit; Front Two)",
            &["Front (HF) - sub-unit", "Front Two"],
        );
        check_list(" ; ", &[]);
    }

    #[test]
    fn iso_dates_with_zones() {
        assert_eq!(iso_date("2015-04-07-04:00").as_deref(), Ok("2015-04-07"));
        assert_eq!(
            iso_date("2015-04-07T10:00:00Z").as_deref(),
            Ok("2015-04-07")
        );
        assert_eq!(iso_date("2015-04-07Z").as_deref(), Ok("2015-04-07"));
        assert_eq!(iso_date("2015").as_deref(), Ok("2015"));
        assert!(iso_date("2015-04-07 junk").is_err());
        assert!(iso_date("7 April 2015").is_err());
    }

    #[track_caller]
    fn check_dates(input: &str, expect: Option<&[&str]>) {
        let got = english_dates(input).map(|v| v.iter().map(|d| d.to_string()).collect::<Vec<_>>());
        let expect = expect.map(|e| e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(got, expect, "{input:?}");
    }

    #[test]
    fn english_date_forms() {
        check_dates("14 Mar 1971", Some(&["1971-03-14"]));
        check_dates("14 March 1971", Some(&["1971-03-14"]));
        check_dates("Mar 1971", Some(&["1971-03"]));
        check_dates("circa 1971", Some(&["1971"]));
        check_dates("1970 to 1972", Some(&["1970", "1971", "1972"]));
        check_dates("1970-1971", Some(&["1970", "1971"]));
        check_dates(
            "01 Jan 1960 to 31 Dec 1962",
            Some(&["1960", "1961", "1962"]),
        );
        check_dates("01 Jan 1960 to 31 Dec 1960", Some(&["1960"]));
        check_dates("Mar 1960 to Feb 1961", Some(&["1960-03", "1961-02"]));
        check_dates("circa 1960-1962", Some(&["1960", "1961", "1962"]));
        check_dates("14/03/1971", Some(&["1971-03-14"]));
        check_dates("1971-03-14", Some(&["1971-03-14"]));
        check_dates("31 Feb 1971", None);
        check_dates("March 16, 1972", Some(&["1972-03-16"]));
        check_dates("24 Jan.1973", Some(&["1973-01-24"]));
        check_dates("21. Jul 1997", Some(&["1997-07-21"]));
        check_dates("1965.", Some(&["1965"]));
        check_dates("(Aug. 1961)", Some(&["1961-08"]));
        check_dates("09/11/ 1954", Some(&["1954-11-09"]));
        check_dates("03/1965", Some(&["1965-03"]));
        check_dates("1977/1978", Some(&["1977", "1978"]));
        check_dates("23-Apr-68", None);
        check_dates("13/1965", None);
        check_dates("sometime", None);
        check_dates("14 Mayo 1971", None);
        check_dates("", None);
    }

    proptest::proptest! {
        #[test]
        fn helpers_never_panic(s in ".{0,40}") {
            let _ = english_dates(&s);
            let _ = split_scripts(&s);
            let _ = split_list(&s);
            let _ = document_number(&s);
            let _ = iso_date(&s);
            let _ = one_line(&s);
        }

        #[test]
        fn split_keeps_every_letter(s in "[a-zA-Z \u{0621}-\u{064A}()]{0,30}") {
            let parts = split_scripts(&s);
            let letters = |t: &str| t.chars().filter(|c| c.is_alphabetic()).count();
            let kept: usize = parts.iter().map(|p| letters(p)).sum();
            // Only the "original script" label may be dropped.
            proptest::prop_assert!(kept <= letters(&s));
            if parts.len() == 1 { proptest::prop_assert_eq!(&parts[0], &s); }
        }
    }
}
