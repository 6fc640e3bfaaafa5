//! Measuring sound: level in dBFS and the power of one frequency (Goertzel).
//!
//! Used by the microphone meter, and by tests and the latency benchmark to check that
//! what a real sound server carried is the sound that was meant.

/// The floor of the meter: anything quieter reads as this many dBFS.
pub const SILENCE_DBFS: f32 = -96.0;

/// Root-mean-square level of `samples` in dB relative to full scale (a full-scale
/// sine reads -3 dBFS; silence reads [`SILENCE_DBFS`]).
pub fn rms_dbfs(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return SILENCE_DBFS;
    }
    let sum: f32 = samples.iter().map(|s| s * s).sum();
    amplitude_to_dbfs((sum / samples.len() as f32).sqrt())
}

/// An amplitude (0..=1) in dBFS, floored at [`SILENCE_DBFS`].
pub fn amplitude_to_dbfs(amplitude: f32) -> f32 {
    if amplitude <= 0.0 {
        return SILENCE_DBFS;
    }
    (20.0 * amplitude.log10()).max(SILENCE_DBFS)
}

/// Power of the component at `freq` Hz in `samples` (Goertzel), as `|X(freq)|² / n²`:
/// a sine of amplitude `a` at `freq` gives about `a² / 4` whatever the window's length.
pub fn goertzel_power(samples: &[f32], sample_rate: u32, freq: f32) -> f32 {
    let n = samples.len();
    if n == 0 {
        return 0.0;
    }
    let omega = 2.0 * std::f32::consts::PI * freq / sample_rate as f32;
    let coeff = 2.0 * omega.cos();
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &x in samples {
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    power / (n as f32 * n as f32)
}

/// The frequency among `candidates` with the most power in `samples`.
pub fn strongest(samples: &[f32], sample_rate: u32, candidates: &[f32]) -> Option<f32> {
    candidates
        .iter()
        .copied()
        .map(|f| (f, goertzel_power(samples, sample_rate, f)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(f, _)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, rate: u32, n: usize, amp: f32) -> Vec<f32> {
        (0..n).map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin()).collect()
    }

    #[test]
    fn full_scale_sine_reads_minus_three_dbfs() {
        let level = rms_dbfs(&sine(1000.0, 48_000, 4800, 1.0));
        assert!((level + 3.01).abs() < 0.05, "{level}");
        assert_eq!(rms_dbfs(&[0.0; 480]), SILENCE_DBFS);
        let quiet = rms_dbfs(&sine(1000.0, 48_000, 4800, 0.01));
        assert!((quiet + 43.01).abs() < 0.1, "{quiet}");
    }

    #[test]
    fn goertzel_finds_the_played_frequency() {
        let s = sine(770.0, 48_000, 4800, 0.5);
        let on = goertzel_power(&s, 48_000, 770.0);
        let off = goertzel_power(&s, 48_000, 852.0);
        assert!(on > 100.0 * off, "on {on} off {off}");
        assert_eq!(strongest(&s, 48_000, &[697.0, 770.0, 852.0, 941.0]), Some(770.0));
    }
}
