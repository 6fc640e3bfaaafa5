//! The microphone's clean-up on signals made here, frame by frame as a call feeds it:
//! each part does its job alone, and leaves alone what it should. The same through a
//! real sound server and a real SIP phone is in dialtone-sip's tests/echo.rs.

use dialtone_audio::analysis::{goertzel_power, rms_dbfs};
use dialtone_audio::processing::{Processing, Processor};

const RATE: u32 = 48_000;
const FRAME: usize = 960;

fn tone(freq: f32, level: f32, seconds: f32) -> Vec<f32> {
    (0..(seconds * RATE as f32) as usize)
        .map(|i| level * (std::f32::consts::TAU * freq * i as f32 / RATE as f32).sin())
        .collect()
}

/// A voice-like sound: a pitch that moves, with harmonics, in syllables.
fn voice(level: f32, seconds: f32) -> Vec<f32> {
    (0..(seconds * RATE as f32) as usize)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let f0 = 160.0 + 30.0 * (t * 2.0).sin();
            let syllable = (0.5 + 0.5 * (std::f32::consts::TAU * 3.0 * t).sin()).powi(2);
            let wave: f32 = (1..=6).map(|h| (std::f32::consts::TAU * f0 * h as f32 * t).sin() / h as f32).sum();
            level * syllable * wave
        })
        .collect()
}

/// White noise from a fixed seed.
fn noise(level: f32, seconds: f32) -> Vec<f32> {
    let mut state = 0x2545_f491_u32;
    (0..(seconds * RATE as f32) as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            level * (state as f32 / u32::MAX as f32 * 2.0 - 1.0)
        })
        .collect()
}

/// Runs a call's worth of frames: `far` to the speaker, `mic` from the microphone.
fn run(processing: Processing, far: &[f32], mic: &[f32]) -> Vec<f32> {
    let mut processor = Processor::new(processing).unwrap().expect("something is on");
    let mut out = Vec::with_capacity(mic.len());
    let mut frame = vec![0.0f32; FRAME];
    for (i, chunk) in mic.chunks_exact(FRAME).enumerate() {
        processor.far_end(&far[i * FRAME..(i + 1) * FRAME]);
        frame.copy_from_slice(chunk);
        processor.near_end(&mut frame);
        out.extend_from_slice(&frame);
    }
    out
}

fn db(power: f32) -> f32 {
    10.0 * power.max(1e-20).log10()
}

/// The last `seconds` of a signal, once the processor has settled.
fn tail(samples: &[f32], seconds: f32) -> &[f32] {
    &samples[samples.len() - (seconds * RATE as f32) as usize..]
}

const ONLY_ECHO: Processing = Processing { echo_cancellation: true, ..Processing::NONE };

#[test]
fn the_far_end_heard_back_through_the_microphone_is_taken_out() {
    let far = tone(1000.0, 0.3, 8.0);
    // What the microphone hears: the speaker's sound 80 ms later, a little quieter.
    let delay = (0.080 * RATE as f32) as usize;
    let mic: Vec<f32> = (0..far.len()).map(|i| if i >= delay { 0.7 * far[i - delay] } else { 0.0 }).collect();
    let out = run(ONLY_ECHO, &far, &mic);
    let before = db(goertzel_power(tail(&mic, 3.0), RATE, 1000.0));
    let after = db(goertzel_power(tail(&out, 3.0), RATE, 1000.0));
    assert!(before - after >= 20.0, "the echo is only {:.1} dB lower ({before:.1} -> {after:.1} dB)", before - after);
}

#[test]
fn a_voice_with_no_far_end_goes_through_the_echo_canceller_whole() {
    let far = vec![0.0; (6 * RATE) as usize];
    let mic = voice(0.2, 6.0);
    let out = run(ONLY_ECHO, &far, &mic);
    let (before, after) = (rms_dbfs(tail(&mic, 3.0)), rms_dbfs(tail(&out, 3.0)));
    assert!((before - after).abs() < 2.0, "the voice went from {before:.1} to {after:.1} dBFS");
}

#[test]
fn steady_noise_is_lowered_and_a_voice_is_kept() {
    let only_noise = Processing { noise_suppression: true, ..Processing::NONE };
    let far = vec![0.0; (6 * RATE) as usize];
    let hiss = noise(0.02, 6.0);
    let out = run(only_noise, &far, &hiss);
    let lowered = rms_dbfs(tail(&hiss, 3.0)) - rms_dbfs(tail(&out, 3.0));
    assert!(lowered >= 6.0, "the noise is only {lowered:.1} dB lower");
    let talk = voice(0.2, 6.0);
    let out = run(only_noise, &far, &talk);
    let lost = rms_dbfs(tail(&talk, 3.0)) - rms_dbfs(tail(&out, 3.0));
    assert!(lost < 3.0, "the voice lost {lost:.1} dB");
}

#[test]
fn a_quiet_voice_is_brought_up() {
    let only_gain = Processing { gain_control: true, ..Processing::NONE };
    let far = vec![0.0; (8 * RATE) as usize];
    let quiet = voice(0.01, 8.0);
    let out = run(only_gain, &far, &quiet);
    let raised = rms_dbfs(tail(&out, 3.0)) - rms_dbfs(tail(&quiet, 3.0));
    assert!(raised >= 4.0, "the quiet voice was raised by only {raised:.1} dB");
}

#[test]
fn nothing_on_is_no_processor_at_all() {
    assert!(Processor::new(Processing::NONE).unwrap().is_none());
}
