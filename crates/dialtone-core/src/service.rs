//! What the desktop app and the `dialtone` command do, in one place.
//!
//! Both surfaces are thin: they parse what the person gave, call one method of
//! [`Dialtone`], and show the result. Settings are read fresh for each operation (the
//! file is small, and the CLI or a hand edit may have changed it); secrets go to and
//! come from the [`SecretStore`] only.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::keychain::Keychain;
use crate::numbers::{self, Target};
use crate::providers::{self, CallStatus, Dialer, Kind, KindInfo, Placed, ProviderConfig, SecretSource};
use crate::redact::{ExposeSecret, SecretString};
use crate::settings::Settings;
use crate::{Error, ErrorCode, Paths, Result};

/// Where secrets are written, read and deleted: the OS keychain.
pub trait SecretStore: SecretSource {
    fn store(&self, provider: &str, field: &str, secret: &SecretString) -> Result<()>;
    fn remove(&self, provider: &str, field: &str) -> Result<()>;
}

/// The OS keychain, opened when first needed (so a missing keychain only matters to
/// what needs a secret).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeychain;

impl SecretSource for OsKeychain {
    fn secret(&self, provider: &str, field: &str) -> Result<Option<SecretString>> {
        Keychain::open()?.get(provider, field)
    }
}

impl SecretStore for OsKeychain {
    fn store(&self, provider: &str, field: &str, secret: &SecretString) -> Result<()> {
        Keychain::open()?.set(provider, field, secret)
    }
    fn remove(&self, provider: &str, field: &str) -> Result<()> {
        Keychain::open()?.delete(provider, field)
    }
}

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
}

/// Adding a new provider, or changing one that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    Add,
    Update,
}

/// Dialtone's operations over one data folder.
#[derive(Clone)]
pub struct Dialtone {
    paths: Paths,
    dialer: Arc<Dialer>,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for Dialtone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialtone").field("paths", &self.paths).finish_non_exhaustive()
    }
}

impl Dialtone {
    /// Over the OS keychain.
    pub fn new(paths: Paths) -> Result<Self> {
        Self::with_secrets(paths, Arc::new(OsKeychain))
    }

    pub fn with_secrets(paths: Paths, secrets: Arc<dyn SecretStore>) -> Result<Self> {
        Ok(Self { paths, dialer: Arc::new(Dialer::new()?), secrets })
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.paths.settings_file())
    }

    fn update(&self, change: impl FnOnce(&mut Settings) -> Result<()>) -> Result<Settings> {
        let path = self.paths.settings_file();
        let mut settings = Settings::load(&path)?;
        change(&mut settings)?;
        settings.save(&path)?;
        Ok(settings)
    }

    /// Every provider kind and ready definition, with its settings schema.
    pub fn kinds(&self) -> Vec<KindInfo> {
        providers::kinds()
    }

    /// The default region, checked and upper-cased (`gb` → `GB`).
    pub fn set_region(&self, code: &str) -> Result<String> {
        let code = numbers::check_region(code)?;
        self.update(|s| {
            s.region = Some(code.clone());
            Ok(())
        })?;
        Ok(code)
    }

    pub fn set_default_provider(&self, name: &str) -> Result<()> {
        self.update(|s| {
            if !s.providers.contains_key(name) {
                return Err(unknown_provider(name, s));
            }
            s.default_provider = Some(name.to_owned());
            Ok(())
        })
        .map(|_| ())
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
            None => {
                let mut names: Vec<String> = Kind::ALL.iter().map(|k| k.id().to_owned()).collect();
                names.extend(providers::http::presets().iter().map(|p| p.id.clone()));
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
        tracing::info!(provider = name, field, "secret stored in the keychain");
        Ok(())
    }

    pub fn delete_secret(&self, name: &str, field: &str) -> Result<()> {
        let config = self.config(name)?;
        secret_field(name, &config, field)?;
        self.secrets.remove(name, field)?;
        tracing::info!(provider = name, field, "secret deleted from the keychain");
        Ok(())
    }

    /// Removes a provider and its keychain entries. If the keychain cannot be reached,
    /// nothing is removed (its secrets would be left behind, out of sight).
    pub fn remove_provider(&self, name: &str) -> Result<()> {
        let config = self.config(name)?;
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
        let label = match config.settings.get("preset") {
            Some(preset) => providers::http::presets().iter().find(|p| &p.id == preset).map(|p| p.label.clone()),
            None => None,
        }
        .unwrap_or_else(|| config.kind.label().to_owned());
        Ok(ProviderView {
            name: name.to_owned(),
            kind: config.kind,
            label,
            settings: config.settings.clone(),
            secrets,
            is_default: settings.default_provider.as_deref() == Some(name),
            keychain_error,
        })
    }

    /// The provider to use: the one named, else the default, else the only one.
    pub fn choose_provider(&self, via: Option<&str>) -> Result<(String, ProviderConfig)> {
        let settings = self.settings()?;
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
        let config = settings.providers.get(&name).cloned().ok_or_else(|| unknown_provider(&name, &settings))?;
        Ok((name, config))
    }

    /// Reads what the person typed (number, `tel:` URI, email) in their default region.
    pub fn parse_target(&self, text: &str) -> Result<Target> {
        let settings = self.settings()?;
        Target::parse(text, settings.region.as_deref())
    }

    /// Places a call. Never retried: a failure is reported for the person to decide.
    pub async fn place_call(&self, target: &str, via: Option<&str>) -> Result<Placed> {
        let target = self.parse_target(target)?;
        let (name, config) = self.choose_provider(via)?;
        let secrets: &dyn SecretSource = &*self.secrets;
        self.dialer.place_call(&name, &config, secrets, &target).await
    }

    pub async fn hang_up(&self, call_id: &str, via: Option<&str>) -> Result<()> {
        let (name, config) = self.choose_provider(via)?;
        self.dialer.hang_up(&name, &config, &*self.secrets, call_id).await
    }

    pub async fn call_status(&self, call_id: &str, via: Option<&str>) -> Result<CallStatus> {
        let (name, config) = self.choose_provider(via)?;
        self.dialer.status(&name, &config, &*self.secrets, call_id).await
    }
}

fn unknown_provider(name: &str, settings: &Settings) -> Error {
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
