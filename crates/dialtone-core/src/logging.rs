//! Logging: to the terminal and to a daily-rotating file in the log folder.
//!
//! `RUST_LOG` sets the level for both (e.g. `RUST_LOG=dialtone_core=debug`). Anything
//! secret is wrapped in [`crate::redact::SecretString`] or scrubbed with
//! [`crate::redact::Redactor`] before it reaches a log line.

use std::path::Path;

use tracing::Subscriber;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, fmt};

/// How many days of log files to keep.
pub const KEEP_DAYS: usize = 7;

/// Keeps the file writer alive; log lines still buffered are written when it drops,
/// so hold it until the program ends.
#[must_use = "dropping the guard stops file logging"]
#[derive(Debug)]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Where and how loudly to log.
#[derive(Debug, Clone, Copy)]
pub struct LogConfig<'a> {
    /// Folder for the rotating log files.
    pub log_dir: &'a Path,
    /// Log file names start with this (`dialtone-app.2026-11-23.log`).
    pub file_prefix: &'a str,
    /// Level on the terminal when `RUST_LOG` is unset: the CLI keeps it quiet ("warn")
    /// because its standard error is for the person.
    pub terminal_default: &'a str,
}

/// Installs the global logger. If the log folder cannot be created, logs go to the
/// terminal only, and a warning there says why.
pub fn init(config: LogConfig<'_>) -> LogGuard {
    let (file_layer, guard, file_error) = match file_layer(config.log_dir, config.file_prefix) {
        Ok((layer, guard)) => (Some(layer), Some(guard), None),
        Err(err) => (None, None, Some(err)),
    };
    let terminal = fmt::layer().with_writer(std::io::stderr).with_filter(env_filter(config.terminal_default)).boxed();
    let layers: Vec<BoxedLayer> = std::iter::once(terminal).chain(file_layer).collect();
    // A second init (tests, or a library embedding us) keeps the first logger.
    let _ = Registry::default().with(layers).try_init();
    if let Some(err) = file_error {
        tracing::warn!(
            "logging to the terminal only: could not open the log folder {}: {err}",
            config.log_dir.display()
        );
    }
    LogGuard { _file: guard }
}

/// A subscriber that writes only to the rotating file, for tests of what reaches it.
pub fn file_only_subscriber(
    log_dir: &Path,
    file_prefix: &str,
) -> std::io::Result<(impl Subscriber + Send + Sync, LogGuard)> {
    let (layer, guard) = file_layer(log_dir, file_prefix)?;
    Ok((Registry::default().with(layer), LogGuard { _file: Some(guard) }))
}

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

fn file_layer(log_dir: &Path, file_prefix: &str) -> std::io::Result<(BoxedLayer, WorkerGuard)> {
    std::fs::create_dir_all(log_dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(file_prefix)
        .filename_suffix("log")
        .max_log_files(KEEP_DAYS)
        .build(log_dir)
        .map_err(std::io::Error::other)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let layer = fmt::layer().with_writer(writer).with_ansi(false).with_filter(env_filter("info")).boxed();
    Ok((layer, guard))
}

/// The PulseAudio client logs each connection it makes (info) and an error each time
/// one closes, which the audio engine does on purpose (a connection per stream).
const QUIET: &str = "pulseaudio::client=warn,pulseaudio::client::reactor=off";

fn env_filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(format!("{default},{QUIET}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_rotating_file_in_the_log_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (subscriber, guard) = file_only_subscriber(dir.path(), "unit").unwrap();
        tracing::subscriber::with_default(subscriber, || tracing::info!("window opened"));
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("unit.") && name.ends_with(".log"), "{name}");
        assert!(std::fs::read_to_string(&files[0]).unwrap().contains("window opened"));
    }
}
