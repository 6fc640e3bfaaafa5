//! Updating Dialtone from signed packages: check, download and verify, install, restart.
//!
//! Tauri's updater plugin fetches and verifies; this module decides the order, watches
//! the download and puts every failure in words.
//!
//! - **Check** asks the endpoints in `tauri.conf.json` (`plugins.updater`) for a manifest
//!   and offers its version and notes when they are newer than this copy. Nothing is
//!   downloaded yet.
//! - **Download** keeps the bytes only once the plugin has verified them against the
//!   public key in the config, *and* the version signed into the signature's trusted
//!   comment equals the version the manifest announced (`requireSignedVersion`). The
//!   manifest itself is not signed: without that second check it could pass an old,
//!   validly signed package off as a new version.
//! - A **watchdog** drops a download that receives nothing for [`STALL`]: reqwest's only
//!   timeout covers the whole request, which would also kill a slow download that moves.
//! - **Install** takes only bytes that came back verified from [`download`], and only
//!   where the plugin has an installer for the way Dialtone was installed (a `.deb` or
//!   `.rpm` on Linux). A build from source has none: the plugin would overwrite the
//!   running executable, so we refuse in words instead.
//! - **Restart** happens only when the person asks for it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dialtone_core::{Error, ErrorCode};

use crate::page;
use serde::Serialize;
use tauri::utils::config::BundleType;
use tauri::{AppHandle, Runtime, State, Url};
use tauri_plugin_updater::{Update, UpdaterExt};

/// A download that receives nothing for this long is given up.
pub const STALL: Duration = Duration::from_secs(30);
/// The manifest is a few hundred bytes: a check that takes longer than this has failed.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(20);
/// Far above any Dialtone package (15 MB): a server sending more is not sending one.
pub const MAX_PACKAGE_BYTES: u64 = 200 * 1024 * 1024;

/// Debug builds only: check this manifest URL instead of the configured one (the
/// end-to-end tests' local update server). Release builds ignore it.
pub const ENDPOINT_ENV: &str = "DIALTONE_UPDATE_ENDPOINT";
/// Debug builds only: trust this public key instead of the configured one.
pub const PUBKEY_ENV: &str = "DIALTONE_UPDATE_PUBKEY";

/// A newer Dialtone the update server offers.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    /// The release notes, as the server wrote them.
    pub notes: Option<String>,
    /// When it was published, as the server wrote it (RFC 3339).
    pub date: Option<String>,
}

impl UpdateOffer {
    fn of(update: &Update) -> Self {
        let date = update.raw_json.get("pub_date").and_then(|d| d.as_str()).map(str::to_owned);
        Self { version: update.version.clone(), notes: update.body.clone(), date }
    }
}

/// How far a download has gone, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct UpdateProgress {
    pub received: u64,
    /// From the server's Content-Length, when it sent one.
    pub total: Option<u64>,
}

/// Where to look and whom to trust, when not the configured endpoints and key.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub endpoints: Option<Vec<Url>>,
    pub pubkey: Option<String>,
}

impl Source {
    /// The configured source, or in a debug build the one named by [`ENDPOINT_ENV`] and
    /// [`PUBKEY_ENV`].
    pub fn from_env() -> Result<Self, Error> {
        if !cfg!(debug_assertions) {
            return Ok(Self::default());
        }
        let endpoints = match std::env::var(ENDPOINT_ENV) {
            Ok(url) => Some(vec![Url::parse(&url).map_err(|err| {
                Error::new(ErrorCode::UpdateFailed, format!("{ENDPOINT_ENV} is not a URL ({err}): {url}"))
            })?]),
            Err(_) => None,
        };
        Ok(Self { endpoints, pubkey: std::env::var(PUBKEY_ENV).ok() })
    }
}

/// Asks the update server whether a newer Dialtone exists. `Ok(None)`: this one is the
/// newest (a manifest offering an older or equal version is not an update either).
pub async fn check<R: Runtime>(
    app: &AppHandle<R>,
    source: &Source,
    timeout: Duration,
) -> Result<Option<Update>, Error> {
    let mut builder = app.updater_builder().timeout(timeout);
    if let Some(endpoints) = &source.endpoints {
        builder = builder.endpoints(endpoints.clone()).map_err(|err| failed(Step::Check, err))?;
    }
    if let Some(pubkey) = &source.pubkey {
        builder = builder.pubkey(pubkey.clone());
    }
    let updater = builder.build().map_err(|err| failed(Step::Check, err))?;
    updater.check().await.map_err(|err| failed(Step::Check, err))
}

/// Downloads `update` and returns its bytes once they match its signature. `on_progress`
/// hears every chunk; a server that sends nothing for `stall` is given up on, and so is
/// one that announces or sends more than `max_bytes` (the plugin keeps the package in
/// memory: [`MAX_PACKAGE_BYTES`] in the app).
pub async fn download(
    update: &Update,
    stall: Duration,
    max_bytes: u64,
    mut on_progress: impl FnMut(UpdateProgress),
) -> Result<Vec<u8>, Error> {
    let started = Instant::now();
    let last_chunk_ms = AtomicU64::new(0);
    let received = AtomicU64::new(0);
    // Set from the chunk callback, which cannot stop the plugin's download itself: the
    // select below drops the download as soon as the chunk's poll lets it run.
    let too_large = tokio::sync::Notify::new();
    let over = AtomicBool::new(false);
    let refuse_size = || {
        Error::new(
            ErrorCode::UpdateFailed,
            format!(
                "The update server offered more than {}, far more than a Dialtone package, so the download was given up. Nothing was installed.",
                size(max_bytes)
            ),
        )
    };
    let fetch = update.download(
        |len, total| {
            let so_far = received.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
            last_chunk_ms.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
            if so_far > max_bytes || total.is_some_and(|total| total > max_bytes) {
                over.store(true, Ordering::Relaxed);
                too_large.notify_one();
            }
            on_progress(UpdateProgress { received: so_far, total });
        },
        || {},
    );
    tokio::pin!(fetch);
    let mut watch = tokio::time::interval(stall / 10);
    loop {
        tokio::select! {
            biased;
            // Dropping `fetch` closes the connection and frees what came so far.
            _ = too_large.notified() => return Err(refuse_size()),
            result = &mut fetch => {
                // The last chunks can arrive and finish the download in the same poll
                // that crossed the limit: still too large, and never handed on.
                if over.load(Ordering::Relaxed) {
                    return Err(refuse_size());
                }
                return result.map_err(|err| failed(Step::Download, err));
            }
            _ = watch.tick() => {
                let quiet = started.elapsed().saturating_sub(Duration::from_millis(last_chunk_ms.load(Ordering::Relaxed)));
                if quiet >= stall {
                    // Dropping `fetch` closes the connection.
                    return Err(Error::new(ErrorCode::UpdateFailed, format!(
                        "The update server stopped sending after {} (nothing for {} s), so the download was given up. Nothing was installed; try again later.",
                        size(received.load(Ordering::Relaxed)), stall.as_secs()
                    )));
                }
            }
        }
    }
}

/// Installs bytes [`download`] returned. Blocks while the system installer runs.
pub fn install(update: &Update, verified: &[u8]) -> Result<(), Error> {
    installable(tauri::utils::platform::bundle_type())?;
    // The plugin verifies the bytes once more before it installs them.
    update.install(verified).map_err(|err| failed(Step::Install, err))
}

/// Whether this copy of Dialtone can replace itself, by how it was installed.
pub fn installable(bundle: Option<BundleType>) -> Result<(), Error> {
    let linux = cfg!(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd", target_os = "netbsd"));
    match bundle {
        None => Err(Error::new(
            ErrorCode::Unsupported,
            "This Dialtone was built from source, so it cannot update itself: update the source (git pull) and build it again with the README's command.",
        )),
        Some(BundleType::Deb | BundleType::Rpm | BundleType::AppImage) if linux => Ok(()),
        Some(other) if linux => Err(Error::new(
            ErrorCode::Unsupported,
            format!(
                "This Dialtone came as a {other:?} package, which cannot update itself: install the new version the way you installed this one."
            ),
        )),
        Some(_) => Ok(()),
    }
}

const MANIFEST_UNREADABLE: &str = "The update server did not give an update manifest Dialtone can read (it may be down or changed), so nothing was downloaded; try again later.";

#[derive(Debug, Clone, Copy)]
enum Step {
    Check,
    Download,
    Install,
}

/// The plugin's error, in words for the person. Secrets never reach here: the update
/// server needs none.
fn failed(step: Step, err: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    const NOTHING: &str = "It was thrown away and nothing was installed.";
    let rejected =
        |why: String| Error::new(ErrorCode::UpdateRejected, format!("The update was refused: {why} {NOTHING}"));
    let trouble = |why: String| Error::new(ErrorCode::UpdateFailed, why);
    match err {
        E::Minisign(minisign_verify::Error::UnexpectedKeyId) => {
            rejected("it is signed with a key that is not Dialtone's.".to_owned())
        }
        E::Minisign(minisign_verify::Error::InvalidSignature) => rejected(
            "the downloaded package does not match its signature (it was damaged or changed on the way).".to_owned(),
        ),
        E::Minisign(other) => rejected(format!("its signature could not be checked ({other}).")),
        E::Base64(_) | E::SignatureUtf8(_) => rejected("its signature is not a signature.".to_owned()),
        E::SignedVersionMismatch { signed, announced } => rejected(format!(
            "the server announced version {announced}, but the package is signed as version {signed}. An older package offered as a newer one is how a downgrade is slipped in."
        )),
        E::MissingSignedVersion => rejected(
            "its signature does not say which version it is for, so it could be an older package offered as a newer one.".to_owned(),
        ),
        E::Reqwest(err) if err.is_timeout() => {
            trouble("The update server did not answer in time. Nothing was installed; try again later.".to_owned())
        }
        E::Reqwest(err) if err.is_decode() => trouble(MANIFEST_UNREADABLE.to_owned()),
        E::Reqwest(err) => {
            let host = err.url().and_then(|url| url.host_str().map(str::to_owned)).unwrap_or_else(|| "its address".to_owned());
            // reqwest's own text wraps the cause in layers; the innermost says what happened.
            let mut cause: &dyn std::error::Error = &err;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            trouble(format!(
                "Could not reach the update server at {host} ({cause}). Nothing was installed; check the connection and try again."
            ))
        }
        E::Network(status) => trouble(format!("The update server refused the download ({status}). Nothing was installed.")),
        E::ReleaseNotFound | E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => trouble(MANIFEST_UNREADABLE.to_owned()),
        E::TargetNotFound(target) => trouble(format!("The update server has no package for this system ({target}).")),
        E::TargetsNotFound(targets) => {
            trouble(format!("The update server has no package for this system ({}).", targets.join(" or ")))
        }
        E::InsecureTransportProtocol => {
            trouble("The update server's address is not https, so Dialtone did not ask it.".to_owned())
        }
        E::AuthenticationFailed => trouble(
            "Installing the update needs an administrator's password, and none was given. Dialtone is unchanged.".to_owned(),
        ),
        E::DebInstallFailed | E::PackageInstallFailed => {
            trouble("The system installer could not install the update. Dialtone is unchanged.".to_owned())
        }
        other => trouble(match step {
            Step::Check => format!("Could not check for updates: {other}"),
            Step::Download => format!("Could not download the update: {other}. Nothing was installed."),
            Step::Install => format!("Could not install the update: {other}"),
        }),
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / 1_048_576.0) } else { format!("{} kB", bytes / 1024) }
}

/// The update being offered and, once downloaded, its verified bytes.
#[derive(Default)]
pub struct Updates {
    offered: Mutex<Option<Update>>,
    verified: Mutex<Option<(Update, Vec<u8>)>>,
    busy: AtomicBool,
    installed: AtomicBool,
}

impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates").field("installed", &self.installed).finish_non_exhaustive()
    }
}

// The commands the Settings card calls, in the order a person goes through them.

/// Asks the update server for a newer Dialtone; remembers the offer for the download.
#[tauri::command]
#[specta::specta]
pub async fn check_for_update(app: AppHandle, updates: State<'_, Updates>) -> Result<Option<UpdateOffer>, Error> {
    let source = Source::from_env()?;
    let found = check(&app, &source, CHECK_TIMEOUT).await?;
    let offer = found.as_ref().map(UpdateOffer::of);
    match &offer {
        Some(offer) => tracing::info!(version = %offer.version, "an update is offered"),
        None => tracing::info!("no newer Dialtone is offered"),
    }
    *lock(&updates.offered) = found;
    Ok(offer)
}

/// Downloads the offered update and keeps it once its signature checks out; the page
/// hears the progress as [`crate::page::UPDATE_PROGRESS_EVENT`].
#[tauri::command]
#[specta::specta]
pub async fn download_update(app: AppHandle, updates: State<'_, Updates>) -> Result<UpdateOffer, Error> {
    let update = lock(&updates.offered)
        .clone()
        .ok_or_else(|| Error::invalid_input("No update is offered: check for updates first."))?;
    if updates.busy.swap(true, Ordering::SeqCst) {
        return Err(Error::invalid_input("The update is already downloading."));
    }
    let mut told: Option<Instant> = None;
    let result = download(&update, STALL, MAX_PACKAGE_BYTES, |progress| {
        // A page event per 16 kB chunk would be thousands; ten a second show the bar moving.
        let done = progress.total == Some(progress.received);
        if done || told.is_none_or(|at| at.elapsed() >= Duration::from_millis(100)) {
            told = Some(Instant::now());
            page::dispatch(&app, page::UPDATE_PROGRESS_EVENT, Some(&progress));
        }
    })
    .await;
    updates.busy.store(false, Ordering::SeqCst);
    let bytes = result.inspect_err(|err| tracing::warn!(version = %update.version, "update not kept: {err}"))?;
    tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded and its signature verified");
    let offer = UpdateOffer::of(&update);
    *lock(&updates.verified) = Some((update, bytes));
    Ok(offer)
}

/// Installs the downloaded, verified update; Dialtone keeps running the old version
/// until [`restart_to_update`].
#[tauri::command]
#[specta::specta]
pub async fn install_update(updates: State<'_, Updates>) -> Result<(), Error> {
    let Some((update, bytes)) = lock(&updates.verified).clone() else {
        return Err(Error::invalid_input("No verified update is downloaded: download it first."));
    };
    let version = update.version.clone();
    tauri::async_runtime::spawn_blocking(move || install(&update, &bytes))
        .await
        .map_err(|err| Error::internal(format!("The installer stopped unexpectedly: {err}")))?
        .inspect_err(|err| tracing::warn!(%version, "update not installed: {err}"))?;
    tracing::info!(%version, "update installed; it runs after a restart");
    updates.installed.store(true, Ordering::SeqCst);
    Ok(())
}

/// Restarts into the installed update, on the person's word.
#[tauri::command]
#[specta::specta]
pub fn restart_to_update(app: AppHandle, updates: State<'_, Updates>) -> Result<(), Error> {
    if !updates.installed.load(Ordering::SeqCst) {
        return Err(Error::invalid_input("No update is installed yet, so there is nothing to restart into."));
    }
    app.restart()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
