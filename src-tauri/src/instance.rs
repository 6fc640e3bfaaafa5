//! One Dialtone per desktop session, even across a quick close and reopen.
//!
//! The single-instance plugin hands a second launch's arguments (a `tel:` link) to the
//! running Dialtone over D-Bus. If that Dialtone is closing just then, it still owns
//! the bus name but leaves without answering, and the plugin fails the new launch
//! ("failed to forward arguments to the running instance"), although no window will be
//! left to take the link. A person who closes Dialtone and opens it again at once
//! would see an error and no window. So such a launch starts itself afresh, a moment
//! later, when the old one has gone, and becomes the running Dialtone itself.

use std::time::Duration;

/// How many fresh starts a launch has already made (set on the fresh process).
const TRIES_VAR: &str = "DIALTONE_HANDOVER_TRIES";
const MAX_TRIES: u32 = 5;

/// Whether the plugin failed because the running Dialtone did not take the hand-over.
pub fn handover_failed(err: &tauri::Error) -> bool {
    err.to_string().contains("failed to forward arguments to the running instance")
}

/// Replaces this process with a fresh launch, same arguments, after a short wait.
/// Returns only when it cannot: the words to tell the person.
pub fn start_afresh() -> String {
    let tries: u32 = std::env::var(TRIES_VAR).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    if tries >= MAX_TRIES {
        return "Dialtone seems to be running already but does not answer. \
                Close it (or end its process) and open Dialtone again."
            .to_owned();
    }
    std::thread::sleep(Duration::from_millis(200 * u64::from(tries + 1)));
    exec_self(tries + 1)
}

/// This program again, same arguments, counting the try.
fn fresh_launch(tries: u32) -> std::io::Result<std::process::Command> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.args(std::env::args_os().skip(1)).env(TRIES_VAR, tries.to_string());
    Ok(command)
}

fn could_not_restart(err: &std::io::Error) -> String {
    format!("Dialtone could not start again after the running one closed ({err}). Open Dialtone again.")
}

#[cfg(unix)]
fn exec_self(tries: u32) -> String {
    use std::os::unix::process::CommandExt;
    let err = match fresh_launch(tries) {
        Ok(mut command) => command.exec(),
        Err(err) => err,
    };
    could_not_restart(&err)
}

#[cfg(not(unix))]
fn exec_self(tries: u32) -> String {
    match fresh_launch(tries).and_then(|mut command| command.spawn()) {
        Ok(_) => std::process::exit(0),
        Err(err) => could_not_restart(&err),
    }
}
