//! Placing a call and recording its outcome, whatever it is; hanging up and asking a
//! call's state of the provider that placed it.

use super::Dialtone;
use super::providers::choose_in;
use crate::contacts::Contact;
use crate::history::{Attempt, History};
use crate::keychain;
use crate::numbers::Target;
use crate::providers::{CallStatus, Placed, ProviderConfig};
use crate::settings::Settings;
use crate::{CancellationToken, Error, ErrorCode, Result};

/// What a call the person stopped waiting for says, in the CLI, the window and History.
pub const STOPPED_WAITING: &str =
    "Stopped waiting. The provider may still connect the call: Dialtone did not cancel it there.";
/// The same, when the request had not been sent yet.
const STOPPED_BEFORE_DIALLING: &str = "Stopped before dialling: nothing was dialled.";

impl Dialtone {
    /// Calls again what a history row called, through the same provider; stopped by
    /// `cancel` like [`Dialtone::place_call`].
    pub async fn redial(&self, id: i64, cancel: CancellationToken) -> Result<Placed> {
        let record = self.with_db(|conn| History::new(conn).get(id))?;
        self.place_call(&record.typed, Some(&record.provider), cancel).await
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
