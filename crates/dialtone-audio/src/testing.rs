//! Helpers for tests that play and record through a real PulseAudio server (started by
//! `scripts/with-audio.sh`): null sinks made per test, a recorder (`parec`) that hears
//! what a sink plays, a player (`sox | paplay`) that feeds a sink, and the analysis that
//! finds the sounds in a recording. Built only with the `test-support` feature: the
//! engine's own tests, the `dialtone` command's and the end-to-end suite share it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::analysis::{goertzel_power, rms_dbfs};

/// Sample rate recordings are made at.
pub const RATE: u32 = 48_000;

/// Fails the test, plainly, when no sound server is reachable.
pub fn require_pulse() {
    let ok = Command::new("pactl")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "these tests need a PulseAudio server: run them under scripts/with-audio.sh (scripts/test.sh does)");
}

/// A null sink of its own for one test; unloaded when dropped.
#[derive(Debug)]
pub struct Sink {
    pub name: String,
    module: String,
    awake: Child,
}

impl Sink {
    /// Loads `module-null-sink` named `name` and waits until it is awake (an idle
    /// null sink sleeps up to 2 s before it plays a new stream).
    pub fn new(name: &str) -> Sink {
        require_pulse();
        let out = Command::new("pactl")
            .args(["load-module", "module-null-sink", &format!("sink_name={name}")])
            .output()
            .expect("pactl");
        assert!(out.status.success(), "load-module: {}", String::from_utf8_lossy(&out.stderr));
        let module = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        // A silent low-latency stream keeps the sink awake, like a real sound card.
        let awake = Command::new("pacat")
            .args(["--latency-msec=10", "-d", name, "/dev/zero"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pacat");
        std::thread::sleep(Duration::from_millis(2200));
        Sink { name: name.to_owned(), module, awake }
    }

    /// The cpal id of the sink.
    pub fn id(&self) -> String {
        format!("pulseaudio:{}", self.name)
    }

    /// The cpal id of the sink's monitor (a capture device hearing what it plays).
    pub fn monitor_id(&self) -> String {
        format!("pulseaudio:{}.monitor", self.name)
    }

    /// Removes the sink now, as if the device were unplugged.
    pub fn unplug(&mut self) {
        let _ = self.awake.kill();
        let _ = self.awake.wait();
        let status = Command::new("pactl").args(["unload-module", &self.module]).status().expect("pactl");
        assert!(status.success());
        self.module.clear();
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.awake.kill();
        let _ = self.awake.wait();
        if !self.module.is_empty() {
            let _ = Command::new("pactl").args(["unload-module", &self.module]).status();
        }
    }
}

/// Records what a sink plays, from its monitor.
#[derive(Debug)]
pub struct Recorder {
    child: Child,
    file: tempfile::NamedTempFile,
}

impl Recorder {
    /// Starts recording `sink_name`'s monitor at 48 kHz mono.
    pub fn start(sink_name: &str) -> Recorder {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        // --latency-msec=20: with the default latency a short sound arrives too late
        // to be caught before the recorder stops.
        let child = Command::new("parec")
            .args([
                "-d",
                &format!("{sink_name}.monitor"),
                "--latency-msec=20",
                "--format=float32le",
                "--rate=48000",
                "--channels=1",
                "--raw",
            ])
            .stdout(file.reopen().expect("reopen"))
            .stderr(Stdio::null())
            .spawn()
            .expect("parec");
        // Recording starts when the first samples arrive, not when parec starts: an idle
        // null sink renders in 2 s blocks and only takes up the recorder's 20 ms at the
        // end of the block under way. A sound played in that window can reach the sink
        // and be gone before the monitor hears any of it (a key heard as nothing, one
        // run in a few under load).
        let deadline = Instant::now() + Duration::from_secs(10);
        while file.as_file().metadata().map(|m| m.len()).unwrap_or(0) == 0 {
            assert!(Instant::now() < deadline, "parec recorded nothing from {sink_name}.monitor in 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
        Recorder { child, file }
    }

    /// Waits a second for the tail to arrive, stops with SIGINT, returns the samples.
    pub fn stop(mut self) -> Vec<f32> {
        std::thread::sleep(Duration::from_secs(1));
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        let bytes = std::fs::read(self.file.path()).expect("read recording");
        bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    }
}

/// Plays a sine (-9 dBFS RMS) into a sink with `sox` and `paplay` (not our code),
/// waiting until it has played.
pub fn play_sine(sink_name: &str, freq: u32, seconds: f32) {
    let script =
        format!("sox -V1 -n -r 48000 -c 1 -b 16 -t wav - synth {seconds} sine {freq} vol 0.5 | paplay -d {sink_name}");
    let status = Command::new("sh").args(["-c", &script]).status().expect("sh");
    assert!(status.success(), "{script}");
}

/// A sine (-9 dBFS RMS) that plays into a sink until dropped (`paplay`, not our code):
/// for a program that may take a while to start listening, on a busy machine.
#[derive(Debug)]
pub struct Feed {
    child: Child,
    _file: tempfile::NamedTempFile,
}

impl Feed {
    /// Starts playing `freq` Hz into `sink_name`, for at most `seconds`.
    pub fn start(sink_name: &str, freq: u32, seconds: f32) -> Feed {
        let file = tempfile::Builder::new().suffix(".wav").tempfile().expect("temp file");
        let path = file.path().to_str().expect("a UTF-8 temp path").to_owned();
        let status = Command::new("sox")
            .args(["-V1", "-n", "-r", "48000", "-c", "1", "-b", "16", &path, "synth"])
            .arg(seconds.to_string())
            .args(["sine", &freq.to_string(), "vol", "0.5"])
            .status()
            .expect("sox");
        assert!(status.success(), "sox could not make the tone");
        let child = Command::new("paplay").args(["-d", sink_name, &path]).spawn().expect("paplay");
        Feed { child, _file: file }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// [`play_sine`] on a thread of its own.
pub fn play_sine_in_background(sink_name: &str, freq: u32, seconds: f32) -> std::thread::JoinHandle<()> {
    let sink = sink_name.to_owned();
    std::thread::spawn(move || play_sine(&sink, freq, seconds))
}

/// The two strongest of `candidates` in `samples` (48 kHz), lower first.
pub fn strongest_pair(samples: &[f32], candidates: &[f32]) -> (f32, f32) {
    let mut powers: Vec<(f32, f32)> = candidates.iter().map(|f| (*f, goertzel_power(samples, RATE, *f))).collect();
    powers.sort_by(|a, b| b.1.total_cmp(&a.1));
    (powers[0].0.min(powers[1].0), powers[0].0.max(powers[1].0))
}

/// The DTMF frequencies (ITU-T Q.23 rows, then columns).
pub const DTMF_FREQUENCIES: [f32; 8] = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];

/// Stretches of sound in a 48 kHz recording: see [`sounds_at`].
pub fn sounds(samples: &[f32], gap_ms: usize) -> Vec<(usize, usize)> {
    sounds_at(samples, RATE, gap_ms)
}

/// Stretches of sound: (start, end) sample indices of runs of 10 ms windows louder
/// than -30 dBFS, joining runs less than `gap_ms` apart.
/// Where each click starts in a recording at [`RATE`], in milliseconds: a loud
/// millisecond after at least 15 ms of quiet. The latency benchmarks time a click's
/// trips round a loop with it.
pub fn onsets_ms(samples: &[f32]) -> Vec<f64> {
    let window = RATE as usize / 1000;
    let mut quiet_ms = 100;
    let mut found = Vec::new();
    for (i, chunk) in samples.chunks(window).enumerate() {
        let loud = chunk.iter().map(|s| s.abs()).fold(0.0f32, f32::max) > 0.05;
        if loud && quiet_ms >= 15 {
            found.push(i as f64);
        }
        quiet_ms = if loud { 0 } else { quiet_ms + 1 };
    }
    found
}

pub fn sounds_at(samples: &[f32], rate: u32, gap_ms: usize) -> Vec<(usize, usize)> {
    let window = rate as usize / 100;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, chunk) in samples.chunks(window).enumerate() {
        if rms_dbfs(chunk) > -30.0 {
            let (start, end) = (i * window, (i + 1) * window);
            match runs.last_mut() {
                Some(last) if start - last.1 <= gap_ms * window / 10 => last.1 = end,
                _ => runs.push((start, end)),
            }
        }
    }
    runs
}
