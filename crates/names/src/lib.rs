//! Name normalisation, Arabic-to-Latin transliteration, tokenisation into
//! Arabic name units, and comparison keys, for matching names across
//! scripts and transliteration conventions. Pure: no I/O.
//!
//! Key design decision: the bridge between scripts is a **consonant
//! skeleton** computed the same way from Arabic letters and from Latin
//! spellings (`محمد`, `Muhammad`, `Mohamed` -> `MHMD`), not a single
//! "correct" transliteration. Arabic script does not write short vowels, so
//! any transliteration has to guess them; the skeleton never needs to. The
//! trade-off: a skeleton throws away vowel information that separates some
//! names (`Ali`/`Ela`), so the matcher combines it with string similarity
//! on Latin spellings and with token rarity. Transliteration (our own rule
//! table, see `NAMES.md`) is still produced for display and explanations.
//!
//! ```
//! use tansiq_names::{tokenize, UnitKind};
//! use tansiq_names::skeleton_distance;
//! let a = tokenize("عبد القادر بن محمد");
//! let b = tokenize("Abdelkader Ben Mohamed");
//! assert_eq!(a[0].kind, UnitKind::Abd);
//! // BDqDR: ق reads as K or G, so it meets Latin BDKDR at distance 0
//! assert_eq!(skeleton_distance(&a[0].skeleton, &b[0].skeleton), 0.0);
//! assert_eq!(a[1].skeleton, b[1].skeleton); // MHMD
//! assert!(b[1].nasab);
//! ```

pub mod concepts;
pub mod normalize;
pub mod phonetic;
pub mod skeleton;
pub mod tokens;
pub mod translit;

pub use concepts::Concept;
pub use normalize::{Script, normalize};
pub use phonetic::{join_keys, key_similarity, key_similarity_at_least, key_similarity_beyond};
pub use skeleton::{coarse_skeleton, same_skeleton, skeleton_distance, skeleton_similarity};
pub use tokens::{
    MAX_TOKENS, Token, UnitKind, Variant, VariantKind, acronyms, arabic_readings, tokenize,
    tokenize_normalized,
};
pub use translit::{transliterate_with_article, transliterate_word};

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NamesError {
    /// A line of a transliteration pair file did not have two
    /// tab-separated fields.
    #[error("line {line}: expected `arabic<TAB>latin`, found {found:?}")]
    BadPairLine { line: usize, found: String },
}

/// Reads `arabic<TAB>latin` pairs (one a line; blank lines skipped), as in
/// transliteration test sets.
pub fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, NamesError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split('\t');
        match (parts.next(), parts.next()) {
            (Some(a), Some(l)) if !a.trim().is_empty() && !l.trim().is_empty() => {
                out.push((a.trim().to_string(), l.trim().to_string()))
            }
            _ => {
                return Err(NamesError::BadPairLine {
                    line: i + 1,
                    found: line.to_string(),
                });
            }
        }
    }
    Ok(out)
}
