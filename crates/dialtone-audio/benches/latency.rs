//! The latency the local call pipeline adds, measured through a real sound server.
//!
//! `scripts/with-audio.sh cargo bench -p dialtone-audio --bench latency`
//!
//! The echo path (capture → 48 kHz → Opus → jitter buffer → Opus → speaker) runs with no
//! added delay and no simulated network, capturing from the monitor of the very sink it
//! plays into. A 10 ms click played into that sink is captured, sent round, played,
//! captured again, and so on: one recording of the sink holds the click and its
//! successive echoes, on one clock, and the gap between two echoes is exactly what the
//! pipeline adds, device buffers and jitter buffer included.

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use dialtone_audio::echo::{self, EchoOptions};
use dialtone_audio::stream::DEVICE_BUFFER_MS;
use dialtone_audio::testing::{self as support, Recorder, Sink, onsets_ms};

fn measure(sink: &Sink) -> Option<(f64, u32)> {
    let recorder = Recorder::start(&sink.name);
    let options = EchoOptions {
        seconds: 2,
        echo_delay_ms: 0,
        input: Some(sink.monitor_id()),
        output: Some(sink.id()),
        ..EchoOptions::default()
    };
    let name = sink.name.clone();
    let click = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        let script = format!("sox -V1 -n -r 48000 -c 1 -b 16 -t wav - synth 0.01 sine 1000 vol 0.6 | paplay -d {name}");
        Command::new("sh").args(["-c", &script]).status().expect("sox | paplay");
    });
    let report = echo::run(&options, &AtomicBool::new(false), |_| {}).expect("echo path");
    click.join().unwrap();
    let recorded = recorder.stop();
    let found = onsets_ms(&recorded);
    let mut gaps: Vec<f64> = found.windows(2).map(|w| w[1] - w[0]).take(5).collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_by(f64::total_cmp);
    Some((gaps[gaps.len() / 2], report.jitter.target_ms))
}

fn main() {
    if std::env::args().any(|a| a == "--test") {
        return; // needs a sound server; only `cargo bench` runs it
    }
    support::require_pulse();
    let sink = Sink::new("latency_bench");
    let mut results = Vec::new();
    for _ in 0..5 {
        if let Some(result) = measure(&sink) {
            results.push(result);
        }
    }
    assert!(!results.is_empty(), "no echo was heard");
    let mut latencies: Vec<f64> = results.iter().map(|r| r.0).collect();
    latencies.sort_by(f64::total_cmp);
    let median = latencies[latencies.len() / 2];
    println!("Local pipeline latency, capture to playback through PulseAudio ({} runs):", latencies.len());
    println!("  median {median:.0} ms (min {:.0}, max {:.0})", latencies[0], latencies[latencies.len() - 1]);
    println!(
        "  made of: device buffers {DEVICE_BUFFER_MS} ms requested each way, 20 ms Opus framing, \
         jitter buffer target {} ms, the speaker queue (at most 2 frames) and the sound server's own",
        results[0].1
    );
}
