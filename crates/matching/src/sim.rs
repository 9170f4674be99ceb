//! String similarity on short ASCII token texts, without allocation.

/// Levenshtein distance on bytes (texts are folded ASCII). Strings longer
/// than 63 bytes are compared on their first 63 bytes.
pub fn levenshtein(a: &[u8], b: &[u8]) -> usize {
    let a = &a[..a.len().min(63)];
    let b = &b[..b.len().min(63)];
    if a.is_empty() {
        return b.len();
    }
    if b.is_empty() {
        return a.len();
    }
    let mut row = [0usize; 64];
    for (j, r) in row.iter_mut().enumerate().take(b.len() + 1) {
        *r = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (diag + cost).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}

/// Normalised Levenshtein similarity: `1 - d / max(len)`.
pub fn levenshtein_similarity(a: &[u8], b: &[u8]) -> f32 {
    let m = a.len().max(b.len()).min(63);
    if m == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f32 / m as f32
}

/// Jaro-Winkler similarity on bytes (prefix scale 0.1, prefix up to 4,
/// boost above a Jaro similarity of 0.7).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f32 {
    let a = &a[..a.len().min(64)];
    let b = &b[..b.len().min(64)];
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = [false; 64];
    let mut b_match = [false; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f32;
    let jaro =
        (m / a.len() as f32 + m / b.len() as f32 + (m - (transpositions / 2) as f32) / m) / 3.0;
    // Winkler's prefix boost applies only above the usual 0.7 threshold.
    if jaro < 0.7 {
        return jaro;
    }
    let prefix = a
        .iter()
        .zip(b.iter())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count();
    jaro + prefix as f32 * 0.1 * (1.0 - jaro)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(levenshtein(b"kitten", b"sitting"), 3);
        assert_eq!(levenshtein(b"", b"abc"), 3);
        assert!((jaro_winkler(b"martha", b"marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"dixon", b"dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler(b"abc", b"abc"), 1.0);
    }

    proptest::proptest! {
        #[test]
        fn agree_with_strsim_oracle(a in "[a-e]{0,12}", b in "[a-e]{0,12}") {
            proptest::prop_assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), strsim::levenshtein(&a, &b));
            let jw = jaro_winkler(a.as_bytes(), b.as_bytes());
            let oracle = strsim::jaro_winkler(&a, &b) as f32;
            proptest::prop_assert!((jw - oracle).abs() < 1e-4, "{} vs {}", jw, oracle);
        }
    }
}
