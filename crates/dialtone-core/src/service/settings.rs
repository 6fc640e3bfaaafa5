//! Preferences: appearance, sound devices, home region and default provider, each
//! saved under the settings file's lock.

use super::Dialtone;
use super::providers::unknown_provider;
use crate::settings::Settings;
use crate::{Result, numbers};

impl Dialtone {
    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.paths.settings_file())
    }

    pub(super) fn update(&self, change: impl FnOnce(&mut Settings) -> Result<()>) -> Result<Settings> {
        Settings::update(&self.paths.settings_file(), change)
    }

    /// Light, dark or the system's; returns the settings as saved.
    pub fn set_appearance(&self, appearance: crate::settings::Appearance) -> Result<Settings> {
        self.update(|s| {
            s.appearance = appearance;
            Ok(())
        })
    }

    /// Turns Do not disturb on or off; returns it as saved.
    pub fn set_do_not_disturb(&self, on: bool) -> Result<bool> {
        self.update(|s| {
            s.do_not_disturb = on;
            Ok(())
        })
        .map(|settings| settings.do_not_disturb)
    }

    /// Whether closing the window keeps Dialtone in the tray; returns it as saved.
    pub fn set_close_to_tray(&self, on: bool) -> Result<bool> {
        self.update(|s| {
            s.close_to_tray = on;
            Ok(())
        })
        .map(|settings| settings.close_to_tray)
    }

    /// Turns the check for a newer Dialtone at launch on or off.
    pub fn set_check_for_updates(&self, on: bool) -> Result<Settings> {
        self.update(|s| {
            s.check_for_updates = on;
            Ok(())
        })
    }

    /// Chooses what an incoming call rings with, and how loud; returns it as saved.
    pub fn set_ringtone(
        &self,
        ringtone: crate::settings::RingtoneSettings,
    ) -> Result<crate::settings::RingtoneSettings> {
        ringtone.check().map_err(crate::Error::invalid_input)?;
        self.update(|s| {
            s.ringtone = ringtone;
            Ok(())
        })
        .map(|settings| settings.ringtone)
    }

    /// Turns a live call's echo cancellation, noise suppression and automatic gain on
    /// or off; returns them as saved.
    pub fn set_call_audio(&self, call_audio: crate::settings::CallAudio) -> Result<crate::settings::CallAudio> {
        self.update(|s| {
            s.call_audio = call_audio;
            Ok(())
        })
        .map(|settings| settings.call_audio)
    }

    /// Remembers the chosen sound devices (`None` in a field: the system default) and
    /// returns them as saved.
    pub fn set_audio_devices(&self, devices: crate::settings::AudioDevices) -> Result<crate::settings::AudioDevices> {
        self.update(|s| {
            s.audio = crate::settings::AudioDevices {
                input: crate::settings::device_id(devices.input),
                output: crate::settings::device_id(devices.output),
                ringer: crate::settings::device_id(devices.ringer),
            };
            Ok(())
        })
        .map(|settings| settings.audio)
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
}
