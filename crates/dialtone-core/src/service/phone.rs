//! The window's phone: each SIP account registered and waiting for calls (a *line*),
//! and the live calls the lines carry, steered by call number and reported back as
//! [`PhoneUpdate`]s.
//!
//! The call itself runs in `dialtone_sip`; this keeps what the window shows of each
//! call ([`LiveCallView`], a small state machine fed by the call's events), applies
//! Do not disturb, puts the first call on hold when a waiting one is answered, and
//! writes every call to the history once it has ended. Free of Tauri: the shell hands
//! [`DeskPhone::new`] a closure that forwards each update to the page (and rings).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use dialtone_sip::media::MediaStats;
use dialtone_sip::{CallControl, CallDirection, CallEvent, CallHandle, EndReason, Party, Phone, SipAgent};
use serde::Serialize;

use super::{Dialtone, LiveCall};
use crate::providers::Kind;
use crate::{Error, ErrorCode, Result};

/// Where a line stands with its registrar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LineStatus {
    Connecting,
    Registered {
        aor: String,
    },
    /// Why not, in words a person can act on.
    Failed {
        message: String,
    },
}

/// One SIP account as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineView {
    pub account: String,
    pub status: LineStatus,
    /// The status in words, the same in the window and the tray.
    pub words: String,
}

impl LineView {
    pub fn new(account: &str, status: LineStatus) -> LineView {
        let words = match &status {
            LineStatus::Connecting => format!("{account}: connecting…"),
            LineStatus::Registered { .. } => format!("{account}: ready for calls"),
            LineStatus::Failed { message } => message.clone(),
        };
        LineView { account: account.to_owned(), status, words }
    }
}

/// Where a live call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LiveState {
    /// The INVITE is out; nothing back yet.
    Calling,
    /// The far end rings.
    Ringing,
    /// Someone calls us and waits for an answer.
    Incoming,
    Connected,
    /// On hold, by either side (`held_by` says which).
    Held,
    Ended,
}

/// A live call as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LiveCallView {
    pub id: u32,
    /// The SIP account that carries it.
    pub account: String,
    pub direction: CallDirection,
    /// The far end's URI.
    pub remote: String,
    /// The number or address: as typed for a call we place, the caller's otherwise.
    pub number: String,
    /// The contact's name, else the name the caller sent, if any.
    pub name: Option<String>,
    pub state: LiveState,
    pub held_by: Option<Party>,
    pub muted: bool,
    /// Another call was in progress when this one rang.
    pub waiting: bool,
    /// Declined unheard because Do not disturb was on.
    pub do_not_disturb: bool,
    /// Milliseconds since the Unix epoch when it was answered, for the running timer.
    pub answered_at_ms: Option<f64>,
    pub codec: Option<String>,
    pub encrypted: bool,
    /// The latest quality figures (RTP/RTCP), once a second while connected.
    pub stats: Option<MediaStats>,
    pub end_reason: Option<EndReason>,
    /// Why it ended, in words.
    pub end_message: Option<String>,
    pub duration_s: Option<f64>,
    /// The latest thing about the call's sound the person should know, in words: a
    /// device that fell back to the default, one that could not be switched to.
    pub notice: Option<String>,
}

/// What the phone tells the window, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PhoneUpdate {
    /// Every line's status, after any of them changed.
    Lines { lines: Vec<LineView> },
    /// A call as it stands now, and the event that changed it (none for a change the
    /// person made here, such as mute).
    Call { call: LiveCallView, event: Option<CallEvent> },
    /// Do not disturb was turned on or off (in the window, the tray or the settings).
    DoNotDisturb { on: bool },
}

/// How long a line that could not reach its registrar waits before trying again.
const RETRY_REGISTER: std::time::Duration = std::time::Duration::from_secs(30);

type Report = Arc<dyn Fn(PhoneUpdate) + Send + Sync>;

struct Line {
    status: LineStatus,
    phone: Option<Arc<Phone>>,
    /// The task that takes this line's incoming calls.
    listener: Option<tokio::task::AbortHandle>,
}

struct Live {
    view: LiveCallView,
    control: CallControl,
}

#[derive(Default)]
struct State {
    lines: BTreeMap<String, Line>,
    calls: BTreeMap<u32, Live>,
    last_id: u32,
}

struct Inner {
    dialtone: Dialtone,
    report: Report,
    state: Mutex<State>,
}

/// The lines and their calls. Cheap to clone; every clone is the same phone.
#[derive(Clone)]
pub struct DeskPhone {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for DeskPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskPhone").finish_non_exhaustive()
    }
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

/// The user part of a caller's URI (`sip:+14155550123@pbx;user=phone` → `+14155550123`),
/// which is what a person reads as the number and what contacts are matched on.
pub fn number_of(uri: &str) -> String {
    let bare = uri.trim().trim_start_matches('<').trim_end_matches('>');
    let bare = bare.strip_prefix("sips:").or_else(|| bare.strip_prefix("sip:")).unwrap_or(bare);
    let bare = bare.strip_prefix("tel:").unwrap_or(bare);
    let user = bare.split(['@', ';', '?']).next().unwrap_or(bare);
    if user.is_empty() { uri.to_owned() } else { user.to_owned() }
}

/// Applies one of the call's events to what the window shows.
pub fn apply(view: &mut LiveCallView, event: &CallEvent) {
    match event {
        CallEvent::Calling { .. } => view.state = LiveState::Calling,
        CallEvent::Incoming { display_name, .. } => {
            view.state = LiveState::Incoming;
            if view.name.is_none() {
                view.name = display_name.clone().filter(|n| !n.trim().is_empty());
            }
        }
        CallEvent::Ringing { .. } => view.state = LiveState::Ringing,
        CallEvent::Answered { codec, encrypted } => {
            view.state = LiveState::Connected;
            view.held_by = None;
            view.answered_at_ms.get_or_insert_with(now_ms);
            view.codec = Some(codec.clone());
            view.encrypted = *encrypted;
        }
        CallEvent::Held { by } => {
            view.state = LiveState::Held;
            view.held_by = Some(*by);
        }
        CallEvent::Resumed { .. } => {
            view.state = LiveState::Connected;
            view.held_by = None;
        }
        CallEvent::Stats { stats } => view.stats = Some(*stats),
        CallEvent::Notice { message } => view.notice = Some(message.clone()),
        CallEvent::Dtmf { .. } => {}
        CallEvent::Ended { reason, message, duration_s, stats, .. } => {
            view.state = LiveState::Ended;
            view.end_reason = Some(*reason);
            view.end_message = Some(message.clone());
            view.duration_s = Some(*duration_s);
            if view.answered_at_ms.is_some() {
                view.stats = Some(*stats);
            }
        }
    }
}

fn sip_error(account: &str, err: dialtone_sip::Error) -> Error {
    use dialtone_sip::Error as E;
    let code = match &err {
        E::Setting(_) => ErrorCode::SettingsInvalid,
        E::WrongPassword { .. } => ErrorCode::ProviderAuth,
        E::Unreachable(_) | E::Tls(_) => ErrorCode::ProviderUnreachable,
        E::Rejected { .. } | E::Negotiation(_) => ErrorCode::ProviderRejected,
        E::Audio(_) => ErrorCode::AudioUnavailable,
        _ => ErrorCode::ProviderUnavailable,
    };
    Error::new(code, format!("{account}: {err}"))
}

impl DeskPhone {
    /// A phone with no lines yet; `report` hears every [`PhoneUpdate`].
    pub fn new(dialtone: Dialtone, report: impl Fn(PhoneUpdate) + Send + Sync + 'static) -> DeskPhone {
        DeskPhone { inner: Arc::new(Inner { dialtone, report: Arc::new(report), state: Mutex::default() }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every line's status.
    pub fn lines(&self) -> Vec<LineView> {
        let state = self.state();
        state.lines.iter().map(|(account, line)| LineView::new(account, line.status.clone())).collect()
    }

    /// The calls in progress, for a page that has just loaded.
    pub fn calls(&self) -> Vec<LiveCallView> {
        self.state().calls.values().map(|c| c.view.clone()).collect()
    }

    fn report_lines(&self) {
        (self.inner.report)(PhoneUpdate::Lines { lines: self.lines() });
    }

    fn set_status(&self, account: &str, status: LineStatus) {
        if let Some(line) = self.state().lines.get_mut(account) {
            line.status = status;
        }
        self.report_lines();
    }

    /// Registers every SIP account in the settings and waits for their calls; a line
    /// already registered is registered afresh (its settings or password may have
    /// changed), unless a call is on it. Lines of accounts that have gone are closed.
    /// Returns once every line has registered or failed.
    pub async fn connect(&self) -> Vec<LineView> {
        let settings = match self.inner.dialtone.settings() {
            Ok(settings) => settings,
            Err(err) => {
                tracing::warn!("the lines cannot start: {}", err.message);
                return self.lines();
            }
        };
        let wanted: Vec<String> =
            settings.providers.iter().filter(|(_, c)| c.kind == Kind::Sip).map(|(name, _)| name.clone()).collect();
        let mut closing = Vec::new();
        {
            let mut state = self.state();
            let busy: Vec<String> = state.calls.values().map(|c| c.view.account.clone()).collect();
            let names: Vec<String> = state.lines.keys().cloned().collect();
            for name in names {
                if busy.contains(&name) {
                    continue;
                }
                if let Some(line) = state.lines.remove(&name) {
                    closing.push(line);
                }
            }
            for name in &wanted {
                state.lines.entry(name.clone()).or_insert(Line {
                    status: LineStatus::Connecting,
                    phone: None,
                    listener: None,
                });
            }
        }
        for line in closing {
            close(line).await;
        }
        self.report_lines();
        // Side by side: one slow registrar must not hold up the others.
        let mut starting = tokio::task::JoinSet::new();
        for name in wanted {
            let needs_start = self.state().lines.get(&name).is_some_and(|l| l.phone.is_none());
            if needs_start {
                let phone = self.clone();
                starting.spawn(async move { phone.start_line(name).await });
            }
        }
        while starting.join_next().await.is_some() {}
        self.lines()
    }

    /// Starts and registers one line, then listens for its calls.
    async fn start_line(&self, name: String) {
        let account = match self.inner.dialtone.live_account(Some(&name)) {
            Ok(account) => account,
            Err(err) => return self.set_status(&name, LineStatus::Failed { message: err.message }),
        };
        let phone = match Phone::start(account.account.clone()).await {
            Ok(phone) => Arc::new(phone),
            Err(err) => return self.set_status(&name, LineStatus::Failed { message: err.to_string() }),
        };
        match phone.register().await {
            Ok(registered) => {
                let listener = tokio::spawn(self.clone().listen(name.clone(), phone.clone())).abort_handle();
                let mut state = self.state();
                match state.lines.get_mut(&name) {
                    Some(line) => {
                        line.status = LineStatus::Registered { aor: registered.aor };
                        line.phone = Some(phone);
                        line.listener = Some(listener);
                    }
                    // Removed while it registered: let it go.
                    None => listener.abort(),
                }
            }
            Err(err) => {
                let message = format!("{name} could not register: {err}");
                let wrong_password = matches!(err, dialtone_sip::Error::WrongPassword { .. });
                if let Some(line) = self.state().lines.get_mut(&name) {
                    line.status = LineStatus::Failed { message };
                }
                // A registrar that could not be reached (the network was down at
                // launch) is tried again; a refused password waits for the person.
                if !wrong_password {
                    let phone = self.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(RETRY_REGISTER).await;
                        let still_failed = phone
                            .state()
                            .lines
                            .get(&name)
                            .is_some_and(|l| l.phone.is_none() && matches!(l.status, LineStatus::Failed { .. }));
                        if still_failed {
                            phone.start_line_again(name).await;
                        }
                    });
                }
            }
        }
        self.report_lines();
    }

    /// [`DeskPhone::start_line`] behind a box: the retry it schedules calls it again.
    fn start_line_again(self, name: String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async move { self.start_line(name).await })
    }

    /// Takes a line's incoming calls until it closes.
    async fn listen(self, account: String, phone: Arc<Phone>) {
        while let Some(handle) = phone.next_incoming().await {
            let number = number_of(&handle.remote);
            self.adopt(&account, handle, number);
        }
    }

    /// The registered phone of `account`, starting the line first if it has none.
    async fn phone_for(&self, account: &str) -> Result<Arc<Phone>> {
        let existing = {
            let mut state = self.state();
            let line = state.lines.entry(account.to_owned()).or_insert(Line {
                status: LineStatus::Connecting,
                phone: None,
                listener: None,
            });
            line.phone.clone()
        };
        if let Some(phone) = existing {
            return Ok(phone);
        }
        self.start_line(account.to_owned()).await;
        let state = self.state();
        match state.lines.get(account) {
            Some(Line { phone: Some(phone), .. }) => Ok(phone.clone()),
            Some(Line { status: LineStatus::Failed { message }, .. }) => {
                Err(Error::new(ErrorCode::ProviderUnreachable, message.clone()))
            }
            _ => Err(Error::new(ErrorCode::ProviderUnreachable, format!("{account} is not registered."))),
        }
    }

    /// Places a call through `via` (or the default provider, which must be a SIP
    /// account). Returns once the INVITE is out; the rest arrives as updates.
    pub async fn dial(&self, target: &str, via: Option<&str>) -> Result<LiveCallView> {
        let target = target.trim();
        if target.is_empty() {
            return Err(Error::invalid_input("Type a number or address to call."));
        }
        let account = self.inner.dialtone.live_account(via)?;
        let io = self.inner.dialtone.live_media_io(None, None)?;
        let phone = self.phone_for(&account.name).await?;
        let handle = phone.call(target, io).await.map_err(|e| sip_error(&account.name, e))?;
        Ok(self.adopt(&account.name, handle, target.to_owned()))
    }

    /// Keeps a call and follows its events to the end on a task of its own.
    fn adopt(&self, account: &str, mut handle: CallHandle, number: String) -> LiveCallView {
        let name = self.inner.dialtone.contact_name(&number);
        let control = handle.control();
        let view = {
            let mut state = self.state();
            state.last_id += 1;
            let waiting = state.calls.values().any(|c| c.view.state != LiveState::Ended);
            let view = LiveCallView {
                id: state.last_id,
                account: account.to_owned(),
                direction: handle.direction,
                remote: handle.remote.clone(),
                number,
                name,
                state: match handle.direction {
                    CallDirection::Outgoing => LiveState::Calling,
                    CallDirection::Incoming => LiveState::Incoming,
                },
                held_by: None,
                muted: false,
                waiting: handle.direction == CallDirection::Incoming && waiting,
                do_not_disturb: false,
                answered_at_ms: None,
                codec: None,
                encrypted: false,
                stats: None,
                end_reason: None,
                end_message: None,
                duration_s: None,
                notice: None,
            };
            state.calls.insert(view.id, Live { view: view.clone(), control: control.clone() });
            view
        };
        let id = view.id;
        let phone = self.clone();
        tokio::spawn(async move {
            let mut ended = false;
            while let Some(event) = handle.next_event().await {
                if matches!(event, CallEvent::Incoming { .. }) && phone.do_not_disturb() {
                    // Nothing rings: decline at once (486) and keep it as missed.
                    control.decline();
                    if let Some(call) = phone.state().calls.get_mut(&id) {
                        call.view.do_not_disturb = true;
                    }
                }
                ended = matches!(event, CallEvent::Ended { .. });
                phone.update(id, Some(event));
                if ended {
                    break;
                }
            }
            if !ended {
                phone.update(
                    id,
                    Some(CallEvent::Ended {
                        reason: EndReason::Failed,
                        message: "The call stopped without saying why.".into(),
                        status: None,
                        duration_s: 0.0,
                        stats: MediaStats::default(),
                    }),
                );
            }
        });
        view
    }

    /// Turns Do not disturb on or off, saves it, and tells everyone who shows it.
    pub fn set_do_not_disturb(&self, on: bool) -> Result<bool> {
        let on = self.inner.dialtone.set_do_not_disturb(on)?;
        (self.inner.report)(PhoneUpdate::DoNotDisturb { on });
        Ok(on)
    }

    fn do_not_disturb(&self) -> bool {
        self.inner.dialtone.settings().is_ok_and(|s| s.do_not_disturb)
    }

    /// Applies an event (or a change made here) to a call and tells the window; an
    /// ended call is written to the history and forgotten.
    fn update(&self, id: u32, event: Option<CallEvent>) {
        let view = {
            let mut state = self.state();
            let Some(call) = state.calls.get_mut(&id) else { return };
            if let Some(event) = &event {
                apply(&mut call.view, event);
            }
            let view = call.view.clone();
            if view.state == LiveState::Ended {
                state.calls.remove(&id);
            }
            view
        };
        if view.state == LiveState::Ended {
            self.record(&view);
        }
        (self.inner.report)(PhoneUpdate::Call { call: view, event });
    }

    fn record(&self, view: &LiveCallView) {
        let (reason, message) = match (view.do_not_disturb, view.end_reason) {
            (true, _) => (EndReason::Missed, "Declined while Do not disturb was on.".to_owned()),
            (false, reason) => (reason.unwrap_or(EndReason::Failed), view.end_message.clone().unwrap_or_default()),
        };
        self.inner.dialtone.record_live_call(&LiveCall {
            provider: &view.account,
            typed: &view.number,
            target: &view.remote,
            direction: match view.direction {
                CallDirection::Outgoing => crate::history::CallDirection::Outgoing,
                CallDirection::Incoming => crate::history::CallDirection::Incoming,
            },
            reason,
            message: &message,
            duration_s: view.duration_s.unwrap_or(0.0),
            stats: view.stats.as_ref(),
        });
    }

    fn control(&self, id: u32) -> Result<CallControl> {
        self.state()
            .calls
            .get(&id)
            .map(|c| c.control.clone())
            .ok_or_else(|| Error::invalid_input("That call has already ended."))
    }

    /// Answers a ringing call; a call already connected is put on hold first.
    pub fn answer(&self, id: u32) -> Result<()> {
        let control = self.control(id)?;
        let io = self.inner.dialtone.live_media_io(None, None)?;
        let others: Vec<CallControl> = self
            .state()
            .calls
            .values()
            .filter(|c| c.view.id != id && c.view.state == LiveState::Connected)
            .map(|c| c.control.clone())
            .collect();
        for other in others {
            other.hold();
        }
        control.answer(io);
        Ok(())
    }

    /// Declines a ringing call (486 Busy Here).
    pub fn decline(&self, id: u32) -> Result<()> {
        self.control(id)?.decline();
        Ok(())
    }

    /// Cancels a call still ringing out, or hangs up an answered one.
    pub fn hang_up(&self, id: u32) -> Result<()> {
        self.control(id)?.hang_up();
        Ok(())
    }

    /// Puts a call on hold or takes it off.
    pub fn hold(&self, id: u32, on: bool) -> Result<()> {
        let control = self.control(id)?;
        if on {
            control.hold()
        } else {
            control.resume()
        }
        Ok(())
    }

    /// Mutes or unmutes the microphone in a call.
    pub fn mute(&self, id: u32, on: bool) -> Result<()> {
        self.control(id)?.mute(on);
        if let Some(call) = self.state().calls.get_mut(&id) {
            call.view.muted = on;
        }
        self.update(id, None);
        Ok(())
    }

    /// Moves a call's sound to another microphone and speaker (`None`: the system
    /// default), for this call only: Settings → Audio keeps the choice for the next
    /// ones. A device that cannot be opened leaves the call where it was, and a notice
    /// on the call says why.
    pub fn switch_devices(&self, id: u32, microphone: Option<String>, speaker: Option<String>) -> Result<()> {
        use crate::settings::device_id;
        self.control(id)?.set_devices(device_id(microphone), device_id(speaker));
        Ok(())
    }

    /// Sends keypad digits into a call.
    pub fn dtmf(&self, id: u32, digits: &str) -> Result<()> {
        let keys = dialtone_audio::tones::parse_digits(digits).map_err(Error::invalid_input)?;
        self.control(id)?.dtmf(&keys.into_iter().collect::<String>());
        Ok(())
    }

    /// Hangs up every call and unregisters every line (the app is quitting).
    pub async fn shut_down(&self) {
        let (controls, lines) = {
            let mut state = self.state();
            let controls: Vec<CallControl> = state.calls.values().map(|c| c.control.clone()).collect();
            let lines: Vec<Line> = std::mem::take(&mut state.lines).into_values().collect();
            (controls, lines)
        };
        for control in controls {
            control.hang_up();
        }
        for line in lines {
            close(line).await;
        }
    }
}

/// Stops taking a line's calls and unregisters it.
async fn close(line: Line) {
    if let Some(listener) = line.listener {
        listener.abort();
    }
    if let Some(phone) = line.phone {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), phone.unregister()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(direction: CallDirection) -> LiveCallView {
        LiveCallView {
            id: 1,
            account: "pbx".into(),
            direction,
            remote: "sip:+14155550123@pbx.example".into(),
            number: "+14155550123".into(),
            name: None,
            state: LiveState::Calling,
            held_by: None,
            muted: false,
            waiting: false,
            do_not_disturb: false,
            answered_at_ms: None,
            codec: None,
            encrypted: false,
            stats: None,
            end_reason: None,
            end_message: None,
            duration_s: None,
            notice: None,
        }
    }

    #[test]
    fn a_callers_number_is_the_user_part_of_their_uri() {
        assert_eq!(number_of("sip:+14155550123@pbx.example;user=phone"), "+14155550123");
        assert_eq!(number_of("<sips:ada@example.com>"), "ada");
        assert_eq!(number_of("tel:+442079460000"), "+442079460000");
        assert_eq!(number_of("sip:@odd"), "sip:@odd");
    }

    #[test]
    fn an_outgoing_call_rings_connects_holds_and_ends_with_its_reason() {
        let mut v = view(CallDirection::Outgoing);
        apply(&mut v, &CallEvent::Ringing { early_media: false });
        assert_eq!(v.state, LiveState::Ringing);
        apply(&mut v, &CallEvent::Answered { codec: "opus".into(), encrypted: true });
        assert_eq!((v.state, v.codec.as_deref(), v.encrypted), (LiveState::Connected, Some("opus"), true));
        let answered = v.answered_at_ms.expect("the timer starts at the answer");
        apply(&mut v, &CallEvent::Held { by: Party::Remote });
        assert_eq!((v.state, v.held_by), (LiveState::Held, Some(Party::Remote)));
        apply(&mut v, &CallEvent::Resumed { by: Party::Remote });
        assert_eq!((v.state, v.held_by), (LiveState::Connected, None));
        apply(&mut v, &CallEvent::Notice { message: "The call stays on its speaker: gone".into() });
        assert_eq!(v.notice.as_deref(), Some("The call stays on its speaker: gone"), "the person is told");
        // A re-INVITE's answer must not restart the timer.
        apply(&mut v, &CallEvent::Answered { codec: "opus".into(), encrypted: true });
        assert_eq!(v.answered_at_ms, Some(answered));
        let stats = MediaStats { packets_received: 500, ..MediaStats::default() };
        apply(
            &mut v,
            &CallEvent::Ended {
                reason: EndReason::RemoteHungUp,
                message: "The far end hung up.".into(),
                status: None,
                duration_s: 10.0,
                stats,
            },
        );
        assert_eq!(v.state, LiveState::Ended);
        assert_eq!(v.end_reason, Some(EndReason::RemoteHungUp));
        assert_eq!(v.stats, Some(stats), "the call's last figures are kept for its report");
    }

    #[test]
    fn an_incoming_call_takes_the_callers_name_unless_a_contact_has_one() {
        let mut v = view(CallDirection::Incoming);
        apply(&mut v, &CallEvent::Incoming { from: "sip:ada@x".into(), display_name: Some("Ada".into()) });
        assert_eq!((v.state, v.name.as_deref()), (LiveState::Incoming, Some("Ada")));
        let mut known = view(CallDirection::Incoming);
        known.name = Some("Ada Lovelace".into());
        apply(&mut known, &CallEvent::Incoming { from: "sip:ada@x".into(), display_name: Some("ADA L".into()) });
        assert_eq!(known.name.as_deref(), Some("Ada Lovelace"));
        let mut blank = view(CallDirection::Incoming);
        apply(&mut blank, &CallEvent::Incoming { from: "sip:ada@x".into(), display_name: Some("  ".into()) });
        assert_eq!(blank.name, None);
    }

    /// The exact JSON the window receives for a call's update.
    #[test]
    fn a_call_update_reaches_the_window_in_this_shape() {
        let mut v = view(CallDirection::Outgoing);
        apply(&mut v, &CallEvent::Ringing { early_media: true });
        let update = PhoneUpdate::Call { call: v, event: Some(CallEvent::Ringing { early_media: true }) };
        let json = serde_json::to_value(&update).unwrap();
        assert_eq!(json["type"], "call");
        assert_eq!(json["call"]["state"], "ringing");
        assert_eq!(json["call"]["direction"], "outgoing");
        assert_eq!(json["event"], serde_json::json!({"event": "ringing", "early_media": true}));
        let lines = PhoneUpdate::Lines {
            lines: vec![LineView::new("pbx", LineStatus::Failed { message: "pbx could not register: no".into() })],
        };
        assert_eq!(
            serde_json::to_value(&lines).unwrap(),
            serde_json::json!({"type": "lines", "lines": [{
                "account": "pbx",
                "status": {"state": "failed", "message": "pbx could not register: no"},
                "words": "pbx could not register: no",
            }]})
        );
        assert_eq!(LineView::new("pbx", LineStatus::Connecting).words, "pbx: connecting…");
        assert_eq!(
            LineView::new("pbx", LineStatus::Registered { aor: "sip:a@b".into() }).words,
            "pbx: ready for calls"
        );
    }
}
