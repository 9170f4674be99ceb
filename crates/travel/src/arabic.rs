//! Reading MRZ names written with the ICAO Doc 9303 Part 3 (section 6)
//! Arabic-script transliteration.
//!
//! That scheme was designed to be reversible: letters without a single
//! Latin equivalent become `X`-prefixed codes (ح `XH`, خ `XKH`, ص `XSS`, …),
//! so `MXHMD` is محمد. A watchlist will rather hold "Muhammad" or the Arabic
//! script, never `MXHMD`, so for such names we produce two extra screening
//! forms: the Arabic script rebuilt letter by letter, and a readable Latin
//! form with the `X` codes replaced by common digraphs (`MHMD`, `NASR`).
//!
//! Trade-off: `X` is also an ordinary Latin letter (MAXIME contains `XI`),
//! so the caller only asks for these forms when the document comes from a
//! state that writes names in Arabic script or the name holds at least two
//! `X` codes; a wrong guess adds a screening name, it never removes one.

/// `X` codes of the Doc 9303 Part 3 Arabic table: MRZ form, Arabic letter,
/// readable Latin form, and whether the writer uses it. No code is a prefix
/// of another (a test checks), so the first match is the only one.
///
/// TEH MARBUTA is `XTA`, or `XAH` at the end of a name component, as in the
/// ICAO NTWG transliteration report (TAG/MRTD/20, 2011); the table extracted
/// in shared data gives `P`, which collides with PEH, so `P` is read as PEH.
/// The same report writes WAW WITH HAMZA as `XW` where the extracted table
/// has `U`: both are read, `U` is written.
const X_CODES: &[(&str, char, &str, bool)] = &[
    ("XAA", '\u{0622}', "A", true),
    ("XAE", '\u{0623}', "A", true),
    ("XTH", '\u{062B}', "TH", true),
    ("XKH", '\u{062E}', "KH", true),
    ("XDH", '\u{0630}', "DH", true),
    ("XSH", '\u{0634}', "SH", true),
    ("XSS", '\u{0635}', "S", true),
    ("XDZ", '\u{0636}', "D", true),
    ("XTT", '\u{0637}', "T", true),
    ("XZZ", '\u{0638}', "Z", true),
    ("XAY", '\u{0649}', "A", true),
    ("XTA", '\u{0629}', "A", true),
    ("XAH", '\u{0629}', "A", true),
    ("XXA", '\u{0671}', "A", true),
    ("XXT", '\u{0679}', "T", true),
    ("XRT", '\u{067C}', "T", true),
    ("XKE", '\u{0681}', "G", true),
    ("XXH", '\u{0685}', "TS", true),
    ("XXD", '\u{0688}', "D", true),
    ("XDR", '\u{0689}', "D", true),
    ("XXR", '\u{0691}', "R", true),
    ("XRR", '\u{0693}', "R", true),
    ("XRX", '\u{0696}', "ZH", true),
    ("XXS", '\u{069A}', "SH", true),
    ("XKK", '\u{06A9}', "K", true),
    ("XXK", '\u{06AB}', "G", true),
    ("XNG", '\u{06AD}', "NG", true),
    ("XGG", '\u{06AF}', "G", true),
    ("XNN", '\u{06BA}', "N", true),
    ("XXN", '\u{06BC}', "N", true),
    ("XDO", '\u{06BE}', "H", true),
    ("XYH", '\u{06C0}', "H", true),
    ("XXG", '\u{06C1}', "H", true),
    ("XGE", '\u{06C2}', "H", true),
    ("XTG", '\u{06C3}', "A", true),
    ("XYA", '\u{06CC}', "Y", true),
    ("XXY", '\u{06CD}', "Y", true),
    ("XYB", '\u{06D2}', "E", true),
    ("XBE", '\u{06D3}', "E", true),
    ("XE", '\u{0621}', "", true),
    ("XW", '\u{0624}', "W", false),
    ("XI", '\u{0626}', "I", true),
    ("XH", '\u{062D}', "H", true),
    ("XC", '\u{0686}', "CH", true),
    ("XJ", '\u{0698}', "ZH", true),
];

/// Single MRZ letters of the table and the Arabic letter they stand for.
/// `C`, `V` and a lone `X` have none: a name containing them was not written
/// with this scheme.
fn letter(c: u8) -> Option<char> {
    Some(match c {
        b'A' => '\u{0627}',
        b'B' => '\u{0628}',
        b'T' => '\u{062A}',
        b'J' => '\u{062C}',
        b'D' => '\u{062F}',
        b'R' => '\u{0631}',
        b'Z' => '\u{0632}',
        b'S' => '\u{0633}',
        b'E' => '\u{0639}',
        b'G' => '\u{063A}',
        b'F' => '\u{0641}',
        b'Q' => '\u{0642}',
        b'K' => '\u{0643}',
        b'L' => '\u{0644}',
        b'M' => '\u{0645}',
        b'N' => '\u{0646}',
        b'H' => '\u{0647}',
        b'W' => '\u{0648}',
        b'Y' => '\u{064A}',
        b'U' => '\u{0624}',
        b'I' => '\u{0625}',
        b'O' => '\u{0652}',
        b'P' => '\u{067E}',
        _ => return None,
    })
}

fn x_code(rest: &[u8]) -> Option<&'static (&'static str, char, &'static str, bool)> {
    X_CODES
        .iter()
        .find(|(code, _, _, _)| rest.starts_with(code.as_bytes()))
}

/// The two screening forms of a name written with the Doc 9303 Arabic table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArabicForms {
    /// The Arabic script rebuilt letter by letter (`محمد`).
    pub arabic: String,
    /// A readable Latin form (`MHMD`, `NASR`).
    pub latin: String,
    /// How many `X` codes the name held (evidence that the scheme was used).
    pub x_codes: usize,
}

/// Decodes a name made of `A-Z` words separated by spaces (as the MRZ
/// parser produces them). `None` when some letter has no place in the
/// scheme (`C`, `V`, an `X` that starts no code) or when there is no `X`
/// code at all (then nothing distinguishes it from a Latin name).
pub fn decode_arabic_mrz_name(name: &str) -> Option<ArabicForms> {
    if !name.contains('X') {
        return None;
    }
    let mut arabic = String::new();
    let mut latin = String::new();
    let mut x_codes = 0;
    for word in name.split(' ').filter(|w| !w.is_empty()) {
        if !arabic.is_empty() {
            arabic.push(' ');
            latin.push(' ');
        }
        let bytes = word.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'X' {
                let (code, ar, lat, _) = x_code(&bytes[i..])?;
                arabic.push(*ar);
                latin.push_str(lat);
                x_codes += 1;
                i += code.len();
            } else {
                arabic.push(letter(bytes[i])?);
                latin.push(bytes[i] as char);
                i += 1;
            }
        }
    }
    (x_codes > 0).then_some(ArabicForms {
        arabic,
        latin: latin.split_whitespace().collect::<Vec<_>>().join(" "),
        x_codes,
    })
}

/// States whose documents write holders' names in Arabic script (Arabic,
/// Persian, Urdu, Pashto), by ICAO code.
pub(crate) fn uses_arabic_script(state: &str) -> bool {
    matches!(
        state,
        "AFG"
            | "ARE"
            | "BHR"
            | "COM"
            | "DJI"
            | "DZA"
            | "EGY"
            | "ESH"
            | "IRN"
            | "IRQ"
            | "JOR"
            | "KWT"
            | "LBN"
            | "LBY"
            | "MAR"
            | "MRT"
            | "OMN"
            | "PAK"
            | "PSE"
            | "QAT"
            | "SAU"
            | "SDN"
            | "SOM"
            | "SYR"
            | "TCD"
            | "TUN"
            | "YEM"
    )
}

/// The MRZ form of one Arabic-script letter or haraka under the Doc 9303
/// Part 3 table (`ح` → `XH`); `None` for characters outside the table.
/// SUPERSCRIPT ALEF (U+0670) is omitted by the table: `Some("")`.
pub fn arabic_letter_to_mrz(c: char) -> Option<&'static str> {
    const HARAKAT: &[(char, &str)] = &[
        ('\u{064B}', "F"),
        ('\u{064C}', "N"),
        ('\u{064D}', "K"),
        ('\u{064E}', "A"),
        ('\u{064F}', "U"),
        ('\u{0650}', "I"),
        ('\u{0652}', "O"),
        ('\u{0670}', ""),
        ('\u{06D0}', "Y"),
    ];
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if let Some((_, m)) = HARAKAT.iter().find(|(a, _)| *a == c) {
        return Some(m);
    }
    if let Some((code, _, _, _)) = X_CODES.iter().find(|(_, a, _, enc)| *a == c && *enc) {
        return Some(code);
    }
    (0..26)
        .find(|&i| c != '\u{0652}' && letter(b'A' + i as u8) == Some(c))
        .map(|i| &LETTERS[i..i + 1])
}

/// Transliterates Arabic-script text to the MRZ form of Doc 9303 Part 3:
/// letters by the table, spaces to `<`. `None` when a character other than
/// a space is outside the table.
pub fn arabic_to_mrz(text: &str) -> Option<String> {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push('<');
        }
        let mut chars = word.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{0629}' && chars.peek().is_none() {
                out.push_str("XAH");
            } else {
                out.push_str(arabic_letter_to_mrz(c)?);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eu_dcc_example_rebuilds_the_arabic() {
        // The EU DCC schema example (see shared/data/standards/SOURCES.md).
        let f = decode_arabic_mrz_name("ABW BKR MXHMD BN ZKRYA ALRAZY").unwrap();
        assert_eq!(f.arabic, "ابو بكر محمد بن زكريا الرازي");
        assert_eq!(f.latin, "ABW BKR MHMD BN ZKRYA ALRAZY");
        let g = decode_arabic_mrz_name("NAXSSR").unwrap();
        assert_eq!(g.arabic, "ناصر");
        assert_eq!(g.latin, "NASR");
    }

    #[test]
    fn latin_names_are_left_alone() {
        assert_eq!(decode_arabic_mrz_name("ANNA MARIA ERIKSSON"), None);
        assert_eq!(decode_arabic_mrz_name("ALEXANDER"), None);
        assert_eq!(decode_arabic_mrz_name("VICTOR XU"), None);
    }

    #[test]
    fn transliteration_and_decoding_are_inverse() {
        let mrz = arabic_to_mrz("ابو بكر محمد بن زكريا الرازي").unwrap();
        assert_eq!(mrz, "ABW<BKR<MXHMD<BN<ZKRYA<ALRAZY");
        let back = decode_arabic_mrz_name(&mrz.replace('<', " ")).unwrap();
        assert_eq!(back.arabic, "ابو بكر محمد بن زكريا الرازي");
        assert_eq!(arabic_to_mrz("Ali"), None);
        // TEH MARBUTA: XAH at the end of a component, XTA elsewhere.
        assert_eq!(arabic_to_mrz("فاطمة").unwrap(), "FAXTTMXAH");
        assert_eq!(arabic_to_mrz("ةا").unwrap(), "XTAA");
        let f = decode_arabic_mrz_name("FAXTTMXAH").unwrap();
        assert_eq!((f.arabic.as_str(), f.latin.as_str()), ("فاطمة", "FATMA"));
    }

    #[test]
    fn codes_are_prefix_free() {
        for (a, _, _, _) in X_CODES {
            for (b, _, _, _) in X_CODES {
                if a != b {
                    assert!(!b.starts_with(a), "{a} is a prefix of {b}");
                }
            }
        }
    }
}
