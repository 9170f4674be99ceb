use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// A calendar date known to year, month or day precision (`1971`,
/// `1971-03`, `1971-03-14`), as FollowTheMoney writes dates.
///
/// Invariant: `day.is_some()` implies `month.is_some()`; month is 1..=12 and
/// day is valid for that month (leap years included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    pub fn year(year: u16) -> PartialDate {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// A full date; `None` when the day does not exist.
    pub fn ymd(year: u16, month: u8, day: u8) -> Option<PartialDate> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        })
    }

    /// Year and month; `None` when the month is out of range.
    pub fn ym(year: u16, month: u8) -> Option<PartialDate> {
        (1..=12).contains(&month).then_some(PartialDate {
            year,
            month: Some(month),
            day: None,
        })
    }

    pub fn get_year(&self) -> u16 {
        self.year
    }
    pub fn get_month(&self) -> Option<u8> {
        self.month
    }
    pub fn get_day(&self) -> Option<u8> {
        self.day
    }

    /// True when both dates can be the same day: they agree on every part
    /// that both of them know.
    pub fn compatible(&self, other: &PartialDate) -> bool {
        self.year == other.year && agree(self.month, other.month) && agree(self.day, other.day)
    }

    /// True when the date is known to the day.
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }
}

fn agree(a: Option<u8>, b: Option<u8>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for PartialDate {
    type Err = ModelError;

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a time part after `T` is
    /// ignored (FtM sometimes carries timestamps).
    fn from_str(s: &str) -> Result<PartialDate, ModelError> {
        let err = |reason| ModelError::InvalidDate {
            value: s.to_string(),
            reason,
        };
        let date = s.trim().split('T').next().unwrap_or("");
        let mut parts = date.split('-');
        let num = |p: Option<&str>, len: usize| -> Result<Option<u32>, ModelError> {
            match p {
                None => Ok(None),
                Some(p) if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(p.parse().map_err(|_| err("not a number"))?))
                }
                Some(_) => Err(err("expected YYYY, YYYY-MM or YYYY-MM-DD")),
            }
        };
        let year = num(parts.next(), 4)?.ok_or_else(|| err("empty"))?;
        let month = num(parts.next(), 2)?;
        let day = num(parts.next(), 2)?;
        if parts.next().is_some() {
            return Err(err("expected YYYY, YYYY-MM or YYYY-MM-DD"));
        }
        if year == 0 {
            return Err(err("year 0000"));
        }
        let year = year as u16;
        match (month, day) {
            (None, _) => Ok(PartialDate::year(year)),
            (Some(m), None) => {
                PartialDate::ym(year, m as u8).ok_or_else(|| err("month out of range"))
            }
            (Some(m), Some(d)) => {
                PartialDate::ymd(year, m as u8, d as u8).ok_or_else(|| err("no such day"))
            }
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[track_caller]
    fn check(input: &str, expect: Option<&str>) {
        let got = input.parse::<PartialDate>().ok().map(|d| d.to_string());
        assert_eq!(got.as_deref(), expect, "parsing {input:?}");
    }

    #[test]
    fn parses_precisions() {
        check("1971", Some("1971"));
        check("1971-03", Some("1971-03"));
        check("1971-03-14", Some("1971-03-14"));
        check("1971-03-14T00:00:00", Some("1971-03-14"));
        check("2000-02-29", Some("2000-02-29"));
        check("1900-02-29", None);
        check("1971-13", None);
        check("1971-3", None);
        check("71", None);
        check("", None);
        check("abcd", None);
        check("1971-01-01-01", None);
    }

    #[test]
    fn compatibility_at_common_precision() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(d("1971").compatible(&d("1971-03-14")));
        assert!(d("1971-03").compatible(&d("1971-03-14")));
        assert!(!d("1971-04").compatible(&d("1971-03-14")));
        assert!(!d("1972").compatible(&d("1971")));
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(y in 1u16..=9999, m in 1u8..=12, d in 1u8..=31) {
            if let Some(date) = PartialDate::ymd(y, m, d) {
                prop_assert_eq!(date.to_string().parse::<PartialDate>().unwrap(), date);
            }
            let ym = PartialDate::ym(y, m).unwrap();
            prop_assert_eq!(ym.to_string().parse::<PartialDate>().unwrap(), ym);
        }

        #[test]
        fn never_panics(s in ".{0,16}") {
            let _ = s.parse::<PartialDate>();
        }
    }
}
