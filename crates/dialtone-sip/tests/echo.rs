//! Echo cancellation in a real call, through a real sound server: a laptop's speakers
//! heard by its own microphone, at its worst.
//!
//! baresip (the far end, through kamailio) sends a 1 kHz tone. Dialtone plays it into
//! a PulseAudio null sink, "room", and its microphone is that sink's monitor: whatever
//! it plays, it hears back whole (a full echo). The person "speaks" a 600 Hz tone into
//! the same room. What baresip records is what Dialtone sent. With echo cancellation
//! on, the far end's own tone must come back at least 20 dB quieter than with it off,
//! while the person's tone still gets through.
//!
//! Needs scripts/with-audio.sh (PulseAudio) and what peers.rs needs (root, kamailio,
//! baresip); scripts/test.sh provides both.

mod peers;

use std::time::{Duration, Instant};

use dialtone_audio::processing::Processing;
use dialtone_audio::testing::{Feed, Sink};
use dialtone_sip::{Account, CallEvent, Input, MediaIo, Output, Phone, SipAgent};
use peers::{ADDR, PhoneOptions, baresip, in_netns, kamailio, read_wav};
use secrecy::SecretString;

const KAMAILIO: u16 = 5070;
const FAR_HZ: f32 = 1000.0;
const NEAR_HZ: f32 = 600.0;

fn goertzel_db(samples: &[f32], rate: u32, freq: f32) -> f64 {
    let power = f64::from(dialtone_audio::analysis::goertzel_power(samples, rate, freq));
    10.0 * power.max(1e-20).log10()
}

/// What baresip heard in the call's last seconds, at the far end's and the person's
/// frequencies, in dB.
struct Heard {
    far: f64,
    near: f64,
}

/// One call of `seconds` with the microphone cleaned as `processing` says.
fn call_in_a_room(processing: Processing, seconds: u64) -> Heard {
    let dir = tempfile::tempdir().unwrap();
    let _registrar = kamailio(dir.path(), KAMAILIO, "MD5");
    let far = baresip(dir.path(), KAMAILIO, &PhoneOptions::BOB);
    let room = Sink::new("room");
    // The person talking, into the microphone: the whole call long.
    let _voice = Feed::start(&room.name, NEAR_HZ as u32, seconds as f32 + 10.0);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let account =
            Account::new(&format!("{ADDR}:{KAMAILIO}"), "alice", SecretString::from("pw-alice".to_owned())).unwrap();
        let phone = Phone::start(account).await.unwrap();
        phone.register().await.unwrap();
        let io = MediaIo {
            input: Input::Microphone(Some(room.monitor_id()), processing),
            output: Output::Speaker(Some(room.id())),
            region: Default::default(),
        };
        let mut call = phone.call("bob", io).await.unwrap();
        let answered = tokio::time::timeout(Duration::from_secs(15), async {
            while let Some(event) = call.next_event().await {
                if matches!(event, CallEvent::Answered { .. }) {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(matches!(answered, Ok(true)), "bob never answered:\n{}", far.peer.log());
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        call.control().hang_up();
        while let Some(event) = call.next_event().await {
            if matches!(event, CallEvent::Ended { .. }) {
                break;
            }
        }
    });
    // baresip writes the WAV header's length when it closes the file, once it has taken
    // our BYE: on a busy machine that can come after our call has ended.
    let deadline = Instant::now() + Duration::from_secs(10);
    let recording = loop {
        let written = far.recording().filter(|p| hound::WavReader::open(p).is_ok_and(|r| r.len() > 0));
        if let Some(path) = written {
            break path;
        }
        assert!(Instant::now() < deadline, "baresip recorded nothing:\n{}", far.peer.log());
        std::thread::sleep(Duration::from_millis(100));
    };
    let (rate, heard) = read_wav(&recording);
    // The last 3 s before the hang-up: the canceller has had the seconds before to
    // find the room's delay (the recording's last half second is the hang-up).
    let end = heard.len().saturating_sub(rate as usize / 2);
    let last = &heard[end.saturating_sub(3 * rate as usize)..end];
    assert!(last.len() >= 2 * rate as usize, "baresip's recording is only {} samples", heard.len());
    Heard { far: goertzel_db(last, rate, FAR_HZ), near: goertzel_db(last, rate, NEAR_HZ) }
}

#[test]
fn the_far_end_does_not_hear_itself_through_our_speaker_and_microphone() {
    if !in_netns("the_far_end_does_not_hear_itself_through_our_speaker_and_microphone") {
        return;
    }
    // Only the echo canceller, so the person's steady tone is not taken for noise.
    let only_echo = Processing { echo_cancellation: true, ..Processing::NONE };
    let off = call_in_a_room(Processing::NONE, 9);
    let on = call_in_a_room(only_echo, 9);
    let figures = format!(
        "far end's tone heard back: {:.1} dB off, {:.1} dB on; the person's: {:.1} dB off, {:.1} dB on",
        off.far, on.far, off.near, on.near
    );
    println!("{figures}");
    // Without cancellation the echo is really there, as loud as the person.
    assert!(off.far > off.near - 10.0, "no echo to cancel in the first place: {figures}");
    assert!(off.far - on.far >= 20.0, "the echo is not 20 dB lower with cancellation on: {figures}");
    assert!(off.near - on.near <= 6.0, "the person's voice lost more than 6 dB: {figures}");
}
