//! Call history: every call attempt, from the app or the CLI, in the database.
//!
//! A row says when, through which provider, what the person typed and what was sent,
//! the contact it belongs to, and how it went: placed (with the call id), a FaceTime
//! link (with when it expires), a live audio session, recorded in the CRM, or failed
//! (with the reason, already free of secrets). Rows older than the keep-for setting are
//! removed as new ones are written.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use dialtone_sip::media::MediaStats;

use crate::db::{failed, now_ms};
use crate::providers::{CallOutcome, Outcome, Placed};
use crate::{Error, Result};

/// One call attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallRecord {
    pub id: i64,
    /// Unix time in milliseconds.
    pub at: i64,
    pub provider: String,
    pub kind: String,
    /// What the person typed or clicked.
    pub typed: String,
    /// The target exactly as sent to the provider (or as parsed, when it failed first).
    pub target: String,
    /// The target as people read it: `+1 415-555-0123` for `+14155550123`.
    pub target_display: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub outcome: Outcome,
    pub call_id: Option<String>,
    pub link: Option<String>,
    /// Unix seconds after which the link no longer works.
    pub link_expires_at: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub direction: CallDirection,
    /// How long a live call was connected, in milliseconds.
    pub duration_ms: Option<i64>,
    /// An answered live call's sound figures at its end (loss, jitter, round trip),
    /// from which History reports its quality.
    pub stats: Option<MediaStats>,
}

/// Which way a call went: every REST provider's call is outgoing; a SIP account also
/// receives calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

impl CallDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Outgoing => "outgoing",
            CallDirection::Incoming => "incoming",
        }
    }
}

/// A live call (SIP) as it ended.
#[derive(Debug)]
pub struct LiveAttempt<'a> {
    pub provider: &'a str,
    pub kind: &'a str,
    /// What was typed, or the caller's address for an incoming call.
    pub typed: &'a str,
    /// The request URI, or the caller's URI.
    pub target: &'a str,
    pub contact_id: Option<i64>,
    pub direction: CallDirection,
    pub outcome: Outcome,
    pub duration_ms: Option<i64>,
    /// How it ended, in words (never a secret).
    pub message: Option<&'a str>,
    /// Its sound figures at the end, when it was answered.
    pub stats: Option<&'a MediaStats>,
}

/// What to write for one attempt.
#[derive(Debug)]
pub struct Attempt<'a> {
    pub provider: &'a str,
    pub kind: &'a str,
    pub typed: &'a str,
    pub target: &'a str,
    pub contact_id: Option<i64>,
    pub result: &'a Result<Placed>,
}

/// The history of one database connection.
#[derive(Debug)]
pub struct History<'c> {
    conn: &'c Connection,
}

const COLUMNS: &str = "h.id, h.at, h.provider, h.kind, h.typed, h.target, h.contact_id, c.name, h.outcome, h.call_id, h.link, \
                       h.link_expires_at, h.error_code, h.error_message, h.direction, h.duration_ms, h.stats";

impl<'c> History<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// Writes one attempt, then removes rows older than `keep_days` (0 keeps everything).
    pub fn record(&self, attempt: &Attempt<'_>, keep_days: u32) -> Result<i64> {
        let (outcome, call_id, link, expires, code, message, target) = match attempt.result {
            Ok(placed) => {
                let (call_id, link, expires) = match &placed.outcome {
                    CallOutcome::Placed { call_id } | CallOutcome::Recorded { call_id, .. } => {
                        (call_id.clone(), None, None)
                    }
                    CallOutcome::FacetimeLink { link, expires_at, .. } => {
                        (None, Some(link.clone()), Some(i64::from(*expires_at)))
                    }
                    CallOutcome::LiveAudio { agora } => (Some(agora.channel_name.clone()), None, None),
                };
                (placed.outcome.name(), call_id, link, expires, None, None, placed.to.as_str())
            }
            Err(err) => {
                let code = serde_json::to_value(err.code).ok().and_then(|v| v.as_str().map(str::to_owned));
                (Outcome::of_error(err), None, None, None, code, Some(err.message.clone()), attempt.target)
            }
        };
        self.conn
            .execute(
                "INSERT INTO calls (at, provider, kind, typed, target, contact_id, outcome, call_id, link, link_expires_at, error_code, error_message) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![now_ms(), attempt.provider, attempt.kind, attempt.typed, target, attempt.contact_id, outcome.as_str(), call_id, link, expires, code, message],
            )
            .map_err(failed)?;
        let id = self.conn.last_insert_rowid();
        self.expire(keep_days)?;
        Ok(id)
    }

    /// Writes a live call once it has ended.
    pub fn record_live(&self, call: &LiveAttempt<'_>, keep_days: u32) -> Result<i64> {
        let stats = call
            .stats
            .map(serde_json::to_string)
            .transpose()
            .map_err(|err| Error::internal(format!("Could not write the call's quality figures: {err}")))?;
        self.conn
            .execute(
                "INSERT INTO calls (at, provider, kind, typed, target, contact_id, outcome, error_message, direction, duration_ms, stats) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    now_ms(),
                    call.provider,
                    call.kind,
                    call.typed,
                    call.target,
                    call.contact_id,
                    call.outcome.as_str(),
                    call.message,
                    call.direction.as_str(),
                    call.duration_ms,
                    stats
                ],
            )
            .map_err(failed)?;
        let id = self.conn.last_insert_rowid();
        self.expire(keep_days)?;
        Ok(id)
    }

    /// Writes how a live-audio call (Sendblue's Agora session, recorded when it was
    /// placed) went: how long it was connected and how it ended. The newest row with
    /// that channel; false when there is none (cleared meanwhile).
    pub fn finish_live_audio(&self, channel: &str, duration_ms: Option<i64>, message: &str) -> Result<bool> {
        let changed = self
            .conn
            .execute(
                "UPDATE calls SET duration_ms = ?2, error_message = ?3 WHERE id = \
                 (SELECT max(id) FROM calls WHERE call_id = ?1 AND outcome = 'live_audio')",
                params![channel, duration_ms, message],
            )
            .map_err(failed)?;
        Ok(changed == 1)
    }

    fn expire(&self, keep_days: u32) -> Result<()> {
        if keep_days > 0 {
            let cutoff = now_ms() - i64::from(keep_days) * 86_400_000;
            self.conn.execute("DELETE FROM calls WHERE at < ?1", [cutoff]).map_err(failed)?;
        }
        Ok(())
    }

    /// The newest `limit` attempts, newest first.
    pub fn list(&self, limit: u32) -> Result<Vec<CallRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM calls h LEFT JOIN contacts c ON c.id = h.contact_id ORDER BY h.at DESC, h.id DESC LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(failed)?;
        stmt.query_map([limit], row).map_err(failed)?.collect::<rusqlite::Result<_>>().map_err(failed)
    }

    pub fn get(&self, id: i64) -> Result<CallRecord> {
        let sql = format!("SELECT {COLUMNS} FROM calls h LEFT JOIN contacts c ON c.id = h.contact_id WHERE h.id = ?1");
        self.conn.query_row(&sql, [id], row).optional().map_err(failed)?.ok_or_else(|| {
            Error::invalid_input(format!("There is no call {id} in the history; it may have been cleared."))
        })
    }

    /// The provider that placed the call with this id (the newest, if ids repeat).
    pub fn provider_of(&self, call_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT provider FROM calls WHERE call_id = ?1 ORDER BY at DESC, id DESC LIMIT 1",
                [call_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(failed)
    }

    pub fn delete(&self, id: i64) -> Result<()> {
        self.conn.execute("DELETE FROM calls WHERE id = ?1", [id]).map_err(failed)?;
        Ok(())
    }

    /// Removes every row; returns how many.
    pub fn clear(&self) -> Result<usize> {
        self.conn.execute("DELETE FROM calls", []).map_err(failed)
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    Ok(CallRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        provider: r.get(2)?,
        kind: r.get(3)?,
        typed: r.get(4)?,
        target: r.get(5)?,
        target_display: crate::numbers::for_people(&r.get::<_, String>(5)?),
        contact_id: r.get(6)?,
        contact_name: r.get(7)?,
        outcome: outcome_at(r, 8)?,
        call_id: r.get(9)?,
        link: r.get(10)?,
        link_expires_at: r.get(11)?,
        error_code: r.get(12)?,
        error_message: r.get(13)?,
        direction: match r.get::<_, String>(14)?.as_str() {
            "incoming" => CallDirection::Incoming,
            _ => CallDirection::Outgoing,
        },
        duration_ms: r.get(15)?,
        // Figures that do not read (a newer Dialtone's) leave the row without a
        // report rather than hide the whole history.
        stats: r.get::<_, Option<String>>(16)?.and_then(|json| serde_json::from_str(&json).ok()),
    })
}

/// The outcome stored in column `index`. A word this version does not know (written by
/// a newer Dialtone) fails the read with what it found, rather than passing for another.
fn outcome_at(r: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Outcome> {
    let text: String = r.get(index)?;
    Outcome::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("“{text}” is not a call outcome this version of Dialtone knows").into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Kind;

    /// A row as an older (or newer) Dialtone may have written it, straight into the table.
    fn insert_row(conn: &Connection, at: i64, kind: &str, outcome: &str) {
        conn.execute(
            "INSERT INTO calls (at, provider, kind, typed, target, outcome) VALUES (?1, 'p', ?2, 'x', 'x', ?3)",
            params![at, kind, outcome],
        )
        .unwrap();
    }

    #[test]
    fn records_lists_and_clears() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        let history = History::new(&conn);
        let ok: Result<Placed> = Ok(Placed {
            provider: "bl".into(),
            kind: Kind::Blooio,
            to: "+14155550123".into(),
            outcome: CallOutcome::FacetimeLink {
                link: "https://facetime.apple.com/join#v=1&p=x".into(),
                handle: None,
                expires_at: 2_000_000_000,
            },
        });
        let failed: Result<Placed> = Err(Error::new(crate::ErrorCode::ProviderAuth, "bl (Blooio): bad key"));
        let attempt = |result| Attempt {
            provider: "bl",
            kind: "blooio",
            typed: "(415) 555-0123",
            target: "+14155550123",
            contact_id: None,
            result,
        };
        let first = history.record(&attempt(&ok), 0).unwrap();
        history.record(&attempt(&failed), 0).unwrap();
        let rows = history.list(10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].outcome, Outcome::Failed);
        assert_eq!(rows[1].outcome, Outcome::FacetimeLink);
        assert_eq!(rows[0].error_code.as_deref(), Some("provider_auth"));
        assert_eq!(rows[1].link.as_deref(), Some("https://facetime.apple.com/join#v=1&p=x"));
        assert_eq!(rows[1].link_expires_at, Some(2_000_000_000));
        history.delete(first).unwrap();
        assert_eq!(history.list(10).unwrap().len(), 1);
        assert_eq!(history.clear().unwrap(), 1);
        assert!(history.get(first).is_err());
    }

    #[test]
    fn a_sendblue_call_gets_its_duration_when_its_audio_ends() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        let history = History::new(&conn);
        let placed = |channel: &str| -> Result<Placed> {
            Ok(Placed {
                provider: "sb".into(),
                kind: Kind::Sendblue,
                to: "+14155550123".into(),
                outcome: CallOutcome::LiveAudio {
                    agora: crate::providers::AgoraSession {
                        app_id: "a".into(),
                        channel_name: channel.into(),
                        uid: 0,
                        token: crate::redact::SecretString::from("tok".to_owned()),
                    },
                },
            })
        };
        let (one, two) = (placed("chan-1"), placed("chan-2"));
        let attempt = |result| Attempt {
            provider: "sb",
            kind: "sendblue",
            typed: "+14155550123",
            target: "+14155550123",
            contact_id: None,
            result,
        };
        history.record(&attempt(&one), 0).unwrap();
        history.record(&attempt(&two), 0).unwrap();
        assert!(history.finish_live_audio("chan-1", Some(65_000), "The callee hung up.").unwrap());
        assert!(!history.finish_live_audio("chan-9", None, "x").unwrap(), "no such call");
        let rows = history.list(10).unwrap();
        assert_eq!((rows[1].call_id.as_deref(), rows[1].duration_ms), (Some("chan-1"), Some(65_000)));
        assert_eq!(rows[1].error_message.as_deref(), Some("The callee hung up."));
        assert_eq!((rows[0].duration_ms, rows[0].error_message.as_deref()), (None, None), "the other call untouched");
        let all = serde_json::to_string(&rows).unwrap();
        assert!(!all.contains("tok"), "{all}");
    }

    #[test]
    fn old_rows_go_after_the_keep_for_period() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        insert_row(&conn, 1000, "http", "placed");
        let failed: Result<Placed> = Err(Error::internal("x"));
        let attempt =
            Attempt { provider: "p", kind: "http", typed: "y", target: "y", contact_id: None, result: &failed };
        History::new(&conn).record(&attempt, 30).unwrap();
        let rows = History::new(&conn).list(10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].typed, "y");
    }

    /// The words in the database are the ones the UI and `dialtone history --json` show.
    #[test]
    fn every_outcome_is_stored_as_its_snake_case_name_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        for outcome in Outcome::ALL {
            let json = serde_json::to_value(outcome).unwrap();
            assert_eq!(json, outcome.as_str(), "{outcome:?}");
            assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
            insert_row(&conn, 1, "http", outcome.as_str());
        }
        let mut read: Vec<Outcome> = History::new(&conn).list(100).unwrap().iter().map(|r| r.outcome).collect();
        read.reverse();
        assert_eq!(read, Outcome::ALL);
    }

    #[test]
    fn an_outcome_from_a_newer_version_is_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        insert_row(&conn, 1, "sip", "held");
        let err = History::new(&conn).list(10).unwrap_err();
        assert!(err.message.contains("“held” is not a call outcome"), "{}", err.message);
    }

    #[test]
    fn an_answered_live_call_keeps_its_sound_figures_and_unreadable_ones_cost_only_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        let history = History::new(&conn);
        let stats = MediaStats {
            packets_sent: 1500,
            packets_received: 1480,
            packets_lost: 20,
            jitter_ms: 3.5,
            round_trip_ms: Some(42.0),
            remote_loss_percent: Some(1.2),
            ..MediaStats::default()
        };
        let call = |stats| LiveAttempt {
            provider: "office",
            kind: "sip",
            typed: "2002",
            target: "sip:2002@pbx",
            contact_id: None,
            direction: CallDirection::Outgoing,
            outcome: Outcome::Answered,
            duration_ms: Some(30_000),
            message: None,
            stats,
        };
        let with = history.record_live(&call(Some(&stats)), 0).unwrap();
        let without = history.record_live(&call(None), 0).unwrap();
        assert_eq!(history.get(with).unwrap().stats, Some(stats));
        assert_eq!(history.get(without).unwrap().stats, None);

        // Written by some other version: a figure missing reads as its default; what
        // is not figures at all leaves the row without a report, still listed.
        conn.execute("UPDATE calls SET stats = '{\"packets_lost\": 7}' WHERE id = ?1", [with]).unwrap();
        assert_eq!(history.get(with).unwrap().stats, Some(MediaStats { packets_lost: 7, ..MediaStats::default() }));
        conn.execute("UPDATE calls SET stats = 'not json' WHERE id = ?1", [with]).unwrap();
        assert_eq!(history.get(with).unwrap().stats, None);
        assert_eq!(history.list(10).unwrap().len(), 2);
    }
}
