//! `tansiq mrz`: decode and check a machine readable zone.

use anyhow::Result;
use tansiq_travel::{Mrz, PartialDate, parse_mrz};

#[derive(Debug, clap::Args)]
pub struct MrzArgs {
    /// The MRZ lines (2 or 3), each as one argument.
    #[arg(required = true, num_args = 1..=3)]
    pub lines: Vec<String>,
    /// Print JSON instead of text (with `"expired": true|false`).
    #[arg(long)]
    pub json: bool,
}

/// Today as a full date, for the two-digit-year window of MRZ dates.
pub fn today_date() -> PartialDate {
    crate::today()
        .parse()
        .expect("today() is always a full ISO date")
}

/// Decodes MRZ lines; the error says why the input is not an MRZ.
pub fn decode(lines: &[String]) -> Result<Mrz, tansiq_travel::TravelError> {
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    if refs.len() == 1 {
        return tansiq_travel::parse_mrz_text(refs[0], today_date());
    }
    parse_mrz(&refs, today_date())
}

/// Exit code: 0 every check passes, 1 a check digit fails, 2 not an MRZ,
/// 3 every check passes but the document has expired.
pub fn run(args: MrzArgs) -> Result<i32> {
    let mrz = match decode(&args.lines) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(2);
        }
    };
    let expired = mrz.is_expired(today_date());
    if args.json {
        let mut v = serde_json::to_value(&mrz)?;
        v["expired"] = serde_json::Value::Bool(expired);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{mrz}");
        if expired {
            println!(
                "EXPIRED: the document expired on {} (today is {})",
                mrz.expiry_date
                    .date
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                crate::today()
            );
        }
    }
    if !mrz.all_checks_pass() {
        for c in mrz.failed_checks() {
            eprintln!("check digit failed: {}", c.field.as_str());
        }
        Ok(1)
    } else if expired {
        Ok(3)
    } else {
        Ok(0)
    }
}
