//! Opus in 20 ms mono frames at 48 kHz, the format of every call this engine carries.
//!
//! We bind libopus (the `opus` crate, which builds libopus 1.5 from source into the
//! binary) rather than use a pure-Rust port: libopus is the reference implementation,
//! fuzzed for a decade and shipped by every browser, and it brings packet-loss
//! concealment and in-band forward error correction, which the jitter buffer relies on.
//! The pure-Rust ports (`opus-rs`, `mousiki`) are young and not yet proven against the
//! reference decoder's output. The price is a C build step (cmake), listed in the README.

use crate::error::Result;

/// Pipeline sample rate.
pub const RATE: u32 = 48_000;
/// Samples in one 20 ms frame at [`RATE`].
pub const FRAME: usize = 960;
/// Largest packet we produce (Opus allows up to 1275 bytes per frame).
pub const MAX_PACKET: usize = 1275;

/// Encodes 20 ms frames of speech.
pub struct Encoder {
    inner: opus::Encoder,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Encoder")
    }
}

impl Encoder {
    /// A voice encoder at `bitrate` bits per second with in-band FEC on, tuned for
    /// `expected_loss_percent` loss.
    pub fn new(bitrate: i32, expected_loss_percent: i32) -> Result<Self> {
        let mut inner = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip)?;
        inner.set_bitrate(opus::Bitrate::Bits(bitrate))?;
        inner.set_inband_fec(true)?;
        inner.set_packet_loss_perc(expected_loss_percent.clamp(0, 100))?;
        Ok(Self { inner })
    }

    /// Encodes one frame of [`FRAME`] samples into `packet`, returning its length.
    pub fn encode(&mut self, frame: &[f32], packet: &mut [u8]) -> Result<usize> {
        Ok(self.inner.encode_float(frame, packet)?)
    }
}

/// Decodes 20 ms frames, and conceals the ones that never came.
pub struct Decoder {
    inner: opus::Decoder,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Decoder")
    }
}

impl Decoder {
    /// A mono 48 kHz decoder.
    pub fn new() -> Result<Self> {
        Ok(Self { inner: opus::Decoder::new(RATE, opus::Channels::Mono)? })
    }

    /// Decodes a packet into `frame` ([`FRAME`] samples).
    pub fn decode(&mut self, packet: &[u8], frame: &mut [f32]) -> Result<usize> {
        Ok(self.inner.decode_float(packet, frame, false)?)
    }

    /// Rebuilds the lost frame before `next_packet` from that packet's FEC data.
    pub fn recover(&mut self, next_packet: &[u8], frame: &mut [f32]) -> Result<usize> {
        Ok(self.inner.decode_float(next_packet, frame, true)?)
    }

    /// Makes up a plausible frame for one that is missing (packet-loss concealment).
    pub fn conceal(&mut self, frame: &mut [f32]) -> Result<usize> {
        Ok(self.inner.decode_float(&[], frame, false)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goertzel_power;

    #[test]
    fn a_tone_survives_encode_and_decode() {
        let mut encoder = Encoder::new(32_000, 10).unwrap();
        let mut decoder = Decoder::new().unwrap();
        let mut packet = [0u8; MAX_PACKET];
        let mut decoded = Vec::new();
        let mut frame_out = [0.0f32; FRAME];
        for n in 0..25 {
            let frame: Vec<f32> = (0..FRAME)
                .map(|i| 0.3 * (std::f32::consts::TAU * 440.0 * (n * FRAME + i) as f32 / 48_000.0).sin())
                .collect();
            let len = encoder.encode(&frame, &mut packet).unwrap();
            assert!(len > 0 && len < 200, "a 20 ms voice packet is small: {len}");
            assert_eq!(decoder.decode(&packet[..len], &mut frame_out).unwrap(), FRAME);
            decoded.extend_from_slice(&frame_out);
        }
        let tail = &decoded[decoded.len() - 9600..];
        assert!(goertzel_power(tail, 48_000, 440.0) > 0.01);
        assert!(goertzel_power(tail, 48_000, 440.0) > 100.0 * goertzel_power(tail, 48_000, 1000.0));
        assert_eq!(decoder.conceal(&mut frame_out).unwrap(), FRAME);
    }
}
