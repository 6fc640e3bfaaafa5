//! Call-progress and keypad tones, generated sample by sample.
//!
//! Every tone is a fixed list of segments (up to two frequencies for a length of time),
//! played once or repeated as a cadence. The lists are `'static`, so a [`ToneGen`] can
//! switch tones inside a real-time audio callback without allocating.

use serde::{Deserialize, Serialize};

/// How long one keypad press sounds, and the pause between digits of a sequence.
pub const DTMF_ON_MS: u32 = 100;
/// Pause after each digit when several are played in a row.
pub const DTMF_GAP_MS: u32 = 60;
/// Peak amplitude of each of a tone's two components: -12 dBFS, loud enough to hear
/// and far from clipping when the two add up.
const COMPONENT_AMPLITUDE: f32 = 0.25;
/// Fade in and out over this long, so tones start and stop without a click.
const RAMP_MS: f32 = 4.0;

/// Where the person is: call-progress tones differ by country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ToneRegion {
    /// North America (US, Canada and the NANP): 440+480 Hz ringback, 480+620 Hz busy.
    #[default]
    NorthAmerica,
    /// United Kingdom: 400+450 Hz double-ring ringback, 400 Hz busy.
    UnitedKingdom,
    /// Most of continental Europe (CEPT): 425 Hz.
    Europe,
}

impl ToneRegion {
    /// The tone plan for an ISO 3166 region code such as `US`, `GB` or `DE`.
    pub fn for_country(code: &str) -> ToneRegion {
        match code.to_ascii_uppercase().as_str() {
            "GB" | "UK" | "IE" | "IM" | "JE" | "GG" => ToneRegion::UnitedKingdom,
            "US" | "CA" | "PR" | "GU" | "VI" | "AS" | "MP" | "BS" | "BB" | "JM" | "TT" | "DO" | "BM" | "AG" | "AI"
            | "DM" | "GD" | "KN" | "KY" | "LC" | "MS" | "SX" | "TC" | "VC" | "VG" => ToneRegion::NorthAmerica,
            _ => ToneRegion::Europe,
        }
    }
}

/// The sound an incoming call rings with, chosen in Settings. Each is distinct from
/// every region's ringback, so a person never mistakes their own outgoing call for an
/// incoming one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Ringtone {
    /// Two notes (784 and 988 Hz) trilled three times, then quiet.
    #[default]
    Trill,
    /// A desk phone's bell: a 1000 + 1250 Hz chord rung twice.
    Bell,
    /// Three falling notes (1319, 1047, 784 Hz), like a door chime.
    Chime,
}

/// A sound the engine can play on its own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tone {
    /// One keypad key (0-9, *, #, A-D) for `ms` milliseconds.
    Dtmf { key: char, ms: u32 },
    /// The far end is ringing; repeats until stopped.
    Ringback { region: ToneRegion },
    /// The far end is busy; repeats until stopped.
    Busy { region: ToneRegion },
    /// Something failed: three rising notes, about 0.6 s.
    Error,
    /// A plain sine, for the speaker test.
    Sine { freq: u32, ms: u32 },
    /// Nothing, for `ms` milliseconds (the gap between digits).
    Pause { ms: u32 },
    /// Someone is calling us: the chosen ringtone at `volume` percent of full
    /// loudness; repeats until stopped.
    Ringtone { style: Ringtone, volume: u8 },
    /// One pass of a ringtone, to try it in Settings.
    RingtoneSample { style: Ringtone, volume: u8 },
    /// A second call while in one: one soft beep every few seconds (ITU-T E.180's
    /// 440 Hz); repeats until stopped.
    CallWaiting,
}

/// The ITU-T Q.23 frequency pair (row, column) of a keypad key.
pub fn dtmf_pair(key: char) -> Option<(f32, f32)> {
    const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
    const COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    let (r, c) = match key.to_ascii_uppercase() {
        '1' => (0, 0),
        '2' => (0, 1),
        '3' => (0, 2),
        'A' => (0, 3),
        '4' => (1, 0),
        '5' => (1, 1),
        '6' => (1, 2),
        'B' => (1, 3),
        '7' => (2, 0),
        '8' => (2, 1),
        '9' => (2, 2),
        'C' => (2, 3),
        '*' => (3, 0),
        '0' => (3, 1),
        '#' => (3, 2),
        'D' => (3, 3),
        _ => return None,
    };
    Some((ROWS[r], COLS[c]))
}

/// Checks a string of keys before anything is played; separators people type
/// (spaces, dashes, dots, brackets) are skipped, anything else is an error naming it.
pub fn parse_digits(text: &str) -> Result<Vec<char>, String> {
    let mut keys = Vec::new();
    for ch in text.chars() {
        if matches!(ch, ' ' | '-' | '.' | '(' | ')') {
            continue;
        }
        if dtmf_pair(ch).is_none() {
            return Err(format!("“{ch}” is not a keypad key: use 0-9, *, # or A-D"));
        }
        keys.push(ch.to_ascii_uppercase());
    }
    if keys.is_empty() {
        return Err("Give at least one keypad key (0-9, *, #, A-D)".to_owned());
    }
    Ok(keys)
}

/// One stretch of a tone: up to two frequencies (0 = none) for a time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    freqs: [f32; 2],
    ms: u32,
}

const fn seg(a: f32, b: f32, ms: u32) -> Segment {
    Segment { freqs: [a, b], ms }
}

const NA_RINGBACK: [Segment; 2] = [seg(440.0, 480.0, 2000), seg(0.0, 0.0, 4000)];
const UK_RINGBACK: [Segment; 4] =
    [seg(400.0, 450.0, 400), seg(0.0, 0.0, 200), seg(400.0, 450.0, 400), seg(0.0, 0.0, 2000)];
const EU_RINGBACK: [Segment; 2] = [seg(425.0, 0.0, 1000), seg(0.0, 0.0, 4000)];
const NA_BUSY: [Segment; 2] = [seg(480.0, 620.0, 500), seg(0.0, 0.0, 500)];
const UK_BUSY: [Segment; 2] = [seg(400.0, 0.0, 375), seg(0.0, 0.0, 375)];
const EU_BUSY: [Segment; 2] = [seg(425.0, 0.0, 500), seg(0.0, 0.0, 500)];
const TRILL: [Segment; 7] = [
    seg(784.0, 0.0, 200),
    seg(988.0, 0.0, 200),
    seg(784.0, 0.0, 200),
    seg(988.0, 0.0, 200),
    seg(784.0, 0.0, 200),
    seg(988.0, 0.0, 200),
    seg(0.0, 0.0, 2000),
];
const BELL: [Segment; 4] =
    [seg(1000.0, 1250.0, 800), seg(0.0, 0.0, 400), seg(1000.0, 1250.0, 800), seg(0.0, 0.0, 2000)];
const CHIME: [Segment; 4] = [seg(1319.0, 0.0, 300), seg(1047.0, 0.0, 300), seg(784.0, 0.0, 600), seg(0.0, 0.0, 2400)];
const CALL_WAITING: [Segment; 2] = [seg(440.0, 0.0, 300), seg(0.0, 0.0, 5000)];
const ERROR: [Segment; 3] = [seg(950.0, 0.0, 200), seg(1400.0, 0.0, 200), seg(1800.0, 0.0, 200)];

impl Tone {
    /// A keypad press of the usual length.
    pub fn key(key: char) -> Tone {
        Tone::Dtmf { key, ms: DTMF_ON_MS }
    }

    /// Whether the tone repeats until something else is played or it is stopped.
    pub fn repeats(&self) -> bool {
        matches!(self, Tone::Ringback { .. } | Tone::Busy { .. } | Tone::Ringtone { .. } | Tone::CallWaiting)
    }

    /// How loud against the engine's usual level: a ringtone's chosen volume
    /// (percent of amplitude, so 50 is 6 dB quieter), everything else in full.
    fn gain(&self) -> f32 {
        match self {
            Tone::Ringtone { volume, .. } | Tone::RingtoneSample { volume, .. } => {
                f32::from((*volume).min(100)) / 100.0
            }
            _ => 1.0,
        }
    }

    /// How long one pass of the tone lasts.
    pub fn duration_ms(&self) -> u32 {
        match self {
            Tone::Dtmf { ms, .. } | Tone::Sine { ms, .. } | Tone::Pause { ms } => *ms,
            _ => self.cadence().iter().map(|s| s.ms).sum(),
        }
    }

    fn cadence(&self) -> &'static [Segment] {
        match self {
            Tone::Ringback { region: ToneRegion::NorthAmerica } => &NA_RINGBACK,
            Tone::Ringback { region: ToneRegion::UnitedKingdom } => &UK_RINGBACK,
            Tone::Ringback { region: ToneRegion::Europe } => &EU_RINGBACK,
            Tone::Busy { region: ToneRegion::NorthAmerica } => &NA_BUSY,
            Tone::Busy { region: ToneRegion::UnitedKingdom } => &UK_BUSY,
            Tone::Busy { region: ToneRegion::Europe } => &EU_BUSY,
            Tone::Error => &ERROR,
            Tone::Ringtone { style, .. } | Tone::RingtoneSample { style, .. } => match style {
                Ringtone::Trill => &TRILL,
                Ringtone::Bell => &BELL,
                Ringtone::Chime => &CHIME,
            },
            Tone::CallWaiting => &CALL_WAITING,
            Tone::Dtmf { .. } | Tone::Sine { .. } | Tone::Pause { .. } => &[],
        }
    }

    /// The segment at `index` of one pass, or `None` past the end.
    fn segment(&self, index: usize) -> Option<Segment> {
        match *self {
            Tone::Dtmf { key, ms } => {
                let (a, b) = dtmf_pair(key).unwrap_or((0.0, 0.0));
                (index == 0).then_some(seg(a, b, ms))
            }
            Tone::Sine { freq, ms } => (index == 0).then_some(seg(freq as f32, 0.0, ms)),
            Tone::Pause { ms } => (index == 0).then_some(seg(0.0, 0.0, ms)),
            _ => self.cadence().get(index).copied(),
        }
    }
}

/// Generates a [`Tone`]'s samples at a given rate, phase-continuous, without allocating.
#[derive(Debug, Clone)]
pub struct ToneGen {
    rate: f32,
    tone: Option<Tone>,
    segment: usize,
    /// Samples already played of the current segment.
    pos: u32,
    phases: [f32; 2],
}

impl ToneGen {
    /// A silent generator for a stream at `sample_rate` Hz.
    pub fn new(sample_rate: u32) -> Self {
        Self { rate: sample_rate as f32, tone: None, segment: 0, pos: 0, phases: [0.0; 2] }
    }

    /// Starts `tone` from its beginning, replacing whatever was playing.
    pub fn start(&mut self, tone: Tone) {
        self.tone = Some(tone);
        self.segment = 0;
        self.pos = 0;
        self.phases = [0.0; 2];
    }

    /// Stops at once.
    pub fn stop(&mut self) {
        self.tone = None;
    }

    /// The tone playing now, if any.
    pub fn current(&self) -> Option<Tone> {
        self.tone
    }

    /// True while a tone is playing.
    pub fn is_playing(&self) -> bool {
        self.tone.is_some()
    }

    /// Adds the tone's next samples into `out` (mono), returning how many samples it
    /// produced; fewer than `out.len()` means a one-shot tone has just ended.
    pub fn mix_into(&mut self, out: &mut [f32]) -> usize {
        let mut written = 0;
        while written < out.len() {
            let Some(tone) = self.tone else { break };
            let Some(segment) = tone.segment(self.segment) else {
                if tone.repeats() {
                    self.segment = 0;
                    continue;
                }
                self.tone = None;
                break;
            };
            let len = (segment.ms as f32 * self.rate / 1000.0) as u32;
            let ramp = (RAMP_MS * self.rate / 1000.0).max(1.0);
            let amplitude = COMPONENT_AMPLITUDE * tone.gain();
            while self.pos < len && written < out.len() {
                let from_edge = self.pos.min(len - 1 - self.pos) as f32;
                let gain = amplitude * (from_edge / ramp).min(1.0);
                let mut sample = 0.0;
                for (freq, phase) in segment.freqs.iter().zip(self.phases.iter_mut()) {
                    if *freq > 0.0 {
                        sample += gain * (*phase * std::f32::consts::TAU).sin();
                        *phase = (*phase + freq / self.rate).fract();
                    }
                }
                out[written] += sample;
                written += 1;
                self.pos += 1;
            }
            if self.pos >= len {
                self.segment += 1;
                self.pos = 0;
            }
        }
        written
    }
}

/// Renders a whole one-shot tone (or one pass of a cadence) to a new buffer.
pub fn render(tone: Tone, sample_rate: u32) -> Vec<f32> {
    let len = (tone.duration_ms() as u64 * sample_rate as u64 / 1000) as usize;
    let mut out = vec![0.0; len];
    let mut generator = ToneGen::new(sample_rate);
    generator.start(tone);
    generator.mix_into(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goertzel_power;

    const ALL_ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
    const ALL_COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

    #[test]
    fn every_key_has_its_q23_pair_and_nothing_else() {
        for key in "0123456789*#ABCD".chars() {
            let (row, col) = dtmf_pair(key).expect("a keypad key");
            let samples = render(Tone::key(key), 48_000);
            assert_eq!(samples.len(), 4800);
            for f in ALL_ROWS.iter().chain(ALL_COLS.iter()) {
                let p = goertzel_power(&samples, 48_000, *f);
                if *f == row || *f == col {
                    assert!(p > 0.01, "key {key}: {f} Hz too weak ({p})");
                } else {
                    assert!(p < 0.0005, "key {key}: {f} Hz should be absent ({p})");
                }
            }
            let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            assert!(peak <= 0.5 && peak > 0.4, "peak {peak}");
        }
        assert_eq!(dtmf_pair('5'), Some((770.0, 1336.0)));
        assert_eq!(dtmf_pair('x'), None);
    }

    #[test]
    fn digits_are_checked_before_playing() {
        assert_eq!(parse_digits("1-800 (555) 0199#").unwrap().len(), 12);
        let err = parse_digits("12x").unwrap_err();
        assert!(err.contains("“x”"), "{err}");
        assert!(parse_digits(" - ").is_err());
    }

    #[test]
    fn ringback_follows_each_regions_cadence() {
        let rate = 8000;
        let on_off = |tone: Tone, at_ms: u32| {
            let samples = render(tone, rate);
            let i = (at_ms * rate / 1000) as usize;
            samples[i..i + 80].iter().any(|s| s.abs() > 0.01)
        };
        let na = Tone::Ringback { region: ToneRegion::NorthAmerica };
        assert!(on_off(na, 1000) && !on_off(na, 3000));
        assert_eq!(na.duration_ms(), 6000);
        let uk = Tone::Ringback { region: ToneRegion::UnitedKingdom };
        assert!(on_off(uk, 100) && !on_off(uk, 500) && on_off(uk, 700) && !on_off(uk, 1500));
        let eu = Tone::Busy { region: ToneRegion::Europe };
        let samples = render(eu, rate);
        assert!(goertzel_power(&samples[..4000], rate, 425.0) > 0.01);
        let uk_ring = render(uk, rate);
        assert!(goertzel_power(&uk_ring[..3200], rate, 400.0) > 0.005);
        assert!(goertzel_power(&uk_ring[..3200], rate, 450.0) > 0.005);
        assert_eq!(ToneRegion::for_country("gb"), ToneRegion::UnitedKingdom);
        assert_eq!(ToneRegion::for_country("CA"), ToneRegion::NorthAmerica);
        assert_eq!(ToneRegion::for_country("DE"), ToneRegion::Europe);
    }

    #[test]
    fn cadences_repeat_and_one_shots_end() {
        let mut generator = ToneGen::new(8000);
        generator.start(Tone::Busy { region: ToneRegion::NorthAmerica });
        let mut out = vec![0.0; 8000 * 3];
        assert_eq!(generator.mix_into(&mut out), out.len());
        assert!(generator.is_playing());
        generator.start(Tone::key('1'));
        let mut out = vec![0.0; 8000];
        assert_eq!(generator.mix_into(&mut out), 800);
        assert!(!generator.is_playing());
    }

    #[test]
    fn each_ringtone_has_its_notes_at_its_volume_and_the_sample_plays_once() {
        let rate = 8000;
        let cases = [
            (Ringtone::Trill, &[784.0, 988.0][..], &[1250.0, 1319.0][..]),
            (Ringtone::Bell, &[1000.0, 1250.0][..], &[784.0, 1319.0][..]),
            (Ringtone::Chime, &[1319.0, 1047.0, 784.0][..], &[988.0, 1250.0][..]),
        ];
        for (style, present, absent) in cases {
            let samples = render(Tone::RingtoneSample { style, volume: 100 }, rate);
            // A note sounds for a tenth of the pass or more: a quarter of its amplitude
            // squared, over 100, at the least; what is absent, 20 dB under that.
            let loudest_absent = absent.iter().map(|f| goertzel_power(&samples, rate, *f)).fold(0.0, f32::max);
            for f in present {
                let power = goertzel_power(&samples, rate, *f);
                assert!(power > 1e-5, "{style:?}: {f} Hz missing ({power})");
                assert!(power > 100.0 * loudest_absent, "{style:?}: {f} Hz not above the rest ({power})");
            }
            let half = render(Tone::RingtoneSample { style, volume: 50 }, rate);
            let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!((peak(&half) / peak(&samples) - 0.5).abs() < 0.01, "{style:?} at 50%");
            assert!(render(Tone::RingtoneSample { style, volume: 0 }, rate).iter().all(|s| *s == 0.0));

            let mut generator = ToneGen::new(rate);
            generator.start(Tone::RingtoneSample { style, volume: 80 });
            let mut out = vec![0.0; samples.len() * 2];
            assert_eq!(generator.mix_into(&mut out), samples.len(), "{style:?}: the sample plays once");
            generator.start(Tone::Ringtone { style, volume: 80 });
            assert_eq!(generator.mix_into(&mut out), out.len(), "{style:?}: the ringtone repeats");
        }
        assert_eq!(Ringtone::default(), Ringtone::Trill);
    }

    #[test]
    fn tones_start_and_end_without_a_click() {
        let samples = render(Tone::key('9'), 48_000);
        assert!(samples[0].abs() < 0.01 && samples[samples.len() - 1].abs() < 0.01);
    }
}
