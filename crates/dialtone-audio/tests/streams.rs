//! Opening and closing speakers and microphones, again and again, against a real
//! PulseAudio (run under `scripts/with-audio.sh`). Alone in its own test binary, so the
//! threads and files counted are this test's only.
//!
//! The engine opens a stream for each key tone after a pause and for the Settings
//! meter, and closes it again. A closed stream or host could leave its connection to the
//! sound server behind (a thread and a socket here, a client there): pulseaudio 0.3.2's
//! connection thread was never woken to see its last handle gone. PulseAudio refuses
//! new clients after a few dozen, and then no tone or call has sound. The sound
//! server's own client list (`pactl`) is the reference here, not our counts alone.

use std::time::{Duration, Instant};

use cpal::traits::HostTrait;
use dialtone_audio::tones::Tone;
use dialtone_audio::{Microphone, Speaker, devices};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("Linux's /proc").count()
}

fn open_files() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("Linux's /proc").count()
}

/// The clients PulseAudio has connected now, as it reports them.
fn server_clients() -> usize {
    let out = std::process::Command::new("pactl")
        .args(["list", "short", "clients"])
        .output()
        .expect("pactl (scripts/install-deps.sh installs it)");
    assert!(out.status.success(), "pactl: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Threads, open files and sound-server clients, now.
fn counts() -> (usize, usize, usize) {
    (threads(), open_files(), server_clients())
}

/// Waits (up to 5 s: a connection ends on its own thread, just after its stream is
/// dropped) for every count to be back at most where it was.
fn settled(before: (usize, usize, usize)) -> (usize, usize, usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = counts();
        if (now.0 <= before.0 && now.1 <= before.1 && now.2 <= before.2) || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn closed_speakers_and_microphones_leave_no_connection_behind() {
    // One of each first, so what stays for good (the kept device-list connection,
    // cpal's own threads) is counted in `before`.
    drop(Speaker::open(None).expect("a speaker (run under scripts/with-audio.sh)"));
    drop(Microphone::open(None).expect("a microphone"));
    let before = counts();

    const ROUNDS: usize = 30;
    for _ in 0..ROUNDS {
        let (mut speaker, _) = Speaker::open(None).unwrap();
        speaker.play(Tone::Dtmf { key: '5', ms: 40 }).unwrap();
        let (microphone, _) = Microphone::open(None).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        drop(microphone);
        drop(speaker);
        // A sound-system connection of its own, used and dropped with nothing left to
        // say: unpatched, nothing ever woke its thread again (the old device-list leak).
        let host = devices::host();
        assert!(host.default_output_device().is_some());
        drop(host);
    }

    let after = settled(before);
    assert!(
        after.2 <= before.2,
        "sound-server clients: {} before, {} after {ROUNDS} speakers, microphones and connections",
        before.2,
        after.2
    );
    assert!(after.0 <= before.0, "threads: {} before, {} after", before.0, after.0);
    assert!(after.1 <= before.1, "open files: {} before, {} after", before.1, after.1);
}
