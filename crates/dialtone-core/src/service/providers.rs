//! Providers: adding, changing and removing them, their secrets in the keychain, how
//! the UI sees them (never a secret), and which one a call goes through.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Dialtone;
use crate::providers::{self, Accepts, Kind, KindInfo, ProviderConfig};
use crate::redact::{ExposeSecret, SecretString};
use crate::settings::Settings;
use crate::{Error, ErrorCode, Result};

/// Whether one secret is stored; `None` when the keychain could not be asked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SecretState {
    pub field: String,
    pub label: String,
    pub stored: Option<bool>,
}

/// A provider as the UI and `provider list` show it: never a secret, only whether each is stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderView {
    pub name: String,
    pub kind: Kind,
    pub label: String,
    pub settings: BTreeMap<String, String>,
    pub secrets: Vec<SecretState>,
    pub is_default: bool,
    /// Set when the keychain could not be reached to tell which secrets are stored.
    pub keychain_error: Option<String>,
    /// What to know before calling through it ([`Kind::notice`]).
    pub notice: Option<String>,
    /// Which addresses besides phone numbers it can call (from its kind's descriptor).
    pub accepts: Accepts,
}

/// Adding a new provider, or changing one that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    Add,
    Update,
}

impl Dialtone {
    /// Every provider kind and ready definition, with its settings schema.
    pub fn kinds(&self) -> Vec<KindInfo> {
        providers::kinds()
    }

    /// Adds or changes a provider. `kind` is a kind (`blooio`) or a ready definition
    /// (`twilio`, which is the `http` kind with that preset).
    pub fn save_provider(
        &self,
        name: &str,
        kind: &str,
        mut settings: BTreeMap<String, String>,
        mode: Save,
    ) -> Result<ProviderView> {
        providers::check_name(name)?;
        let kind = match Kind::parse(kind) {
            Some(kind) => kind,
            None if providers::http::presets().iter().any(|p| p.id == kind) => {
                settings.insert("preset".to_owned(), kind.to_owned());
                Kind::Http
            }
            None if providers::sip::preset(kind).is_some() => {
                settings.insert("preset".to_owned(), kind.to_owned());
                Kind::Sip
            }
            None => {
                let mut names: Vec<String> = Kind::ALL.iter().map(|k| k.id().to_owned()).collect();
                names.extend(providers::http::presets().iter().map(|p| p.id.clone()));
                names.extend(providers::sip::PRESETS.iter().map(|p| p.id.to_owned()));
                return Err(Error::invalid_input(format!(
                    "“{kind}” is not a provider kind; the kinds are: {}.",
                    names.join(", ")
                )));
            }
        };
        settings.retain(|_, v| !v.trim().is_empty());
        let config = ProviderConfig { kind, settings };
        config.validate()?;
        let mut dropped_secrets = Vec::new();
        self.update(|s| {
            match (mode, s.providers.get(name)) {
                (Save::Add, Some(_)) => {
                    return Err(Error::invalid_input(format!(
                        "A provider called “{name}” exists already; remove it first or choose another name."
                    )));
                }
                (Save::Update, None) => return Err(unknown_provider(name, s)),
                (Save::Update, Some(old)) => {
                    let keep: Vec<String> = config.secret_fields()?.into_iter().map(|f| f.name).collect();
                    dropped_secrets =
                        old.secret_fields()?.into_iter().map(|f| f.name).filter(|f| !keep.contains(f)).collect();
                }
                (Save::Add, None) => {}
            }
            s.providers.insert(name.to_owned(), config.clone());
            if s.default_provider.as_ref().is_none_or(|d| !s.providers.contains_key(d)) {
                s.default_provider = Some(name.to_owned());
            }
            Ok(())
        })?;
        self.dialer.forget(name);
        for field in dropped_secrets {
            self.secrets.remove(name, &field)?;
        }
        tracing::info!(provider = name, kind = %kind, "provider saved");
        self.provider(name)
    }

    /// Stores one secret of a provider in the keychain.
    pub fn set_secret(&self, name: &str, field: &str, secret: &SecretString) -> Result<()> {
        let config = self.config(name)?;
        secret_field(name, &config, field)?;
        if secret.expose_secret().trim().is_empty() {
            return Err(Error::invalid_input(format!("The {field} of {name} is empty: paste the value to store.")));
        }
        self.secrets.store(name, field, secret)?;
        self.dialer.forget(name);
        tracing::info!(provider = name, field, "secret stored in the keychain");
        Ok(())
    }

    pub fn delete_secret(&self, name: &str, field: &str) -> Result<()> {
        let config = self.config(name)?;
        secret_field(name, &config, field)?;
        self.secrets.remove(name, field)?;
        self.dialer.forget(name);
        tracing::info!(provider = name, field, "secret deleted from the keychain");
        Ok(())
    }

    /// Removes a provider and its keychain entries. If the keychain cannot be reached,
    /// nothing is removed (its secrets would be left behind, out of sight).
    pub fn remove_provider(&self, name: &str) -> Result<()> {
        let config = self.config(name)?;
        self.dialer.forget(name);
        for field in config.secret_fields()? {
            self.secrets.remove(name, &field.name)?;
        }
        self.update(|s| {
            s.providers.remove(name);
            if s.default_provider.as_deref() == Some(name) {
                s.default_provider = s.providers.keys().next().cloned();
            }
            Ok(())
        })?;
        tracing::info!(provider = name, "provider removed");
        Ok(())
    }

    fn config(&self, name: &str) -> Result<ProviderConfig> {
        let settings = self.settings()?;
        settings.providers.get(name).cloned().ok_or_else(|| unknown_provider(name, &settings))
    }

    /// One provider as the UI shows it.
    pub fn provider(&self, name: &str) -> Result<ProviderView> {
        let settings = self.settings()?;
        let config = settings.providers.get(name).ok_or_else(|| unknown_provider(name, &settings))?;
        self.view(name, config, &settings)
    }

    /// Every provider, by name.
    pub fn providers(&self) -> Result<Vec<ProviderView>> {
        let settings = self.settings()?;
        settings.providers.iter().map(|(name, config)| self.view(name, config, &settings)).collect()
    }

    fn view(&self, name: &str, config: &ProviderConfig, settings: &Settings) -> Result<ProviderView> {
        let mut keychain_error = None;
        let mut secrets = Vec::new();
        for field in config.secret_fields()? {
            let stored = match self.secrets.secret(name, &field.name) {
                Ok(found) => Some(found.is_some()),
                Err(err) if err.code == ErrorCode::KeychainUnavailable => {
                    keychain_error = Some(err.message);
                    None
                }
                Err(err) => return Err(err),
            };
            secrets.push(SecretState { field: field.name, label: field.label, stored });
        }
        Ok(ProviderView {
            name: name.to_owned(),
            kind: config.kind,
            label: config.label(),
            settings: config.settings.clone(),
            secrets,
            is_default: settings.default_provider.as_deref() == Some(name),
            keychain_error,
            notice: config.kind.notice().map(str::to_owned),
            accepts: config.kind.descriptor().accepts,
        })
    }

    /// The provider to use: the one named, else the default, else the only one.
    pub fn choose_provider(&self, via: Option<&str>) -> Result<(String, ProviderConfig)> {
        choose_in(&self.settings()?, via)
    }
}

pub(super) fn choose_in(settings: &Settings, via: Option<&str>) -> Result<(String, ProviderConfig)> {
    let name = match via {
        Some(name) => name.to_owned(),
        None => match (&settings.default_provider, settings.providers.len()) {
            (Some(name), _) if settings.providers.contains_key(name) => name.clone(),
            (_, 1) => settings.providers.keys().next().cloned().unwrap_or_default(),
            (_, 0) => {
                return Err(Error::new(
                    ErrorCode::ProviderUnknown,
                    "No provider is set up yet: add one in Settings → Providers or with `dialtone provider add NAME --kind KIND`.",
                ));
            }
            _ => {
                let names: Vec<&str> = settings.providers.keys().map(String::as_str).collect();
                return Err(Error::new(
                    ErrorCode::ProviderUnknown,
                    format!("Choose a provider with --via: {} (or set a default).", names.join(", ")),
                ));
            }
        },
    };
    let config = settings.providers.get(&name).cloned().ok_or_else(|| unknown_provider(&name, settings))?;
    Ok((name, config))
}

pub(super) fn unknown_provider(name: &str, settings: &Settings) -> Error {
    let names: Vec<&str> = settings.providers.keys().map(String::as_str).collect();
    let known =
        if names.is_empty() { "none is set up yet".to_owned() } else { format!("there are: {}", names.join(", ")) };
    Error::new(ErrorCode::ProviderUnknown, format!("There is no provider called “{name}”; {known}."))
}

fn secret_field(name: &str, config: &ProviderConfig, field: &str) -> Result<()> {
    let secrets: Vec<String> = config.secret_fields()?.into_iter().map(|f| f.name).collect();
    if secrets.iter().any(|s| s == field) {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "“{field}” is not a secret of {name}; its secrets are: {}.",
            if secrets.is_empty() { "none".to_owned() } else { secrets.join(", ") }
        )))
    }
}
