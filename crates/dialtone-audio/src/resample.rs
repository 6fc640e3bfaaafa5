//! Resampling between a device's rate and the pipeline's 48 kHz.
//!
//! rubato's FFT resampler works on fixed chunks; this wrapper accepts any number of
//! samples, keeps the remainder for next time, and reuses its buffers, so a steady
//! stream allocates nothing once running. It runs on the pipeline's thread, never in
//! an audio callback.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _};

use crate::error::{AudioError, Result};

/// Converts a mono stream from one rate to another.
pub struct Resampler {
    inner: Option<Fft<f32>>,
    pending: Vec<f32>,
    chunk_out: Vec<f32>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler").field("passthrough", &self.inner.is_none()).finish()
    }
}

impl Resampler {
    /// From `from` Hz to `to` Hz, in chunks of 10 ms of input.
    pub fn new(from: u32, to: u32) -> Result<Self> {
        if from == 0 || to == 0 {
            return Err(AudioError::InvalidInput(format!("Cannot resample {from} Hz to {to} Hz")));
        }
        if from == to {
            return Ok(Self { inner: None, pending: Vec::new(), chunk_out: Vec::new() });
        }
        let chunk = (from / 100) as usize;
        let inner = Fft::<f32>::new(from as usize, to as usize, chunk, 1, FixedSync::Input)
            .map_err(|e| AudioError::InvalidInput(format!("Cannot resample {from} Hz to {to} Hz: {e}")))?;
        let chunk_out = vec![0.0; inner.output_frames_max()];
        Ok(Self { inner: Some(inner), pending: Vec::with_capacity(chunk * 4), chunk_out })
    }

    /// Samples of delay the resampler adds.
    pub fn delay(&self) -> usize {
        self.inner.as_ref().map_or(0, |r| r.output_delay())
    }

    /// Converts `input`, appending what is ready to `output`.
    pub fn process(&mut self, input: &[f32], output: &mut Vec<f32>) -> Result<()> {
        let Some(inner) = self.inner.as_mut() else {
            output.extend_from_slice(input);
            return Ok(());
        };
        self.pending.extend_from_slice(input);
        let mut start = 0;
        loop {
            let need = inner.input_frames_next();
            if self.pending.len() - start < need {
                break;
            }
            let capacity = self.chunk_out.len();
            let input = InterleavedSlice::new(&self.pending[start..start + need], 1, need)
                .map_err(|e| AudioError::InvalidInput(e.to_string()))?;
            let mut out = InterleavedSlice::new_mut(&mut self.chunk_out, 1, capacity)
                .map_err(|e| AudioError::InvalidInput(e.to_string()))?;
            let (_, written) = inner
                .process_into_buffer(&input, &mut out, None)
                .map_err(|e| AudioError::InvalidInput(e.to_string()))?;
            output.extend_from_slice(&self.chunk_out[..written]);
            start += need;
        }
        self.pending.drain(..start);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goertzel_power;

    #[test]
    fn a_tone_keeps_its_pitch_across_rates() {
        for from in [44_100u32, 16_000, 96_000] {
            let mut resampler = Resampler::new(from, 48_000).unwrap();
            let input: Vec<f32> = (0..from as usize)
                .map(|i| 0.5 * (std::f32::consts::TAU * 1000.0 * i as f32 / from as f32).sin())
                .collect();
            let mut out = Vec::new();
            // Odd-sized pieces, as a device callback would hand them over.
            for piece in input.chunks(333) {
                resampler.process(piece, &mut out).unwrap();
            }
            let expected = 48_000.0;
            assert!((out.len() as f32 - expected).abs() < expected * 0.02, "{from}: {}", out.len());
            let tail = &out[out.len() - 9600..];
            let on = goertzel_power(tail, 48_000, 1000.0);
            assert!(on > 0.05, "{from}: {on}");
            assert!(on > 1000.0 * goertzel_power(tail, 48_000, 1100.0), "{from}");
        }
        assert!(Resampler::new(0, 48_000).is_err());
    }
}
