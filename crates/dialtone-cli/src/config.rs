//! `dialtone config set`: the preferences a person changes from a terminal.

use std::io::Write;

use anyhow::Context;
use dialtone_core::service::Dialtone;

use crate::args::{ConfigCommand, ConfigKey};

pub fn run(out: &mut dyn Write, dialtone: &Dialtone, command: ConfigCommand) -> anyhow::Result<()> {
    let ConfigCommand::Set { key, value } = command;
    match key {
        ConfigKey::Region => {
            let region = dialtone.set_region(&value)?;
            writeln!(out, "Numbers typed without + are now read as {region} numbers.")?;
        }
        ConfigKey::DefaultProvider => {
            dialtone.set_default_provider(&value)?;
            writeln!(out, "Calls now go through {value} unless you choose another with --via.")?;
        }
        ConfigKey::HistoryKeepDays => {
            let days: u32 =
                value.parse().with_context(|| format!("history-keep-days takes a number of days, not “{value}”"))?;
            dialtone.set_history_keep_days(days)?;
            match days {
                0 => writeln!(out, "Call history is kept until you clear it.")?,
                n => writeln!(out, "Call history is kept for {n} days.")?,
            }
        }
    }
    Ok(())
}
