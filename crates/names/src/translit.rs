//! Arabic-script to Latin transliteration with our own rule table.
//!
//! The output is a readable, English-leaning spelling used for display,
//! explanations and string similarity; matching across scripts relies on
//! the consonant skeleton ([`crate::skeleton`]), which does not depend on
//! the vowels this step has to guess. Rules, beyond the letter table:
//!
//! - و and ي are consonants (`w`, `y`) word-initially and between two
//!   vowel letters, long vowels (`u`, `i`) elsewhere; ى and ة are `a`.
//! - The article ال is written `al` and assimilates before sun letters
//!   (`ar-rahman`); a word that is only the article is `al`.
//! - الله is `allah`.
//! - Short vowels are not written in Arabic and are not guessed here:
//!   a guess is wrong as often as right (`muhammad`, `mahmud`, `mihmad`),
//!   and every comparison that matters uses the skeleton.

/// Latin rendering of one Arabic consonant or long-vowel letter, without
/// context.
fn letter(c: char) -> &'static str {
    match c {
        'ا' | 'ى' | 'ة' => "a",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' | 'ٹ' => "t",
        'ث' => "th",
        'ج' => "j",
        'چ' => "ch",
        'ژ' => "zh",
        'ح' | 'ه' => "h",
        'خ' => "kh",
        'د' | 'ض' | 'ڈ' => "d",
        'ذ' => "dh",
        'ر' | 'ڑ' => "r",
        'ز' | 'ظ' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'غ' => "gh",
        'گ' => "g",
        'ف' | 'ڤ' => "f",
        'ق' => "q",
        'ك' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' | 'ں' => "n",
        'و' => "u",
        'ي' => "i",
        // ʿayn and hamza: not written (lists drop or vary them)
        _ => "",
    }
}

fn is_long_vowel_letter(c: char) -> bool {
    matches!(c, 'ا' | 'و' | 'ي' | 'ى' | 'ة')
}

/// Sun letters: the article's l assimilates to them.
pub fn is_sun_letter(c: char) -> bool {
    matches!(
        c,
        'ت' | 'ث' | 'د' | 'ذ' | 'ر' | 'ز' | 'س' | 'ش' | 'ص' | 'ض' | 'ط' | 'ظ' | 'ل' | 'ن'
    )
}

/// Transliterates one normalised Arabic-script word (without the article)
/// to lower-case ASCII.
pub fn transliterate_word(word: &str) -> String {
    if word == "الله" {
        return "allah".to_string();
    }
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(n * 2);
    for (i, &c) in chars.iter().enumerate() {
        let prev_vowel = i > 0 && is_long_vowel_letter(chars[i - 1]);
        let next_vowel = i + 1 < n && is_long_vowel_letter(chars[i + 1]);
        match c {
            'و' => {
                // consonant w: word-initial, between vowels, before alef,
                // or the second of وو
                if i == 0
                    || (prev_vowel && (next_vowel || i + 1 == n))
                    || (next_vowel && chars[i + 1] == 'ا')
                    || out.ends_with('u')
                {
                    out.push('w');
                } else {
                    out.push('u');
                }
            }
            'ي' => {
                if i == 0
                    || (prev_vowel && next_vowel)
                    || (next_vowel && chars[i + 1] == 'ا')
                    || out.ends_with('i')
                {
                    out.push('y');
                } else {
                    out.push('i');
                }
            }
            'ا' => {
                // alef after a word-initial consonant-less position or a
                // vowel is written once
                if !out.ends_with('a') {
                    out.push('a');
                }
            }
            _ => out.push_str(letter(c)),
        }
    }
    out
}

/// Transliterates a normalised Arabic-script word that may carry the
/// article, writing the article with sun-letter assimilation.
pub fn transliterate_with_article(word: &str) -> String {
    if let Some(rest) = word.strip_prefix("ال")
        && rest.chars().count() >= 2
        && word != "الله"
    {
        let first = rest.chars().next().unwrap_or('ا');
        let body = transliterate_word(rest);
        if is_sun_letter(first) && first != 'ل' {
            let cons: String = letter(first).chars().take(1).collect();
            return format!("a{cons}-{body}");
        }
        return format!("al-{body}");
    }
    transliterate_word(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(ar: &str, expect: &str) {
        assert_eq!(
            transliterate_with_article(ar),
            expect,
            "transliterating {ar}"
        );
    }

    #[test]
    fn rules() {
        check("الرحمن", "ar-rhmn");
        check("القادر", "al-qadr");
        check("يوسف", "yusf");
        check("وليد", "wlid");
        check("الله", "allah");
        check("فاطمة", "fatma");
        check("داود", "daud");
        check("مصطفى", "mstfa");
    }
}
