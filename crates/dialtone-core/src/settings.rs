//! The person's preferences: a TOML file in the config folder.
//!
//! Saving writes a temporary file beside the real one and renames it over, so a crash
//! mid-write leaves either the old settings or the new ones, never half of each. A file
//! that cannot be read is reported and left as it is: we never overwrite what the
//! person may want to fix by hand. Keys this version does not know are kept.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

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

/// Everything in `settings.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub appearance: Appearance,
    /// Keys written by other versions of Dialtone, kept as they were.
    pub other: toml::Table,
}

const APPEARANCE: &str = "appearance";

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
        Ok(Self { appearance, other: table })
    }

    /// Writes the settings atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|err| Error::io("create the settings folder", dir, &err))?;
        let mut table = self.other.clone();
        let appearance = toml::Value::try_from(self.appearance)
            .map_err(|err| Error::internal(format!("Could not write settings: {err}")))?;
        table.insert(APPEARANCE.to_owned(), appearance);
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
    fn a_syntax_error_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "# mine\nappearance = \"dark\"\nregion = \n").unwrap();
        let err = Settings::load(&path).unwrap_err();
        assert!(err.message.contains("line 3: "), "{}", err.message);
    }
}
