//! The engine an app keeps running: one thread that owns the speaker and microphone,
//! takes requests from any thread, and reports what happens through a callback.
//!
//! The speaker opens on the first key press and stays open (so the next press sounds
//! at once), closing after a while unused. The microphone runs only while a meter is
//! shown. The echo test runs on a thread of its own and can be stopped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::echo::{self, EchoOptions, EchoProgress, EchoReport};
use crate::error::{AudioError, Result};
use crate::microphone::Microphone;
use crate::speaker::Speaker;
use crate::tones::{Tone, dtmf_pair};

/// How often the meter reports, and the engine looks after its streams.
const TICK: Duration = Duration::from_millis(50);
/// An unused speaker is closed after this long.
const SPEAKER_IDLE: Duration = Duration::from_secs(30);

/// The devices to use (`None`: the system default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    pub input: Option<String>,
    pub output: Option<String>,
    pub ringer: Option<String>,
}

/// What the engine tells the app.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The microphone's level, 20 times a second while the meter runs.
    Level { dbfs: f32 },
    /// Something the person should know (a device fell back, a tone could not play).
    Notice { message: String },
    /// The echo test is running.
    EchoProgress(EchoProgress),
    /// The echo test ended.
    EchoDone(EchoReport),
    /// The echo test could not run.
    EchoFailed { message: String },
}

enum Request {
    Devices(Devices),
    Play(Tone),
    Ring(Tone),
    Alert(Option<Tone>),
    MeterOn,
    MeterOff,
    Echo(u32),
    EchoStop,
}

/// A handle to the engine's thread; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct Engine {
    requests: mpsc::Sender<Request>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Engine")
    }
}

impl Engine {
    /// Starts the engine's thread.
    pub fn start(devices: Devices, on_event: impl Fn(EngineEvent) + Send + Sync + 'static) -> Engine {
        let (requests, inbox) = mpsc::channel();
        let on_event: Arc<dyn Fn(EngineEvent) + Send + Sync> = Arc::new(on_event);
        std::thread::Builder::new()
            .name("dialtone-audio".into())
            .spawn(move || Worker::new(devices, on_event).run(&inbox))
            .expect("the audio thread starts");
        Engine { requests }
    }

    fn send(&self, request: Request) -> Result<()> {
        self.requests.send(request).map_err(|_| AudioError::NoHost("the audio engine has stopped".to_owned()))
    }

    /// Uses these devices from now on.
    pub fn set_devices(&self, devices: Devices) -> Result<()> {
        self.send(Request::Devices(devices))
    }

    /// A keypad press: its DTMF tone, at once.
    pub fn key(&self, key: char) -> Result<()> {
        if dtmf_pair(key).is_none() {
            return Err(AudioError::InvalidInput(format!("“{key}” is not a keypad key")));
        }
        self.send(Request::Play(Tone::key(key)))
    }

    /// Plays any tone (the speaker test, the error tone).
    pub fn play(&self, tone: Tone) -> Result<()> {
        self.send(Request::Play(tone))
    }

    /// Plays a one-shot tone on the ringer (the speaker when no ringer is chosen): the
    /// ringer test, a ringtone tried in Settings.
    pub fn ring(&self, tone: Tone) -> Result<()> {
        if tone.repeats() {
            return Err(AudioError::InvalidInput("Only a tone that ends can be tried on the ringer".to_owned()));
        }
        self.send(Request::Ring(tone))
    }

    /// Starts an incoming call's alert, repeating until replaced or stopped (`None`):
    /// [`Tone::Ringtone`] on the ringer (the speaker when no ringer is chosen), or
    /// [`Tone::CallWaiting`] on the speaker, where the person in a call hears it.
    pub fn alert(&self, tone: Option<Tone>) -> Result<()> {
        if let Some(tone) = tone
            && !matches!(tone, Tone::Ringtone { .. } | Tone::CallWaiting)
        {
            return Err(AudioError::InvalidInput(format!("{tone:?} is not an incoming call's alert")));
        }
        self.send(Request::Alert(tone))
    }

    /// Starts or stops the microphone meter.
    pub fn meter(&self, on: bool) -> Result<()> {
        self.send(if on { Request::MeterOn } else { Request::MeterOff })
    }

    /// Starts the echo test for `seconds`.
    pub fn echo_test(&self, seconds: u32) -> Result<()> {
        if !(1..=60).contains(&seconds) {
            return Err(AudioError::InvalidInput("The echo test lasts 1 to 60 seconds".to_owned()));
        }
        self.send(Request::Echo(seconds))
    }

    /// Stops a running echo test.
    pub fn stop_echo_test(&self) -> Result<()> {
        self.send(Request::EchoStop)
    }
}

struct Worker {
    devices: Devices,
    on_event: Arc<dyn Fn(EngineEvent) + Send + Sync>,
    speaker: Option<Speaker>,
    speaker_used: Instant,
    microphone: Option<Microphone>,
    /// The ringtone or call-waiting beep, on its own stream while it sounds.
    alert: Option<Speaker>,
    scratch: Vec<f32>,
    echo_stop: Option<Arc<AtomicBool>>,
    echo_running: Arc<AtomicBool>,
}

impl Worker {
    fn new(devices: Devices, on_event: Arc<dyn Fn(EngineEvent) + Send + Sync>) -> Self {
        Self {
            devices,
            on_event,
            speaker: None,
            speaker_used: Instant::now(),
            microphone: None,
            alert: None,
            scratch: Vec::with_capacity(48_000),
            echo_stop: None,
            echo_running: Arc::new(AtomicBool::new(false)),
        }
    }

    fn notice(&self, message: String) {
        (self.on_event)(EngineEvent::Notice { message });
    }

    fn run(mut self, inbox: &mpsc::Receiver<Request>) {
        let mut next_tick = Instant::now() + TICK;
        loop {
            let wait = next_tick.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(request) => self.handle(request),
                Err(RecvTimeoutError::Timeout) => {
                    next_tick += TICK;
                    if next_tick < Instant::now() {
                        next_tick = Instant::now() + TICK;
                    }
                    self.tick();
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if let Some(stop) = &self.echo_stop {
            stop.store(true, Ordering::Relaxed);
        }
        if let Some(mut speaker) = self.speaker.take() {
            let _ = speaker.drain(Duration::from_secs(2));
        }
    }

    fn handle(&mut self, request: Request) {
        match request {
            Request::Devices(devices) => {
                let meter = self.microphone.is_some();
                self.devices = devices;
                self.speaker = None;
                self.microphone = None;
                if meter {
                    self.open_microphone();
                }
            }
            Request::Play(tone) => self.play(tone),
            Request::Ring(tone) => {
                // Its own stream, so a ringer and a headset can sound together.
                let device = self.devices.ringer.clone().or_else(|| self.devices.output.clone());
                let on_event = self.on_event.clone();
                let _ = std::thread::Builder::new().name("dialtone-ringer".into()).spawn(move || {
                    let message = match crate::play_and_wait(&[tone], device.as_deref()) {
                        Ok(fallback) => fallback.map(|f| f.message()),
                        Err(err) => Some(err.to_string()),
                    };
                    if let Some(message) = message {
                        on_event(EngineEvent::Notice { message });
                    }
                });
            }
            Request::Alert(tone) => self.alert(tone),
            Request::MeterOn => {
                if self.microphone.is_none() {
                    self.open_microphone();
                }
            }
            Request::MeterOff => self.microphone = None,
            Request::Echo(seconds) => self.start_echo(seconds),
            Request::EchoStop => {
                if let Some(stop) = &self.echo_stop {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    fn play(&mut self, tone: Tone) {
        if self.speaker.is_none() {
            match Speaker::open(self.devices.output.as_deref()) {
                Ok((speaker, fallback)) => {
                    if let Some(fallback) = fallback {
                        self.notice(fallback.message());
                    }
                    self.speaker = Some(speaker);
                }
                Err(err) => {
                    self.notice(format!("Keypad tones cannot play: {err}"));
                    return;
                }
            }
        }
        self.speaker_used = Instant::now();
        if let Some(speaker) = &mut self.speaker {
            // A full queue means the person is typing faster than tones play: skip one.
            let _ = speaker.play(tone);
        }
    }

    fn alert(&mut self, tone: Option<Tone>) {
        // Dropping the stream silences it at once; a new alert gets a new stream, on
        // the device chosen now.
        self.alert = None;
        let Some(tone) = tone else { return };
        let device = match tone {
            Tone::Ringtone { .. } => self.devices.ringer.clone().or_else(|| self.devices.output.clone()),
            _ => self.devices.output.clone(),
        };
        match Speaker::open(device.as_deref()) {
            Ok((mut speaker, fallback)) => {
                if let Some(fallback) = fallback {
                    self.notice(fallback.message());
                }
                let _ = speaker.play(tone);
                self.alert = Some(speaker);
            }
            Err(err) => self.notice(format!("The incoming call cannot ring: {err}")),
        }
    }

    fn open_microphone(&mut self) {
        match Microphone::open(self.devices.input.as_deref()) {
            Ok((microphone, fallback)) => {
                if let Some(fallback) = fallback {
                    self.notice(fallback.message());
                }
                self.microphone = Some(microphone);
            }
            Err(err) => self.notice(err.to_string()),
        }
    }

    fn tick(&mut self) {
        if let Some(speaker) = &mut self.speaker {
            match speaker.check() {
                Ok(Some(fallback)) => {
                    let message = fallback.message();
                    self.notice(message);
                }
                Ok(None) => {}
                Err(err) => {
                    self.speaker = None;
                    self.notice(err.to_string());
                }
            }
            if self.speaker_used.elapsed() > SPEAKER_IDLE {
                self.speaker = None;
            }
        }
        if let Some(microphone) = &mut self.microphone {
            match microphone.check() {
                Ok(Some(fallback)) => (self.on_event)(EngineEvent::Notice { message: fallback.message() }),
                Ok(None) => {}
                Err(err) => {
                    self.microphone = None;
                    self.notice(err.to_string());
                    return;
                }
            }
            self.scratch.clear();
            microphone.read(&mut self.scratch);
            let dbfs = microphone.take_level_dbfs();
            (self.on_event)(EngineEvent::Level { dbfs });
        }
    }

    fn start_echo(&mut self, seconds: u32) {
        if self.echo_running.swap(true, Ordering::AcqRel) {
            self.notice("The echo test is already running.".to_owned());
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        self.echo_stop = Some(stop.clone());
        let running = self.echo_running.clone();
        let on_event = self.on_event.clone();
        let options = EchoOptions {
            input: self.devices.input.clone(),
            output: self.devices.output.clone(),
            ..EchoOptions::new(seconds)
        };
        let spawned = std::thread::Builder::new().name("dialtone-echo-test".into()).spawn(move || {
            let result = echo::run(&options, &stop, |p| on_event(EngineEvent::EchoProgress(p.clone())));
            running.store(false, Ordering::Release);
            on_event(match result {
                Ok(report) => EngineEvent::EchoDone(report),
                Err(err) => EngineEvent::EchoFailed { message: err.to_string() },
            });
        });
        if let Err(err) = spawned {
            self.echo_running.store(false, Ordering::Release);
            self.notice(format!("The echo test could not start: {err}"));
        }
    }
}
