//! The console's optional second factor: time-based one-time passwords
//! (TOTP, RFC 6238), as every authenticator app speaks them (HMAC-SHA-1,
//! 6 digits, 30-second steps), and the enrolment's QR code.
//!
//! Key design decision: the code arithmetic is `totp-rs` (a maintained,
//! RFC-tested implementation) and the QR code `qrcode` rendered as inline
//! SVG by the node, so nothing is fetched from outside and no image crate
//! is pulled in; the secret comes from the same `rand` as session tokens.
//! What the crates leave to the caller is done here and in the store: a
//! code is accepted at most once (the store takes its time step
//! atomically, `Store::take_totp_step`), and failed codes count towards
//! the same lock-out as failed passwords (`session::sign_in_code`).

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Digits of a code (RFC 4226 allows 6 to 8; apps default to 6).
pub const DIGITS: u8 = 6;
/// Seconds per time step (RFC 6238's recommended value; apps assume it).
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the server's clock: RFC 6238 §5.2
/// recommends at most one (a phone a little fast or slow, a code typed
/// as it turned over).
pub const SKEW_STEPS: u16 = 1;
/// Bytes of a new secret: 160 bits, RFC 4226 §4's recommended length.
pub const SECRET_BYTES: usize = 20;
/// The issuer the authenticator app shows beside the account.
pub const ISSUER: &str = "tansiq";

/// A new random secret, base32 without padding (what apps take typed).
pub fn new_secret() -> String {
    let mut b = [0u8; SECRET_BYTES];
    rand::fill(&mut b[..]);
    Secret::new_stack(b).to_base32()
}

/// The generator of `secret` (base32) for `account` on node `node`;
/// `None` when the stored secret does not decode.
pub fn generator(secret: &str, node: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    // `:` separates issuer from account in an otpauth label.
    let clean = |s: &str| s.replace(':', "-");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(SKEW_STEPS)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .with_issuer(Some(format!("{ISSUER} {}", clean(node))))
        .with_account_name(clean(account))
        .build()
        .ok()
}

/// The time step a `code` is valid for at `now` (unix seconds), within
/// [`SKEW_STEPS`]; `None` when it is valid for none. Spaces in the code
/// are ignored (apps show `123 456`).
pub fn step_of(t: &Totp, code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.check(&code, now).and_then(|s| i64::try_from(s).ok())
}

/// The code for `now` (tests and the demo's own checks).
pub fn code_at(t: &Totp, now: u64) -> String {
    t.generate(now).to_string()
}

/// The `otpauth://totp/…` URI an app imports.
pub fn uri(t: &Totp) -> String {
    t.to_url().unwrap_or_default()
}

/// The secret grouped by four characters, as a person types it.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Smallest side of the QR code in CSS pixels (readable by a phone held
/// at arm's length from a desk screen).
const QR_MIN_PIXELS: u32 = 200;

/// The QR code of `text` as an inline `<svg>` element labelled `label`
/// (black on white, a quiet zone included), built by the node.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let xml = code
        .render::<svg::Color>()
        .min_dimensions(QR_MIN_PIXELS, QR_MIN_PIXELS)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    // Inline in HTML: no XML declaration; an image with a name.
    let start = xml.find("<svg")?;
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Some(xml[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_follow_rfc_6238() {
        let t = generator(RFC_KEY, "demo", "amel").unwrap();
        // Appendix B (8 digits) keeps its last 6 here: 94287082 → 287082.
        assert_eq!(code_at(&t, 59), "287082");
        assert_eq!(code_at(&t, 1_111_111_109), "081804");
        assert_eq!(code_at(&t, 1_234_567_890), "005924");
        assert_eq!(step_of(&t, "287082", 59), Some(1));
        assert_eq!(step_of(&t, "287 082", 59), Some(1), "spaces ignored");
        // One step either side, not two.
        assert_eq!(step_of(&t, "287082", 59 + 30), Some(1));
        assert_eq!(step_of(&t, "287082", 59 + 60), None);
        assert_eq!(step_of(&t, "28708", 59), None);
        assert_eq!(step_of(&t, "abcdef", 59), None);
    }

    #[test]
    fn new_secrets_are_long_random_base32() {
        let a = new_secret();
        assert_eq!(a.len(), 32, "160 bits in base32 without padding");
        assert!(a.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7')));
        assert_ne!(a, new_secret());
        assert!(generator(&a, "demo", "amel").is_some());
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn the_uri_and_qr_code_carry_the_secret() {
        let t = generator(RFC_KEY, "dz:1", "amel").unwrap();
        let u = uri(&t);
        assert!(u.starts_with("otpauth://totp/"), "{u}");
        assert!(u.contains(&format!("secret={RFC_KEY}")), "{u}");
        assert!(u.contains("amel"), "{u}");
        let svg = qr_svg(&u, "QR \"code\"").unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR &quot;code&quot;\""));
        assert!(!svg.contains("<?xml") && svg.ends_with("</svg>"));
    }
}
