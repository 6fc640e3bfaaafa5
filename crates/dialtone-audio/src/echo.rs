//! The echo test, and the two halves of a call's audio path it is built from.
//!
//! [`SendPath`]: microphone samples → 48 kHz → 20 ms Opus packets.
//! [`ReceivePath`]: packets → jitter buffer → Opus decode (or FEC, or concealment) →
//! the speaker's rate.
//!
//! The echo test joins the two through a loopback that holds every packet for a second
//! (and, if asked, through a [`SimulatedNetwork`] with delay, jitter and loss), so a
//! person hears their own voice back through exactly the path a call would use. It
//! needs no provider and no account.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::codec::{self, Decoder, Encoder, FRAME, MAX_PACKET};
use crate::devices::DeviceInfo;
use crate::error::Result;
use crate::jitter::{FRAME_MS, JitterBuffer, JitterConfig, JitterStats, Playout};
use crate::microphone::Microphone;
use crate::netsim::{NetworkConditions, SimulatedNetwork};
use crate::resample::Resampler;
use crate::speaker::Speaker;

/// Bitrate of the echo test's Opus stream: wideband speech.
const BITRATE: i32 = 32_000;

/// Microphone samples in, Opus packets out.
#[derive(Debug)]
pub struct SendPath {
    resampler: Resampler,
    resampled: Vec<f32>,
    encoder: Encoder,
    packet: Box<[u8; MAX_PACKET]>,
    seq: u16,
    sent: u64,
}

impl SendPath {
    /// A path from a microphone at `device_rate` Hz.
    pub fn new(device_rate: u32, expected_loss_percent: i32) -> Result<Self> {
        Ok(Self {
            resampler: Resampler::new(device_rate, codec::RATE)?,
            resampled: Vec::with_capacity(FRAME * 8),
            encoder: Encoder::new(BITRATE, expected_loss_percent)?,
            packet: Box::new([0; MAX_PACKET]),
            seq: 0,
            sent: 0,
        })
    }

    /// Takes captured samples; hands each complete 20 ms packet to `send` with its
    /// sequence number.
    pub fn push(&mut self, samples: &[f32], mut send: impl FnMut(u16, &[u8])) -> Result<()> {
        self.resampler.process(samples, &mut self.resampled)?;
        let mut start = 0;
        while self.resampled.len() - start >= FRAME {
            let len = self.encoder.encode(&self.resampled[start..start + FRAME], &mut self.packet[..])?;
            send(self.seq, &self.packet[..len]);
            self.seq = self.seq.wrapping_add(1);
            self.sent += 1;
            start += FRAME;
        }
        self.resampled.drain(..start);
        Ok(())
    }

    /// Packets sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }
}

/// Packets in, speaker samples out.
#[derive(Debug)]
pub struct ReceivePath {
    jitter: JitterBuffer,
    decoder: Decoder,
    resampler: Resampler,
    payload: Vec<u8>,
    frame: Box<[f32; FRAME]>,
    out: Vec<f32>,
}

impl ReceivePath {
    /// A path to a speaker at `device_rate` Hz.
    pub fn new(device_rate: u32, jitter: JitterConfig) -> Result<Self> {
        Ok(Self {
            jitter: JitterBuffer::new(jitter),
            decoder: Decoder::new()?,
            resampler: Resampler::new(codec::RATE, device_rate)?,
            payload: Vec::with_capacity(MAX_PACKET),
            frame: Box::new([0.0; FRAME]),
            out: Vec::with_capacity(FRAME * 4),
        })
    }

    /// A packet arrived at `now_ms`.
    pub fn receive(&mut self, seq: u16, payload: &[u8], now_ms: u64) {
        self.jitter.push(seq, payload, now_ms);
    }

    /// The next 20 ms for the speaker (at its rate; the resampler may hand out a few
    /// samples more or less than 20 ms at a time).
    pub fn next_frame(&mut self, now_ms: u64) -> Result<&[f32]> {
        let frame = &mut self.frame[..];
        match self.jitter.pop(now_ms, &mut self.payload) {
            Playout::Packet => {
                self.decoder.decode(&self.payload, frame)?;
            }
            Playout::Fec => {
                self.decoder.recover(&self.payload, frame)?;
            }
            Playout::Conceal => {
                self.decoder.conceal(frame)?;
            }
            Playout::Silence => frame.fill(0.0),
        }
        self.out.clear();
        self.resampler.process(&self.frame[..], &mut self.out)?;
        Ok(&self.out)
    }

    /// The jitter buffer's counters.
    pub fn stats(&self) -> JitterStats {
        self.jitter.stats()
    }
}

/// How to run the echo test.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EchoOptions {
    /// How long to listen to the microphone.
    pub seconds: u32,
    /// How much later to play it back.
    pub echo_delay_ms: u32,
    /// A simulated network on the way (none by default).
    pub network: NetworkConditions,
    /// Microphone id (default when `None`).
    pub input: Option<String>,
    /// Speaker id (default when `None`).
    pub output: Option<String>,
}

impl EchoOptions {
    /// The usual test: `seconds` of listening, heard back one second later.
    pub fn new(seconds: u32) -> Self {
        Self { seconds, echo_delay_ms: 1000, ..Self::default() }
    }
}

/// Twenty times a second while the test runs.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct EchoProgress {
    /// Time since the start.
    pub elapsed_ms: u64,
    /// Microphone level in dBFS.
    pub level_dbfs: f32,
    /// The jitter buffer so far.
    pub jitter: JitterStats,
}

/// What the echo test did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct EchoReport {
    /// The microphone used.
    pub input: DeviceInfo,
    /// The speaker used.
    pub output: DeviceInfo,
    /// Packets encoded and sent.
    pub packets_sent: u64,
    /// Packets the simulated network dropped.
    pub network_lost: u64,
    /// The jitter buffer at the end.
    pub jitter: JitterStats,
    /// Frames dropped because the speaker fell behind.
    pub output_dropped: u64,
    /// Device fallbacks and other things the person should know.
    pub notices: Vec<String>,
    /// Whether it was stopped before the end.
    pub stopped: bool,
}

/// Runs the echo test on the real devices until done or `stop` is set.
pub fn run(options: &EchoOptions, stop: &AtomicBool, mut progress: impl FnMut(&EchoProgress)) -> Result<EchoReport> {
    options.network.validate().map_err(crate::AudioError::InvalidInput)?;
    let mut notices = Vec::new();
    let (mut microphone, fallback) = Microphone::open(options.input.as_deref())?;
    notices.extend(fallback.map(|f| f.message()));
    let (mut speaker, fallback) = Speaker::open_for_call(options.output.as_deref())?;
    notices.extend(fallback.map(|f| f.message()));

    let loss_percent = (options.network.loss * 100.0).round() as i32;
    let mut send = SendPath::new(microphone.rate(), loss_percent)?;
    let mut receive = ReceivePath::new(speaker.rate(), JitterConfig::default())?;
    let mut network = SimulatedNetwork::new(NetworkConditions {
        delay_ms: options.network.delay_ms + options.echo_delay_ms,
        ..options.network
    });

    let start = Instant::now();
    let listen_ms = u64::from(options.seconds) * 1000;
    let total_ms = listen_ms
        + u64::from(options.echo_delay_ms)
        + u64::from(options.network.delay_ms + options.network.jitter_ms)
        + 300;
    let mut captured = Vec::with_capacity(48_000);
    let mut last_progress = 0;
    let mut last_check = 0;
    let mut stopped = false;
    let mut next_frame_ms = 0;
    let mut output_dropped = 0;
    let frame_at_device = speaker.rate() as usize / 50;
    loop {
        let now = start.elapsed().as_millis() as u64;
        if stop.load(Ordering::Relaxed) {
            stopped = true;
            break;
        }
        if now >= total_ms {
            break;
        }
        captured.clear();
        microphone.read(&mut captured);
        if now < listen_ms {
            send.push(&captured, |seq, packet| network.send(seq, packet, now))?;
        }
        while let Some((seq, packet)) = network.receive(now) {
            receive.receive(seq, &packet, now);
        }
        // One frame every 20 ms of wall time, as a call's far end would send them. A
        // speaker that stalls or runs slow does not pile delay up: past a couple of
        // frames queued, a frame is dropped instead.
        while next_frame_ms <= now {
            let backlog = speaker.queued();
            let samples = receive.next_frame(next_frame_ms)?;
            if backlog <= 2 * frame_at_device {
                speaker.push(samples);
            } else {
                output_dropped += 1;
            }
            next_frame_ms += u64::from(FRAME_MS);
        }
        if now - last_check >= 100 {
            last_check = now;
            notices.extend(microphone.check()?.map(|f| f.message()));
            if let Some(fallback) = speaker.check()? {
                notices.push(fallback.message());
                receive = ReceivePath::new(speaker.rate(), JitterConfig::default())?;
            }
        }
        if now - last_progress >= 50 {
            last_progress = now;
            progress(&EchoProgress {
                elapsed_ms: now,
                level_dbfs: microphone.take_level_dbfs(),
                jitter: receive.stats(),
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    if !stopped {
        speaker.drain(Duration::from_secs(2))?;
    }
    Ok(EchoReport {
        input: microphone.device().clone(),
        output: speaker.device().clone(),
        packets_sent: send.sent(),
        network_lost: network.lost,
        jitter: receive.stats(),
        output_dropped,
        notices,
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goertzel_power;

    /// The whole path without devices: a tone through encode, a lossy jittery network,
    /// the jitter buffer and decode comes out at the same pitch.
    #[test]
    fn a_tone_crosses_a_bad_network_at_the_same_pitch() {
        let mut send = SendPath::new(44_100, 10).unwrap();
        let mut receive = ReceivePath::new(44_100, JitterConfig::default()).unwrap();
        let mut network = SimulatedNetwork::new(NetworkConditions { delay_ms: 50, jitter_ms: 40, loss: 0.05, seed: 3 });
        let mut heard = Vec::new();
        for tick in 0..150u64 {
            let now = tick * 20;
            let samples: Vec<f32> = (0..882)
                .map(|i| 0.4 * (std::f32::consts::TAU * 600.0 * (tick as usize * 882 + i) as f32 / 44_100.0).sin())
                .collect();
            send.push(&samples, |seq, p| network.send(seq, p, now)).unwrap();
            while let Some((seq, p)) = network.receive(now) {
                receive.receive(seq, &p, now);
            }
            heard.extend_from_slice(receive.next_frame(now).unwrap());
        }
        let stats = receive.stats();
        assert!(stats.played > 100, "{stats:?}");
        assert!(stats.recovered + stats.concealed > 0, "loss was handled: {stats:?}");
        let tail = &heard[heard.len() - 44_100..];
        let on = goertzel_power(tail, 44_100, 600.0);
        assert!(on > 0.01, "{on}");
        assert!(on > 50.0 * goertzel_power(tail, 44_100, 900.0));
        assert!(stats.target_ms > 20, "jitter deepened the buffer: {stats:?}");
    }
}
