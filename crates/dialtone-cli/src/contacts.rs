//! `dialtone contacts`: import and export vCards, list and search the address book.

use std::io::{self, IsTerminal, Write};

use dialtone_core::contacts::Contact;
use dialtone_core::service::Dialtone;

use crate::args::ContactsCommand;
use crate::output::emit;

pub fn run(out: &mut dyn Write, dialtone: &Dialtone, command: ContactsCommand) -> anyhow::Result<()> {
    match command {
        ContactsCommand::Import { file } => {
            let show = io::stderr().is_terminal();
            let report = dialtone.import_contacts(&file, |done, total| {
                if show {
                    eprint!("\rImporting… {done} of {total}");
                }
            })?;
            if show {
                eprintln!();
            }
            writeln!(
                out,
                "Imported {}: {} added, {} merged with contacts already here.",
                file.display(),
                report.added,
                report.merged
            )?;
            for skipped in &report.skipped {
                let name = skipped.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                writeln!(out, "Skipped card {} at line {}{name}: {}", skipped.card, skipped.line, skipped.reason)?;
            }
            for dropped in &report.dropped {
                let name = dropped.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                writeln!(out, "Card {}{name}, line {}: {}", dropped.card, dropped.line, dropped.reason)?;
            }
        }
        ContactsCommand::Export { file } => {
            let count = dialtone.export_contacts(&file)?;
            writeln!(out, "Wrote {count} contacts to {}.", file.display())?;
        }
        ContactsCommand::List { json } => emit(out, json, dialtone.contacts()?.as_slice(), write_contacts)?,
        ContactsCommand::Search { query, json, limit } => {
            emit(out, json, dialtone.search_contacts(&query, limit)?.as_slice(), write_contacts)?
        }
    }
    Ok(())
}

fn write_contacts(out: &mut dyn Write, contacts: &[Contact]) -> io::Result<()> {
    for c in contacts {
        let star = if c.favourite { " ★" } else { "" };
        let org = if c.organization.is_empty() { String::new() } else { format!(" — {}", c.organization) };
        writeln!(out, "{}{star}{org}", c.name)?;
        for p in &c.phones {
            writeln!(out, "    {:<8} {}{}", p.label, p.number, if p.preferred { " (preferred)" } else { "" })?;
        }
        for e in &c.emails {
            writeln!(out, "    {:<8} {}", e.label, e.address)?;
        }
    }
    Ok(())
}
