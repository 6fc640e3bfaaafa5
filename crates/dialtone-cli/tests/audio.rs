//! `dialtone tone` and `dialtone audio ...` against a real PulseAudio server (run under
//! scripts/with-audio.sh: default speaker "spk", default microphone "mic.monitor").
//! What the command plays is recorded with `parec` and checked with Goertzel filters.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

use dialtone_audio::analysis::goertzel_power;
use dialtone_audio::testing::{self, DTMF_FREQUENCIES, Recorder, strongest_pair};
use serde_json::Value;

/// The tests share the server's default sinks: one at a time.
static SOUND: Mutex<()> = Mutex::new(());

fn dialtone(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .env_remove("DIALTONE_DATA_DIR")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = dialtone(dir, args);
    assert!(out.status.success(), "dialtone {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs of sound with gaps under 40 ms joined.
fn sounds(samples: &[f32]) -> Vec<(usize, usize)> {
    testing::sounds(samples, 40)
}

#[test]
fn tone_plays_each_key_whole_on_the_speaker() {
    let _one = SOUND.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::start("spk");
    ok(dir.path(), &["tone", "1#"]);
    let heard = recorder.stop();
    let runs = sounds(&heard);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(strongest_pair(&heard[runs[0].0..runs[0].1], &DTMF_FREQUENCIES), (697.0, 1209.0));
    assert_eq!(strongest_pair(&heard[runs[1].0..runs[1].1], &DTMF_FREQUENCIES), (941.0, 1477.0));
    for (start, end) in runs {
        assert!((end - start) * 1000 / 48_000 >= 90, "a key was cut short");
    }
}

#[test]
fn tone_refuses_what_is_not_a_key_before_playing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dialtone(dir.path(), &["tone", "12x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("“x” is not a keypad key"), "{err}");
}

#[test]
fn a_chosen_speaker_is_remembered_and_used_and_a_wrong_one_refused() {
    let _one = SOUND.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let out = dialtone(dir.path(), &["audio", "use", "--output", "pulseaudio:headset_that_is_not_here"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no speaker “pulseaudio:headset_that_is_not_here”"));

    ok(dir.path(), &["audio", "use", "--output", "pulseaudio:mic"]);
    let settings = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
    assert!(settings.contains("[audio]") && settings.contains("output = \"pulseaudio:mic\""), "{settings}");
    let devices: Value = serde_json::from_str(&ok(dir.path(), &["audio", "devices", "--json"])).unwrap();
    assert_eq!(devices["chosen"]["output"], "pulseaudio:mic");
    let outputs: Vec<&str> = devices["outputs"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(outputs.contains(&"pulseaudio:spk") && outputs.contains(&"pulseaudio:mic"), "{outputs:?}");

    // The chosen sink plays the key; the default one stays silent.
    let on_mic = Recorder::start("mic");
    let on_spk = Recorder::start("spk");
    ok(dir.path(), &["tone", "5"]);
    let (mic, spk) = (on_mic.stop(), on_spk.stop());
    assert_eq!(sounds(&mic).len(), 1);
    assert!(sounds(&spk).is_empty(), "the default speaker played too");

    ok(dir.path(), &["audio", "use", "--output", "default"]);
    let settings = std::fs::read_to_string(dir.path().join("settings.toml")).unwrap();
    assert!(!settings.contains("output ="), "{settings}");
}

#[test]
fn echo_test_through_a_lossy_jittery_network_reports_what_the_buffer_did() {
    let _one = SOUND.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::start("spk");
    // The tone plays from before the command starts until it ends: on a busy machine
    // the command can take more than a second to start listening, and a tone timed
    // from its launch was once over before the echo could come back (nothing heard).
    let feed = testing::Feed::start("mic", 600, 15.0);
    let out = ok(dir.path(), &["audio", "echo-test", "--seconds", "2", "--jitter-ms", "60", "--loss", "10", "--json"]);
    drop(feed);
    let heard = recorder.stop();
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["packets_sent"].as_u64().unwrap() >= 95, "{report}");
    assert!(report["network_lost"].as_u64().unwrap() > 0, "{report}");
    let jitter = &report["jitter"];
    assert!(jitter["recovered"].as_u64().unwrap() + jitter["concealed"].as_u64().unwrap() > 0, "{report}");
    assert!(jitter["target_ms"].as_u64().unwrap() >= 40, "60 ms of jitter deepens the buffer: {report}");
    let runs = sounds(&heard);
    assert!(!runs.is_empty(), "nothing came back");
    let echo = &heard[runs[0].0..runs[0].1];
    assert!(goertzel_power(echo, 48_000, 600.0) > 20.0 * goertzel_power(echo, 48_000, 800.0));
}

#[test]
fn without_a_sound_server_the_command_says_so_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .env_remove("DIALTONE_DATA_DIR")
        .env_remove("PULSE_SERVER")
        .env("XDG_RUNTIME_DIR", empty.path())
        // An ALSA without cards or the pulse plugin: nothing can play.
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["tone", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("dialtone: "), "{err}");
    assert!(last.contains("sound server") || last.contains("No speaker"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
