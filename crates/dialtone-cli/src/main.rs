//! `dialtone`: the softphone's core, for terminals, scripts and tests.
//!
//! Each subcommand parses its arguments ([`args`]), calls one method of
//! [`dialtone_core::service::Dialtone`] in the module named for what it is about, and
//! writes the result to standard output (as one line of JSON with `--json`; see
//! [`output`]). Errors end the program with a non-zero status and one line on standard
//! error, in plain words and without secrets; a reader that goes away
//! (`dialtone history | head`) ends it quietly. Secrets are read from standard input
//! (never from arguments, which other users can see in the process list).

use std::process::ExitCode;

use clap::Parser;
use dialtone_core::Paths;
use dialtone_core::logging::{self, LogConfig};
use dialtone_core::service::Dialtone;

mod args;
mod audio;
mod calls;
mod config;
mod contacts;
mod history;
mod info;
mod live;
mod output;
mod providers;
mod qr;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if output::is_closed_pipe(&err) => ExitCode::SUCCESS,
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
    let out = &mut std::io::stdout().lock();
    // Opened only by the commands that need settings, contacts or history.
    let service = || Dialtone::new(paths.clone());
    match cli.command {
        Command::Info { json } => info::show(out, &paths, json)?,
        Command::Qr { text, png, svg } => qr::draw(out, &text, png, svg)?,
        Command::Tone { digits, device } => audio::tone(&paths, &digits, device)?,
        Command::Audio { command } => audio::run(out, &paths, command)?,
        Command::Config { command } => config::run(out, &service()?, command)?,
        Command::Provider { command } => providers::run(out, &service()?, command)?,
        Command::Contacts { command } => contacts::run(out, &service()?, command)?,
        Command::History { json, limit, command } => history::run(out, &service()?, json, limit, command)?,
        Command::Call { target, via, json, live, dtmf } => {
            let service = service()?;
            if live::is_live(&service, via.as_deref()) {
                let options = live::LiveOptions {
                    play: live.play,
                    record: live.record,
                    dtmf,
                    hangup_after: live.hangup_after,
                    json,
                };
                return live::call(out, &service, &target, via.as_deref(), &options);
            }
            if live.any() || dtmf.is_some() {
                anyhow::bail!("--play, --record, --dtmf and --hangup-after are for calls through a SIP account");
            }
            return calls::place(out, &service, &target, via.as_deref(), json);
        }
        Command::Listen { via, json, answer, calls, live } => {
            let options = live::LiveOptions {
                play: live.play,
                record: live.record,
                dtmf: None,
                hangup_after: live.hangup_after,
                json,
            };
            return live::listen(out, &service()?, via.as_deref(), answer, calls, &options);
        }
        Command::Redial { id, json } => return calls::redial(out, &service()?, id, json),
        Command::Hangup { call_id, via } => calls::hang_up(out, &service()?, &call_id, via.as_deref())?,
        Command::Status { call_id, via, json } => calls::status(out, &service()?, &call_id, via.as_deref(), json)?,
    }
    Ok(ExitCode::SUCCESS)
}
