//! The four voice codecs a SIP call can carry, behind one shape: 20 ms frames of
//! 48 kHz mono samples in and out, whatever the codec's own rate.
//!
//! Keeping the whole pipeline at 48 kHz (the audio engine's rate) means the devices,
//! WAV files and tone analysis never care which codec the far end picked.

use dialtone_audio::codec as opus;
use dialtone_audio::resample::Resampler;

use crate::error::{Error, Result};

/// Samples in one 20 ms frame at the pipeline's 48 kHz.
pub const FRAME: usize = 960;
/// The pipeline's rate.
pub const RATE: u32 = 48_000;

/// A codec we can offer and answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    Opus,
    G722,
    Pcmu,
    Pcma,
}

impl Codec {
    /// Our preference when the account sets none: wideband first, then G.711 which
    /// every phone has.
    pub const DEFAULT_ORDER: [Codec; 4] = [Codec::Opus, Codec::G722, Codec::Pcmu, Codec::Pcma];

    /// The encoding name in SDP's `a=rtpmap` (compared case-insensitively).
    pub fn encoding_name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::G722 => "G722",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The payload type we offer it on: RFC 3551's static numbers, 111 for Opus.
    pub fn payload_type(self) -> u8 {
        match self {
            Codec::Opus => 111,
            Codec::G722 => 9,
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The RTP clock in `a=rtpmap`. G.722 samples at 16 kHz but its clock says 8000
    /// (RFC 3551 §4.5.2, a historical mistake every phone keeps).
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Opus => 48_000,
            Codec::G722 | Codec::Pcmu | Codec::Pcma => 8_000,
        }
    }

    /// Channels as written in `a=rtpmap` (Opus is always announced as 2, RFC 7587).
    pub fn rtpmap_channels(self) -> Option<u8> {
        matches!(self, Codec::Opus).then_some(2)
    }

    /// The rate the codec itself samples at.
    pub fn sample_rate(self) -> u32 {
        match self {
            Codec::Opus => 48_000,
            Codec::G722 => 16_000,
            Codec::Pcmu | Codec::Pcma => 8_000,
        }
    }

    /// RTP timestamp units in one 20 ms frame.
    pub fn timestamp_step(self) -> u32 {
        self.clock_rate() / 50
    }

    /// The name a person sees ("G.722"), and the settings' word ("g722").
    pub fn label(self) -> &'static str {
        match self {
            Codec::Opus => "Opus",
            Codec::G722 => "G.722",
            Codec::Pcmu => "G.711 µ-law",
            Codec::Pcma => "G.711 A-law",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::G722 => "g722",
            Codec::Pcmu => "pcmu",
            Codec::Pcma => "pcma",
        }
    }

    /// Reads a settings word: "opus", "g722", "pcmu", "pcma" (also the SDP names).
    pub fn from_id(word: &str) -> Option<Codec> {
        let word = word.trim().to_ascii_lowercase();
        Codec::DEFAULT_ORDER.into_iter().find(|c| c.id() == word || c.encoding_name().eq_ignore_ascii_case(&word))
    }

    /// Parses a comma-separated codec order, e.g. "pcmu, opus".
    pub fn parse_order(list: &str) -> Result<Vec<Codec>> {
        let mut order = Vec::new();
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let codec = Codec::from_id(word).ok_or_else(|| {
                Error::Setting(format!("\"{word}\" is not a codec Dialtone has; use opus, g722, pcmu or pcma"))
            })?;
            if !order.contains(&codec) {
                order.push(codec);
            }
        }
        if order.is_empty() {
            return Err(Error::Setting("The codec list is empty; name at least one of opus, g722, pcmu, pcma".into()));
        }
        Ok(order)
    }
}

/// Turns 48 kHz frames into one codec's packets.
pub struct Encoder {
    codec: Codec,
    inner: EncoderInner,
    down: Option<Resampler>,
    resampled: Vec<f32>,
    pcm: Vec<i16>,
}

enum EncoderInner {
    Opus(opus::Encoder),
    Other(Box<dyn audio_codec::Encoder>),
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Encoder({:?})", self.codec)
    }
}

impl Encoder {
    pub fn new(codec: Codec) -> Result<Self> {
        let inner = match codec {
            Codec::Opus => EncoderInner::Opus(opus::Encoder::new(32_000, 5)?),
            Codec::G722 => EncoderInner::Other(Box::new(audio_codec::g722::G722Encoder::new())),
            Codec::Pcmu => EncoderInner::Other(Box::new(audio_codec::pcmu::PcmuEncoder::new())),
            Codec::Pcma => EncoderInner::Other(Box::new(audio_codec::pcma::PcmaEncoder::new())),
        };
        let down = (codec.sample_rate() != RATE).then(|| Resampler::new(RATE, codec.sample_rate())).transpose()?;
        Ok(Encoder { codec, inner, down, resampled: Vec::with_capacity(FRAME), pcm: Vec::with_capacity(FRAME) })
    }

    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Encodes one 20 ms frame ([`FRAME`] samples at 48 kHz) into `packet`.
    pub fn encode(&mut self, frame: &[f32], packet: &mut Vec<u8>) -> Result<()> {
        packet.clear();
        match &mut self.inner {
            EncoderInner::Opus(encoder) => {
                packet.resize(opus::MAX_PACKET, 0);
                let len = encoder.encode(frame, packet)?;
                packet.truncate(len);
            }
            EncoderInner::Other(encoder) => {
                let wanted = (self.codec.sample_rate() / 50) as usize;
                let down = self.down.as_mut().expect("G.711/G.722 run below 48 kHz");
                down.process(frame, &mut self.resampled)?;
                // The resampler may hold a few samples back; pad the first frames with
                // silence so every packet is exactly 20 ms.
                self.pcm.clear();
                let take = wanted.min(self.resampled.len());
                let pad = wanted - take;
                self.pcm.extend(std::iter::repeat_n(0, pad));
                self.pcm.extend(self.resampled.drain(..take).map(to_i16));
                packet.resize(encoder.max_encode_bytes(wanted), 0);
                let len = encoder
                    .encode_into(&self.pcm, packet)
                    .map_err(|e| Error::Media(format!("{} could not encode: {e}", self.codec.label())))?;
                packet.truncate(len);
            }
        }
        Ok(())
    }
}

/// Turns one codec's packets back into 48 kHz frames, concealing lost ones.
pub struct Decoder {
    codec: Codec,
    inner: DecoderInner,
    up: Option<Resampler>,
    pcm: Vec<i16>,
    decoded: Vec<f32>,
    resampled: Vec<f32>,
    /// The last frame heard, faded on each concealment (G.711/G.722 have no PLC of
    /// their own: repeating with a fade is what G.711 Appendix I's simplest form does).
    last: Vec<f32>,
    concealed_in_row: u32,
}

enum DecoderInner {
    Opus(opus::Decoder),
    Other(Box<dyn audio_codec::Decoder>),
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Decoder({:?})", self.codec)
    }
}

impl Decoder {
    pub fn new(codec: Codec) -> Result<Self> {
        let inner = match codec {
            Codec::Opus => DecoderInner::Opus(opus::Decoder::new()?),
            Codec::G722 => DecoderInner::Other(Box::new(audio_codec::g722::G722Decoder::new())),
            Codec::Pcmu => DecoderInner::Other(Box::new(audio_codec::pcmu::PcmuDecoder::new())),
            Codec::Pcma => DecoderInner::Other(Box::new(audio_codec::pcma::PcmaDecoder::new())),
        };
        let up = (codec.sample_rate() != RATE).then(|| Resampler::new(codec.sample_rate(), RATE)).transpose()?;
        Ok(Decoder {
            codec,
            inner,
            up,
            pcm: vec![0; 1920],
            decoded: Vec::with_capacity(FRAME),
            resampled: Vec::with_capacity(FRAME * 2),
            last: vec![0.0; FRAME],
            concealed_in_row: 0,
        })
    }

    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Decodes a packet into one 20 ms frame at 48 kHz.
    pub fn decode(&mut self, packet: &[u8], frame: &mut [f32]) -> Result<()> {
        self.concealed_in_row = 0;
        match &mut self.inner {
            DecoderInner::Opus(decoder) => {
                let n = decoder.decode(packet, frame)?;
                frame[n..].fill(0.0);
            }
            DecoderInner::Other(decoder) => {
                let n = decoder
                    .decode_into(packet, &mut self.pcm)
                    .map_err(|e| Error::Media(format!("{} could not decode: {e}", self.codec.label())))?;
                self.decoded.clear();
                self.decoded.extend(self.pcm[..n].iter().map(|&s| f32::from(s) / 32768.0));
                let up = self.up.as_mut().expect("G.711/G.722 run below 48 kHz");
                up.process(&self.decoded, &mut self.resampled)?;
                let take = FRAME.min(self.resampled.len());
                let pad = FRAME - take;
                frame[..pad].fill(0.0);
                for (out, s) in frame[pad..].iter_mut().zip(self.resampled.drain(..take)) {
                    *out = s;
                }
                // Anything beyond one frame waits for the next (the resampler's
                // blocks need not line up with 20 ms); more than two frames is drift.
                if self.resampled.len() > FRAME * 2 {
                    let extra = self.resampled.len() - FRAME;
                    self.resampled.drain(..extra);
                }
            }
        }
        self.last.copy_from_slice(frame);
        Ok(())
    }

    /// Fills a frame whose packet never came.
    pub fn conceal(&mut self, frame: &mut [f32]) -> Result<()> {
        self.concealed_in_row += 1;
        match &mut self.inner {
            DecoderInner::Opus(decoder) => {
                let n = decoder.conceal(frame)?;
                frame[n..].fill(0.0);
            }
            DecoderInner::Other(_) => {
                // Fade the last frame out over three repeats, then silence.
                let gain = match self.concealed_in_row {
                    1 => 0.7,
                    2 => 0.4,
                    3 => 0.15,
                    _ => 0.0,
                };
                for (out, s) in frame.iter_mut().zip(&self.last) {
                    *out = s * gain;
                }
            }
        }
        Ok(())
    }

    /// Decodes with Opus's forward error correction from the next packet.
    pub fn recover(&mut self, next_packet: &[u8], frame: &mut [f32]) -> Result<()> {
        match &mut self.inner {
            DecoderInner::Opus(decoder) => {
                let n = decoder.recover(next_packet, frame)?;
                frame[n..].fill(0.0);
                Ok(())
            }
            DecoderInner::Other(_) => self.conceal(frame),
        }
    }
}

fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * 32767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use dialtone_audio::analysis::goertzel_power;

    fn tone(freq: f32, frames: usize) -> Vec<f32> {
        (0..frames * FRAME).map(|i| 0.5 * (2.0 * std::f32::consts::PI * freq * i as f32 / RATE as f32).sin()).collect()
    }

    /// Every codec carries a 1 kHz tone through encode and decode: the tone is still
    /// the strongest thing in the output, well above a neighbouring frequency.
    #[test]
    fn each_codec_carries_a_tone() {
        for codec in Codec::DEFAULT_ORDER {
            let mut encoder = Encoder::new(codec).unwrap();
            let mut decoder = Decoder::new(codec).unwrap();
            let input = tone(1000.0, 50);
            let mut out = Vec::new();
            let mut packet = Vec::new();
            let mut frame = vec![0.0; FRAME];
            for chunk in input.chunks(FRAME) {
                encoder.encode(chunk, &mut packet).unwrap();
                assert!(!packet.is_empty(), "{codec:?} produced an empty packet");
                decoder.decode(&packet, &mut frame).unwrap();
                out.extend_from_slice(&frame);
            }
            let steady = &out[FRAME * 10..];
            let at = goertzel_power(steady, RATE, 1000.0);
            let off = goertzel_power(steady, RATE, 1400.0);
            assert!(at > off * 100.0, "{codec:?}: 1 kHz {at} vs 1.4 kHz {off}");
        }
    }

    #[test]
    fn packet_sizes_match_the_codecs() {
        let frame = tone(440.0, 1);
        let mut packet = Vec::new();
        for (codec, size) in [(Codec::Pcmu, 160), (Codec::Pcma, 160), (Codec::G722, 160)] {
            let mut encoder = Encoder::new(codec).unwrap();
            encoder.encode(&frame, &mut packet).unwrap();
            assert_eq!(packet.len(), size, "{codec:?}");
        }
    }

    #[test]
    fn codec_order_is_read_from_words() {
        assert_eq!(Codec::parse_order("pcmu, OPUS,g722").unwrap(), vec![Codec::Pcmu, Codec::Opus, Codec::G722]);
        let err = Codec::parse_order("pcmu, g729").unwrap_err().to_string();
        assert!(err.contains("g729"), "{err}");
        assert!(Codec::parse_order(" , ").is_err());
    }
}
