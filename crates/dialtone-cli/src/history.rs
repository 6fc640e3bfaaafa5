//! `dialtone history`: every call attempt, newest first; clearing and deleting entries.

use std::io::{self, Write};

use dialtone_core::history::CallRecord;
use dialtone_core::providers::Outcome;
use dialtone_core::service::Dialtone;

use crate::args::HistoryCommand;
use crate::output::emit;

pub fn run(
    out: &mut dyn Write,
    dialtone: &Dialtone,
    json: bool,
    limit: u32,
    command: Option<HistoryCommand>,
) -> anyhow::Result<()> {
    match command {
        Some(HistoryCommand::Clear) => writeln!(out, "Cleared {} entries.", dialtone.clear_history()?)?,
        Some(HistoryCommand::Delete { id }) => {
            dialtone.delete_history_entry(id)?;
            writeln!(out, "Deleted entry {id}.")?;
        }
        None => emit(out, json, dialtone.history(limit)?.as_slice(), write_history)?,
    }
    Ok(())
}

fn write_history(out: &mut dyn Write, rows: &[CallRecord]) -> io::Result<()> {
    if rows.is_empty() {
        writeln!(out, "No calls yet.")?;
    }
    for r in rows {
        let who = r.contact_name.as_ref().map(|n| format!("{n} ({})", r.target)).unwrap_or_else(|| r.target.clone());
        let how = match (r.outcome, &r.link, &r.error_message) {
            (Outcome::FacetimeLink, Some(link), _) => format!("FaceTime link {link}"),
            (Outcome::Failed | Outcome::Cancelled, _, Some(why)) => format!("{}: {why}", r.outcome),
            (outcome, _, _) => {
                r.call_id.as_ref().map(|id| format!("{outcome}, call id {id}")).unwrap_or_else(|| outcome.to_string())
            }
        };
        writeln!(out, "#{:<5} {}  via {:<12} {who}  {how}", r.id, utc(r.at), r.provider)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_times_are_civil_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_507_380_000), "2026-11-24 08:03 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
