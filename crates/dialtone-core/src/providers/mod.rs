//! Placing calls through providers: one abstraction for every kind.
//!
//! A provider is a name the person chose (`work`, `my-blooio`) with a [`Kind`] and
//! that kind's settings; its secrets live in the keychain under the same name. Placing
//! a call takes a parsed [`Target`], reads the secrets the request needs (here and
//! nowhere else), sends **one** request, and returns a [`CallOutcome`]:
//!
//! - [`sendblue`]: a FaceTime call whose audio is an Agora session to join,
//! - [`blooio`]: a FaceTime link to show as a QR code, copy and share,
//! - [`crm`]: the call recorded in the team's CRM,
//! - [`fractel`]: a call from a FoneNumber (the request waits until the callee answers),
//! - [`bandwidth`]: a Voice API call, with status and hang-up,
//! - [`http`]: any other HTTP provider, described as data (Twilio, Telnyx, ... ship ready).
//!
//! Each kind declares what it is once, as a [`Descriptor`] (label, what it gives, the
//! targets it takes, hang-up and status support, timeout, notice), and its settings as
//! [`schema::Field`]s; the UI and the CLI are drawn from them. [`transport`] sends
//! requests and words the errors.

pub mod bandwidth;
pub mod blooio;
pub mod crm;
pub mod descriptor;
pub mod fractel;
pub mod http;
pub mod schema;
pub mod sendblue;
pub mod sip;
pub mod transport;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::numbers::{PhoneNumber, Target};
use crate::redact::{Redactor, SecretString};
use crate::{Error, ErrorCode, Result};
pub use descriptor::{Accepts, Descriptor, Gives, Support};
use schema::{Check, Field};
use transport::Who;

/// The provider kinds Dialtone knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Sendblue,
    Blooio,
    Crm,
    Fractel,
    Bandwidth,
    Http,
    Sip,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::Sendblue, Kind::Blooio, Kind::Crm, Kind::Fractel, Kind::Bandwidth, Kind::Http, Kind::Sip];

    /// Everything about this kind that is not its request: the one list of kinds.
    pub fn descriptor(self) -> &'static Descriptor {
        match self {
            Kind::Sendblue => &sendblue::DESCRIPTOR,
            Kind::Blooio => &blooio::DESCRIPTOR,
            Kind::Crm => &crm::DESCRIPTOR,
            Kind::Fractel => &fractel::DESCRIPTOR,
            Kind::Bandwidth => &bandwidth::DESCRIPTOR,
            Kind::Http => &http::DESCRIPTOR,
            Kind::Sip => &sip::DESCRIPTOR,
        }
    }

    /// The name used in settings and on the command line.
    pub fn id(self) -> &'static str {
        self.descriptor().id
    }

    pub fn label(self) -> &'static str {
        self.descriptor().label
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == text)
    }

    /// What a person should know before calling through this kind, said before dialling.
    pub fn notice(self) -> Option<&'static str> {
        self.descriptor().notice
    }

    /// Whether 1–6 digits typed alone are a speed dial this kind dials as they are.
    pub fn has_speed_dials(self) -> bool {
        self.descriptor().speed_dials
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A provider kind (or a ready-made `http` definition) and what it asks for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KindInfo {
    pub kind: Kind,
    /// For ready-made `http` definitions: the preset's name (`twilio`); set it as `preset`.
    pub preset: Option<String>,
    pub label: String,
    pub description: String,
    /// What a call through it gives back.
    pub gives: Gives,
    /// Which addresses it can call besides phone numbers.
    pub accepts: Accepts,
    pub can_hang_up: bool,
    pub can_report_status: bool,
    pub fields: Vec<Field>,
}

/// Every kind and preset with its settings schema, for the settings screen and `--help`.
pub fn kinds() -> Vec<KindInfo> {
    let info = |d: &Descriptor, preset: Option<String>, label: &str, description: &str, fields: Vec<Field>| KindInfo {
        kind: d.kind,
        preset,
        label: label.to_owned(),
        description: description.to_owned(),
        gives: d.gives,
        accepts: d.accepts,
        can_hang_up: d.hang_up.is_supported(),
        can_report_status: d.status.is_supported(),
        fields,
    };
    let mut all: Vec<KindInfo> = Kind::ALL
        .into_iter()
        .map(|kind| {
            let d = kind.descriptor();
            info(d, None, d.label, d.description, fields(kind, None).unwrap_or_default())
        })
        .collect();
    // A ready definition is the `http` kind under its own name.
    all.extend(http::presets().iter().map(|preset| {
        info(&http::DESCRIPTOR, Some(preset.id.clone()), &preset.label, &preset.description, preset.fields())
    }));
    all.extend(sip::PRESETS.iter().map(|preset| {
        let fields = fields(Kind::Sip, Some(preset.id)).unwrap_or_default();
        info(&sip::DESCRIPTOR, Some(preset.id.to_owned()), preset.label, preset.description, fields)
    }));
    all
}

fn base_url_field(default: Option<&str>, help: &str) -> Field {
    let field = Field::new("base_url", "Base URL", Check::Url, help);
    match default {
        Some(url) => field.default(url),
        None => field.required(),
    }
}

fn timeout_field(kind: Kind) -> Field {
    Field::new(
        "timeout_seconds",
        "Wait for an answer (seconds)",
        Check::Integer { min: 1, max: 3600 },
        "How long to wait for the provider before giving up (a call is never sent twice).",
    )
    .default(&kind.descriptor().timeout_seconds.to_string())
}

/// The settings of a kind; for `http`, of the preset named in `preset` when given.
pub fn fields(kind: Kind, preset: Option<&str>) -> Result<Vec<Field>> {
    let mut fields = match kind {
        Kind::Sendblue => sendblue::fields(),
        Kind::Blooio => blooio::fields(),
        Kind::Crm => crm::fields(),
        Kind::Fractel => fractel::fields(),
        Kind::Bandwidth => bandwidth::fields(),
        Kind::Http => return http::fields(preset),
        Kind::Sip => sip::fields(preset.and_then(sip::preset)),
    };
    fields.push(timeout_field(kind));
    Ok(fields)
}

/// One provider as saved in the settings file: its kind and its non-secret settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    pub kind: Kind,
    #[serde(flatten)]
    pub settings: BTreeMap<String, String>,
}

impl ProviderConfig {
    /// The schema this provider is checked against.
    pub fn fields(&self) -> Result<Vec<Field>> {
        match self.kind {
            Kind::Http => http::fields_for(&self.settings),
            Kind::Sip => fields(Kind::Sip, self.settings.get("preset").map(String::as_str)),
            kind => fields(kind, None),
        }
    }

    /// What people call this kind: a ready definition's own name (Twilio), else the kind's.
    pub fn label(&self) -> String {
        self.settings
            .get("preset")
            .and_then(|id| {
                http::presets()
                    .iter()
                    .find(|p| &p.id == id)
                    .map(|p| p.label.clone())
                    .or_else(|| sip::preset(id).map(|p| p.label.to_owned()))
            })
            .unwrap_or_else(|| self.kind.label().to_owned())
    }

    /// Every secret this provider uses, by field name.
    pub fn secret_fields(&self) -> Result<Vec<Field>> {
        Ok(self.fields()?.into_iter().filter(|f| f.secret).collect())
    }

    /// Checks the settings against the schema.
    pub fn validate(&self) -> Result<()> {
        let fields = self.fields()?;
        if self.kind == Kind::Sip {
            // A ready definition's name is the one setting outside the schema.
            let mut rest = self.settings.clone();
            if let Some(id) = rest.remove("preset") {
                sip::preset(&id)
                    .ok_or_else(|| Error::invalid_input(format!("“{id}” is not a ready SIP definition.")))?;
            }
            schema::validate_settings(&fields, &rest, false)?;
        } else {
            schema::validate_settings(&fields, &self.settings, self.kind == Kind::Http)?;
        }
        if self.kind == Kind::Http {
            http::Definition::resolve(&self.settings)?;
        }
        if self.kind == Kind::Sip {
            sip::validate(&self.settings)?;
        }
        Ok(())
    }
}

/// A provider name: short, and safe as a keychain account and a settings key.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "“{name}” cannot be a provider name: use 1 to 40 letters, digits, - or _, starting with a letter or digit."
        )))
    }
}

/// Where secrets come from when a request needs them: the OS keychain in the app and
/// the CLI (see [`crate::keychain`]).
pub trait SecretSource: Send + Sync {
    /// The secret, or `None` when it was never stored.
    fn secret(&self, provider: &str, field: &str) -> Result<Option<SecretString>>;
}

/// An Agora session to join for Sendblue's FaceTime audio.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AgoraSession {
    pub app_id: String,
    pub channel_name: String,
    /// 0 lets Agora assign one.
    pub uid: u32,
    /// Short-lived; used to join at once and never shown or written down.
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub token: SecretString,
}

impl fmt::Debug for AgoraSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgoraSession")
            .field("app_id", &self.app_id)
            .field("channel_name", &self.channel_name)
            .field("uid", &self.uid)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// What placing a call gave back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallOutcome {
    /// The provider is placing the call; `call_id` names it for status and hang-up.
    Placed { call_id: Option<String> },
    /// A FaceTime link: show as QR, copy, share. Valid about 3 hours; the first person
    /// to open it within 2 minutes is admitted automatically.
    FacetimeLink {
        link: String,
        handle: Option<String>,
        /// Unix time (seconds) after which the link no longer works.
        expires_at: u32,
    },
    /// A live audio session to join at once (Sendblue → Agora).
    LiveAudio { agora: AgoraSession },
    /// The call recorded in the CRM: its whole call document, unknown fields kept.
    Recorded { call_id: Option<String>, call: serde_json::Value },
}

impl CallOutcome {
    /// Which outcome this is, as History stores it.
    pub fn name(&self) -> Outcome {
        match self {
            CallOutcome::Placed { .. } => Outcome::Placed,
            CallOutcome::FacetimeLink { .. } => Outcome::FacetimeLink,
            CallOutcome::LiveAudio { .. } => Outcome::LiveAudio,
            CallOutcome::Recorded { .. } => Outcome::Recorded,
        }
    }
}

/// How an attempt to call ended: one of the [`CallOutcome`]s, or failed, or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Placed,
    FacetimeLink,
    LiveAudio,
    Recorded,
    Failed,
    /// The person stopped waiting (the window's button, Ctrl-C).
    Cancelled,
    /// A live call that connected (its duration is in the row).
    Answered,
    /// An incoming call whose caller gave up before it was answered.
    Missed,
    /// Declined: by the person (an incoming call) or by the far end (603).
    Declined,
    /// The far end was busy.
    Busy,
    /// The far end never answered.
    NoAnswer,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Outcome::Placed,
        Outcome::FacetimeLink,
        Outcome::LiveAudio,
        Outcome::Recorded,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Answered,
        Outcome::Missed,
        Outcome::Declined,
        Outcome::Busy,
        Outcome::NoAnswer,
    ];

    /// The word stored in History and printed by `dialtone history`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Placed => "placed",
            Outcome::FacetimeLink => "facetime_link",
            Outcome::LiveAudio => "live_audio",
            Outcome::Recorded => "recorded",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Answered => "answered",
            Outcome::Missed => "missed",
            Outcome::Declined => "declined",
            Outcome::Busy => "busy",
            Outcome::NoAnswer => "no_answer",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// A failed attempt's outcome: stopped by the person, or failed.
    pub fn of_error(err: &Error) -> Outcome {
        if err.code == ErrorCode::Cancelled { Outcome::Cancelled } else { Outcome::Failed }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a Blooio link stays valid.
pub const LINK_VALID_FOR: Duration = Duration::from_secs(3 * 60 * 60);

/// When a link made now stops working, as Unix seconds.
pub(crate) fn link_expiry() -> u32 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u32::try_from((now + LINK_VALID_FOR).as_secs()).unwrap_or(u32::MAX)
}

/// A placed call, as the CLI prints it and the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Placed {
    pub provider: String,
    pub kind: Kind,
    /// Exactly as sent to the provider.
    pub to: String,
    #[serde(flatten)]
    pub outcome: CallOutcome,
}

/// Everything a provider needs for one request.
pub(crate) struct Ctx<'a> {
    pub name: &'a str,
    pub config: &'a ProviderConfig,
    pub fields: Vec<Field>,
    pub secrets: &'a dyn SecretSource,
    pub client: &'a reqwest::Client,
    pub redactor: Redactor,
    pub label: String,
    /// The UID of the contact being called, when the call is to a contact.
    pub contact_uid: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    fn new(
        name: &'a str,
        config: &'a ProviderConfig,
        secrets: &'a dyn SecretSource,
        client: &'a reqwest::Client,
    ) -> Result<Self> {
        let fields = config.fields()?;
        Ok(Self {
            name,
            config,
            fields,
            secrets,
            client,
            redactor: Redactor::new(),
            label: config.label(),
            contact_uid: None,
        })
    }

    pub fn who(&self) -> Who<'_> {
        Who { name: self.name, label: &self.label, redactor: &self.redactor }
    }

    /// A setting, or its declared default.
    pub fn setting(&self, key: &str) -> Option<String> {
        self.config
            .settings
            .get(key)
            .cloned()
            .or_else(|| self.fields.iter().find(|f| f.name == key).and_then(|f| f.default.clone()))
    }

    pub fn required(&self, key: &str) -> Result<String> {
        self.setting(key).ok_or_else(|| {
            Error::invalid_input(format!(
                "{}: the setting `{key}` is missing; set it with `dialtone provider add {} --kind {} --set {key}=...` or in Settings → Providers.",
                self.name, self.name, self.config.kind
            ))
        })
    }

    /// The base URL without a trailing slash; the provider's own path is appended to it.
    pub fn base_url(&self) -> Result<String> {
        Ok(self.required("base_url")?.trim_end_matches('/').to_owned())
    }

    pub fn timeout(&self) -> Duration {
        let secs = self.setting("timeout_seconds").and_then(|s| s.parse::<u64>().ok()).unwrap_or(30);
        Duration::from_secs(secs.max(1))
    }

    /// Reads one secret from the keychain and learns it, so no text we show can carry it.
    pub fn secret(&mut self, field: &str) -> Result<SecretString> {
        match self.secrets.secret(self.name, field)? {
            Some(secret) => {
                self.redactor = std::mem::take(&mut self.redactor).with(&secret);
                Ok(secret)
            }
            None => Err(Error::new(
                ErrorCode::SecretMissing,
                format!(
                    "{} ({}): the {field} is not stored yet. Store it with `dialtone provider secret {} {field}` or in Settings → Providers.",
                    self.name, self.label, self.name
                ),
            )),
        }
    }

    /// The target as a phone number, or the plain-words refusal for anything else.
    pub fn phone(&self, target: &Target) -> Result<PhoneNumber> {
        match target {
            Target::Phone(number) => Ok(number.clone()),
            other => Err(self.refusal(other)),
        }
    }

    /// "work (Blooio FaceTime link) calls phone numbers and email addresses, not “x”.",
    /// from what the kind's descriptor says it takes.
    fn refusal(&self, target: &Target) -> Error {
        Error::invalid_input(format!(
            "{} ({}) calls {}, not “{}”.",
            self.name,
            self.label,
            self.config.kind.descriptor().takes_in_words(),
            target.display()
        ))
    }
}

/// Places calls. Holds the one HTTP client and what lives between calls (Fractel's token).
#[derive(Debug)]
pub struct Dialer {
    client: reqwest::Client,
    fractel_tokens: fractel::TokenCache,
}

impl Dialer {
    pub fn new() -> Result<Self> {
        Ok(Self { client: transport::client()?, fractel_tokens: fractel::TokenCache::default() })
    }

    /// Forgets what was kept between calls for a provider (Fractel's token): its
    /// settings or secrets changed, or it is gone.
    pub fn forget(&self, name: &str) {
        self.fractel_tokens.forget(name);
    }

    /// Places one call through one provider. Sends the create-call request at most once
    /// (Fractel may first renew its token after a 401, which proves nothing was placed).
    pub async fn place_call(
        &self,
        name: &str,
        config: &ProviderConfig,
        secrets: &dyn SecretSource,
        target: &Target,
    ) -> Result<Placed> {
        self.place_call_to_contact(name, config, secrets, target, None).await
    }

    /// [`Dialer::place_call`] to a contact: a provider that knows the person by an id
    /// of its own (the CRM's contactId) finds it in the contact's UID.
    pub async fn place_call_to_contact(
        &self,
        name: &str,
        config: &ProviderConfig,
        secrets: &dyn SecretSource,
        target: &Target,
        contact_uid: Option<&str>,
    ) -> Result<Placed> {
        let mut ctx = Ctx::new(name, config, secrets, &self.client)?;
        if !config.kind.descriptor().takes(target) {
            return Err(ctx.refusal(target));
        }
        ctx.contact_uid = contact_uid;
        tracing::info!(provider = name, kind = %config.kind, "placing a call");
        let (to, outcome) = match config.kind {
            Kind::Sendblue => sendblue::place(&mut ctx, target).await?,
            Kind::Blooio => blooio::place(&mut ctx, target).await?,
            Kind::Crm => crm::place(&mut ctx, target).await?,
            Kind::Fractel => fractel::place(&mut ctx, target, &self.fractel_tokens).await?,
            Kind::Bandwidth => bandwidth::place(&mut ctx, target).await?,
            Kind::Http => http::place(&mut ctx, target).await?,
            Kind::Sip => return Err(sip::not_through_the_dialer(name, config)),
        };
        tracing::info!(provider = name, outcome = outcome.name().as_str(), "call placed");
        Ok(Placed { provider: name.to_owned(), kind: config.kind, to, outcome })
    }

    /// Hangs up a call, where the provider supports it.
    pub async fn hang_up(
        &self,
        name: &str,
        config: &ProviderConfig,
        secrets: &dyn SecretSource,
        call_id: &str,
    ) -> Result<()> {
        let mut ctx = Ctx::new(name, config, secrets, &self.client)?;
        match config.kind {
            Kind::Bandwidth => bandwidth::hang_up(&mut ctx, call_id).await,
            kind => Err(unsupported(&ctx, kind.descriptor().hang_up, "hang up")),
        }
    }

    /// The call's state as the provider tells it, where it can.
    pub async fn status(
        &self,
        name: &str,
        config: &ProviderConfig,
        secrets: &dyn SecretSource,
        call_id: &str,
    ) -> Result<CallStatus> {
        let mut ctx = Ctx::new(name, config, secrets, &self.client)?;
        match config.kind {
            Kind::Bandwidth => bandwidth::status(&mut ctx, call_id).await,
            kind => Err(unsupported(&ctx, kind.descriptor().status, "report a call's state")),
        }
    }
}

/// Why `what` cannot be done through this provider, from its descriptor.
fn unsupported(ctx: &Ctx<'_>, support: Support, what: &str) -> Error {
    let why = support.why_not().unwrap_or("its API has no such request");
    ctx.who().error(ErrorCode::Unsupported, format!("this provider cannot {what} from Dialtone: {why}."))
}

/// A call's state, as Bandwidth reports it (it can lag).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CallStatus {
    /// The provider's own word (Bandwidth: `initiated`, `answered`, `disconnected`).
    pub state: String,
    /// What that means for the person, the same for every provider.
    #[serde(default)]
    pub phase: CallPhase,
    pub direction: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub answer_time: Option<String>,
    pub end_time: Option<String>,
    pub disconnect_cause: Option<String>,
    pub error_message: Option<String>,
}

/// Where a call is, in the terms of a phone: ringing, connected, or over.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    #[default]
    Ringing,
    Connected,
    Ended,
}

impl CallStatus {
    /// The phase from Bandwidth's states (`initiated`, `answered`, `disconnected`; the
    /// older `active` and `completed` too), and from an end time, which only an ended
    /// call has. A state Bandwidth adds later falls back on the times it reports.
    pub fn with_phase(mut self) -> Self {
        self.phase = match self.state.to_ascii_lowercase().as_str() {
            _ if self.end_time.is_some() => CallPhase::Ended,
            "disconnected" | "completed" => CallPhase::Ended,
            "answered" | "active" => CallPhase::Connected,
            "initiated" | "queued" | "ringing" => CallPhase::Ringing,
            _ if self.answer_time.is_some() => CallPhase::Connected,
            _ => CallPhase::Ringing,
        };
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidths_states_are_phases() {
        let status = |state: &str, answer: Option<&str>, end: Option<&str>| {
            CallStatus {
                state: state.into(),
                phase: CallPhase::Ringing,
                direction: None,
                from: None,
                to: None,
                answer_time: answer.map(str::to_owned),
                end_time: end.map(str::to_owned),
                disconnect_cause: None,
                error_message: None,
            }
            .with_phase()
            .phase
        };
        assert_eq!(status("initiated", None, None), CallPhase::Ringing);
        assert_eq!(status("answered", Some("t"), None), CallPhase::Connected);
        assert_eq!(status("disconnected", None, Some("t")), CallPhase::Ended);
        assert_eq!(status("disconnected", None, None), CallPhase::Ended);
        assert_eq!(status("active", None, None), CallPhase::Connected);
        assert_eq!(status("something-new", Some("t"), None), CallPhase::Connected);
        assert_eq!(status("something-new", Some("t"), Some("t")), CallPhase::Ended);
    }

    #[test]
    fn names_are_checked() {
        for good in ["work", "my-blooio", "a_1"] {
            check_name(good).unwrap();
        }
        for bad in ["", "-x", "a b", "a/b", &"x".repeat(41)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_kind_has_a_schema_with_a_base_url() {
        for info in kinds() {
            // A SIP account reaches a registrar, not an HTTP API.
            let http = info.kind != Kind::Sip;
            assert_eq!(info.fields.iter().any(|f| f.name == "base_url"), http, "{}", info.label);
            assert!(info.fields.iter().any(|f| f.secret) || info.kind == Kind::Http, "{}", info.label);
        }
        let ids: Vec<String> =
            kinds().iter().map(|k| k.preset.clone().unwrap_or_else(|| k.kind.id().to_owned())).collect();
        assert_eq!(
            ids,
            [
                "sendblue",
                "blooio",
                "crm",
                "fractel",
                "bandwidth",
                "http",
                "sip",
                "twilio",
                "telnyx",
                "plivo",
                "signalwire",
                "telnyx-sip",
                "twilio-sip",
                "signalwire-sip",
                "plivo-sip"
            ]
        );
    }

    #[test]
    fn the_agora_token_is_never_printed_or_serialised() {
        let session = AgoraSession {
            app_id: "app".into(),
            channel_name: "ch".into(),
            uid: 0,
            token: SecretString::from("agora-token-xyz"),
        };
        assert!(!format!("{session:?}").contains("agora-token-xyz"));
        assert!(!serde_json::to_string(&session).unwrap().contains("agora-token-xyz"));
    }
}
