//! Consonant skeletons: a vowel-free key computed the same way from Arabic
//! script and from Latin spellings, so that `محمد`, `Muhammad`, `Mohamed`
//! and `Mouhammed` all give `MHMD`.
//!
//! Alphabet (one ASCII capital per class):
//!
//! | class | Arabic | Latin |
//! |---|---|---|
//! | `B` | ب پ | b p |
//! | `T` | ت ط ٹ | t th |
//! | `J` | ژ | j dj dzh zh dsch |
//! | `t` `z` `q` `j` | ث, ذ ض ظ, ق, ج | (Arabic only) match T/S, D/Z, K/G, J/G at no cost |
//! | `H` | ح ه | h (not word-final) |
//! | `X` | خ | kh x |
//! | `D` | د ڈ | d dh |
//! | `R` | ر ڑ | r |
//! | `Z` | ز | z |
//! | `S` | س ص | s, c before e/i/y |
//! | `C` | ش چ | sh ch sch tsch |
//! | `G` | غ گ | g gh |
//! | `F` | ف ڤ | f v ph |
//! | `K` | ك | k q c ck |
//! | `L` `M` `N` | ل م ن | l m n |
//! | `W` | initial و | initial w, initial ou+vowel |
//! | `Y` | initial ي | initial y |
//!
//! Vowels, alef, ʿayn, hamza, taa marbuta, medial و/ي and a word-final
//! h/ه are dropped; runs of one class collapse (shadda and doubled Latin
//! consonants). Classes that spellings confuse (T/S for ث, D/Z for ذ,
//! J/G/K for ج and ق, H/X for خ, F/W for Persian و) are close in
//! [`skeleton_distance`], not equal, so exact keys stay selective.

/// Maps one Arabic-script letter (already unified by
/// [`crate::normalize()`]) to its class; `None` for letters that carry no
/// consonant class (alef, ʿayn, hamza, taa marbuta, alef maqsura).
pub(crate) fn arabic_class_of(c: char) -> Option<u8> {
    Some(match c {
        'ب' | 'پ' => b'B',
        'ت' | 'ط' | 'ٹ' => b'T',
        // ambiguous letters: lower-case classes match either reading
        'ث' => b't',
        'ج' => b'j',
        'ق' => b'q',
        'ذ' | 'ض' | 'ظ' => b'z',
        'ژ' => b'J',
        'چ' => b'C',
        'ح' | 'ه' => b'H',
        'خ' => b'X',
        'د' | 'ڈ' => b'D',
        'ر' | 'ڑ' => b'R',
        'ز' => b'Z',
        'س' | 'ص' => b'S',
        'ش' => b'C',
        'غ' | 'گ' => b'G',
        'ف' | 'ڤ' => b'F',
        'ك' => b'K',
        'ل' => b'L',
        'م' => b'M',
        'ن' | 'ں' => b'N',
        'و' => b'W',
        'ي' => b'Y',
        _ => return None,
    })
}

fn push_class(out: &mut String, class: u8) {
    if out.as_bytes().last() != Some(&class) {
        out.push(class as char);
    }
}

/// Skeleton of one normalised Arabic-script word.
pub fn arabic_skeleton(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(chars.len());
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let Some(class) = arabic_class_of(c) else {
            continue;
        };
        match class {
            // و and ي are consonants word-initially, long vowels elsewhere
            // (the Latin side cannot tell them apart from vowels either).
            b'W' | b'Y' if i > 0 => continue,
            // a final ه is usually silent in Latin spellings (Abdallah,
            // Taha, Fatimah); drop it on both sides
            b'H' if i + 1 == n && i > 0 => continue,
            _ => {}
        }
        push_class(&mut out, class);
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Skeleton of one folded Latin word (lower-case ASCII letters; other
/// bytes are ignored).
pub fn latin_skeleton(word: &str) -> String {
    let w = word.as_bytes();
    let n = w.len();
    let mut out = String::with_capacity(n);
    let at = |i: usize| -> u8 { if i < n { w[i] } else { 0 } };
    let mut i = 0;
    while i < n {
        let c = w[i];
        let next = at(i + 1);
        let (class, len): (Option<u8>, usize) = match c {
            b'a' | b'e' | b'i' | b'o' => {
                // French initial "ou" before a vowel is a consonant w:
                // Oualid = Walid.
                if i == 0 && c == b'o' && next == b'u' && is_vowel(at(i + 2)) {
                    (Some(b'W'), 2)
                } else {
                    (None, 1)
                }
            }
            b'u' => (None, 1),
            b'y' => {
                if i == 0 && is_vowel(next) {
                    (Some(b'Y'), 1)
                } else {
                    (None, 1)
                }
            }
            b'w' => {
                if i == 0 {
                    (Some(b'W'), 1)
                } else {
                    (None, 1)
                }
            }
            b'h' => {
                // word-final h after a vowel is silent (Abdullah, Fatimah)
                if i + 1 == n && i > 0 && is_vowel(w[i - 1]) {
                    (None, 1)
                } else {
                    (Some(b'H'), 1)
                }
            }
            // consonants: one table of digraph rules, shared with the
            // phonetic key
            _ => latin_consonant(&w[i..]),
        };
        if let Some(class) = class {
            push_class(&mut out, class);
        }
        i += len;
    }
    out
}

/// Class of the Latin consonant at the start of `b` and how many bytes it
/// uses; `(None, 1)` for anything else. Bytes, not `str`, so a caller may
/// step through non-ASCII text one byte at a time.
pub(crate) fn latin_consonant(b: &[u8]) -> (Option<u8>, usize) {
    let at = |i: usize| -> u8 { b.get(i).copied().unwrap_or(0) };
    let c = at(0);
    let next = at(1);
    match c {
        b'b' => (Some(b'B'), 1),
        b'p' => {
            if next == b'h' {
                (Some(b'F'), 2)
            } else {
                (Some(b'B'), 1)
            }
        }
        b't' => {
            if next == b'h' {
                (Some(b'T'), 2)
            } else if next == b's' && at(2) == b'c' && at(3) == b'h' {
                (Some(b'C'), 4)
            } else {
                (Some(b'T'), 1)
            }
        }
        b'd' => {
            if next == b'h' {
                (Some(b'D'), 2)
            } else if next == b'j' {
                (Some(b'J'), 2)
            } else if next == b'z' && at(2) == b'h' {
                (Some(b'J'), 3)
            } else if next == b's' && at(2) == b'c' && at(3) == b'h' {
                (Some(b'J'), 4)
            } else {
                (Some(b'D'), 1)
            }
        }
        b'j' => (Some(b'J'), 1),
        b'z' => {
            if next == b'h' {
                (Some(b'J'), 2)
            } else {
                (Some(b'Z'), 1)
            }
        }
        b's' => {
            if next == b'h' {
                (Some(b'C'), 2)
            } else if next == b'c' && at(2) == b'h' {
                (Some(b'C'), 3)
            } else {
                (Some(b'S'), 1)
            }
        }
        b'c' => {
            if next == b'h' {
                (Some(b'C'), 2)
            } else if next == b'k' {
                (Some(b'K'), 2)
            } else if matches!(next, b'e' | b'i' | b'y') {
                (Some(b'S'), 1)
            } else {
                (Some(b'K'), 1)
            }
        }
        b'k' => {
            if next == b'h' {
                (Some(b'X'), 2)
            } else {
                (Some(b'K'), 1)
            }
        }
        b'q' => (Some(b'K'), 1),
        b'g' => {
            if next == b'h' {
                (Some(b'G'), 2)
            } else {
                (Some(b'G'), 1)
            }
        }
        b'x' => (Some(b'X'), 1),
        b'f' | b'v' => (Some(b'F'), 1),
        b'r' => (Some(b'R'), 1),
        b'l' => (Some(b'L'), 1),
        b'm' => (Some(b'M'), 1),
        b'n' => (Some(b'N'), 1),
        _ => (None, 1),
    }
}

/// Coarse class used for candidate keys: classes that spellings confuse
/// share one coarse letter.
pub fn coarse_class(c: u8) -> u8 {
    match c {
        b'T' | b'S' | b'Z' | b'D' | b't' | b'z' => b'T',
        b'K' | b'G' | b'J' | b'Q' | b'q' | b'j' => b'K',
        b'H' | b'X' => b'H',
        b'F' | b'W' => b'F',
        other => other,
    }
}

/// The coarse form of a skeleton (runs collapsed again).
pub fn coarse_skeleton(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    for &b in skeleton.as_bytes() {
        push_class(&mut out, coarse_class(b));
    }
    out
}

/// Substitution cost between two skeleton classes: 0 when equal, 0.35 for
/// classes that spellings of one Arabic letter straddle, 1 otherwise.
pub fn class_substitution_cost(a: u8, b: u8) -> f32 {
    if a == b {
        return 0.0;
    }
    // `Q`: a Latin q in a phonetic key (skeletons write it K). It writes
    // ق, which dialects read g (Qadhafi = Gaddafi), so it meets G at a
    // lower cost than k does; still not free, so that two listed people
    // spelled Qasem and Ghasem stay apart.
    if a == b'Q' || b == b'Q' {
        let other = if a == b'Q' { b } else { a };
        return match other {
            b'K' | b'q' => 0.0,
            b'G' => 0.15,
            _ => class_substitution_cost(b'K', other),
        };
    }
    // Ambiguous Arabic letters (lower-case classes) match each reading.
    let readings = |c: u8| -> &'static [u8] {
        match c {
            b't' => b"TS",
            b'z' => b"DZ",
            b'q' => b"KG",
            b'j' => b"JG",
            _ => b"",
        }
    };
    if readings(a).contains(&b) || readings(b).contains(&a) {
        return 0.0;
    }
    let a = if a.is_ascii_lowercase() {
        readings(a)[0]
    } else {
        a
    };
    let b = if b.is_ascii_lowercase() {
        readings(b)[0]
    } else {
        b
    };
    if a == b {
        return 0.0;
    }
    let pair = if a < b { (a, b) } else { (b, a) };
    match pair {
        (b'S', b'T') | (b'D', b'Z') | (b'D', b'T') | (b'S', b'Z') | (b'C', b'S') => 0.35,
        (b'G', b'J') | (b'G', b'K') | (b'J', b'K') | (b'K', b'X') | (b'G', b'X') => 0.35,
        (b'H', b'X') | (b'F', b'W') | (b'B', b'F') | (b'C', b'J') | (b'C', b'X') => 0.35,
        _ => 1.0,
    }
}

/// Weighted edit distance between two skeletons (insert/delete 1, class
/// substitutions per [`class_substitution_cost`]). Works on short keys; the
/// caller keeps them under 64 bytes.
pub fn skeleton_distance(a: &str, b: &str) -> f32 {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.is_empty() {
        return b.len() as f32;
    }
    if b.is_empty() {
        return a.len() as f32;
    }
    let mut prev = [0f32; 65];
    let mut cur = [0f32; 65];
    let bl = b.len().min(64);
    for (j, p) in prev.iter_mut().enumerate().take(bl + 1) {
        *p = j as f32;
    }
    for (i, &ca) in a.iter().enumerate().take(64) {
        cur[0] = (i + 1) as f32;
        for j in 0..bl {
            let sub = prev[j] + class_substitution_cost(ca, b[j]);
            let del = prev[j + 1] + 1.0;
            let ins = cur[j] + 1.0;
            cur[j + 1] = sub.min(del).min(ins);
        }
        prev[..=bl].copy_from_slice(&cur[..=bl]);
    }
    prev[bl]
}

/// `skeleton_distance(a, b) == 0.0`, in one pass: every insertion or
/// deletion costs 1 and no substitution costs less than 0, so a distance
/// of 0 needs equal lengths (as far as [`skeleton_distance`] reads) and a
/// free substitution at every position.
pub fn same_skeleton(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (a, b) = (&a[..a.len().min(64)], &b[..b.len().min(64)]);
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| class_substitution_cost(x, y) == 0.0)
}

/// Similarity in 0..=1 of two skeletons: `1 - distance / longer length`.
pub fn skeleton_similarity(a: &str, b: &str) -> f32 {
    let m = a.len().max(b.len());
    if m == 0 {
        return 0.0;
    }
    (1.0 - skeleton_distance(a, b) / m as f32).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass test says what the distance says. The letters
        /// are drawn mostly from classes that meet at no cost (t = T or
        /// S, q = K or G, Q = K), so that equal skeletons come up often.
        #[test]
        fn same_skeleton_is_distance_zero(
            a in "[STtDZzKQqGJjB]{0,6}",
            b in "[STtDZzKQqGJjB]{0,6}",
        ) {
            proptest::prop_assert_eq!(same_skeleton(&a, &b), skeleton_distance(&a, &b) == 0.0);
        }
    }

    #[track_caller]
    fn lat(word: &str, expect: &str) {
        assert_eq!(latin_skeleton(word), expect, "skeleton of {word:?}");
    }

    #[test]
    fn non_ascii_bytes_are_skipped_not_sliced() {
        // A multi-byte letter between consonants: stepping byte by byte
        // must neither panic nor read it as a consonant.
        lat("kh\u{e9}dr", "XDR");
        assert_eq!(
            crate::phonetic::latin_key("\u{e9}sh"),
            crate::phonetic::latin_key("sh")
        );
    }

    #[test]
    fn latin_spellings_share_skeletons() {
        for w in ["muhammad", "mohamed", "mohammed", "mouhammed", "mohamad"] {
            lat(w, "MHMD");
        }
        lat("djamel", "JML");
        lat("jamal", "JML");
        lat("chaouki", "CK");
        lat("shawqi", "CK");
        lat("youssef", "YSF");
        lat("yusuf", "YSF");
        lat("khaled", "XLD");
        lat("oualid", "WLD");
        lat("walid", "WLD");
        lat("abdullah", "BDL");
        lat("fatimah", "FTM");
    }

    #[test]
    fn arabic_skeletons_match_latin_ones() {
        assert_eq!(arabic_skeleton("محمد"), "MHMD");
        assert_eq!(arabic_skeleton("يوسف"), "YSF");
        assert_eq!(arabic_skeleton("وليد"), "WLD");
        assert_eq!(arabic_skeleton("خالد"), "XLD");
        assert_eq!(
            skeleton_distance(&arabic_skeleton("فضل"), &latin_skeleton("fazal")),
            0.0
        );
        assert_eq!(
            skeleton_distance(&arabic_skeleton("قادر"), &latin_skeleton("kader")),
            0.0
        );
        assert_eq!(
            skeleton_distance(&arabic_skeleton("جمال"), &latin_skeleton("gamal")),
            0.0
        );
        assert_eq!(arabic_skeleton("فاطمة"), "FTM");
        assert_eq!(arabic_skeleton("طه"), "T");
    }

    #[test]
    fn confusable_classes_are_close() {
        assert!(skeleton_similarity("TMN", "SMN") > 0.85); // Othman / Osman
        assert!(skeleton_similarity("JML", "GML") > 0.85); // Jamal / Gamal
        assert!(skeleton_similarity("XDR", "XR") < 0.7);
        assert_eq!(coarse_skeleton("TMN"), coarse_skeleton("SMN"));
    }
}
