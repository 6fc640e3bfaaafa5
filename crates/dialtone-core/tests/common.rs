//! Shared by the contract tests: secrets held in memory (the keychain has its own
//! tests against the real Secret Service), and strict request matchers.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use dialtone_core::Result;
use dialtone_core::numbers::Target;
use dialtone_core::providers::{Dialer, Kind, Placed, ProviderConfig, SecretSource};
use dialtone_core::redact::SecretString;
use wiremock::{Match, Request};

/// Secrets for tests, by (provider, field).
#[derive(Debug, Default)]
pub struct Secrets(pub HashMap<(String, String), String>);

impl Secrets {
    pub fn of(provider: &str, pairs: &[(&str, &str)]) -> Self {
        Self(pairs.iter().map(|(f, v)| ((provider.to_owned(), f.to_string()), v.to_string())).collect())
    }
}

impl SecretSource for Secrets {
    fn secret(&self, provider: &str, field: &str) -> Result<Option<SecretString>> {
        Ok(self.0.get(&(provider.to_owned(), field.to_owned())).map(|v| SecretString::from(v.clone())))
    }
}

pub fn config(kind: Kind, pairs: &[(&str, &str)]) -> ProviderConfig {
    let config = ProviderConfig { kind, settings: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() };
    config.validate().unwrap_or_else(|e| panic!("test config is valid: {}", e.message));
    config
}

pub async fn place(
    dialer: &Dialer,
    name: &str,
    config: &ProviderConfig,
    secrets: &Secrets,
    target: &str,
) -> Result<Placed> {
    let target = Target::parse(target, Some("US"))?;
    dialer.place_call(name, config, secrets, &target).await
}

/// A form body equal to these pairs (in any order), sent as urlencoded.
#[derive(Debug)]
pub struct FormIs(pub BTreeMap<String, String>);

impl FormIs {
    pub fn new(pairs: &[(&str, &str)]) -> Self {
        Self(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

impl Match for FormIs {
    fn matches(&self, request: &Request) -> bool {
        let form_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "application/x-www-form-urlencoded");
        let got: BTreeMap<String, String> = form_urlencoded::parse(&request.body).into_owned().collect();
        form_type && got == self.0
    }
}

/// The request carries Dialtone's user agent and a JSON content type.
#[derive(Debug)]
pub struct DialtoneJson;

impl Match for DialtoneJson {
    fn matches(&self, request: &Request) -> bool {
        let header =
            |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        header("user-agent").starts_with("Dialtone/") && header("content-type") == "application/json"
    }
}

/// No header carries credentials other than the ones named.
#[derive(Debug)]
pub struct OnlyAuth(pub &'static [&'static str]);

impl Match for OnlyAuth {
    fn matches(&self, request: &Request) -> bool {
        request.headers.keys().all(|name| {
            let name = name.as_str();
            !dialtone_core::redact::is_sensitive_header(name) || self.0.contains(&name)
        })
    }
}
