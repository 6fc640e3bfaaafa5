//! Phone numbers and call targets: what people type or paste, made canonical.
//!
//! Inside Dialtone a phone number is always E.164 (`+14155550123`). Each provider
//! converts at its edge ([`PhoneNumber::fractel`], [`PhoneNumber::digits`]). Parsing
//! is done by the `phonenumber` crate (a libphonenumber port), pinned to a version
//! with the fix for its crafted-input panics (GHSA-whhr-7f2w-qqj2); a parse that
//! panics all the same is caught here and reported as a bad number, never a crash.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Anything longer than this is not a phone number, and is refused before parsing.
const MAX_INPUT: usize = 64;

/// A region code checked against the numbering plans we know, upper-cased (`gb` → `GB`).
pub fn check_region(code: &str) -> Result<String> {
    let upper = code.trim().to_ascii_uppercase();
    match phonenumber::country::Id::from_str(&upper) {
        Ok(_) => Ok(upper),
        Err(_) => Err(Error::invalid_input(format!(
            "“{}” is not a region we know; use a two-letter country code such as US or GB.",
            truncate(code)
        ))),
    }
}

/// A valid phone number, held as E.164.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PhoneNumber {
    e164: String,
    country_code: u16,
    /// The national significant number, leading zeros included (Italy keeps them).
    national: String,
}

impl PhoneNumber {
    /// Parses what a person typed or pasted: formatting, `tel:` and vanity letters are
    /// fine; numbers without `+` are read in `region` (ISO 3166 code, e.g. "US").
    pub fn parse(input: &str, region: Option<&str>) -> Result<Self> {
        let shown = input.trim();
        let bad =
            |why: &str| Error::invalid_input(format!("“{}” is not a phone number we can call: {why}", truncate(shown)));
        if shown.len() > MAX_INPUT {
            return Err(bad("it is too long"));
        }
        let body = strip_scheme(shown);
        let body = body.split(';').next().unwrap_or_default(); // tel: parameters (;ext=, ;phone-context=)
        let dialable = vanity_to_digits(body);
        if !dialable.chars().any(|c| c.is_ascii_digit()) {
            return Err(bad("it has no digits"));
        }
        let region_id = match region {
            Some(code) => Some(
                phonenumber::country::Id::from_str(&check_region(code)?)
                    .map_err(|_| Error::internal("region was checked"))?,
            ),
            None => None,
        };
        let text = dialable.clone();
        let parsed = std::panic::catch_unwind(move || phonenumber::parse(region_id, &text))
            .map_err(|_| bad("it could not be read"))?
            .map_err(|_| {
                if dialable.starts_with('+') || region.is_some() {
                    bad("it does not look like a phone number")
                } else {
                    bad("start it with + and the country code, or set your default region")
                }
            })?;
        if !std::panic::catch_unwind(|| parsed.is_valid()).unwrap_or(false) {
            return Err(match region {
                Some(code) if !dialable.starts_with('+') => Error::invalid_input(format!(
                    "“{}” is not a valid number in region {}: check the digits, or start it with + and the country code",
                    truncate(shown),
                    code.to_ascii_uppercase()
                )),
                _ => bad("check the digits and the country code"),
            });
        }
        let country_code = parsed.code().value();
        let national = format!("{}{}", "0".repeat(usize::from(parsed.national().zeros())), parsed.national().value());
        Ok(Self { e164: format!("+{country_code}{national}"), country_code, national })
    }

    /// `+14155550123`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The E.164 digits without `+`, for providers that want none (Plivo, Vonage).
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// Fractel's form: `1` + 10 digits inside the North American plan, else `011` +
    /// country code + number.
    pub fn fractel(&self) -> String {
        if self.country_code == 1 {
            format!("1{}", self.national)
        } else {
            format!("011{}{}", self.country_code, self.national)
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

impl From<PhoneNumber> for String {
    fn from(number: PhoneNumber) -> String {
        number.e164
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value, None)
    }
}

/// How a number being typed reads: for the dialpad's live display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NumberPreview {
    /// `+14155550123`, when the text is a valid number.
    pub e164: Option<String>,
    /// `+1 415-555-0123`: the number written for people, in its country's style.
    pub international: Option<String>,
    /// Why it is not a number we can call yet, in plain words.
    pub problem: Option<String>,
}

/// Reads a number as it is being typed (in `region` when it has no `+`).
pub fn preview(input: &str, region: Option<&str>) -> NumberPreview {
    match PhoneNumber::parse(input, region) {
        Ok(number) => {
            // Formatting re-parses the canonical form, which is known to be valid.
            let international = std::panic::catch_unwind(|| {
                phonenumber::parse(None, number.e164())
                    .ok()
                    .map(|n| n.format().mode(phonenumber::Mode::International).to_string())
            })
            .ok()
            .flatten();
            NumberPreview { e164: Some(number.e164().to_owned()), international, problem: None }
        }
        Err(err) => NumberPreview { e164: None, international: None, problem: Some(err.message) },
    }
}

/// Whom to call: a phone number, an email address (FaceTime), or a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Phone(PhoneNumber),
    Email(String),
    Sip(String),
}

impl Target {
    /// Reads a number as typed, a `tel:`, `callto:`, `facetime:`, `facetime-audio:` or
    /// `sip:` URI, or an email address.
    pub fn parse(input: &str, region: Option<&str>) -> Result<Self> {
        let text = input.trim();
        if text.is_empty() {
            return Err(Error::invalid_input("Type a number or an email address to call."));
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("sip:") || lower.starts_with("sips:") {
            return Ok(Self::Sip(text.to_owned()));
        }
        let body = strip_scheme(text);
        if body.contains('@') {
            return parse_email(body).map(Self::Email);
        }
        PhoneNumber::parse(text, region).map(Self::Phone)
    }

    /// The target as people read it (E.164 for numbers).
    pub fn display(&self) -> &str {
        match self {
            Self::Phone(number) => number.e164(),
            Self::Email(email) | Self::Sip(email) => email,
        }
    }
}

fn parse_email(text: &str) -> Result<String> {
    let bad = || Error::invalid_input(format!("“{}” is not an email address we can call", truncate(text)));
    let (local, domain) = text.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && text.len() <= 254;
    if ok { Ok(text.to_owned()) } else { Err(bad()) }
}

fn strip_scheme(text: &str) -> &str {
    for scheme in ["tel:", "callto:", "facetime-audio:", "facetime:"] {
        // `get` and not indexing: the prefix may end inside a multi-byte character.
        if text.get(..scheme.len()).is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme)) {
            return text[scheme.len()..].trim_start_matches('/');
        }
    }
    text
}

/// Letters to their keypad digits (1-800-FLOWERS → 1-800-3569377), keeping the rest.
fn vanity_to_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'A' | 'B' | 'C' => '2',
            'D' | 'E' | 'F' => '3',
            'G' | 'H' | 'I' => '4',
            'J' | 'K' | 'L' => '5',
            'M' | 'N' | 'O' => '6',
            'P' | 'Q' | 'R' | 'S' => '7',
            'T' | 'U' | 'V' => '8',
            'W' | 'X' | 'Y' | 'Z' => '9',
            _ => c,
        })
        .collect()
}

fn truncate(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(input: &str, region: Option<&str>) -> String {
        PhoneNumber::parse(input, region).unwrap_or_else(|e| panic!("{input}: {}", e.message)).e164().to_owned()
    }

    #[test]
    fn reads_what_people_type_and_paste() {
        assert_eq!(e164("(415) 555-0123", Some("US")), "+14155550123");
        assert_eq!(e164("+1 415 555 0123", None), "+14155550123");
        assert_eq!(e164("tel:+14155550123", None), "+14155550123");
        assert_eq!(e164("TEL:+1-415-555-0123;ext=5", None), "+14155550123");
        assert_eq!(e164("+44 20 7946 0958", None), "+442079460958");
        assert_eq!(e164("020 7946 0958", Some("gb")), "+442079460958");
        assert_eq!(e164("1-800-FLOWERS", Some("US")), "+18003569377");
        assert_eq!(e164("+39 06 6982 0000", None), "+390669820000");
    }

    #[test]
    fn refuses_what_is_not_a_number_in_plain_words() {
        for (input, region) in [("12", Some("US")), ("hello", None), ("", None), ("+999 123", None)] {
            let err = PhoneNumber::parse(input, region).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::InvalidInput);
            assert!(err.message.contains("not"), "{}", err.message);
        }
        let err = PhoneNumber::parse("415 555 0123", None).unwrap_err();
        assert!(err.message.contains("default region"), "{}", err.message);
        let err = PhoneNumber::parse("415", Some("XX")).unwrap_err();
        assert!(err.message.contains("two-letter country code"), "{}", err.message);
    }

    #[test]
    fn converts_at_the_edge() {
        let us = PhoneNumber::parse("+14155550123", None).unwrap();
        assert_eq!(us.fractel(), "14155550123");
        assert_eq!(us.digits(), "14155550123");
        let uk = PhoneNumber::parse("+442079460958", None).unwrap();
        assert_eq!(uk.fractel(), "011442079460958");
        let it = PhoneNumber::parse("+390669820000", None).unwrap();
        assert_eq!(it.fractel(), "011390669820000", "Italy's leading zero is kept");
    }

    #[test]
    fn previews_what_is_typed() {
        let p = preview("4155550123", Some("US"));
        assert_eq!(p.e164.as_deref(), Some("+14155550123"));
        assert_eq!(p.international.as_deref(), Some("+1 415-555-0123"));
        assert!(p.problem.is_none());
        let p = preview("+44 20 7946 0958", None);
        assert_eq!(p.international.as_deref(), Some("+44 20 7946 0958"));
        let p = preview("41555", Some("US"));
        assert!(p.e164.is_none() && p.problem.is_some());
    }

    #[test]
    fn targets_by_kind() {
        assert_eq!(Target::parse("ada@example.com", None).unwrap(), Target::Email("ada@example.com".into()));
        assert_eq!(Target::parse("facetime:ada@example.com", None).unwrap(), Target::Email("ada@example.com".into()));
        assert_eq!(
            Target::parse("sip:ada@pbx.example.com", None).unwrap(),
            Target::Sip("sip:ada@pbx.example.com".into())
        );
        assert_eq!(Target::parse("callto:+14155550123", None).unwrap().display(), "+14155550123");
        assert!(Target::parse("ada@", None).is_err());
        assert!(Target::parse("   ", None).is_err());
    }

    #[test]
    fn text_starting_with_wide_characters_is_refused_not_a_panic() {
        // Found by the property test: a scheme-length prefix can end inside a character.
        assert!(Target::parse("ੁﶝ*¥)Ú", None).is_err());
        assert!(PhoneNumber::parse("telé:+1", None).is_err());
    }

    #[test]
    fn long_input_is_refused_before_parsing() {
        let err = PhoneNumber::parse(&"9".repeat(500), None).unwrap_err();
        assert!(err.message.contains("too long"));
        assert!(err.message.chars().count() < 120, "the echo is truncated: {}", err.message);
    }
}
