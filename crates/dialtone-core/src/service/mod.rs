//! What the desktop app and the `dialtone` command do, in one place.
//!
//! Both surfaces are thin: they parse what the person gave, call one method of
//! [`Dialtone`], and show the result. Settings are read fresh for each operation (the
//! file is small, and the CLI or a hand edit may have changed it); secrets go to and
//! come from the [`SecretStore`] only.
//!
//! One file per concern, each with its own `impl Dialtone`: `calls` (a call's life:
//! placing it under a [`CallControl`], its [`CallEvent`]s, hanging up, recording the outcome), `targets` (what typed text calls), `providers`
//! (adding, changing and choosing them, their secrets), `contacts`, `history` and
//! `settings`.

use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::providers::Dialer;
use crate::{Error, Paths, Result};

mod calls;
mod contacts;
mod history;
mod live;
mod phone;
mod providers;
mod settings;
mod targets;

pub use crate::keychain::{OsKeychain, SecretStore};
pub use calls::{CallControl, CallEvent, STOPPED_WAITING};
pub use dialtone_sip::CallDirection as LiveDirection;
pub use history::HISTORY_KEEP_DAYS;
pub use live::{LiveAccount, LiveCall, outcome_of};
pub use phone::{DeskPhone, LineStatus, LineView, LiveCallView, LiveState, PhoneUpdate, apply, number_of};
pub use providers::{ProviderView, Save, SecretState};

/// Dialtone's operations over one data folder.
#[derive(Clone)]
pub struct Dialtone {
    paths: Paths,
    dialer: Arc<Dialer>,
    secrets: Arc<dyn SecretStore>,
    /// Opened on first use and kept: search runs on every keystroke.
    db: Arc<Mutex<Option<Connection>>>,
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

    pub fn paths(&self) -> &Paths {
        &self.paths
    }
}
