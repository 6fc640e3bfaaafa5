//! CPU time of one call's audio per 20 ms frame: resample from the microphone's rate
//! to 48 kHz, Opus encode, Opus decode, resample to the speaker's rate.
//!
//! `cargo bench -p dialtone-audio --bench pipeline`. Prints the mean and 99th
//! percentile per frame and what that is as a share of one core (a frame is due every
//! 20 ms, so 0.4 ms per frame is 2 %).

use std::hint::black_box;
use std::time::{Duration, Instant};

use dialtone_audio::codec::{Decoder, Encoder, FRAME, MAX_PACKET};
use dialtone_audio::resample::Resampler;

const FRAMES: usize = 3000; // one minute of call

fn speech_like(rate: u32, frame: usize, n: usize) -> Vec<f32> {
    // A voice-band mix that moves, so the encoder works as it would on speech.
    (0..frame)
        .map(|i| {
            let t = (n * frame + i) as f32 / rate as f32;
            let f0 = 140.0 + 40.0 * (t * 3.0).sin();
            0.2 * (std::f32::consts::TAU * f0 * t).sin()
                + 0.1 * (std::f32::consts::TAU * 3.0 * f0 * t).sin()
                + 0.05 * (std::f32::consts::TAU * 2400.0 * t).sin() * (t * 7.0).sin()
        })
        .collect()
}

fn run(device_rate: u32) -> Vec<Duration> {
    let frame_at_device = device_rate as usize / 50;
    let mut to_48k = Resampler::new(device_rate, 48_000).unwrap();
    let mut from_48k = Resampler::new(48_000, device_rate).unwrap();
    let mut encoder = Encoder::new(32_000, 5).unwrap();
    let mut decoder = Decoder::new().unwrap();
    let input: Vec<Vec<f32>> = (0..FRAMES).map(|n| speech_like(device_rate, frame_at_device, n)).collect();
    let mut at_48k = Vec::with_capacity(FRAME * 4);
    let mut packet = [0u8; MAX_PACKET];
    let mut decoded = [0.0f32; FRAME];
    let mut out = Vec::with_capacity(frame_at_device * 4);
    let mut times = Vec::with_capacity(FRAMES);
    for frame in &input {
        let start = Instant::now();
        to_48k.process(frame, &mut at_48k).unwrap();
        while at_48k.len() >= FRAME {
            let len = encoder.encode(&at_48k[..FRAME], &mut packet).unwrap();
            decoder.decode(&packet[..len], &mut decoded).unwrap();
            from_48k.process(&decoded, &mut out).unwrap();
            at_48k.drain(..FRAME);
        }
        black_box(&out);
        out.clear();
        times.push(start.elapsed());
    }
    times
}

fn main() {
    // `cargo test --benches` runs this once as a smoke test; skip the long measurement.
    if std::env::args().any(|a| a == "--test") {
        run(44_100);
        return;
    }
    println!("CPU per 20 ms frame, resample + Opus encode + decode + resample ({FRAMES} frames):");
    for rate in [48_000u32, 44_100, 16_000] {
        let mut times = run(rate);
        times.sort();
        // The mean is the CPU share: with resampling, some device frames complete no
        // Opus frame and the next completes two, so the median says less.
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let p99 = times[times.len() * 99 / 100];
        let share = mean.as_secs_f64() / 0.020 * 100.0;
        println!(
            "  device at {rate:>6} Hz: mean {:>6.1} µs, p99 {:>6.1} µs per frame = {share:.2} % of one core per call",
            mean.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6
        );
    }
}
