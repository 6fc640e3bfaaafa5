//! What `dialtone` accepts on its command line (clap's derive types, no behaviour).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use dialtone_core::paths::DATA_DIR_ENV;

/// Place calls through your providers, from a terminal or a script.
#[derive(Debug, Parser)]
#[command(name = "dialtone", version, about, long_about = None)]
pub struct Cli {
    /// Keep settings, contacts, history and logs in DIR instead of the OS's own folders.
    #[arg(long, global = true, value_name = "DIR", env = DATA_DIR_ENV)]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the version and where Dialtone keeps its files.
    Info {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change a preference.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Set up the providers calls go through.
    Provider {
        #[command(subcommand)]
        command: ProviderCommand,
    },
    /// Place a call: a number as typed, a tel: URI, or an email address (FaceTime).
    /// Through a SIP account the call is carried here and this stays in the
    /// foreground until it ends, printing each state (Ctrl-C hangs up).
    Call {
        /// What to call, e.g. "(415) 555-0123", +442079460958, tel:+14155550123, ada@example.com,
        /// or through a SIP account an extension (1001), a user or a sip: address.
        target: String,
        /// The provider to use (default: the default provider).
        #[arg(long, value_name = "NAME")]
        via: Option<String>,
        /// Print one JSON object instead of text (a SIP call: one per event, one per line).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        live: LiveArgs,
        /// SIP: send these keys (RFC 4733) once the call is answered.
        #[arg(long, value_name = "DIGITS")]
        dtmf: Option<String>,
    },
    /// Register a SIP account and wait for calls to it.
    Listen {
        /// The SIP account (default: the default provider).
        #[arg(long, value_name = "NAME")]
        via: Option<String>,
        /// One JSON object per event, one per line.
        #[arg(long)]
        json: bool,
        /// Answer at once, or ask on the terminal.
        #[arg(long, value_enum, default_value_t = crate::live::Answer::Ask)]
        answer: crate::live::Answer,
        /// Stop after this many calls.
        #[arg(long, value_name = "N")]
        calls: Option<u32>,
        #[command(flatten)]
        live: LiveArgs,
    },
    /// Hang up a call, where the provider supports it (Bandwidth).
    Hangup {
        call_id: String,
        #[arg(long, value_name = "NAME")]
        via: Option<String>,
    },
    /// Show a call's state, where the provider reports it (Bandwidth).
    Status {
        call_id: String,
        #[arg(long, value_name = "NAME")]
        via: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The address book: import and export vCards, list, search.
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Every call attempt, newest first; `history clear` empties it.
    History {
        #[arg(long)]
        json: bool,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(subcommand)]
        command: Option<HistoryCommand>,
    },
    /// Call again what a history entry called, through the same provider.
    Redial {
        /// The entry's id (`dialtone history` shows it).
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Play keypad tones (DTMF) on the chosen speaker, e.g. `tone 1234#`.
    Tone {
        /// Keys: 0-9, *, #, A-D (spaces and dashes are skipped).
        digits: String,
        /// A speaker id from `dialtone audio devices` (default: the chosen one).
        #[arg(long, value_name = "ID")]
        device: Option<String>,
    },
    /// Sound devices and the echo test.
    Audio {
        #[command(subcommand)]
        command: AudioCommand,
    },
    /// Draw text (a FaceTime link) as a QR code: in the terminal, or to a PNG or SVG file.
    Qr {
        text: String,
        /// Write a PNG image here instead of drawing in the terminal.
        #[arg(long, value_name = "FILE", conflicts_with = "svg")]
        png: Option<PathBuf>,
        /// Write an SVG image here instead of drawing in the terminal.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
    },
}

/// Where a live call's sound comes from and goes to, and when it ends.
#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    /// SIP: send this WAV file (any rate, mono or stereo) instead of the microphone.
    #[arg(long, value_name = "FILE.wav")]
    pub play: Option<PathBuf>,
    /// SIP: write what is heard to this WAV file instead of playing it.
    #[arg(long, value_name = "FILE.wav")]
    pub record: Option<PathBuf>,
    /// SIP: hang up this many seconds after the call is answered.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub hangup_after: Option<f64>,
}

impl LiveArgs {
    /// Whether any option that only a live call has was given.
    pub fn any(&self) -> bool {
        self.play.is_some() || self.record.is_some() || self.hangup_after.is_some()
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("“{text}” is not a number of seconds between 0 and 86400")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Import a vCard file (2.1, 3.0, 4.0); cards already there are merged, not duplicated.
    Import { file: PathBuf },
    /// Write every contact to a vCard 4.0 file.
    Export { file: PathBuf },
    /// Every contact, by name.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Contacts whose name, organisation, email or number contains QUERY.
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Delete every entry.
    Clear,
    /// Delete one entry.
    Delete { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Set a preference: `region US` (numbers typed without + are read in it),
    /// `default-provider NAME`, `history-keep-days 90` (0 keeps history forever),
    /// `echo-cancellation off`, `noise-suppression off`, `gain-control off` (a live
    /// call's microphone; `on` again to turn back on).
    Set { key: ConfigKey, value: String },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ConfigKey {
    Region,
    DefaultProvider,
    HistoryKeepDays,
    EchoCancellation,
    NoiseSuppression,
    GainControl,
}

#[derive(Debug, Subcommand)]
pub enum ProviderCommand {
    /// The provider kinds and ready definitions, with their settings.
    Kinds {
        #[arg(long)]
        json: bool,
    },
    /// Add a provider: `provider add work --kind blooio`, `provider add tw --kind twilio --set account_sid=AC...`.
    Add {
        name: String,
        /// sendblue, blooio, crm, fractel, bandwidth, http, sip, or a ready definition: twilio, telnyx, plivo, signalwire,
        /// telnyx-sip, twilio-sip, signalwire-sip, plivo-sip.
        #[arg(long)]
        kind: String,
        /// A non-secret setting; repeat for each. `dialtone provider kinds` lists them.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
    },
    /// Store a secret in the OS keychain, read from standard input.
    Secret { name: String, field: String },
    /// List providers and which secrets are stored (never the secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a provider and its keychain entries.
    Remove { name: String },
    /// Check a SIP account by registering once: exit 0 and "registered", or the reason
    /// in plain words (wrong password, unreachable, TLS).
    Check {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AudioCommand {
    /// The microphones and speakers, with the ids `audio use` takes.
    Devices {
        #[arg(long)]
        json: bool,
    },
    /// Choose the microphone, speaker or ringer by id (or name); `default` goes back to
    /// the system's own.
    Use {
        #[arg(long, value_name = "ID")]
        input: Option<String>,
        #[arg(long, value_name = "ID")]
        output: Option<String>,
        #[arg(long, value_name = "ID")]
        ringer: Option<String>,
    },
    /// Speak, and hear yourself a second later through the whole call path (Opus,
    /// jitter buffer), optionally through a simulated bad network.
    EchoTest {
        /// How long to listen.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=60))]
        seconds: u32,
        /// How much later you hear yourself.
        #[arg(long, default_value_t = 1000, value_name = "MS")]
        echo_delay_ms: u32,
        /// Simulated one-way network delay.
        #[arg(long, default_value_t = 0, value_name = "MS")]
        network_delay_ms: u32,
        /// Simulated jitter: each packet up to this much later (so some arrive out of order).
        #[arg(long, default_value_t = 0, value_name = "MS")]
        jitter_ms: u32,
        /// Simulated packet loss in percent.
        #[arg(long, default_value_t = 0.0, value_name = "PERCENT")]
        loss: f32,
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }
}
