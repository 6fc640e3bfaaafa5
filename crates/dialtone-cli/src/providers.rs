//! `dialtone provider`: the kinds on offer, adding and removing providers, and storing
//! their secrets in the keychain (read from standard input, never from arguments).

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};

use anyhow::{Context, bail};
use dialtone_core::providers::KindInfo;
use dialtone_core::redact::SecretString;
use dialtone_core::service::{Dialtone, ProviderView, Save};

use crate::args::ProviderCommand;
use crate::output::emit;

pub fn run(out: &mut dyn Write, dialtone: &Dialtone, command: ProviderCommand) -> anyhow::Result<()> {
    match command {
        ProviderCommand::Kinds { json } => emit(out, json, dialtone.kinds().as_slice(), write_kinds)?,
        ProviderCommand::Add { name, kind, settings } => {
            let mut map = BTreeMap::new();
            for pair in settings {
                let Some((key, value)) = pair.split_once('=') else {
                    bail!("--set takes KEY=VALUE; “{pair}” has no =");
                };
                map.insert(key.trim().to_owned(), value.to_owned());
            }
            let view = dialtone.save_provider(&name, &kind, map, Save::Add)?;
            writeln!(out, "Added {name} ({}).", view.label)?;
            for secret in view.secrets.iter().filter(|s| s.stored != Some(true)) {
                writeln!(
                    out,
                    "Next: store its {} with `dialtone provider secret {name} {}`.",
                    secret.label, secret.field
                )?;
            }
        }
        ProviderCommand::Secret { name, field } => {
            let secret = read_secret(&name, &field)?;
            dialtone.set_secret(&name, &field, &secret)?;
            writeln!(out, "Stored the {field} of {name} in the system keychain.")?;
        }
        ProviderCommand::List { json } => emit(out, json, dialtone.providers()?.as_slice(), |out, providers| {
            if providers.is_empty() {
                writeln!(out, "No providers yet: add one with `dialtone provider add NAME --kind KIND`.")?;
            }
            providers.iter().try_for_each(|view| write_provider(out, view))
        })?,
        ProviderCommand::Remove { name } => {
            dialtone.remove_provider(&name)?;
            writeln!(out, "Removed {name} and its keychain entries.")?;
        }
        ProviderCommand::Check { name, json } => crate::live::check(out, dialtone, &name, json)?,
    }
    Ok(())
}

fn write_kinds(out: &mut dyn Write, kinds: &[KindInfo]) -> io::Result<()> {
    for info in kinds {
        let id = info.preset.clone().unwrap_or_else(|| info.kind.to_string());
        writeln!(out, "{id}: {} — {}", info.label, info.description)?;
        for field in info.fields.iter().filter(|f| f.name != "preset") {
            let what = if field.secret {
                " (secret: `provider secret NAME FIELD`)"
            } else if field.required && field.default.is_none() {
                " (required)"
            } else {
                ""
            };
            let default = field.default.as_ref().map(|d| format!(" [default: {d}]")).unwrap_or_default();
            writeln!(out, "    {:<20} {}{what}{default}", field.name, field.label)?;
        }
    }
    Ok(())
}

fn write_provider(out: &mut dyn Write, view: &ProviderView) -> io::Result<()> {
    let default = if view.is_default { " [default]" } else { "" };
    writeln!(out, "{} ({}){default}", view.name, view.label)?;
    for (key, value) in &view.settings {
        writeln!(out, "    {key} = {value}")?;
    }
    for secret in &view.secrets {
        let state = match secret.stored {
            Some(true) => "stored in the keychain",
            Some(false) => "not stored",
            None => "unknown (keychain not reachable)",
        };
        writeln!(out, "    {}: {state}", secret.field)?;
    }
    if let Some(err) = &view.keychain_error {
        writeln!(out, "    {err}")?;
    }
    Ok(())
}

/// The secret from standard input: typed without echo on a terminal, else read whole
/// (one trailing newline dropped).
fn read_secret(name: &str, field: &str) -> anyhow::Result<SecretString> {
    let value = if io::stdin().is_terminal() {
        rpassword::prompt_password(format!("The {field} of {name} (not shown as you type): "))?
    } else {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).context("reading the secret from standard input")?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text).to_owned();
        text.clear();
        trimmed
    };
    Ok(SecretString::from(value))
}
