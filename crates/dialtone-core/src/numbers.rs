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

/// A phone number Dialtone will call, held as E.164.
///
/// Any number that is *possible* (a known country code and a length its numbering plan
/// allows) is accepted; one the metadata says is not assigned carries a [`hint`] for
/// the person, and the provider decides. Refusing it would stop documentation examples
/// (`+15555551212`) and numbers newer than our metadata.
///
/// [`hint`]: PhoneNumber::hint
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PhoneNumber {
    e164: String,
    country_code: u16,
    /// The national significant number, leading zeros included (Italy keeps them).
    national: String,
    /// Set when the numbering plan does not list the number as assigned.
    #[serde(skip)]
    hint: Option<String>,
}

impl PhoneNumber {
    /// Parses what a person typed or pasted: formatting, `tel:` and vanity letters are
    /// fine. A number written with `+` and its country code means the same whatever
    /// `region` is; numbers without `+` are read in `region` (ISO 3166 code, e.g. "US"),
    /// as people at home write them, international prefix (`011`, `00`) included.
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
        // With `+` the home region must play no part: the crate would otherwise apply the
        // home region's national prefix rules to another country's number (issue #10).
        let international = dialable.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+').starts_with('+');
        // Dialled from home with its international prefix (`011 33 …`, `00 33 …`): the
        // same number as with `+`, whatever the home region's own rules.
        if !international
            && let Some(home) = region
            && let Some(after_idd) = strip_international_prefix(&check_region(home)?, &dialable_digits(&dialable))
            && !after_idd.is_empty()
        {
            return Self::parse(&format!("+{after_idd}"), None);
        }
        let region_id = match region {
            Some(code) if !international => Some(
                phonenumber::country::Id::from_str(&check_region(code)?)
                    .map_err(|_| Error::internal("region was checked"))?,
            ),
            Some(code) => {
                check_region(code)?;
                None
            }
            None => None,
        };
        let text = dialable.clone();
        let parsed = std::panic::catch_unwind(move || phonenumber::parse(region_id, &text))
            .map_err(|_| bad("it could not be read"))?
            .map_err(|_| {
                if international || region.is_some() {
                    bad("it does not look like a phone number")
                } else {
                    bad("start it with + and the country code, or set your default region")
                }
            })?;
        let country_code = parsed.code().value();
        let stripped = format!("{}{}", "0".repeat(usize::from(parsed.national().zeros())), parsed.national().value());
        let plan = Plan::of(country_code).ok_or_else(|| bad(&format!("+{country_code} is not a country code")))?;
        // The crate strips a national prefix more eagerly than libphonenumber (the `8` of
        // Russia's +7 800, Belarus's +375 801). libphonenumber keeps the stripped form only
        // when its length is possible and it still looks like a number of the plan.
        let digits = dialable_digits(&dialable);
        let unstripped = if parsed.extension().is_some() {
            None
        } else if international {
            digits.strip_prefix(&country_code.to_string()).map(str::to_owned)
        } else if region.and_then(region_calling_code) == Some(country_code) {
            let prefix = plan.national_prefix.as_deref().unwrap_or_default();
            Some(digits.strip_prefix(prefix).filter(|_| !prefix.is_empty()).unwrap_or(&digits).to_owned())
        } else {
            None
        };
        let national = match unstripped {
            Some(raw) if raw != stripped && plan.keeps_unstripped(&raw, &stripped) => raw,
            _ => stripped,
        };
        if !plan.lengths.contains(&national.len()) {
            let (min, max) = (plan.lengths.first().copied().unwrap_or(0), plan.lengths.last().copied().unwrap_or(0));
            let why = if national.len() < min {
                format!("it is too short for {}", plan.name)
            } else if national.len() > max {
                format!("it is too long for {}", plan.name)
            } else {
                format!("{} numbers do not have {} digits", plan.name, national.len())
            };
            return Err(match region {
                Some(code) if !international => Error::invalid_input(format!(
                    "“{}” is not a phone number we can call in region {}: {why}. Check the digits, or start it \
                     with + and the country code",
                    truncate(shown),
                    code.trim().to_ascii_uppercase()
                )),
                _ => bad(&format!("{why}; check the digits and the country code")),
            });
        }
        let valid = plan.is_valid(&national);
        let hint = (!valid).then(|| {
            format!(
                "This number looks unusual for {}: check it. Dialtone will still try it; the provider decides.",
                plan.name
            )
        });
        Ok(Self { e164: format!("+{country_code}{national}"), country_code, national, hint })
    }

    /// A word for the person when the numbering plan does not list this number as
    /// assigned ("This number looks unusual for France: check it. …"); `None` for a
    /// valid number.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
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
    /// A callable number the numbering plan does not list as assigned: a word of caution.
    pub hint: Option<String>,
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
            let hint = number.hint().map(str::to_owned);
            NumberPreview { e164: Some(number.e164().to_owned()), international, problem: None, hint }
        }
        Err(err) => NumberPreview { e164: None, international: None, problem: Some(err.message), hint: None },
    }
}

/// A number written for people in its country's international style
/// (`+14155550123` → `+1 415-555-0123`); anything else (an email, a SIP URI, digits in
/// a provider's own form) is returned as it is.
pub fn for_people(text: &str) -> String {
    if !text.starts_with('+') || text.len() > MAX_INPUT {
        return text.to_owned();
    }
    std::panic::catch_unwind(|| {
        phonenumber::parse(None, text).ok().map(|n| n.format().mode(phonenumber::Mode::International).to_string())
    })
    .ok()
    .flatten()
    .unwrap_or_else(|| text.to_owned())
}

/// Whom to call: a phone number, an email address (FaceTime), or a SIP URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Phone(PhoneNumber),
    Email(String),
    Sip(String),
    /// 1–6 digits that a provider with speed dials (Fractel) dials as they are.
    SpeedDial(String),
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

    /// What is typed as a speed dial: 1–6 digits, nothing else but spaces.
    pub fn speed_dial(input: &str) -> Option<Self> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        ((1..=6).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()))
            .then_some(Self::SpeedDial(digits))
    }

    /// The target as people read it (E.164 for numbers).
    pub fn display(&self) -> &str {
        match self {
            Self::Phone(number) => number.e164(),
            Self::Email(text) | Self::Sip(text) | Self::SpeedDial(text) => text,
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

/// What a country code's numbering plan allows, from libphonenumber's metadata.
struct Plan {
    country_code: u16,
    /// Lengths of the national significant number, over every region sharing the code.
    lengths: Vec<usize>,
    /// Lengths diallable only locally (without the area code): not callable from here.
    local_only: Vec<usize>,
    /// The main region's national prefix (`0`, `8`, `1`).
    national_prefix: Option<String>,
    /// "France", or "+1 (United States, Canada, …)" for a code shared by several regions.
    name: String,
}

impl Plan {
    /// The plan of a country code, built once per process: building one walks every
    /// region sharing the code, and parsing a number needs it each time.
    fn of(country_code: u16) -> Option<std::sync::Arc<Self>> {
        use std::collections::HashMap;
        use std::sync::{Arc, LazyLock, Mutex};
        static PLANS: LazyLock<Mutex<HashMap<u16, Option<Arc<Plan>>>>> = LazyLock::new(Mutex::default);
        let mut plans = PLANS.lock().unwrap_or_else(|p| p.into_inner());
        plans.entry(country_code).or_insert_with(|| Self::build(country_code).map(Arc::new)).clone()
    }

    fn build(country_code: u16) -> Option<Self> {
        let regions = std::panic::catch_unwind(|| {
            phonenumber::metadata::DATABASE.by_code(&country_code).map(|found| {
                found
                    .into_iter()
                    .map(|meta| {
                        // The metadata leaves the general lengths to be derived: the union of
                        // every number type's, as libphonenumber's own build does.
                        let d = meta.descriptors();
                        let types = [
                            Some(d.general()),
                            d.fixed_line(),
                            d.mobile(),
                            d.toll_free(),
                            d.premium_rate(),
                            d.shared_cost(),
                            d.personal_number(),
                            d.voip(),
                            d.pager(),
                            d.uan(),
                            d.voicemail(),
                        ];
                        let lengths: Vec<usize> = types
                            .iter()
                            .flatten()
                            .flat_map(|t| t.possible_length().iter().map(|&l| usize::from(l)))
                            .collect();
                        let local: Vec<usize> = types
                            .iter()
                            .flatten()
                            .flat_map(|t| t.possible_local_length().iter().map(|&l| usize::from(l)))
                            .collect();
                        let prefix = meta.national_prefix().map(str::to_owned);
                        (meta.id().to_owned(), lengths, meta.is_main_country_for_code(), local, prefix)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .ok()
        .flatten()?;
        let mut lengths: Vec<usize> = regions.iter().flat_map(|(_, l, _, _, _)| l.iter().copied()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut local_only: Vec<usize> = regions.iter().flat_map(|(_, _, _, l, _)| l.iter().copied()).collect();
        local_only.retain(|l| !lengths.contains(l));
        if lengths.is_empty() {
            return None;
        }
        let named: Vec<String> = regions.iter().map(|(id, _, _, _, _)| region_name(id)).collect();
        let main = regions.iter().position(|(_, _, main, _, _)| *main).unwrap_or(0);
        let national_prefix = regions.get(main).and_then(|(_, _, _, _, p)| p.clone());
        let name = match named.as_slice() {
            [one] => one.clone(),
            _ => format!("+{country_code} ({} and others)", named[main]),
        };
        Some(Self { country_code, lengths, local_only, national_prefix, name })
    }

    fn is_possible(&self, national: &str) -> bool {
        self.lengths.contains(&national.len())
    }

    /// libphonenumber's rule for a national prefix it could strip: keep the digits as
    /// written when the stripped number has an impossible length, or when they look
    /// like a number of the plan and the stripped ones do not.
    fn keeps_unstripped(&self, raw: &str, stripped: &str) -> bool {
        let stripped_ok = self.is_possible(stripped) && !self.local_only.contains(&stripped.len());
        if !stripped_ok {
            return self.is_possible(raw) || raw.len() > stripped.len();
        }
        self.looks_like(raw) && !self.looks_like(stripped)
    }

    /// Whether the national number matches the plan's general pattern, in any region.
    fn looks_like(&self, national: &str) -> bool {
        self.with_regions(|meta| matches_whole(meta.descriptors().general(), national))
    }

    /// Whether the numbering plan lists the number as assigned (any number type).
    fn is_valid(&self, national: &str) -> bool {
        self.with_regions(|meta| {
            let d = meta.descriptors();
            matches_whole(d.general(), national)
                && [
                    d.fixed_line(),
                    d.mobile(),
                    d.toll_free(),
                    d.premium_rate(),
                    d.shared_cost(),
                    d.personal_number(),
                    d.voip(),
                    d.pager(),
                    d.uan(),
                    d.voicemail(),
                ]
                .into_iter()
                .flatten()
                .any(|t| matches_whole(t, national))
        })
    }

    fn with_regions(&self, test: impl Fn(&phonenumber::Metadata) -> bool) -> bool {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            phonenumber::metadata::DATABASE
                .by_code(&self.country_code)
                .is_some_and(|found| found.into_iter().any(&test))
        }))
        .unwrap_or(false)
    }
}

/// Whether the whole national number fits a number type's pattern and lengths, as
/// libphonenumber matches (the crate's own check accepts a match of a prefix).
fn matches_whole(desc: &phonenumber::metadata::Descriptor, national: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    // Keyed by where the pattern lives: the metadata is one static database, so its
    // patterns never move, and looking one up allocates nothing.
    type Patterns = HashMap<(usize, usize), Option<regex::Regex>>;
    static ANCHORED: LazyLock<Mutex<Patterns>> = LazyLock::new(Mutex::default);
    let lengths = desc.possible_length();
    if !lengths.is_empty() && !lengths.iter().any(|&l| usize::from(l) == national.len()) {
        return false;
    }
    let source = desc.national_number().as_str();
    let mut cache = ANCHORED.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry((source.as_ptr() as usize, source.len()))
        .or_insert_with(|| regex::Regex::new(&format!("^(?x:{source})$")).ok())
        .as_ref()
        .is_some_and(|re| re.is_match(national))
}

fn dialable_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The digits after the home region's international prefix (`011` in the US, `00` in
/// most of Europe), when they start with it.
fn strip_international_prefix(home: &str, digits: &str) -> Option<String> {
    let upper = home.trim().to_ascii_uppercase();
    std::panic::catch_unwind(|| {
        let meta = phonenumber::metadata::DATABASE.by_id(&upper)?;
        let found = meta.international_prefix()?.find(digits)?;
        (found.start() == 0 && found.end() > 0).then(|| digits[found.end()..].to_owned())
    })
    .ok()
    .flatten()
}

/// The calling code of a region (`GB` → 44).
fn region_calling_code(region: &str) -> Option<u16> {
    let upper = region.trim().to_ascii_uppercase();
    std::panic::catch_unwind(|| phonenumber::metadata::DATABASE.by_id(&upper).map(|meta| meta.country_code()))
        .ok()
        .flatten()
}

/// "France" for "FR"; the code itself where ISO 3166 has no name (Ascension's "AC").
fn region_name(code: &str) -> String {
    match code {
        "001" => "international services".to_owned(),
        _ => rust_iso3166::from_alpha2(code).map(|c| c.name.to_owned()).unwrap_or_else(|| code.to_owned()),
    }
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

    /// Issue #10: with a home region these were refused (the home region's national
    /// prefix applied to another country's number).
    #[test]
    fn a_plus_number_means_the_same_in_every_home_region() {
        for (typed, want) in [
            ("+33 1 42 76 49 78", "+33142764978"),
            ("+44 1253 207296", "+441253207296"),
            ("+43 1 545625652", "+431545625652"),
            ("+32 13 88 96 49", "+3213889649"),
            ("+7 800 123-45-67", "+78001234567"),
        ] {
            for home in [None, Some("US"), Some("GB"), Some("FR"), Some("RU")] {
                let number =
                    PhoneNumber::parse(typed, home).unwrap_or_else(|e| panic!("{typed} in {home:?}: {}", e.message));
                assert_eq!(number.e164(), want, "{typed} in {home:?}");
                assert_eq!(number.hint(), None, "{typed} is assigned");
            }
        }
        // As people at home write them.
        assert_eq!(e164("01 42 76 49 78", Some("FR")), "+33142764978");
        assert_eq!(e164("01253 207296", Some("GB")), "+441253207296");
        assert_eq!(e164("011 33 1 42 76 49 78", Some("US")), "+33142764978");
        assert_eq!(e164("00 33 1 42 76 49 78", Some("GB")), "+33142764978");
    }

    /// Bandwidth's documentation examples: possible, not assigned. Accepted, with a hint.
    #[test]
    fn a_possible_but_unassigned_number_is_called_with_a_hint() {
        for home in [None, Some("US")] {
            let number = PhoneNumber::parse("+15555551212", home).unwrap();
            assert_eq!(number.e164(), "+15555551212");
            let hint = number.hint().expect("a hint for an unassigned number");
            assert!(hint.contains("looks unusual for") && hint.contains("United States"), "{hint}");
        }
        let number = PhoneNumber::parse("555 555 1313", Some("US")).unwrap();
        assert_eq!(number.e164(), "+15555551313");
        assert!(number.hint().is_some());
        // A wrong length is still refused, naming the country.
        let err = PhoneNumber::parse("+33 1 42 76", None).unwrap_err();
        assert!(err.message.contains("too short for France"), "{}", err.message);
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
    fn numbers_are_written_for_people() {
        assert_eq!(for_people("+14155550123"), "+1 415-555-0123");
        assert_eq!(for_people("+442079460958"), "+44 20 7946 0958");
        assert_eq!(for_people("ada@example.com"), "ada@example.com");
        assert_eq!(for_people("+"), "+");
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
