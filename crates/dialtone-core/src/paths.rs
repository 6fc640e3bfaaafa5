//! Where Dialtone keeps things.
//!
//! By default each kind of file goes where the operating system expects it (settings in
//! the config folder, contacts and history in the data folder, logs in the log folder).
//! `--data-dir DIR` or `DIALTONE_DATA_DIR` puts all of them under one folder instead,
//! for tests and portable installs; the app and the CLI share the rule.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The environment variable that moves every file Dialtone writes.
pub const DATA_DIR_ENV: &str = "DIALTONE_DATA_DIR";

/// The folders Dialtone reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// Resolves the folders: all under `data_dir` when given, else the OS's own places.
    pub fn resolve(data_dir: Option<&Path>) -> Result<Self> {
        match data_dir {
            Some(dir) => Ok(Self::under(dir)),
            None => Self::os_default(),
        }
    }

    /// Everything under one folder: settings and data at its top, logs in `logs/`.
    pub fn under(dir: &Path) -> Self {
        Self { config_dir: dir.to_path_buf(), data_dir: dir.to_path_buf(), log_dir: dir.join("logs") }
    }

    fn os_default() -> Result<Self> {
        let dirs = directories::ProjectDirs::from("app", "Dialtone", "dialtone").ok_or_else(|| {
            Error::internal("Could not find your home folder, so there is nowhere to keep settings. Set DIALTONE_DATA_DIR or pass --data-dir.")
        })?;
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            log_dir: os_log_dir(&dirs),
        })
    }

    /// The settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.toml")
    }
}

/// Logs go where each OS's tools look for them: the XDG state folder on Linux,
/// `~/Library/Logs` on macOS, the local app-data folder on Windows.
fn os_log_dir(dirs: &directories::ProjectDirs) -> PathBuf {
    if cfg!(target_os = "macos")
        && let Some(base) = directories::BaseDirs::new()
    {
        return base.home_dir().join("Library/Logs/Dialtone");
    }
    dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_moves_everything_under_it() {
        let paths = Paths::resolve(Some(Path::new("/tmp/portable"))).unwrap();
        assert_eq!(paths.config_dir, Path::new("/tmp/portable"));
        assert_eq!(paths.data_dir, Path::new("/tmp/portable"));
        assert_eq!(paths.log_dir, Path::new("/tmp/portable/logs"));
        assert_eq!(paths.settings_file(), Path::new("/tmp/portable/settings.toml"));
    }

    #[test]
    fn os_default_keeps_logs_apart_from_settings() {
        let paths = Paths::resolve(None).unwrap();
        assert_ne!(paths.log_dir, paths.config_dir);
        assert!(paths.config_dir.ends_with("dialtone") || paths.config_dir.ends_with("Dialtone"));
    }
}
