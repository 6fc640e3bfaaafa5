//! Dialtone's core: everything the softphone does that needs no window.
//!
//! The desktop shell (`src-tauri`) and the `dialtone` command are both thin: they
//! parse what the person gave them, call one function here, and present the result.
//! Keeping the work here means it builds and tests without a web view.
//!
//! Modules, one job each:
//! - [`error`]: the one error type, which crosses into the UI as `{code, message}`
//!   (and `field`, when it is about one setting).
//! - [`paths`]: where settings, data and logs live (`--data-dir` moves them all).
//! - [`logging`]: tracing to the terminal and to a rotating file.
//! - [`redact`]: keeping secrets out of logs, errors and anything shown.
//! - [`settings`]: the person's preferences and providers, a TOML file written atomically.
//! - [`numbers`]: what people type or paste, made E.164 (and each provider's form at its edge).
//! - [`keychain`]: provider secrets in the OS keychain, and nowhere else; the
//!   [`keychain::SecretStore`] the service writes them through.
//! - [`providers`]: placing a call through each provider kind, one request, never retried;
//!   each kind described once by its [`providers::Descriptor`].
//! - [`qr`]: drawing a FaceTime link as a QR code (SVG, PNG, terminal).
//! - [`db`]: the SQLite database of contacts and history (WAL, migrations).
//! - [`contacts`]: the address book, vCard import/export, search as you type.
//! - [`history`]: every call attempt, with its typed [`providers::Outcome`].
//! - [`service`]: the operations the app and the CLI share, over one data folder; it
//!   owns a call's life (a [`service::CallControl`] in, [`service::CallEvent`]s out,
//!   the outcome recorded).

pub mod contacts;
pub mod db;
pub mod error;
pub mod history;
pub mod keychain;
pub mod logging;
pub mod numbers;
pub mod paths;
pub mod providers;
pub mod qr;
pub mod redact;
pub mod service;
pub mod settings;

pub use error::{Error, ErrorCode, Result};
pub use paths::Paths;
pub use providers::Kind;
/// How the app and the CLI stop a call being placed: the core records the outcome itself.
pub use tokio_util::sync::CancellationToken;

/// Ring as the process's TLS cryptography: called before the first TLS client is made.
pub use dialtone_sip::use_ring_for_tls;

/// Dialtone's version, as the crates were built.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
