//! Writing to standard output: JSON or text from one helper, and a closed pipe that
//! ends the command quietly.
//!
//! Every handler writes through `&mut dyn Write` with `?` instead of `println!`, which
//! panics when the reader has gone (`dialtone history | head`). The error travels up
//! like any other and `main` recognises it.

use std::io::{self, Write};

use serde::Serialize;

/// Writes `value` as one line of JSON when `json` is set, else as `text` words it.
pub fn emit<T: Serialize + ?Sized>(
    out: &mut dyn Write,
    json: bool,
    value: &T,
    text: impl FnOnce(&mut dyn Write, &T) -> io::Result<()>,
) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, value)?;
        writeln!(out)?;
    } else {
        text(out, value)?;
    }
    out.flush()?;
    Ok(())
}

/// Whether `err` is standard output's reader having gone away: nothing to report.
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = match cause.downcast_ref::<io::Error>() {
            Some(io) => Some(io.kind()),
            None => cause.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind),
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_one_line_and_text_is_the_caller_s() {
        let mut out = Vec::new();
        emit(&mut out, true, &["a", "b"], |_, _| unreachable_text()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\"a\",\"b\"]\n");
        let mut out = Vec::new();
        emit(&mut out, false, &["a", "b"], |out, v| writeln!(out, "{}", v.join("+"))).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a+b\n");
    }

    fn unreachable_text() -> io::Result<()> {
        Err(io::Error::other("text written under --json"))
    }

    #[test]
    fn a_closed_pipe_is_told_from_other_failures() {
        let closed = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_closed_pipe(&anyhow::Error::from(closed).context("writing")));
        let json = serde_json::to_writer(ClosedPipe, &1).unwrap_err();
        assert!(is_closed_pipe(&json.into()));
        assert!(!is_closed_pipe(&anyhow::Error::from(io::Error::from(io::ErrorKind::PermissionDenied))));
        assert!(!is_closed_pipe(&anyhow::anyhow!("broken pipe, in words only")));
    }

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
