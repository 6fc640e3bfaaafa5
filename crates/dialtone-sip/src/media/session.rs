//! One call's media: a thread that every 20 ms sends a frame and plays one, and in
//! between receives RTP and RTCP.
//!
//! A dedicated thread rather than a tokio task: the timing is the call's sound, and a
//! busy async runtime must never delay a frame. The thread owns its sockets, codecs,
//! jitter buffer and devices; the call talks to it through a channel.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use dialtone_audio::jitter::{JitterBuffer, JitterConfig, Playout};
use dialtone_audio::processing::Processor;
use rtc_shared::marshal::{Marshal, Unmarshal};

use crate::error::{Error, Result};
use crate::media::codec::{Decoder, Encoder, FRAME};
use crate::media::io::{Input, MediaIo, Opened, Output, Sink, Source, microphone_source, speaker_sink};
use crate::media::srtp::SrtpSession;
use crate::sdp::Negotiated;

const TICK: Duration = Duration::from_millis(20);
/// How often a microphone's capture is looked at (it delivers 10 ms at a time).
const MIC_POLL: Duration = Duration::from_millis(3);
const RTCP_EVERY: Duration = Duration::from_secs(5);
/// RFC 4733 digit: 100 ms of tone, then 60 ms of audio before the next.
const DTMF_TICKS: u32 = 5;
const DTMF_GAP_TICKS: u32 = 3;

/// An RTP port and the RTCP port above it, bound before the offer is written.
#[derive(Debug)]
pub struct MediaSocket {
    rtp: UdpSocket,
    rtcp: UdpSocket,
    /// The address to put in SDP (the STUN-mapped one, if asked for).
    pub public: SocketAddr,
}

impl MediaSocket {
    /// Binds an even port and the odd one above it on `ip`.
    pub fn bind(ip: IpAddr) -> Result<MediaSocket> {
        for _ in 0..50 {
            let port = 2 * (rand::random_range(8000u16..30000));
            let Ok(rtp) = UdpSocket::bind((ip, port)) else { continue };
            let Ok(rtcp) = UdpSocket::bind((ip, port + 1)) else { continue };
            return Ok(MediaSocket { public: rtp.local_addr()?, rtp, rtcp });
        }
        Err(Error::Media(format!("No free pair of UDP ports for the call's audio on {ip}.")))
    }

    pub fn local(&self) -> SocketAddr {
        self.rtp.local_addr().unwrap_or(self.public)
    }

    /// Asks a STUN server (RFC 5389 binding request) what address the RTP port has
    /// on the public side of a NAT, and uses it in SDP.
    pub fn discover_public(&mut self, stun: SocketAddr) -> Result<SocketAddr> {
        use rtc_stun::message::{BINDING_REQUEST, Getter, Message};
        use rtc_stun::xoraddr::XorMappedAddress;
        let mut request = Message::new();
        request
            .build(&[Box::new(rtc_stun::message::TransactionId::new()), Box::new(BINDING_REQUEST)])
            .map_err(|e| Error::Media(format!("STUN request: {e}")))?;
        self.rtp.set_read_timeout(Some(Duration::from_millis(500)))?;
        let mut buf = [0u8; 1500];
        for _ in 0..3 {
            self.rtp.send_to(&request.raw, stun)?;
            let Ok((n, from)) = self.rtp.recv_from(&mut buf) else { continue };
            if from != stun {
                continue;
            }
            let mut reply = Message::new();
            reply.raw = buf[..n].to_vec();
            if reply.decode().is_err() || reply.transaction_id != request.transaction_id {
                continue;
            }
            let mut mapped = XorMappedAddress::default();
            mapped.get_from(&reply).map_err(|e| Error::Media(format!("STUN answer without an address: {e}")))?;
            self.public = SocketAddr::new(mapped.ip, mapped.port);
            return Ok(self.public);
        }
        Err(Error::Unreachable(format!("The STUN server {stun} did not answer.")))
    }
}

/// What the media thread tells the call.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// The first audio packet from the far end arrived.
    FirstAudio,
    /// The far end pressed a key (RFC 4733).
    Dtmf(char),
    /// Quality, about once a second.
    Stats(MediaStats),
    /// The audio devices or the network failed; the call should end.
    Failed(String),
    /// Devices fell back to the default, or similar: worth telling the person.
    Notice(String),
}

/// Call quality from RTP and RTCP. History keeps a call's last figures (as JSON), so
/// they read back, and a figure missing from an older row reads as its default.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct MediaStats {
    pub packets_sent: u64,
    pub packets_received: u64,
    /// Packets the far end's sequence numbers say we should have had but did not.
    pub packets_lost: u64,
    /// Interarrival jitter (RFC 3550 §6.4.1), in milliseconds.
    pub jitter_ms: f64,
    /// From the far end's receiver reports (LSR/DLSR), when it sends them.
    pub round_trip_ms: Option<f64>,
    /// What the far end reports losing of ours (0-100).
    pub remote_loss_percent: Option<f64>,
    pub dtmf_sent: u32,
    /// How long the jitter buffer holds what arrives before it is played, now.
    pub jitter_buffer_ms: u32,
    /// How long the microphone has delivered only digital silence (every sample
    /// under -80 dBFS, before any processing or mute), up to now: a muted or
    /// unplugged microphone, or one the system gives no access to. A room, however
    /// quiet, is never that quiet through a real microphone.
    pub microphone_silent_ms: u64,
}

/// Quieter than any real microphone's own noise (-80 dBFS).
const DIGITAL_SILENCE: f32 = 1e-4;

/// How long `frame` and the ones before it have been digital silence, in ms, given
/// the count before it.
fn silent_for(before_ms: u64, frame: &[f32], frame_ms: u64) -> u64 {
    if frame.iter().any(|s| s.abs() > DIGITAL_SILENCE) { 0 } else { before_ms + frame_ms }
}

enum Command {
    Update(Negotiated),
    Mute(bool),
    Ringback(bool),
    Dtmf(Vec<char>),
    Devices { microphone: Option<String>, speaker: Option<String> },
    Stop(mpsc::Sender<MediaStats>),
}

/// The handle the call holds; dropping it stops the thread.
#[derive(Debug)]
pub struct MediaSession {
    commands: mpsc::Sender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MediaSession {
    /// Starts the media thread: opens the devices or files, then runs until stopped.
    /// `negotiated` may be `None` while ringing (the socket is bound, nothing is sent).
    pub fn start(
        socket: MediaSocket,
        negotiated: Option<Negotiated>,
        io: MediaIo,
        on_event: impl Fn(MediaEvent) + Send + 'static,
    ) -> Result<MediaSession> {
        let (commands, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let thread = std::thread::Builder::new()
            .name("dialtone-media".into())
            .spawn(move || {
                let mut opened = match io.open() {
                    Ok(opened) => opened,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let notices = std::mem::take(&mut opened.notices);
                let mut session = match Session::new(socket, opened, io) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                if let Some(n) = negotiated
                    && let Err(e) = session.update(n)
                {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
                let _ = ready_tx.send(Ok(()));
                for notice in notices {
                    on_event(MediaEvent::Notice(notice));
                }
                session.run(&rx, &on_event);
            })
            .map_err(|e| Error::Media(format!("Could not start the audio thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(MediaSession { commands, thread: Some(thread) }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(Error::Media("The audio thread stopped before it started.".into())),
        }
    }

    /// The far end's answer (or a re-INVITE) changed what we send and how.
    pub fn update(&self, negotiated: Negotiated) {
        let _ = self.commands.send(Command::Update(negotiated));
    }

    pub fn set_muted(&self, muted: bool) {
        let _ = self.commands.send(Command::Mute(muted));
    }

    pub fn ringback(&self, on: bool) {
        let _ = self.commands.send(Command::Ringback(on));
    }

    /// Moves the call's sound to another microphone and speaker (`None`: the system
    /// default), without a gap the far end would notice. One that cannot be opened
    /// leaves the call where it was and says so (a [`MediaEvent::Notice`]). A call
    /// whose sound is a file (the CLI's `--play`, `--record`) keeps its file.
    pub fn set_devices(&self, microphone: Option<String>, speaker: Option<String>) {
        let _ = self.commands.send(Command::Devices { microphone, speaker });
    }

    /// Queues digits to send as RFC 4733 events.
    pub fn send_dtmf(&self, digits: Vec<char>) {
        let _ = self.commands.send(Command::Dtmf(digits));
    }

    /// Stops the thread, finishing a recording, and returns the call's figures.
    pub fn stop(mut self) -> MediaStats {
        let (tx, rx) = mpsc::channel();
        let stats = if self.commands.send(Command::Stop(tx)).is_ok() {
            rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default()
        } else {
            MediaStats::default()
        };
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        stats
    }
}

impl Drop for MediaSession {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            let (tx, _rx) = mpsc::channel();
            let _ = self.commands.send(Command::Stop(tx));
            let _ = t.join();
        }
    }
}

/// The far end's stream, for loss, jitter and RTCP.
#[derive(Default)]
struct Reception {
    ssrc: Option<u32>,
    base_seq: u32,
    max_seq: u16,
    cycles: u32,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    transit: Option<i64>,
    jitter: f64,
    /// Middle 32 bits of the last SR's NTP time, and when it came.
    last_sr: Option<(u32, Instant)>,
}

impl Reception {
    fn on_packet(&mut self, ssrc: u32, seq: u16, timestamp: u32, arrival_units: i64) {
        if self.ssrc != Some(ssrc) {
            *self = Reception {
                ssrc: Some(ssrc),
                base_seq: u32::from(seq),
                max_seq: seq,
                last_sr: self.last_sr,
                ..Default::default()
            };
        } else if seq.wrapping_sub(self.max_seq) < 0x8000 && seq != self.max_seq {
            if seq < self.max_seq {
                self.cycles += 1 << 16;
            }
            self.max_seq = seq;
        }
        self.received += 1;
        let transit = arrival_units - i64::from(timestamp);
        if let Some(prev) = self.transit {
            let d = (transit - prev).abs() as f64;
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.transit = Some(transit);
    }

    fn extended_max(&self) -> u32 {
        self.cycles + u32::from(self.max_seq)
    }

    fn expected(&self) -> u64 {
        if self.ssrc.is_none() { 0 } else { u64::from(self.extended_max() - self.base_seq) + 1 }
    }

    fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }
}

struct Session {
    rtp: UdpSocket,
    rtcp: UdpSocket,
    source: Box<dyn Source>,
    sink: Box<dyn Sink>,
    /// Echo cancellation and the rest, on the microphone's frames; it hears every
    /// frame played, to know what echo to take out.
    processor: Option<Processor>,
    /// Where the sound comes from and goes to now (updated when the devices change).
    io: MediaIo,
    /// The local ringback is playing (kept over a change of speaker).
    ringing_back: bool,
    negotiated: Option<Negotiated>,
    encoder: Option<Encoder>,
    decoder: Option<Decoder>,
    srtp: Option<SrtpSession>,
    jitter: JitterBuffer,
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    muted: bool,
    remote_latched: bool,
    dtmf_queue: std::collections::VecDeque<char>,
    dtmf: Option<DtmfSend>,
    dtmf_gap: u32,
    last_dtmf_heard: Option<u32>,
    reception: Reception,
    stats: MediaStats,
    octets_sent: u64,
    started: Instant,
    first_audio: bool,
    frame: Vec<f32>,
    packet: Vec<u8>,
    playout: Vec<u8>,
}

struct DtmfSend {
    event: u8,
    timestamp: u32,
    ticks: u32,
}

impl Session {
    fn new(socket: MediaSocket, opened: Opened, io: MediaIo) -> Result<Session> {
        socket.rtcp.set_nonblocking(true)?;
        let Opened { source, sink, processor, .. } = opened;
        Ok(Session {
            rtp: socket.rtp,
            rtcp: socket.rtcp,
            source,
            sink,
            processor,
            io,
            ringing_back: false,
            negotiated: None,
            encoder: None,
            decoder: None,
            srtp: None,
            jitter: JitterBuffer::new(JitterConfig::default()),
            ssrc: rand::random(),
            seq: rand::random(),
            timestamp: rand::random(),
            muted: false,
            remote_latched: false,
            dtmf_queue: Default::default(),
            dtmf: None,
            dtmf_gap: 0,
            last_dtmf_heard: None,
            reception: Reception::default(),
            stats: MediaStats::default(),
            octets_sent: 0,
            started: Instant::now(),
            first_audio: false,
            frame: vec![0.0; FRAME],
            packet: Vec::with_capacity(1500),
            playout: Vec::with_capacity(1500),
        })
    }

    fn update(&mut self, n: Negotiated) -> Result<()> {
        let codec_changed = self.negotiated.as_ref().is_none_or(|old| old.codec != n.codec);
        if codec_changed {
            self.encoder = Some(Encoder::new(n.codec)?);
            self.decoder = Some(Decoder::new(n.codec)?);
            self.jitter = JitterBuffer::new(JitterConfig::default());
        }
        let keys_changed = match (&self.negotiated, &n.srtp) {
            (Some(old), new) => old.srtp != *new,
            (None, _) => true,
        };
        if keys_changed {
            self.srtp = n.srtp.as_ref().map(|(ours, theirs)| SrtpSession::new(ours, theirs)).transpose()?;
        }
        self.remote_latched =
            self.negotiated.as_ref().is_some_and(|old| old.remote_rtp == n.remote_rtp) && self.remote_latched;
        self.negotiated = Some(n);
        Ok(())
    }

    fn run(&mut self, commands: &mpsc::Receiver<Command>, on_event: &dyn Fn(MediaEvent)) {
        let mut next_tick = Instant::now();
        let mut next_rtcp = Instant::now() + RTCP_EVERY;
        let mut next_stats = Instant::now() + Duration::from_secs(1);
        let mut buf = vec![0u8; 2048];
        // A microphone sends each frame as soon as it is captured: waiting for the
        // next 20 ms turn would add up to a frame of delay.
        let paced_by_device = self.source.ready().is_some();
        loop {
            loop {
                match commands.try_recv() {
                    Ok(Command::Stop(reply)) => {
                        self.send_bye();
                        if let Err(e) = self.sink.finish() {
                            on_event(MediaEvent::Failed(e.to_string()));
                        }
                        let _ = reply.send(self.current_stats());
                        return;
                    }
                    Ok(Command::Update(n)) => {
                        if let Err(e) = self.update(n) {
                            on_event(MediaEvent::Failed(e.to_string()));
                        }
                    }
                    Ok(Command::Mute(m)) => self.muted = m,
                    Ok(Command::Ringback(on)) => {
                        self.ringing_back = on;
                        self.sink.ringback(on);
                    }
                    Ok(Command::Devices { microphone, speaker }) => self.switch_devices(microphone, speaker, on_event),
                    Ok(Command::Dtmf(digits)) => self.dtmf_queue.extend(digits),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        let _ = self.sink.finish();
                        return;
                    }
                }
            }
            if paced_by_device {
                while self.source.ready() == Some(true) {
                    self.send_frame();
                }
            }
            let now = Instant::now();
            if now >= next_tick {
                self.tick(now, paced_by_device);
                self.drain_rtcp(&mut buf);
                next_tick += TICK;
                // After a long stall (a suspended laptop), start afresh rather than
                // sending a burst of stale frames.
                if now.duration_since(next_tick) > Duration::from_millis(200) {
                    next_tick = now + TICK;
                }
                if now >= next_rtcp {
                    self.send_report();
                    next_rtcp = now + RTCP_EVERY;
                }
                if now >= next_stats {
                    on_event(MediaEvent::Stats(self.current_stats()));
                    next_stats = now + Duration::from_secs(1);
                }
                continue;
            }
            let mut wait = next_tick - now;
            if paced_by_device {
                wait = wait.min(MIC_POLL);
            }
            if self.rtp.set_read_timeout(Some(wait.max(Duration::from_micros(100)))).is_err() {
                std::thread::sleep(wait);
                continue;
            }
            match self.rtp.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let data = buf[..n].to_vec();
                    self.receive(&data, from, on_event);
                }
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                // ICMP port unreachable before the far end opens its port: not fatal.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
                Err(e) => {
                    on_event(MediaEvent::Failed(format!("The call's network connection failed: {e}")));
                    std::thread::sleep(wait);
                }
            }
        }
    }

    /// Opens the new devices before letting go of the old ones, so a device that fails
    /// to open costs nothing.
    fn switch_devices(&mut self, microphone: Option<String>, speaker: Option<String>, on_event: &dyn Fn(MediaEvent)) {
        if let Input::Microphone(current, processing) = &self.io.input
            && *current != microphone
        {
            let processing = *processing;
            match microphone_source(microphone.as_deref()) {
                Ok((source, fallback)) => {
                    self.source = source;
                    self.io.input = Input::Microphone(microphone, processing);
                    if let Some(fallback) = fallback {
                        on_event(MediaEvent::Notice(fallback));
                    }
                }
                Err(e) => on_event(MediaEvent::Notice(format!("The call stays on its microphone: {e}"))),
            }
        }
        if let Output::Speaker(current) = &self.io.output
            && *current != speaker
        {
            match speaker_sink(speaker.as_deref(), self.io.region) {
                Ok((mut sink, fallback)) => {
                    sink.ringback(self.ringing_back);
                    let _ = std::mem::replace(&mut self.sink, sink).finish();
                    self.io.output = Output::Speaker(speaker);
                    if let Some(fallback) = fallback {
                        on_event(MediaEvent::Notice(fallback));
                    }
                }
                Err(e) => on_event(MediaEvent::Notice(format!("The call stays on its speaker: {e}"))),
            }
        }
    }

    fn now_ms(&self, now: Instant) -> u64 {
        now.duration_since(self.started).as_millis() as u64
    }

    /// Every 20 ms by the call's clock: a frame played, and one sent unless the
    /// microphone paces sending itself.
    fn tick(&mut self, now: Instant, paced_by_device: bool) {
        if !paced_by_device {
            self.send_frame();
        }
        self.play_frame(now);
    }

    fn send_frame(&mut self) {
        self.source.read(&mut self.frame);
        self.stats.microphone_silent_ms =
            silent_for(self.stats.microphone_silent_ms, &self.frame, TICK.as_millis() as u64);
        if let Some(processor) = self.processor.as_mut() {
            processor.near_end(&mut self.frame);
        }
        if self.muted {
            self.frame.fill(0.0);
        }
        let Some(n) = self.negotiated.clone() else {
            return;
        };
        let step = n.codec.timestamp_step();
        if n.direction.sends() {
            if self.dtmf.is_none()
                && self.dtmf_gap == 0
                && n.dtmf_payload_type.is_some()
                && let Some(key) = self.dtmf_queue.pop_front()
                && let Some(event) = audio_codec::telephone_event::digit_to_event(key)
            {
                self.dtmf = Some(DtmfSend { event, timestamp: self.timestamp, ticks: 0 });
            }
            if let (Some(dtmf), Some(pt)) = (self.dtmf.as_mut(), n.dtmf_payload_type) {
                dtmf.ticks += 1;
                let end = dtmf.ticks >= DTMF_TICKS;
                let duration = (dtmf.ticks.min(DTMF_TICKS) * (n.dtmf_clock / 50)).min(u32::from(u16::MAX)) as u16;
                let payload = audio_codec::telephone_event::encode_event_payload(dtmf.event, end, 10, duration);
                let (marker, ts) = (dtmf.ticks == 1, dtmf.timestamp);
                // The end packet goes three times (RFC 4733 §2.5.1.4), for loss.
                let repeats = if end { 3 } else { 1 };
                for _ in 0..repeats {
                    self.send_rtp(pt, marker, ts, &payload, n.remote_rtp);
                }
                if end {
                    self.dtmf = None;
                    self.dtmf_gap = DTMF_GAP_TICKS;
                    self.stats.dtmf_sent += 1;
                }
            } else if let Some(encoder) = self.encoder.as_mut() {
                self.dtmf_gap = self.dtmf_gap.saturating_sub(1);
                let mut packet = std::mem::take(&mut self.packet);
                if encoder.encode(&self.frame, &mut packet).is_ok() {
                    let ts = self.timestamp;
                    self.send_rtp(n.payload_type, false, ts, &packet, n.remote_rtp);
                }
                self.packet = packet;
            }
        }
        self.timestamp = self.timestamp.wrapping_add(step);
    }

    /// Plays one frame of what arrived.
    fn play_frame(&mut self, now: Instant) {
        let Some(n) = self.negotiated.clone() else {
            return;
        };
        let now_ms = self.now_ms(now);
        let Some(decoder) = self.decoder.as_mut() else { return };
        let outcome = match self.jitter.pop(now_ms, &mut self.playout) {
            Playout::Packet => decoder.decode(&self.playout, &mut self.frame),
            Playout::Fec => decoder.recover(&self.playout, &mut self.frame),
            Playout::Conceal => decoder.conceal(&mut self.frame),
            Playout::Silence => {
                self.frame.fill(0.0);
                Ok(())
            }
        };
        if outcome.is_err() {
            self.frame.fill(0.0);
        }
        if !n.direction.receives() {
            self.frame.fill(0.0);
        }
        if let Some(processor) = self.processor.as_mut() {
            processor.far_end(&self.frame);
        }
        self.sink.write(&self.frame);
    }

    fn send_rtp(&mut self, pt: u8, marker: bool, timestamp: u32, payload: &[u8], to: SocketAddr) {
        let packet = rtc_rtp::packet::Packet {
            header: rtc_rtp::header::Header {
                version: 2,
                marker,
                payload_type: pt,
                sequence_number: self.seq,
                timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload: Bytes::copy_from_slice(payload),
        };
        self.seq = self.seq.wrapping_add(1);
        let Ok(raw) = packet.marshal() else { return };
        let wire = match self.srtp.as_mut() {
            Some(srtp) => match srtp.protect_rtp(&raw) {
                Ok(sealed) => sealed,
                // Never fall back to clear.
                Err(_) => return,
            },
            None => raw.to_vec(),
        };
        if self.rtp.send_to(&wire, to).is_ok() {
            self.stats.packets_sent += 1;
            self.octets_sent += payload.len() as u64;
        }
    }

    fn receive(&mut self, data: &[u8], from: SocketAddr, on_event: &dyn Fn(MediaEvent)) {
        let Some(n) = self.negotiated.clone() else { return };
        if data.len() < 12 || data[0] >> 6 != 2 {
            return;
        }
        // RTCP multiplexed on the RTP port (RFC 5761): payload types 200-204.
        if (200..=204).contains(&data[1]) {
            self.on_rtcp(data);
            return;
        }
        let clear = match self.srtp.as_mut() {
            Some(srtp) => match srtp.unprotect_rtp(data) {
                Ok(clear) => clear,
                Err(_) => return,
            },
            None => data.to_vec(),
        };
        let Ok(packet) = rtc_rtp::packet::Packet::unmarshal(&mut &clear[..]) else { return };
        // Symmetric RTP: the far end behind a NAT sends from the address we must
        // answer to; follow its first authentic packet.
        if !self.remote_latched {
            self.remote_latched = true;
            if from != n.remote_rtp
                && let Some(neg) = self.negotiated.as_mut()
            {
                neg.remote_rtp = from;
                neg.remote_rtcp = SocketAddr::new(from.ip(), from.port().wrapping_add(1));
            }
        }
        let h = &packet.header;
        let arrival = self.started.elapsed().as_secs_f64() * f64::from(n.codec.clock_rate());
        if Some(h.payload_type) == n.dtmf_payload_type {
            self.reception.on_packet(h.ssrc, h.sequence_number, h.timestamp, arrival as i64);
            if let Some(event) = audio_codec::telephone_event::parse_telephone_event(&packet.payload)
                && self.last_dtmf_heard != Some(h.timestamp)
                && event.event <= 15
            {
                self.last_dtmf_heard = Some(h.timestamp);
                on_event(MediaEvent::Dtmf(audio_codec::telephone_event::event_to_digit(event.event)));
            }
            return;
        }
        if h.payload_type != n.payload_type {
            return;
        }
        self.reception.on_packet(h.ssrc, h.sequence_number, h.timestamp, arrival as i64);
        if !self.first_audio {
            self.first_audio = true;
            on_event(MediaEvent::FirstAudio);
        }
        let now_ms = self.now_ms(Instant::now());
        self.jitter.push(h.sequence_number, &packet.payload, now_ms);
    }

    fn drain_rtcp(&mut self, buf: &mut [u8]) {
        while let Ok((n, _)) = self.rtcp.recv_from(buf) {
            let data = buf[..n].to_vec();
            self.on_rtcp(&data);
        }
    }

    fn on_rtcp(&mut self, data: &[u8]) {
        let clear = match self.srtp.as_mut() {
            Some(srtp) => match srtp.unprotect_rtcp(data) {
                Ok(c) => c,
                Err(_) => return,
            },
            None => data.to_vec(),
        };
        let Ok(packets) = rtc_rtcp::packet::unmarshal(&mut &clear[..]) else { return };
        for p in packets {
            let any = p.as_any();
            let reports = if let Some(sr) = any.downcast_ref::<rtc_rtcp::sender_report::SenderReport>() {
                self.reception.last_sr = Some(((sr.ntp_time >> 16) as u32, Instant::now()));
                sr.reports.clone()
            } else if let Some(rr) = any.downcast_ref::<rtc_rtcp::receiver_report::ReceiverReport>() {
                rr.reports.clone()
            } else {
                continue;
            };
            for r in reports.iter().filter(|r| r.ssrc == self.ssrc) {
                self.stats.remote_loss_percent = Some(f64::from(r.fraction_lost) * 100.0 / 256.0);
                if r.last_sender_report != 0 {
                    let now = ntp_middle(ntp_now());
                    let rtt = now.wrapping_sub(r.last_sender_report).wrapping_sub(r.delay);
                    // Units of 1/65536 s; ignore nonsense from clock steps.
                    if rtt < 65536 * 10 {
                        self.stats.round_trip_ms = Some(f64::from(rtt) * 1000.0 / 65536.0);
                    }
                }
            }
        }
    }

    fn reception_report(&mut self) -> Option<rtc_rtcp::reception_report::ReceptionReport> {
        let ssrc = self.reception.ssrc?;
        let expected = self.reception.expected();
        let expected_interval = expected - self.reception.expected_prior;
        let received_interval = self.reception.received - self.reception.received_prior;
        self.reception.expected_prior = expected;
        self.reception.received_prior = self.reception.received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        let fraction_lost = (lost_interval << 8).checked_div(expected_interval).map_or(0, |f| f.min(255) as u8);
        let (lsr, dlsr) = match self.reception.last_sr {
            Some((lsr, at)) => (lsr, (at.elapsed().as_secs_f64() * 65536.0) as u32),
            None => (0, 0),
        };
        Some(rtc_rtcp::reception_report::ReceptionReport {
            ssrc,
            fraction_lost,
            total_lost: self.reception.lost().min(0x7f_ffff) as u32,
            last_sequence_number: self.reception.extended_max(),
            jitter: self.reception.jitter as u32,
            last_sender_report: lsr,
            delay: dlsr,
        })
    }

    fn send_report(&mut self) {
        let Some(n) = self.negotiated.clone() else { return };
        let reports: Vec<_> = self.reception_report().into_iter().collect();
        let packet: Box<dyn rtc_rtcp::packet::Packet> = if n.direction.sends() && self.stats.packets_sent > 0 {
            Box::new(rtc_rtcp::sender_report::SenderReport {
                ssrc: self.ssrc,
                ntp_time: ntp_now(),
                rtp_time: self.timestamp,
                packet_count: self.stats.packets_sent as u32,
                octet_count: self.octets_sent as u32,
                reports,
                ..Default::default()
            })
        } else {
            Box::new(rtc_rtcp::receiver_report::ReceiverReport { ssrc: self.ssrc, reports, ..Default::default() })
        };
        self.send_rtcp(&[packet], n.remote_rtcp);
    }

    fn send_bye(&mut self) {
        let Some(n) = self.negotiated.clone() else { return };
        if self.stats.packets_sent == 0 {
            return;
        }
        let bye: Box<dyn rtc_rtcp::packet::Packet> =
            Box::new(rtc_rtcp::goodbye::Goodbye { sources: vec![self.ssrc], ..Default::default() });
        let packets: Vec<Box<dyn rtc_rtcp::packet::Packet>> =
            vec![Box::new(rtc_rtcp::receiver_report::ReceiverReport { ssrc: self.ssrc, ..Default::default() }), bye];
        self.send_rtcp(&packets, n.remote_rtcp);
    }

    fn send_rtcp(&mut self, packets: &[Box<dyn rtc_rtcp::packet::Packet>], to: SocketAddr) {
        let Ok(raw) = rtc_rtcp::packet::marshal(packets) else { return };
        let wire = match self.srtp.as_mut() {
            Some(srtp) => match srtp.protect_rtcp(&raw) {
                Ok(sealed) => sealed,
                Err(_) => return,
            },
            None => raw.to_vec(),
        };
        let _ = self.rtcp.send_to(&wire, to);
    }

    fn current_stats(&self) -> MediaStats {
        let clock = self.negotiated.as_ref().map_or(8000, |n| n.codec.clock_rate());
        MediaStats {
            packets_received: self.reception.received,
            packets_lost: self.reception.lost(),
            jitter_ms: self.reception.jitter * 1000.0 / f64::from(clock),
            jitter_buffer_ms: self.jitter.stats().target_ms,
            ..self.stats
        }
    }
}

fn ntp_now() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() + 2_208_988_800;
    let frac = (u64::from(since.subsec_nanos()) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digital_silence_counts_as_a_silent_microphone() {
        let zeros = vec![0.0f32; FRAME];
        let mut hiss = vec![0.0f32; FRAME];
        // A quiet room through a real microphone: noise around -70 dBFS.
        hiss[100] = 3e-4;
        let mut silent = 0;
        for _ in 0..150 {
            silent = silent_for(silent, &zeros, 20);
        }
        assert_eq!(silent, 3000);
        assert_eq!(silent_for(silent, &hiss, 20), 0, "any sound starts the count again");
        assert_eq!(silent_for(0, &[5e-5f32; FRAME], 20), 20, "under -80 dBFS is silence");
    }
}
