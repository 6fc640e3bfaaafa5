//! `dialtone qr`: text (a FaceTime link) as a QR code, in the terminal or to a file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use dialtone_core::qr::Qr;

pub fn draw(out: &mut dyn Write, text: &str, png: Option<PathBuf>, svg: Option<PathBuf>) -> anyhow::Result<()> {
    let code = Qr::encode(text)?;
    match (png, svg) {
        (Some(path), _) => {
            std::fs::write(&path, code.png(8)?).with_context(|| format!("writing {}", path.display()))?;
            writeln!(out, "Wrote {}", path.display())?;
        }
        (None, Some(path)) => {
            std::fs::write(&path, code.svg()).with_context(|| format!("writing {}", path.display()))?;
            writeln!(out, "Wrote {}", path.display())?;
        }
        (None, None) => write!(out, "{}", code.terminal())?,
    }
    out.flush()?;
    Ok(())
}
