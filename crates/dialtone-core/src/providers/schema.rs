//! What each provider kind asks the person for, declared as data.
//!
//! The settings screen and the CLI are both drawn from these declarations: a field's
//! label, whether it is a secret (kept in the keychain, never shown again), whether it
//! is required, its help text and how to check it. Adding a provider kind needs no UI
//! code, only a list of [`Field`]s.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::numbers::PhoneNumber;
use crate::{Error, Result};

/// How a field's value is checked before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Check {
    /// Any non-empty text.
    Text,
    /// An `http://` or `https://` address.
    Url,
    /// A phone number in E.164 form (`+14155550123`).
    E164,
    /// Only digits, between `min` and `max` of them.
    Digits { min: u32, max: u32 },
    /// A whole number in a range.
    Integer { min: u32, max: u32 },
    /// One of a fixed list of words.
    OneOf { choices: Vec<String> },
    /// A JSON object (templates of the `http` kind).
    JsonObject,
}

/// One setting of a provider kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// The key in settings and in `--set KEY=VALUE`.
    pub name: String,
    pub label: String,
    /// Kept in the OS keychain; write-only from the UI and the CLI.
    pub secret: bool,
    pub required: bool,
    pub help: String,
    /// Used when the person leaves the field empty.
    pub default: Option<String>,
    pub check: Check,
}

impl Field {
    pub fn new(name: &str, label: &str, check: Check, help: &str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            secret: false,
            required: false,
            help: help.to_owned(),
            default: None,
            check,
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// A secret is always required: a provider cannot call without its credentials.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self.required = true;
        self
    }

    pub fn default(mut self, value: &str) -> Self {
        self.default = Some(value.to_owned());
        self
    }

    /// Checks one value; the message names the field and says what is expected.
    pub fn validate(&self, value: &str) -> Result<()> {
        let bad = |expected: String| {
            Error::invalid_input(format!(
                "{} (`{}`) must be {expected}; got “{}”.",
                self.label,
                self.name,
                shorten(value)
            ))
            .about(&self.name)
        };
        if value.trim().is_empty() {
            return Err(Error::invalid_input(format!("{} (`{}`) is empty.", self.label, self.name)).about(&self.name));
        }
        self.validate_check(value, &bad)?;
        if self.name == "base_url" {
            refuse_plain_http(&self.label, &self.name, value)?;
        }
        Ok(())
    }

    fn validate_check(&self, value: &str, bad: &dyn Fn(String) -> Error) -> Result<()> {
        match &self.check {
            Check::Text => Ok(()),
            Check::Url => {
                let ok = url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
                if ok { Ok(()) } else { Err(bad("an http:// or https:// address".into())) }
            }
            Check::E164 => match PhoneNumber::parse(value, None) {
                Ok(number) if number.e164() == value => Ok(()),
                Ok(number) => Err(bad(format!("in E.164 form, like {}", number.e164()))),
                Err(_) => Err(bad("a phone number in E.164 form, like +14155550123".into())),
            },
            Check::Digits { min, max } => {
                let ok =
                    value.chars().all(|c| c.is_ascii_digit()) && (*min as usize..=*max as usize).contains(&value.len());
                if ok {
                    Ok(())
                } else if min == max {
                    Err(bad(format!("exactly {min} digits")))
                } else {
                    Err(bad(format!("{min} to {max} digits")))
                }
            }
            Check::Integer { min, max } => match value.parse::<u32>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(()),
                _ => Err(bad(format!("a whole number from {min} to {max}"))),
            },
            Check::OneOf { choices } => {
                if choices.iter().any(|c| c == value) {
                    Ok(())
                } else {
                    Err(bad(format!("one of {}", choices.join(", "))))
                }
            }
            Check::JsonObject => match serde_json::from_str::<serde_json::Value>(value) {
                Ok(serde_json::Value::Object(_)) => Ok(()),
                Ok(_) => Err(bad("a JSON object, like {\"to\": \"{{to}}\"}".into())),
                Err(err) => Err(bad(format!("a JSON object ({err})"))),
            },
        }
    }
}

/// Checks a provider's non-secret settings against its fields: unknown keys, secrets
/// given as plain settings, missing required values and malformed values are refused.
/// `open` allows keys the schema does not name (the `http` kind's template variables).
pub fn validate_settings(fields: &[Field], settings: &BTreeMap<String, String>, open: bool) -> Result<()> {
    for (key, value) in settings {
        match fields.iter().find(|f| &f.name == key) {
            Some(field) if field.secret => {
                return Err(Error::invalid_input(format!(
                    "{} (`{key}`) is a secret: it goes to the keychain with `dialtone provider secret NAME {key}` \
                     (or Settings → Providers), never into a settings file.",
                    field.label
                ))
                .about(key));
            }
            Some(field) => field.validate(value)?,
            None if open && is_variable_name(key) => {}
            None => {
                let known: Vec<&str> = fields.iter().filter(|f| !f.secret).map(|f| f.name.as_str()).collect();
                return Err(Error::invalid_input(format!(
                    "`{key}` is not a setting of this provider kind; its settings are: {}.",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                ))
                .about(key));
            }
        }
    }
    for field in fields.iter().filter(|f| f.required && !f.secret && f.default.is_none()) {
        if !settings.contains_key(&field.name) {
            return Err(Error::invalid_input(format!(
                "{} (`{}`) is required: {}",
                field.label, field.name, field.help
            ))
            .about(&field.name));
        }
    }
    Ok(())
}

/// Refuses an address where credentials would travel over plain `http://` to another
/// machine (`https://`, and `http://` to this computer, are fine). Every kind's
/// `base_url` is checked so when saved, and every request again before it is sent
/// (see [`super::transport::send`]), for settings edited by hand. The error names the
/// field, so the settings screen shows it beside that field.
pub fn refuse_plain_http(label: &str, name: &str, value: &str) -> Result<()> {
    let value = value.trim();
    let plain = value.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if !plain {
        return Ok(());
    }
    // A {{placeholder}} in the host cannot be known to be this computer.
    match url::Url::parse(value) {
        Ok(url) if super::transport::may_carry_credentials(&url) => Ok(()),
        _ => Err(Error::invalid_input(format!(
            "{label} (`{name}`) {}; got “{}”.",
            super::transport::PLAIN_HTTP,
            shorten(value)
        ))
        .about(name)),
    }
}

/// A name usable as a setting key and a `{{placeholder}}`.
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= 60 {
        value.to_owned()
    } else {
        format!("{}…", value.chars().take(60).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn fields() -> Vec<Field> {
        vec![
            Field::new("from_number", "From number", Check::E164, "Your number.").required(),
            Field::new("base_url", "Base URL", Check::Url, "Where the API is.").default("https://api.example.com"),
            Field::new("fonenumber", "FoneNumber", Check::Digits { min: 10, max: 10 }, "10 digits."),
            Field::new("api_key", "API key", Check::Text, "From the dashboard.").secret(),
        ]
    }

    #[test]
    fn accepts_good_settings() {
        validate_settings(
            &fields(),
            &settings(&[("from_number", "+14155550123"), ("fonenumber", "4155550123")]),
            false,
        )
        .unwrap();
    }

    #[test]
    fn refuses_with_a_message_naming_the_field() {
        let cases = [
            (settings(&[("from_number", "(415) 555-0123")]), "in E.164 form, like +14155550123"),
            (settings(&[("from_number", "+14155550123"), ("base_url", "ftp://x")]), "http:// or https://"),
            (settings(&[("from_number", "+14155550123"), ("fonenumber", "123")]), "exactly 10 digits"),
            (settings(&[("from_number", "+14155550123"), ("api_key", "k")]), "is a secret"),
            (settings(&[("from_number", "+14155550123"), ("colour", "red")]), "not a setting of this provider kind"),
            (settings(&[]), "From number (`from_number`) is required"),
        ];
        for (given, expected) in cases {
            let err = validate_settings(&fields(), &given, false).unwrap_err();
            assert!(err.message.contains(expected), "{given:?}: {}", err.message);
        }
    }

    #[test]
    fn base_url_refuses_plain_http_except_to_this_computer() {
        let with = |url: &str| settings(&[("from_number", "+14155550123"), ("base_url", url)]);
        for url in [
            "http://api.example.com",
            "http://10.0.0.1:8080/",
            "http://[2001:db8::1]",
            "Http://x.test",
            "http://{{space}}.x.test",
        ] {
            let err = validate_settings(&fields(), &with(url), false).unwrap_err();
            assert!(
                err.message.starts_with("Base URL (`base_url`) must start with https://"),
                "{url}: {}",
                err.message
            );
        }
        for url in [
            "https://api.example.com",
            "http://127.0.0.1:9",
            "http://127.1.2.3",
            "http://localhost:80",
            "http://LOCALHOST.",
            "http://[::1]:8080",
        ] {
            validate_settings(&fields(), &with(url), false).unwrap_or_else(|e| panic!("{url}: {}", e.message));
        }
        // An answer URL is fetched by the provider, with no credentials of ours: not checked so.
        let answer = Field::new("answer_url", "Answer URL", Check::Url, "BXML.");
        answer.validate("http://example.com/answer.xml").unwrap();
    }

    #[test]
    fn open_schemas_take_template_variables() {
        let given = settings(&[("from_number", "+14155550123"), ("account_sid", "AC123")]);
        validate_settings(&fields(), &given, true).unwrap();
        let bad = settings(&[("from_number", "+14155550123"), ("no spaces", "x")]);
        assert!(validate_settings(&fields(), &bad, true).is_err());
    }
}
