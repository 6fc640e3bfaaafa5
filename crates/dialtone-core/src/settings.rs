//! The person's preferences: a TOML file in the config folder.
//!
//! Saving writes a temporary file beside the real one and renames it over, so a crash
//! mid-write leaves either the old settings or the new ones, never half of each. A file
//! that cannot be read is reported and left as it is: we never overwrite what the
//! person may want to fix by hand. Keys this version does not know are kept.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::providers::ProviderConfig;
use crate::{Error, ErrorCode, Result};

/// Light, dark, or whatever the operating system uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Appearance {
    #[default]
    System,
    Light,
    Dark,
}

/// The sound devices the person chose, by the audio engine's stable ids; `None` is
/// the system default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct AudioDevices {
    /// The microphone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The speaker or headset a call and the keypad tones play on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Where ringing plays, when not on the speaker (e.g. loud speakers while the call
    /// goes to a headset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ringer: Option<String>,
}

/// A device id as the person gave it: trimmed, and empty meaning the system default.
pub fn device_id(id: Option<String>) -> Option<String> {
    id.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty())
}

/// How a live call's microphone is cleaned before it is sent (`[call_audio]`). Each is
/// on unless the person turns it off: a headset needs no echo cancellation, and some
/// prefer their microphone's own gain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct CallAudio {
    /// Takes the far end's voice out of what the microphone hears from the speakers.
    pub echo_cancellation: bool,
    /// Lowers steady background noise (fans, hum).
    pub noise_suppression: bool,
    /// Brings a quiet or loud voice to an even level.
    pub gain_control: bool,
}

impl Default for CallAudio {
    fn default() -> Self {
        Self { echo_cancellation: true, noise_suppression: true, gain_control: true }
    }
}

/// What an incoming call rings with (`[ringtone]`): the sound, and how loud in percent
/// of full loudness (amplitude: 50 is 6 dB quieter than 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct RingtoneSettings {
    pub style: dialtone_audio::Ringtone,
    pub volume: u8,
}

impl RingtoneSettings {
    /// The quietest a ringtone may be set: a call nobody can hear is Do not disturb's job.
    pub const MIN_VOLUME: u8 = 10;

    /// What an incoming call rings with: the ringtone, repeating.
    pub fn tone(&self) -> dialtone_audio::Tone {
        dialtone_audio::Tone::Ringtone { style: self.style, volume: self.volume }
    }

    /// One pass of it, to try in Settings.
    pub fn sample(&self) -> dialtone_audio::Tone {
        dialtone_audio::Tone::RingtoneSample { style: self.style, volume: self.volume }
    }

    /// Why these settings cannot ring, if they cannot.
    pub fn check(&self) -> std::result::Result<(), String> {
        if (Self::MIN_VOLUME..=100).contains(&self.volume) {
            Ok(())
        } else {
            Err(format!(
                "The ringtone's volume is {}; it must be {} to 100 (percent). To hear no ringing, turn on Do not disturb",
                self.volume,
                Self::MIN_VOLUME
            ))
        }
    }
}

impl Default for RingtoneSettings {
    fn default() -> Self {
        Self { style: dialtone_audio::Ringtone::default(), volume: 100 }
    }
}

/// Everything in `settings.toml`. Secrets are never here: they live in the keychain.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub appearance: Appearance,
    /// Chosen microphone, speaker and ringer.
    pub audio: AudioDevices,
    /// Echo cancellation, noise suppression and automatic gain in live calls.
    pub call_audio: CallAudio,
    /// What an incoming call rings with, and how loud.
    pub ringtone: RingtoneSettings,
    /// The region numbers typed without `+` are read in (ISO 3166, e.g. "US").
    pub region: Option<String>,
    /// The provider calls go through when none is named.
    pub default_provider: Option<String>,
    /// The person's providers by name: kind and non-secret settings.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Ask the update server for a newer Dialtone at each launch (off unless the person
    /// turns it on: a check tells the server this copy's version and address).
    pub check_for_updates: bool,
    /// Decline every incoming live call (486) and keep it as missed; nothing rings.
    pub do_not_disturb: bool,
    /// Closing the window keeps Dialtone running in the tray while a SIP account is
    /// registered, so calls still ring. On unless the person turns it off.
    pub close_to_tray: bool,
    /// Keys written by other versions of Dialtone, kept as they were.
    pub other: toml::Table,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            appearance: Appearance::default(),
            audio: AudioDevices::default(),
            call_audio: CallAudio::default(),
            ringtone: RingtoneSettings::default(),
            region: None,
            default_provider: None,
            providers: BTreeMap::new(),
            check_for_updates: false,
            do_not_disturb: false,
            close_to_tray: true,
            other: toml::Table::new(),
        }
    }
}

const APPEARANCE: &str = "appearance";
const REGION: &str = "region";
const DEFAULT_PROVIDER: &str = "default_provider";
const PROVIDERS: &str = "providers";
const AUDIO: &str = "audio";
const CALL_AUDIO: &str = "call_audio";
const RINGTONE: &str = "ringtone";
const CHECK_FOR_UPDATES: &str = "check_for_updates";
const DO_NOT_DISTURB: &str = "do_not_disturb";
const CLOSE_TO_TRAY: &str = "close_to_tray";

fn flag_from(key: &str, value: Option<toml::Value>) -> std::result::Result<bool, String> {
    match value {
        None => Ok(false),
        Some(toml::Value::Boolean(on)) => Ok(on),
        Some(other) => Err(format!("{key} is {other}; it must be true or false, without quotes")),
    }
}

fn audio_from(value: Option<toml::Value>) -> std::result::Result<AudioDevices, String> {
    let Some(value) = value else { return Ok(AudioDevices::default()) };
    AudioDevices::deserialize(value).map_err(|err| format!("[audio]: {}", err.message()))
}

fn call_audio_from(value: Option<toml::Value>) -> std::result::Result<CallAudio, String> {
    let Some(value) = value else { return Ok(CallAudio::default()) };
    CallAudio::deserialize(value).map_err(|err| format!("[call_audio]: {}", err.message()))
}

fn ringtone_from(value: Option<toml::Value>) -> std::result::Result<RingtoneSettings, String> {
    let Some(value) = value else { return Ok(RingtoneSettings::default()) };
    let ringtone =
        RingtoneSettings::deserialize(value).map_err(|err| format!("[ringtone]: {}", err.message().trim_end()))?;
    ringtone.check().map_err(|why| format!("[ringtone]: {why}"))?;
    Ok(ringtone)
}

fn text_from(key: &str, value: Option<toml::Value>) -> std::result::Result<Option<String>, String> {
    match value {
        None => Ok(None),
        Some(toml::Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(format!("{key} is {other}; it must be text, in quotes")),
    }
}

fn providers_from(value: Option<toml::Value>) -> std::result::Result<BTreeMap<String, ProviderConfig>, String> {
    let Some(value) = value else { return Ok(BTreeMap::new()) };
    let toml::Value::Table(table) = value else {
        return Err("providers must be a table: [providers.NAME] sections".to_owned());
    };
    table
        .into_iter()
        .map(|(name, value)| {
            ProviderConfig::deserialize(value)
                .map(|config| (name.clone(), config))
                .map_err(|err| format!("provider “{name}”: {}", err.message()))
        })
        .collect()
}

/// The appearance named in the file, with a message a person can act on when it is wrong.
fn appearance_from(value: Option<&toml::Value>) -> std::result::Result<Appearance, String> {
    const CHOICES: &str = r#""system", "light" or "dark""#;
    match value {
        None => Ok(Appearance::default()),
        Some(toml::Value::String(name)) => Appearance::deserialize(toml::Value::String(name.clone()))
            .map_err(|_| format!(r#"appearance is "{name}"; it must be {CHOICES}"#)),
        Some(other) => Err(format!("appearance is {other}; it must be {CHOICES}, in quotes")),
    }
}

impl Settings {
    /// Reads the settings; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => return Err(Error::io("read the settings file", path, &err)),
        };
        let invalid = |why: String| {
            Error::new(
                ErrorCode::SettingsInvalid,
                format!(
                    "The settings file {} could not be read, so it was left as it is. Fix or remove it: {why}",
                    path.display()
                ),
            )
        };
        let parse_error = |err: toml::de::Error| {
            let line = err.span().map(|span| text[..span.start].lines().count().max(1));
            invalid(match line {
                Some(line) => format!("line {line}: {}", err.message()),
                None => err.message().to_owned(),
            })
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(parse_error)?;
        let appearance = appearance_from(table.remove(APPEARANCE).as_ref()).map_err(invalid)?;
        let region = text_from(REGION, table.remove(REGION)).map_err(invalid)?;
        let default_provider = text_from(DEFAULT_PROVIDER, table.remove(DEFAULT_PROVIDER)).map_err(invalid)?;
        let providers = providers_from(table.remove(PROVIDERS)).map_err(invalid)?;
        let audio = audio_from(table.remove(AUDIO)).map_err(invalid)?;
        let call_audio = call_audio_from(table.remove(CALL_AUDIO)).map_err(invalid)?;
        let ringtone = ringtone_from(table.remove(RINGTONE)).map_err(invalid)?;
        let check_for_updates = flag_from(CHECK_FOR_UPDATES, table.remove(CHECK_FOR_UPDATES)).map_err(invalid)?;
        let do_not_disturb = flag_from(DO_NOT_DISTURB, table.remove(DO_NOT_DISTURB)).map_err(invalid)?;
        let close_to_tray = match table.remove(CLOSE_TO_TRAY) {
            None => true,
            some => flag_from(CLOSE_TO_TRAY, some).map_err(invalid)?,
        };
        Ok(Self {
            appearance,
            audio,
            call_audio,
            ringtone,
            region,
            default_provider,
            providers,
            check_for_updates,
            do_not_disturb,
            close_to_tray,
            other: table,
        })
    }

    /// Reads, changes and writes the settings while holding a lock on a file beside
    /// them (`settings.toml.lock`), so the app and the CLI saving at the same moment
    /// cannot overwrite each other's change. If `change` fails, nothing is written.
    pub fn update(path: &Path, change: impl FnOnce(&mut Self) -> Result<()>) -> Result<Self> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|err| Error::io("create the settings folder", dir, &err))?;
        let lock_path = path.with_extension("toml.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|err| Error::io("open the settings lock", &lock_path, &err))?;
        // Released when `lock` is dropped, also on an early return.
        lock.lock().map_err(|err| Error::io("lock the settings", &lock_path, &err))?;
        let mut settings = Self::load(path)?;
        change(&mut settings)?;
        settings.save(path)?;
        Ok(settings)
    }

    /// Writes the settings atomically (temporary file, then rename). Prefer
    /// [`Settings::update`], which cannot lose another writer's change.
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|err| Error::io("create the settings folder", dir, &err))?;
        let mut table = self.other.clone();
        let appearance = toml::Value::try_from(self.appearance)
            .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
        table.insert(APPEARANCE.to_owned(), appearance);
        if let Some(region) = &self.region {
            table.insert(REGION.to_owned(), toml::Value::String(region.clone()));
        }
        if let Some(name) = &self.default_provider {
            table.insert(DEFAULT_PROVIDER.to_owned(), toml::Value::String(name.clone()));
        }
        if self.check_for_updates {
            table.insert(CHECK_FOR_UPDATES.to_owned(), toml::Value::Boolean(true));
        }
        if self.do_not_disturb {
            table.insert(DO_NOT_DISTURB.to_owned(), toml::Value::Boolean(true));
        }
        if !self.close_to_tray {
            table.insert(CLOSE_TO_TRAY.to_owned(), toml::Value::Boolean(false));
        }
        if self.audio != AudioDevices::default() {
            let audio = toml::Value::try_from(&self.audio)
                .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
            table.insert(AUDIO.to_owned(), audio);
        }
        if self.call_audio != CallAudio::default() {
            let call_audio = toml::Value::try_from(self.call_audio)
                .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
            table.insert(CALL_AUDIO.to_owned(), call_audio);
        }
        if self.ringtone != RingtoneSettings::default() {
            let ringtone = toml::Value::try_from(self.ringtone)
                .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
            table.insert(RINGTONE.to_owned(), ringtone);
        }
        if !self.providers.is_empty() {
            let providers = toml::Value::try_from(&self.providers)
                .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
            table.insert(PROVIDERS.to_owned(), providers);
        }
        let text = toml::to_string_pretty(&table)
            .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|err| Error::io("write a file in", dir, &err))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|err| Error::io("write the settings file", path, &err))?;
        file.persist(path).map_err(|err| Error::io("replace the settings file", path, &err.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two writers at once (the app and the CLI): every change survives.
    #[test]
    fn concurrent_updates_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for n in 0..25 {
                        Settings::update(&path, |s| {
                            let count = s.other.get("count").and_then(toml::Value::as_integer).unwrap_or(0);
                            // Widen the window between read and write, as a slow disk would.
                            std::thread::yield_now();
                            s.other.insert("count".into(), toml::Value::Integer(count + 1));
                            s.other.insert(format!("w{writer}"), toml::Value::Integer(n));
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let settings = Settings::load(&path).unwrap();
        assert_eq!(settings.other.get("count").and_then(toml::Value::as_integer), Some(100));
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        Settings::update(&path, |s| {
            s.region = Some("GB".into());
            Ok(())
        })
        .unwrap();
        let err = Settings::update(&path, |s| {
            s.region = Some("FR".into());
            Err(Error::invalid_input("no"))
        })
        .unwrap_err();
        assert_eq!(err.message, "no");
        assert_eq!(Settings::load(&path).unwrap().region.as_deref(), Some("GB"));
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(&dir.path().join("settings.toml")).unwrap(), Settings::default());
    }

    #[test]
    fn saves_and_loads_back_keeping_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "appearance = \"light\"\nfuture_key = 3\n").unwrap();
        let mut settings = Settings::load(&path).unwrap();
        assert_eq!(settings.appearance, Appearance::Light);
        settings.appearance = Appearance::Dark;
        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("appearance = \"dark\""), "{text}");
        assert!(text.contains("future_key = 3"), "{text}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
    }

    #[test]
    fn malformed_file_is_reported_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "appearance = \"purple\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert_eq!(err.code, ErrorCode::SettingsInvalid);
        assert!(err.message.contains("settings.toml") && err.message.contains("left as it is"), "{}", err.message);
        assert!(
            err.message.ends_with(r#"appearance is "purple"; it must be "system", "light" or "dark""#),
            "{}",
            err.message
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "appearance = \"purple\"\n");
    }

    #[test]
    fn audio_devices_round_trip_and_a_typo_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let mut settings = Settings::default();
        settings.audio.output = Some("pulseaudio:alsa_output.usb-headset".into());
        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[audio]") && text.contains("output = \"pulseaudio:alsa_output.usb-headset\""), "{text}");
        assert_eq!(Settings::load(&path).unwrap(), settings);
        std::fs::write(&path, "[audio]\nouptut = \"x\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.message.contains("[audio]") && err.message.contains("ouptut"), "{}", err.message);
    }

    #[test]
    fn call_audio_is_all_on_until_turned_off_and_a_typo_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        assert_eq!(Settings::load(&path).unwrap().call_audio, CallAudio::default());
        Settings::default().save(&path).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("call_audio"));
        let mut settings = Settings::default();
        settings.call_audio.echo_cancellation = false;
        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[call_audio]") && text.contains("echo_cancellation = false"), "{text}");
        let loaded = Settings::load(&path).unwrap().call_audio;
        assert_eq!(loaded, CallAudio { echo_cancellation: false, noise_suppression: true, gain_control: true });
        std::fs::write(&path, "[call_audio]\necho_cancelation = false\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.message.contains("[call_audio]") && err.message.contains("echo_cancelation"), "{}", err.message);
    }

    #[test]
    fn the_ringtone_is_the_trill_at_full_volume_until_changed_and_a_bad_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let mut settings = Settings::default();
        assert_eq!(settings.ringtone, RingtoneSettings { style: dialtone_audio::Ringtone::Trill, volume: 100 });
        settings.save(&path).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("ringtone"));
        settings.ringtone = RingtoneSettings { style: dialtone_audio::Ringtone::Chime, volume: 40 };
        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[ringtone]\nstyle = \"chime\"\nvolume = 40\n"), "{text}");
        assert_eq!(Settings::load(&path).unwrap().ringtone, settings.ringtone);

        for (text, words) in [
            ("[ringtone]\nstyle = \"siren\"\n", "siren"),
            ("[ringtone]\nvolume = 150\n", "150"),
            ("[ringtone]\nvolume = 0\n", "Do not disturb"),
            ("[ringtone]\nvolum = 50\n", "volum"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Settings::load(&path).unwrap_err();
            assert_eq!(err.code, ErrorCode::SettingsInvalid);
            assert!(err.message.contains("[ringtone]") && err.message.contains(words), "{text}: {}", err.message);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "left as it was");
        }
    }

    #[test]
    fn providers_round_trip_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let mut settings =
            Settings { region: Some("US".into()), default_provider: Some("work".into()), ..Settings::default() };
        let config = ProviderConfig {
            kind: crate::providers::Kind::Blooio,
            settings: [("base_url".to_owned(), "https://b.example".to_owned())].into(),
        };
        settings.providers.insert("work".into(), config);
        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[providers.work]") && text.contains("kind = \"blooio\""), "{text}");
        assert_eq!(Settings::load(&path).unwrap(), settings);
    }

    #[test]
    fn a_broken_provider_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "[providers.work]\nkind = \"carrier-pigeon\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.message.contains("provider “work”"), "{}", err.message);
    }

    #[test]
    fn do_not_disturb_is_off_until_turned_on_and_survives_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        assert!(!Settings::load(&path).unwrap().do_not_disturb);
        Settings::update(&path, |s| {
            s.do_not_disturb = true;
            Ok(())
        })
        .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("do_not_disturb = true"));
        assert!(Settings::load(&path).unwrap().do_not_disturb);
        std::fs::write(&path, "do_not_disturb = 1\n").unwrap();
        assert!(Settings::load(&path).unwrap_err().message.contains("do_not_disturb is 1"));
    }

    #[test]
    fn closing_to_the_tray_is_on_until_turned_off_and_only_off_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        assert!(Settings::default().close_to_tray);
        assert!(Settings::load(&path).unwrap().close_to_tray, "no file");
        std::fs::write(&path, "region = \"GB\"\n").unwrap();
        assert!(Settings::load(&path).unwrap().close_to_tray, "a file without the key");
        Settings::update(&path, |s| {
            s.close_to_tray = false;
            Ok(())
        })
        .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("close_to_tray = false"));
        assert!(!Settings::load(&path).unwrap().close_to_tray);
        Settings::update(&path, |s| {
            s.close_to_tray = true;
            Ok(())
        })
        .unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("close_to_tray"));
    }

    #[test]
    fn the_update_check_is_off_until_turned_on_and_a_quoted_flag_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        assert!(!Settings::load(&path).unwrap().check_for_updates);
        Settings::update(&path, |s| {
            s.check_for_updates = true;
            Ok(())
        })
        .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("check_for_updates = true"));
        assert!(Settings::load(&path).unwrap().check_for_updates);
        std::fs::write(&path, "check_for_updates = \"yes\"\n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(
            err.message.ends_with(r#"check_for_updates is "yes"; it must be true or false, without quotes"#),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "# mine\nappearance = \"dark\"\nregion = \n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.message.contains("line 3: "), "{}", err.message);
    }
}
