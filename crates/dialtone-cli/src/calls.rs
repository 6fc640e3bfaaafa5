//! `dialtone call`, `redial`, `hangup` and `status`: a call through a provider, waited
//! for on a terminal, with Ctrl-C to stop waiting.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use dialtone_core::providers::{CallOutcome, CallPhase, CallStatus, Placed};
use dialtone_core::qr::Qr;
use dialtone_core::service::{CallControl, CallEvent, Dialtone};
use dialtone_core::{CancellationToken, ErrorCode};

use crate::output::emit;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")
}

pub fn place(
    out: &mut dyn Write,
    dialtone: &Dialtone,
    target: &str,
    via: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    // Said first, on stderr: a number the plan does not list (still called), and what
    // the provider cannot do (a Sendblue call's audio is not carried here).
    for note in dialtone.notes_before_calling(target, via) {
        eprintln!("dialtone: note: {note}");
    }
    runtime()?.block_on(wait_for(out, json, |control| dialtone.place_call(target, via, control)))
}

pub fn redial(out: &mut dyn Write, dialtone: &Dialtone, id: i64, json: bool) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(wait_for(out, json, |control| dialtone.redial(id, control)))
}

pub fn hang_up(out: &mut dyn Write, dialtone: &Dialtone, call_id: &str, via: Option<&str>) -> anyhow::Result<()> {
    runtime()?.block_on(dialtone.hang_up(call_id, via))?;
    writeln!(out, "Hung up {call_id}.")?;
    Ok(())
}

pub fn status(
    out: &mut dyn Write,
    dialtone: &Dialtone,
    call_id: &str,
    via: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let status = runtime()?.block_on(dialtone.call_status(call_id, via))?;
    emit(out, json, &status, |out, status| write_status(out, call_id, status))
}

fn write_status(out: &mut dyn Write, call_id: &str, status: &CallStatus) -> io::Result<()> {
    let phase = match status.phase {
        CallPhase::Ringing => "ringing",
        CallPhase::Connected => "connected",
        CallPhase::Ended => "ended",
    };
    writeln!(out, "{call_id}: {phase} ({})", status.state)?;
    if let Some(cause) = &status.disconnect_cause {
        writeln!(out, "Ended by: {cause}")?;
    }
    if let Some(error) = &status.error_message {
        writeln!(out, "Error: {error}")?;
    }
    Ok(())
}

/// Places a call (or a redial) and waits for the provider, showing progress on a
/// terminal (which provider the core chose, then the time waited). Ctrl-C stops
/// waiting: the core records the attempt as cancelled in the history before this returns.
async fn wait_for<F>(out: &mut dyn Write, json: bool, place: impl FnOnce(CallControl) -> F) -> anyhow::Result<ExitCode>
where
    F: Future<Output = dialtone_core::Result<Placed>>,
{
    let started = Instant::now();
    let show_progress = io::stderr().is_terminal();
    let cancel = CancellationToken::new();
    let control = CallControl::from(cancel.clone()).reporting(move |event| {
        if let (true, CallEvent::Dialling { provider, label, to, .. }) = (show_progress, event) {
            eprintln!("Calling {to} through {provider} ({label})…");
        }
    });
    let placing = place(control);
    tokio::pin!(placing);
    let mut ticker = tokio::time::interval(Duration::from_secs(5));
    ticker.tick().await;
    let mut interrupted = false;
    let placed = loop {
        tokio::select! {
            result = &mut placing => match result {
                Err(err) if interrupted && err.code == ErrorCode::Cancelled => {
                    eprintln!("dialtone: {}", err.message);
                    return Ok(ExitCode::from(130));
                }
                result => break result?,
            },
            _ = ticker.tick(), if show_progress => {
                eprintln!("Waiting for the provider… {} s (Ctrl-C stops waiting)", started.elapsed().as_secs());
            }
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                cancel.cancel();
            }
        }
    };
    emit(out, json, &placed, write_placed)?;
    Ok(ExitCode::SUCCESS)
}

fn write_placed(out: &mut dyn Write, placed: &Placed) -> io::Result<()> {
    let who = format!("{} ({})", placed.provider, placed.kind);
    match &placed.outcome {
        CallOutcome::Placed { call_id } => {
            writeln!(out, "Calling {} through {who}.", placed.to)?;
            if let Some(id) = call_id {
                writeln!(out, "Call id: {id}")?;
            }
        }
        CallOutcome::FacetimeLink { link, .. } => {
            writeln!(out, "FaceTime link for {} (through {who}):", placed.to)?;
            writeln!(out, "{link}")?;
            write!(out, "{}", Qr::encode(link).map_err(io::Error::other)?.terminal())?;
            writeln!(
                out,
                "Scan with an iPhone to join. The first person to open the link in the next 2 minutes is let in"
            )?;
            writeln!(out, "automatically; the link stays valid for about 3 hours.")?;
        }
        CallOutcome::LiveAudio { agora } => {
            writeln!(out, "FaceTime call to {} started through {who}.", placed.to)?;
            writeln!(
                out,
                "Its audio is Agora channel {} (app {}, uid {}).",
                agora.channel_name, agora.app_id, agora.uid
            )?;
            writeln!(
                out,
                "The dialtone command cannot carry this call's audio: place it from the Dialtone window to hear it."
            )?;
        }
        CallOutcome::Recorded { call_id, .. } => {
            writeln!(out, "Recorded the call to {} in the CRM ({who}).", placed.to)?;
            if let Some(id) = call_id {
                writeln!(out, "Call id: {id}")?;
            }
        }
    }
    Ok(())
}
