//! CPU time the microphone's clean-up adds to a call, per 20 ms frame: the far end's
//! frame into the echo canceller and the microphone's frame through it, with each
//! clean-up alone and all together.
//!
//! `cargo bench -p dialtone-audio --bench processing`. Prints the mean and 99th
//! percentile per frame and that as a share of one core (a frame is due every 20 ms).

use std::hint::black_box;
use std::time::{Duration, Instant};

use dialtone_audio::processing::{Processing, Processor};

const FRAME: usize = 960;
const FRAMES: usize = 3000; // one minute of call

/// A voice-band mix that moves, for both ends (the near end at other pitches), and the
/// far end's echo in the microphone 60 ms later at half the level.
fn frames() -> Vec<(Vec<f32>, Vec<f32>)> {
    let voice = |t: f32, base: f32| {
        let f0 = base + 40.0 * (t * 3.0).sin();
        0.2 * (std::f32::consts::TAU * f0 * t).sin() + 0.08 * (std::f32::consts::TAU * 3.1 * f0 * t).sin()
    };
    let total = FRAMES * FRAME;
    let far: Vec<f32> = (0..total).map(|i| voice(i as f32 / 48_000.0, 140.0)).collect();
    let delay = 48 * 60;
    let near: Vec<f32> = (0..total)
        .map(|i| voice(i as f32 / 48_000.0, 220.0) * 0.5 + if i >= delay { 0.5 * far[i - delay] } else { 0.0 })
        .collect();
    far.chunks(FRAME).zip(near.chunks(FRAME)).map(|(f, n)| (f.to_vec(), n.to_vec())).collect()
}

fn run(processing: Processing, input: &[(Vec<f32>, Vec<f32>)]) -> Vec<Duration> {
    let mut processor = Processor::new(processing).unwrap().expect("something is on");
    let mut mic = vec![0.0f32; FRAME];
    let mut times = Vec::with_capacity(input.len());
    for (far, near) in input {
        mic.copy_from_slice(near);
        let start = Instant::now();
        processor.far_end(far);
        processor.near_end(&mut mic);
        black_box(&mic);
        times.push(start.elapsed());
    }
    times
}

fn main() {
    let input = frames();
    // `cargo test --benches` runs this once as a smoke test; skip the long measurement.
    if std::env::args().any(|a| a == "--test") {
        run(Processing::ALL, &input[..50]);
        return;
    }
    let none = Processing::NONE;
    let cases = [
        ("echo cancellation", Processing { echo_cancellation: true, ..none }),
        ("noise suppression", Processing { noise_suppression: true, ..none }),
        ("automatic gain", Processing { gain_control: true, ..none }),
        ("all three (the default)", Processing::ALL),
    ];
    println!("CPU per 20 ms frame of the microphone's clean-up, 48 kHz mono ({FRAMES} frames):");
    for (name, processing) in cases {
        let mut times = run(processing, &input);
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let p99 = times[times.len() * 99 / 100];
        let share = mean.as_secs_f64() / 0.020 * 100.0;
        println!(
            "  {name:<24} mean {:>6.1} µs, p99 {:>6.1} µs per frame = {share:.2} % of one core per call",
            mean.as_secs_f64() * 1e6,
            p99.as_secs_f64() * 1e6
        );
    }
}
