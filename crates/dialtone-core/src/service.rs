//! What the desktop app and the `dialtone` command do, in one place.
//!
//! Both surfaces are thin: they parse what the person gave, call one method of
//! [`Dialtone`], and show the result. Settings are read fresh for each operation (the
//! file is small, and the CLI or a hand edit may have changed it); secrets go to and
//! come from the [`SecretStore`] only.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use serde::Serialize;

use crate::contacts::{Contact, Contacts, ImportReport, NewContact};
use crate::history::{Attempt, CallRecord, History};
use crate::keychain::{self, Keychain};
use crate::numbers::{self, Target};
use crate::providers::{self, CallStatus, Dialer, Kind, KindInfo, Placed, ProviderConfig, SecretSource};
use crate::redact::{ExposeSecret, SecretString};
use crate::settings::Settings;
use crate::{CancellationToken, Error, ErrorCode, Paths, Result};

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
            .map_err(|err| keychain::nothing_done(err, "saved"))
    }
    fn remove(&self, provider: &str, field: &str) -> Result<()> {
        Keychain::open()
            .and_then(|keychain| keychain.delete(provider, field))
            .map_err(|err| keychain::nothing_done(err, "deleted"))
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
    /// What to know before calling through it ([`Kind::notice`]).
    pub notice: Option<String>,
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
    /// Opened on first use and kept: search runs on every keystroke.
    db: Arc<Mutex<Option<Connection>>>,
}

/// The settings key for how long history is kept, in days (0: forever).
pub const HISTORY_KEEP_DAYS: &str = "history_keep_days";

/// What a call the person stopped waiting for says, in the CLI, the window and History.
pub const STOPPED_WAITING: &str =
    "Stopped waiting. The provider may still connect the call: Dialtone did not cancel it there.";
/// The same, when the request had not been sent yet.
const STOPPED_BEFORE_DIALLING: &str = "Stopped before dialling: nothing was dialled.";

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
        Ok(Self { paths, dialer: Arc::new(Dialer::new()?), secrets, db: Arc::default() })
    }

    /// Runs `work` on the database (opened and migrated on first use).
    fn with_db<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.db.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(crate::db::open(&self.paths.data_dir)?);
        }
        match guard.as_ref() {
            Some(conn) => work(conn),
            None => Err(Error::internal("the database was just opened")),
        }
    }

    /// Changes to contacts: numbers written without `+` are read in the default region.
    fn contacts_do<T>(&self, work: impl FnOnce(&Contacts<'_>) -> Result<T>) -> Result<T> {
        let region = self.settings()?.region;
        self.with_db(|conn| work(&Contacts::new(conn, region)))
    }

    /// Reading contacts needs no region, so search as you type does not read the
    /// settings file on every keystroke.
    fn contacts_read<T>(&self, work: impl FnOnce(&Contacts<'_>) -> Result<T>) -> Result<T> {
        self.with_db(|conn| work(&Contacts::new(conn, None)))
    }

    pub fn contacts(&self) -> Result<Vec<Contact>> {
        self.contacts_read(|c| c.list())
    }

    /// What the contacts screen shows before anything is typed, and how many there are.
    pub fn first_contacts(&self, limit: u32) -> Result<(Vec<Contact>, u64)> {
        self.contacts_read(|c| Ok((c.first(limit)?, c.count()?)))
    }

    pub fn search_contacts(&self, query: &str, limit: u32) -> Result<Vec<Contact>> {
        self.contacts_read(|c| c.search(query, limit))
    }

    pub fn contact(&self, id: i64) -> Result<Contact> {
        self.contacts_read(|c| c.get(id))
    }

    pub fn add_contact(&self, contact: &NewContact) -> Result<Contact> {
        self.contacts_do(|c| c.add(contact))
    }

    pub fn update_contact(&self, id: i64, contact: &NewContact) -> Result<Contact> {
        self.contacts_do(|c| c.update(id, contact))
    }

    pub fn delete_contact(&self, id: i64) -> Result<()> {
        self.contacts_do(|c| c.delete(id))
    }

    /// Imports a vCard file; `progress(done, total)` is called as cards are stored.
    ///
    /// The file is read and parsed before the database is taken, so a large file does
    /// not hold up searches and calls while it is read.
    pub fn import_contacts(&self, file: &Path, progress: impl FnMut(usize, usize)) -> Result<ImportReport> {
        let bytes = read_vcard_file(file)?;
        let parsed = crate::contacts::vcard::parse(&bytes);
        drop(bytes);
        let report = self.contacts_do(|c| c.import_parsed(parsed, progress))?;
        tracing::info!(
            added = report.added,
            merged = report.merged,
            skipped = report.skipped.len(),
            dropped = report.dropped.len(),
            "contacts imported"
        );
        Ok(report)
    }

    /// Writes every contact as vCard 4.0 (atomically: a temporary file renamed over).
    pub fn export_contacts(&self, file: &Path) -> Result<usize> {
        let (text, count) = self.contacts_read(|c| Ok((c.export()?, c.count()? as usize)))?;
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|err| Error::io("write a file in", dir, &err))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|err| Error::io("write", file, &err))?;
        tmp.persist(file).map_err(|err| Error::io("write", file, &err.error))?;
        Ok(count)
    }

    pub fn history(&self, limit: u32) -> Result<Vec<CallRecord>> {
        self.with_db(|conn| History::new(conn).list(limit))
    }

    pub fn delete_history_entry(&self, id: i64) -> Result<()> {
        self.with_db(|conn| History::new(conn).delete(id))
    }

    pub fn clear_history(&self) -> Result<usize> {
        self.with_db(|conn| History::new(conn).clear())
    }

    /// How long history is kept, in days; 0 keeps it forever.
    pub fn set_history_keep_days(&self, days: u32) -> Result<()> {
        self.update(|s| {
            s.other.insert(HISTORY_KEEP_DAYS.to_owned(), toml::Value::Integer(i64::from(days)));
            Ok(())
        })
        .map(|_| ())
    }

    fn keep_days(settings: &Settings) -> u32 {
        settings
            .other
            .get(HISTORY_KEEP_DAYS)
            .and_then(toml::Value::as_integer)
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(0)
    }

    /// Calls again what a history row called, through the same provider; stopped by
    /// `cancel` like [`Dialtone::place_call`].
    pub async fn redial(&self, id: i64, cancel: CancellationToken) -> Result<Placed> {
        let record = self.with_db(|conn| History::new(conn).get(id))?;
        self.place_call(&record.typed, Some(&record.provider), cancel).await
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.paths.settings_file())
    }

    fn update(&self, change: impl FnOnce(&mut Settings) -> Result<()>) -> Result<Settings> {
        Settings::update(&self.paths.settings_file(), change)
    }

    /// Light, dark or the system's; returns the settings as saved.
    pub fn set_appearance(&self, appearance: crate::settings::Appearance) -> Result<Settings> {
        self.update(|s| {
            s.appearance = appearance;
            Ok(())
        })
    }

    /// Remembers the chosen sound devices (`None` in a field: the system default) and
    /// returns them as saved.
    pub fn set_audio_devices(&self, devices: crate::settings::AudioDevices) -> Result<crate::settings::AudioDevices> {
        let clean = |id: Option<String>| id.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
        self.update(|s| {
            s.audio = crate::settings::AudioDevices {
                input: clean(devices.input),
                output: clean(devices.output),
                ringer: clean(devices.ringer),
            };
            Ok(())
        })
        .map(|settings| settings.audio)
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
        })
    }

    /// The provider to use: the one named, else the default, else the only one.
    pub fn choose_provider(&self, via: Option<&str>) -> Result<(String, ProviderConfig)> {
        choose_in(&self.settings()?, via)
    }

    /// What to call, from what the person typed: a number, URI or email, or else the
    /// name of a contact (its preferred number, or its only one).
    pub fn resolve_target(&self, typed: &str) -> Result<(Target, Option<Contact>)> {
        self.resolve_in(&self.settings()?, typed)
    }

    fn resolve_in(&self, settings: &Settings, typed: &str) -> Result<(Target, Option<Contact>)> {
        let region = settings.region.as_deref();
        let parsed = Target::parse(typed, region);
        let looks_like_a_name = typed.chars().any(char::is_alphabetic) && !typed.contains('@') && !typed.contains(':');
        match parsed {
            Ok(target) => {
                let contact = match &target {
                    Target::Phone(number) => self.contacts_read(|c| c.by_number(number.e164())).unwrap_or(None),
                    _ => None,
                };
                Ok((target, contact))
            }
            Err(err) if looks_like_a_name => match self.contacts_read(|c| c.by_name(typed))? {
                Some(contact) => {
                    let target = contact_target(&contact, region)?;
                    Ok((target, Some(contact)))
                }
                None => Err(Error::invalid_input(format!(
                    "{} No contact is called “{}” either.",
                    err.message,
                    typed.trim()
                ))),
            },
            Err(err) => Err(err),
        }
    }

    /// What to tell the person before `typed` is called through `via` (or the provider
    /// the call would use): a number the plan does not list, and the provider's notice
    /// (a Sendblue call's audio cannot be carried here yet). Empty when all is plain.
    pub fn notes_before_calling(&self, typed: &str, via: Option<&str>) -> Vec<String> {
        let Ok(settings) = self.settings() else { return Vec::new() };
        let mut notes = Vec::new();
        let resolved = self.resolve_in(&settings, typed).ok();
        if let Some((Target::Phone(number), _)) = &resolved
            && let Some(hint) = number.hint()
        {
            notes.push(hint.to_owned());
        }
        let preferred = resolved.as_ref().and_then(|(_, contact)| contact.as_ref()?.preferred_provider.clone());
        if let Ok((_, config)) = choose_in(&settings, via.or(preferred.as_deref()))
            && let Some(notice) = config.kind.notice()
        {
            notes.push(notice.to_owned());
        }
        notes
    }

    /// Places a call and writes it to the history, whatever happens: placed, failed,
    /// or stopped through `cancel` (the person stopped waiting, or pressed Ctrl-C).
    /// Never retried: a failure is reported for the person to decide.
    pub async fn place_call(&self, typed: &str, via: Option<&str>, cancel: CancellationToken) -> Result<Placed> {
        let settings = self.settings()?;
        let (target, contact) = match self.resolve_in(&settings, typed) {
            Ok(found) => found,
            // 1–6 digits are no phone number, but a speed dial to a provider that has them.
            Err(err) => match Target::speed_dial(typed) {
                Some(dial) if choose_in(&settings, via).is_ok_and(|(_, c)| c.kind.has_speed_dials()) => (dial, None),
                _ => return Err(err),
            },
        };
        let via = via.map(str::to_owned).or_else(|| contact.as_ref().and_then(|c| c.preferred_provider.clone()));
        let (name, config) = choose_in(&settings, via.as_deref())?;
        let result = if cancel.is_cancelled() {
            Err(Error::new(ErrorCode::Cancelled, STOPPED_BEFORE_DIALLING))
        } else {
            tokio::select! {
                biased;
                () = cancel.cancelled() => Err(Error::new(ErrorCode::Cancelled, STOPPED_WAITING)),
                result = self.dialer.place_call_to_contact(
                    &name, &config, &*self.secrets, &target, contact.as_ref().and_then(|c| c.uid.as_deref()),
                ) => result,
            }
        };
        let result = result.map_err(|err| keychain::nothing_done(err, "dialled"));
        self.record(&settings, &name, &config, typed, &target, contact.as_ref(), &result);
        result
    }

    /// Writes one attempt to the history. The call happened (or failed) either way: a
    /// history that cannot be written is logged, not turned into a failed call.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        settings: &Settings,
        name: &str,
        config: &ProviderConfig,
        typed: &str,
        target: &Target,
        contact: Option<&Contact>,
        result: &Result<Placed>,
    ) {
        let attempt = Attempt {
            provider: name,
            kind: config.kind.id(),
            typed,
            target: target.display(),
            contact_id: contact.map(|c| c.id),
            result,
        };
        if let Err(err) = self.with_db(|conn| History::new(conn).record(&attempt, Self::keep_days(settings))) {
            tracing::warn!("could not write the call to the history: {}", err.message);
        }
    }

    /// Hangs up a call; without `via`, through the provider that placed it (from the
    /// history), else the default one.
    pub async fn hang_up(&self, call_id: &str, via: Option<&str>) -> Result<()> {
        let (name, config) = self.provider_for_call(call_id, via)?;
        self.dialer.hang_up(&name, &config, &*self.secrets, call_id).await
    }

    /// A call's state; without `via`, asked of the provider that placed it.
    pub async fn call_status(&self, call_id: &str, via: Option<&str>) -> Result<CallStatus> {
        let (name, config) = self.provider_for_call(call_id, via)?;
        self.dialer.status(&name, &config, &*self.secrets, call_id).await
    }

    /// The provider named, else the one whose call this id is, else the default. A call
    /// id means nothing to another provider, so the history's answer comes first.
    fn provider_for_call(&self, call_id: &str, via: Option<&str>) -> Result<(String, ProviderConfig)> {
        let settings = self.settings()?;
        if via.is_none()
            && let Ok(Some(placed_by)) = self.with_db(|conn| History::new(conn).provider_of(call_id))
            && settings.providers.contains_key(&placed_by)
        {
            return choose_in(&settings, Some(&placed_by));
        }
        choose_in(&settings, via)
    }
}

/// A vCard file's bytes, refused with a plain message when it is too large to be an
/// address book (read no further than the limit, so `/dev/zero` is refused too).
fn read_vcard_file(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let limit = crate::contacts::vcard::MAX_FILE_BYTES;
    let too_large = || {
        Error::invalid_input(format!(
            "{} is larger than {} MB, which is more than an address book holds; nothing was imported.",
            file.display(),
            limit / (1024 * 1024)
        ))
    };
    let opened = std::fs::File::open(file).map_err(|err| Error::io("read the vCard file", file, &err))?;
    let size = opened.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    opened.take(limit + 1).read_to_end(&mut bytes).map_err(|err| Error::io("read the vCard file", file, &err))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

fn choose_in(settings: &Settings, via: Option<&str>) -> Result<(String, ProviderConfig)> {
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

/// The number (or email) a contact is called on when called by name.
fn contact_target(contact: &Contact, region: Option<&str>) -> Result<Target> {
    let preferred: Vec<_> = contact.phones.iter().filter(|p| p.preferred).collect();
    let number = match (preferred.as_slice(), contact.phones.as_slice()) {
        ([one], _) => Some(*one),
        (_, [only]) => Some(only),
        _ => None,
    };
    if let Some(phone) = number {
        return Target::parse(&phone.number, region);
    }
    if contact.phones.is_empty() {
        return match contact.emails.as_slice() {
            [only] => Target::parse(&only.address, region),
            [] => Err(Error::invalid_input(format!("{} has no number or email to call.", contact.name))),
            many => Err(Error::invalid_input(format!(
                "{} has several email addresses: {}. Call one of them.",
                contact.name,
                many.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        };
    }
    let listed: Vec<String> = contact
        .phones
        .iter()
        .map(|p| if p.label.is_empty() { p.number.clone() } else { format!("{} {}", p.label, p.number) })
        .collect();
    Err(Error::invalid_input(format!(
        "{} has several numbers: {}. Call one of them, or mark one as preferred.",
        contact.name,
        listed.join(", ")
    )))
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
