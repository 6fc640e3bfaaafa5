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
        ConfigKey::EchoCancellation | ConfigKey::NoiseSuppression | ConfigKey::GainControl => {
            let on = match value.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" => true,
                "off" | "false" | "no" => false,
                _ => anyhow::bail!("{} takes on or off, not “{value}”", key_name(key)),
            };
            let mut call_audio = dialtone.settings()?.call_audio;
            let (flag, what) = match key {
                ConfigKey::EchoCancellation => (&mut call_audio.echo_cancellation, "Echo cancellation"),
                ConfigKey::NoiseSuppression => (&mut call_audio.noise_suppression, "Noise suppression"),
                _ => (&mut call_audio.gain_control, "Automatic gain"),
            };
            *flag = on;
            dialtone.set_call_audio(call_audio)?;
            writeln!(out, "{what} is {} for the microphone in live calls.", if on { "on" } else { "off" })?;
        }
    }
    Ok(())
}

fn key_name(key: ConfigKey) -> String {
    use clap::ValueEnum;
    key.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
}
