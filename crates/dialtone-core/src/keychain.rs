//! Provider credentials in the operating system's keychain, and nowhere else.
//!
//! Entries live under service `dialtone`, one per secret, with the account name
//! `PROVIDER/FIELD` (e.g. `my-sendblue/api_secret_key`). The store is the platform's
//! own, through keyring-core: the Secret Service on Linux (gnome-keyring, KWallet),
//! the Keychain on macOS, the Credential Manager on Windows. When none is reachable
//! the error says so in plain words, and nothing is written anywhere else.

use std::sync::{Arc, Mutex};

use keyring_core::{Entry, Error as KeyringError};

use crate::providers::SecretSource;
use crate::redact::{ExposeSecret, SecretString};
use crate::{Error, ErrorCode, Result};

/// The service name every Dialtone secret is stored under.
pub const SERVICE: &str = "dialtone";

/// Where to look for help when no keychain answers, per platform.
const HOW_TO_FIX: &str = if cfg!(target_os = "linux") {
    "Dialtone needs a Secret Service keychain: install gnome-keyring (or KWallet) and make sure it runs in your \
     desktop session (for example `apt install gnome-keyring`, then log out and in)."
} else if cfg!(target_os = "macos") {
    "Dialtone uses the macOS Keychain: unlock it in Keychain Access and try again."
} else {
    "Dialtone uses the Windows Credential Manager: make sure you are signed in to your Windows account."
};

/// The OS keychain, opened once per process.
#[derive(Debug, Clone, Copy)]
pub struct Keychain(());

static OPENED: Mutex<bool> = Mutex::new(false);

impl Keychain {
    /// Connects to the platform's credential store. Retried on the next call when it
    /// fails, so starting the keychain later is enough to make Dialtone work.
    pub fn open() -> Result<Self> {
        let mut opened = OPENED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !*opened {
            let store = platform_store().map_err(|err| unavailable(&err))?;
            keyring_core::set_default_store(store);
            *opened = true;
        }
        Ok(Self(()))
    }

    /// Stores (or replaces) one secret of one provider.
    pub fn set(&self, provider: &str, field: &str, secret: &SecretString) -> Result<()> {
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid_input(format!("The {field} of {provider} is empty; paste the value to store.")));
        }
        entry(provider, field)?
            .set_password(secret.expose_secret())
            .map_err(|err| map_error(&err, "store", provider, field))
    }

    /// Reads one secret; `None` when it was never stored.
    pub fn get(&self, provider: &str, field: &str) -> Result<Option<SecretString>> {
        match entry(provider, field)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(err) => Err(map_error(&err, "read", provider, field)),
        }
    }

    /// Whether the secret is stored, without handing it out.
    pub fn has(&self, provider: &str, field: &str) -> Result<bool> {
        self.get(provider, field).map(|secret| secret.is_some())
    }

    /// Deletes one secret; deleting one that is not there is not an error.
    pub fn delete(&self, provider: &str, field: &str) -> Result<()> {
        match entry(provider, field)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(err) => Err(map_error(&err, "delete", provider, field)),
        }
    }
}

impl crate::providers::SecretSource for Keychain {
    fn secret(&self, provider: &str, field: &str) -> Result<Option<SecretString>> {
        self.get(provider, field)
    }
}

fn entry(provider: &str, field: &str) -> Result<Entry> {
    Entry::new(SERVICE, &account(provider, field)).map_err(|err| map_error(&err, "open", provider, field))
}

/// The account name of one secret.
pub fn account(provider: &str, field: &str) -> String {
    format!("{provider}/{field}")
}

fn unavailable(cause: &KeyringError) -> Error {
    Error::new(
        ErrorCode::KeychainUnavailable,
        format!("The system keychain is not available ({}). {HOW_TO_FIX}", short_cause(cause)),
    )
}

/// Says what did not happen because no keychain answered ("Nothing was saved.",
/// "Nothing was dialled."); other errors pass through unchanged.
pub fn nothing_done(mut err: Error, what: &str) -> Error {
    let sentence = format!(" Nothing was {what}.");
    if err.code == ErrorCode::KeychainUnavailable && !err.message.ends_with(&sentence) {
        err.message.push_str(&sentence);
    }
    err
}

fn map_error(err: &KeyringError, doing: &str, provider: &str, field: &str) -> Error {
    match err {
        KeyringError::NoDefaultStore | KeyringError::NoStorageAccess(_) | KeyringError::PlatformFailure(_) => {
            let base = unavailable(err);
            Error::new(base.code, format!("Could not {doing} the {field} of {provider}: {}", base.message))
        }
        other => Error::internal(format!(
            "Could not {doing} the {field} of {provider} in the keychain: {}",
            short_cause(other)
        )),
    }
}

/// The keychain's own words, without any bytes of a credential (BadEncoding carries them).
fn short_cause(err: &KeyringError) -> String {
    match err {
        KeyringError::BadEncoding(_) => "the stored value is not text".to_owned(),
        KeyringError::BadDataFormat(_, _) => "the stored value has an unexpected format".to_owned(),
        KeyringError::Ambiguous(_) => "more than one entry matches".to_owned(),
        other => {
            let text = other.to_string();
            text.lines().next().unwrap_or_default().chars().take(160).collect()
        }
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(dbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
    Err(KeyringError::NotSupportedByStore("this operating system has no supported keychain".into()))
}

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
        Keychain::open()
            .and_then(|keychain| keychain.set(provider, field, secret))
            .map_err(|err| nothing_done(err, "saved"))
    }
    fn remove(&self, provider: &str, field: &str) -> Result<()> {
        Keychain::open()
            .and_then(|keychain| keychain.delete(provider, field))
            .map_err(|err| nothing_done(err, "deleted"))
    }
}
