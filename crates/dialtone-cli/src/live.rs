//! Live calls through a SIP account: `dialtone call --via ACCOUNT`, `dialtone listen`
//! and `dialtone provider check`. The call stays in the foreground for its whole
//! life and prints each state as it happens (one JSON object per line with `--json`).
//! Ctrl-C sends CANCEL or BYE and exits cleanly. Every call lands in the history.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use dialtone_core::history::CallDirection;
use dialtone_core::service::{Dialtone, LiveAccount, LiveCall};
use dialtone_sip::{CallControl, CallEvent, CallHandle, EndReason, MediaIo, Party, Phone, SipAgent};

/// `--play`, `--record`, `--dtmf`, `--hangup-after`, `--json`.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    pub play: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub dtmf: Option<String>,
    pub hangup_after: Option<f64>,
    pub json: bool,
}

/// `listen --answer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Answer {
    /// Answer every call at once.
    Auto,
    /// Ask on the terminal.
    Ask,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the runtime")
}

fn media_io(dialtone: &Dialtone, options: &LiveOptions) -> anyhow::Result<MediaIo> {
    Ok(dialtone.live_media_io(options.play.clone(), options.record.clone())?)
}

/// Whether `via` (or the default provider) is a SIP account.
pub fn is_live(dialtone: &Dialtone, via: Option<&str>) -> bool {
    dialtone.choose_provider(via).is_ok_and(|(_, c)| c.kind == dialtone_core::providers::Kind::Sip)
}

async fn start(account: &LiveAccount) -> anyhow::Result<Phone> {
    let phone = Phone::start(account.account.clone()).await.map_err(|e| anyhow::anyhow!("{}: {e}", account.name))?;
    phone.register().await.map_err(|e| anyhow::anyhow!("{} could not register: {e}", account.name))?;
    Ok(phone)
}

/// `provider check NAME`: registers once, then unregisters.
pub fn check(out: &mut dyn Write, dialtone: &Dialtone, name: &str, json: bool) -> anyhow::Result<()> {
    let account = dialtone.live_account(Some(name))?;
    runtime()?.block_on(async {
        let phone = Phone::start(account.account.clone()).await.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let registered = phone.register().await.map_err(|e| anyhow::anyhow!("{name} could not register: {e}"))?;
        let _ = phone.unregister().await;
        if json {
            writeln!(out, "{}", serde_json::json!({"provider": name, "registered": true, "aor": registered.aor, "expires": registered.expires}))?;
        } else {
            writeln!(out, "{name}: registered as {} (the registrar granted {} s).", registered.aor, registered.expires)?;
        }
        Ok(())
    })
}

/// One line per event: words, or the event as JSON.
fn show(out: &mut dyn Write, json: bool, event: &CallEvent) -> io::Result<()> {
    if json {
        let line = serde_json::to_string(event).map_err(io::Error::other)?;
        writeln!(out, "{line}")?;
        return out.flush();
    }
    let by = |p: &Party| if *p == Party::Local { "by you" } else { "by the far end" };
    match event {
        CallEvent::Calling { to } => writeln!(out, "calling {to}")?,
        CallEvent::Incoming { from, display_name } => match display_name {
            Some(name) => writeln!(out, "incoming call from {name} <{from}>")?,
            None => writeln!(out, "incoming call from {from}")?,
        },
        CallEvent::Ringing { early_media: true } => writeln!(out, "ringing (hearing the far end's own tone)")?,
        CallEvent::Ringing { .. } => writeln!(out, "ringing")?,
        CallEvent::Answered { codec, encrypted } => {
            writeln!(out, "answered ({codec}{})", if *encrypted { ", encrypted" } else { "" })?
        }
        CallEvent::Held { by: p } => writeln!(out, "held {}", by(p))?,
        CallEvent::Resumed { by: p } => writeln!(out, "resumed {}", by(p))?,
        CallEvent::Dtmf { digit, by: p } => writeln!(out, "key {digit} pressed {}", by(p))?,
        CallEvent::Stats { .. } => return Ok(()),
        CallEvent::Notice { message } => writeln!(out, "note: {message}")?,
        CallEvent::Ended { reason, message, duration_s, .. } => {
            writeln!(out, "ended: {} ({message}) after {duration_s:.1} s", reason.word())?
        }
    }
    out.flush()
}

/// What a call's end means for the exit status.
fn exit_for(reason: EndReason, interrupted: bool) -> ExitCode {
    match reason {
        _ if interrupted => ExitCode::from(130),
        EndReason::HungUp | EndReason::RemoteHungUp => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

struct Ended {
    reason: EndReason,
    message: String,
    duration_s: f64,
    stats: Option<dialtone_sip::media::MediaStats>,
}

/// Follows one call to its end: DTMF and the hang-up timer once answered, Ctrl-C.
async fn follow(
    out: &mut dyn Write,
    call: &mut CallHandle,
    options: &LiveOptions,
    mut first: Option<CallEvent>,
    interrupted: &mut bool,
) -> anyhow::Result<Ended> {
    let control: CallControl = call.control();
    let mut hang_up_at: Option<tokio::time::Instant> = None;
    loop {
        let event = match first.take() {
            Some(e) => Some(e),
            None => tokio::select! {
                e = call.next_event() => e,
                _ = tokio::signal::ctrl_c(), if !*interrupted => {
                    *interrupted = true;
                    control.hang_up();
                    continue;
                }
                _ = tokio::time::sleep_until(hang_up_at.unwrap_or_else(tokio::time::Instant::now)), if hang_up_at.is_some() => {
                    hang_up_at = None;
                    control.hang_up();
                    continue;
                }
            },
        };
        let Some(event) = event else {
            return Ok(Ended {
                reason: EndReason::Failed,
                message: "The call stopped without saying why.".into(),
                duration_s: 0.0,
                stats: None,
            });
        };
        show(out, options.json, &event)?;
        match &event {
            CallEvent::Answered { .. } => {
                if let Some(digits) = &options.dtmf {
                    control.dtmf(digits);
                }
                if let Some(seconds) = options.hangup_after {
                    hang_up_at = Some(tokio::time::Instant::now() + Duration::from_secs_f64(seconds));
                }
            }
            CallEvent::Ended { reason, message, duration_s, stats, .. } => {
                return Ok(Ended {
                    reason: *reason,
                    message: message.clone(),
                    duration_s: *duration_s,
                    stats: Some(*stats),
                });
            }
            _ => {}
        }
    }
}

/// `call TARGET --via ACCOUNT`.
pub fn call(
    out: &mut dyn Write,
    dialtone: &Dialtone,
    target: &str,
    via: Option<&str>,
    options: &LiveOptions,
) -> anyhow::Result<ExitCode> {
    let account = dialtone.live_account(via)?;
    let io = media_io(dialtone, options)?;
    runtime()?.block_on(async {
        let phone = start(&account).await?;
        let mut call = match phone.call(target, io).await {
            Ok(call) => call,
            Err(e) => {
                let _ = phone.unregister().await;
                return Err(anyhow::anyhow!("{e}"));
            }
        };
        let mut interrupted = false;
        let ended = follow(out, &mut call, options, None, &mut interrupted).await;
        let _ = phone.unregister().await;
        let ended = ended?;
        dialtone.record_live_call(&LiveCall {
            provider: &account.name,
            typed: target,
            target: &call.remote,
            direction: CallDirection::Outgoing,
            reason: ended.reason,
            message: &ended.message,
            duration_s: ended.duration_s,
            stats: ended.stats.as_ref(),
        });
        if !matches!(ended.reason, EndReason::HungUp | EndReason::RemoteHungUp) && !interrupted && !options.json {
            eprintln!("dialtone: {}", ended.message);
        }
        Ok(exit_for(ended.reason, interrupted))
    })
}

/// Asks on the terminal whether to answer; no (or standard input closed) declines.
/// The read runs on a plain thread: a question nobody answers must not keep the
/// program from exiting once the caller has given up.
async fn ask(from: &str) -> bool {
    eprint!("Answer the call from {from}? [y/N] ");
    let _ = io::stderr().flush();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = io::stdin().lock().read_line(&mut line).ok().filter(|n| *n > 0).map(|_| line);
        let _ = tx.send(read);
    });
    rx.await.ok().flatten().is_some_and(|l| matches!(l.trim(), "y" | "Y" | "yes"))
}

/// `listen --via ACCOUNT`: registers and takes calls until `calls` have ended or Ctrl-C.
pub fn listen(
    out: &mut dyn Write,
    dialtone: &Dialtone,
    via: Option<&str>,
    answer: Answer,
    calls: Option<u32>,
    options: &LiveOptions,
) -> anyhow::Result<ExitCode> {
    let account = dialtone.live_account(via)?;
    media_io(dialtone, options)?.check().map_err(|e| anyhow::anyhow!("{e}"))?;
    runtime()?.block_on(async {
        let phone = start(&account).await?;
        if options.json {
            writeln!(out, "{}", serde_json::json!({"event": "registered", "aor": account.account.aor()}))?;
        } else {
            writeln!(out, "registered as {}; waiting for calls (Ctrl-C stops)", account.account.aor())?;
        }
        out.flush()?;
        let mut taken = 0u32;
        let mut interrupted = false;
        while calls.is_none_or(|n| taken < n) && !interrupted {
            let mut call = tokio::select! {
                c = phone.next_incoming() => match c { Some(c) => c, None => break },
                _ = tokio::signal::ctrl_c() => { interrupted = true; break }
            };
            let first = call.next_event().await;
            let from = call.remote.clone();
            if let Some(e) = &first {
                show(out, options.json, e)?;
            }
            let mut early = None;
            let take = match answer {
                Answer::Auto => true,
                Answer::Ask => tokio::select! {
                    yes = ask(&from) => yes,
                    // The caller gave up while we asked: that event ends the call below.
                    e = call.next_event() => { early = e; false }
                },
            };
            let control = call.control();
            if early.is_none() {
                if take {
                    control.answer(media_io(dialtone, options)?);
                } else {
                    control.decline();
                }
            }
            let ended = follow(out, &mut call, options, early, &mut interrupted).await?;
            dialtone.record_live_call(&LiveCall {
                provider: &account.name,
                typed: &from,
                target: &from,
                direction: CallDirection::Incoming,
                reason: ended.reason,
                message: &ended.message,
                duration_s: ended.duration_s,
                stats: ended.stats.as_ref(),
            });
            taken += 1;
        }
        let _ = phone.unregister().await;
        Ok(if interrupted { ExitCode::from(130) } else { ExitCode::SUCCESS })
    })
}
