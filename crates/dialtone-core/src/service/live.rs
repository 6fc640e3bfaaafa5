//! Live calls (a SIP account): the account to register with, and writing each call
//! to the history once it has ended. The call itself runs in `dialtone_sip`, driven
//! by the CLI (`dialtone call --via`, `dialtone listen`) and later the window.

use std::path::PathBuf;

use dialtone_audio::ToneRegion;
use dialtone_audio::processing::Processing;
use dialtone_sip::{Input, MediaIo, Output};

use super::Dialtone;
use super::providers::choose_in;
use crate::history::{CallDirection, History, LiveAttempt};
use crate::providers::{Kind, Outcome, ProviderConfig, sip};
use crate::{Error, ErrorCode, Result};

/// A SIP account ready to register: its provider name, settings and account.
#[derive(Debug)]
pub struct LiveAccount {
    pub name: String,
    pub config: ProviderConfig,
    pub account: dialtone_sip::Account,
}

/// A live call as it ended, for the history.
#[derive(Debug, Clone)]
pub struct LiveCall<'a> {
    pub provider: &'a str,
    pub typed: &'a str,
    pub target: &'a str,
    pub direction: CallDirection,
    pub reason: dialtone_sip::EndReason,
    pub message: &'a str,
    pub duration_s: f64,
    /// The sound figures at the end, when it was answered.
    pub stats: Option<&'a dialtone_sip::media::MediaStats>,
}

/// The history outcome of a live call's end.
pub fn outcome_of(reason: dialtone_sip::EndReason, duration_s: f64, answered: bool) -> Outcome {
    use dialtone_sip::EndReason as R;
    match reason {
        R::HungUp | R::RemoteHungUp => Outcome::Answered,
        _ if answered || duration_s > 0.0 => Outcome::Answered,
        R::Cancelled => Outcome::Cancelled,
        R::Missed => Outcome::Missed,
        R::Declined => Outcome::Declined,
        R::Busy => Outcome::Busy,
        R::NoAnswer => Outcome::NoAnswer,
        R::Rejected | R::Failed => Outcome::Failed,
    }
}

impl Dialtone {
    /// A live call's sound: the chosen microphone (cleaned as the person chose) and
    /// speaker, unless a WAV file stands in for either (the CLI's `--play`, `--record`).
    pub fn live_media_io(&self, play: Option<PathBuf>, record: Option<PathBuf>) -> Result<MediaIo> {
        let settings = self.settings()?;
        let region = ToneRegion::for_country(settings.region.as_deref().unwrap_or("US"));
        let cleanup = settings.call_audio;
        let processing = Processing {
            echo_cancellation: cleanup.echo_cancellation,
            noise_suppression: cleanup.noise_suppression,
            gain_control: cleanup.gain_control,
        };
        Ok(MediaIo {
            input: match play {
                Some(path) => Input::Wav(path),
                None => Input::Microphone(settings.audio.input.clone(), processing),
            },
            output: match record {
                Some(path) => Output::Wav(path),
                None => Output::Speaker(settings.audio.output.clone()),
            },
            region,
        })
    }

    /// The SIP account `via` names (or the default provider, if it is one), with its
    /// password from the keychain.
    pub fn live_account(&self, via: Option<&str>) -> Result<LiveAccount> {
        let settings = self.settings()?;
        let (name, config) = choose_in(&settings, via)?;
        if config.kind != Kind::Sip {
            return Err(Error::invalid_input(format!(
                "{name} ({}) is not a SIP account: only a SIP account can carry a call here or wait for calls.",
                config.label()
            )));
        }
        let password = self.secrets.secret(&name, "password")?.ok_or_else(|| {
            Error::new(
                ErrorCode::SecretMissing,
                format!(
                    "{name} ({}): the password is not stored yet. Store it with `dialtone provider secret {name} password`.",
                    config.label()
                ),
            )
        })?;
        let account = sip::account(&config.settings, password)?;
        Ok(LiveAccount { name, config, account })
    }

    /// The name of the contact `number` belongs to, if any.
    pub fn contact_name(&self, number: &str) -> Option<String> {
        let settings = self.settings().ok()?;
        self.resolve_in(&settings, number).ok().and_then(|(_, contact)| contact).map(|c| c.name)
    }

    /// Writes a live call to the history. A history that cannot be written is logged:
    /// the call happened either way.
    pub fn record_live_call(&self, call: &LiveCall<'_>) -> Option<i64> {
        let settings = self.settings().ok()?;
        let answered = call.duration_s > 0.0;
        let outcome = outcome_of(call.reason, call.duration_s, answered);
        let contact_id = self.resolve_in(&settings, call.typed).ok().and_then(|(_, c)| c.map(|c| c.id));
        let attempt = LiveAttempt {
            provider: call.provider,
            kind: Kind::Sip.id(),
            typed: call.typed,
            target: call.target,
            contact_id,
            direction: call.direction,
            outcome,
            duration_ms: answered.then(|| (call.duration_s * 1000.0).round() as i64),
            message: (outcome != Outcome::Answered).then_some(call.message),
            stats: call.stats.filter(|_| outcome == Outcome::Answered),
        };
        match self.with_db(|conn| History::new(conn).record_live(&attempt, Self::keep_days(&settings))) {
            Ok(id) => Some(id),
            Err(err) => {
                tracing::warn!("could not write the call to the history: {}", err.message);
                None
            }
        }
    }
}
