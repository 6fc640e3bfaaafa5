//! A SIP account: the desktop itself is the phone (`dialtone-sip` carries the call).
//!
//! Unlike every other kind, nothing is placed through an HTTP request: a call lives
//! as long as the conversation, with its own events (ringing, answered, held, ended).
//! The settings and the keychain password live here like any provider's; the call
//! itself runs in `dialtone_sip` (`dialtone call --via NAME`, `dialtone listen`).
//!
//! Ready definitions fill in what each provider's documentation states and nothing
//! more: the registrar host where it is fixed (Telnyx, Plivo), or the shape of the
//! account's own domain (Twilio, SignalWire).

use std::collections::BTreeMap;

use dialtone_sip::account::keys;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::{Kind, ProviderConfig};
use crate::redact::SecretString;
use crate::{Error, ErrorCode, Result};

/// A SIP account as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Sip,
    id: "sip",
    label: "SIP account (this computer is the phone)",
    description: "Registers with any SIP provider or PBX and carries the call here: your microphone and speakers, Opus, G.722 or G.711, optional SRTP.",
    gives: Gives::LiveCall,
    accepts: Accepts { email: false, sip_uri: true },
    hang_up: Support::No { why: "a SIP call is hung up from the call itself (Ctrl-C, or --hangup-after)" },
    status: Support::No { why: "a SIP call reports its state as it happens" },
    // How long an outgoing call may ring before we give up.
    timeout_seconds: 60,
    notice: None,
    // Extensions: 1–6 digits are dialled as typed.
    speed_dials: true,
};

/// A ready definition of a SIP provider.
#[derive(Debug, Clone, Copy)]
pub struct SipPreset {
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// The registrar, when the provider has one fixed host.
    pub registrar: Option<&'static str>,
    /// Help for the registrar field when it is the account's own domain.
    pub registrar_help: &'static str,
}

pub const PRESETS: [SipPreset; 4] = [
    SipPreset {
        id: "telnyx-sip",
        label: "Telnyx (credential connection)",
        description: "A Telnyx SIP credential connection: registers at sip.telnyx.com with the connection's user name and password.",
        registrar: Some("sip.telnyx.com"),
        registrar_help: "Telnyx's registrar.",
    },
    SipPreset {
        id: "twilio-sip",
        label: "Twilio (SIP domain)",
        description: "A Twilio SIP domain with registration enabled: registers at {your domain}.sip.twilio.com with a credential list's user.",
        registrar: None,
        registrar_help: "Your SIP domain, e.g. example.sip.twilio.com.",
    },
    SipPreset {
        id: "signalwire-sip",
        label: "SignalWire (SIP endpoint)",
        description: "A SignalWire SIP endpoint: registers at {your space}.sip.signalwire.com with the endpoint's user name and password.",
        registrar: None,
        registrar_help: "Your space's SIP domain, e.g. example.sip.signalwire.com.",
    },
    SipPreset {
        id: "plivo-sip",
        label: "Plivo (endpoint)",
        description: "A Plivo endpoint: registers at phone.plivo.com with the endpoint's user name and password.",
        registrar: Some("phone.plivo.com"),
        registrar_help: "Plivo's registrar.",
    },
];

pub fn preset(id: &str) -> Option<&'static SipPreset> {
    PRESETS.iter().find(|p| p.id == id)
}

fn one_of(words: &[&str]) -> Check {
    Check::OneOf { choices: words.iter().map(|w| w.to_string()).collect() }
}

/// The settings of a SIP account; a preset fills in its registrar.
pub(crate) fn fields(preset: Option<&SipPreset>) -> Vec<Field> {
    let registrar = Field::new(
        keys::REGISTRAR,
        "Registrar",
        Check::Text,
        preset.map_or("Your provider's or PBX's SIP server: host, host:port or a sip: URI.", |p| p.registrar_help),
    );
    let registrar = match preset.and_then(|p| p.registrar) {
        Some(host) => registrar.default(host),
        None => registrar.required(),
    };
    vec![
        registrar,
        Field::new(keys::USERNAME, "User name", Check::Text, "The SIP user (often the extension, e.g. 1001).")
            .required(),
        Field::new(
            keys::AUTH_USERNAME,
            "Authentication ID",
            Check::Text,
            "Only if your provider gives one different from the user name.",
        ),
        Field::new(
            keys::DISPLAY_NAME,
            "Display name",
            Check::Text,
            "The name the people you call see, where the provider passes it on.",
        ),
        Field::new(
            keys::TRANSPORT,
            "Transport",
            one_of(&["udp", "tcp", "tls"]),
            "How to reach the registrar; TLS checks its certificate.",
        )
        .default("udp"),
        Field::new(
            keys::TLS_CA_FILE,
            "Certificate authority file",
            Check::Text,
            "Only for a PBX whose TLS certificate your system does not trust: the PEM file of its certificate authority.",
        ),
        Field::new(
            keys::OUTBOUND_PROXY,
            "Outbound proxy",
            Check::Text,
            "Only if your provider asks for one: host[:port].",
        ),
        Field::new(
            keys::STUN_SERVER,
            "STUN server",
            Check::Text,
            "Finds this computer's public address for the call's audio behind a NAT, e.g. stun.l.google.com:19302.",
        ),
        Field::new(
            keys::SRTP,
            "Encrypted audio (SRTP)",
            one_of(&["off", "optional", "required"]),
            "Required refuses any call whose audio would travel in clear.",
        )
        .default("off"),
        Field::new(keys::CODECS, "Codecs, in order", Check::Text, "Any of opus, g722, pcmu, pcma, best first.")
            .default("opus,g722,pcmu,pcma"),
        Field::new(
            keys::NUMBER_FORMAT,
            "Numbers are sent as",
            one_of(&["e164", "digits"]),
            "e164: +14155550123; digits: 14155550123, as some trunks want.",
        )
        .default("e164"),
        Field::new("password", "Password", Check::Text, "The SIP password.").secret(),
    ]
}

/// Checks what the schema cannot: the registrar's form, the codec words.
pub(crate) fn validate(settings: &BTreeMap<String, String>) -> Result<()> {
    account(settings, SecretString::from("-".to_owned())).map(|_| ())
}

/// The SIP account to register, from settings (a preset's defaults applied) and the password.
pub fn account(settings: &BTreeMap<String, String>, password: SecretString) -> Result<dialtone_sip::Account> {
    let mut settings = settings.clone();
    let preset = settings.get("preset").and_then(|id| preset(id));
    for field in fields(preset) {
        if let Some(default) = field.default {
            settings.entry(field.name).or_insert(default);
        }
    }
    dialtone_sip::Account::from_settings(&settings, password)
        .map_err(|e| Error::new(ErrorCode::SettingsInvalid, e.to_string()))
}

/// Why the REST dialer does not place a SIP call.
pub(crate) fn not_through_the_dialer(name: &str, config: &ProviderConfig) -> Error {
    Error::new(
        ErrorCode::Unsupported,
        format!(
            "{name} ({}) carries the call on this computer itself: choose it on the dialpad, or use `dialtone call … --via {name}`.",
            config.label()
        ),
    )
}
