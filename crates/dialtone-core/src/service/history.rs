//! The call history: listing and deleting entries, and how long they are kept.

use super::Dialtone;
use crate::Result;
use crate::history::{CallRecord, History};
use crate::settings::Settings;

/// The settings key for how long history is kept, in days (0: forever).
pub const HISTORY_KEEP_DAYS: &str = "history_keep_days";

impl Dialtone {
    pub fn history(&self, limit: u32) -> Result<Vec<CallRecord>> {
        self.with_db(|conn| History::new(conn).list(limit))
    }

    pub fn delete_history_entry(&self, id: i64) -> Result<()> {
        self.with_db(|conn| History::new(conn).delete(id))
    }

    /// Records how a Sendblue call's audio went, once it ended (see
    /// [`History::finish_live_audio`]).
    pub fn finish_live_audio(&self, channel: &str, duration_ms: Option<i64>, message: &str) -> Result<bool> {
        self.with_db(|conn| History::new(conn).finish_live_audio(channel, duration_ms, message))
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

    pub(super) fn keep_days(settings: &Settings) -> u32 {
        settings
            .other
            .get(HISTORY_KEEP_DAYS)
            .and_then(toml::Value::as_integer)
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(0)
    }
}
