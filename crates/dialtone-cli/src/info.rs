//! `dialtone info`: the version and where Dialtone keeps its files.

use std::io::Write;

use dialtone_core::{Paths, VERSION};

use crate::output::emit;

pub fn show(out: &mut dyn Write, paths: &Paths, json: bool) -> anyhow::Result<()> {
    let value = serde_json::json!({
        "version": VERSION,
        "config_dir": paths.config_dir,
        "data_dir": paths.data_dir,
        "log_dir": paths.log_dir,
    });
    emit(out, json, &value, |out, _| {
        writeln!(out, "dialtone {VERSION}")?;
        writeln!(out, "settings: {}", paths.settings_file().display())?;
        writeln!(out, "data:     {}", paths.data_dir.display())?;
        writeln!(out, "logs:     {}", paths.log_dir.display())
    })
}
