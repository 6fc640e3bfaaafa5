//! Placing a call and recording its outcome, whatever it is; hanging up and asking a
//! call's state of the provider that placed it.
//!
//! The core owns a call's life: whoever starts one (the window, the CLI) hands over a
//! [`CallControl`], through which it can stop the call and hears each [`CallEvent`] as
//! it happens; the core records the outcome in History itself, stopped calls included.

use std::sync::Arc;

use serde::Serialize;

use super::Dialtone;
use super::providers::choose_in;
use crate::contacts::Contact;
use crate::history::{Attempt, History};
use crate::keychain;
use crate::numbers::Target;
use crate::providers::{CallStatus, Kind, Outcome, Placed, ProviderConfig};
use crate::settings::Settings;
use crate::{CancellationToken, Error, ErrorCode, Result};

/// What a call the person stopped waiting for says, in the CLI, the window and History.
pub const STOPPED_WAITING: &str =
    "Stopped waiting. The provider may still connect the call: Dialtone did not cancel it there.";
/// The same, when the request had not been sent yet.
const STOPPED_BEFORE_DIALLING: &str = "Stopped before dialling: nothing was dialled.";

/// What happens to a call, told to whoever placed it as it happens. Live calls add
/// their states here (ringing, answered, held) and reach the window the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CallEvent {
    /// The provider is chosen (the contact's own, the default, or the one named) and the
    /// request is about to be sent to it.
    Dialling { provider: String, kind: Kind, label: String, to: String },
    /// The attempt is over (and in History, once a provider was chosen).
    Ended { outcome: Outcome },
}

/// How the one who placed a call stops it and hears of it.
#[derive(Clone, Default)]
pub struct CallControl {
    /// Stops waiting (the window's button, Ctrl-C).
    pub cancel: CancellationToken,
    report: Option<Arc<dyn Fn(CallEvent) + Send + Sync>>,
}

impl CallControl {
    /// Each [`CallEvent`] goes to `report`, on whatever thread the call runs on.
    #[must_use]
    pub fn reporting(mut self, report: impl Fn(CallEvent) + Send + Sync + 'static) -> Self {
        self.report = Some(Arc::new(report));
        self
    }

    fn report(&self, event: CallEvent) {
        if let Some(report) = &self.report {
            report(event);
        }
    }
}

impl From<CancellationToken> for CallControl {
    fn from(cancel: CancellationToken) -> Self {
        Self { cancel, report: None }
    }
}

impl std::fmt::Debug for CallControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallControl").field("cancel", &self.cancel).field("reporting", &self.report.is_some()).finish()
    }
}

impl Dialtone {
    /// Calls again what a history row called, through the same provider; stopped and
    /// told of like [`Dialtone::place_call`].
    pub async fn redial(&self, id: i64, control: impl Into<CallControl>) -> Result<Placed> {
        let record = self.with_db(|conn| History::new(conn).get(id))?;
        self.place_call(&record.typed, Some(&record.provider), control).await
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
    /// or stopped through `control` (the person stopped waiting, or pressed Ctrl-C).
    /// Never retried: a failure is reported for the person to decide.
    pub async fn place_call(&self, typed: &str, via: Option<&str>, control: impl Into<CallControl>) -> Result<Placed> {
        let control = control.into();
        let result = self.dial(typed, via, &control).await;
        control.report(CallEvent::Ended {
            outcome: match &result {
                Ok(placed) => placed.outcome.name(),
                Err(err) => Outcome::of_error(err),
            },
        });
        result
    }

    async fn dial(&self, typed: &str, via: Option<&str>, control: &CallControl) -> Result<Placed> {
        let cancel = &control.cancel;
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
        control.report(CallEvent::Dialling {
            provider: name.clone(),
            kind: config.kind,
            label: config.label(),
            to: target.display().to_owned(),
        });
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
