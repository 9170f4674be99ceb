//! Property tests of the MRZ parser and encoder: what the encoder writes the
//! parser reads back identically; a changed digit in a protected field fails
//! that field's check; no input makes the parser panic.

use proptest::prelude::*;
use tansiq_model::PartialDate;
use tansiq_travel::{MrzField, MrzFields, MrzFormat, Sex, encode_mrz, parse_mrz};

fn today() -> PartialDate {
    PartialDate::ymd(2026, 11, 29).unwrap()
}

fn words(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Z]{1,6}", 1..=max_words).prop_map(|w| w.join(" "))
}

fn date() -> impl Strategy<Value = String> {
    (0u8..100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn fields() -> impl Strategy<Value = MrzFields> {
    let format = prop_oneof![
        Just(MrzFormat::Td1),
        Just(MrzFormat::Td2),
        Just(MrzFormat::Td3),
        Just(MrzFormat::MrvA),
        Just(MrzFormat::MrvB),
    ];
    (
        format,
        "[A-Z]{0,1}",
        "[A-Z]{1,3}",
        words(2),
        prop_oneof![Just(String::new()), words(2)],
        "[A-Z0-9]{1,12}",
        "[A-Z]{1,3}",
        date(),
        prop_oneof![Just(Sex::Female), Just(Sex::Male), Just(Sex::Unspecified)],
        date(),
        "[A-Z0-9]{0,16}",
        "[A-Z0-9]{0,11}",
    )
        .prop_map(
            |(format, code2, state, sur, given, number, nat, birth, sex, expiry, opt, opt2)| {
                let first = match format {
                    MrzFormat::MrvA | MrzFormat::MrvB => "V",
                    MrzFormat::Td3 => "P",
                    _ => "I",
                };
                MrzFields {
                    format,
                    document_code: format!("{first}{code2}"),
                    issuing_state: state,
                    surname: sur,
                    given_names: given,
                    document_number: number,
                    nationality: nat,
                    birth_date: birth,
                    sex,
                    expiry_date: expiry,
                    optional_data: opt,
                    optional_data_2: if format == MrzFormat::Td1 {
                        opt2
                    } else {
                        String::new()
                    },
                }
            },
        )
}

fn parse(lines: &[String]) -> tansiq_travel::Mrz {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    parse_mrz(&refs, today()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encoder_output_reads_back_identically(f in fields()) {
        // Fields that do not fit the format are refused by the encoder, not
        // silently cut.
        let Ok(lines) = encode_mrz(&f) else { return Ok(()) };
        let m = parse(&lines);
        prop_assert!(m.all_checks_pass(), "{:?} {:?}", lines, m.checks);
        prop_assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
        prop_assert_eq!(m.format, f.format);
        prop_assert_eq!(m.fields(), f);
        prop_assert_eq!(m.to_lines(), lines);
    }

    #[test]
    fn changed_digit_fails_its_own_check(f in fields(), pick in any::<prop::sample::Index>(), d in 0u8..10) {
        let Ok(lines) = encode_mrz(&f) else { return Ok(()) };
        let protected: Vec<(MrzField, usize, std::ops::Range<usize>)> = match f.format {
            MrzFormat::Td1 => vec![
                (MrzField::BirthDate, 1, 0..7),
                (MrzField::ExpiryDate, 1, 8..15),
            ],
            _ => vec![
                (MrzField::BirthDate, 1, 13..20),
                (MrzField::ExpiryDate, 1, 21..28),
            ],
        };
        let mut targets: Vec<(MrzField, usize, usize)> = protected
            .iter()
            .flat_map(|(field, line, cols)| cols.clone().map(move |c| (*field, *line, c)))
            .collect();
        // Digits of a document number that does not overflow (with its own check digit).
        let (nl, ncols) = if f.format == MrzFormat::Td1 { (0, 5..15) } else { (1, 0..10) };
        if f.document_number.len() <= 9 {
            for c in ncols {
                if lines[nl].as_bytes()[c].is_ascii_digit() {
                    targets.push((MrzField::DocumentNumber, nl, c));
                }
            }
        }
        let (field, line, col) = targets[pick.index(targets.len())];
        let orig = lines[line].as_bytes()[col];
        let digit = b'0' + d;
        prop_assume!(digit != orig);
        let mut bad = lines.clone();
        let mut row = bad[line].clone().into_bytes();
        row[col] = digit;
        bad[line] = String::from_utf8(row).unwrap();
        let m = parse(&bad);
        let failed: Vec<MrzField> = m.failed_checks().map(|c| c.field).collect();
        prop_assert!(failed.contains(&field), "{:?} {:?}", bad, failed);
    }

    #[test]
    fn never_panics_on_arbitrary_lines(lines in prop::collection::vec("[A-Z0-9<a-z ]{0,46}|.{0,46}", 0..4)) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let _ = parse_mrz(&refs, today());
    }

    #[test]
    fn never_panics_on_damaged_mrz(f in fields(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), "[A-Z0-9<]"), 1..8)) {
        let Ok(mut lines) = encode_mrz(&f) else { return Ok(()) };
        for (l, c, ch) in edits {
            let li = l.index(lines.len());
            let mut row = lines[li].clone().into_bytes();
            let ci = c.index(row.len());
            row[ci] = ch.as_bytes()[0];
            lines[li] = String::from_utf8(row).unwrap();
        }
        let m = parse(&lines);
        // Whatever the damage, every check of the format is still reported.
        prop_assert!(m.checks.len() >= 3);
        let _ = m.traveller();
        let _ = m.to_lines();
    }
}
