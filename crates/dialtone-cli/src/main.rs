//! `dialtone`: the softphone's core, for terminals, scripts and tests.
//!
//! Each subcommand parses its arguments, calls one function of `dialtone-core`, and
//! prints the result (as JSON with `--json`). Errors end the program with a non-zero
//! status and one line on standard error, in plain words and without secrets.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dialtone_core::logging::{self, LogConfig};
use dialtone_core::paths::DATA_DIR_ENV;
use dialtone_core::{Paths, VERSION};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dialtone: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    let _log =
        logging::init(LogConfig { log_dir: &paths.log_dir, file_prefix: "dialtone-cli", terminal_default: "warn" });
    match cli.command {
        Command::Info { json } => info(&paths, json),
    }
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
}
