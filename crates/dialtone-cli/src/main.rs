//! `dialtone`: the softphone's core, for terminals, scripts and tests.
//!
//! Each subcommand parses its arguments, calls one method of
//! [`dialtone_core::service::Dialtone`], and prints the result (as JSON with
//! `--json`). Errors end the program with a non-zero status and one line on standard
//! error, in plain words and without secrets. Secrets are read from standard input
//! (never from arguments, which other users can see in the process list).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use dialtone_core::logging::{self, LogConfig};
use dialtone_core::paths::DATA_DIR_ENV;
use dialtone_core::providers::{CallOutcome, CallPhase, Placed};
use dialtone_core::qr::Qr;
use dialtone_core::redact::SecretString;
use dialtone_core::service::{Dialtone, ProviderView, Save};
use dialtone_core::{CancellationToken, ErrorCode, Paths, VERSION};

mod audio;

/// Place calls through your providers, from a terminal or a script.
#[derive(Debug, Parser)]
#[command(name = "dialtone", version, about, long_about = None)]
struct Cli {
    /// Keep settings, contacts, history and logs in DIR instead of the OS's own folders.
    #[arg(long, global = true, value_name = "DIR", env = DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
    Call {
        /// What to call, e.g. "(415) 555-0123", +442079460958, tel:+14155550123, ada@example.com.
        target: String,
        /// The provider to use (default: the default provider).
        #[arg(long, value_name = "NAME")]
        via: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
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
        command: audio::AudioCommand,
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

#[derive(Debug, Subcommand)]
enum ContactsCommand {
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
enum HistoryCommand {
    /// Delete every entry.
    Clear,
    /// Delete one entry.
    Delete { id: i64 },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Set a preference: `region US` (numbers typed without + are read in it),
    /// `default-provider NAME`, `history-keep-days 90` (0 keeps history forever).
    Set { key: ConfigKey, value: String },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ConfigKey {
    Region,
    DefaultProvider,
    HistoryKeepDays,
}

#[derive(Debug, Subcommand)]
enum ProviderCommand {
    /// The provider kinds and ready definitions, with their settings.
    Kinds {
        #[arg(long)]
        json: bool,
    },
    /// Add a provider: `provider add work --kind blooio`, `provider add tw --kind twilio --set account_sid=AC...`.
    Add {
        name: String,
        /// sendblue, blooio, crm, fractel, bandwidth, http, or a ready definition: twilio, telnyx, plivo, signalwire.
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One line, plain words: the core's messages already name the provider.
            let text = format!("{err:#}").split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("dialtone: {text}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    let _log =
        logging::init(LogConfig { log_dir: &paths.log_dir, file_prefix: "dialtone-cli", terminal_default: "warn" });
    match cli.command {
        Command::Info { json } => info(&paths, json)?,
        Command::Qr { text, png, svg } => qr(&text, png, svg)?,
        Command::Tone { digits, device } => audio::tone(&paths, &digits, device)?,
        Command::Audio { command } => audio::run(&paths, command)?,
        command => return with_service(paths, command),
    }
    Ok(ExitCode::SUCCESS)
}

fn with_service(paths: Paths, command: Command) -> anyhow::Result<ExitCode> {
    let dialtone = Dialtone::new(paths)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    match command {
        Command::Config { command: ConfigCommand::Set { key, value } } => match key {
            ConfigKey::Region => {
                let region = dialtone.set_region(&value)?;
                println!("Numbers typed without + are now read as {region} numbers.");
            }
            ConfigKey::DefaultProvider => {
                dialtone.set_default_provider(&value)?;
                println!("Calls now go through {value} unless you choose another with --via.");
            }
            ConfigKey::HistoryKeepDays => {
                let days: u32 = value
                    .parse()
                    .with_context(|| format!("history-keep-days takes a number of days, not “{value}”"))?;
                dialtone.set_history_keep_days(days)?;
                match days {
                    0 => println!("Call history is kept until you clear it."),
                    n => println!("Call history is kept for {n} days."),
                }
            }
        },
        Command::Contacts { command } => contacts(&dialtone, command)?,
        Command::History { json, limit, command } => match command {
            Some(HistoryCommand::Clear) => println!("Cleared {} entries.", dialtone.clear_history()?),
            Some(HistoryCommand::Delete { id }) => {
                dialtone.delete_history_entry(id)?;
                println!("Deleted entry {id}.");
            }
            None => history(&dialtone, json, limit)?,
        },
        Command::Redial { id, json } => {
            return runtime.block_on(call(json, |cancel| dialtone.redial(id, cancel)));
        }
        Command::Provider { command } => provider(&dialtone, command)?,
        Command::Call { target, via, json } => {
            // Said first, on stderr: a number the plan does not list (still called), and
            // what the provider cannot do (a Sendblue call's audio is not carried here).
            for note in dialtone.notes_before_calling(&target, via.as_deref()) {
                eprintln!("dialtone: note: {note}");
            }
            return runtime.block_on(call(json, |cancel| dialtone.place_call(&target, via.as_deref(), cancel)));
        }
        Command::Hangup { call_id, via } => {
            runtime.block_on(dialtone.hang_up(&call_id, via.as_deref()))?;
            println!("Hung up {call_id}.");
        }
        Command::Status { call_id, via, json } => {
            let status = runtime.block_on(dialtone.call_status(&call_id, via.as_deref()))?;
            if json {
                println!("{}", serde_json::to_string(&status)?);
            } else {
                let phase = match status.phase {
                    CallPhase::Ringing => "ringing",
                    CallPhase::Connected => "connected",
                    CallPhase::Ended => "ended",
                };
                println!("{call_id}: {phase} ({})", status.state);
                if let Some(cause) = status.disconnect_cause {
                    println!("Ended by: {cause}");
                }
                if let Some(error) = status.error_message {
                    println!("Error: {error}");
                }
            }
        }
        Command::Info { .. } | Command::Qr { .. } | Command::Tone { .. } | Command::Audio { .. } => {
            unreachable!("handled without the service")
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn contacts(dialtone: &Dialtone, command: ContactsCommand) -> anyhow::Result<()> {
    match command {
        ContactsCommand::Import { file } => {
            let show = std::io::stderr().is_terminal();
            let report = dialtone.import_contacts(&file, |done, total| {
                if show {
                    eprint!("\rImporting… {done} of {total}");
                }
            })?;
            if show {
                eprintln!();
            }
            println!(
                "Imported {}: {} added, {} merged with contacts already here.",
                file.display(),
                report.added,
                report.merged
            );
            for skipped in &report.skipped {
                let name = skipped.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                println!("Skipped card {} at line {}{name}: {}", skipped.card, skipped.line, skipped.reason);
            }
            for dropped in &report.dropped {
                let name = dropped.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                println!("Card {}{name}, line {}: {}", dropped.card, dropped.line, dropped.reason);
            }
        }
        ContactsCommand::Export { file } => {
            let count = dialtone.export_contacts(&file)?;
            println!("Wrote {count} contacts to {}.", file.display());
        }
        ContactsCommand::List { json } => print_contacts(&dialtone.contacts()?, json)?,
        ContactsCommand::Search { query, json, limit } => {
            print_contacts(&dialtone.search_contacts(&query, limit)?, json)?
        }
    }
    Ok(())
}

fn print_contacts(contacts: &[dialtone_core::contacts::Contact], json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(contacts)?);
        return Ok(());
    }
    for c in contacts {
        let star = if c.favourite { " ★" } else { "" };
        let org = if c.organization.is_empty() { String::new() } else { format!(" — {}", c.organization) };
        println!("{}{star}{org}", c.name);
        for p in &c.phones {
            println!("    {:<8} {}{}", p.label, p.number, if p.preferred { " (preferred)" } else { "" });
        }
        for e in &c.emails {
            println!("    {:<8} {}", e.label, e.address);
        }
    }
    Ok(())
}

fn history(dialtone: &Dialtone, json: bool, limit: u32) -> anyhow::Result<()> {
    let rows = dialtone.history(limit)?;
    if json {
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("No calls yet.");
    }
    for r in rows {
        let who = r.contact_name.as_ref().map(|n| format!("{n} ({})", r.target)).unwrap_or_else(|| r.target.clone());
        let how = match (&r.outcome[..], &r.link, &r.error_message) {
            ("facetime_link", Some(link), _) => format!("FaceTime link {link}"),
            ("failed" | "cancelled", _, Some(why)) => format!("{}: {why}", r.outcome),
            (outcome, _, _) => {
                r.call_id.as_ref().map(|id| format!("{outcome}, call id {id}")).unwrap_or_else(|| outcome.to_owned())
            }
        };
        println!("#{:<5} {}  via {:<12} {who}  {how}", r.id, utc(r.at), r.provider);
    }
    Ok(())
}

/// Unix milliseconds as `2026-11-24 10:03 UTC` (days to civil date: Howard Hinnant's algorithm).
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

fn provider(dialtone: &Dialtone, command: ProviderCommand) -> anyhow::Result<()> {
    match command {
        ProviderCommand::Kinds { json } => {
            let kinds = dialtone.kinds();
            if json {
                println!("{}", serde_json::to_string(&kinds)?);
                return Ok(());
            }
            for info in kinds {
                let id = info.preset.clone().unwrap_or_else(|| info.kind.to_string());
                println!("{id}: {} — {}", info.label, info.description);
                for field in info.fields.iter().filter(|f| f.name != "preset") {
                    let what = if field.secret {
                        " (secret: `provider secret NAME FIELD`)"
                    } else if field.required && field.default.is_none() {
                        " (required)"
                    } else {
                        ""
                    };
                    let default = field.default.as_ref().map(|d| format!(" [default: {d}]")).unwrap_or_default();
                    println!("    {:<20} {}{what}{default}", field.name, field.label);
                }
            }
        }
        ProviderCommand::Add { name, kind, settings } => {
            let mut map = BTreeMap::new();
            for pair in settings {
                let Some((key, value)) = pair.split_once('=') else {
                    bail!("--set takes KEY=VALUE; “{pair}” has no =");
                };
                map.insert(key.trim().to_owned(), value.to_owned());
            }
            let view = dialtone.save_provider(&name, &kind, map, Save::Add)?;
            println!("Added {name} ({}).", view.label);
            for secret in view.secrets.iter().filter(|s| s.stored != Some(true)) {
                println!("Next: store its {} with `dialtone provider secret {name} {}`.", secret.label, secret.field);
            }
        }
        ProviderCommand::Secret { name, field } => {
            let secret = read_secret(&name, &field)?;
            dialtone.set_secret(&name, &field, &secret)?;
            println!("Stored the {field} of {name} in the system keychain.");
        }
        ProviderCommand::List { json } => {
            let providers = dialtone.providers()?;
            if json {
                println!("{}", serde_json::to_string(&providers)?);
            } else if providers.is_empty() {
                println!("No providers yet: add one with `dialtone provider add NAME --kind KIND`.");
            } else {
                providers.iter().for_each(print_provider);
            }
        }
        ProviderCommand::Remove { name } => {
            dialtone.remove_provider(&name)?;
            println!("Removed {name} and its keychain entries.");
        }
    }
    Ok(())
}

fn print_provider(view: &ProviderView) {
    let default = if view.is_default { " [default]" } else { "" };
    println!("{} ({}){default}", view.name, view.label);
    for (key, value) in &view.settings {
        println!("    {key} = {value}");
    }
    for secret in &view.secrets {
        let state = match secret.stored {
            Some(true) => "stored in the keychain",
            Some(false) => "not stored",
            None => "unknown (keychain not reachable)",
        };
        println!("    {}: {state}", secret.field);
    }
    if let Some(err) = &view.keychain_error {
        println!("    {err}");
    }
}

/// The secret from standard input: typed without echo on a terminal, else read whole
/// (one trailing newline dropped).
fn read_secret(name: &str, field: &str) -> anyhow::Result<SecretString> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("The {field} of {name} (not shown as you type): "))?
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the secret from standard input")?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text).to_owned();
        text.clear();
        trimmed
    };
    Ok(SecretString::from(value))
}

/// Places a call (or a redial) and waits for the provider, showing progress on a
/// terminal. Ctrl-C stops waiting: the core records the attempt as cancelled in the
/// history before this returns.
async fn call<F>(json: bool, place: impl FnOnce(CancellationToken) -> F) -> anyhow::Result<ExitCode>
where
    F: std::future::Future<Output = dialtone_core::Result<Placed>>,
{
    let started = Instant::now();
    let cancel = CancellationToken::new();
    let placing = place(cancel.clone());
    tokio::pin!(placing);
    let mut ticker = tokio::time::interval(Duration::from_secs(5));
    ticker.tick().await;
    let show_progress = std::io::stderr().is_terminal();
    let mut interrupted = false;
    let placed = loop {
        tokio::select! {
            result = &mut placing => match result {
                Err(err) if interrupted && err.code == ErrorCode::Cancelled => {
                    eprintln!("dialtone: {}", err.message);
                    return Ok(ExitCode::from(130));
                }
                result => break result?,
            },
            _ = ticker.tick(), if show_progress => {
                eprintln!("Waiting for the provider… {} s (Ctrl-C stops waiting)", started.elapsed().as_secs());
            }
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                cancel.cancel();
            }
        }
    };
    if json {
        println!("{}", serde_json::to_string(&placed)?);
    } else {
        print_placed(&placed)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_placed(placed: &Placed) -> anyhow::Result<()> {
    let who = format!("{} ({})", placed.provider, placed.kind);
    match &placed.outcome {
        CallOutcome::Placed { call_id } => {
            println!("Calling {} through {who}.", placed.to);
            if let Some(id) = call_id {
                println!("Call id: {id}");
            }
        }
        CallOutcome::FacetimeLink { link, .. } => {
            println!("FaceTime link for {} (through {who}):", placed.to);
            println!("{link}");
            print!("{}", Qr::encode(link)?.terminal());
            println!("Scan with an iPhone to join. The first person to open the link in the next 2 minutes is let in");
            println!("automatically; the link stays valid for about 3 hours.");
        }
        CallOutcome::LiveAudio { agora } => {
            println!("FaceTime call to {} started through {who}.", placed.to);
            println!("Its audio is Agora channel {} (app {}, uid {}).", agora.channel_name, agora.app_id, agora.uid);
            println!("Dialtone cannot carry this call's audio yet, in the window or here: the callee hears silence.");
        }
        CallOutcome::Recorded { call_id, .. } => {
            println!("Recorded the call to {} in the CRM ({who}).", placed.to);
            if let Some(id) = call_id {
                println!("Call id: {id}");
            }
        }
    }
    std::io::stdout().flush()?;
    Ok(())
}

fn qr(text: &str, png: Option<PathBuf>, svg: Option<PathBuf>) -> anyhow::Result<()> {
    let code = Qr::encode(text)?;
    match (png, svg) {
        (Some(path), _) => {
            std::fs::write(&path, code.png(8)?).with_context(|| format!("writing {}", path.display()))?;
            println!("Wrote {}", path.display());
        }
        (None, Some(path)) => {
            std::fs::write(&path, code.svg()).with_context(|| format!("writing {}", path.display()))?;
            println!("Wrote {}", path.display());
        }
        (None, None) => print!("{}", code.terminal()),
    }
    Ok(())
}

fn info(paths: &Paths, json: bool) -> anyhow::Result<()> {
    if json {
        let value = serde_json::json!({
            "version": VERSION,
            "config_dir": paths.config_dir,
            "data_dir": paths.data_dir,
            "log_dir": paths.log_dir,
        });
        println!("{value}");
    } else {
        println!("dialtone {VERSION}");
        println!("settings: {}", paths.settings_file().display());
        println!("data:     {}", paths.data_dir.display());
        println!("logs:     {}", paths.log_dir.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn history_times_are_civil_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_507_380_000), "2026-11-24 08:03 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
