//! Two-factor login's secrets and codes: TOTP (RFC 6238: SHA-1, six digits, 30-second steps,
//! one step of clock drift either way, as every authenticator app reads an `otpauth://` QR
//! code), single-use recovery codes, and the QR code itself, drawn as SVG on the server.

use crate::auth::token_hash;
use crate::error::{ApiError, ApiResult};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use totp_rs::{Builder, Secret, Totp};

/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be misread for one another (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const STEP_SECONDS: i64 = 30;

/// A fresh 160-bit secret (RFC 4226 §4 recommends 160), base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes.to_vec()).to_base32()
}

fn authenticator(secret: &str, account: &str, issuer: &str) -> ApiResult<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(|e| {
        ApiError::internal(format!("a stored two-factor secret is unreadable: {e:?}"))
    })?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', " "))
        .with_issuer(Some(issuer.replace(':', " ")))
        .build()
        .map_err(|e| ApiError::internal(format!("two-factor authenticator: {e:?}")))
}

/// The `otpauth://totp/…` address an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &str, account: &str, issuer: &str) -> ApiResult<String> {
    authenticator(secret, account, issuer)?
        .to_url()
        .map_err(|e| ApiError::internal(format!("two-factor address: {e:?}")))
}

/// The QR code of an address, as an `<svg>` element to put in a page.
pub fn qr_svg(uri: &str) -> ApiResult<String> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ApiError::internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // The XML declaration has no place inside an HTML page.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

/// What a person typed as its second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, in the form it is stored under (lower case, no separators).
    Recovery(String),
}

impl SecondFactorCode {
    /// Read a code as typed: spaces and dashes are ignored, letters in any case.
    pub fn parse(raw: &str) -> Result<SecondFactorCode, String> {
        let clean: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        if clean.is_empty() {
            return Err(
                "enter the six-digit code from your authenticator app, or a recovery code".into(),
            );
        }
        if clean.len() == 6 && clean.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(SecondFactorCode::Totp(clean));
        }
        if clean.len() == 10 && clean.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return Ok(SecondFactorCode::Recovery(clean));
        }
        Err(
            "a code is six digits from your authenticator app, or a recovery code like abcde-fghjk"
                .into(),
        )
    }

    /// The code from a request's `code` field, or an error naming that field.
    pub fn from_field(raw: &str) -> ApiResult<SecondFactorCode> {
        SecondFactorCode::parse(raw).map_err(|m| ApiError::invalid("code", format!("code: {m}")))
    }
}

/// The 30-second step a six-digit code is valid for now (one step of drift either way).
pub fn totp_step(secret: &str, code: &str, now: i64) -> ApiResult<Option<i64>> {
    let totp = authenticator(secret, "-", "-")?;
    let now = u64::try_from(now).unwrap_or(0);
    Ok(totp
        .check(code, now)
        .and_then(|step| i64::try_from(step).ok()))
}

/// The code an authenticator shows at a time (for tests and the command line).
pub fn totp_code(secret: &str, at: i64) -> ApiResult<String> {
    let totp = authenticator(secret, "-", "-")?;
    Ok(totp.generate(u64::try_from(at).unwrap_or(0)).to_string())
}

/// The step a time falls in.
pub fn step_of(at: i64) -> i64 {
    at.div_euclid(STEP_SECONDS)
}

/// A new set of recovery codes, as shown to the user (`abcde-fghjk`).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let letters: String = bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

/// What is stored for a recovery code (as parsed, so that however it is typed it matches).
pub fn recovery_hash(normalised: &str) -> String {
    token_hash(&format!("switchboard-recovery:{normalised}"))
}

/// The hashes of codes as shown.
pub fn recovery_hashes(codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|c| match SecondFactorCode::parse(c) {
            Ok(SecondFactorCode::Recovery(n)) => Some(recovery_hash(&n)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_6238_vectors() {
        // RFC 6238 Appendix B, SHA-1, secret "12345678901234567890", truncated to six digits.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp_code(&secret, time).unwrap(), code, "at {time}");
            assert_eq!(totp_step(&secret, code, time).unwrap(), Some(step_of(time)));
        }
    }

    #[test]
    fn drift_of_one_step_only() {
        let secret = new_secret();
        let code = totp_code(&secret, 1_000_000).unwrap();
        assert!(totp_step(&secret, &code, 1_000_030).unwrap().is_some());
        assert!(totp_step(&secret, &code, 1_000_000 - 30).unwrap().is_some());
        assert!(totp_step(&secret, &code, 1_000_090).unwrap().is_none());
    }

    #[test]
    fn recovery_codes_parse_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(recovery_hashes(&codes).len(), RECOVERY_CODES);
        let typed = codes[0].to_uppercase().replace('-', " ");
        assert_eq!(
            SecondFactorCode::parse(&typed).unwrap(),
            SecondFactorCode::Recovery(codes[0].replace('-', ""))
        );
        assert!(SecondFactorCode::parse("").is_err());
        assert!(SecondFactorCode::parse("12345").is_err());
        assert!(SecondFactorCode::parse("0000000000").is_err());
        assert_eq!(
            SecondFactorCode::parse(" 123 456 ").unwrap(),
            SecondFactorCode::Totp("123456".into())
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_element() {
        let uri = otpauth_uri(&new_secret(), "101@acme.example", "Switchboard").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Switchboard:101%40acme.example?"),
            "{uri}"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(raw in "\\PC{0,40}") {
            let _ = SecondFactorCode::parse(&raw);
        }
    }
}
