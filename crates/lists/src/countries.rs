//! Countries as the lists write them: the one reading of a country is
//! [`tansiq_model::country`]; what is particular to lists is the values
//! they write to say "no country".

use tansiq_model::country::fold;
pub use tansiq_model::country::{code, code_or_name, country_code};

/// Values that lists write to say "no value" rather than a country.
pub(crate) fn is_placeholder(value: &str) -> bool {
    // Every placeholder is short; long free text is never one.
    if value.len() > 24 {
        return false;
    }
    matches!(
        fold(value).as_str(),
        "" | "na" | "n a" | "unknown" | "none" | "none identified" | "not available" | "stateless"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(is_placeholder("na"));
        assert!(is_placeholder(" N/A "));
        assert!(is_placeholder("None identified"));
        assert!(!is_placeholder("Namibia"));
        assert_eq!(country_code("na"), None);
    }
}
